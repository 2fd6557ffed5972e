//! The sandbox (沙箱) every rule script runs in: no files, no network, no `eval`,
//! and limits that stop a runaway script with an error instead of a hang.

use crate::error::{RuleError, SourceLocation};
use rhai::module_resolvers::StaticModuleResolver;
use rhai::{Engine, EvalAltResult, Module, Scope};

/// Operations one rule may take for one unit (or the whole script at compile time).
pub const MAX_OPERATIONS: u64 = 200_000;
/// Nested function calls.
pub const MAX_CALL_LEVELS: usize = 32;
/// Characters in one string.
pub const MAX_STRING_SIZE: usize = 64 * 1024;
/// Items in one array.
pub const MAX_ARRAY_SIZE: usize = 10_000;
/// Entries in one map.
pub const MAX_MAP_SIZE: usize = 10_000;

/// A fresh engine with the limits and without the dangerous symbols.
pub fn engine() -> Engine {
    let mut e = Engine::new();
    e.set_max_operations(MAX_OPERATIONS)
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
        let module = engine
            .compile(source)
            .map_err(|e| RuleError {
                location: SourceLocation::new(path, e.position()),
                message: format!("syntax error: {}", e.err_type()),
                help: None,
            })
            .and_then(|ast| {
                Module::eval_ast_as_new(Scope::new(), &ast, engine).map_err(|e| RuleError {
                    location: SourceLocation::new(path, e.position()),
                    message: describe(&e),
                    help: help_for(&e),
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

/// A runtime error in words, lower-case and without the position (the caller adds it).
pub fn describe(e: &EvalAltResult) -> String {
    use EvalAltResult as E;
    match e {
        E::ErrorTooManyOperations(_) => format!(
            "the script ran more than {MAX_OPERATIONS} operations and was stopped (an endless loop?)"
        ),
        E::ErrorStackOverflow(_) => {
            format!("calls nested deeper than {MAX_CALL_LEVELS} levels (endless recursion?)")
        }
        E::ErrorDataTooLarge(what, _) => format!("{} grew past its limit", what.to_lowercase()),
        E::ErrorFunctionNotFound(sig, _) => format!("unknown function `{sig}`"),
        E::ErrorVariableNotFound(name, _) => format!("unknown variable `{name}`"),
        E::ErrorModuleNotFound(name, _) => format!("no helper module `{name}`"),
        E::ErrorInFunctionCall(name, _, inner, _) => {
            format!("in `{name}`: {}", describe(inner))
        }
        E::ErrorRuntime(v, _) => format!("the script threw `{v}`"),
        other => {
            let s = other.to_string();
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
    }
}

/// The position of the innermost error: inside a closure rather than at its call.
pub fn innermost_position(e: &EvalAltResult) -> Option<rhai::Position> {
    if let EvalAltResult::ErrorInFunctionCall(_, _, inner, pos) = e {
        return innermost_position(inner).or((!pos.is_none()).then_some(*pos));
    }
    (!e.position().is_none()).then(|| e.position())
}

/// Where a fix for a runtime error is known, how.
pub fn help_for(e: &EvalAltResult) -> Option<String> {
    use EvalAltResult as E;
    match e {
        E::ErrorTooManyOperations(_) => Some("check the loop's exit condition".into()),
        E::ErrorFunctionNotFound(sig, _) if sig.starts_with("eval") => {
            Some("`eval` is not allowed in rule scripts".into())
        }
        E::ErrorFunctionNotFound(sig, _) => {
            let name = sig.split(' ').next().unwrap_or(sig);
            crate::compile::suggest(name, API.iter().copied()).or_else(|| {
                Some(format!(
                    "the rule functions are {}; check the name and the number of arguments",
                    API.join(", ")
                ))
            })
        }
        E::ErrorInFunctionCall(_, _, inner, _) => help_for(inner),
        E::ErrorVariableNotFound(name, _) if name.contains("::") => Some(
            "a helper module shares a constant only if it declares it with `export const`".into(),
        ),
        _ => None,
    }
}

/// The declaration functions rule scripts call.
pub const API: [&str; 16] = [
    "ruleset",
    "field",
    "unit",
    "category",
    "indicator",
    "bonus",
    "cohort_indicator",
    "veto",
    "veto_policy",
    "prerequisite",
    "grades",
    "ranking",
    "consequence",
    "metric",
    "state",
    "rollup",
];
