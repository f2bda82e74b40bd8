#!/usr/bin/env python3
"""Run an .aio script with CPython the way `aio SCRIPT` runs it: a stand-in for the aio binary.

Usage:  python3 tests/tools/cpython_as_aio.py SCRIPT.aio [ARGS...]

It makes `import NAME` find NAME.aio (as well as NAME.py) on sys.path, puts the script's folder
first on sys.path, and runs the script as __main__. It exists to check the corpus tooling
itself, before the VM can run the scripts:

    AIO_SCRIPTS_BIN=tests/tools/cpython_as_aio.py cargo test -p aio --test scripts
    bash ../shared/conformance/run.sh tests/tools/cpython_as_aio.py tests/scripts/syntax

Both must pass (every expected file came from CPython 3.11). It is not how the expected files
are made: gen_script_expectations.py runs plain `python3` on copies renamed to .py.
"""

import importlib.machinery
import importlib.util
import os
import runpy
import sys


class AioFinder(importlib.machinery.PathFinder):
    """Finds NAME.aio source modules on sys.path, loading them as Python source."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if "." in fullname:
            return None
        for entry in sys.path if path is None else path:
            candidate = os.path.join(entry or ".", fullname + ".aio")
            if os.path.isfile(candidate):
                loader = importlib.machinery.SourceFileLoader(fullname, candidate)
                return importlib.util.spec_from_file_location(fullname, candidate, loader=loader)
        return None


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: cpython_as_aio.py SCRIPT [ARGS...]")
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    sys.dont_write_bytecode = True
    sys.meta_path.append(AioFinder)
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
