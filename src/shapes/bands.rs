//! 分档 (`bands`): the points of the first step the value reaches.
//!
//! `bands: #{ value: VALUE, steps: [[98, 5], [95, 3]] }`, or steps as
//! `#{ at_least: 98, points: 5 }` (any bound).

use super::lever::{self, Inverse, Lever};
use super::{seen, Frac, How, Scoring, Shape};
use crate::compile::locate::Token;
use crate::compile::spec::Spec;
use crate::compile::{closest, to_decimal};
use crate::eval::Ctx;
use crate::explain::Notes;
use crate::figures::Fig;
use crate::messages::rules::{self, BoundIn, KeyPlace};
use crate::model::{Bound, Item, Measure};
use rhai::{Array, Map};
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// The first step the value reaches gives its points (分档).
#[derive(Debug, Clone)]
pub struct Bands {
    /// What is measured.
    pub measure: Measure,
    /// The steps, in order: the first one met counts.
    pub steps: Vec<(Bound, Decimal)>,
}

/// `bands: #{ value, steps }`.
pub(super) fn parse(s: &mut Spec) -> Option<Shape> {
    let m = s.shape_map("bands")?;
    let measure = s.shape_value(&m, "bands", &["steps"])?;
    let steps = m.get("steps").and_then(|d| d.clone().try_cast::<Array>());
    let Some(steps) = steps else {
        s.err_at(Token::Key("bands"), rules::bands_no_steps());
        return None;
    };
    let mut out = Vec::new();
    for step in steps {
        if let Some(pair) = step.clone().try_cast::<Array>() {
            match (
                pair.first().and_then(to_decimal),
                pair.get(1).and_then(to_decimal),
            ) {
                (Some(t), Some(p)) if pair.len() == 2 => out.push((Bound::AtLeast(t), p)),
                _ => s.err_at(Token::Key("steps"), rules::band_step_pair()),
            }
        } else if let Some(sm) = step.try_cast::<Map>() {
            let keys = ["at_least", "above", "at_most", "below", "equals", "points"];
            for k in sm.keys() {
                if !keys.contains(&k.as_str()) {
                    let help = closest(k, keys.into_iter())
                        .map(|n| rules::rename_key(k, n))
                        .unwrap_or_else(|| rules::keys_are(&keys));
                    let m = rules::unknown_key(k, KeyPlace::BandStep, Some(help));
                    s.err_at(Token::Key(k), m);
                }
            }
            let bounds = s.bound_of(&sm, BoundIn::BandStep);
            match (bounds.as_slice(), sm.get("points").and_then(to_decimal)) {
                ([b], Some(p)) => out.push((*b, p)),
                _ => s.err_at(Token::Key("steps"), rules::band_step_map()),
            }
        } else {
            s.err_at(Token::Key("steps"), rules::band_step_kind());
        }
    }
    Some(Shape::Bands(Bands {
        measure,
        steps: out,
    }))
}

impl Bands {
    /// The step the value reaches, if any.
    fn hit(&self, v: Frac) -> Option<usize> {
        self.steps.iter().position(|(b, _)| v.meets(*b))
    }
}

impl Scoring for Bands {
    fn measure(&self) -> Option<&Measure> {
        Some(&self.measure)
    }

    fn check(&self, max: Decimal, s: &mut Spec) {
        if let Some((_, p)) = self.steps.iter().find(|(_, p)| *p > max) {
            let m = rules::band_above_max(&p.normalize().to_string(), &max.normalize().to_string());
            s.err_at(Token::Key("steps"), m);
        }
    }

    fn points(&self, _cx: &mut Ctx, item: &Item, v: Frac) -> Option<(Decimal, How)> {
        let p = self.hit(v).map_or(Decimal::ZERO, |h| self.steps[h].1);
        Some((p.min(item.max), How::Scored(v)))
    }

    fn explain(&self, cx: &Ctx, _item: &Item, points: Decimal, how: How, out: &mut Notes) {
        let How::Scored(v) = how else {
            return;
        };
        let m = seen(self, cx, v, out);
        let _ = match self.hit(v) {
            Some(h) => write!(
                out.text(),
                "，{}档，得 {} 分",
                self.steps[h].0,
                Fig(self.steps[h].1)
            ),
            None => write!(out.text(), "，未达到最低档，不得分"),
        };
        out.close(m, points);
    }
}

impl Inverse for Bands {
    fn levers(&self, cx: &Ctx, _item: &Item, points: Decimal, out: &mut Vec<Lever>) {
        for (bound, _) in self.steps.iter().filter(|s| s.1 > points) {
            lever::meet(cx, &self.measure, *bound, out);
        }
    }
}
