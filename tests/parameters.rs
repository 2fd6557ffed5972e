//! Figures from outside the data and from the cohort (参数与组内统计): declared parameters
//! (上年度全省平均), cohort means, medians, maxima and minima over the cohort or a group, and
//! values by difference from them — each shown with its label and value where it is used.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;

#[test]
fn a_benchmark_parameter_and_a_cohort_mean_by_difference() {
    // 低于上年度全省平均的，每低1个百分点扣0.25；超过本组平均值5个点以内扣1，以外扣2.
    let body = r#"
        param("prov_mean", #{ label: "上年度全省平均", value: 85 });
        deduction("clear", #{ label: "破案率", deduct: #{ value: #{ diff: "a", from: "prov_mean" }, below: 0, each: 0.25 } });
        indicator("cases", #{ label: "发案数", max: 2,
            bands: #{ value: #{ diff: "b", from: #{ cohort_mean: "b" } }, steps: [
                #{ at_most: 0, points: 2 }, #{ at_most: 5, points: 1 }, #{ above: 5, points: 0 } ] } });
        indicator("median", #{ label: "中位", max: 5, target: #{ value: #{ diff: "a", from: #{ cohort_median: "a", by: "kind" } }, at_least: 0 } });
    "#;
    let src = prelude_with("max: 100, base: 93") + body;
    let r = kaohe::Rules::compile("t.rhai", &src).unwrap();
    // b: 10, 20, 30, 12 → mean 18; kind groups: 乡镇 (a 80, 86), 街道 (a 90, 84, …).
    let csv = "编码,名称,类别,甲,乙,丙,丁,比率,标志\n\
        1,甲,乡镇,80,10,0,0,,\n2,乙,乡镇,86,20,0,0,,\n3,丙,街道,90,30,0,0,,\n4,丁,街道,84,12,0,0,,\n";
    let ds = kaohe::read_csv(&r, csv.as_bytes());
    let rep = r.assess(&ds.units, None).unwrap();
    // 80 is 5 below 85: 5 × 0.25.
    assert_eq!(points(&rep, "1", "clear"), "-1.25");
    assert_eq!(points(&rep, "2", "clear"), "0");
    assert_eq!(
        unit(&rep, "1").items.get(0).unwrap().reasons()[0].detail,
        "甲 80 − 上年度全省平均 85 = -5，低于 0 每降低 1 扣 0.25 分，扣 1.25 分"
    );
    // 发案数 against the mean 18: 10 (−8) → 2; 20 (+2) → 1; 30 (+12) → 0; 12 → 2.
    let cases: Vec<String> = (1..=4)
        .map(|k| points(&rep, &k.to_string(), "cases"))
        .collect();
    assert_eq!(cases, ["2", "1", "0", "2"]);
    let why = &unit(&rep, "2").items.get(1).unwrap().reasons()[0].detail;
    assert!(why.starts_with("乙 20 − 全体单位乙平均值 18 = 2"), "{why}");
    // Medians by 类别: 乡镇 (80, 86) → 83; 街道 (90, 84) → 87.
    let median: Vec<String> = (1..=4)
        .map(|k| points(&rep, &k.to_string(), "median"))
        .collect();
    assert_eq!(median, ["0", "5", "5", "0"]);
    // A rule set reading a cohort statistic does not stream.
    assert!(r.streamable().is_err());
}

#[test]
fn items_read_the_previous_period_and_a_unit_not_in_it_is_said_so() {
    // 同类事故再次发生的加倍扣分；上期排名前2名的保位加2分（上期无此单位的按满分）.
    let body = r#"
        deduction("acc", #{ label: "较大事故", deduct: #{ count: "c", each: 5 } });
        deduction("acc.again", #{ label: "同类事故再次发生",
            applies: #{ value: #{ previous: "acc" }, below: 0 },
            deduct: #{ count: "c", each: 5 } });
        bonus("keep", #{ label: "保位", max: 2, na: "full",
            bands: #{ value: #{ previous: "rank" }, steps: [#{ at_most: 2, points: 2 }] } });
        consequence("连续扣分", #{ when: #{ value: #{ previous: "total" }, below: 100 } });
    "#;
    let src = prelude_with("max: 100, base: 100") + body;
    let r = kaohe::Rules::compile("t.rhai", &src).unwrap();
    let read = |rows: &str| {
        let csv = format!("编码,名称,类别,甲,乙,丙,丁,比率,标志\n{rows}");
        kaohe::read_csv(&r, csv.as_bytes()).units
    };
    // Last period: 甲 had an accident, 乙 none, 丙 three (rank 3).
    let before = r
        .assess(
            &read("1,甲,,0,0,1,0,,\n2,乙,,0,0,0,0,,\n3,丙,,0,0,3,0,,\n"),
            None,
        )
        .unwrap();
    let prev = kaohe::Previous::from_json(&before.to_json()).unwrap();
    // This period: each has one accident; 丁 is new.
    let now = r
        .assess(
            &read("1,甲,,0,0,1,0,,\n2,乙,,0,0,1,0,,\n3,丙,,0,0,1,0,,\n4,丁,,0,0,1,0,,\n"),
            Some(&prev),
        )
        .unwrap();
    // 甲 again: −5 twice; 乙 first time: −5 once. 甲 was 2nd → +2; 乙 1st → +2; 丙 3rd → 0.
    assert_eq!(points(&now, "1", "acc.again"), "-5");
    assert_eq!(points(&now, "2", "acc.again"), "0");
    assert_eq!(points(&now, "3", "acc.again"), "-5");
    assert_eq!(points(&now, "2", "keep"), "2");
    assert_eq!(points(&now, "3", "keep"), "0");
    let again = &unit(&now, "1").items.get(1).unwrap();
    assert_eq!(again.reasons()[0].detail, "丙 = 1，每项扣 5 分，扣 5 分");
    let not_again = &unit(&now, "2").items.get(1).unwrap();
    assert_eq!(not_again.reasons()[0].detail, "不适用，不扣分");
    assert_eq!(
        not_again.reasons()[0].data[0].label.as_ref(),
        "上期“较大事故”得分"
    );
    assert_eq!(not_again.reasons()[0].data[0].value, "0");
    // 丁 was not in the last period: the condition does not hold, the bonus counts as full
    // marks (na: "full"), and the reasons say why.
    assert_eq!(points(&now, "4", "acc.again"), "0");
    assert_eq!(points(&now, "4", "keep"), "2");
    let keep = &unit(&now, "4").items.get(2).unwrap();
    assert_eq!(keep.reasons()[0].data[0].value, "（上期无此单位）");
    // The consequence by the previous total: 甲 and 丙 lost points then.
    let hit = |id: &str| {
        unit(&now, id)
            .consequences
            .iter()
            .any(|c| c.name == "连续扣分")
    };
    assert_eq!(
        (hit("1"), hit("2"), hit("3"), hit("4")),
        (true, false, true, false)
    );
    // Without a previous result, nothing reads as last period's.
    let alone = r.assess(&read("1,甲,,0,0,1,0,,\n"), None).unwrap();
    assert_eq!(
        unit(&alone, "1").items.get(2).unwrap().reasons()[0].data[0].value,
        "（未提供上期结果）"
    );
    // An item id that is not declared: R0102 with the id meant.
    let bad = PRELUDE.to_string()
        + r#"indicator("acc", #{ label: "a", max: 5, deduct: #{ count: "c", each: 1 } });
        indicator("b", #{ label: "b", max: 5, target: #{ value: #{ previous: "acx" }, at_least: 5 } });"#;
    let e = errors_of("bad.rhai", &bad);
    assert_eq!(e[0].code(), "R0102");
    assert!(e[0].render(kaohe::Lang::Zh).contains("`acc`"));
    // A rule set reading the previous period does not stream.
    assert!(r.streamable().is_err());
}

#[test]
fn conditions_read_last_periods_grade_and_consequences() {
    // 上年度被评为不合格的，今年不得评为先进；连续两期亮黄牌的，约谈.
    let body = r#"
        indicator("i", #{ label: "工作", max: 100, target: #{ value: "a", at_least: 60 } });
        grades([#{ name: "先进", at_least: 90 }, #{ name: "合格", at_least: 60 }, #{ name: "不合格", at_least: 0 }]);
        prerequisite("p", #{ label: "上年度不合格的不评先进", grades: ["先进"],
            when: #{ not: #{ previous_grade: ["不合格"] } } });
        bonus("up", #{ label: "摘掉不合格", max: 2, applies: #{ previous_grade: "不合格" },
            target: #{ value: "a", at_least: 60 } });
        consequence("黄牌", #{ when: #{ field: "a", below: 60 } });
        consequence("约谈", #{ when: #{ all: [#{ field: "a", below: 60 }, #{ previous_consequence: "黄牌" }] } });
    "#;
    let r = rules(body);
    let read = |rows: &str| {
        let csv = format!("编码,名称,类别,甲,乙,丙,丁,比率,标志\n{rows}");
        kaohe::read_csv(&r, csv.as_bytes()).units
    };
    // Last period: 甲 合格 (a = 70 → 100 points… target met), 乙 不合格 with a 黄牌.
    let before = r
        .assess(&read("1,甲,,70,0,0,0,,\n2,乙,,10,0,0,0,,\n"), None)
        .unwrap();
    assert_eq!(unit(&before, "2").grade.as_deref(), Some("不合格"));
    let prev = kaohe::Previous::from_json(&before.to_json()).unwrap();
    let now = r
        .assess(
            &read("1,甲,,90,0,0,0,,\n2,乙,,95,0,0,0,,\n3,丙,,95,0,0,0,,\n"),
            Some(&prev),
        )
        .unwrap();
    // 甲 was 先进 then (100 points): stays 先进. 乙 was 不合格: not 先进 however high.
    // 丙 was not listed: the condition does not hold, and the reasons say why.
    assert_eq!(unit(&now, "1").grade.as_deref(), Some("先进"));
    assert_eq!(unit(&now, "2").grade.as_deref(), Some("合格"));
    assert_eq!(unit(&now, "3").grade.as_deref(), Some("先进"));
    assert_eq!(unit(&now, "2").prerequisites_failed.len(), 1);
    assert!(unit(&now, "3").prerequisites_failed.is_empty());
    // The bonus for leaving 不合格 behind: 乙 only; the reasons name what was read.
    assert_eq!(points(&now, "2", "up"), "2");
    assert_eq!(points(&now, "1", "up"), "0");
    let read_of = |id: &str| {
        let d = &unit(&now, id).items.get(1).unwrap().reasons()[0].data[0];
        (d.label.to_string(), d.value.clone())
    };
    assert_eq!(read_of("1"), ("上期等次".to_string(), "先进".to_string()));
    assert_eq!(
        read_of("3"),
        ("上期等次".to_string(), "（上期无此单位）".to_string())
    );
    // 黄牌 again after one last period → 约谈; a first 黄牌 is not.
    let again = r
        .assess(&read("1,甲,,10,0,0,0,,\n2,乙,,10,0,0,0,,\n"), Some(&prev))
        .unwrap();
    let drew = |id: &str| -> Vec<String> {
        unit(&again, id)
            .consequences
            .iter()
            .map(|c| c.name.to_string())
            .collect()
    };
    assert_eq!(drew("1"), ["黄牌"]);
    assert_eq!(drew("2"), ["黄牌", "约谈"]);
    // Misspelt names: the grade and the consequence each an R0102 with the name meant.
    let bad = body
        .replace(
            r#"previous_grade: ["不合格"]"#,
            r#"previous_grade: ["不合隔"]"#,
        )
        .replace(
            r#"previous_consequence: "黄牌""#,
            r#"previous_consequence: "黄脾""#,
        );
    let e = errors_of("bad.rhai", &format!("{PRELUDE}{bad}"));
    let zh: Vec<String> = e.iter().map(|e| e.render(kaohe::Lang::Zh)).collect();
    assert_eq!(e.len(), 2, "{zh:?}");
    assert!(e.iter().all(|e| e.code() == "R0102"), "{zh:?}");
    assert!(
        zh.iter()
            .any(|m| m.contains("不合隔") && m.contains("不合格")),
        "{zh:?}"
    );
    assert!(
        zh.iter()
            .any(|m| m.contains("黄脾") && m.contains("“黄牌”")),
        "{zh:?}"
    );
    // A list where one name is meant, or another key beside it: R0308.
    let bad = body.replace(
        r#"previous_consequence: "黄牌""#,
        r#"previous_consequence: ["黄牌"], field: "a""#,
    );
    let e = errors_of("bad.rhai", &format!("{PRELUDE}{bad}"));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].code(), "R0308");
    // Such a rule set does not stream.
    assert!(r.streamable().is_err());
}

#[test]
fn closures_read_the_units_metrics_and_the_parameters() {
    let body = r#"
        param("target", #{ label: "市定目标", value: 90 });
        metric("rate", #{ label: "达标率", value: #{ num: "a", den: "b", scale: 100 }, decimals: 1 });
        indicator("i", #{ label: "自定义", max: 5, score: |u| {
            if u.metrics.rate == () { [0, "无数据"] }
            else if u.metrics.rate >= u.params.target { [5, `达标率 ${u.metrics.rate}% 不低于市定目标 ${u.params.target}%`] }
            else { [2, "未达市定目标"] }
        } });
    "#;
    let rep = assess(
        body,
        "1,甲,,19,20,0,0,,\n2,乙,,17,20,0,0,,\n3,丙,,,0,0,0,,\n",
    );
    assert_eq!(points(&rep, "1", "i"), "5");
    assert_eq!(points(&rep, "2", "i"), "2");
    assert_eq!(
        unit(&rep, "1").items.get(0).unwrap().reasons()[0].detail,
        "达标率 95% 不低于市定目标 90%"
    );
    // A misspelt id is caught when the rule set compiles, with the one meant.
    let codes = |b: &str| -> Vec<String> {
        errors_of("bad.rhai", &format!("{PRELUDE}{b}"))
            .iter()
            .map(|e| format!("{} {}", e.code(), e.render(kaohe::Lang::Zh)))
            .collect()
    };
    let e = codes(
        r#"param("target", #{ label: "市定目标", value: 90 });
        indicator("i", #{ label: "i", max: 5, score: |u| if u.params.targte > 1 { 5 } else { 0 } });"#,
    );
    assert!(
        e[0].starts_with("R0102") && e[0].contains("`target`"),
        "{e:?}"
    );
}

#[test]
fn a_parent_units_points_from_its_sub_units_counts() {
    // 所辖乡镇在市专项督查中月度排名末两位的，每个每次扣0.5分: townships carry the county's id in
    // `kind` and how often they were in the last two; a county's deduction adds them up.
    let body = r#"
        deduction("towns", #{ label: "所辖乡镇排名末两位", only: |u| u.code.starts_with("C"),
            deduct: #{ count: #{ sum: "c", over: "kind" }, each: 0.5 } });
    "#;
    let src = prelude_with("max: 100, base: 100") + body;
    let r = kaohe::Rules::compile("t.rhai", &src).unwrap();
    let csv = "编码,名称,类别,甲,乙,丙,丁,比率,标志\n\
        C1,甲县,,0,0,0,0,,\nC2,乙县,,0,0,0,0,,\n\
        T1,一镇,C1,0,0,2,0,,\nT2,二镇,C1,0,0,3,0,,\nT3,三镇,C2,0,0,0,0,,\n";
    let ds = kaohe::read_csv(&r, csv.as_bytes());
    let rep = r.assess(&ds.units, None).unwrap();
    assert_eq!(points(&rep, "C1", "towns"), "-2.5");
    assert_eq!(points(&rep, "C2", "towns"), "0");
    assert_eq!(
        unit(&rep, "C1").items.get(0).unwrap().reasons()[0].detail,
        "关联单位丙合计 = 5，每项扣 0.5 分，扣 2.5 分"
    );
}

/// A rule set with two parameters, for the parameter-table tests.
fn two_params() -> kaohe::Rules {
    rules(
        r#"
        param("prov_mean", #{ label: "上年度全省平均破案率", value: 85 });
        param("target", #{ label: "市定目标", value: 90 });
        deduction("clear", #{ label: "破案率", deduct: #{ value: #{ diff: "a", from: "prov_mean" }, below: 0, each: 0.25 } });
        indicator("t", #{ label: "达标", max: 5, target: #{ value: #{ diff: "a", from: "target" }, at_least: 0 } });
    "#,
    )
}

#[test]
fn a_parameter_table_by_id_or_label_in_csv_json_or_a_workbook() {
    let mut r = two_params();
    let value = |r: &kaohe::Rules, id: &str| {
        let index = kaohe::params::parse_pair(r, &format!("{id}=0"))
            .unwrap()
            .index;
        r.params_now()[index].value.to_string()
    };
    // CSV in GBK with a header, by label and by id; a % sign and full-width digits are numbers.
    let (gbk, _, _) =
        encoding_rs::GBK.encode("参数,取值\n上年度全省平均破案率,86.2%\ntarget,９２\n");
    let values = kaohe::params::read(&r, "参数.csv", &gbk).unwrap();
    r.set_params(&values);
    assert_eq!(
        (value(&r, "prov_mean"), value(&r, "target")),
        ("86.2".into(), "92".into())
    );
    // Without a header, in JSON, and from a workbook's first sheet.
    let values = kaohe::params::read(&r, "p.csv", b"prov_mean,80\n").unwrap();
    assert_eq!(values.len(), 1);
    let values =
        kaohe::params::read(&r, "p.json", br#"{"target": 95, "prov_mean": "81"}"#).unwrap();
    r.set_params(&values);
    assert_eq!(
        (value(&r, "prov_mean"), value(&r, "target")),
        ("81".into(), "95".into())
    );
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write(0, 0, "参数").unwrap();
    sheet.write(0, 1, "取值").unwrap();
    sheet.write(1, 0, "市定目标").unwrap();
    sheet.write(1, 1, 88.5).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let values = kaohe::params::read(&r, "参数.xlsx", &bytes).unwrap();
    r.set_params(&values);
    assert_eq!(value(&r, "target"), "88.5");
    // The reasons show the value used and the declared one.
    let csv = "编码,名称,类别,甲,乙,丙,丁,比率,标志\n1,甲,,80,0,0,0,,\n";
    let units = kaohe::read_csv(&r, csv.as_bytes()).units;
    let rep = r.assess(&units, None).unwrap();
    assert_eq!(points(&rep, "1", "clear"), "-0.25");
    let data = &unit(&rep, "1").items.get(0).unwrap().reasons()[0].data[1];
    assert_eq!(data.value, "81（本次参数；规则集原为 85）");
    // Back to what the rule set declares.
    r.reset_params();
    let rep = r.assess(&units, None).unwrap();
    assert_eq!(points(&rep, "1", "clear"), "-1.25");
    assert_eq!(
        unit(&rep, "1").items.get(0).unwrap().reasons()[0].data[1].value,
        "85"
    );
}

#[test]
fn every_bad_row_of_a_parameter_table_is_reported_and_none_applied() {
    let r = two_params();
    let table = "参数,取值\n上年度全省平均破案率,八十五\nprov_maen,80\n市定目标,90\ntarget,91\n\n";
    let errors = kaohe::params::read(&r, "参数.csv", table.as_bytes()).unwrap_err();
    let said: Vec<(usize, usize, &str)> = errors
        .iter()
        .map(|e| (e.row(), e.column(), e.code()))
        .collect();
    assert_eq!(said, [(2, 2, "D0913"), (3, 1, "D0912"), (5, 2, "D0914")]);
    let zh: Vec<String> = errors.iter().map(|e| e.render(kaohe::Lang::Zh)).collect();
    assert!(
        zh[0].contains("B 列“取值”") && zh[0].contains("“八十五”不是数字"),
        "{}",
        zh[0]
    );
    assert!(zh[1].contains("您是不是想写“prov_mean”"), "{}", zh[1]);
    assert!(zh[2].contains("第 4 行已给出"), "{}", zh[2]);
    // The same value twice is not an error; nothing at all is.
    assert!(kaohe::params::read(&r, "p.csv", b"target,90\n90 ,x\n").is_err());
    assert!(kaohe::params::read(
        &r,
        "p.csv",
        b"target,90\n\xe5\xb8\x82\xe5\xae\x9a\xe7\x9b\xae\xe6\xa0\x87,90\n"
    )
    .is_ok());
    let empty = kaohe::params::read(&r, "p.csv", b"\n").unwrap_err();
    assert_eq!(empty[0].code(), "D0915");
    for (name, bytes) in [("p.pdf", &b"%PDF-1.4"[..]), ("p.json", &b"{\"a\": "[..])] {
        let e = kaohe::params::read(&r, name, bytes).unwrap_err();
        assert_eq!(e[0].code(), "D0911", "{name}");
    }
    let huge = vec![b'x'; kaohe::params::MAX_BYTES + 1];
    assert_eq!(
        kaohe::params::read(&r, "p.csv", &huge).unwrap_err()[0].code(),
        "D0911"
    );
}

#[test]
fn the_cli_takes_a_parameter_table_and_pairs_after_it() {
    let dir = std::env::temp_dir().join(format!("kaohe-params-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let table = dir.join("参数.csv");
    std::fs::write(&table, "参数,取值\n上年度全省平均破案率,90\n").unwrap();
    let t = table.to_str().unwrap();
    // 城西区 88 %: 2 below 90 → −0.5; a pair after the table wins (88 → 0).
    let json = |args: &[&str]| {
        let out = kaohe_zh(args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let u = v["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == "C02")
            .unwrap()
            .clone();
        u["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "neg.clear")
            .unwrap()["points"]
            .to_string()
    };
    let base = ["assess", "city-safety-negative", "--format", "json"];
    assert_eq!(json(&[&base[..], &["--params", t]].concat()), "-0.5");
    assert_eq!(
        json(&[&base[..], &["--params", t, "--param", "prov_clear_rate=88"]].concat()),
        "0"
    );
    assert_eq!(json(&base), "0");
    // A bad table: every error under a Chinese locale, exit code 4, nothing on stdout.
    std::fs::write(
        &table,
        "参数,取值\n上年度全省平均破案率,9O\n破案率基准,80\n",
    )
    .unwrap();
    let out = kaohe_zh(&["assess", "city-safety-negative", "--params", t]);
    assert_eq!(out.status.code(), Some(4));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("错误[D0913]：第 2 行，B 列“取值”"), "{err}");
    assert!(err.contains("错误[D0912]：第 3 行，A 列“参数”"), "{err}");
    assert!(err.contains("共有 2 处错误；没有计分"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_number_in_last_periods_state_is_a_value() {
    // 连续两期挂牌的加扣1分: the state counts the periods listed.
    let body = r#"
        indicator("i", #{ label: "工作", max: 10, target: #{ value: "a", at_least: 60 } });
        deduction("again", #{ label: "连续挂牌", applies: #{ value: #{ previous: "state.listed" }, at_least: 1 },
            deduct: #{ count: "c", each: 1 } });
        state(|u, prev, r| {
            let listed = if prev == () || prev.listed == () { 0 } else { prev.listed };
            #{ listed: if u.a < 60 { listed + 1 } else { 0 } }
        });
    "#;
    let r = rules(body);
    let read = |rows: &str| {
        let csv = format!("编码,名称,类别,甲,乙,丙,丁,比率,标志\n{rows}");
        kaohe::read_csv(&r, csv.as_bytes()).units
    };
    let before = r
        .assess(&read("1,甲,,50,0,1,0,,\n2,乙,,70,0,1,0,,\n"), None)
        .unwrap();
    let prev = kaohe::Previous::from_json(&before.to_json()).unwrap();
    let now = r
        .assess(&read("1,甲,,50,0,1,0,,\n2,乙,,50,0,1,0,,\n"), Some(&prev))
        .unwrap();
    assert_eq!(points(&now, "1", "again"), "-1");
    assert_eq!(points(&now, "2", "again"), "0");
    let d = &unit(&now, "2").items.get(1).unwrap().reasons()[0].data[0];
    assert_eq!(
        (d.label.as_ref(), d.value.as_str()),
        ("上期状态 listed", "0")
    );
}

#[test]
fn test_cases_run_with_the_declared_parameters_or_their_own_and_leave_the_run_values_as_they_were()
{
    let mut r = two_params();
    // The run's value (as the page's 参数 panel sets it) is 80 …
    r.set_params(&kaohe::params::read(&r, "p.json", br#"{"prov_mean": 80}"#).unwrap());
    // … but a case without `params` scores with the declared 85: 甲 80 → −1.25.
    let cases = r#"{"cases": [
        {"name": "declared", "units": [{"编码": "1", "名称": "甲", "甲": 80}], "expect": {"1": {"items": {"clear": -1.25}}}},
        {"name": "own", "params": {"上年度全省平均破案率": 82}, "units": [{"编码": "1", "名称": "甲", "甲": 80}], "expect": {"1": {"items": {"clear": -0.5}}}},
        {"name": "empty is declared", "params": {}, "units": [{"编码": "1", "名称": "甲", "甲": 80}], "expect": {"1": {"items": {"clear": -1.25}}}},
        {"name": "bad", "params": {"prov_maen": 1}, "units": [{"编码": "1", "名称": "甲", "甲": 80}], "expect": {}}
    ]}"#;
    let load = |_: &str| -> std::io::Result<Vec<u8>> { Err(std::io::ErrorKind::NotFound.into()) };
    let suite = kaohe::cases::run_cases(&mut r, cases, &load).unwrap();
    let failed: Vec<usize> = suite.cases.iter().map(|c| c.failures.len()).collect();
    assert_eq!(failed, [0, 0, 0, 1], "{:?}", suite.cases);
    let bad = serde_json::to_string(&suite.cases[3].failures).unwrap();
    assert!(bad.contains("T0005") && bad.contains("prov_mean"), "{bad}");
    // The run's value is back.
    let now: Vec<String> = r.params_now().iter().map(|p| p.value.to_string()).collect();
    assert_eq!(now, ["80", "90"]);
}

#[test]
fn a_first_row_naming_a_parameter_is_a_row_not_a_header() {
    let r = two_params();
    // No header; the first row's value is bad: reported, not taken for a header.
    let e = kaohe::params::read(&r, "p.csv", "prov_mean,—\ntarget,90\n".as_bytes()).unwrap_err();
    assert_eq!((e[0].row(), e[0].code()), (1, "D0913"));
}
