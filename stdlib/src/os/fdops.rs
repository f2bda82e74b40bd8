//! The `os` functions over file descriptors: `dup`, `dup2`, `closerange`, blocking mode,
//! `pipe2`, syncing, `ftruncate`, positioned and vectored I/O, `sendfile`,
//! `copy_file_range`, `lockf`, `posix_fallocate`/`posix_fadvise`, `fchmod`, `fchown`,
//! `fchdir` and `ttyname`.

use super::args::{c_int, c_long, err, fildes, flag, last_err};
use aio_vm::module::{bytes_of, new_bytes, sequence_items, ModuleBuilder};
use aio_vm::native::{Args, NativeFn};
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};

/// Fails with the current `errno` when `r` is negative.
fn check(vm: &mut Vm, r: i64) -> PyResult<i64> {
    if r < 0 {
        Err(last_err(vm))
    } else {
        Ok(r)
    }
}

/// Runs `f` again while it fails with `EINTR` (running signal handlers between tries), as
/// CPython does; the result or the `OSError`.
fn retry(vm: &mut Vm, mut f: impl FnMut() -> i64) -> PyResult<i64> {
    loop {
        let r = f();
        if r >= 0 {
            return Ok(r);
        }
        let e = super::args::errno();
        if e != libc::EINTR {
            return Err(err(vm, e, None, None));
        }
        vm.check_wait_interrupted()?;
    }
}

fn req(v: Option<Value>) -> Value {
    v.expect("a required argument")
}

/// `os.dup(fd, /)`: a new non-inheritable descriptor for the same file.
fn dup(vm: &mut Vm, a: Args) -> PyResult {
    let [fd] = a.clinic(vm, "dup", 1, 1, ["fd"])?;
    let fd = c_int(vm, &req(fd))?;
    // SAFETY: duplicating a descriptor number; a bad one fails with EBADF.
    let r = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    Ok(Value::Int(check(vm, r as i64)?))
}

/// `os.dup2(fd, fd2, inheritable=True)`: `fd2`, now a copy of `fd`.
fn dup2(vm: &mut Vm, a: Args) -> PyResult {
    let [fd, fd2, inh] = a.clinic(vm, "dup2", 0, 2, ["fd", "fd2", "inheritable"])?;
    let fd = c_int(vm, &req(fd))?;
    let fd2 = c_int(vm, &req(fd2))?;
    let inheritable = flag(vm, inh.as_ref(), true)?;
    // SAFETY: plain system calls on descriptor numbers.
    let r = unsafe {
        if inheritable || fd == fd2 {
            libc::dup2(fd, fd2)
        } else {
            libc::dup3(fd, fd2, libc::O_CLOEXEC)
        }
    };
    Ok(Value::Int(check(vm, r as i64)?))
}

/// `os.closerange(fd_low, fd_high, /)`: closes every descriptor in the range, ignoring
/// errors.
fn closerange(vm: &mut Vm, a: Args) -> PyResult {
    let [lo, hi] = a.clinic(vm, "closerange", 2, 2, ["fd_low", "fd_high"])?;
    let lo = c_int(vm, &req(lo))?.max(0);
    let hi = c_int(vm, &req(hi))?;
    for fd in lo..hi {
        // SAFETY: closing descriptor numbers; errors are ignored as in CPython.
        unsafe { libc::close(fd) };
    }
    Ok(Value::None)
}

/// A descriptor's `F_GETFL` flags.
fn fl_flags(vm: &mut Vm, fd: i32) -> PyResult<i32> {
    // SAFETY: F_GETFL reads a descriptor's flags; a bad descriptor fails with EBADF.
    let f = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    Ok(check(vm, f as i64)? as i32)
}

/// `os.get_blocking(fd, /)`: whether `O_NONBLOCK` is clear.
fn get_blocking(vm: &mut Vm, a: Args) -> PyResult {
    let [fd] = a.clinic(vm, "get_blocking", 1, 1, ["fd"])?;
    let fd = c_int(vm, &req(fd))?;
    Ok(Value::bool(fl_flags(vm, fd)? & libc::O_NONBLOCK == 0))
}

/// `os.set_blocking(fd, blocking, /)`: clears or sets `O_NONBLOCK`.
fn set_blocking(vm: &mut Vm, a: Args) -> PyResult {
    let [fd, b] = a.clinic(vm, "set_blocking", 2, 2, ["fd", "blocking"])?;
    let fd = c_int(vm, &req(fd))?;
    let blocking = flag(vm, b.as_ref(), true)?;
    let f = fl_flags(vm, fd)?;
    let new = if blocking {
        f & !libc::O_NONBLOCK
    } else {
        f | libc::O_NONBLOCK
    };
    // SAFETY: F_SETFL writes the flags just read, with O_NONBLOCK changed.
    let r = unsafe { libc::fcntl(fd, libc::F_SETFL, new) };
    check(vm, r as i64)?;
    Ok(Value::None)
}

/// `os.pipe2(flags, /)`: `(read_fd, write_fd)` opened with `flags`.
fn pipe2(vm: &mut Vm, a: Args) -> PyResult {
    let [flags] = a.clinic(vm, "pipe2", 1, 1, ["flags"])?;
    let flags = c_int(vm, &req(flags))?;
    let mut fds = [0i32; 2];
    // SAFETY: `fds` has room for the two descriptors.
    let r = unsafe { libc::pipe2(fds.as_mut_ptr(), flags) };
    check(vm, r as i64)?;
    Ok(vm.new_tuple(vec![Value::Int(fds[0] as i64), Value::Int(fds[1] as i64)]))
}

/// `os.fsync(fd)` and `os.fdatasync(fd)`: `fd` may be an object with `fileno()`.
fn sync_fd(vm: &mut Vm, a: Args, name: &str, data_only: bool) -> PyResult {
    let [fd] = a.clinic(vm, name, 0, 1, ["fd"])?;
    let fd = fildes(vm, &req(fd))?;
    // SAFETY: plain system calls on a descriptor number.
    retry(vm, || unsafe {
        (if data_only {
            libc::fdatasync(fd)
        } else {
            libc::fsync(fd)
        }) as i64
    })?;
    Ok(Value::None)
}

/// `os.ftruncate(fd, length, /)`.
fn ftruncate(vm: &mut Vm, a: Args) -> PyResult {
    let [fd, len] = a.clinic(vm, "ftruncate", 2, 2, ["fd", "length"])?;
    let fd = c_int(vm, &req(fd))?;
    let len = c_long(vm, &req(len))?;
    // SAFETY: a system call on a descriptor number.
    retry(vm, || unsafe {
        libc::ftruncate(fd, len as libc::off_t) as i64
    })?;
    Ok(Value::None)
}

/// `os.pread(fd, length, offset, /)`: up to `length` bytes read at `offset`.
fn pread(vm: &mut Vm, a: Args) -> PyResult {
    let [fd, len, off] = a.clinic(vm, "pread", 3, 3, ["fd", "length", "offset"])?;
    let fd = c_int(vm, &req(fd))?;
    let len = c_long(vm, &req(len))?;
    let off = c_long(vm, &req(off))?;
    if len < 0 {
        return Err(err(vm, libc::EINVAL, None, None));
    }
    let mut buf = vec![0u8; len as usize];
    // SAFETY: `buf` has room for `len` bytes.
    let n = retry(vm, || unsafe {
        libc::pread(fd, buf.as_mut_ptr().cast(), buf.len(), off as libc::off_t) as i64
    })?;
    buf.truncate(n as usize);
    Ok(new_bytes(vm, buf))
}

/// The bytes of a bytes-like argument, or CPython's `TypeError`.
fn buffer(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    match bytes_of(v) {
        Some(b) => Ok(b),
        None => {
            let t = vm.type_name(v);
            Err(vm.new_type_error(format!("a bytes-like object is required, not '{t}'")))
        }
    }
}

/// `os.pwrite(fd, buffer, offset, /)`: the number of bytes written at `offset`.
fn pwrite(vm: &mut Vm, a: Args) -> PyResult {
    let [fd, data, off] = a.clinic(vm, "pwrite", 3, 3, ["fd", "buffer", "offset"])?;
    let fd = c_int(vm, &req(fd))?;
    let data = buffer(vm, &req(data))?;
    let off = c_long(vm, &req(off))?;
    // SAFETY: `data` is a valid buffer of its length.
    let n = retry(vm, || unsafe {
        libc::pwrite(fd, data.as_ptr().cast(), data.len(), off as libc::off_t) as i64
    })?;
    Ok(Value::Int(n))
}

/// The items of a buffers argument (`readv`, `writev`).
fn buffers(vm: &mut Vm, v: &Value, fname: &str) -> PyResult<Vec<Value>> {
    match sequence_items(v) {
        Some(items) => Ok(items),
        None => Err(vm.new_type_error(format!("{fname}() arg 2 must be a sequence"))),
    }
}

/// `os.writev(fd, buffers, /)`: writes the buffers in order; the number of bytes written.
fn writev(vm: &mut Vm, a: Args) -> PyResult {
    let [fd, bufs] = a.clinic(vm, "writev", 2, 2, ["fd", "buffers"])?;
    let fd = c_int(vm, &req(fd))?;
    let items = buffers(vm, &req(bufs), "writev")?;
    let mut datas = Vec::with_capacity(items.len());
    for it in &items {
        datas.push(buffer(vm, it)?);
    }
    let iov: Vec<libc::iovec> = datas
        .iter()
        .map(|d| libc::iovec {
            iov_base: d.as_ptr() as *mut libc::c_void,
            iov_len: d.len(),
        })
        .collect();
    // SAFETY: every iovec points into a live buffer of `datas`.
    let n = retry(vm, || unsafe {
        libc::writev(fd, iov.as_ptr(), iov.len() as libc::c_int) as i64
    })?;
    Ok(Value::Int(n))
}

/// `os.readv(fd, buffers, /)`: fills the `bytearray`s in order; the number of bytes read.
fn readv(vm: &mut Vm, a: Args) -> PyResult {
    let [fd, bufs] = a.clinic(vm, "readv", 2, 2, ["fd", "buffers"])?;
    let fd = c_int(vm, &req(fd))?;
    let items = buffers(vm, &req(bufs), "readv")?;
    let mut targets = Vec::with_capacity(items.len());
    for it in &items {
        match it {
            Value::Obj(o) if matches!(o.payload, Payload::ByteArray(_)) => targets.push(o.clone()),
            _ => {
                let t = vm.type_name(it);
                return Err(vm.new_type_error(format!(
                    "readv() argument 2 must be read-write bytes-like object, not {t}"
                )));
            }
        }
    }
    let mut scratch: Vec<Vec<u8>> = targets
        .iter()
        .map(|o| match &o.payload {
            Payload::ByteArray(b) => vec![0u8; b.borrow().len()],
            _ => Vec::new(),
        })
        .collect();
    let iov: Vec<libc::iovec> = scratch
        .iter_mut()
        .map(|d| libc::iovec {
            iov_base: d.as_mut_ptr().cast(),
            iov_len: d.len(),
        })
        .collect();
    // SAFETY: every iovec points into a live buffer of `scratch`.
    let n = retry(vm, || unsafe {
        libc::readv(fd, iov.as_ptr(), iov.len() as libc::c_int) as i64
    })?;
    let mut left = n as usize;
    for (o, s) in targets.iter().zip(&scratch) {
        let k = left.min(s.len());
        if let Payload::ByteArray(b) = &o.payload {
            b.borrow_mut()[..k].copy_from_slice(&s[..k]);
        }
        left -= k;
    }
    Ok(Value::Int(n))
}

/// An optional offset argument (`None`: the descriptor's own position).
fn opt_off(vm: &mut Vm, v: Option<&Value>) -> PyResult<Option<i64>> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(v) => c_long(vm, v).map(Some),
    }
}

/// `os.sendfile(out_fd, in_fd, offset, count)`: bytes copied by the kernel.
fn sendfile(vm: &mut Vm, a: Args) -> PyResult {
    let [out, inp, off, count] =
        a.clinic(vm, "sendfile", 0, 4, ["out_fd", "in_fd", "offset", "count"])?;
    let out = c_int(vm, &req(out))?;
    let inp = c_int(vm, &req(inp))?;
    let mut off = opt_off(vm, off.as_ref())?;
    let count = c_long(vm, &req(count))?;
    let n = retry(vm, || {
        let p = match off.as_mut() {
            Some(o) => o as *mut i64 as *mut libc::off_t,
            None => std::ptr::null_mut(),
        };
        // SAFETY: `p` is null or points at a live offset.
        unsafe { libc::sendfile(out, inp, p, count as usize) as i64 }
    })?;
    Ok(Value::Int(n))
}

/// `os.copy_file_range(src, dst, count, offset_src=None, offset_dst=None)`.
fn copy_file_range(vm: &mut Vm, a: Args) -> PyResult {
    let [src, dst, count, os_, od] = a.clinic(
        vm,
        "copy_file_range",
        0,
        3,
        ["src", "dst", "count", "offset_src", "offset_dst"],
    )?;
    let src = c_int(vm, &req(src))?;
    let dst = c_int(vm, &req(dst))?;
    let count = c_long(vm, &req(count))?;
    if count < 0 {
        return Err(vm.new_value_error("negative value for 'count' not allowed"));
    }
    let mut os_ = opt_off(vm, os_.as_ref())?;
    let mut od = opt_off(vm, od.as_ref())?;
    let n = retry(vm, || {
        let ptr = |o: &mut Option<i64>| match o.as_mut() {
            Some(o) => o as *mut i64 as *mut libc::loff_t,
            None => std::ptr::null_mut(),
        };
        let (ps, pd) = (ptr(&mut os_), ptr(&mut od));
        // SAFETY: the offset pointers are null or point at live offsets.
        unsafe { libc::copy_file_range(src, ps, dst, pd, count as usize, 0) as i64 }
    })?;
    Ok(Value::Int(n))
}

/// `os.lockf(fd, command, length, /)`.
fn lockf(vm: &mut Vm, a: Args) -> PyResult {
    let [fd, cmd, len] = a.clinic(vm, "lockf", 3, 3, ["fd", "command", "length"])?;
    let fd = c_int(vm, &req(fd))?;
    let cmd = c_int(vm, &req(cmd))?;
    let len = c_long(vm, &req(len))?;
    // SAFETY: a system call on a descriptor number.
    retry(vm, || unsafe {
        libc::lockf(fd, cmd, len as libc::off_t) as i64
    })?;
    Ok(Value::None)
}

/// `os.posix_fallocate(fd, offset, length, /)` and `os.posix_fadvise(fd, offset, length,
/// advice, /)`, which report their error as the result rather than in `errno`.
fn posix_fallocate(vm: &mut Vm, a: Args) -> PyResult {
    let [fd, off, len] = a.clinic(vm, "posix_fallocate", 3, 3, ["fd", "offset", "length"])?;
    let fd = c_int(vm, &req(fd))?;
    let off = c_long(vm, &req(off))?;
    let len = c_long(vm, &req(len))?;
    loop {
        // SAFETY: a system call on a descriptor number.
        let r = unsafe { libc::posix_fallocate(fd, off as libc::off_t, len as libc::off_t) };
        match r {
            0 => return Ok(Value::None),
            libc::EINTR => vm.check_wait_interrupted()?,
            e => return Err(err(vm, e, None, None)),
        }
    }
}

fn posix_fadvise(vm: &mut Vm, a: Args) -> PyResult {
    let [fd, off, len, adv] = a.clinic(
        vm,
        "posix_fadvise",
        4,
        4,
        ["fd", "offset", "length", "advice"],
    )?;
    let fd = c_int(vm, &req(fd))?;
    let off = c_long(vm, &req(off))?;
    let len = c_long(vm, &req(len))?;
    let adv = c_int(vm, &req(adv))?;
    loop {
        // SAFETY: a system call on a descriptor number.
        let r = unsafe { libc::posix_fadvise(fd, off as libc::off_t, len as libc::off_t, adv) };
        match r {
            0 => return Ok(Value::None),
            libc::EINTR => vm.check_wait_interrupted()?,
            e => return Err(err(vm, e, None, None)),
        }
    }
}

/// `os.fchmod(fd, mode)`.
fn fchmod(vm: &mut Vm, a: Args) -> PyResult {
    let [fd, mode] = a.clinic(vm, "fchmod", 0, 2, ["fd", "mode"])?;
    let fd = c_int(vm, &req(fd))?;
    let mode = c_int(vm, &req(mode))?;
    // SAFETY: a system call on a descriptor number.
    retry(vm, || unsafe {
        libc::fchmod(fd, mode as libc::mode_t) as i64
    })?;
    Ok(Value::None)
}

/// A uid or gid argument (`-1`: unchanged).
pub(crate) fn id_arg(vm: &mut Vm, v: &Value, what: &str) -> PyResult<libc::uid_t> {
    if aio_vm::module::as_int(v).is_none() {
        let t = vm.type_name(v);
        return Err(vm.new_type_error(format!("{what} should be integer, not {t}")));
    }
    let n = c_long(vm, v)
        .map_err(|_| vm.new_overflow_error(format!("{what} is greater than maximum")))?;
    if n == -1 {
        return Ok(libc::uid_t::MAX);
    }
    libc::uid_t::try_from(n).map_err(|_| {
        if n < 0 {
            vm.new_overflow_error(format!("{what} is less than minimum"))
        } else {
            vm.new_overflow_error(format!("{what} is greater than maximum"))
        }
    })
}

/// `os.fchown(fd, uid, gid)`.
fn fchown(vm: &mut Vm, a: Args) -> PyResult {
    let [fd, uid, gid] = a.clinic(vm, "fchown", 0, 3, ["fd", "uid", "gid"])?;
    let fd = c_int(vm, &req(fd))?;
    let uid = id_arg(vm, &req(uid), "uid")?;
    let gid = id_arg(vm, &req(gid), "gid")?;
    // SAFETY: a system call on a descriptor number.
    retry(vm, || unsafe { libc::fchown(fd, uid, gid) as i64 })?;
    Ok(Value::None)
}

/// `os.fchdir(fd)`: `fd` may be an object with `fileno()`.
fn fchdir(vm: &mut Vm, a: Args) -> PyResult {
    let [fd] = a.clinic(vm, "fchdir", 0, 1, ["fd"])?;
    let fd = fildes(vm, &req(fd))?;
    // SAFETY: a system call on a descriptor number.
    retry(vm, || unsafe { libc::fchdir(fd) as i64 })?;
    Ok(Value::None)
}

/// `os.ttyname(fd, /)`: the terminal's device path.
fn ttyname(vm: &mut Vm, a: Args) -> PyResult {
    let [fd] = a.clinic(vm, "ttyname", 1, 1, ["fd"])?;
    let fd = c_int(vm, &req(fd))?;
    let mut buf = [0 as libc::c_char; 4096];
    // SAFETY: `buf` has room for a path and its NUL.
    let r = unsafe { libc::ttyname_r(fd, buf.as_mut_ptr(), buf.len()) };
    if r != 0 {
        return Err(err(vm, r, None, None));
    }
    // SAFETY: ttyname_r NUL-terminated the name within `buf`.
    let s = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
    Ok(Value::str(s.to_string_lossy().into_owned()))
}

/// Installs the descriptor functions into `os`.
pub(crate) fn install(vm: &mut Vm, m: &Obj) {
    let mut b = ModuleBuilder::new(vm, m);
    for (name, f) in [
        ("dup", dup as NativeFn),
        ("dup2", dup2),
        ("closerange", closerange),
        ("get_blocking", get_blocking),
        ("set_blocking", set_blocking),
        ("pipe2", pipe2),
        ("fsync", |vm, a| sync_fd(vm, a, "fsync", false)),
        ("fdatasync", |vm, a| sync_fd(vm, a, "fdatasync", true)),
        ("ftruncate", ftruncate),
        ("pread", pread),
        ("pwrite", pwrite),
        ("readv", readv),
        ("writev", writev),
        ("sendfile", sendfile),
        ("copy_file_range", copy_file_range),
        ("lockf", lockf),
        ("posix_fallocate", posix_fallocate),
        ("posix_fadvise", posix_fadvise),
        ("fchmod", fchmod),
        ("fchown", fchown),
        ("fchdir", fchdir),
        ("ttyname", ttyname),
    ] {
        b.function(name, f);
    }
}
