//! The script corpus: runs every `tests/scripts/**/NAME.aio` with the `aio` binary and compares
//! what it does with what CPython 3.11 did (the expected files are written by
//! `tests/tools/gen_script_expectations.py`, never by hand).
//!
//! A script passes when, run with its folder as the working directory, stdin from /dev/null
//! and a 10 s limit:
//! - stdout is byte-for-byte `NAME.out`;
//! - the exit status equals `NAME.code` (0 when there is none);
//! - where `NAME.err` exists, the last non-empty line of stderr equals its (trimmed) content.
//!
//! Files named `mod_*.aio` are helper modules imported by the scripts beside them; they are
//! not run on their own. Every failure is collected and reported together at the end.
//!
//! Environment:
//! - `AIO_SCRIPTS=substring` runs only the scripts whose path relative to `tests/scripts`
//!   without the extension (e.g. `classes/inheritance_mro`) contains the substring.
//! - `AIO_SCRIPTS_BIN=path` runs another interpreter instead of the `aio` binary (a relative
//!   path is taken from the repository root). With `tests/tools/cpython_as_aio.py` every
//!   script passes: that checks the corpus and this runner before the VM exists.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

/// Wall-clock limit for one script.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Prefix of helper modules that scripts import; they are never run as tests.
const MODULE_PREFIX: &str = "mod_";

fn repo_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    root.canonicalize().unwrap_or(root)
}

fn corpus_root() -> PathBuf {
    repo_root().join("tests").join("scripts")
}

/// The interpreter under test: the `aio` binary, or `AIO_SCRIPTS_BIN` when it is set.
fn interpreter() -> PathBuf {
    match std::env::var_os("AIO_SCRIPTS_BIN") {
        Some(bin) if !bin.is_empty() => repo_root().join(bin),
        _ => PathBuf::from(env!("CARGO_BIN_EXE_aio")),
    }
}

/// Every script under `dir`, recursively, in sorted order (helper modules left out).
fn collect_scripts(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_scripts(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "aio") {
            let name = path.file_name().unwrap().to_string_lossy();
            if !name.starts_with(MODULE_PREFIX) {
                out.push(path);
            }
        }
    }
}

/// What one run of the binary produced.
struct Outcome {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// `None` when the process was killed by a signal or by the timeout.
    code: Option<i32>,
    timed_out: bool,
}

/// Drains a pipe on its own thread so that a chatty child never blocks on a full pipe.
fn drain(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut buf);
        }
        buf
    })
}

fn wait_with_timeout(child: &mut Child) -> (Option<i32>, bool) {
    let start = Instant::now();
    loop {
        match child.try_wait().expect("waiting for aio") {
            Some(status) => return (status.code(), false),
            None if start.elapsed() >= TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return (None, true);
            }
            None => thread::sleep(Duration::from_millis(5)),
        }
    }
}

fn run_script(interpreter: &Path, script: &Path) -> Outcome {
    let dir = script.parent().expect("script has a folder");
    let mut child = Command::new(interpreter)
        .arg(script.file_name().expect("script has a name"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", interpreter.display()));
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let (code, timed_out) = wait_with_timeout(&mut child);
    Outcome {
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
        code,
        timed_out,
    }
}

/// The last line of `text` that is not only white space ("" when there is none).
fn last_non_empty_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("")
}

/// Shortens a line for a one-line report.
fn clip(line: &str) -> String {
    const MAX: usize = 100;
    if line.chars().count() <= MAX {
        format!("{line:?}")
    } else {
        let head: String = line.chars().take(MAX).collect();
        format!("{head:?}...")
    }
}

/// Describes where `got` first departs from `want`, line by line.
fn first_difference(want: &[u8], got: &[u8]) -> String {
    let want = String::from_utf8_lossy(want);
    let got = String::from_utf8_lossy(got);
    let mut want_lines = want.split_inclusive('\n');
    let mut got_lines = got.split_inclusive('\n');
    let mut line_no = 1;
    loop {
        match (want_lines.next(), got_lines.next()) {
            (Some(w), Some(g)) if w == g => line_no += 1,
            (Some(w), Some(g)) => {
                return format!("line {line_no}: expected {}, got {}", clip(w), clip(g));
            }
            (Some(w), None) => {
                return format!("line {line_no}: expected {}, got end of output", clip(w));
            }
            (None, Some(g)) => {
                return format!("line {line_no}: expected end of output, got {}", clip(g));
            }
            (None, None) => return "outputs differ".to_string(),
        }
    }
}

/// Checks one script; `Err` carries the reason it failed.
fn check(interpreter: &Path, script: &Path) -> Result<(), String> {
    let expected = |ext: &str| std::fs::read(script.with_extension(ext)).ok();
    let want_out = expected("out").ok_or_else(|| {
        "no .out file (run python3 tests/tools/gen_script_expectations.py)".to_string()
    })?;
    let want_code: i32 = match expected("code") {
        Some(bytes) => String::from_utf8_lossy(&bytes)
            .trim()
            .parse()
            .map_err(|e| format!("bad .code file: {e}"))?,
        None => 0,
    };
    let want_err = expected("err").map(|bytes| String::from_utf8_lossy(&bytes).trim().to_string());

    let got = run_script(interpreter, script);
    let stderr = String::from_utf8_lossy(&got.stderr);
    let last_err = last_non_empty_line(&stderr);
    if got.timed_out {
        return Err(format!("timed out after {} s", TIMEOUT.as_secs()));
    }
    let Some(code) = got.code else {
        return Err(format!("killed by a signal; stderr: {}", clip(last_err)));
    };
    if got.stdout != want_out {
        let mut reason = format!(
            "stdout differs: {}",
            first_difference(&want_out, &got.stdout)
        );
        if code != want_code {
            reason.push_str(&format!(
                " (also exit {code} != {want_code}; stderr: {})",
                clip(last_err)
            ));
        }
        return Err(reason);
    }
    if code != want_code {
        return Err(format!(
            "exit status {code} != {want_code}; stderr: {}",
            clip(last_err)
        ));
    }
    if let Some(want_err) = want_err {
        if last_err.trim() != want_err {
            return Err(format!(
                "stderr last line: expected {}, got {}",
                clip(&want_err),
                clip(last_err)
            ));
        }
    }
    Ok(())
}

#[test]
fn scripts_match_cpython() {
    let root = corpus_root();
    let mut scripts = Vec::new();
    collect_scripts(&root, &mut scripts);
    assert!(
        !scripts.is_empty(),
        "no scripts found under {}",
        root.display()
    );

    let name_of = |script: &Path| {
        let rel = script.strip_prefix(&root).unwrap_or(script);
        rel.with_extension("").to_string_lossy().replace('\\', "/")
    };
    let filter = std::env::var("AIO_SCRIPTS").unwrap_or_default();
    scripts.retain(|s| name_of(s).contains(filter.as_str()));
    assert!(
        !scripts.is_empty(),
        "AIO_SCRIPTS={filter:?} matches no script under {}",
        root.display()
    );

    let interpreter = interpreter();
    // A few scripts at a time: each one is a separate process.
    let workers = thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(8);
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(script) = scripts.get(i) else { break };
                if let Err(reason) = check(&interpreter, script) {
                    failures.lock().unwrap().push((name_of(script), reason));
                }
            });
        }
    });

    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    let total = scripts.len();
    if !failures.is_empty() {
        let mut report = String::new();
        for (name, reason) in &failures {
            report.push_str(&format!("FAIL {name}: {reason}\n"));
        }
        panic!(
            "\n{report}{} of {total} scripts failed ({} passed) with {}",
            failures.len(),
            total - failures.len(),
            interpreter.display()
        );
    }
    eprintln!("{total} scripts passed with {}", interpreter.display());
}
