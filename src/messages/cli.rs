//! The command line's own messages (命令行): files it cannot read or write, what it was
//! asked that it cannot do, and the summary lines under a list of errors. Codes `C…`.

use super::{Message, Text};

/// Every code of this file: (code, 中文标题, English title).
pub const KINDS: &[(&str, &str, &str)] = &[
    ("C0001", "无法读取文件", "cannot read a file"),
    (
        "C0002",
        "规则文件不是 UTF-8 文本",
        "a rule file is not UTF-8 text",
    ),
    (
        "C0003",
        "既不是规则文件也不是内置规则集",
        "neither a rule file nor a bundled rule set",
    ),
    (
        "C0004",
        "内置规则集没有样例数据",
        "a bundled rule set has no sample data",
    ),
    ("C0005", "没有给出数据文件", "no data file given"),
    (
        "C0006",
        "Excel 结果需要输出文件",
        "an XLSX result needs a file",
    ),
    ("C0007", "无法写入结果文件", "cannot write the result file"),
    ("C0008", "无法写出结果", "cannot write the result"),
    (
        "C0009",
        "输出文件是本次的输入",
        "the output file is an input",
    ),
    ("C0010", "rules/ 中没有规则文件", "no rule files in rules/"),
    (
        "C0011",
        "无法生成 Excel 工作簿",
        "cannot build the workbook",
    ),
    ("C0012", "命令行参数有误", "the command line is not right"),
    (
        "C0013",
        "上期结果无法使用",
        "the previous result cannot be used",
    ),
    ("C0014", "没有这个错误代码", "no such code"),
    ("C0015", "参数无法使用", "the parameter cannot be used"),
    ("C0016", "数据中没有这个单位", "no such unit in the data"),
    ("C0018", "结果无法重现", "the result is not reproduced"),
    ("C0019", "没有这种格式的 Schema", "no schema of that name"),
    (
        "C0017",
        "对比需要两份规则或两份数据",
        "a comparison needs two rule sets or two data files",
    ),
    ("C0101", "无法流式处理", "cannot stream"),
    ("C0201", "找不到网页应用", "no web app found"),
    ("C0202", "引擎模块尚未构建", "the WASM package is not built"),
    ("C0203", "无法监听端口", "cannot listen on the port"),
];

/// C0001: a file that cannot be read.
pub fn cannot_read(path: &str, why: &str) -> Message {
    Message::new(
        "C0001",
        format!("无法读取“{path}”：{why}"),
        format!("cannot read `{path}`: {why}"),
    )
    .help(
        "检查文件名、所在文件夹和读取权限",
        "check the file name, its folder and the permission to read it",
    )
}

/// C0002: a rule file that is not UTF-8.
pub fn rules_not_utf8(path: &str) -> Message {
    Message::new(
        "C0002",
        format!("“{path}”不是 UTF-8 文本"),
        format!("`{path}` is not UTF-8 text"),
    )
    .help(
        "用记事本或 VS Code 打开，另存为“UTF-8”编码",
        "open it in an editor and save it again as UTF-8",
    )
}

/// C0003: a rules argument that names no file and no bundled rule set.
pub fn unknown_rules(name: &str, bundled: &[&str]) -> Message {
    Message::new(
        "C0003",
        format!("“{name}”既不是规则文件，也不是内置规则集"),
        format!("`{name}` is neither a rule file nor a bundled rule set"),
    )
    .help(
        format!("内置规则集有：{}", bundled.join("、")),
        format!("the bundled rule sets are {}", bundled.join(", ")),
    )
}

/// C0016: `--unit` names a unit the data does not hold.
pub fn unknown_units(names: &[&str]) -> Message {
    Message::new(
        "C0016",
        format!("数据中没有单位“{}”", names.join("”“")),
        format!("the data holds no unit `{}`", names.join("`, `")),
    )
    .help(
        "--unit 后写单位编码或单位名称，与数据文件中的写法一致",
        "give --unit a unit's code or name as the data file writes it",
    )
}

/// C0017: `kaohe diff RULES DATA` with neither a second rule set nor a second data file.
pub fn diff_needs_two(second: &str) -> Message {
    Message::new(
        "C0017",
        format!("“{second}”不是规则文件，对比两份数据时还需要新的数据文件"),
        format!("`{second}` is not a rule file; comparing two data files needs the new one too"),
    )
    .help(
        "对比规则：kaohe diff 旧规则.rhai 新规则.rhai 数据.csv；对比数据：kaohe diff 规则.rhai 旧数据.csv 新数据.csv",
        "rules: kaohe diff OLD.rhai NEW.rhai DATA; data: kaohe diff RULES OLD_DATA NEW_DATA",
    )
}

/// C0018: `kaohe verify` made the result again and it differs.
pub fn not_reproduced(result: &str, why: &[Text]) -> Message {
    let zh: Vec<&str> = why.iter().map(|t| t.zh.as_str()).collect();
    let en: Vec<&str> = why.iter().map(|t| t.en.as_str()).collect();
    Message::new(
        "C0018",
        format!("“{result}”无法重现：{}", zh.join("；")),
        format!("`{result}` is not reproduced: {}", en.join("; ")),
    )
    .help(
        "用生成结果时的规则、数据、上期结果和参数重新核验；若结果文件被改动过，以重新计算的结果为准",
        "verify with the rules, data, previous result and parameters the result was made with; if the file was edited, the result made again is the one to trust",
    )
}

/// What differs, for C0018: the rules (hashes as recorded and as now).
pub fn differs_rules(was: &str, now: &str) -> Text {
    Text::new(
        format!("规则与生成结果时所用的不同（结果记录 {was}，现在 {now}）"),
        format!("the rules differ from those it was made with (recorded {was}, now {now})"),
    )
}

/// What differs, for C0018: the data files.
pub fn differs_data(was: &str, now: &str) -> Text {
    Text::new(
        format!("数据与生成结果时所用的不同（结果记录 {was}，现在 {now}）"),
        format!("the data differs from what it was made from (recorded {was}, now {now})"),
    )
}

/// What differs, for C0018: the previous or earlier periods.
pub fn differs_periods() -> Text {
    Text::new(
        "上期或往期结果与生成结果时所用的不同",
        "the previous or earlier periods differ from those it was made with",
    )
}

/// What differs, for C0018: the parameters' values.
pub fn differs_params() -> Text {
    Text::new(
        "参数取值与生成结果时所用的不同",
        "the parameters' values differ from those it was made with",
    )
}

/// What differs, for C0018: kaohe's version.
pub fn differs_version(was: &str, now: &str) -> Text {
    Text::new(
        format!("结果由 kaohe {was} 生成，现在是 {now}"),
        format!("it was made by kaohe {was}; this is {now}"),
    )
}

/// What differs, for C0018: a workbook, which has no lines to name.
pub fn differs_workbook() -> Text {
    Text::new(
        "工作簿与重新计算的结果不同：规则、数据、上期结果、参数或文件本身与生成时不同",
        "the workbook differs from the one made again: the rules, data, previous result, parameters or the file itself differ",
    )
}

/// What differs, for C0018: the first line that does (`None`: the file ends there).
pub fn differs_line(line: usize, was: Option<&str>, now: Option<&str>) -> Text {
    let (zh_end, en_end) = ("（文件结束）", "(end of file)");
    Text::new(
        format!(
            "第 {line} 行不同：结果文件为“{}”，重新计算为“{}”",
            was.unwrap_or(zh_end),
            now.unwrap_or(zh_end)
        ),
        format!(
            "line {line} differs: the file has `{}`, made again `{}`",
            was.unwrap_or(en_end),
            now.unwrap_or(en_end)
        ),
    )
}

/// `kaohe verify` made the result again, byte for byte.
pub fn verified(result: &str) -> Text {
    Text::new(
        format!("“{result}”已重现：用所给的规则和数据重新计算，结果逐字节相同"),
        format!(
            "`{result}` is reproduced: made again from the rules and data given, byte for byte"
        ),
    )
}

/// C0004: a bundled rule set without sample data, run without data.
pub fn no_sample(id: &str) -> Message {
    Message::new(
        "C0004",
        format!("内置规则集“{id}”没有样例数据"),
        format!("the bundled rule set `{id}` has no sample data"),
    )
    .help(
        format!("给出数据文件：kaohe assess {id} 数据.csv"),
        format!("run `kaohe assess {id} DATA`"),
    )
}

/// C0005: no data file, and none beside the rules.
pub fn no_data_file() -> Message {
    Message::new("C0005", "没有给出数据文件", "no data file given").help(
        "在规则文件后写上数据文件：kaohe assess 规则.rhai 数据.xlsx",
        "run `kaohe assess RULES DATA`",
    )
}

/// C0006: `--format xlsx` to standard output.
pub fn xlsx_needs_out() -> Message {
    Message::new(
        "C0006",
        "Excel 工作簿不能输出到屏幕",
        "an XLSX workbook needs a file",
    )
    .help("加上 --out 结果.xlsx", "add `--out result.xlsx`")
}

/// C0007: the result file cannot be written; the old one stays.
pub fn cannot_write(path: &str, why: &str) -> Message {
    Message::new(
        "C0007",
        format!("无法写入“{path}”：{why}"),
        format!("cannot write `{path}`: {why}"),
    )
    .help(
        "原有文件（如有）没有改动；检查磁盘空间和写入权限",
        "the previous file, if any, is unchanged",
    )
}

/// C0008: standard output failed (a full disk, `> /dev/full`).
pub fn cannot_write_result(why: &str) -> Message {
    Message::new(
        "C0008",
        format!("无法写出结果：{why}"),
        format!("cannot write the result: {why}"),
    )
}

/// C0009: `--out` names one of the inputs.
pub fn out_is_input(path: &str) -> Message {
    Message::new(
        "C0009",
        format!("--out {path} 是本次的输入文件，写入会把它毁掉"),
        format!("`--out {path}` is an input of this run; writing it would destroy it"),
    )
    .help("把结果写到另一个文件", "write the result to another file")
}

/// C0010: `kaohe test` with nothing to test. No longer given (outside a repository, `kaohe
/// test` runs the bundled rule sets' cases); the code stays in the catalogue, never reused.
#[allow(dead_code)]
pub fn no_rule_files() -> Message {
    Message::new(
        "C0010",
        "rules/ 文件夹中没有规则文件",
        "no rule files in `rules/`",
    )
    .help(
        "在 kaohe 源码目录运行，或写出要测试的规则文件：kaohe test 规则.rhai",
        "run it in the repository, or name the rule files: `kaohe test RULES.rhai`",
    )
}

/// C0011: the XLSX writer failed.
pub fn cannot_build_workbook(why: &str) -> Message {
    Message::new(
        "C0011",
        format!("无法生成 Excel 工作簿：{why}"),
        format!("cannot write the workbook: {why}"),
    )
    .help("改用 --format csv", "use `--format csv` instead")
}

/// C0012: clap could not read the command line; `what` is clap's own (English) words.
pub fn usage(zh: &str, what: &str) -> Message {
    Message::new("C0012", format!("命令行参数有误：{zh}"), what.to_string()).help(
        "运行 kaohe --help 查看用法",
        "run `kaohe --help` for the usage",
    )
}

/// C0013: the previous period's result cannot be used.
pub fn previous_unusable(path: &str, why: &Text) -> Message {
    Message::new(
        "C0013",
        format!("上期结果“{path}”无法使用：{}", why.zh),
        format!("`{path}`: {}", why.en),
    )
    .help(
        "--previous 应是上期用 kaohe 导出的 JSON 结果（--format json）",
        "`--previous` takes last period's result as kaohe wrote it with `--format json`",
    )
}

/// C0015: `--param ID=VALUE` naming no parameter of the rule set, or without a number.
pub fn param_unusable(given: &str, known: &[&str]) -> Message {
    let id = given.split('=').next().unwrap_or(given).trim();
    let m = Message::new(
        "C0015",
        format!(
            "--param {given}：应写作“参数id=数值”，参数 id（或名称）须是规则集用 param(…) 声明过的"
        ),
        format!(
            "--param {given}: write ID=NUMBER, with the id of a parameter the rule set declares"
        ),
    );
    let near = crate::messages::closest(id, known.iter().copied()).filter(|n| *n != id);
    let h = super::data::which_param(near, known);
    m.help(h.zh, h.en)
}

/// C0014: `kaohe codes` asked for a code the catalogue does not have.
pub fn unknown_code(code: &str) -> Message {
    Message::new(
        "C0014",
        format!("消息目录中没有代码“{code}”"),
        format!("the catalogue has no code `{code}`"),
    )
    .help(
        "运行 kaohe codes 列出全部代码",
        "run `kaohe codes` to list them all",
    )
}

/// C0019: `kaohe schema NAME` with a name it does not know.
pub fn unknown_schema(name: &str) -> Message {
    Message::new(
        "C0019",
        format!("没有名为“{name}”的 Schema"),
        format!("there is no schema named `{name}`"),
    )
    .help(
        "可用的有 result（--format json 的整个结果）、unit（--format jsonl 的一行）、gap（差距分析）和 diff（对比）",
        "the names are result (a whole --format json result), unit (a line of --format jsonl), gap and diff",
    )
}

/// The line `kaohe check` prints for a rule set that compiles: its counts
/// (fields, indicators, vetoes, grades).
pub fn check_ok(name: &str, title: &str, counts: [usize; 4]) -> Text {
    let [fields, items, vetoes, bands] = counts;
    Text::new(
        format!("通过：“{name}” — {title}（{fields} 个字段，{items} 个指标，{vetoes} 个否决项，{bands} 个等次）"),
        format!("ok: `{name}` — {title} ({fields} fields, {items} indicators, {vetoes} vetoes, {bands} grades)"),
    )
}

/// C0101: a run asked to stream that cannot (a note: it runs whole instead).
pub fn cannot_stream(source: &str, why: &Text) -> Message {
    Message::new(
        "C0101",
        format!("“{source}”不能流式处理：{}；改为整体读入", why.zh),
        format!(
            "`{source}` cannot be streamed: {}; reading it whole instead",
            why.en
        ),
    )
}

/// C0201: no web app to serve.
pub fn no_web_app(root: Option<&str>) -> Message {
    let (zh, en) = match root {
        Some(r) => (
            format!("“{r}”中没有网页应用（www/index.html 或 index.html）"),
            format!("there is no web app in `{r}` (www/index.html or index.html)"),
        ),
        None => (
            "找不到网页应用：这个 kaohe 没有内置网页应用，当前目录下也没有 www/index.html".into(),
            "no web app: this kaohe was built without it and there is no ./www/index.html".into(),
        ),
    };
    Message::new("C0201", zh, en).help(
        "在 kaohe 源码目录运行 bash scripts/build-dist.sh（构建网页应用并内置到 kaohe 中），或用 kaohe serve --root 目录 指向源码目录（含 www/ 与 pkg/）或构建好的 dist/ 目录",
        "run `bash scripts/build-dist.sh` in the repository, or pass `--root` a repository or a dist/ folder",
    )
}

/// C0202: a repository whose WASM package is not built.
pub fn wasm_not_built(root: &str) -> Message {
    Message::new(
        "C0202",
        format!("引擎模块尚未构建（“{root}”中没有 pkg/）"),
        format!("the WASM package is not built (no pkg/ in `{root}`)"),
    )
    .help(
        "先运行 bash scripts/build-wasm.sh",
        "run `bash scripts/build-wasm.sh` first",
    )
}

/// C0203: the port cannot be listened on.
pub fn cannot_listen(port: u16, why: &str) -> Message {
    Message::new(
        "C0203",
        format!("无法在 127.0.0.1:{port} 上监听：{why}"),
        format!("cannot listen on 127.0.0.1:{port}: {why}"),
    )
    .help(
        "端口可能已被占用：换一个端口（--port 8081），或用 --port 0 自动选择",
        "the port may be in use: pick another (`--port 8081`) or `--port 0` for any free one",
    )
}

/// The line under a rule set's errors: how many, in which file.
pub fn rule_errors_summary(n: usize, name: &str) -> Text {
    Text::new(
        format!("“{name}”中共有 {n} 处错误"),
        format!("{n} error{} in `{name}`", plural(n)),
    )
}

/// The line under a data file's errors: how many, and what happened to the rows.
pub fn data_errors_summary(n: usize, name: &str, go_on: bool) -> Text {
    if go_on {
        Text::new(
            format!("“{name}”中共有 {n} 处数据错误；有错误的行已略去，其余照常计分"),
            format!(
                "{n} data error{} in `{name}`; those rows were left out",
                plural(n)
            ),
        )
    } else {
        Text::new(
            format!("“{name}”中共有 {n} 处数据错误；没有计分（改正后重试，或加 --keep-going 只计正确的行）"),
            format!(
                "{n} data error{} in `{name}`; nothing was scored (use --keep-going to score the good rows)",
                plural(n)
            ),
        )
    }
}

/// The line under the errors of a parameter table (`--params`), which stop the run.
pub fn params_errors_summary(n: usize, name: &str) -> Text {
    Text::new(
        format!("参数表“{name}”中共有 {n} 处错误；没有计分（改正参数表后重试）"),
        format!(
            "{n} error{} in the parameter table `{name}`; nothing was scored",
            plural(n)
        ),
    )
}

/// The line under the rule failures of a run.
pub fn eval_summary(n: usize) -> Text {
    Text::new(
        format!("共 {n} 处规则运行错误；没有计分"),
        format!("{n} rule failure(s); nothing was scored"),
    )
}

/// The note when a large input streams by itself.
pub fn streaming_large(path: &str) -> Text {
    Text::new(
        format!("说明：“{path}”较大，分两遍流式读取；结果按输入顺序写出"),
        format!(
            "note: `{path}` is large: streaming it in two passes; rows are written in input order"
        ),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The words of `kaohe test`'s report.
pub mod test_words {
    use crate::messages::Text;

    /// A case or check that passed.
    pub fn ok() -> Text {
        Text::new("通过", "ok  ")
    }

    /// A case or check that failed.
    pub fn fail() -> Text {
        Text::new("失败", "FAIL")
    }

    /// A broken-rule file that gives exactly its expected errors (or warnings, for one that
    /// compiles).
    pub fn broken_ok(n: usize) -> Text {
        Text::new(
            format!("恰好给出预期的 {n} 处错误或警告"),
            format!("gives exactly its {n} expected error(s) or warning(s)"),
        )
    }

    /// A broken-rule file whose errors differ.
    pub fn broken_differs() -> Text {
        Text::new(
            "给出的错误与预期不同",
            "the errors differ from the expected ones",
        )
    }

    /// A rule set that does not compile.
    pub fn does_not_compile() -> Text {
        Text::new("规则集无法编译", "the rule set does not compile")
    }

    /// A rule set without its cases file.
    pub fn no_cases(path: &str) -> Text {
        Text::new(
            format!("没有测试用例：请添加“{path}”（见 docs/CASES.md）"),
            format!("no test cases: add `{path}` (see docs/CASES.md)"),
        )
    }

    /// Every veto and band must be exercised.
    pub fn not_all_exercised() -> Text {
        Text::new(
            "每个一票否决项和每个等次都须有用例覆盖",
            "every veto and every band must be exercised by some case",
        )
    }

    /// The last line.
    pub fn totals(passed: usize, failed: usize) -> Text {
        Text::new(
            format!("{passed} 项通过，{failed} 项失败"),
            format!("{passed} passed, {failed} failed"),
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_code_is_listed_once() {
        crate::messages::check_codes(include_str!("cli.rs"), 'C', super::KINDS);
    }
}
