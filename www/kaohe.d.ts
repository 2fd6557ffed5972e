// Types of the kaohe JavaScript API (www/kaohe.js, shipped as pkg/kaohe.js). The result's types —
// Report, UnitResult, ItemResult, … and DataError — are generated from the result's JSON Schema
// (docs/schema/result.schema.json) into kaohe-result.d.ts by scripts/gen-types.mjs, and so are the
// gap's and the comparison's (kaohe-gap.d.ts, kaohe-diff.d.ts); the API's own (its functions,
// outcomes, the forms) are written here.
import type { DataError, English, MetricResult, Report, UnitResult } from "./kaohe-result.js";
import type { GapReport } from "./kaohe-gap.js";
import type { DiffReport } from "./kaohe-diff.js";
import type { KaoheUnit } from "./kaohe-unit.js";

export type { KaoheUnit } from "./kaohe-unit.js";

export type {
  Adjustment, CohortStats, ConsequenceHit, DataError, DataUse, English, GradeCount, ItemKind, ItemResult, Items,
  MetricResult, PrerequisiteMiss, Provenance, Reason, Report, RollupResult, SampleResult, TrendPoint, UnitResult,
  VetoHit,
  /** The rule set a result names (`report.rule_set`); the API's `RuleSetInfo` is a compiled rule set's. */
  RuleSetInfo as ReportRuleSet,
  /** A survey index's neighbour within or beyond its margin (`SampleResult.above` / `below`). */
  Gap as SampleGap,
} from "./kaohe-result.js";

export interface SourceLocation { file: string; line: number; column: number }
/**
 * A mistake in a rule script: its catalogue code (`R` and four digits), where, what, and how to
 * fix it when known.
 */
export interface RuleError { code: string; location: SourceLocation; message: string; help?: string; en: English }
/** A rule that failed at run time for one unit (a script error or a limit): its code (`E…`). */
export interface EvalError {
  code: string; location: SourceLocation; rule: string; unit: string; unit_name?: string;
  /** How many units the same failure stopped, when more than one. */
  units?: number;
  message: string; help?: string; en: English;
}
/** A test case's failure or a coverage line, as the catalogue gives it (older engines: plain text). */
export interface CaseMessage { code: string; message: string; help?: string; en?: English }

export interface RuleSetInfo {
  id: string; title: string; max: number; bonusMax: number | null; base: number | null;
  fields: { name: string; label: string; aliases: string[]; type: string; required: boolean }[];
  items: { id: string; label: string; category: string | null; max: number; kind: string }[];
  vetoes: { id: string; label: string }[]; grades: string[]; consequences: string[];
  metrics: { id: string; label: string }[];
  /** Declared parameters (参数) with the value the rule set gives, as a decimal string. */
  params: { id: string; label: string; value: string }[];
  /**
   * Whether the rule set declares a survey (问卷): its data — respondents' rows or counts per
   * unit — is read by the full module, which `ruleSet.assess` and `loadUnits` fetch as needed.
   */
  survey: boolean;
  /** The 通报's issuing body, period and document number; null when the rule set declares none. */
  issuer: string | null; period: string | null; document: string | null;
}

export type AssessOutcome =
  | {
      type: "success";
      report: Report;
      /** The report text, byte-identical to the native CLI's JSON output. */
      reportJson: string;
      /** Rows left out (only with keepGoing). */
      dataErrors: DataError[];
      encoding: string;
      ignoredColumns: string[];
      /**
       * The report as an XLSX workbook. In the browser it needs spreadsheet support
       * (`await kaohe.loadSpreadsheets()`); without it the array is empty.
       */
      xlsx(): Uint8Array;
      csv(): string;
      free(): void;
    }
  | { type: "failure"; stage: "data" | "eval" | "rules" | "previous"; errors: (DataError | EvalError | RuleError)[] };

/** Data read once and held in WASM memory, for any number of `scoreBatch` runs. */
export interface Units {
  /** How many units were read (rows with errors are left out). */
  len(): number;
  /** Rows left out (only with keepGoing). */
  dataErrors: DataError[];
  encoding: string;
  ignoredColumns: string[];
  /** Releases the WASM memory (results already scored from these units stay readable). */
  free(): void;
}

/** A batch run's results, held in WASM memory, in input order. */
export interface Scores {
  len(): number;
  /**
   * UTF-8 CSV with a header, no byte-order mark, one line per unit in input order:
   * `单位编码,单位名称,总分,等次,名次,一票否决` — the total rounded half-up to the rule set's
   * decimals (blank when the veto policy hides it), the rank blank when unranked, 一票否决 `是`/`否`.
   */
  csv(): string;
  /** CSV with a byte-order mark, in rank order: 名次, 单位编码, 单位名称, (分组,) 总分, 等次, 一票否决, 处理结果, each item's points. */
  csvTable(): string;
  /** The same table as an XLSX workbook (the full module is used when this one lacks spreadsheet support; empty if it cannot be had). */
  xlsx(): Uint8Array;
  /** Every unit's result as columns, in input order (for a table of many units). */
  columns(): BatchColumns;
  /**
   * One column as text, entries joined by U+0001: id, name, total (published; "" hidden), vetoes,
   * consequences (names joined by 、), cohort, remarks (备注, phrases joined by ；), bonus (加分
   * after its cap), `category:NAME` (the points of the category's items added up; "" hidden).
   */
  columnText(which: "id" | "name" | "total" | "vetoes" | "consequences" | "cohort" | "remarks" | "bonus" | `category:${string}`): string;
  /** One column as numbers: exact (unrounded total), rank, grade (index; -1 for none). */
  columnNumbers(which: "exact" | "rank" | "grade"): Float64Array;
  /** What the indices name: grades, and the labels of vetoes, consequences and items (with each item's category; null for none and for bonus items). */
  labels(): { grades: string[]; labels: { vetoes: string[]; consequences: string[]; items: string[]; itemCategories: (string | null)[] } };
  /**
   * One unit's result by its index, as a line of `kaohe assess --format jsonl` gives it (schema
   * `kaohe-unit`: points as exact numbers, the total as published, points per item id); null for
   * a bad index.
   */
  unit(index: number): KaoheUnit | null;
  free(): void;
}

/** `Scores.columns()`: one entry per unit in each list, in input order. */
export interface BatchColumns {
  id: string[]; name: string[];
  /** As published (null when the veto policy hides it). */
  total: (string | null)[];
  /** Unrounded. */
  exact: string[];
  rank: (number | null)[];
  /** Index into `grades`. */
  grade: (number | null)[];
  /** Indices into `labels.vetoes` / `labels.consequences`. */
  vetoes: number[][]; consequences: number[][];
  /** Cohort name, "" without cohorts. */
  cohort: string[];
  grades: string[];
  labels: { vetoes: string[]; consequences: string[]; items: string[]; itemCategories: (string | null)[] };
}

export type LoadOutcome =
  | { type: "success"; units: Units }
  | { type: "failure"; stage: "data"; errors: DataError[] };

export type BatchOutcome =
  | { type: "success"; scores: Scores }
  | { type: "failure"; stage: "data" | "eval" | "rules"; errors: (DataError | EvalError | RuleError)[] };

/** Last period's result (text or object), or several earlier ones oldest first (历次). */
export type Previous = string | Report | (string | Report)[];

export interface CaseRun {
  cases: { name: string; failures: (string | CaseMessage)[] }[];
  passed: number; failed: number; coverage_lines: (string | CaseMessage)[];
  coverage: Record<string, [string[], string[]]>;
}

export interface RuleSet {
  info: RuleSetInfo;
  /**
   * Scores CSV (UTF-8/GBK), XLSX/XLS/ODS or JSON bytes; the file name picks the format. A
   * spreadsheet before `loadSpreadsheets()` has resolved is a `data` failure that says so.
   */
  /**
   * `previous`: last period's result (text or object), or several earlier ones oldest first (历次,
   * as `kaohe assess --history`: each unit's `trend` and 连续 N 期 conditions; the last is the
   * previous period). The result's `provenance` hashes the last one's text.
   */
  assess(data: Uint8Array | string, options?: { fileName?: string; previous?: Previous; keepGoing?: boolean }): AssessOutcome;
  /**
   * Reads data once for batch scoring (the file name picks the format, as for `assess`); the
   * units stay in WASM memory. Fails on any bad row unless `keepGoing`.
   */
  loadUnits(data: Uint8Array | string, options?: { fileName?: string; keepGoing?: boolean }): LoadOutcome;
  /**
   * Scores units from this rule set's `loadUnits` without explanations: totals, grades, ranks
   * and vetoes, kept in WASM memory until read with `csv()`.
   */
  scoreBatch(units: Units): BatchOutcome;
  /** "" when each unit's points depend on its own data only (then `explainUnit` is right); else why not. */
  notStreamable(): string;
  /**
   * One unit of `units` (by index) explained, scored alone: items with reasons, vetoes,
   * prerequisites. Its rank, grade and consequences are a cohort of one's: take the batch's.
   */
  explainUnit(units: Units, index: number): UnitResult | null;
  /**
   * Sets parameters' values for the runs that follow (参数: `{ "id or label": 86.2 }`); those not
   * given take their declared values again. With any error (a name not declared, a value not a
   * number) none is set, and every error is returned.
   */
  setParams(values?: Record<string, number | string>): { type: "success" } | { type: "failure"; stage: "params"; errors: DataError[] };
  /** Reads a parameter table (参数表: CSV, XLSX/XLS/ODS or JSON) into values by id, without setting them. */
  readParams(data: Uint8Array | string, options?: { fileName?: string }): { type: "success"; values: Record<string, string> } | { type: "failure"; stage: "params"; errors: DataError[] };
  /**
   * Runs test cases (a NAME.cases.json text); `files` supplies files the cases name. In the full
   * module: in the browser `await kaohe.loadSpreadsheets()` first.
   */
  runCases(casesJson: string, files?: Record<string, string>): CaseRun;
  /**
   * Each unit's gap to the next grade and rank (差距分析) on this data, as `kaohe gap --format
   * json`: only the units named in `units` (by id or name; all when empty) are worked out. In the
   * full module: in the browser `await kaohe.loadSpreadsheets()` first, else a `module` failure.
   */
  gap(
    data: Uint8Array | string,
    options?: { fileName?: string; previous?: Previous; keepGoing?: boolean; units?: string[] },
  ): GapOutcome;
  free(): void;
}

// ── What a change does (变化分析): the gap and the comparison ─────────────────────────────────
// Decimals (points, totals) are JSON numbers, exact as the engine computed them.

// The gap's and the comparison's types are generated from their JSON Schemas
// (docs/schema/gap.schema.json, diff.schema.json) into kaohe-gap.d.ts and kaohe-diff.d.ts.
export type {
  GapReport, UnitGap, GradeGap, RankGap, Plan as GapPlan,
  /** A change of one field of a unit's data and what it earns (数据调整), checked by scoring the unit again. */
  Move as GapMove,
  /** An item short of full marks. */
  ItemGap as GapItem,
} from "./kaohe-gap.js";
export type {
  DiffReport, UnitDiff,
  /** A unit's standing in one run of a comparison. */
  Side as DiffSide,
  /** A category's or an item's mean change. */
  Shift as DiffShift,
  /** An item whose points changed for a unit. */
  ItemChange as DiffItemChange,
} from "./kaohe-diff.js";
export type GapOutcome =
  | { type: "success"; gap: GapReport; dataErrors: DataError[] }
  | { type: "failure"; stage: "module" | "rules" | "previous" | "data" | "eval"; errors: (DataError | EvalError | RuleError)[] };

/** One run of a comparison: a rule set and its data. */
export interface DiffRun { ruleSet: RuleSet; data: Uint8Array | string; fileName?: string }
export type DiffOutcome =
  | { type: "success"; diff: DiffReport; dataErrors: { before: DataError[]; after: DataError[] } }
  | {
      type: "failure"; stage: "module" | "rules" | "previous" | "data" | "eval";
      /** The run it stopped in. */
      side?: "before" | "after";
      errors: (DataError | EvalError | RuleError)[];
    };

export interface Bundled {
  id: string; title: string; rulesPath: string; rules: string;
  dataPath: string; data: string | null; cases: string | null;
  /**
   * The sample data is in the full module, not in this one (a rule set with a survey: its
   * respondents' rows); `bundledData(id)` fetches it.
   */
  dataInFull: boolean;
}

export interface Kaohe {
  version(): string;
  bundled(): Bundled[];
  /**
   * Whether spreadsheets (XLSX/XLS/ODS) can be read and XLSX written now: always in Node; in the
   * browser once `loadSpreadsheets()` has resolved (the engine module leaves that code out).
   */
  spreadsheets(): boolean;
  /**
   * Fetches the full module once (`pkg/full/`: spreadsheets, a survey's data, the gap and the
   * comparison); resolves at once when loaded.
   */
  loadSpreadsheets(): Promise<void>;
  /** Whether data with this file name (and these first bytes) is read as a spreadsheet. */
  isSpreadsheet(fileName: string, data: Uint8Array | string): boolean;
  /**
   * Sets the files the rules name beside themselves (规则附表: a decision table's workbook, as
   * `table: #{ file: "tables.xlsx", sheet: "…" }` names it) for every compile that follows;
   * `{}` for none. A workbook among them needs `await loadSpreadsheets()` first.
   */
  setRuleFiles(files: Record<string, Uint8Array | string>): void;
  /** Compiles a rule set; `warnings` (警告, such as R0701) do not stop it compiling. */
  compile(name: string, source: string, modules?: [string, string][]):
    { type: "success"; ruleSet: RuleSet; warnings: RuleError[] } | { type: "failure"; errors: RuleError[] };
  /** Checks a rule set: its errors, and the warnings of one that compiles (in the errors' form). */
  check(name: string, source: string, modules?: [string, string][]):
    { type: "success" | "failure"; errors: RuleError[]; warnings: RuleError[] };
  /** A bundled rule set's sample data, from the full module when only it carries the data. */
  bundledData(id: string): Promise<string | null>;
  /** The survey API (respondents' files, a list of units, the reading's summary), as `surveyApi`. */
  survey: SurveyApi;
  /**
   * Two runs compared (对比), as `kaohe diff --format json`: two rule sets on the same data, or one
   * rule set on two data files, with the same previous period. Needs loadSpreadsheets().
   */
  diff(
    before: DiffRun,
    after: DiffRun,
    options?: { previous?: Previous; keepGoing?: boolean; beforeName?: string; afterName?: string },
  ): DiffOutcome;
  /** The data-collection form (XLSX), as `kaohe template`; needs loadSpreadsheets(). */
  template(
    rules: CollectRules,
    options?: { units?: Uint8Array | string | null; unitsFileName?: string; unit?: string },
  ): FormOutcome;
  /** Returned forms merged and checked, as `kaohe merge`; needs loadSpreadsheets(). */
  merge(
    rules: CollectRules,
    files: { fileName: string; data: Uint8Array | string }[],
    options?: { units?: Uint8Array | string | null; unitsFileName?: string; lang?: "zh" | "en" },
  ): MergeOutcome;
}

// ── Data collection (数据收集) ──────────────────────────────────────────────────────────────

export interface CollectRules { name: string; source: string; modules?: [string, string][] }
export type FormOutcome =
  | {
      type: "success";
      /** The listed units (0 without a list: rows to fill in). */
      units: number;
      columns: number;
      /** The form, as `kaohe template` writes it. */
      xlsx: Uint8Array;
      csv: Uint8Array;
    }
  | { type: "failure"; stage: "rules" | "units" | "form"; errors: (RuleError | DataError)[] };
/** A problem a merge found: in a file and sheet (none for a unit that returned nothing). */
export interface MergeProblem {
  level: "error" | "note";
  file?: string;
  sheet?: string;
  /** Its code (`D…` a bad cell, `F…` the merge's own), place, words and fix. */
  error: DataError;
  /** The row of the merged data holding it (header = 1). */
  merged_row?: number;
}
export interface MergeFile { name: string; units: number; errors: number; notes: number }
export type MergeOutcome =
  | {
      type: "success";
      files: MergeFile[];
      problems: MergeProblem[];
      errors: number;
      notes: number;
      /** Units ready to score. */
      ready: number;
      /** The merged data and its 数据核对 sheet. */
      xlsx: Uint8Array;
      /** The units ready to score as CSV (UTF-8, with a byte-order mark): what `kaohe assess RULES FILES…` scores. */
      csv: Uint8Array;
    }
  | { type: "failure"; stage: "rules" | "units" | "form"; errors: (RuleError | DataError)[] };

/** Loads the engine module (browser or worker); spreadsheet support is fetched on demand. */
export function load(wasmUrl?: string | URL): Promise<Kaohe>;
/** Wraps a glue module (`pkg/node/` in Node); `loadFull` gives the full module for one without spreadsheets. */
export function api(glue: unknown, loadFull?: () => Promise<unknown>): Kaohe;

// ── Surveys (问卷) ────────────────────────────────────────────────────────────────────────────

/** A survey index as the report gives it: a `MetricResult` with its `sample` (n, 95 % interval, neighbours). */
export type SurveyMetricResult = MetricResult;
/** What reading a respondents' file gave. */
export interface RespondentSummary { respondents: number; counted: number; units: number; short_units: number }
export interface SurveyColumn { header: string; aliases: string[]; number: number | null }
export interface SurveyInfo {
  unit: SurveyColumn; id: SurveyColumn | null; weight: SurveyColumn | null; minSample: number | null;
  strata: { by: SurveyColumn[]; shares: [string, number][] } | null;
  questions: { id: string; header: string; number: number | null; options: string[]; excluded: string[]; codes: number[] }[];
  metrics: { id: string; label: string; question: string; method: "share" | "mean" }[];
}
export interface SurveyRules { name: string; source: string; modules?: [string, string][] }
export type SurveyOutcome =
  | {
      type: "success";
      report: Report;
      /** Byte-identical to `kaohe assess RULES RESPONDENTS [--units UNITS] --format json`. */
      reportJson: string;
      /** null for a file of counts per unit. */
      summary: RespondentSummary | null;
      dataErrors: DataError[];
      encoding: string;
      /** Columns no field or survey column reads. */
      ignoredColumns: string[];
      xlsx(): Uint8Array;
      csv(): string;
      free(): void;
    }
  | { type: "failure"; stage: "rules" | "data" | "previous" | "params" | "eval"; errors: unknown[] };
export interface SurveyApi {
  info(rules: SurveyRules): SurveyInfo | null;
  isRespondents(rules: SurveyRules, data: Uint8Array | string, options?: { fileName?: string }): Promise<boolean>;
  assess(
    rules: SurveyRules,
    data: Uint8Array | string,
    options?: {
      fileName?: string;
      /** The list of units (code, name …), as `--units` gives it. */
      units?: Uint8Array | string | null;
      unitsFileName?: string;
      previous?: string | object;
      /** Parameters' values (参数) by id or label, as `ruleSet.setParams` takes them. */
      params?: Record<string, number | string>;
      keepGoing?: boolean;
    },
  ): Promise<SurveyOutcome>;
}
/** The survey API (browser or worker); spreadsheet support is fetched when a file needs it. */
export function loadSurvey(wasmUrl?: string | URL): Promise<SurveyApi>;
/** Wraps a glue module (`pkg/node/` in Node) with the survey functions. */
export function surveyApi(glue: unknown, loadFull?: () => Promise<unknown>): SurveyApi;
