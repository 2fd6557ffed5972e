#!/usr/bin/env bash
# Runs every check and test on a fresh machine: installs what is missing, skips what is there.
#   - Rust: rustfmt, clippy (native and wasm32), unit/integration/doc tests, a scratch crate
#     using the library without default features, `kaohe test`
#   - WASM: builds pkg/ (wasm target + pinned wasm-bindgen-cli installed when missing)
#   - Browser: the JS API in Node (incl. native/WASM byte identity) and the web app in
#     headless Chromium (Debian chromium + playwright-core installed when missing)
#   - Fuzzing: a short cargo-fuzz run of every target in fuzz/ (nightly + cargo-fuzz installed
#     when missing; falls back to replaying the seeds on stable, saying so)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found; install Rust (rustup) first" >&2
  exit 1
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
    rustup component add "$component"
  fi
done

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== MSRV: no dependency needs a newer Rust than Cargo.toml's rust-version (scripts/msrv.py; clippy's incompatible_msrv lint checks our own code)"
python3 scripts/msrv.py
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --quiet -- -D warnings
echo "== cargo test"
cargo test --all-targets --quiet
echo "== doc tests"
cargo test --doc --quiet
echo "== a scratch crate using kaohe without default features (scripts/scratch-crate.sh)"
bash scripts/scratch-crate.sh
echo "== the batch example (examples/batch.rs)"
cargo run --quiet --example batch > /dev/null
echo "== kaohe check rules/*.rhai"
cargo run --quiet -- check rules/*.rhai
echo "== kaohe test"
cargo run --quiet -- test
echo "== WASM package"
bash scripts/build-wasm.sh
echo "== cargo clippy --target wasm32-unknown-unknown"
cargo clippy --target wasm32-unknown-unknown --lib --quiet -- -D warnings
echo "== cargo clippy --target wasm32-unknown-unknown --no-default-features (the engine module)"
cargo clippy --target wasm32-unknown-unknown --lib --no-default-features --quiet -- -D warnings
echo "== the engine alone, as a library user builds it (no command line: --no-default-features)"
cargo clippy --lib --no-default-features --quiet -- -D warnings
echo "== JS API and browser tests"
bash scripts/e2e.sh
echo "== fuzz: cargo fmt --check of fuzz/, then a short fuzz run of every target (scripts/fuzz.sh, fuzz/README.md)"
cargo fmt --manifest-path fuzz/Cargo.toml -- --check
FUZZ_PARALLEL=2 bash scripts/fuzz.sh --short
