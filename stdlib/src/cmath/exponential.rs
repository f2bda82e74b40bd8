//! `exp`, the hyperbolic functions and, through them, the trigonometric ones
//! (`cos(z) = cosh(iz)`, `sin(z) = -i sinh(iz)`, `tan(z) = -i tanh(iz)`), and `rect`, as
//! CPython's `cmath_exp_impl`, ...: an infinite real part beside a finite nonzero imaginary
//! part takes its signs from `cos` and `sin` of the imaginary part, the other non-finite
//! arguments come from the tables, and a real part beyond `log(LARGE)` is reduced by one
//! (times `e`) so that a result that fits does not overflow on the way.

use super::special::{self, COSH, EXP, RECT, SINH, TANH};
use super::{log_large, times_i, times_minus_i, Flagged, C};
use crate::math::libm::safe as m;
use crate::math::MathError;
use std::f64::consts::E;

const INF: f64 = f64::INFINITY;

/// Whether `z` is an infinite real part beside a finite nonzero imaginary part.
fn infinite_real(z: C) -> bool {
    z.0.is_infinite() && z.1.is_finite() && z.1 != 0.0
}

/// A range error when a part of a computed result overflowed.
fn overflow_check(r: C) -> Flagged {
    let err = (r.0.is_infinite() || r.1.is_infinite()).then_some(MathError::Range);
    (r, err)
}

/// `e**z`.
pub(super) fn exp(z: C) -> Flagged {
    if special::is_special(z) {
        let r = if infinite_real(z) {
            let big = if z.0 > 0.0 { INF } else { 0.0 };
            (big.copysign(m::cos(z.1)), big.copysign(m::sin(z.1)))
        } else {
            special::lookup(&EXP, z)
        };
        let domain = z.1.is_infinite() && (z.0.is_finite() || (z.0.is_infinite() && z.0 > 0.0));
        return (r, domain.then_some(MathError::Domain));
    }
    let r = if z.0 > log_large() {
        let l = m::exp(z.0 - 1.0);
        (l * m::cos(z.1) * E, l * m::sin(z.1) * E)
    } else {
        let l = m::exp(z.0);
        (l * m::cos(z.1), l * m::sin(z.1))
    };
    overflow_check(r)
}

/// The domain error of `cosh` and `sinh`: an infinite imaginary part beside a real part
/// that is not a NaN.
fn infinite_imag(z: C) -> Option<MathError> {
    (z.1.is_infinite() && !z.0.is_nan()).then_some(MathError::Domain)
}

/// The hyperbolic cosine of `z`.
pub(super) fn cosh(z: C) -> Flagged {
    if special::is_special(z) {
        let r = if infinite_real(z) {
            let im = INF.copysign(m::sin(z.1));
            (INF.copysign(m::cos(z.1)), if z.0 > 0.0 { im } else { -im })
        } else {
            special::lookup(&COSH, z)
        };
        return (r, infinite_imag(z));
    }
    let r = if z.0.abs() > log_large() {
        let x_minus_one = z.0 - 1f64.copysign(z.0);
        (
            m::cos(z.1) * m::cosh(x_minus_one) * E,
            m::sin(z.1) * m::sinh(x_minus_one) * E,
        )
    } else {
        (m::cos(z.1) * m::cosh(z.0), m::sin(z.1) * m::sinh(z.0))
    };
    overflow_check(r)
}

/// The hyperbolic sine of `z`.
pub(super) fn sinh(z: C) -> Flagged {
    if special::is_special(z) {
        let r = if infinite_real(z) {
            let re = INF.copysign(m::cos(z.1));
            (if z.0 > 0.0 { re } else { -re }, INF.copysign(m::sin(z.1)))
        } else {
            special::lookup(&SINH, z)
        };
        return (r, infinite_imag(z));
    }
    let r = if z.0.abs() > log_large() {
        let x_minus_one = z.0 - 1f64.copysign(z.0);
        (
            m::cos(z.1) * m::sinh(x_minus_one) * E,
            m::sin(z.1) * m::cosh(x_minus_one) * E,
        )
    } else {
        (m::cos(z.1) * m::sinh(z.0), m::sin(z.1) * m::cosh(z.0))
    };
    overflow_check(r)
}

/// The hyperbolic tangent of `z`: `1 - tanh(x)**2` is computed as `1/cosh(x)**2`, or as
/// `4 exp(-2|x|)` for large `x`; it never overflows.
pub(super) fn tanh(z: C) -> Flagged {
    if special::is_special(z) {
        let r = if infinite_real(z) {
            let im = 0f64.copysign(2.0 * m::sin(z.1) * m::cos(z.1));
            (1f64.copysign(z.0), im)
        } else {
            special::lookup(&TANH, z)
        };
        let domain = z.1.is_infinite() && z.0.is_finite();
        return (r, domain.then_some(MathError::Domain));
    }
    let r = if z.0.abs() > log_large() {
        (
            1f64.copysign(z.0),
            4.0 * m::sin(z.1) * m::cos(z.1) * m::exp(-2.0 * z.0.abs()),
        )
    } else {
        let tx = m::tanh(z.0);
        let ty = m::tan(z.1);
        let cx = 1.0 / m::cosh(z.0);
        let txty = tx * ty;
        let denom = 1.0 + txty * txty;
        (tx * (1.0 + ty * ty) / denom, ((ty / denom) * cx) * cx)
    };
    (r, None)
}

/// The cosine of `z`.
pub(super) fn cos(z: C) -> Flagged {
    cosh(times_i(z))
}

/// The sine of `z`.
pub(super) fn sin(z: C) -> Flagged {
    let (s, err) = sinh(times_i(z));
    (times_minus_i(s), err)
}

/// The tangent of `z`.
pub(super) fn tan(z: C) -> Flagged {
    let (s, err) = tanh(times_i(z));
    (times_minus_i(s), err)
}

/// `r * e**(i*phi)`, with special values in the spirit of C99 (`exp(log(r) + i*phi)` for
/// positive `r`): a domain error for a nonzero `r` with an infinite `phi`.
pub(super) fn rect(r: f64, phi: f64) -> Flagged {
    if !r.is_finite() || !phi.is_finite() {
        let z = if r.is_infinite() && phi.is_finite() && phi != 0.0 {
            let re = INF.copysign(m::cos(phi));
            let im = INF.copysign(m::sin(phi));
            if r > 0.0 {
                (re, im)
            } else {
                (-re, -im)
            }
        } else {
            special::lookup(&RECT, (r, phi))
        };
        let domain = r != 0.0 && !r.is_nan() && phi.is_infinite();
        return (z, domain.then_some(MathError::Domain));
    }
    if phi == 0.0 {
        // CPython avoids libm here (a wrong sign of zero on some platforms).
        return ((r, r * phi), None);
    }
    ((r * m::cos(phi), r * m::sin(phi)), None)
}
