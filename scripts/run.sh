#!/usr/bin/env bash
# The main job on the bundled default rule set and sample data.
#   bash scripts/run.sh            prints the ranked table, builds the WASM package and serves the
#                                  browser app on localhost (prints the address; Ctrl-C stops it)
#   bash scripts/run.sh ARGS…      runs `kaohe assess ARGS…` instead (e.g. a rule file and data)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found; install Rust (rustup) first" >&2
  exit 1
fi
if [ "$#" -gt 0 ]; then
  exec cargo run --release --quiet -- assess "$@"
fi
cargo run --release --quiet -- assess
bash scripts/build-wasm.sh
exec cargo run --release --quiet -- serve --port "${PORT:-8080}"
