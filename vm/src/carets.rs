//! PEP 657 error locations in tracebacks: the line of `^` and `~` that CPython 3.11 prints
//! under a frame's source line, as its C printer does (`Python/traceback.c`,
//! `tb_displayline`, `extract_anchors_from_line`, `print_error_location_carets`), which
//! reports uncaught exceptions (the script's, the REPL's and `__del__`'s).
//!
//! The rules, all CPython's:
//!
//! * The indicators cover the instruction's column range. A range over several lines is
//!   shown on its first line only, up to the line's last non-blank character.
//! * On one line, the range's text is parsed; when it is a single expression statement whose
//!   expression is a binary operation or a subscript, the operator (`~~^~~`) or the brackets
//!   (`~~^^^^`) are the secondary range, shown with `^`, and the rest with `~`.
//! * Without such anchors, nothing is printed when the range spans the whole line after its
//!   indentation (trailing blanks count as part of the line, as in CPython's C printer).
//! * The indicators are placed by display width: East Asian wide and fullwidth characters
//!   take two columns (CPython 3.11.7's `_display_width`).

use crate::builtins::char_is_wide;
use crate::code::Location;
use aio_parser::ast::{ExprKind, StmtKind};

/// CPython's `IS_WHITESPACE` in `traceback.c`.
fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0c')
}

/// The indicator line for an instruction at `loc` whose first line is `line` (without its
/// newline), or `None` when CPython prints none.
pub fn error_location_line(line: &str, loc: Location) -> Option<String> {
    let len = line.chars().count() as i64;
    let indent = line.chars().take_while(|&c| is_blank(c)).count() as i64;
    let start = i64::from(loc.col);
    let mut end = i64::from(loc.end_col);
    let mut anchors = None;
    if loc.line == loc.end_line {
        anchors = anchors_in_segment(line, start, end);
    } else {
        // Up to the line's last non-blank character.
        end = line.trim_end_matches(is_blank).chars().count() as i64;
    }
    if end - start == len - indent && anchors.is_none() {
        return None;
    }
    // From here on, offsets are display columns: wide characters count twice.
    let width = |offset: i64| -> i64 {
        line.chars()
            .take(offset.max(0) as usize)
            .map(|c| if char_is_wide(c) { 2 } else { 1 })
            .sum()
    };
    let (start, end) = (width(start), width(end));
    let (left, right) = match anchors {
        Some((l, r)) => (width(l), width(r)),
        None => (-1, -1),
    };
    let (primary, secondary) = if anchors.is_some() {
        ('~', '^')
    } else {
        ('^', '^')
    };
    let mut out = String::new();
    let mut offset = indent - 4;
    while {
        offset += 1;
        offset <= end
    } {
        out.push(if offset <= start {
            ' '
        } else if anchors.is_some() && left < offset && offset <= right {
            secondary
        } else {
            primary
        });
    }
    Some(out)
}

/// Characters in the first `bytes` bytes of `s` (CPython decodes them with "replace").
fn chars_in(s: &str, bytes: usize) -> i64 {
    let bytes = bytes.min(s.len());
    String::from_utf8_lossy(&s.as_bytes()[..bytes])
        .chars()
        .count() as i64
}

/// `extract_anchors_from_line`: the secondary range (as absolute character offsets, the
/// range being `(left, right]` in the printer's 1-based count) of a binary operation or a
/// subscript spanning characters `start..end` of `line`.
fn anchors_in_segment(line: &str, start: i64, end: i64) -> Option<(i64, i64)> {
    let segment: String = line
        .chars()
        .skip(start.max(0) as usize)
        .take((end - start).max(0) as usize)
        .collect();
    let module = aio_parser::parse_module(&segment).ok()?;
    let [stmt] = module.body.as_slice() else {
        return None;
    };
    let StmtKind::Expr(expr) = &stmt.kind else {
        return None;
    };
    let bytes = segment.as_bytes();
    let (left, right) = match &expr.kind {
        ExprKind::BinOp { left, right, .. } => {
            let (from, to) = (left.span.end as usize, right.span.start as usize);
            let mut anchors = None;
            let mut i = from;
            while i < to {
                let c = bytes[i];
                if c == b' ' || c == b'\t' || c == 0x0c {
                    i += 1;
                    continue;
                }
                let mut r = i + 1;
                // A two-character operator (`//`).
                if i + 1 < to && !matches!(bytes[i + 1], b' ' | b'\t' | 0x0c) {
                    r += 1;
                }
                anchors = Some((i, r));
                // Keep going past the closing parenthesis of the left operand.
                if i + 1 < to && c == b')' {
                    i += 1;
                    continue;
                }
                break;
            }
            anchors?
        }
        ExprKind::Subscript { value, slice } => {
            let len = bytes.len();
            let mut l = value.span.end as usize;
            let mut r = slice.span.end as usize + 1;
            while l < len && bytes[l] != b'[' {
                l += 1;
            }
            while r < len && bytes[r] != b']' {
                r += 1;
            }
            if r < len {
                r += 1;
            }
            (l, r)
        }
        _ => return None,
    };
    Some((
        chars_in(&segment, left) + start,
        chars_in(&segment, right) + start,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The expected lines are CPython 3.11.7's for the same source lines (checked with
    // `python3`); `tests/tracebacks/` checks whole tracebacks.
    fn at(line: &str, col: u32, end_col: u32) -> Option<String> {
        let loc = Location {
            line: 1,
            end_line: 1,
            col,
            end_col,
        };
        error_location_line(line, loc)
    }

    #[test]
    fn binary_operators_mark_the_operator() {
        assert_eq!(at("1/0", 0, 3).as_deref(), Some("    ~^~"));
        assert_eq!(
            at("    return a // b", 11, 17).as_deref(),
            Some("           ~~^^~~")
        );
        assert_eq!(
            at("x = (a) + (b)", 4, 13).as_deref(),
            Some("        ~~~~^~~~~")
        );
    }

    #[test]
    fn subscripts_mark_the_brackets() {
        assert_eq!(at("x = d[k]", 4, 8).as_deref(), Some("        ~^^^"));
    }

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(
            at("y = (s, \"日本\") + x", 4, 17).as_deref(),
            Some("        ~~~~~~~~~~~~^~~")
        );
    }

    #[test]
    fn a_range_over_the_whole_line_shows_nothing() {
        assert_eq!(at("    f()", 4, 7), None);
        assert_eq!(at("x = f()", 4, 7).as_deref(), Some("        ^^^"));
    }

    #[test]
    fn several_lines_mark_up_to_the_end_of_the_first() {
        let loc = Location {
            line: 1,
            end_line: 2,
            col: 8,
            end_col: 9,
        };
        assert_eq!(
            error_location_line("    x = foo(  ", loc).as_deref(),
            Some("        ^^^^")
        );
    }
}
