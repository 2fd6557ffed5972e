//! `Spec`: reads one declaration's map key by key — text, numbers, choices, field names,
//! values (VALUE), surveys, linked values, conditions and bounds — and reports the keys no
//! reader asked for.

use super::builder::Builder;
use super::locate::Token;
use super::{closest, to_decimal};
use crate::messages::rules::{self, BoundIn, Choice, KeyPlace};
use crate::messages::{Message, Text};
use crate::model::*;
use rhai::{Array, Dynamic, FnPtr, Map, Position};
use rust_decimal::Decimal;

/// Reads one declaration's map, remembering which keys were used so the rest can be
/// reported as unknown (a mistyped key is a mistake, not silently ignored).
pub(crate) struct Spec<'a> {
    map: &'a Map,
    used: Vec<&'static str>,
    pos: Position,
    what: Text,
    /// The declarations so far, to look names up in and report mistakes to.
    pub(super) b: &'a mut Builder,
}

impl<'a> Spec<'a> {
    /// Starts reading `map`; mistakes are reported at `pos` (or at the token they are about,
    /// inside the call at `pos`), prefixed with `what`.
    pub(super) fn new(b: &'a mut Builder, map: &'a Map, pos: Position, what: Text) -> Self {
        let mut numbers = Vec::new();
        super::wording::declared_numbers(map, &mut numbers);
        b.declared_numbers.push((pos, numbers));
        Self {
            map,
            used: Vec::new(),
            pos,
            what,
            b,
        }
    }

    /// The value of `key`, marking the key as known.
    pub(crate) fn get(&mut self, key: &'static str) -> Option<&'a Dynamic> {
        self.used.push(key);
        self.map.get(key)
    }

    /// The text under `key`, if any (without marking it as known).
    pub(crate) fn peek_string(&self, key: &str) -> Option<String> {
        self.map.get(key).and_then(|d| d.clone().into_string().ok())
    }

    /// Whether the map has `key` (without marking it as known).
    pub(crate) fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// Reports a mistake in this declaration, at its call.
    /// Records a warning at `token` inside this declaration: the rule set still compiles.
    pub(crate) fn warn_at(&mut self, token: Token, m: Message) {
        let m = rules::within(&self.what, m);
        self.b.warn_at(self.pos, token, m);
    }

    /// Reads a file the rule set names beside itself; `None` when there is none or it is too
    /// large ([`super::MAX_FILE_BYTES`]).
    pub(crate) fn load_file(&mut self, path: &str) -> Option<Vec<u8>> {
        let bytes = (self.b.files.as_ref()?)(path)?;
        (bytes.len() <= super::MAX_FILE_BYTES).then_some(bytes)
    }

    /// Reports a mistake at a cell of a file beside the rules: `file` (with its sheet, in the
    /// message), row and column, 1-based.
    pub(crate) fn err_in(&mut self, file: &str, row: usize, column: usize, m: Message) {
        let m = rules::within(&self.what, m);
        let location = crate::error::SourceLocation {
            file: file.to_string(),
            line: row,
            column,
        };
        self.b.error_in(location, m);
    }

    /// The VALUE a table's header names: a field, metric or parameter by id or label. `Err`
    /// with the id or label it is closest to.
    pub(crate) fn value_named(&mut self, name: &str) -> Result<Measure, Option<String>> {
        let name = name.trim();
        let b = &self.b;
        let id = b
            .fields
            .iter()
            .find(|f| *f.name == *name || f.label.trim() == name)
            .map(|f| f.name.to_string())
            .or_else(|| {
                b.metrics
                    .iter()
                    .find(|m| *m.id == *name || m.label.trim() == name)
                    .map(|m| m.id.to_string())
            })
            .or_else(|| {
                b.params
                    .iter()
                    .find(|p| *p.id == *name || p.label.trim() == name)
                    .map(|p| p.id.to_string())
            });
        let Some(id) = id else {
            let known: Vec<&str> = b
                .fields
                .iter()
                .flat_map(|f| [&*f.name, f.label.trim()])
                .chain(b.metrics.iter().flat_map(|m| [&*m.id, m.label.trim()]))
                .chain(b.params.iter().flat_map(|p| [&*p.id, p.label.trim()]))
                .collect();
            return Err(closest(name, known.into_iter()).map(str::to_string));
        };
        match self.measure_of(&Dynamic::from(id), "inputs") {
            Some(m) => Ok(m),
            None => Err(None),
        }
    }

    pub(crate) fn err(&mut self, m: Message) {
        let m = rules::within(&self.what, m);
        self.b.error(self.pos, m);
    }

    /// Reports a mistake in this declaration, at `token` inside its call.
    pub(crate) fn err_at(&mut self, token: Token, m: Message) {
        let m = rules::within(&self.what, m);
        self.b.error_at(self.pos, token, m);
    }

    /// `key` as text, if present.
    pub(crate) fn string(&mut self, key: &'static str) -> Option<String> {
        let v = self.get(key)?;
        match v.clone().into_string() {
            Ok(s) => Some(s),
            Err(t) => {
                self.err_at(Token::Key(key), rules::not_text(key, t));
                None
            }
        }
    }

    /// `key` as text, reported if missing.
    pub(crate) fn required_string(&mut self, key: &'static str) -> String {
        self.string(key).unwrap_or_else(|| {
            self.require(key, rules::add(&format!("{key}: \"…\"")));
            String::new()
        })
    }

    /// `key` as a number, if present.
    pub(crate) fn decimal(&mut self, key: &'static str) -> Option<Decimal> {
        let v = self.get(key)?;
        match to_decimal(v) {
            Some(d) => Some(d),
            None => {
                self.err_at(Token::Key(key), rules::not_number(key, v.type_name()));
                None
            }
        }
    }

    /// `key` as a number, reported if missing.
    pub(crate) fn required_decimal(&mut self, key: &'static str) -> Decimal {
        self.decimal(key).unwrap_or_else(|| {
            self.require(key, rules::add(&format!("{key}: 10")));
            Decimal::ZERO
        })
    }

    /// Reports `key` as missing, with `help`, unless the map has it (read or not).
    pub(crate) fn require(&mut self, key: &str, help: Text) {
        if !self.has(key) {
            self.err(rules::missing_key(key, help));
        }
    }

    /// `key` as true or false, if present.
    pub(crate) fn boolean(&mut self, key: &'static str) -> Option<bool> {
        let v = self.get(key)?;
        match v.as_bool() {
            Ok(b) => Some(b),
            Err(t) => {
                self.err_at(Token::Key(key), rules::not_bool(key, t));
                None
            }
        }
    }

    /// `decimals`: a whole number from 0 to 10, 2 if absent (or wrong, which is reported).
    pub(crate) fn decimals(&mut self) -> u32 {
        match self.get("decimals").map(|d| d.as_int().unwrap_or(-1)) {
            None => 2,
            Some(d) if (0..=10).contains(&d) => u32::try_from(d).unwrap_or(2),
            Some(_) => {
                self.err_at(Token::Key("decimals"), rules::bad_decimals());
                2
            }
        }
    }

    /// `round`: how an item's points or a category's subtotal are rounded (保留N位小数) —
    /// `round: 1` (half-up) or `round: #{ places: 1, mode: "down" }`; `None` when absent or
    /// written wrongly (reported).
    pub(crate) fn rounding(&mut self) -> Option<Rounding> {
        let v = self.get("round")?;
        let places = |d: &Dynamic| {
            d.as_int()
                .ok()
                .filter(|n| (0..=10).contains(n))
                .and_then(|n| u32::try_from(n).ok())
        };
        let read = match v.clone().try_cast::<Map>() {
            Some(m) => {
                let mode = match m.get("mode").map(|d| d.to_string()).as_deref() {
                    None | Some("half_up") | Some("四舍五入") => Some(RoundMode::HalfUp),
                    Some("down") | Some("舍去") => Some(RoundMode::Down),
                    Some("up") | Some("进一") => Some(RoundMode::Up),
                    Some(_) => None,
                };
                let known = m.keys().all(|k| ["places", "mode"].contains(&k.as_str()));
                m.get("places")
                    .and_then(places)
                    .zip(mode)
                    .filter(|_| known)
                    .map(|(places, mode)| Rounding { places, mode })
            }
            None => places(v).map(|places| Rounding {
                places,
                mode: RoundMode::HalfUp,
            }),
        };
        if read.is_none() {
            self.err_at(Token::Key("round"), rules::bad_rounding());
        }
        read
    }

    /// `key` as one of the texts in `choices`, read as its value. Absent, it is `default`;
    /// any other text is reported with the hint of `kind` and read as `default` too.
    pub(crate) fn choice<T: Copy>(
        &mut self,
        key: &'static str,
        default: T,
        choices: &[(&str, T)],
        kind: Choice,
    ) -> T {
        let Some(name) = self.string(key) else {
            return default;
        };
        match choices.iter().find(|(n, _)| *n == name) {
            Some((_, v)) => *v,
            None => {
                self.err_at(Token::Text(&name), rules::unknown_choice(key, &name, kind));
                default
            }
        }
    }

    /// `order: "desc"` (higher is better, the default) or `"asc"`: true when ascending.
    pub(crate) fn order(&mut self) -> bool {
        self.choice(
            "order",
            false,
            &[("desc", false), ("asc", true)],
            Choice::Order,
        )
    }

    /// The index of the declared field `name`, which `key` names.
    pub(crate) fn field_ref(&mut self, name: &str, key: &str) -> Option<usize> {
        if let Some(i) = self.b.fields.iter().position(|f| &*f.name == name) {
            return Some(i);
        }
        let near = closest(name, self.b.fields.iter().map(|f| &*f.name));
        self.err_at(Token::Text(name), rules::undeclared_field(key, name, near));
        None
    }

    /// Like [`Self::field_ref`], for a field that must hold numbers.
    pub(crate) fn numeric_field(&mut self, name: &str, key: &str) -> Option<usize> {
        let i = self.field_ref(name, key)?;
        if self.b.fields[i].ty == FieldType::Text {
            self.err_at(Token::Text(name), rules::text_field_as_number(key, name));
            return None;
        }
        Some(i)
    }

    /// A VALUE: a field name, a ratio map, or a closure.
    pub(crate) fn measure(&mut self, key: &'static str) -> Option<Measure> {
        let v = self.get(key)?;
        self.measure_of(v, key)
    }

    /// A VALUE given as `v` under `key`.
    /// A VALUE given as `v` (under `key`, or an element of a list such as a decision table's
    /// `inputs`).
    pub(crate) fn measure_of(&mut self, v: &Dynamic, key: &str) -> Option<Measure> {
        if let Some(f) = v.clone().try_cast::<FnPtr>() {
            return Some(Measure::Closure(f));
        }
        if let Ok(name) = v.clone().into_string() {
            if !self.b.fields.iter().any(|f| *f.name == *name) {
                if let Some(i) = self.b.metrics.iter().position(|m| *m.id == *name) {
                    return Some(Measure::Metric(i));
                }
                if let Some(i) = self.b.params.iter().position(|p| *p.id == *name) {
                    return Some(Measure::Param(i));
                }
            }
            return self.numeric_field(&name, key).map(Measure::Field);
        }
        if let Some(m) = v.clone().try_cast::<Map>() {
            if m.contains_key("survey") {
                return self.survey(&m, key);
            }
            if m.contains_key("diff") {
                return self.diff(&m, key);
            }
            if let Some(p) = m.get("previous") {
                return self.previous(p, &m, key);
            }
            for (stat_key, stat) in [
                ("cohort_mean", Stat::Mean),
                ("cohort_median", Stat::Median),
                ("cohort_max", Stat::Max),
                ("cohort_min", Stat::Min),
            ] {
                if m.contains_key(stat_key) {
                    return self.stat(&m, key, stat_key, stat);
                }
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
                    let help = closest(k, ["num", "den", "scale"].into_iter())
                        .map(|n| rules::rename_key(k, n))
                        .unwrap_or_else(rules::ratio_form);
                    let m = rules::unknown_key(k, KeyPlace::Ratio(key), Some(help));
                    self.err_at(Token::Key(k), m);
                }
            }
            return match (num, den, scale) {
                (Some(n), Some(d), Some(scale)) => {
                    let num = self.numeric_field(&n, "num")?;
                    let den = self.numeric_field(&d, "den")?;
                    Some(Measure::Ratio { num, den, scale })
                }
                _ => {
                    self.err_at(Token::Key(key), rules::bad_ratio(key));
                    None
                }
            };
        }
        self.err_at(Token::Key(key), rules::bad_measure(key, v.type_name()));
        None
    }

    /// `#{ previous: "rank" | "total" | "ITEM" }`: a figure of the previous period.
    fn previous(&mut self, p: &Dynamic, m: &Map, key: &str) -> Option<Measure> {
        use crate::previous::PreviousValue;
        if let Some(k) = m.keys().find(|k| k.as_str() != "previous") {
            let m = rules::unknown_key(k, KeyPlace::In(key), Some(rules::previous_form()));
            self.err_at(Token::Key(k), m);
        }
        let what = match p.clone().into_string().ok().as_deref() {
            Some("rank") => PreviousValue::Rank,
            Some("total") => PreviousValue::Total,
            Some(key) if key.starts_with("state.") && key.len() > "state.".len() => {
                PreviousValue::State(key["state.".len()..].into())
            }
            // An item's id, checked against every item once all are declared.
            Some(id) if !id.is_empty() => {
                self.b.previous_items.push((self.pos, id.to_string()));
                PreviousValue::Item(id.into())
            }
            _ => {
                self.err_at(Token::Key("previous"), rules::bad_previous());
                return None;
            }
        };
        Some(Measure::Previous(what))
    }

    /// `#{ diff: VALUE, from: VALUE }`: the first less the second.
    fn diff(&mut self, m: &Map, key: &str) -> Option<Measure> {
        for k in m.keys() {
            if !["diff", "from"].contains(&k.as_str()) {
                let help = closest(k, ["diff", "from"].into_iter())
                    .map(|n| rules::rename_key(k, n))
                    .unwrap_or_else(rules::diff_form);
                let m = rules::unknown_key(k, KeyPlace::In(key), Some(help));
                self.err_at(Token::Key(k), m);
            }
        }
        let (Some(a), Some(b)) = (m.get("diff"), m.get("from")) else {
            self.err_at(Token::Key("diff"), rules::bad_diff());
            return None;
        };
        let a = self.measure_of(a, "diff")?;
        let b = self.measure_of(b, "from")?;
        if matches!(a, Measure::Closure(_)) || matches!(b, Measure::Closure(_)) {
            self.err_at(Token::Key("diff"), rules::bad_diff());
            return None;
        }
        Some(Measure::Diff(Box::new(a), Box::new(b)))
    }

    /// `#{ cohort_mean: "field", by: "group" }` (or `cohort_median`, `cohort_max`,
    /// `cohort_min`): a statistic over the unit's cohort, or over the units sharing its `by`.
    fn stat(&mut self, m: &Map, key: &str, stat_key: &str, stat: Stat) -> Option<Measure> {
        for k in m.keys() {
            if k.as_str() != stat_key && k.as_str() != "by" {
                let help = closest(k, [stat_key, "by"].into_iter())
                    .map(|n| rules::rename_key(k, n))
                    .unwrap_or_else(|| rules::stat_form(stat_key));
                let m = rules::unknown_key(k, KeyPlace::In(key), Some(help));
                self.err_at(Token::Key(k), m);
            }
        }
        let Some(name) = m.get(stat_key).and_then(|d| d.clone().into_string().ok()) else {
            self.err_at(Token::Key(stat_key), rules::stat_not_name(stat_key));
            return None;
        };
        let target = self.link_target(&name, stat_key)?;
        let by = match m.get("by").map(|d| d.clone().into_string()) {
            None => None,
            Some(Ok(b)) => Some(self.field_ref(&b, "by")?),
            Some(Err(_)) => {
                self.err_at(Token::Key("by"), rules::stat_not_name("by"));
                return None;
            }
        };
        Some(Measure::Stat { target, by, stat })
    }

    /// A numeric field or an earlier metric, by name, read across units (`key` says where).
    fn link_target(&mut self, name: &str, key: &str) -> Option<LinkTarget> {
        if self.b.fields.iter().any(|f| *f.name == *name) {
            return Some(LinkTarget::Field(self.numeric_field(name, key)?));
        }
        if let Some(i) = self.b.metrics.iter().position(|m| *m.id == *name) {
            return Some(LinkTarget::Metric(i));
        }
        let known = self
            .b
            .fields
            .iter()
            .map(|f| &*f.name)
            .chain(self.b.metrics.iter().map(|m| &*m.id));
        let near = closest(name, known);
        let m = rules::undeclared_field_or_metric(key, name, near);
        self.err_at(Token::Text(name), m);
        None
    }

    /// A list of field names.
    fn names(&mut self, v: Option<&Dynamic>, key: &str) -> Option<Vec<String>> {
        let list = v.and_then(|d| d.clone().try_cast::<Array>());
        let names: Option<Vec<String>> = list
            .map(|a| a.into_iter().map(|d| d.into_string().ok()).collect())
            .unwrap_or(None);
        if names.is_none() {
            self.err_at(Token::Key(key), rules::not_names(key));
        }
        names
    }

    /// `#{ survey: [fields…], points: [100, 80, …] }` or `#{ survey: [...], share: [fields…] }`.
    fn survey(&mut self, m: &Map, key: &str) -> Option<Measure> {
        for k in m.keys() {
            if !["survey", "points", "share"].contains(&k.as_str()) {
                let help = closest(k, ["survey", "points", "share"].into_iter())
                    .map(|n| rules::rename_key(k, n))
                    .unwrap_or_else(rules::survey_form);
                let m = rules::unknown_key(k, KeyPlace::Survey(key), Some(help));
                self.err_at(Token::Key(k), m);
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
                        self.err_at(
                            Token::Key("points"),
                            rules::survey_points(key, counts.len()),
                        );
                        return None;
                    }
                }
            }
            (None, Some(sh)) => {
                let chosen = self.names(Some(sh), "share")?;
                for c in &chosen {
                    if !names.contains(c) {
                        self.err_at(Token::Text(c), rules::share_not_in_survey(c));
                        return None;
                    }
                }
                SurveyMethod::Share(names.iter().map(|n| chosen.contains(n)).collect())
            }
            _ => {
                self.err_at(Token::Key("survey"), rules::survey_method(key));
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
                let help = closest(k, [op_key, link_key].into_iter())
                    .map(|n| rules::rename_key(k, n))
                    .unwrap_or_else(|| rules::linked_form(op_key, link_key));
                let m = rules::unknown_key(k, KeyPlace::In(key), Some(help));
                self.err_at(Token::Key(k), m);
            }
        }
        let field = m.get(op_key).and_then(|d| d.clone().into_string().ok());
        let link = m.get(link_key).and_then(|d| d.clone().into_string().ok());
        let (Some(field), Some(link)) = (field, link) else {
            self.err_at(Token::Key(op_key), rules::bad_linked(key, op_key, link_key));
            return None;
        };
        let field = self.link_target(&field, op_key)?;
        let link = self.field_ref(&link, link_key)?;
        Some(Measure::Linked { field, link, op })
    }

    /// The bounds (`at_least`, `above`, `at_most`, `below`, `equals`) in `m`; `ctx` says
    /// where, in messages.
    pub(crate) fn bound_of(&mut self, m: &Map, ctx: BoundIn) -> Vec<Bound> {
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
                None => self.err_at(Token::Key(k), rules::bound_not_number(k, ctx)),
            }
        }
        out
    }

    /// A CONDITION: a closure, `#{ field, above|at_least|below|at_most|equals }`, or
    /// `#{ any: [CONDITION, …] }` / `#{ all: [CONDITION, …] }`.
    pub(crate) fn condition(&mut self, key: &'static str) -> Option<Condition> {
        let v = self.get(key)?;
        self.condition_of(v, key)
    }

    /// A CONDITION given as `v` under `key`.
    pub(crate) fn condition_of(&mut self, v: &Dynamic, key: &str) -> Option<Condition> {
        if let Some(f) = v.clone().try_cast::<FnPtr>() {
            return Some(Condition::Closure(f));
        }
        let Some(m) = v.clone().try_cast::<Map>() else {
            self.err_at(Token::Key(key), rules::not_condition(key, v.type_name()));
            return None;
        };
        for (word, make) in [
            ("any", Condition::Any as fn(Vec<Condition>) -> Condition),
            ("all", Condition::All),
        ] {
            let Some(list) = m.get(word) else { continue };
            let parts = list.clone().try_cast::<Array>().unwrap_or_default();
            if m.len() != 1 || parts.is_empty() {
                self.err_at(Token::Key(word), rules::bad_any_all(word, key));
                return None;
            }
            let parts: Vec<Condition> = parts
                .iter()
                .filter_map(|p| self.condition_of(p, key))
                .collect();
            return Some(make(parts));
        }
        if let Some(inner) = m.get("not") {
            if m.len() != 1 {
                self.err_at(Token::Key("not"), rules::bad_any_all("not", key));
                return None;
            }
            return Some(Condition::Not(Box::new(self.condition_of(inner, key)?)));
        }
        for key in ["previous_grade", "previous_consequence"] {
            if let Some(v) = m.get(key) {
                return self.previous_label(key, v, m.len());
            }
        }
        if m.contains_key("value") {
            let value = self.shape_value(
                &m,
                key,
                &["above", "at_least", "below", "at_most", "equals"],
            )?;
            if matches!(value, Measure::Closure(_)) {
                self.err_at(Token::Key("value"), rules::condition_bounds(key));
                return None;
            }
            return match self.bound_of(&m, BoundIn::Condition).as_slice() {
                [b] => Some(Condition::Value(value, *b)),
                _ => {
                    self.err_at(Token::Key(key), rules::condition_bounds(key));
                    None
                }
            };
        }
        let Some(name) = m.get("field").and_then(|d| d.clone().into_string().ok()) else {
            self.err_at(Token::Key(key), rules::condition_no_field(key));
            return None;
        };
        let idx = self.field_ref(&name, "field")?;
        for k in m.keys() {
            let known = ["field", "above", "at_least", "below", "at_most", "equals"];
            if !known.contains(&k.as_str()) {
                let help = closest(k, known.into_iter())
                    .map(|n| rules::rename_key(k, n))
                    .unwrap_or_else(rules::condition_forms);
                let m = rules::unknown_key(k, KeyPlace::Condition(key), Some(help));
                self.err_at(Token::Key(k), m);
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
        let bounds = self.bound_of(&m, BoundIn::Condition);
        if ty == FieldType::Text && !bounds.is_empty() {
            self.err_at(Token::Key(key), rules::condition_text_vs_number(key, &name));
            return None;
        }
        match bounds.as_slice() {
            [b] => Some(Condition::Compare(idx, *b)),
            _ => {
                self.err_at(Token::Key(key), rules::condition_bounds(key));
                None
            }
        }
    }

    /// `#{ previous_grade: NAME | [NAME…] }` or `#{ previous_consequence: NAME }`: last
    /// period's grade or consequences; the names are checked once all are declared.
    fn previous_label(&mut self, key: &str, v: &Dynamic, keys: usize) -> Option<Condition> {
        use crate::previous::PreviousLabel;
        let names: Option<Vec<Name>> = match v.clone().try_cast::<Array>() {
            Some(list) => list
                .into_iter()
                .map(|n| n.into_string().ok().map(Name::from))
                .collect(),
            None => v.clone().into_string().ok().map(|n| vec![Name::from(n)]),
        };
        let names = names.unwrap_or_default();
        let single = !v.is_array();
        let ok = keys == 1
            && !names.is_empty()
            && names.iter().all(|n| !n.trim().is_empty())
            && (key == "previous_grade" || single);
        if !ok {
            self.err_at(Token::Key(key), rules::bad_previous_label(key));
            return None;
        }
        let label = match key {
            "previous_grade" => PreviousLabel::Grade(names),
            _ => PreviousLabel::Consequence(names.into_iter().next()?),
        };
        self.b.previous_labels.push((self.pos, label.clone()));
        Some(Condition::Previous(label))
    }

    /// The type of the declared field `i`.
    /// The values a field allows (`one_of`); empty for any.
    pub(crate) fn field_one_of(&self, i: usize) -> Vec<String> {
        self.b.fields[i].one_of.clone()
    }

    pub(crate) fn field_type(&self, i: usize) -> FieldType {
        self.b.fields[i].ty
    }

    /// The map under a shape's key; anything else is reported.
    pub(crate) fn shape_map(&mut self, key: &'static str) -> Option<Map> {
        let m = self.get(key)?.clone().try_cast::<Map>();
        if m.is_none() {
            self.err_at(Token::Key(key), rules::shape_not_map(key));
        }
        m
    }

    /// Checks a shape's map for unknown keys and reads its `value`.
    pub(crate) fn shape_value(&mut self, m: &Map, shape: &str, keys: &[&str]) -> Option<Measure> {
        for k in m.keys() {
            if k.as_str() != "value" && !keys.contains(&k.as_str()) {
                let help = closest(k, keys.iter().copied().chain(["value"]))
                    .map(|n| rules::rename_key(k, n))
                    .unwrap_or_else(|| rules::shape_keys_are(shape, keys));
                let m = rules::unknown_key(k, KeyPlace::In(shape), Some(help));
                self.err_at(Token::Key(k), m);
            }
        }
        match m.get("value") {
            Some(v) => self.measure_of(v, "value"),
            None => {
                self.err_at(Token::Key(shape), rules::shape_no_value(shape));
                None
            }
        }
    }

    /// `key` as a closure, if present.
    pub(crate) fn fn_ptr(&mut self, key: &'static str) -> Option<FnPtr> {
        let v = self.get(key)?;
        match v.clone().try_cast::<FnPtr>() {
            Some(f) => Some(f),
            None => {
                self.err_at(Token::Key(key), rules::not_closure(key, v.type_name()));
                None
            }
        }
    }

    /// Reports keys nobody read: most are typos.
    pub(crate) fn done(mut self, allowed_extra: &[&str]) {
        let used = std::mem::take(&mut self.used);
        let mut unknown: Vec<String> = self
            .map
            .keys()
            .filter(|k| !used.contains(&k.as_str()) && !allowed_extra.contains(&k.as_str()))
            .map(ToString::to_string)
            .collect();
        unknown.sort();
        for k in unknown {
            let help = closest(&k, used.iter().copied())
                .map(|n| rules::rename_key(&k, n))
                .unwrap_or_else(|| rules::keys_are(&used));
            let m = rules::unknown_key(&k, KeyPlace::Declaration, Some(help));
            self.err_at(Token::Key(&k), m);
        }
    }
}
