//! Two runs compared (对比): a weight change, a threshold change and a data correction on the
//! county rule set's sample, each against what the change must do worked out independently.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
use kaohe::change::{diff, DiffReport};
use kaohe::{bundled, Report, Rules};
use rust_decimal::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn county() -> (&'static str, &'static [u8]) {
    let b = bundled::ALL
        .iter()
        .find(|b| b.id == "county-antidrug")
        .unwrap();
    (b.rules, b.data.unwrap())
}

fn assess(source: &str, csv: &[u8]) -> Report {
    let rules = Rules::compile("county-antidrug.rhai", source).unwrap();
    let ds = kaohe::read(&rules, "data.csv", csv);
    assert!(ds.errors.is_empty());
    rules.assess(&ds.units, None).unwrap()
}

fn changed(source: &str, from: &str, to: &str) -> String {
    assert!(source.contains(from), "{from}");
    source.replacen(from, to, 1)
}

/// 先进 from 90 down to 85: exactly the units graded 合格 on 85 to 90 points without a
/// prerequisite missed move up, and no total moves.
#[test]
fn a_threshold_change_moves_the_units_between_the_lines() {
    let (source, csv) = county();
    let old = assess(source, csv);
    let lowered = changed(
        source,
        r#"#{ name: "先进", at_least: 90 },"#,
        r#"#{ name: "先进", at_least: 85 },"#,
    );
    let lowered = changed(
        &lowered,
        "at_least: 80, below: 90",
        "at_least: 80, below: 85",
    );
    let new = assess(&lowered, csv);
    let d: DiffReport = diff(&old, &new, "old", "new");
    let expected: Vec<&str> = old
        .units
        .iter()
        .filter(|u| u.grade.as_deref() == Some("合格") && u.prerequisites_failed.is_empty())
        .filter(|u| u.total.is_some_and(|t| t >= dec("85")))
        .map(|u| u.id.as_str())
        .collect();
    assert!(!expected.is_empty());
    let moved: Vec<&str> = d
        .units
        .iter()
        .filter(|u| u.grade_changed)
        .map(|u| u.id.as_str())
        .collect();
    assert_eq!(moved.len(), expected.len());
    assert!(expected.iter().all(|e| moved.contains(e)));
    // Those come first, with the consequence that goes with the grade.
    for u in &d.units[..moved.len()] {
        assert_eq!(u.after.as_ref().unwrap().grade.as_deref(), Some("先进"));
        assert!(u
            .after
            .as_ref()
            .unwrap()
            .consequences
            .contains(&"通报表彰".to_string()));
    }
    assert_eq!((d.grades_changed, d.totals_changed), (expected.len(), 0));
    assert!(d.summary[0].starts_with(&format!("{} 个单位等次变化", expected.len())));
}

/// 失控 from −0.5 to −1 a person: each unit's 吸毒人员管控 goes from max(6 − 0.5n, 0) to
/// max(6 − n, 0), the totals by the same, and 基层基础 shows the mean change.
#[test]
fn a_weight_change_moves_each_unit_by_its_own_data() {
    let (source, csv) = county();
    let old = assess(source, csv);
    let heavier = changed(
        source,
        r#"deduct: #{ count: "lost", each: 0.5 },"#,
        r#"deduct: #{ count: "lost", each: 1 },"#,
    );
    let new = assess(&heavier, csv);
    let d = diff(&old, &new, "old", "new");
    let rules = Rules::compile("c.rhai", source).unwrap();
    let units = kaohe::read(&rules, "data.csv", csv).units;
    let lost = rules.field_index("lost").unwrap();
    let id_field = rules.id_field();
    let mut sum = Decimal::ZERO;
    for u in &units {
        let n = u.values()[lost].number().unwrap();
        let was = (dec("6") - dec("0.5") * n).max(Decimal::ZERO);
        let now = (dec("6") - n).max(Decimal::ZERO);
        let id = u.values()[id_field].display();
        let ud = d.units.iter().find(|x| x.id == id).unwrap();
        let item = ud.items.iter().find(|i| i.id == "base.control");
        match item {
            Some(i) => assert_eq!(
                (i.before, i.after, i.change),
                (Some(was), Some(now), now - was)
            ),
            None => assert_eq!(was, now, "{id}"),
        }
        // No cap bites in this sample: the total moves by the item's change.
        assert_eq!(ud.total_change, Some((now - was).normalize()), "{id}");
        sum += now - was;
    }
    let mean = (sum / Decimal::from(units.len())).round_dp(2).normalize();
    let shift = d
        .shifts
        .iter()
        .find(|s| s.kind == "category" && s.id == "基层基础")
        .unwrap();
    assert_eq!(shift.mean, mean);
    assert!(d
        .summary
        .iter()
        .any(|l| l.starts_with("基层基础：平均") && l.contains(&mean.to_string())));
}

/// A corrected cell (南门街道 gets one more adopted article, +0.05): only that unit's total
/// moves, by 0.05, which lifts it from 79.95 to 合格 at 80; it is listed first.
#[test]
fn a_data_correction_moves_only_its_unit() {
    let (source, csv) = county();
    let text = std::str::from_utf8(csv).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "禁毒信息被县级以上采用篇数")
        .unwrap();
    let row = lines.iter().position(|l| l.contains(",南门街道,")).unwrap();
    let mut cells: Vec<String> = lines[row].split(',').map(str::to_string).collect();
    assert_eq!(cells[col], "0");
    cells[col] = "1".into();
    lines[row] = cells.join(",");
    let corrected = lines.join("\n") + "\n";
    let d = diff(
        &assess(source, csv),
        &assess(source, corrected.as_bytes()),
        "上报",
        "核查后",
    );
    let first = &d.units[0];
    assert_eq!(first.name, "南门街道");
    assert!(first.grade_changed);
    assert_eq!(first.total_change, Some(dec("0.05")));
    assert_eq!(first.items.len(), 1);
    assert_eq!(
        (first.items[0].id.as_str(), first.items[0].change),
        ("bonus.info", dec("0.05"))
    );
    assert!(d.units[1..]
        .iter()
        .all(|u| u.total_change == Some(Decimal::ZERO) && u.items.is_empty()));
    assert_eq!((d.grades_changed, d.totals_changed), (1, 1));
}
