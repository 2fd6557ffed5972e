//! 是否类指标 (`yes`): full marks when a yes/no field is 是. A blank cell scores nothing, or
//! full marks with `na: "full"` (数据为空按不适用).
//!
//! `yes: "field"` (a `bool` field).

use super::{one, Frac, How, Scoring, Shape};
use crate::compile::locate::Token;
use crate::compile::spec::Spec;
use crate::eval::Ctx;
use crate::messages::rules;
use crate::model::{FieldType, Item, Value};
use crate::result::Reason;
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

    fn explain(&self, cx: &Ctx, _item: &Item, points: Decimal, _how: How) -> Vec<Reason> {
        let used = cx.use_of(self.field);
        let detail = if points.is_zero() {
            format!("{} = {}，不得分", used.label, used.value)
        } else {
            format!("{} = {}，得满分", used.label, used.value)
        };
        one(detail, points, vec![used])
    }
}
