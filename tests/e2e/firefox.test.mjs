// dist/kaohe.html in Firefox, opened from disk (file://) with no server: Debian's firefox-esr
// driven over WebDriver BiDi, which Firefox serves itself (--remote-debugging-port; no
// geckodriver, no patched build). Node 20 needs --experimental-websocket for the client
// (scripts/e2e.sh passes it). Skipped when firefox-esr is not installed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, SCREENSHOTS } from "./helpers.mjs";
import { xlsx, csvRows } from "./xlsx.mjs";

const FIREFOX = process.env.FIREFOX ?? "/usr/bin/firefox-esr";
const SINGLE = join(ROOT, "dist/kaohe.html");
const skip = !existsSync(FIREFOX) ? `${FIREFOX} not installed` : typeof WebSocket === "undefined" ? "no WebSocket in this Node (run with --experimental-websocket)" : false;

let firefox, ws, profile, context;
let seq = 0;
const pending = new Map();
const logs = [];

function send(method, params = {}) {
  const id = ++seq;
  ws.send(JSON.stringify({ id, method, params }));
  return new Promise((ok, fail) => pending.set(id, { ok, fail, method }));
}

async function evaluate(expression) {
  const r = await send("script.evaluate", { expression, target: { context }, awaitPromise: true, resultOwnership: "none" });
  if (r.type === "exception") throw new Error(`${expression.slice(0, 80)}: ${r.exceptionDetails?.text}`);
  return r.result?.value;
}

async function until(expression, what, timeout = 30000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await evaluate(expression);
    if (last) return last;
    await new Promise((ok) => setTimeout(ok, 200));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** Drops a file on the page, as the app's drag-and-drop expects. */
function drop(name, bytes) {
  const b64 = Buffer.from(bytes).toString("base64");
  return evaluate(`(() => {
    const bin = atob(${JSON.stringify(b64)});
    const data = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
    const dt = new DataTransfer();
    dt.items.add(new File([data], ${JSON.stringify(name)}));
    for (const type of ["dragenter", "dragover", "drop"]) window.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true }));
    return true;
  })()`);
}

const topRow = `(() => { const r = document.querySelector("#result-table tbody tr[data-unit]"); return r ? r.querySelector(".c-name").textContent.trim() + " " + r.querySelector(".c-total").textContent.trim() : ""; })()`;

before(async () => {
  if (skip) return;
  profile = mkdtempSync(join(tmpdir(), "kaohe-firefox-"));
  writeFileSync(join(profile, "user.js"), [
    'user_pref("browser.shell.checkDefaultBrowser", false);',
    'user_pref("datareporting.policy.dataSubmissionEnabled", false);',
    'user_pref("browser.download.useDownloadDir", true);',
    `user_pref("browser.download.dir", ${JSON.stringify(profile)});`,
    'user_pref("browser.download.folderList", 2);',
  ].join("\n"));
  firefox = spawn(FIREFOX, ["--headless", "--no-remote", "--profile", profile, "--remote-debugging-port", "0", "about:blank"], { stdio: ["ignore", "pipe", "pipe"] });
  const url = await new Promise((ok, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`firefox printed no WebDriver BiDi address: ${out}`)), 60000);
    const read = (d) => {
      out += d;
      const m = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(timer); ok(m[1]); }
    };
    firefox.stderr.on("data", read);
    firefox.stdout.on("data", read);
    firefox.on("exit", (code) => fail(new Error(`firefox exited with ${code}: ${out}`)));
  });
  ws = new WebSocket(`${url.replace(/\/$/, "")}/session`);
  await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = () => fail(new Error(`cannot connect to ${url}`)); });
  ws.onmessage = ({ data }) => {
    const m = JSON.parse(data);
    if (m.id && pending.has(m.id)) {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.type === "error") p.fail(new Error(`${p.method}: ${m.error} ${m.message}`));
      else p.ok(m.result);
    } else if (m.method === "log.entryAdded") {
      logs.push(m.params);
    }
  };
  await send("session.new", { capabilities: {} });
  await send("session.subscribe", { events: ["log.entryAdded"] });
  const tree = await send("browsingContext.getTree", {});
  context = tree.contexts[0].context;
});

after(async () => {
  if (skip) return;
  try { await send("session.end"); } catch { /* closing anyway */ }
  ws?.close();
  firefox?.kill();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test("Firefox: dist/kaohe.html from file:// — the result, GBK CSV, XLSX, 计分明细, export XLSX", { skip }, async () => {
  await send("browsingContext.navigate", { context, url: pathToFileURL(SINGLE).href, wait: "complete" });
  await until(`${topRow} === "城关镇 101.00"`, "the default result");
  await drop("县禁毒数据.gbk.csv", readFileSync(join(ROOT, "rules/samples/county-antidrug.gbk.csv")));
  await until(`/县禁毒数据\\.gbk\\.csv，GBK\\/GB18030 编码/.test(document.querySelector("#status-data").textContent)`, "the GBK file scored");
  assert.equal(await evaluate(topRow), "城关镇 101.00");
  const sample = readFileSync(join(ROOT, "rules/samples/county-antidrug.csv"), "utf8");
  await drop("县禁毒考核数据.xlsx", xlsx(csvRows(sample)));
  await until(`document.querySelector("#status-data").textContent.includes("县禁毒考核数据.xlsx，电子表格")`, "the XLSX file scored");
  assert.equal(await evaluate(`document.querySelectorAll("#result-table tbody tr[data-unit]").length`), 20);
  await evaluate(`document.querySelector("#result-table .unit-link").click(), true`);
  await until(`/计分明细[\\s\\S]*每缺一份扣1分/.test(document.querySelector("#unit-body").textContent)`, "the breakdown");
  const shot = await send("browsingContext.captureScreenshot", { context });
  writeFileSync(join(SCREENSHOTS, "firefox-single-file.png"), Buffer.from(shot.data, "base64"));
  await evaluate(`document.querySelector("#unit-close").click(), true`);
  // Export: the workbook's blob, caught as the page hands it to the download link.
  await evaluate(`(() => { window.__blobs = []; const make = URL.createObjectURL; URL.createObjectURL = (b) => (window.__blobs.push(b), make(b)); document.querySelector("#export-xlsx").click(); return true; })()`);
  const head = await until(`window.__blobs.length && window.__blobs[0].slice(0, 2).text().then((t) => t + " " + window.__blobs[0].size)`, "the XLSX download");
  const [magic, size] = head.split(" ");
  assert.equal(magic, "PK");
  assert.ok(+size > 5000, size);
  const bad = logs.filter((l) => l.level === "error" && !/downloads/i.test(l.text ?? ""));
  assert.deepEqual(bad.map((l) => l.text), []);
});
