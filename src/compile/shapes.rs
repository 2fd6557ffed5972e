//! How an indicator scores (its shape): `deduct`, `count`, `target`, `linear`, `bands`,
//! `zero`, `yes` or `score`.

use super::locate::Token;
use super::spec::Spec;
use super::{closest, to_decimal};
use crate::messages::rules::{self, BoundIn, KeyPlace};
use crate::model::*;
use rhai::{Array, Dynamic, Map};
use rust_decimal::Decimal;

/// The keys that say how an item scores; an item gives exactly one.
const SHAPES: [&str; 8] = [
    "deduct", "count", "target", "linear", "bands", "zero", "yes", "score",
];

/// One deduction, `#{ count: "field", each: 1, step: 1 }`; `ctx` is the shape's key.
fn parse_deduct(s: &mut Spec, m: &Map, ctx: &str) -> Option<Deduct> {
    let count = m.get("count").or_else(|| m.get("field"));
    let Some(name) = count.and_then(|d| d.clone().into_string().ok()) else {
        s.err_at(Token::Key(ctx), rules::deduct_no_count(ctx));
        return None;
    };
    for k in m.keys() {
        if !["count", "field", "each", "step"].contains(&k.as_str()) {
            let keys = ["count", "each", "step"];
            let help = closest(k, keys.into_iter())
                .map(|n| rules::rename_key(k, n))
                .unwrap_or_else(|| rules::keys_are(&keys));
            let m = rules::unknown_key(k, KeyPlace::In(ctx), Some(help));
            s.err_at(Token::Key(k), m);
        }
    }
    let field = s.numeric_field(&name, "count")?;
    let each = match m.get("each").and_then(to_decimal) {
        Some(d) => d,
        None => {
            s.err_at(Token::Key(ctx), rules::deduct_no_each(ctx));
            return None;
        }
    };
    let step = m.get("step").and_then(to_decimal).unwrap_or(Decimal::ONE);
    if step <= Decimal::ZERO {
        s.err_at(Token::Key("step"), rules::deduct_step(ctx));
        return None;
    }
    Some(Deduct {
        count: field,
        each: each.abs(),
        step,
    })
}

/// The one shape among the item's keys.
pub(super) fn parse_shape(s: &mut Spec) -> Option<Shape> {
    let present: Vec<&str> = SHAPES.iter().copied().filter(|k| s.has(k)).collect();
    if present.len() != 1 {
        if present.is_empty() {
            s.err(rules::no_shape());
        } else {
            s.err(rules::many_shapes(&present));
        }
        for k in SHAPES {
            s.get(k);
        }
        return None;
    }
    match present[0] {
        "deduct" => occurrences(s, "deduct").map(Shape::Deduct),
        "count" => occurrences(s, "count").map(Shape::Count),
        "target" => target(s),
        "linear" => linear(s),
        "bands" => bands(s),
        "zero" => s.measure("zero").map(Shape::Zero),
        "yes" => yes(s),
        "score" => s.fn_ptr("score").map(Shape::Score),
        _ => None,
    }
}

/// The map under the shape's key; anything else is reported.
fn shape_map(s: &mut Spec, key: &'static str) -> Option<Map> {
    let m = s.get(key)?.clone().try_cast::<Map>();
    if m.is_none() {
        s.err_at(Token::Key(key), rules::shape_not_map(key));
    }
    m
}

/// `deduct`/`count`: `#{ count: "field", each: 1 }` or a list of such maps.
fn occurrences(s: &mut Spec, key: &'static str) -> Option<Vec<Deduct>> {
    let v = s.get(key)?;
    let list: Vec<Dynamic> = match v.clone().try_cast::<Array>() {
        Some(a) => a,
        None => vec![v.clone()],
    };
    let mut out = Vec::new();
    for d in list {
        match d.try_cast::<Map>() {
            Some(m) => out.extend(parse_deduct(s, &m, key)),
            None => s.err_at(Token::Key(key), rules::deduct_not_map(key)),
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `yes: "field"`: full marks when a yes/no field is 是.
fn yes(s: &mut Spec) -> Option<Shape> {
    let v = s.get("yes")?;
    let Ok(name) = v.clone().into_string() else {
        s.err_at(Token::Key("yes"), rules::yes_not_name());
        return None;
    };
    let idx = s.field_ref(&name, "yes")?;
    if s.b.fields[idx].ty != FieldType::Bool {
        s.err_at(Token::Text(&name), rules::yes_not_bool(&name));
        return None;
    }
    Some(Shape::Yes(idx))
}

/// `target: #{ value, at_least|above|at_most|below|equals, otherwise }`: full points when
/// the value meets the bound.
fn target(s: &mut Spec) -> Option<Shape> {
    let m = shape_map(s, "target")?;
    let measure = s.shape_value(
        &m,
        "target",
        &[
            "otherwise",
            "at_least",
            "above",
            "at_most",
            "below",
            "equals",
        ],
    )?;
    let bounds = s.bound_of(&m, BoundIn::Target);
    let shortfall = match m.get("otherwise").map(|d| d.to_string()).as_deref() {
        None | Some("zero") => Shortfall::Zero,
        Some("proportional") => Shortfall::Proportional,
        Some(other) => {
            s.err_at(Token::Key("otherwise"), rules::unknown_otherwise(other));
            Shortfall::Zero
        }
    };
    match bounds.as_slice() {
        [b] => Some(Shape::Target(measure, *b, shortfall)),
        _ => {
            s.err_at(Token::Key("target"), rules::target_bounds());
            None
        }
    }
}

/// `linear: #{ value, full_at, zero_at }`: points in proportion between the two.
fn linear(s: &mut Spec) -> Option<Shape> {
    let m = shape_map(s, "linear")?;
    let measure = s.shape_value(&m, "linear", &["full_at", "zero_at"])?;
    let full_at = m.get("full_at").and_then(to_decimal);
    let zero_at = m.get("zero_at").and_then(to_decimal);
    match (full_at, zero_at) {
        (Some(f), Some(z)) if f != z => Some(Shape::Linear {
            measure,
            full_at: f,
            zero_at: z,
        }),
        _ => {
            s.err_at(Token::Key("linear"), rules::linear_ends());
            None
        }
    }
}

/// `bands: #{ value, steps: [[98, 5], [95, 3]] }` (or steps as `#{ at_least: 98, points: 5 }`):
/// the points of the first step the value reaches.
fn bands(s: &mut Spec) -> Option<Shape> {
    let m = shape_map(s, "bands")?;
    let measure = s.shape_value(&m, "bands", &["steps"])?;
    let steps = m.get("steps").and_then(|d| d.clone().try_cast::<Array>());
    let Some(steps) = steps else {
        s.err_at(Token::Key("bands"), rules::bands_no_steps());
        return None;
    };
    let mut out = Vec::new();
    for step in steps {
        if let Some(pair) = step.clone().try_cast::<Array>() {
            match (
                pair.first().and_then(to_decimal),
                pair.get(1).and_then(to_decimal),
            ) {
                (Some(t), Some(p)) if pair.len() == 2 => out.push((Bound::AtLeast(t), p)),
                _ => s.err_at(Token::Key("steps"), rules::band_step_pair()),
            }
        } else if let Some(sm) = step.try_cast::<Map>() {
            let keys = ["at_least", "above", "at_most", "below", "equals", "points"];
            for k in sm.keys() {
                if !keys.contains(&k.as_str()) {
                    let help = closest(k, keys.into_iter())
                        .map(|n| rules::rename_key(k, n))
                        .unwrap_or_else(|| rules::keys_are(&keys));
                    let m = rules::unknown_key(k, KeyPlace::BandStep, Some(help));
                    s.err_at(Token::Key(k), m);
                }
            }
            let bounds = s.bound_of(&sm, BoundIn::BandStep);
            match (bounds.as_slice(), sm.get("points").and_then(to_decimal)) {
                ([b], Some(p)) => out.push((*b, p)),
                _ => s.err_at(Token::Key("steps"), rules::band_step_map()),
            }
        } else {
            s.err_at(Token::Key("steps"), rules::band_step_kind());
        }
    }
    Some(Shape::Bands(measure, out))
}
