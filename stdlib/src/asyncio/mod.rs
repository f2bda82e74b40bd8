//! The `asyncio` module. Its Python-visible API (event loop, `Future`, `Task`, `gather`,
//! locks, queues, ...) is written in aio in `prelude/` and follows CPython 3.11's semantics
//! rule by rule (`ASYNCIO-SEMANTICS.md`); the natives here give it a clock and the one place
//! where the loop blocks: a `mio::Poll` wait with the timeout of the next timer, so an idle
//! loop sleeps in the kernel and never busy-waits.

mod attr;
mod context;
mod future_iter;
mod host;
mod layout;
mod natives;
mod net;
mod primitives;
mod run_once;
mod schedule;
mod sigint;
mod signatures;
mod sleep0;
mod step;
pub mod threads;
mod timers;
mod weakset;
mod workers;

pub use host::HostLoop;
pub use sigint::{prepare_signal_wakeup, wake_from_signal};

use aio_vm::builtins::module_native;
use aio_vm::native::Args;
use aio_vm::native::NativeImpl;
use aio_vm::value::Bool;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;
use std::time::Duration;

/// The prelude, in loading order: each file uses only names defined before it.
const PRELUDE: &[crate::source::Source] = &[
    (
        "asyncio/exceptions.aio",
        include_str!("prelude/exceptions.aio"),
    ),
    ("asyncio/events.aio", include_str!("prelude/events.aio")),
    ("asyncio/futures.aio", include_str!("prelude/futures.aio")),
    ("asyncio/tasks.aio", include_str!("prelude/tasks.aio")),
    ("asyncio/locks.aio", include_str!("prelude/locks.aio")),
    ("asyncio/queues.aio", include_str!("prelude/queues.aio")),
    (
        "asyncio/taskgroups.aio",
        include_str!("prelude/taskgroups.aio"),
    ),
    (
        "asyncio/protocols.aio",
        include_str!("prelude/protocols.aio"),
    ),
    ("asyncio/streams.aio", include_str!("prelude/streams.aio")),
    ("asyncio/sendfile.aio", include_str!("prelude/sendfile.aio")),
    (
        "asyncio/subprocess.aio",
        include_str!("prelude/subprocess.aio"),
    ),
    ("asyncio/runners.aio", include_str!("prelude/runners.aio")),
    ("asyncio/origins.aio", include_str!("prelude/origins.aio")),
    ("asyncio/names.aio", include_str!("prelude/names.aio")),
];

/// After a host limit stopped a run: `asyncio._reset_after_limit()`, which releases the loop
/// that was running (see `Vm::on_limit_reset`).
fn reset_after_limit(vm: &mut Vm) {
    let key = vm.intern("asyncio");
    let Some(module) = vm.dict_get_str(&vm.modules.clone(), &key) else {
        return;
    };
    if let Ok(f) = aio_vm::module::getattr(vm, &module, "_reset_after_limit") {
        let _ = vm.call(&f, &[], &[]);
    }
}

/// Registers `asyncio` (and its submodules) with `vm`.
pub fn install(vm: &mut Vm) {
    vm.register_module("asyncio", init);
    for sub in SUBMODULES {
        vm.register_module(&format!("asyncio.{sub}"), init_submodule);
    }
}

/// The modules CPython's `asyncio` package is made of (`asyncio.tasks`, ...). aio's
/// `asyncio` is one namespace; each submodule answers for its names from it.
const SUBMODULES: [&str; 24] = [
    "base_events",
    "base_futures",
    "base_tasks",
    "constants",
    "coroutines",
    "events",
    "exceptions",
    "format_helpers",
    "futures",
    "locks",
    "log",
    "mixins",
    "protocols",
    "queues",
    "runners",
    "selector_events",
    "streams",
    "subprocess",
    "taskgroups",
    "tasks",
    "threads",
    "timeouts",
    "transports",
    "unix_events",
];

/// A submodule (`asyncio.tasks`): its module `__getattr__` (PEP 562) reads the name from
/// `asyncio`, so `asyncio.tasks.Task` and `from asyncio.events import AbstractEventLoop`
/// find what CPython's submodules define (and `asyncio.tasks._current_tasks` is the
/// dict the tasks use).
fn init_submodule(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("a module has globals");
    let key = vm.intern("__name__");
    let name = vm.dict_get_str(&g, &key).unwrap_or(Value::None);
    let name = name
        .as_str()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    let getattr = aio_vm::builtins::native_closure(
        vm,
        "__getattr__",
        None,
        std::rc::Rc::new(move |vm: &mut Vm, a: Args| {
            a.check_count(vm, "__getattr__", 1, 1)?;
            let Some(attr) = a.pos[0].as_str().cloned() else {
                return Err(vm.new_type_error("attribute name must be string"));
            };
            let asyncio = vm.import_module("asyncio")?;
            if name == "asyncio.log" && attr.as_str() == "logger" {
                // `asyncio.log.logger`, made (importing `logging`) when first asked for.
                let logger = aio_vm::module::getattr(vm, &asyncio, "_logger")?;
                return vm.call(&logger, &[], &[]);
            }
            match aio_vm::module::getattr(vm, &asyncio, attr.as_str()) {
                Err(e) if vm.is_instance_of(&e, &vm.exc.attribute_error.clone()) => {
                    let msg = format!("module '{name}' has no attribute '{}'", attr.as_str());
                    Err(vm.new_attribute_error(msg))
                }
                r => r,
            }
        }),
    );
    vm.dict_set_str(&g, "__getattr__", getattr);
    Ok(())
}

/// `_thread_ident()`: the running (green) thread's number, `_thread.get_ident()`'s, which
/// the native `get_running_loop` compares with the loop's; here too for hosts whose VM has
/// no `_thread` module.
fn thread_ident(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_thread_ident", 0, 0)?;
    Ok(Value::Int(vm.thread_ident() as i64))
}

fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    vm.on_limit_reset(reset_after_limit);
    let g = vm.module_globals(m).expect("a module has globals");
    for (name, f) in [
        ("_monotonic", monotonic as aio_vm::native::NativeFn),
        ("_select", select),
        ("_format_exception", format_exception),
        ("_listen", net::listen),
        ("_connect", net::connect),
        ("_connect_result", net::connect_result),
        ("_accept", net::accept),
        ("_recv", net::recv),
        ("_send", net::send),
        ("_shutdown_write", net::shutdown_write),
        ("_set_nodelay", net::set_nodelay),
        ("_close", net::close),
        ("_watch", net::watch),
        ("_sockname", net::sockname),
        ("_peername", net::peername),
        ("_sockinfo", net::sockinfo),
        ("_adopt", net::adopt),
        ("_udp_open", net::udp_open),
        ("_recvfrom", net::recvfrom),
        ("_sendto", net::sendto),
        ("_suspended_at", suspended_at),
        ("_creation_site", creation_site),
        ("_env_flag", env_flag),
        ("_thread_ident", thread_ident),
        ("_c_method", signatures::c_method),
        ("_submit", threads::submit),
        ("_completions", threads::completions),
        ("_sigint_install", sigint::install),
        ("_sigint_restore", sigint::restore),
        ("_sigint_pending", sigint::pending),
        ("_signals_watched", sigint::set_signals_watched),
        ("_c_type_names", crate::c_type_names::c_type_names),
    ] {
        let f = module_native(vm, "asyncio", name, NativeImpl::Fn(f));
        vm.dict_set_str(&g, name, f);
    }
    weakset::define(&mut aio_vm::module::ModuleBuilder::new(vm, m));
    let steps = step::define(vm, &g);
    timers::define(vm, &g);
    run_once::define(vm, &g, steps.clone());
    schedule::define(vm, &g);
    primitives::define(vm, &g, steps);
    // CPython's futures are C code (`_asyncio`): their frames never show (the task step,
    // the wakeup and `get_running_loop` are natives here, without frames). `_host_job` is
    // the script half of `threads::new_future`, which a native async function calls: a
    // script sees a native call, so no asyncio frame either (outside a running loop it
    // shows only the caller's frames and `RuntimeError: no running event loop`).
    for hidden in ["asyncio/futures.aio", "asyncio/events.aio::_host_job"] {
        vm.hidden_sources.insert(hidden.to_string());
    }
    crate::source::run(vm, m, PRELUDE)?;
    // As CPython's `asyncio/__init__.py` imports them: `asyncio.events` without an import.
    for sub in SUBMODULES {
        let module = vm.import_module(&format!("asyncio.{sub}"))?;
        vm.dict_set_str(&g, sub, module);
    }
    Ok(())
}

thread_local! {
    /// The poller the loop blocks in and the sockets registered with it (one per thread).
    static IO: RefCell<Option<Io>> = const { RefCell::new(None) };
}

/// The loop's I/O state: the mio poller, its event buffer and the sockets.
struct Io {
    poll: mio::Poll,
    events: mio::Events,
    sockets: net::Sockets,
    /// The poller's one waker (mio allows a single `Waker` per `Poll`), shared by the
    /// SIGINT handler and the cross-thread inbox; its events carry [`WAKER_TOKEN`].
    waker: Option<std::sync::Arc<mio::Waker>>,
}

/// The token of the loop waker's events (never a socket id).
pub(crate) const WAKER_TOKEN: mio::Token = mio::Token(usize::MAX);

/// The waker of this thread's poller, created on first use.
fn loop_waker() -> std::io::Result<std::sync::Arc<mio::Waker>> {
    with_io(|io| {
        if let Some(w) = &io.waker {
            return Ok(w.clone());
        }
        let w = std::sync::Arc::new(mio::Waker::new(io.poll.registry(), WAKER_TOKEN)?);
        io.waker = Some(w.clone());
        Ok(w)
    })
}

fn with_io<R>(f: impl FnOnce(&mut Io) -> R) -> R {
    IO.with(|io| {
        let mut slot = io.borrow_mut();
        if slot.is_none() {
            *slot = Some(Io {
                poll: mio::Poll::new().expect("the OS provides epoll"),
                events: mio::Events::with_capacity(256),
                sockets: net::Sockets::default(),
                waker: None,
            });
        }
        f(slot.as_mut().expect("created above"))
    })
}

fn with_sockets<R>(f: impl FnOnce(&mut net::Sockets) -> R) -> R {
    with_io(|io| f(&mut io.sockets))
}

fn with_poll_and_sockets<R>(f: impl FnOnce(&mut mio::Poll, &mut net::Sockets) -> R) -> R {
    with_io(|io| f(&mut io.poll, &mut io.sockets))
}

/// `_monotonic()`: seconds as a float (`loop.time()`).
fn monotonic(_vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::float(now()))
}

/// The loop's clock: `time.monotonic()`, as CPython's `BaseEventLoop.time()`.
pub(super) fn now() -> f64 {
    crate::time::monotonic()
}

/// `_format_exception(exc)`: the traceback report CPython prints for `exc`.
fn format_exception(vm: &mut Vm, a: Args) -> PyResult {
    match a.pos.first() {
        Some(Value::Obj(e)) => {
            let e = e.clone();
            Ok(Value::str(vm.format_exception(&e)))
        }
        _ => Ok(Value::str("")),
    }
}

/// `_suspended_at(coro)`: `[(file, line, function), ...]` along the await chain.
fn suspended_at(vm: &mut Vm, a: Args) -> PyResult {
    let coro = a.pos.first().cloned().unwrap_or(Value::None);
    let frames = vm.suspended_at(&coro);
    Ok(frame_list(vm, frames))
}

/// `_creation_site()`: `(file, line, function, source line)` of the innermost script frame outside
/// asyncio — where a task or future is being created — or `None`.
fn creation_site(vm: &mut Vm, _a: Args) -> PyResult {
    Ok(creation_site_value(vm))
}

/// What `_creation_site()` returns.
/// The strings are interned: every task created at the same line shares them (a program
/// that creates 100,000 tasks in a loop keeps one copy of the file name and source line).
pub(super) fn creation_site_value(vm: &mut Vm) -> Value {
    match vm.caller_outside("asyncio/") {
        Some(site) => {
            let items = vec![
                Value::Str(vm.intern(&site.file)),
                Value::Int(site.line as i64),
                Value::Str(vm.intern(&site.name)),
                Value::Str(vm.intern(&site.text)),
            ];
            vm.new_tuple(items)
        }
        None => Value::None,
    }
}

/// `_env_flag(name)`: whether the environment variable `name` is set to a non-empty value
/// (`AIO_ASYNCIO_DEBUG=1` turns debug mode on, as `PYTHONASYNCIODEBUG` does in CPython).
fn env_flag(_vm: &mut Vm, a: Args) -> PyResult {
    let name = a
        .pos
        .first()
        .and_then(|v| v.as_str())
        .map(|s| s.as_str().to_string());
    let set = name.is_some_and(|n| std::env::var_os(n).is_some_and(|v| !v.is_empty()));
    Ok(Value::bool(set))
}

/// `(file, line, function)` triples as a list of tuples.
fn frame_list(vm: &mut Vm, frames: Vec<(String, u32, String)>) -> Value {
    let items = frames
        .into_iter()
        .map(|(file, line, name)| {
            vm.new_tuple(vec![
                Value::str(file),
                Value::Int(line as i64),
                Value::str(name),
            ])
        })
        .collect();
    vm.new_list(items)
}

/// `_select(timeout)`: waits for socket readiness or until `timeout` seconds have passed
/// (`None`: no timer is pending), and returns the ready sockets as `(id, readable,
/// writable)` tuples. With no timer and no socket that could ever wake it, it returns
/// `False` instead of blocking forever, so the loop can report the deadlock.
fn select(vm: &mut Vm, a: Args) -> PyResult {
    let timeout = match a.pos.first() {
        None | Some(Value::None) => None,
        Some(Value::Float(f)) => Some(f.get()),
        Some(Value::Int(i)) => Some(*i as f64),
        Some(other) => {
            return Err(vm.new_type_error(format!(
                "timeout must be a number, not {}",
                vm.type_name(other)
            )))
        }
    };
    let Some(ready) = poll_ready(vm, timeout)? else {
        return Ok(Value::Bool(Bool::FALSE));
    };
    let items = ready
        .into_iter()
        .map(|(id, r, w)| vm.new_tuple(vec![Value::Int(id as i64), Value::bool(r), Value::bool(w)]))
        .collect();
    Ok(vm.new_list(items))
}

/// What `_select(timeout)` does, for natives: the ready sockets as `(id, readable,
/// writable)`, or `None` when there is no timeout and nothing could ever wake the loop.
pub(super) fn poll_ready(
    vm: &mut Vm,
    timeout: Option<f64>,
) -> PyResult<Option<Vec<(usize, bool, bool)>>> {
    if timeout.is_none()
        && !net::any_watched()
        && !threads::jobs_in_flight()
        && !sigint::signals_watched()
    {
        return Ok(None);
    }
    let mut timeout =
        timeout.map(|t| Duration::from_secs_f64(if t > 0.0 { t.min(86400.0) } else { 0.0 }));
    if net::any_hot() {
        timeout = Some(Duration::ZERO);
    }
    if timeout == Some(Duration::ZERO) && !net::any_watched() {
        // Nothing to poll for: a loop switching tasks makes no system call (work from
        // other threads is in the inbox, which `_run_once` drains regardless).
        vm.check_wait_interrupted()?;
        return Ok(Some(Vec::new()));
    }
    if timeout != Some(Duration::ZERO) {
        // A wait ends at the run's time limit, and when the host interrupts the VM.
        if let Some(deadline) = vm.wait_deadline() {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            timeout = Some(timeout.map_or(left, |t| t.min(left)));
        }
        // Ctrl-C (a SIGINT handler that `wake_from_signal`s) wakes the wait too.
        sigint::prepare_signal_wakeup();
        if let Ok(waker) = loop_waker() {
            vm.add_wake_hook(
                "asyncio",
                std::sync::Arc::new(move || {
                    let _ = waker.wake();
                }),
            );
        }
    }
    let ready = with_io(|io| -> std::io::Result<Vec<net::Edge>> {
        match io.poll.poll(&mut io.events, timeout) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => return Ok(Vec::new()),
            other => other?,
        }
        Ok(io
            .events
            .iter()
            .filter(|e| e.token() != WAKER_TOKEN)
            .map(|e| {
                let readable = e.is_readable() || e.is_read_closed() || e.is_error();
                let writable = e.is_writable() || e.is_write_closed() || e.is_error();
                (e.token().0, readable, writable, e.is_read_closed())
            })
            .collect())
    });
    let ready = ready
        .map(|edges| Some(net::level_events(edges)))
        .map_err(|e| vm.new_runtime_error(format!("event loop poll failed: {e}")))?;
    vm.check_wait_interrupted()?;
    Ok(ready)
}
