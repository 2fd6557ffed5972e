//! Messages of evaluation (运行错误, codes `E…`): a rule that failed while scoring a unit, a
//! script the sandbox stopped (runaway: too long, too much memory, too deep, too large), and
//! the sandbox's limits met while a rule set or helper module is compiled.
//!
//! The English is what `kaohe` has always printed (tests and case files match it); the
//! zh-CN is written for the person who edits the rules of a 禁毒办, with the fix in plain
//! words.

use super::closest;
use super::Message;

/// Every code of this file, with a short title (zh-CN, English).
#[cfg_attr(not(test), allow(dead_code))] // the catalogue's index; read by its tests
pub const KINDS: &[(&str, &str, &str)] = &[
    (
        "E0001",
        "规则运行过久（死循环？）",
        "a rule ran too long (runaway)",
    ),
    ("E0002", "规则占用内存过多", "a rule took too much memory"),
    ("E0003", "规则脚本运行出错", "a script error at run time"),
    ("E0004", "函数调用层次过深", "calls nested too deep"),
    (
        "E0005",
        "文本、数组或对象超过大小上限",
        "a value grew past its size limit",
    ),
    ("E0006", "规则脚本用 throw 报告了问题", "the script threw"),
    (
        "E0007",
        "闭包返回的值不合要求",
        "a closure returned the wrong kind of value",
    ),
    (
        "E0008",
        "闭包给出的分数超出本项分值",
        "a closure's points outside the item's range",
    ),
    ("E0009", "状态无法保存", "the state cannot be saved"),
    ("E0101", "脚本过大，无法检查", "a script too large to check"),
];

/// A Rhai type name in words (类型名称): `i64` → 整数, `()` → 空值.
pub(crate) fn type_zh(name: &str) -> String {
    let t = name.trim().trim_start_matches("&mut ").trim();
    let zh = match t {
        "()" => "空值",
        "i64" | "i32" | "int" | "INT" | "u64" | "usize" => "整数",
        "decimal" | "Decimal" | "rust_decimal::Decimal" => "数值",
        "f64" | "f32" | "float" => "小数",
        "bool" => "真假值",
        "char" => "字符",
        "array" | "Array" => "数组",
        "map" | "Map" | "object map" => "对象（map）",
        "blob" | "Blob" => "字节串",
        "Fn" | "FnPtr" => "函数",
        "range" | "Range<i64>" | "RangeInclusive<i64>" => "范围",
        s if s == "string" || s == "&str" || s.contains("String") => "文本",
        other => return other.to_string(),
    };
    zh.to_string()
}

/// The argument types of a function signature as Rhai writes it (`+ ((), i64)` →
/// `["()", "i64"]`).
fn arg_types(args: &str) -> Vec<&str> {
    let inner = args
        .trim()
        .strip_prefix('(')
        .and_then(|a| a.strip_suffix(')'))
        .unwrap_or(args)
        .trim();
    if inner.is_empty() {
        return Vec::new();
    }
    inner.split(", ").map(str::trim).collect()
}

/// Whether a function name is an operator (`+`, `==`, `+=` …) rather than a named function.
fn is_operator(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| "+-*/%<>=!&|^".contains(c))
}

/// E0001: the operation or time budget stopped a script (an endless loop?).
pub(crate) fn ran_too_long(max_operations: u64, max_seconds: u64) -> Message {
    Message::new(
        "E0001",
        format!("脚本运行超过限度（超过 {max_operations} 步或 {max_seconds} 秒），已停止（是否有死循环？）"),
        format!("the script ran too long (over {max_operations} operations or {max_seconds} s) and was stopped (an endless loop?)"),
    )
    .help(
        "检查循环的结束条件：每转一圈都要向结束靠近（例如计数器递增并有上限），`while`/`loop` 里要有能走到的 `break`",
        "check the loop's exit condition",
    )
}

/// E0002: the memory budget stopped a script.
pub(crate) fn out_of_memory(max_mb: usize) -> Message {
    Message::new(
        "E0002",
        format!("脚本占用内存超过 {max_mb} MB，已停止"),
        format!("the script took more than {max_mb} MB of memory and was stopped"),
    )
    .help(
        "检查是否在循环中不断往数组、对象或文本里添加内容；一个单位的计算用不了这么多内存",
        "check for a loop that keeps adding to an array, a map or a text; scoring one unit needs far less memory",
    )
}

/// E0004: calls nested deeper than the limit (endless recursion?).
pub(crate) fn too_deep(max_levels: usize) -> Message {
    Message::new(
        "E0004",
        format!("函数调用嵌套超过 {max_levels} 层（是否有无穷递归？）"),
        format!("calls nested deeper than {max_levels} levels (endless recursion?)"),
    )
    .help(
        "检查自己调用自己的函数：每次调用都要向结束条件靠近，并在达到时直接返回",
        "check a function that calls itself: each call must come closer to the case that returns without calling again",
    )
}

/// E0005: a string, array or map grew past its limit. `what` is Rhai's (`Length of string`).
pub(crate) fn value_too_large(what: &str) -> Message {
    let lower = what.to_lowercase();
    let zh = if lower.contains("string") {
        "文本长度"
    } else if lower.contains("array") {
        "数组的项数"
    } else if lower.contains("map") {
        "对象（map）的项数"
    } else {
        "数据大小"
    };
    Message::new(
        "E0005",
        format!("{zh}超过上限，脚本已停止"),
        format!("{lower} grew past its limit"),
    )
    .help(
        "检查是否在循环中不断拼接文本或添加项；一个单位的计算用不到这么大的数据",
        "check for a loop that keeps growing a text, an array or a map",
    )
}

/// E0003: a closure called with a different number of arguments than it declares.
pub(crate) fn closure_arity(args: &str) -> Message {
    let types: Vec<String> = arg_types(args).into_iter().map(type_zh).collect();
    Message::new(
        "E0003",
        format!(
            "调用闭包时传入了 {} 个参数（{}），但闭包声明的参数个数不同",
            types.len(),
            types.join("、")
        ),
        format!("a closure was called with the arguments {args}, but declares a different number of parameters"),
    )
    .help(
        "score、value、when 等闭包只接收一个参数（如 `|u| …`、`|r| …`）；state 闭包接收三个（`|u, prev, r| …`）",
        "closures for `score`, `value` and `when` take one parameter (`|u| …`, `|r| …`); a `state` closure takes three (`|u, prev, r| …`)",
    )
}

/// E0003: no function by this name takes these arguments. `sig` is Rhai's signature
/// (`indicater (&str | ImmutableString | String, map)`); `api` the rule functions, for a
/// suggestion.
pub(crate) fn unknown_function(sig: &str, api: &[&str]) -> Message {
    let (name, args) = sig.split_once(' ').unwrap_or((sig, ""));
    let types = arg_types(args);
    let types_zh: Vec<String> = types.iter().copied().map(type_zh).collect();
    let en = format!("unknown function `{sig}`");
    if is_operator(name) {
        let zh = if types_zh.is_empty() {
            format!("运算“{name}”用错了")
        } else {
            format!("不能对{}做“{name}”运算", types_zh.join("和"))
        };
        let m = Message::new("E0003", zh, en);
        return if types.contains(&"()") {
            m.help(
                "其中有空值 ()：字段留空、字段名写错（如把 `u.lost` 写成 `u.lots`）或对象中没有这一项，都会得到 ()；请核对字段名，或先用 `if x == () { … }` 处理空值",
                "one of the values is empty (`()`): a blank field, a misspelt field name (`u.lots` for `u.lost`) or a missing key gives `()`; check the name, or handle it first with `if x == () { … }`",
            )
        } else if types_zh.iter().any(|t| t == "文本") {
            m.help(
                "文本不能直接参与计算或与数字比较：把字段声明为数值类型（`type: \"int\"` 或 `\"number\"`），或核对是否用错了字段",
                "text takes no part in arithmetic or comparison with numbers: declare the field as a number (`type: \"int\"` or `\"number\"`), or check that it is the right field",
            )
        } else {
            m.help(
                "检查运算两边的值是不是想要的类型",
                "check the types of the values on either side",
            )
        };
    }
    let zh = if types_zh.is_empty() {
        format!("找不到函数“{name}”（无参数）")
    } else {
        format!("找不到函数“{name}”（参数：{}）", types_zh.join("、"))
    };
    let m = Message::new("E0003", zh, en);
    if name.starts_with("eval") {
        return m.help(
            "规则脚本中不能使用 `eval`",
            "`eval` is not allowed in rule scripts",
        );
    }
    match closest(name, api.iter().copied()) {
        Some(k) => m.help(
            format!("是不是要写 `{k}`？"),
            format!("did you mean `{k}`?"),
        ),
        None => m.help(
            format!(
                "规则函数有 {}；请检查函数名是否写错、参数个数是否正确",
                api.join("、")
            ),
            format!(
                "the rule functions are {}; check the name and the number of arguments",
                api.join(", ")
            ),
        ),
    }
}

/// E0003: an unknown variable (or a module constant not exported).
pub(crate) fn unknown_variable(name: &str) -> Message {
    let m = Message::new(
        "E0003",
        format!("未知变量“{name}”"),
        format!("unknown variable `{name}`"),
    );
    if name.contains("::") {
        m.help(
            "辅助模块的常量须用 `export const` 声明，才能在规则脚本中引用",
            "a helper module shares a constant only if it declares it with `export const`",
        )
    } else {
        m.help(
            "检查变量名是否写错；变量要先用 `let` 声明再使用；单位的数据用 `u.字段名` 读取",
            "check the name; declare a variable with `let` before using it; a unit's data is read as `u.field`",
        )
    }
}

/// E0003: no helper module at an import path.
pub(crate) fn unknown_module(name: &str) -> Message {
    Message::new(
        "E0003",
        format!("没有辅助模块“{name}”"),
        format!("no helper module `{name}`"),
    )
    .help(
        "辅助模块放在规则文件旁的 lib/ 目录中，用 `import \"lib/名称\" as 别名;` 引入",
        "helper modules sit in `lib/` beside the rule file; import one with `import \"lib/name\" as alias;`",
    )
}

/// E0003: a property a value does not have. `text` is Rhai's words (the English message).
pub(crate) fn no_property(prop: &str, on_type: &str, text: &str) -> Message {
    let m = Message::new(
        "E0003",
        format!("{}没有属性“{prop}”", type_zh(on_type)),
        text,
    );
    if on_type.trim() == "()" {
        m.help(
            format!("“.{prop}”前面的值是空值 ()：对象里没有前一项，或前一项的名称写错了；请核对名称"),
            format!("the value before `.{prop}` is empty (`()`): the key before it is missing or misspelt"),
        )
    } else {
        m.help(
            format!("“.{prop}”只能用在对象（如 `u`、`r`、`r.fields`）上，这里的值是{}；检查是否多写了一级或属性名写错", type_zh(on_type)),
            format!("`.{prop}` works on maps such as `u`, `r` or `r.fields`, not on this value; check for a misspelt name or one level too many"),
        )
    }
}

/// E0003: a map has no such property (a strict map access).
pub(crate) fn property_not_found(prop: &str, text: &str) -> Message {
    Message::new("E0003", format!("没有属性“{prop}”"), text).help(
        "检查属性名是否写错；单位的数据用 `u.字段名` 读取，字段名见 field(…) 的声明",
        "check the name; a unit's data is read as `u.field`, with the names its `field(…)` declarations give",
    )
}

/// E0003: a value of the wrong type where another was needed.
pub(crate) fn wrong_type(wanted: &str, got: &str, text: &str) -> Message {
    let zh = match (wanted.is_empty(), got.is_empty()) {
        (false, false) => format!(
            "数据类型不对：需要{}，实际是{}",
            type_zh(wanted),
            type_zh(got)
        ),
        (false, true) => format!("数据类型不对：需要{}", type_zh(wanted)),
        _ => format!("数据类型不对：{}", type_zh(got)),
    };
    Message::new("E0003", zh, text).help(
        "检查参与运算或传给函数的值的类型；空值 () 常来自留空的字段或写错的字段名",
        "check the type of the value given; an empty `()` often comes from a blank field or a misspelt name",
    )
}

/// E0003: an arithmetic error (division by zero, overflow). `text` is Rhai's words.
pub(crate) fn arithmetic(text: &str) -> Message {
    let lower = text.to_lowercase();
    if lower.contains("division by zero") || lower.contains("divided by zero") {
        // Without the operands (`1 / 0`), so that the same failure over many units is one.
        Message::new("E0003", "除数为 0", "division by zero").help(
            "先判断除数是否为 0，例如 `if u.b == 0 { 0 } else { u.a / u.b }`",
            "check the divisor first, e.g. `if u.b == 0 { 0 } else { u.a / u.b }`",
        )
    } else if lower.contains("overflow") {
        Message::new("E0003", format!("数值溢出（{text}）"), text).help(
            "计算结果超出了数值的范围；检查公式，特别是乘法和乘方",
            "the result is out of range; check the formula, especially multiplication and powers",
        )
    } else {
        Message::new("E0003", format!("计算出错：{text}"), text).help(
            "检查公式和参与计算的值",
            "check the formula and the values in it",
        )
    }
}

/// E0003: `[ ]` used on a value that has no items. `what` is Rhai's (`decimal [i64]`).
pub(crate) fn not_indexable(what: &str, text: &str) -> Message {
    let on = what.split(" [").next().unwrap_or(what);
    Message::new(
        "E0003",
        format!("{}不能用下标 [ ] 取值", type_zh(on)),
        text,
    )
    .help(
        "只有数组、对象（map）和文本可以用 [ ] 取值；检查这个变量是不是想要的值",
        "only arrays, maps and text can be indexed with `[ ]`; check that the variable holds what you think",
    )
}

/// E0003: an index past the end of an array or a text.
pub(crate) fn out_of_bounds(array: bool, len: usize, index: i64, text: &str) -> Message {
    let (what, unit) = if array {
        ("数组", "项")
    } else {
        ("文本", "个字符")
    };
    Message::new(
        "E0003",
        format!("{what}下标 {index} 超出范围：{what}只有 {len} {unit}"),
        text,
    )
    .help(
        "下标从 0 开始；先用 `len()` 检查长度再取值",
        "indexes start at 0; check `len()` before indexing",
    )
}

/// E0003: `for` over a value that is not a list.
pub(crate) fn not_iterable(text: &str) -> Message {
    Message::new(
        "E0003",
        "for 循环只能遍历数组、范围（如 `0..10`）或文本",
        text,
    )
    .help(
        "检查 `in` 后面的值；一个数字要写成范围，例如 `for i in 0..n`",
        "check the value after `in`; a number needs a range, e.g. `for i in 0..n`",
    )
}

/// E0003: an assignment to a constant.
pub(crate) fn constant_changed(name: &str, text: &str) -> Message {
    Message::new("E0003", format!("不能修改常量“{name}”"), text).help(
        "要改变的值请用 `let` 声明为变量，而不是 `const`",
        "declare a value that changes with `let`, not `const`",
    )
}

/// E0003: any other script error; `text` is Rhai's words.
pub(crate) fn script_error(text: &str) -> Message {
    Message::new("E0003", format!("脚本运行出错：{text}"), text).help(
        "按提示的行列号检查这一处的写法",
        "check the script at the line and column given",
    )
}

/// E0003 (or the inner code): an error inside a named function of the script.
pub(crate) fn in_function(name: &str, inner: Message) -> Message {
    Message {
        code: inner.code,
        text: super::Text::new(
            format!("在函数“{name}”中：{}", inner.text.zh),
            format!("in `{name}`: {}", inner.text.en),
        ),
        help: inner.help,
    }
}

/// E0006: the script itself threw a value.
pub(crate) fn thrown(value: &str) -> Message {
    Message::new(
        "E0006",
        format!("规则脚本报告了问题：{value}"),
        format!("the script threw `{value}`"),
    )
    .help(
        "这是规则脚本用 `throw` 主动报告的问题：按它所说检查这个单位的数据，或修改规则",
        "the rule script reported this itself with `throw`: check the unit's data as it says, or the rule",
    )
}

/// E0007: a `score` closure returned something that is not points.
pub(crate) fn score_not_points(type_name: &str) -> Message {
    Message::new(
        "E0007",
        format!(
            "评分闭包返回了{}，应返回分数、`[分数, \"理由\"]` 或 `#{{points: 分数, reason: \"理由\"}}`",
            type_zh(type_name)
        ),
        format!("the score closure returned {type_name}, expected points, `[points, \"reason\"]` or `#{{points, reason}}`"),
    )
    .help(
        "让闭包的每条路径都以分数结束：没有 `else` 的 `if` 在条件不成立时得到空值 ()",
        "make every path of the closure end in points: an `if` without `else` gives `()` when its condition is false",
    )
}

/// E0008: a `score` closure gave points outside 0 to the item's maximum.
pub(crate) fn points_out_of_range(points: &str, max: &str) -> Message {
    Message::new(
        "E0008",
        format!("评分闭包给出 {points} 分，超出了 0 到 {max} 分的范围"),
        format!("the score closure gave {points} points, outside 0 to {max}"),
    )
    .help(
        format!("本项分值为 {max} 分：扣分项扣完为止（不低于 0），得分不超过 {max}"),
        format!("the item is worth {max} points: keep the result between 0 and {max}"),
    )
}

/// E0007: a `value` closure returned something that is not a number.
pub(crate) fn value_not_number(type_name: &str) -> Message {
    Message::new(
        "E0007",
        format!("取值闭包返回了{}，不是数值", type_zh(type_name)),
        format!("the value closure returned {type_name}, not a number"),
    )
    .help(
        "让闭包返回一个数值；没有数据时返回空值 ()，本项按无数据处理",
        "make the closure return a number; return `()` when there is no data",
    )
}

/// E0007: a condition closure (`when`, `only`, `applies` …) returned something that is not
/// true or false. `when` is set for a consequence's `when` closure.
pub(crate) fn not_a_condition(type_name: &str, when: bool) -> Message {
    let (zh, en) = if when {
        (
            format!(
                "结果运用的 when 闭包返回了{}，不是 true 或 false",
                type_zh(type_name)
            ),
            format!("the `when` closure returned {type_name}, not true or false"),
        )
    } else {
        (
            format!("条件闭包返回了{}，不是 true 或 false", type_zh(type_name)),
            format!("the condition returned {type_name}, not true or false"),
        )
    };
    Message::new("E0007", zh, en).help(
        "条件应是比较或逻辑表达式，例如 `|u| u.a > 0 && u.flag`",
        "a condition is a comparison or a logical expression, e.g. `|u| u.a > 0 && u.flag`",
    )
}

/// E0007: the `state` closure returned something that is not a map.
pub(crate) fn state_not_map(type_name: &str) -> Message {
    Message::new(
        "E0007",
        format!("state 闭包返回了{}，应返回对象，例如 `#{{ status: \"挂牌\" }}`", type_zh(type_name)),
        format!("the state closure returned {type_name}, expected a map such as `#{{ status: \"挂牌\" }}`"),
    )
    .help(
        "让 state 闭包的每条路径都以一个对象结束，例如 `#{ status: \"挂牌\", times: 1 }`",
        "make every path of the state closure end in a map, e.g. `#{ status: \"挂牌\", times: 1 }`",
    )
}

/// E0009: the state a closure returned cannot be saved with the results.
pub(crate) fn state_unsaved(why: &str) -> Message {
    Message::new(
        "E0009",
        format!("状态无法保存：{why}"),
        format!("the state cannot be saved: {why}"),
    )
    .help(
        "状态中只放文本、数值、真假值，以及由它们组成的数组和对象",
        "keep only text, numbers, true/false and arrays and maps of them in the state",
    )
}

/// The words added to a runaway the breaker stopped (熔断): it ran away for `max` units, so
/// the rule was not run for the rest. (zh, en), each starting with its separator.
pub(crate) fn stopped_note(max: usize) -> (String, String) {
    (
        format!("；此规则已在 {max} 个单位上超限，其余单位不再运行"),
        format!("; it ran away for {max} units, so it was not run for the others"),
    )
}

/// E0101: a script or helper module too large to compile within the budget: `count` bytes
/// (or `lines`) against at most `max`.
pub(crate) fn script_too_large(count: usize, max: usize, lines: bool) -> Message {
    let (zh, en) = if lines {
        (
            format!("{count} 行（上限 {max} 行）"),
            format!("{count} lines (at most {max})"),
        )
    } else {
        (
            format!("{count} 字节（上限 {max} 字节）"),
            format!("{count} bytes (at most {max})"),
        )
    };
    Message::new(
        "E0101",
        format!("脚本过大，无法检查：{zh}"),
        format!("the script is too large to check: {en}"),
    )
    .help(
        "一套规则通常只有几百行；把共用的代码移到 lib/ 目录下的辅助模块中",
        "a rule set is a few hundred lines; move shared code into helper modules under `lib/`",
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_used() {
        crate::messages::check_codes(include_str!("eval.rs"), 'E', KINDS);
    }

    #[test]
    fn zh_words_for_types_and_operators() {
        let m = unknown_function("+ ((), i64)", &["indicator"]);
        assert_eq!(m.text.zh, "不能对空值和整数做“+”运算");
        assert!(m.help.is_some_and(|h| h.zh.contains("u.lots")));
        let m = unknown_function(
            "indicater (&str | ImmutableString | String, map)",
            &["indicator"],
        );
        assert_eq!(
            m.text.zh,
            "找不到函数“indicater”（参数：文本、对象（map））"
        );
        assert_eq!(
            m.help.map(|h| h.en),
            Some("did you mean `indicator`?".into())
        );
        assert_eq!(closest("lots", ["lost", "name"].into_iter()), Some("lost"));
        assert_eq!(closest("zzz", ["lost", "name"].into_iter()), None);
    }
}
