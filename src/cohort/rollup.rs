//! Sub-units' places rolled up to their parent (下级单位排名计入上级): "所辖乡镇在市专项督查中
//! 排名末两位的，每个扣0.5分". Parents and sub-units are units of one run in different cohorts (a
//! level field as the cohort); a sub-unit names its parent in a field (`over`). A cohort whose
//! units have sub-units elsewhere is placed after the cohorts of those sub-units, so their places
//! are final when the parent's points are counted. In memory only.

use super::{Held, Standing};
use crate::compile::Rules;
use crate::error::EvalError;
use crate::eval::Ctx;
use crate::figures::{fmt, ratio, round, sum};
use crate::model::*;
use crate::result::*;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Each roll-up item's sub-units by their parent's id: item index → parent id → rows.
pub(super) struct SubUnits {
    by_item: Vec<Option<HashMap<String, Vec<usize>>>>,
}

impl SubUnits {
    /// Finds every unit's sub-units for each roll-up item of the rule set.
    pub(super) fn new(set: &RuleSet, held: Option<&Held>) -> Self {
        let by_item = set
            .cohort_items
            .iter()
            .map(|ci| {
                let CohortMethod::Rollup { over, .. } = ci.method else {
                    return None;
                };
                let mut map: HashMap<String, Vec<usize>> = HashMap::new();
                for (i, k) in held?.kept.iter().enumerate() {
                    let parent = k.unit.values[over].display();
                    if !parent.trim().is_empty() {
                        map.entry(parent.trim().to_string()).or_default().push(i);
                    }
                }
                Some(map)
            })
            .collect();
        Self { by_item }
    }

    /// The order to place cohorts in: a cohort after those its units' sub-units are in (as far
    /// as a cycle allows), else as they first appear.
    pub(super) fn order(
        &self,
        set: &RuleSet,
        held: Option<&Held>,
        rows: &[Standing],
        members: &[Vec<usize>],
    ) -> Vec<usize> {
        let n = members.len();
        let Some(held) = held.filter(|_| self.by_item.iter().any(Option::is_some)) else {
            return (0..n).collect();
        };
        // The cohorts each cohort's units have sub-units in (other than itself).
        let mut needs: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (c, idx) in members.iter().enumerate() {
            for &p in idx {
                let id = held.kept[p].unit.values[set.id_field].display();
                for map in self.by_item.iter().flatten() {
                    for &j in map.get(id.trim()).into_iter().flatten() {
                        let d = rows[j].cohort();
                        if d != c && !needs[c].contains(&d) {
                            needs[c].push(d);
                        }
                    }
                }
            }
        }
        let mut done = vec![false; n];
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let next = (0..n)
                .find(|c| !done[*c] && needs[*c].iter().all(|d| done[*d]))
                .or_else(|| (0..n).find(|c| !done[*c]));
            let Some(c) = next else { break };
            done[c] = true;
            out.push(c);
        }
        out
    }
}

/// Scores every roll-up item for the units `idx` of one cohort (before its ranking): each
/// sub-unit's place in its own, already placed, cohort, or its total.
pub(super) fn rollup_points(
    rules: &Rules,
    held: &mut Held,
    rows: &[Standing],
    (idx, members, placed): (&[usize], &[Vec<usize>], &[bool]),
    subs: &SubUnits,
    errors: &mut Vec<EvalError>,
) {
    let set = &rules.set;
    for (ck, ci) in set.cohort_items.iter().enumerate() {
        let CohortMethod::Rollup { rule, .. } = ci.method else {
            continue;
        };
        let Some(Some(map)) = subs.by_item.get(ck) else {
            continue;
        };
        // The worst rank numbers of each sub-units' cohort, found once per cohort.
        let mut worst_of: HashMap<usize, Vec<u32>> = HashMap::new();
        for &i in idx {
            if let Some(only) = &ci.only {
                let kept = &held.kept[i];
                let mut cx = Ctx::new(rules, kept.unit, held.links, errors)
                    .with_metrics(&kept.scored.metrics);
                if cx.test(only, &ci.id, ci.pos) != Some(true) {
                    continue;
                }
            }
            let id = held.kept[i].unit.values[set.id_field].display();
            let own = rows[i].cohort();
            let mut counted = Vec::new();
            let mut seen = Vec::new();
            let mut data = Vec::new();
            for &j in map.get(id.trim()).into_iter().flatten() {
                let c = rows[j].cohort();
                let name = unit_name(set, held.kept[j].unit);
                let (hit, words) = if c == own {
                    (false, "与本单位同组，不计".to_string())
                } else if !placed.get(c).copied().unwrap_or(false) {
                    (false, "名次未定，不计".to_string())
                } else {
                    match (rule, rows[j].rank) {
                        (SubRule::Totals { .. }, _) => {
                            (true, format!("总分 {}", fmt(rows[j].total)))
                        }
                        (SubRule::Places { .. }, None) => (false, "不参与排名".to_string()),
                        (SubRule::Places { place, .. }, Some(r)) => {
                            let size = members.get(c).map_or(0, Vec::len);
                            let hit = match place {
                                SubPlace::TopRanks(n) => r <= n,
                                SubPlace::BottomRanks(n) => worst_of
                                    .entry(c)
                                    .or_insert_with(|| worst(rows, &members[c], n))
                                    .contains(&r),
                            };
                            let mark = match (hit, place) {
                                (true, SubPlace::BottomRanks(n)) => format!("，末 {n} 位"),
                                (true, SubPlace::TopRanks(n)) => format!("，前 {n} 名"),
                                _ => String::new(),
                            };
                            (hit, format!("第 {r} 名（共 {size} 个单位{mark}）"))
                        }
                    }
                };
                if hit {
                    counted.push(rows[j].total);
                }
                seen.push(format!("{name} {words}"));
                data.push(DataUse {
                    field: held.kept[j].unit.values[set.id_field].display().into(),
                    label: name.into(),
                    value: words,
                });
            }
            let (points, said) = worded(rule, &counted, ci.max, set.decimals);
            let row = &mut held.kept[i];
            row.scored.base = row.scored.base.saturating_add(points);
            if let Some(slot) = row.scored.points.get_mut(set.items.len() + ck) {
                *slot = Some(points);
            }
            let Some(e) = row.scored.explained.as_mut() else {
                continue;
            };
            let detail = if seen.is_empty() {
                "没有所辖单位，不加不扣".to_string()
            } else {
                format!("所辖单位 {} 个：{}；{said}", seen.len(), seen.join("、"))
            };
            super::points::result(&mut e.items, set, ck, points, detail, data);
        }
    }
}

/// The points of a roll-up from its counted sub-units (their totals), and how, in words.
fn worded(rule: SubRule, counted: &[Decimal], max: Decimal, decimals: u32) -> (Decimal, String) {
    let signed = |p: Decimal| match p.cmp(&Decimal::ZERO) {
        std::cmp::Ordering::Less => format!("扣 {} 分", fmt(-p)),
        std::cmp::Ordering::Greater => format!("加 {} 分", fmt(p)),
        std::cmp::Ordering::Equal => "不加不扣".to_string(),
    };
    match rule {
        SubRule::Places { place, each, cap } => {
            let n = counted.len();
            let raw = each.saturating_mul(Decimal::from(n));
            let points = if each < Decimal::ZERO {
                cap.map_or(raw, |c| raw.max(-c))
            } else {
                raw.min(max)
            };
            let which = match place {
                SubPlace::BottomRanks(k) => format!("排名末 {k} 位"),
                SubPlace::TopRanks(k) => format!("进入前 {k} 名"),
            };
            let per = if each < Decimal::ZERO {
                format!("每个扣 {} 分", fmt(-each))
            } else {
                format!("每个加 {} 分", fmt(each))
            };
            let limited = if points == raw {
                String::new()
            } else {
                format!("（合计 {}，按上限计）", fmt(raw.abs()))
            };
            (
                points,
                format!("{n} 个{which}，{per}，{}{limited}", signed(points)),
            )
        }
        SubRule::Totals { .. } if counted.is_empty() => {
            (Decimal::ZERO, "没有可计的所辖单位，不加不扣".to_string())
        }
        SubRule::Totals { mean, scale } => {
            let total = sum(counted.iter());
            let (what, value) = if mean {
                let n = Decimal::from(counted.len());
                ("平均", round(ratio(total, n), decimals))
            } else {
                ("合计", total)
            };
            let raw = round(value.saturating_mul(scale), decimals);
            let points = raw.min(max);
            let limited = if points == raw {
                String::new()
            } else {
                format!("，超过上限按 {} 分计", fmt(max))
            };
            (
                points,
                format!(
                    "总分{what} {} × {} = {}{limited}，{}",
                    fmt(value),
                    fmt(scale),
                    fmt(raw),
                    signed(points)
                ),
            )
        }
    }
}

/// A unit as a reason names it: its name, else its id.
fn unit_name(set: &RuleSet, unit: &crate::data::Unit) -> String {
    set.name_field
        .map(|f| unit.values[f].display())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| unit.values[set.id_field].display())
}

/// The `n` worst rank numbers of a placed cohort (后N名, ties included).
fn worst(rows: &[Standing], idx: &[usize], n: u32) -> Vec<u32> {
    let mut ranks: Vec<u32> = idx.iter().filter_map(|i| rows[*i].rank).collect();
    ranks.sort_unstable_by(|a, b| b.cmp(a));
    ranks.dedup();
    ranks.truncate(n as usize);
    ranks
}
