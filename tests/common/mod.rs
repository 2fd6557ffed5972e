//! Shared helpers for the topic tests: a prelude of fields, and one-call compile/read/assess.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
#![allow(dead_code)]

use kaohe::result::{Report, UnitResult};
use kaohe::Rules;

/// Fields every small test rule set declares: `code`, `name`, `kind` (text), numbers `a`–`d`
/// (blank = 0), `r` (percent, optional) and `flag` (bool, blank = false).
pub const PRELUDE: &str = r#"
ruleset(#{ id: "t", title: "测试", decimals: 2 });
field("code", #{ label: "编码", type: "text" });
field("name", #{ label: "名称", type: "text" });
field("kind", #{ label: "类别", type: "text", if_blank: "乡镇" });
field("a", #{ label: "甲", type: "number", if_blank: 0 });
field("b", #{ label: "乙", type: "number", if_blank: 0 });
field("c", #{ label: "丙", type: "int", if_blank: 0 });
field("d", #{ label: "丁", type: "int", if_blank: 0 });
field("r", #{ label: "比率", type: "percent", required: false });
field("flag", #{ label: "标志", type: "bool", if_blank: false });
unit(#{ id: "code", name: "name" });
"#;

/// The prelude with more keys in its `ruleset(…)`, such as `max: 100, base: 100`.
pub fn prelude_with(keys: &str) -> String {
    PRELUDE.replace(
        r#"ruleset(#{ id: "t", title: "测试", decimals: 2 });"#,
        &format!(r#"ruleset(#{{ id: "t", title: "测试", decimals: 2, {keys} }});"#),
    )
}

/// Compiles the prelude followed by `body`, panicking with every error on failure.
pub fn rules(body: &str) -> Rules {
    let src = format!("{PRELUDE}{body}");
    match Rules::compile("t.rhai", &src) {
        Ok(r) => r,
        Err(e) => panic!("rules did not compile:\n{e}"),
    }
}

/// Runs `body` over CSV rows given as `code,name,kind,a,b,c,d,r,flag` lines.
pub fn assess(body: &str, rows: &str) -> Report {
    let r = rules(body);
    let csv = format!("编码,名称,类别,甲,乙,丙,丁,比率,标志\n{rows}");
    let ds = kaohe::read_csv(&r, csv.as_bytes());
    assert!(ds.errors.is_empty(), "data errors: {:?}", ds.errors);
    match r.assess(&ds.units, None) {
        Ok(rep) => rep,
        Err(e) => panic!("assessment failed:\n{e}"),
    }
}

/// The unit with this id.
pub fn unit<'a>(rep: &'a Report, id: &str) -> &'a UnitResult {
    rep.units
        .iter()
        .find(|u| u.id == id)
        .unwrap_or_else(|| panic!("no unit `{id}` in the result"))
}

/// An item's points as text, e.g. `"4.5"`.
pub fn points(rep: &Report, id: &str, item: &str) -> String {
    unit(rep, id)
        .items
        .iter()
        .find(|i| i.id == item)
        .unwrap_or_else(|| panic!("unit `{id}` has no item `{item}`"))
        .points
        .to_string()
}

/// A unit's exact total as text.
pub fn total(rep: &Report, id: &str) -> String {
    unit(rep, id)
        .total
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Every compile error of a script that must not compile.
pub fn errors_of(name: &str, src: &str) -> Vec<kaohe::RuleError> {
    match Rules::compile(name, src) {
        Ok(_) => panic!("expected compile errors"),
        Err(e) => e.0,
    }
}

/// Every compile error rendered as `file:line:col: message`.
pub fn compile_errors(src: &str) -> Vec<String> {
    errors_of("bad.rhai", src)
        .iter()
        .map(|e| e.to_string())
        .collect()
}

/// A small deterministic generator (a linear congruential one: the same numbers everywhere).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// `units` rows for a rule set from its declared fields alone: ids and names, each allowed
/// value of a `one_of` field in turn, small counts (mostly 0), numbers and percentages near
/// the top of their range, 是/否 mostly 否; a blank now and then where the field may be blank.
pub fn generated(rules: &Rules, units: usize, seed: u64) -> String {
    use kaohe::FieldType;
    let mut rng = Lcg(seed);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(rules.fields().map(|f| f.label)).unwrap();
    for u in 0..units {
        let row: Vec<String> = rules
            .fields()
            .enumerate()
            .map(|(i, f)| {
                if i == rules.id_field() {
                    return format!("G{u:05}");
                }
                if Some(i) == rules.name_field() {
                    return format!("单位{u}");
                }
                if !f.one_of.is_empty() {
                    return f.one_of[u % f.one_of.len()].clone();
                }
                let may_be_blank = !f.required || f.default.is_some();
                if may_be_blank && rng.next(10) == 0 {
                    return String::new();
                }
                match f.ty {
                    FieldType::Text => format!("文本{}", rng.next(5)),
                    FieldType::Int => match rng.next(4) {
                        0 | 1 => "0".into(),
                        2 => rng.next(3).to_string(),
                        _ => rng.next(12).to_string(),
                    },
                    FieldType::Number => format!("{}.{}", rng.next(100), rng.next(100)),
                    // Within the default range of a percentage (0–100).
                    FieldType::Percent => match (80 + rng.next(21), rng.next(10)) {
                        (100, _) => "100.0%".into(),
                        (whole, tenth) => format!("{whole}.{tenth}%"),
                    },
                    FieldType::Bool => if rng.next(6) == 0 { "是" } else { "否" }.into(),
                    _ => String::new(),
                }
            })
            .collect();
        w.write_record(&row).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// The seed of a rule set's generated units: from its id, so a rule set added does not change
/// the others' data.
pub fn seed(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, c| {
        (h ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The text of one part of an XLSX (a zip), such as `xl/worksheets/sheet1.xml`.
#[cfg(feature = "spreadsheets")]
pub fn xlsx_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut part = zip
        .by_name(name)
        .unwrap_or_else(|_| panic!("no part {name}"));
    let mut text = String::new();
    part.read_to_string(&mut text).unwrap();
    text
}

/// A sheet of an XLSX as calamine reads it: rows of cell texts (numbers as they print).
#[cfg(feature = "spreadsheets")]
pub fn sheet_rows(bytes: &[u8], sheet: &str) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut rows = vec![Vec::new(); r0 as usize];
    for row in range.rows() {
        let mut cells = vec![String::new(); c0 as usize];
        cells.extend(row.iter().map(|c| c.to_string()));
        rows.push(cells);
    }
    rows
}

/// The sheets' names of an XLSX, in order.
#[cfg(feature = "spreadsheets")]
pub fn sheet_names(bytes: &[u8]) -> Vec<String> {
    use calamine::Reader;
    let book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    book.sheet_names().to_vec()
}

/// Runs the `kaohe` binary under a Chinese locale (`LANG`; `LC_ALL` and `LC_MESSAGES` unset).
pub fn kaohe_zh(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(args)
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .unwrap()
}
