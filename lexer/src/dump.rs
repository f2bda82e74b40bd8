//! A readable rendering of a token stream, one token per line, for `aio --tokens` and the
//! lexer's snapshot tests:
//!
//! ```text
//! 1:0-1:5 Name "print"
//! 1:5-1:6 (
//! 1:6-1:7 Int 1
//! ```
//!
//! Positions are `line:column` with 1-based lines and 0-based character columns.

use crate::error::SyntaxError;
use crate::span::{LineIndex, Span};
use crate::token::{Tok, Token};
use std::fmt::Write;

/// Renders `tokens` (lexed from `source`), then `error` if lexing stopped at one.
pub fn dump_tokens(source: &str, tokens: &[Token<'_>], error: Option<&SyntaxError>) -> String {
    let index = LineIndex::new(source);
    let mut out = String::new();
    for token in tokens {
        let _ = writeln!(
            out,
            "{} {}",
            range(&index, source, token.span),
            describe(&token.tok)
        );
    }
    if let Some(error) = error {
        let _ = writeln!(
            out,
            "{} error {}",
            range(&index, source, error.span),
            error.summary()
        );
    }
    out
}

fn range(index: &LineIndex, source: &str, span: Span) -> String {
    let start = index.position(source, span.start);
    let end = index.position(source, span.end);
    format!(
        "{}:{}-{}:{}",
        start.line, start.column, end.line, end.column
    )
}

/// One token's kind and, for names and literals, its value.
fn describe(tok: &Tok<'_>) -> String {
    match tok {
        Tok::Newline => "Newline".into(),
        Tok::Indent => "Indent".into(),
        Tok::Dedent => "Dedent".into(),
        Tok::Name(name) => format!("Name {name:?}"),
        Tok::Int(value) => format!("Int {value}"),
        Tok::Float(value) => format!("Float {value:?}"),
        Tok::Imaginary(value) => format!("Imaginary {value:?}j"),
        Tok::Str(value) => format!("Str {value:?}"),
        Tok::Bytes(value) => format!("Bytes b\"{}\"", value.escape_ascii()),
        Tok::FString(f) => format!("FString {:?}{}", f.body, if f.raw { " raw" } else { "" }),
        Tok::Match | Tok::Case => format!("SoftKeyword {}", tok.text()),
        other if Tok::keyword(other.text()).is_some() => format!("Keyword {}", other.text()),
        other => other.text().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize;

    #[test]
    fn renders_positions_and_values() {
        let source = "if x:\n    y = 'a'\n";
        let (tokens, error) = tokenize(source);
        let dump = dump_tokens(source, &tokens, error.as_ref());
        assert_eq!(
            dump,
            "1:0-1:2 Keyword if\n1:3-1:4 Name \"x\"\n1:4-1:5 :\n1:5-2:0 Newline\n\
             2:0-2:4 Indent\n2:4-2:5 Name \"y\"\n2:6-2:7 =\n2:8-2:11 Str \"a\"\n2:11-3:0 Newline\n\
             3:0-3:0 Dedent\n"
        );
    }

    #[test]
    fn renders_the_error() {
        let (tokens, error) = tokenize("(");
        let dump = dump_tokens("(", &tokens, error.as_ref());
        assert!(
            dump.ends_with("error SyntaxError: '(' was never closed\n"),
            "{dump}"
        );
    }
}
