//! 达标得分 (`target`): full marks when the value meets its bound; otherwise none, or points in
//! proportion to the value reached (`otherwise: "proportional"`).
//!
//! `target: #{ value: VALUE, at_least | above | at_most | below | equals: X, otherwise }`.

use super::lever::{self, Inverse, Lever, Rate};
use super::{part, seen, Frac, How, Scoring, Shape};
use crate::compile::locate::Token;
use crate::compile::spec::Spec;
use crate::eval::Ctx;
use crate::explain::Notes;
use crate::figures::Fig;
use crate::messages::rules::{self, BoundIn};
use crate::model::{Bound, Item, Measure};
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// What to do when a target is missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortfall {
    /// No points.
    Zero,
    /// Points in proportion to the value reached (按比例得分).
    Proportional,
}

/// Full marks when the target is met (达标得分).
#[derive(Debug, Clone)]
pub struct Target {
    /// What is measured.
    pub measure: Measure,
    /// The target.
    pub bound: Bound,
    /// What a miss gives.
    pub shortfall: Shortfall,
}

/// `target: #{ value, at_least|above|at_most|below|equals, otherwise }`.
pub(super) fn parse(s: &mut Spec) -> Option<Shape> {
    let m = s.shape_map("target")?;
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
    let bounds = s.bound_of(&m, BoundIn::Target);
    let shortfall = match m.get("otherwise").map(|d| d.to_string()).as_deref() {
        None | Some("zero") => Shortfall::Zero,
        Some("proportional") => Shortfall::Proportional,
        Some(other) => {
            s.err_at(Token::Key("otherwise"), rules::unknown_otherwise(other));
            Shortfall::Zero
        }
    };
    match bounds.as_slice() {
        [b] => Some(Shape::Target(Target {
            measure,
            bound: *b,
            shortfall,
        })),
        _ => {
            s.err_at(Token::Key("target"), rules::target_bounds());
            None
        }
    }
}

impl Scoring for Target {
    fn measure(&self) -> Option<&Measure> {
        Some(&self.measure)
    }

    fn points(&self, cx: &mut Ctx, item: &Item, v: Frac) -> Option<(Decimal, How)> {
        let points = if v.meets(self.bound) {
            item.max
        } else {
            match (self.shortfall, self.bound) {
                // v / t of the points: num / (den × t).
                (Shortfall::Proportional, Bound::AtLeast(t) | Bound::Above(t)) if !t.is_zero() => {
                    part(cx, item, v.num, v.den().saturating_mul(t))
                }
                // t / v of the points: t × den / num.
                (Shortfall::Proportional, Bound::AtMost(t) | Bound::Below(t))
                    if !v.num.is_zero() =>
                {
                    part(cx, item, t.saturating_mul(v.den()), v.num)
                }
                _ => Decimal::ZERO,
            }
        };
        Some((points, How::Scored(v)))
    }

    fn explain(&self, cx: &Ctx, _item: &Item, points: Decimal, how: How, out: &mut Notes) {
        let How::Scored(v) = how else {
            return;
        };
        let m = seen(self, cx, v, out);
        let bound = self.bound;
        let _ = if v.meets(self.bound) {
            write!(out.text(), "，达到目标（{bound}），得满分")
        } else if points.is_zero() {
            write!(out.text(), "，未达到目标（{bound}），不得分")
        } else {
            write!(
                out.text(),
                "，未达到目标（{bound}），按比例得 {} 分",
                Fig(points)
            )
        };
        out.close(m, points);
    }
}

impl Inverse for Target {
    fn levers(&self, cx: &Ctx, _item: &Item, _points: Decimal, out: &mut Vec<Lever>) {
        lever::meet(cx, &self.measure, self.bound, out);
    }

    /// Below an `at_least` target scored in proportion, each unit more earns `max / target`.
    fn rates(&self, item: &Item, out: &mut Vec<Rate>) {
        if let (Shortfall::Proportional, Bound::AtLeast(t)) = (self.shortfall, self.bound) {
            let each = item.max.checked_div(t).unwrap_or_default();
            out.extend(lever::rate(&self.measure, Decimal::ONE, each, true));
        }
    }
}
