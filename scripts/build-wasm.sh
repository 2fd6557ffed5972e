#!/usr/bin/env bash
# Builds the WASM package into pkg/ (ES module for the browser) and pkg/node/ (CommonJS for Node
# tests), with the typed wrapper from www/. Installs the wasm target and the pinned
# wasm-bindgen CLI when missing. No wasm-pack (it downloads binaryen and fails offline).
set -euo pipefail
cd "$(dirname "$0")/.."

WB_VERSION=$(grep -A2 'name = "wasm-bindgen"' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p' | head -1)
if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  rustup target add wasm32-unknown-unknown
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  echo "== installing wasm-bindgen-cli $WB_VERSION (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

cargo build --release --target wasm32-unknown-unknown --lib --quiet
WASM=target/wasm32-unknown-unknown/release/kaohe.wasm
rm -rf pkg
wasm-bindgen --target web --out-dir pkg --out-name kaohe_bg_glue "$WASM"
wasm-bindgen --target nodejs --out-dir pkg/node --out-name kaohe_bg_glue "$WASM"
cp www/kaohe.js pkg/kaohe.js
cp www/kaohe.d.ts pkg/kaohe.d.ts
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
cat > pkg/package.json <<JSON
{
  "name": "kaohe",
  "version": "$VERSION",
  "description": "考核 — rule-based performance assessment engine (WASM)",
  "type": "module",
  "main": "kaohe.js",
  "types": "kaohe.d.ts",
  "exports": { ".": { "types": "./kaohe.d.ts", "import": "./kaohe.js" }, "./node": "./node/kaohe_bg_glue.js" },
  "files": ["kaohe.js", "kaohe.d.ts", "kaohe_bg_glue.js", "kaohe_bg_glue.d.ts", "kaohe_bg_glue_bg.wasm", "node/"],
  "license": "MIT OR Apache-2.0"
}
JSON
echo '{"type": "commonjs"}' > pkg/node/package.json
ls -l pkg/*.wasm | awk '{print "== pkg built: " $NF " " $5 " bytes"}'
