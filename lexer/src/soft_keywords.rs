//! The soft keywords `match` and `case`: names everywhere except where they start a match
//! statement or one of its case blocks.
//!
//! CPython's PEG parser decides by backtracking; an LR parser needs the decision up front.
//! A `match` at the start of a logical line is the keyword when the next token can start an
//! expression and the line's last token at bracket depth 0 is a `:` (a match header always
//! ends with `:` followed by its block; `match[x]: int = 1` and `match(x)` do not). A `case`
//! is the keyword when it starts a line directly inside a match statement's block.

use crate::token::{Tok, Token};

/// The soft-keyword pass, fed a token stream in pieces that each start at a logical line
/// (the lexer feeds it one logical line at a time).
#[derive(Default)]
pub(crate) struct SoftKeywords {
    /// Block depth (INDENT count) of each open match statement's case blocks.
    case_levels: Vec<usize>,
    /// The current block depth.
    depth: usize,
}

impl SoftKeywords {
    /// Rewrites the soft keywords of `tokens`, which start at the beginning of a logical line.
    pub(crate) fn rewrite(&mut self, tokens: &mut [Token<'_>]) {
        let mut line_start = true;
        let mut i = 0;
        while i < tokens.len() {
            match tokens[i].tok {
                Tok::Indent => {
                    self.depth += 1;
                    i += 1;
                    continue;
                }
                Tok::Dedent => {
                    self.depth = self.depth.saturating_sub(1);
                    while self
                        .case_levels
                        .last()
                        .is_some_and(|&level| level > self.depth)
                    {
                        self.case_levels.pop();
                    }
                    i += 1;
                    continue;
                }
                Tok::Newline => {
                    line_start = true;
                    i += 1;
                    continue;
                }
                _ => {}
            }
            if line_start {
                if tokens[i].tok == Tok::Name("match") && is_match_header(tokens, i) {
                    tokens[i].tok = Tok::Match;
                    self.case_levels.push(self.depth + 1);
                } else if tokens[i].tok == Tok::Name("case")
                    && self.case_levels.last() == Some(&self.depth)
                    && tokens.get(i + 1).is_some_and(|t| starts_pattern(&t.tok))
                {
                    tokens[i].tok = Tok::Case;
                }
            }
            line_start = false;
            i += 1;
        }
    }
}

/// Whether the line starting with `match` at `at` is a match statement's header.
fn is_match_header(tokens: &[Token<'_>], at: usize) -> bool {
    if !tokens.get(at + 1).is_some_and(|t| starts_subject(&t.tok)) {
        return false;
    }
    let mut nesting = 0i32;
    let mut last_top_level = None;
    for token in &tokens[at + 1..] {
        match token.tok {
            Tok::LPar | Tok::LSqb | Tok::LBrace => nesting += 1,
            Tok::RPar | Tok::RSqb | Tok::RBrace => nesting -= 1,
            Tok::Newline => break,
            _ => {}
        }
        if nesting == 0 {
            last_top_level = Some(&token.tok);
        }
    }
    matches!(last_top_level, Some(Tok::Colon))
}

/// Tokens that can start a match subject.
fn starts_subject(tok: &Tok<'_>) -> bool {
    matches!(
        tok,
        Tok::Name(_)
            | Tok::Int(_)
            | Tok::Float(_)
            | Tok::Imaginary(_)
            | Tok::Str(_)
            | Tok::Bytes(_)
            | Tok::FString(_)
            | Tok::LPar
            | Tok::LSqb
            | Tok::LBrace
            | Tok::Minus
            | Tok::Plus
            | Tok::Tilde
            | Tok::Star
            | Tok::Not
            | Tok::Await
            | Tok::Lambda
            | Tok::None
            | Tok::True
            | Tok::False
            | Tok::Ellipsis
    )
}

/// Tokens that can start a case pattern.
fn starts_pattern(tok: &Tok<'_>) -> bool {
    matches!(
        tok,
        Tok::Name(_)
            | Tok::Int(_)
            | Tok::Float(_)
            | Tok::Imaginary(_)
            | Tok::Str(_)
            | Tok::Bytes(_)
            | Tok::FString(_)
            | Tok::LPar
            | Tok::LSqb
            | Tok::LBrace
            | Tok::Minus
            | Tok::Star
            | Tok::None
            | Tok::True
            | Tok::False
    )
}

#[cfg(test)]
mod tests {
    use crate::{tokenize, Tok};

    fn soft(src: &str) -> Vec<&'static str> {
        let (tokens, error) = tokenize(src);
        assert!(error.is_none());
        tokens
            .iter()
            .filter(|t| matches!(t.tok, Tok::Match | Tok::Case))
            .map(|t| t.tok.text())
            .collect()
    }

    #[test]
    fn match_statements_use_keywords() {
        assert_eq!(
            soft("match x:\n    case 1:\n        pass\n    case _: pass\n"),
            ["match", "case", "case"]
        );
        assert_eq!(
            soft("match (x):\n case [a]:\n  match a:\n   case 1: pass\n case 2: pass\n"),
            ["match", "case", "match", "case", "case"]
        );
    }

    #[test]
    fn names_stay_names() {
        assert!(soft("match = 1\nmatch(x)\nmatch[x]: int = 1\nmatch.a: int\ncase = 2\ncase(x)\nprint(match, case)\n").is_empty());
        assert!(soft("if x:\n    case: int = 1\n").is_empty());
    }
}
