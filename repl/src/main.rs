//! The `aio` command: runs scripts and dumps tokens and syntax trees. The REPL and script
//! execution arrive with the VM; until then `aio FILE` parses the file and reports errors.

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
        Command::Run { file, .. } => {
            // Like CPython, tracebacks name the script by its absolute path.
            let shown = std::path::absolute(&file)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| file.clone());
            with_source(&file, |src| match aio_parser::parse_module(src) {
                Ok(_) => {
                    eprintln!(
                        "aio: {file} parses; running scripts needs the VM, which is not built yet"
                    );
                    1
                }
                Err(e) => {
                    eprintln!("{}", e.render(&shown, src));
                    1
                }
            })
        }
        Command::Repl => {
            eprintln!("aio: the REPL needs the VM, which is not built yet; see `aio --help`");
            2
        }
    }
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
