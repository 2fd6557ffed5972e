//! Merging returned forms (`kaohe merge`): twenty messy returns of the county anti-drug
//! assessment — a title row, headers renamed to aliases, 有/√ for 是, “六次” in a number, a unit
//! in a second sheet, GBK CSV, a unit returned twice (with the same and with different values),
//! a unit not in the list, a mistyped code, a name not the list's, units that returned nothing —
//! each reported with its file, sheet, row, column letter and fix, and the rest merged; the merged workbook with its
//! 数据核对 sheet; and for every bundled rule set, forms filled in and merged score exactly like
//! the same data as one CSV.
#![cfg(feature = "spreadsheets")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::{generated, seed, sheet_names, sheet_rows};
use kaohe::collect::merge::{merge, Level, Merged};
use kaohe::collect::{read_units, template};
use kaohe::Lang;
use kaohe::{bundled, Rules};
use rust_xlsxwriter::{Format, Workbook};

fn county() -> (Rules, Vec<String>, Vec<Vec<String>>) {
    let b = bundled::ALL
        .iter()
        .find(|b| b.id == "county-antidrug")
        .unwrap();
    let rules = Rules::compile(b.rules_path, b.rules).unwrap();
    let text = String::from_utf8(b.data.unwrap().to_vec()).unwrap();
    let mut lines = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = lines
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let header = rows.remove(0);
    (rules, header, rows)
}

/// A workbook as a township returns it: sheets of rows, a title above the first sheet's header
/// (merged across), numbers typed as numbers and percentages as percentages.
fn workbook(title: Option<&str>, sheets: &[(&str, Vec<Vec<String>>)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let pct = Format::new().set_num_format("0.0%");
    for (i, (name, rows)) in sheets.iter().enumerate() {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        let top = match (i, title) {
            (0, Some(t)) => {
                sheet.merge_range(0, 0, 0, 8, t, &Format::new()).unwrap();
                2
            }
            _ => 0,
        };
        for (r, row) in rows.iter().enumerate() {
            let r = top + r as u32;
            for (c, v) in row.iter().enumerate() {
                let c = c as u16;
                let number = v.parse::<f64>().ok().filter(|_| c > 0 && r > top);
                // 94.9% as Excel stores it: the decimal 0.949, not 94.9 / 100 in binary.
                let percent = v
                    .strip_suffix('%')
                    .and_then(|p| p.parse::<rust_decimal::Decimal>().ok())
                    .map(|p| (p / rust_decimal::Decimal::ONE_HUNDRED).to_string())
                    .and_then(|p| p.parse::<f64>().ok())
                    .filter(|_| r > top);
                match (number, percent) {
                    (Some(n), _) => sheet.write_number(r, c, n).map(|_| ()),
                    (_, Some(p)) => sheet.write_number_with_format(r, c, p, &pct).map(|_| ()),
                    _ if v.is_empty() => Ok(()),
                    _ => sheet.write_string(r, c, v).map(|_| ()),
                }
                .unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

fn gbk_csv(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut text = header.join(",") + "\r\n";
    for r in rows {
        text.push_str(&(r.join(",") + "\r\n"));
    }
    encoding_rs::GBK.encode(&text).0.into_owned()
}

/// The county's twenty townships return their forms, with the mistakes of real returns.
fn returns() -> (Rules, Vec<(String, Vec<u8>)>, String) {
    let (rules, header, rows) = county();
    let col = |label: &str| header.iter().position(|h| h == label).unwrap();
    let with = |i: usize, edits: &[(&str, &str)]| {
        let mut row = rows[i].clone();
        for (label, v) in edits {
            row[col(label)] = v.to_string();
        }
        row
    };
    let mut renamed = header.clone();
    renamed[col("登记吸毒人员数")] = "在册吸毒人员数".into();
    renamed[col("单位名称")] = "乡镇（街道）".into();
    let mut mistyped = rows[7].clone();
    mistyped[0] = "999001199".into();
    let mut stranger = rows[8].clone();
    stranger[0] = "999009999".into();
    stranger[1] = "新城镇".into();
    // One return per township for the rest; one name written otherwise than in the list (the
    // code is right).
    let mut rest: Vec<(String, Vec<u8>)> = Vec::new();
    for (k, row) in rows[8..19].iter().enumerate() {
        let mut row = row.clone();
        if k == 0 {
            row[1] = format!("{}人民政府", row[1]);
        }
        let name = format!("{}-{}.xlsx", 10 + k, rows[8 + k][1]);
        rest.push((
            name,
            workbook(None, &[("Sheet1", vec![header.clone(), row])]),
        ));
    }
    let mut files = vec![
        (
            "01-城关镇.xlsx".to_string(),
            workbook(
                Some("城关镇禁毒工作考核数据（2026年上半年）"),
                &[("Sheet1", vec![header.clone(), rows[0].clone()])],
            ),
        ),
        (
            "02.xlsx".to_string(),
            workbook(
                None,
                &[(
                    "Sheet1",
                    vec![
                        renamed,
                        with(
                            1,
                            &[
                                ("禁毒经费列入财政预算", "有"),
                                ("社戒社康工作站专人在岗", "√"),
                            ],
                        ),
                    ],
                )],
            ),
        ),
        (
            "03.xlsx".to_string(),
            workbook(
                None,
                &[(
                    "Sheet1",
                    vec![
                        header.clone(),
                        with(2, &[("党委政府专题研究禁毒工作次数", "六次")]),
                    ],
                )],
            ),
        ),
        (
            "04.xlsx".to_string(),
            workbook(
                None,
                &[
                    ("填报表", vec![header.clone(), rows[3].clone()]),
                    ("Sheet2", vec![header.clone(), rows[4].clone()]),
                ],
            ),
        ),
        ("05.csv".to_string(), gbk_csv(&header, &[rows[5].clone()])),
        (
            "06.xlsx".to_string(),
            workbook(
                None,
                &[(
                    "Sheet1",
                    vec![header.clone(), with(0, &[("失控人员数", "3")])],
                )],
            ),
        ),
        (
            "07.xlsx".to_string(),
            workbook(None, &[("Sheet1", vec![header.clone(), rows[5].clone()])]),
        ),
        (
            "08.xlsx".to_string(),
            workbook(
                None,
                &[("Sheet1", vec![header.clone(), stranger, mistyped])],
            ),
        ),
        ("09.csv".to_string(), gbk_csv(&header, &[rows[6].clone()])),
    ];
    files.extend(rest);
    let mut list = String::from("单位编码,单位名称\n");
    for r in &rows {
        list.push_str(&format!("{},{}\n", r[0], r[1]));
    }
    (rules, files, list)
}

fn merged() -> (Rules, Merged) {
    let (rules, files, list) = returns();
    let units = read_units(&rules, "units.csv", list.as_bytes());
    assert!(units.errors.is_empty(), "{:?}", units.errors);
    let m = merge(&rules, &files, Some(&units.units));
    (rules, m)
}

#[test]
fn every_planted_mistake_is_reported_with_its_place_and_fix() {
    let (rules, m) = merged();
    let shown: Vec<String> = m.problems.iter().map(|p| p.render(Lang::Zh)).collect();
    let all = shown.join("\n");
    let find = |code: &str| -> Vec<&kaohe::collect::merge::Problem> {
        m.problems
            .iter()
            .filter(|p| p.error.code() == code)
            .collect()
    };
    // “六次” in a whole number: file, sheet, row, column letter, header, unit, and the fix.
    let six: Vec<_> = m
        .problems
        .iter()
        .filter(|p| p.error.code().starts_with('D'))
        .collect();
    assert_eq!(six.len(), 1, "{all}");
    let six = six[0];
    assert_eq!(six.level, Level::Error);
    assert_eq!(six.file.as_deref(), Some("03.xlsx"));
    assert_eq!(six.sheet.as_deref(), Some("Sheet1"));
    assert_eq!(six.error.row(), 2);
    assert_eq!(six.error.column_letter().as_deref(), Some("E"));
    assert_eq!(six.error.header(), Some("党委政府专题研究禁毒工作次数"));
    assert_eq!(six.error.unit(), Some("999001101"));
    let text = six.render(Lang::Zh);
    assert!(
        text.starts_with("03.xlsx（工作表“Sheet1”）：错误["),
        "{text}"
    );
    assert!(
        text.contains("第 2 行，E 列“党委政府专题研究禁毒工作次数”"),
        "{text}"
    );
    assert!(text.contains("提示") && text.contains('6'), "{text}");
    // 有 and √ are read as 是, and said, at their cells.
    let yes = find("F0107");
    assert_eq!(yes.len(), 2, "{all}");
    assert!(yes
        .iter()
        .all(|p| p.file.as_deref() == Some("02.xlsx") && p.level == Level::Note));
    assert_eq!(yes[0].error.column_letter().as_deref(), Some("G"));
    assert!(yes[0].render(Lang::Zh).contains("“有”已按“是”读入"));
    assert!(yes[1].render(Lang::Zh).contains("“√”已按“是”读入"));
    // A unit in a second sheet: read, and said.
    let other = find("F0105");
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].sheet.as_deref(), Some("Sheet2"));
    assert!(other[0].render(Lang::Zh).contains("填报表是“填报表”"));
    // 城关镇 twice, with different 失控人员数: both shown, with both files.
    let twice = find("F0101");
    assert_eq!(twice.len(), 1, "{all}");
    let t = twice[0].render(Lang::Zh);
    assert_eq!(twice[0].file.as_deref(), Some("06.xlsx"));
    assert!(
        t.contains("失控人员数：这里“3”，01-城关镇.xlsx（工作表“Sheet1”）第 4 行“2”"),
        "{t}"
    );
    let t_en = twice[0].render(Lang::En);
    assert!(
        t_en.contains("失控人员数: `3` here, `2` in 01-城关镇.xlsx (sheet `Sheet1`) row 4"),
        "{t_en}"
    );
    // The GBK CSV's unit again, the same: kept once.
    let same = find("F0102");
    assert_eq!(same.len(), 1);
    assert_eq!(same[0].file.as_deref(), Some("07.xlsx"));
    assert!(same[0].render(Lang::Zh).contains("05.csv 第 2 行"));
    // Not in the list: a stranger, and a mistyped code whose name the list knows.
    let strangers = find("F0104");
    assert_eq!(strangers.len(), 2);
    let (_, _, rows) = county();
    let hint = strangers[1].error.hint(Lang::Zh).unwrap().to_string();
    assert!(hint.contains(&rows[7][0]), "{hint}");
    // Nothing from 龙泉镇's neighbour at row 8 (mistyped) and the last township.
    let missing: Vec<String> = find("F0103")
        .iter()
        .map(|p| p.error.unit().unwrap().to_string())
        .collect();
    assert_eq!(missing, [rows[7][0].clone(), rows[19][0].clone()]);
    assert!(find("F0103")[0].file.is_none());
    // A name that is not the list's: noted, with both.
    let names = find("F0106");
    assert_eq!(names.len(), 1, "{all}");
    assert_eq!(names[0].level, Level::Note);
    let n = names[0].render(Lang::Zh);
    assert!(
        n.contains(&format!(
            "单位名称“{}人民政府”与名单中的“{}”不一致",
            rows[8][1], rows[8][1]
        )),
        "{n}"
    );
    assert_eq!(m.counts(), (6, 5), "{all}");
    // Every one of the twenty files is accounted for.
    assert_eq!(m.files.len(), 20);
    assert_eq!(m.files[2].errors, 1);
    assert_eq!(m.files[3].units, 2);
    assert_eq!(m.files[4].units, 1, "the GBK CSV");
    assert_eq!(m.files[9].notes, 1, "the name not the list's");
    let _ = rules;
}

#[test]
fn the_rest_is_merged_and_scores_as_the_same_data_in_one_csv() {
    let (rules, m) = merged();
    let units = m.units();
    // 20 listed − 城关镇 (twice, differing) − 龙泉镇's neighbour (六次) − two not returned.
    assert_eq!(units.len(), 16);
    let (_, header, rows) = county();
    let order = [1, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
    let mut csv = header.join(",") + "\n";
    for &i in &order {
        let mut row = rows[i].clone();
        if i == 8 {
            row[1] = format!("{}人民政府", row[1]); // as returned
        }
        csv.push_str(&(row.join(",") + "\n"));
    }
    let direct = kaohe::read(&rules, "same.csv", csv.as_bytes());
    assert!(direct.errors.is_empty());
    let values = |u: &[kaohe::Unit]| u.iter().map(|u| u.values().to_vec()).collect::<Vec<_>>();
    assert_eq!(values(&units), values(&direct.units));
    let a = rules.assess(&units, None).unwrap();
    let b = rules.assess(&direct.units, None).unwrap();
    assert_eq!(a.to_csv(), b.to_csv());
}

#[test]
fn the_merged_workbook_holds_every_row_and_a_check_sheet_of_every_problem() {
    let (rules, m) = merged();
    let bytes = m.xlsx(&rules, Lang::Zh).unwrap();
    assert_eq!(sheet_names(&bytes), ["合并数据", "数据核对"]);
    let data_rows = sheet_rows(&bytes, "合并数据");
    let head = &data_rows[0];
    assert_eq!(head[0], "单位编码");
    assert_eq!(
        &head[head.len() - 3..],
        ["来源文件", "来源工作表", "来源行"]
    );
    // Every row returned but the repeated identical one: 21.
    assert_eq!(data_rows.len(), 22);
    let row_of = |file: &str| {
        data_rows
            .iter()
            .position(|r| r.contains(&file.to_string()))
            .unwrap()
    };
    // 有 → 是; “六次” as written.
    let r02 = &data_rows[row_of("02.xlsx")];
    assert_eq!(r02[6], "是");
    assert_eq!(r02[7], "是");
    let r03 = &data_rows[row_of("03.xlsx")];
    assert_eq!(r03[4], "六次");
    // The bad cell and the differing cells are marked.
    let xml = common::xlsx_part(&bytes, "xl/worksheets/sheet1.xml");
    let styles = common::xlsx_part(&bytes, "xl/styles.xml");
    let style = |cell: &str| {
        let at = xml.find(&format!("<c r=\"{cell}\"")).unwrap();
        xml[at..at + 40].contains(" s=\"")
    };
    let r = row_of("03.xlsx") + 1;
    assert!(style(&format!("E{r}")), "the 六次 cell has a fill");
    assert!(!style(&format!("D{r}")));
    assert!(styles.contains("FFFFC7CE"));
    // 数据核对: one row per problem, with the file, sheet, row, column and the merged row.
    let check = sheet_rows(&bytes, "数据核对");
    assert_eq!(check.len(), m.problems.len() + 1);
    assert_eq!(
        check[0][..6],
        ["序号", "级别", "代码", "文件", "工作表", "行"]
    );
    let six = check
        .iter()
        .find(|r| r[3] == "03.xlsx" && r[1] == "错误")
        .unwrap();
    assert_eq!([&six[4], &six[5], &six[6]], ["Sheet1", "2", "E"]);
    assert_eq!(six[11], (row_of("03.xlsx") + 1).to_string());
    // The merged workbook is data: read again, its one bad cell is reported where it now is.
    let again = kaohe::read(&rules, "合并.xlsx", &bytes);
    let bad: Vec<_> = again.errors.iter().filter(|e| e.column() == 5).collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].row(), row_of("03.xlsx") + 1);
    // The same merge gives the same bytes.
    assert_eq!(bytes, merged().1.xlsx(&rules, Lang::Zh).unwrap());
}

#[test]
fn every_bundled_rule_sets_forms_filled_in_and_merged_score_like_one_csv() {
    for b in bundled::ALL {
        let rules = Rules::compile(b.rules_path, b.rules).unwrap();
        let csv = generated(&rules, 12, seed(b.id));
        let direct = kaohe::read(&rules, "data.csv", csv.as_bytes());
        let list = read_units(&rules, "data.csv", csv.as_bytes()).units;
        // One form for all, and one form per unit (each only with the fields it is assessed on).
        let all = template::xlsx(&template::form(&rules, Some(&list), None).unwrap()).unwrap();
        let mut each = Vec::new();
        for u in &list {
            let code = rules.unit_id(u);
            let form = template::form(&rules, Some(&list), Some(&code)).unwrap();
            each.push((format!("{code}.xlsx"), template::xlsx(&form).unwrap()));
        }
        for files in [vec![("all.xlsx".to_string(), all)], each] {
            let m = merge(&rules, &files, Some(&list));
            let values =
                |u: &[kaohe::Unit]| u.iter().map(|u| u.values().to_vec()).collect::<Vec<_>>();
            assert_eq!(values(&m.units()), values(&direct.units), "{}", b.id);
            assert!(
                m.problems.iter().all(|p| !p.error.code().starts_with('F')),
                "{}: {:?}",
                b.id,
                m.problems
            );
            let score = |u: &[kaohe::Unit]| match rules.assess(u, None) {
                Ok(r) => r.to_csv(),
                Err(e) => e.to_string(),
            };
            assert_eq!(score(&m.units()), score(&direct.units), "{}", b.id);
        }
    }
}

/// The CLI: `kaohe merge` prints every problem, a line per file and the totals, writes the
/// merged workbook and exits 4 (errors found); `kaohe assess` scores several files directly.
#[test]
fn the_cli_merges_and_assess_scores_several_files() {
    let dir = std::env::temp_dir().join(format!("kaohe-merge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (_, files, list) = returns();
    let mut paths = Vec::new();
    for (name, bytes) in &files {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        paths.push(p.display().to_string());
    }
    let units = dir.join("units.csv");
    std::fs::write(&units, &list).unwrap();
    let out = dir.join("合并.xlsx");
    let run = common::kaohe_zh;
    let mut args = vec!["merge", "county-antidrug"];
    args.extend(paths.iter().map(String::as_str));
    let units_arg = units.display().to_string();
    let out_arg = out.display().to_string();
    args.extend(["--units", &units_arg, "--out", &out_arg]);
    let o = run(&args);
    assert_eq!(
        o.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let said = String::from_utf8_lossy(&o.stdout);
    for want in [
        "错误[D0",
        "错误[F0101]",
        "错误[F0103]",
        "错误[F0104]",
        "说明[F0102]",
        "03.xlsx：1 个单位，1 处错误",
        "02.xlsx：1 个单位，2 处提示",
        "06.xlsx：1 个单位，1 处错误",
        "说明[F0107]",
        "合并 20 个文件：16 个单位可以计分；6 处错误，5 处提示",
        "10-柳溪镇.xlsx：1 个单位，1 处提示",
        "已写出",
    ] {
        assert!(said.contains(want), "{want}: {said}");
    }
    assert_eq!(sheet_names(&std::fs::read(&out).unwrap())[1], "数据核对");
    // A CSV merge; any other extension is refused.
    let csv_out = dir.join("合并.csv").display().to_string();
    let mut csv_args = args.clone();
    let last = csv_args.len() - 1;
    csv_args[last] = &csv_out;
    assert_eq!(run(&csv_args).status.code(), Some(4));
    let merged_csv = std::fs::read(&csv_out).unwrap();
    assert!(merged_csv.starts_with("\u{feff}单位编码,".as_bytes()));
    let bad_out = dir.join("合并.txt").display().to_string();
    csv_args[last] = &bad_out;
    let o = run(&csv_args);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("F0006"));
    // assess on the set of files: the errors stop it, --keep-going scores the rest.
    let mut assess = vec!["assess", "county-antidrug"];
    assess.extend(paths.iter().map(String::as_str));
    let o = run(&assess);
    assert_eq!(o.status.code(), Some(4));
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("20 个返回的文件"), "{said}");
    assess.extend(["--keep-going", "--format", "csv"]);
    let o = run(&assess);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8_lossy(&o.stdout);
    // Without a list, 18 units score: the 16, the stranger and the mistyped code.
    assert_eq!(table.lines().count(), 1 + 18, "{table}");
}
