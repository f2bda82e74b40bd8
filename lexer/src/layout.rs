//! Stage 2: Python's layout rules over the raw tokens, as CPython's tokenizer applies them.
//!
//! - A logical line ends with NEWLINE; blank and comment-only lines produce nothing.
//! - Inside `()`, `[]`, `{}` line breaks are ignored; a backslash joins the next line.
//! - The indentation of a logical line's first token is compared with a stack of widths:
//!   wider pushes and emits INDENT, narrower pops and emits one DEDENT per level, and must
//!   land on an outer level. Widths are measured twice — tabs to multiples of 8 and tabs as
//!   one column — and the two must agree on the order, or the indentation is a `TabError`.
//! - At the end of input: a NEWLINE if the last line had tokens, then a DEDENT per level.

use crate::error::{SyntaxError, SyntaxErrorKind};
use crate::literal;
use crate::raw::{NumberKind, Raw, RawError, StringShape};
use crate::span::{LineIndex, Span};
use crate::token::{FStringToken, Tok, Token};
use crate::Mode;
use logos::Logos;
use std::ops::Range;

/// CPython's limit on nested brackets (`MAXLEVEL`).
const MAX_BRACKETS: usize = 200;
/// CPython's limit on indentation levels (`MAXINDENT`).
const MAX_INDENT: usize = 100;

/// The layout pass over one source text. It runs a logical line at a time
/// ([`Layout::next_line`]), so the parser can consume tokens as they are made instead of
/// holding the whole file's tokens.
pub(crate) struct Layout<'a> {
    source: &'a str,
    mode: Mode,
    offset: u32,
    /// The raw lexer, positioned after the last raw token consumed.
    raw: logos::Lexer<'a, Raw>,
    /// The end of input has been handled (or an error met): nothing more to produce.
    done: bool,
    /// Where tokens are produced (the caller's line buffer during `next_line`).
    tokens: Vec<Token<'a>>,
    /// Indentation widths: (tabs to multiples of 8, tabs as 1).
    indents: Vec<(u32, u32)>,
    /// Open brackets and where they are.
    brackets: Vec<(char, Span)>,
    /// The next token starts a logical line.
    at_line_start: bool,
    /// Start of the current logical line's first physical line.
    line_start: usize,
}

impl<'a> Layout<'a> {
    /// Prepares to lex `source`, whose spans are shifted by `offset`.
    pub(crate) fn new(source: &'a str, mode: Mode, offset: u32) -> Layout<'a> {
        Layout {
            source,
            mode,
            offset,
            raw: Raw::lexer(source),
            done: false,
            tokens: Vec::new(),
            indents: vec![(0, 0)],
            brackets: Vec::new(),
            at_line_start: true,
            line_start: 0,
        }
    }

    /// Replaces the contents of `line` with the tokens of the next logical line: the
    /// INDENT / DEDENT tokens before it, its tokens and its NEWLINE (at the end of input:
    /// the closing NEWLINE and DEDENTs). Returns whether more lines may follow. On an error,
    /// `line` holds the tokens lexed before it.
    pub(crate) fn next_line(&mut self, line: &mut Vec<Token<'a>>) -> Result<bool, SyntaxError> {
        line.clear();
        std::mem::swap(&mut self.tokens, line);
        let result = self.lex_line();
        std::mem::swap(&mut self.tokens, line);
        if result.is_err() {
            self.done = true;
        }
        result.map(|()| !self.done)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(start as u32 + self.offset, end as u32 + self.offset)
    }

    fn push(&mut self, tok: Tok<'a>, start: usize, end: usize) {
        let span = self.span(start, end);
        self.tokens.push(Token { tok, span });
    }

    /// Where the NEWLINE token that ends at the line break `range` lies: as in CPython's
    /// tokenizer, a comment after the line's last token (ending at `last_end`) is its text,
    /// so errors reported at the NEWLINE underline the comment.
    fn newline_extent(&self, last_end: Option<usize>, range: Range<usize>) -> (usize, usize) {
        let comment = last_end.and_then(|end| {
            let gap = self.source.get(end..range.start)?;
            gap.find('#').map(|at| end + at)
        });
        match comment {
            Some(start) => (start, range.end),
            None => (range.start, range.end),
        }
    }

    /// Lexes up to and including the next NEWLINE, or to the end of input.
    fn lex_line(&mut self) -> Result<(), SyntaxError> {
        if self.done {
            return Ok(());
        }
        if self.raw.span().end == 0 {
            if let Some(at) = self.source.find('\0') {
                return Err(SyntaxError::new(
                    "source code cannot contain null bytes",
                    self.span(at, at + 1),
                )
                .without_caret());
            }
        }
        // The end of the line's last token: a comment after it belongs to the NEWLINE.
        let mut last_end = None;
        while let Some(next) = self.raw.next() {
            let range = self.raw.span();
            let raw = next.map_err(|e| self.raw_error(e))?;
            match raw {
                Raw::Newline => {
                    if self.mode == Mode::Expression || !self.brackets.is_empty() {
                        continue;
                    }
                    self.line_start = range.end;
                    if !self.at_line_start {
                        self.at_line_start = true;
                        let (start, end) = self.newline_extent(last_end, range);
                        self.push(Tok::Newline, start, end);
                        return Ok(());
                    }
                }
                Raw::Continuation | Raw::Backslash => {}
                _ => {
                    if self.at_line_start {
                        if self.mode == Mode::Module {
                            self.indentation(range.start)?;
                        }
                        self.at_line_start = false;
                    }
                    let tok = self.token(raw, range.start, range.end, self.raw.slice())?;
                    self.push(tok, range.start, range.end);
                    last_end = Some(range.end);
                }
            }
        }
        self.done = true;
        self.end_of_input(last_end)
    }

    /// The token for a raw token that is not layout.
    fn token(
        &mut self,
        raw: Raw,
        start: usize,
        end: usize,
        text: &'a str,
    ) -> Result<Tok<'a>, SyntaxError> {
        Ok(match raw {
            Raw::Name => Tok::keyword(text).unwrap_or(Tok::Name(text)),
            Raw::Number(kind) => match kind {
                NumberKind::Int(radix) => Tok::Int(literal::decode_int(text, radix)),
                NumberKind::Float => Tok::Float(literal::decode_float(text)),
                NumberKind::Imaginary => Tok::Imaginary(literal::decode_imaginary(text)),
            },
            Raw::String(shape) => self.string(shape, start, end, text)?,
            Raw::LPar => self.open('(', start)?,
            Raw::LSqb => self.open('[', start)?,
            Raw::LBrace => self.open('{', start)?,
            Raw::RPar => self.close(')', start)?,
            Raw::RSqb => self.close(']', start)?,
            Raw::RBrace => self.close('}', start)?,
            Raw::Colon => Tok::Colon,
            Raw::Comma => Tok::Comma,
            Raw::Semi => Tok::Semi,
            Raw::Plus => Tok::Plus,
            Raw::Minus => Tok::Minus,
            Raw::Star => Tok::Star,
            Raw::Slash => Tok::Slash,
            Raw::Vbar => Tok::Vbar,
            Raw::Amper => Tok::Amper,
            Raw::Less => Tok::Less,
            Raw::Greater => Tok::Greater,
            Raw::Equal => Tok::Equal,
            Raw::Dot => Tok::Dot,
            Raw::Percent => Tok::Percent,
            Raw::EqEqual => Tok::EqEqual,
            Raw::NotEqual => Tok::NotEqual,
            Raw::LessEqual => Tok::LessEqual,
            Raw::GreaterEqual => Tok::GreaterEqual,
            Raw::Tilde => Tok::Tilde,
            Raw::Circumflex => Tok::Circumflex,
            Raw::LeftShift => Tok::LeftShift,
            Raw::RightShift => Tok::RightShift,
            Raw::DoubleStar => Tok::DoubleStar,
            Raw::PlusEqual => Tok::PlusEqual,
            Raw::MinEqual => Tok::MinEqual,
            Raw::StarEqual => Tok::StarEqual,
            Raw::SlashEqual => Tok::SlashEqual,
            Raw::PercentEqual => Tok::PercentEqual,
            Raw::AmperEqual => Tok::AmperEqual,
            Raw::VbarEqual => Tok::VbarEqual,
            Raw::CircumflexEqual => Tok::CircumflexEqual,
            Raw::LeftShiftEqual => Tok::LeftShiftEqual,
            Raw::RightShiftEqual => Tok::RightShiftEqual,
            Raw::DoubleStarEqual => Tok::DoubleStarEqual,
            Raw::DoubleSlash => Tok::DoubleSlash,
            Raw::DoubleSlashEqual => Tok::DoubleSlashEqual,
            Raw::At => Tok::At,
            Raw::AtEqual => Tok::AtEqual,
            Raw::Rarrow => Tok::Rarrow,
            Raw::Ellipsis => Tok::Ellipsis,
            Raw::ColonEqual => Tok::ColonEqual,
            Raw::Newline | Raw::Continuation | Raw::Backslash => {
                unreachable!("layout tokens are handled by the caller")
            }
        })
    }

    /// Decodes a string literal token.
    fn string(
        &self,
        shape: StringShape,
        start: usize,
        end: usize,
        text: &'a str,
    ) -> Result<Tok<'a>, SyntaxError> {
        let body_start = shape.prefix_len + shape.quote_len;
        let body = &text[body_start..text.len() - shape.quote_len];
        // CPython reports escape errors just after the literal.
        let at_end = |message: String| SyntaxError::new(message, self.span(end, end));
        if shape.format {
            return Ok(Tok::FString(FStringToken {
                body,
                body_start: (start + body_start) as u32 + self.offset,
                raw: shape.raw,
                end: end as u32 + self.offset,
            }));
        }
        if shape.bytes {
            return match literal::decode_bytes(body, shape.raw) {
                Ok(bytes) => Ok(Tok::Bytes(bytes)),
                Err(message) if !body.is_ascii() => {
                    Err(SyntaxError::new(message, self.span(start, end)))
                }
                Err(message) => Err(at_end(message)),
            };
        }
        literal::decode_str(body, shape.raw)
            .map(Tok::Str)
            .map_err(at_end)
    }

    fn open(&mut self, bracket: char, start: usize) -> Result<Tok<'a>, SyntaxError> {
        let span = self.span(start, start + 1);
        if self.brackets.len() >= MAX_BRACKETS {
            return Err(SyntaxError::new("too many nested parentheses", span));
        }
        self.brackets.push((bracket, span));
        Ok(match bracket {
            '(' => Tok::LPar,
            '[' => Tok::LSqb,
            _ => Tok::LBrace,
        })
    }

    fn close(&mut self, bracket: char, start: usize) -> Result<Tok<'a>, SyntaxError> {
        let span = self.span(start, start + 1);
        let Some((open, open_span)) = self.brackets.pop() else {
            return Err(SyntaxError::new(format!("unmatched '{bracket}'"), span));
        };
        let expected = match open {
            '(' => ')',
            '[' => ']',
            _ => '}',
        };
        if bracket != expected {
            let index = LineIndex::new(self.source);
            let open_line = index.line(open_span.start - self.offset);
            let line = index.line(start as u32);
            let mut message = format!(
                "closing parenthesis '{bracket}' does not match opening parenthesis '{open}'"
            );
            if open_line != line {
                message.push_str(&format!(" on line {open_line}"));
            }
            return Err(SyntaxError::new(message, span));
        }
        Ok(match bracket {
            ')' => Tok::RPar,
            ']' => Tok::RSqb,
            _ => Tok::RBrace,
        })
    }

    /// Measures the indentation of a logical line whose first token is at `token_start`, and
    /// emits INDENT / DEDENT tokens.
    fn indentation(&mut self, token_start: usize) -> Result<(), SyntaxError> {
        let (mut col, mut alt) = (0u32, 0u32);
        for b in self.source[self.line_start..token_start].bytes() {
            match b {
                b' ' => {
                    col += 1;
                    alt += 1;
                }
                b'\t' => {
                    col = (col / 8 + 1) * 8;
                    alt += 1;
                }
                b'\x0c' => {
                    col = 0;
                    alt = 0;
                }
                _ => break, // a backslash continuation before the first token
            }
        }
        let (top, top_alt) = *self.indents.last().unwrap_or(&(0, 0));
        let line_start = self.span(self.line_start, self.line_start);
        let tab_error = || {
            SyntaxError::new(
                "inconsistent use of tabs and spaces in indentation",
                line_start,
            )
            .with_kind(SyntaxErrorKind::Tab)
        };
        if col == top {
            if alt != top_alt {
                return Err(tab_error());
            }
        } else if col > top {
            if self.indents.len() >= MAX_INDENT {
                return Err(SyntaxError::indentation(
                    "too many levels of indentation",
                    self.span(token_start, token_start),
                ));
            }
            if alt <= top_alt {
                return Err(tab_error());
            }
            self.indents.push((col, alt));
            self.push(Tok::Indent, self.line_start, token_start);
        } else {
            while self.indents.len() > 1 && col < self.indents[self.indents.len() - 1].0 {
                self.indents.pop();
                self.push(Tok::Dedent, token_start, token_start);
            }
            let (top, top_alt) = self.indents[self.indents.len() - 1];
            if col != top {
                let line_end = self.source[token_start..]
                    .find(['\n', '\r'])
                    .map_or(self.source.len(), |i| token_start + i);
                return Err(SyntaxError::indentation(
                    "unindent does not match any outer indentation level",
                    self.span(line_end, line_end),
                ));
            }
            if alt != top_alt {
                return Err(tab_error());
            }
        }
        Ok(())
    }

    /// Closes the input; `last_end` is the end of the last line's last token, if the input
    /// does not end with a line break.
    fn end_of_input(&mut self, last_end: Option<usize>) -> Result<(), SyntaxError> {
        let end = self.source.len();
        if let Some(&(open, span)) = self.brackets.last() {
            return Err(
                SyntaxError::new(format!("'{open}' was never closed"), span).with_incomplete()
            );
        }
        if self.mode == Mode::Module {
            if !self.at_line_start {
                let (start, end) = self.newline_extent(last_end, end..end);
                self.push(Tok::Newline, start, end);
            }
            while self.indents.len() > 1 {
                self.indents.pop();
                self.push(Tok::Dedent, end, end);
            }
        }
        Ok(())
    }

    /// Turns a raw error into a syntax error worded as CPython words it.
    fn raw_error(&self, error: RawError) -> SyntaxError {
        let eof = self.source.len();
        match error {
            RawError::Message { message, at, end } => {
                SyntaxError::new(message, self.span(at, end.max(at)))
            }
            RawError::InvalidCharacter { ch, at } => {
                let span = self.span(at, at + ch.len_utf8());
                if ch.is_ascii() && !ch.is_ascii_control() {
                    SyntaxError::new("invalid syntax", span)
                } else {
                    SyntaxError::new(
                        format!("invalid non-printable character U+{:04X}", ch as u32),
                        span,
                    )
                }
            }
            RawError::UnterminatedString {
                start,
                triple,
                stopped,
            } => {
                let index = LineIndex::new(self.source);
                let detected = index.line(stopped.min(eof.saturating_sub(1)) as u32);
                let what = if triple {
                    "unterminated triple-quoted string literal"
                } else {
                    "unterminated string literal"
                };
                let error = SyntaxError::new(
                    format!("{what} (detected at line {detected})"),
                    self.span(start, start + 1),
                );
                if triple {
                    error.with_incomplete()
                } else {
                    error
                }
            }
            RawError::ContinuationAtEof { at } => {
                SyntaxError::new("unexpected EOF while parsing", self.span(at, at))
                    .with_incomplete()
            }
            RawError::Unknown => SyntaxError::new("invalid syntax", self.span(eof, eof)),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{tokenize, Tok};

    fn kinds(src: &str) -> Vec<&'static str> {
        let (tokens, error) = tokenize(src);
        assert!(error.is_none(), "{src:?}: {error:?}");
        tokens.iter().map(|t| t.tok.text()).collect()
    }

    fn error(src: &str) -> (String, u32) {
        let (_, error) = tokenize(src);
        let error = error.unwrap_or_else(|| panic!("{src:?} lexed"));
        (error.summary(), error.span.start)
    }

    #[test]
    fn blocks_indent_and_dedent() {
        assert_eq!(
            kinds("if x:\n    y\n\n  # c\n    z\nw\n"),
            [
                "if", "NAME", ":", "NEWLINE", "INDENT", "NAME", "NEWLINE", "NAME", "NEWLINE",
                "DEDENT", "NAME", "NEWLINE"
            ]
        );
    }

    #[test]
    fn end_of_input_closes_blocks() {
        assert_eq!(
            kinds("if x:\n  if y:\n    z"),
            [
                "if", "NAME", ":", "NEWLINE", "INDENT", "if", "NAME", ":", "NEWLINE", "INDENT",
                "NAME", "NEWLINE", "DEDENT", "DEDENT"
            ]
        );
    }

    #[test]
    fn brackets_and_backslashes_join_lines() {
        assert_eq!(
            kinds("x = (1,\n  2)\ny = 1 + \\\n 2\n"),
            [
                "NAME", "=", "(", "NUMBER", ",", "NUMBER", ")", "NEWLINE", "NAME", "=", "NUMBER",
                "+", "NUMBER", "NEWLINE"
            ]
        );
    }

    #[test]
    fn indentation_errors() {
        assert_eq!(
            error("if 1:\n  x\n y").0,
            "IndentationError: unindent does not match any outer indentation level"
        );
        assert_eq!(
            error("if 1:\n\tx\n        y"),
            (
                "TabError: inconsistent use of tabs and spaces in indentation".into(),
                9
            )
        );
        assert_eq!(
            error("if 1:\n        x\n\ty").0,
            "TabError: inconsistent use of tabs and spaces in indentation"
        );
    }

    #[test]
    fn bracket_errors() {
        assert_eq!(
            error("f(a, [1,\n"),
            ("SyntaxError: '[' was never closed".into(), 5)
        );
        assert_eq!(error(")"), ("SyntaxError: unmatched ')'".into(), 0));
        assert_eq!(
            error("(]").0,
            "SyntaxError: closing parenthesis ']' does not match opening parenthesis '('"
        );
        assert_eq!(
            error("(\n]").0,
            "SyntaxError: closing parenthesis ']' does not match opening parenthesis '(' on line 1"
        );
        assert_eq!(
            error(&"(".repeat(201)),
            ("SyntaxError: too many nested parentheses".into(), 200)
        );
    }

    #[test]
    fn string_errors() {
        assert_eq!(
            error("x = 'a\\\nb"),
            (
                "SyntaxError: unterminated string literal (detected at line 2)".into(),
                4
            )
        );
        assert_eq!(
            error("x = \"\"\"abc\n\n").0,
            "SyntaxError: unterminated triple-quoted string literal (detected at line 2)"
        );
        assert_eq!(
            error("b'\\x4'").0,
            "SyntaxError: (value error) invalid \\x escape at position 0"
        );
    }

    #[test]
    fn character_errors() {
        assert_eq!(error("a $ b"), ("SyntaxError: invalid syntax".into(), 2));
        assert_eq!(error("€").0, "SyntaxError: invalid character '€' (U+20AC)");
        assert_eq!(
            error("a\u{a0}b").0,
            "SyntaxError: invalid non-printable character U+00A0"
        );
        assert_eq!(
            error("x = 1\\ y"),
            (
                "SyntaxError: unexpected character after line continuation character".into(),
                6
            )
        );
        assert_eq!(
            error("x = \\"),
            ("SyntaxError: unexpected EOF while parsing".into(), 5)
        );
    }

    #[test]
    fn names_and_keywords() {
        let (tokens, _) = tokenize("élan = None");
        assert_eq!(tokens[0].tok, Tok::Name("élan"));
        assert_eq!(tokens[2].tok, Tok::None);
    }
}
