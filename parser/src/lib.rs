//! aio's parser: an LR(1) grammar (lalrpop) over the tokens of `aio-lexer`, producing the
//! typed syntax tree of [`ast`] with a span on every node, or a [`SyntaxError`] worded as
//! CPython 3.11 words it.
//!
//! Entry points: [`parse_module`] for files and REPL inputs, [`parse_expression_at`] for
//! lone expressions (f-string fields). [`dump::dump_module`] renders a tree for
//! `aio --ast` and snapshot tests.

pub mod ast;
mod builder;
mod depth;
pub mod dump;
mod errors;
mod fstring;
pub mod source;
mod tokens;

use aio_lexer::{Mode, Token};
pub use aio_lexer::{Span, SyntaxError, SyntaxErrorKind};
use ast::{Expr, Module, StmtKind};

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused_qualifications, missing_docs)]
    grammar
);

/// The deepest nesting of syntax (statements and expressions) accepted, as CPython's
/// compiler limit: deeper input is a `RecursionError`, not a crash.
pub const MAX_NESTING: usize = 3000;

/// Parses a module (a file, or an input of the REPL).
pub fn parse_module(source: &str) -> Result<Module, SyntaxError> {
    let (mut tokens, lex_error) = aio_lexer::tokenize(source);
    tokens::unwrap_with_items(&mut tokens);
    let module = run_parser(source, tokens, lex_error, || {
        let (mut tokens, _) = aio_lexer::tokenize(source);
        tokens::unwrap_with_items(&mut tokens);
        tokens
    })?;
    depth::check(module)
}

/// Parses `text`, which stands at byte `offset` of a larger source, as one expression, as
/// CPython parses an f-string field: as if it were in parentheses. Spans are absolute.
pub fn parse_expression_at(text: &str, offset: u32) -> Result<Expr, SyntaxError> {
    let end = offset + text.len() as u32;
    let (tokens, lex_error) = aio_lexer::tokenize_with(text, Mode::Expression, offset);
    let framed = tokens::frame_expression(tokens, offset, end);
    let module = run_parser(text, framed, lex_error, || {
        let (tokens, _) = aio_lexer::tokenize_with(text, Mode::Expression, offset);
        tokens::frame_expression(tokens, offset, end)
    })
    .map_err(|mut e| {
        // Errors of the synthetic framing refer to the field as a whole.
        if e.span.start < offset || e.span.end > end {
            e.span = Span::new(offset, end);
        }
        e
    })?;
    let module = depth::check(module)?;
    match module.body.into_iter().next().map(|s| s.kind) {
        Some(StmtKind::Expr(e)) => Ok(e),
        _ => Err(SyntaxError::new("invalid syntax", Span::new(offset, end))),
    }
}

/// Feeds `tokens` (then `lex_error`, if the lexer stopped early) to the LR parser. On a parse
/// error, `relex` gives the token stream again so the error can be worded from its context
/// (errors are rare; keeping a copy of every stream would cost every parse).
fn run_parser<'a>(
    source: &str,
    tokens: Vec<Token<'a>>,
    lex_error: Option<SyntaxError>,
    relex: impl FnOnce() -> Vec<Token<'a>>,
) -> Result<Module, SyntaxError> {
    let stream = tokens
        .into_iter()
        .map(|t| Ok((t.span.start, t.tok, t.span.end)))
        .chain(lex_error.clone().map(Err));
    let mut module = grammar::ModuleParser::new().parse(stream).map_err(|err| {
        let failed_at = errors::failure_offset(&err);
        let parse_error = errors::convert(err, &relex(), source);
        match lex_error {
            Some(lex_error) if lex_error != parse_error => {
                errors::prefer_tokenizer_error(parse_error, failed_at, lex_error, source)
            }
            _ => parse_error,
        }
    })?;
    module.span = Span::new(0, source.len() as u32);
    Ok(module)
}
