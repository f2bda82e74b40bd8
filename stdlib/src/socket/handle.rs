//! A socket's descriptor and settings (the state of `_socket.socket`, held in a handle
//! object the `_socket.aio` class keeps), and the one way its operations block:
//! [`io_call`].
//!
//! The descriptor is always in non-blocking mode; a socket's *timeout* (`None` blocks,
//! `0.0` never waits, a positive number waits that long) is applied here: an operation
//! that would block waits for its readiness through the VM's green-thread wait
//! ([`Vm::block_thread_io`]), so other threads run meanwhile and Ctrl-C ends the wait.

use crate::fs::{last_errno, os_error};
use aio_vm::module::{native_state, new_native_instance};
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

/// A socket: its descriptor (`-1` once closed or detached), what it was made with, and its
/// timeout in seconds (`None`: blocking).
pub(crate) struct Sock {
    pub fd: i32,
    pub family: i32,
    pub kind: i32,
    pub proto: i32,
    pub timeout: Option<f64>,
}

impl Drop for Sock {
    fn drop(&mut self) {
        if self.fd >= 0 {
            // SAFETY: the handle owns the descriptor.
            unsafe { libc::close(self.fd) };
        }
    }
}

thread_local! {
    /// `socket.getdefaulttimeout()`: the timeout of new sockets.
    static DEFAULT_TIMEOUT: Cell<Option<f64>> = const { Cell::new(None) };
}

/// The timeout new sockets get.
pub(crate) fn default_timeout() -> Option<f64> {
    DEFAULT_TIMEOUT.with(|c| c.get())
}

/// Sets the timeout new sockets get.
pub(crate) fn set_default_timeout(t: Option<f64>) {
    DEFAULT_TIMEOUT.with(|c| c.set(t));
}

/// The socket state of handle `h`.
pub(crate) fn sock<'a>(vm: &mut Vm, h: &'a Value) -> PyResult<&'a RefCell<Sock>> {
    native_state::<Sock>(h).ok_or_else(|| vm.new_type_error("expected a socket handle"))
}

/// The descriptor of handle `h` (`-1` when closed).
pub(crate) fn fd_of(vm: &mut Vm, h: &Value) -> PyResult<i32> {
    Ok(sock(vm, h)?.borrow().fd)
}

/// Puts `fd` in non-blocking mode (the mode every socket descriptor has here).
pub(crate) fn set_nonblocking(fd: i32) {
    // SAFETY: fcntl on a descriptor the caller owns.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
        }
    }
}

/// A new handle of class `cls` owning `fd`.
pub(crate) fn new_handle(vm: &mut Vm, cls: &Obj, s: Sock) -> Value {
    set_nonblocking(s.fd);
    new_native_instance(vm, cls, s)
}

/// The `OSError` for the C library's `errno` after a failed call.
pub(crate) fn errno_error(vm: &mut Vm) -> aio_vm::Obj {
    let e = last_errno();
    os_error(vm, e, None, None)
}

/// `TimeoutError('timed out')`, what a socket raises when its timeout passes.
pub(crate) fn timeout_error(vm: &mut Vm) -> aio_vm::Obj {
    let cls = vm.exc.timeout_error.clone();
    vm.new_exception_msg(&cls, "timed out")
}

/// What one attempt of an operation gave.
pub(crate) enum Step {
    /// It finished, with this result or error.
    Done(PyResult),
    /// It would block (`EAGAIN`): try again once the descriptor is ready.
    Again,
}

/// The step for a system call's result `r` (`-1`: look at `errno`): `ok` makes the value.
pub(crate) fn step_of(vm: &mut Vm, r: isize, ok: impl FnOnce(&mut Vm, usize) -> PyResult) -> Step {
    if r >= 0 {
        return Step::Done(ok(vm, r as usize));
    }
    match last_errno() {
        libc::EAGAIN | libc::EINTR => Step::Again,
        e => Step::Done(Err(os_error(vm, e, None, None))),
    }
}

/// Runs `op` (given the descriptor) on socket `h` as a blocking call does: at once, and,
/// while it would block, again whenever the descriptor may be ready for `events`, until
/// the socket's timeout passes (`TimeoutError: timed out`). A socket with a timeout of 0
/// raises `BlockingIOError` instead of waiting.
pub(crate) fn io_call(
    vm: &mut Vm,
    h: &Value,
    events: i16,
    mut op: impl FnMut(&mut Vm, i32) -> Step + 'static,
) -> PyResult {
    let (fd, timeout) = {
        let s = sock(vm, h)?.borrow();
        (s.fd, s.timeout)
    };
    if let Step::Done(r) = op(vm, fd) {
        return r;
    }
    if timeout == Some(0.0) {
        return Err(os_error(vm, libc::EAGAIN, None, None));
    }
    wait_ready(vm, h, fd, events, timeout, move |vm, fd| op(vm, fd))
}

/// Waits, as a blocking call does, until `op` finishes: it is tried again whenever `fd`
/// may be ready for `events`; `timeout` seconds (`None`: no limit) bound the wait.
pub(crate) fn wait_ready(
    vm: &mut Vm,
    h: &Value,
    fd: i32,
    events: i16,
    timeout: Option<f64>,
    mut op: impl FnMut(&mut Vm, i32) -> Step + 'static,
) -> PyResult {
    vm.flush_stdout();
    let deadline = timeout.map(|t| Instant::now() + Duration::from_secs_f64(t));
    let h = h.clone();
    vm.block_thread_io(deadline, vec![(fd, events)], move |vm, timed_out| {
        // Another thread may have closed the socket meanwhile (its descriptor is then -1).
        let fd = native_state::<Sock>(&h).map_or(-1, |s| s.borrow().fd);
        match op(vm, fd) {
            Step::Done(r) => Some(r),
            Step::Again if timed_out => Some(Err(timeout_error(vm))),
            Step::Again => None,
        }
    })
}

/// Whether `fd` is ready for `events` now (a `poll(2)` that does not wait).
pub(crate) fn ready_now(fd: i32, events: i16) -> bool {
    let mut p = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // SAFETY: one initialised pollfd.
    unsafe { libc::poll(&mut p, 1, 0) > 0 }
}
