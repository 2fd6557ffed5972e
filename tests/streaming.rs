//! Streaming data in: `UnitStream` over any reader gives exactly what `kaohe::read` gives for the
//! whole file — every bundled sample, UTF-16, GBK, `;`-separated text, JSON Lines — and reads
//! multi-megabyte input correctly with chunk boundaries inside multi-byte characters, in
//! bounded memory, with bad rows reported at their real row numbers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly
mod common;
use common::*;
use kaohe::{Dataset, Format, Rules, UnitStream, Value};
use std::io::Read;
use std::path::Path;

const BODY: &str = r#"indicator("x", #{ label: "x", max: 5, deduct: #{ count: "c", each: 1 } });"#;
const HEADER: &str = "编码,名称,类别,甲,乙,丙,丁,比率,标志";

/// The reader's window (`CHUNK` in src/data.rs): the encoding and the delimiter are decided
/// from the first window that holds a non-ASCII byte, so the tests cross its boundaries.
const CHUNK: usize = 64 * 1024;

/// A reader that hands out its bytes a few at a time, in uneven sizes, as a pipe may.
struct Trickle<'a> {
    bytes: &'a [u8],
    turn: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        const STEPS: [usize; 6] = [1, 2, 3, 5, 7, 4093];
        self.turn += 1;
        let n = STEPS[self.turn % STEPS.len()]
            .min(buf.len())
            .min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

fn assert_same(streamed: &Dataset, whole: &Dataset, what: &str) {
    assert_eq!(streamed.errors, whole.errors, "{what}: errors");
    assert_eq!(streamed.units, whole.units, "{what}: units");
    assert_eq!(streamed.encoding, whole.encoding, "{what}: encoding");
    assert_eq!(
        streamed.ignored_columns, whole.ignored_columns,
        "{what}: ignored columns"
    );
}

/// Reads `bytes` whole with `kaohe::read`, and streamed two ways (in one go, and a few bytes at
/// a time); checks the three agree and gives the whole-file result.
fn read_all_ways(rules: &Rules, name: &str, bytes: &[u8]) -> Dataset {
    let whole = kaohe::read(rules, name, bytes);
    let slice = UnitStream::new(rules, name, bytes).into_dataset();
    assert_same(&slice, &whole, &format!("{name} streamed"));
    let trickle = UnitStream::new(rules, name, Trickle { bytes, turn: 0 }).into_dataset();
    assert_same(&trickle, &whole, &format!("{name} trickled"));
    whole
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for u in text.encode_utf16() {
        out.extend(if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

fn gb18030(text: &str) -> Vec<u8> {
    let (bytes, _, had_errors) = encoding_rs::GB18030.encode(text);
    assert!(!had_errors);
    bytes.into_owned()
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, had_errors) = encoding_rs::GBK.encode(text);
    assert!(!had_errors);
    bytes.into_owned()
}

#[test]
fn every_bundled_sample_streams_exactly_as_it_reads_whole() {
    let mut seen = 0;
    for entry in std::fs::read_dir("rules/samples").unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if !file.ends_with(".csv") {
            continue; // the .json files are results of a previous period, not unit data
        }
        let stem = file.split('.').next().unwrap();
        let rules_path = format!("rules/{stem}.rhai");
        let rules = Rules::compile(&rules_path, &std::fs::read_to_string(&rules_path).unwrap())
            .unwrap_or_else(|e| panic!("{rules_path}: {e}"));
        let bytes = std::fs::read(&path).unwrap();
        if kaohe::survey::is_respondents(&rules, &file, &bytes) {
            continue; // one row per respondent: tallied into units (tests/survey.rs), not a unit stream
        }
        let whole = read_all_ways(&rules, &file, &bytes);
        assert!(whole.errors.is_empty(), "{file}: {:?}", whole.errors);
        assert!(!whole.units.is_empty(), "{file}");
        if file.contains("gbk") {
            assert_eq!(whole.encoding, "GB18030", "{file}");
        }
        // From the file itself, with its length as the total.
        let file = std::fs::File::open(&path).unwrap();
        let name = path.display().to_string();
        let mut stream = UnitStream::new(&rules, &name, file).with_total(bytes.len() as u64);
        assert_eq!(stream.total_bytes(), Some(bytes.len() as u64));
        assert_eq!(stream.format(), Format::Csv);
        let units: Vec<_> = stream.by_ref().map(Result::unwrap).collect();
        assert_eq!(units, whole.units, "{name} from the file");
        assert_eq!(stream.bytes_read(), bytes.len() as u64);
        assert!(stream.rows_read() > units.len(), "the header is a row too");
        assert!(stream.io_error().is_none());
        seen += 1;
    }
    assert!(seen >= 10, "only {seen} samples found");
}

#[test]
fn utf16_gbk_and_semicolons_stream_as_they_read_whole() {
    let r = rules(BODY);
    let text = format!(
        "{HEADER},备注\r\n101,城关镇,乡镇,1.5,2,3,0,96.5%,是,甲\r\n102,青山乡,乡镇,x,2,3,0,96%,否,\r\n101,重复,乡镇,1,2,3,0,,否,\r\n"
    );
    let plain = read_all_ways(&r, "a.csv", text.as_bytes());
    assert_eq!(plain.units.len(), 1);
    assert_eq!(plain.errors.len(), 2, "{:?}", plain.errors);
    assert_eq!(plain.ignored_columns, vec!["备注"]);
    let bom = read_all_ways(&r, "a.csv", format!("\u{feff}{text}").as_bytes());
    for (bytes, encoding) in [
        (utf16(&text, false), "UTF-16LE"),
        (utf16(&text.replace(',', "\t"), true), "UTF-16BE"),
        (gbk(&text), "GB18030"),
        (gbk(&text.replace(',', ";")), "GB18030"),
        (text.replace(',', ";").into_bytes(), "UTF-8"),
    ] {
        let ds = read_all_ways(&r, "a.csv", &bytes);
        assert_eq!(ds.encoding, encoding);
        assert_eq!(ds.units, plain.units, "{encoding}");
        assert_eq!(ds.errors, plain.errors, "{encoding}");
    }
    assert_eq!(bom.units, plain.units);
    // Empty and header-only files, and a title above the header, stream the same too.
    for text in [
        "",
        "\u{feff}\n  \n",
        "编码,名称\n,\n",
        "2025年度数据\n\n编码,名称\n1,甲\n",
    ] {
        read_all_ways(&r, "a.csv", text.as_bytes());
    }
}

#[test]
fn json_lines_read_like_a_json_array_with_line_numbers_as_rows() {
    let r = rules(BODY);
    let lines = concat!(
        "{\"code\": \"1\", \"name\": \"甲\", \"丙\": 2, \"比率\": \"96.5%\", \"extra\": 1}\n",
        "\n",
        "{\"编码\": 2, \"名称\": \"乙\", \"c\": \"x\"}\r\n",
        "{\"code\": \"3\"}\n",
        "[1, 2]\n",
        "{\"code\": \"4\", \"name\": \n",
        "{\"code\": \"1\", \"name\": \"又一个\"}\n",
        "{\"code\": \"5\", \"name\": \"戊\", \"a\": 89.95}",
    );
    let ds = read_all_ways(&r, "units.jsonl", lines.as_bytes());
    let messages: Vec<String> = ds.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        vec![
            "row 3, column `c`, unit `2` (乙): expected a whole number, found `x`\n  help: write a whole number in digits, such as 6, without units or words",
            "row 4, column `名称`, unit `3`: missing required key `名称` (field `name`)\n  help: add a key headed `名称` or `name`",
            "row 5: expected an object with the unit's fields\n  help: write each unit as an object, such as `{\"单位编码\": \"101\", …}`",
            "row 6: not valid JSON at column 22: EOF while parsing a value\n  help: write one object per line, such as `{\"单位编码\": \"101\", …}`",
            "row 7, unit `1` (又一个): unit id `1` appears twice (first in row 1)\n  help: each unit must appear once: remove or merge one of the rows",
        ]
    );
    assert_eq!(ds.ignored_columns, vec!["extra"]);
    let rows: Vec<usize> = ds.units.iter().map(|u| u.row()).collect();
    assert_eq!(rows, vec![1, 8]);
    assert_eq!(
        ds.units[1].values()[3],
        Value::Number("89.95".parse().unwrap())
    );
    // The same objects as a JSON array give the same values.
    let array = r#"[{"code": "1", "name": "甲", "丙": 2, "比率": "96.5%", "extra": 1},
                    {"code": "5", "name": "戊", "a": 89.95}]"#;
    let json = kaohe::read(&r, "units.json", array.as_bytes());
    let values = |d: &Dataset| {
        d.units
            .iter()
            .map(|u| u.values().to_vec())
            .collect::<Vec<_>>()
    };
    assert_eq!(values(&json), values(&ds));
    // `.ndjson` too, in GBK; an empty file is a clear error.
    let ds2 = read_all_ways(&r, "units.ndjson", &gbk(lines));
    assert_eq!(ds2.encoding, "GB18030");
    assert_eq!(ds2.units, ds.units);
    let empty = read_all_ways(&r, "units.jsonl", b"\n \n");
    assert_eq!(empty.errors[0].to_string(), "the data file is empty");
    assert_eq!(Format::detect("A.JSONL", b""), Format::JsonLines);
}

#[test]
fn json_arrays_and_spreadsheets_stream_too_read_whole() {
    let r = rules(BODY);
    let json = br#"[{"code": "1", "name": "a", "c": "x"}, {"code": "2", "name": "b"}]"#;
    let ds = read_all_ways(&r, "d.json", json);
    assert_eq!((ds.units.len(), ds.errors.len()), (1, 1));
    let stream = UnitStream::new(&r, "d.json", &json[..]);
    assert_eq!(stream.format(), Format::Json);
    assert!(!stream.format().streams());
    let order: Vec<usize> = stream
        .map(|i| i.map_or_else(|e| e.row(), |u| u.row()))
        .collect();
    assert_eq!(order, vec![1, 2], "units and errors in file order");
}

/// Generated CSV: `rows` units named with Chinese text, every third with a character from
/// beyond the Basic Multilingual Plane (4 bytes in UTF-8, UTF-16 and GB18030); row `i` (1-based
/// after the header) has `pad` extra ASCII characters in an ignored column when `i == 1`, and a
/// bad number when `i % 9973 == 0`.
fn generated(rows: usize, pad: usize) -> String {
    let mut text = format!("{HEADER},备注\n");
    for i in 1..=rows {
        let a = if i % 9973 == 0 {
            "九".to_string()
        } else {
            format!("{}.5", i % 100)
        };
        let note = if i == 1 {
            "x".repeat(pad)
        } else {
            String::new()
        };
        let rare = if i % 3 == 0 { "𠀀" } else { "" };
        text.push_str(&format!(
            "U{i:06},城关镇第{i}社区（东片）{rare},乡镇,{a},２,{},0,9{}.5%,是,{note}\n",
            i % 7,
            i % 10
        ));
    }
    text
}

/// Which multiples of [`CHUNK`] fall inside a character of `text` rather than between two,
/// given each character's length in bytes and the length of a byte-order mark before it.
fn chunk_boundaries_in_characters(text: &str, len: fn(char) -> usize, bom: usize) -> Vec<usize> {
    let mut inside = Vec::new();
    let mut offset = bom;
    for c in text.chars() {
        let end = offset + len(c);
        let boundary = (offset / CHUNK + 1) * CHUNK;
        if boundary < end {
            inside.push(boundary);
        }
        offset = end;
    }
    inside
}

#[test]
fn megabytes_read_correctly_with_chunk_boundaries_inside_characters() {
    let r = rules(BODY);
    let rows = 45_000;
    /// An encoding's name, its encoder, a character's length in it, its byte-order mark's length.
    type Encoding = (&'static str, fn(&str) -> Vec<u8>, fn(char) -> usize, usize);
    let encodings: [Encoding; 3] = [
        ("UTF-8", |t| t.as_bytes().to_vec(), char::len_utf8, 0),
        (
            "GB18030",
            gb18030,
            |c| match c.len_utf16() {
                _ if c.is_ascii() => 1,
                1 => 2, // every such character here is in GBK
                _ => 4,
            },
            0,
        ),
        ("UTF-16LE", |t| utf16(t, false), |c| 2 * c.len_utf16(), 2),
    ];
    for (name, encode, len, bom) in encodings {
        // Pad the first row until the first chunk boundary cuts a character (the first 2,000
        // rows are past it); later boundaries cut some by chance.
        let pad = (0..400)
            .find(|&pad| {
                chunk_boundaries_in_characters(&generated(2_000, pad), len, bom).first()
                    == Some(&CHUNK)
            })
            .unwrap_or_else(|| panic!("{name}: no padding splits a character"));
        let text = generated(rows, pad);
        let inside = chunk_boundaries_in_characters(&text, len, bom);
        assert_eq!(inside.first(), Some(&CHUNK), "{name}");
        let bytes = encode(&text);
        assert!(bytes.len() > 2_000_000, "{name}: {} bytes", bytes.len());
        // The source's own read sizes do not move the chunk boundaries: no trickle needed.
        let ds = kaohe::read(&r, "big.csv", &bytes);
        let streamed = UnitStream::new(&r, "big.csv", &bytes[..]).into_dataset();
        assert_same(&streamed, &ds, name);
        assert_eq!(ds.encoding, name);
        // Every bad row, at its own row number (the header is row 1).
        let bad: Vec<usize> = ds.errors.iter().map(|e| e.row()).collect();
        let expected: Vec<usize> = (1..=rows)
            .filter(|i| i % 9973 == 0)
            .map(|i| i + 1)
            .collect();
        assert_eq!(bad, expected, "{name}");
        assert_eq!(
            ds.errors[0].to_string(),
            "row 9974, column D `甲`, unit `U009973` (城关镇第9973社区（东片）): expected a number, found `九`\n  help: change `九` to the number 9"
        );
        assert_eq!(ds.units.len(), rows - expected.len());
        // Every name came through whole: no replacement character at a chunk boundary.
        for u in &ds.units {
            let i = u.row() - 1;
            assert_eq!(u.values()[0], Value::Text(format!("U{i:06}")));
            let rare = if i % 3 == 0 { "𠀀" } else { "" };
            assert_eq!(
                u.values()[1],
                Value::Text(format!("城关镇第{i}社区（东片）{rare}"))
            );
            assert_eq!(u.values()[4], Value::Number(2.into()), "full-width digits");
            assert_eq!(u.values()[5], Value::Int(i64::try_from(i % 7).unwrap()));
        }
    }
}

#[test]
fn ascii_first_then_gbk_later_is_still_read_as_gbk() {
    // Headers by field name and ASCII rows well past the first chunk; Chinese only much later.
    let r = rules(BODY);
    let mut text = String::from("code,name,c\n");
    let mut i = 0;
    while text.len() < 3 * CHUNK {
        i += 1;
        text.push_str(&format!("A{i},unit {i},1\n"));
    }
    text.push_str("Z1,青山乡,2\nZ2,城关镇,x\n");
    let bytes = gbk(&text);
    let ds = read_all_ways(&r, "late.csv", &bytes);
    assert_eq!(ds.encoding, "GB18030");
    assert_eq!(
        ds.units.last().unwrap().values()[1],
        Value::Text("青山乡".into())
    );
    assert_eq!(ds.errors.len(), 1);
    assert_eq!(ds.errors[0].row(), i + 3);
}

#[test]
fn memory_is_bounded_the_stream_reads_only_a_few_chunks_ahead() {
    let r = rules(BODY);
    let text = generated(60_000, 0);
    let mut stream = UnitStream::new(&r, "big.csv", text.as_bytes()).with_total(text.len() as u64);
    let mut most_ahead = 0u64;
    let mut units = 0;
    while let Some(item) = stream.next() {
        units += usize::from(item.is_ok());
        // How far reading runs ahead of the rows handed out, in bytes: a row is < 100 bytes.
        let consumed = (stream.rows_read() * 100) as u64;
        most_ahead = most_ahead.max(stream.bytes_read().saturating_sub(consumed));
    }
    assert!(units > 59_000);
    assert!(
        most_ahead <= 3 * CHUNK as u64,
        "read {most_ahead} bytes ahead of the rows handed out"
    );
    assert_eq!(stream.bytes_read(), stream.total_bytes().unwrap());
}

/// A reader that fails after handing out `good` bytes.
struct Broken<'a> {
    bytes: &'a [u8],
    good: usize,
}

impl Read for Broken<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.good == 0 {
            return Err(std::io::Error::other("the disk went away"));
        }
        let n = buf.len().min(self.good).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        self.good -= n;
        Ok(n)
    }
}

#[test]
fn a_source_that_fails_mid_way_gives_one_error_and_ends() {
    let r = rules(BODY);
    let text = generated(20_000, 0);
    let mut stream = UnitStream::new(
        &r,
        "big.csv",
        Broken {
            bytes: text.as_bytes(),
            good: 2 * CHUNK + 10,
        },
    );
    let items: Vec<_> = stream.by_ref().collect();
    let errors: Vec<_> = items.iter().filter_map(|i| i.as_ref().err()).collect();
    let last = errors.last().unwrap();
    assert!(
        last.message(kaohe::Lang::En)
            .starts_with("the row cannot be read: the disk went away"),
        "{last}"
    );
    assert!(
        last.row() > 1000,
        "at the row where reading stopped: {}",
        last.row()
    );
    assert!(matches!(items.last(), Some(Err(_))), "nothing after it");
    assert!(stream.io_error().is_some());
    // Failing at once: the header cannot be read.
    let ds = UnitStream::new(
        &r,
        "x.csv",
        Broken {
            bytes: b"",
            good: 0,
        },
    )
    .into_dataset();
    assert_eq!(
        ds.errors[0].to_string(),
        "the header row cannot be read: the disk went away"
    );
    assert!(Path::new("rules/samples").is_dir());
}

/// The reader's fast path (plain ASCII numbers, 是/否, text without spaces) and its general
/// path (spaces, full-width digits, thousands separators, exponents, words) give the same
/// values whole and streamed, and bad cells the same errors.
#[test]
fn numbers_written_plainly_or_otherwise_read_alike_whole_and_streamed() {
    let r = rules(BODY);
    let rows = [
        "1,甲,,97.350,,+5,,96.5%,是",
        "2,乙,,\" 5 \",,５,,１００％,Y",
        "3,丙,,1e3,,\"1,234\",,99.9,否",
        "4,丁,,-0,,-0,,.5,1",
        "5,戊,,5.,,5.0,,5.,√",
        "6,己,,12345678901234567890,,9223372036854775807,,0.5%,×",
        "7,庚,,1,,9223372036854775808,,,",
        "8,辛,,1.5.5,,六次,,５％,是的",
    ];
    let csv = format!("{HEADER}\n{}\n", rows.join("\n"));
    let ds = read_all_ways(&r, "x.csv", csv.as_bytes());
    let values: Vec<(String, Value, Value, Value)> = ds
        .units
        .iter()
        .map(|u| {
            let a = match &u.values()[3] {
                Value::Number(d) => d.to_string(),
                other => format!("{other:?}"),
            };
            (
                a,
                u.values()[5].clone(),
                u.values()[7].clone(),
                u.values()[8].clone(),
            )
        })
        .collect();
    let n = |s: &str| Value::Number(s.parse().unwrap());
    assert_eq!(
        values,
        vec![
            ("97.350".into(), Value::Int(5), n("96.5"), Value::Bool(true)),
            ("5".into(), Value::Int(5), n("100"), Value::Bool(true)),
            (
                "1000".into(),
                Value::Int(1234),
                n("99.9"),
                Value::Bool(false)
            ),
            ("0".into(), Value::Int(0), n("0.5"), Value::Bool(true)),
            ("5".into(), Value::Int(5), n("5"), Value::Bool(true)),
            (
                "12345678901234567890".into(),
                Value::Int(i64::MAX),
                n("0.5"),
                Value::Bool(false)
            ),
        ]
    );
    let errors: Vec<(usize, usize, &str)> = ds
        .errors
        .iter()
        .map(|e| (e.row(), e.column(), e.message(kaohe::Lang::En)))
        .collect();
    assert_eq!(
        errors,
        vec![
            (8, 6, "expected a whole number, found `9223372036854775808`"),
            (9, 4, "expected a number, found `1.5.5`"),
            (9, 6, "expected a whole number, found `六次`"),
            (
                9,
                9,
                "expected yes or no (`是`/`否`, `true`/`false`, `1`/`0`), found `是的`"
            ),
        ]
    );
    assert_eq!(
        ds.errors[2].hint(kaohe::Lang::En),
        Some("change `六次` to the number 6")
    );
}

/// `n` good rows in UTF-8, more than the window the encoding is decided from.
fn good_rows(n: usize) -> Vec<u8> {
    let mut text = format!("{HEADER}\n");
    for i in 0..n {
        text.push_str(&format!("{i},乡镇{i},,1,,1,,90,是\n"));
    }
    assert!(text.len() > 2 * CHUNK);
    text.into_bytes()
}

/// A character whose bytes a delimiter splits (`E4 B8` `,` `AD`) is not valid UTF-8 in
/// either cell, though the two cells' bytes side by side would be.
#[test]
fn a_character_split_across_two_cells_is_bad_bytes_in_the_first() {
    let r = rules(BODY);
    let mut bytes = good_rows(5000);
    bytes.extend_from_slice(
        b"x,\xe4\xb8,\xad,1,,1,,90,\xe6\x98\xaf\ny,\xe4\xb8\xad,,1,,1,,90,\xe5\x90\xa6\n",
    );
    let ds = read_all_ways(&r, "x.csv", &bytes);
    assert_eq!(ds.encoding, "UTF-8");
    assert_eq!(ds.units.len(), 5001);
    assert_eq!(ds.units[5000].values()[1], Value::Text("中".into()));
    assert_eq!(ds.errors.len(), 1, "{:?}", ds.errors);
    assert_eq!((ds.errors[0].row(), ds.errors[0].code()), (5002, "D0321"));
    assert!(
        ds.errors[0]
            .message(kaohe::Lang::En)
            .contains("column B holds bytes that are not valid UTF-8"),
        "{}",
        ds.errors[0].message(kaohe::Lang::En)
    );
}

/// Only a row with bytes that are not UTF-8 is unreadable: a U+FFFD written in the text of a
/// later row is text.
#[test]
fn a_replacement_character_written_in_the_text_is_text_even_after_bad_bytes() {
    let r = rules(BODY);
    let mut bytes = good_rows(5000);
    bytes.extend_from_slice(b"x,\xff,,1,,1,,90,\xe6\x98\xaf\n");
    bytes.extend_from_slice("y,替换字符�,,1,,1,,90,否\n".as_bytes());
    let ds = read_all_ways(&r, "x.csv", &bytes);
    assert_eq!(ds.encoding, "UTF-8");
    assert_eq!(ds.errors.len(), 1, "{:?}", ds.errors);
    assert_eq!((ds.errors[0].row(), ds.errors[0].code()), (5002, "D0321"));
    assert_eq!(ds.units.len(), 5001);
    assert_eq!(ds.units[5000].values()[1], Value::Text("替换字符�".into()));
}

/// Ids in order are only listed; the first out of order puts them all in a table. Every
/// repeat is found either way, with the row the id was first seen in.
#[test]
fn repeated_ids_are_found_whether_the_ids_come_in_order_or_not() {
    let r = rules(BODY);
    let ids = ["A1", "A2", "B", "B", "A1", "10", "9", "10", "A2"];
    let rows: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| format!("{id},单位{i},,1,,1,,90,是"))
        .collect();
    let csv = format!("{HEADER}\n{}\n", rows.join("\n"));
    let ds = read_all_ways(&r, "x.csv", csv.as_bytes());
    let repeats: Vec<(usize, &str)> = ds
        .errors
        .iter()
        .map(|e| (e.row(), e.message(kaohe::Lang::En)))
        .collect();
    assert_eq!(
        repeats,
        vec![
            (5, "unit id `B` appears twice (first in row 4)"),
            (6, "unit id `A1` appears twice (first in row 2)"),
            (9, "unit id `10` appears twice (first in row 7)"),
            (10, "unit id `A2` appears twice (first in row 3)"),
        ]
    );
    assert_eq!(ds.units.len(), 5);
}
