//! 是否类指标 (`yes`): full marks when a yes/no field is 是. A blank cell scores nothing, or
//! full marks with `na: "full"` (数据为空按不适用).
//!
//! `yes: "field"` (a `bool` field).

use super::{Frac, How, Inverse, Lever, Scoring, Shape};
use crate::compile::locate::Token;
use crate::compile::spec::Spec;
use crate::eval::Ctx;
use crate::explain::Notes;
use crate::messages::rules;
use crate::model::{FieldType, Item, Value};
use rust_decimal::Decimal;

/// Full marks when a yes/no field is yes (是否类指标).
#[derive(Debug, Clone)]
pub struct Yes {
    /// The field, by index.
    pub field: usize,
}

/// `yes: "field"`.
pub(super) fn parse(s: &mut Spec) -> Option<Shape> {
    let v = s.get("yes")?;
    let Ok(name) = v.clone().into_string() else {
        s.err_at(Token::Key("yes"), rules::yes_not_name());
        return None;
    };
    let field = s.field_ref(&name, "yes")?;
    if s.field_type(field) != FieldType::Bool {
        s.err_at(Token::Text(&name), rules::yes_not_bool(&name));
        return None;
    }
    Some(Shape::Yes(Yes { field }))
}

impl Scoring for Yes {
    fn field(&self) -> Option<usize> {
        Some(self.field)
    }

    fn points(&self, cx: &mut Ctx, item: &Item, v: Frac) -> Option<(Decimal, How)> {
        let points = if cx.unit.values[self.field] == Value::Bool(true) {
            item.max
        } else {
            Decimal::ZERO
        };
        Some((points, How::Scored(v)))
    }

    fn explain(&self, cx: &Ctx, _item: &Item, points: Decimal, _how: How, out: &mut Notes) {
        let m = out.mark();
        cx.note_field(self.field, out);
        out.write_label_is(m, 0);
        out.text().push_str(if points.is_zero() {
            "，不得分"
        } else {
            "，得满分"
        });
        out.close(m, points);
    }
}

impl Inverse for Yes {
    fn levers(&self, cx: &Ctx, _item: &Item, _points: Decimal, out: &mut Vec<Lever>) {
        if cx.unit.values[self.field] != Value::Bool(true) {
            out.push(Lever {
                field: self.field,
                to: Value::Bool(true),
            });
        }
    }
}
