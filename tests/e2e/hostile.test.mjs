// The hostile corpus through the JS API in Node (pkg/node, the module with spreadsheet support):
// every input gives its error as data — none throws (a WASM abort shows as `RuntimeError:
// unreachable`), and none exhausts the module's memory. The native side is tests/hostile.rs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./helpers.mjs";
/** An error's English words: `en.message` since the message catalogue (zh-CN in `message`), else `message`. */

const { load } = await import("../../pkg/kaohe-node.js");
const kaohe = await load();
const corpus = (name) => readFileSync(join(ROOT, "tests/hostile", name));
const utf8 = (s) => new TextEncoder().encode(s);

const RULES = readFileSync(join(ROOT, "tests/hostile/rules.rhai"), "utf8");

const compiled = (source = RULES) => {
  const c = kaohe.compile("h.rhai", source);
  assert.equal(c.type, "success", JSON.stringify(c.errors));
  return c.ruleSet;
};

test("a stray cell at XFD1048576 is passed over", () => {
  const out = compiled().assess(corpus("far-cell.xlsx"), { fileName: "far-cell.xlsx" });
  assert.equal(out.type, "success", JSON.stringify(out.errors));
  assert.deepEqual(out.report.units.map((u) => [u.name, u.total_display]), [["乙镇", "100.00"], ["甲镇", "99.00"]]);
});

test("a zip bomb is refused as data, not a crash", () => {
  const out = compiled().assess(corpus("zip-bomb.xlsx"), { fileName: "zip-bomb.xlsx" });
  assert.equal(out.type, "failure");
  assert.equal(out.stage, "data");
  assert.equal(out.errors[0].code, "D0333");
  assert.match(out.errors[0].en.message, /unpacks to more than 512 MB/);
});

test("data errors are capped, with a last line that counts the rest", () => {
  let csv = "编码,名称,失控人数\n";
  for (let i = 0; i < 5000; i++) csv += `${i},镇${i},六次\n`;
  const out = compiled().assess(utf8(csv), { fileName: "bad.csv" });
  assert.equal(out.type, "failure");
  assert.equal(out.errors.length, 21);
  assert.equal(out.errors[20].code, "D0391");
  assert.match(out.errors[20].en.message, /4980 more errors not shown/);
});

test("a runaway rule stops after three units, placed at its loop", () => {
  const rs = compiled(`${RULES.replace("max: 100, deduct", "max: 95, deduct")}
indicator("spin", #{ label: "死循环", max: 5, score: |u| {
    let n = 0;
    loop { n += 1; }
    5
} });
`);
  let csv = "编码,名称,失控人数\n";
  for (let i = 0; i < 200; i++) csv += `U${i},镇${i},0\n`;
  const out = rs.assess(utf8(csv), { fileName: "d.csv" });
  assert.equal(out.type, "failure");
  assert.equal(out.stage, "eval");
  // One error for the rule, with the count of units it struck (run or not run for).
  assert.equal(out.errors.length, 1);
  assert.equal(out.errors[0].code, "E0001");
  assert.equal(out.errors[0].units, 200);
  assert.deepEqual(out.errors[0].location, { file: "h.rhai", line: 12, column: 5 });
  assert.match(out.errors[0].en.message, /ran away for 3 units/);
  assert.match(out.errors[0].message, /已在 3 个单位上超限/);
});

test("a script that grows memory or time is stopped as a rule error", () => {
  for (const body of [
    'let m = #{}; let i = 0;\nlet k = "k"; for j in 0..15 { k += k; }\nloop { m[k + i] = i; i += 1; }\n',
    "let a = []; for i in 0..9999 { a.push(i); }\nloop { a.contains(-1); }\n",
    "let t = timestamp();\n",
  ]) {
    const c = kaohe.compile("s.rhai", `ruleset(#{ id: "h", title: "t", max: 100 });\n${body}`);
    assert.equal(c.type, "failure");
    assert.ok(c.errors[0].location.line >= 2, JSON.stringify(c.errors));
  }
});

test("CSV export writes formulas as text", () => {
  const out = compiled().assess(utf8("编码,名称,失控人数\n1,=HYPERLINK(\"x\"),0\n2,@SUM(1),1\n"), { fileName: "d.csv" });
  assert.equal(out.type, "success");
  const csv = out.csv();
  assert.match(csv, /,"'=HYPERLINK\(""x""\)",/);
  assert.match(csv, /,'@SUM\(1\),/);
});
