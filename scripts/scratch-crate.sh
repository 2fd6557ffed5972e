#!/usr/bin/env bash
# The crate as a library user meets it: a scratch cargo project outside the repository depends
# on kaohe by path with `default-features = false` (no command line, no spreadsheets), compiles
# a rule set from rules/ and scores its sample data through the public API only, and prints
# each unit's rank, code, total and grade; they must be the CLI's (`kaohe assess --format csv`).
#
#   bash scripts/scratch-crate.sh                  # the county rule set, its UTF-8 and GBK samples
#
# The project shares CARGO_TARGET_DIR (default: the repository's target/) and a copy of
# Cargo.lock, so the dependencies already built are not built again. kaohe itself is built
# twice, once per feature set: its library is also a `cdylib`, whose files cargo names
# without a hash, so the two builds would write the same file; the script removes it before
# and after the scratch build, so that each build finds it missing and makes its own.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"

rules="rules/county-antidrug.rhai"
samples=("rules/samples/county-antidrug.csv" "rules/samples/county-antidrug.gbk.csv")

scratch="$(mktemp -d "${TMPDIR:-/tmp}/kaohe-scratch.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/src"
cat > "$scratch/Cargo.toml" <<TOML
[package]
name = "kaohe-scratch"
version = "0.0.0"
edition = "2021"
publish = false

# Not a member of any workspace above the temporary folder.
[workspace]

[dependencies]
kaohe = { path = "$repo", default-features = false }
TOML
cp Cargo.lock "$scratch/Cargo.lock"
cat > "$scratch/src/main.rs" <<'RUST'
//! Scores a data file with a rule file through kaohe's public API and prints, in the report's
//! order, each unit's rank, code, total and grade, tab-separated.
use kaohe::{Lang, Rules};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [rules_path, data_path] = args.as_slice() else {
        eprintln!("usage: kaohe-scratch RULES.rhai DATA.csv");
        return ExitCode::from(2);
    };
    let (source, bytes) = match (std::fs::read_to_string(rules_path), std::fs::read(data_path)) {
        (Ok(s), Ok(b)) => (s, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let rules = match Rules::compile(rules_path, &source) {
        Ok(rules) => rules,
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("{}", e.render(Lang::Zh));
            }
            return ExitCode::from(3);
        }
    };
    let data = kaohe::read(&rules, data_path, &bytes);
    if !data.errors.is_empty() {
        for e in &data.errors {
            eprintln!("{} [{}]", e.render(Lang::Zh), e.code());
        }
        return ExitCode::from(4);
    }
    let (report, scores) = match (rules.assess(&data.units, None), rules.score_batch(&data.units)) {
        (Ok(r), Ok(s)) => (r, s),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{e}");
            return ExitCode::from(5);
        }
    };
    // The batch path names the same grades by index as the report does by name.
    for (unit, score) in data.units.iter().zip(&scores) {
        let id = rules.unit_id(unit);
        let listed = report.units.iter().find(|u| u.id == id);
        let grade = score.grade.and_then(|g| rules.grade_name(g));
        if listed.map(|u| u.grade.as_deref()) != Some(grade) {
            eprintln!("unit {id}: the batch grade {grade:?} is not the report's");
            return ExitCode::from(6);
        }
    }
    for u in &report.units {
        let rank = u.rank.map(|r| r.to_string()).unwrap_or_default();
        let total = u.total_display.as_deref().unwrap_or_default();
        println!("{rank}\t{}\t{total}\t{}", u.id, u.grade.as_deref().unwrap_or_default());
    }
    ExitCode::SUCCESS
}
RUST

# kaohe's library as the last build left it, in the folder both builds write to.
forget_kaohe_lib() {
  rm -f "$CARGO_TARGET_DIR"/debug/deps/libkaohe.*
}

echo "== a scratch crate (kaohe with default-features = false) scores ${rules} as the CLI does"
forget_kaohe_lib
# Until the CLI is built again, the library's file may be the scratch build's.
trap 'forget_kaohe_lib; rm -rf "$scratch"' EXIT
cargo build --quiet --manifest-path "$scratch/Cargo.toml" --offline 2>/dev/null ||
  cargo build --quiet --manifest-path "$scratch/Cargo.toml"
forget_kaohe_lib
cargo build --quiet --bin kaohe
trap 'rm -rf "$scratch"' EXIT
scratch_bin="$CARGO_TARGET_DIR/debug/kaohe-scratch"
cli_bin="$CARGO_TARGET_DIR/debug/kaohe"

# The CLI's CSV, columns found by their headers: 名次, 单位编码, 总分, 等次.
cli_columns() {
  "$cli_bin" assess "$rules" "$1" --format csv |
    sed '1s/^\xEF\xBB\xBF//' |
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
             { print $col["名次"] "\t" $col["单位编码"] "\t" $col["总分"] "\t" $col["等次"] }'
}

for data in "${samples[@]}"; do
  got="$("$scratch_bin" "$rules" "$data")"
  want="$(cli_columns "$data")"
  if [ -z "$got" ] || [ "$got" != "$want" ]; then
    echo "error: the scratch crate and the CLI differ on $data" >&2
    diff <(echo "$want") <(echo "$got") >&2 || true
    exit 1
  fi
  echo "   $data: $(echo "$got" | wc -l) units, the same ranks, totals and grades"
done
