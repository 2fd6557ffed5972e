//! Points and figures (分值与数字): exact decimal arithmetic that never overflows, rounding
//! half-up as published schemes do, exact sums of points, and how a figure is written — in a
//! rule's words (`fmt`) and as published with the rule set's decimals (`display_total`). Every
//! writer (table, CSV, XLSX, JSON, the browser's batch columns) and the scoring core use these.

use rust_decimal::{Decimal, RoundingStrategy};

/// A figure as a rule's words write it: no trailing zeros (`0.5`, `3`).
pub(crate) fn fmt(d: Decimal) -> String {
    Fig(d).to_string()
}

/// A figure as a rule's words write it (see [`fmt`]), written where it is used rather than
/// made a `String` first.
#[derive(Clone, Copy)]
pub(crate) struct Fig(pub(crate) Decimal);

impl std::fmt::Display for Fig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.0.normalize();
        // Most figures are whole: written as the integer they are, the same digits.
        match i64::try_from(d.mantissa()) {
            Ok(whole) if d.scale() == 0 => std::fmt::Display::fmt(&whole, f),
            _ => std::fmt::Display::fmt(&d, f),
        }
    }
}

/// `a / b`, saturating instead of overflowing (a zero `b` gives the largest value of `a`'s sign).
pub(crate) fn ratio(a: Decimal, b: Decimal) -> Decimal {
    a.checked_div(b)
        .unwrap_or(if a.is_sign_negative() != b.is_sign_negative() {
            Decimal::MIN
        } else {
            Decimal::MAX
        })
}

/// `a / b` clamped to [0, 1]: the share of an item's points earned.
pub(crate) fn share(a: Decimal, b: Decimal) -> Decimal {
    if b.is_zero() {
        return Decimal::ONE;
    }
    ratio(a, b).clamp(Decimal::ZERO, Decimal::ONE)
}

/// A unit's value against a reference (the cohort's best or average), as a share in [0, 1];
/// for lower-is-better values the reference is divided by the value.
pub(crate) fn relative(v: Decimal, reference: Decimal, ascending: bool) -> Decimal {
    if ascending {
        share(reference, v)
    } else {
        share(v, reference)
    }
}

/// Adds points without ever overflowing.
pub(crate) fn sum<'a>(it: impl Iterator<Item = &'a Decimal>) -> Decimal {
    it.fold(Decimal::ZERO, |acc, x| acc.saturating_add(*x))
}

/// Rounded half-up to `places`, trailing zeros trimmed.
pub(crate) fn round(d: Decimal, places: u32) -> Decimal {
    d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// Rounded half-up to `places` for scoring: as [`round`], without trimming trailing zeros
/// (equal either way; trimming is for display).
pub(crate) fn round_points(d: Decimal, places: u32) -> Decimal {
    d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

/// Exact sums of points: added as integers at the largest scale among them, which is several
/// times faster than adding decimals of different scales one by one; saturating decimal
/// addition takes over if the integers would overflow.
#[derive(Default, Clone, Copy)]
pub(crate) struct Total {
    sum: i128,
    scale: u32,
    /// Overflowed: the sum is kept as a decimal instead.
    exact: Option<Decimal>,
}

/// 10^0 … 10^28.
const POW10: [i128; 29] = {
    let mut t = [1i128; 29];
    let mut i = 1;
    while i < 29 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

impl Total {
    pub(crate) fn add(&mut self, d: Decimal) {
        if let Some(e) = self.exact.as_mut() {
            *e = e.saturating_add(d);
            return;
        }
        let (m, s) = (d.mantissa(), d.scale());
        // The common case: points at the scale already reached.
        let (next, scale) = if s == self.scale {
            (self.sum.checked_add(m), s)
        } else {
            let scale = self.scale.max(s);
            let up = |x: i128, by: u32| -> Option<i128> {
                let p = *POW10.get(by as usize)?;
                match (i64::try_from(x), i64::try_from(p)) {
                    (Ok(x), Ok(p)) => x.checked_mul(p).map(i128::from),
                    _ => x.checked_mul(p),
                }
            };
            let next = up(m, scale - s)
                .zip(up(self.sum, scale - self.scale))
                .and_then(|(m, sum)| sum.checked_add(m));
            (next, scale)
        };
        match next {
            Some(v) if v.unsigned_abs() >> 96 == 0 => {
                self.sum = v;
                self.scale = scale;
            }
            _ => self.exact = Some(self.value().saturating_add(d)),
        }
    }

    pub(crate) fn value(&self) -> Decimal {
        self.exact.unwrap_or_else(|| {
            Decimal::try_from_i128_with_scale(self.sum, self.scale).unwrap_or(if self.sum < 0 {
                Decimal::MIN
            } else {
                Decimal::MAX
            })
        })
    }
}

/// A figure rounded half-up and written with exactly `places` decimals, as published.
pub fn display_total(d: Decimal, places: u32) -> String {
    let mut r = d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(places);
    r.to_string()
}
