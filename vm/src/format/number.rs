//! `format()` of ints and floats: presentation types, signs, prefixes, grouping and padding
//! (CPython's `format_long_internal`, `format_float_internal`, `calc_number_widths` and
//! `fill_number`).

use num_bigint::{BigInt, Sign as BigSign};
use num_traits::{Signed, ToPrimitive};

use super::float_repr::{double_to_string, FloatFlags, FloatStyle};
use super::spec::{Align, FormatSpec, GroupBy, Sign};
use super::{with_room, FormatError};

/// The most decimal digits an int may be converted to by default (CPython's
/// `sys.int_info.default_max_str_digits`); longer conversions raise `ValueError`.
pub const INT_MAX_STR_DIGITS: usize = 4300;

/// The least limit `sys.set_int_max_str_digits` accepts besides 0 (CPython's
/// `sys.int_info.str_digits_check_threshold`).
pub const INT_STR_DIGITS_THRESHOLD: usize = 640;

thread_local! {
    /// `sys.get_int_max_str_digits()` (0: no limit). Per thread, as the VM runs on one
    /// thread (CPython keeps it per interpreter).
    static MAX_STR_DIGITS: std::cell::Cell<usize> = const { std::cell::Cell::new(INT_MAX_STR_DIGITS) };
}

/// The limit on decimal digits in int-to-str and str-to-int conversions now (0: none).
pub fn int_max_str_digits() -> usize {
    MAX_STR_DIGITS.with(|m| m.get())
}

/// Sets [`int_max_str_digits`] (`sys.set_int_max_str_digits`, which checks the value).
pub fn set_int_max_str_digits(n: usize) {
    MAX_STR_DIGITS.with(|m| m.set(n));
}

/// Whether an int of `bits` significant bits written in decimal would pass the limit:
/// the check CPython makes before converting (a number of more than `limit * log2(10) + 1`
/// bits has more than `limit` digits). The digits still need counting when this is false.
pub fn surely_too_many_digits(bits: u64) -> bool {
    let limit = int_max_str_digits();
    limit > 0 && bits as f64 > limit as f64 * 3.33 + 2.0
}

/// The decimal digits of `|value|`, or CPython's `ValueError` message when there are more
/// than [`int_max_str_digits`] of them.
pub fn checked_decimal_digits(value: &BigInt) -> Result<String, FormatError> {
    Int::Big(value).decimal_digits()
}

/// `format(value, spec)` for an int; `type_name` (`"int"`, `"bool"`, ...) goes into error
/// messages. Float presentation types (`e f g %` ...) convert the value to float first.
pub fn format_int(
    value: &BigInt,
    spec: &FormatSpec,
    type_name: &str,
) -> Result<String, FormatError> {
    format_integer(Int::Big(value), spec, type_name)
}

/// [`format_int`] for an int that fits in an `i64` (no big-integer arithmetic).
pub fn format_i64(value: i64, spec: &FormatSpec, type_name: &str) -> Result<String, FormatError> {
    format_integer(Int::Small(value), spec, type_name)
}

/// `format(value, spec)` for a float; `type_name` goes into error messages.
pub fn format_float(value: f64, spec: &FormatSpec, type_name: &str) -> Result<String, FormatError> {
    let kind = spec.kind.unwrap_or('\0');
    let group = spec.group_by(kind)?;
    match kind {
        '\0' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%' => {
            float_internal(value, spec, kind, group)
        }
        _ => Err(unknown_code(kind, type_name)),
    }
}

/// An int argument, big or small.
#[derive(Clone, Copy)]
pub(super) enum Int<'a> {
    Big(&'a BigInt),
    Small(i64),
}

impl Int<'_> {
    pub(super) fn is_negative(self) -> bool {
        match self {
            Int::Big(b) => b.sign() == BigSign::Minus,
            Int::Small(v) => v < 0,
        }
    }

    /// The magnitude's digits in `base`, lower case.
    pub(super) fn abs_digits(self, base: u32) -> String {
        match self {
            Int::Big(b) => b.abs().to_str_radix(base),
            Int::Small(v) => radix_digits(v.unsigned_abs(), base),
        }
    }

    /// The magnitude's decimal digits, refused past [`int_max_str_digits`].
    pub(super) fn decimal_digits(self) -> Result<String, FormatError> {
        // Refuse before the (quadratic) conversion when the size alone decides.
        if let Int::Big(b) = self {
            if surely_too_many_digits(b.bits()) {
                return Err(too_many_digits());
            }
        }
        let digits = self.abs_digits(10);
        let limit = int_max_str_digits();
        if limit > 0 && digits.len() > limit {
            return Err(too_many_digits());
        }
        Ok(digits)
    }

    pub(super) fn to_f64(self) -> Result<f64, FormatError> {
        let x = match self {
            Int::Big(b) => b.to_f64().unwrap_or(f64::INFINITY),
            Int::Small(v) => v as f64,
        };
        if x.is_finite() {
            Ok(x)
        } else {
            Err(FormatError::Overflow(
                "int too large to convert to float".into(),
            ))
        }
    }

    pub(super) fn to_i64(self) -> Option<i64> {
        match self {
            Int::Big(b) => b.to_i64(),
            Int::Small(v) => Some(v),
        }
    }
}

/// The digits of `m` in `base` (2, 8, 10 or 16), lower case; powers of two are written
/// by shifts into a buffer, decimal by `itoa` (no `fmt` machinery).
fn radix_digits(m: u64, base: u32) -> String {
    let shift = match base {
        2 => 1,
        8 => 3,
        16 => 4,
        _ => return itoa::Buffer::new().format(m).to_owned(),
    };
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mask = (1u64 << shift) - 1;
    let mut buf = [0u8; 64];
    let mut i = buf.len();
    let mut m = m;
    loop {
        i -= 1;
        buf[i] = DIGITS[(m & mask) as usize];
        m >>= shift;
        if m == 0 {
            break;
        }
    }
    String::from(std::str::from_utf8(&buf[i..]).expect("ASCII digits"))
}

/// Appends `n` copies of `fill` to `out`.
#[inline]
pub(super) fn push_fill(out: &mut String, fill: char, n: usize) {
    if n > 0 {
        out.extend(std::iter::repeat_n(fill, n));
    }
}

/// CPython's `ValueError` for an int with more decimal digits than the limit.
pub fn too_many_digits() -> FormatError {
    FormatError::Value(format!(
        "Exceeds the limit ({} digits) for integer string conversion; \
         use sys.set_int_max_str_digits() to increase the limit",
        int_max_str_digits()
    ))
}

/// CPython's `Unknown format code 'X' for object of type 'T'`.
pub(super) fn unknown_code(kind: char, type_name: &str) -> FormatError {
    let code = kind as u32;
    FormatError::Value(if code > 32 && code < 128 {
        format!("Unknown format code '{kind}' for object of type '{type_name}'")
    } else {
        format!("Unknown format code '\\x{code:x}' for object of type '{type_name}'")
    })
}

/// The character for code point `code` (0..=0x10FFFF); surrogates become U+FFFD.
pub(super) fn char_from_code(code: u32) -> char {
    char::from_u32(code).unwrap_or('\u{FFFD}')
}

fn format_integer(
    value: Int<'_>,
    spec: &FormatSpec,
    type_name: &str,
) -> Result<String, FormatError> {
    let kind = spec.kind.unwrap_or('d');
    let group = spec.group_by(kind)?;
    match kind {
        'b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n' => {}
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => {
            return float_internal(value.to_f64()?, spec, kind, group)
        }
        _ => return Err(unknown_code(kind, type_name)),
    }
    if spec.precision.is_some() {
        return Err(FormatError::value(
            "Precision not allowed in integer format specifier",
        ));
    }
    if spec.no_neg_0 {
        return Err(FormatError::value(
            "Negative zero coercion (z) not allowed in integer format specifier",
        ));
    }
    let (fill, align) = spec.fill_align(Align::Right);
    if kind == 'c' {
        if spec.sign.is_some() {
            return Err(FormatError::value(
                "Sign not allowed with integer format specifier 'c'",
            ));
        }
        if spec.alternate {
            return Err(FormatError::value(
                "Alternate form (#) not allowed with integer format specifier 'c'",
            ));
        }
        let code = value.to_i64().ok_or_else(|| {
            FormatError::Overflow("Python int too large to convert to C long".into())
        })?;
        if !(0..=0x10FFFF).contains(&code) {
            return Err(FormatError::Overflow(
                "%c arg not in range(0x110000)".into(),
            ));
        }
        let ch = char_from_code(code as u32).to_string();
        let number = Number {
            negative: false,
            prefix: "",
            digits: "",
            has_decimal: false,
            remainder: &ch,
        };
        return number.layout(spec, fill, align, group);
    }
    let (digits, prefix) = match kind {
        'b' => (value.abs_digits(2), "0b"),
        'o' => (value.abs_digits(8), "0o"),
        'x' => (value.abs_digits(16), "0x"),
        'X' => (value.abs_digits(16).to_ascii_uppercase(), "0X"),
        _ => (value.decimal_digits()?, ""),
    };
    let number = Number {
        negative: value.is_negative(),
        prefix: if spec.alternate { prefix } else { "" },
        digits: &digits,
        has_decimal: false,
        remainder: "",
    };
    number.layout(spec, fill, align, group)
}

/// CPython's `format_float_internal`: `kind` is the presentation type (`'\0'` for none).
fn float_internal(
    value: f64,
    spec: &FormatSpec,
    kind: char,
    group: Option<GroupBy>,
) -> Result<String, FormatError> {
    if spec.precision.is_some_and(|p| p > i32::MAX as usize) {
        return Err(FormatError::value("precision too big"));
    }
    let mut flags = FloatFlags {
        alt: spec.alternate,
        no_neg_0: spec.no_neg_0,
        ..FloatFlags::default()
    };
    let mut value = value;
    let mut code = kind;
    let mut default_precision = 6;
    if code == '\0' {
        // No type: like repr() without a precision, else like 'g' with at least one digit
        // after the point.
        flags.add_dot_0 = true;
        code = 'r';
        default_precision = 0;
    }
    if code == 'n' {
        code = 'g';
    }
    let percent = code == '%';
    if percent {
        code = 'f';
        value *= 100.0;
    }
    let (style, upper, precision) = float_style(code, spec.precision, default_precision);
    let mut text = double_to_string(value, style, upper, precision, flags);
    if percent {
        text.push('%');
    }
    let (fill, align) = spec.fill_align(Align::Right);
    Number::split(&text).layout(spec, fill, align, group)
}

/// The style, case and precision for a float presentation `code` (`'r'` for "no type"):
/// an explicit precision turns "no type" into `g`, as CPython's `format_float_internal`.
fn float_style(code: char, precision: Option<usize>, default: usize) -> (FloatStyle, bool, usize) {
    let code = if code == 'r' && precision.is_some() {
        'g'
    } else {
        code
    };
    let (style, upper) = FloatStyle::from_code(code).unwrap_or((FloatStyle::Repr, false));
    (style, upper, precision.unwrap_or(default))
}

/// `format(complex(re, im), spec)`, as CPython's `format_complex_internal`: each part is
/// formatted as a float (no type: as `repr`, or `g` with a precision) with the spec's sign,
/// `#`, `z` and grouping, the imaginary part always signed unless the real part is left out
/// (no type and a real part of `+0.0`); then `j`, parentheses when there is no type, and
/// the padding around the whole. `0` padding and `=` alignment are refused.
pub fn format_complex(
    re: f64,
    im: f64,
    spec: &FormatSpec,
    type_name: &str,
) -> Result<String, FormatError> {
    let kind = spec.kind.unwrap_or('\0');
    let group = spec.group_by(kind)?;
    if !matches!(kind, '\0' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n') {
        return Err(unknown_code(kind, type_name));
    }
    if spec.precision.is_some_and(|p| p > i32::MAX as usize) {
        return Err(FormatError::value("precision too big"));
    }
    let (fill, align) = spec.fill_align(Align::Right);
    if fill == '0' {
        return Err(FormatError::value(
            "Zero padding is not allowed in complex format specifier",
        ));
    }
    if align == Align::AfterSign {
        return Err(FormatError::value(
            "'=' alignment flag is not allowed in complex format specifier",
        ));
    }
    let flags = FloatFlags {
        alt: spec.alternate,
        no_neg_0: spec.no_neg_0,
        ..FloatFlags::default()
    };
    let mut code = kind;
    let mut default_precision = 6;
    let mut skip_re = false;
    let mut add_parens = false;
    if code == '\0' {
        // Like str(z).
        code = 'r';
        default_precision = 0;
        if re == 0.0 && re.is_sign_positive() {
            skip_re = true;
        } else {
            add_parens = true;
        }
    }
    if code == 'n' {
        code = 'g';
    }
    let (style, upper, precision) = float_style(code, spec.precision, default_precision);
    let re_text = double_to_string(re, style, upper, precision, flags);
    let im_text = double_to_string(im, style, upper, precision, flags);
    // The parts are laid out without padding; the padding goes around the whole.
    let mut part_spec = FormatSpec {
        fill: None,
        align: Some(Align::Left),
        zero_pad: false,
        width: None,
        ..spec.clone()
    };
    let mut body = String::new();
    if add_parens {
        body.push('(');
    }
    if !skip_re {
        body += &Number::split(&re_text).layout(&part_spec, ' ', Align::Left, group)?;
        part_spec.sign = Some(Sign::Plus);
    }
    body += &Number::split(&im_text).layout(&part_spec, ' ', Align::Left, group)?;
    body.push('j');
    if add_parens {
        body.push(')');
    }
    let len = body.chars().count();
    let padding = spec.width.unwrap_or(0).saturating_sub(len);
    let (left, right) = match align {
        Align::Left => (0, padding),
        Align::Center => (padding / 2, padding - padding / 2),
        _ => (padding, 0),
    };
    let mut out = with_room(len + padding)?;
    out.extend(std::iter::repeat_n(fill, left));
    out.push_str(&body);
    out.extend(std::iter::repeat_n(fill, right));
    Ok(out)
}

/// A number split for layout: `[sign][prefix]DIGITS[.REMAINDER]` where only DIGITS is
/// grouped and zero-padded.
struct Number<'a> {
    negative: bool,
    prefix: &'a str,
    digits: &'a str,
    has_decimal: bool,
    remainder: &'a str,
}

impl<'a> Number<'a> {
    /// A float's text (`-12.5e+03`, `inf`) split at its sign and decimal point.
    fn split(text: &'a str) -> Number<'a> {
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let int_end = body
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(body.len());
        let (digits, rest) = body.split_at(int_end);
        let (has_decimal, remainder) = match rest.strip_prefix('.') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        Number {
            negative,
            prefix: "",
            digits,
            has_decimal,
            remainder,
        }
    }

    /// `<lpadding><sign><prefix><spadding><grouped digits><.><remainder><rpadding>`, as
    /// CPython's `calc_number_widths` and `fill_number`.
    fn layout(
        &self,
        spec: &FormatSpec,
        fill: char,
        align: Align,
        group: Option<GroupBy>,
    ) -> Result<String, FormatError> {
        // The result is at least `width` characters long.
        let mut out = with_room(spec.width.unwrap_or(0))?;
        let sign = match spec.sign {
            Some(Sign::Plus) => Some(if self.negative { '-' } else { '+' }),
            Some(Sign::Space) => Some(if self.negative { '-' } else { ' ' }),
            _ => self.negative.then_some('-'),
        };
        let count = |s: &str| s.chars().count() as i64;
        let non_digits = i64::from(sign.is_some())
            + count(self.prefix)
            + i64::from(self.has_decimal)
            + count(self.remainder);
        let width = spec.width.map_or(-1, |w| w as i64);
        let min_width = if fill == '0' && align == Align::AfterSign {
            width - non_digits
        } else {
            0
        };
        // Without grouping the digits are only zero-padded: written straight into `out`.
        let (grouped, zeros) = match group {
            _ if self.digits.is_empty() => (String::new(), 0),
            None => (String::new(), (min_width - self.digits.len() as i64).max(0)),
            Some(_) => (group_digits(self.digits, min_width, group)?, 0),
        };
        let digits_len = if group.is_none() {
            zeros + self.digits.len() as i64
        } else {
            count(&grouped)
        };
        let padding = (width - (non_digits + digits_len)).max(0) as usize;
        let (left, middle, right) = match align {
            Align::Left => (0, 0, padding),
            Align::Center => (padding / 2, 0, padding - padding / 2),
            Align::AfterSign => (0, padding, 0),
            Align::Right => (padding, 0, 0),
        };
        push_fill(&mut out, fill, left);
        out.extend(sign);
        out.push_str(self.prefix);
        push_fill(&mut out, fill, middle);
        if group.is_none() {
            super::reserve(&mut out, zeros as usize + self.digits.len())?;
            push_fill(&mut out, '0', zeros as usize);
            out.push_str(self.digits);
        } else {
            out.push_str(&grouped);
        }
        if self.has_decimal {
            out.push('.');
        }
        out.push_str(self.remainder);
        push_fill(&mut out, fill, right);
        Ok(out)
    }
}

/// Groups the ASCII `digits` from the right and pads them with zeros to at least `min_width`
/// characters (CPython's `_PyUnicode_InsertThousandsGrouping`, where a zero pad can itself
/// be grouped: `format(1234, '08,')` is `'0,001,234'`).
fn group_digits(
    digits: &str,
    min_width: i64,
    group: Option<GroupBy>,
) -> Result<String, FormatError> {
    // Digits, pad zeros and separators are all ASCII: work in bytes, right to left.
    let digits = digits.as_bytes();
    let mut min_width = min_width.max(0);
    let mut remaining = digits.len() as i64;
    let mut out: Vec<u8> = Vec::new();
    let room = min_width.max(remaining + remaining / 3) as usize + 1;
    if crate::embed::limits::exceeds_memory(room) {
        return Err(FormatError::Memory);
    }
    out.try_reserve(room).map_err(|_| FormatError::Memory)?;
    let mut use_separator = false;
    let mut piece = |out: &mut Vec<u8>, len: i64, remaining: i64, sep: Option<u8>| {
        if use_separator {
            out.extend(sep);
        }
        use_separator = true;
        let zeros = (len - remaining).max(0);
        let chars = remaining.min(len).max(0);
        let end = remaining as usize;
        out.extend(digits[end - chars as usize..end].iter().rev());
        out.extend(std::iter::repeat_n(b'0', zeros as usize));
        chars
    };
    let mut finished = false;
    if let Some(g) = group {
        loop {
            let len = (g.size as i64).min(remaining.max(min_width).max(1));
            remaining -= piece(&mut out, len, remaining, Some(g.separator as u8));
            min_width -= len;
            if remaining <= 0 && min_width <= 0 {
                finished = true;
                break;
            }
            min_width -= 1;
        }
    }
    if !finished {
        let len = remaining.max(min_width).max(1);
        piece(&mut out, len, remaining, group.map(|g| g.separator as u8));
    }
    out.reverse();
    Ok(out.into_iter().map(char::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::test_cases::{check_all, float_bits};

    #[test]
    fn int_specs_match_cpython() {
        check_all("format_int", |c| {
            let value: BigInt = c.input(1).parse().expect("int input");
            let type_name = c.input(0);
            let spec = FormatSpec::parse(c.input(2), type_name).map_err(|e| e.to_string())?;
            let big = format_int(&value, &spec, type_name).map_err(|e| e.to_string());
            if let Some(small) = value.to_i64() {
                let fast = format_i64(small, &spec, type_name).map_err(|e| e.to_string());
                assert_eq!(big, fast, "i64 and BigInt paths differ (line {})", c.line);
            }
            big
        });
    }

    #[test]
    fn complex_specs_match_cpython() {
        check_all("format_complex", |c| {
            let (re, im) = (float_bits(c.input(0)), float_bits(c.input(1)));
            let spec = FormatSpec::parse(c.input(2), "complex").map_err(|e| e.to_string())?;
            format_complex(re, im, &spec, "complex").map_err(|e| e.to_string())
        });
    }

    #[test]
    fn float_specs_match_cpython() {
        check_all("format_float", |c| {
            let value = float_bits(c.input(0));
            let spec = FormatSpec::parse(c.input(1), "float").map_err(|e| e.to_string())?;
            format_float(value, &spec, "float").map_err(|e| e.to_string())
        });
    }
}
