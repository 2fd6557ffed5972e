// Shared by the tests: where things are, a headless Chromium, and the local server.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const KAOHE_BIN = join(ROOT, "target/debug/kaohe");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = join(ROOT, "tests/e2e/screenshots");

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
