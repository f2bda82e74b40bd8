//! REPL inputs are classified (complete, incomplete, invalid) as CPython's `codeop` classifies
//! them; `fixtures/interactive/cases.txt` is written by
//! `tests/tools/gen_interactive_expectations.py` from `python3`.

use aio_parser::{parse_interactive, Input};

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn inputs_are_classified_like_codeop() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/interactive/cases.txt"
    );
    let text = std::fs::read_to_string(path).expect("cases.txt exists");
    let mut failures = Vec::new();
    let mut count = 0;
    for line in text.lines() {
        let Some((expected, source)) = line.split_once('\t') else {
            continue;
        };
        count += 1;
        let source = unescape(source);
        let got = match parse_interactive(&source) {
            Input::Complete(_) => "complete",
            Input::Incomplete => "incomplete",
            Input::Invalid(_) => "error",
        };
        if got != expected {
            failures.push(format!("{source:?}: expected {expected}, got {got}"));
        }
    }
    assert!(count > 40, "only {count} cases read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
