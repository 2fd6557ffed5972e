//! 线性插值 (`linear`): points in proportion between thresholds — full marks at `full_at` or
//! better and none at `zero_at` or worse (either may be the higher), or through a list of
//! breakpoints with several slopes (多段线性).
//!
//! `linear: #{ value: VALUE, full_at: 95, zero_at: 80 }`, or
//! `linear: #{ value: VALUE, points: [[96, 5], [90, 3.5], [80, 0]] }`: 5 points at 96 or more,
//! 0.25 less for each point below 96 down to 90 (3.5), 0.35 less for each point below 90, 0 at
//! 80 or less. Between two breakpoints the points are interpolated exactly, with one division,
//! and rounded half-up to the rule set's decimals; beyond the ends they stay at the end's points.

use super::lever::{self, Inverse, Lever, Rate};
use super::{part, seen, Frac, How, Scoring, Shape};
use crate::compile::locate::Token;
use crate::compile::spec::Spec;
use crate::compile::to_decimal;
use crate::eval::Ctx;
use crate::explain::Notes;
use crate::figures::{fmt, ratio, round_points, Fig};
use crate::messages::rules;
use crate::model::{Bound, Item, Measure};
use rhai::Array;
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// Linear between thresholds (线性插值).
#[derive(Debug, Clone)]
pub struct Linear {
    /// What is measured.
    pub measure: Measure,
    /// How the points follow the value.
    pub ramp: Ramp,
}

/// The line a `linear` item's points follow.
#[derive(Debug, Clone)]
pub enum Ramp {
    /// Full marks at `full_at` or better, none at `zero_at` or worse.
    Ends {
        /// Full marks at this value or better.
        full_at: Decimal,
        /// No points at this value or worse.
        zero_at: Decimal,
    },
    /// Breakpoints (value, points), by value ascending: straight between each two, flat
    /// beyond the ends (多段线性).
    Points(Vec<(Decimal, Decimal)>),
}

/// `linear: #{ value, full_at, zero_at }` or `linear: #{ value, points }`.
pub(super) fn parse(s: &mut Spec) -> Option<Shape> {
    let m = s.shape_map("linear")?;
    let measure = s.shape_value(&m, "linear", &["full_at", "zero_at", "points"])?;
    if let Some(list) = m.get("points") {
        let pairs: Option<Vec<(Decimal, Decimal)>> =
            list.clone().try_cast::<Array>().and_then(|a| {
                a.iter()
                    .map(|p| {
                        let p = p.clone().try_cast::<Array>()?;
                        match p.as_slice() {
                            [x, y] => Some((to_decimal(x)?, to_decimal(y)?)),
                            _ => None,
                        }
                    })
                    .collect()
            });
        let Some(mut pairs) = pairs.filter(|p| p.len() >= 2) else {
            s.err_at(Token::Key("points"), rules::linear_points());
            return None;
        };
        pairs.sort_by_key(|p| p.0);
        if pairs.windows(2).any(|w| w[0].0 == w[1].0) {
            s.err_at(Token::Key("points"), rules::linear_points_twice());
            return None;
        }
        if m.contains_key("full_at") || m.contains_key("zero_at") {
            s.err_at(Token::Key("points"), rules::linear_both_forms());
        }
        return Some(Shape::Linear(Linear {
            measure,
            ramp: Ramp::Points(pairs),
        }));
    }
    let full_at = m.get("full_at").and_then(to_decimal);
    let zero_at = m.get("zero_at").and_then(to_decimal);
    match (full_at, zero_at) {
        (Some(f), Some(z)) if f != z => Some(Shape::Linear(Linear {
            measure,
            ramp: Ramp::Ends {
                full_at: f,
                zero_at: z,
            },
        })),
        _ => {
            s.err_at(Token::Key("linear"), rules::linear_ends());
            None
        }
    }
}

/// Where a value falls among breakpoints: below the first, above the last, or between two.
enum Segment {
    Below,
    Above,
    Between(usize),
}

/// The segment of `v` among `pairs` (ascending), compared exactly.
fn segment(pairs: &[(Decimal, Decimal)], v: Frac) -> Segment {
    let first = pairs.first().map_or(Decimal::ZERO, |p| p.0);
    if !v.meets(Bound::Above(first)) {
        return Segment::Below;
    }
    match pairs.iter().position(|(x, _)| v.meets(Bound::AtMost(*x))) {
        Some(k) => Segment::Between(k.saturating_sub(1)),
        None => Segment::Above,
    }
}

impl Scoring for Linear {
    fn measure(&self) -> Option<&Measure> {
        Some(&self.measure)
    }

    fn check(&self, max: Decimal, s: &mut Spec) {
        if let Ramp::Points(pairs) = &self.ramp {
            if let Some((_, p)) = pairs.iter().find(|(_, p)| *p > max || *p < Decimal::ZERO) {
                s.err_at(
                    Token::Key("points"),
                    rules::linear_point_outside(&fmt(*p), &fmt(max)),
                );
            }
        }
    }

    fn points(&self, cx: &mut Ctx, item: &Item, v: Frac) -> Option<(Decimal, How)> {
        let points = match &self.ramp {
            Ramp::Ends { full_at, zero_at } => {
                // (v − zero) / (full − zero) of the points, as one fraction.
                let a = v.num.saturating_sub(zero_at.saturating_mul(v.den()));
                let b = full_at.saturating_sub(*zero_at).saturating_mul(v.den());
                part(cx, item, a, b)
            }
            Ramp::Points(pairs) => through(pairs, v, cx.set().decimals),
        };
        Some((points, How::Scored(v)))
    }

    fn explain(&self, cx: &Ctx, _item: &Item, points: Decimal, how: How, out: &mut Notes) {
        let How::Scored(v) = how else {
            return;
        };
        let m = seen(self, cx, v, out);
        let t = out.text();
        let _ = match &self.ramp {
            Ramp::Ends { full_at, zero_at } => {
                let (better, worse) = if full_at > zero_at {
                    ("以上", "以下")
                } else {
                    ("以下", "以上")
                };
                write!(
                    t,
                    "，{} 及{better}满分、{} 及{worse}为 0 分，按线性得 {} 分",
                    Fig(*full_at),
                    Fig(*zero_at),
                    Fig(points)
                )
            }
            Ramp::Points(pairs) => match segment(pairs, v) {
                Segment::Below => {
                    let (x, p) = pairs[0];
                    write!(t, "，{} 及以下为 {} 分", Fig(x), Fig(p))
                }
                Segment::Above => {
                    let (x, p) = pairs[pairs.len() - 1];
                    write!(t, "，{} 及以上为 {} 分", Fig(x), Fig(p))
                }
                Segment::Between(k) => {
                    let ((x0, p0), (x1, p1)) = (pairs[k], pairs[k + 1]);
                    write!(
                        t,
                        "，在 {}（{} 分）与 {}（{} 分）之间按线性得 {} 分",
                        Fig(x0),
                        Fig(p0),
                        Fig(x1),
                        Fig(p1),
                        Fig(points)
                    )
                }
            },
        };
        out.close(m, points);
    }
}

impl Inverse for Linear {
    fn levers(&self, cx: &Ctx, item: &Item, _points: Decimal, out: &mut Vec<Lever>) {
        match &self.ramp {
            Ramp::Ends { full_at, zero_at } => {
                let bound = if full_at > zero_at {
                    Bound::AtLeast(*full_at)
                } else {
                    Bound::AtMost(*full_at)
                };
                lever::meet(cx, &self.measure, bound, out);
            }
            Ramp::Points(pairs) => {
                // The breakpoints that give the most points, nearest first.
                let best = pairs.iter().map(|p| p.1).max().unwrap_or(item.max);
                for (x, _) in pairs.iter().filter(|p| p.1 == best) {
                    lever::meet(cx, &self.measure, Bound::Equals(*x), out);
                }
            }
        }
    }

    /// Between the ends, each unit of the value toward full marks earns `max / |full − zero|`.
    fn rates(&self, item: &Item, out: &mut Vec<Rate>) {
        if let Ramp::Ends { full_at, zero_at } = self.ramp {
            let span = full_at.saturating_sub(zero_at).abs();
            let each = item.max.checked_div(span).unwrap_or_default();
            out.extend(lever::rate(
                &self.measure,
                Decimal::ONE,
                each,
                full_at > zero_at,
            ));
        }
    }
}

/// The points at `v` on the line through `pairs`: `p0 + (p1 − p0) × (v − x0) / (x1 − x0)` as
/// one fraction of the measured `num / den`, rounded half-up to `decimals`.
fn through(pairs: &[(Decimal, Decimal)], v: Frac, decimals: u32) -> Decimal {
    match segment(pairs, v) {
        Segment::Below => pairs[0].1,
        Segment::Above => pairs[pairs.len() - 1].1,
        Segment::Between(k) => {
            let ((x0, p0), (x1, p1)) = (pairs[k], pairs[k + 1]);
            let den = v.den();
            let along = v.num.saturating_sub(x0.saturating_mul(den));
            let span = x1.saturating_sub(x0).saturating_mul(den);
            let rise = p1.saturating_sub(p0);
            let p = p0.saturating_add(ratio(rise.saturating_mul(along), span));
            round_points(p.clamp(p0.min(p1), p0.max(p1)), decimals)
        }
    }
}
