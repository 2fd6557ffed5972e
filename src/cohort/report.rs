//! Results (结果): each placed unit's batch result ([`UnitScore`]) or report row
//! ([`UnitResult`]: points, explanation, remarks (备注), metrics, state, consequences, the
//! previous period) and, for a report, each cohort's statistics and the roll-ups (汇总).

use super::grades::{note_text, remarks, GradeNote};
use super::{Kept, Run, Standing};
use crate::batch::UnitScore;
use crate::compile::Rules;
use crate::data::Unit;
use crate::error::EvalErrors;
use crate::eval::Scored;
use crate::explain::{item_info, ItemInfo, Items};
use crate::figures::{display_total, round, round_points, sum};
use crate::model::*;
use crate::previous::{Previous, Since};
use crate::result::*;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::Arc;

/// A unit's batch result, from its points (moved, not copied), standing, grade notes and
/// consequences: the same for a run in memory and a streamed one.
pub(super) fn unit_score<'n>(
    set: &RuleSet,
    scored: Scored,
    standing: &Standing,
    notes: impl Iterator<Item = &'n GradeNote>,
    consequences: Vec<usize>,
) -> UnitScore {
    UnitScore {
        remarks: remarks(set, &scored.vetoes, standing, notes),
        total: standing.total,
        base: scored.base,
        bonus: scored.bonus,
        vetoes: scored.vetoes,
        rank: standing.rank,
        grade: standing.grade,
        items: scored.points,
        consequences,
    }
}

/// The order a report lists units in: by cohort, then rank (unranked last), then input order.
pub(crate) fn listing_key(r: &Standing, i: usize) -> (usize, u32, usize) {
    (r.cohort(), r.rank.unwrap_or(u32::MAX), i)
}

impl Rules {
    /// Scores every unit, then ranks, grades, carries state and applies consequences per
    /// cohort, explaining every point. Every rule failure is reported; any failure means
    /// no report.
    pub fn assess(
        &self,
        units: &[Unit],
        previous: Option<&Previous>,
    ) -> Result<Report, EvalErrors> {
        self.report(units, previous, true)
    }

    /// The same report as [`Rules::assess`] without the words: each item with its points and
    /// no reasons (`not_applicable` is not known and false), vetoes with their labels and
    /// reasons but not the data they read, no cap notes. What a table or CSV prints is the
    /// same either way, for a fraction of the time and memory.
    pub fn assess_unexplained(
        &self,
        units: &[Unit],
        previous: Option<&Previous>,
    ) -> Result<Report, EvalErrors> {
        self.report(units, previous, false)
    }

    fn report(
        &self,
        units: &[Unit],
        previous: Option<&Previous>,
        explain: bool,
    ) -> Result<Report, EvalErrors> {
        let set = &self.set;
        let Run { table, mut kept } = self.run(units, previous, explain, false)?;
        let rows = &table.rows;
        let cohorts = cohort_stats(set, &table);
        let rollups = rollups(set, rows, &kept);
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&i| listing_key(&rows[i], i));
        let names = &table.cohorts.names;
        let info = item_info(set);
        let mut units: Vec<UnitResult> = order
            .into_iter()
            .map(|i| {
                let r = &rows[i];
                let cohort = &names[r.cohort()];
                let mut u = unit_result(
                    set,
                    &info,
                    &mut kept[i],
                    r,
                    table.notes(i),
                    cohort,
                    previous,
                );
                u.input = i;
                u
            })
            .collect();
        crate::survey::annotate(set, &mut units);
        Ok(Report {
            schema: SCHEMA,
            schema_version: SCHEMA_VERSION,
            provenance: None,
            rule_set: RuleSetInfo {
                id: set.id.clone(),
                title: set.title.clone(),
                source: set.source.clone(),
                max: set.max.normalize(),
                bonus_max: set.bonus_max.map(|d| d.normalize()),
                base: (!set.base.is_zero()).then(|| set.base.normalize()),
                decimals: set.decimals,
                publication: set.publication.clone(),
            },
            units,
            cohorts,
            rollups,
            data_errors: Vec::new(),
        })
    }
}

fn change(previous: Option<u32>, now: Option<u32>) -> Option<i64> {
    match (previous, now) {
        (Some(p), Some(c)) => Some(i64::from(p) - i64::from(c)),
        _ => None,
    }
}

/// Each item the unit is assessed on with its points, without reasons.
fn points_only(info: &Arc<[ItemInfo]>, points: &[Option<Decimal>]) -> Items {
    let mut out = Items::new(info);
    for (k, p) in points.iter().enumerate() {
        if let Some(p) = p {
            out.push(k, p.normalize(), Vec::new());
        }
    }
    out
}

/// A unit's report row; its explanation, if any, is moved out of `k`.
fn unit_result<'n>(
    set: &RuleSet,
    info: &Arc<[ItemInfo]>,
    k: &mut Kept,
    r: &Standing,
    notes: impl Iterator<Item = &'n GradeNote> + Clone,
    cohort: &str,
    previous: Option<&Previous>,
) -> UnitResult {
    let unit = k.unit;
    let id = unit.values[set.id_field].display();
    let mut explained = k.scored.explained.take().map(|e| *e);
    let vetoed = r.vetoed;
    let show = !vetoed || set.veto_policy.show_points;
    let published = show.then(|| round_points(r.total, set.decimals));
    let since = Since::of(previous, &id, r.rank, published);
    let prev_metric = previous.and_then(|p| p.metric_ranks.get(&id));
    let metrics = set
        .metrics
        .iter()
        .enumerate()
        .map(|(m, metric)| {
            let rank = k.metric_ranks.get(m).copied().flatten();
            let previous_rank = prev_metric.and_then(|p| p.get(&*metric.id).copied());
            MetricResult {
                id: metric.id.clone(),
                label: metric.label.clone(),
                value: k.scored.metrics[m],
                display: k.scored.metrics[m].map(|v| display_total(v, metric.decimals)),
                rank,
                previous_rank,
                rank_change: change(previous_rank, rank),
                sample: crate::survey::sample_result(set, unit, m),
            }
        })
        .collect();
    UnitResult {
        input: 0,
        name: set
            .name_field
            .map(|f| unit.values[f].display())
            .unwrap_or_else(|| id.clone()),
        trend: previous.map(|p| p.trend(&id)).unwrap_or_default(),
        id,
        cohort: cohort.to_string(),
        row: unit.row,
        total: show.then_some(r.total),
        total_display: show.then(|| display_total(r.total, set.decimals)),
        base: k.scored.base.normalize(),
        bonus: k.scored.bonus.normalize(),
        grade: r.grade.map(|g| set.bands[g].name.clone()),
        rank: r.rank,
        previous_rank: since.rank,
        rank_change: since.rank_change,
        previous_total: since.total,
        total_change: since.total_change,
        remarks: remarks(set, &k.scored.vetoes, r, notes.clone()),
        vetoed,
        awards_eligible: !vetoed || set.veto_policy.awards,
        vetoes: match explained.as_mut() {
            Some(e) => std::mem::take(&mut e.vetoes),
            None => k
                .scored
                .vetoes
                .iter()
                .map(|v| {
                    let v = &set.vetoes[*v];
                    VetoHit {
                        id: v.id.clone(),
                        label: v.label.clone(),
                        reason: v.reason.clone(),
                        data: Vec::new(),
                    }
                })
                .collect(),
        },
        prerequisites_failed: r
            .prereq_failed
            .iter()
            .map(|p| {
                let p = &set.prerequisites[*p];
                PrerequisiteMiss {
                    id: p.id.clone(),
                    label: p.label.clone(),
                    grades: p.grades.clone(),
                }
            })
            .collect(),
        metrics,
        items: match explained.as_mut() {
            Some(e) => std::mem::take(&mut e.items),
            None => points_only(info, &k.scored.points),
        },
        adjustments: explained
            .map(|e| e.adjustments)
            .unwrap_or_default()
            .into_iter()
            .chain(notes.map(|n| note_text(set, r, n)))
            .collect(),
        state: k.state.clone(),
        consequences: k
            .consequences
            .iter()
            .map(|c| {
                let c = &set.consequences[*c];
                ConsequenceHit {
                    name: c.name.clone(),
                    reason: c.reason.clone(),
                }
            })
            .collect(),
    }
}

/// Group figures (汇总): a county from its townships, a brigade from its stations.
pub(super) fn rollups(set: &RuleSet, rows: &[Standing], kept: &[Kept]) -> Vec<RollupResult> {
    let mut out = Vec::new();
    for rollup in &set.rollups {
        let mut groups: Vec<(String, Vec<Decimal>)> = Vec::new();
        let mut group_of: HashMap<String, usize> = HashMap::new();
        for (r, k) in rows.iter().zip(kept) {
            let unit = k.unit;
            if !rollup.include_vetoed && r.vetoed {
                continue;
            }
            let value = match &rollup.value {
                RollupValue::Total => Some(r.total),
                RollupValue::Metric(m) => k.scored.metrics[*m],
                RollupValue::Field(f) => unit.values[*f].number(),
            };
            let Some(value) = value else { continue };
            let group = rollup
                .by
                .map(|f| unit.values[f].display())
                .unwrap_or_else(|| "全部".to_string());
            match group_of.get(&group) {
                Some(&g) => groups[g].1.push(value),
                None => {
                    group_of.insert(group.clone(), groups.len());
                    groups.push((group, vec![value]));
                }
            }
        }
        for (group, values) in groups {
            let value = match rollup.method {
                RollupMethod::Sum => sum(values.iter()),
                RollupMethod::Mean => round(
                    sum(values.iter()) / Decimal::from(values.len()),
                    set.decimals,
                ),
                RollupMethod::Min => values.iter().copied().min().unwrap_or_default(),
                RollupMethod::Max => values.iter().copied().max().unwrap_or_default(),
            };
            out.push(RollupResult {
                id: rollup.id.clone(),
                label: rollup.label.clone(),
                group,
                value: value.normalize(),
                display: display_total(value, set.decimals),
                units: values.len(),
            });
        }
    }
    out
}

/// Every cohort's statistics, in the order of the cohorts.
pub(super) fn cohort_stats(set: &RuleSet, table: &super::Standings) -> Vec<CohortStats> {
    table
        .cohorts
        .names
        .iter()
        .zip(&table.cohorts.members)
        .map(|(name, idx)| stats(set, &table.rows, idx, name))
        .collect()
}

/// A cohort's statistics (分组统计): units, ranked, vetoed, mean, median, extremes, grades.
fn stats(set: &RuleSet, rows: &[Standing], idx: &[usize], name: &str) -> CohortStats {
    let show = |r: &Standing| !r.vetoed || set.veto_policy.show_points;
    let mut totals: Vec<Decimal> = idx
        .iter()
        .map(|i| &rows[*i])
        .filter(|r| show(r))
        .map(|r| r.total)
        .collect();
    totals.sort();
    let n = totals.len();
    let mean = (n > 0).then(|| round(sum(totals.iter()) / Decimal::from(n), set.decimals));
    let median = match n {
        0 => None,
        _ if n % 2 == 1 => Some(totals[n / 2]),
        _ => Some(round(
            totals[n / 2 - 1].saturating_add(totals[n / 2]) / Decimal::TWO,
            set.decimals,
        )),
    };
    let grades = set
        .bands
        .iter()
        .enumerate()
        .map(|(bi, b)| GradeCount {
            grade: b.name.clone(),
            count: idx.iter().filter(|i| rows[**i].grade == Some(bi)).count(),
        })
        .collect();
    CohortStats {
        name: name.to_string(),
        units: idx.len(),
        ranked: idx.iter().filter(|i| rows[**i].rank.is_some()).count(),
        vetoed: idx.iter().filter(|i| rows[**i].vetoed).count(),
        mean,
        median: median.map(|d| d.normalize()),
        max: totals.last().map(|d| d.normalize()),
        min: totals.first().map(|d| d.normalize()),
        grades,
    }
}
