//! The sandbox (沙箱) every rule script runs in: no files, no network, no `eval`, no clock
//! and no randomness (the same data always scores the same), and a budget per evaluation — a
//! rule for one unit, or the whole script when it is compiled — that stops a runaway script
//! with an error instead of a hang: operations, wall-clock time, memory (where the program
//! installs a probe, see [`set_memory_probe`]) and the size of every string, array and map.

use crate::error::{RuleError, SourceLocation};
use crate::messages::Message;
use rhai::module_resolvers::StaticModuleResolver;
use rhai::{Dynamic, Engine, EvalAltResult, Module, Scope};
use std::cell::Cell;
use std::sync::OnceLock;

/// Operations one rule may take for one unit (or the whole script at compile time).
pub const MAX_OPERATIONS: u64 = 200_000;
/// Wall-clock time one evaluation may take, in milliseconds. An operation can be costly (a
/// search through a long array), so operations alone do not bound time.
pub const MAX_EVAL_MILLIS: f64 = MAX_EVAL_SECONDS as f64 * 1000.0;
/// The same in whole seconds, as messages say it (no float formatting in the engine module).
pub const MAX_EVAL_SECONDS: u64 = 2;
/// Memory one evaluation may take on top of what the program held when it began, where a
/// probe is installed ([`set_memory_probe`]; the `kaohe` CLI and the WASM package do).
pub const MAX_EVAL_MEMORY: usize = 256 << 20;
/// Nested function calls.
pub const MAX_CALL_LEVELS: usize = 32;
/// Bytes in one string, and in all the strings one value holds.
pub const MAX_STRING_SIZE: usize = 64 * 1024;
/// Items in one array, nested arrays included.
pub const MAX_ARRAY_SIZE: usize = 10_000;
/// Entries in one map, nested maps included. Rhai does not count the keys' lengths, so this
/// is kept low enough that keys alone cannot hold more than a few tens of MB.
pub const MAX_MAP_SIZE: usize = 1_000;
/// Bytes in one rule script or helper module.
pub const MAX_SOURCE_BYTES: usize = 1 << 20;
/// Lines in one rule script or helper module (parsing grows faster than the length).
pub const MAX_SOURCE_LINES: usize = 10_000;

/// How much memory the program holds now, in bytes: installed once by a program that can tell
/// (the CLI counts its allocations); without it, evaluations are bounded by the other limits.
static MEMORY_PROBE: OnceLock<fn() -> usize> = OnceLock::new();

/// Installs the memory probe the evaluation budget reads (once per process; later calls are
/// ignored): the bytes the program holds now. With it, a rule that takes more than 256 MB in
/// one evaluation stops with an error (E…) instead of exhausting the machine; without it, the
/// other limits (operations, time, sizes) still bound every evaluation. The `kaohe` binary and
/// the WASM package install a counting allocator's total, as a program embedding the crate
/// may:
///
/// ```
/// #[global_allocator]
/// static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);
///
/// kaohe::set_memory_probe(|| ALLOCATOR.allocated());
/// ```
pub fn set_memory_probe(probe: fn() -> usize) {
    let _ = MEMORY_PROBE.set(probe);
}

#[cfg(not(target_arch = "wasm32"))]
fn memory_now() -> Option<usize> {
    MEMORY_PROBE.get().map(|probe| probe())
}

#[cfg(target_arch = "wasm32")]
fn memory_now() -> Option<usize> {
    Some(crate::wasm::allocated())
}

/// Milliseconds on a monotonic clock (WASM: `performance.now()`).
#[cfg(not(target_arch = "wasm32"))]
fn now_millis() -> f64 {
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_secs_f64()
        * 1000.0
}

#[cfg(target_arch = "wasm32")]
fn now_millis() -> f64 {
    crate::wasm::clock_millis()
}

/// Why the budget stopped an evaluation: the token of Rhai's `ErrorTerminated`.
const STOP_TIME: &str = "kaohe:time";
const STOP_MEMORY: &str = "kaohe:memory";

/// The budget of the evaluation running on this thread.
#[derive(Clone, Copy)]
struct Watch {
    /// When the evaluation passed its first 1,024 operations (short ones never read the clock).
    start: Option<f64>,
    /// Memory held when the evaluation began.
    base: usize,
}

thread_local! {
    static WATCH: Cell<Watch> = const { Cell::new(Watch { start: None, base: 0 }) };
}

/// Evaluations running now, on all threads. The memory probe counts the whole program, so it
/// is read only while one evaluation runs: in a parallel batch another thread's allocations
/// would count against this one (there the operation, time and size limits still hold).
static RUNNING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs one evaluation — a call of a rule's closure, or a script or module run whole — within a
/// fresh budget. (Rhai's own operation count cannot mark where an evaluation starts: it
/// restarts for calls made inside one.)
pub(crate) fn evaluate<T>(run: impl FnOnce() -> T) -> T {
    use std::sync::atomic::Ordering;
    struct Running;
    impl Drop for Running {
        fn drop(&mut self) {
            RUNNING.fetch_sub(1, Ordering::Relaxed);
        }
    }
    RUNNING.fetch_add(1, Ordering::Relaxed);
    let _running = Running;
    WATCH.with(|cell| {
        cell.set(Watch {
            start: None,
            base: memory_now().unwrap_or(0),
        });
    });
    run()
}

/// Called by Rhai after every operation: stops the evaluation once it is over its time or
/// memory budget. Cheap on the hot path: one thread-local read, one counter read, and the
/// clock only every 1,024 operations.
fn watch(ops: u64) -> Option<Dynamic> {
    WATCH.with(|cell| {
        let mut w = cell.get();
        let mut stop = None;
        let alone = RUNNING.load(std::sync::atomic::Ordering::Relaxed) == 1;
        if alone && memory_now().is_some_and(|m| m.saturating_sub(w.base) > MAX_EVAL_MEMORY) {
            stop = Some(STOP_MEMORY);
        } else if ops.is_multiple_of(1024) {
            let now = now_millis();
            match w.start {
                None => {
                    w.start = Some(now);
                    cell.set(w);
                }
                Some(t) if now - t > MAX_EVAL_MILLIS => stop = Some(STOP_TIME),
                Some(_) => {}
            }
        }
        stop.map(Dynamic::from)
    })
}

/// The loop (`loop`, `while`, `do`, `for`) around `pos` in `ast`, innermost first: where a
/// runaway is reported, so that the place does not depend on which limit stopped it first.
pub(crate) fn loop_around(ast: &rhai::AST, pos: rhai::Position) -> Option<rhai::Position> {
    use rhai::{ASTNode, Stmt};
    let mut found = None;
    ast.walk(&mut |path: &[ASTNode]| {
        if path.last().is_some_and(|n| n.position() == pos) {
            found = path.iter().rev().find_map(|n| match n {
                ASTNode::Stmt(s @ (Stmt::While(..) | Stmt::Do(..) | Stmt::For(..))) => {
                    Some(s.position())
                }
                _ => None,
            });
            if found.is_some() {
                return false;
            }
        }
        true
    });
    found
}

/// Whether an error is the sandbox stopping a runaway script (too many operations, too long,
/// too much memory, too deep, too large), as opposed to a mistake in what the script says.
pub fn is_runaway(e: &EvalAltResult) -> bool {
    use EvalAltResult as E;
    match e {
        E::ErrorTooManyOperations(_)
        | E::ErrorStackOverflow(_)
        | E::ErrorDataTooLarge(..)
        | E::ErrorTerminated(..) => true,
        E::ErrorInFunctionCall(_, _, inner, _) => is_runaway(inner),
        _ => false,
    }
}

/// A rule script's text as it is compiled: without the byte-order mark Windows editors put
/// first, which Rhai would take for a character of the script.
pub fn script_text(source: &str) -> &str {
    source.strip_prefix('\u{feff}').unwrap_or(source)
}

/// An error when a script is too large to compile within its budget (脚本过大).
pub fn too_large(file: &str, source: &str) -> Option<RuleError> {
    use crate::messages::eval::script_too_large;
    let lines = source.lines().count();
    let m = if source.len() > MAX_SOURCE_BYTES {
        script_too_large(source.len(), MAX_SOURCE_BYTES, false)
    } else if lines > MAX_SOURCE_LINES {
        script_too_large(lines, MAX_SOURCE_LINES, true)
    } else {
        return None;
    };
    let place = SourceLocation {
        file: file.to_string(),
        line: 0,
        column: 0,
    };
    Some(RuleError::new(place, m))
}

/// A fresh engine with the limits and without the dangerous symbols.
pub fn engine() -> Engine {
    let mut e = Engine::new();
    // Rhai's own operation limit is the backstop; the budget reports it first.
    e.set_max_operations(MAX_OPERATIONS)
        .on_progress(watch)
        .set_max_call_levels(MAX_CALL_LEVELS)
        .set_max_expr_depths(64, 32)
        .set_max_string_size(MAX_STRING_SIZE)
        .set_max_array_size(MAX_ARRAY_SIZE)
        .set_max_map_size(MAX_MAP_SIZE)
        .set_max_modules(16)
        .set_max_variables(1_000)
        .set_max_functions(1_000);
    e.disable_symbol("eval");
    // Whole numbers divide exactly (7 / 2 = 3.5), as rule authors expect of points.
    e.set_fast_operators(false);
    e.register_fn(
        "/",
        |a: rhai::INT, b: rhai::INT| -> Result<rust_decimal::Decimal, Box<EvalAltResult>> {
            if b == 0 {
                return Err(EvalAltResult::ErrorArithmetic(
                    "division by zero".into(),
                    rhai::Position::NONE,
                )
                .into());
            }
            Ok(rust_decimal::Decimal::from(a) / rust_decimal::Decimal::from(b))
        },
    );
    // Points round half-up everywhere (四舍五入), in closures as in the engine; Rhai's own
    // `round` on decimals rounds half to even.
    e.register_fn("round", |d: rust_decimal::Decimal, places: rhai::INT| {
        let places = u32::try_from(places.clamp(0, 28)).unwrap_or(0);
        d.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    });
    // A decimal written into text (`扣${d}分`, `"扣" + d`) shows its value as a person writes
    // it — 2, 1.5, 0.25 — not the digits its arithmetic carried (2.0000, 1.500).
    e.register_fn("to_string", |d: rust_decimal::Decimal| {
        d.normalize().to_string()
    });
    e.register_fn("round", |d: rust_decimal::Decimal| {
        d.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    });
    e.on_print(|_| {});
    e.on_debug(|_, _, _| {});
    e.set_module_resolver(StaticModuleResolver::new());
    e
}

/// Compiled helper modules, by import path.
pub type Modules = Vec<(String, rhai::Shared<Module>)>;

/// Compiles helper modules so scripts can `import "path" as name;` them; errors go to `errors`.
pub fn modules(
    engine: &Engine,
    modules: &[(String, String)],
    errors: &mut Vec<RuleError>,
) -> (StaticModuleResolver, Modules) {
    let mut resolver = StaticModuleResolver::new();
    let mut compiled = Vec::new();
    for (path, source) in modules {
        let source = script_text(source);
        if let Some(e) = too_large(path, source) {
            errors.push(e);
            continue;
        }
        let module = engine
            .compile(source)
            .map_err(|e| {
                RuleError::new(
                    SourceLocation::new(path, e.position()),
                    crate::messages::rules::syntax(e.err_type()),
                )
            })
            .and_then(|ast| {
                evaluate(|| Module::eval_ast_as_new(Scope::new(), &ast, engine)).map_err(|e| {
                    RuleError::new(SourceLocation::new(path, e.position()), describe(&e))
                })
            });
        match module {
            Ok(m) => {
                let path = path.trim_end_matches(".rhai");
                resolver.insert(path, m.clone());
                compiled.push((path.to_string(), rhai::Shared::new(m)));
            }
            Err(e) => errors.push(e),
        }
    }
    (resolver, compiled)
}

/// Closures run long after the script's top-level `import` statements, so each module a
/// script imports is registered on the scoring engine under the script's own alias.
pub fn register_imports(engine: &mut Engine, ast: &rhai::AST, modules: &Modules) {
    for stmt in ast.statements() {
        if let rhai::Stmt::Import(x, _) = stmt {
            let (path, alias) = (&x.0, &x.1);
            if let rhai::Expr::StringConstant(path, _) = path {
                let path = path.trim_end_matches(".rhai");
                if let Some((_, m)) = modules.iter().find(|(p, _)| p == path) {
                    if !alias.name.is_empty() {
                        engine.register_static_module(alias.name.as_str(), m.clone());
                    }
                }
            }
        }
    }
}

/// Rhai's own words for an error, lower-case and without the position (the caller adds it):
/// the English of the errors the catalogue has no words of its own for.
fn rhai_words(e: &EvalAltResult) -> String {
    let s = e.to_string();
    let s = match s.find(" (line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    };
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => s,
    }
}

/// A runtime error in the catalogue's words (运行错误), with its code and a hint; without the
/// position (the caller adds it).
pub fn describe(e: &EvalAltResult) -> Message {
    use crate::messages::eval as m;
    use EvalAltResult as E;
    let seconds = MAX_EVAL_SECONDS;
    match e {
        // One message for either limit: which one stops a loop first depends on the machine.
        E::ErrorTooManyOperations(_) => m::ran_too_long(MAX_OPERATIONS, seconds),
        E::ErrorTerminated(why, _) if why.to_string() == STOP_TIME => {
            m::ran_too_long(MAX_OPERATIONS, seconds)
        }
        E::ErrorTerminated(why, _) if why.to_string() == STOP_MEMORY => {
            m::out_of_memory(MAX_EVAL_MEMORY >> 20)
        }
        E::ErrorStackOverflow(_) => m::too_deep(MAX_CALL_LEVELS),
        E::ErrorDataTooLarge(what, _) => m::value_too_large(what),
        E::ErrorFunctionNotFound(sig, _) if sig.starts_with("anon$") => {
            m::closure_arity(sig.split_once(' ').map_or("", |(_, a)| a))
        }
        E::ErrorFunctionNotFound(sig, _) => m::unknown_function(sig, &API),
        E::ErrorVariableNotFound(name, _) => m::unknown_variable(name),
        E::ErrorModuleNotFound(name, _) => m::unknown_module(name),
        // A closure has no name a rule author wrote (Rhai calls it `anon$…`): the position
        // already points into it.
        E::ErrorInFunctionCall(name, _, inner, _) if name.starts_with("anon$") => describe(inner),
        E::ErrorInFunctionCall(name, _, inner, _) => m::in_function(name, describe(inner)),
        E::ErrorRuntime(v, _) => m::thrown(&v.to_string()),
        E::ErrorPropertyNotFound(prop, _) => m::property_not_found(prop, &rhai_words(e)),
        E::ErrorDotExpr(text, _) => {
            // Rhai: "Unknown property 'foo' - a getter is not registered for type 'string'".
            let quoted = |s: &str| -> Option<String> {
                let start = s.find('\'')? + 1;
                let len = s[start..].find('\'')?;
                Some(s[start..start + len].to_string())
            };
            match text.split_once(" - a getter is not registered for type ") {
                Some((head, ty)) => match (quoted(head), quoted(ty)) {
                    (Some(prop), Some(ty)) => m::no_property(&prop, &ty, &rhai_words(e)),
                    _ => m::script_error(&rhai_words(e)),
                },
                None => m::script_error(&rhai_words(e)),
            }
        }
        E::ErrorMismatchDataType(wanted, got, _) | E::ErrorMismatchOutputType(wanted, got, _) => {
            m::wrong_type(wanted, got, &rhai_words(e))
        }
        E::ErrorArithmetic(_, _) => m::arithmetic(&rhai_words(e)),
        E::ErrorIndexingType(what, _) => m::not_indexable(what, &rhai_words(e)),
        E::ErrorArrayBounds(len, index, _) => m::out_of_bounds(true, *len, *index, &rhai_words(e)),
        E::ErrorStringBounds(len, index, _) => {
            m::out_of_bounds(false, *len, *index, &rhai_words(e))
        }
        E::ErrorFor(_) => m::not_iterable(&rhai_words(e)),
        E::ErrorAssignmentToConstant(name, _) => m::constant_changed(name, &rhai_words(e)),
        _ => m::script_error(&rhai_words(e)),
    }
}

/// The innermost error: what went wrong inside the closures and functions called.
pub fn innermost(e: &EvalAltResult) -> &EvalAltResult {
    match e {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => innermost(inner),
        _ => e,
    }
}

/// The position of the innermost error: inside a closure rather than at its call.
pub fn innermost_position(e: &EvalAltResult) -> Option<rhai::Position> {
    if let EvalAltResult::ErrorInFunctionCall(_, _, inner, pos) = e {
        return innermost_position(inner).or((!pos.is_none()).then_some(*pos));
    }
    (!e.position().is_none()).then(|| e.position())
}

/// The declaration functions rule scripts call.
pub const API: [&str; 21] = [
    "ruleset",
    "field",
    "unit",
    "category",
    "indicator",
    "bonus",
    "deduction",
    "cohort_indicator",
    "veto",
    "veto_policy",
    "prerequisite",
    "grades",
    "ranking",
    "consequence",
    "metric",
    "param",
    "state",
    "rollup",
    "survey",
    "question",
    "todo",
];
