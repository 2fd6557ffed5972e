//! Scoring units (评分): per-unit items and vetoes in native Rust (closures call into Rhai),
//! then the cohort stage: cohort indicators, totals, ranks, grades, consequences.

use crate::compile::{to_decimal, Rules};
use crate::data::Unit;
use crate::error::{EvalError, EvalErrors, SourceLocation};
use crate::model::*;
use crate::result::*;
use crate::sandbox;
use rhai::{Array, Dynamic, FnPtr, Map};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::HashMap;

/// The previous period's ranks, by unit id (上期名次).
pub type PreviousRanks = HashMap<String, u32>;

/// Reads the ranks out of a previous `kaohe-result` JSON file.
pub fn previous_ranks(json: &str) -> Result<PreviousRanks, String> {
    let v: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not valid JSON: {e}"))?;
    if v.get("schema").and_then(|s| s.as_str()) != Some(SCHEMA) {
        return Err(format!(
            "not a `{SCHEMA}` file (no `\"schema\": \"{SCHEMA}\"`)"
        ));
    }
    let units = v
        .get("units")
        .and_then(|u| u.as_array())
        .ok_or_else(|| "the file has no `units` list".to_string())?;
    let mut out = HashMap::new();
    for u in units {
        let id = u.get("id").and_then(|i| i.as_str());
        let rank = u
            .get("rank")
            .and_then(serde_json::Value::as_u64)
            .and_then(|r| u32::try_from(r).ok());
        if let (Some(id), Some(rank)) = (id, rank) {
            out.insert(id.to_string(), rank);
        }
    }
    Ok(out)
}

enum Measured {
    Value(Decimal, Vec<DataUse>),
    Blank(Vec<DataUse>),
    /// A ratio whose denominator is zero: counts as met.
    NoBase(Vec<DataUse>),
}

struct Ctx<'a> {
    rules: &'a Rules,
    unit: &'a Unit,
    unit_id: String,
    map: Option<Map>,
    errors: &'a mut Vec<EvalError>,
}

fn fmt(d: Decimal) -> String {
    d.normalize().to_string()
}

/// `a / b`, saturating instead of overflowing (a zero `b` gives the largest value of `a`'s sign).
fn ratio(a: Decimal, b: Decimal) -> Decimal {
    a.checked_div(b)
        .unwrap_or(if a.is_sign_negative() != b.is_sign_negative() {
            Decimal::MIN
        } else {
            Decimal::MAX
        })
}

/// `a / b` clamped to [0, 1]: the share of an item's points earned.
fn share(a: Decimal, b: Decimal) -> Decimal {
    if b.is_zero() {
        return Decimal::ONE;
    }
    ratio(a, b).clamp(Decimal::ZERO, Decimal::ONE)
}

/// A unit's value against a reference (the cohort's best or average), as a share in [0, 1];
/// for lower-is-better values the reference is divided by the value.
fn relative(v: Decimal, reference: Decimal, ascending: bool) -> Decimal {
    if ascending {
        share(reference, v)
    } else {
        share(v, reference)
    }
}

/// Adds points without ever overflowing.
fn sum<'a>(it: impl Iterator<Item = &'a Decimal>) -> Decimal {
    it.fold(Decimal::ZERO, |acc, x| acc.saturating_add(*x))
}

fn round(d: Decimal, places: u32) -> Decimal {
    d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

impl Ctx<'_> {
    fn set(&self) -> &RuleSet {
        &self.rules.set
    }

    fn use_of(&self, f: usize) -> DataUse {
        let field = &self.set().fields[f];
        DataUse {
            field: field.name.clone(),
            label: field.label.clone(),
            value: self.unit.values[f].display(),
        }
    }

    fn unit_map(&mut self) -> Map {
        if let Some(m) = &self.map {
            return m.clone();
        }
        let m = unit_map(self.set(), self.unit);
        self.map = Some(m.clone());
        m
    }

    fn call(&mut self, f: &FnPtr, arg: Map, rule: &str, pos: rhai::Position) -> Option<Dynamic> {
        match f.call::<Dynamic>(&self.rules.engine, &self.rules.ast, (arg,)) {
            Ok(v) => Some(v),
            Err(e) => {
                let p = sandbox::innermost_position(&e)
                    .or_else(|| closure_position(&self.rules.ast, f))
                    .unwrap_or(pos);
                self.errors.push(EvalError {
                    location: SourceLocation::new(&self.rules.set.source, p),
                    rule: rule.to_string(),
                    unit: self.unit_id.clone(),
                    message: sandbox::describe(&e),
                });
                None
            }
        }
    }

    fn fail(&mut self, rule: &str, pos: rhai::Position, message: String) {
        self.errors.push(EvalError {
            location: SourceLocation::new(&self.rules.set.source, pos),
            rule: rule.to_string(),
            unit: self.unit_id.clone(),
            message,
        });
    }

    fn measure(&mut self, m: &Measure, rule: &str, pos: rhai::Position) -> Option<Measured> {
        match m {
            Measure::Field(f) => {
                let used = vec![self.use_of(*f)];
                Some(match self.unit.values[*f].number() {
                    Some(v) => Measured::Value(v, used),
                    None => Measured::Blank(used),
                })
            }
            Measure::Ratio { num, den, scale } => {
                let used = vec![self.use_of(*num), self.use_of(*den)];
                let (n, d) = (
                    self.unit.values[*num].number(),
                    self.unit.values[*den].number(),
                );
                Some(match (n, d) {
                    (Some(_), Some(d)) if d.is_zero() => Measured::NoBase(used),
                    (Some(n), Some(d)) => Measured::Value(ratio(n.saturating_mul(*scale), d), used),
                    _ => Measured::Blank(used),
                })
            }
            Measure::Closure(f) => {
                let arg = self.unit_map();
                let v = self.call(f, arg, rule, pos)?;
                if v.is_unit() {
                    return Some(Measured::Blank(Vec::new()));
                }
                match to_decimal(&v) {
                    Some(d) => Some(Measured::Value(d, Vec::new())),
                    None => {
                        self.fail(
                            rule,
                            pos,
                            format!("the value closure returned {}, not a number", v.type_name()),
                        );
                        None
                    }
                }
            }
        }
    }

    fn condition(
        &mut self,
        c: &Condition,
        rule: &str,
        pos: rhai::Position,
    ) -> Option<(bool, Vec<DataUse>)> {
        match c {
            Condition::Compare(f, b) => {
                let used = vec![self.use_of(*f)];
                let hit = self.unit.values[*f].number().is_some_and(|v| b.holds(v));
                Some((hit, used))
            }
            Condition::Is(f, v) => {
                let used = vec![self.use_of(*f)];
                Some((&self.unit.values[*f] == v, used))
            }
            Condition::Closure(f) => {
                let arg = self.unit_map();
                let v = self.call(f, arg, rule, pos)?;
                match v.as_bool() {
                    Ok(b) => Some((b, Vec::new())),
                    Err(t) => {
                        self.fail(
                            rule,
                            pos,
                            format!("the condition returned {t}, not true or false"),
                        );
                        None
                    }
                }
            }
        }
    }
}

/// Where a closure's body starts, for errors (such as a runaway loop) that carry no position.
fn closure_position(ast: &rhai::AST, f: &FnPtr) -> Option<rhai::Position> {
    let params = f.curry().len() + 1;
    ast.shared_lib()
        .get_script_fn(f.fn_name(), params)
        .map(|def| def.body.start_position())
        .filter(|p| !p.is_none())
}

/// Builds the map a closure sees as `u`: field name → value.
fn unit_map(set: &RuleSet, unit: &Unit) -> Map {
    let mut m = Map::new();
    for (f, v) in set.fields.iter().zip(&unit.values) {
        m.insert(f.name.as_str().into(), value_dynamic(v));
    }
    m
}

fn value_dynamic(v: &Value) -> Dynamic {
    match v {
        Value::Missing => Dynamic::UNIT,
        Value::Text(s) => Dynamic::from(s.clone()),
        Value::Int(i) => Dynamic::from_int(*i),
        Value::Number(d) => Dynamic::from_decimal(*d),
        Value::Bool(b) => Dynamic::from_bool(*b),
    }
}

fn measured_text(used: &[DataUse], value: Decimal, is_ratio: bool) -> String {
    let v = fmt(round(value, 4));
    match used {
        [one] if !is_ratio => format!("{} = {}", one.label, one.value),
        [n, d] => format!("{}/{} = {}/{} → {v}", n.label, d.label, n.value, d.value),
        _ => format!("计算值 = {v}"),
    }
}

/// One unit scored on its own, before the cohort stage.
struct Scored {
    items: Vec<ItemResult>,
    adjustments: Vec<Adjustment>,
    base: Decimal,
    bonus: Decimal,
    vetoes: Vec<VetoHit>,
    prereq_failed: Vec<PrerequisiteMiss>,
}

fn score_item(cx: &mut Ctx, item: &Item) -> Option<ItemResult> {
    let decimals = cx.set().decimals;
    let mut result = ItemResult {
        id: item.id.clone(),
        label: item.label.clone(),
        category: item.category.clone(),
        kind: item.kind,
        max: item.max.normalize(),
        points: Decimal::ZERO,
        not_applicable: false,
        text: item.text.clone(),
        reasons: Vec::new(),
    };
    let full = |result: &mut ItemResult, detail: String, data: Vec<DataUse>| {
        result.not_applicable = true;
        result.points = item.max.normalize();
        result.reasons.push(Reason {
            detail,
            points: item.max.normalize(),
            data,
        });
    };
    if let Some(cond) = &item.applies {
        let (applies, data) = cx.condition(cond, &item.id, item.pos)?;
        if !applies {
            full(&mut result, "不适用，按满分计".into(), data);
            return Some(result);
        }
    }
    let measure = match &item.shape {
        Shape::Target(m, ..) | Shape::Bands(m, _) | Shape::Zero(m) => Some(m),
        Shape::Linear { measure, .. } => Some(measure),
        _ => None,
    };
    let measured = match measure {
        Some(m) => {
            let is_ratio = matches!(m, Measure::Ratio { .. });
            match cx.measure(m, &item.id, item.pos)? {
                Measured::Value(v, data) => Some((v, data, is_ratio)),
                Measured::NoBase(data) => {
                    full(&mut result, "分母为 0，视为达标，按满分计".into(), data);
                    return Some(result);
                }
                Measured::Blank(data) => {
                    if item.blank_is_full {
                        full(&mut result, "数据为空，不适用，按满分计".into(), data);
                        return Some(result);
                    }
                    result.reasons.push(Reason {
                        detail: "无数据，不得分".into(),
                        points: Decimal::ZERO,
                        data,
                    });
                    return Some(result);
                }
            }
        }
        None => None,
    };
    let max = item.max;
    match (&item.shape, measured) {
        (Shape::Deduct(list), _) => {
            let mut taken = Decimal::ZERO;
            for d in list {
                let used = cx.use_of(d.count);
                let count = cx.unit.values[d.count].number().unwrap_or_default();
                let steps = ratio(count, d.step).floor();
                let minus = steps.saturating_mul(d.each);
                if minus > Decimal::ZERO {
                    taken = taken.saturating_add(minus);
                    let per = if d.step == Decimal::ONE {
                        format!("每{}扣 {} 分", "项", fmt(d.each))
                    } else {
                        format!("每 {} 扣 {} 分", fmt(d.step), fmt(d.each))
                    };
                    result.reasons.push(Reason {
                        detail: format!(
                            "{} = {}，{per}，扣 {} 分",
                            used.label,
                            used.value,
                            fmt(minus)
                        ),
                        points: -minus.normalize(),
                        data: vec![used],
                    });
                }
            }
            if taken > max {
                result.reasons.push(Reason {
                    detail: format!("扣分 {} 超过本项分值，扣完为止，计 0 分", fmt(taken)),
                    points: taken.saturating_sub(max).normalize(),
                    data: Vec::new(),
                });
            }
            if taken.is_zero() {
                result.reasons.push(Reason {
                    detail: "无扣分情形，得满分".into(),
                    points: Decimal::ZERO,
                    data: list.iter().map(|d| cx.use_of(d.count)).collect(),
                });
            }
            result.points = max.saturating_sub(taken).max(Decimal::ZERO).normalize();
        }
        (Shape::Count(d), _) => {
            let used = cx.use_of(d.count);
            let count = cx.unit.values[d.count].number().unwrap_or_default();
            let raw = ratio(count, d.step)
                .floor()
                .max(Decimal::ZERO)
                .saturating_mul(d.each);
            let points = raw.min(max);
            let mut detail = format!("{} = {}，计 {} 分", used.label, used.value, fmt(raw));
            if raw > max {
                detail.push_str(&format!("，超过上限按 {} 分计", fmt(max)));
            }
            result.reasons.push(Reason {
                detail,
                points: points.normalize(),
                data: vec![used],
            });
            result.points = points.normalize();
        }
        (Shape::Target(_, bound, shortfall), Some((v, data, is_ratio))) => {
            let seen = measured_text(&data, v, is_ratio);
            let (points, detail) = if bound.holds(v) {
                (
                    max,
                    format!("{seen}，达到目标（{}），得满分", bound.describe()),
                )
            } else {
                match (shortfall, bound) {
                    (Shortfall::Proportional, Bound::AtLeast(t) | Bound::Above(t))
                        if !t.is_zero() =>
                    {
                        let p = round(max * share(v, *t), decimals);
                        (
                            p,
                            format!(
                                "{seen}，未达到目标（{}），按比例得 {} 分",
                                bound.describe(),
                                fmt(p)
                            ),
                        )
                    }
                    (Shortfall::Proportional, Bound::AtMost(t) | Bound::Below(t))
                        if !v.is_zero() =>
                    {
                        let p = round(max * share(*t, v), decimals);
                        (
                            p,
                            format!(
                                "{seen}，未达到目标（{}），按比例得 {} 分",
                                bound.describe(),
                                fmt(p)
                            ),
                        )
                    }
                    _ => (
                        Decimal::ZERO,
                        format!("{seen}，未达到目标（{}），不得分", bound.describe()),
                    ),
                }
            };
            result.points = points.normalize();
            result.reasons.push(Reason {
                detail,
                points: result.points,
                data,
            });
        }
        (
            Shape::Linear {
                full_at, zero_at, ..
            },
            Some((v, data, is_ratio)),
        ) => {
            let t = share(v.saturating_sub(*zero_at), full_at.saturating_sub(*zero_at));
            let p = round(max * t, decimals);
            result.points = p;
            result.reasons.push(Reason {
                detail: format!(
                    "{}，{} 及以上满分、{} 为 0 分，按线性得 {} 分",
                    measured_text(&data, v, is_ratio),
                    fmt(*full_at),
                    fmt(*zero_at),
                    fmt(p)
                ),
                points: p,
                data,
            });
        }
        (Shape::Bands(_, steps), Some((v, data, is_ratio))) => {
            let seen = measured_text(&data, v, is_ratio);
            let hit = steps.iter().find(|(b, _)| b.holds(v));
            let (p, detail) = match hit {
                Some((b, p)) => (*p, format!("{seen}，{}档，得 {} 分", b.describe(), fmt(*p))),
                None => (Decimal::ZERO, format!("{seen}，未达到最低档，不得分")),
            };
            result.points = p.min(max).normalize();
            result.reasons.push(Reason {
                detail,
                points: result.points,
                data,
            });
        }
        (Shape::Zero(_), Some((v, data, is_ratio))) => {
            let seen = measured_text(&data, v, is_ratio);
            let (p, detail) = if v.is_zero() {
                (max, format!("{seen}，实现零目标，得满分"))
            } else {
                (Decimal::ZERO, format!("{seen}，未实现零目标，本项不得分"))
            };
            result.points = p.normalize();
            result.reasons.push(Reason {
                detail,
                points: result.points,
                data,
            });
        }
        (Shape::Score(f), _) => {
            let arg = cx.unit_map();
            let v = cx.call(f, arg, &item.id, item.pos)?;
            let (points, why) = closure_points(&v);
            let Some(points) = points else {
                cx.fail(
                    &item.id,
                    item.pos,
                    format!("the score closure returned {}, expected points, `[points, \"reason\"]` or `#{{points, reason}}`", v.type_name()),
                );
                return None;
            };
            // A bonus is capped at its maximum (单项加分封顶); an indicator out of range is a rule bug.
            let (points, why) = if item.kind == ItemKind::Bonus && points > max {
                let why = why.unwrap_or_else(|| format!("按自定义规则计 {} 分", fmt(points)));
                (max, Some(format!("{why}，超过上限按 {} 分计", fmt(max))))
            } else {
                (points, why)
            };
            if points < Decimal::ZERO || points > max {
                cx.fail(
                    &item.id,
                    item.pos,
                    format!(
                        "the score closure gave {} points, outside 0 to {}",
                        fmt(points),
                        fmt(max)
                    ),
                );
                return None;
            }
            result.points = points.normalize();
            result.reasons.push(Reason {
                detail: why.unwrap_or_else(|| format!("按自定义规则计 {} 分", fmt(points))),
                points: result.points,
                data: Vec::new(),
            });
        }
        _ => {}
    }
    Some(result)
}

fn closure_points(v: &Dynamic) -> (Option<Decimal>, Option<String>) {
    if let Some(d) = to_decimal(v) {
        return (Some(d), None);
    }
    if let Some(a) = v.clone().try_cast::<Array>() {
        let p = a.first().and_then(to_decimal);
        let why = a.get(1).map(ToString::to_string);
        return (p.filter(|_| a.len() == 2), why);
    }
    if let Some(m) = v.clone().try_cast::<Map>() {
        let p = m.get("points").and_then(to_decimal);
        let why = m.get("reason").map(ToString::to_string);
        return (p, why);
    }
    (None, None)
}

fn score_unit(rules: &Rules, unit: &Unit, errors: &mut Vec<EvalError>) -> Option<Scored> {
    let set = &rules.set;
    let before = errors.len();
    let mut cx = Ctx {
        rules,
        unit,
        unit_id: unit.values[set.id_field].display(),
        map: None,
        errors,
    };
    let mut items = Vec::with_capacity(set.items.len());
    for item in &set.items {
        if let Some(r) = score_item(&mut cx, item) {
            items.push(r);
        }
    }
    let mut vetoes = Vec::new();
    for v in &set.vetoes {
        if let Some((true, data)) = cx.condition(&v.when, &v.id, v.pos) {
            vetoes.push(VetoHit {
                id: v.id.clone(),
                label: v.label.clone(),
                reason: v.reason.clone(),
                data,
            });
        }
    }
    let mut prereq_failed = Vec::new();
    for p in &set.prerequisites {
        if let Some((false, _)) = cx.condition(&p.when, &p.id, p.pos) {
            prereq_failed.push(PrerequisiteMiss {
                id: p.id.clone(),
                label: p.label.clone(),
                grades: p.grades.clone(),
            });
        }
    }
    if cx.errors.len() > before {
        return None;
    }
    let mut adjustments = Vec::new();
    let mut base = Decimal::ZERO;
    for (name, cap) in &set.categories {
        let in_category = sum(items
            .iter()
            .filter(|i| i.kind == ItemKind::Indicator && i.category.as_deref() == Some(name))
            .map(|i| &i.points));
        if in_category > *cap {
            adjustments.push(Adjustment {
                rule: name.clone(),
                detail: format!(
                    "{name}合计 {}，超过本类上限 {}，按 {} 计",
                    fmt(in_category),
                    fmt(*cap),
                    fmt(*cap)
                ),
                points: cap.saturating_sub(in_category).normalize(),
            });
            base = base.saturating_add(*cap);
        } else {
            base = base.saturating_add(in_category);
        }
    }
    let uncategorised = sum(items
        .iter()
        .filter(|i| {
            i.kind == ItemKind::Indicator
                && !i
                    .category
                    .as_ref()
                    .is_some_and(|c| set.categories.iter().any(|(n, _)| n == c))
        })
        .map(|i| &i.points));
    base = base.saturating_add(uncategorised);
    let mut bonus = sum(items
        .iter()
        .filter(|i| i.kind == ItemKind::Bonus)
        .map(|i| &i.points));
    if let Some(cap) = set.bonus_max {
        if bonus > cap {
            adjustments.push(Adjustment {
                rule: "bonus".into(),
                detail: format!(
                    "加分合计 {}，超过加分上限 {}，按 {} 计",
                    fmt(bonus),
                    fmt(cap),
                    fmt(cap)
                ),
                points: cap.saturating_sub(bonus).normalize(),
            });
            bonus = cap;
        }
    }
    Some(Scored {
        items,
        adjustments,
        base,
        bonus,
        vetoes,
        prereq_failed,
    })
}

struct Row<'a> {
    unit: &'a Unit,
    scored: Scored,
    cohort: String,
    total: Decimal,
    rank: Option<u32>,
    grade: Option<String>,
    consequences: Vec<ConsequenceHit>,
}

/// Ranks by total, best first, within `idx`; vetoed units after the rest when `last`.
fn rank_rows(rows: &mut [Row], idx: &[usize], policy: &VetoPolicy, ties: TiePolicy) {
    let vetoed = |r: &Row| !r.scored.vetoes.is_empty();
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(), Vec::new()];
    for &i in idx {
        let r = &rows[i];
        match (vetoed(r), policy.rank) {
            (true, VetoRank::Excluded) => {}
            (true, VetoRank::Last) => groups[1].push(i),
            _ => groups[0].push(i),
        }
    }
    let mut offset = 0u32;
    for group in groups {
        let mut totals: Vec<Decimal> = group.iter().map(|&i| rows[i].total).collect();
        totals.sort_by(|a, b| b.cmp(a));
        let mut distinct = totals.clone();
        distinct.dedup();
        for &i in &group {
            let t = rows[i].total;
            let better = match ties {
                TiePolicy::Competition => totals.partition_point(|x| *x > t),
                TiePolicy::Dense => distinct.partition_point(|x| *x > t),
            };
            let place = u32::try_from(better).unwrap_or(u32::MAX);
            rows[i].rank = Some(offset.saturating_add(place).saturating_add(1));
        }
        let used = match ties {
            TiePolicy::Competition => totals.len(),
            TiePolicy::Dense => distinct.len(),
        };
        offset = offset.saturating_add(u32::try_from(used).unwrap_or(u32::MAX));
    }
}

fn cohort_points(cx_rules: &Rules, rows: &mut [Row], idx: &[usize], errors: &mut Vec<EvalError>) {
    let set = &cx_rules.set;
    for ci in &set.cohort_items {
        let mut values: Vec<(usize, Option<Decimal>, Vec<DataUse>)> = Vec::new();
        for &i in idx {
            let unit = rows[i].unit;
            let mut cx = Ctx {
                rules: cx_rules,
                unit,
                unit_id: unit.values[set.id_field].display(),
                map: None,
                errors,
            };
            match cx.measure(&ci.measure, &ci.id, ci.pos) {
                Some(Measured::Value(v, d)) => values.push((i, Some(v), d)),
                Some(Measured::Blank(d) | Measured::NoBase(d)) => values.push((i, None, d)),
                None => {}
            }
        }
        let better = |a: Decimal, b: Decimal| if ci.ascending { a < b } else { a > b };
        let present: Vec<Decimal> = values.iter().filter_map(|v| v.1).collect();
        let best = present
            .iter()
            .copied()
            .reduce(|a, b| if better(a, b) { a } else { b });
        let avg = (!present.is_empty()).then(|| sum(present.iter()) / Decimal::from(present.len()));
        for (i, v, data) in values {
            let max = ci.max;
            let (points, detail) = match v {
                None => (Decimal::ZERO, "无数据，不参与比较，不得分".to_string()),
                Some(v) => {
                    let rank = 1 + present.iter().filter(|x| better(**x, v)).count();
                    let shown = fmt(round(v, 4));
                    match &ci.method {
                        CohortMethod::RankPoints(table) => {
                            let p = table
                                .get(rank - 1)
                                .copied()
                                .unwrap_or(Decimal::ZERO)
                                .min(max);
                            (p, format!("{shown}，组内第 {rank} 名，得 {} 分", fmt(p)))
                        }
                        CohortMethod::Top(n) => {
                            if rank <= *n {
                                (
                                    max,
                                    format!("{shown}，组内第 {rank} 名，进入前 {n} 名，得满分"),
                                )
                            } else {
                                (
                                    Decimal::ZERO,
                                    format!("{shown}，组内第 {rank} 名，未进入前 {n} 名，不得分"),
                                )
                            }
                        }
                        CohortMethod::VsAverage => {
                            let avg = avg.unwrap_or_default();
                            let p = round(max * relative(v, avg, ci.ascending), set.decimals);
                            let avg = fmt(round(avg, 4));
                            (p, format!("{shown}，组内平均 {avg}，得 {} 分", fmt(p)))
                        }
                        CohortMethod::ProportionalToBest => {
                            let b = best.unwrap_or_default();
                            let p = round(max * relative(v, b, ci.ascending), set.decimals);
                            (
                                p,
                                format!("{shown}，组内最优 {}，按比例得 {} 分", fmt(b), fmt(p)),
                            )
                        }
                    }
                }
            };
            let row = &mut rows[i];
            row.scored.base = row.scored.base.saturating_add(points);
            row.scored.items.push(ItemResult {
                id: ci.id.clone(),
                label: ci.label.clone(),
                category: ci.category.clone(),
                kind: ItemKind::Cohort,
                max: max.normalize(),
                points: points.normalize(),
                not_applicable: false,
                text: ci.text.clone(),
                reasons: vec![Reason {
                    detail,
                    points: points.normalize(),
                    data,
                }],
            });
        }
    }
}

fn assign_grades(rules: &Rules, rows: &mut [Row], idx: &[usize]) {
    let set = &rules.set;
    if set.bands.is_empty() {
        return;
    }
    let n = idx.len();
    // Initial band: the first whose bounds hold.
    let mut band_of: HashMap<usize, usize> = HashMap::new();
    for &i in idx {
        let r = &rows[i];
        if !r.scored.vetoes.is_empty() {
            if let Some(g) = &set.veto_policy.grade {
                rows[i].grade = Some(g.clone());
                continue;
            }
        }
        let blocked = |name: &str| {
            r.scored
                .prereq_failed
                .iter()
                .any(|p| p.grades.iter().any(|g| g == name))
        };
        // A band whose prerequisites fail drops the unit to the next band down.
        if let Some(mut b) = set
            .bands
            .iter()
            .position(|b| b.bounds.iter().all(|x| x.holds(r.total)))
        {
            while blocked(&set.bands[b].name) && b + 1 < set.bands.len() {
                b += 1;
            }
            band_of.insert(i, b);
        }
    }
    // Quotas, best band first: overflow by rank drops to the next band.
    for (bi, band) in set.bands.iter().enumerate() {
        let Some(q) = band.quota else { continue };
        let allowed = (q * Decimal::from(n)).floor();
        let allowed =
            u64::try_from(allowed).map_or(0, |a| usize::try_from(a).unwrap_or(usize::MAX));
        let mut members: Vec<usize> = band_of
            .iter()
            .filter(|(_, b)| **b == bi)
            .map(|(i, _)| *i)
            .collect();
        members.sort_by(|a, b| rows[*b].total.cmp(&rows[*a].total));
        for &i in &members {
            let t = rows[i].total;
            let ahead = members.iter().filter(|j| rows[**j].total > t).count();
            let tied = members.iter().filter(|j| rows[**j].total == t).count();
            if ahead + tied > allowed {
                band_of.insert(i, (bi + 1).min(set.bands.len() - 1));
            }
        }
    }
    for (i, b) in band_of {
        rows[i].grade = Some(set.bands[b].name.clone());
    }
}

fn result_map(set: &RuleSet, r: &Row, cohort_size: usize) -> Map {
    let mut m = Map::new();
    m.insert(
        "id".into(),
        Dynamic::from(r.unit.values[set.id_field].display()),
    );
    m.insert("total".into(), Dynamic::from_decimal(r.total));
    m.insert("base".into(), Dynamic::from_decimal(r.scored.base));
    m.insert("bonus".into(), Dynamic::from_decimal(r.scored.bonus));
    m.insert(
        "grade".into(),
        r.grade.clone().map_or(Dynamic::UNIT, Dynamic::from),
    );
    m.insert(
        "rank".into(),
        r.rank
            .map_or(Dynamic::UNIT, |x| Dynamic::from_int(i64::from(x))),
    );
    m.insert(
        "vetoed".into(),
        Dynamic::from_bool(!r.scored.vetoes.is_empty()),
    );
    m.insert(
        "cohort_size".into(),
        Dynamic::from_int(i64::try_from(cohort_size).unwrap_or(i64::MAX)),
    );
    let mut items = Map::new();
    for i in &r.scored.items {
        items.insert(i.id.as_str().into(), Dynamic::from_decimal(i.points));
    }
    m.insert("items".into(), items.into());
    m.insert("fields".into(), unit_map(set, r.unit).into());
    m
}

fn consequences(rules: &Rules, rows: &mut [Row], idx: &[usize], errors: &mut Vec<EvalError>) {
    let set = &rules.set;
    let ranked = idx.iter().filter(|i| rows[**i].rank.is_some()).count();
    for &i in idx {
        let mut hits = Vec::new();
        for c in &set.consequences {
            let r = &rows[i];
            let hit = match &c.when {
                Outcome::Bottom(n) => r
                    .rank
                    .is_some_and(|k| (k as usize).saturating_add(*n) > ranked),
                Outcome::Top(n) => r.rank.is_some_and(|k| (k as usize) <= *n),
                Outcome::Grade(g) => r.grade.as_deref() == Some(g),
                Outcome::Vetoed => !r.scored.vetoes.is_empty(),
                Outcome::Veto(v) => r.scored.vetoes.iter().any(|h| &h.id == v),
                Outcome::TotalBelow(x) => r.total < *x,
                Outcome::Closure(f) => {
                    let arg = result_map(set, r, idx.len());
                    let mut cx = Ctx {
                        rules,
                        unit: r.unit,
                        unit_id: r.unit.values[set.id_field].display(),
                        map: None,
                        errors,
                    };
                    cx.call(f, arg, &c.name, c.pos)
                        .is_some_and(|v| v.as_bool().unwrap_or(false))
                }
            };
            if hit {
                hits.push(ConsequenceHit {
                    name: c.name.clone(),
                    reason: c.reason.clone(),
                });
            }
        }
        rows[i].consequences = hits;
    }
}

impl Rules {
    /// Scores every unit, then ranks, grades and applies consequences per cohort.
    /// Every rule failure is reported; any failure means no report.
    pub fn assess(
        &self,
        units: &[Unit],
        previous: Option<&PreviousRanks>,
    ) -> Result<Report, EvalErrors> {
        let set = &self.set;
        let mut errors = Vec::new();
        let mut rows: Vec<Row> = Vec::with_capacity(units.len());
        for unit in units {
            if let Some(scored) = score_unit(self, unit, &mut errors) {
                let cohort = set
                    .cohort_field
                    .map(|c| unit.values[c].display())
                    .unwrap_or_else(|| "全部".to_string());
                rows.push(Row {
                    unit,
                    scored,
                    cohort,
                    total: Decimal::ZERO,
                    rank: None,
                    grade: None,
                    consequences: Vec::new(),
                });
            }
        }
        let mut cohort_names: Vec<String> = Vec::new();
        let mut members: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            if !members.contains_key(&r.cohort) {
                cohort_names.push(r.cohort.clone());
            }
            members.entry(r.cohort.clone()).or_default().push(i);
        }
        for name in &cohort_names {
            let idx = &members[name];
            cohort_points(self, &mut rows, idx, &mut errors);
            for &i in idx {
                let r = &mut rows[i];
                r.total = r.scored.base.saturating_add(r.scored.bonus).normalize();
            }
            rank_rows(&mut rows, idx, &set.veto_policy, set.ties);
            assign_grades(self, &mut rows, idx);
            consequences(self, &mut rows, idx, &mut errors);
        }
        if !errors.is_empty() {
            return Err(EvalErrors(errors));
        }
        let mut cohorts = Vec::new();
        for name in &cohort_names {
            cohorts.push(stats(set, &rows, &members[name], name));
        }
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let cohort_pos = |c: &str| cohort_names.iter().position(|n| n == c).unwrap_or(0);
        order.sort_by_key(|&i| {
            (
                cohort_pos(&rows[i].cohort),
                rows[i].rank.unwrap_or(u32::MAX),
                i,
            )
        });
        let units = order
            .into_iter()
            .map(|i| unit_result(set, &rows[i], previous))
            .collect();
        Ok(Report {
            schema: SCHEMA,
            schema_version: SCHEMA_VERSION,
            rule_set: RuleSetInfo {
                id: set.id.clone(),
                title: set.title.clone(),
                source: set.source.clone(),
                max: set.max.normalize(),
                bonus_max: set.bonus_max.map(|d| d.normalize()),
                decimals: set.decimals,
            },
            units,
            cohorts,
        })
    }
}

/// A total rounded half-up and written with exactly `places` decimals, as published.
pub fn display_total(d: Decimal, places: u32) -> String {
    let mut r = d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(places);
    r.to_string()
}

fn unit_result(set: &RuleSet, r: &Row, previous: Option<&PreviousRanks>) -> UnitResult {
    let id = r.unit.values[set.id_field].display();
    let vetoed = !r.scored.vetoes.is_empty();
    let show = !vetoed || set.veto_policy.show_points;
    let previous_rank = previous.and_then(|p| p.get(&id).copied());
    UnitResult {
        name: set
            .name_field
            .map(|f| r.unit.values[f].display())
            .unwrap_or_else(|| id.clone()),
        id,
        cohort: r.cohort.clone(),
        row: r.unit.row,
        total: show.then_some(r.total),
        total_display: show.then(|| display_total(r.total, set.decimals)),
        base: r.scored.base.normalize(),
        bonus: r.scored.bonus.normalize(),
        grade: r.grade.clone(),
        rank: r.rank,
        previous_rank,
        rank_change: match (previous_rank, r.rank) {
            (Some(p), Some(c)) => Some(i64::from(p) - i64::from(c)),
            _ => None,
        },
        vetoed,
        awards_eligible: !vetoed || set.veto_policy.awards,
        vetoes: r.scored.vetoes.clone(),
        prerequisites_failed: r.scored.prereq_failed.clone(),
        items: r.scored.items.clone(),
        adjustments: r.scored.adjustments.clone(),
        consequences: r.consequences.clone(),
    }
}

fn stats(set: &RuleSet, rows: &[Row], idx: &[usize], name: &str) -> CohortStats {
    let show = |r: &Row| r.scored.vetoes.is_empty() || set.veto_policy.show_points;
    let mut totals: Vec<Decimal> = idx
        .iter()
        .map(|i| &rows[*i])
        .filter(|r| show(r))
        .map(|r| r.total)
        .collect();
    totals.sort();
    let n = totals.len();
    let mean = (n > 0).then(|| round(sum(totals.iter()) / Decimal::from(n), set.decimals));
    let median = match n {
        0 => None,
        _ if n % 2 == 1 => Some(totals[n / 2]),
        _ => Some(round(
            totals[n / 2 - 1].saturating_add(totals[n / 2]) / Decimal::TWO,
            set.decimals,
        )),
    };
    let grades = set
        .bands
        .iter()
        .map(|b| GradeCount {
            grade: b.name.clone(),
            count: idx
                .iter()
                .filter(|i| rows[**i].grade.as_deref() == Some(&b.name))
                .count(),
        })
        .collect();
    CohortStats {
        name: name.to_string(),
        units: idx.len(),
        ranked: idx.iter().filter(|i| rows[**i].rank.is_some()).count(),
        vetoed: idx
            .iter()
            .filter(|i| !rows[**i].scored.vetoes.is_empty())
            .count(),
        mean,
        median: median.map(|d| d.normalize()),
        max: totals.last().map(|d| d.normalize()),
        min: totals.first().map(|d| d.normalize()),
        grades,
    }
}
