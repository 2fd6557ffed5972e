//! 按取值计分 (`map`): the points a rubric gives each written value of a text field —
//! "已建立 5分 / 正在建立 2.5分 / 未建立 0分".
//!
//! `map: #{ value: "field", points: #{ "已建立": 5, "正在建立": 2.5, "未建立": 0 } }`. With the
//! field's `one_of`, every allowed value must have its points (and nothing else may be listed);
//! without it, a value the table does not list scores nothing and the reason names the table.

use super::{Frac, How, Inverse, Lever, Scoring, Shape};
use crate::compile::closest;
use crate::compile::locate::Token;
use crate::compile::spec::Spec;
use crate::compile::to_decimal;
use crate::eval::Ctx;
use crate::explain::Notes;
use crate::figures::{fmt, Fig};
use crate::messages::rules::{self, KeyPlace};
use crate::model::{FieldType, Item, Value};
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// Points by the written value (按取值计分).
#[derive(Debug, Clone)]
pub struct ValueMap {
    /// The text field, by index.
    pub field: usize,
    /// Each value and its points, highest points first (a script's map keeps no order).
    pub points: Vec<(String, Decimal)>,
}

impl ValueMap {
    /// The points of a written value, if the table lists it.
    fn lookup(&self, v: &Value) -> Option<Decimal> {
        let Value::Text(t) = v else { return None };
        self.points.iter().find(|(k, _)| k == t).map(|(_, p)| *p)
    }

    /// The table in words: `已建立 5 分、正在建立 2.5 分、未建立 0 分`.
    fn table(&self) -> String {
        let rows: Vec<String> = self
            .points
            .iter()
            .map(|(k, p)| format!("{k} {} 分", fmt(*p)))
            .collect();
        rows.join("、")
    }
}

/// `map: #{ value: "field", points: #{ … } }`.
pub(super) fn parse(s: &mut Spec) -> Option<Shape> {
    let m = s.shape_map("map")?;
    for k in m.keys() {
        if !["value", "points"].contains(&k.as_str()) {
            let keys = ["value", "points"];
            let help = closest(k, keys.into_iter())
                .map(|n| rules::rename_key(k, n))
                .unwrap_or_else(|| rules::shape_keys_are("map", &keys));
            s.err_at(
                Token::Key(k),
                rules::unknown_key(k, KeyPlace::In("map"), Some(help)),
            );
        }
    }
    let Some(name) = m.get("value").and_then(|v| v.clone().into_string().ok()) else {
        s.err_at(Token::Key("map"), rules::map_value_not_field());
        return None;
    };
    let field = s.field_ref(&name, "value")?;
    if s.field_type(field) != FieldType::Text {
        s.err_at(Token::Text(&name), rules::map_needs_text(&name));
        return None;
    }
    let table = m
        .get("points")
        .and_then(|p| p.clone().try_cast::<rhai::Map>());
    let Some(table) = table.filter(|t| !t.is_empty()) else {
        s.err_at(Token::Key("map"), rules::map_no_points());
        return None;
    };
    let mut points = Vec::new();
    for (k, v) in &table {
        match to_decimal(v) {
            Some(p) if p >= Decimal::ZERO => points.push((k.to_string(), p)),
            _ => s.err_at(Token::Text(k), rules::map_points_not_number(k)),
        }
    }
    points.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    // Against the field's allowed values: each has points, nothing else is listed.
    let allowed = s.field_one_of(field);
    if !allowed.is_empty() {
        let missing: Vec<String> = allowed
            .iter()
            .filter(|a| !points.iter().any(|(k, _)| k == *a))
            .cloned()
            .collect();
        if !missing.is_empty() {
            s.err_at(Token::Key("points"), rules::map_misses(&missing));
        }
        for (k, _) in &points {
            if !allowed.contains(k) {
                let near = closest(k, allowed.iter().map(String::as_str));
                s.err_at(Token::Text(k), rules::map_not_allowed(k, near));
            }
        }
    }
    Some(Shape::Map(ValueMap { field, points }))
}

impl Scoring for ValueMap {
    fn field(&self) -> Option<usize> {
        Some(self.field)
    }

    fn check(&self, max: Decimal, s: &mut Spec) {
        if let Some((k, p)) = self.points.iter().find(|(_, p)| *p > max) {
            s.err_at(Token::Text(k), rules::map_above_max(k, &fmt(*p), &fmt(max)));
        }
    }

    fn points(&self, cx: &mut Ctx, _item: &Item, v: Frac) -> Option<(Decimal, How)> {
        let points = self
            .lookup(&cx.unit.values[self.field])
            .unwrap_or(Decimal::ZERO);
        Some((points, How::Scored(v)))
    }

    fn explain(&self, cx: &Ctx, _item: &Item, points: Decimal, _how: How, out: &mut Notes) {
        let m = out.mark();
        cx.note_field(self.field, out);
        out.write_label_is(m, 0);
        let _ = match self.lookup(&cx.unit.values[self.field]) {
            Some(p) => write!(out.text(), "，计 {} 分", Fig(p)),
            None => write!(out.text(), "，不在计分表（{}）中，不得分", self.table()),
        };
        out.close(m, points);
    }
}

impl Inverse for ValueMap {
    /// Each written value the rubric gives more points, best first.
    fn levers(&self, _cx: &Ctx, _item: &Item, points: Decimal, out: &mut Vec<Lever>) {
        let mut better: Vec<&(String, Decimal)> =
            self.points.iter().filter(|(_, p)| *p > points).collect();
        better.sort_by_key(|b| std::cmp::Reverse(b.1));
        out.extend(better.into_iter().map(|(k, _)| Lever {
            field: self.field,
            to: Value::Text(k.clone()),
        }));
    }
}
