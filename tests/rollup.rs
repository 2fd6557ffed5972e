//! Sub-units' places rolled up to their parent (下级单位排名计入上级): "所辖乡镇在市专项督查中
//! 排名末两位的，每个扣0.5分" — counties and townships in one file, each level its own cohort,
//! the townships ranked first, every township named in its county's reasons.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;

/// Counties (县) and townships (乡镇) in one rule set: a township's score is `a`; a county's
/// own score is `b`, less 0.5 for each of its townships among the two worst places.
const RULES: &str = r#"
ruleset(#{ id: "t", title: "测试", decimals: 2 });
field("code", #{ label: "编码", type: "text" });
field("name", #{ label: "名称", type: "text" });
field("level", #{ label: "层级", type: "text", one_of: ["县", "乡镇"] });
field("county", #{ label: "所属县", type: "text", required: false });
field("a", #{ label: "得分", type: "number", if_blank: 0 });
unit(#{ id: "code", name: "name", cohort: "level" });
indicator("own", #{ label: "工作得分", max: 100, score: |u| u.a });
cohort_indicator("towns", #{ label: "所辖乡镇排名", max: 0,
    only: #{ field: "level", equals: "县" },
    rollup: #{ over: "county", bottom_ranks: 2, each: -0.5, cap: 1 },
    text: "所辖乡镇在全市乡镇排名末两位的，每个扣0.5分，最多扣1分" });
"#;

fn run(rows: &str) -> kaohe::Report {
    let r = kaohe::Rules::compile("t.rhai", RULES).unwrap();
    let csv = format!("编码,名称,层级,所属县,得分\n{rows}");
    let ds = kaohe::read_csv(&r, csv.as_bytes());
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    r.assess(&ds.units, None).unwrap()
}

#[test]
fn a_countys_points_from_its_townships_places_tied_at_the_bottom() {
    // The counties come first in the file: they are still placed after the townships.
    let rep = run("C1,东县,县,,95\nC2,西县,县,,94\nC3,南县,县,,93\n\
        T1,甲镇,乡镇,C1,90\nT2,乙镇,乡镇,C2,80\nT3,丙镇,乡镇,C2,70\nT4,丁镇,乡镇,C2,70\nT5,戊镇,乡镇,C1,95\n");
    // Townships: T5 95 (1), T1 90 (2), T2 80 (3), T3/T4 70 (4, 4): worst rank numbers 4 and 3.
    assert_eq!(points(&rep, "C1", "towns"), "0");
    // 西县: T2 (3rd), T3 and T4 (4th): three in the two worst places → 1.5, capped at 1.
    assert_eq!(points(&rep, "C2", "towns"), "-1");
    assert_eq!(total(&rep, "C2"), "93");
    // 南县 has no townships.
    assert_eq!(points(&rep, "C3", "towns"), "0");
    let why = &unit(&rep, "C2").items.get(1).unwrap().reasons()[0];
    assert_eq!(
        why.detail,
        "所辖单位 3 个：乙镇 第 3 名（共 5 个单位，末 2 位）、丙镇 第 4 名（共 5 个单位，末 2 位）、\
         丁镇 第 4 名（共 5 个单位，末 2 位）；3 个排名末 2 位，每个扣 0.5 分，扣 1 分（合计 1.5，按上限计）"
    );
    assert_eq!(why.data.len(), 3);
    assert_eq!(why.data[0].label.as_ref(), "乙镇");
    assert_eq!(
        unit(&rep, "C3").items.get(1).unwrap().reasons()[0].detail,
        "没有所辖单位，不加不扣"
    );
    // The counties' ranks count the roll-up: 东县 95, 南县 93, 西县 94 − 1 = 93 (tied).
    assert_eq!(unit(&rep, "C1").rank, Some(1));
    assert_eq!(unit(&rep, "C2").rank, Some(2));
    assert_eq!(unit(&rep, "C3").rank, Some(2));
    // Townships are not given the county item (`only`).
    assert!(unit(&rep, "T1").items.iter().all(|i| i.id != "towns"));
}

#[test]
fn top_places_add_points_up_to_max_and_a_bad_rollup_is_a_rule_error() {
    let rules = RULES.replace("max: 0,", "max: 2,").replace(
        "bottom_ranks: 2, each: -0.5, cap: 1",
        "top_ranks: 1, each: 1",
    );
    let r = kaohe::Rules::compile("t.rhai", &rules).unwrap();
    let csv = "编码,名称,层级,所属县,得分\nC1,东县,县,,90\nT1,甲镇,乡镇,C1,90\nT2,乙镇,乡镇,C1,90\nT3,丙镇,乡镇,,50\n";
    let rep = r
        .assess(&kaohe::read_csv(&r, csv.as_bytes()).units, None)
        .unwrap();
    // 甲镇 and 乙镇 tie for 1st: two sub-units in the top place → +2.
    assert_eq!(points(&rep, "C1", "towns"), "2");
    assert_eq!(total(&rep, "C1"), "92");
    for bad in [
        "rollup: #{ over: \"county\", each: -0.5 }",
        "rollup: #{ over: \"county\", bottom_ranks: 0, each: -0.5 }",
        "rollup: #{ over: \"county\", bottom_ranks: 2, top_ranks: 1, each: -0.5 }",
        "rollup: #{ over: \"county\", bottom_ranks: 2 }",
        "rollup: #{ over: \"county\", top_ranks: 2, each: 5 }",
    ] {
        let src = RULES.replace(
            "rollup: #{ over: \"county\", bottom_ranks: 2, each: -0.5, cap: 1 }",
            bad,
        );
        let e = errors_of("t.rhai", &src);
        assert_eq!(
            e.iter().map(|e| e.code()).collect::<Vec<_>>(),
            ["R0408"],
            "{bad}"
        );
    }
    let e = errors_of(
        "t.rhai",
        &RULES.replace("over: \"county\"", "over: \"countty\""),
    );
    assert_eq!(e[0].code(), "R0102");
    assert!(e[0].render(kaohe::Lang::Zh).contains("county"));
    let e = errors_of("t.rhai", &RULES.replace("cap: 1 }", "cap: 1, eahc: 2 }"));
    assert_eq!(e[0].code(), "R0101");
    assert!(e[0].render(kaohe::Lang::Zh).contains("each"));
}

#[test]
fn a_share_of_the_sub_units_mean_total_and_the_same_cohort_not_counted() {
    // 所辖乡镇平均得分的10%计入县得分（最多10分）.
    let rules = RULES.replace("max: 0,", "max: 10,").replace(
        "bottom_ranks: 2, each: -0.5, cap: 1",
        "total: \"mean\", scale: 0.1",
    );
    let r = kaohe::Rules::compile("t.rhai", &rules).unwrap();
    // T3 names C1 but is a county itself (层级 县): same cohort, named and not counted.
    let csv = "编码,名称,层级,所属县,得分\nC1,东县,县,,50\nT1,甲镇,乡镇,C1,85\nT2,乙镇,乡镇,C1,90.5\nT3,北县,县,C1,70\n";
    let rep = r
        .assess(&kaohe::read_csv(&r, csv.as_bytes()).units, None)
        .unwrap();
    // (85 + 90.5) / 2 = 87.75 → × 0.1 = 8.775 → 8.78 (2 decimals, half up).
    assert_eq!(points(&rep, "C1", "towns"), "8.78");
    assert_eq!(total(&rep, "C1"), "58.78");
    assert_eq!(
        unit(&rep, "C1").items.get(1).unwrap().reasons()[0].detail,
        "所辖单位 3 个：甲镇 总分 85、乙镇 总分 90.5、北县 与本单位同组，不计；总分平均 87.75 × 0.1 = 8.78，加 8.78 分"
    );
    // The sum, capped at max.
    let sum = rules.replace("total: \"mean\", scale: 0.1", "total: \"sum\", scale: 0.1");
    let r = kaohe::Rules::compile("t.rhai", &sum).unwrap();
    let rep = r
        .assess(&kaohe::read_csv(&r, csv.as_bytes()).units, None)
        .unwrap();
    assert_eq!(points(&rep, "C1", "towns"), "10");
    assert!(unit(&rep, "C1").items.get(1).unwrap().reasons()[0]
        .detail
        .contains("总分合计 175.5 × 0.1 = 17.55，超过上限按 10 分计，加 10 分"));
    // `total` with places, or a scale of 0: R0408.
    for bad in [
        "total: \"mean\", each: 1",
        "total: \"mean\", scale: 0",
        "total: \"median\"",
    ] {
        let e = errors_of("t.rhai", &rules.replace("total: \"mean\", scale: 0.1", bad));
        assert_eq!(
            e.iter().map(|e| e.code()).collect::<Vec<_>>(),
            ["R0408"],
            "{bad}"
        );
    }
}
