//! Special methods whose operators the VM answers natively but that CPython also exposes as
//! attributes (so `dir()` lists them and they can be called): `object`'s default rich
//! comparisons, `__sizeof__`, `__reduce__`, `__reduce_ex__`, `__getstate__` and
//! `__subclasshook__`; the rich comparisons and sequence repetition of `str`, `list`,
//! `tuple`; `list.__imul__`/`__reversed__` and `dict.__ior__`/`__ror__`.
//!
//! The interpreter never reaches `object`'s comparison defaults: `compare_protocol` treats
//! them as absent (`Vm::is_object_default_cmp`), so comparisons dispatch exactly as before.

use super::{def_classmethod, def_method_sig, def_methods};
use crate::code::CmpOp;
use crate::native::{Args, NativeFn, Sig};
use crate::object::{Layout, Payload};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};

pub(super) fn install(vm: &mut Vm) {
    let o = vm.types.object.clone();
    let object_methods: &[(&str, Sig, NativeFn)] = &[
        ("__lt__", Sig::SLOT, object_cmp),
        ("__le__", Sig::SLOT, object_cmp),
        ("__gt__", Sig::SLOT, object_cmp),
        ("__ge__", Sig::SLOT, object_cmp),
        ("__sizeof__", Sig::NOARGS, object_sizeof),
        ("__reduce__", Sig::NOARGS, object_reduce),
        ("__reduce_ex__", Sig::O, object_reduce_ex),
        ("__getstate__", Sig::NOARGS, object_getstate),
    ];
    def_methods(vm, &o, object_methods);
    // The classes with a `__sizeof__` of their own in CPython (its errors name them).
    for cls in [
        vm.types.str.clone(),
        vm.types.bytearray.clone(),
        vm.types.list.clone(),
        vm.types.dict.clone(),
        vm.types.set.clone(),
        vm.types.frozenset.clone(),
        vm.types.int.clone(),
    ] {
        def_method_sig(vm, &cls, "__sizeof__", Sig::NOARGS, object_sizeof);
    }
    def_classmethod(vm, &o, "__subclasshook__", Sig::FREE, object_subclasshook);
    let cmps: [(&str, NativeFn); 4] = [
        ("__lt__", seq_lt),
        ("__le__", seq_le),
        ("__gt__", seq_gt),
        ("__ge__", seq_ge),
    ];
    for cls in [
        vm.types.str.clone(),
        vm.types.list.clone(),
        vm.types.tuple.clone(),
    ] {
        for (name, f) in cmps {
            def_method_sig(vm, &cls, name, Sig::SLOT, f);
        }
    }
    for cls in [vm.types.list.clone(), vm.types.tuple.clone()] {
        def_method_sig(vm, &cls, "__mul__", Sig::REPEAT, seq_mul);
    }
    for cls in [
        vm.types.str.clone(),
        vm.types.list.clone(),
        vm.types.tuple.clone(),
    ] {
        def_method_sig(vm, &cls, "__rmul__", Sig::REPEAT, seq_mul);
    }
}

impl Vm {
    /// Whether `f` is one of `object`'s comparison methods: `__lt__` (`__le__`, `__gt__`,
    /// `__ge__`) only answer `NotImplemented`, and `__eq__` / `__ne__` answer by identity,
    /// which is the protocol's own fallback; so the protocol skips them, letting a built-in
    /// base compare natively and sparing a call for plain instances.
    pub(crate) fn is_object_default_cmp(&self, f: &Value) -> bool {
        match f {
            Value::Obj(o) => match &o.payload {
                Payload::Native(nf) => matches!(
                    nf.func,
                    crate::native::NativeImpl::Fn(g) if std::ptr::fn_addr_eq(g, object_cmp as NativeFn)
                        || std::ptr::fn_addr_eq(g, super::object::object_eq as NativeFn)
                        || std::ptr::fn_addr_eq(g, super::object::object_ne as NativeFn)
                ),
                _ => false,
            },
            _ => false,
        }
    }
}

/// `object.__lt__` and friends: `NotImplemented`.
fn object_cmp(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "comparison", 1, 1)?;
    Ok(vm.not_implemented.clone())
}

/// `object.__subclasshook__(subclass)`: `NotImplemented` (the ABC machinery decides).
fn object_subclasshook(vm: &mut Vm, _a: Args) -> PyResult {
    Ok(vm.not_implemented.clone())
}

/// `object.__sizeof__()`: CPython's sizes for the common payloads (its `tp_basicsize`
/// plus items), and for instances of classes `16` plus a word per slot and `__weakref__`.
fn object_sizeof(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__sizeof__", 0, 0)?;
    let v = &a.pos[0];
    let size = match v {
        Value::Int(i) => int_size(64 - i.unsigned_abs().leading_zeros() as u64),
        Value::Bool(_) => 28,
        Value::Float(_) => 24,
        Value::None => 16,
        Value::Str(s) => str_size(s.as_str()),
        Value::Obj(o) => match &o.payload {
            Payload::Int(b) => int_size(b.bits()),
            Payload::Float(_) => 24,
            Payload::Complex(..) => 32,
            Payload::Str(s) => str_size(s.as_str()),
            Payload::List(l) => 40 + 8 * l.borrow().len() as i64,
            Payload::Tuple(t) => 24 + 8 * t.len() as i64,
            Payload::Bytes(b) => 33 + b.len() as i64,
            Payload::Dict(_) => 48,
            _ => {
                let cls = vm.class_of(v).clone();
                instance_size(&cls)
            }
        },
    };
    Ok(Value::Int(size))
}

/// `int.__sizeof__` of an int of `bits` bits: 24 plus 4 bytes per 30-bit digit (zero
/// has one).
fn int_size(bits: u64) -> i64 {
    24 + 4 * bits.div_ceil(30).max(1) as i64
}

/// `str.__sizeof__`: the compact ASCII and non-ASCII layouts.
fn str_size(s: &str) -> i64 {
    let max = s.chars().map(|c| c as u32).max().unwrap_or(0);
    let n = s.chars().count() as i64;
    match max {
        0..=0x7f => 49 + n,
        0x80..=0xff => 73 + n,
        0x100..=0xffff => 74 + 2 * n,
        _ => 76 + 4 * n,
    }
}

/// The size of an instance of a class with `object`'s layout.
fn instance_size(cls: &Obj) -> i64 {
    let Some(t) = cls.as_type() else { return 16 };
    if t.layout != Layout::Object {
        return 16;
    }
    let weak = t.mro.borrow().iter().any(|c| adds_slot(c, "__weakref__"));
    16 + 8 * t.nslots as i64 + if weak { 8 } else { 0 }
}

/// Whether a class defined by a `class` statement adds the `__dict__` or `__weakref__`
/// descriptor of CPython (listed by `dir()`): without `__slots__` when no base provides
/// it, with `__slots__` when they name it.
pub(crate) fn adds_slot(cls: &Obj, name: &str) -> bool {
    let Some(t) = cls.as_type() else { return false };
    if !t.heap {
        return false;
    }
    let bases = t.bases.borrow().clone();
    let provided = |b: &Obj| -> bool {
        let Some(bt) = b.as_type() else { return false };
        let by_layout = match name {
            "__dict__" => matches!(bt.layout, Layout::Exception | Layout::Type),
            _ => matches!(
                bt.layout,
                Layout::Int
                    | Layout::Tuple
                    | Layout::Type
                    | Layout::Set
                    | Layout::FrozenSet
                    | Layout::Bytes
            ),
        };
        by_layout
            || bt
                .mro
                .borrow()
                .iter()
                .any(|c| !std::rc::Rc::ptr_eq(c, cls) && adds_slot(c, name))
    };
    if bases.iter().any(provided) {
        return false;
    }
    let slots_key = crate::str::Str::new("__slots__".to_string());
    let slots = t.ns.borrow().get_str(&slots_key).cloned();
    match slots {
        None => true,
        Some(Value::Str(s)) => s.as_str() == name,
        Some(v) => match v.payload() {
            Some(Payload::Tuple(items)) => items.iter().any(|s| is_name(s, name)),
            Some(Payload::List(items)) => items.borrow().iter().any(|s| is_name(s, name)),
            _ => false,
        },
    }
}

fn is_name(v: &Value, name: &str) -> bool {
    v.as_str().is_some_and(|s| s.as_str() == name)
}

/// Calls `copyreg.<helper>(args)`: the object protocol of pickling (CPython's C code in
/// `typeobject.c`) is written in aio beside `copyreg`, whose helpers it uses. Without a
/// `copyreg` module (a host that leaves it out), CPython's `cannot pickle` error.
fn copyreg_helper(vm: &mut Vm, helper: &str, args: &[Value]) -> PyResult {
    let Ok(copyreg) = vm.import_module("copyreg") else {
        return Err(vm.new_type_error(format!("cannot pickle '{}' object", vm.type_name(&args[0]))));
    };
    let name = vm.intern(helper);
    let f = vm.get_attr(&copyreg, &name)?;
    vm.call(&f, args, &[])
}

/// `object.__reduce__()`: the reduction of protocol 0 (`copyreg._reduce_ex`).
fn object_reduce(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__reduce__", 0, 0)?;
    copyreg_helper(vm, "_object_reduce", &a.pos[..1])
}

/// `object.__reduce_ex__(protocol)`: a class's own `__reduce__` when it overrides it, else
/// `copyreg._reduce_ex` below protocol 2 and `copyreg.__newobj__`/`__newobj_ex__` from 2.
fn object_reduce_ex(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__reduce_ex__", 1, 1)?;
    copyreg_helper(vm, "_object_reduce_ex", &a.pos[..2])
}

/// `object.__getstate__()`: the instance `__dict__` and slot values (`None` when empty).
fn object_getstate(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__getstate__", 0, 0)?;
    copyreg_helper(vm, "_object_getstate", &a.pos[..1])
}

fn seq_cmp(vm: &mut Vm, a: Args, op: CmpOp) -> PyResult {
    a.method_count(vm, op.dunder(), 1, 1)?;
    match vm.native_compare(&a.pos[0], &a.pos[1], op)? {
        Some(r) => Ok(Value::bool(r)),
        None => Ok(vm.not_implemented.clone()),
    }
}

fn seq_lt(vm: &mut Vm, a: Args) -> PyResult {
    seq_cmp(vm, a, CmpOp::Lt)
}

fn seq_le(vm: &mut Vm, a: Args) -> PyResult {
    seq_cmp(vm, a, CmpOp::Le)
}

fn seq_gt(vm: &mut Vm, a: Args) -> PyResult {
    seq_cmp(vm, a, CmpOp::Gt)
}

fn seq_ge(vm: &mut Vm, a: Args) -> PyResult {
    seq_cmp(vm, a, CmpOp::Ge)
}

/// `seq.__mul__(n)` and `seq.__rmul__(n)`.
fn seq_mul(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__mul__", 1, 1)?;
    super::repeat_method(vm, &a.pos[0], &a.pos[1])
}
