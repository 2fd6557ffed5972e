//! Per-occurrence points (按次计分): `#{ count: "field", each: 1, step: 1 }` or a list of such
//! maps, read by `deduct` (扣分) and `count` (加分) alike and added up the same way.

use crate::compile::locate::Token;
use crate::compile::spec::Spec;
use crate::compile::{closest, to_decimal};
use crate::eval::Ctx;
use crate::figures::{fmt, ratio};
use crate::messages::rules::{self, KeyPlace};
use rhai::{Array, Dynamic, Map};
use rust_decimal::Decimal;

/// One per-occurrence entry: `each` points per `step` occurrences of a count.
#[derive(Debug, Clone)]
pub struct Occurrence {
    /// The field holding the count.
    pub count: usize,
    /// Points per step.
    pub each: Decimal,
    /// Occurrences per step (200 plants → −1).
    pub step: Decimal,
}

impl Occurrence {
    /// The points this entry gives for the unit's count: `count × each`, or whole steps ×
    /// `each` with a `step`.
    pub(super) fn points(&self, cx: &Ctx) -> Decimal {
        let count = cx.number(self.count).unwrap_or_default();
        steps(count, self.step).saturating_mul(self.each)
    }

    /// `每项扣 1 分` / `每 200 扣 1 分`, with the verb of the shape.
    pub(super) fn per(&self, verb: &str) -> String {
        if self.step == Decimal::ONE {
            format!("每项{verb} {} 分", fmt(self.each))
        } else {
            format!("每 {} {verb} {} 分", fmt(self.step), fmt(self.each))
        }
    }
}

/// The points of every entry, added up.
pub(super) fn total(cx: &Ctx, list: &[Occurrence]) -> Decimal {
    list.iter()
        .fold(Decimal::ZERO, |acc, o| acc.saturating_add(o.points(cx)))
}

/// Steps in `count`, never below 0: with `step` 1 the count itself, exact even when it has
/// decimals (7.5 on a `number` field × 0.25 deducts 1.875: the field's type says decimals are
/// meant, and flooring them silently took points the rubric did not say); with a larger step
/// (every 200 plants) only whole steps.
fn steps(count: Decimal, step: Decimal) -> Decimal {
    let steps = if step == Decimal::ONE {
        count
    } else {
        ratio(count, step).floor()
    };
    steps.max(Decimal::ZERO)
}

/// The entries under `key`: one map or a list of maps.
pub(super) fn parse(s: &mut Spec, key: &'static str) -> Option<Vec<Occurrence>> {
    let v = s.get(key)?;
    let list: Vec<Dynamic> = match v.clone().try_cast::<Array>() {
        Some(a) => a,
        None => vec![v.clone()],
    };
    let mut out = Vec::new();
    for d in list {
        match d.try_cast::<Map>() {
            Some(m) => out.extend(entry(s, &m, key)),
            None => s.err_at(Token::Key(key), rules::deduct_not_map(key)),
        }
    }
    (!out.is_empty()).then_some(out)
}

/// One entry, `#{ count: "field", each: 1, step: 1 }`; `key` is the shape's key.
fn entry(s: &mut Spec, m: &Map, key: &str) -> Option<Occurrence> {
    let count = m.get("count").or_else(|| m.get("field"));
    let Some(name) = count.and_then(|d| d.clone().into_string().ok()) else {
        s.err_at(Token::Key(key), rules::deduct_no_count(key));
        return None;
    };
    for k in m.keys() {
        if !["count", "field", "each", "step"].contains(&k.as_str()) {
            let keys = ["count", "each", "step"];
            let help = closest(k, keys.into_iter())
                .map(|n| rules::rename_key(k, n))
                .unwrap_or_else(|| rules::keys_are(&keys));
            let m = rules::unknown_key(k, KeyPlace::In(key), Some(help));
            s.err_at(Token::Key(k), m);
        }
    }
    let field = s.numeric_field(&name, "count")?;
    let each = match m.get("each").and_then(to_decimal) {
        Some(d) => d,
        None => {
            s.err_at(Token::Key(key), rules::deduct_no_each(key));
            return None;
        }
    };
    let step = m.get("step").and_then(to_decimal).unwrap_or(Decimal::ONE);
    if step <= Decimal::ZERO {
        s.err_at(Token::Key("step"), rules::deduct_step(key));
        return None;
    }
    Some(Occurrence {
        count: field,
        each: each.abs(),
        step,
    })
}
