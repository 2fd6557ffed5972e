// The npm package the way an app gets it: `npm pack` of pkg/, the tarball installed offline into a
// scratch project ("type": "module"; the package has no dependencies), examples/ts/score.ts
// type-checked there with the pinned TypeScript against the installed package's declarations
// (module resolution node16, then bundler), compiled and run with node: its units, ranks, grades,
// totals and items' points are what `kaohe assess RULES DATA --format json` gives on the same files.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, KAOHE_BIN, TOOLS, TSC, ensureTools } from "./helpers.mjs";

const PKG = join(ROOT, "pkg");
const RULES = join(ROOT, "rules/county-antidrug.rhai");
const DATA = join(ROOT, "rules/samples/county-antidrug.csv");
const STALE = "if www/ or scripts/build-wasm.sh changed since pkg/ was built, rebuild it: bash scripts/build-wasm.sh";

let dir; // the temporary folder: the tarball, npm's cache and the scratch project
let app; // the scratch project
let packed; // `npm pack --json`'s entry: filename, files …

/** Runs a command; on failure the assertion shows its output. */
function run(cmd, args, options) {
  const r = spawnSync(cmd, args, { encoding: "utf8", ...options });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** What the example reads off a result's units (examples/ts/score.ts: `Row`). */
const rows = (units) => units.map((u) => ({
  id: u.id, name: u.name, rank: u.rank, grade: u.grade, total: u.total,
  items: u.items.map((i) => ({ id: i.id, points: i.points })),
}));

before(() => {
  assert.ok(existsSync(join(PKG, "package.json")), "pkg/ is built (bash scripts/build-wasm.sh)");
  if (!existsSync(KAOHE_BIN)) execFileSync("cargo", ["build", "--quiet"], { cwd: ROOT, stdio: "inherit" });
  ensureTools();
  dir = mkdtempSync(join(tmpdir(), "kaohe-pack-"));
  app = join(dir, "app");
  mkdirSync(app);
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("npm pack: the tarball holds every export, its types and the files the package lists", () => {
  packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", dir, "--loglevel=error"], { cwd: PKG }))[0];
  const manifest = JSON.parse(readFileSync(join(PKG, "package.json"), "utf8"));
  const files = new Set(packed.files.map((f) => f.path));
  assert.equal(packed.name, "kaohe");
  assert.equal(manifest.sideEffects, false);
  assert.match(manifest.engines?.node ?? "", /^>=\d+/);
  assert.deepEqual(Object.keys(manifest.dependencies ?? {}), [], "no dependencies: the tarball installs offline");
  for (const [path, target] of Object.entries(manifest.exports)) {
    if (path === "./package.json") continue;
    assert.ok(typeof target.types === "string" && typeof target.default === "string", `exports["${path}"] has types and default`);
    for (const f of [target.types, target.default]) assert.ok(files.has(f.replace(/^\.\//, "")), `${f} (exports["${path}"]) is in the tarball; ${STALE}`);
  }
  // Each listed file or folder is there, with the three engine modules and their glue.
  for (const f of manifest.files) assert.ok([...files].some((p) => p === f || p.startsWith(f)), `${f} is in the tarball`);
  for (const m of ["", "full/", "node/"]) {
    assert.ok(files.has(`${m}kaohe_bg_glue.js`) && files.has(`${m}kaohe_bg_glue_bg.wasm`), `${m}kaohe_bg_glue{.js,_bg.wasm}`);
  }
  // What the declarations import is shipped too.
  for (const f of [...files].filter((p) => p.endsWith(".d.ts"))) {
    const text = readFileSync(join(PKG, f), "utf8");
    for (const [, spec] of text.matchAll(/from "(\.[^"]+)\.js"/g)) {
      const wanted = join(f, "..", `${spec}.d.ts`);
      assert.ok(files.has(wanted), `${f} imports ${spec}.js, whose ${wanted} is in the tarball`);
    }
  }
});

test("the tarball installs offline into a scratch project", () => {
  assert.ok(packed, "npm pack ran");
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "kaohe-scratch", private: true, type: "module" }, null, 2));
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", "--cache", join(dir, "npm-cache"), join(dir, packed.filename)], { cwd: app });
  const installed = JSON.parse(readFileSync(join(app, "node_modules/kaohe/package.json"), "utf8"));
  assert.equal(installed.version, packed.version);
});

test("importing an entry loads no engine; kaohe/node's load() gives the whole API", () => {
  assert.ok(existsSync(join(app, "node_modules/kaohe")), "the package is installed");
  writeFileSync(join(app, "imports.mjs"), `
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const glue = () => Object.keys(require.cache).filter((k) => k.endsWith("kaohe_bg_glue.js")).length;
const web = await import("kaohe");
const node = await import("kaohe/node");
const onImport = glue();
const kaohe = await node.load();
console.log(JSON.stringify({
  web: Object.keys(web).sort(), node: Object.keys(node).sort(), onImport, onLoad: glue(),
  version: kaohe.version(), spreadsheets: kaohe.spreadsheets(),
  api: Object.keys(kaohe).sort(), oneApi: web.api === node.api,
}));
`);
  const r = JSON.parse(run("node", ["imports.mjs"], { cwd: app }));
  assert.deepEqual(r.web, ["api", "load", "loadSurvey", "surveyApi"]);
  assert.deepEqual(r.node, ["api", "load", "loadSurvey", "surveyApi"]);
  assert.equal(r.onImport, 0, "importing kaohe or kaohe/node requires no glue (sideEffects: false)");
  assert.equal(r.onLoad, 1, "load() requires node/'s glue");
  assert.equal(r.version, packed.version);
  assert.equal(r.spreadsheets, true, "the Node module is the full one");
  assert.equal(r.oneApi, true, "kaohe/node wraps kaohe.js's api, not a copy of it");
  assert.ok(r.api.includes("compile") && r.api.includes("diff"), r.api.join(" "));
});

test("examples/ts/score.ts type-checks against the installed package (node16 and bundler) and compiles", () => {
  assert.ok(existsSync(join(app, "node_modules/kaohe")), "the package is installed");
  copyFileSync(join(ROOT, "examples/ts/score.ts"), join(app, "score.ts"));
  // Every declaration file of the package is checked, not only those the example reaches: the
  // API's in a Node program (no DOM), and with them wasm-bindgen's glue declarations, which name
  // the DOM's types (RequestInfo, BufferSource, WebAssembly), as a bundler's program for a page.
  const dts = packed.files.map((f) => f.path).filter((p) => p.endsWith(".d.ts")).map((p) => `node_modules/kaohe/${p}`);
  const api = dts.filter((p) => !p.includes("kaohe_bg_glue"));
  assert.ok(api.includes("node_modules/kaohe/kaohe-node.d.ts"), api.join(" "));
  const compilerOptions = {
    module: "node16", moduleResolution: "node16", target: "es2022", lib: ["es2022"], strict: true,
    skipLibCheck: false, noEmitOnError: true, types: ["node"], typeRoots: [join(TOOLS, "@types")],
  };
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["score.ts", ...api] }, null, 2));
  writeFileSync(join(app, "tsconfig.bundler.json"), JSON.stringify({
    extends: "./tsconfig.json",
    compilerOptions: { module: "preserve", moduleResolution: "bundler", lib: ["es2022", "dom"], noEmit: true },
    files: ["score.ts", ...dts],
  }, null, 2));
  run("node", [TSC, "-p", "tsconfig.bundler.json"], { cwd: app });
  run("node", [TSC, "-p", "tsconfig.json"], { cwd: app }); // type-checks again (node16) and writes score.js
  assert.ok(existsSync(join(app, "score.js")));
});

test("the compiled example scores as the CLI does", () => {
  assert.ok(existsSync(join(app, "score.js")), "score.ts compiled");
  const cli = JSON.parse(run(KAOHE_BIN, ["assess", RULES, DATA, "--format", "json"], { cwd: ROOT }));
  const out = JSON.parse(run("node", ["score.js", RULES, DATA, "--json"], { cwd: app }));
  assert.equal(out.rule_set, cli.rule_set.id);
  assert.ok(cli.units.length > 0);
  assert.deepEqual(out.units, rows(cli.units), STALE);
  // The gap to the next grade, typed from the gap's schema, as `kaohe gap` gives it.
  const gap = JSON.parse(run(KAOHE_BIN, ["gap", RULES, DATA, "--format", "json"], { cwd: ROOT }));
  assert.deepEqual(out.next_grade_points, Object.fromEntries(gap.units.map((g) => [g.id, g.next_grade?.points ?? null])), STALE);
  assert.ok(Object.values(out.next_grade_points).some((p) => p !== null), "some unit has a next grade");
  // Without files: the bundled rule set and its sample, the same files, as a table.
  const table = run("node", ["score.js"], { cwd: app }).trimEnd().split("\n");
  assert.equal(table[0], `${cli.rule_set.title}（${cli.units.length} 个单位）`);
  assert.deepEqual(table.slice(2), cli.units.map((u) => `${u.rank ?? "—"}\t${u.name}\t${u.total_display ?? "—"}\t${u.grade ?? "—"}`));
});
