//! The form (填报表) a rule set gives the units it assesses: one row per unit, one column per
//! declared field headed by its label — the header `kaohe assess` reads back — with Excel data
//! validation (是/否 and `one_of` dropdowns, whole numbers from 0, decimals, percentages 0–100),
//! required headers in orange and a blank required cell shaded, a comment on each header
//! quoting the indicators that use the field, and a notes sheet (说明) with the rule set's
//! title, period and issuer, the instructions and a table of the items. With a list of units
//! the codes and names (and anything else the list gives) are filled in and locked; a unit's
//! own form has its one row and only the fields it is assessed on.
//!
//! [`form`] decides what the form holds (plain data, tested without a workbook); [`xlsx`]
//! writes it, the same bytes for the same form.

use super::uses::{Role, Source, Uses};
use crate::compile::Rules;
use crate::data::Unit;
use crate::messages::collect::{self as msg, form_words as words};
use crate::messages::Message;
use crate::model::{FieldType, RuleSet, Value};

/// The form's sheet: the first, the one the data reader reads.
pub const FORM_SHEET: &str = "填报表";
/// The notes sheet.
pub const NOTES_SHEET: &str = "说明";
/// The hidden sheet holding dropdown lists too long for a validation's own list.
pub const LISTS_SHEET: &str = "选项";
/// Rows opened for typing when there is no list of units.
pub const BLANK_ROWS: usize = 100;
/// Where the header row is (0-based): below the title and its note.
pub const HEADER_ROW: u32 = 2;

/// One column of the form.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The field, by index into [`crate::Rules::fields`].
    pub field: usize,
    /// The header: the field's label.
    pub label: String,
    /// The type of its cells.
    pub ty: FieldType,
    /// The range of a number (取值范围).
    pub(crate) range: crate::model::Range,
    /// A blank cell is an error: the field is required and has no default.
    pub required: bool,
    /// The dropdown's values: `one_of`, or 是/否; empty for none.
    pub choices: Vec<String>,
    /// What a blank counts as, as written in the notes.
    pub default: Option<String>,
    /// The header's comment: the item, then the declarations that use it.
    pub note: String,
    /// The message shown beside a selected cell: what to enter, and what a blank does.
    pub prompt: String,
    /// The uses, one line each, as the notes sheet lists them.
    pub used_by: Vec<String>,
}

/// What a form holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    /// The title row.
    pub title: String,
    /// The line under the title.
    pub subtitle: String,
    /// The columns, the unit's id and name first.
    pub columns: Vec<Column>,
    /// One row per listed unit: per column, the value the list gives (filled in and locked).
    pub rows: Vec<Vec<Option<Value>>>,
    /// Whether the rows come from a list of units.
    pub listed: bool,
    /// The rule set's title and publication, for the notes sheet: (label, value).
    pub facts: Vec<(String, String)>,
}

impl Form {
    /// Rows with cells open for typing: the listed units, or [`BLANK_ROWS`].
    pub fn data_rows(&self) -> usize {
        if self.listed {
            self.rows.len()
        } else {
            BLANK_ROWS
        }
    }
}

/// How many characters of a declaration's text a header comment quotes.
const NOTE_TEXT: usize = 120;
/// How many uses a header comment lists; the notes sheet lists them all.
const NOTE_USES: usize = 6;

/// Decides the form: `units` is the list of units (read with [`super::read_units`]), `unit`
/// the code (or name) of the one unit whose own form this is.
pub fn form(rules: &Rules, units: Option<&[Unit]>, unit: Option<&str>) -> Result<Form, Message> {
    let set = &rules.set;
    let uses = Uses::of(rules);
    let (rows, only): (Vec<&Unit>, Option<&Unit>) = match (units, unit) {
        (None, Some(_)) => return Err(msg::unit_needs_list()),
        (Some(list), Some(code)) => match super::find_unit(set, list, code) {
            Some(u) => (vec![u], Some(u)),
            None => {
                let codes: Vec<String> = list
                    .iter()
                    .map(|u| u.values[set.id_field].display())
                    .collect();
                let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
                return Err(msg::unit_not_listed(code, &codes));
            }
        },
        (Some(list), None) => (list.iter().collect(), None),
        (None, None) => (Vec::new(), None),
    };
    let needed = uses.needed(set, &super::uses::known(only, set.fields.len()));
    let first: Vec<usize> = [Some(set.id_field), set.name_field]
        .into_iter()
        .flatten()
        .collect();
    let order = first
        .iter()
        .copied()
        .chain((0..set.fields.len()).filter(|i| !first.contains(i)));
    let columns: Vec<Column> = order
        .filter(|&i| needed[i])
        .map(|i| column(set, &uses, i))
        .collect();
    let rows = rows
        .iter()
        .map(|u| {
            columns
                .iter()
                .map(|c| match &u.values[c.field] {
                    Value::Missing => None,
                    v => Some(v.clone()),
                })
                .collect()
        })
        .collect();
    let name = only
        .and_then(|u| set.name_field.map(|f| u.values[f].display()))
        .or_else(|| only.map(|u| u.values[set.id_field].display()));
    let p = &set.publication;
    let [title_word, issuer, period, document] = words::facts();
    let facts = [
        (title_word, Some(&set.title)),
        (issuer, p.issuer.as_ref()),
        (period, p.period.as_ref()),
        (document, p.document.as_ref()),
    ]
    .into_iter()
    .filter_map(|(w, v)| v.map(|v| (w.zh, v.clone())))
    .collect();
    Ok(Form {
        title: words::title(&set.title, name.as_deref()).zh,
        subtitle: words::subtitle(p.period.as_deref()).zh,
        columns,
        rows,
        listed: units.is_some(),
        facts,
    })
}

/// One field's column: its header, validation and comment.
fn column(set: &RuleSet, uses: &Uses, i: usize) -> Column {
    let f = &set.fields[i];
    let choices = match f.ty {
        FieldType::Bool => match &f.spellings {
            Some(words) => words.all(),
            None => vec!["是".to_string(), "否".to_string()],
        },
        _ => f.one_of.clone(),
    };
    let required = f.required && f.default.is_none();
    let default = f.default.as_ref().map(Value::display);
    let used_by: Vec<String> = uses.by_field[i]
        .iter()
        .map(|u| describe(set, u.source, u.role))
        .fold(Vec::new(), |mut out, line| {
            if !out.contains(&line) {
                out.push(line);
            }
            out
        });
    let mut note = vec![
        f.label.to_string(),
        format!(
            "{}{}",
            words::input_title(f.ty, required).zh,
            default
                .as_deref()
                .map(|d| format!("；{}", words::if_blank(Some(d)).zh))
                .unwrap_or_default()
        ),
    ];
    if used_by.is_empty() {
        note.push(words::used_by_none().zh);
    } else {
        note.push(words::used_by_heading().zh);
        note.extend(
            used_by
                .iter()
                .take(NOTE_USES)
                .map(|l| format!("· {}", clip(l, NOTE_TEXT))),
        );
        if used_by.len() > NOTE_USES {
            note.push(format!(
                "· ……（共 {} 项，见“{NOTES_SHEET}”工作表）",
                used_by.len()
            ));
        }
    }
    let prompt = format!(
        "{}\n{}",
        words::allowed(f.ty, &f.range, &choices).zh,
        words::blank_rule(required, default.as_deref()).zh
    );
    Column {
        field: i,
        label: f.label.to_string(),
        ty: f.ty,
        range: f.range,
        required,
        choices,
        default,
        note: note.join("\n"),
        prompt,
        used_by,
    }
}

/// A declaration that uses a field, in the words of a header comment: `【指标】禁毒责任状签订
/// （5分）：落实禁毒工作责任制…`.
fn describe(set: &RuleSet, source: Source, role: Role) -> String {
    let (kind, label, points, text) = match source {
        Source::Item(i) => {
            let it = &set.items[i];
            let kind = match it.kind {
                crate::model::ItemKind::Bonus => "bonus",
                crate::model::ItemKind::Deduction => "deduction",
                crate::model::ItemKind::Cohort => "cohort",
                crate::model::ItemKind::Indicator => "indicator",
            };
            let points = (it.kind != crate::model::ItemKind::Deduction).then_some(it.max);
            (kind, &*it.label, points, &*it.text)
        }
        Source::Cohort(i) => {
            let it = &set.cohort_items[i];
            ("cohort", &*it.label, Some(it.max), &*it.text)
        }
        Source::Veto(i) => {
            let v = &set.vetoes[i];
            ("veto", v.label.as_str(), None, v.reason.as_str())
        }
        Source::Prerequisite(i) => {
            let p = &set.prerequisites[i];
            ("prerequisite", p.label.as_str(), None, "")
        }
        Source::Metric(i) => ("metric", &*set.metrics[i].label, None, ""),
        Source::Rollup(i) => ("rollup", set.rollups[i].label.as_str(), None, ""),
    };
    let mut out = format!("【{}】{label}", words::use_kind(kind).zh);
    if let Some(max) = points {
        out.push_str(&format!(
            "（{}）",
            words::points(&max.normalize().to_string()).zh
        ));
    }
    if let Some(r) = words::use_role(role.name()) {
        out.push_str(&r.zh);
    }
    if !text.is_empty() {
        out.push_str(&format!("：{text}"));
    }
    out
}

/// At most `n` characters of a text, with `…` when cut.
fn clip(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(n).collect();
        out.push('…');
        out
    }
}

/// Without the `spreadsheets` feature there is no XLSX writer.
#[cfg(not(feature = "spreadsheets"))]
pub fn xlsx(_form: &Form) -> Result<Vec<u8>, Message> {
    Err(msg::cannot_build_form(
        "this build of kaohe writes no XLSX workbooks (the `spreadsheets` feature is off)",
    ))
}

/// Writes the form as an XLSX workbook: the form's sheet, the notes sheet and, when needed,
/// the hidden sheet of long dropdown lists. The same form gives the same bytes.
#[cfg(feature = "spreadsheets")]
pub fn xlsx(form: &Form) -> Result<Vec<u8>, Message> {
    write(form).map_err(|e| msg::cannot_build_form(&e.to_string()))
}

#[cfg(feature = "spreadsheets")]
fn write(form: &Form) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{
        ConditionalFormatFormula, DataValidation, DataValidationErrorStyle, DataValidationRule,
        Format, FormatAlign, FormatBorder, Formula, Note, ProtectionOptions,
    };
    let mut book = crate::output::workbook(&form.title)?;
    let border = FormatBorder::Thin;
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(border)
        .set_background_color(0xE7E6E6);
    let header_required = header.clone().set_background_color(0xF8CBAD);
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let subtitle = Format::new().set_font_size(9).set_font_color(0x595959);
    let shaded = Format::new().set_background_color(0xFFE1E1);

    // Long lists go to the hidden sheet; the others stay in their validations.
    let long = |c: &Column| {
        let joined: usize = c.choices.iter().map(|s| s.chars().count() + 1).sum();
        joined > 250 || c.choices.iter().any(|s| s.contains(','))
    };
    let mut lists: Vec<(usize, &Column)> = Vec::new();

    let sheet = book.add_worksheet();
    sheet.set_name(FORM_SHEET)?;
    let last_col = u16::try_from(form.columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
    let first_data = HEADER_ROW + 1;
    let data_rows = u32::try_from(form.data_rows().max(1)).unwrap_or(u32::MAX);
    let last_data = first_data + data_rows - 1;
    if last_col > 0 {
        sheet.merge_range(0, 0, 0, last_col, &form.title, &title)?;
        sheet.merge_range(1, 0, 1, last_col, &form.subtitle, &subtitle)?;
    } else {
        sheet.write_string_with_format(0, 0, &form.title, &title)?;
        sheet.write_string_with_format(1, 0, &form.subtitle, &subtitle)?;
    }
    sheet.set_row_height(0, 24)?;
    sheet.set_row_height(HEADER_ROW, 48)?;
    let id_letter = crate::messages::column_letter(1);
    for (c, col) in form.columns.iter().enumerate() {
        let c16 = u16::try_from(c).unwrap_or(u16::MAX);
        let fmt = if col.required {
            &header_required
        } else {
            &header
        };
        sheet.write_string_with_format(HEADER_ROW, c16, &col.label, fmt)?;
        let lines = col.note.lines().count() as u32;
        let note = Note::new(&col.note)
            .set_author("kaohe")
            .add_author_prefix(false)
            .set_width(360)
            .set_height((lines * 20 + 20).clamp(80, 400));
        sheet.insert_note(HEADER_ROW, c16, &note)?;
        // Cells: a number format by type, open for typing; the list's values locked.
        let cells = match col.ty {
            FieldType::Text => Format::new().set_num_format("@"),
            FieldType::Int => Format::new().set_num_format("0"),
            _ => Format::new(),
        }
        .set_border(border);
        sheet.set_column_format(c16, &cells.clone().set_unlocked())?;
        let widest = form
            .rows
            .iter()
            .filter_map(|r| r[c].as_ref())
            .map(|v| text_width(&v.display()))
            .max()
            .unwrap_or(0);
        let width = (text_width(&col.label) as f64 / 2.0 + 2.0)
            .max(widest as f64 + 2.0)
            .clamp(8.0, 28.0);
        sheet.set_column_width(c16, width)?;
        let locked = cells.set_locked().set_background_color(0xF2F2F2);
        for (r, row) in form.rows.iter().enumerate() {
            let r = first_data + u32::try_from(r).unwrap_or(u32::MAX - first_data);
            match &row[c] {
                None => {}
                Some(Value::Int(i)) => {
                    sheet.write_number_with_format(r, c16, *i as f64, &locked)?;
                }
                Some(Value::Number(d)) => {
                    let n = d.normalize().to_string().parse::<f64>().unwrap_or_default();
                    sheet.write_number_with_format(r, c16, n, &locked)?;
                }
                Some(v) => {
                    sheet.write_string_with_format(r, c16, v.display(), &locked)?;
                }
            }
        }
        // The validation: what may be typed, and the message for what may not.
        let input = words::input_title(col.ty, col.required).zh;
        let error = words::error_message(col.ty, &col.range, &col.choices).zh;
        let v = DataValidation::new();
        let v = if !col.choices.is_empty() {
            if long(col) {
                let at = lists.len();
                lists.push((at, col));
                let end = col.choices.len();
                let letter = crate::messages::column_letter(at + 1);
                v.allow_list_formula(Formula::new(format!(
                    "='{LISTS_SHEET}'!${letter}$1:${letter}${end}"
                )))
            } else {
                let choices: Vec<&str> = col.choices.iter().map(String::as_str).collect();
                v.allow_list_strings(&choices)?
            }
        } else {
            match col.ty {
                FieldType::Text => v.allow_any_value(),
                // The field's range (取值范围), within what Excel's rules hold.
                FieldType::Int => {
                    let whole = |d: Option<rust_decimal::Decimal>, or: i32| {
                        d.map_or(or, |d| i32::try_from(d.trunc().mantissa()).unwrap_or(or))
                    };
                    let (lo, hi) = (
                        whole(col.range.min, i32::MIN),
                        whole(col.range.max, i32::MAX),
                    );
                    v.allow_whole_number(match (col.range.min, col.range.max) {
                        (Some(_), None) => DataValidationRule::GreaterThanOrEqualTo(lo),
                        (None, Some(_)) => DataValidationRule::LessThanOrEqualTo(hi),
                        _ => DataValidationRule::Between(lo, hi),
                    })
                }
                FieldType::Number | FieldType::Percent => {
                    let real = |d: Option<rust_decimal::Decimal>, or: f64| {
                        d.and_then(|d| d.to_string().parse::<f64>().ok())
                            .unwrap_or(or)
                    };
                    let (lo, hi) = (
                        real(col.range.min, -1_000_000_000_000.0),
                        real(col.range.max, 1_000_000_000_000.0),
                    );
                    v.allow_decimal_number(DataValidationRule::Between(lo, hi))
                }
                FieldType::Bool => v.allow_any_value(),
            }
        };
        let v = v
            .ignore_blank(true)
            .set_input_title(clip(&input, 30))?
            .set_input_message(clip(&col.prompt, 240))?
            .set_error_title(words::error_title().zh)?
            .set_error_message(clip(&error, 240))?
            .set_error_style(DataValidationErrorStyle::Stop);
        sheet.add_data_validation(first_data, c16, last_data, c16, &v)?;
        // A required cell left blank in a row with a unit is shaded.
        if col.required {
            let letter = crate::messages::column_letter(c + 1);
            let rule = format!(
                "=AND(${id_letter}{row}<>\"\",{letter}{row}=\"\")",
                row = first_data + 1
            );
            let shade = ConditionalFormatFormula::new()
                .set_rule(rule.as_str())
                .set_format(&shaded);
            sheet.add_conditional_format(first_data, c16, last_data, c16, &shade)?;
        }
    }
    sheet.set_freeze_panes(first_data, form.columns.len().min(2) as u16)?;
    sheet.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::new()
    });
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    sheet.set_print_gridlines(true);
    sheet.set_footer("&C&P / &N");
    sheet.set_active(true);

    notes(&mut book, form)?;

    if !lists.is_empty() {
        let sheet = book.add_worksheet();
        sheet.set_name(LISTS_SHEET)?;
        for (at, col) in &lists {
            let c = u16::try_from(*at).unwrap_or(u16::MAX);
            for (r, choice) in col.choices.iter().enumerate() {
                let r = u32::try_from(r).unwrap_or(u32::MAX);
                sheet.write_string(r, c, choice)?;
            }
        }
        sheet.set_hidden(true);
    }
    book.save_to_buffer()
}

/// The notes sheet (说明): the rule set's title and publication, the instructions, and one row
/// per item of the form with its type, whether it is required, its values, its default and
/// every declaration that uses it.
#[cfg(feature = "spreadsheets")]
fn notes(
    book: &mut rust_xlsxwriter::Workbook,
    form: &Form,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatAlign, FormatBorder};
    let sheet = book.add_worksheet();
    sheet.set_name(NOTES_SHEET)?;
    let bold = Format::new().set_bold();
    let heading = Format::new().set_bold().set_font_size(12);
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let head = wrap.clone().set_bold().set_background_color(0xE7E6E6);
    sheet.write_string_with_format(0, 0, &form.title, &heading.clone().set_font_size(14))?;
    let mut r = 2u32;
    for (label, value) in &form.facts {
        sheet.write_string_with_format(r, 0, label, &bold)?;
        sheet.write_string(r, 1, value)?;
        r += 1;
    }
    r += 1;
    sheet.write_string_with_format(r, 0, words::instructions_heading().zh, &heading)?;
    r += 1;
    for (i, line) in words::instructions(FORM_SHEET, form.listed)
        .iter()
        .enumerate()
    {
        sheet.write_string(r, 0, format!("{}.", i + 1))?;
        sheet.write_string(r, 1, &line.zh)?;
        r += 1;
    }
    r += 1;
    sheet.write_string_with_format(r, 0, words::items_heading().zh, &heading)?;
    r += 1;
    for (c, h) in words::item_columns().iter().enumerate() {
        sheet.write_string_with_format(r, c as u16, &h.zh, &head)?;
    }
    sheet.set_repeat_rows(r, r)?;
    r += 1;
    for (c, col) in form.columns.iter().enumerate() {
        let used = if col.used_by.is_empty() {
            words::used_by_none().zh
        } else {
            col.used_by.join("\n")
        };
        let cells = [
            crate::messages::column_letter(c + 1),
            col.label.clone(),
            words::type_name(col.ty).zh,
            words::required(col.required).zh,
            words::allowed(col.ty, &col.range, &col.choices).zh,
            if col.required {
                String::new()
            } else {
                words::if_blank(col.default.as_deref()).zh
            },
            used,
        ];
        for (k, v) in cells.iter().enumerate() {
            sheet.write_string_with_format(r, k as u16, v, &wrap)?;
        }
        r += 1;
    }
    for (c, w) in [6.0, 30.0, 9.0, 7.0, 22.0, 12.0, 70.0].iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_footer("&C&P / &N");
    Ok(())
}

/// A text's width in columns (a Chinese character is two).
#[cfg(feature = "spreadsheets")]
fn text_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}
