//! The `asyncio` module. Its Python-visible API (event loop, `Future`, `Task`, `gather`,
//! locks, queues, ...) is written in aio in `prelude/` and follows CPython 3.11's semantics
//! rule by rule (`ASYNCIO-SEMANTICS.md`); the natives here give it a clock and the one place
//! where the loop blocks: a `mio::Poll` wait with the timeout of the next timer, so an idle
//! loop sleeps in the kernel and never busy-waits.

use aio_vm::builtins::native_fn;
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;
use std::time::{Duration, Instant};

/// The prelude, in loading order: each file uses only names defined before it.
const PRELUDE: &[(&str, &str)] = &[
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
    ("asyncio/runners.aio", include_str!("prelude/runners.aio")),
];

/// Registers `asyncio` with `vm`.
pub fn install(vm: &mut Vm) {
    vm.register_module("asyncio", init);
}

fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("a module has globals");
    for (name, f) in [
        ("_monotonic", monotonic as aio_vm::native::NativeFn),
        ("_select", select),
        ("_format_exception", format_exception),
    ] {
        let f = native_fn(vm, name, Some("asyncio"), f);
        vm.dict_set_str(&g, name, f);
    }
    for (file, source) in PRELUDE {
        vm.exec_source_in(source, file, &g)?;
    }
    Ok(())
}

thread_local! {
    /// The clock's origin: `loop.time()` counts seconds from the first use, like
    /// `time.monotonic()` counts from an unspecified point.
    static EPOCH: Instant = Instant::now();
    /// The poller the loop blocks in (created on first use, one per thread).
    static POLL: RefCell<Option<(mio::Poll, mio::Events)>> = const { RefCell::new(None) };
}

/// `_monotonic()`: seconds as a float (`loop.time()`).
fn monotonic(_vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::Float(EPOCH.with(|e| e.elapsed().as_secs_f64())))
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

/// `_select(timeout)`: waits for I/O readiness or until `timeout` seconds have passed
/// (`None`: no timer is pending). Returns the list of ready events (none yet: sockets arrive
/// with streams). With nothing that could ever wake it, it returns `False` instead of
/// blocking forever, so the loop can report the deadlock.
fn select(vm: &mut Vm, a: Args) -> PyResult {
    let timeout = match a.pos.first() {
        None | Some(Value::None) => return Ok(Value::Bool(false)),
        Some(Value::Float(f)) => *f,
        Some(Value::Int(i)) => *i as f64,
        Some(other) => {
            return Err(vm.new_type_error(format!(
                "timeout must be a number, not {}",
                vm.type_name(other)
            )))
        }
    };
    let timeout = Duration::from_secs_f64(timeout.clamp(0.0, 86400.0));
    let result = POLL.with(|p| -> std::io::Result<()> {
        let mut slot = p.borrow_mut();
        if slot.is_none() {
            *slot = Some((mio::Poll::new()?, mio::Events::with_capacity(256)));
        }
        let (poll, events) = slot.as_mut().expect("created above");
        match poll.poll(events, Some(timeout)) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Ok(()),
            other => other,
        }
    });
    if let Err(e) = result {
        return Err(vm.new_runtime_error(format!("event loop poll failed: {e}")));
    }
    Ok(vm.new_list(Vec::new()))
}
