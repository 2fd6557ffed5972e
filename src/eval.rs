//! Scoring one unit (单位评分): metrics, items, vetoes and prerequisites in native Rust;
//! closures call into Rhai. The cohort stage that follows is in `cohort.rs`.

use crate::compile::{to_decimal, Rules};
use crate::data::Unit;
use crate::error::{EvalError, Merged, SourceLocation};
use crate::messages::eval as msg;
use crate::messages::Message;
use crate::model::*;
use crate::result::*;
use crate::sandbox;
use rhai::{Array, Dynamic, FnPtr, Map};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::HashMap;

/// A measured value (取值结果); what data it came from is found again only when explaining.
pub(crate) enum Measured {
    Value(Decimal),
    /// `num / den` with `den > 0`, kept as a fraction so that points in proportion to it are
    /// found with one division, exactly at a rounding midpoint (15/32 of 6 points at a 90 %
    /// target is 3.125 → 3.13).
    Fraction(Decimal, Decimal),
    Blank,
    /// A ratio whose denominator is zero: counts as met.
    NoBase,
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
    /// Rules stopped for the rest of the run after running away for several units.
    pub(crate) breaker: Breaker,
}

/// How many units a rule may run away for (too many operations, too long, too much memory)
/// before the run stops running it: the same runaway over a thousand units would otherwise
/// take a thousand times its budget. It is reported once, counting every unit it gave nothing
/// for (see `Breaker::finish`).
pub const MAX_RUNAWAY_UNITS: usize = 3;

/// Counts runaway failures per rule over one run (shared by the threads of a parallel run),
/// and the units a stopped rule was not run for (熔断).
#[derive(Default)]
pub(crate) struct Breaker {
    /// Whether any rule has been stopped (read without the lock on every call).
    any: std::sync::atomic::AtomicBool,
    failed: std::sync::Mutex<HashMap<String, Runaways>>,
}

/// One rule's runaways in a run.
#[derive(Default)]
struct Runaways {
    /// Units it ran away for.
    count: usize,
    /// Units it was not run for once stopped.
    skipped: usize,
    /// The [`EvalError::key`] of the runaway that stopped it.
    stopped_by: Option<String>,
}

impl Breaker {
    /// Whether `rule` is stopped for the rest of the run; a unit it is not run for is counted.
    fn skip(&self, rule: &str) -> bool {
        if !self.any.load(std::sync::atomic::Ordering::Relaxed) {
            return false;
        }
        let Ok(mut failed) = self.failed.lock() else {
            return true;
        };
        match failed.get_mut(rule) {
            Some(r) if r.count >= MAX_RUNAWAY_UNITS => {
                r.skipped += 1;
                true
            }
            _ => false,
        }
    }

    /// Counts one runaway of `rule`, reported as the error with `key`.
    fn runaway(&self, rule: &str, key: String) {
        let Ok(mut failed) = self.failed.lock() else {
            return;
        };
        let r = failed.entry(rule.to_string()).or_default();
        r.count += 1;
        if r.count == MAX_RUNAWAY_UNITS {
            r.stopped_by = Some(key);
            self.any.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Counts the units each stopped rule was not run for toward the runaway that stopped it,
    /// and says so in its words: the one error then tells how many units the rule failed for.
    pub(crate) fn finish(&self, errors: &mut Merged) {
        let Ok(failed) = self.failed.lock() else {
            return;
        };
        for r in failed.values().filter(|r| r.skipped > 0) {
            let Some(e) = r.stopped_by.as_deref().and_then(|k| errors.find_mut(k)) else {
                continue;
            };
            e.units = e.units.saturating_add(r.skipped);
            let (zh, en) = crate::messages::eval::stopped_note(MAX_RUNAWAY_UNITS);
            e.message.zh.push_str(&zh);
            e.message.en.push_str(&en);
        }
    }
}

impl<'a> Links<'a> {
    pub(crate) fn new(set: &RuleSet, units: &'a [Unit]) -> Self {
        let mut links = Self {
            units,
            index: HashMap::new(),
            groups: HashMap::new(),
            metrics: vec![Vec::new(); units.len()],
            wanted: Vec::new(),
            breaker: Breaker::default(),
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
                    Some(Measured::Value(v)) => Some(round(v, m.decimals)),
                    Some(Measured::Fraction(n, d)) => Some(round(ratio(n, d), m.decimals)),
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
    map: Option<Map>,
    errors: &'a mut Vec<EvalError>,
    links: &'a Links<'a>,
    /// Published metric values, as computed so far.
    metrics: &'a [Option<Decimal>],
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

/// Rounded half-up to `places` for scoring: as [`round`], without trimming trailing zeros
/// (equal either way; trimming is for display).
fn round_points(d: Decimal, places: u32) -> Decimal {
    d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

/// Exact sums of points: added as integers at the largest scale among them, which is several
/// times faster than adding decimals of different scales one by one; saturating decimal
/// addition takes over if the integers would overflow.
#[derive(Default, Clone, Copy)]
struct Total {
    sum: i128,
    scale: u32,
    /// Overflowed: the sum is kept as a decimal instead.
    exact: Option<Decimal>,
}

/// 10^0 … 10^28.
const POW10: [i128; 29] = {
    let mut t = [1i128; 29];
    let mut i = 1;
    while i < 29 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

impl Total {
    fn add(&mut self, d: Decimal) {
        if let Some(e) = self.exact.as_mut() {
            *e = e.saturating_add(d);
            return;
        }
        let (m, s) = (d.mantissa(), d.scale());
        // The common case: points at the scale already reached.
        let (next, scale) = if s == self.scale {
            (self.sum.checked_add(m), s)
        } else {
            let scale = self.scale.max(s);
            let up = |x: i128, by: u32| -> Option<i128> {
                let p = *POW10.get(by as usize)?;
                match (i64::try_from(x), i64::try_from(p)) {
                    (Ok(x), Ok(p)) => x.checked_mul(p).map(i128::from),
                    _ => x.checked_mul(p),
                }
            };
            let next = up(m, scale - s)
                .zip(up(self.sum, scale - self.scale))
                .and_then(|(m, sum)| sum.checked_add(m));
            (next, scale)
        };
        match next {
            Some(v) if v.unsigned_abs() >> 96 == 0 => {
                self.sum = v;
                self.scale = scale;
            }
            _ => self.exact = Some(self.value().saturating_add(d)),
        }
    }

    fn value(&self) -> Decimal {
        self.exact.unwrap_or_else(|| {
            Decimal::try_from_i128_with_scale(self.sum, self.scale).unwrap_or(if self.sum < 0 {
                Decimal::MIN
            } else {
                Decimal::MAX
            })
        })
    }
}

/// Whole `step`s in `count` (every 200 plants), never below 0.
fn steps(count: Decimal, step: Decimal) -> Decimal {
    let whole = if step == Decimal::ONE {
        if count.scale() == 0 {
            count
        } else {
            count.floor()
        }
    } else {
        ratio(count, step).floor()
    };
    whole.max(Decimal::ZERO)
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
            map: None,
            errors,
            links,
            metrics: &[],
        }
    }

    /// Lets rules see the metrics a unit was given.
    pub(crate) fn with_metrics(mut self, metrics: &'a [Option<Decimal>]) -> Self {
        self.metrics = metrics;
        self
    }

    fn set(&self) -> &'a RuleSet {
        &self.rules.set
    }

    /// The unit's id, as errors and linked values name it.
    pub(crate) fn unit_id(&self) -> String {
        self.unit.values[self.set().id_field].display()
    }

    fn number(&self, f: usize) -> Option<Decimal> {
        self.unit.values[f].number()
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
        if self.links.breaker.skip(rule) {
            return None;
        }
        let called =
            sandbox::evaluate(|| f.call::<Dynamic>(&self.rules.engine, &self.rules.ast, args));
        match called {
            Ok(v) => Some(v),
            Err(e) => {
                let runaway = sandbox::is_runaway(&e);
                let inner = sandbox::innermost_position(&e);
                // A runaway is placed at the closure's first loop whichever limit stopped it
                // (Rhai gives the place only for some), so the message is the same on any machine.
                let p = if runaway {
                    loop_position(&self.rules.ast, f).or(inner)
                } else {
                    inner
                }
                .or_else(|| closure_position(&self.rules.ast, f))
                .unwrap_or(pos);
                let err = self.error(rule, p, sandbox::describe(&e));
                if runaway {
                    self.links.breaker.runaway(rule, err.key());
                }
                self.errors.push(err);
                None
            }
        }
    }

    /// A failure of `rule` at `pos` for this unit, named by id and name.
    fn error(&self, rule: &str, pos: rhai::Position, m: Message) -> EvalError {
        let unit = crate::data::quoted(&self.unit_id());
        let name = self
            .set()
            .name_field
            .map(|f| self.unit.values[f].display())
            .filter(|n| !n.trim().is_empty())
            .map(|n| crate::data::quoted(&n));
        EvalError::new(
            SourceLocation::new(&self.rules.set.source, pos),
            rule,
            unit,
            name,
            m,
        )
    }

    /// Reports a failure of `rule` at `pos` for this unit.
    pub(crate) fn fail(&mut self, rule: &str, pos: rhai::Position, m: Message) {
        let err = self.error(rule, pos, m);
        self.errors.push(err);
    }

    /// A linked value (捆绑考核): a field or metric of other units.
    fn linked(&self, field: LinkTarget, link: usize, op: LinkOp) -> Option<Decimal> {
        match op {
            LinkOp::Lookup => {
                let other = self.unit.values[link].display();
                self.links.index.get(&other).and_then(|i| match field {
                    LinkTarget::Field(f) => self.links.units[*i].values[f].number(),
                    LinkTarget::Metric(m) => self.links.metrics[*i].get(m).copied().flatten(),
                })
            }
            LinkOp::Sum | LinkOp::Mean => self
                .links
                .groups
                .get(&(field, link))
                .and_then(|g| g.get(&self.unit_id()))
                .map(|(total, count)| {
                    if op == LinkOp::Sum {
                        *total
                    } else {
                        ratio(*total, Decimal::from(*count))
                    }
                }),
        }
    }

    /// What a measure gives for this unit: numbers only.
    pub(crate) fn measure(
        &mut self,
        m: &Measure,
        rule: &str,
        pos: rhai::Position,
    ) -> Option<Measured> {
        let present = |v: Option<Decimal>| v.map_or(Measured::Blank, Measured::Value);
        match m {
            Measure::Field(f) => Some(present(self.number(*f))),
            Measure::Ratio { num, den, scale } => {
                Some(match (self.number(*num), self.number(*den)) {
                    (Some(_), Some(d)) if d.is_zero() => Measured::NoBase,
                    (Some(n), Some(d)) if d.is_sign_negative() => {
                        Measured::Fraction(-n.saturating_mul(*scale), -d)
                    }
                    (Some(n), Some(d)) => Measured::Fraction(n.saturating_mul(*scale), d),
                    _ => Measured::Blank,
                })
            }
            Measure::Survey { counts, method } => {
                let n: Vec<Decimal> = counts
                    .iter()
                    .map(|f| self.number(*f).unwrap_or_default())
                    .collect();
                let all = sum(n.iter());
                if all <= Decimal::ZERO {
                    return Some(Measured::Blank);
                }
                let part = match method {
                    SurveyMethod::Mean(points) => {
                        n.iter().zip(points).fold(Decimal::ZERO, |acc, (c, p)| {
                            acc.saturating_add(c.saturating_mul(*p))
                        })
                    }
                    SurveyMethod::Share(chosen) => n
                        .iter()
                        .zip(chosen)
                        .filter(|(_, c)| **c)
                        .fold(Decimal::ZERO, |acc, (x, _)| {
                            acc.saturating_add(x.saturating_mul(Decimal::ONE_HUNDRED))
                        }),
                };
                Some(Measured::Fraction(part, all))
            }
            Measure::Metric(i) => Some(present(self.metrics.get(*i).copied().flatten())),
            Measure::Linked { field, link, op } => Some(present(self.linked(*field, *link, *op))),
            Measure::Closure(f) => {
                let arg = self.unit_map();
                let v = self.call(f, (arg,), rule, pos)?;
                if v.is_unit() {
                    return Some(Measured::Blank);
                }
                match to_decimal(&v) {
                    Some(d) => Some(Measured::Value(d)),
                    None => {
                        self.fail(rule, pos, msg::value_not_number(v.type_name()));
                        None
                    }
                }
            }
        }
    }

    /// The data a measure read, for its explanation.
    pub(crate) fn measure_data(&self, m: &Measure) -> Vec<DataUse> {
        let set = self.set();
        match m {
            Measure::Field(f) => vec![self.use_of(*f)],
            Measure::Ratio { num, den, .. } => vec![self.use_of(*num), self.use_of(*den)],
            Measure::Survey { counts, .. } => counts.iter().map(|f| self.use_of(*f)).collect(),
            Measure::Metric(i) => {
                let metric = &set.metrics[*i];
                let value = self.metrics.get(*i).copied().flatten();
                vec![DataUse {
                    field: metric.id.clone(),
                    label: metric.label.clone(),
                    value: value.map_or_else(
                        || "（空）".to_string(),
                        |v| crate::cohort::display_total(v, metric.decimals),
                    ) + crate::survey::metric_note(set, self.unit, *i).as_str(),
                }]
            }
            Measure::Linked { field, link, op } => {
                let fields = &set.fields;
                let value = self.linked(*field, *link, *op);
                let (name, label) = match field {
                    LinkTarget::Field(f) => (fields[*f].name.clone(), fields[*f].label.clone()),
                    LinkTarget::Metric(m) => {
                        let m = &set.metrics[*m];
                        (m.id.clone(), m.label.clone())
                    }
                };
                let how = match op {
                    LinkOp::Lookup => format!("{}所指单位的{label}", fields[*link].label),
                    LinkOp::Sum => format!("关联单位{label}合计"),
                    LinkOp::Mean => format!("关联单位{label}平均"),
                };
                vec![DataUse {
                    field: name,
                    label: how,
                    value: value.map_or_else(|| "（空）".to_string(), fmt),
                }]
            }
            Measure::Closure(_) => Vec::new(),
        }
    }

    /// Whether a condition holds for this unit; `None` when a closure failed (reported).
    pub(crate) fn test(&mut self, c: &Condition, rule: &str, pos: rhai::Position) -> Option<bool> {
        match c {
            Condition::Compare(f, b) => Some(self.number(*f).is_some_and(|v| b.holds(v))),
            Condition::Is(f, v) => Some(&self.unit.values[*f] == v),
            Condition::All(parts) => {
                for p in parts {
                    if !self.test(p, rule, pos)? {
                        return Some(false);
                    }
                }
                Some(true)
            }
            Condition::Any(parts) => {
                for p in parts {
                    if self.test(p, rule, pos)? {
                        return Some(true);
                    }
                }
                Some(false)
            }
            Condition::Closure(f) => {
                let arg = self.unit_map();
                let v = self.call(f, (arg,), rule, pos)?;
                match v.as_bool() {
                    Ok(b) => Some(b),
                    Err(t) => {
                        self.fail(rule, pos, msg::not_a_condition(t, false));
                        None
                    }
                }
            }
        }
    }

    /// The data a condition read, for its explanation.
    pub(crate) fn condition_data(&self, c: &Condition) -> Vec<DataUse> {
        match c {
            Condition::Compare(f, _) | Condition::Is(f, _) => vec![self.use_of(*f)],
            Condition::All(parts) | Condition::Any(parts) => {
                let mut out: Vec<DataUse> = Vec::new();
                for d in parts.iter().flat_map(|p| self.condition_data(p)) {
                    if !out.iter().any(|o| o.field == d.field) {
                        out.push(d);
                    }
                }
                out
            }
            Condition::Closure(_) => Vec::new(),
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

/// Where a closure that ran away most likely looped: its first `loop`, `while`, `do` or `for`
/// (Rhai reports a stopped closure at its call, which is inside the engine, not the script).
fn loop_position(ast: &rhai::AST, f: &FnPtr) -> Option<rhai::Position> {
    use rhai::{ASTNode, Stmt};
    let key = |p: rhai::Position| (p.line().unwrap_or(0), p.position().unwrap_or(0));
    let params = f.curry().len() + 1;
    let def = ast.shared_lib().get_script_fn(f.fn_name(), params)?;
    let (from, to) = (key(def.body.start_position()), key(def.body.end_position()));
    let mut found: Option<rhai::Position> = None;
    ast.walk(&mut |nodes: &[ASTNode]| {
        if let Some(ASTNode::Stmt(s @ (Stmt::While(..) | Stmt::Do(..) | Stmt::For(..)))) =
            nodes.last()
        {
            let at = key(s.position());
            if at > from && at < to && found.is_none_or(|f| at < key(f)) {
                found = Some(s.position());
            }
        }
        true
    });
    found
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

/// How an item's points came about: the few facts its explanation is written from later, so
/// that scoring alone builds no text (计分依据).
pub(crate) enum How {
    /// `applies` was false: full marks.
    NotApplicable,
    /// A ratio with a zero denominator: full marks.
    NoBase,
    /// A blank value on an item that treats blank as not applicable: full marks.
    BlankFull,
    /// A blank value: no points.
    Blank,
    /// Deductions taking `taken` points in all.
    Deduct { taken: Decimal },
    /// Occurrences worth `raw` points before the item's cap.
    Count { raw: Decimal },
    /// A target, met or not.
    Target { v: Frac, met: bool },
    /// Linear between two thresholds.
    Linear { v: Frac },
    /// The band reached, if any.
    Band { v: Frac, hit: Option<usize> },
    /// A zero target.
    Zero { v: Frac },
    /// A yes/no field.
    Yes,
    /// A `score` closure, with its reason and whether a bonus was capped at its maximum.
    Closure { why: Option<String>, capped: bool },
}

/// A measured value as scoring saw it, `num / den` (den > 0; `None` = 1): divided only when an
/// explanation writes it out.
#[derive(Clone, Copy)]
pub(crate) struct Frac {
    num: Decimal,
    den: Option<Decimal>,
}

impl Frac {
    fn value(self) -> Decimal {
        self.den.map_or(self.num, |d| ratio(self.num, d))
    }
}

/// Whether `num / den` (den > 0; `None` = 1) meets a bound, compared exactly: `num ≥ x × den`.
fn holds(b: Bound, num: Decimal, den: Option<Decimal>) -> bool {
    let Some(den) = den else {
        return b.holds(num);
    };
    match b.limit().checked_mul(den) {
        Some(scaled) => b.with_limit(scaled).holds(num),
        None => b.holds(ratio(num, den)),
    }
}

/// The measure an item's shape reads, if any.
fn shape_measure(shape: &Shape) -> Option<&Measure> {
    match shape {
        Shape::Target(m, ..) | Shape::Bands(m, _) | Shape::Zero(m) => Some(m),
        Shape::Linear { measure, .. } => Some(measure),
        _ => None,
    }
}

/// An item's points for this unit and how they came about; `None` when a closure failed
/// (reported to the context's errors). The one place item points are computed.
pub(crate) fn item_points(cx: &mut Ctx, item: &Item) -> Option<(Decimal, How)> {
    let max = item.max;
    if let Some(cond) = &item.applies {
        if !cx.test(cond, &item.id, item.pos)? {
            return Some((max, How::NotApplicable));
        }
    }
    // The value as a fraction num/den (den > 0; `None` for a plain value, den = 1).
    let (num, over) = match shape_measure(&item.shape) {
        Some(m) => match cx.measure(m, &item.id, item.pos)? {
            Measured::Value(v) => (v, None),
            Measured::Fraction(n, d) => (n, Some(d)),
            Measured::NoBase => return Some((max, How::NoBase)),
            Measured::Blank if item.blank_is_full => return Some((max, How::BlankFull)),
            Measured::Blank => return Some((Decimal::ZERO, How::Blank)),
        },
        None => (Decimal::ZERO, None),
    };
    let v = Frac { num, den: over };
    let den = over.unwrap_or(Decimal::ONE);
    let decimals = cx.set().decimals;
    // `max × a / b` in [0, max], rounded: one division, so exact midpoints round as they should.
    let part = |a: Decimal, b: Decimal| {
        round_points(
            ratio(max.saturating_mul(a), b).clamp(Decimal::ZERO, max),
            decimals,
        )
    };
    Some(match &item.shape {
        Shape::Deduct(list) => {
            let taken = list.iter().fold(Decimal::ZERO, |acc, d| {
                let count = cx.number(d.count).unwrap_or_default();
                acc.saturating_add(steps(count, d.step).saturating_mul(d.each))
            });
            (
                max.saturating_sub(taken).max(Decimal::ZERO),
                How::Deduct { taken },
            )
        }
        Shape::Count(list) => {
            let raw = list.iter().fold(Decimal::ZERO, |acc, d| {
                let count = cx.number(d.count).unwrap_or_default();
                acc.saturating_add(steps(count, d.step).saturating_mul(d.each))
            });
            (raw.min(max), How::Count { raw })
        }
        Shape::Target(_, bound, shortfall) => {
            let met = holds(*bound, num, over);
            let points = if met {
                max
            } else {
                match (shortfall, bound) {
                    // v / t of the points: num / (den × t).
                    (Shortfall::Proportional, Bound::AtLeast(t) | Bound::Above(t))
                        if !t.is_zero() =>
                    {
                        part(num, den.saturating_mul(*t))
                    }
                    // t / v of the points: t × den / num.
                    (Shortfall::Proportional, Bound::AtMost(t) | Bound::Below(t))
                        if !num.is_zero() =>
                    {
                        part(t.saturating_mul(den), num)
                    }
                    _ => Decimal::ZERO,
                }
            };
            (points, How::Target { v, met })
        }
        Shape::Linear {
            full_at, zero_at, ..
        } => {
            // (v − zero) / (full − zero) of the points, as one fraction.
            let a = num.saturating_sub(zero_at.saturating_mul(den));
            let b = full_at.saturating_sub(*zero_at).saturating_mul(den);
            (part(a, b), How::Linear { v })
        }
        Shape::Bands(_, steps) => {
            let hit = steps.iter().position(|(b, _)| holds(*b, num, over));
            let p = hit.map_or(Decimal::ZERO, |h| steps[h].1);
            (p.min(max), How::Band { v, hit })
        }
        Shape::Zero(_) => (
            if num.is_zero() { max } else { Decimal::ZERO },
            How::Zero { v },
        ),
        Shape::Yes(f) => (
            if cx.unit.values[*f] == Value::Bool(true) {
                max
            } else {
                Decimal::ZERO
            },
            How::Yes,
        ),
        Shape::Score(f) => {
            let arg = cx.unit_map();
            let v = cx.call(f, (arg,), &item.id, item.pos)?;
            let (points, why) = closure_points(&v);
            let Some(points) = points else {
                cx.fail(&item.id, item.pos, msg::score_not_points(v.type_name()));
                return None;
            };
            // A bonus is capped at its maximum (单项加分封顶); an indicator out of range is a rule bug.
            let capped = item.kind == ItemKind::Bonus && points > max;
            let points = if capped { max } else { points };
            if points < Decimal::ZERO || points > max {
                cx.fail(
                    &item.id,
                    item.pos,
                    msg::points_out_of_range(&fmt(points), &fmt(max)),
                );
                return None;
            }
            (points, How::Closure { why, capped })
        }
    })
}

/// The explanation of an item's points: which data, which rule, how many points.
fn explain_item(cx: &Ctx, item: &Item, points: Decimal, how: How) -> ItemResult {
    let max = item.max.normalize();
    let points = points.normalize();
    let one = |detail: String, data: Vec<DataUse>| {
        vec![Reason {
            detail,
            points,
            data,
        }]
    };
    let not_applicable = matches!(how, How::NotApplicable | How::NoBase | How::BlankFull);
    let measure = shape_measure(&item.shape);
    let data = || measure.map(|m| cx.measure_data(m)).unwrap_or_default();
    let seen = |v: Frac, data: &[DataUse]| match measure {
        Some(m) => measured_text(m, data, v.value()),
        None => String::new(),
    };
    let reasons = match (&item.shape, how) {
        (_, How::NotApplicable) => one(
            "不适用，按满分计".into(),
            item.applies
                .as_ref()
                .map(|c| cx.condition_data(c))
                .unwrap_or_default(),
        ),
        (_, How::NoBase) => one("分母为 0，视为达标，按满分计".into(), data()),
        (_, How::BlankFull) => one("数据为空，不适用，按满分计".into(), data()),
        (_, How::Blank) => one("无数据，不得分".into(), data()),
        (Shape::Deduct(list), How::Deduct { taken }) => {
            let mut out = Vec::new();
            for d in list {
                let used = cx.use_of(d.count);
                let count = cx.number(d.count).unwrap_or_default();
                let minus = steps(count, d.step).saturating_mul(d.each);
                if minus > Decimal::ZERO {
                    let per = if d.step == Decimal::ONE {
                        format!("每{}扣 {} 分", "项", fmt(d.each))
                    } else {
                        format!("每 {} 扣 {} 分", fmt(d.step), fmt(d.each))
                    };
                    out.push(Reason {
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
            if taken > item.max {
                out.push(Reason {
                    detail: format!("扣分 {} 超过本项分值，扣完为止，计 0 分", fmt(taken)),
                    points: taken.saturating_sub(item.max).normalize(),
                    data: Vec::new(),
                });
            }
            if taken.is_zero() {
                out.push(Reason {
                    detail: "无扣分情形，得满分".into(),
                    points: Decimal::ZERO,
                    data: list.iter().map(|d| cx.use_of(d.count)).collect(),
                });
            }
            out
        }
        (Shape::Count(list), How::Count { raw }) => {
            let used: Vec<DataUse> = list.iter().map(|d| cx.use_of(d.count)).collect();
            let seen: Vec<String> = used
                .iter()
                .map(|u| format!("{} = {}", u.label, u.value))
                .collect();
            let mut detail = format!("{}，计 {} 分", seen.join("、"), fmt(raw));
            if raw > item.max {
                detail.push_str(&format!("，超过上限按 {} 分计", fmt(item.max)));
            }
            one(detail, used)
        }
        (Shape::Target(_, bound, _), How::Target { v, met }) => {
            let data = data();
            let seen = seen(v, &data);
            let detail = if met {
                format!("{seen}，达到目标（{}），得满分", bound.describe())
            } else if points.is_zero() {
                format!("{seen}，未达到目标（{}），不得分", bound.describe())
            } else {
                format!(
                    "{seen}，未达到目标（{}），按比例得 {} 分",
                    bound.describe(),
                    fmt(points)
                )
            };
            one(detail, data)
        }
        (
            Shape::Linear {
                full_at, zero_at, ..
            },
            How::Linear { v },
        ) => {
            let data = data();
            let (better, worse) = if full_at > zero_at {
                ("以上", "以下")
            } else {
                ("以下", "以上")
            };
            one(
                format!(
                    "{}，{} 及{better}满分、{} 及{worse}为 0 分，按线性得 {} 分",
                    seen(v, &data),
                    fmt(*full_at),
                    fmt(*zero_at),
                    fmt(points)
                ),
                data,
            )
        }
        (Shape::Bands(_, steps), How::Band { v, hit }) => {
            let data = data();
            let seen = seen(v, &data);
            let detail = match hit {
                Some(h) => format!(
                    "{seen}，{}档，得 {} 分",
                    steps[h].0.describe(),
                    fmt(steps[h].1)
                ),
                None => format!("{seen}，未达到最低档，不得分"),
            };
            one(detail, data)
        }
        (Shape::Zero(_), How::Zero { v }) => {
            let data = data();
            let seen = seen(v, &data);
            let detail = if v.num.is_zero() {
                format!("{seen}，实现零目标，得满分")
            } else {
                format!("{seen}，未实现零目标，本项不得分")
            };
            one(detail, data)
        }
        (Shape::Yes(f), How::Yes) => {
            let used = cx.use_of(*f);
            let detail = if points.is_zero() {
                format!("{} = {}，不得分", used.label, used.value)
            } else {
                format!("{} = {}，得满分", used.label, used.value)
            };
            one(detail, vec![used])
        }
        (_, How::Closure { why, capped }) => {
            let why = why.unwrap_or_else(|| format!("按自定义规则计 {} 分", fmt(points)));
            let why = if capped {
                format!("{why}，超过上限按 {} 分计", fmt(item.max))
            } else {
                why
            };
            one(why, Vec::new())
        }
        _ => Vec::new(),
    };
    ItemResult {
        id: item.id.clone(),
        label: item.label.clone(),
        category: item.category.clone(),
        kind: item.kind,
        max,
        points,
        not_applicable,
        text: item.text.clone(),
        reasons,
    }
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

/// Which category (by index into [`RuleSet::categories`]) each item's points count toward;
/// `None` for bonus items and uncategorised indicators. Found once per run.
pub(crate) fn item_categories(set: &RuleSet) -> Vec<Option<usize>> {
    set.items
        .iter()
        .map(|i| match (i.kind, &i.category) {
            (ItemKind::Indicator, Some(c)) => set.categories.iter().position(|(n, _)| n == c),
            _ => None,
        })
        .collect()
}

/// One unit scored on its own, before the cohort stage: points only, plus the explanation
/// when asked for.
pub(crate) struct Scored {
    /// Points per item of [`RuleSet::items`], then per cohort item (filled by the cohort
    /// stage); `None` where the unit is not assessed on the item (`only`).
    pub(crate) points: Vec<Option<Decimal>>,
    pub(crate) base: Decimal,
    pub(crate) bonus: Decimal,
    /// The vetoes that struck, by index into [`RuleSet::vetoes`].
    pub(crate) vetoes: Vec<usize>,
    /// The prerequisites not met, by index into [`RuleSet::prerequisites`].
    pub(crate) prereq_failed: Vec<usize>,
    /// Published metric values, rounded to their decimals.
    pub(crate) metrics: Vec<Option<Decimal>>,
    /// Items, caps and vetoes in words (only when explaining).
    pub(crate) explained: Option<Box<Explained>>,
}

/// A unit's explanation (评分说明).
#[derive(Default)]
pub(crate) struct Explained {
    pub(crate) items: Vec<ItemResult>,
    pub(crate) adjustments: Vec<Adjustment>,
    pub(crate) vetoes: Vec<VetoHit>,
}

/// Scores one unit: every item, veto and prerequisite, then category and bonus caps.
/// `None` when a rule failed (reported to `errors`).
pub(crate) fn score_unit(
    rules: &Rules,
    categories: &[Option<usize>],
    unit: &Unit,
    metrics: &[Option<Decimal>],
    links: &Links,
    errors: &mut Vec<EvalError>,
    explain: bool,
) -> Option<Scored> {
    let set = &rules.set;
    let before = errors.len();
    let mut cx = Ctx::new(rules, unit, links, errors).with_metrics(metrics);
    let mut points = Vec::with_capacity(set.item_count());
    let mut explained = explain.then(Box::<Explained>::default);
    for item in &set.items {
        if let Some(only) = &item.only {
            match cx.test(only, &item.id, item.pos) {
                Some(true) => {}
                Some(false) => {
                    points.push(None);
                    continue;
                }
                None => return None,
            }
        }
        match item_points(&mut cx, item) {
            Some((p, how)) => {
                if let Some(e) = explained.as_mut() {
                    e.items.push(explain_item(&cx, item, p, how));
                }
                points.push(Some(p));
            }
            None => points.push(None),
        }
    }
    let mut vetoes = Vec::new();
    for (k, v) in set.vetoes.iter().enumerate() {
        if cx.test(&v.when, &v.id, v.pos) == Some(true) {
            vetoes.push(k);
            if let Some(e) = explained.as_mut() {
                e.vetoes.push(VetoHit {
                    id: v.id.clone(),
                    label: v.label.clone(),
                    reason: v.reason.clone(),
                    data: cx.condition_data(&v.when),
                });
            }
        }
    }
    let mut prereq_failed = Vec::new();
    for (k, p) in set.prerequisites.iter().enumerate() {
        if cx.test(&p.when, &p.id, p.pos) == Some(false) {
            prereq_failed.push(k);
        }
    }
    if cx.errors.len() > before {
        return None;
    }
    let (base, bonus) = capped_totals(
        set,
        categories,
        &points,
        explained.as_mut().map(|e| &mut e.adjustments),
    );
    Some(Scored {
        points,
        base,
        bonus,
        vetoes,
        prereq_failed,
        metrics: metrics.to_vec(),
        explained,
    })
}

/// Base and bonus points after category caps (大类封顶) and the bonus cap (加分上限); each cap
/// that bites is noted in `notes` when given.
fn capped_totals(
    set: &RuleSet,
    categories: &[Option<usize>],
    points: &[Option<Decimal>],
    mut notes: Option<&mut Vec<Adjustment>>,
) -> (Decimal, Decimal) {
    // On the stack for the usual handful of categories (考核大类).
    let mut few = [Total::default(); 16];
    let mut many = Vec::new();
    let per_category: &mut [Total] = if set.categories.len() <= few.len() {
        &mut few[..set.categories.len()]
    } else {
        many.resize(set.categories.len(), Total::default());
        &mut many
    };
    let mut base = Total::default();
    let mut bonus = Total::default();
    for ((item, cat), p) in set.items.iter().zip(categories).zip(points) {
        let Some(p) = p else { continue };
        match (item.kind, cat) {
            (ItemKind::Bonus, _) => bonus.add(*p),
            (_, Some(c)) => per_category[*c].add(*p),
            _ => base.add(*p),
        }
    }
    for ((name, cap), in_category) in set.categories.iter().zip(per_category.iter()) {
        let in_category = in_category.value();
        if in_category > *cap {
            if let Some(n) = notes.as_mut() {
                n.push(Adjustment {
                    rule: name.clone(),
                    detail: format!(
                        "{name}合计 {}，超过本类上限 {}，按 {} 计",
                        fmt(in_category),
                        fmt(*cap),
                        fmt(*cap)
                    ),
                    points: cap.saturating_sub(in_category).normalize(),
                });
            }
            base.add(*cap);
        } else {
            base.add(in_category);
        }
    }
    let base = base.value();
    let mut bonus = bonus.value();
    if let Some(cap) = set.bonus_max {
        if bonus > cap {
            if let Some(n) = notes.as_mut() {
                n.push(Adjustment {
                    rule: "bonus".into(),
                    detail: format!(
                        "加分合计 {}，超过加分上限 {}，按 {} 计",
                        fmt(bonus),
                        fmt(cap),
                        fmt(cap)
                    ),
                    points: cap.saturating_sub(bonus).normalize(),
                });
            }
            bonus = cap;
        }
    }
    (base, bonus)
}
