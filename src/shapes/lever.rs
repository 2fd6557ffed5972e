//! Levers (提分途径): the data a shape's points could be earned back from, for the gap to the
//! next grade (差距分析). A shape proposes values of the data it reads — a threshold, the
//! value for full marks, one occurrence fewer — and the gap analysis scores the unit again
//! with each, so every figure it reports is one the engine computed, caps and all.

use crate::eval::Ctx;
use crate::model::{Bound, FieldType, Item, Measure, Value};
use rust_decimal::prelude::RoundingStrategy;
use rust_decimal::Decimal;

/// What data would earn a shape's item more points (反推): the second trait of every shape,
/// beside [`super::Scoring`].
pub(crate) trait Inverse: super::Scoring {
    /// Values of the data that could earn the item more than its `points` (提分途径): each is
    /// checked by scoring the unit again, so a shape proposes and need not be exact. None
    /// when the points cannot be traced back to one field (see [`Inverse::opaque`]).
    fn levers(&self, _cx: &Ctx, _item: &Item, _points: Decimal, _out: &mut Vec<Lever>) {}

    /// What one step of the data is worth, for a shape that scores by steps (每减少 1 人
    /// +0.5 分): the same for every unit.
    fn rates(&self, _item: &Item, _out: &mut Vec<Rate>) {}

    /// Why the points cannot be traced back to the unit's data, when they cannot: a closure, a
    /// decision table, or a value computed from other units, a survey or a formula.
    fn opaque(&self) -> Option<&'static str> {
        self.measure()
            .filter(|m| !invertible(m))
            .map(|_| "取值由公式、问卷、参数或其他单位的数据算出，不能直接反推所需数据")
    }
}

/// A change of one field that might earn an item more points (数据调整).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Lever {
    /// The field to change, by index into the rule set's fields.
    pub(crate) field: usize,
    /// Its new value.
    pub(crate) to: Value,
}

/// What a step of the data is worth, in the shape's own terms (每减少 1 人 +0.5 分).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rate {
    /// The field the rate is of.
    pub(crate) field: usize,
    /// How much of the data one step is (1 person, 200 plants, 1 percentage point).
    pub(crate) per: Decimal,
    /// The points a step earns.
    pub(crate) points: Decimal,
    /// Whether more of the data earns them (else less).
    pub(crate) more: bool,
}

/// Which way a value must go to meet a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Toward {
    /// At least the target (≥).
    AtLeast,
    /// More than the target (>).
    Above,
    /// At most the target (≤).
    AtMost,
    /// Less than the target (<).
    Below,
    /// Exactly the target.
    Exactly,
}

/// The field a measure reads directly, and the factor from it to the measured value: a field
/// itself (1), or the numerator of a ratio (`scale / den` for this unit). `None` for a measure
/// whose value comes from a formula, other units, a survey or a parameter: not invertible.
fn lever_field(cx: &Ctx, m: &Measure) -> Option<(usize, Decimal)> {
    match m {
        Measure::Field(f) => Some((*f, Decimal::ONE)),
        Measure::Ratio { num, den, scale } => {
            let d = cx.number(*den).filter(|d| !d.is_zero())?;
            Some((*num, scale.checked_div(d)?))
        }
        _ => None,
    }
}

/// Whether the measure reads a field of the unit directly (a field or a ratio's numerator), so
/// that the data that would earn points can be named.
pub(crate) fn invertible(m: &Measure) -> bool {
    matches!(m, Measure::Field(_) | Measure::Ratio { .. })
}

/// The change of the field behind measure `m` that makes the measured value meet `target` the
/// way `toward` says, as the smallest change the field's type allows (whole numbers for a
/// count); `None` when the measure is not invertible, the field is blank, the value already
/// meets it, or the field's range does not allow the value.
pub(crate) fn reach(cx: &Ctx, m: &Measure, target: Decimal, toward: Toward) -> Option<Lever> {
    let (field, factor) = lever_field(cx, m)?;
    let f = cx.set().fields.get(field)?;
    let now = cx.number(field)?;
    // The field's value that gives `target`, before rounding to what the field holds.
    let exact = target.checked_div(factor)?;
    let whole = f.ty == FieldType::Int;
    let mut to = match toward {
        Toward::AtLeast | Toward::Exactly if whole => exact.ceil(),
        Toward::AtMost if whole => exact.floor(),
        Toward::Above if whole => exact.floor().checked_add(Decimal::ONE)?,
        Toward::Below if whole => exact.ceil().checked_sub(Decimal::ONE)?,
        Toward::Above => exact.checked_add(finest(exact))?,
        Toward::Below => exact.checked_sub(finest(exact))?,
        _ => exact.round_dp_with_strategy(4, RoundingStrategy::AwayFromZero),
    };
    if factor != Decimal::ONE && !whole {
        // A ratio's numerator as written: up for "at least", down for "at most".
        let up = matches!(toward, Toward::AtLeast | Toward::Above | Toward::Exactly);
        let strategy = if up {
            RoundingStrategy::ToPositiveInfinity
        } else {
            RoundingStrategy::ToNegativeInfinity
        };
        to = to.round_dp_with_strategy(2, strategy);
    }
    if to == now {
        return None;
    }
    let value = if whole {
        Value::Int(i64::try_from(to).ok()?)
    } else {
        Value::Number(to.normalize())
    };
    f.range.holds(&value).then_some(Lever { field, to: value })
}

/// The smallest step beyond a limit at its own precision and one place finer: 95 → 0.1,
/// 0.2 → 0.01.
fn finest(x: Decimal) -> Decimal {
    Decimal::new(1, x.normalize().scale().saturating_add(1).min(27))
}

/// The rate of a field a shape reads directly: `per` of it earns `points` (每减少 1 人 +0.5
/// 分); `None` for any other measure, whose steps are not the data's.
pub(crate) fn rate(m: &Measure, per: Decimal, points: Decimal, more: bool) -> Option<Rate> {
    let Measure::Field(field) = m else {
        return None;
    };
    (!points.is_zero() && !per.is_zero()).then(|| Rate {
        field: *field,
        per: per.normalize(),
        points: points.normalize(),
        more,
    })
}

/// Proposes the value of measure `m` that meets `bound`.
pub(crate) fn meet(cx: &Ctx, m: &Measure, bound: Bound, out: &mut Vec<Lever>) {
    let (t, toward) = match bound {
        Bound::AtLeast(t) => (t, Toward::AtLeast),
        Bound::Above(t) => (t, Toward::Above),
        Bound::AtMost(t) => (t, Toward::AtMost),
        Bound::Below(t) => (t, Toward::Below),
        Bound::Equals(t) => (t, Toward::Exactly),
    };
    out.extend(reach(cx, m, t, toward));
}
