//! `operator`: CPython's `_operator` C module in Rust. Every function dispatches through
//! the VM's own operator machinery ([`Vm::binary_op`], [`Vm::inplace_op`],
//! [`Vm::unary_op`], [`Vm::compare`], [`Vm::getitem`], ...), so `operator.add(a, b)` is
//! exactly `a + b` (reflected operands, `NotImplemented`, messages) without running a
//! script frame; the functions report `__module__ == '_operator'` and the argument errors
//! of the C module. The sequence helpers are in `sequence.rs`, the `itemgetter`,
//! `attrgetter` and `methodcaller` types in `getters.rs`; `operator.py`'s dunder aliases
//! (`__add__ = add`) and `__all__` are set here.

mod getters;
mod sequence;

use aio_vm::code::{BinOp, CmpOp, UnaryOp};
use aio_vm::module::ModuleBuilder;
use aio_vm::native::{Args, NativeFn, NativeImpl};
use aio_vm::object::Payload;
use aio_vm::ops::cmp_ord;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::sync::OnceLock;

/// The functions, as `_operator` defines them.
const FUNCTIONS: &[(&str, NativeFn)] = &[
    ("abs", abs),
    ("add", add),
    ("and_", and_),
    ("call", call),
    ("concat", sequence::concat),
    ("contains", sequence::contains),
    ("countOf", sequence::count_of),
    ("delitem", sequence::delitem),
    ("eq", eq),
    ("floordiv", floordiv),
    ("ge", ge),
    ("getitem", sequence::getitem),
    ("gt", gt),
    ("iadd", iadd),
    ("iand", iand),
    ("iconcat", sequence::iconcat),
    ("ifloordiv", ifloordiv),
    ("ilshift", ilshift),
    ("imatmul", imatmul),
    ("imod", imod),
    ("imul", imul),
    ("index", sequence::index),
    ("indexOf", sequence::index_of),
    ("inv", inv),
    ("invert", invert),
    ("ior", ior),
    ("ipow", ipow),
    ("irshift", irshift),
    ("is_", is_),
    ("is_not", is_not),
    ("isub", isub),
    ("itruediv", itruediv),
    ("ixor", ixor),
    ("le", le),
    ("length_hint", sequence::length_hint),
    ("lshift", lshift),
    ("lt", lt),
    ("matmul", matmul),
    ("mod", mod_),
    ("mul", mul),
    ("ne", ne),
    ("neg", neg),
    ("not_", not_),
    ("or_", or_),
    ("pos", pos),
    ("pow", pow),
    ("rshift", rshift),
    ("setitem", sequence::setitem),
    ("sub", sub),
    ("truediv", truediv),
    ("truth", truth),
    ("xor", xor),
];

/// `operator.py`'s dunder aliases: `__name__` is bound to the function `name`.
const ALIASES: &[(&str, &str)] = &[
    ("__lt__", "lt"),
    ("__le__", "le"),
    ("__eq__", "eq"),
    ("__ne__", "ne"),
    ("__ge__", "ge"),
    ("__gt__", "gt"),
    ("__not__", "not_"),
    ("__abs__", "abs"),
    ("__add__", "add"),
    ("__and__", "and_"),
    ("__call__", "call"),
    ("__floordiv__", "floordiv"),
    ("__index__", "index"),
    ("__inv__", "inv"),
    ("__invert__", "invert"),
    ("__lshift__", "lshift"),
    ("__mod__", "mod"),
    ("__mul__", "mul"),
    ("__matmul__", "matmul"),
    ("__neg__", "neg"),
    ("__or__", "or_"),
    ("__pos__", "pos"),
    ("__pow__", "pow"),
    ("__rshift__", "rshift"),
    ("__sub__", "sub"),
    ("__truediv__", "truediv"),
    ("__xor__", "xor"),
    ("__concat__", "concat"),
    ("__contains__", "contains"),
    ("__delitem__", "delitem"),
    ("__getitem__", "getitem"),
    ("__setitem__", "setitem"),
    ("__iadd__", "iadd"),
    ("__iand__", "iand"),
    ("__iconcat__", "iconcat"),
    ("__ifloordiv__", "ifloordiv"),
    ("__ilshift__", "ilshift"),
    ("__imod__", "imod"),
    ("__imul__", "imul"),
    ("__imatmul__", "imatmul"),
    ("__ior__", "ior"),
    ("__ipow__", "ipow"),
    ("__irshift__", "irshift"),
    ("__isub__", "isub"),
    ("__itruediv__", "itruediv"),
    ("__ixor__", "ixor"),
];

/// The built-in `abs`, called by `operator.abs` (as C's `PyNumber_Absolute`).
static BUILTIN_ABS: OnceLock<NativeFn> = OnceLock::new();

/// Initialises `operator`: the `_operator` functions, the getter types, the dunder
/// aliases, `_abs` and `__all__`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let abs_name = vm.intern("abs");
    let builtin_abs = vm.dict_get_str(&vm.builtins.clone(), &abs_name);
    if let Some(Value::Obj(o)) = &builtin_abs {
        if let Payload::Native(nf) = &o.payload {
            if let NativeImpl::Fn(f) = nf.func {
                BUILTIN_ABS.get_or_init(|| f);
            }
        }
    }
    let mut b = ModuleBuilder::new(vm, m);
    b.functions_module("_operator");
    for (name, f) in FUNCTIONS {
        b.function(name, *f);
    }
    getters::init(&mut b);
    for (alias, name) in ALIASES {
        if let Some(f) = b.get(name) {
            b.set(alias, f);
        }
    }
    if let Some(f) = builtin_abs {
        b.set("_abs", f);
    }
    let mut all: Vec<&str> = FUNCTIONS.iter().map(|(n, _)| *n).collect();
    all.extend(["attrgetter", "itemgetter", "methodcaller"]);
    all.sort_unstable();
    let all = all.into_iter().map(Value::str).collect();
    let all = b.vm().new_list(all);
    b.set("__all__", all);
    Ok(())
}

/// Rejects keyword arguments as the C functions do (`_operator.add() takes no keyword
/// arguments`).
fn no_kwargs(vm: &mut Vm, a: &Args, name: &str) -> PyResult<()> {
    if a.kw.is_empty() {
        Ok(())
    } else {
        Err(vm.new_type_error(format!("_operator.{name}() takes no keyword arguments")))
    }
}

/// The one argument of a `METH_O` function.
fn one<'a>(vm: &mut Vm, a: &Args<'a>, name: &str) -> PyResult<&'a Value> {
    no_kwargs(vm, a, name)?;
    match a.pos {
        [x] => Ok(x),
        _ => Err(vm.new_type_error(format!(
            "_operator.{name}() takes exactly one argument ({} given)",
            a.pos.len()
        ))),
    }
}

/// Exactly `N` positional arguments (`add expected 2 arguments, got 1`).
fn exactly<'a, const N: usize>(vm: &mut Vm, a: &Args<'a>, name: &str) -> PyResult<&'a [Value; N]> {
    no_kwargs(vm, a, name)?;
    match <&[Value; N]>::try_from(a.pos) {
        Ok(args) => Ok(args),
        Err(_) => Err(vm.new_type_error(format!(
            "{name} expected {N} arguments, got {}",
            a.pos.len()
        ))),
    }
}

/// Defines functions `f(a, b)` as `vm.$method(a, b, op)`.
macro_rules! binary {
    ($method:ident: $($fname:ident = $name:literal, $op:expr;)*) => {$(
        #[doc = concat!("`", $name, "(a, b)`.")]
        fn $fname(vm: &mut Vm, a: Args) -> PyResult {
            let [x, y] = exactly::<2>(vm, &a, $name)?;
            binary!(@call $method vm, x, y, $op)
        }
    )*};
    (@call binary_op $vm:ident, $x:ident, $y:ident, $op:expr) => {
        match small_int_op($x, $y, $op) {
            Some(r) => Ok(r),
            None => $vm.binary_op($x, $y, $op),
        }
    };
    (@call inplace_op $vm:ident, $x:ident, $y:ident, $op:expr) => {
        $vm.inplace_op($x.clone(), $y, $op)
    };
    (@call compare $vm:ident, $x:ident, $y:ident, $op:expr) => {
        match ($x, $y) {
            (Value::Int(i), Value::Int(j)) => Ok(Value::bool(cmp_ord(i.cmp(j), $op))),
            _ => $vm.compare($x, $y, $op),
        }
    };
}

/// `x op y` for two small ints when it cannot overflow (the interpreter's own fast path
/// for `BINARY_OP`); `None` sends everything else to [`Vm::binary_op`].
#[inline]
fn small_int_op(x: &Value, y: &Value, op: BinOp) -> Option<Value> {
    let (Value::Int(i), Value::Int(j)) = (x, y) else {
        return None;
    };
    match op {
        BinOp::Add => i.checked_add(*j),
        BinOp::Sub => i.checked_sub(*j),
        BinOp::Mul => i.checked_mul(*j),
        BinOp::And => Some(i & j),
        BinOp::Or => Some(i | j),
        BinOp::Xor => Some(i ^ j),
        _ => None,
    }
    .map(Value::Int)
}

binary! { binary_op:
    add = "add", BinOp::Add;
    and_ = "and_", BinOp::And;
    floordiv = "floordiv", BinOp::FloorDiv;
    lshift = "lshift", BinOp::LShift;
    matmul = "matmul", BinOp::MatMul;
    mod_ = "mod", BinOp::Rem;
    mul = "mul", BinOp::Mul;
    or_ = "or_", BinOp::Or;
    pow = "pow", BinOp::Pow;
    rshift = "rshift", BinOp::RShift;
    sub = "sub", BinOp::Sub;
    truediv = "truediv", BinOp::TrueDiv;
    xor = "xor", BinOp::Xor;
}

binary! { inplace_op:
    iadd = "iadd", BinOp::Add;
    iand = "iand", BinOp::And;
    ifloordiv = "ifloordiv", BinOp::FloorDiv;
    ilshift = "ilshift", BinOp::LShift;
    imatmul = "imatmul", BinOp::MatMul;
    imod = "imod", BinOp::Rem;
    imul = "imul", BinOp::Mul;
    ior = "ior", BinOp::Or;
    ipow = "ipow", BinOp::Pow;
    irshift = "irshift", BinOp::RShift;
    isub = "isub", BinOp::Sub;
    itruediv = "itruediv", BinOp::TrueDiv;
    ixor = "ixor", BinOp::Xor;
}

binary! { compare:
    lt = "lt", CmpOp::Lt;
    le = "le", CmpOp::Le;
    eq = "eq", CmpOp::Eq;
    ne = "ne", CmpOp::Ne;
    ge = "ge", CmpOp::Ge;
    gt = "gt", CmpOp::Gt;
}

/// `is_(a, b)`: `a is b`.
fn is_(vm: &mut Vm, a: Args) -> PyResult {
    let [x, y] = exactly::<2>(vm, &a, "is_")?;
    Ok(Value::bool(x.is(y)))
}

/// `is_not(a, b)`: `a is not b`.
fn is_not(vm: &mut Vm, a: Args) -> PyResult {
    let [x, y] = exactly::<2>(vm, &a, "is_not")?;
    Ok(Value::bool(!x.is(y)))
}

/// The unary operator functions: `fname = "name", op;` runs `vm.unary_op`.
macro_rules! unary {
    ($($fname:ident = $name:literal, $op:expr;)*) => {$(
        #[doc = concat!("`", $name, "(a)`.")]
        fn $fname(vm: &mut Vm, a: Args) -> PyResult {
            let x = one(vm, &a, $name)?;
            vm.unary_op(x, $op)
        }
    )*};
}

unary! {
    neg = "neg", UnaryOp::Neg;
    pos = "pos", UnaryOp::Pos;
    inv = "inv", UnaryOp::Invert;
    invert = "invert", UnaryOp::Invert;
}

/// `not_(a)`: `not a`.
fn not_(vm: &mut Vm, a: Args) -> PyResult {
    let x = one(vm, &a, "not_")?;
    Ok(Value::bool(!vm.is_true(x)?))
}

/// `truth(a)`: `bool(a)`.
fn truth(vm: &mut Vm, a: Args) -> PyResult {
    let x = one(vm, &a, "truth")?;
    Ok(Value::bool(vm.is_true(x)?))
}

/// `abs(a)`: the built-in `abs`.
fn abs(vm: &mut Vm, a: Args) -> PyResult {
    let x = one(vm, &a, "abs")?;
    match BUILTIN_ABS.get() {
        Some(f) => f(vm, Args::new(std::slice::from_ref(x))),
        None => Err(vm.new_type_error("bad operand type for abs()")),
    }
}

/// `call(obj, /, *args, **kwargs)`: `obj(*args, **kwargs)`.
fn call(vm: &mut Vm, a: Args) -> PyResult {
    match a.pos.split_first() {
        Some((f, args)) => vm.call(f, args, a.kw),
        None => Err(vm.new_type_error("call expected at least 1 argument, got 0")),
    }
}
