// kaohe 考核 — the engine's worker. All compiling and scoring runs here, so a slow rule never
// blocks the page; the page stops a runaway worker with worker.terminate() and starts a new one.
//
// Messages in:  { id, type: "assess", name, source, data, fileName, previous, params, unitList?, unitListName? }
//               (params: parameters' values by id, { id: "86.2" }; {} for the declared ones)
//               { id, type: "params-file", name, source, data, fileName }   (a parameter table, read not set)
//               Every job on rules carries ruleFiles ({ path: bytes }, the files the rules name
//               beside themselves: 规则附表) and ruleFilesVersion (the page's count of loads).
//               (unitList: the list of units for a survey's respondents, as `kaohe assess --units`)
//               { id, type: "export", format: "xlsx" | "csv", request }   (request: the assess message)
//               { id, type: "explain", request, index }   (one unit of a batch result)
//               { id, type: "cases", name, source, cases }
//               { id, type: "bundled-data", bundled }   (a bundled rule set's sample kept in the full module)
//               { id, type: "template", name, source, list, listName, unit }   (the form, XLSX;
//               list: the list of units' bytes, or null)
//               { id, type: "merge", name, source, files: [{ fileName, data }], list, listName }
//               { id, type: "gap", request, unit }   (one unit's 差距分析, against the assess request's data)
//               { id, type: "diff", request, original: { name, source } }   (谁变了: the request's
//               rules against the original ones on the same data)
// Messages out: { type: "ready", version, bundled } once; { id, type: "progress", phase, units? }
//               while a job runs (the page's watchdog counts from the last one); then { id, … }.
//
// Up to EXPLAIN_MAX units are scored with the explained report (every unit's 计分明细 at once);
// more are scored by the batch path (loadUnits + scoreBatch: no text), sent to the page as
// compact columns, and a unit's 计分明细 is made when it is opened.
//
// The single-file app (dist/kaohe.html) runs this file as a classic worker: its build replaces
// the import line below with the engine inlined in the page.
import { load } from "./pkg/kaohe.js";

const EXPLAIN_MAX = 1000;
const SEP = "\u0001"; // joins a column of text for the page (cheaper to send than a list)

const kaohe = load();
kaohe.then(
  (k) => postMessage({ type: "ready", version: k.version(), bundled: k.bundled(), spreadsheets: k.spreadsheets() }),
  (e) => postMessage({ type: "fatal", message: String(e?.message ?? e) }),
);

let compiled = null; // { name, source, result } — the last compile, reused while the script is unchanged
let filesKey = "[]"; // which files beside the rules (规则附表) the engine has: their names and the page's version

/** Gives the engine the files the rules name (规则附表); a change compiles the rules again. */
function useFiles(k, files, version) {
  const key = JSON.stringify([version ?? 0, Object.keys(files ?? {})]);
  if (key === filesKey) return;
  filesKey = key;
  k.setRuleFiles(files ?? {});
  const old = compiled?.result;
  if (old?.type === "success" && last?.ruleSet !== old.ruleSet) old.ruleSet.free();
  compiled = null;
  if (original?.result.type === "success") original.result.ruleSet.free();
  original = null;
}
let last = null; // the last successful assessment, kept for exports and explanations

function compile(k, name, source) {
  if (compiled && compiled.name === name && compiled.source === source) return compiled.result;
  const old = compiled?.result;
  // A rule set still behind the last batch result stays until that result is replaced.
  if (old?.type === "success" && last?.ruleSet !== old.ruleSet) old.ruleSet.free();
  compiled = { name, source, result: k.compile(name, source) };
  return compiled.result;
}

function keep(next) {
  if (last) {
    last.outcome?.free();
    last.scores?.free();
    last.units?.free();
    if (last.ruleSet && last.ruleSet !== compiled?.result.ruleSet) last.ruleSet.free();
  }
  last = next;
}

let original = null; // { name, source, result } — the original rules of the last comparison (谁变了)

/** The original (saved or bundled) rules, compiled once while they stay the same. */
function compileOriginal(k, name, source) {
  if (original && original.name === name && original.source === source) return original.result;
  if (original?.result.type === "success") original.result.ruleSet.free();
  original = { name, source, result: k.compile(name, source) };
  return original.result;
}

const FULL_MISSING = "无法加载差距分析和对比所需的组件（可能已断网或本地服务已停止），请联网或启动服务后刷新页面再试";
const messages = (errors) => (errors ?? []).map((e) => e.message).filter(Boolean).join("；");

const SHEET_MISSING = {
  row: 0, column: 0,
  message: "无法加载读取 Excel 文件或问卷数据所需的组件（可能已断网或本地服务已停止）",
  help: "请联网或启动服务后刷新页面再试，或在 Excel/WPS 中把表格另存为 CSV 后载入",
};

/** Data errors in Chinese where the API speaks to developers (spreadsheet support not loaded). */
const zh = (errors) => errors.map((e) => (/loadSpreadsheets/.test(e.help ?? "") ? SHEET_MISSING : e));

/** Scores the data; a rule set that compiles sends its warnings (警告) with whatever follows. */
async function assess(k, msg) {
  const c = compile(k, msg.name, msg.source);
  if (c.type !== "success") return { stage: "rules", errors: zh(c.errors) };
  return { ...(await assessCompiled(k, c, msg)), warnings: c.warnings };
}

async function assessCompiled(k, c, msg) {
  const { id, data, fileName, previous } = msg;
  const survey = c.ruleSet.info.survey;
  const set = c.ruleSet.setParams(msg.params ?? {});
  if (set.type !== "success") return { stage: "params", errors: set.errors, info: c.ruleSet.info };
  if (data == null) return { stage: "nodata", survey, info: c.ruleSet.info };
  postMessage({ id, type: "progress", phase: "read" });
  if (survey) return assessSurvey(k, c, msg);
  const loaded = c.ruleSet.loadUnits(data, { fileName, keepGoing: true });
  if (loaded.type !== "success") return { stage: loaded.stage, errors: zh(loaded.errors) };
  const n = loaded.units.len();
  if (n <= EXPLAIN_MAX) {
    loaded.units.free();
    const outcome = c.ruleSet.assess(data, { fileName, previous: previous || "", keepGoing: true });
    if (outcome.type !== "success") return { stage: outcome.stage, errors: zh(outcome.errors) };
    keep({ id, outcome });
    const { report, reportJson, dataErrors, encoding, ignoredColumns } = outcome;
    return { info: c.ruleSet.info, report, reportJson, dataErrors, encoding, ignoredColumns };
  }
  postMessage({ id, type: "progress", phase: "score", units: n });
  const scored = c.ruleSet.scoreBatch(loaded.units);
  if (scored.type !== "success") {
    loaded.units.free();
    return { stage: scored.stage, errors: scored.errors };
  }
  postMessage({ id, type: "progress", phase: "table", units: n });
  keep({ id, units: loaded.units, scores: scored.scores, ruleSet: c.ruleSet });
  const { dataErrors, encoding, ignoredColumns } = loaded.units;
  return { info: c.ruleSet.info, batch: pack(scored.scores, n), dataErrors, encoding, ignoredColumns, notStreamable: c.ruleSet.notStreamable() };
}

/**
 * A rule set with a survey (问卷): respondents' rows (or counts per unit) with the list of units
 * when one is given, scored with every unit explained; the reading's summary for the page.
 */
async function assessSurvey(k, c, { id, name, source, data, fileName, previous, params, unitList, unitListName }) {
  const outcome = await k.survey.assess({ name, source }, data, {
    fileName, units: unitList ?? null, unitsFileName: unitListName || "units.csv", previous: previous || "", params: params ?? {}, keepGoing: true,
  });
  if (outcome.type !== "success") return { stage: outcome.stage, errors: zh(outcome.errors), survey: true };
  keep({ id, outcome });
  const { report, reportJson, dataErrors, encoding, ignoredColumns, summary } = outcome;
  return { info: c.ruleSet.info, report, reportJson, dataErrors, encoding, ignoredColumns, respondents: summary, survey: true };
}

/** The batch result for the page: text columns joined by U+0001 and typed arrays (transferred, not copied). */
function pack(scores, n) {
  const text = (which) => scores.columnText(which);
  const cohort = text("cohort");
  const { grades, labels } = scores.labels();
  // Points per category (分项得分) and bonus, for a 通报 that lists them: text, split by the page when printed.
  const categories = [...new Set((labels.itemCategories ?? []).filter((c) => c != null))];
  return {
    n,
    id: text("id"), name: text("name"), total: text("total"), vetoes: text("vetoes"), consequences: text("consequences"),
    remarks: text("remarks"), bonus: text("bonus"),
    categories: categories.map((name) => ({ name, points: text(`category:${name}`) })),
    cohort: cohort.replaceAll(SEP, "") === "" ? null : cohort,
    exact: scores.columnNumbers("exact"),
    rank: Int32Array.from(scores.columnNumbers("rank")),
    grade: Int16Array.from(scores.columnNumbers("grade")),
    grades, labels,
  };
}

const handlers = {
  assess,
  async export(k, { format, request }) {
    if (last?.id !== request.id) {
      const r = await assess(k, request);
      if (!r.report && !r.batch) return { error: "结果已过期，请重新计算后再导出" };
      last.id = request.id;
    }
    if (format === "xlsx") {
      if (!k.spreadsheets()) return { error: "无法加载生成 Excel 文件所需的组件（可能已断网或本地服务已停止）。请联网或启动服务后刷新页面再试，或导出 CSV。" };
      const bytes = last.outcome ? last.outcome.xlsx() : last.scores.xlsx();
      return bytes.length ? { bytes } : { error: "生成 Excel 文件失败，请导出 CSV。" };
    }
    return { text: last.outcome ? last.outcome.csv() : last.scores.csvTable() };
  },
  async explain(k, { request, index }) {
    if (last?.id !== request.id) {
      await assess(k, request); // a restarted worker: the same result again
      if (last) last.id = request.id;
    }
    if (!last?.units || last.id !== request.id) return { error: "无法生成该单位的计分明细，请重新载入数据后再试" };
    const points = last.scores.unit(index);
    // Explained with the parameters the table on screen was scored with.
    if (last.ruleSet.setParams(request.params ?? {}).type !== "success") return { error: "参数有误，无法生成该单位的计分明细" };
    const unit = last.ruleSet.notStreamable() ? null : last.ruleSet.explainUnit(last.units, index);
    if (Array.isArray(unit)) return { error: `生成计分明细时出错：${unit.map((e) => e.message).join("；")}` };
    return { unit, points };
  },
  async "bundled-data"(k, { bundled }) {
    return { data: await k.bundledData(bundled).catch(() => null) };
  },
  // Data collection (数据收集): both write XLSX, in the full module.
  template(k, { name, source, list, listName, unit }) {
    if (!k.spreadsheets()) return { error: "无法加载生成 Excel 文件所需的组件（可能已断网或本地服务已停止）。请联网或启动服务后刷新页面再试。" };
    const r = k.template({ name, source }, { units: list, unitsFileName: listName, unit });
    return r.type === "success" ? { bytes: r.xlsx, units: r.units, columns: r.columns } : { stage: r.stage, errors: r.errors };
  },
  merge(k, { name, source, files, list, listName }) {
    if (!k.spreadsheets()) return { error: "无法加载读取 Excel 文件所需的组件（可能已断网或本地服务已停止）。请联网或启动服务后刷新页面再试。" };
    const r = k.merge({ name, source }, files, { units: list, unitsFileName: listName, lang: "zh" });
    if (r.type !== "success") return { stage: r.stage, errors: r.errors };
    const { files: lines, problems, errors, notes, ready, xlsx, csv } = r;
    return { summary: { files: lines, problems, errors, notes, ready }, bytes: xlsx, csv };
  },
  // 差距分析 and 谁变了: in the full module, fetched on the first use as for a spreadsheet.
  gap(k, { request, unit }) {
    if (!k.spreadsheets()) return { error: FULL_MISSING };
    const c = compile(k, request.name, request.source);
    if (c.type !== "success") return { error: "规则有错误，无法分析差距" };
    if (c.ruleSet.setParams(request.params ?? {}).type !== "success") return { error: "参数有误，无法分析差距" };
    const r = c.ruleSet.gap(request.data, { fileName: request.fileName, previous: request.previous || "", keepGoing: true, units: [unit] });
    if (r.type !== "success") return { error: `无法分析差距：${messages(zh(r.errors))}` };
    return { gap: r.gap.units.find((u) => u.id === unit) ?? r.gap.units[0] ?? null };
  },
  diff(k, { request, original: o }) {
    if (!k.spreadsheets()) return { error: FULL_MISSING };
    const after = compile(k, request.name, request.source);
    if (after.type !== "success") return { error: "修改后的规则有错误，无法比较" };
    const before = compileOriginal(k, o.name, o.source);
    if (before.type !== "success") return { error: "原始规则有错误，无法比较" };
    if (after.ruleSet.setParams(request.params ?? {}).type !== "success") return { error: "参数有误，无法比较" };
    // The same parameters' values for both, as far as the original declares them.
    if (before.ruleSet.setParams(request.params ?? {}).type !== "success") before.ruleSet.setParams({});
    const data = { data: request.data, fileName: request.fileName };
    const r = k.diff({ ruleSet: before.ruleSet, ...data }, { ruleSet: after.ruleSet, ...data }, {
      previous: request.previous || "", keepGoing: true, beforeName: "原始规则", afterName: "修改后的规则",
    });
    return r.type === "success" ? { diff: r.diff } : { error: `无法比较：${messages(zh(r.errors))}` };
  },
  "params-file"(k, { name, source, data, fileName }) {
    const c = compile(k, name, source);
    if (c.type !== "success") return { stage: "rules", errors: c.errors };
    const r = c.ruleSet.readParams(data, { fileName });
    return r.type === "success" ? { values: r.values } : { stage: "params", errors: zh(r.errors) };
  },
  cases(k, { name, source, cases }) {
    const c = compile(k, name, source);
    if (c.type !== "success") return { errors: c.errors };
    return { run: c.ruleSet.runCases(cases) };
  },
};

// Spreadsheet support is a module of its own, fetched on the first XLSX/XLS/ODS read or XLSX export.
// So is the reader of a survey's data (respondents' rows or counts): a rule set that declares a
// survey is scored in that module whatever its data.
function needsSpreadsheets(k, msg) {
  if (["template", "merge", "gap", "diff", "cases"].includes(msg.type)) return true;
  const files = msg.ruleFiles ?? msg.request?.ruleFiles ?? {};
  if (Object.entries(files).some(([n, b]) => k.isSpreadsheet(n, b))) return true;
  if (msg.type === "params-file") return k.isSpreadsheet(msg.fileName ?? "", msg.data);
  const request = msg.type === "assess" ? msg : msg.request;
  const sheet = request?.data != null && k.isSpreadsheet(request.fileName ?? "", request.data);
  const survey = request?.source != null && compile(k, request.name, request.source).ruleSet?.info.survey === true;
  return sheet || survey || (msg.type === "export" && msg.format === "xlsx");
}

self.onmessage = async ({ data: msg }) => {
  let reply;
  try {
    const k = await kaohe;
    if (!k.spreadsheets() && needsSpreadsheets(k, msg)) {
      // A failure to fetch shows up as a Chinese data error, or an export error — never an empty file.
      await k.loadSpreadsheets().catch(() => {});
    }
    const files = msg.ruleFiles ?? msg.request?.ruleFiles;
    if (files !== undefined) useFiles(k, files, msg.ruleFilesVersion ?? msg.request?.ruleFilesVersion);
    reply = await handlers[msg.type](k, msg);
  } catch (e) {
    reply = { error: `引擎内部错误：${e?.message ?? e}`, internal: true };
  }
  const transfer = reply?.batch ? [reply.batch.exact.buffer, reply.batch.rank.buffer, reply.batch.grade.buffer] : [];
  postMessage({ id: msg.id, type: msg.type, ...reply }, transfer);
  // Sorting 100,000 names in zh-CN order takes a few hundred ms: done here, after the result,
  // so that the page's first sort by name is instant.
  if (reply?.batch) {
    const order = nameOrder(reply.batch.name.split(SEP));
    postMessage({ id: msg.id, type: "order", key: "name", order }, [order.buffer]);
  }
};

/** Input positions of the names in zh-CN (pinyin) order, equal names in input order. */
function nameOrder(names) {
  const chars = new Set();
  for (const s of names) for (const ch of s) chars.add(ch);
  const collator = new Intl.Collator("zh-CN");
  const code = new Map([...chars].sort(collator.compare).map((ch, i) => [ch, String.fromCharCode(0x100 + Math.min(i, 0xd000))]));
  const keys = names.map((s) => {
    let k = "";
    for (const ch of s) k += code.get(ch);
    return k;
  });
  const idx = Array.from({ length: names.length }, (_, i) => i);
  idx.sort((i, j) => (keys[i] < keys[j] ? -1 : keys[i] > keys[j] ? 1 : i - j));
  return Int32Array.from(idx);
}
