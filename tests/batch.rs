//! The batch API: compact results equal the explained report's, in input order, and the
//! parallel run equals the one-core run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use kaohe::{bundled, data, Rules, Unit};

/// Every bundled rule set with its sample data.
fn bundled_sets() -> Vec<(Rules, Vec<Unit>)> {
    bundled::ALL
        .iter()
        .filter_map(|b| {
            let rules = Rules::compile_with_modules(b.rules_path, b.rules, &modules(b)).ok()?;
            let ds = data::read(&rules.set, b.data_path, b.data?);
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
        let set = &rules.set;
        let report = rules.assess(units, None).unwrap();
        let scores = rules.score_batch(units).unwrap();
        assert_eq!(scores.len(), units.len(), "{}", set.id);
        for (unit, score) in units.iter().zip(&scores) {
            let id = unit.values[set.id_field].display();
            let r = report.units.iter().find(|u| u.id == id).unwrap();
            let what = format!("{} / {id}", set.id);
            assert_eq!(Some(score.total), r.total.or(Some(score.total)), "{what}");
            assert_eq!(score.base, r.base, "{what}");
            assert_eq!(score.bonus, r.bonus, "{what}");
            assert_eq!(score.vetoed(), r.vetoed, "{what}");
            assert_eq!(score.rank, r.rank, "{what}");
            assert_eq!(
                score.grade.map(|g| set.bands[g].name.clone()),
                r.grade,
                "{what}"
            );
            let consequences: Vec<&str> = score
                .consequences
                .iter()
                .map(|k| set.consequences[*k].name.as_str())
                .collect();
            let want: Vec<&str> = r.consequences.iter().map(|c| c.name.as_str()).collect();
            assert_eq!(consequences, want, "{what}");
            // Every assessed item's points, by id: a slot per item and per cohort item.
            assert_eq!(score.items.len(), set.item_count(), "{what}");
            let ids = set
                .items
                .iter()
                .map(|i| &i.id)
                .chain(set.cohort_items.iter().map(|c| &c.id));
            for (item, p) in ids.zip(&score.items) {
                let shown = r.items.iter().find(|i| i.id == &**item).map(|i| i.points);
                assert_eq!(*p, shown, "{what} / {item}");
            }
        }
    }
}

#[test]
fn parallel_batches_equal_one_core_across_chunk_boundaries() {
    let b = bundled::default_set();
    let rules = Rules::compile(b.rules_path, b.rules).unwrap();
    let sample = data::read(&rules.set, b.data_path, b.data.unwrap()).units;
    // 5,000 units: several parallel chunks; every copy gets its own id and a shifted count.
    let lost = rules.set.field_index("lost").unwrap();
    let units: Vec<Unit> = (0..5000)
        .map(|i| {
            let mut u = sample[i % sample.len()].clone();
            u.values[rules.set.id_field] = kaohe::model::Value::Text(format!("U{i:05}"));
            u.values[lost] = kaohe::model::Value::Int((i % 13) as i64);
            u.row = i + 2;
            u
        })
        .collect();
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
    let units = data::read_csv(&rules.set, csv.as_bytes()).units;
    let errs = rules.score_batch_parallel(&units).unwrap_err();
    // The same failure for three units (one per chunk) is one error: the first in input
    // order, counting all three.
    let units_named: Vec<(&str, usize)> =
        errs.0.iter().map(|e| (e.unit.as_str(), e.units)).collect();
    assert_eq!(units_named, [("U0007", 3)]);
    assert_eq!(
        errs.to_string(),
        rules.score_batch(&units).unwrap_err().to_string()
    );
}
