#!/usr/bin/env python3
"""Records how CPython's REPL machinery classifies inputs: `codeop.compile_command(src,
'<stdin>', 'single')` (what `code.InteractiveConsole` and `python -m asyncio` use) returns
None for an incomplete input, a code object for a complete one, and raises SyntaxError for an
invalid one. Writes parser/tests/fixtures/interactive/cases.txt, one case a line:
`STATUS<TAB>SOURCE` with the source's backslashes and newlines escaped (`\\\\`, `\\n`).

Run: python3 tests/tools/gen_interactive_expectations.py
"""
import codeop
import pathlib

CASES = [
    "", "x = 1", "# just a comment", "x = [1,", "x = [1,\n", "x = [1,\n\n", "x = [1,\n2]",
    "f(1,\n", "f(1,\n2)", '"""abc', '"""abc\n', '"""abc\ndef"""', 's = """abc', "x = 1 + \\",
    "if x:", "if x:\n    pass", "if x:\n    pass\n", "if x:\n    pass\n    ",
    "if x:\n    pass\nelse:", "if x:\n    pass\nelse:\n    pass\n",
    "def f():\n    return 1", "def f():\n    return 1\n", "@dec", "@dec\ndef f(): pass",
    "@dec\ndef f(): pass\n", "class A:\n    def f(self):\n        pass\n",
    "for i in r: print(i)", "for i in r: print(i)\n   ", "while x:\n    x -= 1\n",
    "try:\n    pass\nexcept E:\n    pass", "try:\n    pass\nexcept E:\n    pass\n",
    "with a as b:\n    pass\n", "match x:\n    case 1:\n        pass\n",
    "async def f():\n    await g()\n", "x = {'a': 1,\n 'b': 2}", "print(1); print(2)",
    "1 +", "x = )", "x = (]", "def f(:", "if x\n", "lambda: (yield)", "\x01",
    "'abc", "x = 'abc", "1 + 1", "(1 +\n 2)",
]


def classify(src):
    try:
        code = codeop.compile_command(src, "<stdin>", "single")
    except (SyntaxError, ValueError, OverflowError):
        return "error"
    return "incomplete" if code is None else "complete"


def escape(src):
    return src.replace("\\", "\\\\").replace("\n", "\\n")


def main():
    out = pathlib.Path(__file__).resolve().parents[2] / "parser/tests/fixtures/interactive/cases.txt"
    lines = [f"{classify(src)}\t{escape(src)}" for src in CASES]
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
