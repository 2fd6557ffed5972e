//! Scoring one unit (单位评分): metrics, items, vetoes and prerequisites in native Rust;
//! closures call into Rhai. The cohort stage that follows is in `cohort.rs`.

use crate::compile::{to_decimal, Rules};
use crate::data::Unit;
use crate::error::{EvalError, Merged, SourceLocation};
use crate::explain::{ItemInfo, Items, Mark, Notes};
use crate::figures::{fmt, ratio, round, sum, Fig, Total};
use crate::messages::eval as msg;
use crate::messages::Message;
use crate::model::*;
use crate::result::*;
use crate::sandbox;
use rhai::{Dynamic, FnPtr, Map};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::Arc;

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

impl Measured {
    /// The value as a number, divided out; `None` when blank or without base.
    pub(crate) fn number(self) -> Option<Decimal> {
        match self {
            Self::Value(v) => Some(v),
            Self::Fraction(n, d) => Some(ratio(n, d)),
            Self::Blank | Self::NoBase => None,
        }
    }
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
    /// Statistics over groups of units (组内统计): (target, grouping field, statistic) → the
    /// group's value of that field (the cohort's name when grouped by cohort) → the statistic.
    stats: HashMap<(LinkTarget, Option<usize>, Stat), HashMap<String, Decimal>>,
    /// The statistics wanted.
    wanted_stats: Vec<(LinkTarget, Option<usize>, Stat)>,
    /// The parameters as closures read them (`u.params.ID`), made once per run; `None` without
    /// parameters or when a field is named `params`.
    params: Option<Dynamic>,
    /// The previous period's result, for items that read it (上期结果).
    previous: Option<&'a crate::previous::Previous>,
    /// The field grouping units into cohorts, for statistics over the cohort.
    cohort_field: Option<usize>,
    /// The rule set's decimals, for a mean or a median.
    decimals: u32,
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
            stats: HashMap::new(),
            wanted_stats: Vec::new(),
            params: (!set.params.is_empty() && set.field_index("params").is_none()).then(|| {
                let params: Map = set
                    .params
                    .iter()
                    .map(|p| ((&*p.id).into(), Dynamic::from_decimal(p.value)))
                    .collect();
                params.into()
            }),
            previous: None,
            cohort_field: set.cohort_field,
            decimals: set.decimals,
            breaker: Breaker::default(),
        };
        let mut wanted = Vec::new();
        let mut lookup = false;
        for m in measures(set) {
            match m {
                Measure::Linked { op, .. } if *op == LinkOp::Lookup => lookup = true,
                Measure::Linked { field, link, .. } => wanted.push((*field, *link)),
                Measure::Stat { target, by, stat } => {
                    let key = (*target, *by, *stat);
                    if !links.wanted_stats.contains(&key) {
                        links.wanted_stats.push(key);
                    }
                }
                _ => {}
            }
        }
        if lookup {
            for (i, u) in units.iter().enumerate() {
                links.index.insert(u.values[set.id_field].display(), i);
            }
        }
        links.wanted = wanted;
        links.group(|t| matches!(t, LinkTarget::Field(_)));
        links.statistics(|t| matches!(t, LinkTarget::Field(_)));
        links
    }

    /// The values linked across `units` as a run in memory scores them: with the previous
    /// period and every unit's metrics; metric failures go to `errors`.
    pub(crate) fn for_run(
        rules: &Rules,
        units: &'a [Unit],
        previous: Option<&'a crate::previous::Previous>,
        errors: &mut Vec<EvalError>,
    ) -> Self {
        let mut links = Self::new(&rules.set, units).with_previous(previous);
        links.compute_metrics(rules, errors);
        links
    }

    /// Lets items read the previous period's result (`#{ previous: … }`).
    pub(crate) fn with_previous(mut self, previous: Option<&'a crate::previous::Previous>) -> Self {
        self.previous = previous;
        self
    }

    /// Computes the wanted statistics over groups of units, for the targets `which` selects.
    fn statistics(&mut self, which: impl Fn(&LinkTarget) -> bool) {
        let wanted: Vec<_> = self
            .wanted_stats
            .iter()
            .copied()
            .filter(|(t, _, _)| which(t))
            .collect();
        for (target, by, stat) in wanted {
            let mut values: HashMap<String, Vec<Decimal>> = HashMap::new();
            for (i, u) in self.units.iter().enumerate() {
                let value = match target {
                    LinkTarget::Field(f) => u.values[f].number(),
                    LinkTarget::Metric(m) => self.metrics[i].get(m).copied().flatten(),
                };
                if let Some(v) = value {
                    values.entry(self.group_of(u, by)).or_default().push(v);
                }
            }
            let decimals = self.decimals;
            let out = values
                .into_iter()
                .filter_map(|(g, mut vs)| Some((g, statistic(stat, &mut vs, decimals)?)))
                .collect();
            self.stats.insert((target, by, stat), out);
        }
    }

    /// The group a unit falls in for a statistic: its value of `by`, else its cohort.
    fn group_of(&self, u: &Unit, by: Option<usize>) -> String {
        match by.or(self.cohort_field) {
            Some(f) => u.values[f].display(),
            None => String::new(),
        }
    }

    /// The statistic `key` over the group `unit` falls in, if it has values.
    pub(crate) fn stat(
        &self,
        key: (LinkTarget, Option<usize>, Stat),
        unit: &Unit,
    ) -> Option<Decimal> {
        self.stats
            .get(&key)?
            .get(&self.group_of(unit, key.1))
            .copied()
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
            self.statistics(|t| *t == LinkTarget::Metric(k));
        }
    }
}

/// A statistic of the values of one group, rounded half-up to `decimals` for a mean or a
/// median between two values; `None` for no values.
fn statistic(stat: Stat, values: &mut [Decimal], decimals: u32) -> Option<Decimal> {
    if values.is_empty() {
        return None;
    }
    values.sort();
    let n = values.len();
    Some(match stat {
        Stat::Max => values[n - 1],
        Stat::Min => values[0],
        Stat::Mean => {
            let count = Decimal::from(u64::try_from(n).unwrap_or(u64::MAX));
            round(ratio(sum(values.iter()), count), decimals)
        }
        Stat::Median if n % 2 == 1 => values[n / 2],
        Stat::Median => round(
            ratio(
                values[n / 2 - 1].saturating_add(values[n / 2]),
                Decimal::TWO,
            ),
            decimals,
        ),
    })
}

/// Whether an item reads values of other units or periods: linked values (捆绑考核),
/// statistics over a group (组内平均), a metric or the previous period, at any depth of its
/// value.
pub(crate) fn reads_other_units(set: &RuleSet) -> bool {
    reads_previous_labels(set)
        || measures(set).iter().any(|m| {
            matches!(
                m,
                Measure::Linked { .. }
                    | Measure::Metric(_)
                    | Measure::Stat { .. }
                    | Measure::Previous(_)
            )
        })
}

/// Whether a condition anywhere tests last period's grade or consequences.
fn reads_previous_labels(set: &RuleSet) -> bool {
    let mut conditions = all_conditions(set);
    while let Some(c) = conditions.pop() {
        match c {
            Condition::Previous(_) => return true,
            Condition::All(cs) | Condition::Any(cs) => conditions.extend(cs),
            Condition::Not(c) => conditions.push(c),
            _ => {}
        }
    }
    false
}

/// The conditions a rule set states at the top: items' `applies` and `only`, vetoes,
/// prerequisites and consequences on data.
fn all_conditions(set: &RuleSet) -> Vec<&Condition> {
    let mut conditions: Vec<&Condition> = Vec::new();
    for i in &set.items {
        conditions.extend(i.applies.iter().chain(&i.only));
    }
    conditions.extend(set.vetoes.iter().map(|v| &v.when));
    conditions.extend(set.prerequisites.iter().map(|p| &p.when));
    conditions.extend(set.consequences.iter().filter_map(|c| match &c.when {
        Outcome::Data(c) => Some(c),
        _ => None,
    }));
    conditions
}

/// A measure and the measures inside it (a difference's two sides), depth-first.
fn inner<'m>(m: &'m Measure, out: &mut Vec<&'m Measure>) {
    out.push(m);
    if let Measure::Diff(a, b) = m {
        inner(a, out);
        inner(b, out);
    }
}

/// Every measure a rule set uses, at any depth: items' values and threshold entries, metrics,
/// cohort items, and the values conditions compare (in items, vetoes, prerequisites and
/// consequences).
fn measures(set: &RuleSet) -> Vec<&Measure> {
    let mut all = Vec::new();
    let mut conditions = all_conditions(set);
    for i in &set.items {
        if let Some(m) = i.shape.measure() {
            inner(m, &mut all);
        }
        if let Shape::Deduct(Deduct { list }) | Shape::Count(Count { list }) = &i.shape {
            for o in list {
                inner(&o.count, &mut all);
            }
        }
        if let Shape::Table(t) = &i.shape {
            for m in &t.inputs {
                inner(m, &mut all);
            }
        }
    }
    for m in set.metrics.iter().map(|m| &m.measure) {
        inner(m, &mut all);
    }
    for c in &set.cohort_items {
        inner(&c.measure, &mut all);
    }
    while let Some(c) = conditions.pop() {
        match c {
            Condition::Value(m, _) => inner(m, &mut all),
            Condition::All(cs) | Condition::Any(cs) => conditions.extend(cs),
            Condition::Not(c) => conditions.push(c),
            _ => {}
        }
    }
    all
}

/// What one unit's rules see while it is scored.
pub(crate) struct Ctx<'a> {
    rules: &'a Rules,
    /// The unit being scored.
    pub(crate) unit: &'a Unit,
    map: Option<Map>,
    errors: &'a mut Vec<EvalError>,
    links: &'a Links<'a>,
    /// Published metric values, as computed so far.
    metrics: &'a [Option<Decimal>],
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

    pub(crate) fn set(&self) -> &'a RuleSet {
        &self.rules.set
    }

    /// The unit's id, as errors and linked values name it.
    pub(crate) fn unit_id(&self) -> String {
        self.unit.values[self.set().id_field].display()
    }

    pub(crate) fn number(&self, f: usize) -> Option<Decimal> {
        self.unit.values[f].number()
    }

    /// Notes field `f` as a datum the reason read, its value as written.
    pub(crate) fn note_field(&self, f: usize, out: &mut Notes) {
        let field = &self.set().fields[f];
        out.datum(&field.name, &field.label, &self.unit.values[f]);
    }

    pub(crate) fn unit_map(&mut self) -> Map {
        if let Some(m) = &self.map {
            return m.clone();
        }
        let set = self.set();
        let mut m = unit_map(set, self.unit);
        // The unit's metrics and the rule set's parameters, unless a field has the name.
        if !set.metrics.is_empty() && set.field_index("metrics").is_none() {
            let metrics: Map = set
                .metrics
                .iter()
                .enumerate()
                .map(|(i, metric)| {
                    let v = self.metrics.get(i).copied().flatten();
                    (
                        (&*metric.id).into(),
                        v.map_or(Dynamic::UNIT, Dynamic::from_decimal),
                    )
                })
                .collect();
            m.insert("metrics".into(), metrics.into());
        }
        if let Some(params) = &self.links.params {
            m.insert("params".into(), params.clone());
        }
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
                let mut m = sandbox::describe(&e);
                // A name the unit's data does not hold (read as `u[name]`): the one meant.
                if let rhai::EvalAltResult::ErrorPropertyNotFound(prop, _) = sandbox::innermost(&e)
                {
                    let fields = self.set().fields.iter().map(|f| &*f.name);
                    if let Some(near) = crate::messages::closest(prop, fields) {
                        let t = crate::messages::rules::did_you_mean(near);
                        m = m.help(t.zh, t.en);
                    }
                }
                let err = self.error(rule, p, m);
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
        match m {
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
            other => self.peek(other),
        }
    }

    /// What a measure that is not a closure gives for this unit (`None` for a closure, which
    /// only [`Ctx::measure`] runs).
    pub(crate) fn peek(&self, m: &Measure) -> Option<Measured> {
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
            Measure::Param(i) => Some(present(self.set().params.get(*i).map(|p| p.value))),
            Measure::Previous(what) => Some(present(
                self.links
                    .previous
                    .and_then(|p| p.value(&self.unit_id(), what)),
            )),
            Measure::Stat { target, by, stat } => {
                Some(present(self.links.stat((*target, *by, *stat), self.unit)))
            }
            Measure::Diff(a, b) => {
                let value = |m: Measured| match m {
                    Measured::Value(v) => Ok(v),
                    Measured::Fraction(n, d) => Ok(ratio(n, d)),
                    other => Err(other),
                };
                let a = self.peek(a)?;
                let b = self.peek(b)?;
                Some(match (value(a), value(b)) {
                    (Ok(a), Ok(b)) => Measured::Value(a.saturating_sub(b)),
                    (Err(Measured::NoBase), _) | (_, Err(Measured::NoBase)) => Measured::NoBase,
                    _ => Measured::Blank,
                })
            }
            Measure::Closure(_) => None,
        }
    }

    /// The data a measure read, for its explanation.
    pub(crate) fn measure_data(&self, m: &Measure) -> Vec<DataUse> {
        let mut out = Notes::default();
        self.note_measure(m, &mut out);
        out.into_data()
    }

    /// Notes the data a measure read, for its explanation.
    pub(crate) fn note_measure(&self, m: &Measure, out: &mut Notes) {
        let set = self.set();
        match m {
            Measure::Field(f) => self.note_field(*f, out),
            Measure::Ratio { num, den, .. } => {
                self.note_field(*num, out);
                self.note_field(*den, out);
            }
            Measure::Survey { counts, .. } => {
                for f in counts {
                    self.note_field(*f, out);
                }
            }
            Measure::Metric(i) => {
                let metric = &set.metrics[*i];
                let value = self.metrics.get(*i).copied().flatten();
                out.push_datum(DataUse {
                    field: metric.id.clone(),
                    label: metric.label.clone(),
                    value: value.map_or_else(
                        || "（空）".to_string(),
                        |v| crate::figures::display_total(v, metric.decimals),
                    ) + crate::survey::metric_note(set, self.unit, *i).as_str(),
                });
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
                out.push_datum(DataUse {
                    field: name,
                    label: how.into(),
                    value: value.map_or_else(|| "（空）".to_string(), fmt),
                });
            }
            Measure::Param(i) => {
                if let Some(p) = set.params.get(*i) {
                    out.push_datum(DataUse {
                        field: p.id.clone(),
                        label: p.label.clone(),
                        value: if p.value == p.declared {
                            fmt(p.value)
                        } else {
                            format!(
                                "{}（本次参数；规则集原为 {}）",
                                fmt(p.value),
                                fmt(p.declared)
                            )
                        },
                    });
                }
            }
            Measure::Stat { target, by, stat } => {
                let value = self.links.stat((*target, *by, *stat), self.unit);
                let (name, label) = match target {
                    LinkTarget::Field(f) => {
                        (set.fields[*f].name.clone(), set.fields[*f].label.clone())
                    }
                    LinkTarget::Metric(m) => {
                        (set.metrics[*m].id.clone(), set.metrics[*m].label.clone())
                    }
                };
                let group = match by {
                    Some(b) => format!("同{}单位", set.fields[*b].label),
                    None if set.cohort_field.is_some() => "本组".to_string(),
                    None => "全体单位".to_string(),
                };
                out.push_datum(DataUse {
                    field: name,
                    label: format!("{group}{label}{}", stat.words()).into(),
                    value: value.map_or_else(|| "（空）".to_string(), fmt),
                });
            }
            Measure::Previous(what) => {
                let id = self.unit_id();
                let value = match self.links.previous {
                    None => "（未提供上期结果）".to_string(),
                    Some(p) if !p.lists(&id) => "（上期无此单位）".to_string(),
                    Some(p) => p.value(&id, what).map_or_else(|| "（空）".to_string(), fmt),
                };
                out.push_datum(DataUse {
                    field: "previous".into(),
                    label: what.words(set).into(),
                    value,
                });
            }
            Measure::Diff(a, b) => {
                self.note_measure(a, out);
                self.note_measure(b, out);
            }
            Measure::Closure(_) => {}
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
            Condition::Value(m, b) => Some(match self.peek(m) {
                Some(Measured::Value(v)) => b.holds(v),
                Some(Measured::Fraction(n, d)) => crate::shapes::Frac {
                    num: n,
                    den: Some(d),
                }
                .meets(*b),
                _ => false,
            }),
            Condition::Not(inner) => self.test(inner, rule, pos).map(|b| !b),
            Condition::Previous(label) => Some(
                self.links
                    .previous
                    .is_some_and(|p| label.holds(p, &self.unit_id())),
            ),
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
        let mut out = Notes::default();
        self.note_condition(c, &mut out);
        out.into_data()
    }

    /// Notes the data a condition read, for its explanation: the parts of `all`/`any` each
    /// field once.
    pub(crate) fn note_condition(&self, c: &Condition, out: &mut Notes) {
        match c {
            Condition::Compare(f, _) | Condition::Is(f, _) => self.note_field(*f, out),
            Condition::All(parts) | Condition::Any(parts) => {
                let m = out.mark();
                for p in parts {
                    let mut own = Notes::default();
                    self.note_condition(p, &mut own);
                    for d in own.into_data() {
                        if !out.has_field_since(m, &d.field) {
                            out.push_datum(d);
                        }
                    }
                }
            }
            Condition::Value(v, _) => self.note_measure(v, out),
            Condition::Not(inner) => self.note_condition(inner, out),
            Condition::Previous(label) => {
                let (what, value) = label.read(self.links.previous, &self.unit_id());
                out.push_datum(DataUse {
                    field: "previous".into(),
                    label: what.into(),
                    value,
                });
            }
            Condition::Closure(_) => {}
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
        m.insert((&*f.name).into(), value_dynamic(v));
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

/// How a measured value came about, in words, written after the data noted since `at`:
/// `失控人员数 = 3`, `查结数/立案数 = 9/10 → 90`, `问卷指数 = 95（安全 90、比较安全 5、不安全 5）`.
pub(crate) fn write_measured(out: &mut Notes, at: Mark, m: &Measure, value: Decimal) {
    use std::fmt::Write as _;
    let v = Fig(round(value, 4));
    let label = |t: &mut String, l: &str, _: &str| t.push_str(l);
    let shown = |t: &mut String, _: &str, x: &str| t.push_str(x);
    let both = |t: &mut String, l: &str, x: &str| {
        t.push_str(l);
        t.push(' ');
        t.push_str(x);
    };
    match (m, out.data_since(at)) {
        (Measure::Ratio { .. }, 2) => {
            out.write_datum(at, 0, label);
            out.text().push('/');
            out.write_datum(at, 1, label);
            out.text().push_str(" = ");
            out.write_datum(at, 0, shown);
            out.text().push('/');
            out.write_datum(at, 1, shown);
            let _ = write!(out.text(), " → {v}");
        }
        (Measure::Survey { .. }, n) => {
            let _ = write!(out.text(), "问卷指数 = {v}（");
            for k in 0..n {
                if k > 0 {
                    out.text().push('、');
                }
                out.write_datum(at, k, both);
            }
            out.text().push('）');
        }
        (Measure::Diff(..), 2) => {
            out.write_datum(at, 0, both);
            out.text().push_str(" − ");
            out.write_datum(at, 1, both);
            let _ = write!(out.text(), " = {v}");
        }
        (_, 1) => out.write_label_is(at, 0),
        _ => {
            let _ = write!(out.text(), "计算值 = {v}");
        }
    }
}

/// Which category (by index into [`RuleSet::categories`]) each item's points count toward;
/// `None` for bonus items and uncategorised indicators. Found once per run.
pub(crate) fn item_categories(set: &RuleSet) -> Vec<Option<usize>> {
    set.items
        .iter()
        .map(|i| match (i.kind, &i.category) {
            (ItemKind::Indicator | ItemKind::Deduction, Some(c)) => {
                set.categories.iter().position(|k| *k.name == **c)
            }
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
    pub(crate) items: Items,
    pub(crate) adjustments: Vec<Adjustment>,
    pub(crate) vetoes: Vec<VetoHit>,
}

/// Scores one unit: every item, veto and prerequisite, then category and bonus caps, each
/// point explained with the run's items `explain` when given. `None` when a rule failed
/// (reported to `errors`).
pub(crate) fn score_unit(
    rules: &Rules,
    categories: &[Option<usize>],
    unit: &Unit,
    metrics: &[Option<Decimal>],
    links: &Links,
    errors: &mut Vec<EvalError>,
    explain: Option<&Arc<[ItemInfo]>>,
) -> Option<Scored> {
    let set = &rules.set;
    let before = errors.len();
    let mut cx = Ctx::new(rules, unit, links, errors).with_metrics(metrics);
    let mut points = Vec::with_capacity(set.item_count());
    let mut explained = explain.map(|info| {
        Box::new(Explained {
            items: Items::explained(info),
            ..Explained::default()
        })
    });
    for (k, item) in set.items.iter().enumerate() {
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
        match crate::shapes::points(&mut cx, item) {
            Some((p, how)) => {
                if let Some(e) = explained.as_mut() {
                    crate::shapes::explain(&cx, k, item, p, how, &mut e.items);
                }
                points.push(Some(p));
            }
            None => points.push(None),
        }
    }
    // A slot per cohort item, filled by the cohort stage (None: not assessed on it).
    points.resize(set.item_count(), None);
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

/// Base and bonus points after category caps (大类封顶), the caps on a category's deductions
/// (本项限扣) and the bonus cap (加分上限), from the rule set's base (基础分); each cap that
/// bites is noted in `notes` when given.
fn capped_totals(
    set: &RuleSet,
    categories: &[Option<usize>],
    points: &[Option<Decimal>],
    mut notes: Option<&mut Vec<Adjustment>>,
) -> (Decimal, Decimal) {
    // On the stack for the usual handful of categories (考核大类): points, then deductions.
    let mut few = [(Total::default(), Total::default()); 16];
    let mut many = Vec::new();
    let per_category: &mut [(Total, Total)] = if set.categories.len() <= few.len() {
        &mut few[..set.categories.len()]
    } else {
        many.resize(set.categories.len(), (Total::default(), Total::default()));
        &mut many
    };
    let mut base = Total::default();
    if !set.base.is_zero() {
        base.add(set.base);
    }
    let mut bonus = Total::default();
    for ((item, cat), p) in set.items.iter().zip(categories).zip(points) {
        let Some(p) = p else { continue };
        match (item.kind, cat) {
            (ItemKind::Bonus, _) => bonus.add(*p),
            (ItemKind::Deduction, Some(c)) => per_category[*c].1.add(*p),
            (_, Some(c)) => per_category[*c].0.add(*p),
            _ => base.add(*p),
        }
    }
    for (category, (in_category, taken)) in set.categories.iter().zip(per_category.iter()) {
        let (name, cap) = (&category.name, &category.max);
        let in_category = in_category.value();
        let mut subtotal = if in_category > *cap {
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
            *cap
        } else {
            in_category
        };
        // Deductions are points of 0 or less: together they take at most `deduct_cap`.
        let taken = taken.value();
        match &category.deduct_cap {
            Some(limit) if -taken > *limit => {
                if let Some(n) = notes.as_mut() {
                    n.push(Adjustment {
                        rule: name.clone(),
                        detail: format!(
                            "{name}扣分合计 {}，本项限扣 {} 分，按扣 {} 分计",
                            fmt(-taken),
                            fmt(*limit),
                            fmt(*limit)
                        ),
                        points: (-taken).saturating_sub(*limit).normalize(),
                    });
                }
                subtotal = subtotal.saturating_sub(*limit);
            }
            _ => subtotal = subtotal.saturating_add(taken),
        }
        // The category's own rounding (本类得分保留N位小数), on what it counts.
        if let Some(r) = category.round {
            let rounded = r.apply(subtotal);
            if rounded != subtotal {
                if let Some(n) = notes.as_mut() {
                    n.push(Adjustment {
                        rule: name.clone(),
                        detail: format!(
                            "{name}得分 {}，{}，按 {} 计",
                            fmt(subtotal),
                            r.words(),
                            fmt(rounded)
                        ),
                        points: rounded.saturating_sub(subtotal).normalize(),
                    });
                }
            }
            subtotal = rounded;
        }
        if !subtotal.is_zero() {
            base.add(subtotal);
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
