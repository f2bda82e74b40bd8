//! The special methods of `bytes` and `bytearray`, for explicit calls
//! (`b.__getitem__(0)`, `ba.__setitem__(0, 65)`, `bytes.__add__(x, y)`); operators take
//! the native paths directly.

use super::{as_bytes, Table};
use crate::code::BinOp;
use crate::native::{Args, Sig};
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

pub(super) const COMMON: Table = &[
    ("__len__", Sig::SLOT, dunder_len),
    ("__getitem__", Sig::SLOT, dunder_getitem),
    ("__contains__", Sig::SLOT, dunder_contains),
    ("__iter__", Sig::SLOT, dunder_iter),
    ("__repr__", Sig::SLOT, dunder_repr),
    ("__eq__", Sig::SLOT, dunder_eq),
    ("__add__", Sig::SLOT, dunder_add),
    ("__mul__", Sig::REPEAT, dunder_mul),
    ("__rmul__", Sig::REPEAT, dunder_mul),
    ("__mod__", Sig::SLOT, dunder_mod),
];

pub(super) const BYTES: Table = &[
    ("__hash__", Sig::SLOT, dunder_hash),
    ("__getnewargs__", Sig::NOARGS, bytes_getnewargs),
    ("__bytes__", Sig::NOARGS, bytes_bytes),
];

pub(super) const BYTEARRAY: Table = &[
    ("__setitem__", Sig::SLOT, dunder_setitem),
    ("__delitem__", Sig::SLOT, dunder_delitem),
    ("__iadd__", Sig::SLOT, dunder_iadd),
    ("__imul__", Sig::REPEAT, dunder_imul),
];

fn dunder_len(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__len__", 0, 0)?;
    Ok(Value::Int(super::this(vm, &a, "__len__")?.len() as i64))
}

fn dunder_getitem(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__getitem__", 1, 1)?;
    crate::builtins::native_getitem(vm, &a.pos[0], &a.pos[1])
}

fn dunder_contains(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__contains__", 1, 1)?;
    super::bytes_contains(vm, &a.pos[0], &a.pos[1]).map(Value::bool)
}

fn dunder_iter(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__iter__", 0, 0)?;
    if vm.is_heap(&a.pos[0]) {
        // A subclass instance: iterate over its bytes (its own `__iter__` is this one).
        let b = super::this(vm, &a, "__iter__")?;
        let plain = crate::builtins::bytes_const(&vm.types, b);
        return vm.get_iter(&plain);
    }
    vm.get_iter(&a.pos[0])
}

fn dunder_repr(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__repr__", 0, 0)?;
    crate::builtins::native_repr(vm, &a.pos[0]).map(Value::str)
}

fn dunder_eq(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__eq__", 1, 1)?;
    match (as_bytes(&a.pos[0]), as_bytes(&a.pos[1])) {
        (Some(x), Some(y)) => Ok(Value::bool(x == y)),
        _ => Ok(vm.not_implemented.clone()),
    }
}

fn binary(vm: &mut Vm, a: &Args, op: BinOp) -> PyResult {
    a.method_count(vm, "__add__", 1, 1)?;
    let (x, y) = (&a.pos[0], &a.pos[1]);
    match op {
        // `bytes.__mul__`/`__rmul__` (`sq_repeat`) and `__add__` (`sq_concat`) raise for
        // another type, where number slots answer `NotImplemented`.
        BinOp::Mul => crate::builtins::repeat_method(vm, x, y),
        _ => match crate::builtins::sequence_binary(vm, x, y, op)? {
            Some(v) => Ok(v),
            None if op == BinOp::Add => Err(vm.binop_type_error(x, y, op)),
            None => Ok(vm.not_implemented.clone()),
        },
    }
}

fn dunder_add(vm: &mut Vm, a: Args) -> PyResult {
    binary(vm, &a, BinOp::Add)
}

fn dunder_mul(vm: &mut Vm, a: Args) -> PyResult {
    binary(vm, &a, BinOp::Mul)
}

fn dunder_mod(vm: &mut Vm, a: Args) -> PyResult {
    binary(vm, &a, BinOp::Rem)
}

fn dunder_hash(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__hash__", 0, 0)?;
    let b = super::this(vm, &a, "__hash__")?;
    Ok(Value::Int(crate::hashing::hash_bytes(&b)))
}

/// `bytes.__getnewargs__()`: `(bytes(self),)`, what `copyreg.__newobj__` rebuilds a bytes
/// subclass from.
fn bytes_getnewargs(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__getnewargs__", 0, 0)?;
    let b = super::this(vm, &a, "__getnewargs__")?;
    let b = crate::module::new_bytes(vm, b);
    Ok(vm.new_tuple(vec![b]))
}

/// `bytes.__bytes__()` (new in 3.11): the object itself when it is exactly `bytes`, else
/// a `bytes` copy of a subclass instance's value.
fn bytes_bytes(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__bytes__", 0, 0)?;
    let b = super::this(vm, &a, "__bytes__")?;
    if Rc::ptr_eq(vm.class_of(&a.pos[0]), &vm.types.bytes) {
        return Ok(a.pos[0].clone());
    }
    Ok(crate::module::new_bytes(vm, b))
}

fn dunder_setitem(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__setitem__", 2, 2)?;
    super::bytearray_setitem(vm, &a.pos[0], &a.pos[1], a.pos[2].clone())?;
    Ok(Value::None)
}

fn dunder_delitem(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__delitem__", 1, 1)?;
    super::bytearray_delitem(vm, &a.pos[0], &a.pos[1])?;
    Ok(Value::None)
}

fn inplace(vm: &mut Vm, a: &Args, op: BinOp) -> PyResult {
    a.method_count(vm, "__iadd__", 1, 1)?;
    match super::bytearray_inplace(vm, &a.pos[0], &a.pos[1], op)? {
        Some(v) => Ok(v),
        // A non-index count: the TypeError of `PyNumber_AsSsize_t`.
        None => crate::builtins::int::repeat_count(vm, &a.pos[1]).map(|_| Value::None),
    }
}

fn dunder_iadd(vm: &mut Vm, a: Args) -> PyResult {
    inplace(vm, &a, BinOp::Add)
}

fn dunder_imul(vm: &mut Vm, a: Args) -> PyResult {
    inplace(vm, &a, BinOp::Mul)
}
