//! Per-occurrence points (按次计分): `#{ count: "field", each: 1, step: 1 }` or a list of such
//! maps, read by `deduct` (扣分) and `count` (加分) alike and added up the same way. An entry
//! may also count how far a value falls short of thresholds, with a rate for each stretch
//! (低于96%每降低1个百分点扣0.25，低于90%每降低1个百分点扣0.5):
//! `#{ value: "safety", below: [[96, 0.25], [90, 0.5]] }` (or `above` for a value over them).

use super::lever::{self, reach, Lever, Rate, Toward};
use crate::compile::locate::Token;
use crate::compile::spec::Spec;
use crate::compile::{closest, to_decimal};
use crate::eval::{write_measured, Ctx, Measured};
use crate::explain::{Mark, Notes};
use crate::figures::{ratio, Fig};
use crate::messages::rules::{self, KeyPlace};
use crate::model::Measure;
use rhai::{Array, Dynamic, Map};
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// One per-occurrence entry: `each` points per `step` occurrences of a count.
#[derive(Debug, Clone)]
pub struct Occurrence {
    /// What is counted (or, with `slopes`, the value measured): a field, or any VALUE but a
    /// closure (a sum over sub-units, a parameter, a difference …).
    pub count: Measure,
    /// Points per step.
    pub each: Decimal,
    /// Occurrences per step (200 plants → −1).
    pub step: Decimal,
    /// For an entry by how far a value lies beyond thresholds (`below`/`above`), the rates;
    /// `None` for a count.
    pub slopes: Option<Slopes>,
}

/// Points per unit of a value beyond thresholds (每降低1个百分点扣…): each rate applies from its
/// threshold to the next one, the last one without end.
#[derive(Debug, Clone)]
pub struct Slopes {
    /// Below the thresholds (else above).
    pub below: bool,
    /// (threshold, points per unit), in the order the value reaches them: descending thresholds
    /// below, ascending above.
    pub rates: Vec<(Decimal, Decimal)>,
}

impl Slopes {
    /// The points for value `v`: each stretch beyond a threshold, up to the next, times its rate.
    fn points(&self, v: Decimal) -> Decimal {
        let mut total = Decimal::ZERO;
        for (k, (t, rate)) in self.rates.iter().enumerate() {
            let next = self.rates.get(k + 1).map(|n| n.0);
            let gap = if self.below {
                t.saturating_sub(next.map_or(v, |n| v.max(n)))
            } else {
                next.map_or(v, |n| v.min(n)).saturating_sub(*t)
            };
            if gap > Decimal::ZERO {
                total = total.saturating_add(gap.saturating_mul(*rate));
            }
        }
        total
    }

    /// `低于 96 每降低 1 扣 0.25 分、低于 90 每降低 1 扣 0.5 分`.
    fn words(&self, verb: &str, out: &mut String) {
        for (k, (t, r)) in self.rates.iter().enumerate() {
            if k > 0 {
                out.push('、');
            }
            let _ = if self.below {
                write!(out, "低于 {} 每降低 1 {verb} {} 分", Fig(*t), Fig(*r))
            } else {
                write!(out, "高于 {} 每升高 1 {verb} {} 分", Fig(*t), Fig(*r))
            };
        }
    }
}

impl Occurrence {
    /// The points this entry gives for the unit's count: `count × each`, or whole steps ×
    /// `each` with a `step`.
    pub(super) fn points(&self, cx: &Ctx) -> Decimal {
        // A blank value is nothing to count.
        let read = value_of(cx, &self.count);
        match &self.slopes {
            Some(slopes) => read.map_or(Decimal::ZERO, |v| slopes.points(v)),
            None => steps(read.unwrap_or_default(), self.step).saturating_mul(self.each),
        }
    }

    /// Notes the data the entry reads.
    pub(super) fn data(&self, cx: &Ctx, out: &mut Notes) {
        cx.note_measure(&self.count, out);
    }

    /// Writes the value as read, from the entry's data noted since `at`: `失控人员数 = 3`,
    /// `破案率 80 − 上年度全省平均 85 = -5`.
    pub(super) fn seen(&self, cx: &Ctx, out: &mut Notes, at: Mark) {
        match (&self.count, value_of(cx, &self.count)) {
            // A field as written (a blank one as （空）).
            (Measure::Field(_), _) => out.write_label_is(at, 0),
            (m, Some(v)) => write_measured(out, at, m, v),
            (_, None) if out.data_since(at) == 0 => out.text().push_str(" = （空）"),
            (_, None) => out.write_datum(at, 0, |t, l, _| {
                t.push_str(l);
                t.push_str(" = （空）");
            }),
        }
    }

    /// Writes `每项扣 1 分` / `每 200 扣 1 分` / `低于 96 每降低 1 扣 0.25 分`, with the verb of
    /// the shape.
    pub(super) fn per(&self, verb: &str, out: &mut String) {
        if let Some(slopes) = &self.slopes {
            return slopes.words(verb, out);
        }
        let _ = if self.step == Decimal::ONE {
            write!(out, "每项{verb} {} 分", Fig(self.each))
        } else {
            write!(out, "每 {} {verb} {} 分", Fig(self.step), Fig(self.each))
        };
    }
}

impl Occurrence {
    /// Values of the entry's data that change its points by one step and by all it can
    /// (提分途径): for a deduction (`fewer`) the fewest occurrences less that give a step back
    /// and none at all, else one more and enough to fill `room`; with slopes, the value at each
    /// threshold. For a deduction, `room` is how far the deductions go past what the item
    /// holds (扣完为止): that many steps fewer give nothing back.
    pub(super) fn levers(&self, cx: &Ctx, fewer: bool, room: Decimal, out: &mut Vec<Lever>) {
        let Some(now) = value_of(cx, &self.count) else {
            return;
        };
        let m = &self.count;
        if let Some(slopes) = &self.slopes {
            let toward = match (slopes.below, fewer) {
                (true, true) | (false, false) => Toward::AtLeast,
                _ => Toward::AtMost,
            };
            for (t, _) in &slopes.rates {
                out.extend(reach(cx, m, *t, toward));
            }
            return;
        }
        let k = steps(now, self.step);
        let whole_steps = |n: Decimal| n.saturating_mul(self.step);
        if fewer {
            if k.is_zero() {
                return;
            }
            // Steps past what the item holds give nothing back: one more than those.
            let past = room
                .checked_div(self.each)
                .unwrap_or_default()
                .floor()
                .max(Decimal::ZERO);
            let left = k.floor().saturating_sub(past).saturating_sub(Decimal::ONE);
            let left = left.max(Decimal::ZERO);
            if self.step == Decimal::ONE {
                let one = now
                    .saturating_sub(past)
                    .saturating_sub(Decimal::ONE)
                    .max(Decimal::ZERO);
                out.extend(reach(cx, m, one, Toward::AtMost));
                out.extend(reach(cx, m, Decimal::ZERO, Toward::AtMost));
            } else {
                out.extend(reach(
                    cx,
                    m,
                    whole_steps(left.saturating_add(Decimal::ONE)),
                    Toward::Below,
                ));
                out.extend(reach(cx, m, self.step, Toward::Below));
            }
        } else if !self.each.is_zero() {
            let needed = room.checked_div(self.each).unwrap_or_default().ceil();
            out.extend(reach(
                cx,
                m,
                whole_steps(k.floor().saturating_add(Decimal::ONE)),
                Toward::AtLeast,
            ));
            out.extend(reach(
                cx,
                m,
                whole_steps(k.floor().saturating_add(needed)),
                Toward::AtLeast,
            ));
        }
    }

    /// What a step of the entry's field is worth (每减少 1 人 +0.5 分), for a count.
    pub(super) fn rate(&self, fewer: bool) -> Option<Rate> {
        if self.slopes.is_some() {
            return None;
        }
        lever::rate(&self.count, self.step, self.each, !fewer)
    }
}

/// Why a list's points cannot be traced back to data: when none of its entries reads a field
/// of the unit directly.
pub(super) fn opaque(list: &[Occurrence]) -> Option<&'static str> {
    (!list.iter().any(|o| lever::invertible(&o.count)))
        .then_some("次数由公式、参数或其他单位的数据算出，不能直接反推所需数据")
}

/// A value that is not a closure, divided out; `None` when blank or without base.
fn value_of(cx: &Ctx, m: &Measure) -> Option<Decimal> {
    cx.peek(m).and_then(Measured::number)
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

/// One entry, `#{ count: "field", each: 1, step: 1 }` or `#{ value: "field", below: … }`;
/// `key` is the shape's key.
fn entry(s: &mut Spec, m: &Map, key: &str) -> Option<Occurrence> {
    if m.contains_key("below") || m.contains_key("above") {
        return slopes_entry(s, m, key);
    }
    // A field's name, or a VALUE such as `#{ sum: "bottom2", over: "county" }`.
    let count = m.get("count").or_else(|| m.get("field"));
    let Some(count) = count.filter(|c| c.is_map() || c.is_string()) else {
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
    let count = match s.measure_of(count, "count")? {
        Measure::Closure(_) => {
            s.err_at(Token::Key(key), rules::deduct_no_count(key));
            return None;
        }
        m => m,
    };
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
        count,
        each: each.abs(),
        step,
        slopes: None,
    })
}

/// `#{ value: "safety", below: [[96, 0.25], [90, 0.5]] }`, or `below: 96, each: 0.25` for one
/// rate (`above` alike).
fn slopes_entry(s: &mut Spec, m: &Map, key: &str) -> Option<Occurrence> {
    let below = m.contains_key("below");
    let side = if below { "below" } else { "above" };
    if below && m.contains_key("above") {
        s.err_at(Token::Key("above"), rules::slopes_entry(key));
        return None;
    }
    if !m.contains_key("value") {
        s.err_at(Token::Key(key), rules::slopes_entry(key));
        return None;
    }
    let value = s.shape_value(m, key, &["below", "above", "each"])?;
    if matches!(value, Measure::Closure(_)) {
        s.err_at(Token::Key("value"), rules::slopes_entry(key));
        return None;
    }
    let given = m.get(side)?;
    let rates: Option<Vec<(Decimal, Decimal)>> = match given.clone().try_cast::<Array>() {
        Some(list) => list
            .iter()
            .map(|p| {
                let p = p.clone().try_cast::<Array>()?;
                match p.as_slice() {
                    [t, r] => Some((to_decimal(t)?, to_decimal(r)?.abs())),
                    _ => None,
                }
            })
            .collect(),
        None => to_decimal(given)
            .zip(m.get("each").and_then(to_decimal))
            .map(|(t, r)| vec![(t, r.abs())]),
    };
    let Some(mut rates) = rates.filter(|r| !r.is_empty()) else {
        s.err_at(Token::Key(side), rules::slopes_entry(key));
        return None;
    };
    if below {
        rates.sort_by_key(|r| std::cmp::Reverse(r.0));
    } else {
        rates.sort_by_key(|r| r.0);
    }
    if rates.windows(2).any(|w| w[0].0 == w[1].0) {
        s.err_at(Token::Key(side), rules::slopes_entry(key));
        return None;
    }
    Some(Occurrence {
        count: value,
        each: Decimal::ZERO,
        step: Decimal::ONE,
        slopes: Some(Slopes { below, rates }),
    })
}
