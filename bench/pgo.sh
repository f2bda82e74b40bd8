#!/usr/bin/env bash
# bench/pgo.sh: builds target/pgo/release/aio, the release binary optimised with profile-guided
# optimisation (PGO), as CPython's `--enable-optimizations` builds are.
#
# 1. An instrumented release build (target/pgo-gen) runs the training set: the script
#    tests (tests/scripts), the public conformance cases beside the checkout when present,
#    and bench/programs. The benchmark programs themselves are not in it, so the benchmark
#    measures how the profile generalises, not how it fits.
# 2. `llvm-profdata` (rustup component `llvm-tools`, installed here if missing) merges the
#    profiles, and a second release build uses them.
#
# `bench/run.sh` measures this binary instead of target/release/aio when PGO=1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
data=$root/target/pgo-data
rm -rf "$data"
mkdir -p "$data"

sysroot=$(rustc --print sysroot)
host=$(rustc -vV | sed -n 's/^host: //p')
profdata=$sysroot/lib/rustlib/$host/bin/llvm-profdata
if [ ! -x "$profdata" ]; then
  rustup component add llvm-tools
fi

echo "== instrumented build"
RUSTFLAGS="-Cprofile-generate=$data" CARGO_TARGET_DIR=$root/target/pgo-gen \
  cargo build --release --quiet -p aio
gen=$root/target/pgo-gen/release/aio

echo "== training"
train() {
  # Each script runs in its own directory (imports of sibling modules), with a time limit;
  # failures are expected (error cases) and ignored.
  (cd "$(dirname "$1")" && timeout 20 "$gen" "$(basename "$1")" >/dev/null 2>&1 </dev/null) || true
}
n=0
while IFS= read -r f; do
  train "$f"
  n=$((n + 1))
done < <(find tests/scripts -name '*.aio' ! -name 'mod_*' | sort)
if [ -d ../shared/conformance/public ]; then
  for f in ../shared/conformance/public/*.aio; do
    train "$f"
    n=$((n + 1))
  done
fi
for f in bench/programs/*.aio; do
  (timeout 60 "$gen" "$f" 200000 >/dev/null 2>&1) || true
  n=$((n + 1))
done
echo "$n programs"

echo "== merge"
"$profdata" merge -o "$data/merged.profdata" "$data"

echo "== optimised build"
RUSTFLAGS="-Cprofile-use=$data/merged.profdata" \
  CARGO_TARGET_DIR=$root/target/pgo cargo build --release --quiet -p aio
echo "built target/pgo/release/aio"
