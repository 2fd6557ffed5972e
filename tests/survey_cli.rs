//! The CLI with a respondents' file: the ranked table with each unit's valid sample, the
//! summary line, `--units`, the errors and their exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn kaohe(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn respondents_rows_give_the_ranked_table_with_samples() {
    let (code, out, err) = kaohe(&[
        "assess",
        "rules/satisfaction-survey.rhai",
        "rules/samples/satisfaction-survey.csv",
        "--lang",
        "zh",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("答卷 800 份（计入 800 份），12 个单位；2 个单位样本不足，结果仅供参考"),
        "{err}"
    );
    assert!(out.contains("有效样本"), "{out}");
    let first = out
        .lines()
        .find(|l| l.trim_start().starts_with("1 "))
        .unwrap();
    assert!(
        first.contains("黄土岭乡") && first.contains("24*") && first.contains("样本不足"),
        "{first}"
    );
}

#[test]
fn the_list_of_units_and_a_bad_answer_with_exit_codes() {
    let dir = std::env::temp_dir().join(format!("kaohe-survey-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    let small = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rules/samples/satisfaction-survey.small.csv"
    ))
    .unwrap();
    std::fs::write(&bad, small.replacen("甲镇,安全,", "甲镇,很安全,", 1)).unwrap();
    let units = dir.join("units.csv");
    std::fs::write(&units, "单位编码,单位名称\nA01,甲镇\nA02,乙镇\nA03,丙镇\n").unwrap();
    let (b, u) = (bad.display().to_string(), units.display().to_string());
    let (code, _, err) = kaohe(&[
        "assess",
        "rules/satisfaction-survey.rhai",
        &b,
        "--units",
        &u,
        "--lang",
        "en",
    ]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("error[S0201]: row 5, column D"), "{err}");
    let (code, out, err) = kaohe(&[
        "assess",
        "rules/satisfaction-survey.rhai",
        &b,
        "--units",
        &u,
        "--keep-going",
        "--lang",
        "en",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("21 respondents (20 counted, 1 left out for errors), 3 units"),
        "{err}"
    );
    assert!(out.contains("甲镇"));
    // --units is for respondents' files of a rule set with a survey.
    let (code, _, err) = kaohe(&[
        "assess",
        "rules/satisfaction-survey.rhai",
        "rules/samples/satisfaction-survey.counts.csv",
        "--units",
        &u,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("S0301"), "{err}");
    let (code, _, err) = kaohe(&["assess", "rules/county-antidrug.rhai", &b, "--units", &u]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("S0301"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
