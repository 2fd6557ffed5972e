//! Reading data: every error kind with its exact message, all errors at once, encodings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;
use kaohe::data::{read_csv, read_json};

fn messages(errors: &[kaohe::DataError]) -> Vec<String> {
    errors.iter().map(|e| e.to_string()).collect()
}

const BODY: &str = r#"indicator("x", #{ label: "x", max: 5, deduct: #{ count: "c", each: 1 } });"#;

#[test]
fn every_bad_cell_is_reported_with_row_column_unit_and_expectation() {
    let r = rules(BODY);
    let csv =
        "编码,名称,甲,丙,比率,标志\n1,甲,abc,三,96.5%,是\n2,乙,1,2,x%,也许\n3,丙,1,2.5,50,否\n";
    let ds = read_csv(&r.set, csv.as_bytes());
    assert_eq!(
        messages(&ds.errors),
        vec![
            "row 2, column C `甲`, unit `1`: expected a number, found `abc`",
            "row 2, column D `丙`, unit `1`: expected a whole number, found `三`",
            "row 3, column E `比率`, unit `2`: expected a percentage such as `96.5%` or `96.5`, found `x%`",
            "row 3, column F `标志`, unit `2`: expected yes or no (`是`/`否`, `true`/`false`, `1`/`0`), found `也许`",
            "row 4, column D `丙`, unit `3`: expected a whole number, found `2.5`\n  help: this field counts whole things; round the value or declare the field as type \"number\"",
        ]
    );
    // No bad number silently became 0: only the good rows are kept, and there are none.
    assert!(ds.units.is_empty());
}

#[test]
fn good_rows_are_kept_beside_the_errors() {
    let r = rules(BODY);
    let ds = read_csv(&r.set, "编码,名称,丙\n1,甲,x\n2,乙,3\n".as_bytes());
    assert_eq!(ds.errors.len(), 1);
    assert_eq!(ds.units.len(), 1);
    assert_eq!(ds.units[0].row, 3);
}

#[test]
fn a_missing_required_column_names_the_header_to_add() {
    let r = kaohe::Rules::compile(
        "m.rhai",
        r#"ruleset(#{ id: "m", title: "m" });
field("code", #{ label: "单位编码", type: "text" });
field("lost", #{ label: "失控人员数", aliases: ["失控人数"], type: "int" });
field("users", #{ label: "登记吸毒人员数", type: "int" });
unit(#{ id: "code" });
indicator("x", #{ label: "x", max: 5, deduct: #{ count: "lost", each: 1 } });"#,
    )
    .unwrap();
    let ds = read_csv(&r.set, "单位编码,失控人员,其他\n1,2,3\n".as_bytes());
    assert_eq!(
        messages(&ds.errors),
        vec![
            "row 1, column `失控人员数`: missing required column `失控人员数` (field `lost`)\n  help: did you mean `失控人员`? rename that column to `失控人员数`",
            "row 1, column `登记吸毒人员数`: missing required column `登记吸毒人员数` (field `users`)\n  help: add a column headed `登记吸毒人员数` or `users`",
        ]
    );
}

#[test]
fn duplicate_unit_ids_and_blank_ids_are_errors() {
    let r = rules(BODY);
    let ds = read_csv(&r.set, "编码,名称,丙\n1,甲,0\n1,乙,0\n,丙,0\n".as_bytes());
    assert_eq!(
        messages(&ds.errors),
        vec![
            "row 3, unit `1`: unit id `1` appears twice (first in row 2)\n  help: each unit must appear once: remove or merge one of the rows",
            "row 4, column A `编码`: the unit id is blank\n  help: fill in the cell, or give the field an `if_blank` value in the rule set",
        ]
    );
    assert_eq!(ds.units.len(), 1);
}

#[test]
fn a_blank_required_cell_is_an_error_and_a_blank_optional_one_takes_its_default() {
    let r = rules(BODY);
    let ds = read_csv(&r.set, "编码,名称,丙\n1,,\n".as_bytes());
    assert_eq!(
        messages(&ds.errors),
        vec!["row 2, column B `名称`, unit `1`: the cell is blank but `名称` is required\n  help: fill in the cell, or give the field an `if_blank` value in the rule set"]
    );
    let ds = read_csv(&r.set, "编码,名称,丙\n1,甲,\n".as_bytes());
    assert!(ds.errors.is_empty());
    assert_eq!(ds.units[0].values[5], kaohe::model::Value::Int(0));
}

#[test]
fn empty_files_and_header_only_files_are_clear_errors() {
    let r = rules(BODY);
    assert_eq!(
        messages(&read_csv(&r.set, b"").errors),
        vec!["the data file is empty"]
    );
    assert_eq!(
        messages(&read_csv(&r.set, "\u{feff}\n  \n".as_bytes()).errors),
        vec!["the data file is empty"]
    );
    assert_eq!(
        messages(&read_csv(&r.set, "编码,名称\n,\n".as_bytes()).errors),
        vec![
            "the data has a header row but no units\n  help: add one row per unit below the header"
        ]
    );
    assert_eq!(
        messages(&read_json(&r.set, b"[]").errors),
        vec!["the data holds no units"]
    );
}

#[test]
fn gbk_csv_from_excel_is_detected_without_being_told() {
    let r = rules(BODY);
    let text = "编码,名称,丙\r\n1,城关镇,2\r\n2,青山乡,0\r\n";
    let (gbk, _, had_errors) = encoding_rs::GBK.encode(text);
    assert!(!had_errors);
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the bytes really are GBK, not UTF-8"
    );
    let ds = read_csv(&r.set, &gbk);
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    assert_eq!(ds.encoding, "GB18030");
    assert_eq!(
        ds.units[0].values[1],
        kaohe::model::Value::Text("城关镇".into())
    );
    let utf8 = read_csv(&r.set, text.as_bytes());
    assert_eq!(utf8.units, ds.units);
}

#[test]
fn utf8_with_bom_utf16_and_tab_separated_text_read_the_same() {
    let r = rules(BODY);
    let plain = read_csv(&r.set, "编码,名称,丙\n1,城关镇,2\n".as_bytes());
    let bom = read_csv(&r.set, "\u{feff}编码,名称,丙\n1,城关镇,2\n".as_bytes());
    assert_eq!(bom.units, plain.units);
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "编码\t名称\t丙\r\n1\t城关镇\t2\r\n".encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let ds = read_csv(&r.set, &utf16);
    assert_eq!(ds.encoding, "UTF-16LE");
    assert_eq!(ds.units, plain.units);
}

#[test]
fn full_width_digits_thousands_separators_and_percent_signs_are_read() {
    let r = rules(BODY);
    let ds = read_csv(
        &r.set,
        "编码,名称,甲,丙,比率\n1,甲,\"1,234.5\",１２,９６．５％\n".as_bytes(),
    );
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    let v = &ds.units[0].values;
    assert_eq!(v[3], kaohe::model::Value::Number("1234.5".parse().unwrap()));
    assert_eq!(v[5], kaohe::model::Value::Int(12));
    assert_eq!(v[7], kaohe::model::Value::Number("96.5".parse().unwrap()));
}

#[test]
fn json_units_by_field_name_or_header_with_errors_per_unit() {
    let r = rules(BODY);
    let json = r#"[{"code": "1", "name": "甲", "丙": 2, "比率": "96.5%"},
                   {"编码": 2, "名称": "乙", "c": "x"},
                   {"code": "3"}]"#;
    let ds = read_json(&r.set, json.as_bytes());
    assert_eq!(
        messages(&ds.errors),
        vec![
            "row 2, column `c`, unit `2`: expected a whole number, found `x`",
            "row 3, column `名称`: missing required key `名称` (field `name`)\n  help: add a key headed `名称` or `name`",
        ]
    );
    assert_eq!(ds.units.len(), 1);
    let ds = read_json(&r.set, br#"{"units": [{"code": "1", "name": "a"}]}"#);
    assert!(ds.errors.is_empty());
    let ds = read_json(&r.set, b"[{\"code\": ");
    assert_eq!(
        messages(&ds.errors),
        vec!["not valid JSON at line 1 column 10: EOF while parsing a value at line 1 column 10"]
    );
}

#[test]
fn exact_decimals_survive_json_numbers() {
    let r = rules(r#"indicator("x", #{ label: "x", max: 100, score: |u| u.a });"#);
    let ds = read_json(&r.set, br#"[{"code": "1", "name": "a", "a": 89.95}]"#);
    let rep = r.assess(&ds.units, None).unwrap();
    assert_eq!(rep.units[0].total.unwrap().to_string(), "89.95");
}
