//! The survey's statistics in a result (抽样误差说明): each survey index's `sample` (n, 95 %
//! interval, short sample), its words in the explanation (`满意度 92.31（n = 412，95% 区间
//! 90.82–93.80）`), how each unit stands against its neighbours on the index (与第 2 名差距在误差
//! 范围内), and a 备注 for a short sample (样本不足，结果仅供参考).

use super::stats::{two_decimals, within_margin};
use crate::data::Unit;
use crate::model::{Measure, RuleSet};
use crate::result::{Gap, SampleResult, UnitResult};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// A unit's statistics for metric `k`, when the metric is a survey index.
pub(crate) fn sample_result(set: &RuleSet, unit: &Unit, k: usize) -> Option<SampleResult> {
    let survey = set.survey.as_ref()?;
    let link = survey.metric_links.get(k)?.as_ref()?;
    let e = super::estimate(set, unit, k)?;
    let min = survey.min_sample;
    let short = min.is_some_and(|m| e.n < m);
    let mut notes = Vec::new();
    if short {
        notes.push(format!(
            "样本不足（n = {} < {}），结果仅供参考",
            e.n,
            min.unwrap_or_default()
        ));
    }
    Some(SampleResult {
        n: e.n,
        effective_n: e.effective_n.map(|x| {
            Decimal::from_f64_retain(x)
                .unwrap_or_default()
                .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        }),
        method: if link.share { "wilson" } else { "mean" },
        standard_error: e.se.map(two_decimals),
        low: e.interval.map(|(l, _)| two_decimals(l)),
        high: e.interval.map(|(_, h)| two_decimals(h)),
        min_sample: min,
        short,
        above: None,
        below: None,
        notes,
        se: e.compare_se,
    })
}

/// A unit ranked on a survey index, for comparing it with its neighbours.
struct Ranked {
    /// Its position in the result's units.
    at: usize,
    cohort: String,
    rank: u32,
    value: f64,
    se: Option<f64>,
    published: Decimal,
    id: String,
}

/// The statistics in words, after an index's published value: `（n = 412，95% 区间
/// 90.82–93.80）`; empty when the metric is no survey index.
pub(crate) fn metric_note(set: &RuleSet, unit: &Unit, k: usize) -> String {
    sample_result(set, unit, k).map_or_else(String::new, |s| words(&s))
}

fn words(s: &SampleResult) -> String {
    let mut parts = vec![format!("n = {}", s.n)];
    if let Some(ne) = s.effective_n {
        parts.push(format!("有效样本量 {ne}"));
    }
    match (s.low, s.high) {
        (Some(l), Some(h)) => parts.push(format!("95% 区间 {l}–{h}")),
        _ if s.n > 0 => parts.push("样本过少，无法估计区间".into()),
        _ => {}
    }
    if s.short {
        parts.push(format!(
            "样本不足（少于 {}），结果仅供参考",
            s.min_sample.unwrap_or_default()
        ));
    }
    format!("（{}）", parts.join("，"))
}

/// Compares each unit's survey indices with its neighbours' in its cohort, writes the notes
/// into the indices' `sample`, into the reasons of the cohort items that rank on them, and a
/// 备注 for a short sample.
pub(crate) fn annotate(set: &RuleSet, units: &mut [UnitResult]) {
    let Some(survey) = &set.survey else {
        return;
    };
    for (k, link) in survey.metric_links.iter().enumerate() {
        if link.is_none() {
            continue;
        }
        let ranked: Vec<Ranked> = units
            .iter()
            .enumerate()
            .filter_map(|(i, u)| {
                let m = u.metrics.get(k)?;
                let s = m.sample.as_ref()?;
                let v = m.value?;
                Some(Ranked {
                    at: i,
                    cohort: u.cohort.clone(),
                    rank: m.rank?,
                    value: v.to_f64()?,
                    se: s.se,
                    published: v,
                    id: u.id.clone(),
                })
            })
            .collect();
        for r in &ranked {
            let neighbour = |better: bool| {
                ranked
                    .iter()
                    .filter(|o| {
                        o.cohort == r.cohort
                            && if better {
                                o.rank < r.rank
                            } else {
                                o.rank > r.rank
                            }
                    })
                    .max_by_key(|o| if better { o.rank } else { u32::MAX - o.rank })
            };
            for better in [true, false] {
                let Some(o) = neighbour(better) else { continue };
                let (Some(a), Some(b)) = (r.se, o.se) else {
                    continue;
                };
                let (within, margin) = within_margin(r.value, a, o.value, b);
                let gap = Gap {
                    rank: o.rank,
                    unit: o.id.clone(),
                    difference: (r.published - o.published).abs().normalize(),
                    margin: two_decimals(margin),
                    within_margin: within,
                };
                let Some(s) = units[r.at].metrics[k].sample.as_mut() else {
                    continue;
                };
                if within {
                    s.notes
                        .push(format!("与第 {} 名差距在误差范围内", gap.rank));
                }
                if better {
                    s.above = Some(gap);
                } else {
                    s.below = Some(gap);
                }
            }
        }
    }
    // The cohort items that rank on a survey index say how close the unit above is.
    for u in units.iter_mut() {
        for ci in &set.cohort_items {
            let Measure::Metric(k) = ci.measure else {
                continue;
            };
            let Some(sample) = u.metrics.get(k).and_then(|m| m.sample.clone()) else {
                continue;
            };
            let mut more = String::new();
            if let Some(g) = sample.above.as_ref().filter(|g| g.within_margin) {
                more.push_str(&format!(
                    "；与第 {} 名差距 {}，在误差范围（±{}）内",
                    g.rank, g.difference, g.margin
                ));
            }
            if sample.short {
                more.push_str("；样本不足，结果仅供参考");
            }
            if !more.is_empty() {
                u.items.extend_first_reason(&ci.id, &more);
            }
        }
        let short: Vec<(String, u64)> = u
            .metrics
            .iter()
            .filter_map(|m| {
                let s = m.sample.as_ref().filter(|s| s.short)?;
                Some((short_label(&m.label), s.n))
            })
            .collect();
        if !short.is_empty() {
            let min = survey.min_sample.unwrap_or_default();
            let sizes = if short.iter().all(|(_, n)| *n == short[0].1) {
                format!("n = {}", short[0].1)
            } else {
                short
                    .iter()
                    .map(|(l, n)| format!("{l} n = {n}"))
                    .collect::<Vec<_>>()
                    .join("、")
            };
            u.remarks
                .push(format!("样本不足（{sizes}，少于 {min}），结果仅供参考"));
        }
    }
}

/// A label without its unit in brackets: `群众安全感（%）` → `群众安全感`.
fn short_label(label: &str) -> String {
    match label.find(['（', '(']) {
        Some(i) if i > 0 => label[..i].to_string(),
        _ => label.to_string(),
    }
}
