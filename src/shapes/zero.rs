//! 零指标 (`zero`): full marks only when the value is zero (零发案、零事故).
//!
//! `zero: VALUE`.

use super::{one, seen, Frac, How, Scoring, Shape};
use crate::compile::spec::Spec;
use crate::eval::Ctx;
use crate::model::{Item, Measure};
use crate::result::Reason;
use rust_decimal::Decimal;

/// Full marks only when the value is zero (零指标).
#[derive(Debug, Clone)]
pub struct Zero {
    /// What is measured.
    pub measure: Measure,
}

/// `zero: VALUE`.
pub(super) fn parse(s: &mut Spec) -> Option<Shape> {
    s.measure("zero")
        .map(|measure| Shape::Zero(Zero { measure }))
}

impl Scoring for Zero {
    fn measure(&self) -> Option<&Measure> {
        Some(&self.measure)
    }

    fn points(&self, _cx: &mut Ctx, item: &Item, v: Frac) -> Option<(Decimal, How)> {
        let points = if v.num.is_zero() {
            item.max
        } else {
            Decimal::ZERO
        };
        Some((points, How::Scored(v)))
    }

    fn explain(&self, cx: &Ctx, _item: &Item, points: Decimal, how: How) -> Vec<Reason> {
        let How::Scored(v) = how else {
            return Vec::new();
        };
        let (seen, data) = seen(self, cx, v);
        let detail = if v.num.is_zero() {
            format!("{seen}，实现零目标，得满分")
        } else {
            format!("{seen}，未实现零目标，本项不得分")
        };
        one(detail, points, data)
    }
}
