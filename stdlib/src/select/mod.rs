//! `select`: `select.select`, `poll` and `epoll`. `select.aio` has the module's classes
//! and argument rules; the natives here wait: `_poll` over `poll(2)`, `_epoll_wait` over
//! `epoll_wait(2)`. A wait that must block goes through the VM's green-thread wait
//! ([`aio_vm::Vm::block_thread_io`]) on the descriptors, so other threads run meanwhile
//! and Ctrl-C ends it. A network module: [`crate::VmBuilder`] leaves it out unless
//! `allow_network`.

use crate::fs::{last_errno, os_error};
use crate::process::int_arg;
use aio_vm::module::{sequence_items, to_f64, ModuleBuilder};
use aio_vm::native::{Args, NativeFn};
use aio_vm::{Obj, PyResult, Value, Vm};
use std::time::{Duration, Instant};

const SOURCE: crate::source::Source = ("lib/select.aio", include_str!("select.aio"));

/// Initialises `select`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let mut b = ModuleBuilder::new(vm, m);
    for (name, f) in [
        ("_poll", poll as NativeFn),
        ("_epoll_create", epoll_create),
        ("_epoll_ctl", epoll_ctl),
        ("_epoll_wait", epoll_wait),
        ("_close", close),
    ] {
        b.function(name, f);
    }
    vm.hidden_sources.insert(SOURCE.0.to_string());
    crate::source::run(vm, m, &[SOURCE])
}

/// A timeout in seconds (`None`: no limit) as a deadline.
fn deadline_of(vm: &mut Vm, v: &Value) -> PyResult<Option<Instant>> {
    if v.is_none() {
        return Ok(None);
    }
    let secs = to_f64(vm, v)?.max(0.0);
    Ok(Some(
        Instant::now()
            + Duration::try_from_secs_f64(secs).unwrap_or(Duration::from_secs(u32::MAX as u64)),
    ))
}

/// Waits in the VM's way: `attempt` is tried at once and whenever one of `io` may be
/// ready, until it gives a result or `deadline` passes (then `on_timeout` is the result).
fn wait_for(
    vm: &mut Vm,
    io: Vec<(i32, i16)>,
    deadline: Option<Instant>,
    mut attempt: impl FnMut(&mut Vm) -> PyResult<Option<Value>> + 'static,
    on_timeout: impl Fn(&mut Vm) -> Value + 'static,
) -> PyResult {
    if let Some(v) = attempt(vm)? {
        return Ok(v);
    }
    if deadline.is_some_and(|d| Instant::now() >= d) {
        return Ok(on_timeout(vm));
    }
    vm.flush_stdout();
    vm.block_thread_io(deadline, io, move |vm, timed_out| match attempt(vm) {
        Err(e) => Some(Err(e)),
        Ok(Some(v)) => Some(Ok(v)),
        Ok(None) if timed_out => Some(Ok(on_timeout(vm))),
        Ok(None) => None,
    })
}

/// `_poll(interests, timeout)`: `[(fd, revents), ...]` for the `(fd, events)` pairs of
/// `interests` that are ready (`POLLNVAL` for a closed descriptor), in their order;
/// waits up to `timeout` seconds (`None`: until one is ready) while none is.
fn poll(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_poll", 2, 2)?;
    let items = sequence_items(&a.pos[0]).unwrap_or_default();
    let mut fds = Vec::with_capacity(items.len());
    for it in &items {
        let pair = sequence_items(it).unwrap_or_default();
        if pair.len() != 2 {
            return Err(vm.new_type_error("expected (fd, events) pairs"));
        }
        let fd = aio_vm::module::to_index_i64(vm, &pair[0])? as i32;
        let ev = aio_vm::module::to_index_i64(vm, &pair[1])? as i16;
        fds.push((fd, ev));
    }
    let deadline = deadline_of(vm, &a.pos[1])?;
    let io = fds.clone();
    wait_for(
        vm,
        io,
        deadline,
        move |vm| {
            let mut p: Vec<libc::pollfd> = fds
                .iter()
                .map(|&(fd, events)| libc::pollfd {
                    fd,
                    events,
                    revents: 0,
                })
                .collect();
            // SAFETY: `p` holds `p.len()` initialised entries; a zero timeout never blocks.
            let n = unsafe { libc::poll(p.as_mut_ptr(), p.len() as libc::nfds_t, 0) };
            if ready_count(vm, n)?.is_none() {
                return Ok(None);
            }
            let out = p
                .iter()
                .filter(|q| q.revents != 0)
                .map(|q| {
                    vm.new_tuple(vec![
                        Value::Int(q.fd as i64),
                        Value::Int(q.revents as u16 as i64),
                    ])
                })
                .collect();
            Ok(Some(vm.new_list(out)))
        },
        |vm| vm.new_list(Vec::new()),
    )
}

/// `_epoll_create()`: a new epoll descriptor (close-on-exec).
/// The outcome of a non-blocking `poll`/`epoll_wait` that returned `n`: how many
/// descriptors are ready, `None` for none yet (or a signal, `EINTR`: the wait goes on and
/// the signal's handler runs), the `OSError` of any other failure.
fn ready_count(vm: &mut Vm, n: libc::c_int) -> PyResult<Option<usize>> {
    if n < 0 {
        let e = last_errno();
        if e == libc::EINTR {
            return Ok(None);
        }
        return Err(os_error(vm, e, None, None));
    }
    Ok((n > 0).then_some(n as usize))
}

fn epoll_create(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_epoll_create", 0, 0)?;
    // SAFETY: epoll_create1 with a flag.
    let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    if fd < 0 {
        return Err(os_error(vm, last_errno(), None, None));
    }
    Ok(Value::Int(fd as i64))
}

/// `_epoll_ctl(epfd, op, fd, events)`.
fn epoll_ctl(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_epoll_ctl", 4, 4)?;
    let epfd = int_arg(vm, &a, 0)? as i32;
    let op = int_arg(vm, &a, 1)? as i32;
    let fd = int_arg(vm, &a, 2)? as i32;
    let events = int_arg(vm, &a, 3)? as u32;
    let mut ev = libc::epoll_event {
        events,
        u64: fd as u32 as u64,
    };
    // SAFETY: `ev` is a valid epoll_event.
    if unsafe { libc::epoll_ctl(epfd, op, fd, &mut ev) } < 0 {
        return Err(os_error(vm, last_errno(), None, None));
    }
    Ok(Value::None)
}

/// `_epoll_wait(epfd, timeout, maxevents)`: `[(fd, events), ...]`, waiting up to
/// `timeout` seconds (`None`: until an event) while there is none.
fn epoll_wait(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_epoll_wait", 3, 3)?;
    let epfd = int_arg(vm, &a, 0)? as i32;
    let deadline = deadline_of(vm, &a.pos[1])?;
    let max = int_arg(vm, &a, 2)?.clamp(1, 1 << 20) as usize;
    wait_for(
        vm,
        vec![(epfd, libc::POLLIN)],
        deadline,
        move |vm| {
            let mut evs = vec![libc::epoll_event { events: 0, u64: 0 }; max];
            // SAFETY: `evs` has room for `max` events; a zero timeout never blocks.
            let n = unsafe { libc::epoll_wait(epfd, evs.as_mut_ptr(), max as i32, 0) };
            let Some(n) = ready_count(vm, n)? else {
                return Ok(None);
            };
            let out = evs[..n]
                .iter()
                .map(|e| {
                    let (fd, events) = (e.u64 as u32 as i32, e.events);
                    vm.new_tuple(vec![Value::Int(fd as i64), Value::Int(events as i64)])
                })
                .collect();
            Ok(Some(vm.new_list(out)))
        },
        |vm| vm.new_list(Vec::new()),
    )
}

/// `_close(fd)`.
fn close(vm: &mut Vm, a: Args) -> PyResult {
    let fd = int_arg(vm, &a, 0)? as i32;
    // SAFETY: closes a descriptor the module owns.
    if unsafe { libc::close(fd) } < 0 {
        return Err(os_error(vm, last_errno(), None, None));
    }
    Ok(Value::None)
}
