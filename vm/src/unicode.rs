//! Unicode facts Python's text functions depend on: decimal digits and whitespace.

use std::borrow::Cow;

/// The code points of the digit zero of every Unicode decimal-digit run (category Nd,
/// Unicode 14.0.0, as CPython 3.11). Each run holds the digits 0..=9 contiguously.
/// Generated with `unicodedata.decimal(c) == 0` over all code points.
const DECIMAL_ZEROS: [u32; 66] = [
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
    0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50,
    0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// The decimal value of `c` (`unicodedata.decimal`), for any script's digits.
pub fn decimal_value(c: char) -> Option<u32> {
    let cp = c as u32;
    if c.is_ascii() {
        return c.to_digit(10);
    }
    let i = DECIMAL_ZEROS.partition_point(|&z| z <= cp);
    let zero = *DECIMAL_ZEROS.get(i.checked_sub(1)?)?;
    (cp - zero < 10).then_some(cp - zero)
}

/// `str.isspace` for one character: Unicode White_Space plus the ASCII separators
/// `\x1c`..=`\x1f`, exactly Python's definition.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\x1c'..='\x1f')
}

/// CPython's `_PyUnicode_TransformDecimalAndSpaceToASCII`, used before parsing numbers:
/// decimal digits of any script become ASCII digits, whitespace becomes a space and any other
/// non-ASCII character becomes `?` (so that it can never parse).
pub fn decimal_and_space_to_ascii(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if c.is_ascii() {
                    c
                } else if is_space(c) {
                    ' '
                } else if let Some(d) = decimal_value(c) {
                    char::from_digit(d, 10).unwrap_or('?')
                } else {
                    '?'
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_of_other_scripts() {
        assert_eq!(decimal_value('7'), Some(7));
        assert_eq!(decimal_value('\u{663}'), Some(3)); // ARABIC-INDIC DIGIT THREE
        assert_eq!(decimal_value('\u{FF19}'), Some(9)); // FULLWIDTH DIGIT NINE
        assert_eq!(decimal_value('\u{1D7CE}'), Some(0)); // MATHEMATICAL BOLD DIGIT ZERO
        assert_eq!(decimal_value('\u{B2}'), None); // SUPERSCRIPT TWO is a digit, not decimal
        assert_eq!(decimal_value('a'), None);
    }

    #[test]
    fn transform_before_parsing() {
        assert_eq!(
            decimal_and_space_to_ascii("\u{661}\u{662}\u{a0}x\u{e9}"),
            "12 x?"
        );
        assert!(is_space('\x1f') && is_space('\u{3000}') && !is_space('\u{200b}'));
    }
}
