//! The hostile corpus (恶意与粗心输入): files and scripts an attacker or a careless user would
//! hand kaohe, each with the exact outcome expected. The CLI runs under limits the harness sets
//! (`ulimit -v` on address space, `timeout` on time), so a test fails — it does not hang or
//! swap — if a budget stops holding. The binary files are made by `tests/hostile/make.py`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaohe-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the CLI with at most `mb` MB of address space and `secs` seconds.
fn kaohe_limited(mb: u64, secs: u64, args: &[&str]) -> Output {
    let bin = env!("CARGO_BIN_EXE_kaohe");
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(format!(
            "ulimit -v {}; exec timeout {secs} \"$0\" \"$@\"",
            mb * 1024
        ))
        .arg(bin)
        .args(args);
    cmd.output().unwrap()
}

fn kaohe(args: &[&str]) -> Output {
    kaohe_limited(2048, 60, args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The rule set the corpus is scored with (shared with the JS API's hostile tests).
const RULES: &str = include_str!("hostile/rules.rhai");

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn corpus(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile")
        .join(name)
        .display()
        .to_string()
}

// ---- data files ------------------------------------------------------------------------

/// Item 1: one stray cell at XFD1048576 made the reader allocate 549 GB and abort.
#[test]
fn a_stray_cell_at_the_last_cell_of_a_sheet_is_passed_over() {
    let dir = scratch("far");
    let rules = write(&dir, "r.rhai", RULES);
    let o = kaohe_limited(
        1024,
        30,
        &[
            "assess",
            &rules,
            &corpus("far-cell.xlsx"),
            "--format",
            "csv",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("1,101,甲镇,全部,99.00") || out.contains("101,甲镇"),
        "{out}"
    );
    assert!(out.contains("乙镇"), "{out}");
}

/// Item 2: shared strings that unpack to 600 MB from a 600 KB file.
#[test]
fn a_zip_bomb_is_refused_before_it_is_unpacked() {
    let dir = scratch("bomb");
    let rules = write(&dir, "r.rhai", RULES);
    let o = kaohe_limited(1024, 60, &["assess", &rules, &corpus("zip-bomb.xlsx")]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the spreadsheet unpacks to more than 512 MB"),
        "{}",
        stderr(&o)
    );
}

/// Item 3: one invalid byte near the end of a UTF-8 file. Read whole it was taken for GB18030
/// ("missing required column"); streamed, U+FFFD went into a unit name. Both now agree.
#[test]
fn an_invalid_utf8_byte_is_an_error_in_its_row_whether_read_whole_or_streamed() {
    let rules = kaohe::Rules::compile("r.rhai", RULES).unwrap();
    let mut csv = String::from("编码,名称,失控人数\n");
    for i in 0..5000 {
        csv.push_str(&format!("{i},镇{i},1\n"));
    }
    let mut bytes = csv.into_bytes();
    bytes.extend_from_slice(b"9999,\xff\xfe\xe9,1\n");
    let whole = kaohe::read_csv(&rules, &bytes);
    let streamed = kaohe::UnitStream::new(&rules, "x.csv", &bytes[..]).into_dataset();
    for ds in [&whole, &streamed] {
        assert_eq!(ds.encoding, "UTF-8");
        assert_eq!(ds.units.len(), 5000);
        assert_eq!(ds.errors.len(), 1, "{:?}", ds.errors);
        let e = &ds.errors[0];
        assert_eq!(e.row(), 5002);
        assert_eq!(
            e.message(kaohe::Lang::En),
            "the row cannot be read: column B holds bytes that are not valid UTF-8 (shown as �): the file mixes encodings or is damaged; save it again as UTF-8 or GBK"
        );
        assert_eq!(e.code(), "D0321");
        assert_eq!(
            e.message(kaohe::Lang::Zh),
            "此行无法读取：B 列含有不符合 UTF-8 编码的字节（显示为 �），文件混用了多种编码或已损坏"
        );
    }
    assert!(whole
        .units
        .iter()
        .all(|u| !u.values()[1].display().contains('\u{fffd}')));
}

/// Item 4: a million bad rows wrote 109 MB to stderr; now the first errors of each column and a
/// count. A 50 MB cell is quoted shortened; escape sequences are shown, not obeyed.
#[test]
fn errors_are_capped_per_column_and_cells_are_quoted_short_and_printable() {
    let dir = scratch("errors");
    let rules = write(&dir, "r.rhai", RULES);
    let mut csv = String::from("编码,名称,失控人数\n");
    for i in 0..100_000 {
        csv.push_str(&format!("{i},镇{i},六次\n"));
    }
    let data = write(&dir, "bad.csv", csv);
    let o = kaohe(&["assess", &rules, &data]);
    assert_eq!(o.status.code(), Some(4));
    let err = stderr(&o);
    assert!(err.len() < 20_000, "stderr is {} bytes", err.len());
    assert_eq!(err.matches("expected a whole number").count(), 20);
    assert!(
        err.contains("… and 99980 more errors not shown (at most 20 per column, 1000 in all)"),
        "{err}"
    );
    assert!(err.contains("100000 data errors in"), "{err}");

    let rules_set = kaohe::Rules::compile("r.rhai", RULES).unwrap();
    let huge = "九".repeat(5_000_000);
    let ds = kaohe::read_csv(
        &rules_set,
        format!("编码,名称,失控人数\n1,甲,{huge}\n").as_bytes(),
    );
    assert_eq!(ds.errors.len(), 1);
    let message = &ds.errors[0].message(kaohe::Lang::En);
    assert!(message.len() < 300, "{} bytes", message.len());
    assert!(message.contains("…（共 5000000 个字符）"), "{message}");

    let escape = write(
        &dir,
        "esc.csv",
        "编码,名称,失控人数\n1,\x1b]0;pwned\x07\x1b[31m甲,0\n",
    );
    let o = kaohe(&["assess", &rules, &escape]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(!out.contains('\x1b'), "{out:?}");
    assert!(out.contains("\\u{1b}]0;pwned\\u{7}\\u{1b}[31m甲"), "{out}");
}

// ---- rule scripts ----------------------------------------------------------------------

fn check(dir: &Path, script: &str) -> Output {
    let rules = write(dir, "s.rhai", script);
    kaohe(&["check", &rules])
}

const HEAD: &str = "ruleset(#{ id: \"h\", title: \"测试\"});\n";

/// Item 6: a search through a long array in a loop ran 100 s before 200k operations ended it.
#[test]
fn a_costly_loop_is_stopped_by_the_time_budget() {
    let dir = scratch("contains");
    for body in [
        "let a = []; for i in 0..9999 { a.push(i); }\nloop { a.contains(-1); }\n",
        "let s = \"a,\"; for i in 0..12 { s += s; }\nloop { s.split(\",\"); }\n",
    ] {
        let o = check(&dir, &format!("{HEAD}{body}"));
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("was stopped (an endless loop?)"), "{err}");
    }
}

/// Item 6: a runaway rule over 1,000 units took 12–70 s; it is stopped after 3 units, and
/// reported once, with the count of units it gave nothing for.
#[test]
fn a_runaway_rule_stops_after_three_units_and_is_reported_once_at_its_loop() {
    let dir = scratch("runaway");
    let rules = write(
        &dir,
        "r.rhai",
        "ruleset(#{ id: \"h\", title: \"测试\"});
field(\"code\", #{ label: \"编码\", type: \"text\" });
unit(#{ id: \"code\" });
indicator(\"a\", #{ label: \"甲\", max: 5, score: |u| {
    let n = 0;
    loop { n += 1; }
    5
} });
",
    );
    let mut csv = String::from("编码\n");
    for i in 0..1000 {
        csv.push_str(&format!("U{i}\n"));
    }
    let data = write(&dir, "d.csv", csv);
    let o = kaohe_limited(2048, 60, &["assess", &rules, &data]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.matches("rule `a` failed").count(), 1, "{err}");
    assert!(
        err.contains("r.rhai:6:5: rule `a` failed for unit `U0` and 999 other units: the script ran too long"),
        "{err}"
    );
    assert!(
        err.contains("it ran away for 3 units, so it was not run for the others"),
        "{err}"
    );
    assert!(!err.contains("anon$"), "{err}");
}

/// Item 7: map keys count toward no size limit in Rhai; a 10-line script reached 1.5 GB.
#[test]
fn a_script_that_grows_memory_is_stopped_by_the_memory_or_time_budget() {
    let dir = scratch("mapkeys");
    let o = kaohe_limited(
        1536,
        60,
        &["check", &write(
            &dir,
            "m.rhai",
            format!("{HEAD}let m = #{{}}; let i = 0;\nlet k = \"k\"; for j in 0..15 {{ k += k; }}\nloop {{ m[k + i] = i; i += 1; }}\n"),
        )],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("m.rhai:4:") && err.contains("was stopped"),
        "{err}"
    );
}

/// Item 8: parsing grows faster than the script; a script far larger than any rule set is
/// refused before it is parsed.
#[test]
fn a_huge_script_is_refused_before_parsing() {
    let dir = scratch("huge");
    let mut s = String::from(HEAD);
    for i in 0..40_000 {
        s.push_str(&format!("let a{i} = {i};\n"));
    }
    let o = check(&dir, &s);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the script is too large to check: 40001 lines (at most 10000)"),
        "{}",
        stderr(&o)
    );
}

/// Item 9: `timestamp()` made the same data score differently on each run.
#[test]
fn rules_have_no_clock() {
    let dir = scratch("clock");
    let o = check(&dir, &format!("{HEAD}let t = timestamp();\n"));
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("s.rhai:2:9: unknown function `timestamp ()`"),
        "{}",
        stderr(&o)
    );
}

/// Item 10: a byte-order mark (as Windows editors save) was a syntax error at 1:1.
#[test]
fn a_script_saved_with_a_byte_order_mark_compiles() {
    let dir = scratch("bom");
    let o = check(&dir, &format!("\u{feff}{HEAD}field(\"code\", #{{ label: \"编码\", type: \"text\" }});\nunit(#{{ id: \"code\" }});\nindicator(\"a\", #{{ label: \"甲\", max: 5, score: |u| 5 }});\n"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

// ---- results ---------------------------------------------------------------------------

/// Item 11: `> /dev/full` exited 0; `--out` equal to the input destroyed the data.
#[test]
fn failed_writes_are_errors_and_an_input_is_never_overwritten() {
    for format in ["table", "json", "csv"] {
        let o = Command::new("bash")
            .arg("-c")
            .arg(format!("\"$0\" assess --format {format} > /dev/full"))
            .arg(env!("CARGO_BIN_EXE_kaohe"))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{format}");
        assert!(
            stderr(&o).contains("No space left on device"),
            "{}",
            stderr(&o)
        );
    }
    let dir = scratch("overwrite");
    let rules = write(&dir, "r.rhai", RULES);
    let data = write(&dir, "d.csv", "编码,名称,失控人数\n1,甲,2\n");
    for extra in [&["--stream"][..], &[]] {
        let mut args = vec!["assess", &rules, &data, "--format", "csv", "--out", &data];
        args.extend_from_slice(extra);
        let o = kaohe(&args);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("is an input of this run"),
            "{}",
            stderr(&o)
        );
        assert_eq!(
            std::fs::read_to_string(&data).unwrap(),
            "编码,名称,失控人数\n1,甲,2\n"
        );
    }
    // Written whole, through a temporary file that does not stay behind.
    let out = dir.join("result.csv").display().to_string();
    let o = kaohe(&["assess", &rules, &data, "--format", "csv", "--out", &out]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Item 12: cells that Excel would run as formulas are written after a `'`.
#[test]
fn csv_output_neutralises_formulas() {
    let dir = scratch("inject");
    let rules = write(&dir, "r.rhai", RULES);
    let data = write(
        &dir,
        "d.csv",
        "编码,名称,失控人数\n1,=cmd|' /C calc'!A0,0\n2,@SUM(1+1),1\n3,+1,2\n4,-1,3\n",
    );
    for stream in [false, true] {
        let mut args = vec!["assess", &rules, &data, "--format", "csv"];
        if stream {
            args.push("--stream");
        }
        let o = kaohe(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let out = stdout(&o);
        for cell in [",'=cmd|' /C calc'!A0,", ",'@SUM(1+1),", ",'+1,", ",'-1,"] {
            assert!(out.contains(cell), "{cell} in {out}");
        }
        // Numbers are numbers still.
        assert!(out.contains(",98.50,"), "{out}");
    }
}

/// Item 13: the XLSX carried the time it was written.
#[test]
fn the_same_input_gives_the_same_xlsx_bytes() {
    let dir = scratch("xlsx");
    let a = dir.join("a.xlsx").display().to_string();
    let b = dir.join("b.xlsx").display().to_string();
    assert_eq!(
        kaohe(&["assess", "--format", "xlsx", "--out", &a])
            .status
            .code(),
        Some(0)
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(
        kaohe(&["assess", "--format", "xlsx", "--out", &b])
            .status
            .code(),
        Some(0)
    );
    assert!(std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap());
}

/// Item 1, the old format: an XLS whose sheet spans 65,536 rows × 256 columns between two cells
/// (calamine allocates the whole extent when it opens the workbook).
#[test]
fn an_xls_whose_cells_span_too_far_is_refused_before_it_is_opened() {
    use std::io::Write as _;
    let record = |kind: u16, data: &[u8]| {
        let mut r = kind.to_le_bytes().to_vec();
        r.extend_from_slice(&u16::try_from(data.len()).unwrap().to_le_bytes());
        r.extend_from_slice(data);
        r
    };
    let number = |row: u16, col: u16| {
        let mut d = row.to_le_bytes().to_vec();
        d.extend_from_slice(&col.to_le_bytes());
        d.extend_from_slice(&[0, 0]); // format
        d.extend_from_slice(&1.0f64.to_le_bytes());
        record(0x0203, &d)
    };
    let mut stream = record(0x0809, &[0; 16]);
    stream.extend(number(0, 0));
    stream.extend(number(65_535, 255));
    stream.extend(record(0x000A, &[]));
    let mut file = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    file.create_stream("/Workbook")
        .unwrap()
        .write_all(&stream)
        .unwrap();
    let bytes = file.into_inner().into_inner();

    let rules = kaohe::Rules::compile("r.rhai", RULES).unwrap();
    let ds = kaohe::read(&rules, "far.xls", &bytes);
    assert_eq!(ds.errors.len(), 1, "{:?}", ds.errors);
    assert_eq!(ds.errors[0].code(), "D0336");
    assert_eq!(
        ds.errors[0].message(kaohe::Lang::En),
        "a sheet of the workbook spans 65536 rows × 256 columns (at most 10000000 cells): a stray cell far from the data, or a damaged file"
    );
}

/// Item 8: each syntax error re-parsed the whole script (20k lines, 20 errors: 34 s); now only
/// what is left after each error is parsed again.
#[test]
fn many_syntax_errors_in_a_long_script_are_all_reported() {
    let dir = scratch("syntax");
    let mut s = String::from(HEAD);
    for i in 0..9_000 {
        if i % 450 == 449 {
            s.push_str(&format!("let a{i} = ;\n"));
        } else {
            s.push_str(&format!("let a{i} = {i};\n"));
        }
    }
    let o = kaohe_limited(1024, 120, &["check", &write(&dir, "s.rhai", s)]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.matches("syntax error").count(), 20, "{err}");
    assert!(err.contains("s.rhai:451:"), "{err}");
    assert!(err.contains("s.rhai:9001:"), "{err}");
}

/// Item 1, OpenDocument: 3,000 rows with a cell in the first and the last column made the
/// reader fill in 49 million cells (killed at 1.9 GB under a 2 GB limit); a small sheet still
/// reads.
#[test]
fn an_ods_whose_cells_span_too_far_is_refused_and_a_small_one_reads() {
    let dir = scratch("ods");
    let rules = write(&dir, "r.rhai", RULES);
    let o = kaohe_limited(1024, 30, &["assess", &rules, &corpus("far-rows.ods")]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "a sheet of the workbook spans 611 rows × 16384 columns (at most 10000000 cells)"
        ),
        "{}",
        stderr(&o)
    );
    let o = kaohe_limited(
        1024,
        30,
        &["assess", &rules, &corpus("good.ods"), "--format", "csv"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("2,101,甲镇,全部,99.00"),
        "{}",
        stdout(&o)
    );
}

/// Found in review: the checks must hold for every way in. A zip with a byte before it still
/// opens as a zip (so it is checked as one); an ODS row written `<table:table-row …/>` counts
/// its repeats; ids that share their first 40 characters are different ids; a U+FFFD that was
/// really in a valid UTF-8 file is text, not a decoding error.
#[test]
fn the_checks_hold_for_every_way_in() {
    let rules = kaohe::Rules::compile("r.rhai", RULES).unwrap();
    let mut bomb = vec![b'x'];
    bomb.extend(std::fs::read(corpus("zip-bomb.xlsx")).unwrap());
    let ds = kaohe::read(&rules, "bomb.xlsx", &bomb);
    assert_eq!(ds.errors.len(), 1, "{:?}", ds.errors);
    assert_eq!(ds.errors[0].code(), "D0333");
    assert_eq!(
        ds.errors[0].message(kaohe::Lang::Zh),
        "电子表格解压后超过 512 MB（文件已损坏，或是“压缩炸弹”）"
    );
    assert!(
        ds.errors[0]
            .message(kaohe::Lang::En)
            .contains("unpacks to more than 512 MB"),
        "{:?}",
        ds.errors
    );

    let ds = kaohe::read(
        &rules,
        "empty-rows.ods",
        &std::fs::read(corpus("empty-rows.ods")).unwrap(),
    );
    assert_eq!(ds.errors.len(), 1, "{:?}", ds.errors);
    assert!(
        ds.errors[0]
            .message(kaohe::Lang::En)
            .starts_with("a sheet of the workbook spans 6002 rows × 16384 columns"),
        "{:?}",
        ds.errors
    );

    let long = "县".repeat(40);
    let csv = format!("编码,名称,失控人数\n{long}甲,甲,0\n{long}乙,乙,0\n1,替换字符�,0\n");
    let ds = kaohe::read_csv(&rules, csv.as_bytes());
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    assert_eq!(ds.units.len(), 3);
    let streamed = kaohe::UnitStream::new(&rules, "x.csv", csv.as_bytes()).into_dataset();
    assert!(streamed.errors.is_empty(), "{:?}", streamed.errors);
}

/// Respondents' files (问卷) handed to a rule set with a survey, broken every careless or
/// hostile way: each gives coded errors and an exit, within the memory and time limits — no
/// panic, no hang, no kill.
#[test]
fn broken_respondents_files_are_errors_not_crashes() {
    let dir = scratch("survey");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = root
        .join("rules/satisfaction-survey.rhai")
        .display()
        .to_string();
    let xlsx = std::fs::read(root.join("rules/samples/satisfaction-survey-wjx.xlsx")).unwrap();
    let csv = std::fs::read(root.join("rules/samples/satisfaction-survey.csv")).unwrap();
    let header_end = csv.iter().position(|b| *b == b'\n').unwrap() + 1;
    let mut bad_bytes = csv.clone();
    bad_bytes.splice(header_end + 40..header_end + 40, [0xff, 0xfe, 0x00, 0x81]);
    let mut open_quote = csv[..csv.len() / 2].to_vec();
    open_quote.extend_from_slice(b"\"never closed,");
    let files = [
        write(&dir, "half.xlsx", &xlsx[..xlsx.len() / 2]),
        write(&dir, "garbage.xlsx", vec![0x50u8; 70_000]),
        write(&dir, "bad-bytes.csv", bad_bytes),
        write(&dir, "open-quote.csv", open_quote),
        write(&dir, "one-long-line.csv", vec![b'x'; 8 << 20]),
        write(&dir, "header-only.csv", &csv[..header_end]),
        corpus("zip-bomb.xlsx"),
        corpus("far-cell.xlsx"),
    ];
    // Bad bytes in a column the survey does not read (提交答卷时间) leave the answers whole:
    // exit 0. Everything else is a data error (a header alone: S0211).
    for (k, f) in files.iter().enumerate() {
        let o = kaohe_limited(1024, 60, &["--lang", "zh", "assess", &rules, f]);
        let want = if k == 2 { 0 } else { 4 };
        assert_eq!(o.status.code(), Some(want), "{f}\n{}", stderr(&o));
        if want == 4 {
            assert!(stderr(&o).contains("错误["), "{f}: {}", stderr(&o));
        }
    }
}

/// A previous period whose total is the most negative decimal there is: the change of total
/// (分差) saturates instead of overflowing, in memory and streamed, and the run ends well.
#[test]
fn a_previous_total_at_the_edge_of_the_decimals_does_not_overflow_the_change() {
    let dir = scratch("previous-edge");
    let first = kaohe(&[
        "assess",
        "rules/county-antidrug.rhai",
        "rules/samples/county-antidrug.csv",
        "--format",
        "json",
    ]);
    assert!(first.status.success(), "{}", stderr(&first));
    let last = stdout(&first).replacen(
        "\"total_display\": \"101.00\",",
        "\"total_display\": \"-79228162514264337593543950335\",",
        1,
    );
    assert_ne!(last, stdout(&first));
    let prev = write(&dir, "prev.json", last);
    for stream in [false, true] {
        let mut args = vec![
            "assess",
            "rules/county-antidrug.rhai",
            "rules/samples/county-antidrug.csv",
            "--format",
            "csv",
            "--previous",
            &prev,
        ];
        if stream {
            args.push("--stream");
        }
        let out = kaohe(&args);
        assert!(out.status.success(), "stream {stream}: {}", stderr(&out));
        assert!(
            stdout(&out).contains("79228162514264337593543950335"),
            "{}",
            stdout(&out)
        );
    }
}
