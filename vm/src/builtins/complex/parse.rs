//! `complex(s)`: CPython's `complex_subtype_from_string` (underscores between digits, then
//! `complex_from_string_inner`).

use super::C;
use crate::value::Value;
use crate::vm::{PyResult, Vm};

/// The parts of `complex(s)`; `original` is `s` as a value, for the error message.
pub(super) fn from_string(vm: &mut Vm, s: &str, original: &Value) -> PyResult<C> {
    let ascii = crate::unicode::decimal_and_space_to_ascii(s);
    let parsed = if ascii.contains('_') {
        match without_underscores(&ascii) {
            Some(text) => parse(&text),
            None => {
                let r = vm.repr(original)?;
                return Err(vm.new_value_error(format!(
                    "could not convert string to complex: {}",
                    r.as_str()
                )));
            }
        }
    } else {
        parse(&ascii)
    };
    parsed.ok_or_else(|| vm.new_value_error("complex() arg is a malformed string"))
}

/// `s` without its underscores, each of which must sit between two digits
/// (`_Py_string_to_number_with_underscores`); `None` otherwise.
fn without_underscores(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut prev = '\0';
    for c in s.chars() {
        if c == '_' {
            if !prev.is_ascii_digit() {
                return None;
            }
        } else {
            if prev == '_' && !c.is_ascii_digit() {
                return None;
            }
            out.push(c);
        }
        prev = c;
    }
    (prev != '_').then_some(out)
}

/// The longest prefix of `s` that is a float (`PyOS_string_to_double` with an end pointer):
/// its value and length, or `None` when `s` does not start with one.
fn float_prefix(s: &[u8]) -> Option<(f64, usize)> {
    let signed = matches!(s.first(), Some(b'+' | b'-'));
    let negative = s.first() == Some(&b'-');
    let mut i = usize::from(signed);
    let word =
        |w: &str| s.len() >= i + w.len() && s[i..i + w.len()].eq_ignore_ascii_case(w.as_bytes());
    let inf = if negative {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    };
    if word("infinity") {
        return Some((inf, i + 8));
    }
    if word("inf") {
        return Some((inf, i + 3));
    }
    if word("nan") {
        return Some((crate::num::fresh_nan(negative), i + 3));
    }
    let digits_from = |mut j: usize| {
        while s.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        j
    };
    let int_end = digits_from(i);
    let mut digits = int_end - i;
    i = int_end;
    if s.get(i) == Some(&b'.') {
        let frac_end = digits_from(i + 1);
        digits += frac_end - i - 1;
        i = frac_end;
    }
    if digits == 0 {
        return None;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(s.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp_end = digits_from(j);
        if exp_end > j {
            i = exp_end;
        }
    }
    let text = std::str::from_utf8(&s[..i]).ok()?;
    text.parse::<f64>().ok().map(|v| (v, i))
}

/// CPython's `complex_from_string_inner`: `<float>`, `<float>j`, `<float><signed-float>j`,
/// `<float><sign>j`, `<sign>j`, `j`, with optional surrounding spaces and parentheses.
fn parse(s: &str) -> Option<C> {
    let b = s.as_bytes();
    let is_space = |c: Option<&u8>| c.is_some_and(|c| matches!(c, b' ' | b'\t'..=b'\r'));
    let is_j = |c: Option<&u8>| matches!(c, Some(b'j' | b'J'));
    let sign_of = |c: u8| if c == b'+' { 1.0 } else { -1.0 };
    let skip_spaces = |mut i: usize| {
        while is_space(b.get(i)) {
            i += 1;
        }
        i
    };
    let mut i = skip_spaces(0);
    let bracket = b.get(i) == Some(&b'(');
    if bracket {
        i = skip_spaces(i + 1);
    }
    let (mut x, mut y) = (0.0, 0.0);
    if let Some((z, n)) = float_prefix(&b[i..]) {
        i += n;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            x = z;
            match float_prefix(&b[i..]) {
                Some((w, m)) => (y, i) = (w, i + m),
                None => (y, i) = (sign_of(b[i]), i + 1),
            }
            if !is_j(b.get(i)) {
                return None;
            }
            i += 1;
        } else if is_j(b.get(i)) {
            (y, i) = (z, i + 1);
        } else {
            x = z;
        }
    } else {
        if matches!(b.get(i), Some(b'+' | b'-')) {
            (y, i) = (sign_of(b[i]), i + 1);
        } else {
            y = 1.0;
        }
        if !is_j(b.get(i)) {
            return None;
        }
        i += 1;
    }
    i = skip_spaces(i);
    if bracket {
        if b.get(i) != Some(&b')') {
            return None;
        }
        i = skip_spaces(i + 1);
    }
    (i == b.len()).then_some((x, y))
}

#[cfg(test)]
mod tests {
    use super::{parse, without_underscores};

    #[test]
    fn strings() {
        assert_eq!(parse("1+2j"), Some((1.0, 2.0)));
        assert_eq!(parse(" ( -1.5e3-j ) "), Some((-1500.0, -1.0)));
        assert_eq!(parse("j"), Some((0.0, 1.0)));
        assert_eq!(parse("-J"), Some((0.0, -1.0)));
        assert_eq!(parse("2"), Some((2.0, 0.0)));
        assert_eq!(parse("1e5j"), Some((0.0, 1e5)));
        assert_eq!(parse("1.+.5j"), Some((1.0, 0.5)));
        assert_eq!(parse("1e+j"), None);
        assert_eq!(parse("infj"), Some((0.0, f64::INFINITY)));
        assert_eq!(parse("-Infinity+2j"), Some((f64::NEG_INFINITY, 2.0)));
        for bad in [
            "", "1+", "(1+2j", "1+2j)", "1+2j+3j", "1 + 2j", "()", "j1", "1jj", ".",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn underscores() {
        assert_eq!(without_underscores("1_0.5_0j").as_deref(), Some("10.50j"));
        for bad in ["_1j", "1j_", "1__0", "1_.5"] {
            assert_eq!(without_underscores(bad), None, "{bad:?}");
        }
    }
}
