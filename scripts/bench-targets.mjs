#!/usr/bin/env node
// The targets table of BENCHMARKS.md, from the figures scripts/bench.sh just measured:
//   node scripts/bench-targets.mjs [--reader READER.json] NATIVE.json WASM.json [STREAM_RSS_MIB STREAM_UNITS]
// Every cell is computed from those files; nothing here is typed in by hand.
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const readerAt = args.indexOf("--reader");
const readerFile = readerAt >= 0 ? args.splice(readerAt, 2)[1] : undefined;
const [nativeFile, wasmFile, rssArg, streamedArg] = args;
if (!wasmFile) {
  console.error(
    "usage: node scripts/bench-targets.mjs [--reader READER.json] NATIVE.json WASM.json [STREAM_RSS_MIB STREAM_UNITS]",
  );
  process.exit(2);
}
const read = (f) => JSON.parse(readFileSync(f, "utf8"));
const native = read(nativeFile);
const wasm = read(wasmFile);
const rss = Number(rssArg);
const streamed = Number(streamedArg);

const k = (n) => `${Math.round(n / 1000)}k`;
const x = (n) => `${n.toFixed(2)}×`;
const size = (n) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
const sizes = native.sizes.map((s) => size(s.units)).join(" / ");
const engine = (s, id) => s.engines.find((e) => e.engine === id);
const verdict = (ok) => (ok ? "met" : "missed");

const rows = [];
// One core, end to end from parsed input to results.
const one = native.sizes.map((s) => engine(s, "kaohe").units_per_s);
rows.push([
  "≥ 1,000,000 units/s on one core",
  `${one.map(k).join(" / ")} units/s at ${sizes}`,
  one.every((u) => u >= 1e6) ? "met" : `missed (${(1e6 / Math.max(...one)).toFixed(1)}–${(1e6 / Math.min(...one)).toFixed(1)}× short)`,
]);
// The floor, same run.
const floor = native.sizes.map((s) => engine(s, "floor").units_per_s / engine(s, "kaohe").units_per_s);
rows.push([
  "within 5× of the hand-written Rust floor",
  `kaohe ${floor.map(x).join(" / ")} slower`,
  verdict(floor.every((r) => r <= 5)),
]);
// The fastest peer engine at each size, same run.
const peers = ["zen", "jsonlogic", "rhai"];
const vsPeer = native.sizes.map((s) => {
  const best = peers.map((p) => engine(s, p)).filter(Boolean).sort((a, b) => b.units_per_s - a.units_per_s)[0];
  return { name: best.name, ratio: engine(s, "kaohe").units_per_s / best.units_per_s };
});
rows.push([
  `≥ 2× the fastest peer engine (${[...new Set(vsPeer.map((p) => p.name))].join(", ")})`,
  `kaohe ${vsPeer.map((p) => x(p.ratio)).join(" / ")} its speed`,
  verdict(vsPeer.every((p) => p.ratio >= 2)),
]);
// The explained report (issue 12): every reason in words, one core.
const explained = native.sizes.map((s) => engine(s, "kaohe-explained")).filter(Boolean);
if (explained.length) {
  rows.push([
    "explained report ≥ 100,000 units/s on one core",
    `${explained.map((e) => k(e.units_per_s)).join(" / ")} units/s at ${native.sizes
      .filter((s) => engine(s, "kaohe-explained"))
      .map((s) => size(s.units))
      .join(" / ")}`,
    explained.every((e) => e.units_per_s >= 1e5)
      ? "met"
      : `missed (${(1e5 / Math.max(...explained.map((e) => e.units_per_s))).toFixed(1)}× short at best)`,
  ]);
}
// WASM in Node against native one core: the median of per-run ratios, native timed right after
// each WASM run (bench.mjs --native).
const wasmRatio = wasm.datasets.map((d) => {
  const w = d.engines.kaohe;
  return { units: d.units, ratio: w.vs_native, each: w.vs_native_per_run, wasm: w.units_per_s };
});
rows.push([
  "WASM in Node ≥ 0.7× native",
  wasmRatio
    .map((r) => `${x(r.ratio)} at ${size(r.units)} (${k(r.wasm)} units/s; per run ${r.each.map((e) => e.toFixed(2)).join(", ")})`)
    .join("; "),
  verdict(wasmRatio.every((r) => r.ratio >= 0.7)),
]);
// The reader (kaohe-bench reader): kaohe's time over the plain csv-crate read's, whole and
// streamed, same run.
if (readerFile) {
  const reader = read(readerFile).reader;
  rows.push([
    "reader within 1.5× of the `csv` floor",
    `kaohe ${reader.map((r) => x(r.whole_vs_floor)).join(" / ")} the floor's time whole, ` +
      `${reader.map((r) => x(r.streamed_vs_floor)).join(" / ")} streamed, at ${reader.map((r) => size(r.units)).join(" / ")} rows`,
    verdict(reader.every((r) => r.whole_vs_floor <= 1.5 && r.streamed_vs_floor <= 1.5)),
  ]);
}
const engineModule = wasm.kaohe.wasm.find((m) => m.file === "kaohe_bg_glue_bg.wasm");
const fullModule = wasm.kaohe.wasm.find((m) => m.file === "full/kaohe_bg_glue_bg.wasm");
rows.push([
  "gzipped `.wasm` ≤ 800 KB",
  `${engineModule.gzip9.toLocaleString("en-US")} B (zlib level 9) for the browser's engine module` +
    (fullModule ? `; ${fullModule.gzip9.toLocaleString("en-US")} B with spreadsheets (loaded on first use)` : ""),
  verdict(engineModule.gzip9 <= 800_000),
]);
rows.push([
  "rule-set compile < 5 ms",
  `${native.compile_ms.toFixed(2)} ms (median of 25)`,
  verdict(native.compile_ms < 5),
]);
if (Number.isFinite(rss) && rss > 0) {
  rows.push([
    "1M units < 1 GB peak memory",
    `${rss} MiB (the CLI streaming ${size(streamed)} units)`,
    streamed >= 1e6 ? verdict(rss < 1024) : "not measured at 1M",
  ]);
}

console.log("## Targets (issues 5 and 12), computed from the tables below");
console.log("");
console.log("| target | measured in this run | |");
console.log("|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
