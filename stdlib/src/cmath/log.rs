//! The natural and base-10 logarithms (CPython's `c_log` and `cmath_log10_impl`). The real
//! part `log(hypot(x, y))` is rescaled when `hypot` would overflow or be subnormal, and taken
//! as `log1p` near the unit circle, where `log` loses accuracy.

use super::special::{self, LOG};
use super::{log1p, Flagged, C, LARGE, MANT_DIG};
use crate::math::libm::safe as m;
use crate::math::MathError;
use std::f64::consts::{LN_10, LN_2};

/// The natural logarithm of `z`: a domain error at zero (whose value, `-inf` with the
/// phase of the zero, `log` with a base still uses).
pub(super) fn log(z: C) -> Flagged {
    if special::is_special(z) {
        return (special::lookup(&LOG, z), None);
    }
    let ax = z.0.abs();
    let ay = z.1.abs();
    let re = if ax > LARGE || ay > LARGE {
        m::log(m::hypot(ax / 2.0, ay / 2.0)) + LN_2
    } else if ax < f64::MIN_POSITIVE && ay < f64::MIN_POSITIVE {
        if ax > 0.0 || ay > 0.0 {
            // hypot(ax, ay) would be subnormal.
            let h = m::hypot(m::ldexp(ax, MANT_DIG), m::ldexp(ay, MANT_DIG));
            m::log(h) - f64::from(MANT_DIG) * LN_2
        } else {
            let r = (f64::NEG_INFINITY, m::atan2(z.1, z.0));
            return (r, Some(MathError::Domain));
        }
    } else {
        let h = m::hypot(ax, ay);
        if (0.71..=1.73).contains(&h) {
            let (am, an) = if ax > ay { (ax, ay) } else { (ay, ax) };
            log1p((am - 1.0) * (am + 1.0) + an * an) / 2.0
        } else {
            m::log(h)
        }
    };
    ((re, m::atan2(z.1, z.0)), None)
}

/// The base-10 logarithm of `z`: [`log`] divided by `ln(10)`.
pub(super) fn log10(z: C) -> Flagged {
    let (r, err) = log(z);
    ((r.0 / LN_10, r.1 / LN_10), err)
}
