//! The streamed run (流式评分, [`Tally`]), for inputs too large to hold: the same pipeline as a
//! run in memory, holding only the standings. Whether a rule set can be streamed
//! ([`Rules::streamable`]), and what a streamed CSV needs to know before its first row to have
//! the columns a report's CSV has ([`Tally::columns`]).

use super::{consequences, merged, report, Placed, Standing, Standings};
use crate::batch::UnitScore;
use crate::compile::Rules;
use crate::data::Unit;
use crate::error::{EvalError, EvalErrors, Merged};
use crate::eval::{item_categories, score_unit, Links, Scored};
use crate::model::{RuleSet, VetoRank};
use crate::output::Columns;
use crate::previous::Previous;
use rust_decimal::Decimal;
use std::cmp::Reverse;

/// A streamed run (流式评分), for inputs too large to hold: a first pass over the units keeps
/// only each unit's standing (total, vetoes, prerequisites) and then places them — ranks and
/// grades with quotas, through the same stages as a run in memory — and a second pass over the
/// same units, in the same order, gives each unit's full [`UnitScore`] with its consequences
/// and remarks (备注). What is kept per unit is its compact standing (about 64 bytes), whatever
/// the width of the data; measured with the reader's id check and the ranking's sort, a
/// million units of JSON Lines take 281 MB and three million 591 MB (about 155 bytes per unit).
pub struct Tally<'r> {
    rules: &'r Rules,
    categories: Vec<Option<usize>>,
    links: Links<'static>,
    table: Standings,
    /// Rule failures of the first pass, identical ones merged as they come.
    errors: Merged,
    /// The previous period, for consequences that read it and for a CSV's 上期得分.
    previous: Option<&'r Previous>,
    /// Whether some unit has a total in the previous period.
    previous_totals: bool,
    listing: Listing,
}

impl Rules {
    /// Whether this rule set can be streamed: every rule must be answerable from one unit's
    /// data plus its place in the cohort. Otherwise, the reason in words.
    pub fn streamable(&self) -> Result<(), crate::messages::Text> {
        let set = &self.set;
        let linked = crate::eval::reads_other_units(set);
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
                "它读取其他单位或上期的数值（捆绑考核、组内平均、上期结果等）",
                "it reads values of other units or of the previous period (捆绑考核, cohort means …)",
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
            table: Standings::default(),
            errors: Merged::default(),
            previous: None,
            previous_totals: false,
            listing: Listing::new(self.set.item_count()),
        }
    }
}

impl<'r> Tally<'r> {
    /// Against the previous period (上期): consequences see its ranks, and a CSV has its totals
    /// and the changes (名次变化, 上期得分, 分差). Before the first unit is added.
    pub fn against(mut self, previous: &'r Previous) -> Self {
        self.previous = Some(previous);
        self
    }

    /// First pass: scores one unit and keeps its standing; rule failures are kept for
    /// [`Tally::place`].
    pub fn add(&mut self, unit: &Unit) {
        let set = &self.rules.set;
        let mut errors = Vec::new();
        let scored = self.scored(unit, &mut errors);
        self.errors.extend(errors);
        let Some(mut scored) = scored else { return };
        let i = self.table.rows.len();
        self.table.add(set, unit, &mut scored);
        if let Some(standing) = self.table.rows.get(i) {
            self.listing
                .see(listed_at(set, standing, i), &scored.points);
        }
        self.previous_totals = self.previous_totals || has_previous_total(set, self.previous, unit);
    }

    /// One unit scored on its own: both passes score it alike.
    fn scored(&self, unit: &Unit, errors: &mut Vec<EvalError>) -> Option<Scored> {
        score_unit(
            self.rules,
            &self.categories,
            unit,
            &[],
            &self.links,
            errors,
            None,
        )
    }

    /// Units added so far.
    pub fn len(&self) -> usize {
        self.table.rows.len()
    }

    /// Whether no unit was added.
    pub fn is_empty(&self) -> bool {
        self.table.rows.is_empty()
    }

    /// Ranks and grades every cohort, once every unit is added; every rule failure of the
    /// first pass is reported here.
    pub fn place(&mut self) -> Result<(), EvalErrors> {
        if !self.errors.is_empty() {
            let mut errors = std::mem::take(&mut self.errors);
            self.links.breaker.finish(&mut errors);
            return Err(errors.into_errors());
        }
        // Nothing held: the stages that need every unit's points are not streamed.
        self.table.place(self.rules, None, &mut Vec::new());
        Ok(())
    }

    /// Second pass: the full result of the `i`-th unit added (the same unit again).
    pub fn score(&self, i: usize, unit: &Unit) -> Result<UnitScore, EvalErrors> {
        let mut errors = Vec::new();
        let standing = self.table.rows.get(i);
        let scored = self.scored(unit, &mut errors);
        let (Some(standing), Some(scored)) = (standing, scored) else {
            return Err(merged(errors));
        };
        let placed = Placed {
            unit,
            scored: &scored,
            standing,
            metric_ranks: &[],
            state: None,
        };
        let cohort = self.table.cohort_of(i);
        let hits = consequences::of(
            self.rules,
            &self.links,
            placed,
            cohort,
            self.previous,
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(merged(errors));
        }
        let set = &self.rules.set;
        Ok(report::unit_score(
            set,
            scored,
            standing,
            self.table.notes(i),
            hits,
        ))
    }

    /// The name of the cohort the `i`-th unit is in.
    pub fn cohort(&self, i: usize) -> Option<&str> {
        let row = self.table.rows.get(i)?;
        self.table
            .cohorts
            .names
            .get(row.cohort())
            .map(String::as_str)
    }

    /// The columns a report's CSV of the same units has, once placed: for a streamed CSV to
    /// be written as that one is.
    pub(crate) fn columns(&self) -> Columns {
        columns(&self.table, &self.listing, self.previous_totals)
    }

    /// The rules it scores by.
    pub(crate) fn rules(&self) -> &'r Rules {
        self.rules
    }

    /// The previous period it runs against, if any.
    pub(crate) fn previous(&self) -> Option<&'r Previous> {
        self.previous
    }
}

/// Whether the previous period has a total for `unit` (a CSV then shows 上期得分 and 分差).
pub(super) fn has_previous_total(set: &RuleSet, previous: Option<&Previous>, unit: &Unit) -> bool {
    previous.is_some_and(|p| p.totals.contains_key(&unit.values[set.id_field].display()))
}

/// The columns of a report's CSV, from the placed standings: 上期得分 when some unit has one,
/// 备注 when some unit has a remark, then the items some unit is assessed on, in the order a
/// report first lists one.
pub(super) fn columns(table: &Standings, listing: &Listing, previous_total: bool) -> Columns {
    Columns {
        previous_total,
        remarks: !table.notes.is_empty() || table.rows.iter().any(|s| s.vetoed),
        items: listing.items(),
        ..Columns::default()
    }
}

/// Where a report lists a unit (see [`report::listing_key`]: cohort, rank, input order),
/// known before it is ranked: ranks follow the total within each group the veto policy makes
/// (ranked, vetoed ranked last, vetoed unranked), equal totals share a rank.
type Key = (usize, u8, Reverse<Decimal>, usize);

pub(super) fn listed_at(set: &RuleSet, s: &Standing, i: usize) -> Key {
    match (s.vetoed, set.veto_policy.rank) {
        (true, VetoRank::Excluded) => (s.cohort(), 2, Reverse(Decimal::ZERO), i),
        (true, VetoRank::Last) => (s.cohort(), 1, Reverse(s.total), i),
        _ => (s.cohort(), 0, Reverse(s.total), i),
    }
}

/// The items some unit is assessed on, and where a report first lists one that is: a report's
/// CSV has a column for each such item, in that order (an item with `only` may come later).
pub(super) struct Listing {
    /// Per item (then cohort item): the first place a unit assessed on it is listed.
    first: Vec<Option<Key>>,
    /// The latest of those places; a unit listed after it changes nothing.
    last: Option<Key>,
    /// Items no unit has been assessed on yet.
    unseen: Vec<usize>,
}

impl Listing {
    pub(super) fn new(items: usize) -> Self {
        Self {
            first: vec![None; items],
            last: None,
            unseen: (0..items).collect(),
        }
    }

    /// A unit listed at `key` with its points per item. Most units change nothing: checked
    /// with one comparison and a look at the items not seen yet.
    pub(super) fn see(&mut self, key: Key, points: &[Option<Decimal>]) {
        let earlier = self.last.is_some_and(|last| key < last);
        let new = self
            .unseen
            .iter()
            .any(|&k| points.get(k).is_some_and(Option::is_some));
        if !earlier && !new {
            return;
        }
        for (first, p) in self.first.iter_mut().zip(points) {
            if p.is_some() && first.is_none_or(|f| key < f) {
                *first = Some(key);
            }
        }
        let first = &self.first;
        self.unseen.retain(|&k| first[k].is_none());
        self.last = first.iter().flatten().max().copied();
    }

    /// The items some unit is assessed on, in the order a report first lists them.
    pub(super) fn items(&self) -> Vec<usize> {
        let mut seen: Vec<(Key, usize)> = (self.first.iter().enumerate())
            .filter_map(|(k, f)| Some(((*f)?, k)))
            .collect();
        seen.sort_unstable();
        seen.into_iter().map(|(_, k)| k).collect()
    }
}
