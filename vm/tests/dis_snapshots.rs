//! Bytecode listings (`aio --dis`) of small programs, one per construct the compiler lowers
//! in its own way, as insta snapshots: a change in code generation shows up as a reviewed
//! diff. `cargo insta review` accepts intended changes.

fn dis(src: &str) -> String {
    let mut vm = aio_vm::Vm::new();
    let code = vm
        .compile(src, "snippet.aio", aio_vm::Mode::Exec)
        .unwrap_or_else(|e| panic!("does not compile: {e}"));
    aio_vm::compiler::dis::disassemble(&code)
}

macro_rules! dis_snapshot {
    ($name:ident, $src:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(dis($src));
        }
    };
}

dis_snapshot!(
    function_with_defaults,
    "def f(a, b=2, *args, c, d=4, **kw):\n    return a + b\nprint(f(1, c=3))\n"
);

dis_snapshot!(
    closure_cells_and_nonlocal,
    "def counter():\n    n = 0\n    def inc():\n        nonlocal n\n        n += 1\n        return n\n    return inc\n"
);

dis_snapshot!(
    class_with_super_and_property,
    "class A(B):\n    x = 1\n    def m(self):\n        return super().m() + self.x\n    @property\n    def p(self):\n        return __class__\n"
);

dis_snapshot!(
    loops_break_continue_else,
    "for i in range(10):\n    if i % 2:\n        continue\n    if i > 6:\n        break\nelse:\n    print('done')\nwhile x:\n    x -= 1\n"
);

dis_snapshot!(
    try_except_finally,
    "try:\n    f()\nexcept (ValueError, TypeError) as e:\n    print(e)\nexcept Exception:\n    raise\nelse:\n    g()\nfinally:\n    h()\n"
);

dis_snapshot!(
    return_through_finally,
    "def f():\n    for x in y:\n        try:\n            return x\n        finally:\n            print('cleanup')\n"
);

dis_snapshot!(
    with_statement,
    "with open(p) as f, lock:\n    data = f.read()\n"
);

dis_snapshot!(
    comprehensions,
    "a = [x * x for x in xs if x]\nb = {k: v for k, v in items}\nc = {x for x in xs}\nd = (x for x in xs)\n"
);

dis_snapshot!(
    generator_yield_from,
    "def gen():\n    x = yield 1\n    yield from other(x)\n    return 2\n"
);

dis_snapshot!(
    coroutine_await_async_for_with,
    "async def main():\n    await asyncio.sleep(0)\n    async for x in stream:\n        print(x)\n    async with lock:\n        pass\n"
);

dis_snapshot!(
    match_statement,
    "match p:\n    case (0, y):\n        print(y)\n    case {'k': v, **rest}:\n        print(v)\n    case Point(x=0) | None:\n        pass\n    case _:\n        pass\n"
);

dis_snapshot!(
    fstrings_and_constants,
    "name = 'x'\nprint(f'{name!r:>10} {3.5:.2f} {{}}', {1, 2, 3}, (1, 'a', None))\n"
);

dis_snapshot!(
    annotations_module_and_function,
    "x: int = 1\ny: 'later'\ndef f(a: int, *, b: str = '') -> bool:\n    z: list = []\n    return True\n"
);

dis_snapshot!(
    unpacking_and_augmented,
    "a, *b, c = seq\nx[i] += 1\nobj.attr **= 2\ndel a, x[0], obj.attr\n"
);

dis_snapshot!(
    method_calls_with_keywords,
    "obj.m(1, k=2)\nobj.m(k=1)\nobj.m(*a, k=1)\nobj.m(**kw)\nf(1, k=2)\n"
);

dis_snapshot!(
    folded_constants,
    "a = -1\nb = (-1, (2, -3.5), ())\nc = ()\nd = -1j\ne = -a\nf = (a, 1)\n"
);

dis_snapshot!(
    augmented_attribute_of_a_local,
    "def step(self, d):\n    self.x += d * 2\n    self.y += (self := d).y\n    self.z = d\n"
);
