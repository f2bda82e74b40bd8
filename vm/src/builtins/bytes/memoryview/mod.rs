//! `memoryview` over `bytes` and `bytearray`: items of the native single-character
//! formats (`item.rs`), any number of dimensions after a `cast` (`cast.rs`), indexing (by
//! tuples too), slices of the first dimension that are views of the same buffer (steps
//! included), writes into a bytearray, `tobytes`/`tolist`/`hex`/`toreadonly`, the buffer
//! attributes, `release` and the context manager, with CPython's messages. A view is accepted wherever a bytes-like object is
//! (`bytes(mv)`, `b"".join`, ...: [`view_bytes`] through `as_bytes`).
//!
//! CPython forbids resizing a bytearray while a view of it exists (`BufferError`); aio does
//! not track exports, so a view of a bytearray that shrank raises `ValueError` when it
//! reaches past the end.

mod cast;
mod item;

use super::super::{def_method, def_static};
use crate::native::Args;
use crate::object::{Object, Payload};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use item::Item;
use std::cell::RefCell;

/// A view's state: items of `format` laid out by `shape` and `strides` (in bytes) from
/// byte `start` of `obj`'s buffer.
struct MemoryView {
    /// The exporter: a `bytes` or `bytearray`.
    obj: Value,
    start: usize,
    shape: Vec<usize>,
    strides: Vec<isize>,
    /// The item format (a native single-character `struct` code).
    code: u8,
    /// Whether the format was written `"@x"` (it shows so in `format`).
    at: bool,
    itemsize: usize,
    readonly: bool,
    released: bool,
}

impl MemoryView {
    /// A one-dimensional byte view of `len` bytes of `obj`.
    fn bytes(obj: Value, len: usize, readonly: bool) -> MemoryView {
        MemoryView {
            obj,
            start: 0,
            shape: vec![len],
            strides: vec![1],
            code: b'B',
            at: false,
            itemsize: 1,
            readonly,
            released: false,
        }
    }

    /// A copy of the view's layout over the same exporter.
    fn duplicate(&self) -> MemoryView {
        MemoryView {
            obj: self.obj.clone(),
            shape: self.shape.clone(),
            strides: self.strides.clone(),
            ..*self
        }
    }

    /// `len(view)`: the first dimension (1 for a 0-dimensional view).
    fn len(&self) -> usize {
        self.shape.first().copied().unwrap_or(1)
    }

    /// `view.format`.
    fn format(&self) -> String {
        let at = if self.at { "@" } else { "" };
        format!("{at}{}", self.code as char)
    }

    /// `view.nbytes`: the size of the items, as if they were contiguous.
    fn nbytes(&self) -> usize {
        self.shape.iter().product::<usize>() * self.itemsize
    }

    /// The byte positions of the items, in C (row-major) order.
    fn positions(&self) -> Vec<usize> {
        let mut out = vec![self.start as isize];
        for (&n, &stride) in self.shape.iter().zip(&self.strides) {
            out = out
                .iter()
                .flat_map(|&o| (0..n as isize).map(move |i| o + i * stride))
                .collect();
        }
        out.into_iter().map(|p| p as usize).collect()
    }

    /// Whether the items are laid out contiguously in C order (`order` false) or Fortran
    /// order (`order` true), as CPython's `PyBuffer_IsContiguous`.
    fn is_contiguous(&self, fortran: bool) -> bool {
        if self.shape.contains(&0) {
            return true;
        }
        let mut expected = self.itemsize as isize;
        let dims: Vec<usize> = if fortran {
            (0..self.shape.len()).collect()
        } else {
            (0..self.shape.len()).rev().collect()
        };
        for d in dims {
            if self.shape[d] > 1 && self.strides[d] != expected {
                return false;
            }
            expected *= self.shape[d] as isize;
        }
        true
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
        ("cast", cast::mv_cast),
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
        ("c_contiguous", attr_c_contiguous),
        ("f_contiguous", attr_f_contiguous),
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

/// The bytes a (live) memoryview shows, in C order; `None` for anything else.
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

/// Runs `f` on the exporter's buffer; `None` when there is none.
fn with_buf<R>(mv: &MemoryView, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
    match mv.obj.payload()? {
        Payload::Bytes(b) => Some(f(b)),
        Payload::ByteArray(b) => Some(f(&b.borrow())),
        _ => None,
    }
}

/// The view's bytes in C order; `None` when the buffer shrank under it.
fn read(mv: &MemoryView) -> Option<Vec<u8>> {
    let positions = mv.positions();
    with_buf(mv, |buf| {
        let mut out = Vec::with_capacity(positions.len() * mv.itemsize);
        for p in positions {
            out.extend_from_slice(buf.get(p..p + mv.itemsize)?);
        }
        Some(out)
    })?
}

/// The view's items in C order; `None` when the buffer shrank under it.
fn items(mv: &MemoryView) -> Option<Vec<Item>> {
    let bytes = read(mv)?;
    Some(
        bytes
            .chunks(mv.itemsize)
            .map(|c| item::unpack(mv.code, c))
            .collect(),
    )
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
    bytes.ok_or_else(|| resized(vm))
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
    let mv = match buffer_of(vm, obj)? {
        Some(mv) => mv,
        None => {
            return Err(vm.new_type_error(format!(
                "memoryview: a bytes-like object is required, not '{}'",
                vm.type_name(obj)
            )))
        }
    };
    Ok(new_view(vm, mv))
}

/// The buffer `obj` exports (a bytes-like object or a live view), as a view of it.
fn buffer_of(vm: &mut Vm, obj: &Value) -> PyResult<Option<MemoryView>> {
    Ok(Some(match obj.payload() {
        Some(Payload::Bytes(b)) => MemoryView::bytes(obj.clone(), b.len(), true),
        Some(Payload::ByteArray(b)) => MemoryView::bytes(obj.clone(), b.borrow().len(), false),
        _ => match state(obj) {
            Some(_) => live(vm, obj)?.borrow().duplicate(),
            None => return Ok(None),
        },
    }))
}

fn mv_len(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__len__", 0, 0)?;
    let s = live(vm, &a.pos[0])?;
    let n = s.borrow().len();
    Ok(Value::Int(n as i64))
}

/// What a subscript selects: one item's byte position, a slice of the first dimension,
/// or (`...` on a 0-dimensional view) the view itself.
enum Key {
    Item(usize),
    Slice {
        start: usize,
        step: isize,
        len: usize,
    },
    Whole,
}

/// How a subscript reads or writes: they differ in a few of CPython's checks.
#[derive(Clone, Copy, PartialEq)]
enum Access {
    Get,
    Set,
}

/// The index of `i` in dimension `dim` (`lookup_dimension`), as a byte offset.
fn lookup_dimension(vm: &mut Vm, mv: &MemoryView, dim: usize, i: &Value) -> PyResult<isize> {
    let i = super::super::int::index_of(vm, i)?;
    let n = mv.shape[dim] as i64;
    let Some(i) = Some(if i < 0 { i + n } else { i }).filter(|i| (0..n).contains(i)) else {
        return Err(vm.new_exception_msg(
            &vm.exc.index_error.clone(),
            format!("index out of bounds on dimension {}", dim + 1),
        ));
    };
    Ok(i as isize * mv.strides[dim])
}

fn not_implemented(vm: &mut Vm, msg: &str) -> Obj {
    vm.new_exception_msg(&vm.exc.not_implemented_error.clone(), msg)
}

/// CPython's `memory_subscript` / `memory_ass_sub` key handling.
fn key(vm: &mut Vm, mv: &MemoryView, idx: &Value, access: Access) -> PyResult<Key> {
    let is_index = |vm: &Vm, v: &Value| super::super::int::is_index(vm, v);
    if mv.shape.is_empty() {
        let empty = matches!(idx.payload(), Some(Payload::Tuple(t)) if t.is_empty());
        return match () {
            _ if empty => Ok(Key::Item(mv.start)),
            _ if idx.is(&vm.ellipsis) => Ok(match access {
                Access::Get => Key::Whole,
                Access::Set => Key::Item(mv.start),
            }),
            _ => Err(vm.new_type_error("invalid indexing of 0-dim memory")),
        };
    }
    if is_index(vm, idx) {
        if mv.shape.len() > 1 {
            return Err(not_implemented(
                vm,
                match access {
                    Access::Get => "multi-dimensional sub-views are not implemented",
                    Access::Set => "sub-views are not implemented",
                },
            ));
        }
        let off = lookup_dimension(vm, mv, 0, idx)?;
        return Ok(Key::Item((mv.start as isize + off) as usize));
    }
    let tuple = match idx.payload() {
        Some(Payload::Tuple(t)) => Some(t),
        _ => None,
    };
    if let Some(Payload::Slice(sl)) = idx.payload() {
        if access == Access::Get || mv.shape.len() == 1 {
            let (start, stop, step) =
                super::super::subscript::slice_indices(vm, sl, mv.shape[0] as i64)?;
            let len = super::super::subscript::slice_len(start, stop, step);
            let first = if len == 0 { 0 } else { start };
            return Ok(Key::Slice {
                start: (mv.start as isize + first as isize * mv.strides[0]) as usize,
                step: step as isize,
                len,
            });
        }
    } else if let Some(t) = tuple.filter(|t| t.iter().all(|x| is_index(vm, x))) {
        if t.len() < mv.shape.len() {
            return Err(not_implemented(vm, "sub-views are not implemented"));
        }
        if t.len() > mv.shape.len() {
            return Err(vm.new_type_error(format!(
                "cannot index {}-dimension view with {}-element tuple",
                mv.shape.len(),
                t.len()
            )));
        }
        let mut pos = mv.start as isize;
        for (dim, i) in t.iter().enumerate() {
            pos += lookup_dimension(vm, mv, dim, i)?;
        }
        return Ok(Key::Item(pos as usize));
    }
    let multislice = tuple.is_some_and(|t| {
        t.iter()
            .all(|x| matches!(x.payload(), Some(Payload::Slice(_))))
    });
    if access == Access::Set && (multislice || matches!(idx.payload(), Some(Payload::Slice(_)))) {
        return Err(not_implemented(
            vm,
            "memoryview slice assignments are currently restricted to ndim = 1",
        ));
    }
    if multislice {
        return Err(not_implemented(
            vm,
            "multi-dimensional slicing is not implemented",
        ));
    }
    Err(vm.new_type_error("memoryview: invalid slice key"))
}

fn resized(vm: &mut Vm) -> Obj {
    vm.new_value_error("memoryview: underlying buffer was resized")
}

/// The item stored at byte `p`, or the error of a shrunk buffer.
fn item_at(vm: &mut Vm, mv: &MemoryView, p: usize) -> PyResult {
    let item = with_buf(mv, |buf| {
        buf.get(p..p + mv.itemsize)
            .map(|b| item::unpack(mv.code, b))
    })
    .flatten();
    match item {
        Some(it) => Ok(item::to_value(vm, it)),
        None => Err(resized(vm)),
    }
}

fn mv_getitem(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__getitem__", 1, 1)?;
    let s = live(vm, &a.pos[0])?;
    let k = key(vm, &s.borrow(), &a.pos[1], Access::Get)?;
    let mv = s.borrow();
    match k {
        Key::Item(p) => item_at(vm, &mv, p),
        Key::Whole => Ok(a.pos[0].clone()),
        Key::Slice { start, step, len } => {
            let mut view = mv.duplicate();
            view.start = start;
            view.shape[0] = len;
            view.strides[0] *= step;
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
    let value = &a.pos[2];
    let (code, itemsize) = (s.borrow().code, s.borrow().itemsize);
    // A slice's source buffer is read before the key is (`PyObject_GetBuffer` first).
    let src = match a.pos[1].payload() {
        Some(Payload::Slice(_)) if s.borrow().shape.len() == 1 => match buffer_of(vm, value)? {
            Some(src) => Some(src),
            None => {
                return Err(vm.new_type_error(format!(
                    "a bytes-like object is required, not '{}'",
                    vm.type_name(value)
                )))
            }
        },
        _ => None,
    };
    let k = key(vm, &s.borrow(), &a.pos[1], Access::Set)?;
    let (positions, bytes) = match k {
        Key::Item(p) => (vec![p], item::pack(vm, code, value)?),
        Key::Slice { start, step, len } => {
            let src = src.expect("a slice's source buffer");
            let mv = s.borrow();
            let same = src.code == code
                && src.itemsize == itemsize
                && src.shape.len() == 1
                && src.shape[0] == len;
            if !same {
                return Err(vm.new_value_error(
                    "memoryview assignment: lvalue and rvalue have different structures",
                ));
            }
            let stride = mv.strides[0] * step;
            drop(mv);
            let Some(bytes) = read(&src) else {
                return Err(resized(vm));
            };
            let positions = (0..len)
                .map(|i| (start as isize + i as isize * stride) as usize)
                .collect();
            (positions, bytes)
        }
        Key::Whole => unreachable!("a store never selects the whole view"),
    };
    let mv = s.borrow();
    let Some(Payload::ByteArray(buf)) = mv.obj.payload() else {
        return Err(vm.new_type_error("cannot modify read-only memory"));
    };
    let mut buf = buf.borrow_mut();
    if positions.iter().any(|&p| p + itemsize > buf.len()) {
        drop(buf);
        drop(mv);
        return Err(resized(vm));
    }
    for (p, item) in positions.into_iter().zip(bytes.chunks(itemsize)) {
        buf[p..p + itemsize].copy_from_slice(item);
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
    let ndim = live(vm, &a.pos[0])?.borrow().shape.len();
    match ndim {
        0 => Err(vm.new_type_error("invalid indexing of 0-dim memory")),
        1 => {
            let items = mv_tolist(vm, a)?;
            vm.get_iter(&items)
        }
        _ => Err(not_implemented(
            vm,
            "multi-dimensional sub-views are not implemented",
        )),
    }
}

/// Whether `self == other`: the same shape and equal items as another view or a
/// bytes-like object (a released view equals only itself); `None` when `other` has no
/// buffer.
fn equal(vm: &mut Vm, a: &Args) -> PyResult<Option<bool>> {
    a.method_count(vm, "__eq__", 1, 1)?;
    let (me, other) = (&a.pos[0], &a.pos[1]);
    let released = |v: &Value| state(v).is_some_and(|s| s.borrow().released);
    if released(me) || released(other) {
        return Ok(Some(me.is(other)));
    }
    let Some(mine) = state(me) else {
        return Ok(None);
    };
    let Some(theirs) = buffer_of(vm, other)? else {
        return Ok(None);
    };
    let mine = mine.borrow();
    if mine.shape != theirs.shape {
        return Ok(Some(false));
    }
    match (items(&mine), items(&theirs)) {
        (Some(x), Some(y)) => Ok(Some(x == y)),
        _ => {
            drop(mine);
            Err(resized(vm))
        }
    }
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
    if !item::is_byte_format(s.borrow().code) {
        return Err(
            vm.new_value_error("memoryview: hashing is restricted to formats 'B', 'b' or 'c'")
        );
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

/// `tolist()`: the items nested by the shape (a 0-dimensional view's one item bare).
fn mv_tolist(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "tolist", 0, 0)?;
    let s = live(vm, &a.pos[0])?;
    let mv = s.borrow();
    let (found, shape) = (items(&mv), mv.shape.clone());
    drop(mv);
    let Some(found) = found else {
        return Err(resized(vm));
    };
    let mut values: Vec<Value> = found.into_iter().map(|i| item::to_value(vm, i)).collect();
    let Some((&outer, inner)) = shape.split_first() else {
        return Ok(values.pop().unwrap_or(Value::None));
    };
    for &n in inner.iter().rev() {
        let rows: Vec<Vec<Value>> = values.chunks(n.max(1)).map(|c| c.to_vec()).collect();
        values = rows.into_iter().map(|r| vm.new_list(r)).collect();
    }
    values.truncate(outer);
    Ok(vm.new_list(values))
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
    let mut view = live(vm, &a.pos[0])?.borrow().duplicate();
    view.readonly = true;
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
    Ok(Value::Int(getter(vm, &a)?.nbytes() as i64))
}

fn attr_readonly(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::bool(getter(vm, &a)?.readonly))
}

fn attr_itemsize(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int(getter(vm, &a)?.itemsize as i64))
}

fn attr_format(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::str(getter(vm, &a)?.format()))
}

fn attr_ndim(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int(getter(vm, &a)?.shape.len() as i64))
}

/// A tuple of ints.
fn int_tuple(vm: &mut Vm, xs: impl Iterator<Item = i64>) -> Value {
    vm.new_tuple(xs.map(Value::Int).collect())
}

fn attr_shape(vm: &mut Vm, a: Args) -> PyResult {
    let shape = getter(vm, &a)?.shape.clone();
    Ok(int_tuple(vm, shape.into_iter().map(|n| n as i64)))
}

fn attr_strides(vm: &mut Vm, a: Args) -> PyResult {
    let strides = getter(vm, &a)?.strides.clone();
    Ok(int_tuple(vm, strides.into_iter().map(|n| n as i64)))
}

fn attr_suboffsets(vm: &mut Vm, a: Args) -> PyResult {
    getter(vm, &a)?;
    Ok(vm.new_tuple(Vec::new()))
}

fn attr_contiguous(vm: &mut Vm, a: Args) -> PyResult {
    let mv = getter(vm, &a)?;
    Ok(Value::bool(
        mv.is_contiguous(false) || mv.is_contiguous(true),
    ))
}

fn attr_c_contiguous(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::bool(getter(vm, &a)?.is_contiguous(false)))
}

fn attr_f_contiguous(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::bool(getter(vm, &a)?.is_contiguous(true)))
}
