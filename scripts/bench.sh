#!/usr/bin/env bash
# The whole benchmark, in one command: writes BENCHMARKS.md (and target/bench/*.json).
#
#   bash scripts/bench.sh                 # 10k, 100k and 1M townships (about 20–30 minutes)
#   KAOHE_BENCH_SIZES=10000,100000 bash scripts/bench.sh    # quicker, without the 1M rows
#   KAOHE_BENCH_REUSE_NATIVE=1 bash scripts/bench.sh        # keep target/bench/native.md, redo the rest
#
# 1. native, side by side in one process: kaohe (one core, all cores, explained report), the
#    hand-written Rust floor, GoRules ZEN, datalogic-rs (JSONLogic) and plain Rhai, every
#    engine's results checked equal to kaohe's before any time is taken (bench/, its own crate:
#    the peers never enter kaohe's dependency tree or its CI);
#    the reader: the county CSV to typed rows, kaohe (whole and streamed) against a plain typed
#    read with the `csv` crate (`kaohe-bench reader`, 100k and 1M rows);
# 2. the CLI streaming 1M generated townships (CSV in, CSV out): wall time and peak memory;
#    surveys (scripts/bench-survey.sh): respondents' rows to answer counts, kaohe against a
#    hand-written floor, pandas and polars (in a venv under target/bench), and the CLI on ten
#    million respondents;
# 3. the WASM package in Node against json-rules-engine and ZEN's npm package, and its size;
# 4. the browser app (dist/kaohe.html from file://) in headless Chromium at 10k and 100k units:
#    file chosen → table shown, longest main-thread task, memory, filter and sort times.
# Peer engines are built only here; `scripts/test.sh` and CI never compile them.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${KAOHE_BENCH_SIZES:-10000,100000,1000000}
OUT=target/bench
mkdir -p "$OUT"
BIG=$(echo "$SIZES" | tr ',' '\n' | sort -n | tail -1)

echo "== building kaohe and the benchmark crate (release)"
cargo build --release --quiet
cargo build --release --quiet --manifest-path bench/Cargo.toml
BENCH=bench/target/release/kaohe-bench

echo "== generating $BIG townships"
$BENCH gen "$BIG" "$OUT/county-$BIG.csv" > /dev/null
$BENCH gen 100000 "$OUT/county-100000.csv" > /dev/null
$BENCH gen 10000 "$OUT/county-10000.csv" > /dev/null

if [ "${KAOHE_BENCH_REUSE_NATIVE:-}" = 1 ] && [ -s "$OUT/native.md" ]; then
  echo "== native engines: reusing $OUT/native.md (KAOHE_BENCH_REUSE_NATIVE=1)"
else
  echo "== native engines, side by side ($SIZES)"
  $BENCH bench --sizes "$SIZES" --json "$OUT/native.json" > "$OUT/native.md"
fi

echo "== the reader: the county CSV to typed rows, against a plain csv-crate read"
READER_SIZES=$(echo "$SIZES" | tr ',' '\n' | awk '$1 >= 100000' | paste -sd, -)
$BENCH reader --sizes "${READER_SIZES:-$BIG}" --runs 5 --json "$OUT/reader.json" > "$OUT/reader.md"
# the same rows out of order: unit ids checked for repeats in a table, not against the last
{ echo; $BENCH reader --sizes "$BIG" --runs 5 --shuffle; } >> "$OUT/reader.md"

echo "== the CLI streaming $BIG townships"
if [ ! -x /usr/bin/time ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get install -y time >/dev/null 2>&1 || sudo apt-get install -y time >/dev/null 2>&1) || true
fi
if [ -x /usr/bin/time ]; then
  /usr/bin/time -v ./target/release/kaohe assess rules/county-antidrug.rhai "$OUT/county-$BIG.csv" \
    --format csv --stream --quiet --out "$OUT/result-$BIG.csv" 2> "$OUT/stream-time.txt"
  rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/stream-time.txt")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$OUT/stream-time.txt")
  user=$(sed -n 's/.*User time (seconds): //p' "$OUT/stream-time.txt")
  stream_line="| \`kaohe assess … --stream\`, $BIG townships, CSV in → CSV out (two passes) | $wall | $user s | $((rss_kb / 1024)) MiB |"
else
  stream_line="| (GNU time not available: not measured) | | | |"
fi
rows=$(($(wc -l < "$OUT/result-$BIG.csv") - 1))

# The CLI on 100k townships, each format: what an evaluator waits for. CSV and the table print
# no explanation (the report without its words); JSON writes every reason of every unit.
cli_rows=""
if [ -x /usr/bin/time ]; then
  for f in csv json; do
    /usr/bin/time -v ./target/release/kaohe assess rules/county-antidrug.rhai "$OUT/county-100000.csv" \
      --format "$f" --quiet --out "$OUT/result-100000.$f" 2> "$OUT/cli-$f-time.txt"
    f_rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/cli-$f-time.txt")
    f_wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$OUT/cli-$f-time.txt")
    f_size=$(stat -c %s "$OUT/result-100000.$f")
    cli_rows="$cli_rows| \`kaohe assess … --format $f\`, 100000 townships | $f_wall | $((f_rss / 1024)) MiB | $f_size B |
"
  done
fi

echo "== WASM in Node"
bash scripts/build-wasm.sh > /dev/null
# `npm ci` refuses this lock where the registry lacks a platform build that ZEN lists as
# optional (darwin-arm64 0.54.0); `npm install` honours the lock and skips it.
(cd bench/node && { npm ci --no-audit --no-fund --loglevel=error > /dev/null 2>&1 ||
  npm install --no-audit --no-fund --loglevel=error > /dev/null; })
# kaohe runs 5 times (the first run of a module pays V8's tier-up), each followed by a native
# run on the same units for the WASM/native ratio (--native); a slow peer stops starting runs
# after 60 s (json-rules-engine needs about 100 s for 100k units).
node bench/node/bench.mjs "$OUT/county-10000.csv" "$OUT/county-100000.csv" \
  --runs 5 --peer-budget 60 --native "$BENCH" --json "$OUT/wasm.json" > "$OUT/wasm.md"

echo "== surveys: respondents' rows to answer counts (scripts/bench-survey.sh)"
bash scripts/bench-survey.sh

echo "== the browser app in headless Chromium (bench/browser/bench.mjs)"
browser=""
if [ -x /usr/bin/chromium ] || [ -n "${CHROMIUM:-}" ]; then
  KAOHE_REUSE_PKG=1 KAOHE_DIST_NO_BINARY=1 bash scripts/build-dist.sh > /dev/null
  [ -f tests/e2e/node_modules/playwright-core/package.json ] ||
    (cd tests/e2e && { npm ci --no-audit --no-fund --loglevel=error > /dev/null || npm install --no-audit --no-fund > /dev/null; })
  node bench/browser/bench.mjs --sizes 10000,100000 --runs 2 --json "$OUT/browser.json" > "$OUT/browser.md"
  browser=$(cat "$OUT/browser.md")
fi

echo "== where kaohe's time goes (perf, 100k townships, one core)"
profile=""
explained_profile=""
if command -v perf >/dev/null 2>&1 &&
  perf record -F 1999 -o "$OUT/perf-explained.data" $BENCH bench --sizes 10000 --runs 3 \
    --engines kaohe-explained > /dev/null 2> "$OUT/perf-explained.err"; then
  explained_profile=$(perf report -i "$OUT/perf-explained.data" --no-children --sort dso,sym \
    --percent-limit 1.5 --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -25)
fi
if command -v perf >/dev/null 2>&1 &&
  perf record -F 1999 -o "$OUT/perf.data" $BENCH bench --sizes 100000 --runs 5 --engines kaohe \
    > /dev/null 2> "$OUT/perf.err"; then
  profile=$(perf report -i "$OUT/perf.data" --no-children --sort dso,sym --percent-limit 1 --stdio 2>/dev/null |
    grep -E '^ +[0-9]' | head -30)
  by_dso=$(perf report -i "$OUT/perf.data" --no-children --sort dso --percent-limit 0.5 --stdio 2>/dev/null |
    grep -E '^ +[0-9]')
fi

{
  echo "# kaohe benchmarks"
  echo
  echo "Produced by \`bash scripts/bench.sh\` on $(date -u +%Y-%m-%d) — $(nproc) cores,"
  echo "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(rustc --version), Node $(node --version)."
  echo "The machine is shared: compare ratios taken in the same run rather than absolute figures."
  echo "The workload and the engines are described in [bench/README.md](bench/README.md); every"
  echo "engine's per-unit total, veto, grade and rank were checked equal to kaohe's before timing."
  echo
  node scripts/bench-targets.mjs --reader "$OUT/reader.json" "$OUT/native.json" "$OUT/wasm.json" \
    ${rss_kb:+"$((rss_kb / 1024))" "$BIG"}
  echo
  cat "$OUT/native.md"
  echo
  cat "$OUT/reader.md"
  echo
  echo "## The CLI on $BIG townships (streamed, bounded memory)"
  echo
  echo "| run | wall time | user CPU | peak memory (RSS) |"
  echo "|---|---|---|---|"
  echo "$stream_line"
  echo
  if [ -n "$cli_rows" ]; then
    echo "## The CLI on 100000 townships, in memory, by format"
    echo
    echo "| run | wall time | peak memory (RSS) | output |"
    echo "|---|---|---|---|"
    printf '%s' "$cli_rows"
    echo
    echo "CSV (and the table) are written from the report without its words; JSON carries every"
    echo "reason, the data it read and the rule's text for every item of every unit (pretty-printed)."
    echo
  fi
  echo "$rows result rows written. The first pass keeps each unit's standing (total, vetoes,"
  echo "prerequisites) to rank and grade the cohort; the second reads the file again and writes"
  echo "each unit as it goes. Parsing the CSV twice is most of the time."
  echo
  cat "$OUT/survey.md"
  echo
  cat "$OUT/wasm.md"
  echo
  if [ -n "$browser" ]; then
    echo "$browser"
  else
    echo "## The browser app"
    echo
    echo "(Chromium not installed: not measured; \`bash scripts/e2e.sh\` installs it)"
  fi
  echo
  echo "## Where kaohe's time goes"
  echo
  if [ -n "$profile" ]; then
    echo "\`perf record\` of \`kaohe-bench bench --sizes 100000 --runs 5 --engines kaohe\` (the"
    echo "generator and the CSV parse of the benchmark's input included), self time by function, ≥ 1 %:"
    echo
    echo '```'
    echo "$profile"
    echo '```'
    echo
    echo "By binary: the kernel's share is page faults on memory first touched (each unit's points"
    echo "per item, rows and results), libc's is malloc, free and copies:"
    echo
    echo '```'
    echo "$by_dso"
    echo '```'
  else
    echo "(perf not available on this machine: no profile taken)"
  fi
  if [ -n "$explained_profile" ]; then
    echo
    echo "The explained report: \`perf record\` of \`kaohe-bench bench --sizes 10000 --runs 3"
    echo "--engines kaohe-explained\`, self time by function, ≥ 1.5 %:"
    echo
    echo '```'
    echo "$explained_profile"
    echo '```'
  fi
  echo
  cat bench/PROFILE.md
} > BENCHMARKS.md
echo "== wrote BENCHMARKS.md"
