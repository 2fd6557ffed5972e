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
const nodeGlue = () => {
  // The engine seeds its hash tables from `globalThis.crypto.getRandomValues`, the Web Crypto
  // API: a global from Node 19 on, and in Node 18 only `require("node:crypto").webcrypto`. Where
  // the global is missing it is set to that (the same object Node 19 makes global); without it
  // the first call into the module fails with "unreachable" (tests/e2e/node18.test.mjs).
  if (typeof globalThis.crypto?.getRandomValues !== "function") {
    const { webcrypto } = require("node:crypto");
    Object.defineProperty(globalThis, "crypto", { value: webcrypto, configurable: true, writable: true });
  }
  return (glue ??= require("./node/kaohe_bg_glue.js"));
};

/** Loads the engine (the full module, once per process) and returns the API. */
export async function load() {
  return api(nodeGlue());
}

/** The survey API over the same module (see `surveyApi` in kaohe.js). */
export async function loadSurvey() {
  return surveyApi(nodeGlue());
}

export { api, surveyApi };
