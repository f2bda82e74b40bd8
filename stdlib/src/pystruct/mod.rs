//! `struct`, a port of CPython's `_struct.c`: format parsing (`format.rs`), packing and
//! unpacking with its byte orders, native alignment, and messages. The natives
//! `_calcsize`, `_pack`, `_unpack` take the module's `error` class first; `struct.aio`
//! is the module (`Struct`, buffer checks, `pack_into`, `unpack_from`, `iter_unpack`).

mod format;

use aio_vm::module::{as_int, call_special, int_value, new_bytes, to_f64, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};
use format::{parse, Item, Order};
use num_bigint::BigInt;
use num_traits::ToPrimitive;

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

fn format_of(vm: &mut Vm, a: &Args) -> PyResult<(Order, Vec<Item>, usize)> {
    let Some(fmt) = a.pos[1].as_str().cloned() else {
        return Err(vm.new_type_error("Struct() argument 1 must be a str or bytes object"));
    };
    parse(fmt.as_str()).map_err(|m| fail(vm, a, m))
}

/// `_calcsize(error, fmt)`.
fn calcsize(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_calcsize", 2, 2)?;
    let (_, _, size) = format_of(vm, &a)?;
    Ok(Value::Int(size as i64))
}

/// The int an argument stands for (`__index__`), or struct.error.
fn int_arg(vm: &mut Vm, a: &Args, v: &Value) -> PyResult<BigInt> {
    if let Some(n) = as_int(v) {
        return Ok(n);
    }
    if !matches!(v, Value::Float(_)) {
        if let Some(r) = call_special(vm, v, "__index__", &[])? {
            if let Some(n) = as_int(&r) {
                return Ok(n);
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

/// Packs the integer `n` for `code` (size `size`) as `_struct.c` does for `order`.
fn pack_int(
    vm: &mut Vm,
    a: &Args,
    n: &BigInt,
    code: char,
    size: usize,
    order: Order,
) -> PyResult<Vec<u8>> {
    let signed = code.is_ascii_lowercase();
    // Native functions serve '@' and, on this little-endian host, '<' and '=' for the
    // codes whose standard size is the native one.
    let native = order == Order::Native
        || (order == Order::Little
            && matches!(code, 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'q' | 'Q'));
    if !native && size == 8 {
        // _PyLong_AsByteArray's message.
        let fits = if signed {
            n.to_i64().is_some()
        } else {
            n.to_u64().is_some()
        };
        if !fits {
            return Err(fail(vm, a, "int too large to convert"));
        }
    }
    // b, B and the native h, H are read as C longs (get_long), the others by signedness.
    let as_long = signed || code == 'B' || (code == 'H' && native);
    let v: i128 = if as_long {
        match n.to_i64() {
            Some(v) => v as i128,
            None => return Err(fail(vm, a, "argument out of range")),
        }
    } else {
        match n.to_u64() {
            Some(v) => v as i128,
            None => return Err(fail(vm, a, "argument out of range")),
        }
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
    let bytes = (v as u128).to_le_bytes();
    let mut out = bytes[..size].to_vec();
    if order == Order::Big {
        out.reverse();
    }
    Ok(out)
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

fn ordered(mut b: Vec<u8>, order: Order) -> Vec<u8> {
    if order == Order::Big {
        b.reverse();
    }
    b
}

/// `_pack(error, fmt, args)`.
fn pack(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_pack", 3, 3)?;
    let (order, items, size) = format_of(vm, &a)?;
    let args = aio_vm::module::sequence_items(&a.pos[2]).unwrap_or_default();
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
    for item in &items {
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
            let bytes = match item.code {
                'c' => match aio_vm::module::bytes_of(v) {
                    Some(b) if b.len() == 1 && !aio_vm::module::is_bytearray(v) => b,
                    _ => {
                        return Err(fail(
                            vm,
                            &a,
                            "char format requires a bytes object of length 1",
                        ))
                    }
                },
                '?' => {
                    let t = vm.is_true(v)?;
                    vec![t as u8]
                }
                'e' => {
                    let x = float_arg(vm, &a, v)?;
                    match pack_half(x) {
                        Some(h) => ordered(h.to_le_bytes().to_vec(), order),
                        None => {
                            let cls = vm.exc.overflow_error.clone();
                            return Err(
                                vm.new_exception_msg(&cls, "float too large to pack with e format")
                            );
                        }
                    }
                }
                'f' => {
                    let x = float_arg(vm, &a, v)?;
                    let y = x as f32;
                    if order != Order::Native && y.is_infinite() && !x.is_infinite() {
                        let cls = vm.exc.overflow_error.clone();
                        return Err(
                            vm.new_exception_msg(&cls, "float too large to pack with f format")
                        );
                    }
                    ordered(y.to_le_bytes().to_vec(), order)
                }
                'd' => {
                    let x = float_arg(vm, &a, v)?;
                    ordered(x.to_le_bytes().to_vec(), order)
                }
                code => {
                    let n = int_arg(vm, &a, v)?;
                    pack_int(vm, &a, &n, code, item.size, order)?
                }
            };
            out[off..off + item.size].copy_from_slice(&bytes);
            off += item.size;
        }
    }
    Ok(new_bytes(vm, out))
}

/// `_unpack(error, fmt, buffer, offset)`: the buffer holds the format's size at `offset`.
fn unpack(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_unpack", 4, 4)?;
    let (order, items, size) = format_of(vm, &a)?;
    let base = aio_vm::module::to_index_i64(vm, &a.pos[3])? as usize;
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
    let mut out = Vec::new();
    for item in &items {
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
            let mut raw = buf[off..off + item.size].to_vec();
            if order == Order::Big {
                raw.reverse();
            }
            let v = match item.code {
                'c' => new_bytes(vm, raw),
                '?' => Value::bool(raw[0] != 0),
                'e' => Value::float(unpack_half(u16::from_le_bytes([raw[0], raw[1]]))),
                'f' => Value::float(f32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]) as f64),
                'd' => {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(&raw);
                    Value::float(f64::from_le_bytes(b))
                }
                code => {
                    let mut b = [0u8; 16];
                    b[..item.size].copy_from_slice(&raw);
                    let signed = code.is_ascii_lowercase();
                    if signed && raw[item.size - 1] & 0x80 != 0 {
                        for x in b.iter_mut().skip(item.size) {
                            *x = 0xff;
                        }
                    }
                    let v = i128::from_le_bytes(b);
                    int_value(vm, BigInt::from(v))
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
