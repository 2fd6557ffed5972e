// Many townships for the county rule set (rules/county-antidrug.rhai), seeded: each row is one of
// the 20 sample rows with a new code and name and some counts varied, so totals, grades, vetoes
// and consequences spread as in real data. Used by the 100k-unit test and the browser benchmark.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./helpers.mjs";
import { csvRows } from "./xlsx.mjs";

/** A small deterministic generator (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Columns varied, with their range. */
const VARY = {
  "集中宣传活动次数": [0, 10], "注册禁毒志愿者人数": [0, 150], "禁毒信息迟报漏报次数": [0, 4],
  "督导反馈问题未整改数": [0, 3], "禁毒信息被县级以上采用篇数": [0, 30], "失控人员数": [0, 4],
};

/** A UTF-8 CSV of `n` townships (with the sample's header), as a string. */
export function townships(n, seed = 42) {
  const [head, ...rows] = csvRows(readFileSync(join(ROOT, "rules/samples/county-antidrug.csv"), "utf8"));
  const random = rng(seed);
  const code = head.indexOf("单位编码");
  const name = head.indexOf("单位名称");
  const vary = Object.entries(VARY).map(([h, range]) => [head.indexOf(h), range]).filter(([i]) => i >= 0);
  const out = [head.join(",")];
  for (let i = 0; i < n; i++) {
    const row = [...rows[Math.floor(random() * rows.length)]];
    row[code] = String(330100000000 + i);
    row[name] = `${row[name]}${String(i).padStart(6, "0")}`;
    for (const [k, [lo, hi]] of vary) row[k] = String(lo + Math.floor(random() * (hi - lo + 1)));
    out.push(row.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(","));
  }
  return out.join("\n") + "\n";
}
