//! Every scoring shape of an indicator, with its points and its reasons.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;

#[test]
fn deduct_per_occurrence_is_capped_at_the_items_points() {
    let rep = assess(
        r#"indicator("lost", #{ label: "失控", max: 5, deduct: #{ count: "c", each: 0.5 }, text: "每失控1人扣0.5分" });"#,
        "1,甲,,0,0,3,0,,\n2,乙,,0,0,12,0,,\n3,丙,,0,0,0,0,,\n",
    );
    assert_eq!(points(&rep, "1", "lost"), "3.5");
    assert_eq!(points(&rep, "2", "lost"), "0");
    assert_eq!(points(&rep, "3", "lost"), "5");
    let item = &unit(&rep, "1").items.get(0).unwrap();
    assert_eq!(item.text, "每失控1人扣0.5分");
    assert_eq!(item.reasons()[0].detail, "丙 = 3，每项扣 0.5 分，扣 1.5 分");
    assert_eq!(item.reasons()[0].points.to_string(), "-1.5");
    assert_eq!(&*item.reasons()[0].data[0].field, "c");
    let capped = &unit(&rep, "2").items.get(0).unwrap();
    assert!(
        capped
            .reasons()
            .iter()
            .any(|r| r.detail.contains("扣完为止")),
        "{:?}",
        capped.reasons()
    );
}

#[test]
fn deduct_with_a_step_and_several_counts() {
    let rep = assess(
        r#"indicator("plants", #{ label: "铲毒", max: 10, deduct: [#{ count: "c", each: 1, step: 200 }, #{ count: "d", each: 3 }] });"#,
        "1,甲,,0,0,399,0,,\n2,乙,,0,0,400,1,,\n",
    );
    assert_eq!(points(&rep, "1", "plants"), "9");
    assert_eq!(points(&rep, "2", "plants"), "5");
    assert_eq!(
        unit(&rep, "2").items.get(0).unwrap().reasons()[0].detail,
        "丙 = 400，每 200 扣 1 分，扣 2 分"
    );
}

#[test]
fn a_decimal_count_deducts_exactly_and_the_reason_says_the_same_numbers() {
    let rep = assess(
        r#"indicator("hours", #{ label: "培训学时", max: 5, deduct: #{ count: "a", each: 0.25 } });
        bonus("extra", #{ label: "加分", max: 3, count: #{ count: "b", each: 0.5 } });"#,
        "1,甲,,7.5,2.5,0,0,,\n",
    );
    assert_eq!(points(&rep, "1", "hours"), "3.125");
    assert_eq!(
        unit(&rep, "1").items.get(0).unwrap().reasons()[0].detail,
        "甲 = 7.5，每项扣 0.25 分，扣 1.875 分"
    );
    assert_eq!(points(&rep, "1", "extra"), "1.25");
}

#[test]
fn target_met_gives_full_marks_else_zero_or_proportional() {
    let rep = assess(
        r#"
        indicator("solve", #{ label: "查结率", max: 4, target: #{ value: #{ num: "c", den: "d", scale: 100 }, at_least: 100 } });
        indicator("close", #{ label: "处结率", max: 6, target: #{ value: "r", at_least: 90, otherwise: "proportional" } });
        "#,
        "1,甲,,0,0,10,10,90,\n2,乙,,0,0,9,10,60,\n",
    );
    assert_eq!(points(&rep, "1", "solve"), "4");
    assert_eq!(points(&rep, "2", "solve"), "0");
    assert_eq!(points(&rep, "1", "close"), "6");
    assert_eq!(points(&rep, "2", "close"), "4");
    let r = &unit(&rep, "2").items.get(1).unwrap().reasons()[0].detail;
    assert_eq!(r, "比率 = 60，未达到目标（≥ 90），按比例得 4 分");
    let r = &unit(&rep, "2").items.get(0).unwrap().reasons()[0].detail;
    assert_eq!(r, "丙/丁 = 9/10 → 90，未达到目标（≥ 100），不得分");
}

#[test]
fn ratio_targets_share_of_minors_and_social_workers_per_users() {
    // 未成年涉毒人员占比 ≤ 0.2 %; 专职社工 1 : 30 (workers / users × 30 ≥ 1).
    let rep = assess(
        r#"
        indicator("minor", #{ label: "未成年占比", max: 3, target: #{ value: #{ num: "c", den: "d", scale: 100 }, at_most: 0.2 } });
        indicator("sw", #{ label: "社工配比", max: 2, target: #{ value: #{ num: "a", den: "d", scale: 30 }, at_least: 1 } });
        "#,
        "1,甲,,2,0,1,500,,\n2,乙,,1,0,2,500,,\n3,丙,,0,0,0,0,,\n",
    );
    assert_eq!(points(&rep, "1", "minor"), "3"); // 0.2 %
    assert_eq!(points(&rep, "2", "minor"), "0"); // 0.4 %
    assert_eq!(points(&rep, "1", "sw"), "0"); // 2 workers for 500 users: 0.12 < 1
                                              // No users at all: the ratio has no base and counts as met.
    assert_eq!(points(&rep, "3", "sw"), "2");
    assert!(unit(&rep, "3").items.get(1).unwrap().reasons()[0]
        .detail
        .contains("分母为 0"));
}

#[test]
fn linear_between_two_thresholds_in_either_direction() {
    let rep = assess(
        r#"
        indicator("up", #{ label: "执行率", max: 10, linear: #{ value: "a", full_at: 90, zero_at: 50 } });
        indicator("down", #{ label: "发案率", max: 5, linear: #{ value: "b", full_at: 1, zero_at: 3 } });
        "#,
        "1,甲,,70,2,0,0,,\n2,乙,,95,0.5,0,0,,\n3,丙,,40,3.5,0,0,,\n",
    );
    assert_eq!(points(&rep, "1", "up"), "5");
    assert_eq!(points(&rep, "1", "down"), "2.5");
    assert_eq!(points(&rep, "2", "up"), "10");
    assert_eq!(points(&rep, "2", "down"), "5");
    assert_eq!(points(&rep, "3", "up"), "0");
    assert_eq!(points(&rep, "3", "down"), "0");
}

#[test]
fn banded_lookup_takes_the_first_band_reached() {
    let rep = assess(
        r#"indicator("aware", #{ label: "知晓率", max: 5, bands: #{ value: "r", steps: [[98, 5], [95, 3]] } });"#,
        "1,甲,,0,0,0,0,98%,\n2,乙,,0,0,0,0,97.99,\n3,丙,,0,0,0,0,95,\n4,丁,,0,0,0,0,94.9,\n",
    );
    assert_eq!(points(&rep, "1", "aware"), "5");
    assert_eq!(points(&rep, "2", "aware"), "3");
    assert_eq!(points(&rep, "3", "aware"), "3");
    assert_eq!(points(&rep, "4", "aware"), "0");
    assert_eq!(
        unit(&rep, "1").items.get(0).unwrap().reasons()[0].detail,
        "比率 = 98，≥ 98档，得 5 分"
    );
}

#[test]
fn band_steps_as_maps_with_explicit_bounds() {
    let rep = assess(
        r#"indicator("x", #{ label: "x", max: 5, bands: #{ value: "a", steps: [#{ below: 1, points: 5 }, #{ at_most: 2, points: 2 }] } });"#,
        "1,甲,,0.5,0,0,0,,\n2,乙,,1,0,0,0,,\n3,丙,,2.01,0,0,0,,\n",
    );
    assert_eq!(points(&rep, "1", "x"), "5");
    assert_eq!(points(&rep, "2", "x"), "2");
    assert_eq!(points(&rep, "3", "x"), "0");
}

#[test]
fn zero_target_loses_the_item_on_any_occurrence() {
    let rep = assess(
        r#"indicator("zero", #{ label: "零新增", max: 6, zero: "c" });"#,
        "1,甲,,0,0,0,0,,\n2,乙,,0,0,1,0,,\n",
    );
    assert_eq!(points(&rep, "1", "zero"), "6");
    assert_eq!(points(&rep, "2", "zero"), "0");
    assert!(unit(&rep, "2").items.get(0).unwrap().reasons()[0]
        .detail
        .contains("未实现零目标"));
}

#[test]
fn not_applicable_counts_as_full_marks() {
    let rep = assess(
        r#"
        indicator("school", #{ label: "校园禁毒", max: 4, applies: #{ field: "flag", equals: true },
            bands: #{ value: "a", steps: [[10, 4]] } });
        indicator("rate", #{ label: "比率", max: 3, na: "full", target: #{ value: "r", at_least: 80 } });
        "#,
        "1,甲,,0,0,0,0,,否\n2,乙,,5,0,0,0,70,是\n",
    );
    let u1 = unit(&rep, "1");
    assert_eq!(points(&rep, "1", "school"), "4");
    assert!(u1.items.get(0).unwrap().not_applicable);
    assert_eq!(
        u1.items.get(0).unwrap().reasons()[0].detail,
        "不适用，按满分计"
    );
    assert_eq!(points(&rep, "1", "rate"), "3");
    assert!(u1.items.get(1).unwrap().not_applicable);
    assert_eq!(points(&rep, "2", "school"), "0");
    assert_eq!(points(&rep, "2", "rate"), "0");
    assert!(!unit(&rep, "2").items.get(0).unwrap().not_applicable);
}

#[test]
fn a_blank_value_without_na_scores_nothing() {
    let rep = assess(
        r#"indicator("rate", #{ label: "比率", max: 3, target: #{ value: "r", at_least: 80 } });"#,
        "1,甲,,0,0,0,0,,\n",
    );
    assert_eq!(points(&rep, "1", "rate"), "0");
    assert_eq!(
        unit(&rep, "1").items.get(0).unwrap().reasons()[0].detail,
        "无数据，不得分"
    );
}

#[test]
fn a_decimal_written_into_a_closures_reason_reads_as_a_person_writes_it() {
    // 甲 = 8.00 read from the cell; × 0.25 carries four decimals.
    let rep = assess(
        r#"indicator("c", #{ label: "自定义", max: 5, score: |u| {
            let d = u.a * 0.25;
            [5 - d, `扣${d}分，知晓率扣${1.000}分，` + "参与度扣" + (2.500 + 0) + "分"]
        } });"#,
        "1,甲,,8.00,0,0,0,,\n",
    );
    assert_eq!(points(&rep, "1", "c"), "3");
    assert_eq!(
        unit(&rep, "1").items.get(0).unwrap().reasons()[0].detail,
        "扣2分，知晓率扣1分，参与度扣2.5分"
    );
}

#[test]
fn custom_closure_returns_points_and_a_reason() {
    let rep = assess(
        r#"
        let per_case = 0.5;
        indicator("c", #{ label: "自定义", max: 5, score: |u| {
            if u.c == 0 { [5, "无案件，满分"] } else { [5 - u.c * per_case, `发生 ${u.c} 起，每起扣 0.5 分`] }
        } });
        indicator("m", #{ label: "映射", max: 2, score: |u| #{ points: if u.flag { 2 } else { 1.5 }, reason: "按标志" } });
        indicator("n", #{ label: "数值", max: 1, score: |u| 0.25 });
        "#,
        "1,甲,,0,0,0,0,,\n2,乙,,0,0,3,0,,是\n",
    );
    assert_eq!(points(&rep, "1", "c"), "5");
    assert_eq!(points(&rep, "2", "c"), "3.5");
    assert_eq!(
        unit(&rep, "2").items.get(0).unwrap().reasons()[0].detail,
        "发生 3 起，每起扣 0.5 分"
    );
    assert_eq!(points(&rep, "1", "m"), "1.5");
    assert_eq!(points(&rep, "2", "m"), "2");
    assert_eq!(points(&rep, "1", "n"), "0.25");
    assert_eq!(
        unit(&rep, "1").items.get(2).unwrap().reasons()[0].detail,
        "按自定义规则计 0.25 分"
    );
}

#[test]
fn a_closure_outside_the_items_range_is_a_rule_error() {
    let r = rules(r#"indicator("c", #{ label: "自定义", max: 5, score: |u| 7 });"#);
    let ds = kaohe::read_csv(&r, "编码,名称\n1,甲\n".as_bytes());
    let err = r.assess(&ds.units, None).unwrap_err();
    assert_eq!(
        err.0[0].to_string(),
        "t.rhai:13:1: rule `c` failed for unit `1`: the score closure gave 7 points, outside 0 to 5"
    );
}

#[test]
fn a_value_closure_feeds_any_shape() {
    let rep = assess(
        r#"indicator("v", #{ label: "合计", max: 5, bands: #{ value: |u| u.a + u.b, steps: [[10, 5], [5, 2]] } });"#,
        "1,甲,,4,6,0,0,,\n2,乙,,2,3,0,0,,\n",
    );
    assert_eq!(points(&rep, "1", "v"), "5");
    assert_eq!(points(&rep, "2", "v"), "2");
}

#[test]
fn round_in_closures_is_half_up_like_the_engine() {
    let rep = assess(
        r#"indicator("r", #{ label: "x", max: 5, score: |u| (u.a / 8).round(2) });
           indicator("r0", #{ label: "y", max: 5, score: |u| round(u.b) });"#,
        "1,甲,,1,2.5,0,0,,\n",
    );
    assert_eq!(points(&rep, "1", "r"), "0.13"); // 0.125 → 0.13, not banker's 0.12
    assert_eq!(points(&rep, "1", "r0"), "3"); // 2.5 → 3, not 2
}

#[test]
fn yes_gives_full_marks_only_for_yes() {
    let rep = assess(
        r#"indicator("budget", #{ label: "经费", max: 2, yes: "flag" });"#,
        "1,甲,,0,0,0,0,,是\n2,乙,,0,0,0,0,,否\n3,丙,,0,0,0,0,,\n",
    );
    assert_eq!(points(&rep, "1", "budget"), "2");
    assert_eq!(points(&rep, "2", "budget"), "0");
    assert_eq!(points(&rep, "3", "budget"), "0");
    assert_eq!(
        unit(&rep, "1").items.get(0).unwrap().reasons()[0].detail,
        "标志 = 是，得满分"
    );
    assert_eq!(
        unit(&rep, "2").items.get(0).unwrap().reasons()[0].detail,
        "标志 = 否，不得分"
    );
}

#[test]
fn yes_on_a_field_that_is_not_yes_or_no_is_a_rule_error() {
    let src = format!("{PRELUDE}indicator(\"x\", #{{ label: \"经费\", max: 2, yes: \"c\" }});");
    let e = kaohe::Rules::compile("t.rhai", &src)
        .unwrap_err()
        .to_string();
    assert!(e.contains("`yes` needs a yes/no field"), "{e}");
    assert!(e.contains("t.rhai:"), "{e}");
}

#[test]
fn count_over_several_fields_adds_up_then_caps() {
    let rep = assess(
        r#"bonus("media", #{ label: "新媒体", max: 0.8, count: [#{ field: "c", each: 0.1 }, #{ field: "d", each: 0.2 }] });"#,
        "1,甲,,0,0,2,1,,\n2,乙,,0,0,5,3,,\n",
    );
    assert_eq!(points(&rep, "1", "media"), "0.4");
    assert_eq!(points(&rep, "2", "media"), "0.8");
    assert_eq!(
        unit(&rep, "2").items.get(0).unwrap().reasons()[0].detail,
        "丙 = 5、丁 = 3，计 1.1 分，超过上限按 0.8 分计"
    );
}

#[test]
fn a_proportional_ratio_target_rounds_an_exact_midpoint_up() {
    // 15/32 = 46.875 %; 6 × 46.875 / 90 = 3.125 exactly → 3.13 (half-up), not 3.12 from
    // dividing twice.
    let rep = assess(
        r#"indicator("exec", #{ label: "执行率", max: 6, target: #{ value: #{ num: "c", den: "d", scale: 100 }, at_least: 90, otherwise: "proportional" } });"#,
        "1,甲,,0,0,15,32,,\n2,乙,,0,0,29,32,,\n",
    );
    assert_eq!(points(&rep, "1", "exec"), "3.13");
    assert_eq!(points(&rep, "2", "exec"), "6");
    assert_eq!(
        unit(&rep, "1").items.get(0).unwrap().reasons()[0].detail,
        "丙/丁 = 15/32 → 46.875，未达到目标（≥ 90），按比例得 3.13 分"
    );
}

#[test]
fn linear_on_a_ratio_is_one_division_too() {
    // (15/32 × 100 − 40) / (100 − 40) × 8 = 0.91666… → 0.92.
    let rep = assess(
        r#"indicator("cover", #{ label: "覆盖率", max: 8, linear: #{ value: #{ num: "c", den: "d", scale: 100 }, full_at: 100, zero_at: 40 } });"#,
        "1,甲,,0,0,15,32,,\n",
    );
    assert_eq!(points(&rep, "1", "cover"), "0.92");
}

#[test]
fn map_gives_each_written_value_its_points() {
    let rep = assess(
        r#"indicator("mech", #{ label: "机制建立", max: 5,
            map: #{ value: "kind", points: #{ "已建立": 5, "正在建立": 2.5, "未建立": 0 } },
            text: "已建立的计5分，正在建立的计2.5分，未建立的不得分" });"#,
        "1,甲,已建立,0,0,0,0,,\n2,乙,正在建立,0,0,0,0,,\n3,丙,未建立,0,0,0,0,,\n4,丁,建设中,0,0,0,0,,\n",
    );
    assert_eq!(points(&rep, "1", "mech"), "5");
    assert_eq!(points(&rep, "2", "mech"), "2.5");
    assert_eq!(points(&rep, "3", "mech"), "0");
    assert_eq!(
        unit(&rep, "2").items.get(0).unwrap().reasons()[0].detail,
        "类别 = 正在建立，计 2.5 分"
    );
    // A value the table does not list scores nothing, and the reason names the table.
    assert_eq!(points(&rep, "4", "mech"), "0");
    assert_eq!(
        unit(&rep, "4").items.get(0).unwrap().reasons()[0].detail,
        "类别 = 建设中，不在计分表（已建立 5 分、正在建立 2.5 分、未建立 0 分）中，不得分"
    );
}

#[test]
fn map_is_checked_against_the_fields_allowed_values_and_the_items_max() {
    let src = PRELUDE.replace(
        r#"field("kind", #{ label: "类别", type: "text", if_blank: "乡镇" });"#,
        r#"field("kind", #{ label: "类别", type: "text", one_of: ["已建立", "正在建立", "未建立"], required: false });"#,
    );
    let codes = |body: &str| -> Vec<&'static str> {
        errors_of("bad.rhai", &format!("{src}{body}"))
            .iter()
            .map(|e| e.code())
            .collect()
    };
    // 未建立 has no points; 已建成 is not an allowed value (did you mean 已建立?).
    assert_eq!(
        codes(
            r#"indicator("m", #{ label: "m", max: 5, map: #{ value: "kind", points: #{ "已建立": 5, "正在建立": 2.5, "已建成": 0 } } });"#
        ),
        ["R0402", "R0402"]
    );
    // Points above the item's max; a number field; no table.
    assert_eq!(
        codes(
            r#"indicator("m", #{ label: "m", max: 2, map: #{ value: "kind", points: #{ "已建立": 5, "正在建立": 2, "未建立": 0 } } });"#
        ),
        ["R0403"]
    );
    assert_eq!(
        codes(
            r#"indicator("m", #{ label: "m", max: 5, map: #{ value: "a", points: #{ "1": 5 } } });"#
        ),
        ["R0402"]
    );
    assert_eq!(
        codes(r#"indicator("m", #{ label: "m", max: 5, map: #{ value: "kind" } });"#),
        ["R0402"]
    );
    // A blank value with `na: "full"` is full marks: the option has its effect.
    let r = kaohe::Rules::compile(
        "t.rhai",
        &format!(r#"{src}indicator("m", #{{ label: "m", max: 5, na: "full", map: #{{ value: "kind", points: #{{ "已建立": 5, "正在建立": 2.5, "未建立": 0 }} }} }});"#),
    )
    .unwrap();
    let csv = "编码,名称,类别,甲,乙,丙,丁,比率,标志\n1,甲,,0,0,0,0,,\n";
    let ds = kaohe::read_csv(&r, csv.as_bytes());
    let rep = r.assess(&ds.units, None).unwrap();
    assert_eq!(points(&rep, "1", "m"), "5");
}

#[test]
fn linear_through_breakpoints_has_several_slopes_exactly() {
    // 安全感 96% 以上 5 分；低于 96% 每降 1 个百分点扣 0.25（至 90% 为 3.5 分）；低于 90% 每降 1 个百分点扣 0.5（83% 为 0）。
    let rep = assess(
        r#"indicator("safety", #{ label: "安全感", max: 5,
            linear: #{ value: "a", points: [[96, 5], [90, 3.5], [83, 0]] } });"#,
        "1,甲,,96,0,0,0,,\n2,乙,,95.5,0,0,0,,\n3,丙,,93,0,0,0,,\n4,丁,,88,0,0,0,,\n5,戊,,80,0,0,0,,\n6,己,,100,0,0,0,,\n7,庚,,95.99,0,0,0,,\n",
    );
    let got: Vec<String> = (1..=7)
        .map(|k| points(&rep, &k.to_string(), "safety"))
        .collect();
    // 95.5 → 4.875 rounds half-up to 4.88; 95.99 → 4.9975 → 5.00 (no step lost to rounding twice).
    assert_eq!(got, ["5", "4.88", "4.25", "2.5", "0", "5", "5"]);
    assert_eq!(
        unit(&rep, "4").items.get(0).unwrap().reasons()[0].detail,
        "甲 = 88，在 83（0 分）与 90（3.5 分）之间按线性得 2.5 分"
    );
    assert_eq!(
        unit(&rep, "6").items.get(0).unwrap().reasons()[0].detail,
        "甲 = 100，96 及以上为 5 分"
    );
}

#[test]
fn linear_points_are_checked() {
    let codes = |body: &str| -> Vec<&'static str> {
        errors_of("bad.rhai", &format!("{PRELUDE}{body}"))
            .iter()
            .map(|e| e.code())
            .collect()
    };
    assert_eq!(
        codes(
            r#"indicator("i", #{ label: "i", max: 5, linear: #{ value: "a", points: [[96, 5]] } });"#
        ),
        ["R0402"]
    );
    assert_eq!(
        codes(
            r#"indicator("i", #{ label: "i", max: 5, linear: #{ value: "a", points: [[96, 5], [96, 3]] } });"#
        ),
        ["R0402"]
    );
    assert_eq!(
        codes(
            r#"indicator("i", #{ label: "i", max: 5, linear: #{ value: "a", points: [[96, 6], [90, 3]] } });"#
        ),
        ["R0403"]
    );
    assert_eq!(
        codes(
            r#"indicator("i", #{ label: "i", max: 5, linear: #{ value: "a", full_at: 96, zero_at: 80, points: [[96, 5], [90, 3]] } });"#
        ),
        ["R0402"]
    );
}

#[test]
fn a_decision_table_scores_by_two_values_at_once_under_each_hit_policy() {
    // 安全感 ≥ 95 且发案 ≤ 2 → 10；安全感 ≥ 90 → 6；其余 0.
    let table = |hit: &str| {
        format!(
            r#"indicator("t", #{{ label: "综合评定", max: 10, table: #{{ inputs: ["r", "c"], hit: "{hit}", rows: [
                [#{{ at_least: 95 }}, #{{ at_most: 2 }}, 10],
                [#{{ at_least: 90 }}, "-", 6],
                ["-", "-", 0] ] }} }});"#
        )
    };
    let rows = "1,甲,,0,0,1,0,96%,\n2,乙,,0,0,5,0,96%,\n3,丙,,0,0,0,0,80%,\n4,丁,,0,0,0,0,,\n";
    let first = assess(&table("first"), rows);
    let got: Vec<String> = (1..=4)
        .map(|k| points(&first, &k.to_string(), "t"))
        .collect();
    assert_eq!(got, ["10", "6", "0", "0"]);
    assert_eq!(
        unit(&first, "2").items.get(0).unwrap().reasons()[0].detail,
        "比率 = 96、丙 = 5，命中决策表第 2 行，计 6 分"
    );
    // A blank 比率 meets only the open row.
    assert!(unit(&first, "4").items.get(0).unwrap().reasons()[0]
        .detail
        .contains("命中决策表第 3 行"));
    // collect: every row that holds, added up and capped at max.
    let collect = assess(&table("collect"), rows);
    assert_eq!(points(&collect, "1", "t"), "10");
    assert!(unit(&collect, "1").items.get(0).unwrap().reasons()[0]
        .detail
        .contains("命中决策表第 1、2、3 行，合计 16 分，超过上限按 10 分计"));
    // unique: these rows overlap (96 % and 1 case hit rows 1, 2 and 3): a rule error naming them.
    let e = errors_of("bad.rhai", &format!("{PRELUDE}{}", table("unique")));
    assert_eq!(e[0].code(), "R0402");
    let zh = e[0].render(kaohe::Lang::Zh);
    assert!(
        zh.contains("行都命中") && zh.contains("hit: \"first\""),
        "{zh}"
    );
    // unique without a row for low values: a gap.
    let gap = r#"indicator("t", #{ label: "t", max: 10, table: #{ inputs: ["r"], hit: "unique", rows: [
        [#{ at_least: 95 }, 10], [#{ at_least: 90, below: 95 }, 6] ] } });"#;
    let e = errors_of("bad.rhai", &format!("{PRELUDE}{gap}"));
    let zh = e[0].render(kaohe::Lang::Zh);
    assert!(zh.contains("没有任何一行命中"), "{zh}");
    // A proper unique table compiles and scores.
    let ok = r#"indicator("t", #{ label: "t", max: 10, table: #{ inputs: ["r", "c"], hit: "unique", rows: [
        [#{ at_least: 95 }, #{ at_most: 2 }, 10], [#{ at_least: 95 }, #{ above: 2 }, 8],
        [#{ below: 95 }, "-", 3] ] } });"#;
    let rep = assess(ok, "1,甲,,0,0,3,0,97%,\n2,乙,,0,0,0,0,50%,\n");
    assert_eq!(points(&rep, "1", "t"), "8");
    assert_eq!(points(&rep, "2", "t"), "3");
    // A row with the wrong number of cells; points above max.
    let bad = r#"indicator("t", #{ label: "t", max: 5, table: #{ inputs: ["r", "c"], rows: [[#{ at_least: 95 }, 10]] } });"#;
    assert_eq!(
        errors_of("bad.rhai", &format!("{PRELUDE}{bad}"))[0].code(),
        "R0402"
    );
    let over = r#"indicator("t", #{ label: "t", max: 5, table: #{ inputs: ["r"], rows: [[#{ at_least: 95 }, 10]] } });"#;
    assert_eq!(
        errors_of("bad.rhai", &format!("{PRELUDE}{over}"))[0].code(),
        "R0403"
    );
}

#[test]
fn a_large_unique_decision_table_is_checked_for_overlaps_and_says_gaps_were_not_searched() {
    // 60 rows over three inputs: too many combinations of limits to search for gaps …
    let rows: Vec<String> = (0..60)
        .map(|i| {
            format!(
                "[#{{ at_least: {i}, below: {} }}, #{{ at_least: {i} }}, #{{ below: {} }}, 1]",
                i + 1,
                i * 2
            )
        })
        .collect();
    let decl = |extra: &str| {
        format!(
            r#"indicator("t", #{{ label: "t", max: 5, table: #{{ inputs: ["a", "b", "c"], hit: "unique", rows: [{}{extra}] }} }});"#,
            rows.join(", ")
        )
    };
    let r = kaohe::Rules::compile("t.rhai", &format!("{PRELUDE}{}", decl(""))).unwrap();
    let warned: Vec<&str> = r.warnings().iter().map(|w| w.code()).collect();
    assert_eq!(warned, ["R0702"]);
    // … but a row overlapping another is found row against row, with values both hold.
    let e = errors_of(
        "bad.rhai",
        &format!(
            "{PRELUDE}{}",
            decl(r#", [#{ at_least: 10.5, below: 11 }, "-", "-", 2]"#)
        ),
    );
    let zh = e[0].render(kaohe::Lang::Zh);
    assert!(zh.contains("第 11 行和第 61 行都命中"), "{zh}");
}
