//! What aio writes to stderr beyond tracebacks of uncaught exceptions — asyncio's debug
//! mode (slow steps), "exception was never retrieved" reports (F-8, TB-3), `__del__`
//! errors, `sys.tracebacklimit` — and which frames tracebacks through tasks and the
//! warnings module show (TB-1), compared with CPython.
//!
//! Expected outputs are `fixtures/stderr/NAME.stderr`, written from CPython's stderr by
//! `tests/tools/gen_stderr_fixtures.py`, which documents the normalization that
//! [`normalize`] repeats here.

use regex::Regex;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stderr")
}

/// The generator's normalization, applied to aio's stderr.
fn normalize(text: &str, folder: &Path) -> String {
    let folder = format!("{}/", folder.display());
    let asyncio = Regex::new(r#"File "asyncio/(\w+)\.aio", line \d+"#).unwrap();
    let warning = Regex::new(r"^asyncio/(\w+)\.aio:\d+: ").unwrap();
    let addr = Regex::new(r" at 0x[0-9a-f]+").unwrap();
    let took = Regex::new(r"took \d+\.\d+ seconds").unwrap();
    let created = Regex::new(r"created at [^ >]+").unwrap();
    let mut out = String::new();
    for line in text.lines() {
        let line = line.replace(&folder, "");
        let line = asyncio.replace_all(&line, r#"File "asyncio/$1", line ?"#);
        let line = warning.replace_all(&line, "asyncio/$1:?: ");
        let line = addr.replace_all(&line, " at 0x?");
        let line = took.replace_all(&line, "took ? seconds");
        let line = created.replace_all(&line, "created at ?");
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Runs fixture `name` and returns its exit status and raw stderr.
fn run(name: &str) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aio"))
        .arg(format!("{name}.aio"))
        .current_dir(fixtures())
        .output()
        .expect("aio runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn expected(name: &str) -> String {
    std::fs::read_to_string(fixtures().join(format!("{name}.stderr"))).expect("fixture")
}

#[test]
fn debug_mode_reports_slow_steps_with_the_task_and_where_it_was_created() {
    let (code, err) = run("debug_slow_steps");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(normalize(&err, &fixtures()), expected("debug_slow_steps"));
    // aio shows the user's line that created each task (CPython a line inside asyncio).
    assert!(err.contains("result=1 created at "), "{err}");
    assert!(err.contains("debug_slow_steps.aio:10>"), "{err}");
}

#[test]
fn never_retrieved_exceptions_are_reported_when_the_future_dies() {
    let (code, err) = run("never_retrieved_default");
    assert_eq!(code, Some(0), "{err}");
    // Beyond CPython: the task report says where the task was created.
    let site = "source_traceback: Object created at (most recent call last):\n  \
                File \"NAME\", line 14, in main\n    t = asyncio.create_task(fails())\n"
        .replace(
            "NAME",
            &fixtures()
                .join("never_retrieved_default.aio")
                .display()
                .to_string(),
        );
    assert!(err.contains(&site), "{err}");
    let err = err.replace(&site, "");
    assert_eq!(
        normalize(&err, &fixtures()),
        expected("never_retrieved_default")
    );
}

#[test]
fn callbacks_that_fail_are_reported_with_the_handle_frame() {
    let (code, err) = run("callback_errors");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(normalize(&err, &fixtures()), expected("callback_errors"));
}

#[test]
fn task_tracebacks_show_the_frames_cpython_shows() {
    let (code, err) = run("task_traceback");
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(normalize(&err, &fixtures()), expected("task_traceback"));
}

#[test]
fn an_exception_in_del_is_reported_and_ignored() {
    let out = Command::new(env!("CARGO_BIN_EXE_aio"))
        .arg("del_raises.aio")
        .current_dir(fixtures())
        .output()
        .expect("aio runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "still running\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(normalize(&err, &fixtures()), expected("del_raises"));
}

#[test]
fn the_compilers_syntax_warnings_are_printed_as_cpython_prints_them() {
    let (code, err) = run("syntax_warnings");
    assert_eq!(code, Some(0));
    assert_eq!(normalize(&err, &fixtures()), expected("syntax_warnings"));
}

#[test]
fn sys_tracebacklimit_keeps_the_innermost_frames_of_each_traceback() {
    let (code, err) = run("traceback_limit");
    assert_eq!(code, Some(1));
    assert_eq!(normalize(&err, &fixtures()), expected("traceback_limit"));
}

#[test]
fn a_warning_raised_as_an_error_shows_no_frames_of_the_warnings_module() {
    let (code, err) = run("warning_as_error");
    assert_eq!(code, Some(1));
    assert_eq!(normalize(&err, &fixtures()), expected("warning_as_error"));
}
