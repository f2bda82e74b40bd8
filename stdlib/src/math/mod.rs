//! The `math` module: CPython 3.11's `math`, with the platform libm where CPython calls it
//! and CPython's own algorithms elsewhere (`fsum`, `hypot`/`dist`, `gamma`/`lgamma`,
//! `remainder`, `pow`'s special values, logarithms of big ints), and its error rules:
//! a NaN from a non-NaN argument or a pole is `ValueError: math domain error`, an overflow
//! is `OverflowError: math range error`.

pub(crate) mod fsum;
pub(crate) mod gamma;
pub(crate) mod integers;
pub(crate) mod libm;
pub(crate) mod norm;

use aio_vm::module::{as_int, call_special, int_value, to_f64, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::value::Bool;
use aio_vm::{Obj, PyResult, Value, Vm};
use libm::safe as m;
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

/// A failure of a math function, mapped to CPython's exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MathError {
    /// `ValueError: math domain error`.
    Domain,
    /// `OverflowError: math range error`.
    Range,
}

/// CPython's exception for `e`.
pub(crate) fn raise(vm: &mut Vm, e: MathError) -> Obj {
    match e {
        MathError::Domain => vm.new_value_error("math domain error"),
        MathError::Range => vm.new_overflow_error("math range error"),
    }
}

/// CPython's `math_1` rule: a NaN from non-NaN input is a domain error; an infinity from a
/// finite input is a range error when the function `can_overflow`, else a domain error.
fn check1(x: f64, r: f64, can_overflow: bool) -> Result<f64, MathError> {
    if r.is_nan() && !x.is_nan() {
        return Err(MathError::Domain);
    }
    if r.is_infinite() && x.is_finite() {
        return Err(if can_overflow {
            MathError::Range
        } else {
            MathError::Domain
        });
    }
    Ok(r)
}

/// CPython's `math_2` rule for two-argument functions.
fn check2(x: f64, y: f64, r: f64) -> Result<f64, MathError> {
    if r.is_nan() && !x.is_nan() && !y.is_nan() {
        return Err(MathError::Domain);
    }
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(MathError::Range);
    }
    Ok(r)
}

fn one_arg(vm: &mut Vm, a: &Args, name: &str) -> PyResult<Value> {
    single_arg(vm, a, "math", name)
}

/// The argument of a one-argument (`METH_O`) function `module.name`, with CPython's
/// messages (`math.sqrt() takes exactly one argument (2 given)`).
pub(crate) fn single_arg(vm: &mut Vm, a: &Args, module: &str, name: &str) -> PyResult<Value> {
    if a.kw.is_empty() && a.pos.len() == 1 {
        return Ok(a.pos[0].clone());
    }
    // Only the error messages need the qualified name.
    let full = format!("{module}.{name}");
    a.no_kwargs(vm, &full)?;
    a.check_count(vm, &full, 1, 1)?;
    Ok(a.pos[0].clone())
}

fn two_args(vm: &mut Vm, a: &Args, name: &str) -> PyResult<(f64, f64)> {
    a.no_kwargs(vm, name)?;
    a.check_count(vm, name, 2, 2)?;
    let x = to_f64(vm, &a.pos[0])?;
    let y = to_f64(vm, &a.pos[1])?;
    Ok((x, y))
}

fn float_result(vm: &mut Vm, r: Result<f64, MathError>) -> PyResult {
    r.map(Value::float).map_err(|e| raise(vm, e))
}

macro_rules! math1 {
    ($($fname:ident => $name:literal, $f:expr, $overflow:expr;)*) => {
        $(
            fn $fname(vm: &mut Vm, a: Args) -> PyResult {
                let v = one_arg(vm, &a, $name)?;
                let x = to_f64(vm, &v)?;
                let f: fn(f64) -> f64 = $f;
                float_result(vm, check1(x, f(x), $overflow))
            }
        )*
    };
}

math1! {
    math_acos => "acos", m::acos, false;
    math_acosh => "acosh", m::acosh, false;
    math_asin => "asin", m::asin, false;
    math_asinh => "asinh", m::asinh, false;
    math_atan => "atan", m::atan, false;
    math_atanh => "atanh", m::atanh, false;
    math_cbrt => "cbrt", m::cbrt, false;
    math_cos => "cos", m::cos, false;
    math_cosh => "cosh", m::cosh, true;
    math_exp => "exp", m::exp, true;
    math_exp2 => "exp2", m::exp2, true;
    math_expm1 => "expm1", m::expm1, true;
    math_fabs => "fabs", f64::abs, false;
    math_log1p => "log1p", m::log1p, false;
    math_sin => "sin", m::sin, false;
    math_sinh => "sinh", m::sinh, true;
    math_sqrt => "sqrt", m::sqrt, false;
    math_tan => "tan", m::tan, false;
    math_tanh => "tanh", m::tanh, false;
    math_erf => "erf", m::erf, false;
    math_erfc => "erfc", m::erfc, false;
}

fn math_degrees(vm: &mut Vm, a: Args) -> PyResult {
    let v = one_arg(vm, &a, "degrees")?;
    let x = to_f64(vm, &v)?;
    Ok(Value::float(x * (180.0 / std::f64::consts::PI)))
}

fn math_radians(vm: &mut Vm, a: Args) -> PyResult {
    let v = one_arg(vm, &a, "radians")?;
    let x = to_f64(vm, &v)?;
    Ok(Value::float(x * (std::f64::consts::PI / 180.0)))
}

fn math_gamma(vm: &mut Vm, a: Args) -> PyResult {
    let v = one_arg(vm, &a, "gamma")?;
    let x = to_f64(vm, &v)?;
    float_result(vm, gamma::gamma(x))
}

fn math_lgamma(vm: &mut Vm, a: Args) -> PyResult {
    let v = one_arg(vm, &a, "lgamma")?;
    let x = to_f64(vm, &v)?;
    float_result(vm, gamma::lgamma(x))
}

fn math_isfinite(vm: &mut Vm, a: Args) -> PyResult {
    let v = one_arg(vm, &a, "isfinite")?;
    Ok(Value::bool(to_f64(vm, &v)?.is_finite()))
}

fn math_isinf(vm: &mut Vm, a: Args) -> PyResult {
    let v = one_arg(vm, &a, "isinf")?;
    Ok(Value::bool(to_f64(vm, &v)?.is_infinite()))
}

fn math_isnan(vm: &mut Vm, a: Args) -> PyResult {
    let v = one_arg(vm, &a, "isnan")?;
    Ok(Value::bool(to_f64(vm, &v)?.is_nan()))
}

/// `atan2` with C99's special values handled first, as CPython's `m_atan2`.
fn atan2(y: f64, x: f64) -> f64 {
    use std::f64::consts::PI;
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if y.is_infinite() {
        if x.is_infinite() {
            return if 1f64.copysign(x) == 1.0 {
                (0.25 * PI).copysign(y)
            } else {
                (0.75 * PI).copysign(y)
            };
        }
        return (0.5 * PI).copysign(y);
    }
    if x.is_infinite() || y == 0.0 {
        return if 1f64.copysign(x) == 1.0 {
            0f64.copysign(y)
        } else {
            PI.copysign(y)
        };
    }
    m::atan2(y, x)
}

/// IEEE 754 remainder, exact (CPython's `m_remainder`).
pub(crate) fn remainder(x: f64, y: f64) -> f64 {
    if x.is_finite() && y.is_finite() {
        if y == 0.0 {
            return f64::NAN;
        }
        let absx = x.abs();
        let absy = y.abs();
        let md = m::fmod(absx, absy);
        let c = absy - md;
        let r = if md < c {
            md
        } else if md > c {
            -c
        } else {
            md - 2.0 * m::fmod(0.5 * (absx - md), absy)
        };
        return 1f64.copysign(x) * r;
    }
    if x.is_nan() {
        return x;
    }
    if y.is_nan() {
        return y;
    }
    if x.is_infinite() {
        return f64::NAN;
    }
    x
}

fn math_atan2(vm: &mut Vm, a: Args) -> PyResult {
    let (y, x) = two_args(vm, &a, "atan2")?;
    float_result(vm, check2(y, x, atan2(y, x)))
}

fn math_copysign(vm: &mut Vm, a: Args) -> PyResult {
    let (x, y) = two_args(vm, &a, "copysign")?;
    float_result(vm, check2(x, y, x.copysign(y)))
}

fn math_remainder(vm: &mut Vm, a: Args) -> PyResult {
    let (x, y) = two_args(vm, &a, "remainder")?;
    float_result(vm, check2(x, y, remainder(x, y)))
}

fn math_fmod(vm: &mut Vm, a: Args) -> PyResult {
    let (x, y) = two_args(vm, &a, "fmod")?;
    if y.is_infinite() && x.is_finite() {
        return Ok(Value::float(x));
    }
    let r = m::fmod(x, y);
    if r.is_nan() && !x.is_nan() && !y.is_nan() {
        return Err(raise(vm, MathError::Domain));
    }
    Ok(Value::float(r))
}

/// `math.pow`: IEEE special values first, then libm `pow` with 0**negative a domain error.
pub(crate) fn pow(x: f64, y: f64) -> Result<f64, MathError> {
    if !x.is_finite() || !y.is_finite() {
        let r = if x.is_nan() {
            if y == 0.0 {
                1.0
            } else {
                x
            }
        } else if y.is_nan() {
            if x == 1.0 {
                1.0
            } else {
                y
            }
        } else if x.is_infinite() {
            let odd_y = y.is_finite() && m::fmod(y.abs(), 2.0) == 1.0;
            if y > 0.0 {
                if odd_y {
                    x
                } else {
                    x.abs()
                }
            } else if y == 0.0 {
                1.0
            } else if odd_y {
                0f64.copysign(x)
            } else {
                0.0
            }
        } else if x.abs() == 1.0 {
            1.0
        } else if y > 0.0 && x.abs() > 1.0 {
            y
        } else if y < 0.0 && x.abs() < 1.0 {
            -y
        } else {
            0.0
        };
        return Ok(r);
    }
    let r = m::pow(x, y);
    if r.is_nan() {
        return Err(MathError::Domain);
    }
    if r.is_infinite() {
        return Err(if x == 0.0 {
            MathError::Domain
        } else {
            MathError::Range
        });
    }
    Ok(r)
}

fn math_pow(vm: &mut Vm, a: Args) -> PyResult {
    let (x, y) = two_args(vm, &a, "pow")?;
    float_result(vm, pow(x, y))
}

fn math_nextafter(vm: &mut Vm, a: Args) -> PyResult {
    let (x, y) = two_args(vm, &a, "nextafter")?;
    Ok(Value::float(m::nextafter(x, y)))
}

fn math_ulp(vm: &mut Vm, a: Args) -> PyResult {
    let v = one_arg(vm, &a, "ulp")?;
    let x = to_f64(vm, &v)?;
    if x.is_nan() {
        return Ok(Value::float(x));
    }
    let x = x.abs();
    if x.is_infinite() {
        return Ok(Value::float(x));
    }
    let x2 = m::nextafter(x, f64::INFINITY);
    if x2.is_infinite() {
        let x2 = m::nextafter(x, f64::NEG_INFINITY);
        return Ok(Value::float(x - x2));
    }
    Ok(Value::float(x2 - x))
}

/// An int from a float, with CPython's errors for infinities and NaNs.
fn int_from_float(vm: &mut Vm, x: f64) -> PyResult {
    if x.is_infinite() {
        return Err(vm.new_overflow_error("cannot convert float infinity to integer"));
    }
    if x.is_nan() {
        return Err(vm.new_value_error("cannot convert float NaN to integer"));
    }
    if x.abs() < 9.0e18 {
        return Ok(Value::Int(x as i64));
    }
    let b = num_bigint::BigInt::from_f64_exact(x);
    Ok(int_value(vm, b))
}

trait FromF64Exact {
    fn from_f64_exact(x: f64) -> Self;
}

impl FromF64Exact for BigInt {
    fn from_f64_exact(x: f64) -> BigInt {
        num_traits::FromPrimitive::from_f64(x).unwrap_or_default()
    }
}

/// `floor`/`ceil`: exact floats directly, ints as themselves, else the special method,
/// else the float value.
fn round_to_int(vm: &mut Vm, a: Args, name: &str, special: &str, up: bool) -> PyResult {
    let v = one_arg(vm, &a, name)?;
    if let Value::Float(x) = v {
        let x = x.get();
        let r = if up { -m::floor(-x) } else { m::floor(x) };
        return int_from_float(vm, r);
    }
    if let Some(b) = as_int(&v) {
        if matches!(v, Value::Int(_) | Value::Bool(_)) || !is_subclass_instance(vm, &v) {
            return Ok(int_value(vm, b));
        }
    }
    if let Some(r) = call_special(vm, &v, special, &[])? {
        return Ok(r);
    }
    let x = to_f64(vm, &v)?;
    let r = if up { -m::floor(-x) } else { m::floor(x) };
    int_from_float(vm, r)
}

fn is_subclass_instance(vm: &mut Vm, v: &Value) -> bool {
    let cls = vm.class_of(v).clone();
    !std::rc::Rc::ptr_eq(&cls, &vm.types.int)
}

fn math_floor(vm: &mut Vm, a: Args) -> PyResult {
    round_to_int(vm, a, "floor", "__floor__", false)
}

fn math_ceil(vm: &mut Vm, a: Args) -> PyResult {
    round_to_int(vm, a, "ceil", "__ceil__", true)
}

fn math_trunc(vm: &mut Vm, a: Args) -> PyResult {
    let v = one_arg(vm, &a, "trunc")?;
    if let Value::Float(x) = v {
        return int_from_float(vm, x.get().trunc());
    }
    if let Some(b) = as_int(&v) {
        if !is_subclass_instance(vm, &v) || matches!(v, Value::Bool(_)) {
            return Ok(int_value(vm, b));
        }
    }
    match call_special(vm, &v, "__trunc__", &[])? {
        Some(r) => Ok(r),
        None => Err(vm.new_type_error(format!(
            "type {} doesn't define __trunc__ method",
            vm.type_name(&v)
        ))),
    }
}

fn math_frexp(vm: &mut Vm, a: Args) -> PyResult {
    let v = one_arg(vm, &a, "frexp")?;
    let x = to_f64(vm, &v)?;
    let (mm, e) = if x.is_nan() || x.is_infinite() || x == 0.0 {
        (x, 0)
    } else {
        m::frexp(x)
    };
    Ok(vm.new_tuple(vec![Value::float(mm), Value::Int(e as i64)]))
}

fn math_modf(vm: &mut Vm, a: Args) -> PyResult {
    let v = one_arg(vm, &a, "modf")?;
    let x = to_f64(vm, &v)?;
    let (f, i) = if x.is_infinite() {
        (0f64.copysign(x), x)
    } else if x.is_nan() {
        (x, x)
    } else {
        m::modf(x)
    };
    Ok(vm.new_tuple(vec![Value::float(f), Value::float(i)]))
}

fn math_ldexp(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "math.ldexp")?;
    a.check_count(vm, "ldexp", 2, 2)?;
    let x = to_f64(vm, &a.pos[0])?;
    let Some(i) = as_int(&a.pos[1]) else {
        return Err(vm.new_type_error("Expected an int as second argument to ldexp."));
    };
    let exp = i
        .to_i64()
        .unwrap_or(if i.is_negative() { i64::MIN } else { i64::MAX });
    let r = if x == 0.0 || !x.is_finite() {
        x
    } else if exp > i32::MAX as i64 {
        return Err(raise(vm, MathError::Range));
    } else if exp < i32::MIN as i64 {
        0f64.copysign(x)
    } else {
        let r = m::ldexp(x, exp as i32);
        if r.is_infinite() {
            return Err(raise(vm, MathError::Range));
        }
        r
    };
    Ok(Value::float(r))
}

/// A log of an int or float argument (`loghelper`): ints too large for a float still have
/// a log (from their mantissa and exponent); non-positive ints are a domain error.
fn log_helper(vm: &mut Vm, v: &Value, f: fn(f64) -> Result<f64, MathError>) -> PyResult<f64> {
    if let Some(b) = as_int(v) {
        if !b.is_positive() {
            return Err(raise(vm, MathError::Domain));
        }
        return match b.to_f64().filter(|x| x.is_finite()) {
            Some(x) => f(x).map_err(|e| raise(vm, e)),
            None => {
                // x ~= mant * 2**e with 0.5 <= mant < 1.
                let bits = b.bits();
                let shift = bits.saturating_sub(60);
                let top = (&b >> shift).to_f64().unwrap_or(0.0);
                let (mant, e) = m::frexp(top);
                let e = e as f64 + shift as f64;
                let lm = f(mant).map_err(|e| raise(vm, e))?;
                let l2 = f(2.0).map_err(|e| raise(vm, e))?;
                Ok(lm + l2 * e)
            }
        };
    }
    let x = to_f64(vm, v)?;
    f(x).map_err(|e| raise(vm, e))
}

fn log_with(x: f64, f: fn(f64) -> f64) -> Result<f64, MathError> {
    if x.is_finite() {
        if x > 0.0 {
            return Ok(f(x));
        }
        return Err(MathError::Domain);
    }
    if x.is_nan() || x > 0.0 {
        return Ok(x);
    }
    Err(MathError::Domain)
}

fn ln(x: f64) -> Result<f64, MathError> {
    log_with(x, m::log)
}

fn lg2(x: f64) -> Result<f64, MathError> {
    log_with(x, m::log2)
}

fn lg10(x: f64) -> Result<f64, MathError> {
    log_with(x, m::log10)
}

fn math_log(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "log")?;
    if a.is_empty() || a.len() > 2 {
        return Err(vm.new_type_error("math.log requires 1 to 2 arguments"));
    }
    let num = log_helper(vm, &a.pos[0], ln)?;
    if a.len() == 1 {
        return Ok(Value::float(num));
    }
    let den = log_helper(vm, &a.pos[1], ln)?;
    if den == 0.0 {
        return Err(vm.new_zero_division("float division by zero"));
    }
    Ok(Value::float(num / den))
}

fn math_log2(vm: &mut Vm, a: Args) -> PyResult {
    let v = one_arg(vm, &a, "log2")?;
    log_helper(vm, &v, lg2).map(Value::float)
}

fn math_log10(vm: &mut Vm, a: Args) -> PyResult {
    let v = one_arg(vm, &a, "log10")?;
    log_helper(vm, &v, lg10).map(Value::float)
}

fn math_isclose(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "isclose", &["a", "b", "rel_tol", "abs_tol"])?;
    if a.len() > 2 {
        return Err(vm.new_type_error(format!(
            "isclose() takes exactly 2 positional arguments ({} given)",
            a.len()
        )));
    }
    let get = |vm: &mut Vm, i: usize, name: &str| -> PyResult<f64> {
        match a.arg(i, name) {
            Some(v) => to_f64(vm, v),
            None => Err(vm.new_type_error(format!(
                "isclose() missing required argument '{name}' (pos {})",
                i + 1
            ))),
        }
    };
    let x = get(vm, 0, "a")?;
    let y = get(vm, 1, "b")?;
    let rel = match a.kwarg("rel_tol") {
        Some(v) => to_f64(vm, v)?,
        None => 1e-9,
    };
    let abs = match a.kwarg("abs_tol") {
        Some(v) => to_f64(vm, v)?,
        None => 0.0,
    };
    if rel < 0.0 || abs < 0.0 {
        return Err(vm.new_value_error("tolerances must be non-negative"));
    }
    if x == y {
        return Ok(Value::Bool(Bool::TRUE));
    }
    if x.is_infinite() || y.is_infinite() {
        return Ok(Value::Bool(Bool::FALSE));
    }
    let diff = (y - x).abs();
    Ok(Value::bool(
        diff <= (rel * y).abs() || diff <= (rel * x).abs() || diff <= abs,
    ))
}

fn math_hypot(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "math.hypot")?;
    let mut xs = Vec::with_capacity(a.len());
    let (mut max, mut nan) = (0.0f64, false);
    for v in a.pos {
        let x = to_f64(vm, v)?.abs();
        nan |= x.is_nan();
        if x > max {
            max = x;
        }
        xs.push(x);
    }
    Ok(Value::float(norm::vector_norm(&xs, max, nan)))
}

fn math_dist(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "math.dist")?;
    a.check_count(vm, "dist", 2, 2)?;
    let p = vm.collect(&a.pos[0])?;
    let q = vm.collect(&a.pos[1])?;
    if p.len() != q.len() {
        return Err(vm.new_value_error("both points must have the same number of dimensions"));
    }
    let mut xs = Vec::with_capacity(p.len());
    let (mut max, mut nan) = (0.0f64, false);
    for (pv, qv) in p.iter().zip(&q) {
        let px = to_f64(vm, pv)?;
        let qx = to_f64(vm, qv)?;
        let x = (px - qx).abs();
        nan |= x.is_nan();
        if x > max {
            max = x;
        }
        xs.push(x);
    }
    Ok(Value::float(norm::vector_norm(&xs, max, nan)))
}

fn math_fsum(vm: &mut Vm, a: Args) -> PyResult {
    let v = one_arg(vm, &a, "fsum")?;
    let it = vm.get_iter(&v)?;
    let mut xs = Vec::new();
    while let Some(item) = vm.next(&it)? {
        xs.push(to_f64(vm, &item)?);
    }
    match fsum::fsum(xs) {
        Ok(r) => Ok(Value::float(r)),
        Err(fsum::FsumError::Overflow) => {
            Err(vm.new_overflow_error("intermediate overflow in fsum"))
        }
        Err(fsum::FsumError::InfMinusInf) => Err(vm.new_value_error("-inf + inf in fsum")),
    }
}

fn math_prod(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "prod", &["start"])?;
    a.check_count(vm, "prod", 1, 1)?;
    let mut acc = a.kwarg("start").cloned().unwrap_or(Value::Int(1));
    let it = vm.get_iter(&a.pos[0])?;
    while let Some(item) = vm.next(&it)? {
        acc = vm.binary_op(&acc, &item, aio_vm::code::BinOp::Mul)?;
    }
    Ok(acc)
}

/// Builds the `math` module.
pub fn init(vm: &mut Vm, module: &Obj) -> PyResult<()> {
    let mut b = ModuleBuilder::new(vm, module);
    let fns: &[(&str, aio_vm::native::NativeFn)] = &[
        ("acos", math_acos),
        ("acosh", math_acosh),
        ("asin", math_asin),
        ("asinh", math_asinh),
        ("atan", math_atan),
        ("atan2", math_atan2),
        ("atanh", math_atanh),
        ("cbrt", math_cbrt),
        ("ceil", math_ceil),
        ("comb", integers::comb),
        ("copysign", math_copysign),
        ("cos", math_cos),
        ("cosh", math_cosh),
        ("degrees", math_degrees),
        ("dist", math_dist),
        ("erf", math_erf),
        ("erfc", math_erfc),
        ("exp", math_exp),
        ("exp2", math_exp2),
        ("expm1", math_expm1),
        ("fabs", math_fabs),
        ("factorial", integers::factorial),
        ("floor", math_floor),
        ("fmod", math_fmod),
        ("frexp", math_frexp),
        ("fsum", math_fsum),
        ("gamma", math_gamma),
        ("gcd", integers::gcd),
        ("hypot", math_hypot),
        ("isclose", math_isclose),
        ("isfinite", math_isfinite),
        ("isinf", math_isinf),
        ("isnan", math_isnan),
        ("isqrt", integers::isqrt),
        ("lcm", integers::lcm),
        ("ldexp", math_ldexp),
        ("lgamma", math_lgamma),
        ("log", math_log),
        ("log10", math_log10),
        ("log1p", math_log1p),
        ("log2", math_log2),
        ("modf", math_modf),
        ("nextafter", math_nextafter),
        ("perm", integers::perm),
        ("pow", math_pow),
        ("prod", math_prod),
        ("radians", math_radians),
        ("remainder", math_remainder),
        ("sin", math_sin),
        ("sinh", math_sinh),
        ("sqrt", math_sqrt),
        ("tan", math_tan),
        ("tanh", math_tanh),
        ("trunc", math_trunc),
        ("ulp", math_ulp),
    ];
    for (name, f) in fns {
        b.function(name, *f);
    }
    b.constant("pi", std::f64::consts::PI)
        .constant("e", std::f64::consts::E)
        .constant("tau", std::f64::consts::TAU)
        .constant("inf", f64::INFINITY)
        .constant("nan", f64::NAN);
    let _ = BigInt::zero();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remainder_is_exact() {
        assert_eq!(remainder(5.0, 2.0), 1.0);
        assert_eq!(remainder(7.0, 2.0), -1.0);
        assert_eq!(remainder(-6.5, 2.0), -0.5);
        assert!(remainder(f64::INFINITY, 1.0).is_nan());
    }

    #[test]
    fn gamma_of_integers() {
        assert_eq!(gamma::gamma(5.0), Ok(24.0));
        assert_eq!(gamma::gamma(0.0), Err(MathError::Domain));
        assert_eq!(gamma::lgamma(1.0), Ok(0.0));
    }
}
