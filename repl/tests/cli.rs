//! The `aio` binary as a user meets it: exit statuses, CPython-style error reports, dumps.

mod oracle;

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

#[test]
fn a_deadlocked_threading_program_reports_its_threads_instead_of_hanging() {
    // Two threads each hold the lock the other wants while the main thread joins one:
    // CPython hangs; aio names every waiting thread and the line it waits at.
    let script = temp_file(
        "thread_deadlock.aio",
        b"import threading, time\n\
a, b = threading.Lock(), threading.Lock()\n\
def one():\n    with a:\n        time.sleep(0.01)\n        with b:\n            pass\n\
def two():\n    with b:\n        time.sleep(0.01)\n        with a:\n            pass\n\
t1 = threading.Thread(target=one, name='one')\n\
t2 = threading.Thread(target=two, name='two')\n\
t1.start(); t2.start()\n\
t1.join()\n",
    );
    let out = aio(&[&script]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("aio: deadlock: every thread is waiting"),
        "{err}"
    );
    for (name, line, func) in [
        ("MainThread", 16, "<module>"),
        ("one", 6, "one"),
        ("two", 11, "two"),
    ] {
        assert!(
            err.contains(&format!("thread '{name}' is waiting:")),
            "{err}"
        );
        assert!(
            err.contains(&format!("File \"{script}\", line {line}, in {func}")),
            "{err}"
        );
    }
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
fn ctrl_c_stops_a_script_in_time_sleep_or_a_loop_with_keyboard_interrupt() {
    // As CPython's default SIGINT handler: KeyboardInterrupt at once, at the line that ran,
    // then the process dies of SIGINT. `time.sleep` is cut short, not slept to its end.
    use std::os::unix::process::ExitStatusExt;
    for (name, body) in [
        (
            "sleep",
            "import time\nprint('ready', flush=True)\ntime.sleep(60)\n",
        ),
        (
            "loop",
            "print('ready', flush=True)\nwhile True:\n    pass\n",
        ),
    ] {
        let script = temp_file(&format!("sigint_{name}.aio"), body.as_bytes());
        let start = std::time::Instant::now();
        let out = interrupt(&script, 1);
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "{name}"
        );
        let err = stderr(&out);
        let line = if name == "sleep" { 3 } else { 2 };
        assert!(
            err.contains(&format!("File \"{script}\", line {line}, in <module>")),
            "{name}: {err}"
        );
        assert_eq!(err.trim_end().lines().last(), Some("KeyboardInterrupt"));
        assert_eq!(out.status.signal(), Some(libc::SIGINT));
    }
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

/// Runs `program` with `args`, `stdin` piped in, in folder `dir`.
fn run_in(program: &str, args: &[&str], stdin: &str, dir: &std::path::Path) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("program runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// aio's and CPython's runs of the same command line (`.aio` files have a `.py` twin for
/// CPython): same stdout, same exit status, same last line of stderr.
fn same_as_python(
    case: &str,
    aio_args: &[&str],
    py_args: &[&str],
    stdin: &str,
    dir: &std::path::Path,
) {
    let ours = run_in(env!("CARGO_BIN_EXE_aio"), aio_args, stdin, dir);
    let theirs = oracle::python3(case, py_args, stdin, dir);
    let last = |s: &str| s.trim_end().lines().last().unwrap_or("").to_string();
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout),
        theirs.stdout,
        "stdout of {aio_args:?}; aio's stderr: {}",
        stderr(&ours)
    );
    assert_eq!(ours.status.code(), theirs.status, "{aio_args:?}");
    assert_eq!(last(&stderr(&ours)), last(&theirs.stderr), "{aio_args:?}");
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("aio-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn dash_c_runs_a_string_with_python_argv() {
    let dir = temp_dir("c");
    let code = "import sys\nprint(sys.argv)\nprint(sum(range(10)))";
    same_as_python(
        "dash_c_runs_a_string_with_python_argv_1",
        &["-c", code, "a", "-b"],
        &["-c", code, "a", "-b"],
        "",
        &dir,
    );
    same_as_python(
        "dash_c_runs_a_string_with_python_argv_2",
        &["-c", "1/0"],
        &["-c", "1/0"],
        "",
        &dir,
    );
    same_as_python(
        "dash_c_runs_a_string_with_python_argv_3",
        &["-c", "raise SystemExit(4)"],
        &["-c", "raise SystemExit(4)"],
        "",
        &dir,
    );
}

/// CPython's linecache has no source for `<string>` (`-c`) or `<stdin>` (`-`): their
/// tracebacks show no source line (and so no carets). The whole stderr must match.
#[test]
fn tracebacks_of_dash_c_and_stdin_have_no_source_lines() {
    let dir = temp_dir("nosource");
    for (case, args, stdin) in [
        ("tracebacks_no_source_dash_c", &["-c", "x = 1\n1/0"][..], ""),
        (
            "tracebacks_no_source_stdin",
            &["-"][..],
            "def f():\n    return [][1]\nf()\n",
        ),
    ] {
        let ours = run_in(env!("CARGO_BIN_EXE_aio"), args, stdin, &dir);
        let theirs = oracle::python3(case, args, stdin, &dir);
        assert_eq!(stderr(&ours), theirs.stderr, "{args:?}");
        assert_eq!(ours.status.code(), theirs.status, "{args:?}");
    }
}

#[test]
fn stdin_scripts_with_and_without_dash() {
    let dir = temp_dir("stdin");
    let script = "import sys\nprint(sys.argv)\nfor i in range(3):\n    print(i * i)\n";
    same_as_python(
        "stdin_scripts_with_and_without_dash_1",
        &["-", "x", "y"],
        &["-", "x", "y"],
        script,
        &dir,
    );
    same_as_python(
        "stdin_scripts_with_and_without_dash_2",
        &[],
        &[],
        script,
        &dir,
    );
    same_as_python(
        "stdin_scripts_with_and_without_dash_3",
        &[],
        &[],
        "print('a')\nundefined_name\n",
        &dir,
    );
}

/// Printing to a pipe whose reader has gone raises `BrokenPipeError`; uncaught, it ends the
/// run as CPython 3.11's does (`python3 -c '...' | head -1`): traceback, status 1.
#[test]
fn printing_to_a_closed_pipe_raises_broken_pipe_error() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    for (name, body) in [
        ("print", "for i in range(10**6):\n    print(i)\n"),
        (
            "write",
            "import sys\nfor i in range(10**6):\n    sys.stdout.write(f'{i}\\n')\n",
        ),
    ] {
        let script = temp_file(&format!("epipe_{name}.aio"), body.as_bytes());
        let mut child = Command::new(env!("CARGO_BIN_EXE_aio"))
            .arg(&script)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("aio runs");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert_eq!(first, "0\n");
        // The reader (our end of the pipe) was dropped with the BufReader.
        let out = child.wait_with_output().expect("aio finishes");
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert_eq!(
            stderr(&out).trim_end().lines().last(),
            Some("BrokenPipeError: [Errno 32] Broken pipe"),
            "{name}"
        );
    }
}

/// `input()` removes only the final `\n`: on Linux CPython's stdin keeps a `\r` before it.
#[test]
fn input_keeps_a_carriage_return() {
    let dir = temp_dir("input_cr");
    let code = "print(repr(input()))\nprint(repr(input()))\nprint(repr(input()))";
    same_as_python(
        "input_keeps_a_carriage_return",
        &["-c", code],
        &["-c", code],
        "a\r\n\r\nb\r",
        &dir,
    );
}

#[test]
fn dash_m_finds_the_module_in_the_current_folder() {
    let dir = temp_dir("m");
    let body = "import sys\nprint(__name__)\nprint(sys.argv[1:])\nprint(sys.argv[0].endswith('runme.' + ('aio' if sys.argv[0].endswith('aio') else 'py')))\n";
    std::fs::write(dir.join("runme.aio"), body).unwrap();
    std::fs::write(dir.join("runme.py"), body).unwrap();
    same_as_python(
        "dash_m_finds_the_module_in_the_current_folder_1",
        &["-m", "runme", "1", "2"],
        &["-m", "runme", "1", "2"],
        "",
        &dir,
    );
    // CPython names its own executable before the message; aio says `aio`.
    let ours = run_in(env!("CARGO_BIN_EXE_aio"), &["-m", "no_such_x"], "", &dir);
    let theirs = oracle::python3("dash_m_missing", &["-m", "no_such_x"], "", &dir);
    assert_eq!(ours.status.code(), theirs.status);
    let message = |s: &str| s.split(": ").last().unwrap_or("").to_string();
    assert_eq!(message(&stderr(&ours)), message(&theirs.stderr));
}

#[test]
fn dash_m_imports_the_parent_packages_and_runs_a_package_main() {
    // As `python -m`: the package's `__init__` runs first, `__package__` is set so that
    // relative imports work, a package runs its `__main__`.
    let dir = temp_dir("mpkg");
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::create_dir_all(dir.join("bare")).unwrap();
    let files = [
        ("pkg/__init__", "import sys\nprint('init', __name__, __package__)\n"),
        (
            "pkg/__main__",
            "from . import helper\nprint('main', __name__, __package__, helper.V)\n",
        ),
        ("pkg/helper", "V = 3\n"),
        (
            "pkg/sub",
            "import sys\nfrom .helper import V\nprint('sub', __name__, __package__, V, sys.argv[1:])\nprint(sys.argv[0].rsplit('.', 1)[0].endswith('pkg/sub'))\n",
        ),
        ("bare/__init__", ""),
        ("plain", "print('plain', __name__, __package__)\n"),
    ];
    for (name, body) in files {
        std::fs::write(dir.join(format!("{name}.aio")), body).unwrap();
        std::fs::write(dir.join(format!("{name}.py")), body).unwrap();
    }
    for (i, args) in [
        &["-m", "pkg"][..],
        &["-m", "pkg.sub", "a", "b"],
        &["-m", "plain"],
    ]
    .into_iter()
    .enumerate()
    {
        same_as_python(&format!("dash_m_pkg_{i}"), args, args, "", &dir);
    }
    // Nothing to run: CPython's message after the executable's name.
    for (i, args) in [&["-m", "bare"][..], &["-m", "plain.x"], &["-m", "pkg.nope"]]
        .into_iter()
        .enumerate()
    {
        let ours = run_in(env!("CARGO_BIN_EXE_aio"), args, "", &dir);
        let theirs = oracle::python3(&format!("dash_m_none_{i}"), args, "", &dir);
        assert_eq!(ours.status.code(), theirs.status, "{args:?}");
        assert_eq!(String::from_utf8_lossy(&ours.stdout), theirs.stdout);
        let message = |s: &str| s.trim_end().split_once(": ").map(|(_, m)| m.to_string());
        assert_eq!(message(&stderr(&ours)), message(&theirs.stderr), "{args:?}");
    }
}

#[test]
fn dash_i_combines_with_dash_c_and_dash_m() {
    let dir = temp_dir("ic");
    std::fs::write(dir.join("mod_i.aio"), "y = 4\n").unwrap();
    std::fs::write(dir.join("mod_i.py"), "y = 4\n").unwrap();
    for (i, args) in [
        &["-i", "-c", "x = 5"][..],
        &["-i", "-c", "x = 5\n1/0"],
        &["-i", "-c", "x = 5\nraise SystemExit(4)"],
        &["-i", "-m", "mod_i"],
    ]
    .into_iter()
    .enumerate()
    {
        let input = "print('in the REPL', globals().get('x'), globals().get('y'))\n";
        let ours = run_in(env!("CARGO_BIN_EXE_aio"), args, input, &dir);
        let theirs = oracle::python3(&format!("dash_i_combined_{i}"), args, input, &dir);
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            theirs.stdout,
            "{args:?}: {}",
            stderr(&ours)
        );
        assert_eq!(ours.status.code(), theirs.status, "{args:?}");
        // What the program reported before the first prompt: its traceback, even for
        // `SystemExit`, which under `-i` does not exit.
        let report = |s: &str| s.split(">>> ").next().unwrap_or("").to_string();
        assert_eq!(report(&stderr(&ours)), report(&theirs.stderr), "{args:?}");
    }
}

#[test]
fn dash_i_runs_the_script_then_reads_statements_in_its_globals() {
    let dir = temp_dir("i");
    let body = "x = 21\ndef double(v):\n    return 2 * v\n";
    std::fs::write(dir.join("lib.aio"), body).unwrap();
    std::fs::write(dir.join("lib.py"), body).unwrap();
    let input =
        "double(x)\n_ + 1\nprint(x)\nfor i in range(2):\n    print(i)\n\nNone\n1/0\n'still here'\n";
    // The prompts on stderr differ in details; the program's output and status may not.
    let ours = run_in(env!("CARGO_BIN_EXE_aio"), &["-i", "lib.aio"], input, &dir);
    let theirs = oracle::python3("dash_i", &["-i", "lib.py"], input, &dir);
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout),
        theirs.stdout,
        "aio's stderr: {}",
        stderr(&ours)
    );
    assert_eq!(ours.status.code(), theirs.status);
    let error = "ZeroDivisionError: division by zero";
    assert!(stderr(&ours).contains(error) && theirs.stderr.contains(error));
}

#[test]
fn version_and_help() {
    let out = aio(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let version = text.trim_end().strip_prefix("aio ").expect("aio X.Y.Z");
    assert_eq!(version.split('.').count(), 3, "{text}");
    assert!(
        version.split('.').all(|n| n.parse::<u32>().is_ok()),
        "{text}"
    );
    let help = aio(&["--help"]);
    let text = String::from_utf8_lossy(&help.stdout).into_owned();
    for flag in [
        "-c cmd",
        "-m mod",
        "-i",
        "--dis",
        "--check",
        "-V, --version",
    ] {
        assert!(text.contains(flag), "{flag} missing from --help:\n{text}");
    }
}

/// The binary turns transparent huge pages off for itself (`alloc::no_huge_pages`): the
/// kernel reports the flag in `/proc/self/status` (Linux 5.0 and later).
#[test]
fn the_binary_runs_without_transparent_huge_pages() {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return; // not Linux
    };
    if !status.contains("THP_enabled:") {
        return; // a kernel that does not report the flag
    }
    let script = temp_file(
        "thp.aio",
        b"for line in open('/proc/self/status'):\n    if line.startswith('THP_enabled'):\n        print(line.split()[1])\n",
    );
    let out = aio(&[&script]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "0",
        "{}",
        stderr(&out)
    );
}
