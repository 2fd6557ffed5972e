//! The data-collection form (`kaohe template`): headers `kaohe assess` reads back, Excel data
//! validation by type, locked cells from the list of units, header comments quoting the
//! indicators, the notes sheet, a unit's own form, and the same bytes for the same form. The
//! round trip through LibreOffice (headless) runs when `soffice` is installed.
#![cfg(feature = "spreadsheets")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::{generated, seed, sheet_names, sheet_rows, xlsx_part};
use kaohe::collect::{read_units, template};
use kaohe::{bundled, Rules};

/// Every type, a long `one_of` list, `only` by kind, a closure reading a field through a
/// script function, and a veto.
const RULES: &str = r#"
ruleset(#{ id: "form", title: "测试考核", max: 100, decimals: 2,
    issuer: "某县禁毒委员会办公室", period: "2026年上半年", document: "某禁毒办〔2026〕1号" });
field("code", #{ label: "单位编码", aliases: ["编码"], type: "text" });
field("name", #{ label: "单位名称", type: "text" });
field("kind", #{ label: "单位类别", type: "text", one_of: ["乡镇", "部门"] });
field("area_name", #{ label: "所属片区", type: "text", required: false, one_of: AREAS });
field("meetings", #{ label: "会议次数", type: "int" });
field("lost", #{ label: "失控人数", type: "int", if_blank: 0 });
field("area", #{ label: "种植面积", type: "number", if_blank: 0 });
field("reach", #{ label: "知晓率", type: "percent", required: false });
field("budget", #{ label: "经费到位", type: "bool", if_blank: true });
field("done", #{ label: "部门任务完成数", type: "int", if_blank: 0 });
field("memo", #{ label: "备注", type: "text", required: false });
unit(#{ id: "code", name: "name" });

fn helper(u) { u.reach / 5 + u.area * 0 }

indicator("meet", #{ label: "专题会议", max: 30, only: #{ field: "kind", equals: "乡镇" },
    bands: #{ value: "meetings", steps: [[4, 30], [1, 10]] }, text: "全年专题研究4次以上计30分，1至3次计10分" });
indicator("lost", #{ label: "失控人员", max: 30, deduct: #{ count: "lost", each: 5 }, text: "每失控1人扣5分" });
indicator("reach", #{ label: "知晓率", max: 20, score: |u| if u.reach == () { 20 } else { helper(u) },
    text: "知晓率按比例计分" });
indicator("dept", #{ label: "部门任务", max: 20, only: #{ field: "kind", equals: "部门" },
    target: #{ value: "done", at_least: 3, otherwise: "proportional" }, text: "完成3项以上计20分" });
veto("budget", #{ label: "经费未到位", when: #{ field: "budget", equals: false }, reason: "经费未列入预算，一票否决" });
"#;

/// Forty areas: a dropdown list longer than Excel's 255 characters.
fn rules() -> Rules {
    let areas: Vec<String> = (1..=40).map(|i| format!("\"第{i}片区网格\"")).collect();
    let src = format!("const AREAS = [{}];\n{RULES}", areas.join(", "));
    match Rules::compile("form.rhai", &src) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

const UNITS: &str =
    "单位编码,单位名称,单位类别\nT01,城关镇,乡镇\nT02,东山乡,乡镇\nD01,县教育局,部门\n";

fn form_bytes(rules: &Rules, units: Option<&str>, unit: Option<&str>) -> Vec<u8> {
    let list = units.map(|u| read_units(rules, "units.csv", u.as_bytes()).units);
    let form = template::form(rules, list.as_deref(), unit).unwrap();
    template::xlsx(&form).unwrap()
}

/// The value of an XML attribute in a tag's text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let tag = format!(" {tag}");
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[at..].find('"')?;
    Some(tag[at..at + end].to_string())
}

/// The data validations of a sheet's XML: (sqref, type, operator, formula1, formula2).
fn validations(xml: &str) -> Vec<[String; 5]> {
    xml.split("<dataValidation ")
        .skip(1)
        .map(|v| {
            let head = &v[..v.find('>').unwrap()];
            let body = &v[..v.find("</dataValidation>").unwrap_or(v.len())];
            let formula = |n: usize| {
                let open = format!("<formula{n}>");
                let close = format!("</formula{n}>");
                body.find(&open)
                    .map(|i| body[i + open.len()..body.find(&close).unwrap()].to_string())
                    .unwrap_or_default()
            };
            [
                attr(head, "sqref").unwrap_or_default(),
                attr(head, "type").unwrap_or_default(),
                attr(head, "operator").unwrap_or_default(),
                formula(1),
                formula(2),
            ]
        })
        .collect()
}

/// The cell formats of a workbook's styles part (`<cellXfs>`), by index: each `<xf …>` text.
fn cell_formats(styles: &str) -> Vec<&str> {
    let xfs = styles.split("<cellXfs").nth(1).unwrap();
    xfs.split("</cellXfs>")
        .next()
        .unwrap()
        .split("<xf ")
        .skip(1)
        .collect()
}

/// The validation over a column's cells.
fn validation_of(xml: &str, column: &str) -> [String; 5] {
    validations(xml)
        .into_iter()
        .find(|v| v[0].starts_with(&format!("{column}4:")))
        .unwrap_or_else(|| panic!("no validation on column {column}"))
}

#[test]
fn the_header_is_the_labels_id_and_name_first_below_a_title() {
    let r = rules();
    let bytes = form_bytes(&r, None, None);
    assert_eq!(sheet_names(&bytes), ["填报表", "说明", "选项"]);
    let rows = sheet_rows(&bytes, "填报表");
    assert!(rows[0][0].contains("测试考核"), "{:?}", rows[0]);
    assert!(
        rows[1][0].contains("考核期间：2026年上半年"),
        "{:?}",
        rows[1]
    );
    let labels: Vec<&str> = r.fields().map(|f| f.label).collect();
    assert_eq!(rows[2], labels);
    // `kaohe assess` reads the header back: every column is a field, none is missing.
    let ds = kaohe::read(&r, "form.xlsx", &bytes);
    assert!(ds.ignored_columns.is_empty(), "{:?}", ds.ignored_columns);
    assert!(ds.units.is_empty());
    assert!(
        ds.errors
            .iter()
            .all(|e| e.header().is_none() && e.row() == 0),
        "only `no rows below the header`: {:?}",
        ds.errors
    );
}

#[test]
fn every_bundled_rule_set_gives_a_form_whose_header_assess_reads_back() {
    for b in bundled::ALL {
        let r = Rules::compile(b.rules_path, b.rules).unwrap();
        let bytes = form_bytes(&r, None, None);
        let header = &sheet_rows(&bytes, "填报表")[2];
        assert_eq!(header.len(), r.fields().len(), "{}", b.id);
        let id_label = r.fields().nth(r.id_field()).unwrap().label;
        assert_eq!(*header[0], *id_label, "{}", b.id);
        let ds = kaohe::read(&r, "form.xlsx", &bytes);
        assert!(ds.ignored_columns.is_empty(), "{}", b.id);
        assert!(
            ds.errors.iter().all(|e| e.header().is_none()),
            "{}: {:?}",
            b.id,
            ds.errors
        );
        // Filled with generated values (as a list that gives every column), it reads back as
        // the same data does from CSV.
        let csv = generated(&r, 12, seed(b.id));
        let filled = form_bytes(&r, Some(&csv), None);
        let from_form = kaohe::read(&r, "form.xlsx", &filled);
        let from_csv = kaohe::read(&r, "data.csv", csv.as_bytes());
        let values = |d: &kaohe::Dataset| {
            d.units
                .iter()
                .map(|u| u.values().to_vec())
                .collect::<Vec<_>>()
        };
        assert_eq!(values(&from_form), values(&from_csv), "{}", b.id);
        let found = |d: &kaohe::Dataset| d.errors.len() + d.errors_omitted;
        assert_eq!(found(&from_form), found(&from_csv), "{}", b.id);
    }
}

#[test]
fn each_type_gets_its_validation_and_message() {
    let r = rules();
    let bytes = form_bytes(&r, None, None);
    let xml = xlsx_part(&bytes, "xl/worksheets/sheet1.xml");
    let last = template::BLANK_ROWS + 3;
    // one_of: a dropdown of its values.
    let kind = validation_of(&xml, "C");
    assert_eq!(kind[1], "list");
    assert_eq!(kind[3], "\"乡镇,部门\"");
    assert_eq!(kind[0], format!("C4:C{last}"));
    // A list over Excel's 255 characters: from the hidden sheet 选项.
    let areas = validation_of(&xml, "D");
    assert_eq!(areas[1], "list");
    assert_eq!(areas[3], "'选项'!$A$1:$A$40");
    let lists = sheet_rows(&bytes, "选项");
    assert_eq!(lists.len(), 40);
    assert_eq!(lists[39][0], "第40片区网格");
    assert!(xlsx_part(&bytes, "xl/workbook.xml").contains("state=\"hidden\""));
    // Whole numbers from 0; decimals; percentages 0–100; 是/否.
    for column in ["E", "F", "J"] {
        let v = validation_of(&xml, column);
        assert_eq!(
            [&v[1], &v[2], &v[3]],
            ["whole", "greaterThanOrEqual", "0"],
            "{column}"
        );
    }
    assert_eq!(validation_of(&xml, "G")[1], "decimal");
    let pct = validation_of(&xml, "H");
    assert_eq!([&pct[1], &pct[3], &pct[4]], ["decimal", "0", "100"]);
    let yes_no = validation_of(&xml, "I");
    assert_eq!([&yes_no[1], &yes_no[3]], ["list", "\"是,否\""]);
    // Text takes anything; a wrong entry is refused (stop) with how to fill it in.
    assert_eq!(validation_of(&xml, "K")[1], "");
    let int = xml
        .split("<dataValidation ")
        .skip(1)
        .find(|v| v.contains("sqref=\"E4:"))
        .unwrap();
    assert!(int.contains("showErrorMessage=\"1\""));
    assert!(!int.contains("errorStyle"), "the default style, stop");
    assert!(int.contains("不要写“六次”"), "{int}");
    assert!(
        int.contains("必须填写"),
        "the input message says it is required"
    );
}

#[test]
fn required_headers_are_orange_and_a_blank_required_cell_is_shaded() {
    let r = rules();
    let bytes = form_bytes(&r, Some(UNITS), None);
    let xml = xlsx_part(&bytes, "xl/worksheets/sheet1.xml");
    let styles = xlsx_part(&bytes, "xl/styles.xml");
    let fills = cell_formats(&styles);
    let style_of = |cell: &str| -> &str {
        let at = xml.find(&format!("<c r=\"{cell}\"")).unwrap();
        let s = attr(&xml[at..at + 40], "s").unwrap();
        fills[s.parse::<usize>().unwrap()]
    };
    // 会议次数 (E) is required; 失控人数 (F) has a default; their headers differ.
    assert_ne!(
        attr(style_of("E3"), "fillId"),
        attr(style_of("F3"), "fillId")
    );
    assert_eq!(
        attr(style_of("E3"), "fillId"),
        attr(style_of("A3"), "fillId")
    );
    // Shading: a formula on each required column, none on the others.
    for column in ["A", "B", "C", "E"] {
        assert!(
            xml.contains(&format!(
                "<conditionalFormatting sqref=\"{column}4:{column}6\">"
            )),
            "{column}"
        );
    }
    assert!(!xml.contains("<conditionalFormatting sqref=\"F4:"));
    assert!(xml.contains("AND($A4&lt;&gt;\"\",E4=\"\")"));
}

#[test]
fn listed_units_are_filled_in_and_locked_the_rest_open() {
    let r = rules();
    let bytes = form_bytes(&r, Some(UNITS), None);
    let rows = sheet_rows(&bytes, "填报表");
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[3][..3], ["T01", "城关镇", "乡镇"]);
    assert_eq!(rows[5][..3], ["D01", "县教育局", "部门"]);
    assert!(rows[5][4].is_empty());
    let xml = xlsx_part(&bytes, "xl/worksheets/sheet1.xml");
    let styles = xlsx_part(&bytes, "xl/styles.xml");
    let xfs = cell_formats(&styles);
    let unlocked = |s: &str| xfs[s.parse::<usize>().unwrap()].contains("locked=\"0\"");
    // The sheet is protected; a filled-in cell is locked; the columns' cells are open.
    assert!(xml.contains("<sheetProtection sheet=\"1\""));
    let at = xml.find("<c r=\"A4\"").unwrap();
    assert!(!unlocked(&attr(&xml[at..at + 30], "s").unwrap()));
    let cols: Vec<&str> = xml.split("<col ").skip(1).collect();
    assert_eq!(cols.iter().filter(|c| c.contains("min=\"5\"")).count(), 1);
    for c in &cols {
        assert!(unlocked(&attr(c, "style").unwrap()), "{c}");
    }
    // Validations cover the listed rows.
    assert!(
        validation_of(&xml, "E")[0].ends_with("E4:E6") || validation_of(&xml, "E")[0] == "E4:E6"
    );
}

#[test]
fn a_header_comment_quotes_the_indicators_that_use_the_field() {
    let r = rules();
    let bytes = form_bytes(&r, None, None);
    let comments = xlsx_part(&bytes, "xl/comments1.xml");
    let comment = |cell: &str| -> String {
        let at = comments.find(&format!("<comment ref=\"{cell}\"")).unwrap();
        let end = comments[at..].find("</comment>").unwrap();
        comments[at..at + end].to_string()
    };
    let meetings = comment("E3");
    assert!(meetings.contains("【指标】专题会议（30分）"), "{meetings}");
    assert!(meetings.contains("全年专题研究4次以上计30分"), "{meetings}");
    // `only` reads the kind; a veto reads 经费到位.
    assert!(comment("C3").contains("专题会议（30分）（判断是否考核）"));
    assert!(comment("I3").contains("【一票否决】经费未到位：经费未列入预算，一票否决"));
    // A closure reads 知晓率, and through the script function it calls, 种植面积.
    assert!(comment("H3").contains("【指标】知晓率（20分）"));
    assert!(
        comment("G3").contains("【指标】知晓率（20分）"),
        "{}",
        comment("G3")
    );
    // An identity field is said to be one.
    assert!(comment("A3").contains("用于识别或分组单位"));
    // Linked values (捆绑考核) are named as such.
    let b = bundled::ALL
        .iter()
        .find(|b| b.id == "bundled-assessment")
        .unwrap();
    let rb = Rules::compile(b.rules_path, b.rules).unwrap();
    let form = template::form(&rb, None, None).unwrap();
    let brigade = form
        .columns
        .iter()
        .find(|c| c.label == "捆绑刑警大队编码")
        .unwrap();
    assert!(brigade.note.contains("关联计分"), "{}", brigade.note);
}

#[test]
fn the_notes_sheet_has_the_title_period_issuer_instructions_and_items() {
    let r = rules();
    let bytes = form_bytes(&r, Some(UNITS), None);
    let rows = sheet_rows(&bytes, "说明");
    let all: Vec<String> = rows.iter().map(|r| r.join("|")).collect();
    let has = |s: &str| all.iter().any(|l| l.contains(s));
    assert!(has("考核办法|测试考核"));
    assert!(has("发文单位|某县禁毒委员会办公室"));
    assert!(has("考核期间|2026年上半年"));
    assert!(has("文号|某禁毒办〔2026〕1号"));
    assert!(has("填报须知"));
    assert!(has("已预先填好并锁定"));
    assert!(has("不要写“六次”"));
    assert!(has("列|项目|类型|必填|可填的值|留空时|用于"));
    assert!(has(
        "F|失控人数|整数|可空|0 或正整数|按“0”计|【指标】失控人员（30分）：每失控1人扣5分"
    ));
}

#[test]
fn a_units_own_form_has_one_row_and_only_the_fields_it_is_assessed_on() {
    let r = rules();
    let labels = |bytes: &[u8]| sheet_rows(bytes, "填报表")[2].clone();
    let town = form_bytes(&r, Some(UNITS), Some("T02"));
    let rows = sheet_rows(&town, "填报表");
    assert_eq!(rows.len(), 4, "one row");
    assert!(rows[0][0].contains("（东山乡）"));
    assert!(labels(&town).contains(&"会议次数".to_string()));
    assert!(!labels(&town).contains(&"部门任务完成数".to_string()));
    // By name too; a department's form has its field and not the town's optional ones.
    let dept = form_bytes(&r, Some(UNITS), Some("县教育局"));
    assert!(labels(&dept).contains(&"部门任务完成数".to_string()));
    // 会议次数 is required (no default): it stays, as the rule set reads it.
    assert!(labels(&dept).contains(&"会议次数".to_string()));
    // A unit's form reads back as its unit.
    let ds = kaohe::read(&r, "t02.xlsx", &town);
    assert!(ds.ignored_columns.is_empty());
    // Mistakes: no list, or a unit not in it.
    let list = read_units(&r, "units.csv", UNITS.as_bytes()).units;
    assert_eq!(
        template::form(&r, None, Some("T01")).unwrap_err().code(),
        "F0003"
    );
    let e = template::form(&r, Some(&list), Some("T03")).unwrap_err();
    assert_eq!(e.code(), "F0002");
    let zh = kaohe::Lang::Zh;
    assert!(e.hint(zh).unwrap().contains("T01") || e.message(zh).contains("T03"));
}

#[test]
fn a_bundled_units_own_form_leaves_out_the_other_kinds_items() {
    let b = bundled::ALL
        .iter()
        .find(|b| b.id == "demonstration-county")
        .unwrap();
    let r = Rules::compile(b.rules_path, b.rules).unwrap();
    let units = "单位编码,单位名称,单位类别\nZ01,城关镇,乡镇\nB01,县教育局,部门\n";
    let list = read_units(&r, "units.csv", units.as_bytes()).units;
    let fields = |code: &str| -> Vec<String> {
        let form = template::form(&r, Some(&list), Some(code)).unwrap();
        form.columns
            .iter()
            .map(|c| r.fields().nth(c.field).unwrap().name.to_string())
            .collect()
    };
    let town = fields("Z01");
    let dept = fields("B01");
    assert!(town.iter().any(|f| f.starts_with("t_")));
    assert!(!town.iter().any(|f| f.starts_with("d_")), "{town:?}");
    assert!(dept.iter().any(|f| f.starts_with("d_")));
    assert!(!dept.iter().any(|f| f.starts_with("t_")), "{dept:?}");
    // Both keep the bonus and veto items, which every unit is assessed on.
    for f in ["b_national", "v_lab"] {
        assert!(town.contains(&f.to_string()) && dept.contains(&f.to_string()));
    }
}

#[test]
fn the_same_form_gives_the_same_bytes() {
    let r = rules();
    assert_eq!(
        form_bytes(&r, Some(UNITS), None),
        form_bytes(&r, Some(UNITS), None)
    );
}

/// The CLI writes the form and says what it wrote; a unit not in the list is a usage error.
#[test]
fn the_cli_writes_a_form() {
    let dir = std::env::temp_dir().join(format!("kaohe-template-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let units = dir.join("units.csv");
    std::fs::write(
        &units,
        "单位编码,单位名称\n999001100,城关镇\n999001001,东城街道\n",
    )
    .unwrap();
    let out = dir.join("表.xlsx");
    let run = common::kaohe_zh;
    let o = run(&[
        "template",
        "county-antidrug",
        "--units",
        units.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains("已写出填报表") && said.contains("2 个单位"),
        "{said}"
    );
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(sheet_rows(&bytes, "填报表")[4][1], "东城街道");
    let o = run(&[
        "template",
        "county-antidrug",
        "--units",
        units.to_str().unwrap(),
        "--unit",
        "999001002",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(
        said.contains("错误[F0002]") && said.contains("999001001"),
        "{said}"
    );
    // The file from before is untouched.
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
}

/// A Python that has LibreOffice's `uno` module, when `soffice` is installed too.
fn libreoffice() -> Option<String> {
    let runs = |cmd: &str, args: &[&str]| {
        std::process::Command::new(cmd)
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !runs("soffice", &["--version"]) {
        return None;
    }
    ["python3", "/usr/bin/python3"]
        .into_iter()
        .find(|p| runs(p, &["-c", "import uno"]))
        .map(str::to_string)
}

/// Values to type into a form's column: one its validation must refuse (row 4) and one it
/// must take (row 5); `None` for free text.
/// A spreadsheet's column letter for a 1-based column: 1 → `A`, 27 → `AA`.
fn column_letter(column: usize) -> String {
    let (mut n, mut out) = (column, Vec::new());
    while n > 0 {
        out.push(b'A' + u8::try_from((n - 1) % 26).unwrap());
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

fn probes(column: &template::Column) -> Option<(String, String)> {
    use kaohe::FieldType;
    if let Some(first) = column.choices.first() {
        return Some(("不在选项中".into(), first.clone()));
    }
    Some(match column.ty {
        FieldType::Text => return None,
        FieldType::Int => ("六次".into(), "6".into()),
        FieldType::Number => ("约5亩".into(), "-2.5".into()),
        FieldType::Percent => ("150".into(), "96.5".into()),
        FieldType::Bool => unreachable!("a yes/no column has choices"),
        _ => return None,
    })
}

/// Runs tests/libreoffice/validate.py on `jobs` (form, resaved, entries) in one LibreOffice.
fn in_libreoffice(python: &str, jobs: &serde_json::Value) -> Vec<serde_json::Value> {
    let dir = std::env::temp_dir().join(format!("kaohe-lo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("jobs.json");
    std::fs::write(&spec, jobs.to_string()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/libreoffice/validate.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(&spec)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).unwrap()
}

/// The cells a result found invalid.
fn circled(result: &serde_json::Value) -> Vec<String> {
    result["invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// The forms in LibreOffice (headless, over UNO: tests/libreoffice/validate.py). Every bundled
/// rule set's form refuses a wrong value typed into each of its checked columns and takes a
/// right one; the test form's every kind of validation does too. Saved again by LibreOffice,
/// a form keeps its validations, comments and protection, and `kaohe assess` still reads its
/// header.
#[test]
fn libreoffice_rejects_wrong_values_and_keeps_the_validations() {
    let Some(python) = libreoffice() else {
        println!(
            "note: LibreOffice round trip skipped: `soffice` or Python's `uno` is not installed \
             (apt-get install libreoffice-calc-nogui python3-uno)"
        );
        return;
    };
    let dir = std::env::temp_dir().join(format!("kaohe-lo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let r = rules();
    let test_entries = [
        ("C4", "街道", false),
        ("D4", "第99片区网格", false),
        ("D5", "第3片区网格", true),
        ("E4", "六次", false),
        ("E5", "6", true),
        ("E6", "2.5", false),
        ("F4", "-1", false),
        ("G4", "abc", false),
        ("G5", "-3.5", true),
        ("H4", "150", false),
        ("H5", "96.5", true),
        ("I4", "有", false),
        ("I5", "否", true),
    ];
    let mut jobs = Vec::new();
    let mut wrong: Vec<Vec<String>> = Vec::new();
    let mut forms: Vec<(String, Rules)> = Vec::new();
    let form = dir.join("test.xlsx");
    std::fs::write(&form, form_bytes(&r, Some(UNITS), None)).unwrap();
    let entries: serde_json::Map<String, serde_json::Value> = test_entries
        .iter()
        .map(|(c, v, _)| (c.to_string(), (*v).into()))
        .collect();
    jobs.push(serde_json::json!({
        "form": form, "resaved": dir.join("test.resaved.xlsx"), "entries": entries,
    }));
    let mut bad: Vec<String> = test_entries
        .iter()
        .filter(|(_, _, ok)| !ok)
        .map(|(c, ..)| c.to_string())
        .collect();
    bad.sort();
    wrong.push(bad);
    forms.push(("test".into(), r));
    for b in bundled::ALL {
        let rb = Rules::compile(b.rules_path, b.rules).unwrap();
        let form = template::form(&rb, None, None).unwrap();
        let path = dir.join(format!("{}.xlsx", b.id));
        std::fs::write(&path, template::xlsx(&form).unwrap()).unwrap();
        let mut entries = serde_json::Map::new();
        let mut bad = Vec::new();
        for (i, c) in form.columns.iter().enumerate() {
            let Some((no, yes)) = probes(c) else { continue };
            let letter = column_letter(i + 1);
            entries.insert(format!("{letter}4"), no.into());
            entries.insert(format!("{letter}5"), yes.into());
            bad.push(format!("{letter}4"));
        }
        bad.sort();
        wrong.push(bad);
        jobs.push(serde_json::json!({
            "form": path, "resaved": dir.join(format!("{}.resaved.xlsx", b.id)), "entries": entries,
        }));
        forms.push((b.id.to_string(), rb));
    }
    let results = in_libreoffice(&python, &serde_json::Value::Array(jobs.clone()));
    assert_eq!(results.len(), forms.len());
    for (((id, rules), result), (job, wrong)) in
        forms.iter().zip(&results).zip(jobs.iter().zip(&wrong))
    {
        assert!(!wrong.is_empty(), "{id}");
        assert_eq!(&circled(result), wrong, "{id}: {result}");
        // Saved again by LibreOffice: still the form, with its validations.
        let bytes = std::fs::read(job["resaved"].as_str().unwrap()).unwrap();
        let xml = xlsx_part(&bytes, "xl/worksheets/sheet1.xml");
        assert_eq!(
            validations(&xml)
                .iter()
                .filter(|v| !v[1].is_empty() && v[1] != "none")
                .count(),
            validations(&form_xml(rules, id == "test"))
                .iter()
                .filter(|v| !v[1].is_empty())
                .count(),
            "{id}"
        );
        assert!(xml.contains("<sheetProtection"), "{id}");
        let ds = kaohe::read(rules, "resaved.xlsx", &bytes);
        assert!(
            ds.ignored_columns.is_empty(),
            "{id}: {:?}",
            ds.ignored_columns
        );
        assert!(
            ds.errors
                .iter()
                .all(|e| e.header().is_none() || e.row() > 3),
            "{id}: {:?}",
            ds.errors
        );
    }
    let test = &results[0];
    assert_eq!(test["validation"]["E4"], "WHOLE");
    assert_eq!(test["validation"]["H4"], "DECIMAL");
    assert_eq!(test["validation"]["D4"], "LIST");
    let bytes = std::fs::read(dir.join("test.resaved.xlsx")).unwrap();
    // (LibreOffice splits a comment into runs by script: the Chinese words stay whole.)
    assert!(xlsx_part(&bytes, "xl/comments1.xml").contains("【指标】专题会议（"));
}

/// The form's sheet XML as kaohe writes it (the test form with its units, a bundled one blank).
fn form_xml(rules: &Rules, listed: bool) -> String {
    let bytes = form_bytes(rules, listed.then_some(UNITS), None);
    xlsx_part(&bytes, "xl/worksheets/sheet1.xml")
}
