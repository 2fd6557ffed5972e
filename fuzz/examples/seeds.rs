//! Writes the seeds that cannot be copied from the repository as they are — the sample data as
//! JSON, JSON Lines and XLSX (the repository's samples are CSV) — into `fuzz/seeds/`:
//!
//! ```sh
//! cd fuzz && cargo run --no-default-features --example seeds -- seeds ../rules/samples/county-antidrug.csv
//! ```
//!
//! For each CSV `STEM.csv` (its first six units in JSON): `read_data/STEM.{json,jsonl,xlsx}` (each behind the target's name
//! byte: 1 `x.json`, 2 `x.jsonl`, 3 `x.xlsx`) and `assess/STEM.json` (behind 1: JSON).
//! `scripts/fuzz.sh` copies everything else from `rules/` when it builds the corpus.

use rust_xlsxwriter::Workbook;
use serde_json::{Map, Value};
use std::error::Error;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((out, csvs)) = args.split_first() else {
        eprintln!("usage: seeds OUT_DIR CSV...");
        std::process::exit(2);
    };
    for csv in csvs {
        if let Err(e) = seeds(Path::new(out), Path::new(csv)) {
            eprintln!("{csv}: {e}");
            std::process::exit(1);
        }
    }
}

fn seeds(out: &Path, csv: &Path) -> Result<(), Box<dyn Error>> {
    let stem = csv
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or("no file name")?;
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(csv)?
        .records()
        .map(|r| r.map(|r| r.iter().map(String::from).collect()))
        .collect::<Result<_, _>>()?;
    let (header, body) = rows.split_first().ok_or("empty CSV")?;
    let objects: Vec<Value> = body
        .iter()
        .map(|row| {
            let map: Map<String, Value> = header
                .iter()
                .zip(row)
                .map(|(h, cell)| (h.clone(), json_cell(cell)))
                .collect();
            Value::Object(map)
        })
        .collect();

    // A few units are enough (and keep the inputs short: JSON repeats every header).
    let objects = &objects[..objects.len().min(6)];
    let json = serde_json::to_vec(objects)?;
    let mut lines = Vec::new();
    for o in objects {
        serde_json::to_writer(&mut lines, o)?;
        lines.push(b'\n');
    }
    let xlsx = sheet(&rows)?;
    for (dir, name, prefix, bytes) in [
        ("read_data", format!("{stem}.json"), 1u8, &json),
        ("read_data", format!("{stem}.jsonl"), 2, &lines),
        ("read_data", format!("{stem}.xlsx"), 3, &xlsx),
        ("assess", format!("{stem}.json"), 1, &json),
    ] {
        let dir = out.join(dir);
        std::fs::create_dir_all(&dir)?;
        let mut seed = vec![prefix];
        seed.extend_from_slice(bytes);
        std::fs::write(dir.join(name), seed)?;
    }
    Ok(())
}

/// A cell as JSON: a number when it reads as one, `null` when empty, else text.
fn json_cell(cell: &str) -> Value {
    if cell.is_empty() {
        return Value::Null;
    }
    match serde_json::from_str::<Value>(cell) {
        Ok(n @ Value::Number(_)) => n,
        _ => Value::String(cell.to_string()),
    }
}

/// The rows as one XLSX sheet: numbers as numbers, text as text.
fn sheet(rows: &[Vec<String>]) -> Result<Vec<u8>, Box<dyn Error>> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (u32::try_from(r)?, u16::try_from(c)?);
            match cell.parse::<f64>() {
                Ok(n) if n.is_finite() => sheet.write_number(r, c, n)?,
                _ => sheet.write_string(r, c, cell)?,
            };
        }
    }
    Ok(workbook.save_to_buffer()?)
}
