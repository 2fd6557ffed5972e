//! Importing a published rubric (导入评分细则): `kaohe import` reads a 评分细则 table and writes
//! a rule-set skeleton; these are its messages, and the to-do a skeleton leaves for `check`.
//!
//! Codes by theme: `I00xx` the rubric's file and table (表格), `I01xx` an imported rule set's
//! unfinished items (待完成), `I02xx` what the rubric's own numbers contradict (分值核对),
//! `I03xx` the import's summary.

use super::{Message, Text};

/// Every import code with its short title in zh-CN and English, each listed once.
#[allow(dead_code)] // the list of kinds: checked by the tests below
pub const KINDS: &[(&str, &str, &str)] = &[
    (
        "I0001",
        "评分细则文件类型不支持",
        "rubric file type not supported",
    ),
    ("I0002", "评分细则没有表头", "rubric without a header row"),
    ("I0003", "评分细则没有考核项目", "rubric without items"),
    ("I0004", "评分细则无法读取", "rubric unreadable"),
    ("I0005", "评分细则过大", "rubric too large"),
    ("I0101", "条目尚待完成", "item still to do"),
    (
        "I0201",
        "大类分值与各项合计不符",
        "section maximum differs from its items",
    ),
    (
        "I0202",
        "各大类合计与总分不符",
        "sections do not add up to the total",
    ),
    ("I0203", "分值无法识别", "maximum not a number"),
    ("I0301", "导入结果", "import summary"),
];

/// A list of rubric rows as a message writes them: 第3、8、12行 / rows 3, 8, 12.
pub(crate) fn rows(list: &[usize]) -> Text {
    let zh: Vec<String> = list.iter().map(ToString::to_string).collect();
    Text::new(
        format!("第{}行", zh.join("、")),
        format!(
            "{} {}",
            if list.len() == 1 { "row" } else { "rows" },
            zh.join(", ")
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// I00xx: the rubric's file and table
// ---------------------------------------------------------------------------------------------

/// I0001: a rubric that is neither a spreadsheet nor CSV (or a spreadsheet in a module
/// without the reader).
pub(crate) fn unsupported(name: &str) -> Message {
    Message::new(
        "I0001",
        format!("无法导入“{name}”：评分细则须为 .xlsx/.xls/.ods 表格或 .csv 文件"),
        format!("cannot import `{name}`: a rubric must be an .xlsx/.xls/.ods spreadsheet or a .csv file"),
    )
    .help(
        "在 Excel 或 WPS 中打开细则，另存为 .xlsx 或 .csv；Word 文档中的表格可复制到 Excel 后保存",
        "open the rubric in Excel or WPS and save it as .xlsx or .csv; a table in a Word document can be pasted into Excel first",
    )
}

/// I0002: no row among the first ones names the columns.
pub(crate) fn no_header(searched: usize) -> Message {
    Message::new(
        "I0002",
        format!("前 {searched} 行中没有找到表头：需要“分值”列，以及“考核项目”“考核内容”或“评分标准”列"),
        format!("no header row in the first {searched} rows: a `分值` column is needed, and a `考核项目`, `考核内容` or `评分标准` column"),
    )
    .help(
        "在表格上方加一行表头，如：考核项目、考核内容、分值、评分标准、考核方式、责任单位",
        "add a header row above the table, such as 考核项目, 考核内容, 分值, 评分标准, 考核方式, 责任单位",
    )
}

/// I0003: a header but no item under it.
pub(crate) fn no_items() -> Message {
    Message::new(
        "I0003",
        "表头下面没有考核项目：每个考核项目应占一行，写出分值和评分标准",
        "no items under the header: each item needs a row with its maximum and its scoring standard",
    )
    .help(
        "检查细则是否在第一个工作表中，表头之下是否有内容",
        "check that the rubric is in the first sheet and that rows follow its header",
    )
}

/// I0005: more rows or bytes than any published rubric has: not read further.
pub(crate) fn too_large(name: &str, rows: usize, bytes: usize) -> Message {
    Message::new(
        "I0005",
        format!(
            "`{name}` 太大，不像一份评分细则：评分细则最多 {rows} 行、{} MB",
            bytes >> 20
        ),
        format!(
            "`{name}` is too large for a rubric: a rubric has at most {rows} rows and {} MB",
            bytes >> 20
        ),
    )
    .help(
        "只保留评分细则那一张表（考核项目、分值、评分标准），另存后再导入",
        "keep only the rubric's table (items, points, scoring standard), save it and import again",
    )
}

/// I0004: the file could not be read; `why` is the reader's own message.
#[cfg_attr(not(feature = "spreadsheets"), allow(dead_code))] // read only with the spreadsheet reader
pub(crate) fn unreadable(name: &str, why: &Message) -> Message {
    Message::new(
        "I0004",
        format!("无法读取评分细则“{name}”：[{}] {}", why.code, why.text.zh),
        format!(
            "cannot read the rubric `{name}`: [{}] {}",
            why.code, why.text.en
        ),
    )
    .maybe_help(why.help.clone())
}

/// I0004: a CSV row that cannot be read (an open quote …).
pub(crate) fn unreadable_csv(name: &str, line: usize, why: &str) -> Message {
    Message::new(
        "I0004",
        format!("无法读取评分细则“{name}”第{line}行：{why}"),
        format!("cannot read the rubric `{name}` at line {line}: {why}"),
    )
    .help(
        "检查该行的引号是否成对；也可在 Excel 或 WPS 中打开后另存为 .xlsx 再导入",
        "check that the quotes in that line are paired; or open the file in Excel or WPS, save it as .xlsx and import that",
    )
}

// ---------------------------------------------------------------------------------------------
// I01xx: an imported rule set's unfinished items
// ---------------------------------------------------------------------------------------------

/// I0101: `todo("id", #{ … })` left in a rule set: the item still needs a scoring shape.
pub(crate) fn todo_left(id: &str, label: &str) -> Message {
    let named = if label.is_empty() {
        format!("“{id}”")
    } else {
        format!("“{id}”（{label}）")
    };
    let named_en = if label.is_empty() {
        format!("`{id}`")
    } else {
        format!("`{id}` ({label})")
    };
    Message::new(
        "I0101",
        format!("条目{named}尚待完成：导入时未能把评分标准转换为计分方式"),
        format!("item {named_en} is still to do: its scoring standard was not turned into a scoring shape at import"),
    )
    .help(
        "把 `todo` 改为 `indicator`（加分项改为 `bonus`），按 text 中的评分标准写出计分方式：deduct、count、target、linear、bands、zero、yes 或 score，需要的字段用 field(…) 声明",
        "change `todo` to `indicator` (`bonus` for a bonus item) and write the scoring shape the text describes: deduct, count, target, linear, bands, zero, yes or score, declaring the fields it reads with field(…)",
    )
}

// ---------------------------------------------------------------------------------------------
// I02xx: the rubric's own numbers
// ---------------------------------------------------------------------------------------------

/// I0201: a section's stated maximum and the sum of its items' maxima differ.
pub(crate) fn section_sum(
    row: usize,
    section: &str,
    stated: &str,
    items: &[usize],
    sum: &str,
) -> Message {
    let r = rows(items);
    Message::new(
        "I0201",
        format!("第{row}行“{section}”写明 {stated} 分，其下各项（{}）合计 {sum} 分，两者不符", r.zh),
        format!("row {row}: `{section}` states {stated} points but its items ({}) add up to {sum}", r.en),
    )
    .help(
        "核对细则原文，改正大类分值或各项分值；生成的规则集按原文写出，改正前 kaohe check 会再次指出",
        "check the published rubric and correct the section's or the items' points; the rule set is written as published, and kaohe check reports it again until corrected",
    )
}

/// I0202: the sections' maxima do not add up to the stated total (or 100).
pub(crate) fn total_sum(
    sections: &[usize],
    sum: &str,
    total: &str,
    stated_at: Option<usize>,
) -> Message {
    let r = rows(sections);
    let (zh, en) = match stated_at {
        Some(t) => (
            format!("第{t}行写明的总分 {total} 分"),
            format!("the total of {total} stated in row {t}"),
        ),
        None => (
            format!("百分制总分 {total} 分"),
            format!("a total of {total}"),
        ),
    };
    Message::new(
        "I0202",
        format!("各大类（{}）合计 {sum} 分，与{zh}不符", r.zh),
        format!("the sections ({}) add up to {sum}, not {en}", r.en),
    )
    .help(
        "核对细则原文：改正某一大类的分值，或在 ruleset 中写明实际总分 max",
        "check the published rubric: correct a section's points, or state the real total as the ruleset's max",
    )
}

/// I0203: a 分值 cell that is not a number.
pub(crate) fn bad_max(row: usize, written: &str) -> Message {
    Message::new(
        "I0203",
        format!("第{row}行的分值“{written}”不是数字，该项按 0 分导入"),
        format!("row {row}: the maximum `{written}` is not a number; the item is imported with 0 points"),
    )
    .help(
        "在分值列写数字，如 5 或 0.5；生成的规则集中改正该项的 max",
        "write a number in the 分值 column, such as 5 or 0.5; correct the item's max in the rule set",
    )
}

// ---------------------------------------------------------------------------------------------
// I03xx: the summary
// ---------------------------------------------------------------------------------------------

/// I0301: what the import made.
pub(crate) fn summary(
    out: &str,
    items: usize,
    shaped: usize,
    todo: usize,
    vetoes: usize,
) -> Message {
    Message::new(
        "I0301",
        format!("已写出 {out}：{items} 个考核项目，{shaped} 个识别为计分方式，{todo} 个待完成（todo），一票否决 {vetoes} 项"),
        format!("wrote {out}: {items} items, {shaped} turned into scoring shapes, {todo} left to do (todo), {vetoes} vetoes"),
    )
    .help(
        "补全 todo(…) 条目，核对生成的字段名称与计分方式，再运行 kaohe check 检查",
        "finish the todo(…) items, review the generated fields and shapes, then run kaohe check",
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_listed_once_and_used() {
        crate::messages::check_codes(include_str!("import.rs"), 'I', super::KINDS);
    }
}
