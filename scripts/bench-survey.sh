#!/usr/bin/env bash
# The survey benchmark (问卷): respondents' rows → each unit's answer counts, from the CSV bytes.
# Writes target/bench/survey.md (scripts/bench.sh puts it into BENCHMARKS.md); with --update,
# also replaces the survey section of BENCHMARKS.md in place.
#
#   bash scripts/bench-survey.sh [--update]
#   KAOHE_SURVEY_ROWS=1000000 KAOHE_SURVEY_CLI_ROWS=10000000 KAOHE_SURVEY_RUNS=5 bash scripts/bench-survey.sh
#
# 1. kaohe (`survey::read`, one thread and all) against the hand-written Rust floor, in one
#    process (kaohe-bench survey); every unit's count per answer checked equal first;
# 2. pandas and polars (all threads and one) on the same file, in a venv under target/bench
#    (installed there if missing: benchmark-only, never a dependency of kaohe), each checked equal
#    to kaohe's counts before it is timed;
# 3. the CLI on ten million respondents, one thread and all: wall time, CPU and peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${KAOHE_SURVEY_ROWS:-1000000}
CLI_ROWS=${KAOHE_SURVEY_CLI_ROWS:-10000000}
RUNS=${KAOHE_SURVEY_RUNS:-5}
OUT=target/bench
mkdir -p "$OUT"

echo "== building kaohe, the generator and the benchmark crate (release)"
cargo build --release --quiet --bin kaohe --example survey_gen
cargo build --release --quiet --manifest-path bench/Cargo.toml
GEN=target/release/examples/survey_gen
BENCH=bench/target/release/kaohe-bench

FILE="$OUT/survey-$ROWS.csv"
BIG="$OUT/survey-$CLI_ROWS.csv"
[ -s "$FILE" ] || $GEN --respondents "$ROWS" --units 200 --out "$FILE"
[ -s "$BIG" ] || $GEN --respondents "$CLI_ROWS" --units 200 --out "$BIG"
bytes=$(stat -c %s "$FILE")

echo "== kaohe and the floor ($ROWS respondents)"
$BENCH survey "$FILE" --runs "$RUNS" --counts "$OUT/survey-counts.json" --json "$OUT/survey.json" \
  > "$OUT/survey-native.md"

echo "== pandas and polars"
VENV=$OUT/venv
if ! "$VENV/bin/python" -c "import pandas, polars" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet pandas polars
fi
: > "$OUT/survey-peers.jsonl"
for engine in pandas polars polars-1; do
  "$VENV/bin/python" bench/survey/peers.py "$FILE" "$OUT/survey-counts.json" "$RUNS" "$engine" \
    >> "$OUT/survey-peers.jsonl"
done

echo "== the CLI on $CLI_ROWS respondents"
if [ ! -x /usr/bin/time ] && command -v apt-get >/dev/null 2>&1; then
  apt-get install -y time >/dev/null 2>&1 || true
fi
cli_rows=""
for threads in 1 0; do
  label="all ($(nproc))"
  env=()
  if [ "$threads" = 1 ]; then label=1; env=(RAYON_NUM_THREADS=1); fi
  /usr/bin/time -v env "${env[@]}" ./target/release/kaohe assess rules/satisfaction-survey.rhai "$BIG" \
    --format csv --quiet --out "$OUT/survey-result.csv" 2> "$OUT/survey-time.txt"
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$OUT/survey-time.txt")
  user=$(sed -n 's/.*User time (seconds): //p' "$OUT/survey-time.txt")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/survey-time.txt")
  secs=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rate=$(awk -v n="$CLI_ROWS" -v s="$secs" 'BEGIN { printf "%.0f", n / s }' | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
  cli_rows+="| \`kaohe assess rules/satisfaction-survey.rhai survey-$CLI_ROWS.csv --format csv\` | $label | $wall | $user s | $rate | $((rss / 1024)) MiB |"$'\n'
done
big_bytes=$(stat -c %s "$BIG")

echo "== the browser's engine: the WASM survey API in Node (200,000 respondents)"
wasm_md=""
if [ -f pkg/node/kaohe_bg_glue.js ] && command -v node >/dev/null 2>&1; then
  W="$OUT/survey-200000"
  [ -s "$W.csv" ] || $GEN --respondents 200000 --units 40 --out "$W.csv"
  [ -s "$W.xlsx" ] || $GEN --respondents 200000 --units 40 --out "$W.xlsx"
  wasm_md=$(node bench/survey/wasm.mjs rules/satisfaction-survey.rhai "$W.csv" "$W.xlsx" "$RUNS")
fi
# The CLI's rows go to the report through the environment: they hold backticks and pipes.

WASM_MD="$wasm_md" CLI_ROWS_MD="$cli_rows" node - "$OUT/survey.json" "$OUT/survey-peers.jsonl" "$ROWS" "$bytes" "$CLI_ROWS" "$big_bytes" \
  "$OUT/survey-native.md" > "$OUT/survey.md" <<'JS'
const fs = require("fs");
const [native, peersFile, rows, bytes, cliRows, bigBytes, nativeMd] = process.argv.slice(2);
const k = JSON.parse(fs.readFileSync(native, "utf8"));
const peers = fs.readFileSync(peersFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
const m = k.median_seconds;
const n = Number(rows);
const fmt = (x) => Math.round(x).toLocaleString("en-US");
const kaohe1 = m.kaohe;
const polars1 = peers.find((p) => p.engine === "polars-1");
const lines = [];
lines.push(`## Surveys: respondents' rows to answer counts`);
lines.push("");
lines.push(`Produced by \`bash scripts/bench-survey.sh\` (part of \`scripts/bench.sh\`) on ${new Date().toISOString().slice(0, 10)}; ` +
  `the machine is shared: compare ratios taken in the same run.`);
lines.push("");
lines.push(`Data: \`examples/survey_gen.rs --respondents ${n} --units 200\` — ${fmt(n)} respondents in 200 townships of ` +
  `unequal size, 问卷星's CSV layout (11 columns: 序号, 提交答卷时间, 所用时间, 来源, 来源详情, 来自IP, then the unit ` +
  `and four questions as option text, about 3 % 不清楚 and 0.5 % 跳过), UTF-8, ${fmt(Number(bytes))} bytes. ` +
  `The job: every unit's count of each answer to the three scored questions, from the CSV bytes in memory. ` +
  `Every engine's counts were checked equal to kaohe's before timing; median of ${k.runs} runs.`);
lines.push("");
lines.push("| engine | threads | median ms | respondent rows/s | × kaohe (1 thread) |");
lines.push("|---|---:|---:|---:|---:|");
const row = (label, threads, t) =>
  lines.push(`| ${label} | ${threads} | ${(t * 1000).toFixed(1)} | ${fmt(n / t)} | ${(kaohe1 / t).toFixed(2)}× |`);
row("kaohe `survey::read` (checks, statistics' tallies)", 1, m.kaohe);
row("kaohe `survey::read`", k.threads, m["kaohe-parallel"]);
row("hand-written Rust (floor: split, look up, count; no checks)", 1, m.floor);
row("hand-written Rust (floor), rayon", k.threads, m["floor-parallel"]);
for (const p of peers) {
  const name = p.engine.startsWith("polars") ? `polars ${p.version} \`read_csv\` + \`group_by().len()\`` :
    `pandas ${p.version} \`read_csv\` (C engine) + \`groupby().size()\``;
  row(name, p.threads, p.median_seconds);
}
lines.push("");
lines.push("pandas and polars read only the four columns used (`usecols`/`columns`), all as text; the time ends at the grouped counts.");
lines.push("");
lines.push(`### The CLI on ${fmt(Number(cliRows))} respondents`);
lines.push("");
lines.push(`The same generator, ${fmt(Number(cliRows))} respondents (${fmt(Number(bigBytes))} bytes); end to end: ` +
  `compile, detect the respondents' file, read it in blocks, tally, score the 200 units, write the CSV result.`);
lines.push("");
lines.push("| run | threads | wall time | user CPU | respondent rows/s | peak memory (RSS) |");
lines.push("|---|---:|---|---|---:|---:|");
lines.push(process.env.CLI_ROWS_MD.trim());
lines.push("");
if (process.env.WASM_MD) {
  lines.push("### The browser's engine: WASM in Node");
  lines.push("");
  lines.push("The WASM package's survey API (`surveyApi(…).assess`, `pkg/node`: the module built for speed; the browser's " +
    "module is built for size and runs slower) on 200,000 respondents in 40 townships, as CSV and as 问卷星's XLSX " +
    "(whose cells are read one at a time from the open workbook):");
  lines.push("");
  lines.push(process.env.WASM_MD.trim());
  lines.push("");
}
lines.push("### Targets (issue 14)");
lines.push("");
lines.push("| target | measured in this run | |");
lines.push("|---|---|---|");
const rate1 = n / kaohe1;
lines.push(`| ≥ 2 M answer rows/s on one core, end to end from the CSV bytes | ${fmt(rate1)} respondent rows/s, each row one respondent's answers to the three scored questions (\`survey::read\`, one thread; the CLI on ${fmt(Number(cliRows))}: see above) | ${rate1 >= 2e6 ? "met" : "missed"} |`);
const overFloor = kaohe1 / m.floor;
lines.push(`| within 2× of the hand-written floor | kaohe takes ${overFloor.toFixed(2)}× the floor's time on one thread | ${overFloor <= 2 ? "met" : "missed"} |`);
if (polars1) {
  const vs = polars1.median_seconds / kaohe1;
  lines.push(`| ahead of polars on one thread | kaohe ${vs.toFixed(2)}× polars' speed | ${vs > 1 ? "met" : "missed"} |`);
}
lines.push("");
console.log(lines.join("\n"));
JS
echo "== wrote $OUT/survey.md"
if [ "${1:-}" = --update ] && [ -f BENCHMARKS.md ]; then
  node - "$OUT/survey.md" <<'JS'
const fs = require("fs");
const section = fs.readFileSync(process.argv[2], "utf8").trim();
let doc = fs.readFileSync("BENCHMARKS.md", "utf8");
const start = doc.indexOf("## Surveys: respondents' rows to answer counts");
if (start >= 0) {
  const next = doc.indexOf("\n## ", start + 10);
  doc = doc.slice(0, start) + section + "\n" + (next >= 0 ? doc.slice(next) : "");
} else {
  const at = doc.indexOf("\n## kaohe WASM batch scoring");
  doc = at >= 0 ? doc.slice(0, at) + "\n" + section + "\n" + doc.slice(at) : doc + "\n" + section + "\n";
}
fs.writeFileSync("BENCHMARKS.md", doc);
JS
  echo "== updated BENCHMARKS.md"
fi
