//! Shared helpers for the topic tests: a prelude of fields, and one-call compile/read/assess.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
#![allow(dead_code)]

use kaohe::result::{Report, UnitResult};
use kaohe::{data, Rules};

/// Fields every small test rule set declares: `code`, `name`, `kind` (text), numbers `a`–`d`
/// (blank = 0), `r` (percent, optional) and `flag` (bool, blank = false).
pub const PRELUDE: &str = r#"
ruleset(#{ id: "t", title: "测试", max: 100, decimals: 2 });
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
    let ds = data::read_csv(&r.set, csv.as_bytes());
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
