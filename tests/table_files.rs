//! Decision tables kept in a workbook beside the rule file (规则附表): read from the sheet the
//! rule names, every bad cell a rule error at its sheet, row and column, scored and explained
//! by the sheet's own row numbers — through the library and the CLI alike.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;
use rust_xlsxwriter::Workbook;
use std::path::{Path, PathBuf};

/// A folder of its own for one test.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaohe-tables-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A workbook with one sheet per `(name, rows)`; a cell that parses as a number is written as one.
fn workbook(path: &Path, sheets: &[(&str, &[&[&str]])]) {
    let mut book = Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell.parse::<f64>() {
                    Ok(n) => sheet.write(r, c, n).unwrap(),
                    Err(_) => sheet.write(r, c, *cell).unwrap(),
                };
            }
        }
    }
    book.save(path).unwrap();
}

const BODY: &str = r#"
indicator("overall", #{ label: "综合评定", max: 10,
    table: #{ file: "附表.xlsx", sheet: "综合评定", hit: "unique" } });
"#;

fn compile_in(dir: &Path, body: &str) -> Result<kaohe::Rules, kaohe::RuleErrors> {
    let path = dir.join("t.rhai");
    let src = format!("{PRELUDE}{body}");
    std::fs::write(&path, &src).unwrap();
    kaohe::Rules::compile_with_files("t.rhai", &src, &[], kaohe::files_beside(&path))
}

#[test]
fn a_table_from_a_sheet_scores_and_says_which_row_of_which_sheet() {
    let dir = folder("ok");
    // 甲 (a) and 丙 (c) by their labels; 说明 after the points is not read.
    workbook(
        &dir.join("附表.xlsx"),
        &[
            ("说明", &[&["本工作簿为规则附表"]]),
            (
                "综合评定",
                &[
                    &["甲", "丙", "分值", "说明"],
                    &["≥95", "≤2", "10", "安全感95%以上且发案2起以下"],
                    &[">=90, <95", "-", "6", ""],
                    &["95以上", ">2", "4", ""],
                    &["低于90", "不限", "0", ""],
                ],
            ),
        ],
    );
    let r = compile_in(&dir, BODY).unwrap();
    let csv = "编码,名称,类别,甲,乙,丙,丁,比率,标志\n1,甲,,96,0,1,0,,\n2,乙,,92,0,5,0,,\n3,丙,,97,0,3,0,,\n4,丁,,80,0,0,0,,\n";
    let ds = kaohe::read_csv(&r, csv.as_bytes());
    let rep = r.assess(&ds.units, None).unwrap();
    let pts: Vec<String> = (1..=4)
        .map(|k| points(&rep, &k.to_string(), "overall"))
        .collect();
    assert_eq!(pts, ["10", "6", "4", "0"]);
    // The reason names the sheet's row (row 3 of the sheet is the table's second row).
    let why = &unit(&rep, "2").items.get(0).unwrap().reasons()[0].detail;
    assert_eq!(
        why,
        "甲 = 92、丙 = 5，命中附表“附表.xlsx”工作表“综合评定”第 3 行，计 6 分"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_bad_cell_of_a_sheet_is_an_error_at_its_row_and_column() {
    let dir = folder("bad");
    workbook(
        &dir.join("附表.xlsx"),
        &[(
            "综合评定",
            &[
                &["甲", "flgg", "分值"],
                &["≥95", "很少", "10"],
                &["≥90", "-", "六分"],
                &["<90", "-", "0"],
            ],
        )],
    );
    let e = compile_in(&dir, BODY).unwrap_err().0;
    let at: Vec<(String, usize, usize, &str)> = e
        .iter()
        .map(|e| {
            (
                e.location().file.clone(),
                e.location().line,
                e.location().column,
                e.code(),
            )
        })
        .collect();
    assert_eq!(
        at,
        [
            ("附表.xlsx".to_string(), 1, 2, "R0416"),
            ("附表.xlsx".to_string(), 2, 2, "R0416"),
            ("附表.xlsx".to_string(), 3, 3, "R0416"),
        ]
    );
    let zh: Vec<String> = e.iter().map(|e| e.render(kaohe::Lang::Zh)).collect();
    assert!(
        zh[0].contains("工作表“综合评定”单元格 B1") && zh[0].contains("“flgg”"),
        "{}",
        zh[0]
    );
    assert!(zh[0].contains("您是不是想写“flag”"), "{}", zh[0]);
    assert!(
        zh[1].contains("单元格 B2") && zh[1].contains("条件“很少”无法识别"),
        "{}",
        zh[1]
    );
    assert!(
        zh[2].contains("单元格 C3") && zh[2].contains("分值“六分”不是数字"),
        "{}",
        zh[2]
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_missing_file_or_sheet_and_overlapping_rows_are_said_plainly() {
    let dir = folder("missing");
    // No file at all: R0415 at the file's name in the script, with where to put it.
    let e = compile_in(&dir, BODY).unwrap_err().0;
    assert_eq!(e[0].code(), "R0415");
    let zh = e[0].render(kaohe::Lang::Zh);
    assert!(
        zh.contains("找不到规则附表“附表.xlsx”") && zh.contains("规则文件旁"),
        "{zh}"
    );
    let src = format!("{PRELUDE}{BODY}");
    let line = src.lines().position(|l| l.contains("附表.xlsx")).unwrap() + 1;
    assert_eq!(
        (e[0].location().file.as_str(), e[0].location().line),
        ("t.rhai", line)
    );
    // A path out of the rules' folder is not read.
    let out = BODY.replace("附表.xlsx", "../附表.xlsx");
    workbook(
        &dir.join("../附表.xlsx"),
        &[("综合评定", &[&["甲", "分值"], &["1", "1"]])],
    );
    assert_eq!(compile_in(&dir, &out).unwrap_err().0[0].code(), "R0415");
    std::fs::remove_file(dir.join("../附表.xlsx")).ok();
    // A misspelt sheet: the sheet meant.
    workbook(
        &dir.join("附表.xlsx"),
        &[(
            "综合评定表",
            &[&["甲", "分值"], &["≥90", "10"], &["<90", "0"]],
        )],
    );
    let e = compile_in(&dir, BODY).unwrap_err().0;
    let zh = e[0].render(kaohe::Lang::Zh);
    assert!(
        zh.contains("没有名为“综合评定”的工作表") && zh.contains("综合评定表"),
        "{zh}"
    );
    // Overlapping rows under `unique`: named by the sheet's rows.
    workbook(
        &dir.join("附表.xlsx"),
        &[(
            "综合评定",
            &[
                &["甲", "分值"],
                &["≥90", "10"],
                &["≥80", "6"],
                &["<80", "0"],
            ],
        )],
    );
    let e = compile_in(&dir, BODY).unwrap_err().0;
    let zh = e[0].render(kaohe::Lang::Zh);
    assert!(
        zh.contains("第 2 行")
            && zh.contains("第 3 行")
            && zh.contains("附表“附表.xlsx”工作表“综合评定”"),
        "{zh}"
    );
    // Points above `max`: at their cell.
    workbook(
        &dir.join("附表.xlsx"),
        &[(
            "综合评定",
            &[&["甲", "分值"], &["≥90", "12"], &["<90", "0"]],
        )],
    );
    let e = compile_in(&dir, BODY).unwrap_err().0;
    assert_eq!(
        (
            e[0].location().file.as_str(),
            e[0].location().line,
            e[0].location().column
        ),
        ("附表.xlsx", 2, 2)
    );
    assert!(e[0].render(kaohe::Lang::Zh).contains("单元格 B2"));
    // `rows` and `file` together, or `sheet` without `file`: R0402.
    let both = BODY.replace("hit: \"unique\"", "rows: [[1, 1]]");
    assert_eq!(compile_in(&dir, &both).unwrap_err().0[0].code(), "R0402");
    let no_file = BODY.replace("file: \"附表.xlsx\", ", "");
    assert_eq!(compile_in(&dir, &no_file).unwrap_err().0[0].code(), "R0402");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_cli_reads_the_table_beside_the_rule_file() {
    let dir = folder("cli");
    workbook(
        &dir.join("附表.xlsx"),
        &[(
            "综合评定",
            &[&["甲", "分值"], &["≥90", "10"], &["<90", "0"]],
        )],
    );
    let rules = dir.join("t.rhai");
    std::fs::write(&rules, format!("{PRELUDE}{BODY}")).unwrap();
    let data = dir.join("d.csv");
    std::fs::write(
        &data,
        "编码,名称,类别,甲,乙,丙,丁,比率,标志\n1,甲,,96,0,1,0,,\n2,乙,,80,0,5,0,,\n",
    )
    .unwrap();
    let out = kaohe_zh(&["check", rules.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = kaohe_zh(&[
        "assess",
        rules.to_str().unwrap(),
        data.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.lines().nth(1).unwrap().contains("10"), "{csv}");
    // The workbook gone: the check fails with the file named, exit code 3.
    std::fs::remove_file(dir.join("附表.xlsx")).unwrap();
    let out = kaohe_zh(&["check", rules.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err =
        String::from_utf8_lossy(&out.stdout).to_string() + &*String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("找不到规则附表“附表.xlsx”"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_sheet_of_too_many_rows_is_refused_before_its_rows_are_compared() {
    let dir = folder("large");
    let rows: Vec<Vec<String>> = std::iter::once(vec!["甲".to_string(), "分值".to_string()])
        .chain((0..5_001).map(|k| vec![format!("={k}"), "1".to_string()]))
        .collect();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("综合评定").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write(r as u32, c as u16, cell.as_str()).unwrap();
        }
    }
    book.save(dir.join("附表.xlsx")).unwrap();
    let e = compile_in(&dir, &BODY.replace("hit: \"unique\"", "hit: \"first\""))
        .unwrap_err()
        .0;
    assert_eq!(e[0].code(), "R0402");
    assert!(e[0]
        .render(kaohe::Lang::Zh)
        .contains("决策表有 5001 行，超过上限 5000 行"));
    std::fs::remove_dir_all(&dir).ok();
}
