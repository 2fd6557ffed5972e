//! Recorded results (基准结果): every bundled rule set's JSON, CSV and table on its sample data,
//! and its CSV on 600 generated units, compared byte for byte with the files in
//! `tests/golden/`. A change to the scoring core must leave them all as they are; a change
//! that means to alter a result rewrites them with `KAOHE_BLESS=1 cargo test --test golden`
//! and shows the difference in review.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
use kaohe::model::{FieldType, RuleSet};
use kaohe::{bundled, data, output, Rules};
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
    let ds = data::read(&rules.set, name, bytes);
    if !ds.errors.is_empty() {
        return Err(ds
            .errors
            .iter()
            .map(|e| e.render(kaohe::messages::Lang::Zh))
            .collect::<Vec<_>>()
            .join("\n"));
    }
    let failed = |e: kaohe::EvalErrors| {
        e.0.iter()
            .map(|e| e.render(kaohe::messages::Lang::Zh))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let report = rules.assess(&ds.units, None).map_err(failed)?;
    // The CLI writes tables and CSV from the report without explanations: the same text.
    let bare = rules.assess_unexplained(&ds.units, None).map_err(failed)?;
    let (csv, table) = (output::csv(&bare), output::table(&bare));
    assert_eq!(
        csv,
        output::csv(&report),
        "{name}: CSV differs without explanations"
    );
    assert_eq!(
        table,
        output::table(&report),
        "{name}: table differs without explanations"
    );
    Ok((output::json(&report) + "\n", csv, table))
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

/// A small deterministic generator (a linear congruential one: the same numbers everywhere).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
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
fn generated(set: &RuleSet, units: usize, seed: u64) -> String {
    let mut rng = Lcg(seed);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(set.fields.iter().map(|f| f.label.as_str()))
        .unwrap();
    for u in 0..units {
        let row: Vec<String> = set
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if i == set.id_field {
                    return format!("G{u:05}");
                }
                if Some(i) == set.name_field {
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
                    FieldType::Percent => format!("{}.{}%", 80 + rng.next(21), rng.next(10)),
                    FieldType::Bool => if rng.next(6) == 0 { "是" } else { "否" }.into(),
                }
            })
            .collect();
        w.write_record(&row).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn every_bundled_rule_set_gives_its_recorded_results_on_generated_units() {
    let mut diffs = Vec::new();
    for b in bundled::ALL {
        let rules = Rules::compile(b.rules_path, b.rules).unwrap();
        // Seeded by the rule set's id, so a rule set added does not change the others' data.
        let seed = b.id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, c| {
            (h ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3)
        });
        let data = generated(&rules.set, 600, seed);
        let text = match outputs(&rules, "generated.csv", data.as_bytes()) {
            Ok((_, csv, _)) => csv,
            // A generated file a rule set refuses is recorded too: its errors must not change.
            Err(e) => format!("errors:\n{e}\n"),
        };
        diffs.extend(compare(&format!("{}.generated.csv", b.id), &text));
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
