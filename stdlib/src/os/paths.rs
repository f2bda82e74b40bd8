//! The `os` functions over paths (some also take an fd): `readlink`, `symlink`, `link`,
//! `truncate`, `mkfifo`, `chroot`, `statvfs`/`fstatvfs`, `pathconf`/`fpathconf` and
//! `system`, with CPython's path conversion and error filenames.

use super::args::{c_int, c_long, dir_fd, err, errno, flag, last_err, path, path_or_fd, PathOrFd};
use aio_vm::module::{int_value, new_bytes, ModuleBuilder};
use aio_vm::native::{Args, NativeFn};
use aio_vm::{Obj, PyResult, Value, Vm};
use num_bigint::BigInt;

fn req(v: Option<Value>) -> Value {
    v.expect("a required argument")
}

/// Fails with `errno` naming `file` (and `file2`) when `r` is not 0.
fn check(vm: &mut Vm, r: libc::c_int, file: &Value, file2: Option<&Value>) -> PyResult<()> {
    if r != 0 {
        return Err(err(vm, errno(), Some(file), file2));
    }
    Ok(())
}

/// `os.readlink(path, *, dir_fd=None)`: the link's target, bytes for a bytes path.
fn readlink(vm: &mut Vm, a: Args) -> PyResult {
    let [p, dfd] = a.clinic(vm, "readlink", 0, 1, ["path", "dir_fd"])?;
    let p = path(vm, &req(p), "readlink", "path")?;
    let dfd = dir_fd(vm, dfd.as_ref())?;
    let mut buf = vec![0u8; libc::PATH_MAX as usize + 1];
    // SAFETY: `buf` has room for `buf.len()` bytes; `p.c` is NUL-terminated.
    let n = unsafe { libc::readlinkat(dfd, p.c.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        return Err(err(vm, errno(), Some(&p.obj), None));
    }
    buf.truncate(n as usize);
    if p.bytes {
        return Ok(new_bytes(vm, buf));
    }
    Ok(Value::str(String::from_utf8_lossy(&buf).into_owned()))
}

/// `os.symlink(src, dst, target_is_directory=False, *, dir_fd=None)`.
fn symlink(vm: &mut Vm, a: Args) -> PyResult {
    let [src, dst, _dir, dfd] = a.clinic(
        vm,
        "symlink",
        0,
        2,
        ["src", "dst", "target_is_directory", "dir_fd"],
    )?;
    let src = path(vm, &req(src), "symlink", "src")?;
    let dst = path(vm, &req(dst), "symlink", "dst")?;
    let dfd = dir_fd(vm, dfd.as_ref())?;
    // SAFETY: both paths are NUL-terminated.
    let r = unsafe { libc::symlinkat(src.c.as_ptr(), dfd, dst.c.as_ptr()) };
    check(vm, r, &src.obj, Some(&dst.obj))?;
    Ok(Value::None)
}

/// `os.link(src, dst, *, src_dir_fd=None, dst_dir_fd=None, follow_symlinks=True)`.
fn link(vm: &mut Vm, a: Args) -> PyResult {
    let [src, dst, sfd, dfd, follow] = a.clinic(
        vm,
        "link",
        0,
        2,
        ["src", "dst", "src_dir_fd", "dst_dir_fd", "follow_symlinks"],
    )?;
    let src = path(vm, &req(src), "link", "src")?;
    let dst = path(vm, &req(dst), "link", "dst")?;
    let sfd = dir_fd(vm, sfd.as_ref())?;
    let dfd = dir_fd(vm, dfd.as_ref())?;
    let follow = flag(vm, follow.as_ref(), true)?;
    let fl = if follow { libc::AT_SYMLINK_FOLLOW } else { 0 };
    // SAFETY: both paths are NUL-terminated.
    let r = unsafe { libc::linkat(sfd, src.c.as_ptr(), dfd, dst.c.as_ptr(), fl) };
    check(vm, r, &src.obj, Some(&dst.obj))?;
    Ok(Value::None)
}

/// `os.truncate(path, length)`: `path` may be an fd.
fn truncate(vm: &mut Vm, a: Args) -> PyResult {
    let [p, len] = a.clinic(vm, "truncate", 0, 2, ["path", "length"])?;
    let p = path_or_fd(vm, &req(p), "truncate", "path", true)?;
    let len = c_long(vm, &req(len))?;
    match p {
        PathOrFd::Path(p) => {
            // SAFETY: `p.c` is NUL-terminated.
            let r = unsafe { libc::truncate(p.c.as_ptr(), len as libc::off_t) };
            check(vm, r, &p.obj, None)?;
        }
        PathOrFd::Fd(fd) => {
            // SAFETY: a system call on a descriptor number.
            if unsafe { libc::ftruncate(fd, len as libc::off_t) } != 0 {
                return Err(last_err(vm));
            }
        }
    }
    Ok(Value::None)
}

/// `os.mkfifo(path, mode=0o666, *, dir_fd=None)`.
fn mkfifo(vm: &mut Vm, a: Args) -> PyResult {
    let [p, mode, dfd] = a.clinic(vm, "mkfifo", 0, 1, ["path", "mode", "dir_fd"])?;
    let p = path(vm, &req(p), "mkfifo", "path")?;
    let mode = match mode {
        Some(m) => c_int(vm, &m)?,
        None => 0o666,
    };
    let dfd = dir_fd(vm, dfd.as_ref())?;
    // SAFETY: `p.c` is NUL-terminated.
    let r = unsafe { libc::mkfifoat(dfd, p.c.as_ptr(), mode as libc::mode_t) };
    if r != 0 {
        // CPython's error names no file here.
        return Err(last_err(vm));
    }
    Ok(Value::None)
}

/// `os.chroot(path)`.
fn chroot(vm: &mut Vm, a: Args) -> PyResult {
    let [p] = a.clinic(vm, "chroot", 0, 1, ["path"])?;
    let p = path(vm, &req(p), "chroot", "path")?;
    // SAFETY: `p.c` is NUL-terminated.
    let r = unsafe { libc::chroot(p.c.as_ptr()) };
    check(vm, r, &p.obj, None)?;
    Ok(Value::None)
}

/// The 11 values of a `statvfs` (the ten fields of the sequence, then `f_fsid`).
// The fields' widths differ between targets.
#[allow(clippy::unnecessary_cast)]
fn statvfs_tuple(vm: &mut Vm, s: &libc::statvfs) -> Value {
    let u = |vm: &mut Vm, n: u64| int_value(vm, BigInt::from(n));
    let items = vec![
        u(vm, s.f_bsize as u64),
        u(vm, s.f_frsize as u64),
        u(vm, s.f_blocks as u64),
        u(vm, s.f_bfree as u64),
        u(vm, s.f_bavail as u64),
        u(vm, s.f_files as u64),
        u(vm, s.f_ffree as u64),
        u(vm, s.f_favail as u64),
        u(vm, s.f_flag as u64),
        u(vm, s.f_namemax as u64),
        u(vm, s.f_fsid as u64),
    ];
    vm.new_tuple(items)
}

/// `_statvfs(path)` (a path or an fd): the values `os.statvfs_result` is built from.
fn statvfs(vm: &mut Vm, a: Args) -> PyResult {
    let [p] = a.clinic(vm, "statvfs", 0, 1, ["path"])?;
    let p = path_or_fd(vm, &req(p), "statvfs", "path", true)?;
    // SAFETY: statvfs is plain integers, valid zeroed.
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    match p {
        PathOrFd::Path(p) => {
            // SAFETY: `p.c` is NUL-terminated and `s` a valid out-parameter.
            let r = unsafe { libc::statvfs(p.c.as_ptr(), &mut s) };
            check(vm, r, &p.obj, None)?;
        }
        PathOrFd::Fd(fd) => {
            // SAFETY: `s` is a valid out-parameter.
            if unsafe { libc::fstatvfs(fd, &mut s) } != 0 {
                return Err(last_err(vm));
            }
        }
    }
    Ok(statvfs_tuple(vm, &s))
}

/// `_fstatvfs(fd)`.
fn fstatvfs(vm: &mut Vm, a: Args) -> PyResult {
    let [fd] = a.clinic(vm, "fstatvfs", 1, 1, ["fd"])?;
    let fd = c_int(vm, &req(fd))?;
    // SAFETY: statvfs is plain integers, valid zeroed.
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `s` is a valid out-parameter.
    if unsafe { libc::fstatvfs(fd, &mut s) } != 0 {
        return Err(last_err(vm));
    }
    Ok(statvfs_tuple(vm, &s))
}

/// `_pathconf(path, name)` (a path or an fd; `name` already a number): the limit, `-1`
/// for none.
fn pathconf(vm: &mut Vm, a: Args) -> PyResult {
    let p = path_or_fd(
        vm,
        a.get(0).unwrap_or(&Value::None),
        "pathconf",
        "path",
        true,
    )?;
    let name = c_int(vm, a.get(1).unwrap_or(&Value::None))?;
    // SAFETY: errno is thread-local; a limit of -1 with errno still 0 means "none".
    unsafe { *libc::__errno_location() = 0 };
    let (r, file) = match p {
        PathOrFd::Path(p) => {
            // SAFETY: `p.c` is NUL-terminated.
            (unsafe { libc::pathconf(p.c.as_ptr(), name) }, Some(p.obj))
        }
        // SAFETY: a system call on a descriptor number.
        PathOrFd::Fd(fd) => (unsafe { libc::fpathconf(fd, name) }, None),
    };
    if r == -1 && errno() != 0 {
        return Err(err(vm, errno(), file.as_ref(), None));
    }
    #[allow(clippy::unnecessary_cast)] // `c_long` is 32 bits on some targets.
    Ok(Value::Int(r as i64))
}

/// `os.system(command)`: the wait status of `sh -c command`.
fn system(vm: &mut Vm, a: Args) -> PyResult {
    let [c] = a.clinic(vm, "system", 0, 1, ["command"])?;
    let c = req(c);
    let p = match path_or_fd(vm, &c, "system", "command", false) {
        Ok(PathOrFd::Path(p)) => p,
        Ok(PathOrFd::Fd(_)) => unreachable!("fds are not allowed"),
        // `PyUnicode_FSConverter`'s messages.
        Err(e) if vm.is_instance_of(&e, &vm.exc.value_error.clone()) => {
            return Err(vm.new_value_error("embedded null byte"))
        }
        Err(_) => {
            let t = vm.type_name(&c);
            return Err(vm.new_type_error(format!(
                "expected str, bytes or os.PathLike object, not {t}"
            )));
        }
    };
    // SAFETY: `p.c` is NUL-terminated.
    let r = unsafe { libc::system(p.c.as_ptr()) };
    Ok(Value::Int(r as i64))
}

/// `os.umask(mask, /)`: the previous mask.
fn umask(vm: &mut Vm, a: Args) -> PyResult {
    let [m] = a.clinic(vm, "umask", 1, 1, ["mask"])?;
    let m = c_int(vm, &req(m))?;
    // SAFETY: umask only swaps the process's mask.
    Ok(Value::Int(unsafe { libc::umask(m as libc::mode_t) } as i64))
}

/// Installs the path functions into `os`.
pub(crate) fn install(vm: &mut Vm, m: &Obj) {
    let mut b = ModuleBuilder::new(vm, m);
    for (name, f) in [
        ("readlink", readlink as NativeFn),
        ("symlink", symlink),
        ("link", link),
        ("truncate", truncate),
        ("mkfifo", mkfifo),
        ("chroot", chroot),
        ("_statvfs", statvfs),
        ("_fstatvfs", fstatvfs),
        ("_pathconf", pathconf),
        ("system", system),
        ("umask", umask),
    ] {
        b.function(name, f);
    }
}
