//! A decision table kept in a workbook beside the rule file (规则附表): `table: #{ file:
//! "tables.xlsx", sheet: "综合评定", hit: "unique" }`. Rubric owners keep such tables in Excel;
//! the rule set names the sheet instead of copying it.
//!
//! The sheet's first row names the inputs — a field, metric or parameter by id or label, one per
//! column — then the points column (分值, 得分, 计分 or points; else the last column); columns
//! after it (说明) are not read. Each row below is a row of the table:
//!
//! ```text
//! 群众安全感 | 刑事案件立案数 | 分值
//! ≥95        | ≤2             | 10
//! ≥90        | -              | 6
//! <90        | -              | 0
//! ```
//!
//! A cell is blank, `-` or 不限 (any value), a number (equals), 是/否 (1/0), or bounds joined by
//! `,` or 且: `>=90, <95`, `≥90`, `不低于90`, `低于95`, `95以上` (含), `2以下` (含). With `inputs`
//! in the script the header only labels the columns, which must be as many. Every bad cell is a
//! rule error at the file's row and column, with the cell's reference (B3) and the sheet.

use crate::compile::locate::Token;
use crate::compile::spec::Spec;
use crate::messages::rules;
use crate::model::{Bound, Measure};
use rhai::Map;
use rust_decimal::Decimal;

/// Where a table's rows come from, for its reasons and errors: the file, its sheet, and each
/// row's number in the sheet.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The file, as the script names it.
    pub file: String,
    /// The sheet (empty for a CSV).
    pub sheet: String,
    /// The sheet row of each table row.
    pub rows: Vec<usize>,
    /// The points column (1-based).
    pub points_column: usize,
}

impl Origin {
    /// The table in words: 附表“x.xlsx”工作表“综合评定”.
    pub fn words(&self) -> String {
        if self.sheet.is_empty() {
            format!("附表“{}”", self.file)
        } else {
            format!("附表“{}”工作表“{}”", self.file, self.sheet)
        }
    }
}

/// The rows read from a sheet: the inputs (from the header, unless the script gives them), the
/// rows (cells' bounds and points) and where they come from. `None` after reporting errors.
pub(super) type Read = (Vec<Measure>, Vec<(Vec<Vec<Bound>>, Decimal)>, Origin);

/// Reads the table `m` names (`file`, `sheet`), with the script's `inputs` if it gives them.
pub(super) fn read(s: &mut Spec, m: &Map, inputs: Option<Vec<Measure>>) -> Option<Read> {
    let text = |k: &str| m.get(k).and_then(|d| d.clone().into_string().ok());
    let Some(file) = text("file").filter(|f| !f.trim().is_empty()) else {
        s.err_at(Token::Key("table"), rules::table_file_key());
        return None;
    };
    if m.contains_key("rows") {
        s.err_at(Token::Key("rows"), rules::table_rows_and_file());
        return None;
    }
    let sheet = text("sheet");
    // The same paths everywhere (CLI and browser): relative, inside the rule file's folder.
    let outside = file.starts_with(['/', '\\'])
        || file.contains(':')
        || file.split(['/', '\\']).any(|part| part == "..");
    if outside {
        s.err_at(Token::Text(&file), rules::table_file_outside(&file));
        return None;
    }
    let Some(bytes) = s.load_file(&file) else {
        s.err_at(Token::Text(&file), rules::table_file_missing(&file));
        return None;
    };
    let rows = match sheet_rows(&file, sheet.as_deref(), &bytes) {
        Ok(rows) => rows,
        Err(m) => {
            s.err_at(Token::Text(&file), m);
            return None;
        }
    };
    let sheet = sheet.unwrap_or_default();
    let place = |row: usize, col: usize| rules::sheet_cell(&sheet, row, col);
    let mut rows = rows
        .into_iter()
        .map(|(r, cells)| (r, cells.iter().map(|c| c.trim().to_string()).collect()))
        .filter(|(_, cells): &(usize, Vec<String>)| cells.iter().any(|c| !c.is_empty()));
    let Some((head_row, header)) = rows.next() else {
        s.err_at(Token::Text(&file), rules::table_sheet_empty(&file, &sheet));
        return None;
    };
    let named = |h: &str| ["分值", "得分", "计分", "分数", "points"].contains(&h);
    let points_col = header
        .iter()
        .position(|h| named(h))
        .or_else(|| header.iter().rposition(|h| !h.is_empty()))
        .unwrap_or(0);
    if points_col == 0 {
        let m = rules::in_sheet(place(head_row, 1), rules::table_sheet_no_inputs());
        s.err_in(&file, head_row, 1, m);
        return None;
    }
    let mut ok = true;
    let inputs = match inputs {
        Some(given) if given.len() != points_col => {
            let m = rules::table_sheet_columns(given.len(), points_col);
            s.err_in(&file, head_row, 1, rules::in_sheet(place(head_row, 1), m));
            return None;
        }
        Some(given) => given,
        None => {
            let mut out = Vec::new();
            for (c, h) in header[..points_col].iter().enumerate() {
                match s.value_named(h) {
                    Ok(m) => out.push(m),
                    Err(near) => {
                        let m = rules::table_sheet_header(h, near.as_deref());
                        s.err_in(
                            &file,
                            head_row,
                            c + 1,
                            rules::in_sheet(place(head_row, c + 1), m),
                        );
                        ok = false;
                    }
                }
            }
            out
        }
    };
    let mut table = Vec::new();
    let mut numbers = Vec::new();
    for (r, cells) in rows {
        let cell = |c: usize| cells.get(c).map_or("", String::as_str);
        let mut conds = Vec::new();
        for c in 0..points_col {
            match bounds_of(cell(c)) {
                Some(b) => conds.push(b),
                None => {
                    let m = rules::table_sheet_cell(cell(c));
                    s.err_in(&file, r, c + 1, rules::in_sheet(place(r, c + 1), m));
                    ok = false;
                }
            }
        }
        match number(cell(points_col)) {
            Some(p) if conds.len() == points_col => {
                table.push((conds, p));
                numbers.push(r);
            }
            Some(_) => {}
            None => {
                let m = rules::table_sheet_points(cell(points_col));
                let at = place(r, points_col + 1);
                s.err_in(&file, r, points_col + 1, rules::in_sheet(at, m));
                ok = false;
            }
        }
    }
    if table.is_empty() && ok {
        s.err_at(Token::Text(&file), rules::table_sheet_empty(&file, &sheet));
        return None;
    }
    ok.then(|| {
        let origin = Origin {
            file,
            sheet,
            rows: numbers,
            points_column: points_col + 1,
        };
        (inputs, table, origin)
    })
}

/// The rows of the sheet (or the first sheet with data; a CSV's rows), or why not.
fn sheet_rows(
    file: &str,
    sheet: Option<&str>,
    bytes: &[u8],
) -> Result<Vec<(usize, Vec<String>)>, crate::messages::Message> {
    use crate::data::RowsError;
    let csv = file.to_ascii_lowercase().ends_with(".csv");
    if let (Some(name), false) = (sheet, csv) {
        return named(file, bytes, name);
    }
    crate::data::plain_rows(file, bytes).map_err(|e| match e {
        RowsError::Unsupported => rules::table_file_unsupported(file),
        RowsError::Unreadable(why) => rules::table_file_unreadable(file, &why),
        RowsError::Csv { line, why } => rules::table_file_unreadable(
            file,
            &crate::messages::Message::new("D0305", format!("第 {line} 行：{why}"), why.clone()),
        ),
    })
}

#[cfg(feature = "spreadsheets")]
fn named(
    file: &str,
    bytes: &[u8],
    sheet: &str,
) -> Result<Vec<(usize, Vec<String>)>, crate::messages::Message> {
    use crate::data::NamedSheetError;
    crate::data::named_sheet_rows(bytes, sheet).map_err(|e| match e {
        NamedSheetError::Unreadable(why) => rules::table_file_unreadable(file, &why),
        NamedSheetError::NoSuchSheet(names) => rules::table_sheet_missing(sheet, &names),
    })
}

#[cfg(not(feature = "spreadsheets"))]
fn named(
    file: &str,
    _bytes: &[u8],
    _sheet: &str,
) -> Result<Vec<(usize, Vec<String>)>, crate::messages::Message> {
    Err(rules::table_file_unreadable(
        file,
        &crate::messages::data::no_spreadsheets(),
    ))
}

/// A number as a sheet writes it: `10`, `2.5`, `95%`, full-width digits, `10分`.
fn number(text: &str) -> Option<Decimal> {
    let t: String = crate::import::patterns::normalize(text);
    let t = t.trim().trim_end_matches('分').trim_end_matches('%').trim();
    Decimal::from_str_exact(t).ok().map(|d| d.normalize())
}

/// A cell's bounds: empty for any value; `None` when it is not written in the table's grammar.
pub(crate) fn bounds_of(text: &str) -> Option<Vec<Bound>> {
    let t = text.trim();
    if ["", "-", "—", "－", "不限", "任意", "*"].contains(&t) {
        return Some(Vec::new());
    }
    match t {
        "是" | "true" | "TRUE" => return Some(vec![Bound::Equals(Decimal::ONE)]),
        "否" | "false" | "FALSE" => return Some(vec![Bound::Equals(Decimal::ZERO)]),
        _ => {}
    }
    let parts: Vec<&str> = t.split([',', '，', '且', ';', '；', '、']).collect();
    // "≥1,000": a part without an operator after the first is a thousands group, not a bound.
    if parts.len() > 1 && parts[1..].iter().any(|p| number(p).is_some()) {
        let whole: String = t.chars().filter(|c| *c != ',' && *c != '，').collect();
        return bound_of(whole.trim()).map(|b| vec![b]);
    }
    parts.iter().map(|part| bound_of(part.trim())).collect()
}

/// Words for a bound and how it is made.
type Words = &'static [(&'static str, fn(Decimal) -> Bound)];

/// One bound: an operator before the number, or 以上/以下 after it, or a plain number.
fn bound_of(part: &str) -> Option<Bound> {
    const BEFORE: Words = &[
        (">=", Bound::AtLeast),
        ("=>", Bound::AtLeast),
        ("≥", Bound::AtLeast),
        ("<=", Bound::AtMost),
        ("=<", Bound::AtMost),
        ("≤", Bound::AtMost),
        (">", Bound::Above),
        ("<", Bound::Below),
        ("=", Bound::Equals),
        ("不低于", Bound::AtLeast),
        ("不少于", Bound::AtLeast),
        ("不高于", Bound::AtMost),
        ("不超过", Bound::AtMost),
        ("不多于", Bound::AtMost),
        ("低于", Bound::Below),
        ("少于", Bound::Below),
        ("高于", Bound::Above),
        ("超过", Bound::Above),
        ("多于", Bound::Above),
    ];
    const AFTER: Words = &[
        ("及以上", Bound::AtLeast),
        ("以上", Bound::AtLeast),
        ("及以下", Bound::AtMost),
        ("以下", Bound::AtMost),
    ];
    for (op, make) in BEFORE {
        if let Some(rest) = part.strip_prefix(op) {
            return number(rest).map(make);
        }
    }
    for (op, make) in AFTER {
        if let Some(rest) = part.strip_suffix(op) {
            return number(rest).map(make);
        }
    }
    number(part).map(Bound::Equals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_a_person_writes_them() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap_or_default();
        assert_eq!(bounds_of(" - "), Some(vec![]));
        assert_eq!(bounds_of("不限"), Some(vec![]));
        assert_eq!(bounds_of("是"), Some(vec![Bound::Equals(d("1"))]));
        assert_eq!(bounds_of("≥95"), Some(vec![Bound::AtLeast(d("95"))]));
        assert_eq!(
            bounds_of(">=90, <95%"),
            Some(vec![Bound::AtLeast(d("90")), Bound::Below(d("95"))])
        );
        assert_eq!(bounds_of("95以上"), Some(vec![Bound::AtLeast(d("95"))]));
        assert_eq!(bounds_of("2及以下"), Some(vec![Bound::AtMost(d("2"))]));
        assert_eq!(bounds_of("低于９０"), Some(vec![Bound::Below(d("90"))]));
        assert_eq!(bounds_of("3"), Some(vec![Bound::Equals(d("3"))]));
        assert_eq!(bounds_of("很多"), None);
        assert_eq!(bounds_of(">=90且"), None);
        assert_eq!(bounds_of("≥1,000"), Some(vec![Bound::AtLeast(d("1000"))]));
        assert_eq!(bounds_of("5,000"), Some(vec![Bound::Equals(d("5000"))]));
    }
}
