//! `kaohe import`: published rubrics (tests/rubrics/) → rule-set skeletons. Each imports; its
//! to-dos are exactly `check`'s I0101 errors at their lines; filled, the rule set compiles and
//! scores; recognised wordings give the expected shapes; an inconsistent rubric is reported
//! with its rows; a GBK CSV reads as its UTF-8 twin.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use kaohe::import::{import, Imported, Options};
use kaohe::Rules;
use std::path::Path;
use std::process::Command;

fn rubric(name: &str) -> (String, Vec<u8>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/rubrics")
        .join(name);
    (
        path.display().to_string(),
        std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}")),
    )
}

fn imported(name: &str) -> Imported {
    let (path, bytes) = rubric(name);
    import(&path, &bytes, &Options::default()).unwrap_or_else(|m| panic!("{name}: {m:?}"))
}

/// The rule set with every `todo(…)` made an item scoring 0 (as a rule editor would start).
fn filled(script: &str) -> String {
    let mut out = String::new();
    let mut bonus_next = false;
    for line in script.lines() {
        if line.starts_with("// TODO") {
            bonus_next = line.contains("改为 bonus");
        }
        if let Some(rest) = line.strip_prefix("todo(") {
            let decl = if bonus_next { "bonus(" } else { "indicator(" };
            out.push_str(decl);
            out.push_str(rest);
            out.push_str("\n    score: |u| 0,\n");
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The 1-based lines where `todo(` starts.
fn todo_lines(script: &str) -> Vec<usize> {
    script
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("todo("))
        .map(|(i, _)| i + 1)
        .collect()
}

fn shape_of<'a>(imp: &'a Imported, id: &str) -> Option<&'a str> {
    imp.items
        .iter()
        .find(|i| i.0 == id)
        .unwrap_or_else(|| panic!("no item {id} in {:?}", imp.items))
        .1
}

/// Each to-do is one I0101 error at its `todo(` line, column 1, and nothing else is wrong.
fn todos_are_the_only_errors(name: &str, imp: &Imported) {
    let errors = match Rules::compile(name, &imp.script) {
        Ok(_) => panic!("{name}: a skeleton with to-dos compiled"),
        Err(e) => e.0,
    };
    let lines = todo_lines(&imp.script);
    assert_eq!(lines.len(), imp.todo());
    for e in &errors {
        assert_eq!(e.code(), "I0101", "{name}: {}", e.render(kaohe::Lang::Zh));
        assert_eq!(e.location().column, 1);
    }
    let at: Vec<usize> = errors.iter().map(|e| e.location().line).collect();
    assert_eq!(at, lines, "{name}");
}

#[test]
fn police_station_rubric_imports_and_checks_once_filled() {
    let imp = imported("police-station-level.csv");
    assert!(imp.findings.is_empty(), "{:?}", imp.findings);
    assert_eq!(
        (imp.items.len(), imp.shaped(), imp.todo(), imp.vetoes),
        (13, 12, 1, 3)
    );
    todos_are_the_only_errors("police.rhai", &imp);
    // The recognised wordings.
    assert_eq!(shape_of(&imp, "basic.staff_control"), Some("deduct"));
    assert_eq!(shape_of(&imp, "basic.grass_sweeps"), Some("bands"));
    assert_eq!(shape_of(&imp, "law.enforcement"), Some("deduct"));
    assert_eq!(shape_of(&imp, "service.satisfaction"), Some("bands"));
    assert_eq!(shape_of(&imp, "basic.population_info"), Some("target"));
    assert_eq!(shape_of(&imp, "law.cases_closed"), Some("linear"));
    assert_eq!(shape_of(&imp, "order.preventable_cases"), None);
    assert!(imp.script.contains(
        r#"target: #{ value: "population_info", at_least: 95, otherwise: "proportional" },"#
    ));
    assert!(imp
        .script
        .contains(r#"linear: #{ value: "cases_closed", full_at: 100, zero_at: 80 },"#));
    assert!(imp.script.contains(
        r#"deduct: [
        #{ count: "enforcement_overdue", each: 1 },
        #{ count: "enforcement_cases", each: 3 },
    ],"#
    ));
    assert!(imp.script.contains(
        r#"bands: #{ value: "satisfaction", steps: [[98, 10], [95, 8], [90, 5], [85, 2]] },"#
    ));
    assert!(imp
        .script
        .contains(r#"field("satisfaction", #{ label: "群众满意度（%）", type: "percent" });"#));
    // Filled, it compiles, keeps the published numbers and scores a unit.
    let rules =
        Rules::compile("police.rhai", &filled(&imp.script)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rules.items().len(), 13);
    assert_eq!(rules.vetoes().len(), 3);
    let csv = "单位编码,单位名称,重点人员管控：发现1人失控漏管,群众满意度（%）,禁种铲毒踏查（次）,\
               实有人口信息采集（%）,社区民警配备（%）,行政案件按期办结（%）,接处警按时到场（%）,户籍窗口服务（%）\n\
               A,城关所,2,96,5,95,40,90,98,99\n";
    let ds = kaohe::read_csv(&rules, csv.as_bytes());
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    let report = rules
        .assess(&ds.units, None)
        .unwrap_or_else(|e| panic!("{e}"));
    let unit = &report.units[0];
    // 8 − 2×2 = 4 (管控) + 8 (实有人口 95%) + 8 (社区民警 40%) + 4 (踏查 5 次) + 5 (按期办结 90%,
    // between 80 and 100) + 8 (执法质量) + 7 (办案区) + 0 (可防性, still 0) + 5 (娱乐场所) + 5 (到场
    // 98%) + 8 (满意度 96%) + 5 (户籍 99%) + 10 (纪律) = 77.
    assert_eq!(
        unit.total.map(|t| t.normalize().to_string()).as_deref(),
        Some("77"),
        "{unit:?}"
    );
}

#[test]
fn safe_township_xlsx_with_merged_cells_imports() {
    let imp = imported("safe-township.xlsx");
    assert!(imp.findings.is_empty(), "{:?}", imp.findings);
    assert_eq!(
        (imp.items.len(), imp.shaped(), imp.todo(), imp.vetoes),
        (14, 8, 6, 2)
    );
    todos_are_the_only_errors("safe.rhai", &imp);
    // Merged 考核项目 cells are the categories, with their stated points.
    for line in [
        r#"category("矛盾化解与信访维稳", 25);"#,
        r#"category("打击防范", 30);"#,
        r#"category("基层基础", 25);"#,
        r#"category("群众评价", 20);"#,
    ] {
        assert!(imp.script.contains(line), "{line}\n{}", imp.script);
    }
    assert_eq!(shape_of(&imp, "disputes.petitions"), Some("deduct"));
    assert_eq!(shape_of(&imp, "disputes.mass_incidents"), Some("zero"));
    assert_eq!(shape_of(&imp, "eval.satisfaction"), Some("bands"));
    assert!(imp.script.contains(r#"zero: "mass_incidents","#));
    assert!(imp.script.contains("veto(\"veto.leapfrog\""));
    let rules = Rules::compile("safe.rhai", &filled(&imp.script)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rules.items().len(), 14);
    assert_eq!(rules.vetoes().len(), 2);
}

#[test]
fn inconsistent_rubric_is_reported_with_its_rows() {
    let imp = imported("county-antidrug-published.csv");
    let found: Vec<(&str, String)> = imp
        .findings
        .iter()
        .map(|m| (m.code(), m.message(kaohe::Lang::Zh).to_string()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "I0201",
                "第11行“宣传教育”写明 25 分，其下各项（第12、13、14、15行）合计 20 分，两者不符"
                    .to_string()
            ),
            (
                "I0202",
                "各大类（第3、11、16、20、27行）合计 105 分，与第39行写明的总分 100 分不符"
                    .to_string()
            ),
        ]
    );
    assert_eq!(
        (imp.items.len(), imp.shaped(), imp.todo(), imp.vetoes),
        (26, 24, 2, 3)
    );
    // 每200株扣1分 → a step; 加N分，最高M分 → a bonus count capped at M; 未列入不计分 → yes.
    assert!(imp
        .script
        .contains(r#"deduct: #{ count: "poppy", each: 1, step: 200 },"#));
    assert!(imp.script.contains(
        "bonus(\"bonus.info\", #{\n    label: \"禁毒信息采用\", max: 1,\n    count: #{ field: \"info\", each: 0.05 },"
    ));
    assert!(imp.script.contains("    bonus_max: 5,\n"));
    assert_eq!(shape_of(&imp, "org.budget"), Some("yes"));
    assert_eq!(shape_of(&imp, "org.meetings"), Some("bands"));
    assert_eq!(shape_of(&imp, "grass.remote"), Some("zero"));
    assert_eq!(shape_of(&imp, "edu.school"), Some("target"));
    // “比例不高于0.2%计3分”: a share, not “按比例计分”; left to do.
    assert_eq!(shape_of(&imp, "base.minors_staff"), None);
    // Written as published (categories 105 on a 100 scale), to-dos done: no to-do is left,
    // and whatever `check` says of the numbers is its own rule error, not an import's.
    if let Err(e) = Rules::compile("county.rhai", &filled(&imp.script)) {
        assert!(e.0.iter().all(|e| e.code() != "I0101"), "{e}");
    }
    assert!(imp.script.contains("category(\"宣传教育\", 25); // 第11行"));
}

#[test]
fn a_gbk_csv_reads_as_its_utf8_twin() {
    let gbk = imported("police-station-level-gbk.csv");
    let utf8 = imported("police-station-level.csv");
    assert_eq!(
        gbk.script
            .replace("police-station-level-gbk", "police-station-level"),
        utf8.script
    );
    assert!(std::str::from_utf8(&rubric("police-station-level-gbk.csv").1).is_err());
}

#[test]
fn a_file_without_a_header_or_of_another_kind_is_refused() {
    let e = import("x.csv", "甲,乙\n1,2\n".as_bytes(), &Options::default()).unwrap_err();
    assert_eq!(e.code(), "I0002");
    let e = import("x.docx", b"whatever", &Options::default()).unwrap_err();
    assert_eq!(e.code(), "I0001");
    let e = import(
        "x.csv",
        "考核项目,分值,评分标准\n".as_bytes(),
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "I0003");
}

#[test]
fn a_file_far_larger_than_any_rubric_is_refused_at_once() {
    let mut csv = String::from("考核项目,分值,评分标准\n");
    for i in 0..=kaohe::import::MAX_ROWS {
        csv.push_str(&format!("项目{i},5,每缺一份扣1分，扣完为止\n"));
    }
    let e = import("x.csv", csv.as_bytes(), &Options::default()).unwrap_err();
    assert_eq!(e.code(), "I0005");
    let big = vec![b'a'; kaohe::import::MAX_BYTES + 1];
    assert_eq!(
        import("x.csv", &big, &Options::default())
            .unwrap_err()
            .code(),
        "I0005"
    );
}

#[test]
fn the_command_writes_the_rule_set_and_says_what_it_made() {
    let dir = std::env::temp_dir().join(format!("kaohe-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("police.rhai");
    let (path, _) = rubric("police-station-level.csv");
    let run = Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(["import", &path, "--out"])
        .arg(&out)
        .args([
            "--id",
            "police",
            "--title",
            "派出所等级评定",
            "--lang",
            "zh",
        ])
        .output()
        .unwrap();
    assert!(run.status.success());
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(
        said.contains("13 个考核项目，12 个识别为计分方式，1 个待完成（todo），一票否决 3 项"),
        "{said}"
    );
    let script = std::fs::read_to_string(&out).unwrap();
    assert!(script.contains("    id: \"police\",\n    title: \"派出所等级评定\","));
    // `kaohe check` lists the to-dos with their places.
    let check = Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(["check", "--lang", "zh"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(3));
    let said = String::from_utf8_lossy(&check.stderr);
    let first = todo_lines(&script)[0];
    assert!(
        said.contains(&format!(
            "错误[I0101]：{}:{first}:1：条目“order.preventable_cases”（可防性案件控制）尚待完成",
            out.display()
        )),
        "{said}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Writes tests/rubrics/safe-township.xlsx, the 平安乡镇 rubric as a county publishes it: a
/// title row, merged 考核项目 cells naming each section with its points, a 一票否决 block and a
/// 合计 row. Run with `cargo test --release --test import -- --ignored` after changing it.
#[test]
#[ignore]
fn make_safe_township_xlsx() {
    use rust_xlsxwriter::{Format, Workbook};
    let rows: &[(&str, &str, &str, &str, &str)] = &[
        ("矛盾化解与信访维稳（25分）", "信访维稳", "10", "坚持“小事不出村、大事不出镇”，辖区群众到市上访的每批次扣1分，到省上访的每批次扣3分，扣完为止", "查阅信访台账"),
        ("", "矛盾纠纷调处化解", "8", "矛盾纠纷调处化解率达98%以上计8分，未达到的按化解率与98%之比计分", "查阅调解台账"),
        ("", "群体性事件", "7", "全年未发生群体性事件计7分；发生1起以上的，本项不得分", "查阅台账"),
        ("打击防范（30分）", "刑事案件发案率", "10", "每千名常住人口刑事案件立案数控制在2件（2‰）以内计10分；超过的按2‰与实际发案率之比计分", "系统统计"),
        ("", "可防性案件控制", "10", "入室盗窃、“两抢一盗”等可防性案件不高于前两年平均数的计10分；高于平均数的，每高出1个百分点扣1分（按实际百分点计算，保留两位小数），扣完为止", "系统统计"),
        ("", "技防建设", "5", "“天网”工程重点部位视频监控覆盖率达95%以上计5分，70%及以下不计分，其间按比例计分", "现场检查"),
        ("", "吸毒人员管控", "5", "落实吸毒人员动态管控计5分；每失控1人扣0.5分，扣完为止", "查阅台账"),
        ("基层基础（25分）", "三个落实", "15", "党政领导平安建设责任制落实计5分；综治专职人员落实到位计5分；综治经费据实列支计5分", "查阅资料"),
        ("", "平安村（社区）创建", "5", "平安村寨、平安社区创建达标率达80%以上计5分，未达到的按达标率与80%之比计分", "查阅资料"),
        ("", "综治中心规范化运行", "5", "综治中心群众来访联接、矛盾纠纷联调、社会治安联防、突出问题联处、应急管理联动、基层平安联创六项机制全部运行达标计5分，4至5项计3分，2至3项计1分", "现场检查"),
        ("群众评价（20分）", "群众安全感", "5", "第三方测评群众安全感（回答“安全”“比较安全”的比例）达80%以上计5分；低于80%的扣3分", "第三方测评"),
        ("", "政法工作满意度", "5", "第三方测评政法工作满意度达95%以上计5分，90%以上不足95%计3分，低于90%不计分", "第三方测评"),
        ("", "平安创建知晓率", "5", "平安创建知晓率达98%以上计5分，95%以上不足98%计3分，低于95%不计分", "第三方测评"),
        ("", "安全感进入全县前5名", "5", "群众安全感在全县乡镇中排名前5位的计5分（同分并列的均计分），其余不计分", "第三方测评"),
        ("一票否决", "节日前越级上访", "", "国庆等重大节日前辖区发生越级上访的，实行一票否决，不得评先评优", "查阅信访台账"),
        ("", "毒情整治不力", "", "列为毒情重点整治乡镇，整治措施不力、效果不明显的，实行一票否决", "县禁毒委认定"),
    ];
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let plain = Format::new();
    sheet
        .merge_range(0, 0, 0, 4, "平安乡镇建设考核评分细则", &plain)
        .unwrap();
    for (c, h) in ["考核项目", "考核内容", "分值", "评分标准", "考核方式"]
        .iter()
        .enumerate()
    {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    let mut section_start = None;
    for (i, (project, content, max, standard, method)) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        if !project.is_empty() {
            section_start = Some((r, *project));
        }
        let next_starts = rows.get(i + 1).is_none_or(|n| !n.0.is_empty());
        if next_starts {
            if let Some((start, name)) = section_start {
                if start == r {
                    sheet.write_string(r, 0, name).unwrap();
                } else {
                    sheet.merge_range(start, 0, r, 0, name, &plain).unwrap();
                }
            }
        }
        sheet.write_string(r, 1, *content).unwrap();
        if !max.is_empty() {
            sheet
                .write_number(r, 2, max.parse::<f64>().unwrap())
                .unwrap();
        }
        sheet.write_string(r, 3, *standard).unwrap();
        sheet.write_string(r, 4, *method).unwrap();
    }
    let total = rows.len() as u32 + 2;
    sheet.write_string(total, 0, "合计").unwrap();
    sheet.write_number(total, 2, 100.0).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rubrics/safe-township.xlsx");
    book.save(&path).unwrap();
}

#[test]
fn a_capped_deduction_and_a_one_off_bonus_score_as_written() {
    let csv = "考核项目,分值,评分标准\n一、安全生产（100分）,,\n安全事故,100,每发生1起一般事故扣0.5分，限扣6分\n二、加分项（5分）,,\n表彰,,受到市级以上表彰的加2分\n";
    let imp = import("cap.csv", csv.as_bytes(), &Options::default()).unwrap();
    assert!(imp.findings.is_empty(), "{:?}", imp.findings);
    assert_eq!(
        imp.items,
        vec![
            ("s1.accidents".to_string(), Some("score")),
            ("bonus.honors".to_string(), Some("yes"))
        ]
    );
    assert!(imp.script.contains("    bonus_max: 5,\n"));
    let rules = Rules::compile("cap.rhai", &imp.script).unwrap_or_else(|e| panic!("{e}"));
    let data =
        "单位编码,单位名称,安全事故：发生1起一般事故,受到市级以上表彰\nA,甲镇,3,是\nB,乙镇,20,否\n";
    let ds = kaohe::read_csv(&rules, data.as_bytes());
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    let report = rules
        .assess(&ds.units, None)
        .unwrap_or_else(|e| panic!("{e}"));
    let totals: Vec<String> = report
        .units
        .iter()
        .map(|u| {
            u.total
                .map(|t| t.normalize().to_string())
                .unwrap_or_default()
        })
        .collect();
    // 100 − 3×0.5 + 2 = 100.5; 100 − min(20×0.5, 6) = 94.
    assert_eq!(totals, vec!["100.5", "94"]);
}
