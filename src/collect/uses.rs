//! Which declarations read which field (字段用途): an indicator's scoring shape, its `applies`
//! and `only` conditions, vetoes, prerequisites, metrics, roll-ups and linked values — and,
//! inside closures (`score: |u| …`), every `u.field` the closure or a script function it calls
//! reads. The form quotes these on each header; a unit's own form leaves out the fields of
//! the indicators it is not assessed on.

use crate::compile::Rules;
use crate::data::Unit;
use crate::model::{Condition, Count, Deduct, LinkTarget, Measure, RuleSet, Shape, Value};
use rhai::{ASTNode, Expr, FnPtr, AST};

/// The declaration that reads a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// An indicator or bonus, by index into [`RuleSet::items`].
    Item(usize),
    /// A cohort indicator, by index into [`RuleSet::cohort_items`].
    Cohort(usize),
    /// A veto, by index into [`RuleSet::vetoes`].
    Veto(usize),
    /// A prerequisite, by index into [`RuleSet::prerequisites`].
    Prerequisite(usize),
    /// A metric, by index into [`RuleSet::metrics`].
    Metric(usize),
    /// A roll-up, by index into [`RuleSet::rollups`].
    Rollup(usize),
}

/// How a declaration reads a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// It is measured or scored (an indicator's value, a deduction's count, a closure's read).
    Measured,
    /// It decides whether the indicator applies (`applies`: not applying counts as full marks).
    Applies,
    /// It decides who is assessed on the indicator (`only`).
    Only,
    /// It is read on other units (捆绑考核: a sum over the units linked to this one, or the
    /// value of the unit this one links to), and the link itself.
    Linked,
    /// It decides a veto or a prerequisite, or makes a published figure or a roll-up.
    Always,
}

impl Role {
    /// The role's name in [`crate::messages::collect::form_words::use_role`].
    pub fn name(self) -> &'static str {
        match self {
            Self::Measured => "measured",
            Self::Applies => "applies",
            Self::Only => "only",
            Self::Linked => "linked",
            Self::Always => "always",
        }
    }
}

/// One read of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Use {
    /// Who reads it.
    pub source: Source,
    /// How.
    pub role: Role,
}

/// Every field's uses, in declaration order of the declarations.
#[derive(Debug, Clone, Default)]
pub struct Uses {
    /// For each field (by index), its uses.
    pub by_field: Vec<Vec<Use>>,
}

impl Uses {
    /// Finds every use of every field of a compiled rule set.
    pub fn of(rules: &Rules) -> Self {
        let script = Script::index(&rules.ast);
        Self {
            by_field: walk(&rules.set, Some(&script)).uses,
        }
    }
}

/// Every closure of the rule set that is given a unit (`|u| …`): scoring shapes, values,
/// `applies` and `only`, vetoes, prerequisites and metrics.
pub(crate) fn unit_closures(set: &RuleSet) -> Vec<FnPtr> {
    walk(set, None).closures
}

/// Walks every declaration that reads a unit's fields (with `script`, also inside closures).
fn walk<'a>(set: &'a RuleSet, script: Option<&'a Script>) -> Walk<'a> {
    let mut w = Walk {
        set,
        script,
        uses: vec![Vec::new(); set.fields.len()],
        closures: Vec::new(),
    };
    for (i, item) in set.items.iter().enumerate() {
        let source = Source::Item(i);
        w.shape(&item.shape, source);
        if let Some(c) = &item.applies {
            w.condition(c, source, Role::Applies);
        }
        if let Some(c) = &item.only {
            w.condition(c, source, Role::Only);
        }
    }
    for (i, item) in set.cohort_items.iter().enumerate() {
        let source = Source::Cohort(i);
        w.measure(&item.measure, source, Role::Measured, 0);
        if let Some(c) = &item.only {
            w.condition(c, source, Role::Only);
        }
    }
    for (i, v) in set.vetoes.iter().enumerate() {
        w.condition(&v.when, Source::Veto(i), Role::Always);
    }
    for (i, p) in set.prerequisites.iter().enumerate() {
        w.condition(&p.when, Source::Prerequisite(i), Role::Always);
    }
    for (i, m) in set.metrics.iter().enumerate() {
        w.measure(&m.measure, Source::Metric(i), Role::Always, 0);
    }
    for (i, r) in set.rollups.iter().enumerate() {
        let source = Source::Rollup(i);
        if let Some(by) = r.by {
            w.add(by, source, Role::Always);
        }
        if let crate::model::RollupValue::Field(f) = r.value {
            w.add(f, source, Role::Always);
        }
    }
    w
}

impl Uses {
    /// Which fields a unit fills in on its own form, from what is known of it (`known`: its
    /// values in the list of units, `Missing` where unknown): every field but those only the
    /// indicators it is not assessed on read (`only` false, or `applies` false). A field
    /// stays when it may not be left blank, when the unit's list gives it, when nothing is
    /// seen to read it, and when a condition that would drop it cannot be decided from what
    /// is known (a closure, or a value the unit has not filled in yet).
    pub fn needed(&self, set: &RuleSet, known: &[Value]) -> Vec<bool> {
        let active = |source: Source, role: Role| -> bool {
            let (only, applies) = match source {
                Source::Item(i) => (set.items[i].only.as_ref(), set.items[i].applies.as_ref()),
                Source::Cohort(i) => (set.cohort_items[i].only.as_ref(), None),
                _ => return true,
            };
            let no = |c: Option<&Condition>| c.is_some_and(|c| decide(c, known) == Some(false));
            match role {
                Role::Measured => !no(only) && !no(applies),
                Role::Applies => !no(only),
                Role::Only | Role::Linked | Role::Always => true,
            }
        };
        set.fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let uses = &self.by_field[i];
                i == set.id_field
                    || Some(i) == set.name_field
                    || Some(i) == set.cohort_field
                    || (f.required && f.default.is_none())
                    || known.get(i).is_some_and(|v| *v != Value::Missing)
                    || uses.is_empty()
                    || uses.iter().any(|u| active(u.source, u.role))
            })
            .collect()
    }
}

/// Whether a condition holds on what is known of a unit: `None` when it cannot be told (a
/// value not known, a closure).
fn decide(c: &Condition, known: &[Value]) -> Option<bool> {
    match c {
        Condition::Compare(f, bound) => known.get(*f)?.number().map(|v| bound.holds(v)),
        Condition::Is(f, want) => {
            let v = known.get(*f)?;
            match (v, v.number(), want.number()) {
                (Value::Missing, ..) => None,
                (_, Some(a), Some(b)) => Some(a == b),
                _ => Some(v == want),
            }
        }
        Condition::All(cs) => {
            let all: Vec<Option<bool>> = cs.iter().map(|c| decide(c, known)).collect();
            if all.contains(&Some(false)) {
                Some(false)
            } else {
                all.into_iter().collect::<Option<Vec<bool>>>().map(|_| true)
            }
        }
        Condition::Any(cs) => {
            let any: Vec<Option<bool>> = cs.iter().map(|c| decide(c, known)).collect();
            if any.contains(&Some(true)) {
                Some(true)
            } else {
                any.into_iter()
                    .collect::<Option<Vec<bool>>>()
                    .map(|_| false)
            }
        }
        Condition::Not(c) => decide(c, known).map(|b| !b),
        Condition::Closure(_) | Condition::Value(..) | Condition::Previous(_) => None,
    }
}

/// What is known of a unit from the list of units: its values, `Missing` where not given.
pub fn known(unit: Option<&Unit>, fields: usize) -> Vec<Value> {
    unit.map_or_else(|| vec![Value::Missing; fields], |u| u.values.clone())
}

/// The walk over the declarations, gathering uses.
struct Walk<'a> {
    set: &'a RuleSet,
    /// The script's functions, to find the fields closures read; none: closures are only listed.
    script: Option<&'a Script>,
    uses: Vec<Vec<Use>>,
    /// The closures met.
    closures: Vec<FnPtr>,
}

impl Walk<'_> {
    fn add(&mut self, field: usize, source: Source, role: Role) {
        if let Some(list) = self.uses.get_mut(field) {
            let u = Use { source, role };
            if !list.contains(&u) {
                list.push(u);
            }
        }
    }

    fn closure(&mut self, f: &FnPtr, source: Source, role: Role) {
        if !self.closures.iter().any(|g| g.fn_name() == f.fn_name()) {
            self.closures.push(f.clone());
        }
        if let Some(script) = self.script {
            for field in script.closure_fields(f, self.set) {
                self.add(field, source, role);
            }
        }
    }

    fn shape(&mut self, shape: &Shape, source: Source) {
        let role = Role::Measured;
        if let Some(m) = shape.measure() {
            self.measure(m, source, role, 0);
        }
        match shape {
            Shape::Deduct(Deduct { list }) | Shape::Count(Count { list }) => {
                for o in list {
                    self.measure(&o.count, source, role, 0);
                }
            }
            Shape::Yes(y) => self.add(y.field, source, role),
            Shape::Map(m) => self.add(m.field, source, role),
            Shape::Table(t) => {
                for m in &t.inputs {
                    self.measure(m, source, role, 0);
                }
            }
            Shape::Score(s) => self.closure(&s.f, source, role),
            Shape::Target(_) | Shape::Linear(_) | Shape::Bands(_) | Shape::Zero(_) => {}
        }
    }

    fn measure(&mut self, m: &Measure, source: Source, role: Role, depth: usize) {
        match m {
            Measure::Field(f) => self.add(*f, source, role),
            Measure::Ratio { num, den, .. } => {
                self.add(*num, source, role);
                self.add(*den, source, role);
            }
            Measure::Closure(f) => self.closure(f, source, role),
            Measure::Survey { counts, .. } => {
                for c in counts {
                    self.add(*c, source, role);
                }
            }
            // A metric is declared before what reads it: the depth only guards the walk.
            Measure::Metric(i) if depth < 16 => {
                if let Some(metric) = self.set.metrics.get(*i) {
                    self.measure(&metric.measure, source, role, depth + 1);
                }
            }
            Measure::Metric(_) => {}
            Measure::Linked { field, link, .. } => {
                self.add(*link, source, Role::Linked);
                match field {
                    LinkTarget::Field(f) => self.add(*f, source, Role::Linked),
                    LinkTarget::Metric(i) if depth < 16 => {
                        if let Some(metric) = self.set.metrics.get(*i) {
                            self.measure(&metric.measure, source, Role::Linked, depth + 1);
                        }
                    }
                    LinkTarget::Metric(_) => {}
                }
            }
            Measure::Param(_) | Measure::Previous(_) => {}
            Measure::Stat { target, by, .. } => {
                if let Some(b) = by {
                    self.add(*b, source, Role::Linked);
                }
                match target {
                    LinkTarget::Field(f) => self.add(*f, source, role),
                    LinkTarget::Metric(i) if depth < 16 => {
                        if let Some(metric) = self.set.metrics.get(*i) {
                            self.measure(&metric.measure, source, role, depth + 1);
                        }
                    }
                    LinkTarget::Metric(_) => {}
                }
            }
            Measure::Diff(a, b) if depth < 16 => {
                self.measure(a, source, role, depth + 1);
                self.measure(b, source, role, depth + 1);
            }
            Measure::Diff(..) => {}
        }
    }

    fn condition(&mut self, c: &Condition, source: Source, role: Role) {
        match c {
            Condition::Compare(f, _) | Condition::Is(f, _) => self.add(*f, source, role),
            Condition::All(cs) | Condition::Any(cs) => {
                for c in cs {
                    self.condition(c, source, role);
                }
            }
            Condition::Closure(f) => self.closure(f, source, role),
            Condition::Value(m, _) => self.measure(m, source, role, 0),
            Condition::Not(c) => self.condition(c, source, role),
            Condition::Previous(_) => {}
        }
    }
}

/// Every expression in the body of the script function `name` with `params` parameters.
pub(crate) fn walk_function(ast: &AST, name: &str, params: usize, on: &mut dyn FnMut(&Expr)) {
    // The function alone, to walk its body only. (Not `clone_functions_only_filtered`: into a
    // new module it copies every function.)
    let mut alone = ast.clone_functions_only();
    alone.retain_functions(|_, _, n, p| n == name && p == params);
    alone.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(e)) = path.last() {
            on(e);
        }
        true
    });
}

/// One script function (closures included): what its body reads and calls.
struct Function {
    name: String,
    params: usize,
    /// Properties (`u.lost`) and strings (`u["lost"]`) in its body.
    names: Vec<String>,
    /// The functions its body calls.
    calls: Vec<String>,
}

/// What a script's closures may read, found once: for each script function (closures
/// included), the names its body reads and the functions it calls.
struct Script {
    functions: Vec<Function>,
}

impl Script {
    fn index(ast: &AST) -> Self {
        let functions = ast
            .iter_fn_def()
            .map(|def| {
                let (name, params) = (def.name.to_string(), def.params.len());
                let mut names = Vec::new();
                let mut calls = Vec::new();
                walk_function(ast, &name, params, &mut |e| match e {
                    Expr::Property(p, _) => names.push(p.2.to_string()),
                    Expr::StringConstant(s, _) => names.push(s.to_string()),
                    Expr::FnCall(call, _) => calls.push(call.name.to_string()),
                    _ => {}
                });
                Function {
                    name,
                    params,
                    names,
                    calls,
                }
            })
            .collect();
        Self { functions }
    }

    /// The fields a closure reads: names in its body that are fields, and in the bodies of
    /// the script functions it calls, and theirs in turn.
    fn closure_fields(&self, f: &FnPtr, set: &RuleSet) -> Vec<usize> {
        let params = f.curry().len() + 1;
        let mut todo: Vec<&Function> = self
            .functions
            .iter()
            .filter(|g| g.name == f.fn_name() && g.params == params)
            .collect();
        let mut seen: Vec<&str> = vec![f.fn_name()];
        let mut out = Vec::new();
        while let Some(g) = todo.pop() {
            for i in g.names.iter().filter_map(|n| set.field_index(n)) {
                if !out.contains(&i) {
                    out.push(i);
                }
            }
            for called in &g.calls {
                if seen.contains(&called.as_str()) {
                    continue;
                }
                seen.push(called);
                todo.extend(self.functions.iter().filter(|h| h.name == *called));
            }
        }
        out.sort_unstable();
        out
    }
}
