//! CPython as the oracle of the CLI and REPL tests, recorded so that the tests run where
//! no `python3` is installed (CI has only the Rust toolchain).
//!
//! Each call names a case. With `AIO_RECORD_PYTHON=1` the command runs under `python3`
//! and its outcome is written to `fixtures/python/CASE.*` (`.cmd` the command line and
//! stdin, `.stdout`, `.stderr`, `.status`); otherwise the recorded outcome is read back,
//! after checking that the recorded command is the one asked for. Re-record after
//! changing a case: `AIO_RECORD_PYTHON=1 cargo test -p aio --test cli --test repl_pty`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What CPython did: stdout, stderr and the exit status.
pub struct Outcome {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit status (`None` when killed by a signal).
    pub status: Option<i32>,
}

fn fixture(case: &str, ext: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/python")
        .join(format!("{case}.{ext}"))
}

/// `python3 ARGS` with `stdin`, run in `dir` (recorded or replayed, see the module docs).
pub fn python3(case: &str, args: &[&str], stdin: &str, dir: &Path) -> Outcome {
    let cmd = format!("python3 {args:?}\n--- stdin ---\n{stdin}");
    if std::env::var_os("AIO_RECORD_PYTHON").is_some() {
        let mut child = Command::new("python3")
            .args(args)
            .current_dir(dir)
            .env("PYTHONHASHSEED", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 runs (recording needs CPython 3.11)");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let outcome = Outcome {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            status: out.status.code(),
        };
        std::fs::write(fixture(case, "cmd"), &cmd).unwrap();
        std::fs::write(fixture(case, "stdout"), &outcome.stdout).unwrap();
        std::fs::write(fixture(case, "stderr"), &outcome.stderr).unwrap();
        std::fs::write(fixture(case, "status"), format!("{:?}\n", outcome.status)).unwrap();
        return outcome;
    }
    let read = |ext: &str| {
        std::fs::read_to_string(fixture(case, ext)).unwrap_or_else(|_| {
            panic!("no recording of case {case:?}: run the tests once with AIO_RECORD_PYTHON=1")
        })
    };
    assert_eq!(
        read("cmd"),
        cmd,
        "case {case:?} changed since it was recorded: re-record with AIO_RECORD_PYTHON=1"
    );
    let status = match read("status").trim() {
        "None" => None,
        s => Some(
            s.trim_start_matches("Some(")
                .trim_end_matches(')')
                .parse()
                .expect("a recorded status"),
        ),
    };
    Outcome {
        stdout: read("stdout"),
        stderr: read("stderr"),
        status,
    }
}
