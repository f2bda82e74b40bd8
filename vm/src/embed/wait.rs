//! Blocking waits that end early when the run must stop: `time.sleep`, and an event loop's
//! wait for I/O and timers.
//!
//! A VM that waits is not stepping, so neither the time limit nor an interrupt would be
//! seen until the wait ends on its own (`time.sleep(10**6)` would outlive any limit). Three
//! things cut a wait short:
//! - [`InterruptHandle::interrupt`] from another thread wakes [`Vm::sleep`] at once
//!   (a condition variable) and calls the wake hooks, through which an event loop wakes its
//!   poller ([`Vm::add_wake_hook`]);
//! - the time limit: [`Vm::sleep`] sleeps no further than the deadline, and an event loop
//!   caps its poll timeout with [`Vm::wait_deadline`];
//! - Ctrl-C (a signal handler that sets [`Vm::request_interrupt`]'s flag; a signal handler
//!   can neither lock nor notify): [`Vm::sleep`] looks at the flag every
//!   [`SIGNAL_POLL`], and an event loop's signal handler wakes its poller itself.
//!
//! When a wait ends early, the reason is raised as it is at a step: `KeyboardInterrupt`,
//! or the limit that stops the run.

use super::limits::InterruptHandle;
use crate::vm::{PyResult, Vm};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How often a sleeping VM looks at the interrupt flag a signal handler may have set.
pub const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// A function called when the host interrupts the VM (see [`Vm::add_wake_hook`]).
pub type WakeHook = Arc<dyn Fn() + Send + Sync>;

/// What [`InterruptHandle::interrupt`] wakes: sleepers on the condition variable, and the
/// registered hooks.
#[derive(Default)]
pub struct Wakeup {
    /// Counts interrupts; a sleeper waits until it changes.
    generation: Mutex<u64>,
    cond: Condvar,
    hooks: Mutex<Vec<(&'static str, WakeHook)>>,
}

impl std::fmt::Debug for Wakeup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Wakeup")
    }
}

impl Wakeup {
    /// Wakes every sleeper and calls every hook.
    pub(crate) fn wake(&self) {
        if let Ok(mut g) = self.generation.lock() {
            *g = g.wrapping_add(1);
        }
        self.cond.notify_all();
        let hooks: Vec<WakeHook> = match self.hooks.lock() {
            Ok(h) => h.iter().map(|(_, f)| f.clone()).collect(),
            Err(_) => return,
        };
        for hook in hooks {
            hook();
        }
    }

    /// Blocks for at most `d`, or until [`Wakeup::wake`].
    fn wait(&self, d: Duration) {
        let Ok(g) = self.generation.lock() else {
            return;
        };
        let start = *g;
        let _ = self.cond.wait_timeout_while(g, d, |g| *g == start);
    }
}

impl Vm {
    /// Blocks the VM for `d` (what `time.sleep` does), ending early — with the exception a
    /// step would raise — when Ctrl-C is pressed, the host calls
    /// [`InterruptHandle::interrupt`], or the run's time limit passes. Native functions
    /// that wait should wait through it (or, in an event loop, cap their wait with
    /// [`Vm::wait_deadline`]).
    ///
    /// ```
    /// use aio_vm::{Error, LimitExceeded, Limits, Vm};
    /// use std::time::{Duration, Instant};
    ///
    /// let mut vm = Vm::new();
    /// vm.set_limits(Limits {
    ///     time: Some(Duration::from_millis(100)),
    ///     ..Limits::default()
    /// });
    /// let start = Instant::now();
    /// let err = vm.guarded(|vm| vm.sleep(Duration::from_secs(60))).unwrap_err();
    /// assert!(matches!(err, Error::Limit(LimitExceeded::Time)));
    /// assert!(start.elapsed() < Duration::from_secs(10));
    /// ```
    pub fn sleep(&mut self, d: Duration) -> PyResult<()> {
        let end = Instant::now() + d;
        loop {
            self.check_wait_interrupted()?;
            let now = Instant::now();
            if now >= end {
                return Ok(());
            }
            let mut until = end.min(now + SIGNAL_POLL);
            if let Some(deadline) = self.wait_deadline() {
                until = until.min(deadline);
            }
            self.limits
                .wakeup
                .wait(until.saturating_duration_since(now));
        }
    }

    /// Blocks until one of `fds` (descriptors with their `poll(2)` events) may be ready,
    /// `until` passes, or [`SIGNAL_POLL`] has passed, whichever is first; then raises what
    /// [`Vm::check_wait_interrupted`] raises. A caller loops, looking at its descriptors
    /// after each return (the green-thread scheduler does, for
    /// [`Vm::block_thread_io`](crate::Vm::block_thread_io)).
    ///
    /// ```
    /// use aio_vm::Vm;
    /// use std::time::{Duration, Instant};
    ///
    /// let mut vm = Vm::new();
    /// let start = Instant::now();
    /// // Nothing to wait for: returns once `until` has passed.
    /// vm.wait_io(&[], Some(start + Duration::from_millis(20))).unwrap();
    /// assert!(start.elapsed() >= Duration::from_millis(20));
    /// ```
    pub fn wait_io(&mut self, fds: &[(i32, i16)], until: Option<Instant>) -> PyResult<()> {
        self.check_wait_interrupted()?;
        let now = Instant::now();
        let mut end = now + SIGNAL_POLL;
        if let Some(u) = until {
            end = end.min(u);
        }
        if let Some(d) = self.wait_deadline() {
            end = end.min(d);
        }
        let left = end.saturating_duration_since(now);
        poll_fds(fds, left);
        self.check_wait_interrupted()
    }

    /// Raises what a step would raise if a wait must end now: `KeyboardInterrupt` after
    /// Ctrl-C, or the limit that stops the run (an interrupt from the host, the time limit).
    /// An event loop calls it after each wait; so does a native that blocks in slices.
    ///
    /// ```
    /// use aio_vm::{Error, LimitExceeded, Limits, Value, Vm};
    /// use std::time::{Duration, Instant};
    ///
    /// let mut vm = Vm::new();
    /// // A native that waits for a device, never past the run's deadline.
    /// vm.register_native("wait_for_device", |vm, _args| loop {
    ///     let slice = Instant::now() + Duration::from_millis(5);
    ///     let until = vm.wait_deadline().map_or(slice, |d| d.min(slice));
    ///     std::thread::sleep(until.saturating_duration_since(Instant::now()));
    ///     vm.check_wait_interrupted()?; // the limit ends the wait
    /// });
    /// vm.set_limits(Limits { time: Some(Duration::from_millis(30)), ..Limits::default() });
    /// let start = Instant::now();
    /// let err = vm.exec("wait_for_device()").unwrap_err();
    /// assert!(matches!(err, Error::Limit(LimitExceeded::Time)));
    /// assert!(start.elapsed() < Duration::from_secs(5));
    /// ```
    pub fn check_wait_interrupted(&mut self) -> PyResult<()> {
        let due = self.wait_deadline().is_some_and(|d| Instant::now() >= d);
        if due || self.limits.tripped.is_some() || self.interrupt.load(Ordering::Relaxed) {
            return self.limit_check_now();
        }
        Ok(())
    }

    /// When the run's time limit passes, if it has one: a wait must not block beyond it.
    /// See the example of [`Vm::check_wait_interrupted`].
    pub fn wait_deadline(&self) -> Option<Instant> {
        self.limits.deadline()
    }

    /// Registers `hook` to be called (on the interrupting thread) by
    /// [`InterruptHandle::interrupt`]; a hook registered under the same `key` is replaced.
    /// An event loop registers one that wakes its poller.
    ///
    /// ```
    /// use aio_vm::Vm;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let mut vm = Vm::new();
    /// let woken = Arc::new(AtomicUsize::new(0));
    /// let w = woken.clone();
    /// vm.add_wake_hook("counter", Arc::new(move || {
    ///     w.fetch_add(1, Ordering::SeqCst);
    /// }));
    /// vm.interrupt_handle().interrupt();
    /// assert_eq!(woken.load(Ordering::SeqCst), 1);
    /// ```
    pub fn add_wake_hook(&mut self, key: &'static str, hook: WakeHook) {
        if let Ok(mut hooks) = self.limits.wakeup.hooks.lock() {
            match hooks.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = hook,
                None => hooks.push((key, hook)),
            }
        }
    }
}

/// Waits in `poll(2)` for `fds` for at most `left` (rounded up to a millisecond, so that a
/// caller does not spin). A signal ends it early (`EINTR`).
#[cfg(unix)]
fn poll_fds(fds: &[(i32, i16)], left: Duration) {
    let mut p: Vec<libc::pollfd> = fds
        .iter()
        .map(|&(fd, events)| libc::pollfd {
            fd,
            events,
            revents: 0,
        })
        .collect();
    let ms = left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32;
    // SAFETY: `p` holds `p.len()` initialised pollfd entries.
    unsafe { libc::poll(p.as_mut_ptr(), p.len() as libc::nfds_t, ms) };
}

/// Without `poll(2)`, a wait for descriptors sleeps (the caller looks at them again).
#[cfg(not(unix))]
fn poll_fds(fds: &[(i32, i16)], left: Duration) {
    let slice = if fds.is_empty() {
        left
    } else {
        left.min(Duration::from_millis(1))
    };
    std::thread::sleep(slice);
}

impl InterruptHandle {
    /// Wakes the VM's waits (used by [`InterruptHandle::interrupt`]).
    pub(crate) fn wake(&self) {
        self.wakeup.wake();
    }
}
