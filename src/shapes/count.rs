//! 按次加分 (`count`): `each` points per `step` occurrences, summed over one or more counts,
//! up to the item's maximum.

use super::occurrences::{self, Occurrence};
use super::{Frac, How, Inverse, Lever, Rate, Scoring, Shape};
use crate::compile::spec::Spec;
use crate::eval::Ctx;
use crate::explain::Notes;
use crate::figures::Fig;
use crate::model::Item;
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// Points per occurrence, up to the item's maximum (按次加分).
#[derive(Debug, Clone)]
pub struct Count {
    /// What is counted.
    pub list: Vec<Occurrence>,
}

/// `count: …`.
pub(super) fn parse(s: &mut Spec) -> Option<Shape> {
    occurrences::parse(s, "count").map(|list| Shape::Count(Count { list }))
}

impl Scoring for Count {
    fn data(&self, cx: &Ctx, out: &mut Notes) {
        for o in &self.list {
            o.data(cx, out);
        }
    }

    fn points(&self, cx: &mut Ctx, item: &Item, v: Frac) -> Option<(Decimal, How)> {
        Some((
            occurrences::total(cx, &self.list).min(item.max),
            How::Scored(v),
        ))
    }

    fn explain(&self, cx: &Ctx, item: &Item, points: Decimal, _how: How, out: &mut Notes) {
        let raw = occurrences::total(cx, &self.list);
        let m = out.mark();
        for (k, o) in self.list.iter().enumerate() {
            if k > 0 {
                out.text().push('、');
            }
            let own = out.mark();
            o.data(cx, out);
            o.seen(cx, out, own);
        }
        let _ = write!(out.text(), "，计 {} 分", Fig(raw));
        if raw > item.max {
            let _ = write!(out.text(), "，超过上限按 {} 分计", Fig(item.max));
        }
        out.close(m, points);
    }
}

impl Inverse for Count {
    fn levers(&self, cx: &Ctx, item: &Item, points: Decimal, out: &mut Vec<Lever>) {
        let room = item.max.saturating_sub(points);
        for o in &self.list {
            o.levers(cx, false, room, out);
        }
    }

    fn rates(&self, _item: &Item, out: &mut Vec<Rate>) {
        out.extend(self.list.iter().filter_map(|o| o.rate(false)));
    }

    fn opaque(&self) -> Option<&'static str> {
        occurrences::opaque(&self.list)
    }
}
