//! The declaration API: registers `ruleset`, `field`, `indicator` … on the script's engine.
//! Each call is read, at its position, into the one [`Builder`] the compiler shares.

use super::builder::Builder;
use super::{grading, inputs, items, survey};
use rhai::{Engine, NativeCallContext, Position, Variant};

/// The builder shared by the compiler and every registered function: behind a lock natively,
/// where the engine is shared across threads (rhai's `sync`), and in a `RefCell` in the
/// browser's one thread.
#[cfg(not(target_arch = "wasm32"))]
pub(super) type Shared = std::sync::Arc<std::sync::Mutex<Builder>>;
/// The builder shared by the compiler and every registered function (one thread).
#[cfg(target_arch = "wasm32")]
pub(super) type Shared = std::rc::Rc<std::cell::RefCell<Builder>>;

/// A builder to share.
pub(super) fn share(b: Builder) -> Shared {
    Shared::new(b.into())
}

/// Runs `f` on the shared builder.
fn with<R>(shared: &Shared, f: impl FnOnce(&mut Builder) -> R) -> R {
    #[cfg(not(target_arch = "wasm32"))]
    let mut b = shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    #[cfg(target_arch = "wasm32")]
    let mut b = shared.borrow_mut();
    f(&mut b)
}

/// The builder back once the script has run: the one shared, or a copy of what it holds
/// when a registered function is somehow still alive.
pub(super) fn unshare(shared: Shared) -> Builder {
    match Shared::try_unwrap(shared) {
        #[cfg(not(target_arch = "wasm32"))]
        Ok(m) => m
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
        #[cfg(target_arch = "wasm32")]
        Ok(c) => c.into_inner(),
        Err(still) => with(&still, |b| b.clone_for_finish()),
    }
}

/// Registers every declaration function rule scripts call.
pub(super) fn register(engine: &mut Engine, builder: &Shared) {
    declare(engine, builder, "ruleset", inputs::ruleset);
    declare_named(engine, builder, "field", inputs::field);
    declare(engine, builder, "unit", inputs::unit);
    declare_named(engine, builder, "category", items::category);
    declare_named(engine, builder, "indicator", items::indicator);
    declare_named(engine, builder, "bonus", items::bonus);
    declare_named(engine, builder, "deduction", items::deduction);
    declare_named(engine, builder, "cohort_indicator", items::cohort_indicator);
    declare_named(engine, builder, "veto", grading::veto);
    declare(engine, builder, "veto_policy", grading::veto_policy);
    declare_named(engine, builder, "prerequisite", grading::prerequisite);
    declare(engine, builder, "grades", grading::grades);
    declare(engine, builder, "ranking", grading::ranking);
    declare_named(engine, builder, "metric", inputs::metric);
    declare_named(engine, builder, "param", inputs::param);
    declare(engine, builder, "state", grading::state);
    declare_named(engine, builder, "rollup", grading::rollup);
    declare_named(engine, builder, "consequence", grading::consequence);
    declare(engine, builder, "survey", survey::survey);
    declare_named(engine, builder, "question", survey::question);
    declare_named(engine, builder, "todo", items::todo);
}

/// Registers `name(value)`, such as `ruleset(#{ … })`, read by `read`.
fn declare<T: Variant + Clone>(
    engine: &mut Engine,
    builder: &Shared,
    name: &str,
    read: fn(&mut Builder, Position, &T),
) {
    let b = builder.clone();
    engine.register_fn(name, move |ctx: NativeCallContext, value: T| {
        with(&b, |b| read(b, ctx.call_position(), &value));
    });
}

/// Registers `name("id", value)`, such as `indicator("id", #{ … })`, read by `read`.
fn declare_named<T: Variant + Clone>(
    engine: &mut Engine,
    builder: &Shared,
    name: &str,
    read: fn(&mut Builder, Position, &str, &T),
) {
    let b = builder.clone();
    engine.register_fn(name, move |ctx: NativeCallContext, id: &str, value: T| {
        with(&b, |b| read(b, ctx.call_position(), id, &value));
    });
}

#[cfg(test)]
mod tests {
    /// The declarations registered here are the ones the sandbox lists (`sandbox::API`), which
    /// finds a mistake's place inside a declaration's call: one missing there puts its errors
    /// at the start of the call instead of at the key.
    #[test]
    fn every_declaration_registered_is_listed_for_locating_errors() {
        let source = include_str!("api.rs");
        let body = source
            .split("pub(super) fn register")
            .nth(1)
            .and_then(|s| s.split("\n}\n").next())
            .unwrap_or_default();
        let mut registered: Vec<&str> = body.lines().filter_map(|l| l.split('"').nth(1)).collect();
        registered.sort_unstable();
        let mut listed = crate::sandbox::API.to_vec();
        listed.sort_unstable();
        assert_eq!(registered, listed);
    }
}
