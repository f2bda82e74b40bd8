//! Conversions between bytes and text: the `decode` method (over the codecs of
//! [`crate::builtins::codecs`]), `hex`, `fromhex`, and `bytes % args`.

use super::{as_bytes, same_kind, this, Table};
use crate::builtins::codecs::{codec_param, decode_bytes};
use crate::native::{Args, Sig};
use crate::object::Payload;
use crate::value::Value;
use crate::vm::{PyResult, Vm};

pub(super) const METHODS: Table = &[
    ("decode", Sig::KEYWORDS, decode),
    ("hex", Sig::KEYWORDS, hex),
];

fn decode(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "decode", 0, 2, 2)?;
    a.check_kwargs(vm, "decode", &["encoding", "errors"])?;
    // A bytes object is decoded in place; others (bytearray) through a copy.
    let borrowed = match a.pos.first().and_then(Value::payload) {
        Some(Payload::Bytes(b)) => Some(&b[..]),
        _ => None,
    };
    let copied = match borrowed {
        Some(_) => None,
        None => Some(this(vm, &a, "decode")?),
    };
    let b = borrowed.or(copied.as_deref()).unwrap_or_default();
    let enc = codec_param(vm, a.arg(1, "encoding"), "decode", "encoding", "utf-8")?;
    let errors = codec_param(vm, a.arg(2, "errors"), "decode", "errors", "strict")?;
    decode_bytes(vm, b, enc, errors).map(Value::str)
}

fn hex(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "hex", 0, 2, 2)?;
    a.check_kwargs(vm, "hex", &["sep", "bytes_per_sep"])?;
    let b = this(vm, &a, "hex")?;
    let sep = hex_sep(vm, a.arg(1, "sep"), false)?;
    let per = match a.arg(2, "bytes_per_sep") {
        Some(v) => crate::builtins::int::c_int_of(vm, v)?.into(),
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
