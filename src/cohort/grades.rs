//! Grades (等次): the band a unit's total earns, lowered while a prerequisite of it fails
//! (必备条件), then lowered again, by rank, where a band's quota (名额) is full; each lowering
//! kept as a grade note, written out as an adjustment of the unit's result and as a remark
//! (备注) that says why a grade or rank is what it is.

use super::Standing;
use crate::model::{RuleSet, VetoRank};
use crate::result::Adjustment;
use rust_decimal::Decimal;

/// Why a unit's grade is lower than its points earn; written out only when shown.
pub(crate) enum GradeNote {
    /// A prerequisite of band `earned` failed: the unit got band `given`.
    Prerequisite { earned: usize, given: usize },
    /// Band `band` was full (`allowed` of `units`): the unit got band `given`.
    Quota {
        band: usize,
        units: usize,
        allowed: usize,
        given: usize,
    },
}

/// Grades the units `idx` of one cohort, ranked already; each lowering goes to `notes`, with
/// the unit's position.
pub(super) fn assign(
    set: &RuleSet,
    rows: &mut [Standing],
    notes: &mut Vec<(usize, GradeNote)>,
    idx: &[usize],
) {
    if set.bands.is_empty() {
        return;
    }
    let n = idx.len();
    // Initial band: the first whose bounds hold.
    for &i in idx {
        let r = &rows[i];
        if r.vetoed {
            if let Some(g) = &set.veto_policy.grade {
                rows[i].grade = set.bands.iter().position(|b| &b.name == g);
                continue;
            }
        }
        let Some((earned, b)) = band(set, r.total, &r.prereq_failed) else {
            continue;
        };
        if b != earned {
            notes.push((i, GradeNote::Prerequisite { earned, given: b }));
        }
        rows[i].grade = Some(b);
    }
    // Quotas, best band first: overflow by rank drops to the next band.
    for (bi, band) in set.bands.iter().enumerate() {
        let Some(q) = band.quota else { continue };
        let allowed = (q * Decimal::from(n)).floor();
        let allowed =
            u64::try_from(allowed).map_or(0, |a| usize::try_from(a).unwrap_or(usize::MAX));
        let forced = |r: &Standing| r.vetoed && set.veto_policy.grade.is_some();
        let mut members: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|i| rows[*i].grade == Some(bi) && !forced(&rows[*i]))
            .collect();
        members.sort_by(|a, b| rows[*b].total.cmp(&rows[*a].total));
        let totals: Vec<Decimal> = members.iter().map(|&i| rows[i].total).collect();
        for &i in &members {
            // Units ahead of this one plus those tied with it: a tie across the limit drops whole.
            let through_tie = totals.partition_point(|x| *x >= rows[i].total);
            if through_tie > allowed {
                let to = (bi + 1).min(set.bands.len() - 1);
                rows[i].grade = Some(to);
                let note = GradeNote::Quota {
                    band: bi,
                    units: n,
                    allowed,
                    given: to,
                };
                notes.push((i, note));
            }
        }
    }
}

/// The band a total earns and the band given for it: the one earned, lowered while a
/// prerequisite of it fails (`prereq_failed`, by index into the rule set's prerequisites);
/// `None` when no band's bounds hold. Quotas and the veto policy come after.
pub(crate) fn band(
    set: &RuleSet,
    total: Decimal,
    prereq_failed: &[usize],
) -> Option<(usize, usize)> {
    let blocked = |name: &str| {
        prereq_failed
            .iter()
            .any(|k| set.prerequisites[*k].grades.iter().any(|g| g == name))
    };
    let earned = set
        .bands
        .iter()
        .position(|b| b.bounds.iter().all(|x| x.holds(total)))?;
    let mut b = earned;
    while blocked(&set.bands[b].name) && b + 1 < set.bands.len() {
        b += 1;
    }
    Some((earned, b))
}

/// The labels of the prerequisites a unit missed that the band `earned` needs.
fn missing_prerequisites<'a>(set: &'a RuleSet, r: &Standing, earned: usize) -> Vec<&'a str> {
    r.prereq_failed
        .iter()
        .map(|k| &set.prerequisites[*k])
        .filter(|p| p.grades.contains(&set.bands[earned].name))
        .map(|p| p.label.as_str())
        .collect()
}

/// A grade note in words, as an adjustment of the unit's result.
pub(super) fn note_text(set: &RuleSet, r: &Standing, note: &GradeNote) -> Adjustment {
    match *note {
        GradeNote::Prerequisite { earned, given } => {
            let missing = missing_prerequisites(set, r, earned);
            Adjustment {
                rule: "prerequisite".into(),
                detail: format!(
                    "总分达到{}，但未满足必备条件（{}），评为{}",
                    set.bands[earned].name,
                    missing.join("、"),
                    set.bands[given].name
                ),
                points: Decimal::ZERO,
            }
        }
        GradeNote::Quota {
            band,
            units,
            allowed,
            given,
        } => Adjustment {
            rule: "quota".into(),
            detail: format!(
                "{}名额不超过 {}%（本组 {} 个单位，至多 {} 个），按名次未进入名额，评为{}",
                set.bands[band].name,
                (set.bands[band].quota.unwrap_or_default() * Decimal::ONE_HUNDRED).normalize(),
                units,
                allowed,
                set.bands[given].name
            ),
            points: Decimal::ZERO,
        },
    }
}

/// Why a unit's grade or rank is what it is (备注), one short phrase per reason: each veto
/// (`vetoes`, by index into [`RuleSet::vetoes`]) and what it did, each prerequisite that
/// lowered the grade, each quota that did.
pub(super) fn remarks<'n>(
    set: &RuleSet,
    vetoes: &[usize],
    r: &Standing,
    notes: impl Iterator<Item = &'n GradeNote>,
) -> Vec<String> {
    let mut out = Vec::new();
    if !vetoes.is_empty() {
        let labels: Vec<&str> = vetoes
            .iter()
            .map(|&k| set.vetoes[k].label.as_str())
            .collect();
        let mut text = format!("一票否决（{}）", labels.join("、"));
        let policy = &set.veto_policy;
        if let Some(g) = &policy.grade {
            text.push_str(&format!("，等次定为{g}"));
        }
        match policy.rank {
            VetoRank::Last => text.push_str("，排在最后"),
            VetoRank::Excluded => text.push_str("，不参与排名"),
            VetoRank::Normal => {}
        }
        if !policy.show_points {
            text.push_str("，不公布得分");
        }
        out.push(text);
    }
    for note in notes {
        match *note {
            GradeNote::Prerequisite { earned, given } => {
                let missing = missing_prerequisites(set, r, earned);
                out.push(format!(
                    "未满足必备条件（{}），由{}评为{}",
                    missing.join("、"),
                    set.bands[earned].name,
                    set.bands[given].name
                ));
            }
            GradeNote::Quota { band, given, .. } => out.push(format!(
                "{}名额已满（不超过 {}%），评为{}",
                set.bands[band].name,
                (set.bands[band].quota.unwrap_or_default() * Decimal::ONE_HUNDRED).normalize(),
                set.bands[given].name
            )),
        }
    }
    out
}
