//! 按次加分 (`count`): `each` points per `step` occurrences, summed over one or more counts,
//! up to the item's maximum.

use super::occurrences::{self, Occurrence};
use super::{one, Frac, How, Scoring, Shape};
use crate::compile::spec::Spec;
use crate::eval::Ctx;
use crate::figures::fmt;
use crate::model::Item;
use crate::result::{DataUse, Reason};
use rust_decimal::Decimal;

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
    fn data(&self, cx: &Ctx) -> Vec<DataUse> {
        self.list.iter().flat_map(|o| o.data(cx)).collect()
    }

    fn points(&self, cx: &mut Ctx, item: &Item, v: Frac) -> Option<(Decimal, How)> {
        Some((
            occurrences::total(cx, &self.list).min(item.max),
            How::Scored(v),
        ))
    }

    fn explain(&self, cx: &Ctx, item: &Item, points: Decimal, _how: How) -> Vec<Reason> {
        let raw = occurrences::total(cx, &self.list);
        let used = self.data(cx);
        let seen: Vec<String> = self.list.iter().map(|o| o.seen(cx)).collect();
        let mut detail = format!("{}，计 {} 分", seen.join("、"), fmt(raw));
        if raw > item.max {
            detail.push_str(&format!("，超过上限按 {} 分计", fmt(item.max)));
        }
        one(detail, points, used)
    }
}
