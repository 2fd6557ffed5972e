//! Reading data: every error kind with its exact message (English, and zh-CN with its code and
//! fix hint), all errors at once, encodings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;
use kaohe::Lang;
use kaohe::{read_csv, read_json};

fn messages(errors: &[kaohe::DataError]) -> Vec<String> {
    errors.iter().map(|e| e.to_string()).collect()
}

const BODY: &str = r#"indicator("x", #{ label: "x", max: 5, deduct: #{ count: "c", each: 1 } });"#;

#[test]
fn every_bad_cell_is_reported_with_row_column_unit_and_expectation() {
    let r = rules(BODY);
    let csv =
        "编码,名称,甲,丙,比率,标志\n1,甲,abc,三,96.5%,是\n2,乙,1,2,x%,也许\n3,丙,1,2.5,50,否\n";
    let ds = read_csv(&r, csv.as_bytes());
    assert_eq!(
        messages(&ds.errors),
        vec![
            "row 2, column C `甲`, unit `1` (甲): expected a number, found `abc`\n  help: write a number in digits, such as 12 or 3.5, without units or words",
            "row 2, column D `丙`, unit `1` (甲): expected a whole number, found `三`\n  help: change `三` to the number 3",
            "row 3, column E `比率`, unit `2` (乙): expected a percentage such as `96.5%` or `96.5`, found `x%`\n  help: write a percentage such as 96.5% or 96.5",
            "row 3, column F `标志`, unit `2` (乙): expected yes or no (`是`/`否`, `true`/`false`, `1`/`0`), found `也许`\n  help: write `是` or `否` (or 1/0, √/×)",
            "row 4, column D `丙`, unit `3` (丙): expected a whole number, found `2.5`\n  help: this field counts whole things; round the value or declare the field as type \"number\"",
        ]
    );
    // No bad number silently became 0: only the good rows are kept, and there are none.
    assert!(ds.units.is_empty());
}

#[test]
fn good_rows_are_kept_beside_the_errors() {
    let r = rules(BODY);
    let ds = read_csv(&r, "编码,名称,丙\n1,甲,x\n2,乙,3\n".as_bytes());
    assert_eq!(ds.errors.len(), 1);
    assert_eq!(ds.units.len(), 1);
    assert_eq!(ds.units[0].row(), 3);
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
    let ds = read_csv(&r, "单位编码,失控人员,其他\n1,2,3\n".as_bytes());
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
    let ds = read_csv(&r, "编码,名称,丙\n1,甲,0\n1,乙,0\n,丙,0\n".as_bytes());
    assert_eq!(
        messages(&ds.errors),
        vec![
            "row 3, unit `1` (乙): unit id `1` appears twice (first in row 2)\n  help: each unit must appear once: remove or merge one of the rows",
            "row 4, column A `编码`, unit 丙: the unit id is blank\n  help: fill in the cell, or give the field an `if_blank` value in the rule set",
        ]
    );
    assert_eq!(ds.units.len(), 1);
}

#[test]
fn a_blank_required_cell_is_an_error_and_a_blank_optional_one_takes_its_default() {
    let r = rules(BODY);
    let ds = read_csv(&r, "编码,名称,丙\n1,,\n".as_bytes());
    assert_eq!(
        messages(&ds.errors),
        vec!["row 2, column B `名称`, unit `1`: the cell is blank but `名称` is required\n  help: fill in the cell, or give the field an `if_blank` value in the rule set"]
    );
    let ds = read_csv(&r, "编码,名称,丙\n1,甲,\n".as_bytes());
    assert!(ds.errors.is_empty());
    assert_eq!(ds.units[0].values()[5], kaohe::Value::Int(0));
}

#[test]
fn empty_files_and_header_only_files_are_clear_errors() {
    let r = rules(BODY);
    assert_eq!(
        messages(&read_csv(&r, b"").errors),
        vec!["the data file is empty"]
    );
    assert_eq!(
        messages(&read_csv(&r, "\u{feff}\n  \n".as_bytes()).errors),
        vec!["the data file is empty"]
    );
    assert_eq!(
        messages(&read_csv(&r, "编码,名称\n,\n".as_bytes()).errors),
        vec![
            "the data has a header row but no units\n  help: add one row per unit below the header"
        ]
    );
    assert_eq!(
        messages(&read_json(&r, b"[]").errors),
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
    let ds = read_csv(&r, &gbk);
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    assert_eq!(ds.encoding, "GB18030");
    assert_eq!(ds.units[0].values()[1], kaohe::Value::Text("城关镇".into()));
    let utf8 = read_csv(&r, text.as_bytes());
    assert_eq!(utf8.units, ds.units);
}

#[test]
fn utf8_with_bom_utf16_and_tab_separated_text_read_the_same() {
    let r = rules(BODY);
    let plain = read_csv(&r, "编码,名称,丙\n1,城关镇,2\n".as_bytes());
    let bom = read_csv(&r, "\u{feff}编码,名称,丙\n1,城关镇,2\n".as_bytes());
    assert_eq!(bom.units, plain.units);
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "编码\t名称\t丙\r\n1\t城关镇\t2\r\n".encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let ds = read_csv(&r, &utf16);
    assert_eq!(ds.encoding, "UTF-16LE");
    assert_eq!(ds.units, plain.units);
}

#[test]
fn full_width_digits_thousands_separators_and_percent_signs_are_read() {
    let r = rules(BODY);
    let ds = read_csv(
        &r,
        "编码,名称,甲,丙,比率\n1,甲,\"1,234.5\",１２,９６．５％\n".as_bytes(),
    );
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    let v = &ds.units[0].values();
    assert_eq!(v[3], kaohe::Value::Number("1234.5".parse().unwrap()));
    assert_eq!(v[5], kaohe::Value::Int(12));
    assert_eq!(v[7], kaohe::Value::Number("96.5".parse().unwrap()));
}

#[test]
fn json_units_by_field_name_or_header_with_errors_per_unit() {
    let r = rules(BODY);
    let json = r#"[{"code": "1", "name": "甲", "丙": 2, "比率": "96.5%"},
                   {"编码": 2, "名称": "乙", "c": "x"},
                   {"code": "3"}]"#;
    let ds = read_json(&r, json.as_bytes());
    assert_eq!(
        messages(&ds.errors),
        vec![
            "row 2, column `c`, unit `2` (乙): expected a whole number, found `x`\n  help: write a whole number in digits, such as 6, without units or words",
            "row 3, column `名称`, unit `3`: missing required key `名称` (field `name`)\n  help: add a key headed `名称` or `name`",
        ]
    );
    assert_eq!(ds.units.len(), 1);
    let ds = read_json(&r, br#"{"units": [{"code": "1", "name": "a"}]}"#);
    assert!(ds.errors.is_empty());
    let ds = read_json(&r, b"[{\"code\": ");
    assert_eq!(
        messages(&ds.errors),
        vec!["not valid JSON at line 1 column 10: EOF while parsing a value at line 1 column 10"]
    );
}

#[test]
fn exact_decimals_survive_json_numbers() {
    let r = rules(r#"indicator("x", #{ label: "x", max: 100, score: |u| u.a });"#);
    let ds = read_json(&r, br#"[{"code": "1", "name": "a", "a": 89.95}]"#);
    let rep = r.assess(&ds.units, None).unwrap();
    assert_eq!(rep.units[0].total.unwrap().to_string(), "89.95");
}

// ---------------------------------------------------------------------------------------------
// zh-CN: each kind with its code, place (row, column letter and header, unit name and id) and
// fix hint, as `kaohe` prints it for a Chinese locale.
// ---------------------------------------------------------------------------------------------

fn zh(errors: &[kaohe::DataError]) -> Vec<String> {
    errors.iter().map(|e| e.render(Lang::Zh)).collect()
}

/// Fields of `失控人员数` (whole number), `登记吸毒人员数`, a kind from a list, a percentage.
const COUNTY: &str = r#"ruleset(#{ id: "m", title: "m" });
field("code", #{ label: "单位编码", type: "text" });
field("name", #{ label: "单位名称", type: "text" });
field("kind", #{ label: "单位类别", type: "text", one_of: ["乡镇", "部门"] });
field("lost", #{ label: "失控人员数", aliases: ["失控人数"], type: "int" });
field("users", #{ label: "登记吸毒人员数", type: "int", required: false });
field("rate", #{ label: "管控率", type: "percent", required: false });
field("done", #{ label: "是否达标", type: "bool", required: false });
unit(#{ id: "code", name: "name" });
indicator("x", #{ label: "x", max: 5, deduct: #{ count: "lost", each: 1 } });"#;

fn county() -> kaohe::Rules {
    kaohe::Rules::compile("m.rhai", COUNTY).unwrap()
}

#[test]
fn a_bad_cell_in_chinese_names_row_column_letter_unit_and_the_fix() {
    let r = county();
    let ds = read_csv(
        &r,
        "单位编码,单位名称,单位类别,失控人员数\n330101,石桥镇,乡镇,六次\n330102,城关镇,乡镇,十二人\n330103,青山乡,乡镇,两起\n330104,白沙镇,乡镇,一百零五\n330105,新街镇,乡镇,3人\n".as_bytes(),
    );
    assert_eq!(
        zh(&ds.errors),
        vec![
            "错误[D0201]：第 2 行，D 列“失控人员数”，单位“石桥镇”（330101）：应填整数，实际填的是“六次”\n  提示：把“六次”改为数字 6",
            "错误[D0201]：第 3 行，D 列“失控人员数”，单位“城关镇”（330102）：应填整数，实际填的是“十二人”\n  提示：把“十二人”改为数字 12",
            "错误[D0201]：第 4 行，D 列“失控人员数”，单位“青山乡”（330103）：应填整数，实际填的是“两起”\n  提示：把“两起”改为数字 2",
            "错误[D0201]：第 5 行，D 列“失控人员数”，单位“白沙镇”（330104）：应填整数，实际填的是“一百零五”\n  提示：把“一百零五”改为数字 105",
            "错误[D0201]：第 6 行，D 列“失控人员数”，单位“新街镇”（330105）：应填整数，实际填的是“3人”\n  提示：把“3人”改为数字 3",
        ]
    );
    let e = &ds.errors[0];
    assert_eq!(
        (
            e.code(),
            e.column_letter().as_deref(),
            e.unit(),
            e.unit_name()
        ),
        ("D0201", Some("D"), Some("330101"), Some("石桥镇"))
    );
    assert_eq!(
        e.place(Lang::Zh),
        "第 2 行，D 列“失控人员数”，单位“石桥镇”（330101）"
    );
    assert_eq!(
        e.render(Lang::En),
        "error[D0201]: row 2, column D `失控人员数`, unit `330101` (石桥镇): expected a whole number, found `六次`\n  help: change `六次` to the number 6"
    );
    assert!(ds.units.is_empty());
}

#[test]
fn every_bad_cell_kind_has_a_hint_in_chinese() {
    let r = county();
    let csv = "单位编码,单位名称,单位类别,失控人员数,管控率,是否达标\n\
               1,甲镇,乡,2.5,百分之九十,是的\n\
               2,乙镇,街道,96%,96.5 %,也许\n\
               3,,部门,x,x,没有\n";
    let ds = read_csv(&r, csv.as_bytes());
    assert_eq!(
        zh(&ds.errors),
        vec![
            "错误[D0202]：第 2 行，C 列“单位类别”，单位“甲镇”（1）：只能填“乡镇”“部门”之一，实际填的是“乡”\n  提示：是不是“乡镇”？把“乡”改为“乡镇”",
            "错误[D0201]：第 2 行，D 列“失控人员数”，单位“甲镇”（1）：应填整数，实际填的是“2.5”\n  提示：此字段只能填整数：把“2.5”取整（如 3），或在规则集中把字段类型声明为 \"number\"（数值）",
            "错误[D0201]：第 2 行，E 列“管控率”，单位“甲镇”（1）：应填百分比（如 96.5% 或 96.5），实际填的是“百分之九十”\n  提示：把“百分之九十”改为 90%",
            "错误[D0201]：第 2 行，F 列“是否达标”，单位“甲镇”（1）：应填“是”或“否”（也可写 true/false、1/0），实际填的是“是的”\n  提示：把“是的”改为“是”",
            "错误[D0202]：第 3 行，C 列“单位类别”，单位“乙镇”（2）：只能填“乡镇”“部门”之一，实际填的是“街道”\n  提示：从允许的取值中选一个，照原样填写",
            "错误[D0201]：第 3 行，D 列“失控人员数”，单位“乙镇”（2）：应填整数，实际填的是“96%”\n  提示：去掉“%”，或在规则集中把字段类型声明为 \"percent\"（百分比）",
            "错误[D0201]：第 3 行，E 列“管控率”，单位“乙镇”（2）：应填百分比（如 96.5% 或 96.5），实际填的是“96.5 %”\n  提示：把“96.5 %”改为 96.5%",
            "错误[D0201]：第 3 行，F 列“是否达标”，单位“乙镇”（2）：应填“是”或“否”（也可写 true/false、1/0），实际填的是“也许”\n  提示：填写“是”或“否”（也可写 1/0、√/×）",
            "错误[D0203]：第 4 行，B 列“单位名称”，单位 3：单元格为空，但“单位名称”是必填项\n  提示：填写此单元格；若空白应按某个值计算，请在规则集中为该字段设置 if_blank",
            "错误[D0201]：第 4 行，D 列“失控人员数”，单位 3：应填整数，实际填的是“x”\n  提示：填写阿拉伯数字的整数，如 6，不带单位或文字",
            "错误[D0201]：第 4 行，E 列“管控率”，单位 3：应填百分比（如 96.5% 或 96.5），实际填的是“x”\n  提示：填写百分比，如 96.5% 或 96.5",
            "错误[D0201]：第 4 行，F 列“是否达标”，单位 3：应填“是”或“否”（也可写 true/false、1/0），实际填的是“没有”\n  提示：把“没有”改为“否”",
        ]
    );
    // Every cell error carries a hint, in both languages.
    for e in &ds.errors {
        let (zh, en) = (e.hint(Lang::Zh), e.hint(Lang::En));
        assert!(zh.is_some_and(|h| !h.is_empty()), "no hint: {e}");
        assert!(en.is_some_and(|h| !h.is_empty()), "no hint: {e}");
    }
}

#[test]
fn blank_and_duplicate_ids_in_chinese() {
    let r = county();
    let ds = read_csv(
        &r,
        "单位编码,单位名称,单位类别,失控人员数\n1,甲镇,乡镇,0\n1,乙镇,乡镇,0\n,丙镇,乡镇,0\n"
            .as_bytes(),
    );
    assert_eq!(
        zh(&ds.errors),
        vec![
            "错误[D0205]：第 3 行，单位“乙镇”（1）：单位编码“1”重复出现（首次出现在第 2 行）\n  提示：每个单位只能出现一次：删除或合并其中一行",
            "错误[D0204]：第 4 行，A 列“单位编码”，单位“丙镇”：单位编码为空\n  提示：填写该单位的编码：每个单位都要有编码",
        ]
    );
}

#[test]
fn missing_and_doubled_columns_in_chinese() {
    let r = county();
    let ds = read_csv(
        &r,
        "单位编码,单位名称,单位类别,失控人员\n1,甲镇,乡镇,0\n".as_bytes(),
    );
    assert_eq!(
        zh(&ds.errors),
        vec!["错误[D0101]：第 1 行，“失控人员数”列：缺少必填列“失控人员数”（字段 lost）\n  提示：是不是“失控人员”列？把它的表头改为“失控人员数”"]
    );
    let ds = read_csv(&r, "单位编码,单位名称,单位类别\n1,甲镇,乡镇\n".as_bytes());
    assert_eq!(
        zh(&ds.errors),
        vec!["错误[D0101]：第 1 行，“失控人员数”列：缺少必填列“失控人员数”（字段 lost）\n  提示：添加一列，表头写“失控人员数”“失控人数”或“lost”"]
    );
    let ds = read_csv(
        &r,
        "单位编码,单位名称,单位类别,失控人员数,失控人数\n1,甲镇,乡镇,0,0\n".as_bytes(),
    );
    assert_eq!(
        zh(&ds.errors),
        vec!["错误[D0102]：第 1 行，E 列“失控人数”：“失控人数”列是字段“失控人员数”的第二列（第一列：D 列“失控人员数”）\n  提示：只保留其中一列"]
    );
    assert_eq!(
        messages(&ds.errors),
        vec!["row 1, column E `失控人数`: column `失控人数` is a second column for field `失控人员数` (first: column D `失控人员数`)\n  help: keep one of the two columns"]
    );
    // A doubled column makes no units: which of the two is meant is not known.
    assert!(ds.units.is_empty());
}

#[test]
fn a_column_beyond_z_is_named_aa() {
    let r = county();
    // 单位编码, 单位名称, 单位类别, 23 columns no field reads, then 失控人员数 in column 27.
    let spare: Vec<String> = (1..=23).map(|i| format!("备用{i}")).collect();
    let header = format!("单位编码,单位名称,单位类别,{},失控人员数", spare.join(","));
    let row = format!("1,甲镇,乡镇,{},六次", [""; 23].join(","));
    let ds = read_csv(&r, format!("{header}\n{row}\n").as_bytes());
    assert_eq!(ds.errors.len(), 1, "{:?}", ds.errors);
    let e = &ds.errors[0];
    assert_eq!((e.column(), e.column_letter().as_deref()), (27, Some("AA")));
    assert_eq!(
        e.render(Lang::Zh),
        "错误[D0201]：第 2 行，AA 列“失控人员数”，单位“甲镇”（1）：应填整数，实际填的是“六次”\n  提示：把“六次”改为数字 6"
    );
}

/// A missing column no longer hides the bad cells: one round of fixes, not two.
#[test]
fn a_missing_column_and_bad_cells_are_reported_together() {
    let r = county();
    let csv =
        "单位编码,单位名称,单位类别,管控率\n1,甲镇,乡镇,九成\n2,乙镇,乡,95%\n3,丙镇,部门,90\n";
    let ds = read_csv(&r, csv.as_bytes());
    assert_eq!(
        zh(&ds.errors),
        vec![
            "错误[D0101]：第 1 行，“失控人员数”列：缺少必填列“失控人员数”（字段 lost）\n  提示：添加一列，表头写“失控人员数”“失控人数”或“lost”",
            "错误[D0201]：第 2 行，D 列“管控率”，单位“甲镇”（1）：应填百分比（如 96.5% 或 96.5），实际填的是“九成”\n  提示：把“九成”改为 90%",
            "错误[D0202]：第 3 行，C 列“单位类别”，单位“乙镇”（2）：只能填“乡镇”“部门”之一，实际填的是“乡”\n  提示：是不是“乡镇”？把“乡”改为“乡镇”",
        ]
    );
    // No row makes a unit while a required column is missing, and the absent column is not
    // reported again for each row.
    assert!(ds.units.is_empty());
    // The same when streamed.
    let streamed = kaohe::UnitStream::new(&r, "d.csv", csv.as_bytes()).into_dataset();
    assert_eq!(streamed.errors, ds.errors);
    // A header with a missing column and nothing below: both said at once.
    let ds = read_csv(&r, "单位编码,单位名称,单位类别\n".as_bytes());
    assert_eq!(
        ds.errors.iter().map(|e| e.code()).collect::<Vec<_>>(),
        vec!["D0101", "D0302"]
    );
}

#[test]
fn json_keys_are_keys_in_both_languages() {
    let r = county();
    let ds = read_json(
        &r,
        r#"[{"code": "1", "name": "甲镇", "kind": "乡镇", "失控人员": 0, "rate": "x"},
            {"code": "2", "name": "乙镇", "kind": "乡镇", "lost": 0, "失控人数": 1}]"#
            .as_bytes(),
    );
    assert_eq!(
        zh(&ds.errors),
        vec![
            "错误[D0101]：第 1 行，“失控人员数”列，单位“甲镇”（1）：缺少必填键“失控人员数”（字段 lost）\n  提示：是不是键“失控人员”？把它改为“失控人员数”",
            "错误[D0201]：第 1 行，“rate”列，单位“甲镇”（1）：应填百分比（如 96.5% 或 96.5），实际填的是“x”\n  提示：填写百分比，如 96.5% 或 96.5",
            "错误[D0102]：第 2 行，“失控人数”列，单位“乙镇”（2）：键“失控人数”是字段“失控人员数”的第二个键（第一个：“lost”）\n  提示：只保留其中一个键",
        ]
    );
    assert_eq!(
        messages(&ds.errors),
        vec![
            "row 1, column `失控人员数`, unit `1` (甲镇): missing required key `失控人员数` (field `lost`)\n  help: did you mean `失控人员`? rename that key to `失控人员数`",
            "row 1, column `rate`, unit `1` (甲镇): expected a percentage such as `96.5%` or `96.5`, found `x`\n  help: write a percentage such as 96.5% or 96.5",
            "row 2, column `失控人数`, unit `2` (乙镇): key `失控人数` is a second key for field `失控人员数` (first: key `lost`)\n  help: keep one of the two keys",
        ]
    );
    assert!(ds.units.is_empty());
}

#[test]
fn file_errors_in_chinese() {
    let r = county();
    assert_eq!(
        zh(&read_csv(&r, b"").errors),
        vec!["错误[D0301]：数据文件是空的"]
    );
    assert_eq!(
        zh(&read_csv(&r, "单位编码,单位名称,单位类别,失控人员数\n".as_bytes()).errors),
        vec!["错误[D0302]：数据只有表头，没有单位\n  提示：在表头下方每个单位填一行"]
    );
    assert_eq!(
        zh(&read_json(&r, b"[]").errors),
        vec!["错误[D0303]：数据中没有单位"]
    );
    assert_eq!(
        zh(&read_json(&r, b"{\"a\": 1}").errors),
        vec!["错误[D0313]：JSON 数据应为单位的数组\n  提示：写成 [{\"单位编码\": \"101\", …}, …] 或 {\"units\": [...]}"]
    );
    assert_eq!(
        zh(&read_json(&r, b"[1]").errors),
        vec!["错误[D0314]：第 1 行：此处应为一个单位的对象（含各字段）\n  提示：每个单位写成一个对象，如 {\"单位编码\": \"101\", …}"]
    );
    assert!(zh(&read_json(&r, b"[{").errors)[0]
        .starts_with("错误[D0311]：不是有效的 JSON（第 1 行第 2 列）："));
}

#[test]
fn a_data_error_as_json_gives_code_letter_unit_name_place_and_both_languages() {
    let r = county();
    let ds = read_csv(
        &r,
        "单位编码,单位名称,单位类别,失控人员数\n330101,石桥镇,乡镇,六次\n".as_bytes(),
    );
    let json = serde_json::to_value(&ds.errors[0]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "code": "D0201",
            "row": 2,
            "column": 4,
            "column_letter": "D",
            "header": "失控人员数",
            "unit": "330101",
            "unit_name": "石桥镇",
            "place": "第 2 行，D 列“失控人员数”，单位“石桥镇”（330101）",
            "message": "应填整数，实际填的是“六次”",
            "help": "把“六次”改为数字 6",
            "en": {
                "message": "expected a whole number, found `六次`",
                "help": "change `六次` to the number 6"
            }
        })
    );
}
