//! Messages of rule test cases (测试用例, codes `T…`): an expectation a case does not meet, a
//! case or case file that cannot be run, the coverage (覆盖情况) of a rule set's cases, and
//! the checks of deliberately broken rule files.
//!
//! The English is what `kaohe test` has always printed; the zh-CN is for the person who
//! keeps a rule set's cases, with what to do next.

use super::{Message, Text};

/// Every code of this file, with a short title (zh-CN, English).
#[cfg_attr(not(test), allow(dead_code))] // the catalogue's index; read by its tests
pub const KINDS: &[(&str, &str, &str)] = &[
    ("T0001", "用例的期望未满足", "a case's expectation not met"),
    (
        "T0002",
        "结果中没有用例期望的单位或项目",
        "not in the result",
    ),
    (
        "T0003",
        "用例的期望写法有误",
        "an expectation not understood",
    ),
    (
        "T0004",
        "运行结果与用例不符（失败或未按预期失败）",
        "the run failed, or did not fail as expected",
    ),
    (
        "T0005",
        "用例的数据读不到或有误",
        "a case's data cannot be read",
    ),
    ("T0006", "用例文件有误", "the case file is not understood"),
    ("T0101", "覆盖情况", "the coverage"),
    ("T0102", "没有用例检验的规则", "rules no case exercises"),
    (
        "T0103",
        "没有用例触发的一票否决或等次",
        "vetoes or bands no case exercises",
    ),
    ("T0201", "缺少预期的错误", "an expected error missing"),
    ("T0202", "出现了未预期的错误", "an unexpected error"),
    ("T0203", "错误的顺序不同", "the errors in another order"),
    (
        "T0204",
        "错误示例没有声明预期错误",
        "a broken rule file declares no errors",
    ),
];

const CHECK_EXPECTATION: (&str, &str) = (
    "对照该单位的评分说明核对：若规则无误，就按实际结果改正用例的期望；否则修改规则",
    "compare with the unit's explanation: if the rule is right, correct the case's expectation; otherwise fix the rule",
);

/// T0001: `subject` expected `want`, got `got`.
pub(crate) fn not_met(subject: &Text, want: &Text, got: &Text) -> Message {
    Message::new(
        "T0001",
        format!("{}：期望 {}，实际 {}", subject.zh, want.zh, got.zh),
        format!("{}: expected {}, got {}", subject.en, want.en, got.en),
    )
    .help(CHECK_EXPECTATION.0, CHECK_EXPECTATION.1)
}

/// T0001: a different number of units scored.
pub(crate) fn units_scored(want: u64, got: usize) -> Message {
    Message::new(
        "T0001",
        format!("评分单位数：期望 {want}，实际 {got}"),
        format!("units scored: expected {want}, got {got}"),
    )
    .help(
        "数据有误的行和被排除的单位不计入；核对用例的数据和期望的单位数",
        "rows with errors and units left out are not counted; check the case's data and the number expected",
    )
}

/// T0001: no reason of a unit contains the text wanted.
pub(crate) fn no_reason(subject: &Text, want: &str) -> Message {
    Message::new(
        "T0001",
        format!("{}：没有一条包含“{want}”", subject.zh),
        format!("{}: no reason contains `{want}`", subject.en),
    )
    .help(
        "评分理由包括各项的说明、一票否决和结果运用的理由；核对要找的文字",
        "the reasons are the items' texts and reasons, the vetoes', consequences' and adjustments' reasons; check the text",
    )
}

/// T0002: no unit with this id in the result.
pub(crate) fn no_unit(id: &str) -> Message {
    Message::new(
        "T0002",
        format!("结果中没有单位“{id}”"),
        format!("no unit `{id}` in the result"),
    )
    .help(
        "检查单位编码是否与用例数据中的一致；数据有误的行不参加评分",
        "check the unit id against the case's data; rows with errors are not scored",
    )
}

/// T0002: a unit has no item or metric with this id; `metric` tells which.
pub(crate) fn no_entry(unit: &Text, metric: bool, id: &str, like: Option<&str>) -> Message {
    let (zh, en) = if metric {
        ("指数", "metric")
    } else {
        ("项目", "item")
    };
    let m = Message::new(
        "T0002",
        format!("{}没有{zh}“{id}”", unit.zh),
        format!("{} has no {en} `{id}`", unit.en),
    );
    match like {
        Some(k) => m.help(format!("是不是要写 `{k}`？"), format!("did you mean `{k}`?")),
        None => m.help(
            format!("检查{zh}编号是否与规则中声明的一致；只对部分单位考核的项目不在其他单位的结果中"),
            format!("check the {en} id against the rule set; an item assessed for some units only is not in the others' results"),
        ),
    }
}

/// T0002: no roll-up with this key in the result.
pub(crate) fn no_rollup(key: &str) -> Message {
    Message::new(
        "T0002",
        format!("结果中没有汇总“{key}”"),
        format!("no rollup `{key}` in the result"),
    )
    .help(
        "汇总写成“汇总编号/分组”，例如 `county/东安县`",
        "a roll-up is named `rollup id/group`, e.g. `county/东安县`",
    )
}

/// T0003: an expectation that should be a number is not.
pub(crate) fn not_a_number(subject: &Text, expectation: &str) -> Message {
    Message::new(
        "T0003",
        format!("{}：期望值 {expectation} 不是数字", subject.zh),
        format!(
            "{}: the expectation `{expectation}` is not a number",
            subject.en
        ),
    )
    .help(
        "写成数字或数字文本，例如 `90` 或 `\"89.95\"`；没有值写 `null`",
        "write a number or a number in text, e.g. `90` or `\"89.95\"`; `null` for none",
    )
}

/// T0003: an expectation of the wrong shape; `list` when a list of text is wanted, else an
/// object.
pub(crate) fn wrong_shape(subject: &Text, list: bool) -> Message {
    let (zh, en, example_zh, example_en) = if list {
        (
            "期望应是文本列表",
            "the expectation must be a list of text",
            "例如 `[\"veto.lab\"]`，没有则写 `[]`",
            "e.g. `[\"veto.lab\"]`, or `[]` for none",
        )
    } else {
        (
            "期望应是对象",
            "the expectation must be an object",
            "例如 `{ \"total\": 90 }`",
            "e.g. `{ \"total\": 90 }`",
        )
    };
    Message::new(
        "T0003",
        format!("{}：{zh}", subject.zh),
        format!("{}: {en}", subject.en),
    )
    .help(
        format!("{example_zh}；写法见 docs/CASES.md"),
        format!("{example_en}; see docs/CASES.md"),
    )
}

/// T0003: an expectation key `kaohe test` does not know.
pub(crate) fn unknown_expectation(
    unit: &Text,
    key: &str,
    like: Option<&str>,
    known: &[&str],
) -> Message {
    let m = Message::new(
        "T0003",
        format!("{}：不认识的期望“{key}”", unit.zh),
        format!("{}: unknown expectation `{key}`", unit.en),
    );
    match like {
        Some(k) => m.help(
            format!("是不是要写 `{k}`？"),
            format!("did you mean `{k}`?"),
        ),
        None => m.help(
            format!("可用的期望有 {}", known.join("、")),
            format!("the expectations are {}", known.join(", ")),
        ),
    }
}

/// T0004: the run failed with other errors than the case expected.
pub(crate) fn wrong_error(want: &str, got: &Text) -> Message {
    Message::new(
        "T0004",
        format!("期望出现包含“{want}”的错误，实际是：\n{}", got.zh),
        format!("expected an error containing `{want}`, got:\n{}", got.en),
    )
    .help(
        "expect_error 应是实际错误中的一段文字（中文或英文均可）；若是数据或规则出了别的问题，先修正它",
        "`expect_error` must be part of the actual error (in Chinese or English); if something else is wrong, fix that first",
    )
}

/// T0004: the run failed though the case expected it to succeed.
pub(crate) fn run_failed(got: &Text) -> Message {
    Message::new(
        "T0004",
        format!("运行失败：\n{}", got.zh),
        format!("the run failed:\n{}", got.en),
    )
    .help(
        "先修正上面的错误；若这个用例本就应当失败，给它加上 \"expect_error\"",
        "fix the errors above; if the case is meant to fail, give it an `\"expect_error\"`",
    )
}

/// T0004: the run succeeded though the case expected an error.
pub(crate) fn no_error(want: &str) -> Message {
    Message::new(
        "T0004",
        format!("期望出现包含“{want}”的错误，但运行成功了"),
        format!("expected an error containing `{want}`, but the run succeeded"),
    )
    .help(
        "检查用例的数据是否真有要检验的错误；若不应出错，去掉 expect_error",
        "check that the case's data has the error to test; if it should not fail, remove `expect_error`",
    )
}

/// T0005: a file a case names cannot be read.
pub(crate) fn cannot_read(path: &str, why: &str) -> Message {
    Message::new(
        "T0005",
        format!("读不到文件“{path}”：{why}"),
        format!("cannot read `{path}`: {why}"),
    )
    .help(
        "路径相对于规则文件所在的目录，例如 `samples/数据.csv`",
        "the path is relative to the rule file's folder, e.g. `samples/data.csv`",
    )
}

/// T0005: the previous period's data (`"previous": {"data": …}`) could not be scored; `why`
/// in both languages.
pub(crate) fn previous_data_failed(path: &str, why: &Text) -> Message {
    Message::new(
        "T0005",
        format!("上期数据“{path}”无法计分：{}", why.zh),
        format!("`{path}`, the previous period's data, cannot be scored: {}", why.en),
    )
    .help(
        "改正上期数据文件中的错误；上期结果也可以写成 `kaohe assess … --format json` 输出的结果文件",
        "fix the previous period's data file; or give the previous results as a file written by `kaohe assess … --format json`",
    )
}

/// T0005: the previous period's results (`previous`) of a case are not understood; `path`
/// when they are in a file.
pub(crate) fn bad_previous(path: Option<&str>, why: &str) -> Message {
    let (zh, en) = match path {
        Some(p) => (format!("上期结果“{p}”有误：{why}"), format!("`{p}`: {why}")),
        None => (
            format!("上期结果（previous）有误：{why}"),
            format!("`previous`: {why}"),
        ),
    };
    Message::new("T0005", zh, en).help(
        "上期结果是 `kaohe assess … --format json` 输出的结果文件，或同样内容的对象",
        "the previous results are a file written by `kaohe assess … --format json`, or the same as an object",
    )
}

/// T0005: a case gives neither `data` nor `units`.
pub(crate) fn no_data() -> Message {
    Message::new(
        "T0005",
        "用例须给出 data（数据文件）或 units（单位列表）中的一个",
        "a case needs either `data` (a file) or `units` (a list)",
    )
    .help(
        "例如 `\"data\": \"samples/数据.csv\"`，或 `\"units\": [{ \"单位编码\": \"X1\", … }]`",
        "e.g. `\"data\": \"samples/data.csv\"`, or `\"units\": [{ \"id\": \"X1\", … }]`",
    )
}

/// T0005: a case's `params` that name no parameter or give no number.
pub(crate) fn bad_params(why: &Text) -> Message {
    Message::new(
        "T0005",
        format!("参数（params）有误：{}", why.zh),
        format!("`params`: {}", why.en),
    )
    .help(
        "写作 \"params\": {\"参数id\": 数值}，参数须是规则集用 param(…) 声明过的",
        "write \"params\": {\"ID\": NUMBER} with ids of parameters the rule set declares",
    )
}

/// T0006: the case file is not valid JSON.
pub(crate) fn not_json(line: usize, column: usize, why: &str) -> Message {
    Message::new(
        "T0006",
        format!("用例文件第 {line} 行第 {column} 列不是有效的 JSON：{why}"),
        format!("the case file is not valid JSON at line {line} column {column}: {why}"),
    )
    .help(
        "检查这一处附近的括号、引号和逗号：最后一项后面不能有逗号",
        "check the brackets, quotes and commas near there: no comma after the last item",
    )
}

/// T0006: the case file has no `cases` list.
pub(crate) fn no_cases() -> Message {
    Message::new(
        "T0006",
        "用例文件中没有 cases 列表",
        "the case file has no `cases` list",
    )
    .help(
        "用例文件的格式是 `{ \"cases\": [ { \"name\": …, \"data\": …, \"expect\": … } ] }`，见 docs/CASES.md",
        "a case file is `{ \"cases\": [ { \"name\": …, \"data\": …, \"expect\": … } ] }`; see docs/CASES.md",
    )
}

/// Exercised / all of each kind of rule, in the order indicators, bonuses, vetoes, bands,
/// consequences.
pub(crate) type Counts = [(usize, usize); 5];

/// T0101: the coverage of a rule set's cases.
pub(crate) fn coverage(c: Counts) -> Message {
    let [i, b, v, g, k] = c.map(|(done, all)| format!("{done}/{all}"));
    let m = Message::new(
        "T0101",
        format!("覆盖情况：指标 {i}，加分项 {b}，一票否决 {v}，等次 {g}，结果运用 {k}"),
        format!("coverage: indicators {i}, bonuses {b}, vetoes {v}, bands {g}, consequences {k}"),
    );
    if c.iter().all(|(done, all)| done == all) {
        m
    } else {
        m.help(
            "每条规则都应有用例检验：为下面列出的规则各补一个用例",
            "every rule should be exercised by some case: add a case for each rule listed below",
        )
    }
}

/// Kinds of rule the coverage counts, for [`unexercised`].
#[derive(Clone, Copy)]
pub(crate) enum Rule {
    Indicator,
    Bonus,
    Veto,
    Band,
    Consequence,
}

/// T0102 (or T0103 for vetoes and bands, which every rule set's cases must exercise): rules
/// no case exercised, named in zh (`names.zh`, with labels) and English (`names.en`).
pub(crate) fn unexercised(kind: Rule, names: &Text) -> Message {
    let (code, zh, en, help_zh, help_en) = match kind {
        Rule::Indicator => (
            "T0102",
            "从未扣分的指标",
            "indicators that never lost a point",
            "加一个用例，让某个单位在这些指标上失分，检验扣分规则",
            "add a case where some unit loses points on them",
        ),
        Rule::Bonus => (
            "T0102",
            "从未加分的加分项",
            "bonuses that never gave a point",
            "加一个用例，让某个单位得到这些加分",
            "add a case where some unit earns them",
        ),
        Rule::Veto => (
            "T0103",
            "从未触发的一票否决",
            "vetoes that never struck",
            "每项一票否决都必须有用例检验：加一个用例，让某个单位触发它",
            "every veto must be exercised: add a case where some unit is struck by it",
        ),
        Rule::Band => (
            "T0103",
            "没有单位达到的等次",
            "bands no unit reached",
            "每个等次都必须有用例检验：加一个用例，让某个单位的总分落在这一等次",
            "every band must be exercised: add a case where some unit's total falls in it",
        ),
        Rule::Consequence => (
            "T0102",
            "从未触发的结果运用",
            "consequences never triggered",
            "加一个用例，让某个单位触发这些结果运用",
            "add a case where some unit triggers them",
        ),
    };
    Message::new(
        code,
        format!("{zh}：{}", names.zh),
        format!("{en}: {}", names.en),
    )
    .help(help_zh, help_en)
}

const BROKEN_HELP: (&str, &str) = (
    "让文件开头的 `//! expect-error:` 行与 `kaohe check` 报告的错误逐条一致（顺序也相同）",
    "make the file's `//! expect-error:` lines match what `kaohe check` reports, one by one and in order",
);

/// T0201: a broken rule file did not give an error it declares.
pub(crate) fn missing_error(line: &str) -> Message {
    Message::new(
        "T0201",
        format!("缺少预期的错误：{line}"),
        format!("missing error: {line}"),
    )
    .help(BROKEN_HELP.0, BROKEN_HELP.1)
}

/// T0202: a broken rule file gave an error it does not declare.
pub(crate) fn unexpected_error(line: &str) -> Message {
    Message::new(
        "T0202",
        format!("未预期的错误：{line}"),
        format!("unexpected error: {line}"),
    )
    .help(BROKEN_HELP.0, BROKEN_HELP.1)
}

/// T0203: a broken rule file gave its errors in another order; `got` is the list as given.
pub(crate) fn error_order(got: &str) -> Message {
    Message::new(
        "T0203",
        format!("错误的顺序不同，实际顺序：{got}"),
        format!("the errors come in another order: {got}"),
    )
    .help(BROKEN_HELP.0, BROKEN_HELP.1)
}

/// T0204: a broken rule file declares no errors.
pub(crate) fn no_expected_errors(file: &str) -> Message {
    Message::new(
        "T0204",
        format!("“{file}”没有声明 `//! expect-error:` 行"),
        format!("`{file}` declares no `//! expect-error:` lines"),
    )
    .help(
        "在文件开头逐行写出它应报告的错误，例如 `//! expect-error: x.rhai:6:1: …`",
        "list the errors it must give at its top, e.g. `//! expect-error: x.rhai:6:1: …`",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_used() {
        crate::messages::check_codes(include_str!("cases.rs"), 'T', KINDS);
    }
}
