//! Decoding of literal text: names, numbers, and the escapes of `str` and `bytes` bodies,
//! with CPython's error messages.

use crate::token::IntValue;
use num_bigint::BigInt;
use num_traits::Num;

/// A name as the program sees it: NFKC-normalised when it is not ASCII (PEP 3131), so `ﬁle`
/// and `file` are the same name.
pub fn decode_name(text: &str) -> String {
    if text.is_ascii() {
        text.to_owned()
    } else {
        aio_ucd::normalize(aio_ucd::Form::Nfkc, text).into_owned()
    }
}

/// Decodes an integer literal in `radix` (its `0x`/`0o`/`0b` prefix, if any, included).
/// The text must already be a valid literal, as the raw lexer guarantees.
pub fn decode_int(text: &str, radix: u32) -> IntValue {
    let digits = if radix == 10 { text } else { &text[2..] };
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    match i64::from_str_radix(&digits, radix) {
        Ok(v) => IntValue::Small(v),
        Err(_) => IntValue::Big(BigInt::from_str_radix(&digits, radix).unwrap_or_default()),
    }
}

/// Decodes a float literal (`1_000.5e-3`, `.5`, `5.`). Overflow gives infinity, as in Python.
pub fn decode_float(text: &str) -> f64 {
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    cleaned.parse().unwrap_or(f64::NAN)
}

/// Decodes an imaginary literal (`3j`): its imaginary part.
pub fn decode_imaginary(text: &str) -> f64 {
    decode_float(&text[..text.len() - 1])
}

/// Decodes the body of a `str` literal (the text between the quotes). Raw bodies keep their
/// backslashes. Line breaks are normalised to `\n`, as Python reads source files.
///
/// Errors are worded as CPython words them, with byte positions inside the body:
/// `(unicode error) 'unicodeescape' codec can't decode bytes in position 0-2: truncated \xXX escape`.
pub fn decode_str(body: &str, raw: bool) -> Result<String, String> {
    if raw || !body.contains('\\') {
        return Ok(normalise_newlines(body));
    }
    let bytes = body.as_bytes();
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    while i < bytes.len() {
        let Some(offset) = body[i..].find('\\') else {
            out.push_str(&normalise_newlines(&body[i..]));
            break;
        };
        out.push_str(&normalise_newlines(&body[i..i + offset]));
        i += offset;
        let start = i;
        let unicode_error = |end: usize, what: &str| {
            format!("(unicode error) 'unicodeescape' codec can't decode bytes in position {start}-{end}: {what}")
        };
        let Some(c) = body[i + 1..].chars().next() else {
            // Only an f-string literal chunk can end in a lone backslash (`f"\{x}"`): like any
            // unknown escape, it stays as written.
            out.push('\\');
            break;
        };
        i += 1 + c.len_utf8();
        match c {
            '\n' => {}
            '\r' => {
                if bytes.get(i) == Some(&b'\n') {
                    i += 1;
                }
            }
            '\\' | '\'' | '"' => out.push(c),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let (value, next) = octal(bytes, i - 1);
                i = next;
                // Values above 0o377 are accepted (with a warning in CPython).
                out.push(char::from_u32(value).unwrap_or('\u{FFFD}'));
            }
            'x' | 'u' | 'U' => {
                let (len, what) = match c {
                    'x' => (2, "truncated \\xXX escape"),
                    'u' => (4, "truncated \\uXXXX escape"),
                    _ => (8, "truncated \\UXXXXXXXX escape"),
                };
                let digits = hex_run(bytes, i, len);
                if digits < len {
                    return Err(unicode_error(i + digits - 1, what));
                }
                let value = u32::from_str_radix(&body[i..i + len], 16).unwrap_or(u32::MAX);
                i += len;
                match char::from_u32(value) {
                    Some(ch) => out.push(ch),
                    None if value <= 0x10FFFF => out.push('\u{FFFD}'), // a lone surrogate
                    None => return Err(unicode_error(i - 1, "illegal Unicode character")),
                }
            }
            'N' => {
                let malformed = || unicode_error(start + 1, "malformed \\N character escape");
                if bytes.get(i) != Some(&b'{') {
                    return Err(malformed());
                }
                // CPython's error ends where its scan stopped: at the end of the literal
                // when no `}` follows, at the `}` of an empty name.
                let Some(close) = body[i..].find('}') else {
                    let what = "malformed \\N character escape";
                    return Err(unicode_error(body.len() - 1, what));
                };
                let name = &body[i + 1..i + close];
                let end = i + close;
                if name.is_empty() {
                    return Err(unicode_error(end - 1, "malformed \\N character escape"));
                }
                match aio_ucd::lookup(name.as_bytes(), false) {
                    Some(aio_ucd::Found::Char(ch)) => out.push(ch),
                    _ => return Err(unicode_error(end, "unknown Unicode character name")),
                }
                i = end + 1;
            }
            other => {
                // Unknown escapes keep their backslash (a DeprecationWarning in CPython).
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

/// Decodes the body of a `bytes` literal. Only ASCII characters may appear literally.
pub fn decode_bytes(body: &str, raw: bool) -> Result<Vec<u8>, String> {
    if !body.is_ascii() {
        return Err("bytes can only contain ASCII literal characters".to_string());
    }
    let text = normalise_newlines(body);
    let bytes = text.as_bytes();
    if raw || !text.contains('\\') {
        return Ok(bytes.to_vec());
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' || i + 1 >= bytes.len() {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let c = bytes[i + 1];
        let start = i;
        i += 2;
        match c {
            b'\n' => {}
            b'\\' | b'\'' | b'"' => out.push(c),
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'0'..=b'7' => {
                let (value, next) = octal(bytes, i - 1);
                i = next;
                out.push(value as u8); // CPython truncates values above 0o377
            }
            b'x' => {
                if hex_run(bytes, i, 2) < 2 {
                    return Err(format!(
                        "(value error) invalid \\x escape at position {start}"
                    ));
                }
                out.push(u8::from_str_radix(&text[i..i + 2], 16).unwrap_or(0));
                i += 2;
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

/// Up to three octal digits starting at `from`: their value and the index after them.
fn octal(bytes: &[u8], from: usize) -> (u32, usize) {
    let mut value = 0;
    let mut i = from;
    while i < from + 3 && i < bytes.len() && (b'0'..=b'7').contains(&bytes[i]) {
        value = value * 8 + u32::from(bytes[i] - b'0');
        i += 1;
    }
    (value, i)
}

/// How many hex digits (at most `max`) start at `from`.
fn hex_run(bytes: &[u8], from: usize, max: usize) -> usize {
    bytes[from.min(bytes.len())..]
        .iter()
        .take(max)
        .take_while(|b| b.is_ascii_hexdigit())
        .count()
}

/// `\r\n` and lone `\r` become `\n`.
fn normalise_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_owned();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_nfkc_normalised() {
        assert_eq!(decode_name("abc"), "abc");
        assert_eq!(decode_name("\u{FB01}le"), "file");
        assert_eq!(decode_name("\u{210C}"), "H");
        assert_eq!(decode_name("e\u{301}"), "\u{E9}");
    }

    #[test]
    fn integers_of_any_size() {
        assert_eq!(decode_int("1_000", 10), IntValue::Small(1000));
        assert_eq!(decode_int("0xff", 16), IntValue::Small(255));
        assert_eq!(decode_int("0o17", 8), IntValue::Small(15));
        assert_eq!(decode_int("0b1_01", 2), IntValue::Small(5));
        let big = decode_int("123456789012345678901234567890", 10);
        assert_eq!(big.to_string(), "123456789012345678901234567890");
    }

    #[test]
    fn floats() {
        assert_eq!(decode_float("1e-3"), 0.001);
        assert_eq!(decode_float(".5"), 0.5);
        assert_eq!(decode_float("5."), 5.0);
        assert_eq!(decode_float("1_0.5"), 10.5);
        assert!(decode_float("1e400").is_infinite());
        assert_eq!(decode_imaginary("2.5j"), 2.5);
    }

    #[test]
    fn string_escapes() {
        let s = decode_str(
            r#"a\n\t\\\'\"\x41\u00e9\U0001F600\N{BULLET}\101\0\d"#,
            false,
        )
        .unwrap();
        assert_eq!(s, "a\n\t\\'\"Aé😀•A\0\\d");
        assert_eq!(decode_str(r"a\nb", true).unwrap(), r"a\nb");
        assert_eq!(decode_str("a\\\nb", false).unwrap(), "ab");
        assert_eq!(decode_str("a\r\nb", false).unwrap(), "a\nb");
        // Names match in any case, aliases count, Hangul and CJK names are upper case only
        // and named sequences are refused, as in CPython 3.11.
        assert_eq!(
            decode_str(r"\N{bullet}\N{LF}\N{HANGUL SYLLABLE GA}", false).unwrap(),
            "•\n가"
        );
        assert!(decode_str(r"\N{hangul syllable GA}", false).is_err());
        assert!(decode_str(r"\N{KEYCAP NUMBER SIGN}", false).is_err());
    }

    #[test]
    fn string_escape_errors_match_cpython() {
        assert_eq!(
            decode_str(r"\x4", false).unwrap_err(),
            r"(unicode error) 'unicodeescape' codec can't decode bytes in position 0-2: truncated \xXX escape"
        );
        assert_eq!(
            decode_str(r"abc\N{BULLET}\N{NOPE}", false).unwrap_err(),
            "(unicode error) 'unicodeescape' codec can't decode bytes in position 13-20: unknown Unicode character name"
        );
        let malformed = |s| decode_str(s, false).unwrap_err();
        assert!(malformed(r"\N{}").ends_with("position 0-2: malformed \\N character escape"));
        assert!(malformed(r"a\N{SPACE").ends_with("position 1-8: malformed \\N character escape"));
        assert!(malformed(r"\Nx").ends_with("position 0-1: malformed \\N character escape"));
        assert!(decode_str(r"\u12", false)
            .unwrap_err()
            .ends_with("position 0-3: truncated \\uXXXX escape"));
    }

    #[test]
    fn bytes_escapes() {
        assert_eq!(decode_bytes(r"a\x00\777\n", false).unwrap(), b"a\x00\xff\n");
        assert_eq!(decode_bytes(r"\x", true).unwrap(), b"\\x");
        assert_eq!(
            decode_bytes(r"\x4", false).unwrap_err(),
            r"(value error) invalid \x escape at position 0"
        );
        assert_eq!(
            decode_bytes("é", false).unwrap_err(),
            "bytes can only contain ASCII literal characters"
        );
    }
}
