//! `str` case conversion with CPython's full Unicode mappings (`'ß'.upper() == 'SS'`,
//! `'ß'.title() == 'Ss'`, `'ß'.casefold() == 'ss'`, final sigma) and the character-class
//! predicates (`isupper`, `istitle`, `isalpha`, `isdigit`, ...).

use super::{tables, this};
use crate::builtins::text;
use crate::native::{Args, NativeFn, Sig};
use crate::value::Value;
use crate::vm::{PyResult, Vm};

pub(super) const METHODS: &[(&str, Sig, NativeFn)] = &[
    ("upper", Sig::NOARGS, upper),
    ("lower", Sig::NOARGS, lower),
    ("casefold", Sig::NOARGS, casefold),
    ("title", Sig::NOARGS, title),
    ("capitalize", Sig::NOARGS, capitalize),
    ("swapcase", Sig::NOARGS, swapcase),
    ("isupper", Sig::NOARGS, isupper),
    ("islower", Sig::NOARGS, islower),
    ("istitle", Sig::NOARGS, istitle),
    ("isalpha", Sig::NOARGS, isalpha),
    ("isdecimal", Sig::NOARGS, isdecimal),
    ("isdigit", Sig::NOARGS, isdigit),
    ("isnumeric", Sig::NOARGS, isnumeric),
    ("isalnum", Sig::NOARGS, isalnum),
];

/// Whether `c` is East Asian Wide or Fullwidth (two columns on a terminal), as
/// `unicodedata.east_asian_width(c) in "WF"`.
pub(crate) fn is_wide(c: char) -> bool {
    in_ranges(c, tables::WIDE)
}

/// Whether `c` lies in one of the sorted inclusive `ranges`.
fn in_ranges(c: char, ranges: &[(u32, u32)]) -> bool {
    let c = c as u32;
    ranges
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The mapping of `c` in a sorted special-case table.
fn special(c: char, table: &'static [(char, &'static str)]) -> Option<&'static str> {
    table
        .binary_search_by_key(&c, |&(k, _)| k)
        .ok()
        .map(|i| table[i].1)
}

/// General category Lt (`'ǅ'`, `'ᾈ'`, ...).
fn is_titlecase(c: char) -> bool {
    matches!(
        c,
        '\u{1C5}'
            | '\u{1C8}'
            | '\u{1CB}'
            | '\u{1F2}'
            | '\u{1F88}'..='\u{1F8F}'
            | '\u{1F98}'..='\u{1F9F}'
            | '\u{1FA8}'..='\u{1FAF}'
            | '\u{1FBC}'
            | '\u{1FCC}'
            | '\u{1FFC}'
    )
}

/// Unicode's Cased property (CPython's `_PyUnicode_IsCased`).
fn is_cased(c: char) -> bool {
    c.is_lowercase() || c.is_uppercase() || is_titlecase(c)
}

/// Case-ignorable characters a final sigma may be separated by (an approximation of
/// Unicode's Case_Ignorable: apostrophes, periods, colons and combining marks).
fn is_case_ignorable(c: char) -> bool {
    matches!(
        c,
        '\'' | '.' | ':' | '^' | '`' | '\u{B7}' | '\u{2019}' | '\u{300}'..='\u{36F}'
    )
}

/// The full title-case mapping of `c`.
fn push_title(out: &mut String, c: char) {
    match special(c, tables::TITLE) {
        Some(t) => out.push_str(t),
        None => out.extend(c.to_uppercase()),
    }
}

/// The full lower-case mapping of `chars[i]`, with CPython's final-sigma rule.
fn push_lower(out: &mut String, chars: &[char], i: usize) {
    let c = chars[i];
    if c != 'Σ' {
        out.extend(c.to_lowercase());
        return;
    }
    let before = chars[..i].iter().rev().find(|c| !is_case_ignorable(**c));
    let after = chars[i + 1..].iter().find(|c| !is_case_ignorable(**c));
    let is_final = before.is_some_and(|c| is_cased(*c)) && !after.is_some_and(|c| is_cased(*c));
    out.push(if is_final { 'ς' } else { 'σ' });
}

/// The receiver's characters, after checking there are no arguments.
fn chars_of(vm: &mut Vm, a: &Args, name: &str) -> PyResult<Vec<char>> {
    a.method_count(vm, name, 0, 0)?;
    Ok(this(vm, a, name)?.as_str().chars().collect())
}

/// A `str` of ASCII `text` (its characters not counted again).
fn ascii_value(text: String) -> Value {
    let n = text.len();
    Value::Str(std::rc::Rc::new(crate::str::Str::with_chars(text, n)))
}

fn upper(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "upper", 0, 0)?;
    let s = this(vm, &a, "upper")?;
    if s.is_ascii() {
        return Ok(ascii_value(s.as_str().to_ascii_uppercase()));
    }
    Ok(Value::str(s.as_str().to_uppercase()))
}

fn lower(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "lower", 0, 0)?;
    let s = this(vm, &a, "lower")?;
    if s.is_ascii() {
        return Ok(ascii_value(s.as_str().to_ascii_lowercase()));
    }
    let chars: Vec<char> = s.as_str().chars().collect();
    let mut out = String::with_capacity(chars.len());
    for i in 0..chars.len() {
        push_lower(&mut out, &chars, i);
    }
    Ok(Value::str(out))
}

fn casefold(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "casefold", 0, 0)?;
    let s = this(vm, &a, "casefold")?;
    let mut out = String::with_capacity(s.as_str().len());
    for c in s.as_str().chars() {
        match special(c, tables::FOLD) {
            Some(f) => out.push_str(f),
            None => out.extend(c.to_lowercase()),
        }
    }
    Ok(Value::str(out))
}

fn title(vm: &mut Vm, a: Args) -> PyResult {
    let chars = chars_of(vm, &a, "title")?;
    let out = std::cell::RefCell::new(String::with_capacity(chars.len()));
    text::title_case(
        0..chars.len(),
        |i| is_cased(chars[i]),
        |i| push_title(&mut out.borrow_mut(), chars[i]),
        |i| push_lower(&mut out.borrow_mut(), &chars, i),
    );
    Ok(Value::str(out.into_inner()))
}

fn capitalize(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "capitalize", 0, 0)?;
    let s = this(vm, &a, "capitalize")?;
    if s.is_ascii() {
        // ASCII: the first letter upper case, the rest lower case, byte by byte.
        let mut out = s.as_str().to_ascii_lowercase();
        if let Some(first) = out.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        return Ok(Value::str(out));
    }
    let chars: Vec<char> = s.as_str().chars().collect();
    let mut out = String::with_capacity(chars.len());
    for i in 0..chars.len() {
        if i == 0 {
            push_title(&mut out, chars[0]);
        } else {
            push_lower(&mut out, &chars, i);
        }
    }
    Ok(Value::str(out))
}

fn swapcase(vm: &mut Vm, a: Args) -> PyResult {
    let chars = chars_of(vm, &a, "swapcase")?;
    let mut out = String::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            push_lower(&mut out, &chars, i);
        } else if c.is_lowercase() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    Ok(Value::str(out))
}

fn isupper(vm: &mut Vm, a: Args) -> PyResult {
    let chars = chars_of(vm, &a, "isupper")?;
    Ok(Value::bool(text::is_one_case(
        chars.into_iter(),
        char::is_uppercase,
        |c| c.is_lowercase() || is_titlecase(c),
    )))
}

fn islower(vm: &mut Vm, a: Args) -> PyResult {
    let chars = chars_of(vm, &a, "islower")?;
    Ok(Value::bool(text::is_one_case(
        chars.into_iter(),
        char::is_lowercase,
        |c| c.is_uppercase() || is_titlecase(c),
    )))
}

fn istitle(vm: &mut Vm, a: Args) -> PyResult {
    let chars = chars_of(vm, &a, "istitle")?;
    Ok(Value::bool(text::is_title(
        chars.into_iter(),
        |c| c.is_uppercase() || is_titlecase(c),
        char::is_lowercase,
    )))
}

/// True when the receiver is not empty and every character satisfies `f`.
fn all(vm: &mut Vm, a: &Args, name: &str, f: impl Fn(char) -> bool) -> PyResult {
    a.method_count(vm, name, 0, 0)?;
    let s = this(vm, a, name)?;
    Ok(Value::bool(!s.is_empty() && s.as_str().chars().all(f)))
}

fn is_alpha(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        in_ranges(c, tables::ALPHA)
    }
}

fn is_numeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        in_ranges(c, tables::NUMERIC)
    }
}

fn isalpha(vm: &mut Vm, a: Args) -> PyResult {
    all(vm, &a, "isalpha", is_alpha)
}

fn isdecimal(vm: &mut Vm, a: Args) -> PyResult {
    all(vm, &a, "isdecimal", |c| in_ranges(c, tables::DECIMAL))
}

fn isdigit(vm: &mut Vm, a: Args) -> PyResult {
    all(vm, &a, "isdigit", |c| in_ranges(c, tables::DIGIT))
}

fn isnumeric(vm: &mut Vm, a: Args) -> PyResult {
    all(vm, &a, "isnumeric", is_numeric)
}

fn isalnum(vm: &mut Vm, a: Args) -> PyResult {
    // Decimal and digit characters are numeric too.
    all(vm, &a, "isalnum", |c| is_alpha(c) || is_numeric(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower_str(s: &str) -> String {
        let chars: Vec<char> = s.chars().collect();
        let mut out = String::new();
        for i in 0..chars.len() {
            push_lower(&mut out, &chars, i);
        }
        out
    }

    #[test]
    fn tables_are_sorted_and_usable() {
        assert!(tables::TITLE.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(tables::FOLD.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(special('ß', tables::TITLE), Some("Ss"));
        assert_eq!(special('ß', tables::FOLD), Some("ss"));
        assert!(in_ranges('٣', tables::DECIMAL));
        assert!(in_ranges('²', tables::DIGIT) && !in_ranges('²', tables::DECIMAL));
        assert!(is_numeric('½') && is_numeric('一') && !is_alpha('½'));
    }

    #[test]
    fn final_sigma() {
        assert_eq!(lower_str("ΣΑΣ"), "σας");
        assert_eq!(lower_str("Σ"), "σ");
        assert_eq!(lower_str("ΑΣ."), "ας.");
    }
}
