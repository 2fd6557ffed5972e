//! Mistakes in rule scripts: every one reported with file:line:column and help; runaway
//! scripts stopped by limits; nothing a script does can reach files or `eval`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;
use kaohe::Lang;
use kaohe::Rules;

#[test]
fn three_mistakes_are_all_reported_with_line_and_column() {
    let src = r#"ruleset(#{ id: "bad", title: "错误示例" });
field("code", #{ label: "编码", type: "text" });
field("lost", #{ label: "失控人员数", type: "integer" });
unit(#{ id: "code" });
indicator("a", #{ label: "失控", max: 5, deduct: #{ count: "lots", each: 0.5 } });
  indicator("b", #{ label: "b", max: 5, zero: "lost", txet: "x" });
grades([ #{ name: "优秀", at_least: 90 } ]);
consequence("表彰", #{ when: #{ grade: "优" } });
"#;
    let errs = errors_of("bad.rhai", src);
    let shown: Vec<String> = errs.iter().map(|e| e.render(kaohe::Lang::En)).collect();
    assert_eq!(
        shown,
        vec![
            "error[R0106]: bad.rhai:3:40: field `lost`: unknown type `integer`\n  help: the types are text, int, number, percent, bool",
            "error[R0102]: bad.rhai:5:58: indicator `a`: `count` names field `lots`, which is not declared\n  help: did you mean `lost`?",
            "error[R0101]: bad.rhai:6:55: indicator `b`: unknown key `txet`\n  help: did you mean `text`?",
            "error[R0102]: bad.rhai:8:38: consequence `表彰`: no grade band is named `优`\n  help: did you mean `优秀`?",
        ]
    );
    // Each error points at the mistaken token itself, not at the start of its declaration.
    assert_eq!(
        (errs[2].location().line, errs[2].location().column),
        (6, 55)
    );
}

#[test]
fn a_syntax_error_points_at_its_line_and_column() {
    let errs =
        compile_errors("ruleset(#{ id: \"x\", title: \"x\" });\nfield(\"a\", #{ label: \"甲\" ;\n");
    assert_eq!(
        errs,
        vec!["bad.rhai:2:26: syntax error: expecting '}' to end this object map literal"]
    );
}

#[test]
fn reserved_words_as_keys_are_explained() {
    let errs = compile_errors("ruleset(#{ id: \"x\", title: \"x\", default: 1 });");
    assert_eq!(
        errs,
        vec!["bad.rhai:1:33: syntax error: 'default' is a reserved keyword"]
    );
}

#[test]
fn a_mistyped_rule_function_suggests_the_right_one() {
    let src = format!("{PRELUDE}\nindicater(\"x\", #{{ label: \"x\", max: 1, zero: \"c\" }});");
    let errs = errors_of("bad.rhai", &src);
    assert_eq!(
        errs[0].to_string(),
        "bad.rhai:14:1: unknown function `indicater (&str | ImmutableString | String, map)`"
    );
    assert_eq!(
        errs[0].hint(kaohe::Lang::En),
        Some("did you mean `indicator`?")
    );
}

#[test]
fn a_script_missing_its_declarations_says_what_to_add() {
    let errs = match Rules::compile("empty.rhai", "// nothing\n") {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.0,
    };
    let shown: Vec<String> = errs.iter().map(|e| e.render(kaohe::Lang::En)).collect();
    assert_eq!(
        shown,
        vec![
            "error[R0201]: empty.rhai:1:1: the script never calls `ruleset(…)`\n  help: start the script with `ruleset(#{ id: \"my-scheme\", title: \"…\", max: 100 });`",
            "error[R0202]: empty.rhai:1:1: the rule set declares no data fields\n  help: declare each column with `field(\"name\", #{ label: \"表头\", type: \"int\" });`",
            "error[R0204]: empty.rhai:1:1: the rule set has no indicators\n  help: add at least one `indicator(\"id\", #{ … });`",
        ]
    );
}

#[test]
fn shape_mistakes_are_caught_at_compile_time() {
    let src = format!(
        "{PRELUDE}\nindicator(\"two\", #{{ label: \"x\", max: 1, zero: \"c\", deduct: #{{ count: \"c\", each: 1 }} }});\nindicator(\"none\", #{{ label: \"x\", max: 1 }});\nindicator(\"text\", #{{ label: \"x\", max: 1, zero: \"name\" }});\nveto(\"v\", #{{ label: \"v\", when: #{{ field: \"c\" }} }});\nconsequence(\"黄牌\", #{{ when: #{{ botom: 3 }} }});"
    );
    let errs = errors_of("s.rhai", &src);
    let shown: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        shown,
        vec![
            "s.rhai:14:1: indicator `two`: has more than one way of scoring: deduct, zero",
            "s.rhai:15:1: indicator `none`: says no way of scoring",
            "s.rhai:16:48: indicator `text`: `zero` needs a number but field `name` is text",
            "s.rhai:17:26: veto `v`: the condition in `when` needs exactly one of `above`, `at_least`, `below`, `at_most`, `equals`",
            "s.rhai:18:31: consequence `黄牌`: `when: #{ botom: 3 }` is not understood",
        ]
    );
    assert_eq!(
        errs[4].hint(kaohe::Lang::En),
        Some("did you mean `bottom`?")
    );
}

#[test]
fn a_runaway_loop_is_stopped_and_names_the_rule_and_place() {
    let r = rules("indicator(\"spin\", #{ label: \"死循环\", max: 5, score: |u| { let x = 0; loop { x += 1; } } });");
    let ds = kaohe::read_csv(&r, "编码,名称\n1,甲\n".as_bytes());
    let err = r.assess(&ds.units, None).unwrap_err();
    assert_eq!(
        err.0[0].to_string(),
        "t.rhai:13:68: rule `spin` failed for unit `1`: the script ran too long (over 200000 operations or 2 s) and was stopped (an endless loop?)"
    );
    assert_eq!((err.0[0].code(), err.0[0].units()), ("E0001", 1));
    assert_eq!(
        err.0[0].render(kaohe::Lang::En),
        "error[E0001]: t.rhai:13:68: rule `spin` failed for unit `1` (甲): the script ran too long (over 200000 operations or 2 s) and was stopped (an endless loop?)\n  help: check the loop's exit condition"
    );
}

/// A runaway closure over 20 units was 3 errors (and before the breaker, 20): now it is one,
/// naming the first unit and the count of units the rule gave nothing for.
#[test]
fn a_runaway_closure_over_twenty_units_is_one_error_with_the_count() {
    let r = rules("indicator(\"spin\", #{ label: \"死循环\", max: 5, score: |u| { let x = 0; loop { x += 1; } } });");
    let mut csv = String::from("编码,名称\n");
    for i in 1..=20 {
        csv.push_str(&format!("{i},第{i}镇\n"));
    }
    let ds = kaohe::read_csv(&r, csv.as_bytes());
    for parallel in [false, true] {
        let err = if parallel {
            r.score_batch_parallel(&ds.units).map(|_| ()).unwrap_err()
        } else {
            r.assess(&ds.units, None).map(|_| ()).unwrap_err()
        };
        assert_eq!(err.0.len(), 1, "{err}");
        let e = &err.0[0];
        assert_eq!((e.code(), e.unit(), e.units()), ("E0001", "1", 20));
        assert_eq!(
            e.to_string(),
            "t.rhai:13:68: rule `spin` failed for unit `1` and 19 other units: the script ran too long (over 200000 operations or 2 s) and was stopped (an endless loop?); it ran away for 3 units, so it was not run for the others"
        );
        assert_eq!(
            e.render(kaohe::Lang::Zh),
            "错误[E0001]：t.rhai:13:68：规则“spin”计算单位“第1镇”（1）等 20 个单位时出错：脚本运行超过限度（超过 200000 步或 2 秒），已停止（是否有死循环？）；此规则已在 3 个单位上超限，其余单位不再运行\n  提示：检查循环的结束条件：每转一圈都要向结束靠近（例如计数器递增并有上限），`while`/`loop` 里要有能走到的 `break`"
        );
        let json = serde_json::to_value(e).unwrap();
        assert_eq!(json["units"], 20);
        assert_eq!(json["unit_name"], "第1镇");
        assert!(json["en"]["message"]
            .as_str()
            .unwrap()
            .starts_with("the script ran too long"));
    }
}

/// The streamed run (two passes) merges the same way.
#[test]
fn a_runaway_in_a_streamed_run_is_one_error_with_the_count() {
    let r = rules("indicator(\"spin\", #{ label: \"死循环\", max: 5, score: |u| { let x = 0; loop { x += 1; } } });");
    let mut csv = String::from("编码,名称\n");
    for i in 1..=20 {
        csv.push_str(&format!("{i},第{i}镇\n"));
    }
    let ds = kaohe::read_csv(&r, csv.as_bytes());
    let mut tally = r.tally();
    for u in &ds.units {
        tally.add(u);
    }
    let err = tally.place().unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    assert_eq!((err.0[0].units(), err.0[0].code()), (20, "E0001"));
}

#[test]
fn a_runaway_loop_at_compile_time_is_stopped_too() {
    let errs = compile_errors("let x = 0; while true { x += 1; }");
    assert_eq!(
        errs[0],
        "bad.rhai:1:12: the script ran too long (over 200000 operations or 2 s) and was stopped (an endless loop?)"
    );
}

#[test]
fn endless_recursion_and_huge_strings_hit_limits() {
    let r = rules("fn f(n) { f(n + 1) }\nindicator(\"rec\", #{ label: \"递归\", max: 5, score: |u| f(0) });\nindicator(\"big\", #{ label: \"大\", max: 5, score: |u| { let s = \"x\"; loop { s += s; } } });");
    let ds = kaohe::read_csv(&r, "编码,名称\n1,甲\n".as_bytes());
    let err = r.assess(&ds.units, None).unwrap_err();
    let shown: Vec<String> = err
        .0
        .iter()
        .map(|e| e.message(kaohe::Lang::En).to_string())
        .collect();
    assert_eq!(shown.len(), 2);
    assert!(
        shown[0].contains("nested deeper than 32 levels"),
        "{shown:?}"
    );
    assert_eq!(shown[1], "length of string grew past its limit");
}

#[test]
fn eval_is_not_available_to_scripts() {
    let errs = compile_errors("ruleset(#{ id: \"x\", title: \"x\" }); eval(\"1\");");
    assert!(errs[0].starts_with("bad.rhai:1:"), "{errs:?}");
    assert!(errs[0].contains("eval"), "{errs:?}");
}

#[test]
fn a_runtime_error_in_a_closure_is_reported_once_with_the_units_it_struck() {
    let r = rules("indicator(\"x\", #{ label: \"x\", max: 5, score: |u| u.a / u.b });");
    let ds = kaohe::read_csv(
        &r,
        "编码,名称,甲,乙\n1,甲,1,0\n2,乙,1,0\n3,丙,1,1\n".as_bytes(),
    );
    let err = r.assess(&ds.units, None).unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    let e = &err.0[0];
    assert_eq!((e.unit(), e.units(), e.code()), ("1", 2, "E0003"));
    assert!(
        e.message(Lang::En).contains("division by zero"),
        "{}",
        e.message(Lang::En)
    );
    assert_eq!((e.location().line, e.location().column), (13, 54));
    assert_eq!(
        e.to_string(),
        "t.rhai:13:54: rule `x` failed for unit `1` and 1 other unit: division by zero"
    );
    assert_eq!(
        e.render(kaohe::Lang::Zh),
        "错误[E0003]：t.rhai:13:54：规则“x”计算单位“甲”（1）等 2 个单位时出错：除数为 0\n  提示：先判断除数是否为 0，例如 `if u.b == 0 { 0 } else { u.a / u.b }`"
    );
}

#[test]
fn an_unknown_property_at_run_time_names_the_unit_in_chinese() {
    let r = rules("indicator(\"p\", #{ label: \"属性\", max: 5, score: |u| if u.name.lots > 0 { 5 } else { 0 } });");
    let ds = kaohe::read_csv(&r, "编码,名称\n330101,石桥镇\n".as_bytes());
    let err = r.assess(&ds.units, None).unwrap_err();
    let e = &err.0[0];
    assert_eq!(e.code(), "E0003");
    assert_eq!(e.unit_name(), Some("石桥镇"));
    assert_eq!(
        e.to_string(),
        "t.rhai:13:61: rule `p` failed for unit `330101`: unknown property 'lots' - a getter is not registered for type 'string'"
    );
    assert_eq!(
        e.render(kaohe::Lang::Zh),
        "错误[E0003]：t.rhai:13:61：规则“p”计算单位“石桥镇”（330101）时出错：文本没有属性“lots”\n  提示：“.lots”只能用在对象（如 `u`、`r`、`r.fields`）上，这里的值是文本；检查是否多写了一级或属性名写错"
    );
}

#[test]
fn an_empty_value_in_arithmetic_explains_where_empty_values_come_from() {
    // `r` is optional and left blank: `()`.
    let r = rules("indicator(\"m\", #{ label: \"空值\", max: 5, score: |u| u.r + 1 });");
    let ds = kaohe::read_csv(&r, "编码,名称,比率\n1,甲,\n".as_bytes());
    let err = r.assess(&ds.units, None).unwrap_err();
    let e = &err.0[0];
    assert_eq!(e.message(kaohe::Lang::En), "unknown function `+ ((), i64)`");
    assert_eq!(e.message(kaohe::Lang::Zh), "不能对空值和整数做“+”运算");
    let (zh, en) = (e.hint(Lang::Zh).unwrap(), e.hint(Lang::En).unwrap());
    assert!(zh.contains("字段名写错"), "{zh}");
    assert!(en.contains("misspelt field name"), "{en}");
}

#[test]
fn a_misspelt_name_in_a_closure_fails_to_compile_with_the_name_meant() {
    let src = format!(
        "{PRELUDE}fn half(x) {{ if x.flga {{ 1 }} else {{ 0 }} }}\nindicator(\"m\", #{{ label: \"拼写\", max: 5, score: |u| u.nmae.len() + half(u) }});\n\
         consequence(\"约谈\", #{{ when: |r| r.rnak > 3 }});"
    );
    let errors = kaohe::Rules::compile("t.rhai", &src).unwrap_err().0;
    let found: Vec<(usize, &str, Option<&str>)> = errors
        .iter()
        .map(|e| (e.location().line, e.code(), e.hint(kaohe::Lang::En)))
        .collect();
    let line = PRELUDE.lines().count();
    assert_eq!(
        found,
        [
            (line + 1, "R0102", Some("did you mean `flag`?")),
            (line + 2, "R0102", Some("did you mean `name`?")),
            (line + 3, "R0102", Some("did you mean `rank`?")),
        ]
    );
    assert!(
        errors[1]
            .message(kaohe::Lang::Zh)
            .contains("`u.nmae` 不是声明过的字段"),
        "{}",
        errors[1].message(kaohe::Lang::Zh)
    );
    let two =
        format!("{PRELUDE}indicator(\"m\", #{{ label: \"参数\", max: 5, score: |u, prev| 5 }});");
    let errors = kaohe::Rules::compile("t.rhai", &two).unwrap_err().0;
    assert_eq!(errors[0].code(), "R0312");
    // The state closure is given three: the unit, its previous state, its result.
    let state = format!(
        "{PRELUDE}indicator(\"m\", #{{ label: \"m\", max: 5, zero: \"c\" }});\nstate(|u, prev| #{{ status: u.knid }});"
    );
    let errors = kaohe::Rules::compile("t.rhai", &state).unwrap_err().0;
    assert_eq!(errors[0].code(), "R0312");
    assert_eq!(
        errors[0].message(kaohe::Lang::En),
        "this closure takes 2 parameter(s), but it is given 3"
    );
    let state = format!(
        "{PRELUDE}indicator(\"m\", #{{ label: \"m\", max: 5, zero: \"c\" }});\nstate(|u, prev, r| #{{ status: u.knid, rank: r.rnak }});"
    );
    let errors = kaohe::Rules::compile("t.rhai", &state).unwrap_err().0;
    let help: Vec<&str> = errors
        .iter()
        .map(|e| e.hint(kaohe::Lang::En).unwrap())
        .collect();
    assert_eq!(help, ["did you mean `kind`?", "did you mean `rank`?"]);
}

#[test]
fn a_name_the_unit_does_not_hold_read_at_run_time_is_an_error_with_the_name_meant() {
    // `u[name]` cannot be checked when compiling; a map the script builds stays as Rhai has it.
    let r = rules(
        "const NAME = \"flga\";\nindicator(\"m\", #{ label: \"动态\", max: 5, score: |u| { let m = #{}; m.extra = 1; if m.nothing == () && u[NAME] { 5 } else { 0 } } });",
    );
    let ds = kaohe::read_csv(&r, "编码,名称\n1,甲\n".as_bytes());
    let err = r.assess(&ds.units, None).unwrap_err();
    let e = &err.0[0];
    assert_eq!(e.code(), "E0003");
    assert_eq!(e.message(kaohe::Lang::Zh), "没有属性“flga”");
    assert_eq!(e.hint(kaohe::Lang::En).unwrap(), "did you mean `flag`?");
}

#[test]
fn no_input_makes_the_compiler_panic() {
    let samples = [
        "",
        "(",
        "#{",
        "ruleset(",
        "ruleset(1)",
        "ruleset(#{ id: 1, title: [] });",
        "field(1, 2);",
        "indicator(\"x\", #{ label: \"x\", max: \"a\", score: 1 });",
        "grades([1, 2]);",
        "grades(#{});",
        "ranking(#{ ties: 3 });",
        "let f = || 1; veto(\"v\", #{ label: \"v\", when: f });",
        "category(\"x\", \"y\");",
        "unit(#{ id: \"nope\" });",
        "\u{0}\u{1}",
        "ruleset(#{ id: \"x\", title: \"x\", decimals: 99 });",
        "field(\"a\"，",
        "“",
        "\"”",
        "ruleset(#{ id: \"x”",
        "/* ",
        "'",
        "\u{3000}",
        "indicator(\"x\", #{ txet: 1 }",
        "indicator(\"x\", #{ \"txet\" : 1, /* txet: */ label: `多行\n文本`, max: 1, zero: \"a\" });",
    ];
    for s in samples {
        let _ = Rules::compile("fuzz.rhai", s);
        let _ = Rules::compile("fuzz.rhai", &format!("{PRELUDE}{s}"));
    }
}

#[test]
fn every_syntax_error_in_separate_statements_is_reported() {
    let src = "ruleset(#{ id: \"s\", title: \"语法\" });\nfield(\"code\", #{ label: \"编码\", type: \"text\" });\nfield(\"a\", #{ label: \"甲\" type: \"int\" });\nunit(#{ id: \"code\" });\nlet z = 1 +* 2;\nindicator(\"y\", #{ label: \"y\", max: 5, zero: \"a\" });\nindicator(\"v\", #{ label: \"v\", max: 5 zero: \"a\" });\n";
    let errs = errors_of("syn.rhai", src);
    let shown: Vec<String> = errs.iter().map(|e| e.render(kaohe::Lang::En)).collect();
    assert_eq!(
        shown,
        vec![
            "error[R0001]: syn.rhai:3:26: syntax error: expecting ',' to separate the items of this object map literal\n  help: add `,` here",
            "error[R0001]: syn.rhai:5:12: syntax error: unexpected '*'\n  help: delete the stray `*`, or add what is missing before it",
            "error[R0001]: syn.rhai:7:38: syntax error: expecting ',' to separate the items of this object map literal\n  help: add `,` here",
        ]
    );
}

#[test]
fn an_unclosed_bracket_reports_no_follow_on_errors() {
    let src = "ruleset(#{ id: \"s\", title: \"x\" });\nindicator(\"x\", #{ label: \"x\",\n  zero: \"a\" );\nlet z = 1 +* 2;\n";
    let errs = compile_errors(src);
    assert_eq!(
        errs,
        vec!["bad.rhai:3:13: syntax error: expecting '}' to end this object map literal"]
    );
}

#[test]
fn review_findings_are_compile_errors_not_silent_drops() {
    let src = format!(
        "{PRELUDE}\ncategory(\"甲类\", 5);\nindicator(\"lin\", #{{ label: \"x\", max: 1, linear: #{{ full_at: 1, zero_at: 0 }} }});\nindicator(\"bnd\", #{{ label: \"x\", max: 3, bands: #{{ value: \"a\", steps: [[1, 5]], stepz: 1 }} }});\nindicator(\"na\", #{{ label: \"x\", max: 1, na: \"full\", deduct: #{{ count: \"c\", each: 1 }} }});\nindicator(\"cat\", #{{ label: \"x\", category: \"乙类\", max: 1, zero: \"c\" }});\ncohort_indicator(\"cat\", #{{ label: \"x\", max: 1, value: \"a\", top: 1 }});\nveto(\"v\", #{{ label: \"v\", when: #{{ field: \"name\", above: 1 }} }});\nindicator(\"big\", #{{ label: \"x\", max: 120, zero: \"c\" }});\n"
    );
    let errs = errors_of("r.rhai", &src);
    let shown: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        shown,
        vec![
            "r.rhai:1:1: the indicators add up to 126 points but the rule set's `max` is 100",
            "r.rhai:15:41: indicator `lin`: `linear` needs `value`",
            "r.rhai:16:63: indicator `bnd`: a band gives 5 points but the item's `max` is 3",
            "r.rhai:16:80: indicator `bnd`: unknown key `stepz` in `bands`",
            "r.rhai:17:40: indicator `na`: `na: \"full\"` only applies to shapes that read one value (target, linear, bands, zero, yes)",
            "r.rhai:18:43: category `乙类` is not declared",
            "r.rhai:19:18: cohort indicator `cat` is declared twice",
            "r.rhai:20:26: veto `v`: the condition in `when` compares text field `name` with a number",
        ]
    );
}

#[test]
fn whole_numbers_divide_exactly_in_closures() {
    let rep = assess(
        "indicator(\"half\", #{ label: \"x\", max: 5, score: |u| u.c / u.d });",
        "1,甲,,0,0,7,2,,\n",
    );
    assert_eq!(points(&rep, "1", "half"), "3.5");
}

fn rendered(errs: &[kaohe::RuleError], lang: Lang) -> Vec<String> {
    errs.iter().map(|e| e.render(lang)).collect()
}

/// A declaration written over several lines, as rule editors write them.
const MULTI_LINE: &str = r#"ruleset(#{ id: "t", title: "测试" });
field("code", #{ label: "编码", type: "text" });
field("lost", #{ label: "失控人员数", type: "int" });
unit(#{ id: "code" });
indicator("control", #{
    label: "吸毒人员管控",
    max: 5,
    txet: "每失控 1 人扣 1 分",
    deduct: #{ count: "lots", each: 1 },
});
"#;

#[test]
fn a_misspelling_inside_a_multi_line_declaration_is_reported_on_its_own_line() {
    let errs = errors_of("m.rhai", MULTI_LINE);
    assert_eq!(
        rendered(&errs, Lang::En),
        vec![
            "error[R0101]: m.rhai:8:5: indicator `control`: unknown key `txet`\n  help: did you mean `text`?",
            "error[R0102]: m.rhai:9:23: indicator `control`: `count` names field `lots`, which is not declared\n  help: did you mean `lost`?",
        ]
    );
    assert_eq!(
        rendered(&errs, Lang::Zh),
        vec![
            "错误[R0101]：m.rhai:8:5：指标“control”：未知的键 `txet`\n  提示：把 `txet` 改为 `text`",
            "错误[R0102]：m.rhai:9:23：指标“control”：`count` 引用的字段 `lots` 没有声明\n  提示：您是不是想写 `lost`？",
        ]
    );
    // The same words in the JSON a rule editor reads: zh-CN first, English beside.
    let json = serde_json::to_value(&errs[0]).unwrap();
    assert_eq!(json["code"], "R0101");
    assert_eq!(json["location"]["line"], 8);
    assert_eq!(json["message"], "指标“control”：未知的键 `txet`");
    assert_eq!(json["help"], "把 `txet` 改为 `text`");
    assert_eq!(
        json["en"]["message"],
        "indicator `control`: unknown key `txet`"
    );
}

#[test]
fn a_map_built_elsewhere_falls_back_to_the_call() {
    let src = MULTI_LINE.replace(
        "indicator(\"control\", #{",
        "let spec = #{ zero: \"lost\", max: 5, label: \"x\", txet: 1 };\nindicator(\"other\", spec);\nindicator(\"control\", #{",
    );
    let errs = errors_of("m.rhai", &src);
    let places: Vec<String> = errs
        .iter()
        .map(|e| format!("{}:{} {}", e.location().line, e.location().column, e.code()))
        .collect();
    assert_eq!(places, vec!["6:1 R0101", "10:5 R0101", "11:23 R0102"]);
}

#[test]
fn errors_read_in_chinese_with_a_chinese_hint() {
    // A syntax error.
    let errs = errors_of(
        "syn.rhai",
        "ruleset(#{ id: \"s\", title: \"语法\" });\nfield(\"code\", #{ label: \"编码\", type: \"text\" });\nfield(\"a\", #{ label: \"甲\" type: \"int\" });\n",
    );
    assert_eq!(
        rendered(&errs, Lang::Zh),
        vec![
            "错误[R0001]：syn.rhai:3:26：语法错误：映射的两项之间缺少 `,`\n  提示：在此处补上 `,`"
        ]
    );
    // A reserved word as a key.
    let errs = errors_of("r.rhai", "field(\"a\", #{ label: \"甲\", default: 0 });");
    assert_eq!(
        rendered(&errs, Lang::Zh),
        vec!["错误[R0001]：r.rhai:1:27：语法错误：`default` 是保留字\n  提示：`default` 是保留字，不能用作键或名称；这里请写 `if_blank`"]
    );
    // A script without its declarations.
    let errs = errors_of("empty.rhai", "// 空\n");
    assert_eq!(
        rendered(&errs, Lang::Zh),
        vec![
            "错误[R0201]：empty.rhai:1:1：脚本没有调用 `ruleset(…)`\n  提示：在脚本开头写 `ruleset(#{ id: \"my-scheme\", title: \"…\", max: 100 });`",
            "错误[R0202]：empty.rhai:1:1：规则集没有声明任何数据字段\n  提示：每个数据列用 `field(\"name\", #{ label: \"表头\", type: \"int\" });` 声明",
            "错误[R0204]：empty.rhai:1:1：规则集没有任何指标\n  提示：至少加一条 `indicator(\"id\", #{ … });`",
        ]
    );
    // A grade that does not exist, and a field type.
    let errs = errors_of("bad.rhai", &format!("{PRELUDE}indicator(\"x\", #{{ label: \"x\", max: 5, zero: \"c\" }});\ngrades([ #{{ name: \"优秀\", at_least: 90 }}, #{{ name: \"合格\", below: 90 }} ]);\nconsequence(\"表彰\", #{{ when: #{{ grade: \"优\" }} }});\nfield(\"n\", #{{ label: \"数\", type: \"integer\" }});"));
    assert_eq!(
        rendered(&errs, Lang::Zh),
        vec![
            "错误[R0102]：bad.rhai:15:38：处理结果“表彰”：没有名为“优”的等次\n  提示：您是不是想写“优秀”？",
            "错误[R0106]：bad.rhai:16:33：字段 `n`：未知的字段类型“integer”\n  提示：类型只能是 text（文本）、int（整数）、number（数字）、percent（百分比）、bool（是/否）",
        ]
    );
}

#[test]
fn full_width_punctuation_in_code_is_named_at_its_place() {
    let src = "ruleset(#{ id: \"fw\", title: \"全角，标点\" });\nfield(\"code\"， #{ label: \"编码，单位\", type: \"text\" });\nfield(\"lost\", #{ label: “失控” });\nunit(#{ id： \"code\" });\nfield(\"b\",\u{3000}#{ label: \"乙\" });\nfield(\"a\", #{ label: \"甲”, type: \"int\" });\n";
    let errs = errors_of("fw.rhai", src);
    assert_eq!(
        rendered(&errs, Lang::Zh),
        vec![
            "错误[R0002]：fw.rhai:2:13：这里用了全角逗号“，”，脚本中的标点须为半角\n  提示：请改用半角逗号 ,",
            "错误[R0002]：fw.rhai:3:25：这里用了全角左引号 `“`，脚本中的标点须为半角\n  提示：请改用半角左引号 \"",
            "错误[R0002]：fw.rhai:4:11：这里用了全角冒号“：”，脚本中的标点须为半角\n  提示：请改用半角冒号 :",
            "错误[R0002]：fw.rhai:5:11：这里用了全角空格，脚本中的空格须为半角\n  提示：请改用半角空格",
            "错误[R0002]：fw.rhai:6:24：这里用了全角右引号 `”`，脚本中的标点须为半角\n  提示：请改用半角右引号 \"",
        ]
    );
    assert_eq!(
        errs[0].render(Lang::En),
        "error[R0002]: fw.rhai:2:13: full-width comma `，` in code: scripts use half-width (ASCII) punctuation\n  help: use the half-width comma `,` instead"
    );
}

#[test]
fn every_rule_error_has_a_code_chinese_words_and_a_chinese_hint() {
    let scripts = [
        "// nothing",
        "ruleset(#{ id: \"x\", title: \"x\" }",
        "let x = 1.2.3;",
        "let 中文 = 1;",
        "let a = \"abc;\nlet b = 1;",
        "let a = #{ x: 1, x: 2 };",
        "ruleset(#{ id: 1, title: \"x\", decimals: 99 });",
        "ruleset(#{ id: \"x\", title: \"x\" }); ruleset(#{ id: \"y\", title: \"y\" });",
        "field(\"失控\", #{ label: \"x\", aliases: 1, one_of: 2, if_blank: [], required: \"yes\" });",
        "category(\"甲\", \"x\");",
        "indicator(\"i\", #{ label: \"x\", max: -1, category: \"乙\", zero: \"c\", na: \"full\" });",
        "bonus(\"b\", #{ label: \"x\", max: 1, category: \"甲\", deduct: [#{ count: \"c\" }, 3, #{ count: \"c\", each: 1, step: 0, stpe: 1 }] });",
        "indicator(\"t\", #{ label: \"x\", max: 1, target: #{ value: \"a\", otherwise: \"half\", at_least: \"x\" } });",
        "indicator(\"l\", #{ label: \"x\", max: 1, linear: #{ value: #{ num: \"a\", dem: \"b\" }, full_at: 1, zero_at: 1 } });",
        "indicator(\"y\", #{ label: \"x\", max: 1, yes: \"a\" });",
        "indicator(\"s\", #{ label: \"x\", max: 1, score: 3, only: 5, applies: #{ any: [] } });",
        "indicator(\"bd\", #{ label: \"x\", max: 1, bands: #{ value: \"a\", steps: [[1], 2, #{ above: 1, pts: 1 }] } });",
        "metric(\"m\", #{ label: \"m\", value: #{ survey: [\"a\", \"b\"], points: [1] }, rank: 1, order: \"up\" });",
        "metric(\"n\", #{ label: \"n\", value: #{ sum: \"z\", over: \"code\", by: 1 } });",
        "cohort_indicator(\"co\", #{ label: \"x\", max: 1, value: \"a\", top: 0 });",
        "veto(\"v\", #{ label: \"v\", when: #{ field: \"kind\", above: 1, abve: 2 } });",
        "veto_policy(#{ grade: \"差\", rank: \"first\" });",
        "prerequisite(\"p\", #{ label: \"p\", when: |u| true });",
        "grades([1, #{ name: \"优\", at_least: 90, quota: 20 }]);",
        "ranking(#{ ties: \"olympic\", within: \"kindd\" });",
        "state(1); state(2);",
        "rollup(\"r\", #{ label: \"r\", by: \"kind\", method: \"avg\" });",
        "consequence(\"c1\", #{ when: 3 }); consequence(\"c2\", #{ when: #{ top: 1, bottom: 1 } }); consequence(\"c3\", #{ when: #{ veto: \"nope\" } }); consequence(\"c4\", #{ reason: \"x\" });",
    ];
    let mut codes = std::collections::BTreeSet::new();
    for s in scripts {
        for src in [s.to_string(), format!("{PRELUDE}{s}")] {
            let Err(errs) = Rules::compile("c.rhai", &src) else {
                panic!("expected errors from {s}");
            };
            for e in &errs.0 {
                codes.insert(e.code());
                let zh = e.render(Lang::Zh);
                assert!(e.code().starts_with('R'), "no code: {zh}");
                assert!(
                    e.message(kaohe::Lang::Zh)
                        .chars()
                        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "no Chinese: {zh}"
                );
                if let Some(h) = e.hint(Lang::Zh) {
                    assert!(
                        h.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                        "no Chinese hint: {zh}"
                    );
                }
                assert!(e.location().line > 0, "no line: {zh}");
            }
        }
    }
    // The scripts above reach most kinds of rule error.
    assert!(codes.len() >= 25, "{codes:?}");
}
