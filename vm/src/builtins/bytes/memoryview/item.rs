//! A memoryview item in one of the native single-character `struct` formats CPython's
//! `memoryview.cast` accepts (`get_native_fmtchar`): its size, and packing and unpacking
//! as `pack_single`/`unpack_single` do, with their messages. Items are little-endian, as
//! on the machines aio runs on.

use crate::object::Payload;
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use num_traits::ToPrimitive;

/// The size of an item of format `code`; `None` when `code` is not a native format.
pub(super) fn itemsize(code: u8) -> Option<usize> {
    Some(match code {
        b'c' | b'b' | b'B' | b'?' => 1,
        b'h' | b'H' => 2,
        b'i' | b'I' | b'f' => 4,
        b'l' | b'L' | b'q' | b'Q' | b'n' | b'N' | b'P' | b'd' => 8,
        _ => return None,
    })
}

/// The single-character format of a format string (`"i"`, `"@i"`); `None` otherwise.
pub(super) fn native_code(format: &str) -> Option<u8> {
    match format.strip_prefix('@').unwrap_or(format).as_bytes() {
        [c] if itemsize(*c).is_some() => Some(*c),
        _ => None,
    }
}

/// Whether `code` is one of the byte formats any format may be cast from or to.
pub(super) fn is_byte_format(code: u8) -> bool {
    matches!(code, b'b' | b'B' | b'c')
}

/// An unpacked item, compared without making Python values (`memoryview.__eq__`).
#[derive(Clone, Copy, Debug)]
pub(super) enum Item {
    Int(i128),
    Float(f64),
    Bool(bool),
    /// A `'c'` item: a bytes object of length 1.
    Char(u8),
}

impl PartialEq for Item {
    /// Python's `==` between the values the items stand for.
    fn eq(&self, other: &Item) -> bool {
        use Item::*;
        let int = |i: &Item| match *i {
            Int(n) => Some(n),
            Bool(b) => Some(b as i128),
            _ => None,
        };
        match (self, other) {
            (Char(a), Char(b)) => a == b,
            (Char(_), _) | (_, Char(_)) => false,
            (Float(a), Float(b)) => a == b,
            (Float(f), i) | (i, Float(f)) => {
                let n = int(i).unwrap_or_default();
                f.fract() == 0.0 && f.abs() < 1e38 && *f as i128 == n
            }
            (a, b) => int(a) == int(b),
        }
    }
}

/// The item of format `code` stored in `bytes` (exactly `itemsize(code)` of them).
pub(super) fn unpack(code: u8, bytes: &[u8]) -> Item {
    let mut word = [0u8; 8];
    word[..bytes.len()].copy_from_slice(bytes);
    let unsigned = u64::from_le_bytes(word);
    let bits = bytes.len() as u32 * 8;
    let signed = ((unsigned << (64 - bits)) as i64 >> (64 - bits)) as i128;
    match code {
        b'c' => Item::Char(bytes[0]),
        b'?' => Item::Bool(bytes[0] != 0),
        b'f' => Item::Float(f32::from_bits(unsigned as u32) as f64),
        b'd' => Item::Float(f64::from_bits(unsigned)),
        b'b' | b'h' | b'i' | b'l' | b'q' | b'n' => Item::Int(signed),
        _ => Item::Int(unsigned as i128),
    }
}

/// The Python value of an item.
pub(super) fn to_value(vm: &mut Vm, item: Item) -> Value {
    match item {
        Item::Int(n) => match i64::try_from(n) {
            Ok(i) => Value::Int(i),
            Err(_) => crate::module::int_value(vm, n.into()),
        },
        Item::Float(f) => Value::float(f),
        Item::Bool(b) => Value::bool(b),
        Item::Char(c) => crate::module::new_bytes(vm, vec![c]),
    }
}

/// The bytes that store `value` as an item of format `code`, or CPython's
/// `memoryview: invalid type for format 'h'` / `invalid value for format 'h'`.
pub(super) fn pack(vm: &mut Vm, code: u8, value: &Value) -> PyResult<Vec<u8>> {
    let size = itemsize(code).unwrap_or(1);
    let fmt = code as char;
    let invalid_type =
        |vm: &mut Vm| vm.new_type_error(format!("memoryview: invalid type for format '{fmt}'"));
    let invalid_value =
        |vm: &mut Vm| vm.new_value_error(format!("memoryview: invalid value for format '{fmt}'"));
    // CPython's `fix_error_int`: a TypeError or a ValueError / OverflowError raised while
    // converting becomes the format's own error.
    let fix = |vm: &mut Vm, e: crate::value::Obj| {
        let e = Value::Obj(e);
        let (te, ve, oe) = (
            vm.exc.type_error.clone(),
            vm.exc.value_error.clone(),
            vm.exc.overflow_error.clone(),
        );
        if vm.isinstance(&e, &te) {
            invalid_type(vm)
        } else if vm.isinstance(&e, &ve) || vm.isinstance(&e, &oe) {
            invalid_value(vm)
        } else {
            e.as_obj().cloned().expect("an exception")
        }
    };
    match code {
        b'c' => match value.payload() {
            Some(Payload::Bytes(b)) if b.len() == 1 => Ok(b.to_vec()),
            Some(Payload::Bytes(_)) => Err(invalid_value(vm)),
            _ => Err(invalid_type(vm)),
        },
        b'?' => Ok(vec![vm.is_true(value)? as u8]),
        b'f' | b'd' => {
            let f = crate::module::to_f64(vm, value).map_err(|e| fix(vm, e))?;
            Ok(if code == b'f' {
                (f as f32).to_le_bytes().to_vec()
            } else {
                f.to_le_bytes().to_vec()
            })
        }
        _ => {
            let n = super::super::super::int::bigint_index(vm, value).map_err(|e| fix(vm, e))?;
            let signed = matches!(code, b'b' | b'h' | b'i' | b'l' | b'q' | b'n');
            let bits = size as u32 * 8;
            let fits = match (signed, n.to_i128()) {
                (_, None) => false,
                (true, Some(n)) => (-(1i128 << (bits - 1))..(1i128 << (bits - 1))).contains(&n),
                // `P` takes any C `long long` or `unsigned long long`, as PyLong_AsVoidPtr.
                (false, Some(n)) if code == b'P' => {
                    (i64::MIN as i128..=u64::MAX as i128).contains(&n)
                }
                (false, Some(n)) => (0..(1i128 << bits)).contains(&n),
            };
            if !fits {
                return Err(invalid_value(vm));
            }
            let n = n.to_i128().unwrap_or_default();
            Ok((n as u64).to_le_bytes()[..size].to_vec())
        }
    }
}
