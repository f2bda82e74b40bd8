//! `sub` replacement templates over `str` (a bytes pattern's bytes templates read as
//! Latin-1): `sre_parse.parse_template` (literals, `\1`, `\g<name>`, octal and character
//! escapes, with its error messages and positions) and `expand_template`. Templates of the
//! other string type than the pattern's stay in `re.aio`.

/// A piece of a parsed template.
pub(crate) enum Piece {
    /// Literal text.
    Lit(String),
    /// The text of a group (`''` when it did not take part).
    Group(usize),
}

/// Why a template was refused.
pub(crate) enum TemplateError {
    /// `re.error(msg, template, pos)`.
    Re(String, usize),
    /// `IndexError(msg)` (an unknown group name).
    Index(String),
}

/// Parses `source` for a pattern with `groups` groups and the group `names`.
pub(crate) fn parse(
    source: &str,
    groups: usize,
    name_index: impl Fn(&str) -> Option<usize>,
) -> Result<Vec<Piece>, TemplateError> {
    let s: Vec<char> = source.chars().collect();
    let n = s.len();
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    let err = |msg: String, pos: usize| Err(TemplateError::Re(msg, pos));
    let is_oct = |c: char| ('0'..='7').contains(&c);
    while i < n {
        let c = s[i];
        if c != '\\' {
            lit.push(c);
            i += 1;
            continue;
        }
        if i + 1 >= n {
            return err("bad escape (end of pattern)".into(), i);
        }
        let c = s[i + 1];
        let group = if c == 'g' {
            let j = i + 2;
            if j >= n || s[j] != '<' {
                return err("missing <".into(), j);
            }
            let Some(k) = (j + 1..n).find(|&k| s[k] == '>') else {
                if j + 1 == n {
                    return err("missing group name".into(), n);
                }
                return err("missing >, unterminated name".into(), j + 1);
            };
            let name: String = s[j + 1..k].iter().collect();
            if name.is_empty() {
                return err("missing group name".into(), j + 1);
            }
            let index = if name.chars().all(|c| c.is_ascii_digit()) {
                let index = name.parse::<usize>().unwrap_or(usize::MAX);
                if index > groups {
                    let digits = name.trim_start_matches('0');
                    let digits = if digits.is_empty() { "0" } else { digits };
                    return err(format!("invalid group reference {digits}"), j + 1);
                }
                index
            } else if is_identifier(&name) {
                match name_index(&name) {
                    Some(x) => x,
                    None => {
                        let r = aio_vm::builtins::str_repr(&name);
                        return Err(TemplateError::Index(format!("unknown group name {r}")));
                    }
                }
            } else {
                let r = aio_vm::builtins::str_repr(&name);
                return err(format!("bad character in group name {r}"), j + 1);
            };
            i = k + 1;
            Some(index)
        } else if c == '0' {
            let mut j = i + 2;
            let mut v = 0u32;
            while j < n && j < i + 4 && is_oct(s[j]) {
                v = v * 8 + s[j].to_digit(8).unwrap_or(0);
                j += 1;
            }
            lit.push(char::from_u32(v).unwrap_or('\0'));
            i = j;
            None
        } else if c.is_ascii_digit() {
            let mut j = i + 2;
            if j < n && s[j].is_ascii_digit() {
                if is_oct(c) && is_oct(s[j]) && j + 1 < n && is_oct(s[j + 1]) {
                    let digits: String = s[i + 1..j + 2].iter().collect();
                    let v = u32::from_str_radix(&digits, 8).unwrap_or(0);
                    if v > 0o377 {
                        let msg = format!(r"octal escape value \{digits} outside of range 0-0o377");
                        return err(msg, i);
                    }
                    lit.push(char::from_u32(v).unwrap_or('\0'));
                    i = j + 2;
                    continue;
                }
                j += 1;
            }
            let digits: String = s[i + 1..j].iter().collect();
            let index: usize = digits.parse().unwrap_or(usize::MAX);
            if index > groups {
                return err(format!("invalid group reference {index}"), i + 1);
            }
            i = j;
            Some(index)
        } else {
            let esc = match c {
                'a' => Some('\x07'),
                'b' => Some('\x08'),
                'f' => Some('\x0c'),
                'n' => Some('\n'),
                'r' => Some('\r'),
                't' => Some('\t'),
                'v' => Some('\x0b'),
                '\\' => Some('\\'),
                _ => None,
            };
            match esc {
                Some(e) => lit.push(e),
                None if c.is_ascii_alphabetic() => return err(format!("bad escape \\{c}"), i),
                None => {
                    lit.push('\\');
                    lit.push(c);
                }
            }
            i += 2;
            None
        };
        if let Some(index) = group {
            if !lit.is_empty() {
                parts.push(Piece::Lit(std::mem::take(&mut lit)));
            }
            parts.push(Piece::Group(index));
        }
    }
    if !lit.is_empty() || parts.is_empty() {
        parts.push(Piece::Lit(lit));
    }
    Ok(parts)
}

/// `str.isidentifier` for a group name.
fn is_identifier(s: &str) -> bool {
    let mut cs = s.chars();
    match cs.next() {
        Some(c) if c == '_' || unicode_ident::is_xid_start(c) => {}
        _ => return false,
    }
    cs.all(unicode_ident::is_xid_continue)
}

/// Appends the expansion of `parts` to `out`; `group(i)` is the text of group `i`.
pub(crate) fn expand<'a>(
    parts: &[Piece],
    group: impl Fn(usize) -> Option<&'a str>,
    out: &mut String,
) {
    for p in parts {
        match p {
            Piece::Lit(s) => out.push_str(s),
            Piece::Group(g) => out.push_str(group(*g).unwrap_or("")),
        }
    }
}
