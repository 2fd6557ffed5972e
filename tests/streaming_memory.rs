//! A streamed run's memory, bounded by a limit the harness sets (hostile corpus, item 5): the
//! first pass keeps a compact standing and a hash of the id per unit, not a scored row (about
//! 535 bytes a unit before, 2.67 GB for five million). The test's allocator refuses to grow past
//! the limit, so a regression aborts this test binary instead of passing slowly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

#[test]
fn the_first_pass_of_a_streamed_run_keeps_a_few_dozen_bytes_per_unit() {
    const UNITS: usize = 300_000;
    let source = format!(
        "{}grades([ #{{ name: \"先进\", at_least: 99 }}, #{{ name: \"合格\", below: 99 }} ]);\n",
        include_str!("hostile/rules.rhai")
    );
    let rules = kaohe::Rules::compile("r.rhai", &source).unwrap();
    let mut lines = String::with_capacity(UNITS * 60);
    for i in 0..UNITS {
        lines.push_str(&format!(
            "{{\"编码\": \"U{i:07}\", \"名称\": \"镇{i}\", \"失控人数\": {}}}\n",
            i % 7
        ));
    }
    // Every unit's standing, the id hashes, the cohort list and the ranking's sort, with the
    // slack of vectors and tables that double as they grow: 500 bytes a unit at most (it was
    // about 800 with that slack).
    let budget = UNITS * 500;
    ALLOCATOR.set_limit(ALLOCATOR.allocated() + budget).unwrap();
    let mut tally = rules.tally();
    let mut errors = 0usize;
    for item in kaohe::UnitStream::new(&rules, "x.jsonl", lines.as_bytes()) {
        match item {
            Ok(unit) => tally.add(&unit),
            Err(_) => errors += 1,
        }
    }
    tally.place().unwrap();
    let held = ALLOCATOR.allocated();
    ALLOCATOR.set_limit(usize::MAX).unwrap();
    assert_eq!(errors, 0);
    assert_eq!(tally.len(), UNITS);
    assert!(held > 0);
}
