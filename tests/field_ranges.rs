//! What a field allows (取值范围与写法): counts from 0 and percentages within 0–100 by default,
//! `min`/`max` where declared, `one_of` on numbers, and a yes/no field's own words — every
//! violation a data error naming the unit, row and column, in every format the data comes in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;
use kaohe::Rules;
use kaohe::{read_csv, read_json};

const HEAD: &str = r#"
ruleset(#{ id: "t", title: "测试", decimals: 2 });
field("code", #{ label: "编码", type: "text" });
field("name", #{ label: "名称", type: "text" });
"#;

fn rules_with(fields: &str) -> Rules {
    let src = format!(
        "{HEAD}{fields}\nunit(#{{ id: \"code\", name: \"name\" }});\n\
         indicator(\"x\", #{{ label: \"x\", max: 5, score: |u| 5 }});"
    );
    match Rules::compile("t.rhai", &src) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

/// (row, column letter, code) of every error.
fn errors(r: &Rules, csv: &str) -> Vec<(usize, String, &'static str)> {
    read_csv(r, csv.as_bytes())
        .errors
        .iter()
        .map(|e| (e.row(), e.column_letter().unwrap_or_default(), e.code()))
        .collect()
}

#[test]
fn a_negative_count_and_a_percentage_over_100_are_data_errors_by_default() {
    let r = rules_with(
        r#"field("lost", #{ label: "失控人数", type: "int" });
        field("rate", #{ label: "知晓率", type: "percent" });
        field("score", #{ label: "得分", type: "number" });"#,
    );
    let csv = "编码,名称,失控人数,知晓率,得分\n1,甲,-3,96%,-5\n2,乙,0,120%,1\n3,丙,2,100%,0\n4,丁,１,０%,2\n";
    assert_eq!(
        errors(&r, csv),
        [(2, "C".to_string(), "D0206"), (3, "D".to_string(), "D0206")]
    );
    let ds = read_csv(&r, csv.as_bytes());
    let e = &ds.errors[0];
    assert_eq!(e.unit_name(), Some("甲"));
    let zh = e.render(kaohe::Lang::Zh);
    assert!(zh.contains("填的是 -3，应不小于 0"), "{zh}");
    assert!(
        zh.contains("`min`"),
        "the hint says how a rule author allows it: {zh}"
    );
    let en = ds.errors[1].render(kaohe::Lang::En);
    assert!(
        en.contains("found 120%, which must lie between 0 and 100"),
        "{en}"
    );
    // Rows 3 and 4 (full-width digits on the general path) are read.
    assert_eq!(ds.units.len(), 2);
}

#[test]
fn a_declared_range_replaces_the_default_and_says_it_is_the_rule_sets() {
    let r = rules_with(
        r#"field("change", #{ label: "名次变化", type: "int", min: -20, max: 20 });
        field("growth", #{ label: "增长率", type: "percent", max: 300 });
        field("score", #{ label: "得分", type: "number", min: 0, max: 10 });"#,
    );
    let csv =
        "编码,名称,名次变化,增长率,得分\n1,甲,-5,250%,10\n2,乙,21,301%,10.01\n3,丙,-21,-1%,-0.5\n";
    let codes: Vec<String> = errors(&r, csv)
        .into_iter()
        .map(|(row, col, code)| format!("{row}{col}:{code}"))
        .collect();
    assert_eq!(
        codes,
        ["3C:D0206", "3D:D0206", "3E:D0206", "4C:D0206", "4D:D0206", "4E:D0206"]
    );
    let ds = read_csv(&r, csv.as_bytes());
    let zh = ds.errors[0].render(kaohe::Lang::Zh);
    assert!(zh.contains("应在 -20 到 20 之间"), "{zh}");
    assert!(zh.contains("规则规定了这一列的取值范围"), "{zh}");
}

#[test]
fn min_unit_lifts_the_default_and_json_is_checked_alike() {
    let r = rules_with(r#"field("delta", #{ label: "增减", type: "int", min: () });"#);
    assert!(errors(&r, "编码,名称,增减\n1,甲,-7\n").is_empty());
    let strict = rules_with(r#"field("n", #{ label: "人数", type: "int" });"#);
    let ds = read_json(
        &strict,
        r#"[{"编码": "1", "名称": "甲", "人数": -1}, {"编码": "2", "名称": "乙", "人数": 4}]"#
            .as_bytes(),
    );
    let codes: Vec<&str> = ds.errors.iter().map(|e| e.code()).collect();
    assert_eq!(codes, ["D0206"]);
    assert_eq!(ds.units.len(), 1);
}

#[test]
fn a_range_is_checked_when_the_rule_set_compiles() {
    let bad = |fields: &str| -> Vec<&'static str> {
        let src = format!(
            "{HEAD}{fields}\nunit(#{{ id: \"code\" }});\nindicator(\"x\", #{{ label: \"x\", max: 5, score: |u| 5 }});"
        );
        errors_of("bad.rhai", &src)
            .iter()
            .map(|e| e.code())
            .collect()
    };
    assert_eq!(
        bad(r#"field("a", #{ type: "int", min: 5, max: 1 });"#),
        ["R0313"]
    );
    assert_eq!(bad(r#"field("a", #{ type: "text", min: 0 });"#), ["R0313"]);
    assert_eq!(
        bad(r#"field("a", #{ type: "int", max: "十" });"#),
        ["R0313"]
    );
    // A blank that counts as −1 in a count from 0.
    assert_eq!(
        bad(r#"field("a", #{ type: "int", if_blank: -1 });"#),
        ["R0313"]
    );
}

#[test]
fn one_of_on_numbers_compares_values_not_spellings() {
    let r =
        rules_with(r#"field("level", #{ label: "等级", type: "number", one_of: [1, 2, 2.5] });"#);
    let csv = "编码,名称,等级\n1,甲,2.50\n2,乙,3\n3,丙,1\n";
    assert_eq!(errors(&r, csv), [(3, "C".to_string(), "D0202")]);
    let ds = read_csv(&r, csv.as_bytes());
    let zh = ds.errors[0].render(kaohe::Lang::Zh);
    assert!(zh.contains("“1”“2”“2.5”之一"), "{zh}");
}

#[test]
fn a_yes_no_field_with_its_own_words_takes_only_those() {
    let r = rules_with(
        r#"field("built", #{ label: "建立情况", type: "bool", yes: ["已建立"], no: ["未建立", "正在建立"] });"#,
    );
    let csv = "编码,名称,建立情况\n1,甲,已建立\n2,乙,是\n3,丙,正在建立\n4,丁, 未建立 \n";
    assert_eq!(errors(&r, csv), [(3, "C".to_string(), "D0202")]);
    let ds = read_csv(&r, csv.as_bytes());
    let zh = ds.errors[0].render(kaohe::Lang::Zh);
    assert!(zh.contains("“已建立”“未建立”“正在建立”之一"), "{zh}");
    let values: Vec<String> = ds.units.iter().map(|u| u.values()[2].display()).collect();
    assert_eq!(values, ["是", "否", "否"]);
    // Without its own words, the usual ones stay accepted.
    let usual = rules_with(r#"field("ok", #{ label: "落实", type: "bool" });"#);
    assert!(errors(&usual, "编码,名称,落实\n1,甲,是\n2,乙,无\n3,丙,√\n").is_empty());
    // Words on a field that is not yes/no, or both ways, are rule errors.
    let src = format!(
        "{HEAD}field(\"a\", #{{ type: \"text\", yes: [\"是\"], no: [\"否\"] }});\n\
         field(\"b\", #{{ type: \"bool\", yes: [\"是\"], no: [\"是\"] }});\n\
         unit(#{{ id: \"code\" }});\nindicator(\"x\", #{{ label: \"x\", max: 5, score: |u| 5 }});"
    );
    let codes: Vec<&str> = errors_of("bad.rhai", &src)
        .iter()
        .map(|e| e.code())
        .collect();
    assert_eq!(codes, ["R0305", "R0305"]);
}

#[test]
fn a_count_in_scientific_notation_is_a_data_error_with_the_number_written_out() {
    let r = rules_with(r#"field("n", #{ label: "人数", type: "int" });"#);
    let ds = read_csv(&r, "编码,名称,人数\n1,甲,1e3\n2,乙,2.0\n".as_bytes());
    let codes: Vec<&str> = ds.errors.iter().map(|e| e.code()).collect();
    assert_eq!(codes, ["D0201"]);
    let zh = ds.errors[0].render(kaohe::Lang::Zh);
    assert!(zh.contains("把“1e3”改为数字 1000"), "{zh}");
    // 2.0 is a whole number written with a point: read as 2.
    assert_eq!(ds.units[0].values()[2].display(), "2");
}
