//! The interactive REPL: reads statements with rustyline (history, completion), decides
//! when an input is complete with the parser ([`aio_parser::parse_interactive`], as CPython's
//! `codeop`), compiles it in interactive mode (expression statements echo their `repr` and
//! bind `_`; top-level `await` allowed) and runs it. Once `asyncio` is imported, or an input
//! awaits, inputs run as coroutines on one event loop that lives as long as the REPL, as in
//! `python -m asyncio`. Errors print a traceback and the REPL goes on; Ctrl-C interrupts the
//! running statement (or discards the input being typed); Ctrl-D exits.

mod complete;
mod history;

use aio_parser::{parse_interactive, Input};
use aio_vm::{Error, Mode, Obj, Value, Vm};
use std::cell::RefCell;
use std::io::{BufRead, IsTerminal, Write};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// The REPL's support code: `exit`/`quit` as in CPython's `site`, and the persistent event
/// loop that runs inputs as coroutines.
const SUPPORT: &str = r#"
class _Quitter:
    def __init__(self, name):
        self.name = name
    def __repr__(self):
        return f"Use {self.name}() or Ctrl-D (i.e. EOF) to exit"
    def __call__(self, code=None):
        raise SystemExit(code)

_loop = None

def _run(coro):
    global _loop
    import asyncio
    if _loop is None or _loop.is_closed():
        _loop = asyncio.new_event_loop()
    asyncio.set_event_loop(_loop)
    task = _loop.create_task(coro)
    try:
        return _loop.run_until_complete(task)
    except KeyboardInterrupt:
        task.cancel()
        raise
"#;

/// The flag the SIGINT handler sets: the REPL's VM's interrupt request.
static INTERRUPT: OnceLock<Arc<AtomicBool>> = OnceLock::new();

extern "C" fn on_sigint(_signum: libc::c_int) {
    // Async-signal-safe: an atomic store and an eventfd write.
    if let Some(flag) = INTERRUPT.get() {
        flag.store(true, Ordering::Relaxed);
    }
    aio_stdlib::asyncio::wake_from_signal();
}

/// Routes SIGINT to `vm`'s interrupt request while the REPL runs code.
fn install_sigint(vm: &Vm) {
    let _ = INTERRUPT.set(vm.interrupt.clone());
    aio_stdlib::asyncio::prepare_signal_wakeup();
    // SAFETY: installs a handler that only stores to an atomic and writes an eventfd; no
    // SA_RESTART, so a blocking wait returns to the loop.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut action.sa_mask);
        action.sa_flags = 0;
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
}

/// Where input lines come from: a line editor on a terminal, plain lines otherwise (a pipe
/// under `aio -i`), with the prompts on stderr as CPython prints them.
enum Reader {
    Editor(Box<rustyline::Editor<complete::ReplHelper, rustyline::history::FileHistory>>),
    Plain,
}

enum Line {
    Text(String),
    Interrupted,
    Eof,
}

impl Reader {
    fn read(&mut self, prompt: &str) -> Line {
        match self {
            Reader::Editor(ed) => match ed.readline(prompt) {
                Ok(s) => Line::Text(s),
                Err(rustyline::error::ReadlineError::Interrupted) => Line::Interrupted,
                Err(_) => Line::Eof,
            },
            Reader::Plain => {
                eprint!("{prompt}");
                let _ = std::io::stderr().flush();
                let mut s = String::new();
                match std::io::stdin().lock().read_line(&mut s) {
                    Ok(0) | Err(_) => Line::Eof,
                    Ok(_) => {
                        if s.ends_with('\n') {
                            s.pop();
                            if s.ends_with('\r') {
                                s.pop();
                            }
                        }
                        Line::Text(s)
                    }
                }
            }
        }
    }
}

/// The REPL over `vm` with `globals` (a fresh `__main__`, or the script's under `-i`).
/// Returns the exit status.
pub fn run(vm: Vm, globals: Obj) -> u8 {
    let vm = Rc::new(RefCell::new(vm));
    let support = {
        let mut v = vm.borrow_mut();
        if !v.search_path.iter().any(|p| p.as_os_str() == ".") {
            v.search_path.insert(0, ".".into());
        }
        install_sigint(&v);
        match setup(&mut v) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("aio: the REPL could not start: {e}");
                return 70;
            }
        }
    };
    let terminal = std::io::stdin().is_terminal();
    let history = if terminal { history::path() } else { None };
    let mut reader = if terminal {
        match editor(&vm, &globals, history.as_deref()) {
            Some(ed) => Reader::Editor(Box::new(ed)),
            None => Reader::Plain,
        }
    } else {
        Reader::Plain
    };
    if terminal {
        eprintln!(
            "aio {} (Python 3.11 compatible); top-level await works; Ctrl-D exits",
            env!("CARGO_PKG_VERSION")
        );
    }
    let mut lines: Vec<String> = Vec::new();
    let status = loop {
        let prompt = if lines.is_empty() { ">>> " } else { "... " };
        let line = match reader.read(prompt) {
            Line::Text(s) => s,
            Line::Interrupted => {
                eprintln!("KeyboardInterrupt");
                lines.clear();
                continue;
            }
            Line::Eof => {
                if !terminal {
                    eprintln!();
                }
                break 0;
            }
        };
        lines.push(line);
        let source = lines.join("\n");
        let outcome = match parse_interactive(&source) {
            Input::Incomplete => continue,
            Input::Invalid(e) => {
                eprintln!("{}", e.render("<stdin>", &source).trim_end());
                None
            }
            Input::Complete(_) => execute(&mut vm.borrow_mut(), &globals, &support, &source),
        };
        if let Reader::Editor(ed) = &mut reader {
            if !source.trim().is_empty() {
                let _ = ed.add_history_entry(source.as_str());
            }
        }
        lines.clear();
        if let Some(code) = outcome {
            break code;
        }
    };
    if let (Reader::Editor(ed), Some(path)) = (&mut reader, &history) {
        history::prepare(path);
        let _ = ed.save_history(path);
    }
    vm.borrow().flush_stdout();
    status
}

/// The support namespace (`_run`), after installing `exit` and `quit` as built-ins.
fn setup(vm: &mut Vm) -> Result<Obj, Error> {
    let module = vm.new_module("_aio_repl");
    let g = vm.module_globals(&module).expect("module globals");
    let code = vm.compile(SUPPORT, "<aio-repl>", Mode::Exec)?;
    vm.run_code(code, g.clone())
        .map_err(|exc| vm.uncaught(exc))?;
    let key = vm.intern("_Quitter");
    let quitter = vm.dict_get_str(&g, &key).unwrap_or(Value::None);
    for name in ["exit", "quit"] {
        let q = vm
            .call(&quitter, &[Value::str(name)], &[])
            .map_err(|exc| vm.uncaught(exc))?;
        let b = vm.builtins.clone();
        vm.dict_set_str(&b, name, q);
    }
    Ok(g)
}

fn editor(
    vm: &Rc<RefCell<Vm>>,
    globals: &Obj,
    history: Option<&std::path::Path>,
) -> Option<rustyline::Editor<complete::ReplHelper, rustyline::history::FileHistory>> {
    let config = rustyline::Config::builder()
        .auto_add_history(false)
        .completion_type(rustyline::CompletionType::List)
        .max_history_size(10_000)
        .ok()?
        .build();
    let mut ed = rustyline::Editor::with_config(config).ok()?;
    ed.set_helper(Some(complete::ReplHelper {
        vm: vm.clone(),
        globals: globals.clone(),
    }));
    if let Some(path) = history {
        let _ = ed.load_history(path);
    }
    Some(ed)
}

/// Compiles and runs one complete input. `Some(status)` when the REPL must exit
/// (`SystemExit`).
fn execute(vm: &mut Vm, globals: &Obj, support: &Obj, source: &str) -> Option<u8> {
    if source.trim().is_empty() {
        return None;
    }
    let mut text = source.to_string();
    text.push('\n');
    let code = match vm.compile(&text, "<stdin>", Mode::Interactive) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            return None;
        }
    };
    vm.interrupt.store(false, Ordering::Relaxed);
    let key = vm.intern("asyncio");
    let asyncio_loaded = vm.dict_get_str(&vm.modules.clone(), &key).is_some();
    let result = if Vm::is_coroutine_code(&code) || asyncio_loaded {
        let coro = vm.module_coroutine(code, globals.clone());
        let key = vm.intern("_run");
        let run = vm.dict_get_str(support, &key).unwrap_or(Value::None);
        vm.call(&run, &[coro], &[])
    } else {
        vm.run_code(code, globals.clone())
    };
    vm.flush_stdout();
    match result {
        Ok(_) => None,
        Err(exc) => match vm.uncaught(exc) {
            Error::Exit(code) => Some(code as u8),
            e => {
                eprintln!("{}", user_traceback(&e.to_string()));
                None
            }
        },
    }
}

/// The traceback as CPython's REPL prints it: the frames of the REPL's own machinery (the
/// event loop that ran the input) are left out, each section starting at the first
/// `<stdin>` frame, and `<stdin>` frames show no source line (CPython cannot read it back).
fn user_traceback(report: &str) -> String {
    let lines: Vec<&str> = report.lines().collect();
    let mut out = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        out.push(line);
        i += 1;
        if line == "Traceback (most recent call last):" {
            let section_end = lines[i..]
                .iter()
                .position(|l| !l.starts_with(' '))
                .map_or(lines.len(), |n| i + n);
            if let Some(first) = lines[i..section_end]
                .iter()
                .position(|l| l.starts_with("  File \"<stdin>\""))
            {
                i += first;
            }
            while i < section_end {
                let frame = lines[i];
                out.push(frame);
                i += 1;
                if frame.starts_with("  File \"<stdin>\"") {
                    while i < section_end && lines[i].starts_with("    ") {
                        i += 1;
                    }
                }
            }
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn loop_frames_are_left_out_of_tracebacks() {
        let report = "Traceback (most recent call last):\n  File \"<aio-repl>\", line 20, in _run\n    return x\n  File \"<stdin>\", line 1, in <module>\n    1/0\n    ~^~\n  File \"m.aio\", line 2, in f\n    g()\nZeroDivisionError: division by zero";
        assert_eq!(
            super::user_traceback(report),
            "Traceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\n  File \"m.aio\", line 2, in f\n    g()\nZeroDivisionError: division by zero"
        );
    }
}
