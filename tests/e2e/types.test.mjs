// The JS API's TypeScript declarations in the repository: the result's types in
// www/kaohe-result.d.ts are what scripts/gen-types.mjs generates from the result's JSON Schema
// (docs/schema/result.schema.json), and www/kaohe.d.ts, www/kaohe-node.d.ts and
// examples/ts/score.ts pass the pinned TypeScript (`tsc --noEmit -p examples/ts`).
// tests/e2e/pack.test.mjs checks them again as the packed package ships them.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, TSC, ensureTools } from "./helpers.mjs";

before(() => ensureTools());

const genTypes = (...args) => spawnSync("node", [join(ROOT, "scripts/gen-types.mjs"), ...args], { cwd: ROOT, encoding: "utf8" });

test("www/kaohe-result.d.ts is what the result's JSON Schema gives (node scripts/gen-types.mjs --check)", () => {
  const r = genTypes("--check");
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});

test("gen-types --check fails on a file the schema does not give, naming the command", () => {
  const dir = mkdtempSync(join(tmpdir(), "kaohe-types-"));
  try {
    const edited = join(dir, "kaohe-result.d.ts");
    const committed = readFileSync(join(ROOT, "www/kaohe-result.d.ts"), "utf8");
    assert.ok(committed.includes("rank: number | null;"));
    writeFileSync(edited, committed.replace("rank: number | null;", "rank: number;"));
    const r = genTypes("--check", "--out", edited);
    assert.equal(r.status, 1, `${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /run node scripts\/gen-types\.mjs/);
    assert.equal(genTypes("--check", "--out", join(dir, "none.d.ts")).status, 1, "a missing file fails too");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("tsc --noEmit: the API's declarations and the TypeScript example", () => {
  const r = spawnSync("node", [TSC, "--noEmit", "-p", join(ROOT, "examples/ts")], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, `tsc -p examples/ts found errors:\n${r.stdout}${r.stderr}`);
});
