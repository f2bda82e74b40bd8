//! The front end never panics: thousands of generated token soups and mutated real programs
//! (truncations, byte flips, inserted brackets, quotes, tabs and newlines) go through the
//! lexer, the parser and the AST dump, on a thread with a small stack so that unbounded
//! recursion fails the test instead of hiding behind a big main-thread stack.

use aio_tests::corpus;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Runs the whole front end on `src`; any panic fails the calling test.
fn front_end(src: &str) {
    let (tokens, _) = aio_lexer::tokenize(src);
    let end = src.len() as u32;
    let mut last = 0;
    for t in &tokens {
        assert!(
            t.span.start <= t.span.end && t.span.end <= end,
            "span {:?} outside source",
            t.span
        );
        assert!(t.span.start >= last, "spans go backwards at {:?}", t.span);
        last = t.span.start;
    }
    match aio_parser::parse_module(src) {
        Ok(module) => {
            aio_parser::dump::dump_module(&module, src);
        }
        Err(e) => {
            assert!(e.span.start <= e.span.end, "bad error span {:?}", e.span);
            e.render("fuzz.aio", src);
        }
    }
}

/// Runs `f` on a thread with a 2 MiB stack.
fn small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("the front end panicked or overflowed its stack");
}

const FRAGMENTS: &[&str] = &[
    "def",
    "class",
    "if",
    "else",
    "elif",
    "for",
    "while",
    "in",
    "not",
    "and",
    "or",
    "lambda",
    "yield",
    "await",
    "async",
    "with",
    "as",
    "try",
    "except",
    "except*",
    "finally",
    "return",
    "match",
    "case",
    "_",
    "import",
    "from",
    "x",
    "y",
    "f",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    ",",
    ";",
    ".",
    "...",
    "=",
    "==",
    ":=",
    "+",
    "-",
    "*",
    "**",
    "/",
    "//",
    "@",
    "->",
    "|",
    "&",
    "~",
    "<<",
    "1",
    "0x1f",
    "1.5e3",
    "2j",
    "'s'",
    "\"s\"",
    "'''t",
    "f'{x}'",
    "f'{x!r:>{w}}'",
    "b'b'",
    "rb'\\d'",
    "\\",
    "#c",
    "\n",
    "\n    ",
    "\n\t",
    " ",
    "\r\n",
];

#[test]
fn token_soups_never_panic() {
    let soup = prop::collection::vec(prop::sample::select(FRAGMENTS), 0..60)
        .prop_map(|parts| parts.join(" "));
    let mut runner = TestRunner::new(Config {
        cases: 3000,
        failure_persistence: None,
        ..Config::default()
    });
    small_stack(move || {
        runner
            .run(&soup, |src| {
                front_end(&src);
                Ok(())
            })
            .unwrap();
    });
}

#[test]
fn arbitrary_text_never_panics() {
    let mut runner = TestRunner::new(Config {
        cases: 2000,
        failure_persistence: None,
        ..Config::default()
    });
    small_stack(move || {
        runner
            .run(&".{0,200}", |src| {
                front_end(&src);
                Ok(())
            })
            .unwrap();
    });
}

#[test]
fn mutated_programs_never_panic() {
    let corpus = corpus();
    assert!(
        corpus.len() >= 10,
        "the corpus is missing: found {} files",
        corpus.len()
    );
    small_stack(move || {
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n.max(1) as u64) as usize
        };
        let inserts = [
            "(", ")", "[", "]", "{", "}", "'", "\"", "'''", "\t", "\n", " ", ":", "\\", "{x", "}",
            "*",
        ];
        for (_, text) in &corpus {
            for _ in 0..40 {
                let mut bytes = text.clone().into_bytes();
                match next(4) {
                    0 => bytes.truncate(next(bytes.len() + 1)),
                    1 => {
                        if !bytes.is_empty() {
                            let i = next(bytes.len());
                            bytes[i] = (next(95) + 32) as u8;
                        }
                    }
                    2 => {
                        let i = next(bytes.len() + 1);
                        let ins = inserts[next(inserts.len())].as_bytes();
                        bytes.splice(i..i, ins.iter().copied());
                    }
                    _ => {
                        if !bytes.is_empty() {
                            let i = next(bytes.len());
                            let j = (i + next(20)).min(bytes.len());
                            bytes.drain(i..j);
                        }
                    }
                }
                if let Ok(src) = String::from_utf8(bytes) {
                    front_end(&src);
                }
            }
        }
    });
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    small_stack(|| {
        for src in [
            format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000)),
            format!("x = {}1\n", "-".repeat(2500)),
            format!("x = 1{}\n", "+1".repeat(3100)),
            format!("x = {}\n", "[".repeat(300)),
            format!(
                "{}pass\n",
                (0..120)
                    .map(|i| format!("{}if x:\n", " ".repeat(i)))
                    .collect::<String>()
            ),
        ] {
            front_end(&src);
        }
    });
}
