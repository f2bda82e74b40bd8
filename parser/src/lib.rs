//! aio's parser: an LR(1) grammar (lalrpop) over the tokens of `aio-lexer`, producing the
//! typed syntax tree of [`ast`] with a span on every node, or a [`SyntaxError`] worded as
//! CPython 3.11 words it.
//!
//! Entry points: [`parse_module`] for files and REPL inputs, [`parse_expression_at`] for
//! lone expressions (f-string fields), [`parse_interactive`] for REPL inputs (complete,
//! incomplete or invalid). [`dump::dump_module`] renders a tree for
//! `aio --ast` and snapshot tests.

pub mod ast;
mod builder;
mod depth;
pub mod dump;
mod errors;
mod fstring;
pub mod interactive;
pub mod source;
mod tokens;

use aio_lexer::{Mode, Token};
pub use aio_lexer::{Span, SyntaxError, SyntaxErrorKind};
use ast::{Expr, Module, StmtKind};
pub use interactive::{parse_interactive, Input};

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused_qualifications, missing_docs)]
    grammar
);

/// The deepest nesting of syntax (statements and expressions) accepted, as CPython's
/// compiler limit: deeper input is a `RecursionError`, not a crash.
pub const MAX_NESTING: usize = 3000;

/// Parses a module (a file, or an input of the REPL).
pub fn parse_module(source: &str) -> Result<Module, SyntaxError> {
    let mut stream = tokens::Stream::new(source);
    let module = run_parser(source, 0, &mut stream, || {
        let (mut tokens, error) = aio_lexer::tokenize(source);
        tokens::unwrap_with_items(&mut tokens);
        (tokens, error)
    })?;
    if stream.depth_bound() < MAX_NESTING as u64 {
        return Ok(module);
    }
    depth::check(module)
}

/// Parses `text`, which stands at byte `offset` of a larger source, as one expression, as
/// CPython parses an f-string field: as if it were in parentheses. Spans are absolute.
pub fn parse_expression_at(text: &str, offset: u32) -> Result<Expr, SyntaxError> {
    let end = offset + text.len() as u32;
    let lex = || {
        let (tokens, error) = aio_lexer::tokenize_with(text, Mode::Expression, offset);
        (tokens::frame_expression(tokens, offset, end), error)
    };
    let (framed, lex_error) = lex();
    let stream = framed
        .into_iter()
        .map(|t| Ok((t.span.start, t.tok, t.span.end)))
        .chain(lex_error.map(Err));
    let module = run_parser(text, offset, stream, lex).map_err(|mut e| {
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

/// Parses `text`, at byte `offset` of a larger source, as one expression as
/// [`parse_expression_at`] does, but words no error: the error paths use it to measure
/// operands, and wording (which measures operands again) would make them exponential.
pub(crate) fn quiet_expression_at(text: &str, offset: u32) -> Option<Expr> {
    let end = offset + text.len() as u32;
    let (tokens, error) = aio_lexer::tokenize_with(text, Mode::Expression, offset);
    if error.is_some() {
        return None;
    }
    let stream = tokens::frame_expression(tokens, offset, end)
        .into_iter()
        .map(|t| Ok::<_, SyntaxError>((t.span.start, t.tok, t.span.end)));
    let module = grammar::ModuleParser::new().parse(stream).ok()?;
    match depth::check(module).ok()?.body.into_iter().next()?.kind {
        StmtKind::Expr(e) => Some(e),
        _ => None,
    }
}

/// Runs the LR parser over `stream` of `source`, which stands at byte `base` of the text
/// spans refer to. On a parse error, `relex` gives the whole token stream and the lexer's
/// error again, so the error can be worded from its context and a later tokenizer error can
/// take priority, as in CPython (errors are rare; keeping every token would cost every
/// parse).
fn run_parser<'a>(
    source: &str,
    base: u32,
    stream: impl Iterator<Item = tokens::Triple<'a>>,
    relex: impl FnOnce() -> (Vec<Token<'a>>, Option<SyntaxError>),
) -> Result<Module, SyntaxError> {
    let mut module = grammar::ModuleParser::new().parse(stream).map_err(|err| {
        // The wording slices the source at the spans: pad it to where they count from.
        let padded;
        let source = if base == 0 {
            source
        } else {
            padded = format!("{}{source}", " ".repeat(base as usize));
            &padded
        };
        let failed_at = errors::failure_offset(&err);
        let (tokens, lex_error) = relex();
        let parse_error = errors::convert(err, &tokens, source);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The depth bound that lets `parse_module` skip the depth walk must hold: checked on
    /// every fixture and on constructs that nest without tokens of their own.
    #[test]
    fn depth_bound_holds() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
        let mut sources: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "aio"))
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        let elifs = format!("if a: pass\n{}else: pass\n", "elif b: pass\n".repeat(300));
        let nested_blocks = (0..60).fold(String::new(), |mut s, i| {
            s.push_str(&" ".repeat(i));
            s.push_str("try:\n");
            s
        }) + &" ".repeat(60)
            + "pass\n"
            + &(0..60).rev().fold(String::new(), |mut s, i| {
                s.push_str(&" ".repeat(i));
                s.push_str("finally: pass\n");
                s
            });
        sources.extend([
            elifs,
            nested_blocks,
            "x = lambda: lambda: lambda: (yield)\n".to_string(),
            "match x:\n case a.b | [c, *d] | {1: e, **f} | C(g, h=i) as j: pass\n".to_string(),
            format!("x = {}1{}\n", "-(".repeat(100), ")".repeat(100)),
            "f'{a!r:{b}}' 'c' f'{d=}'\n".to_string(),
            "@d\nclass C(B, metaclass=M):\n def f(self, a: int = 1, *b, c, **d) -> X: ...\n"
                .to_string(),
            "x = a if b else c if d else e if f else g\n".to_string(),
        ]);
        for source in &sources {
            let mut stream = tokens::Stream::new(source);
            let module = grammar::ModuleParser::new()
                .parse(&mut stream)
                .unwrap_or_else(|e| panic!("{source:?} parses: {e:?}"));
            let depth = depth::max_depth(&module) as u64;
            assert!(
                depth <= stream.depth_bound(),
                "depth {depth} > bound {} for {source:?}",
                stream.depth_bound()
            );
        }
    }
}
