//! `_thread`, native: locks and green threads (the VM's `threads.rs`), under `threading`
//! and `queue`. CPython's threads run in parallel and switch every 5 ms; aio's take turns
//! on one OS thread, switching when one blocks (a lock, `time.sleep`) or has run for 5 ms
//! in a loop. A lock is a flag: the thread that finds it taken waits (parks) until a poll
//! finds it free.

use aio_vm::module::{native_state, new_native_instance, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

mod rlock;

/// `_thread.TIMEOUT_MAX` on this platform.
const TIMEOUT_MAX: f64 = 9223372036.0;

/// A lock's state: taken or not.
type LockState = Cell<bool>;

thread_local! {
    /// `_thread.lock`, made with the module (locks are made by `allocate_lock`).
    static LOCK_CLASS: RefCell<Option<Obj>> = const { RefCell::new(None) };
}

/// Initialises `_thread`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let cls = crate::native_class::native_class(vm, "_thread", "lock");
    aio_vm::module::ClassBuilder::new(vm, &cls)
        .method("acquire", acquire)
        .method("acquire_lock", acquire)
        .method("__enter__", acquire)
        .method("release", release)
        .method("release_lock", release)
        .method("__exit__", exit)
        .method("locked", locked)
        .method("locked_lock", locked)
        .method("_at_fork_reinit", at_fork_reinit)
        .method("__repr__", repr);
    LOCK_CLASS.with(|c| *c.borrow_mut() = Some(cls.clone()));
    let rlock = rlock::install(vm);
    let error = vm.exc.runtime_error.clone();
    let mut b = ModuleBuilder::new(vm, m);
    b.function("allocate_lock", allocate_lock)
        .function("allocate", allocate_lock)
        .function("start_new_thread", start_new_thread)
        .function("start_new", start_new_thread)
        .function("get_ident", get_ident)
        .function("get_native_id", get_ident)
        .function("_count", count)
        .function("_set_sentinel", set_sentinel)
        .function("stack_size", stack_size)
        .function("interrupt_main", interrupt_main)
        .function("exit", exit_thread)
        .function("exit_thread", exit_thread)
        .constant("LockType", Value::Obj(cls))
        .constant("RLock", Value::Obj(rlock))
        .constant("error", Value::Obj(error))
        .constant("TIMEOUT_MAX", Value::float(TIMEOUT_MAX));
    Ok(())
}

/// A new, unlocked lock.
pub fn new_lock(vm: &mut Vm) -> Value {
    let cls = LOCK_CLASS
        .with(|c| c.borrow().clone())
        .expect("_thread is initialised before a lock is made");
    new_native_instance(vm, &cls, LockState::new(false))
}

fn state<'a>(vm: &mut Vm, v: &'a Value) -> PyResult<&'a RefCell<LockState>> {
    native_state::<LockState>(v).ok_or_else(|| vm.new_type_error("a _thread.lock is required"))
}

fn allocate_lock(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "allocate_lock", 0, 0)?;
    Ok(new_lock(vm))
}

/// `acquire(blocking=True, timeout=-1)` (also `__enter__`, which passes no arguments).
fn acquire(vm: &mut Vm, a: Args) -> PyResult {
    let lock = a.pos[0].clone();
    let (blocking, deadline) = acquire_args(vm, &a)?;
    let st = state(vm, &lock)?;
    if !st.borrow().get() {
        st.borrow().set(true);
        return Ok(Value::bool(true));
    }
    if !blocking || deadline == Some(None) {
        return Ok(Value::bool(false));
    }
    vm.flush_stdout();
    vm.block_thread(deadline.flatten(), move |_vm, timed_out| {
        let st = native_state::<LockState>(&lock)?;
        if !st.borrow().get() {
            st.borrow().set(true);
            Some(Ok(Value::bool(true)))
        } else if timed_out {
            Some(Ok(Value::bool(false)))
        } else {
            None
        }
    })
}

/// Parses `acquire`'s `(blocking=True, timeout=-1)` as CPython's
/// `lock_acquire_parse_args`: whether to block, and the deadline (`None`: no timeout;
/// `Some(None)`: a zero timeout, which does not wait).
fn acquire_args(vm: &mut Vm, a: &Args) -> PyResult<(bool, Option<Option<Instant>>)> {
    a.check_kwargs(vm, "acquire", &["blocking", "timeout"])?;
    if a.pos.len() > 3 {
        return Err(vm.new_type_error(format!(
            "acquire() takes at most 2 arguments ({} given)",
            a.pos.len() - 1
        )));
    }
    let blocking = match a.arg(1, "blocking") {
        Some(v) => aio_vm::module::to_index_i64(vm, v)? != 0,
        None => true,
    };
    let timeout_ns = match a.arg(2, "timeout") {
        Some(v) => crate::time::seconds_ns(vm, v)?,
        None => -1_000_000_000,
    };
    let unset = timeout_ns == -1_000_000_000;
    if !blocking && !unset {
        return Err(vm.new_value_error("can't specify a timeout for a non-blocking call"));
    }
    if timeout_ns < 0 && !unset {
        return Err(vm.new_value_error("timeout value must be positive"));
    }
    if unset {
        return Ok((blocking, None));
    }
    if timeout_ns as f64 / 1e9 > TIMEOUT_MAX {
        return Err(vm.new_overflow_error("timeout value is too large"));
    }
    if timeout_ns == 0 {
        return Ok((blocking, Some(None)));
    }
    Ok((
        blocking,
        Some(Some(
            Instant::now() + Duration::from_nanos(timeout_ns as u64),
        )),
    ))
}

fn release(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "release", 0, 0)?;
    unlock(vm, &a.pos[0])
}

/// `__exit__(*exc_info)`: releases the lock.
fn exit(vm: &mut Vm, a: Args) -> PyResult {
    unlock(vm, &a.pos[0])
}

fn unlock(vm: &mut Vm, lock: &Value) -> PyResult {
    let st = state(vm, lock)?;
    if !st.borrow().get() {
        return Err(vm.new_runtime_error("release unlocked lock"));
    }
    st.borrow().set(false);
    Ok(Value::None)
}

fn locked(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "locked", 0, 0)?;
    let st = state(vm, &a.pos[0])?;
    let taken = st.borrow().get();
    Ok(Value::bool(taken))
}

fn at_fork_reinit(vm: &mut Vm, a: Args) -> PyResult {
    state(vm, &a.pos[0])?.borrow().set(false);
    Ok(Value::None)
}

fn repr(vm: &mut Vm, a: Args) -> PyResult {
    let taken = state(vm, &a.pos[0])?.borrow().get();
    let word = if taken { "locked" } else { "unlocked" };
    Ok(Value::str(format!(
        "<{word} _thread.lock object at {:#x}>",
        a.pos[0].id()
    )))
}

/// `start_new_thread(function, args, kwargs=None)`.
fn start_new_thread(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "start_new_thread")?;
    a.check_count(vm, "start_new_thread", 2, 3)?;
    let func = a.pos[0].clone();
    if !aio_vm::builtins::is_callable(vm, &func) {
        return Err(vm.new_type_error("first arg must be callable"));
    }
    let args = match a.pos[1].payload() {
        Some(Payload::Tuple(t)) => t.to_vec(),
        _ => return Err(vm.new_type_error("2nd arg must be a tuple")),
    };
    let mut kwargs = Vec::new();
    if let Some(kw) = a.pos.get(2) {
        match kw.payload() {
            Some(Payload::Dict(d)) => {
                for e in d.borrow().iter() {
                    let Some(k) = e.key.as_str() else {
                        return Err(vm.new_type_error("keywords must be strings"));
                    };
                    kwargs.push((k.clone(), e.value.clone()));
                }
            }
            _ => return Err(vm.new_type_error("optional 3rd arg must be a dictionary")),
        }
    }
    let id = vm.start_thread(func, args, kwargs);
    Ok(Value::Int(id as i64))
}

fn get_ident(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "get_ident", 0, 0)?;
    Ok(Value::Int(vm.thread_ident() as i64))
}

fn count(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_count", 0, 0)?;
    Ok(Value::Int(vm.thread_count() as i64))
}

/// `_set_sentinel()`: a lock that is released (if taken) when the running thread ends
/// (`threading` takes it at once, and `Thread.join` waits for it).
fn set_sentinel(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_set_sentinel", 0, 0)?;
    let lock = new_lock(vm);
    let held = lock.clone();
    let release = aio_vm::builtins::native_closure(
        vm,
        "release_sentinel",
        None,
        std::rc::Rc::new(move |_vm: &mut Vm, _a: Args<'_>| {
            if let Some(st) = native_state::<LockState>(&held) {
                st.borrow().set(false);
            }
            Ok(Value::None)
        }),
    );
    vm.at_thread_exit(release);
    Ok(lock)
}

/// `stack_size([size])`: threads have no stacks of their own here; 0 is the default.
fn stack_size(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "stack_size", 0, 1)?;
    if let Some(v) = a.pos.first() {
        let n = aio_vm::module::to_index_i64(vm, v)?;
        if n != 0 && n < 32768 {
            return Err(vm.new_value_error("size not valid: 32768 bytes"));
        }
    }
    Ok(Value::Int(0))
}

/// `interrupt_main()`: `KeyboardInterrupt` in the main thread at its next step.
fn interrupt_main(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "interrupt_main", 0, 1)?;
    vm.interrupt
        .store(true, std::sync::atomic::Ordering::SeqCst);
    Ok(Value::None)
}

fn exit_thread(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "exit", 0, 0)?;
    let cls = vm.exc.system_exit.clone();
    Err(vm.new_exception(&cls, Vec::new()))
}
