// Data collection (数据收集) end to end: the form and the merge through the JS API in Node — byte
// for byte what `kaohe template` and `kaohe merge` write — and in the web app (headless Chromium):
// the 下载填报模板 button, and returned files dropped on the page merged, checked and scored.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, KAOHE_BIN, SCREENSHOTS, launch, server } from "./helpers.mjs";
import { xlsx, csvRows, unzip } from "./xlsx.mjs";

const { load } = await import("../../pkg/kaohe-node.js");
const kaohe = await load();
const sample = readFileSync(join(ROOT, "rules/samples/county-antidrug.csv"), "utf8");
const [header, ...rows] = csvRows(sample);
const county = () => kaohe.bundled().find((b) => b.id === "county-antidrug");
const rules = () => ({ name: county().rulesPath, source: county().rules });
const unitList = ["单位编码,单位名称", ...rows.map((r) => `${r[0]},${r[1]}`)].join("\n") + "\n";
const STALE = "if src/ changed since the last build, rebuild both: bash scripts/build-wasm.sh && cargo build";

/** Returned forms: two townships each, one with “六次” in a count, one returning 城关镇 again with another value. */
function returns() {
  const col = header.indexOf("党委政府专题研究禁毒工作次数");
  const lost = header.indexOf("失控人员数");
  const bad = rows[2].slice();
  bad[col] = "六次";
  const again = rows[0].slice();
  again[lost] = String(Number(again[lost]) + 3);
  return [
    { fileName: "01.xlsx", data: xlsx([header, rows[0], rows[1]]) },
    { fileName: "02.xlsx", data: xlsx([header, bad, rows[3]]) },
    { fileName: "03.xlsx", data: xlsx([header, again, ...rows.slice(4, 18)]) },
  ];
}

before(() => {
  if (!existsSync(KAOHE_BIN)) execFileSync("cargo", ["build", "--quiet"], { cwd: ROOT, stdio: "inherit" });
});

test("the JS API writes the form byte for byte as `kaohe template` does", async () => {
  const t = kaohe.template(rules(), { units: unitList, unitsFileName: "units.csv" });
  assert.equal(t.type, "success", JSON.stringify(t.errors));
  assert.equal(t.units, 20);
  assert.equal(t.columns, header.length);
  const entries = await unzip(t.xlsx);
  assert.match(entries["xl/workbook.xml"].toString(), /name="填报表"[\s\S]*name="说明"/);
  const sheet = entries["xl/worksheets/sheet1.xml"].toString();
  assert.match(sheet, /<dataValidation type="list"[^>]*>[\s\S]*?<formula1>"是,否"<\/formula1>/);
  assert.match(sheet, /<dataValidation type="whole" operator="greaterThanOrEqual"/);
  assert.match(entries["xl/comments1.xml"].toString(), /【指标】禁毒责任状签订（5分）/);
  const dir = mkdtempSync(join(tmpdir(), "kaohe-collect-"));
  writeFileSync(join(dir, "units.csv"), unitList);
  const out = join(dir, "表.xlsx");
  const cli = spawnSync(KAOHE_BIN, ["template", "county-antidrug", "--units", join(dir, "units.csv"), "--out", out], { encoding: "utf8" });
  assert.equal(cli.status, 0, cli.stderr);
  assert.ok(Buffer.from(t.xlsx).equals(readFileSync(out)), `the WASM form and the CLI's differ; ${STALE}`);
  // A unit's own form; a unit not in the list; no list.
  const one = kaohe.template(rules(), { units: unitList, unit: rows[3][0] });
  assert.equal(one.units, 1);
  const none = kaohe.template(rules(), { units: unitList, unit: "999999999" });
  assert.equal(none.type, "failure");
  assert.equal(none.errors[0].code, "F0002");
  assert.equal(kaohe.template(rules(), { unit: rows[3][0] }).errors[0].code, "F0003");
});

test("the JS API merges returned files as `kaohe merge` does, problems and workbook alike", () => {
  const files = returns();
  const m = kaohe.merge(rules(), files, { units: unitList, unitsFileName: "units.csv" });
  assert.equal(m.type, "success", JSON.stringify(m.errors));
  const codes = m.problems.map((p) => p.error.code);
  assert.ok(codes.includes("D0201"), codes.join(" "));
  assert.ok(codes.includes("F0101"));
  assert.equal(codes.filter((c) => c === "F0103").length, 2, "two townships returned nothing");
  const six = m.problems.find((p) => p.error.code === "D0201");
  assert.equal(six.file, "02.xlsx");
  assert.equal(six.error.column_letter, "E");
  assert.match(six.error.help, /6/);
  assert.deepEqual(m.files.map((f) => f.units), [2, 2, 15]);
  // 20 − 城关镇 (two returns that differ) − the row with 六次 − two not returned.
  assert.equal(m.ready, 16);
  assert.ok(new TextDecoder("utf-8", { ignoreBOM: true }).decode(m.csv).startsWith("\uFEFF单位编码,"));
  const dir = mkdtempSync(join(tmpdir(), "kaohe-collect-"));
  const paths = files.map((f) => {
    writeFileSync(join(dir, f.fileName), f.data);
    return join(dir, f.fileName);
  });
  writeFileSync(join(dir, "units.csv"), unitList);
  const out = join(dir, "合并.xlsx");
  const cli = spawnSync(KAOHE_BIN, ["merge", "county-antidrug", ...paths.map((p) => p.slice(dir.length + 1)), "--units", "units.csv", "--out", out, "--lang", "zh"], { cwd: dir, encoding: "utf8" });
  assert.equal(cli.status, 4, cli.stderr);
  assert.ok(Buffer.from(m.xlsx).equals(readFileSync(out)), `the WASM merge and the CLI's differ; ${STALE}`);
});

// ── in the web app ──

let srv, ctx, page;
before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  srv = await server();
  ctx = await launch();
  page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(srv.url);
  await page.waitForFunction(() => document.querySelectorAll("#result-table tbody tr").length === 20, null, { timeout: 20000 });
});

after(async () => {
  await ctx?.close();
  srv?.stop();
});

test("the app: 下载填报模板 gives the rule set's form", async () => {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#template-download")]);
  assert.equal(download.suggestedFilename(), "county-antidrug-填报表.xlsx");
  const entries = await unzip(readFileSync(await download.path()));
  assert.match(entries["xl/workbook.xml"].toString(), /name="填报表"/);
  assert.match(entries["xl/worksheets/sheet1.xml"].toString(), /<dataValidations count="\d+">/);
});

test("the app: with a list of units, the form lists them; with a code, that unit's own form", async () => {
  await page.click("#collect-open");
  await page.setInputFiles("#collect-units-file", { name: "单位名单.csv", mimeType: "text/csv", buffer: Buffer.from(unitList) });
  await page.waitForFunction(() => /已选：单位名单\.csv/.test(document.querySelector("#units-name").textContent));
  await page.fill("#template-unit", rows[3][0]);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#template-download-unit")]);
  assert.equal(download.suggestedFilename(), `county-antidrug-填报表-${rows[3][0]}.xlsx`);
  const entries = await unzip(readFileSync(await download.path()));
  const sheet = entries["xl/worksheets/sheet1.xml"].toString();
  assert.match(sheet, /<row r="4"/);
  assert.doesNotMatch(sheet, /<row r="5"/, "one row: the unit's own");
  assert.match(entries["xl/sharedStrings.xml"].toString(), new RegExp(rows[3][1]));
  // A code not in the list: the dialog says so, with the catalogue's code.
  await page.fill("#template-unit", "999999999");
  await page.click("#template-download-unit");
  await page.waitForFunction(() => /F0002/.test(document.querySelector("#collect-result").textContent));
  await page.click("#units-clear");
  await page.fill("#template-unit", "");
  await page.click("#collect-close");
});

test("the app: returned files dropped on the page are merged, every problem listed, the rest scored", async () => {
  const files = returns().map((f) => ({ name: f.fileName, bytes: [...f.data] }));
  await page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([new Uint8Array(f.bytes)], f.name));
    for (const type of ["dragenter", "dragover", "drop"]) window.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true }));
  }, files);
  await page.locator("#collect-dialog").waitFor({ state: "visible" });
  await page.locator("#merge-summary").waitFor({ timeout: 20000 });
  assert.match(await page.locator("#merge-summary").innerText(), /合并 3 个文件：16 个单位可以计分；2 处错误/);
  const problems = await page.locator("#merge-problems tbody").innerText();
  assert.match(problems, /D0201[\s\S]*02\.xlsx（工作表“数据”）[\s\S]*第 2 行，E 列“党委政府专题研究禁毒工作次数”[\s\S]*把“六次”改为数字 6/);
  assert.match(problems, /F0101[\s\S]*失控人员数/);
  await page.screenshot({ path: join(SCREENSHOTS, "merge.png") });
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#merge-download")]);
  assert.equal(download.suggestedFilename(), "county-antidrug-合并.xlsx");
  const entries = await unzip(readFileSync(await download.path()));
  assert.match(entries["xl/workbook.xml"].toString(), /name="合并数据"[\s\S]*name="数据核对"/);
  // Scored: the units ready, as `kaohe assess RULES FILES…` scores them (not the row with 六次,
  // nor 城关镇, returned twice with different values).
  await page.click("#merge-score");
  await page.waitForFunction(() => /合并数据（3 个文件，2 处错误未计分）[\s\S]*16 个单位/.test(document.querySelector("#status-data").textContent), null, { timeout: 20000 });
  await page.waitForFunction(() => document.querySelectorAll("#result-table tbody tr").length === 16, null, { timeout: 20000 });
  assert.doesNotMatch(await page.locator("#result-table").innerText(), /城关镇/);
});
