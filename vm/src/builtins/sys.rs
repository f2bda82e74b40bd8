//! The `sys` module: `argv`, `exit`, `stdin` (a reader over the process's standard input),
//! `stdout`/`stderr` writers, `getrecursionlimit` / `setrecursionlimit`, `version_info`,
//! `float_info`, `int_info`, `hash_info`, `flags` (struct sequences written in aio,
//! [`SYS_AIO`]), `implementation` (a `types.SimpleNamespace`, whose class is defined here),
//! `get_int_max_str_digits` / `set_int_max_str_digits`, `_getframe` (snapshots),
//! `platform`, `maxsize`, `maxunicode`, `executable`, `modules`, `path`.

use super::native_fn;
use crate::native::Args;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};

pub(super) fn install(vm: &mut Vm) {
    vm.register_module("sys", init);
}

fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("globals");
    let argv: Vec<Value> = vm.argv.iter().map(|a| Value::str(a.as_str())).collect();
    let argv = vm.new_list(argv);
    vm.dict_set_str(&g, "argv", argv);
    for (name, f) in [
        ("exit", exit as crate::native::NativeFn),
        ("getrecursionlimit", getrecursionlimit),
        ("setrecursionlimit", setrecursionlimit),
        ("exc_info", exc_info),
        ("exception", exception),
        ("excepthook", excepthook),
        ("intern", intern),
        ("getsizeof", getsizeof),
        ("set_asyncgen_hooks", set_asyncgen_hooks),
        ("_get_asyncgen_hooks", get_asyncgen_hooks),
        ("_stdin_readline", stdin_readline),
        ("_stdin_read", stdin_read),
        ("_isatty", isatty),
        ("_write_bytes", write_bytes),
        ("_stdin_bytes", stdin_bytes),
        ("_stdin_readline_bytes", stdin_readline_bytes),
        ("get_int_max_str_digits", get_int_max_str_digits),
        ("_getframe", getframe),
        ("set_int_max_str_digits", set_int_max_str_digits),
    ] {
        let f = super::module_native(vm, "sys", name, crate::native::NativeImpl::Fn(f));
        vm.dict_set_str(&g, name, f);
    }
    // The original hook is the same object, as in CPython (`Vm::uncaught` tells a
    // script's own hook by it).
    let key = vm.intern("excepthook");
    if let Some(hook) = vm.dict_get_str(&g, &key) {
        vm.dict_set_str(&g, "__excepthook__", hook);
    }
    vm.dict_set_str(&g, "version", Value::str("3.11.7 (aio)"));
    // Every module of aio's standard library is built into the binary, as CPython's
    // `builtin_module_names` lists its C modules (`stdlib_module_names` is made from it).
    let mut builtin: Vec<String> = vm
        .native_modules
        .keys()
        .filter(|n| !n.contains('.'))
        .cloned()
        .chain(["builtins".to_string(), "sys".to_string()])
        .collect();
    builtin.sort();
    builtin.dedup();
    let builtin = builtin.into_iter().map(Value::from).collect();
    let builtin = vm.new_tuple(builtin);
    vm.dict_set_str(&g, "builtin_module_names", builtin);
    vm.dict_set_str(&g, "_pthread_version", pthread_version());
    let orig_argv = std::env::args().map(Value::from).collect();
    let orig_argv = vm.new_list(orig_argv);
    vm.dict_set_str(&g, "orig_argv", orig_argv);
    vm.dict_set_str(&g, "platform", Value::str(std::env::consts::OS));
    vm.dict_set_str(&g, "maxsize", Value::Int(i64::MAX));
    vm.dict_set_str(&g, "byteorder", Value::str("little"));
    // The `-W` options: aio has none (`unittest.main` reads it).
    let warnoptions = vm.new_list(Vec::new());
    vm.dict_set_str(&g, "warnoptions", warnoptions);
    let modules = Value::Obj(vm.modules.clone());
    vm.dict_set_str(&g, "modules", modules);
    let path: Vec<Value> = vm
        .search_path
        .iter()
        .map(|p| Value::str(p.display().to_string()))
        .collect();
    let path = vm.new_list(path);
    vm.dict_set_str(&g, "path", path);
    let stdout = make_stream(vm, "stdout", stdout_write, stdout_flush);
    vm.dict_set_str(&g, "stdout", stdout.clone());
    vm.sys_stdout = Some((g.clone(), stdout));
    let stderr = make_stream(vm, "stderr", stderr_write, stderr_flush);
    vm.dict_set_str(&g, "stderr", stderr);
    vm.dict_set_str(&g, "maxunicode", Value::Int(0x10FFFF));
    vm.dict_set_str(&g, "hexversion", Value::Int(0x030B07F0));
    vm.dict_set_str(&g, "float_repr_style", Value::str("short"));
    let exe_path = std::env::current_exe().ok();
    let exe = exe_path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    vm.dict_set_str(&g, "executable", Value::str(exe));
    // The installation prefix: the folder above the executable's (`/usr/local` for
    // `/usr/local/bin/aio`), where CPython would find `lib/python3.11`; aio has no virtual
    // environments, so the base prefixes are the same.
    let prefix = exe_path
        .as_ref()
        .and_then(|p| p.parent()?.parent())
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    for name in ["prefix", "base_prefix", "exec_prefix", "base_exec_prefix"] {
        vm.dict_set_str(&g, name, Value::str(prefix.as_str()));
    }
    // `python -i`: sys.flags.inspect and .interactive are 1.
    vm.dict_set_str(&g, "_inspect", Value::Int(i64::from(vm.inspect)));
    vm.exec_source_in(SYS_AIO, "<sys>", &g)?;
    Ok(())
}

/// `sys.thread_info.version`: the threads library's version as CPython reads it
/// (`confstr(_CS_GNU_LIBPTHREAD_VERSION)`, e.g. `'NPTL 2.36'`), `None` where there is none.
fn pthread_version() -> Value {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let mut buf = [0u8; 64];
        // SAFETY: `buf` is writable for its whole length, which is passed.
        let n = unsafe {
            libc::confstr(
                libc::_CS_GNU_LIBPTHREAD_VERSION,
                buf.as_mut_ptr().cast(),
                buf.len(),
            )
        };
        if n > 1 && n <= buf.len() {
            return Value::from(String::from_utf8_lossy(&buf[..n - 1]).into_owned());
        }
    }
    Value::None
}

/// The parts of `sys` written in aio: struct sequences (`version_info`, `float_info`,
/// `int_info`, `hash_info`, `flags`), `implementation` and `stdin`.
pub(crate) const SYS_AIO: &str = r#"
class _StructSeq(tuple):
    __slots__ = ()
    n_unnamed_fields = 0
    def __new__(cls, values):
        return tuple.__new__(cls, values)
    _prefix = 'sys.'
    def __repr__(self):
        return self._prefix + type(self).__name__ + '(' + ', '.join(
            n + '=' + repr(v) for n, v in zip(self._fields, self)) + ')'
    def __reduce__(self):
        return (type(self), (tuple(self), {}))
    def __setattr__(self, name, value):
        if name in self._fields:
            raise AttributeError('readonly attribute')
        raise AttributeError(f"'{self._prefix}{type(self).__name__}' object has no attribute '{name}'")
    def __delattr__(self, name):
        self.__setattr__(name, None)
    def __getattr__(self, name):
        raise AttributeError(f"'{self._prefix}{type(self).__name__}' object has no attribute '{name}'")

def _no_new(cls, *args, **kwargs):
    raise TypeError(f"cannot create 'sys.{cls.__name__}' instances")

def _structseq(name, fields, values, creatable=True, module='sys'):
    ns = {'_fields': tuple(fields), '__module__': module, '__slots__': (),
          '_prefix': '' if module == 'builtins' else module + '.',
          'n_fields': len(fields), 'n_sequence_fields': len(fields)}
    for i, f in enumerate(fields):
        ns[f] = property(lambda self, i=i: self[i])
    if not creatable:
        ns['__new__'] = _no_new
    cls = type(name, (_StructSeq,), ns)
    return tuple.__new__(cls, values)

version_info = _structseq('version_info',
    ['major', 'minor', 'micro', 'releaselevel', 'serial'], (3, 11, 7, 'final', 0), False)
float_info = _structseq('float_info',
    ['max', 'max_exp', 'max_10_exp', 'min', 'min_exp', 'min_10_exp', 'dig', 'mant_dig',
     'epsilon', 'radix', 'rounds'],
    (1.7976931348623157e+308, 1024, 308, 2.2250738585072014e-308, -1021, -307, 15, 53,
     2.220446049250313e-16, 2, 1))
int_info = _structseq('int_info',
    ['bits_per_digit', 'sizeof_digit', 'default_max_str_digits', 'str_digits_check_threshold'],
    (30, 4, 4300, 640))
hash_info = _structseq('hash_info',
    ['width', 'modulus', 'inf', 'nan', 'imag', 'algorithm', 'hash_bits', 'seed_bits', 'cutoff'],
    (64, 2305843009213693951, 314159, 0, 1000003, 'siphash13', 64, 128, 0))
# The values `python3 script.py` shows (`python3 -i`: inspect and interactive are 1).
flags = _structseq('flags',
    ['debug', 'inspect', 'interactive', 'optimize', 'dont_write_bytecode', 'no_user_site',
     'no_site', 'ignore_environment', 'verbose', 'bytes_warning', 'quiet',
     'hash_randomization', 'isolated', 'dev_mode', 'utf8_mode', 'warn_default_encoding',
     'safe_path', 'int_max_str_digits'],
    (0, _inspect, _inspect, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, False, 0, 0, False, -1), False)

def _simple_namespace():
    running = set()

    class SimpleNamespace:
        """A simple attribute-based namespace."""
        __module__ = 'types'
        __qualname__ = 'SimpleNamespace'

        def __init__(self, /, *args, **kwargs):
            if args:
                raise TypeError("no positional arguments expected")
            self.__dict__.update(kwargs)

        def __repr__(self):
            name = 'namespace' if type(self) is SimpleNamespace else type(self).__name__
            key = id(self)
            if key in running:
                return name + '(...)'
            running.add(key)
            try:
                items = [f'{k}={v!r}' for k, v in self.__dict__.items() if isinstance(k, str)]
                return f"{name}({', '.join(items)})"
            finally:
                running.discard(key)

        def __eq__(self, other):
            if isinstance(self, SimpleNamespace) and isinstance(other, SimpleNamespace):
                return self.__dict__ == other.__dict__
            return NotImplemented

        __hash__ = None

        def __reduce__(self):
            return (type(self), (), self.__dict__)

    return SimpleNamespace

# A types.SimpleNamespace (the types module takes its class from here). cache_tag is None:
# aio writes no bytecode caches.
implementation = _simple_namespace()(name='aio', cache_tag=None, version=version_info,
                                     hexversion=hexversion)
stdlib_module_names = frozenset(builtin_module_names)
thread_info = _structseq('thread_info', ['name', 'lock', 'version'],
                         ('pthread', 'semaphore', _pthread_version), False)
# `get_asyncgen_hooks()` answers a struct sequence whose class CPython puts in builtins.
_asyncgen_hooks = type(_structseq('asyncgen_hooks', ['firstiter', 'finalizer'], (None, None),
                                  module='builtins'))

def get_asyncgen_hooks():
    return _asyncgen_hooks(_get_asyncgen_hooks())

abiflags = ''
api_version = 1013
platlibdir = 'lib'
pycache_prefix = None
# aio never writes bytecode files (the standard library is compiled into the binary).
dont_write_bytecode = True

def is_finalizing():
    return False

def getfilesystemencodeerrors():
    return 'surrogateescape'

_switch_interval = 0.005

def getswitchinterval():
    return _switch_interval

def setswitchinterval(interval, /):
    global _switch_interval
    interval = float(interval)
    if interval <= 0:
        raise ValueError('switch interval must be strictly positive')
    _switch_interval = interval

_coroutine_origin_tracking_depth = 0

def get_coroutine_origin_tracking_depth():
    return _coroutine_origin_tracking_depth

def set_coroutine_origin_tracking_depth(depth):
    global _coroutine_origin_tracking_depth
    if depth < 0:
        raise ValueError('depth must be >= 0')
    _coroutine_origin_tracking_depth = depth

_audit_hooks = []

def addaudithook(hook):
    _audit_hooks.append(hook)

def audit(event, /, *args):
    # aio raises no audit events of its own; sys.audit() calls the hooks, as in CPython.
    if not isinstance(event, str):
        raise TypeError(f"expected str for argument 'event', not {type(event).__name__}")
    for hook in _audit_hooks:
        hook(event, args)

def call_tracing(func, args, /):
    if not isinstance(args, tuple):
        raise TypeError(f"call_tracing() argument 2 must be tuple, not {type(args).__name__}")
    return func(*args)
del _simple_namespace, _inspect, _no_new, _pthread_version

class _StdinLines:
    # What sys.stdin and sys.stdin.buffer share: iteration by readline().
    name = '<stdin>'
    closed = False
    def readlines(self, hint=-1):
        return list(self)
    def __iter__(self):
        return self
    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line
    def fileno(self):
        return 0
    def readable(self):
        return True
    def writable(self):
        return False

class _Stdin(_StdinLines):
    mode = 'r'
    encoding = 'utf-8'
    errors = 'strict'
    def readline(self, size=-1):
        return _stdin_readline()
    def read(self, size=-1):
        if size is None or size < 0:
            return _stdin_read()
        out = []
        n = 0
        while n < size:
            line = _stdin_readline()
            if not line:
                break
            out.append(line)
            n += len(line)
        s = ''.join(out)
        return s[:size]
    def isatty(self):
        return _isatty(0)
    def __repr__(self):
        return "<_io.TextIOWrapper name='<stdin>' mode='r' encoding='utf-8'>"

class _StdinBuffer(_StdinLines):
    mode = 'rb'
    def read(self, size=-1):
        return _stdin_bytes(-1 if size is None else size)
    def read1(self, size=-1):
        return _stdin_bytes(-1 if size is None else size)
    def readline(self, size=-1):
        return _stdin_readline_bytes()
    def __repr__(self):
        return "<_io.BufferedReader name='<stdin>'>"

class _OutBuffer:
    mode = 'wb'
    closed = False
    def __init__(self, fd, name):
        self._fd = fd
        self.name = name
    def write(self, b):
        return _write_bytes(self._fd, b)
    def writelines(self, lines):
        for line in lines:
            _write_bytes(self._fd, line)
    def flush(self):
        (stdout if self._fd == 1 else stderr).flush()
    def fileno(self):
        return self._fd
    def readable(self):
        return False
    def writable(self):
        return True
    def __repr__(self):
        return "<_io.BufferedWriter name=" + repr(self.name) + ">"

stdin = _Stdin()
stdin.buffer = _StdinBuffer()
__stdin__ = stdin
del _Stdin, _structseq

def _stream_attrs(stream, name, fd):
    stream.name = name
    stream.mode = 'w'
    stream.encoding = 'utf-8'
    stream.errors = 'strict' if fd == 1 else 'backslashreplace'
    stream.closed = False
    stream.line_buffering = False
    stream.fileno = lambda: fd
    stream.isatty = lambda: _isatty(fd)
    stream.writable = lambda: True
    stream.readable = lambda: False
    stream.seekable = lambda: False
    def writelines(lines):
        for line in lines:
            stream.write(line)
    stream.writelines = writelines
    stream.buffer = _OutBuffer(fd, name)

_stream_attrs(stdout, '<stdout>', 1)
_stream_attrs(stderr, '<stderr>', 2)
__stdout__ = stdout
__stderr__ = stderr
del _stream_attrs, _StdinBuffer, _OutBuffer

def getdefaultencoding():
    return 'utf-8'

def getfilesystemencoding():
    return 'utf-8'
"#;

/// `_stdin_readline()`: the next line of standard input with its newline, `''` at the end.
fn stdin_readline(vm: &mut Vm, _a: Args) -> PyResult {
    vm.flush_stdout();
    let mut line = String::new();
    match std::io::stdin().read_line(&mut line) {
        Ok(_) => Ok(Value::str(line)),
        Err(e) => Err(vm.new_exception_msg(&vm.exc.os_error.clone(), e.to_string())),
    }
}

/// `_isatty(fd)`: whether standard input, output or error (0, 1, 2) is a terminal.
fn isatty(_vm: &mut Vm, a: Args) -> PyResult {
    use std::io::IsTerminal;
    Ok(Value::bool(match a.get(0) {
        Some(Value::Int(0)) => std::io::stdin().is_terminal(),
        Some(Value::Int(1)) => std::io::stdout().is_terminal(),
        Some(Value::Int(2)) => std::io::stderr().is_terminal(),
        _ => false,
    }))
}

/// `_write_bytes(fd, data)`: writes bytes to standard output (1) or error (2).
fn write_bytes(vm: &mut Vm, a: Args) -> PyResult {
    use std::io::Write;
    let data = match a.get(1).and_then(crate::module::bytes_of) {
        Some(d) => d,
        None => {
            let t = a.get(1).map(|v| vm.type_name(v)).unwrap_or_default();
            return Err(vm.new_type_error(format!("a bytes-like object is required, not '{t}'")));
        }
    };
    if matches!(a.get(0), Some(Value::Int(2))) {
        vm.flush_stdout();
        let _ = std::io::stderr().write_all(&data);
    } else {
        vm.write_stdout_checked(&data)?;
    }
    Ok(Value::Int(data.len() as i64))
}

/// `_stdin_bytes(n)`: up to `n` bytes of standard input (all that remain when `n < 0`).
fn stdin_bytes(vm: &mut Vm, a: Args) -> PyResult {
    use std::io::Read;
    vm.flush_stdout();
    let n = match a.get(0) {
        Some(Value::Int(n)) => *n,
        _ => -1,
    };
    let mut out = Vec::new();
    let mut stdin = std::io::stdin().lock();
    let r = if n < 0 {
        stdin.read_to_end(&mut out).map(|_| ())
    } else {
        stdin.take(n as u64).read_to_end(&mut out).map(|_| ())
    };
    r.map_err(|e| vm.new_exception_msg(&vm.exc.os_error.clone(), e.to_string()))?;
    Ok(crate::module::new_bytes(vm, out))
}

/// `_stdin_readline_bytes()`: the next line of standard input as bytes.
fn stdin_readline_bytes(vm: &mut Vm, _a: Args) -> PyResult {
    use std::io::BufRead;
    vm.flush_stdout();
    let mut out = Vec::new();
    std::io::stdin()
        .lock()
        .read_until(b'\n', &mut out)
        .map_err(|e| vm.new_exception_msg(&vm.exc.os_error.clone(), e.to_string()))?;
    Ok(crate::module::new_bytes(vm, out))
}

/// `_stdin_read()`: the rest of standard input.
fn stdin_read(vm: &mut Vm, _a: Args) -> PyResult {
    use std::io::Read;
    vm.flush_stdout();
    let mut s = String::new();
    match std::io::stdin().read_to_string(&mut s) {
        Ok(_) => Ok(Value::str(s)),
        Err(e) => Err(vm.new_exception_msg(&vm.exc.os_error.clone(), e.to_string())),
    }
}

fn make_stream(
    vm: &mut Vm,
    name: &str,
    write: crate::native::NativeFn,
    flush: crate::native::NativeFn,
) -> Value {
    let ns = vm.new_module(name);
    let g = vm.module_globals(&ns).expect("globals");
    let w = native_fn(vm, "write", None, write);
    vm.dict_set_str(&g, "write", w);
    let f = native_fn(vm, "flush", None, flush);
    vm.dict_set_str(&g, "flush", f);
    Value::Obj(ns)
}

fn stdout_write(vm: &mut Vm, a: Args) -> PyResult {
    let s = match a.get(0).and_then(|v| v.as_str()) {
        Some(s) => s.clone(),
        None => {
            return Err(vm.new_type_error(format!(
                "write() argument must be str, not {}",
                a.get(0).map(|v| vm.type_name(v)).unwrap_or_default()
            )))
        }
    };
    vm.write_stdout_checked(s.as_str().as_bytes())?;
    Ok(Value::Int(s.len() as i64))
}

fn stdout_flush(vm: &mut Vm, _a: Args) -> PyResult {
    vm.flush_stdout_checked()?;
    Ok(Value::None)
}

fn stderr_write(vm: &mut Vm, a: Args) -> PyResult {
    let s = match a.get(0).and_then(|v| v.as_str()) {
        Some(s) => s.clone(),
        None => return Err(vm.new_type_error("write() argument must be str")),
    };
    vm.flush_stdout();
    eprint!("{}", s.as_str());
    Ok(Value::Int(s.len() as i64))
}

fn stderr_flush(_vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::None)
}

fn exit(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "sys.exit")?;
    a.check_count(vm, "exit", 0, 1)?;
    let args: Vec<Value> = a.pos.to_vec();
    Err(super::exceptions::new_system_exit(vm, args))
}

/// `_getframe(depth=0)`: the running frame `depth` calls out, as a snapshot `frame` object
/// (see [`super::frame_object`]) whose `f_back` is the caller's (`None` at the outermost).
fn getframe(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "sys._getframe")?;
    a.check_count(vm, "sys._getframe", 0, 1)?;
    let depth = match a.get(0) {
        Some(v) => super::int::c_int_of(vm, v)? as i64,
        None => 0,
    };
    let top = vm.frames.len() as i64 - 1 - depth.max(0);
    if top < 0 {
        return Err(vm.new_value_error("call stack is not deep enough"));
    }
    let mut back = Value::None;
    for i in 0..=top as usize {
        let parts = super::frame_object::FrameParts::of(vm, &vm.frames[i]);
        back = parts.into_frame(vm, back);
    }
    Ok(back)
}

/// `get_int_max_str_digits()`: the limit on decimal digits of int/str conversions.
fn get_int_max_str_digits(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "sys.get_int_max_str_digits")?;
    a.check_count(vm, "sys.get_int_max_str_digits", 0, 0)?;
    Ok(Value::Int(crate::format::int_max_str_digits() as i64))
}

/// `set_int_max_str_digits(maxdigits)`: 0 (no limit) or at least 640.
fn set_int_max_str_digits(vm: &mut Vm, a: Args) -> PyResult {
    if a.len() > 1 {
        return Err(vm.new_type_error(format!(
            "set_int_max_str_digits() takes at most 1 argument ({} given)",
            a.len()
        )));
    }
    let Some(n) = a.arg(0, "maxdigits") else {
        return Err(vm.new_type_error(
            "set_int_max_str_digits() missing required argument 'maxdigits' (pos 1)",
        ));
    };
    a.check_kwargs(vm, "set_int_max_str_digits", &["maxdigits"])?;
    let n = i64::from(super::int::c_int_of(vm, n)?);
    let threshold = crate::format::INT_STR_DIGITS_THRESHOLD as i64;
    if n != 0 && n < threshold {
        return Err(vm.new_value_error(format!("maxdigits must be 0 or larger than {threshold}")));
    }
    crate::format::set_int_max_str_digits(n as usize);
    Ok(Value::None)
}

fn getrecursionlimit(vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::Int(vm.recursion_limit as i64))
}

fn setrecursionlimit(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "setrecursionlimit", 1, 1)?;
    let n = super::int::c_int_of(vm, &a.pos[0])?;
    if n < 1 {
        return Err(vm.new_value_error("recursion limit must be greater or equal than 1"));
    }
    vm.recursion_limit = n as usize;
    Ok(Value::None)
}

fn exc_info(vm: &mut Vm, _a: Args) -> PyResult {
    match vm.handled_exception() {
        Some(e) => {
            let cls = Value::Obj(vm.class_of(&e).clone());
            let tb = vm.traceback_value(&e);
            Ok(vm.new_tuple(vec![cls, e, tb]))
        }
        None => Ok(vm.new_tuple(vec![Value::None, Value::None, Value::None])),
    }
}

/// `sys.excepthook(type, value, traceback)`: writes the exception's traceback to
/// `sys.stderr` (whatever the script made it: an `io.StringIO` captures it, `None` drops
/// it), as the interpreter reports an uncaught exception.
fn excepthook(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "excepthook")?;
    a.check_count(vm, "excepthook", 3, 3)?;
    let report = match &a.pos[1] {
        Value::Obj(e) if vm.exc_data(e).is_some() => vm.format_exception(e),
        v => format!(
            "TypeError: print_exception(): Exception expected for value, {} found\n",
            vm.type_name(v)
        ),
    };
    let Some(sys) = vm.sys_stdout.as_ref().map(|(sys, _)| sys.clone()) else {
        vm.flush_stdout();
        eprint!("{report}");
        return Ok(Value::None);
    };
    let key = vm.intern("stderr");
    match vm.dict_get_str(&sys, &key) {
        None | Some(Value::None) => {}
        Some(stderr) => {
            let write = vm.intern("write");
            let write = vm.get_attr(&stderr, &write)?;
            vm.call(&write, &[Value::str(report.as_str())], &[])?;
        }
    }
    Ok(Value::None)
}

fn exception(vm: &mut Vm, _a: Args) -> PyResult {
    Ok(vm.handled_exception().unwrap_or(Value::None))
}

/// `sys.intern(string)`: the VM's one shared string object for the text, so interned
/// strings compare by identity (pickle's memo shares module names through it, as CPython's).
fn intern(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "sys.intern")?;
    a.check_count(vm, "sys.intern", 1, 1)?;
    match &a.pos[0] {
        Value::Str(s) => Ok(Value::Str(vm.intern(s.as_str()))),
        v => {
            let msg = if vm.isinstance(v, &vm.types.str) {
                format!("can't intern {}", vm.type_name(v))
            } else {
                let t = crate::module::arg_type_name(vm, v);
                format!("intern() argument must be str, not {t}")
            };
            Err(vm.new_type_error(msg))
        }
    }
}

fn getsizeof(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int(match &a.pos[0] {
        Value::Obj(_) => 64,
        _ => 28,
    }))
}

/// `sys.set_asyncgen_hooks(firstiter=..., finalizer=...)`: an omitted hook keeps its value;
/// each must be callable or `None`.
fn set_asyncgen_hooks(vm: &mut Vm, a: Args) -> PyResult {
    let mut hooks = vm.asyncgen_hooks.clone();
    let names = ["firstiter", "finalizer"];
    if a.pos.len() > 2 {
        return Err(vm.new_type_error(format!(
            "set_asyncgen_hooks() takes at most 2 arguments ({} given)",
            a.pos.len()
        )));
    }
    let mut given: Vec<(&str, Value)> = a
        .pos
        .iter()
        .cloned()
        .zip(names)
        .map(|(v, n)| (n, v))
        .collect();
    for (k, v) in a.kw {
        match names.iter().find(|n| **n == k.as_str()) {
            Some(n) => given.push((n, v.clone())),
            None => {
                return Err(vm.new_type_error(format!(
                    "set_asyncgen_hooks() got an unexpected keyword argument '{}'",
                    k.as_str()
                )))
            }
        }
    }
    for (name, v) in given {
        if !v.is_none() && !super::functions::is_callable(vm, &v) {
            return Err(vm.new_type_error(format!(
                "callable {name} expected, got {}",
                vm.type_name(&v)
            )));
        }
        if name == "firstiter" {
            hooks.0 = v;
        } else {
            hooks.1 = v;
        }
    }
    vm.asyncgen_hooks = hooks;
    Ok(Value::None)
}

/// `sys._get_asyncgen_hooks()`: `(firstiter, finalizer)`, which `sys.get_asyncgen_hooks()`
/// (in `SYS_AIO`) makes a struct sequence of.
fn get_asyncgen_hooks(vm: &mut Vm, _a: Args) -> PyResult {
    let (f, g) = vm.asyncgen_hooks.clone();
    Ok(vm.new_tuple(vec![f, g]))
}
