// rules/county-antidrug.rhai in json-rules-engine: the rules are data
// (county-antidrug.rules-engine.json); json-rules-engine has no arithmetic, so the arithmetic
// shapes are facts computed here. Everything is in whole hundredths of a point (cents), so the
// sums are exact integers and a proportional share is rounded half-up on integers, as kaohe
// rounds its decimals.
import { readFileSync } from "node:fs";
import { Engine } from "json-rules-engine";

const doc = JSON.parse(readFileSync(new URL("./county-antidrug.rules-engine.json", import.meta.url), "utf8"));

/** A decimal as an exact fraction [numerator, denominator] of integers (97.35 → [9735, 100]). */
function frac(x) {
  const s = String(x);
  const dot = s.indexOf(".");
  if (dot < 0 || s.includes("e")) return [x, 1];
  const scale = 10 ** (s.length - dot - 1);
  return [Math.round(x * scale), scale];
}

/** round-half-up(max × clamp(a / b, 0, 1)) for integers max, a, b (b > 0). */
function share(max, a, b) {
  if (a <= 0) return 0;
  if (a >= b) return max;
  return Math.floor((2 * max * a + b) / (2 * b));
}

async function value(almanac, field) {
  return almanac.factValue(field);
}

function addFacts(engine) {
  // max − Σ whole steps × each, never below 0 (扣完为止)
  engine.addFact("deduct", async ({ max, parts }, almanac) => {
    let taken = 0;
    for (const p of parts) taken += Math.floor((await value(almanac, p.count)) / (p.step ?? 1)) * p.each;
    return Math.max(0, max - taken);
  });
  // Σ count × each, at most max (加分封顶)
  engine.addFact("count", async ({ max, parts }, almanac) => {
    let sum = 0;
    for (const p of parts) sum += (await value(almanac, p.count)) * p.each;
    return Math.min(sum, max);
  });
  // max × (value / target), or max × (num × scale / den / target), rounded half-up; full at target
  engine.addFact("proportional", async (p, almanac) => {
    let a;
    let b;
    if (p.value !== undefined) [a, b] = frac(await value(almanac, p.value));
    else {
      a = (await value(almanac, p.num)) * p.scale;
      b = await value(almanac, p.den);
    }
    return share(p.max, a, b * p.target);
  });
  // max × (value − zeroAt) / (fullAt − zeroAt), rounded half-up, within [0, max]
  engine.addFact("linear", async ({ max, value: field, zeroAt, fullAt }, almanac) => {
    const [a, b] = frac(await value(almanac, field));
    return share(max, a - zeroAt * b, b * (fullAt - zeroAt));
  });
  engine.addFact("ratio", async ({ num, den, scale }, almanac) => ((await value(almanac, num)) * scale) / (await value(almanac, den)));
}

/** The json-rules-engine model: `score(unit)` → { total (cents), vetoed, grade }. */
export function rulesEngine() {
  const options = { allowUndefinedFacts: true, replaceFactsInEventParams: true };
  const scoring = new Engine(doc.scoring, options);
  addFacts(scoring);
  const grading = new Engine(doc.grading, options);
  return {
    rules: doc.scoring.length + doc.grading.length,
    async score(unit) {
      const { events } = await scoring.run(unit);
      const byCategory = {};
      let bonus = 0;
      let vetoed = false;
      for (const e of events) {
        if (e.type === "points") byCategory[e.params.category] = (byCategory[e.params.category] ?? 0) + e.params.cents;
        else if (e.type === "bonus") bonus += e.params.cents;
        else if (e.type === "veto") vetoed = true;
      }
      let total = Math.min(bonus, doc.bonusMax);
      for (const [category, cap] of Object.entries(doc.categories)) total += Math.min(byCategory[category] ?? 0, cap);
      const graded = await grading.run({ total, vetoed, incidents: unit.incidents });
      const best = graded.events.reduce((a, e) => (a === null || e.params.priority > a.params.priority ? e : a), null);
      return { total, vetoed, grade: best ? best.params.grade : null };
    },
  };
}
