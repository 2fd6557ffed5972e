#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod batch;
pub mod bundled;
pub mod cases;
pub mod change;
#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
#[doc(hidden)]
pub mod cli;
pub mod cohort;
pub mod collect;
pub mod compile;
pub mod data;
pub mod error;
pub mod eval;
pub mod explain;
mod figures;
pub mod import;
pub mod messages;
pub mod model;
pub mod output;
pub mod params;
pub mod previous;
pub mod provenance;
pub mod result;
pub mod sandbox;
mod shapes;
pub mod survey;
pub mod text;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use batch::UnitScore;
pub use cohort::Tally;
pub use compile::Rules;
pub use data::{Dataset, Format, Unit};
pub use error::{DataError, DataErrors, Error, EvalError, EvalErrors, RuleError, RuleErrors};
pub use previous::Previous;
pub use result::Report;

/// Compiles a rule set, reads data and scores it: the whole job in one call.
///
/// Data errors stop the run unless `keep_going` is set, in which case the good rows are
/// scored and the errors are returned beside the report.
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
        return Err(DataErrors(dataset.errors).into());
    }
    let mut report = rules.assess(&dataset.units, previous)?;
    report.data_errors.clone_from(&dataset.errors);
    Ok((report, dataset.errors))
}
