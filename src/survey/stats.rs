//! The statistics of a survey index (抽样误差): its valid sample size, its standard error and a
//! 95 % interval, and whether two units' indices differ by more than their margins of error.
//!
//! The index itself is computed exactly, in decimals, by the rule set's metric; this module
//! works in `f64` on the same answers and prints its results with two decimals. Only
//! additions, multiplications, divisions and square roots are used — IEEE 754 makes each
//! exact to the last bit, so native code and WebAssembly print the same bytes.
//!
//! Formulas (docs/RULES.md, "Surveys", gives them with references):
//!
//! * a share (率值法: 安全感 = 安全 + 比较安全) has the Wilson score interval (Wilson 1927;
//!   Brown, Cai & DasGupta 2001) with `n` the valid answers, or, for weighted or
//!   post-stratified answers, the effective sample size `n_eff = p(1 − p) / V` where `V` is
//!   the design-based variance of `p` (Kish 1965; Korn & Graubard 1998);
//! * a mean of points (平均分法: 满意度) has `mean ± z·SE`, with the standard error of the
//!   (weighted) mean `SE² = n/(n − 1) · Σ wᵢ² (yᵢ − ȳ)² / (Σ wᵢ)²` (Cochran 1977, §6.11), which
//!   without weights is `s² / n`;
//! * post-stratified to population shares `P_h`, the index is `Σ P_h ȳ_h` and its variance
//!   `Σ P_h² SE_h²` (Lohr 2022, §4.4), strata without respondents in a unit left out and the
//!   others' shares rescaled to add up to 1;
//! * two indices differ beyond their margins of error when `|a − b| ≥ z·√(SE_a² + SE_b²)`, a
//!   share's SE taken with one more chosen and one more other answer (Agresti & Caffo 2000),
//!   so that a unit at 100 % of 12 answers still has one.

/// The normal quantile for a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// One stratum's answers to one question, per option: respondents, their weights' sum and
/// their squared weights' sum (all weights 1 without a weight column).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    /// Respondents per option.
    pub n: Vec<f64>,
    /// Sum of weights per option.
    pub w: Vec<f64>,
    /// Sum of squared weights per option.
    pub w2: Vec<f64>,
}

impl Cell {
    fn total_n(&self) -> f64 {
        self.n.iter().sum()
    }

    fn total_w(&self) -> f64 {
        self.w.iter().sum()
    }

    /// The weighted mean of `values` (points, or 100/0 for chosen/not).
    fn mean(&self, values: &[f64]) -> f64 {
        let w = self.total_w();
        if w <= 0.0 {
            return 0.0;
        }
        self.w.iter().zip(values).map(|(w, y)| w * y).sum::<f64>() / w
    }

    /// The variance of the weighted mean, `n/(n−1) · Σ w² (y − ȳ)² / W²`; `None` with fewer
    /// than two respondents.
    fn mean_variance(&self, values: &[f64]) -> Option<f64> {
        let n = self.total_n();
        let w = self.total_w();
        if n < 2.0 || w <= 0.0 {
            return None;
        }
        let m = self.mean(values);
        let s: f64 = self
            .w2
            .iter()
            .zip(values)
            .map(|(w2, y)| w2 * (y - m) * (y - m))
            .sum();
        Some(n / (n - 1.0) * s / (w * w))
    }

    /// Kish's effective sample size `(Σ w)² / Σ w²`.
    fn effective_n(&self) -> f64 {
        let w2: f64 = self.w2.iter().sum();
        if w2 <= 0.0 {
            return 0.0;
        }
        let w = self.total_w();
        w * w / w2
    }
}

/// What the statistics of one index say.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Valid answers in the index's base (有效样本量), unweighted.
    pub n: u64,
    /// The effective sample size, when weights or strata make it differ from `n`.
    pub effective_n: Option<f64>,
    /// The index as these statistics compute it (the published one is the metric's).
    pub value: f64,
    /// Its standard error; `None` when it cannot be estimated (fewer than two answers).
    pub se: Option<f64>,
    /// The 95 % interval; `None` without answers, or for a mean with fewer than two.
    pub interval: Option<(f64, f64)>,
    /// The standard error used to compare two units: for a share, Agresti and Caffo's (one
    /// more chosen and one more not chosen answer: `p̃ = (x + 1)/(n + 2)`, `√(p̃(1 − p̃)/(n + 2))`),
    /// which does not vanish at 0 % or 100 %; for a mean, `se`.
    pub compare_se: Option<f64>,
}

/// Agresti and Caffo's standard error of a share `p` (in [0, 1]) of `n` answers, in percent.
fn adjusted_se(p: f64, n: f64) -> f64 {
    let q = (p * n + 1.0) / (n + 2.0);
    100.0 * (q * (1.0 - q) / (n + 2.0)).sqrt()
}

/// The statistics of an index over `strata` — each with its population share (`None`
/// without post-stratification: then there is one stratum) — whose options are worth
/// `values`; `share` for a share of chosen options (Wilson), else a mean of points.
pub fn estimate(strata: &[(Option<f64>, Cell)], values: &[f64], share: bool) -> Estimate {
    let n_total: f64 = strata.iter().map(|(_, c)| c.total_n()).sum();
    let n = n_total.round().max(0.0) as u64;
    let present: Vec<&(Option<f64>, Cell)> = strata
        .iter()
        .filter(|(_, c)| c.total_n() > 0.0 && c.total_w() > 0.0)
        .collect();
    if present.is_empty() {
        return Estimate {
            n,
            effective_n: None,
            value: 0.0,
            se: None,
            interval: None,
            compare_se: None,
        };
    }
    let stratified = present.iter().any(|(p, _)| p.is_some());
    let weighted = strata
        .iter()
        .any(|(_, c)| c.n.iter().zip(&c.w2).any(|(n, w2)| (n - w2).abs() > 1e-12));
    let (lo, hi) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    if !stratified {
        // One stratum: the (weighted) answers as they are.
        let cell = &present[0].1;
        let value = cell.mean(values);
        if share {
            let p = value / 100.0;
            let ne = if weighted {
                cell.effective_n()
            } else {
                n_total
            };
            return Estimate {
                n,
                effective_n: weighted.then_some(ne),
                value,
                se: Some(100.0 * (p * (1.0 - p) / ne).sqrt()),
                interval: Some(wilson(p, ne)),
                compare_se: Some(adjusted_se(p, ne)),
            };
        }
        let se = cell.mean_variance(values).map(f64::sqrt);
        return Estimate {
            n,
            effective_n: weighted.then(|| cell.effective_n()),
            value,
            se,
            interval: se.map(|se| clamp((value - Z95 * se, value + Z95 * se), lo, hi)),
            compare_se: se,
        };
    }
    // Post-stratified: the strata present, their shares rescaled to add up to 1.
    let total_share: f64 = present.iter().map(|(p, _)| p.unwrap_or(0.0)).sum();
    let scale = if total_share > 0.0 {
        1.0 / total_share
    } else {
        0.0
    };
    let value: f64 = present
        .iter()
        .map(|(p, c)| p.unwrap_or(0.0) * scale * c.mean(values))
        .sum();
    if share {
        let p = value / 100.0;
        let var: f64 = present
            .iter()
            .map(|(ph, c)| {
                let ph = ph.unwrap_or(0.0) * scale;
                let q = c.mean(values) / 100.0;
                let ne = c.effective_n();
                if ne > 0.0 {
                    ph * ph * q * (1.0 - q) / ne
                } else {
                    0.0
                }
            })
            .sum();
        let ne = if var > 0.0 && p > 0.0 && p < 1.0 {
            p * (1.0 - p) / var
        } else {
            present.iter().map(|(_, c)| c.effective_n()).sum()
        };
        return Estimate {
            n,
            effective_n: Some(ne),
            value,
            se: Some(100.0 * var.sqrt()),
            interval: Some(wilson(p, ne)),
            compare_se: Some(adjusted_se(p, ne)),
        };
    }
    // A stratum with one respondent has no variance of its own: it takes the unit's, from
    // all its answers as one sample.
    let mut pooled = Cell::default();
    for (_, c) in &present {
        for (i, (a, (b, d))) in c.n.iter().zip(c.w.iter().zip(&c.w2)).enumerate() {
            if pooled.n.len() <= i {
                pooled.n.push(0.0);
                pooled.w.push(0.0);
                pooled.w2.push(0.0);
            }
            pooled.n[i] += a;
            pooled.w[i] += b;
            pooled.w2[i] += d;
        }
    }
    let unit_var = pooled.mean_variance(values).map(|v| v * pooled.total_n());
    let mut var = 0.0;
    let mut known = true;
    for (ph, c) in &present {
        let ph = ph.unwrap_or(0.0) * scale;
        match c.mean_variance(values).or(unit_var) {
            Some(v) => var += ph * ph * v,
            None => known = false,
        }
    }
    let se = known.then(|| var.sqrt());
    let ne = se
        .filter(|s| *s > 0.0)
        .zip(unit_var)
        .map(|(s, uv)| uv / (s * s));
    Estimate {
        n,
        effective_n: ne,
        value,
        se,
        interval: se.map(|se| clamp((value - Z95 * se, value + Z95 * se), lo, hi)),
        compare_se: se,
    }
}

/// The Wilson score interval for a share `p` of `n` answers, in percent.
pub fn wilson(p: f64, n: f64) -> (f64, f64) {
    if n <= 0.0 {
        return (0.0, 100.0);
    }
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    (
        (100.0 * (centre - half)).max(0.0),
        (100.0 * (centre + half)).min(100.0),
    )
}

fn clamp((a, b): (f64, f64), lo: f64, hi: f64) -> (f64, f64) {
    (a.max(lo), b.min(hi))
}

/// Whether two indices with standard errors `se_a`, `se_b` are closer than their margin of
/// error (`|a − b| < z·√(se_a² + se_b²)`), and that margin.
pub fn within_margin(a: f64, se_a: f64, b: f64, se_b: f64) -> (bool, f64) {
    let margin = Z95 * (se_a * se_a + se_b * se_b).sqrt();
    ((a - b).abs() < margin, margin)
}

/// A figure with two decimals, rounded half away from zero from its exact binary value:
/// the same text on every platform.
pub fn two_decimals(x: f64) -> rust_decimal::Decimal {
    use rust_decimal::prelude::FromPrimitive;
    let mut d = rust_decimal::Decimal::from_f64_retain(x)
        .or_else(|| rust_decimal::Decimal::from_f64(x))
        .unwrap_or_default()
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    d.rescale(2);
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(n: &[f64]) -> Cell {
        Cell {
            n: n.to_vec(),
            w: n.to_vec(),
            w2: n.to_vec(),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-9
    }

    #[test]
    fn wilson_matches_the_textbook_example() {
        // 81 of 263 (Newcombe 1998, "Two-sided confidence intervals for the single
        // proportion", example (a)): Wilson's score interval 0.2553 to 0.3662.
        let (lo, hi) = wilson(81.0 / 263.0, 263.0);
        assert!((lo - 25.53).abs() < 0.005, "{lo}");
        assert!((hi - 36.62).abs() < 0.005, "{hi}");
    }

    #[test]
    fn an_unweighted_mean_has_the_standard_error_s_over_root_n() {
        // Points 100, 80, 60 answered 2, 1, 1 times: mean 85, s² = (2·225 + 25 + 625)/3.
        let e = estimate(
            &[(None, cell(&[2.0, 1.0, 1.0]))],
            &[100.0, 80.0, 60.0],
            false,
        );
        assert_eq!(e.n, 4);
        assert!(close(e.value, 85.0));
        let se = ((2.0 * 225.0 + 25.0 + 625.0) / 3.0 / 4.0_f64).sqrt();
        assert!(close(e.se.unwrap_or_default(), se));
        assert_eq!(e.effective_n, None);
    }

    #[test]
    fn post_stratification_reweights_the_strata() {
        // Stratum A (share 0.5): 9 of 10 chosen; stratum B (share 0.5): 1 of 2 chosen.
        let a = (Some(0.5), cell(&[9.0, 1.0]));
        let b = (Some(0.5), cell(&[1.0, 1.0]));
        let e = estimate(&[a, b], &[100.0, 0.0], true);
        assert!(close(e.value, 70.0), "{}", e.value);
        let var: f64 = 0.25 * 0.9 * 0.1 / 10.0 + 0.25 * 0.5 * 0.5 / 2.0;
        assert!(close(e.se.unwrap_or_default(), 100.0 * var.sqrt()));
        assert!(close(e.effective_n.unwrap_or_default(), 0.21 / var));
    }

    #[test]
    fn two_decimals_round_half_away_from_zero() {
        assert_eq!(two_decimals(90.815).to_string(), "90.81"); // 90.8149999… in binary
        assert_eq!(two_decimals(0.125).to_string(), "0.13");
    }
}
