//! Child processes: the `os` process functions (`pipe`, `waitpid`, `kill`,
//! `waitstatus_to_exitcode` and the `W*` constants) and the `_subprocess` natives under
//! `subprocess` (`spawn`, which starts a program with `std::process::Command`, and
//! `communicate`, which feeds a child's stdin and drains its stdout and stderr with
//! `poll(2)` until they close or a deadline passes).
//!
//! Like the file system, these are installed only where the host allows the file system:
//! the `aio` binary, or a [`crate::VmBuilder`] with `allow_filesystem`. The calls block the
//! VM's one OS thread, so green threads do not run meanwhile; `subprocess`'s own waits with
//! a timeout poll and sleep through `time.sleep`, which lets them run.

use crate::fs::{last_errno as errno, os_error};
use aio_vm::module::{bytes_of, new_bytes, to_f64, to_index_i64, ModuleBuilder};
use aio_vm::native::{Args, NativeFn};
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::ffi::OsStr;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Argument `i` as an int (`__index__`), for the process and signal natives.
pub(crate) fn int_arg(vm: &mut Vm, a: &Args, i: usize) -> PyResult<i64> {
    match a.get(i) {
        Some(v) => to_index_i64(vm, v),
        None => Err(vm.new_type_error("missing argument")),
    }
}

fn fd_arg(vm: &mut Vm, a: &Args, i: usize) -> PyResult<i32> {
    let n = int_arg(vm, a, i)?;
    i32::try_from(n).map_err(|_| vm.new_overflow_error("fd is greater than maximum"))
}

/// `os.pipe()`: `(read_fd, write_fd)`, both non-inheritable as CPython's.
fn pipe(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "pipe", 0, 0)?;
    let mut fds = [0i32; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(os_error(vm, errno(), None, None));
    }
    Ok(vm.new_tuple(vec![Value::Int(fds[0] as i64), Value::Int(fds[1] as i64)]))
}

/// `os.waitpid(pid, options)`: `(pid, status)`; `(0, 0)` with `WNOHANG` while the child
/// runs.
fn waitpid(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "waitpid", 2, 2)?;
    let pid = int_arg(vm, &a, 0)? as libc::pid_t;
    let options = int_arg(vm, &a, 1)? as i32;
    let mut status = 0;
    loop {
        // SAFETY: `status` is a valid out-parameter.
        let r = unsafe { libc::waitpid(pid, &mut status, options) };
        if r >= 0 {
            return Ok(vm.new_tuple(vec![Value::Int(r as i64), Value::Int(status as i64)]));
        }
        let e = errno();
        if e != libc::EINTR {
            return Err(os_error(vm, e, None, None));
        }
        vm.check_wait_interrupted()?;
    }
}

/// `os.waitstatus_to_exitcode(status)`: the exit code, or minus the signal that ended the
/// process.
fn waitstatus_to_exitcode(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "waitstatus_to_exitcode", 1, 1)?;
    let status = int_arg(vm, &a, 0)? as i32;
    if libc::WIFEXITED(status) {
        return Ok(Value::Int(libc::WEXITSTATUS(status) as i64));
    }
    if libc::WIFSIGNALED(status) {
        return Ok(Value::Int(-(libc::WTERMSIG(status) as i64)));
    }
    Err(vm.new_value_error(format!("invalid wait status: {status}")))
}

/// `os.kill(pid, signal)`: a signal this process sent itself has its handler run before
/// `kill` returns, as CPython checks for signals at once.
fn kill(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "kill", 2, 2)?;
    let pid = int_arg(vm, &a, 0)? as libc::pid_t;
    let sig = int_arg(vm, &a, 1)? as i32;
    // SAFETY: kill has no memory effects.
    if unsafe { libc::kill(pid, sig) } != 0 {
        return Err(os_error(vm, errno(), None, None));
    }
    vm.check_wait_interrupted()?;
    Ok(Value::None)
}

/// `os.pidfd_open(pid, flags=0)`: a descriptor that turns readable when the process exits
/// (asyncio watches children through it).
fn pidfd_open(vm: &mut Vm, a: Args) -> PyResult {
    let [pid, flags] = a.clinic(vm, "pidfd_open", 0, 1, ["pid", "flags"])?;
    let pid = to_index_i64(vm, &pid.unwrap_or(Value::None))? as libc::pid_t;
    let flags = match flags {
        Some(f) => to_index_i64(vm, &f)? as libc::c_uint,
        None => 0,
    };
    // SAFETY: pidfd_open takes two integers and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, flags) };
    if fd < 0 {
        return Err(os_error(vm, errno(), None, None));
    }
    Ok(Value::Int(fd))
}

/// A `W*` function of `os` over a wait status.
fn status_fn(vm: &mut Vm, a: &Args, name: &str, f: fn(i32) -> Value) -> PyResult {
    a.check_count(vm, name, 1, 1)?;
    let status = int_arg(vm, a, 0)? as i32;
    Ok(f(status))
}

/// Installs the process functions into `os`.
pub fn install_os(vm: &mut Vm, m: &Obj) {
    let mut b = ModuleBuilder::new(vm, m);
    for (name, f) in [
        ("pipe", pipe as NativeFn),
        ("waitpid", waitpid),
        ("waitstatus_to_exitcode", waitstatus_to_exitcode),
        ("kill", kill),
        ("pidfd_open", pidfd_open),
        ("WIFEXITED", |vm, a| {
            status_fn(vm, &a, "WIFEXITED", |s| Value::bool(libc::WIFEXITED(s)))
        }),
        ("WIFSIGNALED", |vm, a| {
            status_fn(vm, &a, "WIFSIGNALED", |s| Value::bool(libc::WIFSIGNALED(s)))
        }),
        ("WIFSTOPPED", |vm, a| {
            status_fn(vm, &a, "WIFSTOPPED", |s| Value::bool(libc::WIFSTOPPED(s)))
        }),
        ("WEXITSTATUS", |vm, a| {
            status_fn(vm, &a, "WEXITSTATUS", |s| {
                Value::Int(libc::WEXITSTATUS(s) as i64)
            })
        }),
        ("WTERMSIG", |vm, a| {
            status_fn(vm, &a, "WTERMSIG", |s| Value::Int(libc::WTERMSIG(s) as i64))
        }),
        ("WSTOPSIG", |vm, a| {
            status_fn(vm, &a, "WSTOPSIG", |s| Value::Int(libc::WSTOPSIG(s) as i64))
        }),
    ] {
        b.function(name, f);
    }
    for (name, v) in [
        ("WNOHANG", libc::WNOHANG),
        ("WUNTRACED", libc::WUNTRACED),
        ("WCONTINUED", libc::WCONTINUED),
    ] {
        b.constant(name, v as i64);
    }
}

/// Initialises `_subprocess`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    ModuleBuilder::new(vm, m)
        .function("spawn", spawn)
        .function("communicate", communicate);
    Ok(())
}

/// The items of tuple argument `i`, each as bytes.
fn bytes_items(vm: &mut Vm, a: &Args, i: usize) -> PyResult<Vec<Vec<u8>>> {
    let items = match a.get(i).and_then(|v| v.payload()) {
        Some(Payload::Tuple(t)) => t.to_vec(),
        _ => return Err(vm.new_type_error("a tuple of bytes is required")),
    };
    items
        .iter()
        .map(|v| bytes_of(v).ok_or_else(|| vm.new_type_error("expected bytes")))
        .collect()
}

/// A child's standard stream: `-1` inherits the parent's, else a duplicate of the
/// descriptor (the caller closes its own).
fn stdio(vm: &mut Vm, fd: i32) -> PyResult<Stdio> {
    if fd < 0 {
        return Ok(Stdio::inherit());
    }
    // SAFETY: F_DUPFD_CLOEXEC makes a new descriptor the `OwnedFd` then owns.
    let dup = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) };
    if dup < 0 {
        return Err(os_error(vm, errno(), None, None));
    }
    // SAFETY: `dup` is a fresh descriptor nothing else owns.
    Ok(Stdio::from(unsafe { OwnedFd::from_raw_fd(dup) }))
}

/// `spawn(executable, args, cwd, env, stdin, stdout, stderr, start_new_session,
/// process_group, exe_name, cwd_name)`: starts the program and returns its pid. `args`,
/// `env` (`KEY=VALUE` items, or `None` to inherit) and the paths are bytes; the streams are
/// descriptors or `-1`; a `process_group` below 0 keeps the parent's. A failure to start
/// raises the `OSError` CPython's `_execute_child` raises: naming `cwd_name` when the
/// working directory is missing, else `exe_name`.
fn spawn(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "spawn", 11, 11)?;
    let exe = bytes_of(&a.pos[0]).ok_or_else(|| vm.new_type_error("executable: bytes"))?;
    let args = bytes_items(vm, &a, 1)?;
    let mut cmd = Command::new(OsStr::from_bytes(&exe));
    if let Some((arg0, rest)) = args.split_first() {
        cmd.arg0(OsStr::from_bytes(arg0));
        cmd.args(rest.iter().map(|s| OsStr::from_bytes(s)));
    }
    if let Some(cwd) = bytes_of(&a.pos[2]) {
        let dir = std::path::Path::new(OsStr::from_bytes(&cwd));
        let errno = match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => 0,
            Ok(_) => libc::ENOTDIR,
            Err(e) => e.raw_os_error().unwrap_or(libc::ENOENT),
        };
        if errno != 0 {
            return Err(os_error(vm, errno, Some(&a.pos[10]), None));
        }
        cmd.current_dir(dir);
    }
    if !a.pos[3].is_none() {
        cmd.env_clear();
        for kv in bytes_items(vm, &a, 3)? {
            if let Some(eq) = kv.iter().position(|&c| c == b'=') {
                cmd.env(
                    OsStr::from_bytes(&kv[..eq]),
                    OsStr::from_bytes(&kv[eq + 1..]),
                );
            }
        }
    }
    let (i, o, e) = (fd_arg(vm, &a, 4)?, fd_arg(vm, &a, 5)?, fd_arg(vm, &a, 6)?);
    cmd.stdin(stdio(vm, i)?)
        .stdout(stdio(vm, o)?)
        .stderr(stdio(vm, e)?);
    if vm.is_true(&a.pos[7].clone())? {
        // SAFETY: setsid is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
    }
    let group = int_arg(vm, &a, 8)?;
    if group >= 0 {
        cmd.process_group(group as i32);
    }
    match cmd.spawn() {
        // The `Child` is dropped without waiting: `subprocess` reaps it with `waitpid`.
        Ok(child) => Ok(Value::Int(child.id() as i64)),
        Err(err) => {
            let n = err.raw_os_error().unwrap_or(libc::ENOENT);
            Err(os_error(vm, n, Some(&a.pos[9]), None))
        }
    }
}

/// `communicate(stdin_fd, input, stdout_fd, stderr_fd, timeout)`: writes `input` to
/// `stdin_fd` while reading `stdout_fd` and `stderr_fd` to their end, all descriptors `-1`
/// when absent. Returns `(stdout, stderr, written, state)`: what was read (`None` for an
/// absent descriptor), how many input bytes went out, and why it returned: `'stdin'` when
/// the input is all written or the child closed its stdin (the caller closes it, so the
/// child sees the end of its input, and calls again), `'done'` when the output streams
/// ended, `'timeout'` when `timeout` seconds (`None`: no limit) passed first. The caller
/// owns and closes every descriptor.
fn communicate(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "communicate", 5, 5)?;
    let stdin = fd_arg(vm, &a, 0)?;
    let input = bytes_of(&a.pos[1]).unwrap_or_default();
    let (stdout, stderr) = (fd_arg(vm, &a, 2)?, fd_arg(vm, &a, 3)?);
    let deadline = if a.pos[4].is_none() {
        None
    } else {
        let secs = to_f64(vm, &a.pos[4])?.max(0.0);
        Some(Instant::now() + Duration::from_secs_f64(secs))
    };
    let mut written = 0usize;
    let stdin_wanted = stdin >= 0 && !input.is_empty();
    let mut stdin_open = stdin_wanted;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let (mut out_open, mut err_open) = (stdout >= 0, stderr >= 0);
    let mut buf = vec![0u8; 32 * 1024];
    let mut timed_out = false;
    while stdin_open || out_open || err_open {
        if stdin_wanted && !stdin_open {
            break;
        }
        let mut fds = Vec::with_capacity(3);
        if stdin_open {
            fds.push(libc::pollfd {
                fd: stdin,
                events: libc::POLLOUT,
                revents: 0,
            });
        }
        if out_open {
            fds.push(libc::pollfd {
                fd: stdout,
                events: libc::POLLIN,
                revents: 0,
            });
        }
        if err_open {
            fds.push(libc::pollfd {
                fd: stderr,
                events: libc::POLLIN,
                revents: 0,
            });
        }
        let wait_ms = match deadline {
            None => -1,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    timed_out = true;
                    break;
                }
                left.as_millis().clamp(1, i32::MAX as u128) as i32
            }
        };
        // SAFETY: `fds` holds `fds.len()` initialised pollfd entries.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, wait_ms) };
        if n < 0 {
            let e = errno();
            if e == libc::EINTR {
                vm.check_wait_interrupted()?;
                continue;
            }
            return Err(os_error(vm, e, None, None));
        }
        for p in fds.iter().filter(|p| p.revents != 0) {
            if p.fd == stdin && stdin_open {
                let chunk = &input[written..(written + 512).min(input.len())];
                // SAFETY: `chunk` is a valid buffer of `chunk.len()` bytes.
                let w = unsafe { libc::write(stdin, chunk.as_ptr().cast(), chunk.len()) };
                if w < 0 {
                    match errno() {
                        libc::EINTR | libc::EAGAIN => {}
                        // The child closed its stdin: the rest of the input is dropped, as
                        // CPython's `_communicate` does on a broken pipe.
                        _ => stdin_open = false,
                    }
                } else {
                    written += w as usize;
                    stdin_open = written < input.len();
                }
                continue;
            }
            // SAFETY: `buf` has room for `buf.len()` bytes.
            let r = unsafe { libc::read(p.fd, buf.as_mut_ptr().cast(), buf.len()) };
            if r < 0 && matches!(errno(), libc::EINTR | libc::EAGAIN) {
                continue;
            }
            let (sink, open) = if p.fd == stdout {
                (&mut out, &mut out_open)
            } else {
                (&mut err, &mut err_open)
            };
            if r <= 0 {
                *open = false;
            } else {
                sink.extend_from_slice(&buf[..r as usize]);
            }
        }
    }
    let state = if stdin_wanted && !stdin_open {
        "stdin"
    } else if timed_out {
        "timeout"
    } else {
        "done"
    };
    let wrap = |vm: &Vm, fd: i32, b: Vec<u8>| {
        if fd >= 0 {
            new_bytes(vm, b)
        } else {
            Value::None
        }
    };
    let items = vec![
        wrap(vm, stdout, out),
        wrap(vm, stderr, err),
        Value::Int(written as i64),
        Value::str(state),
    ];
    Ok(vm.new_tuple(items))
}
