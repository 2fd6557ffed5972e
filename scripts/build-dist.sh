#!/usr/bin/env bash
# Builds the app for evaluators, in one command:
#   dist/kaohe.html   one self-contained file: open it from disk (double-click), no server, no network
#   dist/             the app for any static web server (IIS, nginx, `python3 -m http.server`)
#   target/release/kaohe   the CLI with the app built in: `kaohe serve` works from any directory
#                     (install it with `cargo install --path . --features embed-app`)
#
#   bash scripts/build-dist.sh                 everything (the WASM package, dist/, the binary)
#   KAOHE_DIST_NO_BINARY=1 bash scripts/build-dist.sh    without the binary
#   KAOHE_REUSE_PKG=1 bash scripts/build-dist.sh         reuse pkg/ when it is built
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1; then
  echo "error: node not found; install Node.js 20 or newer (it assembles dist/)" >&2
  exit 1
fi
if [ "${KAOHE_REUSE_PKG:-}" = 1 ] && [ -f pkg/classic/kaohe_bg_glue_bg.wasm ]; then
  echo "== reusing pkg/ (KAOHE_REUSE_PKG=1)"
else
  bash scripts/build-wasm.sh
fi
node scripts/build-dist.mjs
if [ "${KAOHE_DIST_NO_BINARY:-}" != 1 ]; then
  echo "== building kaohe with the app built in (cargo build --release --features embed-app)"
  cargo build --release --quiet --features embed-app
  echo "== target/release/kaohe serve — works from any directory"
fi
echo "== dist/kaohe.html — open it in Chrome, Edge or Firefox; nothing else is needed"
