//! Conversions between bytes and text: `decode` (UTF-8, ASCII, Latin-1, UTF-16 and UTF-32
//! with CPython's error handlers and messages), `hex`, `fromhex`, and `bytes % args`.

use super::{as_bytes, same_kind, this, Table};
use crate::native::{Args, Sig};
use crate::object::Payload;
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
    /// UTF-16 in a byte order; 2 code units per character beyond the BMP.
    Utf16(Order),
    /// UTF-32 in a byte order.
    Utf32(Order),
}

/// The byte order of a UTF-16 or UTF-32 codec.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// `utf-16` / `utf-32`: encoding writes a little-endian BOM; decoding honours and strips
    /// a BOM at the start and is little-endian without one.
    Bom,
    Little,
    Big,
}

impl Codec {
    /// CPython's lookup of an encoding name: lowercased, runs of characters other than
    /// letters, digits and `.` made one `_` (`encodings.normalize_encoding`), then the
    /// aliases of `encodings.aliases`.
    fn lookup(name: &str) -> Option<Codec> {
        use Order::{Big, Bom, Little};
        Some(match normalize(name).as_str() {
            "utf_8" | "utf8" | "u8" | "utf" | "cp65001" => Codec::Utf8,
            "ascii" | "us_ascii" | "646" | "us" => Codec::Ascii,
            "latin_1" | "latin1" | "latin" | "l1" | "iso_8859_1" | "iso8859_1" | "8859"
            | "cp819" | "iso_ir_100" => Codec::Latin1,
            "utf_16" | "utf16" | "u16" => Codec::Utf16(Bom),
            "utf_16_le" | "utf_16le" | "unicodelittleunmarked" => Codec::Utf16(Little),
            "utf_16_be" | "utf_16be" | "unicodebigunmarked" => Codec::Utf16(Big),
            "utf_32" | "utf32" | "u32" => Codec::Utf32(Bom),
            "utf_32_le" | "utf_32le" => Codec::Utf32(Little),
            "utf_32_be" | "utf_32be" => Codec::Utf32(Big),
            _ => return None,
        })
    }

    /// The name in error messages.
    fn name(self) -> &'static str {
        use Order::{Big, Bom, Little};
        match self {
            Codec::Utf8 => "utf-8",
            Codec::Ascii => "ascii",
            Codec::Latin1 => "latin-1",
            Codec::Utf16(Bom) => "utf-16",
            Codec::Utf16(Little) => "utf-16-le",
            Codec::Utf16(Big) => "utf-16-be",
            Codec::Utf32(Bom) => "utf-32",
            Codec::Utf32(Little) => "utf-32-le",
            Codec::Utf32(Big) => "utf-32-be",
        }
    }

    /// The codec with a `Bom` order resolved from the start of `b` (a BOM there is
    /// skipped: the decoding starts at the returned offset).
    fn detect_order(self, b: &[u8]) -> (Codec, usize) {
        match self {
            Codec::Utf16(Order::Bom) => match b {
                [0xFF, 0xFE, ..] => (Codec::Utf16(Order::Little), 2),
                [0xFE, 0xFF, ..] => (Codec::Utf16(Order::Big), 2),
                _ => (Codec::Utf16(Order::Little), 0),
            },
            Codec::Utf32(Order::Bom) => match b {
                [0xFF, 0xFE, 0, 0, ..] => (Codec::Utf32(Order::Little), 4),
                [0, 0, 0xFE, 0xFF, ..] => (Codec::Utf32(Order::Big), 4),
                _ => (Codec::Utf32(Order::Little), 0),
            },
            c => (c, 0),
        }
    }
}

/// `encodings.normalize_encoding`, lowercased.
fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut punct = false;
    for c in name.chars() {
        if c.is_alphanumeric() || c == '.' {
            if punct && !out.is_empty() {
                out.push('_');
            }
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            }
            punct = false;
        } else {
            punct = true;
        }
    }
    out
}

/// Whether CPython's `str.encode` / `bytes.decode` run the codec directly for this
/// spelling (`utf-8`, `utf_16`, `ascii`, `latin-1`, ...), rather than through the codec
/// registry, which wraps a `LookupError` for an unknown error handler in its own message.
fn fast_path(name: &str) -> bool {
    let n = normalize(name);
    let utf = n
        .strip_prefix("utf")
        .map(|r| r.strip_prefix('_').unwrap_or(r));
    matches!(utf, Some("8" | "16" | "32"))
        || matches!(
            n.as_str(),
            "ascii" | "us_ascii" | "latin1" | "latin_1" | "iso_8859_1" | "iso8859_1"
        )
}

/// CPython's `LookupError` for an unknown error handler met while coding with `encoding`.
fn unknown_handler(vm: &mut Vm, encoding: &str, errors: &str, verb: &str) -> crate::value::Obj {
    let msg = format!("unknown error handler name '{errors}'");
    let msg = if fast_path(encoding) {
        msg
    } else {
        format!("{verb} with '{encoding}' codec failed (LookupError: {msg})")
    };
    vm.new_exception_msg(&vm.exc.lookup_error.clone(), msg)
}

/// `b.decode(encoding, errors)` as text, with CPython's `UnicodeDecodeError` and
/// `LookupError` messages. Error handlers: strict, ignore, replace, backslashreplace.
/// Empty bytes decode to `''` whatever the encoding, as in CPython.
pub fn decode_bytes(vm: &mut Vm, b: &[u8], encoding: &str, errors: &str) -> PyResult<String> {
    if b.is_empty() {
        return Ok(String::new());
    }
    let Some(codec) = Codec::lookup(encoding) else {
        return Err(vm.new_exception_msg(
            &vm.exc.lookup_error.clone(),
            format!("unknown encoding: {encoding}"),
        ));
    };
    let (codec, start) = codec.detect_order(b);
    let mut out = String::with_capacity(b.len());
    // Handles the undecodable bytes `b[start..end]`: an error, or what the handler puts
    // in their place.
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
            other => return Err(unknown_handler(vm, encoding, other, "decoding")),
        }
        // `UnicodeDecodeError(encoding, object, start, end, reason)`, whose `str()` is
        // CPython's message (`Vm::exception_str`).
        let args = vec![
            Value::str(codec.name()),
            crate::module::new_bytes(vm, b.to_vec()),
            Value::Int(start as i64),
            Value::Int(end as i64),
            Value::str(reason),
        ];
        Err(vm.new_exception(&vm.exc.unicode_decode_error.clone(), args))
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
        Codec::Utf16(order) => {
            let unit = |i: usize| {
                let pair = [b[i], b[i + 1]];
                if order == Order::Big {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                }
            };
            let mut i = start;
            while i < b.len() {
                if b.len() - i < 2 {
                    fail(vm, &mut out, i, b.len(), "truncated data")?;
                    break;
                }
                let u = unit(i);
                if !(0xD800..0xE000).contains(&u) {
                    out.push(char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}'));
                    i += 2;
                } else if u >= 0xDC00 {
                    fail(vm, &mut out, i, i + 2, "illegal encoding")?;
                    i += 2;
                } else if b.len() - i < 4 {
                    fail(vm, &mut out, i, b.len(), "unexpected end of data")?;
                    break;
                } else if (0xDC00..0xE000).contains(&unit(i + 2)) {
                    let c = 0x10000
                        + ((u32::from(u) - 0xD800) << 10)
                        + (u32::from(unit(i + 2)) - 0xDC00);
                    out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                    i += 4;
                } else {
                    fail(vm, &mut out, i, i + 2, "illegal UTF-16 surrogate")?;
                    i += 2;
                }
            }
        }
        Codec::Utf32(order) => {
            let mut i = start;
            while i < b.len() {
                if b.len() - i < 4 {
                    fail(vm, &mut out, i, b.len(), "truncated data")?;
                    break;
                }
                let quad = [b[i], b[i + 1], b[i + 2], b[i + 3]];
                let c = if order == Order::Big {
                    u32::from_be_bytes(quad)
                } else {
                    u32::from_le_bytes(quad)
                };
                match char::from_u32(c) {
                    Some(ch) => out.push(ch),
                    None if c > 0x10FFFF => {
                        fail(vm, &mut out, i, i + 4, "code point not in range(0x110000)")?
                    }
                    None => fail(
                        vm,
                        &mut out,
                        i,
                        i + 4,
                        "code point in surrogate code point range(0xd800, 0xe000)",
                    )?,
                }
                i += 4;
            }
        }
    }
    Ok(out)
}

/// `s` in UTF-16 or UTF-32 (`wide`) in `order`, a little-endian BOM first for `Bom`.
/// Every aio string is encodable: strings hold no lone surrogates.
fn encode_utf16_32(s: &str, wide: bool, order: Order) -> Vec<u8> {
    let width = if wide { 4 } else { 2 };
    let mut out = Vec::with_capacity((s.len() + 1) * width);
    let big = order == Order::Big;
    if order == Order::Bom {
        out.extend_from_slice(if wide {
            &[0xFF, 0xFE, 0, 0][..]
        } else {
            &[0xFF, 0xFE][..]
        });
    }
    if wide {
        for c in s.chars() {
            let c = c as u32;
            out.extend_from_slice(&if big {
                c.to_be_bytes()
            } else {
                c.to_le_bytes()
            });
        }
    } else {
        for u in s.encode_utf16() {
            out.extend_from_slice(&if big {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
    }
    out
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
        Codec::Utf16(order) => return Ok(encode_utf16_32(s, false, order)),
        Codec::Utf32(order) => return Ok(encode_utf16_32(s, true, order)),
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
                // `UnicodeEncodeError(encoding, object, start, end, reason)`, positions in
                // characters; `str()` gives CPython's message (`Vm::exception_str`).
                let args = vec![
                    Value::str(codec.name()),
                    Value::str(s),
                    Value::Int(i as i64),
                    Value::Int(end as i64),
                    Value::str(format!("ordinal not in range({limit})")),
                ];
                return Err(vm.new_exception(&vm.exc.unicode_encode_error.clone(), args));
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
            other => return Err(unknown_handler(vm, encoding, other, "encoding")),
        }
        i = end;
    }
    Ok(out)
}

/// CPython's escape of a character in codec messages: `\xe9`, `\u20ac`, `\U0001f600`.
pub(crate) fn char_escape(c: char) -> String {
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
    let sep = hex_sep(vm, a.arg(1, "sep"), false)?;
    let per = match a.arg(2, "bytes_per_sep") {
        Some(v) => crate::builtins::int::index_of(vm, v)?,
        None => 1,
    };
    let digits = hex_bytes(&b, sep, per);
    Ok(Value::str(
        digits.iter().map(|&c| c as char).collect::<String>(),
    ))
}

/// The `sep` argument of `bytes.hex` and `binascii.hexlify` (CPython's `_Py_strhex_impl`):
/// `None` when absent or `None`, else the one character of a str or bytes, with
/// CPython's errors in its order (length first, so an int has "no len()"). It must be
/// ASCII, except that a result of bytes (`bytes_out`) takes any character below 256.
pub fn hex_sep(vm: &mut Vm, v: Option<&Value>, bytes_out: bool) -> PyResult<Option<u8>> {
    let v = match v {
        None | Some(Value::None) => return Ok(None),
        Some(v) => v,
    };
    if vm.len(v)? != 1 {
        return Err(vm.new_value_error("sep must be length 1."));
    }
    let c = match (v.as_str(), v.payload()) {
        (Some(s), _) => s.as_str().chars().next().map_or(0, u32::from),
        (_, Some(Payload::Bytes(b))) => b.first().map_or(0, |&c| u32::from(c)),
        _ => return Err(vm.new_type_error("sep must be str or bytes.")),
    };
    match u8::try_from(c) {
        Ok(c) if c.is_ascii() || bytes_out => Ok(Some(c)),
        _ => Err(vm.new_value_error("sep must be ASCII.")),
    }
}

/// The hex digits of `b` (`bytes.hex(sep, bytes_per_sep)`), a separator between groups
/// of `|per|` bytes counted from the right when `per > 0`, from the left when `per < 0`.
pub fn hex_bytes(b: &[u8], sep: Option<u8>, per: i64) -> Vec<u8> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(b.len() * 3);
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
        out.push(DIGITS[usize::from(c >> 4)]);
        out.push(DIGITS[usize::from(c & 15)]);
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
    use super::hex_bytes;

    #[test]
    fn hex_groups() {
        assert_eq!(hex_bytes(b"\x01\x02\x03", Some(b':'), 2), b"01:0203");
        assert_eq!(hex_bytes(b"\x01\x02\x03", Some(b':'), -2), b"0102:03");
        assert_eq!(hex_bytes(b"abc", Some(b'-'), 1), b"61-62-63");
        assert_eq!(hex_bytes(b"abc", None, 1), b"616263");
    }
}
