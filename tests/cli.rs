//! The `kaohe` command line: the default run, formats, `check`, and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use std::path::PathBuf;
use std::process::{Command, Output};

fn kaohe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn scratch(name: &str, content: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaohe-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

#[test]
fn assess_with_no_files_prints_the_default_ranked_table() {
    let out = kaohe(&["assess"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.starts_with("县禁毒工作绩效考核（county-antidrug）"),
        "{s}"
    );
    let first = s
        .lines()
        .find(|l| l.trim_start().starts_with("1 "))
        .unwrap();
    assert!(
        first.contains("城关镇") && first.contains("101.00") && first.contains("先进"),
        "{first}"
    );
    assert!(s.contains("共 20 个单位"), "{s}");
}

#[test]
fn the_table_aligns_chinese_text_by_display_width() {
    let s = text(&kaohe(&["assess"]).stdout);
    let rows: Vec<&str> = s
        .lines()
        .filter(|l| l.contains("镇") && l.contains('.'))
        .collect();
    let col = |l: &str| {
        let total = l.split_whitespace().nth(2).unwrap();
        let byte = l.find(total).unwrap();
        unicode_width::UnicodeWidthStr::width(&l[..byte + total.len()])
    };
    let first = col(rows[0]);
    assert!(rows.len() > 5);
    for r in rows {
        assert_eq!(col(r), first, "total column misaligned in `{r}`");
    }
}

#[test]
fn json_output_follows_the_documented_schema() {
    let out = kaohe(&["assess", "--format", "json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "kaohe-result");
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["units"].as_array().unwrap().len(), 20);
    let u = &v["units"][0];
    for key in [
        "id",
        "name",
        "cohort",
        "row",
        "total",
        "total_display",
        "base",
        "bonus",
        "grade",
        "rank",
        "previous_rank",
        "rank_change",
        "vetoed",
        "awards_eligible",
        "vetoes",
        "prerequisites_failed",
        "items",
        "adjustments",
        "consequences",
    ] {
        assert!(u.get(key).is_some(), "unit lacks `{key}`");
    }
    // Points are JSON numbers with exact digits: 龙泉镇 reaches 90 by 0.1 and 0.05 steps.
    let longquan = v["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "龙泉镇")
        .unwrap();
    assert_eq!(longquan["total"].to_string(), "90");
    assert_eq!(longquan["total_display"], "90.00");
    let raw = text(&out.stdout);
    assert!(!raw.contains("89.999"));
}

#[test]
fn gbk_and_utf8_samples_give_the_same_json() {
    let a = kaohe(&[
        "assess",
        "rules/county-antidrug.rhai",
        "rules/samples/county-antidrug.csv",
        "--format",
        "json",
    ]);
    let b = kaohe(&[
        "assess",
        "rules/county-antidrug.rhai",
        "rules/samples/county-antidrug.gbk.csv",
        "--format",
        "json",
    ]);
    assert!(
        a.status.success() && b.status.success(),
        "{}",
        text(&b.stderr)
    );
    let strip = |o: &Output| {
        text(&o.stdout)
            .replace("rules/samples/county-antidrug.gbk.csv", "X")
            .replace("rules/samples/county-antidrug.csv", "X")
    };
    assert_eq!(strip(&a), strip(&b));
}

#[test]
fn csv_output_to_a_file_has_a_bom_for_excel() {
    let out = scratch("result.csv", b"");
    let r = kaohe(&["assess", "--format", "csv", "--out", out.to_str().unwrap()]);
    assert!(r.status.success());
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let s = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(
        s.starts_with("名次,单位编码,单位名称,分组,总分,等次,名次变化,一票否决,处理结果,"),
        "{s}"
    );
    assert_eq!(s.lines().count(), 21);
}

#[test]
fn previous_results_add_rank_change() {
    let prev = scratch("prev.json", &kaohe(&["assess", "--format", "json"]).stdout);
    let out = kaohe(&["assess", "--previous", prev.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("名次变化"));
    assert!(text(&out.stdout).contains("持平"));
}

#[test]
fn check_prints_every_error_and_exits_3() {
    let bad = scratch(
        "bad.rhai",
        "ruleset(#{ id: \"bad\", title: \"x\" });\nfield(\"code\", #{ label: \"编码\", type: \"text\" });\nunit(#{ id: \"code\" });\nindicator(\"a\", #{ label: \"a\", max: 5, zero: \"cnt\" });\nindicator(\"b\", #{ label: \"b\", max: 5, zero: \"code\", txet: \"\" });\n"
            .as_bytes(),
    );
    let out = kaohe(&["check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    let name = bad.display();
    assert!(
        err.contains(&format!(
            "error: {name}:4:1: indicator `a`: `zero` names field `cnt`, which is not declared"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "error: {name}:5:1: indicator `b`: `zero` needs a number but field `code` is text"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "error: {name}:5:1: indicator `b`: unknown key `txet`\n  help: did you mean `text`?"
        )),
        "{err}"
    );
    assert!(
        err.trim_end().ends_with(&format!("3 errors in `{name}`")),
        "{err}"
    );
}

#[test]
fn check_passes_on_every_bundled_rule_set() {
    let out = kaohe(&["check", "rules/county-antidrug.rhai"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("ok: `rules/county-antidrug.rhai` — 县禁毒工作绩效考核"));
}

#[test]
fn bad_data_exits_4_and_lists_every_error() {
    let data = scratch("bad.csv", "编码,名称,甲\n1,甲,x\n2,乙,y\n".as_bytes());
    let rules = scratch(
        "r.rhai",
        b"ruleset(#{ id: \"r\", title: \"r\" });\nfield(\"code\", #{ label: \"\xe7\xbc\x96\xe7\xa0\x81\", type: \"text\" });\nfield(\"a\", #{ label: \"\xe7\x94\xb2\", type: \"number\" });\nunit(#{ id: \"code\" });\nindicator(\"x\", #{ label: \"x\", max: 5, zero: \"a\" });\n",
    );
    let out = kaohe(&["assess", rules.to_str().unwrap(), data.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));
    let err = text(&out.stderr);
    assert!(
        err.contains("row 2, column 3 `甲`, unit `1`: expected a number, found `x`"),
        "{err}"
    );
    assert!(
        err.contains("row 3, column 3 `甲`, unit `2`: expected a number, found `y`"),
        "{err}"
    );
    assert!(err.contains("2 data errors in"), "{err}");
    assert!(out.stdout.is_empty());

    let ok = scratch("half.csv", "编码,名称,甲\n1,甲,x\n2,乙,0\n".as_bytes());
    let out = kaohe(&[
        "assess",
        rules.to_str().unwrap(),
        ok.to_str().unwrap(),
        "--keep-going",
    ]);
    assert!(out.status.success());
    assert!(text(&out.stderr).contains("those rows were left out"));
    assert!(text(&out.stdout).contains("共 1 个单位"));
}

#[test]
fn a_runaway_rule_exits_5() {
    let rules = scratch(
        "loop.rhai",
        b"ruleset(#{ id: \"l\", title: \"l\" });\nfield(\"code\", #{ type: \"text\" });\nunit(#{ id: \"code\" });\nindicator(\"spin\", #{ label: \"l\", max: 5, score: |u| { loop {} } });\n",
    );
    let data = scratch("loop.csv", b"code\n1\n");
    let out = kaohe(&["assess", rules.to_str().unwrap(), data.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        text(&out.stderr).contains("rule `spin` failed for unit `1`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_missing_file_exits_1_and_an_unknown_rule_set_lists_the_bundled_ones() {
    let out = kaohe(&["assess", "rules/county-antidrug.rhai", "no-such.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("error: cannot read `no-such.csv`"));
    let out = kaohe(&["assess", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("help: the bundled rule sets are county-antidrug"));
}

#[test]
fn a_rule_file_alone_scores_its_own_sample_data() {
    let out = kaohe(&["assess", "rules/county-antidrug.rhai"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(out.stdout, kaohe(&["assess"]).stdout);
}

#[test]
fn serve_maps_paths_safely_and_types_wasm() {
    use kaohe::serve::{content_type, resolve};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (www, pkg) = (root.join("www"), root.join("src"));
    assert_eq!(resolve(&www, &pkg, "/kaohe.js"), Some(www.join("kaohe.js")));
    assert_eq!(
        resolve(&www, &pkg, "/pkg/lib.rs?x=1"),
        Some(pkg.join("lib.rs"))
    );
    assert_eq!(resolve(&www, &pkg, "/../Cargo.toml"), None);
    assert_eq!(resolve(&www, &pkg, "/pkg/../../etc/passwd"), None);
    assert_eq!(resolve(&www, &pkg, "/no-such-file.js"), None);
    assert_eq!(
        content_type(std::path::Path::new("a/kaohe_bg.wasm")),
        "application/wasm"
    );
    assert_eq!(
        content_type(std::path::Path::new("index.html")),
        "text/html; charset=utf-8"
    );
}
