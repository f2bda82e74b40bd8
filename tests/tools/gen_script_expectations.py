#!/usr/bin/env python3
"""Generate the script corpus's expected outputs from CPython 3.11 (the oracle).

Usage (from anywhere; paths are relative to the current directory):

    python3 tests/tools/gen_script_expectations.py                 # (re)write every expected file
    python3 tests/tools/gen_script_expectations.py --check         # compare only; exit 1 on a difference
    python3 tests/tools/gen_script_expectations.py PATH...         # only these scripts or folders
    python3 tests/tools/gen_script_expectations.py --check PATH...

Layout (the same as ../shared/conformance/public): for every tests/scripts/**/NAME.aio

    NAME.out    stdout, byte for byte
    NAME.code   the exit status followed by a newline; only when it is not 0
    NAME.err    the last non-empty line of stderr followed by a newline; only when the exit
                status is not 0 (the file is empty when stderr had no non-empty line, which
                then asserts that stderr is blank)

Helper modules are named mod_*.aio. They are never run on their own; scripts beside them
import them (`import mod_helper`). CPython imports only .py files, so every script runs in a
fresh temporary folder holding a copy of the script (as NAME.aio) and a copy of each mod_*.aio
of the script's folder renamed to mod_*.py. The temporary folder is the working directory and
sys.path[0]; stdin is /dev/null; the limit is 10 s.

Only the last stderr line is kept, so the script's path (which tracebacks show) never matters;
the generator refuses a last line that mentions the temporary folder.

Every script is run twice, with different PYTHONHASHSEED values, and the two runs must agree:
this catches output that depends on str/bytes hashing (e.g. the order of a set of strings).
A few lints catch other non-deterministic or off-brief scripts: the first line must be a
`# checks: ...` comment; a script has 20 to 80 lines; it imports nothing but `sys`, mod_*
helpers and names that are no module at all (to test ModuleNotFoundError) -- scripts in
`stdlib/` may also import the standard-library modules under test (STDLIB_MODULES); its stdout shows
no object addresses (` at 0x...`); and a run that exits with status 0 writes nothing to
stderr (this catches SyntaxWarnings and "Exception ignored" reports).
"""

import argparse
import ast
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "scripts"
MODULE_PREFIX = "mod_"
TIMEOUT = 10
HASH_SEEDS = ("0", "4242")
MIN_LINES, MAX_LINES = 20, 80
ALLOWED_IMPORTS = {"sys"}
# Modules a category folder may import besides ALLOWED_IMPORTS: the modules it tests.
STDLIB_MODULES = {
    "abc", "bisect", "collections", "contextlib", "copy", "functools", "heapq", "itertools",
    "math", "operator", "random", "string", "textwrap", "time", "types", "typing",
    "array", "dataclasses", "enum", "json", "re", "struct",
    "fnmatch", "fractions", "importlib", "glob", "io", "_io", "os", "pathlib", "reprlib", "shutil", "statistics", "tempfile",
    "gc", "builtins", "warnings", "traceback", "atexit", "concurrent", "contextvars", "weakref",
    "datetime", "decimal",
    "binascii", "base64", "hashlib", "hmac", "csv", "argparse", "logging",
    "pprint", "difflib", "unittest", "inspect",
    "pickle", "copyreg", "asyncio",
    "keyword", "numbers", "shlex", "getopt", "optparse", "calendar", "graphlib", "colorsys",
    "html", "urllib", "linecache", "timeit", "token", "tokenize",
    "threading", "queue", "_thread", "cmath",
    "zlib", "gzip", "errno", "stat", "codecs", "subprocess", "signal", "encodings", "quopri",
    "ipaddress", "tomllib", "configparser", "sched", "secrets", "uuid", "fileinput", "filecmp", "unicodedata",
    "zipfile", "tarfile", "platform", "locale", "gettext", "_markupbase", "mimetypes", "getpass",
    "socket", "select", "selectors",
    "email", "http", "socketserver", "smtplib", "netrc", "cmd", "code", "codeop", "genericpath",
    "mailbox", "wave", "imghdr", "xdrlib", "ast", "shelve", "dbm", "pwd", "grp", "uu", "resource", "fcntl", "hashlib",
    "posixpath", "this", "__future__", "xml", "pyexpat", "plistlib", "xmlrpc", "ftplib", "poplib", "imaplib",
}
CATEGORY_IMPORTS = {"asyncio": {"asyncio", "time", "concurrent", "contextvars", "functools", "gc", "io", "decimal", "threading", "warnings", "weakref"}, "stdlib": STDLIB_MODULES}
# A script may name another CPython as its oracle in its first lines, with the reason:
#   # oracle: python3.10 (the slides pass bare coroutines to asyncio.wait, which 3.11 forbids)
# It is run with DeprecationWarnings silenced. Use it only for aio's documented differences.
ORACLE_RE = re.compile(r"^# oracle: (python3\.\d+) \(.+\)$", re.M)
ADDRESS_RE = re.compile(rb" at 0x[0-9a-fA-F]+")


class ScriptError(Exception):
    """A script the generator refuses (it cannot produce trustworthy expectations)."""


def is_module(path):
    return path.name.startswith(MODULE_PREFIX)


def collect(paths):
    """The scripts to process: all of them, or those named or under the folders named."""
    if not paths:
        return sorted(p for p in ROOT.rglob("*.aio") if not is_module(p))
    found = set()
    for raw in paths:
        path = Path(raw).resolve()
        if path.is_dir():
            found.update(p for p in path.rglob("*.aio") if not is_module(p))
        elif path.suffix == ".aio" and path.is_file():
            if is_module(path):
                raise SystemExit(f"{raw}: a helper module (mod_*.aio) is not a script")
            found.add(path)
        elif path.with_suffix(".aio").is_file():  # e.g. NAME.out given
            found.add(path.with_suffix(".aio"))
        else:
            raise SystemExit(f"{raw}: no such script or folder")
    for path in found:
        try:
            path.relative_to(ROOT)
        except ValueError:
            raise SystemExit(f"{path}: not under {ROOT}")
    return sorted(found)


def lint(script):
    text = script.read_text(encoding="utf-8")
    lines = text.splitlines()
    problems = []
    if not lines or not lines[0].startswith("# checks: "):
        problems.append("first line must be a '# checks: ...' comment")
    if not MIN_LINES <= len(lines) <= MAX_LINES:
        problems.append(f"{len(lines)} lines (want {MIN_LINES} to {MAX_LINES})")
    try:
        tree = ast.parse(text, str(script))
    except SyntaxError as e:
        tree = None
        problems.append(f"does not parse: {e}")
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.Import):
            tops = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            tops = [node.module.split(".")[0]]
        else:
            continue
        for top in tops:
            allowed = ALLOWED_IMPORTS | CATEGORY_IMPORTS.get(script.parent.name, set())
            if top in allowed or top.startswith(MODULE_PREFIX):
                continue
            if importlib.util.find_spec(top) is not None:
                problems.append(f"line {node.lineno}: imports {top!r} (only sys and mod_* helpers)")
    if problems:
        raise ScriptError("; ".join(problems))


def last_non_empty_line(data):
    text = data.decode("utf-8", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def oracle_path(name):
    """The interpreter binary for `name` (`python3.10`): a pyenv-installed version if there
    is one (its shims need pyenv's own environment), else the one on PATH."""
    try:
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip()
    except FileNotFoundError:
        root = ""
    version = name.removeprefix("python")
    candidates = sorted(Path(root).glob(f"versions/{version}.*/bin/{name}")) if root else []
    found = str(candidates[-1]) if candidates else shutil.which(name)
    if not found:
        raise ScriptError(f"oracle {name} is not installed")
    return found


def run_once(script, seed):
    with tempfile.TemporaryDirectory(prefix="aio-gen-") as tmp:
        for sibling in script.parent.glob(MODULE_PREFIX + "*.aio"):
            shutil.copyfile(sibling, Path(tmp) / (sibling.stem + ".py"))
        shutil.copyfile(script, Path(tmp) / script.name)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LC_ALL": "C.UTF-8",
            "PYTHONUTF8": "1",
            "PYTHONIOENCODING": "utf-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": seed,
        }
        oracle = ORACLE_RE.search("\n".join(script.read_text(encoding="utf-8").splitlines()[:3]))
        command = [sys.executable, "-s", script.name]
        if oracle:
            command = [oracle_path(oracle.group(1)), "-W", "ignore::DeprecationWarning", "-s", script.name]
        try:
            proc = subprocess.run(
                command,
                cwd=tmp,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            raise ScriptError(f"timed out after {TIMEOUT} s")
        err = last_non_empty_line(proc.stderr)
        if proc.returncode == 0 and proc.stderr.strip():
            raise ScriptError(f"exit status 0 but stderr is not empty (a warning?): {err!r}")
        if tmp in err or os.path.realpath(tmp) in err:
            raise ScriptError(f"last stderr line names the temporary folder: {err!r}")
        if proc.returncode < 0:
            raise ScriptError(f"killed by signal {-proc.returncode}")
        return proc.stdout, proc.returncode, err


def expectations(script):
    """{extension: bytes} of the expected files for `script`, from CPython."""
    lint(script)
    runs = [run_once(script, seed) for seed in HASH_SEEDS]
    if runs[0] != runs[1]:
        raise ScriptError("output depends on PYTHONHASHSEED (str/bytes hashing): not deterministic")
    stdout, code, err = runs[0]
    if ADDRESS_RE.search(stdout):
        raise ScriptError("stdout shows an object address (' at 0x...')")
    files = {"out": stdout}
    if code != 0:
        files["code"] = f"{code}\n".encode()
        files["err"] = (err + "\n").encode() if err else b""
    return files


def stale_expected_files():
    """Expected files whose script no longer exists."""
    stale = []
    for ext in ("out", "code", "err"):
        for path in ROOT.rglob(f"*.{ext}"):
            if not path.with_suffix(".aio").is_file():
                stale.append(path)
    return sorted(stale)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")
    parser.add_argument("paths", nargs="*", help="scripts or folders (default: all of tests/scripts)")
    args = parser.parse_args()

    if sys.version_info[:2] != (3, 11):
        raise SystemExit(f"CPython 3.11 is the oracle; this is {sys.version.split()[0]}")

    scripts = collect(args.paths)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda s: (s, _safe(expectations, s)), scripts))

    errors = differences = written = 0
    for script, result in results:
        rel = script.relative_to(ROOT)
        if isinstance(result, ScriptError):
            print(f"ERROR {rel}: {result}")
            errors += 1
            continue
        for ext in ("out", "code", "err"):
            target = script.with_suffix("." + ext)
            want = result.get(ext)
            have = target.read_bytes() if target.exists() else None
            if want == have:
                continue
            if args.check:
                what = "missing" if have is None else "stale" if want is None else "differs"
                print(f"DIFF {rel.with_suffix('.' + ext)}: {what}")
                differences += 1
            elif want is None:
                target.unlink()
            else:
                target.write_bytes(want)
                written += 1

    stale = [] if args.paths else stale_expected_files()
    return finish(ROOT, stale, args.check, len(scripts), written, differences, errors)


def finish(root, stale, check, scripts, written, differences, errors):
    """Removes (or, with `check`, reports) expected files whose script is gone, prints the
    summary line and returns the exit status. Shared by the other generators."""
    for path in stale:
        rel = path.relative_to(root)
        if check:
            print(f"DIFF {rel}: no script")
            differences += 1
        else:
            path.unlink()
            print(f"removed {rel}")
    verb = "differ" if check else "written"
    count = differences if check else written
    print(f"{scripts} scripts, {count} files {verb}, {errors} errors")
    return 1 if errors or differences else 0


def _safe(fn, script):
    try:
        return fn(script)
    except ScriptError as e:
        return e


if __name__ == "__main__":
    sys.exit(main())
