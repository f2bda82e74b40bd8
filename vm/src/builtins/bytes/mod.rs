//! `bytes` and `bytearray`: constructors, argument helpers, concatenation and membership.
//! The methods live beside: [`methods`] (searching, splitting, padding, translation),
//! [`case`] (ASCII case and predicates), [`codec`] (decode, hex, `%`) and [`mutate`]
//! (bytearray's in-place methods and item/slice assignment); [`memoryview`] is the view
//! type over both.

mod case;
pub(crate) mod codec;
mod dunder;
mod memoryview;
mod methods;
mod mutate;

pub use super::codecs::{decode_bytes, encode_str};
pub use codec::{bytes_percent, hex_bytes, hex_sep};
pub use mutate::{bytearray_delitem, bytearray_inplace, bytearray_setitem};

use super::{def_classmethod, def_methods, def_static};
use crate::code::BinOp;
use crate::native::{Args, NativeFn, Sig};
use crate::object::{Object, Payload};
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;

pub(super) fn install(vm: &mut Vm) {
    let b = vm.types.bytes.clone();
    def_static(vm, &b, "__new__", bytes_new);
    let ba = vm.types.bytearray.clone();
    def_static(vm, &ba, "__new__", bytearray_new);
    super::def_method(vm, &ba, "__init__", bytearray_init);
    for cls in [b, ba.clone()] {
        let tables = [
            methods::METHODS,
            case::METHODS,
            codec::METHODS,
            dunder::COMMON,
        ];
        for table in tables {
            def_methods(vm, &cls, table);
        }
        def_static(vm, &cls, "maketrans", methods::maketrans);
        def_classmethod(vm, &cls, "fromhex", Sig::O, codec::fromhex);
    }
    def_methods(vm, &ba, mutate::METHODS);
    def_methods(vm, &ba, dunder::BYTEARRAY);
    def_methods(vm, &vm.types.bytes.clone(), dunder::BYTES);
    memoryview::install(vm);
}

/// A method table: names, calling conventions and functions.
type Table = &'static [(&'static str, Sig, NativeFn)];

/// Runs `f` on the buffer of a `bytes` or `bytearray` object, borrowed rather than copied
/// (`None` for other objects). `f` must not run aio code: a bytearray stays borrowed.
pub(crate) fn with_buffer<R>(o: &crate::object::Object, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
    match &o.payload {
        Payload::Bytes(b) => Some(f(b)),
        Payload::ByteArray(b) => Some(f(&b.borrow())),
        _ => None,
    }
}

/// The bytes of a `bytes`, `bytearray` or `memoryview` value.
pub fn as_bytes(v: &Value) -> Option<Vec<u8>> {
    match v.payload()? {
        Payload::Bytes(b) => Some(b.to_vec()),
        Payload::ByteArray(b) => Some(b.borrow().clone()),
        Payload::Host(_) => memoryview::view_bytes(v),
        _ => None,
    }
}

/// The bytes of a `bytes` or `bytearray` value (not of a view): where CPython requires
/// the bytes type itself (ordering, the left operand of `+` and `%`).
pub fn plain_bytes(v: &Value) -> Option<Vec<u8>> {
    match v.payload()? {
        Payload::Host(_) => None,
        _ => as_bytes(v),
    }
}

/// A new bytearray.
pub fn new_bytearray(vm: &Vm, b: Vec<u8>) -> Value {
    Value::Obj(vm.track(Object::new(
        vm.types.bytearray.clone(),
        Payload::ByteArray(RefCell::new(b)),
    )))
}

/// The bytes a constructor argument stands for (`bytes(x)`, `bytearray(x)`); `range_msg`
/// is the error for an int outside `range(0, 256)`.
fn make_bytes(
    vm: &mut Vm,
    src: Option<&Value>,
    encoding: Option<&Value>,
    range_msg: &str,
) -> PyResult<Vec<u8>> {
    let Some(src) = src else {
        if encoding.is_some() {
            return Err(vm.new_type_error("encoding without a string argument"));
        }
        return Ok(Vec::new());
    };
    if encoding.is_some() && src.as_str().is_none() {
        return Err(vm.new_type_error("encoding without a string argument"));
    }
    if let Some(s) = src.as_str() {
        let Some(enc) = encoding else {
            return Err(vm.new_type_error("string argument without an encoding"));
        };
        let m = vm.intern("encode");
        let f = vm.get_attr(&Value::Str(s.clone()), &m)?;
        let r = vm.call(&f, std::slice::from_ref(enc), &[])?;
        return Ok(as_bytes(&r).unwrap_or_default());
    }
    if let Some(b) = as_bytes(src) {
        return Ok(b);
    }
    if super::int::is_index(vm, src) {
        let n = super::int::size_of(vm, src)?;
        if n < 0 {
            return Err(vm.new_value_error("negative count"));
        }
        vm.check_allocation(n as usize)?;
        let mut v = Vec::new();
        if v.try_reserve_exact(n as usize).is_err() {
            return Err(vm.new_exception(&vm.exc.memory_error.clone(), vec![]));
        }
        v.resize(n as usize, 0);
        return Ok(v);
    }
    memoryview::check_live(vm, src)?;
    let items = vm.collect(src).map_err(|_| {
        vm.new_type_error(format!(
            "cannot convert '{}' object to bytes",
            vm.type_name(src)
        ))
    })?;
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        out.push(byte_in_range(vm, &i, range_msg)?);
    }
    Ok(out)
}

/// An int in `range(0, 256)`, with CPython's errors.
fn byte_of(vm: &mut Vm, v: &Value) -> PyResult<u8> {
    byte_in_range(vm, v, "byte must be in range(0, 256)")
}

/// An int (or `__index__` object) in `range(0, 256)`; `ValueError(range_msg)` for any other
/// int, also one past 64 bits (not "cannot fit 'int' into an index-sized integer").
fn byte_in_range(vm: &mut Vm, v: &Value, range_msg: &str) -> PyResult<u8> {
    if let Value::Int(n) = v {
        return u8::try_from(*n).map_err(|_| vm.new_value_error(range_msg));
    }
    let n = super::int::bigint_index(vm, v)?;
    u8::try_from(&n).map_err(|_| vm.new_value_error(range_msg))
}

fn bytes_new(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "bytes", 0, 3, 3)?;
    let r = exact_bytes_new(vm, a)?;
    // A subclass (`bytes.__new__(B, ...)`): an instance of it holding the same bytes.
    let cls = a.pos[0].as_obj().cloned().expect("class");
    if std::rc::Rc::ptr_eq(&cls, &vm.types.bytes) {
        return Ok(r);
    }
    let b = as_bytes(&r).unwrap_or_default();
    crate::embed::limits::buffer_alloc(b.len());
    let inst = vm.new_instance(&cls)?;
    Ok(super::int::rebuild(
        vm,
        &inst,
        Payload::Bytes(b.into_boxed_slice()),
    ))
}

/// `bytes(...)`: the `bytes` object the arguments after the class stand for.
fn exact_bytes_new(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "bytes", &["source", "encoding", "errors"])?;
    // `bytes(x)` asks `x.__bytes__()` first, as CPython does (`bytes(path)`, a subclass of
    // bytes or bytearray that defines it); exact bytes (whose `__bytes__` is itself) and
    // bytearray (which has none) are read directly.
    if let (Some(src @ Value::Obj(o)), None) = (a.arg(1, "source"), a.arg(2, "encoding")) {
        let exact = o.class_raw().is_some_and(|c| {
            std::rc::Rc::ptr_eq(c, &vm.types.bytes) || std::rc::Rc::ptr_eq(c, &vm.types.bytearray)
        });
        if !exact {
            if let Some(r) = crate::module::call_special(vm, src, "__bytes__", &[])? {
                if matches!(r.payload(), Some(Payload::Bytes(_))) {
                    return Ok(r);
                }
                return Err(vm.new_type_error(format!(
                    "__bytes__ returned non-bytes (type {})",
                    vm.type_name(&r)
                )));
            }
        }
    }
    let b = make_bytes(
        vm,
        a.arg(1, "source"),
        a.arg(2, "encoding"),
        "bytes must be in range(0, 256)",
    )?;
    Ok(super::bytes_const(&vm.types, b))
}

/// `bytearray.__new__(cls, ...)`: an empty bytearray of `cls`, whatever the arguments;
/// `bytearray.__init__` fills it, as in CPython (so a subclass `__init__` that does not
/// call it leaves the instance empty).
fn bytearray_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = a.pos[0].as_obj().cloned().expect("class");
    if std::rc::Rc::ptr_eq(&cls, &vm.types.bytearray) {
        return Ok(new_bytearray(vm, Vec::new()));
    }
    vm.new_instance(&cls)
}

/// `bytearray.__init__(source=..., encoding=...)`: replaces the contents.
fn bytearray_init(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "bytearray", &["source", "encoding", "errors"])?;
    let b = make_bytes(
        vm,
        a.arg(1, "source"),
        a.arg(2, "encoding"),
        "byte must be in range(0, 256)",
    )?;
    match a.pos.first().and_then(|v| v.payload()) {
        Some(Payload::ByteArray(cell)) => *cell.borrow_mut() = b,
        _ => return Err(vm.new_type_error("descriptor '__init__' requires a 'bytearray' object")),
    }
    Ok(Value::None)
}

/// A result of the receiver's kind: bytearray methods return bytearrays.
fn same_kind(vm: &Vm, like: &Value, b: Vec<u8>) -> Value {
    match like.payload() {
        Some(Payload::ByteArray(_)) => new_bytearray(vm, b),
        _ => super::bytes_const(&vm.types, b),
    }
}

/// The receiver's bytes.
fn this(vm: &mut Vm, a: &Args, name: &str) -> PyResult<Vec<u8>> {
    match a.pos.first().and_then(as_bytes) {
        Some(b) => Ok(b),
        None => Err(vm.new_type_error(format!("descriptor '{name}' requires a 'bytes' object"))),
    }
}

/// A bytes-like argument, or CPython's `TypeError` for a `Py_buffer` parameter
/// (`a bytes-like object is required, not 'str'`).
pub fn arg_bytes(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    as_bytes(v).ok_or_else(|| {
        vm.new_type_error(format!(
            "a bytes-like object is required, not '{}'",
            vm.type_name(v)
        ))
    })
}

/// `+` on bytes (the result has the left operand's kind).
pub fn bytes_binary(vm: &mut Vm, a: &Value, b: &Value, op: BinOp) -> PyResult<Option<Value>> {
    if op == BinOp::Rem {
        if plain_bytes(a).is_some() {
            return bytes_percent(vm, a, b).map(Some);
        }
        return Ok(None);
    }
    if op != BinOp::Add {
        return Ok(None);
    }
    match (plain_bytes(a), as_bytes(b)) {
        (Some(mut x), Some(y)) => {
            x.extend(y);
            Ok(Some(same_kind(vm, a, x)))
        }
        _ => Ok(None),
    }
}

/// `x in bytes`.
pub fn bytes_contains(vm: &mut Vm, container: &Value, item: &Value) -> PyResult<bool> {
    let b = as_bytes(container).unwrap_or_default();
    // As CPython's `_Py_bytes_contains`: an int-like is a byte (any out-of-range value,
    // however large, is a ValueError), anything else must be bytes-like.
    if super::int::is_index(vm, item) {
        let n = super::int::bigint_index(vm, item)?;
        return match u8::try_from(&n) {
            Ok(c) => Ok(b.contains(&c)),
            Err(_) => Err(vm.new_value_error("byte must be in range(0, 256)")),
        };
    }
    let Some(p) = as_bytes(item) else {
        return Err(vm.new_type_error(format!(
            "a bytes-like object is required, not '{}'",
            vm.type_name(item)
        )));
    };
    Ok(super::text::find(&b, &p, 0, b.len()).is_some())
}
