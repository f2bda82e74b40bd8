//! `SyntaxError` and its subclasses as the lexer and parser report them, rendered in CPython's
//! format (file, line, the source line, a caret under the offending range, `Kind: message`).

use crate::span::{LineIndex, Span};
use std::fmt;

/// Which built-in exception class a syntax error is reported as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    /// `SyntaxError`.
    Syntax,
    /// `IndentationError` (a subclass of `SyntaxError`).
    Indentation,
    /// `TabError` (a subclass of `IndentationError`).
    Tab,
    /// `RecursionError`: the input nests deeper than the compiler's limit (CPython raises
    /// it while compiling, before anything runs).
    Recursion,
}

impl SyntaxErrorKind {
    /// The Python class name.
    pub fn class_name(self) -> &'static str {
        match self {
            SyntaxErrorKind::Syntax => "SyntaxError",
            SyntaxErrorKind::Indentation => "IndentationError",
            SyntaxErrorKind::Tab => "TabError",
            SyntaxErrorKind::Recursion => "RecursionError",
        }
    }
}

/// A syntax error at a byte span of the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// The exception class.
    pub kind: SyntaxErrorKind,
    /// The message, exactly as CPython words it (`expected ':'`).
    pub message: String,
    /// Where the error is; the caret is drawn under this range.
    pub span: Span,
    /// True when more input could complete the program (open bracket, unterminated
    /// triple-quoted string, block header without a body at end of input). The REPL asks
    /// for a continuation line instead of reporting the error.
    pub incomplete: bool,
    /// False for errors CPython prints without a caret line (`unexpected indent`).
    pub caret: bool,
}

impl SyntaxError {
    /// A `SyntaxError` with `message` at `span`.
    pub fn new(message: impl Into<String>, span: Span) -> SyntaxError {
        SyntaxError {
            kind: SyntaxErrorKind::Syntax,
            message: message.into(),
            span,
            incomplete: false,
            caret: true,
        }
    }

    /// An `IndentationError` with `message` at `span`.
    pub fn indentation(message: impl Into<String>, span: Span) -> SyntaxError {
        SyntaxError {
            kind: SyntaxErrorKind::Indentation,
            ..SyntaxError::new(message, span)
        }
    }

    /// Marks the error as one that more input could fix (see [`SyntaxError::incomplete`]).
    pub fn with_incomplete(mut self) -> SyntaxError {
        self.incomplete = true;
        self
    }

    /// Changes the reported class.
    pub fn with_kind(mut self, kind: SyntaxErrorKind) -> SyntaxError {
        self.kind = kind;
        self
    }

    /// Suppresses the caret line in the rendered report.
    pub fn without_caret(mut self) -> SyntaxError {
        self.caret = false;
        self
    }

    /// The last line of the report: `SyntaxError: message`.
    pub fn summary(&self) -> String {
        format!("{}: {}", self.kind.class_name(), self.message)
    }

    /// 1-based line of the error in `source`.
    pub fn line(&self, source: &str) -> u32 {
        LineIndex::new(source).line(self.span.start)
    }

    /// Renders the report as CPython prints it for a file:
    ///
    /// ```text
    ///   File "x.aio", line 2
    ///     values = [1, 2, 3
    ///              ^
    /// SyntaxError: '[' was never closed
    /// ```
    pub fn render(&self, filename: &str, source: &str) -> String {
        let index = LineIndex::new(source);
        let start = index.position(source, self.span.start);
        let mut out = format!("  File \"{}\", line {}\n", filename, start.line);
        // CPython holds the line as a C string: it ends at a NUL byte.
        let text = index.line_text(source, start.line);
        let text = text.split('\0').next().unwrap_or_default();
        let trimmed = text.trim_start_matches([' ', '\t', '\x0c']);
        let trimmed = trimmed.trim_end_matches(['\n', '\r']);
        if !trimmed.trim_end().is_empty() {
            let indent =
                text.chars().count() - text.trim_start_matches([' ', '\t', '\x0c']).chars().count();
            out.push_str("    ");
            out.push_str(trimmed);
            out.push('\n');
            // As CPython's `print_error_text`: no caret when it would point into the
            // indentation; clipped to the end of the line; a range only for `SyntaxError`
            // proper, a single caret for its indentation subclasses.
            let column = start.column as usize;
            if self.caret && column >= indent {
                let length = trimmed.chars().count();
                let col = (column - indent).min(length);
                let end = index.position(source, self.span.end);
                // A range over several lines is drawn to the end of its first.
                let width = match self.kind {
                    SyntaxErrorKind::Syntax if end.line > start.line => length,
                    SyntaxErrorKind::Syntax if end.column > start.column => {
                        (end.column - start.column) as usize
                    }
                    _ => 1,
                };
                let width = width.min(length.saturating_sub(col).max(1));
                out.push_str("    ");
                out.push_str(&" ".repeat(col));
                out.push_str(&"^".repeat(width));
                out.push('\n');
            }
        }
        out.push_str(&self.summary());
        out
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}

impl std::error::Error for SyntaxError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_cpython() {
        let src = "print(1)\nvalues = [1, 2, 3\n";
        let err = SyntaxError::new("'[' was never closed", Span::new(18, 19));
        assert_eq!(
            err.render("x.aio", src),
            "  File \"x.aio\", line 2\n    values = [1, 2, 3\n             ^\nSyntaxError: '[' was never closed"
        );
    }

    #[test]
    fn strips_indentation_and_draws_ranges() {
        let src = "if x:\n    f(a for a in b, c)\n";
        let err = SyntaxError::new(
            "Generator expression must be parenthesized",
            Span::new(12, 24),
        );
        assert_eq!(
            err.render("x.aio", src),
            "  File \"x.aio\", line 2\n    f(a for a in b, c)\n      ^^^^^^^^^^^^\nSyntaxError: Generator expression must be parenthesized"
        );
    }
}
