//! `io.BytesIO`'s buffer and its methods, native as CPython's (`Modules/_io/bytesio.c`):
//! the class stays the one `io.aio` defines (a subclass of `IOBase`, which supplies
//! `readlines`, `writelines`, iteration and the context manager), and these natives
//! replace its constructor and methods, with CPython's messages.

use aio_vm::module::{new_bytes, to_index_i64, ClassBuilder};
use aio_vm::native::Args;
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;

/// A `BytesIO`'s state.
#[derive(Default)]
struct BytesIo {
    buf: Vec<u8>,
    /// The position (may be past the end).
    pos: usize,
    closed: bool,
}

/// Replaces the methods of the class `BytesIO` that `io.aio` just defined in `m`.
pub(super) fn install(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let cls = super::memory_class(vm, m, "BytesIO")?;
    ClassBuilder::new(vm, &cls)
        .constructor(new)
        .method("__init__", init)
        .method("write", write)
        .method("read", read)
        .method("read1", read)
        .method("readline", readline)
        .method("readinto", readinto)
        .method("getvalue", getvalue)
        .method("tell", tell)
        .method("seek", seek)
        .method("truncate", truncate)
        .method("close", close)
        .method("flush", flush)
        .method("isatty", isatty)
        .method("__getstate__", getstate)
        .method("__setstate__", setstate)
        .method("readable", yes)
        .method("writable", yes)
        .method("seekable", yes);
    crate::native_class::property(vm, &cls, "closed", closed, true);
    Ok(())
}

fn new(vm: &mut Vm, a: Args) -> PyResult {
    super::new_memory::<BytesIo>(vm, &a, "BytesIO")
}

/// The state of `self` (argument 0).
fn state<'a>(vm: &mut Vm, a: &Args<'a>) -> PyResult<&'a RefCell<BytesIo>> {
    super::memory_state(vm, a, "BytesIO")
}

/// The state of `self`, which must be open.
fn open_state<'a>(vm: &mut Vm, a: &Args<'a>) -> PyResult<&'a RefCell<BytesIo>> {
    let st = state(vm, a)?;
    if st.borrow().closed {
        return Err(vm.new_value_error("I/O operation on closed file."));
    }
    Ok(st)
}

/// The bytes of a bytes-like argument, with CPython's message for anything else.
fn data(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    let bytes = match v.payload() {
        Some(Payload::Bytes(b)) => Some(b.to_vec()),
        Some(Payload::ByteArray(b)) => Some(b.borrow().clone()),
        _ if v.as_str().is_some() => None,
        // Other buffers (`memoryview`, `array.array`) give their bytes.
        _ => match aio_vm::module::bytes_of(v) {
            Some(b) => Some(b),
            None => match aio_vm::module::getattr(vm, v, "tobytes") {
                Ok(f) => {
                    let b = vm.call(&f, &[], &[])?;
                    aio_vm::module::bytes_of(&b)
                }
                Err(_) => None,
            },
        },
    };
    bytes.ok_or_else(|| {
        let t = vm.type_name(v);
        vm.new_type_error(format!("a bytes-like object is required, not '{t}'"))
    })
}

/// `BytesIO(initial_bytes=b'')`.
fn init(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "BytesIO", &["initial_bytes"])?;
    if a.pos.len() > 2 {
        return Err(vm.new_type_error(format!(
            "BytesIO() takes at most 1 argument ({} given)",
            a.pos.len() - 1
        )));
    }
    let initial = match a.arg(1, "initial_bytes") {
        None | Some(Value::None) => Vec::new(),
        Some(v) => data(vm, v)?,
    };
    let st = state(vm, &a)?;
    *st.borrow_mut() = BytesIo {
        buf: initial,
        ..BytesIo::default()
    };
    Ok(Value::None)
}

fn write(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "BytesIO.write", 1, 1)?;
    let st = open_state(vm, &a)?;
    let b = data(vm, &a.pos[1])?;
    let mut s = st.borrow_mut();
    let n = b.len();
    if n > 0 {
        let pos = s.pos;
        if pos > s.buf.len() {
            // Past the end: the gap fills with NUL bytes.
            s.buf.resize(pos, 0);
        }
        let overlap = n.min(s.buf.len() - pos);
        s.buf[pos..pos + overlap].copy_from_slice(&b[..overlap]);
        s.buf.extend_from_slice(&b[overlap..]);
        s.pos = pos + n;
    }
    Ok(Value::Int(n as i64))
}

fn read(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "BytesIO.read", 0, 1)?;
    let st = open_state(vm, &a)?;
    let size = super::optional_size(vm, a.pos.get(1))?;
    let mut s = st.borrow_mut();
    let start = s.pos.min(s.buf.len());
    let end = size.map_or(s.buf.len(), |n| s.buf.len().min(start.saturating_add(n)));
    let out = s.buf[start..end].to_vec();
    s.pos = s.pos.max(end);
    drop(s);
    Ok(new_bytes(vm, out))
}

fn readline(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "BytesIO.readline", 0, 1)?;
    let st = open_state(vm, &a)?;
    let size = super::optional_size(vm, a.pos.get(1))?;
    let mut s = st.borrow_mut();
    let start = s.pos.min(s.buf.len());
    let rest = &s.buf[start..];
    let mut end = rest
        .iter()
        .position(|&c| c == b'\n')
        .map_or(rest.len(), |i| i + 1);
    if let Some(n) = size {
        end = end.min(n);
    }
    let out = rest[..end].to_vec();
    s.pos = start + end;
    drop(s);
    Ok(new_bytes(vm, out))
}

/// `readinto(buffer)`: into a `bytearray` or a writable `memoryview`.
fn readinto(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "BytesIO.readinto", 1, 1)?;
    let st = open_state(vm, &a)?;
    let Some(Payload::ByteArray(target)) = a.pos[1].payload() else {
        return readinto_view(vm, st, &a.pos[1]);
    };
    let mut s = st.borrow_mut();
    let mut target = target.borrow_mut();
    let start = s.pos.min(s.buf.len());
    let n = target.len().min(s.buf.len() - start);
    target[..n].copy_from_slice(&s.buf[start..start + n]);
    s.pos = start + n;
    Ok(Value::Int(n as i64))
}

/// `readinto` of a writable `memoryview` (a view of a `bytearray`, maybe a slice of one):
/// the bytes go in by item assignment, `view[:n] = data`.
fn readinto_view(vm: &mut Vm, st: &RefCell<BytesIo>, target: &Value) -> PyResult {
    let t = vm.type_name(target);
    let writable = t == "memoryview" && {
        let ro = aio_vm::module::getattr(vm, target, "readonly")?;
        !vm.is_true(&ro)?
    };
    if !writable {
        return Err(vm.new_type_error(format!(
            "readinto() argument must be read-write bytes-like object, not {t}"
        )));
    }
    // The buffer protocol's view of it: bytes, whatever its format and shape (a
    // `cast("H")` view takes 8 bytes as 4 items).
    let byte_format = {
        let fmt = aio_vm::module::getattr(vm, target, "format")?;
        let ndim = aio_vm::module::getattr(vm, target, "ndim")?;
        fmt.as_str().is_some_and(|f| f.as_str() == "B") && matches!(ndim, Value::Int(1))
    };
    let target = &if byte_format {
        target.clone()
    } else {
        let cast = aio_vm::module::getattr(vm, target, "cast")?;
        vm.call(&cast, &[Value::str("B")], &[])?
    };
    let len = vm.len(target)?;
    let data = {
        let mut s = st.borrow_mut();
        let start = s.pos.min(s.buf.len());
        let n = len.min(s.buf.len() - start);
        s.pos = start + n;
        s.buf[start..start + n].to_vec()
    };
    let n = data.len();
    let slice = vm.new_slice(Value::None, Value::Int(n as i64), Value::None);
    let data = new_bytes(vm, data);
    vm.setitem(target, slice, data)?;
    Ok(Value::Int(n as i64))
}

fn getvalue(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "BytesIO.getvalue", 0, 0)?;
    let st = open_state(vm, &a)?;
    let out = st.borrow().buf.clone();
    Ok(new_bytes(vm, out))
}

fn tell(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "BytesIO.tell", 0, 0)?;
    let st = open_state(vm, &a)?;
    let pos = st.borrow().pos;
    Ok(Value::Int(pos as i64))
}

/// `seek(pos, whence=0)`.
fn seek(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "BytesIO.seek", 1, 2)?;
    let st = open_state(vm, &a)?;
    let pos = to_index_i64(vm, &a.pos[1])?;
    let whence = match a.pos.get(2) {
        Some(w) => to_index_i64(vm, w)?,
        None => 0,
    };
    let mut s = st.borrow_mut();
    let new = match whence {
        0 if pos < 0 => {
            drop(s);
            return Err(vm.new_value_error(format!("negative seek value {pos}")));
        }
        0 => pos,
        1 => (s.pos as i64).saturating_add(pos).max(0),
        2 => (s.buf.len() as i64).saturating_add(pos).max(0),
        _ => {
            drop(s);
            return Err(
                vm.new_value_error(format!("invalid whence ({whence}, should be 0, 1 or 2)"))
            );
        }
    };
    s.pos = new as usize;
    Ok(Value::Int(new))
}

/// `truncate(size=None)`: the position does not move.
fn truncate(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "BytesIO.truncate", 0, 1)?;
    let st = open_state(vm, &a)?;
    let size = match a.pos.get(1) {
        None | Some(Value::None) => st.borrow().pos as i64,
        Some(v) => to_index_i64(vm, v)?,
    };
    if size < 0 {
        return Err(vm.new_value_error(format!("negative size value {size}")));
    }
    let mut s = st.borrow_mut();
    let size = size as usize;
    if size < s.buf.len() {
        s.buf.truncate(size);
    }
    Ok(Value::Int(size as i64))
}

fn close(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "BytesIO.close", 0, 0)?;
    let st = state(vm, &a)?;
    let mut s = st.borrow_mut();
    s.closed = true;
    s.buf = Vec::new();
    Ok(Value::None)
}

fn flush(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "BytesIO.flush", 0, 0)?;
    open_state(vm, &a)?;
    Ok(Value::None)
}

fn isatty(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "BytesIO.isatty", 0, 0)?;
    open_state(vm, &a)?;
    Ok(false.into())
}

/// `readable()`, `writable()`, `seekable()`: true while open.
fn yes(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "BytesIO", 0, 0)?;
    open_state(vm, &a)?;
    Ok(true.into())
}

fn closed(vm: &mut Vm, a: Args) -> PyResult {
    let closed = state(vm, &a)?.borrow().closed;
    Ok(closed.into())
}

/// `(value, position, __dict__)`, for `copy` and `pickle`.
fn getstate(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "BytesIO.__getstate__", 0, 0)?;
    let st = open_state(vm, &a)?;
    let (value, pos) = {
        let s = st.borrow();
        (s.buf.clone(), s.pos)
    };
    let value = new_bytes(vm, value);
    let dict = match &a.pos[0] {
        Value::Obj(o) => match o.dict.get() {
            Some(d) if matches!(&d.payload, Payload::Dict(t) if !t.borrow().is_empty()) => {
                Value::Obj(d.clone())
            }
            _ => Value::None,
        },
        _ => Value::None,
    };
    Ok(vm.new_tuple(vec![value, Value::Int(pos as i64), dict]))
}

/// `__setstate__((value, position, __dict__))`.
fn setstate(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "BytesIO.__setstate__", 1, 1)?;
    let st = state(vm, &a)?;
    let items: Vec<Value> = match a.pos[1].payload() {
        Some(Payload::Tuple(t)) if t.len() >= 3 => t.to_vec(),
        _ => return Err(vm.new_type_error("BytesIO.__setstate__ argument should be 3-tuple")),
    };
    let buf = data(vm, &items[0])?;
    let pos = to_index_i64(vm, &items[1])?;
    if pos < 0 {
        return Err(vm.new_value_error("position value cannot be negative"));
    }
    *st.borrow_mut() = BytesIo {
        buf,
        pos: pos as usize,
        closed: false,
    };
    if !items[2].is_none() {
        let d = aio_vm::module::getattr(vm, &a.pos[0], "__dict__")?;
        aio_vm::module::call_method(vm, &d, "update", &[items[2].clone()])?;
    }
    Ok(Value::None)
}
