//! aio's lexer: turns source text into [`Token`]s with byte [`Span`]s.
//!
//! Three stages, each in its own module:
//! 1. `raw` — a `logos` lexer for names, numbers, strings, operators, comments, whitespace
//!    runs and newlines;
//! 2. `layout` — Python's layout rules: NEWLINE / INDENT / DEDENT from a stack of indentation
//!    widths, implicit line joining inside brackets, backslash continuation, and the soft
//!    keywords `match` / `case`;
//! 3. `literal` — decoding of numbers and string escapes.
//!
//! [`fstring`] splits an f-string token into literal text and fields; the parser parses the
//! fields' expressions. [`dump`] renders a token stream for `aio --tokens` and snapshot tests;
//! [`highlight`] classifies text for syntax highlighting, tolerating incomplete input.

pub mod dump;
pub mod error;
pub mod fstring;
pub mod highlight;
mod layout;
pub mod literal;
pub mod printable;
mod raw;
mod soft_keywords;
pub mod span;
pub mod token;

pub use error::{SyntaxError, SyntaxErrorKind};
pub use span::{LineIndex, Position, Span};
pub use token::{FStringToken, IntValue, Tok, Token};

/// What kind of source is being lexed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A module or an interactive input: full layout rules.
    Module,
    /// A lone expression, as in an f-string field: lexed as if inside parentheses, so
    /// newlines are joined and no NEWLINE / INDENT / DEDENT tokens are produced.
    Expression,
}

/// Lexes `source` in `mode`. Every span is shifted by `offset` (the position of `source`
/// inside a larger text, for f-string fields).
///
/// Returns the tokens before the first error, and that error if there is one, so the parser
/// can report an earlier syntax error first, as CPython does.
pub fn tokenize_with(
    source: &str,
    mode: Mode,
    offset: u32,
) -> (Vec<Token<'_>>, Option<SyntaxError>) {
    let mut lines = LineLexer::new(source, mode, offset);
    let mut all = Vec::with_capacity(source.len() / 6 + 8);
    let mut line = Vec::new();
    loop {
        let result = lines.next_line(&mut line);
        all.append(&mut line);
        match result {
            Ok(true) => {}
            Ok(false) => return (all, None),
            Err(error) => return (all, Some(error)),
        }
    }
}

/// Lexes a whole module (see [`tokenize_with`]).
pub fn tokenize(source: &str) -> (Vec<Token<'_>>, Option<SyntaxError>) {
    tokenize_with(source, Mode::Module, 0)
}

/// A lexer that produces a source's tokens one logical line at a time, so that a parser can
/// consume them without the whole file's tokens in memory.
pub struct LineLexer<'a> {
    layout: layout::Layout<'a>,
    soft_keywords: Option<soft_keywords::SoftKeywords>,
}

impl<'a> LineLexer<'a> {
    /// Prepares to lex `source` in `mode`, shifting spans by `offset` (see [`tokenize_with`]).
    pub fn new(source: &'a str, mode: Mode, offset: u32) -> LineLexer<'a> {
        LineLexer {
            layout: layout::Layout::new(source, mode, offset),
            soft_keywords: (mode == Mode::Module).then(Default::default),
        }
    }

    /// Replaces the contents of `line` with the next logical line's tokens: the INDENT /
    /// DEDENT tokens before it, its tokens and its NEWLINE (at the end of input, the final
    /// NEWLINE and DEDENTs). Returns whether more lines may follow. On an error, `line`
    /// holds the tokens lexed before it, and later calls produce nothing.
    pub fn next_line(&mut self, line: &mut Vec<Token<'a>>) -> Result<bool, SyntaxError> {
        let result = self.layout.next_line(line);
        if let Some(soft_keywords) = &mut self.soft_keywords {
            soft_keywords.rewrite(line);
        }
        result
    }
}
