//! Character names: `name` (code point to name) and `lookup` (name, alias or named sequence
//! to characters), with CPython's algorithmic Hangul syllable and CJK unified ideograph names
//! and its matching rules (case-insensitive except for those two algorithmic families).

use crate::tables::names::{
    ALIASES, CJK_UNIFIED, HEX_PLACEHOLDER, JAMO_L, JAMO_T, JAMO_V, NAMED_SEQUENCES, NAMES,
    NAME_BLOCK, NAME_RUNS, PREFIX_BASE,
};
use std::sync::OnceLock;

/// The first Hangul syllable, and the counts of its jamo.
const S_BASE: u32 = 0xAC00;
const V_COUNT: u32 = 21;
const T_COUNT: u32 = 28;
const L_COUNT: u32 = 19;
const S_COUNT: u32 = L_COUNT * V_COUNT * T_COUNT;
const HANGUL_PREFIX: &[u8] = b"HANGUL SYLLABLE ";
const CJK_PREFIX: &[u8] = b"CJK UNIFIED IDEOGRAPH-";

/// What a name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// A character, found by its name or one of its aliases.
    Char(char),
    /// A named sequence of several characters (`KEYCAP NUMBER SIGN`).
    Sequence(&'static str),
}

/// The name of `c` (`unicodedata.name`), or `None` for characters without one (controls,
/// unassigned and private-use code points, Tangut ideographs as in CPython 3.11). Aliases
/// are never returned.
pub fn name(c: char) -> Option<String> {
    let cp = c as u32;
    if (S_BASE..S_BASE + S_COUNT).contains(&cp) {
        let s = cp - S_BASE;
        let (l, v, t) = (s / (V_COUNT * T_COUNT), s / T_COUNT % V_COUNT, s % T_COUNT);
        let mut out = String::from_utf8_lossy(HANGUL_PREFIX).into_owned();
        for part in [JAMO_L[l as usize], JAMO_V[v as usize], JAMO_T[t as usize]] {
            out.push_str(part);
        }
        return Some(out);
    }
    if is_unified_ideograph(cp) {
        return Some(format!("CJK UNIFIED IDEOGRAPH-{cp:X}"));
    }
    let run = NAME_RUNS[NAME_RUNS.partition_point(|r| r.0 <= cp).checked_sub(1)?];
    (cp <= run.1).then(|| decode_line((run.2 + cp - run.0) as usize, cp))
}

/// Whether `cp` is a CJK unified ideograph (named algorithmically).
fn is_unified_ideograph(cp: u32) -> bool {
    CJK_UNIFIED.iter().any(|&(a, b)| (a..=b).contains(&cp))
}

/// The lines of [`NAMES`].
fn name_lines() -> std::str::Lines<'static> {
    NAMES.strip_prefix('\n').unwrap_or(NAMES).lines()
}

/// The byte offset of every [`NAME_BLOCK`]th line of [`NAMES`], where front coding restarts.
fn block_offsets() -> &'static [usize] {
    static OFFSETS: OnceLock<Vec<usize>> = OnceLock::new();
    OFFSETS.get_or_init(|| {
        let base = NAMES.len() - NAMES.strip_prefix('\n').unwrap_or(NAMES).len();
        let mut offsets = Vec::new();
        let mut at = base;
        for (i, line) in NAMES[base..].split_inclusive('\n').enumerate() {
            if i % NAME_BLOCK == 0 {
                offsets.push(at);
            }
            at += line.len();
        }
        offsets
    })
}

/// Applies one front-coded line to the previous name, giving the line's name.
fn apply_line(prev: &mut String, line: &str) {
    let Some(&first) = line.as_bytes().first() else {
        return;
    };
    prev.truncate((first.saturating_sub(PREFIX_BASE) as usize).min(prev.len()));
    prev.push_str(&line[1..]);
}

/// Replaces the placeholder ending a name by the code point in hex.
fn fill_hex(name: &mut String, cp: u32) {
    if name.as_bytes().last() == Some(&HEX_PLACEHOLDER) {
        name.pop();
        name.push_str(&format!("{cp:04X}"));
    }
}

/// The name on line `index` of [`NAMES`], the name of code point `cp`.
fn decode_line(index: usize, cp: u32) -> String {
    let start = block_offsets()[index / NAME_BLOCK];
    let mut name = String::new();
    for line in NAMES[start..].lines().take(index % NAME_BLOCK + 1) {
        apply_line(&mut name, line);
    }
    fill_hex(&mut name, cp);
    name
}

/// What a slot of the name table holds: a code point named in [`NAMES`], an alias (index
/// into [`ALIASES`]) or a named sequence (index into [`NAMED_SEQUENCES`]).
#[derive(Clone, Copy)]
enum Entry {
    Named(u32),
    Alias(u32),
    Sequence(u32),
}

/// The open-addressing table from a name's hash to its entry, built on first use.
struct NameTable {
    /// (hash, entry code) per slot; code 0 is an empty slot (see [`NameTable::encode`]).
    slots: Vec<(u32, u32)>,
}

/// Entry codes above this are aliases, above [`SEQUENCE_BASE`] named sequences.
const ALIAS_BASE: u32 = 0x110000;
const SEQUENCE_BASE: u32 = 0x120000;

impl NameTable {
    fn encode(e: Entry) -> u32 {
        1 + match e {
            Entry::Named(cp) => cp,
            Entry::Alias(i) => ALIAS_BASE + i,
            Entry::Sequence(i) => SEQUENCE_BASE + i,
        }
    }

    fn decode(code: u32) -> Entry {
        match code - 1 {
            c if c >= SEQUENCE_BASE => Entry::Sequence(c - SEQUENCE_BASE),
            c if c >= ALIAS_BASE => Entry::Alias(c - ALIAS_BASE),
            c => Entry::Named(c),
        }
    }

    fn build() -> NameTable {
        let named: usize = NAME_RUNS.iter().map(|r| (r.1 - r.0 + 1) as usize).sum();
        let total = named + ALIASES.len() + NAMED_SEQUENCES.len();
        let mut table = NameTable {
            slots: vec![(0, 0); (total + total / 2).next_power_of_two()],
        };
        let mut lines = name_lines();
        let mut name = String::new();
        for &(first, last, _) in NAME_RUNS.iter() {
            for cp in first..=last {
                apply_line(&mut name, lines.next().unwrap_or_default());
                let mut full = name.clone();
                fill_hex(&mut full, cp);
                table.insert(full.as_bytes(), Entry::Named(cp));
            }
        }
        for (i, (_, alias)) in ALIASES.iter().enumerate() {
            table.insert(alias.as_bytes(), Entry::Alias(i as u32));
        }
        for (i, (seq, _)) in NAMED_SEQUENCES.iter().enumerate() {
            table.insert(seq.as_bytes(), Entry::Sequence(i as u32));
        }
        table
    }

    fn insert(&mut self, name: &[u8], e: Entry) {
        let h = hash(name);
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        while self.slots[i].1 != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = (h, NameTable::encode(e));
    }

    /// The entry whose name is `upper` (already upper-cased).
    fn get(&self, upper: &[u8]) -> Option<Entry> {
        let h = hash(upper);
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let (sh, code) = self.slots[i];
            if code == 0 {
                return None;
            }
            if sh == h {
                let e = NameTable::decode(code);
                if entry_name(e).as_bytes() == upper {
                    return Some(e);
                }
            }
            i = (i + 1) & mask;
        }
    }
}

/// FNV-1a over a name's bytes.
fn hash(name: &[u8]) -> u32 {
    name.iter().fold(0x811c_9dc5, |h: u32, &b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    })
}

/// The name an entry is found by.
fn entry_name(e: Entry) -> String {
    match e {
        Entry::Named(cp) => char::from_u32(cp).and_then(name).unwrap_or_default(),
        Entry::Alias(i) => ALIASES[i as usize].1.to_owned(),
        Entry::Sequence(i) => NAMED_SEQUENCES[i as usize].0.to_owned(),
    }
}

/// The name table, built on first use.
fn name_table() -> &'static NameTable {
    static TABLE: OnceLock<NameTable> = OnceLock::new();
    TABLE.get_or_init(NameTable::build)
}

/// CPython's `find_syllable`: the longest jamo name of `column` that `s` starts with (the
/// first of equal lengths), as (index, length); index `None` when none matches.
fn find_syllable(s: &[u8], column: &[&str]) -> (Option<usize>, usize) {
    let mut best: Option<(usize, usize)> = None;
    for (i, jamo) in column.iter().enumerate() {
        let len = jamo.len();
        if best.is_some_and(|(_, l)| len <= l) {
            continue;
        }
        if s.starts_with(jamo.as_bytes()) {
            best = Some((i, len));
        }
    }
    match best {
        Some((i, len)) => (Some(i), len),
        None => (None, 0),
    }
}

/// The Hangul syllable named `HANGUL SYLLABLE <rest>` (upper case only, as in CPython).
fn hangul_syllable(rest: &[u8]) -> Option<char> {
    let (l, a) = find_syllable(rest, &JAMO_L);
    let (v, b) = find_syllable(&rest[a..], &JAMO_V);
    let (t, c) = find_syllable(&rest[a + b..], &JAMO_T);
    if a + b + c != rest.len() {
        return None;
    }
    let code = S_BASE + (l? as u32 * V_COUNT + v? as u32) * T_COUNT + t? as u32;
    char::from_u32(code)
}

/// The CJK unified ideograph named `CJK UNIFIED IDEOGRAPH-<hex>`: four or five upper-case
/// hex digits, as CPython requires.
fn unified_ideograph(hex: &[u8]) -> Option<char> {
    if !(4..=5).contains(&hex.len()) {
        return None;
    }
    let mut v = 0u32;
    for &d in hex {
        v = v * 16
            + match d {
                b'0'..=b'9' => d - b'0',
                b'A'..=b'F' => d - b'A' + 10,
                _ => return None,
            } as u32;
    }
    is_unified_ideograph(v).then(|| char::from_u32(v)).flatten()
}

/// The character (or, with `named_sequences`, the named sequence) called `name`, as CPython's
/// `_getcode`: Hangul syllable and CJK unified ideograph names must be upper case, any other
/// name or alias matches regardless of ASCII case. `unicodedata.lookup` accepts named
/// sequences; `\N{...}` escapes do not.
pub fn lookup(name: &[u8], named_sequences: bool) -> Option<Found> {
    if let Some(rest) = name.strip_prefix(HANGUL_PREFIX) {
        return hangul_syllable(rest).map(Found::Char);
    }
    if let Some(hex) = name.strip_prefix(CJK_PREFIX) {
        return unified_ideograph(hex).map(Found::Char);
    }
    let upper = name.to_ascii_uppercase();
    match name_table().get(&upper)? {
        Entry::Named(cp) => char::from_u32(cp).map(Found::Char),
        Entry::Alias(i) => char::from_u32(ALIASES[i as usize].0).map(Found::Char),
        Entry::Sequence(i) if named_sequences => {
            Some(Found::Sequence(NAMED_SEQUENCES[i as usize].1))
        }
        Entry::Sequence(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_cpython() {
        // Expected values from CPython 3.11's unicodedata.
        assert_eq!(name(' ').as_deref(), Some("SPACE"));
        assert_eq!(name('\u{0}'), None);
        assert_eq!(name('\u{1F600}').as_deref(), Some("GRINNING FACE"));
        assert_eq!(name('\u{AC00}').as_deref(), Some("HANGUL SYLLABLE GA"));
        assert_eq!(name('\u{D7A3}').as_deref(), Some("HANGUL SYLLABLE HIH"));
        assert_eq!(
            name('\u{4E00}').as_deref(),
            Some("CJK UNIFIED IDEOGRAPH-4E00")
        );
        assert_eq!(
            name('\u{FA00}').as_deref(),
            Some("CJK COMPATIBILITY IDEOGRAPH-FA00")
        );
        assert_eq!(
            name('\u{18B00}').as_deref(),
            Some("KHITAN SMALL SCRIPT CHARACTER-18B00")
        );
        assert_eq!(name('\u{17000}'), None);
        assert_eq!(name('\u{F0000}'), None);
        assert_eq!(name('\u{10FFFF}'), None);
    }

    #[test]
    fn lookup_matches_cpython() {
        let ch = |n: &str| match lookup(n.as_bytes(), true) {
            Some(Found::Char(c)) => Some(c),
            _ => None,
        };
        assert_eq!(ch("latin small letter a"), Some('a'));
        assert_eq!(ch("LINE FEED"), Some('\n'));
        assert_eq!(ch("null"), Some('\0'));
        assert_eq!(ch("HANGUL SYLLABLE A"), Some('\u{C544}'));
        assert_eq!(ch("HANGUL SYLLABLE "), None);
        assert_eq!(ch("hangul syllable GA"), None);
        assert_eq!(ch("CJK UNIFIED IDEOGRAPH-04E00"), Some('\u{4E00}'));
        assert_eq!(ch("CJK UNIFIED IDEOGRAPH-4e00"), None);
        assert_eq!(ch("cjk unified ideograph-4E00"), None);
        assert_eq!(ch("nushu character-1b170"), Some('\u{1B170}'));
        assert_eq!(ch("nope"), None);
        assert_eq!(
            lookup(b"KEYCAP NUMBER SIGN", true),
            Some(Found::Sequence("#\u{FE0F}\u{20E3}"))
        );
        assert_eq!(lookup(b"KEYCAP NUMBER SIGN", false), None);
    }
}
