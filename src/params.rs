//! A run's parameter values (本次参数): this year's benchmark or the city's target, given beside
//! the rule set rather than edited into it — on the command line (`--param ID=VALUE`), in a small
//! side file (参数表: CSV, a workbook or JSON; `--params FILE`) or by the browser's 参数 panel.
//!
//! A side file names each parameter by its id or by its label, as an evaluator would write it:
//!
//! ```text
//! 参数,取值
//! 上年度全省平均破案率,86.2
//! city_target,92
//! ```
//!
//! or `{"prov_mean": 86.2}`. Every bad row is reported (the row, the column by its header and
//! letter, what was expected and the ids meant), and nothing is applied unless all are good.

use crate::compile::Rules;
use crate::error::DataError;
use crate::messages::data as msg;
use crate::model::RuleSet;
use rust_decimal::Decimal;

/// One parameter's value for a run: which parameter (by its place among the rule set's
/// `param(…)` declarations) and its value; [`crate::Rules::set_params`] uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamValue {
    /// Index into the rule set's parameters.
    pub index: usize,
    /// The value to use.
    pub value: Decimal,
}

/// The largest parameter table read: a few dozen rows is usual.
pub const MAX_BYTES: usize = 1 << 20;

/// The error of a table larger than [`MAX_BYTES`], for a caller that knows the size before
/// reading it.
pub(crate) fn too_large() -> DataError {
    DataError::file(msg::params_too_large(MAX_BYTES))
}

/// The parameter `key` names: by id first, then by label (both trimmed).
pub(crate) fn find(set: &RuleSet, key: &str) -> Option<usize> {
    let key = key.trim();
    set.params
        .iter()
        .position(|p| &*p.id == key)
        .or_else(|| set.params.iter().position(|p| p.label.trim() == key))
}

/// A number as a parameter's value: `86.2`, `86.2%`, full-width digits, thousands commas.
fn value_of(text: &str) -> Option<Decimal> {
    let t: String = crate::import::patterns::normalize(text);
    let t = t.trim().trim_end_matches('%').trim().replace(',', "");
    Decimal::from_str_exact(&t).ok()
}

/// One given pair `(key, value text)` checked against the rule set, at `row` (0 for none) and
/// the columns `(key, value)` with their headers.
struct Place<'a> {
    row: usize,
    key_col: (usize, Option<&'a str>),
    value_col: (usize, Option<&'a str>),
}

fn check(
    set: &RuleSet,
    key: &str,
    value: &str,
    at: &Place,
    seen: &mut Vec<(usize, usize, Decimal)>,
    errors: &mut Vec<DataError>,
) -> Option<ParamValue> {
    let header = |h: Option<&str>| h.map(str::to_string);
    let Some(index) = find(set, key) else {
        let known: Vec<&str> = set.params.iter().map(|p| &*p.id).collect();
        let near = crate::messages::closest(
            key.trim(),
            set.params
                .iter()
                .flat_map(|p| [&*p.id, p.label.trim()])
                .collect::<Vec<_>>()
                .into_iter(),
        );
        errors.push(DataError::at(
            at.row,
            at.key_col.0,
            header(at.key_col.1),
            msg::param_unknown(key.trim(), near, &known),
        ));
        return None;
    };
    let param = &set.params[index];
    let Some(value) = value_of(value) else {
        errors.push(DataError::at(
            at.row,
            at.value_col.0,
            header(at.value_col.1),
            msg::param_not_number(&param.label, value.trim()),
        ));
        return None;
    };
    if let Some((first, _, before)) = seen.iter().find(|(_, i, _)| *i == index) {
        if *before != value {
            errors.push(DataError::at(
                at.row,
                at.value_col.0,
                header(at.value_col.1),
                msg::param_twice(&param.label, *first),
            ));
        }
        return None;
    }
    seen.push((at.row, index, value));
    Some(ParamValue { index, value })
}

/// Reads a parameter table for `rules`: a JSON object, or rows of a CSV or workbook — the id or
/// label in one column and the value in the next (by headers such as 参数/取值 or id/value, else
/// the first two columns; a first row whose value is not a number is a header). Every error
/// in the file is returned, and no values unless there is none.
///
/// ```
/// let mut rules = kaohe::Rules::compile("t.rhai", r#"
///     ruleset(#{ id: "t", title: "示例", max: 10 });
///     param("target", #{ label: "目标值", value: 90 });
///     field("code", #{ label: "编码", type: "text" });
///     field("n", #{ label: "次数", type: "int" });
///     unit(#{ id: "code" });
///     indicator("n", #{ label: "次数", max: 10, deduct: #{ count: "n", each: 1 } });
/// "#).map_err(|e| e.to_string())?;
/// let values = kaohe::params::read(&rules, "参数.csv", "参数,取值\n目标值,95\n".as_bytes())
///     .map_err(|e| format!("{e:?}"))?;
/// rules.set_params(&values);
/// assert_eq!(kaohe::params::parse_pair(&rules, "target=95"), values.first().copied());
/// # Ok::<(), String>(())
/// ```
pub fn read(rules: &Rules, name: &str, bytes: &[u8]) -> Result<Vec<ParamValue>, Vec<DataError>> {
    let set = &rules.set;
    if bytes.len() > MAX_BYTES {
        return Err(vec![too_large()]);
    }
    let mut errors = Vec::new();
    let mut seen = Vec::new();
    let mut out = Vec::new();
    let head = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace() && **b != 0xEF && **b != 0xBB && **b != 0xBF);
    if head == Some(&b'{') {
        let (text, _) = crate::data::decode(bytes);
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)
            .map_err(|e| vec![DataError::file(msg::params_unreadable(&e.to_string()))])?;
        for (key, v) in &map {
            let value = match v {
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let at = Place {
                row: 0,
                key_col: (0, Some(key)),
                value_col: (0, Some(key)),
            };
            out.extend(check(set, key, &value, &at, &mut seen, &mut errors));
        }
    } else {
        use crate::data::RowsError;
        let rows = crate::data::plain_rows(name, bytes).map_err(|e| {
            let m = match e {
                RowsError::Unsupported => msg::params_unsupported(name),
                RowsError::Unreadable(why) => why,
                RowsError::Csv { line, why } => msg::params_bad_line(line, &why),
            };
            vec![DataError::file(m)]
        })?;
        let rows: Vec<(usize, Vec<String>)> = rows
            .into_iter()
            .map(|(r, cells)| {
                (
                    r,
                    cells
                        .iter()
                        .map(|c| c.trim().to_string())
                        .collect::<Vec<String>>(),
                )
            })
            .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
            .collect();
        let (columns, headers, body) = layout(&rows, |k| find(set, k).is_some());
        for (row, cells) in body {
            let cell = |c: usize| cells.get(c).map_or("", String::as_str);
            let at = Place {
                row: *row,
                key_col: (columns.0 + 1, headers.0),
                value_col: (columns.1 + 1, headers.1),
            };
            out.extend(check(
                set,
                cell(columns.0),
                cell(columns.1),
                &at,
                &mut seen,
                &mut errors,
            ));
        }
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(DataError::file(msg::params_empty()));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

type Layout<'r> = (
    (usize, usize),
    (Option<&'r str>, Option<&'r str>),
    &'r [(usize, Vec<String>)],
);

/// Which columns hold the key and the value, their headers, and the rows after any header. A
/// first row that names a parameter (`declared`) is a row, whatever its value.
fn layout(rows: &[(usize, Vec<String>)], declared: impl Fn(&str) -> bool) -> Layout<'_> {
    let Some((_, first)) = rows.first() else {
        return ((0, 1), (None, None), rows);
    };
    let is = |h: &str, words: &[&str]| words.iter().any(|w| h.eq_ignore_ascii_case(w));
    const KEYS: &[&str] = &["参数", "参数id", "参数名称", "名称", "id", "param", "name"];
    const VALUES: &[&str] = &["取值", "数值", "值", "参数值", "value"];
    let key = first.iter().position(|h| is(h, KEYS));
    let value = first.iter().position(|h| is(h, VALUES));
    let names_one = first.first().is_some_and(|k| declared(k));
    let header_row = !names_one
        && (key.is_some()
            || value.is_some()
            || first
                .get(1)
                .is_some_and(|v| !v.is_empty() && value_of(v).is_none()));
    let columns = match (key, value) {
        (Some(k), Some(v)) => (k, v),
        (Some(k), None) => (k, k + 1),
        (None, Some(0)) => (1, 0),
        (None, Some(v)) => (v - 1, v),
        (None, None) => (0, 1),
    };
    if header_row {
        let h = |c: usize| first.get(c).map(String::as_str).filter(|h| !h.is_empty());
        (columns, (h(columns.0), h(columns.1)), &rows[1..])
    } else {
        (columns, (None, None), rows)
    }
}

/// Parses `ID=VALUE` (a command line's `--param`) against `rules`: the parameter named by id
/// or label, and its value (`86.2`, `86.2%`, full-width digits).
pub fn parse_pair(rules: &Rules, given: &str) -> Option<ParamValue> {
    let (key, value) = given.split_once('=')?;
    Some(ParamValue {
        index: find(&rules.set, key)?,
        value: value_of(value)?,
    })
}
