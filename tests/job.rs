//! The job runner (考核任务, `kaohe::Job`): for every bundled rule set, on its sample and against
//! a previous period, a file streamed in two passes writes what the same data read whole writes
//! (JSON Lines byte for byte, CSV row for row: streamed in input order), and the data read whole
//! writes the report's own writers' bytes; a rule set that
//! cannot stream says why and still writes them. Data errors stop a job before anything is
//! written, with every error counted; with `keep_going` the rows left out stay on record in
//! the JSON, the table and the job. The provenance names the data's hash.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
use kaohe::{bundled, Error, Job, Output, Previous, Rules, Scored, Source, Streaming};
use std::path::PathBuf;

fn written(mut scored: Scored<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    scored.write(&mut out).unwrap();
    out
}

/// A file of its own in the system's temporary folder, holding `bytes`.
fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaohe-job-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_streamed_file_writes_what_the_same_data_read_whole_writes_for_every_bundled_rule_set() {
    let mut streamed_sets = 0;
    for b in bundled::ALL {
        let Some(sample) = b.data else { continue };
        let rules = Rules::compile(b.rules_path, b.rules).unwrap();
        let ds = kaohe::read(&rules, b.data_path, sample);
        if !ds.errors.is_empty() {
            continue; // a respondents' file: read by the survey reader, never streamed
        }
        let mut last = ds.units.clone();
        last.reverse();
        last.pop();
        let previous = rules
            .assess(&last, None)
            .ok()
            .map(|then| Previous::from_json(&then.to_json()).unwrap());
        let path = temp_file(&format!("{}.csv", b.id), sample);
        for prev in [None, previous.as_ref()] {
            let report = rules.assess(&ds.units, prev).unwrap();
            let mut report_lines = Vec::new();
            report.write_json_lines(&mut report_lines).unwrap();
            let wanted = [
                (Output::Csv, report.to_csv().into_bytes()),
                (Output::JsonLines, report_lines),
            ];
            for (output, want) in wanted {
                let whole = Job::new(
                    &rules,
                    Source::Bytes {
                        name: b.data_path,
                        bytes: sample,
                    },
                )
                .output(output)
                .previous(prev)
                .run()
                .unwrap();
                assert!(!whole.streamed());
                let from_file = Job::new(&rules, Source::File(&path))
                    .output(output)
                    .previous(prev)
                    .streaming(Streaming::Always)
                    .run()
                    .unwrap();
                // Not asked to stream: a rule set that cannot says nothing of it.
                let auto = Job::new(&rules, Source::File(&path))
                    .output(output)
                    .previous(prev)
                    .run()
                    .unwrap();
                assert!(auto.not_streamed().is_none(), "{}", b.id);
                assert_eq!(
                    auto.streamed(),
                    output == Output::JsonLines && rules.streamable().is_ok(),
                    "{}: small CSV files are read whole, JSON Lines output streams",
                    b.id
                );
                match rules.streamable() {
                    Ok(()) => {
                        assert!(from_file.streamed(), "{}: not streamed", b.id);
                        streamed_sets += 1;
                    }
                    Err(why) => {
                        assert!(!from_file.streamed(), "{}", b.id);
                        let said = from_file.not_streamed().expect("the reason");
                        assert_eq!(said.zh, why.zh, "{}", b.id);
                    }
                }
                let (whole, from_file) = (written(whole), written(from_file));
                let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
                assert_eq!(text(&whole), text(&want), "{} {output:?}: read whole", b.id);
                // A streamed CSV is in input order, the report's in rank order: the same header
                // and the same rows.
                let rows = |b: &[u8]| {
                    let text = text(b);
                    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
                    if output == Output::Csv {
                        lines[1..].sort();
                    }
                    lines
                };
                assert_eq!(rows(&from_file), rows(&want), "{} {output:?}: file", b.id);
            }
        }
    }
    assert!(streamed_sets >= 8, "only {streamed_sets} runs streamed");
}

const RULES: &str = r#"
    ruleset(#{ id: "t", title: "示例", max: 10 });
    field("code", #{ label: "编码", type: "text" });
    field("name", #{ label: "名称", type: "text" });
    field("n", #{ label: "次数", type: "int" });
    unit(#{ id: "code", name: "name" });
    indicator("n", #{ label: "次数", max: 10, deduct: #{ count: "n", each: 1 } });
"#;

#[test]
fn data_errors_stop_a_job_before_anything_is_written_and_keep_going_keeps_them_on_record() {
    let rules = Rules::compile("t.rhai", RULES).unwrap();
    // 30 bad cells in one column: 20 are listed, 10 counted.
    let mut data = String::from("编码,名称,次数\nA,甲,1\n");
    for i in 0..30 {
        data.push_str(&format!("X{i},乙{i},六次\n"));
    }
    let bytes = data.as_bytes();
    let source = || Source::Bytes {
        name: "data.csv",
        bytes,
    };
    match Job::new(&rules, source()).output(Output::Json).run() {
        Err(Error::Data(d)) => {
            assert_eq!(d.errors.len(), 20);
            assert_eq!(d.omitted, 10);
            assert_eq!(d.errors[0].row(), 3);
            assert_eq!(d.errors[0].code(), "D0201");
        }
        other => panic!("expected data errors, got {other:?}"),
    }
    // Kept going: the good row is scored, the rows left out are in the result.
    let scored = Job::new(&rules, source())
        .output(Output::Json)
        .keep_going(true)
        .run()
        .unwrap();
    assert_eq!(
        (scored.data_errors().len(), scored.errors_omitted()),
        (20, 10)
    );
    let json: serde_json::Value = serde_json::from_slice(&written(scored)).unwrap();
    assert_eq!(json["units"].as_array().unwrap().len(), 1);
    assert_eq!(json["data_errors"].as_array().unwrap().len(), 20);
    assert_eq!(json["data_errors"][0]["row"], 3);
    // The table lists them by row and unit.
    let table = written(
        Job::new(&rules, source())
            .output(Output::Table)
            .keep_going(true)
            .run()
            .unwrap(),
    );
    let table = String::from_utf8(table).unwrap();
    assert!(table.contains("因数据错误未参加计分的单位"), "{table}");
    assert!(table.contains("第 3 行  乙0（X0）"), "{table}");
    // Every row bad: nothing to go on with.
    let none = "编码,名称,次数\nA,甲,六次\n";
    let stopped = Job::new(
        &rules,
        Source::Bytes {
            name: "d.csv",
            bytes: none.as_bytes(),
        },
    )
    .output(Output::Table)
    .keep_going(true)
    .run();
    assert!(matches!(stopped, Err(Error::Data(_))));
    // A streamed file stops the same way, in its first pass.
    let path = temp_file("bad.csv", bytes);
    let streamed = Job::new(&rules, Source::File(&path))
        .output(Output::JsonLines)
        .run();
    match streamed {
        Err(Error::Data(d)) => assert_eq!((d.errors.len(), d.omitted), (20, 10)),
        other => panic!("expected data errors, got {other:?}"),
    }
    let kept = Job::new(&rules, Source::File(&path))
        .output(Output::JsonLines)
        .keep_going(true)
        .run()
        .unwrap();
    assert!(kept.streamed());
    let lines = String::from_utf8(written(kept)).unwrap();
    assert_eq!(lines.lines().count(), 1, "{lines}");
    // A file that is not there.
    let absent = path.with_file_name("none.csv");
    let missing = Job::new(&rules, Source::File(&absent)).run();
    assert!(matches!(missing, Err(Error::Io(_))), "{missing:?}");
}

#[test]
fn the_provenance_names_the_data_and_the_table_ends_with_it() {
    let rules = Rules::compile("t.rhai", RULES).unwrap();
    let bytes = "编码,名称,次数\nA,甲,1\nB,乙,3\n".as_bytes();
    let source = || Source::Bytes {
        name: "data.csv",
        bytes,
    };
    let json = written(
        Job::new(&rules, source())
            .output(Output::Json)
            .provenance(&[])
            .run()
            .unwrap(),
    );
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let hash = kaohe::provenance::sha256_hex(bytes);
    assert_eq!(json["provenance"]["data_sha256"][0], hash.as_str());
    assert_eq!(json["provenance"]["rules_sha256"], rules.digest());
    let table = String::from_utf8(written(
        Job::new(&rules, source())
            .output(Output::Table)
            .provenance(&[])
            .run()
            .unwrap(),
    ))
    .unwrap();
    assert!(
        table.trim_end().ends_with(&format!("数据 {}", &hash[..12])),
        "{table}"
    );
    // Without it, none.
    let plain = written(
        Job::new(&rules, source())
            .output(Output::Json)
            .run()
            .unwrap(),
    );
    let plain: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    assert!(plain
        .get("provenance")
        .is_none_or(serde_json::Value::is_null));
    // A CSV for a file starts with the byte-order mark Excel needs; the same CSV otherwise not.
    let marked = written(
        Job::new(&rules, source())
            .output(Output::Csv)
            .byte_order_mark(true)
            .run()
            .unwrap(),
    );
    let bare = written(
        Job::new(&rules, source())
            .output(Output::Csv)
            .run()
            .unwrap(),
    );
    assert_eq!(marked, [b"\xEF\xBB\xBF".as_slice(), &bare].concat());
}
