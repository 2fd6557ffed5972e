//! The batch API: compact results equal the explained report's, in input order, and the
//! parallel run equals the one-core run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use kaohe::{bundled, Rules, Unit};

/// Every bundled rule set with its sample data.
fn bundled_sets() -> Vec<(Rules, Vec<Unit>)> {
    bundled::ALL
        .iter()
        .filter_map(|b| {
            let rules = Rules::compile_with_modules(b.rules_path, b.rules, &modules(b)).ok()?;
            let ds = kaohe::read(&rules, b.data_path, b.data?);
            assert!(ds.errors.is_empty(), "{}: {:?}", b.id, ds.errors);
            Some((rules, ds.units))
        })
        .collect()
}

fn modules(b: &bundled::Bundled) -> Vec<(String, String)> {
    b.files
        .iter()
        .filter(|(p, _)| p.ends_with(".rhai") && *p != b.rules_path)
        .map(|(p, s)| (p.to_string(), String::from_utf8_lossy(s).into_owned()))
        .collect()
}

#[test]
fn batch_results_equal_the_explained_report_for_every_bundled_rule_set() {
    let sets = bundled_sets();
    assert!(
        sets.len() >= 8,
        "only {} bundled rule sets compiled",
        sets.len()
    );
    for (rules, units) in &sets {
        let report = rules.assess(units, None).unwrap();
        let scores = rules.score_batch(units).unwrap();
        assert_eq!(scores.len(), units.len(), "{}", rules.id());
        for (unit, score) in units.iter().zip(&scores) {
            let id = rules.unit_id(unit);
            let r = report.units.iter().find(|u| u.id == id).unwrap();
            let what = format!("{} / {id}", rules.id());
            assert_eq!(Some(score.total), r.total.or(Some(score.total)), "{what}");
            assert_eq!(score.base, r.base, "{what}");
            assert_eq!(score.bonus, r.bonus, "{what}");
            assert_eq!(score.vetoed(), r.vetoed, "{what}");
            assert_eq!(score.rank, r.rank, "{what}");
            assert_eq!(
                score
                    .grade
                    .and_then(|g| rules.grade_name(g))
                    .map(String::from),
                r.grade,
                "{what}"
            );
            let consequences: Vec<&str> = score
                .consequences
                .iter()
                .map(|k| rules.consequences().nth(*k).unwrap())
                .collect();
            let want: Vec<&str> = r.consequences.iter().map(|c| c.name.as_str()).collect();
            assert_eq!(consequences, want, "{what}");
            // Every assessed item's points, by id: a slot per item and per cohort item.
            assert_eq!(score.items.len(), rules.items().len(), "{what}");
            for (item, p) in rules.items().map(|i| i.id).zip(&score.items) {
                let shown = r.items.iter().find(|i| i.id == item).map(|i| i.points);
                assert_eq!(*p, shown, "{what} / {item}");
            }
        }
    }
}

#[test]
fn parallel_batches_equal_one_core_across_chunk_boundaries() {
    let b = bundled::default_set();
    let rules = Rules::compile(b.rules_path, b.rules).unwrap();
    // 5,000 units: several parallel chunks; every copy of a sample row gets its own id and a
    // shifted count.
    let label = |i: usize| rules.fields().nth(i).unwrap().label;
    let (id, lost) = (
        label(rules.id_field()),
        label(rules.field_index("lost").unwrap()),
    );
    let mut sample = csv::Reader::from_reader(b.data.unwrap());
    let header = sample.headers().unwrap().clone();
    let column = |l: &str| header.iter().position(|h| h == l).unwrap();
    let (id, lost) = (column(id), column(lost));
    let rows: Vec<csv::StringRecord> = sample.records().map(Result::unwrap).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for i in 0..5000 {
        let mut row: Vec<String> = rows[i % rows.len()].iter().map(String::from).collect();
        row[id] = format!("U{i:05}");
        row[lost] = (i % 13).to_string();
        w.write_record(&row).unwrap();
    }
    let data = kaohe::read_csv(&rules, &w.into_inner().unwrap());
    assert!(data.errors.is_empty(), "{:?}", data.errors);
    let units: Vec<Unit> = data.units;
    assert_eq!((units.len(), units[4999].row()), (5000, 5001));
    let one = rules.score_batch(&units).unwrap();
    let all = rules.score_batch_parallel(&units).unwrap();
    assert_eq!(one, all);
    // Ranks are a permutation-consistent competition ranking over the whole batch.
    assert!(one.iter().any(|s| s.rank == Some(1)));
    assert!(one.iter().filter(|s| !s.vetoed()).all(|s| s.rank.is_some()));
}

#[test]
fn a_failing_closure_in_a_parallel_batch_is_reported_once_from_its_first_unit_with_the_count() {
    let src = r#"
ruleset(#{ id: "t", title: "t", max: 10 });
field("code", #{ label: "编码", type: "text" });
field("n", #{ label: "数", type: "int" });
unit(#{ id: "code" });
indicator("x", #{ label: "x", max: 10, score: |u| 10 / u.n });
"#;
    let rules = Rules::compile("t.rhai", src).unwrap();
    let mut csv = String::from("编码,数\n");
    for i in 0..3000 {
        csv.push_str(&format!("U{i:04},{}\n", if i % 1000 == 7 { 0 } else { 1 }));
    }
    let units = kaohe::read_csv(&rules, csv.as_bytes()).units;
    let errs = rules.score_batch_parallel(&units).unwrap_err();
    // The same failure for three units (one per chunk) is one error: the first in input
    // order, counting all three.
    let units_named: Vec<(&str, usize)> = errs.0.iter().map(|e| (e.unit(), e.units())).collect();
    assert_eq!(units_named, [("U0007", 3)]);
    assert_eq!(
        errs.to_string(),
        rules.score_batch(&units).unwrap_err().to_string()
    );
}
