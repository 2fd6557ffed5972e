//! The JSON Schemas (draft 2020-12) of kaohe's machine formats (机器可读格式), generated from
//! the Rust types that write them: the result of `kaohe assess --format json` and the JS API
//! ([`result`], schema `kaohe-result`), a line of `--format jsonl` ([`unit()`], schema
//! `kaohe-unit`), a gap analysis ([`gap`], `kaohe-gap`) and a comparison ([`diff`],
//! `kaohe-diff`). `kaohe schema result|unit|gap|diff` prints them; `docs/schema/` holds them as
//! published, and the tests check both the files and real output of every bundled rule set
//! against them.
//!
//! Every object is closed (`additionalProperties: false`), so a field a writer adds without
//! the schema knowing fails the tests rather than passing unseen.

use schemars::generate::SchemaSettings;
use serde_json::Value;

/// The schema of a whole result (`kaohe-result`, [`crate::Report`]).
pub fn result() -> Value {
    of::<crate::result::Report>(crate::result::SCHEMA, "kaohe 考核结果 (result)")
}

/// The schema of one line of JSON Lines (`kaohe-unit`: what [`crate::UnitWriter::json_lines`] and [`crate::Report::write_json_lines`] write).
pub fn unit() -> Value {
    of::<crate::view::UnitView<'static>>(
        crate::view::UNIT_SCHEMA,
        "kaohe 单位结果 (one unit, JSON Lines)",
    )
}

/// The schema of a gap analysis (`kaohe-gap`, `kaohe gap --format json`).
pub fn gap() -> Value {
    of::<crate::change::GapReport>(crate::change::gap::SCHEMA, "kaohe 差距分析 (gap)")
}

/// The schema of a comparison of two runs (`kaohe-diff`, `kaohe diff --format json`).
pub fn diff() -> Value {
    of::<crate::change::DiffReport>(crate::change::diff::SCHEMA, "kaohe 对比 (diff)")
}

/// The draft 2020-12 schema of what `T` serialises to, named `name` and titled `title`.
fn of<T: schemars::JsonSchema>(name: &str, title: &str) -> Value {
    let schema = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>();
    finish(schema.to_value(), name, title)
}

/// The schema by name: `result`, `unit`, `gap` or `diff`.
pub fn named(name: &str) -> Option<Value> {
    match name {
        "result" => Some(result()),
        "unit" => Some(unit()),
        "gap" => Some(gap()),
        "diff" => Some(diff()),
        _ => None,
    }
}

/// The names [`named`] knows.
pub const NAMES: [&str; 4] = ["result", "unit", "gap", "diff"];

/// The root's title, its `schema` and `schema_version` as constants, and every object closed.
fn finish(mut schema: Value, name: &str, title: &str) -> Value {
    close(&mut schema);
    if let Some(root) = schema.as_object_mut() {
        // `$schema`, then the title, then the rest as generated.
        let rest = std::mem::take(root);
        if let Some(draft) = rest.get("$schema") {
            root.insert("$schema".into(), draft.clone());
        }
        root.insert("title".into(), Value::from(title));
        root.extend(
            rest.into_iter()
                .filter(|(k, _)| k != "$schema" && k != "title"),
        );
        if let Some(props) = root.get_mut("properties").and_then(Value::as_object_mut) {
            props.insert("schema".into(), serde_json::json!({ "const": name }));
            props.insert(
                "schema_version".into(),
                serde_json::json!({ "const": crate::result::SCHEMA_VERSION }),
            );
        }
    }
    schema
}

/// `additionalProperties: false` on every object schema with properties, at any depth; a
/// map's `additionalProperties` schema is kept.
fn close(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            for child in map.values_mut() {
                close(child);
            }
        }
        Value::Array(list) => list.iter_mut().for_each(close),
        _ => {}
    }
}
