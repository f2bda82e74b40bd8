//! Splitting an f-string into literal text and replacement fields, as CPython 3.11 does
//! (`fstring_find_literal` / `fstring_find_expr`): the field expressions are located here and
//! parsed by the parser; literal text is decoded here.
//!
//! Errors carry CPython's messages (`f-string: expecting '}'`) and, like CPython 3.11, point
//! just past the end of the literal.

use crate::error::SyntaxError;
use crate::literal;
use crate::span::Span;
use crate::token::FStringToken;

/// A piece of an f-string.
#[derive(Clone, Debug, PartialEq)]
pub enum FStringPart {
    /// Literal text, decoded (`{{` is `{`, escapes applied unless raw).
    Literal {
        /// The text.
        value: String,
        /// Where it is in the source.
        span: Span,
    },
    /// A replacement field `{expr!c:spec}`.
    Field(FStringField),
}

/// A replacement field.
#[derive(Clone, Debug, PartialEq)]
pub struct FStringField {
    /// Where the expression's text is, in absolute source offsets.
    pub expr: Span,
    /// For a self-documenting field `{x = }`: the text `x = `, printed before the value.
    pub debug_text: Option<String>,
    /// `s`, `r` or `a`.
    pub conversion: Option<char>,
    /// The format spec after `:`, itself literal text and fields.
    pub format_spec: Option<Vec<FStringPart>>,
    /// The whole field, braces included.
    pub span: Span,
}

/// Splits an f-string token into its parts.
pub fn split(tok: &FStringToken<'_>) -> Result<Vec<FStringPart>, SyntaxError> {
    let mut splitter = Splitter {
        tok,
        body: tok.body.as_bytes(),
        pos: 0,
    };
    let parts = splitter.parts(0)?;
    Ok(parts)
}

/// The cursor over an f-string's body.
struct Splitter<'t, 'a> {
    tok: &'t FStringToken<'a>,
    body: &'a [u8],
    pos: usize,
}

impl Splitter<'_, '_> {
    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError::new(message, Span::at(self.tok.end))
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(
            self.tok.body_start + start as u32,
            self.tok.body_start + end as u32,
        )
    }

    fn peek(&self) -> Option<u8> {
        self.body.get(self.pos).copied()
    }

    /// Literal text and fields until the end of the body (level 0) or the `}` that closes a
    /// format spec (deeper levels).
    fn parts(&mut self, level: usize) -> Result<Vec<FStringPart>, SyntaxError> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut text_start = self.pos;
        loop {
            let literal_start = self.pos;
            let stop = self.literal(level)?;
            let chunk = &self.tok.body[literal_start..self.pos];
            text.push_str(chunk);
            if stop == Stop::DoubledBrace {
                // `{{` / `}}`: keep one brace and go on.
                text.push(self.body[self.pos] as char);
                self.pos += 2;
                continue;
            }
            if !text.is_empty() {
                let value = literal::decode_str(&text, self.tok.raw).map_err(|m| self.error(m))?;
                parts.push(FStringPart::Literal {
                    value,
                    span: self.span(text_start, self.pos),
                });
                text.clear();
            }
            match stop {
                Stop::End | Stop::CloseBrace => return Ok(parts),
                Stop::OpenBrace => parts.push(FStringPart::Field(self.field(level)?)),
                Stop::DoubledBrace => unreachable!(),
            }
            text_start = self.pos;
        }
    }

    /// Scans literal text; the cursor stops on the brace that ended it.
    fn literal(&mut self, level: usize) -> Result<Stop, SyntaxError> {
        while let Some(c) = self.peek() {
            if c == b'\\' && !self.tok.raw && self.pos + 1 < self.body.len() {
                let next = self.body[self.pos + 1];
                if next == b'N' && self.body.get(self.pos + 2) == Some(&b'{') {
                    // `\N{NAME}`: the braces belong to the escape.
                    self.pos += 3;
                    while let Some(c) = self.peek() {
                        self.pos += 1;
                        if c == b'}' {
                            break;
                        }
                    }
                    continue;
                }
                if next != b'{' && next != b'}' {
                    self.pos += 2;
                    continue;
                }
                self.pos += 1;
                continue;
            }
            if c == b'{' || c == b'}' {
                if level == 0 {
                    if self.body.get(self.pos + 1) == Some(&c) {
                        return Ok(Stop::DoubledBrace);
                    }
                    if c == b'}' {
                        return Err(self.error("f-string: single '}' is not allowed"));
                    }
                }
                return Ok(if c == b'{' {
                    Stop::OpenBrace
                } else {
                    Stop::CloseBrace
                });
            }
            self.pos += 1;
        }
        Ok(Stop::End)
    }

    /// A replacement field; the cursor is on its `{`.
    fn field(&mut self, level: usize) -> Result<FStringField, SyntaxError> {
        let expecting_brace = self.error("f-string: expecting '}'");
        let unexpected_end = || expecting_brace.clone();
        if level >= 2 {
            return Err(self.error("f-string: expressions nested too deeply"));
        }
        let field_start = self.pos;
        self.pos += 1;
        let expr_start = self.pos;
        let mut quote: Option<(u8, bool)> = None;
        let mut brackets: Vec<u8> = Vec::new();
        while let Some(c) = self.peek() {
            if c == b'\\' {
                return Err(self.error("f-string expression part cannot include a backslash"));
            }
            let triple_here =
                |s: &Self| s.body.get(s.pos + 1) == Some(&c) && s.body.get(s.pos + 2) == Some(&c);
            if let Some((q, triple)) = quote {
                if c == q {
                    if !triple {
                        quote = None;
                    } else if triple_here(self) {
                        self.pos += 2;
                        quote = None;
                    }
                }
                self.pos += 1;
                continue;
            }
            match c {
                b'\'' | b'"' => {
                    let triple = triple_here(self);
                    if triple {
                        self.pos += 2;
                    }
                    quote = Some((c, triple));
                }
                b'[' | b'{' | b'(' => {
                    if brackets.len() >= 200 {
                        return Err(self.error("f-string: too many nested parenthesis"));
                    }
                    brackets.push(c);
                }
                b'#' => return Err(self.error("f-string expression part cannot include '#'")),
                b'!' | b':' | b'}' | b'=' | b'>' | b'<' if brackets.is_empty() => {
                    let next = self.body.get(self.pos + 1).copied();
                    if next == Some(b'=') && matches!(c, b'!' | b'=' | b'<' | b'>') {
                        self.pos += 2;
                        continue;
                    }
                    if c != b'<' && c != b'>' {
                        break;
                    }
                }
                b']' | b'}' | b')' => {
                    let Some(open) = brackets.pop() else {
                        return Err(self.error(format!("f-string: unmatched '{}'", c as char)));
                    };
                    let expected = match open {
                        b'(' => b')',
                        b'[' => b']',
                        _ => b'}',
                    };
                    if c != expected {
                        return Err(self.error(format!(
                            "f-string: closing parenthesis '{}' does not match opening parenthesis '{}'",
                            c as char, open as char
                        )));
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
        let expr_end = self.pos;
        if quote.is_some() {
            return Err(self.error("f-string: unterminated string"));
        }
        if let Some(&open) = brackets.last() {
            return Err(self.error(format!("f-string: unmatched '{}'", open as char)));
        }
        if self.pos >= self.body.len() {
            return Err(unexpected_end());
        }
        if self.tok.body[expr_start..expr_end]
            .trim_matches(|c: char| c.is_ascii_whitespace())
            .is_empty()
        {
            return Err(self.error("f-string: empty expression not allowed"));
        }
        let mut debug_text = None;
        if self.peek() == Some(b'=') {
            self.pos += 1;
            while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
                self.pos += 1;
            }
            if self.pos >= self.body.len() {
                return Err(unexpected_end());
            }
            debug_text = Some(self.tok.body[expr_start..self.pos].to_string());
        }
        let mut conversion = None;
        if self.peek() == Some(b'!') {
            self.pos += 1;
            let Some(c) = self.tok.body[self.pos..].chars().next() else {
                return Err(unexpected_end());
            };
            self.pos += c.len_utf8();
            if !matches!(c, 's' | 'r' | 'a') {
                return Err(
                    self.error("f-string: invalid conversion character: expected 's', 'r', or 'a'")
                );
            }
            conversion = Some(c);
        }
        let mut format_spec = None;
        if self.peek() == Some(b':') {
            self.pos += 1;
            if self.pos >= self.body.len() {
                return Err(unexpected_end());
            }
            format_spec = Some(self.parts(level + 1)?);
        }
        if self.peek() != Some(b'}') {
            return Err(unexpected_end());
        }
        self.pos += 1;
        Ok(FStringField {
            expr: self.span(expr_start, expr_end),
            debug_text,
            conversion,
            format_spec,
            span: self.span(field_start, self.pos),
        })
    }
}

/// Why a run of literal text ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    /// The end of the body.
    End,
    /// A `{` that opens a field.
    OpenBrace,
    /// A `}` that closes a format spec.
    CloseBrace,
    /// `{{` or `}}` at the top level.
    DoubledBrace,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(body: &str) -> Result<Vec<FStringPart>, String> {
        let tok = FStringToken {
            body,
            body_start: 2,
            end: body.len() as u32 + 3,
            raw: false,
        };
        split(&tok).map_err(|e| e.message)
    }

    fn expr_text(body: &str, part: &FStringPart) -> String {
        match part {
            FStringPart::Field(f) => {
                body[(f.expr.start - 2) as usize..(f.expr.end - 2) as usize].to_string()
            }
            FStringPart::Literal { value, .. } => format!("lit:{value}"),
        }
    }

    #[test]
    fn literals_and_fields() {
        let body = "a{{b}} {x!r:>{width}} {d['k']}\\n";
        let p = parts(body).unwrap();
        let texts: Vec<String> = p.iter().map(|part| expr_text(body, part)).collect();
        assert_eq!(texts, ["lit:a{b} ", "x", "lit: ", "d['k']", "lit:\n"]);
        let FStringPart::Field(field) = &p[1] else {
            panic!()
        };
        assert_eq!(field.conversion, Some('r'));
        let spec = field.format_spec.as_ref().unwrap();
        assert_eq!(spec.len(), 2);
    }

    #[test]
    fn self_documenting_fields() {
        let p = parts("{ x = }").unwrap();
        let FStringPart::Field(field) = &p[0] else {
            panic!()
        };
        assert_eq!(field.debug_text.as_deref(), Some(" x = "));
        let p = parts("{a!=b}").unwrap();
        assert_eq!(expr_text("{a!=b}", &p[0]), "a!=b");
    }

    #[test]
    fn errors_match_cpython() {
        for (body, message) in [
            (
                "{x!z}",
                "f-string: invalid conversion character: expected 's', 'r', or 'a'",
            ),
            (
                "{x!}",
                "f-string: invalid conversion character: expected 's', 'r', or 'a'",
            ),
            ("{}", "f-string: empty expression not allowed"),
            ("{ }", "f-string: empty expression not allowed"),
            ("}", "f-string: single '}' is not allowed"),
            ("{x", "f-string: expecting '}'"),
            ("{x:{y:{z}}}", "f-string: expressions nested too deeply"),
            (
                "{\\n}",
                "f-string expression part cannot include a backslash",
            ),
            ("{#}", "f-string expression part cannot include '#'"),
            ("{x!r=}", "f-string: expecting '}'"),
            ("{x:{y}}}", "f-string: single '}' is not allowed"),
            (
                "{a[}",
                "f-string: closing parenthesis '}' does not match opening parenthesis '['",
            ),
        ] {
            assert_eq!(parts(body).unwrap_err(), message, "{body}");
        }
    }

    #[test]
    fn escapes_in_literals() {
        let p = parts("\\N{BULLET} {x}").unwrap();
        assert_eq!(
            p[0],
            FStringPart::Literal {
                value: "• ".into(),
                span: Span::new(2, 13)
            }
        );
        let p = parts("\\{x}").unwrap();
        assert!(matches!(&p[0], FStringPart::Literal { value, .. } if value == "\\"));
    }
}
