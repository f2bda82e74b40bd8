//! Snapshots of the full error report (file, line, source line, caret, `Kind: message`) for
//! every `fixtures/invalid/X.aio`. `syntax_errors.rs` checks the message and position
//! against CPython; these pin the rendering.

#[test]
fn rendered_syntax_errors() {
    insta::glob!("fixtures/invalid/*.aio", |path| {
        let source = std::fs::read_to_string(path).expect("fixture is UTF-8");
        let name = path.file_name().unwrap().to_string_lossy();
        let error = aio_parser::parse_module(&source).expect_err("invalid fixture must not parse");
        insta::assert_snapshot!(error.render(&name, &source));
    });
}
