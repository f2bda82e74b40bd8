//! Token preparation between the lexer and the LR parser: the rewrites an LR(1) grammar
//! cannot express, and the framing of lone expressions.

use aio_lexer::{LineLexer, Mode, Span, SyntaxError, Tok, Token};

/// What the LR parser consumes: `(start, token, end)` triples, or the lexer's error.
pub type Triple<'a> = Result<(u32, Tok<'a>, u32), SyntaxError>;

/// A module's tokens for the parser, made a logical line at a time (with the `with (...)`
/// rewrite applied to each line), then the lexer's error if it stops at one. Only the
/// current line's tokens are held.
pub struct Stream<'a> {
    lexer: LineLexer<'a>,
    line: Vec<Token<'a>>,
    /// The next token of `line` to hand out.
    next: usize,
    error: Option<SyntaxError>,
    finished: bool,
    /// Current and deepest block nesting (INDENT count).
    indent: u32,
    max_indent: u32,
    /// The longest logical line, in bytes.
    max_line: u32,
    /// Per block depth, the length of the `elif` chain in progress: each clause nests an
    /// `If` in the previous one's `orelse`.
    elif_chains: Vec<u32>,
    /// The longest `elif` chain.
    elifs: u32,
}

impl<'a> Stream<'a> {
    /// The token stream of the module `source`.
    pub fn new(source: &'a str) -> Stream<'a> {
        Stream {
            lexer: LineLexer::new(source, Mode::Module, 0),
            line: Vec::new(),
            next: 0,
            error: None,
            finished: false,
            indent: 0,
            max_indent: 0,
            max_line: 0,
            elif_chains: Vec::new(),
            elifs: 0,
        }
    }

    /// An upper bound of the depth of the tree parsed from the tokens handed out so far.
    ///
    /// Nesting comes from three sources: blocks (at most a few nodes per indentation level:
    /// a statement, a handler or case, a pattern), `elif` chains (an `If` per clause), and
    /// the expressions and simple statements of one logical line, where every node but a
    /// few wrappers (`Expr` statements, `arguments`, values in patterns) owns a token of its
    /// own, so their depth is below twice the line's length in bytes (f-string fields are
    /// text of their token). The parser skips its depth walk when the bound is under the
    /// limit, as it is for all ordinary code.
    pub fn depth_bound(&self) -> u64 {
        4 * u64::from(self.max_indent)
            + 2 * u64::from(self.max_line)
            + 2 * u64::from(self.elifs)
            + 16
    }

    /// Follows `elif` chains: a line at depth d that starts with `elif` extends the chain
    /// at depth d; any other statement there (but `else`) ends it.
    fn count_elif(&mut self, first: &Tok<'_>) {
        let depth = self.indent as usize;
        if self.elif_chains.len() <= depth {
            self.elif_chains.resize(depth + 1, 0);
        }
        match first {
            Tok::Elif => {
                self.elif_chains[depth] += 1;
                self.elifs = self.elifs.max(self.elif_chains[depth]);
            }
            Tok::Else => {}
            _ => self.elif_chains[depth] = 0,
        }
    }

    fn measure_line(&mut self) {
        let mut first = None;
        let mut last = 0;
        let line = std::mem::take(&mut self.line);
        for token in &line {
            match token.tok {
                Tok::Indent => {
                    self.indent += 1;
                    self.max_indent = self.max_indent.max(self.indent);
                }
                Tok::Dedent => self.indent = self.indent.saturating_sub(1),
                _ => {}
            }
            if !matches!(token.tok, Tok::Indent | Tok::Dedent) {
                if first.is_none() {
                    self.count_elif(&token.tok);
                }
                first.get_or_insert(token.span.start);
                last = token.span.end;
            }
        }
        self.line = line;
        if let Some(first) = first {
            self.max_line = self.max_line.max(last.saturating_sub(first));
        }
    }
}

impl<'a> Iterator for Stream<'a> {
    type Item = Triple<'a>;

    fn next(&mut self) -> Option<Triple<'a>> {
        loop {
            if let Some(token) = self.line.get_mut(self.next) {
                self.next += 1;
                // Move the token out, leaving a cheap placeholder; the buffer is reused.
                let tok = std::mem::replace(&mut token.tok, Tok::Newline);
                return Some(Ok((token.span.start, tok, token.span.end)));
            }
            if let Some(error) = self.error.take() {
                self.finished = true;
                return Some(Err(error));
            }
            if self.finished {
                return None;
            }
            self.next = 0;
            match self.lexer.next_line(&mut self.line) {
                Ok(more) => self.finished = !more,
                Err(error) => self.error = Some(error),
            }
            unwrap_with_items(&mut self.line);
            self.measure_line();
        }
    }
}

/// Removes the parentheses of `with (a as b, c):`, which an LR(1) grammar cannot tell
/// from a parenthesised tuple until it is too late. CPython's first `with_stmt`
/// alternative takes `(` items `)` when the `)` is followed by `:`; the parentheses are
/// removed when they hold a top-level `as` or `,` (so `with (a, b):` has two items, as in
/// CPython) and a trailing comma inside them is dropped with them.
pub fn unwrap_with_items(tokens: &mut Vec<Token<'_>>) {
    let mut remove: Vec<usize> = Vec::new();
    for i in 0..tokens.len() {
        if tokens[i].tok != Tok::With || tokens.get(i + 1).map(|t| &t.tok) != Some(&Tok::LPar) {
            continue;
        }
        let open = i + 1;
        let mut depth = 0usize;
        let mut close = None;
        let mut top_level_separator = false;
        for (j, t) in tokens.iter().enumerate().skip(open) {
            match t.tok {
                Tok::LPar | Tok::LSqb | Tok::LBrace => depth += 1,
                Tok::RPar | Tok::RSqb | Tok::RBrace => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(j);
                        break;
                    }
                }
                Tok::As if depth == 1 => top_level_separator = true,
                Tok::Comma if depth == 1 => top_level_separator = true,
                Tok::Newline => break,
                _ => {}
            }
        }
        let Some(close) = close else { continue };
        if !top_level_separator || tokens.get(close + 1).map(|t| &t.tok) != Some(&Tok::Colon) {
            continue;
        }
        remove.push(open);
        if tokens[close - 1].tok == Tok::Comma {
            remove.push(close - 1);
        }
        remove.push(close);
    }
    if remove.is_empty() {
        return;
    }
    remove.sort_unstable();
    let mut k = 0;
    let mut idx = 0;
    tokens.retain(|_| {
        let keep = !(k < remove.len() && remove[k] == idx);
        if !keep {
            k += 1;
        }
        idx += 1;
        keep
    });
}

/// Frames the tokens of a lone expression as `( expr ) NEWLINE`, so that the module
/// grammar parses it as an expression statement (CPython 3.11 parses f-string fields the
/// same way, in parentheses).
pub fn frame_expression<'a>(tokens: Vec<Token<'a>>, start: u32, end: u32) -> Vec<Token<'a>> {
    let mut framed = Vec::with_capacity(tokens.len() + 3);
    framed.push(Token {
        tok: Tok::LPar,
        span: Span::at(start),
    });
    framed.extend(tokens);
    framed.push(Token {
        tok: Tok::RPar,
        span: Span::at(end),
    });
    framed.push(Token {
        tok: Tok::Newline,
        span: Span::at(end),
    });
    framed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<&'static str> {
        let (mut tokens, err) = aio_lexer::tokenize(src);
        assert!(err.is_none());
        unwrap_with_items(&mut tokens);
        tokens.iter().map(|t| t.tok.text()).collect()
    }

    #[test]
    fn parenthesised_with_items_lose_their_parentheses() {
        assert_eq!(
            kinds("with (a as b, c,):\n pass\n")[..7],
            ["with", "NAME", "as", "NAME", ",", "NAME", ":"]
        );
        assert_eq!(
            kinds("with (a, b):\n pass\n")[..5],
            ["with", "NAME", ",", "NAME", ":"]
        );
    }

    #[test]
    fn tuple_context_managers_keep_them() {
        assert_eq!(
            kinds("with (a, b) as c:\n pass\n")[..7],
            ["with", "(", "NAME", ",", "NAME", ")", "as"]
        );
        assert_eq!(
            kinds("with (a):\n pass\n")[..5],
            ["with", "(", "NAME", ")", ":"]
        );
    }
}
