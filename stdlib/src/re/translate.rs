//! Python regular-expression syntax to `fancy-regex` syntax.
//!
//! The two dialects agree on most of the language; this pass rewrites what differs and
//! raises CPython's `re.error` messages for the mistakes `sre_parse` reports itself:
//!
//! - `(?P=name)` becomes `\k<name>`; `(?P<name>...)` is kept (both engines accept it);
//! - `\Z` becomes `\z`; `$` without MULTILINE becomes `(?=\n?\z)` (end, or before a final
//!   newline), `^` without MULTILINE becomes `\A`; `.` with DOTALL becomes `(?s:.)`;
//! - octal escapes, `\xhh`, `\uXXXX`, `\UXXXXXXXX`, `\N{name}` become `\x{...}`; `\b` in a
//!   class is backspace; `[`, `&`, `~` and `-` that could start set operations are escaped
//!   in classes; other punctuation is a literal (escaped only where the engine needs it);
//! - `{` that is not a repetition is a literal, `{,n}` is `{0,n}`;
//! - VERBOSE is applied here (whitespace and comments outside classes are dropped);
//! - ASCII makes `\d \w \s \b` (and their negations) ASCII forms, and IGNORECASE fold only
//!   ASCII letters (non-ASCII literals and classes are kept out of the engine's folding);
//! - a bytes pattern (read as Latin-1 text, as its subjects are) is always ASCII, refuses
//!   `\u`, `\U`, `\N` and the UNICODE flag, and accepts LOCALE (read as ASCII);
//! - global inline flags at the start (`(?im)`) are folded into the flags; scoped ones
//!   (`(?x-i:...)`) change VERBOSE, ASCII, MULTILINE and DOTALL for their group here.

mod class;
mod escape;
mod flags;

use class::class;
use escape::escape;
use flags::{flag_of, Inline};

/// `re` flag values (CPython's).
pub const IGNORECASE: u32 = 2;
pub const LOCALE: u32 = 4;
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
    /// CPython raises `ValueError` (a bad combination of flags), not `re.error`.
    pub value_error: bool,
}

fn err<T>(msg: impl Into<String>, pos: usize) -> Result<T, TransError> {
    Err(TransError {
        msg: msg.into(),
        pos: Some(pos),
        value_error: false,
    })
}

/// What came last, for "nothing to repeat" / "multiple repeat".
#[derive(Clone, Copy, PartialEq)]
enum Last {
    Nothing,
    Atom,
    Repeat,
}

/// A group still open.
struct Open {
    /// Where its `(` is.
    start: usize,
    /// Its number if it captures, else 0.
    group: usize,
    /// For a look-behind, the number of groups before it.
    behind: Option<usize>,
    /// The flags outside it, restored at its `)`.
    outer: u32,
}

/// Translates the str pattern `pattern` with `flags`; returns the fancy-regex source and
/// the final flags.
pub fn translate(pattern: &str, flags: u32) -> Result<(String, u32), TransError> {
    translate_as(pattern, flags, false)
}

/// Translates `pattern` with `flags`: a str pattern, or with `bytes` a bytes pattern read as
/// Latin-1 text. Returns the fancy-regex source and the final flags.
pub fn translate_as(pattern: &str, flags: u32, bytes: bool) -> Result<(String, u32), TransError> {
    let p: Vec<char> = pattern.chars().collect();
    let mut flags = flags;
    let mut i = 0;
    // Global flags at the start (after VERBOSE, whitespace and comments may come between).
    loop {
        if flags & VERBOSE != 0 {
            i = skip_verbose(&p, i);
        }
        let is_flags = |c: &char| flag_of(*c).is_some() || *c == '-';
        if !(p.get(i) == Some(&'(')
            && p.get(i + 1) == Some(&'?')
            && p.get(i + 2).is_some_and(is_flags))
        {
            break;
        }
        match flags::parse(&p, i + 2, bytes)? {
            Inline::Global(add, end) => {
                flags |= add;
                i = end;
            }
            Inline::Scoped(..) => break,
        }
    }
    if flags & ASCII == 0 && !bytes {
        flags |= UNICODE;
    }
    let mut out = String::new();
    if flags & IGNORECASE != 0 {
        out.push_str("(?i)");
    }
    // The flags where the parse is: `(?flags:...)` changes them inside its group.
    let mut local = flags;
    let mut opens: Vec<Open> = Vec::new();
    let mut last = Last::Nothing;
    let mut groups = 0usize;
    let mut names: Vec<String> = Vec::new();
    // Groups that conditionals name by number, checked once all groups are known.
    let mut cond_refs: Vec<(usize, usize)> = Vec::new();
    let mut variable_behind = false;
    while i < p.len() {
        let c = p[i];
        let start = i;
        let verbose = local & VERBOSE != 0;
        // Bytes patterns are ASCII (LOCALE is read as ASCII too).
        let ascii = bytes || local & ASCII != 0;
        // IGNORECASE folding ASCII letters only.
        let fold_ascii = ascii && local & IGNORECASE != 0;
        if verbose && (c.is_whitespace() || c == '#') {
            i = skip_verbose(&p, i);
            continue;
        }
        let in_behind = opens.iter().any(|o| o.behind.is_some());
        match c {
            '\\' => {
                let before = out.len();
                let r = refs(&opens, groups);
                i = escape(&p, i, false, ascii, bytes, &r, &mut out)?;
                if fold_ascii && class::escaped_char(&out[before..]).is_some_and(|c| !c.is_ascii())
                {
                    out.insert_str(before, "(?-i:");
                    out.push(')');
                }
                last = if matches!(p[start + 1], 'A' | 'Z' | 'b' | 'B') {
                    Last::Nothing
                } else {
                    Last::Atom
                };
                continue;
            }
            '[' => {
                i = class(&p, i, ascii, bytes, fold_ascii, &mut out)?;
                last = Last::Atom;
                continue;
            }
            '(' => {
                let mut open = Open {
                    start,
                    group: 0,
                    behind: None,
                    outer: local,
                };
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
                                let (name, j) = group_name(&p, i + 4, '>')?;
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
                                open.group = groups;
                                opens.push(open);
                                last = Last::Nothing;
                                i = j;
                                continue;
                            }
                            Some('=') => {
                                let (name, j) = group_name(&p, i + 4, ')')?;
                                let Some(k) = names.iter().position(|n| *n == name) else {
                                    return err(format!("unknown group name '{name}'"), start + 4);
                                };
                                let refs = refs(&opens, groups);
                                if refs.open.contains(&(k + 1)) {
                                    return err("cannot refer to an open group", start + 4);
                                }
                                refs.check_behind(k + 1, j)?;
                                out.push_str("\\k<");
                                out.push_str(&name);
                                out.push('>');
                                last = Last::Atom;
                                i = j;
                                continue;
                            }
                            Some(_) => {
                                return err(
                                    format!("unknown extension ?P{}", token(&p, i + 3)),
                                    start + 1,
                                )
                            }
                            None => return err("unexpected end of pattern", start + 3),
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
                                open.behind = Some(groups);
                            }
                            Some(_) => {
                                return err(
                                    format!("unknown extension ?<{}", token(&p, i + 3)),
                                    start + 1,
                                )
                            }
                            None => return err("unexpected end of pattern", start + 3),
                        },
                        Some('(') => {
                            // A conditional: (?(1)yes|no) or (?(name)yes|no).
                            let (cond, j) = until(&p, i + 3, ')', "group name")?;
                            if is_identifier(&cond) {
                                let Some(k) = names.iter().position(|n| *n == cond) else {
                                    return err(format!("unknown group name '{cond}'"), i + 3);
                                };
                                refs(&opens, groups).check_behind(k + 1, j)?;
                                out.push_str(&format!("(?(<{cond}>)"));
                            } else {
                                if !cond.chars().all(|c| c.is_ascii_digit()) {
                                    return err(
                                        format!("bad character in group name '{cond}'"),
                                        i + 3,
                                    );
                                }
                                let n = cond.parse::<usize>().unwrap_or(usize::MAX);
                                if n == 0 {
                                    return err("bad group number", i + 3);
                                }
                                if !cond_refs.iter().any(|r| r.0 == n) {
                                    cond_refs.push((n, i + 3));
                                }
                                refs(&opens, groups).check_behind(n, j)?;
                                out.push_str(&format!("(?({n})"));
                            }
                            i = j;
                        }
                        Some(&f) if flag_of(f).is_some() || f == '-' => {
                            let (add, del, j) = match flags::parse(&p, i + 2, bytes)? {
                                Inline::Global(..) => {
                                    return err(
                                        "global flags not at the start of the expression",
                                        start,
                                    )
                                }
                                Inline::Scoped(add, del, j) => (add, del, j),
                            };
                            out.push_str("(?");
                            out.push_str(&engine_flags(add));
                            if del & (IGNORECASE | MULTILINE | DOTALL) != 0 {
                                out.push('-');
                                out.push_str(&engine_flags(del));
                            }
                            out.push(':');
                            // sre_compile's _combine_flags: a type flag replaces the other.
                            if add & (ASCII | UNICODE) != 0 {
                                local &= !(ASCII | UNICODE);
                            }
                            local = (local | add) & !del;
                            i = j;
                        }
                        Some(_) => {
                            return err(
                                format!("unknown extension ?{}", token(&p, i + 2)),
                                start + 1,
                            )
                        }
                        None => return err("unexpected end of pattern", start + 2),
                    }
                } else {
                    groups += 1;
                    open.group = groups;
                    out.push('(');
                    i += 1;
                }
                opens.push(open);
                last = Last::Nothing;
                continue;
            }
            ')' => {
                let Some(open) = opens.pop() else {
                    // sre_parse checks the flags before the unbalanced `)`.
                    flag_error(flags, bytes)?;
                    return err("unbalanced parenthesis", start);
                };
                local = open.outer;
                out.push(')');
                last = Last::Atom;
            }
            '|' => {
                out.push('|');
                last = Last::Nothing;
            }
            '*' | '+' | '?' => {
                match last {
                    Last::Nothing => return err("nothing to repeat", start),
                    Last::Repeat => return err("multiple repeat", start),
                    Last::Atom => {}
                }
                variable_behind |= in_behind;
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
                    variable_behind |= in_behind && (lo != hi || lo.is_none());
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
                out.push_str(if local & MULTILINE != 0 {
                    "(?m:^)"
                } else {
                    "\\A"
                });
                last = Last::Nothing;
            }
            '$' => {
                out.push_str(if local & MULTILINE != 0 {
                    "(?m:$)"
                } else {
                    "(?=\\n?\\z)"
                });
                last = Last::Nothing;
            }
            '.' => {
                out.push_str(if local & DOTALL != 0 { "(?s:.)" } else { "." });
                last = Last::Atom;
            }
            _ if fold_ascii && !c.is_ascii() => {
                out.push_str("(?-i:");
                out.push(c);
                out.push(')');
                last = Last::Atom;
            }
            _ => {
                push_literal(&mut out, c);
                last = Last::Atom;
            }
        }
        i += 1;
    }
    // sre_parse's order: errors while parsing, then the flags, then the numbered
    // conditionals; the fixed width of look-behinds is checked when compiling.
    if let Some(o) = opens.last() {
        return err("missing ), unterminated subpattern", o.start);
    }
    flag_error(flags, bytes)?;
    if let Some(&(n, pos)) = cond_refs.iter().find(|r| r.0 > groups) {
        return err(format!("invalid group reference {n}"), pos);
    }
    if variable_behind {
        return Err(TransError {
            msg: "look-behind requires fixed-width pattern".into(),
            pos: None,
            value_error: false,
        });
    }
    Ok((out, flags))
}

/// What a reference to a group may name, where the parse is.
#[derive(Default)]
struct Refs {
    /// The groups so far.
    count: usize,
    /// The groups still open.
    open: Vec<usize>,
    /// Inside a look-behind: the number of groups before the outermost one.
    behind: Option<usize>,
}

impl Refs {
    /// sre_parse's `checklookbehindgroup`: inside a look-behind, group `gid` must be closed
    /// and come before it. The error is at `end`, after the reference.
    fn check_behind(&self, gid: usize, end: usize) -> Result<(), TransError> {
        let Some(before) = self.behind else {
            return Ok(());
        };
        if gid > self.count || self.open.contains(&gid) {
            return err("cannot refer to an open group", end);
        }
        if gid > before {
            return err(
                "cannot refer to group defined in the same lookbehind subpattern",
                end,
            );
        }
        Ok(())
    }
}

fn refs(opens: &[Open], count: usize) -> Refs {
    Refs {
        count,
        open: opens.iter().map(|o| o.group).filter(|&g| g > 0).collect(),
        behind: opens.iter().find_map(|o| o.behind),
    }
}

/// sre_parse's token at `p[k]`: a character, or a backslash and the character after it.
fn token(p: &[char], k: usize) -> String {
    let n = if p[k] == '\\' { 2 } else { 1 };
    p[k..(k + n).min(p.len())].iter().collect()
}

/// sre_parse's `fix_flags`: the `ValueError` of a bad combination.
fn flag_error(flags: u32, bytes: bool) -> Result<(), TransError> {
    let msg = if bytes {
        if flags & UNICODE != 0 {
            "cannot use UNICODE flag with a bytes pattern"
        } else if flags & LOCALE != 0 && flags & ASCII != 0 {
            "ASCII and LOCALE flags are incompatible"
        } else {
            return Ok(());
        }
    } else if flags & LOCALE != 0 {
        "cannot use LOCALE flag with a str pattern"
    } else if flags & ASCII != 0 && flags & UNICODE != 0 {
        "ASCII and UNICODE flags are incompatible"
    } else {
        return Ok(());
    };
    Err(TransError {
        msg: msg.into(),
        pos: None,
        value_error: true,
    })
}

/// The letters of the engine's own flags among `f` (IGNORECASE, MULTILINE, DOTALL).
fn engine_flags(f: u32) -> String {
    [('i', IGNORECASE), ('m', MULTILINE), ('s', DOTALL)]
        .iter()
        .filter(|(_, bit)| f & bit != 0)
        .map(|(c, _)| *c)
        .collect()
}

/// The index after VERBOSE whitespace and comments from `p[i]`.
fn skip_verbose(p: &[char], mut i: usize) -> usize {
    while i < p.len() {
        if p[i] == '#' {
            while i < p.len() && p[i] != '\n' {
                i += 1;
            }
        } else if p[i].is_whitespace() {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// Whether the engine gives `c` a meaning of its own: these are escaped to stay literal.
/// Only regex-syntax's meta characters qualify; other punctuation is left bare, because
/// fancy-regex reads some escapes Python treats as literals as assertions (`\<` and `\>`
/// are word starts and ends there).
fn is_engine_meta(c: char) -> bool {
    matches!(
        c,
        '\\' | '.'
            | '+'
            | '*'
            | '?'
            | '('
            | ')'
            | '|'
            | '['
            | ']'
            | '{'
            | '}'
            | '^'
            | '$'
            | '#'
            | '&'
            | '-'
            | '~'
    )
}

fn push_literal(out: &mut String, c: char) {
    if is_engine_meta(c) {
        out.push('\\');
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

/// A group name from `p[from]` up to `close`: the name and the index after `close`.
fn group_name(p: &[char], from: usize, close: char) -> Result<(String, usize), TransError> {
    let (name, j) = until(p, from, close, "group name")?;
    if !is_identifier(&name) {
        return err(format!("bad character in group name '{name}'"), from);
    }
    Ok((name, j))
}

/// sre_parse's `getuntil`: the text from `p[from]` up to `close` (which must come, after
/// at least one character), and the index after `close`.
fn until(p: &[char], from: usize, close: char, what: &str) -> Result<(String, usize), TransError> {
    let rest = p.get(from..).unwrap_or_default();
    match rest.iter().position(|&c| c == close) {
        Some(0) => err(format!("missing {what}"), from),
        Some(k) => Ok((rest[..k].iter().collect(), from + k + 1)),
        None if rest.is_empty() => err(format!("missing {what}"), p.len()),
        None => err(format!("missing {close}, unterminated name"), from),
    }
}

/// Python's `str.isidentifier`, near enough.
fn is_identifier(name: &str) -> bool {
    let mut cs = name.chars();
    cs.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && cs.all(|c| c == '_' || c.is_alphanumeric())
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
        assert_eq!(translate("\\w", ASCII).unwrap().0, "(?-i:[0-9A-Za-z_])");
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
        assert_eq!(e("(?i"), ("missing -, : or )".into(), Some(3)));
        assert_eq!(
            e("(?i-i:a)"),
            ("bad inline flags: flag turned on and off".into(), Some(5))
        );
        assert_eq!(
            e("(?(2)a|b)"),
            ("invalid group reference 2".into(), Some(3))
        );
        assert_eq!(
            e("(a\\1)"),
            ("cannot refer to an open group".into(), Some(2))
        );
        assert_eq!(e("[\\w-z]"), ("bad character range \\w-z".into(), Some(1)));
        assert_eq!(
            e("\\N{x y z}"),
            ("undefined character name 'x y z'".into(), Some(0))
        );
        assert_eq!(
            e("(?<=(a)\\1)b"),
            (
                "cannot refer to group defined in the same lookbehind subpattern".into(),
                Some(9)
            )
        );
        let x = translate("(?u)a", ASCII).unwrap_err();
        assert!(x.value_error && x.pos.is_none());
    }

    #[test]
    fn bytes_patterns_are_ascii() {
        let b = |p: &str, f: u32| translate_as(p, f, true);
        assert_eq!(b("\\d", 0).unwrap(), ("[0-9]".into(), 0));
        assert_eq!(b("\\u00e9", 0).unwrap_err().msg, "bad escape \\u");
        assert_eq!(b("(?L)a", 0).unwrap().1, LOCALE);
        let u = b("a", UNICODE).unwrap_err();
        assert!(u.value_error && u.msg == "cannot use UNICODE flag with a bytes pattern");
        // IGNORECASE folds ASCII letters only.
        assert_eq!(b("\u{e9}a", IGNORECASE).unwrap().0, "(?i)(?-i:\u{e9})a");
        assert_eq!(b("\\xe9", IGNORECASE).unwrap().0, "(?i)(?-i:\\x{e9})");
        assert_eq!(
            b("[^a-c\u{e0}]", IGNORECASE).unwrap().0,
            "(?i)(?-i:[^a-c\u{e0}A-C])"
        );
    }

    #[test]
    fn scoped_flags_apply_to_their_group() {
        assert_eq!(t("(?m:^)^"), "(?m:(?m:^))\\A");
        assert_eq!(translate("(?-s:.).", DOTALL).unwrap().0, "(?-s:.)(?s:.)");
        assert_eq!(t("(?x: a )\\w"), "(?:a)\\w");
        assert_eq!(t("(?a:\\d)"), "(?:[0-9])");
        assert_eq!(t("\\N{EM DASH}<\\>"), "\\x{2014}<>");
    }
}
