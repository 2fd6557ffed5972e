//! The reader measurement (`kaohe-bench reader`): the county CSV's bytes → typed rows, three
//! ways over the same bytes in memory:
//!
//! - the floor: a plain typed read with the `csv` crate, as a competent Rust developer writes
//!   it — `csv::ReaderBuilder`, one reused `ByteRecord`, the header mapped to columns once, each
//!   cell trimmed and parsed by its column's type (`i64`, `rust_decimal::Decimal`, 是/否, text)
//!   into a `Vec` of typed rows; a bad cell stops the read with its row and column;
//! - `kaohe::read_csv` (whole): units of `Value`s with every check (encoding, delimiter,
//!   header search, aliases, every bad cell reported with its fix, duplicate ids);
//! - `kaohe::UnitStream` over the same bytes, each unit dropped as it comes (what a
//!   streamed run holds: one unit at a time).
//!
//! Before any time is taken, every value kaohe read is checked equal to the floor's.

use crate::gen;
use crate::run::median;
use rust_decimal::Decimal;
use serde_json::{json, Value as Json};
use std::fmt::Write as _;
use std::str::FromStr;
use std::time::Instant;

/// How the floor types a column.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Int,
    Decimal,
    /// 是/否, with the value of a blank cell.
    Bool(bool),
}

/// The type of each of the county's columns, by field id (the rule set's declarations).
fn kind(id: &str) -> Kind {
    match id {
        "code" | "name" => Kind::Text,
        "budget" | "station_staffed" | "farmland" => Kind::Bool(true),
        "capped" => Kind::Bool(false),
        "school_cover" | "board_cover" | "plant_area" | "reach" | "satisfaction" => Kind::Decimal,
        _ => Kind::Int,
    }
}

/// One township, typed: text, whole numbers, decimals (`None`: blank) and yes/no, each array in
/// column order of its kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub code: String,
    pub name: String,
    pub ints: [i64; 26],
    pub decimals: [Option<Decimal>; 5],
    pub bools: [bool; 4],
}

/// Where each column's value goes in a [`Row`].
#[derive(Clone, Copy)]
enum Slot {
    Code,
    Name,
    Int(usize),
    Decimal(usize, bool),
    Bool(usize, bool),
}

fn slots() -> Vec<(&'static str, Slot)> {
    let (mut i, mut d, mut b) = (0, 0, 0);
    gen::COLUMNS
        .iter()
        .map(|c| {
            let slot = match (c.id, kind(c.id)) {
                ("code", _) => Slot::Code,
                (_, Kind::Text) => Slot::Name,
                (_, Kind::Int) => {
                    i += 1;
                    Slot::Int(i - 1)
                }
                (id, Kind::Decimal) => {
                    d += 1;
                    // A blank 非法种植面积 is 0 (if_blank); a blank coverage rate is no value.
                    Slot::Decimal(d - 1, id == "plant_area")
                }
                (_, Kind::Bool(blank)) => {
                    b += 1;
                    Slot::Bool(b - 1, blank)
                }
            };
            (c.label, slot)
        })
        .collect()
}

/// The floor: the CSV's bytes to typed rows with the `csv` crate.
pub fn floor(bytes: &[u8]) -> Result<Vec<Row>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let headers = rdr.byte_headers().map_err(|e| e.to_string())?.clone();
    // The header mapped once: for each column of the file, its slot.
    let mut columns = Vec::new();
    for (label, slot) in slots() {
        let at = headers
            .iter()
            .position(|h| h == label.as_bytes())
            .ok_or_else(|| format!("no column `{label}`"))?;
        columns.push((at, slot));
    }
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut line = 1;
    while rdr
        .read_byte_record(&mut record)
        .map_err(|e| e.to_string())?
    {
        line += 1;
        let mut row = Row {
            code: String::new(),
            name: String::new(),
            ints: [0; 26],
            decimals: [None; 5],
            bools: [false; 4],
        };
        for &(at, slot) in &columns {
            let bad = || format!("row {line}, column {}: bad cell", at + 1);
            let cell = record.get(at).unwrap_or_default();
            let text = std::str::from_utf8(cell).map_err(|_| bad())?.trim();
            match slot {
                Slot::Code => row.code = text.to_string(),
                Slot::Name => row.name = text.to_string(),
                Slot::Int(k) => {
                    row.ints[k] = if text.is_empty() {
                        0
                    } else {
                        text.parse().map_err(|_| bad())?
                    };
                }
                Slot::Decimal(k, zero) => {
                    row.decimals[k] = if text.is_empty() {
                        zero.then_some(Decimal::ZERO)
                    } else {
                        Some(Decimal::from_str(text).map_err(|_| bad())?)
                    };
                }
                Slot::Bool(k, blank) => {
                    row.bools[k] = match text {
                        "" => blank,
                        "是" => true,
                        "否" => false,
                        _ => return Err(bad()),
                    };
                }
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

/// kaohe, whole: `kaohe::read_csv`; the units and how many errors.
fn kaohe_whole(rules: &kaohe::Rules, bytes: &[u8]) -> (Vec<kaohe::Unit>, usize) {
    let data = kaohe::read_csv(rules, bytes);
    (data.units, data.errors.len() + data.errors_omitted)
}

/// kaohe, streamed over the same bytes: each unit dropped as it comes; units and errors
/// counted.
fn kaohe_streamed(rules: &kaohe::Rules, bytes: &[u8]) -> (usize, usize) {
    let (mut units, mut errors) = (0, 0);
    for item in kaohe::UnitStream::new(rules, "townships.csv", bytes) {
        match item {
            Ok(_) => units += 1,
            Err(_) => errors += 1,
        }
    }
    (units, errors)
}

/// Every value kaohe read equals the floor's (the gate: no time is reported otherwise).
fn check(rules: &kaohe::Rules, rows: &[Row], units: &[kaohe::Unit]) -> Result<(), String> {
    use kaohe::Value;
    if rows.len() != units.len() {
        return Err(format!(
            "the floor read {} rows, kaohe {} units",
            rows.len(),
            units.len()
        ));
    }
    let field = |label: &str| {
        rules
            .fields()
            .position(|f| f.label == label)
            .ok_or_else(|| format!("the rule set has no field `{label}`"))
    };
    let fields: Vec<(usize, Slot)> = slots()
        .into_iter()
        .map(|(label, slot)| Ok((field(label)?, slot)))
        .collect::<Result<_, String>>()?;
    for (i, (row, unit)) in rows.iter().zip(units).enumerate() {
        for &(f, slot) in &fields {
            let got = &unit.values()[f];
            let same = match slot {
                Slot::Code => *got == Value::Text(row.code.clone()),
                Slot::Name => *got == Value::Text(row.name.clone()),
                Slot::Int(k) => *got == Value::Int(row.ints[k]),
                Slot::Decimal(k, _) => got.number() == row.decimals[k],
                Slot::Bool(k, _) => *got == Value::Bool(row.bools[k]),
            };
            if !same {
                return Err(format!(
                    "row {}: field `{}`: kaohe read {got:?}, the floor {:?}",
                    i + 2,
                    rules.fields().nth(f).map_or("", |f| f.name),
                    row
                ));
            }
        }
    }
    Ok(())
}

/// One size's medians, in seconds.
pub struct Size {
    pub units: usize,
    pub bytes: usize,
    pub floor_s: Vec<f64>,
    pub whole_s: Vec<f64>,
    pub streamed_s: Vec<f64>,
}

impl Size {
    fn floor(&self) -> f64 {
        median(&self.floor_s)
    }
    fn whole(&self) -> f64 {
        median(&self.whole_s)
    }
    fn streamed(&self) -> f64 {
        median(&self.streamed_s)
    }
}

/// Times the three readers at each size, `runs` times each, interleaved.
/// With `shuffled`, the townships' rows are put out of order first (unit ids no longer
/// increasing): the same rows, the same bytes in another order.
pub fn bench(sizes: &[usize], runs: usize, shuffled: bool) -> Result<Vec<Size>, String> {
    let rules = kaohe::Rules::compile(
        "county-antidrug.rhai",
        &std::fs::read_to_string(crate::run::rules_path()).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for &n in sizes {
        let mut towns = gen::generate(n);
        if shuffled {
            // A fixed permutation: by a bijective mix of each row's index.
            let mut keyed: Vec<(u64, gen::Township)> = towns
                .into_iter()
                .enumerate()
                .map(|(i, t)| {
                    (
                        (i as u64)
                            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                            .rotate_left(29),
                        t,
                    )
                })
                .collect();
            keyed.sort_unstable_by_key(|(k, _)| *k);
            towns = keyed.into_iter().map(|(_, t)| t).collect();
        }
        let bytes = gen::to_csv(&towns).into_bytes();
        drop(towns);
        // The gate, untimed.
        let rows = floor(&bytes)?;
        let (units, errors) = kaohe_whole(&rules, &bytes);
        if errors > 0 {
            return Err(format!(
                "kaohe found {errors} data errors in the generated CSV"
            ));
        }
        check(&rules, &rows, &units)?;
        let streamed = kaohe_streamed(&rules, &bytes);
        if streamed != (units.len(), 0) {
            return Err(format!(
                "streamed: {streamed:?} units and errors, whole: {}",
                units.len()
            ));
        }
        drop((rows, units));
        eprintln!(
            "[reader {n}] {} MB; kaohe agrees with the floor",
            bytes.len() >> 20
        );
        let mut size = Size {
            units: n,
            bytes: bytes.len(),
            floor_s: Vec::new(),
            whole_s: Vec::new(),
            streamed_s: Vec::new(),
        };
        for r in 0..runs {
            for k in 0..3 {
                let t = Instant::now();
                match (k + r) % 3 {
                    0 => {
                        let rows = floor(&bytes)?;
                        size.floor_s.push(t.elapsed().as_secs_f64());
                        drop(rows);
                    }
                    1 => {
                        let units = kaohe_whole(&rules, &bytes);
                        size.whole_s.push(t.elapsed().as_secs_f64());
                        drop(units);
                    }
                    _ => {
                        let counted = kaohe_streamed(&rules, &bytes);
                        size.streamed_s.push(t.elapsed().as_secs_f64());
                        std::hint::black_box(counted);
                    }
                }
            }
        }
        eprintln!(
            "[reader {n}] floor {:.1} ms, kaohe whole {:.1} ms, streamed {:.1} ms",
            size.floor() * 1e3,
            size.whole() * 1e3,
            size.streamed() * 1e3
        );
        out.push(size);
    }
    Ok(out)
}

/// The Markdown section.
pub fn markdown(sizes: &[Size], runs: usize, shuffled: bool) -> String {
    let mut s = String::new();
    if shuffled {
        let _ = writeln!(
            s,
            "### The same rows out of order (`kaohe-bench reader --shuffle`)\n\n\
             The same townships with their rows in a fixed shuffled order, so that unit ids no \
             longer come in increasing order and kaohe checks each for a repeat in a table of \
             hashes (a random access per row into tens of MB) rather than against the last id. \
             {runs} runs each interleaved, median.\n"
        );
    } else {
        let _ = writeln!(s, "## The reader: the county CSV to typed rows\n");
        let _ = writeln!(
        s,
        "`kaohe-bench reader`: the generated county CSV (37 columns, UTF-8, in memory) read three \
         ways over the same bytes, {runs} runs each interleaved, median. The floor is a plain typed \
         read with the `csv` crate (one reused `ByteRecord`, the header mapped once, each cell \
         trimmed and parsed as `i64`, `rust_decimal::Decimal`, 是/否 or text into a `Vec` of \
         typed rows; the first bad cell stops it). kaohe (whole) is `kaohe::read_csv`: units of \
         `Value`s, every check kept (encoding, delimiter, header search, aliases, every bad cell \
         reported with its fix, duplicate ids). kaohe (streamed) is `kaohe::UnitStream` over the \
         same bytes, each unit dropped as it comes. Every value kaohe read was checked equal to \
         the floor's before timing.\n"
        );
    }
    let _ = writeln!(
        s,
        "| rows | MB | floor ms | kaohe whole ms | × floor | kaohe streamed ms | × floor |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|");
    for z in sizes {
        let _ = writeln!(
            s,
            "| {} | {:.0} | {:.1} | {:.1} | {:.2}× | {:.1} | {:.2}× |",
            z.units,
            z.bytes as f64 / 1e6,
            z.floor() * 1e3,
            z.whole() * 1e3,
            z.whole() / z.floor(),
            z.streamed() * 1e3,
            z.streamed() / z.floor()
        );
    }
    if shuffled {
        let fields = gen::COLUMNS.len();
        let value = std::mem::size_of::<kaohe::Value>();
        let _ = writeln!(
            s,
            "\nWhat kaohe does that the floor does not: it keeps each unit as {fields} `Value`s of \
             {value} bytes ({} bytes, and {} for the unit) where the floor's typed row is {} \
             bytes, so a whole read first touches more than twice the memory (page faults in the \
             kernel, malloc in libc); streamed, each unit is dropped as it comes. It checks every \
             unit id for a repeat: against the last id while the ids come in increasing order \
             (as generated), else in a table of 88-bit hashes with one random access per row \
             (the shuffled rows). Per cell it does no more than the floor: a plain ASCII number, \
             是/否 or text without spaces is read straight (digits to an `i64`, or to a `Decimal` \
             with the scale `Decimal::from_str` gives), and only any other cell goes through the \
             general path (spaces, full-width digits, thousands separators, “六次”, percentages, \
             the fix for a bad cell); each record is checked as UTF-8 at once, not cell by cell.",
            fields * value,
            std::mem::size_of::<kaohe::Unit>(),
            std::mem::size_of::<Row>(),
        );
    }
    s
}

/// The same numbers as JSON (for `scripts/bench-targets.mjs`).
pub fn json(sizes: &[Size]) -> Json {
    let sizes: Vec<Json> = sizes
        .iter()
        .map(|z| {
            json!({
                "units": z.units,
                "bytes": z.bytes,
                "floor_ms": z.floor() * 1e3,
                "whole_ms": z.whole() * 1e3,
                "streamed_ms": z.streamed() * 1e3,
                "whole_vs_floor": z.whole() / z.floor(),
                "streamed_vs_floor": z.streamed() / z.floor(),
                "floor_runs_s": z.floor_s,
                "whole_runs_s": z.whole_s,
                "streamed_runs_s": z.streamed_s,
            })
        })
        .collect();
    json!({ "reader": sizes })
}
