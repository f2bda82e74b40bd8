//! The operations of `_socket.socket`, as natives over a handle (`h`, the first argument):
//! creating, binding, connecting, accepting, sending, receiving, options and names.
//! Those that may block go through [`io_call`]; `_socket.aio` gives them their Python
//! signatures and defaults.

use super::addr::{sockaddr_arg, sockaddr_value, SockAddr};
use super::handle::{
    errno_error, fd_of, io_call, new_handle, ready_now, sock, step_of, wait_ready, Sock, Step,
};
use crate::fs::{last_errno, os_error};
use crate::process::int_arg;
use aio_vm::module::{bytes_of, new_bytes, to_f64, to_index};
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};
use num_traits::ToPrimitive;

/// A C `int` argument.
fn c_int(vm: &mut Vm, a: &Args, i: usize) -> PyResult<i32> {
    let n = int_arg(vm, a, i)?;
    i32::try_from(n).map_err(|_| {
        let msg = if n < 0 {
            "signed integer is less than minimum"
        } else {
            "signed integer is greater than maximum"
        };
        vm.new_overflow_error(msg)
    })
}

/// A bytes-like argument (`a bytes-like object is required, not 'str'`).
fn data_arg(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    bytes_of(v).ok_or_else(|| {
        vm.new_type_error(format!(
            "a bytes-like object is required, not '{}'",
            vm.type_name(v)
        ))
    })
}

/// The class of the handles, given as the first argument of `_open` (so each VM has its
/// own).
fn class_arg(vm: &mut Vm, v: &Value) -> PyResult<Obj> {
    match v {
        Value::Obj(o) if o.as_type().is_some() => Ok(o.clone()),
        _ => Err(vm.new_type_error("expected the socket handle class")),
    }
}

/// An integer socket option of `fd`, or the errno of the failure.
fn sockopt_int(fd: i32, level: i32, opt: i32) -> Result<i32, i32> {
    let mut v: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `v` has room for `len` bytes.
    let r = unsafe {
        libc::getsockopt(
            fd,
            level,
            opt,
            (&mut v as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    if r < 0 {
        Err(last_errno())
    } else {
        Ok(v)
    }
}

/// `_open(cls, family, type, proto, fileno)`: a new socket (or one over descriptor
/// `fileno`), as `_socket.socket.__init__`: `-1` for family, type or proto asks the
/// descriptor (or gives the defaults, `AF_INET`, `SOCK_STREAM`, 0).
pub(crate) fn open(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_open", 5, 5)?;
    let cls = class_arg(vm, &a.pos[0])?;
    let (mut family, mut kind, mut proto) =
        (c_int(vm, &a, 1)?, c_int(vm, &a, 2)?, c_int(vm, &a, 3)?);
    let fd = if a.pos[4].is_none() {
        if family == -1 {
            family = libc::AF_INET;
        }
        if kind == -1 {
            kind = libc::SOCK_STREAM;
        }
        if proto == -1 {
            proto = 0;
        }
        // SAFETY: socket(2) with plain integer arguments.
        let fd = unsafe { libc::socket(family, kind | libc::SOCK_CLOEXEC, proto) };
        if fd < 0 {
            return Err(errno_error(vm));
        }
        fd
    } else {
        let n = match &a.pos[4] {
            Value::Float(_) => {
                return Err(vm.new_type_error("'float' object cannot be interpreted as an integer"))
            }
            v => aio_vm::module::to_index_i64(vm, v)?,
        };
        if n < 0 {
            return Err(vm.new_value_error("negative file descriptor"));
        }
        let fd =
            i32::try_from(n).map_err(|_| vm.new_overflow_error("file descriptor out of range"))?;
        for (slot, opt) in [
            (&mut family, libc::SO_DOMAIN),
            (&mut kind, libc::SO_TYPE),
            (&mut proto, libc::SO_PROTOCOL),
        ] {
            if *slot == -1 {
                *slot = sockopt_int(fd, libc::SOL_SOCKET, opt)
                    .map_err(|e| os_error(vm, e, None, None))?;
            }
        }
        fd
    };
    let timeout = if kind & libc::SOCK_NONBLOCK != 0 {
        Some(0.0)
    } else {
        super::handle::default_timeout()
    };
    let kind = kind & !(libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC);
    Ok(new_handle(
        vm,
        &cls,
        Sock {
            fd,
            family,
            kind,
            proto,
            timeout,
        },
    ))
}

/// `_info(h)`: `(family, type, proto)`.
pub(crate) fn info(vm: &mut Vm, a: Args) -> PyResult {
    let s = sock(vm, &a.pos[0])?.borrow();
    let t = vec![
        Value::Int(s.family as i64),
        Value::Int(s.kind as i64),
        Value::Int(s.proto as i64),
    ];
    drop(s);
    Ok(vm.new_tuple(t))
}

/// `_fileno(h)`: the descriptor, `-1` once closed.
pub(crate) fn fileno(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int(fd_of(vm, &a.pos[0])? as i64))
}

/// `_close(h)`: closes the descriptor (a closed socket stays closed; `ECONNRESET` is not
/// an error, as in CPython).
pub(crate) fn close(vm: &mut Vm, a: Args) -> PyResult {
    let s = sock(vm, &a.pos[0])?;
    let fd = std::mem::replace(&mut s.borrow_mut().fd, -1);
    // SAFETY: the handle owned the descriptor, and no longer refers to it.
    if fd >= 0 && unsafe { libc::close(fd) } < 0 {
        let e = last_errno();
        if e != libc::ECONNRESET {
            return Err(os_error(vm, e, None, None));
        }
    }
    Ok(Value::None)
}

/// `_detach(h)`: the descriptor, which the handle no longer owns.
pub(crate) fn detach(vm: &mut Vm, a: Args) -> PyResult {
    let s = sock(vm, &a.pos[0])?;
    let fd = std::mem::replace(&mut s.borrow_mut().fd, -1);
    Ok(Value::Int(fd as i64))
}

/// A timeout argument as CPython's `socket_parse_timeout`: `None`, or non-negative
/// seconds.
pub(crate) fn parse_timeout(vm: &mut Vm, v: &Value) -> PyResult<Option<f64>> {
    let secs = match v {
        Value::None => return Ok(None),
        Value::Float(_) => {
            let d = to_f64(vm, v)?;
            if d.is_nan() {
                return Err(vm.new_value_error("Invalid value NaN (not a number)"));
            }
            if !(d * 1e9).is_finite() || (d * 1e9).abs() >= 9.223_372_036_854_776e18 {
                return Err(vm.new_overflow_error("timestamp out of range for platform time_t"));
            }
            d
        }
        _ => {
            let n = to_index(vm, v)?;
            match n.to_i64().and_then(|s| s.checked_mul(1_000_000_000)) {
                Some(_) => n.to_f64().unwrap_or(0.0),
                None => {
                    return Err(
                        vm.new_overflow_error("timestamp too large to convert to C _PyTime_t")
                    )
                }
            }
        }
    };
    if secs < 0.0 {
        return Err(vm.new_value_error("Timeout value out of range"));
    }
    Ok(Some(secs))
}

/// `_settimeout(h, timeout)`.
pub(crate) fn settimeout(vm: &mut Vm, a: Args) -> PyResult {
    let t = parse_timeout(vm, &a.pos[1])?;
    let s = sock(vm, &a.pos[0])?;
    if s.borrow().fd < 0 {
        // CPython changes the descriptor's mode, which fails on a closed socket.
        return Err(os_error(vm, libc::EBADF, None, None));
    }
    s.borrow_mut().timeout = t;
    Ok(Value::None)
}

/// `_gettimeout(h)`.
pub(crate) fn gettimeout(vm: &mut Vm, a: Args) -> PyResult {
    Ok(match sock(vm, &a.pos[0])?.borrow().timeout {
        Some(t) => Value::float(t),
        None => Value::None,
    })
}

/// The family of handle `h`.
fn family_of(vm: &mut Vm, h: &Value) -> PyResult<i32> {
    Ok(sock(vm, h)?.borrow().family)
}

/// `_bind(h, address)`.
pub(crate) fn bind(vm: &mut Vm, a: Args) -> PyResult {
    let h = &a.pos[0];
    let family = family_of(vm, h)?;
    let sa = sockaddr_arg(vm, family, &a.pos[1], "bind")?;
    let fd = fd_of(vm, h)?;
    // SAFETY: `sa` is a valid address of its length.
    if unsafe { libc::bind(fd, sa.ptr(), sa.len) } < 0 {
        return Err(errno_error(vm));
    }
    Ok(Value::None)
}

/// `_listen(h, backlog)` (a negative backlog counts as 0, as in CPython).
pub(crate) fn listen(vm: &mut Vm, a: Args) -> PyResult {
    let backlog = c_int(vm, &a, 1)?.max(0);
    let fd = fd_of(vm, &a.pos[0])?;
    // SAFETY: listen(2) on a descriptor.
    if unsafe { libc::listen(fd, backlog) } < 0 {
        return Err(errno_error(vm));
    }
    Ok(Value::None)
}

/// `_accept(h)`: `(fd, address)` of a new connection.
pub(crate) fn accept(vm: &mut Vm, a: Args) -> PyResult {
    io_call(vm, &a.pos[0], libc::POLLIN, |vm, fd| {
        let mut sa = SockAddr::empty();
        // SAFETY: `sa` has room for any address; its length is updated.
        let r = unsafe { libc::accept4(fd, sa.mut_ptr(), &mut sa.len, libc::SOCK_CLOEXEC) };
        step_of(vm, r as isize, |vm, n| {
            let addr = sockaddr_value(vm, &sa);
            Ok(vm.new_tuple(vec![Value::Int(n as i64), addr]))
        })
    })
}

/// `_connect(h, address, ex)`: connects, waiting as a blocking call does. With `ex` true
/// (`connect_ex`), a failure is returned as its errno instead of raised (0: connected).
pub(crate) fn connect(vm: &mut Vm, a: Args) -> PyResult {
    let h = &a.pos[0];
    let ex = vm.is_true(&a.pos[2])?;
    let family = family_of(vm, h)?;
    let sa = sockaddr_arg(
        vm,
        family,
        &a.pos[1],
        if ex { "connect_ex" } else { "connect" },
    )?;
    let (fd, timeout) = {
        let s = sock(vm, h)?.borrow();
        (s.fd, s.timeout)
    };
    let fail = |vm: &mut Vm, e: i32| -> PyResult {
        if ex {
            Ok(Value::Int(e as i64))
        } else {
            Err(os_error(vm, e, None, None))
        }
    };
    let mut err;
    loop {
        // SAFETY: `sa` is a valid address of its length.
        let r = unsafe { libc::connect(fd, sa.ptr(), sa.len) };
        if r == 0 {
            return Ok(if ex { Value::Int(0) } else { Value::None });
        }
        err = last_errno();
        if err != libc::EINTR {
            break;
        }
        vm.check_wait_interrupted()?;
    }
    if err != libc::EINPROGRESS || timeout == Some(0.0) {
        return fail(vm, err);
    }
    // Once writable, connecting again tells how it went (0 or EISCONN: connected), and
    // leaves the socket as a blocking connect would (a refused socket can try again).
    let r = wait_ready(vm, h, fd, libc::POLLOUT, timeout, move |vm, fd| {
        if fd >= 0 && !ready_now(fd, libc::POLLOUT) {
            return Step::Again;
        }
        // SAFETY: `sa` is a valid address of its length.
        let e = match unsafe { libc::connect(fd, sa.ptr(), sa.len) } {
            0 => 0,
            _ => last_errno(),
        };
        Step::Done(match e {
            0 | libc::EISCONN => Ok(if ex { Value::Int(0) } else { Value::None }),
            libc::EINPROGRESS | libc::EALREADY | libc::EINTR => return Step::Again,
            e if ex => Ok(Value::Int(e as i64)),
            e => Err(os_error(vm, e, None, None)),
        })
    });
    match r {
        Err(e) if ex && is_timeout(vm, &e) => Ok(Value::Int(libc::EWOULDBLOCK as i64)),
        r => r,
    }
}

/// Sending flags: the script's, and `MSG_NOSIGNAL` (a closed peer is `BrokenPipeError`,
/// never `SIGPIPE`, as in CPython, which ignores that signal).
fn send_flags(flags: i32) -> i32 {
    flags | libc::MSG_NOSIGNAL
}

/// `_send(h, data, flags)`: how many bytes went out.
pub(crate) fn send(vm: &mut Vm, a: Args) -> PyResult {
    let data = data_arg(vm, &a.pos[1])?;
    let flags = send_flags(c_int(vm, &a, 2)?);
    io_call(vm, &a.pos[0], libc::POLLOUT, move |vm, fd| {
        // SAFETY: `data` is a valid buffer of its length.
        let r = unsafe { libc::send(fd, data.as_ptr().cast(), data.len(), flags) };
        step_of(vm, r, |_, n| Ok(Value::Int(n as i64)))
    })
}

/// `_sendall(h, data, flags)`: sends everything, waiting while the socket is full; the
/// timeout bounds the whole call.
pub(crate) fn sendall(vm: &mut Vm, a: Args) -> PyResult {
    let data = data_arg(vm, &a.pos[1])?;
    let flags = send_flags(c_int(vm, &a, 2)?);
    let mut off = 0usize;
    io_call(vm, &a.pos[0], libc::POLLOUT, move |vm, fd| loop {
        if off >= data.len() {
            return Step::Done(Ok(Value::None));
        }
        let rest = &data[off..];
        // SAFETY: `rest` is a valid buffer of its length.
        let r = unsafe { libc::send(fd, rest.as_ptr().cast(), rest.len(), flags) };
        if r >= 0 {
            off += r as usize;
            continue;
        }
        match last_errno() {
            libc::EAGAIN | libc::EINTR => return Step::Again,
            e => return Step::Done(Err(os_error(vm, e, None, None))),
        }
    })
}

/// `_sendto(h, data, flags, address)`.
pub(crate) fn sendto(vm: &mut Vm, a: Args) -> PyResult {
    let h = &a.pos[0];
    let data = data_arg(vm, &a.pos[1])?;
    let flags = send_flags(c_int(vm, &a, 2)?);
    let family = family_of(vm, h)?;
    let sa = sockaddr_arg(vm, family, &a.pos[3], "sendto")?;
    io_call(vm, h, libc::POLLOUT, move |vm, fd| {
        // SAFETY: `data` and `sa` are valid for their lengths.
        let r = unsafe {
            libc::sendto(
                fd,
                data.as_ptr().cast(),
                data.len(),
                flags,
                sa.ptr(),
                sa.len,
            )
        };
        step_of(vm, r, |_, n| Ok(Value::Int(n as i64)))
    })
}

/// A receive size argument (`negative buffersize in recv`).
fn size_arg(vm: &mut Vm, a: &Args, i: usize, fname: &str) -> PyResult<usize> {
    let n = int_arg(vm, a, i)?;
    if n < 0 {
        return Err(vm.new_value_error(format!("negative buffersize in {fname}")));
    }
    Ok(n as usize)
}

/// `_recv(h, bufsize, flags)`: the bytes received (empty at the end of the stream).
pub(crate) fn recv(vm: &mut Vm, a: Args) -> PyResult {
    let n = size_arg(vm, &a, 1, "recv")?;
    let flags = c_int(vm, &a, 2)?;
    io_call(vm, &a.pos[0], libc::POLLIN, move |vm, fd| {
        let mut buf = vec![0u8; n];
        // SAFETY: `buf` has room for `n` bytes.
        let r = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), n, flags) };
        step_of(vm, r, |vm, got| {
            buf.truncate(got);
            Ok(new_bytes(vm, buf))
        })
    })
}

/// `_recvfrom(h, bufsize, flags)`: `(bytes, address)`.
pub(crate) fn recvfrom(vm: &mut Vm, a: Args) -> PyResult {
    let n = size_arg(vm, &a, 1, "recvfrom")?;
    let flags = c_int(vm, &a, 2)?;
    io_call(vm, &a.pos[0], libc::POLLIN, move |vm, fd| {
        let mut buf = vec![0u8; n];
        let mut sa = SockAddr::empty();
        // SAFETY: `buf` has room for `n` bytes, `sa` for any address.
        let r = unsafe {
            libc::recvfrom(
                fd,
                buf.as_mut_ptr().cast(),
                n,
                flags,
                sa.mut_ptr(),
                &mut sa.len,
            )
        };
        step_of(vm, r, |vm, got| {
            buf.truncate(got);
            let data = new_bytes(vm, buf);
            let addr = sockaddr_value(vm, &sa);
            Ok(vm.new_tuple(vec![data, addr]))
        })
    })
}

/// `_shutdown(h, how)`.
pub(crate) fn shutdown(vm: &mut Vm, a: Args) -> PyResult {
    let how = c_int(vm, &a, 1)?;
    let fd = fd_of(vm, &a.pos[0])?;
    // SAFETY: shutdown(2) on a descriptor.
    if unsafe { libc::shutdown(fd, how) } < 0 {
        return Err(errno_error(vm));
    }
    Ok(Value::None)
}

/// `_setsockopt(h, level, option, value, optlen)`: an int value, a bytes-like value, or
/// `None` with `optlen`.
pub(crate) fn setsockopt(vm: &mut Vm, a: Args) -> PyResult {
    let fd = fd_of(vm, &a.pos[0])?;
    let (level, opt) = (c_int(vm, &a, 1)?, c_int(vm, &a, 2)?);
    let buf: Vec<u8> = match &a.pos[3] {
        Value::None => {
            let n = c_int(vm, &a, 4)?;
            // SAFETY: a NULL option value of length `n` (as CPython passes it).
            let r =
                unsafe { libc::setsockopt(fd, level, opt, std::ptr::null(), n as libc::socklen_t) };
            if r < 0 {
                return Err(errno_error(vm));
            }
            return Ok(Value::None);
        }
        v @ (Value::Int(_) | Value::Bool(_)) => {
            let n = aio_vm::module::to_index_i64(vm, v)?;
            (n as i32).to_ne_bytes().to_vec()
        }
        v => match aio_vm::module::as_int(v) {
            Some(_) => {
                return Err(vm.new_overflow_error("Python int too large to convert to C int"))
            }
            None => data_arg(vm, v)?,
        },
    };
    // SAFETY: `buf` is valid for its length.
    let r = unsafe {
        libc::setsockopt(
            fd,
            level,
            opt,
            buf.as_ptr().cast(),
            buf.len() as libc::socklen_t,
        )
    };
    if r < 0 {
        return Err(errno_error(vm));
    }
    Ok(Value::None)
}

/// `_getsockopt(h, level, option, buflen)`: an int (`buflen` `None`), or up to `buflen`
/// bytes.
pub(crate) fn getsockopt(vm: &mut Vm, a: Args) -> PyResult {
    let fd = fd_of(vm, &a.pos[0])?;
    let (level, opt) = (c_int(vm, &a, 1)?, c_int(vm, &a, 2)?);
    if a.pos[3].is_none() {
        return match sockopt_int(fd, level, opt) {
            Ok(v) => Ok(Value::Int(v as i64)),
            Err(e) => Err(os_error(vm, e, None, None)),
        };
    }
    let n = c_int(vm, &a, 3)?;
    if n <= 0 || n > 1024 {
        let cls = vm.exc.os_error.clone();
        return Err(vm.new_exception_msg(&cls, "getsockopt buflen out of range"));
    }
    let mut buf = vec![0u8; n as usize];
    let mut len = n as libc::socklen_t;
    // SAFETY: `buf` has room for `len` bytes.
    if unsafe { libc::getsockopt(fd, level, opt, buf.as_mut_ptr().cast(), &mut len) } < 0 {
        return Err(errno_error(vm));
    }
    buf.truncate(len as usize);
    Ok(new_bytes(vm, buf))
}

/// `_getsockname(h)` and `_getpeername(h)`.
fn name_of(
    vm: &mut Vm,
    a: &Args,
    f: unsafe extern "C" fn(i32, *mut libc::sockaddr, *mut libc::socklen_t) -> i32,
) -> PyResult {
    let fd = fd_of(vm, &a.pos[0])?;
    let mut sa = SockAddr::empty();
    // SAFETY: `sa` has room for any address; its length is updated.
    if unsafe { f(fd, sa.mut_ptr(), &mut sa.len) } < 0 {
        return Err(errno_error(vm));
    }
    if sa.len == 0 {
        // An unnamed AF_UNIX socket: CPython reports the empty path.
        let family = family_of(vm, &a.pos[0])?;
        if family == libc::AF_UNIX {
            return Ok(Value::str(""));
        }
    }
    Ok(sockaddr_value(vm, &sa))
}

/// `_getsockname(h)`: the socket's own address.
pub(crate) fn getsockname(vm: &mut Vm, a: Args) -> PyResult {
    name_of(vm, &a, libc::getsockname)
}

/// `_getpeername(h)`: the address of the connected peer.
pub(crate) fn getpeername(vm: &mut Vm, a: Args) -> PyResult {
    name_of(vm, &a, libc::getpeername)
}

/// `socketpair(family, type, proto)`: two connected descriptors.
pub(crate) fn socketpair(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_socketpair", 3, 3)?;
    let (family, kind, proto) = (c_int(vm, &a, 0)?, c_int(vm, &a, 1)?, c_int(vm, &a, 2)?);
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` has room for two descriptors.
    if unsafe { libc::socketpair(family, kind | libc::SOCK_CLOEXEC, proto, fds.as_mut_ptr()) } < 0 {
        return Err(errno_error(vm));
    }
    Ok(vm.new_tuple(vec![Value::Int(fds[0] as i64), Value::Int(fds[1] as i64)]))
}

/// `dup(fd)`: a new descriptor (not inheritable) for the same socket.
pub(crate) fn dup(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "dup", 1, 1)?;
    let fd = c_int(vm, &a, 0)?;
    // SAFETY: fcntl(F_DUPFD_CLOEXEC) on a descriptor.
    let n = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    if n < 0 {
        return Err(errno_error(vm));
    }
    Ok(Value::Int(n as i64))
}

/// `close(fd)`: closes a socket descriptor (`ECONNRESET` is not an error).
pub(crate) fn close_fd(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "close", 1, 1)?;
    let fd = c_int(vm, &a, 0)?;
    // SAFETY: closes the descriptor the script named.
    if unsafe { libc::close(fd) } < 0 && last_errno() != libc::ECONNRESET {
        return Err(errno_error(vm));
    }
    Ok(Value::None)
}

/// `getdefaulttimeout()`.
pub(crate) fn getdefaulttimeout(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "getdefaulttimeout", 0, 0)?;
    Ok(super::handle::default_timeout().map_or(Value::None, Value::float))
}

/// `setdefaulttimeout(timeout)`.
pub(crate) fn setdefaulttimeout(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "setdefaulttimeout", 1, 1)?;
    let t = parse_timeout(vm, &a.pos[0])?;
    super::handle::set_default_timeout(t);
    Ok(Value::None)
}

/// Whether a wait failed because its timeout passed (`connect_ex` returns that).
fn is_timeout(vm: &mut Vm, e: &Obj) -> bool {
    let cls = vm.exc.timeout_error.clone();
    vm.is_instance_of(e, &cls)
}
