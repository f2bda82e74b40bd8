//! The `aio` command: runs scripts (from a file, `-c`, `-m` or stdin) through the VM's public
//! API, dumps tokens, syntax trees and bytecode, and runs the interactive REPL (`repl/`).

mod alloc;
mod cli;
mod repl;
mod sigint;

/// mimalloc (see `alloc.rs`).
#[global_allocator]
static GLOBAL: alloc::MiMalloc = alloc::MiMalloc;

use cli::Command;
use std::process::ExitCode;

/// Stack size of the thread that runs the front end and, later, the VM: deep but legal
/// programs must reach the depth limits (which raise Python exceptions), never the end
/// of the Rust stack.
const STACK_SIZE: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    alloc::no_huge_pages();
    install_panic_hook();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let worker = std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(move || {
            let code = run(args);
            // A child made by `os.fork` has only this thread: it ends the process itself,
            // with the script's status (a thread's end would exit with 0).
            if aio_stdlib::os::is_forked_child() {
                std::process::exit(code.into());
            }
            code
        });
    // Signals go to the thread that runs the VM (it was created with them unblocked), so
    // that Ctrl-C interrupts its event-loop wait rather than the main thread's join, and a
    // `signal` handler runs as soon as the script can.
    aio_stdlib::signal::block_async_signals();
    match worker.map(|handle| handle.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        _ => ExitCode::from(70),
    }
}

/// A bug in aio must not look like the user's fault, nor dump a Rust backtrace on them: one
/// line saying it is an internal error and where, then exit status 70 (`EX_SOFTWARE`).
/// `AIO_BACKTRACE=1` prints the Rust backtrace for aio's developers. The hook exits itself
/// (after flushing what the script printed), so the status is the same whether the binary
/// unwinds or, as the release profile builds it, aborts on a panic.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_string());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("aio: internal error: {msg}{place}");
        eprintln!("This is a bug in aio, not in your program; please report it.");
        if std::env::var_os("AIO_BACKTRACE").is_some() {
            eprintln!("{}", std::backtrace::Backtrace::force_capture());
        }
        let _ = std::io::Write::flush(&mut std::io::stdout());
        std::process::exit(70);
    }));
}

fn run(args: Vec<String>) -> u8 {
    let command = match cli::parse(&args) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("{msg}\n{}", cli::USAGE);
            return 2;
        }
    };
    match command {
        Command::Help => {
            print!("{}", cli::USAGE);
            0
        }
        Command::Version => {
            println!("aio {}", env!("CARGO_PKG_VERSION"));
            0
        }
        Command::Tokens(file) => with_source(&file, |src| {
            let (tokens, error) = aio_lexer::tokenize(src);
            let error = error.map(|e| e.render(&file, src));
            print!("{}", aio_lexer::dump::dump_tokens(src, &tokens, None));
            match error {
                Some(report) => {
                    eprintln!("{report}");
                    1
                }
                None => 0,
            }
        }),
        Command::Ast(file) => with_source(&file, |src| match aio_parser::parse_module(src) {
            Ok(module) => {
                print!("{}", aio_parser::dump::dump_module(&module, src));
                0
            }
            Err(e) => {
                eprintln!("{}", e.render(&file, src));
                1
            }
        }),
        Command::Check(files) => {
            // Compiles without running: syntax errors and the compiler's own (`'return'
            // outside function`, `nonlocal` without a binding, ...).
            let mut status = 0;
            let mut vm = aio_vm::Vm::new();
            aio_stdlib::install(&mut vm);
            for file in &files {
                let code = with_source(file, |src| {
                    match vm.compile(src, file, aio_vm::Mode::Exec) {
                        Ok(_) => 0,
                        Err(e) => {
                            eprintln!("{e}");
                            1
                        }
                    }
                });
                status = status.max(code.min(1));
            }
            status
        }
        Command::Dis(file) => with_source(&file, |src| {
            let mut vm = aio_vm::Vm::new();
            aio_stdlib::install(&mut vm);
            match vm.compile(src, &file, aio_vm::Mode::Exec) {
                Ok(code) => {
                    print!("{}", aio_vm::compiler::dis::disassemble(&code));
                    0
                }
                Err(e) => {
                    eprintln!("{e}");
                    1
                }
            }
        }),
        Command::Inspect(program) => match inspect(*program) {
            Err(status) => status,
            Ok((mut vm, result)) => {
                // As `python -i`: whatever the program did (even `SystemExit`), its report
                // is printed and the REPL starts in its globals.
                vm.flush_stdout();
                if let Err(e) = result {
                    eprintln!("{e}");
                }
                vm.inspect = false;
                let globals = main_globals(&mut vm);
                repl::run(vm, globals)
            }
        },
        Command::Module { ref name, .. } if name == "asyncio" => {
            // `python -m asyncio` is CPython's asyncio REPL; aio's REPL is one.
            run(Vec::new())
        }
        program @ (Command::Run { .. }
        | Command::Code { .. }
        | Command::Module { .. }
        | Command::Stdin { .. }) => match start(program) {
            Err(status) => status,
            Ok((mut vm, result)) => finish(&mut vm, result),
        },
        Command::Repl => {
            use std::io::IsTerminal;
            if !std::io::stdin().is_terminal() {
                return run_stdin(String::new(), Vec::new());
            }
            let mut vm = new_vm(vec![String::new()], Some("".into()));
            let globals = main_globals(&mut vm);
            repl::run(vm, globals)
        }
    }
}

/// Starts `program` for `-i`: with `Vm::inspect` on (see [`INSPECT`]).
fn inspect(program: Command) -> Result<Started, u8> {
    INSPECT.store(true, std::sync::atomic::Ordering::Relaxed);
    start(program)
}

/// Set for `-i`: the program's VM is made with `Vm::inspect` on.
static INSPECT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A VM with the standard library, `sys.argv` set, and the import search path: the current
/// folder first (as CPython's `sys.path[0] == ''` for `-c`, `-m`, stdin and the REPL; a
/// script's own folder takes that place when `Vm::run_file` runs it), then the folders of
/// `AIOPATH` (as `PYTHONPATH`). Under `-i` it reports `SystemExit` with a traceback
/// instead of exiting ([`INSPECT`]).
fn new_vm(argv: Vec<String>, first: Option<std::path::PathBuf>) -> aio_vm::Vm {
    let mut vm = aio_vm::Vm::new();
    aio_stdlib::install(&mut vm);
    sigint::install(&vm);
    vm.argv = argv;
    vm.inspect = INSPECT.load(std::sync::atomic::Ordering::Relaxed);
    vm.search_path.extend(first);
    if let Ok(p) = std::env::var("AIOPATH") {
        vm.search_path.extend(std::env::split_paths(&p));
    }
    vm
}

/// The globals of `__main__` (created empty when no script ran).
fn main_globals(vm: &mut aio_vm::Vm) -> aio_vm::Obj {
    let key = vm.intern("__main__");
    let module = match vm.dict_get_str(&vm.modules.clone(), &key) {
        Some(aio_vm::Value::Obj(m)) => m,
        _ => {
            let m = vm.new_module("__main__");
            let modules = vm.modules.clone();
            vm.dict_set_str(&modules, "__main__", aio_vm::Value::Obj(m.clone()));
            m
        }
    };
    vm.module_globals(&module).expect("a module has globals")
}

/// Maps a run's outcome to an exit status as CPython does (printing the traceback).
/// Then shuts the VM down (the `__del__` of objects still referenced runs, as at CPython's
/// exit).
fn finish(vm: &mut aio_vm::Vm, result: Result<aio_vm::Value, aio_vm::Error>) -> u8 {
    vm.flush_stdout();
    let status = match result {
        Ok(_) => 0,
        Err(aio_vm::Error::Exit(code)) => code as u8,
        Err(e) => {
            // An empty report: the script's `sys.excepthook` printed what it wanted.
            if !matches!(&e, aio_vm::Error::Exception(r) if r.is_empty()) {
                eprintln!("{e}");
            }
            if is_keyboard_interrupt(&e) {
                die_of_sigint();
            }
            1
        }
    };
    vm.shutdown();
    if !vm.flush_stdout_at_exit() {
        return 120;
    }
    status
}

/// The outcome of running a program: the VM (for `-i`) and what the run returned.
type Started = (aio_vm::Vm, Result<aio_vm::Value, aio_vm::Error>);

/// Runs the program `command` names (a script, `-c`, `-m` or stdin) as `__main__`. `Err`
/// holds the exit status when it could not start (a missing file, an unknown module),
/// after printing why as CPython does.
fn start(command: Command) -> Result<Started, u8> {
    match command {
        Command::Run { file, args } => start_script(&file, args),
        Command::Code { code, args } => {
            let mut vm = new_vm(
                std::iter::once("-c".to_string()).chain(args).collect(),
                Some("".into()),
            );
            let result = vm.run_source(&code, "<string>", "__main__");
            Ok((vm, result))
        }
        Command::Module { name, args } => start_module(&name, args),
        Command::Stdin { args } => start_stdin("-".to_string(), args),
        _ => Err(2),
    }
}

/// `aio -` (or a piped stdin): the program is read from stdin, named `<stdin>`;
/// `sys.argv[0]` is `argv0` (`'-'`, or `''` without the dash, as in CPython).
fn run_stdin(argv0: String, args: Vec<String>) -> u8 {
    match start_stdin(argv0, args) {
        Err(status) => status,
        Ok((mut vm, result)) => finish(&mut vm, result),
    }
}

/// See [`run_stdin`].
fn start_stdin(argv0: String, args: Vec<String>) -> Result<Started, u8> {
    use std::io::Read;
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        eprintln!("aio: can't read stdin: {e}");
        return Err(2);
    }
    let source = match aio_parser::source::decode(&bytes, "<stdin>") {
        Ok(s) => s.to_string(),
        Err(msg) => {
            eprintln!("{msg}");
            return Err(1);
        }
    };
    let mut vm = new_vm(
        std::iter::once(argv0).chain(args).collect(),
        Some("".into()),
    );
    let result = vm.run_source(&source, "<stdin>", "__main__");
    Ok((vm, result))
}

/// `aio -m NAME`: as `python -m`, imports NAME's parent packages, finds NAME (a package
/// runs its `__main__`) in the current folder, then `AIOPATH`, and runs it as `__main__`
/// with its `__package__` set (relative imports work) and `sys.argv[0]` its full path.
fn start_module(name: &str, args: Vec<String>) -> Result<Started, u8> {
    // `python -m` puts the working folder's full path first.
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let mut vm = new_vm(
        std::iter::once("-m".to_string()).chain(args).collect(),
        Some(cwd),
    );
    match vm.find_main_module(name) {
        Err(e) => {
            vm.flush_stdout();
            eprintln!("{e}");
            Err(1)
        }
        Ok(aio_vm::main_module::MainModule::NotFound(msg)) => {
            vm.flush_stdout();
            eprintln!("aio: {msg}");
            Err(1)
        }
        Ok(aio_vm::main_module::MainModule::Found { file, package }) => {
            let result = vm.run_main_module(&file, &package);
            Ok((vm, result))
        }
    }
}

/// Runs a script as `__main__`; a missing file is reported as CPython does.
fn start_script(file: &str, args: Vec<String>) -> Result<Started, u8> {
    if let Err(e) = std::fs::metadata(file) {
        let errno = e.raw_os_error().unwrap_or(0);
        eprintln!(
            "aio: can't open file '{}': [Errno {errno}] No such file or directory",
            shown_path(file)
        );
        return Err(2);
    }
    let mut vm = new_vm(
        std::iter::once(file.to_string()).chain(args).collect(),
        None,
    );
    let result = vm.run_file(std::path::Path::new(file));
    Ok((vm, result))
}

/// Whether the uncaught exception is `KeyboardInterrupt`.
fn is_keyboard_interrupt(e: &aio_vm::Error) -> bool {
    let aio_vm::Error::Exception(report) = e else {
        return false;
    };
    let last = report.trim_end().lines().last().unwrap_or("");
    last == "KeyboardInterrupt" || last.starts_with("KeyboardInterrupt: ")
}

/// After an uncaught `KeyboardInterrupt`, CPython ends by the default action of SIGINT, so
/// the parent (a shell) sees "killed by SIGINT" and stops a script loop; aio does the same.
fn die_of_sigint() {
    // SAFETY: restores the default action of SIGINT and sends it to this process.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_DFL);
        libc::kill(libc::getpid(), libc::SIGINT);
    }
}

/// The script path as CPython shows it in tracebacks: absolute.
fn shown_path(file: &str) -> String {
    std::path::absolute(file)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| file.to_string())
}

/// Reads and decodes `file`, reporting errors as CPython does, then runs `f` on the text.
fn with_source(file: &str, f: impl FnOnce(&str) -> u8) -> u8 {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            let errno = e.raw_os_error().unwrap_or(0);
            let reason = match e.kind() {
                std::io::ErrorKind::NotFound => "No such file or directory".to_string(),
                _ => e.to_string(),
            };
            eprintln!("aio: can't open file '{file}': [Errno {errno}] {reason}");
            return 2;
        }
    };
    match aio_parser::source::decode(&bytes, file) {
        Ok(src) => f(src),
        Err(msg) => {
            eprintln!("{msg}");
            1
        }
    }
}
