//! The format-spec mini-language: `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`
//! (CPython's `parse_internal_render_format_spec`).

use super::FormatError;

/// Where padding goes (`<`, `>`, `^`, `=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// `<`: padding after the value.
    Left,
    /// `>`: padding before the value.
    Right,
    /// `^`: padding split around the value (the extra one after).
    Center,
    /// `=`: padding between the sign (and prefix) and the digits.
    AfterSign,
}

impl Align {
    fn from_char(c: char) -> Option<Align> {
        Some(match c {
            '<' => Align::Left,
            '>' => Align::Right,
            '^' => Align::Center,
            '=' => Align::AfterSign,
            _ => return None,
        })
    }
}

/// The sign option (`+`, `-`, ` `).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    /// `+`: a sign for every number.
    Plus,
    /// `-`: a sign for negative numbers only (the default).
    Minus,
    /// ` `: a space for non-negative numbers, `-` for negative ones.
    Space,
}

/// The thousands separator option (`,` or `_`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// `,`: a comma every three digits.
    Comma,
    /// `_`: an underscore every three digits (every four for `b`, `o`, `x`, `X`).
    Underscore,
}

/// A parsed format spec. Fields left unset take per-type defaults when formatting
/// (numbers align right, strings left; `0` before the width means fill `0` and, for numbers
/// without an explicit alignment, `=` alignment).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormatSpec {
    /// The fill character, when given before an alignment.
    pub fill: Option<char>,
    /// The alignment, if given.
    pub align: Option<Align>,
    /// The sign option, if given.
    pub sign: Option<Sign>,
    /// `z`: coerce negative zero to positive zero (floats only).
    pub no_neg_0: bool,
    /// `#`: alternate form.
    pub alternate: bool,
    /// A `0` before the width when no fill character was given.
    pub zero_pad: bool,
    /// The minimum width.
    pub width: Option<usize>,
    /// The thousands separator.
    pub grouping: Option<Grouping>,
    /// The precision (digits after the point, significant digits, or maximum characters).
    pub precision: Option<usize>,
    /// The presentation type letter, if given.
    pub kind: Option<char>,
}

/// The grouping to apply to digits: separator and group size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct GroupBy {
    pub(super) separator: char,
    pub(super) size: usize,
}

impl FormatSpec {
    /// Parses `spec` as CPython does; `type_name` (e.g. `"int"`, `"bool"`) goes into the
    /// `Invalid format specifier '...' for object of type '...'` message.
    pub fn parse(spec: &str, type_name: &str) -> Result<FormatSpec, FormatError> {
        // ASCII specs (nearly all) are read as bytes, without a char vector.
        if spec.is_ascii() {
            FormatSpec::parse_chars(spec.as_bytes(), spec, type_name)
        } else {
            let chars: Vec<char> = spec.chars().collect();
            FormatSpec::parse_chars(&chars, spec, type_name)
        }
    }

    /// [`FormatSpec::parse`] over the spec's characters (`u8` for ASCII text, else `char`).
    fn parse_chars<C: Copy + Into<char>>(
        chars: &[C],
        spec: &str,
        type_name: &str,
    ) -> Result<FormatSpec, FormatError> {
        let at = |i: usize| -> char { chars[i].into() };
        let mut result = FormatSpec::default();
        let mut pos = 0;
        let end = chars.len();

        if end >= 2 {
            if let Some(align) = Align::from_char(at(1)) {
                result.fill = Some(at(0));
                result.align = Some(align);
                pos = 2;
            }
        }
        if pos == 0 && end >= 1 {
            if let Some(align) = Align::from_char(at(0)) {
                result.align = Some(align);
                pos = 1;
            }
        }
        if pos < end {
            result.sign = match at(pos) {
                '+' => Some(Sign::Plus),
                '-' => Some(Sign::Minus),
                ' ' => Some(Sign::Space),
                _ => None,
            };
            if result.sign.is_some() {
                pos += 1;
            }
        }
        if pos < end && at(pos) == 'z' {
            result.no_neg_0 = true;
            pos += 1;
        }
        if pos < end && at(pos) == '#' {
            result.alternate = true;
            pos += 1;
        }
        if result.fill.is_none() && pos < end && at(pos) == '0' {
            result.zero_pad = true;
            pos += 1;
        }
        result.width = parse_integer(chars, &mut pos)?;
        if pos < end && at(pos) == ',' {
            result.grouping = Some(Grouping::Comma);
            pos += 1;
        }
        if pos < end && at(pos) == '_' {
            if result.grouping.is_some() {
                return Err(both_separators());
            }
            result.grouping = Some(Grouping::Underscore);
            pos += 1;
        }
        if pos < end && at(pos) == ',' && result.grouping == Some(Grouping::Underscore) {
            return Err(both_separators());
        }
        if pos < end && at(pos) == '.' {
            pos += 1;
            match parse_integer(chars, &mut pos)? {
                Some(p) => result.precision = Some(p),
                None => return Err(FormatError::value("Format specifier missing precision")),
            }
        }
        if end - pos > 1 {
            return Err(FormatError::Value(format!(
                "Invalid format specifier '{spec}' for object of type '{type_name}'"
            )));
        }
        if pos < end {
            result.kind = Some(at(pos));
        }
        Ok(result)
    }

    /// The fill character and alignment in effect, given the type's default alignment.
    pub(super) fn fill_align(&self, default: Align) -> (char, Align) {
        let fill = match self.fill {
            Some(c) => c,
            None if self.zero_pad => '0',
            None => ' ',
        };
        let align = match self.align {
            Some(a) => a,
            None if self.zero_pad && default == Align::Right => Align::AfterSign,
            None => default,
        };
        (fill, align)
    }

    /// Checks the thousands separator against the presentation type `kind` (the spec's, or
    /// the type's default) and returns the grouping to apply.
    pub(super) fn group_by(&self, kind: char) -> Result<Option<GroupBy>, FormatError> {
        let Some(grouping) = self.grouping else {
            return Ok(None);
        };
        let separator = match grouping {
            Grouping::Comma => ',',
            Grouping::Underscore => '_',
        };
        match kind {
            'd' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F' | '\0' => {
                Ok(Some(GroupBy { separator, size: 3 }))
            }
            'b' | 'o' | 'x' | 'X' if grouping == Grouping::Underscore => {
                Ok(Some(GroupBy { separator, size: 4 }))
            }
            _ => Err(FormatError::Value(
                if (kind as u32) > 32 && (kind as u32) < 128 {
                    format!("Cannot specify '{separator}' with '{kind}'.")
                } else {
                    format!("Cannot specify '{separator}' with '\\x{:x}'.", kind as u32)
                },
            )),
        }
    }
}

fn both_separators() -> FormatError {
    FormatError::value("Cannot specify both ',' and '_'.")
}

/// Reads decimal digits (any Unicode decimal digit, as CPython) at `pos`: `None` if there
/// are none, an error past `isize::MAX`.
fn parse_integer<C: Copy + Into<char>>(
    chars: &[C],
    pos: &mut usize,
) -> Result<Option<usize>, FormatError> {
    let start = *pos;
    let mut value: usize = 0;
    while let Some(d) = chars.get(*pos).and_then(|&c| decimal_value(c.into())) {
        let d = d as usize;
        if value > (isize::MAX as usize - d) / 10 {
            return Err(FormatError::value(
                "Too many decimal digits in format string",
            ));
        }
        value = value * 10 + d;
        *pos += 1;
    }
    Ok((*pos > start).then_some(value))
}

/// The first code point (digit zero) of each run of ten Unicode decimal digits (category Nd,
/// Unicode 14.0 as in CPython 3.11), from `python3`:
/// `[c for c in range(0x110000) if chr(c).isdecimal() and unicodedata.decimal(chr(c)) == 0]`.
const DECIMAL_ZEROS: [u32; 66] = [
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
    0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50,
    0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// The value of a Unicode decimal digit (`'7'`, `'٣'`, `'７'`), as CPython's
/// `Py_UNICODE_TODECIMAL`; `None` for any other character.
pub fn decimal_value(c: char) -> Option<u32> {
    let c = c as u32;
    if c < 0x80 {
        return (0x30..=0x39).contains(&c).then(|| c - 0x30);
    }
    let i = DECIMAL_ZEROS.partition_point(|&z| z <= c);
    let zero = DECIMAL_ZEROS[i.checked_sub(1)?];
    (c - zero < 10).then(|| c - zero)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::test_cases::check_all;

    #[test]
    fn decimal_digits_match_cpython() {
        check_all("decimal", |c| {
            let ch = c.input(0).chars().next().expect("one character");
            Ok(decimal_value(ch).map_or("-".to_string(), |d| d.to_string()))
        });
    }

    #[test]
    fn parse_fields() {
        let spec = FormatSpec::parse("*^+z#012_.3f", "float").unwrap();
        assert_eq!(spec.fill, Some('*'));
        assert_eq!(spec.align, Some(Align::Center));
        assert_eq!(spec.sign, Some(Sign::Plus));
        assert!(spec.no_neg_0 && spec.alternate && !spec.zero_pad);
        assert_eq!(spec.width, Some(12));
        assert_eq!(spec.grouping, Some(Grouping::Underscore));
        assert_eq!(spec.precision, Some(3));
        assert_eq!(spec.kind, Some('f'));
        assert_eq!(FormatSpec::parse("", "int").unwrap(), FormatSpec::default());
    }
}
