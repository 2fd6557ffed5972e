//! 零指标 (`zero`): full marks only when the value is zero (零发案、零事故).
//!
//! `zero: VALUE`.

use super::lever::{self, Inverse, Lever};
use super::{seen, Frac, How, Scoring, Shape};
use crate::compile::spec::Spec;
use crate::eval::Ctx;
use crate::explain::Notes;
use crate::model::{Item, Measure};
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

    fn explain(&self, cx: &Ctx, _item: &Item, points: Decimal, how: How, out: &mut Notes) {
        let How::Scored(v) = how else {
            return;
        };
        let m = seen(self, cx, v, out);
        out.text().push_str(if v.num.is_zero() {
            "，实现零目标，得满分"
        } else {
            "，未实现零目标，本项不得分"
        });
        out.close(m, points);
    }
}

impl Inverse for Zero {
    fn levers(&self, cx: &Ctx, _item: &Item, _points: Decimal, out: &mut Vec<Lever>) {
        lever::meet(
            cx,
            &self.measure,
            crate::model::Bound::Equals(Decimal::ZERO),
            out,
        );
    }
}
