//! Deductions from a base (扣分项, 负面清单): no floor but their own `cap` (本项限扣) and their
//! category's `deduct_cap`; totals below 0; the checks of a scheme that starts from `base`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;
use kaohe::Rules;

/// The prelude with `ruleset(…)` starting every unit from 100 (负面清单).
fn negative_list(body: &str) -> String {
    prelude_with("max: 100, base: 100") + body
}

fn run(body: &str, rows: &str) -> kaohe::result::Report {
    let r = match Rules::compile("t.rhai", &negative_list(body)) {
        Ok(r) => r,
        Err(e) => panic!("rules did not compile:\n{e}"),
    };
    let csv = format!("编码,名称,类别,甲,乙,丙,丁,比率,标志\n{rows}");
    let ds = kaohe::read_csv(&r, csv.as_bytes());
    assert!(ds.errors.is_empty(), "data errors: {:?}", ds.errors);
    r.assess(&ds.units, None).unwrap()
}

fn codes(src: &str) -> Vec<&'static str> {
    errors_of("bad.rhai", src)
        .iter()
        .map(|e| e.code())
        .collect()
}

#[test]
fn a_deduction_has_no_floor_and_the_total_goes_below_zero() {
    let rep = run(
        r#"deduction("v", #{ label: "否决事项", deduct: #{ count: "c", each: 30 } });
        grades([#{ name: "合格", at_least: 60 }, #{ name: "不合格", below: 60 }]);"#,
        "1,甲,,0,0,4,0,,\n2,乙,,0,0,0,0,,\n",
    );
    assert_eq!(points(&rep, "1", "v"), "-120");
    assert_eq!(total(&rep, "1"), "-20");
    assert_eq!(unit(&rep, "1").grade.as_deref(), Some("不合格"));
    assert_eq!(total(&rep, "2"), "100");
    assert_eq!(
        unit(&rep, "2").items.get(0).unwrap().reasons()[0].detail,
        "无扣分情形，不扣分"
    );
    // Published with the rule set's decimals, the sign kept.
    let table = rep.to_table();
    assert!(table.contains("-20.00"), "{table}");
}

#[test]
fn an_items_cap_limits_what_it_takes_and_says_so() {
    let rep = run(
        r#"deduction("visit", #{ label: "暗访", cap: 5, deduct: [#{ count: "c", each: 0.25 }, #{ count: "d", each: 0.25 }] });"#,
        "1,甲,,0,0,18,2,,\n2,乙,,0,0,30,10,,\n3,丙,,0,0,19,0,,\n",
    );
    // 20 × 0.25 = 5: exactly the cap.
    assert_eq!(points(&rep, "1", "visit"), "-5");
    assert_eq!(points(&rep, "2", "visit"), "-5");
    assert_eq!(points(&rep, "3", "visit"), "-4.75");
    let reasons = &unit(&rep, "2").items.get(0).unwrap().reasons();
    assert!(
        reasons
            .iter()
            .any(|r| r.detail == "扣分 10 超过本项限扣 5 分，按扣 5 分计"),
        "{reasons:?}"
    );
    assert!(!unit(&rep, "1")
        .items
        .get(0)
        .unwrap()
        .reasons()
        .iter()
        .any(|r| r.detail.contains("限扣")));
}

#[test]
fn a_categorys_deduct_cap_limits_its_deductions_together_and_is_explained() {
    let rep = run(
        r#"category("暗访督查", #{ deduct_cap: 5 });
        deduction("found", #{ label: "问题点", category: "暗访督查", deduct: #{ count: "c", each: 0.25 } });
        deduction("unfixed", #{ label: "整改不到位", category: "暗访督查", deduct: #{ count: "d", each: 0.25 } });
        deduction("acc", #{ label: "事故", deduct: #{ count: "a", each: 5 } });"#,
        "1,甲,,1,0,30,10,,\n2,乙,,0,0,16,3,,\n",
    );
    // 7.5 + 2.5 = 10 taken, 5 counted; the accident outside the category in full.
    assert_eq!(points(&rep, "1", "found"), "-7.5");
    assert_eq!(total(&rep, "1"), "90");
    let adj = &unit(&rep, "1").adjustments;
    assert_eq!(adj.len(), 1, "{adj:?}");
    assert_eq!(
        adj[0].detail,
        "暗访督查扣分合计 10，本项限扣 5 分，按扣 5 分计"
    );
    assert_eq!(adj[0].points.to_string(), "5");
    // 4.75 is under the cap: nothing adjusted.
    assert_eq!(total(&rep, "2"), "95.25");
    assert!(unit(&rep, "2").adjustments.is_empty());
}

#[test]
fn indicators_and_deductions_together_from_a_base() {
    // 基础分 60 + indicators worth 40 = 100; a deduction takes from the whole.
    let src = prelude_with("max: 100, base: 60")
        + r#"category("工作", 40);
        indicator("work", #{ label: "工作", category: "工作", max: 40, count: #{ count: "c", each: 10 } });
        deduction("acc", #{ label: "事故", deduct: #{ count: "d", each: 3 } });"#;
    let r = Rules::compile("t.rhai", &src).unwrap();
    let csv = "编码,名称,类别,甲,乙,丙,丁,比率,标志\n1,甲,,0,0,3,1,,\n";
    let ds = kaohe::read_csv(&r, csv.as_bytes());
    let rep = r.assess(&ds.units, None).unwrap();
    assert_eq!(total(&rep, "1"), "87");
    assert_eq!(unit(&rep, "1").base.to_string(), "87");
}

#[test]
fn a_deductions_mistakes_are_rule_errors() {
    // A `max`, another shape, a cap not above 0.
    let c = codes(&negative_list(
        r#"deduction("a", #{ label: "甲", max: 5, deduct: #{ count: "c", each: 1 } });
        deduction("b", #{ label: "乙", bands: #{ value: "a", steps: [[1, 1]] } });
        deduction("d", #{ label: "丁", cap: 0, deduct: #{ count: "c", each: 1 } });"#,
    ));
    assert_eq!(c, ["R0413", "R0413", "R0413"], "{c:?}");
    let text: String = errors_of(
        "bad.rhai",
        &negative_list(
            r#"deduction("b", #{ label: "乙", bands: #{ value: "a", steps: [[1, 1]] } });"#,
        ),
    )
    .iter()
    .map(|e| e.render(kaohe::Lang::Zh))
    .collect();
    assert!(
        text.contains("扣分项按 `deduct` 列出的情形扣分，不能用 `bands`"),
        "{text}"
    );
    assert!(
        text.contains(":13:"),
        "points at the declaration's line: {text}"
    );
}

#[test]
fn a_base_outside_the_scale_and_a_bad_deduct_cap_are_rule_errors() {
    let src = prelude_with("max: 100, base: 120")
        + r#"category("x", #{ deduct_cap: -1 });
        deduction("a", #{ label: "甲", category: "x", deduct: #{ count: "c", each: 1 } });"#;
    let c = codes(&src);
    assert!(c.contains(&"R0414") && c.contains(&"R0413"), "{c:?}");
    // A category map with a key it does not know names it.
    let text = compile_errors(&negative_list(
        r#"category("x", #{ deduct_cpa: 5 });
        deduction("a", #{ label: "甲", category: "x", deduct: #{ count: "c", each: 1 } });"#,
    ))
    .join("\n");
    assert!(text.contains("deduct_cpa"), "{text}");
}

#[test]
fn grade_bands_of_a_negative_list_are_checked_down_to_any_total() {
    // The lowest band open downwards covers every negative total: no gap.
    Rules::compile(
        "t.rhai",
        &negative_list(
            r#"deduction("a", #{ label: "甲", deduct: #{ count: "c", each: 30 } });
            grades([#{ name: "合格", at_least: 60 }, #{ name: "不合格", below: 60 }]);"#,
        ),
    )
    .unwrap();
    // A lowest band from 0 leaves the totals below 0 without a grade, when nothing limits them.
    let errors = errors_of(
        "bad.rhai",
        &negative_list(
            r#"deduction("a", #{ label: "甲", deduct: #{ count: "c", each: 30 } });
        grades([#{ name: "合格", at_least: 60 }, #{ name: "不合格", at_least: 0, below: 60 }]);"#,
        ),
    );
    assert_eq!(errors[0].code(), "R0505");
    let zh = errors[0].render(kaohe::Lang::Zh);
    assert!(zh.contains("-∞"), "{zh}");
    // With a cap, the lowest total is 100 − 30 = 70: a band from 0 covers it.
    Rules::compile(
        "t.rhai",
        &negative_list(
            r#"deduction("a", #{ label: "甲", cap: 30, deduct: #{ count: "c", each: 30 } });
            grades([#{ name: "合格", at_least: 60 }, #{ name: "不合格", at_least: 0, below: 60 }]);"#,
        ),
    )
    .unwrap();
}

#[test]
fn a_batch_and_a_report_agree_on_deductions() {
    let r = Rules::compile(
        "t.rhai",
        &negative_list(
            r#"category("g", #{ deduct_cap: 2 });
            deduction("a", #{ label: "甲", category: "g", deduct: #{ count: "c", each: 0.5 } });
            deduction("b", #{ label: "乙", deduct: #{ count: "d", each: 40 } });"#,
        ),
    )
    .unwrap();
    let csv = "编码,名称,类别,甲,乙,丙,丁,比率,标志\n1,甲,,0,0,9,3,,\n2,乙,,0,0,1,0,,\n";
    let ds = kaohe::read_csv(&r, csv.as_bytes());
    let rep = r.assess(&ds.units, None).unwrap();
    let batch = r.score_batch(&ds.units).unwrap();
    assert_eq!(batch[0].total.to_string(), "-22");
    assert_eq!(total(&rep, "1"), "-22");
    assert_eq!(batch[1].total.to_string(), "99.5");
    assert_eq!(batch[0].rank, Some(2));
}

#[test]
fn a_deduction_by_how_far_a_value_falls_short_with_two_rates() {
    // 安全感低于96%每降低1个百分点扣0.25；低于90%每降低1个百分点扣0.5.
    let rep = run(
        r#"deduction("safety", #{ label: "群众安全感", deduct: #{ value: "r", below: [[96, 0.25], [90, 0.5]] } });
        deduction("clear", #{ label: "破案率", deduct: #{ value: "a", below: 80, each: 0.1 } });"#,
        "1,甲,,80,0,0,0,97%,\n2,乙,,80,0,0,0,93%,\n3,丙,,75,0,0,0,88%,\n4,丁,,80,0,0,0,,\n5,戊,,79.5,0,0,0,95.99%,\n",
    );
    let got: Vec<String> = (1..=5)
        .map(|k| points(&rep, &k.to_string(), "safety"))
        .collect();
    // 93: 3 × 0.25; 88: 6 × 0.25 + 2 × 0.5; blank: nothing to count; 95.99: 0.01 × 0.25, exact.
    assert_eq!(got, ["0", "-0.75", "-2.5", "0", "-0.0025"]);
    assert_eq!(points(&rep, "3", "clear"), "-0.5");
    assert_eq!(points(&rep, "5", "clear"), "-0.05");
    assert_eq!(
        unit(&rep, "3").items.get(0).unwrap().reasons()[0].detail,
        "比率 = 88，低于 96 每降低 1 扣 0.25 分、低于 90 每降低 1 扣 0.5 分，扣 2.5 分"
    );
    // Exact to the last step: 100 − 0.0025 − 0.05 = 99.9475.
    assert_eq!(total(&rep, "5"), "99.9475");
    // An entry with both sides, or a threshold twice, is a rule error.
    for bad in [
        r#"deduction("s", #{ label: "s", deduct: #{ value: "r", below: 96, above: 99, each: 1 } });"#,
        r#"deduction("s", #{ label: "s", deduct: #{ value: "r", below: [[96, 0.25], [96, 0.5]] } });"#,
        r#"deduction("s", #{ label: "s", deduct: #{ value: "r", below: 96 } });"#,
    ] {
        let codes: Vec<&str> = errors_of("bad.rhai", &negative_list(bad))
            .iter()
            .map(|e| e.code())
            .collect();
        assert_eq!(codes, ["R0402"], "{bad}");
    }
}
