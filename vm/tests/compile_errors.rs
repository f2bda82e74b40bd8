//! The compiler's own errors (scope and context rules the grammar cannot see): every
//! `parser/tests/fixtures/compile_errors/X.aio` parses, then must fail to compile with the
//! message and position CPython 3.11 reports, recorded in `X.expected` by
//! `tests/tools/gen_parser_expectations.py`:
//!
//! ```text
//! SyntaxError: 'break' outside loop
//! at 3:5
//! ```

use aio_lexer::LineIndex;
use std::path::Path;

fn fixtures() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../parser/tests/fixtures/compile_errors");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir:?}: {e}"))
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "aio"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 20,
        "expected at least 20 fixtures in {dir:?}"
    );
    paths
}

#[test]
fn compile_errors_match_cpython() {
    let mut failures = Vec::new();
    let paths = fixtures();
    for path in &paths {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(path).expect("fixture is UTF-8");
        let expected =
            std::fs::read_to_string(path.with_extension("expected")).expect("X.expected exists");
        let expected: Vec<&str> = expected.lines().collect();
        assert!(
            aio_parser::parse_module(&source).is_ok(),
            "{name}: the fixture must parse; its error belongs to the compiler"
        );
        let mut vm = aio_vm::Vm::new();
        let got = match vm.compile_source(&source, &format!("{name}.aio"), aio_vm::Mode::Exec) {
            Ok(_) => {
                failures.push(format!("{name}: compiled, expected `{}`", expected[0]));
                continue;
            }
            Err(e) => e,
        };
        let at = LineIndex::new(&source).position(&source, got.span.start);
        let got = [got.summary(), format!("at {}:{}", at.line, at.column + 1)];
        if got[..] != expected[..2] {
            failures.push(format!(
                "{name}: got {got:?}, expected {:?}",
                &expected[..2]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} compile-error fixtures differ from CPython:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}
