//! `float.hex()` and `float.fromhex()`: C99 hexadecimal floating-point strings, exactly as
//! CPython writes and reads them (round-half-even, subnormals, `inf`/`nan`).

use num_bigint::BigUint;
use num_traits::{ToPrimitive, Zero};

/// `float.hex(x)`: `0x1.8000000000000p+1`; zero, infinities and NaN spelled as CPython does.
pub fn to_hex(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf" } else { "inf" }.into();
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0x0.0p+0");
    }
    let bits = f.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let mant = bits & ((1 << 52) - 1);
    // Subnormals keep their leading 0 and the minimum exponent.
    let (lead, e) = if exp == 0 {
        (0, -1022)
    } else {
        (1, exp - 1023)
    };
    let digits = format!("{mant:013x}");
    let sign_e = if e >= 0 { "+" } else { "-" };
    format!("{sign}0x{lead}.{digits}p{sign_e}{}", e.abs())
}

/// Why a string is not a float.
#[derive(Debug, PartialEq, Eq)]
pub enum FromHexError {
    /// `invalid hexadecimal floating-point string`.
    Invalid,
    /// `hexadecimal value too large to represent as a float`.
    Overflow,
}

/// `float.fromhex(s)`.
pub fn from_hex(s: &str) -> Result<f64, FromHexError> {
    let t = s.trim_matches(crate::unicode::is_space);
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let signed = |v: f64| if neg { -v } else { v };
    let lower = body.to_ascii_lowercase();
    match lower.as_str() {
        "inf" | "infinity" => return Ok(signed(f64::INFINITY)),
        "nan" => return Ok(signed(f64::NAN)),
        _ => {}
    }
    let b = lower.strip_prefix("0x").unwrap_or(&lower);
    let (mantissa, exponent) = match b.split_once('p') {
        Some((m, e)) => (m, Some(e)),
        None => (b, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    let hex = |p: &str| p.bytes().all(|c| c.is_ascii_hexdigit());
    if (int_part.is_empty() && frac_part.is_empty()) || !hex(int_part) || !hex(frac_part) {
        return Err(FromHexError::Invalid);
    }
    let exp: i64 = match exponent {
        None => 0,
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return Err(FromHexError::Invalid);
            }
            // Exponents beyond any float saturate (the value then over- or underflows).
            let v = digits
                .parse::<i64>()
                .unwrap_or(i64::MAX / 4)
                .min(i64::MAX / 4);
            if e.starts_with('-') {
                -v
            } else {
                v
            }
        }
    };
    let all: String = [int_part, frac_part].concat();
    let m = BigUint::parse_bytes(all.as_bytes(), 16).unwrap_or_default();
    let e = exp.saturating_sub(4 * frac_part.len() as i64);
    compose(&m, e).map(signed)
}

/// `m * 2**e` rounded half-to-even to the nearest float.
fn compose(m: &BigUint, e: i64) -> Result<f64, FromHexError> {
    if m.is_zero() {
        return Ok(0.0);
    }
    let nbits = m.bits() as i64;
    // The value is in [2**top, 2**(top+1)).
    let top = nbits - 1 + e;
    if top > 1023 {
        return Err(FromHexError::Overflow);
    }
    // Bits of precision available at this magnitude (fewer for subnormals).
    let precision = if top >= -1022 { 53 } else { 53 - (-1022 - top) };
    if precision <= 0 {
        // Below half the smallest subnormal, or exactly half of it (ties to even: zero),
        // unless it is more than half.
        let half_min = -1075;
        return Ok(if top == half_min && !is_power_of_two(m) {
            f64::from_bits(1)
        } else {
            0.0
        });
    }
    let shift = nbits - precision;
    let (mut q, mut e2) = if shift > 0 {
        let q = m >> (shift as usize);
        let rem = m - (&q << (shift as usize));
        let half = BigUint::from(1u8) << (shift as usize - 1);
        let q = q.to_u64().unwrap_or(0);
        let round_up = rem > half || (rem == half && q & 1 == 1);
        (q + u64::from(round_up), e + shift)
    } else {
        (m.to_u64().unwrap_or(0), e)
    };
    if q == 1u64 << precision {
        // Rounding carried into a new bit.
        q >>= 1;
        e2 += 1;
        if top + 1 > 1023 {
            return Err(FromHexError::Overflow);
        }
    }
    Ok(ldexp(q as f64, e2))
}

fn is_power_of_two(m: &BigUint) -> bool {
    m.count_ones() == 1
}

/// `x * 2**e` for an `x` whose result is exactly representable.
fn ldexp(mut x: f64, mut e: i64) -> f64 {
    while e > 1000 {
        x *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= 2f64.powi(-1000);
        e += 1000;
    }
    x * 2f64.powi(e as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        for f in [
            1.0,
            0.1,
            -2.5,
            1e300,
            5e-324,
            2.2250738585072014e-308,
            1.5e-310,
            3.0,
        ] {
            assert_eq!(from_hex(&to_hex(f)), Ok(f), "{f}");
        }
        assert_eq!(to_hex(3.0), "0x1.8000000000000p+1");
        assert_eq!(to_hex(5e-324), "0x0.0000000000001p-1022");
        assert_eq!(to_hex(-0.0), "-0x0.0p+0");
    }

    #[test]
    fn rounding_and_errors() {
        assert_eq!(from_hex("0x1.8p1"), Ok(3.0));
        assert_eq!(from_hex(" -0X.8 "), Ok(-0.5));
        assert_eq!(from_hex("1p-1075"), Ok(0.0)); // a tie rounds to even (zero)
        assert_eq!(from_hex("3p-1076"), Ok(5e-324));
        assert_eq!(
            from_hex("0x1.fffffffffffff8p1023"),
            Err(FromHexError::Overflow)
        );
        assert_eq!(from_hex("0x1p"), Err(FromHexError::Invalid));
        assert_eq!(from_hex("."), Err(FromHexError::Invalid));
        assert_eq!(from_hex("Infinity"), Ok(f64::INFINITY));
    }
}
