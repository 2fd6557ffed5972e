//! Compiling a rule script (编译规则): run the Rhai script once with the declaration API
//! registered, collect every mistake, and return a [`RuleSet`] of plain Rust data.

use crate::error::{RuleError, RuleErrors, SourceLocation};
use crate::model::*;
use crate::sandbox;
use rhai::{Array, Dynamic, Engine, FnPtr, Map, NativeCallContext, Position, AST};
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::rc::Rc;

/// A rule set ready to score units: the declarations plus the script's closures.
pub struct Rules {
    /// The declarations.
    pub set: RuleSet,
    pub(crate) engine: Engine,
    pub(crate) ast: AST,
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules").field("set", &self.set).finish()
    }
}

impl Rules {
    /// Compiles a rule script. `file` names it in error messages.
    pub fn compile(file: &str, source: &str) -> Result<Self, RuleErrors> {
        Self::compile_with_modules(file, source, &[])
    }

    /// Compiles a rule script that may `import` the given helper modules, each `(path, source)`.
    pub fn compile_with_modules(
        file: &str,
        source: &str,
        modules: &[(String, String)],
    ) -> Result<Self, RuleErrors> {
        let mut errors = Vec::new();
        let mut engine = sandbox::engine();
        let (resolver, compiled) = sandbox::modules(&engine, modules, &mut errors);
        engine.set_module_resolver(resolver.clone());
        let builder = Rc::new(RefCell::new(Builder::new(file)));
        register_api(&mut engine, &builder);

        let ast = match engine.compile(source) {
            Ok(ast) => ast,
            Err(e) => {
                errors.extend(syntax_errors(&engine, file, source, e));
                return Err(RuleErrors(errors));
            }
        };
        if !errors.is_empty() {
            // A helper module is broken: running the script would only repeat that.
            return Err(RuleErrors(errors));
        }
        let ran = engine.run_ast(&ast);
        drop(engine);
        let mut builder = Rc::try_unwrap(builder)
            .map(RefCell::into_inner)
            .unwrap_or_else(|rc| rc.borrow().clone_for_finish());
        let set = match ran {
            Ok(()) => builder.finish(&mut errors),
            // The script stopped part-way: report what it found so far and why it stopped,
            // not the declarations it never reached.
            Err(e) => {
                errors.append(&mut builder.errors);
                errors.push(RuleError {
                    location: SourceLocation::new(
                        file,
                        sandbox::innermost_position(&e).unwrap_or(e.position()),
                    ),
                    message: sandbox::describe(&e),
                    help: sandbox::help_for(&e),
                });
                None
            }
        };
        // Errors read top to bottom, as in the file (stable: same place keeps its order).
        errors.sort_by_key(|e| (e.location.file != file, e.location.line, e.location.column));
        match set {
            Some(set) if errors.is_empty() => {
                let mut engine = sandbox::engine();
                engine.set_module_resolver(resolver);
                sandbox::register_imports(&mut engine, &ast, &compiled);
                Ok(Self { set, engine, ast })
            }
            _ => Err(RuleErrors(errors)),
        }
    }
}

/// Rhai's parser stops at the first syntax error. To report the others too, the top-level
/// statement holding each error is blanked out (keeping every line and column in place) and
/// the script parsed again, up to [`MAX_SYNTAX_ERRORS`] times. An unclosed bracket blanks
/// everything after it, so no error is reported that the first did not leave behind.
fn syntax_errors(
    engine: &Engine,
    file: &str,
    source: &str,
    first: rhai::ParseError,
) -> Vec<RuleError> {
    let mut out = vec![syntax_error(file, &first)];
    let mut text: Vec<char> = source.chars().collect();
    let mut err = first;
    while out.len() < MAX_SYNTAX_ERRORS {
        let Some(offset) = char_offset(&text, err.position()) else {
            break;
        };
        let (start, end) = statement_around(&text, offset);
        if start >= end {
            break;
        }
        for c in &mut text[start..end] {
            if *c != '\n' {
                *c = ' ';
            }
        }
        let again: String = text.iter().collect();
        match engine.compile(&again) {
            Ok(_) => break,
            Err(e) if e.position().line() > err.position().line() => {
                out.push(syntax_error(file, &e));
                err = e;
            }
            Err(_) => break,
        }
    }
    out
}

/// How many syntax errors one check reports at most.
const MAX_SYNTAX_ERRORS: usize = 20;

fn char_offset(text: &[char], pos: Position) -> Option<usize> {
    let (line, col) = (pos.line()?, pos.position().unwrap_or(1));
    let mut l = 1;
    let mut start = 0;
    for (i, c) in text.iter().enumerate() {
        if l == line {
            start = i;
            break;
        }
        if *c == '\n' {
            l += 1;
            start = i + 1;
        }
    }
    if l != line {
        return None;
    }
    Some((start + col.saturating_sub(1)).min(text.len()))
}

/// The top-level statement (ended by `;` outside brackets, strings and comments) around `at`.
fn statement_around(text: &[char], at: usize) -> (usize, usize) {
    let mut depth = 0i32;
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        let next = text.get(i + 1).copied();
        match c {
            '/' if next == Some('/') => {
                while i < text.len() && text[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '/' if next == Some('*') => {
                i += 2;
                while i + 1 < text.len() && !(text[i] == '*' && text[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
                continue;
            }
            '"' | '`' | '\'' => {
                i += 1;
                while i < text.len() && text[i] != c && text[i] != '\n' {
                    if text[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ';' if depth <= 0 => {
                if i >= at {
                    return (start, i + 1);
                }
                depth = 0;
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    (start, text.len())
}

fn syntax_error(file: &str, e: &rhai::ParseError) -> RuleError {
    let message = e.err_type().to_string();
    let help = match e.err_type() {
        rhai::ParseErrorType::MissingToken(tok, _) => Some(format!("add `{tok}` here")),
        rhai::ParseErrorType::UnknownOperator(op) => {
            Some(format!("`{op}` is not an operator in rule scripts"))
        }
        _ => None,
    };
    RuleError {
        location: SourceLocation::new(file, e.position()),
        message: format!("syntax error: {}", message.to_lowercase_first()),
        help,
    }
}

trait LowerFirst {
    fn to_lowercase_first(&self) -> String;
}

impl LowerFirst for String {
    fn to_lowercase_first(&self) -> String {
        let mut chars = self.chars();
        match chars.next() {
            Some(c) => c.to_lowercase().chain(chars).collect::<String>(),
            None => String::new(),
        }
        .trim_end_matches('.')
        .to_string()
    }
}

/// `veto_policy(#{ grade: "earned" })`: a vetoed unit keeps the grade its points earn.
const EARNED: &str = "earned";

/// Collects declarations while the script runs.
struct Builder {
    file: String,
    header: Option<(String, String, Decimal, Option<Decimal>, u32)>,
    fields: Vec<Field>,
    unit: Option<(usize, Option<usize>, Option<usize>)>,
    categories: Vec<(String, Decimal)>,
    items: Vec<Item>,
    cohort_items: Vec<CohortItem>,
    vetoes: Vec<Veto>,
    veto_policy: VetoPolicy,
    prerequisites: Vec<Prerequisite>,
    bands: Vec<Band>,
    ties: TiePolicy,
    consequences: Vec<Consequence>,
    metrics: Vec<Metric>,
    state: Option<FnPtr>,
    rollups: Vec<Rollup>,
    /// Where `veto_policy(…)` was called.
    veto_policy_pos: Position,
    /// `indicator`/`bonus`/`cohort_indicator` calls, valid or not.
    declared_items: usize,
    errors: Vec<RuleError>,
}

impl Builder {
    fn new(file: &str) -> Self {
        Self {
            file: file.to_string(),
            header: None,
            fields: Vec::new(),
            unit: None,
            categories: Vec::new(),
            items: Vec::new(),
            cohort_items: Vec::new(),
            vetoes: Vec::new(),
            veto_policy: VetoPolicy {
                grade: None,
                awards: false,
                rank: VetoRank::Last,
                show_points: true,
            },
            prerequisites: Vec::new(),
            bands: Vec::new(),
            ties: TiePolicy::Competition,
            consequences: Vec::new(),
            metrics: Vec::new(),
            state: None,
            rollups: Vec::new(),
            veto_policy_pos: Position::NONE,
            declared_items: 0,
            errors: Vec::new(),
        }
    }

    /// Only reached if a script kept a reference to the builder alive; it cannot, but
    /// this keeps the library free of panics.
    fn clone_for_finish(&self) -> Self {
        let mut b = Self::new(&self.file);
        b.errors.push(RuleError {
            location: SourceLocation::new(&self.file, Position::NONE),
            message: "internal error: rule declarations still in use after compiling".into(),
            help: None,
        });
        b
    }

    fn error(&mut self, pos: Position, message: impl Into<String>, help: Option<String>) {
        self.errors.push(RuleError {
            location: SourceLocation::new(&self.file, pos),
            message: message.into(),
            help,
        });
    }

    fn finish(mut self, errors: &mut Vec<RuleError>) -> Option<RuleSet> {
        let start = Position::new(1, 1);
        if self.header.is_none() {
            self.error(
                start,
                "the script never calls `ruleset(…)`",
                Some(
                    "start the script with `ruleset(#{ id: \"my-scheme\", title: \"…\", max: 100 });`"
                        .into(),
                ),
            );
        }
        if self.fields.is_empty() {
            self.error(
                start,
                "the rule set declares no data fields",
                Some("declare each column with `field(\"name\", #{ label: \"表头\", type: \"int\" });`".into()),
            );
        }
        if self.unit.is_none() && !self.fields.is_empty() {
            self.error(
                start,
                "the rule set never says which field identifies a unit",
                Some("add `unit(#{ id: \"code\", name: \"name\" });` after the fields".into()),
            );
        }
        if self.declared_items == 0 && self.metrics.is_empty() {
            self.error(
                start,
                "the rule set has no indicators",
                Some("add at least one `indicator(\"id\", #{ … });`".into()),
            );
        }
        // Categories named by items must be declared (once any is), wherever they are.
        if !self.categories.is_empty() {
            let named: Vec<(Position, String)> = self
                .items
                .iter()
                .filter_map(|i| Some((i.pos, i.category.clone()?)))
                .chain(
                    self.cohort_items
                        .iter()
                        .filter_map(|i| Some((i.pos, i.category.clone()?))),
                )
                .collect();
            for (pos, c) in named {
                if !self.categories.iter().any(|(n, _)| *n == c) {
                    let help = suggest(&c, self.categories.iter().map(|(n, _)| n.as_str()))
                        .or_else(|| Some(format!("declare it with `category(\"{c}\", 25);`")));
                    self.error(pos, format!("category `{c}` is not declared"), help);
                }
            }
        }
        // The items must fit the scale: a unit with full marks must not pass `max`.
        if let Some((_, _, max, _, _)) = &self.header {
            let mut reachable = Decimal::ZERO;
            for (name, cap) in &self.categories {
                let inside: Decimal = self
                    .items
                    .iter()
                    .filter(|i| {
                        i.kind == ItemKind::Indicator
                            && i.only.is_none()
                            && i.category.as_deref() == Some(name)
                    })
                    .fold(Decimal::ZERO, |a, i| a.saturating_add(i.max));
                reachable = reachable.saturating_add(inside.min(*cap));
            }
            let in_category = |c: &Option<String>| {
                c.as_ref()
                    .is_some_and(|c| self.categories.iter().any(|(n, _)| n == c))
            };
            // Items with `only` belong to some units: each group's own items are not summed.
            for i in &self.items {
                if i.kind == ItemKind::Indicator && i.only.is_none() && !in_category(&i.category) {
                    reachable = reachable.saturating_add(i.max);
                }
            }
            // Cohort indicators are added after the category caps, so they count in full.
            for i in &self.cohort_items {
                reachable = reachable.saturating_add(i.max);
            }
            if reachable > *max {
                let max = *max;
                self.error(
                    start,
                    format!(
                        "the indicators add up to {} points but the rule set's `max` is {}",
                        reachable.normalize(),
                        max.normalize()
                    ),
                    Some("lower some items' `max`, cap their categories, or raise `max` in `ruleset(…)`".into()),
                );
            }
        }
        // Grades named by prerequisites and consequences must exist.
        let band_names: Vec<String> = self.bands.iter().map(|b| b.name.clone()).collect();
        let mut unknown = Vec::new();
        for p in &self.prerequisites {
            for g in &p.grades {
                if !band_names.contains(g) {
                    unknown.push((p.pos, format!("prerequisite `{}`: ", p.id), g.clone()));
                }
            }
        }
        let mut bad_vetoes = Vec::new();
        for c in &self.consequences {
            if let Outcome::Grade(g) = &c.when {
                if !band_names.contains(g) {
                    unknown.push((c.pos, format!("consequence `{}`: ", c.name), g.clone()));
                }
            }
            if let Outcome::Veto(v) = &c.when {
                if !self.vetoes.iter().any(|x| &x.id == v) {
                    let help = suggest(v, self.vetoes.iter().map(|x| x.id.as_str()));
                    bad_vetoes.push((c.pos, format!("no veto has the id `{v}`"), help));
                }
            }
        }
        for (pos, msg, help) in bad_vetoes {
            self.error(pos, msg, help);
        }
        match self.veto_policy.grade.clone().as_deref() {
            // By default a vetoed unit gets the lowest grade (DOMAIN: 一票否决 → 最低等次).
            None => self.veto_policy.grade = band_names.last().cloned(),
            Some(EARNED) => self.veto_policy.grade = None,
            Some(g) => {
                if !band_names.iter().any(|b| b == g) && !band_names.is_empty() {
                    unknown.push((
                        self.veto_policy_pos,
                        "veto_policy: ".to_string(),
                        g.to_string(),
                    ));
                }
            }
        }
        for (pos, what, g) in unknown {
            let help = suggest(&g, band_names.iter().map(String::as_str))
                .or_else(|| Some(format!("the grades are {}", quote_list(&band_names))));
            self.error(pos, format!("{what}no grade band is named `{g}`"), help);
        }
        errors.append(&mut self.errors);
        let (id, title, max, bonus_max, decimals) = self.header?;
        let (id_field, name_field, cohort_field) = self.unit?;
        Some(RuleSet {
            id,
            title,
            source: self.file,
            max,
            bonus_max,
            decimals,
            fields: self.fields,
            id_field,
            name_field,
            cohort_field,
            categories: self.categories,
            items: self.items,
            cohort_items: self.cohort_items,
            vetoes: self.vetoes,
            veto_policy: self.veto_policy,
            prerequisites: self.prerequisites,
            bands: self.bands,
            ties: self.ties,
            consequences: self.consequences,
            metrics: self.metrics,
            state: self.state,
            rollups: self.rollups,
        })
    }
}

fn quote_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "did you mean" for a mistyped name: the closest known name by edit distance.
pub(crate) fn suggest<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for k in known {
        let d = edit_distance(name, k);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, k));
        }
    }
    match best {
        Some((d, k)) if d <= 2.max(name.chars().count() / 3) => {
            Some(format!("did you mean `{k}`?"))
        }
        _ => None,
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let v = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            cur.push(v);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Reads one declaration's map, remembering which keys were used so the rest can be
/// reported as unknown (a mistyped key is a mistake, not silently ignored).
struct Spec<'a> {
    map: &'a Map,
    used: Vec<&'static str>,
    pos: Position,
    what: String,
    b: &'a mut Builder,
}

impl<'a> Spec<'a> {
    fn new(b: &'a mut Builder, map: &'a Map, pos: Position, what: String) -> Self {
        Self {
            map,
            used: Vec::new(),
            pos,
            what,
            b,
        }
    }

    fn get(&mut self, key: &'static str) -> Option<&'a Dynamic> {
        self.used.push(key);
        self.map.get(key)
    }

    fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    fn err(&mut self, message: String, help: Option<String>) {
        let message = format!("{}: {message}", self.what);
        self.b.error(self.pos, message, help);
    }

    fn string(&mut self, key: &'static str) -> Option<String> {
        let v = self.get(key)?;
        match v.clone().into_string() {
            Ok(s) => Some(s),
            Err(t) => {
                self.err(format!("`{key}` must be text, found {t}"), None);
                None
            }
        }
    }

    fn required_string(&mut self, key: &'static str) -> String {
        match self.string(key) {
            Some(s) => s,
            None => {
                if !self.has(key) {
                    self.err(
                        format!("`{key}` is missing"),
                        Some(format!("add `{key}: \"…\"`")),
                    );
                }
                String::new()
            }
        }
    }

    fn decimal(&mut self, key: &'static str) -> Option<Decimal> {
        let v = self.get(key)?;
        match to_decimal(v) {
            Some(d) => Some(d),
            None => {
                self.err(
                    format!("`{key}` must be a number, found {}", v.type_name()),
                    None,
                );
                None
            }
        }
    }

    fn required_decimal(&mut self, key: &'static str) -> Decimal {
        match self.decimal(key) {
            Some(d) => d,
            None => {
                if !self.has(key) {
                    self.err(
                        format!("`{key}` is missing"),
                        Some(format!("add `{key}: 10`")),
                    );
                }
                Decimal::ZERO
            }
        }
    }

    fn boolean(&mut self, key: &'static str) -> Option<bool> {
        let v = self.get(key)?;
        match v.as_bool() {
            Ok(b) => Some(b),
            Err(t) => {
                self.err(format!("`{key}` must be true or false, found {t}"), None);
                None
            }
        }
    }

    fn field_ref(&mut self, name: &str, key: &str) -> Option<usize> {
        if let Some(i) = self.b.fields.iter().position(|f| f.name == name) {
            return Some(i);
        }
        let help = suggest(name, self.b.fields.iter().map(|f| f.name.as_str()))
            .unwrap_or_else(|| "declare it with `field(…)` before the rules that read it".into());
        self.err(
            format!("`{key}` names field `{name}`, which is not declared"),
            Some(help),
        );
        None
    }

    fn numeric_field(&mut self, name: &str, key: &str) -> Option<usize> {
        let i = self.field_ref(name, key)?;
        if self.b.fields[i].ty == FieldType::Text {
            self.err(
                format!("`{key}` needs a number but field `{name}` is text"),
                Some(format!(
                    "declare `{name}` with type \"int\", \"number\" or \"percent\""
                )),
            );
            return None;
        }
        Some(i)
    }

    /// A VALUE: a field name, a ratio map, or a closure.
    fn measure(&mut self, key: &'static str) -> Option<Measure> {
        let v = self.get(key)?;
        self.measure_of(v, key)
    }

    fn measure_of(&mut self, v: &Dynamic, key: &str) -> Option<Measure> {
        if let Some(f) = v.clone().try_cast::<FnPtr>() {
            return Some(Measure::Closure(f));
        }
        if let Ok(name) = v.clone().into_string() {
            if !self.b.fields.iter().any(|f| f.name == name) {
                if let Some(i) = self.b.metrics.iter().position(|m| m.id == name) {
                    return Some(Measure::Metric(i));
                }
            }
            return self.numeric_field(&name, key).map(Measure::Field);
        }
        if let Some(m) = v.clone().try_cast::<Map>() {
            if m.contains_key("survey") {
                return self.survey(&m, key);
            }
            for (op_key, op) in [
                ("sum", LinkOp::Sum),
                ("mean", LinkOp::Mean),
                ("lookup", LinkOp::Lookup),
            ] {
                if m.contains_key(op_key) {
                    return self.linked(&m, key, op_key, op);
                }
            }
            let num = m.get("num").and_then(|d| d.clone().into_string().ok());
            let den = m.get("den").and_then(|d| d.clone().into_string().ok());
            let scale = match m.get("scale") {
                Some(d) => to_decimal(d),
                None => Some(Decimal::ONE),
            };
            for k in m.keys() {
                if !["num", "den", "scale"].contains(&k.as_str()) {
                    self.err(
                        format!("unknown key `{k}` in the ratio of `{key}`"),
                        Some("a ratio is `#{ num: \"field\", den: \"field\", scale: 100 }`".into()),
                    );
                }
            }
            return match (num, den, scale) {
                (Some(n), Some(d), Some(scale)) => {
                    let num = self.numeric_field(&n, "num")?;
                    let den = self.numeric_field(&d, "den")?;
                    Some(Measure::Ratio { num, den, scale })
                }
                _ => {
                    self.err(
                        format!("`{key}` is not a valid ratio"),
                        Some("a ratio is `#{ num: \"field\", den: \"field\", scale: 100 }`".into()),
                    );
                    None
                }
            };
        }
        self.err(
            format!(
                "`{key}` must be a field name, a ratio map or a closure, found {}",
                v.type_name()
            ),
            None,
        );
        None
    }

    fn names(&mut self, v: Option<&Dynamic>, key: &str) -> Option<Vec<String>> {
        let list = v.and_then(|d| d.clone().try_cast::<Array>());
        let names: Option<Vec<String>> = list
            .map(|a| a.into_iter().map(|d| d.into_string().ok()).collect())
            .unwrap_or(None);
        if names.is_none() {
            self.err(format!("`{key}` must be a list of field names"), None);
        }
        names
    }

    /// `#{ survey: [fields…], points: [100, 80, …] }` or `#{ survey: [...], share: [fields…] }`.
    fn survey(&mut self, m: &Map, key: &str) -> Option<Measure> {
        let help = Some("write `#{ survey: [\"f1\", \"f2\", …], points: [100, 80, …] }` or `#{ survey: [...], share: [\"f1\"] }`".to_string());
        for k in m.keys() {
            if !["survey", "points", "share"].contains(&k.as_str()) {
                self.err(
                    format!("unknown key `{k}` in the survey of `{key}`"),
                    help.clone(),
                );
            }
        }
        let names = self.names(m.get("survey"), "survey")?;
        let mut counts = Vec::new();
        for n in &names {
            counts.push(self.numeric_field(n, "survey")?);
        }
        let method = match (m.get("points"), m.get("share")) {
            (Some(p), None) => {
                let pts: Option<Vec<Decimal>> = p
                    .clone()
                    .try_cast::<Array>()
                    .and_then(|a| a.iter().map(to_decimal).collect());
                match pts {
                    Some(p) if p.len() == counts.len() => SurveyMethod::Mean(p),
                    _ => {
                        self.err(
                            format!(
                                "`points` in the survey of `{key}` needs one number per answer category ({})",
                                counts.len()
                            ),
                            None,
                        );
                        return None;
                    }
                }
            }
            (None, Some(sh)) => {
                let chosen = self.names(Some(sh), "share")?;
                for c in &chosen {
                    if !names.contains(c) {
                        self.err(
                            format!("`share` names `{c}`, which is not in `survey`"),
                            None,
                        );
                        return None;
                    }
                }
                SurveyMethod::Share(names.iter().map(|n| chosen.contains(n)).collect())
            }
            _ => {
                self.err(
                    format!("the survey of `{key}` needs exactly one of `points` or `share`"),
                    help,
                );
                return None;
            }
        };
        Some(Measure::Survey { counts, method })
    }

    /// `#{ sum: "field", over: "link" }`, `#{ mean: …, over: … }`, `#{ lookup: "field", via: "link" }`.
    fn linked(&mut self, m: &Map, key: &str, op_key: &str, op: LinkOp) -> Option<Measure> {
        let link_key = if op == LinkOp::Lookup { "via" } else { "over" };
        for k in m.keys() {
            if k.as_str() != op_key && k.as_str() != link_key {
                self.err(
                    format!("unknown key `{k}` in `{key}`"),
                    Some(format!(
                        "write `#{{ {op_key}: \"field\", {link_key}: \"link_field\" }}`"
                    )),
                );
            }
        }
        let field = m.get(op_key).and_then(|d| d.clone().into_string().ok());
        let link = m.get(link_key).and_then(|d| d.clone().into_string().ok());
        let (Some(field), Some(link)) = (field, link) else {
            self.err(
                format!("`{key}` needs `{op_key}` and `{link_key}`, both field names"),
                None,
            );
            return None;
        };
        let field = if self.b.fields.iter().any(|f| f.name == field) {
            LinkTarget::Field(self.numeric_field(&field, op_key)?)
        } else if let Some(i) = self.b.metrics.iter().position(|m| m.id == field) {
            LinkTarget::Metric(i)
        } else {
            let known = self
                .b
                .fields
                .iter()
                .map(|f| f.name.as_str())
                .chain(self.b.metrics.iter().map(|m| m.id.as_str()));
            let help = suggest(&field, known)
                .unwrap_or_else(|| "name a field, or a metric declared earlier".into());
            self.err(
                format!("`{op_key}` names `{field}`, which is neither a field nor a metric declared earlier"),
                Some(help),
            );
            return None;
        };
        let link = self.field_ref(&link, link_key)?;
        Some(Measure::Linked { field, link, op })
    }

    fn bound_of(&mut self, m: &Map, ctx: &str) -> Vec<Bound> {
        let mut out = Vec::new();
        for (k, v) in m {
            let make: fn(Decimal) -> Bound = match k.as_str() {
                "at_least" => Bound::AtLeast,
                "above" => Bound::Above,
                "at_most" => Bound::AtMost,
                "below" => Bound::Below,
                "equals" => Bound::Equals,
                _ => continue,
            };
            match to_decimal(v) {
                Some(d) => out.push(make(d)),
                None => self.err(format!("`{k}` in {ctx} must be a number"), None),
            }
        }
        out
    }

    /// A CONDITION: a closure, or `#{ field, above|at_least|below|at_most|equals }`.
    fn condition(&mut self, key: &'static str) -> Option<Condition> {
        let v = self.get(key)?;
        if let Some(f) = v.clone().try_cast::<FnPtr>() {
            return Some(Condition::Closure(f));
        }
        let help = Some(
            "write a closure `|u| u.field > 0` or a map `#{ field: \"name\", above: 0 }`"
                .to_string(),
        );
        let Some(m) = v.clone().try_cast::<Map>() else {
            self.err(
                format!("`{key}` must be a condition, found {}", v.type_name()),
                help,
            );
            return None;
        };
        let Some(name) = m.get("field").and_then(|d| d.clone().into_string().ok()) else {
            self.err(format!("the condition in `{key}` names no `field`"), help);
            return None;
        };
        let idx = self.field_ref(&name, "field")?;
        for k in m.keys() {
            if !["field", "above", "at_least", "below", "at_most", "equals"].contains(&k.as_str()) {
                self.err(
                    format!("unknown key `{k}` in the condition of `{key}`"),
                    help.clone(),
                );
            }
        }
        let ty = self.b.fields[idx].ty;
        if let Some(eq) = m.get("equals") {
            if ty == FieldType::Text || ty == FieldType::Bool {
                let value = if let Ok(b) = eq.as_bool() {
                    Value::Bool(b)
                } else {
                    Value::Text(eq.to_string())
                };
                return Some(Condition::Is(idx, value));
            }
        }
        let bounds = self.bound_of(&m, "a condition");
        if ty == FieldType::Text && !bounds.is_empty() {
            self.err(
                format!("the condition in `{key}` compares text field `{name}` with a number"),
                Some("use `equals: \"…\"` for a text field".into()),
            );
            return None;
        }
        match bounds.as_slice() {
            [b] => Some(Condition::Compare(idx, *b)),
            _ => {
                self.err(
                    format!("the condition in `{key}` needs exactly one of `above`, `at_least`, `below`, `at_most`, `equals`"),
                    help,
                );
                None
            }
        }
    }

    /// Checks a shape's map for unknown keys and reads its `value`.
    fn shape_value(&mut self, m: &Map, shape: &str, keys: &[&str]) -> Option<Measure> {
        for k in m.keys() {
            if k.as_str() != "value" && !keys.contains(&k.as_str()) {
                let help = suggest(k, keys.iter().copied().chain(["value"])).or_else(|| {
                    Some(format!(
                        "the keys of `{shape}` are value, {}",
                        keys.join(", ")
                    ))
                });
                self.err(format!("unknown key `{k}` in `{shape}`"), help);
            }
        }
        match m.get("value") {
            Some(v) => self.measure_of(v, "value"),
            None => {
                self.err(
                    format!("`{shape}` needs `value`"),
                    Some(format!("add `value: \"field\"` inside `{shape}`")),
                );
                None
            }
        }
    }

    fn fn_ptr(&mut self, key: &'static str) -> Option<FnPtr> {
        let v = self.get(key)?;
        match v.clone().try_cast::<FnPtr>() {
            Some(f) => Some(f),
            None => {
                self.err(
                    format!(
                        "`{key}` must be a closure such as `|u| …`, found {}",
                        v.type_name()
                    ),
                    None,
                );
                None
            }
        }
    }

    /// Reports keys nobody read: most are typos.
    fn done(mut self, allowed_extra: &[&str]) {
        let used = std::mem::take(&mut self.used);
        let mut unknown: Vec<String> = self
            .map
            .keys()
            .filter(|k| !used.contains(&k.as_str()) && !allowed_extra.contains(&k.as_str()))
            .map(ToString::to_string)
            .collect();
        unknown.sort();
        for k in unknown {
            let help = suggest(&k, used.iter().copied())
                .or_else(|| Some(format!("the keys here are {}", used.join(", "))));
            self.err(format!("unknown key `{k}`"), help);
        }
    }
}

pub(crate) fn to_decimal(v: &Dynamic) -> Option<Decimal> {
    if let Ok(i) = v.as_int() {
        return Some(Decimal::from(i));
    }
    v.as_decimal().ok()
}

const SHAPES: [&str; 7] = [
    "deduct", "count", "target", "linear", "bands", "zero", "score",
];

fn parse_deduct(s: &mut Spec, m: &Map, ctx: &str) -> Option<Deduct> {
    let count = m.get("count").or_else(|| m.get("field"));
    let Some(name) = count.and_then(|d| d.clone().into_string().ok()) else {
        s.err(
            format!("`{ctx}` needs the field that holds the count"),
            Some(format!("write `{ctx}: #{{ count: \"field\", each: 1 }}`")),
        );
        return None;
    };
    for k in m.keys() {
        if !["count", "field", "each", "step"].contains(&k.as_str()) {
            let help = suggest(k, ["count", "each", "step"].into_iter());
            s.err(format!("unknown key `{k}` in `{ctx}`"), help);
        }
    }
    let field = s.numeric_field(&name, "count")?;
    let each = match m.get("each").and_then(to_decimal) {
        Some(d) => d,
        None => {
            s.err(
                format!("`{ctx}` needs `each`, the points per occurrence"),
                None,
            );
            return None;
        }
    };
    let step = m.get("step").and_then(to_decimal).unwrap_or(Decimal::ONE);
    if step <= Decimal::ZERO {
        s.err(format!("`step` in `{ctx}` must be above 0"), None);
        return None;
    }
    Some(Deduct {
        count: field,
        each: each.abs(),
        step,
    })
}

fn parse_shape(s: &mut Spec) -> Option<Shape> {
    let present: Vec<&str> = SHAPES.iter().copied().filter(|k| s.has(k)).collect();
    if present.len() != 1 {
        let msg = if present.is_empty() {
            "says no way of scoring".to_string()
        } else {
            format!("has more than one way of scoring: {}", present.join(", "))
        };
        s.err(
            msg,
            Some("give exactly one of `deduct`, `count`, `target`, `linear`, `bands`, `zero`, `score`".into()),
        );
        for k in SHAPES {
            s.get(k);
        }
        return None;
    }
    match present[0] {
        "deduct" => {
            let v = s.get("deduct")?;
            let list: Vec<Dynamic> = match v.clone().try_cast::<Array>() {
                Some(a) => a,
                None => vec![v.clone()],
            };
            let mut out = Vec::new();
            for d in list {
                match d.try_cast::<Map>() {
                    Some(m) => out.extend(parse_deduct(s, &m, "deduct")),
                    None => s.err("`deduct` must be a map or a list of maps".into(), None),
                }
            }
            (!out.is_empty()).then_some(Shape::Deduct(out))
        }
        "count" => {
            let m = s.get("count")?.clone().try_cast::<Map>();
            match m {
                Some(m) => parse_deduct(s, &m, "count").map(Shape::Count),
                None => {
                    s.err(
                        "`count` must be a map `#{ field: \"…\", each: 0.1 }`".into(),
                        None,
                    );
                    None
                }
            }
        }
        "target" => {
            let m = s.get("target")?.clone().try_cast::<Map>();
            let Some(m) = m else {
                s.err(
                    "`target` must be a map `#{ value: \"…\", at_least: 90 }`".into(),
                    None,
                );
                return None;
            };
            let measure = s.shape_value(
                &m,
                "target",
                &[
                    "otherwise",
                    "at_least",
                    "above",
                    "at_most",
                    "below",
                    "equals",
                ],
            )?;
            let bounds = s.bound_of(&m, "`target`");
            let shortfall = match m.get("otherwise").map(|d| d.to_string()).as_deref() {
                None | Some("zero") => Shortfall::Zero,
                Some("proportional") => Shortfall::Proportional,
                Some(other) => {
                    s.err(
                        format!("`otherwise` in `target` is `{other}`"),
                        Some("use \"zero\" or \"proportional\"".into()),
                    );
                    Shortfall::Zero
                }
            };
            match bounds.as_slice() {
                [b] => Some(Shape::Target(measure, *b, shortfall)),
                _ => {
                    s.err(
                        "`target` needs exactly one of `at_least`, `above`, `at_most`, `below`, `equals`".into(),
                        None,
                    );
                    None
                }
            }
        }
        "linear" => {
            let m = s.get("linear")?.clone().try_cast::<Map>();
            let Some(m) = m else {
                s.err("`linear` must be a map".into(), None);
                return None;
            };
            let measure = s.shape_value(&m, "linear", &["full_at", "zero_at"])?;
            let full_at = m.get("full_at").and_then(to_decimal);
            let zero_at = m.get("zero_at").and_then(to_decimal);
            match (full_at, zero_at) {
                (Some(f), Some(z)) if f != z => Some(Shape::Linear {
                    measure,
                    full_at: f,
                    zero_at: z,
                }),
                _ => {
                    s.err(
                        "`linear` needs two different numbers `full_at` and `zero_at`".into(),
                        None,
                    );
                    None
                }
            }
        }
        "bands" => {
            let m = s.get("bands")?.clone().try_cast::<Map>();
            let Some(m) = m else {
                s.err(
                    "`bands` must be a map `#{ value: \"…\", steps: [[98, 5], [95, 3]] }`".into(),
                    None,
                );
                return None;
            };
            let measure = s.shape_value(&m, "bands", &["steps"])?;
            let steps = m.get("steps").and_then(|d| d.clone().try_cast::<Array>());
            let Some(steps) = steps else {
                s.err(
                    "`bands` needs `steps`, a list such as `[[98, 5], [95, 3]]`".into(),
                    None,
                );
                return None;
            };
            let mut out = Vec::new();
            for step in steps {
                if let Some(pair) = step.clone().try_cast::<Array>() {
                    match (
                        pair.first().and_then(to_decimal),
                        pair.get(1).and_then(to_decimal),
                    ) {
                        (Some(t), Some(p)) if pair.len() == 2 => out.push((Bound::AtLeast(t), p)),
                        _ => s.err("each step in `bands` is `[threshold, points]`".into(), None),
                    }
                } else if let Some(sm) = step.try_cast::<Map>() {
                    for k in sm.keys() {
                        if !["at_least", "above", "at_most", "below", "equals", "points"]
                            .contains(&k.as_str())
                        {
                            s.err(format!("unknown key `{k}` in a band step"), None);
                        }
                    }
                    let bounds = s.bound_of(&sm, "a band step");
                    match (bounds.as_slice(), sm.get("points").and_then(to_decimal)) {
                        ([b], Some(p)) => out.push((*b, p)),
                        _ => s.err(
                            "a band step map needs one bound and `points`, such as `#{ at_least: 98, points: 5 }`".into(),
                            None,
                        ),
                    }
                } else {
                    s.err(
                        "each step in `bands` is `[threshold, points]` or a map".into(),
                        None,
                    );
                }
            }
            Some(Shape::Bands(measure, out))
        }
        "zero" => s.measure("zero").map(Shape::Zero),
        "score" => s.fn_ptr("score").map(Shape::Score),
        _ => None,
    }
}

fn item(b: &mut Builder, pos: Position, id: &str, spec: &Map, kind: ItemKind) {
    b.declared_items += 1;
    let what = match kind {
        ItemKind::Bonus => format!("bonus `{id}`"),
        _ => format!("indicator `{id}`"),
    };
    if b.items.iter().any(|i| i.id == id) || b.cohort_items.iter().any(|i| i.id == id) {
        b.error(
            pos,
            format!("{what} is declared twice"),
            Some("give each rule its own id".into()),
        );
    }
    let mut s = Spec::new(b, spec, pos, what);
    let label = s.required_string("label");
    let category = s.string("category");
    let max = s.required_decimal("max");
    let text = s.string("text").unwrap_or_default();
    let applies = s.condition("applies");
    let only = s.condition("only");
    let blank_is_full = match s.string("na") {
        None => false,
        Some(v) if v == "full" => true,
        Some(v) => {
            s.err(
                format!("`na` is `{v}`"),
                Some("the only choice is `na: \"full\"`".into()),
            );
            false
        }
    };
    let shape = parse_shape(&mut s);
    if kind == ItemKind::Bonus && category.is_some() {
        s.err(
            "a bonus has no `category`".into(),
            Some(
                "bonus points are capped by the bonus's `max` and the rule set's `bonus_max`"
                    .into(),
            ),
        );
    }
    match &shape {
        Some(Shape::Bands(_, steps)) => {
            if let Some((_, p)) = steps.iter().find(|(_, p)| *p > max) {
                s.err(
                    format!(
                        "a band gives {} points but the item's `max` is {}",
                        p.normalize(),
                        max.normalize()
                    ),
                    None,
                );
            }
        }
        Some(Shape::Deduct(_) | Shape::Count(_) | Shape::Score(_)) if blank_is_full => {
            s.err(
                "`na: \"full\"` only applies to shapes that read a `value` (target, linear, bands, zero)".into(),
                Some("use `applies: <condition>` to say when this item does not apply".into()),
            );
        }
        _ => {}
    }
    if max < Decimal::ZERO {
        s.err("`max` must not be negative".into(), None);
    }
    s.done(&[]);
    if let Some(shape) = shape {
        b.items.push(Item {
            id: id.to_string(),
            label,
            category,
            max,
            shape,
            text,
            applies,
            only,
            blank_is_full,
            kind,
            pos,
        });
    }
}

/// `order: "desc"` (higher is better, the default) or `"asc"`.
fn order(s: &mut Spec) -> bool {
    match s.string("order").as_deref() {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(o) => {
            s.err(
                format!("`order` is `{o}`"),
                Some("use \"desc\" (higher is better) or \"asc\"".into()),
            );
            false
        }
    }
}

fn cohort_item(b: &mut Builder, pos: Position, id: &str, spec: &Map) {
    b.declared_items += 1;
    if b.items.iter().any(|i| i.id == id) || b.cohort_items.iter().any(|i| i.id == id) {
        b.error(
            pos,
            format!("cohort indicator `{id}` is declared twice"),
            Some("give each rule its own id".into()),
        );
    }
    let mut s = Spec::new(b, spec, pos, format!("cohort indicator `{id}`"));
    let label = s.required_string("label");
    let category = s.string("category");
    let max = s.required_decimal("max");
    let text = s.string("text").unwrap_or_default();
    let measure = s.measure("value");
    if !s.has("value") {
        s.err(
            "`value` is missing".into(),
            Some("add `value: \"field\"`".into()),
        );
    }
    let ascending = order(&mut s);
    let methods = ["rank_points", "top", "vs_average", "proportional_to_best"];
    let present: Vec<&str> = methods.iter().copied().filter(|k| s.has(k)).collect();
    let method = if present.len() == 1 {
        match present[0] {
            "rank_points" => {
                let list = s
                    .get("rank_points")
                    .and_then(|d| d.clone().try_cast::<Array>());
                let pts: Option<Vec<Decimal>> = list
                    .map(|a| a.iter().map(to_decimal).collect::<Option<Vec<_>>>())
                    .unwrap_or(None);
                match pts {
                    Some(p) if !p.is_empty() => Some(CohortMethod::RankPoints(p)),
                    _ => {
                        s.err(
                            "`rank_points` must be a list of points such as `[6, 5, 4]`".into(),
                            None,
                        );
                        None
                    }
                }
            }
            "top" => {
                let n = s.get("top").and_then(|d| d.as_int().ok());
                match n {
                    Some(n) if n > 0 => {
                        Some(CohortMethod::Top(usize::try_from(n).unwrap_or(usize::MAX)))
                    }
                    _ => {
                        s.err("`top` must be a whole number above 0".into(), None);
                        None
                    }
                }
            }
            "vs_average" => s
                .boolean("vs_average")
                .filter(|b| *b)
                .map(|_| CohortMethod::VsAverage),
            _ => s
                .boolean("proportional_to_best")
                .filter(|b| *b)
                .map(|_| CohortMethod::ProportionalToBest),
        }
    } else {
        s.err(
            "needs exactly one of `rank_points`, `top`, `vs_average`, `proportional_to_best`"
                .into(),
            None,
        );
        for m in methods {
            s.get(m);
        }
        None
    };
    s.done(&[]);
    if let (Some(measure), Some(method)) = (measure, method) {
        b.cohort_items.push(CohortItem {
            id: id.to_string(),
            label,
            category,
            max,
            measure,
            method,
            ascending,
            text,
            pos,
        });
    }
}

fn field_decl(b: &mut Builder, pos: Position, name: &str, spec: &Map) {
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !valid {
        b.error(
            pos,
            format!("field name `{name}` is not an identifier"),
            Some("use letters, digits and `_` (e.g. `lost_control`) and put the Chinese header in `label`".into()),
        );
    }
    if b.fields.iter().any(|f| f.name == name) {
        b.error(pos, format!("field `{name}` is declared twice"), None);
    }
    let mut s = Spec::new(b, spec, pos, format!("field `{name}`"));
    let label = s.string("label").unwrap_or_else(|| name.to_string());
    let aliases: Vec<String> = match s.get("aliases") {
        None => Vec::new(),
        Some(v) => match v.clone().try_cast::<Array>() {
            Some(a) => a.into_iter().map(|d| d.to_string()).collect(),
            None => {
                s.err("`aliases` must be a list of headers".into(), None);
                Vec::new()
            }
        },
    };
    let ty_name = s.string("type").unwrap_or_else(|| "number".into());
    let ty = match FieldType::parse(&ty_name) {
        Some(t) => t,
        None => {
            let help = suggest(
                &ty_name,
                ["text", "int", "number", "percent", "bool"].into_iter(),
            )
            .or_else(|| Some("the types are text, int, number, percent, bool".into()));
            s.err(format!("unknown type `{ty_name}`"), help);
            // Number keeps later checks on this field from adding follow-on errors.
            FieldType::Number
        }
    };
    let default = match s.get("if_blank") {
        None => None,
        Some(d) => match default_value(d, ty) {
            Some(v) => Some(v),
            None => {
                s.err(format!("`if_blank` does not fit type `{ty_name}`"), None);
                None
            }
        },
    };
    let required = s.boolean("required").unwrap_or(default.is_none());
    let one_of: Vec<String> = match s.get("one_of") {
        None => Vec::new(),
        Some(v) => match v.clone().try_cast::<Array>() {
            Some(a) if ty == FieldType::Text => a.into_iter().map(|d| d.to_string()).collect(),
            _ => {
                s.err(
                    "`one_of` must be a list of the values a text field may hold".into(),
                    Some("write `one_of: [\"乡镇\", \"部门\"]` on a field of type \"text\"".into()),
                );
                Vec::new()
            }
        },
    };
    s.done(&[]);
    b.fields.push(Field {
        name: name.to_string(),
        label,
        aliases,
        ty,
        required,
        default,
        one_of,
    });
}

fn default_value(d: &Dynamic, ty: FieldType) -> Option<Value> {
    match ty {
        FieldType::Text => d.clone().into_string().ok().map(Value::Text),
        FieldType::Bool => d.as_bool().ok().map(Value::Bool),
        FieldType::Int => d.as_int().ok().map(Value::Int),
        FieldType::Number | FieldType::Percent => to_decimal(d).map(Value::Number),
    }
}

fn register_api(engine: &mut Engine, builder: &Rc<RefCell<Builder>>) {
    let b = builder.clone();
    engine.register_fn("ruleset", move |ctx: NativeCallContext, spec: Map| {
        let b = &mut *b.borrow_mut();
        let pos = ctx.call_position();
        if b.header.is_some() {
            b.error(pos, "`ruleset(…)` is called twice", None);
        }
        let mut s = Spec::new(b, &spec, pos, "ruleset".into());
        let id = s.required_string("id");
        let title = s.required_string("title");
        let max = s.decimal("max").unwrap_or(Decimal::ONE_HUNDRED);
        let bonus_max = s.decimal("bonus_max");
        let decimals = s.get("decimals").map(|d| d.as_int().unwrap_or(-1));
        let decimals = match decimals {
            None => 2,
            Some(d) if (0..=10).contains(&d) => u32::try_from(d).unwrap_or(2),
            Some(_) => {
                s.err(
                    "`decimals` must be a whole number from 0 to 10".into(),
                    None,
                );
                2
            }
        };
        s.done(&[]);
        b.header = Some((id, title, max, bonus_max, decimals));
    });

    let b = builder.clone();
    engine.register_fn(
        "field",
        move |ctx: NativeCallContext, name: &str, spec: Map| {
            field_decl(&mut b.borrow_mut(), ctx.call_position(), name, &spec);
        },
    );

    let b = builder.clone();
    engine.register_fn("unit", move |ctx: NativeCallContext, spec: Map| {
        let b = &mut *b.borrow_mut();
        let pos = ctx.call_position();
        let mut s = Spec::new(b, &spec, pos, "unit".into());
        let id = s.required_string("id");
        let name = s.string("name");
        let cohort = s.string("cohort");
        let id = s.field_ref(&id, "id");
        let name = name.and_then(|n| s.field_ref(&n, "name"));
        let cohort_ok = cohort.clone().map(|c| s.field_ref(&c, "cohort"));
        s.done(&[]);
        if let Some(id) = id {
            let cohort = match cohort_ok {
                Some(Some(c)) => Some(c),
                Some(None) => return,
                None => None,
            };
            b.unit = Some((id, name, cohort));
        }
    });

    let b = builder.clone();
    engine.register_fn(
        "category",
        move |ctx: NativeCallContext, name: &str, max: Dynamic| {
            let b = &mut *b.borrow_mut();
            let pos = ctx.call_position();
            match to_decimal(&max) {
                Some(m) => b.categories.push((name.to_string(), m)),
                None => b.error(
                    pos,
                    format!("category `{name}`: the maximum must be a number"),
                    None,
                ),
            }
        },
    );

    let b = builder.clone();
    engine.register_fn(
        "indicator",
        move |ctx: NativeCallContext, id: &str, spec: Map| {
            item(
                &mut b.borrow_mut(),
                ctx.call_position(),
                id,
                &spec,
                ItemKind::Indicator,
            );
        },
    );

    let b = builder.clone();
    engine.register_fn(
        "bonus",
        move |ctx: NativeCallContext, id: &str, spec: Map| {
            item(
                &mut b.borrow_mut(),
                ctx.call_position(),
                id,
                &spec,
                ItemKind::Bonus,
            );
        },
    );

    let b = builder.clone();
    engine.register_fn(
        "cohort_indicator",
        move |ctx: NativeCallContext, id: &str, spec: Map| {
            cohort_item(&mut b.borrow_mut(), ctx.call_position(), id, &spec);
        },
    );

    let b = builder.clone();
    engine.register_fn(
        "veto",
        move |ctx: NativeCallContext, id: &str, spec: Map| {
            let b = &mut *b.borrow_mut();
            let pos = ctx.call_position();
            let mut s = Spec::new(b, &spec, pos, format!("veto `{id}`"));
            let label = s.required_string("label");
            let reason = s.string("reason").unwrap_or_else(|| label.clone());
            let when = s.condition("when");
            if !s.has("when") {
                s.err(
                    "`when` is missing".into(),
                    Some("add `when: |u| u.field > 0`".into()),
                );
            }
            s.done(&[]);
            if let Some(when) = when {
                b.vetoes.push(Veto {
                    id: id.to_string(),
                    label,
                    when,
                    reason,
                    pos,
                });
            }
        },
    );

    let b = builder.clone();
    engine.register_fn("veto_policy", move |ctx: NativeCallContext, spec: Map| {
        let b = &mut *b.borrow_mut();
        let pos = ctx.call_position();
        let mut s = Spec::new(b, &spec, pos, "veto_policy".into());
        let grade = s.string("grade");
        let awards = s.boolean("awards").unwrap_or(false);
        let show_points = s.boolean("show_points").unwrap_or(true);
        let rank = match s.string("rank").as_deref() {
            None | Some("last") => VetoRank::Last,
            Some("excluded") => VetoRank::Excluded,
            Some("normal") => VetoRank::Normal,
            Some(o) => {
                s.err(
                    format!("`rank` is `{o}`"),
                    Some("use \"last\", \"excluded\" or \"normal\"".into()),
                );
                VetoRank::Last
            }
        };
        s.done(&[]);
        b.veto_policy_pos = pos;
        b.veto_policy = VetoPolicy {
            grade,
            awards,
            rank,
            show_points,
        };
    });

    let b = builder.clone();
    engine.register_fn(
        "prerequisite",
        move |ctx: NativeCallContext, id: &str, spec: Map| {
            let b = &mut *b.borrow_mut();
            let pos = ctx.call_position();
            let mut s = Spec::new(b, &spec, pos, format!("prerequisite `{id}`"));
            let label = s.required_string("label");
            let when = s.condition("when");
            let grades: Vec<String> = s
                .get("grades")
                .and_then(|d| d.clone().try_cast::<Array>())
                .map(|a| a.into_iter().map(|d| d.to_string()).collect())
                .unwrap_or_default();
            if grades.is_empty() {
                s.err(
                    "`grades` must list the grades that need it".into(),
                    Some("add `grades: [\"一级\"]`".into()),
                );
            }
            s.done(&[]);
            if let Some(when) = when {
                b.prerequisites.push(Prerequisite {
                    id: id.to_string(),
                    label,
                    when,
                    grades,
                    pos,
                });
            }
        },
    );

    let b = builder.clone();
    engine.register_fn("grades", move |ctx: NativeCallContext, bands: Array| {
        let b = &mut *b.borrow_mut();
        let pos = ctx.call_position();
        for band in bands {
            let Some(m) = band.try_cast::<Map>() else {
                b.error(
                    pos,
                    "grades: each band is a map such as `#{ name: \"优秀\", at_least: 90 }`",
                    None,
                );
                continue;
            };
            let mut s = Spec::new(b, &m, pos, "grades".into());
            let name = s.required_string("name");
            let quota = s.decimal("quota");
            for k in ["at_least", "above", "below", "at_most"] {
                s.get(k);
            }
            let bounds = s.bound_of(&m, &format!("band `{name}`"));
            if let Some(q) = quota {
                if q <= Decimal::ZERO || q > Decimal::ONE {
                    s.err(
                        format!("band `{name}`: `quota` must be a share above 0 and at most 1"),
                        Some("write 20 % as `quota: 0.2`".into()),
                    );
                }
            }
            s.done(&[]);
            b.bands.push(Band {
                name,
                bounds,
                quota,
            });
        }
    });

    let b = builder.clone();
    engine.register_fn("ranking", move |ctx: NativeCallContext, spec: Map| {
        let b = &mut *b.borrow_mut();
        let pos = ctx.call_position();
        let mut s = Spec::new(b, &spec, pos, "ranking".into());
        let ties = match s.string("ties").as_deref() {
            None | Some("competition") => TiePolicy::Competition,
            Some("dense") => TiePolicy::Dense,
            Some(o) => {
                s.err(
                    format!("`ties` is `{o}`"),
                    Some("use \"competition\" (1-2-2-4) or \"dense\" (1-2-2-3)".into()),
                );
                TiePolicy::Competition
            }
        };
        let within = s.string("within");
        let within = within.map(|w| s.field_ref(&w, "within"));
        s.done(&[]);
        b.ties = ties;
        if let Some(Some(w)) = within {
            if let Some(unit) = b.unit.as_mut() {
                unit.2 = Some(w);
            } else {
                b.error(pos, "ranking: call `unit(…)` before `ranking(…)`", None);
            }
        }
    });

    let b = builder.clone();
    engine.register_fn(
        "metric",
        move |ctx: NativeCallContext, id: &str, spec: Map| {
            let b = &mut *b.borrow_mut();
            let pos = ctx.call_position();
            if b.metrics.iter().any(|m| m.id == id) {
                b.error(pos, format!("metric `{id}` is declared twice"), None);
            }
            let mut s = Spec::new(b, &spec, pos, format!("metric `{id}`"));
            let label = s.required_string("label");
            let measure = s.measure("value");
            if !s.has("value") {
                s.err(
                    "`value` is missing".into(),
                    Some("add `value: \"field\"` or a survey".into()),
                );
            }
            let decimals = s.get("decimals").map(|d| d.as_int().unwrap_or(-1));
            let decimals = match decimals {
                None => 2,
                Some(d) if (0..=10).contains(&d) => u32::try_from(d).unwrap_or(2),
                Some(_) => {
                    s.err(
                        "`decimals` must be a whole number from 0 to 10".into(),
                        None,
                    );
                    2
                }
            };
            let rank = s.boolean("rank").unwrap_or(false);
            let ascending = order(&mut s);
            s.done(&[]);
            if let Some(measure) = measure {
                b.metrics.push(Metric {
                    id: id.to_string(),
                    label,
                    measure,
                    decimals,
                    rank,
                    ascending,
                    pos,
                });
            }
        },
    );

    let b = builder.clone();
    engine.register_fn("state", move |ctx: NativeCallContext, next: Dynamic| {
        let b = &mut *b.borrow_mut();
        let pos = ctx.call_position();
        if b.state.is_some() {
            b.error(pos, "`state(…)` is called twice", None);
        }
        match next.try_cast::<FnPtr>() {
            Some(f) => b.state = Some(f),
            None => b.error(
                pos,
                "state: expected a closure `|u, prev, r| #{ status: … }`",
                None,
            ),
        }
    });

    let b = builder.clone();
    engine.register_fn(
        "rollup",
        move |ctx: NativeCallContext, id: &str, spec: Map| {
            let b = &mut *b.borrow_mut();
            let pos = ctx.call_position();
            let mut s = Spec::new(b, &spec, pos, format!("rollup `{id}`"));
            let label = s.required_string("label");
            let by = s.string("by").and_then(|f| s.field_ref(&f, "by"));
            let value = match s.string("value").as_deref() {
                None | Some("total") => Some(RollupValue::Total),
                Some(name) => match s.b.metrics.iter().position(|m| m.id == name) {
                    Some(i) => Some(RollupValue::Metric(i)),
                    None => s.numeric_field(name, "value").map(RollupValue::Field),
                },
            };
            let method = match s.string("method").as_deref() {
                None | Some("mean") => RollupMethod::Mean,
                Some("sum") => RollupMethod::Sum,
                Some("min") => RollupMethod::Min,
                Some("max") => RollupMethod::Max,
                Some(o) => {
                    s.err(
                        format!("`method` is `{o}`"),
                        Some("use \"mean\", \"sum\", \"min\" or \"max\"".into()),
                    );
                    RollupMethod::Mean
                }
            };
            let include_vetoed = s.boolean("include_vetoed").unwrap_or(true);
            s.done(&[]);
            if let Some(value) = value {
                b.rollups.push(Rollup {
                    id: id.to_string(),
                    label,
                    by,
                    value,
                    method,
                    include_vetoed,
                });
            }
        },
    );

    let b = builder.clone();
    engine.register_fn(
        "consequence",
        move |ctx: NativeCallContext, name: &str, spec: Map| {
            let b = &mut *b.borrow_mut();
            let pos = ctx.call_position();
            let mut s = Spec::new(b, &spec, pos, format!("consequence `{name}`"));
            let reason = s.string("reason").unwrap_or_else(|| name.to_string());
            let when = s.get("when").cloned();
            s.done(&[]);
            let help = Some("write `when: #{ bottom: 3 }` (or top, grade, vetoed, veto, total_below) or a closure `|r| r.total < 60`".to_string());
            let outcome = match when {
                None => {
                    b.error(pos, format!("consequence `{name}`: `when` is missing"), help);
                    None
                }
                Some(w) => outcome_of(b, pos, name, &w, help),
            };
            if let Some(when) = outcome {
                b.consequences.push(Consequence {
                    name: name.to_string(),
                    when,
                    reason,
                    pos,
                });
            }
        },
    );
}

fn outcome_of(
    b: &mut Builder,
    pos: Position,
    name: &str,
    w: &Dynamic,
    help: Option<String>,
) -> Option<Outcome> {
    if let Some(f) = w.clone().try_cast::<FnPtr>() {
        return Some(Outcome::Closure(f));
    }
    let Some(m) = w.clone().try_cast::<Map>() else {
        b.error(
            pos,
            format!("consequence `{name}`: `when` must be a map or a closure"),
            help,
        );
        return None;
    };
    if m.len() != 1 {
        b.error(
            pos,
            format!("consequence `{name}`: `when` needs exactly one key"),
            help,
        );
        return None;
    }
    let (k, v) = m.iter().next()?;
    let count = || {
        v.as_int()
            .ok()
            .filter(|n| *n > 0)
            .and_then(|n| usize::try_from(n).ok())
    };
    let out = match k.as_str() {
        "bottom" => count().map(Outcome::Bottom),
        "top" => count().map(Outcome::Top),
        "grade" => v.clone().into_string().ok().map(Outcome::Grade),
        "veto" => v.clone().into_string().ok().map(Outcome::Veto),
        "vetoed" if v.as_bool() == Ok(true) => Some(Outcome::Vetoed),
        "total_below" => to_decimal(v).map(Outcome::TotalBelow),
        "state" => v.clone().into_string().ok().map(Outcome::State),
        _ => None,
    };
    if out.is_none() {
        let help = suggest(
            k,
            [
                "bottom",
                "top",
                "grade",
                "veto",
                "vetoed",
                "total_below",
                "state",
            ]
            .into_iter(),
        )
        .or(help);
        b.error(
            pos,
            format!("consequence `{name}`: `when: #{{ {k}: {v} }}` is not understood"),
            help,
        );
    }
    out
}
