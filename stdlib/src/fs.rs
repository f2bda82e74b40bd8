//! The file-system primitives under `io`, `os` and `pathlib`: raw files (`_fopen`,
//! `_fread`, `_fwrite`, ... on a handle holding a `std::fs::File` and a write buffer) and the
//! `os` functions (`getcwd`, `listdir`, `mkdir`, `stat`, ...). Failures raise the `OSError`
//! subclass CPython raises, with the C library's `strerror` text and the file name
//! (`FileNotFoundError: [Errno 2] No such file or directory: 'x'`).
//!
//! These natives are installed only where file-system access is allowed: the `aio` binary,
//! or a [`crate::VmBuilder`] with `allow_filesystem`.

use aio_vm::module::{bytes_of, int_value, native_state, new_bytes, ModuleBuilder};
use aio_vm::native::{Args, NativeFn};
use aio_vm::object::Payload;
use aio_vm::value::Bool;
use aio_vm::{Obj, PyResult, Value, Vm};
use num_bigint::BigInt;
use std::ffi::CStr;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};

/// CPython's text for an errno (`strerror(3)`).
fn strerror(errno: i32) -> String {
    // SAFETY: strerror returns a valid NUL-terminated string for any errno.
    unsafe { CStr::from_ptr(libc::strerror(errno)) }
        .to_string_lossy()
        .into_owned()
}

/// The `OSError` (subclass chosen by errno, as `OSError(errno, ...)` does) for `err`.
pub(crate) fn os_error(
    vm: &mut Vm,
    errno: i32,
    file: Option<&Value>,
    file2: Option<&Value>,
) -> Obj {
    let mut args = vec![Value::Int(errno as i64), Value::str(strerror(errno))];
    if let Some(f) = file {
        args.push(f.clone());
        if let Some(f2) = file2 {
            args.push(Value::None);
            args.push(f2.clone());
        }
    }
    let cls = Value::Obj(vm.exc.os_error.clone());
    match vm.call(&cls, &args, &[]) {
        Ok(Value::Obj(e)) => e,
        Ok(_) => vm.new_type_error("OSError"),
        Err(e) => e,
    }
}

fn io_error(vm: &mut Vm, e: &std::io::Error, file: Option<&Value>) -> Obj {
    match e.raw_os_error() {
        Some(n) => os_error(vm, n, file, None),
        None => {
            let cls = vm.exc.os_error.clone();
            vm.new_exception_msg(&cls, e.to_string())
        }
    }
}

/// A path argument: a `str` (scripts convert path-like objects with `os.fspath` first).
fn path_arg(vm: &mut Vm, a: &Args, i: usize, fname: &str) -> PyResult<(String, Value)> {
    match a.get(i) {
        Some(Value::Str(s)) if s.as_str().contains('\0') => {
            Err(vm.new_value_error("embedded null byte"))
        }
        Some(v @ Value::Str(s)) => Ok((s.as_str().to_string(), v.clone())),
        Some(v) => Err(vm.new_type_error(format!(
            "{fname}: path should be string, bytes or os.PathLike, not {}",
            vm.type_name(v)
        ))),
        None => Err(vm.new_type_error(format!("{fname}() missing required argument 'path'"))),
    }
}

/// A raw file: the open file and the bytes written but not yet passed to the system.
struct RawFile {
    file: Option<File>,
    wbuf: Vec<u8>,
    /// False for `open(fd, closefd=False)`: the descriptor outlives the file object.
    closefd: bool,
}

impl RawFile {
    /// Drops the file, leaving the descriptor open when `closefd` is false.
    fn release(&mut self) {
        if let Some(f) = self.file.take() {
            if !self.closefd {
                use std::os::unix::io::IntoRawFd;
                let _ = f.into_raw_fd();
            }
        }
    }
}

impl RawFile {
    fn flush(&mut self) -> std::io::Result<()> {
        if let Some(f) = &mut self.file {
            if !self.wbuf.is_empty() {
                let r = f.write_all(&self.wbuf);
                self.wbuf.clear();
                r?;
            }
        }
        Ok(())
    }
}

impl Drop for RawFile {
    fn drop(&mut self) {
        let _ = self.flush();
        self.release();
    }
}

fn raw<'a>(vm: &mut Vm, v: &'a Value) -> PyResult<&'a std::cell::RefCell<RawFile>> {
    native_state::<RawFile>(v).ok_or_else(|| vm.new_type_error("expected a raw file"))
}

fn closed_error(vm: &mut Vm) -> Obj {
    vm.new_value_error("I/O operation on closed file.")
}

/// Runs `f` on the open file of handle `v` once its buffered writes are flushed: a closed
/// handle raises `ValueError`, an I/O error the `OSError` of its errno.
fn with_flushed<R>(
    vm: &mut Vm,
    v: &Value,
    f: impl FnOnce(&mut File) -> std::io::Result<R>,
) -> PyResult<R> {
    let h = raw(vm, v)?;
    let mut h = h.borrow_mut();
    if h.file.is_none() {
        return Err(closed_error(vm));
    }
    let r = h.flush().and_then(|()| f(h.file.as_mut().expect("open")));
    drop(h);
    r.map_err(|e| io_error(vm, &e, None))
}

/// `_fopen(path, mode, cls)`: `mode` is one of `r w a x` with an optional `+`.
fn fopen(vm: &mut Vm, a: Args) -> PyResult {
    let (path, pv) = path_arg(vm, &a, 0, "open")?;
    let mode = a
        .get(1)
        .and_then(|v| v.as_str())
        .map(|s| s.as_str().to_string());
    let mode = mode.unwrap_or_else(|| "r".into());
    let plus = mode.contains('+');
    let mut o = OpenOptions::new();
    match mode.chars().next() {
        Some('w') => o.write(true).create(true).truncate(true).read(plus),
        Some('a') => o.append(true).create(true).read(plus),
        Some('x') => o.write(true).create_new(true).read(plus),
        _ => o.read(true).write(plus),
    };
    let mut file = o.open(&path).map_err(|e| io_error(vm, &e, Some(&pv)))?;
    if mode.starts_with('a') {
        // As CPython's FileIO: an appending file starts at its end (so `tell()` is its size).
        let _ = file.seek(SeekFrom::End(0));
    }
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(os_error(vm, libc::EISDIR, Some(&pv), None));
    }
    let cls = raw_class(vm, &a, 2)?;
    Ok(aio_vm::module::new_native_instance(
        vm,
        &cls,
        RawFile {
            file: Some(file),
            wbuf: Vec::new(),
            closefd: true,
        },
    ))
}

/// `_fopen_fd(fd, closefd, cls)`: a raw file over an open descriptor (`open(fd)`).
fn fopen_fd(vm: &mut Vm, a: Args) -> PyResult {
    use std::os::unix::io::FromRawFd;
    let fd = match a.get(0) {
        Some(Value::Int(n)) => *n,
        _ => return Err(vm.new_type_error("an integer is required")),
    };
    if fd < 0 {
        return Err(vm.new_value_error("negative file descriptor"));
    }
    // SAFETY: fcntl only inspects the descriptor.
    if unsafe { libc::fcntl(fd as i32, libc::F_GETFD) } < 0 {
        return Err(os_error(vm, libc::EBADF, None, None));
    }
    let closefd = !matches!(a.get(1), Some(Value::Bool(Bool::FALSE)));
    // SAFETY: the descriptor is open (checked above); ownership passes to the File, which
    // gives it back unclosed when `closefd` is false.
    let file = unsafe { File::from_raw_fd(fd as i32) };
    let cls = raw_class(vm, &a, 2)?;
    Ok(aio_vm::module::new_native_instance(
        vm,
        &cls,
        RawFile {
            file: Some(file),
            wbuf: Vec::new(),
            closefd,
        },
    ))
}

/// The class of raw-file handles: `io`'s `_RawFile`, passed by the caller as the last
/// argument (so each VM has its own).
fn raw_class(vm: &mut Vm, a: &Args, i: usize) -> PyResult<Obj> {
    match a.get(i) {
        Some(Value::Obj(c)) if c.as_type().is_some() => Ok(c.clone()),
        _ => Err(vm.new_type_error("expected the raw file class")),
    }
}

/// `_fread(h, n)`: up to `n` bytes (all that remain when `n < 0`).
fn fread(vm: &mut Vm, a: Args) -> PyResult {
    let n = match a.get(1) {
        Some(Value::Int(n)) => *n,
        _ => -1,
    };
    let mut out = Vec::new();
    with_flushed(vm, &a.pos[0], |f| {
        if n < 0 {
            f.read_to_end(&mut out).map(|_| ())
        } else {
            out.resize(n as usize, 0);
            let mut got = 0;
            loop {
                match f.read(&mut out[got..]) {
                    Ok(0) => break Ok(()),
                    Ok(k) => {
                        got += k;
                        if got == out.len() {
                            break Ok(());
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => break Err(e),
                }
            }
            .map(|()| out.truncate(got))
        }
    })?;
    Ok(new_bytes(vm, out))
}

/// `_fwrite(h, data)`: the number of bytes written.
fn fwrite(vm: &mut Vm, a: Args) -> PyResult {
    let h = raw(vm, &a.pos[0])?;
    let data = a.get(1).and_then(bytes_of).unwrap_or_default();
    let mut h = h.borrow_mut();
    if h.file.is_none() {
        return Err(closed_error(vm));
    }
    h.wbuf.extend_from_slice(&data);
    if h.wbuf.len() >= 8192 {
        if let Err(e) = h.flush() {
            drop(h);
            return Err(io_error(vm, &e, None));
        }
    }
    Ok(Value::Int(data.len() as i64))
}

/// `_fseek(h, offset, whence)`: the new position.
fn fseek(vm: &mut Vm, a: Args) -> PyResult {
    let off = match a.get(1) {
        Some(Value::Int(n)) => *n,
        _ => 0,
    };
    let whence = match a.get(2) {
        Some(Value::Int(n)) => *n,
        _ => 0,
    };
    let p = with_flushed(vm, &a.pos[0], |f| match whence {
        1 => f.seek(SeekFrom::Current(off)),
        2 => f.seek(SeekFrom::End(off)),
        _ => {
            if off < 0 {
                Err(std::io::Error::from_raw_os_error(libc::EINVAL))
            } else {
                f.seek(SeekFrom::Start(off as u64))
            }
        }
    })?;
    Ok(int_value(vm, BigInt::from(p)))
}

/// `_ftell(h)`: the position, counting buffered writes.
fn ftell(vm: &mut Vm, a: Args) -> PyResult {
    let p = with_flushed(vm, &a.pos[0], |f| f.stream_position())?;
    Ok(int_value(vm, BigInt::from(p)))
}

/// `_fflush(h)`.
fn fflush(vm: &mut Vm, a: Args) -> PyResult {
    with_flushed(vm, &a.pos[0], |_| Ok(()))?;
    Ok(Value::None)
}

/// `_fclose(h)`: flushes and closes (closing twice is allowed).
fn fclose(vm: &mut Vm, a: Args) -> PyResult {
    let h = raw(vm, &a.pos[0])?;
    let mut h = h.borrow_mut();
    let r = h.flush();
    h.release();
    drop(h);
    r.map_err(|e| io_error(vm, &e, None))?;
    Ok(Value::None)
}

/// `_ftruncate(h, size)`.
fn ftruncate(vm: &mut Vm, a: Args) -> PyResult {
    let size = match a.get(1) {
        Some(Value::Int(n)) => *n as u64,
        _ => 0,
    };
    with_flushed(vm, &a.pos[0], |f| f.set_len(size))?;
    Ok(int_value(vm, BigInt::from(size)))
}

/// `_fileno(h)`.
fn fileno(vm: &mut Vm, a: Args) -> PyResult {
    use std::os::unix::io::AsRawFd;
    let h = raw(vm, &a.pos[0])?;
    let h = h.borrow();
    match &h.file {
        Some(f) => Ok(Value::Int(f.as_raw_fd() as i64)),
        None => {
            drop(h);
            Err(closed_error(vm))
        }
    }
}

/// `_isatty(h)`.
fn isatty(vm: &mut Vm, a: Args) -> PyResult {
    use std::os::unix::io::AsRawFd;
    let h = raw(vm, &a.pos[0])?;
    let h = h.borrow();
    match &h.file {
        // SAFETY: isatty only inspects the descriptor.
        Some(f) => Ok(Value::bool(unsafe { libc::isatty(f.as_raw_fd()) } == 1)),
        None => {
            drop(h);
            Err(closed_error(vm))
        }
    }
}

/// Installs the raw-file natives (`_fopen`, `_fread`, ...) into module `m` (`io`).
pub fn install_io(vm: &mut Vm, m: &Obj) {
    let mut b = ModuleBuilder::new(vm, m);
    for (name, f) in [
        ("_fopen", fopen as NativeFn),
        ("_fopen_fd", fopen_fd),
        ("_fread", fread),
        ("_fwrite", fwrite),
        ("_fseek", fseek),
        ("_ftell", ftell),
        ("_fflush", fflush),
        ("_fclose", fclose),
        ("_ftruncate", ftruncate),
        ("_fileno", fileno),
        ("_isatty", isatty),
    ] {
        b.function(name, f);
    }
}

// ----- os -----

fn getcwd(vm: &mut Vm, a: Args) -> PyResult {
    no_args(vm, &a, "posix.getcwd")?;
    match std::env::current_dir() {
        Ok(p) => Ok(Value::str(p.to_string_lossy().into_owned())),
        Err(e) => Err(io_error(vm, &e, None)),
    }
}

/// Fails as CPython's `METH_NOARGS` functions do when given any argument: keywords
/// first (`posix.getpid() takes no keyword arguments`), then positional ones.
fn no_args(vm: &mut Vm, a: &Args, qualname: &str) -> PyResult<()> {
    a.no_kwargs(vm, qualname)?;
    a.check_count(vm, qualname, 0, 0)
}

/// `os.getcwdb()`: the working directory's bytes.
fn getcwdb(vm: &mut Vm, a: Args) -> PyResult {
    no_args(vm, &a, "posix.getcwdb")?;
    match std::env::current_dir() {
        Ok(p) => {
            use std::os::unix::ffi::OsStrExt;
            Ok(new_bytes(vm, p.as_os_str().as_bytes().to_vec()))
        }
        Err(e) => Err(io_error(vm, &e, None)),
    }
}

fn chdir(vm: &mut Vm, a: Args) -> PyResult {
    let (p, pv) = path_arg(vm, &a, 0, "chdir")?;
    std::env::set_current_dir(&p).map_err(|e| io_error(vm, &e, Some(&pv)))?;
    Ok(Value::None)
}

fn listdir(vm: &mut Vm, a: Args) -> PyResult {
    let (p, pv) = match a.get(0) {
        None | Some(Value::None) => (".".to_string(), Value::str(".")),
        Some(_) => path_arg(vm, &a, 0, "listdir")?,
    };
    let rd = std::fs::read_dir(&p).map_err(|e| io_error(vm, &e, Some(&pv)))?;
    let mut names = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| io_error(vm, &e, Some(&pv)))?;
        names.push(Value::str(entry.file_name().to_string_lossy().into_owned()));
    }
    Ok(vm.new_list(names))
}

fn mode_arg(a: &Args, i: usize, default: u32) -> u32 {
    match a.arg(i, "mode") {
        Some(Value::Int(n)) => *n as u32,
        _ => default,
    }
}

fn mkdir(vm: &mut Vm, a: Args) -> PyResult {
    let (p, pv) = path_arg(vm, &a, 0, "mkdir")?;
    let mode = mode_arg(&a, 1, 0o777);
    let mut b = std::fs::DirBuilder::new();
    std::os::unix::fs::DirBuilderExt::mode(&mut b, mode);
    b.create(&p).map_err(|e| io_error(vm, &e, Some(&pv)))?;
    Ok(Value::None)
}

fn rmdir(vm: &mut Vm, a: Args) -> PyResult {
    let (p, pv) = path_arg(vm, &a, 0, "rmdir")?;
    std::fs::remove_dir(&p).map_err(|e| io_error(vm, &e, Some(&pv)))?;
    Ok(Value::None)
}

fn remove(vm: &mut Vm, a: Args) -> PyResult {
    let (p, pv) = path_arg(vm, &a, 0, "remove")?;
    // unlink(2) on a directory fails with EISDIR on Linux, as CPython reports.
    let c = std::ffi::CString::new(p).map_err(|_| vm.new_value_error("embedded null byte"))?;
    // SAFETY: `c` is a valid NUL-terminated path.
    if unsafe { libc::unlink(c.as_ptr()) } != 0 {
        return Err(os_error(vm, last_errno(), Some(&pv), None));
    }
    Ok(Value::None)
}

fn rename(vm: &mut Vm, a: Args) -> PyResult {
    let (p, pv) = path_arg(vm, &a, 0, "rename")?;
    let (q, qv) = path_arg(vm, &a, 1, "rename")?;
    if let Err(e) = std::fs::rename(&p, &q) {
        let errno = e.raw_os_error().unwrap_or(0);
        return Err(os_error(vm, errno, Some(&pv), Some(&qv)));
    }
    Ok(Value::None)
}

/// `_stat(path, follow_symlinks)`: `(mode, ino, dev, nlink, uid, gid, size, atime, mtime,
/// ctime, atime_ns, mtime_ns, ctime_ns)`; `os.stat_result` is built from it in `os.aio`.
fn stat(vm: &mut Vm, a: Args) -> PyResult {
    let (p, pv) = path_arg(vm, &a, 0, "stat")?;
    let follow = !matches!(a.get(1), Some(Value::Bool(Bool::FALSE)));
    let md = if follow {
        std::fs::metadata(&p)
    } else {
        std::fs::symlink_metadata(&p)
    };
    let md = md.map_err(|e| io_error(vm, &e, Some(&pv)))?;
    Ok(stat_tuple(vm, &md))
}

/// `_fstat(fd)`: the `_stat` tuple of an open file descriptor.
fn fstat(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "fstat", 1, 1)?;
    let fd = fd_arg(vm, &a, 0)?;
    // SAFETY: the descriptor is only borrowed: `ManuallyDrop` keeps the `File` from closing it.
    let file =
        std::mem::ManuallyDrop::new(unsafe { <File as std::os::fd::FromRawFd>::from_raw_fd(fd) });
    let md = file.metadata().map_err(|e| io_error(vm, &e, None))?;
    Ok(stat_tuple(vm, &md))
}

/// The tuple `os.stat_result` is made from: mode, inode, device, links, uid, gid, size, the
/// three times as floats, then as nanoseconds.
fn stat_tuple(vm: &mut Vm, md: &std::fs::Metadata) -> Value {
    let t = |s: i64, ns: i64| Value::float(s as f64 + ns as f64 * 1e-9);
    let items = vec![
        Value::Int(md.mode() as i64),
        int_value(vm, BigInt::from(md.ino())),
        int_value(vm, BigInt::from(md.dev())),
        Value::Int(md.nlink() as i64),
        Value::Int(md.uid() as i64),
        Value::Int(md.gid() as i64),
        int_value(vm, BigInt::from(md.size())),
        t(md.atime(), md.atime_nsec()),
        t(md.mtime(), md.mtime_nsec()),
        t(md.ctime(), md.ctime_nsec()),
    ];
    let ns = |s: i64, n: i64| BigInt::from(s) * 1_000_000_000 + n;
    let mut items = items;
    for v in [
        ns(md.atime(), md.atime_nsec()),
        ns(md.mtime(), md.mtime_nsec()),
        ns(md.ctime(), md.ctime_nsec()),
    ] {
        items.push(int_value(vm, v));
    }
    vm.new_tuple(items)
}

fn chmod(vm: &mut Vm, a: Args) -> PyResult {
    let (p, pv) = path_arg(vm, &a, 0, "chmod")?;
    let mode = mode_arg(&a, 1, 0o644);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode))
        .map_err(|e| io_error(vm, &e, Some(&pv)))?;
    Ok(Value::None)
}

/// `_chown(path, uid, gid, follow_symlinks)`: `chown`, or `lchown` when not following a
/// symbolic link; an id of `-1` is left unchanged.
fn chown(vm: &mut Vm, a: Args) -> PyResult {
    let (p, pv) = path_arg(vm, &a, 0, "chown")?;
    let mut ids = [0 as libc::uid_t; 2];
    for (i, what) in ["uid", "gid"].into_iter().enumerate() {
        // CPython's _Py_Uid_Converter: -1 and (uid_t)-1 leave the id unchanged; any other
        // value outside uid_t is "less than minimum", except one beyond a C long.
        let too_big = || format!("{what} is greater than maximum");
        let too_small = || format!("{what} is less than minimum");
        ids[i] = match a.get(i + 1) {
            Some(Value::Int(-1)) => libc::uid_t::MAX,
            Some(Value::Int(n)) => {
                libc::uid_t::try_from(*n).map_err(|_| vm.new_overflow_error(too_small()))?
            }
            Some(Value::Bool(b)) => b.get() as libc::uid_t,
            Some(Value::Obj(o)) if matches!(&o.payload, Payload::Int(_)) => {
                let Payload::Int(n) = &o.payload else {
                    unreachable!()
                };
                let msg = if n.sign() == num_bigint::Sign::Minus {
                    too_small()
                } else {
                    too_big()
                };
                return Err(vm.new_overflow_error(msg));
            }
            Some(v) => {
                return Err(
                    vm.new_type_error(format!("{what} should be integer, not {}", vm.type_name(v)))
                )
            }
            None => {
                return Err(vm.new_type_error(format!("chown() missing required argument '{what}'")))
            }
        };
    }
    let follow = !matches!(a.get(3), Some(Value::Bool(Bool::FALSE)));
    let c = std::ffi::CString::new(p).map_err(|_| vm.new_value_error("embedded null byte"))?;
    // SAFETY: `c` is a valid NUL-terminated path.
    let r = unsafe {
        if follow {
            libc::chown(c.as_ptr(), ids[0], ids[1])
        } else {
            libc::lchown(c.as_ptr(), ids[0], ids[1])
        }
    };
    if r != 0 {
        return Err(os_error(vm, last_errno(), Some(&pv), None));
    }
    Ok(Value::None)
}

fn realpath(vm: &mut Vm, a: Args) -> PyResult {
    let (p, _) = path_arg(vm, &a, 0, "realpath")?;
    match std::fs::canonicalize(&p) {
        Ok(r) => Ok(Value::str(r.to_string_lossy().into_owned())),
        Err(_) => Ok(Value::None),
    }
}

fn getpid(vm: &mut Vm, a: Args) -> PyResult {
    no_args(vm, &a, "posix.getpid")?;
    Ok(Value::Int(std::process::id() as i64))
}

/// `_times()`: `os.times()`'s five values (CPython's `times()` branch: clock ticks of
/// the process and its waited-for children, and of the wall clock).
fn times(vm: &mut Vm, a: Args) -> PyResult {
    no_args(vm, &a, "posix.times")?;
    // SAFETY: `times` fills the struct it is given; `sysconf` reads a constant.
    let mut t: libc::tms = unsafe { std::mem::zeroed() };
    let elapsed = unsafe { libc::times(&mut t) };
    if elapsed == (-1i64) as libc::clock_t {
        return Err(os_error(vm, last_errno(), None, None));
    }
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let secs = |c: libc::clock_t| Value::float(c as f64 / ticks);
    Ok(vm.new_tuple(vec![
        secs(t.tms_utime),
        secs(t.tms_stime),
        secs(t.tms_cutime),
        secs(t.tms_cstime),
        secs(elapsed),
    ]))
}

/// `os.getloadavg()`: the 1, 5 and 15-minute load averages.
fn getloadavg(vm: &mut Vm, a: Args) -> PyResult {
    no_args(vm, &a, "posix.getloadavg")?;
    let mut avg = [0f64; 3];
    // SAFETY: `getloadavg` writes at most 3 doubles into `avg`.
    if unsafe { libc::getloadavg(avg.as_mut_ptr(), 3) } != 3 {
        let cls = vm.exc.os_error.clone();
        return Err(vm.new_exception_msg(&cls, "Load averages are unobtainable"));
    }
    Ok(vm.new_tuple(avg.iter().map(|&x| Value::float(x)).collect()))
}

/// `_environ()`: the process environment as a dict.
fn environ(vm: &mut Vm, _a: Args) -> PyResult {
    let d = vm.new_dict(aio_vm::dict::Dict::new());
    for (k, v) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        vm.dict_set_str(&d, &k, Value::str(v.to_string_lossy().into_owned()));
    }
    Ok(Value::Obj(d))
}

fn putenv(vm: &mut Vm, a: Args) -> PyResult {
    let (k, v) = match (a.get(0), a.get(1)) {
        (Some(Value::Str(k)), Some(Value::Str(v))) => (k.clone(), v.clone()),
        _ => return Err(vm.new_type_error("str expected")),
    };
    if k.as_str().is_empty() || k.as_str().contains('=') {
        return Err(vm.new_value_error("illegal environment variable name"));
    }
    if k.as_str().contains('\0') || v.as_str().contains('\0') {
        return Err(vm.new_value_error("embedded null byte"));
    }
    std::env::set_var(k.as_str(), v.as_str());
    Ok(Value::None)
}

fn unsetenv(vm: &mut Vm, a: Args) -> PyResult {
    match a.get(0) {
        Some(Value::Str(k)) if !k.as_str().is_empty() && !k.as_str().contains(['=', '\0']) => {
            std::env::remove_var(k.as_str());
            Ok(Value::None)
        }
        _ => Err(vm.new_value_error("illegal environment variable name")),
    }
}

/// `os.urandom(size)` (also `random._urandom`, which works without the file system).
pub(crate) fn urandom(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "urandom", 1, 1)?;
    let n = aio_vm::module::to_index_i64(vm, &a.pos[0])?;
    if n < 0 {
        return Err(vm.new_value_error("negative argument not allowed"));
    }
    let mut buf = vec![0u8; n as usize];
    let mut f = File::open("/dev/urandom").map_err(|e| io_error(vm, &e, None))?;
    f.read_exact(&mut buf).map_err(|e| io_error(vm, &e, None))?;
    Ok(new_bytes(vm, buf))
}

fn strerror_fn(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "strerror", 1, 1)?;
    let n = aio_vm::module::to_index_i64(vm, &a.pos[0])?;
    Ok(Value::str(strerror(n as i32)))
}

fn fd_arg(vm: &mut Vm, a: &Args, i: usize) -> PyResult<i32> {
    match a.get(i) {
        Some(Value::Int(n)) if i32::try_from(*n).is_ok() => Ok(*n as i32),
        Some(v) => Err(vm.new_type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            vm.type_name(v)
        ))),
        None => Err(vm.new_type_error("missing file descriptor")),
    }
}

/// The C library's `errno` after a failed call.
pub(crate) fn last_errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// `os.open(path, flags, mode=0o777)`: a file descriptor.
fn os_open(vm: &mut Vm, a: Args) -> PyResult {
    let (p, pv) = path_arg(vm, &a, 0, "open")?;
    let flags = fd_arg(vm, &a, 1)?;
    let mode = mode_arg(&a, 2, 0o777);
    let c = std::ffi::CString::new(p).map_err(|_| vm.new_value_error("embedded null byte"))?;
    // SAFETY: `c` is a valid NUL-terminated path.
    let fd = unsafe { libc::open(c.as_ptr(), flags | libc::O_CLOEXEC, mode as libc::c_uint) };
    if fd < 0 {
        return Err(os_error(vm, last_errno(), Some(&pv), None));
    }
    Ok(Value::Int(fd as i64))
}

/// `os.close(fd)`.
fn os_close(vm: &mut Vm, a: Args) -> PyResult {
    let fd = fd_arg(vm, &a, 0)?;
    // SAFETY: closing a descriptor number; a bad one fails with EBADF.
    if unsafe { libc::close(fd) } != 0 {
        return Err(os_error(vm, last_errno(), None, None));
    }
    Ok(Value::None)
}

/// A descriptor's `F_GETFD` flags, or the `OSError` (EBADF for a bad descriptor).
fn fd_flags(vm: &mut Vm, fd: i32) -> PyResult<i32> {
    // SAFETY: F_GETFD reads a descriptor's flags; a bad descriptor fails with EBADF.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    if flags < 0 {
        return Err(os_error(vm, last_errno(), None, None));
    }
    Ok(flags)
}

/// `os.get_inheritable(fd)`: whether child processes inherit the descriptor (its
/// close-on-exec flag is clear).
fn get_inheritable(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "get_inheritable", 1, 1)?;
    let fd = fd_arg(vm, &a, 0)?;
    Ok(Value::bool(fd_flags(vm, fd)? & libc::FD_CLOEXEC == 0))
}

/// `os.set_inheritable(fd, inheritable)`: sets or clears the close-on-exec flag.
fn set_inheritable(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "set_inheritable", 2, 2)?;
    let fd = fd_arg(vm, &a, 0)?;
    let inheritable = vm.is_true(&a.pos[1])?;
    let flags = fd_flags(vm, fd)?;
    let new = if inheritable {
        flags & !libc::FD_CLOEXEC
    } else {
        flags | libc::FD_CLOEXEC
    };
    // SAFETY: F_SETFD writes the flags of a descriptor `fd_flags` just read.
    if new != flags && unsafe { libc::fcntl(fd, libc::F_SETFD, new) } < 0 {
        return Err(os_error(vm, last_errno(), None, None));
    }
    Ok(Value::None)
}

/// `os._exit(status)`: ends the process at once, as the C `_exit` does: no `finally`
/// blocks, no `atexit` handlers, and buffered output not yet written is lost.
fn os_exit(vm: &mut Vm, a: Args) -> PyResult {
    if a.is_empty() {
        return Err(vm.new_type_error("_exit() missing required argument 'status' (pos 1)"));
    }
    let status = fd_arg(vm, &a, 0)?;
    // SAFETY: `_exit` only ends the process.
    unsafe { libc::_exit(status) }
}

/// `os.read(fd, n)`.
fn os_read(vm: &mut Vm, a: Args) -> PyResult {
    let fd = fd_arg(vm, &a, 0)?;
    let n = aio_vm::module::to_index_i64(vm, a.get(1).unwrap_or(&Value::Int(0)))?;
    if n < 0 {
        return Err(vm.new_value_error("negative length"));
    }
    let mut buf = vec![0u8; n as usize];
    // SAFETY: `buf` has room for `n` bytes.
    let got = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    if got < 0 {
        return Err(os_error(vm, last_errno(), None, None));
    }
    buf.truncate(got as usize);
    Ok(new_bytes(vm, buf))
}

/// `os.write(fd, data)`.
fn os_write(vm: &mut Vm, a: Args) -> PyResult {
    let fd = fd_arg(vm, &a, 0)?;
    let Some(data) = a.get(1).and_then(bytes_of) else {
        let t = a.get(1).map(|v| vm.type_name(v)).unwrap_or_default();
        return Err(vm.new_type_error(format!("a bytes-like object is required, not '{t}'")));
    };
    // SAFETY: `data` is a valid buffer of its length.
    let put = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
    if put < 0 {
        return Err(os_error(vm, last_errno(), None, None));
    }
    Ok(Value::Int(put as i64))
}

/// `os.lseek(fd, pos, how)`.
fn os_lseek(vm: &mut Vm, a: Args) -> PyResult {
    let fd = fd_arg(vm, &a, 0)?;
    let pos = aio_vm::module::to_index_i64(vm, a.get(1).unwrap_or(&Value::Int(0)))?;
    let how = fd_arg(vm, &a, 2)?;
    // SAFETY: plain system call on a descriptor number.
    let r = unsafe { libc::lseek(fd, pos as libc::off_t, how) };
    if r < 0 {
        return Err(os_error(vm, last_errno(), None, None));
    }
    Ok(Value::Int(r as i64))
}

/// `os.isatty(fd)`.
fn os_isatty(vm: &mut Vm, a: Args) -> PyResult {
    let fd = fd_arg(vm, &a, 0)?;
    // SAFETY: isatty only inspects the descriptor.
    Ok(Value::bool(unsafe { libc::isatty(fd) } == 1))
}

/// `_utime(path, atime_ns, mtime_ns)`: sets the times (`None`: now).
fn utime(vm: &mut Vm, a: Args) -> PyResult {
    let (p, _) = path_arg(vm, &a, 0, "utime")?;
    let ts = |v: Option<&Value>| -> libc::timespec {
        match v {
            Some(Value::Int(ns)) => libc::timespec {
                tv_sec: ns.div_euclid(1_000_000_000) as libc::time_t,
                tv_nsec: ns.rem_euclid(1_000_000_000) as libc::c_long,
            },
            _ => libc::timespec {
                tv_sec: 0,
                tv_nsec: libc::UTIME_NOW,
            },
        }
    };
    let times = [ts(a.get(1)), ts(a.get(2))];
    let c = std::ffi::CString::new(p).map_err(|_| vm.new_value_error("embedded null byte"))?;
    // SAFETY: `c` is a valid path and `times` two timespecs.
    if unsafe { libc::utimensat(libc::AT_FDCWD, c.as_ptr(), times.as_ptr(), 0) } != 0 {
        // CPython's message for utime names no file.
        return Err(os_error(vm, last_errno(), None, None));
    }
    Ok(Value::None)
}

macro_rules! id_fns {
    ($($f:ident = $c:ident;)*) => {
        $(
            fn $f(vm: &mut Vm, a: Args) -> PyResult {
                no_args(vm, &a, concat!("posix.", stringify!($f)))?;
                // SAFETY: these calls only read process attributes.
                Ok(Value::Int(unsafe { libc::$c() } as i64))
            }
        )*
    };
}

id_fns! {
    getuid = getuid;
    geteuid = geteuid;
    getgid = getgid;
    getegid = getegid;
    getppid = getppid;
}

/// `_terminal_size(fd)`: `(columns, lines)` of the terminal on `fd` (`OSError` when it is
/// not a terminal).
fn terminal_size(vm: &mut Vm, a: Args) -> PyResult {
    let fd = fd_arg(vm, &a, 0)?;
    let mut ws = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes a winsize into `ws`.
    if unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) } != 0 {
        return Err(os_error(vm, last_errno(), None, None));
    }
    Ok(vm.new_tuple(vec![
        Value::Int(ws.ws_col as i64),
        Value::Int(ws.ws_row as i64),
    ]))
}

/// `_uname()`: `(sysname, nodename, release, version, machine)` from `uname(2)`.
fn uname(vm: &mut Vm, a: Args) -> PyResult {
    no_args(vm, &a, "posix.uname")?;
    // SAFETY: utsname is plain arrays of C chars, valid zeroed.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: uname fills the struct it is given.
    if unsafe { libc::uname(&mut u) } != 0 {
        return Err(os_error(vm, last_errno(), None, None));
    }
    let field = |f: &[libc::c_char]| {
        // SAFETY: uname NUL-terminates every field within its array.
        let c = unsafe { CStr::from_ptr(f.as_ptr()) };
        Value::str(c.to_string_lossy().into_owned())
    };
    Ok(vm.new_tuple(vec![
        field(&u.sysname),
        field(&u.nodename),
        field(&u.release),
        field(&u.version),
        field(&u.machine),
    ]))
}

/// `_confstr(name)`: the C library's `confstr` value for the number `name`, `None` when it
/// has none, `OSError` for a number it does not know.
fn confstr(vm: &mut Vm, a: Args) -> PyResult {
    let name = match a.get(0) {
        Some(Value::Int(n)) => libc::c_int::try_from(*n)
            .map_err(|_| vm.new_overflow_error("signed integer is greater than maximum"))?,
        _ => return Err(vm.new_type_error("configuration names must be strings or integers")),
    };
    // SAFETY: errno is thread-local; confstr reports an unknown name through it.
    unsafe { *libc::__errno_location() = 0 };
    // SAFETY: a null buffer of length 0 asks for the length only.
    let len = unsafe { libc::confstr(name, std::ptr::null_mut(), 0) };
    if len == 0 {
        let errno = last_errno();
        if errno != 0 {
            return Err(os_error(vm, errno, None, None));
        }
        return Ok(Value::None);
    }
    let mut buf = vec![0 as libc::c_char; len];
    // SAFETY: `buf` has the `len` bytes confstr asked for, its NUL included.
    unsafe { libc::confstr(name, buf.as_mut_ptr(), len) };
    // SAFETY: confstr NUL-terminated the value within `buf`.
    let c = unsafe { CStr::from_ptr(buf.as_ptr()) };
    Ok(Value::str(c.to_string_lossy().into_owned()))
}

/// `cpu_count()`: the number of CPUs the process may use (`None` when unknown).
fn cpu_count(vm: &mut Vm, a: Args) -> PyResult {
    no_args(vm, &a, "posix.cpu_count")?;
    Ok(std::thread::available_parallelism()
        .map(|n| Value::Int(n.get() as i64))
        .unwrap_or(Value::None))
}

/// Installs the `os` natives into module `m`.
pub fn install_os(vm: &mut Vm, m: &Obj) {
    let mut b = ModuleBuilder::new(vm, m);
    for (name, f) in [
        ("getcwd", getcwd as NativeFn),
        ("getcwdb", getcwdb),
        ("_times", times),
        ("getloadavg", getloadavg),
        ("chdir", chdir),
        ("listdir", listdir),
        ("mkdir", mkdir),
        ("rmdir", rmdir),
        ("remove", remove),
        ("unlink", remove),
        ("rename", rename),
        ("replace", rename),
        ("chmod", chmod),
        ("_chown", chown),
        ("_stat", stat),
        ("_fstat", fstat),
        ("_realpath", realpath),
        ("getpid", getpid),
        ("_environ", environ),
        ("putenv", putenv),
        ("unsetenv", unsetenv),
        ("urandom", urandom),
        ("strerror", strerror_fn),
        ("cpu_count", cpu_count),
        ("_uname", uname),
        ("_confstr", confstr),
        ("open", os_open),
        ("close", os_close),
        ("get_inheritable", get_inheritable),
        ("set_inheritable", set_inheritable),
        ("_exit", os_exit),
        ("read", os_read),
        ("write", os_write),
        ("lseek", os_lseek),
        ("isatty", os_isatty),
        ("_utime", utime),
        ("getuid", getuid),
        ("geteuid", geteuid),
        ("getgid", getgid),
        ("getegid", getegid),
        ("getppid", getppid),
        ("_terminal_size", terminal_size),
    ] {
        b.function(name, f);
    }
    for (name, v) in [
        ("O_RDONLY", libc::O_RDONLY),
        ("O_WRONLY", libc::O_WRONLY),
        ("O_RDWR", libc::O_RDWR),
        ("O_APPEND", libc::O_APPEND),
        ("O_CREAT", libc::O_CREAT),
        ("O_EXCL", libc::O_EXCL),
        ("O_TRUNC", libc::O_TRUNC),
        ("O_NONBLOCK", libc::O_NONBLOCK),
        ("O_CLOEXEC", libc::O_CLOEXEC),
        ("O_DIRECTORY", libc::O_DIRECTORY),
        ("O_NOFOLLOW", libc::O_NOFOLLOW),
        ("O_ACCMODE", libc::O_ACCMODE),
        ("O_ASYNC", libc::O_ASYNC),
        ("O_DSYNC", libc::O_DSYNC),
        ("O_NDELAY", libc::O_NDELAY),
        ("O_NOCTTY", libc::O_NOCTTY),
        ("O_SYNC", libc::O_SYNC),
    ] {
        b.constant(name, v as i64);
    }
    // The flags only Linux has (CPython's os module lists the same set there).
    #[cfg(target_os = "linux")]
    for (name, v) in [
        ("O_DIRECT", libc::O_DIRECT),
        ("O_FSYNC", libc::O_FSYNC),
        ("O_LARGEFILE", libc::O_LARGEFILE),
        ("O_NOATIME", libc::O_NOATIME),
        ("O_PATH", libc::O_PATH),
        ("O_RSYNC", libc::O_RSYNC),
        ("O_TMPFILE", libc::O_TMPFILE),
    ] {
        b.constant(name, v as i64);
    }
}
