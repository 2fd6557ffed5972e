// The browser app at scale, measured in headless Chromium (not a test: figures, no asserts).
//
//   node bench/browser/bench.mjs [--sizes 10000,100000] [--runs 2] [--json out.json] > out.md
//
// Opens dist/kaohe.html from file:// (the single file: engine inlined, no server), waits for the
// default result, then for each size chooses a generated CSV of that many townships
// (tests/e2e/gen.mjs, seeded) in the file picker and measures, in the page:
//   - file chosen → table shown: from the input's `change` event to the status bar naming the
//     new file with its unit count (the table and charts are drawn by then);
//   - the longest main-thread task in that interval (PerformanceObserver, `longtask`; Chromium
//     reports tasks over 50 ms — none means the page never blocked for 50 ms);
//   - JS heap of the page (performance.memory) and the peak memory of all Chromium processes,
//     as the sum of their PSS (proportional set size: shared pages split, not counted twice),
//     sampled every 100 ms;
//   - filter by text, filter by grade and sort by total (first, uncached, and again): the time
//     of the synchronous handler that filters/sorts and redraws the table.
// Requires dist/ built (bash scripts/build-dist.sh) and tests/e2e's npm packages.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, launch } from "../../tests/e2e/helpers.mjs";
import { townships } from "../../tests/e2e/gen.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const SIZES = arg("sizes", "10000,100000").split(",").map(Number);
const RUNS = Number(arg("runs", "2"));
const SINGLE = join(ROOT, "dist/kaohe.html");

/** PSS of every process whose command line names `marker` (the profile folder) — or only
 * its renderers (the page and its worker), with `renderer` — in MiB. */
function pssMiB(marker, renderer = false) {
  let kb = 0;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!cmd.includes(marker) || (renderer && !cmd.includes("--type=renderer"))) continue;
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
      if (m) kb += Number(m[1]);
    } catch {
      // the process ended meanwhile
    }
  }
  return kb / 1024;
}

async function once(size, csv) {
  const ctx = await launch();
  const marker = ctx._options?.userDataDir ?? "kaohe-chromium-";
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(pathToFileURL(SINGLE).href);
  await page.waitForFunction(() => document.querySelector("#result-table tbody tr[data-unit]"), null, { timeout: 30000 });
  await page.evaluate(() => {
    window.__bench = { long: [], chosen: 0, shown: 0 };
    new PerformanceObserver((l) => window.__bench.long.push(...l.getEntries().map((e) => ({ start: e.startTime, ms: e.duration }))))
      .observe({ type: "longtask", buffered: false });
    document.querySelector("#data-file").addEventListener("change", () => (window.__bench.chosen = performance.now()), { capture: true });
    new MutationObserver(() => {
      if (!window.__bench.shown && /bench\.csv，.*个单位/.test(document.querySelector("#status-data").textContent)) window.__bench.shown = performance.now();
    }).observe(document.querySelector("#status-data"), { childList: true, characterData: true, subtree: true });
  });
  await page.waitForTimeout(1000);
  const idle = { all: pssMiB(marker), renderer: pssMiB(marker, true) };
  let peak = 0;
  let peakRenderer = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, pssMiB(marker));
    peakRenderer = Math.max(peakRenderer, pssMiB(marker, true));
  }, 100);
  // A path, not a buffer: Playwright hands a buffer to the page by script, on its main thread.
  await page.setInputFiles("#data-file", csv);
  await page.waitForFunction(() => window.__bench.shown > 0, null, { timeout: 120000, polling: 50 });
  // Filters and sorts are timed 2 s after the table shows (the filter text and name keys of a
  // big result are made in idle slices meanwhile, as they are while someone reads the table).
  await page.waitForTimeout(2000);
  clearInterval(sampler);
  const r = await page.evaluate(() => {
    const b = window.__bench;
    const during = b.long.filter((t) => t.start >= b.chosen - 1 && t.start <= b.shown);
    return {
      shownMs: b.shown - b.chosen,
      longestTaskMs: Math.max(0, ...during.map((t) => t.ms)),
      longTasks: during.length,
      heapMiB: performance.memory ? performance.memory.usedJSHeapSize / 1048576 : null,
      rows: document.querySelectorAll("#result-table tbody tr[data-unit]").length,
    };
  });
  // Filter and sort: the synchronous handler (filter/sort + table and charts redrawn).
  const timed = (action) => page.evaluate((a) => {
    const t = performance.now();
    if (a.text !== undefined) {
      const el = document.querySelector("#filter-text");
      el.value = a.text;
      el.dispatchEvent(new Event("input", { bubbles: true }));
    } else if (a.grade !== undefined) {
      const el = document.querySelector("#filter-grade");
      el.value = a.grade;
      el.dispatchEvent(new Event("change", { bubbles: true }));
    } else {
      document.querySelector(`button[data-sort=${a.sort}]`).click();
    }
    return performance.now() - t;
  }, action);
  r.filterTextMs = await timed({ text: "城关镇00" });
  r.filterClearMs = await timed({ text: "" });
  r.filterGradeMs = await timed({ grade: "合格" });
  await timed({ grade: "" });
  r.sortFirstMs = await timed({ sort: "total" });
  r.sortAgainMs = await timed({ sort: "total" });
  r.sortNameMs = await timed({ sort: "name" });
  r.peakPssMiB = Math.max(peak, pssMiB(marker));
  r.peakRendererMiB = Math.max(peakRenderer, pssMiB(marker, true));
  r.idlePssMiB = idle.all;
  r.idleRendererMiB = idle.renderer;
  await ctx.close();
  return { size, ...r };
}

const results = [];
const dir = mkdtempSync(join(tmpdir(), "kaohe-bench-"));
for (const size of SIZES) {
  const csv = join(dir, "bench.csv");
  writeFileSync(csv, townships(size));
  for (let run = 0; run < RUNS; run++) {
    const r = await once(size, csv);
    console.error(`${size} units, run ${run + 1}: ${JSON.stringify(r)}`);
    results.push(r);
  }
}
rmSync(dir, { recursive: true, force: true });
const html = readFileSync(SINGLE);
const sizes = { singleFile: html.length, singleFileGzip: gzipSync(html, { level: 9 }).length };
const jsonOut = arg("json", null);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ results, sizes }, null, 2) + "\n");

const best = (size, key) => Math.min(...results.filter((r) => r.size === size).map((r) => r[key]));
const worst = (size, key) => Math.max(...results.filter((r) => r.size === size).map((r) => r[key]));
const f0 = (x) => (x == null ? "—" : x.toFixed(0));
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
const chrome = statSync("/usr/bin/chromium", { throwIfNoEntry: false }) ? "Debian chromium" : "Chromium";
console.log(`## The browser app (headless ${chrome}, the single file from file://)`);
console.log();
console.log(`\`node bench/browser/bench.mjs --sizes ${SIZES.join(",")} --runs ${RUNS}\`: generated townships of the county rule set`);
console.log("(`tests/e2e/gen.mjs`) chosen in the file picker of `dist/kaohe.html`; each run in a fresh browser.");
console.log("Worst of the runs for time and memory, as measured in the page (see the script's header).");
console.log();
console.log("| units | file chosen → table shown | longest main-thread task | long tasks (> 50 ms) | page JS heap | peak memory: page + worker (renderer PSS) | peak memory: all Chromium processes (PSS) | rows in the page |");
console.log("|---|---|---|---|---|---|---|---|");
for (const size of SIZES) {
  console.log(`| ${size.toLocaleString("en")} | ${f0(worst(size, "shownMs"))} ms (best ${f0(best(size, "shownMs"))}) | ${f0(worst(size, "longestTaskMs"))} ms | ${worst(size, "longTasks")} | ${f0(worst(size, "heapMiB"))} MiB | ${f0(worst(size, "peakRendererMiB"))} MiB (idle before: ${f0(worst(size, "idleRendererMiB"))}) | ${f0(worst(size, "peakPssMiB"))} MiB (idle before: ${f0(worst(size, "idlePssMiB"))}) | ${worst(size, "rows")} |`);
}
console.log();
console.log("| units | filter by text | clear filter | filter by grade | sort by total | sort by total, other way | sort by name |");
console.log("|---|---|---|---|---|---|---|");
for (const size of SIZES) {
  console.log(`| ${size.toLocaleString("en")} | ${f0(worst(size, "filterTextMs"))} ms | ${f0(worst(size, "filterClearMs"))} ms | ${f0(worst(size, "filterGradeMs"))} ms | ${f0(worst(size, "sortFirstMs"))} ms | ${f0(worst(size, "sortAgainMs"))} ms | ${f0(worst(size, "sortNameMs"))} ms |`);
}
console.log();
console.log(`Single file \`dist/kaohe.html\`: ${kib(sizes.singleFile)} (${kib(sizes.singleFileGzip)} gzipped) — the whole app with the full engine module (spreadsheets included) gzipped and base64'd inside.`);
