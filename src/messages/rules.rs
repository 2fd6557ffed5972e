//! Rule errors (规则错误): every mistake `kaohe check` finds in a rule script, one function
//! per kind, each with its code, its zh-CN and English words, and a fix where one is known.
//!
//! Codes by theme: `R00xx` the script's text (syntax, full-width punctuation), `R01xx` names
//! and keys, `R02xx` the rule set as a whole, `R03xx` the values of a declaration's keys,
//! `R04xx` scoring shapes and points, `R05xx` grades, vetoes and consequences, `R09xx`
//! internal. English words are those `Display` has always given; the zh-CN words are written
//! for the person editing the rules (规则编写人员).

use super::{Message, Text};

/// Every rule-error code with its title in zh-CN and English (错误种类). The catalogue's
/// listing of every code reads it; until that exists, only the tests do.
pub const KINDS: &[(&str, &str, &str)] = &[
    ("R0001", "语法错误", "syntax error"),
    (
        "R0002",
        "代码中用了全角标点",
        "full-width punctuation in code",
    ),
    ("R0101", "未知的键", "unknown key"),
    ("R0102", "名称未声明", "name not declared"),
    ("R0103", "重复声明", "declared twice"),
    ("R0104", "重复调用", "called twice"),
    ("R0105", "字段名不合规则", "field name is not an identifier"),
    (
        "R0106",
        "取值不在可选范围内",
        "value is not one of the choices",
    ),
    ("R0201", "缺少 ruleset(…)", "no ruleset(…)"),
    ("R0202", "没有声明字段", "no data fields"),
    ("R0203", "没有指定单位字段", "no unit(…)"),
    ("R0204", "没有指标", "no indicators"),
    ("R0205", "声明顺序不对", "declarations out of order"),
    ("R0301", "缺少必填的键", "required key missing"),
    ("R0302", "值的类型不对", "value of the wrong type"),
    ("R0303", "小数位数超出范围", "decimals out of range"),
    (
        "R0304",
        "if_blank 与字段类型不符",
        "if_blank does not fit the type",
    ),
    ("R0305", "one_of 用法不对", "one_of misused"),
    ("R0306", "文本字段用作数值", "text field used as a number"),
    ("R0307", "yes 需要是/否字段", "yes needs a yes/no field"),
    ("R0308", "取值（VALUE）写法不对", "malformed value"),
    ("R0309", "问卷写法不对", "malformed survey"),
    ("R0310", "条件写法不对", "malformed condition"),
    ("R0311", "名额比例超出范围", "quota out of range"),
    (
        "R0312",
        "闭包的参数个数不对",
        "closure takes the wrong number of parameters",
    ),
    ("R0313", "取值范围写法不对", "malformed value range"),
    ("R0314", "取舍写法不对", "malformed rounding"),
    (
        "R0401",
        "计分方式不是恰好一种",
        "not exactly one way of scoring",
    ),
    ("R0402", "计分方式写法不对", "malformed scoring shape"),
    ("R0403", "分档分值超过满分", "band above the item's max"),
    ("R0404", "na: \"full\" 用法不对", "na: \"full\" misused"),
    ("R0405", "加分项不能归入类别", "bonus in a category"),
    ("R0406", "满分为负数", "negative max"),
    (
        "R0407",
        "指标分值合计超过总分",
        "indicators exceed the scale",
    ),
    ("R0408", "横向比较方法写法不对", "malformed cohort method"),
    (
        "R0409",
        "类别上限达不到",
        "category cap its items cannot reach",
    ),
    (
        "R0410",
        "类别上限合计与总分不符",
        "category caps do not add up to the scale",
    ),
    ("R0411", "扣分超过本项分值", "deductions exceed the item"),
    (
        "R0412",
        "指标满分合计达不到总分",
        "indicators cannot reach the scale",
    ),
    ("R0413", "扣分项写法不对", "malformed deduction"),
    ("R0414", "基础分超出总分", "base outside the scale"),
    (
        "R0415",
        "规则附表无法读取",
        "table file beside the rules unreadable",
    ),
    (
        "R0416",
        "规则附表中的单元格写法不对",
        "malformed cell in a table file",
    ),
    ("R0501", "等次写法不对", "malformed grade band"),
    (
        "R0502",
        "前提条件未列出等次",
        "prerequisite lists no grades",
    ),
    (
        "R0503",
        "处理结果的 when 写法不对",
        "malformed consequence `when`",
    ),
    ("R0504", "等次范围重叠", "grade bands overlap"),
    ("R0505", "等次之间有空档", "gap between grade bands"),
    (
        "R0701",
        "评分标准中的数字未用于计分（警告）",
        "number in the wording no parameter uses (warning)",
    ),
    (
        "R0702",
        "决策表太大，未检查空档（警告）",
        "decision table too large to check for gaps (warning)",
    ),
    ("R0901", "内部错误", "internal error"),
];

// ---------------------------------------------------------------------------------------
// Pieces of sentences
// ---------------------------------------------------------------------------------------

/// The declaration a mistake is in (所在声明), as a message starts with it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Decl<'a> {
    /// `ruleset(…)`.
    Ruleset,
    /// `field("name", …)`.
    Field(&'a str),
    /// `unit(…)`.
    Unit,
    /// `metric("id", …)`.
    Metric(&'a str),
    /// `param("id", …)`.
    Param(&'a str),
    /// `indicator("id", …)`.
    Indicator(&'a str),
    /// `bonus("id", …)`.
    Bonus(&'a str),
    /// `deduction("id", …)`.
    Deduction(&'a str),
    /// `category("name", #{ … })`.
    Category(&'a str),
    /// `cohort_indicator("id", …)`.
    CohortIndicator(&'a str),
    /// `veto("id", …)`.
    Veto(&'a str),
    /// `veto_policy(…)`.
    VetoPolicy,
    /// `prerequisite("id", …)`.
    Prerequisite(&'a str),
    /// `grades([…])`.
    Grades,
    /// `ranking(…)`.
    Ranking,
    /// `rollup("id", …)`.
    Rollup(&'a str),
    /// `consequence("name", …)`.
    Consequence(&'a str),
}

impl Decl<'_> {
    /// `indicator `a`` / `指标“a”`.
    pub(crate) fn text(self) -> Text {
        match self {
            Self::Ruleset => Text::new("`ruleset(…)`", "ruleset"),
            Self::Field(n) => Text::new(format!("字段 `{n}`"), format!("field `{n}`")),
            Self::Unit => Text::new("`unit(…)`", "unit"),
            Self::Metric(n) => Text::new(format!("统计项“{n}”"), format!("metric `{n}`")),
            Self::Param(n) => Text::new(format!("参数“{n}”"), format!("parameter `{n}`")),
            Self::Indicator(n) => Text::new(format!("指标“{n}”"), format!("indicator `{n}`")),
            Self::Bonus(n) => Text::new(format!("加分项“{n}”"), format!("bonus `{n}`")),
            Self::Deduction(n) => Text::new(format!("扣分项“{n}”"), format!("deduction `{n}`")),
            Self::Category(n) => Text::new(format!("类别“{n}”"), format!("category `{n}`")),
            Self::CohortIndicator(n) => Text::new(
                format!("横向比较指标“{n}”"),
                format!("cohort indicator `{n}`"),
            ),
            Self::Veto(n) => Text::new(format!("一票否决项“{n}”"), format!("veto `{n}`")),
            Self::VetoPolicy => Text::new("`veto_policy(…)`", "veto_policy"),
            Self::Prerequisite(n) => {
                Text::new(format!("前提条件“{n}”"), format!("prerequisite `{n}`"))
            }
            Self::Grades => Text::new("`grades([…])`", "grades"),
            Self::Ranking => Text::new("`ranking(…)`", "ranking"),
            Self::Rollup(n) => Text::new(format!("汇总“{n}”"), format!("rollup `{n}`")),
            Self::Consequence(n) => {
                Text::new(format!("处理结果“{n}”"), format!("consequence `{n}`"))
            }
        }
    }
}

/// `m` as said of the declaration `what`: `indicator `a`: …` / `指标“a”：…`.
pub(crate) fn within(what: &Text, mut m: Message) -> Message {
    m.text = Text::new(
        format!("{}：{}", what.zh, m.text.zh),
        format!("{}: {}", what.en, m.text.en),
    );
    m
}

/// A script value's type in words: `decimal` → 小数.
fn type_zh(t: &str) -> String {
    match t {
        "i64" | "i32" | "int" => "整数".into(),
        "a number" => "数字".into(),
        "a string" => "文本".into(),
        "a character" => "字符".into(),
        "an array" => "列表".into(),
        "a map" | "an object map" => "映射 `#{…}`".into(),
        "decimal" | "rust_decimal::Decimal" => "小数".into(),
        "string" | "&str" | "ImmutableString" => "文本".into(),
        "char" => "字符".into(),
        "bool" => "布尔值（true/false）".into(),
        "()" => "空值 `()`".into(),
        "array" => "列表".into(),
        "map" => "映射 `#{…}`".into(),
        "Fn" => "闭包".into(),
        "blob" => "二进制数据".into(),
        other => format!(" `{other}`"),
    }
}

/// `` `a`、`b`、`c` `` and `` `a`, `b`, `c` ``.
fn code_list(names: &[&str]) -> Text {
    let q: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    Text::new(q.join("、"), q.join(", "))
}

/// Did you mean, for a name written in code (a field, a function): “您是不是想写 `lost`？”.
pub(crate) fn did_you_mean(right: &str) -> Text {
    Text::new(
        format!("您是不是想写 `{right}`？"),
        format!("did you mean `{right}`?"),
    )
}

/// Did you mean, for a misspelt key: “把 `txet` 改为 `text`”.
pub(crate) fn rename_key(wrong: &str, right: &str) -> Text {
    Text::new(
        format!("把 `{wrong}` 改为 `{right}`"),
        format!("did you mean `{right}`?"),
    )
}

/// Did you mean, for a name written as text (a grade, a category, a veto): “您是不是想写“优秀”？”.
pub(crate) fn did_you_mean_name(right: &str) -> Text {
    Text::new(
        format!("您是不是想写“{right}”？"),
        format!("did you mean `{right}`?"),
    )
}

// ---------------------------------------------------------------------------------------
// R00xx: the script's text
// ---------------------------------------------------------------------------------------

/// R0001: a syntax error, from Rhai's parser (语法错误).
pub(crate) fn syntax(e: &rhai::ParseErrorType) -> Message {
    use rhai::LexError as L;
    use rhai::ParseErrorType as P;
    let en = format!("syntax error: {}", lower_first(&e.to_string()));
    let m = |zh: String| Message::new("R0001", format!("语法错误：{zh}"), en.clone());
    match e {
        P::MissingToken(tok, what) => {
            let (zh, help_zh, help_en) = missing_token(tok, what);
            m(zh).help(help_zh, help_en)
        }
        P::UnknownOperator(op) => m(format!("未知的运算符 `{op}`")).help(
            format!("规则脚本中没有 `{op}` 运算符"),
            format!("`{op}` is not an operator in rule scripts"),
        ),
        P::Reserved(word) => {
            let instead = match word.as_str() {
                "default" => Some("if_blank"),
                "else" => Some("otherwise"),
                _ => None,
            };
            let (help_zh, help_en) = match instead {
                Some(i) => (
                    format!("`{word}` 是保留字，不能用作键或名称；这里请写 `{i}`"),
                    format!("`{word}` cannot be a key or a name; write `{i}` here"),
                ),
                None => (
                    format!("保留字不能用作键或名称，请换一个名称代替 `{word}`"),
                    format!("reserved words cannot be keys or names; use another name than `{word}`"),
                ),
            };
            m(format!("`{word}` 是保留字")).help(help_zh, help_en)
        }
        P::UnexpectedEOF => m("脚本没有写完就结束了".into()).help(
            "检查圆括号 ( )、方括号 [ ]、花括号 { } 和双引号是否都已成对闭合",
            "check that every ( [ { and every double quote is closed",
        ),
        P::DuplicatedProperty(k) => m(format!("映射中的键 `{k}` 重复出现")).help(
            format!("每个键只写一次，删去多余的 `{k}`"),
            format!("write each key once: delete the second `{k}`"),
        ),
        P::PropertyExpected => m("`.` 后面应是属性名".into()).help(
            "属性名只能用半角字母、数字和 `_`，如 `u.lost`",
            "a property name uses ASCII letters, digits and `_`, such as `u.lost`",
        ),
        P::VariableExpected => m("这里应是变量名".into()),
        P::VariableUndefined(v) => m(format!("变量 `{v}` 未定义")).help(
            format!("先用 `let {v} = …;` 定义它"),
            format!("define it first with `let {v} = …;`"),
        ),
        P::MismatchedType(wanted, found) => {
            let wanted = match wanted.as_str() {
                "a boolean expression" => "条件（结果为 true 或 false）",
                "an iterable value" => "可遍历的值（列表或范围）",
                _ => wanted.as_str(),
            };
            m(format!("这里需要{wanted}，实际是{}", type_zh(found)))
        }
        P::ExprTooDeep => m("表达式嵌套太深".into()).help(
            "把表达式拆成几步，用 `let` 保存中间结果",
            "split the expression into steps with `let`",
        ),
        P::LoopBreak => m("`break` 只能用在循环中".into()),
        P::BadInput(lex) => match lex {
            L::UnexpectedInput(s) if !s.is_ascii() => m(format!("这里不应出现“{s}”")).help(
                "中文只能写在双引号括起的文本里；名称请用半角字母、数字和 `_`",
                "Chinese text belongs inside double quotes; names use ASCII letters, digits and `_`",
            ),
            L::UnexpectedInput(s) => m(format!("这里不应出现 `{s}`")).help(
                format!("删去多余的 `{s}`，或补上它前面缺少的内容"),
                format!("delete the stray `{s}`, or add what is missing before it"),
            ),
            L::UnterminatedString => m("字符串没有结束".into()).help(
                "在文本末尾补上半角双引号 \"（文本不能跨行）",
                "close the text with a double quote \" on the same line",
            ),
            L::MalformedEscapeSequence(s) => m(format!("无效的转义序列 `{s}`")).help(
                "文本中的反斜杠请写成 `\\\\`",
                "write a backslash in text as `\\\\`",
            ),
            L::MalformedNumber(s) => m(if s.is_empty() {
                "数字写法不对".to_string()
            } else {
                format!("数字 `{s}` 写法不对")
            })
            .help(
                "数字只能含半角数字和一个小数点，如 `96.5`；百分数不带 `%`",
                "a number has ASCII digits and one decimal point, such as `96.5`, without `%`",
            ),
            L::MalformedChar(s) => m(format!("字符 `{s}` 写法不对")).help(
                "文本请用双引号 \"…\" 括起，单引号只能括一个字符",
                "write text in double quotes \"…\"; single quotes hold one character",
            ),
            L::MalformedIdentifier(s) => m(format!("名称 `{s}` 不合规则")).help(
                "名称只能用半角字母、数字和 `_`，且不能以数字开头",
                "a name uses ASCII letters, digits and `_`, and does not start with a digit",
            ),
            L::StringTooLong(max) => m(format!("文本太长（最多 {max} 个字符）")),
            L::ImproperSymbol(s, _) => m(format!("无效的符号 `{s}`")),
            _ => m(e.to_string()),
        },
        _ => m(e.to_string()),
    }
}

/// The zh words for a missing token, its zh hint and its English hint.
fn missing_token(tok: &str, what: &str) -> (String, String, String) {
    let named = |prefix: &str| {
        what.strip_prefix(prefix)
            .map(|r| r.trim_matches(|c| c == '\'' || c == ' ').to_string())
    };
    let place = match what {
        "to end this object map literal" => "映射 `#{ … }` 末尾".to_string(),
        "to separate the items of this object map literal" => "映射的两项之间".into(),
        "to end this array literal" => "列表 `[ … ]` 末尾".into(),
        "to separate the items of this array literal" => "列表的两项之间".into(),
        "to terminate this statement" => "语句末尾".into(),
        "to start a statement block" => "语句块开头".into(),
        "to terminate this block" => "语句块末尾".into(),
        "for a matching ( in this expression" => "与 `(` 配对处".into(),
        "for a matching [ in this index expression" => "与 `[` 配对处".into(),
        "to start arguments list of function call" => "函数调用的参数列表开头".into(),
        "to separate the parameters of anonymous function" => "闭包的两个参数之间".into(),
        "to close the parameters list of anonymous function or closure" => {
            "闭包参数列表末尾".into()
        }
        _ => {
            if let Some(f) = named("to close the arguments list of this function call") {
                format!("函数调用 `{f}(…)` 的参数列表末尾")
            } else if let Some(f) = named("to separate the arguments to function call") {
                format!("函数调用 `{f}(…)` 的两个参数之间")
            } else if let Some(k) = named("to follow the property") {
                let k = k
                    .trim_end_matches(" in this object map literal")
                    .trim_matches('\'');
                format!("映射中的键 `{k}` 后面")
            } else if let Some(f) = named("to close the parameters list of function") {
                format!("函数 `{f}` 的参数列表末尾")
            } else {
                "这里".into()
            }
        }
    };
    let zh = format!("{place}缺少 `{tok}`");
    if what == "to terminate this statement" {
        (
            zh,
            format!("在上一条语句末尾补上 `{tok}`"),
            format!("add `{tok}` at the end of the statement before"),
        )
    } else {
        (
            zh,
            format!("在此处补上 `{tok}`"),
            format!("add `{tok}` here"),
        )
    }
}

/// Rhai's messages as the middle of a sentence: first letter lower-case, no final full stop.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect::<String>(),
        None => String::new(),
    }
    .trim_end_matches('.')
    .to_string()
}

/// The full-width punctuation marks (全角标点) a Chinese input method types in code, with
/// their name in zh and English and the half-width mark to type instead.
const FULL_WIDTH: &[(char, &str, &str, &str)] = &[
    ('，', "逗号", "comma", ","),
    ('、', "顿号", "enumeration comma", ","),
    ('；', "分号", "semicolon", ";"),
    ('：', "冒号", "colon", ":"),
    ('（', "左括号", "parenthesis", "("),
    ('）', "右括号", "parenthesis", ")"),
    ('“', "左引号", "quotation mark", "\""),
    ('”', "右引号", "quotation mark", "\""),
    ('‘', "左单引号", "quotation mark", "\""),
    ('’', "右单引号", "quotation mark", "\""),
    ('＂', "双引号", "quotation mark", "\""),
    ('＇', "单引号", "apostrophe", "'"),
    ('【', "左方括号", "bracket", "["),
    ('】', "右方括号", "bracket", "]"),
    ('［', "左方括号", "bracket", "["),
    ('］', "右方括号", "bracket", "]"),
    ('｛', "左花括号", "brace", "{"),
    ('｝', "右花括号", "brace", "}"),
    ('。', "句号", "full stop", "."),
    ('．', "点号", "full stop", "."),
    ('！', "感叹号", "exclamation mark", "!"),
    ('？', "问号", "question mark", "?"),
    ('＝', "等号", "equals sign", "="),
    ('＋', "加号", "plus sign", "+"),
    ('－', "减号", "minus sign", "-"),
    ('＊', "乘号", "asterisk", "*"),
    ('／', "斜杠", "slash", "/"),
    ('＜', "小于号", "less-than sign", "<"),
    ('＞', "大于号", "greater-than sign", ">"),
    ('％', "百分号", "percent sign", "%"),
    ('｜', "竖线", "vertical bar", "|"),
    ('＃', "井号", "hash sign", "#"),
    ('＿', "下划线", "underscore", "_"),
    ('\u{3000}', "空格", "space", " "),
];

/// Whether `c` is full-width punctuation that belongs in code as its half-width twin.
pub(crate) fn is_full_width(c: char) -> bool {
    FULL_WIDTH.iter().any(|(f, ..)| *f == c)
}

/// R0002: a full-width punctuation mark in code, where the script needs its half-width twin.
pub(crate) fn full_width(c: char) -> Message {
    let (name_zh, name_en, ascii) = FULL_WIDTH
        .iter()
        .find(|(f, ..)| *f == c)
        .map_or(("标点", "punctuation", ""), |(_, z, e, a)| (*z, *e, *a));
    if c == '\u{3000}' {
        return Message::new(
            "R0002",
            "这里用了全角空格，脚本中的空格须为半角",
            "a full-width space in code: scripts use half-width (ASCII) spaces",
        )
        .help("请改用半角空格", "use an ordinary space instead");
    }
    // A quotation mark is not put in quotation marks.
    let shown = if matches!(c, '“' | '”' | '‘' | '’') {
        format!(" `{c}`")
    } else {
        format!("“{c}”")
    };
    Message::new(
        "R0002",
        format!("这里用了全角{name_zh}{shown}，脚本中的标点须为半角"),
        format!("full-width {name_en} `{c}` in code: scripts use half-width (ASCII) punctuation"),
    )
    .help(
        format!("请改用半角{name_zh} {ascii}"),
        format!("use the half-width {name_en} `{ascii}` instead"),
    )
}

// ---------------------------------------------------------------------------------------
// R01xx: names and keys
// ---------------------------------------------------------------------------------------

/// Where an unknown key was found.
#[derive(Debug, Clone, Copy)]
pub(crate) enum KeyPlace<'a> {
    /// In the declaration's own map.
    Declaration,
    /// In the ratio map under this key.
    Ratio(&'a str),
    /// In the survey map under this key.
    Survey(&'a str),
    /// In the map under this key (a linked value, a shape, a deduction).
    In(&'a str),
    /// In the condition under this key.
    Condition(&'a str),
    /// In a step of `bands`.
    BandStep,
}

/// R0101: a key no reader of this map knows (未知的键), most often a typo.
pub(crate) fn unknown_key(k: &str, place: KeyPlace, help: Option<Text>) -> Message {
    let (zh, en) = match place {
        KeyPlace::Declaration => (format!("未知的键 `{k}`"), format!("unknown key `{k}`")),
        KeyPlace::Ratio(key) => (
            format!("`{key}` 的比例中有未知的键 `{k}`"),
            format!("unknown key `{k}` in the ratio of `{key}`"),
        ),
        KeyPlace::Survey(key) => (
            format!("`{key}` 的问卷中有未知的键 `{k}`"),
            format!("unknown key `{k}` in the survey of `{key}`"),
        ),
        KeyPlace::In(key) => (
            format!("`{key}` 中有未知的键 `{k}`"),
            format!("unknown key `{k}` in `{key}`"),
        ),
        KeyPlace::Condition(key) => (
            format!("`{key}` 的条件中有未知的键 `{k}`"),
            format!("unknown key `{k}` in the condition of `{key}`"),
        ),
        KeyPlace::BandStep => (
            format!("分档的一档中有未知的键 `{k}`"),
            format!("unknown key `{k}` in a band step"),
        ),
    };
    Message::new("R0101", zh, en).maybe_help(help)
}

/// The hint for an unknown key without a close match: the keys this map has.
pub(crate) fn keys_are(keys: &[&str]) -> Text {
    let l = code_list(keys);
    Text::new(
        format!("这里可用的键有：{}", l.zh),
        format!("the keys here are {}", keys.join(", ")),
    )
}

/// The hint for an unknown key in a shape: the keys of `shape`.
pub(crate) fn shape_keys_are(shape: &str, keys: &[&str]) -> Text {
    let mut all = vec!["value"];
    all.extend_from_slice(keys);
    Text::new(
        format!("`{shape}` 可用的键有：{}", code_list(&all).zh),
        format!("the keys of `{shape}` are value, {}", keys.join(", ")),
    )
}

/// The form of a ratio.
pub(crate) fn ratio_form() -> Text {
    Text::new(
        "比例写作 `#{ num: \"分子字段\", den: \"分母字段\", scale: 100 }`",
        "a ratio is `#{ num: \"field\", den: \"field\", scale: 100 }`",
    )
}

/// The forms of a survey.
pub(crate) fn survey_form() -> Text {
    Text::new(
        "写作 `#{ survey: [\"f1\", \"f2\", …], points: [100, 80, …] }` 或 `#{ survey: [...], share: [\"f1\"] }`",
        "write `#{ survey: [\"f1\", \"f2\", …], points: [100, 80, …] }` or `#{ survey: [...], share: [\"f1\"] }`",
    )
}

/// The form of a linked value.
pub(crate) fn linked_form(op_key: &str, link_key: &str) -> Text {
    Text::new(
        format!("写作 `#{{ {op_key}: \"字段\", {link_key}: \"关联字段\" }}`"),
        format!("write `#{{ {op_key}: \"field\", {link_key}: \"link_field\" }}`"),
    )
}

/// How a difference is written.
pub(crate) fn diff_form() -> Text {
    Text::new(
        "写作 `#{ diff: \"clear_rate\", from: \"prov_mean\" }`（本单位破案率减去上年度全省平均）",
        "write `#{ diff: \"clear_rate\", from: \"prov_mean\" }` (the unit's rate less last year's provincial mean)",
    )
}

/// How a cohort statistic is written.
pub(crate) fn stat_form(stat_key: &str) -> Text {
    Text::new(
        format!("写作 `#{{ {stat_key}: \"字段或统计项\" }}`，按其他字段分组再加 `by: \"字段\"`"),
        format!("write `#{{ {stat_key}: \"field or metric\" }}`, with `by: \"field\"` to group by another field"),
    )
}

/// The forms of a condition.
pub(crate) fn condition_forms() -> Text {
    Text::new(
        "条件可写作闭包 `|u| u.field > 0`、映射 `#{ field: \"name\", above: 0 }` 或 `#{ any: [ … ] }`",
        "write a closure `|u| u.field > 0`, a map `#{ field: \"name\", above: 0 }` or `#{ any: [ … ] }`",
    )
}

/// R0102: a field named by `key` that is not declared (字段未声明).
pub(crate) fn undeclared_field(key: &str, name: &str, near: Option<&str>) -> Message {
    Message::new(
        "R0102",
        format!("`{key}` 引用的字段 `{name}` 没有声明"),
        format!("`{key}` names field `{name}`, which is not declared"),
    )
    .help_or(near.map(did_you_mean), || {
        Text::new(
            "请先用 `field(…)` 声明该字段，再在规则中引用",
            "declare it with `field(…)` before the rules that read it",
        )
    })
}

/// R0102: a closure reads a field not declared (`read`: how it is written, `u.lsot`); `metric`:
/// the name is a metric's, which closures cannot read.
pub(crate) fn closure_unknown_field(
    read: &str,
    name: &str,
    near: Option<&str>,
    metric: bool,
) -> Message {
    let m = Message::new(
        "R0102",
        format!("闭包读取的 `{read}` 不是声明过的字段，读到的将是空值"),
        format!("the closure reads `{read}`, which is not a declared field"),
    );
    if metric {
        return m.help(
            format!("`{name}` 是统计项（metric）：在闭包中写 `u.metrics.{name}`，或在取值处写 `\"{name}\"`，如 `bands: #{{ value: \"{name}\", … }}`"),
            format!("`{name}` is a metric: read it as `u.metrics.{name}` in a closure, or name it as a value, such as `bands: #{{ value: \"{name}\", … }}`"),
        );
    }
    m.help_or(near.map(did_you_mean), || {
        Text::new(
            "闭包只能读取用 `field(…)` 声明过的字段；请检查拼写，或先声明该字段",
            "a closure reads only fields declared with `field(…)`: check the spelling, or declare the field",
        )
    })
}

/// R0102: a consequence's closure reads a key a result does not hold (`r.rnak`).
pub(crate) fn closure_unknown_result_key(param: &str, key: &str, near: Option<&str>) -> Message {
    Message::new(
        "R0102",
        format!("单位的结果中没有 `{param}.{key}`"),
        format!("a unit's result holds no `{param}.{key}`"),
    )
    .help_or(near.map(did_you_mean), || {
        Text::new(
            format!("结果中可读：{}", crate::compile::RESULT_KEYS.join("、")),
            format!("a result holds: {}", crate::compile::RESULT_KEYS.join(", ")),
        )
    })
}

/// R0102: a consequence's closure names an item or metric not declared (`r.items.contrl`);
/// `kind`: `items` or `metrics`.
pub(crate) fn closure_unknown_id(read: &str, id: &str, kind: &str, near: Option<&str>) -> Message {
    let (zh, en) = match kind {
        "items" => ("指标", "indicator"),
        "params" => ("参数", "parameter"),
        _ => ("统计项", "metric"),
    };
    Message::new(
        "R0102",
        format!("闭包读取的 `{read}`：没有 id 为 `{id}` 的{zh}"),
        format!("the closure reads `{read}`: no {en} has the id `{id}`"),
    )
    .help_or(near.map(did_you_mean), || {
        Text::new(
            format!("请写声明过的{zh} id"),
            format!("write the id of a declared {en}"),
        )
    })
}

/// R0701 (a warning): numbers in an item's `text` that none of its parameters uses.
pub(crate) fn wording_numbers(numbers: &[String]) -> Message {
    let zh_list = numbers.join("、");
    let en_list = numbers.join(", ");
    Message::new(
        "R0701",
        format!("`text` 中写的 {zh_list} 没有用于计分：通报上的评分标准与实际计分可能不一致"),
        format!("`text` writes {en_list}, which the scoring does not use: the standard a 通报 prints and the points may disagree"),
    )
    .help(
        "改了阈值或分值后，请把 `text` 一并改过来；若这个数字本就不是参数，可不理会此警告",
        "after changing a threshold or points, change `text` to match; if the number is not a parameter, ignore this warning",
    )
}

/// R0702 (a warning): a `unique` decision table with too many combinations of its limits to
/// look for values no row covers (overlaps are still checked, row against row).
pub(crate) fn table_too_large(combinations: usize) -> Message {
    Message::new(
        "R0702",
        format!("决策表各列的分界组合有 {combinations} 种，太多，未检查是否有取值没有任何一行命中（行与行的重叠已检查）"),
        format!("the table's limits make {combinations} combinations, too many to look for values no row covers (overlapping rows were checked)"),
    )
    .help(
        "末行写 [\"-\", …, 0] 兜底，或把表拆成几张较小的表",
        "end with a catch-all row [\"-\", …, 0], or split the table into smaller ones",
    )
}

/// R0102: a call to a function the script does not define, close to one it does.
pub(crate) fn undefined_function(name: &str, near: &str) -> Message {
    let t = did_you_mean(near);
    Message::new(
        "R0102",
        format!("调用的函数 `{name}` 没有定义"),
        format!("the function `{name}` called here is not defined"),
    )
    .help(t.zh, t.en)
}

/// R0312: a closure with `written` parameters where `given` are given (`example`: `|u| …`).
pub(crate) fn closure_params(written: usize, given: usize, example: &str) -> Message {
    Message::new(
        "R0312",
        format!("这个闭包写了 {written} 个参数，但调用时传入 {given} 个"),
        format!("this closure takes {written} parameter(s), but it is given {given}"),
    )
    .help(
        format!("写成 `{example}`"),
        format!("write it as `{example}`"),
    )
}

/// R0102: a linked value names neither a field nor a metric declared earlier.
pub(crate) fn undeclared_field_or_metric(key: &str, name: &str, near: Option<&str>) -> Message {
    Message::new(
        "R0102",
        format!("`{key}` 引用的 `{name}` 既不是字段，也不是前面声明过的统计项"),
        format!("`{key}` names `{name}`, which is neither a field nor a metric declared earlier"),
    )
    .help_or(near.map(did_you_mean), || {
        Text::new(
            "请写一个字段名，或写在此之前声明的统计项（metric）",
            "name a field, or a metric declared earlier",
        )
    })
}

/// R0102: an item names a category that is not declared.
pub(crate) fn undeclared_category(name: &str, near: Option<&str>) -> Message {
    Message::new(
        "R0102",
        format!("类别“{name}”没有声明"),
        format!("category `{name}` is not declared"),
    )
    .help_or(near.map(did_you_mean_name), || {
        Text::new(
            format!("请用 `category(\"{name}\", 25);` 声明该类别"),
            format!("declare it with `category(\"{name}\", 25);`"),
        )
    })
}

/// R0102: a `previous_consequence` names a consequence the rule set does not declare.
pub(crate) fn undeclared_consequence(key: &str, name: &str, near: Option<&str>) -> Message {
    Message::new(
        "R0102",
        format!("`{key}` 读取的结果运用“{name}”没有声明"),
        format!("`{key}` reads consequence `{name}`, which is not declared"),
    )
    .help_or(near.map(did_you_mean_name), || {
        Text::new(
            "请写 `consequence(\"名称\", …)` 中声明过的名称（`consequence` 条件读取的须声明在本条之前）",
            "name a consequence declared with `consequence(\"NAME\", …)` (for a `consequence` condition, one declared before this one)",
        )
    })
}

/// Where a previous-grade condition stands, for [`within`].
pub(crate) fn previous_grade_place() -> Text {
    Text::new("`previous_grade` 条件", "a `previous_grade` condition")
}

/// R0308: a `previous_grade` / `previous_consequence` condition not written as one name (or,
/// for grades, a list of names) and nothing else.
pub(crate) fn bad_previous_label(key: &str) -> Message {
    Message::new(
        "R0308",
        format!("`{key}` 条件应只写一个名称（等次可写名称列表）"),
        format!("a `{key}` condition takes one name (a grade, a list of names) and no other key"),
    )
    .help(
        "例如 `#{ previous_grade: [\"不合格\", \"基本合格\"] }` 或 `#{ previous_consequence: \"黄牌\" }`",
        "e.g. `#{ previous_grade: [\"不合格\", \"基本合格\"] }` or `#{ previous_consequence: \"黄牌\" }`",
    )
}

/// R0102: a consequence names a veto id that no veto has.
pub(crate) fn undeclared_veto(id: &str, near: Option<&str>) -> Message {
    Message::new(
        "R0102",
        format!("没有 id 为“{id}”的一票否决项"),
        format!("no veto has the id `{id}`"),
    )
    .help_or(near.map(did_you_mean_name), || {
        Text::new(
            "请写 `veto(\"id\", …)` 中声明过的 id",
            "name the id of a `veto(\"id\", …)`",
        )
    })
}

/// R0102: a grade name no band of `grades([…])` has.
pub(crate) fn undeclared_grade(name: &str, near: Option<&str>, bands: &[String]) -> Message {
    let list: Vec<&str> = bands.iter().map(String::as_str).collect();
    Message::new(
        "R0102",
        format!("没有名为“{name}”的等次"),
        format!("no grade band is named `{name}`"),
    )
    .help_or(near.map(did_you_mean_name), || {
        if list.is_empty() {
            Text::new(
                "请先用 `grades([…])` 声明等次",
                "declare the grades with `grades([…])`",
            )
        } else {
            let zh: Vec<String> = list.iter().map(|n| format!("“{n}”")).collect();
            Text::new(
                format!("等次有：{}", zh.join("、")),
                format!("the grades are {}", code_list(&list).en),
            )
        }
    })
}

/// R0103: a name declared twice (重复声明): a field, a metric, an item id.
pub(crate) fn declared_twice(what: &Text, item: bool) -> Message {
    let m = Message::new(
        "R0103",
        format!("{}重复声明", what.zh),
        format!("{} is declared twice", what.en),
    );
    if item {
        m.help("每条规则的 id 须各不相同", "give each rule its own id")
    } else {
        m.help(
            "删去重复的声明，或给其中一个改名",
            "delete the second declaration or rename one",
        )
    }
}

/// R0104: a function the script calls once at most, called twice (`ruleset`, `state`).
pub(crate) fn called_twice(function: &str) -> Message {
    Message::new(
        "R0104",
        format!("`{function}(…)` 调用了两次"),
        format!("`{function}(…)` is called twice"),
    )
    .help(
        format!("只保留一个 `{function}(…)`"),
        format!("keep one `{function}(…)` and delete the other"),
    )
}

/// R0105: a field name that cannot be written as `u.name`.
pub(crate) fn bad_field_name(name: &str) -> Message {
    Message::new(
        "R0105",
        format!("字段名“{name}”不合规则"),
        format!("field name `{name}` is not an identifier"),
    )
    .help(
        "字段名只能用半角字母、数字和 `_`（如 `lost_control`），中文表头请写在 `label` 中",
        "use letters, digits and `_` (e.g. `lost_control`) and put the Chinese header in `label`",
    )
}

/// The choices of a key read by `choice`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Choice {
    /// `order`.
    Order,
    /// `na`.
    Na,
    /// `veto_policy`'s `rank`.
    VetoRank,
    /// `ranking`'s `ties`.
    Ties,
    /// `rollup`'s `method`.
    RollupMethod,
}

/// R0106: `key` holds a text that is not one of its choices.
pub(crate) fn unknown_choice(key: &str, value: &str, choice: Choice) -> Message {
    let (zh, en) = match choice {
        Choice::Order => (
            "请写 \"desc\"（越高越好）或 \"asc\"（越低越好）",
            "use \"desc\" (higher is better) or \"asc\"",
        ),
        Choice::Na => (
            "唯一可选的是 `na: \"full\"`",
            "the only choice is `na: \"full\"`",
        ),
        Choice::VetoRank => (
            "请写 \"last\"（排在最后）、\"excluded\"（不参加排名）或 \"normal\"（照常排名）",
            "use \"last\", \"excluded\" or \"normal\"",
        ),
        Choice::Ties => (
            "请写 \"competition\"（1-2-2-4）或 \"dense\"（1-2-2-3）",
            "use \"competition\" (1-2-2-4) or \"dense\" (1-2-2-3)",
        ),
        Choice::RollupMethod => (
            "请写 \"mean\"（平均）、\"sum\"（合计）、\"min\"（最低）或 \"max\"（最高）",
            "use \"mean\", \"sum\", \"min\" or \"max\"",
        ),
    };
    Message::new(
        "R0106",
        format!("`{key}` 的值“{value}”不是可选值"),
        format!("`{key}` is `{value}`"),
    )
    .help(zh, en)
}

/// R0106: a field type that does not exist.
pub(crate) fn unknown_type(name: &str, near: Option<&str>) -> Message {
    Message::new(
        "R0106",
        format!("未知的字段类型“{name}”"),
        format!("unknown type `{name}`"),
    )
    .help_or(near.map(did_you_mean), || {
        Text::new(
            "类型只能是 text（文本）、int（整数）、number（数字）、percent（百分比）、bool（是/否）",
            "the types are text, int, number, percent, bool",
        )
    })
}

/// R0106: `otherwise` in `target` is neither "zero" nor "proportional".
pub(crate) fn unknown_otherwise(value: &str) -> Message {
    Message::new(
        "R0106",
        format!("`target` 中 `otherwise` 的值“{value}”不是可选值"),
        format!("`otherwise` in `target` is `{value}`"),
    )
    .help(
        "请写 \"zero\"（未达标得 0 分）或 \"proportional\"（按比例得分）",
        "use \"zero\" or \"proportional\"",
    )
}

// ---------------------------------------------------------------------------------------
// R02xx: the rule set as a whole
// ---------------------------------------------------------------------------------------

/// R0201: the script never calls `ruleset(…)`.
pub(crate) fn no_ruleset() -> Message {
    Message::new(
        "R0201",
        "脚本没有调用 `ruleset(…)`",
        "the script never calls `ruleset(…)`",
    )
    .help(
        "在脚本开头写 `ruleset(#{ id: \"my-scheme\", title: \"…\", max: 100 });`",
        "start the script with `ruleset(#{ id: \"my-scheme\", title: \"…\", max: 100 });`",
    )
}

/// R0202: no `field(…)`.
pub(crate) fn no_fields() -> Message {
    Message::new(
        "R0202",
        "规则集没有声明任何数据字段",
        "the rule set declares no data fields",
    )
    .help(
        "每个数据列用 `field(\"name\", #{ label: \"表头\", type: \"int\" });` 声明",
        "declare each column with `field(\"name\", #{ label: \"表头\", type: \"int\" });`",
    )
}

/// R0203: no `unit(…)`.
pub(crate) fn no_unit() -> Message {
    Message::new(
        "R0203",
        "规则集没有指明哪个字段标识单位",
        "the rule set never says which field identifies a unit",
    )
    .help(
        "在字段声明之后加上 `unit(#{ id: \"code\", name: \"name\" });`",
        "add `unit(#{ id: \"code\", name: \"name\" });` after the fields",
    )
}

/// R0204: no indicator (nor metric).
pub(crate) fn no_indicators() -> Message {
    Message::new(
        "R0204",
        "规则集没有任何指标",
        "the rule set has no indicators",
    )
    .help(
        "至少加一条 `indicator(\"id\", #{ … });`",
        "add at least one `indicator(\"id\", #{ … });`",
    )
}

/// R0205: `ranking(#{ within })` before `unit(…)`.
pub(crate) fn ranking_before_unit() -> Message {
    Message::new(
        "R0205",
        "`ranking(…)`：须先调用 `unit(…)`，再调用 `ranking(…)`",
        "ranking: call `unit(…)` before `ranking(…)`",
    )
    .help(
        "把 `ranking(…)` 移到 `unit(…)` 之后",
        "move `ranking(…)` below `unit(…)`",
    )
}

// ---------------------------------------------------------------------------------------
// R03xx: the values of a declaration's keys
// ---------------------------------------------------------------------------------------

/// R0301: a required key is missing; `help` says what to add.
pub(crate) fn missing_key(key: &str, help: Text) -> Message {
    Message::new(
        "R0301",
        format!("缺少 `{key}`"),
        format!("`{key}` is missing"),
    )
    .help(help.zh, help.en)
}

/// The hint to add `example` (a key with its value).
pub(crate) fn add(example: &str) -> Text {
    Text::new(format!("请补上 `{example}`"), format!("add `{example}`"))
}

/// The hint for a missing `value`: a field or a survey.
pub(crate) fn add_value_or_survey() -> Text {
    Text::new(
        "请补上 `value: \"字段\"` 或一个问卷",
        "add `value: \"field\"` or a survey",
    )
}

/// R0302: `key` must be text.
pub(crate) fn not_text(key: &str, found: &str) -> Message {
    Message::new(
        "R0302",
        format!("`{key}` 应为文本，实际是{}", type_zh(found)),
        format!("`{key}` must be text, found {found}"),
    )
    .help(
        format!("用双引号括起，如 `{key}: \"…\"`"),
        format!("write it in double quotes, such as `{key}: \"…\"`"),
    )
}

/// R0302: `key` must be a number.
pub(crate) fn not_number(key: &str, found: &str) -> Message {
    Message::new(
        "R0302",
        format!("`{key}` 应为数字，实际是{}", type_zh(found)),
        format!("`{key}` must be a number, found {found}"),
    )
    .help(
        format!("写半角数字、不加引号，如 `{key}: 10`"),
        format!("write the number without quotes, such as `{key}: 10`"),
    )
}

/// R0302: `key` must be true or false.
pub(crate) fn not_bool(key: &str, found: &str) -> Message {
    Message::new(
        "R0302",
        format!("`{key}` 应为 true 或 false，实际是{}", type_zh(found)),
        format!("`{key}` must be true or false, found {found}"),
    )
    .help(
        format!("写 `{key}: true` 或 `{key}: false`，不加引号"),
        format!("write `{key}: true` or `{key}: false`, without quotes"),
    )
}

/// R0302: `key` must be a closure.
pub(crate) fn not_closure(key: &str, found: &str) -> Message {
    Message::new(
        "R0302",
        format!("`{key}` 应为闭包（如 `|u| …`），实际是{}", type_zh(found)),
        format!("`{key}` must be a closure such as `|u| …`, found {found}"),
    )
    .help(
        format!("写作 `{key}: |u| …`，如 `{key}: |u| u.lost * 0.5`"),
        format!("write `{key}: |u| …`, such as `{key}: |u| u.lost * 0.5`"),
    )
}

/// R0302: `aliases` must be a list of headers.
pub(crate) fn aliases_not_list() -> Message {
    Message::new(
        "R0302",
        "`aliases` 应为表头列表",
        "`aliases` must be a list of headers",
    )
    .help(
        "写作 `aliases: [\"编码\", \"区划代码\"]`",
        "write `aliases: [\"编码\", \"区划代码\"]`",
    )
}

/// R0302: `key` must be a list of field names.
pub(crate) fn not_names(key: &str) -> Message {
    Message::new(
        "R0302",
        format!("`{key}` 应为字段名列表"),
        format!("`{key}` must be a list of field names"),
    )
    .help(
        format!("写作 `{key}: [\"f1\", \"f2\"]`"),
        format!("write `{key}: [\"f1\", \"f2\"]`"),
    )
}

/// Where a bound was read, for [`bound_not_number`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum BoundIn<'a> {
    /// `target: #{ … }`.
    Target,
    /// A step of `bands`.
    BandStep,
    /// A condition.
    Condition,
    /// A band of `grades([…])`.
    Band(&'a str),
}

/// R0302: a bound (`at_least` …) that is not a number.
pub(crate) fn bound_not_number(k: &str, ctx: BoundIn) -> Message {
    let (zh, en) = match ctx {
        BoundIn::Target => ("`target` 中".to_string(), "`target`".to_string()),
        BoundIn::BandStep => ("分档的一档中".into(), "a band step".into()),
        BoundIn::Condition => ("条件中".into(), "a condition".into()),
        BoundIn::Band(n) => (format!("等次“{n}”中"), format!("band `{n}`")),
    };
    Message::new(
        "R0302",
        format!("{zh}的 `{k}` 应为数字"),
        format!("`{k}` in {en} must be a number"),
    )
    .help(
        format!("写半角数字、不加引号，如 `{k}: 90`"),
        format!("write the number without quotes, such as `{k}: 90`"),
    )
}

/// R0302: the maximum of `category(…)` is not a number.
pub(crate) fn category_max_not_number(name: &str) -> Message {
    Message::new(
        "R0302",
        format!("类别“{name}”：上限应为数字"),
        format!("category `{name}`: the maximum must be a number"),
    )
    .help(
        format!("写作 `category(\"{name}\", 25);`"),
        format!("write `category(\"{name}\", 25);`"),
    )
}

/// R0302: `state(…)` needs a closure.
pub(crate) fn state_not_closure() -> Message {
    Message::new(
        "R0302",
        "`state(…)` 需要一个闭包 `|u, prev, r| #{ status: … }`",
        "state: expected a closure `|u, prev, r| #{ status: … }`",
    )
    .help(
        "写作 `state(|u, prev, r| #{ status: … });`",
        "write `state(|u, prev, r| #{ status: … });`",
    )
}

/// R0303: `decimals` out of 0..=10.
pub(crate) fn bad_decimals() -> Message {
    Message::new(
        "R0303",
        "`decimals`（小数位数）应为 0 到 10 的整数",
        "`decimals` must be a whole number from 0 to 10",
    )
    .help("如 `decimals: 2`", "such as `decimals: 2`")
}

/// R0304: `if_blank` does not fit the field's type.
pub(crate) fn if_blank_mismatch(ty: &str) -> Message {
    Message::new(
        "R0304",
        format!("`if_blank`（空白时的取值）与类型“{ty}”不符"),
        format!("`if_blank` does not fit type `{ty}`"),
    )
    .help(
        "数字类型写 `if_blank: 0`，文本写 `if_blank: \"…\"`，是/否写 `if_blank: false`",
        "numbers take `if_blank: 0`, text `if_blank: \"…\"`, bool `if_blank: false`",
    )
}

/// R0305: `one_of` on a field that is not text, or not a list.
pub(crate) fn bad_one_of() -> Message {
    Message::new(
        "R0305",
        "`one_of` 应为本字段可取值的列表",
        "`one_of` must be a list of the values the field may hold",
    )
    .help(
        "文本字段写 `one_of: [\"乡镇\", \"部门\"]`，数值字段写 `one_of: [1, 2, 3]`；是/否字段的写法用 `yes`、`no`",
        "write `one_of: [\"乡镇\", \"部门\"]` on a text field, `one_of: [1, 2, 3]` on a number; a yes/no field takes `yes` and `no`",
    )
}

/// R0306: `key` reads a text field where it needs a number.
pub(crate) fn text_field_as_number(key: &str, name: &str) -> Message {
    Message::new(
        "R0306",
        format!("`{key}` 需要数值，但字段 `{name}` 是文本类型"),
        format!("`{key}` needs a number but field `{name}` is text"),
    )
    .help(
        format!("把字段 `{name}` 的类型声明为 \"int\"、\"number\" 或 \"percent\""),
        format!("declare `{name}` with type \"int\", \"number\" or \"percent\""),
    )
}

/// R0307: `yes` names a field that is not yes/no.
pub(crate) fn yes_not_bool(name: &str) -> Message {
    Message::new(
        "R0307",
        format!("`yes` 需要是/否字段，`{name}` 不是"),
        format!("`yes` needs a yes/no field; `{name}` is not one"),
    )
    .help(
        format!("把字段 `{name}` 的类型声明为 \"bool\""),
        format!("declare `{name}` with type \"bool\""),
    )
}

/// R0307: `yes` is not a field name.
pub(crate) fn yes_not_name() -> Message {
    Message::new(
        "R0307",
        "`yes` 应写一个是/否字段的名称，如 `yes: \"budget\"`",
        "`yes` must name a yes/no field, such as `yes: \"budget\"`",
    )
}

/// R0308: a VALUE that is neither a field name, a ratio nor a closure.
pub(crate) fn bad_measure(key: &str, found: &str) -> Message {
    Message::new(
        "R0308",
        format!(
            "`{key}` 应为字段名、比例映射或闭包，实际是{}",
            type_zh(found)
        ),
        format!("`{key}` must be a field name, a ratio map or a closure, found {found}"),
    )
    .help(
        format!("写作 `{key}: \"字段\"`、`#{{ num: \"a\", den: \"b\", scale: 100 }}` 或 `|u| …`"),
        format!("write `{key}: \"field\"`, `#{{ num: \"a\", den: \"b\", scale: 100 }}` or `|u| …`"),
    )
}

/// R0308: a ratio without `num`, `den` or a numeric `scale`.
pub(crate) fn bad_ratio(key: &str) -> Message {
    let f = ratio_form();
    Message::new(
        "R0308",
        format!("`{key}` 不是有效的比例"),
        format!("`{key}` is not a valid ratio"),
    )
    .help(f.zh, f.en)
}

/// R0308: a linked value without both its keys.
pub(crate) fn bad_linked(key: &str, op_key: &str, link_key: &str) -> Message {
    let f = linked_form(op_key, link_key);
    Message::new(
        "R0308",
        format!("`{key}` 需要 `{op_key}` 和 `{link_key}`，两者都是字段名"),
        format!("`{key}` needs `{op_key}` and `{link_key}`, both field names"),
    )
    .help(f.zh, f.en)
}

/// How a previous period's figure is written.
pub(crate) fn previous_form() -> Text {
    Text::new(
        "写作 `#{ previous: \"rank\" }`（上期名次）、`#{ previous: \"total\" }`（上期得分）、`#{ previous: \"指标id\" }`（上期该项得分）或 `#{ previous: \"state.键\" }`（上期状态中的数）",
        "write `#{ previous: \"rank\" }`, `#{ previous: \"total\" }`, `#{ previous: \"ITEM_ID\" }` or `#{ previous: \"state.KEY\" }`",
    )
}

/// R0308: `previous` not naming what to read.
pub(crate) fn bad_previous() -> Message {
    let f = previous_form();
    Message::new(
        "R0308",
        "`previous` 应写明读取上期的什么",
        "`previous` must say what of the previous period it reads",
    )
    .help(f.zh, f.en)
}

/// R0102: `previous` names an item the rule set does not declare.
pub(crate) fn undeclared_previous_item(id: &str, near: Option<&str>) -> Message {
    let m = Message::new(
        "R0102",
        format!("`previous` 读取的指标“{id}”没有声明"),
        format!("`previous` reads item `{id}`, which is not declared"),
    );
    match near {
        Some(n) => m.help(
            format!("您是不是想写 `{n}`？"),
            format!("did you mean `{n}`?"),
        ),
        None => {
            let f = previous_form();
            m.help(f.zh, f.en)
        }
    }
}

/// R0308: a difference without both sides, or with a closure.
pub(crate) fn bad_diff() -> Message {
    let f = diff_form();
    Message::new(
        "R0308",
        "`diff` 需要两个取值：`diff`（被减数）和 `from`（减数），都不能是闭包",
        "`diff` needs two values, `diff` and `from`, neither a closure",
    )
    .help(f.zh, f.en)
}

/// R0308: a cohort statistic (or its `by`) not naming a field.
pub(crate) fn stat_not_name(key: &str) -> Message {
    Message::new(
        "R0308",
        format!("`{key}` 应为字段名（或统计项 id）"),
        format!("`{key}` must name a field (or a metric)"),
    )
    .help(
        "如 `#{ cohort_mean: \"clear_rate\" }`、`#{ cohort_median: \"safety\", by: \"city\" }`",
        "such as `#{ cohort_mean: \"clear_rate\" }`, `#{ cohort_median: \"safety\", by: \"city\" }`",
    )
}

/// R0309: `points` does not give one number per answer category.
pub(crate) fn survey_points(key: &str, answers: usize) -> Message {
    Message::new(
        "R0309",
        format!("`{key}` 的问卷中，`points` 须为每个答案类别各给一个分数（共 {answers} 个）"),
        format!(
            "`points` in the survey of `{key}` needs one number per answer category ({answers})"
        ),
    )
    .help(
        format!("`points` 列表的长度应与 `survey` 相同（{answers} 个）"),
        format!("give `points` as many numbers as `survey` has fields ({answers})"),
    )
}

/// R0309: `share` names a field that `survey` does not list.
pub(crate) fn share_not_in_survey(name: &str) -> Message {
    Message::new(
        "R0309",
        format!("`share` 中的 `{name}` 不在 `survey` 列表中"),
        format!("`share` names `{name}`, which is not in `survey`"),
    )
    .help(
        format!("把 `{name}` 加进 `survey`，或从 `share` 中删去"),
        format!("add `{name}` to `survey` or remove it from `share`"),
    )
}

/// R0309: neither or both of `points` and `share`.
pub(crate) fn survey_method(key: &str) -> Message {
    let f = survey_form();
    Message::new(
        "R0309",
        format!("`{key}` 的问卷须恰好有 `points` 或 `share` 其中之一"),
        format!("the survey of `{key}` needs exactly one of `points` or `share`"),
    )
    .help(f.zh, f.en)
}

/// R0310: `key` is not a condition at all.
pub(crate) fn not_condition(key: &str, found: &str) -> Message {
    let f = condition_forms();
    Message::new(
        "R0310",
        format!("`{key}` 应为条件，实际是{}", type_zh(found)),
        format!("`{key}` must be a condition, found {found}"),
    )
    .help(f.zh, f.en)
}

/// R0310: `any`/`all` with other keys or an empty list.
pub(crate) fn bad_any_all(word: &str, key: &str) -> Message {
    let f = condition_forms();
    Message::new(
        "R0310",
        format!("`{key}` 中的 `{word}` 须是唯一的键，且其条件不能为空"),
        format!("`{word}` in `{key}` must be the only key, with a condition (`any`/`all`: a non-empty list)"),
    )
    .help(f.zh, f.en)
}

/// R0310: a condition map without `field`.
pub(crate) fn condition_no_field(key: &str) -> Message {
    let f = condition_forms();
    Message::new(
        "R0310",
        format!("`{key}` 的条件没有写 `field`"),
        format!("the condition in `{key}` names no `field`"),
    )
    .help(f.zh, f.en)
}

/// R0310: a text field compared with a number.
pub(crate) fn condition_text_vs_number(key: &str, name: &str) -> Message {
    Message::new(
        "R0310",
        format!("`{key}` 的条件把文本字段 `{name}` 与数字比较"),
        format!("the condition in `{key}` compares text field `{name}` with a number"),
    )
    .help(
        "文本字段请用 `equals: \"…\"`",
        "use `equals: \"…\"` for a text field",
    )
}

/// R0310: not exactly one bound in a condition.
pub(crate) fn condition_bounds(key: &str) -> Message {
    let f = condition_forms();
    Message::new(
        "R0310",
        format!("`{key}` 的条件须恰好有 `above`、`at_least`、`below`、`at_most`、`equals` 其中之一"),
        format!("the condition in `{key}` needs exactly one of `above`, `at_least`, `below`, `at_most`, `equals`"),
    )
    .help(f.zh, f.en)
}

/// R0311: a band's `quota` outside (0, 1].
pub(crate) fn bad_quota(band: &str) -> Message {
    Message::new(
        "R0311",
        format!("等次“{band}”：`quota`（名额比例）须大于 0 且不超过 1"),
        format!("band `{band}`: `quota` must be a share above 0 and at most 1"),
    )
    .help("20% 写作 `quota: 0.2`", "write 20 % as `quota: 0.2`")
}

// ---------------------------------------------------------------------------------------
// R04xx: scoring shapes and points
// ---------------------------------------------------------------------------------------

/// The hint listing the shapes.
fn one_shape() -> Text {
    Text::new(
        "请恰好写 `deduct`、`count`、`target`、`linear`、`bands`、`zero`、`yes`、`map`、`table`、`score` 其中之一",
        "give exactly one of `deduct`, `count`, `target`, `linear`, `bands`, `zero`, `yes`, `map`, `table`, `score`",
    )
}

/// R0401: an item says no way of scoring.
pub(crate) fn no_shape() -> Message {
    let h = one_shape();
    Message::new("R0401", "没有写计分方式", "says no way of scoring").help(h.zh, h.en)
}

/// R0401: an item gives more than one way of scoring.
pub(crate) fn many_shapes(present: &[&str]) -> Message {
    let h = one_shape();
    Message::new(
        "R0401",
        format!("写了不止一种计分方式：{}", code_list(present).zh),
        format!("has more than one way of scoring: {}", present.join(", ")),
    )
    .help(h.zh, h.en)
}

/// R0402: `deduct`/`count` without the field holding the count.
pub(crate) fn deduct_no_count(ctx: &str) -> Message {
    Message::new(
        "R0402",
        format!("`{ctx}` 缺少记录次数的字段"),
        format!("`{ctx}` needs the field that holds the count"),
    )
    .help(
        format!("写作 `{ctx}: #{{ count: \"字段\", each: 1 }}`"),
        format!("write `{ctx}: #{{ count: \"field\", each: 1 }}`"),
    )
}

/// R0402: `deduct`/`count` without `each`.
pub(crate) fn deduct_no_each(ctx: &str) -> Message {
    Message::new(
        "R0402",
        format!("`{ctx}` 缺少 `each`（每次的分值）"),
        format!("`{ctx}` needs `each`, the points per occurrence"),
    )
    .help(
        format!("写作 `{ctx}: #{{ count: \"字段\", each: 1 }}`"),
        format!("write `{ctx}: #{{ count: \"field\", each: 1 }}`"),
    )
}

/// R0402: a `step` of zero or below.
pub(crate) fn deduct_step(ctx: &str) -> Message {
    Message::new(
        "R0402",
        format!("`{ctx}` 中的 `step` 须大于 0"),
        format!("`step` in `{ctx}` must be above 0"),
    )
    .help(
        "`step: 2` 表示每 2 次计一次分；不写则为 1",
        "`step: 2` counts every second occurrence; leave it out for 1",
    )
}

/// R0402: `deduct`/`count` neither a map nor a list of maps.
pub(crate) fn deduct_not_map(key: &str) -> Message {
    Message::new(
        "R0402",
        format!("`{key}` 应为映射 `#{{ count: \"…\", each: 1 }}` 或这种映射的列表"),
        format!("`{key}` must be a map `#{{ count: \"…\", each: 1 }}` or a list of such maps"),
    )
}

/// R0402: `target`, `linear` or `bands` not a map.
pub(crate) fn shape_not_map(shape: &str) -> Message {
    let (zh, en) = match shape {
        "target" => (
            "`target` 应为映射 `#{ value: \"…\", at_least: 90 }`".to_string(),
            "`target` must be a map `#{ value: \"…\", at_least: 90 }`".to_string(),
        ),
        "bands" => (
            "`bands` 应为映射 `#{ value: \"…\", steps: [[98, 5], [95, 3]] }`".into(),
            "`bands` must be a map `#{ value: \"…\", steps: [[98, 5], [95, 3]] }`".into(),
        ),
        other => (
            format!("`{other}` 应为映射"),
            format!("`{other}` must be a map"),
        ),
    };
    let m = Message::new("R0402", zh, en);
    if shape == "linear" {
        m.help(
            "写作 `linear: #{ value: \"…\", full_at: 100, zero_at: 60 }`",
            "write `linear: #{ value: \"…\", full_at: 100, zero_at: 60 }`",
        )
    } else {
        m
    }
}

/// R0402: a shape's map without `value`.
pub(crate) fn shape_no_value(shape: &str) -> Message {
    Message::new(
        "R0402",
        format!("`{shape}` 缺少 `value`"),
        format!("`{shape}` needs `value`"),
    )
    .help(
        format!("在 `{shape}` 中补上 `value: \"字段\"`"),
        format!("add `value: \"field\"` inside `{shape}`"),
    )
}

/// R0402: `target` without exactly one bound.
pub(crate) fn target_bounds() -> Message {
    Message::new(
        "R0402",
        "`target` 须恰好有 `at_least`、`above`、`at_most`、`below`、`equals` 其中之一",
        "`target` needs exactly one of `at_least`, `above`, `at_most`, `below`, `equals`",
    )
    .help(
        "如 `target: #{ value: \"reach\", at_least: 90 }`",
        "such as `target: #{ value: \"reach\", at_least: 90 }`",
    )
}

/// R0402: `linear` without two different ends.
pub(crate) fn linear_ends() -> Message {
    Message::new(
        "R0402",
        "`linear` 需要两个不同的数 `full_at`（满分点）和 `zero_at`（零分点）",
        "`linear` needs two different numbers `full_at` and `zero_at`",
    )
    .help(
        "如 `linear: #{ value: \"reach\", full_at: 100, zero_at: 60 }`",
        "such as `linear: #{ value: \"reach\", full_at: 100, zero_at: 60 }`",
    )
}

/// R0402: a decision table without its inputs, or with a closure among them.
pub(crate) fn table_inputs() -> Message {
    Message::new(
        "R0402",
        "决策表 `table` 需要 `inputs`：各列读取的取值（字段、统计项、参数……，不能是闭包）",
        "a decision `table` needs `inputs`: the value each column reads (a field, metric, parameter …, not a closure)",
    )
    .help(
        "如 `table: #{ inputs: [\"safety\", \"cases\"], rows: [[#{ at_least: 95 }, #{ at_most: 2 }, 10], [\"-\", \"-\", 0]] }`",
        "such as `table: #{ inputs: [\"safety\", \"cases\"], rows: [[#{ at_least: 95 }, #{ at_most: 2 }, 10], [\"-\", \"-\", 0]] }`",
    )
}

/// How a table kept in a workbook is named, for hints.
fn table_file_form() -> Text {
    Text::new(
        "写作 `table: #{ file: \"附表.xlsx\", sheet: \"工作表名\" }`，附表文件放在规则文件旁（同一文件夹）",
        "write `table: #{ file: \"tables.xlsx\", sheet: \"SHEET\" }` with the workbook beside the rule file",
    )
}

/// R0402: a table with `sheet` but no `file`.
pub(crate) fn table_file_key() -> Message {
    let f = table_file_form();
    Message::new(
        "R0402",
        "决策表写了 `sheet`，但没有写附表文件 `file`",
        "the decision table names a `sheet` but no `file`",
    )
    .help(f.zh, f.en)
}

/// R0402: a table with both its own `rows` and a `file`.
pub(crate) fn table_rows_and_file() -> Message {
    Message::new(
        "R0402",
        "决策表的行要么写在 `rows` 中，要么来自附表 `file`，不能两者都写",
        "a decision table takes its rows from `rows` or from a `file`, not both",
    )
    .help("删去其中之一", "delete one of them")
}

/// R0415: the table's file is not beside the rules.
pub(crate) fn table_file_missing(file: &str) -> Message {
    Message::new(
        "R0415",
        format!("找不到规则附表“{file}”"),
        format!("the table file `{file}` is not found"),
    )
    .help(
        format!("把“{file}”放在规则文件旁（与 .rhai 文件同一文件夹，按 file 中写的相对路径）；在网页中点“载入规则附表…”选择该文件"),
        format!("put `{file}` beside the rule file (the path is relative to it); in the browser, use 载入规则附表… to load it"),
    )
}

/// R0415: a table file named outside the rule file's folder.
pub(crate) fn table_file_outside(file: &str) -> Message {
    Message::new(
        "R0415",
        format!("规则附表“{file}”须在规则文件所在的文件夹内（写相对路径，不能用 .. 或绝对路径）"),
        format!("the table file `{file}` must be inside the rule file's folder (a relative path, without `..`)"),
    )
    .help(
        "把附表放在规则文件旁或其子文件夹中，写作如 `file: \"附表.xlsx\"` 或 `file: \"tables/附表.xlsx\"`",
        "put the table beside the rule file or in a folder below it: `file: \"tables.xlsx\"` or `file: \"tables/x.xlsx\"`",
    )
}

/// R0415: a table file neither a workbook nor a CSV.
pub(crate) fn table_file_unsupported(file: &str) -> Message {
    Message::new(
        "R0415",
        format!("规则附表“{file}”须为 .xlsx/.xls/.ods 表格或 .csv 文件"),
        format!("the table file `{file}` must be an .xlsx/.xls/.ods workbook or a .csv file"),
    )
    .help(
        "在 Excel 或 WPS 中另存为 .xlsx",
        "save it as .xlsx in Excel or WPS",
    )
}

/// R0415: a table file that cannot be read.
pub(crate) fn table_file_unreadable(file: &str, why: &Message) -> Message {
    Message::new(
        "R0415",
        format!("规则附表“{file}”无法读取：{}", why.text.zh),
        format!("the table file `{file}` cannot be read: {}", why.text.en),
    )
    .maybe_help(why.help.clone())
}

/// R0415: no sheet of that name.
#[cfg_attr(not(feature = "spreadsheets"), allow(dead_code))]
pub(crate) fn table_sheet_missing(sheet: &str, names: &[String]) -> Message {
    let m = Message::new(
        "R0415",
        format!("规则附表中没有名为“{sheet}”的工作表"),
        format!("the table file has no sheet `{sheet}`"),
    );
    match super::closest(sheet, names.iter().map(String::as_str)) {
        Some(n) => m.help(
            format!("您是不是想写“{n}”？"),
            format!("did you mean `{n}`?"),
        ),
        None if names.is_empty() => m.help(
            "该文件中没有有数据的工作表",
            "the file has no sheet with data",
        ),
        None => {
            let zh: Vec<String> = names.iter().map(|n| format!("“{n}”")).collect();
            m.help(
                format!("工作表有：{}", zh.join("、")),
                format!("its sheets: {}", names.join(", ")),
            )
        }
    }
}

/// R0415: a sheet with no rows.
pub(crate) fn table_sheet_empty(file: &str, sheet: &str) -> Message {
    let f = table_sheet_layout();
    Message::new(
        "R0415",
        format!(
            "规则附表“{file}”{}没有表格行",
            if sheet.is_empty() {
                String::new()
            } else {
                format!("工作表“{sheet}”")
            }
        ),
        format!(
            "the table file `{file}` {}has no rows",
            if sheet.is_empty() {
                String::new()
            } else {
                format!("sheet `{sheet}` ")
            }
        ),
    )
    .help(f.zh, f.en)
}

/// How a table sheet is laid out, for hints.
fn table_sheet_layout() -> Text {
    Text::new(
        "第一行写各列读取的字段（名称或 id）和“分值”，以下每行一个条件组合：如 ≥95、<90、-（不限），最后一列为分值",
        "the first row names each column's field (label or id) then 分值 (points); each row below holds a cell per column (≥95, <90, - for any) and its points",
    )
}

/// The place of a sheet cell in words: 工作表“综合评定”B3.
pub(crate) fn sheet_cell(sheet: &str, row: usize, column: usize) -> Text {
    let cell = format!("{}{row}", super::column_letter(column));
    if sheet.is_empty() {
        Text::new(format!("单元格 {cell}"), format!("cell {cell}"))
    } else {
        Text::new(
            format!("工作表“{sheet}”单元格 {cell}"),
            format!("sheet `{sheet}` cell {cell}"),
        )
    }
}

/// A message about a sheet's cell, led by its place.
pub(crate) fn in_sheet(place: Text, m: Message) -> Message {
    within(&place, m)
}

/// R0416: a header row with no input columns before the points.
pub(crate) fn table_sheet_no_inputs() -> Message {
    let f = table_sheet_layout();
    Message::new(
        "R0416",
        "规则附表的表头没有条件列（分值列之前应有读取的字段）",
        "the table's header has no input columns before the points",
    )
    .help(f.zh, f.en)
}

/// R0416: the script's `inputs` and the sheet's columns differ in number.
pub(crate) fn table_sheet_columns(inputs: usize, columns: usize) -> Message {
    Message::new(
        "R0416",
        format!("规则中 `inputs` 有 {inputs} 项，附表分值列前有 {columns} 列，应一一对应"),
        format!(
            "`inputs` gives {inputs} values but the sheet has {columns} columns before its points"
        ),
    )
    .help(
        "删去 `inputs`（由表头的字段名读取），或使两者列数一致",
        "leave out `inputs` (the header names the fields) or make them match",
    )
}

/// R0416: a header that names no field, metric or parameter.
pub(crate) fn table_sheet_header(header: &str, near: Option<&str>) -> Message {
    let m = Message::new(
        "R0416",
        format!("表头“{header}”不是规则集声明的字段、统计项或参数"),
        format!("the header `{header}` names no declared field, metric or parameter"),
    );
    match near {
        Some(n) => m.help(
            format!("您是不是想写“{n}”？"),
            format!("did you mean `{n}`?"),
        ),
        None => m.help(
            "表头写字段的名称（如“群众安全感”）或 id",
            "write a field's label or id in the header",
        ),
    }
}

/// R0416: a condition cell not in the table's grammar.
pub(crate) fn table_sheet_cell(cell: &str) -> Message {
    Message::new(
        "R0416",
        format!("条件“{cell}”无法识别"),
        format!("the condition `{cell}` is not understood"),
    )
    .help(
        "写作数字（等于）、≥95、>90、≤2、<60、95以上、2以下、不低于90，或用逗号连写如“≥90, <95”；空白或“-”表示不限；是/否",
        "write a number (equals), ≥95, >90, ≤2, <60, or several joined by commas such as `>=90, <95`; blank or - for any value; 是/否",
    )
}

/// R0416: a points cell that is not a number.
pub(crate) fn table_sheet_points(cell: &str) -> Message {
    Message::new(
        "R0416",
        format!("分值“{cell}”不是数字"),
        format!("the points `{cell}` are not a number"),
    )
    .help(
        "分值列填写数字，如 10 或 2.5",
        "write the points as a number such as 10 or 2.5",
    )
}

/// R0408: a `rollup` not written as its form.
pub(crate) fn bad_rollup() -> Message {
    Message::new(
        "R0408",
        "`rollup` 写法不对：应写明所属单位字段 `over`，再写名次 `bottom_ranks` 或 `top_ranks`（正整数）与每个下级单位的分值 `each`（扣分写负数），或写得分 `total: \"mean\"`/`\"sum\"` 与计入比例 `scale`（正数）",
        "`rollup` takes `over` (the field holding a sub-unit's parent), then `bottom_ranks` or `top_ranks` (a whole number above 0) with `each` (negative to take points), or `total: \"mean\"`/`\"sum\"` with `scale` (above 0)",
    )
    .help(
        "如 `rollup: #{ over: \"county\", bottom_ranks: 2, each: -0.5, cap: 3 }`（所辖单位排名末两位的每个扣0.5分，最多扣3分；`each` 为正数时不超过 `max`），或 `rollup: #{ over: \"county\", total: \"mean\", scale: 0.1 }`（所辖单位平均得分的10%计入）",
        "such as `rollup: #{ over: \"county\", bottom_ranks: 2, each: -0.5, cap: 3 }` (a positive `each` is at most `max`) or `rollup: #{ over: \"county\", total: \"mean\", scale: 0.1 }`",
    )
}

/// R0402: a decision table with more rows than it may have.
pub(crate) fn table_too_many_rows(rows: usize, max: usize) -> Message {
    Message::new(
        "R0402",
        format!("决策表有 {rows} 行，超过上限 {max} 行"),
        format!("the decision table has {rows} rows, more than the {max} it may have"),
    )
    .help(
        "把表拆成几张较小的表，或用分档（bands）、线性（linear）计分代替逐行列举",
        "split it into smaller tables, or score by bands or linear in place of listing every row",
    )
}

/// R0402: a decision table's `hit` not one it knows.
pub(crate) fn table_hit() -> Message {
    Message::new(
        "R0402",
        "决策表的 `hit` 应为 \"first\"（第一个命中的行）、\"unique\"（恰好命中一行）或 \"collect\"（命中各行分值相加）",
        "a decision table's `hit` is \"first\", \"unique\" or \"collect\" (the hits' points added up)",
    )
}

/// R0402: a decision table's row written wrongly (`row` 0: no rows).
pub(crate) fn table_row(row: usize, inputs: usize) -> Message {
    let (zh, en) = if row == 0 {
        (
            "决策表需要 `rows`：至少一行".to_string(),
            "a decision table needs `rows`: one at least".to_string(),
        )
    } else {
        (
            format!("决策表第 {row} 行写法不对"),
            format!("row {row} of the decision table is malformed"),
        )
    };
    Message::new("R0402", zh, en).help(
        format!("每行写 {inputs} 个条件（数字表示等于，`#{{ at_least: 90 }}` 等表示范围，\"-\" 表示任意），最后一项是分数"),
        format!("each row gives {inputs} cells (a number for equals, `#{{ at_least: 90 }}` … for a range, \"-\" for any), then its points"),
    )
}

/// R0402: two rows of a `unique` decision table both hold for some values.
pub(crate) fn table_overlap(a: usize, b: usize, values: &str) -> Message {
    Message::new(
        "R0402",
        format!("决策表要求恰好命中一行（hit: \"unique\"），但取值为 {values} 时第 {a} 行和第 {b} 行都命中"),
        format!("the table must hit exactly one row (hit: \"unique\"), but for {values} rows {a} and {b} both hold"),
    )
    .help(
        "收窄其中一行的条件，使两行不再重叠；或改用 hit: \"first\"（按顺序取第一个命中的行）",
        "narrow one row so they no longer overlap, or use hit: \"first\" (the first row that holds)",
    )
}

/// R0402: values no row of a `unique` decision table covers.
pub(crate) fn table_gap(values: &str) -> Message {
    Message::new(
        "R0402",
        format!("决策表要求恰好命中一行（hit: \"unique\"），但取值为 {values} 时没有任何一行命中"),
        format!(
            "the table must hit exactly one row (hit: \"unique\"), but for {values} no row holds"
        ),
    )
    .help(
        "补一行覆盖这些取值（末行写 [\"-\", …, 0] 可兜底）",
        "add a row for these values (a last row [\"-\", …, 0] catches the rest)",
    )
}

/// R0402: an entry by how far a value lies beyond thresholds, written wrongly.
pub(crate) fn slopes_entry(key: &str) -> Message {
    Message::new(
        "R0402",
        format!("`{key}` 中按差距计分的一项应写作 `#{{ value: \"字段\", below: [[96, 0.25], [90, 0.5]] }}`"),
        format!("an entry of `{key}` by how far a value falls short is written `#{{ value: \"field\", below: [[96, 0.25], [90, 0.5]] }}`"),
    )
    .help(
        "`below` 列出各门槛与每降低 1 的分值（每个门槛一次），或写 `below: 96, each: 0.25`；高于门槛计分用 `above`，二者只写一个",
        "`below` lists each threshold with the points per unit below it (each threshold once), or `below: 96, each: 0.25`; `above` for values over thresholds, not both",
    )
}

/// R0402: `linear`'s `points` not a list of at least two [value, points] pairs.
pub(crate) fn linear_points() -> Message {
    Message::new(
        "R0402",
        "`linear` 的 `points` 应为至少两个 [取值, 分数] 的列表",
        "`linear`'s `points` must list at least two [value, points] pairs",
    )
    .help(
        "如 `points: [[96, 5], [90, 3.5], [80, 0]]`：96 及以上 5 分，90 时 3.5 分，80 及以下 0 分，其间按线性",
        "such as `points: [[96, 5], [90, 3.5], [80, 0]]`: 5 at 96 or more, 3.5 at 90, 0 at 80 or less, straight between",
    )
}

/// R0402: a value given twice among `linear`'s `points`.
pub(crate) fn linear_points_twice() -> Message {
    Message::new(
        "R0402",
        "`linear` 的 `points` 中同一个取值出现了两次",
        "a value appears twice among `linear`'s `points`",
    )
    .help(
        "每个取值只写一次；分数跳变用 `bands`",
        "give each value once; for a jump in points use `bands`",
    )
}

/// R0402: `linear` with both `points` and `full_at`/`zero_at`.
pub(crate) fn linear_both_forms() -> Message {
    Message::new(
        "R0402",
        "`linear` 写了 `points`，又写了 `full_at`/`zero_at`",
        "`linear` gives `points` and also `full_at`/`zero_at`",
    )
    .help(
        "只用一种写法：两点用 `full_at`、`zero_at`，多段用 `points`",
        "use one form: `full_at` and `zero_at` for two ends, `points` for several slopes",
    )
}

/// R0403: a breakpoint of `linear` outside the item's points.
pub(crate) fn linear_point_outside(points: &str, max: &str) -> Message {
    Message::new(
        "R0403",
        format!("`linear` 的一个点给 {points} 分，不在 0 到该指标满分 {max} 之间"),
        format!("a point of `linear` gives {points}, outside 0 to the item's `max` of {max}"),
    )
    .help(
        "改正这个点的分数，或调整指标的 `max`",
        "correct that point's points, or the item's `max`",
    )
}

/// R0402: `bands` without `steps`.
pub(crate) fn bands_no_steps() -> Message {
    Message::new(
        "R0402",
        "`bands` 缺少 `steps`，即分档列表，如 `[[98, 5], [95, 3]]`",
        "`bands` needs `steps`, a list such as `[[98, 5], [95, 3]]`",
    )
    .help(
        "补上 `steps: [[98, 5], [95, 3]]`（每档为 [门槛, 分值]）",
        "add `steps: [[98, 5], [95, 3]]` ([threshold, points] each)",
    )
}

/// R0402: a step of `bands` that is a list but not `[threshold, points]`.
pub(crate) fn band_step_pair() -> Message {
    Message::new(
        "R0402",
        "`bands` 的每一档写作 `[门槛, 分值]`",
        "each step in `bands` is `[threshold, points]`",
    )
}

/// R0402: a step map without one bound and `points`.
pub(crate) fn band_step_map() -> Message {
    Message::new(
        "R0402",
        "分档映射须有一个界限和 `points`，如 `#{ at_least: 98, points: 5 }`",
        "a band step map needs one bound and `points`, such as `#{ at_least: 98, points: 5 }`",
    )
}

/// R0402: a step of `bands` that is neither a list nor a map.
pub(crate) fn band_step_kind() -> Message {
    Message::new(
        "R0402",
        "`bands` 的每一档写作 `[门槛, 分值]` 或映射",
        "each step in `bands` is `[threshold, points]` or a map",
    )
}

/// R0403: a band gives more points than the item's `max`.
pub(crate) fn band_above_max(points: &str, max: &str) -> Message {
    Message::new(
        "R0403",
        format!("某一档给 {points} 分，但该指标的满分 `max` 是 {max}"),
        format!("a band gives {points} points but the item's `max` is {max}"),
    )
    .help(
        "降低这一档的分值，或提高指标的 `max`",
        "lower the band's points or raise the item's `max`",
    )
}

/// R0404: `na: "full"` on a shape without a `value`.
pub(crate) fn na_full_misused() -> Message {
    Message::new(
        "R0404",
        "`na: \"full\"` 只适用于读取一个值的计分方式（target、linear、bands、zero、yes）",
        "`na: \"full\"` only applies to shapes that read one value (target, linear, bands, zero, yes)",
    )
    .help(
        "用 `applies: <条件>` 说明该指标何时不适用",
        "use `applies: <condition>` to say when this item does not apply",
    )
}

/// R0405: a bonus with a `category`.
pub(crate) fn bonus_category() -> Message {
    Message::new(
        "R0405",
        "加分项不能有 `category`",
        "a bonus has no `category`",
    )
    .help(
        "加分由加分项自己的 `max` 和规则集的 `bonus_max` 封顶；删去 `category`",
        "bonus points are capped by the bonus's `max` and the rule set's `bonus_max`",
    )
}

/// R0406: a negative `max`.
pub(crate) fn negative_max() -> Message {
    Message::new(
        "R0406",
        "`max`（满分）不能为负数",
        "`max` must not be negative",
    )
    .help(
        "扣分项也写正的满分，如 `max: 5`，扣分由计分方式决定",
        "deductions too have a positive `max`, such as `max: 5`",
    )
}

/// R0407: the indicators can add up to more than the rule set's `max`.
pub(crate) fn over_max(reachable: &str, max: &str) -> Message {
    Message::new(
        "R0407",
        format!("各指标满分合计 {reachable} 分，但规则集的总分 `max` 是 {max}"),
        format!("the indicators add up to {reachable} points but the rule set's `max` is {max}"),
    )
    .help(
        "降低部分指标的 `max`、给类别设上限，或提高 `ruleset(…)` 中的 `max`",
        "lower some items' `max`, cap their categories, or raise `max` in `ruleset(…)`",
    )
}

/// R0409: a category whose items, all at full marks, stay below its cap: the cap never
/// binds and no unit can reach the section's stated maximum.
pub(crate) fn category_unreachable(name: &str, cap: &str, items: &str) -> Message {
    Message::new(
        "R0409",
        format!("类别 `{name}` 上限 {cap} 分，但其指标满分合计只有 {items} 分：上限永远用不上，本类也得不到满分"),
        format!("category `{name}` is capped at {cap} points but its items add up to only {items}: the cap never binds and no unit can reach it"),
    )
    .help(
        format!("补上本类缺少的指标，或把上限改为 `category(\"{name}\", {items})`"),
        format!("add the items the category is missing, or write `category(\"{name}\", {items})`"),
    )
}

/// R0410: the categories' caps (and the items outside any category) do not add up to the rule
/// set's `max`.
pub(crate) fn sections_vs_max(stated: &str, max: &str) -> Message {
    Message::new(
        "R0410",
        format!("各类别上限（及未归类指标的满分）合计 {stated} 分，但规则集的总分 `max` 是 {max}"),
        format!("the categories' caps (and items outside any category) add up to {stated} points but the rule set's `max` is {max}"),
    )
    .help(
        "按评分细则核对各类别的分值，使其合计等于总分",
        "check each category's points against the published rubric so that they add up to `max`",
    )
}

/// R0411: one deduction takes more than the item has.
pub(crate) fn deduction_over_item(each: &str, max: &str) -> Message {
    Message::new(
        "R0411",
        format!("一次扣 {each} 分，超过本项满分 {max} 分：多出的部分不会扣"),
        format!("one deduction takes {each} points, more than the item's `max` of {max}: the rest is never taken"),
    )
    .help(
        "核对评分细则：扣分是否应计入其他指标，或本项满分是否写错",
        "check the rubric: whether the deduction belongs to another item, or the item's `max` is mistyped",
    )
}

/// R0411: yes/no deductions listed on an item that add up to more than it has, and its text
/// does not say 扣完为止. A rubric that lists more than the item holds usually has a typo;
/// one that means it says 扣完为止.
pub(crate) fn deductions_over_item(sum: &str, max: &str) -> Message {
    Message::new(
        "R0411",
        format!("所列扣分情形合计 {sum} 分，超过本项满分 {max} 分，而 `text` 未写“扣完为止”"),
        format!("the deductions listed add up to {sum} points, more than the item's `max` of {max}, and `text` does not say 扣完为止"),
    )
    .help(
        "核对评分细则中的各项扣分和本项满分；若细则本意如此，在 `text` 中写明“扣完为止”",
        "check the deductions and the item's points against the rubric; if it means them, say 扣完为止 in `text`",
    )
}

/// R0412: the indicators, all at full marks, cannot reach the rule set's `max`.
pub(crate) fn under_max(reachable: &str, max: &str) -> Message {
    Message::new(
        "R0412",
        format!("各指标满分合计只有 {reachable} 分，达不到规则集的总分 `max` {max}"),
        format!("the indicators add up to only {reachable} points, short of the rule set's `max` of {max}"),
    )
    .help(
        "补上缺少的指标，或把 `ruleset(…)` 中的 `max` 改为实际满分",
        "add the missing items, or set `max` in `ruleset(…)` to the points they add up to",
    )
}

/// R0305: `yes`/`no` not a list of words.
pub(crate) fn bad_spellings(key: &str) -> Message {
    Message::new(
        "R0305",
        format!("`{key}` 应为文字列表"),
        format!("`{key}` must be a list of words"),
    )
    .help(
        "写作 `yes: [\"是\", \"已建立\"], no: [\"否\", \"未建立\"]`",
        "write `yes: [\"是\", \"已建立\"], no: [\"否\", \"未建立\"]`",
    )
}

/// R0305: `yes`/`no` on a field that is not yes/no.
pub(crate) fn spellings_not_bool(key: &str) -> Message {
    Message::new(
        "R0305",
        format!("只有是/否字段（type: \"bool\"）能写 `{key}`"),
        format!("only a yes/no field (type: \"bool\") takes `{key}`"),
    )
    .help(
        "文本字段限定取值写 `one_of`",
        "limit a text field's values with `one_of`",
    )
}

/// R0305: a word listed both for yes and for no.
pub(crate) fn spelling_both_ways(word: &str) -> Message {
    Message::new(
        "R0305",
        format!("“{word}”既写在 `yes` 中又写在 `no` 中"),
        format!("`{word}` is listed both under `yes` and under `no`"),
    )
    .help("只留在其中一处", "keep it in one of them")
}

/// R0314: `round` written wrongly.
pub(crate) fn bad_rounding() -> Message {
    Message::new(
        "R0314",
        "`round` 应为保留的小数位数（0 到 10），或 `#{ places: 1, mode: \"half_up\" }`",
        "`round` must be the decimals kept (0 to 10), or `#{ places: 1, mode: \"half_up\" }`",
    )
    .help(
        "四舍五入保留1位小数写 `round: 1`；舍去写 `mode: \"down\"`，进一写 `mode: \"up\"`",
        "`round: 1` keeps 1 decimal half-up; `mode: \"down\"` cuts, `mode: \"up\"` rounds away from zero",
    )
}

/// R0313: `min`/`max` of a field not a number.
pub(crate) fn bad_range(key: &str) -> Message {
    Message::new(
        "R0313",
        format!("`{key}` 应为数字（不设限写 `()`）"),
        format!("`{key}` must be a number (or `()` for no limit)"),
    )
    .help(format!("如 `{key}: 0`"), format!("for example `{key}: 0`"))
}

/// R0313: `min`/`max` on a field that is not a number.
pub(crate) fn range_not_numeric(key: &str) -> Message {
    Message::new(
        "R0313",
        format!("只有数值字段（int、number、percent）能写 `{key}`"),
        format!("only a numeric field (int, number, percent) takes `{key}`"),
    )
    .help(
        "文本字段限定取值写 `one_of: [\"乡镇\", \"部门\"]`",
        "limit a text field's values with `one_of: [\"乡镇\", \"部门\"]`",
    )
}

/// R0313: `min` above `max`.
pub(crate) fn range_inverted(min: &str, max: &str) -> Message {
    Message::new(
        "R0313",
        format!("`min` {min} 大于 `max` {max}"),
        format!("`min` {min} is above `max` {max}"),
    )
    .help("交换两者，或改正其中一个", "swap them, or correct one")
}

/// R0313: an `if_blank` value outside the field's range.
pub(crate) fn default_out_of_range(value: &str) -> Message {
    Message::new(
        "R0313",
        format!("空白时的取值 `if_blank` {value} 超出本字段的取值范围"),
        format!("the `if_blank` value {value} lies outside the field's range"),
    )
    .help(
        "改正 `if_blank`，或用 `min`/`max` 写明允许的范围（计数默认从 0 起，百分比默认 0 到 100）",
        "correct `if_blank`, or widen the range with `min`/`max` (counts start at 0 and percentages lie within 0–100 by default)",
    )
}

/// R0402: `map`'s `value` is not a field's name.
pub(crate) fn map_value_not_field() -> Message {
    Message::new(
        "R0402",
        "`map` 需要 `value`：一个文本字段的名字",
        "`map` needs `value`: the name of a text field",
    )
    .help(
        "写作 `map: #{ value: \"built\", points: #{ \"已建立\": 5, \"未建立\": 0 } }`",
        "write `map: #{ value: \"built\", points: #{ \"已建立\": 5, \"未建立\": 0 } }`",
    )
}

/// R0402: `map` over a field that is not text.
pub(crate) fn map_needs_text(name: &str) -> Message {
    Message::new(
        "R0402",
        format!("`map` 按文字取值计分，但字段 `{name}` 不是文本字段"),
        format!("`map` scores written values, but field `{name}` is not text"),
    )
    .help(
        "把字段声明为 `type: \"text\"`（并用 `one_of` 列出可填的值）；是/否字段用 `yes`，数值分档用 `bands`",
        "declare the field `type: \"text\"` (listing its values in `one_of`); a yes/no field takes `yes`, numbers `bands`",
    )
}

/// R0402: `map` without a table of points.
pub(crate) fn map_no_points() -> Message {
    Message::new(
        "R0402",
        "`map` 需要 `points`：每个取值的得分",
        "`map` needs `points`: each value's points",
    )
    .help(
        "写作 `points: #{ \"已建立\": 5, \"正在建立\": 2.5, \"未建立\": 0 }`",
        "write `points: #{ \"已建立\": 5, \"正在建立\": 2.5, \"未建立\": 0 }`",
    )
}

/// R0402: a value's points in `map` not a number from 0.
pub(crate) fn map_points_not_number(value: &str) -> Message {
    Message::new(
        "R0402",
        format!("`map` 中“{value}”的得分应为不小于 0 的数"),
        format!("the points of `{value}` in `map` must be a number from 0"),
    )
}

/// R0402: values the field allows that `map` gives no points.
pub(crate) fn map_misses(values: &[String]) -> Message {
    let zh: String = values.iter().map(|v| format!("“{v}”")).collect();
    Message::new(
        "R0402",
        format!("字段允许填写的{zh}在 `map` 中没有得分"),
        format!(
            "`map` gives no points for {}, which the field allows",
            values.join(", ")
        ),
    )
    .help(
        "在 `points` 中为每个允许的取值写上得分（不得分的写 0）",
        "give every allowed value its points (0 where it scores nothing)",
    )
}

/// R0402: a value in `map` the field does not allow.
pub(crate) fn map_not_allowed(value: &str, near: Option<&str>) -> Message {
    let m = Message::new(
        "R0402",
        format!("`map` 中的“{value}”不在字段的 `one_of` 中，永远不会出现"),
        format!("`{value}` in `map` is not in the field's `one_of`: no unit can have it"),
    );
    match near {
        Some(n) => m.help(format!("是不是“{n}”？"), format!("did you mean `{n}`?")),
        None => m.help(
            "改为字段 `one_of` 中的取值，或把它加进 `one_of`",
            "use a value of the field's `one_of`, or add it there",
        ),
    }
}

/// R0403: a value's points in `map` above the item's `max`.
pub(crate) fn map_above_max(value: &str, points: &str, max: &str) -> Message {
    Message::new(
        "R0403",
        format!("“{value}”计 {points} 分，但该指标的满分 `max` 是 {max}"),
        format!("`{value}` gives {points} points but the item's `max` is {max}"),
    )
    .help(
        "降低这个取值的得分，或提高指标的 `max`",
        "lower its points or raise the item's `max`",
    )
}

/// R0413: a deduction scored other than by `deduct`.
pub(crate) fn deduction_shape(key: &str) -> Message {
    Message::new(
        "R0413",
        format!("扣分项按 `deduct` 列出的情形扣分，不能用 `{key}`"),
        format!("a deduction takes its points off by `deduct`, not `{key}`"),
    )
    .help(
        "写作 `deduct: #{ count: \"字段\", each: 0.5 }`（多种情形写成列表）；按比例、分档等计分写成 `indicator`",
        "write `deduct: #{ count: \"field\", each: 0.5 }` (a list for several); scoring by ratio or bands is an `indicator`",
    )
}

/// R0413: a deduction with a `max`.
pub(crate) fn deduction_max() -> Message {
    Message::new(
        "R0413",
        "扣分项没有满分 `max`：它从基础分中扣，最多扣多少写作 `cap`",
        "a deduction has no `max`: it takes points off the base; the most it takes is `cap`",
    )
    .help(
        "删去 `max`；“本项限扣5分”写作 `cap: 5`，不限扣则不写",
        "remove `max`; write 本项限扣5分 as `cap: 5`, or nothing for no limit",
    )
}

/// R0413: `cap` or `deduct_cap` not above 0.
pub(crate) fn deduct_cap_not_positive(key: &str) -> Message {
    Message::new(
        "R0413",
        format!("`{key}` 是最多扣的分数，应为大于 0 的数"),
        format!("`{key}` is the most points taken off and must be above 0"),
    )
    .help(
        format!("“本项限扣5分”写作 `{key}: 5`"),
        format!("write 本项限扣5分 as `{key}: 5`"),
    )
}

/// R0414: `base` below 0 or above `max`.
pub(crate) fn base_out_of_scale(base: &str, max: &str) -> Message {
    Message::new(
        "R0414",
        format!("基础分 `base` {base} 应在 0 到总分 `max` {max} 之间"),
        format!("`base` {base} must lie between 0 and the rule set's `max` of {max}"),
    )
    .help(
        "负面清单从满分扣起：`base` 与 `max` 相同，如 `max: 100, base: 100`",
        "a scheme that only deducts starts from full marks: `base` equal to `max`, as in `max: 100, base: 100`",
    )
}

/// R0408: `rank_change` written wrongly.
pub(crate) fn bad_rank_change() -> Message {
    Message::new(
        "R0408",
        "`rank_change` 应写作 `#{ down: [[后退位数, 扣分], …], up: [[进步位数, 加分], …] }`，加分不超过本项 `max`",
        "`rank_change` is written `#{ down: [[places fallen, points taken], …], up: [[places gained, points given], …] }`, gains within the item's `max`",
    )
    .help(
        "“后退5位以上扣1分，后退10位以上扣2分；进步5位以上加0.5分”写作 `rank_change: #{ down: [[5, 1], [10, 2]], up: [[5, 0.5]] }`，`max: 0.5`",
        "write 后退5位以上扣1分，后退10位以上扣2分；进步5位以上加0.5分 as `rank_change: #{ down: [[5, 1], [10, 2]], up: [[5, 0.5]] }` with `max: 0.5`",
    )
}

/// R0408: `rank_points` is not a list of numbers.
pub(crate) fn bad_rank_points() -> Message {
    Message::new(
        "R0408",
        "`rank_points` 应为各名次的分值列表，如 `[6, 5, 4]`",
        "`rank_points` must be a list of points such as `[6, 5, 4]`",
    )
}

/// R0408: `top` is not a whole number above 0.
pub(crate) fn bad_top() -> Message {
    Message::new(
        "R0408",
        "`top` 应为大于 0 的整数",
        "`top` must be a whole number above 0",
    )
    .help("如 `top: 3`", "such as `top: 3`")
}

/// R0408: not exactly one cohort method.
pub(crate) fn cohort_method() -> Message {
    Message::new(
        "R0408",
        "须恰好有 `rank_points`、`top`、`vs_average`、`proportional_to_best` 其中之一",
        "needs exactly one of `rank_points`, `top`, `vs_average`, `proportional_to_best`",
    )
    .help(
        "如 `rank_points: [6, 5, 4]` 或 `vs_average: true`",
        "such as `rank_points: [6, 5, 4]` or `vs_average: true`",
    )
}

// ---------------------------------------------------------------------------------------
// R05xx: grades, vetoes and consequences
// ---------------------------------------------------------------------------------------

/// R0501: a band of `grades([…])` that is not a map.
pub(crate) fn band_not_map() -> Message {
    Message::new(
        "R0501",
        "`grades([…])`：每个等次应为映射，如 `#{ name: \"优秀\", at_least: 90 }`",
        "grades: each band is a map such as `#{ name: \"优秀\", at_least: 90 }`",
    )
}

/// R0502: a prerequisite without the grades it applies to.
pub(crate) fn prerequisite_no_grades() -> Message {
    Message::new(
        "R0502",
        "`grades` 须列出需要满足此前提的等次",
        "`grades` must list the grades that need it",
    )
    .help("请补上 `grades: [\"一级\"]`", "add `grades: [\"一级\"]`")
}

/// The forms of a consequence's `when`.
pub(crate) fn when_forms() -> Text {
    Text::new(
        "写作 `when: #{ bottom: 3 }`（或 bottom_ranks、top、grade、vetoed、veto、total_below、state、improved、consequence），连续多期加 consecutive：`#{ consecutive: 2, bottom_ranks: 1 }`；或数据条件 `#{ field: \"lost\", at_least: 5 }`、闭包 `|r| r.total < 60`",
        "write `when: #{ bottom: 3 }` (or bottom_ranks, top, grade, vetoed, veto, total_below, state, improved, consequence), with `consecutive` for several periods in a row: `#{ consecutive: 2, bottom_ranks: 1 }`; or a data condition `#{ field: \"lost\", at_least: 5 }` or a closure `|r| r.total < 60`",
    )
}

/// R0503: `when` neither a map nor a closure.
pub(crate) fn when_kind() -> Message {
    let f = when_forms();
    Message::new(
        "R0503",
        "`when` 应为映射或闭包",
        "`when` must be a map or a closure",
    )
    .help(f.zh, f.en)
}

/// R0503: `when` with more or fewer keys than one.
pub(crate) fn when_keys() -> Message {
    let f = when_forms();
    Message::new(
        "R0503",
        "`when` 须恰好有一个键",
        "`when` needs exactly one key",
    )
    .help(f.zh, f.en)
}

/// R0503: `consecutive` with a count that is not 2 or more, or with a condition no earlier
/// result records.
pub(crate) fn consecutive_misused() -> Message {
    Message::new(
        "R0503",
        "`consecutive` 须是 2 以上的整数，并与一个名次、等次、否决、总分、状态、进步或结果运用条件合用",
        "`consecutive` needs a whole number of 2 or more and one condition on rank, grade, veto, total, state, improvement or a consequence",
    )
    .help(
        "如连续两年末位：`when: #{ consecutive: 2, bottom_ranks: 1 }`；连续三期进步：`when: #{ consecutive: 3, improved: true }`。数据条件和闭包不能用于往期",
        "e.g. `when: #{ consecutive: 2, bottom_ranks: 1 }` or `when: #{ consecutive: 3, improved: true }`; data conditions and closures cannot look at earlier periods",
    )
}

/// R0503: a `when` key or value not understood.
pub(crate) fn when_not_understood(k: &str, v: &str, near: Option<&str>) -> Message {
    Message::new(
        "R0503",
        format!("看不懂 `when: #{{ {k}: {v} }}`"),
        format!("`when: #{{ {k}: {v} }}` is not understood"),
    )
    .help_or(near.map(|n| rename_key(k, n)), when_forms)
}

/// R0504: a total that two grade bands both hold, the later one with an upper bound of its
/// own: the published scheme gives it two grades (the first listed wins).
pub(crate) fn bands_overlap(total: &str, first: &str, second: &str) -> Message {
    Message::new(
        "R0504",
        format!("等次 `{second}` 与 `{first}` 范围重叠：总分 {total} 两个等次都包含（按列出顺序评为 `{first}`）"),
        format!("grade band `{second}` overlaps `{first}`: a total of {total} is in both (it gets `{first}`, listed first)"),
    )
    .help(
        format!("让相邻等次只在一处相接：如 `{first}` 写 `at_least: {total}`，`{second}` 写 `below: {total}`"),
        format!("let neighbouring bands meet at one bound: e.g. `at_least: {total}` in `{first}` and `below: {total}` in `{second}`"),
    )
}

/// Where a gap between grade bands lies: its edges (a limit and whether the gap includes
/// it), absent where the gap reaches the lowest or the highest reachable total.
pub(crate) struct Gap<'a> {
    /// The lower edge: `(79, false)` for "above 79", `(79, true)` for "at least 79".
    pub(crate) from: Option<(&'a str, bool)>,
    /// The upper edge: `(80, false)` for "below 80", `(80, true)` for "at most 80".
    pub(crate) to: Option<(&'a str, bool)>,
    /// A total with the rule set's decimals inside the gap.
    pub(crate) example: &'a str,
    /// The bounds of every unit's total: lowest and highest reachable.
    pub(crate) range: (&'a str, &'a str),
}

/// R0505: totals a unit can reach that no grade band holds: such a unit would get no grade.
pub(crate) fn bands_gap(g: &Gap) -> Message {
    let (lo, hi) = g.range;
    let from = g.from.map(|(a, incl)| {
        if incl {
            (format!("不低于 {a}"), format!("at least {a}"))
        } else {
            (format!("高于 {a}"), format!("above {a}"))
        }
    });
    let to = g.to.map(|(b, incl)| {
        if incl {
            (format!("不高于 {b}"), format!("at most {b}"))
        } else {
            (format!("低于 {b}"), format!("below {b}"))
        }
    });
    let (zh, en) = match (from, to) {
        (Some(a), Some(b)) => (
            format!("{}、{}的总分", a.0, b.0),
            format!("a total {} and {}", a.1, b.1),
        ),
        (Some(x), None) | (None, Some(x)) => (format!("{}的总分", x.0), format!("a total {}", x.1)),
        (None, None) => ("任何总分".to_string(), "any total".to_string()),
    };
    let ex = g.example;
    Message::new(
        "R0505",
        format!("等次之间有空档：{zh}（如 {ex}）不属于任何等次，而总分可在 {lo}–{hi} 之间"),
        format!("gap between grade bands: {en} (such as {ex}) is in no band, yet totals range over {lo}–{hi}"),
    )
    .help(
        "让相邻等次首尾相接，如上一等次写 `at_least: 80`，下一等次写 `below: 80`；最低等次不写下限",
        "let each band start where the next one ends, e.g. `at_least: 80` above and `below: 80` below; give the lowest band no lower bound",
    )
}

// ---------------------------------------------------------------------------------------
// R09xx: internal
// ---------------------------------------------------------------------------------------

/// R0901: the declarations were still shared after compiling (cannot happen).
pub(crate) fn still_in_use() -> Message {
    Message::new(
        "R0901",
        "内部错误：编译后规则声明仍被占用",
        "internal error: rule declarations still in use after compiling",
    )
    .help(
        "请将此规则脚本报告给 kaohe 的维护者",
        "please report this rule script to kaohe's maintainers",
    )
}

impl Message {
    /// Adds `help`, or the hint `otherwise` gives when there is none.
    fn help_or(self, help: Option<Text>, otherwise: impl FnOnce() -> Text) -> Self {
        self.maybe_help(Some(help.unwrap_or_else(otherwise)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_used() {
        crate::messages::check_codes(include_str!("rules.rs"), 'R', KINDS);
    }

    #[test]
    fn the_rules_guide_lists_every_code() {
        let guide = include_str!("../../docs/RULES.md");
        for (code, zh, en) in KINDS {
            assert!(
                guide.contains(&format!("| `{code}` | {zh} | {en} |")),
                "docs/RULES.md does not list {code} | {zh} | {en}"
            );
        }
    }

    fn is_cjk(c: char) -> bool {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
    }

    #[test]
    fn every_message_has_chinese_and_a_chinese_hint_with_the_english_one() {
        let what = Decl::Indicator("a").text();
        let syntax: Vec<Message> = [
            rhai::ParseErrorType::MissingToken(
                ",".into(),
                "to separate the items of this object map literal".into(),
            ),
            rhai::ParseErrorType::MissingToken(
                ")".into(),
                "to close the arguments list of this function call 'ruleset'".into(),
            ),
            rhai::ParseErrorType::UnknownOperator("===".into()),
            rhai::ParseErrorType::Reserved("default".into()),
            rhai::ParseErrorType::UnexpectedEOF,
            rhai::ParseErrorType::DuplicatedProperty("x".into()),
            rhai::ParseErrorType::BadInput(rhai::LexError::UnterminatedString),
            rhai::ParseErrorType::BadInput(rhai::LexError::MalformedNumber("1.2.3".into())),
            rhai::ParseErrorType::BadInput(rhai::LexError::UnexpectedInput("中".into())),
            rhai::ParseErrorType::WrongExport,
        ]
        .iter()
        .map(syntax)
        .collect();
        let all = syntax.into_iter().chain([
            full_width('，'),
            full_width('\u{3000}'),
            unknown_key(
                "txet",
                KeyPlace::Declaration,
                Some(rename_key("txet", "text")),
            ),
            unknown_key("x", KeyPlace::Ratio("value"), Some(ratio_form())),
            unknown_key("x", KeyPlace::Survey("value"), Some(survey_form())),
            unknown_key("x", KeyPlace::In("value"), Some(linked_form("sum", "over"))),
            unknown_key("x", KeyPlace::Condition("when"), Some(condition_forms())),
            unknown_key("x", KeyPlace::BandStep, Some(keys_are(&["points"]))),
            unknown_key(
                "x",
                KeyPlace::In("target"),
                Some(shape_keys_are("target", &["above"])),
            ),
            undeclared_field("count", "lots", Some("lost")),
            undeclared_field("count", "lots", None),
            undeclared_field_or_metric("sum", "x", None),
            undeclared_category("乙类", None),
            undeclared_veto("v", Some("w")),
            undeclared_grade("优", Some("优秀"), &[]),
            undeclared_grade("优", None, &["优秀".into()]),
            undeclared_grade("优", None, &[]),
            declared_twice(&what, true),
            declared_twice(&Decl::Field("a").text(), false),
            called_twice("ruleset"),
            bad_field_name("失控"),
            unknown_choice("order", "up", Choice::Order),
            unknown_choice("na", "x", Choice::Na),
            unknown_choice("rank", "x", Choice::VetoRank),
            unknown_choice("ties", "x", Choice::Ties),
            unknown_choice("method", "x", Choice::RollupMethod),
            unknown_type("integer", Some("int")),
            unknown_type("整数", None),
            unknown_otherwise("x"),
            no_ruleset(),
            no_fields(),
            no_unit(),
            no_indicators(),
            ranking_before_unit(),
            missing_key("label", add("label: \"…\"")),
            missing_key("value", add_value_or_survey()),
            not_text("label", "i64"),
            not_number("max", "string"),
            not_bool("rank", "string"),
            not_closure("score", "i64"),
            aliases_not_list(),
            not_names("survey"),
            bound_not_number("above", BoundIn::Target),
            bound_not_number("above", BoundIn::Band("优秀")),
            category_max_not_number("甲"),
            state_not_closure(),
            bad_decimals(),
            if_blank_mismatch("int"),
            bad_one_of(),
            text_field_as_number("zero", "name"),
            yes_not_bool("x"),
            yes_not_name(),
            bad_measure("value", "bool"),
            bad_ratio("value"),
            bad_linked("value", "sum", "over"),
            survey_points("value", 3),
            share_not_in_survey("x"),
            survey_method("value"),
            not_condition("when", "i64"),
            bad_any_all("any", "when"),
            condition_no_field("when"),
            condition_text_vs_number("when", "name"),
            condition_bounds("when"),
            bad_quota("优秀"),
            no_shape(),
            many_shapes(&["deduct", "zero"]),
            deduct_no_count("deduct"),
            deduct_no_each("deduct"),
            deduct_step("deduct"),
            deduct_not_map("deduct"),
            shape_not_map("target"),
            shape_not_map("linear"),
            shape_not_map("bands"),
            shape_no_value("linear"),
            target_bounds(),
            linear_ends(),
            bands_no_steps(),
            band_step_pair(),
            band_step_map(),
            band_step_kind(),
            band_above_max("5", "3"),
            na_full_misused(),
            bonus_category(),
            negative_max(),
            over_max("126", "100"),
            bad_rank_points(),
            bad_top(),
            cohort_method(),
            band_not_map(),
            prerequisite_no_grades(),
            when_kind(),
            when_keys(),
            when_not_understood("botom", "3", Some("bottom")),
            still_in_use(),
            within(&what, not_number("max", "string")),
        ]);
        for m in all {
            assert!(m.code.starts_with('R'), "{m:?}");
            assert!(m.text.zh.chars().any(is_cjk), "no Chinese: {m:?}");
            if let Some(h) = &m.help {
                assert!(h.zh.chars().any(is_cjk), "no Chinese hint: {m:?}");
                assert!(!h.en.is_empty(), "{m:?}");
            }
        }
    }

    #[test]
    fn a_full_width_comma_is_named_and_its_fix_given() {
        let m = full_width('，');
        assert_eq!(m.code, "R0002");
        assert_eq!(m.text.zh, "这里用了全角逗号“，”，脚本中的标点须为半角");
        assert_eq!(m.help.map(|h| h.zh), Some("请改用半角逗号 ,".to_string()));
        assert!(is_full_width('（') && is_full_width('\u{3000}') && !is_full_width(','));
    }
}
