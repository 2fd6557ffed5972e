// The evaluator's 通报, the rule editor's drafts and the leader's secretary's phone, end to end in
// headless Chromium:
//   - the 通报 printed to PDF with the page's own print style: issuing body, period and document
//     number as typed (kept in the browser), page numbers from @page margin boxes, each unit's 备注
//     (a prerequisite not met, a veto), the units left out for data errors, last period's total and
//     the difference, the points per category — read back from the PDF with pdftotext;
//   - the same for a batch result (more than 1,000 units: the compact path);
//   - an edit of the rules survives a reload; switching rule set asks first; the draft comes back
//     with its rule set, shows its diff, downloads, and goes back to the original;
//   - a phone (390×844): the first unit's card in the first screen, a folded toolbar, a unit's
//     计分明细 that reads at full width.
// Screenshots and the PDFs go to tests/e2e/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, SCREENSHOTS, launch, server } from "./helpers.mjs";
import { csvRows } from "./xlsx.mjs";
import { townships } from "./gen.mjs";

let srv, ctx, page;
const pageErrors = [];
const sample = readFileSync(join(ROOT, "rules/samples/county-antidrug.csv"), "utf8");
const shot = (name, opts = {}, on = page) => on.screenshot({ path: join(SCREENSHOTS, `${name}.png`), ...opts });
const rows = () => page.locator("#result-table tbody tr[data-unit]");
const hasPdftotext = spawnSync("pdftotext", ["-v"]).error === undefined;

async function waitTop(name, total, on = page, timeout = 20000) {
  await on.waitForFunction(([n, t]) => {
    const r = document.querySelector("#result-table tbody tr[data-unit]");
    return r && r.querySelector(".c-name")?.textContent.trim() === n && r.querySelector(".c-total")?.textContent.trim() === t;
  }, [name, total], { timeout });
}
const editorText = () => page.locator("#editor textarea").inputValue();
const setEditor = (text) => page.locator("#editor textarea").fill(text);

/** The sample with one bad cell in 龙泉镇's row (登记吸毒人员数 = 九十六). */
function sampleWithBadCell() {
  const [head, ...data] = csvRows(sample);
  const col = head.indexOf("登记吸毒人员数");
  const row = data.findIndex((r) => r[head.indexOf("单位名称")] === "龙泉镇");
  data[row][col] = "九十六";
  return [head, ...data].map((r) => r.join(",")).join("\n") + "\n";
}

/** Last period's result for the sample's units: ranks reversed, totals 80.00 + 0.5 per place. */
function previousPeriod(csv = sample) {
  const [head, ...data] = csvRows(csv);
  const [code, name] = [head.indexOf("单位编码"), head.indexOf("单位名称")];
  const units = data.map((r, i) => ({
    id: r[code], name: r[name], rank: data.length - i,
    total: 80 + 0.5 * i, total_display: (80 + 0.5 * i).toFixed(2),
  }));
  return JSON.stringify({ schema: "kaohe-result", schema_version: 1, rule_set: { id: "county-antidrug" }, units });
}

/** The text of a PDF, as pdftotext lays it out. */
const pdfText = (path) => spawnSync("pdftotext", ["-layout", path, "-"], { encoding: "utf8" }).stdout;

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  srv = await server();
  ctx = await launch();
  page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(srv.url);
  await waitTop("城关镇", "101.00");
});

after(async () => {
  await ctx?.close();
  srv?.stop();
});

test("the 通报 as a PDF: issuing body, period, document number, page numbers, 备注, units left out, 上期得分 and 分差", async () => {
  await page.setInputFiles("#data-file", { name: "本期数据.csv", mimeType: "text/csv", buffer: Buffer.from(sampleWithBadCell()) });
  await page.locator(".data-errors").waitFor();
  assert.equal(await rows().count(), 19);
  await page.setInputFiles("#previous-file", { name: "上期结果.json", mimeType: "application/json", buffer: Buffer.from(previousPeriod()) });
  await page.locator("#result-table th >> text=上期得分").waitFor();
  // 上期得分 and 分差 on screen too: 城关镇 was 80.00 last period (the first row of the sample).
  const first = rows().first();
  assert.equal(await first.locator(".c-prevtotal").innerText(), "80.00");
  assert.equal(await first.locator(".c-diff").innerText(), "+21.00");
  assert.match(await page.locator("#result-table tr[data-unit='999001102'] .c-remarks").innerText(), /未满足必备条件/);
  await shot("report-screen", { fullPage: true });

  // The 通报's heading, typed in its dialog; the rule set's sample values first.
  await page.click("#print");
  const dlg = page.locator("#report-dialog");
  await dlg.waitFor({ state: "visible" });
  assert.equal(await page.locator("#pub-issuer").inputValue(), "××县禁毒委员会办公室", "the rule set's own issuing body");
  await page.fill("#pub-issuer", "清河县禁毒委员会办公室");
  await page.fill("#pub-period", "2026年第一季度");
  await page.fill("#pub-document", "清禁毒办〔2026〕7号");
  await page.fill("#pub-date", "2026年4月10日");
  await page.check("#pub-categories");
  await shot("report-dialog");
  await page.click("#report-close");

  const pdf = join(SCREENSHOTS, "通报.pdf");
  await page.pdf({ path: pdf, preferCSSPageSize: true, printBackground: true });
  assert.equal(readFileSync(pdf).subarray(0, 5).toString(), "%PDF-");
  await page.emulateMedia({ media: "print" });
  await shot("report-print", { fullPage: true });
  await page.emulateMedia({ media: "screen" });
  if (!hasPdftotext) {
    console.log("# pdftotext not installed: the PDF's text is not checked");
    return;
  }
  const text = pdfText(pdf);
  const flat = text.replace(/\s+/g, "");
  assert.match(text, /清河县禁毒委员会办公室/, "issuing body");
  assert.match(text, /清禁毒办〔2026〕7号/, "document number");
  assert.match(text, /2026年第一季度县禁毒工作绩效考核结果通报/, "the period in the title");
  assert.match(text, /2026年4月10日/, "the date as typed");
  assert.doesNotMatch(text, /county-antidrug\.rhai|依据/, "no file name instead of the issuing body");
  const pages = /共 (\d+) 页/.exec(text);
  assert.ok(pages, "page numbers");
  for (let p = 1; p <= +pages[1]; p++) assert.match(text, new RegExp(`第 ${p} 页，共 ${pages[1]} 页`), `page ${p} numbered`);
  assert.ok(+pages[1] >= 2);
  // 备注: why 石桥镇 (96.80) is 合格 below 先进 units, and why 桃源镇 is last.
  assert.match(flat, /石桥镇96\.80.*合格.*未满足必备条件（全年无吸毒人员肇事肇祸案事件），由先进评为合格/);
  assert.match(flat, /桃源镇92\.66.*不合格.*一票否决（制毒窝点被异地查处），等次定为不合格，排在最后/);
  // The unit left out for its bad cell: named, with where and what.
  assert.match(flat, /另有1个单位因数据有错误未参与计分和排名/);
  // (named by its name too once the engine gives data errors their unit's name: unit_name)
  assert.match(flat, /未参与计分的单位.*(龙泉镇（999001101）|999001101).*第\d+行，C列“登记吸毒人员数”/);
  assert.match(flat, /本期共考核20个单位，其中19个单位参与计分/);
  // Last period: 上期得分, 分差, 名次变化.
  assert.match(text, /上期得分\s+分差\s+名次变化/);
  assert.match(flat, /城关镇101\.00.*80\.00\+21\.00↑19/);
  // Points per category.
  assert.match(flat, /组织领导宣传教育禁种铲毒基层基础公众评价加分/);
  assert.match(flat, /城关镇101\.00(\d+(\.\d+)?){6}先进/, "城关镇's points in each category, then its grade");
  // What produced it (来源), as `kaohe verify` and the CLI's table name it: version and hashes of
  // the rules, the data file and last period's result.
  assert.match(flat, /来源：kaohe\d+\.\d+\.\d+·规则[0-9a-f]{12}·数据[0-9a-f]{12}·上期[0-9a-f]{12}/);
});

test("the 通报's heading is kept in the browser, and can be written into the rule script", async () => {
  await page.reload();
  await waitTop("城关镇", "101.00");
  await page.click("#print");
  assert.equal(await page.locator("#pub-issuer").inputValue(), "清河县禁毒委员会办公室");
  assert.equal(await page.locator("#pub-period").inputValue(), "2026年第一季度");
  assert.equal(await page.locator("#pub-categories").isChecked(), true);
  await page.click("#pub-to-rules");
  await page.locator("#pub-note >> text=已写入规则脚本").waitFor();
  await page.click("#report-close");
  const source = await editorText();
  assert.match(source, /issuer: "清河县禁毒委员会办公室"/);
  assert.match(source, /period: "2026年第一季度"/);
  assert.match(source, /document: "清禁毒办〔2026〕7号"/);
  await page.waitForFunction(() => /已修改/.test(document.querySelector("#status-rules").textContent));
  await waitTop("城关镇", "101.00");
  // Back to the rule set's own heading and the original rules.
  await page.click("#print");
  await page.click("#pub-reset");
  await page.click("#report-close");
  await page.click("#tab-editor");
  await page.click("#revert-rules");
  await page.locator("#ask-dialog").waitFor({ state: "visible" });
  await page.click("#ask-buttons button[value=revert]");
  await page.waitForFunction(() => !/已修改/.test(document.querySelector("#status-rules").textContent));
  assert.doesNotMatch(await editorText(), /清河县/);
  await page.click("#tab-result");
});

test("a batch result (1,500 units) prints its 备注, 上期得分 and 分差 too", async () => {
  const csv = townships(1500);
  await page.setInputFiles("#data-file", { name: "一千五百乡镇.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.waitForFunction(() => /1,500 个单位/.test(document.querySelector("#status-data").textContent), null, { timeout: 30000 });
  await page.setInputFiles("#previous-file", { name: "上期.json", mimeType: "application/json", buffer: Buffer.from(previousPeriod(csv)) });
  await page.locator("#result-table th >> text=上期得分").waitFor({ timeout: 30000 });
  await page.click("#print");
  await page.check("#pub-categories");
  await page.click("#report-close");
  await page.evaluate(() => window.dispatchEvent(new Event("beforeprint")));
  const report = page.locator("#print-report");
  const text = await report.evaluate((el) => el.textContent);
  assert.match(text, /上期得分分差名次变化/);
  assert.match(text, /一票否决（[^）]*），等次定为不合格，排在最后/);
  assert.match(text, /未满足必备条件/);
  assert.match(text, /组织领导/);
  const firstRow = await report.locator("table.doc-table tbody tr").first().evaluate((tr) => [...tr.cells].map((c) => c.textContent.trim()));
  assert.ok(firstRow.some((c) => /^[+−]\d+\.\d{2}$/.test(c)), `a 分差 in ${firstRow}`);
  await page.click("#print");
  await page.uncheck("#pub-categories");
  await page.click("#report-close");
  await page.setInputFiles("#data-file", join(ROOT, "rules/samples/county-antidrug.csv"));
  await waitTop("城关镇", "101.00");
});

test("an edit of the rules survives a reload; switching rule set asks; the draft comes back, shows its diff, downloads and reverts", async () => {
  await page.click("#tab-editor");
  const original = await editorText();
  await setEditor(original.replace("bonus_max: 5,", "bonus_max: 6,"));
  await waitTop("城关镇", "101.80");
  await page.locator("#draft-bar").waitFor({ state: "visible" });
  // Reload: the edit is back, scored.
  await page.reload();
  await waitTop("城关镇", "101.80");
  assert.match(await editorText(), /bonus_max: 6,/);
  await page.click("#tab-editor");
  assert.match(await page.locator("#draft-bar").innerText(), /已恢复.*保存的修改（与原始规则相比新增 1 行、删去 1 行）/);
  assert.match(await page.locator("#status-rules").innerText(), /已修改/);
  await shot("draft-restored");
  // Switching rule set asks first; 取消 stays.
  const other = await page.locator("#ruleset-select option", { hasText: "分局安满度" }).getAttribute("value");
  await page.selectOption("#ruleset-select", other);
  const ask = page.locator("#ask-dialog");
  await ask.waitFor({ state: "visible" });
  assert.match(await ask.innerText(), /有修改（新增 1 行、删去 1 行）尚未下载/);
  assert.deepEqual(await page.locator("#ask-buttons button").allInnerTexts(), ["保留修改并切换", "下载修改后的规则，再切换", "放弃修改并切换", "取消"]);
  await shot("draft-switch-dialog");
  await page.click("#ask-buttons button[value=cancel]");
  await ask.waitFor({ state: "hidden" });
  assert.equal(await page.locator("#ruleset-select").inputValue(), "0");
  assert.match(await editorText(), /bonus_max: 6,/);
  // Download, then switch: the file is the edit.
  await page.selectOption("#ruleset-select", other);
  await ask.waitFor({ state: "visible" });
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#ask-buttons button[value=download]")]);
  assert.equal(download.suggestedFilename(), "county-antidrug.rhai");
  assert.match(readFileSync(await download.path(), "utf8"), /bonus_max: 6,/);
  await page.waitForFunction(() => document.querySelector("#summary h1")?.textContent.includes("分局安满度"));
  assert.match(await page.locator("#ruleset-select option[value='0']").innerText(), /已修改/);
  // Back: the draft is restored, with its diff.
  await page.selectOption("#ruleset-select", "0");
  await waitTop("城关镇", "101.80");
  await page.click("#diff-rules");
  const diff = page.locator("#diff-dialog");
  await diff.waitFor({ state: "visible" });
  assert.deepEqual(await diff.locator("tr.del td.line").allInnerTexts(), [original.split("\n").find((l) => l.includes("bonus_max: 5,"))]);
  assert.deepEqual(await diff.locator("tr.add td.line").allInnerTexts(), [original.split("\n").find((l) => l.includes("bonus_max: 5,")).replace("5,", "6,")]);
  await shot("draft-diff");
  await page.click("#diff-close");
  // Revert: asks, then the original, and no draft after a reload.
  await page.click("#draft-bar button[data-act=revert]");
  await ask.waitFor({ state: "visible" });
  await page.click("#ask-buttons button[value=revert]");
  await waitTop("城关镇", "101.00");
  assert.equal(await editorText(), original);
  await page.reload();
  await waitTop("城关镇", "101.00");
  assert.equal(await page.locator("#draft-bar").isVisible(), false);
  assert.doesNotMatch(await page.locator("#status-rules").innerText(), /已修改/);
  // 放弃修改并切换 forgets the draft.
  await page.click("#tab-editor");
  await setEditor(original.replace("bonus_max: 5,", "bonus_max: 7,"));
  await page.waitForFunction(() => /已修改/.test(document.querySelector("#status-rules").textContent));
  await page.selectOption("#ruleset-select", other);
  await ask.waitFor({ state: "visible" });
  await page.click("#ask-buttons button[value=discard]");
  await page.waitForFunction(() => document.querySelector("#summary h1")?.textContent.includes("分局安满度"));
  await page.selectOption("#ruleset-select", "0");
  await waitTop("城关镇", "101.00");
  assert.equal(await editorText(), original);
  await page.click("#tab-result");
});

test("a phone (390×844): the ranking as cards from the first screen, a folded toolbar, a 计分明细 that reads", async () => {
  const phone = await ctx.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(srv.url);
  await waitTop("城关镇", "101.00", phone);
  const header = await phone.locator("header.top").boundingBox();
  assert.ok(header.height <= 60, `the header takes ${header.height} px`);
  assert.equal(await phone.locator(".toolbar").isVisible(), false, "the toolbar is folded");
  const card = await phone.locator("#result-table tbody tr[data-unit]").first().boundingBox();
  assert.ok(card.y + card.height <= 844, `the first unit's card ends at ${card.y + card.height} px, in the first screen`);
  assert.ok(card.width >= 340 && card.x >= 0 && card.x + card.width <= 390, `the card fits the width: ${JSON.stringify(card)}`);
  // Vetoes, consequences and 备注 on the card, within the screen's width.
  const vetoed = phone.locator("#result-table tr[data-unit='999001108']");
  await vetoed.scrollIntoViewIfNeeded();
  for (const cls of ["c-veto", "c-cons", "c-remarks"]) {
    const box = await vetoed.locator(`td.${cls}`).boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390 && box.height > 0, `${cls} visible: ${JSON.stringify(box)}`);
  }
  assert.match(await vetoed.locator("td.c-veto").innerText(), /制毒窝点被异地查处/);
  assert.equal(await phone.evaluate(() => document.documentElement.scrollWidth), 390, "no sideways scrolling");
  await phone.evaluate(() => window.scrollTo(0, 0));
  await shot("phone-ranking", {}, phone);
  // The toolbar unfolds.
  await phone.click("#menu-toggle");
  assert.equal(await phone.locator("#print").isVisible(), true);
  await shot("phone-menu", {}, phone);
  await phone.click("#menu-toggle");
  // 计分明细: the whole screen, each item's reasons at full width.
  await phone.click("#result-table .unit-link >> text=城关镇");
  const dlg = phone.locator("#unit-dialog");
  await dlg.waitFor({ state: "visible" });
  const reasons = await phone.locator("#unit-body table.breakdown tbody tr:not(.cat) td:nth-child(3)").first().boundingBox();
  assert.ok(reasons.width >= 330, `the reasons read at ${reasons.width} px`);
  const overflow = await phone.locator("#unit-body").evaluate((el) => el.scrollWidth - el.clientWidth);
  assert.ok(overflow <= 1, `no sideways scrolling in the 计分明细 (${overflow} px)`);
  const title = await phone.locator("#unit-title").boundingBox();
  await phone.locator("#unit-body").evaluate((el) => { el.scrollTop = 600; });
  const titleAfter = await phone.locator("#unit-title").boundingBox();
  assert.equal(Math.round(titleAfter.y), Math.round(title.y), "the unit's name stays in view");
  await shot("phone-breakdown", {}, phone);
  await phone.close();
});

test("no page error", () => {
  assert.deepEqual(pageErrors, []);
});
