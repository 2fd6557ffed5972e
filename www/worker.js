// kaohe 考核 — the engine's worker. All compiling and scoring runs here, so a slow rule never
// blocks the page; the page stops a runaway worker with worker.terminate() and starts a new one.
//
// Messages in:  { id, type: "assess", name, source, data, fileName, previous }
//               { id, type: "export", format: "xlsx" | "csv", request }   (request: the assess message)
//               { id, type: "cases", name, source, cases }
// Messages out: { type: "ready", version, bundled } once, then { id, … } for each message in.
import { load } from "./pkg/kaohe.js";

const kaohe = load();
kaohe.then(
  (k) => postMessage({ type: "ready", version: k.version(), bundled: k.bundled() }),
  (e) => postMessage({ type: "fatal", message: String(e) }),
);

let compiled = null; // { name, source, result } — the last compile, reused while the script is unchanged
let last = null; // { id, outcome } — the last successful assessment, kept for exports

function compile(k, name, source) {
  if (compiled && compiled.name === name && compiled.source === source) return compiled.result;
  if (compiled?.result.type === "success") compiled.result.ruleSet.free();
  compiled = { name, source, result: k.compile(name, source) };
  return compiled.result;
}

function assess(k, { id, name, source, data, fileName, previous }) {
  const c = compile(k, name, source);
  if (c.type !== "success") return { stage: "rules", errors: c.errors };
  if (data == null) return { stage: "nodata" };
  const outcome = c.ruleSet.assess(data, { fileName, previous: previous || "", keepGoing: true });
  if (outcome.type !== "success") return { stage: outcome.stage, errors: outcome.errors };
  last?.outcome.free();
  last = { id, outcome };
  const { report, reportJson, dataErrors, encoding, ignoredColumns } = outcome;
  return { info: c.ruleSet.info, report, reportJson, dataErrors, encoding, ignoredColumns };
}

const handlers = {
  assess,
  export(k, { format, request }) {
    if (last?.id !== request.id) {
      const r = assess(k, request);
      if (!r.report) return { error: "结果已过期，请重新计算" };
    }
    return format === "xlsx" ? { bytes: last.outcome.xlsx() } : { text: last.outcome.csv() };
  },
  cases(k, { name, source, cases }) {
    const c = compile(k, name, source);
    if (c.type !== "success") return { errors: c.errors };
    return { run: c.ruleSet.runCases(cases) };
  },
};

// Spreadsheet support is a module of its own, fetched on the first XLSX/XLS/ODS read or XLSX export.
function needsSpreadsheets(k, msg) {
  const request = msg.type === "export" ? msg.request : msg;
  const sheet = request?.data != null && k.isSpreadsheet(request.fileName ?? "", request.data);
  return sheet || (msg.type === "export" && msg.format === "xlsx");
}

self.onmessage = async ({ data: msg }) => {
  const k = await kaohe;
  if (!k.spreadsheets() && needsSpreadsheets(k, msg)) {
    // A failure to fetch shows up as the API's "not loaded" data failure, or an empty workbook.
    await k.loadSpreadsheets().catch(() => {});
  }
  let reply;
  try {
    reply = handlers[msg.type](k, msg);
  } catch (e) {
    reply = { error: `引擎内部错误：${e?.message ?? e}` };
  }
  postMessage({ id: msg.id, type: msg.type, ...reply });
};
