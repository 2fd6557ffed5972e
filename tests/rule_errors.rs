//! Mistakes in rule scripts: every one reported with file:line:column and help; runaway
//! scripts stopped by limits; nothing a script does can reach files or `eval`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;
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
    let shown: Vec<String> = errs
        .iter()
        .map(|e| e.render(kaohe::messages::Lang::En))
        .collect();
    assert_eq!(
        shown,
        vec![
            "error: bad.rhai:3:1: field `lost`: unknown type `integer`\n  help: the types are text, int, number, percent, bool",
            "error: bad.rhai:5:1: indicator `a`: `count` names field `lots`, which is not declared\n  help: did you mean `lost`?",
            "error: bad.rhai:6:3: indicator `b`: unknown key `txet`\n  help: did you mean `text`?",
            "error: bad.rhai:8:1: consequence `表彰`: no grade band is named `优`\n  help: did you mean `优秀`?",
        ]
    );
    assert_eq!((errs[2].location.line, errs[2].location.column), (6, 3));
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
        errs[0].help.as_ref().map(|h| h.en.as_str()),
        Some("did you mean `indicator`?")
    );
}

#[test]
fn a_script_missing_its_declarations_says_what_to_add() {
    let errs = match Rules::compile("empty.rhai", "// nothing\n") {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.0,
    };
    let shown: Vec<String> = errs
        .iter()
        .map(|e| e.render(kaohe::messages::Lang::En))
        .collect();
    assert_eq!(
        shown,
        vec![
            "error: empty.rhai:1:1: the script never calls `ruleset(…)`\n  help: start the script with `ruleset(#{ id: \"my-scheme\", title: \"…\", max: 100 });`",
            "error: empty.rhai:1:1: the rule set declares no data fields\n  help: declare each column with `field(\"name\", #{ label: \"表头\", type: \"int\" });`",
            "error: empty.rhai:1:1: the rule set has no indicators\n  help: add at least one `indicator(\"id\", #{ … });`",
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
            "s.rhai:16:1: indicator `text`: `zero` needs a number but field `name` is text",
            "s.rhai:17:1: veto `v`: the condition in `when` needs exactly one of `above`, `at_least`, `below`, `at_most`, `equals`",
            "s.rhai:18:1: consequence `黄牌`: `when: #{ botom: 3 }` is not understood",
        ]
    );
    assert_eq!(
        errs[4].help.as_ref().map(|h| h.en.as_str()),
        Some("did you mean `bottom`?")
    );
}

#[test]
fn a_runaway_loop_is_stopped_and_names_the_rule_and_place() {
    let r = rules("indicator(\"spin\", #{ label: \"死循环\", max: 5, score: |u| { let x = 0; loop { x += 1; } } });");
    let ds = kaohe::data::read_csv(&r.set, "编码,名称\n1,甲\n".as_bytes());
    let err = r.assess(&ds.units, None).unwrap_err();
    assert_eq!(
        err.0[0].to_string(),
        "t.rhai:13:68: rule `spin` failed for unit `1`: the script ran too long (over 200000 operations or 2 s) and was stopped (an endless loop?)"
    );
    assert_eq!((err.0[0].code, err.0[0].units), ("E0001", 1));
    assert_eq!(
        err.0[0].render(kaohe::messages::Lang::En),
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
    let ds = kaohe::data::read_csv(&r.set, csv.as_bytes());
    for parallel in [false, true] {
        let err = if parallel {
            r.score_batch_parallel(&ds.units).map(|_| ()).unwrap_err()
        } else {
            r.assess(&ds.units, None).map(|_| ()).unwrap_err()
        };
        assert_eq!(err.0.len(), 1, "{err}");
        let e = &err.0[0];
        assert_eq!((e.code, e.unit.as_str(), e.units), ("E0001", "1", 20));
        assert_eq!(
            e.to_string(),
            "t.rhai:13:68: rule `spin` failed for unit `1` and 19 other units: the script ran too long (over 200000 operations or 2 s) and was stopped (an endless loop?); it ran away for 3 units, so it was not run for the others"
        );
        assert_eq!(
            e.render(kaohe::messages::Lang::Zh),
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
    let ds = kaohe::data::read_csv(&r.set, csv.as_bytes());
    let mut tally = r.tally();
    for u in &ds.units {
        tally.add(u);
    }
    let err = tally.place().unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    assert_eq!((err.0[0].units, err.0[0].code), (20, "E0001"));
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
    let ds = kaohe::data::read_csv(&r.set, "编码,名称\n1,甲\n".as_bytes());
    let err = r.assess(&ds.units, None).unwrap_err();
    let shown: Vec<String> = err.0.iter().map(|e| e.message.en.clone()).collect();
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
    let ds = kaohe::data::read_csv(
        &r.set,
        "编码,名称,甲,乙\n1,甲,1,0\n2,乙,1,0\n3,丙,1,1\n".as_bytes(),
    );
    let err = r.assess(&ds.units, None).unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    let e = &err.0[0];
    assert_eq!((e.unit.as_str(), e.units, e.code), ("1", 2, "E0003"));
    assert!(e.message.en.contains("division by zero"), "{}", e.message);
    assert_eq!((e.location.line, e.location.column), (13, 54));
    assert_eq!(
        e.to_string(),
        "t.rhai:13:54: rule `x` failed for unit `1` and 1 other unit: division by zero"
    );
    assert_eq!(
        e.render(kaohe::messages::Lang::Zh),
        "错误[E0003]：t.rhai:13:54：规则“x”计算单位“甲”（1）等 2 个单位时出错：除数为 0\n  提示：先判断除数是否为 0，例如 `if u.b == 0 { 0 } else { u.a / u.b }`"
    );
}

#[test]
fn an_unknown_property_at_run_time_names_the_unit_in_chinese() {
    let r = rules("indicator(\"p\", #{ label: \"属性\", max: 5, score: |u| if u.name.lots > 0 { 5 } else { 0 } });");
    let ds = kaohe::data::read_csv(&r.set, "编码,名称\n330101,石桥镇\n".as_bytes());
    let err = r.assess(&ds.units, None).unwrap_err();
    let e = &err.0[0];
    assert_eq!(e.code, "E0003");
    assert_eq!(e.unit_name.as_deref(), Some("石桥镇"));
    assert_eq!(
        e.to_string(),
        "t.rhai:13:61: rule `p` failed for unit `330101`: unknown property 'lots' - a getter is not registered for type 'string'"
    );
    assert_eq!(
        e.render(kaohe::messages::Lang::Zh),
        "错误[E0003]：t.rhai:13:61：规则“p”计算单位“石桥镇”（330101）时出错：文本没有属性“lots”\n  提示：“.lots”只能用在对象（如 `u`、`r`、`r.fields`）上，这里的值是文本；检查是否多写了一级或属性名写错"
    );
}

#[test]
fn an_empty_value_in_arithmetic_explains_where_empty_values_come_from() {
    let r = rules("indicator(\"m\", #{ label: \"空值\", max: 5, score: |u| u.lots + 1 });");
    let ds = kaohe::data::read_csv(&r.set, "编码,名称\n1,甲\n".as_bytes());
    let err = r.assess(&ds.units, None).unwrap_err();
    let e = &err.0[0];
    assert_eq!(e.message.en, "unknown function `+ ((), i64)`");
    assert_eq!(e.message.zh, "不能对空值和整数做“+”运算");
    let help = e.help.as_ref().unwrap();
    assert!(help.zh.contains("字段名写错"), "{}", help.zh);
    assert!(help.en.contains("misspelt field name"), "{}", help.en);
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
    let shown: Vec<String> = errs
        .iter()
        .map(|e| e.render(kaohe::messages::Lang::En))
        .collect();
    assert_eq!(
        shown,
        vec![
            "error: syn.rhai:3:26: syntax error: expecting ',' to separate the items of this object map literal\n  help: add `,` here",
            "error: syn.rhai:5:12: syntax error: unexpected '*'",
            "error: syn.rhai:7:38: syntax error: expecting ',' to separate the items of this object map literal\n  help: add `,` here",
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
            "r.rhai:15:1: indicator `lin`: `linear` needs `value`",
            "r.rhai:16:1: indicator `bnd`: unknown key `stepz` in `bands`",
            "r.rhai:16:1: indicator `bnd`: a band gives 5 points but the item's `max` is 3",
            "r.rhai:17:1: indicator `na`: `na: \"full\"` only applies to shapes that read a `value` (target, linear, bands, zero)",
            "r.rhai:18:1: category `乙类` is not declared",
            "r.rhai:19:1: cohort indicator `cat` is declared twice",
            "r.rhai:20:1: veto `v`: the condition in `when` compares text field `name` with a number",
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
