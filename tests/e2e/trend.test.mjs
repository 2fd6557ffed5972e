// 历次 in the web app: several earlier results loaded at once (put in order by file name), each
// unit's trend chart in its panel (计分明细), the overview of trends (历次趋势总览: one small chart
// per unit), 连续 N 期 consequences, the printed 通报 with a history, and the phone layout.
// The earlier results are made here by the CLI from the satisfaction samples, as an evaluator
// would keep them: 2025年二月.json (satisfaction.prev2.csv) and 2025年三月.json (satisfaction.prev.csv)
// — names whose plain character order is wrong (二 sorts after 三), so the order is the page's.
// Screenshots: trend-unit.png, trend-overview.png, phone-trend.png in tests/e2e/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, SCREENSHOTS, KAOHE_BIN, launch, server } from "./helpers.mjs";
import { townships } from "./gen.mjs";

let srv, ctx, page;
const pageErrors = [];
const consoleErrors = [];
const dir = mkdtempSync(join(tmpdir(), "kaohe-trend-"));
const FEB = join(dir, "2025年二月.json");
const MAR = join(dir, "2025年三月.json");
let cli; // `kaohe assess satisfaction --history FEB --history MAR --format json`, the engine's own answer

const shot = (p, name, opts = {}) => p.screenshot({ path: join(SCREENSHOTS, `${name}.png`), ...opts });
const rowOf = (p, id) => p.locator(`#result-table tbody tr[data-unit="${id}"]`);

/** Opens the page, picks the satisfaction rule set (安满度) and waits for its table. */
async function satisfaction(p) {
  await p.goto(srv.url);
  await p.waitForFunction(() => document.querySelectorAll("#ruleset-select option").length > 1, null, { timeout: 15000 });
  const i = await p.locator("#ruleset-select option", { hasText: "分局安满度" }).getAttribute("value");
  const folded = await p.locator("#menu-toggle").isVisible(); // a phone: the toolbar is behind ☰ 操作
  if (folded) await p.click("#menu-toggle");
  await p.selectOption("#ruleset-select", i);
  if (folded) await p.click("#menu-toggle");
  await p.waitForFunction(() => document.querySelector("#summary h1")?.textContent.includes("分局安满度") && document.querySelectorAll("#result-table tbody tr").length > 0, null, { timeout: 15000 });
}

/** The ranks the trend chart of the open unit writes, oldest first. */
const chartRanks = (p) => p.locator("#unit-trend svg .trend-rank").allTextContents();

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  if (!existsSync(KAOHE_BIN)) execFileSync("cargo", ["build", "--quiet"], { cwd: ROOT, stdio: "inherit" });
  execFileSync(KAOHE_BIN, ["assess", "satisfaction", "rules/samples/satisfaction.prev2.csv", "--format", "json", "--out", FEB], { cwd: ROOT });
  execFileSync(KAOHE_BIN, ["assess", "satisfaction", "rules/samples/satisfaction.prev.csv", "--format", "json", "--out", MAR], { cwd: ROOT });
  cli = JSON.parse(execFileSync(KAOHE_BIN, ["assess", "satisfaction", "--history", FEB, "--history", MAR, "--format", "json"], { cwd: ROOT }).toString());
  srv = await server();
  ctx = await launch();
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  await satisfaction(page);
});

after(async () => {
  await ctx?.close();
  srv?.stop();
});

test("历次结果: two earlier results picked at once are put oldest first by file name (二月 before 三月), listed, and scored as the history", async () => {
  await page.setInputFiles("#previous-file", [MAR, FEB]); // picked in the wrong order
  await page.locator("#periods .period-list li").nth(1).waitFor();
  const items = await page.locator("#periods .period-list li .period-name").allTextContents();
  assert.deepEqual(items, ["2025年二月", "2025年三月"]);
  assert.match(await page.locator("#periods .period-list li").nth(1).innerText(), /上期/);
  assert.match(await page.locator("#periods .periods summary").innerText(), /历次结果（2 期，由早到晚）：2025年二月 → 2025年三月（上期） → 本期/);
  assert.match(await page.locator("#periods .hint").innerText(), /按文件名排序[\s\S]*最后一个为上期/);
  assert.match(await page.locator("#status-previous").innerText(), /历次结果 2 期，上期：2025年三月\.json/);
  // The result is the engine's with both periods: 连续进步表扬 (连续两期进步) for JD01, rank change against 三月.
  await page.waitForFunction(() => /连续进步表扬/.test(document.querySelector('#result-table tr[data-unit="JD01"] td.c-cons')?.textContent ?? ""), null, { timeout: 15000 });
  await page.locator("#result-table th >> text=名次变化").waitFor();
  const jd01 = cli.units.find((u) => u.id === "JD01");
  assert.equal(await rowOf(page, "JD01").locator("td.c-change").innerText(), `↑${jd01.rank_change}`);
});

test("a unit's panel: the trend chart shows JD01's rank 4 → 2 → 1 with its totals and grades, and 连续进步表扬", async () => {
  await rowOf(page, "JD01").locator(".unit-link").click();
  const panel = page.locator("#unit-trend");
  await panel.waitFor();
  assert.deepEqual(await chartRanks(page), ["第 4 名", "第 2 名", "第 1 名"]);
  assert.deepEqual(await panel.locator("svg .trend-period").allTextContents(), ["2025年二月", "2025年三月", "本期"]);
  assert.match(await panel.locator(".trend-words").innerText(), /名次 第 4 名 → 第 2 名 → 第 1 名 ↑3/);
  // The totals and grades are the engine's (the CLI's trend), this period last.
  const jd01 = cli.units.find((u) => u.id === "JD01");
  assert.deepEqual(jd01.trend.map((t) => t.rank), [4, 2]);
  const totals = await panel.locator("svg .trend-total").allTextContents();
  assert.deepEqual(totals.map(Number), [...jd01.trend.map((t) => Number(t.total)), Number(jd01.total_display)]);
  const grades = await panel.locator("svg .trend-grade").allTextContents();
  assert.deepEqual(grades, [...jd01.trend.map((t) => t.grade ?? "—"), jd01.grade ?? "—"]);
  // Each period's figures, as a table too.
  await panel.locator(".trend-data summary").click();
  assert.equal(await panel.locator(".trend-data tbody tr").count(), 3);
  assert.match(await page.locator("#unit-body").innerText(), /处理结果[\s\S]*连续进步表扬/);
  await shot(page, "trend-unit", { fullPage: false });
  await page.click("#unit-close");
});

test("历次趋势总览: one small chart per unit on one scale, in the table's order; the most risen first on request; a filter narrows it", async () => {
  const trends = page.locator("#trends");
  await trends.waitFor();
  assert.match(await trends.locator("h2").innerText(), /历次趋势总览/);
  const cards = trends.locator(".trend-card");
  assert.equal(await cards.count(), cli.units.length, "one chart per unit");
  assert.equal(await trends.locator(".trend-card svg.spark").count(), cli.units.length);
  const tableOrder = await page.locator("#result-table tbody tr[data-unit]").evaluateAll((rows) => rows.map((r) => r.dataset.unit));
  assert.deepEqual(await cards.evaluateAll((cs) => cs.map((c) => c.dataset.unitCard)), tableOrder);
  assert.match(await trends.locator('.trend-card[data-unit-card="JD01"]').innerText(), /↑3[\s\S]*第 4 → 1 名/);
  assert.match(await trends.locator('.trend-card[data-unit-card="JD01"] svg.spark').getAttribute("class"), /\bup\b/);
  // 名次上升最多在前: the largest rise from the first period to this one, ties in the table's order.
  const rise = (u) => {
    const ranks = [...u.trend.map((t) => t.rank), u.rank];
    const known = ranks.filter((r) => r != null);
    return u.rank == null || known.length < 2 ? -Infinity : known[0] - u.rank;
  };
  const byId = new Map(cli.units.map((u) => [u.id, u]));
  const expected = tableOrder.map((id, i) => ({ id, i, r: rise(byId.get(id)) })).sort((a, b) => b.r - a.r || a.i - b.i).map((x) => x.id);
  await page.selectOption("#trend-sort", "up");
  await page.waitForFunction((first) => document.querySelector("#trends .trend-card")?.dataset.unitCard === first, expected[0]);
  assert.deepEqual(await cards.evaluateAll((cs) => cs.map((c) => c.dataset.unitCard)), expected);
  await trends.screenshot({ path: join(SCREENSHOTS, "trend-overview.png") });
  await page.selectOption("#trend-sort", "");
  // A click on a unit's name opens its panel with its chart.
  await trends.locator('.trend-card[data-unit-card="JD01"] .unit-link').click();
  await page.locator("#unit-trend").waitFor();
  assert.deepEqual(await chartRanks(page), ["第 4 名", "第 2 名", "第 1 名"]);
  await page.click("#unit-close");
  await page.fill("#filter-text", "JD01");
  await page.waitForFunction(() => document.querySelectorAll("#trends .trend-card").length === 1);
  await page.fill("#filter-text", "");
  await page.waitForFunction((n) => document.querySelectorAll("#trends .trend-card").length === n, cli.units.length);
});

test("the printed 通报 with a history: every unit, 上期得分 and 名次变化, and 连续进步表扬 under 结果运用", async () => {
  await page.emulateMedia({ media: "print" });
  try {
    const report = page.locator("#print-report");
    assert.equal(await report.isVisible(), true);
    const text = await report.innerText();
    assert.match(text, /分局安满度/);
    assert.match(text, /上期得分[\s\S]*分差[\s\S]*名次变化/);
    assert.match(text, /结果运用[\s\S]*连续进步表扬/);
    assert.doesNotMatch(text, /undefined|NaN|\[object Object\]/);
    assert.match(text, /往期结果 2 期（由早到晚）：2025年二月、2025年三月，上期为2025年三月/);
    assert.equal(await report.locator("table.doc-table tbody tr").count(), cli.units.length);
  } finally {
    await page.emulateMedia({ media: "screen" });
  }
});

test("order by hand (↓): the engine then reads 三月 before 二月 — JD01's ranks 2 → 4 → 1, no 连续进步表扬; 移除 and 全部清除", async () => {
  await page.locator("#periods .period-list li").first().locator('[data-period-act="down"]').click();
  await page.waitForFunction(() => document.querySelector("#periods .period-list li .period-name")?.textContent === "2025年三月");
  assert.match(await page.locator("#periods .hint").innerText(), /已手动调整顺序/);
  assert.match(await page.locator("#status-previous").innerText(), /上期：2025年二月\.json/);
  await page.waitForFunction(() => !/连续进步表扬/.test(document.querySelector('#result-table tr[data-unit="JD01"] td.c-cons')?.textContent ?? "x"), null, { timeout: 15000 });
  await rowOf(page, "JD01").locator(".unit-link").click();
  await page.locator("#unit-trend").waitFor();
  assert.deepEqual(await chartRanks(page), ["第 2 名", "第 4 名", "第 1 名"]);
  await page.click("#unit-close");
  // 移除 the first: one earlier result, as before (上期结果), still with a trend of two points.
  await page.locator("#periods .period-list li").first().locator('[data-period-act="remove"]').click();
  await page.waitForFunction(() => document.querySelectorAll("#periods .period-list li").length === 1);
  assert.match(await page.locator("#status-previous").innerText(), /^上期：2025年二月\.json/);
  assert.match(await page.locator("#periods summary").innerText(), /^上期结果：2025年二月（上期） → 本期/);
  await page.locator("#result-table th >> text=名次变化").waitFor();
  await page.waitForFunction((n) => document.querySelectorAll("#trends .trend-card").length === n, cli.units.length);
  // 全部清除: no earlier period, no rank change, no overview.
  await page.click("#clear-periods");
  await page.waitForFunction(() => document.querySelector("#periods").innerHTML === "" && document.querySelector("#trends").hidden);
  await page.locator("#result-table th >> text=名次变化").waitFor({ state: "detached" });
  assert.equal(await page.locator("#status-previous").innerText(), "");
});

test("a file that is not a result is named and left out; 添加往期结果 adds to those loaded and the order is by name again", async () => {
  const bad = join(dir, "笔记.json");
  writeFileSync(bad, JSON.stringify({ notes: "不是结果" }));
  await page.setInputFiles("#previous-file", [MAR, bad]);
  await page.locator("#periods .period-errors").waitFor();
  assert.match(await page.locator("#periods .period-errors").innerText(), /“笔记\.json”未载入：不是考核结果文件/);
  assert.deepEqual(await page.locator("#periods .period-list li .period-name").allTextContents(), ["2025年三月"]);
  await page.setInputFiles("#history-file", FEB);
  await page.waitForFunction(() => document.querySelectorAll("#periods .period-list li").length === 2);
  assert.deepEqual(await page.locator("#periods .period-list li .period-name").allTextContents(), ["2025年二月", "2025年三月"]);
  assert.equal(await page.locator("#periods .period-errors").count(), 0);
  await page.waitForFunction(() => /连续进步表扬/.test(document.querySelector('#result-table tr[data-unit="JD01"] td.c-cons')?.textContent ?? ""), null, { timeout: 15000 });
});

test("on a phone (390×844): the trend chart reads at the screen's width, the overview in two columns, no sideways scrolling", async () => {
  const phone = await ctx.newPage();
  phone.on("pageerror", (e) => pageErrors.push(e.message));
  try {
    await phone.setViewportSize({ width: 390, height: 844 });
    await satisfaction(phone);
    await phone.setInputFiles("#previous-file", [FEB, MAR]);
    await phone.waitForFunction(() => /连续进步表扬/.test(document.querySelector('#result-table tr[data-unit="JD01"] td.c-cons')?.textContent ?? ""), null, { timeout: 15000 });
    const grid = await phone.locator("#trends .trend-grid").evaluate((el) => getComputedStyle(el).gridTemplateColumns.split(" ").length);
    assert.equal(grid, 2, "two charts a row");
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= innerWidth + 1), "the page does not scroll sideways");
    await phone.locator("#trends").screenshot({ path: join(SCREENSHOTS, "phone-trend-overview.png") });
    await rowOf(phone, "JD01").locator(".unit-link").click();
    const chart = phone.locator("#unit-trend svg.trend-chart");
    await chart.waitFor();
    assert.deepEqual(await chartRanks(phone), ["第 4 名", "第 2 名", "第 1 名"]);
    const box = await chart.boundingBox();
    assert.ok(box.width >= 300 && box.width <= 390, `the chart spans the screen: ${box.width}px`);
    const overflow = await phone.locator("#unit-body").evaluate((el) => el.scrollWidth - el.clientWidth);
    assert.ok(overflow <= 1, `no sideways scrolling in the panel (${overflow}px)`);
    await shot(phone, "phone-trend");
  } finally {
    await phone.close();
  }
});

test("many units (1,500: the batch path): the page reads each trend from the results itself; the overview draws 200 and says so", async () => {
  // Two earlier half-years of the county rule set, and this one: the same townships, other counts.
  const earlier = [["2024年上半年.json", 7], ["2024年下半年.json", 8]].map(([name, seed]) => {
    const csv = join(dir, `${seed}.csv`);
    writeFileSync(csv, townships(1500, seed));
    const out = join(dir, name);
    execFileSync(KAOHE_BIN, ["assess", "county-antidrug", csv, "--format", "json", "--out", out], { cwd: ROOT });
    return new Map(JSON.parse(readFileSync(out, "utf8")).units.map((u) => [u.id, u.rank]));
  });
  await page.selectOption("#ruleset-select", "0");
  await page.waitForFunction(() => document.querySelector("#summary h1")?.textContent.includes("禁毒"), null, { timeout: 15000 });
  await page.setInputFiles("#data-file", { name: "2025年上半年.csv", mimeType: "text/csv", buffer: Buffer.from(townships(1500)) });
  await page.setInputFiles("#previous-file", [join(dir, "2024年下半年.json"), join(dir, "2024年上半年.json")]);
  await page.waitForFunction(() => /1,500 个单位/.test(document.querySelector("#status-data").textContent) && document.querySelectorAll("#trends .trend-card").length > 0, null, { timeout: 30000 });
  assert.equal(await page.locator("#trends .trend-card").count(), 200);
  assert.match(await page.locator("#trends .trends-bound").innerText(), /只显示 200 个单位[\s\S]*共 1,500 个/);
  // The first unit of the table: its panel (made on demand) has its ranks of both half-years.
  const first = page.locator("#result-table tbody tr[data-unit]").first();
  const id = await first.getAttribute("data-unit");
  const rank = Number(await first.locator("td.c-rank").innerText());
  await first.locator(".unit-link").click();
  await page.locator("#unit-trend").waitFor({ timeout: 15000 });
  assert.deepEqual(await chartRanks(page), [...earlier.map((m) => `第 ${m.get(id)} 名`), `第 ${rank} 名`]);
  await page.click("#unit-close");
});

test("no error thrown and no CSP rule broken", () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(consoleErrors, []);
});
