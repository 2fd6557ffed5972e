//! The gap to the next grade and rank (差距分析): its figures checked by hand on the county rule
//! set's sample, and every change it suggests applied to the data as a person would — the cell
//! in the CSV rewritten — and the data scored again: each change gains what it says, and each
//! plan reaches the grade it names.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
use kaohe::change::{GapReport, Move, UnitGap};
use kaohe::{bundled, Report, Rules};
use rust_decimal::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn bundled_set(id: &str) -> (Rules, Vec<u8>) {
    let b = bundled::ALL.iter().find(|b| b.id == id).unwrap();
    let rules = Rules::compile_with_files(b.rules_path, b.rules, &[], b.loader()).unwrap();
    (rules, b.data.unwrap().to_vec())
}

fn assess(rules: &Rules, csv: &[u8]) -> Report {
    let ds = kaohe::read(rules, "data.csv", csv);
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    rules.assess(&ds.units, None).unwrap()
}

fn gaps(rules: &Rules, csv: &[u8]) -> GapReport {
    let ds = kaohe::read(rules, "data.csv", csv);
    rules.gaps(&ds.units, None).unwrap()
}

/// The CSV with each move's cell rewritten in the unit's row, as a person would edit it: the
/// column found by its header, the row by the unit's code.
fn applied(csv: &[u8], unit: &str, moves: &[&Move]) -> Vec<u8> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv);
    let mut rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let header = rows[0].clone();
    let row = rows.iter().position(|r| &r[0] == unit).unwrap();
    for m in moves {
        let col = header
            .iter()
            .position(|h| h == m.label)
            .unwrap_or_else(|| panic!("no column {}", m.label));
        let mut cells: Vec<String> = rows[row].iter().map(str::to_string).collect();
        cells[col] = m.to.clone();
        rows[row] = csv::StringRecord::from(cells);
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

fn unit<'a>(report: &'a GapReport, name: &str) -> &'a UnitGap {
    report.units.iter().find(|u| u.name == name).unwrap()
}

#[test]
fn county_gaps_checked_by_hand() {
    let (rules, csv) = bundled_set("county-antidrug");
    let g = gaps(&rules, &csv);
    // 79.95 against 合格 ≥ 80: 0.05 short; one more adopted article (0.05 each) is enough.
    let nanmen = unit(&g, "南门街道");
    let next = nanmen.next_grade.as_ref().unwrap();
    assert_eq!((next.grade.as_str(), next.points), ("合格", dec("0.05")));
    let plan = nanmen.plan.as_ref().unwrap();
    assert!(plan.reached);
    assert_eq!(plan.total, dec("80"));
    // 宣传栏覆盖率 80 % on a line from 60 % (0) to 100 % (5): 2.5 points, 0.125 per point;
    // 100 % gives the 2.5 the park needs for 先进 (87.9 + 2.5 = 90.4).
    let park = unit(&g, "城南工业园区管委会");
    let board = park.items.iter().find(|i| i.id == "edu.board").unwrap();
    assert_eq!((board.points, board.headroom), (dec("2.5"), dec("2.5")));
    assert_eq!(
        board.rates,
        ["村（社区）禁毒宣传栏覆盖率每增加 1，+0.125 分"]
    );
    let plan = park.plan.as_ref().unwrap();
    assert_eq!(plan.moves.len(), 1);
    assert_eq!(
        (plan.moves[0].from.as_str(), plan.moves[0].to.as_str()),
        ("80%", "100%")
    );
    assert_eq!(plan.total, dec("90.4"));
    assert_eq!(plan.grade.as_deref(), Some("先进"));
    // One meeting gives 1 of 5; four or more give 5.
    let liuxi = unit(&g, "柳溪镇");
    let meeting = liuxi.items.iter().find(|i| i.id == "org.meeting").unwrap();
    let to_four = meeting.moves.iter().find(|m| m.to == "4").unwrap();
    assert_eq!(
        (to_four.from.as_str(), to_four.item_points),
        ("1", dec("4"))
    );
    // 96.8 points but an incident (肇事肇祸) bars 先进: the points are there, the
    // prerequisite is what the plan changes.
    let shiqiao = unit(&g, "石桥镇");
    assert_eq!(shiqiao.next_grade.as_ref().unwrap().points, Decimal::ZERO);
    assert!(shiqiao.blocked.iter().any(|b| b.contains("必备条件未满足")));
    let plan = shiqiao.plan.as_ref().unwrap();
    assert_eq!(plan.moves[0].field, "incidents");
    assert_eq!(plan.grade.as_deref(), Some("先进"));
    // 3600 poppy plants take 18 points from an item of 5 (扣完为止): 999 plants (4 steps of
    // 200) is the fewest that gives a point back; the veto still decides the grade.
    let yunwu = unit(&g, "云雾乡");
    assert!(yunwu.next_grade.is_none() && yunwu.plan.is_none() && yunwu.next_rank.is_none());
    assert!(yunwu.blocked.iter().any(|b| b.contains("禁种铲毒工作失控")));
    let plants = yunwu.items.iter().find(|i| i.id == "grass.plants").unwrap();
    let fewest = &plants.moves[0];
    assert_eq!((fewest.to.as_str(), fewest.item_points), ("999", dec("1")));
    // The rank above: 城关镇 first; 东城街道 second, 3.3 behind it.
    let dongcheng = unit(&g, "东城街道");
    let above = dongcheng.next_rank.as_ref().unwrap();
    assert_eq!(
        (above.rank, above.name.as_str(), above.points),
        (1, "城关镇", dec("3.3"))
    );
    assert!(unit(&g, "城关镇").next_rank.is_none());
}

/// Every suggested change, made in the CSV, changes the unit's total and the item's points by
/// what the gap says.
#[test]
fn every_move_gains_what_it_says() {
    let (rules, csv) = bundled_set("county-antidrug");
    let before = assess(&rules, &csv);
    let g = gaps(&rules, &csv);
    let mut checked = 0;
    for u in &g.units {
        let was = before.units.iter().find(|x| x.id == u.id).unwrap();
        for item in &u.items {
            for m in &item.moves {
                let after = assess(&rules, &applied(&csv, &u.id, &[m]));
                let now = after.units.iter().find(|x| x.id == u.id).unwrap();
                assert_eq!(
                    now.total.unwrap() - was.total.unwrap(),
                    m.total_points,
                    "{}: {}",
                    u.name,
                    m.detail
                );
                let points = |r: &kaohe::result::UnitResult| r.items.find(&item.id).unwrap().points;
                assert_eq!(points(now) - points(was), m.item_points, "{}", m.detail);
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} moves");
}

/// Every plan that says it reaches the next grade does, on every bundled rule set with sample
/// data and no quota: its changes made in the CSV, the unit scored again with the others.
#[test]
fn every_plan_reaches_its_grade() {
    let mut plans = 0;
    for b in bundled::ALL.iter().filter(|b| b.data.is_some()) {
        let Ok(rules) = Rules::compile_with_files(b.rules_path, b.rules, &[], b.loader()) else {
            continue;
        };
        let csv = b.data.unwrap();
        let ds = kaohe::read(&rules, "data.csv", csv);
        // A quota (`quota:` in `grades(…)`) places units by rank, not by points alone.
        if !ds.errors.is_empty() || b.rules.contains("quota:") {
            continue;
        }
        let Ok(g) = rules.gaps(&ds.units, None) else {
            continue;
        };
        for u in &g.units {
            let Some(plan) = u.plan.as_ref().filter(|p| p.reached) else {
                continue;
            };
            let moves: Vec<&Move> = plan.moves.iter().collect();
            let after = assess(&rules, &applied(csv, &u.id, &moves));
            let now = after.units.iter().find(|x| x.id == u.id).unwrap();
            // The next grade or, when a change earns more, a better one.
            let band = |g: &str| rules.grade_index(g).unwrap();
            let target = band(&u.next_grade.as_ref().unwrap().grade);
            let reached = band(now.grade.as_deref().unwrap());
            assert!(reached <= target, "{} {}: {:?}", b.id, u.name, plan);
            assert_eq!(now.grade, plan.grade, "{} {}", b.id, u.name);
            assert_eq!(now.total, Some(plan.total), "{} {}", b.id, u.name);
            plans += 1;
        }
    }
    assert!(plans >= 10, "only {plans} plans checked");
}

/// The county rule set with each `(from, to)` replaced.
fn county_with(edits: &[(&str, &str)]) -> (Rules, Vec<u8>) {
    let b = bundled::ALL
        .iter()
        .find(|b| b.id == "county-antidrug")
        .unwrap();
    let mut source = b.rules.to_string();
    for (from, to) in edits {
        assert!(source.contains(from), "{from}");
        source = source.replacen(from, to, 1);
    }
    (
        Rules::compile("county.rhai", &source).unwrap(),
        b.data.unwrap().to_vec(),
    )
}

/// 先进 above 90 (not at it): 龙泉镇's 90.00 is 合格, one hundredth short, and a plan passes it.
#[test]
fn a_strict_threshold_needs_one_step_past_it() {
    let (rules, csv) = county_with(&[
        (
            r#"#{ name: "先进", at_least: 90 },"#,
            r#"#{ name: "先进", above: 90 },"#,
        ),
        ("at_least: 80, below: 90", "at_least: 80, at_most: 90"),
    ]);
    let g = gaps(&rules, &csv);
    let longquan = unit(&g, "龙泉镇");
    assert_eq!(longquan.grade.as_deref(), Some("合格"));
    let next = longquan.next_grade.as_ref().unwrap();
    assert!(next.strict);
    assert_eq!(next.points, dec("0.01"));
    assert!(
        longquan.summary.contains("距先进（>90 分）差 0.01 分"),
        "{}",
        longquan.summary
    );
    let plan = longquan.plan.as_ref().unwrap();
    assert!(plan.reached && plan.total > dec("90"));
    let after = assess(
        &rules,
        &applied(&csv, &longquan.id, &plan.moves.iter().collect::<Vec<_>>()),
    );
    let now = after.units.iter().find(|u| u.id == longquan.id).unwrap();
    assert_eq!(now.grade.as_deref(), Some("先进"));
}

/// With `veto_policy(#{ grade: "earned" })` a vetoed unit keeps the grade its points earn: its
/// gap and plan are worked out, and nothing says the points cannot change the grade.
#[test]
fn an_earned_veto_policy_leaves_the_grade_to_the_points() {
    let (rules, csv) = county_with(&[(
        r#"veto_policy(#{ grade: "不合格", awards: false, rank: "last", show_points: true });"#,
        r#"veto_policy(#{ grade: "earned", awards: false, rank: "last", show_points: true });"#,
    )]);
    let g = gaps(&rules, &csv);
    let yunwu = unit(&g, "云雾乡");
    assert!(yunwu.blocked.iter().any(|b| b.contains("禁种铲毒工作失控")));
    assert!(yunwu
        .blocked
        .iter()
        .all(|b| !b.contains("得分再高也不能改变等次")));
    let next = yunwu
        .next_grade
        .as_ref()
        .expect("a next grade for a vetoed unit");
    let plan = yunwu.plan.as_ref().unwrap();
    assert!(plan.reached, "{plan:?}");
    let after = assess(
        &rules,
        &applied(&csv, &yunwu.id, &plan.moves.iter().collect::<Vec<_>>()),
    );
    let now = after.units.iter().find(|u| u.id == yunwu.id).unwrap();
    let band = |n: &str| rules.grade_index(n).unwrap();
    assert!(band(now.grade.as_deref().unwrap()) <= band(&next.grade));
}

/// 优秀 at most 30 % (member departments): a unit whose points clear 优秀 but whose place does
/// not is told the quota holds it, and no change of data is offered as reaching it.
#[test]
fn a_quota_is_named_and_no_plan_claims_to_beat_it() {
    let (rules, csv) = bundled_set("member-departments");
    let g = gaps(&rules, &csv);
    let held: Vec<&UnitGap> = g
        .units
        .iter()
        .filter(|u| {
            u.next_grade
                .as_ref()
                .is_some_and(|n| n.quota && n.points.is_zero())
        })
        .collect();
    assert!(!held.is_empty(), "the sample has a unit held by the quota");
    for u in held {
        assert!(u.summary.contains("受名额限制"), "{}", u.summary);
        assert!(u.plan.is_none(), "{}: {:?}", u.name, u.plan);
    }
}
