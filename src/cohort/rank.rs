//! Ranks (名次): places values in a group with a tie policy ([`Ranker`]), the overall rank by
//! total within a cohort (vetoed units after the rest, or left out, as the veto policy says),
//! and the rank on each ranked metric (安全感名次, 满意度名次).

use super::{Kept, Standing};
use crate::model::{RuleSet, TiePolicy, VetoPolicy, VetoRank};
use rust_decimal::Decimal;

/// Places values in a group, best first, with a tie policy: sorted once, each look-up a
/// binary search. Values are compared as whole numbers at one common scale when they fit,
/// which sorts a million totals several times faster than decimal comparison.
pub(super) struct Ranker {
    sorted: Sorted,
    ascending: bool,
}

enum Sorted {
    /// `value × 10^scale` as integers.
    Scaled { scale: u32, keys: Vec<i128> },
    /// The values themselves, when some would not fit.
    Exact(Vec<Decimal>),
}

/// `d × 10^scale` as an integer, when `d` has at most `scale` decimals and it fits.
fn scaled(d: Decimal, scale: u32) -> Option<i128> {
    let up = scale.checked_sub(d.scale())?;
    // Within a decimal's 96 bits, so every key turns back into a decimal.
    10i128
        .checked_pow(up)?
        .checked_mul(d.mantissa())
        .filter(|k| k.unsigned_abs() >> 96 == 0)
}

impl Ranker {
    pub(super) fn new(
        values: impl Iterator<Item = Decimal>,
        ascending: bool,
        ties: TiePolicy,
    ) -> Self {
        let values: Vec<Decimal> = values.collect();
        let scale = values.iter().map(Decimal::scale).max().unwrap_or(0);
        let keys: Option<Vec<i128>> = values.iter().map(|d| scaled(*d, scale)).collect();
        let sorted = match keys {
            Some(mut keys) => {
                keys.sort_unstable();
                if !ascending {
                    keys.reverse();
                }
                if ties == TiePolicy::Dense {
                    keys.dedup();
                }
                Sorted::Scaled { scale, keys }
            }
            None => {
                let mut sorted = values;
                sorted.sort_unstable();
                if !ascending {
                    sorted.reverse();
                }
                if ties == TiePolicy::Dense {
                    sorted.dedup();
                }
                Sorted::Exact(sorted)
            }
        };
        Self { sorted, ascending }
    }

    /// 1-based place of `v`: 1 + how many values (distinct ones, when dense) are better.
    pub(super) fn place(&self, v: Decimal) -> u32 {
        fn ahead<T: PartialOrd>(sorted: &[T], v: &T, ascending: bool) -> usize {
            if ascending {
                sorted.partition_point(|x| x < v)
            } else {
                sorted.partition_point(|x| x > v)
            }
        }
        let n = match &self.sorted {
            Sorted::Scaled { scale, keys } => match scaled(v, *scale) {
                Some(k) => ahead(keys, &k, self.ascending),
                // More decimals than any ranked value: place it among them exactly.
                None => ahead(
                    &keys
                        .iter()
                        .filter_map(|k| Decimal::try_from_i128_with_scale(*k, *scale).ok())
                        .collect::<Vec<_>>(),
                    &v,
                    self.ascending,
                ),
            },
            Sorted::Exact(sorted) => ahead(sorted, &v, self.ascending),
        };
        u32::try_from(n).unwrap_or(u32::MAX).saturating_add(1)
    }

    /// How many places the group takes.
    fn len(&self) -> u32 {
        let n = match &self.sorted {
            Sorted::Scaled { keys, .. } => keys.len(),
            Sorted::Exact(sorted) => sorted.len(),
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    pub(super) fn best(&self) -> Option<Decimal> {
        match &self.sorted {
            Sorted::Scaled { scale, keys } => keys
                .first()
                .and_then(|k| Decimal::try_from_i128_with_scale(*k, *scale).ok()),
            Sorted::Exact(sorted) => sorted.first().copied(),
        }
    }
}

/// Ranks by total, best first, within `idx`; vetoed units after the rest when `last`.
pub(super) fn rank(rows: &mut [Standing], idx: &[usize], policy: &VetoPolicy, ties: TiePolicy) {
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(), Vec::new()];
    for &i in idx {
        match (rows[i].vetoed, policy.rank) {
            (true, VetoRank::Excluded) => {}
            (true, VetoRank::Last) => groups[1].push(i),
            _ => groups[0].push(i),
        }
    }
    let mut offset = 0u32;
    for group in groups {
        let ranker = Ranker::new(group.iter().map(|&i| rows[i].total), false, ties);
        for &i in &group {
            rows[i].rank = Some(offset.saturating_add(ranker.place(rows[i].total)));
        }
        offset = offset.saturating_add(ranker.len());
    }
}

/// Ranks every ranked metric within the cohort (安全感名次, 满意度名次).
pub(super) fn rank_metrics(set: &RuleSet, kept: &mut [Kept], idx: &[usize]) {
    for (m, metric) in set.metrics.iter().enumerate() {
        let ranker = Ranker::new(
            idx.iter().filter_map(|i| kept[*i].scored.metrics[m]),
            metric.ascending,
            set.ties,
        );
        for &i in idx {
            let r = match kept[i].scored.metrics[m] {
                Some(v) if metric.rank => Some(ranker.place(v)),
                _ => None,
            };
            kept[i].metric_ranks.push(r);
        }
    }
}
