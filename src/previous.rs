//! The previous period (上期结果): ranks, metric ranks and states read back from a
//! `kaohe-result` file, for rank change (名次变化, 保位升位), the change of total (上期得分,
//! 分差) and listing across periods.

use crate::error::DataError;
use crate::messages::data as msg;
use crate::result::SCHEMA;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::str::FromStr;

/// What the previous period's result says about each unit, by unit id.
#[derive(Debug, Clone, Default)]
pub struct Previous {
    /// Overall rank.
    pub(crate) ranks: HashMap<String, u32>,
    /// Rank on each ranked metric: unit id → metric id → rank.
    pub(crate) metric_ranks: HashMap<String, HashMap<String, u32>>,
    /// The state the unit ended the period in (挂牌 …).
    pub(crate) states: HashMap<String, serde_json::Value>,
    /// The total as that period published it (上期得分): its `total_display`, else its `total`.
    pub(crate) totals: HashMap<String, Decimal>,
    /// Each unit's points per item then: unit id → item id → points.
    pub(crate) items: HashMap<String, HashMap<String, Decimal>>,
    /// The grade the unit was given then (上期等次).
    pub(crate) grades: HashMap<String, String>,
    /// The consequences the unit drew then (上期结果运用: 黄牌、约谈 …), by name.
    pub(crate) consequences: HashMap<String, Vec<String>>,
    /// The cohort each unit was ranked in then.
    pub(crate) cohorts: HashMap<String, String>,
    /// The vetoes that struck each unit then, by id (empty: not vetoed).
    pub(crate) vetoes: HashMap<String, Vec<String>>,
    /// Each cohort's distinct rank numbers then, worst first, and how many units it ranked.
    pub(crate) cohort_ranks: HashMap<String, (Vec<u32>, usize)>,
    /// The periods before this one, oldest first (`--history`): what 连续 N 期 conditions and
    /// a unit's trend read. Empty with a single previous result.
    pub(crate) history: Vec<Previous>,
    /// Whether results list each unit's trend over the periods (`--history`).
    pub(crate) trend: bool,
}

/// One unit in one earlier period (历次): what its trend shows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TrendPoint {
    /// The total as published then; `null` when the unit was not listed or its points hidden.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub total: Option<Decimal>,
    /// Its rank then.
    pub rank: Option<u32>,
    /// Its grade then.
    pub grade: Option<String>,
}

fn total_of(u: &serde_json::Value) -> Option<Decimal> {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    u.get("total_display")
        .and_then(text)
        .or_else(|| u.get("total").and_then(text))
        .and_then(|t| Decimal::from_str(t.trim()).ok())
}

fn rank_of(v: Option<&serde_json::Value>) -> Option<u32> {
    v.and_then(serde_json::Value::as_u64)
        .and_then(|r| u32::try_from(r).ok())
}

impl Previous {
    /// Reads a `kaohe-result` JSON text. A file that is not one is a data error (数据错误,
    /// `D09xx`) about the whole file.
    pub fn from_json(json: &str) -> Result<Self, DataError> {
        let v: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| DataError::file(msg::previous_not_json(&e.to_string())))?;
        Self::from_value(&v)
    }

    /// Reads a parsed `kaohe-result` value.
    pub(crate) fn from_value(v: &serde_json::Value) -> Result<Self, DataError> {
        if v.get("schema").and_then(|s| s.as_str()) != Some(SCHEMA) {
            return Err(DataError::file(msg::previous_not_a_result(SCHEMA)));
        }
        let units = v
            .get("units")
            .and_then(|u| u.as_array())
            .ok_or_else(|| DataError::file(msg::previous_without_units()))?;
        let mut out = Self::default();
        for u in units {
            let Some(id) = u.get("id").and_then(|i| i.as_str()) else {
                continue;
            };
            if let Some(total) = total_of(u) {
                out.totals.insert(id.to_string(), total);
            }
            if let Some(rank) = rank_of(u.get("rank")) {
                out.ranks.insert(id.to_string(), rank);
            }
            if let Some(metrics) = u.get("metrics").and_then(|m| m.as_array()) {
                let ranks: HashMap<String, u32> = metrics
                    .iter()
                    .filter_map(|m| {
                        let mid = m.get("id")?.as_str()?;
                        Some((mid.to_string(), rank_of(m.get("rank"))?))
                    })
                    .collect();
                if !ranks.is_empty() {
                    out.metric_ranks.insert(id.to_string(), ranks);
                }
            }
            if let Some(grade) = u.get("grade").and_then(|g| g.as_str()) {
                out.grades.insert(id.to_string(), grade.to_string());
            }
            if let Some(cohort) = u.get("cohort").and_then(|g| g.as_str()) {
                out.cohorts.insert(id.to_string(), cohort.to_string());
            }
            let vetoes: Vec<String> = u
                .get("vetoes")
                .and_then(|c| c.as_array())
                .into_iter()
                .flatten()
                .filter_map(|v| Some(v.get("id")?.as_str()?.to_string()))
                .collect();
            if !vetoes.is_empty() {
                out.vetoes.insert(id.to_string(), vetoes);
            }
            let drew: Vec<String> = u
                .get("consequences")
                .and_then(|c| c.as_array())
                .into_iter()
                .flatten()
                .filter_map(|c| Some(c.get("name")?.as_str()?.to_string()))
                .collect();
            if !drew.is_empty() {
                out.consequences.insert(id.to_string(), drew);
            }
            if let Some(state) = u.get("state").filter(|s| !s.is_null()) {
                out.states.insert(id.to_string(), state.clone());
            }
            let points: HashMap<String, Decimal> = u
                .get("items")
                .and_then(|i| i.as_array())
                .into_iter()
                .flatten()
                .filter_map(|i| {
                    let item = i.get("id")?.as_str()?;
                    let p = match i.get("points")? {
                        serde_json::Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
                        serde_json::Value::String(s) => Decimal::from_str(s.trim()).ok(),
                        _ => None,
                    }?;
                    Some((item.to_string(), p))
                })
                .collect();
            // Listed then, even with no points to read (a unit left out of every item).
            out.items.insert(id.to_string(), points);
        }
        for (id, rank) in &out.ranks {
            let cohort = out.cohorts.get(id).cloned().unwrap_or_default();
            let entry = out.cohort_ranks.entry(cohort).or_default();
            entry.0.push(*rank);
            entry.1 += 1;
        }
        for (worst, _) in out.cohort_ranks.values_mut() {
            worst.sort_unstable_by(|a, b| b.cmp(a));
            worst.dedup();
        }
        Ok(out)
    }
}

impl Previous {
    /// Several earlier periods' results, oldest first (`--history`): the last is the previous
    /// period, the others its history; results then list each unit's trend. `None` for none.
    pub fn from_periods(mut periods: Vec<Previous>) -> Option<Self> {
        let mut last = periods.pop()?;
        last.history = periods;
        last.trend = true;
        Some(last)
    }

    /// The period `k` periods back (1: the previous one), if given.
    pub(crate) fn back(&self, k: usize) -> Option<&Previous> {
        match k {
            0 => None,
            1 => Some(self),
            _ => self
                .history
                .len()
                .checked_sub(k - 1)
                .map(|i| &self.history[i]),
        }
    }

    /// Unit `id`'s trend over the periods given, oldest first; empty unless asked for
    /// (`--history`).
    pub(crate) fn trend(&self, id: &str) -> Vec<TrendPoint> {
        if !self.trend {
            return Vec::new();
        }
        self.history
            .iter()
            .chain(std::iter::once(self))
            .map(|p| TrendPoint {
                total: p.totals.get(id).copied(),
                rank: p.ranks.get(id).copied(),
                grade: p.grades.get(id).cloned(),
            })
            .collect()
    }

    /// Whether unit `id` met `outcome` in this period, as its result then says; `None` for an
    /// outcome a result does not record (a data condition, a closure). `before` is the period
    /// before this one, for `improved`.
    pub(crate) fn met(
        &self,
        id: &str,
        outcome: &crate::model::Outcome,
        before: Option<&Previous>,
    ) -> Option<bool> {
        use crate::model::Outcome;
        let rank = self.ranks.get(id).copied();
        let no_ranks = (Vec::new(), 0);
        let cohort = self.cohorts.get(id).map_or("", String::as_str);
        let (worst, ranked) = self.cohort_ranks.get(cohort).unwrap_or(&no_ranks);
        Some(match outcome {
            Outcome::Grade(g) => self.grades.get(id) == Some(g),
            Outcome::Top(n) => rank.is_some_and(|k| (k as usize) <= *n),
            Outcome::Bottom(n) => rank.is_some_and(|k| (k as usize).saturating_add(*n) > *ranked),
            Outcome::BottomRanks(n) => {
                rank.is_some_and(|k| worst.get(n.saturating_sub(1)).is_none_or(|last| k >= *last))
            }
            Outcome::Vetoed => self.vetoes.contains_key(id),
            Outcome::Veto(v) => self.vetoes.get(id).is_some_and(|hit| hit.contains(v)),
            Outcome::TotalBelow(x) => self.totals.get(id).is_some_and(|t| t < x),
            Outcome::State(st) => {
                self.states.get(id).and_then(|s| s.get("status")?.as_str()) == Some(st.as_str())
            }
            Outcome::Improved => {
                let then = before.and_then(|b| b.ranks.get(id).copied());
                matches!((rank, then), (Some(now), Some(then)) if now < then)
            }
            Outcome::Consequence(name) => self
                .consequences
                .get(id)
                .is_some_and(|c| c.iter().any(|n| n == name)),
            Outcome::Consecutive { .. } | Outcome::Data(_) | Outcome::Closure(_) => return None,
        })
    }

    /// Whether the previous period's result lists unit `id` (上期有此单位).
    pub(crate) fn lists(&self, id: &str) -> bool {
        self.items.contains_key(id)
    }

    /// What an item reads of unit `id` in the previous period; `None` when the unit was not
    /// listed then or the figure is not there.
    pub(crate) fn value(&self, id: &str, what: &PreviousValue) -> Option<Decimal> {
        match what {
            PreviousValue::Rank => self.ranks.get(id).map(|r| Decimal::from(*r)),
            PreviousValue::Total => self.totals.get(id).copied(),
            PreviousValue::Item(item) => self.items.get(id)?.get(&**item).copied(),
            PreviousValue::State(key) => match self.states.get(id)?.get(&**key)? {
                serde_json::Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
                serde_json::Value::Bool(b) => Some(Decimal::from(u8::from(*b))),
                serde_json::Value::String(t) => Decimal::from_str(t.trim()).ok(),
                _ => None,
            },
        }
    }
}

/// A label of the previous period a CONDITION tests (上期等次、上期结果运用):
/// `#{ previous_grade: "不合格" }`, `#{ previous_consequence: "黄牌" }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviousLabel {
    /// The grade then was one of these (上期等次为 …).
    Grade(Vec<crate::model::Name>),
    /// The unit drew this consequence then (上期被亮黄牌 …).
    Consequence(crate::model::Name),
}

impl PreviousLabel {
    /// Whether unit `id` had this label in `previous`; a unit not listed then has none.
    pub fn holds(&self, previous: &Previous, id: &str) -> bool {
        match self {
            Self::Grade(names) => previous
                .grades
                .get(id)
                .is_some_and(|g| names.iter().any(|n| **n == **g)),
            Self::Consequence(name) => previous
                .consequences
                .get(id)
                .is_some_and(|c| c.iter().any(|n| **n == **name)),
        }
    }

    /// What was read, in words (上期等次, 上期结果运用), and the unit's value then.
    pub fn read(&self, previous: Option<&Previous>, id: &str) -> (&'static str, String) {
        let label = match self {
            Self::Grade(_) => "上期等次",
            Self::Consequence(_) => "上期结果运用",
        };
        let value = match previous {
            None => "（未提供上期结果）".to_string(),
            Some(p) if !p.lists(id) => "（上期无此单位）".to_string(),
            Some(p) => match self {
                Self::Grade(_) => p.grades.get(id).cloned().unwrap_or_else(|| "（无）".into()),
                Self::Consequence(_) => p
                    .consequences
                    .get(id)
                    .map_or_else(|| "（无）".into(), |c| c.join("、")),
            },
        };
        (label, value)
    }
}

/// A figure of the previous period an item reads (上期结果): `#{ previous: "rank" }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PreviousValue {
    /// 上期名次.
    Rank,
    /// 上期得分 (as published).
    Total,
    /// An item's points then (上期该项得分), by id.
    Item(crate::model::Name),
    /// A number (or yes/no as 1/0) in the state the unit ended that period in (上期状态: 已挂牌
    ///月数、连续末位次数), by its key: `#{ previous: "state.months" }`.
    State(crate::model::Name),
}

impl PreviousValue {
    /// The figure in words: 上期名次, 上期得分, 上期“…”得分.
    pub fn words(&self, set: &crate::model::RuleSet) -> String {
        match self {
            Self::Rank => "上期名次".into(),
            Self::Total => "上期得分".into(),
            Self::Item(id) => {
                let label = set
                    .items
                    .iter()
                    .find(|i| i.id == *id)
                    .map_or(&**id, |i| &*i.label);
                format!("上期“{label}”得分")
            }
            Self::State(key) => format!("上期状态 {key}"),
        }
    }
}

/// A unit against the previous period (与上期相比): its rank and published total then, and how
/// each changed. One computation for every writer: a report's units and a streamed CSV alike.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Since {
    /// The rank then (上期名次).
    pub rank: Option<u32>,
    /// Places gained (名次变化: positive is up), when ranked both times.
    pub rank_change: Option<i64>,
    /// The total as published then (上期得分).
    pub total: Option<Decimal>,
    /// The published total now less the one then (分差), when both are shown.
    pub total_change: Option<Decimal>,
}

impl Since {
    /// Unit `id`, now at `rank` with the total published as `published` (rounded to the rule
    /// set's decimals; `None` when not shown), against `previous`; nothing without one.
    pub fn of(
        previous: Option<&Previous>,
        id: &str,
        rank: Option<u32>,
        published: Option<Decimal>,
    ) -> Self {
        let Some(p) = previous else {
            return Self::default();
        };
        let before = p.ranks.get(id).copied();
        let total = p.totals.get(id).copied();
        Self {
            rank: before,
            rank_change: before
                .zip(rank)
                .map(|(then, now)| i64::from(then) - i64::from(now)),
            total: total.map(|t| t.normalize()),
            total_change: published
                .zip(total)
                .map(|(now, then)| now.saturating_sub(then).normalize()),
        }
    }
}
