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
    let src = PRELUDE.replace(
        r#"ruleset(#{ id: "t", title: "测试", decimals: 2 });"#,
        r#"ruleset(#{ id: "t", title: "测试", decimals: 2, max: 100, base: 93 });"#,
    ) + body;
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
