//! The cohort stage (组内评定): one pipeline for every run, in memory (`assess`, the batch API)
//! or streamed ([`Tally`]). Each unit is scored on its own, then placed among the units of its
//! cohort (评比组); each stage is written once, in its own file.
//!
//! The stages, in order:
//! 1. **Scoring** (评分, `score.rs`, through `eval.rs`): every unit on its own; its `Standing`
//!    (total, vetoed, prerequisites failed, cohort) goes into one table, `Standings`. A run in
//!    memory keeps each unit's points beside it (`Kept`); a streamed run keeps nothing else and
//!    scores the unit again on its second pass.
//!
//! Then, cohort by cohort (`Standings::place`):
//! 2. **Cohort indicators** (组内比较指标, `points.rs`): points against the other units of the
//!    cohort, added to each unit's base and total; first those from sub-units' places in their
//!    own cohorts (下级单位排名, `rollup.rs`), which places a cohort after its sub-units'. In
//!    memory only.
//! 3. **Ranks** (名次, `rank.rs`): by total, with the veto policy and the tie policy.
//! 4. **Metric ranks** (指数名次, `rank.rs`). In memory only.
//! 5. **Grades** (等次, `grades.rs`): bands, prerequisites and quotas, with the grade notes
//!    that say why a grade is below what the points earn.
//! 6. **State** (状态, `state.rs`): the state carried to the next period. In memory only.
//! 7. **Consequences** (处理结果, `consequences.rs`): in memory, for the whole cohort here;
//!    streamed, unit by unit on the second pass, by the same function.
//!
//! Last, 8. **Results** (`report.rs`): each unit's [`UnitScore`] or report row with its remarks
//! (备注), built by the same functions for both runs; a report's statistics and roll-ups.
//!
//! The stages that need every unit's data (cohort indicators, metric ranks, values linked across
//! units, state) run in memory only: [`Rules::streamable`] refuses to stream a rule set that
//! has them. `closure.rs` holds what a rule's closure sees of a placed unit (`r`).

mod closure;
mod consequences;
mod csv;
mod grades;
mod points;
mod rank;
mod report;
mod rollup;
mod score;
mod state;
mod stream;

pub(crate) use grades::band;
pub(crate) use report::listing_key;
pub use stream::Tally;

use crate::batch::UnitScore;
use crate::compile::Rules;
use crate::data::Unit;
use crate::error::{EvalError, EvalErrors, Merged};
use crate::eval::{Links, Scored};
use crate::model::RuleSet;
use crate::previous::Previous;
use grades::GradeNote;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// A unit's standing (名次与等次): what placing it reads and gives, about 64 bytes whatever the
/// width of its data. Every run keeps one per unit, in a [`Standings`] table.
pub(crate) struct Standing {
    /// Base plus bonus points (总分).
    pub(crate) total: Decimal,
    /// Index into [`RuleSet::bands`].
    pub(crate) grade: Option<usize>,
    pub(crate) rank: Option<u32>,
    /// Index into the run's cohorts.
    cohort: u32,
    pub(crate) vetoed: bool,
    /// The prerequisites not met, by index into [`RuleSet::prerequisites`].
    pub(crate) prereq_failed: Box<[usize]>,
}

/// A unit's total (总分): base plus bonus points.
fn total(scored: &Scored) -> Decimal {
    scored.base.saturating_add(scored.bonus).normalize()
}

impl Standing {
    /// A scored unit's standing, not yet placed; its prerequisites failed move here.
    fn new(scored: &mut Scored, cohort: usize) -> Self {
        Self {
            total: total(scored),
            grade: None,
            rank: None,
            cohort: u32::try_from(cohort).unwrap_or(u32::MAX),
            vetoed: !scored.vetoes.is_empty(),
            prereq_failed: std::mem::take(&mut scored.prereq_failed).into_boxed_slice(),
        }
    }

    /// Index into the run's cohorts.
    pub(crate) fn cohort(&self) -> usize {
        self.cohort as usize
    }
}

/// The cohorts (评比组) of a run, in order of first appearance, with their units.
#[derive(Default)]
pub(crate) struct Cohorts {
    pub(crate) names: Vec<String>,
    /// Positions in the table of each cohort's units.
    pub(crate) members: Vec<Vec<usize>>,
    index: HashMap<String, usize>,
}

impl Cohorts {
    /// Puts unit `row` in its cohort and returns the cohort's index.
    fn join(&mut self, set: &RuleSet, unit: &Unit, row: usize) -> usize {
        if set.cohort_field.is_none() && !self.members.is_empty() {
            self.members[0].push(row);
            return 0;
        }
        let name = set.cohort_of(unit);
        let k = match self.index.get(&name) {
            Some(k) => *k,
            None => {
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

/// Every unit's standing in one table (position = order added), with the cohorts; the grade
/// notes aside, as few units have any.
#[derive(Default)]
pub(crate) struct Standings {
    pub(crate) rows: Vec<Standing>,
    /// Grade notes by position in `rows`; in that order once placed.
    notes: Vec<(usize, GradeNote)>,
    pub(crate) cohorts: Cohorts,
    /// Units ranked in each cohort, once placed.
    ranked: Vec<usize>,
    /// The worst rank numbers of each cohort, worst first and each once, as deep as a
    /// consequence by rank number looks (`bottom_ranks`), once placed.
    worst: Vec<Vec<u32>>,
}

/// A unit's cohort as consequences see it once placed (评比组排名情况).
#[derive(Clone, Copy)]
pub(crate) struct CohortSize<'t> {
    /// Units ranked in it.
    pub(crate) ranked: usize,
    /// Units in it.
    pub(crate) size: usize,
    /// Its worst rank numbers, worst first and each once (21, 20, 19 for ranks …19, 20, 21, 21).
    pub(crate) worst: &'t [u32],
}

/// What a run in memory holds beside its standings: each unit's points (by the same position),
/// the values linked across units and the previous period. A streamed run has none of it.
pub(crate) struct Held<'h, 'a> {
    kept: &'h mut [Kept<'a>],
    links: &'h Links<'a>,
    previous: Option<&'h Previous>,
}

impl Standings {
    /// An empty table with room for `units` standings: grown once, not by doubling (each large
    /// reallocation makes the allocator consolidate the small blocks scoring freed).
    fn with_capacity(units: usize) -> Self {
        Self {
            rows: Vec::with_capacity(units),
            ..Self::default()
        }
    }

    /// Stage 1's end: a scored unit's standing, put in its cohort.
    fn add(&mut self, set: &RuleSet, unit: &Unit, scored: &mut Scored) {
        let cohort = self.cohorts.join(set, unit, self.rows.len());
        self.rows.push(Standing::new(scored, cohort));
    }

    /// Why the grade of the unit at `i` is below what its points earn, once placed.
    pub(crate) fn notes(&self, i: usize) -> impl Iterator<Item = &GradeNote> + Clone {
        let from = self.notes.partition_point(|(k, _)| *k < i);
        self.notes[from..]
            .iter()
            .take_while(move |(k, _)| *k == i)
            .map(|(_, n)| n)
    }

    /// The cohort of the unit at `i`, once placed.
    fn cohort_of(&self, i: usize) -> CohortSize<'_> {
        let c = self.rows.get(i).map_or(usize::MAX, Standing::cohort);
        CohortSize {
            ranked: self.ranked.get(c).copied().unwrap_or(0),
            size: self.cohorts.members.get(c).map_or(0, Vec::len),
            worst: self.worst.get(c).map_or(&[], Vec::as_slice),
        }
    }

    /// Stages 2 to 7, cohort by cohort: cohort indicators, ranks, metric ranks, grades, state
    /// and consequences; `held` (a run in memory) has the units' points, for the stages that
    /// read them.
    fn place(&mut self, rules: &Rules, mut held: Option<Held>, errors: &mut Vec<EvalError>) {
        let set = &rules.set;
        let Self {
            rows,
            notes,
            cohorts,
            ranked,
            worst,
        } = self;
        // How deep consequences by rank number look (后三名: 3).
        let depth = set
            .consequences
            .iter()
            .filter_map(|c| match &c.when {
                crate::model::Outcome::BottomRanks(n) => Some(*n),
                crate::model::Outcome::Consecutive { of, .. } => match **of {
                    crate::model::Outcome::BottomRanks(n) => Some(n),
                    _ => None,
                },
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let subs = rollup::SubUnits::new(set, held.as_ref());
        let order = subs.order(set, held.as_ref(), rows, &cohorts.members);
        let n = cohorts.members.len();
        ranked.resize(n, 0);
        worst.resize(n, Vec::new());
        let mut placed_cohorts = vec![false; n];
        for c in order {
            let idx = &cohorts.members[c];
            if let Some(h) = held.as_mut() {
                let around = (
                    idx.as_slice(),
                    cohorts.members.as_slice(),
                    placed_cohorts.as_slice(),
                );
                rollup::rollup_points(rules, h, rows, around, &subs, errors);
                points::cohort_points(rules, h, rows, idx, errors);
            }
            rank::rank(rows, idx, &set.veto_policy, set.ties);
            if let Some(h) = held.as_mut() {
                rank::rank_metrics(set, h.kept, idx);
            }
            grades::assign(set, rows, notes, idx);
            let placed = idx.iter().filter(|i| rows[**i].rank.is_some()).count();
            ranked[c] = placed;
            let mut last: Vec<u32> = idx.iter().filter_map(|i| rows[*i].rank).collect();
            if depth > 0 {
                last.sort_unstable_by(|a, b| b.cmp(a));
                last.dedup();
            }
            last.truncate(depth);
            worst[c] = last;
            placed_cohorts[c] = true;
            if let Some(h) = held.as_mut() {
                state::states(rules, h, rows, idx, errors);
                let cohort = CohortSize {
                    ranked: placed,
                    size: idx.len(),
                    worst: worst[c].as_slice(),
                };
                consequences::apply(rules, h, rows, idx, cohort, errors);
            }
        }
        notes.sort_by_key(|(i, _)| *i);
    }
}

/// One unit as placed: what rules' closures and results read of it.
#[derive(Clone, Copy)]
pub(crate) struct Placed<'u> {
    pub(crate) unit: &'u Unit,
    pub(crate) scored: &'u Scored,
    pub(crate) standing: &'u Standing,
    /// Rank on each metric (None where the metric is not ranked or has no value); empty when
    /// streamed.
    pub(crate) metric_ranks: &'u [Option<u32>],
    /// The state after this period (in memory only).
    pub(crate) state: Option<&'u serde_json::Value>,
}

/// What a run in memory keeps of a unit beside its standing.
pub(crate) struct Kept<'a> {
    /// The unit's data.
    pub(crate) unit: &'a Unit,
    pub(crate) scored: Scored,
    /// Rank on each metric (None where the metric is not ranked or has no value).
    metric_ranks: Vec<Option<u32>>,
    /// The state after this period.
    state: Option<serde_json::Value>,
    /// The state rule failed for this unit.
    state_failed: bool,
    /// The consequences that apply, by index into [`RuleSet::consequences`].
    consequences: Vec<usize>,
}

impl<'a> Kept<'a> {
    fn new(unit: &'a Unit, scored: Scored) -> Self {
        Self {
            unit,
            scored,
            metric_ranks: Vec::new(),
            state: None,
            state_failed: false,
            consequences: Vec::new(),
        }
    }

    fn placed<'u>(&'u self, standing: &'u Standing) -> Placed<'u> {
        Placed {
            unit: self.unit,
            scored: &self.scored,
            standing,
            metric_ranks: &self.metric_ranks,
            state: self.state.as_ref(),
        }
    }
}

/// Every unit scored and placed: what reports and batch results are read from.
pub(crate) struct Run<'a> {
    pub(crate) table: Standings,
    /// Each unit's points and the rest, by position in the table.
    pub(crate) kept: Vec<Kept<'a>>,
}

impl Rules {
    /// The pipeline in memory: scores every unit, then places them cohort by cohort (see the
    /// module's stages); with `explain`, every point is also put into words. Every rule failure
    /// is reported; any failure means no result. With `parallel`, units are scored across
    /// cores (the cohort stage is one pass over the standings either way).
    pub(crate) fn run<'a>(
        &self,
        units: &'a [Unit],
        previous: Option<&'a Previous>,
        explain: bool,
        parallel: bool,
    ) -> Result<Run<'a>, EvalErrors> {
        let set = &self.set;
        // Failures as they come, then merged: a unit's failures are merged once it is scored,
        // so that a rule failing for every unit is held once, not once per unit.
        let mut errors = Vec::new();
        let mut failed = Merged::default();
        let links = Links::for_run(self, units, previous, &mut errors);
        failed.extend(errors.drain(..));
        let mut table = Standings::with_capacity(units.len());
        let mut kept = Vec::with_capacity(units.len());
        let keep = |unit: &'a Unit, mut scored: Scored| {
            table.add(set, unit, &mut scored);
            kept.push(Kept::new(unit, scored));
        };
        score::score_units(self, units, &links, explain, parallel, &mut failed, keep);
        let held = Held {
            kept: &mut kept,
            links: &links,
            previous,
        };
        table.place(self, Some(held), &mut errors);
        failed.extend(errors);
        if !failed.is_empty() {
            links.breaker.finish(&mut failed);
            return Err(failed.into_errors());
        }
        Ok(Run { table, kept })
    }
}

impl Run<'_> {
    /// Every unit's batch result, in input order.
    pub(crate) fn scores(self, set: &RuleSet) -> Vec<UnitScore> {
        let Run { table, kept } = self;
        kept.into_iter()
            .zip(&table.rows)
            .enumerate()
            .map(|(i, (k, standing))| {
                report::unit_score(set, k.scored, standing, table.notes(i), k.consequences)
            })
            .collect()
    }
}

/// A unit's failures, identical ones merged.
fn merged(errors: Vec<EvalError>) -> EvalErrors {
    let mut m = Merged::default();
    m.extend(errors);
    m.into_errors()
}
