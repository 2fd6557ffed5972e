// kaohe — the typed JavaScript API over the WASM package (types in kaohe.d.ts).
// Nothing here throws on bad rules or bad data: failures come back as { type: "failure", … }.
//
// Browser:  import { load } from "./kaohe.js";  const kaohe = await load();
// Node:     import { load } from "kaohe/node";  const kaohe = await load();   (kaohe-node.js, over
//           the same `api` below)
//
// In the browser the engine module (kaohe_bg_glue_bg.wasm) has no spreadsheet code and no reader
// of survey answers, to keep it small; the full module (full/, the same engine with XLSX/XLS/ODS
// reading, XLSX writing and respondents' files) is fetched the first time `loadSpreadsheets()` is
// awaited. Until then reading a spreadsheet, or any data for a rule set that declares a survey,
// is a data failure that says so, and `xlsx()` gives no bytes. The Node module (node/) is the
// full one.
import init, * as webGlue from "./kaohe_bg_glue.js";

/** Loads the WASM engine module in a browser or worker and returns the API. */
export async function load(wasmUrl) {
  await init(wasmUrl === undefined ? undefined : { module_or_path: wasmUrl });
  let pending = null;
  const loadFull = () =>
    (pending ??= import("./full/kaohe_bg_glue.js").then(async (full) => {
      await full.default();
      return full;
    }));
  return api(webGlue, loadFull);
}

const json = (text) => JSON.parse(text);
/**
 * The engine's `previous`: "" for none, one result (text or object), or several earlier results
 * oldest first (an array: 历次, as `--history`; the last is the previous period).
 */
const previousText = (previous) => {
  const one = (p) => (typeof p === "string" ? p : JSON.stringify(p));
  return Array.isArray(previous) ? JSON.stringify(previous.map(one)) : one(previous);
};
const bytesOf = (data) => (typeof data === "string" ? new TextEncoder().encode(data) : data);
/** The raw WASM handle and its rule set behind each wrapped Units object (for scoreBatch). */
const rawUnits = new WeakMap();
// Errors this wrapper makes itself have the engine's shape; K0000: not in the message catalogue.
const NOT_LOADED_EN = {
  message: "reading spreadsheets, or a survey's data, needs kaohe's full module, which is not loaded yet",
  help: "await kaohe.loadSpreadsheets() first, or export the sheet as CSV",
};
const NOT_LOADED = { code: "K0000", row: 0, column: 0, place: "", ...NOT_LOADED_EN, en: NOT_LOADED_EN };
const NO_FULL_EN = {
  message: "the gap and the comparison need kaohe's full module, which is not loaded yet",
  help: "await kaohe.loadSpreadsheets() first",
};
/** The gap (差距分析) and the comparison (对比) before the full module is there. */
const NO_FULL = { type: "failure", stage: "module", errors: [{ code: "K0000", row: 0, column: 0, place: "", ...NO_FULL_EN, en: NO_FULL_EN }] };
/** Each wrapped rule set's compile in the full module, made on demand (for `diff`). */
const inFullOf = new WeakMap();

/**
 * An assessment outcome from the glue as the API gives it; `again` (or null) makes the XLSX
 * elsewhere (the full module). A failure is freed at once.
 */
function wrapAssessment(a, again) {
  if (!a.ok()) {
    const out = { type: "failure", stage: a.stage(), errors: json(a.errorsJson()) };
    a.free();
    return out;
  }
  const reportJson = a.reportJson();
  return {
    type: "success",
    report: json(reportJson),
    reportJson,
    dataErrors: json(a.dataErrorsJson()),
    encoding: a.encoding(),
    ignoredColumns: json(a.ignoredColumnsJson()),
    xlsx: () => (again === null ? a.xlsx() : again()),
    csv: () => a.csv(),
    free: () => a.free(),
  };
}

/**
 * Wraps a wasm-bindgen glue module (web or nodejs target). `loadFull` (optional) gives a promise
 * of the full module's glue, for a glue module built without spreadsheet support.
 */
export function api(glue, loadFull) {
  let full = glue.spreadsheets() ? glue : null;
  let fullLoading = null;

  /**
   * A compiled rule set: `c`, compiled by `make(module)` in the engine module or (when `cIsFull`,
   * or the engine module reads spreadsheets itself) in the full module.
   */
  function wrapRuleSet(c, make, cIsFull) {
    // The same rules compiled in the full module, when a spreadsheet needs it.
    let inFull = cIsFull || glue.spreadsheets() ? c : null;
    let paramsJson = "{}"; // the parameters' values set for this rule set (参数), as JSON
    const withSpreadsheets = () => {
      if (inFull === null && full !== null) {
        inFull = make(full);
        inFull.setParamsJson(paramsJson);
      }
      return inFull;
    };
    const info = json(c.infoJson());
    // What the engine module cannot read: spreadsheets, and a survey's data (respondents' rows).
    const needsFull = (fileName, bytes) => info.survey || glue.isSpreadsheet(fileName, bytes.subarray(0, 8));
    const ruleSet = {
      info,
      assess(data, { fileName = "data.csv", previous = "", keepGoing = false } = {}) {
        const prev = previousText(previous);
        const bytes = bytesOf(data);
        const run = (on) => on.assess(fileName, bytes, prev, keepGoing);
        if (glue.spreadsheets() || inFull === c) return wrapAssessment(run(c), null);
        if (needsFull(fileName, bytes)) {
          const f = withSpreadsheets();
          return f === null ? { type: "failure", stage: "data", errors: [NOT_LOADED] } : wrapAssessment(run(f), null);
        }
        // Scored by the engine module; for the workbook, scored again with spreadsheet support.
        return wrapAssessment(run(c), () => {
          const f = withSpreadsheets();
          if (f === null) return new Uint8Array();
          const a = run(f);
          const book = a.xlsx();
          a.free();
          return book;
        });
      },
      loadUnits(data, { fileName = "data.csv", keepGoing = false } = {}) {
        const bytes = bytesOf(data);
        let on = c;
        if (needsFull(fileName, bytes) && !glue.spreadsheets()) {
          on = withSpreadsheets();
          if (on === null) return { type: "failure", stage: "data", errors: [NOT_LOADED] };
        }
        const u = on.loadUnits(fileName, bytes);
        const dataErrors = json(u.errorsJson());
        if (dataErrors.length > 0 && (!keepGoing || u.len() === 0)) {
          u.free();
          return { type: "failure", stage: "data", errors: dataErrors };
        }
        const units = {
          len: () => u.len(),
          dataErrors,
          encoding: u.encoding(),
          ignoredColumns: json(u.ignoredColumnsJson()),
          free: () => u.free(),
        };
        rawUnits.set(units, { u, on, bytes, fileName });
        return { type: "success", units };
      },
      scoreBatch(units) {
        const held = rawUnits.get(units);
        if (held === undefined || (held.on !== c && held.on !== inFull)) {
          const message = "scoreBatch takes units that this rule set's loadUnits returned";
          return { type: "failure", stage: "data", errors: [{ code: "K0000", row: 0, column: 0, place: "", message, en: { message } }] };
        }
        const s = held.on.scoreBatch(held.u);
        if (!s.ok()) {
          const out = { type: "failure", stage: s.stage(), errors: json(s.errorsJson()) };
          s.free();
          return out;
        }
        // The workbook needs spreadsheet support: scored again in the full module if need be.
        const xlsx = () => {
          if (held.on === inFull || glue.spreadsheets()) return s.xlsx();
          const f = withSpreadsheets();
          if (f === null) return new Uint8Array();
          const u2 = f.loadUnits(held.fileName, held.bytes);
          const s2 = f.scoreBatch(u2);
          const book = s2.ok() ? s2.xlsx() : new Uint8Array();
          s2.free();
          u2.free();
          return book;
        };
        return {
          type: "success",
          scores: {
            len: () => s.len(),
            csv: () => s.csv(),
            csvTable: () => s.csvTable(),
            columns: () => json(s.columnsJson()),
            columnText: (which) => s.columnText(which),
            columnNumbers: (which) => s.columnNumbers(which),
            labels: () => json(s.labelsJson()),
            unit: (index) => json(s.unitJson(index)),
            xlsx,
            free: () => s.free(),
          },
        };
      },
      /** "" when a unit can be explained alone (its points depend on its own data); else why not. */
      notStreamable: () => c.notStreamable(),
      /** One loaded unit's 计分明细, scored alone (rank, grade and consequences: take the batch's). */
      explainUnit(units, index) {
        const held = rawUnits.get(units);
        if (held === undefined) return null;
        return json(held.on.explainUnit(held.u, index));
      },
      /**
       * Sets parameters' values (参数: {"id or label": value}) for the runs that follow; those not
       * given take their declared values. With any error none is set.
       */
      setParams(values = {}) {
        const text = JSON.stringify(values);
        const errors = json(c.setParamsJson(text));
        if (errors.length > 0) {
          paramsJson = "{}";
          if (inFull !== null && inFull !== c) inFull.setParamsJson("{}");
          return { type: "failure", stage: "params", errors };
        }
        paramsJson = text;
        if (inFull !== null && inFull !== c) inFull.setParamsJson(text);
        return { type: "success" };
      },
      /** Reads a parameter table (参数表: CSV, a workbook or JSON) without setting it. */
      readParams(data, { fileName = "params.csv" } = {}) {
        const bytes = bytesOf(data);
        let on = c;
        if (glue.isSpreadsheet(fileName, bytes.subarray(0, 8)) && !glue.spreadsheets()) {
          on = withSpreadsheets();
          if (on === null) return { type: "failure", stage: "params", errors: [NOT_LOADED] };
        }
        const r = json(on.readParamsJson(fileName, bytes));
        return r.errors.length > 0 ? { type: "failure", stage: "params", errors: r.errors } : { type: "success", values: r.values };
      },
      runCases(casesJson, files = {}) {
        // In the full module (the engine module leaves the test runner out): in the browser
        // `await kaohe.loadSpreadsheets()` first.
        const on = glue.spreadsheets() ? c : withSpreadsheets();
        if (on === null) {
          return { cases: [], passed: 0, failed: 1, coverage: {}, coverage_lines: [{ ...NOT_LOADED, message: "running test cases needs kaohe's full module, which is not loaded yet", help: "await kaohe.loadSpreadsheets() first" }] };
        }
        return json(on.runCasesJson(casesJson, JSON.stringify(files)));
      },
      /**
       * Each unit's gap to the next grade and rank (差距分析), as `kaohe gap --format json`; only
       * the units named (by id or name) in `units` when it is not empty. In the full module:
       * `await loadSpreadsheets()` first in the browser.
       */
      gap(data, { fileName = "data.csv", previous = "", keepGoing = false, units = [] } = {}) {
        const f = withSpreadsheets();
        if (f === null) return NO_FULL;
        const prev = previousText(previous);
        return json(f.gapJson(fileName, bytesOf(data), prev, JSON.stringify(units), keepGoing));
      },
      free() {
        if (inFull !== null && inFull !== c) inFull.free();
        c.free();
      },
    };
    inFullOf.set(ruleSet, withSpreadsheets);
    return ruleSet;
  }

  // The files beside the rules (规则附表), as every module is given them.
  let ruleFiles = { json: "[]", bytes: new Uint8Array(), sheets: false };

  /**
   * Compiles in the engine module, or in the full one when a file beside the rules is a
   * workbook (only the full module reads spreadsheets): `c` is null when that is not loaded.
   */
  function compiled(name, source, modules) {
    const modulesJson = JSON.stringify(modules);
    const make = (g) => new g.Compiled(name, source, modulesJson);
    const on = ruleFiles.sheets && !glue.spreadsheets() ? full : glue;
    return { c: on === null ? null : make(on), make, cIsFull: on !== glue };
  }

  function loadSpreadsheets() {
    if (full !== null) return Promise.resolve();
    if (!loadFull) return Promise.reject(new Error("this kaohe package has no spreadsheet support"));
    return (fullLoading ??= loadFull().then((f) => {
      full = f;
      full.setRuleFiles(ruleFiles.json, ruleFiles.bytes);
    }));
  }

  return {
    version: () => glue.version(),
    bundled: () => json(glue.bundledJson()),
    /** Whether spreadsheets can be read and XLSX written now. */
    spreadsheets: () => full !== null,
    /** Makes spreadsheets readable and XLSX writable: fetches the full module once, if needed. */
    loadSpreadsheets,
    /** A bundled rule set's sample data, from the full module when only it carries the data. */
    async bundledData(id) {
      const own = json(glue.bundledJson()).find((b) => b.id === id);
      if (own == null || !own.dataInFull) return own?.data ?? null;
      await loadSpreadsheets();
      return json(full.bundledJson()).find((b) => b.id === id)?.data ?? null;
    },
    /** The survey API over the same modules (see `surveyApi`). */
    // Through loadSpreadsheets, so that the full module has the files beside the rules too.
    survey: surveyApi(glue, loadFull && (() => loadSpreadsheets().then(() => full))),
    /** Whether data with this file name and these bytes is a spreadsheet (XLSX/XLS/ODS). */
    isSpreadsheet: (fileName, data) => glue.isSpreadsheet(fileName, bytesOf(data).subarray(0, 8)),
    /**
     * Sets the files the rules name beside themselves (规则附表: `{ "tables.xlsx": bytes }`) for
     * every compile that follows; `{}` for none. A workbook among them needs spreadsheet
     * support: `await loadSpreadsheets()` first.
     */
    setRuleFiles(files = {}) {
      const entries = Object.entries(files ?? {}).map(([n, d]) => [n, bytesOf(d)]);
      const bytes = new Uint8Array(entries.reduce((a, [, b]) => a + b.length, 0));
      let at = 0;
      for (const [, b] of entries) {
        bytes.set(b, at);
        at += b.length;
      }
      const sheets = entries.some(([n, b]) => glue.isSpreadsheet(n, b.subarray(0, 8)));
      ruleFiles = { json: JSON.stringify(entries.map(([n, b]) => [n, b.length])), bytes, sheets };
      glue.setRuleFiles(ruleFiles.json, bytes);
      if (full !== null && full !== glue) full.setRuleFiles(ruleFiles.json, bytes);
    },
    compile(name, source, modules = []) {
      const { c, make, cIsFull } = compiled(name, source, modules);
      if (c === null) return { type: "failure", errors: [NOT_LOADED] };
      if (!c.ok()) {
        const errors = json(c.errorsJson());
        c.free();
        return { type: "failure", errors };
      }
      const warnings = json(c.warningsJson());
      return { type: "success", ruleSet: wrapRuleSet(c, make, cIsFull), warnings };
    },
    check(name, source, modules = []) {
      const { c } = compiled(name, source, modules);
      if (c === null) return { type: "failure", errors: [NOT_LOADED], warnings: [] };
      const errors = json(c.errorsJson());
      const warnings = json(c.warningsJson());
      c.free();
      return errors.length === 0 ? { type: "success", errors, warnings } : { type: "failure", errors, warnings };
    },
    /**
     * Two runs compared (对比), as `kaohe diff --format json`: two rule sets on the same data, or
     * one rule set on two data files — per unit the total, rank, grade, vetoes and consequences
     * before and after, the items that changed, the units that moved most first. In the full
     * module: `await loadSpreadsheets()` first in the browser.
     */
    diff(before, after, { previous = "", keepGoing = false, beforeName = "before", afterName = "after" } = {}) {
      const b = inFullOf.get(before.ruleSet)?.();
      const a = inFullOf.get(after.ruleSet)?.();
      if (b == null || a == null) return NO_FULL;
      const prev = previousText(previous);
      return json(full.diffJson(
        b, before.fileName ?? "data.csv", bytesOf(before.data), a, after.fileName ?? "data.csv", bytesOf(after.data),
        prev, beforeName, afterName, keepGoing,
      ));
    },
    // ── Data collection (数据收集): the form and the merge of returned forms. Both write XLSX,
    // so they run in the full module: await loadSpreadsheets() first.
    /**
     * The rule set's data-collection form (填报表) as XLSX, as `kaohe template` writes it: with a
     * list of units (`units`) their rows filled in and locked; with `unit` that unit's own form.
     */
    template({ name, source, modules = [] }, { units = null, unitsFileName = "units.csv", unit = "" } = {}) {
      if (full === null) return { type: "failure", stage: "form", errors: [NOT_LOADED] };
      const unitBytes = units === null ? new Uint8Array() : bytesOf(units);
      return collected(full.templateXlsx(name, source, JSON.stringify(modules), unitsFileName, unitBytes, unit));
    },
    /**
     * Merges returned files (`[{ fileName, data }]`) as `kaohe merge` does: every problem by file,
     * sheet, row and column; the merged workbook (with 数据核对) and CSV.
     */
    merge({ name, source, modules = [] }, files, { units = null, unitsFileName = "units.csv", lang = "zh" } = {}) {
      if (full === null) return { type: "failure", stage: "form", errors: [NOT_LOADED] };
      const returns = new full.Returns();
      for (const { fileName, data } of files) returns.add(fileName, bytesOf(data));
      const unitBytes = units === null ? new Uint8Array() : bytesOf(units);
      const c = full.mergeReturns(name, source, JSON.stringify(modules), returns, unitsFileName, unitBytes, lang);
      returns.free();
      return collected(c);
    },
  };
}

/** A form's or a merge's outcome: the workbook (and merged CSV) with its summary, or the errors. */
function collected(c) {
  const out = c.ok()
    ? { type: "success", ...json(c.summaryJson()), xlsx: c.xlsx(), csv: c.csv() }
    : { type: "failure", stage: c.stage(), errors: json(c.errorsJson()) };
  c.free();
  return out;
}

// ── Surveys (问卷) ────────────────────────────────────────────────────────────────────────────
// A respondents' file (one row per respondent, as 问卷星 exports it: CSV in UTF-8/GBK or XLSX)
// with a rule set that declares `survey(…)`: tallied into each unit's answer counts, scored, with
// every index's n, 95 % interval and notes in the report (metrics[].sample). `ruleSet.assess`
// already reads such a file (one unit per unit name); these add the list of units (`--units`)
// and the reading's summary.

/** The survey API in a browser or worker, over the same engine module as `load()`. */
export async function loadSurvey(wasmUrl) {
  await init(wasmUrl === undefined ? undefined : { module_or_path: wasmUrl });
  let pending = null;
  const loadFull = () =>
    (pending ??= import("./full/kaohe_bg_glue.js").then(async (full) => {
      await full.default();
      return full;
    }));
  return surveyApi(webGlue, loadFull);
}

/** Wraps a glue module (`pkg/node/` in Node) with the survey functions; see `loadSurvey`. */
export function surveyApi(glue, loadFull) {
  // The module that reads respondents' files: the full one (the engine module has no reader).
  async function full() {
    if (glue.spreadsheets()) return glue;
    if (!loadFull) return null;
    return loadFull();
  }
  return {
    /** What the rule set's survey declares (unit column, questions, indices), or null. */
    info({ name, source, modules = [] }) {
      return json(glue.surveyInfoJson(name, source, JSON.stringify(modules)));
    },
    /** Whether the data is a respondents' file for this rule set's survey. */
    async isRespondents({ name, source, modules = [] }, data, { fileName = "answers.csv" } = {}) {
      const bytes = bytesOf(data);
      const g = await full();
      return g !== null && g.isRespondents(name, source, JSON.stringify(modules), fileName, bytes);
    },
    /**
     * Scores a respondents' file (or a file of counts per unit). `units`: the list of units
     * (CSV/XLSX, one row per unit with its code and name …), to match respondents to by code or
     * name; without it, one unit per unit name. Resolves to the outcome, never rejects on bad data.
     */
    async assess(
      { name, source, modules = [] },
      data,
      { fileName = "answers.csv", units = null, unitsFileName = "units.csv", previous = "", params = {}, keepGoing = false } = {},
    ) {
      const bytes = bytesOf(data);
      const unitBytes = units === null ? new Uint8Array() : bytesOf(units);
      const g = await full();
      if (g === null) return { type: "failure", stage: "data", errors: [NOT_LOADED] };
      const prev = previousText(previous);
      const a = g.assessSurvey(
        name, source, JSON.stringify(modules), fileName, bytes, unitsFileName, unitBytes, prev, JSON.stringify(params), keepGoing,
      );
      const summary = a.ok() ? json(a.summaryJson()) : null;
      const out = wrapAssessment(a, null);
      return out.type === "success" ? { ...out, summary } : out;
    },
  };
}
