//! Merging the returned forms (合并返回的填报表): every file read with the data reader — the
//! header found below a title, headers by label or alias, CSV in any encoding, every sheet of
//! a workbook that holds units — and every problem placed by file, sheet, row and column
//! letter, with its fix: a bad cell (a data error), a unit returned twice with different values
//! (both shown, neither scored) or with the same values (kept once), units in another sheet,
//! and with a list of units, the units that returned nothing and those nobody expected.
//!
//! The merged data holds every row returned: good cells as values (`有` → 是, `1,234` → 1234),
//! bad cells as written and marked, so that the merged file can be corrected in one place and
//! scored; [`Merged::units`] are the units ready to score now.

use crate::compile::Rules;
use crate::data::{self, Dataset, Format, Unit};
use crate::error::DataError;
use crate::messages::collect::{self as msg, merge_words as words, Differs};
use crate::messages::{Lang, Message};
use crate::model::{RuleSet, Value};
use std::collections::HashMap;

/// How much a problem matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The data is wrong or incomplete: the row or unit is not scored until it is fixed.
    Error,
    /// Worth a look; nothing was left out for it.
    Note,
}

/// One problem found by a merge.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Problem {
    /// How much it matters.
    pub level: Level,
    /// The returned file it is in; `None` for a unit that returned nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The sheet, for a workbook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// What is wrong, where in the file (row, column letter and header, unit) and the fix.
    pub error: DataError,
    /// The row of the merged data that holds the cell or unit (the header is row 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_row: Option<usize>,
}

impl Problem {
    /// The problem as the CLI prints it, in `lang`: the file and sheet, then the data error.
    pub fn render(&self, lang: Lang) -> String {
        let error = match self.level {
            Level::Error => self.error.render(lang),
            Level::Note => self.error.render_note(lang),
        };
        match &self.file {
            Some(f) => {
                let place = msg::in_file(f, self.sheet.as_deref());
                format!("{}{}{error}", place.get(lang), lang.words().colon)
            }
            None => error,
        }
    }
}

/// One row of the merged data.
#[derive(Debug, Clone)]
pub struct Row {
    /// The returned file, by index into [`Merged::files`].
    pub file: usize,
    /// The sheet, for a workbook.
    pub sheet: Option<String>,
    /// The row in that sheet or file.
    pub row: usize,
    /// Each field's cell as written (blank: `""`).
    pub raw: Vec<String>,
    /// Each field's value, when its cell is good.
    pub values: Vec<Option<Value>>,
    /// Whether each field's cell has a problem (marked in the merged data).
    pub marked: Vec<bool>,
    /// Each field's 1-based column in its sheet, 0 when the sheet has none.
    pub columns: Vec<usize>,
    /// Whether every cell of the row is good.
    pub good: bool,
    /// Whether it is scored: good, and not one of two returns of the same unit that differ.
    pub scored: bool,
    /// Whether it is written to the merged data: all but a repeated identical return.
    pub kept: bool,
}

/// A returned file as the merge saw it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileSummary {
    /// Its name.
    pub name: String,
    /// Rows with a unit read from it.
    pub units: usize,
    /// Errors found in it (listed or only counted), its units' included (returned twice,
    /// not in the list).
    pub errors: usize,
    /// Notes about it.
    pub notes: usize,
    /// Errors counted and not listed (a file of many bad rows).
    #[serde(skip)]
    omitted: usize,
}

/// What a merge gives.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    /// The returned files, in the order given.
    pub files: Vec<FileSummary>,
    /// Every row returned, in file order.
    pub rows: Vec<Row>,
    /// Every problem: each file's in file order, then units returned twice, then units that
    /// returned nothing.
    pub problems: Vec<Problem>,
}

/// Merges returned files (`(name, bytes)`) for a rule set; `expected` is the list of units
/// (read with [`super::read_units`]), when there is one.
pub fn merge(rules: &Rules, files: &[(String, Vec<u8>)], expected: Option<&[Unit]>) -> Merged {
    let set = &rules.set;
    let raw_set = super::raw_set(set);
    let lookup = header_lookup(set);
    let mut m = Merged::default();
    // Problems with the row (index into m.rows) they are about.
    let mut found: Vec<(Problem, Option<usize>)> = Vec::new();
    for (fi, (name, bytes)) in files.iter().enumerate() {
        let sheets = read_return(set, &raw_set, name, bytes);
        let first = sheets.first().and_then(|s| s.0.clone());
        let mut summary = FileSummary {
            name: name.clone(),
            units: 0,
            errors: 0,
            notes: 0,
            omitted: 0,
        };
        for (si, (sheet, strict, raw)) in sheets.into_iter().enumerate() {
            let start = m.rows.len();
            let problem = |error: DataError, level: Level| Problem {
                level,
                file: Some(name.clone()),
                sheet: sheet.clone(),
                error,
                merged_row: None,
            };
            let rows = rows_of(set, &lookup, fi, &sheet, &strict, &raw);
            summary.units += rows.len();
            if si > 0 && !rows.is_empty() {
                let first = first.as_deref().unwrap_or_default();
                let n =
                    msg::in_another_sheet(sheet.as_deref().unwrap_or_default(), first, rows.len());
                found.push((problem(DataError::at(0, 0, None, n), Level::Note), None));
            }
            m.rows.extend(rows);
            for at in start..m.rows.len() {
                for (e, level) in written_otherwise(set, &m.rows[at]) {
                    found.push((problem(e, level), Some(at)));
                }
            }
            for e in strict.errors {
                let at = (e.row > 0)
                    .then(|| (start..m.rows.len()).find(|&r| m.rows[r].row == e.row))
                    .flatten();
                found.push((problem(e, Level::Error), at));
            }
            if strict.errors_omitted > 0 {
                let more = crate::messages::data::more_not_shown(
                    strict.errors_omitted,
                    data::MAX_ERRORS_PER_COLUMN,
                    data::MAX_ERRORS,
                );
                found.push((problem(DataError::at(0, 0, None, more), Level::Note), None));
                summary.omitted += strict.errors_omitted;
            }
        }
        m.files.push(summary);
    }
    twice(set, &mut m, &mut found);
    if let Some(list) = expected {
        against_list(set, list, &mut m, &mut found);
    }
    // Rows of the merged data, the header being row 1.
    let mut merged_row = vec![None; m.rows.len()];
    let mut next = 2;
    for (i, r) in m.rows.iter().enumerate() {
        if r.kept {
            merged_row[i] = Some(next);
            next += 1;
        }
    }
    m.problems = found
        .into_iter()
        .map(|(mut p, at)| {
            p.merged_row = at.and_then(|i| merged_row[i]);
            p
        })
        .collect();
    for f in &mut m.files {
        let of = |level| {
            m.problems
                .iter()
                .filter(|p| p.level == level && p.file.as_deref() == Some(f.name.as_str()))
                .count()
        };
        f.errors = of(Level::Error) + f.omitted;
        f.notes = of(Level::Note);
    }
    m
}

/// Every normalized header a field answers to (label, aliases, name), to its index.
fn header_lookup(set: &RuleSet) -> HashMap<String, usize> {
    let mut lookup = HashMap::new();
    for (i, f) in set.fields.iter().enumerate() {
        for h in std::iter::once(&*f.label)
            .chain(f.aliases.iter().map(|a| &**a))
            .chain(std::iter::once(&*f.name))
        {
            lookup.entry(data::normalize_header(h)).or_insert(i);
        }
    }
    lookup
}

/// A returned file's sheets that hold units: name, the data read with the rule set, and the
/// same read as written. The form's own notes and lists sheets are passed over.
fn read_return(
    set: &RuleSet,
    raw_set: &RuleSet,
    name: &str,
    bytes: &[u8],
) -> Vec<(Option<String>, Dataset, Dataset)> {
    use super::template::{LISTS_SHEET, NOTES_SHEET};
    if Format::detect(name, bytes) != Format::Spreadsheet {
        let strict = data::read(set, name, bytes);
        let raw = data::read(raw_set, name, bytes);
        return vec![(None, strict, raw)];
    }
    let raw: HashMap<String, Dataset> = data::read_sheets(raw_set, bytes)
        .into_iter()
        .map(|s| (s.name, s.dataset))
        .collect();
    data::read_sheets(set, bytes)
        .into_iter()
        .enumerate()
        .filter(|(i, s)| *i == 0 || (s.name != NOTES_SHEET && s.name != LISTS_SHEET))
        .map(|(_, mut s)| {
            if set.survey.is_some() {
                crate::survey::check_counts(set, &mut s.dataset);
            }
            let raw = raw.get(&s.name).cloned().unwrap_or_default();
            let sheet = (!s.name.is_empty()).then_some(s.name);
            (sheet, s.dataset, raw)
        })
        .collect()
}

/// The rows of one sheet: every row read as written, with its values where the rule set's
/// reading made a unit of it, and its bad cells marked.
fn rows_of(
    set: &RuleSet,
    lookup: &HashMap<String, usize>,
    file: usize,
    sheet: &Option<String>,
    strict: &Dataset,
    raw: &Dataset,
) -> Vec<Row> {
    let field_of = |e: &DataError| {
        e.header
            .as_deref()
            .and_then(|h| lookup.get(&data::normalize_header(h)).copied())
    };
    let units: HashMap<usize, &Unit> = strict.units.iter().map(|u| (u.row, u)).collect();
    let raw_rows: Vec<usize> = raw.units.iter().map(|u| u.row).collect();
    let raw_columns = &raw.columns;
    // A missing or doubled column is reported on the header row, above every unit: its field
    // is marked in each row that could not be read for it.
    let column_fields: Vec<usize> = strict
        .errors
        .iter()
        .filter(|e| !raw_rows.contains(&e.row))
        .filter_map(field_of)
        .collect();
    raw.units
        .iter()
        .map(|r| {
            let raw: Vec<String> = r
                .values
                .iter()
                .map(|v| match v {
                    Value::Missing => String::new(),
                    v => v.display(),
                })
                .collect();
            let n = set.fields.len();
            let mut columns = raw_columns.clone();
            columns.resize(n, 0);
            match units.get(&r.row) {
                Some(u) => Row {
                    file,
                    sheet: sheet.clone(),
                    row: r.row,
                    raw,
                    values: u.values.iter().cloned().map(Some).collect(),
                    marked: vec![false; n],
                    columns,
                    good: true,
                    scored: true,
                    kept: true,
                },
                None => {
                    let mut marked = vec![false; n];
                    let own: Vec<usize> = strict
                        .errors
                        .iter()
                        .filter(|e| e.row == r.row)
                        .filter_map(field_of)
                        .collect();
                    let bad = if own.is_empty() { &column_fields } else { &own };
                    for &f in bad {
                        marked[f] = true;
                    }
                    Row {
                        file,
                        sheet: sheet.clone(),
                        row: r.row,
                        raw,
                        values: vec![None; n],
                        marked,
                        columns,
                        good: false,
                        scored: false,
                        kept: true,
                    }
                }
            }
        })
        .collect()
}

/// A good row's yes/no cells written otherwise than 是/否 (`有`, `√`): each a note at its cell.
fn written_otherwise(set: &RuleSet, r: &Row) -> Vec<(DataError, Level)> {
    if !r.good {
        return Vec::new();
    }
    set.fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.ty == crate::model::FieldType::Bool)
        .filter_map(|(i, f)| {
            let raw = r.raw[i].trim();
            let read = r.values[i].as_ref()?.display();
            if raw.is_empty() || raw == read {
                return None;
            }
            let mut e = DataError::at(
                r.row,
                r.columns[i],
                Some(f.label.to_string()),
                msg::yes_no_written(raw, &read),
            );
            e.unit = id_of(set, r);
            e.unit_name = name_of(set, r);
            Some((e, Level::Note))
        })
        .collect()
}

/// The unit id of a row, as written.
fn id_of(set: &RuleSet, row: &Row) -> Option<String> {
    let id = row.raw.get(set.id_field)?.trim();
    (!id.is_empty()).then(|| id.to_string())
}

/// A row's unit name, as written.
fn name_of(set: &RuleSet, row: &Row) -> Option<String> {
    let name = row.raw.get(set.name_field?)?.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Where a row is, as another problem names it.
fn place_of(m: &Merged, r: &Row) -> crate::messages::Text {
    let file = m.files.get(r.file).map_or("", |f| f.name.as_str());
    msg::other_return(file, r.sheet.as_deref(), r.row)
}

/// A problem about a whole row.
fn row_problem(set: &RuleSet, m: &Merged, at: usize, level: Level, message: Message) -> Problem {
    let r = &m.rows[at];
    let mut error = DataError::at(r.row, 0, None, message);
    error.unit = id_of(set, r);
    error.unit_name = name_of(set, r);
    Problem {
        level,
        file: m.files.get(r.file).map(|f| f.name.clone()),
        sheet: r.sheet.clone(),
        error,
        merged_row: None,
    }
}

/// Units returned more than once (in two files, or two sheets): the same values are kept once;
/// different values are all shown, marked where they differ, and none is scored.
fn twice(set: &RuleSet, m: &mut Merged, found: &mut Vec<(Problem, Option<usize>)>) {
    let mut by_id: Vec<(String, Vec<usize>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, r) in m.rows.iter().enumerate() {
        if let Some(id) = id_of(set, r) {
            let k = *index.entry(id.clone()).or_insert_with(|| {
                by_id.push((id, Vec::new()));
                by_id.len() - 1
            });
            by_id[k].1.push(i);
        }
    }
    for (_, rows) in by_id.iter().filter(|(_, rows)| rows.len() > 1) {
        let first = rows[0];
        let mut differ = false;
        for &later in &rows[1..] {
            let (a, b) = (&m.rows[first], &m.rows[later]);
            let fields: Vec<usize> = (0..set.fields.len())
                .filter(|&f| match (&a.values[f], &b.values[f]) {
                    (Some(x), Some(y)) => x != y,
                    _ => a.raw[f].trim() != b.raw[f].trim(),
                })
                .collect();
            let place = place_of(m, a);
            if fields.is_empty() {
                let message = msg::returned_twice_same(&place);
                found.push((row_problem(set, m, later, Level::Note, message), None));
                m.rows[later].kept = false;
                m.rows[later].scored = false;
                continue;
            }
            differ = true;
            let differs: Vec<Differs<'_>> = fields
                .iter()
                .map(|&f| Differs {
                    label: &set.fields[f].label,
                    first: a.raw[f].clone(),
                    here: b.raw[f].clone(),
                })
                .collect();
            let message = msg::returned_twice_differs(&place, &differs);
            found.push((
                row_problem(set, m, later, Level::Error, message),
                Some(later),
            ));
            for &f in &fields {
                m.rows[first].marked[f] = true;
                m.rows[later].marked[f] = true;
            }
        }
        if differ {
            for &r in rows {
                m.rows[r].scored = false;
            }
        }
    }
}

/// Against the list of units: units that returned nothing, units not in it, and names that
/// differ from it.
fn against_list(
    set: &RuleSet,
    list: &[Unit],
    m: &mut Merged,
    found: &mut Vec<(Problem, Option<usize>)>,
) {
    let listed_id = |u: &Unit| u.values[set.id_field].display();
    let listed_name = |u: &Unit| set.name_field.map(|f| u.values[f].clone());
    let ids: HashMap<String, &Unit> = list.iter().map(|u| (listed_id(u), u)).collect();
    for i in 0..m.rows.len() {
        let r = &m.rows[i];
        let Some(id) = id_of(set, r) else { continue };
        let here = name_of(set, r);
        match ids.get(&id) {
            None => {
                let same_name = list.iter().find(|u| {
                    matches!((listed_name(u), &here), (Some(Value::Text(a)), Some(b)) if a == *b)
                });
                let code = same_name.map(&listed_id);
                let p = row_problem(set, m, i, Level::Error, msg::not_in_list(code.as_deref()));
                found.push((p, Some(i)));
                m.rows[i].scored = false;
            }
            Some(u) => {
                if let (Some(Value::Text(a)), Some(b)) = (listed_name(u), &here) {
                    if a != *b {
                        let p = row_problem(set, m, i, Level::Note, msg::name_differs(&a, b));
                        found.push((p, Some(i)));
                    }
                }
            }
        }
    }
    let returned: std::collections::HashSet<String> =
        m.rows.iter().filter_map(|r| id_of(set, r)).collect();
    for u in list {
        let id = listed_id(u);
        if returned.contains(&id) {
            continue;
        }
        let mut error = DataError::at(0, 0, None, msg::not_returned());
        error.unit = Some(id);
        error.unit_name = set.name_field.map(|f| u.values[f].display());
        found.push((
            Problem {
                level: Level::Error,
                file: None,
                sheet: None,
                error,
                merged_row: None,
            },
            None,
        ));
    }
}

impl Merged {
    /// The units ready to score: every good row but the units returned twice with different
    /// values, each numbered by its row in the merged data.
    pub fn units(&self) -> Vec<Unit> {
        let mut out = Vec::new();
        let mut row = 1;
        for r in &self.rows {
            if !r.kept {
                continue;
            }
            row += 1;
            if r.scored {
                let values = r.values.iter().map(|v| v.clone().unwrap_or(Value::Missing));
                out.push(Unit {
                    row,
                    values: values.collect(),
                    survey: None,
                });
            }
        }
        out
    }

    /// How many problems are errors, and how many notes.
    pub fn counts(&self) -> (usize, usize) {
        let errors = self
            .problems
            .iter()
            .filter(|p| p.level == Level::Error)
            .count();
        (errors, self.problems.len() - errors)
    }

    /// The merged data's header: every field's label, then where each row came from.
    fn header(set: &RuleSet, lang: Lang) -> Vec<String> {
        let mut head: Vec<String> = set.fields.iter().map(|f| f.label.to_string()).collect();
        head.extend(
            words::source_columns()
                .iter()
                .map(|t| t.get(lang).to_string()),
        );
        head
    }

    /// A kept row's cells: good values as they read (是/否, numbers), bad cells as written,
    /// blanks blank; then the file, sheet and row it came from.
    fn cells(&self, r: &Row) -> Vec<Cell> {
        let mut cells: Vec<Cell> = r
            .raw
            .iter()
            .zip(&r.values)
            .map(|(raw, value)| match value {
                _ if raw.trim().is_empty() => Cell::Text(String::new()),
                Some(Value::Int(i)) => Cell::Number(i.to_string()),
                Some(Value::Number(d)) => Cell::Number(d.normalize().to_string()),
                Some(v @ (Value::Bool(_) | Value::Text(_))) => Cell::Text(v.display()),
                Some(Value::Missing) | None => Cell::Text(raw.clone()),
            })
            .collect();
        let file = self.files.get(r.file).map_or("", |f| f.name.as_str());
        cells.push(Cell::Text(file.to_string()));
        cells.push(Cell::Text(r.sheet.clone().unwrap_or_default()));
        cells.push(Cell::Number(r.row.to_string()));
        cells
    }

    /// The merged data as CSV (UTF-8 with a byte-order mark, for Excel): one row per kept row.
    pub fn csv(&self, rules: &Rules, lang: Lang) -> Vec<u8> {
        self.csv_of(&rules.set, lang, |r| r.kept)
    }

    /// Only the units ready to score ([`Self::units`]) as CSV, as [`Self::csv`] writes them: what
    /// scoring the set of files scores.
    pub fn ready_csv(&self, rules: &Rules, lang: Lang) -> Vec<u8> {
        self.csv_of(&rules.set, lang, |r| r.kept && r.scored)
    }

    fn csv_of(&self, set: &RuleSet, lang: Lang, keep: impl Fn(&Row) -> bool) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        let _ = w.write_record(Self::header(set, lang));
        for r in self.rows.iter().filter(|r| keep(r)) {
            let cells: Vec<String> = self
                .cells(r)
                .into_iter()
                .map(|c| match c {
                    Cell::Text(t) => crate::output::spreadsheet_safe(&t).into_owned(),
                    Cell::Number(n) => n,
                })
                .collect();
            let _ = w.write_record(cells);
        }
        w.into_inner().unwrap_or_default()
    }

    /// The merged data and the 数据核对 sheet as an XLSX workbook; problems in `lang`. Without
    /// the `spreadsheets` feature there is no XLSX writer: the error says so (C0011).
    pub fn xlsx(&self, rules: &Rules, lang: Lang) -> Result<Vec<u8>, Message> {
        #[cfg(feature = "spreadsheets")]
        let written = self.write_xlsx(&rules.set, lang).map_err(|e| e.to_string());
        #[cfg(not(feature = "spreadsheets"))]
        let written: Result<Vec<u8>, String> = {
            let _ = (rules, lang);
            Err(
                "this build of kaohe writes no XLSX workbooks (the `spreadsheets` feature is off)"
                    .to_string(),
            )
        };
        written.map_err(|e| crate::messages::cli::cannot_build_workbook(&e))
    }

    #[cfg(feature = "spreadsheets")]
    fn write_xlsx(&self, set: &RuleSet, lang: Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, FormatAlign};
        let mut book = crate::output::workbook(&set.title)?;
        let bold = Format::new().set_bold().set_text_wrap();
        let marked = Format::new().set_background_color(0xFFC7CE);
        let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);

        let sheet = book.add_worksheet();
        sheet.set_name(words::data_sheet().get(lang))?;
        let head = Self::header(set, lang);
        for (c, h) in head.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            sheet.write_string_with_format(0, c, h, &bold)?;
            let width = unicode_width::UnicodeWidthStr::width(h.as_str()) as f64 / 2.0 + 2.0;
            sheet.set_column_width(c, width.clamp(8.0, 24.0))?;
        }
        for (row, r) in (1u32..).zip(self.rows.iter().filter(|r| r.kept)) {
            for (c, cell) in self.cells(r).iter().enumerate() {
                let c16 = u16::try_from(c).unwrap_or(u16::MAX);
                let mark = r.marked.get(c).copied().unwrap_or(false);
                match (cell, mark) {
                    (Cell::Number(n), false) => crate::output::write_number(sheet, row, c16, n)?,
                    (Cell::Number(n), true) => {
                        let v = n.parse::<f64>().unwrap_or_default();
                        sheet.write_number_with_format(row, c16, v, &marked)?;
                    }
                    (Cell::Text(t), true) => {
                        sheet.write_string_with_format(row, c16, t, &marked)?;
                    }
                    (Cell::Text(t), false) if !t.is_empty() => {
                        sheet.write_string(row, c16, t)?;
                    }
                    (Cell::Text(_), false) => {}
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;

        let sheet = book.add_worksheet();
        sheet.set_name(words::check_sheet().get(lang))?;
        for (c, h) in words::check_columns().iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h.get(lang), &bold)?;
        }
        for (c, w) in [
            6.0, 6.0, 8.0, 20.0, 10.0, 6.0, 6.0, 16.0, 20.0, 60.0, 50.0, 10.0,
        ]
        .iter()
        .enumerate()
        {
            sheet.set_column_width(c as u16, *w)?;
        }
        if self.problems.is_empty() {
            sheet.write_string(1, 0, words::no_problems().get(lang))?;
        }
        for (i, p) in self.problems.iter().enumerate() {
            let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let e = &p.error;
            let unit = match (&e.unit_name, &e.unit) {
                (Some(n), Some(u)) => format!("{n}（{u}）"),
                (None, Some(u)) => u.clone(),
                (Some(n), None) => n.clone(),
                (None, None) => String::new(),
            };
            let texts = [
                (
                    1,
                    words::level(p.level == Level::Error).get(lang).to_string(),
                ),
                (2, e.code.to_string()),
                (3, p.file.clone().unwrap_or_default()),
                (4, p.sheet.clone().unwrap_or_default()),
                (6, e.column_letter().unwrap_or_default()),
                (7, e.header.clone().unwrap_or_default()),
                (8, unit),
                (9, e.message.get(lang).to_string()),
                (
                    10,
                    e.help
                        .as_ref()
                        .map(|h| h.get(lang).to_string())
                        .unwrap_or_default(),
                ),
            ];
            sheet.write_number(r, 0, (i + 1) as f64)?;
            for (c, t) in texts {
                if !t.is_empty() {
                    sheet.write_string_with_format(
                        r,
                        c,
                        crate::output::spreadsheet_safe(&t),
                        &wrap,
                    )?;
                }
            }
            if e.row > 0 {
                sheet.write_number(r, 5, e.row as f64)?;
            }
            if let Some(m) = p.merged_row {
                sheet.write_number(r, 11, m as f64)?;
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        book.save_to_buffer()
    }
}

/// A cell of the merged data.
enum Cell {
    Text(String),
    Number(String),
}
