//! What every engine delivers per unit, and the one ranking step shared by the engines that
//! have no cohort stage of their own.

/// One unit's result: total in hundredths (rounded half-up to 2 decimals), veto, grade index
/// into the rule set's bands, rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcome {
    pub total: i64,
    pub vetoed: bool,
    pub grade: u8,
    pub rank: u32,
}

/// Competition ranking (1-2-2-4) by total, best first; vetoed units after all others, ranked
/// among themselves the same way. Fills `rank` in place.
pub fn rank(out: &mut [Outcome]) {
    let mut order: Vec<(bool, i64, u32)> = out
        .iter()
        .enumerate()
        .map(|(i, o)| (o.vetoed, -o.total, i as u32))
        .collect();
    order.sort_unstable();
    let mut place = 0u32;
    let mut prev: Option<(bool, i64)> = None;
    for (k, &(vetoed, neg_total, i)) in order.iter().enumerate() {
        if prev != Some((vetoed, neg_total)) {
            place = k as u32 + 1;
            prev = Some((vetoed, neg_total));
        }
        out[i as usize].rank = place;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(total: i64, vetoed: bool) -> Outcome {
        Outcome {
            total,
            vetoed,
            ..Outcome::default()
        }
    }

    #[test]
    fn competition_with_vetoed_last() {
        let mut v = vec![
            o(9000, false),
            o(9500, false),
            o(9000, false),
            o(9900, true),
            o(8000, false),
            o(9900, true),
            o(100, true),
        ];
        rank(&mut v);
        let ranks: Vec<u32> = v.iter().map(|o| o.rank).collect();
        assert_eq!(ranks, vec![2, 1, 2, 5, 4, 5, 7]);
    }
}
