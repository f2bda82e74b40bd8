//! Character classes (`[...]`): ranges checked as sre_parse checks them, and the
//! characters the engine reads as set operations escaped. Under ASCII-only IGNORECASE the
//! class is kept out of the engine's (Unicode) folding and its ASCII letters get their
//! other case added.

use super::escape::escape;
use super::{err, token, Refs, TransError};

/// The character class at `p[i] == '['`; returns the index after its `]`. `bytes`: of a
/// bytes pattern; `fold_ascii`: IGNORECASE folds ASCII letters only.
pub(super) fn class(
    p: &[char],
    i: usize,
    ascii: bool,
    bytes: bool,
    fold_ascii: bool,
    out: &mut String,
) -> Result<usize, TransError> {
    let start = i;
    let mut j = i + 1;
    // The ranges of ASCII letters whose other case must be added.
    let mut other_case: Vec<(char, char)> = Vec::new();
    if fold_ascii {
        out.push_str("(?-i:");
    }
    out.push('[');
    if p.get(j) == Some(&'^') {
        out.push('^');
        j += 1;
    }
    let mut first = true;
    loop {
        let Some(&c) = p.get(j) else {
            return err("unterminated character set", start);
        };
        if c == ']' && !first {
            for (lo, hi) in other_case {
                out.push(lo);
                out.push('-');
                out.push(hi);
            }
            out.push(']');
            if fold_ascii {
                out.push(')');
            }
            return Ok(j + 1);
        }
        first = false;
        let this = j;
        let (lo, after) = class_item(p, j, ascii, bytes, out)?;
        j = after;
        if p.get(j) != Some(&'-') || p.get(j + 1) == Some(&']') {
            if let (true, Some(c)) = (fold_ascii, lo) {
                add_other_case(&mut other_case, c, c);
            }
        }
        if p.get(j) != Some(&'-') {
            continue;
        }
        match p.get(j + 1) {
            None => return err("unterminated character set", start),
            // A `-` before the `]` is itself.
            Some(']') => {
                out.push_str("\\-");
                j += 1;
            }
            // A range: both ends single characters, in order, as sre_parse checks.
            Some(_) => {
                let mut hi_text = String::new();
                let (hi, after) = class_item(p, j + 1, ascii, bytes, &mut hi_text)?;
                match (lo, hi) {
                    (Some(l), Some(h)) if l <= h => {
                        out.push('-');
                        out.push_str(&hi_text);
                        if fold_ascii {
                            add_other_case(&mut other_case, l, h);
                        }
                    }
                    _ => {
                        // sre_parse names each end by its first token (`\x` of `\x41`).
                        let (a, b) = (token(p, this), token(p, j + 1));
                        let pos = after - a.chars().count() - 1 - b.chars().count();
                        return err(format!("bad character range {a}-{b}"), pos);
                    }
                }
                j = after;
            }
        }
    }
}

/// Adds to `ranges` the other case of the ASCII letters in `lo..=hi`.
fn add_other_case(ranges: &mut Vec<(char, char)>, lo: char, hi: char) {
    for (a, z) in [('a', 'z'), ('A', 'Z')] {
        let (l, h) = (lo.max(a), hi.min(z));
        if l <= h {
            let swap = |c: char| (c as u8 ^ 0x20) as char;
            ranges.push((swap(l), swap(h)));
        }
    }
}

/// One character or escape of a class at `p[j]`, pushed to `out`: the character it stands
/// for (`None` for a class such as `\w`) and the index after it.
fn class_item(
    p: &[char],
    j: usize,
    ascii: bool,
    bytes: bool,
    out: &mut String,
) -> Result<(Option<char>, usize), TransError> {
    if p[j] == '\\' {
        let before = out.len();
        let after = escape(p, j, true, ascii, bytes, &Refs::default(), out)?;
        Ok((escaped_char(&out[before..]), after))
    } else {
        push_class_char(out, p[j]);
        Ok((Some(p[j]), j + 1))
    }
}

fn push_class_char(out: &mut String, c: char) {
    if matches!(c, '[' | ']' | '&' | '~' | '-' | '^' | '\\') {
        out.push('\\');
    }
    out.push(c);
}

/// The single character a translated escape stands for, if it is one.
pub(super) fn escaped_char(text: &str) -> Option<char> {
    if let Some(hex) = text.strip_prefix("\\x{").and_then(|t| t.strip_suffix('}')) {
        return u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
    }
    let mut cs = text.chars();
    match (cs.next(), cs.next(), cs.next()) {
        (Some('\\'), Some(c), None) => Some(match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'f' => '\x0c',
            'v' => '\x0b',
            'a' => '\x07',
            'd' | 'D' | 'w' | 'W' | 's' | 'S' => return None,
            c => c,
        }),
        (Some(c), None, None) => Some(c),
        _ => None,
    }
}
