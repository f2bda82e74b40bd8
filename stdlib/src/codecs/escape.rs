//! The escape codecs of `_codecs`: `unicode_escape` (the escapes of a str literal, bytes
//! beyond them read as Latin-1) and `raw_unicode_escape` (only `\uXXXX` and
//! `\UXXXXXXXX`), with CPython's error positions and messages. A `\ud800` escape fails
//! with a `ValueError`: aio strings cannot hold lone surrogates.

use super::{errors_arg, int_arg, pair, positional, text_arg};
use aio_vm::builtins::codecs::Errors;
use aio_vm::module::new_bytes;
use aio_vm::native::Args;
use aio_vm::{PyResult, Value, Vm};

/// `unicode_escape_encode(str, errors=None)`: printable ASCII as it is, `\t`, `\n`, `\r`,
/// `\\`, and everything else as `\xNN`, `\uNNNN` or `\UNNNNNNNN`.
pub(super) fn unicode_escape_encode(vm: &mut Vm, a: Args) -> PyResult {
    positional(vm, &a, "unicode_escape_encode", 1, 2)?;
    let s = text_arg(vm, &a, "unicode_escape_encode")?;
    errors_arg(vm, &a, "unicode_escape_encode", 1)?;
    let mut out = Vec::with_capacity(s.as_str().len());
    for c in s.as_str().chars() {
        match c {
            '\\' => out.extend_from_slice(b"\\\\"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            ' '..='\x7e' => out.push(c as u8),
            _ => out.extend(aio_vm::builtins::codecs::char_escape(c).bytes()),
        }
    }
    let out = new_bytes(vm, out);
    Ok(pair(vm, out, s.len()))
}

/// `raw_unicode_escape_encode(str, errors=None)`: Latin-1 as it is, the rest as `\uNNNN`
/// or `\UNNNNNNNN`.
pub(super) fn raw_unicode_escape_encode(vm: &mut Vm, a: Args) -> PyResult {
    positional(vm, &a, "raw_unicode_escape_encode", 1, 2)?;
    let s = text_arg(vm, &a, "raw_unicode_escape_encode")?;
    errors_arg(vm, &a, "raw_unicode_escape_encode", 1)?;
    let mut out = Vec::with_capacity(s.as_str().len());
    for c in s.as_str().chars() {
        match c as u32 {
            n @ 0..=0xff => out.push(n as u8),
            n @ 0x100..=0xffff => out.extend(format!("\\u{n:04x}").bytes()),
            n => out.extend(format!("\\U{n:08x}").bytes()),
        }
    }
    let out = new_bytes(vm, out);
    Ok(pair(vm, out, s.len()))
}

/// The data of an escape decoder: a bytes-like object, or a str (its UTF-8 bytes).
fn escaped_data(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    match v.as_str() {
        Some(s) => Ok(s.as_str().as_bytes().to_vec()),
        None => aio_vm::builtins::bytes_like(vm, v),
    }
}

/// The character of code point `c`, or the `ValueError` of a lone surrogate.
fn code_point(vm: &mut Vm, c: u32) -> PyResult<char> {
    char::from_u32(c).ok_or_else(|| {
        vm.new_value_error("aio strings cannot hold lone surrogates (U+D800..U+DFFF)")
    })
}

/// How many hex digits start `b` (at most `max`), and their value.
fn hex_digits(b: &[u8], max: usize) -> (usize, u32) {
    let mut value = 0u32;
    let mut n = 0;
    while n < max {
        match b.get(n).and_then(|&c| (c as char).to_digit(16)) {
            Some(d) => value = value.wrapping_mul(16) | d,
            None => break,
        }
        n += 1;
    }
    (n, value)
}

/// How an escape at the current position ended.
enum Step {
    /// Characters were written; go on from this position.
    Next(usize),
    /// The input ends inside the escape (more input could complete it).
    Incomplete(&'static str),
    /// The escape is malformed: the bytes up to this position are in error.
    Error(usize, &'static str),
}

/// `unicode_escape_decode(data, errors=None, final=True)`.
pub(super) fn unicode_escape_decode(vm: &mut Vm, a: Args) -> PyResult {
    escape_decode(vm, a, "unicode_escape_decode", false)
}

/// `raw_unicode_escape_decode(data, errors=None, final=True)`.
pub(super) fn raw_unicode_escape_decode(vm: &mut Vm, a: Args) -> PyResult {
    escape_decode(vm, a, "raw_unicode_escape_decode", true)
}

/// The decoders of both escape codecs (`raw`: only `\u` and `\U` escapes).
fn escape_decode(vm: &mut Vm, a: Args, fname: &str, raw: bool) -> PyResult {
    positional(vm, &a, fname, 1, 3)?;
    let b = escaped_data(vm, &a.pos[0])?;
    let errors = errors_arg(vm, &a, fname, 1)?;
    let last = int_arg(vm, &a, 2, 1)? != 0;
    let mut errors = Errors::new(&errors);
    let codec = if raw {
        "rawunicodeescape"
    } else {
        "unicodeescape"
    };
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i] as char);
            i += 1;
            continue;
        }
        let step = if raw {
            raw_escape(vm, &b, i, last, &mut out)?
        } else {
            escape(vm, &b, i, &mut out)?
        };
        let (end, reason) = match step {
            Step::Next(next) => {
                i = next;
                continue;
            }
            Step::Incomplete(_) if !last => break,
            Step::Incomplete(reason) => (b.len(), reason),
            Step::Error(end, reason) => (end, reason),
        };
        i = errors.on_decode(vm, codec, &b, i, end, reason, &mut out)?;
    }
    Ok(pair(vm, Value::str(out), i))
}

/// One escape of `unicode_escape` at `b[i] == b'\\'`.
fn escape(vm: &mut Vm, b: &[u8], i: usize, out: &mut String) -> PyResult<Step> {
    let Some(&c) = b.get(i + 1) else {
        return Ok(Step::Incomplete("\\ at end of string"));
    };
    let simple = match c {
        b'\n' => Some(None),
        b'\\' | b'\'' | b'"' => Some(Some(c as char)),
        b'b' => Some(Some('\x08')),
        b'f' => Some(Some('\x0c')),
        b't' => Some(Some('\t')),
        b'n' => Some(Some('\n')),
        b'r' => Some(Some('\r')),
        b'v' => Some(Some('\x0b')),
        b'a' => Some(Some('\x07')),
        _ => None,
    };
    if let Some(ch) = simple {
        out.extend(ch);
        return Ok(Step::Next(i + 2));
    }
    Ok(match c {
        b'0'..=b'7' => {
            let mut value = 0u32;
            let mut j = i + 1;
            while j < b.len() && j < i + 4 && (b'0'..=b'7').contains(&b[j]) {
                value = value * 8 + u32::from(b[j] - b'0');
                j += 1;
            }
            out.push(code_point(vm, value)?);
            Step::Next(j)
        }
        b'x' | b'u' | b'U' => {
            let (len, what) = match c {
                b'x' => (2, "truncated \\xXX escape"),
                b'u' => (4, "truncated \\uXXXX escape"),
                _ => (8, "truncated \\UXXXXXXXX escape"),
            };
            let start = i + 2;
            let (n, value) = hex_digits(&b[start..], len);
            if n < len {
                if start + n >= b.len() {
                    return Ok(Step::Incomplete(what));
                }
                return Ok(Step::Error(start + n, what));
            }
            if value > 0x10FFFF {
                return Ok(Step::Error(start + n, "illegal Unicode character"));
            }
            out.push(code_point(vm, value)?);
            Step::Next(start + n)
        }
        b'N' => {
            let malformed = "malformed \\N character escape";
            match b.get(i + 2) {
                None => Step::Incomplete(malformed),
                Some(b'{') => match b[i + 3..].iter().position(|&c| c == b'}') {
                    None => Step::Incomplete(malformed),
                    Some(0) => Step::Error(i + 3, malformed),
                    Some(len) => {
                        let close = i + 3 + len;
                        match aio_ucd::lookup(&b[i + 3..close], false) {
                            Some(aio_ucd::Found::Char(ch)) => {
                                out.push(ch);
                                Step::Next(close + 1)
                            }
                            _ => Step::Error(close + 1, "unknown Unicode character name"),
                        }
                    }
                },
                Some(_) => Step::Error(i + 2, malformed),
            }
        }
        _ => {
            // Unknown escapes keep their backslash (a DeprecationWarning in CPython).
            out.push('\\');
            Step::Next(i + 1)
        }
    })
}

/// One escape of `raw_unicode_escape` at `b[i] == b'\\'`: in a run of backslashes only
/// the last of an odd count escapes, and only `u` and `U`; a lone backslash at the end is
/// kept when the input is `last`.
fn raw_escape(vm: &mut Vm, b: &[u8], i: usize, last: bool, out: &mut String) -> PyResult<Step> {
    let run = b[i..].iter().take_while(|&&c| c == b'\\').count();
    if run > 1 {
        // Pairs of backslashes stand for themselves.
        let pairs = run - run % 2;
        out.extend(std::iter::repeat_n('\\', pairs));
        return Ok(Step::Next(i + pairs));
    }
    let (len, what) = match b.get(i + 1) {
        None if !last => return Ok(Step::Incomplete("\\ at end of string")),
        Some(b'u') => (4, "truncated \\uXXXX escape"),
        Some(b'U') => (8, "truncated \\UXXXXXXXX escape"),
        _ => {
            out.push('\\');
            return Ok(Step::Next(i + 1));
        }
    };
    let (n, value) = hex_digits(&b[i + 2..], len);
    let end = i + 2 + n;
    Ok(if n < len {
        if end >= b.len() {
            Step::Incomplete(what)
        } else {
            Step::Error(end, what)
        }
    } else if value > 0x10FFFF {
        Step::Error(end, "\\Uxxxxxxxx out of range")
    } else {
        out.push(code_point(vm, value)?);
        Step::Next(end)
    })
}
