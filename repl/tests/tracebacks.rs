//! Whole tracebacks, PEP 657 indicator lines included: runs every
//! `tests/tracebacks/NAME.aio` (a small program ending with an uncaught exception) with the
//! `aio` binary and compares all of stderr with `NAME.stderr`, which
//! `tests/tools/gen_traceback_expectations.py` writes from CPython 3.11's stderr (never by
//! hand). The script corpus compares only the last stderr line; this test checks the
//! frames, the source lines and the `~~^~~` / `~^^^` / `^^^^` lines under them.
//!
//! Each script runs with `tests/tracebacks` as the working directory; that folder is removed
//! from aio's file names (`File "/.../tests/tracebacks/NAME.aio"` -> `File "NAME.aio"`), as
//! the generator removes CPython's temporary folder. Files named `mod_*.aio` are helper
//! modules, never run on their own. `AIO_TRACEBACKS=substring` runs only matching scripts.
//! Every failure is collected and reported together, with a line diff.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn folder() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/tracebacks");
    dir.canonicalize().unwrap_or(dir)
}

fn scripts() -> Vec<PathBuf> {
    let filter = std::env::var("AIO_TRACEBACKS").unwrap_or_default();
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder())
        .expect("tests/tracebacks exists")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "aio"))
        .filter(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy();
            !stem.starts_with("mod_") && stem.contains(filter.as_str())
        })
        .collect();
    found.sort();
    found
}

/// The first differing line of `want` and `have`, for the report.
fn first_difference(want: &str, have: &str) -> String {
    let (w, h): (Vec<&str>, Vec<&str>) = (want.lines().collect(), have.lines().collect());
    for i in 0..w.len().max(h.len()) {
        let (a, b) = (w.get(i), h.get(i));
        if a != b {
            return format!(
                "line {}: want {:?}, have {:?}",
                i + 1,
                a.copied().unwrap_or("<end>"),
                b.copied().unwrap_or("<end>")
            );
        }
    }
    "trailing newline differs".to_string()
}

#[test]
fn tracebacks_match_cpython_in_full() {
    let dir = folder();
    let prefix = format!("File \"{}/", dir.display());
    let all = scripts();
    assert!(
        std::env::var_os("AIO_TRACEBACKS").is_some() || all.len() >= 15,
        "expected at least 15 traceback scripts in {}",
        dir.display()
    );
    let mut failures = Vec::new();
    for script in &all {
        let name = script.file_name().unwrap().to_string_lossy().into_owned();
        let out = Command::new(env!("CARGO_BIN_EXE_aio"))
            .arg(&name)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .output()
            .expect("aio runs");
        let have = String::from_utf8_lossy(&out.stderr).replace(&prefix, "File \"");
        let expected = script.with_extension("stderr");
        let want = std::fs::read_to_string(&expected)
            .unwrap_or_else(|e| panic!("{}: {e}", expected.display()));
        if out.status.code() != Some(1) {
            failures.push(format!(
                "{name}: exit status {:?}, want 1",
                out.status.code()
            ));
        } else if have != want {
            failures.push(format!("{name}: {}", first_difference(&want, &have)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} traceback scripts differ from CPython:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
