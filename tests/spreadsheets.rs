//! Spreadsheets in and out: XLSX data (with percent-formatted cells) scores exactly like the
//! same CSV, and results export to an XLSX workbook that reads back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use calamine::{Data, Reader};
use common::*;
use kaohe::{read, read_csv, read_spreadsheet};
use rust_xlsxwriter::{Format, Workbook};

const BODY: &str = r#"
indicator("lost", #{ label: "失控", max: 5, deduct: #{ count: "c", each: 0.5 } });
indicator("rate", #{ label: "比率", max: 5, bands: #{ value: "r", steps: [[96.5, 5], [95, 3]] } });
indicator("a", #{ label: "甲", max: 90, score: |u| u.a });
"#;

/// A workbook as Excel would save it: a title row above the header, a percent-formatted column.
fn workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let pct = Format::new().set_num_format("0.0%");
    sheet.write_string(0, 0, "2025年度考核数据").unwrap();
    for (c, h) in ["编码", "名称", "丙", "比率", "甲"].iter().enumerate() {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    let rows = [
        ("101", "城关镇", 3.0, 0.965, 89.95),
        ("102", "青山乡", 0.0, 0.949, 80.1),
    ];
    for (i, (code, name, lost, rate, a)) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        sheet.write_string(r, 0, *code).unwrap();
        sheet.write_string(r, 1, *name).unwrap();
        sheet.write_number(r, 2, *lost).unwrap();
        sheet.write_number_with_format(r, 3, *rate, &pct).unwrap();
        sheet.write_number(r, 4, *a).unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn an_xlsx_scores_exactly_like_the_same_csv() {
    let r = rules(BODY);
    // A title row above the header is passed over; percent cells read as percentages (0.965 → 96.5).
    let ds = read(&r, "data.xlsx", &workbook());
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    assert_eq!(ds.units[0].row(), 4, "Excel's own row number");
    let csv = read_csv(
        &r,
        "编码,名称,丙,比率,甲\n101,城关镇,3,96.5%,89.95\n102,青山乡,0,94.9%,80.1\n".as_bytes(),
    );
    let values = |d: &kaohe::Dataset| {
        d.units
            .iter()
            .map(|u| u.values().to_vec())
            .collect::<Vec<_>>()
    };
    assert_eq!(values(&ds), values(&csv));
    let totals = |d: &kaohe::Dataset| {
        let rep = r.assess(&d.units, None).unwrap();
        rep.units
            .iter()
            .map(|u| u.total_display.clone().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(totals(&ds), vec!["98.45", "85.10"]);
    assert_eq!(totals(&ds), totals(&csv));
}

#[test]
fn bad_cells_in_a_spreadsheet_name_the_excel_row_and_column() {
    let r = rules(BODY);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["编码", "名称", "丙"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "101").unwrap();
    sheet.write_string(1, 1, "城关镇").unwrap();
    sheet.write_string(1, 2, "三人").unwrap();
    let ds = read_spreadsheet(&r, &book.save_to_buffer().unwrap());
    assert_eq!(
        ds.errors[0].to_string(),
        "row 2, column C `丙`, unit `101` (城关镇): expected a whole number, found `三人`\n  help: change `三人` to the number 3"
    );
}

#[test]
fn a_file_that_is_not_a_spreadsheet_is_a_clear_error() {
    let r = rules(BODY);
    let ds = read(&r, "data.xlsx", b"PK\x03\x04 not really a zip");
    assert_eq!(ds.errors.len(), 1);
    let msg = ds.errors[0].to_string();
    assert!(
        msg.starts_with("the spreadsheet cannot be opened:"),
        "{msg}"
    );
    assert!(
        msg.ends_with("help: save it again as .xlsx, or export the sheet as CSV"),
        "{msg}"
    );
}

#[test]
fn refused_spreadsheets_say_why_in_chinese_with_a_fix() {
    let r = rules(BODY);
    let ds = read(&r, "data.xlsx", b"PK\x03\x04 not really a zip");
    let e = &ds.errors[0];
    assert_eq!(e.code(), "D0332");
    assert!(
        e.message(kaohe::Lang::Zh).starts_with("电子表格无法打开："),
        "{e:?}"
    );
    assert_eq!(
        e.hint(kaohe::Lang::Zh).unwrap(),
        "用 Excel 或 WPS 另存为 .xlsx，或把工作表导出为 CSV"
    );
    // An XLSB (Excel's binary workbook) is named as such, not "cannot be opened".
    let mut xlsb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    xlsb.start_file("xl/workbook.bin", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut xlsb, b"\x83\x01\x00").unwrap();
    let bytes = xlsb.finish().unwrap().into_inner();
    let ds = read(&r, "data.xlsb", &bytes);
    assert_eq!(ds.errors.len(), 1, "{:?}", ds.errors);
    assert_eq!(
        ds.errors[0].render(kaohe::Lang::Zh),
        "错误[D0338]：不读取 XLSB 工作簿（Excel 二进制格式）\n  提示：在 Excel 中另存为 .xlsx（Excel 工作簿），或把工作表导出为 CSV"
    );
}

#[test]
fn the_result_exports_to_a_workbook_that_reads_back() {
    let b = kaohe::bundled::default_set();
    let rules = kaohe::Rules::compile(b.rules_path, b.rules).unwrap();
    let ds = read_csv(&rules, b.data.unwrap());
    let report = rules.assess(&ds.units, None).unwrap();
    let bytes = report.to_xlsx().unwrap();
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), vec!["考核结果", "计分明细", "分组统计"]);
    let summary = book.worksheet_range("考核结果").unwrap();
    assert_eq!(summary.height(), 21);
    assert_eq!(summary.get((0, 0)), Some(&Data::String("名次".into())));
    assert_eq!(summary.get((1, 2)), Some(&Data::String("城关镇".into())));
    assert_eq!(summary.get((1, 4)), Some(&Data::Float(101.0)));
    let detail = book.worksheet_range("计分明细").unwrap();
    let items_and_more: usize = report
        .units
        .iter()
        .map(|u| u.items.len() + u.adjustments.len() + u.vetoes.len())
        .sum();
    assert_eq!(detail.height(), items_and_more + 1);
}
