//! Classification of source text for syntax highlighting (the REPL colours its input line
//! with it).
//!
//! It runs the same `logos` raw lexer as [`crate::tokenize`], so a keyword, a string or a
//! number is highlighted exactly where the language sees one, but it never stops at an
//! error: text being typed is usually incomplete. An unterminated string is a string up to
//! where scanning stopped (the end of its line, or of the input for a triple-quoted one),
//! and any other lexical error is plain text. Comments, which the raw lexer skips, are the
//! `#`-started parts of the gaps between tokens. No layout pass runs, so `match`/`case`
//! are keywords by a local rule (see [`classify`]).

use crate::raw::{Raw, RawError};
use crate::token::Tok;
use logos::Logos;
use std::ops::Range;

/// What a piece of source text is, for colouring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// A hard keyword (`def`, `None`, `await`, ...).
    Keyword,
    /// A soft keyword (`match`, `case`) where it starts its statement.
    SoftKeyword,
    /// The name being defined after `def` or `class`.
    Definition,
    /// Any other name (the caller may colour built-ins).
    Name,
    /// A number literal.
    Number,
    /// A string, bytes or f-string literal, terminated or not.
    String,
    /// A comment.
    Comment,
    /// An operator or delimiter.
    Operator,
}

/// The classified pieces of `source`, in order, as byte ranges. Text outside every piece
/// (spaces, newlines, backslash continuations, characters in error) is plain.
///
/// `match` and `case` are [`Class::SoftKeyword`] when they are the first token of a line
/// and the next token can start a subject or pattern (for `match (`...: only when the
/// line's last top-level token is `:`, as `match(x)` may be a call).
pub fn classify(source: &str) -> Vec<(Class, Range<usize>)> {
    let mut pieces: Vec<(Class, Range<usize>)> = Vec::new();
    let mut lex = Raw::lexer(source);
    let mut gap_start = 0;
    while let Some(result) = lex.next() {
        let span = lex.span();
        comments(source, gap_start..span.start, &mut pieces);
        let class = match result {
            Ok(Raw::Newline | Raw::Continuation | Raw::Backslash) => None,
            Ok(Raw::Name) => Some(if Tok::keyword(lex.slice()).is_some() {
                Class::Keyword
            } else {
                Class::Name
            }),
            Ok(Raw::Number(_)) => Some(Class::Number),
            Ok(Raw::String(_)) => Some(Class::String),
            Ok(_) => Some(Class::Operator),
            Err(RawError::UnterminatedString { start, stopped, .. }) => {
                let stopped = stopped.min(source.len());
                if stopped > span.end {
                    lex.bump(stopped - span.end);
                }
                pieces.push((Class::String, start..stopped));
                gap_start = stopped.max(span.end);
                continue;
            }
            // A malformed number (`0x`, `1_`) being typed is still a number.
            Err(_) if source[span.clone()].starts_with(|c: char| c.is_ascii_digit()) => {
                Some(Class::Number)
            }
            Err(_) => None,
        };
        if let Some(class) = class {
            pieces.push((class, span.clone()));
        }
        gap_start = span.end;
    }
    comments(source, gap_start..source.len(), &mut pieces);
    refine(source, &mut pieces);
    pieces
}

/// Adds the comments found in `gap` (text the raw lexer skipped: spaces and comments).
fn comments(source: &str, gap: Range<usize>, pieces: &mut Vec<(Class, Range<usize>)>) {
    let mut at = gap.start;
    while let Some(hash) = source[at..gap.end].find('#') {
        let start = at + hash;
        let end = source[start..gap.end]
            .find(['\n', '\r'])
            .map_or(gap.end, |n| start + n);
        pieces.push((Class::Comment, start..end));
        at = end;
    }
}

/// Definitions after `def`/`class`, and the soft keywords.
fn refine(source: &str, pieces: &mut [(Class, Range<usize>)]) {
    let text = |p: &(Class, Range<usize>)| &source[p.1.clone()];
    for i in 1..pieces.len() {
        if pieces[i].0 == Class::Name
            && pieces[i - 1].0 == Class::Keyword
            && matches!(text(&pieces[i - 1]), "def" | "class")
        {
            pieces[i].0 = Class::Definition;
        }
    }
    for i in 0..pieces.len() {
        if pieces[i].0 != Class::Name || !matches!(text(&pieces[i]), "match" | "case") {
            continue;
        }
        let line_start = source[..pieces[i].1.start]
            .rfind(['\n', '\r'])
            .map_or(0, |n| n + 1);
        if !source[line_start..pieces[i].1.start]
            .trim_start()
            .is_empty()
        {
            continue;
        }
        let Some(next) = pieces.get(i + 1) else {
            continue;
        };
        let next_text = text(next);
        let starts = match next.0 {
            Class::Name | Class::Number | Class::String => true,
            Class::Keyword => matches!(
                next_text,
                "None" | "True" | "False" | "not" | "await" | "lambda"
            ),
            Class::Operator => matches!(next_text, "[" | "{" | "-" | "+" | "~" | "*" | "..."),
            _ => false,
        };
        let paren = next.0 == Class::Operator && next_text == "(";
        if starts || paren && ends_with_colon(source, &pieces[i + 1..]) {
            pieces[i].0 = Class::SoftKeyword;
        }
    }
}

/// Whether the last top-level token of the line that `rest` starts is `:` (comments
/// aside; a line ends at a newline outside brackets that no backslash continues).
fn ends_with_colon(source: &str, rest: &[(Class, Range<usize>)]) -> bool {
    let mut depth = 0i32;
    let mut last = "";
    let mut prev_end = rest.first().map_or(0, |p| p.1.start);
    for (class, range) in rest {
        let gap = &source[prev_end..range.start];
        if depth == 0 && gap.contains(['\n', '\r']) && !gap.trim_start().starts_with('\\') {
            break;
        }
        prev_end = range.end;
        if *class == Class::Comment {
            continue;
        }
        let text = &source[range.clone()];
        match text {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            last = text;
        }
    }
    last == ":"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(src: &str) -> Vec<(Class, &str)> {
        classify(src)
            .into_iter()
            .map(|(c, r)| (c, &src[r]))
            .collect()
    }

    #[test]
    fn unterminated_strings_run_to_where_scanning_stopped() {
        assert_eq!(
            classes("x = 'ab # c\ny"),
            vec![
                (Class::Name, "x"),
                (Class::Operator, "="),
                (Class::String, "'ab # c"),
                (Class::Name, "y"),
            ]
        );
        assert_eq!(classes("'''a\nb"), vec![(Class::String, "'''a\nb")]);
    }

    #[test]
    fn comments_are_found_in_the_gaps() {
        assert_eq!(
            classes("1 # one\n'#' # two"),
            vec![
                (Class::Number, "1"),
                (Class::Comment, "# one"),
                (Class::String, "'#'"),
                (Class::Comment, "# two"),
            ]
        );
    }

    #[test]
    fn soft_keywords_start_their_statement() {
        assert_eq!(classes("match x:")[0].0, Class::SoftKeyword);
        assert_eq!(classes("    case [a]:")[0].0, Class::SoftKeyword);
        assert_eq!(classes("match = 1")[0].0, Class::Name);
        assert_eq!(classes("match(x)")[0].0, Class::Name);
        assert_eq!(classes("match (x):")[0].0, Class::SoftKeyword);
        assert_eq!(classes("x = match")[2].0, Class::Name);
    }

    proptest::proptest! {
        /// On any text (biased towards Python's quotes, comments, numbers, continuations
        /// and non-ASCII characters) the pieces are in bounds, on character boundaries, in
        /// order and disjoint: the REPL slices the line between them.
        #[test]
        fn pieces_are_ordered_and_disjoint(
            src in "([a-z0-9_ '\"#\\\\\n\r.():=+xbjfre€é]|'''|\"\"\")*"
        ) {
            let mut end = 0;
            for (_, range) in classify(&src) {
                proptest::prop_assert!(end <= range.start && range.start < range.end);
                proptest::prop_assert!(range.end <= src.len());
                proptest::prop_assert!(src.is_char_boundary(range.start));
                proptest::prop_assert!(src.is_char_boundary(range.end));
                end = range.end;
            }
        }
    }

    #[test]
    fn definitions_and_bad_numbers() {
        assert_eq!(
            classes("def f(): 0x"),
            vec![
                (Class::Keyword, "def"),
                (Class::Definition, "f"),
                (Class::Operator, "("),
                (Class::Operator, ")"),
                (Class::Operator, ":"),
                (Class::Number, "0"),
                (Class::Name, "x"),
            ]
        );
    }
}
