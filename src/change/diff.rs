//! Two runs compared (对比): the same units under two versions of a rule set, or under one
//! rule set with two versions of the data — per unit the total, rank, grade, vetoes and
//! consequences before and after, with the items that changed and by how much, the units that
//! moved most first; and a summary of what moved (3 个单位等次变化 …; 基层基础 平均 +1.2 分).

use crate::figures::fmt;
use crate::result::{Report, UnitResult};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;

/// Name of the comparison's schema.
pub const SCHEMA: &str = "kaohe-diff";
/// Its version; it changes only when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// Two runs compared.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DiffReport {
    /// Always `kaohe-diff`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub schema: &'static str,
    /// Always 1 for this layout.
    pub schema_version: u32,
    /// What the first run was (its rule set and data), in words given by the caller.
    pub before: String,
    /// What the second run was.
    pub after: String,
    /// Units whose grade changed.
    pub grades_changed: usize,
    /// Units whose rank changed.
    pub ranks_changed: usize,
    /// Units whose total changed.
    pub totals_changed: usize,
    /// The summary in sentences.
    pub summary: Vec<String>,
    /// Categories and items whose points changed, by their mean change, largest first.
    pub shifts: Vec<Shift>,
    /// Every unit, those that moved most first; a unit in only one run is listed with the
    /// other side empty.
    pub units: Vec<UnitDiff>,
}

/// How a category's or an item's points changed across the units in both runs.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Shift {
    /// `category` or `item`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub kind: &'static str,
    /// The category's name or the item's id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Units whose points on it changed.
    pub units: usize,
    /// Mean change over the units in both runs, two decimals.
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub mean: Decimal,
}

/// One unit in both runs.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UnitDiff {
    /// Unit id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Before; `null` when the unit was not in the first run.
    pub before: Option<Side>,
    /// After; `null` when the unit is not in the second run.
    pub after: Option<Side>,
    /// Published total after less before, when both show.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub total_change: Option<Decimal>,
    /// Places gained (positive = up).
    pub rank_change: Option<i64>,
    /// Whether the grade changed.
    pub grade_changed: bool,
    /// Items whose points changed.
    pub items: Vec<ItemChange>,
}

/// A unit's standing in one run.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Side {
    /// Total points, exact; `null` when a veto hides it.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub total: Option<Decimal>,
    /// Total as published (rounded half-up to the rule set's decimals); `null` when hidden.
    pub total_display: Option<String>,
    /// Rank.
    pub rank: Option<u32>,
    /// Grade.
    pub grade: Option<String>,
    /// Vetoes that struck (labels).
    pub vetoes: Vec<String>,
    /// Consequences (labels).
    pub consequences: Vec<String>,
}

/// An item whose points changed for a unit.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ItemChange {
    /// Item id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Points before; `null` when the item was not in the first run or the unit was not
    /// assessed on it.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub before: Option<Decimal>,
    /// Points after.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub after: Option<Decimal>,
    /// After less before (a missing side counts 0).
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    pub change: Decimal,
}

/// A category's or an item's changes as they are added up.
#[derive(Default)]
struct Tally {
    label: String,
    /// Units whose points on it changed.
    changed: usize,
    /// The changes added up.
    sum: Decimal,
    /// Units in both runs.
    units: usize,
}

fn side(u: &UnitResult) -> Side {
    Side {
        total: u.total,
        total_display: u.total_display.clone(),
        rank: u.rank,
        grade: u.grade.clone(),
        vetoes: u.vetoes.iter().map(|v| v.label.clone()).collect(),
        consequences: u.consequences.iter().map(|c| c.name.clone()).collect(),
    }
}

/// Each item's points of a unit, by id, with its label and category.
fn points(u: &UnitResult) -> Vec<(String, String, Option<String>, Decimal)> {
    u.items
        .iter()
        .map(|i| {
            let category = i.category.map(str::to_string);
            (i.id.to_string(), i.label.to_string(), category, i.points)
        })
        .collect()
}

/// `before` against `after`, described as `before_name` and `after_name` (the rule files and
/// data files of each run).
pub fn diff(before: &Report, after: &Report, before_name: &str, after_name: &str) -> DiffReport {
    let decimals = after.rule_set.decimals;
    let old: HashMap<&str, &UnitResult> = before.units.iter().map(|u| (u.id.as_str(), u)).collect();
    let new_ids: HashMap<&str, ()> = after.units.iter().map(|u| (u.id.as_str(), ())).collect();
    let mut units = Vec::new();
    // Each category's and item's changes, in order of first appearance, found by key.
    let mut shifts: Vec<((&'static str, String), Tally)> = Vec::new();
    let mut shift_at: HashMap<(&'static str, String), usize> = HashMap::new();
    let mut add_shift = |kind: &'static str, id: &str, label: &str, change: Decimal| {
        let key = (kind, id.to_string());
        let k = *shift_at.entry(key.clone()).or_insert_with(|| {
            shifts.push((
                key,
                Tally {
                    label: label.to_string(),
                    ..Tally::default()
                },
            ));
            shifts.len() - 1
        });
        let s = &mut shifts[k].1;
        s.units += 1;
        if !change.is_zero() {
            s.changed += 1;
            s.sum = s.sum.saturating_add(change);
        }
    };
    for u in &after.units {
        let was = old.get(u.id.as_str()).copied();
        let mut items = Vec::new();
        if let Some(w) = was {
            let before_points = points(w);
            let after_points = points(u);
            let mut categories: Vec<(String, Decimal)> = Vec::new();
            let mut note = |cat: &Option<String>, change: Decimal| {
                if let Some(c) = cat {
                    match categories.iter_mut().find(|(n, _)| n == c) {
                        Some((_, d)) => *d = d.saturating_add(change),
                        None => categories.push((c.clone(), change)),
                    }
                }
            };
            let before_at: HashMap<&str, Decimal> =
                before_points.iter().map(|x| (x.0.as_str(), x.3)).collect();
            let after_ids: std::collections::HashSet<&str> =
                after_points.iter().map(|x| x.0.as_str()).collect();
            for (id, label, cat, p) in &after_points {
                let b = before_at.get(id.as_str()).copied();
                let change = p.saturating_sub(b.unwrap_or_default()).normalize();
                note(cat, change);
                add_shift("item", id, label, change);
                if b != Some(*p) {
                    items.push(ItemChange {
                        id: id.clone(),
                        label: label.clone(),
                        before: b,
                        after: Some(*p),
                        change,
                    });
                }
            }
            for (id, label, cat, b) in &before_points {
                if !after_ids.contains(id.as_str()) {
                    let change = -b.normalize();
                    note(cat, change);
                    add_shift("item", id, label, change);
                    items.push(ItemChange {
                        id: id.clone(),
                        label: label.clone(),
                        before: Some(*b),
                        after: None,
                        change,
                    });
                }
            }
            for (c, change) in categories {
                add_shift("category", &c, &c, change);
            }
        }
        let published = |r: &UnitResult| r.total.map(|t| crate::figures::round_points(t, decimals));
        let total_change = match (was.and_then(published), published(u)) {
            (Some(a), Some(b)) => Some(b.saturating_sub(a).normalize()),
            _ => None,
        };
        let rank_change = match (was.and_then(|w| w.rank), u.rank) {
            (Some(a), Some(b)) => Some(i64::from(a) - i64::from(b)),
            _ => None,
        };
        units.push(UnitDiff {
            id: u.id.clone(),
            name: u.name.clone(),
            grade_changed: was.is_some_and(|w| w.grade != u.grade),
            before: was.map(side),
            after: Some(side(u)),
            total_change,
            rank_change,
            items,
        });
    }
    for w in before
        .units
        .iter()
        .filter(|w| !new_ids.contains_key(w.id.as_str()))
    {
        units.push(UnitDiff {
            id: w.id.clone(),
            name: w.name.clone(),
            before: Some(side(w)),
            after: None,
            total_change: None,
            rank_change: None,
            grade_changed: false,
            items: Vec::new(),
        });
    }
    // The units that moved most first: grade, then total, then rank; the rest as listed.
    let weight = |d: &UnitDiff| {
        (
            !(d.grade_changed || d.before.is_none() || d.after.is_none()),
            std::cmp::Reverse(d.total_change.map(|c| c.abs()).unwrap_or_default()),
            std::cmp::Reverse(d.rank_change.map(i64::abs).unwrap_or_default()),
        )
    };
    units.sort_by_key(weight);
    let grades_changed = units.iter().filter(|d| d.grade_changed).count();
    let ranks_changed = units
        .iter()
        .filter(|d| d.rank_change.is_some_and(|c| c != 0))
        .count();
    let totals_changed = units
        .iter()
        .filter(|d| d.total_change.is_some_and(|c| !c.is_zero()))
        .count();
    let mut shifts: Vec<Shift> = shifts
        .into_iter()
        .filter(|(_, s)| s.changed > 0)
        .map(|((kind, id), t)| Shift {
            kind,
            id,
            label: t.label,
            units: t.changed,
            mean: crate::figures::round_points(
                t.sum
                    .checked_div(Decimal::from(t.units.max(1)))
                    .unwrap_or_default(),
                2,
            )
            .normalize(),
        })
        .collect();
    shifts.sort_by(|a, b| {
        (a.kind != "category")
            .cmp(&(b.kind != "category"))
            .then(b.mean.abs().cmp(&a.mean.abs()))
    });
    let mut summary = vec![format!(
        "{grades_changed} 个单位等次变化，{ranks_changed} 个单位名次变化，{totals_changed} 个单位总分变化"
    )];
    let added = units.iter().filter(|d| d.before.is_none()).count();
    let gone = units.iter().filter(|d| d.after.is_none()).count();
    if added + gone > 0 {
        summary.push(format!("新增 {added} 个单位，减少 {gone} 个单位"));
    }
    for s in shifts.iter().filter(|s| s.kind == "category").take(5) {
        summary.push(format!(
            "{}：平均 {} 分（{} 个单位变化）",
            s.label,
            signed(s.mean),
            s.units
        ));
    }
    DiffReport {
        schema: SCHEMA,
        schema_version: SCHEMA_VERSION,
        before: before_name.to_string(),
        after: after_name.to_string(),
        grades_changed,
        ranks_changed,
        totals_changed,
        summary,
        shifts,
        units,
    }
}

/// +1.2 / -0.5 / 0.
fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO {
        format!("+{}", fmt(d))
    } else {
        fmt(d)
    }
}

/// 86.20 → 88.00 / — → 88.00.
fn arrow<T: std::fmt::Display>(a: Option<T>, b: Option<T>) -> String {
    let show = |x: Option<T>| x.map_or_else(|| "—".to_string(), |v| v.to_string());
    format!("{} → {}", show(a), show(b))
}

impl DiffReport {
    /// The comparison as a person reads it: the summary, then each unit that changed with
    /// its items.
    pub fn table(&self) -> String {
        let mut s = format!("对比：{} → {}\n", self.before, self.after);
        for line in &self.summary {
            let _ = writeln!(s, "{line}");
        }
        let items: Vec<&Shift> = self.shifts.iter().filter(|x| x.kind == "item").collect();
        if !items.is_empty() {
            let _ = writeln!(s, "\n项目变化（平均）：");
            for x in items.iter().take(10) {
                let _ = writeln!(
                    s,
                    "  {} {} 分（{} 个单位）",
                    x.label,
                    signed(x.mean),
                    x.units
                );
            }
        }
        let moved: Vec<&UnitDiff> = self
            .units
            .iter()
            .filter(|d| {
                d.grade_changed
                    || d.before.is_none()
                    || d.after.is_none()
                    || d.total_change.is_some_and(|c| !c.is_zero())
                    || d.rank_change.is_some_and(|c| c != 0)
                    || !d.items.is_empty()
            })
            .collect();
        if moved.is_empty() {
            let _ = writeln!(s, "\n没有单位的结果发生变化");
        }
        for d in moved {
            let b = d.before.as_ref();
            let a = d.after.as_ref();
            let _ = write!(s, "\n{}（{}）", d.name, d.id);
            match (b, a) {
                (None, _) => s.push_str("：新增单位"),
                (_, None) => s.push_str("：本次无此单位"),
                _ => {}
            }
            s.push('\n');
            let _ = write!(
                s,
                "  总分 {}",
                arrow(
                    b.and_then(|x| x.total_display.clone()),
                    a.and_then(|x| x.total_display.clone())
                )
            );
            if let Some(c) = d.total_change.filter(|c| !c.is_zero()) {
                let _ = write!(s, "（{}）", signed(c));
            }
            let _ = write!(
                s,
                "；名次 {}",
                arrow(b.and_then(|x| x.rank), a.and_then(|x| x.rank))
            );
            if let Some(c) = d.rank_change.filter(|c| *c != 0) {
                let _ = write!(s, "（{}{}）", if c > 0 { "↑" } else { "↓" }, c.abs());
            }
            let _ = writeln!(
                s,
                "；等次 {}",
                arrow(
                    b.and_then(|x| x.grade.clone()),
                    a.and_then(|x| x.grade.clone())
                )
            );
            let list = |x: Option<&Side>, f: fn(&Side) -> &Vec<String>| {
                x.map(|x| f(x).join("、")).unwrap_or_default()
            };
            let (vb, va) = (list(b, |x| &x.vetoes), list(a, |x| &x.vetoes));
            if vb != va {
                let _ = writeln!(s, "  一票否决：{} → {}", or_none(&vb), or_none(&va));
            }
            let (cb, ca) = (list(b, |x| &x.consequences), list(a, |x| &x.consequences));
            if cb != ca {
                let _ = writeln!(s, "  结果运用：{} → {}", or_none(&cb), or_none(&ca));
            }
            for i in &d.items {
                let _ = writeln!(
                    s,
                    "  · {} {}（{}）",
                    i.label,
                    arrow(i.before.map(fmt), i.after.map(fmt)),
                    signed(i.change)
                );
            }
        }
        crate::output::printable_lines(&s)
    }

    /// One row per unit (UTF-8, no byte-order mark): before and after, the changes, and the
    /// items that changed.
    /// The writer failing (it writes to memory) is C0008.
    pub fn csv(&self) -> Result<Vec<u8>, crate::messages::Message> {
        self.write_csv()
            .map_err(|e| crate::messages::cli::cannot_write_result(&e.to_string()))
    }

    fn write_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "单位编码",
            "单位名称",
            "原总分",
            "新总分",
            "总分变化",
            "原名次",
            "新名次",
            "名次变化",
            "原等次",
            "新等次",
            "原一票否决",
            "新一票否决",
            "原结果运用",
            "新结果运用",
            "变化的项目",
        ])?;
        for d in &self.units {
            let (b, a) = (d.before.as_ref(), d.after.as_ref());
            let text = |x: Option<&Side>, f: fn(&Side) -> Option<String>| {
                x.and_then(f).unwrap_or_default()
            };
            let rank = |x: Option<&Side>| {
                x.and_then(|x| x.rank)
                    .map(|r| r.to_string())
                    .unwrap_or_default()
            };
            let join = |x: Option<&Side>, f: fn(&Side) -> &Vec<String>| {
                x.map(|x| f(x).join("、")).unwrap_or_default()
            };
            let items: Vec<String> = d
                .items
                .iter()
                .map(|i| format!("{} {}", i.label, signed(i.change)))
                .collect();
            let safe = |t: String| crate::output::spreadsheet_safe(&t).into_owned();
            let record = [
                safe(d.id.clone()),
                safe(d.name.clone()),
                text(b, |x| x.total_display.clone()),
                text(a, |x| x.total_display.clone()),
                d.total_change.map(fmt).unwrap_or_default(),
                rank(b),
                rank(a),
                d.rank_change.map(|c| c.to_string()).unwrap_or_default(),
                safe(text(b, |x| x.grade.clone())),
                safe(text(a, |x| x.grade.clone())),
                safe(join(b, |x| &x.vetoes)),
                safe(join(a, |x| &x.vetoes)),
                safe(join(b, |x| &x.consequences)),
                safe(join(a, |x| &x.consequences)),
                safe(items.join("；")),
            ];
            w.write_record(&record)?;
        }
        w.into_inner().map_err(|e| e.into_error().into())
    }
}

fn or_none(s: &str) -> &str {
    if s.is_empty() {
        "无"
    } else {
        s
    }
}
