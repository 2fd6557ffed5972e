//! One-vote vetoes (一票否决) and what the rule set says they do.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;

fn body(policy: &str) -> String {
    format!(
        r#"
indicator("x", #{{ label: "x", max: 100, score: |u| u.a }});
veto("lab", #{{ label: "制毒窝点被异地查处", when: #{{ field: "c", above: 0 }}, reason: "制毒窝点被异地公安机关查处" }});
veto("plant", #{{ label: "禁种铲毒工作失职", when: |u| u.d >= 500, reason: "发现成片非法种植" }});
{policy}
grades([ #{{ name: "先进", at_least: 90 }}, #{{ name: "合格", at_least: 60, below: 90 }}, #{{ name: "不合格", below: 60 }} ]);
consequence("组织处理建议", #{{ when: #{{ veto: "lab" }}, reason: "建议对主要负责人组织处理" }});
consequence("不参与评优", #{{ when: #{{ vetoed: true }}, reason: "一票否决" }});
"#
    )
}

const ROWS: &str = "1,甲,,95,0,1,0,,\n2,乙,,80,0,0,0,,\n3,丙,,70,0,0,0,,\n4,丁,,99,0,0,600,,\n";

#[test]
fn veto_forces_the_lowest_grade_and_ranks_last_with_points_shown() {
    let rep = assess(
        &body(
            r#"veto_policy(#{ grade: "不合格", awards: false, rank: "last", show_points: true });"#,
        ),
        ROWS,
    );
    let u = unit(&rep, "1");
    assert!(u.vetoed);
    assert!(!u.awards_eligible);
    assert_eq!(u.grade.as_deref(), Some("不合格"));
    assert_eq!(u.total_display.as_deref(), Some("95.00"));
    assert_eq!(u.vetoes[0].id, "lab");
    assert_eq!(u.vetoes[0].reason, "制毒窝点被异地公安机关查处");
    assert_eq!(u.vetoes[0].data[0].value, "1");
    // Non-vetoed units first: 乙 1, 丙 2; then vetoed by points: 丁 (99) 3, 甲 (95) 4.
    let order: Vec<(&str, Option<u32>)> =
        rep.units.iter().map(|u| (u.id.as_str(), u.rank)).collect();
    assert_eq!(
        order,
        vec![
            ("2", Some(1)),
            ("3", Some(2)),
            ("4", Some(3)),
            ("1", Some(4))
        ]
    );
    let names: Vec<&str> = u.consequences.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["组织处理建议", "不参与评优"]);
    let names: Vec<&str> = unit(&rep, "4")
        .consequences
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, vec!["不参与评优"]);
    assert_eq!(rep.cohorts[0].vetoed, 2);
}

#[test]
fn veto_can_keep_a_unit_out_of_the_ranking_and_hide_its_points() {
    let rep = assess(
        &body(r#"veto_policy(#{ grade: "不合格", rank: "excluded", show_points: false });"#),
        ROWS,
    );
    let u = unit(&rep, "1");
    assert_eq!(u.rank, None);
    assert_eq!(u.total, None);
    assert_eq!(u.total_display, None);
    assert_eq!(unit(&rep, "2").rank, Some(1));
    assert_eq!(rep.cohorts[0].ranked, 2);
    // Hidden points do not enter the statistics.
    assert_eq!(rep.cohorts[0].max.unwrap().to_string(), "80");
}

#[test]
fn veto_with_normal_ranking_keeps_the_earned_grade_when_no_grade_is_forced() {
    let rep = assess(
        &body(r#"veto_policy(#{ grade: "earned", rank: "normal", awards: false });"#),
        ROWS,
    );
    assert_eq!(unit(&rep, "4").rank, Some(1));
    assert_eq!(unit(&rep, "4").grade.as_deref(), Some("先进"));
    assert!(!unit(&rep, "4").awards_eligible);
    assert_eq!(unit(&rep, "1").rank, Some(2));
}

#[test]
fn without_a_policy_a_vetoed_unit_gets_the_lowest_grade_and_ranks_last() {
    let rep = assess(&body(""), ROWS);
    assert_eq!(unit(&rep, "4").grade.as_deref(), Some("不合格"));
    assert_eq!(unit(&rep, "4").rank, Some(3));
    assert!(!unit(&rep, "4").awards_eligible);
}

#[test]
fn a_veto_on_any_of_several_conditions_names_the_data_it_read() {
    let rep = assess(
        r#"indicator("x", #{ label: "基础", max: 100, deduct: #{ count: "c", each: 1 } });
veto("grass", #{ label: "失控", when: #{ any: [#{ field: "a", at_least: 1 }, #{ field: "c", at_least: 3000 }] }, reason: "失控" });"#,
        "1,甲,,1,0,0,0,,\n2,乙,,0.9,0,2999,0,,\n3,丙,,0,0,3000,0,,\n",
    );
    assert!(unit(&rep, "1").vetoed);
    assert!(!unit(&rep, "2").vetoed);
    assert!(unit(&rep, "3").vetoed);
    let fields: Vec<&str> = unit(&rep, "1").vetoes[0]
        .data
        .iter()
        .map(|d| &*d.field)
        .collect();
    assert_eq!(fields, ["a", "c"]);
}

#[test]
fn all_needs_every_condition() {
    let rep = assess(
        r#"indicator("x", #{ label: "基础", max: 100, deduct: #{ count: "c", each: 1 } });
veto("both", #{ label: "双超", when: #{ all: [#{ field: "c", above: 0 }, #{ field: "d", above: 0 }] } });"#,
        "1,甲,,0,0,1,1,,\n2,乙,,0,0,1,0,,\n",
    );
    assert!(unit(&rep, "1").vetoed);
    assert!(!unit(&rep, "2").vetoed);
}
