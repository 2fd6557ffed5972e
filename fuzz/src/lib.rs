//! The bodies of kaohe's fuzz targets, shared by the libFuzzer binaries (`fuzz_targets/`, nightly,
//! `cargo fuzz`) and the replay runner (`examples/replay.rs`, any toolchain). Each takes the raw
//! input; it returns normally when kaohe behaved, and panics when it did not: a panic inside
//! kaohe, or one of the checks here (two paths that must agree did not).

use kaohe::{Dataset, Report, Rules, Unit, UnitScore, UnitStream};
use std::collections::HashMap;
use std::sync::OnceLock;

/// With `KAOHE_FUZZ_DEBUG` set, the targets say on stderr what they did: what compiled, how many
/// units and errors were read, whether scoring failed. For writing seeds and regressions.
fn debug(what: impl FnOnce() -> String) {
    if std::env::var_os("KAOHE_FUZZ_DEBUG").is_some() {
        eprintln!("{}", what());
    }
}

/// Every target, by name.
pub const TARGETS: &[(&str, fn(&[u8]))] = &[
    ("compile_rules", compile_rules),
    ("read_data", read_data),
    ("assess", assess),
    ("rules_and_data", rules_and_data),
    ("side_files", side_files),
];

/// A target by name.
pub fn target(name: &str) -> Option<fn(&[u8])> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// The bundled default rule set (县禁毒工作绩效考核), compiled once.
fn default_rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        let bundled = kaohe::bundled::default_set();
        match Rules::compile(bundled.rules_path, bundled.rules) {
            Ok(rules) => rules,
            Err(e) => panic!("the bundled default rule set does not compile: {e}"),
        }
    })
}

/// The data file names the first input byte chooses between (`read_data`).
const NAMES: [&str; 4] = ["x.csv", "x.json", "x.jsonl", "x.xlsx"];

/// `compile_rules`: the input as a rule script (invalid UTF-8 replaced). Compiling must give a
/// rule set or errors, never panic; the errors must print.
pub fn compile_rules(input: &[u8]) {
    let source = String::from_utf8_lossy(input);
    match Rules::compile("fuzz.rhai", &source) {
        Ok(rules) => {
            let _ = rules.items().len();
        }
        Err(errors) => {
            let _ = errors.to_string();
        }
    }
}

/// `read_data`: the first byte picks the file name (`x.csv`, `x.json`, `x.jsonl`, `x.xlsx`), the
/// rest is the file, read for the bundled default rule set in memory ([`kaohe::read`]) and
/// streamed ([`UnitStream`]). Both must give the same units and as many errors.
pub fn read_data(input: &[u8]) {
    let Some((&first, bytes)) = input.split_first() else {
        return;
    };
    let name = NAMES[usize::from(first) % NAMES.len()];
    let rules = default_rules();
    let whole = kaohe::read(rules, name, bytes);
    let streamed = UnitStream::new(rules, name, bytes).into_dataset();
    assert_eq!(
        (whole.units.len(), whole.errors.len()),
        (streamed.units.len(), streamed.errors.len()),
        "{name}: kaohe::read and UnitStream disagree on (units, errors)"
    );
    assert!(
        whole.units == streamed.units,
        "{name}: kaohe::read and UnitStream read different units"
    );
    for e in &whole.errors {
        let _ = e.to_string();
    }
}

/// `assess`: the first byte picks CSV or JSON, the rest is read for the bundled default rule set
/// and scored both ways; see [`check_scoring`].
pub fn assess(input: &[u8]) {
    let Some((&first, bytes)) = input.split_first() else {
        return;
    };
    let name = if first % 2 == 0 { "x.csv" } else { "x.json" };
    let rules = default_rules();
    let dataset = kaohe::read(rules, name, bytes);
    debug_read(&dataset);
    check_scoring(rules, &dataset.units);
}

/// With `KAOHE_FUZZ_DEBUG`, what was read.
fn debug_read(dataset: &Dataset) {
    debug(|| {
        format!(
            "read: {} units, errors: {:?}",
            dataset.units.len(),
            dataset
                .errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        )
    });
}

/// `rules_and_data`: a rule script and a data file, separated by the first NUL byte (a rule
/// script has none). The script is compiled; if it compiles, the data (format told by its
/// first bytes: JSON, a spreadsheet or CSV) is read for it and scored both ways.
pub fn rules_and_data(input: &[u8]) {
    let (script, bytes) = match input.iter().position(|&b| b == 0) {
        Some(i) => (&input[..i], &input[i + 1..]),
        None => (input, &[][..]),
    };
    let source = String::from_utf8_lossy(script);
    let rules = match Rules::compile("fuzz.rhai", &source) {
        Ok(rules) => rules,
        Err(e) => return debug(|| format!("compile: {e}")),
    };
    let dataset = kaohe::read(&rules, "data", bytes);
    debug_read(&dataset);
    check_scoring(&rules, &dataset.units);
}

/// Scores `units` with the explained report ([`Rules::assess`]) and the batch API
/// ([`Rules::score_batch`]): both succeed or both fail, and on success every unit's points,
/// veto, rank and grade agree; the report's JSON, CSV and table outputs are written, and the
/// JSON parses back.
pub fn check_scoring(rules: &Rules, units: &[Unit]) {
    let report = rules.assess(units, None);
    let batch = rules.score_batch(units);
    match (report, batch) {
        (Ok(report), Ok(batch)) => {
            debug(|| {
                format!(
                    "scored: {:?}",
                    batch.iter().map(|s| s.total).collect::<Vec<_>>()
                )
            });
            same_results(rules, units, &report, &batch);
            let json = report.to_json();
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&json) {
                panic!("Report::to_json wrote JSON that does not parse: {e}");
            }
            let _ = report.to_csv();
            let _ = report.to_table();
        }
        (Err(a), Err(b)) => {
            debug(|| format!("scoring failed: {a}"));
            let _ = (a.to_string(), b.to_string());
        }
        (Ok(_), Err(e)) => panic!("assess succeeded but score_batch failed: {e}"),
        (Err(e), Ok(_)) => panic!("score_batch succeeded but assess failed: {e}"),
    }
}

fn same_results(rules: &Rules, units: &[Unit], report: &Report, batch: &[UnitScore]) {
    assert_eq!(batch.len(), units.len(), "score_batch: one score per unit");
    assert_eq!(
        report.units.len(),
        units.len(),
        "assess: one result per unit"
    );
    let by_row: HashMap<usize, &UnitScore> = units.iter().map(Unit::row).zip(batch).collect();
    for u in &report.units {
        let Some(s) = by_row.get(&u.row) else {
            panic!("assess reported row {} that no unit has", u.row);
        };
        let grade = s.grade.and_then(|g| rules.grade_name(g)).map(String::from);
        assert_eq!(
            (u.base, u.bonus, u.vetoed, u.rank, &u.grade),
            (s.base, s.bonus, s.vetoed(), s.rank, &grade),
            "row {}: assess and score_batch disagree on (base, bonus, vetoed, rank, grade)",
            u.row
        );
        if let Some(total) = u.total {
            assert_eq!(
                total, s.total,
                "row {}: assess and score_batch disagree on the total",
                u.row
            );
            assert_eq!(
                u.total_display.as_deref(),
                Some(rules.display_total(s.total).as_str()),
                "row {}: the displayed total is not the batch total rounded",
                u.row
            );
        }
    }
}

/// The names a `side_files` input is read under (the first byte picks).
const SIDE_NAMES: [&str; 3] = ["t.csv", "t.json", "t.xlsx"];

/// The rule set `side_files` compiles: a parameter and a decision table kept in the file.
const SIDE_RULES: &str = r#"
ruleset(#{ id: "side", title: "附表", decimals: 2 });
field("code", #{ label: "编码", type: "text" });
field("a", #{ label: "甲", type: "number" });
field("b", #{ label: "乙", type: "int" });
unit(#{ id: "code" });
param("p", #{ label: "基准", value: 85 });
indicator("t", #{ label: "决策表", max: 10, table: #{ file: "FILE", hit: "unique" } });
deduction("d", #{ label: "差", deduct: #{ value: #{ diff: "a", from: "p" }, below: 0, each: 0.25 } });
"#;

/// `side_files`: the first byte picks a name (`t.csv`, `t.json`, `t.xlsx`), the rest is a file
/// beside the rules, read as a parameter table (`kaohe::params::read`) and as a decision table's
/// sheet. Either gives values or errors, never a panic; a table that compiles scores a unit.
pub fn side_files(input: &[u8]) {
    let Some((&first, bytes)) = input.split_first() else {
        return;
    };
    let name = SIDE_NAMES[usize::from(first) % SIDE_NAMES.len()];
    let source = SIDE_RULES.replace("FILE", name);
    let file = bytes.to_vec();
    let loader: kaohe::FileLoader = Box::new(move |_| Some(file.clone()));
    let rules = match Rules::compile_with_files("side.rhai", &source, &[], loader) {
        Ok(rules) => rules,
        Err(errors) => {
            let _ = errors.to_string();
            // The parameter table against a rule set without the table.
            let plain = SIDE_RULES.replace(
                r#"indicator("t", #{ label: "决策表", max: 10, table: #{ file: "FILE", hit: "unique" } });"#,
                r#"indicator("t", #{ label: "甲", max: 10, target: #{ value: "a", at_least: 60 } });"#,
            );
            match Rules::compile("side.rhai", &plain) {
                Ok(mut rules) => params(&mut rules, name, bytes),
                Err(e) => panic!("the plain side rules do not compile: {e}"),
            }
            return;
        }
    };
    debug(|| format!("{name}: the table compiled"));
    let mut rules = rules;
    params(&mut rules, name, bytes);
}

/// Reads `bytes` as a parameter table for `rules`, sets it and scores one unit.
fn params(rules: &mut Rules, name: &str, bytes: &[u8]) {
    match kaohe::params::read(rules, name, bytes) {
        Ok(values) => rules.set_params(&values),
        Err(errors) => {
            for e in &errors {
                let _ = e.render(kaohe::Lang::Zh);
            }
        }
    }
    let ds = kaohe::read(rules, "u.csv", "编码,甲,乙\nA,80,1\nB,,\n".as_bytes());
    if let Ok(report) = rules.assess(&ds.units, None) {
        let _ = report.to_json();
    }
}
