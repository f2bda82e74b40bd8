//! The `os` process functions: process groups and sessions, `nice` and priorities,
//! `getgroups`, `getlogin`, `ctermid`, `_sysconf`, device numbers, `getrandom`, `sync`,
//! `fork`, `wait`, `waitid`, `execv`/`execve` and the `WCOREDUMP`/`WIFCONTINUED` tests.

use super::args::{c_int, c_long, err, errno, last_err, path_or_fd, PathOrFd};
use aio_vm::module::{as_int, int_value, new_bytes, sequence_items, ModuleBuilder};
use aio_vm::native::{Args, NativeFn};
use aio_vm::{Obj, PyResult, Value, Vm};
use num_bigint::BigInt;
use std::ffi::CString;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set in a child `os.fork` made: the `aio` binary then ends the process itself when the
/// script ends (the child has no main thread to do it).
static FORKED_CHILD: AtomicBool = AtomicBool::new(false);

/// Whether this process is a child made by `os.fork`.
pub fn is_forked_child() -> bool {
    FORKED_CHILD.load(Ordering::Relaxed)
}

fn req(v: Option<Value>) -> Value {
    v.expect("a required argument")
}

/// Fails with the current `errno` when `r` is negative; `r` otherwise.
fn check(vm: &mut Vm, r: i64) -> PyResult<Value> {
    if r < 0 {
        Err(last_err(vm))
    } else {
        Ok(Value::Int(r))
    }
}

/// A pid argument.
fn pid_arg(vm: &mut Vm, v: Option<Value>) -> PyResult<libc::pid_t> {
    c_int(vm, &req(v))
}

fn getpgrp(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "posix.getpgrp", 0, 0)?;
    // SAFETY: reads a process attribute.
    Ok(Value::Int(unsafe { libc::getpgrp() } as i64))
}

fn getpgid(vm: &mut Vm, a: Args) -> PyResult {
    let [p] = a.clinic(vm, "getpgid", 0, 1, ["pid"])?;
    let p = pid_arg(vm, p)?;
    // SAFETY: reads a process attribute.
    check(vm, unsafe { libc::getpgid(p) } as i64)
}

fn setpgid(vm: &mut Vm, a: Args) -> PyResult {
    let [p, g] = a.clinic(vm, "setpgid", 2, 2, ["pid", "pgrp"])?;
    let (p, g) = (pid_arg(vm, p)?, pid_arg(vm, g)?);
    // SAFETY: changes a process attribute.
    check(vm, unsafe { libc::setpgid(p, g) } as i64)?;
    Ok(Value::None)
}

fn setsid(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "posix.setsid", 0, 0)?;
    // SAFETY: changes a process attribute.
    check(vm, unsafe { libc::setsid() } as i64)?;
    Ok(Value::None)
}

fn getsid(vm: &mut Vm, a: Args) -> PyResult {
    let [p] = a.clinic(vm, "getsid", 1, 1, ["pid"])?;
    let p = pid_arg(vm, p)?;
    // SAFETY: reads a process attribute.
    check(vm, unsafe { libc::getsid(p) } as i64)
}

fn killpg(vm: &mut Vm, a: Args) -> PyResult {
    let [p, s] = a.clinic(vm, "killpg", 2, 2, ["pgid", "signal"])?;
    let (p, s) = (pid_arg(vm, p)?, c_int(vm, &req(s))?);
    // SAFETY: sends a signal.
    check(vm, unsafe { libc::killpg(p, s) } as i64)?;
    vm.check_wait_interrupted()?;
    Ok(Value::None)
}

/// `os.nice(increment, /)`: the new niceness.
fn nice(vm: &mut Vm, a: Args) -> PyResult {
    let [inc] = a.clinic(vm, "nice", 1, 1, ["increment"])?;
    let inc = c_int(vm, &req(inc))?;
    // SAFETY: errno is thread-local; -1 is a valid niceness when errno stays 0.
    unsafe { *libc::__errno_location() = 0 };
    // SAFETY: changes a process attribute.
    let r = unsafe { libc::nice(inc) };
    if r == -1 && errno() != 0 {
        return Err(last_err(vm));
    }
    Ok(Value::Int(r as i64))
}

fn getpriority(vm: &mut Vm, a: Args) -> PyResult {
    let [which, who] = a.clinic(vm, "getpriority", 0, 2, ["which", "who"])?;
    let which = c_int(vm, &req(which))?;
    let who = c_int(vm, &req(who))?;
    // SAFETY: errno is thread-local; -1 is a valid priority when errno stays 0.
    unsafe { *libc::__errno_location() = 0 };
    // SAFETY: reads a process attribute.
    let r = unsafe { libc::getpriority(which as libc::__priority_which_t, who as libc::id_t) };
    if r == -1 && errno() != 0 {
        return Err(last_err(vm));
    }
    Ok(Value::Int(r as i64))
}

fn setpriority(vm: &mut Vm, a: Args) -> PyResult {
    let [which, who, prio] = a.clinic(vm, "setpriority", 0, 3, ["which", "who", "priority"])?;
    let which = c_int(vm, &req(which))?;
    let who = c_int(vm, &req(who))?;
    let prio = c_int(vm, &req(prio))?;
    // SAFETY: changes a process attribute.
    let r =
        unsafe { libc::setpriority(which as libc::__priority_which_t, who as libc::id_t, prio) };
    check(vm, r as i64)?;
    Ok(Value::None)
}

/// `os.getgroups()`: the supplementary group ids.
fn getgroups(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "posix.getgroups", 0, 0)?;
    // SAFETY: a size of 0 asks for the count only.
    let n = unsafe { libc::getgroups(0, std::ptr::null_mut()) };
    check(vm, n as i64)?;
    let mut gs = vec![0 as libc::gid_t; n as usize + 1];
    // SAFETY: `gs` has room for `gs.len()` ids.
    let n = unsafe { libc::getgroups(gs.len() as libc::c_int, gs.as_mut_ptr()) };
    check(vm, n as i64)?;
    let items = gs[..n as usize]
        .iter()
        .map(|&g| Value::Int(g as i64))
        .collect();
    Ok(vm.new_list(items))
}

/// `os.getlogin()`: the user logged in on the controlling terminal.
fn getlogin(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "posix.getlogin", 0, 0)?;
    // SAFETY: errno is thread-local.
    unsafe { *libc::__errno_location() = 0 };
    // SAFETY: getlogin returns a static string or null.
    let p = unsafe { libc::getlogin() };
    if p.is_null() {
        if errno() != 0 {
            return Err(last_err(vm));
        }
        let cls = vm.exc.os_error.clone();
        return Err(vm.new_exception_msg(&cls, "unable to determine login name"));
    }
    // SAFETY: a non-null result is NUL-terminated.
    let s = unsafe { std::ffi::CStr::from_ptr(p) };
    Ok(Value::str(s.to_string_lossy().into_owned()))
}

/// `os.ctermid()`: the controlling terminal's path.
fn ctermid(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "posix.ctermid", 0, 0)?;
    let mut buf = [0 as libc::c_char; 64];
    // SAFETY: `buf` is at least L_ctermid bytes.
    let p = unsafe { libc::ctermid(buf.as_mut_ptr()) };
    if p.is_null() {
        return Err(last_err(vm));
    }
    // SAFETY: ctermid NUL-terminated the name within `buf`.
    let s = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
    Ok(Value::str(s.to_string_lossy().into_owned()))
}

/// `_sysconf(name)` with `name` already a number: the value, `-1` for none.
fn sysconf(vm: &mut Vm, a: Args) -> PyResult {
    let name = c_int(vm, a.get(0).unwrap_or(&Value::None))?;
    // SAFETY: errno is thread-local; -1 with errno still 0 means "no limit".
    unsafe { *libc::__errno_location() = 0 };
    // SAFETY: reads a system constant.
    let r = unsafe { libc::sysconf(name) };
    if r == -1 && errno() != 0 {
        return Err(last_err(vm));
    }
    Ok(Value::Int(r as i64))
}

/// A `dev_t` argument.
fn dev_arg(vm: &mut Vm, v: &Value) -> PyResult<u64> {
    let Some(n) = as_int(v) else {
        let t = vm.type_name(v);
        return Err(vm.new_type_error(format!("'{t}' object cannot be interpreted as an integer")));
    };
    u64::try_from(&n)
        .map_err(|_| vm.new_overflow_error("Python int too large to convert to C dev_t"))
}

fn major(vm: &mut Vm, a: Args) -> PyResult {
    let [d] = a.clinic(vm, "major", 1, 1, ["device"])?;
    let d = dev_arg(vm, &req(d))?;
    Ok(Value::Int(libc::major(d as libc::dev_t) as i64))
}

fn minor(vm: &mut Vm, a: Args) -> PyResult {
    let [d] = a.clinic(vm, "minor", 1, 1, ["device"])?;
    let d = dev_arg(vm, &req(d))?;
    Ok(Value::Int(libc::minor(d as libc::dev_t) as i64))
}

fn makedev(vm: &mut Vm, a: Args) -> PyResult {
    let [ma, mi] = a.clinic(vm, "makedev", 2, 2, ["major", "minor"])?;
    let ma = c_int(vm, &req(ma))?;
    let mi = c_int(vm, &req(mi))?;
    let d = libc::makedev(ma as libc::c_uint, mi as libc::c_uint);
    Ok(int_value(vm, BigInt::from(d as u64)))
}

/// `os.getrandom(size, flags=0)`: `size` random bytes from the kernel.
fn getrandom(vm: &mut Vm, a: Args) -> PyResult {
    let [size, flags] = a.clinic(vm, "getrandom", 0, 1, ["size", "flags"])?;
    let size = c_long(vm, &req(size))?;
    let flags = match flags {
        Some(f) => c_int(vm, &f)?,
        None => 0,
    };
    if size < 0 {
        return Err(err(vm, libc::EINVAL, None, None));
    }
    let mut buf = vec![0u8; size as usize];
    let mut got = 0;
    while got < buf.len() {
        // SAFETY: the rest of `buf` has room for what is asked.
        let n = unsafe {
            libc::getrandom(
                buf[got..].as_mut_ptr().cast(),
                buf.len() - got,
                flags as u32,
            )
        };
        if n < 0 {
            let e = errno();
            if e == libc::EINTR {
                vm.check_wait_interrupted()?;
                continue;
            }
            return Err(err(vm, e, None, None));
        }
        got += n as usize;
        // CPython returns what one call gave.
        break;
    }
    buf.truncate(got);
    Ok(new_bytes(vm, buf))
}

fn sync(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "posix.sync", 0, 0)?;
    // SAFETY: flushes file-system buffers.
    unsafe { libc::sync() };
    Ok(Value::None)
}

fn wcoredump(vm: &mut Vm, a: Args) -> PyResult {
    let [s] = a.clinic(vm, "WCOREDUMP", 1, 1, ["status"])?;
    let s = c_int(vm, &req(s))?;
    Ok(Value::bool(libc::WCOREDUMP(s)))
}

fn wifcontinued(vm: &mut Vm, a: Args) -> PyResult {
    let [s] = a.clinic(vm, "WIFCONTINUED", 0, 1, ["status"])?;
    let s = c_int(vm, &req(s))?;
    Ok(Value::bool(libc::WIFCONTINUED(s)))
}

/// `os.fork()`: 0 in the child, the child's pid in the parent. Only the thread running the
/// VM goes on in the child.
fn fork(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "posix.fork", 0, 0)?;
    // SAFETY: the child runs only this thread, which goes on with the VM.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(last_err(vm));
    }
    if pid == 0 {
        FORKED_CHILD.store(true, Ordering::Relaxed);
    }
    Ok(Value::Int(pid as i64))
}

/// Waits with `f` again while it fails with `EINTR`.
fn wait_retry(vm: &mut Vm, mut f: impl FnMut() -> i64) -> PyResult<i64> {
    loop {
        let r = f();
        if r >= 0 {
            return Ok(r);
        }
        let e = errno();
        if e != libc::EINTR {
            return Err(err(vm, e, None, None));
        }
        vm.check_wait_interrupted()?;
    }
}

/// `os.wait()`: `(pid, status)` of a child that ended.
fn wait(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "posix.wait", 0, 0)?;
    let mut status = 0;
    // SAFETY: `status` is a valid out-parameter.
    let pid = wait_retry(vm, || unsafe { libc::wait(&mut status) } as i64)?;
    Ok(vm.new_tuple(vec![Value::Int(pid), Value::Int(status as i64)]))
}

/// `_waitid(idtype, id, options)`: `(si_pid, si_uid, si_signo, si_status, si_code)`, or
/// `None` when `WNOHANG` found no child to report.
fn waitid(vm: &mut Vm, a: Args) -> PyResult {
    let [t, id, o] = a.clinic(vm, "waitid", 3, 3, ["idtype", "id", "options"])?;
    let t = c_int(vm, &req(t))?;
    let id = c_int(vm, &req(id))?;
    let o = c_int(vm, &req(o))?;
    // SAFETY: siginfo_t is plain data, valid zeroed.
    let mut si: libc::siginfo_t = unsafe { std::mem::zeroed() };
    wait_retry(vm, || {
        // SAFETY: `si` is a valid out-parameter.
        unsafe { libc::waitid(t as libc::idtype_t, id as libc::id_t, &mut si, o) as i64 }
    })?;
    // SAFETY: waitid filled `si` for a child (pid 0: none to report).
    let (pid, uid, status) = unsafe { (si.si_pid(), si.si_uid(), si.si_status()) };
    if pid == 0 {
        return Ok(Value::None);
    }
    Ok(vm.new_tuple(vec![
        Value::Int(pid as i64),
        Value::Int(uid as i64),
        Value::Int(si.si_signo as i64),
        Value::Int(status as i64),
        Value::Int(si.si_code as i64),
    ]))
}

/// An argument or environment string for `exec*` (str, bytes or `os.PathLike`).
fn exec_str(vm: &mut Vm, v: &Value) -> PyResult<CString> {
    match path_or_fd(vm, v, "execv", "arg", false) {
        Ok(PathOrFd::Path(p)) => Ok(p.c),
        Ok(PathOrFd::Fd(_)) => unreachable!("fds are not allowed"),
        Err(e) if vm.is_instance_of(&e, &vm.exc.value_error.clone()) => {
            Err(vm.new_value_error("embedded null byte"))
        }
        Err(_) => {
            let t = vm.type_name(v);
            Err(vm.new_type_error(format!(
                "expected str, bytes or os.PathLike object, not {t}"
            )))
        }
    }
}

/// The argv of `execv`/`execve`, with CPython's checks.
fn exec_argv(vm: &mut Vm, v: &Value, fname: &str) -> PyResult<Vec<CString>> {
    let is_seq = matches!(
        v.payload(),
        Some(aio_vm::object::Payload::Tuple(_) | aio_vm::object::Payload::List(_))
    );
    let items = match sequence_items(v) {
        Some(items) if is_seq => items,
        _ => return Err(vm.new_type_error(format!("{fname}() arg 2 must be a tuple or list"))),
    };
    if items.is_empty() {
        return Err(vm.new_value_error(format!("{fname}() arg 2 must not be empty")));
    }
    let mut out = Vec::with_capacity(items.len());
    for it in &items {
        out.push(exec_str(vm, it)?);
    }
    if out[0].as_bytes().is_empty() {
        return Err(vm.new_value_error(format!("{fname}() arg 2 first element cannot be empty")));
    }
    Ok(out)
}

/// Replaces the process image: `execve` (or `fexecve` for an fd); returns only on failure.
fn do_exec(vm: &mut Vm, p: PathOrFd, argv: &[CString], env: Option<&[CString]>) -> PyResult {
    let mut av: Vec<*const libc::c_char> = argv.iter().map(|c| c.as_ptr()).collect();
    av.push(std::ptr::null());
    let envp: Option<Vec<*const libc::c_char>> = env.map(|e| {
        let mut v: Vec<_> = e.iter().map(|c| c.as_ptr()).collect();
        v.push(std::ptr::null());
        v
    });
    // SAFETY: `av` and `envp` are NULL-terminated arrays of live C strings.
    unsafe {
        match (&p, &envp) {
            (PathOrFd::Path(p), Some(e)) => libc::execve(p.c.as_ptr(), av.as_ptr(), e.as_ptr()),
            (PathOrFd::Path(p), None) => libc::execv(p.c.as_ptr(), av.as_ptr()),
            (PathOrFd::Fd(fd), Some(e)) => libc::fexecve(*fd, av.as_ptr(), e.as_ptr()),
            (PathOrFd::Fd(_), None) => -1,
        }
    };
    // CPython's error names no file.
    Err(err(vm, errno(), None, None))
}

/// `os.execv(path, argv, /)`.
fn execv(vm: &mut Vm, a: Args) -> PyResult {
    let [p, argv] = a.clinic(vm, "execv", 2, 2, ["path", "argv"])?;
    let p = path_or_fd(vm, &req(p), "execv", "path", false)?;
    let argv = exec_argv(vm, &req(argv), "execv")?;
    do_exec(vm, p, &argv, None)
}

/// `os.execve(path, argv, env)`: `env` a mapping of str/bytes to str/bytes.
fn execve(vm: &mut Vm, a: Args) -> PyResult {
    let [p, argv, env] = a.clinic(vm, "execve", 0, 3, ["path", "argv", "env"])?;
    let p = path_or_fd(vm, &req(p), "execve", "path", true)?;
    let argv = exec_argv(vm, &req(argv), "execve")?;
    let env = req(env);
    let keys = match aio_vm::module::call_method(vm, &env, "keys", &[]) {
        Ok(k) => k,
        Err(_) => {
            return Err(vm.new_type_error("execve: environment must be a mapping object"));
        }
    };
    let keys = vm.collect(&keys)?;
    let mut envs = Vec::with_capacity(keys.len());
    for k in &keys {
        let v = aio_vm::module::call_method(vm, &env, "__getitem__", std::slice::from_ref(k))?;
        let kc = exec_str(vm, k)?;
        let vc = exec_str(vm, &v)?;
        if kc.as_bytes().is_empty() || kc.as_bytes()[1..].contains(&b'=') {
            return Err(vm.new_value_error("illegal environment variable name"));
        }
        let mut b = kc.into_bytes();
        b.push(b'=');
        b.extend_from_slice(vc.as_bytes());
        envs.push(CString::new(b).expect("no NUL"));
    }
    do_exec(vm, p, &argv, Some(&envs))
}

/// Installs the process functions into `os`.
pub(crate) fn install(vm: &mut Vm, m: &Obj) {
    let mut b = ModuleBuilder::new(vm, m);
    for (name, f) in [
        ("getpgrp", getpgrp as NativeFn),
        ("getpgid", getpgid),
        ("setpgid", setpgid),
        ("setsid", setsid),
        ("getsid", getsid),
        ("killpg", killpg),
        ("nice", nice),
        ("getpriority", getpriority),
        ("setpriority", setpriority),
        ("getgroups", getgroups),
        ("getlogin", getlogin),
        ("ctermid", ctermid),
        ("_sysconf", sysconf),
        ("major", major),
        ("minor", minor),
        ("makedev", makedev),
        ("getrandom", getrandom),
        ("sync", sync),
        ("WCOREDUMP", wcoredump),
        ("WIFCONTINUED", wifcontinued),
        ("fork", fork),
        ("wait", wait),
        ("_waitid", waitid),
        ("execv", execv),
        ("execve", execve),
    ] {
        b.function(name, f);
    }
}
