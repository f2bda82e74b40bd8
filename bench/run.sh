#!/usr/bin/env bash
# bench/run.sh [NAME...]: aio against CPython 3.11, measured in the same run.
#
# 1. Speed: the shared benchmark programs (../shared/bench, or $AIO_BENCH_DIR), timed by the
#    shared compare.sh (python3 and aio alternating, median of $REPS runs, output checked
#    against NAME.expected). Ratio = CPython seconds / aio seconds: above 1, aio is faster.
# 2. Memory: peak resident size (GNU time) of the programs in bench/programs at two sizes;
#    gc_cycles must stay flat as N grows 5x, int_list must not exceed CPython.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${AIO_BENCH_DIR:-$root/../shared/bench}
cargo build --release --quiet -p aio --manifest-path "$root/Cargo.toml"
aio=$root/target/release/aio

echo "== speed (ratio = python3 s / aio s; above 1: aio is faster)"
if [ "$#" -gt 0 ]; then names=("$@"); else
  names=(); for f in "$shared"/core_*.aio; do names+=("$(basename "${f%.aio}")"); done
fi
REPS=${REPS:-5} "$shared/compare.sh" python3 "$aio" "${names[@]}"

echo
echo "== memory (peak RSS, MiB)"
peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1 / 1024}'; }
printf '%-28s %10s %10s\n' program aio python3
for spec in "gc_cycles 200000" "gc_cycles 1000000" "int_list 1000000" "int_list 10000000"; do
  set -- $spec
  printf '%-28s %10s %10s\n' "$1 N=$2" "$(peak "$aio" "$root/bench/programs/$1.aio" "$2")" \
    "$(peak python3 "$root/bench/programs/$1.aio" "$2")"
done
