#!/usr/bin/env bash
# Builds the WASM package into pkg/, with the typed wrapper from www/:
#   pkg/kaohe_bg_glue_bg.wasm       the browser's engine module, without the spreadsheet code
#   pkg/full/kaohe_bg_glue_bg.wasm  the full module (XLSX/XLS/ODS in, XLSX out), fetched on demand
#   pkg/classic/                    the full module with wasm-bindgen's no-modules glue, for the
#                                   single-file app's classic worker (scripts/build-dist.sh)
#   pkg/node/                       the full module for Node, built for speed (CommonJS glue;
#                                   batch jobs, tests, benchmarks), wrapped by pkg/kaohe-node.js
#                                   (`import { load } from "kaohe/node"`)
#   pkg/package.json                the npm package: `npm pack` in pkg/ makes its tarball
# Installs the wasm target and the pinned wasm-bindgen CLI when missing. No wasm-pack (it
# downloads binaryen and fails offline).
#
# The modules are built with the `wasm-release` profile (Cargo.toml: opt-level z, LTO, one
# codegen unit; wasm-bindgen drops the symbol names), then passed through binaryen's wasm-opt
# from npm (tools/, pinned in tools/package-lock.json; Debian's older wasm-opt breaks
# wasm-bindgen output). KAOHE_WASM_OPT picks the level, default -O1: on these modules -O1 is the
# only level that makes the gzipped file smaller (-Oz, -Os, -O2 and -O3 shrink the raw module but
# grow the gzipped one by 2–4 %), and none changes the scoring speed measurably. `off` skips the
# step; so does a machine without npm or the package, with a message — the package works the same.
set -euo pipefail
cd "$(dirname "$0")/.."

PROFILE=wasm-release
WASM_OPT_LEVEL=${KAOHE_WASM_OPT:--O1}

WB_VERSION=$(grep -A2 'name = "wasm-bindgen"' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p' | head -1)
if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  rustup target add wasm32-unknown-unknown
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  echo "== installing wasm-bindgen-cli $WB_VERSION (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

# Three modules of the same crate: the engine module for the browser, without the spreadsheet
# code (no `spreadsheets` feature: a third smaller); the full module, fetched by the browser on
# the first spreadsheet read or XLSX export (pkg/full/); and the full module built for speed,
# for Node (pkg/node/). The first two builds leave their module at the same path, so each is
# bound before the next.
WASM=${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/$PROFILE/kaohe.wasm
BINDGEN_FLAGS=(--remove-name-section --remove-producers-section --out-name kaohe_bg_glue)
rm -rf pkg
cargo build --profile "$PROFILE" --target wasm32-unknown-unknown --lib --quiet --no-default-features
wasm-bindgen --target web --out-dir pkg "${BINDGEN_FLAGS[@]}" "$WASM"
cargo build --profile "$PROFILE" --target wasm32-unknown-unknown --lib --quiet
wasm-bindgen --target web --out-dir pkg/full "${BINDGEN_FLAGS[@]}" "$WASM"
# The single file (dist/kaohe.html) runs the engine in a classic worker, which cannot import ES
# modules: the same module with the no-modules glue. The glue differs, the module should not:
# when it is the same, it is optimised once and copied.
wasm-bindgen --target no-modules --out-dir pkg/classic "${BINDGEN_FLAGS[@]}" "$WASM"
CLASSIC_SAME=""
if cmp -s pkg/classic/kaohe_bg_glue_bg.wasm pkg/full/kaohe_bg_glue_bg.wasm; then CLASSIC_SAME=1; fi
# Node's module is not downloaded: built for speed (`wasm-speed`, opt-level 3), it scores a
# batch about 1.6× faster than the size-first module.
SPEED_WASM=${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm-speed/kaohe.wasm
cargo build --profile wasm-speed --target wasm32-unknown-unknown --lib --quiet
wasm-bindgen --target nodejs --out-dir pkg/node "${BINDGEN_FLAGS[@]}" "$SPEED_WASM"

wasm_opt=""
if [ "$WASM_OPT_LEVEL" = off ]; then
  echo "== wasm-opt skipped (KAOHE_WASM_OPT=off)"
elif [ -x tools/node_modules/.bin/wasm-opt ]; then
  wasm_opt=tools/node_modules/.bin/wasm-opt
elif command -v npm >/dev/null 2>&1; then
  echo "== installing binaryen's wasm-opt from tools/package-lock.json (npm ci)"
  if (cd tools && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
    wasm_opt=tools/node_modules/.bin/wasm-opt
  else
    echo "== wasm-opt skipped: npm could not install binaryen (the package works without it, only larger)"
  fi
else
  echo "== wasm-opt skipped: npm not found (the package works without it, only larger)"
fi
if [ -n "$wasm_opt" ]; then
  targets=(pkg/kaohe_bg_glue_bg.wasm pkg/full/kaohe_bg_glue_bg.wasm)
  [ -n "$CLASSIC_SAME" ] || targets+=(pkg/classic/kaohe_bg_glue_bg.wasm)
  for f in "${targets[@]}"; do
    before=$(stat -c %s "$f")
    "$wasm_opt" "$WASM_OPT_LEVEL" "$f" -o "$f.opt"
    mv "$f.opt" "$f"
    echo "== wasm-opt $WASM_OPT_LEVEL $f: $before → $(stat -c %s "$f") bytes"
  done
fi
if [ -n "$CLASSIC_SAME" ]; then cp pkg/full/kaohe_bg_glue_bg.wasm pkg/classic/kaohe_bg_glue_bg.wasm; fi

# The npm package: ES modules with their types for the browser (".": kaohe.js, load() fetches the
# engine module) and for Node (kaohe/node: kaohe-node.js, load() over node/'s full module, whose
# wasm-bindgen glue is CommonJS — node/package.json says so). Both share kaohe.js's one
# implementation of the API, and the result's types generated from its JSON Schema
# (kaohe-result.d.ts, by scripts/gen-types.mjs). No dependencies: `npm pack` in pkg/ gives a
# tarball an app installs offline (tests/e2e/pack.test.mjs). `sideEffects: false`: importing
# either entry only defines functions (a module is read and compiled by load()). Node 18: the
# oldest that kaohe.js, the glue and the module's WebAssembly features (reference types,
# multi-value, bulk memory) run on.
for f in kaohe.js kaohe.d.ts kaohe-result.d.ts kaohe-gap.d.ts kaohe-diff.d.ts kaohe-unit.d.ts kaohe-node.js kaohe-node.d.ts; do cp "www/$f" "pkg/$f"; done
cp LICENSE-MIT LICENSE-APACHE pkg/
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
cat > pkg/package.json <<JSON
{
  "name": "kaohe",
  "version": "$VERSION",
  "description": "考核 — rule-based performance assessment engine (WASM)",
  "type": "module",
  "main": "kaohe.js",
  "types": "kaohe.d.ts",
  "exports": {
    ".": { "types": "./kaohe.d.ts", "default": "./kaohe.js" },
    "./node": { "types": "./kaohe-node.d.ts", "default": "./kaohe-node.js" },
    "./package.json": "./package.json"
  },
  "engines": { "node": ">=18" },
  "sideEffects": false,
  "files": [
    "kaohe.js", "kaohe.d.ts", "kaohe-result.d.ts", "kaohe-gap.d.ts", "kaohe-diff.d.ts", "kaohe-unit.d.ts", "kaohe-node.js", "kaohe-node.d.ts",
    "kaohe_bg_glue.js", "kaohe_bg_glue.d.ts", "kaohe_bg_glue_bg.wasm", "kaohe_bg_glue_bg.wasm.d.ts",
    "full/", "node/", "LICENSE-MIT", "LICENSE-APACHE"
  ],
  "license": "MIT OR Apache-2.0"
}
JSON
echo '{"type": "commonjs"}' > pkg/node/package.json
for f in pkg/kaohe_bg_glue_bg.wasm pkg/full/kaohe_bg_glue_bg.wasm; do
  echo "== pkg built: $f $(stat -c %s "$f") bytes, $(gzip -9 -c "$f" | wc -c) gzipped"
done
