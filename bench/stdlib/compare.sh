#!/usr/bin/env bash
# Copied from ../shared/bench/compare.sh (unchanged below this note) so that it times the
# stdlib_* programs beside it: the shared script cds to its own directory.
# compare.sh INTERP_A INTERP_B [NAME...]
#
# Times each benchmark beside this script under two interpreters side by side: A, B, A, B, ...
# (REPS pairs, default 5; 120 s limit each), this folder as the working directory. A run counts
# only when its stdout equals NAME.expected. Prints `NAME medianA medianB ratio` where
# ratio = medianA / medianB (above 1: B is faster), FAIL where an interpreter failed, and last
# `geomean A/B over K programs: X`.
set -u
if [ "$#" -lt 2 ]; then echo "usage: $0 INTERP_A INTERP_B [NAME...]" >&2; exit 2; fi
abs() { case $1 in */*) echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")" ;; *) echo "$1" ;; esac; }
a=$(abs "$1"); b=$(abs "$2"); shift 2
reps=${REPS:-5}
cd "$(dirname "$0")" || exit 2
if [ "$#" -gt 0 ]; then names=("$@"); else names=(); for f in *.aio; do names+=("${f%.aio}"); done; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# timed INTERP NAME: print wall seconds of one correct run, or FAIL.
timed() {
  local s e
  s=$(date +%s.%N)
  timeout 120 "$1" "$2.aio" </dev/null >"$tmp/out" 2>/dev/null
  e=$(date +%s.%N)
  if cmp -s "$tmp/out" "$2.expected"; then echo "$e - $s" | bc -l; else echo FAIL; fi
}
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "FAIL"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
logsum=0; k=0
for n in "${names[@]}"; do
  : >"$tmp/a"; : >"$tmp/b"; fa=0; fb=0
  for _ in $(seq "$reps"); do
    if [ $fa -eq 0 ]; then t=$(timed "$a" "$n"); [ "$t" = FAIL ] && fa=1 || echo "$t" >>"$tmp/a"; fi
    if [ $fb -eq 0 ]; then t=$(timed "$b" "$n"); [ "$t" = FAIL ] && fb=1 || echo "$t" >>"$tmp/b"; fi
  done
  ma=FAIL; mb=FAIL
  [ $fa -eq 0 ] && ma=$(median <"$tmp/a")
  [ $fb -eq 0 ] && mb=$(median <"$tmp/b")
  if [ "$ma" != FAIL ] && [ "$mb" != FAIL ]; then
    r=$(echo "$ma / $mb" | bc -l); logsum=$(echo "$logsum + l($r)" | bc -l); k=$((k + 1))
    printf '%-24s %8.3f %8.3f %7.2f\n' "$n" "$ma" "$mb" "$r"
  else
    printf '%-24s %8s %8s %7s\n' "$n" "$ma" "$mb" "-"
  fi
done
if [ $k -gt 0 ]; then printf 'geomean A/B over %d programs: %.3f\n' "$k" "$(echo "e($logsum / $k)" | bc -l)"; else echo "geomean A/B over 0 programs: -"; fi
