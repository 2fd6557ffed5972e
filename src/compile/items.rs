//! The scored rules: `indicator`, `bonus` and `cohort_indicator`, and the `category` that
//! caps a group of indicators.

use super::builder::Builder;
use super::locate::Token;
use super::spec::Spec;
use super::to_decimal;
use crate::messages::rules::{self, Choice, Decl};
use crate::messages::Text;
use crate::model::*;
use rhai::{Array, Dynamic, Map, Position};
use rust_decimal::Decimal;

/// `category("name", max)`, or `category("name", #{ max, deduct_cap, round })`: the cap on its
/// indicators' points, the most its deductions take together (本项限扣) and how its subtotal is
/// rounded.
pub(super) fn category(b: &mut Builder, pos: Position, name: &str, max: &Dynamic) {
    let category = match max.clone().try_cast::<Map>() {
        Some(map) => {
            let mut s = Spec::new(b, &map, pos, Decl::Category(name).text());
            let cap = s.decimal("max").unwrap_or(Decimal::ZERO);
            let deduct_cap = s.decimal("deduct_cap");
            if deduct_cap.is_some_and(|c| c <= Decimal::ZERO) {
                s.err_at(
                    Token::Key("deduct_cap"),
                    rules::deduct_cap_not_positive("deduct_cap"),
                );
            }
            let round = s.rounding();
            if !s.has("max") && !s.has("deduct_cap") {
                s.err(rules::missing_key("max", rules::add("max: 25")));
            }
            s.done(&[]);
            Some(Category {
                name: name.to_string(),
                max: cap,
                deduct_cap,
                round,
            })
        }
        None => to_decimal(max).map(|m| Category {
            name: name.to_string(),
            max: m,
            deduct_cap: None,
            round: None,
        }),
    };
    match category {
        Some(c) => {
            b.categories.push(c);
            b.category_pos.push(pos);
        }
        None => b.error(pos, rules::category_max_not_number(name)),
    }
}

/// `indicator("id", #{ … })`.
pub(super) fn indicator(b: &mut Builder, pos: Position, id: &str, spec: &Map) {
    item(b, pos, id, spec, ItemKind::Indicator);
}

/// `todo("id", #{ label, … })`: an item `kaohe import` could not turn into a scoring shape.
/// It is an error at its place until the rule editor makes it an `indicator` or a `bonus`.
pub(super) fn todo(b: &mut Builder, pos: Position, id: &str, spec: &Map) {
    let label = spec
        .get("label")
        .map(ToString::to_string)
        .unwrap_or_default();
    // An item all the same, one that does not compile yet: the checks of the whole set (sections,
    // grade bands over the reachable totals) wait for it, as they do for an item in error.
    b.declared_items += 1;
    b.error(pos, crate::messages::import::todo_left(id, &label));
}

/// `deduction("id", #{ label, deduct, cap, … })`: a deduction from the base (扣分项).
pub(super) fn deduction(b: &mut Builder, pos: Position, id: &str, spec: &Map) {
    item(b, pos, id, spec, ItemKind::Deduction);
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
    what: Text,
    what_is_deduction: bool,
) -> (Spec<'a>, Head) {
    b.declared_items += 1;
    if b.items.iter().any(|i| &*i.id == id) || b.cohort_items.iter().any(|i| &*i.id == id) {
        b.error_at(pos, Token::Text(id), rules::declared_twice(&what, true));
    }
    let mut s = Spec::new(b, spec, pos, what);
    let label = s.required_string("label");
    let category = s.string("category");
    // A deduction has no full marks: it takes points off the base (its `cap` is read after).
    let max = if what_is_deduction {
        if s.has("max") {
            s.get("max");
            s.err_at(Token::Key("max"), rules::deduction_max());
        }
        Decimal::ZERO
    } else {
        s.required_decimal("max")
    };
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
        ItemKind::Bonus => Decl::Bonus(id).text(),
        ItemKind::Deduction => Decl::Deduction(id).text(),
        _ => Decl::Indicator(id).text(),
    };
    let deduction = kind == ItemKind::Deduction;
    let (mut s, head) = head(b, pos, id, spec, what, deduction);
    let max = head.max;
    let applies = s.condition("applies");
    let blank_is_full = s.choice("na", false, &[("full", true)], Choice::Na);
    let shape = crate::shapes::parse(&mut s);
    let deduct_cap = if deduction { s.decimal("cap") } else { None };
    let round = s.rounding();
    if deduct_cap.is_some_and(|c| c <= Decimal::ZERO) {
        s.err_at(Token::Key("cap"), rules::deduct_cap_not_positive("cap"));
    }
    // A deduction lists what it deducts (`deduct`); any other shape is its one error.
    let wrong_shape = if deduction {
        shape.as_ref().and_then(|sh| match sh {
            crate::shapes::Shape::Deduct(_) => None,
            _ => crate::shapes::PARSERS
                .iter()
                .map(|p| p.0)
                .find(|k| s.has(k)),
        })
    } else {
        None
    };
    if let Some(other) = wrong_shape {
        s.err_at(Token::Key(other), rules::deduction_shape(other));
    }
    if kind == ItemKind::Bonus && head.category.is_some() {
        s.err_at(Token::Key("category"), rules::bonus_category());
    }
    if let Some(shape) = shape.as_ref().filter(|_| wrong_shape.is_none()) {
        crate::shapes::check(shape, max, blank_is_full, &mut s);
    }
    if max < Decimal::ZERO {
        s.err_at(Token::Key("max"), rules::negative_max());
    }
    s.done(&[]);
    if let Some(shape) = shape {
        b.items.push(Item {
            id: id.into(),
            label: head.label.into(),
            category: head.category.map(Name::from),
            max,
            shape,
            text: head.text.into(),
            applies,
            only: head.only,
            blank_is_full,
            kind,
            deduct_cap,
            round,
            pos,
        });
    }
}

/// `rank_change: #{ down: [[5, 1], [10, 2]], up: [[5, 0.5]] }`: places fallen or gained and the
/// points each takes or gives (后退5位以上扣1分，后退10位以上扣2分；进步5位以上加0.5分).
fn rank_change(s: &mut Spec, max: Decimal) -> Option<CohortMethod> {
    let m = s.get("rank_change")?.clone().try_cast::<Map>();
    let list = |m: &Map, key: &str| -> Option<Vec<(u32, Decimal)>> {
        let Some(v) = m.get(key) else {
            return Some(Vec::new());
        };
        let mut out: Vec<(u32, Decimal)> = v
            .clone()
            .try_cast::<Array>()?
            .iter()
            .map(|p| {
                let p = p.clone().try_cast::<Array>()?;
                match p.as_slice() {
                    [n, pts] => Some((
                        u32::try_from(n.as_int().ok()?).ok().filter(|n| *n > 0)?,
                        to_decimal(pts)?.abs(),
                    )),
                    _ => None,
                }
            })
            .collect::<Option<_>>()?;
        out.sort_by_key(|e| std::cmp::Reverse(e.0));
        Some(out)
    };
    let known = m
        .as_ref()
        .is_some_and(|m| !m.is_empty() && m.keys().all(|k| ["down", "up"].contains(&k.as_str())));
    let method = m
        .filter(|_| known)
        .and_then(|m| Some((list(&m, "down")?, list(&m, "up")?)));
    match method {
        Some((down, up)) if up.iter().all(|(_, p)| *p <= max) => {
            Some(CohortMethod::RankChange { down, up })
        }
        _ => {
            s.err_at(Token::Key("rank_change"), rules::bad_rank_change());
            None
        }
    }
}

/// `rollup: #{ over: FIELD, bottom_ranks: N | top_ranks: N, each: P, cap: C }` or
/// `rollup: #{ over: FIELD, total: "mean" | "sum", scale: S }`: points from the sub-units'
/// places or totals; the measure is the link field.
fn sub_units(s: &mut Spec, max: Decimal) -> Option<(Measure, CohortMethod)> {
    let m = s.get("rollup")?.clone().try_cast::<Map>();
    let Some(m) = m else {
        s.err_at(Token::Key("rollup"), rules::bad_rollup());
        return None;
    };
    const KEYS: [&str; 7] = [
        "over",
        "bottom_ranks",
        "top_ranks",
        "each",
        "cap",
        "total",
        "scale",
    ];
    for k in m.keys() {
        if !KEYS.contains(&k.as_str()) {
            let help = crate::messages::closest(k, KEYS.into_iter())
                .map(|n| rules::rename_key(k, n))
                .unwrap_or_else(|| rules::bad_rollup().text);
            let m = rules::unknown_key(k, rules::KeyPlace::In("rollup"), Some(help));
            s.err_at(Token::Key(k), m);
        }
    }
    let over = match m.get("over").and_then(|d| d.clone().into_string().ok()) {
        Some(name) => s.field_ref(&name, "over")?,
        None => {
            s.err_at(Token::Key("rollup"), rules::bad_rollup());
            return None;
        }
    };
    let rule = if m.contains_key("total") {
        let mean = match m.get("total").map(ToString::to_string).as_deref() {
            Some("mean") => Some(true),
            Some("sum") => Some(false),
            _ => None,
        };
        let scale = match m.get("scale") {
            None => Some(Decimal::ONE),
            Some(v) => to_decimal(v).filter(|x| *x > Decimal::ZERO),
        };
        let alone = ["bottom_ranks", "top_ranks", "each", "cap"]
            .iter()
            .all(|k| !m.contains_key(*k));
        mean.zip(scale)
            .filter(|_| alone)
            .map(|(mean, scale)| SubRule::Totals { mean, scale })
    } else {
        let n = |k: &str| {
            m.get(k)
                .and_then(|d| d.as_int().ok())
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n > 0)
        };
        let place = match (m.contains_key("bottom_ranks"), m.contains_key("top_ranks")) {
            (true, false) => n("bottom_ranks").map(SubPlace::BottomRanks),
            (false, true) => n("top_ranks").map(SubPlace::TopRanks),
            _ => None,
        };
        let each = m.get("each").and_then(to_decimal).filter(|e| !e.is_zero());
        let cap = match m.get("cap") {
            None => Some(None),
            Some(c) => to_decimal(c).filter(|c| *c > Decimal::ZERO).map(Some),
        };
        match (place, each, cap) {
            (Some(place), Some(each), Some(cap)) if each < Decimal::ZERO || each <= max => {
                Some(SubRule::Places { place, each, cap })
            }
            _ => None,
        }
    };
    match rule {
        Some(rule) => Some((Measure::Field(over), CohortMethod::Rollup { over, rule })),
        None => {
            s.err_at(Token::Key("rollup"), rules::bad_rollup());
            None
        }
    }
}

/// `cohort_indicator("id", #{ … })`: scored by comparing the units of a cohort.
pub(super) fn cohort_indicator(b: &mut Builder, pos: Position, id: &str, spec: &Map) {
    let (mut s, head) = head(b, pos, id, spec, Decl::CohortIndicator(id).text(), false);
    // By the change of place: it reads the previous period's place, no value of its own; by
    // the sub-units' places: their link field.
    let by_place = s.has("rank_change");
    let rollup = s.has("rollup").then(|| sub_units(&mut s, head.max));
    let measure = if let Some(r) = &rollup {
        r.as_ref().map(|(m, _)| m.clone())
    } else if by_place {
        Some(Measure::Previous(crate::previous::PreviousValue::Rank))
    } else {
        let m = s.measure("value");
        s.require("value", rules::add("value: \"field\""));
        m
    };
    let ascending = s.order();
    let methods = [
        "rank_points",
        "top",
        "vs_average",
        "proportional_to_best",
        "rank_change",
        "rollup",
    ];
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
                        s.err_at(Token::Key("rank_points"), rules::bad_rank_points());
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
                        s.err_at(Token::Key("top"), rules::bad_top());
                        None
                    }
                }
            }
            "vs_average" => s
                .boolean("vs_average")
                .filter(|b| *b)
                .map(|_| CohortMethod::VsAverage),
            "rank_change" => rank_change(&mut s, head.max),
            "rollup" => rollup.flatten().map(|(_, m)| m),
            _ => s
                .boolean("proportional_to_best")
                .filter(|b| *b)
                .map(|_| CohortMethod::ProportionalToBest),
        }
    } else {
        s.err(rules::cohort_method());
        for m in methods {
            s.get(m);
        }
        None
    };
    s.done(&[]);
    if let (Some(measure), Some(method)) = (measure, method) {
        b.cohort_items.push(CohortItem {
            id: id.into(),
            label: head.label.into(),
            category: head.category.map(Name::from),
            max: head.max,
            measure,
            method,
            ascending,
            text: head.text.into(),
            only: head.only,
            pos,
        });
    }
}
