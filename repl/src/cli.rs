//! Command-line parsing, following Python's conventions: options come first, and the first
//! non-option argument is the script; everything after it belongs to the script.

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// `aio FILE [ARGS...]`: run a script.
    Run {
        /// The script path.
        file: String,
        /// Arguments after the script (for `sys.argv`).
        args: Vec<String>,
    },
    /// `aio --tokens FILE`: print the token stream.
    Tokens(String),
    /// `aio --ast FILE`: print the syntax tree.
    Ast(String),
    /// `aio --dis FILE`: print the bytecode listing.
    Dis(String),
    /// `aio --check FILE...`: report syntax errors without running.
    Check(Vec<String>),
    /// `aio --version`.
    Version,
    /// `aio --help`.
    Help,
    /// `aio -c CODE [ARGS...]`: run a program passed as a string.
    Code {
        /// The program text.
        code: String,
        /// Arguments after it (`sys.argv[1:]`).
        args: Vec<String>,
    },
    /// `aio -m MODULE [ARGS...]`: run a module found on the search path as `__main__`.
    Module {
        /// The module name (dotted).
        name: String,
        /// Arguments after it (`sys.argv[1:]`).
        args: Vec<String>,
    },
    /// `aio - [ARGS...]` (or `aio` with a non-terminal stdin): the program from stdin.
    Stdin {
        /// Arguments after `-` (`sys.argv[1:]`).
        args: Vec<String>,
    },
    /// `aio -i PROGRAM`: run the program (a file, `-c`, `-m` or `-`), then the REPL in
    /// its globals.
    Inspect(Box<Command>),
    /// `aio` alone (or `aio -i`): the REPL.
    Repl,
}

/// The usage text printed by `--help`.
pub const USAGE: &str = "\
usage: aio [option] ... [-c cmd | -m mod | file | -] [arg] ...
Options:
  -c cmd           program passed in as string (terminates option list)
  -m mod           run library module as a script (terminates option list)
  -i               inspect interactively after running script (the REPL)
  --tokens FILE    print the token stream of FILE
  --ast FILE       print the syntax tree of FILE
  --dis FILE       print the bytecode listing of FILE
  --check FILE...  check FILEs for syntax errors without running them (exit 1 on any)
  -V, --version    print the version number and exit
  -h, --help       print this help message and exit
Arguments:
  file             program read from script file
  -                program read from stdin (default; interactive mode if a tty)
  arg ...          arguments passed to program in sys.argv[1:]
";

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let Some(first) = args.first() else {
        return Ok(Command::Repl);
    };
    let needs_file = |flag: &str| -> Result<String, String> {
        args.get(1)
            .cloned()
            .ok_or_else(|| format!("Argument expected for the {flag} option"))
    };
    match first.as_str() {
        "-h" | "--help" => Ok(Command::Help),
        "-c" => Ok(Command::Code {
            code: needs_file("-c")?,
            args: args[2..].to_vec(),
        }),
        "-m" => Ok(Command::Module {
            name: needs_file("-m")?,
            args: args[2..].to_vec(),
        }),
        "-" => Ok(Command::Stdin {
            args: args[1..].to_vec(),
        }),
        "-i" => match parse(&args[1..])? {
            program @ (Command::Run { .. }
            | Command::Code { .. }
            | Command::Module { .. }
            | Command::Stdin { .. }) => Ok(Command::Inspect(Box::new(program))),
            other => Ok(other),
        },
        "-V" | "--version" => Ok(Command::Version),
        "--tokens" => Ok(Command::Tokens(needs_file("--tokens")?)),
        "--ast" => Ok(Command::Ast(needs_file("--ast")?)),
        "--dis" => Ok(Command::Dis(needs_file("--dis")?)),
        "--check" => {
            let files = args[1..].to_vec();
            if files.is_empty() {
                return Err("Argument expected for the --check option".to_string());
            }
            Ok(Command::Check(files))
        }
        flag if flag.starts_with('-') && flag != "-" => Err(format!("unknown option {flag}")),
        file => Ok(Command::Run {
            file: file.to_string(),
            args: args[1..].to_vec(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn script_arguments_stay_with_the_script() {
        assert_eq!(
            parse(&args(&["x.aio", "--ast", "-v"])).unwrap(),
            Command::Run {
                file: "x.aio".into(),
                args: args(&["--ast", "-v"])
            }
        );
    }

    #[test]
    fn options() {
        assert_eq!(parse(&[]).unwrap(), Command::Repl);
        assert_eq!(
            parse(&args(&["--check", "a", "b"])).unwrap(),
            Command::Check(args(&["a", "b"]))
        );
        assert_eq!(
            parse(&args(&["--ast", "f"])).unwrap(),
            Command::Ast("f".into())
        );
        assert!(parse(&args(&["--tokens"])).is_err());
        assert_eq!(
            parse(&args(&["-c", "print(1)", "-x"])).unwrap(),
            Command::Code {
                code: "print(1)".into(),
                args: args(&["-x"])
            }
        );
        assert_eq!(
            parse(&args(&["-m", "pkg.mod"])).unwrap(),
            Command::Module {
                name: "pkg.mod".into(),
                args: vec![]
            }
        );
        assert_eq!(
            parse(&args(&["-", "a"])).unwrap(),
            Command::Stdin { args: args(&["a"]) }
        );
        assert_eq!(parse(&args(&["-i"])).unwrap(), Command::Repl);
        assert!(parse(&args(&["-c"])).is_err());
        assert!(parse(&args(&["-q"])).is_err());
    }
}
