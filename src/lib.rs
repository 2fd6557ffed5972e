#![doc = include_str!("../README.md")]
#![doc = include_str!("api.md")]
#![warn(missing_docs)]
#![warn(unnameable_types)]

// The engine's modules are private: what a user of the crate reads is the list below. The
// message catalogue, the readers' limits and the writers serve the command line too: a build
// without it (or without spreadsheets and respondents' files) leaves some of them unused.
mod batch;
mod cohort;
mod compile;
#[cfg_attr(
    not(all(feature = "cli", feature = "spreadsheets", not(target_arch = "wasm32"))),
    allow(dead_code)
)]
mod data;
mod declared;
mod error;
mod eval;
mod explain;
mod figures;
mod job;
#[cfg_attr(
    not(all(feature = "cli", not(target_arch = "wasm32"))),
    allow(dead_code)
)]
mod messages;
mod model;
#[cfg_attr(
    not(all(feature = "cli", not(target_arch = "wasm32"))),
    allow(dead_code)
)]
mod output;
mod previous;
mod sandbox;
mod shapes;
mod text;
mod view;
/// The JavaScript API: its types reach JavaScript through wasm-bindgen, not Rust users.
#[cfg(target_arch = "wasm32")]
#[allow(unnameable_types)]
mod wasm;
mod writer;

// The public namespaces, one per job beside scoring.
pub mod bundled;
pub mod cases;
pub mod change;
pub mod collect;
pub mod import;
pub mod params;
pub mod provenance;
pub mod result;
#[cfg(feature = "schema")]
pub mod schema;
#[cfg_attr(not(feature = "respondents"), allow(dead_code))]
pub mod survey;

/// The `kaohe` command line (the binary is `kaohe::cli::main` and an allocator). Not part of
/// the library's API: it may change in any release. Its doc comments are clap's help text.
#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
#[doc(hidden)]
#[allow(rustdoc::invalid_html_tags)]
pub mod cli;

// ── Compiling a rule set and scoring units ────────────────────────────────────────────────
pub use batch::UnitScore;
pub use cohort::Tally;
#[cfg(not(target_arch = "wasm32"))]
pub use compile::files_beside;
pub use compile::{FileLoader, Rules};
pub use declared::{FieldInfo, ItemInfo, VetoInfo};
/// Exact decimal points (分值), as every total, item and figure is given.
pub use rust_decimal::Decimal;
pub use sandbox::set_memory_probe;

// ── Reading data ──────────────────────────────────────────────────────────────────────────
pub use data::{Dataset, Format, Unit, UnitStream};
pub use model::{FieldType, ItemKind, Value};
pub use previous::Previous;

// ── Results and writing them ──────────────────────────────────────────────────────────────
pub use job::{Job, Output, Scored, Source, Streaming};
pub use result::Report;
pub use writer::UnitWriter;

// ── Errors and messages ───────────────────────────────────────────────────────────────────
pub use error::{
    DataError, DataErrors, Error, EvalError, EvalErrors, RuleError, RuleErrors, SourceLocation,
};
pub use messages::{ErrorKind, Lang, Message, Text};

/// Reads a data file into units by `rules`' fields: CSV, JSON, JSON Lines or (with the
/// `spreadsheets` feature) a workbook, told apart by `name` (its file name) and its first
/// bytes; the text encoding (UTF-8, UTF-16, GBK/GB18030) is found without being told.
///
/// Reading never stops at a bad cell: the good units are in [`Dataset::units`] and every
/// problem, with its row, column and unit, is in [`Dataset::errors`].
///
/// ```
/// let rules = kaohe::Rules::compile("t.rhai", r#"
///     ruleset(#{ id: "t", title: "示例", max: 10 });
///     field("code", #{ label: "编码", type: "text" });
///     field("n", #{ label: "次数", type: "int" });
///     unit(#{ id: "code" });
///     indicator("n", #{ label: "次数", max: 10, deduct: #{ count: "n", each: 1 } });
/// "#).map_err(|e| e.to_string())?;
/// let data = kaohe::read(&rules, "data.csv", "编码,次数\nA,六次\nB,5\n".as_bytes());
/// assert_eq!(data.units.len(), 1);
/// assert_eq!(data.errors[0].code(), "D0201"); // 六次 is not a whole number: row 2, column B
/// assert_eq!(data.errors[0].row(), 2);
/// # Ok::<(), String>(())
/// ```
pub fn read(rules: &Rules, name: &str, bytes: &[u8]) -> Dataset {
    data::read(&rules.set, name, bytes)
}

/// Reads CSV data (any of `,` `;` tab; UTF-8, UTF-16 or GBK/GB18030): see [`read`].
pub fn read_csv(rules: &Rules, bytes: &[u8]) -> Dataset {
    data::read_csv(&rules.set, bytes)
}

/// Reads JSON data: an array of objects keyed by field name or label, or an object whose
/// `units` is one. See [`read`].
pub fn read_json(rules: &Rules, bytes: &[u8]) -> Dataset {
    data::read_json(&rules.set, bytes)
}

/// Reads JSON Lines data: one object per line, keyed by field name or label. See [`read`].
pub fn read_json_lines(rules: &Rules, bytes: &[u8]) -> Dataset {
    data::read_json_lines(&rules.set, bytes)
}

/// Reads a workbook's data (XLSX, XLS, ODS): the first sheet that holds units, read cell by
/// cell within limits (a zip bomb or a stray far cell is refused, not read). Without the
/// `spreadsheets` feature, a workbook is one data error saying so. See [`read`].
pub fn read_spreadsheet(rules: &Rules, bytes: &[u8]) -> Dataset {
    data::read_spreadsheet(&rules.set, bytes)
}

/// Compiles a rule set, reads data and scores it: the whole job in one call.
///
/// Data errors stop the run unless `keep_going` is set, in which case the good rows are
/// scored and the errors are returned beside the report (and listed in its `data_errors`).
///
/// ```
/// let sample = kaohe::bundled::default_set();
/// let data = sample.data.unwrap_or_default();
/// let (report, errors) =
///     kaohe::assess(sample.rules_path, sample.rules, sample.data_path, data, None, false)
///         .map_err(|e| e.to_string())?;
/// assert!(errors.is_empty());
/// assert_eq!(report.units[0].rank, Some(1));
/// # Ok::<(), String>(())
/// ```
pub fn assess(
    rules_name: &str,
    rules_source: &str,
    data_name: &str,
    data: &[u8],
    previous: Option<&Previous>,
    keep_going: bool,
) -> Result<(Report, Vec<DataError>), Error> {
    let rules = Rules::compile(rules_name, rules_source)?;
    let dataset = data::read(&rules.set, data_name, data);
    if !dataset.errors.is_empty() && (!keep_going || dataset.units.is_empty()) {
        return Err(DataErrors {
            errors: dataset.errors,
            omitted: dataset.errors_omitted,
        }
        .into());
    }
    let mut report = rules.assess(&dataset.units, previous)?;
    report.data_errors.clone_from(&dataset.errors);
    Ok((report, dataset.errors))
}
