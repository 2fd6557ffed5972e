//! Cohort indicators (组内比较指标): points a unit earns against the other units of its cohort
//! — by rank (名次赋分), for the top few, against the cohort's average or in proportion to the
//! best — added to its base and total, with the reason in words when explaining. Needs every
//! unit of the cohort at once: in memory only.

use super::{total, Held, Standing};
use crate::compile::Rules;
use crate::error::EvalError;
use crate::eval::{Ctx, Measured};
use crate::explain::Items;
use crate::figures::{fmt, relative, round, sum};
use crate::model::*;
use crate::result::*;
use rust_decimal::Decimal;

use super::rank::Ranker;

/// A unit's value for a cohort comparison.
enum Compared {
    Value(Decimal),
    Blank,
    /// A ratio with no base: counts as met, as for an indicator.
    NoBase,
}

/// Scores every cohort indicator for the units `idx` of one cohort, and their totals again.
pub(super) fn cohort_points(
    rules: &Rules,
    held: &mut Held,
    rows: &mut [Standing],
    idx: &[usize],
    errors: &mut Vec<EvalError>,
) {
    let set = &rules.set;
    if set.cohort_items.is_empty() {
        return;
    }
    let (links, kept) = (held.links, &mut *held.kept);
    for (ck, ci) in set.cohort_items.iter().enumerate() {
        // By the change of place: once every other item is in the totals (below); by the
        // sub-units' places: before (`rollup.rs`).
        if matches!(
            ci.method,
            CohortMethod::RankChange { .. } | CohortMethod::Rollup { .. }
        ) {
            continue;
        }
        let mut values: Vec<(usize, Compared, Vec<DataUse>)> = Vec::new();
        for &i in idx {
            let explain = kept[i].scored.explained.is_some();
            let unit = kept[i].unit;
            let mut cx = Ctx::new(rules, unit, links, errors).with_metrics(&kept[i].scored.metrics);
            if let Some(only) = &ci.only {
                if cx.test(only, &ci.id, ci.pos) != Some(true) {
                    continue;
                }
            }
            let compared = match cx.measure(&ci.measure, &ci.id, ci.pos) {
                Some(Measured::Value(v)) => Compared::Value(v),
                Some(Measured::Fraction(n, d)) => Compared::Value(crate::figures::ratio(n, d)),
                Some(Measured::Blank) => Compared::Blank,
                Some(Measured::NoBase) => Compared::NoBase,
                None => continue,
            };
            let data = if explain {
                cx.measure_data(&ci.measure)
            } else {
                Vec::new()
            };
            values.push((i, compared, data));
        }
        let present: Vec<Decimal> = values
            .iter()
            .filter_map(|v| match v.1 {
                Compared::Value(x) => Some(x),
                _ => None,
            })
            .collect();
        let ranker = Ranker::new(
            present.iter().copied(),
            ci.ascending,
            TiePolicy::Competition,
        );
        let best = ranker.best().unwrap_or_default();
        let avg = if present.is_empty() {
            Decimal::ZERO
        } else {
            sum(present.iter()) / Decimal::from(present.len())
        };
        let max = ci.max;
        for (i, v, data) in values {
            let (points, rank) = match v {
                Compared::Blank => (Decimal::ZERO, 0),
                Compared::NoBase => (max, 0),
                Compared::Value(v) => {
                    let rank = ranker.place(v) as usize;
                    let points = match &ci.method {
                        CohortMethod::RankPoints(table) => table
                            .get(rank - 1)
                            .copied()
                            .unwrap_or(Decimal::ZERO)
                            .min(max),
                        CohortMethod::Top(n) if rank <= *n => max,
                        CohortMethod::Top(_) => Decimal::ZERO,
                        CohortMethod::VsAverage => {
                            round(max * relative(v, avg, ci.ascending), set.decimals)
                        }
                        CohortMethod::ProportionalToBest => {
                            round(max * relative(v, best, ci.ascending), set.decimals)
                        }
                        CohortMethod::RankChange { .. } | CohortMethod::Rollup { .. } => {
                            Decimal::ZERO
                        }
                    };
                    (points, rank)
                }
            };
            let row = &mut kept[i];
            row.scored.base = row.scored.base.saturating_add(points);
            if let Some(slot) = row.scored.points.get_mut(set.items.len() + ck) {
                *slot = Some(points);
            }
            let Some(e) = row.scored.explained.as_mut() else {
                continue;
            };
            let p = fmt(points);
            let detail = match v {
                Compared::Blank => "无数据，不参与比较，不得分".to_string(),
                Compared::NoBase => "分母为 0，视为达标，按满分计".to_string(),
                Compared::Value(v) => {
                    let shown = fmt(round(v, 4));
                    match &ci.method {
                        CohortMethod::RankPoints(_) => {
                            format!("{shown}，组内第 {rank} 名，得 {p} 分")
                        }
                        CohortMethod::Top(n) if rank <= *n => {
                            format!("{shown}，组内第 {rank} 名，进入前 {n} 名，得满分")
                        }
                        CohortMethod::Top(n) => {
                            format!("{shown}，组内第 {rank} 名，未进入前 {n} 名，不得分")
                        }
                        CohortMethod::VsAverage => {
                            let avg = fmt(round(avg, 4));
                            format!("{shown}，组内平均 {avg}，得 {p} 分")
                        }
                        CohortMethod::ProportionalToBest => {
                            let b = fmt(round(best, 4));
                            format!("{shown}，组内最优 {b}，按比例得 {p} 分")
                        }
                        CohortMethod::RankChange { .. } | CohortMethod::Rollup { .. } => {
                            String::new()
                        }
                    }
                }
            };
            result(&mut e.items, set, ck, points, detail, data);
        }
    }
    for &i in idx {
        rows[i].total = total(&kept[i].scored);
    }
    for (ck, ci) in set.cohort_items.iter().enumerate() {
        if let CohortMethod::RankChange { down, up } = &ci.method {
            rank_change(rules, held, rows, (idx, ck, ci), (down, up), errors);
        }
    }
}

/// A cohort item's result with its one reason, added to the unit's items.
pub(super) fn result(
    items: &mut Items,
    set: &RuleSet,
    ck: usize,
    points: Decimal,
    detail: String,
    data: Vec<DataUse>,
) {
    let points = points.normalize();
    let reason = Reason {
        detail,
        points,
        data,
    };
    items.push(set.items.len() + ck, points, vec![reason]);
}

/// Places moved at least, and the points that takes or gives (名次进退的一档).
type Moved = (u32, Decimal);

/// Points by the change of place since the previous period (名次进退): each unit placed by its
/// total so far (本项计入前), against its place then; a unit the previous period did not rank
/// gets none, and says so.
fn rank_change(
    rules: &Rules,
    held: &mut Held,
    rows: &mut [Standing],
    (idx, ck, ci): (&[usize], usize, &CohortItem),
    (down, up): (&[Moved], &[Moved]),
    errors: &mut Vec<EvalError>,
) {
    let set = &rules.set;
    super::rank::rank(rows, idx, &set.veto_policy, set.ties);
    let previous = held.previous;
    for &i in idx {
        if let Some(only) = &ci.only {
            let kept = &held.kept[i];
            let mut cx =
                Ctx::new(rules, kept.unit, held.links, errors).with_metrics(&kept.scored.metrics);
            if cx.test(only, &ci.id, ci.pos) != Some(true) {
                continue;
            }
        }
        let row = &mut held.kept[i];
        let id = row.unit.values[set.id_field].display();
        let now = rows[i].rank;
        let then = previous.and_then(|p| p.ranks.get(&id).copied());
        let change = now.zip(then).map(|(n, t)| i64::from(t) - i64::from(n));
        let (points, detail) = match (now, then, change) {
            (_, None, _) if previous.is_none() => {
                (Decimal::ZERO, "未提供上期结果，不计名次进退".to_string())
            }
            (_, None, _) => (
                Decimal::ZERO,
                "上期无此单位的名次，不计名次进退".to_string(),
            ),
            (None, Some(_), _) | (_, _, None) => {
                (Decimal::ZERO, "本期不参与排名，不计名次进退".to_string())
            }
            (Some(n), Some(t), Some(c)) => {
                let fell = down.iter().find(|(k, _)| c <= -i64::from(*k));
                let rose = up.iter().find(|(k, _)| c >= i64::from(*k));
                let moved = match c {
                    c if c > 0 => format!("进步 {c} 位"),
                    c if c < 0 => format!("后退 {} 位", -c),
                    _ => "名次不变".to_string(),
                };
                let head = format!("本项计入前第 {n} 名，上期第 {t} 名，{moved}");
                match (fell, rose) {
                    (Some((k, p)), _) => {
                        (-*p, format!("{head}，后退 {k} 位以上，扣 {} 分", fmt(*p)))
                    }
                    (_, Some((k, p))) => {
                        (*p, format!("{head}，进步 {k} 位以上，加 {} 分", fmt(*p)))
                    }
                    _ => (Decimal::ZERO, format!("{head}，不加不扣")),
                }
            }
        };
        row.scored.base = row.scored.base.saturating_add(points);
        if let Some(slot) = row.scored.points.get_mut(set.items.len() + ck) {
            *slot = Some(points);
        }
        if let Some(e) = row.scored.explained.as_mut() {
            result(&mut e.items, set, ck, points, detail, Vec::new());
        }
        rows[i].total = total(&row.scored);
    }
}
