//! The REPL as a user meets it, in a real pseudo-terminal: multi-line input, echo and `_`,
//! top-level `await` and tasks on the REPL's event loop, tracebacks, Ctrl-C and Ctrl-D,
//! syntax highlighting (and `NO_COLOR`), and the history file. The values expected on the
//! screen come from `python3`.
//!
//! With highlighting on, the line editor redraws the whole line, prompt included, at every
//! typed character (`\r`, clear line, prompt, coloured text). So a test must never take the
//! prompt's text alone as the sign that the REPL is ready for the next input: that matches
//! the redraw of the line just typed, the test types ahead while the statement still runs
//! (the terminal is then in cooked mode, where rexpect's pty does not echo and a Ctrl-C is
//! a signal that flushes pending input), and input is lost. [`prompt`] waits for a prompt
//! at the start of a new screen line instead.

use rexpect::session::PtySession;
use std::process::Command;

mod oracle;

/// What `python3 -c program` prints (stdout, or the last stderr line when it fails),
/// recorded as `case` (see `oracle`).
fn python(case: &str, program: &str) -> String {
    let out = oracle::python3(case, &["-c", program], "", &std::env::temp_dir());
    if out.status == Some(0) {
        out.stdout.trim_end().to_string()
    } else {
        out.stderr
            .trim_end()
            .lines()
            .last()
            .unwrap_or("")
            .to_string()
    }
}

/// The SGR sequence the highlighter puts before a keyword (bold blue).
const KEYWORD: &str = "\x1b[1;34m";

fn start(history: &std::path::Path, colour: bool) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aio"));
    cmd.env("AIO_HISTORY", history)
        .env("TERM", "xterm")
        .env_remove("AIO_NO_COLOR");
    if colour {
        cmd.env_remove("NO_COLOR");
    } else {
        cmd.env("NO_COLOR", "1");
    }
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).expect("aio starts in a pty");
    p.exp_string(">>> ").expect("first prompt");
    p
}

/// Waits for `prompt` (`>>> ` or `... `) at the start of a new screen line, that is, the
/// REPL asking for the next line rather than redrawing the one being typed; returns what
/// the screen showed before it. (So checks of output before a prompt expect its line up to
/// the `\r` only, leaving the newline to this.)
fn prompt(p: &mut PtySession, prompt: &str) -> Result<String, rexpect::error::Error> {
    p.exp_regex(&format!(r"\n[^\n]*?{}", regex::escape(prompt)))
        .map(|(before, _)| before)
}

/// Types `line` and waits for the next prompt (`>>> ` or `... `); returns what the screen
/// showed meanwhile (the line as the editor drew it, and any output).
fn typed(p: &mut PtySession, line: &str, next: &str) -> String {
    p.send_line(line).expect("send");
    prompt(p, next).unwrap_or_else(|e| panic!("after {line:?}, waiting for {next:?}: {e}"))
}

/// A regex matching `text` as the highlighting editor draws it: colour sequences may come
/// between any two characters.
fn drawn(text: &str) -> String {
    text.chars()
        .map(|c| regex::escape(&c.to_string()))
        .collect::<Vec<_>>()
        .join(r"(?:\x1b\[[0-9;]*m)*")
}

#[test]
fn a_session() {
    let dir = std::env::temp_dir().join(format!("aio-pty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let history = dir.join("history");
    let _ = std::fs::remove_file(&history);
    let mut p = start(&history, true);

    // A multi-line function, then a call: the value is echoed. The keyword was drawn in
    // colour.
    let screen = typed(&mut p, "def f(a):", "... ");
    assert!(
        screen.contains(&format!("{KEYWORD}def\x1b[0m")),
        "`def` highlighted: {screen:?}"
    );
    typed(&mut p, "    return a * 2", "... ");
    typed(&mut p, "", ">>> ");
    p.send_line("f(21)").unwrap();
    let value = python("pty_2", "def f(a):\n    return a * 2\nprint(repr(f(21)))");
    p.exp_string(&format!("{value}\r")).expect("f(21) echoed");
    prompt(&mut p, ">>> ").unwrap();
    // `_` is the last echoed value.
    p.send_line("_ + 1").unwrap();
    let value = python("pty_3", "_ = 42\nprint(repr(_ + 1))");
    p.exp_string(&format!("{value}\r")).expect("_ + 1 echoed");
    prompt(&mut p, ">>> ").unwrap();

    // Top-level await, and a task created in one input and awaited in a later one.
    typed(&mut p, "import asyncio", ">>> ");
    typed(&mut p, "await asyncio.sleep(0)", ">>> ");
    typed(&mut p, "async def g():", "... ");
    typed(&mut p, "    await asyncio.sleep(0.01)", "... ");
    typed(&mut p, "    return 'done'", "... ");
    typed(&mut p, "", ">>> ");
    typed(&mut p, "t = asyncio.create_task(g())", ">>> ");
    p.send_line("await t").unwrap();
    let value = python(
        "pty_4",
        "import asyncio\nasync def g():\n    return 'done'\nprint(repr(asyncio.run(g())))",
    );
    p.exp_string(&format!("{value}\r")).expect("await t echoed");
    prompt(&mut p, ">>> ").unwrap();

    // A task started at the prompt runs while the REPL waits for input (as in
    // `python -m asyncio`): its output appears with nothing typed.
    typed(&mut p, "async def later():", "... ");
    typed(&mut p, "    await asyncio.sleep(0.1)", "... ");
    typed(&mut p, "    print('background', 6 * 7)", "... ");
    typed(&mut p, "", ">>> ");
    typed(&mut p, "bg = asyncio.create_task(later())", ">>> ");
    let value = python("pty_8", "print('background', 6 * 7)");
    p.exp_string(&value)
        .expect("the task printed while the REPL waited for input");

    // Tab completion: a global name and a class attribute, each with one candidate.
    typed(&mut p, "longname_value = 5", ">>> ");
    typed(&mut p, "class K:", "... ");
    typed(&mut p, "    zeta_attr = 7", "... ");
    typed(&mut p, "", ">>> ");
    p.send("longname_v\t").unwrap();
    p.send_line(" * K.zet\t").unwrap();
    let value = python("pty_9", "print(repr(5 * 7))");
    p.exp_string(&format!("{value}\r"))
        .expect("both names completed");
    prompt(&mut p, ">>> ").unwrap();

    // A module name after `import`, then a keyword, each with one candidate.
    p.send("import itertoo\t").unwrap();
    typed(&mut p, "", ">>> ");
    p.send("Non\t").unwrap();
    p.send_line(" is None and itertools.__name__").unwrap();
    let value = python(
        "pty_13",
        "import itertools\nprint(repr(None is None and itertools.__name__))",
    );
    p.exp_string(&format!("{value}\r"))
        .expect("the module and the keyword completed");
    prompt(&mut p, ">>> ").unwrap();

    // An error prints a traceback; the session goes on.
    p.send_line("1/0").unwrap();
    p.exp_string("File \"<stdin>\", line 1, in <module>")
        .unwrap();
    p.exp_string(&python("pty_5", "1/0"))
        .expect("the exception line");
    prompt(&mut p, ">>> ").unwrap();
    p.send_line("print('after', f(1))").unwrap();
    p.exp_string(&format!("{}\r", python("pty_6", "print('after', 2)")))
        .unwrap();
    prompt(&mut p, ">>> ").unwrap();

    // Ctrl-C at the prompt, then Ctrl-C interrupting a running loop.
    p.send_control('c').unwrap();
    p.exp_string("KeyboardInterrupt").unwrap();
    prompt(&mut p, ">>> ").unwrap();
    typed(&mut p, "while True: pass", "... ");
    p.send_line("").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    p.send_control('c').unwrap();
    p.exp_string("KeyboardInterrupt")
        .expect("the loop is interrupted");
    prompt(&mut p, ">>> ").unwrap();
    // Ctrl-C cuts `time.sleep` short (the session times out after 20 s), and
    // interrupts an `await`: as `python -m asyncio`, only `KeyboardInterrupt` is printed,
    // no frame of the loop's machinery.
    typed(&mut p, "import time", ">>> ");
    p.send_line("time.sleep(600)").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    p.send_control('c').unwrap();
    p.exp_string("KeyboardInterrupt")
        .expect("time.sleep is interrupted");
    prompt(&mut p, ">>> ").unwrap();
    p.send_line("await asyncio.sleep(600)").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    p.send_control('c').unwrap();
    let before = p
        .exp_string("KeyboardInterrupt")
        .expect("the await is interrupted");
    assert!(!before.contains("Traceback"), "{before:?}");
    prompt(&mut p, ">>> ").unwrap();
    p.send_line("f(5)").unwrap();
    p.exp_string(&format!("{}\r", python("pty_7", "print(10)")))
        .unwrap();
    prompt(&mut p, ">>> ").unwrap();

    // Ctrl-D exits, and the history was saved.
    p.send_control('d').unwrap();
    p.exp_eof().expect("aio exits on Ctrl-D");
    let saved = std::fs::read_to_string(&history).unwrap_or_default();
    assert!(saved.contains("f(21)"), "history: {saved:?}");

    // A new session loads the history: Up recalls the last input (`f` is gone with the
    // old session). With `NO_COLOR` set, nothing is coloured.
    let mut p = start(&history, false);
    p.send("\x1b[A").unwrap();
    p.send_line("").unwrap();
    p.exp_regex(&drawn("f(5)"))
        .expect("f(5) recalled from the history file");
    p.exp_string(&python("pty_10", "f(5)"))
        .expect("the recalled input ran");
    prompt(&mut p, ">>> ").unwrap();
    let screen = typed(&mut p, "def g(): return 1", "... ");
    let colour = regex::Regex::new(r"\x1b\[[0-9;]*m").unwrap();
    assert!(
        !colour.is_match(&screen),
        "NO_COLOR: no colours: {screen:?}"
    );
    typed(&mut p, "", ">>> ");

    // Lines pasted in one write all run, in order: input read ahead of the editor is kept
    // for the next prompt (rustyline's buffer-redux), not dropped.
    p.send("pa = 20\nprint(pa + 1)\nprint('pasted', pa * 2)\n")
        .unwrap();
    p.exp_string(&format!("{}\r", python("pty_11", "print(20 + 1)")))
        .expect("the second pasted line ran");
    p.exp_string(&python("pty_12", "print('pasted', 20 * 2)"))
        .expect("the third pasted line ran");
    prompt(&mut p, ">>> ").unwrap();
    p.send_control('d').unwrap();
    p.exp_eof().expect("aio exits on Ctrl-D");
}
