//! One unit as every writer publishes it (单位结果视图): rank, code and name, cohort, the total
//! as published, grade, the change since last period, vetoes, consequences, remarks, metrics,
//! state and each item's points — made once, from a report's unit ([`UnitView::of_result`]) or
//! from a batch score ([`UnitView::of_score`]), and read by the CSV, the workbook's 考核结果
//! sheet and JSON Lines alike, so that they agree by construction.
//!
//! **Numbers** (数字约定), in JSON and JSON Lines alike: points and totals are JSON numbers
//! written with their exact decimal digits (`92.35`, `101`), never rounded through a float; the
//! total as published — rounded half-up to the rule set's decimals, with its trailing zeros — is
//! the text `total_display` (`"92.40"`). A hidden total (a veto that hides the points) is `null`
//! in both.

use crate::batch::UnitScore;
use crate::data::Unit;
use crate::model::RuleSet;
use crate::previous::{Previous, Since};
use crate::result::{MetricResult, UnitResult};
use rust_decimal::Decimal;
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::borrow::Cow;
use std::collections::HashMap;

/// Name of the JSON Lines schema: every line of `kaohe assess --format jsonl` carries it.
pub const UNIT_SCHEMA: &str = "kaohe-unit";

/// The items a writer has a column for (计分项列): their ids and labels, in column order.
#[derive(Debug, Clone, Default)]
pub struct ItemColumns<'a> {
    /// Item ids.
    pub ids: Vec<&'a str>,
    /// Item labels (the column headers).
    pub labels: Vec<&'a str>,
    index: HashMap<&'a str, usize>,
}

impl<'a> ItemColumns<'a> {
    /// Every item of the rule set, then every cohort item: the index of a batch score's points
    /// (for [`UnitView::of_score`]; it finds no item by id).
    pub fn of_set(set: &'a RuleSet) -> Self {
        let mut cols = Self::default();
        for i in &set.items {
            cols.ids.push(&i.id);
            cols.labels.push(&i.label);
        }
        for c in &set.cohort_items {
            cols.ids.push(&c.id);
            cols.labels.push(&c.label);
        }
        cols
    }

    /// Every item some unit of `units` lists, in the order they are first listed (items with
    /// `only` belong to some units).
    pub fn of_results(units: &'a [UnitResult]) -> Self {
        let mut cols = Self::default();
        for u in units {
            for i in &u.items {
                if !cols.index.contains_key(i.id) {
                    cols.index.insert(i.id, cols.ids.len());
                    cols.ids.push(i.id);
                    cols.labels.push(i.label);
                }
            }
        }
        cols
    }
}

/// A unit's points per item, in the unit's own order, each by its column in [`ItemColumns`];
/// in JSON an object from item id to points, for the items the unit is assessed on.
#[derive(Debug, Clone)]
pub struct ItemPoints<'a> {
    ids: &'a [&'a str],
    points: Points<'a>,
}

/// A unit's points: listed from a report's items, or a batch score's own (one per column,
/// none for an item the unit is not assessed on), read where they are.
#[derive(Debug, Clone)]
enum Points<'a> {
    Listed(Vec<(usize, Decimal)>),
    Batch(&'a [Option<Decimal>]),
}

impl ItemPoints<'_> {
    /// `(column, points)` for each item the unit is assessed on.
    pub fn iter(&self) -> impl Iterator<Item = (usize, Decimal)> + '_ {
        let (listed, batch): (&[(usize, Decimal)], &[Option<Decimal>]) = match &self.points {
            Points::Listed(listed) => (listed, &[]),
            Points::Batch(batch) => (&[], batch),
        };
        let batch = batch
            .iter()
            .enumerate()
            .filter_map(|(k, p)| Some((k, (*p)?.normalize())));
        listed.iter().copied().chain(batch)
    }

    /// `(item id, points)` for each item the unit is assessed on.
    pub fn by_id(&self) -> impl Iterator<Item = (&str, Decimal)> + '_ {
        self.iter()
            .filter_map(|(k, p)| Some((*self.ids.get(k)?, p)))
    }
}

impl Serialize for ItemPoints<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Exact(Decimal);
        impl Serialize for Exact {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                crate::result::exact(&self.0, s)
            }
        }
        let mut m = s.serialize_map(None)?;
        for (id, p) in self.by_id() {
            m.serialize_entry(id, &Exact(p))?;
        }
        m.end()
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for ItemPoints<'_> {
    fn schema_name() -> Cow<'static, str> {
        "ItemPoints".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Points per item the unit is assessed on (计分明细的分值), by item id, in the rule set's order; exact decimal numbers.",
            "type": "object",
            "additionalProperties": { "type": "number" }
        })
    }
}

/// One unit's result as published (单位结果): what a JSON Lines line holds, and what the CSV
/// and the workbook's summary sheet write; the fields mean what the same fields of
/// [`UnitResult`] mean, without the explanation.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "kaohe-unit"))]
pub struct UnitView<'a> {
    /// Always `kaohe-unit`.
    pub schema: &'static str,
    /// Always 1 for this layout; it changes only when a field changes meaning or goes away.
    pub schema_version: u32,
    /// Unit code (单位编码).
    pub id: Cow<'a, str>,
    /// Display name (单位名称).
    pub name: Cow<'a, str>,
    /// Cohort it is ranked in (`全部` when the rule set has no groups).
    pub cohort: Cow<'a, str>,
    /// Row in the input.
    pub row: usize,
    /// Rank in its cohort (名次); `null` when kept out of the ranking.
    pub rank: Option<u32>,
    /// Total points, exact; `null` when a veto hides the points.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub total: Option<Decimal>,
    /// Total rounded half-up to the rule set's decimals, as published; `null` when hidden.
    pub total_display: Option<String>,
    /// Points of scored and cohort indicators, after category caps.
    #[serde(serialize_with = "crate::result::exact")]
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub base: Decimal,
    /// Bonus points, after the total cap.
    #[serde(serialize_with = "crate::result::exact")]
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub bonus: Decimal,
    /// Grade (等次), when the rule set has bands.
    pub grade: Option<Cow<'a, str>>,
    /// Rank in the previous period's results, when given.
    pub previous_rank: Option<u32>,
    /// Places gained since the previous period (positive = up ↑).
    pub rank_change: Option<i64>,
    /// The total the previous period published (上期得分), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub previous_total: Option<Decimal>,
    /// Published total minus the previous one (分差), when both show.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub total_change: Option<Decimal>,
    /// Why the grade or rank is what it is (备注), in words; empty when points alone decide.
    pub remarks: Cow<'a, [String]>,
    /// Whether a one-vote veto struck.
    pub vetoed: bool,
    /// Whether the unit may receive awards (评优).
    pub awards_eligible: bool,
    /// The labels of the vetoes that struck (一票否决).
    pub vetoes: Vec<&'a str>,
    /// The names of the consequences triggered (处理结果).
    pub consequences: Vec<&'a str>,
    /// Published figures (安全感, 满意度 …) with their ranks.
    pub metrics: Cow<'a, [MetricResult]>,
    /// The state after this period (挂牌 …); `null` without one.
    pub state: Option<&'a serde_json::Value>,
    /// Points per item the unit is assessed on, by item id.
    pub items: ItemPoints<'a>,
}

impl<'a> UnitView<'a> {
    /// A report's unit, its items by `columns` (made by [`ItemColumns::of_results`] from the
    /// same report).
    pub fn of_result(u: &'a UnitResult, columns: &'a ItemColumns<'a>) -> Self {
        Self {
            schema: UNIT_SCHEMA,
            schema_version: crate::result::SCHEMA_VERSION,
            id: Cow::Borrowed(&u.id),
            name: Cow::Borrowed(&u.name),
            cohort: Cow::Borrowed(&u.cohort),
            row: u.row,
            rank: u.rank,
            total: u.total,
            total_display: u.total_display.clone(),
            base: u.base,
            bonus: u.bonus,
            grade: u.grade.as_deref().map(Cow::Borrowed),
            previous_rank: u.previous_rank,
            rank_change: u.rank_change,
            previous_total: u.previous_total,
            total_change: u.total_change,
            remarks: Cow::Borrowed(&u.remarks),
            vetoed: u.vetoed,
            awards_eligible: u.awards_eligible,
            vetoes: u.vetoes.iter().map(|v| v.label.as_str()).collect(),
            consequences: u.consequences.iter().map(|c| c.name.as_str()).collect(),
            metrics: Cow::Borrowed(&u.metrics),
            state: u.state.as_ref(),
            items: ItemPoints {
                ids: &columns.ids,
                points: Points::Listed({
                    // In the rule set's order, as a batch score has them: a report lists cohort
                    // items in the order their stage scored them.
                    let mut points: Vec<(usize, usize, Decimal)> = u
                        .items
                        .iter_declared()
                        .filter_map(|(k, i)| Some((k, *columns.index.get(i.id)?, i.points)))
                        .collect();
                    points.sort_by_key(|p| p.0);
                    points.into_iter().map(|(_, c, p)| (c, p)).collect()
                }),
            },
        }
    }

    /// A unit's batch score in `cohort`, against the previous period if any, its items by
    /// `columns` (made by [`ItemColumns::of_set`]).
    pub fn of_score(
        set: &'a RuleSet,
        columns: &'a ItemColumns<'a>,
        unit: &'a Unit,
        cohort: &'a str,
        score: &'a UnitScore,
        previous: Option<&Previous>,
    ) -> Self {
        let text = |f: usize| unit.values.get(f).map(crate::model::Value::display);
        let id = text(set.id_field).unwrap_or_default();
        let name = set.name_field.and_then(text).unwrap_or_else(|| id.clone());
        let vetoed = score.vetoed();
        let shown = !vetoed || set.veto_policy.show_points;
        let published = shown.then(|| crate::figures::round_points(score.total, set.decimals));
        let since = Since::of(previous, &id, score.rank, published);
        Self {
            schema: UNIT_SCHEMA,
            schema_version: crate::result::SCHEMA_VERSION,
            name: Cow::Owned(name),
            id: Cow::Owned(id),
            cohort: Cow::Borrowed(cohort),
            row: unit.row,
            rank: score.rank,
            total: shown.then_some(score.total),
            total_display: shown.then(|| crate::figures::display_total(score.total, set.decimals)),
            base: score.base.normalize(),
            bonus: score.bonus.normalize(),
            grade: score
                .grade
                .map(|g| Cow::Borrowed(set.bands[g].name.as_str())),
            previous_rank: since.rank,
            rank_change: since.rank_change,
            previous_total: since.total,
            total_change: since.total_change,
            remarks: Cow::Borrowed(&score.remarks),
            vetoed,
            awards_eligible: !vetoed || set.veto_policy.awards,
            vetoes: score
                .vetoes
                .iter()
                .filter_map(|k| set.vetoes.get(*k).map(|v| v.label.as_str()))
                .collect(),
            consequences: score
                .consequences
                .iter()
                .filter_map(|k| set.consequences.get(*k).map(|c| c.name.as_str()))
                .collect(),
            metrics: Cow::Borrowed(&[]),
            state: None,
            items: ItemPoints {
                ids: &columns.ids,
                points: Points::Batch(&score.items),
            },
        }
    }

    /// The `status` of the unit's state, if it has one (挂牌 …).
    pub fn state_status(&self) -> Option<&str> {
        self.state?.get("status")?.as_str()
    }
}
