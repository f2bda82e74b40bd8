//! `json`: the module is `json.aio` (CPython's encoder and decoder, with the C scanner's
//! messages); this file adds `_scan_fast`, a native decoder for the common case (no hooks,
//! strict), and `_encode_fast`, a native encoder for plain data. Both give up (return
//! `None`) on anything they do not handle exactly, and the aio code then runs: it raises
//! the exact errors and calls `default` and hooks.

use aio_vm::dict::Dict;
use aio_vm::module::{int_value, to_index_i64, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::value::Bool;
use aio_vm::{Obj, PyResult, Value, Vm};
use num_bigint::BigInt;

/// Initialises `json`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let mut b = ModuleBuilder::new(vm, m);
    b.function("_scan_fast", scan_fast)
        .function("_encode_fast", encode_fast);
    crate::source::run(vm, m, &[("json.aio", include_str!("json.aio"))])?;
    // CPython's json/__init__.py imports both submodules, so `json.decoder` is there.
    crate::source::run(
        vm,
        m,
        &[("json", "import json.decoder, json.encoder\ndel json\n")],
    )
}

/// Initialises `json.decoder`: the decoding names of `json` (CPython's json/decoder.py).
pub fn init_decoder(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::source::run(
        vm,
        m,
        &[(
            "json/decoder",
            "from json import JSONDecoder, JSONDecodeError, scanstring, NaN, PosInf, NegInf\n\
             py_scanstring = c_scanstring = scanstring\n\
             __all__ = ['JSONDecoder', 'JSONDecodeError']\n",
        )],
    )
}

/// Initialises `json.encoder`: the encoding names of `json` (CPython's json/encoder.py).
pub fn init_encoder(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::source::run(
        vm,
        m,
        &[(
            "json/encoder",
            "from json import JSONEncoder, encode_basestring, encode_basestring_ascii, INFINITY\n\
             py_encode_basestring = c_encode_basestring = encode_basestring\n\
             py_encode_basestring_ascii = c_encode_basestring_ascii = encode_basestring_ascii\n",
        )],
    )
}

/// Deeper documents go to the aio decoder (which reaches the recursion limit as CPython).
const MAX_DEPTH: usize = 200;

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    depth: usize,
}

/// `None` means "not handled here": the caller falls back to the aio decoder.
type Step<T> = PyResult<Option<T>>;

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn value(&mut self, vm: &mut Vm) -> Step<Value> {
        let Some(&c) = self.b.get(self.i) else {
            return Ok(None);
        };
        match c {
            b'"' => {
                self.i += 1;
                Ok(self.string().map(Value::str))
            }
            b'{' => self.object(vm),
            b'[' => self.array(vm),
            b'n' if self.b[self.i..].starts_with(b"null") => {
                self.i += 4;
                Ok(Some(Value::None))
            }
            b't' if self.b[self.i..].starts_with(b"true") => {
                self.i += 4;
                Ok(Some(Value::Bool(Bool::TRUE)))
            }
            b'f' if self.b[self.i..].starts_with(b"false") => {
                self.i += 5;
                Ok(Some(Value::Bool(Bool::FALSE)))
            }
            b'N' if self.b[self.i..].starts_with(b"NaN") => {
                self.i += 3;
                Ok(Some(Value::float(f64::NAN)))
            }
            b'I' if self.b[self.i..].starts_with(b"Infinity") => {
                self.i += 8;
                Ok(Some(Value::float(f64::INFINITY)))
            }
            b'-' if self.b[self.i..].starts_with(b"-Infinity") => {
                self.i += 9;
                Ok(Some(Value::float(f64::NEG_INFINITY)))
            }
            _ => Ok(self.number(vm)),
        }
    }

    fn number(&mut self, vm: &mut Vm) -> Option<Value> {
        let b = self.b;
        let start = self.i;
        let mut j = start;
        if b.get(j) == Some(&b'-') {
            j += 1;
        }
        match b.get(j) {
            Some(b'0') => j += 1,
            Some(b'1'..=b'9') => {
                while b.get(j).is_some_and(u8::is_ascii_digit) {
                    j += 1;
                }
            }
            _ => return None,
        }
        let mut float = false;
        if b.get(j) == Some(&b'.') && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
            j += 2;
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            float = true;
        }
        if matches!(b.get(j), Some(b'e') | Some(b'E')) {
            let mut e = j + 1;
            if matches!(b.get(e), Some(b'-') | Some(b'+')) {
                e += 1;
            }
            if b.get(e).is_some_and(u8::is_ascii_digit) {
                while b.get(e).is_some_and(u8::is_ascii_digit) {
                    e += 1;
                }
                j = e;
                float = true;
            }
        }
        let text = std::str::from_utf8(&b[start..j]).ok()?;
        self.i = j;
        if float {
            return text.parse::<f64>().ok().map(Value::float);
        }
        if let Ok(v) = text.parse::<i64>() {
            return Some(Value::Int(v));
        }
        if text.len() > 4300 {
            return None; // CPython's int max str digits: the aio path raises its error
        }
        text.parse::<BigInt>().ok().map(|n| int_value(vm, n))
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let h = self.b.get(at..at + 4)?;
        if !h.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    }

    /// The string after its opening quote; `None` for anything the strict scanner rejects.
    fn string(&mut self) -> Option<String> {
        let b = self.b;
        let mut out = String::new();
        loop {
            let start = self.i;
            while self.i < b.len() && b[self.i] != b'"' && b[self.i] != b'\\' && b[self.i] >= 0x20 {
                self.i += 1;
            }
            out.push_str(std::str::from_utf8(&b[start..self.i]).ok()?);
            match b.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    let esc = *b.get(self.i + 1)?;
                    self.i += 2;
                    let c = match esc {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\x08',
                        b'f' => '\x0c',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let mut u = self.hex4(self.i)?;
                            self.i += 4;
                            if (0xd800..=0xdbff).contains(&u)
                                && b.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                if let Some(u2) = self.hex4(self.i + 2) {
                                    if (0xdc00..=0xdfff).contains(&u2) {
                                        u = 0x10000 + (((u - 0xd800) << 10) | (u2 - 0xdc00));
                                        self.i += 6;
                                    }
                                }
                            }
                            char::from_u32(u)?
                        }
                        _ => return None,
                    };
                    out.push(c);
                }
                _ => return None,
            }
        }
    }

    fn object(&mut self, vm: &mut Vm) -> Step<Value> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Ok(None);
        }
        self.i += 1;
        let d = vm.new_dict(Dict::new());
        self.ws();
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Some(Value::Obj(d)));
        }
        loop {
            if self.b.get(self.i) != Some(&b'"') {
                return Ok(None);
            }
            self.i += 1;
            let Some(key) = self.string() else {
                return Ok(None);
            };
            self.ws();
            if self.b.get(self.i) != Some(&b':') {
                return Ok(None);
            }
            self.i += 1;
            self.ws();
            let Some(v) = self.value(vm)? else {
                return Ok(None);
            };
            vm.dict_set(&d, Value::str(key), v)?;
            self.ws();
            match self.b.get(self.i) {
                Some(b'}') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Some(Value::Obj(d)));
                }
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                }
                _ => return Ok(None),
            }
        }
    }

    fn array(&mut self, vm: &mut Vm) -> Step<Value> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Ok(None);
        }
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Some(vm.new_list(items)));
        }
        loop {
            let Some(v) = self.value(vm)? else {
                return Ok(None);
            };
            items.push(v);
            self.ws();
            match self.b.get(self.i) {
                Some(b']') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Some(vm.new_list(items)));
                }
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                }
                _ => return Ok(None),
            }
        }
    }
}

/// `_scan_fast(s, idx)`: `(value, end)` for the JSON value at character `idx` of `s`, or
/// `None` when the aio decoder must handle it (any error, or nesting deeper than 200).
fn scan_fast(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_scan_fast", 2, 2)?;
    let Some(s) = a.pos[0].as_str().cloned() else {
        return Ok(Value::None);
    };
    let idx = to_index_i64(vm, &a.pos[1])?;
    if idx < 0 || idx as usize >= s.len() {
        return Ok(Value::None);
    }
    let idx = idx as usize;
    let text = s.as_str();
    let start = s.byte_offset(idx);
    let mut p = Parser {
        b: text.as_bytes(),
        i: start,
        depth: 0,
    };
    let Some(v) = p.value(vm)? else {
        return Ok(Value::None);
    };
    let end = if s.is_ascii() {
        p.i
    } else {
        idx + text[start..p.i].chars().count()
    };
    Ok(vm.new_tuple(vec![v, Value::Int(end as i64)]))
}

/// The encoder's options, as `_encode_fast` receives them.
struct EncodeOpts {
    ascii: bool,
    item_sep: String,
    key_sep: String,
    sort_keys: bool,
    indent: Option<String>,
    allow_nan: bool,
    skipkeys: bool,
}

fn escape_into(out: &mut String, s: &str, ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if ascii && (c as u32) >= 0x7f => {
                let n = c as u32;
                if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    let n = n - 0x10000;
                    out.push_str(&format!(
                        "\\u{:04x}\\u{:04x}",
                        0xd800 | ((n >> 10) & 0x3ff),
                        0xdc00 | (n & 0x3ff)
                    ));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A float as the encoder writes it; `None` for a non-finite one when NaN is not allowed.
fn float_text(x: f64, allow_nan: bool) -> Option<String> {
    if x.is_finite() {
        return Some(aio_vm::format::float_repr(x));
    }
    if !allow_nan {
        return None;
    }
    Some(
        if x.is_nan() {
            "NaN"
        } else if x > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }
        .to_string(),
    )
}

/// Deeper (or cyclic) data goes to the aio encoder, which reports cycles as CPython.
const MAX_ENCODE_DEPTH: usize = 200;

/// A big int's decimal text; `None` past `sys.get_int_max_str_digits()` (the aio encoder
/// then raises CPython's `ValueError`).
fn int_text(n: &num_bigint::BigInt) -> Option<String> {
    let digits = aio_vm::format::checked_decimal_digits(n).ok()?;
    Some(if n.sign() == num_bigint::Sign::Minus {
        format!("-{digits}")
    } else {
        digits
    })
}

fn encode(vm: &Vm, v: &Value, o: &EncodeOpts, level: usize, out: &mut String) -> Option<()> {
    use aio_vm::object::Payload;
    match v {
        Value::None => out.push_str("null"),
        Value::Bool(b) => out.push_str(if b.get() { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(x) => out.push_str(&float_text(x.get(), o.allow_nan)?),
        Value::Str(s) => escape_into(out, s.as_str(), o.ascii),
        Value::Obj(obj) => match &obj.payload {
            Payload::Str(s) => escape_into(out, s.as_str(), o.ascii),
            Payload::Int(n) => out.push_str(&int_text(n)?),
            Payload::Float(x) => out.push_str(&float_text(*x, o.allow_nan)?),
            // Subclasses may iterate differently (CPython's PySequence_Fast calls __iter__).
            Payload::List(items) if std::rc::Rc::ptr_eq(obj.class_raw()?, &vm.types.list) => {
                let items = items.borrow().clone();
                encode_seq(vm, &items, o, level, out)?;
            }
            Payload::Tuple(items) if std::rc::Rc::ptr_eq(obj.class_raw()?, &vm.types.tuple) => {
                encode_seq(vm, items, o, level, out)?
            }
            Payload::Dict(d) if std::rc::Rc::ptr_eq(obj.class_raw()?, &vm.types.dict) => {
                let pairs: Vec<(Value, Value)> = d
                    .borrow()
                    .iter()
                    .map(|e| (e.key.clone(), e.value.clone()))
                    .collect();
                encode_dict(vm, pairs, o, level, out)?;
            }
            _ => return None,
        },
    }
    Some(())
}

fn newline(o: &EncodeOpts, level: usize, out: &mut String) {
    if let Some(ind) = &o.indent {
        out.push('\n');
        for _ in 0..level {
            out.push_str(ind);
        }
    }
}

fn encode_seq(
    vm: &Vm,
    items: &[Value],
    o: &EncodeOpts,
    level: usize,
    out: &mut String,
) -> Option<()> {
    if items.is_empty() {
        out.push_str("[]");
        return Some(());
    }
    if level >= MAX_ENCODE_DEPTH {
        return None;
    }
    out.push('[');
    newline(o, level + 1, out);
    for (k, v) in items.iter().enumerate() {
        if k > 0 {
            out.push_str(&o.item_sep);
            newline(o, level + 1, out);
        }
        encode(vm, v, o, level + 1, out)?;
    }
    newline(o, level, out);
    out.push(']');
    Some(())
}

fn encode_dict(
    vm: &Vm,
    mut pairs: Vec<(Value, Value)>,
    o: &EncodeOpts,
    level: usize,
    out: &mut String,
) -> Option<()> {
    use aio_vm::object::Payload;
    if pairs.is_empty() {
        out.push_str("{}");
        return Some(());
    }
    if level >= MAX_ENCODE_DEPTH {
        return None;
    }
    if o.sort_keys {
        // Only str keys sort here (code point order = UTF-8 byte order); others go to aio.
        if !pairs.iter().all(|(k, _)| k.as_str().is_some()) {
            return None;
        }
        pairs.sort_by(|a, b| {
            let (x, y) = (a.0.as_str().expect("str"), b.0.as_str().expect("str"));
            x.as_str().cmp(y.as_str())
        });
    }
    out.push('{');
    newline(o, level + 1, out);
    let mut first = true;
    for (k, v) in &pairs {
        let key = match k {
            Value::Str(s) => s.as_str().to_string(),
            Value::None => "null".into(),
            Value::Bool(b) => (if b.get() { "true" } else { "false" }).into(),
            Value::Int(i) => i.to_string(),
            Value::Float(x) => float_text(x.get(), o.allow_nan)?,
            Value::Obj(obj) => match &obj.payload {
                Payload::Str(s) => s.as_str().to_string(),
                Payload::Int(n) => int_text(n)?,
                Payload::Float(x) => float_text(*x, o.allow_nan)?,
                _ if o.skipkeys => continue,
                _ => return None,
            },
        };
        if !first {
            out.push_str(&o.item_sep);
            newline(o, level + 1, out);
        }
        first = false;
        escape_into(out, &key, o.ascii);
        out.push_str(&o.key_sep);
        encode(vm, v, o, level + 1, out)?;
    }
    newline(o, level, out);
    out.push('}');
    Some(())
}

/// `_encode_fast(obj, ensure_ascii, item_sep, key_sep, sort_keys, indent, allow_nan,
/// skipkeys)`: the JSON text, or `None` when the aio encoder must run (other types,
/// `default`, errors, cycles, deep nesting).
pub(crate) fn encode_fast(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_encode_fast", 8, 8)?;
    let text = |v: &Value| v.as_str().map(|s| s.as_str().to_string());
    let (Some(item_sep), Some(key_sep)) = (text(&a.pos[2]), text(&a.pos[3])) else {
        return Ok(Value::None);
    };
    let indent = match &a.pos[5] {
        Value::None => None,
        v => match text(v) {
            Some(s) => Some(s),
            None => return Ok(Value::None),
        },
    };
    let opts = EncodeOpts {
        ascii: vm.is_true(&a.pos[1])?,
        item_sep,
        key_sep,
        sort_keys: vm.is_true(&a.pos[4])?,
        indent,
        allow_nan: vm.is_true(&a.pos[6])?,
        skipkeys: vm.is_true(&a.pos[7])?,
    };
    let mut out = String::new();
    Ok(match encode(vm, &a.pos[0], &opts, 0, &mut out) {
        Some(()) => Value::str(out),
        None => Value::None,
    })
}
