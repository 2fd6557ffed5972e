//! Stage 1 in memory, scoring (评分): every unit scored on its own, on one core or across
//! cores, each handed on in input order with its points. A unit a rule failed for is left out
//! (its failures are kept, merged).

use crate::compile::Rules;
use crate::data::Unit;
use crate::error::{EvalError, Merged};
use crate::eval::{item_categories, score_unit, Links, Scored};
use crate::explain::item_info;

/// Scores `units` and hands each scored one to `keep`, in input order; failures go to `failed`.
pub(super) fn score_units<'a>(
    rules: &Rules,
    units: &'a [Unit],
    links: &Links,
    explain: bool,
    parallel: bool,
    failed: &mut Merged,
    mut keep: impl FnMut(&'a Unit, Scored),
) {
    let categories = item_categories(&rules.set);
    // What every unit's explanation shares, made once.
    let info = explain.then(|| item_info(&rules.set));
    let score_one = |i: usize, unit: &Unit, errors: &mut Vec<EvalError>| {
        let metrics = links.metrics.get(i).map_or(&[][..], Vec::as_slice);
        score_unit(
            rules,
            &categories,
            unit,
            metrics,
            links,
            errors,
            info.as_ref(),
        )
    };
    if parallel {
        let score = |part: &'a [Unit], first: usize, errors: &mut Vec<EvalError>| {
            let scored = part.iter().enumerate();
            scored
                .map(|(j, u)| score_one(first + j, u, errors))
                .collect()
        };
        for (unit, scored) in units.iter().zip(scored_in_parallel(units, &score, failed)) {
            if let Some(scored) = scored {
                keep(unit, scored);
            }
        }
    } else {
        // Straight to `keep`: no list of scores in between to fill and copy.
        let mut errors = Vec::new();
        for (i, unit) in units.iter().enumerate() {
            if let Some(scored) = score_one(i, unit, &mut errors) {
                keep(unit, scored);
            }
            if !errors.is_empty() {
                failed.extend(errors.drain(..));
            }
        }
    }
}

/// Scores `units` in chunks across the cores, keeping input order; errors keep it too (each
/// chunk's merged before they are gathered).
#[cfg(not(target_arch = "wasm32"))]
fn scored_in_parallel<'a, F>(
    units: &'a [Unit],
    score: &F,
    errors: &mut Merged,
) -> Vec<Option<Scored>>
where
    F: Fn(&'a [Unit], usize, &mut Vec<EvalError>) -> Vec<Option<Scored>> + Sync,
{
    use rayon::prelude::*;
    let chunk = units
        .len()
        .div_ceil(rayon::current_num_threads() * 8)
        .max(1024);
    let parts: Vec<(Vec<Option<Scored>>, Merged)> = units
        .par_chunks(chunk)
        .enumerate()
        .map(|(c, part)| {
            let mut errs = Vec::new();
            let out = score(part, c * chunk, &mut errs);
            let mut merged = Merged::default();
            merged.extend(errs);
            (out, merged)
        })
        .collect();
    let mut out = Vec::with_capacity(units.len());
    for (scored, errs) in parts {
        out.extend(scored);
        errors.extend(errs.into_errors().0);
    }
    out
}

/// WebAssembly has one thread: the parallel path is the sequential one.
#[cfg(target_arch = "wasm32")]
fn scored_in_parallel<'a, F>(
    units: &'a [Unit],
    score: &F,
    errors: &mut Merged,
) -> Vec<Option<Scored>>
where
    F: Fn(&'a [Unit], usize, &mut Vec<EvalError>) -> Vec<Option<Scored>>,
{
    let mut errs = Vec::new();
    let out = score(units, 0, &mut errs);
    errors.extend(errs);
    out
}
