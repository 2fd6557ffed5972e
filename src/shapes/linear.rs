//! 线性插值 (`linear`): points in proportion between two thresholds, full marks at `full_at`
//! or better and none at `zero_at` or worse (either may be the higher).
//!
//! `linear: #{ value: VALUE, full_at: 95, zero_at: 80 }`.

use super::{one, part, seen, Frac, How, Scoring, Shape};
use crate::compile::locate::Token;
use crate::compile::spec::Spec;
use crate::compile::to_decimal;
use crate::eval::Ctx;
use crate::figures::fmt;
use crate::messages::rules;
use crate::model::{Item, Measure};
use crate::result::Reason;
use rust_decimal::Decimal;

/// Linear between two thresholds (线性插值).
#[derive(Debug, Clone)]
pub struct Linear {
    /// What is measured.
    pub measure: Measure,
    /// Full marks at this value or better.
    pub full_at: Decimal,
    /// No points at this value or worse.
    pub zero_at: Decimal,
}

/// `linear: #{ value, full_at, zero_at }`.
pub(super) fn parse(s: &mut Spec) -> Option<Shape> {
    let m = s.shape_map("linear")?;
    let measure = s.shape_value(&m, "linear", &["full_at", "zero_at"])?;
    let full_at = m.get("full_at").and_then(to_decimal);
    let zero_at = m.get("zero_at").and_then(to_decimal);
    match (full_at, zero_at) {
        (Some(f), Some(z)) if f != z => Some(Shape::Linear(Linear {
            measure,
            full_at: f,
            zero_at: z,
        })),
        _ => {
            s.err_at(Token::Key("linear"), rules::linear_ends());
            None
        }
    }
}

impl Scoring for Linear {
    fn measure(&self) -> Option<&Measure> {
        Some(&self.measure)
    }

    fn points(&self, cx: &mut Ctx, item: &Item, v: Frac) -> Option<(Decimal, How)> {
        // (v − zero) / (full − zero) of the points, as one fraction.
        let a = v.num.saturating_sub(self.zero_at.saturating_mul(v.den()));
        let b = self
            .full_at
            .saturating_sub(self.zero_at)
            .saturating_mul(v.den());
        Some((part(cx, item, a, b), How::Scored(v)))
    }

    fn explain(&self, cx: &Ctx, _item: &Item, points: Decimal, how: How) -> Vec<Reason> {
        let How::Scored(v) = how else {
            return Vec::new();
        };
        let (seen, data) = seen(self, cx, v);
        let (better, worse) = if self.full_at > self.zero_at {
            ("以上", "以下")
        } else {
            ("以下", "以上")
        };
        one(
            format!(
                "{seen}，{} 及{better}满分、{} 及{worse}为 0 分，按线性得 {} 分",
                fmt(self.full_at),
                fmt(self.zero_at),
                fmt(points)
            ),
            points,
            data,
        )
    }
}
