//! What a 通报 needs beside the points: last period's total and the change (上期得分, 分差),
//! the remarks that say why a grade or rank is what it is (备注), the issuing body and period,
//! the change of rank in words (↑2/↓1/持平), and workbooks that keep the published decimals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
use std::path::PathBuf;
use std::process::{Command, Output};

fn kaohe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("LC_ALL")
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap()
}

fn scratch(name: &str, content: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaohe-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

/// Last period's result: this period's, with 城关镇 at 99.50 and 东城街道 at 98.00 instead.
fn previous() -> PathBuf {
    let out = kaohe(&["assess", "--format", "json"]);
    assert!(out.status.success());
    let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for u in v["units"].as_array_mut().unwrap() {
        let (total, rank) = match u["name"].as_str().unwrap() {
            "城关镇" => ("99.50", 2),
            "东城街道" => ("98.00", 1),
            _ => continue,
        };
        u["total_display"] = total.into();
        u["rank"] = rank.into();
    }
    scratch("prev.json", serde_json::to_string(&v).unwrap().as_bytes())
}

#[test]
fn last_period_gives_previous_total_and_change_in_every_format() {
    let prev = previous();
    let prev = prev.to_str().unwrap();
    let json = kaohe(&["assess", "--previous", prev, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let unit = |name: &str| {
        v["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"] == name)
            .unwrap()
            .clone()
    };
    let cg = unit("城关镇");
    assert_eq!(cg["previous_total"], serde_json::json!(99.5));
    assert_eq!(cg["total_change"], serde_json::json!(1.5));
    assert_eq!(cg["rank_change"], serde_json::json!(1));
    assert_eq!(unit("东城街道")["total_change"], serde_json::json!(-0.3));
    assert_eq!(unit("龙泉镇")["total_change"], serde_json::json!(0));

    let csv = String::from_utf8(kaohe(&["assess", "--previous", prev, "--format", "csv"]).stdout)
        .unwrap();
    let head: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(
        head[..12],
        [
            "名次",
            "单位编码",
            "单位名称",
            "分组",
            "总分",
            "等次",
            "名次变化",
            "一票否决",
            "处理结果",
            "上期得分",
            "分差",
            "备注"
        ]
    );
    let row = csv.lines().find(|l| l.contains("城关镇")).unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(cells[4..7], ["101.00", "先进", "↑1"]);
    assert_eq!(cells[9..11], ["99.50", "1.50"]);
    let row = csv.lines().find(|l| l.contains("东城街道")).unwrap();
    assert!(row.contains(",↓1,"), "{row}");
    assert!(row.contains(",98.00,-0.30,"), "{row}");

    let table = String::from_utf8(kaohe(&["assess", "--previous", prev]).stdout).unwrap();
    let line = table.lines().find(|l| l.contains("城关镇")).unwrap();
    assert!(
        line.contains("↑1") && line.contains("99.50") && line.contains("+1.50"),
        "{line}"
    );
    assert!(table
        .lines()
        .any(|l| l.contains("龙泉镇") && l.contains("持平")));
}

#[test]
fn remarks_say_why_a_grade_or_rank_is_not_what_the_points_say() {
    let json = kaohe(&["assess", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let remarks = |name: &str| -> Vec<String> {
        let u = v["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"] == name)
            .unwrap();
        serde_json::from_value(u["remarks"].clone()).unwrap()
    };
    // 石桥镇: 96.80 earns 先进, but a prerequisite (必备条件) is missing.
    assert_eq!(
        remarks("石桥镇"),
        ["未满足必备条件（全年无吸毒人员肇事肇祸案事件），由先进评为合格"]
    );
    assert_eq!(
        remarks("云雾乡"),
        ["一票否决（禁种铲毒工作失控、致县被上级戴帽），等次定为不合格，排在最后"]
    );
    assert!(remarks("城关镇").is_empty());
    let csv = String::from_utf8(kaohe(&["assess", "--format", "csv"]).stdout).unwrap();
    assert!(csv.lines().next().unwrap().contains(",处理结果,备注,"));
}

#[test]
fn the_rule_set_names_its_issuer_period_and_document_number() {
    let rules = scratch(
        "pub.rhai",
        "ruleset(#{ id: \"p\", title: \"测试\", issuer: \"某县禁毒委员会办公室\", period: \"2026年上半年\", document: \"某禁毒办〔2026〕12号\" });\nfield(\"code\", #{ label: \"编码\", type: \"text\" });\nfield(\"n\", #{ label: \"次数\", type: \"int\" });\nunit(#{ id: \"code\" });\nindicator(\"a\", #{ label: \"甲\", max: 5, zero: \"n\" });\n".as_bytes(),
    );
    let data = scratch("pub.csv", "编码,次数\n1,0\n".as_bytes());
    let out = kaohe(&[
        "assess",
        rules.to_str().unwrap(),
        data.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rule_set"]["issuer"], "某县禁毒委员会办公室");
    assert_eq!(v["rule_set"]["period"], "2026年上半年");
    assert_eq!(v["rule_set"]["document"], "某禁毒办〔2026〕12号");
}

#[test]
fn a_workbook_keeps_the_published_decimals_and_writes_rank_change_in_words() {
    let prev = previous();
    let out_path = std::env::temp_dir().join(format!("kaohe-report-{}/r.xlsx", std::process::id()));
    let out = kaohe(&[
        "assess",
        "--previous",
        prev.to_str().unwrap(),
        "--format",
        "xlsx",
        "--out",
        out_path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = std::fs::File::open(&out_path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let read = |zip: &mut zip::ZipArchive<std::fs::File>, name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let styles = read(&mut zip, "xl/styles.xml");
    assert!(styles.contains("formatCode=\"0.00\""), "{styles}");
    let strings = read(&mut zip, "xl/sharedStrings.xml");
    for words in ["↑1", "↓1", "持平", "上期得分", "分差", "备注"] {
        assert!(strings.contains(words), "{words}");
    }
    // 97.70 is the number 97.7 shown with two decimals: a cell with a style, not text.
    let sheet = read(&mut zip, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<v>97.7</v>"), "97.7 stored as a number");
    let styled = sheet
        .split("<c ")
        .filter(|c| c.contains("<v>97.7</v>"))
        .all(|c| c.contains(" s=\""));
    assert!(styled, "97.7 carries a number format");
}
