//! Helpers shared by the parser's integration tests.

use std::path::{Path, PathBuf};

/// The `.aio` files of `tests/fixtures/<kind>`, sorted; at least `min` of them must exist.
pub fn fixtures(kind: &str, min: usize) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir:?}: {e}"))
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "aio"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= min,
        "expected at least {min} fixtures in {dir:?}"
    );
    paths
}
