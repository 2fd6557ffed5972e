// Scores a rule set with kaohe's JS API in Node, typed: prints the ranked table (名次、单位、总分、
// 等次); with --json, each unit's rank, grade, total and items' points, and the points it needs
// for the next grade (差距分析), as JSON instead (what tests/e2e/pack.test.mjs compares with
// `kaohe assess … --format json` and `kaohe gap … --format json`).
//
// In a project ("type": "module") that installed the package — `npm install kaohe`, or the packed
// tarball: `npm install ./kaohe-VERSION.tgz` — with TypeScript and @types/node:
//   npx tsc --module node16 --target es2022 --strict score.ts && node score.js [RULES.rhai DATA.csv] [--json]
// Without files it scores the bundled default rule set (县禁毒工作绩效考核) on its sample data.
// In this repository, `tsc -p examples/ts` type-checks it against www/'s declarations.
import { readFileSync } from "node:fs";
import { load } from "kaohe/node";
import type { DataError, EvalError, GapReport, ItemResult, Kaohe, Report, RuleError, UnitGap, UnitResult } from "kaohe/node";

/** What this example reads off each unit — typed, so that a change of the result's types fails `tsc`. */
interface Row {
  id: string;
  name: string;
  rank: number | null;
  grade: string | null;
  /** The exact total; null when a veto hides the points. */
  total: number | null;
  items: { id: string; points: number }[];
}

const args = process.argv.slice(2);
const asJson = args.includes("--json");
const files = args.filter((a) => a !== "--json");
if (files.length !== 0 && files.length !== 2) {
  console.error("用法：node score.js [规则.rhai 数据.csv] [--json]\nusage: node score.js [RULES.rhai DATA.csv] [--json]");
  process.exit(2);
}

const kaohe: Kaohe = await load();
let rulesName: string;
let rules: string;
let dataName: string;
let data: Uint8Array | string;
if (files.length === 2) {
  [rulesName, dataName] = files as [string, string];
  rules = readFileSync(rulesName, "utf8");
  data = new Uint8Array(readFileSync(dataName)); // CSV (UTF-8 or GBK), XLSX/XLS/ODS or JSON: the name picks
} else {
  const bundled = kaohe.bundled().find((b) => b.id === "county-antidrug");
  if (bundled === undefined || bundled.data === null) throw new Error("the package has no bundled county-antidrug");
  [rulesName, rules, dataName, data] = [bundled.rulesPath, bundled.rules, bundled.dataPath, bundled.data];
}

/** An error as a line: place, code and the zh-CN words (with the fix when there is one). */
function line(e: RuleError | DataError | EvalError): string {
  const where = "place" in e ? e.place : `${e.location.file}:${e.location.line}:${e.location.column}`;
  return `${where}：错误[${e.code}]：${e.message}${e.help ? `（${e.help}）` : ""}`;
}

const compiled = kaohe.compile(rulesName, rules);
if (compiled.type === "failure") {
  for (const e of compiled.errors) console.error(line(e));
  process.exit(1);
}
const outcome = compiled.ruleSet.assess(data, { fileName: dataName });
if (outcome.type === "failure") {
  for (const e of outcome.errors) console.error(line(e));
  process.exit(1);
}
const report: Report = outcome.report;
const rows: Row[] = report.units.map((u: UnitResult) => ({
  id: u.id,
  name: u.name,
  rank: u.rank,
  grade: u.grade,
  total: u.total,
  items: u.items.map((i: ItemResult) => ({ id: i.id, points: i.points })),
}));

// Each unit's gap to the next grade (差距分析), typed from the gap's schema.
const gapOutcome = compiled.ruleSet.gap(data, { fileName: dataName });
const gaps: GapReport | null = gapOutcome.type === "success" ? gapOutcome.gap : null;
const toNext = (g: UnitGap): number | null => g.next_grade?.points ?? null;

if (asJson) {
  const next = Object.fromEntries((gaps?.units ?? []).map((g) => [g.id, toNext(g)]));
  console.log(JSON.stringify({ rule_set: report.rule_set.id, units: rows, next_grade_points: next }, null, 2));
} else {
  console.log(`${report.rule_set.title}（${report.units.length} 个单位）`);
  console.log("名次\t单位\t总分\t等次");
  for (const u of report.units) console.log(`${u.rank ?? "—"}\t${u.name}\t${u.total_display ?? "—"}\t${u.grade ?? "—"}`);
}
outcome.free();
compiled.ruleSet.free();
