//! Data collection (数据收集): the rule set gives each unit its form, and the returned forms
//! merge into one checked dataset.
//!
//! - `uses`: which declarations read which field (for the header comments, and for a unit's
//!   own form, which leaves out what it is not assessed on).
//! - [`template`]: the form (填报表) — one row per unit, one column per field headed by its
//!   label, with Excel data validation, comments and a notes sheet — as an XLSX.
//! - [`merge`]: the returned files read with the data reader, every problem placed by file,
//!   sheet, row and column, units returned twice, missing or unexpected; the merged data and
//!   its 数据核对 sheet.
//!
//! A list of units (单位名单) is read as data with [`read_units`]: only the unit id must be
//! there; any other column the rule set declares is taken as it is given (a unit's kind, its
//! county).
//!
//! ```
//! let b = kaohe::bundled::default_set();
//! let rules = kaohe::Rules::compile(b.rules_path, b.rules).map_err(|e| e.to_string())?;
//! let list = kaohe::collect::read_units(&rules, "units.csv", "编码,名称\n330101,石桥镇\n".as_bytes());
//! let form = kaohe::collect::template::form(&rules, Some(&list.units), None).map_err(|e| e.to_string())?;
//! assert_eq!(form.rows.len(), 1);
//! # #[cfg(feature = "spreadsheets")]
//! let workbook = kaohe::collect::template::xlsx(&form).map_err(|e| e.to_string())?;
//! # Ok::<(), String>(())
//! ```

pub mod merge;
pub mod template;
pub(crate) mod uses;

use crate::compile::Rules;
use crate::data::{self, Dataset, Unit};
use crate::model::{FieldType, RuleSet};

/// The rule set as a list of units is read: every field but the unit id may be absent or
/// blank, and a blank stays blank (not the field's default, which the unit has not said).
pub(crate) fn listing_set(set: &RuleSet) -> RuleSet {
    let mut set = set.clone();
    set.survey = None;
    let id = set.id_field;
    for (i, f) in set.fields.iter_mut().enumerate() {
        f.required = i == id;
        f.default = None;
    }
    set
}

/// The rule set as a returned file's cells are read as written (as text), so that a row with
/// a bad cell can still be shown whole: every field text, any value, none required but the id.
pub(crate) fn raw_set(set: &RuleSet) -> RuleSet {
    let mut set = listing_set(set);
    for f in &mut set.fields {
        f.ty = FieldType::Text;
        f.one_of.clear();
        f.spellings = None;
    }
    set
}

/// Reads a list of units (单位名单): CSV, XLSX … or a form made from one (its first sheet holds
/// the units' codes and names). Every problem is a data error, as for data.
pub fn read_units(rules: &Rules, name: &str, bytes: &[u8]) -> Dataset {
    data::read(&listing_set(&rules.set), name, bytes)
}

/// The unit of a list whose id — or else name — is `code`.
pub(crate) fn find_unit<'u>(set: &RuleSet, units: &'u [Unit], code: &str) -> Option<&'u Unit> {
    let code = code.trim();
    let text = |u: &Unit, f: Option<usize>| f.and_then(|f| u.values.get(f)).map(|v| v.display());
    units
        .iter()
        .find(|u| text(u, Some(set.id_field)).as_deref() == Some(code))
        .or_else(|| {
            units
                .iter()
                .find(|u| text(u, set.name_field).as_deref() == Some(code))
        })
}
