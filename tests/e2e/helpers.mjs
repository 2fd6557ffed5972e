// Shared by the tests: where things are, a headless Chromium, and the local server.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const KAOHE_BIN = join(ROOT, "target/debug/kaohe");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = join(ROOT, "tests/e2e/screenshots");
/** The pinned npm tools (tools/package.json: TypeScript, @types/node, json-schema-to-typescript, …). */
export const TOOLS = join(ROOT, "tools/node_modules");
export const TSC = join(TOOLS, "typescript/bin/tsc");

/** Installs tools/ from its lock (`npm ci`) when a pinned package is missing or of another version. */
export function ensureTools() {
  const pinned = JSON.parse(readFileSync(join(ROOT, "tools/package.json"), "utf8")).devDependencies;
  const installed = (name) => {
    try {
      return JSON.parse(readFileSync(join(TOOLS, name, "package.json"), "utf8")).version;
    } catch {
      return null;
    }
  };
  if (Object.entries(pinned).every(([name, version]) => installed(name) === version)) return;
  execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: join(ROOT, "tools"), stdio: "inherit" });
}

/** A fresh headless Chromium context (own user-data-dir), as the toolchain notes require. */
export async function launch(options = {}) {
  const { chromium } = await import("playwright-core");
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "kaohe-chromium-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1440, height: 900 },
    locale: "zh-CN",
    acceptDownloads: true,
    ...options,
  });
}

/** Starts `BIN serve ARGS…` (options as for spawn) and waits for the address it prints. */
export async function startServe(bin, args, options = {}) {
  const child = spawn(bin, ["serve", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"], ...options });
  let out = "";
  child.stderr.on("data", (d) => (out += d));
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`kaohe serve printed no address: ${out}`)), 15000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /http:\/\/[^\s/]+\//.exec(out);
      if (m) { clearTimeout(timer); ok(m[0]); }
    });
    child.on("exit", (code) => fail(new Error(`kaohe serve exited with ${code}: ${out}`)));
  });
  return { url, child, stop: () => child.kill() };
}

/** The app's address: $KAOHE_URL, or a `kaohe serve` started here on a free port. */
export async function server() {
  if (process.env.KAOHE_URL) return { url: process.env.KAOHE_URL.replace(/\/?$/, "/"), stop() {} };
  return startServe(KAOHE_BIN, ["--root", ROOT]);
}

// GB18030 in WASM is the host's TextDecoder, natively encoding_rs (src/text.rs): the tests check
// they give the same text over every two-byte code and a sample of four-byte codes.

/** Rows of GB18030 bytes, 60 codes each, between ASCII marks `<` `>` so that no trimming can hide a difference. */
export function gb18030Rows() {
  const codes = [];
  for (let a = 0x81; a <= 0xfe; a++) for (let b = 0x40; b <= 0xfe; b++) if (b !== 0x7f) codes.push([a, b]);
  // Four bytes: a pointer, valid up to 39419 (the rest of the BMP) and from 189000 to 1237575
  // (the supplementary planes).
  const pointer = ([a, b, c, d]) => (a - 0x81) * 12600 + (b - 0x30) * 1260 + (c - 0x81) * 10 + (d - 0x30);
  const valid = (q) => pointer(q) <= 39419 || (pointer(q) >= 189000 && pointer(q) <= 1237575);
  for (let a = 0x81; a <= 0x84; a++) for (let b = 0x30; b <= 0x39; b++) for (let c = 0x81; c <= 0xfe; c += 5) for (let d = 0x30; d <= 0x39; d += 3) if (valid([a, b, c, d])) codes.push([a, b, c, d]);
  for (let a = 0x90; a <= 0xe3; a += 9) for (let b = 0x30; b <= 0x39; b += 4) for (let c = 0x81; c <= 0xfe; c += 11) if (valid([a, b, c, 0x35])) codes.push([a, b, c, 0x35]);
  const rows = [];
  for (let i = 0; i < codes.length; i += 60) rows.push([0x3c, ...codes.slice(i, i + 60).flat(), 0x3e]);
  return rows;
}
/** A rule set that scores a unit of any name. */
export const GB_RULES = 'ruleset(#{ id: "gb", title: "GB18030", max: 1 });\nfield("code", #{ label: "code", type: "text" });\nfield("name", #{ label: "name", type: "text" });\nunit(#{ id: "code", name: "name" });\nindicator("one", #{ label: "one", max: 1, score: |u| 1 });\n';
/** A GB18030 CSV of the rows as unit names. */
export function gb18030Csv() {
  const bytes = [...Buffer.from("code,name\n")];
  gb18030Rows().forEach((r, i) => bytes.push(...Buffer.from(`u${i},`), ...r, 0x0a));
  return new Uint8Array(bytes);
}
