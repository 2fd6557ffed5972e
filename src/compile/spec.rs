//! `Spec`: reads one declaration's map key by key — text, numbers, choices, field names,
//! values (VALUE), surveys, linked values, conditions and bounds — and reports the keys no
//! reader asked for.

use super::builder::Builder;
use super::{suggest, to_decimal};
use crate::model::*;
use rhai::{Array, Dynamic, FnPtr, Map, Position};
use rust_decimal::Decimal;

/// Reads one declaration's map, remembering which keys were used so the rest can be
/// reported as unknown (a mistyped key is a mistake, not silently ignored).
pub(super) struct Spec<'a> {
    map: &'a Map,
    used: Vec<&'static str>,
    pos: Position,
    what: String,
    /// The declarations so far, to look names up in and report mistakes to.
    pub(super) b: &'a mut Builder,
}

impl<'a> Spec<'a> {
    /// Starts reading `map`; mistakes are reported at `pos`, prefixed with `what`.
    pub(super) fn new(b: &'a mut Builder, map: &'a Map, pos: Position, what: String) -> Self {
        Self {
            map,
            used: Vec::new(),
            pos,
            what,
            b,
        }
    }

    /// The value of `key`, marking the key as known.
    pub(super) fn get(&mut self, key: &'static str) -> Option<&'a Dynamic> {
        self.used.push(key);
        self.map.get(key)
    }

    /// Whether the map has `key` (without marking it as known).
    pub(super) fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// Reports a mistake in this declaration.
    pub(super) fn err(&mut self, message: String, help: Option<String>) {
        let message = format!("{}: {message}", self.what);
        self.b.error(self.pos, message, help);
    }

    /// `key` as text, if present.
    pub(super) fn string(&mut self, key: &'static str) -> Option<String> {
        let v = self.get(key)?;
        match v.clone().into_string() {
            Ok(s) => Some(s),
            Err(t) => {
                self.err(format!("`{key}` must be text, found {t}"), None);
                None
            }
        }
    }

    /// `key` as text, reported if missing.
    pub(super) fn required_string(&mut self, key: &'static str) -> String {
        self.string(key).unwrap_or_else(|| {
            self.require(key, &format!("add `{key}: \"…\"`"));
            String::new()
        })
    }

    /// `key` as a number, if present.
    pub(super) fn decimal(&mut self, key: &'static str) -> Option<Decimal> {
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

    /// `key` as a number, reported if missing.
    pub(super) fn required_decimal(&mut self, key: &'static str) -> Decimal {
        self.decimal(key).unwrap_or_else(|| {
            self.require(key, &format!("add `{key}: 10`"));
            Decimal::ZERO
        })
    }

    /// Reports `key` as missing, with `help`, unless the map has it (read or not).
    pub(super) fn require(&mut self, key: &str, help: &str) {
        if !self.has(key) {
            self.err(format!("`{key}` is missing"), Some(help.to_string()));
        }
    }

    /// `key` as true or false, if present.
    pub(super) fn boolean(&mut self, key: &'static str) -> Option<bool> {
        let v = self.get(key)?;
        match v.as_bool() {
            Ok(b) => Some(b),
            Err(t) => {
                self.err(format!("`{key}` must be true or false, found {t}"), None);
                None
            }
        }
    }

    /// `decimals`: a whole number from 0 to 10, 2 if absent (or wrong, which is reported).
    pub(super) fn decimals(&mut self) -> u32 {
        match self.get("decimals").map(|d| d.as_int().unwrap_or(-1)) {
            None => 2,
            Some(d) if (0..=10).contains(&d) => u32::try_from(d).unwrap_or(2),
            Some(_) => {
                self.err(
                    "`decimals` must be a whole number from 0 to 10".into(),
                    None,
                );
                2
            }
        }
    }

    /// `key` as one of the texts in `choices`, read as its value. Absent, it is `default`;
    /// any other text is reported with `help` and read as `default` too.
    pub(super) fn choice<T: Copy>(
        &mut self,
        key: &'static str,
        default: T,
        choices: &[(&str, T)],
        help: &str,
    ) -> T {
        let Some(name) = self.string(key) else {
            return default;
        };
        match choices.iter().find(|(n, _)| *n == name) {
            Some((_, v)) => *v,
            None => {
                self.err(format!("`{key}` is `{name}`"), Some(help.to_string()));
                default
            }
        }
    }

    /// `order: "desc"` (higher is better, the default) or `"asc"`: true when ascending.
    pub(super) fn order(&mut self) -> bool {
        self.choice(
            "order",
            false,
            &[("desc", false), ("asc", true)],
            "use \"desc\" (higher is better) or \"asc\"",
        )
    }

    /// The index of the declared field `name`, which `key` names.
    pub(super) fn field_ref(&mut self, name: &str, key: &str) -> Option<usize> {
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

    /// Like [`Self::field_ref`], for a field that must hold numbers.
    pub(super) fn numeric_field(&mut self, name: &str, key: &str) -> Option<usize> {
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
    pub(super) fn measure(&mut self, key: &'static str) -> Option<Measure> {
        let v = self.get(key)?;
        self.measure_of(v, key)
    }

    /// A VALUE given as `v` under `key`.
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

    /// A list of field names.
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

    /// The bounds (`at_least`, `above`, `at_most`, `below`, `equals`) in `m`; `ctx` says
    /// where, in messages.
    pub(super) fn bound_of(&mut self, m: &Map, ctx: &str) -> Vec<Bound> {
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

    /// A CONDITION: a closure, `#{ field, above|at_least|below|at_most|equals }`, or
    /// `#{ any: [CONDITION, …] }` / `#{ all: [CONDITION, …] }`.
    pub(super) fn condition(&mut self, key: &'static str) -> Option<Condition> {
        let v = self.get(key)?;
        self.condition_of(v, key)
    }

    /// A CONDITION given as `v` under `key`.
    pub(super) fn condition_of(&mut self, v: &Dynamic, key: &str) -> Option<Condition> {
        if let Some(f) = v.clone().try_cast::<FnPtr>() {
            return Some(Condition::Closure(f));
        }
        let help = Some(
            "write a closure `|u| u.field > 0`, a map `#{ field: \"name\", above: 0 }` or `#{ any: [ … ] }`"
                .to_string(),
        );
        let Some(m) = v.clone().try_cast::<Map>() else {
            self.err(
                format!("`{key}` must be a condition, found {}", v.type_name()),
                help,
            );
            return None;
        };
        for (word, make) in [
            ("any", Condition::Any as fn(Vec<Condition>) -> Condition),
            ("all", Condition::All),
        ] {
            let Some(list) = m.get(word) else { continue };
            let parts = list.clone().try_cast::<Array>().unwrap_or_default();
            if m.len() != 1 || parts.is_empty() {
                self.err(
                    format!("`{word}` in `{key}` must be the only key, with a non-empty list of conditions"),
                    help,
                );
                return None;
            }
            let parts: Vec<Condition> = parts
                .iter()
                .filter_map(|p| self.condition_of(p, key))
                .collect();
            return Some(make(parts));
        }
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
    pub(super) fn shape_value(&mut self, m: &Map, shape: &str, keys: &[&str]) -> Option<Measure> {
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

    /// `key` as a closure, if present.
    pub(super) fn fn_ptr(&mut self, key: &'static str) -> Option<FnPtr> {
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
    pub(super) fn done(mut self, allowed_extra: &[&str]) {
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
