//! The result schema (考核结果), version 1: what `kaohe assess --format json` prints and the
//! browser will show. Points are JSON numbers written with their exact decimal digits.

use crate::model::Name;
use rust_decimal::Decimal;
use serde::Serialize;

pub use crate::explain::{ItemView, Items, ItemsIter};
pub use crate::model::Publication;
pub use crate::previous::TrendPoint;

/// Name of the schema, in every result file.
pub const SCHEMA: &str = "kaohe-result";
/// Version of the schema; it changes only when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole assessment.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Report {
    /// Always `kaohe-result`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub schema: &'static str,
    /// Always 1 for this layout.
    pub schema_version: u32,
    /// Which rule set produced it.
    pub rule_set: RuleSetInfo,
    /// What produced it (来源): kaohe's version and the hashes of the rules, data and previous
    /// period, set by whoever reads the files (the CLI, the JS API); absent from a report made
    /// from units in memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<crate::provenance::Provenance>,
    /// Every unit, by cohort, then rank (unranked last), then input order.
    pub units: Vec<UnitResult>,
    /// Statistics per cohort (分组统计).
    pub cohorts: Vec<CohortStats>,
    /// Group figures (汇总), such as a county total from its townships.
    pub rollups: Vec<RollupResult>,
    /// The data errors of a run that scored the good rows (`--keep-going`): every row left out
    /// is here with each error found in it, so that a result never drops a unit silently.
    /// Absent when there were none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_errors: Vec<crate::DataError>,
}

/// One group's figure.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RollupResult {
    /// Roll-up id.
    pub id: String,
    /// Label.
    pub label: String,
    /// The group (the value of the `by` field, or `全部`).
    pub group: String,
    /// The figure.
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub value: Decimal,
    /// Rounded half-up to the rule set's decimals.
    pub display: String,
    /// Units it combines.
    pub units: usize,
}

/// A published figure of one unit, with its rank when ranked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MetricResult {
    /// Metric id.
    pub id: Name,
    /// Label.
    pub label: Name,
    /// Value, rounded half-up to the metric's decimals; `null` without data.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub value: Option<Decimal>,
    /// The value with exactly the metric's decimals, as published.
    pub display: Option<String>,
    /// Rank in the cohort on this metric.
    pub rank: Option<u32>,
    /// Rank last period.
    pub previous_rank: Option<u32>,
    /// Places gained (positive = up).
    pub rank_change: Option<i64>,
    /// For a survey index (问卷指数): its sample size, 95 % interval and notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample: Option<SampleResult>,
}

/// The statistics of a survey index for one unit (抽样误差): how many answers it rests on, its
/// 95 % interval, whether the sample is short, and how it stands against its neighbours.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SampleResult {
    /// Valid answers in the index's base (有效样本量): respondents less those left out of the
    /// base (不清楚, 拒答) or who gave no answer.
    pub n: u64,
    /// The effective sample size under weights or post-stratification (有效样本量，加权后),
    /// one decimal; absent when it is `n`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub effective_n: Option<Decimal>,
    /// `wilson` for a share of chosen answers (率值法), `mean` for mean points (平均分法).
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub method: &'static str,
    /// The standard error, two decimals; `null` when it cannot be estimated.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub standard_error: Option<Decimal>,
    /// The 95 % interval's lower and upper ends, two decimals; `null` without one.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub low: Option<Decimal>,
    /// See `low`.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub high: Option<Decimal>,
    /// The survey's minimum sample, when it declares one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_sample: Option<u64>,
    /// Fewer valid answers than the minimum: 样本不足，结果仅供参考.
    pub short: bool,
    /// Against the unit ranked just above on this index, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub above: Option<Gap>,
    /// Against the unit ranked just below.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub below: Option<Gap>,
    /// In words: 样本不足，结果仅供参考; 与第 2 名差距在误差范围内.
    pub notes: Vec<String>,
    /// The standard error unrounded, for comparing neighbours.
    #[serde(skip)]
    pub(crate) se: Option<f64>,
}

/// The difference between two units' published indices against its margin of error
/// (`1.96 × √(SE₁² + SE₂²)`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Gap {
    /// The other unit's rank on the index.
    pub rank: u32,
    /// The other unit's id.
    pub unit: String,
    /// The difference of the published indices, as published.
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub difference: Decimal,
    /// The margin of error of the difference, two decimals.
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub margin: Decimal,
    /// Whether the difference is within the margin (差距在误差范围内).
    pub within_margin: bool,
}

/// The rule set behind a report.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RuleSetInfo {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The file it came from.
    pub source: String,
    /// Points of the base scale.
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub max: Decimal,
    /// Total bonus cap.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub bonus_max: Option<Decimal>,
    /// Points every unit starts from (基础分), when the rule set declares them: a scheme that
    /// deducts from a base (负面清单).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub base: Option<Decimal>,
    /// Issuing body, period and document number for the 通报, as the rule set declares them.
    #[serde(flatten)]
    pub publication: crate::model::Publication,
    /// Decimals of published totals.
    pub decimals: u32,
}

/// One unit's result.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UnitResult {
    /// Unit id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Cohort it is ranked in (`全部` when the rule set has no groups).
    pub cohort: String,
    /// Row in the input.
    pub row: usize,
    /// Its place among the units scored, in input order (JSON Lines are written in it).
    #[serde(skip)]
    pub(crate) input: usize,
    /// Total points, exact; `null` when a veto hides the points.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub total: Option<Decimal>,
    /// Total rounded half-up to the rule set's decimals, as published; `null` when hidden.
    pub total_display: Option<String>,
    /// Points of scored and cohort indicators, after category caps.
    #[serde(serialize_with = "exact")]
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub base: Decimal,
    /// Bonus points, after the total cap.
    #[serde(serialize_with = "exact")]
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub bonus: Decimal,
    /// Grade (等次), when the rule set has bands.
    pub grade: Option<String>,
    /// Rank in its cohort (名次); `null` when kept out of the ranking.
    pub rank: Option<u32>,
    /// Rank in the previous period's results, when given.
    pub previous_rank: Option<u32>,
    /// Places gained since the previous period (positive = up ↑).
    pub rank_change: Option<i64>,
    /// The unit's total, rank and grade in each earlier period given (`--history`), oldest
    /// first; absent without a history.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trend: Vec<crate::previous::TrendPoint>,
    /// The total the previous period published (上期得分), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub previous_total: Option<Decimal>,
    /// Published total minus the previous one (分差), when both show.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub total_change: Option<Decimal>,
    /// Why the grade or rank is what it is (备注), in words: a veto, a prerequisite not met,
    /// a quota; empty when points alone decide.
    pub remarks: Vec<String>,
    /// Whether a one-vote veto struck.
    pub vetoed: bool,
    /// Whether the unit may receive awards (评优).
    pub awards_eligible: bool,
    /// Vetoes that struck, with reasons.
    pub vetoes: Vec<VetoHit>,
    /// Prerequisites not met, and the grades they kept the unit from.
    pub prerequisites_failed: Vec<PrerequisiteMiss>,
    /// Published figures (安全感, 满意度 …) with their ranks.
    pub metrics: Vec<MetricResult>,
    /// Every item's points with reasons (计分明细).
    pub items: crate::explain::Items,
    /// Caps applied to categories and to the bonus.
    pub adjustments: Vec<Adjustment>,
    /// The state after this period (挂牌 …), from the rule set's `state(…)`; `null` without one.
    pub state: Option<serde_json::Value>,
    /// Consequences triggered (处理结果).
    pub consequences: Vec<ConsequenceHit>,
}

/// One step of an explanation.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Reason {
    /// What happened, in words.
    pub detail: String,
    /// Points added (positive) or taken (negative) by this step, or awarded for a whole item.
    #[serde(serialize_with = "exact")]
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub points: Decimal,
    /// The data used.
    pub data: Vec<DataUse>,
}

/// A field value used by a rule.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DataUse {
    /// Field name.
    pub field: Name,
    /// Field label (column header).
    pub label: Name,
    /// The value as read.
    pub value: String,
}

/// A cap applied after items were scored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Adjustment {
    /// What was capped (a category name, or `bonus`).
    pub rule: String,
    /// In words.
    pub detail: String,
    /// Points removed (negative).
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub points: Decimal,
}

/// A veto that struck.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VetoHit {
    /// Veto id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Reason written by the rule author.
    pub reason: String,
    /// Data used.
    pub data: Vec<DataUse>,
}

/// A prerequisite not met.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PrerequisiteMiss {
    /// Prerequisite id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Grades it is needed for.
    pub grades: Vec<String>,
}

/// A consequence triggered.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConsequenceHit {
    /// Its name (黄牌, 约谈 …).
    pub name: String,
    /// The rule author's reason.
    pub reason: String,
}

/// Statistics of one cohort.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CohortStats {
    /// Cohort name.
    pub name: String,
    /// Units in it.
    pub units: usize,
    /// Units ranked.
    pub ranked: usize,
    /// Units vetoed.
    pub vetoed: usize,
    /// Mean total of units whose points show, rounded half-up to the rule set's decimals.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub mean: Option<Decimal>,
    /// Median total, same rounding.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub median: Option<Decimal>,
    /// Highest total.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub max: Option<Decimal>,
    /// Lowest total.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub min: Option<Decimal>,
    /// Units per grade, in band order.
    pub grades: Vec<GradeCount>,
}

/// Units with one grade.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GradeCount {
    /// Grade name.
    pub grade: String,
    /// How many units.
    pub count: usize,
}

/// A decimal written as the exact number it is (the same digits as `Decimal`'s own), a whole
/// number straight as an integer: most points are whole, and this skips the text the general
/// path writes first.
pub(crate) fn exact<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    match i64::try_from(d.mantissa()) {
        Ok(whole) if d.scale() == 0 => s.serialize_i64(whole),
        _ => Serialize::serialize(d, s),
    }
}
