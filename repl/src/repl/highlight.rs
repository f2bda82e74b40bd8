//! Syntax highlighting of the line being typed: keywords, built-ins, strings, numbers,
//! comments and the names after `def`/`class` in ANSI colours (Python 3.14's REPL theme),
//! classified by the language's own lexer ([`aio_lexer::highlight::classify`]), so that
//! the colours agree with what the line means, incomplete as it usually is.
//!
//! The editor gives only the current line; the earlier lines of the same input (the
//! context) are lexed with it, so a continuation line inside a triple-quoted string is a
//! string. Colours are used only when stdout is a terminal and neither `NO_COLOR` nor
//! `AIO_NO_COLOR` is set to a non-empty value ([`enabled`]).

use aio_lexer::highlight::{classify, Class};
use std::collections::HashSet;

/// The SGR sequence that ends a coloured piece.
const RESET: &str = "\x1b[0m";

/// The colour of a class (`None`: plain). Names are plain unless they are built-ins.
fn colour(class: Class, builtin: bool) -> Option<&'static str> {
    match class {
        Class::Keyword | Class::SoftKeyword => Some("\x1b[1;34m"),
        Class::Name if builtin => Some("\x1b[36m"),
        Class::Definition => Some("\x1b[1m"),
        Class::String => Some("\x1b[32m"),
        Class::Number => Some("\x1b[33m"),
        Class::Comment => Some("\x1b[31m"),
        Class::Name | Class::Operator => None,
    }
}

/// Whether the REPL colours its input: stdout is a terminal and neither `NO_COLOR`
/// (<https://no-color.org>) nor `AIO_NO_COLOR` is set to a non-empty value.
pub fn enabled() -> bool {
    use std::io::IsTerminal;
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    std::io::stdout().is_terminal() && !set("NO_COLOR") && !set("AIO_NO_COLOR")
}

/// `line` with ANSI colour sequences around its keywords, built-ins (names in
/// `builtins`), strings, numbers, comments and definitions. `context` is the text of the
/// input's earlier lines, each ending with a newline (empty for a first line). The result
/// shows the same characters as `line`, so its display width is the same.
pub fn highlight(context: &str, line: &str, builtins: &HashSet<String>) -> String {
    let mut source = String::with_capacity(context.len() + line.len());
    source.push_str(context);
    source.push_str(line);
    let base = context.len();
    let mut out = String::with_capacity(line.len() * 2);
    let mut at = base;
    for (class, range) in classify(&source) {
        // Pieces are ordered and disjoint (the lexer's tests check it); skipping one that
        // is not keeps a surprise from ever panicking the input thread.
        if range.end <= base || range.start.max(base) < at {
            continue;
        }
        let start = range.start.max(base);
        let text = &source[start..range.end];
        let builtin = class == Class::Name && builtins.contains(text);
        let Some(sgr) = colour(class, builtin) else {
            continue;
        };
        out.push_str(&source[at..start]);
        out.push_str(sgr);
        out.push_str(text);
        out.push_str(RESET);
        at = range.end;
    }
    out.push_str(&source[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::highlight;
    use std::collections::HashSet;

    /// The highlighted text with each escape sequence shown as `«sgr»` (`«»` for the reset),
    /// so snapshots are readable.
    fn shown(context: &str, line: &str) -> String {
        let builtins: HashSet<String> = ["print", "len", "range"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let out = highlight(context, line, &builtins);
        let plain = regex::Regex::new("\x1b\\[([0-9;]*)m")
            .unwrap()
            .replace_all(&out, |c: &regex::Captures<'_>| match &c[1] {
                "0" => "«»".to_string(),
                code => format!("«{code}»"),
            })
            .into_owned();
        assert_eq!(
            regex::Regex::new("«[0-9;]*»")
                .unwrap()
                .replace_all(&plain, ""),
            line,
            "highlighting changes no character"
        );
        plain
    }

    #[test]
    fn a_statement() {
        insta::assert_snapshot!(
            shown("", "def f(x=1.5, *a): return len(x) + 0x1F  # done"),
            @"«1;34»def«» «1»f«»(x=«33»1.5«», *a): «1;34»return«» «36»len«»(x) + «33»0x1F«»  «31»# done«»"
        );
    }

    #[test]
    fn strings_and_keywords_that_are_names() {
        insta::assert_snapshot!(
            shown("", "print(f'{x}', b'\\x00', None if not x else True)"),
            @"«36»print«»(«32»f'{x}'«», «32»b'\\x00'«», «1;34»None«» «1;34»if«» «1;34»not«» x «1;34»else«» «1;34»True«»)"
        );
        insta::assert_snapshot!(shown("", "match = range"), @"match = «36»range«»");
        insta::assert_snapshot!(shown("", "match point:"), @"«1;34»match«» point:");
    }

    #[test]
    fn incomplete_input() {
        // An unterminated string runs to the end of the line.
        insta::assert_snapshot!(shown("", "x = 'abc # not a comment"), @"x = «32»'abc # not a comment«»");
        // A continuation line inside a triple-quoted string opened on an earlier line.
        insta::assert_snapshot!(
            shown("s = \"\"\"one\n", "two if \"\"\" + str(1)"),
            @"«32»two if \"\"\"«» + str(«33»1«»)"
        );
        insta::assert_snapshot!(shown("s = '''one\n", "still open"), @"«32»still open«»");
        // A malformed number being typed, a lone backslash, an invalid character.
        insta::assert_snapshot!(shown("", "1_ + 0x \\ € ?"), @"«33»1«»_ + «33»0«»x \\ € ?");
    }
}
