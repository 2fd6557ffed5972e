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
    let mut unit = Unit {
        rules,
        links,
        r,
        cohort,
        previous,
        seen: None,
        hits: Vec::new(),
    };
    for (k, c) in rules.set.consequences.iter().enumerate() {
        if unit.holds(&c.when, &c.name, c.pos, errors) {
            unit.hits.push(k);
        }
    }
    unit.hits
}

/// One placed unit as its consequences are decided: the consequences found so far, and what
/// `|r|` closures see, built once however many consequences ask.
struct Unit<'u, 'a> {
    rules: &'u Rules,
    links: &'u Links<'a>,
    r: Placed<'u>,
    cohort: CohortSize<'u>,
    previous: Option<&'u Previous>,
    seen: Option<Map>,
    hits: Vec<usize>,
}

impl Unit<'_, '_> {
    /// Whether the unit meets `when` this period (the consequence `name` at `pos` asks).
    fn holds(
        &mut self,
        when: &Outcome,
        name: &str,
        pos: rhai::Position,
        errors: &mut Vec<EvalError>,
    ) -> bool {
        let set = &self.rules.set;
        let (r, cohort) = (self.r, self.cohort);
        let (rank, grade) = (r.standing.rank, r.standing.grade);
        match when {
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
            Outcome::Improved => {
                let id = r.unit.values[set.id_field].display();
                let then = self.previous.and_then(|p| p.ranks.get(&id).copied());
                matches!((rank, then), (Some(now), Some(then)) if now < then)
            }
            // A consequence declared before this one.
            Outcome::Consequence(c) => self.hits.iter().any(|k| set.consequences[*k].name == *c),
            Outcome::Consecutive { periods, of } => {
                if !self.holds(of, name, pos, errors) {
                    return false;
                }
                let id = r.unit.values[set.id_field].display();
                (1..*periods).all(|k| {
                    let then = self.previous.and_then(|p| p.back(k));
                    let before = self.previous.and_then(|p| p.back(k + 1));
                    then.and_then(|p| p.met(&id, of, before)) == Some(true)
                })
            }
            Outcome::Data(cond) => {
                let mut cx = Ctx::new(self.rules, r.unit, self.links, errors);
                cx.test(cond, name, pos) == Some(true)
            }
            Outcome::Closure(f) => {
                let previous = self.previous;
                let arg = self
                    .seen
                    .get_or_insert_with(|| result_map(set, r, cohort.size, previous))
                    .clone();
                let mut cx = Ctx::new(self.rules, r.unit, self.links, errors);
                match cx.call(f, (arg,), name, pos) {
                    Some(v) => match v.as_bool() {
                        Ok(b) => b,
                        Err(t) => {
                            cx.fail(name, pos, crate::messages::eval::not_a_condition(t, true));
                            false
                        }
                    },
                    None => false,
                }
            }
        }
    }
}
