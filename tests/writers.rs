//! The writers agree (各输出格式一致): for every bundled rule set, on its sample and against a
//! previous period, each unit's JSON Lines line says what the JSON result says of it, field by
//! field; the result, every line, the gap analysis and a comparison are valid against their
//! schemas; the batch path writes the report's lines byte for byte; the CSV's cells are the JSON's
//! figures. And the schemas published in `docs/schema/` are the ones the types give
//! (`KAOHE_BLESS=1 cargo test --test writers` rewrites them).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
use kaohe::{bundled, Previous, Report, Rules};
use serde_json::{json, Map, Value};
use std::path::PathBuf;

/// The report's JSON Lines, and the batch path's where it writes them (a rule set whose units
/// have no metrics and no state: those only a report has).
fn lines(
    rules: &Rules,
    units: &[kaohe::Unit],
    prev: Option<&Previous>,
) -> (Report, Vec<u8>, Option<Vec<u8>>) {
    let report = rules.assess(units, prev).unwrap();
    let mut from_report = Vec::new();
    report.write_json_lines(&mut from_report).unwrap();
    let batchable = report
        .units
        .iter()
        .all(|u| u.metrics.is_empty() && u.state.is_none());
    let from_batch = batchable.then(|| {
        let cohorts: std::collections::HashMap<usize, &str> = report
            .units
            .iter()
            .map(|u| (u.row, u.cohort.as_str()))
            .collect();
        let scores = rules.score_batch_against(units, prev).unwrap();
        let mut w = kaohe::UnitWriter::json_lines(rules, prev, Vec::new());
        for (unit, score) in units.iter().zip(&scores) {
            w.write(unit, cohorts[&unit.row()], score).unwrap();
        }
        w.into_lines().unwrap()
    });
    (report, from_report, from_batch)
}

fn rank_change_text(v: &Value) -> String {
    match v.as_i64() {
        Some(0) => "持平".into(),
        Some(c) if c > 0 => format!("↑{c}"),
        Some(c) => format!("↓{}", -c),
        None => String::new(),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Each unit of `json` against its line and its CSV row; the problems found.
fn agree(id: &str, json: &Value, jsonl: &str, csv_text: &str) -> Vec<String> {
    let mut bad = Vec::new();
    let lines: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let units = json["units"].as_array().unwrap();
    if lines.len() != units.len() {
        bad.push(format!(
            "{id}: {} lines for {} units",
            lines.len(),
            units.len()
        ));
    }
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(csv_text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let head: Vec<String> = csv::Reader::from_reader(csv_text.as_bytes())
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    // Items come after the metrics, whose labels they may share: the last column of a name.
    let col = |name: &str| head.iter().rposition(|h| h == name);
    for (k, u) in units.iter().enumerate() {
        let who = format!("{id}: {}", u["name"]);
        let Some(line) = lines
            .iter()
            .find(|l| l["id"] == u["id"] && l["row"] == u["row"])
        else {
            bad.push(format!("{who}: no line"));
            continue;
        };
        if line["schema"] != "kaohe-unit" || line["schema_version"] != 1 {
            bad.push(format!("{who}: the line has no schema"));
        }
        for key in [
            "id",
            "name",
            "cohort",
            "row",
            "rank",
            "total",
            "total_display",
            "base",
            "bonus",
            "grade",
            "previous_rank",
            "rank_change",
            "previous_total",
            "total_change",
            "remarks",
            "vetoed",
            "awards_eligible",
            "metrics",
            "state",
        ] {
            if line.get(key) != u.get(key) {
                bad.push(format!(
                    "{who}: {key} is {:?} in JSON, {:?} in JSON Lines",
                    u.get(key),
                    line.get(key)
                ));
            }
        }
        let labels = |list: &Value, key: &str| -> Vec<Value> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|x| x[key].clone())
                .collect()
        };
        if line["vetoes"].as_array().unwrap() != &labels(&u["vetoes"], "label") {
            bad.push(format!("{who}: vetoes differ"));
        }
        if line["consequences"].as_array().unwrap() != &labels(&u["consequences"], "name") {
            bad.push(format!("{who}: consequences differ"));
        }
        let items: Map<String, Value> = u["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["id"].as_str().unwrap().to_string(), i["points"].clone()))
            .collect();
        if line["items"] != Value::Object(items.clone()) {
            bad.push(format!(
                "{who}: items differ: {} / {}",
                line["items"],
                json!(items)
            ));
        }
        // The CSV lists units as the JSON does.
        let Some(row) = rows.get(k) else {
            bad.push(format!("{who}: no CSV row"));
            continue;
        };
        let cell = |name: &str| col(name).and_then(|c| row.get(c)).cloned();
        let expect = [
            ("名次", text(&u["rank"])),
            ("单位编码", text(&u["id"])),
            ("单位名称", text(&u["name"])),
            ("总分", text(&u["total_display"])),
            ("等次", text(&u["grade"])),
            ("名次变化", rank_change_text(&u["rank_change"])),
            ("加分", text(&u["bonus"])),
            (
                "一票否决",
                labels(&u["vetoes"], "label")
                    .iter()
                    .map(text)
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            (
                "处理结果",
                labels(&u["consequences"], "name")
                    .iter()
                    .map(text)
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
        ];
        for (name, want) in expect {
            // CSV writes text that a spreadsheet would run after a `'`.
            let got = cell(name).map(|c| c.strip_prefix('\'').map(str::to_string).unwrap_or(c));
            if got.as_deref() != Some(want.as_str()) {
                bad.push(format!("{who}: CSV {name} is {got:?}, JSON {want:?}"));
            }
        }
        for i in u["items"].as_array().unwrap() {
            let got = cell(i["label"].as_str().unwrap());
            if got.as_deref() != Some(text(&i["points"]).as_str()) {
                bad.push(format!(
                    "{who}: CSV {} is {got:?}, JSON {}",
                    i["label"], i["points"]
                ));
            }
        }
    }
    bad
}

#[test]
fn every_writer_says_the_same_of_every_unit_of_every_bundled_rule_set() {
    let mut bad = Vec::new();
    let mut batch_checked = 0;
    let result_schema = jsonschema::validator_for(&kaohe::schema::result()).unwrap();
    let unit_schema = jsonschema::validator_for(&kaohe::schema::unit()).unwrap();
    let gap_schema = jsonschema::validator_for(&kaohe::schema::gap()).unwrap();
    let diff_schema = jsonschema::validator_for(&kaohe::schema::diff()).unwrap();
    for b in bundled::ALL {
        let Some(sample) = b.data else { continue };
        let rules = Rules::compile(b.rules_path, b.rules).unwrap();
        let ds = kaohe::read(&rules, b.data_path, sample);
        assert!(ds.errors.is_empty(), "{}", b.id);
        // Last period: the same units in reverse, one fewer, so that ranks move.
        let mut last = ds.units.clone();
        last.reverse();
        last.pop();
        let previous = rules
            .assess(&last, None)
            .ok()
            .map(|then| Previous::from_json(&then.to_json()).unwrap());
        // The gap analysis and a comparison with last period's run are valid too.
        let gaps = serde_json::to_value(rules.gaps(&ds.units, None).unwrap()).unwrap();
        bad.extend(invalid(&gap_schema, b.id, &gaps));
        if let Ok(then) = rules.assess(&last, None) {
            let now = rules.assess(&ds.units, None).unwrap();
            let diff = kaohe::change::diff(&then, &now, "上期", "本期");
            assert!(!diff.units.is_empty(), "{}: nothing moved", b.id);
            bad.extend(invalid(
                &diff_schema,
                b.id,
                &serde_json::to_value(diff).unwrap(),
            ));
        }
        for prev in [None, previous.as_ref()] {
            let (mut report, from_report, from_batch) = lines(&rules, &ds.units, prev);
            let jsonl = String::from_utf8(from_report).unwrap();
            // Every line and the result (with its provenance, as the CLI writes it) are
            // valid against the published schemas.
            for line in jsonl.lines() {
                bad.extend(invalid(
                    &unit_schema,
                    b.id,
                    &serde_json::from_str(line).unwrap(),
                ));
            }
            report.provenance = Some(kaohe::provenance::Provenance::of(&rules, &[sample], &[]));
            let json: Value = serde_json::from_str(&report.to_json()).unwrap();
            bad.extend(invalid(&result_schema, b.id, &json));
            if let Some(batch) = from_batch {
                assert_eq!(
                    String::from_utf8(batch).unwrap(),
                    jsonl,
                    "{}: batch JSON Lines",
                    b.id
                );
                batch_checked += 1;
            }
            bad.extend(agree(b.id, &json, &jsonl, &report.to_csv()));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(
        batch_checked >= 12,
        "the batch path wrote only {batch_checked} runs"
    );
}

/// Cohort items scored by different stages (a rank change, a place in the cohort) are listed
/// in the rule set's order by the report's JSON Lines, as by the batch path's: the same bytes.
#[test]
fn json_lines_list_cohort_items_in_the_rule_sets_order_on_both_paths() {
    let rules = Rules::compile(
        "order.rhai",
        r#"
ruleset(#{ id: "order", title: "顺序", max: 100 });
field("code", #{ label: "编码", type: "text" });
field("name", #{ label: "名称", type: "text" });
field("a", #{ label: "甲", type: "number" });
unit(#{ id: "code", name: "name" });
indicator("x", #{ label: "x", max: 94.5, score: |u| u.a });
cohort_indicator("progress", #{ label: "名次进退", max: 0.5, rank_change: #{ down: [[1, 1]], up: [[1, 0.5]] } });
cohort_indicator("top", #{ label: "前2", max: 5, value: "a", top: 2 });
"#,
    )
    .unwrap();
    let units = |csv: &str| kaohe::read_csv(&rules, csv.as_bytes()).units;
    let then = units(
        "编码,名称,甲
1,一,10
2,二,20
3,三,30
",
    );
    let now = units(
        "编码,名称,甲
1,一,30
2,二,20
3,三,10
",
    );
    let previous = Previous::from_json(&rules.assess(&then, None).unwrap().to_json()).unwrap();
    for prev in [None, Some(&previous)] {
        let (_, from_report, from_batch) = lines(&rules, &now, prev);
        let (report, batch) = (
            String::from_utf8(from_report).unwrap(),
            String::from_utf8(from_batch.unwrap()).unwrap(),
        );
        assert_eq!(report, batch);
        let first: Value = serde_json::from_str(report.lines().next().unwrap()).unwrap();
        let ids: Vec<&String> = first["items"].as_object().unwrap().keys().collect();
        assert_eq!(ids, ["x", "progress", "top"]);
    }
}

/// What `schema` finds wrong with `value`, each error with where it is.
fn invalid(schema: &jsonschema::Validator, id: &str, value: &Value) -> Vec<String> {
    schema
        .iter_errors(value)
        .map(|e| format!("{id}: {} at {}", e, e.instance_path()))
        .collect()
}

/// A run that scored the good rows (`--keep-going`) records the rows it left out, and the
/// schema knows their errors.
#[test]
fn a_result_with_rows_left_out_is_valid() {
    let b = bundled::default_set();
    let sample = std::str::from_utf8(b.data.unwrap()).unwrap();
    // The second unit's row gets a word where a count belongs.
    let mut rows: Vec<String> = sample.lines().map(str::to_string).collect();
    let cells: Vec<&str> = rows[2].split(',').collect();
    let k = cells
        .iter()
        .rposition(|c| c.parse::<u32>().is_ok())
        .unwrap();
    let mut cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
    cells[k] = "很多".into();
    rows[2] = cells.join(",");
    let data = rows.join("\n");
    let (report, errors) = kaohe::assess(
        b.rules_path,
        b.rules,
        "坏数据.csv",
        data.as_bytes(),
        None,
        true,
    )
    .unwrap();
    assert!(!errors.is_empty());
    let json: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert!(!json["data_errors"].as_array().unwrap().is_empty());
    let schema = jsonschema::validator_for(&kaohe::schema::result()).unwrap();
    let bad = invalid(&schema, b.id, &json);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // A field the schema does not know is caught.
    let mut extra = json.clone();
    extra["units"][0]["surprise"] = json!(1);
    assert!(!invalid(&schema, b.id, &extra).is_empty());
    // So is a total written as text where the schema says a number.
    let mut text_total = json.clone();
    text_total["units"][0]["total"] = json!("101");
    assert!(!invalid(&schema, b.id, &text_total).is_empty());
}

#[test]
fn the_published_schemas_are_the_ones_the_types_give() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/schema");
    let mut stale = Vec::new();
    for name in kaohe::schema::NAMES {
        let path = dir.join(format!("{name}.schema.json"));
        let text =
            serde_json::to_string_pretty(&kaohe::schema::named(name).unwrap()).unwrap() + "\n";
        if std::env::var_os("KAOHE_BLESS").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(format!(
                "{} (KAOHE_BLESS=1 cargo test --test writers, or kaohe schema {name} > {})",
                path.display(),
                path.display()
            ));
        }
    }
    assert!(stale.is_empty(), "out of date: {}", stale.join(", "));
}
