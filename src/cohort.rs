//! The cohort stage (组内评定), after every unit is scored on its own: cohort indicators,
//! totals, ranks (overall and per metric), grades with quotas, the state carried between
//! periods, consequences, statistics and roll-ups.

use crate::batch::UnitScore;
use crate::compile::Rules;
use crate::data::Unit;
use crate::error::{EvalError, EvalErrors, Merged};
use crate::eval::{item_categories, score_unit, unit_map, Ctx, Links, Measured, Scored};
use crate::figures::{display_total, fmt, relative, round, sum};
use crate::model::*;
use crate::previous::Previous;
use crate::result::*;
use rhai::{Dynamic, Map, Position};
use rust_decimal::Decimal;
use std::collections::HashMap;

pub(crate) struct Row<'a> {
    /// The unit's data.
    pub(crate) unit: &'a Unit,
    pub(crate) scored: Scored,
    /// Index into the run's cohort names.
    pub(crate) cohort: usize,
    pub(crate) total: Decimal,
    pub(crate) rank: Option<u32>,
    /// Index into [`RuleSet::bands`].
    pub(crate) grade: Option<usize>,
    /// Why the grade is below the one the points earn.
    notes: Vec<GradeNote>,
    /// Rank on each metric (None where the metric is not ranked or has no value).
    metric_ranks: Vec<Option<u32>>,
    /// The state after this period.
    state: Option<serde_json::Value>,
    /// The state rule failed for this unit.
    state_failed: bool,
    /// The consequences that apply, by index into [`RuleSet::consequences`].
    pub(crate) consequences: Vec<usize>,
}

/// Why a unit's grade is lower than its points earn; written out only when explaining.
enum GradeNote {
    /// A prerequisite of band `earned` failed: the unit got band `given`.
    Prerequisite { earned: usize, given: usize },
    /// Band `band` was full (`allowed` of `units`): the unit got band `given`.
    Quota {
        band: usize,
        units: usize,
        allowed: usize,
        given: usize,
    },
}

/// What ranking and grading read and write of a unit: a full [`Row`], or the compact
/// [`Standing`] a streamed run keeps.
trait Placed {
    fn total(&self) -> Decimal;
    fn vetoed(&self) -> bool;
    fn prereq_failed(&self) -> &[usize];
    fn rank_mut(&mut self) -> &mut Option<u32>;
    fn grade(&self) -> Option<usize>;
    fn grade_mut(&mut self) -> &mut Option<usize>;
    /// Keeps why the grade is below what the points earn (for the explanation).
    fn note(&mut self, note: GradeNote);
}

impl Placed for Row<'_> {
    fn total(&self) -> Decimal {
        self.total
    }
    fn vetoed(&self) -> bool {
        !self.scored.vetoes.is_empty()
    }
    fn prereq_failed(&self) -> &[usize] {
        &self.scored.prereq_failed
    }
    fn rank_mut(&mut self) -> &mut Option<u32> {
        &mut self.rank
    }
    fn grade(&self) -> Option<usize> {
        self.grade
    }
    fn grade_mut(&mut self) -> &mut Option<usize> {
        &mut self.grade
    }
    fn note(&mut self, note: GradeNote) {
        self.notes.push(note);
    }
}

/// A unit's standing in a streamed run's first pass (about 64 bytes): what ranking and grading
/// need, without its points or data. Streamed output has no explanations, so no grade notes.
struct Standing {
    total: Decimal,
    grade: Option<usize>,
    rank: Option<u32>,
    cohort: u32,
    vetoed: bool,
    prereq_failed: Box<[usize]>,
}

impl Placed for Standing {
    fn total(&self) -> Decimal {
        self.total
    }
    fn vetoed(&self) -> bool {
        self.vetoed
    }
    fn prereq_failed(&self) -> &[usize] {
        &self.prereq_failed
    }
    fn rank_mut(&mut self) -> &mut Option<u32> {
        &mut self.rank
    }
    fn grade(&self) -> Option<usize> {
        self.grade
    }
    fn grade_mut(&mut self) -> &mut Option<usize> {
        &mut self.grade
    }
    fn note(&mut self, _: GradeNote) {}
}

impl<'a> Row<'a> {
    fn new(unit: &'a Unit, scored: Scored, cohort: usize) -> Self {
        Self {
            unit,
            scored,
            cohort,
            total: Decimal::ZERO,
            rank: None,
            grade: None,
            notes: Vec::new(),
            metric_ranks: Vec::new(),
            state: None,
            state_failed: false,
            consequences: Vec::new(),
        }
    }
}

/// The cohorts (评比组) of a run, in order of first appearance, with their rows.
#[derive(Default)]
struct Cohorts {
    names: Vec<String>,
    members: Vec<Vec<usize>>,
    index: HashMap<String, usize>,
}

impl Cohorts {
    /// Puts row `row` (of `unit`) in its cohort and returns the cohort's index.
    fn join(&mut self, set: &RuleSet, unit: &Unit, row: usize) -> usize {
        if set.cohort_field.is_none() && !self.members.is_empty() {
            self.members[0].push(row);
            return 0;
        }
        let name = set.cohort_field.map(|c| unit.values[c].display());
        let k = match self.index.get(name.as_deref().unwrap_or("全部")) {
            Some(k) => *k,
            None => {
                let name = name.unwrap_or_else(|| "全部".to_string());
                self.index.insert(name.clone(), self.names.len());
                self.names.push(name);
                self.members.push(Vec::new());
                self.names.len() - 1
            }
        };
        self.members[k].push(row);
        k
    }
}

/// A streamed run (流式评分), for inputs too large to hold: a first pass over the units keeps
/// only each unit's standing (total, vetoes, prerequisites) and then places them — ranks and
/// grades with quotas — and a second pass over the same units, in the same order, gives each
/// unit's full [`UnitScore`] with its consequences. What is kept per unit is its compact
/// standing (about 64 bytes), whatever the width of the data; measured with the reader's id
/// check and the ranking's sort, a million units of JSON Lines take 281 MB and three million
/// 591 MB (about 155 bytes per unit).
pub struct Tally<'r> {
    rules: &'r Rules,
    categories: Vec<Option<usize>>,
    links: Links<'static>,
    rows: Vec<Standing>,
    cohorts: Cohorts,
    /// Units ranked in each cohort, once placed.
    ranked: Vec<usize>,
    /// Rule failures of the first pass, identical ones merged as they come.
    errors: Merged,
}

impl Rules {
    /// Whether this rule set can be streamed: every rule must be answerable from one unit's
    /// data plus its place in the cohort. Otherwise, the reason in words.
    pub fn streamable(&self) -> Result<(), crate::messages::Text> {
        let set = &self.set;
        let linked = set.items.iter().any(|i| {
            matches!(
                i.shape.measure(),
                Some(Measure::Linked { .. } | Measure::Metric(_))
            )
        });
        let (zh, en) = if !set.metrics.is_empty() {
            (
                "它公布在各单位之间排名的指数",
                "it publishes metrics (指数) ranked across units",
            )
        } else if !set.cohort_items.is_empty() {
            (
                "它有与其他单位比较计分的指标",
                "it has cohort indicators scored against other units",
            )
        } else if linked {
            (
                "它读取其他单位的数值（捆绑考核）",
                "it reads values of other units (捆绑考核)",
            )
        } else if set.state.is_some() {
            ("它在各期之间延续状态", "it carries a state between periods")
        } else {
            return Ok(());
        };
        Err(crate::messages::Text::new(zh, en))
    }

    /// Starts a streamed run; see [`Tally`]. Check [`Rules::streamable`] first.
    pub fn tally(&self) -> Tally<'_> {
        Tally {
            rules: self,
            categories: item_categories(&self.set),
            links: Links::new(&self.set, &[]),
            rows: Vec::new(),
            cohorts: Cohorts::default(),
            ranked: Vec::new(),
            errors: Merged::default(),
        }
    }
}

impl Tally<'_> {
    /// First pass: scores one unit and keeps its standing; rule failures are kept for
    /// [`Tally::place`].
    pub fn add(&mut self, unit: &Unit) {
        let set = &self.rules.set;
        let mut errors = Vec::new();
        let scored = score_unit(
            self.rules,
            &self.categories,
            unit,
            &[],
            &self.links,
            &mut errors,
            false,
        );
        self.errors.extend(errors);
        let Some(scored) = scored else { return };
        let cohort = self.cohorts.join(set, unit, self.rows.len());
        self.rows.push(Standing {
            total: scored.base.saturating_add(scored.bonus).normalize(),
            grade: None,
            rank: None,
            cohort: u32::try_from(cohort).unwrap_or(u32::MAX),
            vetoed: !scored.vetoes.is_empty(),
            prereq_failed: scored.prereq_failed.into_boxed_slice(),
        });
    }

    /// Units added so far.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no unit was added.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Ranks and grades every cohort, once every unit is added; every rule failure of the
    /// first pass is reported here.
    pub fn place(&mut self) -> Result<(), EvalErrors> {
        if !self.errors.is_empty() {
            let mut errors = std::mem::take(&mut self.errors);
            self.links.breaker.finish(&mut errors);
            return Err(errors.into_errors());
        }
        let set = &self.rules.set;
        for idx in &self.cohorts.members {
            rank_rows(&mut self.rows, idx, &set.veto_policy, set.ties);
            assign_grades(set, &mut self.rows, idx);
            let ranked = idx.iter().filter(|k| self.rows[**k].rank.is_some()).count();
            self.ranked.push(ranked);
        }
        Ok(())
    }

    /// Second pass: the full result of the `i`-th unit added (the same unit again).
    pub fn score(&self, i: usize, unit: &Unit) -> Result<UnitScore, EvalErrors> {
        let mut errors = Vec::new();
        let placed = self.rows.get(i);
        let scored = score_unit(
            self.rules,
            &self.categories,
            unit,
            &[],
            &self.links,
            &mut errors,
            false,
        );
        let (Some(placed), Some(scored)) = (placed, scored) else {
            return Err(merged(errors));
        };
        let cohort = placed.cohort as usize;
        let size = self.cohorts.members[cohort].len();
        let ranked = self.ranked.get(cohort).copied().unwrap_or(0);
        let mut row = Row::new(unit, scored, cohort);
        row.total = placed.total;
        row.rank = placed.rank;
        row.grade = placed.grade;
        let hits = consequences_of(
            self.rules,
            &self.links,
            &row,
            (ranked, size),
            None,
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(merged(errors));
        }
        row.consequences = hits;
        Ok(UnitScore::from_row(&self.rules.set, row))
    }

    /// The name of the cohort the `i`-th unit is in.
    pub fn cohort(&self, i: usize) -> Option<&str> {
        let row = self.rows.get(i)?;
        self.cohorts
            .names
            .get(row.cohort as usize)
            .map(String::as_str)
    }
}

/// Places values in a group, best first, with a tie policy: sorted once, each look-up a
/// binary search. Values are compared as whole numbers at one common scale when they fit,
/// which sorts a million totals several times faster than decimal comparison.
struct Ranker {
    sorted: Sorted,
    ascending: bool,
}

enum Sorted {
    /// `value × 10^scale` as integers.
    Scaled { scale: u32, keys: Vec<i128> },
    /// The values themselves, when some would not fit.
    Exact(Vec<Decimal>),
}

/// `d × 10^scale` as an integer, when `d` has at most `scale` decimals and it fits.
fn scaled(d: Decimal, scale: u32) -> Option<i128> {
    let up = scale.checked_sub(d.scale())?;
    // Within a decimal's 96 bits, so every key turns back into a decimal.
    10i128
        .checked_pow(up)?
        .checked_mul(d.mantissa())
        .filter(|k| k.unsigned_abs() >> 96 == 0)
}

impl Ranker {
    fn new(values: impl Iterator<Item = Decimal>, ascending: bool, ties: TiePolicy) -> Self {
        let values: Vec<Decimal> = values.collect();
        let scale = values.iter().map(Decimal::scale).max().unwrap_or(0);
        let keys: Option<Vec<i128>> = values.iter().map(|d| scaled(*d, scale)).collect();
        let sorted = match keys {
            Some(mut keys) => {
                keys.sort_unstable();
                if !ascending {
                    keys.reverse();
                }
                if ties == TiePolicy::Dense {
                    keys.dedup();
                }
                Sorted::Scaled { scale, keys }
            }
            None => {
                let mut sorted = values;
                sorted.sort_unstable();
                if !ascending {
                    sorted.reverse();
                }
                if ties == TiePolicy::Dense {
                    sorted.dedup();
                }
                Sorted::Exact(sorted)
            }
        };
        Self { sorted, ascending }
    }

    /// 1-based place of `v`: 1 + how many values (distinct ones, when dense) are better.
    fn place(&self, v: Decimal) -> u32 {
        fn ahead<T: PartialOrd>(sorted: &[T], v: &T, ascending: bool) -> usize {
            if ascending {
                sorted.partition_point(|x| x < v)
            } else {
                sorted.partition_point(|x| x > v)
            }
        }
        let n = match &self.sorted {
            Sorted::Scaled { scale, keys } => match scaled(v, *scale) {
                Some(k) => ahead(keys, &k, self.ascending),
                // More decimals than any ranked value: place it among them exactly.
                None => ahead(
                    &keys
                        .iter()
                        .filter_map(|k| Decimal::try_from_i128_with_scale(*k, *scale).ok())
                        .collect::<Vec<_>>(),
                    &v,
                    self.ascending,
                ),
            },
            Sorted::Exact(sorted) => ahead(sorted, &v, self.ascending),
        };
        u32::try_from(n).unwrap_or(u32::MAX).saturating_add(1)
    }

    /// How many places the group takes.
    fn len(&self) -> u32 {
        let n = match &self.sorted {
            Sorted::Scaled { keys, .. } => keys.len(),
            Sorted::Exact(sorted) => sorted.len(),
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    fn best(&self) -> Option<Decimal> {
        match &self.sorted {
            Sorted::Scaled { scale, keys } => keys
                .first()
                .and_then(|k| Decimal::try_from_i128_with_scale(*k, *scale).ok()),
            Sorted::Exact(sorted) => sorted.first().copied(),
        }
    }
}

/// Ranks every ranked metric within the cohort (安全感名次, 满意度名次).
fn rank_metrics(set: &RuleSet, rows: &mut [Row], idx: &[usize]) {
    for (m, metric) in set.metrics.iter().enumerate() {
        let ranker = Ranker::new(
            idx.iter().filter_map(|i| rows[*i].scored.metrics[m]),
            metric.ascending,
            set.ties,
        );
        for &i in idx {
            let r = match rows[i].scored.metrics[m] {
                Some(v) if metric.rank => Some(ranker.place(v)),
                _ => None,
            };
            rows[i].metric_ranks.push(r);
        }
    }
}

/// Ranks by total, best first, within `idx`; vetoed units after the rest when `last`.
fn rank_rows<P: Placed>(rows: &mut [P], idx: &[usize], policy: &VetoPolicy, ties: TiePolicy) {
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(), Vec::new()];
    for &i in idx {
        match (rows[i].vetoed(), policy.rank) {
            (true, VetoRank::Excluded) => {}
            (true, VetoRank::Last) => groups[1].push(i),
            _ => groups[0].push(i),
        }
    }
    let mut offset = 0u32;
    for group in groups {
        let ranker = Ranker::new(group.iter().map(|&i| rows[i].total()), false, ties);
        for &i in &group {
            *rows[i].rank_mut() = Some(offset.saturating_add(ranker.place(rows[i].total())));
        }
        offset = offset.saturating_add(ranker.len());
    }
}

/// A unit's value for a cohort comparison.
enum Compared {
    Value(Decimal),
    Blank,
    /// A ratio with no base: counts as met, as for an indicator.
    NoBase,
}

fn cohort_points(
    rules: &Rules,
    links: &Links,
    rows: &mut [Row],
    idx: &[usize],
    errors: &mut Vec<EvalError>,
) {
    let set = &rules.set;
    for (ck, ci) in set.cohort_items.iter().enumerate() {
        let mut values: Vec<(usize, Compared, Vec<DataUse>)> = Vec::new();
        for &i in idx {
            let explain = rows[i].scored.explained.is_some();
            let unit = rows[i].unit;
            let mut cx = Ctx::new(rules, unit, links, errors).with_metrics(&rows[i].scored.metrics);
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
                    };
                    (points, rank)
                }
            };
            let row = &mut rows[i];
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
                    }
                }
            };
            e.items.push(ItemResult {
                id: ci.id.clone(),
                label: ci.label.clone(),
                category: ci.category.clone(),
                kind: ItemKind::Cohort,
                max: max.normalize(),
                points: points.normalize(),
                not_applicable: false,
                text: ci.text.clone(),
                reasons: vec![Reason {
                    detail,
                    points: points.normalize(),
                    data,
                }],
            });
        }
    }
}

fn assign_grades<P: Placed>(set: &RuleSet, rows: &mut [P], idx: &[usize]) {
    if set.bands.is_empty() {
        return;
    }
    let n = idx.len();
    // Initial band: the first whose bounds hold.
    for &i in idx {
        let r = &rows[i];
        if r.vetoed() {
            if let Some(g) = &set.veto_policy.grade {
                *rows[i].grade_mut() = set.bands.iter().position(|b| &b.name == g);
                continue;
            }
        }
        let blocked = |name: &str| {
            r.prereq_failed()
                .iter()
                .any(|k| set.prerequisites[*k].grades.iter().any(|g| g == name))
        };
        // A band whose prerequisites fail drops the unit to the next band down.
        let total = r.total();
        let Some(earned) = set
            .bands
            .iter()
            .position(|b| b.bounds.iter().all(|x| x.holds(total)))
        else {
            continue;
        };
        let mut b = earned;
        while blocked(&set.bands[b].name) && b + 1 < set.bands.len() {
            b += 1;
        }
        if b != earned {
            rows[i].note(GradeNote::Prerequisite { earned, given: b });
        }
        *rows[i].grade_mut() = Some(b);
    }
    // Quotas, best band first: overflow by rank drops to the next band.
    for (bi, band) in set.bands.iter().enumerate() {
        let Some(q) = band.quota else { continue };
        let allowed = (q * Decimal::from(n)).floor();
        let allowed =
            u64::try_from(allowed).map_or(0, |a| usize::try_from(a).unwrap_or(usize::MAX));
        let forced = |r: &P| r.vetoed() && set.veto_policy.grade.is_some();
        let mut members: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|i| rows[*i].grade() == Some(bi) && !forced(&rows[*i]))
            .collect();
        members.sort_by(|a, b| rows[*b].total().cmp(&rows[*a].total()));
        let totals: Vec<Decimal> = members.iter().map(|&i| rows[i].total()).collect();
        for &i in &members {
            // Units ahead of this one plus those tied with it: a tie across the limit drops whole.
            let through_tie = totals.partition_point(|x| *x >= rows[i].total());
            if through_tie > allowed {
                let to = (bi + 1).min(set.bands.len() - 1);
                *rows[i].grade_mut() = Some(to);
                rows[i].note(GradeNote::Quota {
                    band: bi,
                    units: n,
                    allowed,
                    given: to,
                });
            }
        }
    }
}

/// The labels of the prerequisites a unit missed that the band `earned` needs.
fn missing_prerequisites<'a>(set: &'a RuleSet, r: &Row, earned: usize) -> Vec<&'a str> {
    r.scored
        .prereq_failed
        .iter()
        .map(|k| &set.prerequisites[*k])
        .filter(|p| p.grades.contains(&set.bands[earned].name))
        .map(|p| p.label.as_str())
        .collect()
}

/// A grade note in words, as an adjustment of the unit's result.
fn note_text(set: &RuleSet, r: &Row, note: &GradeNote) -> Adjustment {
    match *note {
        GradeNote::Prerequisite { earned, given } => {
            let missing = missing_prerequisites(set, r, earned);
            Adjustment {
                rule: "prerequisite".into(),
                detail: format!(
                    "总分达到{}，但未满足必备条件（{}），评为{}",
                    set.bands[earned].name,
                    missing.join("、"),
                    set.bands[given].name
                ),
                points: Decimal::ZERO,
            }
        }
        GradeNote::Quota {
            band,
            units,
            allowed,
            given,
        } => Adjustment {
            rule: "quota".into(),
            detail: format!(
                "{}名额不超过 {}%（本组 {} 个单位，至多 {} 个），按名次未进入名额，评为{}",
                set.bands[band].name,
                (set.bands[band].quota.unwrap_or_default() * Decimal::ONE_HUNDRED).normalize(),
                units,
                allowed,
                set.bands[given].name
            ),
            points: Decimal::ZERO,
        },
    }
}

/// Why a unit's grade or rank is what it is (备注), one short phrase per reason: each veto
/// and what it did, each prerequisite that lowered the grade, each quota that did.
pub(crate) fn remarks(set: &RuleSet, r: &Row) -> Vec<String> {
    let mut out = Vec::new();
    if !r.scored.vetoes.is_empty() {
        let labels: Vec<&str> = r
            .scored
            .vetoes
            .iter()
            .map(|&k| set.vetoes[k].label.as_str())
            .collect();
        let mut text = format!("一票否决（{}）", labels.join("、"));
        let policy = &set.veto_policy;
        if let Some(g) = &policy.grade {
            text.push_str(&format!("，等次定为{g}"));
        }
        match policy.rank {
            VetoRank::Last => text.push_str("，排在最后"),
            VetoRank::Excluded => text.push_str("，不参与排名"),
            VetoRank::Normal => {}
        }
        if !policy.show_points {
            text.push_str("，不公布得分");
        }
        out.push(text);
    }
    for note in &r.notes {
        match *note {
            GradeNote::Prerequisite { earned, given } => {
                let missing = missing_prerequisites(set, r, earned);
                out.push(format!(
                    "未满足必备条件（{}），由{}评为{}",
                    missing.join("、"),
                    set.bands[earned].name,
                    set.bands[given].name
                ));
            }
            GradeNote::Quota { band, given, .. } => out.push(format!(
                "{}名额已满（不超过 {}%），评为{}",
                set.bands[band].name,
                (set.bands[band].quota.unwrap_or_default() * Decimal::ONE_HUNDRED).normalize(),
                set.bands[given].name
            )),
        }
    }
    out
}

/// A total rounded half-up to the published decimals, as a number.
fn published_total(total: Decimal, decimals: u32) -> Decimal {
    total.round_dp_with_strategy(
        decimals,
        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
    )
}

fn result_map(
    set: &RuleSet,
    unit: &Unit,
    r: &Row,
    cohort_size: usize,
    previous: Option<&Previous>,
) -> Map {
    let id = unit.values[set.id_field].display();
    let int = |x: Option<u32>| x.map_or(Dynamic::UNIT, |x| Dynamic::from_int(i64::from(x)));
    let mut m = Map::new();
    m.insert("total".into(), Dynamic::from_decimal(r.total));
    m.insert("base".into(), Dynamic::from_decimal(r.scored.base));
    m.insert("bonus".into(), Dynamic::from_decimal(r.scored.bonus));
    m.insert(
        "grade".into(),
        r.grade
            .map_or(Dynamic::UNIT, |g| Dynamic::from(set.bands[g].name.clone())),
    );
    m.insert("rank".into(), int(r.rank));
    m.insert(
        "previous_rank".into(),
        int(previous.and_then(|p| p.ranks.get(&id).copied())),
    );
    m.insert(
        "vetoed".into(),
        Dynamic::from_bool(!r.scored.vetoes.is_empty()),
    );
    m.insert(
        "cohort_size".into(),
        Dynamic::from_int(i64::try_from(cohort_size).unwrap_or(i64::MAX)),
    );
    let mut items = Map::new();
    let ids = set
        .items
        .iter()
        .map(|i| &i.id)
        .chain(set.cohort_items.iter().map(|c| &c.id));
    for (id, p) in ids.zip(&r.scored.points) {
        if let Some(p) = p {
            items.insert((&**id).into(), Dynamic::from_decimal(p.normalize()));
        }
    }
    m.insert("items".into(), items.into());
    let mut metrics = Map::new();
    let mut metric_ranks = Map::new();
    let mut previous_metric_ranks = Map::new();
    let prev_ranks = previous.and_then(|p| p.metric_ranks.get(&id));
    for (k, metric) in set.metrics.iter().enumerate() {
        let key: rhai::Identifier = (&*metric.id).into();
        metrics.insert(
            key.clone(),
            r.scored.metrics[k].map_or(Dynamic::UNIT, Dynamic::from_decimal),
        );
        metric_ranks.insert(key.clone(), int(r.metric_ranks.get(k).copied().flatten()));
        previous_metric_ranks.insert(
            key,
            int(prev_ranks.and_then(|p| p.get(&*metric.id).copied())),
        );
    }
    m.insert("metrics".into(), metrics.into());
    m.insert("metric_ranks".into(), metric_ranks.into());
    m.insert("previous_metric_ranks".into(), previous_metric_ranks.into());
    m.insert("state".into(), json_dynamic(r.state.as_ref()));
    m.insert("fields".into(), unit_map(set, unit).into());
    m.insert("id".into(), Dynamic::from(id));
    m
}

fn json_dynamic(v: Option<&serde_json::Value>) -> Dynamic {
    v.map_or(Dynamic::UNIT, to_dynamic)
}

/// JSON to a Rhai value: whole numbers become integers and other numbers exact decimals
/// (serde_json keeps numbers as text here, which Rhai's own conversion would turn into maps).
fn to_dynamic(v: &serde_json::Value) -> Dynamic {
    use serde_json::Value as J;
    match v {
        J::Null => Dynamic::UNIT,
        J::Bool(b) => Dynamic::from_bool(*b),
        J::Number(n) => {
            let text = n.to_string();
            if let Ok(i) = text.parse::<i64>() {
                Dynamic::from_int(i)
            } else {
                rust_decimal::Decimal::from_str_exact(&text)
                    .or_else(|_| rust_decimal::Decimal::from_scientific(&text))
                    .map_or(Dynamic::from(text), Dynamic::from_decimal)
            }
        }
        J::String(s) => Dynamic::from(s.clone()),
        J::Array(a) => Dynamic::from_array(a.iter().map(to_dynamic).collect()),
        J::Object(o) => {
            let mut m = Map::new();
            for (k, x) in o {
                m.insert(k.as_str().into(), to_dynamic(x));
            }
            m.into()
        }
    }
}

/// Runs the rule set's `state(|u, prev, r| …)` for each unit: the listing state machine.
fn states(
    rules: &Rules,
    links: &Links,
    rows: &mut [Row],
    idx: &[usize],
    previous: Option<&Previous>,
    errors: &mut Vec<EvalError>,
) {
    let set = &rules.set;
    let Some(f) = &set.state else { return };
    for &i in idx {
        let r = &rows[i];
        let unit = r.unit;
        let id = unit.values[set.id_field].display();
        let prev = json_dynamic(previous.and_then(|p| p.states.get(&id)));
        let result = result_map(set, unit, r, idx.len(), previous);
        let mut cx = Ctx::new(rules, unit, links, errors);
        let u = cx.unit_map();
        let Some(next) = cx.call(f, (u, prev, result), "state", Position::NONE) else {
            rows[i].state_failed = true;
            continue;
        };
        if !next.is_map() {
            rows[i].state_failed = true;
            cx.fail(
                "state",
                Position::NONE,
                crate::messages::eval::state_not_map(next.type_name()),
            );
            continue;
        }
        match rhai::serde::from_dynamic::<serde_json::Value>(&next) {
            Ok(v) => rows[i].state = Some(v),
            Err(e) => cx.fail(
                "state",
                Position::NONE,
                crate::messages::eval::state_unsaved(&e.to_string()),
            ),
        }
    }
}

fn status(state: Option<&serde_json::Value>) -> Option<&str> {
    state?.get("status")?.as_str()
}

fn consequences(
    rules: &Rules,
    links: &Links,
    rows: &mut [Row],
    idx: &[usize],
    previous: Option<&Previous>,
    errors: &mut Vec<EvalError>,
) {
    let ranked = idx.iter().filter(|i| rows[**i].rank.is_some()).count();
    for &i in idx {
        // A unit whose state rule failed is already reported; its consequences would only
        // repeat that failure.
        if rows[i].state_failed {
            continue;
        }
        let cohort = (ranked, idx.len());
        rows[i].consequences = consequences_of(rules, links, &rows[i], cohort, previous, errors);
    }
}

/// The consequences that apply to one placed unit (by index into
/// [`RuleSet::consequences`]); `cohort` is (units ranked, units) in its cohort.
pub(crate) fn consequences_of(
    rules: &Rules,
    links: &Links,
    r: &Row,
    (ranked, size): (usize, usize),
    previous: Option<&Previous>,
    errors: &mut Vec<EvalError>,
) -> Vec<usize> {
    let set = &rules.set;
    // What `|r|` closures see, built once per unit however many consequences ask.
    let mut seen: Option<Map> = None;
    let mut hits = Vec::new();
    for (k, c) in set.consequences.iter().enumerate() {
        let hit = match &c.when {
            Outcome::Bottom(n) => r
                .rank
                .is_some_and(|k| (k as usize).saturating_add(*n) > ranked),
            Outcome::Top(n) => r.rank.is_some_and(|k| (k as usize) <= *n),
            Outcome::Grade(g) => r.grade.is_some_and(|b| &set.bands[b].name == g),
            Outcome::Vetoed => !r.scored.vetoes.is_empty(),
            Outcome::Veto(v) => r.scored.vetoes.iter().any(|h| &set.vetoes[*h].id == v),
            Outcome::TotalBelow(x) => r.total < *x,
            Outcome::State(s) => status(r.state.as_ref()) == Some(s.as_str()),
            Outcome::Data(cond) => {
                let mut cx = Ctx::new(rules, r.unit, links, errors);
                cx.test(cond, &c.name, c.pos) == Some(true)
            }
            Outcome::Closure(f) => {
                let arg = seen
                    .get_or_insert_with(|| result_map(set, r.unit, r, size, previous))
                    .clone();
                let mut cx = Ctx::new(rules, r.unit, links, errors);
                match cx.call(f, (arg,), &c.name, c.pos) {
                    Some(v) => match v.as_bool() {
                        Ok(b) => b,
                        Err(t) => {
                            cx.fail(
                                &c.name,
                                c.pos,
                                crate::messages::eval::not_a_condition(t, true),
                            );
                            false
                        }
                    },
                    None => false,
                }
            }
        };
        if hit {
            hits.push(k);
        }
    }
    hits
}

/// Every unit scored and placed: what reports and batch results are read from.
pub(crate) struct Run<'a> {
    pub(crate) rows: Vec<Row<'a>>,
    /// Cohort names, in order of first appearance.
    names: Vec<String>,
    /// Rows of each cohort.
    members: Vec<Vec<usize>>,
}

impl Rules {
    /// Scores every unit, then ranks, grades, carries state and applies consequences per
    /// cohort; with `explain`, every point is also put into words. Every rule failure is
    /// reported; any failure means no result. With `parallel`, units are scored across
    /// cores (the cohort stage is one pass over compact rows either way).
    pub(crate) fn run<'a>(
        &self,
        units: &'a [Unit],
        previous: Option<&Previous>,
        explain: bool,
        parallel: bool,
    ) -> Result<Run<'a>, EvalErrors> {
        let set = &self.set;
        // Failures as they come, then merged: a unit's failures are merged once it is scored,
        // so that a rule failing for every unit is held once, not once per unit.
        let mut errors = Vec::new();
        let mut failed = Merged::default();
        let mut links = Links::new(set, units);
        links.compute_metrics(self, &mut errors);
        failed.extend(errors.drain(..));
        let categories = item_categories(set);
        let score_one = |i: usize, unit: &Unit, errors: &mut Vec<EvalError>| {
            let metrics = links.metrics.get(i).map_or(&[][..], Vec::as_slice);
            score_unit(self, &categories, unit, metrics, &links, errors, explain)
        };
        let mut cohorts = Cohorts::default();
        let mut rows: Vec<Row> = Vec::with_capacity(units.len());
        let mut keep = |unit: &'a Unit, scored: Option<Scored>| {
            if let Some(scored) = scored {
                let cohort = cohorts.join(set, unit, rows.len());
                rows.push(Row::new(unit, scored, cohort));
            }
        };
        if parallel {
            let score = |part: &'a [Unit], first: usize, errors: &mut Vec<EvalError>| {
                let scored = part.iter().enumerate();
                scored
                    .map(|(j, u)| score_one(first + j, u, errors))
                    .collect()
            };
            for (unit, scored) in units
                .iter()
                .zip(scored_in_parallel(units, &score, &mut failed))
            {
                keep(unit, scored);
            }
        } else {
            // Straight into the rows: no list of scores in between to fill and copy.
            for (i, unit) in units.iter().enumerate() {
                keep(unit, score_one(i, unit, &mut errors));
                if !errors.is_empty() {
                    failed.extend(errors.drain(..));
                }
            }
        }
        let Cohorts { names, members, .. } = cohorts;
        for idx in &members {
            cohort_points(self, &links, &mut rows, idx, &mut errors);
            for &i in idx {
                let r = &mut rows[i];
                r.total = r.scored.base.saturating_add(r.scored.bonus).normalize();
            }
            rank_rows(&mut rows, idx, &set.veto_policy, set.ties);
            rank_metrics(set, &mut rows, idx);
            assign_grades(set, &mut rows, idx);
            states(self, &links, &mut rows, idx, previous, &mut errors);
            consequences(self, &links, &mut rows, idx, previous, &mut errors);
        }
        failed.extend(errors);
        if !failed.is_empty() {
            links.breaker.finish(&mut failed);
            return Err(failed.into_errors());
        }
        Ok(Run {
            rows,
            names,
            members,
        })
    }

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
    /// neither reasons nor the rule author's text (`not_applicable` is not known and false),
    /// vetoes with their labels and reasons but not the data they read, no cap notes. What a table or CSV prints is the
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
        let mut run = self.run(units, previous, explain, false)?;
        let rows = &run.rows;
        let cohorts = run
            .names
            .iter()
            .zip(&run.members)
            .map(|(name, idx)| stats(set, rows, idx, name))
            .collect();
        let rollups = rollups(set, rows);
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&i| (rows[i].cohort, rows[i].rank.unwrap_or(u32::MAX), i));
        let names = &run.names;
        let rows = &mut run.rows;
        let mut units: Vec<UnitResult> = order
            .into_iter()
            .map(|i| {
                let cohort = &names[rows[i].cohort];
                unit_result(set, &mut rows[i], cohort, previous)
            })
            .collect();
        crate::survey::annotate(set, &mut units);
        Ok(Report {
            schema: SCHEMA,
            schema_version: SCHEMA_VERSION,
            rule_set: RuleSetInfo {
                id: set.id.clone(),
                title: set.title.clone(),
                source: set.source.clone(),
                max: set.max.normalize(),
                bonus_max: set.bonus_max.map(|d| d.normalize()),
                decimals: set.decimals,
                publication: set.publication.clone(),
            },
            units,
            cohorts,
            rollups,
        })
    }
}

/// Scores `units` in chunks across the cores, keeping input order; errors keep it too (each
/// chunk's merged before they are gathered).
#[cfg(not(target_arch = "wasm32"))]
fn scored_in_parallel<'a, F>(
    units: &'a [Unit],
    score: &F,
    errors: &mut Merged,
) -> Vec<Option<Scored>>
where
    F: Fn(&'a [Unit], usize, &mut Vec<EvalError>) -> Vec<Option<Scored>> + Sync,
{
    use rayon::prelude::*;
    let chunk = units
        .len()
        .div_ceil(rayon::current_num_threads() * 8)
        .max(1024);
    let parts: Vec<(Vec<Option<Scored>>, Merged)> = units
        .par_chunks(chunk)
        .enumerate()
        .map(|(c, part)| {
            let mut errs = Vec::new();
            let out = score(part, c * chunk, &mut errs);
            let mut merged = Merged::default();
            merged.extend(errs);
            (out, merged)
        })
        .collect();
    let mut out = Vec::with_capacity(units.len());
    for (scored, errs) in parts {
        out.extend(scored);
        errors.extend(errs.into_errors().0);
    }
    out
}

/// WebAssembly has one thread: the parallel path is the sequential one.
#[cfg(target_arch = "wasm32")]
fn scored_in_parallel<'a, F>(
    units: &'a [Unit],
    score: &F,
    errors: &mut Merged,
) -> Vec<Option<Scored>>
where
    F: Fn(&'a [Unit], usize, &mut Vec<EvalError>) -> Vec<Option<Scored>>,
{
    let mut errs = Vec::new();
    let out = score(units, 0, &mut errs);
    errors.extend(errs);
    out
}

/// A unit's failures, identical ones merged.
fn merged(errors: Vec<EvalError>) -> EvalErrors {
    let mut m = Merged::default();
    m.extend(errors);
    m.into_errors()
}

fn change(previous: Option<u32>, now: Option<u32>) -> Option<i64> {
    match (previous, now) {
        (Some(p), Some(c)) => Some(i64::from(p) - i64::from(c)),
        _ => None,
    }
}

/// Each item the unit is assessed on with its points, without reasons.
fn points_only(set: &RuleSet, points: &[Option<Decimal>]) -> Vec<ItemResult> {
    let items = set
        .items
        .iter()
        .map(|i| (&i.id, &i.label, &i.category, i.kind, i.max));
    let cohort_items = set.cohort_items.iter().map(|i| {
        let kind = ItemKind::Cohort;
        (&i.id, &i.label, &i.category, kind, i.max)
    });
    items
        .chain(cohort_items)
        .zip(points)
        .filter_map(|((id, label, category, kind, max), p)| {
            Some(ItemResult {
                id: id.clone(),
                label: label.clone(),
                category: category.clone(),
                kind,
                max: max.normalize(),
                points: p.as_ref()?.normalize(),
                not_applicable: false,
                text: Name::from(""),
                reasons: Vec::new(),
            })
        })
        .collect()
}

/// A unit's result; its explanation, if any, is moved out of the row.
fn unit_result(
    set: &RuleSet,
    r: &mut Row,
    cohort: &str,
    previous: Option<&Previous>,
) -> UnitResult {
    let unit = r.unit;
    let id = unit.values[set.id_field].display();
    let mut explained = r.scored.explained.take().map(|e| *e);
    let vetoed = !r.scored.vetoes.is_empty();
    let show = !vetoed || set.veto_policy.show_points;
    let previous_rank = previous.and_then(|p| p.ranks.get(&id).copied());
    let previous_total = previous.and_then(|p| p.totals.get(&id).copied());
    let published = show.then(|| published_total(r.total, set.decimals));
    let prev_metric = previous.and_then(|p| p.metric_ranks.get(&id));
    let metrics = set
        .metrics
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let rank = r.metric_ranks.get(k).copied().flatten();
            let previous_rank = prev_metric.and_then(|p| p.get(&*m.id).copied());
            MetricResult {
                id: m.id.clone(),
                label: m.label.clone(),
                value: r.scored.metrics[k],
                display: r.scored.metrics[k].map(|v| display_total(v, m.decimals)),
                rank,
                previous_rank,
                rank_change: change(previous_rank, rank),
                sample: crate::survey::sample_result(set, unit, k),
            }
        })
        .collect();
    UnitResult {
        name: set
            .name_field
            .map(|f| unit.values[f].display())
            .unwrap_or_else(|| id.clone()),
        id,
        cohort: cohort.to_string(),
        row: unit.row,
        total: show.then_some(r.total),
        total_display: show.then(|| display_total(r.total, set.decimals)),
        base: r.scored.base.normalize(),
        bonus: r.scored.bonus.normalize(),
        grade: r.grade.map(|g| set.bands[g].name.clone()),
        rank: r.rank,
        previous_rank,
        rank_change: change(previous_rank, r.rank),
        previous_total: previous_total.map(|t| t.normalize()),
        total_change: published
            .zip(previous_total)
            .map(|(now, before)| (now - before).normalize()),
        remarks: remarks(set, r),
        vetoed,
        awards_eligible: !vetoed || set.veto_policy.awards,
        vetoes: match explained.as_mut() {
            Some(e) => std::mem::take(&mut e.vetoes),
            None => r
                .scored
                .vetoes
                .iter()
                .map(|k| {
                    let v = &set.vetoes[*k];
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
            .scored
            .prereq_failed
            .iter()
            .map(|k| {
                let p = &set.prerequisites[*k];
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
            None => points_only(set, &r.scored.points),
        },
        adjustments: explained
            .map(|e| e.adjustments)
            .unwrap_or_default()
            .into_iter()
            .chain(r.notes.iter().map(|n| note_text(set, r, n)))
            .collect(),
        state: r.state.clone(),
        consequences: r
            .consequences
            .iter()
            .map(|k| {
                let c = &set.consequences[*k];
                ConsequenceHit {
                    name: c.name.clone(),
                    reason: c.reason.clone(),
                }
            })
            .collect(),
    }
}

/// Group figures (汇总): a county from its townships, a brigade from its stations.
fn rollups(set: &RuleSet, rows: &[Row]) -> Vec<RollupResult> {
    let mut out = Vec::new();
    for rollup in &set.rollups {
        let mut groups: Vec<(String, Vec<Decimal>)> = Vec::new();
        let mut group_of: HashMap<String, usize> = HashMap::new();
        for r in rows {
            let unit = r.unit;
            if !rollup.include_vetoed && !r.scored.vetoes.is_empty() {
                continue;
            }
            let value = match &rollup.value {
                RollupValue::Total => Some(r.total),
                RollupValue::Metric(m) => r.scored.metrics[*m],
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

fn stats(set: &RuleSet, rows: &[Row], idx: &[usize], name: &str) -> CohortStats {
    let show = |r: &Row| r.scored.vetoes.is_empty() || set.veto_policy.show_points;
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
        vetoed: idx
            .iter()
            .filter(|i| !rows[**i].scored.vetoes.is_empty())
            .count(),
        mean,
        median: median.map(|d| d.normalize()),
        max: totals.last().map(|d| d.normalize()),
        min: totals.first().map(|d| d.normalize()),
        grades,
    }
}
