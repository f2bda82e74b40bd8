#!/usr/bin/env python3
"""Generate the expected stderr of repl/tests/fixtures/stderr/*.aio from CPython 3.11.

Usage: python3 tests/tools/gen_stderr_fixtures.py [--check]

Each NAME.aio runs as NAME.py in a fresh temporary folder under `python3`; its stderr,
normalized, is written to NAME.stderr. The Rust test `repl/tests/diagnostics.rs` applies
the same normalization to aio's stderr and compares. Normalization removes what differs
between the two implementations by construction, never a message:

* the script's folder (`File "/tmp/x/NAME.py"` -> `File "NAME.aio"`);
* asyncio's own frames keep the module and function but not the line number, which
  depends on the library source (`File ".../asyncio/base_events.py", line 653` ->
  `File "asyncio/events", line ?`; aio's loop lives in `asyncio/events.aio`);
* so do warnings shown at asyncio's lines (`.../asyncio/events.py:80: RuntimeWarning`
  -> `asyncio/events:?: RuntimeWarning`);
* addresses (`at 0x7f..` -> `at 0x?`), durations (`took 0.150 seconds` -> `took ?
  seconds`) and debug mode's creation sites (`created at X:N` -> `created at ?`: CPython
  shows a line inside asyncio, aio the user's line).
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

DIR = Path(__file__).resolve().parent.parent.parent / "repl" / "tests" / "fixtures" / "stderr"


def normalize(text, folder, ext):
    out = []
    for line in text.splitlines():
        line = line.replace(folder.rstrip("/") + "/", "")
        line = re.sub(r'File "[^"]*/asyncio/(base_)?(\w+)\.py", line \d+', r'File "asyncio/\2", line ?', line)
        line = re.sub(r'^[^ ]*/asyncio/(base_)?(\w+)\.py:\d+: ', r"asyncio/\2:?: ", line)
        line = re.sub(r"(\w+)\." + ext + r'\b', r"\1.aio", line)
        line = re.sub(r" at 0x[0-9a-f]+", " at 0x?", line)
        line = re.sub(r"took \d+\.\d+ seconds", "took ? seconds", line)
        line = re.sub(r"created at [^ >]+", "created at ?", line)
        out.append(line)
    return "\n".join(out) + "\n"


def main():
    check = "--check" in sys.argv
    bad = 0
    for script in sorted(DIR.glob("*.aio")):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = os.path.realpath(tmp)
            target = Path(tmp) / (script.stem + ".py")
            target.write_text(script.read_text())
            env = dict(os.environ, PYTHONHASHSEED="0", PYTHONUNBUFFERED="1")
            run = subprocess.run([sys.executable, target.name], cwd=tmp, capture_output=True, text=True, timeout=30, env=env)
            want = normalize(run.stderr, tmp, "py")
        path = script.with_suffix(".stderr")
        if check:
            if not path.exists() or path.read_text() != want:
                print(f"DIFFERS {path.name}")
                bad += 1
        else:
            path.write_text(want)
    print(f"{len(list(DIR.glob('*.aio')))} scripts, {bad} differences" if check else "written")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
