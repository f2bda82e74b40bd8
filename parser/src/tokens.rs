//! Token preparation between the lexer and the LR parser: the rewrites an LR(1) grammar
//! cannot express, and the framing of lone expressions.

use aio_lexer::{Span, Tok, Token};

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
