//! What the rule set reads: `ruleset` (its header), `field`, `unit`, and the `metric`s
//! computed from the fields.

use super::builder::{Builder, Header};
use super::locate::Token;
use super::spec::Spec;
use super::{closest, to_decimal};
use crate::figures::fmt;
use crate::messages::rules::{self, Decl};
use crate::model::*;
use rhai::{Array, Dynamic, Map, Position};
use rust_decimal::Decimal;

/// `ruleset(#{ id, title, max, bonus_max, base, decimals, issuer, period, document })`.
pub(super) fn ruleset(b: &mut Builder, pos: Position, spec: &Map) {
    if b.header.is_some() {
        b.error(pos, rules::called_twice("ruleset"));
    }
    let mut s = Spec::new(b, spec, pos, Decl::Ruleset.text());
    let id = s.required_string("id");
    let title = s.required_string("title");
    let max_written = s.has("max");
    let max = s.decimal("max").unwrap_or(Decimal::ONE_HUNDRED);
    let bonus_max = s.decimal("bonus_max");
    let base = s.decimal("base").unwrap_or(Decimal::ZERO);
    if base < Decimal::ZERO || base > max {
        s.err_at(
            Token::Key("base"),
            rules::base_out_of_scale(&fmt(base), &fmt(max)),
        );
    }
    let decimals = s.decimals();
    let publication = Publication {
        issuer: s.string("issuer"),
        period: s.string("period"),
        document: s.string("document"),
    };
    s.done(&[]);
    b.header = Some(Header {
        id,
        title,
        max,
        bonus_max,
        base,
        decimals,
        publication,
    });
    b.ruleset_pos = pos;
    b.max_written = max_written;
}

/// `field("name", #{ label, aliases, type, if_blank, required, one_of, min, max })`: a column of
/// the data.
pub(super) fn field(b: &mut Builder, pos: Position, name: &str, spec: &Map) {
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !valid {
        b.error_at(pos, Token::Text(name), rules::bad_field_name(name));
    }
    let what = Decl::Field(name).text();
    if b.fields.iter().any(|f| &*f.name == name) {
        b.error_at(pos, Token::Text(name), rules::declared_twice(&what, false));
    }
    let mut s = Spec::new(b, spec, pos, what);
    let label = s.string("label").unwrap_or_else(|| name.to_string());
    let aliases: Vec<String> = match s.get("aliases") {
        None => Vec::new(),
        Some(v) => match v.clone().try_cast::<Array>() {
            Some(a) => a.into_iter().map(|d| d.to_string()).collect(),
            None => {
                s.err_at(Token::Key("aliases"), rules::aliases_not_list());
                Vec::new()
            }
        },
    };
    let ty_name = s.string("type").unwrap_or_else(|| "number".into());
    let ty = match FieldType::parse(&ty_name) {
        Some(t) => t,
        None => {
            let near = closest(
                &ty_name,
                ["text", "int", "number", "percent", "bool"].into_iter(),
            );
            s.err_at(Token::Text(&ty_name), rules::unknown_type(&ty_name, near));
            // Number keeps later checks on this field from adding follow-on errors.
            FieldType::Number
        }
    };
    let default = match s.get("if_blank") {
        None => None,
        Some(d) => match default_value(d, ty) {
            Some(v) => Some(v),
            None => {
                s.err_at(Token::Key("if_blank"), rules::if_blank_mismatch(&ty_name));
                None
            }
        },
    };
    let required = s.boolean("required").unwrap_or(default.is_none());
    let one_of: Vec<String> = match s.get("one_of") {
        None => Vec::new(),
        Some(v) => match (v.clone().try_cast::<Array>(), ty) {
            (Some(a), FieldType::Text) => a.into_iter().map(|d| d.to_string()).collect(),
            // Numbers as a number is written back: 2.50 as 2.5.
            (Some(a), FieldType::Int | FieldType::Number | FieldType::Percent) => {
                match a.iter().map(to_decimal).collect::<Option<Vec<_>>>() {
                    Some(list) => list.into_iter().map(fmt).collect(),
                    None => {
                        s.err_at(Token::Key("one_of"), rules::bad_one_of());
                        Vec::new()
                    }
                }
            }
            _ => {
                s.err_at(Token::Key("one_of"), rules::bad_one_of());
                Vec::new()
            }
        },
    };
    let spellings = spellings(&mut s, ty);
    let range = range(&mut s, ty, default.as_ref());
    s.done(&[]);
    b.fields.push(Field {
        name: name.into(),
        label: label.into(),
        aliases,
        ty,
        required,
        default,
        one_of,
        spellings,
        range,
    });
}

/// A yes/no field's own words (`yes: ["已建立"], no: ["未建立", "正在建立"]`), when written.
fn spellings(s: &mut Spec, ty: FieldType) -> Option<Box<Spellings>> {
    if !s.has("yes") && !s.has("no") {
        return None;
    }
    let words = |key: &'static str, s: &mut Spec| -> Option<Vec<String>> {
        let list = s.get(key)?.clone().try_cast::<Array>();
        match list.map(|a| {
            a.into_iter()
                .map(|d| d.into_string())
                .collect::<Result<Vec<_>, _>>()
        }) {
            Some(Ok(w)) if !w.is_empty() => Some(w),
            _ => {
                s.err_at(Token::Key(key), rules::bad_spellings(key));
                None
            }
        }
    };
    let (yes, no) = (words("yes", s), words("no", s));
    if ty != FieldType::Bool {
        let key = if s.has("yes") { "yes" } else { "no" };
        s.err_at(Token::Key(key), rules::spellings_not_bool(key));
        return None;
    }
    match (yes, no) {
        (Some(yes), Some(no)) => {
            if let Some(w) = yes.iter().find(|w| no.contains(w)) {
                s.err_at(Token::Text(w), rules::spelling_both_ways(w));
            }
            Some(Box::new(Spellings { yes, no }))
        }
        (y, n) => {
            let missing = if y.is_none() { "yes" } else { "no" };
            if y.is_some() || n.is_some() {
                s.err(rules::missing_key(
                    missing,
                    rules::add(&format!("{missing}: [\"否\"]")),
                ));
            }
            None
        }
    }
}

/// A numeric field's range: `min` and `max` where written, else the type's default (counts from
/// 0, percentages 0–100); checked against the type and the `if_blank` value.
fn range(s: &mut Spec, ty: FieldType, default: Option<&Value>) -> Range {
    let mut range = Range::of(ty);
    let written = [("min", s.has("min")), ("max", s.has("max"))];
    let numeric = matches!(ty, FieldType::Int | FieldType::Number | FieldType::Percent);
    for (key, w) in written {
        if !w {
            continue;
        }
        let v = s.get(key);
        // `min: ()` lifts the default limit.
        let value = match v {
            Some(d) if d.is_unit() => None,
            Some(d) => match to_decimal(d) {
                Some(x) => Some(x),
                None => {
                    s.err_at(Token::Key(key), rules::bad_range(key));
                    continue;
                }
            },
            None => None,
        };
        if !numeric {
            s.err_at(Token::Key(key), rules::range_not_numeric(key));
            continue;
        }
        match key {
            "min" => range.min = value,
            _ => range.max = value,
        }
        range.declared = true;
    }
    if let (Some(lo), Some(hi)) = (range.min, range.max) {
        if lo > hi {
            s.err_at(Token::Key("min"), rules::range_inverted(&fmt(lo), &fmt(hi)));
        }
    }
    if let Some(d) = default.filter(|d| !range.holds(d)) {
        let shown = match d {
            Value::Int(i) => i.to_string(),
            Value::Number(x) => fmt(*x),
            _ => String::new(),
        };
        s.err_at(Token::Key("if_blank"), rules::default_out_of_range(&shown));
    }
    range
}

/// An `if_blank` value, if it fits the field's type.
fn default_value(d: &Dynamic, ty: FieldType) -> Option<Value> {
    match ty {
        FieldType::Text => d.clone().into_string().ok().map(Value::Text),
        FieldType::Bool => d.as_bool().ok().map(Value::Bool),
        FieldType::Int => d.as_int().ok().map(Value::Int),
        FieldType::Number | FieldType::Percent => to_decimal(d).map(Value::Number),
    }
}

/// `unit(#{ id, name, cohort })`: the fields that identify a unit, name it, and group it.
pub(super) fn unit(b: &mut Builder, pos: Position, spec: &Map) {
    let mut s = Spec::new(b, spec, pos, Decl::Unit.text());
    let id = s.required_string("id");
    let name = s.string("name");
    let cohort = s.string("cohort");
    let id = s.field_ref(&id, "id");
    let name = name.and_then(|n| s.field_ref(&n, "name"));
    let cohort = cohort.map(|c| s.field_ref(&c, "cohort"));
    s.done(&[]);
    if let Some(id) = id {
        let cohort = match cohort {
            Some(Some(c)) => Some(c),
            Some(None) => return,
            None => None,
        };
        b.unit = Some((id, name, cohort));
    }
}

/// `param("id", #{ label, value })`: a figure from outside the data (上年度全省平均、市定目标),
/// read by name wherever a VALUE is, and shown with its label in the reasons that use it.
pub(super) fn param(b: &mut Builder, pos: Position, id: &str, spec: &Map) {
    let what = Decl::Param(id).text();
    let taken = b.params.iter().any(|p| &*p.id == id)
        || b.fields.iter().any(|f| &*f.name == id)
        || b.metrics.iter().any(|m| &*m.id == id);
    if taken {
        b.error_at(pos, Token::Text(id), rules::declared_twice(&what, false));
    }
    let mut s = Spec::new(b, spec, pos, what);
    let label = s.required_string("label");
    let value = s.required_decimal("value");
    s.done(&[]);
    b.params.push(Param {
        id: id.into(),
        label: label.into(),
        value,
        declared: value,
    });
}

/// `metric("id", #{ label, value, decimals, rank, order })`: a value computed per unit,
/// shown and optionally ranked.
pub(super) fn metric(b: &mut Builder, pos: Position, id: &str, spec: &Map) {
    let what = Decl::Metric(id).text();
    if b.metrics.iter().any(|m| &*m.id == id) {
        b.error_at(pos, Token::Text(id), rules::declared_twice(&what, false));
    }
    let mut s = Spec::new(b, spec, pos, what);
    let label = s.required_string("label");
    let measure = s.measure("value");
    s.require("value", rules::add_value_or_survey());
    let decimals = s.decimals();
    let rank = s.boolean("rank").unwrap_or(false);
    let ascending = s.order();
    s.done(&[]);
    if let Some(measure) = measure {
        b.metrics.push(Metric {
            id: id.into(),
            label: label.into(),
            measure,
            decimals,
            rank,
            ascending,
            pos,
        });
    }
}
