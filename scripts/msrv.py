#!/usr/bin/env python3
"""The minimum supported Rust version (MSRV) check, for a machine with one toolchain.

Cargo.toml declares `rust-version`. This machine has one Rust toolchain and cannot fetch an
older one, so the MSRV is checked in the two ways that need none:
  - clippy's `incompatible_msrv` lint (on by default; scripts/test.sh runs clippy with
    -D warnings) flags any standard-library API newer than the declared version;
  - this script: every crate the library builds with (normal dependencies, any target, every
    feature) must declare a `rust-version` no newer than kaohe's, so that no dependency raises
    the real MSRV above the declared one. A crate that declares none passes.
Exit 1, naming each crate, when one does not."""
import json
import subprocess
import sys


def version(v):
    return tuple(int(x) for x in (v.split(".") + ["0", "0"])[:3])


meta = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--all-features", "--locked"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
packages = {p["id"]: p for p in meta["packages"]}
root = next(p for p in meta["packages"] if p["name"] == "kaohe" and p["source"] is None)
ours = version(root["rust_version"])
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
# Normal (build-time and run-time) dependencies reachable from kaohe; dev-dependencies aside.
seen, todo = set(), [root["id"]]
while todo:
    pid = todo.pop()
    for dep in nodes[pid]["deps"]:
        kinds = {k["kind"] for k in dep["dep_kinds"]}
        if kinds - {"dev"} and dep["pkg"] not in seen:
            seen.add(dep["pkg"])
            todo.append(dep["pkg"])
newer = sorted(
    (packages[p]["name"], packages[p]["version"], packages[p]["rust_version"])
    for p in seen
    if packages[p].get("rust_version") and version(packages[p]["rust_version"]) > ours
)
for name, v, needs in newer:
    print(f"MSRV: {name} {v} needs Rust {needs}, above kaohe's rust-version {root['rust_version']}")
if newer:
    sys.exit(1)
print(f"MSRV {root['rust_version']}: the {len(seen)} crates kaohe builds with declare no newer Rust")
