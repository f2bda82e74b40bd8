//! Inline flags, `(?aiLmsux)` and `(?imsx-imsx:...)`, read as sre_parse's `_parse_flags`
//! reads them, with its error messages and positions.

use super::{err, TransError, ASCII, DOTALL, IGNORECASE, LOCALE, MULTILINE, UNICODE, VERBOSE};

const TEMPLATE: u32 = 1;
const DEBUG: u32 = 128;
const TYPE_FLAGS: u32 = ASCII | LOCALE | UNICODE;
const GLOBAL_FLAGS: u32 = TEMPLATE | DEBUG;

/// The value of an inline flag letter (sre_parse's `FLAGS`).
pub(super) fn flag_of(c: char) -> Option<u32> {
    Some(match c {
        'i' => IGNORECASE,
        'L' => LOCALE,
        'm' => MULTILINE,
        's' => DOTALL,
        'x' => VERBOSE,
        'a' => ASCII,
        't' => TEMPLATE,
        'u' => UNICODE,
        _ => return None,
    })
}

/// Inline flags once read.
pub(super) enum Inline {
    /// `(?flags)`: flags for the whole pattern, and the index after the `)`.
    Global(u32, usize),
    /// `(?on-off:...)`: the flags turned on and off, and the index after the `:`.
    Scoped(u32, u32, usize),
}

/// Reads the flags from `p[i]`, a flag letter or `-` just after `(?` (of a bytes pattern
/// with `bytes`).
pub(super) fn parse(p: &[char], mut i: usize, bytes: bool) -> Result<Inline, TransError> {
    let end = p.len();
    let (mut add, mut del) = (0, 0);
    let mut c = p[i];
    if c != '-' {
        loop {
            let f = flag_of(c).unwrap_or(0);
            if c == 'L' && !bytes {
                return err(
                    "bad inline flags: cannot use 'L' flag with a str pattern",
                    i + 1,
                );
            }
            if c == 'u' && bytes {
                return err(
                    "bad inline flags: cannot use 'u' flag with a bytes pattern",
                    i + 1,
                );
            }
            add |= f;
            if f & TYPE_FLAGS != 0 && add & TYPE_FLAGS != f {
                return err(
                    "bad inline flags: flags 'a', 'u' and 'L' are incompatible",
                    i + 1,
                );
            }
            i += 1;
            let Some(&next) = p.get(i) else {
                return err("missing -, : or )", end);
            };
            c = next;
            if matches!(c, ')' | '-' | ':') {
                break;
            }
            if flag_of(c).is_none() {
                return err(unknown(c, "missing -, : or )"), i);
            }
        }
    }
    if c == ')' {
        return Ok(Inline::Global(add, i + 1));
    }
    if add & GLOBAL_FLAGS != 0 {
        return err("bad inline flags: cannot turn on global flag", i);
    }
    if c == '-' {
        i += 1;
        let Some(&next) = p.get(i) else {
            return err("missing flag", end);
        };
        c = next;
        if flag_of(c).is_none() {
            return err(unknown(c, "missing flag"), i);
        }
        loop {
            let f = flag_of(c).unwrap_or(0);
            if f & TYPE_FLAGS != 0 {
                return err(
                    "bad inline flags: cannot turn off flags 'a', 'u' and 'L'",
                    i + 1,
                );
            }
            del |= f;
            i += 1;
            let Some(&next) = p.get(i) else {
                return err("missing :", end);
            };
            c = next;
            if c == ':' {
                break;
            }
            if flag_of(c).is_none() {
                return err(unknown(c, "missing :"), i);
            }
        }
    }
    if del & GLOBAL_FLAGS != 0 {
        return err("bad inline flags: cannot turn off global flag", i);
    }
    if add & del != 0 {
        return err("bad inline flags: flag turned on and off", i);
    }
    Ok(Inline::Scoped(add, del, i + 1))
}

/// sre_parse's message for a character that is no flag.
fn unknown(c: char, otherwise: &'static str) -> &'static str {
    if c.is_alphabetic() {
        "unknown flag"
    } else {
        otherwise
    }
}
