// kaohe — the typed JavaScript API over the WASM package (types in kaohe.d.ts).
// Nothing here throws on bad rules or bad data: failures come back as { type: "failure", … }.
//
// Browser:  import { load } from "./kaohe.js";  const kaohe = await load();
// Node:     const glue = require("kaohe/node");   const kaohe = api(glue);
import init, * as webGlue from "./kaohe_bg_glue.js";

/** Loads the WASM module in a browser or worker and returns the API. */
export async function load(wasmUrl) {
  await init(wasmUrl === undefined ? undefined : { module_or_path: wasmUrl });
  return api(webGlue);
}

const json = (text) => JSON.parse(text);
const bytesOf = (data) => (typeof data === "string" ? new TextEncoder().encode(data) : data);

/** Wraps a wasm-bindgen glue module (web or nodejs target). */
export function api(glue) {
  function wrapAssessment(a) {
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
      xlsx: () => a.xlsx(),
      csv: () => a.csv(),
      free: () => a.free(),
    };
  }

  function wrapRuleSet(c) {
    return {
      info: json(c.infoJson()),
      assess(data, { fileName = "data.csv", previous = "", keepGoing = false } = {}) {
        const prev = typeof previous === "string" ? previous : JSON.stringify(previous);
        return wrapAssessment(c.assess(fileName, bytesOf(data), prev, keepGoing));
      },
      runCases(casesJson, files = {}) {
        return json(c.runCasesJson(casesJson, JSON.stringify(files)));
      },
      free: () => c.free(),
    };
  }

  return {
    version: () => glue.version(),
    bundled: () => json(glue.bundledJson()),
    compile(name, source, modules = []) {
      const c = new glue.Compiled(name, source, JSON.stringify(modules));
      if (!c.ok()) {
        const errors = json(c.errorsJson());
        c.free();
        return { type: "failure", errors };
      }
      return { type: "success", ruleSet: wrapRuleSet(c) };
    },
    check(name, source, modules = []) {
      const c = new glue.Compiled(name, source, JSON.stringify(modules));
      const errors = json(c.errorsJson());
      c.free();
      return errors.length === 0 ? { type: "success", errors } : { type: "failure", errors };
    },
  };
}
