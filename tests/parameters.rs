//! Figures from outside the data and from the cohort (参数与组内统计): declared parameters
//! (上年度全省平均), cohort means, medians, maxima and minima over the cohort or a group, and
//! values by difference from them — each shown with its label and value where it is used.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;

#[test]
fn a_benchmark_parameter_and_a_cohort_mean_by_difference() {
    // 低于上年度全省平均的，每低1个百分点扣0.25；超过本组平均值5个点以内扣1，以外扣2.
    let body = r#"
        param("prov_mean", #{ label: "上年度全省平均", value: 85 });
        deduction("clear", #{ label: "破案率", deduct: #{ value: #{ diff: "a", from: "prov_mean" }, below: 0, each: 0.25 } });
        indicator("cases", #{ label: "发案数", max: 2,
            bands: #{ value: #{ diff: "b", from: #{ cohort_mean: "b" } }, steps: [
                #{ at_most: 0, points: 2 }, #{ at_most: 5, points: 1 }, #{ above: 5, points: 0 } ] } });
        indicator("median", #{ label: "中位", max: 5, target: #{ value: #{ diff: "a", from: #{ cohort_median: "a", by: "kind" } }, at_least: 0 } });
    "#;
    let src = prelude_with("max: 100, base: 93") + body;
    let r = kaohe::Rules::compile("t.rhai", &src).unwrap();
    // b: 10, 20, 30, 12 → mean 18; kind groups: 乡镇 (a 80, 86), 街道 (a 90, 84, …).
    let csv = "编码,名称,类别,甲,乙,丙,丁,比率,标志\n\
        1,甲,乡镇,80,10,0,0,,\n2,乙,乡镇,86,20,0,0,,\n3,丙,街道,90,30,0,0,,\n4,丁,街道,84,12,0,0,,\n";
    let ds = kaohe::data::read_csv(&r.set, csv.as_bytes());
    let rep = r.assess(&ds.units, None).unwrap();
    // 80 is 5 below 85: 5 × 0.25.
    assert_eq!(points(&rep, "1", "clear"), "-1.25");
    assert_eq!(points(&rep, "2", "clear"), "0");
    assert_eq!(
        unit(&rep, "1").items[0].reasons[0].detail,
        "甲 80 − 上年度全省平均 85 = -5，低于 0 每降低 1 扣 0.25 分，扣 1.25 分"
    );
    // 发案数 against the mean 18: 10 (−8) → 2; 20 (+2) → 1; 30 (+12) → 0; 12 → 2.
    let cases: Vec<String> = (1..=4)
        .map(|k| points(&rep, &k.to_string(), "cases"))
        .collect();
    assert_eq!(cases, ["2", "1", "0", "2"]);
    let why = &unit(&rep, "2").items[1].reasons[0].detail;
    assert!(why.starts_with("乙 20 − 全体单位乙平均值 18 = 2"), "{why}");
    // Medians by 类别: 乡镇 (80, 86) → 83; 街道 (90, 84) → 87.
    let median: Vec<String> = (1..=4)
        .map(|k| points(&rep, &k.to_string(), "median"))
        .collect();
    assert_eq!(median, ["0", "5", "5", "0"]);
    // A rule set reading a cohort statistic does not stream.
    assert!(r.streamable().is_err());
}

#[test]
fn items_read_the_previous_period_and_a_unit_not_in_it_is_said_so() {
    // 同类事故再次发生的加倍扣分；上期排名前2名的保位加2分（上期无此单位的按满分）.
    let body = r#"
        deduction("acc", #{ label: "较大事故", deduct: #{ count: "c", each: 5 } });
        deduction("acc.again", #{ label: "同类事故再次发生",
            applies: #{ value: #{ previous: "acc" }, below: 0 },
            deduct: #{ count: "c", each: 5 } });
        bonus("keep", #{ label: "保位", max: 2, na: "full",
            bands: #{ value: #{ previous: "rank" }, steps: [#{ at_most: 2, points: 2 }] } });
        consequence("连续扣分", #{ when: #{ value: #{ previous: "total" }, below: 100 } });
    "#;
    let src = prelude_with("max: 100, base: 100") + body;
    let r = kaohe::Rules::compile("t.rhai", &src).unwrap();
    let read = |rows: &str| {
        let csv = format!("编码,名称,类别,甲,乙,丙,丁,比率,标志\n{rows}");
        kaohe::data::read_csv(&r.set, csv.as_bytes()).units
    };
    // Last period: 甲 had an accident, 乙 none, 丙 three (rank 3).
    let before = r
        .assess(
            &read("1,甲,,0,0,1,0,,\n2,乙,,0,0,0,0,,\n3,丙,,0,0,3,0,,\n"),
            None,
        )
        .unwrap();
    let prev = kaohe::Previous::from_json(&kaohe::output::json(&before)).unwrap();
    // This period: each has one accident; 丁 is new.
    let now = r
        .assess(
            &read("1,甲,,0,0,1,0,,\n2,乙,,0,0,1,0,,\n3,丙,,0,0,1,0,,\n4,丁,,0,0,1,0,,\n"),
            Some(&prev),
        )
        .unwrap();
    // 甲 again: −5 twice; 乙 first time: −5 once. 甲 was 2nd → +2; 乙 1st → +2; 丙 3rd → 0.
    assert_eq!(points(&now, "1", "acc.again"), "-5");
    assert_eq!(points(&now, "2", "acc.again"), "0");
    assert_eq!(points(&now, "3", "acc.again"), "-5");
    assert_eq!(points(&now, "2", "keep"), "2");
    assert_eq!(points(&now, "3", "keep"), "0");
    let again = &unit(&now, "1").items[1];
    assert_eq!(again.reasons[0].detail, "丙 = 1，每项扣 5 分，扣 5 分");
    let not_again = &unit(&now, "2").items[1];
    assert_eq!(not_again.reasons[0].detail, "不适用，不扣分");
    assert_eq!(
        not_again.reasons[0].data[0].label.as_ref(),
        "上期“较大事故”得分"
    );
    assert_eq!(not_again.reasons[0].data[0].value, "0");
    // 丁 was not in the last period: the condition does not hold, the bonus counts as full
    // marks (na: "full"), and the reasons say why.
    assert_eq!(points(&now, "4", "acc.again"), "0");
    assert_eq!(points(&now, "4", "keep"), "2");
    let keep = &unit(&now, "4").items[2];
    assert_eq!(keep.reasons[0].data[0].value, "（上期无此单位）");
    // The consequence by the previous total: 甲 and 丙 lost points then.
    let hit = |id: &str| {
        unit(&now, id)
            .consequences
            .iter()
            .any(|c| c.name == "连续扣分")
    };
    assert_eq!(
        (hit("1"), hit("2"), hit("3"), hit("4")),
        (true, false, true, false)
    );
    // Without a previous result, nothing reads as last period's.
    let alone = r.assess(&read("1,甲,,0,0,1,0,,\n"), None).unwrap();
    assert_eq!(
        unit(&alone, "1").items[2].reasons[0].data[0].value,
        "（未提供上期结果）"
    );
    // An item id that is not declared: R0102 with the id meant.
    let bad = PRELUDE.to_string()
        + r#"indicator("acc", #{ label: "a", max: 5, deduct: #{ count: "c", each: 1 } });
        indicator("b", #{ label: "b", max: 5, target: #{ value: #{ previous: "acx" }, at_least: 5 } });"#;
    let e = errors_of("bad.rhai", &bad);
    assert_eq!(e[0].code, "R0102");
    assert!(e[0].render(kaohe::messages::Lang::Zh).contains("`acc`"));
    // A rule set reading the previous period does not stream.
    assert!(r.streamable().is_err());
}

#[test]
fn closures_read_the_units_metrics_and_the_parameters() {
    let body = r#"
        param("target", #{ label: "市定目标", value: 90 });
        metric("rate", #{ label: "达标率", value: #{ num: "a", den: "b", scale: 100 }, decimals: 1 });
        indicator("i", #{ label: "自定义", max: 5, score: |u| {
            if u.metrics.rate == () { [0, "无数据"] }
            else if u.metrics.rate >= u.params.target { [5, `达标率 ${u.metrics.rate}% 不低于市定目标 ${u.params.target}%`] }
            else { [2, "未达市定目标"] }
        } });
    "#;
    let rep = assess(
        body,
        "1,甲,,19,20,0,0,,\n2,乙,,17,20,0,0,,\n3,丙,,,0,0,0,,\n",
    );
    assert_eq!(points(&rep, "1", "i"), "5");
    assert_eq!(points(&rep, "2", "i"), "2");
    assert_eq!(
        unit(&rep, "1").items[0].reasons[0].detail,
        "达标率 95% 不低于市定目标 90%"
    );
    // A misspelt id is caught when the rule set compiles, with the one meant.
    let codes = |b: &str| -> Vec<String> {
        errors_of("bad.rhai", &format!("{PRELUDE}{b}"))
            .iter()
            .map(|e| format!("{} {}", e.code, e.render(kaohe::messages::Lang::Zh)))
            .collect()
    };
    let e = codes(
        r#"param("target", #{ label: "市定目标", value: 90 });
        indicator("i", #{ label: "i", max: 5, score: |u| if u.params.targte > 1 { 5 } else { 0 } });"#,
    );
    assert!(
        e[0].starts_with("R0102") && e[0].contains("`target`"),
        "{e:?}"
    );
}

#[test]
fn a_parent_units_points_from_its_sub_units_counts() {
    // 所辖乡镇在市专项督查中月度排名末两位的，每个每次扣0.5分: townships carry the county's id in
    // `kind` and how often they were in the last two; a county's deduction adds them up.
    let body = r#"
        deduction("towns", #{ label: "所辖乡镇排名末两位", only: |u| u.code.starts_with("C"),
            deduct: #{ count: #{ sum: "c", over: "kind" }, each: 0.5 } });
    "#;
    let src = prelude_with("max: 100, base: 100") + body;
    let r = kaohe::Rules::compile("t.rhai", &src).unwrap();
    let csv = "编码,名称,类别,甲,乙,丙,丁,比率,标志\n\
        C1,甲县,,0,0,0,0,,\nC2,乙县,,0,0,0,0,,\n\
        T1,一镇,C1,0,0,2,0,,\nT2,二镇,C1,0,0,3,0,,\nT3,三镇,C2,0,0,0,0,,\n";
    let ds = kaohe::data::read_csv(&r.set, csv.as_bytes());
    let rep = r.assess(&ds.units, None).unwrap();
    assert_eq!(points(&rep, "C1", "towns"), "-2.5");
    assert_eq!(points(&rep, "C2", "towns"), "0");
    assert_eq!(
        unit(&rep, "C1").items[0].reasons[0].detail,
        "关联单位丙合计 = 5，每项扣 0.5 分，扣 2.5 分"
    );
}
