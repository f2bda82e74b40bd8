//! Floats to text: CPython's `PyOS_double_to_string` (`repr`, `'e'`, `'f'`, `'g'` styles).
//!
//! The digits come from Rust's formatting (`{:e}` gives the shortest round-trip digits,
//! `{:.*e}` and `{:.*}` round correctly, ties to even, as David Gay's `dtoa` does); the layout
//! of those digits (where the point goes, padding zeros, exponent form) follows CPython's
//! `format_float_short` step by step.

/// How [`double_to_string`] lays out a float (CPython's format codes `e`, `f`, `g`, `r`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatStyle {
    /// `'e'`: one digit before the point, `precision` after it, always an exponent.
    Exponent,
    /// `'f'`: `precision` digits after the point, never an exponent.
    Fixed,
    /// `'g'`: `precision` significant digits, exponent form when the exponent is < -4 or
    /// >= precision; trailing zeros removed unless `alt`.
    General,
    /// `'r'`: the shortest digits that round-trip (`repr`); exponent form when the exponent
    /// is < -4 or >= 16. The precision is ignored.
    Repr,
}

impl FloatStyle {
    /// The style and upper-case flag of a format code (`e E f F g G r`), if it is one.
    pub fn from_code(code: char) -> Option<(FloatStyle, bool)> {
        Some(match code {
            'e' => (FloatStyle::Exponent, false),
            'E' => (FloatStyle::Exponent, true),
            'f' => (FloatStyle::Fixed, false),
            'F' => (FloatStyle::Fixed, true),
            'g' => (FloatStyle::General, false),
            'G' => (FloatStyle::General, true),
            'r' => (FloatStyle::Repr, false),
            _ => return None,
        })
    }
}

/// Options of [`double_to_string`] (CPython's `Py_DTSF_*` flags).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FloatFlags {
    /// Always write a sign (`+` for non-negative values).
    pub sign: bool,
    /// Add `.0` to a result that would otherwise look like an integer (not in exponent form).
    pub add_dot_0: bool,
    /// Alternate form (`#`): keep the decimal point and, for `g`, trailing zeros.
    pub alt: bool,
    /// Write a negative value that rounds to zero without its `-` (the `z` option).
    pub no_neg_0: bool,
}

/// `repr(x)` (and `str(x)`) of a Python float: `0.1`, `100.0`, `1e+16`, `1.5e-07`, `-0.0`,
/// `inf`, `nan`.
pub fn float_repr(x: f64) -> String {
    let flags = FloatFlags {
        add_dot_0: true,
        ..FloatFlags::default()
    };
    double_to_string(x, FloatStyle::Repr, false, 0, flags)
}

/// `repr(z)` (and `str(z)`) of a Python complex `re + im*j`, as CPython's `complex_repr`:
/// `1j`, `(1+2j)`, `(-0-1j)`, `(nan+infj)`. Each part is the float's repr without the `.0`
/// that `repr(float)` adds; the real part is left out (with the parentheses) when it is `+0.0`.
pub fn complex_repr(re: f64, im: f64) -> String {
    let plain = FloatFlags::default();
    if re == 0.0 && re.is_sign_positive() {
        let mut s = double_to_string(im, FloatStyle::Repr, false, 0, plain);
        s.push('j');
        return s;
    }
    let signed = FloatFlags {
        sign: true,
        ..plain
    };
    format!(
        "({}{}j)",
        double_to_string(re, FloatStyle::Repr, false, 0, plain),
        double_to_string(im, FloatStyle::Repr, false, 0, signed)
    )
}

/// Digits after the point that the exact decimal value of any double needs (2**-1074 has
/// 1074); every digit past them is `0`. Rust's formatting refuses a precision above
/// `u16::MAX`, so larger precisions are formatted at this one and padded with zeros.
const MAX_FRAC_DIGITS: usize = 1074;

/// Significant digits that the exact decimal value of any double needs (767 for the largest
/// subnormal); every digit past them is `0`.
const MAX_SIG_DIGITS: usize = 767;

/// Powers of ten that are exact doubles.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// `x` in fixed notation with `precision` digits after the point, correctly rounded (exact
/// halves to even), when `|x| * 10**precision` is below 2**52: the common case of `:.2f`
/// on everyday numbers, without the general (and, on exact halves, big-number) algorithm.
/// `None` when the value is outside that range.
///
/// The product `s = |x| * 10**p` is rounded once; `fma` gives its exact error `e`, so the
/// true product is `s + e`. Below 2**52, `floor(s)` and `s - floor(s)` are exact and the
/// half-way point is a double, so `s` is on the same side of it as the true product unless
/// `s` is the half-way point itself, where the sign of `e` decides (and `e == 0` is an
/// exact half: to even).
fn fixed_small(x: f64, precision: usize) -> Option<String> {
    let scale = *POW10.get(precision)?;
    let a = x.abs();
    let s = a * scale;
    if s >= 4_503_599_627_370_496.0 {
        return None;
    }
    let e = a.mul_add(scale, -s);
    let fl = s.floor();
    let d = s - fl;
    let mut n = fl as u64;
    let up = if d != 0.5 {
        d > 0.5
    } else if e != 0.0 {
        e > 0.0
    } else {
        n % 2 == 1
    };
    if up {
        n += 1;
    }
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + 3);
    if x.is_sign_negative() {
        out.push('-');
    }
    if precision == 0 {
        out.push_str(&digits);
    } else if digits.len() > precision {
        let (int, frac) = digits.split_at(digits.len() - precision);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else {
        out.push_str("0.");
        for _ in digits.len()..precision {
            out.push('0');
        }
        out.push_str(&digits);
    }
    Some(out)
}

/// CPython's `PyOS_double_to_string`: `x` in `style` with `precision` (digits after the point
/// for `Exponent` and `Fixed`, significant digits for `General`, where 0 means 1; unused for
/// `Repr`). `upper` writes `E`, `INF` and `NAN`.
pub fn double_to_string(
    x: f64,
    style: FloatStyle,
    upper: bool,
    precision: usize,
    flags: FloatFlags,
) -> String {
    let mut out = String::new();
    if !x.is_finite() {
        // The sign of a nan is ignored.
        if x.is_infinite() && x < 0.0 {
            out.push('-');
        } else if flags.sign {
            out.push('+');
        }
        out.push_str(match (x.is_nan(), upper) {
            (true, false) => "nan",
            (true, true) => "NAN",
            (false, false) => "inf",
            (false, true) => "INF",
        });
        return out;
    }
    if matches!(style, FloatStyle::Fixed)
        && !(flags.sign || flags.add_dot_0 || flags.alt || flags.no_neg_0)
    {
        // Plain fixed notation is exactly Rust's: correctly rounded, exact halves to even,
        // as `dtoa` mode 3; a negative zero keeps its sign.
        if let Some(s) = fixed_small(x, precision) {
            return s;
        }
        let exact = precision.min(MAX_FRAC_DIGITS);
        let mut s = format!("{x:.exact$}");
        s.extend(std::iter::repeat_n('0', precision - exact));
        return s;
    }
    let (precision, mode) = match style {
        FloatStyle::Exponent => (precision + 1, Mode::Significant(precision + 1)),
        FloatStyle::Fixed => (precision, Mode::Fixed(precision)),
        FloatStyle::General => {
            let p = precision.max(1);
            (p, Mode::Significant(p))
        }
        FloatStyle::Repr => (0, Mode::Shortest),
    };
    let (digits, decpt) = digits(x.abs(), mode);
    let digits = digits.as_bytes();
    let digits_len = digits.len() as i64;
    let precision = precision as i64;
    let mut negative = x.is_sign_negative();
    if flags.no_neg_0 && negative && digits.iter().all(|&d| d == b'0') {
        negative = false;
    }

    // The output is a slice vdigits[vdigits_start..vdigits_end] of the digit string padded
    // with zeros on both sides, with the point after position `decpt`.
    let mut decpt = decpt;
    let mut vdigits_end = digits_len;
    let mut use_exp = false;
    match style {
        FloatStyle::Exponent => {
            use_exp = true;
            vdigits_end = precision;
        }
        FloatStyle::Fixed => vdigits_end = decpt + precision,
        FloatStyle::General => {
            let limit = if flags.add_dot_0 {
                precision - 1
            } else {
                precision
            };
            if decpt <= -4 || decpt > limit {
                use_exp = true;
            }
            if flags.alt {
                vdigits_end = precision;
            }
        }
        FloatStyle::Repr => {
            if decpt <= -4 || decpt > 16 {
                use_exp = true;
            }
        }
    }
    let mut exp = 0;
    if use_exp {
        exp = decpt - 1;
        decpt = 1;
    }
    let vdigits_start = if decpt <= 0 { decpt - 1 } else { 0 };
    let floor = if !use_exp && flags.add_dot_0 {
        decpt + 1
    } else {
        decpt
    };
    vdigits_end = vdigits_end.max(floor);

    if negative {
        out.push('-');
    } else if flags.sign {
        out.push('+');
    }
    let zeros = |out: &mut String, n: i64| {
        for _ in 0..n.max(0) {
            out.push('0');
        }
    };
    let push_digits = |out: &mut String, d: &[u8]| out.extend(d.iter().map(|&b| b as char));
    // Zeros on the left of the digits.
    if decpt <= 0 {
        zeros(&mut out, decpt - vdigits_start);
        out.push('.');
        zeros(&mut out, -decpt);
    } else {
        zeros(&mut out, -vdigits_start);
    }
    // The digits, with the point among them.
    if 0 < decpt && decpt <= digits_len {
        push_digits(&mut out, &digits[..decpt as usize]);
        out.push('.');
        push_digits(&mut out, &digits[decpt as usize..]);
    } else {
        push_digits(&mut out, digits);
    }
    // Zeros on the right.
    if digits_len < decpt {
        zeros(&mut out, decpt - digits_len);
        out.push('.');
        zeros(&mut out, vdigits_end - decpt);
    } else {
        zeros(&mut out, vdigits_end - digits_len);
    }
    if out.ends_with('.') && !flags.alt {
        out.pop();
    }
    if use_exp {
        out.push(if upper { 'E' } else { 'e' });
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(&e.to_string());
    }
    out
}

/// Which digits `digits` produces (David Gay's `dtoa` modes 0, 2 and 3).
#[derive(Clone, Copy)]
enum Mode {
    /// Mode 0: the shortest string that rounds to the same float.
    Shortest,
    /// Mode 2: at most this many significant digits (at least 1).
    Significant(usize),
    /// Mode 3: digits up to this many places after the point.
    Fixed(usize),
}

/// The decimal digits of a finite, non-negative `x` (no trailing zeros, `"0"` for zero) and
/// the position of the point: `x ≈ 0.DIGITS × 10^decpt`.
fn digits(x: f64, mode: Mode) -> (String, i64) {
    let (mut digits, mut decpt) = match mode {
        Mode::Shortest => {
            // Rust gives the shortest digits that round-trip, but when two such strings are
            // equally close to `x` it rounds the tie up; `dtoa` rounds it to even. The
            // correctly rounded string of the same length is the right one when it
            // round-trips.
            let shortest = format!("{x:e}");
            let (digits, _) = scientific(&shortest);
            let rounded = format!("{:.*e}", digits.len() - 1, x);
            if rounded != shortest && rounded.parse::<f64>() == Ok(x) {
                scientific(&rounded)
            } else {
                scientific(&shortest)
            }
        }
        Mode::Significant(n) => scientific(&format!("{:.*e}", n.clamp(1, MAX_SIG_DIGITS) - 1, x)),
        Mode::Fixed(p) => {
            let p = p.min(MAX_FRAC_DIGITS);
            let text = format!("{x:.p$}");
            let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
            let all = format!("{int}{frac}");
            let stripped = all.trim_start_matches('0');
            let lead = (all.len() - stripped.len()) as i64;
            (stripped.to_string(), int.len() as i64 - lead)
        }
    };
    let kept = digits.trim_end_matches('0').len();
    digits.truncate(kept);
    if digits.is_empty() {
        digits.push('0');
        decpt = 1;
    }
    (digits, decpt)
}

/// Splits Rust's `D.DDDDeX` into the digit string and the point position `X + 1`.
fn scientific(text: &str) -> (String, i64) {
    let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    (digits, exp.parse::<i64>().unwrap_or(0) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::test_cases::{check_all, float_bits};

    #[test]
    fn repr_matches_cpython() {
        check_all("float_repr", |c| Ok(float_repr(float_bits(c.input(0)))));
    }

    #[test]
    fn complex_repr_matches_cpython() {
        check_all("complex_repr", |c| {
            Ok(complex_repr(float_bits(c.input(0)), float_bits(c.input(1))))
        });
    }
}
