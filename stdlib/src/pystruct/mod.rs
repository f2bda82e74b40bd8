//! `struct`, a port of CPython's `_struct.c`: format parsing (`format.rs`), packing and
//! unpacking with its byte orders, native alignment, and messages. The natives
//! `_calcsize`, `_pack`, `_unpack` take the module's `error` class first; `struct.aio`
//! is the module (`Struct`, buffer checks, `pack_into`, `unpack_from`, `iter_unpack`).

mod format;

use aio_vm::module::{as_int, call_special, int_value, new_bytes, to_f64, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};
use format::{parse_cached, Order, Parsed};
use num_bigint::BigInt;
use num_traits::ToPrimitive;
use std::rc::Rc;

/// Initialises `struct`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let mut b = ModuleBuilder::new(vm, m);
    b.function("_calcsize", calcsize)
        .function("_pack", pack)
        .function("_unpack", unpack);
    crate::source::run(vm, m, &[("struct.aio", include_str!("struct.aio"))])
}

fn error_class(a: &Args) -> Obj {
    a.pos[0]
        .as_obj()
        .cloned()
        .expect("struct natives get the error class")
}

fn fail(vm: &mut Vm, a: &Args, msg: impl Into<String>) -> Obj {
    vm.new_exception_msg(&error_class(a), msg)
}

fn format_of(vm: &mut Vm, a: &Args) -> PyResult<Rc<Parsed>> {
    let Some(fmt) = a.pos[1].as_str() else {
        return Err(vm.new_type_error("Struct() argument 1 must be a str or bytes object"));
    };
    parse_cached(fmt.as_str()).map_err(|m| fail(vm, a, m))
}

/// `_calcsize(error, fmt)`.
fn calcsize(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_calcsize", 2, 2)?;
    let parsed = format_of(vm, &a)?;
    Ok(Value::Int(parsed.2 as i64))
}

/// The int an argument stands for (`__index__`), or struct.error: `None` for one outside
/// the `i128` range (too large for every code).
fn int_arg(vm: &mut Vm, a: &Args, v: &Value) -> PyResult<Option<i128>> {
    if let Value::Int(i) = v {
        return Ok(Some(*i as i128));
    }
    if let Some(n) = as_int(v) {
        return Ok(n.to_i128());
    }
    if !matches!(v, Value::Float(_)) {
        if let Some(r) = call_special(vm, v, "__index__", &[])? {
            if let Some(n) = as_int(&r) {
                return Ok(n.to_i128());
            }
        }
    }
    Err(fail(vm, a, "required argument is not an integer"))
}

fn range_msg(code: char, size: usize, signed: bool) -> String {
    let bits = size * 8;
    if signed {
        let max = (1i128 << (bits - 1)) - 1;
        format!("'{code}' format requires {} <= number <= {max}", -max - 1)
    } else {
        let max = (1u128 << bits) - 1;
        format!("'{code}' format requires 0 <= number <= {max}")
    }
}

/// Packs the integer `n` (`None`: outside the `i128` range) for `code` into `out` (its
/// size) as `_struct.c` does for `order`.
fn pack_int(
    vm: &mut Vm,
    a: &Args,
    n: Option<i128>,
    code: char,
    out: &mut [u8],
    order: Order,
) -> PyResult<()> {
    let size = out.len();
    let fits_i64 = n.is_some_and(|v| i64::try_from(v).is_ok());
    let fits_u64 = n.is_some_and(|v| u64::try_from(v).is_ok());
    let signed = code.is_ascii_lowercase();
    // Native functions serve '@' and, on this little-endian host, '<' and '=' for the
    // codes whose standard size is the native one.
    let native = order == Order::Native
        || (order == Order::Little
            && matches!(code, 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'q' | 'Q'));
    if !native && size == 8 {
        // _PyLong_AsByteArray's message.
        let fits = if signed { fits_i64 } else { fits_u64 };
        if !fits {
            return Err(fail(vm, a, "int too large to convert"));
        }
    }
    // b, B and the native h, H are read as C longs (get_long), the others by signedness.
    let as_long = signed || code == 'B' || (code == 'H' && native);
    let v = match n {
        Some(v) if (as_long && fits_i64) || (!as_long && fits_u64) => v,
        _ => return Err(fail(vm, a, "argument out of range")),
    };
    if size < 8 {
        let bits = size * 8;
        let (lo, hi) = if signed {
            (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
        } else {
            (0, (1i128 << bits) - 1)
        };
        if v < lo || v > hi {
            let msg = match (native, code) {
                (_, 'b') => "byte format requires -128 <= number <= 127".to_string(),
                (_, 'B') => "ubyte format requires 0 <= number <= 255".to_string(),
                (true, 'h') => "short format requires -32768 <= number <= 32767".to_string(),
                (true, 'H') => "ushort format requires 0 <= number <= 65535".to_string(),
                _ => range_msg(code, size, signed),
            };
            return Err(fail(vm, a, msg));
        }
    }
    out.copy_from_slice(&(v as u128).to_le_bytes()[..size]);
    if order == Order::Big {
        out.reverse();
    }
    Ok(())
}

/// `frexp` for finite, non-zero, positive `x`: `(m, e)` with `x = m * 2^e`, `0.5 <= m < 1`.
fn frexp(x: f64) -> (f64, i32) {
    let (x, adj) = if x < f64::MIN_POSITIVE {
        (x * 2f64.powi(54), -54)
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i32 - 1022;
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, e + adj)
}

/// CPython's `PyFloat_Pack2`; `None` when the value is too large.
pub(crate) fn pack_half(x: f64) -> Option<u16> {
    let sign: u16 = if x.is_sign_negative() { 1 } else { 0 };
    if x.is_nan() {
        return Some((sign << 15) | 0x7e00);
    }
    if x.is_infinite() {
        return Some((sign << 15) | 0x7c00);
    }
    if x == 0.0 {
        return Some(sign << 15);
    }
    let (mut f, mut e) = frexp(x.abs());
    f *= 2.0;
    e -= 1;
    if e >= 16 {
        return None;
    } else if e < -25 {
        f = 0.0;
        e = 0;
    } else if e < -14 {
        f *= 2f64.powi(14 + e);
        e = 0;
    } else {
        e += 15;
        f -= 1.0;
    }
    f *= 1024.0;
    let mut bits = f as u16;
    let rem = f - bits as f64;
    if rem > 0.5 || (rem == 0.5 && bits % 2 == 1) {
        bits += 1;
        if bits == 1024 {
            bits = 0;
            e += 1;
            if e == 31 {
                return None;
            }
        }
    }
    Some(bits | ((e as u16) << 10) | (sign << 15))
}

/// CPython's `PyFloat_Unpack2`.
pub(crate) fn unpack_half(b: u16) -> f64 {
    let sign = if b >> 15 != 0 { -1.0 } else { 1.0 };
    let e = ((b >> 10) & 0x1f) as i32;
    let f = (b & 0x3ff) as f64;
    if e == 0x1f {
        return if f == 0.0 {
            sign * f64::INFINITY
        } else {
            sign * f64::NAN
        };
    }
    let x = if e == 0 {
        f / 1024.0 * 2f64.powi(-14)
    } else {
        (1.0 + f / 1024.0) * 2f64.powi(e - 15)
    };
    sign * x
}

fn float_arg(vm: &mut Vm, a: &Args, v: &Value) -> PyResult<f64> {
    if let Value::Float(x) = v {
        return Ok(x.get());
    }
    match to_f64(vm, v) {
        Ok(x) => Ok(x),
        Err(e) => {
            let tn = vm.type_name(&Value::Obj(e.clone()));
            if tn == "TypeError" {
                Err(fail(vm, a, "required argument is not a float"))
            } else {
                Err(e)
            }
        }
    }
}

/// Copies the little-endian bytes `le` into `out`, reversed for big-endian `order`.
fn put(out: &mut [u8], le: &[u8], order: Order) {
    out.copy_from_slice(le);
    if order == Order::Big {
        out.reverse();
    }
}

/// `_pack(error, fmt, args)`.
fn pack(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_pack", 3, 3)?;
    let parsed = format_of(vm, &a)?;
    let (order, ref items, size) = *parsed;
    let owned;
    let args: &[Value] = match a.pos[2].payload() {
        Some(Payload::Tuple(t)) => t,
        _ => {
            owned = aio_vm::module::sequence_items(&a.pos[2]).unwrap_or_default();
            &owned
        }
    };
    let wanted: usize = items.iter().map(|i| i.values()).sum();
    if args.len() != wanted {
        return Err(fail(
            vm,
            &a,
            format!(
                "pack expected {wanted} items for packing (got {})",
                args.len()
            ),
        ));
    }
    let mut out = vec![0u8; size];
    let mut next = args.iter();
    for item in items {
        let mut off = item.offset;
        match item.code {
            'x' => continue,
            's' | 'p' => {
                let v = next.next().expect("counted");
                let Some(data) =
                    aio_vm::module::bytes_of(v).filter(|_| !matches!(v, Value::Str(_)))
                else {
                    return Err(fail(
                        vm,
                        &a,
                        format!("argument for '{}' must be a bytes object", item.code),
                    ));
                };
                let n = item.count;
                if item.code == 's' {
                    let k = data.len().min(n);
                    out[off..off + k].copy_from_slice(&data[..k]);
                } else if n > 0 {
                    let k = data.len().min(n - 1);
                    out[off + 1..off + 1 + k].copy_from_slice(&data[..k]);
                    out[off] = k.min(255) as u8;
                }
                continue;
            }
            _ => {}
        }
        for _ in 0..item.count {
            let v = next.next().expect("counted");
            let dst = &mut out[off..off + item.size];
            match item.code {
                'c' => match aio_vm::module::bytes_of(v) {
                    Some(b) if b.len() == 1 && !aio_vm::module::is_bytearray(v) => dst[0] = b[0],
                    _ => {
                        return Err(fail(
                            vm,
                            &a,
                            "char format requires a bytes object of length 1",
                        ))
                    }
                },
                '?' => dst[0] = vm.is_true(v)? as u8,
                'e' => {
                    let x = float_arg(vm, &a, v)?;
                    match pack_half(x) {
                        Some(h) => put(dst, &h.to_le_bytes(), order),
                        None => {
                            let cls = vm.exc.overflow_error.clone();
                            return Err(
                                vm.new_exception_msg(&cls, "float too large to pack with e format")
                            );
                        }
                    }
                }
                'f' => {
                    let x = aio_vm::num::canonical_nan(float_arg(vm, &a, v)?);
                    let y = x as f32;
                    if order != Order::Native && y.is_infinite() && !x.is_infinite() {
                        let cls = vm.exc.overflow_error.clone();
                        return Err(
                            vm.new_exception_msg(&cls, "float too large to pack with f format")
                        );
                    }
                    put(dst, &y.to_le_bytes(), order);
                }
                'd' => {
                    let x = aio_vm::num::canonical_nan(float_arg(vm, &a, v)?);
                    put(dst, &x.to_le_bytes(), order);
                }
                code => {
                    let n = int_arg(vm, &a, v)?;
                    pack_int(vm, &a, n, code, dst, order)?;
                }
            }
            off += item.size;
        }
    }
    Ok(new_bytes(vm, out))
}

/// `_unpack(error, fmt, buffer, offset)`: the buffer holds the format's size at `offset`.
fn unpack(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_unpack", 4, 4)?;
    let parsed = format_of(vm, &a)?;
    let (order, ref items, size) = *parsed;
    let base = match a.pos[3] {
        Value::Int(i) if i >= 0 => i as usize,
        _ => aio_vm::module::to_index_i64(vm, &a.pos[3])? as usize,
    };
    // `bytes` and `bytearray` are read in place (copying the whole buffer per call made
    // `iter_unpack` and `unpack_from` quadratic); a view is copied.
    let copied;
    let held;
    let buf: &[u8] = match a.pos[2].payload() {
        Some(Payload::Bytes(b)) => b,
        Some(Payload::ByteArray(b)) => {
            held = b.borrow();
            &held
        }
        _ => match aio_vm::module::bytes_of(&a.pos[2]) {
            Some(b) => {
                copied = b;
                &copied
            }
            None => {
                let t = vm.type_name(&a.pos[2]);
                return Err(
                    vm.new_type_error(format!("a bytes-like object is required, not '{t}'"))
                );
            }
        },
    };
    if buf.len() < base + size {
        return Err(fail(
            vm,
            &a,
            format!("unpack requires a buffer of {size} bytes"),
        ));
    }
    let mut out = Vec::with_capacity(items.iter().map(|i| i.values()).sum());
    for item in items {
        let mut off = base + item.offset;
        match item.code {
            'x' => continue,
            's' => {
                out.push(new_bytes(vm, buf[off..off + item.count].to_vec()));
                continue;
            }
            'p' => {
                let n = item.count;
                let data = if n == 0 {
                    Vec::new()
                } else {
                    let k = (buf[off] as usize).min(n - 1);
                    buf[off + 1..off + 1 + k].to_vec()
                };
                out.push(new_bytes(vm, data));
                continue;
            }
            _ => {}
        }
        for _ in 0..item.count {
            // The element's bytes, little-endian first.
            let mut raw = [0u8; 16];
            raw[..item.size].copy_from_slice(&buf[off..off + item.size]);
            if order == Order::Big {
                raw[..item.size].reverse();
            }
            let v = match item.code {
                'c' => new_bytes(vm, vec![raw[0]]),
                '?' => Value::bool(raw[0] != 0),
                'e' => Value::float(unpack_half(u16::from_le_bytes([raw[0], raw[1]]))),
                'f' => Value::float(f32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]) as f64),
                'd' => Value::float(f64::from_le_bytes(
                    raw[..8].try_into().expect("eight bytes"),
                )),
                code => {
                    if code.is_ascii_lowercase() && raw[item.size - 1] & 0x80 != 0 {
                        raw[item.size..].fill(0xff);
                    }
                    let v = i128::from_le_bytes(raw);
                    match i64::try_from(v) {
                        Ok(small) => Value::Int(small),
                        Err(_) => int_value(vm, BigInt::from(v)),
                    }
                }
            };
            out.push(v);
            off += item.size;
        }
    }
    Ok(vm.new_tuple(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_floats_round_trip_as_cpython() {
        assert_eq!(pack_half(1.0), Some(0x3c00));
        assert_eq!(pack_half(65519.0), Some(0x7bff));
        assert_eq!(pack_half(65520.0), None);
        assert_eq!(pack_half(1.0 / 3.0), Some(0x3555));
        assert_eq!(pack_half(1e-8), Some(0));
        assert_eq!(pack_half(-0.0), Some(0x8000));
        assert_eq!(unpack_half(1), 5.960464477539063e-08);
        assert_eq!(unpack_half(0x7c00), f64::INFINITY);
    }
}
