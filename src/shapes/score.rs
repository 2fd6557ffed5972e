//! 自定义 (`score`): a Rhai closure `|u| …` returning points, `[points, reason]` or
//! `#{ points, reason }`. A bonus above its maximum is capped (单项加分封顶); an indicator's
//! points outside 0..max are a rule error for the unit.

use super::{Frac, How, Inverse, Scoring, Shape};
use crate::compile::spec::Spec;
use crate::compile::to_decimal;
use crate::eval::Ctx;
use crate::explain::Notes;
use crate::figures::{fmt, Fig};
use crate::messages::eval as msg;
use crate::model::{Item, ItemKind};
use rhai::{Array, Dynamic, FnPtr, Map};
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// A Rhai closure returning points, or `[points, reason]` (自定义).
#[derive(Debug, Clone)]
pub struct Score {
    /// The closure.
    pub f: FnPtr,
}

/// `score: |u| …`.
pub(super) fn parse(s: &mut Spec) -> Option<Shape> {
    s.fn_ptr("score").map(|f| Shape::Score(Score { f }))
}

/// A closure's points and reason, whichever way it gave them.
fn closure_points(v: &Dynamic) -> (Option<Decimal>, Option<String>) {
    if let Some(d) = to_decimal(v) {
        return (Some(d), None);
    }
    if let Some(a) = v.clone().try_cast::<Array>() {
        let p = a.first().and_then(to_decimal);
        let why = a.get(1).map(ToString::to_string);
        return (p.filter(|_| a.len() == 2), why);
    }
    if let Some(m) = v.clone().try_cast::<Map>() {
        let p = m.get("points").and_then(to_decimal);
        let why = m.get("reason").map(ToString::to_string);
        return (p, why);
    }
    (None, None)
}

impl Scoring for Score {
    fn points(&self, cx: &mut Ctx, item: &Item, _v: Frac) -> Option<(Decimal, How)> {
        let arg = cx.unit_map();
        let v = cx.call(&self.f, (arg,), &item.id, item.pos)?;
        let (points, why) = closure_points(&v);
        let Some(points) = points else {
            cx.fail(&item.id, item.pos, msg::score_not_points(v.type_name()));
            return None;
        };
        let max = item.max;
        // A bonus is capped at its maximum (单项加分封顶); an indicator out of range is a rule bug.
        let capped = item.kind == ItemKind::Bonus && points > max;
        let points = if capped { max } else { points };
        if points < Decimal::ZERO || points > max {
            cx.fail(
                &item.id,
                item.pos,
                msg::points_out_of_range(&fmt(points), &fmt(max)),
            );
            return None;
        }
        Some((points, How::Closure { why, capped }))
    }

    fn explain(&self, _cx: &Ctx, item: &Item, points: Decimal, how: How, out: &mut Notes) {
        let How::Closure { why, capped } = how else {
            return;
        };
        let m = out.mark();
        let _ = match why {
            Some(why) => write!(out.text(), "{why}"),
            None => write!(out.text(), "按自定义规则计 {} 分", Fig(points)),
        };
        if capped {
            let _ = write!(out.text(), "，超过上限按 {} 分计", Fig(item.max));
        }
        out.close(m, points);
    }
}

impl Inverse for Score {
    fn opaque(&self) -> Option<&'static str> {
        Some("由自定义公式计分，不能直接反推所需数据")
    }
}
