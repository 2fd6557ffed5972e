// Assembles dist/ from www/ and the built pkg/ (run by scripts/build-dist.sh):
//
//   dist/kaohe.html   the whole app in one file, for use opened from disk (file://), no server:
//                     the page's script and style inline (allowed by their hashes in the CSP),
//                     the worker as a <script type="text/plain"> started from a blob: URL (a
//                     module worker cannot be loaded from file://), the full engine module
//                     (spreadsheets included) gzipped and base64'd in a non-executed <script>,
//                     decompressed in the worker with DecompressionStream("gzip").
//   dist/index.html … the multi-file app (www/ + the browser modules of pkg/) for any static web
//                     server, with a web.config that gives IIS the .wasm content type.
//
// Why the no-modules glue: the classic worker of the single file cannot `import`; wasm-bindgen's
// `--target no-modules` glue is a plain script defining `wasm_bindgen`, whose `init` takes the
// module's bytes. Rewriting the ESM glue's exports by text would break on the next wasm-bindgen.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, constants } from "node:zlib";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const www = (f) => readFileSync(join(ROOT, "www", f), "utf8");
const pkg = (f) => join(ROOT, "pkg", f);
const DIST = process.env.KAOHE_DIST ?? join(ROOT, "dist");

for (const f of ["kaohe.js", "kaohe_bg_glue.js", "kaohe_bg_glue_bg.wasm", "full/kaohe_bg_glue.js",
  "full/kaohe_bg_glue_bg.wasm", "classic/kaohe_bg_glue.js", "classic/kaohe_bg_glue_bg.wasm"]) {
  if (!existsSync(pkg(f))) {
    console.error(`error: pkg/${f} is missing; run bash scripts/build-wasm.sh first`);
    process.exit(1);
  }
}

/** Source lines without the ones matching `drop`, and with a leading `export ` removed. */
function unmodule(text, drop) {
  return text.split("\n").filter((l) => !drop.test(l)).map((l) => l.replace(/^export (?=(async )?function|const|let|class)/, "")).join("\n");
}
const noScriptEnd = (name, text) => {
  if (/<\/script/i.test(text)) throw new Error(`${name} contains "</script", which would end its <script> element`);
  return text;
};
const sha256 = (text) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

// ── the single file ──
const style = `\n${www("style.css")}`;
/** A module's text as a block that yields its exports, so that its own names stay its own. */
function scoped(text) {
  const names = [...text.matchAll(/^export (?:async )?(?:function|const|let|class) (\w+)/gm)].map((m) => m[1]);
  return `const { ${names.join(", ")} } = (() => {\n${unmodule(text, /^import /)}\nreturn { ${names.join(", ")} };\n})();`;
}
// The page's modules (www/*.js that main.js imports), each in a block of its own, then main.js.
const MODULES = ["editor.js", "drafts.js", "report.js", "trend.js"];
const pageScript = noScriptEnd("page script", `${MODULES.map((f) => `\n// ${f}\n${scoped(www(f))}`).join("")}\n// main.js\n${unmodule(www("main.js"), /^import /)}\n`);
const api = unmodule(readFileSync(pkg("kaohe.js"), "utf8"), /^import .* from "\.\/kaohe_bg_glue\.js";$/)
  .replace("async function load(", "async function loadWeb(");
const workerScript = noScriptEnd("worker", `
// ── wasm-bindgen glue (no-modules target) of the full engine module ──
${readFileSync(pkg("classic/kaohe_bg_glue.js"), "utf8")}
// ── kaohe.js: the typed API ──
${api}
// ── the engine, from the page: base64 of the gzipped module (self.KAOHE_WASM, put in front of
//    this script by the page), decompressed here ──
async function load() {
  const text = atob(self.KAOHE_WASM);
  const packed = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) packed[i] = text.charCodeAt(i);
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("gzip"));
  const bytes = await new Response(stream).arrayBuffer();
  await wasm_bindgen({ module_or_path: bytes });
  return api(wasm_bindgen);
}
// ── worker.js ──
${unmodule(www("worker.js"), /^import /)}
`);
const wasm = readFileSync(pkg("classic/kaohe_bg_glue_bg.wasm"));
const wasmGz = gzipSync(wasm, { level: constants.Z_BEST_COMPRESSION });
const wasmB64 = wasmGz.toString("base64");

const csp = [
  "default-src 'none'",
  `script-src ${sha256(pageScript)} 'wasm-unsafe-eval'`,
  "worker-src blob:",
  `style-src ${sha256(style)}`,
  "img-src data: blob:",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

let html = www("index.html");
const swap = (from, to) => {
  if (!html.includes(from)) throw new Error(`www/index.html: cannot find ${from}`);
  html = html.replace(from, () => to);
};
swap(/<meta http-equiv="Content-Security-Policy" content="[^"]*">/.exec(html)?.[0] ?? "<no CSP meta>",
  `<meta http-equiv="Content-Security-Policy" content="${csp}">`);
swap('<link rel="stylesheet" href="style.css">', `<style>${style}</style>`);
swap('<script type="module" src="main.js"></script>', "");
swap("</body>", `<script type="text/plain" id="kaohe-worker">${workerScript}</script>
<script type="application/octet-stream" id="kaohe-wasm">
${wasmB64.replace(/.{1,120}/g, "$&\n")}</script>
<script type="module">${pageScript}</script>
</body>`);

// ── dist/ ──
rmSync(DIST, { recursive: true, force: true });
mkdirSync(join(DIST, "pkg/full"), { recursive: true });
for (const f of ["main.js", ...MODULES, "worker.js", "style.css", "sw.js"]) {
  cpSync(join(ROOT, "www", f), join(DIST, f));
}
// The served app offers the single file (下载离线版); www/ during development has none to offer.
const served = www("index.html");
const offer = /(<a id="offline-copy"[^>]*?) hidden>/;
if (!offer.test(served)) throw new Error("www/index.html: no hidden #offline-copy link");
writeFileSync(join(DIST, "index.html"), served.replace(offer, "$1>"));
for (const f of ["kaohe.js", "kaohe.d.ts", "kaohe-result.d.ts", "kaohe-gap.d.ts", "kaohe-diff.d.ts", "kaohe-unit.d.ts", "kaohe_bg_glue.js", "kaohe_bg_glue_bg.wasm", "full/kaohe_bg_glue.js", "full/kaohe_bg_glue_bg.wasm"]) {
  cpSync(pkg(f), join(DIST, "pkg", f));
}
writeFileSync(join(DIST, "kaohe.html"), html);
writeFileSync(join(DIST, "web.config"), `<?xml version="1.0" encoding="utf-8"?>
<!-- For IIS: the content types the app needs and the security headers (kaohe, scripts/build-dist.mjs). -->
<configuration>
  <system.webServer>
    <staticContent>
      <remove fileExtension=".wasm" />
      <mimeMap fileExtension=".wasm" mimeType="application/wasm" />
      <remove fileExtension=".mjs" />
      <mimeMap fileExtension=".mjs" mimeType="text/javascript" />
    </staticContent>
    <httpProtocol>
      <customHeaders>
        <add name="X-Content-Type-Options" value="nosniff" />
      </customHeaders>
    </httpProtocol>
  </system.webServer>
</configuration>
`);

const size = statSync(join(DIST, "kaohe.html")).size;
const gz = gzipSync(readFileSync(join(DIST, "kaohe.html")), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
console.log(`== dist/kaohe.html: ${kb(size)} (${kb(gz)} gzipped; engine module ${kb(wasm.length)}, ${kb(wasmGz.length)} gzipped inside)`);
mkdirSync(join(ROOT, "target"), { recursive: true });
writeFileSync(join(ROOT, "target/dist-sizes.json"), JSON.stringify({ singleFile: size, singleFileGzip: gz, wasm: wasm.length, wasmGzip: wasmGz.length }, null, 2) + "\n");
