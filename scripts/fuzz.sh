#!/usr/bin/env bash
# Fuzzes kaohe with cargo-fuzz (libFuzzer, nightly): the rule compiler, the data readers and the
# whole assess path. See fuzz/README.md.
#
#   bash scripts/fuzz.sh                  short run: every target FUZZ_SECONDS (default 45) s (CI)
#   bash scripts/fuzz.sh --long           long run: every target FUZZ_SECONDS (default 1800) s
#   bash scripts/fuzz.sh --regressions    replays fuzz/regressions/TARGET/* (a fixed bug stays fixed)
#   bash scripts/fuzz.sh --seeds          replays the seed corpus only (no fuzzing)
#   bash scripts/fuzz.sh [MODE] TARGET…   only these targets
#
# Environment: FUZZ_SECONDS (per target), FUZZ_PARALLEL (targets run at once, default 1),
# FUZZ_SANITIZER (none | address, default none: kaohe has no unsafe code; panics, timeouts and
# OOMs are what is looked for), FUZZ_ARGS (more libFuzzer flags, e.g. `-fork=2
# -ignore_crashes=1` to keep going after a crash), FUZZ_NIGHTLY (toolchain, default nightly).
#
# Installs what is missing (the nightly toolchain, cargo-fuzz), skipping what is there. Without a
# nightly toolchain or cargo-fuzz it says so and falls back to replaying the seed corpus (and, in
# --regressions mode, the regressions) through the same targets on stable, without libFuzzer.
# Exits non-zero on any crash, panic, failed check, timeout (-timeout=10) or OOM (2 GB).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.1
ALL_TARGETS=(compile_rules read_data assess rules_and_data side_files)
NIGHTLY=${FUZZ_NIGHTLY:-nightly}
SANITIZER=${FUZZ_SANITIZER:-none}
PARALLEL=${FUZZ_PARALLEL:-1}

mode=short
targets=()
for arg in "$@"; do
  case "$arg" in
    --short) mode=short ;;
    --long) mode=long ;;
    --regressions) mode=regressions ;;
    --seeds) mode=seeds ;;
    -h | --help)
      sed -n '2,20p' "$0"
      exit 0
      ;;
    -*)
      echo "error: unknown option $arg (see --help)" >&2
      exit 2
      ;;
    *)
      if [[ " ${ALL_TARGETS[*]} " != *" $arg "* ]]; then
        echo "error: unknown target $arg; targets: ${ALL_TARGETS[*]}" >&2
        exit 2
      fi
      targets+=("$arg")
      ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${ALL_TARGETS[@]}")
case "$mode" in
  short) SECONDS_PER_TARGET=${FUZZ_SECONDS:-45} ;;
  long) SECONDS_PER_TARGET=${FUZZ_SECONDS:-1800} ;;
  *) SECONDS_PER_TARGET=0 ;;
esac

# Longest input per target: the longest seed fits (rule scripts are up to 23 KB; a script plus
# its sample CSV up to 26 KB; data seeds up to 10 KB).
max_len() {
  case "$1" in
    compile_rules | rules_and_data) echo 32768 ;;
    *) echo 16384 ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Tools: nightly and cargo-fuzz, installed when missing. `fuzzing=0` means: fall back to stable.
fuzzing=1
why_not=""
if ! command -v rustup >/dev/null 2>&1; then
  fuzzing=0
  why_not="rustup is not installed, so no nightly toolchain"
elif ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1; then
  echo "== installing the $NIGHTLY toolchain (cargo-fuzz needs nightly)"
  if ! rustup toolchain install "$NIGHTLY" --profile minimal; then
    fuzzing=0
    why_not="the $NIGHTLY toolchain could not be installed"
  fi
fi
if [ "$fuzzing" = 1 ] && ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz $CARGO_FUZZ_VERSION"
  if ! cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked &&
    ! cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION"; then
    fuzzing=0
    why_not="cargo-fuzz could not be installed"
  fi
fi
if [ "$fuzzing" = 0 ]; then
  echo "WARNING: NOT FUZZING: $why_not." >&2
  echo "WARNING: falling back to replaying inputs through the fuzz targets on stable (no libFuzzer)." >&2
fi

# ---------------------------------------------------------------------------------------------
# The seed corpus, built from the repository into fuzz/corpus/TARGET/ (git-ignored; what
# libFuzzer adds there is kept between runs). Data seeds start with the byte that picks the
# file name: read_data 0 x.csv, 1 x.json, 2 x.jsonl, 3 x.xlsx; assess 0 CSV, 1 JSON.
seed() { # seed TARGET NAME PREFIX_BYTE FILE...  (PREFIX_BYTE "" for none; FILEs joined by NUL)
  local target=$1 name=$2 prefix=$3
  shift 3
  local out="fuzz/corpus/$target/seed-$name"
  {
    [ -z "$prefix" ] || printf "\\$(printf '%03o' "$prefix")"
    local first=1
    for f in "$@"; do
      [ "$first" = 1 ] || printf '\0'
      first=0
      cat "$f"
    done
  } >"$out"
  if [ "$(wc -c <"$out")" -gt "$(max_len "$target")" ]; then
    rm "$out" # longer than the target reads: it would be cut short
  fi
}

build_corpus() {
  local t f stem
  for t in "${ALL_TARGETS[@]}"; do
    mkdir -p "fuzz/corpus/$t"
  done
  for f in rules/*.rhai rules/broken/*.rhai; do
    seed compile_rules "$(basename "$f")" "" "$f"
    seed rules_and_data "$(basename "$f")" "" "$f"
  done
  for f in rules/samples/*.csv; do
    seed read_data "$(basename "$f")" 0 "$f"
    seed assess "$(basename "$f")" 0 "$f"
  done
  for f in rules/samples/*.json; do
    seed read_data "$(basename "$f")" 1 "$f"
    seed assess "$(basename "$f")" 1 "$f"
  done
  for f in rules/*.rhai; do
    stem=$(basename "$f" .rhai)
    if [ -f "rules/samples/$stem.csv" ]; then
      seed rules_and_data "$stem.rhai+csv" "" "$f" "rules/samples/$stem.csv"
    fi
  done
  # What cannot be copied as it is (JSON, JSON Lines and XLSX forms of the samples), committed;
  # written by `fuzz/examples/seeds.rs`.
  for t in "${ALL_TARGETS[@]}"; do
    if [ -d "fuzz/seeds/$t" ]; then
      for f in "fuzz/seeds/$t"/*; do
        cp "$f" "fuzz/corpus/$t/seed-$(basename "$f")"
      done
    fi
  done
  # The default rule set with its sample as JSON.
  if [ -f fuzz/seeds/assess/county-antidrug.json ]; then
    tail -c +2 fuzz/seeds/assess/county-antidrug.json >fuzz/corpus/.json-sample
    seed rules_and_data "county-antidrug.rhai+json" "" rules/county-antidrug.rhai fuzz/corpus/.json-sample
    rm fuzz/corpus/.json-sample
  fi
}

# A dictionary for the rule-script targets: the declaration API's names and keys (the string
# literals of src/compile/ and the sandbox) and Rhai's keywords and operators.
build_dict() {
  {
    grep -ohE '"[a-z_]{2,30}"' src/compile/*.rs src/sandbox.rs src/eval.rs | sort -u
    for w in fn let const if else switch loop while for in do until break continue return \
      throw try catch import export as private true false this Fn call curry type_of; do
      echo "\"$w\""
    done
    printf '%s\n' '"#{"' '"|u|"' '"|u, r|"' '"=>"' '".."' '"..="' '"**"' '"??"' '"?."' \
      '"!="' '"<="' '"${"' '"0.05"' '"-1"' '"9223372036854775807"' '"79228162514264337593543950335"'
  } >fuzz/corpus/rules.dict
}

regression_files() { # the committed reproducers of TARGET (not their NAME.md notes)
  local dir="fuzz/regressions/$1"
  [ -d "$dir" ] || return 0
  find "$dir" -maxdepth 1 -type f ! -name '*.md' | sort
}

# ---------------------------------------------------------------------------------------------
# Fallback: the targets on stable, without libFuzzer (fuzz/examples/replay.rs).
replay_on_stable() { # replay_on_stable TARGET PATH...
  cargo run --quiet --release --manifest-path fuzz/Cargo.toml --no-default-features \
    --example replay -- "$@"
}

if [ "$fuzzing" = 0 ]; then
  build_corpus
  status=0
  for t in "${targets[@]}"; do
    if [ "$mode" = regressions ]; then
      mapfile -t files < <(regression_files "$t")
      [ ${#files[@]} -gt 0 ] || {
        echo "replay $t: no regressions"
        continue
      }
      replay_on_stable "$t" "${files[@]}" || status=1
    else
      replay_on_stable "$t" "fuzz/corpus/$t" || status=1 # the seeds, and what fuzzing added
    fi
  done
  echo "NOTE: no fuzzing was done ($why_not); only existing inputs were replayed." >&2
  exit "$status"
fi

# ---------------------------------------------------------------------------------------------
# libFuzzer.
build_flags=(-s "$SANITIZER" --codegen-units 16)
echo "== cargo +$NIGHTLY fuzz build ${build_flags[*]} (release, debug assertions on)"
build_start=$(date +%s)
if [ ${#targets[@]} = 1 ]; then
  (cd fuzz && cargo "+$NIGHTLY" fuzz build "${build_flags[@]}" "${targets[0]}")
else
  (cd fuzz && cargo "+$NIGHTLY" fuzz build "${build_flags[@]}") # every target
fi
echo "   built in $(($(date +%s) - build_start)) s"
bin_dir="fuzz/target/$(rustc "+$NIGHTLY" -vV | sed -n 's/^host: //p')/release"

common_flags=(-rss_limit_mb=2048 -timeout=10)

if [ "$mode" = regressions ] || [ "$mode" = seeds ]; then
  build_corpus
  status=0
  for t in "${targets[@]}"; do
    if [ "$mode" = regressions ]; then
      mapfile -t files < <(regression_files "$t")
      if [ ${#files[@]} = 0 ]; then
        echo "regressions $t: none"
        continue
      fi
    else
      mapfile -t files < <(find "fuzz/corpus/$t" -maxdepth 1 -type f -name 'seed-*' | sort)
    fi
    failed=0
    for f in "${files[@]}"; do
      # Each input on its own, so every failing one is named (libFuzzer stops at the first).
      if ! "$bin_dir/$t" "${common_flags[@]}" "$f" >"fuzz/target/replay.log" 2>&1; then
        echo "FAIL $t $f:"
        grep -E "panicked at|^==[0-9]+== ERROR|ALARM|out-of-memory|SUMMARY" fuzz/target/replay.log | head -5 | sed 's/^/    /'
        failed=$((failed + 1))
      fi
    done
    echo "$mode $t: ${#files[@]} inputs, $((${#files[@]} - failed)) ok, $failed failed"
    [ "$failed" = 0 ] || status=1
  done
  exit "$status"
fi

build_corpus
build_dict
mkdir -p fuzz/artifacts fuzz/target/logs
run_target() { # run_target TARGET: fuzzes it for SECONDS_PER_TARGET; the log in fuzz/target/logs
  local t=$1
  mkdir -p "fuzz/artifacts/$t"
  local dict=()
  case "$t" in compile_rules | rules_and_data) dict=(-dict=fuzz/corpus/rules.dict) ;; esac
  # shellcheck disable=SC2086
  "$bin_dir/$t" "fuzz/corpus/$t" "${dict[@]}" \
    -artifact_prefix="fuzz/artifacts/$t/" \
    -max_total_time="$SECONDS_PER_TARGET" -max_len="$(max_len "$t")" \
    "${common_flags[@]}" -print_final_stats=1 ${FUZZ_ARGS:-} \
    >"fuzz/target/logs/$t.log" 2>&1
}

echo "== fuzzing ${targets[*]}: $SECONDS_PER_TARGET s each, $PARALLEL at a time (logs: fuzz/target/logs/)"
declare -A result
pids=()
names=()
for t in "${targets[@]}"; do
  run_target "$t" &
  pids+=($!)
  names+=("$t")
  if [ ${#pids[@]} -ge "$PARALLEL" ]; then
    if wait "${pids[0]}"; then result[${names[0]}]=ok; else result[${names[0]}]=FAILED; fi
    pids=("${pids[@]:1}")
    names=("${names[@]:1}")
  fi
done
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then result[${names[$i]}]=ok; else result[${names[$i]}]=FAILED; fi
done

status=0
printf '%-16s %8s %12s %8s %s\n' target seconds executions corpus result
for t in "${targets[@]}"; do
  log="fuzz/target/logs/$t.log"
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  secs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | grep -oE '[0-9]+ second' | grep -oE '[0-9]+' || true)
  corpus=$(find "fuzz/corpus/$t" -maxdepth 1 -type f | wc -l)
  printf '%-16s %8s %12s %8s %s\n' "$t" "${secs:-?}" "${execs:-?}" "$corpus" "${result[$t]}"
done
for t in "${targets[@]}"; do
  if [ "${result[$t]}" != ok ]; then
    status=1
    log="fuzz/target/logs/$t.log"
    echo
    echo "FOUND in $t (log: $log):"
    grep -E "panicked at|^==[0-9]+== ERROR|ALARM|out-of-memory|Test unit written to|SUMMARY" "$log" | head -8 | sed 's/^/    /'
    echo "    minimize: (cd fuzz && cargo +$NIGHTLY fuzz tmin -s $SANITIZER $t ARTIFACT), then add it to"
    echo "    fuzz/regressions/$t/ with a NAME.md note (fuzz/README.md)"
  fi
done
exit "$status"
