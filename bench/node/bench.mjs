#!/usr/bin/env node
// kaohe's WASM batch API in Node against two JS-callable rule engines on the same rule set
// (rules/county-antidrug.rhai) and the same townships:
//   - kaohe WASM: `loadUnits` (CSV parse, timed on its own), then `scoreBatch` (timed: loaded
//     units → totals, vetoes, ranks, grades in WASM memory), then `csv()` (timed on its own);
//   - json-rules-engine (county-antidrug.rules-engine.json + rules-engine.mjs);
//   - GoRules ZEN, npm @gorules/zen-engine (bench/rules/county-antidrug.zen.json).
// The peers get the units as plain objects (units.mjs, untimed); their timed section runs from
// those objects to every unit's total, veto and grade, one `await` per unit.
//
// Before any time is reported, a self-check of the batch API runs, and every run of every
// engine is checked against kaohe's batch result: total rounded half-up to 2 decimals, veto and
// grade of every unit. On the first difference the unit is printed and the exit status is 1.
//
//   bash scripts/build-wasm.sh && (cd bench/node && npm ci)
//   cargo run --release --manifest-path bench/Cargo.toml -- gen 100000 /tmp/county-100k.csv
//   node bench/node/bench.mjs /tmp/county-10k.csv /tmp/county-100k.csv [--runs 3] [--json out.json]
//        [--peer-budget SECONDS] [--engines kaohe,json-rules-engine,zen] [--pkg DIR] [--rules FILE]
//        [--zen FILE] [--native PATH-TO-kaohe-bench]
//
// With --native, each kaohe WASM run is followed by one timed run of native kaohe (one core) on
// the same units (`kaohe-bench bench --runs 1 --engines kaohe`, same seeded generator), so the
// WASM/native ratio is taken round by round under the same load: on a shared machine a native
// run minutes apart can differ from the WASM run by more than the ratio being measured.
import { createRequire } from "node:module";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync, constants as zlibConstants } from "node:zlib";
import os from "node:os";
import { csvRows, readUnits } from "./units.mjs";
import { rulesEngine } from "./rules-engine.mjs";
import { zen } from "./zen.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
const require = createRequire(import.meta.url);

const { values: opt, positionals: files } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: "string" },
    runs: { type: "string", default: "3" },
    "peer-budget": { type: "string", default: "60" },
    engines: { type: "string", default: "kaohe,json-rules-engine,zen" },
    pkg: { type: "string", default: join(ROOT, "pkg") },
    rules: { type: "string", default: join(ROOT, "rules/county-antidrug.rhai") },
    zen: { type: "string", default: join(ROOT, "bench/rules/county-antidrug.zen.json") },
    native: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (opt.help || files.length === 0) {
  console.error("usage: node bench/node/bench.mjs DATA.csv [DATA.csv …] [--runs N] [--peer-budget SECONDS] [--json PATH] [--engines kaohe,json-rules-engine,zen] [--pkg DIR] [--rules FILE] [--zen FILE]");
  process.exit(opt.help ? 0 : 2);
}
const RUNS = Math.max(1, Number(opt.runs) || 3);
// A peer runs up to RUNS times, but no further run starts once its runs took this many seconds.
const PEER_BUDGET_MS = Math.max(0, Number(opt["peer-budget"]) || 0) * 1000;
const ENGINES = opt.engines.split(",").map((s) => s.trim());
const glueFile = join(opt.pkg, "node/kaohe_bg_glue.js");
if (!existsSync(glueFile)) {
  console.error(`error: no ${glueFile}; build the package first: bash scripts/build-wasm.sh`);
  process.exit(1);
}
const { api } = await import(pathToFileURL(join(opt.pkg, "kaohe.js")).href);
const kaohe = api(require(glueFile));

const now = () => performance.now();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const fmtInt = (n) => Math.round(n).toLocaleString("en-US");
const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}

/** kaohe's batch CSV as rows: { id, name, total (cents or null), grade, rank, vetoed }. */
function batchRows(text) {
  const [header, ...rows] = csvRows(text);
  if (header.join(",") !== "单位编码,单位名称,总分,等次,名次,一票否决") fail(`unexpected batch CSV header: ${header}`);
  return rows.map(([id, name, total, grade, rank, vetoed]) => ({
    id, name,
    total: total === "" ? null : Math.round(Number(total) * 100),
    grade: grade === "" ? null : grade,
    rank: rank === "" ? null : Number(rank),
    vetoed: vetoed === "是",
  }));
}

// ── Self-check of the WASM batch API ────────────────────────────────────────────────────────
function selfCheck() {
  let checks = 0;
  const ok = (cond, what) => {
    checks++;
    if (!cond) fail(`self-check: ${what}`);
  };
  const b = kaohe.bundled().find((x) => x.id === "county-antidrug");
  const c = kaohe.compile(b.rulesPath, b.rules);
  ok(c.type === "success", "the bundled county rule set compiles");
  const rs = c.ruleSet;
  const loaded = rs.loadUnits(b.data, { fileName: "sample.csv" });
  ok(loaded.type === "success", `loadUnits reads the sample: ${JSON.stringify(loaded.errors)}`);
  const sampleIds = csvRows(b.data).slice(1).map((r) => r[0]);
  ok(loaded.units.len() === sampleIds.length, "loadUnits: one unit per row");
  const scored = rs.scoreBatch(loaded.units);
  ok(scored.type === "success", `scoreBatch scores the sample: ${JSON.stringify(scored.errors)}`);
  ok(scored.scores.len() === sampleIds.length, "scoreBatch: one result per unit");
  loaded.units.free(); // the results keep what they need
  const rows = batchRows(scored.scores.csv());
  ok(rows.map((r) => r.id).join() === sampleIds.join(), "scoreBatch: results in input order");
  const report = rs.assess(b.data, { fileName: "sample.csv" });
  ok(report.type === "success", "assess scores the sample");
  for (const u of report.report.units) {
    const r = rows.find((x) => x.id === u.id);
    const want = { name: u.name, total: Math.round(Number(u.total_display) * 100), grade: u.grade, rank: u.rank, vetoed: u.vetoed };
    const got = r && { name: r.name, total: r.total, grade: r.grade, rank: r.rank, vetoed: r.vetoed };
    ok(JSON.stringify(got) === JSON.stringify(want), `unit ${u.id}: batch ${JSON.stringify(got)}, assess ${JSON.stringify(want)}`);
  }
  ok(rows.some((r) => r.vetoed) && rows.some((r) => r.grade === "先进"), "the sample has vetoed and 先进 units");
  scored.scores.free();
  report.free();

  // Bad data: a failure as data, or the good rows with keepGoing.
  const lines = b.data.trim().split("\n");
  const cells = lines[2].split(",");
  cells[2] = "很多";
  const bad = [lines[0], lines[1], cells.join(","), ...lines.slice(3)].join("\n");
  const refused = rs.loadUnits(bad, { fileName: "bad.csv" });
  ok(refused.type === "failure" && refused.stage === "data" && refused.errors[0].row === 3 && refused.errors[0].column === 3,
    `loadUnits: a bad cell is a data failure with its row and column: ${JSON.stringify(refused)}`);
  const kept = rs.loadUnits(bad, { fileName: "bad.csv", keepGoing: true });
  ok(kept.type === "success" && kept.units.len() === sampleIds.length - 1 && kept.units.dataErrors.length === 1,
    "loadUnits with keepGoing keeps the good rows and reports the bad one");
  const other = kaohe.compile(b.rulesPath, b.rules).ruleSet;
  const foreign = other.scoreBatch(kept.units);
  ok(foreign.type === "failure" && foreign.stage === "data", "scoreBatch refuses units loaded for another rule set");
  ok(rs.scoreBatch({ len: () => 1 }).type === "failure", "scoreBatch refuses what loadUnits did not return");
  kept.units.free();
  other.free();
  rs.free();
  return checks;
}

// ── Machine and package ─────────────────────────────────────────────────────────────────────
const versionOf = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")).version;
/** Size of a module of the package, raw and gzip -9 (zlib), when it is there. */
function sizeOf(file) {
  if (!existsSync(file)) return null;
  const bytes = readFileSync(file);
  return { file: file.slice(opt.pkg.length + 1), raw: bytes.length, gzip9: gzipSync(bytes, { level: zlibConstants.Z_BEST_COMPRESSION }).length };
}
// The browser loads the engine module; the full one (spreadsheets) on demand. Node runs the full one.
const modules = [join(opt.pkg, "kaohe_bg_glue_bg.wasm"), join(opt.pkg, "full/kaohe_bg_glue_bg.wasm"), join(opt.pkg, "node/kaohe_bg_glue_bg.wasm")]
  .map(sizeOf)
  .filter((m) => m !== null);
const out = {
  date: new Date().toISOString(),
  machine: {
    node: process.version, cpu: os.cpus()[0]?.model ?? "?", cores: os.availableParallelism(),
    loadavg_before: os.loadavg().map((x) => +x.toFixed(2)),
  },
  kaohe: {
    version: kaohe.version(),
    wasm: modules,
  },
  peers: { "json-rules-engine": versionOf("json-rules-engine"), "@gorules/zen-engine": versionOf("@gorules/zen-engine") },
  runs: RUNS,
  self_check: selfCheck(),
  datasets: [],
};

// ── The runs ────────────────────────────────────────────────────────────────────────────────
const source = readFileSync(opt.rules, "utf8");
const compiled = kaohe.compile(opt.rules, source);
if (compiled.type !== "success") fail(`${opt.rules} does not compile: ${JSON.stringify(compiled.errors)}`);
const rs = compiled.ruleSet;

function compare(engine, facts, ref, got) {
  for (let i = 0; i < ref.length; i++) {
    const want = ref[i];
    const g = got[i];
    if (g.total !== want.total || g.vetoed !== want.vetoed || g.grade !== want.grade) {
      console.error(`mismatch: ${engine}, unit ${i + 1} (${want.id} ${want.name})`);
      console.error(`  kaohe: total ${want.total / 100}, vetoed ${want.vetoed}, grade ${want.grade}`);
      console.error(`  ${engine}: total ${g.total / 100}, vetoed ${g.vetoed}, grade ${g.grade}`);
      console.error(`  input: ${JSON.stringify(facts[i])}`);
      process.exit(1);
    }
  }
}

/** One timed run of native kaohe (one core) on `units` generated townships, in ms. */
const nativeDir = opt.native ? mkdtempSync(join(os.tmpdir(), "kaohe-native-")) : null;
function nativeRun(units) {
  const json = join(nativeDir, "run.json");
  const r = spawnSync(opt.native, ["bench", "--sizes", String(units), "--runs", "1", "--engines", "kaohe", "--json", json], { encoding: "utf8" });
  if (r.status !== 0) fail(`${opt.native} failed: ${r.stderr || r.error}`);
  const size = JSON.parse(readFileSync(json, "utf8")).sizes[0];
  return size.engines.find((e) => e.engine === "kaohe").median_s * 1000;
}

for (const file of files) {
  const bytes = readFileSync(file);
  const ds = { file, bytes: bytes.length, units: 0, engines: {} };
  console.error(`== ${file}`);

  // kaohe: parse, score, read out
  const parse = [];
  const score = [];
  const read = [];
  const native = [];
  let ref = null;
  for (let r = 0; r < RUNS; r++) {
    let t = now();
    const loaded = rs.loadUnits(bytes, { fileName: basename(file) });
    parse.push(now() - t);
    if (loaded.type !== "success") fail(`${file}: ${JSON.stringify(loaded.errors.slice(0, 5))}`);
    t = now();
    const scored = rs.scoreBatch(loaded.units);
    score.push(now() - t);
    if (scored.type !== "success") fail(`${file}: ${JSON.stringify(scored.errors.slice(0, 5))}`);
    t = now();
    const text = scored.scores.csv();
    read.push(now() - t);
    const rows = batchRows(text);
    if (ref !== null && JSON.stringify(rows) !== JSON.stringify(ref)) fail("kaohe: runs differ");
    ref = rows;
    ds.units = loaded.units.len();
    scored.scores.free();
    loaded.units.free();
    if (nativeDir) native.push(nativeRun(ds.units));
  }
  ds.engines.kaohe = {
    label: "kaohe WASM `scoreBatch`",
    parse_ms: parse, score_ms: score, csv_ms: read,
    units_per_s: ds.units / (median(score) / 1000),
  };
  if (nativeDir) {
    // WASM speed as a share of native, round by round; the median of those.
    const k = ds.engines.kaohe;
    k.native_ms = native;
    k.vs_native_per_run = native.map((n, i) => n / score[i]);
    k.vs_native = median(k.vs_native_per_run);
  }
  console.error(`   kaohe: parse ${fmtMs(median(parse))}, scoreBatch ${fmtMs(median(score))}, csv ${fmtMs(median(read))}`);

  // The peers' input, untimed in their rows
  const t0 = now();
  const facts = readUnits(bytes.toString("utf8"), rs.info.fields);
  ds.peer_input_ms = now() - t0;
  if (facts.length !== ref.length || facts.some((u, i) => u.code !== ref[i].id)) fail("the peers' units are not kaohe's units");

  const peers = [];
  if (ENGINES.includes("json-rules-engine")) peers.push(["json-rules-engine", `json-rules-engine ${out.peers["json-rules-engine"]}`, rulesEngine()]);
  if (ENGINES.includes("zen")) peers.push(["zen", `ZEN (@gorules/zen-engine ${out.peers["@gorules/zen-engine"]})`, zen(opt.zen)]);
  for (const [key, label, engine] of peers) {
    const times = [];
    for (let r = 0; r < RUNS && (r === 0 || times.reduce((a, b) => a + b, 0) < PEER_BUDGET_MS); r++) {
      const got = new Array(facts.length);
      const t = now();
      for (let i = 0; i < facts.length; i++) got[i] = await engine.score(facts[i]);
      times.push(now() - t);
      compare(key, facts, ref, got);
    }
    engine.dispose?.();
    ds.engines[key] = { label, score_ms: times, units_per_s: ds.units / (median(times) / 1000) };
    console.error(`   ${key}: ${fmtMs(median(times))} (checked equal to kaohe)`);
  }
  out.datasets.push(ds);
}
out.machine.loadavg_after = os.loadavg().map((x) => +x.toFixed(2));
if (nativeDir) rmSync(nativeDir, { recursive: true, force: true });

// ── Report ──────────────────────────────────────────────────────────────────────────────────
const md = [];
md.push(`## kaohe WASM batch scoring in Node vs JS rule engines`);
md.push("");
md.push(`${out.date.slice(0, 10)} · Node ${out.machine.node} · ${out.machine.cpu} · ${out.machine.cores} cores · load ${out.machine.loadavg_before.join(" ")} → ${out.machine.loadavg_after.join(" ")}`);
md.push(`kaohe ${out.kaohe.version} · json-rules-engine ${out.peers["json-rules-engine"]} · @gorules/zen-engine ${out.peers["@gorules/zen-engine"]}`);
md.push("");
md.push("| WASM module | raw | gzip -9 |");
md.push("|---|---:|---:|");
for (const m of out.kaohe.wasm) md.push(`| \`pkg/${m.file}\` | ${fmtInt(m.raw)} B | ${fmtInt(m.gzip9)} B |`);
md.push("");
md.push(`Rule set \`${basename(opt.rules)}\`; median of ${RUNS} run(s) (a peer stops starting runs after ${PEER_BUDGET_MS / 1000} s), one core, one unit at a time; every run checked equal to kaohe (total to 2 decimals, veto, grade); batch API self-check: ${out.self_check} checks passed.`);
for (const ds of out.datasets) {
  const k = ds.engines.kaohe;
  md.push("");
  md.push(`### ${basename(ds.file)} — ${fmtInt(ds.units)} units (${fmtInt(ds.bytes)} B)`);
  md.push("");
  md.push("| engine | time (median) | runs | units/s | kaohe is × faster |");
  md.push("|---|---:|---:|---:|---:|");
  md.push(`| ${k.label} | ${fmtMs(median(k.score_ms))} | ${k.score_ms.length} | ${fmtInt(k.units_per_s)} | 1.0 |`);
  for (const [key, e] of Object.entries(ds.engines)) {
    if (key === "kaohe") continue;
    md.push(`| ${e.label} | ${fmtMs(median(e.score_ms))} | ${e.score_ms.length} | ${fmtInt(e.units_per_s)} | ${(k.units_per_s / e.units_per_s).toFixed(1)} |`);
  }
  md.push("");
  if (k.vs_native !== undefined) {
    md.push("");
    md.push(`Native kaohe (one core) timed right after each WASM run on the same units: ${k.native_ms.map(fmtMs).join(", ")}, against WASM ${k.score_ms.map(fmtMs).join(", ")}: WASM runs at **${k.vs_native.toFixed(2)}× native** (median of the per-run ratios ${k.vs_native_per_run.map((r) => r.toFixed(2)).join(", ")}).`);
  }
  md.push("");
  md.push(`Not in the rows above: kaohe \`loadUnits\` (CSV → units in WASM memory) ${fmtMs(median(k.parse_ms))} (${fmtInt(ds.units / (median(k.parse_ms) / 1000))} units/s); \`csv()\` (results → JS text) ${fmtMs(median(k.csv_ms))}; the peers' input objects built in JS ${fmtMs(ds.peer_input_ms)}.`);
}
console.log(md.join("\n"));
if (opt.json) writeFileSync(opt.json, JSON.stringify(out, null, 2) + "\n");
