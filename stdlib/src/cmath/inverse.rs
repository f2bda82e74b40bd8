//! The inverse trigonometric and hyperbolic functions (CPython's `cmath_acos_impl`, ...):
//! Kahan's formulas through [`sqrt`], with large arguments rescaled, `asin` and `atan`
//! from `asinh` and `atanh` by `asin(z) = -i asinh(iz)`.

use super::special::{self, ACOS, ACOSH, ASINH, ATANH};
use super::sqrt::sqrt;
use super::{log1p, times_i, times_minus_i, Flagged, C, LARGE};
use crate::math::libm::safe as m;
use crate::math::MathError;
use std::f64::consts::{LN_2, PI};

/// `log(hypot(x, y)) + log(4)` for large arguments, without overflow.
fn log_hypot_large(z: C) -> f64 {
    m::log(m::hypot(z.0 / 2.0, z.1 / 2.0)) + LN_2 * 2.0
}

fn is_large(z: C) -> bool {
    z.0.abs() > LARGE || z.1.abs() > LARGE
}

/// The arc cosine of `z`; it never fails.
pub(super) fn acos(z: C) -> C {
    if special::is_special(z) {
        return special::lookup(&ACOS, z);
    }
    if is_large(z) {
        return (m::atan2(z.1.abs(), z.0), -log_hypot_large(z).copysign(z.1));
    }
    let s1 = sqrt((1.0 - z.0, -z.1));
    let s2 = sqrt((1.0 + z.0, z.1));
    (
        2.0 * m::atan2(s1.0, s2.0),
        m::asinh(s2.0 * s1.1 - s2.1 * s1.0),
    )
}

/// The inverse hyperbolic cosine of `z`; it never fails.
pub(super) fn acosh(z: C) -> C {
    if special::is_special(z) {
        return special::lookup(&ACOSH, z);
    }
    if is_large(z) {
        return (log_hypot_large(z), m::atan2(z.1, z.0));
    }
    let s1 = sqrt((z.0 - 1.0, z.1));
    let s2 = sqrt((z.0 + 1.0, z.1));
    (
        m::asinh(s1.0 * s2.0 + s1.1 * s2.1),
        2.0 * m::atan2(s1.1, s2.0),
    )
}

/// The arc sine of `z`; it never fails.
pub(super) fn asin(z: C) -> C {
    times_minus_i(asinh(times_i(z)))
}

/// The inverse hyperbolic sine of `z`; it never fails.
pub(super) fn asinh(z: C) -> C {
    if special::is_special(z) {
        return special::lookup(&ASINH, z);
    }
    if is_large(z) {
        let re = if z.1 >= 0.0 {
            log_hypot_large(z).copysign(z.0)
        } else {
            -log_hypot_large(z).copysign(-z.0)
        };
        return (re, m::atan2(z.1, z.0.abs()));
    }
    let s1 = sqrt((1.0 + z.1, -z.0));
    let s2 = sqrt((1.0 - z.1, z.0));
    (
        m::asinh(s1.0 * s2.1 - s2.0 * s1.1),
        m::atan2(z.1, s1.0 * s2.0 - s1.1 * s2.1),
    )
}

/// The arc tangent of `z`: a domain error at the poles `±i`.
pub(super) fn atan(z: C) -> Flagged {
    let (s, err) = atanh(times_i(z));
    (times_minus_i(s), err)
}

/// The inverse hyperbolic tangent of `z`: a domain error at the poles `±1`.
pub(super) fn atanh(z: C) -> Flagged {
    if special::is_special(z) {
        return (special::lookup(&ATANH, z), None);
    }
    // atanh(z) = -atanh(-z) reduces to a nonnegative real part.
    if z.0 < 0.0 {
        let (r, err) = atanh((-z.0, -z.1));
        return ((-r.0, -r.1), err);
    }
    let ay = z.1.abs();
    if z.0 > m::sqrt(LARGE) || ay > m::sqrt(LARGE) {
        // atanh(z) ~ 1/z +/- i*pi/2 for large z.
        let h = m::hypot(z.0 / 2.0, z.1 / 2.0);
        return ((z.0 / 4.0 / h / h, (PI / 2.0).copysign(z.1)), None);
    }
    if z.0 == 1.0 && ay < m::sqrt(f64::MIN_POSITIVE) {
        if ay == 0.0 {
            return ((f64::INFINITY, z.1), Some(MathError::Domain));
        }
        let re = -m::log(m::sqrt(ay) / m::sqrt(m::hypot(ay, 2.0)));
        let im = (m::atan2(2.0, -ay) / 2.0).copysign(z.1);
        return ((re, im), None);
    }
    let re = log1p(4.0 * z.0 / ((1.0 - z.0) * (1.0 - z.0) + ay * ay)) / 4.0;
    let im = -m::atan2(-2.0 * z.1, (1.0 - z.0) * (1.0 + z.0) - ay * ay) / 2.0;
    ((re, im), None)
}
