//! State across periods (状态): the rule set's `state(|u, prev, r| …)` run for each placed unit
//! with the state it ended the previous period in — the listing state machine (挂牌督办,
//! 摘牌 …). The new state is kept for the result and for consequences; it reads every unit's
//! rank and metric ranks, so in memory only.

use super::closure::{json_dynamic, result_map};
use super::{Held, Standing};
use crate::compile::Rules;
use crate::error::EvalError;
use crate::eval::Ctx;
use rhai::Position;

/// Runs the state rule for the units `idx` of one cohort, placed already.
pub(super) fn states(
    rules: &Rules,
    held: &mut Held,
    rows: &[Standing],
    idx: &[usize],
    errors: &mut Vec<EvalError>,
) {
    let set = &rules.set;
    let Some(f) = &set.state else { return };
    let (links, kept, previous) = (held.links, &mut *held.kept, held.previous);
    for &i in idx {
        let unit = kept[i].unit;
        let id = unit.values[set.id_field].display();
        let prev = json_dynamic(previous.and_then(|p| p.states.get(&id)));
        let result = result_map(set, kept[i].placed(&rows[i]), idx.len(), previous);
        let mut cx = Ctx::new(rules, unit, links, errors);
        let u = cx.unit_map();
        let Some(next) = cx.call(f, (u, prev, result), "state", Position::NONE) else {
            kept[i].state_failed = true;
            continue;
        };
        if !next.is_map() {
            kept[i].state_failed = true;
            cx.fail(
                "state",
                Position::NONE,
                crate::messages::eval::state_not_map(next.type_name()),
            );
            continue;
        }
        match rhai::serde::from_dynamic::<serde_json::Value>(&next) {
            Ok(v) => kept[i].state = Some(v),
            Err(e) => cx.fail(
                "state",
                Position::NONE,
                crate::messages::eval::state_unsaved(&e.to_string()),
            ),
        }
    }
}
