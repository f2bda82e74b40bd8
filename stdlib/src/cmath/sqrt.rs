//! `sqrt` (CPython's `cmath_sqrt_impl`): reduced to nonnegative parts, with
//! `s = 2*sqrt(x/8 + hypot(x/8, y/8))` against overflow and subnormal parts scaled up first
//! so that `hypot` keeps full precision.

use super::special::{self, SQRT};
use super::{C, MANT_DIG};
use crate::math::libm::safe as m;

/// `2**SCALE_UP` makes a subnormal normal (CPython's `CM_SCALE_UP`, odd).
const SCALE_UP: i32 = 2 * (MANT_DIG / 2) + 1;
/// Undoes [`SCALE_UP`] under the square root (`CM_SCALE_DOWN`).
const SCALE_DOWN: i32 = -(SCALE_UP + 1) / 2;

/// The principal square root of `z`; it never fails.
pub(super) fn sqrt(z: C) -> C {
    if special::is_special(z) {
        return special::lookup(&SQRT, z);
    }
    if z.0 == 0.0 && z.1 == 0.0 {
        return (0.0, z.1);
    }
    let ax = z.0.abs();
    let ay = z.1.abs();
    let s = if ax < f64::MIN_POSITIVE && ay < f64::MIN_POSITIVE {
        let ax = m::ldexp(ax, SCALE_UP);
        let h = m::hypot(ax, m::ldexp(ay, SCALE_UP));
        m::ldexp(m::sqrt(ax + h), SCALE_DOWN)
    } else {
        let ax = ax / 8.0;
        2.0 * m::sqrt(ax + m::hypot(ax, ay / 8.0))
    };
    let d = ay / (2.0 * s);
    if z.0 >= 0.0 {
        (s, d.copysign(z.1))
    } else {
        (d, s.copysign(z.1))
    }
}
