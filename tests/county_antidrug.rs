//! The bundled county anti-drug rule set on its sample data, checked against totals worked
//! out by hand from the rubric (see the rule file's header for the scheme).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use kaohe::{bundled, Rules};

fn report(bytes: &[u8]) -> kaohe::Report {
    let b = bundled::default_set();
    let rules = Rules::compile(b.rules_path, b.rules).unwrap();
    let ds = kaohe::read_csv(&rules, bytes);
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    rules.assess(&ds.units, None).unwrap()
}

/// (rank, name, total shown, grade, consequences)
const EXPECTED: [(u32, &str, &str, &str, &[&str]); 20] = [
    (1, "城关镇", "101.00", "先进", &["通报表彰"]),
    (2, "东城街道", "97.70", "先进", &["通报表彰"]),
    (3, "石桥镇", "96.80", "合格", &[]),
    (4, "西城街道", "93.70", "先进", &["通报表彰"]),
    (5, "龙泉镇", "90.00", "先进", &["通报表彰"]),
    (6, "城南工业园区管委会", "87.90", "合格", &[]),
    (7, "河口镇", "84.35", "合格", &[]),
    (7, "白沙镇", "84.35", "合格", &[]),
    (9, "黄岭镇", "83.03", "合格", &[]),
    (10, "柳溪镇", "80.00", "合格", &[]),
    (
        11,
        "南门街道",
        "79.95",
        "基本合格",
        &["限期整改", "重点关注"],
    ),
    (12, "红岩乡", "77.05", "基本合格", &["限期整改"]),
    (13, "新场镇", "75.80", "基本合格", &["限期整改"]),
    (14, "青山乡", "74.25", "基本合格", &["限期整改"]),
    (15, "马鞍镇", "74.15", "基本合格", &["限期整改", "重点关注"]),
    (16, "金竹乡", "65.94", "基本合格", &["限期整改"]),
    (17, "北关街道", "60.00", "基本合格", &["限期整改"]),
    (
        18,
        "高坪乡",
        "47.10",
        "不合格",
        &["约谈", "黄牌", "重点关注"],
    ),
    (
        19,
        "桃源镇",
        "92.66",
        "不合格",
        &["约谈", "黄牌", "组织处理建议"],
    ),
    (
        20,
        "云雾乡",
        "72.35",
        "不合格",
        &["约谈", "黄牌", "追责问责"],
    ),
];

#[test]
fn every_unit_gets_the_hand_computed_rank_total_grade_and_consequences() {
    let rep = report(bundled::default_set().data.unwrap());
    assert_eq!(rep.units.len(), 20);
    for (u, (rank, name, total, grade, cons)) in rep.units.iter().zip(EXPECTED) {
        let got: Vec<&str> = u.consequences.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            (
                u.rank,
                u.name.as_str(),
                u.total_display.as_deref(),
                u.grade.as_deref(),
                got
            ),
            (Some(rank), name, Some(total), Some(grade), cons.to_vec()),
        );
    }
    let c = &rep.cohorts[0];
    assert_eq!(c.mean.unwrap().to_string(), "80.9");
    let counts: Vec<usize> = c.grades.iter().map(|g| g.count).collect();
    assert_eq!(counts, vec![4, 6, 7, 3]);
}

#[test]
fn the_gbk_sample_scores_exactly_like_the_utf8_one() {
    let gbk = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rules/samples/county-antidrug.gbk.csv"
    ))
    .unwrap();
    assert!(std::str::from_utf8(&gbk).is_err());
    let a = serde_json::to_string(&report(bundled::default_set().data.unwrap())).unwrap();
    let b = serde_json::to_string(&report(&gbk)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn vetoed_units_say_which_veto_and_why_and_are_barred_from_awards() {
    let rep = report(bundled::default_set().data.unwrap());
    let taoyuan = rep.units.iter().find(|u| u.name == "桃源镇").unwrap();
    assert!(taoyuan.vetoed && !taoyuan.awards_eligible);
    assert_eq!(taoyuan.vetoes.len(), 1);
    assert_eq!(taoyuan.vetoes[0].id, "veto.lab");
    let yunwu = rep.units.iter().find(|u| u.name == "云雾乡").unwrap();
    let ids: Vec<&str> = yunwu.vetoes.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, vec!["veto.grass", "veto.capped"]);
}

#[test]
fn the_ninety_point_unit_is_explained_item_by_item() {
    let rep = report(bundled::default_set().data.unwrap());
    let u = rep.units.iter().find(|u| u.name == "龙泉镇").unwrap();
    let sum: rust_decimal::Decimal = u.items.iter().map(|i| i.points).sum();
    assert_eq!(sum, rust_decimal::Decimal::from(90));
    assert_eq!(u.base.to_string(), "89.45");
    assert_eq!(u.bonus.to_string(), "0.55");
    for item in &u.items {
        assert!(
            !item.reasons().is_empty(),
            "item `{}` has no reason",
            item.id
        );
        assert!(
            !item.text.is_empty(),
            "item `{}` has no author text",
            item.id
        );
    }
    let lost = u.items.iter().find(|i| i.id == "base.control").unwrap();
    assert!(
        lost.reasons()[0].detail.contains("失控人员数 = 3"),
        "{:?}",
        lost.reasons()
    );
}
