//! Escapes (`\d`, `\x41`, `\N{...}`, back references, ...), in and out of classes.

use super::{err, push_literal, until, Refs, TransError};

fn hex_escape(p: &[char], i: usize, n: usize, out: &mut String) -> Result<usize, TransError> {
    let digits: String = p[i + 2..(i + 2 + n).min(p.len())].iter().collect();
    if digits.len() != n || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        // sre_parse names the escape and the hex digits it found.
        let text: String = p[i..i + 2]
            .iter()
            .chain(
                p[i + 2..]
                    .iter()
                    .take(n)
                    .take_while(|c| c.is_ascii_hexdigit()),
            )
            .collect();
        return err(format!("incomplete escape {text}"), i);
    }
    let v = u32::from_str_radix(&digits, 16).unwrap_or(0);
    if char::from_u32(v).is_none() {
        let text: String = p[i..i + 2 + n].iter().collect();
        return err(format!("bad escape {text}"), i);
    }
    out.push_str(&format!("\\x{{{v:x}}}"));
    Ok(i + 2 + n)
}

/// ASCII's `\d \w \s` and negations: (escape, form outside a class, form inside one). The
/// outside forms are case-sensitive groups, so IGNORECASE's Unicode folding cannot add the
/// Kelvin sign or long s to `\w` (CPython folds only ASCII under ASCII).
const ASCII_CLASSES: [(char, &str, &str); 6] = [
    ('d', "[0-9]", "0-9"),
    ('D', "[^0-9]", "[^0-9]"),
    ('w', "(?-i:[0-9A-Za-z_])", "0-9A-Za-z_"),
    ('W', "(?-i:[^0-9A-Za-z_])", "[^0-9A-Za-z_]"),
    ('s', "[ \\t\\n\\r\\f\\v]", " \\t\\n\\r\\f\\v"),
    ('S', "[^ \\t\\n\\r\\f\\v]", "[^ \\t\\n\\r\\f\\v]"),
];

const ASCII_WORD_BOUNDARY: &str =
    "(?-i:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))";
const ASCII_NOT_WORD_BOUNDARY: &str =
    "(?-i:(?<=[0-9A-Za-z_])(?=[0-9A-Za-z_])|(?<![0-9A-Za-z_])(?![0-9A-Za-z_]))";

/// The escape at `p[i] == '\\'`; returns the index after it. `refs` says which groups a
/// back reference may name; a `bytes` pattern has no `\u`, `\U` or `\N`.
pub(super) fn escape(
    p: &[char],
    i: usize,
    in_class: bool,
    ascii: bool,
    bytes: bool,
    refs: &Refs,
    out: &mut String,
) -> Result<usize, TransError> {
    let Some(&c) = p.get(i + 1) else {
        return err("bad escape (end of pattern)", i);
    };
    match c {
        'd' | 'D' | 'w' | 'W' | 's' | 'S' => {
            if ascii {
                let (_, outside, inside) = ASCII_CLASSES
                    .iter()
                    .find(|e| e.0 == c)
                    .expect("listed class");
                out.push_str(if in_class { inside } else { outside });
            } else {
                out.push('\\');
                out.push(c);
            }
            Ok(i + 2)
        }
        'b' | 'B' if !in_class && ascii => {
            // The engine's `\b` is Unicode's; ASCII word boundaries are spelled out.
            out.push_str(if c == 'b' {
                ASCII_WORD_BOUNDARY
            } else {
                ASCII_NOT_WORD_BOUNDARY
            });
            Ok(i + 2)
        }
        'A' | 'B' if !in_class => {
            out.push('\\');
            out.push(c);
            Ok(i + 2)
        }
        'b' => {
            out.push_str(if in_class { "\\x08" } else { "\\b" });
            Ok(i + 2)
        }
        'Z' if !in_class => {
            out.push_str("\\z");
            Ok(i + 2)
        }
        'n' | 't' | 'r' | 'f' | 'v' | 'a' => {
            out.push('\\');
            out.push(c);
            Ok(i + 2)
        }
        'x' => hex_escape(p, i, 2, out),
        'u' | 'U' | 'N' if bytes => err(format!("bad escape \\{c}"), i),
        'u' => hex_escape(p, i, 4, out),
        'U' => hex_escape(p, i, 8, out),
        '0'..='7'
            if c == '0'
                || in_class
                || (p.get(i + 2).is_some_and(|d| ('0'..='7').contains(d))
                    && p.get(i + 3).is_some_and(|d| ('0'..='7').contains(d))) =>
        {
            let mut j = i + 1;
            let mut v = 0u32;
            while j < p.len() && j < i + 4 && ('0'..='7').contains(&p[j]) {
                v = v * 8 + (p[j] as u32 - '0' as u32);
                j += 1;
            }
            if v > 0o377 {
                let text: String = p[i..j].iter().collect();
                return err(
                    format!("octal escape value {text} outside of range 0-0o377"),
                    i,
                );
            }
            out.push_str(&format!("\\x{{{v:x}}}"));
            Ok(j)
        }
        '1'..='9' => {
            let mut j = i + 1;
            let mut n = 0usize;
            while j < p.len() && j < i + 3 && p[j].is_ascii_digit() {
                n = n * 10 + (p[j] as usize - '0' as usize);
                j += 1;
            }
            if in_class {
                let text: String = p[i..j].iter().collect();
                return err(format!("bad escape {text}"), i);
            }
            if n > refs.count {
                return err(format!("invalid group reference {n}"), i + 1);
            }
            if refs.open.contains(&n) {
                return err("cannot refer to an open group", i);
            }
            refs.check_behind(n, j)?;
            out.push_str(&format!("(?:\\{n})"));
            Ok(j)
        }
        'N' => {
            if p.get(i + 2) != Some(&'{') {
                return err("missing {", i + 2);
            }
            let (name, j) = until(p, i + 3, '}', "character name")?;
            let Some(aio_ucd::Found::Char(ch)) = aio_ucd::lookup(name.as_bytes(), false) else {
                return err(format!("undefined character name '{name}'"), i);
            };
            out.push_str(&format!("\\x{{{:x}}}", ch as u32));
            Ok(j)
        }
        c if c.is_ascii_alphanumeric() => err(format!("bad escape \\{c}"), i),
        c => {
            // Any other escaped character is itself in Python.
            if c.is_whitespace() || c.is_control() {
                out.push_str(&format!("\\x{{{:x}}}", c as u32));
            } else {
                push_literal(out, c);
            }
            Ok(i + 2)
        }
    }
}
