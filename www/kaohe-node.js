// kaohe/node — the JS API in Node, as an ES module (types in kaohe-node.d.ts):
//
//   import { load } from "kaohe/node";
//   const kaohe = await load();
//
// The same API object as the browser's `load()` (kaohe.js is its one implementation), over the
// full module built for speed (node/: spreadsheets, surveys, the gap and the comparison are there
// at once, so `loadSpreadsheets()` resolves at once). wasm-bindgen's Node glue is CommonJS and
// reads and compiles the module when it is first required: that happens in the first `load()` or
// `loadSurvey()`, not on import, so importing this file has no effect of its own.
import { createRequire } from "node:module";
import { api, surveyApi } from "./kaohe.js";

const require = createRequire(import.meta.url);
let glue = null;
const nodeGlue = () => (glue ??= require("./node/kaohe_bg_glue.js"));

/** Loads the engine (the full module, once per process) and returns the API. */
export async function load() {
  return api(nodeGlue());
}

/** The survey API over the same module (see `surveyApi` in kaohe.js). */
export async function loadSurvey() {
  return surveyApi(nodeGlue());
}

export { api, surveyApi };
