//! 扣分制 (`deduct`): full marks less each deduction, never below 0 — or, for a `deduction`
//! (扣分项), each deduction taken from the base with no floor, at most its `cap` (本项限扣).
//!
//! `deduct: #{ count: "失控人员数", each: 0.5 }` or a list of such entries (see
//! `occurrences.rs`); the deductions beyond the item's points are cut off (扣完为止).

use super::occurrences::{self, Occurrence};
use super::{Frac, How, Inverse, Lever, Rate, Scoring, Shape};
use crate::compile::spec::Spec;
use crate::eval::Ctx;
use crate::explain::Notes;
use crate::figures::{fmt, Fig};
use crate::model::{Item, ItemKind};
use rust_decimal::Decimal;
use std::fmt::Write as _;

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

    fn data(&self, cx: &Ctx, out: &mut Notes) {
        for o in &self.list {
            o.data(cx, out);
        }
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

    fn explain(&self, cx: &Ctx, item: &Item, _points: Decimal, _how: How, out: &mut Notes) {
        let taken = occurrences::total(cx, &self.list);
        for o in &self.list {
            let minus = o.points(cx);
            if minus > Decimal::ZERO {
                let m = out.mark();
                o.data(cx, out);
                o.seen(cx, out, m);
                out.text().push('，');
                o.per("扣", out.text());
                let _ = write!(out.text(), "，扣 {} 分", Fig(minus));
                out.close(m, -minus.normalize());
            }
        }
        let m = out.mark();
        if item.kind == ItemKind::Deduction {
            if let Some(cap) = item.deduct_cap.filter(|cap| taken > *cap) {
                let _ = write!(
                    out.text(),
                    "扣分 {} 超过本项限扣 {} 分，按扣 {} 分计",
                    Fig(taken),
                    Fig(cap),
                    Fig(cap)
                );
                out.close(m, taken.saturating_sub(cap).normalize());
            }
        } else if taken > item.max {
            let _ = write!(
                out.text(),
                "扣分 {} 超过本项分值，扣完为止，计 0 分",
                Fig(taken)
            );
            out.close(m, taken.saturating_sub(item.max).normalize());
        }
        if taken.is_zero() {
            let m = out.mark();
            self.data(cx, out);
            out.text().push_str(if item.kind == ItemKind::Deduction {
                "无扣分情形，不扣分"
            } else {
                "无扣分情形，得满分"
            });
            out.close(m, Decimal::ZERO);
        }
    }
}

impl Inverse for Deduct {
    fn levers(&self, cx: &Ctx, item: &Item, _points: Decimal, out: &mut Vec<Lever>) {
        // How far the deductions go past what the item holds (扣完为止, 本项限扣).
        let taken = occurrences::total(cx, &self.list);
        let holds = match item.kind {
            ItemKind::Deduction => item.deduct_cap,
            _ => Some(item.max),
        };
        let past = holds.map_or(Decimal::ZERO, |h| {
            taken.saturating_sub(h).max(Decimal::ZERO)
        });
        for o in &self.list {
            o.levers(cx, true, past, out);
        }
    }

    fn rates(&self, _item: &Item, out: &mut Vec<Rate>) {
        out.extend(self.list.iter().filter_map(|o| o.rate(true)));
    }

    fn opaque(&self) -> Option<&'static str> {
        occurrences::opaque(&self.list)
    }
}
