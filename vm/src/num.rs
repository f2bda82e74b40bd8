//! Arithmetic on ints (64-bit with promotion to big ints) and floats with Python's
//! semantics: floor division and modulo round toward negative infinity, `**` with a
//! negative exponent gives a float, true division of ints is correctly rounded, and the
//! error messages are CPython's.

use crate::code::BinOp;
use crate::object::{Object, Payload};
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::rc::Rc;

/// A numeric operand.
pub enum Num<'a> {
    /// A small int (or bool).
    Int(i64),
    /// A big int.
    Big(&'a BigInt),
    /// A float.
    Float(f64),
}

/// The numeric view of a value, if it is an int, bool or float (or a subclass instance).
#[inline]
pub fn num(v: &Value) -> Option<Num<'_>> {
    match v {
        Value::Int(i) => Some(Num::Int(*i)),
        Value::Bool(b) => Some(Num::Int(b.get() as i64)),
        Value::Float(f) => Some(Num::Float(f.get())),
        Value::Obj(o) => match &o.payload {
            Payload::Int(b) => Some(Num::Big(b)),
            Payload::Float(f) => Some(Num::Float(*f)),
            _ => None,
        },
        _ => None,
    }
}

/// The int value of `v` as a big int (ints and bools only).
pub fn to_bigint(v: &Value) -> Option<BigInt> {
    match v {
        Value::Int(i) => Some(BigInt::from(*i)),
        Value::Bool(b) => Some(BigInt::from(b.get() as i64)),
        Value::Obj(o) => match &o.payload {
            Payload::Int(b) => Some(b.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// An int value from a big int, unboxed when it fits.
pub fn int_value(vm: &Vm, b: BigInt) -> Value {
    match b.to_i64() {
        Some(i) => Value::Int(i),
        None => Value::Obj(Rc::new(Object::new(vm.types.int.clone(), Payload::Int(b)))),
    }
}

fn big_of(n: &Num) -> BigInt {
    match n {
        Num::Int(i) => BigInt::from(*i),
        Num::Big(b) => (*b).clone(),
        Num::Float(_) => BigInt::zero(),
    }
}

/// Converts an int operand to float, raising `OverflowError` when too large.
pub fn int_to_f64(vm: &Vm, n: &Num) -> PyResult<f64> {
    match n {
        Num::Int(i) => Ok(*i as f64),
        Num::Float(f) => Ok(*f),
        Num::Big(b) => match b.to_f64() {
            Some(f) if f.is_finite() => Ok(f),
            _ => Err(vm.new_overflow_error("int too large to convert to float")),
        },
    }
}

/// `a op b` for numeric operands; `None` when the operator does not apply to numbers.
pub fn binary(vm: &Vm, a: &Num, b: &Num, op: BinOp) -> PyResult<Option<Value>> {
    if matches!(a, Num::Float(_)) || matches!(b, Num::Float(_)) {
        if matches!(
            op,
            BinOp::And | BinOp::Or | BinOp::Xor | BinOp::LShift | BinOp::RShift | BinOp::MatMul
        ) {
            return Ok(None);
        }
        let x = int_to_f64(vm, a)?;
        let y = int_to_f64(vm, b)?;
        return float_binary(vm, x, y, op).map(Some);
    }
    if let (Num::Int(x), Num::Int(y)) = (a, b) {
        if let Some(v) = small_binary(vm, *x, *y, op)? {
            return Ok(Some(v));
        }
    }
    big_binary(vm, big_of(a), big_of(b), op)
}

fn small_binary(vm: &Vm, x: i64, y: i64, op: BinOp) -> PyResult<Option<Value>> {
    let r = match op {
        BinOp::Add => x.checked_add(y).map(Value::Int),
        BinOp::Sub => x.checked_sub(y).map(Value::Int),
        BinOp::Mul => x.checked_mul(y).map(Value::Int),
        BinOp::FloorDiv => {
            if y == 0 {
                return Err(vm.new_zero_division("integer division or modulo by zero"));
            }
            if x == i64::MIN && y == -1 {
                None
            } else {
                Some(Value::Int(Integer::div_floor(&x, &y)))
            }
        }
        BinOp::Rem => {
            if y == 0 {
                return Err(vm.new_zero_division("integer modulo by zero"));
            }
            if y == -1 {
                Some(Value::Int(0))
            } else {
                Some(Value::Int(x.mod_floor(&y)))
            }
        }
        BinOp::TrueDiv => {
            if y == 0 {
                return Err(vm.new_zero_division("division by zero"));
            }
            if x.unsigned_abs() < (1 << 53) && y.unsigned_abs() < (1 << 53) {
                Some(Value::float(x as f64 / y as f64))
            } else {
                None
            }
        }
        BinOp::And => Some(Value::Int(x & y)),
        BinOp::Or => Some(Value::Int(x | y)),
        BinOp::Xor => Some(Value::Int(x ^ y)),
        BinOp::LShift => {
            if y < 0 {
                return Err(vm.new_value_error("negative shift count"));
            }
            if y < 63 && x.unsigned_abs() < (1u64 << (62 - y)) {
                Some(Value::Int(x << y))
            } else {
                None
            }
        }
        BinOp::RShift => {
            if y < 0 {
                return Err(vm.new_value_error("negative shift count"));
            }
            Some(Value::Int(if y >= 64 {
                if x < 0 {
                    -1
                } else {
                    0
                }
            } else {
                x >> y
            }))
        }
        BinOp::Pow => {
            if y < 0 {
                if x == 0 {
                    return Err(vm.new_zero_division("0.0 cannot be raised to a negative power"));
                }
                return float_binary(vm, x as f64, y as f64, BinOp::Pow).map(Some);
            }
            u32::try_from(y)
                .ok()
                .and_then(|e| x.checked_pow(e))
                .map(Value::Int)
        }
        BinOp::MatMul => return Ok(None),
    };
    Ok(r)
}

fn big_binary(vm: &Vm, x: BigInt, y: BigInt, op: BinOp) -> PyResult<Option<Value>> {
    let r = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::FloorDiv => {
            if y.is_zero() {
                return Err(vm.new_zero_division("integer division or modulo by zero"));
            }
            x.div_floor(&y)
        }
        BinOp::Rem => {
            if y.is_zero() {
                return Err(vm.new_zero_division("integer modulo by zero"));
            }
            x.mod_floor(&y)
        }
        BinOp::TrueDiv => {
            if y.is_zero() {
                return Err(vm.new_zero_division("division by zero"));
            }
            return Ok(Some(Value::float(big_true_div(vm, &x, &y)?)));
        }
        BinOp::And => x & y,
        BinOp::Or => x | y,
        BinOp::Xor => x ^ y,
        BinOp::LShift => {
            if y.is_negative() {
                return Err(vm.new_value_error("negative shift count"));
            }
            if x.is_zero() {
                return Ok(Some(Value::Int(0)));
            }
            let s = lshift_size(vm, &x, &y)?;
            x << s
        }
        BinOp::RShift => {
            if y.is_negative() {
                return Err(vm.new_value_error("negative shift count"));
            }
            match y.to_usize() {
                Some(s) => {
                    // Arithmetic shift rounding toward negative infinity.
                    if x.is_negative() {
                        let one = BigInt::one();
                        -((-x - &one) >> s) - one
                    } else {
                        x >> s
                    }
                }
                None => BigInt::from(if x.is_negative() { -1 } else { 0 }),
            }
        }
        BinOp::Pow => {
            if y.is_negative() {
                let xf = int_to_f64(vm, &Num::Big(&x))?;
                let yf = int_to_f64(vm, &Num::Big(&y))?;
                return float_binary(vm, xf, yf, BinOp::Pow).map(Some);
            }
            match y.to_u32() {
                Some(e) => {
                    // A result whose memory cannot be had is CPython's MemoryError (a
                    // failed allocation would abort the process).
                    let bytes = (x.bits().saturating_sub(1)).saturating_mul(u64::from(e)) / 8;
                    if bytes > 1 << 24 && !usize::try_from(bytes).is_ok_and(can_allocate) {
                        return Err(vm.new_exception(&vm.exc.memory_error.clone(), vec![]));
                    }
                    num_traits::pow::Pow::pow(x, e)
                }
                // 0, 1 and -1 to any power are small; other bases would need more than
                // 2**32 bits (CPython runs out of memory computing them).
                None if x.is_zero() || x.is_one() => x,
                None if (-&x).is_one() => BigInt::from(if y.is_even() { 1 } else { -1 }),
                None => return Err(vm.new_overflow_error("exponent too large")),
            }
        }
        BinOp::MatMul => return Ok(None),
    };
    Ok(Some(int_value(vm, r)))
}

/// The shift of a nonzero `x << y` (`y >= 0`) as a `usize`, with CPython's errors for
/// results that cannot exist: `OverflowError: too many digits in integer` past the most
/// 30-bit digits an int may have (`_PyLong_New`), `MemoryError` when the result's memory
/// cannot be had (asked of the allocator first, as CPython's `malloc` would be; a failed
/// allocation would abort the process).
fn lshift_size(vm: &Vm, x: &BigInt, y: &BigInt) -> PyResult<usize> {
    /// CPython's `MAX_LONG_DIGITS` on 64-bit platforms.
    const MAX_LONG_DIGITS: u64 = (i64::MAX as u64 - 24) / 4;
    let too_many = || vm.new_overflow_error("too many digits in integer");
    // The shift in digits, clipped as CPython's `divmod_shift` clips it.
    let clip = i64::MAX as u64 / 4;
    let (q, r) = y.div_rem(&BigInt::from(30));
    let (words, rem) = match q.to_u64() {
        Some(w) if w < clip => (w, r.to_u64().unwrap_or(0)),
        _ => (clip, 0),
    };
    let digits = x.bits().div_ceil(30) + words + u64::from(rem != 0);
    if digits > MAX_LONG_DIGITS {
        return Err(too_many());
    }
    let no_memory = || vm.new_exception(&vm.exc.memory_error.clone(), vec![]);
    let s = y.to_usize().ok_or_else(no_memory)?;
    let bytes = usize::try_from(digits * 4).map_err(|_| no_memory())?;
    if bytes > 1 << 24 && !can_allocate(bytes) {
        return Err(no_memory());
    }
    Ok(s)
}

/// Whether the C library's `malloc` (CPython's allocator for large blocks) would give
/// `bytes` now: asked of the system allocator and given back at once, untouched.
fn can_allocate(bytes: usize) -> bool {
    use std::alloc::{GlobalAlloc, Layout, System};
    let Ok(layout) = Layout::from_size_align(bytes, 16) else {
        return false;
    };
    // SAFETY: `layout` has a nonzero size; the block is freed with the same layout and
    // never read or written.
    unsafe {
        // black_box: the compiler may otherwise elide an allocation nobody uses.
        let p = std::hint::black_box(System.alloc(layout));
        if p.is_null() {
            return false;
        }
        System.dealloc(p, layout);
    }
    true
}

/// Correctly rounded `x / y` for big ints.
fn big_true_div(vm: &Vm, x: &BigInt, y: &BigInt) -> PyResult<f64> {
    if let (Some(a), Some(b)) = (x.to_f64(), y.to_f64()) {
        if a.abs() < 9007199254740992.0 && b.abs() < 9007199254740992.0 {
            return Ok(a / b);
        }
    }
    // Scale so the quotient has 55+ significant bits, then round once.
    let neg = x.is_negative() != y.is_negative();
    let (a, b) = (x.abs(), y.abs());
    let shift = a.bits() as i64 - b.bits() as i64 - 60;
    let (num, den) = if shift > 0 {
        (a, b << shift as usize)
    } else {
        (a << (-shift) as usize, b)
    };
    let (q, r) = num.div_rem(&den);
    let mut q = q;
    if !r.is_zero() {
        q = (q << 1usize) | BigInt::one();
    } else {
        q <<= 1usize;
    }
    let qf = q.to_f64().unwrap_or(f64::INFINITY);
    let exp = shift - 1;
    let result = if exp > 1023 {
        f64::INFINITY
    } else {
        qf * 2f64.powi(exp as i32)
    };
    if result.is_infinite() {
        return Err(vm.new_overflow_error("integer division result too large for a float"));
    }
    Ok(if neg { -result } else { result })
}

thread_local! {
    static NAN_SERIAL: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// A NaN that is a new object: floats are unboxed, so a NaN's identity lives in its payload
/// bits. Each NaN created by `float("nan")` or by arithmetic gets its own payload, so
/// `(float("nan"),) == (float("nan"),)` is `False` while `[x] == [x]` is `True`, as in CPython.
pub fn fresh_nan(negative: bool) -> f64 {
    let serial = NAN_SERIAL.with(|c| {
        let n = c.get().wrapping_add(1);
        c.set(n);
        n
    });
    let sign = if negative { 1u64 << 63 } else { 0 };
    // Quiet NaN; payload in the low 51 bits, never zero.
    f64::from_bits(sign | 0x7ff8_0000_0000_0000 | (serial & 0x0007_ffff_ffff_ffff).max(1))
}

/// `f` with a NaN's identity payload (`fresh_nan`) cleared: the quiet NaN with `f`'s sign,
/// as CPython writes a NaN made by `float("nan")` or arithmetic. Use it wherever a float's
/// bits become bytes.
pub fn canonical_nan(f: f64) -> f64 {
    if f.is_nan() {
        f64::from_bits((f.to_bits() & (1 << 63)) | 0x7ff8_0000_0000_0000)
    } else {
        f
    }
}

/// `r`, or a fresh NaN object when `r` is a NaN.
fn float_result(r: f64) -> Value {
    Value::float(if r.is_nan() {
        fresh_nan(r.is_sign_negative())
    } else {
        r
    })
}

/// `x op y` for floats.
pub fn float_binary(vm: &Vm, x: f64, y: f64, op: BinOp) -> PyResult<Value> {
    let r = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::TrueDiv => {
            if y == 0.0 {
                return Err(vm.new_zero_division("float division by zero"));
            }
            x / y
        }
        BinOp::FloorDiv => {
            if y == 0.0 {
                return Err(vm.new_zero_division("float floor division by zero"));
            }
            float_divmod(x, y).0
        }
        BinOp::Rem => {
            if y == 0.0 {
                return Err(vm.new_zero_division("float modulo"));
            }
            float_divmod(x, y).1
        }
        BinOp::Pow => return float_pow(vm, x, y),
        _ => return Err(vm.new_type_error("unsupported operand")),
    };
    Ok(float_result(r))
}

/// CPython's `float_divmod`.
pub fn float_divmod(vx: f64, wx: f64) -> (f64, f64) {
    let mut m = vx % wx;
    let mut div = (vx - m) / wx;
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m += wx;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(wx);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(vx / wx)
    };
    (floordiv, m)
}

fn float_pow(vm: &Vm, x: f64, y: f64) -> PyResult<Value> {
    if y == 0.0 {
        return Ok(Value::float(1.0));
    }
    if x.is_nan() {
        return Ok(float_result(x));
    }
    if x == 0.0 && y < 0.0 && y.is_finite() {
        return Err(vm.new_zero_division("0.0 cannot be raised to a negative power"));
    }
    if x < 0.0 && x.is_finite() && y.is_finite() && y.fract() != 0.0 {
        // A complex result, as CPython computes it (`complex.__pow__`); `-inf` to a
        // fractional power is real (`inf` or `0.0`), as libm's `pow` gives it.
        let (re, im) = crate::builtins::complex::power(vm, (x, 0.0), (y, 0.0))?;
        return Ok(crate::builtins::complex_value(vm, re, im));
    }
    let r = x.powf(y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        // CPython raises it from `errno` (ERANGE): the args are the pair, not one string.
        let args = vec![Value::Int(34), Value::str("Numerical result out of range")];
        return Err(vm.new_exception(&vm.exc.overflow_error, args));
    }
    Ok(float_result(r))
}

/// Compares two numbers exactly (ints against floats without rounding).
pub fn compare(a: &Num, b: &Num) -> Option<std::cmp::Ordering> {
    use std::cmp::Ordering;
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(y)),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(y),
        (Num::Float(x), other) => compare(other, &Num::Float(*x)).map(Ordering::reverse),
        (int, Num::Float(y)) => {
            if y.is_nan() {
                return None;
            }
            if y.is_infinite() {
                return Some(if *y > 0.0 {
                    Ordering::Less
                } else {
                    Ordering::Greater
                });
            }
            let big = big_of(int);
            let fl = y.floor();
            let fb = BigInt::from_f64_exact(fl);
            match big.cmp(&fb) {
                Ordering::Equal => {
                    if fl == *y {
                        Some(Ordering::Equal)
                    } else {
                        Some(Ordering::Less)
                    }
                }
                o => Some(o),
            }
        }
        (x, y) => Some(big_of(x).cmp(&big_of(y))),
    }
}

trait FromF64Exact {
    fn from_f64_exact(f: f64) -> BigInt;
}

impl FromF64Exact for BigInt {
    fn from_f64_exact(f: f64) -> BigInt {
        num_traits::FromPrimitive::from_f64(f).unwrap_or_default()
    }
}

/// `hash()` of a number.
pub fn hash(n: &Num) -> i64 {
    match n {
        Num::Int(i) => crate::hashing::hash_i64(*i),
        Num::Big(b) => {
            let m = BigInt::from(crate::hashing::MODULUS);
            let r = b.abs().mod_floor(&m).to_i64().unwrap_or(0);
            let h = if b.is_negative() { -r } else { r };
            if h == -1 {
                -2
            } else {
                h
            }
        }
        Num::Float(f) => crate::hashing::hash_f64(*f, 0),
    }
}
