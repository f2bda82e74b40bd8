#!/usr/bin/env python3
"""Generate the parser fixtures' expected outputs from CPython 3.11 (the oracle).

Usage (from the repository root):

    python3 tests/tools/gen_parser_expectations.py           # (re)write the expected files
    python3 tests/tools/gen_parser_expectations.py --check   # compare only; exit 1 on a difference

Fixture directories (all under parser/tests/fixtures/):

valid/X.aio -> valid/X.pyast
    A canonical dump of ``ast.parse(source)``; the format is specified below. The script fails
    if the file does not parse, or if CPython warns while parsing it (except for the files
    listed in MAY_WARN).

invalid/X.aio -> invalid/X.expected
    Exactly two lines, from the SyntaxError raised by ``ast.parse(source, "X.aio")``:

        Kind: message        e.g. "SyntaxError: expected ':'", "TabError: inconsistent ..."
        at L:C               L = e.lineno, C = e.offset (CPython's 1-based column)

    ``Kind`` is the exception's class name (SyntaxError, IndentationError or TabError) and
    ``message`` is ``e.msg``. The script fails if the file parses.

invalid/X.aio -> invalid/X.report
    CPython's complete report on stderr when it runs X.aio as a script (``File "X.aio", line
    N``, the source line, the caret line, ``Kind: message``), the absolute path replaced by
    the file name.

compile_errors/X.aio -> compile_errors/X.expected
    The same two-line format, from ``compile(source, "X.aio", "exec", dont_inherit=True)``.
    The script fails if the file compiles, or if ``ast.parse`` already rejects it.

Every source is read as bytes and decoded as UTF-8 before it is given to CPython. Files are
processed in sorted order and written as UTF-8 with "\\n" line ends and a final newline.
Expected files whose .aio no longer exists are deleted (reported as errors by --check).

The .pyast format
-----------------

One node or value per line; a line at depth d is indented by 2*d spaces. The Module is at
depth 0.

* A node line is ``ClassName`` followed, for nodes that carry positions, by
  `` @L:C-EL:EC`` where L = lineno, C = col_offset, EL = end_lineno, EC = end_col_offset
  (lines are 1-based; columns are 0-based UTF-8 byte offsets, exactly as CPython gives them).
  Node classes with positions are those whose ``_attributes`` include ``lineno``: expr, stmt,
  excepthandler, arg, keyword, alias and pattern nodes. Module, arguments, comprehension,
  withitem and match_case have no positions and print just ``ClassName``.
* Exception: every node nested (at any depth) inside a JoinedStr is printed WITHOUT a position
  (CPython 3.11's positions there are unreliable); the JoinedStr itself keeps its position.
* After the node line come its fields, in ``_fields`` order, each on its own line at depth+1:
    - scalar: ``name: VALUE`` on one line (VALUE rendering below);
    - a node: ``name:`` then the node at depth+2;
    - a list: ``name: []`` when empty, else ``name:`` then each element at depth+2 (a node,
      or a scalar VALUE on its own line, e.g. the identifiers of Global.names or the
      ``None`` keys of Dict for ``**d``).
  The fields ``type_comment`` (any node) and ``kind`` (Constant) are never printed. Fields whose
  value is None are printed as ``name: None``.
* VALUE rendering:
    - "singleton" nodes, i.e. nodes without fields (expression contexts and operators), are
      printed as their class name on the same line: ``ctx: Load``, ``op: Add``, ``USub``,
      ``Eq`` (as Compare.ops elements), ``And``;
    - everything else scalar is Python's ``repr()``: identifiers and str constants as
      ``'x'``, bytes as ``b'..'``, ints in decimal, floats by ``repr(float)`` (``0.001``,
      ``1e-05``, ``inf``), complex by ``repr(complex)`` (``3j``, ``1.5j``), ``True``,
      ``False``, ``None``, and the Ellipsis constant as ``Ellipsis``.

Example, for ``x = -1``::

    Module
      body:
        Assign @1:0-1:6
          targets:
            Name @1:0-1:1
              id: 'x'
              ctx: Store
          value:
            UnaryOp @1:4-1:6
              op: USub
              operand:
                Constant @1:5-1:6
                  value: 1
      type_ignores: []
"""

import ast
import os
import subprocess
import sys
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "parser", "tests", "fixtures")

SKIPPED_FIELDS = {"type_comment"}

# Valid fixtures that are allowed to make CPython warn while parsing (a warning anywhere else
# fails the run): deprecated escapes such as '\\d' and '\\777' still parse in 3.11.
MAY_WARN = {"strings_deprecated_escapes.aio"}


class GenError(Exception):
    pass


def _position(node, in_fstring):
    if in_fstring or "lineno" not in node._attributes:
        return ""
    return " @%d:%d-%d:%d" % (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)


def _is_singleton(value):
    return isinstance(value, ast.AST) and not value._fields


def _scalar(value):
    if _is_singleton(value):
        return type(value).__name__
    if value is Ellipsis:
        return "Ellipsis"
    if isinstance(value, float):
        return repr(float(value))
    if isinstance(value, (str, bytes, bool, int, complex)) or value is None:
        return repr(value)
    raise GenError("unexpected scalar %r" % (value,))


def dump_node(node, depth, out, in_fstring=False):
    pad = "  " * depth
    out.append("%s%s%s" % (pad, type(node).__name__, _position(node, in_fstring)))
    inner = in_fstring or isinstance(node, ast.JoinedStr)
    fpad = "  " * (depth + 1)
    for name in node._fields:
        if name in SKIPPED_FIELDS or (isinstance(node, ast.Constant) and name == "kind"):
            continue
        value = getattr(node, name, None)
        if isinstance(value, list):
            if not value:
                out.append("%s%s: []" % (fpad, name))
                continue
            out.append("%s%s:" % (fpad, name))
            for item in value:
                if isinstance(item, ast.AST) and not _is_singleton(item):
                    dump_node(item, depth + 2, out, inner)
                else:
                    out.append("%s%s" % ("  " * (depth + 2), _scalar(item)))
        elif isinstance(value, ast.AST) and not _is_singleton(value):
            out.append("%s%s:" % (fpad, name))
            dump_node(value, depth + 2, out, inner)
        else:
            out.append("%s%s: %s" % (fpad, name, _scalar(value)))


def dump_tree(tree):
    out = []
    dump_node(tree, 0, out)
    return "\n".join(out) + "\n"


def read_source(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise GenError("%s: not UTF-8 (%s)" % (path, e))


def render_error(e):
    return "%s: %s\nat %s:%s\n" % (type(e).__name__, e.msg, e.lineno, e.offset)


def expect_valid(path, name):
    src = read_source(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            tree = ast.parse(src, name)
        except SyntaxError as e:
            raise GenError("%s: valid fixture does not parse: %s"
                           % (path, render_error(e).strip().replace("\n", " ")))
    if caught and name not in MAY_WARN:
        raise GenError("%s: valid fixture warns: %s" % (path, caught[0].message))
    return dump_tree(tree)


def expect_invalid(path, name):
    src = read_source(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(src, name)
        except SyntaxError as e:
            return render_error(e)
    raise GenError("%s: invalid fixture parses" % path)


def expect_report(path, name):
    """CPython's full report (file line, source line, caret, last line) when it runs the
    file as a script, with the script's absolute path replaced by its file name."""
    proc = subprocess.run([sys.executable, os.path.abspath(path)], capture_output=True,
                          cwd=os.path.dirname(path), stdin=subprocess.DEVNULL)
    if proc.returncode == 0:
        raise GenError("%s: invalid fixture runs" % path)
    text = proc.stderr.decode("utf-8").replace(os.path.abspath(path), name)
    return text.rstrip("\n") + "\n"


def expect_compile_error(path, name):
    src = read_source(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(src, name)
        except SyntaxError as e:
            raise GenError("%s: compile_errors fixture fails already in ast.parse: %s"
                           % (path, render_error(e).strip().replace("\n", " ")))
        try:
            compile(src, name, "exec", dont_inherit=True)
        except SyntaxError as e:
            return render_error(e)
    raise GenError("%s: compile_errors fixture compiles" % path)


KINDS = [
    ("valid", ".pyast", expect_valid),
    ("invalid", ".expected", expect_invalid),
    ("invalid", ".report", expect_report),
    ("compile_errors", ".expected", expect_compile_error),
]


def main(argv):
    check = "--check" in argv[1:]
    unknown = [a for a in argv[1:] if a != "--check"]
    if unknown:
        print("usage: %s [--check]" % argv[0], file=sys.stderr)
        return 2
    if sys.version_info[:2] != (3, 11):
        print("error: CPython 3.11 is the oracle; this is %s" % sys.version.split()[0],
              file=sys.stderr)
        return 2
    errors = []
    written = unchanged = 0
    for sub, ext, fn in KINDS:
        d = os.path.join(FIXTURES, sub)
        if not os.path.isdir(d):
            errors.append("missing directory %s" % d)
            continue
        names = sorted(os.listdir(d))
        sources = [n for n in names if n.endswith(".aio")]
        stems = {n[:-4] for n in sources}
        for n in names:
            if n.endswith(ext) and n[: -len(ext)] not in stems:
                p = os.path.join(d, n)
                if check:
                    errors.append("%s: stale expectation (no %s.aio)" % (p, n[: -len(ext)]))
                else:
                    os.remove(p)
                    print("removed stale %s" % p)
        for n in sources:
            src_path = os.path.join(d, n)
            exp_path = src_path[:-4] + ext
            try:
                text = fn(src_path, n)
            except GenError as e:
                errors.append(str(e))
                continue
            old = None
            if os.path.exists(exp_path):
                with open(exp_path, "rb") as f:
                    old = f.read().decode("utf-8", "replace")
            if old == text:
                unchanged += 1
            elif check:
                errors.append("%s: %s" % (exp_path, "missing" if old is None else "differs"))
            else:
                with open(exp_path, "w", encoding="utf-8", newline="\n") as f:
                    f.write(text)
                written += 1
    for e in errors:
        print("error: " + e, file=sys.stderr)
    if check:
        print("%d up to date, %d problems" % (unchanged, len(errors)))
    else:
        print("%d written, %d unchanged, %d problems" % (written, unchanged, len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
