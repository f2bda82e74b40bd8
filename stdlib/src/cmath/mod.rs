//! The `cmath` module: CPython 3.11's `cmathmodule.c` ported function by function, so that
//! results agree to the last bit: the same formulas and rescalings over the platform libm
//! (through `math::libm`), the C99 Annex G values at infinities and NaNs from the
//! same tables (`special.rs`), and the same error rules: where CPython's functions set
//! `errno` to `EDOM` (a pole, or an infinite imaginary part where C99 signals invalid) the
//! call raises `ValueError: math domain error`, where they set `ERANGE` (a finite argument
//! whose result overflows) `OverflowError: math range error`.
//!
//! Arguments are taken as CPython's `PyComplex_AsCComplex` takes them
//! ([`aio_vm::module::to_complex`]): complex numbers, objects with `__complex__`, and real
//! numbers (`__float__`, `__index__`).

mod exponential;
mod inverse;
mod log;
mod special;
mod sqrt;

use crate::math::libm::safe as m;
use crate::math::{raise, single_arg, MathError};
use aio_vm::module::{complex_abs, complex_quot, new_complex, to_complex, to_f64, ModuleBuilder};
use aio_vm::native::{Args, NativeFn};
use aio_vm::{Obj, PyResult, Value, Vm};

/// A complex number as its parts `(real, imag)` (CPython's `Py_complex`).
type C = (f64, f64);

/// A result with the error CPython's function leaves in `errno` (the value still matters
/// where a caller goes on computing, as `log` with a base does).
type Flagged = (C, Option<MathError>);

/// Above this magnitude the inverse functions, `sqrt` and `log` rescale their argument to
/// avoid a spurious overflow (CPython's `CM_LARGE_DOUBLE`).
const LARGE: f64 = f64::MAX / 4.0;

/// `CM_LOG_LARGE_DOUBLE`: above it `exp`, `cosh`, `sinh` and `tanh` avoid an unnecessary
/// overflow.
fn log_large() -> f64 {
    m::log(LARGE)
}

/// Bits of a double's significand (`DBL_MANT_DIG`), the scale of subnormal rescaling.
const MANT_DIG: i32 = f64::MANTISSA_DIGITS as i32;

/// libm `log1p`, keeping the sign of a zero (CPython's `_Py_log1p`).
fn log1p(x: f64) -> f64 {
    if x == 0.0 {
        x
    } else {
        m::log1p(x)
    }
}

/// Multiplies `z` by `i`.
fn times_i(z: C) -> C {
    (-z.1, z.0)
}

/// Multiplies `z` by `-i`.
fn times_minus_i(z: C) -> C {
    (z.1, -z.0)
}

/// The error of a [`Flagged`] result, or its value.
fn checked((z, err): Flagged) -> Result<C, MathError> {
    match err {
        Some(e) => Err(e),
        None => Ok(z),
    }
}

/// The single argument of a one-argument `cmath` function, as a complex.
fn complex_arg(vm: &mut Vm, a: &Args, name: &str) -> PyResult<C> {
    let v = single_arg(vm, a, "cmath", name)?;
    to_complex(vm, &v)
}

fn complex_result(vm: &mut Vm, r: Result<C, MathError>) -> PyResult {
    match r {
        Ok(z) => Ok(new_complex(vm, z.0, z.1)),
        Err(e) => Err(raise(vm, e)),
    }
}

/// Defines the one-argument functions: `total` ones always return a value, the others may
/// fail as [`Flagged`] says.
macro_rules! cmath1 {
    (total { $($tname:ident => $tstr:literal, $tf:path;)* } flagged { $($fname:ident => $fstr:literal, $ff:path;)* }) => {
        $(
            fn $tname(vm: &mut Vm, a: Args) -> PyResult {
                let z = complex_arg(vm, &a, $tstr)?;
                complex_result(vm, Ok($tf(z)))
            }
        )*
        $(
            fn $fname(vm: &mut Vm, a: Args) -> PyResult {
                let z = complex_arg(vm, &a, $fstr)?;
                complex_result(vm, checked($ff(z)))
            }
        )*
    };
}

cmath1! {
    total {
    cmath_acos => "acos", inverse::acos;
    cmath_acosh => "acosh", inverse::acosh;
    cmath_asin => "asin", inverse::asin;
    cmath_asinh => "asinh", inverse::asinh;
    cmath_sqrt => "sqrt", sqrt::sqrt;
    }
    flagged {
    cmath_atan => "atan", inverse::atan;
    cmath_atanh => "atanh", inverse::atanh;
    cmath_cos => "cos", exponential::cos;
    cmath_cosh => "cosh", exponential::cosh;
    cmath_exp => "exp", exponential::exp;
    cmath_log10 => "log10", log::log10;
    cmath_sin => "sin", exponential::sin;
    cmath_sinh => "sinh", exponential::sinh;
    cmath_tan => "tan", exponential::tan;
    cmath_tanh => "tanh", exponential::tanh;
    }
}

/// `log(z[, base])`: the error of `log(z)` is dropped when there is a base (CPython resets
/// `errno` in the second `c_log`), so `log(0, 2)` is `-inf+nanj`; a base whose log is zero
/// is a domain error.
fn cmath_log(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "cmath.log")?;
    a.check_count(vm, "log", 1, 2)?;
    let x = to_complex(vm, &a.pos[0])?;
    let (mut r, mut err) = log::log(x);
    if let Some(base) = a.pos.get(1) {
        let y = to_complex(vm, base)?;
        let (ly, base_err) = log::log(y);
        err = base_err;
        r = complex_quot(r, ly).unwrap_or_else(|| {
            err = Some(MathError::Domain);
            (0.0, 0.0)
        });
    }
    complex_result(vm, checked((r, err)))
}

/// `phase(z)`: libm's `atan2`, whose `errno` CPython checks (glibc reports a result that
/// underflows to zero as a range error).
fn cmath_phase(vm: &mut Vm, a: Args) -> PyResult {
    let z = complex_arg(vm, &a, "phase")?;
    let (phi, range) = m::atan2_errno(z.1, z.0);
    if range {
        return Err(raise(vm, MathError::Range));
    }
    Ok(Value::float(phi))
}

/// `polar(z)`: `(abs(z), phase(z))`; the magnitude's overflow check replaces the phase's
/// `errno` unless a part is a NaN (CPython's `_Py_c_abs` leaves `errno` alone then).
fn cmath_polar(vm: &mut Vm, a: Args) -> PyResult {
    let z = complex_arg(vm, &a, "polar")?;
    let (phi, range) = m::atan2_errno(z.1, z.0);
    let r = complex_abs(z);
    let finite = z.0.is_finite() && z.1.is_finite();
    let nan_only = !finite && !z.0.is_infinite() && !z.1.is_infinite();
    if (finite && r.is_infinite()) || (nan_only && range) {
        return Err(raise(vm, MathError::Range));
    }
    Ok(vm.new_tuple(vec![Value::float(r), Value::float(phi)]))
}

fn cmath_rect(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "cmath.rect")?;
    a.check_count(vm, "rect", 2, 2)?;
    let r = to_f64(vm, &a.pos[0])?;
    let phi = to_f64(vm, &a.pos[1])?;
    complex_result(vm, checked(exponential::rect(r, phi)))
}

fn cmath_isfinite(vm: &mut Vm, a: Args) -> PyResult {
    let z = complex_arg(vm, &a, "isfinite")?;
    Ok(Value::bool(z.0.is_finite() && z.1.is_finite()))
}

fn cmath_isinf(vm: &mut Vm, a: Args) -> PyResult {
    let z = complex_arg(vm, &a, "isinf")?;
    Ok(Value::bool(z.0.is_infinite() || z.1.is_infinite()))
}

fn cmath_isnan(vm: &mut Vm, a: Args) -> PyResult {
    let z = complex_arg(vm, &a, "isnan")?;
    Ok(Value::bool(z.0.is_nan() || z.1.is_nan()))
}

/// `isclose(a, b, *, rel_tol=1e-09, abs_tol=0.0)`, CPython's weak test on the magnitude
/// of the difference.
fn cmath_isclose(vm: &mut Vm, a: Args) -> PyResult {
    let n = a.pos.len();
    if n > 2 && n + a.kw.len() <= 4 {
        return Err(vm.new_type_error(format!(
            "isclose() takes exactly 2 positional arguments ({n} given)"
        )));
    }
    let [x, y, rel, abs] = a.clinic(vm, "isclose", 0, 2, ["a", "b", "rel_tol", "abs_tol"])?;
    let x = to_complex(vm, &x.unwrap_or(Value::None))?;
    let y = to_complex(vm, &y.unwrap_or(Value::None))?;
    let rel = rel.map_or(Ok(1e-9), |v| to_f64(vm, &v))?;
    let abs = abs.map_or(Ok(0.0), |v| to_f64(vm, &v))?;
    if rel < 0.0 || abs < 0.0 {
        return Err(vm.new_value_error("tolerances must be non-negative"));
    }
    if x == y {
        return Ok(Value::bool(true));
    }
    if [x.0, x.1, y.0, y.1].iter().any(|p| p.is_infinite()) {
        return Ok(Value::bool(false));
    }
    let diff = complex_abs((x.0 - y.0, x.1 - y.1));
    Ok(Value::bool(
        diff <= rel * complex_abs(y) || diff <= rel * complex_abs(x) || diff <= abs,
    ))
}

/// Builds the `cmath` module.
pub fn init(vm: &mut Vm, module: &Obj) -> PyResult<()> {
    let fns: &[(&str, NativeFn)] = &[
        ("acos", cmath_acos),
        ("acosh", cmath_acosh),
        ("asin", cmath_asin),
        ("asinh", cmath_asinh),
        ("atan", cmath_atan),
        ("atanh", cmath_atanh),
        ("cos", cmath_cos),
        ("cosh", cmath_cosh),
        ("exp", cmath_exp),
        ("isclose", cmath_isclose),
        ("isfinite", cmath_isfinite),
        ("isinf", cmath_isinf),
        ("isnan", cmath_isnan),
        ("log", cmath_log),
        ("log10", cmath_log10),
        ("phase", cmath_phase),
        ("polar", cmath_polar),
        ("rect", cmath_rect),
        ("sin", cmath_sin),
        ("sinh", cmath_sinh),
        ("sqrt", cmath_sqrt),
        ("tan", cmath_tan),
        ("tanh", cmath_tanh),
    ];
    let infj = new_complex(vm, 0.0, f64::INFINITY);
    let nanj = new_complex(vm, 0.0, f64::NAN);
    let mut b = ModuleBuilder::new(vm, module);
    for (name, f) in fns {
        b.function(name, *f);
    }
    b.constant("pi", std::f64::consts::PI)
        .constant("e", std::f64::consts::E)
        .constant("tau", std::f64::consts::TAU)
        .constant("inf", f64::INFINITY)
        .set("infj", infj)
        .constant("nan", f64::NAN)
        .set("nanj", nanj);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_kinds_index_the_tables() {
        use special::{kind, Kind};
        let kinds = [
            -f64::INFINITY,
            -2.0,
            -0.0,
            0.0,
            3.0,
            f64::INFINITY,
            f64::NAN,
        ]
        .map(kind);
        let expected = [
            Kind::NegInf,
            Kind::Neg,
            Kind::NegZero,
            Kind::PosZero,
            Kind::Pos,
            Kind::PosInf,
            Kind::Nan,
        ];
        assert_eq!(kinds, expected);
        assert_eq!(sqrt::sqrt((f64::NEG_INFINITY, 1.0)), (0.0, f64::INFINITY));
    }

    #[test]
    fn errors_follow_cpython_errno() {
        assert_eq!(sqrt::sqrt((-4.0, 0.0)), (0.0, 2.0));
        assert_eq!(log::log((0.0, 0.0)).1, Some(MathError::Domain));
        assert_eq!(inverse::atanh((1.0, 0.0)).1, Some(MathError::Domain));
        assert_eq!(exponential::exp((1000.0, 0.0)).1, Some(MathError::Range));
        assert_eq!(exponential::tanh((1000.0, 1.0)).1, None);
        assert_eq!(
            exponential::rect(1.0, f64::INFINITY).1,
            Some(MathError::Domain)
        );
    }
}
