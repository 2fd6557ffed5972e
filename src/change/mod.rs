//! What a change does (变化分析): how far each unit is from the next grade and rank, and
//! which changes of its data would close the gap (`gap.rs`, 差距分析); two runs compared — two
//! versions of a rule set, or of the data — unit by unit (`diff.rs`, 对比).

pub(crate) mod diff;
pub(crate) mod gap;

pub use diff::{diff, DiffReport, ItemChange, Shift, Side, UnitDiff};
pub use gap::{GapReport, GradeGap, ItemGap, Move, Plan, RankGap, UnitGap};
