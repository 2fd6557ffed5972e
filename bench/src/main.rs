//! `kaohe-bench`: kaohe side by side with a hand-written Rust floor, ZEN (zen-engine),
//! JSONLogic (datalogic-rs) and plain Rhai on the county anti-drug rule set, over seeded
//! synthetic townships. See `bench/README.md`.
//!
//! ```text
//! kaohe-bench bench [--sizes 10000,100000,1000000] [--json PATH] [--runs N] [--engines a,b]
//! kaohe-bench gen N PATH        # PATH.csv: CSV with the Chinese headers; PATH.jsonl: JSON Lines
//! kaohe-bench survey FILE [--runs N] [--counts PATH] [--json PATH]   # respondents → counts
//! kaohe-bench reader [--sizes 100000,1000000] [--runs N] [--json PATH] [--shuffle]  # CSV → rows
//! ```

mod engines;
mod floor;
mod gen;
mod rank;
mod reader;
mod report;
mod run;
mod survey;

use run::{Engine, Options};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  kaohe-bench bench [--sizes 10000,100000,1000000] [--json PATH] [--runs N] [--engines KEY,…]
  kaohe-bench gen N PATH     (PATH ending in .jsonl: JSON Lines; otherwise CSV)
  kaohe-bench survey FILE [--runs N] [--counts PATH] [--json PATH]
             (a respondents' CSV of examples/survey_gen.rs: kaohe vs the floor, counts checked equal)
  kaohe-bench reader [--sizes 100000,1000000] [--runs N] [--json PATH] [--shuffle]
             (the county CSV to typed rows: a plain `csv`-crate read vs kaohe whole and streamed)
engine keys: kaohe (always run: the reference), kaohe-parallel, kaohe-explained, floor, floor-parallel, zen, jsonlogic,
  jsonlogic-parallel, rhai, rhai-parallel";

fn parse_count(s: &str) -> Result<usize, String> {
    s.replace('_', "")
        .parse()
        .map_err(|_| format!("`{s}` is not a number of units"))
}

fn parse_bench(args: &[String]) -> Result<Options, String> {
    let mut opts = Options {
        sizes: vec![10_000, 100_000, 1_000_000],
        json: None,
        engines: Engine::ALL.to_vec(),
        runs: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("`{a}` needs a value"));
        match a.as_str() {
            "--sizes" => {
                opts.sizes = value()?
                    .split(',')
                    .map(parse_count)
                    .collect::<Result<_, _>>()?;
            }
            "--json" => opts.json = Some(PathBuf::from(value()?)),
            "--runs" => opts.runs = Some(parse_count(value()?)?.max(1)),
            "--engines" => {
                let mut chosen = vec![Engine::Kaohe];
                for key in value()?.split(',') {
                    let e = Engine::ALL
                        .into_iter()
                        .find(|e| e.key() == key)
                        .ok_or_else(|| format!("unknown engine `{key}`"))?;
                    if !chosen.contains(&e) {
                        chosen.push(e);
                    }
                }
                opts.engines = chosen;
            }
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok(opts)
}

fn survey_bench(args: &[String]) -> Result<(), String> {
    let mut file = None;
    let (mut runs, mut counts, mut json) = (5usize, None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("`{a}` needs a value"));
        match a.as_str() {
            "--runs" => runs = parse_count(value()?)?.max(1),
            "--counts" => counts = Some(value()?.clone()),
            "--json" => json = Some(value()?.clone()),
            other if file.is_none() => file = Some(other.to_string()),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    let file = file.ok_or("`survey` takes a respondents' CSV")?;
    survey::bench(&file, runs, counts.as_deref(), json.as_deref())
}

fn reader_bench(args: &[String]) -> Result<(), String> {
    let (mut sizes, mut runs, mut json) = (vec![100_000, 1_000_000], 5usize, None);
    let mut shuffled = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("`{a}` needs a value"));
        match a.as_str() {
            "--sizes" => {
                sizes = value()?
                    .split(',')
                    .map(parse_count)
                    .collect::<Result<_, _>>()?;
            }
            "--runs" => runs = parse_count(value()?)?.max(1),
            "--json" => json = Some(value()?.clone()),
            "--shuffle" => shuffled = true,
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    let measured = reader::bench(&sizes, runs, shuffled)?;
    let _ = std::io::stdout()
        .lock()
        .write_all(reader::markdown(&measured, runs, shuffled).as_bytes());
    if let Some(path) = json {
        let text =
            serde_json::to_string_pretty(&reader::json(&measured)).map_err(|e| e.to_string())?;
        std::fs::write(&path, text + "\n").map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

fn gen_file(args: &[String]) -> Result<(), String> {
    let [n, path] = args else {
        return Err("`gen` takes N and PATH".into());
    };
    let n = parse_count(n)?;
    let towns = gen::generate(n);
    let text = if path.ends_with(".jsonl") {
        gen::to_jsonl(&towns)
    } else {
        gen::to_csv(&towns)
    };
    std::fs::write(path, text).map_err(|e| format!("{path}: {e}"))?;
    eprintln!("wrote {n} townships to {path}");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("gen") => gen_file(&args[1..]),
        Some("survey") => survey_bench(&args[1..]),
        Some("reader") => reader_bench(&args[1..]),
        Some("bench") | None => parse_bench(args.get(1..).unwrap_or(&[])).and_then(|opts| {
            let report = run::bench(&opts)?;
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = std::io::stdout()
                .lock()
                .write_all(report.markdown().as_bytes());
            if let Some(path) = &opts.json {
                let text =
                    serde_json::to_string_pretty(&report.json()).map_err(|e| e.to_string())?;
                std::fs::write(path, text + "\n")
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
            Ok(())
        }),
        Some("-h" | "--help" | "help") => {
            let _ = writeln!(std::io::stdout().lock(), "{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
