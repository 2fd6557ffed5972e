// rules/county-antidrug.rhai in GoRules ZEN (npm @gorules/zen-engine, the Rust engine through
// N-API): the decision graph bench/rules/county-antidrug.zen.json that the Rust benchmark uses —
// an expression node for every indicator and veto, one for the category caps, bonus cap and
// total, a decision table for the grade. ZEN computes in decimals, the same steps as kaohe.
import { readFileSync } from "node:fs";
import { ZenEngine } from "@gorules/zen-engine";

/** The ZEN model: `score(unit)` → { total (cents), vetoed, grade }. */
export function zen(path) {
  const content = JSON.parse(readFileSync(path, "utf8"));
  const engine = new ZenEngine();
  const decision = engine.createDecision(content);
  return {
    nodes: content.nodes.length,
    async score(unit) {
      const { result } = await decision.evaluate(unit);
      return { total: Math.round(Number(result.total) * 100), vetoed: result.vetoed === true, grade: result.grade ?? null };
    },
    dispose: () => engine.dispose(),
  };
}
