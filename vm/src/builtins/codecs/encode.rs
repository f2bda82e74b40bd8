//! Encoding text with the native codecs.

use super::{Codec, Errors, Order, Replacement};
use crate::vm::{PyResult, Vm};

/// `s` encoded with `codec`. UTF-8, UTF-16 and UTF-32 encode every aio string (strings
/// hold no lone surrogates); ASCII and Latin-1 call the error handler on the runs of
/// characters beyond their range.
pub fn encode(vm: &mut Vm, s: &str, codec: Codec, errors: &mut Errors) -> PyResult<Vec<u8>> {
    let limit: u32 = match codec {
        Codec::Utf8 => return Ok(s.as_bytes().to_vec()),
        Codec::Utf16(order) => return Ok(encode_utf16_32(s, false, order)),
        Codec::Utf32(order) => return Ok(encode_utf16_32(s, true, order)),
        Codec::Ascii => 0x80,
        Codec::Latin1 => 0x100,
    };
    if s.is_ascii() {
        return Ok(s.as_bytes().to_vec());
    }
    let reason = format!("ordinal not in range({limit})");
    encode_with(vm, s, codec.name(), errors, &reason, |_, c, out| {
        let ok = (c as u32) < limit;
        if ok {
            out.push(c as u8);
        }
        Ok(ok)
    })
}

/// Encodes `s` a character at a time with `put`, which appends a character's bytes and
/// says whether it could (a charmap may call a script's mapping, so it takes the VM).
/// Each run of characters `put` refuses goes to the error handler; a replacement text is
/// encoded with `put` too, and a character of it that fails raises the error for the
/// run, as CPython's codecs do.
pub fn encode_with(
    vm: &mut Vm,
    s: &str,
    encoding: &str,
    errors: &mut Errors,
    reason: &str,
    mut put: impl FnMut(&mut Vm, char, &mut Vec<u8>) -> PyResult<bool>,
) -> PyResult<Vec<u8>> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if put(vm, chars[i], &mut out)? {
            i += 1;
            continue;
        }
        // The run of characters the codec cannot encode.
        let mut end = i + 1;
        let mut probe = Vec::new();
        while end < chars.len() && !put(vm, chars[end], &mut probe)? {
            end += 1;
        }
        let (rep, next) = errors.on_encode(vm, encoding, &chars, i, end, reason)?;
        match rep {
            Replacement::Bytes(b) => out.extend_from_slice(&b),
            Replacement::Text(t) => {
                for c in t.chars() {
                    if !put(vm, c, &mut out)? {
                        let e = super::errors::encode_error(vm, encoding, &chars, i, end, reason);
                        return Err(e);
                    }
                }
            }
        }
        i = next;
    }
    Ok(out)
}

/// `s` in UTF-16 or UTF-32 (`wide`) in `order`, a little-endian BOM first for `Bom`.
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
