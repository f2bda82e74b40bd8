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

/// The result of anything that can raise: the error is the exception instance.
pub type PyResult<T = Value> = Result<T, Obj>;

/// A native module initialiser: builds the module's namespace.
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
    __complex__, __bytes__, __del__, __prepare__, __all__, __path__, __spec__, __loader__,
    __package__, __traceback__, __cause__, __context__, __suppress_context__, __notes__,
    args, send, throw, close, append, keys, items, values, value, code, errno, strerror,
    filename, msg, name, path, lineno, offset, text, end_lineno, end_offset,
}

/// An error coming out of the VM to the host.
#[derive(Debug)]
pub enum Error {
    /// The source did not compile; the report is rendered in CPython's format.
    Syntax(String),
    /// An uncaught exception; the traceback is rendered in CPython's format.
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
            Error::Syntax(s) | Error::Exception(s) => f.write_str(s.trim_end()),
            Error::Exit(code) => write!(f, "SystemExit: {code}"),
            Error::Limit(l) => write!(f, "{l}"),
        }
    }
}

impl std::error::Error for Error {}

/// An aio interpreter.
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
    /// `sys.set_asyncgen_hooks`: `(firstiter, finalizer)`, `None` when unset.
    pub asyncgen_hooks: (Value, Value),
    /// `NotImplemented`.
    pub not_implemented: Value,
    /// `Ellipsis`.
    pub ellipsis: Value,
    /// The marker `LoadMethod` pushes when there is no `self`.
    pub(crate) null_marker: Value,
    /// Frames kept for reuse.
    #[allow(clippy::vec_box)]
    pub(crate) frame_pool: Vec<Box<Frame>>,
    /// Where `import` looks for `.aio` files, in order.
    pub search_path: Vec<PathBuf>,
    /// Frames tracebacks leave out, by source file (`"asyncio/futures.aio"`) or function
    /// (`"asyncio/tasks.aio::__step"`): library code that CPython implements in C, so
    /// reports show the frames CPython shows.
    pub hidden_sources: std::collections::HashSet<String>,
    pub(crate) native_modules: HashMap<String, ModuleInitFn>,
    pub(crate) stdout: RefCell<Box<dyn Write>>,
    pub(crate) gc: crate::gc::GcState,
    /// `sys.argv`.
    pub argv: Vec<String>,
    /// Set (from any thread or a signal handler) to interrupt the running code with
    /// `KeyboardInterrupt` at its next loop iteration; see [`Vm::request_interrupt`].
    pub interrupt: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Host limits (steps, time, memory) and their accounting; see [`Vm::set_limits`].
    pub(crate) limits: crate::embed::limits::LimitState,
    /// The builtin `eval`, which a call from a script runs as a pushed frame.
    pub(crate) eval_fn: Option<Obj>,
    /// The builtin `exec`, run as a pushed frame likewise.
    pub(crate) exec_fn: Option<Obj>,
    /// The `memoryview` class (its instances are made by native code).
    pub(crate) memoryview_type: Option<Obj>,
}

impl Default for Vm {
    fn default() -> Vm {
        Vm::new()
    }
}

impl Vm {
    /// A VM with the built-in functions and the core modules (`sys`).
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
        let builtins = Rc::new(Object::new(
            types.dict.clone(),
            Payload::Dict(RefCell::new(Dict::new())),
        ));
        let modules = Rc::new(Object::new(
            types.dict.clone(),
            Payload::Dict(RefCell::new(Dict::new())),
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
            asyncgen_hooks: (Value::None, Value::None),
            not_implemented,
            null_marker,
            frame_pool: Vec::new(),
            ellipsis,
            search_path: Vec::new(),
            hidden_sources: Default::default(),
            native_modules: HashMap::new(),
            stdout: RefCell::new(Box::new(std::io::BufWriter::with_capacity(
                1 << 16,
                std::io::stdout(),
            ))),
            gc: crate::gc::GcState::default(),
            argv: Vec::new(),
            interrupt: Default::default(),
            limits: Default::default(),
            eval_fn: None,
            exec_fn: None,
            memoryview_type: None,
        };
        crate::builtins::install(&mut vm);
        vm
    }

    /// Interns `s`.
    pub fn intern(&mut self, s: &str) -> Rc<Str> {
        self.interner.intern(s)
    }

    /// Registers a native module importable by `name`.
    pub fn register_module(&mut self, name: &str, init: ModuleInit) {
        self.native_modules.insert(name.to_string(), Rc::new(init));
    }

    /// Registers a native module whose initialiser is a closure (it may capture host state).
    pub fn register_module_fn(
        &mut self,
        name: &str,
        init: impl Fn(&mut Vm, &Obj) -> PyResult<()> + 'static,
    ) {
        self.native_modules.insert(name.to_string(), Rc::new(init));
    }

    /// The initialiser registered for native module `name`, if any.
    pub fn native_module(&self, name: &str) -> Option<ModuleInitFn> {
        self.native_modules.get(name).cloned()
    }

    /// Makes native module `name` unavailable to `import` (modules already imported stay in
    /// `sys.modules`).
    pub fn unregister_module(&mut self, name: &str) -> bool {
        self.native_modules.remove(name).is_some()
    }

    /// Compiles `source` (named `filename` in tracebacks).
    pub fn compile(&mut self, source: &str, filename: &str, mode: Mode) -> Result<Rc<Code>, Error> {
        self.compile_source(source, filename, mode)
            .map_err(|e| Error::Syntax(e.render(filename, source)))
    }

    /// Compiles `source` like [`Vm::compile`], returning the syntax error itself (message,
    /// kind and byte span) for callers that place or present it on their own.
    pub fn compile_source(
        &mut self,
        source: &str,
        filename: &str,
        mode: Mode,
    ) -> Result<Rc<Code>, aio_lexer::SyntaxError> {
        let module = aio_parser::parse_module(source)?;
        let file = Rc::new(SourceFile::new(filename, source));
        compiler::compile(
            &module,
            file,
            mode,
            &mut self.interner,
            &self.types,
            &self.ellipsis,
        )
    }

    /// Runs a file as the `__main__` module.
    pub fn run_file(&mut self, path: &std::path::Path) -> Result<Value, Error> {
        let bytes = std::fs::read(path)
            .map_err(|e| Error::Syntax(format!("can't open file '{}': {e}", path.display())))?;
        let shown = std::path::absolute(path)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| path.display().to_string());
        let text = aio_parser::source::decode(&bytes, &shown)
            .map_err(Error::Syntax)?
            .to_string();
        if let Some(dir) = path.parent() {
            let dir = if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir.to_path_buf()
            };
            self.search_path.insert(0, dir);
        }
        self.run_source(&text, &shown, "__main__")
    }

    /// Runs `source` as a module named `module_name`.
    pub fn run_source(
        &mut self,
        source: &str,
        filename: &str,
        module_name: &str,
    ) -> Result<Value, Error> {
        let code = self.compile(source, filename, Mode::Exec)?;
        let module = self.new_module(module_name);
        if let Some(g) = self.module_globals(&module) {
            self.dict_set_str(&g, "__file__", Value::str(filename));
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

    /// Converts an uncaught exception into an [`Error`], printing nothing.
    pub fn uncaught(&mut self, exc: Obj) -> Error {
        if let Some(kind) = self.limit_kind_of(&exc) {
            return Error::Limit(kind);
        }
        if self.is_instance_of(&exc, &self.exc.system_exit.clone()) {
            return Error::Exit(self.system_exit_code(&exc));
        }
        Error::Exception(self.format_exception(&exc))
    }

    /// Runs a module-level code object with `globals` as its namespace.
    pub fn run_code(&mut self, code: Rc<Code>, globals: Obj) -> PyResult {
        let frame = self.new_module_frame(code, globals);
        self.run_frame(frame)
    }

    pub(crate) fn new_module_frame(&mut self, code: Rc<Code>, globals: Obj) -> Box<Frame> {
        let ncells = code.ncells();
        Box::new(Frame {
            stack: Vec::with_capacity(code.max_stack as usize),
            locals: vec![None; code.nlocals()],
            cells: (0..ncells).map(|_| self.new_cell(None)).collect(),
            namespace: Some(globals.clone()),
            globals,
            blocks: Vec::new(),
            delivery: crate::frame::Delivery::Native,
            generator: None,
            pending_throw: None,
            ip: 0,
            code,
        })
    }

    /// A new, empty module object named `name`.
    pub fn new_module(&mut self, name: &str) -> Obj {
        let n = self.intern(name);
        let globals = self.new_dict(Dict::new());
        self.dict_set_str(&globals, "__name__", Value::Str(n.clone()));
        self.dict_set_str(&globals, "__builtins__", Value::Obj(self.builtins.clone()));
        self.dict_set_str(&globals, "__doc__", Value::None);
        self.track(Object::new(
            self.types.module.clone(),
            Payload::Module(Box::new(ModuleData { name: n, globals })),
        ))
    }

    /// The globals of the script frame `depth` levels below the innermost one (0: the frame
    /// that called the running native function); `None` when there are fewer frames.
    pub fn caller_globals(&self, depth: usize) -> Option<Obj> {
        let n = self.frames.len().checked_sub(depth + 1)?;
        Some(self.frames[n].globals.clone())
    }

    /// The globals dict object of a module.
    pub fn module_globals(&self, module: &Obj) -> Option<Obj> {
        match &module.payload {
            Payload::Module(m) => Some(m.globals.clone()),
            _ => None,
        }
    }

    /// Flushes buffered output.
    pub fn flush_stdout(&self) {
        let _ = self.stdout.borrow_mut().flush();
    }

    /// Writes to standard output (buffered).
    pub fn write_stdout(&self, s: &str) {
        let _ = self.stdout.borrow_mut().write_all(s.as_bytes());
    }

    /// Writes bytes to standard output (buffered): `sys.stdout.buffer.write`.
    pub fn write_stdout_bytes(&self, b: &[u8]) {
        let _ = self.stdout.borrow_mut().write_all(b);
    }

    /// Replaces standard output (hosts capturing output).
    pub fn set_stdout(&mut self, w: Box<dyn Write>) {
        self.flush_stdout();
        *self.stdout.borrow_mut() = w;
    }

    // ---- object construction -----------------------------------------------------------

    /// A new dict object.
    pub fn new_dict(&self, d: Dict) -> Obj {
        self.track(Object::new(
            self.types.dict.clone(),
            Payload::Dict(RefCell::new(d)),
        ))
    }

    /// A new list value.
    pub fn new_list(&self, items: Vec<Value>) -> Value {
        Value::Obj(self.track(Object::new(
            self.types.list.clone(),
            Payload::List(RefCell::new(items)),
        )))
    }

    /// A new tuple value.
    pub fn new_tuple(&self, items: Vec<Value>) -> Value {
        Value::Obj(Rc::new(Object::new(
            self.types.tuple.clone(),
            Payload::Tuple(items.into_boxed_slice()),
        )))
    }

    /// A new cell.
    pub fn new_cell(&self, v: Option<Value>) -> Obj {
        self.track(Object::new(
            self.types.cell.clone(),
            Payload::Cell(RefCell::new(v)),
        ))
    }

    /// The cycle collector: its schedule, switches and collections (the `gc` module).
    pub fn gc(&self) -> &crate::gc::GcState {
        &self.gc
    }

    /// Allocates a container object and registers it with the cycle collector.
    pub fn track(&self, o: Object) -> Obj {
        let rc = Rc::new(o);
        self.gc.track(&rc);
        rc
    }

    /// Sets a `str` key in a dict object.
    pub fn dict_set_str(&mut self, dict: &Obj, key: &str, value: Value) {
        let k = self.intern(key);
        if let Payload::Dict(d) = &dict.payload {
            d.borrow_mut().set_str(k, value);
        }
    }

    /// Gets a `str` key from a dict object.
    pub fn dict_get_str(&self, dict: &Obj, key: &Str) -> Option<Value> {
        match &dict.payload {
            Payload::Dict(d) => d.borrow().get_str(key).cloned(),
            _ => None,
        }
    }

    // ---- exceptions --------------------------------------------------------------------

    /// A new exception of class `cls` with `args`.
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

    /// A new exception of class `cls` with one string argument.
    pub fn new_exception_msg(&self, cls: &Obj, msg: impl Into<String>) -> Obj {
        self.new_exception(cls, vec![Value::str(msg.into())])
    }

    /// `TypeError(msg)`.
    pub fn new_type_error(&self, msg: impl Into<String>) -> Obj {
        self.new_exception_msg(&self.exc.type_error, msg)
    }

    /// `ValueError(msg)`.
    pub fn new_value_error(&self, msg: impl Into<String>) -> Obj {
        self.new_exception_msg(&self.exc.value_error, msg)
    }

    /// `IndexError(msg)`.
    pub fn new_index_error(&self, msg: impl Into<String>) -> Obj {
        self.new_exception_msg(&self.exc.index_error, msg)
    }

    /// `KeyError(key)`.
    pub fn new_key_error(&self, key: Value) -> Obj {
        self.new_exception(&self.exc.key_error, vec![key])
    }

    /// `AttributeError(msg)`.
    pub fn new_attribute_error(&self, msg: impl Into<String>) -> Obj {
        self.new_exception_msg(&self.exc.attribute_error, msg)
    }

    /// `RuntimeError(msg)`.
    pub fn new_runtime_error(&self, msg: impl Into<String>) -> Obj {
        self.new_exception_msg(&self.exc.runtime_error, msg)
    }

    /// `OverflowError(msg)`.
    pub fn new_overflow_error(&self, msg: impl Into<String>) -> Obj {
        self.new_exception_msg(&self.exc.overflow_error, msg)
    }

    /// `ZeroDivisionError(msg)`.
    pub fn new_zero_division(&self, msg: impl Into<String>) -> Obj {
        self.new_exception_msg(&self.exc.zero_division_error, msg)
    }

    /// `StopIteration(value)`.
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

    /// `RecursionError`.
    pub fn new_recursion_error(&self, what: &str) -> Obj {
        self.new_exception_msg(
            &self.exc.recursion_error,
            format!("maximum recursion depth exceeded{what}"),
        )
    }

    /// Enters a level of native recursion (repr of nested data, comparisons).
    pub fn enter_native(&mut self, what: &str) -> PyResult<()> {
        self.native_depth += 1;
        if self.frames.len() + self.native_depth > self.recursion_limit + 50 {
            self.native_depth -= 1;
            return Err(self.new_recursion_error(what));
        }
        Ok(())
    }

    /// Looks `name` up along the MRO of `cls`, through the lookup cache.
    #[inline]
    pub fn lookup(&self, cls: &Obj, name: &Rc<Str>) -> Option<Value> {
        self.gc.lookup_cache.lookup(cls, name)
    }

    /// Leaves a level entered with [`Vm::enter_native`].
    pub fn leave_native(&mut self) {
        self.native_depth -= 1;
    }
}
