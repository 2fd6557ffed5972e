//! Cohort rules: ranks with an explicit tie policy, groups, rank targets, rank points,
//! points against the average, bottom-N cards and rank change.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;

const SCORE: &str = r#"indicator("x", #{ label: "x", max: 100, score: |u| u.a });"#;
const ROWS: &str = "1,甲,,90,0,0,0,,\n2,乙,,85,0,0,0,,\n3,丙,,85,0,0,0,,\n4,丁,,80,0,0,0,,\n";

fn ranks(rep: &kaohe::Report) -> Vec<(String, Option<u32>)> {
    rep.units.iter().map(|u| (u.id.clone(), u.rank)).collect()
}

#[test]
fn ties_default_to_standard_competition_ranking() {
    let rep = assess(SCORE, ROWS);
    let want: Vec<(String, Option<u32>)> = vec![
        ("1".into(), Some(1)),
        ("2".into(), Some(2)),
        ("3".into(), Some(2)),
        ("4".into(), Some(4)),
    ];
    assert_eq!(ranks(&rep), want);
}

#[test]
fn dense_ranking_is_available() {
    let rep = assess(&format!("{SCORE}\nranking(#{{ ties: \"dense\" }});"), ROWS);
    assert_eq!(unit(&rep, "4").rank, Some(3));
    assert_eq!(unit(&rep, "3").rank, Some(2));
}

#[test]
fn ranking_within_groups() {
    let rep = assess(
        &format!("{SCORE}\nranking(#{{ within: \"kind\" }});"),
        "1,甲,乡镇,90,0,0,0,,\n2,乙,街道,85,0,0,0,,\n3,丙,乡镇,95,0,0,0,,\n4,丁,街道,80,0,0,0,,\n",
    );
    assert_eq!(unit(&rep, "3").rank, Some(1));
    assert_eq!(unit(&rep, "1").rank, Some(2));
    assert_eq!(unit(&rep, "2").rank, Some(1));
    assert_eq!(unit(&rep, "4").rank, Some(2));
    let names: Vec<&str> = rep.cohorts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["乡镇", "街道"]);
    assert_eq!(rep.cohorts[1].mean.unwrap().to_string(), "82.5");
}

#[test]
fn bottom_three_get_yellow_cards_and_the_top_one_is_commended() {
    let body = format!(
        "{SCORE}\nconsequence(\"黄牌\", #{{ when: #{{ bottom: 2 }}, reason: \"排名后两位\" }});\nconsequence(\"表彰\", #{{ when: #{{ top: 1 }}, reason: \"第一名\" }});\nconsequence(\"约谈\", #{{ when: |r| r.total < 82 && r.rank > 1, reason: \"低于82分\" }});"
    );
    let rep = assess(&body, ROWS);
    let names = |id: &str| -> Vec<String> {
        unit(&rep, id)
            .consequences
            .iter()
            .map(|c| c.name.clone())
            .collect()
    };
    assert_eq!(names("1"), vec!["表彰"]);
    assert!(
        names("2").is_empty(),
        "rank 2 of 4 is not in the bottom two"
    );
    assert_eq!(names("4"), vec!["黄牌", "约谈"]);
    assert_eq!(unit(&rep, "4").consequences[0].reason, "排名后两位");
}

#[test]
fn top_n_target_on_a_survey_index() {
    // 安全感进入前 2 名 → 5 points.
    let body = r#"cohort_indicator("top", #{ label: "安全感进入前2名", max: 5, value: "r", top: 2, text: "安全感进入前2名得5分" });"#;
    let rep = assess(
        body,
        "1,甲,,0,0,0,0,96.5,\n2,乙,,0,0,0,0,97.1,\n3,丙,,0,0,0,0,95.0,\n",
    );
    assert_eq!(points(&rep, "2", "top"), "5");
    assert_eq!(points(&rep, "1", "top"), "5");
    assert_eq!(points(&rep, "3", "top"), "0");
    assert_eq!(
        unit(&rep, "3").items.get(0).unwrap().reasons()[0].detail,
        "95，组内第 3 名，未进入前 2 名，不得分"
    );
}

#[test]
fn rank_to_points_by_table_and_in_proportion_to_the_first() {
    let body = r#"
cohort_indicator("table", #{ label: "名次分", max: 60, value: "a", rank_points: [60, 57, 54, 51, 48] });
cohort_indicator("prop", #{ label: "比例分", max: 6, value: "a", proportional_to_best: true });
"#;
    let rep = assess(
        body,
        "1,甲,,40,0,0,0,,\n2,乙,,30,0,0,0,,\n3,丙,,20,0,0,0,,\n",
    );
    assert_eq!(points(&rep, "1", "table"), "60");
    assert_eq!(points(&rep, "2", "table"), "57");
    assert_eq!(points(&rep, "3", "table"), "54");
    assert_eq!(points(&rep, "1", "prop"), "6");
    assert_eq!(points(&rep, "2", "prop"), "4.5");
    assert_eq!(points(&rep, "3", "prop"), "3");
    assert_eq!(total(&rep, "2"), "61.5");
}

#[test]
fn points_relative_to_the_cohort_average() {
    let body = r#"cohort_indicator("avg", #{ label: "与平均比", max: 10, value: "a", vs_average: true });"#;
    let rep = assess(
        body,
        "1,甲,,60,0,0,0,,\n2,乙,,30,0,0,0,,\n3,丙,,30,0,0,0,,\n",
    );
    // average 40: 60 ≥ 40 → full; 30/40 → 7.5
    assert_eq!(points(&rep, "1", "avg"), "10");
    assert_eq!(points(&rep, "2", "avg"), "7.5");
    assert!(unit(&rep, "2").items.get(0).unwrap().reasons()[0]
        .detail
        .contains("组内平均 40"));
}

#[test]
fn lower_is_better_when_ordered_ascending() {
    let body = r#"cohort_indicator("rate", #{ label: "发案率", max: 3, value: "a", order: "asc", rank_points: [3, 2, 1] });"#;
    let rep = assess(
        body,
        "1,甲,,1.5,0,0,0,,\n2,乙,,0.8,0,0,0,,\n3,丙,,2.0,0,0,0,,\n",
    );
    assert_eq!(points(&rep, "2", "rate"), "3");
    assert_eq!(points(&rep, "1", "rate"), "2");
    assert_eq!(points(&rep, "3", "rate"), "1");
}

#[test]
fn rank_change_against_the_previous_period() {
    let r = rules(SCORE);
    let csv = format!("编码,名称,类别,甲,乙,丙,丁,比率,标志\n{ROWS}");
    let ds = kaohe::read_csv(&r, csv.as_bytes());
    let first = r.assess(&ds.units, None).unwrap();
    let prev_json = serde_json::to_string(&first).unwrap();
    let prev = kaohe::Previous::from_json(&prev_json).unwrap();
    let csv2 = "编码,名称,甲\n1,甲,70\n2,乙,85\n3,丙,95\n4,丁,80\n";
    let ds2 = kaohe::read_csv(&r, csv2.as_bytes());
    let second = r.assess(&ds2.units, Some(&prev)).unwrap();
    let u = unit(&second, "3");
    assert_eq!(
        (u.previous_rank, u.rank, u.rank_change),
        (Some(2), Some(1), Some(1))
    );
    let u = unit(&second, "1");
    assert_eq!(
        (u.previous_rank, u.rank, u.rank_change),
        (Some(1), Some(4), Some(-3))
    );
    assert!(second.to_table().contains("↓3"));
}

#[test]
fn a_previous_file_that_is_not_a_result_is_refused() {
    let e = kaohe::Previous::from_json("{\"units\": []}").unwrap_err();
    assert_eq!(e.code(), "D0902");
    assert_eq!(
        e.message(kaohe::Lang::En),
        "not a `kaohe-result` file (no `\"schema\": \"kaohe-result\"`)"
    );
    assert_eq!(
        e.message(kaohe::Lang::Zh),
        "上期结果不是 kaohe 的结果文件（没有 \"schema\": \"kaohe-result\"）"
    );
    let e = kaohe::Previous::from_json("{").unwrap_err();
    assert_eq!(e.code(), "D0901");
    assert!(
        e.message(kaohe::Lang::En).starts_with("not valid JSON: "),
        "{e}"
    );
    let e = kaohe::Previous::from_json("{\"schema\": \"kaohe-result\"}").unwrap_err();
    assert_eq!(
        (e.code(), e.message(kaohe::Lang::En)),
        ("D0903", "the file has no `units` list")
    );
    assert!(e.hint(kaohe::Lang::Zh).is_some());
}

#[test]
fn a_state_survives_the_round_trip_through_a_result_file() {
    let body = format!(
        "{SCORE}\nstate(|u, prev, r| #{{ status: \"挂牌\", n: if prev == () {{ 3 }} else {{ prev.n + 1 }}, rate: if prev == () {{ 0.5 }} else {{ prev.rate + 0.25 }}, kind: if prev == () {{ \"none\" }} else {{ type_of(prev.n) }} }});"
    );
    let r = rules(&body);
    let ds = kaohe::read_csv(&r, "编码,名称,甲\n1,甲,70\n".as_bytes());
    let first = r.assess(&ds.units, None).unwrap();
    let prev = kaohe::Previous::from_json(&serde_json::to_string(&first).unwrap()).unwrap();
    let second = r.assess(&ds.units, Some(&prev)).unwrap();
    let state = second.units[0].state.clone().unwrap();
    assert_eq!(state["n"].to_string(), "4");
    assert_eq!(state["rate"].to_string(), "0.75");
    assert_eq!(state["kind"], "i64");
}

#[test]
fn a_consequence_may_test_the_units_data() {
    let body = format!(
        "{SCORE}\nconsequence(\"重点关注\", #{{ when: #{{ field: \"c\", at_least: 5 }}, reason: \"失控5人以上\" }});"
    );
    let rep = assess(&body, "1,甲,,0,0,5,0,,\n2,乙,,0,0,4,0,,\n3,丙,,0,0,9,0,,\n");
    let hit = |id: &str| !unit(&rep, id).consequences.is_empty();
    assert!(hit("1"));
    assert!(!hit("2"));
    assert!(hit("3"));
    assert_eq!(unit(&rep, "3").consequences[0].reason, "失控5人以上");
}

#[test]
fn ranks_compare_exact_values_across_scales_and_magnitudes() {
    let big = r#"indicator("base", #{ label: "基础", max: 100, deduct: #{ count: "c", each: 1 } });
bonus("x", #{ label: "x", max: 100000000000000000000000000, score: |u| u.a });"#;
    let rep = assess(
        big,
        "1,甲,,85.00,0,0,0,,\n2,乙,,85,0,0,0,,\n3,丙,,85.0001,0,0,0,,\n4,丁,,99999999999999999999999999,0,0,0,,\n5,戊,,0.0000000000000000000001,0,0,0,,\n",
    );
    let want: Vec<(String, Option<u32>)> = vec![
        ("4".into(), Some(1)),
        ("3".into(), Some(2)),
        ("1".into(), Some(3)),
        ("2".into(), Some(3)),
        ("5".into(), Some(5)),
    ];
    assert_eq!(ranks(&rep), want);
}

#[test]
fn bottom_ranks_counts_rank_numbers_and_bottom_counts_places_at_a_tie() {
    // 22 units: totals 100 down to 80 for the first 21, the 22nd tied with the 21st at 80:
    // ranks …, 19, 20, 21, 21.
    let mut rows = String::new();
    for k in 0..22 {
        let total = if k == 21 { 80 } else { 100 - k };
        rows.push_str(&format!("{},单位{},,{total},0,0,0,,\n", k + 1, k + 1));
    }
    let body = format!(
        "{SCORE}\nconsequence(\"后三位\", #{{ when: #{{ bottom: 3 }} }});\n\
         consequence(\"后三名\", #{{ when: #{{ bottom_ranks: 3 }} }});"
    );
    let rep = assess(&body, &rows);
    let cards = |id: &str| -> (Option<u32>, Vec<String>) {
        let u = unit(&rep, id);
        (
            u.rank,
            u.consequences.iter().map(|c| c.name.clone()).collect(),
        )
    };
    assert_eq!(cards("18"), (Some(18), vec![]));
    assert_eq!(cards("19"), (Some(19), vec!["后三名".to_string()]));
    for id in ["20", "21", "22"] {
        assert_eq!(cards(id).1, ["后三位", "后三名"], "unit {id}");
    }
    assert_eq!((cards("21").0, cards("22").0), (Some(21), Some(21)));
    // Every unit tied: fewer rank numbers than 3, so every ranked unit is among them.
    let tied = assess(&body, "1,甲,,70,0,0,0,,\n2,乙,,70,0,0,0,,\n");
    for u in &tied.units {
        assert!(
            u.consequences.iter().any(|c| c.name == "后三名"),
            "{}",
            u.id
        );
    }
}

#[test]
fn points_by_the_change_of_place_since_last_period() {
    // 较上一年度后退5位以上扣1分，后退10位以上扣2分；进步5位以上加0.5分.
    let body = r#"indicator("x", #{ label: "x", max: 99.5, score: |u| u.a });
        cohort_indicator("progress", #{ label: "名次进退", max: 0.5, rank_change: #{ down: [[5, 1], [10, 2]], up: [[5, 0.5]] } });"#;
    let r = rules(body);
    let read = |rows: &str| {
        let csv = format!("编码,名称,类别,甲,乙,丙,丁,比率,标志\n{rows}");
        kaohe::read_csv(&r, csv.as_bytes()).units
    };
    // Last period: 1..12 in order of id (unit k at place k).
    let mut before = String::new();
    for k in 1..=12 {
        before.push_str(&format!("{k},单位{k},,{},0,0,0,,\n", 100 - k));
    }
    let prev = r.assess(&read(&before), None).unwrap();
    let prev = kaohe::Previous::from_json(&prev.to_json()).unwrap();
    // This period: unit 1 falls to 12th (−11 places), unit 2 to 8th (−6), unit 12 rises to
    // 1st (+11), unit 13 is new.
    let now_rows = "1,单位1,,10,0,0,0,,\n2,单位2,,85,0,0,0,,\n3,单位3,,97,0,0,0,,\n4,单位4,,96,0,0,0,,\n\
        5,单位5,,95,0,0,0,,\n6,单位6,,94,0,0,0,,\n7,单位7,,93,0,0,0,,\n8,单位8,,92,0,0,0,,\n\
        9,单位9,,91,0,0,0,,\n10,单位10,,90,0,0,0,,\n11,单位11,,89,0,0,0,,\n12,单位12,,99,0,0,0,,\n13,单位13,,50,0,0,0,,\n";
    let now = r.assess(&read(now_rows), Some(&prev)).unwrap();
    let got = |id: &str| points(&now, id, "progress");
    assert_eq!(got("1"), "-2");
    assert_eq!(got("2"), "-1");
    assert_eq!(got("12"), "0.5");
    assert_eq!(got("3"), "0");
    assert_eq!(got("13"), "0");
    let why = |id: &str| {
        unit(&now, id).items.iter().last().unwrap().reasons()[0]
            .detail
            .clone()
    };
    assert_eq!(
        why("1"),
        "本项计入前第 13 名，上期第 1 名，后退 12 位，后退 10 位以上，扣 2 分"
    );
    assert_eq!(why("13"), "上期无此单位的名次，不计名次进退");
    assert!(
        why("12").contains("进步 11 位，进步 5 位以上，加 0.5 分"),
        "{}",
        why("12")
    );
    // The final place counts the points: 单位12 at 99.5 stays first.
    assert_eq!(unit(&now, "12").rank, Some(1));
    assert_eq!(total(&now, "12"), "99.5");
    // Written wrongly: R0408.
    let bad = format!("{SCORE}\ncohort_indicator(\"p\", #{{ label: \"p\", max: 0.5, rank_change: #{{ down: [[5, 1]], up: [[5, 2]] }} }});");
    let e = errors_of("bad.rhai", &format!("{PRELUDE}{bad}"));
    assert_eq!(e[0].code(), "R0408");
}
