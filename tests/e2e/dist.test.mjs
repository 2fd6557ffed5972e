// The distribution, end to end in headless Chromium, the way an evaluator gets it:
//   1. dist/kaohe.html opened from disk (file://), no server: the whole job — GBK CSV and XLSX
//      in, 计分明细, last period, export XLSX, print the 通报 to PDF and read the PDF's text;
//   2. 100,000 units in that file: progress bar, table, filter, sort, export CSV and XLSX;
//   3. dist/ on a plain static web server;
//   4. `kaohe serve` (the app built in) started in an empty folder outside the repository; then
//      the server is stopped and the page reloaded: XLSX in and out still work (service worker).
// Screenshots (and the PDF) go to tests/e2e/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, SCREENSHOTS, launch, startServe } from "./helpers.mjs";
import { xlsx, csvRows, unzip } from "./xlsx.mjs";
import { townships } from "./gen.mjs";

const DIST = join(ROOT, "dist");
const SINGLE = join(DIST, "kaohe.html");
const APP_BIN = process.env.KAOHE_APP_BIN ?? join(ROOT, "target/release/kaohe");
const sample = readFileSync(join(ROOT, "rules/samples/county-antidrug.csv"), "utf8");
const gbk = readFileSync(join(ROOT, "rules/samples/county-antidrug.gbk.csv"));
const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

let ctx;
before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  assert.ok(existsSync(SINGLE), "dist/kaohe.html is built (bash scripts/build-dist.sh)");
  ctx = await launch();
});
after(async () => {
  await ctx?.close();
});

/** A new page that records every request, page error and console error. */
async function open(url) {
  const page = await ctx.newPage();
  const seen = { requests: [], errors: [] };
  page.on("request", (r) => seen.requests.push(r.url()));
  page.on("pageerror", (e) => seen.errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && seen.errors.push(m.text()));
  await page.goto(url);
  return { page, seen };
}

async function waitTop(page, name, total, timeout = 20000) {
  await page.waitForFunction(([n, t]) => {
    const r = document.querySelector("#result-table tbody tr[data-unit]");
    return r && r.querySelector(".c-name")?.textContent.trim() === n && r.querySelector(".c-total")?.textContent.trim() === t;
  }, [name, total], { timeout });
}

async function save(page, button, timeout = 30000) {
  const [download] = await Promise.all([page.waitForEvent("download", { timeout }), page.click(button)]);
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
}

const shot = (page, name, opts = {}) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), ...opts });
const hasPdftotext = spawnSync("pdftotext", ["-v"]).error === undefined;

/** GBK CSV, XLSX, a unit's breakdown and export XLSX — the evaluator's job, on any delivery. */
async function evaluatorJob(page, tag) {
  await waitTop(page, "城关镇", "101.00");
  await page.setInputFiles("#data-file", { name: "县禁毒数据.gbk.csv", mimeType: "text/csv", buffer: gbk });
  await page.waitForFunction(() => /县禁毒数据\.gbk\.csv，GBK\/GB18030 编码/.test(document.querySelector("#status-data").textContent));
  await waitTop(page, "城关镇", "101.00");
  assert.equal(await page.locator("#result-table tbody tr[data-unit]").count(), 20);
  await page.setInputFiles("#data-file", { name: "县禁毒考核数据.xlsx", mimeType: XLSX_TYPE, buffer: Buffer.from(xlsx(csvRows(sample))) });
  await page.waitForFunction(() => document.querySelector("#status-data").textContent.includes("县禁毒考核数据.xlsx，电子表格"));
  await waitTop(page, "城关镇", "101.00");
  await page.click("#result-table .unit-link >> text=城关镇");
  const dlg = page.locator("#unit-dialog");
  await dlg.waitFor({ state: "visible" });
  assert.match(await dlg.innerText(), /计分明细[\s\S]*每缺一份扣1分/);
  await shot(page, `${tag}-breakdown`);
  await page.click("#unit-close");
  const x = await save(page, "#export-xlsx");
  assert.equal(x.name, "county-antidrug-考核结果.xlsx");
  assert.equal(x.bytes.subarray(0, 2).toString(), "PK");
  const book = await unzip(x.bytes);
  assert.match(book["xl/workbook.xml"].toString(), /name="考核结果"/);
  assert.match(Object.entries(book).filter(([k]) => k.startsWith("xl/")).map(([, v]) => v.toString()).join(""), /城关镇/);
}

test("dist/kaohe.html from file://, no server: GBK, XLSX, 计分明细, last period, export, print to PDF", async () => {
  const { page, seen } = await open(pathToFileURL(SINGLE).href);
  await evaluatorJob(page, "single-file");
  // Last period: the satisfaction rule set with its previous result.
  const i = await page.locator("#ruleset-select option", { hasText: "分局安满度" }).getAttribute("value");
  await page.selectOption("#ruleset-select", i);
  await page.waitForFunction(() => document.querySelector("#summary h1")?.textContent.includes("分局安满度"));
  await page.setInputFiles("#previous-file", join(ROOT, "rules/samples/satisfaction.prev.json"));
  await page.locator("#result-table th >> text=名次变化").waitFor();
  assert.ok((await page.locator("#result-table td.c-change").allInnerTexts()).some((t) => /[↑↓]\d|持平/.test(t)));
  await shot(page, "single-file-previous-period", { fullPage: true });
  await page.selectOption("#ruleset-select", "0");
  await waitTop(page, "城关镇", "101.00");
  // Print: the 通报 as a PDF, and its text.
  await shot(page, "single-file", { fullPage: true });
  const pdf = join(SCREENSHOTS, "single-file-通报.pdf");
  await page.pdf({ path: pdf, format: "A4" });
  assert.equal(readFileSync(pdf).subarray(0, 5).toString(), "%PDF-");
  if (hasPdftotext) {
    const text = spawnSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" }).stdout;
    assert.match(text, /县禁毒工作绩效考核结果通报/);
    assert.match(text, /××县禁毒委员会办公室/, "the issuing body the rule set declares");
    assert.match(text, /第 1 页，共 \d+ 页/, "page numbers");
    assert.match(text, /城关镇/);
    assert.match(text, /一票否决[\s\S]*桃源镇/);
    assert.doesNotMatch(text, /载入数据|导出 Excel/, "only the report is printed");
  } else {
    console.log("# pdftotext not installed: the PDF's text is not checked");
  }
  // Nothing left the page: no http(s) request at all, no CSP violation, no error.
  assert.deepEqual(seen.requests.filter((u) => !/^(file|blob|data):/.test(u)), []);
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test("100,000 units in the single file: progress, a drawn-as-needed table, filter, sort, exports", async () => {
  const { page, seen } = await open(pathToFileURL(SINGLE).href);
  await waitTop(page, "城关镇", "101.00");
  // From a file on disk: a buffer would be handed to the page by script, on its main thread.
  const dir = mkdtempSync(join(tmpdir(), "kaohe-100k-"));
  const csv = join(dir, "十万乡镇.csv");
  writeFileSync(csv, townships(100000));
  const again = join(dir, "又一个十万.csv");
  writeFileSync(again, readFileSync(csv));
  const t0 = Date.now();
  await page.setInputFiles("#data-file", csv);
  await page.locator("#busy-progress").waitFor({ state: "visible", timeout: 10000 });
  assert.equal(await page.locator("#stop").isVisible(), true, "a long run can be stopped");
  assert.equal(await page.locator("#export-xlsx").isDisabled(), true, "no export while a run is in progress");
  assert.doesNotMatch(await page.locator("#status-data").innerText(), /数据：十万乡镇\.csv，/, "the new file's name is not put over the old table");
  await shot(page, "100k-progress");
  await page.waitForFunction(() => /十万乡镇\.csv，UTF-8 编码，100,000 个单位/.test(document.querySelector("#status-data").textContent), null, { timeout: 60000 });
  console.log(`# 100k units: file chosen → table shown in ${Date.now() - t0} ms (headless, shared CI machine)`);
  assert.equal(await page.locator("#filter-count").innerText(), "共 100000 个单位");
  const drawn = await page.locator("#result-table tbody tr[data-unit]").count();
  assert.ok(drawn > 10 && drawn < 200, `${drawn} rows in the page`);
  assert.equal(await page.locator("#bar-chart svg.grade-summary").count(), 1, "a summary chart, not 100,000 bars");
  await shot(page, "100k-table");
  // Scroll far down: the rows in view are drawn.
  await page.locator(".scroll-x").evaluate((el) => { el.scrollTop = 34 * 50000; });
  await page.waitForFunction(() => [...document.querySelectorAll("#result-table tbody tr[data-unit] .c-rank")].some((td) => +td.textContent > 40000));
  // Filter by text, then by grade; sort by total both ways.
  const wanted = (await page.locator("#result-table tbody tr[data-unit] .c-name").first().innerText()).slice(0, -1);
  await page.fill("#filter-text", wanted);
  await page.waitForFunction(() => /显示 \d+ \/ 100000 个单位/.test(document.querySelector("#filter-count").textContent));
  const names = await page.locator("#result-table tbody tr[data-unit] .c-name").allInnerTexts();
  assert.ok(names.length > 0 && names.every((n) => n.includes(wanted)), `${wanted}: ${names.join(",")}`);
  await page.fill("#filter-text", "");
  await page.selectOption("#filter-grade", "不合格");
  const count = await page.locator("#filter-count").innerText();
  assert.match(count, /显示 \d+ \/ 100000 个单位/);
  assert.ok((await page.locator("#result-table tbody tr[data-unit] .c-grade").allInnerTexts()).every((g) => g === "不合格"));
  await page.selectOption("#filter-grade", "");
  await page.click("button[data-sort=total]");
  const high = parseFloat(await page.locator("#result-table tbody tr[data-unit] .c-total").first().innerText());
  await page.click("button[data-sort=total]");
  const low = parseFloat(await page.locator("#result-table tbody tr[data-unit] .c-total").first().innerText());
  assert.ok(high > low, `${high} > ${low}`);
  // By name: zh-CN (pinyin) order, the order made by the worker.
  await page.click("button[data-sort=name]");
  const sorted = await page.locator("#result-table tbody tr[data-unit] .c-name").allInnerTexts();
  const collator = new Intl.Collator("zh-CN");
  assert.ok(sorted.length > 10 && sorted.every((n, i) => i === 0 || collator.compare(sorted[i - 1], n) <= 0), sorted.slice(0, 5).join(","));
  await page.click("button[data-sort=name]");
  const reversed = await page.locator("#result-table tbody tr[data-unit] .c-name").allInnerTexts();
  assert.ok(reversed.every((n, i) => i === 0 || collator.compare(reversed[i - 1], n) >= 0), reversed.slice(0, 5).join(","));
  await page.click("button[data-sort=rank]");
  // One unit's 计分明细, made on opening.
  await page.locator("#result-table .unit-link").first().click();
  await page.locator("#unit-dialog").waitFor({ state: "visible" });
  await page.waitForFunction(() => /计分明细/.test(document.querySelector("#unit-body").textContent));
  assert.match(await page.locator("#unit-body").innerText(), /第 1 名[\s\S]*禁毒责任状签订/);
  await shot(page, "100k-breakdown");
  await page.click("#unit-close");
  // Exports of all 100,000 units.
  const c = await save(page, "#export-csv", 60000);
  const lines = c.bytes.toString("utf8").replace(/\n$/, "").split("\n");
  assert.equal(lines.length, 100001);
  assert.match(lines[0], /^\uFEFF名次,单位编码,单位名称,总分,等次/);
  const x = await save(page, "#export-xlsx", 120000);
  assert.equal(x.bytes.subarray(0, 2).toString(), "PK");
  assert.ok(x.bytes.length > 1_000_000, `${x.bytes.length} bytes`);
  // 停止: a new big file, stopped while it runs; the last result stays, named as it was.
  await page.setInputFiles("#data-file", again);
  // Clicked as soon as it shows (the worker is still reading the file then).
  await page.waitForFunction(() => {
    const stop = document.querySelector("#stop");
    return stop.offsetParent !== null && (stop.click(), true);
  }, null, { polling: 10, timeout: 10000 });
  await page.locator("#notices >> text=计算已停止").waitFor();
  assert.match(await page.locator("#status-data").innerText(), /数据：十万乡镇\.csv，UTF-8 编码，100,000 个单位（已停止载入 又一个十万\.csv）/);
  assert.equal(await page.locator("#export-xlsx").isDisabled(), false);
  assert.ok(await page.locator("#result-table tbody tr[data-unit]").count() > 10);
  await shot(page, "100k-stopped");
  assert.deepEqual(seen.errors, []);
  rmSync(dir, { recursive: true, force: true });
  await page.close();
});

/** A plain static server (no special headers) over a folder. */
function staticServer(dir) {
  const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json" };
  const srv = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(dir, path.endsWith("/") ? `${path}index.html` : path);
    try {
      const body = readFileSync(file);
      res.writeHead(200, { "Content-Type": types[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => srv.listen(0, "127.0.0.1", () => ok({ url: `http://127.0.0.1:${srv.address().port}/`, close: () => srv.close() })));
}

test("dist/ on a plain static web server: the app, and the offline copy it offers", async () => {
  const srv = await staticServer(DIST);
  try {
    const { page, seen } = await open(srv.url);
    await evaluatorJob(page, "static-server");
    assert.equal(await page.locator("#offline-copy").isVisible(), true, "下载离线版");
    const copy = await save(page, "#offline-copy");
    assert.equal(copy.name, "kaohe.html");
    assert.equal(copy.bytes.length, readFileSync(SINGLE).length);
    await shot(page, "static-server");
    const origin = new URL(srv.url).origin;
    assert.deepEqual(seen.requests.filter((u) => !u.startsWith(origin) && !/^(blob|data):/.test(u)), []);
    assert.deepEqual(seen.errors, []);
    await page.close();
  } finally {
    srv.close();
  }
});

test("kaohe serve with the app built in, from a folder outside the repository; then offline", async (t) => {
  if (!existsSync(APP_BIN)) return t.skip(`${APP_BIN} not built (bash scripts/build-dist.sh)`);
  const cwd = mkdtempSync(join(tmpdir(), "kaohe-elsewhere-"));
  const { url, child } = await startServe(APP_BIN, [], { cwd });
  try {
    const res = await fetch(url);
    assert.match(res.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    const { page, seen } = await open(url);
    await evaluatorJob(page, "kaohe-serve");
    await shot(page, "kaohe-serve");
    // Offline: the service worker has the app and its spreadsheet module; the server goes away.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await waitTop(page, "城关镇", "101.00");
    child.kill();
    await new Promise((ok) => child.once("exit", ok));
    await page.reload();
    await waitTop(page, "城关镇", "101.00");
    await page.setInputFiles("#data-file", { name: "离线数据.xlsx", mimeType: XLSX_TYPE, buffer: Buffer.from(xlsx(csvRows(sample))) });
    await page.waitForFunction(() => document.querySelector("#status-data").textContent.includes("离线数据.xlsx，电子表格"));
    const x = await save(page, "#export-xlsx");
    assert.equal(x.bytes.subarray(0, 2).toString(), "PK", "a workbook, not an empty file");
    assert.ok(x.bytes.length > 5000);
    await shot(page, "kaohe-serve-offline");
    assert.deepEqual(seen.errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e)), []);
    await page.close();
  } finally {
    child.kill();
    rmSync(cwd, { recursive: true, force: true });
  }
});
