// The JS API's TypeScript declarations in the repository: www/kaohe.d.ts and www/kaohe-node.d.ts
// with examples/ts/score.ts, checked by the pinned TypeScript (`tsc --noEmit -p examples/ts`).
// tests/e2e/pack.test.mjs checks them again as the packed package ships them.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT, TSC, ensureTools } from "./helpers.mjs";

before(() => ensureTools());

test("tsc --noEmit: the API's declarations and the TypeScript example", () => {
  const r = spawnSync("node", [TSC, "--noEmit", "-p", join(ROOT, "examples/ts")], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, `tsc -p examples/ts found errors:\n${r.stdout}${r.stderr}`);
});
