//! Runs files through a fuzz target without libFuzzer, on any toolchain:
//!
//! ```sh
//! cargo run --release --no-default-features --example replay -- TARGET PATH...
//! ```
//!
//! Each PATH is a file or a folder (its files, not recursively). Every input runs under
//! `catch_unwind`; one that panics, or takes longer than `REPLAY_TIMEOUT` seconds (default 10,
//! as the short fuzz run's `-timeout`), is reported, and the exit status is then 1.
//! Used for `scripts/fuzz.sh --regressions` and as the fallback when there is no nightly.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(name) = args.next() else {
        eprintln!("usage: replay TARGET PATH...");
        std::process::exit(2);
    };
    let Some(target) = kaohe_fuzz::target(&name) else {
        let names: Vec<&str> = kaohe_fuzz::TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!("unknown target `{name}`; targets: {}", names.join(", "));
        std::process::exit(2);
    };
    let limit = Duration::from_secs(
        std::env::var("REPLAY_TIMEOUT")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10),
    );
    let mut files: Vec<PathBuf> = Vec::new();
    for arg in args {
        let path = PathBuf::from(arg);
        if path.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(&path)
                .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default();
            inside.retain(|p| p.is_file() && !is_note(p));
            inside.sort();
            files.extend(inside);
        } else {
            files.push(path);
        }
    }
    // Panics are reported below, once per input, without the default hook's backtrace noise.
    std::panic::set_hook(Box::new(|_| {}));
    let mut failed = 0;
    for file in &files {
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                println!("FAIL {name} {}: cannot read: {e}", file.display());
                failed += 1;
                continue;
            }
        };
        let start = Instant::now();
        let outcome = std::panic::catch_unwind(|| target(&bytes));
        let took = start.elapsed();
        match outcome {
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("(no message)");
                println!("FAIL {name} {}: panicked: {message}", file.display());
                failed += 1;
            }
            Ok(()) if took > limit => {
                println!(
                    "FAIL {name} {}: took {:.1} s (limit {} s)",
                    file.display(),
                    took.as_secs_f64(),
                    limit.as_secs()
                );
                failed += 1;
            }
            Ok(()) => {}
        }
    }
    println!(
        "replay {name}: {} inputs, {} ok, {failed} failed",
        files.len(),
        files.len() - failed
    );
    if failed > 0 {
        std::process::exit(1);
    }
}

/// A regression's description (`NAME.md`) beside its input.
fn is_note(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "md")
}
