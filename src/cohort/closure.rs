//! What a rule's closure sees of a placed unit (`r`: total, rank, grade, points, metrics, state,
//! the previous period's ranks …), for a consequence's `|r|` and the state rule `|u, prev, r|`;
//! JSON (a state) turned into Rhai values.

use super::Placed;
use crate::eval::unit_map;
use crate::model::RuleSet;
use crate::previous::Previous;
use rhai::{Dynamic, Map};

/// The result map a closure reads; `cohort_size` is the number of units in the unit's cohort.
pub(super) fn result_map(
    set: &RuleSet,
    r: Placed,
    cohort_size: usize,
    previous: Option<&Previous>,
) -> Map {
    let unit = r.unit;
    let id = unit.values[set.id_field].display();
    let int = |x: Option<u32>| x.map_or(Dynamic::UNIT, |x| Dynamic::from_int(i64::from(x)));
    let mut m = Map::new();
    m.insert("total".into(), Dynamic::from_decimal(r.standing.total));
    m.insert("base".into(), Dynamic::from_decimal(r.scored.base));
    m.insert("bonus".into(), Dynamic::from_decimal(r.scored.bonus));
    m.insert(
        "grade".into(),
        r.standing
            .grade
            .map_or(Dynamic::UNIT, |g| Dynamic::from(set.bands[g].name.clone())),
    );
    m.insert("rank".into(), int(r.standing.rank));
    m.insert(
        "previous_rank".into(),
        int(previous.and_then(|p| p.ranks.get(&id).copied())),
    );
    m.insert("vetoed".into(), Dynamic::from_bool(r.standing.vetoed));
    m.insert(
        "cohort_size".into(),
        Dynamic::from_int(i64::try_from(cohort_size).unwrap_or(i64::MAX)),
    );
    let mut items = Map::new();
    let ids = set
        .items
        .iter()
        .map(|i| &i.id)
        .chain(set.cohort_items.iter().map(|c| &c.id));
    for (id, p) in ids.zip(&r.scored.points) {
        if let Some(p) = p {
            items.insert((&**id).into(), Dynamic::from_decimal(p.normalize()));
        }
    }
    m.insert("items".into(), items.into());
    let mut metrics = Map::new();
    let mut metric_ranks = Map::new();
    let mut previous_metric_ranks = Map::new();
    let prev_ranks = previous.and_then(|p| p.metric_ranks.get(&id));
    for (k, metric) in set.metrics.iter().enumerate() {
        let key: rhai::Identifier = (&*metric.id).into();
        metrics.insert(
            key.clone(),
            r.scored.metrics[k].map_or(Dynamic::UNIT, Dynamic::from_decimal),
        );
        metric_ranks.insert(key.clone(), int(r.metric_ranks.get(k).copied().flatten()));
        previous_metric_ranks.insert(
            key,
            int(prev_ranks.and_then(|p| p.get(&*metric.id).copied())),
        );
    }
    m.insert("metrics".into(), metrics.into());
    m.insert("metric_ranks".into(), metric_ranks.into());
    m.insert("previous_metric_ranks".into(), previous_metric_ranks.into());
    m.insert("state".into(), json_dynamic(r.state));
    m.insert("fields".into(), unit_map(set, unit).into());
    m.insert("id".into(), Dynamic::from(id));
    m
}

/// JSON to a Rhai value; none is `()`.
pub(super) fn json_dynamic(v: Option<&serde_json::Value>) -> Dynamic {
    v.map_or(Dynamic::UNIT, to_dynamic)
}

/// JSON to a Rhai value: whole numbers become integers and other numbers exact decimals
/// (serde_json keeps numbers as text here, which Rhai's own conversion would turn into maps).
fn to_dynamic(v: &serde_json::Value) -> Dynamic {
    use serde_json::Value as J;
    match v {
        J::Null => Dynamic::UNIT,
        J::Bool(b) => Dynamic::from_bool(*b),
        J::Number(n) => {
            let text = n.to_string();
            if let Ok(i) = text.parse::<i64>() {
                Dynamic::from_int(i)
            } else {
                rust_decimal::Decimal::from_str_exact(&text)
                    .or_else(|_| rust_decimal::Decimal::from_scientific(&text))
                    .map_or(Dynamic::from(text), Dynamic::from_decimal)
            }
        }
        J::String(s) => Dynamic::from(s.clone()),
        J::Array(a) => Dynamic::from_array(a.iter().map(to_dynamic).collect()),
        J::Object(o) => {
            let mut m = Map::new();
            for (k, x) in o {
                m.insert(k.as_str().into(), to_dynamic(x));
            }
            m.into()
        }
    }
}
