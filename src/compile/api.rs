//! The declaration API: registers `ruleset`, `field`, `indicator` … on the script's engine.
//! Each call is read, at its position, into the one [`Builder`] the compiler shares.

use super::builder::Builder;
use super::{grading, inputs, items, survey};
use rhai::{Engine, NativeCallContext, Position, Variant};
use std::sync::{Arc, Mutex, PoisonError};

/// The builder shared by the compiler and every registered function.
type Shared = Arc<Mutex<Builder>>;

/// The declaration functions, as [`register`] registers them.
pub(super) const DECLARATIONS: [&str; 18] = [
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
    "metric",
    "state",
    "rollup",
    "consequence",
    "survey",
    "question",
];

/// Registers every declaration function rule scripts call.
pub(super) fn register(engine: &mut Engine, builder: &Shared) {
    declare(engine, builder, "ruleset", inputs::ruleset);
    declare_named(engine, builder, "field", inputs::field);
    declare(engine, builder, "unit", inputs::unit);
    declare_named(engine, builder, "category", items::category);
    declare_named(engine, builder, "indicator", items::indicator);
    declare_named(engine, builder, "bonus", items::bonus);
    declare_named(engine, builder, "cohort_indicator", items::cohort_indicator);
    declare_named(engine, builder, "veto", grading::veto);
    declare(engine, builder, "veto_policy", grading::veto_policy);
    declare_named(engine, builder, "prerequisite", grading::prerequisite);
    declare(engine, builder, "grades", grading::grades);
    declare(engine, builder, "ranking", grading::ranking);
    declare_named(engine, builder, "metric", inputs::metric);
    declare(engine, builder, "state", grading::state);
    declare_named(engine, builder, "rollup", grading::rollup);
    declare_named(engine, builder, "consequence", grading::consequence);
    declare(engine, builder, "survey", survey::survey);
    declare_named(engine, builder, "question", survey::question);
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
        read(
            &mut b.lock().unwrap_or_else(PoisonError::into_inner),
            ctx.call_position(),
            &value,
        );
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
        read(
            &mut b.lock().unwrap_or_else(PoisonError::into_inner),
            ctx.call_position(),
            id,
            &value,
        );
    });
}
