//! The floor: the county anti-drug rule set written by hand in Rust with `rust_decimal`, from
//! the typed township — every indicator, category caps, the bonus cap, vetoes, the
//! prerequisite and the grade bands. The arithmetic follows kaohe's step for step (a ratio
//! divided out, then its share of the target, then rounded half-up to 2 decimals), so the
//! points agree to the last digit.

use crate::gen::{hundredths_decimal, Township};
use crate::rank::{rank, Outcome};
use rayon::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};

fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

/// `a / b` clamped to [0, 1]; a zero `b` counts as met.
fn share(a: Decimal, b: Decimal) -> Decimal {
    if b.is_zero() {
        return Decimal::ONE;
    }
    a.checked_div(b)
        .unwrap_or(Decimal::MAX)
        .clamp(Decimal::ZERO, Decimal::ONE)
}

fn round2(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Full marks when `v ≥ target`, else in proportion, rounded to 2 decimals.
fn proportional(max: i64, v: Decimal, target: Decimal) -> Decimal {
    if v >= target {
        d(max)
    } else {
        round2(d(max) * share(v, target))
    }
}

/// Full marks less deductions, never below 0.
fn deduct(max: i64, taken: Decimal) -> Decimal {
    (d(max) - taken).max(Decimal::ZERO)
}

/// First band reached.
fn bands(v: i64, steps: &[(i64, i64)]) -> Decimal {
    steps
        .iter()
        .find(|(at, _)| v >= *at)
        .map_or(Decimal::ZERO, |(_, p)| d(*p))
}

/// Points per category (组织领导, 宣传教育, 禁种铲毒, 基层基础, 公众评价) and the bonus items.
pub fn points(t: &Township) -> ([Decimal; 5], Decimal) {
    let c = Decimal::new(5, 2);
    let org = deduct(5, d(t.missing_pledges))
        + bands(t.meetings, &[(4, 5), (2, 3), (1, 1)])
        + match t.office_staff {
            s if s >= 2 => d(4),
            1 => d(2),
            _ => Decimal::ZERO,
        }
        + if t.budget { d(2) } else { Decimal::ZERO }
        + if t.station_staffed {
            d(2)
        } else {
            Decimal::ZERO
        }
        + deduct(2, d(t.late_reports) * c)
        + deduct(5, d(t.open_issues));
    let edu = t
        .school_cover
        .map_or(d(6), |s| proportional(6, hundredths_decimal(s), d(100)))
        + bands(t.campaigns, &[(6, 5), (4, 3), (2, 1)])
        + round2(d(5) * share(hundredths_decimal(t.board_cover) - d(60), d(40)))
        + proportional(4, d(t.volunteers), d(50));
    let grass = if t.farmland {
        bands(t.sweeps, &[(6, 6), (4, 4), (2, 2)])
    } else {
        d(6)
    } + deduct(5, d(t.pop_plants / 200))
        + if t.remote_sites == 0 {
            d(4)
        } else {
            Decimal::ZERO
        };
    let execution = if t.sc_ordered == 0 {
        d(6)
    } else {
        // One division, as kaohe: 6 × executed × 100 / (ordered × 90).
        let (done, due) = (d(t.sc_executed * 100), d(t.sc_ordered * 90));
        if done >= due {
            d(6)
        } else {
            round2(d(6) * done / due)
        }
    };
    let workers = if t.users == 0 {
        d(5)
    } else {
        proportional(5, d(t.social_workers * 30) / d(t.users), Decimal::ONE)
    };
    let minors = if t.offenders == 0 || d(t.minors * 100) / d(t.offenders) <= Decimal::new(2, 1) {
        d(3)
    } else {
        Decimal::ZERO
    };
    let base = execution
        + deduct(6, d(t.lost) * Decimal::new(5, 1))
        + deduct(7, d(t.no_help) * Decimal::new(1, 1) + d(t.missing_files))
        + workers
        + minors
        + if t.incidents == 0 {
            d(3)
        } else {
            Decimal::ZERO
        };
    let survey = |h: i64| {
        if h >= 9800 {
            d(5)
        } else if h >= 9500 {
            d(3)
        } else {
            Decimal::ZERO
        }
    };
    let eval = survey(t.reach) + survey(t.satisfaction);
    let bonus = (d(t.info_adopted) * c).min(d(1))
        + (d(t.posts_50k) * Decimal::new(1, 1) + d(t.posts_100k) * Decimal::new(2, 1))
            .min(Decimal::new(8, 1))
        + d(t.case_assist).min(d(2))
        + d(t.honors).min(d(2));
    ([org, edu, grass, base, eval], bonus)
}

/// Caps per category and on the bonus, vetoes, the prerequisite and the grade.
pub fn score(t: &Township) -> Outcome {
    const CAPS: [i64; 5] = [25, 20, 15, 30, 10];
    let (cats, bonus) = points(t);
    let base: Decimal = cats.iter().zip(CAPS).map(|(p, cap)| (*p).min(d(cap))).sum();
    let total = base + bonus.min(d(5));
    let vetoed = t.plant_area >= 100 || t.pop_plants >= 3000 || t.labs_elsewhere > 0 || t.capped;
    let grade = if vetoed {
        3
    } else if total >= d(90) {
        if t.incidents == 0 {
            0
        } else {
            1
        }
    } else if total >= d(80) {
        1
    } else if total >= d(60) {
        2
    } else {
        3
    };
    Outcome {
        total: hundredths(total),
        vetoed,
        grade,
        rank: 0,
    }
}

/// A total rounded half-up to 2 decimals, in hundredths.
pub fn hundredths(total: Decimal) -> i64 {
    let h = round2(total) * Decimal::ONE_HUNDRED;
    i64::try_from(h.trunc()).unwrap_or(i64::MAX)
}

/// Every unit on one core, then ranked.
pub fn run(towns: &[Township]) -> Vec<Outcome> {
    let mut out: Vec<Outcome> = towns.iter().map(score).collect();
    rank(&mut out);
    out
}

/// Every unit on all cores, then ranked.
pub fn run_parallel(towns: &[Township]) -> Vec<Outcome> {
    let mut out: Vec<Outcome> = towns.par_iter().map(score).collect();
    rank(&mut out);
    out
}
