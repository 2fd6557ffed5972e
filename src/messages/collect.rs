//! Data collection (数据收集): the form a rule set gives each unit to fill in (`kaohe template`)
//! and the merge of the returned forms into one checked dataset (`kaohe merge`). Codes `F…`:
//! `F00xx` the form and its list of units, `F01xx` what a merge finds across the returned
//! files (a unit returned twice, missing, unexpected, in another sheet). A bad cell in a
//! returned file is a data error (`D…`) with the file and sheet in front of it.
//!
//! The words of the form itself (its notes sheet, the header comments) and of the merge's
//! 数据核对 sheet are here too, as texts in both languages.

use super::{closest, Message, Text};
use crate::data::quoted;

/// Every code of this file: (code, 中文标题, English title).
pub const KINDS: &[(&str, &str, &str)] = &[
    (
        "F0001",
        "无法生成填报表",
        "cannot build the data-collection form",
    ),
    ("F0002", "名单中没有这个单位", "no such unit in the list"),
    (
        "F0003",
        "--unit 需要单位名单",
        "--unit needs a list of units",
    ),
    ("F0004", "单位名单中没有单位", "the list of units is empty"),
    ("F0005", "没有给出返回的文件", "no returned files given"),
    (
        "F0006",
        "合并结果只能写成 .xlsx 或 .csv",
        "a merge is written as .xlsx or .csv",
    ),
    (
        "F0101",
        "同一单位两次返回，数据不同",
        "a unit returned twice with different values",
    ),
    (
        "F0102",
        "同一单位两次返回，数据相同",
        "a unit returned twice with the same values",
    ),
    (
        "F0103",
        "单位没有返回数据",
        "a unit did not return its form",
    ),
    ("F0104", "名单之外的单位", "a unit not in the list"),
    (
        "F0105",
        "单位填在了另一个工作表",
        "units filled in another sheet",
    ),
    (
        "F0106",
        "单位名称与名单不符",
        "a unit's name differs from the list",
    ),
    (
        "F0107",
        "是/否写成了别的样子",
        "yes or no written another way",
    ),
];

/// F0001: the XLSX writer failed, or this build writes no workbooks.
pub fn cannot_build_form(why: &str) -> Message {
    Message::new(
        "F0001",
        format!("无法生成填报表：{why}"),
        format!("cannot build the form: {why}"),
    )
}

/// F0002: `--unit CODE` names no unit of the list.
pub fn unit_not_listed(code: &str, listed: &[&str]) -> Message {
    let m = Message::new(
        "F0002",
        format!("单位名单中没有编码为“{}”的单位", quoted(code)),
        format!("the list of units has no unit `{}`", quoted(code)),
    );
    match closest(code, listed.iter().copied()) {
        Some(near) => m.help(
            format!("是不是“{near}”？"),
            format!("did you mean `{near}`?"),
        ),
        None => m.help(
            "--unit 后写名单中“单位编码”列的值（也可以写单位名称）",
            "give `--unit` a code (or name) from the list's id column",
        ),
    }
}

/// F0003: `--unit` without `--units`: which unit it is, and which items it is assessed on,
/// come from the list.
pub fn unit_needs_list() -> Message {
    Message::new(
        "F0003",
        "--unit 需要同时给出单位名单（--units）",
        "`--unit` needs the list of units (`--units`)",
    )
    .help(
        "kaohe template 规则.rhai --units 单位名单.csv --unit 编码 --out 表.xlsx",
        "run `kaohe template RULES --units UNITS.csv --unit CODE --out FORM.xlsx`",
    )
}

/// F0004: a list of units that holds none.
pub fn empty_list(name: &str) -> Message {
    Message::new(
        "F0004",
        format!("单位名单“{name}”中没有单位"),
        format!("the list of units `{name}` holds no units"),
    )
    .help(
        "名单的表头要有“单位编码”列，其下每行一个单位",
        "the list needs the unit-id column, one unit per row below it",
    )
}

/// F0005: `kaohe merge` with no returned files (the CLI's argument parser asks for one; the JS
/// API's `mergeReturns` gives this).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub fn no_returns() -> Message {
    Message::new("F0005", "没有给出返回的文件", "no returned files given").help(
        "kaohe merge 规则.rhai 返回/*.xlsx --out 合并.xlsx",
        "run `kaohe merge RULES RETURNS... --out MERGED.xlsx`",
    )
}

/// F0006: `--out` of a merge that is neither XLSX nor CSV.
pub fn merge_out_format(path: &str) -> Message {
    Message::new(
        "F0006",
        format!("合并结果“{path}”只能写成 .xlsx 或 .csv"),
        format!("the merge `{path}` can only be written as .xlsx or .csv"),
    )
    .help(
        "用 .xlsx（含“数据核对”工作表）或 .csv（问题只在屏幕上列出）",
        "use .xlsx (with the 数据核对 sheet) or .csv (problems printed only)",
    )
}

/// One differing value of a unit returned twice: the field, and the value in each return.
pub struct Differs<'a> {
    /// The field's label.
    pub label: &'a str,
    /// The value in the first return, as it reads.
    pub first: String,
    /// The value in this return.
    pub here: String,
}

/// F0101: a unit returned twice with different values: both are shown, and neither is scored.
pub fn returned_twice_differs(first: &Text, differs: &[Differs<'_>]) -> Message {
    let zh: Vec<String> = differs
        .iter()
        .map(|d| {
            format!(
                "{}：这里“{}”，{}“{}”",
                d.label,
                quoted(&d.here),
                first.zh,
                quoted(&d.first)
            )
        })
        .collect();
    let en: Vec<String> = differs
        .iter()
        .map(|d| {
            format!(
                "{}: `{}` here, `{}` in {}",
                d.label,
                quoted(&d.here),
                quoted(&d.first),
                first.en
            )
        })
        .collect();
    Message::new(
        "F0101",
        format!(
            "这个单位在{}已返回过，两份数据不同（{}）",
            first.zh,
            zh.join("；")
        ),
        format!(
            "this unit was returned in {} too, with other values ({})",
            first.en,
            en.join("; ")
        ),
    )
    .help(
        "与填报单位核实哪一份是对的，删去另一份后重新合并；两份都没有计入合并结果的得分",
        "check with the unit which return is right and merge again without the other; neither is scored as it is",
    )
}

/// F0102: a unit returned twice with the same values: kept once.
pub fn returned_twice_same(first: &Text) -> Message {
    Message::new(
        "F0102",
        format!("这个单位在{}已返回过，两份数据相同，只保留一份", first.zh),
        format!(
            "this unit was returned in {} too, with the same values; kept once",
            first.en
        ),
    )
}

/// F0103: a unit of the list that no return holds.
pub fn not_returned() -> Message {
    Message::new(
        "F0103",
        "这个单位没有返回数据",
        "this unit returned no data",
    )
    .help(
        "催报：请该单位填写并返回填报表（kaohe template … --unit 编码 可单独生成它的表）",
        "ask the unit for its form (`kaohe template … --unit CODE` makes its own)",
    )
}

/// F0104: a unit no list holds; `listed` is the code the list gives a unit of the same name.
pub fn not_in_list(listed: Option<&str>) -> Message {
    let m = Message::new(
        "F0104",
        "这个单位不在单位名单中",
        "this unit is not in the list of units",
    );
    match listed {
        Some(code) => m.help(
            format!("名单中同名单位的编码是“{code}”：是不是编码填错了？"),
            format!("the list gives a unit of this name the code `{code}`: is the code mistyped?"),
        ),
        None => m.help(
            "核对单位编码；确属新增单位的，先加入单位名单",
            "check the code; add a new unit to the list first",
        ),
    }
}

/// F0105: units filled in a sheet other than the form's: read, and said.
pub fn in_another_sheet(sheet: &str, first: &str, units: usize) -> Message {
    Message::new(
        "F0105",
        format!("工作表“{sheet}”中也填了 {units} 个单位（填报表是“{first}”），已一并读入"),
        format!(
            "the sheet `{sheet}` holds {units} unit(s) too (the form is `{first}`); they were read"
        ),
    )
    .help(
        "核对这些单位是否重复填报；以后请都填在填报表中",
        "check that they are not returned twice; units belong in the form's sheet",
    )
}

/// F0106: a returned unit whose name is not the list's.
pub fn name_differs(listed: &str, here: &str) -> Message {
    Message::new(
        "F0106",
        format!(
            "单位名称“{}”与名单中的“{}”不一致",
            quoted(here),
            quoted(listed)
        ),
        format!(
            "the unit's name `{}` is not the list's `{}`",
            quoted(here),
            quoted(listed)
        ),
    )
    .help(
        "核对单位编码是否填错；名称写法不同而确是同一单位的，可不处理",
        "check the code; a name merely written differently can stay",
    )
}

/// F0107: a yes/no cell written another way (`有`, `√`, `1` …): read, and said, so that the
/// merged data's 是/否 can be checked against the return.
pub fn yes_no_written(raw: &str, read_as: &str) -> Message {
    Message::new(
        "F0107",
        format!("“{}”已按“{read_as}”读入", quoted(raw)),
        format!("`{}` was read as `{read_as}`", quoted(raw)),
    )
    .help(
        "是/否类的项目请从下拉列表中选“是”或“否”",
        "pick 是 or 否 from the dropdown for yes/no items",
    )
}

/// Where a problem of a merge is: the file, and the sheet when the file has sheets.
pub fn in_file(file: &str, sheet: Option<&str>) -> Text {
    match sheet {
        Some(s) => Text::new(
            format!("{file}（工作表“{s}”）"),
            format!("{file} (sheet `{s}`)"),
        ),
        None => Text::new(file, file),
    }
}

/// How another return is named in a message: its file, sheet and row.
pub fn other_return(file: &str, sheet: Option<&str>, row: usize) -> Text {
    let place = in_file(file, sheet);
    // No space after a closing full-width bracket.
    let gap = if sheet.is_some() { "" } else { " " };
    Text::new(
        format!("{}{gap}第 {row} 行", place.zh),
        format!("{} row {row}", place.en),
    )
}

/// How several returned files are named in the summary of their data errors.
pub fn returned_files(n: usize) -> Text {
    Text::new(
        format!("{n} 个返回的文件"),
        format!("the {n} returned files"),
    )
}

/// The line `kaohe template` prints when the form is written.
pub fn form_written(path: &str, units: usize, columns: usize) -> Text {
    if units == 0 {
        Text::new(
            format!("已写出填报表“{path}”：{columns} 列，单位自行填写编码和名称"),
            format!(
                "wrote the form `{path}`: {columns} columns; units fill in their codes and names"
            ),
        )
    } else {
        Text::new(
            format!("已写出填报表“{path}”：{units} 个单位，{columns} 列"),
            format!("wrote the form `{path}`: {units} unit(s), {columns} columns"),
        )
    }
}

/// One line per returned file in `kaohe merge`'s report.
pub fn file_line(file: &str, units: usize, errors: usize, notes: usize) -> Text {
    let (zh, en) = match (errors, notes) {
        (0, 0) => ("没有问题".to_string(), "no problems".to_string()),
        (e, 0) => (format!("{e} 处错误"), format!("{e} error(s)")),
        (0, n) => (format!("{n} 处提示"), format!("{n} note(s)")),
        (e, n) => (
            format!("{e} 处错误，{n} 处提示"),
            format!("{e} error(s), {n} note(s)"),
        ),
    };
    Text::new(
        format!("{file}：{units} 个单位，{zh}"),
        format!("{file}: {units} unit(s), {en}"),
    )
}

/// The last line of `kaohe merge`: how many files, units, errors and notes.
pub fn merge_summary(files: usize, units: usize, errors: usize, notes: usize) -> Text {
    Text::new(
        format!("合并 {files} 个文件：{units} 个单位可以计分；{errors} 处错误，{notes} 处提示"),
        format!(
            "merged {files} file(s): {units} unit(s) ready to score; {errors} error(s), {notes} note(s)"
        ),
    )
}

/// The line after `kaohe merge` wrote its result.
pub fn merge_written(path: &str, xlsx: bool) -> Text {
    if xlsx {
        Text::new(
            format!("已写出“{path}”：合并数据，以及列出每处问题的“数据核对”工作表"),
            format!("wrote `{path}`: the merged data and the 数据核对 sheet listing every problem"),
        )
    } else {
        Text::new(
            format!("已写出“{path}”（合并数据）"),
            format!("wrote `{path}` (the merged data)"),
        )
    }
}

/// The words of the form (填报表) and its notes sheet (说明).
pub mod form_words {
    use crate::messages::Text;

    /// The form's title: the rule set's, and the unit's name for a unit's own form.
    pub fn title(rule_set: &str, unit: Option<&str>) -> Text {
        match unit {
            Some(u) => Text::new(
                format!("{rule_set}　数据填报表（{u}）"),
                format!("{rule_set}: data form ({u})"),
            ),
            None => Text::new(
                format!("{rule_set}　数据填报表"),
                format!("{rule_set}: data form"),
            ),
        }
    }

    /// The line under the title.
    pub fn subtitle(period: Option<&str>) -> Text {
        let (zh, en) = match period {
            Some(p) => (format!("考核期间：{p}。"), format!("Period: {p}. ")),
            None => (String::new(), String::new()),
        };
        Text::new(
            format!("{zh}橙色表头为必填项；把鼠标移到表头上可看到该项用于哪些考核指标；填报说明见“说明”工作表。"),
            format!("{en}Orange headers must be filled in; a header's comment names the indicators that use it; see the notes sheet."),
        )
    }

    /// The notes sheet's heading lines: (label, value) of the rule set's publication.
    pub fn facts() -> [Text; 4] {
        [
            Text::new("考核办法", "Assessment"),
            Text::new("发文单位", "Issued by"),
            Text::new("考核期间", "Period"),
            Text::new("文号", "Document"),
        ]
    }

    /// The heading of the instructions.
    pub fn instructions_heading() -> Text {
        Text::new("填报须知", "How to fill in the form")
    }

    /// The instructions, one per line, for the form's sheet `sheet`.
    pub fn instructions(sheet: &str, listed: bool) -> Vec<Text> {
        let mut out = Vec::new();
        if listed {
            out.push(Text::new(
                format!("在“{sheet}”工作表中，每个单位一行。单位编码、单位名称等已预先填好并锁定，请勿改动。"),
                format!("In the sheet `{sheet}`, one row per unit. Codes and names are filled in and locked: do not change them."),
            ));
        } else {
            out.push(Text::new(
                format!("在“{sheet}”工作表中，每个单位一行，先填单位编码和单位名称。"),
                format!("In the sheet `{sheet}`, one row per unit: its code and name first."),
            ));
        }
        out.extend([
            Text::new(
                "不要修改表头，不要插入、删除或移动列，也不要改动工作表的名称；不要合并单元格。",
                "Do not change the headers, insert, delete or move columns, rename the sheet, or merge cells.",
            ),
            Text::new(
                "橙色表头的项目必须填写；其他项目可以留空，留空时按下表“留空时”一栏计。",
                "Orange headers must be filled in; the others may be left blank, which counts as the table below says.",
            ),
            Text::new(
                "“是/否”类的项目，从下拉列表中选“是”或“否”；有固定选项的项目，从下拉列表中选。",
                "Yes/no items: pick 是 or 否 from the list; items with fixed choices: pick from the list.",
            ),
            Text::new(
                "整数类的项目只填阿拉伯数字，如 6，不要写“六次”“6次”；数值类的项目可以带小数。",
                "Whole-number items take digits only, such as 6, not 六次 or 6次; numbers may have decimals.",
            ),
            Text::new(
                "百分比类的项目填百分数的数值：96.5 表示 96.5%（直接输入 96.5% 也可以）。",
                "Percentages: 96.5 means 96.5% (typing 96.5% works too).",
            ),
            Text::new(
                "填错的格子会被拒绝并提示正确的填法；把鼠标移到表头上，可看到该项用于哪些考核指标。",
                "A wrong entry is refused with how to fill it in; a header's comment names the indicators that use it.",
            ),
            Text::new(
                "填好后按原文件格式（.xlsx）保存并返回，不要另存为图片、PDF 或其他格式。",
                "Save it as .xlsx when done and return it as it is, not as a picture, a PDF or another format.",
            ),
        ]);
        out
    }

    /// The heading of the table of items.
    pub fn items_heading() -> Text {
        Text::new("填报项目一览", "The items of the form")
    }

    /// The table of items' column headings.
    pub fn item_columns() -> [Text; 7] {
        [
            Text::new("列", "Column"),
            Text::new("项目", "Item"),
            Text::new("类型", "Type"),
            Text::new("必填", "Required"),
            Text::new("可填的值", "Allowed values"),
            Text::new("留空时", "If blank"),
            Text::new("用于", "Used by"),
        ]
    }

    /// Whether an item must be filled in.
    pub fn required(yes: bool) -> Text {
        if yes {
            Text::new("必填", "yes")
        } else {
            Text::new("可空", "no")
        }
    }

    /// What a blank counts as: the default, or nothing (the item is left out).
    pub fn if_blank(default: Option<&str>) -> Text {
        match default {
            Some(d) => Text::new(format!("按“{d}”计"), format!("counts as `{d}`")),
            None => Text::new("空缺", "left blank"),
        }
    }

    /// A field type's name in the table.
    pub fn type_name(ty: crate::model::FieldType) -> Text {
        use crate::model::FieldType;
        match ty {
            FieldType::Text => Text::new("文本", "text"),
            FieldType::Int => Text::new("整数", "whole number"),
            FieldType::Number => Text::new("数值", "number"),
            FieldType::Percent => Text::new("百分比", "percentage"),
            FieldType::Bool => Text::new("是/否", "yes/no"),
        }
    }

    /// The values an item takes, in words.
    pub fn allowed(
        ty: crate::model::FieldType,
        range: &crate::model::Range,
        choices: &[String],
    ) -> Text {
        use crate::model::FieldType;
        if !choices.is_empty() {
            let list = choices.join("、");
            return Text::new(list.clone(), choices.join(", "));
        }
        let fmt = |d: Option<rust_decimal::Decimal>| d.map(crate::figures::fmt);
        // A range the rule set wrote, in words: `-10 至 50`, `5 或以上`, `50 或以下`.
        let span = match (fmt(range.min), fmt(range.max)) {
            (Some(lo), Some(hi)) => Some((format!("{lo} 至 {hi}"), format!("{lo} to {hi}"))),
            (Some(lo), None) => Some((format!("{lo} 或以上"), format!("{lo} or more"))),
            (None, Some(hi)) => Some((format!("{hi} 或以下"), format!("{hi} or less"))),
            (None, None) => None,
        };
        match (ty, span) {
            (FieldType::Text, _) => Text::new("任意文字", "any text"),
            (FieldType::Int, _) if !range.declared => {
                Text::new("0 或正整数", "a whole number from 0")
            }
            (FieldType::Int, Some((zh, en))) => {
                Text::new(format!("{zh}的整数"), format!("a whole number, {en}"))
            }
            (FieldType::Int, None) => Text::new("整数", "a whole number"),
            (FieldType::Number, Some((zh, en))) => Text::new(
                format!("{zh}的数字，可带小数"),
                format!("a number, {en}, decimals allowed"),
            ),
            (FieldType::Number, None) => Text::new("数字，可带小数", "a number, decimals allowed"),
            (FieldType::Percent, Some((zh, en))) => Text::new(
                format!("{zh}（96.5 表示 96.5%）"),
                format!("{en} (96.5 means 96.5%)"),
            ),
            (FieldType::Percent, None) => Text::new(
                "百分比数字（96.5 表示 96.5%）",
                "a percentage (96.5 means 96.5%)",
            ),
            (FieldType::Bool, _) => Text::new("是、否", "是, 否"),
        }
    }

    /// What a blank cell does, for the input message: must be filled in, counts as the default,
    /// or may stay blank.
    pub fn blank_rule(required: bool, default: Option<&str>) -> Text {
        match (required, default) {
            (true, _) => Text::new("必须填写", "must be filled in"),
            (false, Some(d)) => {
                Text::new(format!("留空按“{d}”计"), format!("blank counts as `{d}`"))
            }
            (false, None) => Text::new("可以留空", "may be left blank"),
        }
    }

    /// The input message's title of a column's cells (at most 32 characters in Excel).
    pub fn input_title(ty: crate::model::FieldType, required: bool) -> Text {
        let t = type_name(ty);
        if required {
            Text::new(format!("{}（必填）", t.zh), format!("{} (required)", t.en))
        } else {
            t
        }
    }

    /// The error title when a wrong value is entered.
    pub fn error_title() -> Text {
        Text::new("填写有误", "Not a valid entry")
    }

    /// The error message when a wrong value is entered, by type.
    pub fn error_message(
        ty: crate::model::FieldType,
        range: &crate::model::Range,
        choices: &[String],
    ) -> Text {
        use crate::model::FieldType;
        let allowed = allowed(ty, range, choices);
        match ty {
            FieldType::Int => Text::new(
                format!(
                    "请填 {}，只写阿拉伯数字，如 6（不要写“六次”）。",
                    allowed.zh
                ),
                format!("Enter {}: digits only, such as 6.", allowed.en),
            ),
            FieldType::Percent => Text::new(
                format!("请填 {}。", allowed.zh),
                format!("Enter {}.", allowed.en),
            ),
            _ => Text::new(
                format!("请填：{}。", allowed.zh),
                format!("Enter: {}.", allowed.en),
            ),
        }
    }

    /// The comment on a header: what the item is, then the indicators that use it.
    pub fn used_by_heading() -> Text {
        Text::new("用于：", "Used by:")
    }

    /// A comment's line for a field no indicator reads directly.
    pub fn used_by_none() -> Text {
        Text::new(
            "（不直接计分，用于识别或分组单位）",
            "(not scored directly: it identifies or groups units)",
        )
    }

    /// What kind of declaration uses a field, as a comment names it.
    pub fn use_kind(kind: &str) -> Text {
        match kind {
            "bonus" => Text::new("加分", "bonus"),
            "deduction" => Text::new("扣分", "deduction"),
            "cohort" => Text::new("排名指标", "ranked indicator"),
            "veto" => Text::new("一票否决", "veto"),
            "prerequisite" => Text::new("必备条件", "prerequisite"),
            "metric" => Text::new("公布指标", "published figure"),
            "rollup" => Text::new("汇总", "roll-up"),
            _ => Text::new("指标", "indicator"),
        }
    }

    /// How a declaration uses a field, when it does not simply measure it.
    pub fn use_role(role: &str) -> Option<Text> {
        match role {
            "applies" => Some(Text::new(
                "（判断是否适用）",
                " (decides whether it applies)",
            )),
            "only" => Some(Text::new(
                "（判断是否考核）",
                " (decides who is assessed on it)",
            )),
            "linked" => Some(Text::new(
                "（关联计分，读取相关单位的数据）",
                " (linked: read on the related units)",
            )),
            _ => None,
        }
    }

    /// Points, as a comment gives an indicator's.
    pub fn points(max: &str) -> Text {
        Text::new(format!("{max}分"), format!("{max} points"))
    }
}

/// The words of a merge's result: the sheets and the columns of 数据核对.
pub mod merge_words {
    use crate::messages::Text;

    /// The merged data's sheet.
    pub fn data_sheet() -> Text {
        Text::new("合并数据", "Merged data")
    }

    /// The sheet listing every problem (数据核对).
    pub fn check_sheet() -> Text {
        Text::new("数据核对", "Data check")
    }

    /// The merged data's columns after the fields: where each row came from.
    pub fn source_columns() -> [Text; 3] {
        [
            Text::new("来源文件", "Source file"),
            Text::new("来源工作表", "Source sheet"),
            Text::new("来源行", "Source row"),
        ]
    }

    /// The columns of 数据核对.
    pub fn check_columns() -> [Text; 12] {
        [
            Text::new("序号", "No."),
            Text::new("级别", "Level"),
            Text::new("代码", "Code"),
            Text::new("文件", "File"),
            Text::new("工作表", "Sheet"),
            Text::new("行", "Row"),
            Text::new("列", "Column"),
            Text::new("表头", "Header"),
            Text::new("单位", "Unit"),
            Text::new("问题", "Problem"),
            Text::new("如何改正", "How to fix it"),
            Text::new("合并数据中的行", "Row in the merged data"),
        ]
    }

    /// A problem's level.
    pub fn level(error: bool) -> Text {
        if error {
            Text::new("错误", "error")
        } else {
            Text::new("提示", "note")
        }
    }

    /// The one line of 数据核对 when nothing is wrong.
    pub fn no_problems() -> Text {
        Text::new("没有发现问题", "no problems found")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_code_is_listed_once() {
        crate::messages::check_codes(include_str!("collect.rs"), 'F', super::KINDS);
    }
}
