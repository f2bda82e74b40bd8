//! The gamma function and its logarithm as CPython 3.11 computes them (its own Lanczos
//! approximation, N=13, g=6.024680040776729583740234375, not the platform's `tgamma`), so
//! results agree bit for bit. Errors are reported as [`MathError`]s.

use super::libm::safe as m;
use super::MathError;

const PI: f64 = std::f64::consts::PI;
const LOG_PI: f64 = 1.144_729_885_849_400_2;
#[allow(clippy::excessive_precision)]
const LANCZOS_G: f64 = 6.024_680_040_776_729_583_740_234_375;
#[allow(clippy::excessive_precision)]
const LANCZOS_G_MINUS_HALF: f64 = 5.524_680_040_776_729_583_740_234_375;

/// Numerator coefficients of the Lanczos sum as a rational function.
#[allow(clippy::excessive_precision)]
const NUM: [f64; 13] = [
    23531376880.410759688572007674451636754734846804940,
    42919803642.649098768957899047001988850926355848959,
    35711959237.355668049440185451547166705960488635843,
    17921034426.037209699919755754458931112671403265390,
    6039542586.3520280050642916443072979210699388420708,
    1439720407.3117216736632230727949123939715485786772,
    248874557.86205415651146038641322942321632125127801,
    31426415.585400194380614231628318205362874684987640,
    2876370.6289353724412254090516208496135991145378768,
    186056.26539522349504029498971604569928220784236328,
    8071.6720023658162106380029022722506138218516325024,
    210.82427775157934587250973392071336271166969580291,
    2.5066282746310002701649081771338373386264310793408,
];

/// Denominator coefficients: x(x+1)...(x+11) expanded.
const DEN: [f64; 13] = [
    0.0,
    39916800.0,
    120543840.0,
    150917976.0,
    105258076.0,
    45995730.0,
    13339535.0,
    2637558.0,
    357423.0,
    32670.0,
    1925.0,
    66.0,
    1.0,
];

/// Lanczos' sum L_g(x) for x > 0, evaluated in x (small x) or in 1/x (large x).
fn lanczos_sum(x: f64) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    if x < 5.0 {
        for i in (0..13).rev() {
            num = num * x + NUM[i];
            den = den * x + DEN[i];
        }
    } else {
        for i in 0..13 {
            num = num / x + NUM[i];
            den = den / x + DEN[i];
        }
    }
    num / den
}

/// sin(pi * x), accurate near integers (finite x only).
fn sinpi(x: f64) -> f64 {
    let y = m::fmod(x.abs(), 2.0);
    let n = m::round(2.0 * y) as i32;
    let r = match n {
        0 => m::sin(PI * y),
        1 => m::cos(PI * (y - 0.5)),
        2 => m::sin(PI * (1.0 - y)),
        3 => -m::cos(PI * (y - 1.5)),
        _ => m::sin(PI * (y - 2.0)),
    };
    1f64.copysign(x) * r
}

/// `math.gamma`.
pub fn gamma(x: f64) -> Result<f64, MathError> {
    if !x.is_finite() {
        if x.is_nan() || x > 0.0 {
            return Ok(x);
        }
        return Err(MathError::Domain);
    }
    if x == 0.0 {
        return Err(MathError::Domain);
    }
    if x == m::floor(x) {
        if x < 0.0 {
            return Err(MathError::Domain);
        }
        if x <= 23.0 {
            let mut f = 1.0;
            for i in 2..(x as u32) {
                f *= i as f64;
            }
            return Ok(f);
        }
    }
    let absx = x.abs();
    if absx < 1e-20 {
        let r = 1.0 / x;
        return if r.is_infinite() {
            Err(MathError::Range)
        } else {
            Ok(r)
        };
    }
    if absx > 200.0 {
        return if x < 0.0 {
            Ok(0.0 / sinpi(x))
        } else {
            Err(MathError::Range)
        };
    }
    let y = absx + LANCZOS_G_MINUS_HALF;
    let z = if absx > LANCZOS_G_MINUS_HALF {
        let q = y - absx;
        q - LANCZOS_G_MINUS_HALF
    } else {
        let q = y - LANCZOS_G_MINUS_HALF;
        q - absx
    };
    let z = z * LANCZOS_G / y;
    let r = if x < 0.0 {
        let mut r = -PI / sinpi(absx) / absx * m::exp(y) / lanczos_sum(absx);
        r -= z * r;
        if absx < 140.0 {
            r /= m::pow(y, absx - 0.5);
        } else {
            let sqrtpow = m::pow(y, absx / 2.0 - 0.25);
            r /= sqrtpow;
            r /= sqrtpow;
        }
        r
    } else {
        let mut r = lanczos_sum(absx) / m::exp(y);
        r += z * r;
        if absx < 140.0 {
            r *= m::pow(y, absx - 0.5);
        } else {
            let sqrtpow = m::pow(y, absx / 2.0 - 0.25);
            r *= sqrtpow;
            r *= sqrtpow;
        }
        r
    };
    if r.is_infinite() {
        return Err(MathError::Range);
    }
    Ok(r)
}

/// `math.lgamma`: log(|gamma(x)|).
pub fn lgamma(x: f64) -> Result<f64, MathError> {
    if !x.is_finite() {
        return Ok(if x.is_nan() { x } else { f64::INFINITY });
    }
    if x == m::floor(x) && x <= 2.0 {
        return if x <= 0.0 {
            Err(MathError::Domain)
        } else {
            Ok(0.0)
        };
    }
    let absx = x.abs();
    if absx < 1e-20 {
        return Ok(-m::log(absx));
    }
    let mut r = m::log(lanczos_sum(absx)) - LANCZOS_G;
    r += (absx - 0.5) * (m::log(absx + LANCZOS_G - 0.5) - 1.0);
    if x < 0.0 {
        r = LOG_PI - m::log(sinpi(absx).abs()) - m::log(absx) - r;
    }
    if r.is_infinite() {
        return Err(MathError::Range);
    }
    Ok(r)
}
