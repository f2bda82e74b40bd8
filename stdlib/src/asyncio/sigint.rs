//! Ctrl-C while an event loop runs, as CPython 3.11's `asyncio.Runner` handles it: while
//! `Runner.run` runs, SIGINT only sets a flag (and interrupts the loop's wait); the loop then
//! calls the runner, which cancels the main task on the first Ctrl-C and raises
//! `KeyboardInterrupt` on the second. The previous handler is restored afterwards.

use aio_vm::native::Args;
use aio_vm::value::Bool;
use aio_vm::{PyResult, Value, Vm};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

static PENDING: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Whether this thread's loop has handlers from `loop.add_signal_handler`: a signal can
    /// then wake it, so a wait with nothing else to wait for is no deadlock.
    static SIGNALS_WATCHED: Cell<bool> = const { Cell::new(false) };
}

/// Wakes the loop's poll from the signal handler (an eventfd write, async-signal-safe), so
/// a Ctrl-C that arrives just before the loop blocks is not left waiting for a timer.
static WAKER: std::sync::OnceLock<std::sync::Arc<mio::Waker>> = std::sync::OnceLock::new();

thread_local! {
    /// The action SIGINT had before `_sigint_install`, restored by `_sigint_restore`.
    static PREVIOUS: Cell<Option<libc::sigaction>> = const { Cell::new(None) };
}

extern "C" fn on_sigint(_signum: libc::c_int) {
    // Async-signal-safe: an atomic store and an eventfd write.
    PENDING.store(true, Ordering::SeqCst);
    if let Some(w) = WAKER.get() {
        let _ = w.wake();
    }
}

/// Creates the loop's waker on this thread (the one that runs the loop), so that
/// [`wake_from_signal`] can cut the loop's wait short. For hosts (the REPL) that handle
/// SIGINT themselves.
pub fn prepare_signal_wakeup() {
    if WAKER.get().is_none() {
        if let Ok(w) = super::loop_waker() {
            let _ = WAKER.set(w);
        }
    }
}

/// Wakes the event loop's poll, if [`prepare_signal_wakeup`] ran. Async-signal-safe (an
/// eventfd write).
pub fn wake_from_signal() {
    if let Some(w) = WAKER.get() {
        let _ = w.wake();
    }
}

/// `_sigint_install()`: route SIGINT to the loop (no `SA_RESTART`, so a blocked poll wakes).
pub(super) fn install(_vm: &mut Vm, _a: Args) -> PyResult {
    if crate::signal::sigint_customized() {
        // A script's own SIGINT handler stays, as CPython's runner installs its handler
        // only over `signal.default_int_handler`.
        return Ok(Value::Bool(Bool::FALSE));
    }
    PENDING.store(false, Ordering::SeqCst);
    prepare_signal_wakeup();
    // SAFETY: sigaction with a zeroed struct, a handler that only stores to an atomic, and
    // an out-pointer to a valid sigaction.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut action.sa_mask);
        action.sa_flags = 0;
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGINT, &action, &mut old) == 0 {
            if old.sa_sigaction == libc::SIG_IGN {
                // Ignored SIGINT (a background job) stays ignored, as in CPython, which
                // installs its handler only over the default one.
                libc::sigaction(libc::SIGINT, &old, std::ptr::null_mut());
                return Ok(Value::Bool(Bool::FALSE));
            }
            PREVIOUS.with(|p| p.set(Some(old)));
            return Ok(Value::Bool(Bool::TRUE));
        }
    }
    Ok(Value::Bool(Bool::FALSE))
}

/// `_sigint_restore()`: put back the action SIGINT had before `_sigint_install`.
pub(super) fn restore(_vm: &mut Vm, _a: Args) -> PyResult {
    if let Some(old) = PREVIOUS.with(|p| p.take()) {
        // SAFETY: restores an action previously returned by sigaction.
        unsafe {
            libc::sigaction(libc::SIGINT, &old, std::ptr::null_mut());
        }
    }
    Ok(Value::None)
}

/// `_sigint_pending()`: whether Ctrl-C arrived since the last call (and clears it).
pub(super) fn pending(_vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::bool(take_pending()))
}

/// Whether Ctrl-C arrived since the last call (and clears it).
pub(super) fn take_pending() -> bool {
    PENDING.swap(false, Ordering::SeqCst)
}

/// `_signals_watched(flag)`: whether the loop has `add_signal_handler` handlers.
pub(super) fn set_signals_watched(_vm: &mut Vm, a: Args) -> PyResult {
    let on = matches!(a.pos.first(), Some(Value::Bool(Bool::TRUE)));
    SIGNALS_WATCHED.with(|w| w.set(on));
    Ok(Value::None)
}

/// Whether a signal handler of the loop may wake it (see [`set_signals_watched`]).
pub(super) fn signals_watched() -> bool {
    SIGNALS_WATCHED.with(|w| w.get())
}
