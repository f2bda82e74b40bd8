//! The normalization forms NFC, NFD, NFKC and NFKD, a port of CPython 3.11's `nfd_nfkd` and
//! `nfc_nfkc` (canonical ordering and composition exactly as it does them).

use crate::properties::{combining, decomposition};
use crate::tables::properties::{COMPOSITION_EXCLUSIONS, DECOMPOSITIONS};
use std::borrow::Cow;
use std::sync::OnceLock;

/// A normalization form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Canonical composition.
    Nfc,
    /// Canonical decomposition.
    Nfd,
    /// Compatibility composition.
    Nfkc,
    /// Compatibility decomposition.
    Nfkd,
}

impl Form {
    /// The form named `"NFC"`, `"NFD"`, `"NFKC"` or `"NFKD"` (exactly; anything else is
    /// CPython's `invalid normalization form`).
    pub fn from_name(name: &str) -> Option<Form> {
        match name {
            "NFC" => Some(Form::Nfc),
            "NFD" => Some(Form::Nfd),
            "NFKC" => Some(Form::Nfkc),
            "NFKD" => Some(Form::Nfkd),
            _ => None,
        }
    }

    /// Whether the form applies compatibility decompositions.
    fn compat(self) -> bool {
        matches!(self, Form::Nfkc | Form::Nfkd)
    }
}

const S_BASE: u32 = 0xAC00;
const L_BASE: u32 = 0x1100;
const V_BASE: u32 = 0x1161;
const T_BASE: u32 = 0x11A7;
const L_COUNT: u32 = 19;
const V_COUNT: u32 = 21;
const T_COUNT: u32 = 28;
const S_COUNT: u32 = L_COUNT * V_COUNT * T_COUNT;

/// `s` in normal form `form` (`unicodedata.normalize`); borrowed when it already is.
pub fn normalize(form: Form, s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let chars: Vec<char> = match form {
        Form::Nfd | Form::Nfkd => decompose(s, form.compat()),
        Form::Nfc | Form::Nfkc => compose(decompose(s, form.compat())),
    };
    if chars.iter().copied().eq(s.chars()) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(chars.into_iter().collect())
    }
}

/// Whether `s` is in normal form `form` (`unicodedata.is_normalized`).
pub fn is_normalized(form: Form, s: &str) -> bool {
    matches!(normalize(form, s), Cow::Borrowed(_))
}

/// The code points of a decomposition mapping (`"<compat> 0020 0308"`), and whether it is a
/// compatibility one.
fn mapping(c: char) -> Option<(bool, impl DoubleEndedIterator<Item = char>)> {
    let m = decomposition(c);
    if m.is_empty() {
        return None;
    }
    let compat = m.starts_with('<');
    let codes = m
        .split(' ')
        .filter(|p| !p.starts_with('<'))
        .filter_map(|h| u32::from_str_radix(h, 16).ok().and_then(char::from_u32));
    Some((compat, codes))
}

/// CPython's `nfd_nfkd`: full decomposition, then canonical ordering.
fn decompose(s: &str, compat: bool) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(s.len() + 10);
    let mut stack: Vec<char> = Vec::new();
    for c in s.chars() {
        stack.push(c);
        while let Some(code) = stack.pop() {
            let cp = code as u32;
            if (S_BASE..S_BASE + S_COUNT).contains(&cp) {
                let si = cp - S_BASE;
                let l = L_BASE + si / (V_COUNT * T_COUNT);
                let v = V_BASE + (si % (V_COUNT * T_COUNT)) / T_COUNT;
                let t = T_BASE + si % T_COUNT;
                out.extend([l, v].into_iter().filter_map(char::from_u32));
                if t != T_BASE {
                    out.extend(char::from_u32(t));
                }
                continue;
            }
            match mapping(code) {
                Some((is_compat, codes)) if compat || !is_compat => stack.extend(codes.rev()),
                _ => out.push(code),
            }
        }
    }
    canonical_order(&mut out);
    out
}

/// CPython's canonical sort: each non-starter moves back past those of a higher class.
fn canonical_order(out: &mut [char]) {
    let Some(&first) = out.first() else {
        return;
    };
    let mut prev = combining(first);
    for i in 1..out.len() {
        let cur = combining(out[i]);
        if prev == 0 || cur == 0 || prev <= cur {
            prev = cur;
            continue;
        }
        let mut o = i - 1;
        loop {
            out.swap(o, o + 1);
            if o == 0 {
                break;
            }
            o -= 1;
            prev = combining(out[o]);
            if prev == 0 || prev <= cur {
                break;
            }
        }
        prev = combining(out[i]);
    }
}

/// The primary composites: (first, second, composite), sorted.
fn compositions() -> &'static [(char, char, char)] {
    static PAIRS: OnceLock<Vec<(char, char, char)>> = OnceLock::new();
    PAIRS.get_or_init(|| {
        let mut pairs: Vec<(char, char, char)> = DECOMPOSITIONS
            .lines()
            .filter_map(|line| {
                let mut parts = line.split(' ');
                let code = u32::from_str_radix(parts.next()?, 16).ok()?;
                let a = char::from_u32(u32::from_str_radix(parts.next()?, 16).ok()?)?;
                let b = char::from_u32(u32::from_str_radix(parts.next()?, 16).ok()?)?;
                let usable = parts.next().is_none()
                    && combining(a) == 0
                    && !COMPOSITION_EXCLUSIONS.contains(&code);
                usable.then(|| Some((a, b, char::from_u32(code)?)))?
            })
            .collect();
        pairs.sort_unstable();
        pairs
    })
}

/// Whether `c` starts some primary composite (CPython's `nfc_first` index).
fn composes_first(c: char) -> bool {
    let pairs = compositions();
    let i = pairs.partition_point(|p| p.0 < c);
    pairs.get(i).is_some_and(|p| p.0 == c)
}

/// The primary composite of `a` followed by `b`.
fn compose_pair(a: char, b: char) -> Option<char> {
    let pairs = compositions();
    pairs
        .binary_search_by(|p| (p.0, p.1).cmp(&(a, b)))
        .ok()
        .map(|i| pairs[i].2)
}

/// CPython's `nfc_nfkc` after decomposition: Hangul composition and canonical composition
/// of each starter with the unblocked characters after it.
fn compose(data: Vec<char>) -> Vec<char> {
    let len = data.len();
    let mut output: Vec<char> = Vec::with_capacity(len);
    let mut skipped: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < len {
        if let Some(k) = skipped.iter().position(|&s| s == i) {
            skipped.swap_remove(k);
            i += 1;
            continue;
        }
        let code = data[i] as u32;
        if (L_BASE..L_BASE + L_COUNT).contains(&code)
            && i + 1 < len
            && (V_BASE..V_BASE + V_COUNT).contains(&(data[i + 1] as u32))
        {
            let l = code - L_BASE;
            let v = data[i + 1] as u32 - V_BASE;
            let mut syllable = S_BASE + (l * V_COUNT + v) * T_COUNT;
            i += 2;
            if i < len && T_BASE < data[i] as u32 && (data[i] as u32) < T_BASE + T_COUNT {
                syllable += data[i] as u32 - T_BASE;
                i += 1;
            }
            output.extend(char::from_u32(syllable));
            continue;
        }
        if !composes_first(data[i]) {
            output.push(data[i]);
            i += 1;
            continue;
        }
        let mut current = data[i];
        let mut i1 = i + 1;
        let mut comb = 0;
        while i1 < len {
            let code1 = data[i1];
            let comb1 = combining(code1);
            if comb != 0 {
                if comb1 == 0 {
                    break;
                }
                if comb >= comb1 {
                    // Blocked.
                    i1 += 1;
                    continue;
                }
            }
            match compose_pair(current, code1) {
                Some(composite) => {
                    current = composite;
                    skipped.push(i1);
                    i1 += 1;
                    if !composes_first(current) {
                        break;
                    }
                }
                None => {
                    if comb1 == 0 {
                        break;
                    }
                    comb = comb1;
                    i1 += 1;
                }
            }
        }
        output.push(current);
        i += 1;
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_match_cpython() {
        // Expected values from CPython 3.11's unicodedata.normalize.
        let n = |f, s| normalize(f, s).into_owned();
        assert_eq!(n(Form::Nfd, "\u{e9}"), "e\u{301}");
        assert_eq!(n(Form::Nfc, "e\u{301}"), "\u{e9}");
        assert_eq!(n(Form::Nfkd, "\u{fb01}"), "fi");
        assert_eq!(n(Form::Nfc, "\u{fb01}"), "\u{fb01}");
        assert_eq!(n(Form::Nfkc, "\u{2460}"), "1");
        assert_eq!(n(Form::Nfd, "\u{ac01}"), "\u{1100}\u{1161}\u{11a8}");
        assert_eq!(n(Form::Nfc, "\u{1100}\u{1161}\u{11a8}"), "\u{ac01}");
        assert_eq!(n(Form::Nfc, "\u{1100}\u{1161}\u{11a7}"), "\u{ac00}\u{11a7}");
        assert_eq!(n(Form::Nfc, "a\u{323}\u{302}"), "\u{1ead}");
        assert_eq!(n(Form::Nfc, "a\u{302}\u{323}"), "\u{1ead}");
        assert_eq!(n(Form::Nfd, "q\u{307}\u{323}"), "q\u{323}\u{307}");
        assert_eq!(n(Form::Nfc, "\u{212b}"), "\u{c5}");
        assert_eq!(n(Form::Nfc, "\u{344}"), "\u{308}\u{301}");
        assert!(is_normalized(Form::Nfc, "\u{e9}"));
        assert!(!is_normalized(Form::Nfd, "\u{e9}"));
        assert!(is_normalized(Form::Nfkd, "abc"));
        assert_eq!(Form::from_name("NFX"), None);
    }
}
