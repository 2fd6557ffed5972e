//! Scoring shapes (计分方式): how an indicator or bonus turns a unit's data into points. Each
//! shape has one file holding all of it — its declaration keys and checks, the value it reads,
//! its points and its explanation — behind the [`Scoring`] trait; [`Shape::rule`] is the one
//! place a shape is dispatched, and [`PARSERS`] the one list of declaration keys.
//!
//! | file | shape | declared as |
//! |---|---|---|
//! | `deduct.rs` | 扣分制: full marks less each deduction, never below 0 | `deduct: #{ count, each, step }` or a list |
//! | `count.rs` | 按次加分: points per occurrence, up to the item's maximum | `count: #{ count, each, step }` or a list |
//! | `occurrences.rs` | the per-occurrence list `deduct` and `count` read and add up | |
//! | `target.rs` | 达标得分: full marks when the value meets a bound, else none or in proportion | `target: #{ value, at_least …, otherwise }` |
//! | `linear.rs` | 线性插值 between two thresholds | `linear: #{ value, full_at, zero_at }` |
//! | `bands.rs` | 分档: the first step the value reaches | `bands: #{ value, steps }` |
//! | `zero.rs` | 零指标: full marks only at zero | `zero: VALUE` |
//! | `yes.rs` | 是否类: full marks when a yes/no field is 是 | `yes: "field"` |
//! | `map.rs` | 按取值计分: the points the rubric gives each written value | `map: #{ value, points: #{ "已建立": 5 } }` |
//! | `table.rs` | 决策表: points by several values at once, row by row | `table: #{ inputs, hit, rows }` |
//! | `score.rs` | 自定义: a closure's points and reason | `score: \|u\| …` |
//!
//! What every shape shares is here: `applies` (不适用按满分), a blank value and `na: "full"`
//! (数据为空按满分), a ratio without base, and the item's result around the shape's reasons.
//! Adding a shape is adding a file: its struct implementing [`Scoring`] (and [`Inverse`], what
//! data would earn it more, for the gap analysis) and its `parse`, then a variant of [`Shape`],
//! a line in [`PARSERS`] and a line in [`Shape::rule`] and [`Shape::inverse`].

mod bands;
mod count;
mod deduct;
mod lever;
mod linear;
mod map;
mod occurrences;
mod score;
mod sheet;
mod table;
mod target;
mod yes;
mod zero;

pub use bands::Bands;
pub use count::Count;
pub use deduct::Deduct;
pub(crate) use lever::{Inverse, Lever, Rate};
pub use linear::Linear;
pub use map::ValueMap;
pub use score::Score;
pub use table::Table;
pub use target::Target;
pub use yes::Yes;
pub use zero::Zero;

use crate::compile::locate::Token;
use crate::compile::spec::Spec;
use crate::eval::{write_measured, Ctx, Measured};
use crate::explain::{Items, Mark, Notes};
use crate::figures::{ratio, round_points, Fig};
use crate::messages::rules;
use crate::model::{Bound, Item, Measure};
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// How an item turns data into points (计分方式): one variant per file of this folder.
#[derive(Debug, Clone)]
pub enum Shape {
    /// 扣分制.
    Deduct(Deduct),
    /// 按次加分.
    Count(Count),
    /// 达标得分.
    Target(Target),
    /// 线性插值.
    Linear(Linear),
    /// 分档.
    Bands(Bands),
    /// 零指标.
    Zero(Zero),
    /// 是否类指标.
    Yes(Yes),
    /// 按取值计分.
    Map(ValueMap),
    /// 决策表.
    Table(Table),
    /// 自定义 (a Rhai closure).
    Score(Score),
}

impl Shape {
    /// The shape's rules: the one dispatch over shapes.
    pub(crate) fn rule(&self) -> &dyn Scoring {
        match self {
            Shape::Deduct(s) => s,
            Shape::Count(s) => s,
            Shape::Target(s) => s,
            Shape::Linear(s) => s,
            Shape::Bands(s) => s,
            Shape::Zero(s) => s,
            Shape::Yes(s) => s,
            Shape::Map(s) => s,
            Shape::Table(s) => s,
            Shape::Score(s) => s,
        }
    }

    /// The shape's inverse, for the gap analysis: a second dispatch, kept apart from
    /// [`Shape::rule`] so that a build that never asks for a gap (the browser's engine module)
    /// carries none of its code.
    pub(crate) fn inverse(&self) -> &dyn Inverse {
        match self {
            Shape::Deduct(s) => s,
            Shape::Count(s) => s,
            Shape::Target(s) => s,
            Shape::Linear(s) => s,
            Shape::Bands(s) => s,
            Shape::Zero(s) => s,
            Shape::Yes(s) => s,
            Shape::Map(s) => s,
            Shape::Table(s) => s,
            Shape::Score(s) => s,
        }
    }

    /// The value the shape reads through a measure (target, linear, bands, zero), if any.
    pub fn measure(&self) -> Option<&Measure> {
        self.rule().measure()
    }

    /// Whether a closure scores the item or measures its value (`score: |u| …`, `value: |u| …`).
    pub fn is_closure(&self) -> bool {
        matches!(self, Shape::Score(_)) || matches!(self.measure(), Some(Measure::Closure(_)))
    }
}

/// A shape's reader: its declaration under its key, read through the item's [`Spec`].
type Parse = fn(&mut Spec) -> Option<Shape>;

/// The declaration keys that say how an item scores, each with its shape's reader; an item
/// gives exactly one.
pub(crate) const PARSERS: [(&str, Parse); 10] = [
    ("deduct", deduct::parse),
    ("count", count::parse),
    ("target", target::parse),
    ("linear", linear::parse),
    ("bands", bands::parse),
    ("zero", zero::parse),
    ("yes", yes::parse),
    ("map", map::parse),
    ("table", table::parse),
    ("score", score::parse),
];

/// What a shape does: read its declaration (its file's `parse`), check it against the item,
/// score a unit and say why.
pub(crate) trait Scoring {
    /// The value the shape reads through a measure, if it reads one.
    fn measure(&self) -> Option<&Measure> {
        None
    }

    /// The one field the shape reads as it is written, without a measure (a yes/no or a text
    /// field), if it reads one.
    fn field(&self) -> Option<usize> {
        None
    }

    /// Whether the shape reads one value that may be blank, so that `na: "full"` (a blank
    /// value is not applicable: full marks) means something for it.
    fn reads_one_value(&self) -> bool {
        self.measure().is_some() || self.field().is_some()
    }

    /// For a shape that reads one field without a measure: whether it is blank for this unit.
    fn is_blank(&self, cx: &Ctx) -> bool {
        self.field()
            .is_some_and(|f| cx.unit.values[f] == crate::model::Value::Missing)
    }

    /// Notes the data the shape reads, for an explanation that names no more than the data.
    fn data(&self, cx: &Ctx, out: &mut Notes) {
        match (self.measure(), self.field()) {
            (Some(m), _) => cx.note_measure(m, out),
            (None, Some(f)) => cx.note_field(f, out),
            (None, None) => {}
        }
    }

    /// Checks the declaration against the item's maximum, reporting through `s`.
    fn check(&self, _max: Decimal, _s: &mut Spec) {}

    /// The points for the measured value `v` (0 for a shape without a measure) and how they
    /// came about; `None` when a closure failed (reported to the context's errors).
    fn points(&self, cx: &mut Ctx, item: &Item, v: Frac) -> Option<(Decimal, How)>;

    /// Writes the reasons for `points` (normalised) into `out`, from the facts `how` kept:
    /// which data, which rule, how many points, in the rule author's words where there are any.
    fn explain(&self, cx: &Ctx, item: &Item, points: Decimal, how: How, out: &mut Notes);
}

/// How an item's points came about: the few facts its explanation is written from later, so
/// that scoring alone builds no text (计分依据). A shape finds its own facts again from the
/// measured value when it explains.
pub(crate) enum How {
    /// `applies` was false: full marks.
    NotApplicable,
    /// A ratio with a zero denominator: full marks.
    NoBase,
    /// A blank value on an item that treats blank as not applicable: full marks.
    BlankFull,
    /// A blank value: no points.
    Blank,
    /// Scored by the shape from this measured value.
    Scored(Frac),
    /// A `score` closure, with its reason and whether a bonus was capped at its maximum.
    Closure { why: Option<String>, capped: bool },
    /// The item's own rounding (`round`) changed the points from `raw`; `how` is how `raw`
    /// came about.
    Rounded { raw: Decimal, how: Box<How> },
}

/// A measured value as scoring saw it, `num / den` (den > 0; `None` = 1): divided only when an
/// explanation writes it out.
#[derive(Clone, Copy)]
pub(crate) struct Frac {
    pub(crate) num: Decimal,
    pub(crate) den: Option<Decimal>,
}

impl Frac {
    /// The value, divided out.
    pub(crate) fn value(self) -> Decimal {
        self.den.map_or(self.num, |d| ratio(self.num, d))
    }

    /// The denominator, 1 for a plain value.
    fn den(self) -> Decimal {
        self.den.unwrap_or(Decimal::ONE)
    }

    /// Whether the value meets a bound, compared exactly: `num ≥ x × den`.
    pub(crate) fn meets(self, b: Bound) -> bool {
        let Some(den) = self.den else {
            return b.holds(self.num);
        };
        match b.limit().checked_mul(den) {
            Some(scaled) => b.with_limit(scaled).holds(self.num),
            None => b.holds(ratio(self.num, den)),
        }
    }
}

/// `max × a / b` of an item in [0, max], rounded to the rule set's decimals: one division, so
/// exact midpoints round as they should.
pub(crate) fn part(cx: &Ctx, item: &Item, a: Decimal, b: Decimal) -> Decimal {
    round_points(
        ratio(item.max.saturating_mul(a), b).clamp(Decimal::ZERO, item.max),
        cx.set().decimals,
    )
}

/// Begins a reason with the data the shape read and how the measured value came about
/// (`失控人员数 = 3`); the caller writes the rest of its words and closes it.
fn seen(rule: &dyn Scoring, cx: &Ctx, v: Frac, out: &mut Notes) -> Mark {
    let m = out.mark();
    rule.data(cx, out);
    if let Some(measure) = rule.measure() {
        write_measured(out, m, measure, v.value());
    }
    m
}

/// One reason in words that name no figure, with the data the shape read.
fn plain(rule: &dyn Scoring, cx: &Ctx, words: &str, points: Decimal, out: &mut Notes) {
    let m = out.mark();
    rule.data(cx, out);
    out.text().push_str(words);
    out.close(m, points);
}

/// The one shape among an item's keys.
pub(crate) fn parse(s: &mut Spec) -> Option<Shape> {
    let present: Vec<usize> = (0..PARSERS.len())
        .filter(|&k| s.has(PARSERS[k].0))
        .collect();
    if let [k] = present[..] {
        return (PARSERS[k].1)(s);
    }
    if present.is_empty() {
        s.err(rules::no_shape());
    } else {
        let keys: Vec<&str> = present.iter().map(|&k| PARSERS[k].0).collect();
        s.err(rules::many_shapes(&keys));
    }
    for (k, _) in PARSERS {
        s.get(k);
    }
    None
}

/// The checks of an item's shape once its other keys are read: the shape's own, and `na:
/// "full"` on a shape that reads no one value.
pub(crate) fn check(shape: &Shape, max: Decimal, blank_is_full: bool, s: &mut Spec) {
    let rule = shape.rule();
    rule.check(max, s);
    if blank_is_full && !rule.reads_one_value() {
        s.err_at(Token::Key("na"), rules::na_full_misused());
    }
}

/// An item's points for this unit and how they came about; `None` when a closure failed
/// (reported to the context's errors). The one place item points are computed.
pub(crate) fn points(cx: &mut Ctx, item: &Item) -> Option<(Decimal, How)> {
    let max = item.max;
    if let Some(cond) = &item.applies {
        if !cx.test(cond, &item.id, item.pos)? {
            // A bonus that does not apply adds nothing (不适用，不加分); an indicator counts as
            // full marks, a deduction takes nothing.
            let full = match item.kind {
                crate::model::ItemKind::Bonus => Decimal::ZERO,
                _ => max,
            };
            return Some((full, How::NotApplicable));
        }
    }
    let rule = item.shape.rule();
    let (num, den) = match rule.measure() {
        Some(m) => match cx.measure(m, &item.id, item.pos)? {
            Measured::Value(v) => (v, None),
            Measured::Fraction(n, d) => (n, Some(d)),
            Measured::NoBase => return Some((max, How::NoBase)),
            Measured::Blank if item.blank_is_full => return Some((max, How::BlankFull)),
            Measured::Blank => return Some((Decimal::ZERO, How::Blank)),
        },
        None if item.blank_is_full && rule.is_blank(cx) => return Some((max, How::BlankFull)),
        None => (Decimal::ZERO, None),
    };
    let (points, how) = rule.points(cx, item, Frac { num, den })?;
    Some(rounded(item, points, how))
}

/// The item's own rounding (本项保留N位小数) applied to its points, noted when it changes them.
fn rounded(item: &Item, points: Decimal, how: How) -> (Decimal, How) {
    match item.round.map(|r| r.apply(points)) {
        Some(r) if r != points => (
            r,
            How::Rounded {
                raw: points,
                how: Box::new(how),
            },
        ),
        _ => (points, how),
    }
}

/// The explanation of item `k`'s points, added to the unit's `items`: which data, which rule,
/// how many points.
pub(crate) fn explain(
    cx: &Ctx,
    k: usize,
    item: &Item,
    points: Decimal,
    how: How,
    items: &mut Items,
) {
    let points = points.normalize();
    let not_applicable = matches!(how, How::NotApplicable | How::NoBase | How::BlankFull);
    let rule = item.shape.rule();
    // The item's own rounding: the reasons of the points before it, then the rounding.
    let (how, rounding) = match how {
        How::Rounded { raw, how } => (*how, Some(raw.normalize())),
        how => (how, None),
    };
    let shown = rounding.unwrap_or(points);
    let (from, out) = items.begin();
    match how {
        How::NotApplicable => {
            let m = out.mark();
            if let Some(c) = &item.applies {
                cx.note_condition(c, out);
            }
            out.text().push_str(match item.kind {
                crate::model::ItemKind::Deduction => "不适用，不扣分",
                crate::model::ItemKind::Bonus => "不适用，不加分",
                _ => "不适用，按满分计",
            });
            out.close(m, points);
        }
        How::NoBase => plain(rule, cx, "分母为 0，视为达标，按满分计", points, out),
        How::BlankFull => plain(rule, cx, "数据为空，不适用，按满分计", points, out),
        How::Blank => plain(rule, cx, "无数据，不得分", points, out),
        how => rule.explain(cx, item, shown, how, out),
    }
    if let (Some(raw), Some(r)) = (rounding, item.round) {
        let m = out.mark();
        let _ = write!(
            out.text(),
            "本项{}：{} 分按 {} 分计",
            r.words(),
            Fig(raw),
            Fig(points)
        );
        out.close(m, points.saturating_sub(raw).normalize());
    }
    items.finish(k, points, not_applicable, from);
}
