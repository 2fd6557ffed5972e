// The JS API in Node (pkg/kaohe-node.js: `kaohe/node`), and the native/WASM identity: for every
// bundled rule set, `kaohe assess RULES --format json` prints byte for byte the WASM `reportJson`.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { ROOT, KAOHE_BIN, GB_RULES, gb18030Csv, gb18030Rows } from "./helpers.mjs";
import { xlsx, csvRows } from "./xlsx.mjs";
/** An error's English words: `en.message` since the message catalogue (zh-CN in `message`), else `message`. */
const english = (e) => e.en?.message ?? e.message;

const { api } = await import("../../pkg/kaohe.js");
const { load } = await import("../../pkg/kaohe-node.js");
const kaohe = await load();
const read = (p) => readFileSync(join(ROOT, p));
const readText = (p) => readFileSync(join(ROOT, p), "utf8");
const STALE = "if src/ changed since the last build, rebuild both: bash scripts/build-wasm.sh && cargo build";
/**
 * A result's JSON with its data file's hash (来源: provenance.data_sha256) checked against the
 * bytes it was scored from and taken out: the same units from a CSV, a GBK CSV or a workbook give
 * the same result but for the hash of the file's own bytes.
 */
const withoutDataHash = (reportJson, bytes) => {
  const hash = createHash("sha256").update(bytes).digest("hex");
  const at = /"data_sha256": \[\n\s*"([0-9a-f]{64})"\n\s*\]/.exec(reportJson);
  assert.equal(at?.[1], hash, "the result names the hash of the bytes it was scored from");
  return reportJson.replace(at[0], '"data_sha256": []');
};

const county = () => {
  const b = kaohe.bundled().find((x) => x.id === "county-antidrug");
  const c = kaohe.compile(b.rulesPath, b.rules);
  assert.equal(c.type, "success");
  return { b, rs: c.ruleSet };
};

before(() => {
  if (!existsSync(KAOHE_BIN)) execFileSync("cargo", ["build", "--quiet"], { cwd: ROOT, stdio: "inherit" });
});

test("version() is the crate's version", () => {
  const version = /^version = "(.*)"/m.exec(readText("Cargo.toml"))[1];
  assert.equal(kaohe.version(), version);
});

test("bundled() lists every rule set in rules/ with its sample data and cases", () => {
  const list = kaohe.bundled();
  const files = readdirSync(join(ROOT, "rules")).filter((f) => f.endsWith(".rhai"));
  assert.equal(list.length, files.length);
  assert.equal(list[0].id, "county-antidrug", "the default comes first");
  for (const b of list) {
    assert.ok(files.includes(b.rulesPath.replace(/^rules\//, "")), b.rulesPath);
    assert.ok(b.data && b.cases, `${b.id} has sample data and cases`);
  }
});

test("compile: success gives the rule set's info", () => {
  const { rs } = county();
  assert.equal(rs.info.id, "county-antidrug");
  assert.equal(rs.info.title, "县禁毒工作绩效考核");
  assert.deepEqual(rs.info.grades, ["先进", "合格", "基本合格", "不合格"]);
  assert.ok(rs.info.fields.some((f) => f.name === "lost" && f.label === "失控人员数" && f.type === "int"));
  rs.free();
});

test("compile: failures are data, every error with its line and column", () => {
  const r = kaohe.compile("bad.rhai", 'ruleset(#{ id: "x", title: "示例" });\nfield("code", #{ label: "编码" type: "text" });\nlet z = 1 +* 2;\n');
  assert.equal(r.type, "failure");
  assert.deepEqual(r.errors.map((e) => `${e.location.line}:${e.location.column}`), ["2:30", "3:12"]);
  assert.equal(r.errors[0].code, "R0001");
  assert.equal(r.errors[0].message, "语法错误：映射的两项之间缺少 `,`");
  assert.equal(r.errors[0].help, "在此处补上 `,`");
  assert.match(r.errors[0].en.message, /^syntax error: expecting ','/);
  assert.equal(r.errors[0].location.file, "bad.rhai");
});

test("check: the broken rule files give exactly the errors they expect", () => {
  for (const f of readdirSync(join(ROOT, "rules/broken")).filter((x) => x.endsWith(".rhai"))) {
    const source = readText(`rules/broken/${f}`);
    const expected = (kind) => [...source.matchAll(new RegExp(`^//! expect-${kind}: (.*)$`, "gm"))].map((m) => m[1]);
    const line = (e) => `${e.location.file}:${e.location.line}:${e.location.column}: ${e.en.message}`;
    const r = kaohe.check(f, source);
    // A file that only warns (wording.rhai) compiles; the others fail.
    assert.equal(r.type, expected("error").length ? "failure" : "success", f);
    assert.deepEqual(r.errors.map(line), expected("error"), f);
    assert.deepEqual(r.warnings.map(line), expected("warning"), f);
    assert.ok([...r.errors, ...r.warnings].every((e) => /^[RI]\d{4}$/.test(e.code) && /[\u4e00-\u9fff]/.test(e.message)), f);
  }
  const ok = kaohe.check("rules/county-antidrug.rhai", readText("rules/county-antidrug.rhai"));
  assert.deepEqual(ok, { type: "success", errors: [], warnings: [] });
});

test("assess: UTF-8 CSV gives the ranked, graded result", () => {
  const { b, rs } = county();
  const o = rs.assess(b.data, { fileName: b.dataPath });
  assert.equal(o.type, "success");
  assert.equal(o.encoding, "UTF-8");
  assert.equal(o.report.units.length, 20);
  const top = o.report.units[0];
  assert.deepEqual([top.name, top.total_display, top.grade, top.rank], ["城关镇", "101.00", "先进", 1]);
  assert.deepEqual(JSON.parse(o.reportJson), o.report);
  assert.match(o.csv(), /城关镇/);
  const book = o.xlsx();
  assert.equal(String.fromCharCode(book[0], book[1]), "PK");
  o.free();
});

test("assess: GBK CSV bytes are detected and score the same", () => {
  const { b, rs } = county();
  const utf8 = rs.assess(b.data, { fileName: b.dataPath });
  const gbkBytes = new Uint8Array(read("rules/samples/county-antidrug.gbk.csv"));
  const gbk = rs.assess(gbkBytes, { fileName: "county-antidrug.gbk.csv" });
  assert.equal(gbk.type, "success");
  assert.match(gbk.encoding, /^(GBK|GB18030)$/);
  assert.equal(withoutDataHash(gbk.reportJson, gbkBytes), withoutDataHash(utf8.reportJson, b.data));
});

test("assess: XLSX bytes (first sheet) score the same as the CSV", () => {
  const { b, rs } = county();
  const book = xlsx(csvRows(b.data));
  const o = rs.assess(book, { fileName: "county-antidrug.xlsx" });
  assert.equal(o.type, "success", JSON.stringify(o.errors));
  const csv = rs.assess(b.data, { fileName: b.dataPath }).reportJson;
  assert.equal(withoutDataHash(o.reportJson, book), withoutDataHash(csv, b.data));
});

test("assess: JSON units (keys are the Chinese headers) score the same", () => {
  const { b, rs } = county();
  const [head, ...rows] = csvRows(b.data);
  const units = rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] === "" ? null : r[i]])));
  const o = rs.assess(JSON.stringify(units), { fileName: "data.json" });
  assert.equal(o.type, "success", JSON.stringify(o.errors));
  const csv = rs.assess(b.data, { fileName: b.dataPath }).report;
  assert.deepEqual(o.report.units.map((u) => [u.id, u.total_display, u.rank]), csv.units.map((u) => [u.id, u.total_display, u.rank]));
});

test("assess: a bad cell is reported with row, column and unit; keepGoing scores the rest", () => {
  const { b, rs } = county();
  const bad = b.data.replace("999001101,龙泉镇,96,", "999001101,龙泉镇,九十六,");
  const stopped = rs.assess(bad, { fileName: "bad.csv" });
  assert.equal(stopped.type, "failure");
  assert.equal(stopped.stage, "data");
  assert.deepEqual(stopped.errors, [{
    code: "D0201", row: 4, column: 3, column_letter: "C", header: "登记吸毒人员数", unit: "999001101", unit_name: "龙泉镇",
    place: "第 4 行，C 列“登记吸毒人员数”，单位“龙泉镇”（999001101）",
    message: "应填整数，实际填的是“九十六”", help: "把“九十六”改为数字 96",
    en: { message: "expected a whole number, found `九十六`", help: "change `九十六` to the number 96" },
  }]);
  const going = rs.assess(bad, { fileName: "bad.csv", keepGoing: true });
  assert.equal(going.type, "success");
  assert.equal(going.report.units.length, 19);
  assert.deepEqual(going.dataErrors, stopped.errors);
  // The row left out stays on record in the result, byte for byte as the CLI writes it.
  assert.deepEqual(going.report.data_errors, stopped.errors);
  const dir = mkdtempSync(join(tmpdir(), "kaohe-keep-going-"));
  writeFileSync(join(dir, "bad.csv"), bad);
  const cli = spawnSync(KAOHE_BIN, ["assess", "county-antidrug", join(dir, "bad.csv"), "--format", "json", "--keep-going"], { cwd: ROOT });
  assert.equal(going.reportJson + "\n", cli.stdout.toString().replace(join(dir, "bad.csv"), "bad.csv"));
});

test("assess: a runaway closure is stopped with its rule, unit and line", () => {
  const { b } = county();
  const source = `${b.rules}\nbonus("loop", #{ label: "死循环", max: 1, score: |u| { loop { } } });\n`;
  const line = source.split("\n").length - 1;
  const c = kaohe.compile("loop.rhai", source);
  assert.equal(c.type, "success");
  const o = c.ruleSet.assess(b.data, { fileName: b.dataPath });
  assert.equal(o.type, "failure");
  assert.equal(o.stage, "eval");
  assert.equal(o.errors[0].location.line, line);
  assert.equal(o.errors[0].rule, "loop");
  assert.match(english(o.errors[0]), /200000 operations/);
});

test("assess: the previous period's result gives rank change", () => {
  const b = kaohe.bundled().find((x) => x.id === "satisfaction");
  const rs = kaohe.compile(b.rulesPath, b.rules).ruleSet;
  const o = rs.assess(b.data, { fileName: b.dataPath, previous: readText("rules/samples/satisfaction.prev.json") });
  assert.equal(o.type, "success");
  const ranked = o.report.units.filter((u) => u.rank != null && u.previous_rank != null);
  assert.ok(ranked.length > 0);
  for (const u of ranked) assert.equal(u.rank_change, u.previous_rank - u.rank, u.name);
  const broken = rs.assess(b.data, { fileName: b.dataPath, previous: "{ not json" });
  assert.equal(broken.type, "failure");
  assert.equal(broken.stage, "previous");
});

test("runCases: every bundled rule set passes its own cases, with coverage", () => {
  for (const b of kaohe.bundled()) {
    const run = kaohe.compile(b.rulesPath, b.rules).ruleSet.runCases(b.cases);
    assert.equal(run.failed, 0, `${b.id}: ${JSON.stringify(run.cases.filter((c) => c.failures.length))}`);
    assert.equal(run.passed, run.cases.length);
    assert.ok(run.coverage_lines.length > 0);
  }
});

// The native/WASM identity: same rule set, same sample data, the same bytes.
function native(args) {
  const r = spawnSync(KAOHE_BIN, ["assess", ...args, "--format", "json"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.endsWith("\n"));
  return r.stdout.slice(0, -1);
}
function compileFromDisk(b) {
  const c = kaohe.compile(b.rulesPath, readText(b.rulesPath));
  assert.equal(c.type, "success", `${b.rulesPath} does not compile in WASM: ${JSON.stringify(c.errors)} (${STALE})`);
  return c.ruleSet;
}
function assertSameBytes(nativeText, wasmText, what) {
  if (nativeText === wasmText) return;
  const a = nativeText.split("\n"), w = wasmText.split("\n");
  const i = a.findIndex((l, k) => l !== w[k]);
  assert.fail(`${what}: native and WASM differ at line ${i + 1}:\n  native: ${a[i]}\n  wasm:   ${w[i]}\n(${STALE})`);
}

for (const b of kaohe.bundled()) {
  test(`native CLI and WASM give byte-identical JSON: ${b.id}`, () => {
    const o = compileFromDisk(b).assess(read(b.dataPath), { fileName: b.dataPath });
    assert.equal(o.type, "success", JSON.stringify(o.errors));
    assertSameBytes(native([b.rulesPath]), o.reportJson, b.id);
  });
}

for (const id of ["satisfaction", "key-area-listing"]) {
  test(`native CLI and WASM give byte-identical JSON with --previous: ${id}`, () => {
    const b = kaohe.bundled().find((x) => x.id === id);
    const prev = `rules/samples/${id}.prev.json`;
    const o = compileFromDisk(b).assess(read(b.dataPath), { fileName: b.dataPath, previous: readText(prev) });
    assert.equal(o.type, "success", JSON.stringify(o.errors));
    assertSameBytes(native([b.rulesPath, "--previous", prev]), o.reportJson, id);
  });
}

test("native CLI and WASM give byte-identical JSON with --history: three months of satisfaction, 连续进步表扬", () => {
  const b = kaohe.bundled().find((x) => x.id === "satisfaction");
  const dir = mkdtempSync(join(tmpdir(), "kaohe-history-"));
  const periods = ["rules/samples/satisfaction.prev2.csv", "rules/samples/satisfaction.prev.csv"].map((csv, k) => {
    const out = join(dir, `${k}.json`);
    execFileSync(KAOHE_BIN, ["assess", b.rulesPath, csv, "--format", "json", "--out", out], { cwd: ROOT });
    return out;
  });
  const o = compileFromDisk(b).assess(read(b.dataPath), { fileName: b.dataPath, previous: periods.map((p) => readFileSync(p, "utf8")) });
  assert.equal(o.type, "success", JSON.stringify(o.errors));
  assertSameBytes(native([b.rulesPath, "--history", periods[0], "--history", periods[1]]), o.reportJson, "history");
  const jd01 = o.report.units.find((u) => u.id === "JD01");
  assert.deepEqual(jd01.trend.map((t) => t.rank), [4, 2]);
  assert.ok(jd01.consequences.some((c) => c.name === "连续进步表扬"));
  assert.match(o.report.provenance.previous_sha256, /^[0-9a-f]{64}$/);
});

test("GB18030: every two-byte code and a sample of four-byte codes read the same natively and in WASM", () => {
  const dir = mkdtempSync(join(tmpdir(), "kaohe-gb-"));
  writeFileSync(join(dir, "gb.rhai"), GB_RULES);
  const csv = gb18030Csv();
  writeFileSync(join(dir, "gb.csv"), csv);
  const c = kaohe.compile("gb.rhai", GB_RULES);
  assert.equal(c.type, "success", JSON.stringify(c.errors));
  const o = c.ruleSet.assess(csv, { fileName: "gb.csv" });
  assert.equal(o.type, "success", JSON.stringify(o.errors));
  assert.equal(o.encoding, "GB18030");
  const r = spawnSync(KAOHE_BIN, ["assess", "gb.rhai", "gb.csv", "--format", "json"], { cwd: dir, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const nativeText = r.stdout.slice(0, -1);
  const names = JSON.parse(nativeText).units.map((u) => u.name);
  assert.equal(names.length, gb18030Rows().length);
  assert.ok(names.every((n) => n.startsWith("<") && n.endsWith(">") && !n.includes("\ufffd")));
  assertSameBytes(nativeText, o.reportJson, "GB18030");
});

test("batch: loadUnits once, scoreBatch in WASM memory, csv() in input order equal to assess", () => {
  const { b, rs } = county();
  const loaded = rs.loadUnits(b.data, { fileName: b.dataPath });
  assert.equal(loaded.type, "success");
  assert.equal(loaded.units.len(), 20);
  const scored = rs.scoreBatch(loaded.units);
  assert.equal(scored.type, "success", JSON.stringify(scored.errors));
  assert.equal(scored.scores.len(), 20);
  loaded.units.free(); // the scores keep what they need
  const [head, ...rows] = csvRows(scored.scores.csv());
  assert.deepEqual(head, ["单位编码", "单位名称", "总分", "等次", "名次", "一票否决"]);
  assert.deepEqual(rows.map((r) => r[0]), csvRows(b.data).slice(1).map((r) => r[0]), "input order");
  const report = rs.assess(b.data, { fileName: b.dataPath }).report;
  for (const u of report.units) {
    const r = rows.find((x) => x[0] === u.id);
    assert.deepEqual(r, [u.id, u.name, u.total_display, u.grade, String(u.rank), u.vetoed ? "是" : "否"]);
  }
  scored.scores.free();
});

test("batch: unit(i) is the unit's line of `kaohe assess --format jsonl`, exact numbers and all", () => {
  const { b, rs } = county();
  const loaded = rs.loadUnits(b.data, { fileName: b.dataPath });
  const { scores } = rs.scoreBatch(loaded.units);
  const cli = execFileSync(KAOHE_BIN, ["assess", "county-antidrug", "--format", "jsonl"], { cwd: ROOT }).toString();
  const lines = cli.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, scores.len());
  lines.forEach((line, i) => assert.deepEqual(scores.unit(i), line, `${line.id} ${STALE}`));
  assert.equal(typeof lines[0].total, "number");
  assert.equal(scores.unit(scores.len()), null);
  scores.free();
  loaded.units.free();
});

test("batch: the 通报's columns — 备注, points per category and bonus — equal the explained report's", () => {
  const { b, rs } = county();
  assert.deepEqual([rs.info.issuer, rs.info.period, rs.info.document], ["××县禁毒委员会办公室", "2026年上半年", "×禁毒办〔2026〕×号"]);
  const loaded = rs.loadUnits(b.data, { fileName: b.dataPath });
  const { scores } = rs.scoreBatch(loaded.units);
  const column = (which) => scores.columnText(which).split("\u0001");
  const { labels } = scores.labels();
  assert.equal(labels.itemCategories.length, labels.items.length);
  const categories = [...new Set(labels.itemCategories.filter((c) => c != null))];
  assert.deepEqual(categories, ["组织领导", "宣传教育", "禁种铲毒", "基层基础", "公众评价"]);
  const report = rs.assess(b.data, { fileName: b.dataPath }).report;
  assert.deepEqual(report.rule_set.issuer, "××县禁毒委员会办公室");
  const ids = column("id");
  const [remarks, bonus] = [column("remarks"), column("bonus")];
  const perCategory = Object.fromEntries(categories.map((c) => [c, column(`category:${c}`)]));
  // Exact sums of the explained report's items, in hundredths.
  const cents = (x) => Math.round(Number(x) * 100);
  for (const u of report.units) {
    const i = ids.indexOf(u.id);
    assert.equal(remarks[i], u.remarks.join("；"), u.id);
    assert.equal(cents(bonus[i]), cents(u.bonus), u.id);
    for (const c of categories) {
      const items = u.items.filter((it) => it.kind !== "bonus" && it.category === c); // an item that does not apply counts as its rule set says (full marks here)
      assert.equal(cents(perCategory[c][i]), items.reduce((s, it) => s + cents(it.points), 0), `${u.id} ${c}`);
    }
  }
  assert.match(remarks[ids.indexOf("999001102")], /^未满足必备条件（.+），由先进评为合格$/);
  assert.equal(scores.columnText("no-such-column"), "");
  scores.free();
  loaded.units.free();
});

test("batch: bad data and foreign units are failures as data", () => {
  const { b, rs } = county();
  const lines = b.data.trim().split("\n");
  const cells = lines[2].split(",");
  cells[2] = "很多";
  const bad = [lines[0], lines[1], cells.join(","), ...lines.slice(3)].join("\n");
  const refused = rs.loadUnits(bad, { fileName: "bad.csv" });
  assert.equal(refused.type, "failure");
  assert.deepEqual([refused.stage, refused.errors[0].row, refused.errors[0].column], ["data", 3, 3]);
  const kept = rs.loadUnits(bad, { fileName: "bad.csv", keepGoing: true });
  assert.deepEqual([kept.type, kept.units.len(), kept.units.dataErrors.length], ["success", 19, 1]);
  const other = county().rs;
  const foreign = other.scoreBatch(kept.units);
  assert.deepEqual([foreign.type, foreign.stage], ["failure", "data"]);
  assert.equal(rs.scoreBatch({ len: () => 1 }).type, "failure");
});

test("browser modules: the engine module reads no spreadsheets until loadSpreadsheets() fetches the full one", async () => {
  const engine = await import("../../pkg/kaohe_bg_glue.js");
  engine.initSync({ module: read("pkg/kaohe_bg_glue_bg.wasm") });
  assert.equal(engine.spreadsheets(), false);
  const k = api(engine, async () => {
    const full = await import("../../pkg/full/kaohe_bg_glue.js");
    full.initSync({ module: read("pkg/full/kaohe_bg_glue_bg.wasm") });
    return full;
  });
  const b = k.bundled()[0];
  const rs = k.compile(b.rulesPath, b.rules).ruleSet;
  const book = xlsx(csvRows(b.data));
  assert.equal(k.isSpreadsheet("data.xlsx", book), true);
  assert.equal(k.isSpreadsheet(b.dataPath, b.data), false);
  const early = rs.assess(book, { fileName: "data.xlsx" });
  assert.deepEqual([early.type, early.stage], ["failure", "data"]);
  assert.match(english(early.errors[0]), /not loaded/);
  const fromCsv = rs.assess(b.data, { fileName: b.dataPath });
  assert.equal(fromCsv.xlsx().length, 0, "no workbook before spreadsheet support is loaded");
  await k.loadSpreadsheets();
  assert.equal(k.spreadsheets(), true);
  const workbook = fromCsv.xlsx();
  assert.equal(String.fromCharCode(workbook[0], workbook[1]), "PK");
  const fromSheet = rs.assess(book, { fileName: "data.xlsx" });
  assert.equal(fromSheet.type, "success", JSON.stringify(fromSheet.errors));
  assert.equal(withoutDataHash(fromSheet.reportJson, book), withoutDataHash(fromCsv.reportJson, b.data));
  const units = rs.loadUnits(book, { fileName: "data.xlsx" });
  assert.equal(rs.scoreBatch(units.units).scores.csv(), rs.scoreBatch(rs.loadUnits(b.data).units).scores.csv());
  rs.free();
});

test("params: setParams and readParams change a run's parameter, the reasons say so, bad values are every one reported", () => {
  const b = kaohe.bundled().find((x) => x.id === "city-safety-negative");
  const rs = kaohe.compile(b.rulesPath, b.rules).ruleSet;
  assert.deepEqual(rs.info.params, [{ id: "prov_clear_rate", label: "上年度全省平均破案率", value: "85" }]);
  const clear = (o, id) => o.report.units.find((u) => u.id === id).items.find((i) => i.id === "neg.clear");
  assert.equal(clear(rs.assess(b.data, { fileName: b.dataPath }), "C02").points, 0);
  assert.deepEqual(rs.setParams({ 上年度全省平均破案率: 90 }), { type: "success" });
  const o = rs.assess(b.data, { fileName: b.dataPath });
  assert.equal(clear(o, "C02").points, -0.5);
  assert.match(clear(o, "C02").reasons[0].detail, /90（本次参数；规则集原为 85）/);
  // The same JSON as the CLI with --param.
  const cli = execFileSync(KAOHE_BIN, ["assess", "city-safety-negative", "--format", "json", "--param", "prov_clear_rate=90"], { cwd: ROOT }).toString();
  assert.equal(o.reportJson + "\n", cli);
  // A bad table: every error, none set (the declared value is back).
  const bad = rs.setParams({ prov_clear_rat: 90, 上年度全省平均破案率: "九十" });
  assert.equal(bad.type, "failure");
  assert.deepEqual(bad.errors.map((e) => e.code).sort(), ["D0912", "D0913"]);
  assert.equal(clear(rs.assess(b.data, { fileName: b.dataPath }), "C02").points, 0);
  // A CSV table, read without being set.
  const read = rs.readParams("参数,取值\nprov_clear_rate,88.5%\n", { fileName: "参数.csv" });
  assert.deepEqual(read, { type: "success", values: { prov_clear_rate: "88.5" } });
  assert.equal(rs.readParams("参数,取值\n未知,1\n", { fileName: "p.csv" }).errors[0].code, "D0912");
  rs.free();
});

test("rule files: a decision table in a workbook beside the rules is read by the full module and scores as the CLI does", async () => {
  const engine = await import("../../pkg/kaohe_bg_glue.js");
  engine.initSync({ module: read("pkg/kaohe_bg_glue_bg.wasm") });
  const k = api(engine, async () => {
    const full = await import("../../pkg/full/kaohe_bg_glue.js");
    full.initSync({ module: read("pkg/full/kaohe_bg_glue_bg.wasm") });
    return full;
  });
  const dir = mkdtempSync(join(tmpdir(), "kaohe-table-"));
  const source = `ruleset(#{ id: "t", title: "附表测试", decimals: 2 });
field("code", #{ label: "编码", type: "text" });
field("safety", #{ label: "群众安全感", type: "percent" });
field("cases", #{ label: "刑事案件立案数", type: "int" });
unit(#{ id: "code" });
indicator("overall", #{ label: "综合评定", max: 10, table: #{ file: "附表.xlsx", sheet: "综合评定", hit: "first" } });
`;
  const book = xlsx([["群众安全感", "刑事案件立案数", "分值"], ["≥95", "≤2", 10], [">=90", "-", 6], ["-", "-", 0]], "综合评定");
  const data = "编码,群众安全感,刑事案件立案数\nA,96,1\nB,92,5\nC,80,0\n";
  // Without the file: R0415, naming it.
  const missing = k.compile("t.rhai", source);
  assert.equal(missing.type, "failure");
  assert.equal(missing.errors[0].code, "R0415");
  assert.match(missing.errors[0].message, /找不到规则附表“附表.xlsx”/);
  // A workbook needs the full module: not loaded yet, then loaded.
  k.setRuleFiles({ "附表.xlsx": book });
  assert.equal(k.compile("t.rhai", source).type, "failure");
  await k.loadSpreadsheets();
  const c = k.compile("t.rhai", source);
  assert.equal(c.type, "success", JSON.stringify(c.errors));
  const o = c.ruleSet.assess(data, { fileName: "d.csv" });
  assert.deepEqual(o.report.units.map((u) => u.items[0].points), [10, 6, 0]);
  assert.match(o.report.units[1].items[0].reasons[0].detail, /命中附表“附表.xlsx”工作表“综合评定”第 3 行，计 6 分/);
  // The CLI reads the same workbook beside the same rule file: the same bytes.
  writeFileSync(join(dir, "t.rhai"), source);
  writeFileSync(join(dir, "附表.xlsx"), book);
  writeFileSync(join(dir, "d.csv"), data);
  const cli = execFileSync(KAOHE_BIN, ["assess", "t.rhai", "d.csv", "--format", "json"], { cwd: dir }).toString();
  assert.equal(o.reportJson + "\n", cli);
  k.setRuleFiles({});
  assert.equal(k.compile("t.rhai", source).errors[0].code, "R0415");
  c.ruleSet.free();
});

test("gap: a unit's 差距分析 from the full module, the same JSON as `kaohe gap --format json`", () => {
  const { b, rs } = county();
  const one = rs.gap(b.data, { fileName: b.dataPath, units: ["南门街道"] });
  assert.equal(one.type, "success", JSON.stringify(one.errors));
  assert.equal(one.gap.schema, "kaohe-gap");
  assert.deepEqual(one.dataErrors, []);
  assert.deepEqual(one.gap.units.map((u) => u.name), ["南门街道"], "only the unit asked for");
  const u = one.gap.units[0];
  assert.equal(u.summary, "距合格（≥80 分）差 0.05 分；距第 10 名（柳溪镇）差 0.05 分；调整 1 项数据后总分 80.00 分，可评为合格");
  assert.deepEqual([u.next_grade.grade, u.next_grade.threshold, u.next_grade.points], ["合格", 80, 0.05]);
  assert.deepEqual(u.plan.moves.map((m) => m.detail), ["禁毒信息被县级以上采用篇数由 0 增至 1，禁毒信息采用 +0.05 分"]);
  assert.equal(u.plan.reached, true);
  // By code as well as by name; the CLI's JSON, unit for unit (the CLI works out every unit, then keeps the one).
  const cli = JSON.parse(execFileSync(KAOHE_BIN, ["gap", "county-antidrug", "--unit", "南门街道", "--format", "json"], { cwd: ROOT }).toString());
  assert.deepEqual(one.gap, cli);
  assert.deepEqual(rs.gap(b.data, { fileName: b.dataPath, units: [u.id] }).gap, cli);
  const all = rs.gap(b.data, { fileName: b.dataPath });
  assert.deepEqual(all.gap, JSON.parse(execFileSync(KAOHE_BIN, ["gap", "county-antidrug", "--format", "json"], { cwd: ROOT }).toString()));
  assert.equal(all.gap.units.length, 20);
  // Failures are data: a bad cell (without keepGoing), a bad previous period.
  const [head, ...lines] = b.data.trimEnd().split("\n");
  const cells = lines[2].split(",");
  cells[2] = "九十六";
  const bad = [head, ...lines.slice(0, 2), cells.join(","), ...lines.slice(3)].join("\n");
  const failed = rs.gap(bad, { fileName: "bad.csv" });
  assert.deepEqual([failed.type, failed.stage, failed.errors[0].row], ["failure", "data", 4]);
  const kept = rs.gap(bad, { fileName: "bad.csv", keepGoing: true });
  assert.deepEqual([kept.type, kept.gap.units.length, kept.dataErrors.length], ["success", 19, 1]);
  assert.deepEqual([rs.gap(b.data, { previous: "{" }).type, rs.gap(b.data, { previous: "{" }).stage], ["failure", "previous"]);
  rs.free();
});

test("diff: two rule sets on the same data compared (谁变了), the same JSON as `kaohe diff --format json`", () => {
  const { b, rs } = county();
  const source = b.rules
    .replace('#{ name: "先进", at_least: 90 }', '#{ name: "先进", at_least: 85 }')
    .replace("at_least: 80, below: 90", "at_least: 80, below: 85");
  assert.notEqual(source, b.rules);
  const edited = kaohe.compile(b.rulesPath, source).ruleSet;
  const data = { data: b.data, fileName: b.dataPath };
  const d = kaohe.diff({ ruleSet: rs, ...data }, { ruleSet: edited, ...data }, { beforeName: "原始规则", afterName: "修改后的规则" });
  assert.equal(d.type, "success", JSON.stringify(d.errors));
  assert.equal(d.diff.schema, "kaohe-diff");
  assert.deepEqual([d.diff.before, d.diff.after], ["原始规则", "修改后的规则"]);
  assert.deepEqual([d.diff.grades_changed, d.diff.ranks_changed, d.diff.totals_changed], [1, 0, 0]);
  assert.equal(d.diff.summary[0], "1 个单位等次变化，0 个单位名次变化，0 个单位总分变化");
  const moved = d.diff.units[0];
  assert.deepEqual([moved.name, moved.grade_changed, moved.before.grade, moved.after.grade], ["城南工业园区管委会", true, "合格", "先进"]);
  assert.deepEqual(moved.after.consequences, ["通报表彰"]);
  assert.deepEqual(d.dataErrors, { before: [], after: [] });
  // The CLI on the same two rule files and data: the same comparison (its runs named by their files).
  const dir = mkdtempSync(join(tmpdir(), "kaohe-diff-"));
  writeFileSync(join(dir, "新规则.rhai"), source);
  const cli = JSON.parse(execFileSync(KAOHE_BIN, ["diff", join(ROOT, b.rulesPath), join(dir, "新规则.rhai"), join(ROOT, b.dataPath), "--format", "json"]).toString());
  assert.deepEqual({ ...d.diff, before: cli.before, after: cli.after }, cli);
  // One rule set on two data files (a correction after review): 南门街道 gets the one 禁毒信息 it lacked.
  const [head, ...lines] = b.data.trimEnd().split("\n");
  const col = head.split(",").indexOf("禁毒信息被县级以上采用篇数");
  const fixed = [head, ...lines.map((l) => {
    const cells = l.split(",");
    if (cells[1] === "南门街道") cells[col] = String(Number(cells[col]) + 1);
    return cells.join(",");
  })].join("\n");
  const corrected = kaohe.diff({ ruleSet: rs, ...data }, { ruleSet: rs, data: fixed, fileName: "核查后.csv" });
  assert.equal(corrected.type, "success");
  const nm = corrected.diff.units[0];
  assert.deepEqual([nm.name, nm.before.grade, nm.after.grade, nm.total_change], ["南门街道", "基本合格", "合格", 0.05]);
  assert.deepEqual(nm.items.map((i) => [i.label, i.before, i.after]), [["禁毒信息采用", 0, 0.05]]);
  // A failure says which run it stopped.
  const broken = kaohe.diff({ ruleSet: rs, ...data }, { ruleSet: rs, data: "单位编码,单位名称\nA,甲\n", fileName: "x.csv" });
  assert.deepEqual([broken.type, broken.stage, broken.side], ["failure", "data", "after"]);
  edited.free();
  rs.free();
});

test("browser modules: the gap and the comparison are in the full module only, fetched on demand", async () => {
  const engine = await import("../../pkg/kaohe_bg_glue.js");
  engine.initSync({ module: read("pkg/kaohe_bg_glue_bg.wasm") });
  assert.equal(typeof engine.Compiled.prototype.gapJson, "undefined", "the engine module carries no gap code");
  assert.equal(typeof engine.diffJson, "undefined", "the engine module carries no comparison code");
  const k = api(engine, async () => {
    const full = await import("../../pkg/full/kaohe_bg_glue.js");
    full.initSync({ module: read("pkg/full/kaohe_bg_glue_bg.wasm") });
    return full;
  });
  const b = k.bundled()[0];
  const rs = k.compile(b.rulesPath, b.rules).ruleSet;
  const early = rs.gap(b.data, { fileName: b.dataPath });
  assert.deepEqual([early.type, early.stage], ["failure", "module"]);
  assert.match(english(early.errors[0]), /full module/);
  const pair = { ruleSet: rs, data: b.data, fileName: b.dataPath };
  assert.equal(k.diff(pair, pair).stage, "module");
  await k.loadSpreadsheets();
  const gap = rs.gap(b.data, { fileName: b.dataPath, units: ["南门街道"] });
  assert.equal(gap.type, "success");
  assert.match(gap.gap.units[0].summary, /^距合格（≥80 分）差 0\.05 分/);
  const same = k.diff(pair, pair);
  assert.deepEqual([same.type, same.diff.grades_changed, same.diff.totals_changed], ["success", 0, 0]);
  rs.free();
});
