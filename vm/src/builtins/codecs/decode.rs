//! Decoding bytes with the native codecs, whole or incrementally.

use super::{Codec, Errors, Order};
use crate::vm::{PyResult, Vm};

/// Decodes `b` with `codec`: the text and how many bytes it used. Unless `last`, an
/// incomplete sequence at the end is left for the next call rather than an error (the
/// incremental decoders' `final=False`). A `Bom` codec reads and skips a BOM at the start.
pub fn decode(
    vm: &mut Vm,
    b: &[u8],
    codec: Codec,
    errors: &mut Errors,
    last: bool,
) -> PyResult<(String, usize)> {
    let (codec, start) = codec.detect_order(b);
    let name = codec.name();
    let mut out = String::with_capacity(b.len());
    let end = match codec {
        Codec::Latin1 => {
            out.extend(b.iter().map(|&c| c as char));
            b.len()
        }
        Codec::Ascii => {
            let mut i = 0;
            while i < b.len() {
                if b[i] < 0x80 {
                    out.push(b[i] as char);
                    i += 1;
                } else {
                    let reason = "ordinal not in range(128)";
                    i = errors.on_decode(vm, name, b, i, i + 1, reason, &mut out)?;
                }
            }
            b.len()
        }
        Codec::Utf8 => utf8(vm, b, errors, last, &mut out)?,
        Codec::Utf16(order) => utf16(vm, b, start, order, errors, last, &mut out)?,
        Codec::Utf32(order) => utf32(vm, b, start, order, errors, last, &mut out)?,
    };
    Ok((out, end))
}

/// UTF-8 into `out`; returns where decoding stopped.
fn utf8(
    vm: &mut Vm,
    b: &[u8],
    errors: &mut Errors,
    last: bool,
    out: &mut String,
) -> PyResult<usize> {
    let mut pos = 0;
    while pos < b.len() {
        match std::str::from_utf8(&b[pos..]) {
            Ok(s) => {
                out.push_str(s);
                return Ok(b.len());
            }
            Err(e) => {
                let good = pos + e.valid_up_to();
                out.push_str(std::str::from_utf8(&b[pos..good]).unwrap_or_default());
                let (end, reason) = match e.error_len() {
                    None if !last => return Ok(good),
                    None => (b.len(), "unexpected end of data"),
                    Some(1) if !matches!(b[good], 0xC2..=0xF4) => (good + 1, "invalid start byte"),
                    Some(n) => (good + n, "invalid continuation byte"),
                };
                pos = errors.on_decode(vm, "utf-8", b, good, end, reason, out)?;
            }
        }
    }
    Ok(b.len())
}

/// UTF-16 from `start` in `order` into `out`; returns where decoding stopped.
fn utf16(
    vm: &mut Vm,
    b: &[u8],
    start: usize,
    order: Order,
    errors: &mut Errors,
    last: bool,
    out: &mut String,
) -> PyResult<usize> {
    let name = Codec::Utf16(order).name();
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
        let rest = b.len() - i;
        if rest < 2 {
            if !last {
                return Ok(i);
            }
            i = errors.on_decode(vm, name, b, i, b.len(), "truncated data", out)?;
            continue;
        }
        let u = unit(i);
        if !(0xD800..0xE000).contains(&u) {
            out.push(char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}'));
            i += 2;
        } else if u >= 0xDC00 {
            i = errors.on_decode(vm, name, b, i, i + 2, "illegal encoding", out)?;
        } else if rest < 4 {
            if !last {
                return Ok(i);
            }
            i = errors.on_decode(vm, name, b, i, b.len(), "unexpected end of data", out)?;
        } else if (0xDC00..0xE000).contains(&unit(i + 2)) {
            let c = 0x10000 + ((u32::from(u) - 0xD800) << 10) + (u32::from(unit(i + 2)) - 0xDC00);
            out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
            i += 4;
        } else {
            i = errors.on_decode(vm, name, b, i, i + 2, "illegal UTF-16 surrogate", out)?;
        }
    }
    Ok(b.len())
}

/// UTF-32 from `start` in `order` into `out`; returns where decoding stopped.
fn utf32(
    vm: &mut Vm,
    b: &[u8],
    start: usize,
    order: Order,
    errors: &mut Errors,
    last: bool,
    out: &mut String,
) -> PyResult<usize> {
    let name = Codec::Utf32(order).name();
    let mut i = start;
    while i < b.len() {
        if b.len() - i < 4 {
            if !last {
                return Ok(i);
            }
            i = errors.on_decode(vm, name, b, i, b.len(), "truncated data", out)?;
            continue;
        }
        let quad = [b[i], b[i + 1], b[i + 2], b[i + 3]];
        let c = if order == Order::Big {
            u32::from_be_bytes(quad)
        } else {
            u32::from_le_bytes(quad)
        };
        match char::from_u32(c) {
            Some(ch) => {
                out.push(ch);
                i += 4;
            }
            None => {
                let reason = if c > 0x10FFFF {
                    "code point not in range(0x110000)"
                } else {
                    "code point in surrogate code point range(0xd800, 0xe000)"
                };
                i = errors.on_decode(vm, name, b, i, i + 4, reason, out)?;
            }
        }
    }
    Ok(b.len())
}
