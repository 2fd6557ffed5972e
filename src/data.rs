//! Reading unit data (数据读取): CSV in UTF-8, UTF-16 or GBK/GB18030 detected without being
//! told, and JSON. Every bad cell is reported; good rows are kept.

use crate::compile::suggest;
use crate::error::DataError;
use crate::model::{Field, FieldType, RuleSet, Value};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::str::FromStr;

/// One unit's data, in the rule set's field order.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Row in the source: a CSV's spreadsheet row (header = 1), or a JSON array index + 1.
    pub row: usize,
    /// One value per declared field.
    pub values: Vec<Value>,
}

/// What reading a data file gave: the good units and every problem found.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Units whose every cell parsed.
    pub units: Vec<Unit>,
    /// Every problem, in file order.
    pub errors: Vec<DataError>,
    /// Columns no field reads.
    pub ignored_columns: Vec<String>,
    /// The text encoding found (`UTF-8`, `GB18030`, `UTF-16LE` …).
    pub encoding: String,
}

/// The data formats kaohe reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-, semicolon- or tab-separated values with a header row.
    Csv,
    /// A JSON array of objects, or `{"units": [...]}`.
    Json,
    /// A spreadsheet: XLSX, XLSM, XLS or ODS.
    Spreadsheet,
}

impl Format {
    /// Guesses the format from a file name, then from the first byte.
    pub fn detect(name: &str, bytes: &[u8]) -> Self {
        let lower = name.to_lowercase();
        if lower.ends_with(".json") {
            return Self::Json;
        }
        if [".xlsx", ".xlsm", ".xls", ".ods"]
            .iter()
            .any(|e| lower.ends_with(e))
            || bytes.starts_with(b"PK\x03\x04")
            || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
        {
            return Self::Spreadsheet;
        }
        if lower.ends_with(".csv") || lower.ends_with(".tsv") || lower.ends_with(".txt") {
            return Self::Csv;
        }
        let first = bytes
            .iter()
            .copied()
            .find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
        match first {
            Some(b'[' | b'{') => Self::Json,
            _ => Self::Csv,
        }
    }
}

/// Reads a file of either format.
pub fn read(set: &RuleSet, name: &str, bytes: &[u8]) -> Dataset {
    match Format::detect(name, bytes) {
        Format::Csv => read_csv(set, bytes),
        Format::Json => read_json(set, bytes),
        Format::Spreadsheet => read_spreadsheet(set, bytes),
    }
}

/// Decodes text as Excel and WPS save it: UTF-8 (with or without BOM), UTF-16 with BOM,
/// otherwise GB18030 (a superset of GBK and GB2312).
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), enc.name());
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), "UTF-8"),
        Err(_) => {
            let (text, _) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            (text.into_owned(), "GB18030")
        }
    }
}

/// Headers compare after trimming and folding full-width brackets and spaces.
fn normalize_header(h: &str) -> String {
    h.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            other => other,
        })
        .collect()
}

struct Columns {
    /// For each field, the column index that feeds it.
    field_col: Vec<Option<usize>>,
}

/// Maps header names to fields; reports missing and doubled columns.
fn match_headers(
    set: &RuleSet,
    headers: &[String],
    errors: &mut Vec<DataError>,
    ignored: &mut Vec<String>,
) -> Columns {
    let mut lookup: HashMap<String, usize> = HashMap::new();
    for (i, f) in set.fields.iter().enumerate() {
        for name in std::iter::once(&f.name)
            .chain(std::iter::once(&f.label))
            .chain(f.aliases.iter())
        {
            lookup.entry(normalize_header(name)).or_insert(i);
        }
    }
    let mut field_col: Vec<Option<usize>> = vec![None; set.fields.len()];
    for (c, h) in headers.iter().enumerate() {
        let key = normalize_header(h);
        if key.is_empty() {
            continue;
        }
        match lookup.get(&key) {
            Some(&fi) => {
                if let Some(prev) = field_col[fi] {
                    errors.push(DataError {
                        row: 1,
                        column: c + 1,
                        header: Some(h.clone()),
                        unit: None,
                        message: format!(
                            "column `{h}` is a second column for field `{}` (first: column {} `{}`)",
                            set.fields[fi].label,
                            prev + 1,
                            headers[prev]
                        ),
                        help: Some("keep one of the two columns".into()),
                    });
                } else {
                    field_col[fi] = Some(c);
                }
            }
            None => ignored.push(h.clone()),
        }
    }
    for (fi, f) in set.fields.iter().enumerate() {
        if field_col[fi].is_none() && f.required && f.default.is_none() {
            let mut accepted = vec![format!("`{}`", f.label)];
            accepted.extend(f.aliases.iter().map(|a| format!("`{a}`")));
            if f.name != f.label {
                accepted.push(format!("`{}`", f.name));
            }
            let near = suggest(&f.label, ignored.iter().map(String::as_str))
                .map(|s| format!("{s} rename that column to `{}`", f.label));
            errors.push(DataError {
                row: 1,
                column: 0,
                header: Some(f.label.clone()),
                unit: None,
                message: format!("missing required column `{}` (field `{}`)", f.label, f.name),
                help: Some(
                    near.unwrap_or_else(|| {
                        format!("add a column headed {}", accepted.join(" or "))
                    }),
                ),
            });
        }
    }
    Columns { field_col }
}

/// Parses one cell for a field. `Err` carries the help line, if any.
pub fn parse_cell(field: &Field, raw: &str) -> Result<Value, Option<String>> {
    let t: String = raw
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '－' => '-',
            '％' => '%',
            other => other,
        })
        .collect();
    if t.is_empty() {
        return Ok(field.default.clone().unwrap_or(Value::Missing));
    }
    match field.ty {
        FieldType::Text => Ok(Value::Text(raw.trim().to_string())),
        FieldType::Bool => match t.to_lowercase().as_str() {
            "是" | "有" | "true" | "yes" | "y" | "1" | "√" | "✓" => Ok(Value::Bool(true)),
            "否" | "无" | "false" | "no" | "n" | "0" | "×" | "✗" => Ok(Value::Bool(false)),
            _ => Err(None),
        },
        FieldType::Int => {
            let plain = t.replace(',', "");
            if let Ok(i) = plain.parse::<i64>() {
                return Ok(Value::Int(i));
            }
            match Decimal::from_str(&plain) {
                Ok(d) if d.fract().is_zero() => i64::try_from(d).map(Value::Int).map_err(|_| None),
                Ok(_) => Err(Some("this field counts whole things; round the value or declare the field as type \"number\"".into())),
                Err(_) if t.ends_with('%') => Err(Some("remove the `%`, or declare the field as type \"percent\"".into())),
                Err(_) => Err(None),
            }
        }
        FieldType::Number => number(&t).map(Value::Number).ok_or_else(|| {
            t.ends_with('%')
                .then(|| "remove the `%`, or declare the field as type \"percent\"".to_string())
        }),
        FieldType::Percent => {
            let body = t.strip_suffix('%').unwrap_or(&t);
            number(body).map(Value::Number).ok_or(None)
        }
    }
}

fn number(t: &str) -> Option<Decimal> {
    let plain = t.replace(',', "");
    Decimal::from_str(&plain)
        .ok()
        .or_else(|| Decimal::from_scientific(&plain).ok())
}

/// Checks one row's cells and, when all parse, adds the unit; every bad cell is an error.
struct RowReader<'a> {
    set: &'a RuleSet,
    seen: HashMap<String, usize>,
    out: Dataset,
}

impl<'a> RowReader<'a> {
    fn new(set: &'a RuleSet) -> Self {
        Self {
            set,
            seen: HashMap::new(),
            out: Dataset::default(),
        }
    }

    /// `cells[i]` is the raw text for field i (None: no such column) with its column number and header.
    fn row(&mut self, row: usize, cells: Vec<Option<(String, usize, String)>>) {
        let set = self.set;
        let id_text = cells[set.id_field]
            .as_ref()
            .map(|(s, _, _)| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let mut values = Vec::with_capacity(set.fields.len());
        let mut ok = true;
        for (f, cell) in set.fields.iter().zip(cells) {
            // A column that is absent altogether was reported once for the whole file.
            let absent = cell.is_none();
            let (raw, column, header) = cell.unwrap_or((String::new(), 0, f.label.clone()));
            let value = match parse_cell(f, &raw) {
                Ok(Value::Text(t)) if !f.one_of.is_empty() && !f.one_of.contains(&t) => {
                    ok = false;
                    let allowed: Vec<String> = f.one_of.iter().map(|v| format!("`{v}`")).collect();
                    self.out.errors.push(DataError {
                        row,
                        column,
                        header: Some(header),
                        unit: id_text.clone(),
                        message: format!("expected one of {}, found `{t}`", allowed.join(", ")),
                        help: crate::compile::suggest(&t, f.one_of.iter().map(String::as_str)),
                    });
                    continue;
                }
                Ok(v) => v,
                Err(help) => {
                    ok = false;
                    self.out.errors.push(DataError {
                        row,
                        column,
                        header: Some(header),
                        unit: id_text.clone(),
                        message: format!("expected {}, found `{}`", f.ty.expected(), raw.trim()),
                        help,
                    });
                    continue;
                }
            };
            if value == Value::Missing && f.required {
                ok = false;
                if absent {
                    values.push(value);
                    continue;
                }
                let is_id = values.len() == set.id_field;
                self.out.errors.push(DataError {
                    row,
                    column,
                    header: Some(header),
                    unit: id_text.clone(),
                    message: if is_id {
                        "the unit id is blank".to_string()
                    } else {
                        format!("the cell is blank but `{}` is required", f.label)
                    },
                    help: Some(
                        "fill in the cell, or give the field an `if_blank` value in the rule set"
                            .into(),
                    ),
                });
            }
            values.push(value);
        }
        if let Some(id) = &id_text {
            if let Some(first) = self.seen.get(id) {
                ok = false;
                self.out.errors.push(DataError {
                    row,
                    column: 0,
                    header: None,
                    unit: Some(id.clone()),
                    message: format!("unit id `{id}` appears twice (first in row {first})"),
                    help: Some(
                        "each unit must appear once: remove or merge one of the rows".into(),
                    ),
                });
            } else {
                self.seen.insert(id.clone(), row);
            }
        }
        if ok {
            self.out.units.push(crate::data::Unit { row, values });
        }
    }
}

/// Reads CSV bytes (any of the encodings `decode` knows).
pub fn read_csv(set: &RuleSet, bytes: &[u8]) -> Dataset {
    let (text, encoding) = decode(bytes);
    let mut reader = RowReader::new(set);
    reader.out.encoding = encoding.to_string();
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| first_line.matches(char::from(*d)).count())
        .unwrap_or(b',');
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let rows = csv.records().enumerate().map(|(i, rec)| {
        let row = i + 1;
        match rec {
            Ok(r) => (row, Ok(r.iter().map(ToString::to_string).collect())),
            Err(e) => (row, Err(e.to_string())),
        }
    });
    read_table(&mut reader, rows);
    reader.out
}

/// How many rows from the top may hold the header (below a title and notes).
const HEADER_SEARCH_ROWS: usize = 10;

/// One row of a table: its spreadsheet row number and its cells, or why it cannot be read.
type TableRow = (usize, Result<Vec<String>, String>);

/// Reads a table whose first non-blank row is the header (CSV and spreadsheets alike).
fn read_table(reader: &mut RowReader, rows: impl Iterator<Item = TableRow>) {
    let set = reader.set;
    let mut rows = rows.skip_while(|(_, r)| {
        r.as_ref()
            .is_ok_and(|cells| cells.iter().all(|c| c.trim().is_empty()))
    });
    // Spreadsheets often carry a title above the header: the header is the first of the
    // first rows that names the unit-id column; without one, the first non-blank row.
    let mut ahead: Vec<TableRow> = Vec::new();
    for row in rows.by_ref() {
        ahead.push(row);
        if ahead.len() == HEADER_SEARCH_ROWS {
            break;
        }
    }
    let id_field = &set.fields[set.id_field];
    let names_id = |cells: &Vec<String>| {
        cells.iter().any(|c| {
            let c = normalize_header(c);
            std::iter::once(&id_field.label)
                .chain(std::iter::once(&id_field.name))
                .chain(id_field.aliases.iter())
                .any(|n| normalize_header(n) == c)
        })
    };
    let skip = ahead
        .iter()
        .position(|(_, r)| r.as_ref().is_ok_and(names_id))
        .unwrap_or(0);
    let mut rows = ahead.into_iter().skip(skip).chain(rows);
    let (header_row, headers) = match rows.next() {
        Some((row, Ok(h))) => (row, h),
        Some((_, Err(e))) => {
            reader.out.errors.push(DataError::file(
                format!("the header row cannot be read: {e}"),
                None,
            ));
            return;
        }
        None => {
            reader
                .out
                .errors
                .push(DataError::file("the data file is empty", None));
            return;
        }
    };
    let mut ignored = Vec::new();
    let mut header_errors = Vec::new();
    let columns = match_headers(set, &headers, &mut header_errors, &mut ignored);
    for e in &mut header_errors {
        e.row = header_row;
    }
    reader.out.errors.extend(header_errors);
    reader.out.ignored_columns = ignored;
    if !reader.out.errors.is_empty() {
        return;
    }
    let mut any = false;
    for (row, rec) in rows {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                reader.out.errors.push(DataError {
                    row,
                    column: 0,
                    header: None,
                    unit: None,
                    message: format!("the row cannot be read: {e}"),
                    help: None,
                });
                continue;
            }
        };
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        any = true;
        let cells = columns
            .field_col
            .iter()
            .map(|c| {
                c.map(|c| {
                    (
                        rec.get(c).cloned().unwrap_or_default(),
                        c + 1,
                        headers[c].clone(),
                    )
                })
            })
            .collect();
        reader.row(row, cells);
    }
    if !any {
        reader.out.errors.push(DataError::file(
            "the data has a header row but no units",
            Some("add one row per unit below the header".into()),
        ));
    }
}

/// Reads the first sheet with data of a spreadsheet: XLSX, XLSM, XLS or ODS (as Excel and WPS
/// save them). Cells formatted as percentages in XLSX (stored as 0.965) read as 96.5.
pub fn read_spreadsheet(set: &RuleSet, bytes: &[u8]) -> Dataset {
    use calamine::{Data, Reader};
    let mut reader = RowReader::new(set);
    let cursor = std::io::Cursor::new(bytes.to_vec());
    let mut book = match calamine::open_workbook_auto_from_rs(cursor) {
        Ok(b) => b,
        Err(e) => {
            reader.out.errors.push(DataError::file(
                format!("the spreadsheet cannot be opened: {e}"),
                Some("save it again as .xlsx, or export the sheet as CSV".into()),
            ));
            return reader.out;
        }
    };
    reader.out.encoding = "spreadsheet".into();
    let names = book.sheet_names().to_vec();
    let mut found = None;
    for name in &names {
        if let Ok(range) = book.worksheet_range(name) {
            if range.used_cells().next().is_some() {
                found = Some((name.clone(), range));
                break;
            }
        }
    }
    let Some((sheet, range)) = found else {
        reader
            .out
            .errors
            .push(DataError::file("the data file is empty", None));
        return reader.out;
    };
    // Percent formats come from the XLSX styles; other formats keep the stored value.
    let styles = match &mut book {
        calamine::Sheets::Xlsx(x) => x.worksheet_style(&sheet).ok(),
        _ => None,
    };
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let is_percent = |row: u32, col: u32| {
        styles
            .as_ref()
            .and_then(|s| s.get((row, col)))
            .and_then(|st| st.number_format.as_ref())
            .is_some_and(|f| f.format_code.contains('%'))
    };
    let rows = range.rows().enumerate().map(|(i, cells)| {
        let abs_row = r0 + u32::try_from(i).unwrap_or(u32::MAX);
        let mut out: Vec<String> = vec![String::new(); usize::try_from(c0).unwrap_or(0)];
        for (j, cell) in cells.iter().enumerate() {
            let col = c0 + u32::try_from(j).unwrap_or(u32::MAX);
            let text = match cell {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                Data::Int(i) => i.to_string(),
                Data::Float(f) => {
                    // The shortest text that reads back as the same double: 89.95, not 89.9499…
                    let shown = f.to_string();
                    if is_percent(abs_row, col) {
                        Decimal::from_str(&shown)
                            .ok()
                            .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED))
                            .map_or(shown, |d| d.normalize().to_string())
                    } else {
                        shown
                    }
                }
                Data::Bool(b) => b.to_string(),
                Data::Error(e) => format!("#{e:?}"),
                other => other.to_string(),
            };
            out.push(text);
        }
        (
            usize::try_from(abs_row)
                .unwrap_or(usize::MAX)
                .saturating_add(1),
            Ok(out),
        )
    });
    read_table(&mut reader, rows);
    reader.out
}

/// Reads JSON: an array of objects keyed by field name or header, or `{"units": [...]}`.
pub fn read_json(set: &RuleSet, bytes: &[u8]) -> Dataset {
    let (text, encoding) = decode(bytes);
    let mut reader = RowReader::new(set);
    reader.out.encoding = encoding.to_string();
    if text.trim().is_empty() {
        reader
            .out
            .errors
            .push(DataError::file("the data file is empty", None));
        return reader.out;
    }
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            reader.out.errors.push(DataError::file(
                format!(
                    "not valid JSON at line {} column {}: {e}",
                    e.line(),
                    e.column()
                ),
                None,
            ));
            return reader.out;
        }
    };
    let list = match value {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(mut o) => match o.remove("units") {
            Some(serde_json::Value::Array(a)) => a,
            _ => {
                reader.out.errors.push(DataError::file(
                    "expected an array of units",
                    Some("write `[{\"单位编码\": \"101\", …}, …]` or `{\"units\": [...]}`".into()),
                ));
                return reader.out;
            }
        },
        _ => {
            reader.out.errors.push(DataError::file(
                "expected an array of units",
                Some("write `[{\"单位编码\": \"101\", …}, …]`".into()),
            ));
            return reader.out;
        }
    };
    if list.is_empty() {
        reader
            .out
            .errors
            .push(DataError::file("the data holds no units", None));
        return reader.out;
    }
    let mut ignored: Vec<String> = Vec::new();
    for (i, item) in list.into_iter().enumerate() {
        let row = i + 1;
        let serde_json::Value::Object(obj) = item else {
            reader.out.errors.push(DataError {
                row,
                column: 0,
                header: None,
                unit: None,
                message: "expected an object with the unit's fields".into(),
                help: None,
            });
            continue;
        };
        let keys: Vec<String> = obj.keys().cloned().collect();
        let mut errs = Vec::new();
        let mut ign = Vec::new();
        let columns = match_headers(set, &keys, &mut errs, &mut ign);
        for k in ign {
            if !ignored.contains(&k) {
                ignored.push(k);
            }
        }
        for mut e in errs {
            e.row = row;
            e.column = 0;
            e.message = e.message.replace("column", "key");
            e.help = e.help.map(|h| h.replace("column", "key"));
            reader.out.errors.push(e);
        }
        let cells = columns
            .field_col
            .iter()
            .map(|c| {
                c.map(|c| {
                    let text = match &obj[&keys[c]] {
                        serde_json::Value::Null => String::new(),
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Bool(b) => b.to_string(),
                        other => other.to_string(),
                    };
                    (text, 0, keys[c].clone())
                })
            })
            .collect();
        reader.row(row, cells);
    }
    reader.out.ignored_columns = ignored;
    reader.out
}
