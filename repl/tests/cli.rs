//! The `aio` binary as a user meets it: exit statuses, CPython-style error reports, dumps.

use std::io::Write;
use std::process::{Command, Output};

fn aio(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aio"))
        .args(args)
        .output()
        .expect("aio runs")
}

fn temp_file(name: &str, text: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("aio-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(text)
        .unwrap();
    path.to_string_lossy().into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn check_accepts_valid_files() {
    let ok = temp_file("ok.aio", b"def f(x):\n    return x * 2\n");
    let out = aio(&["--check", &ok]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
}

#[test]
fn check_reports_syntax_errors_like_cpython() {
    let bad = temp_file(
        "bad.aio",
        b"print(\"start\")\nvalues = [1, 2, 3\ntotal = sum(values)\n",
    );
    let out = aio(&["--check", &bad]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("  File \"{bad}\", line 2\n    values = [1, 2, 3\n             ^\nSyntaxError: '[' was never closed\n")
    );
}

#[test]
fn check_fails_if_any_file_fails() {
    let ok = temp_file("ok2.aio", b"x = 1\n");
    let bad = temp_file("bad2.aio", b"x = 1\n    y = 2\n");
    let out = aio(&["--check", &ok, &bad]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).ends_with("IndentationError: unexpected indent\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_files_are_reported_with_errno() {
    let out = aio(&["/nonexistent/x.aio"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "aio: can't open file '/nonexistent/x.aio': [Errno 2] No such file or directory\n"
    );
}

#[test]
fn non_utf8_source_is_a_syntax_error() {
    let bad = temp_file("latin.aio", b"x = 1\n\xff\n");
    let out = aio(&["--check", &bad]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Non-UTF-8 code starting with '\\xff'"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("on line 2"));
}

#[test]
fn dumps_tokens_and_trees() {
    let file = temp_file("dump.aio", b"x = 1 + 2\n");
    let tokens = aio(&["--tokens", &file]);
    assert_eq!(tokens.status.code(), Some(0));
    let text = String::from_utf8_lossy(&tokens.stdout);
    assert!(text.lines().count() >= 6, "{text}");
    let ast = aio(&["--ast", &file]);
    assert_eq!(ast.status.code(), Some(0));
    let text = String::from_utf8_lossy(&ast.stdout);
    assert!(text.starts_with("Module\n"), "{text}");
    assert!(text.contains("BinOp +"), "{text}");
}

#[test]
fn unknown_options_are_usage_errors() {
    let out = aio(&["--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("usage: aio"));
}

#[test]
fn deep_nesting_is_a_recursion_error_not_a_crash() {
    let src = format!("x = 1{}\n", "+1".repeat(5000));
    let file = temp_file("deep.aio", src.as_bytes());
    let out = aio(&["--check", &file]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out)
        .ends_with("RecursionError: maximum recursion depth exceeded during compilation\n"));
}

#[test]
fn the_tour_example_prints_what_cpython_prints() {
    // examples/tour.out is `python3 examples/tour.aio` (regenerate it the same way).
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
    let out = aio(&[&format!("{root}/tour.aio")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let expected = std::fs::read_to_string(format!("{root}/tour.out")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}

#[test]
fn a_deadlocked_asyncio_program_reports_its_tasks_instead_of_hanging() {
    // CPython would wait forever here; aio names every pending task and where it waits.
    let script = temp_file(
        "deadlock.aio",
        b"import asyncio\nasync def waiter(ev):\n    await ev.wait()\nasync def main():\n    ev = asyncio.Event()\n    t = asyncio.create_task(waiter(ev), name='the-waiter')\n    await t\nasyncio.run(main())\n",
    );
    let out = aio(&[&script]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.starts_with("aio: deadlock:"), "{err}");
    assert!(err.contains("task 'the-waiter' is waiting:"), "{err}");
    assert!(
        err.contains(&format!("File \"{script}\", line 3, in waiter")),
        "{err}"
    );
    assert!(err.contains("in asyncio: wait()"), "{err}");
    assert!(
        err.contains(&format!("File \"{script}\", line 7, in main")),
        "{err}"
    );
}

/// Runs `script` until it prints `ready` (flushed), sends SIGINT `count` times (each after the
/// previous one was reported on stdout as `cancelled`), and returns the finished output.
fn interrupt(script: &str, count: usize) -> Output {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_aio"))
        .arg(script)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aio runs");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    for i in 0..count {
        let wanted = if i == 0 { "ready" } else { "cancelled" };
        loop {
            let mut line = String::new();
            assert!(
                stdout.read_line(&mut line).unwrap() > 0,
                "aio ended early: {seen}"
            );
            seen.push_str(&line);
            if line.trim() == wanted {
                break;
            }
        }
        // SAFETY: sends SIGINT to the child we spawned.
        unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    }
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    seen.push_str(&rest);
    let mut out = child.wait_with_output().expect("aio finishes");
    out.stdout = seen.into_bytes();
    out
}

#[test]
fn ctrl_c_cancels_the_main_task_then_ends_with_keyboard_interrupt() {
    // API-RUN-5: the first SIGINT cancels the main task (its finally blocks run); the run
    // ends with KeyboardInterrupt, and the process dies of SIGINT as CPython's does.
    use std::os::unix::process::ExitStatusExt;
    let script = temp_file(
        "sigint.aio",
        b"import asyncio\nasync def main():\n    try:\n        print('ready', flush=True)\n        await asyncio.sleep(30)\n    finally:\n        print('cleanup runs')\nasyncio.run(main())\n",
    );
    let out = interrupt(&script, 1);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ready\ncleanup runs\n"
    );
    assert_eq!(
        stderr(&out).trim_end().lines().last(),
        Some("KeyboardInterrupt")
    );
    assert_eq!(out.status.signal(), Some(libc::SIGINT));
}

#[test]
fn a_second_ctrl_c_interrupts_and_lists_the_pending_tasks() {
    let script = temp_file(
        "sigint2.aio",
        b"import asyncio\nasync def stubborn():\n    try:\n        await asyncio.sleep(30)\n    except asyncio.CancelledError:\n        print('cancelled', flush=True)\n    await asyncio.sleep(30)\nasync def main():\n    t = asyncio.create_task(stubborn(), name='stubborn')\n    await asyncio.sleep(0)\n    print('ready', flush=True)\n    await t\nasyncio.run(main())\n",
    );
    let out = interrupt(&script, 2);
    let err = stderr(&out);
    assert!(
        err.contains("aio: interrupted; tasks still pending:"),
        "{err}"
    );
    assert!(err.contains("task 'stubborn' is waiting:"), "{err}");
    assert_eq!(
        err.trim_end().lines().last(),
        Some("KeyboardInterrupt"),
        "{err}"
    );
}
