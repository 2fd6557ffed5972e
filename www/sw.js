// kaohe 考核 — offline use: keep a copy of the app's own files. Network first (so a new build is
// picked up at once), the cached copy when the network or the local server is not there.
const CACHE = "kaohe-v4";
const FILES = [
  "./", "index.html", "main.js", "editor.js", "drafts.js", "report.js", "trend.js", "worker.js", "style.css",
  "pkg/kaohe.js", "pkg/kaohe_bg_glue.js", "pkg/kaohe_bg_glue_bg.wasm",
  // spreadsheet support (XLSX in and out), so that it works offline too
  "pkg/full/kaohe_bg_glue.js", "pkg/full/kaohe_bg_glue_bg.wasm",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET" || new URL(req.url).origin !== location.origin) return;
  event.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(req, copy));
        }
        return res;
      })
      .catch(() => caches.match(req, { ignoreSearch: true }).then((hit) => hit ?? Response.error())),
  );
});
