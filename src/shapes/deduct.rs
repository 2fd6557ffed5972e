//! 扣分制 (`deduct`): full marks less each deduction, never below 0 — or, for a `deduction`
//! (扣分项), each deduction taken from the base with no floor, at most its `cap` (本项限扣).
//!
//! `deduct: #{ count: "失控人员数", each: 0.5 }` or a list of such entries (see
//! `occurrences.rs`); the deductions beyond the item's points are cut off (扣完为止).

use super::occurrences::{self, Occurrence};
use super::{Frac, How, Scoring, Shape};
use crate::compile::spec::Spec;
use crate::eval::Ctx;
use crate::figures::fmt;
use crate::model::{Item, ItemKind};
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
    /// Deductions taken at most once (a yes/no field, 是否发生) are a list a rubric writes out:
    /// one above the item's points is a typo, and so are several that add up to more than
    /// the item unless its `text` says 扣完为止 — a rubric author lists more than an item
    /// holds only on purpose, and then says so (R0411). A count-based deduction can always
    /// exceed its item; that is the shape (扣完为止), not a mistake.
    fn check(&self, max: Decimal, s: &mut Spec) {
        use crate::compile::locate::Token;
        use crate::messages::rules;
        let once: Vec<&Occurrence> = self
            .list
            .iter()
            .filter(|o| {
                o.slopes.is_none()
                    && o.step == Decimal::ONE
                    && matches!(o.count, crate::model::Measure::Field(f)
                        if s.field_type(f) == crate::model::FieldType::Bool)
            })
            .collect();
        if let Some(o) = once.iter().find(|o| o.each > max) {
            let m = rules::deduction_over_item(&fmt(o.each), &fmt(max));
            s.err_at(Token::Key("each"), m);
            return;
        }
        let sum = once
            .iter()
            .fold(Decimal::ZERO, |a, o| a.saturating_add(o.each));
        let said = s.peek_string("text").is_some_and(|t| {
            ["扣完为止", "扣完即止", "扣完为准"]
                .iter()
                .any(|w| t.contains(w))
        });
        if sum > max && !said {
            let m = rules::deductions_over_item(&fmt(sum), &fmt(max));
            s.err_at(Token::Key("deduct"), m);
        }
    }

    fn data(&self, cx: &Ctx) -> Vec<DataUse> {
        self.list.iter().flat_map(|o| o.data(cx)).collect()
    }

    fn points(&self, cx: &mut Ctx, item: &Item, v: Frac) -> Option<(Decimal, How)> {
        let taken = occurrences::total(cx, &self.list);
        let points = if item.kind == ItemKind::Deduction {
            // A deduction from the base: no floor but its own limit (本项限扣).
            -item.deduct_cap.map_or(taken, |cap| taken.min(cap))
        } else {
            item.max.saturating_sub(taken).max(Decimal::ZERO)
        };
        Some((points, How::Scored(v)))
    }

    fn explain(&self, cx: &Ctx, item: &Item, _points: Decimal, _how: How) -> Vec<Reason> {
        let taken = occurrences::total(cx, &self.list);
        let mut out = Vec::new();
        for o in &self.list {
            let minus = o.points(cx);
            if minus > Decimal::ZERO {
                out.push(Reason {
                    detail: format!("{}，{}，扣 {} 分", o.seen(cx), o.per("扣"), fmt(minus)),
                    points: -minus.normalize(),
                    data: o.data(cx),
                });
            }
        }
        if item.kind == ItemKind::Deduction {
            if let Some(cap) = item.deduct_cap.filter(|cap| taken > *cap) {
                out.push(Reason {
                    detail: format!(
                        "扣分 {} 超过本项限扣 {} 分，按扣 {} 分计",
                        fmt(taken),
                        fmt(cap),
                        fmt(cap)
                    ),
                    points: taken.saturating_sub(cap).normalize(),
                    data: Vec::new(),
                });
            }
        } else if taken > item.max {
            out.push(Reason {
                detail: format!("扣分 {} 超过本项分值，扣完为止，计 0 分", fmt(taken)),
                points: taken.saturating_sub(item.max).normalize(),
                data: Vec::new(),
            });
        }
        if taken.is_zero() {
            let detail = if item.kind == ItemKind::Deduction {
                "无扣分情形，不扣分"
            } else {
                "无扣分情形，得满分"
            };
            out.push(Reason {
                detail: detail.into(),
                points: Decimal::ZERO,
                data: self.data(cx),
            });
        }
        out
    }
}
