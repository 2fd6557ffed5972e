//! Closures checked against the declarations (闭包检查), when the rule set compiles: a closure
//! given a unit (`|u| …`) must take one parameter and read only declared fields (`u.lost`,
//! `u["lost"]`); a consequence's closure (`|r| …`) only what a result holds (`r.rank`,
//! `r.fields.lost`, `r.items.control`, `r.metrics.safety`). A misspelt name is an error with
//! the name it is closest to, not a `()` that scores every unit 0.
//!
//! The unit is followed into the script functions the closure hands it to (`f(u)`). What the
//! checks cannot see (`u[name]`, the unit through a variable) [`strict_names`] catches when it
//! is read: a name a unit's data or a result does not hold is a run-time error naming it.

use crate::error::{RuleError, SourceLocation};
use crate::messages::closest;
use crate::messages::rules as msg;
use crate::model::{Outcome, RuleSet};
use rhai::{Expr, FnPtr, Position, AST};

/// What a result closure's `r` holds (`cohort/closure.rs`).
pub(crate) const RESULT_KEYS: [&str; 15] = [
    "id",
    "total",
    "base",
    "bonus",
    "grade",
    "rank",
    "previous_rank",
    "vetoed",
    "cohort_size",
    "items",
    "metrics",
    "metric_ranks",
    "previous_metric_ranks",
    "state",
    "fields",
];

/// At run time, what the checks when compiling cannot see (`u[name]`, a unit handed through
/// a variable): reading a name a unit's data (`u`, `r.fields`) or a result (`r`) does not hold
/// is an error naming it (E0003), not a silent `()`. Any other map — one the script builds, a
/// state — keeps Rhai's way: a key not there reads as `()`, and writing it adds it.
pub(super) fn strict_names(engine: &mut rhai::Engine, set: &RuleSet) {
    let fields: Vec<String> = set.fields.iter().map(|f| f.name.to_string()).collect();
    engine.on_map_missing_property(move |map, prop, _| {
        if holds_exactly(map, fields.iter().map(String::as_str)) || holds_exactly(map, RESULT_KEYS)
        {
            return Err(rhai::EvalAltResult::ErrorPropertyNotFound(
                prop.to_string(),
                Position::NONE,
            )
            .into());
        }
        map.entry(prop.into())
            .or_insert(rhai::Dynamic::UNIT)
            .try_into()
    });
}

/// Whether `map` holds these keys and no others.
fn holds_exactly<'k>(map: &rhai::Map, keys: impl IntoIterator<Item = &'k str>) -> bool {
    let mut n = 0;
    keys.into_iter().all(|k| {
        n += 1;
        map.contains_key(k)
    }) && n == map.len()
}

/// What a closure's parameter is.
#[derive(Clone, Copy)]
enum Given {
    /// A unit's data: `u.FIELD`.
    Unit,
    /// A unit's result: `r.KEY`, `r.fields.FIELD`, `r.items.ITEM`, `r.metrics.METRIC` …
    Result,
}

/// Checks every closure of `set` in `ast` (the file `file`), adding what is wrong to `errors`.
pub(super) fn check(set: &RuleSet, ast: &AST, file: &str, errors: &mut Vec<RuleError>) {
    // Each closure with what each of its parameters is given (`None`: not checked).
    let mut closures: Vec<(FnPtr, Vec<Option<Given>>, &str)> =
        crate::collect::uses::unit_closures(set)
            .into_iter()
            .map(|f| (f, vec![Some(Given::Unit)], "|u| …"))
            .collect();
    for c in &set.consequences {
        if let Outcome::Closure(f) = &c.when {
            closures.push((f.clone(), vec![Some(Given::Result)], "|r| …"));
        }
    }
    misspelt_functions(ast, file, errors);
    if let Some(f) = &set.state {
        let given = vec![Some(Given::Unit), None, Some(Given::Result)];
        closures.push((f.clone(), given, "|u, prev, r| …"));
    }
    for (f, given, example) in closures {
        let Some(def) = ast.iter_fn_def().find(|d| d.name == f.fn_name()) else {
            continue;
        };
        // Captured variables come first, as curried arguments.
        let curried = f.curry().len();
        let written = def.params.len().saturating_sub(curried);
        if written != given.len() {
            let m = msg::closure_params(written, given.len(), example);
            let location = SourceLocation::new(file, def.body.start_position());
            errors.push(RuleError::new(location, m));
            continue;
        }
        for (k, g) in given.iter().enumerate() {
            let (Some(g), Some(param)) = (g, def.params.get(curried + k)) else {
                continue;
            };
            let first = (f.fn_name().to_string(), def.params.len(), param.to_string());
            check_reads(set, ast, file, *g, first, errors);
        }
    }
}

/// Functions of Rhai and kaohe a script may call, beside its own: a call close to one of the
/// script's functions is not taken for a slip when it names one of these.
const LIBRARY: [&str; 64] = [
    "abs",
    "all",
    "append",
    "call",
    "ceiling",
    "chars",
    "clear",
    "contains",
    "curry",
    "debug",
    "dedup",
    "drain",
    "ends_with",
    "extract",
    "filter",
    "floor",
    "Fn",
    "fraction",
    "get",
    "index_of",
    "insert",
    "int",
    "is_def_fn",
    "is_def_var",
    "is_empty",
    "is_shared",
    "keys",
    "len",
    "map",
    "max",
    "min",
    "pad",
    "parse_decimal",
    "parse_int",
    "pop",
    "print",
    "push",
    "range",
    "reduce",
    "remove",
    "replace",
    "retain",
    "reverse",
    "round",
    "set",
    "shift",
    "sign",
    "some",
    "sort",
    "splice",
    "split",
    "starts_with",
    "sub_string",
    "sum",
    "to_decimal",
    "to_int",
    "to_lower",
    "to_string",
    "to_upper",
    "trim",
    "truncate",
    "type_of",
    "values",
    "zip",
];

/// A call in a script function or closure to a function the script does not define, close to
/// one it does (`reach_point(u)` for `reach_points`): an error with the name meant. Rhai would
/// find it out only when a unit is scored.
fn misspelt_functions(ast: &AST, file: &str, errors: &mut Vec<RuleError>) {
    let defined: Vec<String> = ast.iter_fn_def().map(|d| d.name.to_string()).collect();
    let mut calls: Vec<(String, Position)> = Vec::new();
    for d in ast.iter_fn_def() {
        crate::collect::uses::walk_function(ast, &d.name, d.params.len(), &mut |e| {
            if let Expr::FnCall(call, pos) = e {
                let name = call.name.as_str();
                let plain = !call.is_qualified()
                    && name
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_alphabetic() || c == '_');
                if plain && !defined.iter().any(|n| n == name) && !LIBRARY.contains(&name) {
                    calls.push((name.to_string(), *pos));
                }
            }
        });
    }
    calls.sort_by_key(|(_, pos)| (pos.line(), pos.position()));
    calls.dedup();
    for (name, pos) in calls {
        let own = defined
            .iter()
            .filter(|n| !n.starts_with("anon$"))
            .map(String::as_str);
        if let Some(near) = closest(&name, own) {
            let m = msg::undefined_function(&name, near);
            errors.push(RuleError::new(SourceLocation::new(file, pos), m));
        }
    }
}

/// Checks what a function reads through its parameter given `g` — the closure's body, then the
/// script functions it hands the parameter to (`f(u)`), theirs in turn, each with the name its
/// own parameter gives it. `first`: the function's name, number of parameters and parameter.
fn check_reads(
    set: &RuleSet,
    ast: &AST,
    file: &str,
    g: Given,
    first: (String, usize, String),
    errors: &mut Vec<RuleError>,
) {
    let mut todo = vec![first];
    let mut seen: Vec<(String, usize, String)> = Vec::new();
    while let Some(next) = todo.pop() {
        if seen.contains(&next) {
            continue;
        }
        let (name, params, param) = &next;
        let (reads, calls) = reads_in(ast, name, *params, param);
        for (names, pos) in reads {
            if let Some(m) = unknown(set, g, param, &names) {
                errors.push(RuleError::new(SourceLocation::new(file, pos), m));
            }
        }
        for (callee, args, k) in calls {
            let Some(d) = ast
                .iter_fn_def()
                .find(|d| d.name == callee && d.params.len() == args)
            else {
                continue;
            };
            if let Some(p) = d.params.get(k) {
                todo.push((callee, args, p.to_string()));
            }
        }
        seen.push(next);
    }
}

/// What the script function `name` (with `params` parameters) reads through its parameter
/// `param`, and the calls it passes `param` to: (function, number of arguments, which one).
#[allow(clippy::type_complexity)]
fn reads_in(
    ast: &AST,
    name: &str,
    params: usize,
    param: &str,
) -> (Vec<(Vec<String>, Position)>, Vec<(String, usize, usize)>) {
    let mut reads = Vec::new();
    let mut calls = Vec::new();
    crate::collect::uses::walk_function(ast, name, params, &mut |e| match e {
        Expr::FnCall(call, _) => {
            for (k, arg) in call.args.iter().enumerate() {
                if matches!(arg, Expr::Variable(v, _, _) if v.1.as_str() == param) {
                    calls.push((call.name.to_string(), call.args.len(), k));
                }
            }
        }
        e => reads.extend(read_of(e, param)),
    });
    (reads, calls)
}

/// The names read through `param` by `e` — `u.a` gives `[a]`, `r.fields.a` and
/// `r["fields"]["a"]` give `[fields, a]` — with the position of the first.
fn read_of(e: &Expr, param: &str) -> Option<(Vec<String>, Position)> {
    let (Expr::Dot(x, _, _) | Expr::Index(x, _, _)) = e else {
        return None;
    };
    let Expr::Variable(v, _, _) = &x.lhs else {
        return None;
    };
    if v.1.as_str() != param {
        return None;
    }
    let mut names = Vec::new();
    let mut pos = Position::NONE;
    let mut next = Some(&x.rhs);
    while let Some(e) = next {
        let (name, at, rest) = match e {
            Expr::Property(p, at) => (p.2.to_string(), *at, None),
            Expr::StringConstant(s, at) => (s.to_string(), *at, None),
            Expr::Dot(y, _, _) | Expr::Index(y, _, _) => match &y.lhs {
                Expr::Property(p, at) => (p.2.to_string(), *at, Some(&y.rhs)),
                Expr::StringConstant(s, at) => (s.to_string(), *at, Some(&y.rhs)),
                _ => break,
            },
            _ => break,
        };
        if names.is_empty() {
            pos = at;
        }
        names.push(name);
        next = rest;
    }
    (!names.is_empty()).then_some((names, pos))
}

/// Why a read is of a name not declared, if it is.
fn unknown(
    set: &RuleSet,
    given: Given,
    param: &str,
    names: &[String],
) -> Option<crate::messages::Message> {
    let fields = || set.fields.iter().map(|f| &*f.name);
    let field_ok = |n: &str| set.field_index(n).is_some();
    let metric = |n: &str| set.metrics.iter().any(|m| &*m.id == n);
    match given {
        Given::Unit => {
            let name = names.first()?;
            // `u.metrics.ID` and `u.params.ID`, where no field has that name.
            if !field_ok(name) && (name == "metrics" || name == "params") {
                let inner = names.get(1)?;
                let path = format!("{param}.{name}.{inner}");
                let ids: Vec<&str> = if name == "metrics" {
                    set.metrics.iter().map(|m| &*m.id).collect()
                } else {
                    set.params.iter().map(|p| &*p.id).collect()
                };
                return (!ids.contains(&inner.as_str())).then(|| {
                    msg::closure_unknown_id(&path, inner, name, closest(inner, ids.into_iter()))
                });
            }
            (!field_ok(name)).then(|| {
                msg::closure_unknown_field(
                    &format!("{param}.{name}"),
                    name,
                    closest(name, fields()),
                    metric(name),
                )
            })
        }
        Given::Result => {
            let key = names.first()?;
            if !RESULT_KEYS.contains(&key.as_str()) {
                let near = closest(key, RESULT_KEYS.into_iter());
                return Some(msg::closure_unknown_result_key(param, key, near));
            }
            let inner = names.get(1)?;
            let path = format!("{param}.{key}.{inner}");
            match key.as_str() {
                "fields" => (!field_ok(inner)).then(|| {
                    msg::closure_unknown_field(
                        &path,
                        inner,
                        closest(inner, fields()),
                        metric(inner),
                    )
                }),
                "items" => {
                    let ids = || {
                        set.items
                            .iter()
                            .map(|i| &*i.id)
                            .chain(set.cohort_items.iter().map(|i| &*i.id))
                    };
                    (!ids().any(|i| i == inner.as_str())).then(|| {
                        msg::closure_unknown_id(&path, inner, "items", closest(inner, ids()))
                    })
                }
                "metrics" | "metric_ranks" | "previous_metric_ranks" => {
                    let ids = || set.metrics.iter().map(|m| &*m.id);
                    (!metric(inner)).then(|| {
                        msg::closure_unknown_id(&path, inner, "metrics", closest(inner, ids()))
                    })
                }
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic)]
    use super::RESULT_KEYS;

    /// The keys the checks accept are the keys a consequence's `r` holds (`cohort/closure.rs`).
    #[test]
    fn the_result_keys_checked_are_the_keys_a_result_holds() {
        let mut keys: Vec<String> = RESULT_KEYS.iter().map(|k| format!("\"{k}\"")).collect();
        keys.sort();
        let src = format!(
            "ruleset(#{{ id: \"k\", title: \"k\", max: 1 }});\nfield(\"code\", #{{ label: \"编码\", type: \"text\" }});\nunit(#{{ id: \"code\" }});\nindicator(\"i\", #{{ label: \"i\", max: 1, score: |u| 1 }});\nconsequence(\"c\", #{{ when: |r| {{ let k = r.keys(); k.sort(); k == [{}] }} }});",
            keys.join(", ")
        );
        let Ok(rules) = crate::Rules::compile("k.rhai", &src) else {
            panic!("does not compile: {src}");
        };
        let ds = crate::data::read_csv(&rules.set, "编码\n1\n".as_bytes());
        let Ok(report) = rules.assess(&ds.units, None) else {
            panic!("does not score");
        };
        assert_eq!(
            report.units[0].consequences.len(),
            1,
            "r holds other keys than RESULT_KEYS"
        );
    }
}
