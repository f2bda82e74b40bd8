//! `repr()` of built-in objects: strings with CPython's quoting and escapes, floats in the
//! shortest round-trip form, containers (with `[...]` for self-reference), and the fixed
//! forms of functions, classes, modules and iterators.

use crate::object::{GenKind, Payload};
use crate::value::Value;
use crate::vm::{PyResult, Vm};

pub use crate::format::float_repr;

/// `repr(str)`: single quotes unless the text has a single quote and no double quote.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if !crate::builtins::str_is_printable(c) => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// `ascii()`: escapes every non-ASCII character of a repr.
pub fn ascii_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let n = c as u32;
        if n < 0x80 {
            out.push(c);
        } else if n <= 0xff {
            out.push_str(&format!("\\x{n:02x}"));
        } else if n <= 0xffff {
            out.push_str(&format!("\\u{n:04x}"));
        } else {
            out.push_str(&format!("\\U{n:08x}"));
        }
    }
    out
}

/// `repr(bytes)`.
pub fn bytes_repr(b: &[u8]) -> String {
    bytes_literal(b, false)
}

/// The `b'...'` literal of a `bytes` repr, or of a `bytearray` repr when `bytearray` is set:
/// CPython's bytearray repr picks its quote as bytes does but escapes every `'`, so it shows
/// `bytearray(b"x\'y")`.
fn bytes_literal(b: &[u8], bytearray: bool) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::from("b");
    out.push(quote as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c == quote || (bytearray && c == b'\'') => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote as char);
    out
}

thread_local! {
    static REPR_STACK: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn seq_repr(
    vm: &mut Vm,
    id: usize,
    items: Vec<Value>,
    open: &str,
    close: &str,
    recursive: &str,
) -> PyResult<String> {
    if REPR_STACK.with(|s| s.borrow().contains(&id)) {
        return Ok(recursive.to_string());
    }
    REPR_STACK.with(|s| s.borrow_mut().push(id));
    let mut out = String::from(open);
    let mut result = Ok(());
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match vm.repr(v) {
            Ok(r) => out.push_str(r.as_str()),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    REPR_STACK.with(|s| s.borrow_mut().pop());
    result?;
    out.push_str(close);
    Ok(out)
}

/// `repr()` of a built-in (or built-in-based) object.
pub fn native_repr(vm: &mut Vm, v: &Value) -> PyResult<String> {
    let Value::Obj(o) = v else {
        return Ok(vm.repr(v)?.as_str().to_string());
    };
    let id = v.id();
    match &o.payload {
        Payload::List(l) => {
            let items = l.borrow().clone();
            seq_repr(vm, id, items, "[", "]", "[...]")
        }
        Payload::Tuple(t) => {
            // `(x,)`; a tuple met again inside its own repr is `(...)`, as CPython's
            // `Py_ReprEnter` gives.
            let close = if t.len() == 1 { ",)" } else { ")" };
            seq_repr(vm, id, t.to_vec(), "(", close, "(...)")
        }
        Payload::Dict(d) => {
            if REPR_STACK.with(|s| s.borrow().contains(&id)) {
                return Ok("{...}".into());
            }
            let entries: Vec<(Value, Value)> = d
                .borrow()
                .iter()
                .map(|e| (e.key.clone(), e.value.clone()))
                .collect();
            REPR_STACK.with(|s| s.borrow_mut().push(id));
            let mut out = String::from("{");
            let mut res = Ok(());
            for (i, (k, val)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                match (vm.repr(k), vm.repr(val)) {
                    (Ok(a), Ok(b)) => {
                        out.push_str(a.as_str());
                        out.push_str(": ");
                        out.push_str(b.as_str());
                    }
                    (Err(e), _) | (_, Err(e)) => {
                        res = Err(e);
                        break;
                    }
                }
            }
            REPR_STACK.with(|s| s.borrow_mut().pop());
            res?;
            out.push('}');
            let cls = vm.class_of(v).clone();
            if vm.is_heap(v) && !std::rc::Rc::ptr_eq(&cls, &vm.types.dict) {
                let _ = cls;
            }
            Ok(out)
        }
        Payload::Set(s) => {
            let items: Vec<Value> = s.borrow().iter().cloned().collect();
            let name = vm.type_name(v);
            let is_frozen = crate::types::is_subtype(vm.class_of(v), &vm.types.frozenset.clone());
            if items.is_empty() {
                return Ok(format!("{name}()"));
            }
            let inner = seq_repr(vm, id, items, "{", "}", &format!("{name}(...)"))?;
            if is_frozen || name != "set" {
                Ok(format!("{name}({inner})"))
            } else {
                Ok(inner)
            }
        }
        Payload::Str(s) => Ok(str_repr(s.as_str())),
        Payload::Int(b) => match crate::format::checked_decimal_digits(b) {
            Ok(d) if b.sign() == num_bigint::Sign::Minus => Ok(format!("-{d}")),
            Ok(d) => Ok(d),
            Err(e) => Err(super::format::format_error(vm, e)),
        },
        Payload::Float(f) => Ok(float_repr(*f)),
        Payload::Complex(re, im) => Ok(crate::format::complex_repr(*re, *im)),
        Payload::Bytes(b) => Ok(bytes_repr(b)),
        // Named by the instance's class, as CPython's bytearray_repr (`BA(b'x')`).
        Payload::ByteArray(b) => Ok(format!(
            "{}({})",
            vm.type_name(v),
            bytes_literal(&b.borrow(), true)
        )),
        Payload::Function(f) => {
            let q = f
                .qualname
                .borrow()
                .as_str()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            Ok(format!("<function {q} at {id:#x}>"))
        }
        Payload::Method(m) => {
            let (f, s) = (m.0.clone(), m.1.clone());
            let qn = vm.intern("__qualname__");
            let q = vm
                .get_attr_opt(&f, &qn)?
                .and_then(|q| q.as_str().map(|s| s.as_str().to_string()))
                .unwrap_or_default();
            let sr = vm.repr(&s)?;
            Ok(format!("<bound method {q} of {}>", sr.as_str()))
        }
        Payload::Native(n) => match &n.bound {
            Some(b) if !matches!(b, Value::Obj(bo) if matches!(bo.payload, Payload::Module(_))) => {
                let tn = vm.type_name(b);
                let br = default_like(vm, b);
                Ok(format!(
                    "<built-in method {} of {tn} object at {br}>",
                    n.name.as_str()
                ))
            }
            // An unbound method of a built-in type: CPython's method or slot wrapper
            // descriptor.
            None if !n.is_static && n.module.is_none() && n.owner.is_some() => {
                let owner = n.owner.as_ref().map_or("", |o| o.as_str());
                let what = if n.sig.is_slot() {
                    "slot wrapper"
                } else {
                    "method"
                };
                Ok(format!(
                    "<{what} '{}' of '{owner}' objects>",
                    n.name.as_str()
                ))
            }
            _ => Ok(format!("<built-in function {}>", n.name.as_str())),
        },
        Payload::Type(_) => {
            let f = crate::types::lookup(vm.class_of(v), &vm.names.__repr__.clone());
            match f {
                Some(f) => Ok(vm
                    .call(&f, std::slice::from_ref(v), &[])?
                    .as_str()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default()),
                None => Ok("<class>".into()),
            }
        }
        Payload::Module(m) => {
            let file = vm.dict_get_str(&m.globals.clone(), &vm.names.__file__.clone());
            match file {
                Some(Value::Str(f)) => Ok(format!(
                    "<module '{}' from '{}'>",
                    m.name.as_str(),
                    f.as_str()
                )),
                // A registered module: CPython shows its built-in loader.
                _ if vm.native_modules.contains_key(m.name.as_str())
                    || m.name.as_str() == "builtins" =>
                {
                    Ok(format!("<module '{}' (built-in)>", m.name.as_str()))
                }
                // Made by `types.ModuleType(name)`: no loader, as CPython shows it.
                _ => Ok(format!("<module '{}'>", m.name.as_str())),
            }
        }
        Payload::Exception(_) => super::exceptions::exception_repr(vm, o),
        Payload::Generator(g) => {
            let kind = match g.kind {
                GenKind::Generator => "generator",
                GenKind::Coroutine => "coroutine",
                GenKind::AsyncGenerator => "async_generator",
            };
            let q = g
                .qualname()
                .as_str()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            Ok(format!("<{kind} object {q} at {id:#x}>"))
        }
        Payload::BigRange(r) => Ok(super::big_range::repr(r)),
        Payload::Range(r) => {
            if r[2] == 1 {
                Ok(format!("range({}, {})", r[0], r[1]))
            } else {
                Ok(format!("range({}, {}, {})", r[0], r[1], r[2]))
            }
        }
        Payload::Slice(s) => {
            let s = (**s).clone();
            let a = vm.repr(&s[0])?;
            let b = vm.repr(&s[1])?;
            let c = vm.repr(&s[2])?;
            Ok(format!(
                "slice({}, {}, {})",
                a.as_str(),
                b.as_str(),
                c.as_str()
            ))
        }
        Payload::Cell(_) => Ok(format!("<cell at {id:#x}>")),
        // CPython's `sm_repr` and `cm_repr`: the wrapped callable's repr, whatever the class.
        Payload::StaticMethod(f) => {
            Ok(format!("<staticmethod({})>", vm.repr(&f.clone())?.as_str()))
        }
        Payload::ClassMethod(f) => Ok(format!("<classmethod({})>", vm.repr(&f.clone())?.as_str())),
        Payload::Member(m) => Ok(format!(
            "<member '{}' of '{}' objects>",
            m.name.as_str(),
            m.owner.as_str()
        )),
        Payload::Slots(_) => Ok(super::object::default_repr(vm, v)),
        Payload::Code(c) => Ok(format!(
            "<code object {} at {id:#x}, file \"{}\", line {}>",
            c.name.as_str(),
            c.source.name,
            c.firstlineno
        )),
        Payload::Iter(st) => {
            let view = match &*st.borrow() {
                crate::iter::IterState::Dict { dict, kind, .. }
                    if crate::types::type_name(vm.class_of(v)).starts_with("dict_")
                        && !crate::types::type_name(vm.class_of(v)).contains("iterator") =>
                {
                    Some((dict.clone(), *kind))
                }
                _ => None,
            };
            if let Some((d, kind)) = view {
                let items: Vec<Value> = match &d.payload {
                    Payload::Dict(dd) => dd
                        .borrow()
                        .iter()
                        .map(|e| match kind {
                            0 => e.key.clone(),
                            1 => e.value.clone(),
                            _ => vm.new_tuple(vec![e.key.clone(), e.value.clone()]),
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                // A view met again inside its own repr is `...` (CPython's `dictview_repr`).
                if REPR_STACK.with(|s| s.borrow().contains(&id)) {
                    return Ok("...".into());
                }
                let name = vm.type_name(v);
                let inner = seq_repr(vm, id, items, "[", "]", "...")?;
                return Ok(format!("{name}({inner})"));
            }
            Ok(super::object::default_repr(vm, v))
        }
        Payload::Property(_) | Payload::Plain | Payload::Super(_) | Payload::Host(_) => {
            if v.is(&vm.not_implemented) {
                return Ok("NotImplemented".into());
            }
            if v.is(&vm.ellipsis) {
                return Ok("Ellipsis".into());
            }
            if let Some(r) = frame_repr(vm, v) {
                return Ok(r);
            }
            Ok(super::object::default_repr(vm, v))
        }
    }
}

/// CPython's `frame_repr` for a frame object (`builtins/frame_object.rs`):
/// `<frame at 0x..., file '...', line 5, code outer>`.
fn frame_repr(vm: &mut Vm, v: &Value) -> Option<String> {
    let Value::Obj(o) = v else { return None };
    if !std::rc::Rc::ptr_eq(vm.class_of(v), &vm.types.frame) {
        return None;
    }
    let d = o.dict.get()?.clone();
    let (code_key, line_key) = (vm.intern("f_code"), vm.intern("f_lineno"));
    let code = vm.dict_get_str(&d, &code_key)?;
    let Some(Payload::Code(c)) = code.payload() else {
        return None;
    };
    let line = match vm.dict_get_str(&d, &line_key)? {
        Value::Int(n) => n,
        _ => return None,
    };
    Some(format!(
        "<frame at {:#x}, file {}, line {line}, code {}>",
        v.id(),
        str_repr(&c.source.name),
        c.name.as_str()
    ))
}

fn default_like(_vm: &Vm, v: &Value) -> String {
    format!("{:#x}", v.id())
}
