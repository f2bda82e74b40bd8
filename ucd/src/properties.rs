//! Per-character properties: the record of category, bidirectional class, combining class,
//! mirroring and East Asian width; numeric values; decompositions.

use crate::tables::properties::{
    BIDIRECTIONAL, CATEGORIES, DECOMPOSITIONS, EAST_ASIAN_WIDTHS, NUMERIC_RUNS, RECORDS,
    RUN_RECORDS, RUN_STARTS,
};
use std::sync::OnceLock;

/// The property record of `c`: indexes into the name tables, the combining class, mirrored.
fn record(c: char) -> (u8, u8, u8, u8, u8) {
    let run = RUN_STARTS.partition_point(|&s| s <= c as u32) - 1;
    RECORDS[RUN_RECORDS[run] as usize]
}

/// The general category (`unicodedata.category`): `"Lu"`, `"Nd"`, `"Cn"` when unassigned.
pub fn category(c: char) -> &'static str {
    CATEGORIES[record(c).0 as usize]
}

/// The bidirectional class (`unicodedata.bidirectional`); `""` when unassigned.
pub fn bidirectional(c: char) -> &'static str {
    BIDIRECTIONAL[record(c).1 as usize]
}

/// The canonical combining class (`unicodedata.combining`); 0 for starters.
pub fn combining(c: char) -> u8 {
    // Below U+0300 every character is a starter.
    if (c as u32) < 0x300 {
        return 0;
    }
    record(c).2
}

/// Whether `c` is mirrored in bidirectional text (`unicodedata.mirrored`).
pub fn mirrored(c: char) -> bool {
    record(c).3 != 0
}

/// The East Asian width (`unicodedata.east_asian_width`): `"W"`, `"Na"`, `"N"`, ...
pub fn east_asian_width(c: char) -> &'static str {
    EAST_ASIAN_WIDTHS[record(c).4 as usize]
}

/// The numeric kind and value of `c`: kind 0 is a decimal, 1 a digit, 2 other numerics.
fn numeric_entry(c: char) -> Option<(u8, f64)> {
    let cp = c as u32;
    let i = NUMERIC_RUNS.partition_point(|r| r.0 <= cp).checked_sub(1)?;
    let (start, count, kind, first) = NUMERIC_RUNS[i];
    let offset = cp - start;
    (offset < count as u32).then_some((kind, first + offset as f64))
}

/// The decimal value (`unicodedata.decimal`), for the characters of category Nd.
pub fn decimal(c: char) -> Option<u32> {
    match numeric_entry(c) {
        Some((0, v)) => Some(v as u32),
        _ => None,
    }
}

/// The digit value (`unicodedata.digit`): decimals and other digits such as `'²'`.
pub fn digit(c: char) -> Option<u32> {
    match numeric_entry(c) {
        Some((0 | 1, v)) => Some(v as u32),
        _ => None,
    }
}

/// The numeric value (`unicodedata.numeric`), fractions included (`'½'` is 0.5).
pub fn numeric(c: char) -> Option<f64> {
    numeric_entry(c).map(|(_, v)| v)
}

/// The decomposition lines by code point, parsed once.
fn decomposition_index() -> &'static [(u32, &'static str)] {
    static INDEX: OnceLock<Vec<(u32, &'static str)>> = OnceLock::new();
    INDEX.get_or_init(|| {
        DECOMPOSITIONS
            .lines()
            .filter_map(|line| {
                let (code, mapping) = line.split_once(' ')?;
                Some((u32::from_str_radix(code, 16).ok()?, mapping))
            })
            .collect()
    })
}

/// The decomposition mapping as `unicodedata.decomposition` writes it (`"<compat> 0020
/// 0308"`, `"0041 0300"`); `""` when there is none. Hangul syllables have none here,
/// as in CPython (their decomposition is algorithmic).
pub fn decomposition(c: char) -> &'static str {
    let index = decomposition_index();
    match index.binary_search_by_key(&(c as u32), |e| e.0) {
        Ok(i) => index[i].1,
        Err(_) => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_match_cpython() {
        // Expected values from CPython 3.11's unicodedata.
        assert_eq!(category('a'), "Ll");
        assert_eq!(category('\u{378}'), "Cn");
        assert_eq!(category('\u{10FFFF}'), "Cn");
        assert_eq!(category('\u{E000}'), "Co");
        assert_eq!(bidirectional('\u{5D0}'), "R");
        assert_eq!(bidirectional('\u{10FFFF}'), "");
        assert_eq!(combining('\u{301}'), 230);
        assert_eq!(combining('\u{1D16D}'), 226);
        assert!(mirrored('('));
        assert!(!mirrored('a'));
        assert_eq!(east_asian_width('\u{4E00}'), "W");
        assert_eq!(east_asian_width('\u{FF21}'), "F");
        assert_eq!(east_asian_width('\u{3B1}'), "A");
        assert_eq!(decimal('\u{663}'), Some(3));
        assert_eq!(decimal('\u{B2}'), None);
        assert_eq!(digit('\u{B2}'), Some(2));
        assert_eq!(numeric('\u{BD}'), Some(0.5));
        assert_eq!(numeric('\u{2155}'), Some(0.2));
        assert_eq!(numeric('\u{F33}'), Some(-0.5));
        assert_eq!(numeric('\u{5146}'), Some(1e12));
        assert_eq!(numeric('\u{2153}'), Some(1.0 / 3.0));
        assert_eq!(numeric('x'), None);
        assert_eq!(decomposition('\u{E9}'), "0065 0301");
        assert_eq!(decomposition('\u{A0}'), "<noBreak> 0020");
        assert_eq!(decomposition('\u{FDFA}').len(), 100);
        assert_eq!(decomposition('\u{AC00}'), "");
        assert_eq!(decomposition('a'), "");
    }
}
