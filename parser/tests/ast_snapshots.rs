//! Snapshots of `aio --ast` output (`dump::dump_module`) for every `fixtures/valid/X.aio`.
//! `cpython_ast.rs` checks the same trees against CPython's `ast`; these pin the readable
//! rendering the CLI prints.

#[test]
fn syntax_trees() {
    insta::glob!("fixtures/valid/*.aio", |path| {
        let source = std::fs::read_to_string(path).expect("fixture is UTF-8");
        let module = aio_parser::parse_module(&source).expect("valid fixture parses");
        insta::assert_snapshot!(aio_parser::dump::dump_module(&module, &source));
    });
}
