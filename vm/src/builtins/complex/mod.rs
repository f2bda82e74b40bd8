//! `complex`: arithmetic with ints, floats and complex numbers as CPython 3.11's
//! `complexobject.c` computes it (Smith's division, exact small integer powers by repeated
//! squaring), `==`, `abs`. Values are `Payload::Complex(re, im)` objects (also the payload
//! of `complex` subclass instances). The class's methods and constructor are in
//! `methods.rs`, the string syntax of `complex(s)` in `parse.rs`, and the layout of `repr`
//! and `format()` in `crate::format`.

mod methods;
mod parse;

use crate::code::{BinOp, CmpOp, UnaryOp};
use crate::num::{self, Num};
use crate::object::Payload;
use crate::value::Value;
use crate::vm::{PyResult, Vm};

pub(super) use methods::install;

/// A complex number as CPython's `Py_complex`: `(real, imag)`.
pub type C = (f64, f64);

/// `(re, im)` of a complex value (or of an instance of a `complex` subclass).
#[inline]
pub fn parts(v: &Value) -> Option<C> {
    match v.payload() {
        Some(Payload::Complex(re, im)) => Some((*re, *im)),
        _ => None,
    }
}

/// Whether `v` is a complex number (or an instance of a subclass).
#[inline]
pub fn is_complex(v: &Value) -> bool {
    parts(v).is_some()
}

/// The value of a complex argument as CPython's `PyComplex_AsCComplex`: a complex (or an
/// instance of a subclass), else the result of the class's `__complex__`, else the real
/// number `float(v)` by `__float__` or `__index__` (`TypeError: must be real number, not
/// str` for anything else).
pub fn to_parts(vm: &mut Vm, v: &Value) -> PyResult<C> {
    if let Some(p) = parts(v) {
        return Ok(p);
    }
    if let Some(p) = methods::complex_special(vm, v)?.as_ref().and_then(parts) {
        return Ok(p);
    }
    Ok((crate::module::to_f64(vm, v)?, 0.0))
}

/// A new complex value.
pub fn value(vm: &Vm, re: f64, im: f64) -> Value {
    super::complex_const(&vm.types, re, im)
}

/// The operand of a complex operation, as CPython's `TO_COMPLEX`: a complex, or an int or
/// float (an int too large for a float is `OverflowError`); `None` for anything else.
fn operand(vm: &Vm, v: &Value) -> PyResult<Option<C>> {
    if let Some(p) = parts(v) {
        return Ok(Some(p));
    }
    match num::num(v) {
        Some(n) => Ok(Some((num::int_to_f64(vm, &n)?, 0.0))),
        None => Ok(None),
    }
}

fn prod(a: C, b: C) -> C {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

/// CPython's `_Py_c_quot` (Smith's algorithm); `None` when dividing by zero.
pub fn quot(a: C, b: C) -> Option<C> {
    let (abs_breal, abs_bimag) = (b.0.abs(), b.1.abs());
    if abs_breal >= abs_bimag {
        if abs_breal == 0.0 {
            return None;
        }
        let ratio = b.1 / b.0;
        let denom = b.0 + b.1 * ratio;
        Some(((a.0 + a.1 * ratio) / denom, (a.1 - a.0 * ratio) / denom))
    } else if abs_bimag >= abs_breal {
        let ratio = b.0 / b.1;
        let denom = b.0 * ratio + b.1;
        Some(((a.0 * ratio + a.1) / denom, (a.1 * ratio - a.0) / denom))
    } else {
        // A NaN in the divisor.
        Some((f64::NAN, f64::NAN))
    }
}

/// CPython's `_Py_c_pow`; `None` for zero to a negative or complex power, and where libm
/// reports a domain error.
fn pow_general(a: C, b: C) -> Option<C> {
    if b.0 == 0.0 && b.1 == 0.0 {
        return Some((1.0, 0.0));
    }
    if a.0 == 0.0 && a.1 == 0.0 {
        if b.1 != 0.0 || b.0 < 0.0 {
            return None;
        }
        return Some((0.0, 0.0));
    }
    let vabs = a.0.hypot(a.1);
    let mut len = vabs.powf(b.0);
    let at = a.1.atan2(a.0);
    let mut phase = at * b.0;
    if b.1 != 0.0 {
        len /= (at * b.1).exp();
        phase += b.1 * vabs.ln();
    }
    if phase.is_infinite() {
        // libm's `cos` of an infinity sets `errno` to `EDOM`, which CPython reports as
        // this error (`1j ** (inf+1j)`).
        return None;
    }
    Some((len * phase.cos(), len * phase.sin()))
}

/// CPython's `c_powu`: `x ** n` by repeated squaring.
fn pow_unsigned(x: C, n: i64) -> C {
    let mut r = (1.0, 0.0);
    let mut p = x;
    let mut mask: i64 = 1;
    while mask > 0 && n >= mask {
        if n & mask != 0 {
            r = prod(r, p);
        }
        mask <<= 1;
        p = prod(p, p);
    }
    r
}

/// `a ** b` as CPython's `complex_pow`: exact small integer exponents by repeated squaring,
/// the polar formula otherwise; `ZeroDivisionError` for zero to a negative or complex power,
/// `OverflowError` when a part of the result is infinite.
pub fn power(vm: &Vm, a: C, b: C) -> PyResult<C> {
    let r = if b.1 == 0.0 && b.0 == b.0.floor() && b.0.abs() <= 100.0 {
        let n = b.0 as i64;
        if n > 0 {
            Some(pow_unsigned(a, n))
        } else {
            quot((1.0, 0.0), pow_unsigned(a, -n))
        }
    } else {
        pow_general(a, b)
    };
    match r {
        None => Err(vm.new_zero_division("0.0 to a negative or complex power")),
        Some(r) if r.0.is_infinite() || r.1.is_infinite() => {
            Err(vm.new_overflow_error("complex exponentiation"))
        }
        Some(r) => Ok(r),
    }
}

/// `a op b` when one operand is complex and the other a number; `None` when the operator
/// does not apply (`//`, `%`, bitwise) or the other operand is not a number.
pub fn binary(vm: &mut Vm, a: &Value, b: &Value, op: BinOp) -> PyResult<Option<Value>> {
    if !matches!(
        op,
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::TrueDiv | BinOp::Pow
    ) {
        return Ok(None);
    }
    let (Some(x), Some(y)) = (operand(vm, a)?, operand(vm, b)?) else {
        return Ok(None);
    };
    let r = match op {
        BinOp::Add => (x.0 + y.0, x.1 + y.1),
        BinOp::Sub => (x.0 - y.0, x.1 - y.1),
        BinOp::Mul => prod(x, y),
        BinOp::TrueDiv => {
            quot(x, y).ok_or_else(|| vm.new_zero_division("complex division by zero"))?
        }
        _ => power(vm, x, y)?,
    };
    Ok(Some(value(vm, r.0, r.1)))
}

/// `pow(a, b, m)` with a complex `a` or `b`: CPython's `complex modulo` error once both
/// are numbers, else the `TypeError` of an unsupported three-argument `pow`.
pub fn ternary_pow(vm: &mut Vm, a: &Value, b: &Value, m: &Value) -> PyResult {
    if operand(vm, a)?.is_some() && operand(vm, b)?.is_some() {
        return Err(vm.new_value_error("complex modulo"));
    }
    Err(vm.new_type_error(format!(
        "unsupported operand type(s) for ** or pow(): '{}', '{}', '{}'",
        vm.type_name(a),
        vm.type_name(b),
        vm.type_name(m)
    )))
}

/// `a == b` / `a != b` with a complex operand, as CPython's `complex_richcompare` (an int
/// is compared exactly with the real part); `None` for the ordering operators and for
/// operands that are not numbers.
pub fn compare(a: &Value, b: &Value, op: CmpOp) -> Option<bool> {
    if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
        return None;
    }
    let (z, other) = match parts(a) {
        Some(z) => (z, b),
        None => (parts(b)?, a),
    };
    let equal = match (parts(other), num::num(other)) {
        (Some(w), _) => z == w,
        (None, Some(n)) => {
            z.1 == 0.0 && num::compare(&Num::Float(z.0), &n) == Some(std::cmp::Ordering::Equal)
        }
        (None, None) => return None,
    };
    Some(equal == (op == CmpOp::Eq))
}

/// `-z` and `+z`.
pub fn unary(vm: &Vm, v: &Value, op: UnaryOp) -> Option<Value> {
    let (re, im) = parts(v)?;
    match op {
        UnaryOp::Neg => Some(value(vm, -re, -im)),
        UnaryOp::Pos => Some(value(vm, re, im)),
        _ => None,
    }
}

/// The magnitude of `z` as CPython's `_Py_c_abs` computes it: infinite when a part is,
/// even beside a NaN; NaN when a part is; else `hypot`, infinite when it overflows.
pub fn magnitude(z: C) -> f64 {
    if z.0.is_infinite() || z.1.is_infinite() {
        return f64::INFINITY;
    }
    if z.0.is_nan() || z.1.is_nan() {
        return f64::NAN;
    }
    z.0.hypot(z.1)
}

/// `abs(z)`: its [`magnitude`], `OverflowError` when finite parts overflow it.
pub fn abs(vm: &Vm, z: C) -> PyResult<f64> {
    let r = magnitude(z);
    if r.is_infinite() && z.0.is_finite() && z.1.is_finite() {
        return Err(vm.new_overflow_error("absolute value too large"));
    }
    Ok(r)
}
