//! Snapshot tests of the token stream: each `fixtures/X.aio` is lexed and rendered with
//! `dump_tokens` (positions, kinds, decoded literal values).

use aio_lexer::dump::dump_tokens;
use aio_lexer::tokenize;

#[test]
fn token_streams() {
    insta::glob!("fixtures/*.aio", |path| {
        let source = std::fs::read_to_string(path).expect("fixture is UTF-8");
        let (tokens, error) = tokenize(&source);
        assert!(error.is_none(), "{path:?} must lex: {error:?}");
        insta::assert_snapshot!(dump_tokens(&source, &tokens, error.as_ref()));
    });
}

#[test]
fn lexical_errors() {
    // Each input stops the lexer; the snapshot shows the tokens before the error and the error.
    let cases = [
        ("unterminated_string", "x = 'abc\n"),
        ("unterminated_triple", "x = '''abc\n\n"),
        ("never_closed", "f(a, [1,\n"),
        ("unmatched", "x = 1)\n"),
        ("mismatched", "(1,\n 2]\n"),
        ("bad_dedent", "if x:\n    y\n  z\n"),
        ("tab_error", "if x:\n\ty\n        z\n"),
        ("invalid_character", "a = 1 € 2\n"),
        ("invalid_decimal", "x = 1_\n"),
        ("invalid_hex", "x = 0xg\n"),
        ("bad_escape", "x = '\\x4'\n"),
        ("bytes_non_ascii", "x = b'é'\n"),
        ("continuation", "x = 1 \\ 2\n"),
        ("null_byte", "x = 1\0\n"),
    ];
    for (name, source) in cases {
        let (tokens, error) = tokenize(source);
        assert!(error.is_some(), "{name} must fail");
        insta::assert_snapshot!(name, dump_tokens(source, &tokens, error.as_ref()), source);
    }
}
