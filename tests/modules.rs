//! Shared helper modules: a rule script may `import` them; errors in them name their own file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
use kaohe::Rules;

const HELPERS: &str = r#"
/// 满意度分档：≥ 98 → 5，≥ 95 → 3
fn rate_points(rate) { if rate >= 98 { 5 } else if rate >= 95 { 3 } else { 0 } }
export const STEP = 0.05;
"#;

const MAIN: &str = r#"
import "lib/helpers" as h;
ruleset(#{ id: "m", title: "模块" });
field("code", #{ label: "编码", type: "text" });
field("rate", #{ label: "满意度", type: "percent" });
field("n", #{ label: "次数", type: "int", if_blank: 0 });
unit(#{ id: "code" });
indicator("rate", #{ label: "满意度", max: 5, score: |u| h::rate_points(u.rate) });
indicator("steps", #{ label: "小项", max: 1, deduct: #{ count: "n", each: h::STEP } });
"#;

#[test]
fn a_rule_set_uses_functions_and_constants_from_a_helper_module() {
    let modules = vec![("lib/helpers".to_string(), HELPERS.to_string())];
    let rules = Rules::compile_with_modules("m.rhai", MAIN, &modules).unwrap();
    let ds = kaohe::read_csv(&rules, "编码,满意度,次数\nA,98.2,3\nB,95,0\n".as_bytes());
    let rep = rules.assess(&ds.units, None).unwrap();
    let pts: Vec<String> = rep
        .units
        .iter()
        .map(|u| u.total.unwrap().to_string())
        .collect();
    assert_eq!(pts, vec!["5.85", "4"]);
}

#[test]
fn a_missing_module_or_a_broken_one_is_reported_with_its_place() {
    let err = Rules::compile("m.rhai", MAIN).unwrap_err();
    assert_eq!(
        err.0[0].to_string(),
        "m.rhai:2:8: no helper module `lib/helpers`"
    );
    let modules = vec![("lib/helpers".to_string(), "fn broken( {".to_string())];
    let err = Rules::compile_with_modules("m.rhai", MAIN, &modules).unwrap_err();
    assert_eq!(err.0[0].location().file, "lib/helpers");
    assert_eq!(
        (err.0[0].location().line, err.0[0].location().column),
        (1, 12)
    );
}
