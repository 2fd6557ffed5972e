//! A whole scoring job with the kaohe crate (考核任务示例): a rule set and a data file in, the
//! ranked, graded result out as CSV, JSON, JSON Lines or a table — the run policy `kaohe assess`
//! uses (a large CSV streamed in two passes, rows with errors left out and listed).
//!
//! ```text
//! cargo run --release --example assess                                   # bundled default, table
//! cargo run --release --example assess -- RULES.rhai DATA.csv csv > result.csv
//! ```

use kaohe::{Job, Lang, Output, Rules, Source, Streaming};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bundled = kaohe::bundled::default_set();
    let (rules_name, source_text, data) = match args.as_slice() {
        [rules, data, ..] => match std::fs::read_to_string(rules) {
            Ok(text) => (rules.clone(), text, Some(std::path::PathBuf::from(data))),
            Err(e) => {
                eprintln!("错误：无法读取规则文件 {rules}：{e}");
                return ExitCode::from(2);
            }
        },
        _ => (
            bundled.rules_path.to_string(),
            bundled.rules.to_string(),
            None,
        ),
    };
    let output = match args.get(2).map(String::as_str) {
        None | Some("table") => Output::Table,
        Some("csv") => Output::Csv,
        Some("json") => Output::Json,
        Some("jsonl") => Output::JsonLines,
        Some(other) => {
            eprintln!("错误：不认识的输出格式 {other}；可用 table、csv、json、jsonl");
            return ExitCode::from(2);
        }
    };

    // 1. Compile once (编译规则): every mistake with its line:column.
    let rules = match Rules::compile(&rules_name, &source_text) {
        Ok(r) => r,
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("{}", e.render(Lang::Zh));
            }
            return ExitCode::from(3);
        }
    };

    // 2. Read and score (读取并评分): a file on disk streams when it is large; rows with data
    //    errors are left out and kept on record (keep_going).
    let sample = bundled.data.unwrap_or_default();
    let source = match &data {
        Some(path) => Source::File(path),
        None => Source::Bytes {
            name: bundled.data_path,
            bytes: sample,
        },
    };
    let job = Job::new(&rules, source)
        .output(output)
        .keep_going(true)
        .streaming(Streaming::Auto);
    let mut scored = match job.run() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(4);
        }
    };
    let name = data
        .as_deref()
        .map_or(bundled.data_path.into(), |p| p.display().to_string());
    for e in scored.data_errors() {
        eprintln!("{name}: {}", e.render(Lang::Zh));
    }
    if scored.errors_omitted() > 0 {
        eprintln!("{name}: ……另有 {} 个错误未列出", scored.errors_omitted());
    }

    // 3. Write (输出), to standard output here; any `std::io::Write` will do.
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if let Err(e) = scored
        .write(&mut out)
        .and_then(|()| std::io::Write::flush(&mut out))
    {
        eprintln!("错误：无法写出结果：{e}");
        return ExitCode::from(5);
    }
    ExitCode::SUCCESS
}
