//! `memoryview` over `bytes` and `bytearray` (format `'B'`, one dimension): indexing,
//! slices that are views of the same buffer (steps included), writes into a bytearray,
//! `tobytes`/`tolist`/`hex`/`toreadonly`, the buffer attributes, `release` and the context
//! manager, with CPython's messages. A view is accepted wherever a bytes-like object is
//! (`bytes(mv)`, `b"".join`, ...: [`view_bytes`] through `as_bytes`).
//!
//! CPython forbids resizing a bytearray while a view of it exists (`BufferError`); aio does
//! not track exports, so a view of a bytearray that shrank raises `ValueError` when it
//! reaches past the end.

use super::super::{def_method, def_static};
use crate::native::Args;
use crate::object::{Object, Payload};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;

/// A view's state: `len` items of `obj`'s bytes, from `start` by `step`.
struct MemoryView {
    /// The exporter: a `bytes` or `bytearray`.
    obj: Value,
    start: usize,
    step: isize,
    len: usize,
    readonly: bool,
    released: bool,
}

impl MemoryView {
    /// The byte positions the view covers, in order.
    fn positions(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.len).map(|i| (self.start as isize + i as isize * self.step) as usize)
    }
}

const RELEASED: &str = "operation forbidden on released memoryview object";

pub(super) fn install(vm: &mut Vm) {
    let object = vm.types.object.clone();
    let cls = crate::module::new_class(vm, "builtins", "memoryview", &[object]);
    if let Some(t) = cls.as_type() {
        t.final_.set(true);
    }
    def_static(vm, &cls, "__new__", memoryview_new);
    for (name, f) in [
        ("__len__", mv_len as crate::native::NativeFn),
        ("__getitem__", mv_getitem),
        ("__setitem__", mv_setitem),
        ("__delitem__", mv_delitem),
        ("__iter__", mv_iter),
        ("__eq__", mv_eq),
        ("__ne__", mv_ne),
        ("__hash__", mv_hash),
        ("__repr__", mv_repr),
        ("__enter__", mv_enter),
        ("__exit__", mv_exit),
        ("tobytes", mv_tobytes),
        ("tolist", mv_tolist),
        ("hex", mv_hex),
        ("toreadonly", mv_toreadonly),
        ("release", mv_release),
    ] {
        def_method(vm, &cls, name, f);
    }
    for (name, f) in [
        ("obj", attr_obj as crate::native::NativeFn),
        ("nbytes", attr_nbytes),
        ("readonly", attr_readonly),
        ("itemsize", attr_itemsize),
        ("format", attr_format),
        ("ndim", attr_ndim),
        ("shape", attr_shape),
        ("strides", attr_strides),
        ("suboffsets", attr_suboffsets),
        ("contiguous", attr_contiguous),
        ("c_contiguous", attr_contiguous),
        ("f_contiguous", attr_contiguous),
    ] {
        let p = super::super::readonly_property(vm, name, "memoryview", f, Value::None);
        vm.set_class_attr(&cls, name, p);
    }
    super::super::set_builtin(vm, "memoryview", Value::Obj(cls.clone()));
    vm.memoryview_type = Some(cls);
}

fn state(v: &Value) -> Option<&RefCell<MemoryView>> {
    match v.payload()? {
        Payload::Host(b) => b.downcast_ref::<RefCell<MemoryView>>(),
        _ => None,
    }
}

/// The bytes a (live) memoryview shows; `None` for anything else.
pub(crate) fn view_bytes(v: &Value) -> Option<Vec<u8>> {
    let mv = state(v)?.borrow();
    if mv.released {
        return None;
    }
    read(&mv)
}

/// Fails with CPython's `ValueError` when `v` is a released view.
pub(super) fn check_live(vm: &mut Vm, v: &Value) -> PyResult<()> {
    match state(v) {
        Some(s) if s.borrow().released => Err(vm.new_value_error(RELEASED)),
        _ => Ok(()),
    }
}

/// The view's bytes; `None` when the buffer shrank under it.
fn read(mv: &MemoryView) -> Option<Vec<u8>> {
    let gather = |buf: &[u8]| mv.positions().map(|p| buf.get(p).copied()).collect();
    match mv.obj.payload()? {
        Payload::Bytes(b) => gather(b),
        Payload::ByteArray(b) => gather(&b.borrow()),
        _ => None,
    }
}

fn new_view(vm: &mut Vm, mv: MemoryView) -> Value {
    let cls = vm.memoryview_type.clone().expect("memoryview installed");
    Value::Obj(vm.track(Object::new(cls, Payload::Host(Box::new(RefCell::new(mv))))))
}

/// `self`'s state, failing on a released view (or, defensively, a non-view).
fn live<'a>(vm: &mut Vm, v: &'a Value) -> PyResult<&'a RefCell<MemoryView>> {
    match state(v) {
        Some(s) if !s.borrow().released => Ok(s),
        Some(_) => Err(vm.new_value_error(RELEASED)),
        None => Err(vm.new_type_error(format!(
            "descriptor requires a 'memoryview' object but received a '{}'",
            vm.type_name(v)
        ))),
    }
}

/// The view's bytes, with the errors of a released view and a shrunk buffer.
fn contents(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    let s = live(vm, v)?;
    let bytes = read(&s.borrow());
    bytes.ok_or_else(|| vm.new_value_error("memoryview: underlying buffer was resized"))
}

/// `memoryview(object)`.
fn memoryview_new(vm: &mut Vm, a: Args) -> PyResult {
    if a.pos.len() > 2 {
        return Err(vm.new_type_error(format!(
            "memoryview() takes at most 1 argument ({} given)",
            a.pos.len() - 1
        )));
    }
    let Some(obj) = a.arg(1, "object") else {
        return Err(vm.new_type_error("memoryview() missing required argument 'object' (pos 1)"));
    };
    a.check_kwargs(vm, "memoryview", &["object"])?;
    let mv = match obj.payload() {
        Some(Payload::Bytes(b)) => MemoryView {
            obj: obj.clone(),
            start: 0,
            step: 1,
            len: b.len(),
            readonly: true,
            released: false,
        },
        Some(Payload::ByteArray(b)) => MemoryView {
            obj: obj.clone(),
            start: 0,
            step: 1,
            len: b.borrow().len(),
            readonly: false,
            released: false,
        },
        _ => match state(obj) {
            Some(s) => {
                let s = live(vm, obj).map(|_| s)?.borrow();
                MemoryView {
                    obj: s.obj.clone(),
                    ..*s
                }
            }
            None => {
                return Err(vm.new_type_error(format!(
                    "memoryview: a bytes-like object is required, not '{}'",
                    vm.type_name(obj)
                )))
            }
        },
    };
    Ok(new_view(vm, mv))
}

fn mv_len(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__len__", 0, 0)?;
    let s = live(vm, &a.pos[0])?;
    let n = s.borrow().len;
    Ok(Value::Int(n as i64))
}

/// What a subscript selects: one item's byte position, or a slice's view parameters.
enum Key {
    Item(usize),
    Slice {
        start: usize,
        step: isize,
        len: usize,
    },
}

fn key(vm: &mut Vm, mv: &MemoryView, idx: &Value) -> PyResult<Key> {
    match idx.payload() {
        Some(Payload::Slice(sl)) => {
            let (start, stop, step) =
                super::super::subscript::slice_indices(vm, sl, mv.len as i64)?;
            let len = super::super::subscript::slice_len(start, stop, step);
            let first = if len == 0 { 0 } else { start };
            Ok(Key::Slice {
                start: (mv.start as isize + first as isize * mv.step) as usize,
                step: mv.step * step as isize,
                len,
            })
        }
        Some(Payload::Tuple(t)) => Err(vm.new_type_error(format!(
            "cannot index 1-dimension view with {}-element tuple",
            t.len()
        ))),
        _ => {
            if !super::super::int::is_index(vm, idx) {
                return Err(vm.new_type_error("memoryview: invalid slice key"));
            }
            let i = super::super::int::index_of(vm, idx)?;
            let n = mv.len as i64;
            let Some(i) = Some(i).filter(|i| (-n..n).contains(i)) else {
                return Err(vm.new_exception_msg(
                    &vm.exc.index_error.clone(),
                    "index out of bounds on dimension 1",
                ));
            };
            let i = if i < 0 { i + n } else { i };
            Ok(Key::Item(
                (mv.start as isize + i as isize * mv.step) as usize,
            ))
        }
    }
}

fn resized(vm: &mut Vm) -> Obj {
    vm.new_value_error("memoryview: underlying buffer was resized")
}

fn mv_getitem(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__getitem__", 1, 1)?;
    let s = live(vm, &a.pos[0])?;
    let k = key(vm, &s.borrow(), &a.pos[1])?;
    let mv = s.borrow();
    match k {
        Key::Item(p) => {
            let byte = match mv.obj.payload() {
                Some(Payload::Bytes(b)) => b.get(p).copied(),
                Some(Payload::ByteArray(b)) => b.borrow().get(p).copied(),
                _ => None,
            };
            drop(mv);
            byte.map(|b| Value::Int(b as i64))
                .ok_or_else(|| resized(vm))
        }
        Key::Slice { start, step, len } => {
            let view = MemoryView {
                obj: mv.obj.clone(),
                start,
                step,
                len,
                readonly: mv.readonly,
                released: false,
            };
            drop(mv);
            Ok(new_view(vm, view))
        }
    }
}

fn mv_setitem(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__setitem__", 2, 2)?;
    let s = live(vm, &a.pos[0])?;
    if s.borrow().readonly {
        return Err(vm.new_type_error("cannot modify read-only memory"));
    }
    let k = key(vm, &s.borrow(), &a.pos[1])?;
    let value = &a.pos[2];
    let (positions, bytes) = match k {
        Key::Item(p) => {
            if !super::super::int::is_index(vm, value) {
                return Err(vm.new_type_error("memoryview: invalid type for format 'B'"));
            }
            let n = super::super::int::bigint_index(vm, value)?;
            use num_traits::ToPrimitive;
            let Some(b) = n.to_u8() else {
                return Err(vm.new_value_error("memoryview: invalid value for format 'B'"));
            };
            (vec![p], vec![b])
        }
        Key::Slice { start, step, len } => {
            let Some(bytes) = super::as_bytes(value) else {
                return Err(vm.new_type_error(format!(
                    "a bytes-like object is required, not '{}'",
                    vm.type_name(value)
                )));
            };
            if bytes.len() != len {
                return Err(vm.new_value_error(
                    "memoryview assignment: lvalue and rvalue have different structures",
                ));
            }
            let positions = (0..len)
                .map(|i| (start as isize + i as isize * step) as usize)
                .collect();
            (positions, bytes)
        }
    };
    let mv = s.borrow();
    let Some(Payload::ByteArray(buf)) = mv.obj.payload() else {
        return Err(vm.new_type_error("cannot modify read-only memory"));
    };
    let mut buf = buf.borrow_mut();
    if positions.iter().any(|&p| p >= buf.len()) {
        drop(buf);
        drop(mv);
        return Err(resized(vm));
    }
    for (p, b) in positions.into_iter().zip(bytes) {
        buf[p] = b;
    }
    Ok(Value::None)
}

fn mv_delitem(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__delitem__", 1, 1)?;
    if live(vm, &a.pos[0])?.borrow().readonly {
        return Err(vm.new_type_error("cannot modify read-only memory"));
    }
    Err(vm.new_type_error("cannot delete memory"))
}

fn mv_iter(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__iter__", 0, 0)?;
    let items = mv_tolist(vm, a)?;
    vm.get_iter(&items)
}

/// Whether `self == other`: the same bytes as another view or a bytes-like object (a
/// released view equals only itself).
fn equal(vm: &mut Vm, a: &Args) -> PyResult<Option<bool>> {
    a.method_count(vm, "__eq__", 1, 1)?;
    let (me, other) = (&a.pos[0], &a.pos[1]);
    if me.is(other) {
        return Ok(Some(true));
    }
    let released = |v: &Value| state(v).is_some_and(|s| s.borrow().released);
    if released(me) || released(other) {
        return Ok(Some(false));
    }
    let Some(mine) = view_bytes(me) else {
        return Ok(None);
    };
    Ok(super::as_bytes(other).map(|theirs| mine == theirs))
}

fn mv_eq(vm: &mut Vm, a: Args) -> PyResult {
    Ok(match equal(vm, &a)? {
        Some(b) => Value::bool(b),
        None => vm.not_implemented.clone(),
    })
}

fn mv_ne(vm: &mut Vm, a: Args) -> PyResult {
    Ok(match equal(vm, &a)? {
        Some(b) => Value::bool(!b),
        None => vm.not_implemented.clone(),
    })
}

fn mv_hash(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__hash__", 0, 0)?;
    let s = live(vm, &a.pos[0])?;
    if !s.borrow().readonly {
        return Err(vm.new_value_error("cannot hash writable memoryview object"));
    }
    let b = contents(vm, &a.pos[0])?;
    let bytes = crate::module::new_bytes(vm, b);
    vm.hash(&bytes).map(Value::Int)
}

fn mv_repr(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__repr__", 0, 0)?;
    let v = &a.pos[0];
    let released = state(v).is_some_and(|s| s.borrow().released);
    let prefix = if released {
        "released memory"
    } else {
        "memory"
    };
    Ok(Value::str(format!("<{prefix} at {:#x}>", v.id())))
}

fn mv_enter(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__enter__", 0, 0)?;
    live(vm, &a.pos[0])?;
    Ok(a.pos[0].clone())
}

fn mv_exit(vm: &mut Vm, a: Args) -> PyResult {
    mv_release(vm, Args::new(&a.pos[..1]))
}

fn mv_release(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "release", 0, 0)?;
    if let Some(s) = state(&a.pos[0]) {
        let mut mv = s.borrow_mut();
        mv.released = true;
        // The exporter is no longer kept alive by the view.
        mv.obj = Value::None;
    }
    Ok(Value::None)
}

fn mv_tobytes(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "tobytes", &["order"])?;
    let b = contents(vm, &a.pos[0])?;
    Ok(crate::module::new_bytes(vm, b))
}

fn mv_tolist(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "tolist", 0, 0)?;
    let b = contents(vm, &a.pos[0])?;
    Ok(vm.new_list(b.into_iter().map(|x| Value::Int(x as i64)).collect()))
}

fn mv_hex(vm: &mut Vm, a: Args) -> PyResult {
    let b = contents(vm, &a.pos[0])?;
    let bytes = crate::module::new_bytes(vm, b);
    let name = vm.intern("hex");
    let f = vm.get_attr(&bytes, &name)?;
    vm.call(&f, &a.pos[1..], a.kw)
}

fn mv_toreadonly(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "toreadonly", 0, 0)?;
    let s = live(vm, &a.pos[0])?.borrow();
    let view = MemoryView {
        obj: s.obj.clone(),
        readonly: true,
        ..*s
    };
    drop(s);
    Ok(new_view(vm, view))
}

/// A property getter's view, failing on a released one.
fn getter<'a>(vm: &mut Vm, a: &Args<'a>) -> PyResult<std::cell::Ref<'a, MemoryView>> {
    live(vm, &a.pos[0]).map(|s| s.borrow())
}

fn attr_obj(vm: &mut Vm, a: Args) -> PyResult {
    Ok(getter(vm, &a)?.obj.clone())
}

fn attr_nbytes(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int(getter(vm, &a)?.len as i64))
}

fn attr_readonly(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::bool(getter(vm, &a)?.readonly))
}

fn attr_itemsize(vm: &mut Vm, a: Args) -> PyResult {
    getter(vm, &a)?;
    Ok(Value::Int(1))
}

fn attr_format(vm: &mut Vm, a: Args) -> PyResult {
    getter(vm, &a)?;
    Ok(Value::str("B"))
}

fn attr_ndim(vm: &mut Vm, a: Args) -> PyResult {
    getter(vm, &a)?;
    Ok(Value::Int(1))
}

fn attr_shape(vm: &mut Vm, a: Args) -> PyResult {
    let n = getter(vm, &a)?.len as i64;
    Ok(vm.new_tuple(vec![Value::Int(n)]))
}

fn attr_strides(vm: &mut Vm, a: Args) -> PyResult {
    let step = getter(vm, &a)?.step as i64;
    Ok(vm.new_tuple(vec![Value::Int(step)]))
}

fn attr_suboffsets(vm: &mut Vm, a: Args) -> PyResult {
    getter(vm, &a)?;
    Ok(vm.new_tuple(Vec::new()))
}

fn attr_contiguous(vm: &mut Vm, a: Args) -> PyResult {
    let mv = getter(vm, &a)?;
    Ok(Value::bool(mv.step == 1 || mv.len <= 1))
}
