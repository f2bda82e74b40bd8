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
//! fields' expressions. [`dump`] renders a token stream for `aio --tokens` and snapshot tests.

pub mod dump;
pub mod error;
pub mod fstring;
mod layout;
pub mod literal;
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
    let (mut tokens, error) = layout::Layout::new(source, mode, offset).run();
    if mode == Mode::Module {
        soft_keywords::rewrite(&mut tokens);
    }
    (tokens, error)
}

/// Lexes a whole module (see [`tokenize_with`]).
pub fn tokenize(source: &str) -> (Vec<Token<'_>>, Option<SyntaxError>) {
    tokenize_with(source, Mode::Module, 0)
}
