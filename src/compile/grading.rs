//! What the points lead to: `veto`, `veto_policy`, `prerequisite`, `grades`, `ranking`,
//! `consequence`, `state` and `rollup`.

use super::builder::Builder;
use super::locate::Token;
use super::spec::Spec;
use super::{closest, to_decimal};
use crate::messages::rules::{self, BoundIn, Choice, Decl};
use crate::messages::Text;
use crate::model::*;
use rhai::{Array, Dynamic, FnPtr, Map, Position};
use rust_decimal::Decimal;

/// `veto("id", #{ label, when, reason })`: a condition that fails a unit whatever its points.
pub(super) fn veto(b: &mut Builder, pos: Position, id: &str, spec: &Map) {
    let mut s = Spec::new(b, spec, pos, Decl::Veto(id).text());
    let label = s.required_string("label");
    let reason = s.string("reason").unwrap_or_else(|| label.clone());
    let when = s.condition("when");
    s.require("when", rules::add("when: |u| u.field > 0"));
    s.done(&[]);
    if let Some(when) = when {
        b.vetoes.push(Veto {
            id: id.to_string(),
            label,
            when,
            reason,
            pos,
        });
    }
}

/// `veto_policy(#{ grade, awards, rank, show_points })`: what a veto does to a unit.
pub(super) fn veto_policy(b: &mut Builder, pos: Position, spec: &Map) {
    let mut s = Spec::new(b, spec, pos, Decl::VetoPolicy.text());
    let grade = s.string("grade");
    let awards = s.boolean("awards").unwrap_or(false);
    let show_points = s.boolean("show_points").unwrap_or(true);
    let rank = s.choice(
        "rank",
        VetoRank::Last,
        &[
            ("last", VetoRank::Last),
            ("excluded", VetoRank::Excluded),
            ("normal", VetoRank::Normal),
        ],
        Choice::VetoRank,
    );
    s.done(&[]);
    b.veto_policy_pos = pos;
    b.veto_policy = VetoPolicy {
        grade,
        awards,
        rank,
        show_points,
    };
}

/// `prerequisite("id", #{ label, when, grades })`: a condition a unit must meet for the
/// listed grades.
pub(super) fn prerequisite(b: &mut Builder, pos: Position, id: &str, spec: &Map) {
    let mut s = Spec::new(b, spec, pos, Decl::Prerequisite(id).text());
    let label = s.required_string("label");
    let when = s.condition("when");
    let grades: Vec<String> = s
        .get("grades")
        .and_then(|d| d.clone().try_cast::<Array>())
        .map(|a| a.into_iter().map(|d| d.to_string()).collect())
        .unwrap_or_default();
    if grades.is_empty() {
        s.err(rules::prerequisite_no_grades());
    }
    s.done(&[]);
    if let Some(when) = when {
        b.prerequisites.push(Prerequisite {
            id: id.to_string(),
            label,
            when,
            grades,
            pos,
        });
    }
}

/// `grades([#{ name, at_least|above|below|at_most, quota }, …])`: the grade bands, best first.
pub(super) fn grades(b: &mut Builder, pos: Position, bands: &Array) {
    b.grades_pos = pos;
    for band in bands {
        let Some(m) = band.clone().try_cast::<Map>() else {
            b.error(pos, rules::band_not_map());
            continue;
        };
        let mut s = Spec::new(b, &m, pos, Decl::Grades.text());
        let name = s.required_string("name");
        let quota = s.decimal("quota");
        for k in ["at_least", "above", "below", "at_most"] {
            s.get(k);
        }
        let bounds = s.bound_of(&m, BoundIn::Band(&name));
        if let Some(q) = quota {
            if q <= Decimal::ZERO || q > Decimal::ONE {
                s.err_at(Token::Key("quota"), rules::bad_quota(&name));
            }
        }
        s.done(&[]);
        b.bands.push(Band {
            name,
            bounds,
            quota,
        });
    }
}

/// `ranking(#{ ties, within })`: how ties rank, and the field whose groups rank apart.
pub(super) fn ranking(b: &mut Builder, pos: Position, spec: &Map) {
    let mut s = Spec::new(b, spec, pos, Decl::Ranking.text());
    let ties = s.choice(
        "ties",
        TiePolicy::Competition,
        &[
            ("competition", TiePolicy::Competition),
            ("dense", TiePolicy::Dense),
        ],
        Choice::Ties,
    );
    let within = s.string("within");
    let within = within.map(|w| s.field_ref(&w, "within"));
    s.done(&[]);
    b.ties = ties;
    if let Some(Some(w)) = within {
        if let Some(unit) = b.unit.as_mut() {
            unit.2 = Some(w);
        } else {
            b.error(pos, rules::ranking_before_unit());
        }
    }
}

/// `state(|u, prev, r| #{ status: … })`: the state a unit carries into the next period.
pub(super) fn state(b: &mut Builder, pos: Position, next: &Dynamic) {
    if b.state.is_some() {
        b.error(pos, rules::called_twice("state"));
    }
    match next.clone().try_cast::<FnPtr>() {
        Some(f) => b.state = Some(f),
        None => b.error(pos, rules::state_not_closure()),
    }
}

/// `rollup("id", #{ label, by, value, method, include_vetoed })`: units summed up by group.
pub(super) fn rollup(b: &mut Builder, pos: Position, id: &str, spec: &Map) {
    let mut s = Spec::new(b, spec, pos, Decl::Rollup(id).text());
    let label = s.required_string("label");
    let by = s.string("by").and_then(|f| s.field_ref(&f, "by"));
    let value = match s.string("value").as_deref() {
        None | Some("total") => Some(RollupValue::Total),
        Some(name) => match s.b.metrics.iter().position(|m| *m.id == *name) {
            Some(i) => Some(RollupValue::Metric(i)),
            None => s.numeric_field(name, "value").map(RollupValue::Field),
        },
    };
    let method = s.choice(
        "method",
        RollupMethod::Mean,
        &[
            ("mean", RollupMethod::Mean),
            ("sum", RollupMethod::Sum),
            ("min", RollupMethod::Min),
            ("max", RollupMethod::Max),
        ],
        Choice::RollupMethod,
    );
    let include_vetoed = s.boolean("include_vetoed").unwrap_or(true);
    s.done(&[]);
    if let Some(value) = value {
        b.rollups.push(Rollup {
            id: id.to_string(),
            label,
            by,
            value,
            method,
            include_vetoed,
        });
    }
}

/// `consequence("name", #{ when, reason })`: what follows for the units `when` picks.
pub(super) fn consequence(b: &mut Builder, pos: Position, name: &str, spec: &Map) {
    let what = Decl::Consequence(name).text();
    let mut s = Spec::new(b, spec, pos, what.clone());
    let reason = s.string("reason").unwrap_or_else(|| name.to_string());
    // A condition on the unit's data: `#{ field: "lost", at_least: 5 }`, `#{ value: VALUE, below: 0 }` or `#{ any: [ … ] }`.
    let on_data = spec
        .get("when")
        .and_then(|w| w.clone().try_cast::<Map>())
        .is_some_and(|m| {
            ["field", "value", "any", "all"]
                .iter()
                .any(|k| m.contains_key(*k))
        });
    let data = if on_data {
        s.condition("when").map(Outcome::Data)
    } else {
        None
    };
    let when = s.get("when").cloned();
    s.done(&[]);
    let outcome = match when {
        _ if on_data => data,
        None => {
            let m = rules::within(&what, rules::missing_key("when", rules::when_forms()));
            b.error(pos, m);
            None
        }
        Some(w) => outcome_of(b, pos, &what, &w),
    };
    if let Some(when) = outcome {
        b.consequences.push(Consequence {
            name: name.to_string(),
            when,
            reason,
            pos,
        });
    }
}

/// Whether an earlier period's result records what `o` tests, so that it can hold in a row.
fn recorded(o: &Outcome) -> bool {
    !matches!(
        o,
        Outcome::Data(_) | Outcome::Closure(_) | Outcome::Consecutive { .. }
    )
}

/// A consequence's `when`: a closure or a one-key map such as `#{ bottom: 3 }`.
fn outcome_of(b: &mut Builder, pos: Position, what: &Text, w: &Dynamic) -> Option<Outcome> {
    if let Some(f) = w.clone().try_cast::<FnPtr>() {
        return Some(Outcome::Closure(f));
    }
    let Some(m) = w.clone().try_cast::<Map>() else {
        b.error_at(
            pos,
            Token::Key("when"),
            rules::within(what, rules::when_kind()),
        );
        return None;
    };
    // 连续 N 期: `consecutive` beside one other key.
    if let Some(n) = m.get("consecutive") {
        let periods = n
            .as_int()
            .ok()
            .filter(|n| *n >= 2)
            .and_then(|n| usize::try_from(n).ok());
        let mut inner = m.clone();
        inner.remove("consecutive");
        let of = (inner.len() == 1)
            .then(|| outcome_of(b, pos, what, &Dynamic::from_map(inner)))
            .flatten();
        return match (periods, of) {
            (Some(periods), Some(of)) if recorded(&of) => Some(Outcome::Consecutive {
                periods,
                of: Box::new(of),
            }),
            _ => {
                let m = rules::within(what, rules::consecutive_misused());
                b.error_at(pos, Token::Key("consecutive"), m);
                None
            }
        };
    }
    if m.len() != 1 {
        b.error_at(
            pos,
            Token::Key("when"),
            rules::within(what, rules::when_keys()),
        );
        return None;
    }
    let (k, v) = m.iter().next()?;
    let count = || {
        v.as_int()
            .ok()
            .filter(|n| *n > 0)
            .and_then(|n| usize::try_from(n).ok())
    };
    let out = match k.as_str() {
        "bottom" => count().map(Outcome::Bottom),
        "bottom_ranks" => count().map(Outcome::BottomRanks),
        "top" => count().map(Outcome::Top),
        "grade" => v.clone().into_string().ok().map(Outcome::Grade),
        "veto" => v.clone().into_string().ok().map(Outcome::Veto),
        "vetoed" if v.as_bool() == Ok(true) => Some(Outcome::Vetoed),
        "total_below" => to_decimal(v).map(Outcome::TotalBelow),
        "state" => v.clone().into_string().ok().map(Outcome::State),
        "improved" if v.as_bool() == Ok(true) => Some(Outcome::Improved),
        "consequence" => v.clone().into_string().ok().map(Outcome::Consequence),
        _ => None,
    };
    if out.is_none() {
        let near = closest(
            k,
            [
                "bottom",
                "bottom_ranks",
                "top",
                "grade",
                "veto",
                "vetoed",
                "total_below",
                "state",
                "improved",
                "consequence",
                "consecutive",
            ]
            .into_iter(),
        );
        let m = rules::when_not_understood(k, &v.to_string(), near);
        b.error_at(pos, Token::Key(k), rules::within(what, m));
    }
    out
}
