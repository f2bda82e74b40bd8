//! Standard output to a pipe whose reader has gone, as CPython 3.11 (without
//! `PYTHONUNBUFFERED`) behaves: a write that fails raises `BrokenPipeError` in the script;
//! output still buffered at exit is reported as `Exception ignored in: <_io.TextIOWrapper
//! name='<stdout>' ...>` and the process exits with status 120.

use std::io::Write;
use std::process::{Command, Stdio};

const IGNORED: &str = "Exception ignored in: <_io.TextIOWrapper name='<stdout>' mode='w' \
                       encoding='utf-8'>\nBrokenPipeError: [Errno 32] Broken pipe\n";

/// Runs `src` with its stdout pipe closed before the script goes on (it waits for a line
/// on stdin first, so the order is certain); returns the exit status and stderr.
fn run_closed(src: &str) -> (Option<i32>, String) {
    let code = format!("import sys\nsys.stdin.readline()\n{src}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_aio"))
        .args(["-c", &code])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aio runs");
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"go\n").expect("write stdin");
    drop(stdin);
    let out = child.wait_with_output().expect("aio exits");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn output_buffered_at_exit_is_reported_with_status_120() {
    assert_eq!(run_closed("print('x')\n"), (Some(120), IGNORED.to_string()));
    // Whatever status the script asked for.
    assert_eq!(
        run_closed("print('x')\nsys.exit(3)\n"),
        (Some(120), IGNORED.to_string())
    );
    // After the traceback of an uncaught exception.
    let (code, err) = run_closed("print('x')\n1/0\n");
    assert_eq!(code, Some(120));
    assert!(
        err.ends_with(&format!("ZeroDivisionError: division by zero\n{IGNORED}")),
        "{err}"
    );
}

#[test]
fn a_failed_write_raises_broken_pipe_error_once() {
    let (code, err) = run_closed("for i in range(100000): print(i)\n");
    assert_eq!(code, Some(1));
    assert!(
        err.ends_with("\nBrokenPipeError: [Errno 32] Broken pipe\n"),
        "{err}"
    );
    assert!(!err.contains("Exception ignored"), "{err}");
    // Caught: what was left over is dropped silently.
    let caught = "try:\n    for i in range(100000): print(i)\nexcept BrokenPipeError:\n    pass\n";
    assert_eq!(run_closed(caught), (Some(0), String::new()));
    // Nothing printed: nothing to report.
    assert_eq!(run_closed("pass\n"), (Some(0), String::new()));
}
