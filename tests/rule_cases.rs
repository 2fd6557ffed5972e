//! Every rule set's own test cases (`rules/NAME.cases.json`) and every deliberately broken
//! rule file (`rules/broken/`), run through the same harness as `kaohe test`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

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
        let rules = match Rules::compile(&name, &source) {
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
        let load = move |rel: &str| std::fs::read(dir.join(rel)).map_err(|e| e.to_string());
        let suite = cases::run_cases(&rules, &case_text, &load).unwrap();
        assert!(!suite.cases.is_empty(), "{name} has no cases");
        for c in suite.cases.iter().filter(|c| !c.passed()) {
            problems.push(format!(
                "{name}: case `{}` failed:\n  {}",
                c.name,
                c.failures.join("\n  ")
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
        assert!(diffs.is_empty(), "{name}:\n{}", diffs.join("\n"));
    }
}

#[test]
fn a_failing_case_reports_a_readable_difference() {
    let b = kaohe::bundled::default_set();
    let rules = Rules::compile(b.rules_path, b.rules).unwrap();
    let cases = r#"{"cases": [{"name": "错误的期望", "data": "d.csv",
        "expect": {"999001101": {"grade": "合格", "total": "89.9", "vetoes": ["veto.lab"], "state": {"status": "挂牌"}, "bogus": 1},
                   "nobody": {"rank": 1}}}]}"#;
    let load = |_: &str| Ok(b.data.unwrap().to_vec());
    let suite = cases::run_cases(&rules, cases, &load).unwrap();
    assert_eq!(
        suite.cases[0].failures,
        vec![
            "unit `999001101` grade: expected `合格`, got `先进`",
            "unit `999001101` total: expected `89.9`, got `90`",
            "unit `999001101` vetoes: expected [\"veto.lab\"], got []",
            "unit `999001101` state `status`: expected `\"挂牌\"`, got nothing",
            "unit `999001101`: unknown expectation `bogus`",
            "no unit `nobody` in the result",
        ]
    );
    assert_eq!(suite.counts(), (0, 1));
}
