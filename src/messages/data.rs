//! Data errors (数据错误): the words of every problem found while reading a data file, and the
//! fix hints (提示) for bad cells.
//!
//! Codes by theme: `D01xx` the header (表头: missing and doubled columns), `D02xx` a row's cells
//! (单元格: type, allowed values, blanks, unit ids), `D03xx` the file as a whole (文件: empty,
//! unreadable, JSON shape, encodings, spreadsheets refused), `D09xx` the previous period's
//! result (上期结果, `D090x`) and a parameter table (参数表, `D091x`).
//!
//! Texts from the file (cells, headers, keys) are quoted with `quoted`: control characters
//! escaped and at most 40 characters. In zh-CN they stand in “”, in English in backticks.

use super::closest;
use super::{column_letter, Message, Text};
use crate::data::quoted;
use crate::model::FieldType;
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// Every data-error code with its short title in zh-CN and English, each listed once.
#[allow(dead_code)] // the list of kinds: checked by the tests below
pub const KINDS: &[(&str, &str, &str)] = &[
    ("D0101", "缺少必填列", "missing required column"),
    ("D0102", "同一字段有两列", "a second column for one field"),
    (
        "D0201",
        "单元格不符合字段类型",
        "cell not of the field's type",
    ),
    ("D0202", "不是允许的取值", "not one of the allowed values"),
    ("D0203", "必填单元格为空", "blank required cell"),
    ("D0204", "单位编码为空", "blank unit id"),
    ("D0205", "单位编码重复", "unit id appears twice"),
    ("D0206", "数值超出取值范围", "value out of range"),
    ("D0301", "数据文件为空", "empty data file"),
    ("D0302", "只有表头，没有单位", "header row but no units"),
    ("D0303", "数据中没有单位", "the data holds no units"),
    ("D0304", "表头行无法读取", "header row cannot be read"),
    ("D0305", "数据行无法读取", "row cannot be read"),
    ("D0306", "数据无法读取", "data cannot be read"),
    ("D0311", "不是有效的 JSON", "not valid JSON"),
    (
        "D0312",
        "JSON Lines 的一行不是有效的 JSON",
        "a line not valid JSON",
    ),
    ("D0313", "JSON 不是单位数组", "JSON not an array of units"),
    (
        "D0314",
        "JSON 中的单位不是对象",
        "a JSON unit not an object",
    ),
    (
        "D0321",
        "表格中有不符合编码的字节",
        "bytes not valid in the table's encoding",
    ),
    (
        "D0322",
        "JSON 中有不符合编码的字节",
        "bytes not valid in the JSON's encoding",
    ),
    (
        "D0331",
        "此版本不读电子表格",
        "this build reads no spreadsheets",
    ),
    ("D0332", "电子表格无法打开", "spreadsheet cannot be opened"),
    (
        "D0333",
        "电子表格解压后过大",
        "spreadsheet unpacks too large (zip bomb)",
    ),
    (
        "D0334",
        "电子表格部件过多",
        "too many parts in a spreadsheet",
    ),
    (
        "D0335",
        "电子表格部件无法读取",
        "a spreadsheet part cannot be read",
    ),
    ("D0336", "工作表范围过大", "a sheet spans too many cells"),
    ("D0337", "工作表单元格过多", "too many cells in a sheet"),
    ("D0338", "不读 XLSB 工作簿", "XLSB not read"),
    ("D0391", "还有错误未列出", "more errors not shown"),
    (
        "D0392",
        "数据为另一规则集载入",
        "units loaded for another rule set",
    ),
    (
        "D0901",
        "上期结果不是有效的 JSON",
        "previous result not valid JSON",
    ),
    ("D0902", "不是 kaohe 的结果文件", "not a kaohe-result file"),
    (
        "D0903",
        "上期结果没有单位列表",
        "previous result has no units list",
    ),
    ("D0911", "参数表无法读取", "parameter table unreadable"),
    ("D0912", "参数表中的参数未声明", "parameter not declared"),
    ("D0913", "参数取值不是数字", "parameter value not a number"),
    ("D0914", "同一参数给了两个取值", "parameter given twice"),
    ("D0915", "参数表中没有参数", "parameter table empty"),
];

// ---------------------------------------------------------------------------------------------
// D01xx: the header (表头)
// ---------------------------------------------------------------------------------------------

/// `D0101`: a required field has no column (in a JSON object: no key). `accepted`: the headers
/// that would do; `near`: a column of the file that looks like a misspelling of the label.
pub(crate) fn missing_column(
    label: &str,
    name: &str,
    accepted: &[&str],
    near: Option<&str>,
    keyed: bool,
) -> Message {
    let (zh_what, en_what) = if keyed {
        ("键", "key")
    } else {
        ("列", "column")
    };
    let m = Message::new(
        "D0101",
        format!("缺少必填{zh_what}“{label}”（字段 {name}）"),
        format!("missing required {en_what} `{label}` (field `{name}`)"),
    );
    match near {
        Some(near) => {
            let near = quoted(near);
            let zh = if keyed {
                format!("是不是键“{near}”？把它改为“{label}”")
            } else {
                format!("是不是“{near}”列？把它的表头改为“{label}”")
            };
            m.help(
                zh,
                format!("did you mean `{near}`? rename that {en_what} to `{label}`"),
            )
        }
        None => {
            let en_list: Vec<String> = accepted.iter().map(|a| format!("`{a}`")).collect();
            let zh_list = zh_either(accepted);
            let zh = if keyed {
                format!("添加键{zh_list}")
            } else {
                format!("添加一列，表头写{zh_list}")
            };
            m.help(
                zh,
                format!("add a {en_what} headed {}", en_list.join(" or ")),
            )
        }
    }
}

/// Quoted names as Chinese lists them: “甲”, “甲”或“乙”, “甲”“乙”或“丙”.
fn zh_either(names: &[&str]) -> String {
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => format!("“{last}”"),
        Some((last, rest)) => {
            let rest: String = rest.iter().map(|n| format!("“{n}”")).collect();
            format!("{rest}或“{last}”")
        }
    }
}

/// `D0102`: a second column (key) for a field that already has one. `first`: the first
/// column's 1-based number (0 for a JSON key) and its header.
pub(crate) fn second_column(
    header: &str,
    label: &str,
    first: (usize, &str),
    keyed: bool,
) -> Message {
    let (h, h0) = (quoted(header), quoted(first.1));
    if keyed {
        Message::new(
            "D0102",
            format!("键“{h}”是字段“{label}”的第二个键（第一个：“{h0}”）"),
            format!("key `{h}` is a second key for field `{label}` (first: key `{h0}`)"),
        )
        .help("只保留其中一个键", "keep one of the two keys")
    } else {
        let l0 = column_letter(first.0);
        Message::new(
            "D0102",
            format!("“{h}”列是字段“{label}”的第二列（第一列：{l0} 列“{h0}”）"),
            format!(
                "column `{h}` is a second column for field `{label}` (first: column {l0} `{h0}`)"
            ),
        )
        .help("只保留其中一列", "keep one of the two columns")
    }
}

// ---------------------------------------------------------------------------------------------
// D02xx: a row's cells (单元格)
// ---------------------------------------------------------------------------------------------

/// `D0201`: a cell that is not of its field's type. `help`: the fix [`cell_hint`] found; the
/// general one for the type when none.
pub(crate) fn not_of_type(ty: FieldType, written: &str, help: Option<Text>) -> Message {
    let what = ty.expected();
    let found = quoted(written);
    Message::new(
        "D0201",
        format!("应填{}，实际填的是“{found}”", what.zh),
        format!("expected {}, found `{found}`", what.en),
    )
    .maybe_help(Some(help.unwrap_or_else(|| general_hint(ty))))
}

/// `D0202`: a text cell that is not one of the values its field allows.
pub(crate) fn not_allowed(found: &str, allowed: &[String]) -> Message {
    let zh_list: String = allowed.iter().map(|v| format!("“{v}”")).collect();
    let zh_list = if allowed.len() > 1 {
        format!("{zh_list}之一")
    } else {
        zh_list
    };
    let en_list: Vec<String> = allowed.iter().map(|v| format!("`{v}`")).collect();
    let shown = quoted(found);
    let m = Message::new(
        "D0202",
        format!("只能填{zh_list}，实际填的是“{shown}”"),
        format!("expected one of {}, found `{shown}`", en_list.join(", ")),
    );
    match closest(found, allowed.iter().map(String::as_str)) {
        Some(near) => m.help(
            format!("是不是“{near}”？把“{shown}”改为“{near}”"),
            format!("did you mean `{near}`?"),
        ),
        None => m.help(
            "从允许的取值中选一个，照原样填写",
            "write one of the allowed values exactly as listed",
        ),
    }
}

/// `D0206`: a number outside its field's range (`min`/`max`; by default a whole number from
/// 0, a percentage from 0 to 100). `declared`: whether the rule set wrote the range.
pub(crate) fn out_of_range(
    found: &str,
    min: Option<&str>,
    max: Option<&str>,
    declared: bool,
) -> Message {
    let (zh, en) = match (min, max) {
        (Some(lo), Some(hi)) => (
            format!("应在 {lo} 到 {hi} 之间"),
            format!("must lie between {lo} and {hi}"),
        ),
        (Some(lo), None) => (format!("应不小于 {lo}"), format!("must be at least {lo}")),
        (None, Some(hi)) => (format!("应不大于 {hi}"), format!("must be at most {hi}")),
        (None, None) => (String::new(), String::new()),
    };
    let m = Message::new(
        "D0206",
        format!("填的是 {found}，{zh}"),
        format!("found {found}, which {en}"),
    );
    if declared {
        m.help(
            "核对原始台账后改正这个数；规则规定了这一列的取值范围",
            "check the figure against the records: the rule set sets this column's range",
        )
    } else {
        m.help(
            "核对原始台账后改正这个数（个数不能为负，百分比在 0 到 100 之间）；确需超出的，请规则编写人在字段声明中写明 `min` 或 `max`",
            "check the figure (counts are not negative, percentages lie within 0–100); if it is right, the rule author declares the field's `min` or `max`",
        )
    }
}

/// `D0203`: a blank cell of a required field.
pub(crate) fn blank_required(label: &str) -> Message {
    Message::new(
        "D0203",
        format!("单元格为空，但“{label}”是必填项"),
        format!("the cell is blank but `{label}` is required"),
    )
    .help(
        "填写此单元格；若空白应按某个值计算，请在规则集中为该字段设置 if_blank",
        "fill in the cell, or give the field an `if_blank` value in the rule set",
    )
}

/// `D0204`: a row without a unit id.
pub(crate) fn blank_id() -> Message {
    Message::new("D0204", "单位编码为空", "the unit id is blank").help(
        "填写该单位的编码：每个单位都要有编码",
        "fill in the cell, or give the field an `if_blank` value in the rule set",
    )
}

/// `D0205`: a unit id seen in an earlier row.
pub(crate) fn duplicate_id(id: &str, first_row: usize) -> Message {
    let id = quoted(id);
    Message::new(
        "D0205",
        format!("单位编码“{id}”重复出现（首次出现在第 {first_row} 行）"),
        format!("unit id `{id}` appears twice (first in row {first_row})"),
    )
    .help(
        "每个单位只能出现一次：删除或合并其中一行",
        "each unit must appear once: remove or merge one of the rows",
    )
}

// ---------------------------------------------------------------------------------------------
// D03xx: the file (文件)
// ---------------------------------------------------------------------------------------------

/// `D0301`: nothing in the file but blanks.
pub(crate) fn empty_file() -> Message {
    Message::new("D0301", "数据文件是空的", "the data file is empty")
}

/// `D0302`: a header row and nothing below it.
pub(crate) fn header_only() -> Message {
    Message::new(
        "D0302",
        "数据只有表头，没有单位",
        "the data has a header row but no units",
    )
    .help(
        "在表头下方每个单位填一行",
        "add one row per unit below the header",
    )
}

/// `D0303`: a JSON list of no units.
pub(crate) fn no_units() -> Message {
    Message::new("D0303", "数据中没有单位", "the data holds no units")
}

/// `D0304`: the header row could not be read (`why`: the reader's own words).
pub(crate) fn header_unreadable(why: &str) -> Message {
    Message::new(
        "D0304",
        format!("表头行无法读取：{why}"),
        format!("the header row cannot be read: {why}"),
    )
}

/// `D0305`: a row (of JSON Lines: a line) could not be read (`why`: the reader's own words).
pub(crate) fn row_unreadable(why: &str, line: bool) -> Message {
    if line {
        Message::new(
            "D0305",
            format!("此行无法读取：{why}"),
            format!("the line cannot be read: {why}"),
        )
    } else {
        Message::new(
            "D0305",
            format!("此行无法读取：{why}"),
            format!("the row cannot be read: {why}"),
        )
    }
}

/// `D0306`: the source could not be read at all.
pub(crate) fn unreadable(why: &str) -> Message {
    Message::new(
        "D0306",
        format!("数据无法读取：{why}"),
        format!("the data cannot be read: {why}"),
    )
}

/// `D0311`: a JSON file that does not parse (`why`: the parser's words).
pub(crate) fn not_json(line: usize, column: usize, why: &str) -> Message {
    Message::new(
        "D0311",
        format!("不是有效的 JSON（第 {line} 行第 {column} 列）：{why}"),
        format!("not valid JSON at line {line} column {column}: {why}"),
    )
}

/// `D0312`: a line of JSON Lines that does not parse.
pub(crate) fn line_not_json(column: usize, why: &str) -> Message {
    Message::new(
        "D0312",
        format!("此行不是有效的 JSON（第 {column} 个字符处）：{why}"),
        format!("not valid JSON at column {column}: {why}"),
    )
    .help(
        "每行写一个对象，如 {\"单位编码\": \"101\", …}",
        "write one object per line, such as `{\"单位编码\": \"101\", …}`",
    )
}

/// `D0313`: JSON that is neither a list of units nor `{"units": [...]}`. `object`: it was an
/// object (without a `units` list).
pub(crate) fn not_a_list(object: bool) -> Message {
    let m = Message::new(
        "D0313",
        "JSON 数据应为单位的数组",
        "expected an array of units",
    );
    if object {
        m.help(
            "写成 [{\"单位编码\": \"101\", …}, …] 或 {\"units\": [...]}",
            "write `[{\"单位编码\": \"101\", …}, …]` or `{\"units\": [...]}`",
        )
    } else {
        m.help(
            "写成 [{\"单位编码\": \"101\", …}, …]",
            "write `[{\"单位编码\": \"101\", …}, …]`",
        )
    }
}

/// `D0314`: a unit of a JSON list (or a line of JSON Lines) that is not an object.
pub(crate) fn not_an_object() -> Message {
    Message::new(
        "D0314",
        "此处应为一个单位的对象（含各字段）",
        "expected an object with the unit's fields",
    )
    .help(
        "每个单位写成一个对象，如 {\"单位编码\": \"101\", …}",
        "write each unit as an object, such as `{\"单位编码\": \"101\", …}`",
    )
}

/// The hint for bytes not valid in the file's encoding.
fn save_as_utf8() -> Text {
    Text::new(
        "把文件另存为 UTF-8 编码（Excel：另存为“CSV UTF-8”；WPS：另存为时选 UTF-8）",
        "save the file again as UTF-8 (in Excel: Save As, “CSV UTF-8”)",
    )
}

/// `D0321`: a table's row (`header`: the header row) holds bytes not valid in `encoding` in
/// the 1-based `column`.
pub(crate) fn bad_bytes_in_row(column: usize, encoding: &str, header: bool) -> Message {
    let letter = column_letter(column);
    let (zh_row, en_row) = if header {
        ("表头行", "the header row")
    } else {
        ("此行", "the row")
    };
    Message::new(
        "D0321",
        format!("{zh_row}无法读取：{letter} 列含有不符合 {encoding} 编码的字节（显示为 �），文件混用了多种编码或已损坏"),
        format!("{en_row} cannot be read: column {letter} holds bytes that are not valid {encoding} (shown as �): the file mixes encodings or is damaged; save it again as UTF-8 or GBK"),
    )
    .maybe_help(Some(save_as_utf8()))
}

/// `D0322`: JSON text that holds bytes not valid in `encoding`: on a line of a JSON file
/// (`line`), or on the line of JSON Lines being read (`None`).
pub(crate) fn bad_bytes_in_json(line: Option<usize>, encoding: &str) -> Message {
    let (zh_where, en_where) = match line {
        Some(n) => (format!("第 {n} 行"), format!("line {n}")),
        None => ("此行".to_string(), "the line".to_string()),
    };
    Message::new(
        "D0322",
        format!("{zh_where}含有不符合 {encoding} 编码的字节（显示为 �），文件混用了多种编码或已损坏"),
        format!("{en_where} holds bytes that are not valid {encoding} (shown as �): the file mixes encodings or is damaged"),
    )
    .help("把文件另存为 UTF-8 编码", "save the file again as UTF-8")
}

/// The hint for a spreadsheet that is refused (电子表格): save it again, or as CSV.
#[cfg(feature = "spreadsheets")]
pub(crate) fn save_again() -> Text {
    Text::new(
        "用 Excel 或 WPS 另存为 .xlsx，或把工作表导出为 CSV",
        "save it again as .xlsx, or export the sheet as CSV",
    )
}

/// `D0331`: a build without the `spreadsheets` feature was given a spreadsheet.
#[cfg_attr(feature = "spreadsheets", allow(dead_code))]
pub(crate) fn no_spreadsheets() -> Message {
    Message::new(
        "D0331",
        "此版本的 kaohe 不能读取电子表格",
        "this build of kaohe reads no spreadsheets",
    )
    .help(
        "把工作表导出为 CSV，或使用带 spreadsheets 功能的 kaohe",
        "export the sheet as CSV, or use a build with the `spreadsheets` feature",
    )
}

/// `D0332`: the spreadsheet reader could not open the file (`why`: its words). `not_a_book`:
/// it is neither a zip (XLSX, ODS) nor an XLS compound file.
#[cfg(feature = "spreadsheets")]
pub(crate) fn spreadsheet_unopenable(why: &str, not_a_book: bool) -> Message {
    if not_a_book {
        Message::new(
            "D0332",
            format!("电子表格无法打开：它既不是 zip 格式（XLSX、ODS），也不是 XLS 工作簿（{why}）"),
            format!("the spreadsheet cannot be opened: it is neither a zip (XLSX, ODS) nor an XLS workbook ({why})"),
        )
    } else {
        Message::new(
            "D0332",
            format!("电子表格无法打开：{why}"),
            format!("the spreadsheet cannot be opened: {why}"),
        )
    }
}

/// `D0333`: the parts of a zip unpack to more than `max_mb` MB.
#[cfg(feature = "spreadsheets")]
pub(crate) fn zip_bomb(max_mb: u64) -> Message {
    Message::new(
        "D0333",
        format!("电子表格解压后超过 {max_mb} MB（文件已损坏，或是“压缩炸弹”）"),
        format!(
            "the spreadsheet unpacks to more than {max_mb} MB (a damaged file, or a \"zip bomb\")"
        ),
    )
}

/// `D0334`: a zip of more parts than allowed.
#[cfg(feature = "spreadsheets")]
pub(crate) fn too_many_parts(parts: usize, max: usize) -> Message {
    Message::new(
        "D0334",
        format!("电子表格含有 {parts} 个部件（最多 {max} 个）"),
        format!("the spreadsheet holds {parts} parts (at most {max})"),
    )
}

/// `D0335`: a part of a zip that cannot be read: by number (`Ok`, 1-based) when even its
/// entry is unreadable, else by name (`Err`) when it cannot be unpacked.
#[cfg(feature = "spreadsheets")]
pub(crate) fn part_unreadable(part: Result<usize, &str>, why: &str) -> Message {
    match part {
        Ok(i) => Message::new(
            "D0335",
            format!("电子表格的第 {i} 个部件无法读取：{why}"),
            format!("part {i} of the spreadsheet cannot be read: {why}"),
        ),
        Err(name) => {
            let name = quoted(name);
            Message::new(
                "D0335",
                format!("电子表格的部件“{name}”无法解压：{why}"),
                format!("part `{name}` of the spreadsheet cannot be unpacked: {why}"),
            )
        }
    }
}

/// `D0336`: a sheet whose extent (rows × columns) is over `max` cells.
#[cfg(feature = "spreadsheets")]
pub(crate) fn sheet_too_large(rows: u64, columns: u64, max: u64) -> Message {
    Message::new(
        "D0336",
        format!("工作簿中有一张工作表跨 {rows} 行 × {columns} 列（最多 {max} 个单元格）：远离数据处有零散单元格，或文件已损坏"),
        format!("a sheet of the workbook spans {rows} rows × {columns} columns (at most {max} cells): a stray cell far from the data, or a damaged file"),
    )
    .help(
        "删除数据区域以外的行和列（或把数据复制到新工作表）后再保存，或把工作表导出为 CSV",
        "delete the rows and columns beyond the data (or copy the data to a new sheet) and save again, or export the sheet as CSV",
    )
}

/// `D0337`: a sheet with more cells with content than allowed.
#[cfg(feature = "spreadsheets")]
pub(crate) fn too_many_cells(sheet: &str, max: usize) -> Message {
    let sheet = quoted(sheet);
    Message::new(
        "D0337",
        format!("工作表“{sheet}”中有内容的单元格超过 {max} 个"),
        format!("sheet `{sheet}` has more than {max} cells with content"),
    )
    .help(
        "把数据拆成几个文件，或导出为 CSV（CSV 逐行读取，不限大小）",
        "split the data into several files, or export it as CSV (read row by row, of any size)",
    )
}

/// `D0338`: an XLSB workbook (Excel's binary format), which is not read.
#[cfg(feature = "spreadsheets")]
pub(crate) fn xlsb() -> Message {
    Message::new(
        "D0338",
        "不读取 XLSB 工作簿（Excel 二进制格式）",
        "XLSB workbooks (Excel's binary format) are not read",
    )
    .help(
        "在 Excel 中另存为 .xlsx（Excel 工作簿），或把工作表导出为 CSV",
        "save it again as .xlsx (Excel Workbook), or export the sheet as CSV",
    )
}

/// `D0391`: the count of errors found and not listed (at most `per_column` per column).
pub fn more_not_shown(omitted: usize, per_column: usize, all: usize) -> Message {
    Message::new(
        "D0391",
        format!("……另有 {omitted} 个错误未列出（每列最多列出 {per_column} 个，共最多 {all} 个）"),
        format!(
            "… and {omitted} more error{} not shown (at most {per_column} per column, {all} in all)",
            if omitted == 1 { "" } else { "s" }
        ),
    )
}

/// `D0392`: units loaded with one rule set, given to another.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn loaded_for_another_rule_set() -> Message {
    Message::new(
        "D0392",
        "这些数据是为另一个规则集载入的",
        "these units were loaded for another rule set",
    )
    .help(
        "用本规则集的 loadUnits 重新载入数据",
        "load the data with this rule set's `loadUnits`",
    )
}

// ---------------------------------------------------------------------------------------------
// D09xx: the previous period's result (上期结果)
// ---------------------------------------------------------------------------------------------

/// The hint for a previous-period file that is not one: which file to give.
fn previous_hint() -> Text {
    Text::new(
        "选择 kaohe 为上一期输出的 JSON 结果文件（kaohe assess … --format json --out 上期.json）",
        "give the JSON result kaohe wrote for the previous period (`kaohe assess … --format json --out previous.json`)",
    )
}

/// `D0901`: the previous result does not parse as JSON.
pub(crate) fn previous_not_json(why: &str) -> Message {
    Message::new(
        "D0901",
        format!("上期结果不是有效的 JSON：{why}"),
        format!("not valid JSON: {why}"),
    )
    .maybe_help(Some(previous_hint()))
}

/// `D0902`: JSON without kaohe's result schema.
pub(crate) fn previous_not_a_result(schema: &str) -> Message {
    Message::new(
        "D0902",
        format!("上期结果不是 kaohe 的结果文件（没有 \"schema\": \"{schema}\"）"),
        format!("not a `{schema}` file (no `\"schema\": \"{schema}\"`)"),
    )
    .maybe_help(Some(previous_hint()))
}

/// `D0903`: a result without its `units` list.
pub(crate) fn previous_without_units() -> Message {
    Message::new(
        "D0903",
        "上期结果中没有 units 列表",
        "the file has no `units` list",
    )
    .maybe_help(Some(previous_hint()))
}

/// How a parameter table is written, for its errors' hints.
fn params_form() -> Text {
    Text::new(
        "参数表每行写一个参数：第一列为参数 id 或名称，第二列为取值（表头可写“参数,取值”）；或 JSON：{\"参数id\": 取值}",
        "one parameter a row: its id or label, then its value (a header such as `param,value` is optional); or JSON `{\"ID\": VALUE}`",
    )
}

/// `D0911`: a parameter table larger than `max` bytes.
pub(crate) fn params_too_large(max: usize) -> Message {
    Message::new(
        "D0911",
        format!("参数表超过 {} KB，不读取", max / 1024),
        format!(
            "the parameter table is larger than {} KB and is not read",
            max / 1024
        ),
    )
    .maybe_help(Some(params_form()))
}

/// `D0911`: a JSON parameter table that does not parse as an object.
pub(crate) fn params_unreadable(why: &str) -> Message {
    Message::new(
        "D0911",
        format!("参数表不是有效的 JSON 对象：{why}"),
        format!("the parameter table is not a valid JSON object: {why}"),
    )
    .maybe_help(Some(params_form()))
}

/// `D0911`: a parameter table neither a workbook, a CSV nor JSON.
pub(crate) fn params_unsupported(name: &str) -> Message {
    Message::new(
        "D0911",
        format!(
            "无法读取参数表“{}”：须为 .csv、.xlsx/.xls/.ods 或 .json 文件",
            quoted(name)
        ),
        format!(
            "cannot read the parameter table `{}`: use a .csv, .xlsx/.xls/.ods or .json file",
            quoted(name)
        ),
    )
    .maybe_help(Some(params_form()))
}

/// `D0911`: a CSV line of a parameter table that does not parse.
pub(crate) fn params_bad_line(line: usize, why: &str) -> Message {
    Message::new(
        "D0911",
        format!("参数表第 {line} 行无法读取：{why}"),
        format!("line {line} of the parameter table cannot be read: {why}"),
    )
    .help(
        "检查该行的引号是否成对",
        "check that the quotes in that line are paired",
    )
}

/// `D0912`: a row naming no parameter of the rule set.
pub(crate) fn param_unknown(key: &str, near: Option<&str>, known: &[&str]) -> Message {
    let m = Message::new(
        "D0912",
        format!("规则集没有名为“{}”的参数", quoted(key)),
        format!("the rule set declares no parameter `{}`", quoted(key)),
    );
    let h = which_param(near, known);
    m.help(h.zh, h.en)
}

/// The hint for a parameter name not declared: the one meant, else the rule set's parameters.
pub(crate) fn which_param(near: Option<&str>, known: &[&str]) -> Text {
    match near {
        Some(n) => Text::new(
            format!("您是不是想写“{n}”？"),
            format!("did you mean `{n}`?"),
        ),
        None if known.is_empty() => Text::new(
            "此规则集没有声明参数（param(…)）",
            "this rule set declares no parameters (`param(…)`)",
        ),
        None => Text::new(
            format!("可用的参数：{}", known.join("、")),
            format!("its parameters: {}", known.join(", ")),
        ),
    }
}

/// `D0913`: a parameter's value that is not a number.
pub(crate) fn param_not_number(label: &str, given: &str) -> Message {
    Message::new(
        "D0913",
        format!("参数“{label}”的取值“{}”不是数字", quoted(given)),
        format!(
            "the value `{}` of parameter `{label}` is not a number",
            quoted(given)
        ),
    )
    .help(
        "填写阿拉伯数字，如 86.2（可带 %），不带单位或文字",
        "write a number in digits such as 86.2 (a % sign may follow), without units or words",
    )
}

/// `D0914`: a parameter given two different values.
pub(crate) fn param_twice(label: &str, first_row: usize) -> Message {
    let (zh, en) = if first_row == 0 {
        ("前面".to_string(), "before".to_string())
    } else {
        (format!("第 {first_row} 行"), format!("in row {first_row}"))
    };
    Message::new(
        "D0914",
        format!("参数“{label}”给了两个不同的取值（{zh}已给出）"),
        format!("parameter `{label}` is given two different values (first {en})"),
    )
    .help("删去其中一行", "delete one of the rows")
}

/// `D0915`: a parameter table with no rows.
pub(crate) fn params_empty() -> Message {
    Message::new(
        "D0915",
        "参数表中没有参数",
        "the parameter table gives no parameters",
    )
    .maybe_help(Some(params_form()))
}

// ---------------------------------------------------------------------------------------------
// Fix hints for bad cells (单元格提示)
// ---------------------------------------------------------------------------------------------

/// The general hint for a cell of a type, when nothing better is known.
fn general_hint(ty: FieldType) -> Text {
    match ty {
        FieldType::Int => Text::new(
            "填写阿拉伯数字的整数，如 6，不带单位或文字",
            "write a whole number in digits, such as 6, without units or words",
        ),
        FieldType::Number => Text::new(
            "填写阿拉伯数字，如 12 或 3.5，不带单位或文字",
            "write a number in digits, such as 12 or 3.5, without units or words",
        ),
        FieldType::Percent => Text::new(
            "填写百分比，如 96.5% 或 96.5",
            "write a percentage such as 96.5% or 96.5",
        ),
        FieldType::Bool => Text::new(
            "填写“是”或“否”（也可写 1/0、√/×）",
            "write `是` or `否` (or 1/0, √/×)",
        ),
        FieldType::Text => Text::new("填写文本", "write text"),
    }
}

/// The fix for a cell that does not parse as `ty`: `written` as in the file (trimmed), `t` the
/// same with full-width digits and signs made plain. Suggests only: what parses is unchanged.
///
/// - whole-number fields: a decimal (round it, or declare the field `number`), a `%`;
/// - numbers written in Chinese numerals or with a counter (“六次” “十二人” “两起” “一百零五”,
///   “3人”): the number in digits;
/// - percentages written out (“百分之九十”, “九成”, “96.5 %”): the percentage;
/// - yes/no variants (“是的” “对” “没有” “✔”): `是` or `否`.
pub(crate) fn cell_hint(ty: FieldType, written: &str, t: &str) -> Option<Text> {
    let shown = quoted(written);
    let digits = |n: Decimal| {
        let n = n.normalize();
        Text::new(
            format!("把“{shown}”改为数字 {n}"),
            format!("change `{shown}` to the number {n}"),
        )
    };
    match ty {
        FieldType::Text => None,
        FieldType::Int => {
            let plain = t.replace(',', "");
            // Scientific notation (1e3): the number written out.
            if plain.contains(['e', 'E']) {
                if let Ok(d) = Decimal::from_scientific(&plain) {
                    return Some(digits(d));
                }
            }
            if let Ok(d) = Decimal::from_str(&plain) {
                if !d.fract().is_zero() {
                    let r = d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
                    return Some(Text::new(
                        format!("此字段只能填整数：把“{shown}”取整（如 {}），或在规则集中把字段类型声明为 \"number\"（数值）", r.normalize()),
                        "this field counts whole things; round the value or declare the field as type \"number\"",
                    ));
                }
                return Some(Text::new(
                    "数字过大，超出整数的范围",
                    "the number is too large for a whole-number field",
                ));
            }
            if t.ends_with('%') {
                return Some(percent_in_number());
            }
            match number_in(t) {
                Some(n) if n.fract().is_zero() => Some(digits(n)),
                Some(n) => {
                    let r = n.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
                    Some(Text::new(
                        format!("此字段只能填整数：把“{shown}”改为整数，如 {}", r.normalize()),
                        format!(
                            "this field counts whole things: change `{shown}` to a whole number, such as {}",
                            r.normalize()
                        ),
                    ))
                }
                None => None,
            }
        }
        FieldType::Number => {
            if t.ends_with('%') {
                return Some(percent_in_number());
            }
            number_in(t).map(digits)
        }
        FieldType::Percent => percent_in(t).map(|n| {
            let n = n.normalize();
            Text::new(
                format!("把“{shown}”改为 {n}%"),
                format!("change `{shown}` to {n}%"),
            )
        }),
        FieldType::Bool => yes_no_in(t).map(|yes| {
            let v = if yes { "是" } else { "否" };
            Text::new(
                format!("把“{shown}”改为“{v}”"),
                format!("change `{shown}` to `{v}`"),
            )
        }),
    }
}

/// The hint for a `%` in a number field.
fn percent_in_number() -> Text {
    Text::new(
        "去掉“%”，或在规则集中把字段类型声明为 \"percent\"（百分比）",
        "remove the `%`, or declare the field as type \"percent\"",
    )
}

/// A yes/no written in words the reader does not take: `Some(true)` for yes.
fn yes_no_in(t: &str) -> Option<bool> {
    let t: String = t
        .trim_end_matches(['。', '！', '!', '.'])
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    const YES: &[&str] = &[
        "是的",
        "对",
        "对的",
        "有的",
        "已",
        "已经",
        "已完成",
        "完成",
        "达标",
        "合格",
        "通过",
        "ok",
        "t",
        "✔",
        "☑",
        "✅",
        "○",
        "〇",
        "yes!",
        "真",
    ];
    const NO: &[&str] = &[
        "不是",
        "不",
        "不对",
        "没有",
        "没",
        "未",
        "未完成",
        "不达标",
        "不合格",
        "无此情况",
        "x",
        "✘",
        "✖",
        "❌",
        "☐",
        "f",
        "假",
    ];
    if YES.contains(&t.as_str()) {
        Some(true)
    } else if NO.contains(&t.as_str()) {
        Some(false)
    } else {
        None
    }
}

/// A percentage written out: “百分之九十” → 90, “九成” → 90, or one number among words and
/// signs (“96.5 %”, “约95%”).
fn percent_in(t: &str) -> Option<Decimal> {
    let t = t.trim();
    if let Some(rest) = t.strip_prefix("百分之") {
        return number_in(rest);
    }
    if let Some(rest) = t.strip_suffix('成') {
        return number_in(rest).and_then(|n| n.checked_mul(Decimal::TEN));
    }
    number_in(t)
}

/// Characters that may stand beside a number written in Chinese numerals: counters and
/// units (次 人 起 …) and words such as 共 约 余. Anything else (“一些”, “万一”) is not taken
/// for a number.
const BESIDE_NUMERALS: &str = "次人起个名户件处家所条例宗份项座台辆只位场批元角天日月年周分吨克斤米里亩余多约共计合总为整号第左右以上下内外及近达%";

/// A number written among words: the one run of digits (“3人” → 3, “1.5万” → 15000) or of
/// Chinese numerals beside counters (“六次” → 6, “十二人” → 12, “两起” → 2, “一百零五” → 105,
/// “三点五” → 3.5) in the text. `None` when there is none, or more than one.
fn number_in(t: &str) -> Option<Decimal> {
    let chars: Vec<char> = t.chars().collect();
    let mut found: Option<Decimal> = None;
    let mut chinese = false;
    let mut others_beside = true;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_digits = c.is_ascii_digit()
            || (matches!(c, '-' | '.') && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        let n = if starts_digits {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_digit() || matches!(chars[i], '.' | ',')) {
                i += 1;
            }
            let run: String = chars[start..i].iter().filter(|c| **c != ',').collect();
            let mut n = Decimal::from_str(&run).ok()?;
            // “1.5万”: a multiplier right after the digits.
            let times = match chars.get(i) {
                Some('万') => Some(10_000),
                Some('亿') => Some(100_000_000),
                _ => None,
            };
            if let Some(times) = times {
                n = n.checked_mul(Decimal::from(times))?;
                i += 1;
            }
            Some(n)
        } else if numeral(c).is_some() {
            let start = i;
            while i < chars.len() && (numeral(chars[i]).is_some() || chars[i] == '点') {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let n = chinese_number(run.trim_end_matches('点'));
            chinese |= n.is_some();
            if n.is_none() {
                others_beside &= run.chars().all(|c| BESIDE_NUMERALS.contains(c));
            }
            n
        } else {
            others_beside &= c.is_whitespace() || BESIDE_NUMERALS.contains(c);
            i += 1;
            None
        };
        if let Some(n) = n {
            if found.is_some() {
                return None;
            }
            found = Some(n);
        }
    }
    if chinese && !others_beside {
        return None;
    }
    found
}

/// What a Chinese numeral character stands for: a digit (`Digit`), a unit within ten thousand
/// (十 百 千) or a unit of ten thousand and more (万 亿).
#[derive(Clone, Copy)]
enum Numeral {
    Digit(i128),
    Small(i128),
    Large(i128),
}

fn numeral(c: char) -> Option<Numeral> {
    use Numeral::{Digit, Large, Small};
    Some(match c {
        '零' | '〇' => Digit(0),
        '一' | '壹' | '幺' => Digit(1),
        '二' | '贰' | '两' => Digit(2),
        '三' | '叁' => Digit(3),
        '四' | '肆' => Digit(4),
        '五' | '伍' => Digit(5),
        '六' | '陆' => Digit(6),
        '七' | '柒' => Digit(7),
        '八' | '捌' => Digit(8),
        '九' | '玖' => Digit(9),
        '十' | '拾' => Small(10),
        '百' | '佰' => Small(100),
        '千' | '仟' => Small(1_000),
        '万' => Large(10_000),
        '亿' => Large(100_000_000),
        _ => return None,
    })
}

/// A number in Chinese numerals: “六” 6, “十二” 12, “一百零五” 105, “一百五” 150, “两万五” 25000,
/// “二〇二四” 2024, “三点五” 3.5.
fn chinese_number(s: &str) -> Option<Decimal> {
    let (whole, fraction) = match s.split_once('点') {
        Some((w, f)) => (w, Some(f)),
        None => (s, None),
    };
    let mut n = Decimal::try_from_i128_with_scale(chinese_whole(whole)?, 0).ok()?;
    if let Some(f) = fraction {
        let mut digits = String::new();
        for c in f.chars() {
            match numeral(c) {
                Some(Numeral::Digit(d)) => digits.push_str(&d.to_string()),
                _ => return None,
            }
        }
        if digits.is_empty() {
            return None;
        }
        n = n.checked_add(Decimal::from_str(&format!("0.{digits}")).ok()?)?;
    }
    Some(n)
}

fn chinese_whole(s: &str) -> Option<i128> {
    let items: Vec<Numeral> = s.chars().map(numeral).collect::<Option<_>>()?;
    if items.is_empty() {
        return None;
    }
    // Digits only (“二〇二四”): read digit by digit.
    if items.len() > 1 && items.iter().all(|n| matches!(n, Numeral::Digit(_))) {
        return items.iter().try_fold(0i128, |acc, n| match n {
            Numeral::Digit(d) => acc.checked_mul(10)?.checked_add(*d),
            _ => None,
        });
    }
    let (mut total, mut section) = (0i128, 0i128);
    let mut digit: Option<i128> = None;
    // The unit just passed, when a digit follows it directly (“一百五”: 五 is 五十).
    let mut last_unit: Option<i128> = None;
    let mut zero = false;
    for n in items {
        match n {
            Numeral::Digit(0) => {
                zero = true;
                digit = None;
            }
            Numeral::Digit(d) => {
                if digit.is_some() {
                    return None;
                }
                digit = Some(d);
            }
            Numeral::Small(u) => {
                section = section.checked_add(digit.unwrap_or(1).checked_mul(u)?)?;
                digit = None;
                last_unit = Some(u);
                zero = false;
            }
            Numeral::Large(u) => {
                let part = section.checked_add(digit.unwrap_or(0))?;
                if part == 0 && total == 0 {
                    return None;
                }
                total = if u > 10_000 {
                    total.checked_add(part)?.checked_mul(u)?
                } else {
                    total.checked_add(part.checked_mul(u)?)?
                };
                section = 0;
                digit = None;
                last_unit = Some(u);
                zero = false;
            }
        }
    }
    let tail = match (digit, last_unit, zero) {
        (Some(d), Some(u), false) if u >= 100 => d.checked_mul(u / 10)?,
        (Some(d), _, _) => d,
        (None, _, _) => 0,
    };
    total.checked_add(section)?.checked_add(tail)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_used() {
        crate::messages::check_codes(include_str!("data.rs"), 'D', KINDS);
    }

    fn n(s: &str) -> Option<String> {
        number_in(s).map(|d| d.normalize().to_string())
    }

    #[test]
    fn numbers_in_words_are_found() {
        assert_eq!(n("六次").as_deref(), Some("6"));
        assert_eq!(n("十二人").as_deref(), Some("12"));
        assert_eq!(n("两起").as_deref(), Some("2"));
        assert_eq!(n("一百零五").as_deref(), Some("105"));
        assert_eq!(n("一百五").as_deref(), Some("150"));
        assert_eq!(n("两万五千").as_deref(), Some("25000"));
        assert_eq!(n("两万五").as_deref(), Some("25000"));
        assert_eq!(n("三万零二十").as_deref(), Some("30020"));
        assert_eq!(n("二〇二四年").as_deref(), Some("2024"));
        assert_eq!(n("三点五吨").as_deref(), Some("3.5"));
        assert_eq!(n("九十六").as_deref(), Some("96"));
        assert_eq!(n("零").as_deref(), Some("0"));
        assert_eq!(n("壹佰贰拾").as_deref(), Some("120"));
        assert_eq!(n("3人").as_deref(), Some("3"));
        assert_eq!(n("共 12 次").as_deref(), Some("12"));
        assert_eq!(n("1.5万").as_deref(), Some("15000"));
        assert_eq!(n("1,234元").as_deref(), Some("1234"));
        assert_eq!(n("-3起").as_deref(), Some("-3"));
        // None, or more than one: no guess.
        assert_eq!(n("abc"), None);
        assert_eq!(n("一些"), None);
        assert_eq!(n("万一"), None);
        assert_eq!(n("约六次"), Some("6".into()));
        assert_eq!(n("三到五次"), None);
        assert_eq!(n("3-5"), None);
        assert_eq!(n("1.2.3"), None);
        // Too large for a decimal, or odd: no guess, and no panic.
        assert_eq!(n("九亿亿亿亿亿亿"), None);
        assert_eq!(n(&"9".repeat(40)), None);
        for odd in [
            "点",
            "一点",
            "点五",
            "亿",
            "十十十",
            "零零",
            "-",
            ".",
            "1万万",
            "三点五点六",
        ] {
            let _ = n(odd);
            let _ = cell_hint(FieldType::Int, odd, odd);
            let _ = cell_hint(FieldType::Percent, odd, odd);
        }
        assert!(n(&format!("一点{}", "五".repeat(60))).is_some());
    }

    #[test]
    fn hints_suggest_the_fix() {
        let hint = |ty, s: &str| cell_hint(ty, s, s).map(|t| t.zh);
        assert_eq!(
            hint(FieldType::Int, "六次").as_deref(),
            Some("把“六次”改为数字 6")
        );
        assert_eq!(
            cell_hint(FieldType::Int, "六次", "六次").unwrap().en,
            "change `六次` to the number 6"
        );
        assert_eq!(
            hint(FieldType::Int, "3人").as_deref(),
            Some("把“3人”改为数字 3")
        );
        assert_eq!(
            hint(FieldType::Percent, "百分之九十").as_deref(),
            Some("把“百分之九十”改为 90%")
        );
        assert_eq!(
            hint(FieldType::Percent, "九成五").as_deref(),
            None,
            "九成五 is not 九成: no guess"
        );
        assert_eq!(
            hint(FieldType::Percent, "九成").as_deref(),
            Some("把“九成”改为 90%")
        );
        assert_eq!(
            hint(FieldType::Bool, "是的").as_deref(),
            Some("把“是的”改为“是”")
        );
        assert_eq!(
            hint(FieldType::Bool, "没有").as_deref(),
            Some("把“没有”改为“否”")
        );
        assert_eq!(hint(FieldType::Bool, "也许"), None);
        assert!(hint(FieldType::Int, "2.5").unwrap().contains("如 3"));
        assert!(hint(FieldType::Int, "96%").unwrap().contains("percent"));
        assert_eq!(hint(FieldType::Number, "abc"), None);
        // Every bad cell still gets a hint: the general one.
        let m = not_of_type(FieldType::Number, "abc", None);
        assert_eq!(m.code, "D0201");
        assert!(m.help.unwrap().zh.contains("阿拉伯数字"));
    }

    #[test]
    fn a_near_value_is_suggested() {
        let allowed = ["乡镇".to_string(), "部门".to_string()];
        let m = not_allowed("乡", &allowed);
        assert_eq!(m.text.zh, "只能填“乡镇”“部门”之一，实际填的是“乡”");
        assert_eq!(
            m.help.as_ref().unwrap().zh,
            "是不是“乡镇”？把“乡”改为“乡镇”"
        );
        assert_eq!(m.help.unwrap().en, "did you mean `乡镇`?");
        let m = not_allowed("街道办事处", &allowed);
        assert_eq!(
            m.help.unwrap().en,
            "write one of the allowed values exactly as listed"
        );
    }
}
