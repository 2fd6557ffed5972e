//! The `kaohe` command line: the default run, formats, `check`, and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the CLI under an English locale, whatever the machine's.
fn kaohe(args: &[&str]) -> Output {
    kaohe_in("C.UTF-8", args)
}

/// Runs the CLI under the locale `lang` (`LANG`; `LC_ALL` and `LC_MESSAGES` unset).
fn kaohe_in(lang: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
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
    // The same result but for the file's name and its hash (来源: the bytes differ).
    let strip = |o: &Output| {
        let mut v: serde_json::Value = serde_json::from_str(
            &text(&o.stdout)
                .replace("rules/samples/county-antidrug.gbk.csv", "X")
                .replace("rules/samples/county-antidrug.csv", "X"),
        )
        .unwrap();
        let hash = v["provenance"]["data_sha256"].take();
        assert_eq!(hash.as_array().map(Vec::len), Some(1));
        v
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
            "error[R0102]: {name}:4:45: indicator `a`: `zero` names field `cnt`, which is not declared"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "error[R0306]: {name}:5:45: indicator `b`: `zero` needs a number but field `code` is text"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "error[R0101]: {name}:5:53: indicator `b`: unknown key `txet`\n  help: did you mean `text`?"
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
fn check_warns_of_wording_the_scoring_does_not_use_and_still_passes() {
    let out = kaohe_in("zh_CN.UTF-8", &["check", "rules/broken/wording.rhai"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("通过：“rules/broken/wording.rhai”"));
    let err = text(&out.stderr);
    assert_eq!(err.matches("警告[R0701]").count(), 3, "{err}");
    assert!(
        err.contains("rules/broken/wording.rhai:18:5：`text` 中写的 6 没有用于计分"),
        "{err}"
    );
    assert!(
        err.contains("提示：改了阈值或分值后，请把 `text` 一并改过来"),
        "{err}"
    );
    let clean = kaohe(&["check", "rules/county-antidrug.rhai"]);
    assert_eq!(
        text(&clean.stderr),
        "",
        "the bundled rule sets give no warnings"
    );
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
        err.contains("row 2, column C `甲`, unit `1`: expected a number, found `x`"),
        "{err}"
    );
    assert!(
        err.contains("row 3, column C `甲`, unit `2`: expected a number, found `y`"),
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
    let table = text(&out.stdout);
    assert!(table.contains("共 1 个单位"));
    // The unit left out is named under the table: a printed result never drops one silently;
    // the line saying what produced it (来源) comes last.
    assert!(
        table.contains("\n因数据错误未参加计分的单位（1 个）：\n  第 2 行  1\n\n来源：kaohe "),
        "{table}"
    );
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
    assert!(text(&out.stderr).starts_with("error[C0001]: cannot read `no-such.csv`"));
    let out = kaohe(&["assess", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("help: the bundled rule sets are county-antidrug"));
}

#[test]
fn a_chinese_locale_gets_chinese_messages_with_codes_and_hints() {
    for out in [
        kaohe_in("zh_CN.UTF-8", &["assess", "nope"]),
        kaohe(&["assess", "nope", "--lang", "zh"]),
    ] {
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        assert!(
            err.starts_with("错误[C0003]：“nope”既不是规则文件，也不是内置规则集\n  提示：内置规则集有：county-antidrug"),
            "{err}"
        );
    }
    let out = kaohe_in(
        "zh_CN.UTF-8",
        &["assess", "rules/county-antidrug.rhai", "无此文件.csv"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("错误[C0001]：无法读取“无此文件.csv”"),
        "{}",
        text(&out.stderr)
    );
    // An English locale can still ask for Chinese, and a Chinese one for English.
    let out = kaohe_in("zh_CN.UTF-8", &["--lang=en", "assess", "nope"]);
    assert!(text(&out.stderr).starts_with("error[C0003]: `nope` is neither"));
}

#[test]
fn help_and_usage_errors_follow_the_language() {
    let out = kaohe_in("zh_CN.UTF-8", &["assess", "--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for words in [
        "用法：",
        "选项：",
        "参数：",
        "输出格式",
        "显示帮助",
        "退出码：0 完成",
    ] {
        assert!(help.contains(words), "{words} in:\n{help}");
    }
    for command in ["assess", "check", "serve", "test", "codes"] {
        for lang in ["zh_CN.UTF-8", "C"] {
            let out = kaohe_in(lang, &[command, "--help"]);
            assert!(
                out.status.success(),
                "{command} {lang}: {}",
                text(&out.stderr)
            );
        }
    }
    let out = kaohe(&["--help"]);
    assert!(
        text(&out.stdout).contains("Exit codes: 0 done"),
        "{}",
        text(&out.stdout)
    );
    let out = kaohe_in("zh_CN.UTF-8", &["assess", "--formt", "csv"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("错误[C0012]：命令行参数有误：不认识的参数“--formt”"),
        "{err}"
    );
    assert!(err.contains("提示：运行 kaohe --help 查看用法"), "{err}");
}

#[test]
fn the_catalogue_lists_every_code() {
    let out = kaohe_in("zh_CN.UTF-8", &["codes", "c0003"]);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        "C0003  既不是规则文件也不是内置规则集（neither a rule file nor a bundled rule set）\n"
    );
    let out = kaohe(&["codes"]);
    let all = text(&out.stdout);
    assert!(all.lines().count() >= 10, "{all}");
    assert!(
        all.lines().all(|l| l.len() > 7 && l.as_bytes()[5] == b' '),
        "{all}"
    );
    let out = kaohe(&["codes", "X9999"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_rule_file_alone_scores_its_own_sample_data() {
    let out = kaohe(&["assess", "rules/county-antidrug.rhai"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(out.stdout, kaohe(&["assess"]).stdout);
}

/// Rows of a CSV result keyed by unit code: rank, total, grade, vetoes, consequences.
fn by_code(csv_text: &str) -> std::collections::BTreeMap<String, Vec<String>> {
    csv_text
        .trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<String> = l.split(',').map(str::to_string).collect();
            let key = cells[1].clone();
            let keep = [0, 4, 5, 7, 8].iter().map(|i| cells[*i].clone()).collect();
            (key, keep)
        })
        .collect()
}

#[test]
fn streamed_csv_equals_the_in_memory_result_in_input_order() {
    let whole = kaohe(&["assess", "rules/county-antidrug.rhai", "--format", "csv"]);
    let streamed = kaohe(&[
        "assess",
        "rules/county-antidrug.rhai",
        "rules/samples/county-antidrug.csv",
        "--format",
        "csv",
        "--stream",
    ]);
    assert!(streamed.status.success(), "{}", text(&streamed.stderr));
    let (a, b) = (text(&whole.stdout), text(&streamed.stdout));
    assert_eq!(by_code(&a), by_code(&b));
    // Input order: the second data row comes second.
    let second = b.lines().nth(2).unwrap();
    assert!(second.contains("999001001"), "{second}");
    assert!(
        text(&streamed.stderr).is_empty(),
        "{}",
        text(&streamed.stderr)
    );
}

/// The bundled rule sets that stream, with their sample data.
fn streamable_samples() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for b in kaohe::bundled::ALL {
        let rules = kaohe::Rules::compile(b.rules_path, b.rules).unwrap();
        if rules.streamable().is_ok() && b.data.is_some() {
            out.push((b.rules_path.to_string(), b.data_path.to_string()));
        }
    }
    assert!(out.len() >= 5, "{out:?}");
    out
}

/// `data`'s rows in the order the in-memory CSV lists its units (cohort, rank, input order):
/// the order a streamed CSV, written in input order, then has too.
fn in_listing_order(rules: &str, data: &str, tag: &str) -> PathBuf {
    let listed = kaohe(&["assess", rules, data, "--format", "csv"]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let ids: Vec<String> = csv::Reader::from_reader(&listed.stdout[..])
        .records()
        .map(|r| r.unwrap()[1].to_string())
        .collect();
    let compiled = kaohe::Rules::compile(rules, &std::fs::read_to_string(rules).unwrap()).unwrap();
    let bytes = std::fs::read(data).unwrap();
    let units = kaohe::read(&compiled, data, &bytes).units;
    let mut records: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[..])
        .records()
        .map(Result::unwrap)
        .collect();
    let header = records.remove(0);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for id in &ids {
        let unit = units.iter().find(|u| &compiled.unit_id(u) == id).unwrap();
        w.write_record(&records[unit.row() - 2]).unwrap(); // the header is row 1
    }
    let name = format!("{tag}-listed-{}", data.rsplit('/').next().unwrap());
    scratch(&name, &w.into_inner().unwrap())
}

/// One pipeline: a streamed CSV has the in-memory CSV's columns and cells, remarks (备注)
/// included; given the units in the order the in-memory CSV lists them, the two are the same
/// bytes, for every bundled rule set that streams (to a file too, with its byte-order mark).
#[test]
fn a_streamed_csv_is_byte_for_byte_the_in_memory_csv_for_every_streamable_rule_set() {
    for (rules, data) in streamable_samples() {
        let listed = in_listing_order(&rules, &data, "bytes");
        let listed = listed.to_str().unwrap();
        let whole = kaohe(&["assess", &rules, listed, "--format", "csv"]);
        let streamed = kaohe(&["assess", &rules, listed, "--format", "csv", "--stream"]);
        assert!(streamed.status.success(), "{}", text(&streamed.stderr));
        assert!(
            streamed.stderr.is_empty(),
            "{rules}: {}",
            text(&streamed.stderr)
        );
        assert_eq!(text(&streamed.stdout), text(&whole.stdout), "{rules}");
        // In input order, the same rows.
        let whole = kaohe(&["assess", &rules, &data, "--format", "csv"]);
        let streamed = kaohe(&["assess", &rules, &data, "--format", "csv", "--stream"]);
        let sorted = |b: &[u8]| {
            let mut lines: Vec<String> = text(b).lines().map(str::to_string).collect();
            lines[1..].sort();
            lines
        };
        assert_eq!(sorted(&streamed.stdout), sorted(&whole.stdout), "{rules}");
    }
    // Remarks are there: a vetoed unit's, and a grade lowered by a prerequisite or a quota.
    let out = kaohe(&[
        "assess",
        "rules/police-station-level.rhai",
        "rules/samples/police-station-level.csv",
        "--format",
        "csv",
        "--stream",
    ]);
    let csv_text = text(&out.stdout);
    assert!(csv_text.lines().next().unwrap().contains(",备注,"));
    assert!(csv_text.contains("一票否决（"), "{csv_text}");
    // To a file: the byte-order mark first, then the same bytes.
    let (rules, data) = (
        "rules/county-antidrug.rhai",
        "rules/samples/county-antidrug.csv",
    );
    let listed = in_listing_order(rules, data, "bom");
    let listed = listed.to_str().unwrap();
    let [a, b] = ["whole.csv", "streamed.csv"].map(|n| scratch(n, b""));
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    kaohe(&["assess", rules, listed, "--format", "csv", "--out", a]);
    kaohe(&[
        "assess", rules, listed, "--format", "csv", "--stream", "--out", b,
    ]);
    let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    assert!(a.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(a, b);
}

/// `--previous` streams too: each unit's previous rank and total are looked up by its id as it
/// is written, so a streamed CSV has the in-memory one's 名次变化, 上期得分 and 分差.
#[test]
fn a_streamed_csv_against_a_previous_period_is_the_in_memory_one() {
    for (rules, data) in streamable_samples() {
        let listed = in_listing_order(&rules, &data, "previous");
        let listed = listed.to_str().unwrap();
        // Last period: the same units with their ranks reversed and other totals; one unit new.
        let json = kaohe(&["assess", &rules, listed, "--format", "json"]);
        let mut previous: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        let units = previous["units"].as_array_mut().unwrap();
        let n = units.len() as u64;
        units.remove(0);
        for (k, u) in units.iter_mut().enumerate() {
            u["rank"] = (n - k as u64).into();
            u["total_display"] = format!("{}.5", 60 + k).into();
        }
        let name = format!("previous-{}.json", data.rsplit('/').next().unwrap());
        let previous = scratch(&name, previous.to_string().as_bytes());
        let previous = previous.to_str().unwrap();
        let args = [
            "assess",
            &rules,
            listed,
            "--format",
            "csv",
            "--previous",
            previous,
        ];
        let whole = kaohe(&args);
        assert!(whole.status.success(), "{}", text(&whole.stderr));
        let streamed = kaohe(&[&args[..], &["--stream"]].concat());
        assert!(streamed.status.success(), "{}", text(&streamed.stderr));
        assert!(
            streamed.stderr.is_empty(),
            "{rules}: {}",
            text(&streamed.stderr)
        );
        let csv_text = text(&streamed.stdout);
        assert_eq!(csv_text, text(&whole.stdout), "{rules}");
        assert!(csv_text.lines().next().unwrap().contains(",上期得分,分差,"));
        assert!(
            csv_text.contains('↑') && csv_text.contains('↓'),
            "{csv_text}"
        );
    }
}

/// JSON Lines out against a previous period: the state carried from it and the consequences
/// that read it are those of the CSV (they were ignored: every unit started its listing anew).
#[test]
fn json_lines_against_a_previous_period_have_the_consequences_of_the_report() {
    let (rules, data) = (
        "rules/key-area-listing.rhai",
        "rules/samples/key-area-listing.csv",
    );
    let previous = "rules/samples/key-area-listing.prev.json";
    let consequences_of = |args: &[&str]| {
        let out = kaohe(&[&["assess", rules, data], args].concat());
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                let hits: Vec<&str> = v["consequences"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap())
                    .collect();
                (v["id"].as_str().unwrap().to_string(), hits.join("、"))
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let lines = consequences_of(&["--format", "jsonl", "--previous", previous]);
    let fresh = consequences_of(&["--format", "jsonl"]);
    let csv_out = kaohe(&[
        "assess",
        rules,
        data,
        "--format",
        "csv",
        "--previous",
        previous,
    ]);
    let mut reader = csv::Reader::from_reader(&csv_out.stdout[..]);
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "处理结果");
    let column = column.unwrap();
    let from_csv: std::collections::BTreeMap<String, String> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[1].to_string(), r[column].to_string())
        })
        .collect();
    assert_eq!(lines, from_csv);
    assert_ne!(lines, fresh);
}

#[test]
fn json_lines_in_and_out() {
    let lines = "{\"单位编码\":\"A1\",\"单位名称\":\"甲镇\",\"登记吸毒人员数\":30,\"党委政府专题研究禁毒工作次数\":4,\"禁毒办专职工作人员数\":2,\"集中宣传活动次数\":6,\"村（社区）禁毒宣传栏覆盖率\":\"100%\",\"注册禁毒志愿者人数\":50,\"责令社区戒毒社区康复人数\":0,\"社区戒毒社区康复执行到位人数\":0,\"专职社工人数\":1,\"涉毒违法犯罪人员数\":0,\"禁毒知识知晓率\":\"99%\",\"群众满意度\":\"99%\"}\n{\"单位编码\":\"A2\",\"单位名称\":\"乙镇\",\"登记吸毒人员数\":30,\"党委政府专题研究禁毒工作次数\":1,\"禁毒办专职工作人员数\":1,\"集中宣传活动次数\":2,\"村（社区）禁毒宣传栏覆盖率\":\"80%\",\"注册禁毒志愿者人数\":25,\"责令社区戒毒社区康复人数\":10,\"社区戒毒社区康复执行到位人数\":9,\"专职社工人数\":0,\"涉毒违法犯罪人员数\":5,\"失控人员数\":6,\"禁毒知识知晓率\":\"96%\",\"群众满意度\":\"90%\"}\n";
    let input = scratch("towns.jsonl", lines.as_bytes());
    let out = kaohe(&[
        "assess",
        "rules/county-antidrug.rhai",
        input.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], "A1");
    assert_eq!(rows[0]["rank"], 1);
    assert_eq!(rows[1]["rank"], 2);
    // Points are numbers with their exact digits, as in the JSON result; the published total
    // is text with the rule set's decimals.
    assert_eq!(rows[1]["items"]["base.control"], 3);
    assert_eq!(rows[0]["schema"], "kaohe-unit");
    assert_eq!(rows[0]["schema_version"], 1);
    assert!(rows[0]["total"].is_number(), "{}", rows[0]["total"]);
    assert!(rows[0]["total_display"].is_string());
    let consequences = rows[1]["consequences"].as_array().unwrap();
    assert!(
        consequences.iter().any(|c| c == "重点关注"),
        "{consequences:?}"
    );
}

#[test]
fn a_streamed_file_with_bad_rows_reports_every_one_and_writes_nothing() {
    let sample = std::fs::read_to_string("rules/samples/county-antidrug.csv").unwrap();
    let mut lines: Vec<String> = sample.lines().map(str::to_string).collect();
    lines[3] = lines[3].replacen(",0,", ",三,", 1);
    lines[7] = lines[7].replacen(",0,", ",x,", 1);
    let input = scratch("bad-streamed.csv", lines.join("\n").as_bytes());
    let out = kaohe(&[
        "assess",
        "rules/county-antidrug.rhai",
        input.to_str().unwrap(),
        "--format",
        "csv",
        "--stream",
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("row 4"), "{err}");
    assert!(err.contains("row 8"), "{err}");
    assert!(err.contains("2 data errors"), "{err}");
    assert!(out.stdout.is_empty());
}

/// Under a Chinese locale every kind of message — data errors, rule errors, a runaway rule, a
/// failing test case and the coverage line — is in Chinese, with its code and a hint.
#[test]
fn every_kind_of_message_reaches_a_chinese_locale_with_code_and_hint() {
    let zh = |args: &[&str]| kaohe_in("zh_CN.UTF-8", args);
    let rules = scratch(
        "zh.rhai",
        "ruleset(#{ id: \"zh\", title: \"测试\" });\nfield(\"code\", #{ label: \"编码\", type: \"text\" });\nfield(\"name\", #{ label: \"名称\", type: \"text\" });\nfield(\"a\", #{ label: \"查获数\", type: \"int\" });\nfield(\"b\", #{ label: \"宣传次数\", type: \"int\" });\nunit(#{ id: \"code\", name: \"name\" });\nindicator(\"x\", #{ label: \"查获\", max: 5, zero: \"a\" });\nindicator(\"y\", #{ label: \"宣传\", max: 5, zero: \"b\" });\n".as_bytes(),
    );
    let rules = rules.to_str().unwrap();
    // Data: a missing column and a bad cell in one run.
    let data = scratch(
        "zh.csv",
        "编码,名称,查获数\n330101,石桥镇,六次\n330102,龙泉镇,2\n".as_bytes(),
    );
    let out = zh(&["assess", rules, data.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));
    let err = text(&out.stderr);
    assert!(
        err.contains("错误[D0101]：第 1 行，“宣传次数”列：缺少必填列“宣传次数”"),
        "{err}"
    );
    assert!(err.contains("错误[D0201]：第 2 行，C 列“查获数”，单位“石桥镇”（330101）：应填整数，实际填的是“六次”\n  提示：把“六次”改为数字 6"), "{err}");
    assert!(err.contains("共有 2 处数据错误"), "{err}");

    // Rules: a misspelt key, pointed at on its own line.
    let bad = scratch(
        "zh-bad.rhai",
        "ruleset(#{ id: \"zh\", title: \"测试\" });\nfield(\"code\", #{ label: \"编码\", type: \"text\" });\nunit(#{ id: \"code\" });\nindicator(\"x\", #{\n    label: \"查获\",\n    max: 5,\n    zero: \"code\",\n    txet: \"\",\n});\n".as_bytes(),
    );
    let out = zh(&["check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(
        err.contains(":8:5：指标“x”：未知的键 `txet`\n  提示：把 `txet` 改为 `text`"),
        "{err}"
    );

    // A runaway: one error for the rule, with the count of units it struck.
    let spin = scratch(
        "zh-spin.rhai",
        "ruleset(#{ id: \"s\", title: \"s\" });\nfield(\"code\", #{ label: \"编码\", type: \"text\" });\nunit(#{ id: \"code\" });\nindicator(\"spin\", #{ label: \"l\", max: 5, score: |u| { loop {} } });\n".as_bytes(),
    );
    let many = scratch("zh-spin.csv", "编码\n1\n2\n3\n4\n5\n".as_bytes());
    let out = zh(&["assess", spin.to_str().unwrap(), many.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(5));
    let err = text(&out.stderr);
    assert_eq!(err.matches("错误[E0001]").count(), 1, "{err}");
    assert!(
        err.contains("规则“spin”计算单位 1 等 5 个单位时出错：脚本运行超过限度"),
        "{err}"
    );
    assert!(err.contains("\n  提示：检查循环的结束条件"), "{err}");

    // A failing test case and the coverage line.
    let dir = rules.trim_end_matches("zh.rhai");
    scratch(
        "zh-cases.csv",
        "编码,名称,查获数,宣传次数\n330101,石桥镇,0,0\n".as_bytes(),
    );
    std::fs::write(
        format!("{dir}zh.cases.json"),
        r#"{ "cases": [ { "name": "石桥镇满分", "data": "zh-cases.csv", "expect": { "330101": { "total": 9 } } } ] }"#,
    )
    .unwrap();
    let out = zh(&["test", rules]);
    assert_eq!(out.status.code(), Some(6));
    let report = text(&out.stdout);
    assert!(report.contains("失败  石桥镇满分"), "{report}");
    assert!(report.contains("[T0001]"), "{report}");
    assert!(report.contains("“石桥镇”（330101）"), "{report}");
    assert!(report.contains("提示："), "{report}");
    assert!(report.contains("[T0101] 覆盖情况："), "{report}");
    assert!(report.contains("0 项通过，1 项失败"), "{report}");
}

#[test]
fn a_parameter_is_set_for_one_run_and_a_wrong_one_is_named() {
    let rules = scratch(
        "param.rhai",
        r#"ruleset(#{ id: "p", title: "参数", max: 100, base: 100 });
field("code", #{ label: "编码", type: "text" });
field("rate", #{ label: "破案率", type: "percent" });
unit(#{ id: "code" });
param("prov_mean", #{ label: "上年度全省平均破案率", value: 85 });
deduction("clear", #{ label: "破案率", deduct: #{ value: #{ diff: "rate", from: "prov_mean" }, below: 0, each: 0.25 } });
"#
        .as_bytes(),
    );
    let data = scratch("param.csv", "编码,破案率\nA,80%\n".as_bytes());
    let (r, d) = (rules.to_str().unwrap(), data.to_str().unwrap());
    let out = kaohe(&["assess", r, d, "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("上年度全省平均破案率 85"));
    // 88 this year: 8 points below, 2 taken.
    let out = kaohe(&[
        "assess",
        r,
        d,
        "--format",
        "json",
        "--param",
        "prov_mean=88",
    ]);
    let json = text(&out.stdout);
    assert!(
        json.contains("上年度全省平均破案率 88（本次参数；规则集原为 85） = -8"),
        "{json}"
    );
    assert!(json.contains("\"total\": 98"), "{json}");
    let bad = kaohe_in("zh_CN.UTF-8", &["assess", r, d, "--param", "prov_maen=88"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = text(&bad.stderr);
    assert!(
        err.contains("C0015") && err.contains("“prov_mean”"),
        "{err}"
    );
    let bad = kaohe(&["assess", r, d, "--param", "prov_mean=八十"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// Runs kaohe with `input` on its standard input, in the folder `dir`.
fn kaohe_with_input(dir: &std::path::Path, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kaohe"))
        .args(args)
        .current_dir(dir)
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn a_dash_reads_standard_input_and_writes_standard_output() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let sample = std::fs::read(root.join("rules/samples/county-antidrug.csv")).unwrap();
    let from_file = kaohe(&["assess", "county-antidrug", "--format", "csv"]);
    let from_stdin = kaohe_with_input(
        &root,
        &["assess", "county-antidrug", "-", "--format", "csv"],
        &sample,
    );
    assert!(from_stdin.status.success(), "{}", text(&from_stdin.stderr));
    assert_eq!(text(&from_stdin.stdout), text(&from_file.stdout));
    // `--out -` is standard output: no file named `-`, no byte-order mark.
    let dir = scratch("dash-out.txt", b"").parent().unwrap().to_path_buf();
    let out = kaohe_with_input(
        &dir,
        &["assess", "county-antidrug", "--format", "csv", "--out", "-"],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), text(&from_file.stdout));
    assert!(!dir.join("-").exists());
    // A rule script from standard input.
    let rules = std::fs::read(root.join("rules/county-antidrug.rhai")).unwrap();
    let check = kaohe_with_input(&root, &["check", "-"], &rules);
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert!(text(&check.stdout).contains("县禁毒工作绩效考核"));
    // The form to standard output, its summary to standard error.
    let form = kaohe_with_input(&dir, &["template", "county-antidrug", "--out", "-"], b"");
    assert!(form.status.success(), "{}", text(&form.stderr));
    assert!(form.stdout.starts_with(b"PK"));
    assert!(!text(&form.stderr).is_empty());
}

#[test]
fn bundled_ids_are_taken_by_check_and_test_and_test_runs_them_outside_a_repository() {
    let check = kaohe(&["check", "county-antidrug", "city-safety-negative"]);
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert_eq!(text(&check.stdout).lines().count(), 2);
    let unknown = kaohe_in("zh_CN.UTF-8", &["check", "county-antidrg"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown.stderr).contains("county-antidrug"),
        "{}",
        text(&unknown.stderr)
    );
    let one = kaohe(&["test", "city-safety-negative"]);
    assert!(one.status.success(), "{}", text(&one.stdout));
    assert!(text(&one.stdout).contains("rules/city-safety-negative.rhai"));
    // In a folder without rules/: every bundled rule set's cases.
    let empty = std::env::temp_dir().join(format!("kaohe-no-repo-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let all = kaohe_with_input(&empty, &["test"], b"");
    assert!(all.status.success(), "{}", text(&all.stdout));
    let listed = text(&all.stdout);
    for b in kaohe::bundled::ALL {
        assert!(listed.contains(b.rules_path), "{} not run", b.id);
    }
    std::fs::remove_dir_all(&empty).ok();
}

#[test]
fn every_command_says_its_example_and_exit_codes_and_completions_are_printed() {
    for cmd in [
        "assess",
        "check",
        "test",
        "serve",
        "codes",
        "import",
        "template",
        "merge",
        "completions",
    ] {
        let en = kaohe_in("en_US.UTF-8", &[cmd, "--help"]);
        let help = text(&en.stdout);
        assert!(
            help.contains("Example:\n  kaohe ") && help.contains("Exit codes: 0 done"),
            "{cmd}: {help}"
        );
        let zh = kaohe_in("zh_CN.UTF-8", &[cmd, "--help"]);
        let help = text(&zh.stdout);
        assert!(
            help.contains("例：\n  kaohe ") && help.contains("退出码：0 完成"),
            "{cmd}: {help}"
        );
    }
    for (shell, mark) in [
        ("bash", "_kaohe()"),
        ("zsh", "#compdef kaohe"),
        ("fish", "complete -c kaohe"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = kaohe(&["completions", shell]);
        assert!(out.status.success());
        let script = text(&out.stdout);
        assert!(script.contains(mark), "{shell}");
        assert!(
            script.contains("assess") && script.contains("params"),
            "{shell}"
        );
    }
}

#[test]
fn a_keep_going_result_keeps_the_rows_it_left_out_on_record() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let sample = std::fs::read_to_string(root.join("rules/samples/county-antidrug.csv")).unwrap();
    // The second unit's 登记吸毒人员数 written in words.
    let bad = sample.replacen("999001001,东城街道,80,", "999001001,东城街道,八十,", 1);
    let data = scratch("keep-going.csv", bad.as_bytes());
    let d = data.to_str().unwrap();
    let out = kaohe(&[
        "assess",
        "county-antidrug",
        d,
        "--format",
        "json",
        "--keep-going",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["units"].as_array().unwrap().len(), 19);
    let left = v["data_errors"].as_array().unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["unit"], "999001001");
    assert_eq!(left[0]["unit_name"], "东城街道");
    assert_eq!(
        (left[0]["row"].as_u64(), left[0]["code"].as_str()),
        (Some(3), Some("D0201"))
    );
    // A clean run has no such key: the schema is unchanged for it.
    let clean = kaohe(&["assess", "county-antidrug", "--format", "json"]);
    assert!(!text(&clean.stdout).contains("\"data_errors\""));
}

/// `kaohe gap`: a unit's gap to the next grade in Chinese with the change that closes it; the
/// JSON has its schema; a unit the data does not hold is a usage error naming it.
#[test]
fn gap_says_what_a_unit_needs_for_the_next_grade() {
    let out = kaohe_in(
        "zh_CN.UTF-8",
        &["gap", "county-antidrug", "--unit", "南门街道"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(
        table.contains("南门街道（999001003，第 11 名，基本合格，79.95 分）"),
        "{table}"
    );
    assert!(table.contains("距合格（≥80 分）差 0.05 分"), "{table}");
    assert!(table.contains("建议："), "{table}");
    assert!(
        !table.contains("城关镇（"),
        "only the unit asked for: {table}"
    );
    let out = kaohe(&[
        "gap",
        "county-antidrug",
        "--unit",
        "999001003",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "kaohe-gap");
    assert_eq!(v["units"].as_array().unwrap().len(), 1);
    assert_eq!(v["units"][0]["next_grade"]["points"].to_string(), "0.05");
    let out = kaohe_in(
        "zh_CN.UTF-8",
        &["gap", "county-antidrug", "--unit", "不存在镇"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("C0016") && err.contains("“不存在镇”"), "{err}");
}

/// `kaohe diff`: two rule files on one data file (a band's threshold lowered), and one rule
/// set on two data files as CSV; a rule set and one data file is a usage error that says both
/// ways to call it.
#[test]
fn diff_compares_two_rule_sets_or_two_data_files() {
    let rules = std::fs::read_to_string("rules/county-antidrug.rhai").unwrap();
    let lowered = rules
        .replacen(
            r#"#{ name: "先进", at_least: 90 },"#,
            r#"#{ name: "先进", at_least: 85 },"#,
            1,
        )
        .replacen("at_least: 80, below: 90", "at_least: 80, below: 85", 1);
    let new = scratch("diff-new.rhai", lowered.as_bytes());
    let out = kaohe_in(
        "zh_CN.UTF-8",
        &[
            "diff",
            "rules/county-antidrug.rhai",
            new.to_str().unwrap(),
            "rules/samples/county-antidrug.csv",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(
        table.contains("1 个单位等次变化，0 个单位名次变化，0 个单位总分变化"),
        "{table}"
    );
    assert!(table.contains("城南工业园区管委会（999001400）"), "{table}");
    assert!(table.contains("等次 合格 → 先进"), "{table}");
    let csv = std::fs::read_to_string("rules/samples/county-antidrug.csv").unwrap();
    let corrected = csv.replacen("999001105,柳溪镇,", "999001105,柳溪镇（核查）,", 1);
    let new_data = scratch("diff-new.csv", corrected.as_bytes());
    let out = kaohe(&[
        "diff",
        "county-antidrug",
        "rules/samples/county-antidrug.csv",
        new_data.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows = text(&out.stdout);
    assert!(
        rows.starts_with("单位编码,单位名称,原总分,新总分,总分变化"),
        "{rows}"
    );
    assert_eq!(rows.lines().count(), 21, "{rows}");
    // The rows of two rule sets' comparison as a workbook, numbers as numbers.
    let book = scratch("diff.xlsx", b"");
    let out = kaohe(&[
        "diff",
        "rules/county-antidrug.rhai",
        new.to_str().unwrap(),
        "--format",
        "xlsx",
        "--out",
        book.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    {
        use calamine::{Data, Reader};
        let mut wb = calamine::open_workbook_auto(&book).unwrap();
        let sheet = wb.worksheet_range("对比").unwrap();
        let first: Vec<Data> = sheet.rows().nth(1).unwrap().to_vec();
        assert_eq!(first[1], Data::String("城南工业园区管委会".into()));
        assert_eq!(first[2], Data::Float(87.9));
        assert_eq!(first[8], Data::String("合格".into()));
        assert_eq!(first[9], Data::String("先进".into()));
    }
    let out = kaohe_in(
        "zh_CN.UTF-8",
        &[
            "diff",
            "county-antidrug",
            "rules/samples/county-antidrug.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("C0017") && err.contains("kaohe diff 规则.rhai 旧数据.csv 新数据.csv"),
        "{err}"
    );
}

/// Every JSON result says what produced it (来源): kaohe's version and the SHA-256 of the rules
/// and of the data file, the table ends with the same in a line; `kaohe verify` reproduces a
/// result byte for byte, and names what differs for an edited one or other rules.
#[test]
fn verify_reproduces_a_result_and_names_what_differs() {
    use sha2::{Digest, Sha256};
    let hex = |b: &[u8]| {
        Sha256::digest(b)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    };
    let json = scratch("verify.json", b"");
    let out = kaohe(&[
        "assess",
        "county-antidrug",
        "--format",
        "json",
        "--out",
        json.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let p = &v["provenance"];
    assert_eq!(p["kaohe"], env!("CARGO_PKG_VERSION"));
    let sample = std::fs::read("rules/samples/county-antidrug.csv").unwrap();
    assert_eq!(p["data_sha256"][0], hex(&sample));
    let rules = std::fs::read("rules/county-antidrug.rhai").unwrap();
    assert_eq!(p["rules_sha256"], hex(&rules));
    let table = text(&kaohe(&["assess", "county-antidrug"]).stdout);
    let short = &hex(&rules)[..12];
    assert!(
        table
            .trim_end()
            .ends_with(&format!("数据 {}", &hex(&sample)[..12])),
        "{table}"
    );
    assert!(table.contains(&format!("规则 {short}")), "{table}");
    for format in ["json", "csv", "xlsx"] {
        let file = scratch(&format!("verify-ok.{format}"), b"");
        let f = file.to_str().unwrap();
        assert!(
            kaohe(&["assess", "county-antidrug", "--format", format, "--out", f])
                .status
                .success()
        );
        let out = kaohe_in("zh_CN.UTF-8", &["verify", f, "county-antidrug"]);
        assert!(out.status.success(), "{format}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("已重现"),
            "{}",
            text(&out.stdout)
        );
    }
    // One published total edited by hand.
    let edited = std::fs::read_to_string(&json).unwrap().replacen(
        "\"total_display\": \"97.70\"",
        "\"total_display\": \"98.70\"",
        1,
    );
    let tampered = scratch("verify-tampered.json", edited.as_bytes());
    let out = kaohe_in(
        "zh_CN.UTF-8",
        &["verify", tampered.to_str().unwrap(), "county-antidrug"],
    );
    assert_eq!(out.status.code(), Some(7));
    let err = text(&out.stderr);
    assert!(
        err.contains("C0018") && err.contains("结果文件为“\"total_display\": \"98.70\",”"),
        "{err}"
    );
    // The same result checked against other rules: the provenance says which input differs.
    let other = String::from_utf8(rules)
        .unwrap()
        .replacen("each: 0.5 },", "each: 1 },", 1);
    let other = scratch("verify-other.rhai", other.as_bytes());
    let out = kaohe_in(
        "zh_CN.UTF-8",
        &[
            "verify",
            json.to_str().unwrap(),
            other.to_str().unwrap(),
            "rules/samples/county-antidrug.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(7));
    let err = text(&out.stderr);
    assert!(err.contains("规则与生成结果时所用的不同"), "{err}");
    assert!(!err.contains("数据与生成结果时所用的不同"), "{err}");
    // A streamed CSV (rows in input order) is verified streamed; a result against two earlier
    // periods with them.
    let streamed = scratch("verify-stream.csv", b"");
    let s = streamed.to_str().unwrap();
    let o = kaohe(&[
        "assess",
        "county-antidrug",
        "--format",
        "csv",
        "--stream",
        "--out",
        s,
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = kaohe(&["verify", s, "county-antidrug", "--stream"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let j = json.to_str().unwrap();
    let with_history = scratch("verify-history.json", b"");
    let h = with_history.to_str().unwrap();
    let args = ["--history", j, "--history", j];
    let o = kaohe(
        &[
            &["assess", "county-antidrug", "--format", "json", "--out", h][..],
            &args,
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&with_history).unwrap()).unwrap();
    // The same file named twice is one period.
    assert!(
        v["provenance"]["history_sha256"].is_null(),
        "{}",
        v["provenance"]
    );
    assert!(v["provenance"]["previous_sha256"].is_string());
    let o = kaohe(&[&["verify", h, "county-antidrug"][..], &args].concat());
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = kaohe_in("en_US.UTF-8", &["verify", h, "county-antidrug"]);
    assert_eq!(o.status.code(), Some(7));
    assert!(
        text(&o.stderr).contains("the previous or earlier periods differ"),
        "{}",
        text(&o.stderr)
    );
}

/// `--history` takes a folder of earlier results (in order of name): the JSON lists each
/// unit's trend, the workbook has a 历次趋势 sheet with a total, rank and grade per period.
#[test]
fn history_from_a_folder_gives_each_unit_its_trend() {
    use calamine::{Data, Reader};
    let dir = std::env::temp_dir().join(format!("kaohe-cli-{}-history", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for year in ["2024", "2025"] {
        let out = dir.join(format!("{year}.json"));
        let o = kaohe(&[
            "assess",
            "county-antidrug",
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let out = kaohe(&[
        "assess",
        "county-antidrug",
        "--history",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &v["units"][0];
    assert_eq!(first["trend"].as_array().unwrap().len(), 2);
    assert_eq!(first["trend"][0]["rank"], first["rank"]);
    assert_eq!(first["previous_rank"], first["rank"]);
    let book = dir.join("trend.xlsx");
    let o = kaohe(&[
        "assess",
        "county-antidrug",
        "--history",
        dir.join("2024.json").to_str().unwrap(),
        "--history",
        dir.join("2025.json").to_str().unwrap(),
        "--format",
        "xlsx",
        "--out",
        book.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let mut wb = calamine::open_workbook_auto(&book).unwrap();
    let sheet = wb.worksheet_range("历次趋势").unwrap();
    let head: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        head[..5],
        [
            "单位编码",
            "单位名称",
            "第1期总分",
            "第1期名次",
            "第1期等次"
        ]
    );
    assert_eq!(head.last().map(String::as_str), Some("本期等次"));
    let row = sheet.rows().nth(1).unwrap();
    assert_eq!(row[1], Data::String("城关镇".into()));
    assert_eq!(row[3], Data::Float(1.0));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `kaohe schema` prints the published schemas, and names the ones it has when asked for
/// another.
#[test]
fn schema_prints_the_published_schemas() {
    for name in ["result", "unit", "gap", "diff"] {
        let out = kaohe(&["schema", name]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let published = std::fs::read_to_string(format!("docs/schema/{name}.schema.json")).unwrap();
        assert_eq!(text(&out.stdout), published, "{name}");
    }
    let out = kaohe_in("zh_CN.UTF-8", &["schema", "结果"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("C0019") && err.contains("result"), "{err}");
    // A name with a terminal escape is shown, not obeyed.
    let out = kaohe_in("zh_CN.UTF-8", &["schema", "\u{1b}[31mX"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !text(&out.stderr).contains('\u{1b}'),
        "{}",
        text(&out.stderr)
    );
}

/// A rule set that cannot be streamed says so only when `--stream` asks for it: `--format jsonl`
/// streams by itself when it can, and reads the file whole without a word when it cannot.
#[test]
fn the_cannot_stream_note_comes_only_with_stream() {
    let sets: Vec<(String, PathBuf)> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/rules"))
            .unwrap()
            .filter_map(|e| {
                let p = e.ok()?.path();
                let id = p
                    .file_stem()?
                    .to_str()?
                    .strip_suffix("")
                    .map(str::to_string)?;
                let sample = p.parent()?.join("samples").join(format!("{id}.csv"));
                (p.extension()? == "rhai" && sample.is_file()).then_some((id, sample))
            })
            .collect();
    let mut said = 0;
    for (id, sample) in &sets {
        let sample = sample.to_str().unwrap();
        for (args, asked) in [(vec![], false), (vec!["--stream"], true)] {
            let mut all = vec!["assess", id.as_str(), sample, "--format", "jsonl"];
            all.extend(args);
            let out = kaohe(&all);
            let err = text(&out.stderr);
            if !out.status.success() {
                continue; // a respondents' sample needs its list of units
            }
            let note = err.contains("cannot be streamed");
            assert!(!note || asked, "{id}: a note not asked for: {err}");
            said += usize::from(note);
        }
    }
    assert!(said > 0, "no bundled rule set said it cannot stream");
}
