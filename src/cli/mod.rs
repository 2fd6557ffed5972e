//! The `kaohe` command line: `assess`, `check`.

use crate::compile::FileLoader;
use crate::messages::{cli as msg, Lang, Message, Text};
use crate::output::printable;
use crate::provenance::{sha256_hex, Provenance};
use crate::{bundled, data, output, Job, Output, Rules, Source, Streaming};
use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;

mod progress;
mod serve;

/// The language of every message this run prints (语言): `--lang`, else the locale.
static LANG: OnceLock<Lang> = OnceLock::new();

fn lang() -> Lang {
    LANG.get().copied().unwrap_or(Lang::En)
}

/// A text in this run's language.
fn say(t: &Text) -> &str {
    t.get(lang())
}

/// A failure with its exit code and the catalogue's message in this run's language.
fn fail(code: u8, m: Message) -> Failure {
    (code, m.render(lang()))
}

/// Prints a line; a closed pipe (`kaohe assess | head`) is not an error worth a panic.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// Exit codes: distinct per kind of failure so scripts can tell them apart.
mod exit {
    pub const IO: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const RULES: u8 = 3;
    pub const DATA: u8 = 4;
    pub const EVAL: u8 = 5;
    pub const TEST: u8 = 6;
    pub const VERIFY: u8 = 7;
}

#[derive(Parser)]
#[command(
    name = "kaohe",
    version,
    about = "考核 — rule-based performance assessment",
    after_help = EXIT_CODES_EN,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Language of messages: zh (简体中文) or en; default: the locale (LANG)
    #[arg(long, global = true, value_name = "zh|en")]
    lang: Option<String>,
    /// Print help
    #[arg(short, long, global = true, action = ArgAction::Help)]
    help: Option<bool>,
    /// Print version
    #[arg(short = 'V', long, action = ArgAction::Version)]
    version: Option<bool>,
}

const EXIT_CODES_EN: &str = "Exit codes: 0 done, 1 a file cannot be read or written, 2 usage, 3 rule errors, 4 data errors, 5 a rule failed while scoring, 6 test cases failed, 7 a result not reproduced (verify)";
const EXIT_CODES_ZH: &str = "退出码：0 完成，1 文件无法读写，2 用法有误，3 规则有错误，4 数据有错误，5 规则运行出错，6 测试用例未通过，7 结果无法重现（verify）";

/// The help in Chinese: each command's and option's words (the English ones are the doc
/// comments), and headings in Chinese.
fn localize(mut cmd: clap::Command) -> clap::Command {
    const COMMANDS: &[(&str, &str)] = &[
        (
            "assess",
            "用规则集给各单位计分；不给文件时，用内置默认规则集和样例数据",
        ),
        (
            "gap",
            "差距分析：每个单位距上一等次和上一名次差多少分，哪些项目还能得分，改变哪些数据可以得到（每项都重新计分核实），以及达到上一等次的建议",
        ),
        (
            "diff",
            "对比两次计算：同一数据用新旧两版规则（旧规则.rhai 新规则.rhai [数据]），或同一规则用新旧两份数据（规则 旧数据 新数据），列出谁的名次、等次、得分变了，为什么变",
        ),
        (
            "verify",
            "核验结果文件：用它的规则和数据重新计算，逐字节比较，并指出哪里不同——规则、数据、上期结果、kaohe 版本，或文件本身被改动",
        ),
        ("check", "编译并检查规则脚本，列出每一处错误"),
        (
            "serve",
            "在本机打开网页应用（127.0.0.1）：内置的网页应用，或当前源码目录中的 www/ 与 pkg/",
        ),
        (
            "test",
            "运行规则集的测试用例（名称.cases.json）和错误规则检查，并给出覆盖情况",
        ),
        ("codes", "列出消息目录：每个错误代码及其含义"),
        (
            "schema",
            "输出机器可读格式的 JSON Schema：result（--format json 的结果）、unit（--format jsonl 的一行）、gap（差距分析）或 diff（对比）",
        ),
        (
            "completions",
            "输出 kaohe 的命令行补全脚本（bash、zsh、fish、powershell、elvish）",
        ),
        (
            "import",
            "导入评分细则（考核项目、分值、评分标准……）生成规则集骨架：大类和各项的分值与原文，能识别的评分标准写成计分方式，其余写成 todo(…)，由 kaohe check 列出待完成项",
        ),
        (
            "template",
            "生成规则集的数据填报表（Excel）：每个单位一行、每个字段一列，带下拉选项、取值范围、必填标记和说明指标用途的批注",
        ),
        (
            "merge",
            "合并各单位返回的填报表：逐个文件、工作表、行、列指出问题，查出重复返回、未返回和名单外的单位，写出合并数据和“数据核对”工作表",
        ),
    ];
    const ARGS: &[(&str, &str, &str)] = &[
        ("assess", "rules", "规则脚本（.rhai）或内置规则集名称"),
        ("assess", "data", "数据文件（UTF-8/GBK 的 .csv，.xlsx/.xls/.ods，或 .json）；默认：规则旁的 samples/规则名.csv。给出多个文件（各单位返回的填报表）时，先像 kaohe merge 一样合并"),
        ("assess", "previous", "上期的 JSON 结果，用于名次变化、上期得分和分差"),
        ("assess", "history", "往期的 JSON 结果，按时间先后（可重复，或给一个文件夹：按文件名顺序读取其中的 .json）：用于各单位的历次趋势和“连续 N 期”条件；未给 --previous 时，最后一个即上期结果"),
        ("assess", "params", "本次使用的参数值，写作 参数id=数值 或 参数名称=数值（可重复）：如上年度全省平均、市定目标"),
        ("assess", "params_file", "参数表（.csv、.xlsx 或 .json）：每行一个参数，第一列为参数 id 或名称，第二列为取值；--param 在其后生效"),
        ("assess", "format", "输出格式：table（表格，默认）、json、csv、xlsx（Excel 工作簿，须加 --out）、jsonl（每行一个单位，按输入顺序，可流式处理大文件）"),
        ("assess", "out", "写入此文件，而不是输出到屏幕"),
        ("assess", "keep_going", "部分行有错误时，仍为正确的行计分（错误照常列出）"),
        ("assess", "quiet", "不显示进度条（只在终端上显示）"),
        ("assess", "units", "单位名单（编码、名称等，一行一个单位），用于答卷数据：答卷中的单位按编码或名称对应到名单；不给时按答卷中出现的单位名称建立单位"),
        ("assess", "stream", "分两遍流式读取 CSV / JSON Lines，内存有界，结果按输入顺序写出（--format jsonl 时总是如此，CSV 超过 64 MiB 时也是）"),
        ("gap", "rules", "规则脚本（.rhai）或内置规则集名称"),
        ("gap", "data", "数据文件（UTF-8/GBK 的 .csv，.xlsx/.xls/.ods，或 .json）；默认：规则集的样例数据"),
        ("gap", "units", "只分析这些单位（编码或名称，可重复）"),
        ("diff", "first", "旧规则；对比两份数据时为所用的规则"),
        ("diff", "second", "新规则；对比两份数据时为旧数据文件"),
        ("diff", "third", "数据文件；对比两份数据时为新数据文件。对比两版规则时默认用第一版规则的样例数据"),
        ("verify", "result", "要核验的结果：.json、.csv、.xlsx、.jsonl，或保存下来的表格（.txt）"),
        ("verify", "rules", "生成结果所用的规则脚本（.rhai）或内置规则集名称"),
        ("verify", "data", "生成结果所用的数据文件；默认：内置规则集的样例数据"),
        ("verify", "previous", "生成结果时所用的上期 JSON 结果"),
        ("verify", "history", "生成结果时所用的往期 JSON 结果（--history）"),
        ("verify", "params", "生成结果时所用的参数值，写作 参数id=数值（可重复）"),
        ("verify", "params_file", "生成结果时所用的参数表"),
        ("verify", "keep_going", "结果是用 --keep-going 生成的"),
        ("verify", "stream", "结果是用 --stream 生成的（按输入顺序）"),
        ("verify", "units", "生成结果时所用的单位名单（答卷数据）"),
        ("check", "rules", "规则脚本（.rhai）或内置规则集名称"),
        ("serve", "port", "端口；0 表示自动选择空闲端口"),
        ("serve", "root", "改为提供此目录：源码目录（www/ 与 pkg/）或构建好的 dist/ 目录"),
        ("test", "rules", "规则脚本或内置规则集名称；默认：rules/*.rhai 和 rules/broken/*.rhai，不在源码目录中时为全部内置规则集"),
        ("codes", "code", "只显示这个代码，如 D0201"),
        ("schema", "name", "result（整个结果）、unit（JSON Lines 的一行）、gap（差距分析）或 diff（对比）"),
        ("completions", "shell", "命令行（shell）：bash、zsh、fish、powershell 或 elvish"),
        ("import", "rubric", "评分细则：.xlsx/.xls/.ods，或 UTF-8/GBK 的 .csv"),
        ("import", "out", "把规则集写入此文件（.rhai），而不是输出到屏幕"),
        ("import", "id", "规则集的 id；默认取自细则的文件名"),
        ("import", "title", "规则集的标题；默认取表格上方的标题"),
        ("template", "rules", "规则脚本（.rhai）或内置规则集名称"),
        ("template", "units", "单位名单（编码、名称等，一行一个单位）：预先填入各单位并锁定"),
        ("template", "unit", "只生成这一个单位的表（名单中的编码或名称）：一行，只含该单位参加考核的项目"),
        ("template", "out", "写出的填报表（.xlsx）"),
        ("merge", "rules", "规则脚本（.rhai）或内置规则集名称"),
        ("merge", "files", "各单位返回的文件（.xlsx/.xls/.ods，UTF-8/GBK 的 .csv，.json）"),
        ("merge", "units", "应返回的单位名单（或据此生成的填报表）：列出没有返回的单位和名单之外的单位"),
        ("merge", "out", "写出合并数据：.xlsx（含“数据核对”工作表）或 .csv"),
    ];
    const ANALYSIS: &[(&str, &str)] = &[
        ("previous", "上期的 JSON 结果（规则集读取上期数据时）"),
        (
            "history",
            "往期的 JSON 结果，按时间先后（可重复，或给一个文件夹）",
        ),
        ("params", "本次使用的参数值，写作 参数id=数值（可重复）"),
        ("params_file", "参数表（.csv、.xlsx 或 .json）"),
        (
            "format",
            "输出格式：table（表格，默认）、json、csv、xlsx（Excel 工作簿，须加 --out）",
        ),
        ("out", "写入此文件，而不是输出到屏幕"),
    ];
    let template =
        |args: bool| {
            format!(
            "{{about-with-newline}}\n用法：{{usage}}\n\n{}选项：\n{{options}}\n\n{{after-help}}\n",
            if args { "参数：\n{positionals}\n\n" } else { "" }
        )
        };
    cmd = cmd
        .about("考核 — 规则化绩效考核")
        .after_help(EXIT_CODES_ZH)
        .help_template(
            "{about-with-newline}\n用法：{usage}\n\n命令：\n{subcommands}\n\n选项：\n{options}\n\n{after-help}\n",
        )
        .mut_arg("lang", |a| a.help("消息语言：zh（简体中文）或 en；默认跟随系统语言（LANG）"))
        .mut_arg("help", |a| a.help("显示帮助"))
        .mut_arg("version", |a| a.help("显示版本"));
    for (name, about) in COMMANDS {
        cmd = cmd.mut_subcommand(name, |mut c| {
            let has_args = c.get_positionals().next().is_some();
            c = c
                .about(*about)
                .after_help(EXIT_CODES_ZH)
                .help_template(template(has_args));
            let analysis = ANALYSIS.iter().filter(|_| ["gap", "diff"].contains(name));
            let own = ARGS.iter().filter(|(sub, _, _)| sub == name);
            for (id, help) in own
                .map(|(_, id, help)| (id, help))
                .chain(analysis.map(|(id, help)| (id, help)))
            {
                {
                    c = c.mut_arg(id, |a| {
                        if *id == "format" {
                            a.help(*help)
                                .hide_possible_values(true)
                                .hide_default_value(true)
                        } else {
                            a.help(*help)
                        }
                    });
                }
            }
            c
        });
    }
    cmd
}

/// A clap error in this run's language: what was wrong, and the usage hint.
fn usage_failure(e: &clap::Error) -> Failure {
    use clap::error::{ContextKind, ErrorKind};
    let arg = e
        .get(ContextKind::InvalidArg)
        .map(ToString::to_string)
        .unwrap_or_default();
    let value = e
        .get(ContextKind::InvalidValue)
        .map(ToString::to_string)
        .unwrap_or_default();
    let zh = match e.kind() {
        ErrorKind::UnknownArgument => format!("不认识的参数“{arg}”"),
        ErrorKind::InvalidSubcommand => format!("不认识的命令“{arg}”"),
        ErrorKind::InvalidValue => format!("参数 {arg} 的值“{value}”无效"),
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数 {arg}"),
        ErrorKind::MissingSubcommand => {
            "缺少命令（assess、check、test、template、merge、import、serve、codes、schema、completions）"
                .into()
        }
        ErrorKind::TooManyValues | ErrorKind::ArgumentConflict => {
            format!("多余或冲突的参数“{arg}”")
        }
        _ => "请对照用法检查".into(),
    };
    let english = e.to_string();
    let english = english.trim_start_matches("error: ").trim_end();
    (exit::USAGE, msg::usage(&zh, english).render(lang()))
}

#[derive(Clone, Copy, ValueEnum)]
enum OutFormat {
    Table,
    Json,
    Csv,
    /// An Excel workbook (needs --out)
    Xlsx,
    /// JSON Lines: one object per unit, in input order (streams large inputs)
    Jsonl,
}

impl OutFormat {
    /// The job's output format.
    fn output(self) -> Output {
        match self {
            Self::Table => Output::Table,
            Self::Json => Output::Json,
            Self::Csv => Output::Csv,
            Self::Xlsx => Output::Xlsx,
            Self::Jsonl => Output::JsonLines,
        }
    }
}

/// The formats of an analysis (`gap`): read, or for another program.
#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    /// Aligned text for the terminal
    Table,
    /// JSON with every figure
    Json,
    /// CSV, one row per unit (UTF-8 with BOM for Excel)
    Csv,
    /// An Excel workbook of the CSV's rows (needs --out)
    Xlsx,
}

/// What a run reads beside its rules and data: the earlier periods and the parameters' values
/// (`assess`, `gap`, `diff` and `verify` take the same options).
#[derive(clap::Args)]
struct Inputs {
    /// Previous period's JSON result (上期结果): rank change, 上期得分 and what rules read of it
    #[arg(long)]
    previous: Option<PathBuf>,
    /// Earlier periods' JSON results, oldest first (repeat it, or give a folder: its .json
    /// files in order of name): each unit's trend, and 连续 N 期 conditions; the last one is
    /// the previous period unless --previous is given
    #[arg(long, value_name = "RESULT")]
    history: Vec<PathBuf>,
    /// A declared parameter's value for this run, ID=VALUE (repeatable): last year's
    /// provincial mean, a target set by the city
    #[arg(long = "param", value_name = "ID=VALUE")]
    params: Vec<String>,
    /// A table of parameter values (.csv, .xlsx or .json): a parameter's id or label, then
    /// its value, one a row; `--param` applies after it
    #[arg(long = "params", value_name = "FILE")]
    params_file: Option<PathBuf>,
}

impl Inputs {
    fn params(&self) -> Params {
        Params {
            file: self.params_file.clone(),
            pairs: self.params.clone(),
        }
    }

    /// The earlier periods read (`read_periods`), never the run's own output `out`.
    fn periods(
        &self,
        out: Option<&Path>,
    ) -> Result<(Option<crate::Previous>, Vec<String>), Failure> {
        read_periods(self.previous.as_deref(), &self.history, out)
    }

    /// The files these options name, for `refuse_overwrite`.
    fn files(&self) -> impl Iterator<Item = Option<&Path>> {
        let history = self.history.iter().map(|h| Some(h.as_path()));
        [self.previous.as_deref(), self.params_file.as_deref()]
            .into_iter()
            .chain(history)
    }
}

/// What an analysis (`gap`, `diff`) runs with and writes.
#[derive(clap::Args)]
struct Analysis {
    #[command(flatten)]
    inputs: Inputs,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    format: ReportFormat,
    /// Write to this file instead of standard output
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Score units with a rule set; with no files, the bundled default on its sample data
    Assess {
        /// Rule script (.rhai) or bundled rule set id
        rules: Option<String>,
        /// Data file (.csv in UTF-8/GBK, .xlsx/.xls/.ods, or .json); default: samples/<rule name>.csv beside the rules.
        /// Several files (returned forms) are merged first, as `kaohe merge` merges them
        data: Vec<PathBuf>,
        #[command(flatten)]
        inputs: Inputs,
        /// Output format
        #[arg(long, value_enum, default_value = "table")]
        format: OutFormat,
        /// Write to this file instead of standard output
        #[arg(long)]
        out: Option<PathBuf>,
        /// Score the good rows even when some rows have errors (the errors are still printed)
        #[arg(long)]
        keep_going: bool,
        /// No progress bar (it is shown only when stderr is a terminal anyway)
        #[arg(long, short)]
        quiet: bool,
        /// Stream a CSV / JSON Lines file in two passes with bounded memory, writing results in
        /// input order (always for --format jsonl, and for --format csv over 64 MiB)
        #[arg(long)]
        stream: bool,
        /// The list of units (code, name …, one row per unit) for a respondents' file: each
        /// respondent's unit is found in it by code or name; without it, one unit is made per
        /// unit name in the respondents' file
        #[arg(long, value_name = "UNITS")]
        units: Option<PathBuf>,
    },
    /// The gap to the next grade and rank (差距分析): for each unit, the points it needs, the
    /// items short of full marks and the changes of data that would earn them, each checked by
    /// scoring the unit again
    Gap {
        /// Rule script (.rhai) or bundled rule set id
        rules: Option<String>,
        /// Data file (.csv in UTF-8/GBK, .xlsx/.xls/.ods, or .json); default: the rule set's sample
        data: Option<PathBuf>,
        /// Only these units (code or name; repeatable)
        #[arg(long = "unit", value_name = "CODE")]
        units: Vec<String>,
        #[command(flatten)]
        with: Analysis,
    },
    /// Compare two runs (对比): two versions of a rule set on the same data (OLD.rhai NEW.rhai
    /// [DATA]), or one rule set on two versions of the data (RULES OLD_DATA NEW_DATA) — who
    /// moves and why
    Diff {
        /// The old rule set, or the rule set of both runs
        first: String,
        /// The new rule set, or the old data file
        second: String,
        /// The data file, or the new data file; with two rule sets, default: the first's sample
        third: Option<PathBuf>,
        #[command(flatten)]
        with: Analysis,
    },
    /// Check that a result file is what its rules and data give (核验): runs them again and
    /// compares byte for byte, naming what differs — the rules, the data, the previous period,
    /// kaohe's version or the file itself
    Verify {
        /// The result to check: .json, .csv, .xlsx, .jsonl or a saved table (.txt)
        result: PathBuf,
        /// Rule script (.rhai) or bundled rule set id it was made with
        rules: String,
        /// The data file(s) it was made from; default: the bundled rule set's sample
        data: Vec<PathBuf>,
        #[command(flatten)]
        inputs: Inputs,
        /// It was made with --keep-going
        #[arg(long)]
        keep_going: bool,
        /// It was made with --stream (rows in input order)
        #[arg(long)]
        stream: bool,
        /// The list of units it was made with (a respondents' file)
        #[arg(long, value_name = "UNITS")]
        units: Option<PathBuf>,
    },
    /// Compile and validate rule scripts, printing every error
    Check {
        /// Rule scripts (.rhai) or bundled rule set ids
        #[arg(required = true)]
        rules: Vec<String>,
    },
    /// Serve the browser app on localhost: the app built in (`--features embed-app`), else
    /// www/ and the WASM package pkg/ of the repository in the current folder
    Serve {
        /// Port; 0 picks a free one
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Serve this folder instead: a repository (www/ and pkg/) or a built dist/ folder
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Run rule sets' test cases (NAME.cases.json) and broken-rule checks, with coverage
    Test {
        /// Rule scripts or bundled rule set ids; default: every rules/*.rhai and
        /// rules/broken/*.rhai, or, outside a repository, every bundled rule set
        rules: Vec<String>,
    },
    /// Write the data-collection form (XLSX) of a rule set: one row per unit, one column per
    /// field, with dropdowns, ranges, required cells marked and comments naming the indicators
    Template {
        /// Rule script (.rhai) or bundled rule set id
        rules: String,
        /// The list of units (code, name …, one row per unit): their rows are filled in and locked
        #[arg(long, value_name = "UNITS")]
        units: Option<PathBuf>,
        /// One unit's own form (its code or name in --units): one row, only the fields it is
        /// assessed on
        #[arg(long, value_name = "CODE")]
        unit: Option<String>,
        /// The form to write (.xlsx)
        #[arg(long)]
        out: PathBuf,
    },
    /// Merge returned forms into one checked dataset: every problem by file, sheet, row and
    /// column; units returned twice, missing or unexpected; writes the data and a 数据核对 sheet
    Merge {
        /// Rule script (.rhai) or bundled rule set id
        rules: String,
        /// The returned files (.xlsx/.xls/.ods, .csv in UTF-8/GBK, .json)
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The list of units expected (or the form made from it): units that returned nothing
        /// and units not in it are reported
        #[arg(long, value_name = "UNITS")]
        units: Option<PathBuf>,
        /// Write the merged data here: .xlsx (with the 数据核对 sheet) or .csv
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Import a published rubric (评分细则: 考核项目 / 分值 / 评分标准 …) as a rule-set skeleton:
    /// categories and items with their points and wording, known wordings as scoring shapes,
    /// the rest as todo(…) for `kaohe check` to list
    Import {
        /// The rubric: .xlsx/.xls/.ods, or .csv in UTF-8/GBK
        rubric: PathBuf,
        /// Write the rule set here (.rhai) instead of standard output
        #[arg(long)]
        out: Option<PathBuf>,
        /// The rule set's id; default: from the rubric's file name
        #[arg(long)]
        id: Option<String>,
        /// The rule set's title; default: the title above the table
        #[arg(long)]
        title: Option<String>,
    },
    /// List the message catalogue: every error code and what it means
    Codes {
        /// Show only this code, such as D0201
        code: Option<String>,
    },
    /// Print the JSON Schema of a machine format: result (--format json), unit (a line of --format jsonl), gap or diff
    Schema {
        /// result, unit, gap or diff
        #[arg(default_value = "result")]
        name: String,
    },
    /// Print the shell's completion script for kaohe (bash, zsh, fish, powershell, elvish)
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
}

/// Each command's example, shown with the exit codes at the end of its `--help`.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "assess",
        "kaohe assess rules/county-antidrug.rhai 数据.csv --format xlsx --out 结果.xlsx\n  kaohe assess county-antidrug - --format csv < 数据.csv > 结果.csv",
    ),
    (
        "gap",
        "kaohe gap county-antidrug 数据.csv --unit 龙泉镇\n  kaohe gap county-antidrug 数据.csv --format csv --out 差距分析.csv",
    ),
    (
        "diff",
        "kaohe diff rules/county-antidrug.rhai 新规则.rhai 数据.csv\n  kaohe diff county-antidrug 上报数据.csv 核查后数据.csv --format csv --out 对比.csv",
    ),
    (
        "verify",
        "kaohe verify 结果.json rules/county-antidrug.rhai 数据.csv",
    ),
    ("check", "kaohe check rules/*.rhai county-antidrug"),
    ("test", "kaohe test rules/county-antidrug.rhai city-safety-negative"),
    ("serve", "kaohe serve --port 8080"),
    ("codes", "kaohe codes D0201"),
    ("import", "kaohe import 评分细则.xlsx --out 新规则.rhai"),
    (
        "template",
        "kaohe template county-antidrug --units 单位名单.csv --out 填报表.xlsx",
    ),
    (
        "merge",
        "kaohe merge county-antidrug 返回/*.xlsx --units 单位名单.csv --out 合并.xlsx",
    ),
    (
        "completions",
        "kaohe completions bash > ~/.local/share/bash-completion/completions/kaohe",
    ),
    ("schema", "kaohe schema result > result.schema.json"),
];

/// Every command's `--help` ends with its example and the exit codes, in this run's language.
fn with_examples(mut cmd: clap::Command, zh: bool) -> clap::Command {
    for (name, example) in EXAMPLES {
        cmd = cmd.mut_subcommand(name, |c| {
            let (head, codes) = if zh {
                ("例：", EXIT_CODES_ZH)
            } else {
                ("Example:", EXIT_CODES_EN)
            };
            c.after_help(format!("{head}\n  {example}\n\n{codes}"))
        });
    }
    cmd
}

/// The language asked for on the command line (`--lang zh`, `--lang=en`), read before clap
/// so that clap's help and errors are in it too.
fn lang_argument() -> Option<Lang> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().enumerate().find_map(|(i, a)| {
        if a == "--lang" {
            args.get(i + 1).and_then(|v| Lang::parse(v))
        } else {
            a.strip_prefix("--lang=").and_then(Lang::parse)
        }
    })
}

/// Runs the command line; `allocated` reads the binary's allocator (the bytes in use), so the
/// rule sandbox can stop a script that takes too much memory (`crate::sandbox::MAX_EVAL_MEMORY`).
pub fn main(allocated: fn() -> usize) -> ExitCode {
    crate::sandbox::set_memory_probe(allocated);
    let language = lang_argument().unwrap_or_else(|| Lang::from_locale(|k| std::env::var(k).ok()));
    let _ = LANG.set(language);
    let mut cmd = Cli::command();
    if language == Lang::Zh {
        cmd = localize(cmd);
    }
    cmd = with_examples(cmd, language == Lang::Zh);
    let parsed = cmd
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let (code, text) = usage_failure(&e);
            eprintln!("{text}");
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Assess {
            rules,
            data,
            inputs,
            format,
            out,
            keep_going,
            quiet,
            stream,
            units,
        } => {
            let how = Run {
                format,
                out,
                keep_going,
                quiet,
                stream,
                units,
            };
            assess(rules, data, &inputs, how)
        }
        Command::Gap {
            rules,
            data,
            units,
            with,
        } => gap(rules.as_deref(), data, &units, &with),
        Command::Diff {
            first,
            second,
            third,
            with,
        } => diff((first.as_str(), second.as_str(), third), &with),
        Command::Verify {
            result,
            rules,
            data,
            inputs,
            keep_going,
            stream,
            units,
        } => {
            let made = Made {
                inputs,
                keep_going,
                stream,
                units,
            };
            verify(&result, rules, data, made)
        }
        Command::Check { rules } => check(&rules),
        Command::Test { rules } => test(rules),
        Command::Codes { code } => codes(code.as_deref()),
        Command::Schema { name } => match crate::schema::named(&name) {
            Some(schema) => {
                out!(
                    "{}",
                    serde_json::to_string_pretty(&schema).unwrap_or_default()
                );
                Ok(())
            }
            None => Err(fail(exit::USAGE, msg::unknown_schema(&printable(name)))),
        },
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            let mut stdout = std::io::stdout();
            clap_complete::generate(shell, &mut cmd, "kaohe", &mut stdout);
            Ok(())
        }
        Command::Import {
            rubric,
            out,
            id,
            title,
        } => crate::import::command(
            &rubric,
            out.as_deref().filter(|p| !is_std(p)),
            &crate::import::Options { id, title },
            lang(),
        ),
        Command::Template {
            rules,
            units,
            unit,
            out,
        } => template(&rules, units.as_deref(), unit.as_deref(), &out),
        Command::Merge {
            rules,
            files,
            units,
            out,
        } => merge(&rules, &files, units.as_deref(), out.as_deref()),
        Command::Serve { port, root } => {
            serve::serve(root.as_deref(), port).map_err(|m| fail(exit::IO, m))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, message)) => {
            if !message.is_empty() {
                eprintln!("{message}");
            }
            ExitCode::from(code)
        }
    }
}

type Failure = (u8, String);

/// Whether a file argument is `-`: standard input where a file is read, standard output where
/// one is written.
fn is_std(path: &Path) -> bool {
    path.as_os_str() == "-"
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    if is_std(path) {
        let mut bytes = Vec::new();
        return std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
            .map(|_| bytes)
            .map_err(|e| fail(exit::IO, msg::cannot_read("-", &e.to_string())));
    }
    std::fs::read(path).map_err(|e| {
        fail(
            exit::IO,
            msg::cannot_read(&path.display().to_string(), &e.to_string()),
        )
    })
}

/// Helper modules a script may import: every `.rhai` file under `lib/` beside it.
fn modules_beside(rules: &Path) -> Vec<(String, String)> {
    let dir = rules.parent().unwrap_or(Path::new(".")).join("lib");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rhai"))
        .filter_map(|p| {
            let name = p.file_stem()?.to_str()?.to_string();
            let text = std::fs::read_to_string(&p).ok()?;
            Some((format!("lib/{name}"), text))
        })
        .collect();
    out.sort();
    out
}

/// The files beside the rules (a decision table's workbook): a bundled rule set's own, or those
/// in the rule file's folder.
fn files_for(rules: Option<&str>, bundled: Option<&'static bundled::Bundled>) -> FileLoader {
    match (bundled, rules) {
        (Some(b), _) => b.loader(),
        (None, Some(r)) => crate::compile::files_beside(Path::new(r)),
        (None, None) => Box::new(|_| None),
    }
}

fn compile(
    name: &str,
    source: &str,
    modules: &[(String, String)],
    files: FileLoader,
) -> Result<Rules, Failure> {
    Rules::compile_with_files(name, source, modules, files).map_err(|errs| {
        let mut lines: Vec<String> = errs.0.iter().map(|e| e.render(lang())).collect();
        lines.push(say(&msg::rule_errors_summary(errs.0.len(), name)).to_string());
        (exit::RULES, lines.join("\n"))
    })
}

/// How `assess` runs and writes.
struct Run {
    format: OutFormat,
    out: Option<PathBuf>,
    keep_going: bool,
    quiet: bool,
    stream: bool,
    /// The list of units for a respondents' file (`--units`).
    units: Option<PathBuf>,
}

/// Reports the data errors (the first of each column, see `data::ErrorLog`; `omitted` more were
/// counted); they stop the run unless the good rows go on (`--keep-going`).
fn data_errors(lines: Vec<String>, omitted: usize, name: &str, go_on: bool) -> Result<(), Failure> {
    if lines.is_empty() && omitted == 0 {
        return Ok(());
    }
    let text = data_error_text(lines, omitted, name, go_on);
    if !go_on {
        return Err((exit::DATA, text));
    }
    eprintln!("{text}");
    Ok(())
}

/// The data errors' lines, the count of those not shown and the summary line.
fn data_error_text(mut lines: Vec<String>, omitted: usize, name: &str, go_on: bool) -> String {
    let n = lines.len() + omitted;
    if omitted > 0 {
        let more = crate::messages::data::more_not_shown(
            omitted,
            data::MAX_ERRORS_PER_COLUMN,
            data::MAX_ERRORS,
        );
        lines.push(say(&more.text).to_string());
    }
    lines.push(say(&msg::data_errors_summary(n, name, go_on)).to_string());
    lines.join("\n")
}

fn eval_failure(errs: crate::EvalErrors) -> Failure {
    let mut lines: Vec<String> = errs.0.iter().map(|e| e.render(lang())).collect();
    lines.push(say(&msg::eval_summary(errs.0.len())).to_string());
    (exit::EVAL, lines.join("\n"))
}

/// Writes through a buffer to `out` or to standard output; a closed pipe ends the output
/// quietly, any other failure to write (a full disk, `> /dev/full`) is an error. A file is
/// written whole or not at all: into a temporary file beside it, synced, then renamed over
/// it, so a failed or killed run leaves the previous result in place.
fn write_to(
    out: Option<&Path>,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), Failure> {
    let result = match out {
        Some(path) if !is_std(path) => return write_atomic(path, write),
        _ => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            write(&mut w).and_then(|()| std::io::Write::flush(&mut w))
        }
    };
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(fail(exit::IO, msg::cannot_write_result(&e.to_string()))),
        Ok(()) => Ok(()),
    }
}

/// Writes `path` whole or not at all: a new temporary file beside it (created, never opened
/// over something already there), written, synced, given the old file's permissions, then
/// renamed over it. A link is written through to the file it names. The temporary file is
/// removed on any failure.
fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), Failure> {
    /// Removes the temporary file unless it was renamed into place.
    struct Temp(Option<PathBuf>);
    impl Drop for Temp {
        fn drop(&mut self) {
            if let Some(p) = self.0.take() {
                let _ = std::fs::remove_file(p);
            }
        }
    }
    let fail = |e: std::io::Error| {
        fail(
            exit::IO,
            msg::cannot_write(&path.display().to_string(), &e.to_string()),
        )
    };
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map_or_else(|| "result".into(), |n| n.to_string_lossy().into_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let (temp, file) = (0..16)
        .find_map(|attempt| {
            let temp = dir.join(format!(
                ".{name}.kaohe-{}-{nanos}-{attempt}.tmp",
                std::process::id()
            ));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)
            {
                Ok(file) => Some(Ok((temp, file))),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => None,
                Err(e) => Some(Err(e)),
            }
        })
        .unwrap_or_else(|| Err(std::io::Error::other("no free temporary file name")))
        .map_err(fail)?;
    let mut guard = Temp(Some(temp.clone()));
    let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
    write(&mut w).map_err(fail)?;
    let file = w
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)
        .map_err(fail)?;
    if let Ok(old) = std::fs::metadata(&target) {
        file.set_permissions(old.permissions()).map_err(fail)?;
    }
    file.sync_all().map_err(fail)?;
    drop(file);
    std::fs::rename(&temp, &target).map_err(fail)?;
    guard.0 = None;
    // The rename itself made durable, where the system allows syncing a folder.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Refuses an output file that is one of the inputs: writing it would destroy the data
/// before (or while) it is read.
fn refuse_overwrite(out: Option<&Path>, inputs: &[Option<&Path>]) -> Result<(), Failure> {
    let Some(out) = out.filter(|p| !is_std(p)) else {
        return Ok(());
    };
    let Ok(out_real) = std::fs::canonicalize(out) else {
        return Ok(()); // not there yet: it is no input
    };
    for input in inputs.iter().flatten() {
        if std::fs::canonicalize(input).is_ok_and(|p| p == out_real) {
            return Err(fail(
                exit::USAGE,
                msg::out_is_input(&out.display().to_string()),
            ));
        }
    }
    Ok(())
}

/// The run must not write over a file the rules read beside themselves (a decision table's
/// workbook).
fn refuse_overwrite_tables(
    out: Option<&Path>,
    rules: &Rules,
    rule_path: Option<&str>,
) -> Result<(), Failure> {
    let Some(dir) = rule_path
        .map(Path::new)
        .filter(|p| p.is_file())
        .map(|p| p.parent().unwrap_or(Path::new(".")).to_path_buf())
    else {
        return Ok(());
    };
    let tables: Vec<PathBuf> = rules.files_read().iter().map(|f| dir.join(f)).collect();
    let inputs: Vec<Option<&Path>> = tables.iter().map(|p| Some(p.as_path())).collect();
    refuse_overwrite(out, &inputs)
}

/// A rule set to compile: its name, source and helper modules, and the bundled rule set it is
/// (for its sample data).
type RuleSource = (
    String,
    String,
    Vec<(String, String)>,
    Option<&'static bundled::Bundled>,
);

/// The rule set a command names: a file, a bundled id, or (none named) the default.
fn rule_source(rules: Option<&str>) -> Result<RuleSource, Failure> {
    Ok(match rules {
        Some(r) if Path::new(r).is_file() || r == "-" => {
            let p = Path::new(r);
            let text = String::from_utf8(read(p)?)
                .map_err(|_| fail(exit::RULES, msg::rules_not_utf8(r)))?;
            (r.to_string(), text, modules_beside(p), None)
        }
        Some(r) => match bundled::ALL.iter().find(|b| b.id == r) {
            Some(b) => (
                b.rules_path.to_string(),
                b.rules.to_string(),
                Vec::new(),
                Some(b),
            ),
            None => {
                let ids: Vec<&str> = bundled::ALL.iter().map(|b| b.id).collect();
                return Err(fail(exit::IO, msg::unknown_rules(r, &ids)));
            }
        },
        None => {
            let b = bundled::default_set();
            (
                b.rules_path.to_string(),
                b.rules.to_string(),
                Vec::new(),
                Some(b),
            )
        }
    })
}

/// A run's parameter values: a table, then `--param` pairs.
struct Params {
    file: Option<PathBuf>,
    pairs: Vec<String>,
}

fn assess(
    rules: Option<String>,
    data: Vec<PathBuf>,
    given: &Inputs,
    how: Run,
) -> Result<(), Failure> {
    let params = &given.params();
    let Run {
        format,
        out,
        keep_going,
        quiet,
        stream: stream_asked,
        units,
    } = how;
    let (rules_name, source, modules, sample) = rule_source(rules.as_deref())?;
    // Several files are returned forms: merged, then scored as one dataset.
    let several = data.len() > 1;
    let data_path = if several { None } else { data.first().cloned() };
    let mut inputs: Vec<Option<&Path>> = data.iter().map(|p| Some(p.as_path())).collect();
    inputs.extend([rules.as_deref().map(Path::new), units.as_deref()]);
    inputs.extend(given.files());
    refuse_overwrite(out.as_deref(), &inputs)?;
    let files = files_for(rules.as_deref(), sample);
    let mut compiled = compile(&rules_name, &source, &modules, files)?;
    refuse_overwrite_tables(out.as_deref(), &compiled, rules.as_deref())?;
    set_params(&mut compiled, params)?;
    // A respondents' file (一行一份答卷) for a rule set with a survey: tallied into units while
    // it is read, in blocks (memory bounded whatever its size), never streamed in two passes.
    // The file is read as respondents when its header names the survey's unit column and a
    // question: then it is read here, once (a spreadsheet's workbook is opened once).
    let mut answers = None;
    let from_file = data_path.as_deref().filter(|p| !is_std(p));
    if let (Some(p), true) = (from_file, compiled.set.survey.is_some()) {
        let list = match &units {
            Some(u) => Some(read_units(&compiled, u, keep_going)?),
            None => None,
        };
        let name = p.display().to_string();
        answers = crate::survey::try_read_path(&compiled.set, p, list.as_deref())
            .map_err(|e| fail(exit::IO, msg::cannot_read(&name, &e.to_string())))?
            .map(|dataset| (name, dataset));
    }
    let respondents = answers.is_some();
    if units.is_some() && !respondents {
        let m = crate::messages::survey::units_misused(compiled.set.survey.is_none());
        return Err(fail(exit::USAGE, m));
    }
    if matches!(format, OutFormat::Xlsx) && out.is_none() {
        return Err(fail(exit::IO, msg::xlsx_needs_out()));
    }
    let (prev, period_texts) = given.periods(out.as_deref())?;
    // The earlier periods as the JS API takes them: texts, oldest first.
    let periods: Vec<&[u8]> = period_texts.iter().map(|t| t.as_bytes()).collect();
    // Where the units come from: a respondents' file read above or returned forms merged
    // (with the hash of each file read, for the provenance), a data file (the job streams it
    // in two passes when it is large or written as JSON Lines), else the bytes of standard
    // input or of the sample.
    let (mut data_name, mut read_before) = (String::new(), None);
    let mut sha256 = Vec::new();
    if let Some((name, dataset)) = answers {
        for p in data.iter().chain(&units) {
            sha256.push(sha256_hex(&read(p)?));
        }
        (data_name, read_before) = (name, Some(dataset));
    } else if several {
        for p in &data {
            sha256.push(sha256_hex(&read(p)?));
        }
        let (name, dataset) = merged_data(&compiled, &data, keep_going)?;
        (data_name, read_before) = (name, Some(dataset));
    }
    let bytes = match (&read_before, from_file) {
        (None, None) => {
            let (name, bytes) = data_file(&data_path, sample, rules.as_deref())?;
            data_name = name;
            bytes
        }
        (None, Some(p)) => {
            data_name = p.display().to_string();
            Vec::new()
        }
        (Some(_), _) => Vec::new(),
    };
    let source = match (read_before, from_file) {
        (Some(data), _) => Source::Read { data, sha256 },
        (None, Some(p)) => Source::File(p),
        (None, None) => Source::Bytes {
            name: &data_name,
            bytes: &bytes,
        },
    };
    let size = from_file
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| m.len());
    let bar = std::cell::RefCell::new(progress::Progress::new(size, quiet, lang()));
    let mut advance = |units, bytes| bar.borrow_mut().advance(units, bytes);
    let job = Job::new(&compiled, source)
        .output(format.output())
        .previous(prev.as_ref())
        .keep_going(keep_going)
        .streaming(if stream_asked {
            Streaming::Always
        } else {
            Streaming::Auto
        })
        .provenance(&periods)
        .byte_order_mark(out.as_deref().is_some_and(|p| !is_std(p)))
        .progress(&mut advance);
    let large = size.is_some_and(|n| n > crate::job::LARGE_INPUT);
    if large && !stream_asked && !quiet && job.will_stream() {
        eprintln!("{}", say(&msg::streaming_large(&data_name)));
    }
    let run = job.run();
    // What is said next goes on lines of its own, not into the progress line.
    bar.borrow_mut().finish();
    let mut scored = run.map_err(|e| job_failure(e, &data_name))?;
    if let Some(why) = scored.not_streamed() {
        eprintln!(
            "{}",
            say(&msg::cannot_stream(&compiled.set.source, why).text)
        );
    }
    if !scored.data_errors().is_empty() || scored.errors_omitted() > 0 {
        let lines = rendered(scored.data_errors(), &data_name);
        eprintln!(
            "{}",
            data_error_text(lines, scored.errors_omitted(), &data_name, true)
        );
    }
    if let (Some(r), false) = (scored.respondents(), quiet) {
        let summary =
            crate::messages::survey::read_summary(r.respondents, r.counted, r.units, r.short_units);
        eprintln!("{data_name}: {}", say(&summary));
    }
    let written = write_to(out.as_deref(), |w| scored.write(w));
    // The process ends next: the system takes the report's memory back at once, where freeing
    // it block by block (a 100k-unit report is about a million) took a tenth of the run, most of
    // it the allocator merging the freed blocks.
    std::mem::forget(scored);
    bar.borrow_mut().finish();
    written
}

/// Each data error on a line of its own, after the file's name.
fn rendered(errors: &[crate::DataError], name: &str) -> Vec<String> {
    errors
        .iter()
        .map(|e| format!("{name}: {}", e.render(lang())))
        .collect()
}

/// What stopped a job, as the CLI says it and the exit code it ends with.
fn job_failure(e: crate::Error, data_name: &str) -> Failure {
    match e {
        crate::Error::Data(d) => {
            let lines = rendered(&d.errors, data_name);
            (
                exit::DATA,
                data_error_text(lines, d.omitted, data_name, false),
            )
        }
        crate::Error::Eval(e) => eval_failure(e),
        crate::Error::Io(e) => fail(exit::IO, msg::cannot_read(data_name, &e.to_string())),
        crate::Error::Workbook(why) => fail(exit::IO, msg::cannot_build_workbook(&why)),
        other => (exit::IO, other.to_string()),
    }
}

/// A rule set compiled with its parameters and its data read whole: what the commands that
/// score in memory beside `assess` start from (`gap`). Data errors stop them.
fn load(
    rules: Option<&str>,
    data: Option<PathBuf>,
    params: &Params,
    sample_of: Option<&str>,
) -> Result<(Rules, data::Dataset), Failure> {
    let (rules_name, source, modules, sample) = rule_source(rules)?;
    let files = files_for(rules, sample);
    let mut compiled = compile(&rules_name, &source, &modules, files)?;
    set_params(&mut compiled, params)?;
    // Without data: the sample of `sample_of` (the first rule set of a comparison), else its own.
    let (data_name, bytes) = match sample_of.filter(|_| data.is_none()) {
        Some(first) => data_file(&None, rule_source(Some(first))?.3, Some(first))?,
        None => data_file(&data, sample, rules)?,
    };
    let dataset = data::read(&compiled.set, &data_name, &bytes);
    let lines = dataset
        .errors
        .iter()
        .map(|e| format!("{data_name}: {}", e.render(lang())))
        .collect();
    data_errors(lines, dataset.errors_omitted, &data_name, false)?;
    Ok((compiled, dataset))
}

/// The format of a result file, by its extension, else by its first bytes.
fn result_format(path: &Path, bytes: &[u8]) -> OutFormat {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("json") => OutFormat::Json,
        Some("jsonl" | "ndjson") => OutFormat::Jsonl,
        Some("csv") => OutFormat::Csv,
        Some("xlsx") => OutFormat::Xlsx,
        Some("txt") => OutFormat::Table,
        _ if bytes.starts_with(b"PK\x03\x04") => OutFormat::Xlsx,
        _ if bytes.trim_ascii_start().starts_with(b"{\n") => OutFormat::Json,
        _ if bytes.trim_ascii_start().starts_with(b"{") => OutFormat::Jsonl,
        _ => OutFormat::Csv,
    }
}

/// What a result was made with beside its rules and data, as `kaohe verify` is told.
struct Made {
    inputs: Inputs,
    keep_going: bool,
    stream: bool,
    units: Option<PathBuf>,
}

/// `kaohe verify`: the result made again from its rules and data, compared byte for byte.
fn verify(result: &Path, rules: String, data: Vec<PathBuf>, made: Made) -> Result<(), Failure> {
    let Made {
        inputs,
        keep_going,
        stream,
        units,
    } = made;
    let recorded = read(result)?;
    let format = result_format(result, &recorded);
    let name = result.display().to_string();
    // The result made again in a folder of its own (created new: nothing another user placed
    // there is written through), then compared in memory.
    let dir =
        private_dir().map_err(|e| fail(exit::IO, msg::cannot_write_result(&e.to_string())))?;
    let ext = result
        .extension()
        .map_or_else(|| "out".into(), |e| e.to_string_lossy());
    let temp = dir.join(format!("result.{ext}"));
    let how = Run {
        format,
        out: Some(temp.clone()),
        keep_going,
        quiet: true,
        stream,
        units,
    };
    let made = assess(Some(rules), data, &inputs, how).and_then(|()| read(&temp));
    let _ = std::fs::remove_dir_all(&dir);
    let mut again = made?;
    // A CSV written to a file starts with the byte-order mark; one sent to a pipe does not.
    if matches!(format, OutFormat::Csv) && !recorded.starts_with(b"\xEF\xBB\xBF") {
        again = again
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&again)
            .to_vec();
    }
    if again == recorded {
        println!("{}", say(&msg::verified(&name)));
        return Ok(());
    }
    let mut why = provenance_differences(&recorded, &again);
    if why.is_empty() {
        why.push(first_difference(&recorded, &again));
    }
    Err(fail(exit::VERIFY, msg::not_reproduced(&name, &why)))
}

/// A new folder of this run's own in the system's temporary folder.
fn private_dir() -> std::io::Result<PathBuf> {
    let base = std::env::temp_dir();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut last = None;
    for k in 0..16u32 {
        let dir = base.join(format!("kaohe-verify-{}-{nanos}-{k}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no temporary folder")))
}

/// What the provenance (来源) of two JSON results says differs: the rules, the data, the
/// earlier periods, the parameters or kaohe's version.
fn provenance_differences(recorded: &[u8], again: &[u8]) -> Vec<Text> {
    let of = |b: &[u8]| {
        serde_json::from_slice::<serde_json::Value>(b)
            .ok()
            .and_then(|v| serde_json::from_value::<Provenance>(v.get("provenance")?.clone()).ok())
    };
    let (Some(was), Some(now)) = (of(recorded), of(again)) else {
        return Vec::new();
    };
    let short = |h: &[String]| {
        let list: Vec<String> = h
            .iter()
            .map(|h| printable(h.chars().take(12).collect()))
            .collect();
        list.join("、")
    };
    let mut out = Vec::new();
    if was.rules_sha256 != now.rules_sha256 {
        let (a, b) = (short(&[was.rules_sha256]), short(&[now.rules_sha256]));
        out.push(msg::differs_rules(&a, &b));
    }
    if was.data_sha256 != now.data_sha256 {
        out.push(msg::differs_data(
            &short(&was.data_sha256),
            &short(&now.data_sha256),
        ));
    }
    if was.previous_sha256 != now.previous_sha256 || was.history_sha256 != now.history_sha256 {
        out.push(msg::differs_periods());
    }
    if was.params != now.params {
        out.push(msg::differs_params());
    }
    if was.kaohe != now.kaohe {
        let was_version = printable(was.kaohe.chars().take(40).collect());
        out.push(msg::differs_version(&was_version, &now.kaohe));
    }
    out
}

/// Where two results first differ: the line of a text (shortened, as a terminal may show it),
/// or that a workbook's content differs.
fn first_difference(recorded: &[u8], again: &[u8]) -> Text {
    let (Ok(a), Ok(b)) = (std::str::from_utf8(recorded), std::str::from_utf8(again)) else {
        return msg::differs_workbook();
    };
    let line = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or_else(|| a.lines().count().min(b.lines().count()));
    let at = |t: &str| {
        t.lines().nth(line).map(|l| {
            let l = l.trim();
            let cut: String = l.chars().take(120).collect();
            let more = if cut.len() < l.len() { "…" } else { "" };
            printable(cut) + more
        })
    };
    msg::differs_line(line + 1, at(a).as_deref(), at(b).as_deref())
}

/// Whether a command-line word names a rule set: a `.rhai` file or a bundled id.
fn names_rules(word: &str) -> bool {
    let p = Path::new(word);
    if p.is_file() {
        return p
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("rhai"));
    }
    bundled::ALL.iter().any(|b| b.id == word)
}

/// `kaohe diff`: two runs compared unit by unit — two rule sets on one data file, or one rule
/// set on two data files.
fn diff(
    (first, second, third): (&str, &str, Option<PathBuf>),
    with: &Analysis,
) -> Result<(), Failure> {
    let (params, out, format) = (&with.inputs.params(), &with.out, with.format);
    let mut inputs = vec![
        Some(Path::new(first)),
        Some(Path::new(second)),
        third.as_deref(),
    ];
    inputs.extend(with.inputs.files());
    refuse_overwrite(out.as_deref(), &inputs)?;
    // (rules, data) of each run.
    let (before, after) = if names_rules(second) {
        ((first, third.clone()), (second, third))
    } else {
        let Some(new_data) = third else {
            return Err(fail(exit::USAGE, msg::diff_needs_two(second)));
        };
        (
            (first, Some(PathBuf::from(second))),
            (first, Some(new_data)),
        )
    };
    let (prev, _) = with.inputs.periods(out.as_deref())?;
    let by_rules = before.0 != after.0;
    let run = |(rules, data): (&str, Option<PathBuf>)| -> Result<(String, crate::Report), Failure> {
        let name = match &data {
            Some(d) if !by_rules => d.display().to_string(),
            _ => rules.to_string(),
        };
        let (compiled, dataset) = load(Some(rules), data, params, Some(first))?;
        let report = compiled
            .assess_unexplained(&dataset.units, prev.as_ref())
            .map_err(eval_failure)?;
        Ok((name, report))
    };
    let (old_name, old) = run(before)?;
    let (new_name, new) = run(after)?;
    let report = crate::change::diff(&old, &new, &old_name, &new_name);
    write_analysis(
        out.as_deref(),
        (format, "对比"),
        &report,
        report.table(),
        || report.csv(),
    )
}

/// Writes an analysis (`gap`, `diff`) in the format asked: its table, JSON, CSV (with the
/// byte-order mark Excel needs in a file) or the CSV's rows as a workbook.
fn write_analysis<T: serde::Serialize>(
    out: Option<&Path>,
    (format, name): (ReportFormat, &str),
    value: &T,
    table: String,
    csv: impl FnOnce() -> Result<Vec<u8>, crate::Message>,
) -> Result<(), Failure> {
    let file = out.is_some_and(|p| !is_std(p));
    if let ReportFormat::Xlsx = format {
        if out.is_none() {
            return Err(fail(exit::IO, msg::xlsx_needs_out()));
        }
        let rows = csv().map_err(|m| fail(exit::IO, m))?;
        let book = output::rows_xlsx(name, name, &rows)
            .map_err(|e| fail(exit::IO, msg::cannot_build_workbook(&e)))?;
        return write_to(out, |w| w.write_all(&book));
    }
    write_to(out, |w| match format {
        ReportFormat::Table => w.write_all(table.as_bytes()),
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, value)?;
            w.write_all(b"\n")
        }
        ReportFormat::Csv => {
            if file {
                w.write_all(b"\xEF\xBB\xBF")?;
            }
            w.write_all(&csv().map_err(std::io::Error::other)?)
        }
        ReportFormat::Xlsx => Ok(()),
    })
}

/// `kaohe gap`: every unit's gap to the next grade and rank, or the named units'.
fn gap(
    rules: Option<&str>,
    data: Option<PathBuf>,
    only: &[String],
    with: &Analysis,
) -> Result<(), Failure> {
    let (params, out, format) = (&with.inputs.params(), &with.out, with.format);
    let mut inputs = vec![data.as_deref(), rules.map(Path::new)];
    inputs.extend(with.inputs.files());
    refuse_overwrite(out.as_deref(), &inputs)?;
    let (compiled, dataset) = load(rules, data, params, None)?;
    let (prev, _) = with.inputs.periods(out.as_deref())?;
    let report = compiled
        .gaps_of(&dataset.units, prev.as_ref(), only)
        .map_err(eval_failure)?;
    // A unit asked for that the data does not hold, by code or name.
    let unknown = report.missing(only);
    if !unknown.is_empty() {
        return Err(fail(exit::USAGE, msg::unknown_units(&unknown)));
    }
    write_analysis(
        out.as_deref(),
        (format, "差距分析"),
        &report,
        report.table(),
        || report.csv(),
    )
}

/// `--params FILE`, then each `--param ID=VALUE`: declared parameters' values for this run,
/// in place of the ones the rule set writes (reasons show the value used).
fn set_params(rules: &mut Rules, given: &Params) -> Result<(), Failure> {
    if let Some(path) = &given.file {
        let name = path.display().to_string();
        // A table larger than any parameter table is refused before it is read.
        let too_large =
            std::fs::metadata(path).is_ok_and(|m| m.len() > crate::params::MAX_BYTES as u64);
        let read_table =
            || -> Result<_, Failure> { Ok(crate::params::read(rules, &name, &read(path)?)) };
        let table = if too_large {
            Err(vec![crate::params::too_large()])
        } else {
            read_table()?
        };
        match table {
            Ok(values) => rules.set_params(&values),
            Err(errors) => {
                let mut lines: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{name}: {}", e.render(lang())))
                    .collect();
                lines.push(say(&msg::params_errors_summary(errors.len(), &name)).to_string());
                return Err((exit::DATA, lines.join("\n")));
            }
        }
    }
    for g in &given.pairs {
        let Some(value) = crate::params::parse_pair(rules, g) else {
            let known: Vec<&str> = rules.set.params.iter().map(|p| &*p.id).collect();
            return Err(fail(exit::USAGE, msg::param_unusable(g, &known)));
        };
        rules.set_params(&[value]);
    }
    Ok(())
}

/// The previous period (`--previous`) and the earlier ones (`--history`: files, or folders of
/// .json results in natural order of name), oldest first, as one [`crate::Previous`], with each
/// file's text (the previous period's last) for the provenance. A file named twice is read once;
/// `skip` (the run's own output) is never read as a period.
fn read_periods(
    previous: Option<&Path>,
    history: &[PathBuf],
    skip: Option<&Path>,
) -> Result<(Option<crate::Previous>, Vec<String>), Failure> {
    let mut files: Vec<PathBuf> = Vec::new();
    for h in history {
        if h.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(h)
                .map_err(|e| {
                    fail(
                        exit::IO,
                        msg::cannot_read(&h.display().to_string(), &e.to_string()),
                    )
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .is_some_and(|x| x.eq_ignore_ascii_case("json"))
                })
                .collect();
            inside.sort_by_key(|p| natural_key(&p.to_string_lossy()));
            files.extend(inside);
        } else {
            files.push(h.clone());
        }
    }
    files.extend(previous.map(Path::to_path_buf));
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    };
    let mut unique: Vec<PathBuf> = Vec::new();
    for f in files {
        if skip.is_some_and(|s| !is_std(s) && same(s, &f)) || unique.iter().any(|u| same(u, &f)) {
            continue;
        }
        unique.push(f);
    }
    let mut texts = Vec::new();
    let mut periods = Vec::new();
    for p in &unique {
        let text = String::from_utf8_lossy(&read(p)?).into_owned();
        let period = crate::Previous::from_json(&text).map_err(|e| {
            fail(
                exit::DATA,
                msg::previous_unusable(&p.display().to_string(), &e.message),
            )
        })?;
        periods.push(period);
        texts.push(text);
    }
    let previous = if history.is_empty() {
        periods.pop()
    } else {
        crate::Previous::from_periods(periods)
    };
    Ok((previous, texts))
}

/// A name's sort key with its runs of digits compared as numbers: 2024-9 before 2024-10.
fn natural_key(name: &str) -> Vec<(String, u64)> {
    let mut key = Vec::new();
    let mut text = String::new();
    let mut digits = String::new();
    for c in name.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() {
                key.push((
                    std::mem::take(&mut text),
                    digits.parse().unwrap_or(u64::MAX),
                ));
                digits.clear();
            }
            text.push(c);
        }
    }
    key.push((text, digits.parse().unwrap_or(0)));
    key
}

/// The data file: the one given, else the bundled rule set's sample, else `samples/NAME.csv`
/// beside the rule file.
fn data_file(
    data_path: &Option<PathBuf>,
    sample: Option<&bundled::Bundled>,
    rules: Option<&str>,
) -> Result<(String, Vec<u8>), Failure> {
    Ok(match (data_path, sample) {
        (Some(p), _) => (p.display().to_string(), read(p)?),
        (None, Some(b)) => match b.data {
            Some(d) => (b.data_path.to_string(), d.to_vec()),
            None => return Err(fail(exit::IO, msg::no_sample(b.id))),
        },
        (None, None) => {
            // A rule file's own sample data: `samples/<name>.csv` beside it.
            let sample = rules.map(Path::new).and_then(|p| {
                let stem = p.file_stem()?;
                let path = p.parent()?.join("samples").join(stem).with_extension("csv");
                path.is_file().then_some(path)
            });
            match sample {
                Some(p) => (p.display().to_string(), read(&p)?),
                None => return Err(fail(exit::IO, msg::no_data_file())),
            }
        }
    })
}

/// Reads the list of units (`--units`) for a respondents' file: every field but those the
/// survey fills in, with the data reader's checks; its errors are data errors.
fn read_units(rules: &Rules, path: &Path, keep_going: bool) -> Result<Vec<crate::Unit>, Failure> {
    let name = path.display().to_string();
    let set = crate::survey::units_rule_set(&rules.set);
    let dataset = data::read(&set, &name, &read(path)?);
    let lines = dataset
        .errors
        .iter()
        .map(|e| format!("{name}: {}", e.render(lang())))
        .collect();
    data_errors(
        lines,
        dataset.errors_omitted,
        &name,
        keep_going && !dataset.units.is_empty(),
    )?;
    Ok(dataset.units)
}

/// Reads every file named, as `(name, bytes)`.
fn read_files(files: &[PathBuf]) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    files
        .iter()
        .map(|p| Ok((p.display().to_string(), read(p)?)))
        .collect()
}

/// Several data files given to `assess`: merged as `kaohe merge` merges returned forms. The
/// notes are printed; the errors are data errors (they stop the run unless `--keep-going`);
/// the units ready to score are scored.
fn merged_data(
    rules: &Rules,
    files: &[PathBuf],
    keep_going: bool,
) -> Result<(String, data::Dataset), Failure> {
    use crate::collect::merge::Level;
    let merged = crate::collect::merge::merge(rules, &read_files(files)?, None);
    let mut errors = Vec::new();
    for p in &merged.problems {
        match p.level {
            Level::Note => eprintln!("{}", p.render(lang())),
            Level::Error => errors.push(p.render(lang())),
        }
    }
    let units = merged.units();
    let name = say(&crate::messages::collect::returned_files(files.len())).to_string();
    data_errors(errors, 0, &name, keep_going && !units.is_empty())?;
    let dataset = data::Dataset {
        units,
        ..data::Dataset::default()
    };
    Ok((name, dataset))
}

/// Reads a list of units (`--units` of `template` and `merge`): its errors are data errors, and
/// stop the command.
fn read_list(rules: &Rules, path: &Path) -> Result<Vec<crate::Unit>, Failure> {
    let name = path.display().to_string();
    let dataset = crate::collect::read_units(rules, &name, &read(path)?);
    let lines = dataset
        .errors
        .iter()
        .map(|e| format!("{name}: {}", e.render(lang())))
        .collect();
    data_errors(lines, dataset.errors_omitted, &name, false)?;
    if dataset.units.is_empty() {
        let m = crate::messages::collect::empty_list(&name);
        return Err(fail(exit::DATA, m));
    }
    Ok(dataset.units)
}

/// `kaohe template`: the rule set's data-collection form, for every unit of a list (or rows
/// to fill in), or for one unit.
fn template(
    rules: &str,
    units: Option<&Path>,
    unit: Option<&str>,
    out: &Path,
) -> Result<(), Failure> {
    use crate::collect::template;
    let (name, source, modules, sample) = rule_source(Some(rules))?;
    refuse_overwrite(Some(out), &[Some(Path::new(rules)), units])?;
    let compiled = compile(&name, &source, &modules, files_for(Some(rules), sample))?;
    refuse_overwrite_tables(Some(out), &compiled, Some(rules))?;
    let list = units.map(|p| read_list(&compiled, p)).transpose()?;
    let form =
        template::form(&compiled, list.as_deref(), unit).map_err(|m| fail(exit::USAGE, m))?;
    let bytes = template::xlsx(&form).map_err(|m| fail(exit::IO, m))?;
    write_to(Some(out), |w| w.write_all(&bytes))?;
    let path = out.display().to_string();
    let units = if form.listed { form.rows.len() } else { 0 };
    let done = crate::messages::collect::form_written(&path, units, form.columns.len());
    if is_std(out) {
        eprintln!("{}", say(&done));
    } else {
        out!("{}", say(&done));
    }
    Ok(())
}

/// `kaohe merge`: the returned files merged and checked; every problem printed, then a line per
/// file and the totals; the merged data written when asked. Exits 4 when errors were found
/// (the merged data is written all the same, its problems marked).
fn merge(
    rules: &str,
    files: &[PathBuf],
    units: Option<&Path>,
    out: Option<&Path>,
) -> Result<(), Failure> {
    use crate::messages::collect as words;
    let (name, source, modules, sample) = rule_source(Some(rules))?;
    let to_stdout = out.is_some_and(is_std);
    let xlsx = match out {
        None => false,
        Some(p) if is_std(p) => false,
        Some(p) => {
            let ext = p
                .extension()
                .map(|e| e.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            match ext.as_str() {
                "xlsx" => true,
                "csv" => false,
                _ => {
                    let m = words::merge_out_format(&p.display().to_string());
                    return Err(fail(exit::USAGE, m));
                }
            }
        }
    };
    let mut inputs: Vec<Option<&Path>> = files.iter().map(|p| Some(p.as_path())).collect();
    inputs.extend([Some(Path::new(rules)), units]);
    refuse_overwrite(out, &inputs)?;
    let compiled = compile(&name, &source, &modules, files_for(Some(rules), sample))?;
    refuse_overwrite_tables(out, &compiled, Some(rules))?;
    let list = units.map(|p| read_list(&compiled, p)).transpose()?;
    let merged = crate::collect::merge::merge(&compiled, &read_files(files)?, list.as_deref());
    // The report goes to standard error when the merged CSV goes to standard output.
    let report = |line: &str| {
        if to_stdout {
            eprintln!("{line}");
        } else {
            out!("{line}");
        }
    };
    for p in &merged.problems {
        report(&p.render(lang()));
    }
    for f in &merged.files {
        report(say(&words::file_line(&f.name, f.units, f.errors, f.notes)));
    }
    let (errors, notes) = merged.counts();
    let ready = merged.units().len();
    report(say(&words::merge_summary(
        files.len(),
        ready,
        errors,
        notes,
    )));
    if let Some(path) = out {
        let bytes = if xlsx {
            merged
                .xlsx(&compiled, lang())
                .map_err(|m| fail(exit::IO, m))?
        } else {
            merged.csv(&compiled, lang())
        };
        write_to(Some(path), |w| w.write_all(&bytes))?;
        if !to_stdout {
            let done = words::merge_written(&path.display().to_string(), xlsx);
            out!("{}", say(&done));
        }
    }
    if errors > 0 {
        Err((exit::DATA, String::new()))
    } else {
        Ok(())
    }
}

fn check(given: &[String]) -> Result<(), Failure> {
    let mut failed = Vec::new();
    for r in given {
        let (name, text, modules, sample) = rule_source(Some(r))?;
        match compile(&name, &text, &modules, files_for(Some(r), sample)) {
            Ok(r) => {
                out!(
                    "{}",
                    say(&msg::check_ok(
                        &name,
                        &r.set.title,
                        [
                            r.set.fields.len(),
                            r.set.item_count(),
                            r.set.vetoes.len(),
                            r.set.bands.len()
                        ]
                    ))
                );
                // Warnings do not fail the check: they go to stderr, beside the errors.
                for w in r.warnings() {
                    eprintln!("{}", w.render_warning(lang()));
                }
            }
            Err((_, msg)) => failed.push(msg),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err((exit::RULES, failed.join("\n\n")))
    }
}

fn rhai_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "rhai"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn is_broken(path: &Path) -> bool {
    path.parent()
        .and_then(Path::file_name)
        .is_some_and(|n| n == "broken")
}

/// `kaohe codes [CODE]`: the message catalogue, one code per line.
fn codes(only: Option<&str>) -> Result<(), Failure> {
    let wanted = only.map(str::to_ascii_uppercase);
    let mut any = false;
    for (code, zh, en) in crate::messages::all_kinds() {
        if wanted.as_deref().is_some_and(|w| w != *code) {
            continue;
        }
        any = true;
        match lang() {
            Lang::Zh => out!("{code}  {zh}（{en}）"),
            Lang::En => out!("{code}  {en} ({zh})"),
        }
    }
    if any {
        Ok(())
    } else {
        Err(fail(
            exit::USAGE,
            msg::unknown_code(&printable(only.unwrap_or_default().to_string())),
        ))
    }
}

/// What `kaohe test` runs: a rule file (with its cases beside it), or a bundled rule set.
enum TestTarget {
    File(PathBuf),
    Bundled(&'static bundled::Bundled),
}

fn test(given: Vec<String>) -> Result<(), Failure> {
    use msg::test_words as tw;
    let targets: Vec<TestTarget> = if given.is_empty() {
        let mut all = rhai_files(Path::new("rules"));
        all.extend(rhai_files(Path::new("rules/broken")));
        if all.is_empty() {
            // Outside a repository: the rule sets built in, with their own cases.
            bundled::ALL.iter().map(TestTarget::Bundled).collect()
        } else {
            all.into_iter().map(TestTarget::File).collect()
        }
    } else {
        let mut out = Vec::new();
        for r in given {
            let path = PathBuf::from(&r);
            if path.is_file() || is_std(&path) {
                out.push(TestTarget::File(path));
            } else if let Some(b) = bundled::ALL.iter().find(|b| b.id == r) {
                out.push(TestTarget::Bundled(b));
            } else {
                let ids: Vec<&str> = bundled::ALL.iter().map(|b| b.id).collect();
                return Err(fail(exit::IO, msg::unknown_rules(&r, &ids)));
            }
        }
        out
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    for target in &targets {
        let path = match target {
            TestTarget::File(p) => p.clone(),
            TestTarget::Bundled(b) => PathBuf::from(b.rules_path),
        };
        let name = path.display().to_string();
        out!("{name}");
        let (source, modules, files) = match target {
            TestTarget::File(p) => {
                let source = String::from_utf8(read(p)?)
                    .map_err(|_| fail(exit::RULES, msg::rules_not_utf8(&name)))?;
                (source, modules_beside(p), crate::compile::files_beside(p))
            }
            TestTarget::Bundled(b) => (b.rules.to_string(), Vec::new(), b.loader()),
        };
        if matches!(target, TestTarget::File(_)) && is_broken(&path) {
            let file = path
                .file_name()
                .map_or(name.clone(), |f| f.to_string_lossy().into_owned());
            let diffs = crate::cases::check_broken(&file, &source, &modules);
            let n = crate::cases::expected_errors(&source).len();
            if diffs.is_empty() {
                passed += 1;
                out!("  {}  {}", say(&tw::ok()), say(&tw::broken_ok(n)));
            } else {
                failed += 1;
                out!("  {}  {}", say(&tw::fail()), say(&tw::broken_differs()));
                for d in diffs {
                    out!("        {}", d.render(lang()).replace('\n', "\n        "));
                }
            }
            continue;
        }
        let mut rules = match Rules::compile_with_files(&name, &source, &modules, files) {
            Ok(r) => r,
            Err(e) => {
                failed += 1;
                out!("  {}  {}", say(&tw::fail()), say(&tw::does_not_compile()));
                for err in &e.0 {
                    out!("        {}", err.render(lang()).replace('\n', "\n        "));
                }
                continue;
            }
        };
        let cases_path = path.with_extension("cases.json");
        let cases = match target {
            TestTarget::File(_) => std::fs::read_to_string(&cases_path).ok(),
            TestTarget::Bundled(b) => b.cases.map(str::to_string),
        };
        let Some(cases) = cases else {
            failed += 1;
            out!(
                "  {}  {}",
                say(&tw::fail()),
                say(&tw::no_cases(&cases_path.display().to_string()))
            );
            continue;
        };
        let load: Box<crate::cases::Loader> = match target {
            TestTarget::File(p) => {
                let dir = p.parent().unwrap_or(Path::new(".")).to_path_buf();
                Box::new(move |rel: &str| std::fs::read(dir.join(rel)))
            }
            TestTarget::Bundled(b) => Box::new(move |rel: &str| {
                b.file(rel).map(<[u8]>::to_vec).ok_or_else(|| {
                    let why = format!("no file `{rel}` in the bundled rule set");
                    std::io::Error::new(std::io::ErrorKind::NotFound, why)
                })
            }),
        };
        match crate::cases::run_cases(&mut rules, &cases, &load) {
            Err(e) => {
                failed += 1;
                out!(
                    "  {}  {}: {}",
                    say(&tw::fail()),
                    cases_path.display(),
                    e.render(lang()).replace('\n', "\n        ")
                );
            }
            Ok(suite) => {
                for c in &suite.cases {
                    if c.passed() {
                        out!("  {}  {}", say(&tw::ok()), c.name);
                    } else {
                        out!("  {}  {}", say(&tw::fail()), c.name);
                        for f in &c.failures {
                            out!("        {}", f.render(lang()).replace('\n', "\n        "));
                        }
                    }
                }
                let cov = &suite.coverage;
                for line in cov.lines() {
                    out!("  {}", line.render(lang()).replace('\n', "\n  "));
                }
                if !cov.missing_vetoes().is_empty() || !cov.missing_bands().is_empty() {
                    out!("  {}  {}", say(&tw::fail()), say(&tw::not_all_exercised()));
                }
                let (p, f) = suite.counts();
                passed += p;
                failed += f;
            }
        }
    }
    out!("{}", say(&tw::totals(passed, failed)));
    if failed == 0 {
        Ok(())
    } else {
        Err((exit::TEST, String::new()))
    }
}
