//! Every rule set's own test cases (`rules/NAME.cases.json`) and every deliberately broken
//! rule file (`rules/broken/`), run through the same harness as `kaohe test`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use kaohe::Lang;
use kaohe::{cases, Rules};
use std::path::{Path, PathBuf};

fn rhai_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rhai"))
        .collect();
    out.sort();
    out
}

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

#[test]
fn every_rule_set_passes_its_cases_and_exercises_every_veto_and_band() {
    let mut problems = Vec::new();
    let files = rhai_files(&rules_dir());
    assert!(!files.is_empty());
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        let mut rules = match Rules::compile(&name, &source) {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{name}: does not compile:\n{e}"));
                continue;
            }
        };
        let Ok(case_text) = std::fs::read_to_string(path.with_extension("cases.json")) else {
            problems.push(format!("{name}: has no cases file"));
            continue;
        };
        let dir = rules_dir();
        let load = move |rel: &str| std::fs::read(dir.join(rel));
        let suite = cases::run_cases(&mut rules, &case_text, &load).unwrap();
        assert!(!suite.cases.is_empty(), "{name} has no cases");
        for c in suite.cases.iter().filter(|c| !c.passed()) {
            problems.push(format!(
                "{name}: case `{}` failed:\n  {}",
                c.name,
                c.failures
                    .iter()
                    .map(|f| f.render(Lang::En))
                    .collect::<Vec<_>>()
                    .join("\n  ")
            ));
        }
        let (vetoes, bands) = (
            suite.coverage.missing_vetoes(),
            suite.coverage.missing_bands(),
        );
        if !vetoes.is_empty() || !bands.is_empty() {
            problems.push(format!(
                "{name}: unexercised vetoes {vetoes:?}, bands {bands:?}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_broken_rule_file_gives_exactly_its_declared_errors() {
    let files = rhai_files(&rules_dir().join("broken"));
    assert!(files.len() >= 3);
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        assert!(
            cases::expected_errors(&source).len() >= 3,
            "{name} should show several mistakes"
        );
        let diffs = cases::check_broken(&name, &source, &[]);
        let shown: Vec<String> = diffs.iter().map(|d| d.render(Lang::En)).collect();
        assert!(diffs.is_empty(), "{name}:\n{}", shown.join("\n"));
    }
}

#[test]
fn a_cases_previous_period_may_be_last_periods_data_scored_by_the_same_rules() {
    let b = kaohe::bundled::default_set();
    let mut rules = Rules::compile(b.rules_path, b.rules).unwrap();
    let sample = String::from_utf8(b.data.unwrap().to_vec()).unwrap();
    // Last period's data the same as this period's: every unit keeps its place.
    let cases = r#"{"cases": [
        {"name": "same data", "data": "now.csv", "previous": {"data": "now.csv"},
         "expect": {"999001101": {"rank": 5, "previous_rank": 5, "rank_change": 0}}},
        {"name": "bad data", "data": "now.csv", "previous": {"data": "bad.csv"}, "expect": {}}]}"#;
    let first_row = sample.lines().nth(1).unwrap();
    let bad = sample.replacen(first_row, &first_row.replacen(",", ",x", 3), 1);
    let load = |p: &str| {
        Ok(if p == "bad.csv" {
            bad.clone().into_bytes()
        } else {
            sample.clone().into_bytes()
        })
    };
    let suite = cases::run_cases(&mut rules, cases, &load).unwrap();
    assert!(
        suite.cases[0].failures.is_empty(),
        "{:?}",
        suite.cases[0].failures
    );
    let why = suite.cases[1].failures[0].render(Lang::Zh);
    assert!(why.contains("上期数据“bad.csv”无法计分"), "{why}");
}

#[test]
fn a_failing_case_reports_a_readable_difference() {
    let b = kaohe::bundled::default_set();
    let mut rules = Rules::compile(b.rules_path, b.rules).unwrap();
    let cases = r#"{"cases": [{"name": "错误的期望", "data": "d.csv",
        "expect": {"999001101": {"grade": "合格", "total": "89.9", "vetoes": ["veto.lab"], "state": {"status": "挂牌"}, "bogus": 1},
                   "nobody": {"rank": 1}}}]}"#;
    let load = |_: &str| Ok(b.data.unwrap().to_vec());
    let suite = cases::run_cases(&mut rules, cases, &load).unwrap();
    let failures = &suite.cases[0].failures;
    let en: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert_eq!(
        en,
        vec![
            "unit `999001101` grade: expected `合格`, got `先进`",
            "unit `999001101` total: expected `89.9`, got `90`",
            "unit `999001101` vetoes: expected [\"veto.lab\"], got []",
            "unit `999001101` state `status`: expected `\"挂牌\"`, got nothing",
            "unit `999001101`: unknown expectation `bogus`",
            "no unit `nobody` in the result",
        ]
    );
    let codes: Vec<&str> = failures.iter().map(|f| f.code()).collect();
    assert_eq!(
        codes,
        ["T0001", "T0001", "T0001", "T0001", "T0003", "T0002"]
    );
    assert_eq!(suite.counts(), (0, 1));
}

#[test]
fn a_failing_case_reads_in_chinese_with_codes_and_hints() {
    let b = kaohe::bundled::default_set();
    let mut rules = Rules::compile(b.rules_path, b.rules).unwrap();
    let cases = r#"{"cases": [{"name": "错误的期望", "data": "d.csv",
        "expect": {"999001101": {"total": "89.9", "totl": 1}}}]}"#;
    let load = |_: &str| Ok(b.data.unwrap().to_vec());
    let suite = cases::run_cases(&mut rules, cases, &load).unwrap();
    let failures = &suite.cases[0].failures;
    let name = "龙泉镇";
    assert_eq!(
        failures[0].render(Lang::Zh),
        format!("[T0001] 单位“{name}”（999001101）总分：期望 89.9，实际 90\n  提示：对照该单位的评分说明核对：若规则无误，就按实际结果改正用例的期望；否则修改规则")
    );
    assert_eq!(
        failures[1].render(Lang::Zh),
        format!(
            "[T0003] 单位“{name}”（999001101）：不认识的期望“totl”\n  提示：是不是要写 `total`？"
        )
    );
    // JSON: zh-CN in `message`/`help`, the English beside them.
    let json = serde_json::to_value(&failures[0]).unwrap();
    assert_eq!(json["code"], "T0001");
    assert_eq!(
        json["en"]["message"],
        "unit `999001101` total: expected `89.9`, got `90`"
    );
    assert!(json["help"].as_str().unwrap().contains("改正用例的期望"));
}

/// A small rule set whose one case leaves a veto, a band and an indicator unexercised.
const SMALL: &str = r#"ruleset(#{ id: "c", title: "用例", max: 10 });
field("code", #{ label: "编码", type: "text" });
field("name", #{ label: "名称", type: "text" });
field("lost", #{ label: "失控人员数", type: "int", if_blank: 0 });
unit(#{ id: "code", name: "name" });
indicator("control", #{ label: "吸毒人员管控", max: 10, deduct: #{ count: "lost", each: 2 } });
veto("veto.lab", #{ label: "制毒窝点", when: #{ field: "lost", above: 100 } });
grades([ #{ name: "优秀", at_least: 9 }, #{ name: "合格", at_least: 0 } ]);
"#;

#[test]
fn the_coverage_reads_in_chinese_with_codes_and_what_case_to_add() {
    let mut rules = Rules::compile("small.rhai", SMALL).unwrap();
    let cases = r#"{"cases": [{"name": "全部达标", "units": [{"编码": "S1", "名称": "石桥镇", "失控人员数": 0}],
        "expect": {"S1": {"total": 10, "grade": "优秀"}}}]}"#;
    let load = |_: &str| Ok(Vec::new());
    let suite = cases::run_cases(&mut rules, cases, &load).unwrap();
    assert!(suite.cases[0].passed(), "{:?}", suite.cases[0].failures);
    let lines: Vec<String> = suite
        .coverage
        .lines()
        .iter()
        .map(|l| l.render(Lang::Zh))
        .collect();
    assert_eq!(
        lines,
        [
            "[T0101] 覆盖情况：指标 0/1，加分项 0/0，一票否决 0/1，等次 1/2，结果运用 0/0\n  提示：每条规则都应有用例检验：为下面列出的规则各补一个用例",
            "[T0102] 从未扣分的指标：control（吸毒人员管控）\n  提示：加一个用例，让某个单位在这些指标上失分，检验扣分规则",
            "[T0103] 从未触发的一票否决：veto.lab（制毒窝点）\n  提示：每项一票否决都必须有用例检验：加一个用例，让某个单位触发它",
            "[T0103] 没有单位达到的等次：合格\n  提示：每个等次都必须有用例检验：加一个用例，让某个单位的总分落在这一等次",
        ]
    );
    let en: Vec<String> = suite
        .coverage
        .lines()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        en,
        [
            "coverage: indicators 0/1, bonuses 0/0, vetoes 0/1, bands 1/2, consequences 0/0",
            "indicators that never lost a point: control",
            "vetoes that never struck: veto.lab",
            "bands no unit reached: 合格",
        ]
    );
    assert_eq!(suite.counts(), (1, 1));
}

#[test]
fn a_case_file_that_is_not_json_says_where_in_chinese() {
    let b = kaohe::bundled::default_set();
    let mut rules = Rules::compile(b.rules_path, b.rules).unwrap();
    let load = |_: &str| Ok(Vec::new());
    let err = cases::run_cases(&mut rules, "{\"cases\": [,]}", &load).unwrap_err();
    assert_eq!(err.code(), "T0006");
    assert!(
        err.message(kaohe::Lang::Zh)
            .starts_with("用例文件第 1 行第 "),
        "{}",
        err.message(kaohe::Lang::Zh)
    );
    assert!(err
        .to_string()
        .starts_with("the case file is not valid JSON at line 1"));
}
