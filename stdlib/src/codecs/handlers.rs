//! The built-in error handlers as functions (what `codecs.lookup_error('replace')` returns
//! and what registered names fall back on): each takes the `UnicodeEncodeError`,
//! `UnicodeDecodeError` or `UnicodeTranslateError` and returns `(replacement, position)`.
//! `surrogateescape` and `surrogatepass` can only raise the error or, where CPython would
//! produce a lone surrogate, a `ValueError`: aio strings cannot hold them.

use aio_vm::builtins::codecs::char_escape;
use aio_vm::builtins::module_native;
use aio_vm::module::getattr;
use aio_vm::native::{Args, NativeImpl};
use aio_vm::object::Payload;
use aio_vm::{PyResult, Value, Vm};

/// The registry's initial handlers: `{name: function}`.
pub(super) fn table(vm: &mut Vm) -> Value {
    let handlers: [(&str, &str, aio_vm::native::NativeFn); 8] = [
        ("strict", "strict_errors", strict),
        ("ignore", "ignore_errors", ignore),
        ("replace", "replace_errors", replace),
        (
            "backslashreplace",
            "backslashreplace_errors",
            backslashreplace,
        ),
        (
            "xmlcharrefreplace",
            "xmlcharrefreplace_errors",
            xmlcharrefreplace,
        ),
        ("namereplace", "namereplace_errors", namereplace),
        ("surrogateescape", "surrogateescape", surrogateescape),
        ("surrogatepass", "surrogatepass", surrogatepass),
    ];
    let d = Value::Obj(vm.new_dict(aio_vm::dict::Dict::new()));
    for (name, fname, f) in handlers {
        let native = module_native(vm, "_codecs", fname, NativeImpl::Fn(f));
        let _ = vm.setitem(&d, Value::str(name), native);
    }
    d
}

/// Which error a handler was given.
#[derive(PartialEq)]
enum Kind {
    Encode,
    Decode,
    Translate,
}

/// A handler's view of its error: the kind, the object (text as characters, or bytes)
/// and the range `start..end`, clamped to the object.
struct Failure {
    kind: Kind,
    exc: Value,
    text: Vec<char>,
    bytes: Vec<u8>,
    start: usize,
    end: usize,
}

/// The error given to handler `a`, or CPython's `TypeError` for anything else (or for a
/// kind not in `kinds`).
fn failure(vm: &mut Vm, a: &Args, fname: &str, kinds: &[Kind]) -> PyResult<Failure> {
    a.no_kwargs(vm, fname)?;
    a.check_count(vm, fname, 1, 1)?;
    let exc = a.pos[0].clone();
    let kind = if vm.isinstance(&exc, &vm.exc.unicode_encode_error.clone()) {
        Some(Kind::Encode)
    } else if vm.isinstance(&exc, &vm.exc.unicode_decode_error.clone()) {
        Some(Kind::Decode)
    } else if vm.isinstance(&exc, &vm.exc.unicode_translate_error.clone()) {
        Some(Kind::Translate)
    } else {
        None
    };
    let Some(kind) = kind.filter(|k| kinds.contains(k)) else {
        let t = vm.type_name(&exc);
        return Err(vm.new_type_error(format!("don't know how to handle {t} in error callback")));
    };
    let object = getattr(vm, &exc, "object")?;
    let (text, bytes): (Vec<char>, Vec<u8>) = match (object.as_str(), object.payload()) {
        (Some(s), _) => (s.as_str().chars().collect(), Vec::new()),
        (_, Some(Payload::Bytes(b))) => (Vec::new(), b.to_vec()),
        _ => (Vec::new(), Vec::new()),
    };
    let len = text.len().max(bytes.len());
    let mut pos = |name: &str| -> PyResult<usize> {
        let v = getattr(vm, &exc, name)?;
        let n = aio_vm::module::to_index_i64(vm, &v)?;
        Ok(usize::try_from(n).unwrap_or(0).min(len))
    };
    let start = pos("start")?;
    let end = pos("end")?.max(start);
    Ok(Failure {
        kind,
        exc,
        text,
        bytes,
        start,
        end,
    })
}

impl Failure {
    /// `(replacement, end)`.
    fn answer(&self, vm: &mut Vm, rep: String) -> PyResult {
        Ok(vm.new_tuple(vec![Value::str(rep), Value::Int(self.end as i64)]))
    }

    /// The characters in error.
    fn chars(&self) -> &[char] {
        &self.text[self.start..self.end]
    }

    /// Raises the error itself.
    fn raise(self) -> PyResult {
        match self.exc {
            Value::Obj(e) => Err(e),
            _ => Ok(Value::None),
        }
    }
}

const ALL: &[Kind] = &[Kind::Encode, Kind::Decode, Kind::Translate];

fn strict(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "strict_errors", 1, 1)?;
    match &a.pos[0] {
        Value::Obj(e) if matches!(e.payload, Payload::Exception(_)) => Err(e.clone()),
        _ => Err(vm.new_type_error("codec must pass exception instance")),
    }
}

fn ignore(vm: &mut Vm, a: Args) -> PyResult {
    let f = failure(vm, &a, "ignore_errors", ALL)?;
    f.answer(vm, String::new())
}

fn replace(vm: &mut Vm, a: Args) -> PyResult {
    let f = failure(vm, &a, "replace_errors", ALL)?;
    let rep = match f.kind {
        Kind::Encode => "?".repeat(f.end - f.start),
        Kind::Decode => "\u{FFFD}".to_string(),
        Kind::Translate => "\u{FFFD}".repeat(f.end - f.start),
    };
    f.answer(vm, rep)
}

fn backslashreplace(vm: &mut Vm, a: Args) -> PyResult {
    let f = failure(vm, &a, "backslashreplace_errors", ALL)?;
    let rep = match f.kind {
        Kind::Decode => f.bytes[f.start..f.end]
            .iter()
            .map(|b| format!("\\x{b:02x}"))
            .collect(),
        _ => f.chars().iter().map(|&c| char_escape(c)).collect(),
    };
    f.answer(vm, rep)
}

fn xmlcharrefreplace(vm: &mut Vm, a: Args) -> PyResult {
    let f = failure(vm, &a, "xmlcharrefreplace_errors", &[Kind::Encode])?;
    let rep = f
        .chars()
        .iter()
        .map(|&c| format!("&#{};", c as u32))
        .collect();
    f.answer(vm, rep)
}

fn namereplace(vm: &mut Vm, a: Args) -> PyResult {
    let f = failure(vm, &a, "namereplace_errors", &[Kind::Encode])?;
    let rep = f
        .chars()
        .iter()
        .map(|&c| match aio_ucd::name(c) {
            Some(name) => format!("\\N{{{name}}}"),
            None => char_escape(c),
        })
        .collect();
    f.answer(vm, rep)
}

/// The `ValueError` where CPython's handler would make a lone surrogate.
fn no_surrogates(vm: &mut Vm) -> PyResult {
    Err(vm.new_value_error("aio strings cannot hold lone surrogates (U+D800..U+DFFF)"))
}

fn surrogateescape(vm: &mut Vm, a: Args) -> PyResult {
    let f = failure(vm, &a, "surrogateescape", &[Kind::Encode, Kind::Decode])?;
    // Decoding, CPython maps undecodable bytes 0x80..0xff to U+DC80..U+DCFF; encoding,
    // it would map those surrogates back, and aio text holds none.
    if f.kind == Kind::Decode && f.bytes.get(f.start).is_some_and(|&b| b >= 0x80) {
        return no_surrogates(vm);
    }
    f.raise()
}

fn surrogatepass(vm: &mut Vm, a: Args) -> PyResult {
    let f = failure(vm, &a, "surrogatepass", &[Kind::Encode, Kind::Decode])?;
    if f.kind == Kind::Decode {
        // Whether the bytes at the error are an encoded surrogate, in the error's codec.
        let enc = getattr(vm, &f.exc, "encoding")?;
        let enc = enc
            .as_str()
            .map(|s| s.as_str().to_lowercase())
            .unwrap_or_default();
        let b = &f.bytes[f.start..];
        let unit = |wide: usize, big: bool| -> Option<u32> {
            let w = b.get(..wide)?;
            let mut n = 0u32;
            for i in 0..wide {
                let byte = if big { w[i] } else { w[wide - 1 - i] };
                n = (n << 8) | u32::from(byte);
            }
            Some(n)
        };
        let code = match enc.replace('_', "-").as_str() {
            "utf-8" | "utf8" => match b {
                [0xED, 0xA0..=0xBF, 0x80..=0xBF, ..] => Some(0xD800),
                _ => None,
            },
            "utf-16-be" => unit(2, true),
            "utf-16" | "utf-16-le" => unit(2, false),
            "utf-32-be" => unit(4, true),
            "utf-32" | "utf-32-le" => unit(4, false),
            _ => None,
        };
        if code.is_some_and(|c| (0xD800..0xE000).contains(&c)) {
            return no_surrogates(vm);
        }
    }
    f.raise()
}
