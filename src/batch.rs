//! Batch scoring (批量评分) for jobs over many units: compile a rule set once, score a slice
//! of units — on one core or across all cores — and get compact results in input order.
//!
//! The batch path runs the same scoring and cohort stage as [`Rules::assess`], but writes no
//! explanation text: each unit's result is its points per item, total, veto, rank, grade and
//! consequences. The explanation of any unit can still be had from [`Rules::assess`].
//!
//! ```
//! let bundled = kaohe::bundled::default_set();
//! let rules = kaohe::Rules::compile(bundled.rules_path, bundled.rules).unwrap();
//! let data = kaohe::read(&rules, bundled.data_path, bundled.data.unwrap());
//! let scores = rules.score_batch(&data.units).unwrap();
//! assert_eq!(scores.len(), data.units.len());
//! assert_eq!(scores, rules.score_batch_parallel(&data.units).unwrap());
//! ```

use crate::compile::Rules;
use crate::data::Unit;
use crate::error::EvalErrors;
use crate::previous::Previous;
use rust_decimal::Decimal;

/// One unit's result from a batch run (批量结果), in the order the units were given.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnitScore {
    /// Base plus bonus points, exact and unrounded (总分); see [`Rules::display_total`].
    pub total: Decimal,
    /// Base points after category caps (基础分).
    pub base: Decimal,
    /// Bonus points after the bonus cap (加分).
    pub bonus: Decimal,
    /// The vetoes that struck, by index into [`Rules::vetoes`].
    pub vetoes: Vec<usize>,
    /// Place in its cohort (名次); `None` when the veto policy leaves it unranked.
    pub rank: Option<u32>,
    /// Grade (等次), by index into [`Rules::grades`]: [`Rules::grade_name`] names it.
    pub grade: Option<usize>,
    /// Points per item, in the order of [`Rules::items`] (the items, then the cohort
    /// indicators); `None` where the unit is not assessed on the item.
    pub items: Vec<Option<Decimal>>,
    /// The consequences that apply, by index into [`Rules::consequences`].
    pub consequences: Vec<usize>,
    /// Why the grade or rank is what it is (备注): vetoes, prerequisites and quotas in words.
    pub remarks: Vec<String>,
}

impl Rules {
    /// Scores every unit on one core: points, totals, ranks, grades and consequences without
    /// explanation text. Every rule failure is reported; any failure means no result.
    pub fn score_batch(&self, units: &[Unit]) -> Result<Vec<UnitScore>, EvalErrors> {
        self.batch(units, None, false)
    }

    /// As [`Rules::score_batch`], scoring units across all cores (rayon); the result is
    /// identical and in input order. On WebAssembly it runs on the one thread there is.
    pub fn score_batch_parallel(&self, units: &[Unit]) -> Result<Vec<UnitScore>, EvalErrors> {
        self.batch(units, None, true)
    }

    /// A total as published: rounded half-up to the rule set's decimals (`92.35`).
    pub fn display_total(&self, total: Decimal) -> String {
        crate::figures::display_total(total, self.set.decimals)
    }

    /// As [`Rules::score_batch`], against the previous period: consequences that read the
    /// previous ranks (`r.previous_rank`) or a state carried from it see them.
    pub fn score_batch_against(
        &self,
        units: &[Unit],
        previous: Option<&Previous>,
    ) -> Result<Vec<UnitScore>, EvalErrors> {
        self.batch(units, previous, false)
    }

    fn batch(
        &self,
        units: &[Unit],
        previous: Option<&Previous>,
        parallel: bool,
    ) -> Result<Vec<UnitScore>, EvalErrors> {
        Ok(self
            .run(units, previous, false, parallel)?
            .scores(&self.set))
    }
}

impl UnitScore {
    /// Struck by a one-vote veto (一票否决).
    pub fn vetoed(&self) -> bool {
        !self.vetoes.is_empty()
    }
}

/// Rules are shared by reference across threads in a parallel batch.
#[cfg(not(target_arch = "wasm32"))]
const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<Rules>();
};
