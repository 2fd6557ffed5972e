#!/usr/bin/env bash
# The main job on the bundled default rule set and sample data.
#   bash scripts/run.sh            prints the ranked table, builds the app (WASM package, dist/ with
#                                  the single file dist/kaohe.html, kaohe with the app built in) and
#                                  serves it on localhost (prints the address; Ctrl-C stops it)
#   bash scripts/run.sh ARGS…      runs `kaohe assess ARGS…` instead (e.g. a rule file and data)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found; install Rust (rustup) first" >&2
  exit 1
fi
# The same features as scripts/build-dist.sh, so that the two do not rebuild each other's binary.
features=()
[ -f dist/index.html ] && features=(--features embed-app)
if [ "$#" -gt 0 ]; then
  exec cargo run --release --quiet "${features[@]}" -- assess "$@"
fi
cargo run --release --quiet "${features[@]}" -- assess
bash scripts/build-dist.sh
echo "== the app: open the address below, or dist/kaohe.html straight from disk"
exec target/release/kaohe serve --port "${PORT:-8080}"
