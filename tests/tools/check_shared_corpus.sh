#!/usr/bin/env bash
# check_shared_corpus.sh INTERP
#
# Front-end check of aio against the shared corpus: every .aio file under ../shared/conformance/
# and ../shared/bench/ (relative to the repository root) is given to `INTERP --check FILE`.
#
# - A file that python3 compiles must be accepted: `INTERP --check` exits 0 (its output is
#   ignored; it may print nothing).
# - A file whose sibling NAME.err (or, if there is none, NAME.out) ends with a line starting
#   with `SyntaxError:`, `IndentationError:` or `TabError:`, and that python3's `ast.parse`
#   also rejects, must be rejected with that same line as the last non-empty line of stderr
#   (and a non-zero exit status).
# - Anything else (e.g. a file that parses but fails in CPython's compiler, such as
#   'return' outside function) is skipped: `--check` is a parser check.
#
# Prints one `FAIL path: reason` line per failure, a count of skipped files, then
# `N passed, M failed`.
# Exits 1 if anything failed, 0 otherwise (also when the shared directory does not exist).
set -u
if [ "$#" -ne 1 ]; then echo "usage: $0 INTERP" >&2; exit 2; fi
interp=$1
case $interp in
  */*) [ -e "$interp" ] && interp="$(cd "$(dirname "$interp")" && pwd)/$(basename "$interp")" ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
shared="$root/../shared"
if [ ! -d "$shared" ]; then
  echo "note: $shared does not exist; nothing to check"
  exit 0
fi
command -v python3 >/dev/null || { echo "$0: python3 is required" >&2; exit 2; }

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
passed=0; failed=0; skipped=0

# Prints "compiles", "parses" (ast.parse accepts, compile rejects) or "rejected".
classify() {
  python3 - "$1" <<'PY'
import ast, sys, warnings
warnings.simplefilter("ignore")
path = sys.argv[1]
with open(path, "rb") as f:
    src = f.read().decode("utf-8")
try:
    ast.parse(src, path)
except (SyntaxError, ValueError):
    print("rejected")
    sys.exit(0)
try:
    compile(src, path, "exec", dont_inherit=True)
except (SyntaxError, ValueError):
    print("parses")
    sys.exit(0)
print("compiles")
PY
}

last_line() { grep -v '^[[:space:]]*$' "$1" | tail -n 1; }

fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }

while IFS= read -r -d '' src; do
  rel=${src#"$shared"/}
  base=${src%.aio}
  kind=$(classify "$src")
  want=""
  for ext in err out; do
    if [ -f "$base.$ext" ]; then
      want=$(last_line "$base.$ext")
      break
    fi
  done
  case $want in
    SyntaxError:*|IndentationError:*|TabError:*) ;;
    *) want="" ;;
  esac

  if [ "$kind" = "compiles" ]; then
    timeout 10 "$interp" --check "$src" </dev/null >"$tmp/out" 2>"$tmp/err"
    code=$?
    if [ "$code" -eq 0 ]; then passed=$((passed + 1))
    else fail "$rel" "rejected (exit $code): $(last_line "$tmp/err" | cut -c1-100)"
    fi
  elif [ "$kind" = "rejected" ] && [ -n "$want" ]; then
    timeout 10 "$interp" --check "$src" </dev/null >"$tmp/out" 2>"$tmp/err"
    code=$?
    got=$(last_line "$tmp/err")
    if [ "$code" -eq 0 ]; then fail "$rel" "accepted; expected '$want'"
    elif [ "$got" != "$want" ]; then fail "$rel" "stderr last line '${got:0:100}' != '$want'"
    else passed=$((passed + 1))
    fi
  else
    skipped=$((skipped + 1))
  fi
done < <(find "$shared/conformance" "$shared/bench" -name '*.aio' -type f -print0 2>/dev/null | sort -z)

echo "$skipped skipped (parse but do not compile in CPython, or no expected syntax error)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
