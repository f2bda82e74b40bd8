//! Ctrl-C: SIGINT becomes the VM's interrupt request, which raises `KeyboardInterrupt` at
//! the running script's next step or wait, as CPython's default SIGINT handler does. Used by
//! scripts and the REPL alike (an `asyncio.run` installs its own handler while it runs and
//! puts this one back).

use aio_vm::Vm;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// The flag the handler sets: the VM's interrupt request.
static INTERRUPT: OnceLock<Arc<AtomicBool>> = OnceLock::new();

extern "C" fn on_sigint(_signum: libc::c_int) {
    // Async-signal-safe: an atomic store and an eventfd write.
    if let Some(flag) = INTERRUPT.get() {
        flag.store(true, Ordering::Relaxed);
    }
    aio_stdlib::asyncio::wake_from_signal();
}

/// Routes SIGINT to `vm`'s interrupt request (the process runs one VM). A SIGINT that is
/// ignored (a background job of a non-interactive shell) stays ignored, as in CPython. An
/// event loop's poll is woken too, once the loop has prepared its waker (it does before
/// it first blocks; no file descriptor is opened before a script asks for one).
pub fn install(vm: &Vm) {
    let _ = INTERRUPT.set(vm.interrupt.clone());
    // SAFETY: installs a handler that only stores to an atomic and writes an eventfd; no
    // SA_RESTART, so a blocking wait returns to the loop. The previous action is put back
    // when it was "ignore".
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut action.sa_mask);
        action.sa_flags = 0;
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGINT, &action, &mut old) == 0
            && old.sa_sigaction == libc::SIG_IGN
        {
            libc::sigaction(libc::SIGINT, &old, std::ptr::null_mut());
        }
    }
}
