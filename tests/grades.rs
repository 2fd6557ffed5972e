//! Grade bands (等次) with explicit bounds on exact decimals, quotas and prerequisites.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;

const BANDS: &str = r#"
grades([
  #{ name: "先进", at_least: 90 },
  #{ name: "合格", at_least: 80, below: 90 },
  #{ name: "基本合格", at_least: 60, below: 80 },
  #{ name: "不合格", below: 60 },
]);
"#;

#[test]
fn ninety_reached_by_point_one_and_point_zero_five_steps_meets_the_ninety_band() {
    // 80 + 150 × 0.05 + 25 × 0.1 = 80 + 7.5 + 2.5 = 90 exactly; in binary floating point
    // the same sum is 89.99999999999…, one band lower.
    let body = format!(
        r#"
indicator("base", #{{ label: "基础", max: 80, score: |u| 80 }});
bonus("small", #{{ label: "小项", max: 10, count: #{{ field: "c", each: 0.05 }} }});
bonus("tenth", #{{ label: "十分之一", max: 10, count: #{{ field: "d", each: 0.1 }} }});
{BANDS}"#
    );
    let rep = assess(&body, "1,甲,,0,0,150,25,,\n2,乙,,0,0,149,25,,\n");
    assert_eq!(total(&rep, "1"), "90");
    assert_eq!(unit(&rep, "1").grade.as_deref(), Some("先进"));
    assert_eq!(total(&rep, "2"), "89.95");
    assert_eq!(unit(&rep, "2").grade.as_deref(), Some("合格"));
    assert_eq!(unit(&rep, "2").total_display.as_deref(), Some("89.95"));
    let f: f64 = (0..150).map(|_| 0.05).sum::<f64>() + (0..25).map(|_| 0.1).sum::<f64>() + 80.0;
    assert!(
        f < 90.0,
        "the float sum is {f}: exact decimals are what make this test meaningful"
    );
}

#[test]
fn deductions_of_point_one_from_one_hundred_land_exactly_on_a_bound() {
    let body = format!(
        r#"indicator("x", #{{ label: "x", max: 100, deduct: #{{ count: "c", each: 0.1 }} }});{BANDS}"#
    );
    let rep = assess(
        &body,
        "1,甲,,0,0,100,0,,\n2,乙,,0,0,101,0,,\n3,丙,,0,0,400,0,,\n4,丁,,0,0,401,0,,\n",
    );
    assert_eq!(unit(&rep, "1").grade.as_deref(), Some("先进"));
    assert_eq!(unit(&rep, "2").grade.as_deref(), Some("合格"));
    assert_eq!(unit(&rep, "3").grade.as_deref(), Some("基本合格"));
    assert_eq!(unit(&rep, "4").grade.as_deref(), Some("不合格"));
}

#[test]
fn exclusive_and_inclusive_bounds_are_explicit() {
    let body = r#"
indicator("x", #{ label: "x", max: 100, score: |u| u.a });
grades([ #{ name: "一级", above: 95 }, #{ name: "二级", at_least: 85, at_most: 95 }, #{ name: "三级", below: 85 } ]);
"#;
    let rep = assess(
        body,
        "1,甲,,95,0,0,0,,\n2,乙,,95.01,0,0,0,,\n3,丙,,85,0,0,0,,\n4,丁,,84.99,0,0,0,,\n",
    );
    assert_eq!(unit(&rep, "1").grade.as_deref(), Some("二级"));
    assert_eq!(unit(&rep, "2").grade.as_deref(), Some("一级"));
    assert_eq!(unit(&rep, "3").grade.as_deref(), Some("二级"));
    assert_eq!(unit(&rep, "4").grade.as_deref(), Some("三级"));
}

#[test]
fn a_quota_limits_the_top_grade_by_rank() {
    // 优秀 at most 20 % of ten units = 2; the third unit above 90 drops to 良好.
    let body = r#"
indicator("x", #{ label: "x", max: 100, score: |u| u.a });
grades([ #{ name: "优秀", at_least: 90, quota: 0.2 }, #{ name: "良好", at_least: 80 }, #{ name: "一般", below: 80 } ]);
"#;
    let rows = "1,甲,,99,0,0,0,,\n2,乙,,95,0,0,0,,\n3,丙,,93,0,0,0,,\n4,丁,,70,0,0,0,,\n5,戊,,70,0,0,0,,\n6,己,,70,0,0,0,,\n7,庚,,70,0,0,0,,\n8,辛,,70,0,0,0,,\n9,壬,,70,0,0,0,,\n10,癸,,70,0,0,0,,\n";
    let rep = assess(body, rows);
    assert_eq!(unit(&rep, "1").grade.as_deref(), Some("优秀"));
    assert_eq!(unit(&rep, "2").grade.as_deref(), Some("优秀"));
    assert_eq!(unit(&rep, "3").grade.as_deref(), Some("良好"));
    assert_eq!(rep.cohorts[0].grades[0].count, 2);
}

#[test]
fn a_tie_straddling_the_quota_drops_together() {
    let body = r#"
indicator("x", #{ label: "x", max: 100, score: |u| u.a });
grades([ #{ name: "优秀", at_least: 90, quota: 0.2 }, #{ name: "良好", below: 90 } ]);
"#;
    let rows = "1,甲,,99,0,0,0,,\n2,乙,,95,0,0,0,,\n3,丙,,95,0,0,0,,\n4,丁,,70,0,0,0,,\n5,戊,,70,0,0,0,,\n6,己,,70,0,0,0,,\n7,庚,,70,0,0,0,,\n8,辛,,70,0,0,0,,\n9,壬,,70,0,0,0,,\n10,癸,,70,0,0,0,,\n";
    let rep = assess(body, rows);
    assert_eq!(unit(&rep, "1").grade.as_deref(), Some("优秀"));
    assert_eq!(unit(&rep, "2").grade.as_deref(), Some("良好"));
    assert_eq!(unit(&rep, "3").grade.as_deref(), Some("良好"));
}

#[test]
fn a_missing_prerequisite_keeps_a_unit_from_the_top_grade() {
    // Police-station levels: 一级 ≥ 95 and every prerequisite; 二级 [85, 95).
    let body = r#"
indicator("x", #{ label: "x", max: 100, score: |u| u.a });
prerequisite("room", #{ label: "执法办案区规范化", when: #{ field: "flag", equals: true }, grades: ["一级"] });
grades([ #{ name: "一级", at_least: 95 }, #{ name: "二级", at_least: 85, below: 95 }, #{ name: "三级", below: 85 } ]);
"#;
    let rep = assess(body, "1,甲,,97,0,0,0,,是\n2,乙,,97,0,0,0,,否\n");
    assert_eq!(unit(&rep, "1").grade.as_deref(), Some("一级"));
    assert_eq!(unit(&rep, "2").grade.as_deref(), Some("二级"));
    let miss = &unit(&rep, "2").prerequisites_failed[0];
    assert_eq!(
        (miss.id.as_str(), miss.label.as_str()),
        ("room", "执法办案区规范化")
    );
    assert_eq!(miss.grades, vec!["一级".to_string()]);
}

#[test]
fn star_ratings_are_bands_too() {
    let body = r#"
indicator("x", #{ label: "x", max: 100, score: |u| u.a });
grades([ #{ name: "★★★★★", at_least: 95 }, #{ name: "★★★★", at_least: 85 }, #{ name: "★★★", at_least: 70 }, #{ name: "无星", below: 70 } ]);
"#;
    let rep = assess(body, "1,甲,,96,0,0,0,,\n2,乙,,71,0,0,0,,\n");
    assert_eq!(unit(&rep, "1").grade.as_deref(), Some("★★★★★"));
    assert_eq!(unit(&rep, "2").grade.as_deref(), Some("★★★"));
}

#[test]
fn display_rounding_is_half_up_to_the_rule_sets_decimals() {
    let body = r#"indicator("x", #{ label: "x", max: 100, score: |u| u.a });"#;
    let rep = assess(body, "1,甲,,88.125,0,0,0,,\n2,乙,,88.124,0,0,0,,\n");
    assert_eq!(unit(&rep, "1").total_display.as_deref(), Some("88.13"));
    assert_eq!(unit(&rep, "2").total_display.as_deref(), Some("88.12"));
    assert_eq!(total(&rep, "1"), "88.125");
}

#[test]
fn a_unit_moved_down_by_a_quota_or_a_prerequisite_is_told_why() {
    let body = r#"
indicator("x", #{ label: "x", max: 100, score: |u| u.a });
prerequisite("room", #{ label: "执法办案区规范化", when: #{ field: "flag", equals: true }, grades: ["优秀"] });
grades([ #{ name: "优秀", at_least: 90, quota: 0.5 }, #{ name: "良好", below: 90 } ]);
"#;
    let rep = assess(
        body,
        "1,甲,,99,0,0,0,,是\n2,乙,,95,0,0,0,,是\n3,丙,,94,0,0,0,,否\n4,丁,,10,0,0,0,,是\n",
    );
    assert_eq!(unit(&rep, "2").grade.as_deref(), Some("优秀"));
    assert_eq!(
        unit(&rep, "3").adjustments[0].detail,
        "总分达到优秀，但未满足必备条件（执法办案区规范化），评为良好"
    );
    let rep = assess(
        body,
        "1,甲,,99,0,0,0,,是\n2,乙,,95,0,0,0,,是\n3,丙,,94,0,0,0,,是\n4,丁,,10,0,0,0,,是\n",
    );
    assert_eq!(unit(&rep, "3").grade.as_deref(), Some("良好"));
    assert_eq!(
        unit(&rep, "3").adjustments[0].detail,
        "优秀名额不超过 50%（本组 4 个单位，至多 2 个），按名次未进入名额，评为良好"
    );
}
