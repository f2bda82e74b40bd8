//! Stage 1: the `logos` lexer. It recognises names, numbers, strings, operators, newlines and
//! backslash continuations, and skips spaces and comments. Layout (INDENT / DEDENT, joining
//! lines inside brackets) is the next stage's job.
//!
//! Numbers and strings are scanned by callbacks written after CPython's tokenizer, because
//! their error rules (`invalid decimal literal`, `leading zeros ...`, unterminated strings)
//! depend on what follows the literal, which a regular expression cannot express.

use logos::{Lexer, Logos};

/// What went wrong in a raw token. Positions are byte offsets in the lexed text.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum RawError {
    /// A catch-all logos needs; every error path below sets a specific variant.
    #[default]
    Unknown,
    /// A complete message with the range the caret goes under.
    Message {
        /// The message, worded as CPython words it.
        message: String,
        /// Start of the caret range.
        at: usize,
        /// End of the caret range.
        end: usize,
    },
    /// A character that starts no token.
    InvalidCharacter {
        /// The character.
        ch: char,
        /// Where it is.
        at: usize,
    },
    /// A string literal without its closing quote.
    UnterminatedString {
        /// Start of the literal (its prefix).
        start: usize,
        /// Whether it opened with three quotes.
        triple: bool,
        /// Where scanning stopped: the newline of a one-line string, or the end of input.
        stopped: usize,
    },
    /// A backslash continuation with nothing after it; `at` is just past the backslash,
    /// where CPython reports it.
    ContinuationAtEof { at: usize },
}

impl RawError {
    fn from_lexer(lex: &mut Lexer<'_, Raw>) -> RawError {
        let at = lex.span().start;
        let ch = lex.source()[at..].chars().next().unwrap_or('\0');
        RawError::InvalidCharacter { ch, at }
    }

    fn message(message: impl Into<String>, at: usize, end: usize) -> RawError {
        RawError::Message {
            message: message.into(),
            at,
            end,
        }
    }
}

/// The kind of a number literal; its text is decoded by [`crate::literal`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumberKind {
    /// An integer in the given radix (2, 8, 10 or 16); the text keeps its prefix.
    Int(u32),
    /// A float.
    Float,
    /// An imaginary number (`3j`).
    Imaginary,
}

/// The shape of a string literal: its prefix and quotes, so the body can be sliced out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StringShape {
    /// Length of the prefix (`rb` is 2).
    pub prefix_len: usize,
    /// 1 or 3.
    pub quote_len: usize,
    /// `r`: backslashes are kept.
    pub raw: bool,
    /// `b`: a bytes literal.
    pub bytes: bool,
    /// `f`: an f-string.
    pub format: bool,
}

/// A raw token.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(error(RawError, RawError::from_lexer))]
#[logos(skip r"[ \t\x0c]+")]
#[logos(skip(r"#[^\r\n]*", allow_greedy = true))]
pub(crate) enum Raw {
    /// A physical line break.
    #[regex(r"\r\n|\n|\r")]
    Newline,
    /// A backslash that joins the next physical line.
    #[regex(r"\\(\r\n|\n|\r)", continuation)]
    Continuation,
    /// An identifier or keyword.
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", ascii_name)]
    #[regex(r"[^\x00-\x7F]", unicode_name)]
    Name,
    /// A number literal.
    #[regex(r"[0-9]", number)]
    #[regex(r"\.[0-9]", number)]
    Number(NumberKind),
    /// A string literal of any kind.
    #[regex(r#"(?i:rb|br|fr|rf|r|b|u|f)?["']"#, string)]
    String(StringShape),

    #[token("\\", lone_backslash)]
    Backslash,

    #[token("(")]
    LPar,
    #[token(")")]
    RPar,
    #[token("[")]
    LSqb,
    #[token("]")]
    RSqb,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(":")]
    Colon,
    #[token(",")]
    Comma,
    #[token(";")]
    Semi,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("|")]
    Vbar,
    #[token("&")]
    Amper,
    #[token("<")]
    Less,
    #[token(">")]
    Greater,
    #[token("=")]
    Equal,
    #[token(".")]
    Dot,
    #[token("%")]
    Percent,
    #[token("==")]
    EqEqual,
    #[token("!=")]
    NotEqual,
    #[token("<=")]
    LessEqual,
    #[token(">=")]
    GreaterEqual,
    #[token("~")]
    Tilde,
    #[token("^")]
    Circumflex,
    #[token("<<")]
    LeftShift,
    #[token(">>")]
    RightShift,
    #[token("**")]
    DoubleStar,
    #[token("+=")]
    PlusEqual,
    #[token("-=")]
    MinEqual,
    #[token("*=")]
    StarEqual,
    #[token("/=")]
    SlashEqual,
    #[token("%=")]
    PercentEqual,
    #[token("&=")]
    AmperEqual,
    #[token("|=")]
    VbarEqual,
    #[token("^=")]
    CircumflexEqual,
    #[token("<<=")]
    LeftShiftEqual,
    #[token(">>=")]
    RightShiftEqual,
    #[token("**=")]
    DoubleStarEqual,
    #[token("//")]
    DoubleSlash,
    #[token("//=")]
    DoubleSlashEqual,
    #[token("@")]
    At,
    #[token("@=")]
    AtEqual,
    #[token("->")]
    Rarrow,
    #[token("...")]
    Ellipsis,
    #[token(":=")]
    ColonEqual,
}

/// `\` + newline at the very end of the input: CPython's "unexpected EOF while parsing".
fn continuation(lex: &mut Lexer<'_, Raw>) -> Result<(), RawError> {
    if lex.remainder().is_empty() {
        return Err(RawError::ContinuationAtEof {
            at: lex.span().start + 1,
        });
    }
    Ok(())
}

fn lone_backslash(lex: &mut Lexer<'_, Raw>) -> Result<(), RawError> {
    let at = lex.span().end;
    if lex.remainder().is_empty() {
        return Err(RawError::ContinuationAtEof {
            at: lex.span().start + 1,
        });
    }
    Err(RawError::message(
        "unexpected character after line continuation character",
        at,
        at + 1,
    ))
}

/// Extends an ASCII-started name over any non-ASCII identifier characters.
fn ascii_name(lex: &mut Lexer<'_, Raw>) {
    let extra = identifier_tail(lex.remainder());
    lex.bump(extra);
}

/// A non-ASCII character: the start of a name, or an invalid character.
fn unicode_name(lex: &mut Lexer<'_, Raw>) -> Result<(), RawError> {
    let at = lex.span().start;
    let ch = lex.slice().chars().next().unwrap_or('\0');
    if !unicode_ident::is_xid_start(ch) {
        let message = if crate::printable::is_printable(ch) {
            format!("invalid character '{ch}' (U+{:04X})", ch as u32)
        } else {
            format!("invalid non-printable character U+{:04X}", ch as u32)
        };
        return Err(RawError::message(message, at, at + ch.len_utf8()));
    }
    let extra = identifier_tail(lex.remainder());
    lex.bump(extra);
    Ok(())
}

/// The byte length of the identifier characters at the start of `rest`.
fn identifier_tail(rest: &str) -> usize {
    rest.char_indices()
        .find(|&(_, c)| {
            !(c.is_ascii_alphanumeric()
                || c == '_'
                || (!c.is_ascii() && unicode_ident::is_xid_continue(c)))
        })
        .map_or(rest.len(), |(i, _)| i)
}

/// Scans a number as CPython's tokenizer does. The regex matched its first character (or
/// `.` and a digit); this consumes the rest and reports CPython's errors, whose caret sits
/// one character before the tokenizer's cursor.
fn number(lex: &mut Lexer<'_, Raw>) -> Result<NumberKind, RawError> {
    let start = lex.span().start;
    let mut scan = NumberScan {
        text: lex.source().as_bytes(),
        pos: start,
        start,
    };
    let kind = scan.run()?;
    lex.bump(scan.pos - lex.span().end);
    Ok(kind)
}

/// The cursor of [`number`].
struct NumberScan<'a> {
    text: &'a [u8],
    pos: usize,
    start: usize,
}

impl NumberScan<'_> {
    fn peek(&self) -> u8 {
        self.text.get(self.pos).copied().unwrap_or(0)
    }

    fn peek_at(&self, ahead: usize) -> u8 {
        self.text.get(self.pos + ahead).copied().unwrap_or(0)
    }

    /// An error whose caret is one character before the cursor, like CPython's
    /// `syntaxerror(tok, ...)`.
    fn error(&self, message: impl Into<String>) -> RawError {
        let at = self.pos.saturating_sub(1).max(self.start);
        RawError::message(message, at, at + 1)
    }

    fn run(&mut self) -> Result<NumberKind, RawError> {
        if self.peek() == b'.' {
            self.pos += 1;
            return self.fraction();
        }
        if self.peek() == b'0' {
            let prefix = self.peek_at(1).to_ascii_lowercase();
            let radix = match prefix {
                b'x' => 16,
                b'o' => 8,
                b'b' => 2,
                _ => 0,
            };
            if radix != 0 {
                self.pos += 2;
                return self.prefixed(radix);
            }
            return self.leading_zero();
        }
        self.decimal_tail()?;
        self.after_integer_part()
    }

    /// After the integer digits of a decimal: `.`, an exponent, `j`, or the end.
    fn after_integer_part(&mut self) -> Result<NumberKind, RawError> {
        match self.peek() {
            b'.' => {
                self.pos += 1;
                self.fraction()
            }
            b'e' | b'E' => self.exponent(),
            b'j' | b'J' => self.imaginary(),
            _ => {
                self.end_of_number("decimal")?;
                Ok(NumberKind::Int(10))
            }
        }
    }

    /// Digits with single `_` separators; the cursor ends on the first non-digit.
    fn decimal_tail(&mut self) -> Result<(), RawError> {
        loop {
            while self.peek().is_ascii_digit() {
                self.pos += 1;
            }
            if self.peek() != b'_' {
                return Ok(());
            }
            self.pos += 1;
            if !self.peek().is_ascii_digit() {
                return Err(self.error("invalid decimal literal"));
            }
        }
    }

    fn fraction(&mut self) -> Result<NumberKind, RawError> {
        if self.peek().is_ascii_digit() {
            self.decimal_tail()?;
        }
        match self.peek() {
            b'e' | b'E' => self.exponent(),
            b'j' | b'J' => self.imaginary(),
            _ => {
                self.end_of_number("decimal")?;
                Ok(NumberKind::Float)
            }
        }
    }

    fn exponent(&mut self) -> Result<NumberKind, RawError> {
        let e_pos = self.pos;
        self.pos += 1;
        if matches!(self.peek(), b'+' | b'-') {
            self.pos += 1;
            if !self.peek().is_ascii_digit() {
                return Err(self.error("invalid decimal literal"));
            }
        } else if !self.peek().is_ascii_digit() {
            // `1e` or `1else`: the number ends before the `e`.
            self.pos = e_pos;
            self.end_of_number("decimal")?;
            return Ok(self.kind_before(e_pos));
        }
        self.decimal_tail()?;
        if matches!(self.peek(), b'j' | b'J') {
            return self.imaginary();
        }
        self.end_of_number("decimal")?;
        Ok(NumberKind::Float)
    }

    /// The kind of the literal `start..end`, which ends before an `e` that is not an exponent.
    fn kind_before(&self, end: usize) -> NumberKind {
        if self.text[self.start..end].contains(&b'.') {
            NumberKind::Float
        } else {
            NumberKind::Int(10)
        }
    }

    fn imaginary(&mut self) -> Result<NumberKind, RawError> {
        self.pos += 1;
        self.end_of_number("imaginary")?;
        Ok(NumberKind::Imaginary)
    }

    /// `0x`, `0o`, `0b` literals; the cursor is after the prefix.
    fn prefixed(&mut self, radix: u32) -> Result<NumberKind, RawError> {
        let name = match radix {
            16 => "hexadecimal",
            8 => "octal",
            _ => "binary",
        };
        let is_digit = |c: u8| (c as char).is_digit(radix);
        loop {
            if self.peek() == b'_' {
                self.pos += 1;
            }
            let c = self.peek();
            if !is_digit(c) {
                if radix != 16 && c.is_ascii_digit() {
                    self.pos += 1;
                    return Err(
                        self.error(format!("invalid digit '{}' in {name} literal", c as char))
                    );
                }
                return Err(self.error(format!("invalid {name} literal")));
            }
            while is_digit(self.peek()) {
                self.pos += 1;
            }
            if self.peek() != b'_' {
                break;
            }
        }
        let c = self.peek();
        if radix != 16 && c.is_ascii_digit() {
            self.pos += 1;
            return Err(self.error(format!("invalid digit '{}' in {name} literal", c as char)));
        }
        self.end_of_number(name)?;
        Ok(NumberKind::Int(radix))
    }

    /// A decimal starting with `0`: only zeros may follow, unless it is a float.
    fn leading_zero(&mut self) -> Result<NumberKind, RawError> {
        self.pos += 1;
        loop {
            if self.peek() == b'_' {
                self.pos += 1;
                if !self.peek().is_ascii_digit() {
                    return Err(self.error("invalid decimal literal"));
                }
            }
            if self.peek() != b'0' {
                break;
            }
            self.pos += 1;
        }
        let zeros_end = self.pos;
        let nonzero = self.peek().is_ascii_digit();
        if nonzero {
            self.decimal_tail()?;
        }
        match self.peek() {
            b'.' => {
                self.pos += 1;
                self.fraction()
            }
            b'e' | b'E' => self.exponent(),
            b'j' | b'J' => self.imaginary(),
            _ if nonzero => Err(RawError::message(
                "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
                self.start,
                zeros_end,
            )),
            _ => {
                self.end_of_number("decimal")?;
                Ok(NumberKind::Int(10))
            }
        }
    }

    /// CPython's `verify_end_of_number`: a literal may be followed directly by a keyword
    /// that can follow a number in valid code (`1if x else 2`, deprecated), but not by any
    /// other ASCII identifier character.
    fn end_of_number(&mut self, kind: &str) -> Result<(), RawError> {
        let rest = &self.text[self.pos..];
        let keyword_follows = ["and", "else", "for", "if", "in", "is", "or", "not"]
            .iter()
            .any(|k| rest.starts_with(k.as_bytes()));
        let c = self.peek();
        // Non-ASCII characters end the number: CPython then reports the character itself
        // (`invalid character '€'`) or the name it starts (`invalid syntax`).
        if !keyword_follows && (c.is_ascii_alphanumeric() || c == b'_') {
            return Err(RawError::message(
                format!("invalid {kind} literal"),
                self.pos.saturating_sub(1).max(self.start),
                self.pos,
            ));
        }
        Ok(())
    }
}

/// Scans a string literal; the regex matched its prefix and first quote.
fn string(lex: &mut Lexer<'_, Raw>) -> Result<StringShape, RawError> {
    let start = lex.span().start;
    let head = lex.slice();
    let quote = head.as_bytes()[head.len() - 1];
    let prefix = head[..head.len() - 1].to_ascii_lowercase();
    let rest = lex.remainder().as_bytes();
    let triple = rest.len() >= 2 && rest[0] == quote && rest[1] == quote;
    let quote_len = if triple { 3 } else { 1 };
    let body_start = if triple { 2 } else { 0 };
    let mut i = body_start;
    let end = loop {
        match rest.get(i) {
            None => {
                return Err(RawError::UnterminatedString {
                    start,
                    triple,
                    stopped: lex.span().end + i,
                });
            }
            Some(b'\\') => {
                i += if rest.get(i + 1) == Some(&b'\r') && rest.get(i + 2) == Some(&b'\n') {
                    3
                } else {
                    2
                }
            }
            Some(b'\n' | b'\r') if !triple => {
                return Err(RawError::UnterminatedString {
                    start,
                    triple,
                    stopped: lex.span().end + i,
                });
            }
            Some(&c) if c == quote => {
                if !triple {
                    break i + 1;
                }
                if rest.get(i + 1) == Some(&quote) && rest.get(i + 2) == Some(&quote) {
                    break i + 3;
                }
                i += 1;
            }
            Some(_) => i += 1,
        }
    };
    // A trailing backslash may have stepped past the end.
    let end = end.min(rest.len());
    lex.bump(end);
    Ok(StringShape {
        prefix_len: prefix.len(),
        quote_len,
        raw: prefix.contains('r'),
        bytes: prefix.contains('b'),
        format: prefix.contains('f'),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(src: &str) -> Vec<Result<Raw, RawError>> {
        Raw::lexer(src).collect()
    }

    #[test]
    fn prefixes_bind_to_the_quote() {
        let toks = raw("rb'x' r b'' f\"{a}\"");
        assert!(matches!(
            toks[0],
            Ok(Raw::String(StringShape {
                raw: true,
                bytes: true,
                ..
            }))
        ));
        assert_eq!(toks[1], Ok(Raw::Name));
        assert!(matches!(
            toks[3],
            Ok(Raw::String(StringShape { format: true, .. }))
        ));
    }

    #[test]
    fn numbers_stop_before_keywords() {
        let mut lex = Raw::lexer("1if");
        assert_eq!(lex.next(), Some(Ok(Raw::Number(NumberKind::Int(10)))));
        assert_eq!(lex.slice(), "1");
        assert_eq!(lex.next(), Some(Ok(Raw::Name)));
    }

    #[test]
    fn number_errors_point_where_cpython_points() {
        let err = |s: &str| match raw(s).into_iter().find_map(Result::err) {
            Some(RawError::Message { message, at, .. }) => (message, at),
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(err("1abc"), ("invalid decimal literal".into(), 0));
        assert_eq!(err("1_"), ("invalid decimal literal".into(), 1));
        assert_eq!(err("0x"), ("invalid hexadecimal literal".into(), 1));
        assert_eq!(err("0o8"), ("invalid digit '8' in octal literal".into(), 2));
        assert_eq!(err("1e+"), ("invalid decimal literal".into(), 2));
        assert_eq!(err("5.real"), ("invalid decimal literal".into(), 1));
        assert!(err("012").0.starts_with("leading zeros"));
    }

    #[test]
    fn floats_and_imaginaries() {
        for (src, kind) in [
            ("1.5", NumberKind::Float),
            (".5", NumberKind::Float),
            ("5.", NumberKind::Float),
            ("1e-3", NumberKind::Float),
            ("1_0.0_1e1_0", NumberKind::Float),
            ("3j", NumberKind::Imaginary),
            ("1.e5J", NumberKind::Imaginary),
            ("0x_ff", NumberKind::Int(16)),
            ("0b1_0", NumberKind::Int(2)),
            ("00", NumberKind::Int(10)),
            ("09.5", NumberKind::Float),
        ] {
            let mut lex = Raw::lexer(src);
            assert_eq!(lex.next(), Some(Ok(Raw::Number(kind))), "{src}");
            assert_eq!(lex.slice(), src);
        }
    }

    #[test]
    fn unterminated_strings_report_where_scanning_stopped() {
        assert_eq!(
            raw("'ab\nc")[0],
            Err(RawError::UnterminatedString {
                start: 0,
                triple: false,
                stopped: 3
            })
        );
        assert_eq!(
            raw("x'''ab")[1],
            Err(RawError::UnterminatedString {
                start: 1,
                triple: true,
                stopped: 6
            })
        );
    }
}
