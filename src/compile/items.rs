//! The scored rules: `indicator`, `bonus` and `cohort_indicator`, and the `category` that
//! caps a group of indicators.

use super::builder::Builder;
use super::shapes::parse_shape;
use super::spec::Spec;
use super::to_decimal;
use crate::model::*;
use rhai::{Array, Dynamic, Map, Position};
use rust_decimal::Decimal;

/// `category("name", max)`.
pub(super) fn category(b: &mut Builder, pos: Position, name: &str, max: &Dynamic) {
    match to_decimal(max) {
        Some(m) => b.categories.push((name.to_string(), m)),
        None => b.error(
            pos,
            format!("category `{name}`: the maximum must be a number"),
            None,
        ),
    }
}

/// `indicator("id", #{ … })`.
pub(super) fn indicator(b: &mut Builder, pos: Position, id: &str, spec: &Map) {
    item(b, pos, id, spec, ItemKind::Indicator);
}

/// `bonus("id", #{ … })`.
pub(super) fn bonus(b: &mut Builder, pos: Position, id: &str, spec: &Map) {
    item(b, pos, id, spec, ItemKind::Bonus);
}

/// The keys every indicator, bonus and cohort indicator has.
struct Head {
    label: String,
    category: Option<String>,
    max: Decimal,
    text: String,
    /// When false for a unit, the unit is not assessed on the item (`only`).
    only: Option<Condition>,
}

/// Counts an item's declaration, reports its id if already taken, and reads its [`Head`];
/// the rest of `spec` is the caller's to read.
fn head<'a>(
    b: &'a mut Builder,
    pos: Position,
    id: &str,
    spec: &'a Map,
    what: String,
) -> (Spec<'a>, Head) {
    b.declared_items += 1;
    if b.items.iter().any(|i| i.id == id) || b.cohort_items.iter().any(|i| i.id == id) {
        b.error(
            pos,
            format!("{what} is declared twice"),
            Some("give each rule its own id".into()),
        );
    }
    let mut s = Spec::new(b, spec, pos, what);
    let label = s.required_string("label");
    let category = s.string("category");
    let max = s.required_decimal("max");
    let text = s.string("text").unwrap_or_default();
    let only = s.condition("only");
    let head = Head {
        label,
        category,
        max,
        text,
        only,
    };
    (s, head)
}

/// An indicator or a bonus: scored for each unit on its own by its shape.
fn item(b: &mut Builder, pos: Position, id: &str, spec: &Map, kind: ItemKind) {
    let what = match kind {
        ItemKind::Bonus => format!("bonus `{id}`"),
        _ => format!("indicator `{id}`"),
    };
    let (mut s, head) = head(b, pos, id, spec, what);
    let max = head.max;
    let applies = s.condition("applies");
    let blank_is_full = s.choice(
        "na",
        false,
        &[("full", true)],
        "the only choice is `na: \"full\"`",
    );
    let shape = parse_shape(&mut s);
    if kind == ItemKind::Bonus && head.category.is_some() {
        s.err(
            "a bonus has no `category`".into(),
            Some(
                "bonus points are capped by the bonus's `max` and the rule set's `bonus_max`"
                    .into(),
            ),
        );
    }
    match &shape {
        Some(Shape::Bands(_, steps)) => {
            if let Some((_, p)) = steps.iter().find(|(_, p)| *p > max) {
                s.err(
                    format!(
                        "a band gives {} points but the item's `max` is {}",
                        p.normalize(),
                        max.normalize()
                    ),
                    None,
                );
            }
        }
        Some(Shape::Deduct(_) | Shape::Count(_) | Shape::Score(_)) if blank_is_full => {
            s.err(
                "`na: \"full\"` only applies to shapes that read a `value` (target, linear, bands, zero)".into(),
                Some("use `applies: <condition>` to say when this item does not apply".into()),
            );
        }
        _ => {}
    }
    if max < Decimal::ZERO {
        s.err("`max` must not be negative".into(), None);
    }
    s.done(&[]);
    if let Some(shape) = shape {
        b.items.push(Item {
            id: id.to_string(),
            label: head.label,
            category: head.category,
            max,
            shape,
            text: head.text,
            applies,
            only: head.only,
            blank_is_full,
            kind,
            pos,
        });
    }
}

/// `cohort_indicator("id", #{ … })`: scored by comparing the units of a cohort.
pub(super) fn cohort_indicator(b: &mut Builder, pos: Position, id: &str, spec: &Map) {
    let (mut s, head) = head(b, pos, id, spec, format!("cohort indicator `{id}`"));
    let measure = s.measure("value");
    s.require("value", "add `value: \"field\"`");
    let ascending = s.order();
    let methods = ["rank_points", "top", "vs_average", "proportional_to_best"];
    let present: Vec<&str> = methods.iter().copied().filter(|k| s.has(k)).collect();
    let method = if present.len() == 1 {
        match present[0] {
            "rank_points" => {
                let list = s
                    .get("rank_points")
                    .and_then(|d| d.clone().try_cast::<Array>());
                let pts: Option<Vec<Decimal>> = list
                    .map(|a| a.iter().map(to_decimal).collect::<Option<Vec<_>>>())
                    .unwrap_or(None);
                match pts {
                    Some(p) if !p.is_empty() => Some(CohortMethod::RankPoints(p)),
                    _ => {
                        s.err(
                            "`rank_points` must be a list of points such as `[6, 5, 4]`".into(),
                            None,
                        );
                        None
                    }
                }
            }
            "top" => {
                let n = s.get("top").and_then(|d| d.as_int().ok());
                match n {
                    Some(n) if n > 0 => {
                        Some(CohortMethod::Top(usize::try_from(n).unwrap_or(usize::MAX)))
                    }
                    _ => {
                        s.err("`top` must be a whole number above 0".into(), None);
                        None
                    }
                }
            }
            "vs_average" => s
                .boolean("vs_average")
                .filter(|b| *b)
                .map(|_| CohortMethod::VsAverage),
            _ => s
                .boolean("proportional_to_best")
                .filter(|b| *b)
                .map(|_| CohortMethod::ProportionalToBest),
        }
    } else {
        s.err(
            "needs exactly one of `rank_points`, `top`, `vs_average`, `proportional_to_best`"
                .into(),
            None,
        );
        for m in methods {
            s.get(m);
        }
        None
    };
    s.done(&[]);
    if let (Some(measure), Some(method)) = (measure, method) {
        b.cohort_items.push(CohortItem {
            id: id.to_string(),
            label: head.label,
            category: head.category,
            max: head.max,
            measure,
            method,
            ascending,
            text: head.text,
            only: head.only,
            pos,
        });
    }
}
