//! Conversions between bytes and text: `decode` (UTF-8, ASCII and Latin-1 with CPython's
//! error handlers and messages), `hex`, `fromhex`, and `bytes % args`.

use super::{as_bytes, same_kind, this, Table};
use crate::native::{Args, Sig};
use crate::value::Value;
use crate::vm::{PyResult, Vm};

pub(super) const METHODS: Table = &[
    ("decode", Sig::KEYWORDS, decode),
    ("hex", Sig::KEYWORDS, hex),
];

/// The codecs aio knows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Codec {
    Utf8,
    Ascii,
    Latin1,
}

impl Codec {
    /// CPython's normalized lookup of an encoding name.
    fn lookup(name: &str) -> Option<Codec> {
        let n: String = name
            .trim()
            .chars()
            .map(|c| match c {
                '_' | ' ' => '-',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        match n.as_str() {
            "utf-8" | "utf8" | "u8" | "utf" | "cp65001" => Some(Codec::Utf8),
            "ascii" | "us-ascii" | "646" | "us" => Some(Codec::Ascii),
            "latin-1" | "latin1" | "latin" | "l1" | "iso-8859-1" | "iso8859-1" | "8859"
            | "cp819" | "iso-ir-100" => Some(Codec::Latin1),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Codec::Utf8 => "utf-8",
            Codec::Ascii => "ascii",
            Codec::Latin1 => "latin-1",
        }
    }
}

/// `b.decode(encoding, errors)` as text, with CPython's `UnicodeDecodeError` and
/// `LookupError` messages. Error handlers: strict, ignore, replace, backslashreplace.
pub fn decode_bytes(vm: &mut Vm, b: &[u8], encoding: &str, errors: &str) -> PyResult<String> {
    let Some(codec) = Codec::lookup(encoding) else {
        return Err(vm.new_exception_msg(
            &vm.exc.lookup_error.clone(),
            format!("unknown encoding: {encoding}"),
        ));
    };
    let mut out = String::with_capacity(b.len());
    let fail = |vm: &mut Vm, out: &mut String, start: usize, end: usize, reason: &str| {
        match errors {
            "strict" => {}
            "ignore" => return Ok(()),
            "replace" => {
                out.push('\u{FFFD}');
                return Ok(());
            }
            "backslashreplace" => {
                for c in &b[start..end] {
                    out.push_str(&format!("\\x{c:02x}"));
                }
                return Ok(());
            }
            other => {
                return Err(vm.new_exception_msg(
                    &vm.exc.lookup_error.clone(),
                    format!("unknown error handler name '{other}'"),
                ))
            }
        }
        let what = if end - start == 1 {
            format!("byte 0x{:02x} in position {start}", b[start])
        } else {
            format!("bytes in position {start}-{}", end - 1)
        };
        Err(vm.new_exception_msg(
            &vm.exc.unicode_decode_error.clone(),
            format!("'{}' codec can't decode {what}: {reason}", codec.name()),
        ))
    };
    match codec {
        Codec::Latin1 => out.extend(b.iter().map(|&c| c as char)),
        Codec::Ascii => {
            for (i, &c) in b.iter().enumerate() {
                if c < 0x80 {
                    out.push(c as char);
                } else {
                    fail(vm, &mut out, i, i + 1, "ordinal not in range(128)")?;
                }
            }
        }
        Codec::Utf8 => {
            let mut pos = 0;
            while pos < b.len() {
                match std::str::from_utf8(&b[pos..]) {
                    Ok(s) => {
                        out.push_str(s);
                        break;
                    }
                    Err(e) => {
                        let good = pos + e.valid_up_to();
                        out.push_str(std::str::from_utf8(&b[pos..good]).unwrap_or_default());
                        let (end, reason) = match e.error_len() {
                            None => (b.len(), "unexpected end of data"),
                            Some(1) if !matches!(b[good], 0xC2..=0xF4) => {
                                (good + 1, "invalid start byte")
                            }
                            Some(n) => (good + n, "invalid continuation byte"),
                        };
                        fail(vm, &mut out, good, end, reason)?;
                        pos = end;
                    }
                }
            }
        }
    }
    Ok(out)
}

/// `s.encode(encoding, errors)`, with CPython's `UnicodeEncodeError` and `LookupError`
/// messages. Error handlers: strict, ignore, replace, backslashreplace, xmlcharrefreplace.
pub fn encode_str(vm: &mut Vm, s: &str, encoding: &str, errors: &str) -> PyResult<Vec<u8>> {
    let Some(codec) = Codec::lookup(encoding) else {
        return Err(vm.new_exception_msg(
            &vm.exc.lookup_error.clone(),
            format!("unknown encoding: {encoding}"),
        ));
    };
    let limit = match codec {
        Codec::Utf8 => return Ok(s.as_bytes().to_vec()),
        Codec::Ascii => 0x80,
        Codec::Latin1 => 0x100,
    };
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if (c as u32) < limit {
            out.push(c as u8);
            i += 1;
            continue;
        }
        // The run of characters the codec cannot encode.
        let end = (i..chars.len())
            .find(|&j| (chars[j] as u32) < limit)
            .unwrap_or(chars.len());
        match errors {
            "strict" => {
                let what = if end - i == 1 {
                    format!("character '{}' in position {i}", char_escape(c))
                } else {
                    format!("characters in position {i}-{}", end - 1)
                };
                return Err(vm.new_exception_msg(
                    &vm.exc.unicode_encode_error.clone(),
                    format!(
                        "'{}' codec can't encode {what}: ordinal not in range({limit})",
                        codec.name()
                    ),
                ));
            }
            "ignore" => {}
            "replace" => out.extend(std::iter::repeat_n(b'?', end - i)),
            "backslashreplace" => {
                for &c in &chars[i..end] {
                    out.extend(char_escape(c).bytes());
                }
            }
            "xmlcharrefreplace" => {
                for &c in &chars[i..end] {
                    out.extend(format!("&#{};", c as u32).bytes());
                }
            }
            other => {
                return Err(vm.new_exception_msg(
                    &vm.exc.lookup_error.clone(),
                    format!("unknown error handler name '{other}'"),
                ))
            }
        }
        i = end;
    }
    Ok(out)
}

/// CPython's escape of a character in codec messages: `\xe9`, `\u20ac`, `\U0001f600`.
fn char_escape(c: char) -> String {
    match c as u32 {
        n @ 0..=0xff => format!("\\x{n:02x}"),
        n @ 0x100..=0xffff => format!("\\u{n:04x}"),
        n => format!("\\U{n:08x}"),
    }
}

/// A str argument of `name`, with Argument Clinic's message.
fn str_param(vm: &mut Vm, v: Option<&Value>, name: &str, default: &str) -> PyResult<String> {
    match v {
        None => Ok(default.to_string()),
        Some(v) => match v.as_str() {
            Some(s) => Ok(s.as_str().to_string()),
            None => Err(vm.new_type_error(format!(
                "decode() argument '{name}' must be str, not {}",
                vm.type_name(v)
            ))),
        },
    }
}

fn decode(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "decode", 0, 2, 2)?;
    a.check_kwargs(vm, "decode", &["encoding", "errors"])?;
    let b = this(vm, &a, "decode")?;
    let enc = str_param(vm, a.arg(1, "encoding"), "encoding", "utf-8")?;
    let errors = str_param(vm, a.arg(2, "errors"), "errors", "strict")?;
    decode_bytes(vm, &b, &enc, &errors).map(Value::str)
}

fn hex(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "hex", 0, 2, 2)?;
    a.check_kwargs(vm, "hex", &["sep", "bytes_per_sep"])?;
    let b = this(vm, &a, "hex")?;
    let sep = match a.arg(1, "sep") {
        None | Some(Value::None) => None,
        Some(v) => {
            let s: Vec<char> = match (v.as_str(), as_bytes(v)) {
                (Some(s), _) => s.as_str().chars().collect(),
                (_, Some(b)) => b.iter().map(|&c| c as char).collect(),
                _ => return Err(vm.new_type_error("sep must be str or bytes.")),
            };
            if s.len() != 1 {
                return Err(vm.new_value_error("sep must be length 1."));
            }
            if !s[0].is_ascii() {
                return Err(vm.new_value_error("sep must be ASCII."));
            }
            Some(s[0])
        }
    };
    let per = match a.arg(2, "bytes_per_sep") {
        Some(v) => crate::builtins::int::index_of(vm, v)?,
        None => 1,
    };
    Ok(Value::str(hex_string(&b, sep, per)))
}

/// `bytes.hex(sep, bytes_per_sep)`: groups of `|per|` bytes counted from the right when
/// `per > 0`, from the left when `per < 0`.
fn hex_string(b: &[u8], sep: Option<char>, per: i64) -> String {
    let mut out = String::with_capacity(b.len() * 3);
    let group = per.unsigned_abs() as usize;
    for (i, c) in b.iter().enumerate() {
        if let Some(s) = sep {
            if i > 0 && group > 0 {
                let boundary = if per > 0 {
                    (b.len() - i) % group == 0
                } else {
                    i % group == 0
                };
                if boundary {
                    out.push(s);
                }
            }
        }
        out.push_str(&format!("{c:02x}"));
    }
    out
}

/// `bytes.fromhex(string)` / `bytearray.fromhex(string)` (a class method).
pub(super) fn fromhex(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "fromhex", 1, 1)?;
    let Some(s) = a.pos[1].as_str() else {
        return Err(vm.new_type_error(format!(
            "fromhex() argument must be str, not {}",
            vm.type_name(&a.pos[1])
        )));
    };
    let chars: Vec<char> = s.as_str().chars().collect();
    let mut out = Vec::with_capacity(chars.len() / 2);
    let mut i = 0;
    let bad = |vm: &mut Vm, i: usize| {
        vm.new_value_error(format!(
            "non-hexadecimal number found in fromhex() arg at position {i}"
        ))
    };
    while i < chars.len() {
        if chars[i].is_ascii() && crate::builtins::text::is_space_byte(&(chars[i] as u8)) {
            i += 1;
            continue;
        }
        let Some(hi) = chars[i].to_digit(16) else {
            return Err(bad(vm, i));
        };
        let Some(lo) = chars.get(i + 1).and_then(|c| c.to_digit(16)) else {
            return Err(bad(vm, i + 1));
        };
        out.push((hi * 16 + lo) as u8);
        i += 2;
    }
    let cls = a.pos[0].clone();
    if cls.is(&Value::Obj(vm.types.bytearray.clone())) {
        return Ok(super::new_bytearray(vm, out));
    }
    if cls.is(&Value::Obj(vm.types.bytes.clone())) {
        return Ok(crate::builtins::bytes_const(&vm.types, out));
    }
    let b = crate::builtins::bytes_const(&vm.types, out);
    vm.call(&cls, &[b], &[])
}

/// `bytes % args` and `bytearray % args`.
pub fn bytes_percent(vm: &mut Vm, fmt: &Value, args: &Value) -> PyResult {
    let b = as_bytes(fmt).unwrap_or_default();
    let out = crate::builtins::format::percent_bytes(vm, &b, args)?;
    Ok(same_kind(vm, fmt, out))
}

#[cfg(test)]
mod tests {
    use super::hex_string;

    #[test]
    fn hex_groups() {
        assert_eq!(hex_string(b"\x01\x02\x03", Some(':'), 2), "01:0203");
        assert_eq!(hex_string(b"\x01\x02\x03", Some(':'), -2), "0102:03");
        assert_eq!(hex_string(b"abc", Some('-'), 1), "61-62-63");
        assert_eq!(hex_string(b"abc", None, 1), "616263");
    }
}
