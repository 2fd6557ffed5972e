#!/usr/bin/env bash
# Scores the bundled default rule set on its sample data (or whatever arguments follow `assess`).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found; install Rust (rustup) first" >&2
  exit 1
fi
exec cargo run --release --quiet -- assess "$@"
