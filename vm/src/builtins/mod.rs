//! The built-in namespace: functions (`print`, `len`, ...), the methods of the built-in
//! classes, and the native halves of operators on built-in types. Each file holds one
//! family; `install` registers everything into a fresh VM.

mod ast_tree;
pub mod asyncgen;
pub(crate) mod atexit;
pub(crate) mod big_range;
pub(crate) mod bytes;
pub mod codecs;
mod compile;
pub(crate) mod complex;
pub(crate) mod dict;
mod eval;
pub(crate) mod exc_members;
pub(crate) mod exceptions;
mod format;
mod frame_object;
mod functions;
pub(crate) mod future;
pub(crate) mod generator;
mod getset;
pub(crate) mod int;
mod int_methods;
mod iter_reduce;
mod iterators;
pub(crate) mod list;
mod modpow;
pub(crate) mod object;
mod repr;
mod set;
mod slot_methods;
mod sort;
mod str;
mod subscript;
pub(crate) mod sys;
mod text;

pub use aio_lexer::printable::is_printable as str_is_printable;
pub use bytes::as_bytes as bytes_of;
pub use bytes::bytearray_inplace;
pub use bytes::{arg_bytes as bytes_like, hex_bytes, hex_sep};
pub use complex::{parts as complex_parts, value as complex_value};
pub use dict::copy_dict as copy_dict_value;
pub(crate) use dict::update_from_arg as dict_update_arg;
pub(crate) use eval::frame_builtin;
pub use exceptions::set_exception_attr;
pub use format::format_spec;
pub use functions::is_callable;
pub use future::FEATURES as FUTURE_FEATURES;
pub use iterators::{iter_next, iter_self};
pub(crate) use object::union_or;
pub use object::{set_function_attr, weakref_slot};
pub use repr::{bytes_repr, float_repr, native_repr, str_repr};
pub use set::set_inplace;
pub(crate) use slot_methods::adds_slot;
pub(crate) use str::is_wide as char_is_wide;
pub(crate) use str::line_spans as str_line_spans;
pub use subscript::{native_delitem, native_getitem, native_setitem};

use crate::code::{BinOp, CmpOp, Code};
use crate::native::{NativeDef, NativeFn, NativeFunction, NativeImpl, Receiver, Sig};
use crate::object::{Object, Payload};
use crate::types::Types;
use crate::value::Bool;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use std::rc::Rc;

/// Registers every built-in into `vm`.
pub fn install(vm: &mut Vm) {
    object::install(vm);
    functions::install(vm);
    eval::install(vm);
    compile::install(vm);
    int::install(vm);
    int_methods::install(vm);
    complex::install(vm);
    str::install(vm);
    bytes::install(vm);
    list::install(vm);
    dict::install(vm);
    set::install(vm);
    slot_methods::install(vm);
    getset::install(vm);
    iterators::install(vm);
    iter_reduce::install(vm);
    exceptions::install(vm);
    generator::install(vm);
    asyncgen::install(vm);
    sys::install(vm);
    atexit::install(vm);
    future::install(vm);
    // The mutable containers, 3.11's slice and the set-like dict views are unhashable:
    // `__hash__` is None in their namespaces, as in CPython (`list.__hash__ is None`; the
    // dataclasses mutable-default check and collections.abc.Hashable read it).
    for cls in [
        vm.types.list.clone(),
        vm.types.dict.clone(),
        vm.types.set.clone(),
        vm.types.bytearray.clone(),
        vm.types.slice.clone(),
        vm.types.dict_keys.clone(),
        vm.types.dict_items.clone(),
    ] {
        vm.set_class_attr(&cls, "__hash__", Value::None);
    }
    // Classes by name.
    let t = &vm.types;
    let classes: Vec<(&str, Obj)> = vec![
        ("object", t.object.clone()),
        ("type", t.type_.clone()),
        ("int", t.int.clone()),
        ("bool", t.bool.clone()),
        ("float", t.float.clone()),
        ("complex", t.complex.clone()),
        ("str", t.str.clone()),
        ("bytes", t.bytes.clone()),
        ("bytearray", t.bytearray.clone()),
        ("list", t.list.clone()),
        ("tuple", t.tuple.clone()),
        ("dict", t.dict.clone()),
        ("set", t.set.clone()),
        ("frozenset", t.frozenset.clone()),
        ("range", t.range.clone()),
        ("slice", t.slice.clone()),
        ("property", t.property.clone()),
        ("staticmethod", t.staticmethod.clone()),
        ("classmethod", t.classmethod.clone()),
        ("super", t.super_.clone()),
        ("enumerate", t.enumerate.clone()),
        ("zip", t.zip.clone()),
        ("map", t.map.clone()),
        ("filter", t.filter.clone()),
        ("reversed", t.reversed.clone()),
    ];
    for (name, cls) in classes {
        set_builtin(vm, name, Value::Obj(cls));
    }
    let excs: Vec<(&str, Obj)> = vm
        .exc
        .all()
        .into_iter()
        .map(|(n, c)| (n, c.clone()))
        .collect();
    for (name, cls) in excs {
        set_builtin(vm, name, Value::Obj(cls.clone()));
        vm.set_class_attr(&cls, "__module__", Value::str("builtins"));
    }
    set_builtin(vm, "EnvironmentError", Value::Obj(vm.exc.os_error.clone()));
    set_builtin(vm, "IOError", Value::Obj(vm.exc.os_error.clone()));
    let ni = vm.not_implemented.clone();
    set_builtin(vm, "NotImplemented", ni);
    let el = vm.ellipsis.clone();
    set_builtin(vm, "Ellipsis", el);
    set_builtin(vm, "__debug__", Value::Bool(Bool::TRUE));
    set_builtin(vm, "__name__", Value::str("builtins"));
}

/// Sets `builtins.name`.
pub fn set_builtin(vm: &mut Vm, name: &str, v: Value) {
    let b = vm.builtins.clone();
    vm.dict_set_str(&b, name, v);
}

/// A native function object.
pub fn native_fn(vm: &mut Vm, name: &str, owner: Option<&str>, f: NativeFn) -> Value {
    new_native(vm, name, owner, None, NativeImpl::Fn(f), Sig::FREE)
}

/// The payload of a property with `fields` (`fget`, `fset`, `fdel`, `doc`, name).
pub fn property_payload(fields: [Value; 5]) -> Payload {
    Payload::Property(Box::new(std::cell::RefCell::new(fields)))
}

/// The payload of a new instance of a `property` subclass, before `__init__` fills it.
pub(crate) fn empty_property() -> Payload {
    property_payload(Default::default())
}

/// A read-only `property` whose getter is native `f` (named `name`, owned by `owner`);
/// `doc` is its `__doc__`. Built-in attributes that CPython serves through getset
/// descriptors (`int.real`, `memoryview.shape`, `C.__weakref__`) are such properties.
pub(crate) fn readonly_property(
    vm: &mut Vm,
    name: &str,
    owner: &str,
    f: NativeFn,
    doc: Value,
) -> Value {
    let fget = native_fn(vm, name, Some(owner), f);
    let p = crate::object::Object::new(
        vm.types.property.clone(),
        property_payload([fget, Value::None, Value::None, Value::None, doc]),
    );
    Value::Obj(vm.track(p))
}

/// A native function object that runs a closure (it may capture host state).
pub fn native_closure(
    vm: &mut Vm,
    name: &str,
    owner: Option<&str>,
    f: crate::native::NativeClosure,
) -> Value {
    new_native(vm, name, owner, None, NativeImpl::Closure(f), Sig::FREE)
}

/// A native function of module `module` (its `__module__`).
pub fn module_native(vm: &mut Vm, module: &str, name: &str, func: NativeImpl) -> Value {
    new_native(vm, name, None, Some(module), func, Sig::FREE)
}

fn new_native(
    vm: &mut Vm,
    name: &str,
    owner: Option<&str>,
    module: Option<&str>,
    func: NativeImpl,
    sig: Sig,
) -> Value {
    let name = vm.intern(name);
    let owner = owner.map(|o| vm.intern(o));
    let module = module.map(|m| vm.intern(m));
    let nf = NativeFunction::new(NativeDef {
        name,
        owner,
        module,
        func,
        is_static: false,
        sig,
        receiver: Receiver::ANY,
    });
    Value::Obj(Rc::new(Object::new(
        vm.types.builtin_function.clone(),
        Payload::Native(Box::new(nf)),
    )))
}

/// Registers a built-in function.
pub fn def_fn(vm: &mut Vm, name: &str, f: NativeFn) {
    let v = native_fn(vm, name, None, f);
    set_builtin(vm, name, v);
}

/// Registers a built-in function that takes no keyword arguments ([`Sig::POSITIONAL`]:
/// the call path refuses them with CPython's `len() takes no keyword arguments`).
pub fn def_fn_positional(vm: &mut Vm, name: &str, f: NativeFn) {
    let v = new_native(vm, name, None, None, NativeImpl::Fn(f), Sig::POSITIONAL);
    set_builtin(vm, name, v);
}

/// Registers a method on a built-in class, with the calling convention its name implies
/// ([`Sig::infer`]: a slot's for special methods, otherwise receiver checks only).
pub fn def_method(vm: &mut Vm, cls: &Obj, name: &str, f: NativeFn) {
    def_method_sig(vm, cls, name, Sig::infer(name), f);
}

/// Registers a method on a built-in class with calling convention `sig` (resolved by name
/// for [`Sig::SLOT`]), which the call path checks before `f` runs: `self` an instance of
/// `cls`, then the keywords and positional count `sig` allows.
pub fn def_method_sig(vm: &mut Vm, cls: &Obj, name: &str, sig: Sig, f: NativeFn) {
    // Everything is an `object`: its methods check no receiver; nor does the call path for
    // methods that check everything themselves (`Sig::FREE`).
    let receiver = if Rc::ptr_eq(cls, &vm.types.object) || sig == Sig::FREE {
        Receiver::ANY
    } else {
        Receiver::of(cls)
    };
    let v = method_native(vm, cls, name, sig.resolve(name), receiver, f);
    vm.set_class_attr(cls, name, v);
}

/// A native method of `cls` with its calling convention.
fn method_native(
    vm: &mut Vm,
    cls: &Obj,
    name: &str,
    sig: Sig,
    receiver: Receiver,
    f: NativeFn,
) -> Value {
    let owner = crate::types::type_name(cls);
    let nf = NativeFunction::new(NativeDef {
        name: vm.intern(name),
        owner: Some(vm.intern(&owner)),
        module: None,
        func: NativeImpl::Fn(f),
        is_static: false,
        sig,
        receiver,
    });
    Value::Obj(Rc::new(Object::new(
        vm.types.builtin_function.clone(),
        Payload::Native(Box::new(nf)),
    )))
}

/// Registers the methods of `table` ([`def_method_sig`]).
pub fn def_methods(vm: &mut Vm, cls: &Obj, table: &[(&str, Sig, NativeFn)]) {
    for &(name, sig, f) in table {
        def_method_sig(vm, cls, name, sig, f);
    }
}

/// Registers a static method (e.g. `__new__`, `dict.fromkeys` as classmethod handled apart).
/// A `__new__` checks its class argument first, as CPython's `tp_new_wrapper` (but
/// `object.__new__`, which makes those checks itself and is known by its function).
pub fn def_static(vm: &mut Vm, cls: &Obj, name: &str, f: NativeFn) {
    let owner = crate::types::type_name(cls);
    let v = if name == "__new__" && owner != "object" {
        let base = Rc::downgrade(cls);
        let owner_name = owner.clone();
        let checked: crate::native::NativeClosure =
            Rc::new(move |vm: &mut Vm, a: crate::native::Args| {
                check_new_class(vm, &a, &base, &owner_name)?;
                f(vm, a)
            });
        native_closure(vm, name, Some(&owner), checked)
    } else {
        native_fn(vm, name, Some(&owner), f)
    };
    if let Value::Obj(o) = &v {
        if let Payload::Native(_) = &o.payload {
            // Rebuild as static.
            if let Payload::Native(nf) = &o.payload {
                let mut def = NativeDef::clone(nf);
                def.is_static = true;
                let v = Value::Obj(Rc::new(Object::new(
                    vm.types.builtin_function.clone(),
                    Payload::Native(Box::new(NativeFunction::new(def))),
                )));
                vm.set_class_attr(cls, name, v);
            }
        }
    }
}

/// The class argument of a built-in `X.__new__(cls, ...)`: present, a type, and `X` or a
/// subclass of it, with CPython's `TypeError`s (`int.__new__(str): str is not a subtype of
/// int`), so an explicit call with anything else never reaches the implementation.
fn check_new_class(
    vm: &mut Vm,
    a: &crate::native::Args,
    base: &std::rc::Weak<Object>,
    owner: &str,
) -> PyResult<()> {
    let Some(first) = a.pos.first() else {
        return Err(vm.new_type_error(format!("{owner}.__new__(): not enough arguments")));
    };
    let cls = match first {
        Value::Obj(c) if c.as_type().is_some() => c,
        other => {
            let t = vm.type_name(other);
            return Err(
                vm.new_type_error(format!("{owner}.__new__(X): X is not a type object ({t})"))
            );
        }
    };
    match base.upgrade() {
        Some(b) if !Rc::ptr_eq(cls, &b) && !crate::types::is_subtype(cls, &b) => {
            let name = crate::types::type_name(cls);
            Err(vm.new_type_error(format!(
                "{owner}.__new__({name}): {name} is not a subtype of {owner}"
            )))
        }
        _ => Ok(()),
    }
}

/// Registers a class method on a built-in class; the call path checks the arguments after
/// the class against `sig` ([`Sig::O`] for `bytes.fromhex`, [`Sig::FREE`] when the
/// implementation checks them).
pub fn def_classmethod(vm: &mut Vm, cls: &Obj, name: &str, sig: Sig, f: NativeFn) {
    let v = method_native(vm, cls, name, sig.for_class_method(), Receiver::ANY, f);
    let cm = Value::Obj(Rc::new(Object::new(
        vm.types.classmethod.clone(),
        Payload::ClassMethod(v),
    )));
    vm.set_class_attr(cls, name, cm);
}

impl Vm {
    /// Sets an attribute in a class namespace (and invalidates the lookup caches), for
    /// natives building classes; [`ClassBuilder::attr`](crate::module::ClassBuilder::attr)
    /// uses it.
    pub(crate) fn set_class_attr(&mut self, cls: &Obj, name: &str, v: Value) {
        let n = self.intern(name);
        if let Some(t) = cls.as_type() {
            t.ns.borrow_mut().set_str(n, v);
            crate::types::types_changed();
            if name == "__getattribute__" {
                crate::types::refresh_has_getattribute(cls);
            }
        }
    }
}

/// A tuple value.
pub fn make_tuple_const(t: &Types, items: Vec<Value>) -> Value {
    Value::Obj(Rc::new(Object::new(
        t.tuple.clone(),
        Payload::Tuple(items.into_boxed_slice()),
    )))
}

/// A code object value.
pub fn code_object(t: &Types, code: Rc<Code>) -> Obj {
    Rc::new(Object::new(t.code.clone(), Payload::Code(code)))
}

/// An int value from a big int (unboxed when it fits).
pub fn bigint_value(t: &Types, b: BigInt) -> Value {
    use num_traits::ToPrimitive;
    match b.to_i64() {
        Some(i) => Value::Int(i),
        None => Value::Obj(Rc::new(Object::new(t.int.clone(), Payload::Int(b)))),
    }
}

/// A complex value `re + im j`.
pub fn complex_const(t: &Types, re: f64, im: f64) -> Value {
    Value::Obj(Rc::new(Object::new(
        t.complex.clone(),
        Payload::Complex(re, im),
    )))
}

/// A bytes value.
pub fn bytes_const(t: &Types, b: Vec<u8>) -> Value {
    crate::embed::limits::buffer_alloc(b.len());
    Value::Obj(Rc::new(Object::new(
        t.bytes.clone(),
        Payload::Bytes(b.into_boxed_slice()),
    )))
}

/// `len(range)`.
pub fn range_len(r: &[i64; 3]) -> i64 {
    // i128 so that `stop - start` cannot overflow for ranges spanning the whole i64 domain.
    let [start, stop, step] = r.map(i128::from);
    let n = if step > 0 && start < stop {
        (stop - start - 1) / step + 1
    } else if step < 0 && start > stop {
        (start - stop - 1) / (-step) + 1
    } else {
        0
    };
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Binary operators on built-in sequences, mappings, sets and complex numbers.
pub fn sequence_binary(vm: &mut Vm, a: &Value, b: &Value, op: BinOp) -> PyResult<Option<Value>> {
    if let (Some(x), Some(y)) = (a.as_str(), b.as_str()) {
        if op == BinOp::Add {
            let len = x.as_str().len() + y.as_str().len();
            if len >= crate::embed::limits::BIG_BUFFER {
                vm.check_allocation(len)?;
            }
            let mut s = String::with_capacity(len);
            s.push_str(x.as_str());
            s.push_str(y.as_str());
            let chars = x.len() + y.len();
            return Ok(Some(Value::Str(Rc::new(crate::str::Str::with_chars(
                s, chars,
            )))));
        }
    }
    if op == BinOp::Rem {
        if let Some(fmt) = a.as_str() {
            return format::percent(vm, fmt.as_str(), b).map(|s| Some(Value::str(s)));
        }
    }
    if op == BinOp::Mul {
        if let Some(n) = repeat_count(a, b) {
            return repeat(vm, a, n);
        }
        if let Some(n) = repeat_count(b, a) {
            return repeat(vm, b, n);
        }
    }
    if complex::is_complex(a) || complex::is_complex(b) {
        return complex::binary(vm, a, b, op);
    }
    if matches!(op, BinOp::And | BinOp::Or | BinOp::Sub | BinOp::Xor)
        && (set_like_view(a) || set_like_view(b))
    {
        // Keys and items views act as sets: `set(left) op right`, whichever side is the view.
        let items = vm.collect(a)?;
        let left = vm.new_set_from(items)?;
        let right = if set_like_view(b) {
            let items = vm.collect(b)?;
            vm.new_set_from(items)?
        } else {
            b.clone()
        };
        return set::set_binary(vm, &left, &right, op);
    }
    match (a.payload(), b.payload()) {
        (Some(Payload::List(x)), Some(Payload::List(y))) if op == BinOp::Add => {
            let mut v = x.borrow().clone();
            v.extend(y.borrow().iter().cloned());
            Ok(Some(vm.new_list(v)))
        }
        (Some(Payload::Tuple(x)), Some(Payload::Tuple(y))) if op == BinOp::Add => {
            let mut v = x.to_vec();
            v.extend(y.iter().cloned());
            Ok(Some(vm.new_tuple(v)))
        }
        (Some(Payload::Dict(_)), Some(Payload::Dict(_))) if op == BinOp::Or => {
            let d = dict::copy_dict(vm, a)?;
            vm.dict_update_from(&d, b, None)?;
            Ok(Some(d))
        }
        (Some(Payload::Set(_)), Some(Payload::Set(_))) => set::set_binary(vm, a, b, op),
        _ => bytes::bytes_binary(vm, a, b, op),
    }
}

/// A `dict_keys` or `dict_items` view: the views that support set operations.
fn set_like_view(v: &Value) -> bool {
    dict::view_parts(v).is_some_and(|(_, kind)| kind != 1)
}

fn repeat_count(seq: &Value, n: &Value) -> Option<i64> {
    let count = match n {
        Value::Int(i) => *i,
        Value::Bool(b) => b.get() as i64,
        _ => return None,
    };
    match seq {
        Value::Str(_) => Some(count),
        Value::Obj(o) => match &o.payload {
            Payload::List(_)
            | Payload::Tuple(_)
            | Payload::Str(_)
            | Payload::Bytes(_)
            | Payload::ByteArray(_) => Some(count),
            _ => None,
        },
        _ => None,
    }
}

/// `seq.__mul__(n)` of a built-in sequence (CPython's `sq_repeat` wrapper): `n` must have
/// `__index__`, else the TypeError of `PyNumber_AsSsize_t`.
pub(crate) fn repeat_method(vm: &mut Vm, seq: &Value, n: &Value) -> PyResult {
    let count = int::repeat_count(vm, n)?;
    match repeat(vm, seq, count.min(i64::MAX as usize) as i64)? {
        Some(v) => Ok(v),
        None => Err(vm.binop_type_error(seq, n, BinOp::Mul)),
    }
}

/// Reserves room for `n` copies of `len` items, failing (for a `MemoryError`) when that is
/// more than the allocator can give.
pub(crate) fn reserve<T>(v: &mut Vec<T>, len: usize, n: usize) -> Result<(), ()> {
    let total = len.checked_mul(n).ok_or(())?;
    if crate::embed::limits::exceeds_memory(total.saturating_mul(std::mem::size_of::<T>())) {
        return Err(());
    }
    v.try_reserve_exact(total).map_err(|_| ())
}

/// `seq * n` for the built-in sequences; `None` for other values.
pub(crate) fn repeat(vm: &mut Vm, seq: &Value, n: i64) -> PyResult<Option<Value>> {
    let n = n.max(0) as usize;
    let too_big = |vm: &mut Vm| vm.new_exception(&vm.exc.memory_error.clone(), vec![]);
    let item_bytes = match seq.payload() {
        Some(Payload::List(l)) => l.borrow().len() * std::mem::size_of::<Value>(),
        Some(Payload::Tuple(t)) => t.len() * std::mem::size_of::<Value>(),
        Some(Payload::Bytes(b)) => b.len(),
        Some(Payload::ByteArray(b)) => b.borrow().len(),
        _ => seq.as_str().map_or(0, |s| s.as_str().len()),
    };
    // CPython's str and bytes repeats refuse a length past `PY_SSIZE_T_MAX` by name.
    let too_long = match seq.payload() {
        Some(Payload::Bytes(b)) => (b.len() as u128 * n as u128 > isize::MAX as u128)
            .then_some("repeated bytes are too long"),
        _ => seq.as_str().and_then(|s| {
            (s.len() as u128 * n as u128 > isize::MAX as u128)
                .then_some("repeated string is too long")
        }),
    };
    if let Some(msg) = too_long {
        return Err(vm.new_overflow_error(msg));
    }
    vm.check_allocation(item_bytes.saturating_mul(n))?;
    if let Some(s) = seq.as_str() {
        let mut out = String::new();
        let total = s.as_str().len().checked_mul(n);
        if total.is_none_or(|t| out.try_reserve_exact(t).is_err()) {
            return Err(too_big(vm));
        }
        for _ in 0..n {
            out.push_str(s.as_str());
        }
        return Ok(Some(Value::str(out)));
    }
    match seq.payload() {
        Some(Payload::List(l)) => {
            let l = l.borrow().clone();
            let mut v = Vec::new();
            if reserve(&mut v, l.len(), n).is_err() {
                return Err(too_big(vm));
            }
            for _ in 0..n {
                v.extend(l.iter().cloned());
            }
            Ok(Some(vm.new_list(v)))
        }
        Some(Payload::Tuple(t)) => {
            let mut v = Vec::new();
            if reserve(&mut v, t.len(), n).is_err() {
                return Err(too_big(vm));
            }
            for _ in 0..n {
                v.extend(t.iter().cloned());
            }
            Ok(Some(vm.new_tuple(v)))
        }
        Some(Payload::Bytes(b)) => {
            let mut v = Vec::new();
            if reserve(&mut v, b.len(), n).is_err() {
                return Err(too_big(vm));
            }
            for _ in 0..n {
                v.extend_from_slice(b);
            }
            Ok(Some(bytes_const(&vm.types, v)))
        }
        Some(Payload::ByteArray(b)) => {
            let b = b.borrow().clone();
            let mut v = Vec::new();
            if reserve(&mut v, b.len(), n).is_err() {
                return Err(too_big(vm));
            }
            for _ in 0..n {
                v.extend_from_slice(&b);
            }
            Ok(Some(bytes::new_bytearray(vm, v)))
        }
        _ => Ok(None),
    }
}

/// Comparisons of built-in containers.
pub fn container_compare(vm: &mut Vm, a: &Value, b: &Value, op: CmpOp) -> PyResult<Option<bool>> {
    if let (Some(Payload::Tuple(x)), Some(Payload::Tuple(y))) = (a.payload(), b.payload()) {
        // Tuples are immutable: compare their items in place (no copies, as for lists).
        vm.enter_native(" in comparison")?;
        let r = sequence_compare(vm, x, y, op);
        vm.leave_native();
        return r.map(Some);
    }
    let seqs = |v: &Value| -> Option<(u8, Vec<Value>)> {
        match v.payload()? {
            Payload::List(l) => Some((0, l.borrow().clone())),
            Payload::Tuple(t) => Some((1, t.to_vec())),
            _ => None,
        }
    };
    if let (Some((ka, x)), Some((kb, y))) = (seqs(a), seqs(b)) {
        if ka != kb {
            return Ok(match op {
                CmpOp::Eq => Some(false),
                CmpOp::Ne => Some(true),
                _ => None,
            });
        }
        vm.enter_native(" in comparison")?;
        let r = sequence_compare(vm, &x, &y, op);
        vm.leave_native();
        return r.map(Some);
    }
    match (a.payload(), b.payload()) {
        (Some(Payload::Method(x)), Some(Payload::Method(y))) => {
            // Bound methods are equal when they bind the same object to equal functions
            // (`__self__` compared by identity, as since Python 3.8).
            let same = x.1.is(&y.1) && (x.0.is(&y.0) || vm.eq(&x.0.clone(), &y.0.clone())?);
            return Ok(match op {
                CmpOp::Eq => Some(same),
                CmpOp::Ne => Some(!same),
                _ => None,
            });
        }
        (Some(Payload::Native(x)), Some(Payload::Native(y)))
            if x.bound.is_some() && y.bound.is_some() =>
        {
            // Built-in methods (`l.append`): the same method of the same object.
            let same = x
                .bound
                .as_ref()
                .zip(y.bound.as_ref())
                .is_some_and(|(p, q)| p.is(q))
                && x.name == y.name
                && x.owner == y.owner;
            return Ok(match op {
                CmpOp::Eq => Some(same),
                CmpOp::Ne => Some(!same),
                _ => None,
            });
        }
        (Some(Payload::Range(x)), Some(Payload::Range(y))) => {
            return Ok(match op {
                CmpOp::Eq => Some(range_eq(x, y)),
                CmpOp::Ne => Some(!range_eq(x, y)),
                _ => None,
            })
        }
        (Some(Payload::Range(_) | Payload::BigRange(_)), Some(Payload::BigRange(_)))
        | (Some(Payload::BigRange(_)), Some(Payload::Range(_))) => {
            let (x, y) = (big_range::bounds(a), big_range::bounds(b));
            let same = x.zip(y).is_some_and(|(x, y)| big_range::eq(&x, &y));
            return Ok(match op {
                CmpOp::Eq => Some(same),
                CmpOp::Ne => Some(!same),
                _ => None,
            });
        }
        (Some(Payload::Slice(x)), Some(Payload::Slice(y))) => {
            // Slices compare as the tuples (start, stop, step).
            let (x, y) = (x.to_vec(), y.to_vec());
            vm.enter_native(" in comparison")?;
            let r = sequence_compare(vm, &x, &y, op);
            vm.leave_native();
            return r.map(Some);
        }
        _ => {}
    }
    let is_set = |v: &Value| matches!(v.payload(), Some(Payload::Set(_))) || set_like_view(v);
    if (set_like_view(a) || set_like_view(b)) && is_set(a) && is_set(b) {
        let mut as_set = |v: &Value| -> PyResult {
            if set_like_view(v) {
                let items = vm.collect(v)?;
                vm.new_set_from(items)
            } else {
                Ok(v.clone())
            }
        };
        let (x, y) = (as_set(a)?, as_set(b)?);
        return set::set_compare(vm, &x, &y, op).map(Some);
    }
    if let (Some(Payload::Dict(_)), Some(Payload::Dict(_))) = (a.payload(), b.payload()) {
        return match op {
            CmpOp::Eq => dict::dict_eq(vm, a, b).map(Some),
            CmpOp::Ne => dict::dict_eq(vm, a, b).map(|r| Some(!r)),
            _ => Ok(None),
        };
    }
    if let (Some(Payload::Set(_)), Some(Payload::Set(_))) = (a.payload(), b.payload()) {
        return set::set_compare(vm, a, b, op).map(Some);
    }
    if complex::is_complex(a) || complex::is_complex(b) {
        return Ok(complex::compare(a, b, op));
    }
    if let (Some(x), Some(y)) = (bytes::plain_bytes(a), bytes::plain_bytes(b)) {
        return Ok(Some(crate::ops::cmp_ord(x.cmp(&y), op)));
    }
    Ok(None)
}

/// Ranges are equal when they hold the same numbers (CPython's `range_equals`).
fn range_eq(x: &[i64; 3], y: &[i64; 3]) -> bool {
    let (lx, ly) = (range_len(x), range_len(y));
    if lx != ly {
        return false;
    }
    lx == 0 || (x[0] == y[0] && (lx == 1 || x[2] == y[2]))
}

fn sequence_compare(vm: &mut Vm, x: &[Value], y: &[Value], op: CmpOp) -> PyResult<bool> {
    for (a, b) in x.iter().zip(y) {
        if a.is(b) {
            continue;
        }
        // Items of the same primitive type decide without the generic protocol.
        let quick = match (a, b) {
            (Value::Int(p), Value::Int(q)) => Some(p.cmp(q)),
            (Value::Float(p), Value::Float(q)) => p.get().partial_cmp(&q.get()),
            (Value::Str(p), Value::Str(q)) => Some(p.as_str().cmp(q.as_str())),
            _ => None,
        };
        if let Some(ord) = quick {
            if ord == std::cmp::Ordering::Equal {
                continue;
            }
            return Ok(match op {
                CmpOp::Eq => false,
                CmpOp::Ne => true,
                _ => crate::ops::cmp_ord(ord, op),
            });
        }
        if !vm.eq(a, b)? {
            return match op {
                CmpOp::Eq => Ok(false),
                CmpOp::Ne => Ok(true),
                _ => {
                    let r = vm.compare(a, b, op)?;
                    vm.is_true(&r)
                }
            };
        }
    }
    Ok(crate::ops::cmp_ord(x.len().cmp(&y.len()), op))
}

/// `len()` of built-in payloads not handled inline.
pub fn payload_len(vm: &mut Vm, v: &Value) -> PyResult<usize> {
    if let Some(Payload::Iter(st)) = v.payload() {
        if let crate::iter::IterState::Dict { dict, .. } = &*st.borrow() {
            if let Payload::Dict(d) = &dict.payload {
                return Ok(d.borrow().len());
            }
        }
    }
    Err(vm.new_type_error(format!("object of type '{}' has no len()", vm.type_name(v))))
}

/// `in` for payloads with their own membership (ranges, dict views, bytes).
pub fn payload_contains(vm: &mut Vm, container: &Value, item: &Value) -> PyResult<Option<bool>> {
    match container.payload() {
        Some(Payload::BigRange(r)) => {
            if matches!(item, Value::Int(_) | Value::Bool(_))
                || matches!(item.payload(), Some(Payload::Int(_))) && !vm.is_heap(item)
            {
                let i = crate::num::to_bigint(item).unwrap_or_default();
                return Ok(Some(big_range::contains(r, &i)));
            }
            Ok(None)
        }
        Some(Payload::Range(r)) => {
            if let Some(Payload::Int(b)) = item.payload() {
                if !vm.is_heap(item) {
                    let r = r.map(BigInt::from);
                    return Ok(Some(big_range::contains(&r, b)));
                }
            }
            if let Value::Int(i) = item {
                let [start, stop, step] = **r;
                let inside = if step > 0 {
                    *i >= start && *i < stop
                } else {
                    *i <= start && *i > stop
                };
                return Ok(Some(inside && (i - start) % step == 0));
            }
            Ok(None)
        }
        Some(Payload::Iter(st)) => {
            let dict_view = match &*st.borrow() {
                crate::iter::IterState::Dict { dict, kind, .. } => Some((dict.clone(), *kind)),
                _ => None,
            };
            match dict_view {
                Some((d, 0)) => Ok(Some(vm.dict_lookup(&d, item)?.is_some())),
                Some((d, 2)) => {
                    let Some(Payload::Tuple(kv)) = item.payload() else {
                        return Ok(Some(false));
                    };
                    if kv.len() != 2 {
                        return Ok(Some(false));
                    }
                    match vm.dict_lookup(&d, &kv[0])? {
                        Some(v) => Ok(Some(vm.eq(&v, &kv[1])?)),
                        None => Ok(Some(false)),
                    }
                }
                _ => Ok(None),
            }
        }
        Some(Payload::Bytes(_)) | Some(Payload::ByteArray(_)) => {
            bytes::bytes_contains(vm, container, item).map(Some)
        }
        _ => Ok(None),
    }
}

/// `iter()` of payloads not handled inline (dict views, and objects of built-in types made
/// by natives, such as `coroutine_wrapper`, through their class's `__iter__`).
pub fn payload_iter(vm: &mut Vm, v: &Value) -> PyResult {
    match v.payload() {
        Some(Payload::Iter(_)) => return Ok(v.clone()),
        Some(Payload::Host(_)) => {
            let cls = vm.class_of(v).clone();
            if let Some(f) = vm.lookup(&cls, &vm.names.__iter__.clone()) {
                return vm.call_slot(&f, std::slice::from_ref(v));
            }
        }
        _ => {}
    }
    Err(vm.new_type_error(format!("'{}' object is not iterable", vm.type_name(v))))
}

/// Sorted attribute names of a value (`dir(v)`).
pub fn dir_of(vm: &mut Vm, v: &Value) -> PyResult<Vec<String>> {
    let names = functions::dir_names(vm, v)?;
    Ok(names
        .iter()
        .filter_map(|n| n.as_str().map(|s| s.as_str().to_string()))
        .collect())
}

/// Data attributes of built-in payloads (`f.__name__`, `e.args`, `z.real`, ...).
pub fn payload_attr(vm: &mut Vm, v: &Value, name: &str) -> PyResult<Option<Value>> {
    object::payload_attr(vm, v, name)
}

/// Attributes of classes not stored in their namespace (`__name__`, `__mro__`, ...).
pub fn type_special_attr(vm: &mut Vm, cls: &Obj, name: &str) -> PyResult<Option<Value>> {
    object::type_special_attr(vm, cls, name)
}
