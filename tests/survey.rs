//! Surveys (问卷): respondents' rows → each unit's 安全感/满意度/知晓率, with their checks
//! (every one asserted by code, row, column and words), statistics against values computed by
//! hand, weights and post-stratification, GBK CSV and 问卷星-style XLSX, the counts form of the
//! same rule set, and the memory of a streamed reading.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kaohe::result::{Report, UnitResult};
use kaohe::Lang;
use kaohe::{survey, Rules};

const RULES: &str = include_str!("../rules/satisfaction-survey.rhai");

fn bundled() -> Rules {
    Rules::compile("satisfaction-survey.rhai", RULES).unwrap()
}

/// The small file of the rule set's cases (`rules/samples/satisfaction-survey.small.csv`).
const SMALL: &str = include_str!("../rules/samples/satisfaction-survey.small.csv");

fn assess(rules: &Rules, ds: &kaohe::Dataset) -> Report {
    assert!(ds.errors.is_empty(), "data errors: {:#?}", ds.errors);
    rules.assess(&ds.units, None).unwrap()
}

fn unit<'a>(r: &'a Report, name: &str) -> &'a UnitResult {
    r.units
        .iter()
        .find(|u| u.name == name || u.id == name)
        .unwrap_or_else(|| panic!("no unit {name}"))
}

fn metric<'a>(u: &'a UnitResult, id: &str) -> &'a kaohe::result::MetricResult {
    u.metrics.iter().find(|m| &*m.id == id).unwrap()
}

fn reasons(u: &UnitResult) -> Vec<String> {
    u.items
        .iter()
        .flat_map(|i| i.reasons().into_iter().map(|r| r.detail))
        .collect()
}

/// Errors rendered in zh-CN, one string each.
fn rendered(ds: &kaohe::Dataset) -> Vec<String> {
    ds.errors.iter().map(|e| e.render(Lang::Zh)).collect()
}

// ---------------------------------------------------------------------------------------------
// Indices and intervals against values computed by hand
// ---------------------------------------------------------------------------------------------

#[test]
fn the_small_file_gives_the_indices_and_intervals_computed_by_hand() {
    let rules = bundled();
    let ds = kaohe::read(&rules, "small.csv", SMALL.as_bytes());
    let s = ds.respondents.unwrap();
    assert_eq!(
        (s.respondents, s.counted, s.units, s.short_units),
        (21, 21, 3, 3)
    );
    let r = assess(&rules, &ds);
    let a = unit(&r, "甲镇");
    // 安全感: 非常安全 3 + 安全 4 + 比较安全 1 of 10 (不清楚 left out) = 80 %; Wilson 8/10:
    // (0.8 + z²/20 ∓ z·√(0.016 + z²/400)) / (1 + z²/10) = 49.0162 … 94.3318 (z = 1.959964).
    let safety = metric(a, "safety");
    assert_eq!(safety.display.as_deref(), Some("80.00"));
    let s = safety.sample.as_ref().unwrap();
    assert_eq!((s.n, s.method), (10, "wilson"));
    assert_eq!(
        (s.low.unwrap().to_string(), s.high.unwrap().to_string()),
        ("49.02".into(), "94.33".into())
    );
    // 满意度: (4×100 + 3×80 + 2×60 + 1×30) / 10 = 79; s² = Σ c(y − 79)² / 9 = 543.33…,
    // SE = √(s²/10) = 7.3711; 79 ∓ 1.96 × 7.3711 = 64.55 … 93.45.
    let sat = metric(a, "sat");
    assert_eq!(sat.display.as_deref(), Some("79.00"));
    let s = sat.sample.as_ref().unwrap();
    assert_eq!((s.n, s.method), (10, "mean"));
    assert_eq!(s.standard_error.unwrap().to_string(), "7.37");
    assert_eq!(
        (s.low.unwrap().to_string(), s.high.unwrap().to_string()),
        ("64.55".into(), "93.45".into())
    );
    // 知晓率: 9 of 11 = 81.82 %, Wilson 52.30 … 94.86.
    let aware = metric(a, "aware");
    assert_eq!(aware.display.as_deref(), Some("81.82"));
    let s = aware.sample.as_ref().unwrap();
    assert_eq!(
        (s.n, s.low.unwrap().to_string(), s.high.unwrap().to_string()),
        (11, "52.30".into(), "94.86".into())
    );
    // The explanation says it: value, n and interval, and the short sample.
    let all = reasons(a);
    assert!(
        all.iter().any(|r| r.starts_with(
            "公安工作满意度（分） = 79.00（n = 10，95% 区间 64.55–93.45，样本不足（少于 30），结果仅供参考）"
        )),
        "{all:#?}"
    );
    // 乙镇: 5 of 5 safe (one skipped), mean (100 + 2×80 + 60 + 0)/5 = 64, 3 of 5 aware.
    let b = unit(&r, "乙镇");
    assert_eq!(metric(b, "safety").display.as_deref(), Some("100.00"));
    let s = metric(b, "safety").sample.as_ref().unwrap();
    assert_eq!(
        (s.low.unwrap().to_string(), s.high.unwrap().to_string()),
        ("56.55".into(), "100.00".into())
    );
    assert_eq!(metric(b, "sat").display.as_deref(), Some("64.00"));
    assert_eq!(
        metric(b, "sat")
            .sample
            .as_ref()
            .unwrap()
            .standard_error
            .unwrap()
            .to_string(),
        "17.20"
    );
    assert_eq!(metric(b, "aware").display.as_deref(), Some("60.00"));
    // 丙镇 answered by codes: 安全 2, 比较安全 1, 不清楚 1; 非常满意 2, 满意 1, 非常不满意 1.
    let c = unit(&r, "丙镇");
    assert_eq!(metric(c, "safety").sample.as_ref().unwrap().n, 3);
    assert_eq!(metric(c, "sat").display.as_deref(), Some("70.00"));
    assert_eq!(metric(c, "aware").display.as_deref(), Some("75.00"));
}

#[test]
fn weights_give_the_weighted_share_and_kish_effective_sample() {
    let rules = Rules::compile("w.rhai", &weighted_rules("weight: \"权重\",")).unwrap();
    let csv =
        "序号,镇街,权重,治安,满意\n1,甲,1.5,安全,满意\n2,甲,0.5,安全,满意\n3,甲,2,不安全,满意\n";
    let ds = survey::read(&rules, "w.csv", csv.as_bytes(), None);
    let r = assess(&rules, &ds);
    let a = unit(&r, "甲");
    // Weighted counts 2 and 2: the index 50 %. n = 3, n_eff = (Σw)²/Σw² = 16/6.5 = 2.46;
    // Wilson(0.5, 2.4615) = 10.97 … 89.03.
    let m = metric(a, "safety");
    assert_eq!(m.display.as_deref(), Some("50.00"));
    let s = m.sample.as_ref().unwrap();
    assert_eq!(s.n, 3);
    assert_eq!(s.effective_n.unwrap().to_string(), "2.5");
    assert_eq!(
        (s.low.unwrap().to_string(), s.high.unwrap().to_string()),
        ("10.97".into(), "89.03".into())
    );
}

#[test]
fn a_weighted_mean_has_the_standard_error_of_the_weighted_mean() {
    let rules = Rules::compile("w.rhai", &weighted_rules("weight: \"权重\",")).unwrap();
    let csv =
        "序号,镇街,权重,治安,满意\n1,甲,1.5,安全,满意\n2,甲,0.5,安全,满意\n3,甲,2,安全,不满意\n";
    let ds = survey::read(&rules, "w.csv", csv.as_bytes(), None);
    let r = assess(&rules, &ds);
    let s = metric(unit(&r, "甲"), "sat").sample.clone().unwrap();
    // SE² = n/(n−1) · Σ w²(y − ȳ)² / W² = 1.5 × (2.25 + 0.25 + 4) × 2500 / 16 = 1523.4375.
    assert_eq!(s.standard_error.unwrap().to_string(), "39.03");
    // 50 ∓ 76.5 is clamped to the points' range.
    assert_eq!(
        (s.low.unwrap().to_string(), s.high.unwrap().to_string()),
        ("0.00".into(), "100.00".into())
    );
}

#[test]
fn post_stratification_weighs_each_stratum_by_its_population_share() {
    let strata = "strata: #{ by: \"性别\", shares: #{ \"男\": 0.4, \"女\": 0.6 } },";
    let rules = Rules::compile("p.rhai", &weighted_rules(strata)).unwrap();
    let csv = "序号,镇街,性别,治安,满意\n1,甲,男,安全,满意\n2,甲,男,安全,满意\n3,甲,男,不安全,满意\n4,甲,女,安全,满意\n5,甲,女,不安全,满意\n";
    let ds = survey::read(&rules, "p.csv", csv.as_bytes(), None);
    let r = assess(&rules, &ds);
    let m = metric(unit(&r, "甲"), "safety");
    // 0.4 × 2/3 + 0.6 × 1/2 = 56.67 %, not the raw 3/5 = 60 %.
    assert_eq!(m.display.as_deref(), Some("56.67"));
    let s = m.sample.as_ref().unwrap();
    // V = 0.4² × (2/9)/3 + 0.6² × 0.25/2 = 0.056852; n_eff = p(1 − p)/V = 4.32;
    // Wilson(0.5667, 4.319) = 19.39 … 87.67.
    assert_eq!(s.effective_n.unwrap().to_string(), "4.3");
    assert_eq!(s.standard_error.unwrap().to_string(), "23.84");
    assert_eq!(
        (s.low.unwrap().to_string(), s.high.unwrap().to_string()),
        ("19.39".into(), "87.67".into())
    );
    // The count fields hold the post-stratified counts, adding up to the 5 respondents.
    let u = &ds.units[0];
    let f = |n: &str| u.values()[rules.field_index(n).unwrap()].display();
    assert_eq!(f("s1"), "2.8333333333333333333333333333");
    assert_eq!(f("s0"), "2.1666666666666666666666666667");
}

/// A rule set for weights and strata: one share question, one mean question.
fn weighted_rules(extra: &str) -> String {
    format!(
        r#"
ruleset(#{{ id: "w", title: "加权", max: 100 }});
field("code", #{{ label: "单位编码", type: "text" }});
field("s1", #{{ label: "安全人数", type: "number", if_blank: 0 }});
field("s0", #{{ label: "不安全人数", type: "number", if_blank: 0 }});
field("m1", #{{ label: "满意人数", type: "number", if_blank: 0 }});
field("m0", #{{ label: "不满意人数", type: "number", if_blank: 0 }});
unit(#{{ id: "code" }});
survey(#{{ unit: "镇街", id: "序号", {extra} }});
question("safety", #{{ header: "治安", options: ["安全", "不安全"], counts: ["s1", "s0"] }});
question("sat", #{{ header: "满意", options: ["满意", "不满意"], counts: ["m1", "m0"] }});
metric("safety", #{{ label: "安全感", value: #{{ survey: ["s1", "s0"], share: ["s1"] }}, rank: true }});
metric("sat", #{{ label: "满意度", value: #{{ survey: ["m1", "m0"], points: [100, 0] }}, rank: true }});
indicator("x", #{{ label: "安全感", max: 100, linear: #{{ value: "safety", full_at: 100, zero_at: 0 }} }});
"#
    )
}

// ---------------------------------------------------------------------------------------------
// One rule set, two forms; encodings and layouts
// ---------------------------------------------------------------------------------------------

#[test]
fn respondents_and_counts_give_the_same_indices() {
    let rules = bundled();
    let respondents = include_bytes!("../rules/samples/satisfaction-survey.csv");
    let counts = include_bytes!("../rules/samples/satisfaction-survey.counts.csv");
    let units = survey::read_units(
        &rules,
        "units.csv",
        include_bytes!("../rules/samples/satisfaction-survey.units.csv"),
    );
    let a = assess(
        &rules,
        &survey::read(&rules, "r.csv", respondents, Some(&units.units)),
    );
    // The counts file was written by the generator while it drew the answers: an independent
    // tally of the same respondents.
    let b = assess(&rules, &kaohe::read(&rules, "counts.csv", counts));
    assert_eq!(a.units.len(), 12);
    for (x, y) in a.units.iter().zip(&b.units) {
        assert_eq!((&x.id, &x.total, x.rank), (&y.id, &y.total, y.rank));
        for (m, n) in x.metrics.iter().zip(&y.metrics) {
            assert_eq!(m.value, n.value, "{} {}", x.name, m.id);
            let (s, t) = (m.sample.as_ref().unwrap(), n.sample.as_ref().unwrap());
            assert_eq!(
                (s.n, s.low, s.high),
                (t.n, t.low, t.high),
                "{} {}",
                x.name,
                m.id
            );
        }
    }
}

#[test]
fn gbk_csv_and_wenjuanxing_xlsx_read_alike() {
    let rules = bundled();
    let gbk: &[u8] = include_bytes!("../rules/samples/satisfaction-survey.csv");
    assert!(
        !gbk.is_ascii() && String::from_utf8(gbk.to_vec()).is_err(),
        "the sample is GBK"
    );
    let a = kaohe::read(&rules, "gbk.csv", gbk);
    assert_eq!(a.encoding, "GB18030");
    let xlsx = include_bytes!("../rules/samples/satisfaction-survey-wjx.xlsx");
    let b = kaohe::read(&rules, "wjx.xlsx", xlsx);
    let (a, b) = (assess(&rules, &a), assess(&rules, &b));
    assert_eq!(a.units.len(), 12);
    for (x, y) in a.units.iter().zip(&b.units) {
        assert_eq!((&x.name, &x.total), (&y.name, &y.total));
    }
}

#[test]
fn utf16_and_utf8_with_a_byte_order_mark_read_as_utf8() {
    let rules = bundled();
    let plain = assess(&rules, &kaohe::read(&rules, "s.csv", SMALL.as_bytes()));
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(SMALL.encode_utf16().flat_map(u16::to_le_bytes));
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(SMALL.as_bytes());
    for (bytes, encoding) in [(utf16, "UTF-16LE"), (bom, "UTF-8")] {
        let ds = kaohe::read(&rules, "s.csv", &bytes);
        assert_eq!(ds.encoding, encoding);
        let r = assess(&rules, &ds);
        for (x, y) in plain.units.iter().zip(&r.units) {
            assert_eq!((&x.name, &x.total), (&y.name, &y.total));
        }
    }
}

#[test]
fn an_xlsx_in_wenjuanxing_layout_with_codes_and_a_title_row() {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let head = [
        "序号",
        "提交答卷时间",
        "所用时间",
        "来源",
        "来源详情",
        "来自IP",
        "Q1. 您居住在哪个镇(街道)?",
        "Q3. 您觉得您所在的镇(街道)治安状况如何?",
        "Q4. 您对公安机关的工作是否满意?",
        "Q5. 您是否知道本地正在开展平安创建活动?",
    ];
    sheet
        .write_string(0, 0, "2026年5月安满度测评答卷（按序号导出）")
        .unwrap();
    for (c, h) in head.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    // Codes as numbers: 2 = 安全, 3 = 比较安全, 6 = 不清楚; 1 = 非常满意, 5 = 非常不满意.
    let rows = [
        (1, "甲镇", 2.0, 1.0, 1.0),
        (2, "甲镇", 3.0, 5.0, 2.0),
        (3, "乙镇", 6.0, 1.0, 1.0),
    ];
    for (r, (n, unit, s, m, k)) in rows.iter().enumerate() {
        let r = r as u32 + 2;
        sheet.write_number(r, 0, f64::from(*n)).unwrap();
        sheet.write_string(r, 1, "2026/5/3 10:21:33").unwrap();
        sheet.write_string(r, 6, *unit).unwrap();
        sheet.write_number(r, 7, *s).unwrap();
        sheet.write_number(r, 8, *m).unwrap();
        sheet.write_number(r, 9, *k).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let rules = bundled();
    assert!(survey::is_respondents(&rules, "x.xlsx", &bytes));
    let ds = kaohe::read(&rules, "x.xlsx", &bytes);
    let r = assess(&rules, &ds);
    let a = unit(&r, "甲镇");
    assert_eq!(metric(a, "safety").display.as_deref(), Some("100.00"));
    assert_eq!(metric(a, "sat").display.as_deref(), Some("50.00"));
    assert_eq!(metric(a, "aware").display.as_deref(), Some("50.00"));
    // 乙镇's only safety answer is 不清楚: no base, no index.
    assert_eq!(metric(unit(&r, "乙镇"), "safety").value, None);
    assert_eq!(
        metric(unit(&r, "乙镇"), "safety")
            .sample
            .as_ref()
            .unwrap()
            .n,
        0
    );
}

#[test]
fn a_file_of_units_is_still_read_as_units() {
    let rules = bundled();
    let counts = include_bytes!("../rules/samples/satisfaction-survey.counts.csv");
    assert!(!survey::is_respondents(&rules, "c.csv", counts));
    let ds = kaohe::read(&rules, "c.csv", counts);
    assert!(ds.respondents.is_none());
    assert_eq!(ds.units.len(), 12);
}

// ---------------------------------------------------------------------------------------------
// The checks: each with its code, row, column and words
// ---------------------------------------------------------------------------------------------

fn small_with(edit: impl Fn(&mut Vec<Vec<String>>)) -> String {
    let mut rows: Vec<Vec<String>> = SMALL
        .lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    edit(&mut rows);
    rows.iter()
        .map(|r| r.join(","))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn an_answer_that_is_no_option_names_row_column_value_and_options() {
    let rules = bundled();
    let csv = small_with(|r| r[3][3] = "很安全".into());
    let ds = kaohe::read(&rules, "x.csv", csv.as_bytes());
    let e = &ds.errors[0];
    assert_eq!((e.code(), e.row(), e.column()), ("S0201", 4, 4));
    assert_eq!(e.column_letter().as_deref(), Some("D"));
    assert_eq!(
        rendered(&ds)[0],
        "错误[S0201]：第 4 行，D 列“3、您觉得您所在的镇（街道）治安状况如何？”，单位“甲镇”：答案“很安全”不是本题的选项；可填：“非常安全”“安全”“比较安全”“不太安全”“不安全”“不清楚”（或代码 1–6）\n  提示：是不是“安全”？改为“安全”"
    );
    assert_eq!(e.render(Lang::En).lines().next().unwrap(),
        "error[S0201]: row 4, column D `3、您觉得您所在的镇（街道）治安状况如何？`, unit 甲镇: answer `很安全` is not an option of this question; expected `非常安全`, `安全`, `比较安全`, `不太安全`, `不安全`, `不清楚` (or codes 1–6)");
    // The row is left out; the others are counted.
    assert_eq!(ds.respondents.unwrap().counted, 20);
}

#[test]
fn a_unit_not_in_the_list_is_an_error_with_did_you_mean() {
    let rules = bundled();
    let units = survey::read_units(
        &rules,
        "u.csv",
        "单位编码,单位名称\nA01,甲镇\nA02,乙镇\nA03,丙镇\nA04,丁镇\n".as_bytes(),
    );
    assert!(units.errors.is_empty());
    let csv = small_with(|r| r[5][2] = "甲真".into());
    let ds = survey::read(&rules, "x.csv", csv.as_bytes(), Some(&units.units));
    assert_eq!(ds.errors.len(), 1);
    assert_eq!(
        rendered(&ds)[0],
        "错误[S0203]：第 6 行，C 列“1、您居住在哪个镇（街道）？”，单位“甲真”：单位名单中没有“甲真”（按名称和编码都找不到）\n  提示：是不是“甲镇”？改为“甲镇”"
    );
    // Every unit of the list is in the result, 丁镇 without respondents (n = 0, no index).
    let r = rules.assess(&ds.units, None).unwrap();
    assert_eq!(r.units.len(), 4);
    let d = unit(&r, "丁镇");
    assert_eq!(metric(d, "sat").value, None);
    assert_eq!(metric(d, "sat").sample.as_ref().unwrap().n, 0);
    // A unit may be named by its code.
    let csv = small_with(|r| r[5][2] = "A01".into());
    let ds = survey::read(&rules, "x.csv", csv.as_bytes(), Some(&units.units));
    assert!(ds.errors.is_empty(), "{:?}", rendered(&ds));
    assert_eq!(ds.respondents.unwrap().counted, 21);
}

#[test]
fn a_repeated_respondent_id_names_the_first_row_and_is_not_counted() {
    let rules = bundled();
    let csv = small_with(|r| r[7][0] = "3".into());
    let ds = kaohe::read(&rules, "x.csv", csv.as_bytes());
    assert_eq!(
        rendered(&ds),
        vec!["错误[S0204]：第 8 行，A 列“序号”：答卷编号“3”重复（第 4 行已有）\n  提示：同一份答卷导出了两次，或编号填错：删去重复的一行，或改正编号；重复行不计入".to_string()]
    );
    assert_eq!(ds.respondents.unwrap().counted, 20);
    // Ids that are not numbers too, in an XLSX (read again to find the first row).
    let rules2 = bundled();
    let csv = small_with(|r| {
        for (i, row) in r.iter_mut().enumerate().skip(1) {
            row[0] = format!("R-{}", i % 20);
        }
    });
    let ds = kaohe::read(&rules2, "x.csv", csv.as_bytes());
    assert_eq!(ds.errors.len(), 1);
    assert!(
        rendered(&ds)[0].contains("第 22 行，A 列“序号”：答卷编号“R-1”重复（第 2 行已有）"),
        "{:?}",
        rendered(&ds)
    );
}

#[test]
fn a_respondent_without_a_unit_is_an_error() {
    let rules = bundled();
    let csv = small_with(|r| r[2][2] = " ".into());
    let ds = kaohe::read(&rules, "x.csv", csv.as_bytes());
    assert_eq!(
        rendered(&ds),
        vec!["错误[S0202]：第 3 行，C 列“1、您居住在哪个镇（街道）？”：这份答卷没有填写所属单位\n  提示：补填所属镇（街道）或派出所的名称或编码；无法确认的答卷应删去".to_string()]
    );
}

#[test]
fn bad_weights_and_undeclared_strata_are_errors() {
    let rules = Rules::compile("w.rhai", &weighted_rules("weight: \"权重\",")).unwrap();
    let csv = "序号,镇街,权重,治安,满意\n1,甲,-1,安全,满意\n2,甲,,安全,满意\n3,甲,一,不安全,满意\n4,甲,1,安全,满意\n";
    let ds = survey::read(&rules, "w.csv", csv.as_bytes(), None);
    let codes: Vec<(&str, usize)> = ds.errors.iter().map(|e| (e.code(), e.row())).collect();
    assert_eq!(codes, vec![("S0206", 2), ("S0206", 3), ("S0206", 4)]);
    assert!(
        rendered(&ds)[0].contains("C 列“权重”，单位“甲”：权重应为不小于 0 的数，实际填的是“-1”")
    );
    assert!(rendered(&ds)[1].contains("权重为空"));
    let strata = "strata: #{ by: \"性别\", shares: #{ \"男\": 0.5, \"女\": 0.5 } },";
    let rules = Rules::compile("p.rhai", &weighted_rules(strata)).unwrap();
    let csv = "序号,镇街,性别,治安,满意\n1,甲,男,安全,满意\n2,甲,妇,安全,满意\n";
    let ds = survey::read(&rules, "p.csv", csv.as_bytes(), None);
    assert_eq!(
        rendered(&ds),
        vec!["错误[S0207]：第 3 行，C 列“性别”，单位“甲”：分层“妇”没有在规则中声明；可填：“女”“男”\n  提示：改为已声明的分层之一，或在规则的 `strata.shares` 中加上它的人口比例".to_string()]
    );
}

#[test]
fn a_short_sample_is_flagged_in_the_result_and_the_tongbao_never_scored_as_complete() {
    let rules = bundled();
    let ds = kaohe::read(
        &rules,
        "s.csv",
        include_bytes!("../rules/samples/satisfaction-survey.csv"),
    );
    let r = assess(&rules, &ds);
    // 大坪乡 (12 respondents) and 黄土岭乡 (24) are under 30.
    for name in ["大坪乡", "黄土岭乡"] {
        let u = unit(&r, name);
        assert!(
            u.metrics.iter().all(|m| m.sample.as_ref().unwrap().short),
            "{name}"
        );
        assert!(
            u.remarks.iter().any(|x| x.contains("结果仅供参考")),
            "{name}"
        );
        assert!(
            u.consequences.iter().any(|c| c.name == "补充调查"),
            "{name}"
        );
    }
    let full = unit(&r, "城关镇");
    assert!(!full.metrics[0].sample.as_ref().unwrap().short);
    assert!(full.remarks.is_empty());
    // The 通报 table says so in its 备注 and marks the sample column.
    let table = r.to_table();
    let line = table.lines().find(|l| l.contains("大坪乡")).unwrap();
    assert!(
        line.contains("12*") && line.contains("样本不足（n = 12，少于 30），结果仅供参考"),
        "{line}"
    );
}

#[test]
fn adjacent_ranks_within_the_margin_of_error_are_said_so() {
    let rules = bundled();
    let ds = kaohe::read(
        &rules,
        "s.csv",
        include_bytes!("../rules/samples/satisfaction-survey.csv"),
    );
    let r = assess(&rules, &ds);
    let u = unit(&r, "河西街道");
    let s = metric(u, "sat").sample.clone().unwrap();
    let above = s.above.unwrap();
    // 92.96 (n = 98) against 95.83 (n = 24): 2.87 apart, the margin 4.75.
    assert_eq!(
        (
            above.rank,
            above.difference.to_string(),
            above.margin.to_string(),
            above.within_margin
        ),
        (1, "2.87".into(), "4.75".into(), true)
    );
    assert!(s.notes.contains(&"与第 1 名差距在误差范围内".to_string()));
    // The 进前3名 item that ranks on the index says it too.
    let top = u.items.iter().find(|i| i.id == "top.safety").unwrap();
    assert!(
        top.reasons()[0]
            .detail
            .contains("与第 1 名差距 0.96，在误差范围（±"),
        "{}",
        top.reasons()[0].detail
    );
}

#[test]
fn counts_that_do_not_add_up_to_the_sample_are_an_error() {
    let rules = bundled();
    let counts = std::str::from_utf8(include_bytes!(
        "../rules/samples/satisfaction-survey.counts.csv"
    ))
    .unwrap();
    // 城关镇: one 非常安全 more than its 120 respondents.
    let bad = counts.replacen("430121001,城关镇,120,", "430121001,城关镇,119,", 1);
    let ds = kaohe::read(&rules, "c.csv", bad.as_bytes());
    assert_eq!(ds.units.len(), 11);
    let all = rendered(&ds);
    assert_eq!(all.len(), 3, "{all:#?}"); // each of the three questions
    assert!(all[0].starts_with("错误[S0208]：第 2 行，单位“城关镇”（430121001）：题目“safety”的作答人数合计 120（非常安全人数 "), "{}", all[0]);
    assert!(all[0].contains("与有效样本数 119 不符"));
    // Streamed, the same units and errors.
    let streamed = kaohe::UnitStream::new(&rules, "c.csv", bad.as_bytes()).into_dataset();
    assert_eq!(streamed.errors, ds.errors);
    assert_eq!(streamed.units, ds.units);
}

#[test]
fn every_bad_row_is_reported_and_the_rest_capped_per_column() {
    let rules = bundled();
    let mut csv = String::from("序号,1、您居住在哪个镇（街道）？,3、您觉得您所在的镇（街道）治安状况如何？,4、您对公安机关的工作是否满意？,5、您是否知道本地正在开展平安创建活动？\n");
    for i in 1..=100 {
        csv.push_str(&format!("{i},甲镇,很好,满意,知道\n"));
    }
    let ds = kaohe::read(&rules, "x.csv", csv.as_bytes());
    // At most 20 errors per column are listed (as for data); the rest are counted.
    assert_eq!(ds.errors.len(), 20);
    assert_eq!(ds.errors_omitted, 100 - 20);
    assert_eq!(ds.errors[0].row(), 2);
    assert_eq!(ds.respondents.unwrap().counted, 0);
}

#[test]
fn a_missing_or_ambiguous_question_column_is_named_with_a_hint() {
    let rules = bundled();
    let csv = "序号,1、您居住在哪个镇（街道）？,3、您觉得您所在的镇（街道）治安状况怎样？,4、您对公安机关的工作是否满意？\n1,甲镇,安全,满意\n";
    let ds = kaohe::read(&rules, "x.csv", csv.as_bytes());
    let all = rendered(&ds);
    // Question 3 is found by its number; question 5 is missing.
    assert_eq!(all.len(), 1, "{all:#?}");
    assert!(
        all[0].starts_with(
            "错误[S0101]：第 1 行，“您是否知道本地正在开展平安创建活动”列：找不到题目“aware”"
        ),
        "{}",
        all[0]
    );
    let src = RULES.replace(
        "header: \"您对公安机关的工作是否满意\", number: 4",
        "header: \"您\"",
    );
    let rules = Rules::compile("x.rhai", &src).unwrap();
    let csv = "序号,1、您居住在哪个镇（街道）？,3、您觉得您所在的镇（街道）治安状况如何？,4、您对公安机关的工作是否满意？,5、您是否知道本地正在开展平安创建活动？\n1,甲镇,安全,满意,知道\n";
    let ds = kaohe::read(&rules, "x.csv", csv.as_bytes());
    assert_eq!(ds.errors[0].code(), "S0102");
    assert!(
        rendered(&ds)[0].contains("题目“sat”同时符合 4 列"),
        "{:?}",
        rendered(&ds)
    );
}

#[test]
fn units_made_from_names_need_a_list_for_required_fields() {
    let src = RULES.replace(
        "field(\"interfere\", #{ label: \"测评中存在干扰、诱导群众作答行为\", aliases: [\"干扰测评\"], type: \"bool\", if_blank: false });",
        "field(\"interfere\", #{ label: \"测评中存在干扰、诱导群众作答行为\", type: \"bool\" });",
    );
    let rules = Rules::compile("x.rhai", &src).unwrap();
    let ds = kaohe::read(&rules, "s.csv", SMALL.as_bytes());
    assert_eq!(ds.units.len(), 0);
    assert_eq!(ds.errors[0].code(), "S0209");
}

// ---------------------------------------------------------------------------------------------
// Declarations
// ---------------------------------------------------------------------------------------------

fn compile_errors(src: &str) -> Vec<String> {
    match Rules::compile("bad.rhai", src) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.0.iter().map(|e| e.render(Lang::En)).collect(),
    }
}

#[test]
fn survey_declarations_are_checked_with_line_and_column() {
    let head = "ruleset(#{ id: \"x\", title: \"x\" });\nfield(\"c\", #{ type: \"text\" });\nfield(\"a\", #{ type: \"int\", if_blank: 0 });\nfield(\"b\", #{ type: \"int\", if_blank: 0 });\nfield(\"t\", #{ type: \"text\", required: false });\nunit(#{ id: \"c\" });\n";
    let metric =
        "metric(\"m\", #{ label: \"m\", value: #{ survey: [\"a\", \"b\"], share: [\"a\"] } });\n";
    let errs = compile_errors(&format!("{head}survey(#{{ unit: \"镇街\" }});\n{metric}"));
    assert_eq!(errs, vec!["error[S0001]: bad.rhai:7:1: `survey(…)` is declared but no question is\n  help: declare each scored question with `question(\"id\", #{ header: \"…\", options: [...], counts: [...] })`"]);
    let errs = compile_errors(&format!(
        "{head}survey(#{{ unit: \"镇街\", min_sample: 0, short: \"t\" }});\nquestion(\"q\", #{{ header: \"治安\", options: [\"安全\", \"不安全\", \"安全\"],\n    counts: [\"a\", \"b\"] }});\n{metric}"
    ));
    assert_eq!(
        errs.iter().map(|e| e.lines().next().unwrap().to_string()).collect::<Vec<_>>(),
        vec![
            "error[S0009]: bad.rhai:7:23: survey: `min_sample` must be a whole number of at least 1",
            "error[S0010]: bad.rhai:7:45: survey: `short` names field `t`, which must be yes/no (`bool`)",
            "error[S0004]: bad.rhai:8:42: question `q`: answer `安全` is listed twice",
            "error[S0003]: bad.rhai:9:5: question `q`: `options` has 3 answers but `counts` has 2 fields",
        ]
    );
    let errs = compile_errors(&format!(
        "{head}survey(#{{ unit: \"镇街\", strata: #{{ by: \"性别\", shares: #{{ \"男\": 0.5, \"女\": 0.4 }} }} }});\nquestion(\"q\", #{{ header: \"治安\", options: [\"安全\", \"不安全\"], counts: [\"a\", \"b\"] }});\n{metric}"
    ));
    assert_eq!(
        errs[0].lines().next().unwrap(),
        "error[S0006]: bad.rhai:7:44: survey: the strata's population shares add up to 0.9, not 1"
    );
    let errs = compile_errors(&format!(
        "{head}question(\"q\", #{{ header: \"治安\", options: [\"安全\", \"不安全\"], counts: [\"a\", \"b\"] }});\n{metric}"
    ));
    assert_eq!(
        errs[0].lines().next().unwrap(),
        "error[S0002]: bad.rhai:7:10: a question is declared but `survey(…)` is not"
    );
}
