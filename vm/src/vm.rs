//! The `Vm`: one interpreter instance — its built-in classes, module registry, frame stack
//! and limits — and the entry points a host (and the `aio` binary) uses.

use crate::code::{Code, SourceFile};
use crate::compiler::{self, Mode};
use crate::dict::Dict;
use crate::frame::Frame;
use crate::intern::Interner;
use crate::object::{ExcData, ModuleData, Object, Payload};
use crate::str::Str;
use crate::types::{self, ExcTypes, Types};
use crate::value::{Obj, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;

/// The result of anything that can raise: the error is the exception instance (an [`Obj`]).
///
/// Native functions and the lower-level methods of [`Vm`] return it; a host entry point
/// turns it into an [`Error`] with [`Vm::guarded`] (or [`Vm::uncaught`]).
pub type PyResult<T = Value> = Result<T, Obj>;

/// A signal dispatcher: see [`Vm::set_signal_hook`].
pub type SignalHook = dyn Fn(&mut Vm) -> PyResult<bool>;

/// A native module initialiser: builds the module's namespace (see [`Vm::register_module`]).
pub type ModuleInit = fn(&mut Vm, &Obj) -> PyResult<()>;

/// A native module initialiser that may capture state (see [`Vm::register_module_fn`]).
pub type ModuleInitFn = Rc<dyn Fn(&mut Vm, &Obj) -> PyResult<()>>;

macro_rules! names {
    ($($field:ident),* $(,)?) => {
        /// Interned names the VM looks up often.
        pub struct Names {
            $(
                #[doc = concat!("`", stringify!($field), "`.")]
                pub $field: Rc<Str>,
            )*
        }

        impl Names {
            fn new(i: &mut Interner) -> Names {
                Names { $( $field: i.intern(stringify!($field)), )* }
            }
        }
    };
}

names! {
    __init__, __new__, __repr__, __str__, __eq__, __ne__, __hash__, __len__, __iter__, __next__,
    __getitem__, __setitem__, __delitem__, __contains__, __call__, __enter__, __exit__,
    __getattr__, __getattribute__, __setattr__, __delattr__, __bool__, __name__, __class__,
    __dict__, __doc__, __module__, __qualname__, __classcell__, __await__, __aiter__, __anext__,
    __aenter__, __aexit__, __format__, __index__, __int__, __float__, __get__, __set__,
    __delete__, __set_name__, __init_subclass__, __slots__, __missing__, __reversed__, __neg__,
    __pos__, __invert__, __abs__, __round__, __lt__, __le__, __gt__, __ge__, __main__,
    __builtins__, __file__, __mro_entries__, __class_getitem__, __trunc__, __floor__, __ceil__,
    __bases__, __mro__, __annotations__, __instancecheck__, __subclasscheck__, __length_hint__,
    __abstractmethods__,
    __complex__, __bytes__, __del__, __prepare__, __all__, __path__, __spec__, __loader__,
    __package__, __traceback__, __cause__, __context__, __suppress_context__, __notes__,
    args, send, throw, close, append, keys, items, values, value, code, errno, strerror,
    filename, msg, name, path, lineno, offset, text, end_lineno, end_offset, stdout,
}

/// An error coming out of the VM to the host.
///
/// The reports of [`Error::Syntax`] and [`Error::Exception`] are the text CPython writes to
/// stderr, complete lines each ending with a newline (`eprint!("{report}")`). `Display` is
/// that text without its final newline, as `Display` of an error is by convention (and as
/// the other variants are), so `eprintln!("{err}")` writes exactly what CPython does.
///
/// ```
/// use aio_vm::{Error, Vm};
///
/// let mut vm = Vm::new();
/// match vm.exec("x = 1 +") {
///     Err(Error::Syntax(report)) => assert!(report.ends_with("SyntaxError: invalid syntax\n")),
///     other => panic!("{other:?}"),
/// }
/// match vm.exec("def f():\n    return 1 / 0\nf()") {
///     Err(Error::Exception(tb)) => {
///         assert!(tb.starts_with("Traceback (most recent call last):"));
///         assert!(tb.ends_with("ZeroDivisionError: division by zero\n"));
///     }
///     other => panic!("{other:?}"),
/// }
/// let err = vm.exec("x = 1 +").unwrap_err();
/// assert!(err.to_string().ends_with("SyntaxError: invalid syntax"));
/// // Only the final newline goes: a message's own trailing spaces stay, as CPython prints them.
/// let err = vm.exec("raise ValueError('padded  ')").unwrap_err();
/// assert!(err.to_string().ends_with("ValueError: padded  "));
/// let err = vm.exec("raise SystemExit(3)").unwrap_err();
/// assert!(matches!(err, Error::Exit(3)));
/// assert_eq!(err.to_string(), "SystemExit: 3");
/// // As under `python -i`, an exit is then reported with its traceback.
/// vm.inspect = true;
/// let err = vm.exec("raise SystemExit(3)").unwrap_err();
/// assert!(matches!(&err, Error::Exception(tb) if tb.ends_with("\nSystemExit: 3\n")));
/// ```
#[derive(Debug)]
pub enum Error {
    /// The source did not compile (or a file to run could not be read); the report is
    /// rendered in CPython's format and ends with a newline.
    Syntax(String),
    /// An uncaught exception; the traceback is rendered in CPython's format and ends with a
    /// newline.
    Exception(String),
    /// `SystemExit` with this exit status (its message, if any, was printed).
    Exit(i32),
    /// A limit set with [`Vm::set_limits`] was exceeded, or the run was stopped through an
    /// [`crate::embed::InterruptHandle`]. Scripts cannot catch this; the VM stays usable.
    Limit(crate::embed::LimitExceeded),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Syntax(s) | Error::Exception(s) => {
                f.write_str(s.strip_suffix('\n').unwrap_or(s))
            }
            Error::Exit(code) => write!(f, "SystemExit: {code}"),
            Error::Limit(l) => write!(f, "{l}"),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// An [`Error::Syntax`] for `report`, ending with a newline as every report does.
    fn syntax(mut report: String) -> Error {
        if !report.ends_with('\n') {
            report.push('\n');
        }
        Error::Syntax(report)
    }
}

/// An aio interpreter: built-in classes, the module registry, the frame stack and the
/// [`Limits`](crate::Limits) of each run. A `Vm` and its values are `!Send`: keep it on one
/// thread (use an [`InterruptHandle`](crate::InterruptHandle) to stop it from another).
///
/// The host entry points are [`Vm::exec`], [`Vm::run_source`], [`Vm::run_file`],
/// [`Vm::call_function`] and [`Vm::call_value`]; values cross with
/// [`ToValue`](crate::ToValue) / [`FromValue`](crate::FromValue) (see [`crate::embed`]).
///
/// ```
/// use aio_vm::{Error, Vm};
///
/// let mut vm = Vm::new();
/// vm.exec("def greet(name):\n    return f'hello, {name}'\n")?;
/// let s: String = vm.call_function("greet", ("aio",))?;
/// assert_eq!(s, "hello, aio");
/// # Ok::<(), Error>(())
/// ```
pub struct Vm {
    /// Built-in classes.
    pub types: Types,
    /// Built-in exception classes.
    pub exc: ExcTypes,
    /// Frequently used names.
    pub names: Names,
    pub(crate) interner: Interner,
    /// The `builtins` namespace (a dict object).
    pub builtins: Obj,
    /// `sys.modules` (a dict object).
    pub modules: Obj,
    /// Suspended callers of the running frame, innermost last. Boxed: frames move between
    /// this stack, generators and the pool, and a box moves as one pointer.
    #[allow(clippy::vec_box)]
    pub(crate) frames: Vec<Box<Frame>>,
    /// Re-entries of native code into the interpreter (and native recursion).
    pub(crate) native_depth: usize,
    /// `sys.getrecursionlimit()`.
    pub recursion_limit: usize,
    /// As `python -i` (CPython's `inspect` setting): while set, [`Vm::uncaught`] reports a
    /// `SystemExit` like any other exception ([`Error::Exception`], with its traceback)
    /// instead of [`Error::Exit`], so the host goes on (into a REPL) rather than exiting.
    pub inspect: bool,
    /// `sys.set_asyncgen_hooks`: `(firstiter, finalizer)`, `None` when unset.
    pub asyncgen_hooks: (Value, Value),
    /// The `atexit` callbacks, in registration order (`None`: unregistered).
    pub(crate) atexit: Vec<Option<crate::builtins::atexit::ExitCallback>>,
    /// `NotImplemented`.
    pub not_implemented: Value,
    /// `Ellipsis`.
    pub ellipsis: Value,
    /// The marker `LoadMethod` pushes when there is no `self`.
    pub(crate) null_marker: Value,
    /// `()`: one object, as in CPython (`() is ()`), so an empty tuple costs nothing.
    pub(crate) empty_tuple: Value,
    /// Code compiled when aio was built, for modules written in aio ([`Vm::set_frozen`]).
    pub(crate) frozen: Option<crate::frozen::Frozen>,
    /// Frames kept for reuse.
    #[allow(clippy::vec_box)]
    pub(crate) frame_pool: Vec<Box<Frame>>,
    /// The argument buffer of the calls that cannot bind in place (see
    /// `Vm::take_call_args`): kept between calls so they allocate nothing.
    pub(crate) arg_buf: Vec<Value>,
    /// Where `import` looks for `.aio` files, in order.
    pub search_path: Vec<PathBuf>,
    /// The native `__await__` functions whose objects are their own `await` iterators,
    /// with their steps (`Vm::register_self_await`).
    pub(crate) self_awaits: Vec<(Obj, crate::gen::SelfAwaitStep)>,
    /// What `Vm::self_await_index` last found per class (direct-mapped by address).
    pub(crate) self_await_memo: [crate::gen::SelfAwaitMemo; 4],
    /// The bare-yield awaitable and its spent twin (`Vm::register_bare_yield`).
    pub(crate) bare_yield: Option<(Obj, Obj)>,
    /// The heap class (address, class epoch) whose `__hash__` `Vm::hash` last found to be
    /// `object`'s.
    pub(crate) identity_hash_class: std::cell::Cell<(usize, u64)>,
    /// Frames tracebacks leave out, by source file (`"asyncio/futures.aio"`) or function
    /// (`"asyncio/tasks.aio::__step"`): library code that CPython implements in C, so
    /// reports show the frames CPython shows.
    pub hidden_sources: std::collections::HashSet<String>,
    pub(crate) native_modules: HashMap<String, ModuleInitFn>,
    pub(crate) stdout: RefCell<Box<dyn Write>>,
    /// The last write or flush of standard output the script made failed (and was raised):
    /// what stays buffered then is dropped at exit, as CPython's buffer drops it.
    pub(crate) stdout_failed: std::cell::Cell<bool>,
    /// Once `sys` is imported: its namespace and the `sys.stdout` it started with. `print`
    /// writes through whatever `sys.stdout` is now when a script replaced it.
    pub(crate) sys_stdout: Option<(Obj, Value)>,
    pub(crate) gc: crate::gc::GcState,
    /// `sys.argv`: `['']` in a new VM, as in an embedded CPython (code such as `argparse`
    /// reads `sys.argv[0]`); the `aio` binary and `run_file` set the script's name.
    pub argv: Vec<String>,
    /// Set (from any thread or a signal handler) to interrupt the running code with
    /// `KeyboardInterrupt` at its next loop iteration; see [`Vm::request_interrupt`].
    pub interrupt: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Consulted when [`Vm::interrupt`] is found set: runs the script's signal handlers
    /// (the `signal` module sets it) and answers whether it handled the interrupt; `false`
    /// (or no hook) raises `KeyboardInterrupt`. See [`Vm::set_signal_hook`].
    pub(crate) signal_hook: Option<std::rc::Rc<SignalHook>>,
    /// Host limits (steps, time, memory) and their accounting; see [`Vm::set_limits`].
    pub(crate) limits: crate::embed::limits::LimitState,
    /// The green threads (`_thread`); see `threads.rs`.
    pub(crate) threads: crate::threads::Threads,
    /// The builtin `eval`, which a call from a script runs as a pushed frame.
    pub(crate) eval_fn: Option<Obj>,
    /// The natives `except*` calls (`LoadExceptStarHelper`): prepare, split, finish.
    pub(crate) except_star_helpers: Vec<Value>,
    /// The builtin `exec`, run as a pushed frame likewise.
    pub(crate) exec_fn: Option<Obj>,
    /// The `memoryview` class (its instances are made by native code).
    pub(crate) memoryview_type: Option<Obj>,
    /// `getset_descriptor` (`builtins/getset.rs`).
    pub(crate) getset_type: Option<Obj>,
    /// `dict.__getitem__` and `dict.__setitem__`: a subclass that inherits them (say
    /// `defaultdict`) is subscripted without a call through them.
    pub(crate) dict_item_fns: Option<(Obj, Obj)>,
}

impl Default for Vm {
    fn default() -> Vm {
        Vm::new()
    }
}

impl Vm {
    /// A VM with the built-in functions and the core module `sys`. The standard library is
    /// not installed: use `aio_stdlib::VmBuilder` (or `aio_stdlib::install`) for `math`,
    /// `json`, `asyncio`, ...
    ///
    /// ```
    /// use aio_vm::Vm;
    ///
    /// let mut vm = Vm::new();
    /// vm.exec(
    ///     "import sys\nv = sys.version_info[:2]\nn = len([x for x in range(10) if x % 3 == 0])",
    /// )
    /// .unwrap();
    /// assert_eq!(vm.get_global::<(i64, i64)>("v").unwrap(), (3, 11));
    /// assert_eq!(vm.get_global::<i64>("n").unwrap(), 4);
    /// let err = vm.exec("import math").unwrap_err().to_string();
    /// assert!(err.ends_with("ModuleNotFoundError: No module named 'math'"));
    /// ```
    pub fn new() -> Vm {
        let (types, exc) = types::bootstrap();
        let mut interner = Interner::default();
        let names = Names::new(&mut interner);
        let not_implemented = Value::Obj(Rc::new(Object::new(
            types.not_implemented_type.clone(),
            Payload::Plain,
        )));
        let ellipsis = Value::Obj(Rc::new(Object::new(
            types.ellipsis_type.clone(),
            Payload::Plain,
        )));
        let null_marker = Value::Obj(Rc::new(Object::new(types.object.clone(), Payload::Plain)));
        let empty_tuple = Value::Obj(Rc::new(Object::new(
            types.tuple.clone(),
            Payload::Tuple(Box::new([])),
        )));
        let builtins = Rc::new(Object::new(
            types.dict.clone(),
            Payload::Dict(Box::new(RefCell::new(Dict::new()))),
        ));
        let modules = Rc::new(Object::new(
            types.dict.clone(),
            Payload::Dict(Box::new(RefCell::new(Dict::new()))),
        ));
        let mut vm = Vm {
            types,
            exc,
            names,
            interner,
            builtins,
            modules,
            frames: Vec::new(),
            native_depth: 0,
            recursion_limit: 1000,
            inspect: false,
            asyncgen_hooks: (Value::None, Value::None),
            atexit: Vec::new(),
            not_implemented,
            null_marker,
            empty_tuple,
            frozen: None,
            frame_pool: Vec::new(),
            arg_buf: Vec::new(),
            ellipsis,
            search_path: Vec::new(),
            hidden_sources: Default::default(),
            self_awaits: Vec::new(),
            self_await_memo: Default::default(),
            bare_yield: None,
            identity_hash_class: std::cell::Cell::new((0, 0)),
            native_modules: HashMap::new(),
            stdout: RefCell::new(Box::new(std::io::BufWriter::with_capacity(
                1 << 16,
                std::io::stdout(),
            ))),
            stdout_failed: Default::default(),
            sys_stdout: None,
            gc: crate::gc::GcState::default(),
            argv: vec![String::new()],
            interrupt: Default::default(),
            signal_hook: None,
            limits: Default::default(),
            threads: Default::default(),
            eval_fn: None,
            except_star_helpers: Vec::new(),
            exec_fn: None,
            memoryview_type: None,
            getset_type: None,
            dict_item_fns: None,
        };
        crate::builtins::install(&mut vm);
        vm.install_builtins_module();
        vm
    }

    /// `import builtins`: a module whose namespace is the builtins dict itself, as in
    /// CPython (so `builtins.print = f` replaces `print` everywhere).
    fn install_builtins_module(&mut self) {
        let name = self.intern("builtins");
        let ns = self.builtins.clone();
        self.dict_set_str(&ns, "__name__", Value::Str(name.clone()));
        let m = self.track(Object::new(
            self.types.module.clone(),
            Payload::Module(Box::new(ModuleData {
                name: name.clone(),
                globals: ns,
            })),
        ));
        let modules = self.modules.clone();
        self.dict_set_str(&modules, "builtins", Value::Obj(m));
    }

    /// Interns `s`: the shared `str` the VM uses for names (the attribute names of
    /// [`Vm::get_attr`], the keys of [`Vm::dict_get_str`]). See the example of
    /// [`Vm::get_attr`].
    pub fn intern(&mut self, s: &str) -> Rc<Str> {
        self.interner.intern(s)
    }

    /// Interns a string the caller already holds: itself when it is an interned copy (a
    /// name constant, an attribute name), so `getattr(o, "name")` does no hashing.
    pub fn intern_str(&mut self, s: &Rc<Str>) -> Rc<Str> {
        self.interner.intern_str(s)
    }

    /// Registers a native module importable by `name`: `init` fills the module's namespace
    /// (usually through a [`ModuleBuilder`](crate::module::ModuleBuilder)) when a script
    /// first imports it. Registering a name again replaces the initialiser.
    ///
    /// ```
    /// use aio_vm::module::ModuleBuilder;
    /// use aio_vm::{Obj, PyResult, Vm};
    ///
    /// fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    ///     ModuleBuilder::new(vm, m)
    ///         .constant("VERSION", "1.2")
    ///         .typed_fn("square", |x: i64| x * x);
    ///     Ok(())
    /// }
    ///
    /// let mut vm = Vm::new();
    /// vm.register_module("host", init);
    /// vm.exec("import host\nr = (host.VERSION, host.square(12))")?;
    /// assert_eq!(
    ///     vm.get_global::<(String, i64)>("r")?,
    ///     ("1.2".to_string(), 144)
    /// );
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn register_module(&mut self, name: &str, init: ModuleInit) {
        self.native_modules.insert(name.to_string(), Rc::new(init));
    }

    /// Registers a native module whose initialiser is a closure (it may capture host state).
    /// Like every module, it is initialised once, on first import.
    ///
    /// ```
    /// use aio_vm::module::ModuleBuilder;
    /// use aio_vm::Vm;
    /// use std::{cell::Cell, rc::Rc};
    ///
    /// let mut vm = Vm::new();
    /// let user = String::from("ada");
    /// let inits = Rc::new(Cell::new(0));
    /// let counter = inits.clone();
    /// vm.register_module_fn("session", move |vm, m| {
    ///     counter.set(counter.get() + 1);
    ///     ModuleBuilder::new(vm, m).constant("user", user.as_str());
    ///     Ok(())
    /// });
    /// vm.exec("import session\nimport session as s2\nname = s2.user.title()")?;
    /// assert_eq!(vm.get_global::<String>("name")?, "Ada");
    /// assert_eq!(inits.get(), 1);
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn register_module_fn(
        &mut self,
        name: &str,
        init: impl Fn(&mut Vm, &Obj) -> PyResult<()> + 'static,
    ) {
        self.native_modules.insert(name.to_string(), Rc::new(init));
    }

    /// The initialiser registered for native module `name`, if any: a host can wrap it and
    /// register the wrapper under the same name, as `aio_stdlib::VmBuilder` does to deny
    /// asyncio's sockets.
    ///
    /// ```
    /// use aio_vm::module::ModuleBuilder;
    /// use aio_vm::{Obj, PyResult, Vm};
    ///
    /// fn store(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    ///     ModuleBuilder::new(vm, m).typed_fn("get", |key: String| key.len() as i64);
    ///     Ok(())
    /// }
    ///
    /// let mut vm = Vm::new();
    /// vm.register_module("store", store);
    /// let base = vm.native_module("store").unwrap();
    /// vm.register_module_fn("store", move |vm, m| {
    ///     base(vm, m)?;
    ///     ModuleBuilder::new(vm, m).constant("READ_ONLY", true);
    ///     Ok(())
    /// });
    /// vm.exec("import store\nr = (store.get('abc'), store.READ_ONLY)")?;
    /// assert_eq!(vm.get_global::<(i64, bool)>("r")?, (3, true));
    /// assert!(vm.native_module("nope").is_none());
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn native_module(&self, name: &str) -> Option<ModuleInitFn> {
        self.native_modules.get(name).cloned()
    }

    /// Makes native module `name` unavailable to `import` (modules already imported stay in
    /// `sys.modules`). Returns whether it was registered.
    ///
    /// ```
    /// use aio_vm::Vm;
    ///
    /// let mut vm = Vm::new();
    /// vm.register_module("debug", |_vm, _m| Ok(()));
    /// assert!(vm.module_names().contains(&"debug".to_string()));
    /// assert!(vm.unregister_module("debug"));
    /// assert!(!vm.module_names().contains(&"debug".to_string()));
    /// assert!(!vm.unregister_module("debug"));
    /// let err = vm.exec("import debug").unwrap_err().to_string();
    /// assert!(err.ends_with("ModuleNotFoundError: No module named 'debug'"));
    /// ```
    pub fn unregister_module(&mut self, name: &str) -> bool {
        self.native_modules.remove(name).is_some()
    }

    /// Compiles `source` (named `filename` in tracebacks); a syntax error is an
    /// [`Error::Syntax`] with CPython's report. The code object can be run any number of
    /// times with [`Vm::run_code`].
    ///
    /// ```
    /// use aio_vm::{Error, Mode, Vm};
    ///
    /// let mut vm = Vm::new();
    /// let rule = vm.compile("y = x * 2 + 1\n", "rule.aio", Mode::Exec)?;
    /// for x in [1i64, 20] {
    ///     vm.set_global("x", x);
    ///     let globals = vm.main_globals();
    ///     vm.guarded(|vm| vm.run_code(rule.clone(), globals))?;
    ///     assert_eq!(vm.get_global::<i64>("y")?, x * 2 + 1);
    /// }
    ///
    /// let Err(Error::Syntax(report)) = vm.compile("print(1 +)\n", "rule.aio", Mode::Exec) else {
    ///     panic!("not a syntax error");
    /// };
    /// assert_eq!(
    ///     report,
    ///     "  File \"rule.aio\", line 1\n    print(1 +)\n             ^\n\
    ///      SyntaxError: invalid syntax\n"
    /// );
    /// # Ok::<(), Error>(())
    /// ```
    pub fn compile(&mut self, source: &str, filename: &str, mode: Mode) -> Result<Rc<Code>, Error> {
        self.compile_source(source, filename, mode)
            .map_err(|e| Error::syntax(e.render(filename, source)))
    }

    /// Compiles `source` like [`Vm::compile`], returning the syntax error itself (message,
    /// kind and byte span) for callers that place or present it on their own.
    ///
    /// ```
    /// use aio_vm::{Mode, Vm};
    ///
    /// let mut vm = Vm::new();
    /// let err = vm
    ///     .compile_source("if x\n    pass\n", "<editor>", Mode::Exec)
    ///     .err()
    ///     .unwrap();
    /// assert_eq!(err.message, "expected ':'");
    /// assert_eq!((err.span.start, err.span.end), (4, 5));
    /// // `incomplete`: more input could complete it (an editor or a REPL asks for more).
    /// let err = vm
    ///     .compile_source("def f():\n", "<editor>", Mode::Exec)
    ///     .err()
    ///     .unwrap();
    /// assert!(err.incomplete);
    /// assert_eq!(err.kind.class_name(), "IndentationError");
    /// assert!(vm.compile_source("x = 1\n", "<editor>", Mode::Exec).is_ok());
    /// ```
    pub fn compile_source(
        &mut self,
        source: &str,
        filename: &str,
        mode: Mode,
    ) -> Result<Rc<Code>, aio_lexer::SyntaxError> {
        let module = aio_parser::parse_module(source)?;
        let file = Rc::new(SourceFile::new(filename, source));
        self.compile_module(&module, file, mode)
    }

    /// Compiles a parsed module, then issues the compiler's `SyntaxWarning`s (see
    /// [`Vm::warn_compiled`]).
    pub(crate) fn compile_module(
        &mut self,
        module: &aio_parser::ast::Module,
        file: Rc<SourceFile>,
        mode: Mode,
    ) -> Result<Rc<Code>, aio_lexer::SyntaxError> {
        let (code, warnings) = compiler::compile(
            module,
            file.clone(),
            mode,
            &mut self.interner,
            &self.types,
            &self.ellipsis,
            &self.empty_tuple,
        )?;
        self.warn_compiled(&file, warnings)?;
        Ok(code)
    }

    /// Issues compile-time `SyntaxWarning`s as CPython's compiler does, through
    /// `warnings.warn_explicit` with the file and line, so the filters apply: shown once
    /// per place by default (`FILE:LINE: SyntaxWarning: ...` and the source line), and a
    /// warning an `error` filter raises becomes a `SyntaxError` at its place. Without a
    /// `warnings` module (a bare embedded VM) they are printed in that format.
    fn warn_compiled(
        &mut self,
        file: &SourceFile,
        warnings: Vec<compiler::CompileWarning>,
    ) -> Result<(), aio_lexer::SyntaxError> {
        if warnings.is_empty() {
            return Ok(());
        }
        let module = self.import_module("warnings").ok();
        let warn = module.and_then(|m| crate::module::getattr(self, &m, "warn_explicit").ok());
        for w in warnings {
            let line = file.lines().line(w.span.start);
            let Some(warn) = &warn else {
                let text = file.lines().line_text(&file.text, line).trim();
                self.flush_stdout();
                eprintln!(
                    "{}:{line}: SyntaxWarning: {}\n  {text}",
                    file.name, w.message
                );
                continue;
            };
            let args = [
                Value::str(w.message.clone()),
                Value::Obj(self.exc.syntax_warning.clone()),
                Value::str(file.name.clone()),
                Value::Int(line as i64),
            ];
            if let Err(e) = self.call(warn, &args, &[]) {
                if self.is_instance_of(&e, &self.exc.syntax_warning.clone()) {
                    return Err(aio_lexer::SyntaxError::new(w.message, w.span));
                }
                let report = self.format_exception(&e);
                self.flush_stdout();
                eprint!("{report}");
            }
        }
        Ok(())
    }

    /// Runs a file as the `__main__` module, as `aio path` does: its directory goes first in
    /// [`Vm::search_path`] (so it can import the `.aio` files beside it), tracebacks name
    /// its absolute path, and an unreadable file is an [`Error::Syntax`] saying so.
    ///
    /// ```
    /// use aio_vm::Vm;
    ///
    /// let dir = std::env::temp_dir().join(format!("aio-run-file-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// std::fs::write(dir.join("helper.aio"), "def twice(x):\n    return 2 * x\n").unwrap();
    /// std::fs::write(
    ///     dir.join("main.aio"),
    ///     "import helper\nresult = helper.twice(21)\n",
    /// )
    /// .unwrap();
    ///
    /// let mut vm = Vm::new();
    /// vm.run_file(&dir.join("main.aio")).unwrap();
    /// assert_eq!(vm.get_global::<i64>("result").unwrap(), 42);
    /// let err = vm
    ///     .run_file(&dir.join("missing.aio"))
    ///     .err()
    ///     .unwrap()
    ///     .to_string();
    /// assert!(err.starts_with("can't open file"));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn run_file(&mut self, path: &std::path::Path) -> Result<Value, Error> {
        let bytes = std::fs::read(path)
            .map_err(|e| Error::syntax(format!("can't open file '{}': {e}", path.display())))?;
        let shown = std::path::absolute(path)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| path.display().to_string());
        let text = aio_parser::source::decode(&bytes, &shown)
            .map_err(Error::syntax)?
            .to_string();
        if let Some(dir) = path.parent() {
            // The script's folder, as a full path (CPython's `sys.path[0]`).
            let dir = if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir.to_path_buf()
            };
            self.search_path
                .insert(0, std::path::absolute(&dir).unwrap_or(dir));
        }
        self.run_source(&text, &shown, "__main__")
    }

    /// Runs `source` as a fresh module named `module_name` (registered in `sys.modules`;
    /// `filename` names it in tracebacks), under the [`Limits`](crate::Limits) in force.
    /// Running a new `"__main__"` replaces the namespace [`Vm::exec`] and
    /// [`Vm::get_global`] use.
    ///
    /// ```
    /// use aio_vm::Vm;
    ///
    /// let mut vm = Vm::new();
    /// vm.run_source("RATE = 3\n", "config.aio", "config")?;
    /// vm.run_source(
    ///     "import config\ncost = 7 * config.RATE\n",
    ///     "main.aio",
    ///     "__main__",
    /// )?;
    /// assert_eq!(vm.get_global::<i64>("cost")?, 21);
    ///
    /// let err = vm
    ///     .run_source("x = 1\nundefined()\n", "job.aio", "__main__")
    ///     .err()
    ///     .unwrap();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "Traceback (most recent call last):\n  File \"job.aio\", line 2, in <module>\n    \
    ///      undefined()\n    ^^^^^^^^^\nNameError: name 'undefined' is not defined"
    /// );
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn run_source(
        &mut self,
        source: &str,
        filename: &str,
        module_name: &str,
    ) -> Result<Value, Error> {
        let code = self.compile(source, filename, Mode::Exec)?;
        let module = self.new_module(module_name);
        if let Some(g) = self.module_globals(&module) {
            if module_name == "__main__" {
                let annotations = self.new_dict(Dict::new());
                self.dict_set_str(&g, "__annotations__", Value::Obj(annotations));
            }
            self.dict_set_str(&g, "__file__", Value::str(filename));
            if module_name == "__main__" && !filename.starts_with('<') {
                self.dict_set_str(&g, "__cached__", Value::None);
            }
        }
        self.dict_set_str(
            &self.modules.clone(),
            module_name,
            Value::Obj(module.clone()),
        );
        let globals = self.module_globals(&module).expect("module globals");
        let result = self.guarded(|vm| vm.run_code(code, globals));
        self.flush_stdout();
        result
    }

    /// Converts an uncaught exception into an [`Error`], printing nothing: the traceback for
    /// most exceptions, [`Error::Exit`] for `SystemExit`, [`Error::Limit`] for a stopped run.
    /// ([`Vm::guarded`] does this for a whole entry point.) When a script replaced
    /// `sys.excepthook`, that hook reports the exception instead, as CPython's
    /// `PyErr_Print` does, and the report left is what it did not print (see
    /// `call_excepthook`).
    ///
    /// ```
    /// use aio_vm::{Error, Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.exec("def check(n):\n    if n < 0:\n        raise ValueError(f'negative: {n}')\n")?;
    /// let check: Value = vm.get_global("check")?;
    /// let exc = vm.call(&check, &[Value::Int(-2)], &[]).err().unwrap();
    /// let err = vm.uncaught(exc);
    /// assert!(matches!(&err, Error::Exception(tb) if tb.ends_with("ValueError: negative: -2\n")));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn uncaught(&mut self, exc: Obj) -> Error {
        if let Some(kind) = self.limit_kind_of(&exc) {
            return Error::Limit(kind);
        }
        if !self.inspect && self.is_instance_of(&exc, &self.exc.system_exit.clone()) {
            return Error::Exit(self.system_exit_code(&exc));
        }
        if let Some(error) = self.call_excepthook(&exc) {
            return error;
        }
        Error::Exception(self.format_exception(&exc))
    }

    /// A script's own `sys.excepthook` reports an uncaught exception, as CPython's
    /// `PyErr_Print` calls it: the error with the report left (empty, the hook printed
    /// what it wanted; "Error in sys.excepthook:" with both tracebacks when it failed,
    /// `None` included; "sys.excepthook is missing" when it was deleted), or the hook's own
    /// `SystemExit`. `None` while the hook is the built-in one.
    fn call_excepthook(&mut self, exc: &Obj) -> Option<Error> {
        let key = self.intern("sys");
        let Some(Value::Obj(sys)) = self.dict_get_str(&self.modules.clone(), &key) else {
            return None;
        };
        let globals = self.module_globals(&sys)?;
        let (builtin, hook) = (self.intern("__excepthook__"), self.intern("excepthook"));
        let builtin = self.dict_get_str(&globals, &builtin);
        let hook = self.dict_get_str(&globals, &hook);
        let hook = match (hook, builtin) {
            (Some(h), Some(b)) if h.is(&b) => return None,
            (Some(h), _) => h,
            (None, _) => {
                let report = self.format_exception(exc);
                return Some(Error::Exception(format!(
                    "sys.excepthook is missing\n{report}"
                )));
            }
        };
        let value = Value::Obj(exc.clone());
        let args = [
            Value::Obj(self.class_of(&value).clone()),
            value.clone(),
            self.traceback_value(&value),
        ];
        match self.call(&hook, &args, &[]) {
            Ok(_) => {
                self.flush_stdout();
                Some(Error::Exception(String::new()))
            }
            // A hook that exits: the process exits with its code, as in CPython.
            Err(e) if self.is_instance_of(&e, &self.exc.system_exit.clone()) => {
                Some(Error::Exit(self.system_exit_code(&e)))
            }
            Err(e) => {
                let failed = self.format_exception(&e);
                let report = self.format_exception(exc);
                self.flush_stdout();
                Some(Error::Exception(format!(
                    "Error in sys.excepthook:\n{failed}\nOriginal exception was:\n{report}"
                )))
            }
        }
    }

    /// Runs a module-level code object (from [`Vm::compile`]) with `globals` (a dict object)
    /// as its namespace. A host calls it inside [`Vm::guarded`], which applies the limits and
    /// turns an exception into an [`Error`]; see the example of [`Vm::compile`].
    pub fn run_code(&mut self, code: Rc<Code>, globals: Obj) -> PyResult {
        let frame = self.new_module_frame(code, globals);
        self.run_frame(frame)
    }

    pub(crate) fn new_module_frame(&mut self, code: Rc<Code>, globals: Obj) -> Box<Frame> {
        let ncells = code.ncells();
        let cells: Vec<Obj> = (0..ncells).map(|_| self.new_cell(None)).collect();
        let locals = vec![None; code.nlocals()];
        let mut f = Frame::new(
            code,
            globals.clone(),
            crate::frame::Delivery::Native,
            locals,
        );
        if !cells.is_empty() {
            *f.cells_mut() = cells;
        }
        f.set_namespace(Some(globals));
        f
    }

    /// A new, empty module object named `name` (not registered in `sys.modules`: that is up
    /// to the caller). Its namespace is [`Vm::module_globals`].
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// let plugin = vm.new_module("plugin");
    /// let globals = vm.module_globals(&plugin).unwrap();
    /// vm.dict_set_str(&globals, "LIMIT", Value::Int(10));
    /// vm.guarded(|vm| {
    ///     vm.exec_source_in(
    ///         "def ok(n):\n    return n <= LIMIT\n",
    ///         "plugin.aio",
    ///         &globals,
    ///     )
    /// })?;
    /// vm.set_global("plugin", Value::Obj(plugin));
    /// vm.exec("r = (plugin.ok(3), plugin.ok(30), plugin.__name__)")?;
    /// assert_eq!(
    ///     vm.get_global::<(bool, bool, String)>("r")?,
    ///     (true, false, "plugin".into())
    /// );
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn new_module(&mut self, name: &str) -> Obj {
        let n = self.intern(name);
        let globals = self.new_dict(Dict::new());
        self.dict_set_str(&globals, "__name__", Value::Str(n.clone()));
        self.dict_set_str(&globals, "__builtins__", Value::Obj(self.builtins.clone()));
        self.dict_set_str(&globals, "__doc__", Value::None);
        // As in a fresh CPython module; `importlib` makes a spec when asked for one.
        for name in ["__package__", "__loader__", "__spec__"] {
            self.dict_set_str(&globals, name, Value::None);
        }
        self.track(Object::new(
            self.types.module.clone(),
            Payload::Module(Box::new(ModuleData { name: n, globals })),
        ))
    }

    /// The globals of the script frame `depth` levels below the innermost one (0: the frame
    /// that called the running native function); `None` when there are fewer frames.
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// // A native that reports which module called it.
    /// vm.register_native("whoami", |vm, _args| {
    ///     let g = vm.caller_globals(0).expect("called from a script");
    ///     let name = vm.intern("__name__");
    ///     Ok(vm.dict_get_str(&g, &name).unwrap_or(Value::None))
    /// });
    /// vm.run_source("def who():\n    return whoami()\n", "lib.aio", "lib")?;
    /// vm.exec("import lib\nr = (whoami(), lib.who())")?;
    /// assert_eq!(
    ///     vm.get_global::<(String, String)>("r")?,
    ///     ("__main__".into(), "lib".into())
    /// );
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn caller_globals(&self, depth: usize) -> Option<Obj> {
        let n = self.frames.len().checked_sub(depth + 1)?;
        Some(self.frames[n].globals.clone())
    }

    /// The globals dict object of a module; `None` when `module` is not a module. See the
    /// example of [`Vm::new_module`].
    pub fn module_globals(&self, module: &Obj) -> Option<Obj> {
        match &module.payload {
            Payload::Module(m) => Some(m.globals.clone()),
            _ => None,
        }
    }

    /// Flushes buffered output. The entry points ([`Vm::exec`], [`Vm::run_source`],
    /// [`Vm::call_function`], ...) flush when they return. See the example of
    /// [`Vm::set_stdout`].
    pub fn flush_stdout(&self) {
        let _ = self.stdout.borrow_mut().flush();
    }

    /// Writes to standard output (buffered), where `print` writes. See the example of
    /// [`Vm::set_stdout`].
    pub fn write_stdout(&self, s: &str) {
        let _ = self.stdout.borrow_mut().write_all(s.as_bytes());
    }

    /// Writes bytes to standard output (buffered): `sys.stdout.buffer.write`. See the
    /// example of [`Vm::set_stdout`].
    pub fn write_stdout_bytes(&self, b: &[u8]) {
        let _ = self.stdout.borrow_mut().write_all(b);
    }

    /// Writes to standard output as `print` and `sys.stdout.write` do: a failed write is
    /// raised as the `OSError` for its errno (`BrokenPipeError` when the reader of a pipe
    /// has gone: Rust programs ignore SIGPIPE, so the write fails with EPIPE).
    pub(crate) fn write_stdout_checked(&mut self, b: &[u8]) -> PyResult<()> {
        let r = self.stdout.borrow_mut().write_all(b);
        self.stdout_failed.set(r.is_err());
        r.map_err(|e| self.stdout_error(&e))
    }

    /// Flushes standard output as `sys.stdout.flush()` does: a failure is raised, as in
    /// [`Vm::write_stdout_checked`].
    pub(crate) fn flush_stdout_checked(&mut self) -> PyResult<()> {
        let r = self.stdout.borrow_mut().flush();
        self.stdout_failed.set(r.is_err());
        r.map_err(|e| self.stdout_error(&e))
    }

    /// The last flush of standard output before the process exits (CPython's
    /// `flush_std_files`): when it fails (the reader of a pipe has gone) it reports
    /// `Exception ignored in: <_io.TextIOWrapper name='<stdout>' ...>` and the error on
    /// stderr and returns `false`, for the exit status 120 CPython gives then. Output
    /// left over from a write that already raised is dropped silently.
    pub fn flush_stdout_at_exit(&mut self) -> bool {
        let already_failed = self.stdout_failed.get();
        match self.flush_stdout_checked() {
            Ok(()) => true,
            Err(_) if already_failed => true,
            Err(e) => {
                let what = "<_io.TextIOWrapper name='<stdout>' mode='w' encoding='utf-8'>";
                self.report_unraisable_in("in", what, &e);
                false
            }
        }
    }

    /// The exception for a failed write to standard output: `OSError(errno, strerror)`,
    /// whose constructor picks the subclass.
    fn stdout_error(&mut self, e: &std::io::Error) -> Obj {
        let Some(errno) = e.raw_os_error() else {
            return self.new_exception_msg(&self.exc.os_error.clone(), e.to_string());
        };
        // Rust's text is strerror's followed by " (os error N)".
        let text = std::io::Error::from_raw_os_error(errno).to_string();
        let text = text
            .split(" (os error")
            .next()
            .unwrap_or_default()
            .to_string();
        let cls = Value::Obj(self.exc.os_error.clone());
        match self.call(&cls, &[Value::Int(errno as i64), Value::str(text)], &[]) {
            Ok(Value::Obj(e)) => e,
            Ok(_) => self.new_type_error("OSError"),
            Err(e) => e,
        }
    }

    /// Replaces standard output (hosts capturing output): `print` and `sys.stdout` write to
    /// `w`, through a buffer flushed by [`Vm::flush_stdout`] and at the end of each entry
    /// point. What was buffered for the old writer is flushed to it first.
    ///
    /// ```
    /// use aio_vm::Vm;
    /// use std::{cell::RefCell, io::Write, rc::Rc};
    ///
    /// /// A writer the host can read back.
    /// #[derive(Clone, Default)]
    /// struct Capture(Rc<RefCell<Vec<u8>>>);
    /// impl Write for Capture {
    ///     fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
    ///         self.0.borrow_mut().extend_from_slice(b);
    ///         Ok(b.len())
    ///     }
    ///     fn flush(&mut self) -> std::io::Result<()> {
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let mut vm = Vm::new();
    /// let out = Capture::default();
    /// vm.set_stdout(Box::new(out.clone()));
    /// vm.exec("print('total:', sum([1, 2, 3]))\nprint(*'ab', sep='-')")?;
    /// vm.write_stdout("from the host\n");
    /// vm.write_stdout_bytes(b"raw bytes\n");
    /// vm.flush_stdout();
    /// let text = String::from_utf8(out.0.borrow().clone()).unwrap();
    /// assert_eq!(text, "total: 6\na-b\nfrom the host\nraw bytes\n");
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn set_stdout(&mut self, w: Box<dyn Write>) {
        self.flush_stdout();
        *self.stdout.borrow_mut() = w;
    }

    // ---- object construction -----------------------------------------------------------

    /// A new dict object holding `d` (usually `Dict::new()`). Fill it with
    /// [`Vm::dict_set_str`] or, for keys of any type, [`Vm::dict_set`].
    ///
    /// ```
    /// use aio_vm::dict::Dict;
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// let point = vm.new_dict(Dict::new());
    /// vm.dict_set_str(&point, "x", Value::Int(3));
    /// vm.dict_set_str(
    ///     &point,
    ///     "tags",
    ///     vm.new_list(vec![Value::str("a"), Value::str("b")]),
    /// );
    /// vm.dict_set_str(
    ///     &point,
    ///     "pair",
    ///     vm.new_tuple(vec![Value::None, Value::bool(true)]),
    /// );
    /// vm.set_global("point", Value::Obj(point.clone()));
    /// vm.exec("point['y'] = point['x'] + len(point['tags'])\nr = repr(point)")
    ///     .unwrap();
    /// assert_eq!(
    ///     vm.get_global::<String>("r").unwrap(),
    ///     "{'x': 3, 'tags': ['a', 'b'], 'pair': (None, True), 'y': 5}"
    /// );
    /// let y = vm.intern("y");
    /// assert!(matches!(vm.dict_get_str(&point, &y), Some(Value::Int(5))));
    /// ```
    pub fn new_dict(&self, d: Dict) -> Obj {
        self.track(Object::new(
            self.types.dict.clone(),
            Payload::Dict(Box::new(RefCell::new(d))),
        ))
    }

    /// A new list value; see the example of [`Vm::new_dict`].
    pub fn new_list(&self, items: Vec<Value>) -> Value {
        Value::Obj(self.track(Object::new(
            self.types.list.clone(),
            Payload::List(RefCell::new(items)),
        )))
    }

    /// A new tuple value; see the example of [`Vm::new_dict`].
    pub fn new_tuple(&self, items: Vec<Value>) -> Value {
        if items.is_empty() {
            return self.empty_tuple.clone();
        }
        Value::Obj(Rc::new(Object::new(
            self.types.tuple.clone(),
            Payload::Tuple(items.into_boxed_slice()),
        )))
    }

    /// A new cell (the storage of a closure variable). Internal: used by the interpreter
    /// and by natives that build functions.
    pub(crate) fn new_cell(&self, v: Option<Value>) -> Obj {
        self.track(Object::new(
            self.types.cell.clone(),
            Payload::Cell(RefCell::new(v)),
        ))
    }

    /// The cycle collector: its schedule, switches and collections (the `gc` module).
    ///
    /// ```
    /// let mut vm = aio_vm::Vm::new();
    /// assert!(vm.gc().is_enabled());
    /// // A list that holds itself: only the cycle collector can reclaim it.
    /// vm.exec("a = []\na.append(a)\ndel a\n")?;
    /// assert!(vm.gc().collect() >= 1);
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn gc(&self) -> &crate::gc::GcState {
        &self.gc
    }

    /// Allocates a container object and registers it with the cycle collector. For natives
    /// that build [`Object`]s themselves; hosts use [`Vm::new_list`], [`Vm::new_dict`], ...
    #[doc(hidden)]
    pub fn track(&self, o: Object) -> Obj {
        let rc = Rc::new(o);
        self.gc.track(&rc);
        rc
    }

    /// Sets a `str` key in a dict object (nothing happens if `dict` is not a dict). See the
    /// example of [`Vm::new_dict`].
    pub fn dict_set_str(&mut self, dict: &Obj, key: &str, value: Value) {
        let k = self.intern(key);
        if let Payload::Dict(d) = &dict.payload {
            d.borrow_mut().set_str(k, value);
        }
    }

    /// Gets a `str` key from a dict object (`None` when absent or not a dict); see the
    /// example of [`Vm::new_dict`].
    pub fn dict_get_str(&self, dict: &Obj, key: &Str) -> Option<Value> {
        match &dict.payload {
            Payload::Dict(d) => d.borrow().get_str(key).cloned(),
            _ => None,
        }
    }

    // ---- exceptions --------------------------------------------------------------------

    /// A new exception of class `cls` with `args`. A native function raises it by returning
    /// it as the error; the `new_*_error` helpers below build the common classes, and
    /// [`Vm::exc`] holds every built-in exception class.
    ///
    /// ```
    /// use aio_vm::native::Args;
    /// use aio_vm::{PyResult, Value, Vm};
    ///
    /// fn withdraw(vm: &mut Vm, a: Args) -> PyResult {
    ///     a.check_count(vm, "withdraw", 1, 1)?;
    ///     match a.pos[0] {
    ///         Value::Int(n) if n > 100 => {
    ///             let cls = vm.exc.permission_error.clone();
    ///             Err(vm.new_exception(&cls, vec![Value::str("over the limit"), Value::Int(n)]))
    ///         }
    ///         Value::Int(n) if n < 0 => Err(vm.new_value_error(format!("negative amount: {n}"))),
    ///         Value::Int(n) => Ok(Value::Int(100 - n)),
    ///         _ => Err(vm.new_type_error("an int is required")),
    ///     }
    /// }
    ///
    /// let mut vm = Vm::new();
    /// vm.register_native("withdraw", withdraw);
    /// vm.exec(
    ///     "left = withdraw(30)\n\
    ///      log = []\n\
    ///      for arg in (-1, 'x', 500):\n\
    ///      \x20   try:\n\
    ///      \x20       withdraw(arg)\n\
    ///      \x20   except Exception as e:\n\
    ///      \x20       log.append(f'{type(e).__name__}{e.args}')\n",
    /// )?;
    /// assert_eq!(vm.get_global::<i64>("left")?, 70);
    /// assert_eq!(
    ///     vm.get_global::<Vec<String>>("log")?,
    ///     [
    ///         "ValueError('negative amount: -1',)",
    ///         "TypeError('an int is required',)",
    ///         "PermissionError('over the limit', 500)",
    ///     ]
    /// );
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn new_exception(&self, cls: &Obj, args: Vec<Value>) -> Obj {
        let data = ExcData {
            args: self.new_tuple(args),
            ..ExcData::default()
        };
        self.track(Object::new(
            cls.clone(),
            Payload::Exception(Box::new(RefCell::new(data))),
        ))
    }

    /// A new exception of class `cls` with one string argument. See the example of
    /// [`Vm::new_exception`].
    pub fn new_exception_msg(&self, cls: &Obj, msg: impl Into<String>) -> Obj {
        self.new_exception(cls, vec![Value::str(msg.into())])
    }

    /// `TypeError(msg)`.
    /// See the example of [`Vm::new_exception`].
    pub fn new_type_error(&self, msg: impl Into<String>) -> Obj {
        self.new_exception_msg(&self.exc.type_error, msg)
    }

    /// `ValueError(msg)`.
    /// See the example of [`Vm::new_exception`].
    pub fn new_value_error(&self, msg: impl Into<String>) -> Obj {
        self.new_exception_msg(&self.exc.value_error, msg)
    }

    /// `IndexError(msg)`.
    /// See the example of [`Vm::new_exception`].
    pub fn new_index_error(&self, msg: impl Into<String>) -> Obj {
        self.new_exception_msg(&self.exc.index_error, msg)
    }

    /// `KeyError(key)`. See the example of [`Vm::new_exception`].
    pub fn new_key_error(&self, key: Value) -> Obj {
        self.new_exception(&self.exc.key_error, vec![key])
    }

    /// `AttributeError(msg)`.
    /// See the example of [`Vm::new_exception`].
    pub fn new_attribute_error(&self, msg: impl Into<String>) -> Obj {
        self.new_exception_msg(&self.exc.attribute_error, msg)
    }

    /// `RuntimeError(msg)`.
    /// See the example of [`Vm::new_exception`].
    pub fn new_runtime_error(&self, msg: impl Into<String>) -> Obj {
        self.new_exception_msg(&self.exc.runtime_error, msg)
    }

    /// `OverflowError(msg)`.
    /// See the example of [`Vm::new_exception`].
    pub fn new_overflow_error(&self, msg: impl Into<String>) -> Obj {
        self.new_exception_msg(&self.exc.overflow_error, msg)
    }

    /// `ZeroDivisionError(msg)`.
    /// See the example of [`Vm::new_exception`].
    pub fn new_zero_division(&self, msg: impl Into<String>) -> Obj {
        self.new_exception_msg(&self.exc.zero_division_error, msg)
    }

    /// `StopIteration(value)`: what a native `__next__` raises when exhausted (with `None`),
    /// or a generator's return value.
    ///
    /// ```
    /// use aio_vm::Value;
    ///
    /// let mut vm = aio_vm::Vm::new();
    /// // A native iterator's `__next__` once it is exhausted.
    /// vm.register_native("exhausted", |vm, _args| Err(vm.new_stop_iteration(Value::Int(7))));
    /// vm.exec("try:\n    exhausted()\nexcept StopIteration as e:\n    got = e.value\n")?;
    /// assert_eq!(vm.get_global::<i64>("got")?, 7);
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn new_stop_iteration(&self, value: Value) -> Obj {
        let args = if value.is_none() {
            vec![]
        } else {
            vec![value.clone()]
        };
        let e = self.new_exception(&self.exc.stop_iteration, args);
        if let Payload::Exception(d) = &e.payload {
            d.borrow_mut().extra = value;
        }
        e
    }

    /// `RecursionError: maximum recursion depth exceeded{what}`. Internal: raised by
    /// [`Vm::enter_native`].
    pub(crate) fn new_recursion_error(&self, what: &str) -> Obj {
        self.new_exception_msg(
            &self.exc.recursion_error,
            format!("maximum recursion depth exceeded{what}"),
        )
    }

    /// Enters a level of native recursion (repr of nested data, comparisons), raising
    /// `RecursionError` (with the suffix `what`, e.g. `" while getting the repr of an
    /// object"`) past the recursion limit. Internal: for natives that recurse into values;
    /// pair it with [`Vm::leave_native`].
    pub(crate) fn enter_native(&mut self, what: &str) -> PyResult<()> {
        self.native_depth += 1;
        if self.frames.len() + self.native_depth > self.recursion_limit + 50 {
            self.native_depth -= 1;
            return Err(self.new_recursion_error(what));
        }
        Ok(())
    }

    /// Looks `name` up along the MRO of `cls`, through the lookup cache (no descriptors are
    /// bound: the raw class attribute). Internal; hosts use [`Vm::get_attr`].
    #[inline]
    #[doc(hidden)]
    pub fn lookup(&self, cls: &Obj, name: &Rc<Str>) -> Option<Value> {
        self.gc.lookup_cache.lookup(cls, name)
    }

    /// Leaves a level entered with [`Vm::enter_native`].
    pub(crate) fn leave_native(&mut self) {
        self.native_depth -= 1;
    }
}
