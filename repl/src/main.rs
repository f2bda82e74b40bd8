//! The `aio` command: runs scripts through the VM's public API, and dumps tokens, syntax
//! trees and bytecode. The REPL arrives with the event loop.

mod cli;

/// mimalloc: the front end and the VM allocate many small objects, where it is markedly
/// faster than the system allocator (the parser benchmark uses it too).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cli::Command;
use std::process::ExitCode;

/// Stack size of the thread that runs the front end and, later, the VM: deep but legal
/// programs must reach the depth limits (which raise Python exceptions), never the end
/// of the Rust stack.
const STACK_SIZE: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let worker = std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(move || run(args));
    match worker.map(|handle| handle.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        _ => ExitCode::from(70),
    }
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
            let mut status = 0;
            for file in &files {
                let code = with_source(file, |src| match aio_parser::parse_module(src) {
                    Ok(_) => 0,
                    Err(e) => {
                        eprintln!("{}", e.render(file, src));
                        1
                    }
                });
                status = status.max(code.min(1));
            }
            status
        }
        Command::Dis(file) => with_source(&file, |src| {
            let mut vm = aio_vm::Vm::new();
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
        Command::Run { file, args } => run_script(&file, args),
        Command::Repl => {
            eprintln!("aio: the REPL needs the VM, which is not built yet; see `aio --help`");
            2
        }
    }
}

/// Runs a script as `__main__` and maps the outcome to an exit status as CPython does.
fn run_script(file: &str, args: Vec<String>) -> u8 {
    if let Err(e) = std::fs::metadata(file) {
        let errno = e.raw_os_error().unwrap_or(0);
        eprintln!(
            "aio: can't open file '{}': [Errno {errno}] No such file or directory",
            shown_path(file)
        );
        return 2;
    }
    let mut vm = aio_vm::Vm::new();
    vm.argv = std::iter::once(file.to_string()).chain(args).collect();
    let result = vm.run_file(std::path::Path::new(file));
    vm.flush_stdout();
    match result {
        Ok(_) => 0,
        Err(aio_vm::Error::Exit(code)) => code as u8,
        Err(e) => {
            eprintln!("{e}");
            1
        }
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
