// The survey JS API in Node (`loadSurvey` of pkg/kaohe-node.js): a respondents' file — 问卷星's
// XLSX and GBK CSV — scored in WASM as the CLI scores it, byte for byte, with the list of units,
// n and intervals in the report, and the checks as data.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, KAOHE_BIN } from "./helpers.mjs";

const { loadSurvey } = await import("../../pkg/kaohe-node.js");
const survey = await loadSurvey();
const read = (p) => readFileSync(join(ROOT, p));
const RULES = { name: "rules/satisfaction-survey.rhai", source: read("rules/satisfaction-survey.rhai").toString() };
const XLSX = "rules/samples/satisfaction-survey-wjx.xlsx";
const UNITS = "rules/samples/satisfaction-survey.units.csv";

before(() => {
  if (!existsSync(KAOHE_BIN)) execFileSync("cargo", ["build", "--quiet"], { cwd: ROOT, stdio: "inherit" });
});

test("info() names the survey's unit column, questions and indices", () => {
  const info = survey.info(RULES);
  assert.equal(info.unit.number, 1);
  assert.deepEqual(info.questions.map((q) => q.id), ["safety", "sat", "aware"]);
  assert.deepEqual(info.metrics.map((m) => [m.id, m.method]), [["safety", "share"], ["sat", "mean"], ["aware", "share"]]);
  assert.equal(info.minSample, 30);
  assert.equal(survey.info({ name: "x.rhai", source: read("rules/county-antidrug.rhai").toString() }), null);
});

test("isRespondents() tells a respondents' file from a file of counts", async () => {
  assert.equal(await survey.isRespondents(RULES, read(XLSX), { fileName: "wjx.xlsx" }), true);
  assert.equal(await survey.isRespondents(RULES, read("rules/samples/satisfaction-survey.csv"), { fileName: "a.csv" }), true);
  assert.equal(await survey.isRespondents(RULES, read("rules/samples/satisfaction-survey.counts.csv"), { fileName: "c.csv" }), false);
});

test("the XLSX with the list of units: the report is byte for byte the CLI's", async () => {
  const out = await survey.assess(RULES, read(XLSX), { fileName: "wjx.xlsx", units: read(UNITS), unitsFileName: "units.csv" });
  assert.equal(out.type, "success", JSON.stringify(out.errors));
  assert.deepEqual(out.summary, { respondents: 800, counted: 800, units: 12, short_units: 2 });
  const cli = execFileSync(KAOHE_BIN, ["assess", "rules/satisfaction-survey.rhai", XLSX, "--units", UNITS, "--format", "json", "--quiet"], { cwd: ROOT });
  assert.equal(out.reportJson + "\n", cli.toString(), "WASM and native differ (rebuild both if src/ changed)");
  const u = out.report.units.find((x) => x.name === "河西街道");
  const sat = u.metrics.find((m) => m.id === "sat");
  assert.deepEqual([sat.display, sat.sample.n, sat.sample.low, sat.sample.high], ["92.96", 98, 90.51, 95.41]);
  assert.ok(u.items.some((i) => i.reasons.some((r) => r.detail.startsWith("公安工作满意度（分） = 92.96（n = 98，95% 区间 90.51–95.41）"))));
  const short = out.report.units.find((x) => x.name === "大坪乡");
  assert.ok(short.remarks.includes("样本不足（n = 12，少于 30），结果仅供参考"));
  out.free();
});

test("a unit in no unit of the list is a data failure with did-you-mean", async () => {
  const csv = read("rules/samples/satisfaction-survey.small.csv").toString().replace("甲镇,非常安全,非常满意", "甲真,非常安全,非常满意");
  const units = "单位编码,单位名称\nA01,甲镇\nA02,乙镇\nA03,丙镇\n";
  const out = await survey.assess(RULES, csv, { fileName: "s.csv", units });
  assert.equal(out.type, "failure");
  assert.equal(out.stage, "data");
  assert.equal(out.errors[0].code, "S0203");
  assert.equal(out.errors[0].row, 2);
  assert.equal(out.errors[0].help, "是不是“甲镇”？改为“甲镇”");
  const kept = await survey.assess(RULES, csv, { fileName: "s.csv", units, keepGoing: true });
  assert.equal(kept.type, "success");
  assert.equal(kept.summary.counted, 20);
  assert.equal(kept.dataErrors.length, 1);
});
