#!/usr/bin/env python3
"""Generate the expected stderr of tests/tracebacks/*.aio from CPython 3.11 (the oracle).

Usage (from anywhere):

    python3 tests/tools/gen_traceback_expectations.py            # (re)write every NAME.stderr
    python3 tests/tools/gen_traceback_expectations.py --check    # compare only; exit 1 on a difference
    python3 tests/tools/gen_traceback_expectations.py NAME...    # only these scripts

Each tests/tracebacks/NAME.aio is a small program that ends with an uncaught exception;
NAME.stderr is everything CPython writes to stderr for it, byte for byte except the file
names: the script runs as NAME.py in a fresh temporary folder (with the folder's mod_*.aio
helpers copied as mod_*.py), and `File "/tmp/.../NAME.py"` becomes `File "NAME.aio"`.
The Rust test `repl/tests/tracebacks.rs` runs aio on NAME.aio in tests/tracebacks, removes
that folder from its file names, and compares the whole of stderr, so the PEP 657
indicator lines (`~~^~~`, `~^^^`, `^^^^`) are checked, not only the last line.

The generator refuses a script that exits with status 0 or whose first line is not a
`# checks: ...` comment. Helper modules (mod_*.aio) are never run on their own.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from gen_script_expectations import finish

ROOT = Path(__file__).resolve().parent.parent / "tracebacks"
MODULE_PREFIX = "mod_"
TIMEOUT = 10


class ScriptError(Exception):
    """A script the generator refuses."""


def scripts(names):
    every = sorted(p for p in ROOT.glob("*.aio") if not p.name.startswith(MODULE_PREFIX))
    if not names:
        return every
    chosen = []
    for name in names:
        path = ROOT / (Path(name).stem + ".aio")
        if not path.is_file() or path.name.startswith(MODULE_PREFIX):
            raise SystemExit(f"{name}: no such script in {ROOT}")
        chosen.append(path)
    return chosen


def expected_stderr(script):
    text = script.read_text(encoding="utf-8")
    if not text.startswith("# checks: "):
        raise ScriptError("first line must be a '# checks: ...' comment")
    with tempfile.TemporaryDirectory(prefix="aio-tb-") as tmp:
        tmp = os.path.realpath(tmp)
        for helper in ROOT.glob(MODULE_PREFIX + "*.aio"):
            shutil.copyfile(helper, Path(tmp) / (helper.stem + ".py"))
        shutil.copyfile(script, Path(tmp) / (script.stem + ".py"))
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LC_ALL": "C.UTF-8",
            "PYTHONUTF8": "1",
            "PYTHONIOENCODING": "utf-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
        }
        proc = subprocess.run(
            [sys.executable, "-s", script.stem + ".py"],
            cwd=tmp,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT,
        )
        if proc.returncode == 0:
            raise ScriptError("exits with status 0 (a traceback script must fail)")
        err = proc.stderr.decode("utf-8")
        # `File "/tmp/aio-tb-x/NAME.py"` -> `File "NAME.aio"`
        err = re.sub(
            r'File "' + re.escape(tmp) + r'/([^"/]+)\.py"', r'File "\1.aio"', err
        )
        if tmp in err:
            raise ScriptError("stderr names the temporary folder outside a File line")
        return err.encode("utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    parser.add_argument("names", nargs="*", help="scripts (default: all of tests/tracebacks)")
    args = parser.parse_args()
    if sys.version_info[:2] != (3, 11):
        raise SystemExit(f"CPython 3.11 is the oracle; this is {sys.version.split()[0]}")

    errors = differences = written = 0
    chosen = scripts(args.names)
    for script in chosen:
        try:
            want = expected_stderr(script)
        except ScriptError as e:
            print(f"ERROR {script.name}: {e}")
            errors += 1
            continue
        target = script.with_suffix(".stderr")
        have = target.read_bytes() if target.exists() else None
        if want == have:
            continue
        if args.check:
            print(f"DIFF {target.name}: {'missing' if have is None else 'differs'}")
            differences += 1
        else:
            target.write_bytes(want)
            written += 1
    stale = []
    if not args.names:
        stale = [p for p in sorted(ROOT.glob("*.stderr")) if not p.with_suffix(".aio").is_file()]
    return finish(ROOT, stale, args.check, len(chosen), written, differences, errors)


if __name__ == "__main__":
    sys.exit(main())
