// Surveys (问卷) in the web app, headless Chromium: the bundled survey rule set with its sample of
// respondents' rows (kept in the full module, fetched on choosing it), n and the 95 % interval
// under each index, the list of units (单位名单), 问卷星's XLSX, and 200,000 respondents in one XLSX.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, SCREENSHOTS, launch, server } from "./helpers.mjs";

let srv, ctx, page;
const pageErrors = [];
const rows = () => page.locator("#result-table tbody tr");
const status = () => page.locator("#status").innerText();
const BIG = join(mkdtempSync(join(tmpdir(), "kaohe-survey-")), "答卷200000.xlsx");

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // 200,000 respondents in the sample's twelve units, as 问卷星 lays out its XLSX.
  const gen = join(ROOT, "target/release/examples/survey_gen");
  if (!existsSync(gen)) execFileSync("cargo", ["build", "--release", "--quiet", "--example", "survey_gen"], { cwd: ROOT, stdio: "inherit" });
  execFileSync(gen, ["--respondents", "200000", "--out", BIG], { stdio: "ignore" });
  srv = await server();
  ctx = await launch();
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(srv.url);
  await page.waitForFunction(() => document.querySelectorAll("#result-table tbody tr").length > 0, null, { timeout: 30000 });
});

after(async () => {
  await ctx?.close();
  srv?.stop();
});

async function waitStatus(pattern, timeout = 30000) {
  await page.waitForFunction((src) => new RegExp(src).test(document.querySelector("#status")?.innerText ?? ""), pattern.source, { timeout });
}

test("the bundled survey rule set scores its sample of respondents' rows, with n and intervals", async () => {
  const i = await page.locator("#ruleset-select option", { hasText: "问卷版" }).getAttribute("value");
  await page.selectOption("#ruleset-select", i);
  await waitStatus(/答卷 800 份，计入 800 份，12 个单位，其中 \d+ 个样本不足/);
  assert.equal(await rows().count(), 12);
  assert.equal(await page.locator("#pick-units").isVisible(), true, "a survey rule set offers the list of units");
  // Every index cell carries its sample: n and the 95 % interval.
  const cell = page.locator("#result-table tbody tr:nth-child(1) td.c-m").first();
  assert.match(await cell.innerText(), /n = \d+，95% 区间 [\d.]+–[\d.]+/);
  // A unit below the minimum sample is marked, in the table and in its 备注.
  assert.ok((await page.locator("#result-table .sample.short").count()) > 0, "样本不足 marked");
  assert.match(await page.locator("#result-table").innerText(), /样本不足（n = \d+，少于 30），结果仅供参考/);
  await page.screenshot({ path: join(SCREENSHOTS, "survey.png"), fullPage: true });
});

test("a unit's panel lists each index with its valid sample, interval and notes", async () => {
  await page.locator("#result-table tbody tr:nth-child(1) .unit-link").click();
  const panel = page.locator("#unit-dialog, .unit-panel, dialog[open]").first();
  await panel.waitFor();
  const text = await panel.innerText();
  assert.match(text, /有效样本/);
  assert.match(text, /95% 区间/);
  await page.keyboard.press("Escape");
});

test("with the list of units, respondents are matched to codes", async () => {
  await page.setInputFiles("#units-file", join(ROOT, "rules/samples/satisfaction-survey.units.csv"));
  await waitStatus(/单位名单：satisfaction-survey\.units\.csv/);
  await page.waitForFunction(() => /^43\d{7}$/.test(document.querySelector("#result-table tbody tr")?.dataset.unit ?? ""), null, { timeout: 30000 });
  const ids = await rows().evaluateAll((trs) => trs.map((t) => t.dataset.unit));
  const units = readFileSync(join(ROOT, "rules/samples/satisfaction-survey.units.csv"), "utf8");
  for (const id of ids) assert.ok(units.includes(id), `${id} is a code of the list`);
  await page.locator("#clear-units").click();
  await page.waitForFunction(() => !/^43\d{7}$/.test(document.querySelector("#result-table tbody tr")?.dataset.unit ?? "x"), null, { timeout: 30000 });
});

test("问卷星's XLSX export of the same survey", async () => {
  await page.setInputFiles("#data-file", join(ROOT, "rules/samples/satisfaction-survey-wjx.xlsx"));
  await waitStatus(/数据：satisfaction-survey-wjx\.xlsx，电子表格[\s\S]*答卷 \d+ 份/);
  assert.equal(await rows().count(), 12);
});

test("200,000 respondents in one XLSX are read in the browser", async () => {
  const started = Date.now();
  await page.setInputFiles("#data-file", BIG);
  await waitStatus(/答卷 200,000 份，计入 200,000 份，12 个单位/, 120000);
  console.log(`200,000 respondents' XLSX in the browser: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.equal(await rows().count(), 12);
  assert.match(await page.locator("#result-table tbody tr:nth-child(1) td.c-m").first().innerText(), /n = [\d,]{5,}/);
  assert.deepEqual(pageErrors, []);
});
