//! A run's CSV in memory through the batch path (批量输出): each unit's compact score written in
//! the order a report lists units, with the columns a report's CSV has, without building the
//! report (on 100k county townships, about a quarter of the CLI's peak memory and time). For a
//! rule set whose CSV shows no metrics and no state:
//! those columns only the report has.

use super::stream::{columns, has_previous_total, listed_at, Listing};
use super::{report::listing_key, Run, Standing};
use crate::compile::Rules;
use crate::data::Unit;
use crate::error::EvalErrors;
use crate::output::UnitWriter;
use crate::previous::Previous;

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
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&i| listing_key(&rows[i], i));
        let cohorts: Vec<usize> = rows.iter().map(Standing::cohort).collect();
        let names = run.table.cohorts.names.clone();
        let listed: Vec<&Unit> = run.kept.iter().map(|k| k.unit).collect();
        let scores = Run::scores(run, set);
        let Ok(mut w) = UnitWriter::csv(set, columns, previous, Vec::new()) else {
            return Ok(None);
        };
        for i in order {
            let cohort = names.get(cohorts[i]).map_or("", String::as_str);
            if w.write(listed[i], cohort, &scores[i]).is_err() {
                return Ok(None);
            }
        }
        Ok(w.into_inner())
    }
}
