//! 扣分制 (`deduct`): full marks less each deduction, never below 0.
//!
//! `deduct: #{ count: "失控人员数", each: 0.5 }` or a list of such entries (see
//! `occurrences.rs`); the deductions beyond the item's points are cut off (扣完为止).

use super::occurrences::{self, Occurrence};
use super::{Frac, How, Scoring, Shape};
use crate::compile::spec::Spec;
use crate::eval::Ctx;
use crate::figures::fmt;
use crate::model::Item;
use crate::result::{DataUse, Reason};
use rust_decimal::Decimal;

/// Full marks less each deduction (扣分制).
#[derive(Debug, Clone)]
pub struct Deduct {
    /// The deductions.
    pub list: Vec<Occurrence>,
}

/// `deduct: …`.
pub(super) fn parse(s: &mut Spec) -> Option<Shape> {
    occurrences::parse(s, "deduct").map(|list| Shape::Deduct(Deduct { list }))
}

impl Scoring for Deduct {
    fn data(&self, cx: &Ctx) -> Vec<DataUse> {
        self.list.iter().map(|o| cx.use_of(o.count)).collect()
    }

    fn points(&self, cx: &mut Ctx, item: &Item, v: Frac) -> Option<(Decimal, How)> {
        let taken = occurrences::total(cx, &self.list);
        Some((
            item.max.saturating_sub(taken).max(Decimal::ZERO),
            How::Scored(v),
        ))
    }

    fn explain(&self, cx: &Ctx, item: &Item, _points: Decimal, _how: How) -> Vec<Reason> {
        let taken = occurrences::total(cx, &self.list);
        let mut out = Vec::new();
        for o in &self.list {
            let minus = o.points(cx);
            if minus > Decimal::ZERO {
                let used = cx.use_of(o.count);
                out.push(Reason {
                    detail: format!(
                        "{} = {}，{}，扣 {} 分",
                        used.label,
                        used.value,
                        o.per("扣"),
                        fmt(minus)
                    ),
                    points: -minus.normalize(),
                    data: vec![used],
                });
            }
        }
        if taken > item.max {
            out.push(Reason {
                detail: format!("扣分 {} 超过本项分值，扣完为止，计 0 分", fmt(taken)),
                points: taken.saturating_sub(item.max).normalize(),
                data: Vec::new(),
            });
        }
        if taken.is_zero() {
            out.push(Reason {
                detail: "无扣分情形，得满分".into(),
                points: Decimal::ZERO,
                data: self.data(cx),
            });
        }
        out
    }
}
