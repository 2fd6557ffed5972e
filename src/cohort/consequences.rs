//! Consequences (处理结果): which of the rule set's consequences apply to a placed unit — by
//! rank (top, bottom), grade, veto, total, state, a condition on its data or a closure on its
//! result (`|r|`). One function for a unit, used by a run in memory for each unit of a cohort
//! and by a streamed run on its second pass.

use super::closure::result_map;
use super::{CohortSize, Held, Placed, Standing};
use crate::compile::Rules;
use crate::error::EvalError;
use crate::eval::{Ctx, Links};
use crate::model::Outcome;
use crate::previous::Previous;
use rhai::Map;

/// The consequences of the units `idx` of one cohort, placed and with their state.
pub(super) fn apply(
    rules: &Rules,
    held: &mut Held,
    rows: &[Standing],
    idx: &[usize],
    cohort: CohortSize,
    errors: &mut Vec<EvalError>,
) {
    let (links, kept, previous) = (held.links, &mut *held.kept, held.previous);
    for &i in idx {
        // A unit whose state rule failed is already reported; its consequences would only
        // repeat that failure.
        if kept[i].state_failed {
            continue;
        }
        let hits = of(
            rules,
            links,
            kept[i].placed(&rows[i]),
            cohort,
            previous,
            errors,
        );
        kept[i].consequences = hits;
    }
}

fn status(state: Option<&serde_json::Value>) -> Option<&str> {
    state?.get("status")?.as_str()
}

/// The consequences that apply to one placed unit (by index into
/// [`crate::model::RuleSet::consequences`]), in its cohort as placed.
pub(super) fn of(
    rules: &Rules,
    links: &Links,
    r: Placed,
    cohort: CohortSize,
    previous: Option<&Previous>,
    errors: &mut Vec<EvalError>,
) -> Vec<usize> {
    let set = &rules.set;
    let (rank, grade) = (r.standing.rank, r.standing.grade);
    // What `|r|` closures see, built once per unit however many consequences ask.
    let mut seen: Option<Map> = None;
    let mut hits = Vec::new();
    for (k, c) in set.consequences.iter().enumerate() {
        let hit = match &c.when {
            Outcome::Bottom(n) => {
                rank.is_some_and(|k| (k as usize).saturating_add(*n) > cohort.ranked)
            }
            // By rank number: the worst N rank numbers, however many units share them; fewer
            // than N distinct ranks take in every ranked unit.
            Outcome::BottomRanks(n) => rank.is_some_and(|k| {
                cohort
                    .worst
                    .get(n.saturating_sub(1))
                    .is_none_or(|last| k >= *last)
            }),
            Outcome::Top(n) => rank.is_some_and(|k| (k as usize) <= *n),
            Outcome::Grade(g) => grade.is_some_and(|b| &set.bands[b].name == g),
            Outcome::Vetoed => r.standing.vetoed,
            Outcome::Veto(v) => r.scored.vetoes.iter().any(|h| &set.vetoes[*h].id == v),
            Outcome::TotalBelow(x) => r.standing.total < *x,
            Outcome::State(s) => status(r.state) == Some(s.as_str()),
            Outcome::Data(cond) => {
                let mut cx = Ctx::new(rules, r.unit, links, errors);
                cx.test(cond, &c.name, c.pos) == Some(true)
            }
            Outcome::Closure(f) => {
                let arg = seen
                    .get_or_insert_with(|| result_map(set, r, cohort.size, previous))
                    .clone();
                let mut cx = Ctx::new(rules, r.unit, links, errors);
                match cx.call(f, (arg,), &c.name, c.pos) {
                    Some(v) => match v.as_bool() {
                        Ok(b) => b,
                        Err(t) => {
                            cx.fail(
                                &c.name,
                                c.pos,
                                crate::messages::eval::not_a_condition(t, true),
                            );
                            false
                        }
                    },
                    None => false,
                }
            }
        };
        if hit {
            hits.push(k);
        }
    }
    hits
}
