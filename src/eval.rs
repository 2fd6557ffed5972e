//! Scoring one unit (单位评分): metrics, items, vetoes and prerequisites in native Rust;
//! closures call into Rhai. The cohort stage that follows is in `cohort.rs`.

use crate::compile::{to_decimal, Rules};
use crate::data::Unit;
use crate::error::{EvalError, SourceLocation};
use crate::model::*;
use crate::result::*;
use crate::sandbox;
use rhai::{Array, Dynamic, FnPtr, Map};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::HashMap;

pub(crate) enum Measured {
    Value(Decimal, Vec<DataUse>),
    Blank(Vec<DataUse>),
    /// A ratio whose denominator is zero: counts as met.
    NoBase(Vec<DataUse>),
}

/// Values from other units, found once per assessment (捆绑考核, 对应单位).
pub(crate) struct Links<'a> {
    units: &'a [Unit],
    /// Unit id → position in `units`.
    index: HashMap<String, usize>,
    /// (target, link field) → the id in the link field → (sum of target, count).
    groups: HashMap<(LinkTarget, usize), HashMap<String, (Decimal, usize)>>,
    /// Each unit's metric values, computed for every unit before any item.
    pub(crate) metrics: Vec<Vec<Option<Decimal>>>,
    /// The (target, link) pairs summed or averaged over.
    wanted: Vec<(LinkTarget, usize)>,
}

impl<'a> Links<'a> {
    pub(crate) fn new(set: &RuleSet, units: &'a [Unit]) -> Self {
        let mut links = Self {
            units,
            index: HashMap::new(),
            groups: HashMap::new(),
            metrics: vec![Vec::new(); units.len()],
            wanted: Vec::new(),
        };
        let mut wanted = Vec::new();
        let mut lookup = false;
        for m in measures(set) {
            if let Measure::Linked { field, link, op } = m {
                if *op == LinkOp::Lookup {
                    lookup = true;
                } else {
                    wanted.push((*field, *link));
                }
            }
        }
        if lookup {
            for (i, u) in units.iter().enumerate() {
                links.index.insert(u.values[set.id_field].display(), i);
            }
        }
        links.wanted = wanted;
        links.group(|t| matches!(t, LinkTarget::Field(_)));
        links
    }

    /// Sums the wanted targets per linked id, for the targets `which` selects.
    fn group(&mut self, which: impl Fn(&LinkTarget) -> bool) {
        for &(target, link) in self.wanted.iter().filter(|(t, _)| which(t)) {
            let mut g: HashMap<String, (Decimal, usize)> = HashMap::new();
            for (i, u) in self.units.iter().enumerate() {
                if u.values[link] == Value::Missing {
                    continue;
                }
                let value = match target {
                    LinkTarget::Field(f) => u.values[f].number(),
                    LinkTarget::Metric(m) => self.metrics[i].get(m).copied().flatten(),
                };
                if let Some(v) = value {
                    let e = g.entry(u.values[link].display()).or_default();
                    *e = (e.0.saturating_add(v), e.1 + 1);
                }
            }
            self.groups.insert((target, link), g);
        }
    }

    /// Computes every metric for every unit, one metric at a time, so that a metric may read
    /// an earlier metric of a linked unit. Errors go to `errors`.
    pub(crate) fn compute_metrics(&mut self, rules: &Rules, errors: &mut Vec<EvalError>) {
        for (k, m) in rules.set.metrics.iter().enumerate() {
            let mut column = Vec::with_capacity(self.units.len());
            for (i, unit) in self.units.iter().enumerate() {
                let mut cx = Ctx::new(rules, unit, self, errors).with_metrics(&self.metrics[i]);
                let value = match cx.measure(&m.measure, &m.id, m.pos) {
                    Some(Measured::Value(v, _)) => Some(round(v, m.decimals)),
                    _ => None,
                };
                column.push(value);
            }
            for (i, v) in column.into_iter().enumerate() {
                self.metrics[i].push(v);
            }
            self.group(|t| *t == LinkTarget::Metric(k));
        }
    }
}

/// Every measure a rule set uses.
fn measures(set: &RuleSet) -> impl Iterator<Item = &Measure> {
    let items = set.items.iter().filter_map(|i| match &i.shape {
        Shape::Target(m, ..) | Shape::Bands(m, _) | Shape::Zero(m) => Some(m),
        Shape::Linear { measure, .. } => Some(measure),
        _ => None,
    });
    items
        .chain(set.metrics.iter().map(|m| &m.measure))
        .chain(set.cohort_items.iter().map(|c| &c.measure))
}

/// What one unit's rules see while it is scored.
pub(crate) struct Ctx<'a> {
    rules: &'a Rules,
    unit: &'a Unit,
    pub(crate) unit_id: String,
    map: Option<Map>,
    errors: &'a mut Vec<EvalError>,
    links: &'a Links<'a>,
    /// Published metric values, as computed so far.
    metrics: Vec<Option<Decimal>>,
}

pub(crate) fn fmt(d: Decimal) -> String {
    d.normalize().to_string()
}

/// `a / b`, saturating instead of overflowing (a zero `b` gives the largest value of `a`'s sign).
pub(crate) fn ratio(a: Decimal, b: Decimal) -> Decimal {
    a.checked_div(b)
        .unwrap_or(if a.is_sign_negative() != b.is_sign_negative() {
            Decimal::MIN
        } else {
            Decimal::MAX
        })
}

/// `a / b` clamped to [0, 1]: the share of an item's points earned.
pub(crate) fn share(a: Decimal, b: Decimal) -> Decimal {
    if b.is_zero() {
        return Decimal::ONE;
    }
    ratio(a, b).clamp(Decimal::ZERO, Decimal::ONE)
}

/// A unit's value against a reference (the cohort's best or average), as a share in [0, 1];
/// for lower-is-better values the reference is divided by the value.
pub(crate) fn relative(v: Decimal, reference: Decimal, ascending: bool) -> Decimal {
    if ascending {
        share(reference, v)
    } else {
        share(v, reference)
    }
}

/// Adds points without ever overflowing.
pub(crate) fn sum<'a>(it: impl Iterator<Item = &'a Decimal>) -> Decimal {
    it.fold(Decimal::ZERO, |acc, x| acc.saturating_add(*x))
}

pub(crate) fn round(d: Decimal, places: u32) -> Decimal {
    d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        rules: &'a Rules,
        unit: &'a Unit,
        links: &'a Links<'a>,
        errors: &'a mut Vec<EvalError>,
    ) -> Self {
        Self {
            rules,
            unit,
            unit_id: unit.values[rules.set.id_field].display(),
            map: None,
            errors,
            links,
            metrics: Vec::new(),
        }
    }

    /// Lets cohort-stage rules see the metrics a unit was given.
    pub(crate) fn with_metrics(mut self, metrics: &[Option<Decimal>]) -> Self {
        self.metrics = metrics.to_vec();
        self
    }

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

    pub(crate) fn unit_map(&mut self) -> Map {
        if let Some(m) = &self.map {
            return m.clone();
        }
        let m = unit_map(self.set(), self.unit);
        self.map = Some(m.clone());
        m
    }

    pub(crate) fn call(
        &mut self,
        f: &FnPtr,
        args: impl rhai::FuncArgs,
        rule: &str,
        pos: rhai::Position,
    ) -> Option<Dynamic> {
        match f.call::<Dynamic>(&self.rules.engine, &self.rules.ast, args) {
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

    pub(crate) fn fail(&mut self, rule: &str, pos: rhai::Position, message: String) {
        self.errors.push(EvalError {
            location: SourceLocation::new(&self.rules.set.source, pos),
            rule: rule.to_string(),
            unit: self.unit_id.clone(),
            message,
        });
    }

    pub(crate) fn measure(
        &mut self,
        m: &Measure,
        rule: &str,
        pos: rhai::Position,
    ) -> Option<Measured> {
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
            Measure::Survey { counts, method } => {
                let used: Vec<DataUse> = counts.iter().map(|f| self.use_of(*f)).collect();
                let n: Vec<Decimal> = counts
                    .iter()
                    .map(|f| self.unit.values[*f].number().unwrap_or_default())
                    .collect();
                let all = sum(n.iter());
                if all <= Decimal::ZERO {
                    return Some(Measured::Blank(used));
                }
                let part = match method {
                    SurveyMethod::Mean(points) => sum(n
                        .iter()
                        .zip(points)
                        .map(|(c, p)| c.saturating_mul(*p))
                        .collect::<Vec<_>>()
                        .iter()),
                    SurveyMethod::Share(chosen) => sum(n
                        .iter()
                        .zip(chosen)
                        .filter(|(_, c)| **c)
                        .map(|(x, _)| x.saturating_mul(Decimal::ONE_HUNDRED))
                        .collect::<Vec<_>>()
                        .iter()),
                };
                Some(Measured::Value(ratio(part, all), used))
            }
            Measure::Metric(i) => {
                let metric = &self.set().metrics[*i];
                let value = self.metrics.get(*i).copied().flatten();
                let used = vec![DataUse {
                    field: metric.id.clone(),
                    label: metric.label.clone(),
                    value: value.map_or_else(
                        || "（空）".to_string(),
                        |v| crate::cohort::display_total(v, metric.decimals),
                    ),
                }];
                Some(match value {
                    Some(v) => Measured::Value(v, used),
                    None => Measured::Blank(used),
                })
            }
            Measure::Linked { field, link, op } => {
                let fields = &self.set().fields;
                let value = match op {
                    LinkOp::Lookup => {
                        let other = self.unit.values[*link].display();
                        self.links.index.get(&other).and_then(|i| match field {
                            LinkTarget::Field(f) => self.links.units[*i].values[*f].number(),
                            LinkTarget::Metric(m) => {
                                self.links.metrics[*i].get(*m).copied().flatten()
                            }
                        })
                    }
                    LinkOp::Sum | LinkOp::Mean => self
                        .links
                        .groups
                        .get(&(*field, *link))
                        .and_then(|g| g.get(&self.unit_id))
                        .map(|(total, count)| {
                            if *op == LinkOp::Sum {
                                *total
                            } else {
                                ratio(*total, Decimal::from(*count))
                            }
                        }),
                };
                let (name, label) = match field {
                    LinkTarget::Field(f) => (fields[*f].name.clone(), fields[*f].label.clone()),
                    LinkTarget::Metric(m) => {
                        let m = &self.set().metrics[*m];
                        (m.id.clone(), m.label.clone())
                    }
                };
                let how = match op {
                    LinkOp::Lookup => format!("{}所指单位的{label}", fields[*link].label),
                    LinkOp::Sum => format!("关联单位{label}合计"),
                    LinkOp::Mean => format!("关联单位{label}平均"),
                };
                let used = vec![DataUse {
                    field: name,
                    label: how,
                    value: value.map_or_else(|| "（空）".to_string(), fmt),
                }];
                Some(match value {
                    Some(v) => Measured::Value(v, used),
                    None => Measured::Blank(used),
                })
            }
            Measure::Closure(f) => {
                let arg = self.unit_map();
                let v = self.call(f, (arg,), rule, pos)?;
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

    pub(crate) fn condition(
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
                let v = self.call(f, (arg,), rule, pos)?;
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
pub(crate) fn unit_map(set: &RuleSet, unit: &Unit) -> Map {
    let mut m = Map::new();
    for (f, v) in set.fields.iter().zip(&unit.values) {
        m.insert(f.name.as_str().into(), value_dynamic(v));
    }
    m
}

pub(crate) fn value_dynamic(v: &Value) -> Dynamic {
    match v {
        Value::Missing => Dynamic::UNIT,
        Value::Text(s) => Dynamic::from(s.clone()),
        Value::Int(i) => Dynamic::from_int(*i),
        Value::Number(d) => Dynamic::from_decimal(*d),
        Value::Bool(b) => Dynamic::from_bool(*b),
    }
}

/// How a measured value came about, in words: `失控人员数 = 3`, `查结数/立案数 = 9/10 → 90`,
/// `问卷指数 = 95（安全 90、比较安全 5、不安全 5）`.
pub(crate) fn measured_text(m: &Measure, used: &[DataUse], value: Decimal) -> String {
    let v = fmt(round(value, 4));
    match (m, used) {
        (Measure::Ratio { .. }, [n, d]) => {
            format!("{}/{} = {}/{} → {v}", n.label, d.label, n.value, d.value)
        }
        (Measure::Survey { .. }, _) => {
            let counts: Vec<String> = used
                .iter()
                .map(|u| format!("{} {}", u.label, u.value))
                .collect();
            format!("问卷指数 = {v}（{}）", counts.join("、"))
        }
        (_, [one]) => format!("{} = {}", one.label, one.value),
        _ => format!("计算值 = {v}"),
    }
}

/// One unit scored on its own, before the cohort stage.
pub(crate) struct Scored {
    pub(crate) items: Vec<ItemResult>,
    pub(crate) adjustments: Vec<Adjustment>,
    pub(crate) base: Decimal,
    pub(crate) bonus: Decimal,
    pub(crate) vetoes: Vec<VetoHit>,
    pub(crate) prereq_failed: Vec<PrerequisiteMiss>,
    /// Published metric values, rounded to their decimals.
    pub(crate) metrics: Vec<Option<Decimal>>,
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
        Some(m) => match cx.measure(m, &item.id, item.pos)? {
            Measured::Value(v, data) => Some((v, data, m)),
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
        },
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
        (Shape::Target(_, bound, shortfall), Some((v, data, m))) => {
            let seen = measured_text(m, &data, v);
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
            Some((v, data, m)),
        ) => {
            let t = share(v.saturating_sub(*zero_at), full_at.saturating_sub(*zero_at));
            let p = round(max * t, decimals);
            result.points = p;
            result.reasons.push(Reason {
                detail: format!(
                    "{}，{} 及{}满分、{} 及{}为 0 分，按线性得 {} 分",
                    measured_text(m, &data, v),
                    fmt(*full_at),
                    if full_at > zero_at {
                        "以上"
                    } else {
                        "以下"
                    },
                    fmt(*zero_at),
                    if full_at > zero_at {
                        "以下"
                    } else {
                        "以上"
                    },
                    fmt(p)
                ),
                points: p,
                data,
            });
        }
        (Shape::Bands(_, steps), Some((v, data, m))) => {
            let seen = measured_text(m, &data, v);
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
        (Shape::Zero(_), Some((v, data, m))) => {
            let seen = measured_text(m, &data, v);
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
            let v = cx.call(f, (arg,), &item.id, item.pos)?;
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

pub(crate) fn score_unit(
    rules: &Rules,
    unit: &Unit,
    metrics: &[Option<Decimal>],
    links: &Links,
    errors: &mut Vec<EvalError>,
) -> Option<Scored> {
    let set = &rules.set;
    let before = errors.len();
    let mut cx = Ctx::new(rules, unit, links, errors).with_metrics(metrics);
    let mut items = Vec::with_capacity(set.items.len());
    for item in &set.items {
        if let Some(only) = &item.only {
            match cx.condition(only, &item.id, item.pos) {
                Some((true, _)) => {}
                Some((false, _)) => continue,
                None => return None,
            }
        }
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
    let metrics = std::mem::take(&mut cx.metrics);
    Some(Scored {
        metrics,
        items,
        adjustments,
        base,
        bonus,
        vetoes,
        prereq_failed,
    })
}
