//! How an indicator scores (its shape): `deduct`, `count`, `target`, `linear`, `bands`,
//! `zero`, `yes` or `score`.

use super::spec::Spec;
use super::{suggest, to_decimal};
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
        s.err(
            format!("`{ctx}` needs the field that holds the count"),
            Some(format!("write `{ctx}: #{{ count: \"field\", each: 1 }}`")),
        );
        return None;
    };
    for k in m.keys() {
        if !["count", "field", "each", "step"].contains(&k.as_str()) {
            let help = suggest(k, ["count", "each", "step"].into_iter());
            s.err(format!("unknown key `{k}` in `{ctx}`"), help);
        }
    }
    let field = s.numeric_field(&name, "count")?;
    let each = match m.get("each").and_then(to_decimal) {
        Some(d) => d,
        None => {
            s.err(
                format!("`{ctx}` needs `each`, the points per occurrence"),
                None,
            );
            return None;
        }
    };
    let step = m.get("step").and_then(to_decimal).unwrap_or(Decimal::ONE);
    if step <= Decimal::ZERO {
        s.err(format!("`step` in `{ctx}` must be above 0"), None);
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
        let msg = if present.is_empty() {
            "says no way of scoring".to_string()
        } else {
            format!("has more than one way of scoring: {}", present.join(", "))
        };
        s.err(
            msg,
            Some("give exactly one of `deduct`, `count`, `target`, `linear`, `bands`, `zero`, `yes`, `score`".into()),
        );
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

/// The map under the shape's key; anything else is reported as `wrong`.
fn shape_map(s: &mut Spec, key: &'static str, wrong: &str) -> Option<Map> {
    let m = s.get(key)?.clone().try_cast::<Map>();
    if m.is_none() {
        s.err(wrong.to_string(), None);
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
            None => s.err(
                format!(
                    "`{key}` must be a map `#{{ count: \"…\", each: 1 }}` or a list of such maps"
                ),
                None,
            ),
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `yes: "field"`: full marks when a yes/no field is 是.
fn yes(s: &mut Spec) -> Option<Shape> {
    let v = s.get("yes")?;
    let Ok(name) = v.clone().into_string() else {
        s.err(
            "`yes` must name a yes/no field, such as `yes: \"budget\"`".into(),
            None,
        );
        return None;
    };
    let idx = s.field_ref(&name, "yes")?;
    if s.b.fields[idx].ty != FieldType::Bool {
        s.err(
            format!("`yes` needs a yes/no field; `{name}` is not one"),
            Some(format!("declare `{name}` with type \"bool\"")),
        );
        return None;
    }
    Some(Shape::Yes(idx))
}

/// `target: #{ value, at_least|above|at_most|below|equals, otherwise }`: full points when
/// the value meets the bound.
fn target(s: &mut Spec) -> Option<Shape> {
    let m = shape_map(
        s,
        "target",
        "`target` must be a map `#{ value: \"…\", at_least: 90 }`",
    )?;
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
    let bounds = s.bound_of(&m, "`target`");
    let shortfall = match m.get("otherwise").map(|d| d.to_string()).as_deref() {
        None | Some("zero") => Shortfall::Zero,
        Some("proportional") => Shortfall::Proportional,
        Some(other) => {
            s.err(
                format!("`otherwise` in `target` is `{other}`"),
                Some("use \"zero\" or \"proportional\"".into()),
            );
            Shortfall::Zero
        }
    };
    match bounds.as_slice() {
        [b] => Some(Shape::Target(measure, *b, shortfall)),
        _ => {
            s.err(
                "`target` needs exactly one of `at_least`, `above`, `at_most`, `below`, `equals`"
                    .into(),
                None,
            );
            None
        }
    }
}

/// `linear: #{ value, full_at, zero_at }`: points in proportion between the two.
fn linear(s: &mut Spec) -> Option<Shape> {
    let m = shape_map(s, "linear", "`linear` must be a map")?;
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
            s.err(
                "`linear` needs two different numbers `full_at` and `zero_at`".into(),
                None,
            );
            None
        }
    }
}

/// `bands: #{ value, steps: [[98, 5], [95, 3]] }` (or steps as `#{ at_least: 98, points: 5 }`):
/// the points of the first step the value reaches.
fn bands(s: &mut Spec) -> Option<Shape> {
    let m = shape_map(
        s,
        "bands",
        "`bands` must be a map `#{ value: \"…\", steps: [[98, 5], [95, 3]] }`",
    )?;
    let measure = s.shape_value(&m, "bands", &["steps"])?;
    let steps = m.get("steps").and_then(|d| d.clone().try_cast::<Array>());
    let Some(steps) = steps else {
        s.err(
            "`bands` needs `steps`, a list such as `[[98, 5], [95, 3]]`".into(),
            None,
        );
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
                _ => s.err("each step in `bands` is `[threshold, points]`".into(), None),
            }
        } else if let Some(sm) = step.try_cast::<Map>() {
            for k in sm.keys() {
                if !["at_least", "above", "at_most", "below", "equals", "points"]
                    .contains(&k.as_str())
                {
                    s.err(format!("unknown key `{k}` in a band step"), None);
                }
            }
            let bounds = s.bound_of(&sm, "a band step");
            match (bounds.as_slice(), sm.get("points").and_then(to_decimal)) {
                ([b], Some(p)) => out.push((*b, p)),
                _ => s.err(
                    "a band step map needs one bound and `points`, such as `#{ at_least: 98, points: 5 }`".into(),
                    None,
                ),
            }
        } else {
            s.err(
                "each step in `bands` is `[threshold, points]` or a map".into(),
                None,
            );
        }
    }
    Some(Shape::Bands(measure, out))
}
