#!/usr/bin/env bash
# bench/run.sh [GROUP|NAME...]: aio against CPython 3.11, measured in the same run.
#
# 1. Speed: the shared benchmark programs (../shared/bench, or $AIO_BENCH_DIR), timed by the
#    shared compare.sh (python3 and aio alternating, median of $REPS runs, output checked
#    against NAME.expected), and the module-heavy programs of bench/stdlib (stdlib_*.aio),
#    timed the same way by bench/stdlib/compare.sh (a copy of the shared script, which cds
#    to its own directory). Ratio = CPython seconds / aio seconds: above 1, aio is faster.
#    Arguments: groups `core` (the default), `async`, `stdlib`, `all`, or program names.
#    PGO=1 measures the profile-guided build of bench/pgo.sh instead of target/release/aio.
# 2. Memory: peak resident size (GNU time) of the programs in bench/programs at two sizes;
#    gc_cycles must stay flat as N grows 5x, int_list must not exceed CPython.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${AIO_BENCH_DIR:-$root/../shared/bench}
if [ "${PGO:-0}" = 1 ]; then
  # The profile-guided build (bench/pgo.sh), rebuilt each time: the profile must match the
  # sources.
  "$root/bench/pgo.sh"
  aio=$root/target/pgo/release/aio
else
  cargo build --release --quiet -p aio --manifest-path "$root/Cargo.toml"
  aio=$root/target/release/aio
fi

echo "== speed (ratio = python3 s / aio s; above 1: aio is faster)"
stdlib=$root/bench/stdlib
# names DIR PREFIX: the programs DIR/PREFIX*.aio.
names() { for f in "$1"/"$2"*.aio; do basename "${f%.aio}"; done; }
[ "$#" -gt 0 ] || set -- core
shared_names=(); stdlib_names=()
for arg in "$@"; do
  case $arg in
    core | async | mem) mapfile -t -O "${#shared_names[@]}" shared_names < <(names "$shared" "${arg}_") ;;
    stdlib) mapfile -t -O "${#stdlib_names[@]}" stdlib_names < <(names "$stdlib" stdlib_) ;;
    all)
      mapfile -t -O "${#shared_names[@]}" shared_names < <(names "$shared" "")
      mapfile -t -O "${#stdlib_names[@]}" stdlib_names < <(names "$stdlib" stdlib_) ;;
    stdlib_*) stdlib_names+=("$arg") ;;
    *) shared_names+=("$arg") ;;
  esac
done
if [ "${#shared_names[@]}" -gt 0 ]; then
  REPS=${REPS:-5} "$shared/compare.sh" python3 "$aio" "${shared_names[@]}"
fi
if [ "${#stdlib_names[@]}" -gt 0 ]; then
  REPS=${REPS:-5} "$stdlib/compare.sh" python3 "$aio" "${stdlib_names[@]}"
fi

echo
echo "== memory (peak RSS, MiB)"
peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1 / 1024}'; }
printf '%-28s %10s %10s\n' program aio python3
for spec in "gc_cycles 200000" "gc_cycles 1000000" "int_list 1000000" "int_list 10000000"; do
  set -- $spec
  printf '%-28s %10s %10s\n' "$1 N=$2" "$(peak "$aio" "$root/bench/programs/$1.aio" "$2")" \
    "$(peak python3 "$root/bench/programs/$1.aio" "$2")"
done
