//! A run's CSV and terminal table in memory through the batch path (批量输出): each unit's
//! compact score, in the order a report lists units, with the columns and the cohort statistics
//! a report's has, without building the report (on 100k county townships, about a quarter of
//! the CLI's peak memory and time for the CSV). For a rule set that shows no metrics and no
//! state: those only the report has.

use super::report::{cohort_stats, listing_key, rollups};
use super::stream::{columns, has_previous_total, listed_at, Listing};
use super::{Run, Standing};
use crate::batch::UnitScore;
use crate::compile::Rules;
use crate::data::Unit;
use crate::error::EvalErrors;
use crate::output::{Columns, UnitWriter};
use crate::previous::Previous;
use crate::result::{CohortStats, RollupResult};
use crate::view::{ItemColumns, UnitView};

/// A run's units as a report lists them, scored by the batch path.
struct Listed<'u> {
    /// Each unit, its cohort (an index into `cohorts`) and its score, in the report's order.
    units: Vec<(&'u Unit, usize, UnitScore)>,
    /// The CSV's columns.
    columns: Columns,
    /// Each cohort's statistics (分组统计), and the roll-ups (汇总).
    cohorts: Vec<CohortStats>,
    rollups: Vec<RollupResult>,
}

impl Listed<'_> {
    /// The name of cohort `k` (its statistics list the cohorts in order).
    fn cohort_name(&self, k: usize) -> &str {
        self.cohorts.get(k).map_or("", |c| c.name.as_str())
    }
}

impl Rules {
    /// The CSV of `units` (no byte-order mark) as [`Report::to_csv`](crate::Report::to_csv)
    /// writes the report [`Rules::assess_unexplained`] gives, byte for byte, from the batch
    /// path. `None` when the rule set publishes metrics or carries a state (columns only the
    /// report has): write the report then. Every rule failure is reported; any failure means no
    /// result.
    pub fn csv_batch(
        &self,
        units: &[Unit],
        previous: Option<&Previous>,
    ) -> Result<Option<Vec<u8>>, EvalErrors> {
        let Some(mut listed) = self.listed(units, previous)? else {
            return Ok(None);
        };
        let set = &self.set;
        let columns = std::mem::take(&mut listed.columns);
        let Ok(mut w) = UnitWriter::csv(set, columns, previous, Vec::new()) else {
            return Ok(None);
        };
        for (unit, cohort, score) in &listed.units {
            if w.write(unit, listed.cohort_name(*cohort), score).is_err() {
                return Ok(None);
            }
        }
        Ok(w.into_inner())
    }

    /// The terminal table of `units` as [`Report::to_table`](crate::Report::to_table) writes
    /// the report [`Rules::assess_unexplained`] gives, byte for byte, from the batch path;
    /// `None` as for [`Rules::csv_batch`].
    pub fn table_batch(
        &self,
        units: &[Unit],
        previous: Option<&Previous>,
    ) -> Result<Option<String>, EvalErrors> {
        let Some(listed) = self.listed(units, previous)? else {
            return Ok(None);
        };
        let set = &self.set;
        // A table shows no item's points: the views list none.
        let items = ItemColumns::default();
        let views: Vec<UnitView<'_>> = listed
            .units
            .iter()
            .map(|(unit, cohort, score)| {
                let cohort = listed.cohort_name(*cohort);
                UnitView::of_score(set, &items, unit, cohort, score, previous)
            })
            .collect();
        Ok(Some(crate::output::table_of(
            (&set.title, &set.id, set.decimals),
            &views,
            &listed.cohorts,
            &listed.rollups,
        )))
    }

    /// The units scored by the batch path in the report's order, with what its CSV and table
    /// show beside them; `None` for a rule set with metrics or a state.
    fn listed<'u>(
        &self,
        units: &'u [Unit],
        previous: Option<&'u Previous>,
    ) -> Result<Option<Listed<'u>>, EvalErrors> {
        let set = &self.set;
        if !set.metrics.is_empty() || set.state.is_some() {
            return Ok(None);
        }
        let run = self.run(units, previous, false, false)?;
        let rows = &run.table.rows;
        let mut listing = Listing::new(set.item_count());
        let mut previous_total = false;
        for (i, (k, s)) in run.kept.iter().zip(rows).enumerate() {
            listing.see(listed_at(set, s, i), &k.scored.points);
            previous_total = previous_total || has_previous_total(set, previous, k.unit);
        }
        let columns = columns(&run.table, &listing, previous_total);
        let cohorts = cohort_stats(set, &run.table);
        let rollups = rollups(set, rows, &run.kept);
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&i| listing_key(&rows[i], i));
        let cohort_of: Vec<usize> = rows.iter().map(Standing::cohort).collect();
        let listed: Vec<&Unit> = run.kept.iter().map(|k| k.unit).collect();
        let mut scores: Vec<Option<UnitScore>> =
            Run::scores(run, set).into_iter().map(Some).collect();
        let units = order
            .into_iter()
            .filter_map(|i| Some((listed[i], cohort_of[i], scores.get_mut(i)?.take()?)))
            .collect();
        Ok(Some(Listed {
            units,
            columns,
            cohorts,
            rollups,
        }))
    }
}
