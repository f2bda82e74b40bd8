//! Whether a REPL input is complete: the question `codeop.compile_command` answers for
//! CPython's `code.InteractiveConsole` (and so for `python -m asyncio`).
//!
//! The answer comes from the parser, not from guessing at the text: an input is incomplete
//! when parsing fails with an error more input could fix ([`SyntaxError::incomplete`]: an
//! unclosed bracket, an unterminated triple-quoted string, a trailing backslash, a block
//! header without its body, a decorator without its definition), or when it parses but ends
//! in a compound statement whose last line is not empty — in Python's REPL a compound
//! statement ends at an empty line, so that `else:` or more body lines can still follow.

use crate::ast::{Module, StmtKind};
use crate::SyntaxError;

/// What a REPL input is.
#[derive(Debug)]
pub enum Input {
    /// It is a whole statement (or nothing): compile and run it.
    Complete(Module),
    /// More lines could complete it: prompt with `... ` and read on.
    Incomplete,
    /// No continuation can make it valid: report the error.
    Invalid(SyntaxError),
}

/// Classifies `source`, the lines typed so far joined by `\n` (without a final newline, as
/// `codeop` receives them).
pub fn parse_interactive(source: &str) -> Input {
    let mut text = String::with_capacity(source.len() + 1);
    text.push_str(source);
    text.push('\n');
    let module = match crate::parse_module(&text) {
        Ok(module) => module,
        Err(e) if e.incomplete => return Input::Incomplete,
        Err(e) => return Input::Invalid(e),
    };
    let last_line = source.rsplit('\n').next().unwrap_or("");
    let ends_compound = module.body.last().is_some_and(|s| {
        matches!(
            s.kind,
            StmtKind::FunctionDef(_)
                | StmtKind::ClassDef(_)
                | StmtKind::For { .. }
                | StmtKind::While { .. }
                | StmtKind::If { .. }
                | StmtKind::With { .. }
                | StmtKind::Match { .. }
                | StmtKind::Try { .. }
        )
    });
    // `codeop` asks for an empty line: one holding only spaces does not end the block.
    if ends_compound && !last_line.is_empty() {
        Input::Incomplete
    } else {
        Input::Complete(module)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(src: &str) -> &'static str {
        match parse_interactive(src) {
            Input::Complete(_) => "complete",
            Input::Incomplete => "incomplete",
            Input::Invalid(_) => "error",
        }
    }

    #[test]
    fn open_constructs_ask_for_more() {
        assert_eq!(status("x = [1,"), "incomplete");
        assert_eq!(status("f(1,\n"), "incomplete");
        assert_eq!(status("s = \"\"\"abc"), "incomplete");
        assert_eq!(status("x = 1 + \\"), "incomplete");
        assert_eq!(status("if x:"), "incomplete");
        assert_eq!(status("@dec"), "incomplete");
    }

    #[test]
    fn compound_statements_end_at_an_empty_line() {
        assert_eq!(status("def f():\n    return 1"), "incomplete");
        assert_eq!(status("def f():\n    return 1\n"), "complete");
        assert_eq!(status("if x:\n    pass\nelse:"), "incomplete");
        assert_eq!(status("for i in r: print(i)"), "incomplete");
        assert_eq!(status("for i in r: print(i)\n   "), "incomplete");
        assert_eq!(status("for i in r: print(i)\n"), "complete");
    }

    #[test]
    fn simple_statements_and_errors() {
        assert_eq!(status("x = 1"), "complete");
        assert_eq!(status("x = [1,\n2]"), "complete");
        assert_eq!(status(""), "complete");
        assert_eq!(status("# just a comment"), "complete");
        assert_eq!(status("1 +"), "error");
        assert_eq!(status("x = )"), "error");
        assert_eq!(status("\u{1}"), "error");
    }
}
