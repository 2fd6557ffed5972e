//! Values across units and groups: a station reads its sub-district's survey index, a brigade
//! sums its stations, items assessed for one kind of unit only, allowed values, roll-ups.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
use kaohe::Rules;

const RULES: &str = r#"
ruleset(#{ id: "l", title: "关联", max: 100 });
field("code", #{ label: "编码", type: "text" });
field("kind", #{ label: "类别", type: "text", one_of: ["派出所", "办事处"] });
field("district", #{ label: "对应办事处", type: "text", required: false });
field("brigade", #{ label: "捆绑大队", type: "text", required: false });
field("s1", #{ label: "安全", type: "int", if_blank: 0 });
field("s2", #{ label: "比较安全", type: "int", if_blank: 0 });
field("s3", #{ label: "不安全", type: "int", if_blank: 0 });
field("strikes", #{ label: "打击人数", type: "int", if_blank: 0 });
field("county", #{ label: "县", type: "text", if_blank: "甲县" });
unit(#{ id: "code", cohort: "kind" });
metric("safety", #{ label: "安全感", value: #{ survey: ["s1", "s2", "s3"], share: ["s1", "s2"] }, decimals: 4, rank: true });
metric("station_safety", #{ label: "派出所安全感", value: #{ lookup: "safety", via: "district" }, decimals: 4 });
indicator("own", #{ label: "办事处安全感", max: 50, only: #{ field: "kind", equals: "办事处" },
    linear: #{ value: "safety", full_at: 95, zero_at: 75 } });
indicator("bound", #{ label: "派出所安全感（取对应办事处）", max: 50, only: #{ field: "kind", equals: "派出所" },
    linear: #{ value: "station_safety", full_at: 95, zero_at: 75 } });
indicator("strike", #{ label: "打击", max: 50, target: #{ value: #{ sum: "strikes", over: "brigade" }, at_least: 10, otherwise: "proportional" } });
cohort_indicator("top", #{ label: "安全感第一", max: 0, value: "safety", top: 1, only: #{ field: "kind", equals: "办事处" } });
rollup("county", #{ label: "县平均分", by: "county", method: "mean" });
"#;

const DATA: &str = "编码,类别,对应办事处,捆绑大队,安全,比较安全,不安全,打击人数\n\
B1,办事处,,,90,5,5,0\n\
B2,办事处,,,70,10,20,0\n\
P1,派出所,B1,D1,0,0,0,4\n\
P2,派出所,B2,D1,0,0,0,3\n\
D1,派出所,,,0,0,0,0\n";

fn report() -> kaohe::Report {
    let rules = Rules::compile("l.rhai", RULES).unwrap();
    let ds = kaohe::read_csv(&rules, DATA.as_bytes());
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    rules.assess(&ds.units, None).unwrap()
}

fn unit<'a>(r: &'a kaohe::Report, id: &str) -> &'a kaohe::result::UnitResult {
    r.units.iter().find(|u| u.id == id).unwrap()
}

#[test]
fn a_station_reads_its_sub_districts_survey_index() {
    let r = report();
    // B1: (90 + 5) / 100 = 95 % → full 50; P1 takes B1's index.
    assert_eq!(
        unit(&r, "B1").metrics[0].display.as_deref(),
        Some("95.0000")
    );
    assert_eq!(
        unit(&r, "P1").metrics[1].display.as_deref(),
        Some("95.0000")
    );
    assert_eq!(
        unit(&r, "P2").metrics[1].display.as_deref(),
        Some("80.0000")
    );
    let bound = unit(&r, "P2")
        .items
        .iter()
        .find(|i| i.id == "bound")
        .unwrap();
    assert_eq!(bound.points.to_string(), "12.5");
    assert_eq!(&*bound.reasons()[0].data[0].label, "派出所安全感");
    assert_eq!(bound.reasons()[0].data[0].value, "80.0000");
}

#[test]
fn items_with_only_are_left_out_of_other_units() {
    let r = report();
    let ids = |u: &str| {
        unit(&r, u)
            .items
            .iter()
            .map(|i| i.id.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids("B1"), vec!["own", "strike", "top"]);
    assert_eq!(ids("P1"), vec!["bound", "strike"]);
}

#[test]
fn a_brigade_sums_the_strikes_of_the_stations_bound_to_it() {
    let r = report();
    let strike = unit(&r, "D1")
        .items
        .iter()
        .find(|i| i.id == "strike")
        .unwrap();
    // 4 + 3 = 7 of a target of 10 → 35 of 50.
    assert_eq!(strike.points.to_string(), "35");
    assert!(
        strike.reasons()[0]
            .detail
            .starts_with("关联单位打击人数合计 = 7"),
        "{}",
        strike.reasons()[0].detail
    );
    // Stations bound to nobody have no base to sum: blank, no points.
    assert_eq!(
        unit(&r, "P1")
            .items
            .iter()
            .find(|i| i.id == "strike")
            .unwrap()
            .points
            .to_string(),
        "0"
    );
}

#[test]
fn a_text_field_holds_only_its_allowed_values() {
    let rules = Rules::compile("l.rhai", RULES).unwrap();
    let ds = kaohe::read_csv(&rules, "编码,类别\nX,派处所\n".as_bytes());
    assert_eq!(
        ds.errors[0].to_string(),
        "row 2, column B `类别`, unit `X`: expected one of `派出所`, `办事处`, found `派处所`\n  help: did you mean `派出所`?"
    );
}

#[test]
fn a_lookup_of_an_unknown_name_says_what_it_may_name() {
    let src = RULES.replace("#{ lookup: \"safety\", via", "#{ lookup: \"safty\", via");
    let err = Rules::compile("l.rhai", &src).unwrap_err();
    assert_eq!(
        err.0[0].render(kaohe::Lang::En),
        "error[R0102]: l.rhai:14:64: metric `station_safety`: `lookup` names `safty`, which is neither a field nor a metric declared earlier\n  help: did you mean `safety`?"
    );
}

#[test]
fn roll_ups_give_a_figure_per_group() {
    let r = report();
    assert_eq!(r.rollups.len(), 1);
    assert_eq!(
        (r.rollups[0].group.as_str(), r.rollups[0].units),
        ("甲县", 5)
    );
}

#[test]
fn a_short_value_far_from_every_allowed_one_gets_no_guess() {
    let rules = Rules::compile("l.rhai", RULES).unwrap();
    let ds = kaohe::read_csv(&rules, "编码,类别\nX,局\n".as_bytes());
    // No guess: only the general hint.
    let hint = |lang| ds.errors[0].hint(lang).unwrap();
    assert_eq!(
        hint(kaohe::Lang::En),
        "write one of the allowed values exactly as listed"
    );
    assert_eq!(hint(kaohe::Lang::Zh), "从允许的取值中选一个，照原样填写");
}
