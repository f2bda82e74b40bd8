//! `fcntl`: `fcntl`, `ioctl`, `flock` and `lockf` through the C library, as CPython's C
//! module calls them. `fcntl.aio` turns file objects into descriptors and checks the
//! arguments with CPython's messages; the natives take a descriptor, a command and an int
//! or a byte buffer (copied in and out, at most 1024 bytes, as CPython's).

use crate::fs::{last_errno, os_error};
use crate::os::args::checked_int as int;
use aio_vm::module::{new_bytes, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};

/// Initialises `fcntl`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let mut b = ModuleBuilder::new(vm, m);
    b.function("_fcntl", fcntl)
        .function("_ioctl", ioctl)
        .function("_flock", flock)
        .function("_lockf", lockf);
    for (name, value) in [
        ("FD_CLOEXEC", libc::FD_CLOEXEC),
        ("F_DUPFD", libc::F_DUPFD),
        ("F_DUPFD_CLOEXEC", libc::F_DUPFD_CLOEXEC),
        ("F_GETFD", libc::F_GETFD),
        ("F_SETFD", libc::F_SETFD),
        ("F_GETFL", libc::F_GETFL),
        ("F_SETFL", libc::F_SETFL),
        ("F_GETLK", libc::F_GETLK),
        ("F_SETLK", libc::F_SETLK),
        ("F_SETLKW", libc::F_SETLKW),
        ("F_GETLK64", libc::F_GETLK),
        ("F_SETLK64", libc::F_SETLK),
        ("F_SETLKW64", libc::F_SETLKW),
        ("F_OFD_GETLK", libc::F_OFD_GETLK),
        ("F_OFD_SETLK", libc::F_OFD_SETLK),
        ("F_OFD_SETLKW", libc::F_OFD_SETLKW),
        ("F_GETOWN", libc::F_GETOWN),
        ("F_SETOWN", libc::F_SETOWN),
        ("F_GETSIG", 11),
        ("F_SETSIG", 10),
        ("F_RDLCK", libc::F_RDLCK),
        ("F_WRLCK", libc::F_WRLCK),
        ("F_UNLCK", libc::F_UNLCK),
        ("F_EXLCK", 4),
        ("F_SHLCK", 8),
        ("F_GETLEASE", libc::F_GETLEASE),
        ("F_SETLEASE", libc::F_SETLEASE),
        ("F_NOTIFY", libc::F_NOTIFY),
        ("F_GETPIPE_SZ", libc::F_GETPIPE_SZ),
        ("F_SETPIPE_SZ", libc::F_SETPIPE_SZ),
        ("F_ADD_SEALS", libc::F_ADD_SEALS),
        ("F_GET_SEALS", libc::F_GET_SEALS),
        ("F_SEAL_SEAL", libc::F_SEAL_SEAL),
        ("F_SEAL_SHRINK", libc::F_SEAL_SHRINK),
        ("F_SEAL_GROW", libc::F_SEAL_GROW),
        ("F_SEAL_WRITE", libc::F_SEAL_WRITE),
        ("FASYNC", libc::O_ASYNC),
        ("DN_ACCESS", 0x1),
        ("DN_MODIFY", 0x2),
        ("DN_CREATE", 0x4),
        ("DN_DELETE", 0x8),
        ("DN_RENAME", 0x10),
        ("DN_ATTRIB", 0x20),
        ("LOCK_SH", libc::LOCK_SH),
        ("LOCK_EX", libc::LOCK_EX),
        ("LOCK_NB", libc::LOCK_NB),
        ("LOCK_UN", libc::LOCK_UN),
        ("LOCK_MAND", 32),
        ("LOCK_READ", 64),
        ("LOCK_WRITE", 128),
        ("LOCK_RW", 192),
    ] {
        b.constant(name, Value::Int(value as i64));
    }
    b.constant("DN_MULTISHOT", Value::Int(0x8000_0000));
    crate::source::run(vm, m, &[("fcntl/fcntl.aio", include_str!("fcntl.aio"))])
}

/// Runs `call` with the int argument at 2, or with a copy of the bytes argument there
/// (then the result is the buffer as the call left it, as CPython returns it).
fn with_arg(vm: &mut Vm, a: &Args, call: impl Fn(libc::c_ulong) -> libc::c_int) -> PyResult {
    if let Some(data) = a.pos.get(2).and_then(aio_vm::builtins::bytes_of) {
        let mut buf = [0u8; 1024];
        buf[..data.len()].copy_from_slice(&data);
        if call(buf.as_mut_ptr() as libc::c_ulong) == -1 {
            return Err(os_error(vm, last_errno(), None, None));
        }
        return Ok(new_bytes(vm, buf[..data.len()].to_vec()));
    }
    let r = call(int(a, 2) as libc::c_ulong);
    if r == -1 {
        return Err(os_error(vm, last_errno(), None, None));
    }
    Ok(Value::Int(r as i64))
}

/// `_fcntl(fd, cmd, arg)`: `arg` an int or bytes of at most 1024.
fn fcntl(vm: &mut Vm, a: Args) -> PyResult {
    let (fd, cmd) = (int(&a, 0) as libc::c_int, int(&a, 1) as libc::c_int);
    // SAFETY: the argument is an int or points to a 1024-byte buffer, the most any
    // command reads or writes through it that CPython supports.
    with_arg(vm, &a, |arg| unsafe { libc::fcntl(fd, cmd, arg) })
}

/// `_ioctl(fd, request, arg)`: as `_fcntl`.
fn ioctl(vm: &mut Vm, a: Args) -> PyResult {
    let (fd, req) = (int(&a, 0) as libc::c_int, int(&a, 1) as libc::c_ulong);
    // SAFETY: as in `fcntl`.
    with_arg(vm, &a, |arg| unsafe { libc::ioctl(fd, req as _, arg) })
}

/// `_flock(fd, operation)`.
fn flock(vm: &mut Vm, a: Args) -> PyResult {
    // SAFETY: `flock` takes plain ints.
    if unsafe { libc::flock(int(&a, 0) as libc::c_int, int(&a, 1) as libc::c_int) } == -1 {
        return Err(os_error(vm, last_errno(), None, None));
    }
    Ok(Value::None)
}

/// `_lockf(fd, type, wait, len, start, whence)`: a POSIX record lock through `F_SETLK`
/// (or `F_SETLKW` when `wait`), as CPython implements `lockf`.
fn lockf(vm: &mut Vm, a: Args) -> PyResult {
    // SAFETY: an all-zero `flock` record is valid; the fields are set below.
    let mut l: libc::flock = unsafe { std::mem::zeroed() };
    l.l_type = int(&a, 1) as libc::c_short;
    l.l_len = int(&a, 3) as libc::off_t;
    l.l_start = int(&a, 4) as libc::off_t;
    l.l_whence = int(&a, 5) as libc::c_short;
    let cmd = if int(&a, 2) != 0 {
        libc::F_SETLKW
    } else {
        libc::F_SETLK
    };
    // SAFETY: `l` is a valid lock record for the call.
    if unsafe { libc::fcntl(int(&a, 0) as libc::c_int, cmd, &l) } == -1 {
        return Err(os_error(vm, last_errno(), None, None));
    }
    Ok(Value::None)
}
