//! `_signal`, the native half of `signal` (`lib/signal.aio` is CPython's `Lib/signal.py`
//! adapted): installing C handlers, the pending set they fill, and the dispatcher that runs
//! the script's handlers.
//!
//! A signal with a script handler gets `on_signal`, which (async-signal-safe) marks the
//! signal pending, writes its number to the `set_wakeup_fd` descriptor, sets the VM's
//! interrupt flag and wakes an event loop's poll. At the running code's next step or wait the
//! VM takes the interrupt and calls the dispatcher ([`aio_vm::Vm::set_signal_hook`]), which
//! calls each pending signal's handler with `(signum, None)` (CPython passes the
//! interrupted frame). An exception from a handler is raised where the code was
//! interrupted, as in CPython.

use crate::fs::{last_errno as errno, os_error};
use crate::process::int_arg;
use aio_vm::module::{to_f64, to_index_i64, ModuleBuilder};
use aio_vm::native::{Args, NativeFn};
use aio_vm::{Obj, PyResult, Value, Vm};
use std::ffi::CStr;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

/// `NSIG` on Linux: signals are 1 to 64.
const NSIG: i64 = 65;

/// The signals caught and not yet dispatched (bit `n` for signal `n`).
static PENDING: AtomicU64 = AtomicU64::new(0);
/// The interrupt flag of the VM that imported `signal` (one per process, as CPython's).
static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
/// `set_wakeup_fd`'s descriptor, or -1.
static WAKEUP_FD: AtomicI32 = AtomicI32::new(-1);
/// Whether SIGINT has a handler other than `default_int_handler` (asyncio's runner then
/// leaves SIGINT alone, as CPython's does).
static SIGINT_CUSTOM: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(signum: libc::c_int) {
    // Async-signal-safe: atomics, write(2) and an eventfd write.
    PENDING.fetch_or(1u64 << (signum as u64 & 63), Ordering::SeqCst);
    let fd = WAKEUP_FD.load(Ordering::SeqCst);
    if fd >= 0 {
        let b = signum as u8;
        // SAFETY: writes one byte from a valid local.
        unsafe { libc::write(fd, (&b as *const u8).cast(), 1) };
    }
    if let Some(flag) = FLAG.get() {
        flag.store(true, Ordering::SeqCst);
    }
    crate::asyncio::wake_from_signal();
}

/// Blocks the asynchronous signals for the calling thread (the faults stay deliverable where
/// they happen), so that a signal sent to the process reaches the thread that runs the VM:
/// the `aio` binary's main thread calls it, and so do the worker threads asyncio starts.
pub fn block_async_signals() {
    // SAFETY: fills a local sigset and changes the calling thread's mask only.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        for sync in [libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE, libc::SIGILL] {
            libc::sigdelset(&mut set, sync);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Whether a script gave SIGINT a handler other than `signal.default_int_handler`.
pub fn sigint_customized() -> bool {
    SIGINT_CUSTOM.load(Ordering::SeqCst)
}

/// Initialises `_signal`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let mut b = ModuleBuilder::new(vm, m);
    for (name, f) in [
        ("_install", install as NativeFn),
        ("_initial", initial),
        ("_set_dispatcher", set_dispatcher),
        ("default_int_handler", default_int_handler),
        ("raise_signal", raise_signal),
        ("alarm", alarm),
        ("pause", pause),
        ("strsignal", strsignal),
        ("valid_signals", valid_signals),
        ("set_wakeup_fd", set_wakeup_fd),
        ("siginterrupt", siginterrupt),
        ("setitimer", setitimer),
        ("getitimer", getitimer),
        ("pthread_sigmask", pthread_sigmask),
        ("sigpending", sigpending),
    ] {
        b.function(name, f);
    }
    let names: [(&str, i32); 34] = [
        ("SIGHUP", libc::SIGHUP),
        ("SIGINT", libc::SIGINT),
        ("SIGQUIT", libc::SIGQUIT),
        ("SIGILL", libc::SIGILL),
        ("SIGTRAP", libc::SIGTRAP),
        ("SIGABRT", libc::SIGABRT),
        ("SIGIOT", libc::SIGIOT),
        ("SIGBUS", libc::SIGBUS),
        ("SIGFPE", libc::SIGFPE),
        ("SIGKILL", libc::SIGKILL),
        ("SIGUSR1", libc::SIGUSR1),
        ("SIGSEGV", libc::SIGSEGV),
        ("SIGUSR2", libc::SIGUSR2),
        ("SIGPIPE", libc::SIGPIPE),
        ("SIGALRM", libc::SIGALRM),
        ("SIGTERM", libc::SIGTERM),
        ("SIGSTKFLT", libc::SIGSTKFLT),
        ("SIGCHLD", libc::SIGCHLD),
        ("SIGCLD", libc::SIGCHLD),
        ("SIGCONT", libc::SIGCONT),
        ("SIGSTOP", libc::SIGSTOP),
        ("SIGTSTP", libc::SIGTSTP),
        ("SIGTTIN", libc::SIGTTIN),
        ("SIGTTOU", libc::SIGTTOU),
        ("SIGURG", libc::SIGURG),
        ("SIGXCPU", libc::SIGXCPU),
        ("SIGXFSZ", libc::SIGXFSZ),
        ("SIGVTALRM", libc::SIGVTALRM),
        ("SIGPROF", libc::SIGPROF),
        ("SIGWINCH", libc::SIGWINCH),
        ("SIGIO", libc::SIGIO),
        ("SIGPOLL", libc::SIGPOLL),
        ("SIGPWR", libc::SIGPWR),
        ("SIGSYS", libc::SIGSYS),
    ];
    for (name, v) in names {
        b.constant(name, v as i64);
    }
    let (rtmin, rtmax) = (libc::SIGRTMIN(), libc::SIGRTMAX());
    for (name, v) in [
        ("SIGRTMIN", rtmin as i64),
        ("SIGRTMAX", rtmax as i64),
        ("NSIG", NSIG),
        ("SIG_DFL", 0),
        ("SIG_IGN", 1),
        ("SIG_BLOCK", libc::SIG_BLOCK as i64),
        ("SIG_UNBLOCK", libc::SIG_UNBLOCK as i64),
        ("SIG_SETMASK", libc::SIG_SETMASK as i64),
        ("ITIMER_REAL", libc::ITIMER_REAL as i64),
        ("ITIMER_VIRTUAL", libc::ITIMER_VIRTUAL as i64),
        ("ITIMER_PROF", libc::ITIMER_PROF as i64),
    ] {
        b.constant(name, v);
    }
    Ok(())
}

/// A signal number argument, checked against `1..NSIG`.
fn signum_arg(vm: &mut Vm, a: &Args, i: usize) -> PyResult<i32> {
    let n = int_arg(vm, a, i)?;
    if !(1..NSIG).contains(&n) {
        return Err(vm.new_value_error("signal number out of range"));
    }
    Ok(n as i32)
}

/// `_install(signum, kind, custom_sigint)`: the C action for `signum`: 0 the default, 1
/// ignore, 2 `on_signal` (a script handler). `custom_sigint` says whether SIGINT's new
/// handler is one of the script's own rather than `default_int_handler`.
fn install(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_install", 3, 3)?;
    let signum = signum_arg(vm, &a, 0)?;
    let kind = int_arg(vm, &a, 1)?;
    // SAFETY: a zeroed sigaction with a valid handler (or SIG_DFL/SIG_IGN); no SA_RESTART,
    // so a blocking call returns to let the handler run.
    let r = unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = match kind {
            0 => libc::SIG_DFL,
            1 => libc::SIG_IGN,
            _ => on_signal as extern "C" fn(libc::c_int) as usize,
        };
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(signum, &action, std::ptr::null_mut())
    };
    if r != 0 {
        return Err(os_error(vm, errno(), None, None));
    }
    if signum == libc::SIGINT {
        let custom = vm.is_true(&a.pos[2].clone())?;
        SIGINT_CUSTOM.store(custom, Ordering::SeqCst);
    }
    Ok(Value::None)
}

/// `_initial(signum)`: the action `signum` has now that no script set: 0 default, 1
/// ignored, 2 a handler of the host (the `aio` binary's Ctrl-C).
fn initial(vm: &mut Vm, a: Args) -> PyResult {
    let signum = signum_arg(vm, &a, 0)?;
    // SAFETY: queries the current action into a zeroed struct.
    let handler = unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(signum, std::ptr::null(), &mut old) != 0 {
            return Ok(Value::Int(0));
        }
        old.sa_sigaction
    };
    Ok(Value::Int(match handler {
        libc::SIG_DFL => 0,
        libc::SIG_IGN => 1,
        _ => 2,
    }))
}

/// `_set_dispatcher(handlers)`: makes the VM run the handlers of dict `handlers` (signal
/// number to callable) for the signals `on_signal` caught.
fn set_dispatcher(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_set_dispatcher", 1, 1)?;
    let Some(handlers) = a.pos[0].as_obj().cloned() else {
        return Err(vm.new_type_error("a dict is required"));
    };
    let _ = FLAG.set(vm.interrupt.clone());
    vm.set_signal_hook(std::rc::Rc::new(move |vm: &mut Vm| dispatch(vm, &handlers)));
    Ok(Value::None)
}

/// Runs the handlers of the pending signals, lowest number first; `false` when none was
/// pending (the interrupt was Ctrl-C's default or the host's).
fn dispatch(vm: &mut Vm, handlers: &Obj) -> PyResult<bool> {
    let mut bits = PENDING.swap(0, Ordering::SeqCst);
    if bits == 0 {
        return Ok(false);
    }
    while bits != 0 {
        let n = bits.trailing_zeros();
        bits &= !(1u64 << n);
        let key = Value::Int(n as i64);
        let h = match vm.getitem(&Value::Obj(handlers.clone()), &key) {
            Ok(h) => h,
            Err(_) => continue,
        };
        if matches!(h, Value::Int(_)) || !aio_vm::builtins::is_callable(vm, &h) {
            continue;
        }
        if let Err(e) = vm.call(&h, &[Value::Int(n as i64), Value::None], &[]) {
            // The signals not yet handled stay pending for the next step.
            if bits != 0 {
                PENDING.fetch_or(bits, Ordering::SeqCst);
                vm.request_interrupt();
            }
            return Err(e);
        }
    }
    Ok(true)
}

/// `default_int_handler(signum, frame)`: raises `KeyboardInterrupt`.
fn default_int_handler(vm: &mut Vm, _a: Args) -> PyResult {
    let cls = vm.exc.keyboard_interrupt.clone();
    Err(vm.new_exception(&cls, Vec::new()))
}

/// `raise_signal(signum)`: sends the signal to the process and runs its handler now.
fn raise_signal(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "raise_signal", 1, 1)?;
    let signum = signum_arg(vm, &a, 0)?;
    // SAFETY: raise has no memory effects.
    if unsafe { libc::raise(signum) } != 0 {
        return Err(os_error(vm, errno(), None, None));
    }
    vm.check_wait_interrupted()?;
    Ok(Value::None)
}

/// `alarm(seconds)`: the seconds left of the previous alarm.
fn alarm(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "alarm", 1, 1)?;
    let secs = int_arg(vm, &a, 0)?;
    // SAFETY: alarm has no memory effects.
    Ok(Value::Int(
        unsafe { libc::alarm(secs.clamp(0, u32::MAX as i64) as u32) } as i64,
    ))
}

/// `pause()`: sleeps until a signal arrives, then runs its handler.
fn pause(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "pause", 0, 0)?;
    vm.flush_stdout();
    // SAFETY: pause has no memory effects.
    unsafe { libc::pause() };
    vm.check_wait_interrupted()?;
    Ok(Value::None)
}

/// `strsignal(signum)`: the system's description, `None` for an unknown signal.
fn strsignal(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "strsignal", 1, 1)?;
    let signum = signum_arg(vm, &a, 0)?;
    // SAFETY: strsignal returns a NUL-terminated string (or null).
    let p = unsafe { libc::strsignal(signum) };
    if p.is_null() {
        return Ok(Value::None);
    }
    // SAFETY: `p` is a valid C string until the next strsignal call.
    let s = unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
    if s.starts_with("Unknown signal") {
        return Ok(Value::None);
    }
    Ok(Value::str(s))
}

/// The signal numbers in `set` as a set object.
fn sigset_to_set(vm: &mut Vm, set: &libc::sigset_t) -> PyResult {
    let mut items = Vec::new();
    for n in 1..NSIG as i32 {
        // SAFETY: `set` is an initialised sigset.
        if unsafe { libc::sigismember(set, n) } == 1 {
            items.push(Value::Int(n as i64));
        }
    }
    let list = vm.new_list(items);
    let set_type = Value::Obj(vm.types.set.clone());
    vm.call(&set_type, &[list], &[])
}

/// `valid_signals()`: every signal number this system has.
fn valid_signals(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "valid_signals", 0, 0)?;
    // SAFETY: sigfillset initialises the set.
    let set = unsafe {
        let mut s: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut s);
        s
    };
    sigset_to_set(vm, &set)
}

/// `set_wakeup_fd(fd, *, warn_on_full_buffer=True)`: the previous descriptor.
fn set_wakeup_fd(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "set_wakeup_fd", 1, 1)?;
    let fd = int_arg(vm, &a, 0)?;
    let fd = i32::try_from(fd).map_err(|_| vm.new_value_error(format!("invalid fd: {fd}")))?;
    Ok(Value::Int(WAKEUP_FD.swap(fd, Ordering::SeqCst) as i64))
}

/// `siginterrupt(signum, flag)`: accepted; aio's handlers never restart system calls.
fn siginterrupt(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "siginterrupt", 2, 2)?;
    signum_arg(vm, &a, 0)?;
    Ok(Value::None)
}

fn timeval(secs: f64) -> libc::timeval {
    let secs = secs.max(0.0);
    libc::timeval {
        tv_sec: secs.trunc() as libc::time_t,
        tv_usec: ((secs.fract() * 1e6).round() as libc::suseconds_t).min(999_999),
    }
}

fn itimer_tuple(vm: &mut Vm, t: &libc::itimerval) -> Value {
    let f = |tv: &libc::timeval| Value::float(tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6);
    vm.new_tuple(vec![f(&t.it_value), f(&t.it_interval)])
}

/// `setitimer(which, seconds, interval=0.0)`: the previous `(delay, interval)`.
fn setitimer(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "setitimer", 2, 3)?;
    let which = int_arg(vm, &a, 0)? as libc::c_int;
    let value = to_f64(vm, &a.pos[1])?;
    let interval = match a.get(2) {
        Some(v) => to_f64(vm, v)?,
        None => 0.0,
    };
    let new = libc::itimerval {
        it_value: timeval(value),
        it_interval: timeval(interval),
    };
    // SAFETY: valid in and out structs.
    let mut old: libc::itimerval = unsafe { std::mem::zeroed() };
    if unsafe { libc::setitimer(which, &new, &mut old) } != 0 {
        return Err(os_error(vm, errno(), None, None));
    }
    Ok(itimer_tuple(vm, &old))
}

/// `getitimer(which)`: `(delay, interval)`.
fn getitimer(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "getitimer", 1, 1)?;
    let which = int_arg(vm, &a, 0)? as libc::c_int;
    // SAFETY: a valid out struct.
    let mut cur: libc::itimerval = unsafe { std::mem::zeroed() };
    if unsafe { libc::getitimer(which, &mut cur) } != 0 {
        return Err(os_error(vm, errno(), None, None));
    }
    Ok(itimer_tuple(vm, &cur))
}

/// `pthread_sigmask(how, mask)`: the previous mask as a set of numbers.
fn pthread_sigmask(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "pthread_sigmask", 2, 2)?;
    let how = int_arg(vm, &a, 0)? as libc::c_int;
    let it = vm.get_iter(&a.pos[1])?;
    // SAFETY: sigemptyset initialises the set.
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    unsafe { libc::sigemptyset(&mut set) };
    while let Some(v) = vm.next(&it)? {
        let n = to_index_i64(vm, &v)?;
        if !(1..NSIG).contains(&n) {
            return Err(vm.new_value_error(format!("signal number {n} out of range [1; 64]")));
        }
        // SAFETY: `set` is initialised and `n` a valid signal number.
        unsafe { libc::sigaddset(&mut set, n as i32) };
    }
    // SAFETY: valid in and out sets.
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::pthread_sigmask(how, &set, &mut old) };
    if r != 0 {
        return Err(os_error(vm, r, None, None));
    }
    vm.check_wait_interrupted()?;
    sigset_to_set(vm, &old)
}

/// `sigpending()`: the signals pending delivery while blocked.
fn sigpending(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "sigpending", 0, 0)?;
    // SAFETY: a valid out set.
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    if unsafe { libc::sigpending(&mut set) } != 0 {
        return Err(os_error(vm, errno(), None, None));
    }
    sigset_to_set(vm, &set)
}
