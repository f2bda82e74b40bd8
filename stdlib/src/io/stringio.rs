//! `io.StringIO`'s buffer and its methods, native as CPython's (`Modules/_io/stringio.c`):
//! the class stays the one `io.aio` defines (a subclass of `IOBase`, which supplies
//! `readlines`, `writelines` and the context manager), and these natives replace its
//! constructor and methods. As CPython's, the buffer accumulates appended text as one
//! string until something reads, seeks back or overwrites; then it becomes an array of
//! characters, so positions are character indexes in constant time.

use aio_vm::module::{native_state, to_index_i64, ClassBuilder};
use aio_vm::native::{Args, NativeFn, NativeImpl};
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;

/// The text and how it is held.
enum Store {
    /// Appends only so far: the text and its length in characters.
    Accumulating(String, usize),
    /// The characters, once anything needed random access.
    Chars(Vec<char>),
}

impl Default for Store {
    fn default() -> Self {
        Store::Accumulating(String::new(), 0)
    }
}

impl Store {
    fn len(&self) -> usize {
        match self {
            Store::Accumulating(_, n) => *n,
            Store::Chars(c) => c.len(),
        }
    }

    /// The characters, converting an accumulated string.
    fn chars(&mut self) -> &mut Vec<char> {
        if let Store::Accumulating(s, _) = self {
            *self = Store::Chars(s.chars().collect());
        }
        match self {
            Store::Chars(c) => c,
            Store::Accumulating(..) => unreachable!("converted above"),
        }
    }

    fn text(&self) -> String {
        match self {
            Store::Accumulating(s, _) => s.clone(),
            Store::Chars(c) => c.iter().collect(),
        }
    }
}

/// How the `newline` argument treats line endings.
#[derive(Default, Clone)]
struct Newlines {
    /// `newline=None`: `\r\n` and `\r` written become `\n`.
    translate_in: bool,
    /// `newline=''`: lines end at `\n`, `\r` or `\r\n`.
    universal: bool,
    /// `newline='\r'` or `'\r\n'`: what a written `\n` becomes.
    write_nl: Option<&'static str>,
    /// The ending `readline` looks for otherwise.
    read_nl: &'static str,
}

/// A `StringIO`'s state.
#[derive(Default)]
struct StringIo {
    store: Store,
    /// The position in characters (may be past the end).
    pos: usize,
    newlines: Newlines,
    /// The `newline` argument, for `__getstate__`.
    newline: Option<String>,
    closed: bool,
    initialized: bool,
}

/// Replaces the methods of the class `StringIO` that `io.aio` just defined in `m`.
pub(super) fn install(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let cls = super::memory_class(vm, m, "StringIO")?;
    ClassBuilder::new(vm, &cls)
        .constructor(new)
        .method("__init__", init)
        .method("write", write)
        .method("read", read)
        .method("readline", readline)
        .method("__next__", next)
        .method("getvalue", getvalue)
        .method("tell", tell)
        .method("seek", seek)
        .method("truncate", truncate)
        .method("close", close)
        .method("flush", flush)
        .method("__getstate__", getstate)
        .method("__setstate__", setstate)
        .method("readable", readable)
        .method("writable", writable)
        .method("seekable", seekable);
    crate::native_class::property(vm, &cls, "closed", closed, true);
    Ok(())
}

fn new(vm: &mut Vm, a: Args) -> PyResult {
    super::new_memory::<StringIo>(vm, &a, "StringIO")
}

/// The state of `self` (argument 0).
fn state<'a>(vm: &mut Vm, a: &Args<'a>) -> PyResult<&'a RefCell<StringIo>> {
    super::memory_state(vm, a, "StringIO")
}

/// The state of `self`, which must be initialised and open.
fn open_state<'a>(vm: &mut Vm, a: &Args<'a>) -> PyResult<&'a RefCell<StringIo>> {
    let st = state(vm, a)?;
    let (initialized, closed) = {
        let s = st.borrow();
        (s.initialized, s.closed)
    };
    if !initialized {
        return Err(vm.new_value_error("I/O operation on uninitialized object"));
    }
    if closed {
        return Err(vm.new_value_error("I/O operation on closed file"));
    }
    Ok(st)
}

/// `StringIO(initial_value='', newline='\n')`.
fn init(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "StringIO", &["initial_value", "newline"])?;
    if a.pos.len() > 3 {
        return Err(vm.new_type_error(format!(
            "StringIO() takes at most 2 arguments ({} given)",
            a.pos.len() - 1
        )));
    }
    let newline = match a.arg(2, "newline") {
        None => Some("\n".to_string()),
        Some(Value::None) => None,
        Some(v) => match v.as_str() {
            Some(s) => Some(s.as_str().to_string()),
            None => {
                return Err(vm.new_type_error(format!(
                    "newline must be str or None, not {}",
                    vm.type_name(v)
                )))
            }
        },
    };
    let newlines = match newline.as_deref() {
        None => Newlines {
            translate_in: true,
            read_nl: "\n",
            ..Newlines::default()
        },
        Some("") => Newlines {
            universal: true,
            read_nl: "\n",
            ..Newlines::default()
        },
        Some("\n") => Newlines {
            read_nl: "\n",
            ..Newlines::default()
        },
        Some("\r") => Newlines {
            read_nl: "\r",
            write_nl: Some("\r"),
            ..Newlines::default()
        },
        Some("\r\n") => Newlines {
            read_nl: "\r\n",
            write_nl: Some("\r\n"),
            ..Newlines::default()
        },
        Some(other) => {
            let r = vm.repr(&Value::str(other))?;
            let r = r.as_str();
            return Err(vm.new_value_error(format!("illegal newline value: {r}")));
        }
    };
    let initial = match a.arg(1, "initial_value") {
        None | Some(Value::None) => None,
        Some(v) => match v.as_str() {
            Some(s) => Some(s.clone()),
            None => {
                return Err(vm.new_type_error(format!(
                    "initial_value must be str or None, not {}",
                    vm.type_name(v)
                )))
            }
        },
    };
    let st = state(vm, &a)?;
    let mut s = st.borrow_mut();
    *s = StringIo {
        newlines,
        newline,
        initialized: true,
        ..StringIo::default()
    };
    if let Some(text) = initial {
        s.write_str(text.as_str(), Some(text.len()));
        s.pos = 0;
    }
    Ok(Value::None)
}

impl StringIo {
    /// Writes `text` (of `chars` characters, when known) at the position, translating
    /// newlines as configured, and moves past it.
    fn write_str(&mut self, text: &str, chars: Option<usize>) {
        let mut text = std::borrow::Cow::Borrowed(text);
        if self.newlines.translate_in && text.contains('\r') {
            text = text.replace("\r\n", "\n").replace('\r', "\n").into();
        }
        if let Some(nl) = self.newlines.write_nl {
            if text.contains('\n') {
                text = text.replace('\n', nl).into();
            }
        }
        if text.is_empty() {
            return;
        }
        let len = self.store.len();
        if let Store::Accumulating(s, n) = &mut self.store {
            if self.pos == len {
                let added = match (&text, chars) {
                    (std::borrow::Cow::Borrowed(_), Some(n)) => n,
                    _ => text.chars().count(),
                };
                s.push_str(&text);
                *n += added;
                self.pos += added;
                return;
            }
        }
        let pos = self.pos;
        let chars = self.store.chars();
        if pos > chars.len() {
            // Past the end: the gap fills with NUL characters, as CPython's does.
            chars.resize(pos, '\0');
        }
        let new: Vec<char> = text.chars().collect();
        let overlap = new.len().min(chars.len() - pos);
        chars.splice(pos..pos + overlap, new.iter().copied());
        self.pos = pos + new.len();
    }

    /// The next line (at most `limit` characters), as CPython's `_stringio_readline`.
    fn read_line(&mut self, limit: Option<usize>) -> String {
        let len = self.store.len();
        if self.pos >= len {
            return String::new();
        }
        let pos = self.pos;
        let nl = self.newlines.clone();
        let chars = self.store.chars();
        let avail = len - pos;
        let window = &chars[pos..pos + limit.map_or(avail, |l| l.min(avail))];
        let end = if nl.universal {
            window
                .iter()
                .position(|&c| c == '\r' || c == '\n')
                .map(|i| {
                    if window[i] == '\r' && window.get(i + 1) == Some(&'\n') {
                        i + 2
                    } else {
                        i + 1
                    }
                })
        } else {
            let pat: Vec<char> = nl.read_nl.chars().collect();
            window
                .windows(pat.len())
                .position(|w| w == pat.as_slice())
                .map(|i| i + pat.len())
        };
        let n = end.unwrap_or(window.len());
        let line: String = window[..n].iter().collect();
        self.pos += n;
        line
    }
}

fn write(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "StringIO.write", 1, 1)?;
    let st = open_state(vm, &a)?;
    let Some(text) = a.pos[1].as_str() else {
        return Err(vm.new_type_error(format!(
            "string argument expected, got '{}'",
            vm.type_name(&a.pos[1])
        )));
    };
    let n = text.len();
    st.borrow_mut().write_str(text.as_str(), Some(n));
    Ok(Value::Int(n as i64))
}

fn read(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "read", 0, 1)?;
    let st = open_state(vm, &a)?;
    let size = super::optional_size(vm, a.pos.get(1))?;
    let mut s = st.borrow_mut();
    let (pos, len) = (s.pos, s.store.len());
    let n = size.map_or(len.saturating_sub(pos), |k| k.min(len.saturating_sub(pos)));
    if n == 0 {
        return Ok(Value::str(String::new()));
    }
    let out: String = if pos == 0 && n == len {
        s.store.text()
    } else {
        s.store.chars()[pos..pos + n].iter().collect()
    };
    s.pos = pos + n;
    Ok(Value::str(out))
}

fn readline(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "readline", 0, 1)?;
    let st = open_state(vm, &a)?;
    let limit = super::optional_size(vm, a.pos.get(1))?;
    let line = st.borrow_mut().read_line(limit);
    Ok(Value::str(line))
}

/// `__next__`: the next line; `StopIteration` at the end. A subclass's own `readline`
/// is used when it has one, as CPython's.
fn next(vm: &mut Vm, a: Args) -> PyResult {
    let me = a.pos[0].clone();
    let cls = vm.class_of(&me).clone();
    let name = vm.intern("readline");
    let own = vm.lookup(&cls, &name);
    let native = matches!(own.as_ref().and_then(Value::payload),
        Some(aio_vm::object::Payload::Native(nf))
            if matches!(nf.func, NativeImpl::Fn(f) if std::ptr::fn_addr_eq(f, readline as NativeFn)));
    let line = if native {
        let st = open_state(vm, &a)?;
        let line = st.borrow_mut().read_line(None);
        Value::str(line)
    } else {
        let line = aio_vm::module::call_method(vm, &me, "readline", &[])?;
        if line.as_str().is_none() {
            let msg = format!(
                "readline() should have returned a str object, not '{}'",
                vm.type_name(&line)
            );
            return Err(vm.new_exception_msg(&vm.exc.os_error.clone(), msg));
        }
        line
    };
    if line.as_str().is_some_and(|s| s.as_str().is_empty()) {
        return Err(vm.new_stop_iteration(Value::None));
    }
    Ok(line)
}

fn getvalue(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "StringIO.getvalue", 0, 0)?;
    let st = open_state(vm, &a)?;
    let text = st.borrow().store.text();
    Ok(Value::str(text))
}

fn tell(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "StringIO.tell", 0, 0)?;
    let st = open_state(vm, &a)?;
    let pos = st.borrow().pos;
    Ok(Value::Int(pos as i64))
}

/// `seek(pos, whence=0)`.
fn seek(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "seek", 1, 2)?;
    let pos = to_index_i64(vm, &a.pos[1])?;
    let whence = match a.pos.get(2) {
        Some(v) => to_index_i64(vm, v)?,
        None => 0,
    };
    let st = open_state(vm, &a)?;
    if !(0..=2).contains(&whence) {
        return Err(vm.new_value_error(format!("Invalid whence ({whence}, should be 0, 1 or 2)")));
    }
    if pos < 0 && whence == 0 {
        return Err(vm.new_value_error(format!("Negative seek position {pos}")));
    }
    if whence != 0 && pos != 0 {
        let msg = "Can't do nonzero cur-relative seeks";
        return Err(vm.new_exception_msg(&vm.exc.os_error.clone(), msg));
    }
    let mut s = st.borrow_mut();
    s.pos = match whence {
        0 => pos as usize,
        1 => s.pos,
        _ => s.store.len(),
    };
    Ok(Value::Int(s.pos as i64))
}

/// `truncate(pos=None)`: cuts the text at `pos` (the position by default), which stays.
fn truncate(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "truncate", 0, 1)?;
    let st = open_state(vm, &a)?;
    let size = match a.pos.get(1) {
        None | Some(Value::None) => st.borrow().pos as i64,
        Some(v @ (Value::Int(_) | Value::Bool(_))) => to_index_i64(vm, v)?,
        Some(v)
            if v.as_obj()
                .is_some_and(|_| vm.isinstance(v, &vm.types.int.clone())) =>
        {
            to_index_i64(vm, v)?
        }
        Some(v) => {
            return Err(vm.new_type_error(format!(
                "argument should be integer or None, not '{}'",
                vm.type_name(v)
            )))
        }
    };
    if size < 0 {
        return Err(vm.new_value_error(format!("Negative size value {size}")));
    }
    let mut s = st.borrow_mut();
    if (size as usize) < s.store.len() {
        s.store.chars().truncate(size as usize);
    }
    Ok(Value::Int(size))
}

fn close(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "StringIO.close", 0, 0)?;
    let st = state(vm, &a)?;
    let mut s = st.borrow_mut();
    s.closed = true;
    s.store = Store::default();
    Ok(Value::None)
}

/// `flush()`: nothing to do, even when closed (CPython's `IOBase.flush` checks a flag
/// only `IOBase.close` sets).
fn flush(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "_IOBase.flush", 0, 0)?;
    Ok(Value::None)
}

/// `readable`/`writable`/`seekable`: `True`, when open.
fn true_if_open(vm: &mut Vm, a: Args, name: &str) -> PyResult {
    a.method_count(vm, name, 0, 0)?;
    open_state(vm, &a)?;
    Ok(Value::bool(true))
}

fn readable(vm: &mut Vm, a: Args) -> PyResult {
    true_if_open(vm, a, "StringIO.readable")
}

fn writable(vm: &mut Vm, a: Args) -> PyResult {
    true_if_open(vm, a, "StringIO.writable")
}

fn seekable(vm: &mut Vm, a: Args) -> PyResult {
    true_if_open(vm, a, "StringIO.seekable")
}

fn closed(vm: &mut Vm, a: Args) -> PyResult {
    let st = state(vm, &a)?;
    let s = st.borrow();
    if !s.initialized {
        drop(s);
        return Err(vm.new_value_error("I/O operation on uninitialized object"));
    }
    Ok(Value::bool(s.closed))
}

/// `__getstate__()`: `(value, newline, position, __dict__ or None)`, for `copy` and
/// `pickle`.
fn getstate(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "StringIO.__getstate__", 0, 0)?;
    let st = open_state(vm, &a)?;
    let (text, newline, pos) = {
        let s = st.borrow();
        (s.store.text(), s.newline.clone(), s.pos)
    };
    let dict = match aio_vm::module::getattr(vm, &a.pos[0], "__dict__") {
        Ok(d) if vm.is_true(&d)? => vm.call(&Value::Obj(vm.types.dict.clone()), &[d], &[])?,
        _ => Value::None,
    };
    Ok(vm.new_tuple(vec![
        Value::str(text),
        newline.map_or(Value::None, Value::str),
        Value::Int(pos as i64),
        dict,
    ]))
}

/// `__setstate__((value, newline, position, dict))`: `__init__(value, newline)` checks
/// the first two, then the value is restored as it is (not translated again).
fn setstate(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "StringIO.__setstate__", 1, 1)?;
    let me = a.pos[0].clone();
    let items = match a.pos[1].payload() {
        Some(aio_vm::object::Payload::Tuple(t)) if t.len() == 4 => t.to_vec(),
        _ => {
            return Err(vm.new_type_error(format!(
                "_io.StringIO.__setstate__ argument should be 4-tuple, got {}",
                vm.type_name(&a.pos[1])
            )))
        }
    };
    init(
        vm,
        Args {
            pos: &[me.clone(), items[0].clone(), items[1].clone()],
            kw: &[],
        },
    )?;
    let pos = match &items[2] {
        v @ Value::Int(_) => to_index_i64(vm, v)?,
        v => {
            return Err(vm.new_type_error(format!(
                "third item of state must be an integer, got {}",
                vm.type_name(v)
            )))
        }
    };
    if pos < 0 {
        return Err(vm.new_value_error("position value cannot be negative"));
    }
    let text = items[0]
        .as_str()
        .map(|t| t.as_str().to_string())
        .unwrap_or_default();
    if let Some(st) = native_state::<StringIo>(&me) {
        let mut s = st.borrow_mut();
        let n = text.chars().count();
        s.store = Store::Accumulating(text, n);
        s.pos = pos as usize;
    }
    match &items[3] {
        Value::None => {}
        d if matches!(d.payload(), Some(aio_vm::object::Payload::Dict(_))) => {
            let mine = aio_vm::module::getattr(vm, &me, "__dict__")?;
            aio_vm::module::call_method(vm, &mine, "update", std::slice::from_ref(d))?;
        }
        d => {
            return Err(vm.new_type_error(format!(
                "fourth item of state should be a dict, got a {}",
                vm.type_name(d)
            )))
        }
    }
    Ok(Value::None)
}
