//! Many periods (历次): a unit's trend over the results given with `--history`, and
//! consequences on several periods in a row (连续 N 期: `consecutive`) — three periods of the
//! county rule set, checked against the ranks each period's result shows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
use kaohe::{bundled, Previous, Report, Rules};

/// The county rule set with two consequences over periods: 连续两期末位 and 连续两期进步.
fn rules(extra: &str) -> Rules {
    let b = bundled::ALL
        .iter()
        .find(|b| b.id == "county-antidrug")
        .unwrap();
    Rules::compile("county.rhai", &format!("{}\n{extra}", b.rules)).unwrap()
}

const IN_A_ROW: &str = r#"
consequence("连续末位约谈", #{ when: #{ consecutive: 2, bottom_ranks: 1 }, reason: "连续两期综合排名末位，约谈主要负责人" });
consequence("连续进步表扬", #{ when: #{ consecutive: 2, improved: true }, reason: "连续两期名次上升，通报表扬" });
consequence("三期进步", #{ when: #{ consecutive: 3, improved: true }, reason: "连续三期名次上升" });
"#;

/// The county sample with 南门街道's adopted articles and open issues set: 79.95 points
/// (rank 11) as published, then 80.10 (rank 10), then 83.95 (rank 9).
fn period(articles: u32, open_issues: u32) -> Vec<u8> {
    let b = bundled::ALL
        .iter()
        .find(|b| b.id == "county-antidrug")
        .unwrap();
    let text = std::str::from_utf8(b.data.unwrap()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = |h: &str| header.iter().position(|x| *x == h).unwrap();
    let (a, o) = (
        col("禁毒信息被县级以上采用篇数"),
        col("督导反馈问题未整改数"),
    );
    let row = lines.iter().position(|l| l.contains(",南门街道,")).unwrap();
    let mut cells: Vec<String> = lines[row].split(',').map(str::to_string).collect();
    cells[a] = articles.to_string();
    cells[o] = open_issues.to_string();
    lines[row] = cells.join(",");
    (lines.join("\n") + "\n").into_bytes()
}

fn run(rules: &Rules, csv: &[u8], previous: Option<&Previous>) -> Report {
    let ds = kaohe::read(rules, "data.csv", csv);
    assert!(ds.errors.is_empty());
    rules.assess(&ds.units, previous).unwrap()
}

fn unit<'a>(r: &'a Report, name: &str) -> &'a kaohe::result::UnitResult {
    r.units.iter().find(|u| u.name == name).unwrap()
}

fn drew(r: &Report, name: &str) -> Vec<String> {
    unit(r, name)
        .consequences
        .iter()
        .map(|c| c.name.clone())
        .collect()
}

fn as_previous(r: &Report) -> Previous {
    Previous::from_json(&r.to_json()).unwrap()
}

#[test]
fn consequences_over_periods_in_a_row() {
    let rules = rules(IN_A_ROW);
    let p1 = run(&rules, &period(0, 3), None);
    assert_eq!(unit(&p1, "南门街道").rank, Some(11));
    // One period alone: nothing is in a row yet, though 云雾乡 is last.
    assert_eq!(unit(&p1, "云雾乡").rank, Some(20));
    assert!(!drew(&p1, "云雾乡").contains(&"连续末位约谈".to_string()));
    // Period 2 against period 1: 云雾乡 last twice; 南门街道 up one place, once.
    let h1 = as_previous(&p1);
    let p2 = run(&rules, &period(3, 3), Some(&h1));
    assert_eq!(unit(&p2, "南门街道").rank, Some(10));
    assert!(drew(&p2, "云雾乡").contains(&"连续末位约谈".to_string()));
    assert!(!drew(&p2, "南门街道").contains(&"连续进步表扬".to_string()));
    let last: Vec<&str> = p2
        .units
        .iter()
        .filter(|u| u.consequences.iter().any(|c| c.name == "连续末位约谈"))
        .map(|u| u.name.as_str())
        .collect();
    assert_eq!(last, ["云雾乡"]);
    // Period 3 with periods 1 and 2 as history: up again, so twice in a row; three in a row
    // would need a fourth period.
    let history = Previous::from_periods(vec![as_previous(&p1), as_previous(&p2)]).unwrap();
    let p3 = run(&rules, &period(3, 0), Some(&history));
    let nanmen = unit(&p3, "南门街道");
    assert_eq!(nanmen.rank, Some(9));
    assert!(drew(&p3, "南门街道").contains(&"连续进步表扬".to_string()));
    assert!(!drew(&p3, "南门街道").contains(&"三期进步".to_string()));
    // With only period 2 as the previous one, period 1 is not known: whether period 2 was an
    // improvement cannot be read, so it is not two in a row.
    let p3_alone = run(&rules, &period(3, 0), Some(&as_previous(&p2)));
    assert!(!drew(&p3_alone, "南门街道").contains(&"连续进步表扬".to_string()));
    // The trend: periods 1 and 2, oldest first, as each result published them.
    let trend = &nanmen.trend;
    assert_eq!(trend.len(), 2);
    assert_eq!(trend[0].rank, Some(11));
    assert_eq!(trend[1].rank, Some(10));
    assert_eq!(trend[0].total.unwrap().to_string(), "79.95");
    assert_eq!(trend[1].total.unwrap().to_string(), "80.10");
    assert_eq!(trend[1].grade.as_deref(), Some("合格"));
    // Without --history there is no trend in the result.
    assert!(unit(&p2, "南门街道").trend.is_empty());
    assert!(!p2.to_json().contains("\"trend\""));
}

#[test]
fn consecutive_needs_a_count_and_a_condition_results_record() {
    let b = bundled::ALL
        .iter()
        .find(|b| b.id == "county-antidrug")
        .unwrap();
    for bad in [
        r#"consequence("x", #{ when: #{ consecutive: 1, bottom_ranks: 1 } });"#,
        r#"consequence("x", #{ when: #{ consecutive: 2 } });"#,
        r#"consequence("x", #{ when: #{ consecutive: 2, bottom: 1, top: 1 } });"#,
        r#"consequence("x", #{ when: #{ consecutive: 2, grade: "优秀" } });"#,
        r#"consequence("x", #{ when: #{ consecutive: 2, consequence: "未声明" } });"#,
    ] {
        let src = format!("{}\n{bad}", b.rules);
        let Err(e) = Rules::compile("c.rhai", &src) else {
            panic!("compiled: {bad}");
        };
        let text: Vec<String> = e.0.iter().map(|e| e.render(kaohe::Lang::Zh)).collect();
        assert!(
            text.iter()
                .any(|t| t.contains("R0503") || t.contains("R0102") || t.contains("优秀")),
            "{bad}: {text:?}"
        );
    }
}

/// 连续两期末位 in a rule set with no other consequence by rank number: the worst rank this
/// period is still known (it was looked up only for a `bottom_ranks` of its own), so only the
/// unit last both periods draws it.
#[test]
fn bottom_ranks_in_a_row_alone() {
    let b = bundled::ALL
        .iter()
        .find(|b| b.id == "county-antidrug")
        .unwrap();
    let own = "when: #{ bottom_ranks: 3 },";
    assert!(b.rules.contains(own));
    let source = format!(
        "{}\n{IN_A_ROW}",
        b.rules.replacen(own, "when: #{ bottom: 3 },", 1)
    );
    let rules = Rules::compile("county.rhai", &source).unwrap();
    let p1 = run(&rules, &period(0, 3), None);
    let p2 = run(&rules, &period(3, 3), Some(&as_previous(&p1)));
    let drew = |r: &Report| -> Vec<String> {
        r.units
            .iter()
            .filter(|u| u.consequences.iter().any(|c| c.name == "连续末位约谈"))
            .map(|u| u.name.clone())
            .collect()
    };
    assert_eq!(drew(&p2), ["云雾乡"]);
    // Next period 云雾乡 clears its vetoes and leaves last place to 桃源镇, last for the first
    // time: no one has been last twice.
    let text = String::from_utf8(period(3, 3)).unwrap();
    let cleared = text
        .lines()
        .map(|l| {
            if l.contains(",云雾乡,") {
                let mut c: Vec<&str> = l.split(',').collect();
                let n = c.len();
                // 发现罂粟株数, 上级遥感监测发现种植点数, 非法种植面积（亩） and 因本单位致县被上级戴帽.
                let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
                for (h, v) in [
                    ("发现罂粟株数", "0"),
                    ("非法种植面积（亩）", "0"),
                    ("因本单位致县被上级戴帽", "否"),
                ] {
                    let k = header.iter().position(|x| *x == h).unwrap();
                    assert!(k < n);
                    c[k] = v;
                }
                c.join(",")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let p3 = run(&rules, cleared.as_bytes(), Some(&as_previous(&p2)));
    assert!(!unit(&p3, "云雾乡").vetoed);
    assert_ne!(unit(&p3, "云雾乡").rank, Some(20));
    assert_eq!(unit(&p3, "桃源镇").rank, Some(20));
    assert!(drew(&p3).is_empty(), "{:?}", drew(&p3));
}
