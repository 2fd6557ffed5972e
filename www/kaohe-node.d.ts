// Types of kaohe/node (www/kaohe-node.js, shipped as pkg/kaohe-node.js): the JS API in Node.
// Every type of the API is the browser entry's (kaohe.d.ts); only `load` and `loadSurvey` differ:
// they take no module address (the module is read from the package's node/ folder).
import type { Kaohe, SurveyApi } from "./kaohe.js";

export * from "./kaohe.js";

/**
 * Loads the engine — the full module, built for speed: spreadsheets, surveys, the gap and the
 * comparison without `loadSpreadsheets()` — and returns the same API as the browser's `load()`.
 */
export function load(): Promise<Kaohe>;
/** The survey API over the same module. */
export function loadSurvey(): Promise<SurveyApi>;
