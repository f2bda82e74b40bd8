//! Every `fixtures/invalid/X.aio` must be rejected with the error CPython 3.11 raises for it,
//! recorded in `X.expected` by `tests/tools/gen_parser_expectations.py`:
//!
//! ```text
//! SyntaxError: expected ':'
//! at 3:12
//! ```
//!
//! (`at LINE:OFFSET`, CPython's 1-based character offset), and rendered as CPython renders
//! it when it runs the file (`X.report`: file line, source line, caret line, last line).

mod common;

use aio_lexer::LineIndex;
use std::fs;

/// Fixtures whose caret line CPython draws wider than the range it reports: it counts
/// the bytes, not the characters, of a non-ASCII token. aio draws one caret per character.
const CARET_QUIRKS: &[&str] = &["bytes_non_ascii"];

/// What the parser reported, in the fixture format.
fn report(source: &str) -> Option<(String, u32, u32)> {
    let error = aio_parser::parse_module(source).err()?;
    let position = LineIndex::new(source).position(source, error.span.start);
    Some((error.summary(), position.line, position.column + 1))
}

#[test]
fn invalid_fixtures_fail_like_cpython() {
    let paths = common::fixtures("invalid", 50);

    let mut failures = Vec::new();
    for path in &paths {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let source = fs::read_to_string(path).expect("fixture is UTF-8");
        let expected =
            fs::read_to_string(path.with_extension("expected")).expect("X.expected exists");
        let mut lines = expected.lines();
        let summary = lines.next().unwrap_or_default().to_string();
        let (line, column) = lines
            .next()
            .and_then(|l| l.strip_prefix("at "))
            .and_then(|l| l.split_once(':'))
            .map(|(l, c)| (l.parse::<u32>().unwrap(), c.parse::<u32>().unwrap()))
            .expect("second line is `at L:C`");
        let Some((got_summary, got_line, got_column)) = report(&source) else {
            failures.push(format!("{name}: parsed, expected `{summary}`"));
            continue;
        };
        let report = fs::read_to_string(path.with_extension("report")).expect("X.report exists");
        let rendered = aio_parser::parse_module(&source)
            .expect_err("already failed")
            .render(&format!("{name}.aio"), &source);
        let without_carets = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| {
                    !CARET_QUIRKS.contains(&name.as_str()) || !l.trim_start().starts_with('^')
                })
                .map(str::to_string)
                .collect()
        };
        if without_carets(&rendered) != without_carets(&report) {
            failures.push(format!("{name}: report differs:\n{report}---\n{rendered}"));
        }
        // CPython's columns for errors inside f-string fields are relative to a
        // re-parsed copy of the field, not to the file: only the message and line are
        // compared for those.
        let check_column = !summary.starts_with("SyntaxError: f-string");
        if got_summary != summary || got_line != line || (check_column && got_column != column) {
            failures.push(format!(
                "{name}:\n  expected {summary} at {line}:{column}\n  got      {got_summary} at {got_line}:{got_column}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} invalid fixtures differ from CPython:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}
