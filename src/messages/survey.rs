//! Survey messages (问卷): mistakes in `survey(…)` and `question(…)` declarations, problems
//! in a respondents' file (one row per respondent), and the words of the survey's notes in a
//! result (样本不足、误差范围).
//!
//! Codes by theme: `S00xx` the declarations (规则中的问卷声明), `S01xx` the respondents'
//! header row (表头), `S02xx` a respondent's row or a unit's counts (答卷), `S03xx` the
//! command line's survey options.
// The respondents' reader's messages are not built into the browser's engine module (no
// `respondents` feature), which has no such reader.
#![cfg_attr(not(feature = "respondents"), allow(dead_code))]

use super::{closest, Message, Text};
use crate::data::quoted;

/// Every survey code with its short title in zh-CN and English, each listed once.
#[allow(dead_code)] // the list of kinds: checked by the tests below
pub const KINDS: &[(&str, &str, &str)] = &[
    ("S0001", "问卷没有题目", "survey without questions"),
    ("S0002", "题目没有问卷", "question without a survey"),
    (
        "S0003",
        "选项与计数字段数目不符",
        "options and count fields differ in number",
    ),
    ("S0004", "选项重复", "an answer listed twice"),
    ("S0005", "选项代码写法不对", "malformed answer codes"),
    ("S0006", "分层比例写法不对", "malformed stratum shares"),
    (
        "S0007",
        "计数字段被两个题目使用",
        "a count field used by two questions",
    ),
    ("S0008", "列的写法不对", "malformed column"),
    ("S0009", "最低样本量写法不对", "malformed minimum sample"),
    ("S0010", "字段类型不适合", "field of the wrong type"),
    ("S0101", "缺少问卷列", "missing survey column"),
    (
        "S0102",
        "多列符合同一声明",
        "several columns match one declaration",
    ),
    (
        "S0103",
        "一列符合多个声明",
        "one column matches several declarations",
    ),
    (
        "S0201",
        "答案不是声明的选项",
        "answer not a declared option",
    ),
    ("S0202", "答卷没有填写单位", "respondent without a unit"),
    ("S0203", "单位与名单不符", "unit not in the list"),
    ("S0204", "答卷编号重复", "respondent id given twice"),
    ("S0205", "答卷编号为空", "blank respondent id"),
    ("S0206", "权重不对", "bad weight"),
    ("S0207", "分层取值未声明", "stratum value not declared"),
    (
        "S0208",
        "作答人数与样本数不符",
        "answer counts do not add up to the sample",
    ),
    (
        "S0209",
        "按答卷建立的单位缺少必填字段",
        "units made from respondents lack a required field",
    ),
    (
        "S0210",
        "此模块不读取问卷数据",
        "survey data needs the full module",
    ),
    ("S0211", "没有答卷", "no respondents"),
    ("S0301", "--units 用法不对", "--units misused"),
];

/// The words for a declaration of the survey, in messages: `` `survey(…)` `` / `题目“safety”`.
pub(crate) fn survey_decl() -> Text {
    Text::new("`survey(…)`", "survey")
}

/// The words for a question's declaration.
pub(crate) fn question_decl(id: &str) -> Text {
    Text::new(format!("题目“{id}”"), format!("question `{id}`"))
}

/// A list of answers as messages quote them: “安全”“比较安全” and `安全`, `比较安全`.
fn answer_list(list: &[&str]) -> Text {
    let zh: Vec<String> = list.iter().map(|a| format!("“{}”", quoted(a))).collect();
    let en: Vec<String> = list.iter().map(|a| format!("`{}`", quoted(a))).collect();
    Text::new(zh.join(""), en.join(", "))
}

// ---------------------------------------------------------------------------------------------
// S00xx: the declarations
// ---------------------------------------------------------------------------------------------

/// S0001: `survey(…)` with no `question(…)`.
pub(crate) fn no_questions() -> Message {
    Message::new(
        "S0001",
        "声明了问卷 `survey(…)`，但没有声明任何题目",
        "`survey(…)` is declared but no question is",
    )
    .help(
        "用 `question(\"id\", #{ header: \"题目\", options: [...], counts: [...] })` 声明每道计分的题目",
        "declare each scored question with `question(\"id\", #{ header: \"…\", options: [...], counts: [...] })`",
    )
}

/// S0002: `question(…)` with no `survey(…)`.
pub(crate) fn no_survey() -> Message {
    Message::new(
        "S0002",
        "声明了题目，但没有声明问卷 `survey(…)`",
        "a question is declared but `survey(…)` is not",
    )
    .help(
        "加上 `survey(#{ unit: \"所在镇（街道）\" })`，说明哪一列是被考核单位",
        "add `survey(#{ unit: \"…\" })` naming the column that holds each respondent's unit",
    )
}

/// S0003: `options` and `counts` of different lengths.
pub(crate) fn counts_per_option(options: usize, counts: usize) -> Message {
    Message::new(
        "S0003",
        format!("`options` 有 {options} 个选项，`counts` 却有 {counts} 个字段"),
        format!("`options` has {options} answers but `counts` has {counts} fields"),
    )
    .help(
        "每个计入基数的选项对应一个计数字段，按相同顺序排列；不计入基数的答案（不清楚、拒答）写在 `excluded` 中",
        "give one count field per option, in the same order; answers left out of the base (不清楚, 拒答) go in `excluded`",
    )
}

/// S0004: an answer listed twice among `options` and `excluded`.
pub(crate) fn answer_twice(answer: &str) -> Message {
    Message::new(
        "S0004",
        format!("答案“{answer}”列出了两次"),
        format!("answer `{answer}` is listed twice"),
    )
    .help(
        "每个答案只在 `options` 或 `excluded` 中写一次",
        "list each answer once, in `options` or in `excluded`",
    )
}

/// S0005: `codes` of the wrong length, or a code given twice.
pub(crate) fn bad_codes(answers: usize) -> Message {
    Message::new(
        "S0005",
        format!("`codes` 应为 {answers} 个互不相同的整数（先 `options`，后 `excluded`）"),
        format!(
            "`codes` must be {answers} different whole numbers (`options` first, then `excluded`)"
        ),
    )
    .help(
        "省略 `codes` 时，选项按顺序编为 1、2、3 …（问卷星“按序号”导出的编法）",
        "without `codes`, answers are numbered 1, 2, 3 … in order (as 问卷星 numbers them)",
    )
}

/// S0006: stratum shares that are not numbers from 0 to 1 adding up to 1.
pub(crate) fn bad_shares(sum: Option<&str>) -> Message {
    let (zh, en) = match sum {
        Some(s) => (
            format!("各层人口比例合计为 {s}，应为 1"),
            format!("the strata's population shares add up to {s}, not 1"),
        ),
        None => (
            "各层人口比例应为 0 到 1 之间的数".to_string(),
            "each stratum's population share must be a number from 0 to 1".to_string(),
        ),
    };
    Message::new("S0006", zh, en).help(
        "写作 `shares: #{ \"18-39岁\": 0.42, \"40-59岁\": 0.36, \"60岁以上\": 0.22 }`，合计为 1",
        "write `shares: #{ \"18-39岁\": 0.42, \"40-59岁\": 0.36, \"60岁以上\": 0.22 }`, adding up to 1",
    )
}

/// S0007: one count field named by two questions.
pub(crate) fn field_in_two_questions(field: &str, other: &str) -> Message {
    Message::new(
        "S0007",
        format!("计数字段 `{field}` 已用于题目“{other}”"),
        format!("count field `{field}` is already used by question `{other}`"),
    )
    .help(
        "每道题的每个选项须有自己的计数字段",
        "give each option of each question its own count field",
    )
}

/// S0008: a column that is neither a header nor `#{ header, aliases, number }`.
pub(crate) fn bad_column(key: &str) -> Message {
    Message::new(
        "S0008",
        format!("`{key}` 应为表头文本，或 `#{{ header: \"…\", aliases: [...], number: 3 }}`"),
        format!("`{key}` must be a header, or `#{{ header: \"…\", aliases: [...], number: 3 }}`"),
    )
    .help(
        "表头可只写开头几个字（如 \"您觉得您所在的镇\"）；`number` 是题号，匹配“3、…”“Q3.”“第3题”",
        "a header may be its leading words; `number` is the question's number and matches `3、…`, `Q3.`, `第3题`",
    )
}

/// S0009: `min_sample` that is not a whole number of at least 1.
pub(crate) fn bad_min_sample() -> Message {
    Message::new(
        "S0009",
        "`min_sample` 应为不小于 1 的整数",
        "`min_sample` must be a whole number of at least 1",
    )
    .help(
        "如 `min_sample: 30`：有效样本少于 30 的指数标为“样本不足，结果仅供参考”",
        "e.g. `min_sample: 30`: an index with fewer valid answers is flagged as a short sample",
    )
}

/// S0010: a field the survey fills in whose type does not fit: counts and the sample size
/// must be numbers, the short-sample flag yes/no.
pub(crate) fn wrong_field_type(key: &str, field: &str, yes_no: bool) -> Message {
    let (zh, en) = if yes_no {
        ("是/否（bool）", "yes/no (`bool`)")
    } else {
        ("整数或数值（int、number）", "a number (`int` or `number`)")
    };
    Message::new(
        "S0010",
        format!("`{key}` 引用的字段 `{field}` 应为{zh}类型"),
        format!("`{key}` names field `{field}`, which must be {en}"),
    )
    .help(
        format!("把字段 `{field}` 的 `type` 改为{zh}"),
        format!("change the `type` of field `{field}` to {en}"),
    )
}

// ---------------------------------------------------------------------------------------------
// S01xx: the respondents' header row
// ---------------------------------------------------------------------------------------------

/// What a survey column is, in messages: the unit's column, a question …
#[derive(Debug, Clone, Copy)]
pub(crate) enum ColumnRole<'a> {
    /// The unit (被考核单位).
    Unit,
    /// The respondent's id (序号).
    Id,
    /// The weight (权重).
    Weight,
    /// A stratum column (分层).
    Stratum,
    /// A question, by id.
    Question(&'a str),
}

impl ColumnRole<'_> {
    fn text(self) -> Text {
        match self {
            Self::Unit => Text::new("单位列", "the unit column"),
            Self::Id => Text::new("答卷编号列", "the respondent id column"),
            Self::Weight => Text::new("权重列", "the weight column"),
            Self::Stratum => Text::new("分层列", "a stratum column"),
            Self::Question(id) => Text::new(format!("题目“{id}”"), format!("question `{id}`")),
        }
    }
}

/// S0101: a declared column found in no header.
pub(crate) fn missing_column(role: ColumnRole, header: &str, near: Option<&str>) -> Message {
    let r = role.text();
    let m = Message::new(
        "S0101",
        format!("找不到{}：没有一列的表头是“{header}”或以它开头", r.zh),
        format!(
            "{} not found: no column's header is or starts with `{header}`",
            r.en
        ),
    );
    match near {
        Some(n) => m.help(
            format!("是不是“{}”列？把规则中的表头改为它，或加入 `aliases`", quoted(n)),
            format!(
                "did you mean column `{}`? write that header in the rule set or add it to `aliases`",
                quoted(n)
            ),
        ),
        None => m.help(
            "核对问卷导出文件的表头；规则中可只写表头的开头几个字，或用 `number` 写题号",
            "check the headers of the exported file; the rule set may give a header's leading words, or its number with `number`",
        ),
    }
}

/// S0102: several columns match one declared column equally well.
pub(crate) fn ambiguous_column(role: ColumnRole, columns: &[String]) -> Message {
    let r = role.text();
    let list: Vec<&str> = columns.iter().map(String::as_str).collect();
    let l = answer_list(&list);
    Message::new(
        "S0102",
        format!("{}同时符合 {} 列：{}", r.zh, columns.len(), l.zh),
        format!("{} matches {} columns: {}", r.en, columns.len(), l.en),
    )
    .help(
        "在规则中把表头写得更完整，或用 `number` 写题号，使它只符合一列",
        "write more of the header in the rule set, or its `number`, so that one column matches",
    )
}

/// S0103: one column matches two declared columns.
pub(crate) fn column_twice(first: ColumnRole, second: ColumnRole) -> Message {
    let (a, b) = (first.text(), second.text());
    Message::new(
        "S0103",
        format!("这一列同时符合{}和{}", a.zh, b.zh),
        format!("this column matches both {} and {}", a.en, b.en),
    )
    .help(
        "在规则中把两者的表头写得更完整，使每列只符合一个声明",
        "write more of both headers in the rule set so that each column matches one",
    )
}

// ---------------------------------------------------------------------------------------------
// S02xx: a respondent's row, a unit's counts
// ---------------------------------------------------------------------------------------------

/// S0201: an answer that is none of the question's options or excluded answers (nor their
/// codes).
pub(crate) fn not_an_option(value: &str, answers: &[&str], codes: &[i64]) -> Message {
    let l = answer_list(answers);
    let near = closest(value, answers.iter().copied());
    let code_text = match (codes.first(), codes.last()) {
        (Some(a), Some(b)) if codes.windows(2).all(|w| w[1] == w[0] + 1) => format!("{a}–{b}"),
        _ => codes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("、"),
    };
    let m = Message::new(
        "S0201",
        format!(
            "答案“{}”不是本题的选项；可填：{}（或代码 {code_text}）",
            quoted(value),
            l.zh
        ),
        format!(
            "answer `{}` is not an option of this question; expected {} (or codes {code_text})",
            quoted(value),
            l.en
        ),
    );
    match near {
        Some(n) => m.help(
            format!("是不是“{n}”？改为“{n}”"),
            format!("did you mean `{n}`? change it to `{n}`"),
        ),
        None => m.help(
            "改为所列选项之一；若这是问卷中的新选项，把它加入规则的 `options` 或 `excluded`",
            "change it to one of the options; if the questionnaire has a new answer, add it to `options` or `excluded` in the rule set",
        ),
    }
}

/// S0202: a respondent whose unit cell is blank.
pub(crate) fn no_unit() -> Message {
    Message::new(
        "S0202",
        "这份答卷没有填写所属单位",
        "this respondent's unit is blank",
    )
    .help(
        "补填所属镇（街道）或派出所的名称或编码；无法确认的答卷应删去",
        "fill in the unit's name or code, or delete the respondent if it cannot be told",
    )
}

/// S0203: a unit named by respondents that is in no unit of the list.
pub(crate) fn unknown_unit(value: &str, near: Option<&str>) -> Message {
    let m = Message::new(
        "S0203",
        format!("单位名单中没有“{}”（按名称和编码都找不到）", quoted(value)),
        format!("no unit in the list is named or coded `{}`", quoted(value)),
    );
    match near {
        Some(n) => m.help(
            format!("是不是“{n}”？改为“{n}”"),
            format!("did you mean `{n}`? change it to `{n}`"),
        ),
        None => m.help(
            "改为名单中的单位名称或编码，或把该单位加入单位名单（--units）",
            "change it to a unit's name or code in the list, or add the unit to the list (--units)",
        ),
    }
}

/// S0204: a respondent id seen before; `first` is the row where it was first seen, when known.
pub(crate) fn duplicate_id(id: &str, first: Option<usize>) -> Message {
    let (zh, en) = match first {
        Some(r) => (
            format!("答卷编号“{}”重复（第 {r} 行已有）", quoted(id)),
            format!(
                "respondent id `{}` appears twice (first in row {r})",
                quoted(id)
            ),
        ),
        None => (
            format!("答卷编号“{}”重复", quoted(id)),
            format!("respondent id `{}` appears twice", quoted(id)),
        ),
    };
    Message::new("S0204", zh, en).help(
        "同一份答卷导出了两次，或编号填错：删去重复的一行，或改正编号；重复行不计入",
        "the same respondent was exported twice, or the id is wrong: delete the repeated row or correct the id; the repeat is not counted",
    )
}

/// S0205: a blank respondent id, when the survey declares an id column.
pub(crate) fn blank_id() -> Message {
    Message::new("S0205", "答卷编号为空", "the respondent id is blank").help(
        "补填答卷编号（问卷星导出的“序号”），以便核对重复答卷",
        "fill in the respondent's id (问卷星's 序号), so repeated respondents can be found",
    )
}

/// S0206: a weight that is blank, not a number, or negative.
pub(crate) fn bad_weight(value: &str) -> Message {
    let v = quoted(value);
    let (zh, en) = if value.trim().is_empty() {
        ("权重为空".to_string(), "the weight is blank".to_string())
    } else {
        (
            format!("权重应为不小于 0 的数，实际填的是“{v}”"),
            format!("the weight must be a number of at least 0, found `{v}`"),
        )
    };
    Message::new("S0206", zh, en).help(
        "填入设计权重（如 1.25）；没有加权的调查不要声明 `weight`",
        "fill in the design weight (such as 1.25); a survey without weights declares no `weight`",
    )
}

/// S0207: a stratum (age group, sex …) that is none of the declared strata.
pub(crate) fn unknown_stratum(value: &str, strata: &[&str]) -> Message {
    let l = answer_list(strata);
    let near = closest(value, strata.iter().copied());
    let m = Message::new(
        "S0207",
        format!("分层“{}”没有在规则中声明；可填：{}", quoted(value), l.zh),
        format!(
            "stratum `{}` is not declared in the rule set; expected {}",
            quoted(value),
            l.en
        ),
    );
    match near {
        Some(n) => m.help(
            format!("是不是“{n}”？改为“{n}”"),
            format!("did you mean `{n}`? change it to `{n}`"),
        ),
        None => m.help(
            "改为已声明的分层之一，或在规则的 `strata.shares` 中加上它的人口比例",
            "change it to a declared stratum, or add its population share to `strata.shares`",
        ),
    }
}

/// S0208: a unit's answer counts for a question that do not add up to its sample size.
pub(crate) fn counts_do_not_add_up(
    question: &str,
    parts: &[(String, String)],
    total: &str,
    sample_label: &str,
    sample: &str,
) -> Message {
    let zh_parts: Vec<String> = parts.iter().map(|(l, v)| format!("{l} {v}")).collect();
    let en_parts: Vec<String> = parts.iter().map(|(l, v)| format!("{l} {v}")).collect();
    Message::new(
        "S0208",
        format!(
            "题目“{question}”的作答人数合计 {total}（{}），与{sample_label} {sample} 不符",
            zh_parts.join(" + ")
        ),
        format!(
            "the answer counts of question `{question}` add up to {total} ({}), not to {sample_label} {sample}",
            en_parts.join(" + ")
        ),
    )
    .help(
        "核对各选项人数（含“不清楚”等不计入基数的人数）和有效样本数，改正后重新报送",
        "check each answer's count (those left out of the base included) against the sample size",
    )
}

/// S0209: a unit made from the respondents' unit names cannot fill a required field.
pub(crate) fn field_needs_units(label: &str) -> Message {
    Message::new(
        "S0209",
        format!("规则集要求每个单位填写“{label}”，而单位是按答卷中的单位名称建立的"),
        format!("the rule set needs `{label}` for each unit, but the units are made from the respondents' unit names"),
    )
    .help(
        "用 --units 给出单位名单（编码、名称、类别等，一行一个单位）",
        "give the list of units with --units (code, name, kind …, one row per unit)",
    )
}

// ---------------------------------------------------------------------------------------------
// S03xx: the command line
/// S0211: a respondents' file with its header and no answers below it.
pub(crate) fn no_respondents() -> Message {
    Message::new(
        "S0211",
        "答卷文件只有表头，没有一份答卷",
        "the respondents' file has a header row but no answers",
    )
    .help(
        "从问卷系统重新导出全部答卷（每份答卷一行），再载入",
        "export every answer again from the survey tool (one row per respondent) and load it",
    )
}

/// S0210: the browser's engine module reads no data for a rule set with a survey.
#[cfg(not(feature = "respondents"))]
pub(crate) fn needs_full_module() -> Message {
    Message::new(
        "S0210",
        "这个规则集声明了问卷（survey），其数据要由完整组件读取，当前加载的组件不读取问卷数据",
        "this rule set declares a survey: its data is read by the full module, which is not loaded",
    )
    .help(
        "请联网或启动服务后刷新页面再试（JS 接口：先 await kaohe.loadSpreadsheets()）",
        "await kaohe.loadSpreadsheets() first (the JS API does so for a rule set with a survey)",
    )
}

// ---------------------------------------------------------------------------------------------

/// S0301: `--units` given where it cannot be used.
pub fn units_misused(no_survey: bool) -> Message {
    if no_survey {
        Message::new(
            "S0301",
            "--units 只用于声明了问卷（survey）的规则集",
            "--units is for rule sets that declare a survey",
        )
        .help(
            "去掉 --units，或换用声明了 `survey(…)` 的规则集",
            "leave out --units, or use a rule set that declares `survey(…)`",
        )
    } else {
        Message::new(
            "S0301",
            "--units 只用于答卷数据（一行一份答卷）；这个数据文件是按单位填报的计数",
            "--units is for respondents' files (one row per respondent); this file holds counts per unit",
        )
        .help(
            "去掉 --units：按单位填报的文件本身就是单位名单",
            "leave out --units: a file of counts per unit is the list of units itself",
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Words of the survey in results and summaries (no code: they are not errors)
// ---------------------------------------------------------------------------------------------

/// What reading a respondents' file gave, for the CLI's summary line.
pub fn read_summary(respondents: u64, counted: u64, units: usize, short: usize) -> Text {
    let left = respondents.saturating_sub(counted);
    let zh_left = if left > 0 {
        format!("，{left} 份因错误未计入")
    } else {
        String::new()
    };
    let en_left = if left > 0 {
        format!(", {left} left out for errors")
    } else {
        String::new()
    };
    let zh_short = if short > 0 {
        format!("；{short} 个单位样本不足，结果仅供参考")
    } else {
        String::new()
    };
    let en_short = if short > 0 {
        format!("; {short} units below the minimum sample (for reference only)")
    } else {
        String::new()
    };
    Text::new(
        format!("答卷 {respondents} 份（计入 {counted} 份{zh_left}），{units} 个单位{zh_short}"),
        format!("{respondents} respondents ({counted} counted{en_left}), {units} units{en_short}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_used() {
        crate::messages::check_codes(include_str!("survey.rs"), 'S', KINDS);
    }

    #[test]
    fn a_bad_answer_names_the_options_and_the_near_one() {
        let m = not_an_option(
            "比较安",
            &["安全", "比较安全", "不安全", "不清楚"],
            &[1, 2, 3, 4],
        );
        assert_eq!(m.code, "S0201");
        assert!(
            m.text.zh.contains("“安全”“比较安全”“不安全”“不清楚”"),
            "{}",
            m.text.zh
        );
        assert!(m.text.zh.contains("代码 1–4"), "{}", m.text.zh);
        assert!(m.help.is_some_and(|h| h.zh.contains("比较安全")));
    }
}
