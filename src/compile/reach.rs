//! What totals a unit can reach, found from the declarations alone, and the checks that need
//! it: grade bands that overlap or leave a gap over the reachable range (等次覆盖检查).
//!
//! Every item scores within 0..its `max` (a `score` closure outside it fails the unit); a
//! category counts at most its cap; bonus items at most `bonus_max`; cohort items count in
//! full after the caps; a veto changes a unit's grade, never its points. Items that only some
//! units are assessed on (`only`) all count towards the highest total: the range is never
//! narrower than what a unit can reach.

use super::builder::Builder;
use super::locate::Token;
use crate::messages::rules::{self, Gap};
use crate::model::{Band, Bound, Category, ItemKind};
use rust_decimal::Decimal;

/// The lowest and highest total a unit can reach; the lowest is `None` when a deduction has
/// no limit (负面清单 without 限扣: a unit can go as low as its data takes it).
pub(super) fn total_range(b: &Builder) -> (Option<Decimal>, Decimal) {
    let declared = |c: &Option<crate::model::Name>| {
        c.as_ref()
            .and_then(|c| b.categories.iter().position(|k| *k.name == **c))
    };
    let base = b.header.as_ref().map_or(Decimal::ZERO, |h| h.base);
    let mut per_category = vec![Decimal::ZERO; b.categories.len()];
    // The most the deductions of each category take, and of those outside any (None: no limit).
    let mut taken_in = vec![Some(Decimal::ZERO); b.categories.len()];
    let mut taken = Some(Decimal::ZERO);
    let mut high = base;
    let mut bonus = Decimal::ZERO;
    for i in &b.items {
        match (i.kind, declared(&i.category)) {
            (ItemKind::Bonus, _) => bonus = bonus.saturating_add(i.max),
            (ItemKind::Deduction, Some(c)) => {
                taken_in[c] = taken_in[c]
                    .zip(i.deduct_cap)
                    .map(|(a, x)| a.saturating_add(x))
            }
            (ItemKind::Deduction, None) => {
                taken = taken.zip(i.deduct_cap).map(|(a, x)| a.saturating_add(x))
            }
            (_, Some(c)) => per_category[c] = per_category[c].saturating_add(i.max),
            _ => high = high.saturating_add(i.max),
        }
    }
    for ((category, inside), most) in b.categories.iter().zip(per_category).zip(taken_in) {
        high = high.saturating_add(inside.min(category.max));
        let most = match (most, &category.deduct_cap) {
            (Some(m), Some(l)) => Some(m.min(*l)),
            (m, l) => m.or(*l),
        };
        taken = taken.zip(most).map(|(a, x)| a.saturating_add(x));
    }
    for i in &b.cohort_items {
        high = high.saturating_add(i.max);
        // Points taken for places fallen (名次进退) lower the least total.
        match &i.method {
            crate::model::CohortMethod::RankChange { down, .. } => {
                let most = down.iter().map(|(_, p)| *p).max().unwrap_or_default();
                taken = taken.map(|t| t.saturating_add(most));
            }
            // Points taken for sub-units' places: as far as `cap`, else without a floor.
            crate::model::CohortMethod::Rollup {
                rule: crate::model::SubRule::Places { each, cap, .. },
                ..
            } if each.is_sign_negative() => {
                taken = taken.zip(*cap).map(|(t, c)| t.saturating_add(c));
            }
            _ => {}
        }
    }
    if let Some(cap) = b.header.as_ref().and_then(|h| h.bonus_max) {
        bonus = bonus.min(cap);
    }
    (
        taken.map(|t| base.saturating_sub(t).min(base)),
        high.saturating_add(bonus),
    )
}

/// A category's items at full marks against its cap (R0409); the categories' caps against the
/// rule set's `max` (R0410); and, when no category explains it, the items against `max`
/// (R0412). Items exceeding `max` are R0407, found before.
pub(super) fn check_sections(b: &mut Builder) {
    let Some(max) = b.header.as_ref().map(|h| h.max) else {
        return;
    };
    let fmt = |d: Decimal| d.normalize().to_string();
    let mut short = false;
    for (k, Category { name, max: cap, .. }) in b.categories.clone().iter().enumerate() {
        let inside = b
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::Indicator && i.category.as_deref() == Some(name))
            .map(|i| i.max)
            .chain(
                b.cohort_items
                    .iter()
                    .filter(|i| i.category.as_deref() == Some(name))
                    .map(|i| i.max),
            )
            .fold(Decimal::ZERO, Decimal::saturating_add);
        if inside < *cap {
            short = true;
            let pos = b.category_pos.get(k).copied().unwrap_or(b.ruleset_pos);
            let m = rules::category_unreachable(name, &fmt(*cap), &fmt(inside));
            b.error_at(pos, Token::Text(name), m);
        }
    }
    // With items for some units only (`only`), sections of different units stand side by
    // side: their caps are not one scale.
    let some_only =
        b.items.iter().any(|i| i.only.is_some()) || b.cohort_items.iter().any(|i| i.only.is_some());
    let declared = |c: &Option<crate::model::Name>| {
        c.as_ref()
            .is_some_and(|c| b.categories.iter().any(|k| *k.name == **c))
    };
    // A rule set that leaves `max` out is on the default scale of 100: only a written scale
    // is held against its sections and items.
    if !some_only && !b.categories.is_empty() && b.max_written {
        let outside = b
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::Indicator && !declared(&i.category))
            .map(|i| i.max)
            .chain(
                b.cohort_items
                    .iter()
                    .filter(|i| !declared(&i.category))
                    .map(|i| i.max),
            )
            .fold(Decimal::ZERO, Decimal::saturating_add);
        let start = b.header.as_ref().map_or(Decimal::ZERO, |h| h.base);
        let stated = b
            .categories
            .iter()
            .fold(outside.saturating_add(start), |a, k| {
                a.saturating_add(k.max)
            });
        if stated != max {
            let m = rules::sections_vs_max(&fmt(stated), &fmt(max));
            b.error_at(b.ruleset_pos, Token::Key("max"), m);
            short = true;
        }
    }
    let bonus: Decimal = b
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Bonus)
        .fold(Decimal::ZERO, |a, i| a.saturating_add(i.max));
    let bonus = match b.header.as_ref().and_then(|h| h.bonus_max) {
        Some(cap) => bonus.min(cap),
        None => bonus,
    };
    let base = total_range(b).1.saturating_sub(bonus);
    if !short && b.max_written && base < max {
        let m = rules::under_max(&fmt(base), &fmt(max));
        b.error_at(b.ruleset_pos, Token::Key("max"), m);
    }
}

/// One grade band as an interval: each end a limit and whether it is included.
#[derive(Clone, Copy)]
struct Interval {
    lo: Option<(Decimal, bool)>,
    hi: Option<(Decimal, bool)>,
}

impl Interval {
    fn of(band: &Band) -> Self {
        let mut i = Self { lo: None, hi: None };
        for b in &band.bounds {
            let (lo, hi) = match *b {
                Bound::AtLeast(x) => (Some((x, true)), None),
                Bound::Above(x) => (Some((x, false)), None),
                Bound::AtMost(x) => (None, Some((x, true))),
                Bound::Below(x) => (None, Some((x, false))),
                Bound::Equals(x) => (Some((x, true)), Some((x, true))),
            };
            // Every bound must hold: the tighter end wins.
            if let Some(l) = lo {
                i.lo = Some(match i.lo {
                    Some(o) if o.0 > l.0 || (o.0 == l.0 && !o.1) => o,
                    _ => l,
                });
            }
            if let Some(h) = hi {
                i.hi = Some(match i.hi {
                    Some(o) if o.0 < h.0 || (o.0 == h.0 && !o.1) => o,
                    _ => h,
                });
            }
        }
        i
    }

    fn holds(self, v: Decimal) -> bool {
        self.lo.is_none_or(|(x, incl)| v > x || (incl && v == x))
            && self.hi.is_none_or(|(x, incl)| v < x || (incl && v == x))
    }
}

/// Grade bands that overlap, or leave a gap, over the reachable totals (R0504, R0505). Only
/// totals written with the rule set's decimals are looked at: with 2 decimals, `at_most:
/// 79.99` followed by `at_least: 80` leaves no published total without a grade.
pub(super) fn check_bands(b: &mut Builder) {
    if b.bands.is_empty() {
        return;
    }
    let decimals = b.header.as_ref().map_or(2, |h| h.decimals);
    let step = Decimal::new(1, decimals);
    let (low, high) = total_range(b);
    // Without a lowest total, the lowest band must be open downwards: look from below the
    // lowest limit written.
    let unbounded = low.is_none();
    let low = low.unwrap_or_else(|| {
        let lowest = b
            .bands
            .iter()
            .flat_map(|band| band.bounds.iter().map(|x| x.limit()))
            .min()
            .unwrap_or(Decimal::ZERO)
            .min(Decimal::ZERO);
        lowest.saturating_sub(Decimal::ONE_HUNDRED)
    });
    let grid_down = |x: Decimal| {
        x.round_dp_with_strategy(decimals, rust_decimal::RoundingStrategy::ToNegativeInfinity)
    };
    let grid_up = |x: Decimal| {
        x.round_dp_with_strategy(decimals, rust_decimal::RoundingStrategy::ToPositiveInfinity)
    };
    let intervals: Vec<Interval> = b.bands.iter().map(Interval::of).collect();
    // The status of the published totals changes only next to a limit: these points stand
    // for every run of totals between them.
    let mut limits: Vec<Decimal> = intervals
        .iter()
        .flat_map(|i| [i.lo.map(|l| l.0), i.hi.map(|h| h.0)])
        .flatten()
        .collect();
    limits.sort();
    limits.dedup();
    let (first, last) = (grid_up(low), grid_down(high));
    let mut points = vec![first, last];
    for x in &limits {
        for g in [grid_down(*x), grid_up(*x)] {
            points.extend([g.saturating_sub(step), g, g.saturating_add(step)]);
        }
    }
    points.retain(|p| *p >= first && *p <= last);
    points.sort();
    points.dedup();
    let fmt = |d: Decimal| d.normalize().to_string();
    let range = (
        if unbounded {
            "-∞".to_string()
        } else {
            fmt(low)
        },
        fmt(high),
    );
    let pos = b.grades_pos;
    // Overlaps: a later band with an upper bound of its own that reaches into an earlier one
    // (a later band open upwards is the usual ladder, `at_least: 80` after `at_least: 90`).
    let mut reported = std::collections::HashSet::new();
    for p in &points {
        let holding: Vec<usize> = (0..intervals.len())
            .filter(|k| intervals[*k].holds(*p))
            .collect();
        for &later in holding.iter().skip(1) {
            let earlier = holding[0];
            if intervals[later].hi.is_none() || !reported.insert(later) {
                continue;
            }
            let (first_name, second) = (b.bands[earlier].name.clone(), b.bands[later].name.clone());
            let m = rules::bands_overlap(&fmt(*p), &first_name, &second);
            b.error_at(pos, Token::Text(&second), m);
        }
    }
    // Gaps: runs of published totals no band holds.
    let covered = |p: Decimal| intervals.iter().any(|i| i.holds(p));
    let mut k = 0;
    while k < points.len() {
        if covered(points[k]) {
            k += 1;
            continue;
        }
        let start = points[k];
        let mut end = start;
        while k < points.len() && !covered(points[k]) {
            end = points[k];
            k += 1;
        }
        // The gap's edges: the nearest limits at or beyond its first and last totals.
        let from = (start != first)
            .then(|| limits.iter().rev().find(|x| **x <= start))
            .flatten()
            .map(|x| (fmt(*x), *x == start));
        let to = (end != last)
            .then(|| limits.iter().find(|x| **x >= end))
            .flatten()
            .map(|x| (fmt(*x), *x == end));
        let lo_edge = from.as_ref().map_or(low, |_| {
            limits
                .iter()
                .rev()
                .find(|x| **x <= start)
                .copied()
                .unwrap_or(start)
        });
        let hi_edge = to.as_ref().map_or(high, |_| {
            limits.iter().find(|x| **x >= end).copied().unwrap_or(end)
        });
        let mid = grid_down((lo_edge + hi_edge) / Decimal::TWO).clamp(start, end);
        let example = format!("{mid:.0$}", decimals as usize);
        let m = rules::bands_gap(&Gap {
            from: from.as_ref().map(|(s, i)| (s.as_str(), *i)),
            to: to.as_ref().map(|(s, i)| (s.as_str(), *i)),
            example: &example,
            range: (&range.0, &range.1),
        });
        // At the band just above the gap, or the lowest band when the gap is at the top.
        let above = to
            .as_ref()
            .and_then(|_| (0..intervals.len()).find(|i| intervals[*i].holds(grid_up(end + step))))
            .or_else(|| {
                (0..intervals.len())
                    .rev()
                    .find(|i| intervals[*i].holds(start - step))
            });
        match above {
            Some(i) => {
                let name = b.bands[i].name.clone();
                b.error_at(pos, Token::Text(&name), m);
            }
            None => b.error(pos, m),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::compile::Rules;

    fn codes(grades: &str) -> Vec<String> {
        let src = format!(
            r#"ruleset(#{{ id: "t", title: "t", max: 100 }});
field("code", #{{ label: "编码", type: "text" }});
field("x", #{{ label: "x", type: "int", if_blank: 0 }});
unit(#{{ id: "code" }});
indicator("a", #{{ label: "a", max: 100, deduct: #{{ count: "x", each: 1 }} }});
grades({grades});"#
        );
        match Rules::compile("t.rhai", &src) {
            Ok(_) => Vec::new(),
            Err(e) => e.0.iter().map(|e| e.code.to_string()).collect(),
        }
    }

    #[test]
    fn bands_that_meet_within_one_published_step_are_whole() {
        assert!(
            codes(r#"[#{ name: "A", at_least: 80 }, #{ name: "B", at_most: 79.99 }]"#).is_empty()
        );
        assert!(codes(r#"[#{ name: "A", at_least: 80 }, #{ name: "B", below: 80 }]"#).is_empty());
        // The ladder: the first band that holds wins.
        assert!(codes(r#"[#{ name: "A", at_least: 80 }, #{ name: "B", at_least: 0 }]"#).is_empty());
        assert!(codes(r#"[#{ name: "A", at_least: 100 }, #{ name: "B", below: 100 }]"#).is_empty());
    }

    fn section_codes(max: &str, body: &str) -> Vec<String> {
        let src = format!(
            r#"ruleset(#{{ id: "t", title: "t"{max} }});
field("code", #{{ label: "编码", type: "text" }});
field("x", #{{ label: "x", type: "int", if_blank: 0 }});
field("a", #{{ label: "a", type: "bool", if_blank: false }});
field("b", #{{ label: "b", type: "bool", if_blank: false }});
unit(#{{ id: "code" }});
{body}
grades([#{{ name: "A", at_least: 60 }}, #{{ name: "B", below: 60 }}]);"#
        );
        match Rules::compile("t.rhai", &src) {
            Ok(_) => Vec::new(),
            Err(e) => e.0.iter().map(|e| e.code.to_string()).collect(),
        }
    }

    #[test]
    fn sections_that_fit_their_items_pass() {
        // A cap that binds (items above it) is what a cap is for.
        let capped = r#"category("c", 60); indicator("i", #{ label: "i", category: "c", max: 70, deduct: #{ count: "x", each: 1 } });
            indicator("j", #{ label: "j", max: 40, deduct: #{ count: "x", each: 1 } });"#;
        assert_eq!(section_codes(", max: 100", capped), Vec::<String>::new());
        // Listed deductions beyond the item, as the rubric says: 扣完为止.
        let said = r#"indicator("i", #{ label: "i", max: 100, text: "每项扣60分，扣完为止",
            deduct: [#{ count: "a", each: 60 }, #{ count: "b", each: 60 }] });"#;
        assert_eq!(section_codes(", max: 100", said), Vec::<String>::new());
        // Counts can always exceed: that is the shape.
        let counted =
            r#"indicator("i", #{ label: "i", max: 100, deduct: #{ count: "x", each: 5 } });"#;
        assert_eq!(section_codes(", max: 100", counted), Vec::<String>::new());
        // The default scale is not held against the items.
        let small = r#"indicator("i", #{ label: "i", max: 5, deduct: #{ count: "x", each: 1 } });"#;
        assert_eq!(section_codes("", small), Vec::<String>::new());
        assert_eq!(section_codes(", max: 100", small), ["R0412"]);
    }

    #[test]
    fn gaps_and_overlaps_are_found() {
        assert_eq!(
            codes(r#"[#{ name: "A", at_least: 80 }, #{ name: "B", at_most: 79.9 }]"#),
            ["R0505"]
        );
        assert_eq!(
            codes(r#"[#{ name: "A", above: 80 }, #{ name: "B", below: 80 }]"#),
            ["R0505"]
        );
        assert_eq!(
            codes(r#"[#{ name: "A", at_least: 80 }, #{ name: "B", at_most: 80 }]"#),
            ["R0504"]
        );
        assert_eq!(
            codes(r#"[#{ name: "A", at_least: 80, below: 95 }, #{ name: "B", below: 80 }]"#),
            ["R0505"]
        );
    }
}
