//! Recorded results (基准结果): every bundled rule set's JSON, CSV and table on its sample data,
//! and its CSV on 600 generated units, compared byte for byte with the files in
//! `tests/golden/`. A change to the scoring core must leave them all as they are; a change
//! that means to alter a result rewrites them with `KAOHE_BLESS=1 cargo test --test golden`
//! and shows the difference in review.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::{generated, seed};
use kaohe::{bundled, Rules};
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Compares `text` with the recorded file, or records it with `KAOHE_BLESS=1`; returns a
/// line describing a difference, if any.
fn compare(name: &str, text: &str) -> Option<String> {
    let path = golden_dir().join(name);
    if std::env::var_os("KAOHE_BLESS").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, text).unwrap();
        return None;
    }
    let Ok(recorded) = std::fs::read_to_string(&path) else {
        return Some(format!(
            "{name}: not recorded (run KAOHE_BLESS=1 cargo test --test golden)"
        ));
    };
    if recorded == text {
        return None;
    }
    let line = recorded
        .lines()
        .zip(text.lines())
        .position(|(a, b)| a != b)
        .map_or_else(
            || recorded.lines().count().min(text.lines().count()) + 1,
            |i| i + 1,
        );
    Some(format!(
        "{name}: differs from line {line}: recorded `{}`, now `{}`",
        recorded.lines().nth(line - 1).unwrap_or(""),
        text.lines().nth(line - 1).unwrap_or("")
    ))
}

/// What a run gives, as text: the JSON/CSV/table, or the errors that stopped it.
fn outputs(rules: &Rules, name: &str, bytes: &[u8]) -> Result<(String, String, String), String> {
    let ds = kaohe::read(rules, name, bytes);
    if !ds.errors.is_empty() {
        return Err(ds
            .errors
            .iter()
            .map(|e| e.render(kaohe::Lang::Zh))
            .collect::<Vec<_>>()
            .join("\n"));
    }
    let failed = |e: kaohe::EvalErrors| {
        e.0.iter()
            .map(|e| e.render(kaohe::Lang::Zh))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let report = rules.assess(&ds.units, None).map_err(failed)?;
    // The CLI writes tables and CSV from the report without explanations: the same text.
    let bare = rules.assess_unexplained(&ds.units, None).map_err(failed)?;
    let (csv, table) = (bare.to_csv(), bare.to_table());
    assert_eq!(
        csv,
        report.to_csv(),
        "{name}: CSV differs without explanations"
    );
    assert_eq!(
        table,
        report.to_table(),
        "{name}: table differs without explanations"
    );
    // The CSV through the batch path, where a rule set's CSV has no column only the report
    // has, is the report's byte for byte.
    if let Some(batch) = rules.csv_batch(&ds.units, None).map_err(failed)? {
        assert_eq!(
            String::from_utf8(batch).unwrap(),
            csv,
            "{name}: the batch path's CSV differs"
        );
    }
    // And the table.
    if let Some(batch) = rules.table_batch(&ds.units, None).map_err(failed)? {
        assert_eq!(batch, table, "{name}: the batch path's table differs");
    }
    Ok((report.to_json() + "\n", csv, table))
}

#[test]
fn every_bundled_rule_set_gives_its_recorded_results_on_its_sample() {
    let mut diffs = Vec::new();
    for b in bundled::ALL {
        let Some(sample) = b.data else { continue };
        let rules = Rules::compile(b.rules_path, b.rules).unwrap();
        match outputs(&rules, b.data_path, sample) {
            Ok((json, csv, table)) => {
                diffs.extend(compare(&format!("{}.json", b.id), &json));
                diffs.extend(compare(&format!("{}.csv", b.id), &csv));
                diffs.extend(compare(&format!("{}.txt", b.id), &table));
            }
            Err(e) => diffs.push(format!("{}: the sample does not score: {e}", b.id)),
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn every_bundled_rule_set_gives_its_recorded_results_on_generated_units() {
    let mut diffs = Vec::new();
    for b in bundled::ALL {
        let rules = Rules::compile(b.rules_path, b.rules).unwrap();
        let data = generated(&rules, 600, seed(b.id));
        let text = match outputs(&rules, "generated.csv", data.as_bytes()) {
            Ok((_, csv, _)) => csv,
            // A generated file a rule set refuses is recorded too: its errors must not change.
            Err(e) => format!("errors:\n{e}\n"),
        };
        diffs.extend(compare(&format!("{}.generated.csv", b.id), &text));
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

/// Against a previous period (名次变化, 上期得分, 分差, consequences reading last period's
/// rank): the batch path's CSV and table are still the report's, for every bundled rule set it
/// serves.
/// Last period is the rule set's own result on its sample with the units' order reversed, so
/// that ranks move.
#[test]
fn the_batch_csv_and_table_against_a_previous_period_are_the_reports() {
    let mut served = 0;
    for b in bundled::ALL {
        let Some(sample) = b.data else { continue };
        let rules = Rules::compile(b.rules_path, b.rules).unwrap();
        let ds = kaohe::read(&rules, b.data_path, sample);
        let mut last = ds.units.clone();
        last.reverse();
        last.pop();
        let Ok(then) = rules.assess(&last, None) else {
            continue;
        };
        let previous = kaohe::Previous::from_json(&then.to_json()).unwrap();
        let Some(batch) = rules.csv_batch(&ds.units, Some(&previous)).unwrap() else {
            continue;
        };
        let report = rules
            .assess_unexplained(&ds.units, Some(&previous))
            .unwrap();
        let batch = String::from_utf8(batch).unwrap();
        assert!(
            batch.lines().next().unwrap().contains("上期得分"),
            "{}",
            b.id
        );
        assert_eq!(batch, report.to_csv(), "{}", b.id);
        let table = rules.table_batch(&ds.units, Some(&previous)).unwrap();
        assert_eq!(table, Some(report.to_table()), "{}: the table", b.id);
        served += 1;
    }
    assert!(
        served >= 6,
        "only {served} bundled rule sets go through the batch path"
    );
}
