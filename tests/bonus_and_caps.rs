//! Bonus points capped per item and in total, base + bonus scales, category caps.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;
use kaohe::Rules;

const BODY: &str = r#"
category("基础", 10);
indicator("x", #{ label: "x", category: "基础", max: 8, zero: "c" });
indicator("y", #{ label: "y", category: "基础", max: 6, zero: "d" });
bonus("media", #{ label: "新媒体", max: 0.8, count: #{ field: "a", each: 0.1 }, text: "每篇加0.1分，最高0.8分" });
bonus("item", #{ label: "单项", max: 1, count: #{ field: "b", each: 0.05 } });
"#;

#[test]
fn bonus_is_capped_per_item() {
    let rep = assess(BODY, "1,甲,,3,4,1,1,,\n2,乙,,12,40,1,1,,\n");
    assert_eq!(points(&rep, "1", "media"), "0.3");
    assert_eq!(points(&rep, "1", "item"), "0.2");
    assert_eq!(unit(&rep, "1").bonus.to_string(), "0.5");
    assert_eq!(points(&rep, "2", "media"), "0.8");
    assert_eq!(points(&rep, "2", "item"), "1");
    assert!(unit(&rep, "2").items.get(2).unwrap().reasons()[0]
        .detail
        .contains("超过上限按 0.8 分计"));
}

#[test]
fn bonus_total_is_capped_by_the_rule_set() {
    let full = format!(
        "{}{BODY}",
        PRELUDE.replace("decimals: 2", "bonus_max: 1.2, decimals: 2")
    );
    let r = Rules::compile("t.rhai", &full).unwrap();
    let ds = kaohe::read_csv(
        &r,
        "编码,名称,甲,乙,丙,丁\n1,甲,12,40,0,0\n2,乙,2,2,0,0\n".as_bytes(),
    );
    let rep = r.assess(&ds.units, None).unwrap();
    let u = unit(&rep, "1");
    assert_eq!(u.bonus.to_string(), "1.2");
    assert_eq!(u.adjustments[1].rule, "bonus");
    assert_eq!(u.adjustments[1].points.to_string(), "-0.6");
    assert_eq!(
        u.adjustments[1].detail,
        "加分合计 1.8，超过加分上限 1.2，按 1.2 计"
    );
    // base 10 (category cap) + bonus 1.2
    assert_eq!(u.total.unwrap().to_string(), "11.2");
    assert_eq!(unit(&rep, "2").bonus.to_string(), "0.3");
}

#[test]
fn a_category_caps_the_sum_of_its_items() {
    let rep = assess(BODY, "1,甲,,0,0,0,0,,\n2,乙,,0,0,1,0,,\n");
    let u = unit(&rep, "1");
    assert_eq!(u.base.to_string(), "10");
    assert_eq!(
        u.adjustments[0].detail,
        "基础合计 14，超过本类上限 10，按 10 计"
    );
    let u = unit(&rep, "2");
    assert_eq!(u.base.to_string(), "6");
    assert!(u.adjustments.is_empty());
}

#[test]
fn base_plus_bonus_scale_of_100_plus_30() {
    let src = r#"
ruleset(#{ id: "demo", title: "示范创建", max: 100, bonus_max: 30 });
field("code", #{ label: "编码", type: "text" });
field("base", #{ label: "基础分", type: "number" });
field("extra", #{ label: "创新加分", type: "number", if_blank: 0 });
unit(#{ id: "code" });
indicator("base", #{ label: "基础", max: 100, score: |u| u.base });
bonus("extra", #{ label: "创新", max: 40, score: |u| u.extra });
"#;
    let r = Rules::compile("demo.rhai", src).unwrap();
    let ds = kaohe::read_csv(
        &r,
        "编码,基础分,创新加分\nA,92.5,35\nB,88,12.5\n".as_bytes(),
    );
    let rep = r.assess(&ds.units, None).unwrap();
    assert_eq!(total(&rep, "A"), "122.5");
    assert_eq!(total(&rep, "B"), "100.5");
}

#[test]
fn totals_far_beyond_any_scheme_saturate_instead_of_overflowing() {
    let body = r#"indicator("base", #{ label: "基础", max: 100, deduct: #{ count: "c", each: 1 } });
bonus("x", #{ label: "x", max: 79228162514264337593543950335, score: |u| u.a });
bonus("y", #{ label: "y", max: 79228162514264337593543950335, score: |u| u.b });"#;
    let rep = assess(
        body,
        "1,甲,,79228162514264337593543950335,79228162514264337593543950335,0,0,,\n2,乙,,0.000000000000000000000001,1,0,0,,\n",
    );
    assert_eq!(
        unit(&rep, "1").bonus.to_string(),
        "79228162514264337593543950335"
    );
    assert_eq!(
        unit(&rep, "2").bonus.to_string(),
        "1.000000000000000000000001"
    );
}

#[test]
fn an_items_own_rounding_and_a_categorys_rounding_are_applied_and_explained() {
    // 本项得分保留1位小数（四舍五入）; 本类得分取整（舍去）.
    let rep = assess(
        r#"category("工作", #{ max: 20, round: #{ places: 0, mode: "down" } });
        indicator("a", #{ label: "甲项", category: "工作", max: 10, round: 1, deduct: #{ count: "a", each: 0.25 } });
        indicator("b", #{ label: "乙项", category: "工作", max: 10, deduct: #{ count: "b", each: 0.05 } });
        indicator("c", #{ label: "丙项", max: 5, round: #{ places: 0, mode: "up" }, count: #{ count: "c", each: 0.4 } });"#,
        "1,甲,,3,1,3,0,,\n2,乙,,4,0,0,0,,\n",
    );
    // 10 − 0.75 = 9.25 → 9.3 (half-up); 10 − 0.05 = 9.95; the category 19.25 → 19 (down);
    // 3 × 0.4 = 1.2 → 2 (up).
    assert_eq!(points(&rep, "1", "a"), "9.3");
    assert_eq!(points(&rep, "1", "b"), "9.95");
    assert_eq!(points(&rep, "1", "c"), "2");
    assert_eq!(total(&rep, "1"), "21");
    let a = &unit(&rep, "1").items.get(0).unwrap();
    let reasons = a.reasons();
    let last = reasons.last().unwrap();
    assert_eq!(
        last.detail,
        "本项保留1位小数（四舍五入）：9.25 分按 9.3 分计"
    );
    assert_eq!(last.points.to_string(), "0.05");
    let adj = &unit(&rep, "1").adjustments;
    assert_eq!(adj.len(), 1, "{adj:?}");
    assert_eq!(adj[0].detail, "工作得分 19.25，保留整数（舍去），按 19 计");
    // Nothing to round: no note.
    assert_eq!(points(&rep, "2", "a"), "9");
    assert!(unit(&rep, "2")
        .items
        .get(0)
        .unwrap()
        .reasons()
        .iter()
        .all(|r| !r.detail.contains("保留")));
    // A batch counts the same.
    let r = rules(
        r#"category("工作", #{ max: 20, round: #{ places: 0, mode: "down" } });
        indicator("a", #{ label: "甲项", category: "工作", max: 10, round: 1, deduct: #{ count: "a", each: 0.25 } });
        indicator("b", #{ label: "乙项", category: "工作", max: 10, deduct: #{ count: "b", each: 0.05 } });
        indicator("c", #{ label: "丙项", max: 5, round: #{ places: 0, mode: "up" }, count: #{ count: "c", each: 0.4 } });"#,
    );
    let csv = "编码,名称,类别,甲,乙,丙,丁,比率,标志\n1,甲,,3,1,3,0,,\n";
    let ds = kaohe::read_csv(&r, csv.as_bytes());
    assert_eq!(r.score_batch(&ds.units).unwrap()[0].total.to_string(), "21");
    // Written wrongly: R0314.
    for bad in [
        r#"indicator("a", #{ label: "a", max: 5, round: 11, yes: "flag" });"#,
        r#"indicator("a", #{ label: "a", max: 5, round: #{ places: 1, mode: "banker" }, yes: "flag" });"#,
    ] {
        let codes: Vec<&str> = errors_of("bad.rhai", &format!("{PRELUDE}{bad}"))
            .iter()
            .map(|e| e.code())
            .collect();
        assert_eq!(codes, ["R0314"], "{bad}");
    }
}
