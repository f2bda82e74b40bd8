//! The interactive REPL: reads statements with rustyline (history, completion, syntax
//! highlighting), decides when an input is complete with the parser
//! ([`aio_parser::parse_interactive`], as CPython's `codeop`), compiles it in interactive
//! mode (expression statements echo their `repr` and bind `_`; top-level `await` allowed)
//! and runs it. Once `asyncio` is imported, or an input
//! awaits, inputs run as coroutines on one event loop that lives as long as the REPL, as in
//! `python -m asyncio`. Errors print a traceback and the REPL goes on; Ctrl-C interrupts the
//! running statement (or discards the input being typed); Ctrl-D exits.

mod complete;
mod highlight;
mod history;
mod input;

use aio_parser::{parse_interactive, Input as Parsed};
use aio_stdlib::asyncio::HostLoop;
use aio_vm::{Error, Mode, Obj, Value, Vm};
use input::{Event, Input, Line};
use std::cell::RefCell;
use std::io::IsTerminal;
use std::rc::Rc;
use std::sync::atomic::Ordering;

/// The REPL's support code: `exit`/`quit` as in CPython's `site`, and `_run`, which runs an
/// input as a task of the REPL's event loop.
const SUPPORT: &str = r#"
class _Quitter:
    def __init__(self, name):
        self.name = name
    def __repr__(self):
        return f"Use {self.name}() or Ctrl-D (i.e. EOF) to exit"
    def __call__(self, code=None):
        raise SystemExit(code)

def _run(loop, coro):
    import asyncio
    asyncio.set_event_loop(loop)
    task = loop.create_task(coro)
    try:
        return loop.run_until_complete(task)
    except KeyboardInterrupt:
        task.cancel()
        raise
"#;

/// The REPL over `vm` with `globals` (a fresh `__main__`, or the script's under `-i`).
/// Returns the exit status.
pub fn run(vm: Vm, globals: Obj) -> u8 {
    let vm = Rc::new(RefCell::new(vm));
    let mut support = {
        let mut v = vm.borrow_mut();
        if !v.search_path.iter().any(|p| p.as_os_str() == ".") {
            v.search_path.insert(0, ".".into());
        }
        // The input thread wakes the loop through it from the start.
        aio_stdlib::asyncio::prepare_signal_wakeup();
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
    let builtins = (terminal && highlight::enabled()).then(|| builtin_names(&vm.borrow()));
    let input = Input::start(terminal, history, builtins);
    if terminal {
        eprintln!(
            "aio {} (Python 3.11 compatible); top-level await works; Ctrl-D exits",
            env!("CARGO_PKG_VERSION")
        );
    }
    let mut lines: Vec<String> = Vec::new();
    let status = loop {
        let prompt = if lines.is_empty() { ">>> " } else { "... " };
        input.request(prompt, &lines);
        let line = match wait_for_line(&vm, &globals, &support, &input) {
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
            Parsed::Incomplete => continue,
            Parsed::Invalid(e) => {
                eprintln!("{}", e.render("<stdin>", &source).trim_end());
                None
            }
            Parsed::Complete(_) => execute(&mut vm.borrow_mut(), &globals, &mut support, &source),
        };
        if !source.trim().is_empty() {
            input.add_history(&source);
        }
        lines.clear();
        if let Some(code) = outcome {
            break code;
        }
    };
    input.finish();
    // As at CPython's exit: the `atexit` callbacks, then the `__del__` of what is left.
    vm.borrow_mut().shutdown();
    vm.borrow().flush_stdout();
    status
}

/// The public names of the built-ins, coloured when highlighting.
fn builtin_names(vm: &Vm) -> std::collections::HashSet<String> {
    vm.dict_names(&vm.builtins)
        .into_iter()
        .filter(|n| !n.starts_with('_'))
        .collect()
}

/// Waits for the next line from the input thread, answering its completion requests and
/// running the REPL's event loop meanwhile, so tasks started at the prompt go on.
fn wait_for_line(vm: &Rc<RefCell<Vm>>, globals: &Obj, support: &Support, input: &Input) -> Line {
    let answer = |event: Event| match event {
        Event::Line(line) => Some(line),
        Event::Complete(before, reply) => {
            let _ = reply.send(complete::candidates(&vm.borrow(), globals, &before));
            None
        }
    };
    loop {
        loop {
            match input.events.try_recv() {
                Ok(event) => {
                    if let Some(line) = answer(event) {
                        return line;
                    }
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => break,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => return Line::Eof,
            }
        }
        if !step_loop(&mut vm.borrow_mut(), support) {
            // Nothing on the loop can wake it: wait for the input thread alone.
            match input.events.recv() {
                Ok(event) => {
                    if let Some(line) = answer(event) {
                        return line;
                    }
                }
                Err(_) => return Line::Eof,
            }
        }
    }
}

/// One iteration of the REPL's event loop (blocking until a timer, a socket or the input
/// thread wakes it); `false` when there is no loop or nothing could wake it.
fn step_loop(vm: &mut Vm, support: &Support) -> bool {
    let Some(lp) = &support.host else {
        return false;
    };
    vm.interrupt.store(false, Ordering::Relaxed);
    let result = match lp.is_closed(vm) {
        Ok(false) => lp.wait_step(vm),
        other => other.map(|_| false),
    };
    vm.flush_stdout();
    result.unwrap_or_else(|e| {
        // A Ctrl-C (or a failing callback that escaped the loop) while waiting.
        eprintln!("{}", user_traceback(&e.to_string()));
        false
    })
}

/// What the REPL runs inputs with: its support namespace and, once an input needed it, the
/// event loop that lives as long as the REPL.
struct Support {
    ns: Obj,
    host: Option<HostLoop>,
}

impl Support {
    /// The REPL's loop, made on first use (or again after a script closed it).
    fn host_loop(&mut self, vm: &mut Vm) -> Result<HostLoop, Error> {
        if let Some(lp) = &self.host {
            if !lp.is_closed(vm)? {
                return Ok(lp.clone());
            }
        }
        let lp = HostLoop::new(vm)?;
        self.host = Some(lp.clone());
        Ok(lp)
    }
}

/// The support namespace (`_run`), after installing `exit` and `quit` as built-ins.
fn setup(vm: &mut Vm) -> Result<Support, Error> {
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
    Ok(Support { ns: g, host: None })
}

/// Compiles and runs one complete input. `Some(status)` when the REPL must exit
/// (`SystemExit`).
fn execute(vm: &mut Vm, globals: &Obj, support: &mut Support, source: &str) -> Option<u8> {
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
        let run = vm.dict_get_str(&support.ns, &key).unwrap_or(Value::None);
        support.host_loop(vm).and_then(|lp| {
            let lp = lp.loop_value().clone();
            vm.guarded(|vm| vm.call(&run, &[lp, coro], &[]))
        })
    } else {
        vm.run_code(code, globals.clone())
            .map_err(|exc| vm.uncaught(exc))
    };
    vm.flush_stdout();
    match result {
        Ok(_) => None,
        Err(e) => match e {
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
            match lines[i..section_end]
                .iter()
                .position(|l| l.starts_with("  File \"<stdin>\""))
            {
                Some(first) => i += first,
                // Ctrl-C while the loop waited for an `await`: no frame of the input ran, and
                // CPython's asyncio REPL prints the exception alone.
                None if lines.get(section_end).is_some_and(|l| {
                    *l == "KeyboardInterrupt" || l.starts_with("KeyboardInterrupt: ")
                }) =>
                {
                    out.pop();
                    i = section_end;
                }
                None => {}
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

    #[test]
    fn ctrl_c_in_the_loop_alone_prints_only_keyboard_interrupt() {
        let report = "Traceback (most recent call last):\n  File \"<aio-repl>\", line 20, in _run\n  File \"asyncio/events.aio\", line 437, in run_forever\n    self._run_once()\nKeyboardInterrupt";
        assert_eq!(super::user_traceback(report), "KeyboardInterrupt");
    }
}
