//! Shared helpers of aio's cross-crate tests: the corpus of sample programs they mutate.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository")
        .to_path_buf()
}

/// Every `.aio` file of the project's own corpora (parser fixtures, lexer fixtures,
/// examples), as `(path, text)`, sorted by path.
pub fn corpus() -> Vec<(PathBuf, String)> {
    let root = repo_root();
    let dirs = [
        "parser/tests/fixtures/valid",
        "parser/tests/fixtures/invalid",
        "lexer/tests/fixtures",
        "examples",
    ];
    let mut files = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "aio") {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    files.push((path, text));
                }
            }
        }
    }
    files.sort();
    files
}
