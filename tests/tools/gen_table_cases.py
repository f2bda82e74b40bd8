#!/usr/bin/env python3
"""Generate vm/src/table/testdata/cases.txt from CPython 3.11 (the oracle) for the tests of
vm/src/table/ (hash values and set iteration orders).

Usage (from the repository root):

    python3 tests/tools/gen_table_cases.py           # (re)write the data file
    python3 tests/tools/gen_table_cases.py --check   # compare only; exit 1 on a difference

The script re-executes itself with PYTHONHASHSEED=0 so that str and bytes hashes, and hence
the orders of sets holding strings, are deterministic (aio's str hash is CPython's under
PYTHONHASHSEED=0). All random choices come from a fixed seed.

Format: one record per line, fields separated by single spaces. Values are tokens:

    i:<decimal>             int                 b:0 / b:1       bool
    f:<16 hex digits>       float (IEEE bits)   c:<bits>:<bits> complex (real, imaginary)
    s:<hex of UTF-8>        str                 y:<hex>         bytes
    t(<tok>,<tok>,...)      tuple               fs(<tok>,...)   frozenset (any order)

Hash records:

    hash <tok> <hash(value)>

Set programs: ``case <name>`` starts a program over variables a, b, c, d; each following
line is one step, written ``<op> <operands>`` and executed by CPython as shown:

    new a                   a = set()
    build a <toks>          a = set([...])              (items added in order)
                            (in build and fromdict, a list name L may replace the <toks>)
    frozen a <toks>         a = frozenset([...])
    literal a <toks>        a = {...}                   (a set display, compiled and run;
                            its strs are never made only of letters, digits and '_')
    fromdict a <toks>       a = set(dict.fromkeys([...]))
    fromset a b             a = set(b)
    copy a b                a = b.copy()                (b is a set)
    add a <tok>             a.add(v)
    discard a <tok>         a.discard(v)
    remove a <tok>          a.remove(v)                 (v is present)
    pop a <tok>             v == a.pop()                (the popped value is recorded)
    clear a                 a.clear()
    update a b              a.update(b)
    extend a <toks>         a.update([...])
    or|and|sub|xor c a b    c = a | b, a & b, a - b, a ^ b
    ior|iand|isub|ixor a b  a |= b, a &= b, a -= b, a ^= b      (a is a set)
    items L <toks>          L = [...]                   (a list, for the *_iter steps)
    inter_iter c a L        c = a.intersection(L)
    iand_iter a L           a.intersection_update(L)
    diff_iter c a L         c = a.difference(L)
    isub_iter a L           a.difference_update(L)
    xor_iter c a L          c = a.symmetric_difference(L)
    ixor_iter a L           a.symmetric_difference_update(L)
    expect a <slots> <toks> list(a) is <toks>; a's table has <slots> slots (from __sizeof__)
                            A list longer than 24 is written as #<count>:<hex>, the FNV-1a-64
                            hash of its tokens joined by single spaces (in ASCII).
    fhash a <int>           hash(frozenset(a))
"""

import dis
import os
import random
import struct
import sys

OUT = os.path.join("vm", "src", "table", "testdata", "cases.txt")
P = 2**61 - 1
SEED = 311
LIST_LIMIT = 24  # longer expected lists are written as digests


def reexec_with_fixed_hash_seed():
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    assert sys.flags.hash_randomization == 0


def bits(x):
    return "%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]


def tok(v):
    t = type(v)
    if t is bool:
        return "b:%d" % v
    if t is int:
        return "i:%d" % v
    if t is float:
        return "f:" + bits(v)
    if t is complex:
        return "c:%s:%s" % (bits(v.real), bits(v.imag))
    if t is str:
        return "s:" + v.encode("utf-8").hex()
    if t is bytes:
        return "y:" + v.hex()
    if t is tuple:
        return "t(" + ",".join(map(tok, v)) + ")"
    if t is frozenset:
        return "fs(" + ",".join(map(tok, v)) + ")"
    raise TypeError(t)


def toks(values):
    return " ".join(map(tok, values))


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def digest(values):
    """Stands for a long expected list: #<count>:<FNV-1a-64 of the space-joined tokens>."""
    return "#%d:%016x" % (len(values), fnv1a64(toks(values).encode("ascii")))


def slots(s):
    size = s.__sizeof__()
    return 8 if size == 200 else (size - 200) // 16


# ---------------------------------------------------------------------------------------
# Hash records


def hash_values(rng):
    ints = list(range(-300, 301))
    for k in range(1, 200):
        for d in (-1, 0, 1):
            ints += [2**k + d, -(2**k) - d]
    for k in range(0, 12):
        ints += [10**k, -(10**k), 10 ** (k * 7) + 3]
    for m in (1, 2, 3, 7, 2**40, 2**70):
        for r in (-2, -1, 0, 1, 2, 12345):
            ints += [m * P + r, -(m * P + r)]
    ints += [P - 1, P, P + 1, 2**63 - 1, -(2**63), 2**64 - 1, 2**64, -(2**64)]
    for nbits in (8, 31, 32, 33, 60, 61, 62, 63, 64, 65, 100, 127, 128, 129, 300, 1000):
        for _ in range(6):
            v = rng.getrandbits(nbits)
            ints += [v, -v]

    floats = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, 0.1, -0.1, 1e100, -1e-100]
    floats += [float("inf"), float("-inf"), 5e-324, -5e-324, 2.2250738585072014e-308]
    floats += [1.7976931348623157e308, -1.7976931348623157e308, 2.0**61, 2.0**62, 2.0**63]
    floats += [2.0**k for k in range(-1074, 1024, 7)] + [-(2.0**k) for k in range(-1074, 1024, 13)]
    floats += [float(v) for v in ints[::7]]
    for _ in range(400):
        x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if x == x:
            floats.append(x)
    for _ in range(100):
        floats.append(rng.uniform(-1000, 1000))
        floats.append(struct.unpack("<d", struct.pack("<Q", rng.getrandbits(52)))[0])

    complexes = [complex(r, i) for r in (0.0, -0.0, 1.0, -1.0, 2.5, 1e300) for i in (0.0, 1.0, -1.0, 3.25)]
    complexes += [complex(float("inf"), 1.0), complex(1.0, float("-inf"))]
    complexes += [complex(rng.uniform(-9, 9), rng.uniform(-9, 9)) for _ in range(30)]

    strs = ["", "a", "ab", "abc", "hello world", "x" * 7, "y" * 8, "z" * 9, "é", "ÿ" * 10]
    strs += ["€", "日本語", "😀", "a😀b", "aé€😀", "\x00", "\x7f\x80", "\u0100", "\uffff", "\U0010ffff"]
    alphabet = "abcXYZ019_ \x00é\xa0ÿĀ€ꙮ\uffff😀\U0010ffff"
    for n in range(0, 40):
        for _ in range(3):
            strs.append("".join(rng.choice(alphabet) for _ in range(n)))
    strs += ["".join(rng.choice("abcdefgh") for _ in range(n)) for n in range(1, 100, 3)]
    bytess = [b"", b"\x00", b"abc"] + [rng.randbytes(n) for n in range(0, 40)]

    tuples = [(), (1,), (1, 2), (2, 1), (-1,), (-2,), ((),), ((), ()), (1, (2, (3, (4,)))), (0.5, 2.0, 2)]
    tuples += [(True, False), ("a", b"a", 1.5, 2 + 3j), (P, -P, 2**100)]
    for _ in range(60):
        n = rng.randrange(0, 6)
        tuples.append(tuple(rng.choice(ints) for _ in range(n)))
    for _ in range(30):
        tuples.append(tuple(rng.choice([rng.choice(ints), rng.choice(floats), rng.choice(strs), tuple(rng.sample(ints, 2))]) for _ in range(rng.randrange(1, 5))))

    fsets = [frozenset(), frozenset([1]), frozenset([1, 2]), frozenset([-1]), frozenset([frozenset()])]
    fsets += [frozenset(range(n)) for n in (5, 50, 500)]
    for _ in range(40):
        n = rng.randrange(0, 20)
        fsets.append(frozenset(rng.choice(ints + strs[:50] + tuples[:20]) for _ in range(n)))
    fsets += [frozenset([frozenset([1, 2]), (3, 4), "x"]), (frozenset([1]), frozenset([2]))]

    return ints + floats + complexes + [True, False] + strs + bytess + tuples + fsets


def hash_records(rng, out):
    for v in hash_values(rng):
        out.append("hash %s %d" % (tok(v), hash(v)))


# ---------------------------------------------------------------------------------------
# Set programs


class Program:
    def __init__(self, out, name):
        self.out = out
        self.env = {}
        self.lists = {}
        out.append("case " + name)

    def line(self, *parts):
        self.out.append(" ".join(part for part in parts if part))

    def is_set(self, name):
        return type(self.env.get(name)) is set

    def expect(self, name):
        s = self.env[name]
        if len(s) <= LIST_LIMIT:
            self.line("expect", name, str(slots(s)), toks(s))
        else:
            self.line("expect", name, str(slots(s)), digest(s))

    def new(self, a):
        self.env[a] = set()
        self.line("new", a)

    def operand(self, items):
        """(values, field): a list variable's name stands for its values."""
        if isinstance(items, str):
            return self.lists[items], items
        return items, toks(items)

    def build(self, a, items):
        items, field = self.operand(items)
        self.env[a] = set(items)
        self.line("build", a, field)

    def frozen(self, a, items):
        self.env[a] = frozenset(items)
        self.line("frozen", a, toks(items))

    def literal(self, a, items):
        # CPython interns the str constants made only of ASCII letters, digits and '_' when it
        # creates the code object, and rebuilds a frozenset constant holding one that was
        # already interned elsewhere (intern_string_constants): that depends on the whole
        # process's history, so such strings get a '-' appended here.
        items = [v + "-" if type(v) is str and is_name_like(v) else v for v in items]
        assert items
        code = compile("{" + ", ".join(map(repr, items)) + "}", "<literal>", "eval")
        ops = [ins.opname for ins in dis.get_instructions(code)]
        if len(items) >= 3:  # a constant frozenset, then SET_UPDATE
            assert ops == ["RESUME", "BUILD_SET", "LOAD_CONST", "SET_UPDATE", "RETURN_VALUE"], ops
        else:
            assert ops == ["RESUME"] + ["LOAD_CONST"] * len(items) + ["BUILD_SET", "RETURN_VALUE"], ops
        self.env[a] = eval(code)
        self.line("literal", a, toks(items))

    def fromdict(self, a, items):
        items, field = self.operand(items)
        self.env[a] = set(dict.fromkeys(items))
        self.line("fromdict", a, field)

    def fromset(self, a, b):
        self.env[a] = set(self.env[b])
        self.line("fromset", a, b)

    def copy(self, a, b):
        assert self.is_set(b)
        self.env[a] = self.env[b].copy()
        self.line("copy", a, b)

    def add(self, a, v):
        self.env[a].add(v)
        self.line("add", a, tok(v))

    def discard(self, a, v):
        self.env[a].discard(v)
        self.line("discard", a, tok(v))

    def remove(self, a, v):
        self.env[a].remove(v)
        self.line("remove", a, tok(v))

    def pop(self, a):
        v = self.env[a].pop()
        self.line("pop", a, tok(v))

    def clear(self, a):
        self.env[a].clear()
        self.line("clear", a)

    def update(self, a, b):
        self.env[a].update(self.env[b])
        self.line("update", a, b)

    def extend(self, a, items):
        self.env[a].update(items)
        self.line("extend", a, toks(items))

    def binop(self, op, c, a, b):
        x, y = self.env[a], self.env[b]
        self.env[c] = {"or": x.__or__, "and": x.__and__, "sub": x.__sub__, "xor": x.__xor__}[op](y)
        self.line(op, c, a, b)

    def inplace(self, op, a, b):
        assert self.is_set(a)
        x, y = self.env[a], self.env[b]
        r = {"ior": x.__ior__, "iand": x.__iand__, "isub": x.__isub__, "ixor": x.__ixor__}[op](y)
        assert r is x
        self.line(op, a, b)

    def items(self, name, items):
        self.lists[name] = list(items)
        self.line("items", name, toks(items))

    def iterop(self, op, a, name, c=None):
        x = self.env[a]
        items = self.lists[name]
        method = {
            "inter_iter": "intersection",
            "iand_iter": "intersection_update",
            "diff_iter": "difference",
            "isub_iter": "difference_update",
            "xor_iter": "symmetric_difference",
            "ixor_iter": "symmetric_difference_update",
        }[op]
        r = getattr(x, method)(list(items))
        if c is None:
            assert r is None and self.is_set(a)
            self.line(op, a, name)
        else:
            self.env[c] = r
            self.line(op, c, a, name)

    def fhash(self, a):
        self.line("fhash", a, str(hash(frozenset(self.env[a]))))


def is_name_like(s):
    return s.isascii() and all(ch.isalnum() or ch == "_" for ch in s)


def random_string(rng):
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyzé€😀") for _ in range(rng.randrange(0, 6)))


def key_pool(rng, kind, n):
    """n distinct-ish candidate keys of one flavour."""
    n = max(n, 1)
    if kind == "small":
        return list(range(n))
    if kind == "sparse":
        return rng.sample(range(-4 * n - 8, 4 * n + 8), n)
    if kind.startswith("mult"):
        step = int(kind[4:])
        return [k * step for k in range(n)]
    if kind == "neg":
        return [-k for k in range(n)]
    if kind == "big":
        return [rng.choice([-1, 1]) * rng.getrandbits(rng.choice([40, 63, 64, 65, 90])) for _ in range(n)]
    if kind == "modp":  # equal hashes, unequal values: exercises eq
        return [rng.randrange(-3, 4) * P + rng.randrange(0, 16) for _ in range(n)]
    if kind == "tuple":
        return [tuple(rng.randrange(-3, 5) for _ in range(rng.randrange(0, 3))) for _ in range(n)]
    if kind == "str":
        return [random_string(rng) for _ in range(n)]
    if kind == "mixed":
        return [k for kind2 in ("small", "mult32", "big", "modp", "tuple", "str") for k in key_pool(rng, kind2, n // 6 + 1)]
    raise ValueError(kind)


POOLS = ["small", "sparse", "mult8", "mult32", "mult1024", "mult4294967296", "neg", "big", "modp", "tuple", "str", "mixed"]


def sample(rng, pool, n):
    """n items drawn from pool (repeats allowed when the pool is small), shuffled."""
    if n <= len(pool) and rng.random() < 0.7:
        return rng.sample(pool, n)
    return [rng.choice(pool) for _ in range(n)]


def family_build(rng, out):
    sizes = list(range(0, 41)) + [50, 64, 100, 128, 200, 256, 500, 1000, 1500, 2000]
    for n in sizes:
        if n <= 40:
            pools = POOLS
        elif n <= 256:
            pools = ["small", "sparse", "mult32", "modp", "tuple", "mixed"]
        else:
            pools = ["small", "sparse", "mult8", "neg"]
        for kind in pools:
            pool = key_pool(rng, kind, 2 * n if kind != "small" else n)
            items = sample(rng, pool, n)
            p = Program(out, "build-%s-%d" % (kind, n))
            p.items("L", items)
            p.build("a", "L")
            p.expect("a")
            if n <= 100:
                p.fromdict("b", "L")
                p.expect("b")
                p.fromset("c", "a")
                p.expect("c")


def family_add(rng, out):
    for kind in POOLS:
        for n in (10, 30, 100, 300):
            pool = key_pool(rng, kind, n)
            p = Program(out, "add-%s-%d" % (kind, n))
            p.new("a")
            for i, v in enumerate(sample(rng, pool, n)):
                before = slots(p.env["a"])
                p.add("a", v)
                if i < 6 or slots(p.env["a"]) != before:  # around each resize
                    p.expect("a")
            p.expect("a")


def family_churn(rng, out):
    for case in range(100):
        kind = rng.choice(POOLS)
        n = rng.choice([4, 8, 12, 20, 40, 100, 150])
        pool = key_pool(rng, kind, n)
        p = Program(out, "churn-%d-%s-%d" % (case, kind, n))
        if rng.random() < 0.5:
            p.new("a")
        else:
            p.build("a", sample(rng, pool, rng.randrange(0, n + 1)))
        steps = rng.choice([20, 60, 120, 250])
        every = max(1, steps // 12)
        for i in range(steps):
            r = rng.random()
            v = rng.choice(pool)
            s = p.env["a"]
            if r < 0.45:
                p.add("a", v)
            elif r < 0.8:
                p.discard("a", v)
            elif r < 0.9 and v in s:
                p.remove("a", v)
            elif r < 0.97 and s:
                p.pop("a")
            elif r < 0.98:
                p.clear("a")
            else:
                p.copy("a", "a")
            if i % every == 0:
                p.expect("a")
        p.expect("a")


def family_pop(rng, out):
    for case in range(60):
        kind = rng.choice(POOLS)
        n = rng.choice([3, 8, 20, 60, 200])
        pool = key_pool(rng, kind, 2 * n)
        p = Program(out, "pop-%d-%s-%d" % (case, kind, n))
        p.build("a", sample(rng, pool, n))
        for _ in range(rng.randrange(1, 4)):
            for _ in range(rng.randrange(0, n + 1)):
                if p.env["a"]:
                    p.pop("a")
            for v in sample(rng, pool, rng.randrange(0, n)):
                p.add("a", v)
            p.expect("a")
            if rng.random() < 0.3:
                p.clear("a")
                p.extend("a", sample(rng, pool, rng.randrange(0, n)))
        while p.env["a"]:
            p.pop("a")
        p.expect("a")


SIZE_PAIRS = [(0, 0), (0, 5), (5, 0), (1, 1), (3, 3), (3, 40), (40, 3), (8, 100), (100, 8), (10, 100), (100, 10),
              (20, 81), (81, 20), (2, 20), (50, 50), (200, 7), (7, 200), (300, 1000), (1000, 300), (30, 31)]


def make_operand(rng, p, name, pool, n):
    items = sample(rng, pool, n)
    r = rng.random()
    if r < 0.5 or not items:
        p.build(name, items)
    elif r < 0.7 or n > 100:
        p.frozen(name, items)
    elif r < 0.9 and len(items) <= 60:
        p.literal(name, items)
    else:
        p.new(name)
        for v in items:
            p.add(name, v)
        for v in rng.sample(items, len(items) // 3):
            p.discard(name, v)  # leave dummies behind


def family_binops(rng, out):
    case = 0
    for na, nb in SIZE_PAIRS:
        for _ in range(6 if max(na, nb) <= 100 else 2):
            kind = rng.choice(POOLS)
            pool = key_pool(rng, kind, max(na, nb) + 5)
            p = Program(out, "binop-%d-%s-%d-%d" % (case, kind, na, nb))
            case += 1
            make_operand(rng, p, "a", pool, na)
            make_operand(rng, p, "b", pool, nb)
            for op in ("or", "and", "sub", "xor"):
                p.binop(op, "c", "a", "b")
                p.expect("c")
                p.binop(op, "c", "b", "a")
                p.expect("c")
            if rng.random() < 0.3:
                for op in ("or", "and", "sub", "xor"):
                    p.binop(op, "c", "a", "a")
                    p.expect("c")
            for op in ("ior", "iand", "isub", "ixor"):
                p.fromset("d", "a")
                if rng.random() < 0.5:
                    p.discard("d", rng.choice(pool))
                p.inplace(op, "d", "b" if rng.random() < 0.85 else "d")
                p.expect("d")
            items = sample(rng, pool, rng.choice([0, 1, 5, min(nb, 100), min(3 * nb, 300)]))
            p.items("L", items)
            for op in ("inter_iter", "diff_iter", "xor_iter"):
                p.iterop(op, "a", "L", c="c")
                p.expect("c")
            for op in ("iand_iter", "isub_iter", "ixor_iter"):
                p.fromset("d", "a")
                p.iterop(op, "d", "L")
                p.expect("d")
            p.fromset("d", "a")
            p.update("d", "b")
            p.expect("d")
            p.extend("d", items)
            p.expect("d")
            p.fromset("d", "a")
            p.iterop("isub_iter", "d", "L")
            p.expect("d")


def family_literal(rng, out):
    for case in range(150):
        kind = rng.choice(POOLS)
        n = rng.choice([1, 2, 3, 4, 5, 6, 8, 11, 16, 23, 40, 90])
        pool = key_pool(rng, kind, n)
        p = Program(out, "literal-%d-%s-%d" % (case, kind, n))
        p.literal("a", sample(rng, pool, n))
        p.expect("a")
        p.add("a", rng.choice(pool))
        p.expect("a")


def family_frozen(rng, out):
    for case in range(40):
        kind = rng.choice(POOLS)
        n = rng.choice([0, 1, 5, 17, 100])
        pool = key_pool(rng, kind, n + 1)
        p = Program(out, "frozen-%d-%s-%d" % (case, kind, n))
        p.frozen("a", sample(rng, pool, n))
        p.expect("a")
        p.fhash("a")
        p.build("b", sample(rng, pool, n))
        p.fhash("b")
        p.fromset("c", "a")
        p.expect("c")


def generate():
    rng = random.Random(SEED)
    out = [
        "# Generated by tests/tools/gen_table_cases.py from CPython %s (PYTHONHASHSEED=0); do not edit."
        % sys.version.split()[0]
    ]
    hash_records(rng, out)
    for family in (family_build, family_add, family_churn, family_pop, family_binops, family_literal, family_frozen):
        family(rng, out)
    return "\n".join(out) + "\n"


def main(argv):
    check = "--check" in argv[1:]
    unknown = [a for a in argv[1:] if a != "--check"]
    if unknown:
        print("usage: %s [--check]" % argv[0], file=sys.stderr)
        return 2
    if sys.version_info[:2] != (3, 11):
        print("CPython 3.11 is required (found %s)" % sys.version.split()[0], file=sys.stderr)
        return 2
    reexec_with_fixed_hash_seed()
    text = generate()
    cases = text.count("\ncase ")
    hashes = text.count("\nhash ")
    if check:
        try:
            with open(OUT, encoding="utf-8") as f:
                old = f.read()
        except FileNotFoundError:
            old = None
        if old != text:
            print("%s is out of date; rerun %s" % (OUT, argv[0]), file=sys.stderr)
            return 1
        print("%s is up to date (%d hash records, %d set programs)" % (OUT, hashes, cases))
        return 0
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print("wrote %s (%d hash records, %d set programs, %d bytes)" % (OUT, hashes, cases, len(text)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
