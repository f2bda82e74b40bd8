//! Python regular-expression syntax to `fancy-regex` syntax.
//!
//! The two dialects agree on most of the language; this pass rewrites what differs and
//! raises CPython's `re.error` messages for the mistakes `sre_parse` reports itself:
//!
//! - `(?P=name)` becomes `\k<name>`; `(?P<name>...)` is kept (both engines accept it);
//! - `\Z` becomes `\z`; `$` without MULTILINE becomes `(?=\n?\z)` (end, or before a final
//!   newline), `^` without MULTILINE becomes `\A`; `.` with DOTALL becomes `(?s:.)`;
//! - octal escapes, `\xhh`, `\uXXXX`, `\UXXXXXXXX` become `\x{...}`; `\b` in a class is
//!   backspace; `[`, `&`, `~` and `-` that could start set operations are escaped in classes;
//! - `{` that is not a repetition is a literal, `{,n}` is `{0,n}`;
//! - VERBOSE is applied here (whitespace and comments outside classes are dropped);
//! - ASCII makes `\d \w \s` (and their negations) ASCII classes;
//! - global inline flags at the start (`(?im)`) are folded into the flags.

/// `re` flag values (CPython's).
pub const IGNORECASE: u32 = 2;
pub const MULTILINE: u32 = 8;
pub const DOTALL: u32 = 16;
pub const UNICODE: u32 = 32;
pub const VERBOSE: u32 = 64;
pub const ASCII: u32 = 256;

/// A translation error: CPython's message and the position (in characters) it reports.
#[derive(Debug, PartialEq)]
pub struct TransError {
    pub msg: String,
    pub pos: Option<usize>,
}

fn err<T>(msg: impl Into<String>, pos: usize) -> Result<T, TransError> {
    Err(TransError {
        msg: msg.into(),
        pos: Some(pos),
    })
}

fn flag_of(c: char) -> Option<u32> {
    Some(match c {
        'i' => IGNORECASE,
        'm' => MULTILINE,
        's' => DOTALL,
        'x' => VERBOSE,
        'a' => ASCII,
        'u' => UNICODE,
        'L' => 4,
        _ => return None,
    })
}

/// What came last, for "nothing to repeat" / "multiple repeat".
#[derive(Clone, Copy, PartialEq)]
enum Last {
    Nothing,
    Atom,
    Repeat,
}

/// Translates `pattern` with `flags`; returns the fancy-regex source and the final flags.
pub fn translate(pattern: &str, flags: u32) -> Result<(String, u32), TransError> {
    let p: Vec<char> = pattern.chars().collect();
    let mut flags = flags;
    let mut i = 0;
    // Global flags at the start.
    while i + 2 < p.len() && p[i] == '(' && p[i + 1] == '?' && flag_of(p[i + 2]).is_some() {
        let mut j = i + 2;
        let mut f = 0;
        while j < p.len() {
            match flag_of(p[j]) {
                Some(v) => f |= v,
                None => break,
            }
            j += 1;
        }
        if j < p.len() && p[j] == ')' {
            flags |= f;
            i = j + 1;
        } else {
            break;
        }
    }
    if flags & ASCII == 0 {
        flags |= UNICODE;
    }
    if flags & ASCII != 0 && flags & UNICODE != 0 {
        return Err(TransError {
            msg: "ASCII and UNICODE flags are incompatible".into(),
            pos: None,
        });
    }
    let verbose = flags & VERBOSE != 0;
    let ascii = flags & ASCII != 0;
    let mut out = String::new();
    if flags & IGNORECASE != 0 {
        out.push_str("(?i)");
    }
    let mut opens: Vec<usize> = Vec::new();
    // Indices into `opens` of the look-behind groups still open.
    let mut behind: Vec<usize> = Vec::new();
    let mut last = Last::Nothing;
    let mut groups = 0usize;
    let mut names: Vec<String> = Vec::new();
    while i < p.len() {
        let c = p[i];
        let start = i;
        if verbose && c.is_whitespace() {
            i += 1;
            continue;
        }
        if verbose && c == '#' {
            while i < p.len() && p[i] != '\n' {
                i += 1;
            }
            continue;
        }
        match c {
            '\\' => {
                i = escape(&p, i, false, ascii, groups, &mut out)?;
                last = if matches!(p[start + 1], 'A' | 'Z' | 'b' | 'B') {
                    Last::Nothing
                } else {
                    Last::Atom
                };
                continue;
            }
            '[' => {
                i = class(&p, i, ascii, &mut out)?;
                last = Last::Atom;
                continue;
            }
            '(' => {
                if p.get(i + 1) == Some(&'?') {
                    match p.get(i + 2) {
                        Some('#') => {
                            let mut j = i + 3;
                            while j < p.len() && p[j] != ')' {
                                j += 1;
                            }
                            if j >= p.len() {
                                return err("missing ), unterminated comment", start);
                            }
                            i = j + 1;
                            continue;
                        }
                        Some('P') => match p.get(i + 3) {
                            Some('<') => {
                                let (name, j) = group_name(&p, i + 4, '>', start + 4)?;
                                groups += 1;
                                if let Some(k) = names.iter().position(|n| *n == name) {
                                    return err(
                                        format!(
                                            "redefinition of group name {name:?} as group {groups}; was group {}",
                                            k + 1
                                        )
                                        .replace('"', "'"),
                                        start + 4,
                                    );
                                }
                                while names.len() < groups - 1 {
                                    names.push(String::new());
                                }
                                names.push(name.clone());
                                out.push_str("(?P<");
                                out.push_str(&name);
                                out.push('>');
                                opens.push(start);
                                last = Last::Nothing;
                                i = j;
                                continue;
                            }
                            Some('=') => {
                                let (name, j) = group_name(&p, i + 4, ')', start + 4)?;
                                if !names.contains(&name) {
                                    return err(format!("unknown group name '{name}'"), start + 4);
                                }
                                out.push_str("\\k<");
                                out.push_str(&name);
                                out.push('>');
                                last = Last::Atom;
                                i = j;
                                continue;
                            }
                            _ => {
                                return err(
                                    format!(
                                        "unknown extension ?P{}",
                                        p.get(i + 3).map(|c| c.to_string()).unwrap_or_default()
                                    ),
                                    start + 1,
                                )
                            }
                        },
                        Some(':') | Some('=') | Some('!') | Some('>') => {
                            out.push_str("(?");
                            out.push(p[i + 2]);
                            i += 3;
                        }
                        Some('<') => match p.get(i + 3) {
                            Some('=') | Some('!') => {
                                out.push_str("(?<");
                                out.push(p[i + 3]);
                                i += 4;
                                behind.push(opens.len());
                            }
                            _ => {
                                return err(
                                    format!(
                                        "unknown extension ?<{}",
                                        p.get(i + 3).map(|c| c.to_string()).unwrap_or_default()
                                    ),
                                    start + 1,
                                )
                            }
                        },
                        Some('(') => {
                            // A conditional: (?(1)yes|no) or (?(name)yes|no).
                            let mut j = i + 3;
                            while j < p.len() && p[j] != ')' {
                                j += 1;
                            }
                            if j >= p.len() {
                                return err("missing ), unterminated name", i + 3);
                            }
                            let cond: String = p[i + 3..j].iter().collect();
                            if cond.chars().all(|c| c.is_ascii_digit()) && !cond.is_empty() {
                                out.push_str(&format!("(?({cond})"));
                            } else if names.contains(&cond) {
                                out.push_str(&format!("(?(<{cond}>)"));
                            } else {
                                return err(format!("unknown group name '{cond}'"), i + 3);
                            }
                            i = j + 1;
                        }
                        Some(&f) if flag_of(f).is_some() || f == '-' => {
                            // Scoped flags (?i:...) / (?-i:...).
                            let mut j = i + 2;
                            let mut spec = String::new();
                            while j < p.len() && (flag_of(p[j]).is_some() || p[j] == '-') {
                                if matches!(p[j], 'x' | 'a' | 'u' | 'L') {
                                    return Err(TransError {
                                        msg: format!(
                                            "inline flag {:?} in a group is not supported by aio",
                                            p[j]
                                        ),
                                        pos: Some(j),
                                    });
                                }
                                spec.push(p[j]);
                                j += 1;
                            }
                            if j < p.len() && p[j] == ')' {
                                return err(
                                    "global flags not at the start of the expression",
                                    start,
                                );
                            }
                            if j >= p.len() || p[j] != ':' {
                                return err("missing :", j);
                            }
                            out.push_str("(?");
                            out.push_str(&spec);
                            out.push(':');
                            i = j + 1;
                        }
                        Some(&other) => {
                            return err(format!("unknown extension ?{other}"), start + 1)
                        }
                        None => return err("unexpected end of pattern", start + 2),
                    }
                } else {
                    groups += 1;
                    out.push('(');
                    i += 1;
                }
                opens.push(start);
                last = Last::Nothing;
                continue;
            }
            ')' => {
                if opens.pop().is_none() {
                    return err("unbalanced parenthesis", start);
                }
                if behind.last() == Some(&opens.len()) {
                    behind.pop();
                }
                out.push(')');
                last = Last::Atom;
            }
            '|' => {
                out.push('|');
                last = Last::Nothing;
            }
            '*' | '+' | '?' => {
                if !behind.is_empty() && last == Last::Atom {
                    return Err(variable_lookbehind());
                }
                match last {
                    Last::Nothing => return err("nothing to repeat", start),
                    Last::Repeat => return err("multiple repeat", start),
                    Last::Atom => {}
                }
                out.push(c);
                i += 1;
                if i < p.len() && (p[i] == '?' || p[i] == '+') {
                    out.push(p[i]);
                    i += 1;
                }
                last = Last::Repeat;
                continue;
            }
            '{' => {
                if let Some((lo, hi, j)) = repeat_bounds(&p, i) {
                    match last {
                        Last::Nothing => return err("nothing to repeat", start),
                        Last::Repeat => return err("multiple repeat", start),
                        Last::Atom => {}
                    }
                    if !behind.is_empty() && (lo != hi || lo.is_none()) {
                        return Err(variable_lookbehind());
                    }
                    if let (Some(l), Some(h)) = (lo, hi) {
                        if h < l {
                            return err("min repeat greater than max repeat", start + 1);
                        }
                    }
                    out.push('{');
                    out.push_str(&lo.unwrap_or(0).to_string());
                    if p[i + 1..j].contains(&',') {
                        out.push(',');
                        if let Some(h) = hi {
                            out.push_str(&h.to_string());
                        }
                    }
                    out.push('}');
                    i = j;
                    if i < p.len() && (p[i] == '?' || p[i] == '+') {
                        out.push(p[i]);
                        i += 1;
                    }
                    last = Last::Repeat;
                    continue;
                }
                out.push_str("\\{");
                last = Last::Atom;
            }
            '}' => {
                out.push_str("\\}");
                last = Last::Atom;
            }
            '^' => {
                out.push_str(if flags & MULTILINE != 0 {
                    "(?m:^)"
                } else {
                    "\\A"
                });
                last = Last::Nothing;
            }
            '$' => {
                out.push_str(if flags & MULTILINE != 0 {
                    "(?m:$)"
                } else {
                    "(?=\\n?\\z)"
                });
                last = Last::Nothing;
            }
            '.' => {
                out.push_str(if flags & DOTALL != 0 { "(?s:.)" } else { "." });
                last = Last::Atom;
            }
            _ => {
                push_literal(&mut out, c);
                last = Last::Atom;
            }
        }
        i += 1;
    }
    if let Some(&o) = opens.last() {
        return err("missing ), unterminated subpattern", o);
    }
    Ok((out, flags))
}

fn variable_lookbehind() -> TransError {
    TransError {
        msg: "look-behind requires fixed-width pattern".into(),
        pos: None,
    }
}

fn push_literal(out: &mut String, c: char) {
    if c.is_ascii_punctuation() || c == ' ' || c == '#' {
        out.push('\\');
    }
    if c == ' ' {
        out.pop();
    }
    out.push(c);
}

/// `{m}`, `{m,}`, `{,n}`, `{m,n}`, `{,}` starting at `p[i] == '{'`: (min, max, index after `}`).
fn repeat_bounds(p: &[char], i: usize) -> Option<(Option<u64>, Option<u64>, usize)> {
    let mut j = i + 1;
    let num = |j: &mut usize| -> Option<u64> {
        let s = *j;
        while *j < p.len() && p[*j].is_ascii_digit() {
            *j += 1;
        }
        if *j == s {
            None
        } else {
            p[s..*j].iter().collect::<String>().parse().ok()
        }
    };
    let lo = num(&mut j);
    if j < p.len() && p[j] == '}' {
        return lo.map(|l| (Some(l), Some(l), j + 1));
    }
    if j >= p.len() || p[j] != ',' {
        return None;
    }
    j += 1;
    let hi = num(&mut j);
    if j < p.len() && p[j] == '}' {
        Some((lo, hi, j + 1))
    } else {
        None
    }
}

fn group_name(
    p: &[char],
    from: usize,
    close: char,
    pos: usize,
) -> Result<(String, usize), TransError> {
    let mut j = from;
    while j < p.len() && p[j] != close {
        j += 1;
    }
    if j >= p.len() {
        return err(format!("missing {close}, unterminated name"), pos);
    }
    let name: String = p[from..j].iter().collect();
    if name.is_empty() {
        return err("missing group name", pos);
    }
    let mut cs = name.chars();
    let first = cs.next().unwrap_or('0');
    if !(first == '_' || first.is_alphabetic()) || !cs.all(|c| c == '_' || c.is_alphanumeric()) {
        return err(format!("bad character in group name '{name}'"), pos);
    }
    Ok((name, j + 1))
}

fn hex_escape(p: &[char], i: usize, n: usize, out: &mut String) -> Result<usize, TransError> {
    let digits: String = p[i + 2..(i + 2 + n).min(p.len())].iter().collect();
    if digits.len() != n || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        let text: String = p[i..(i + 2 + n).min(p.len())]
            .iter()
            .take_while(|c| **c == '\\' || c.is_ascii_alphanumeric())
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

const ASCII_CLASSES: [(char, &str, &str); 6] = [
    ('d', "[0-9]", "0-9"),
    ('D', "[^0-9]", "[^0-9]"),
    ('w', "[0-9A-Za-z_]", "0-9A-Za-z_"),
    ('W', "[^0-9A-Za-z_]", "[^0-9A-Za-z_]"),
    ('s', "[ \\t\\n\\r\\f\\v]", " \\t\\n\\r\\f\\v"),
    ('S', "[^ \\t\\n\\r\\f\\v]", "[^ \\t\\n\\r\\f\\v]"),
];

/// The escape at `p[i] == '\\'`; returns the index after it.
fn escape(
    p: &[char],
    i: usize,
    in_class: bool,
    ascii: bool,
    groups: usize,
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
            if n > groups {
                return err(format!("invalid group reference {n}"), i + 1);
            }
            out.push_str(&format!("(?:\\{n})"));
            Ok(j)
        }
        c if c.is_ascii_alphanumeric() => err(format!("bad escape \\{c}"), i),
        c => {
            if c.is_ascii() {
                if c.is_ascii_punctuation() {
                    out.push('\\');
                }
                if c == ' ' || c.is_ascii_whitespace() {
                    out.push_str(&format!("\\x{{{:x}}}", c as u32));
                    return Ok(i + 2);
                }
                out.push(c);
            } else {
                out.push(c);
            }
            Ok(i + 2)
        }
    }
}

/// The character class at `p[i] == '['`; returns the index after its `]`.
fn class(p: &[char], i: usize, ascii: bool, out: &mut String) -> Result<usize, TransError> {
    let start = i;
    let mut j = i + 1;
    out.push('[');
    if p.get(j) == Some(&'^') {
        out.push('^');
        j += 1;
    }
    let mut first = true;
    let mut prev: Option<char> = None; // the last literal, for range checks
    loop {
        let Some(&c) = p.get(j) else {
            return err("unterminated character set", start);
        };
        if c == ']' && !first {
            out.push(']');
            return Ok(j + 1);
        }
        first = false;
        match c {
            '\\' => {
                let before = out.len();
                j = escape(p, j, true, ascii, 0, out)?;
                let text = &out[before..];
                prev = escaped_char(text);
                continue;
            }
            '-' => {
                let next = p.get(j + 1).copied();
                if let (Some(lo), Some(n)) = (prev, next) {
                    if n != ']' {
                        // A range: check its bounds as sre_parse does.
                        let mut tmp = String::new();
                        let (hi, after) = if n == '\\' {
                            let a = escape(p, j + 1, true, ascii, 0, &mut tmp)?;
                            match escaped_char(&tmp) {
                                Some(h) => (h, a),
                                None => {
                                    let text: String = p[j - 1..a].iter().collect();
                                    return err(format!("bad character range {text}"), j - 1);
                                }
                            }
                        } else {
                            push_class_char(&mut tmp, n);
                            (n, j + 2)
                        };
                        if hi < lo {
                            let text: String = p[j - 1..after].iter().collect();
                            let from = j - 1 - usize::from(p[j - 2] == '\\').min(j - 1);
                            let text = if p.get(j.wrapping_sub(2)) == Some(&'\\') {
                                p[from..after].iter().collect()
                            } else {
                                text
                            };
                            return err(format!("bad character range {text}"), from);
                        }
                        out.push('-');
                        out.push_str(&tmp);
                        prev = None;
                        j = after;
                        continue;
                    }
                }
                out.push_str("\\-");
                prev = Some('-');
            }
            _ => {
                push_class_char(out, c);
                prev = Some(c);
            }
        }
        j += 1;
    }
}

fn push_class_char(out: &mut String, c: char) {
    if matches!(c, '[' | ']' | '&' | '~' | '-' | '^' | '\\') {
        out.push('\\');
    }
    out.push(c);
}

/// The single character a translated class escape stands for, if it is one.
fn escaped_char(text: &str) -> Option<char> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn t(p: &str) -> String {
        translate(p, 0).unwrap().0
    }

    fn e(p: &str) -> (String, Option<usize>) {
        let x = translate(p, 0).unwrap_err();
        (x.msg, x.pos)
    }

    #[test]
    fn rewrites_python_syntax() {
        assert_eq!(t("(?P<a>x)(?P=a)"), "(?P<a>x)\\k<a>");
        assert_eq!(t("a\\Z"), "a\\z");
        assert_eq!(t("^a$"), "\\Aa(?=\\n?\\z)");
        assert_eq!(translate("^a$", MULTILINE).unwrap().0, "(?m:^)a(?m:$)");
        assert_eq!(t("a{,3}b{2}c{"), "a{0,3}b{2}c\\{");
        assert_eq!(t("[[&~]"), "[\\[\\&\\~]");
        assert_eq!(t("\\x41\\0\\101"), "\\x{41}\\x{0}\\x{41}");
        assert_eq!(t("(a)\\1"), "(a)(?:\\1)");
        assert_eq!(t("[\\b]"), "[\\x08]");
        assert_eq!(translate("\\d[\\w]", ASCII).unwrap().0, "[0-9][0-9A-Za-z_]");
        assert_eq!(translate("a b # c\n c", VERBOSE).unwrap().0, "abc");
        assert_eq!(translate("(?i)a", 0).unwrap(), ("(?i)a".into(), 34));
        assert_eq!(translate("(?s).", 0).unwrap().0, "(?s:.)");
        assert_eq!(t("(a)?(?(1)b|c)"), "(a)?(?(1)b|c)");
        assert_eq!(t("(?P<n>a)?(?(n)b)"), "(?P<n>a)?(?(<n>)b)");
    }

    #[test]
    fn reports_cpython_errors() {
        assert_eq!(
            e("(a"),
            ("missing ), unterminated subpattern".into(), Some(0))
        );
        assert_eq!(e("a)"), ("unbalanced parenthesis".into(), Some(1)));
        assert_eq!(e("*a"), ("nothing to repeat".into(), Some(0)));
        assert_eq!(e("a**"), ("multiple repeat".into(), Some(2)));
        assert_eq!(e("[a"), ("unterminated character set".into(), Some(0)));
        assert_eq!(e("\\q"), ("bad escape \\q".into(), Some(0)));
        assert_eq!(e("(?P=x)"), ("unknown group name 'x'".into(), Some(4)));
        assert_eq!(e("[z-a]"), ("bad character range z-a".into(), Some(1)));
        assert_eq!(e("(a)\\2"), ("invalid group reference 2".into(), Some(4)));
        assert_eq!(
            e("a{3,1}"),
            ("min repeat greater than max repeat".into(), Some(2))
        );
    }
}
