//! `resource`: the process's resource limits and usage through the C library
//! (`getrlimit`, `setrlimit`, `prlimit`, `getrusage`, `getpagesize`), as CPython's C module
//! calls them. The natives take ints that `resource.aio` has checked and turned into C
//! values; it adds the struct sequence, the constants and CPython's argument messages.

use crate::fs::{last_errno, os_error};
use crate::os::args::checked_int as int;
use aio_vm::module::ModuleBuilder;
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};

/// Initialises `resource`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let mut b = ModuleBuilder::new(vm, m);
    b.function("_getrlimit", getrlimit)
        .function("_setrlimit", setrlimit)
        .function("_prlimit", prlimit)
        .function("_getrusage", getrusage)
        .function("getpagesize", getpagesize);
    for (name, value) in [
        ("RLIMIT_CPU", libc::RLIMIT_CPU),
        ("RLIMIT_FSIZE", libc::RLIMIT_FSIZE),
        ("RLIMIT_DATA", libc::RLIMIT_DATA),
        ("RLIMIT_STACK", libc::RLIMIT_STACK),
        ("RLIMIT_CORE", libc::RLIMIT_CORE),
        ("RLIMIT_RSS", libc::RLIMIT_RSS),
        ("RLIMIT_NPROC", libc::RLIMIT_NPROC),
        ("RLIMIT_NOFILE", libc::RLIMIT_NOFILE),
        ("RLIMIT_OFILE", libc::RLIMIT_NOFILE),
        ("RLIMIT_MEMLOCK", libc::RLIMIT_MEMLOCK),
        ("RLIMIT_AS", libc::RLIMIT_AS),
        ("RLIMIT_MSGQUEUE", libc::RLIMIT_MSGQUEUE),
        ("RLIMIT_NICE", libc::RLIMIT_NICE),
        ("RLIMIT_RTPRIO", libc::RLIMIT_RTPRIO),
        ("RLIMIT_RTTIME", libc::RLIMIT_RTTIME),
        ("RLIMIT_SIGPENDING", libc::RLIMIT_SIGPENDING),
    ] {
        b.constant(name, Value::Int(value as i64));
    }
    b.constant("RUSAGE_SELF", Value::Int(libc::RUSAGE_SELF as i64))
        .constant("RUSAGE_CHILDREN", Value::Int(libc::RUSAGE_CHILDREN as i64))
        .constant("RUSAGE_THREAD", Value::Int(libc::RUSAGE_THREAD as i64))
        .constant("RLIM_INFINITY", Value::Int(libc::RLIM_INFINITY as i64));
    crate::source::run(
        vm,
        m,
        &[("resource/resource.aio", include_str!("resource.aio"))],
    )
}

/// A limit as Python shows it (`RLIM_INFINITY` is -1).
fn limit_value(v: libc::rlim_t) -> Value {
    Value::Int(v as i64)
}

fn limits_tuple(vm: &Vm, rl: &libc::rlimit) -> Value {
    vm.new_tuple(vec![limit_value(rl.rlim_cur), limit_value(rl.rlim_max)])
}

/// The error of a failed `setrlimit`/`prlimit`: CPython's `ValueError`s for `EINVAL` and
/// `EPERM`, an `OSError` otherwise.
fn set_error(vm: &mut Vm) -> Obj {
    match last_errno() {
        libc::EINVAL => vm.new_value_error("current limit exceeds maximum limit"),
        libc::EPERM => vm.new_value_error("not allowed to raise maximum limit"),
        e => os_error(vm, e, None, None),
    }
}

/// `_getrlimit(resource)`: `(soft, hard)`.
fn getrlimit(vm: &mut Vm, a: Args) -> PyResult {
    let mut rl = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `rl` is a valid out-parameter; an unknown resource is EINVAL.
    if unsafe { libc::getrlimit(int(&a, 0) as _, &mut rl) } != 0 {
        return Err(os_error(vm, last_errno(), None, None));
    }
    Ok(limits_tuple(vm, &rl))
}

/// `_setrlimit(resource, soft, hard)`.
fn setrlimit(vm: &mut Vm, a: Args) -> PyResult {
    let rl = libc::rlimit {
        rlim_cur: int(&a, 1) as libc::rlim_t,
        rlim_max: int(&a, 2) as libc::rlim_t,
    };
    // SAFETY: `rl` is a valid in-parameter.
    if unsafe { libc::setrlimit(int(&a, 0) as _, &rl) } != 0 {
        return Err(set_error(vm));
    }
    Ok(Value::None)
}

/// `_prlimit(pid, resource[, soft, hard])`: the limits before the call.
fn prlimit(vm: &mut Vm, a: Args) -> PyResult {
    let new = (a.pos.len() == 4).then(|| libc::rlimit {
        rlim_cur: int(&a, 2) as libc::rlim_t,
        rlim_max: int(&a, 3) as libc::rlim_t,
    });
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    let new_ptr = new.as_ref().map_or(std::ptr::null(), |r| r as *const _);
    // SAFETY: `new_ptr` is null or points to `new`, `old` is a valid out-parameter.
    if unsafe {
        libc::prlimit(
            int(&a, 0) as libc::pid_t,
            int(&a, 1) as _,
            new_ptr,
            &mut old,
        )
    } != 0
    {
        return Err(match last_errno() {
            libc::EINVAL if new.is_none() => vm.new_value_error("invalid resource specified"),
            _ => set_error(vm),
        });
    }
    Ok(limits_tuple(vm, &old))
}

/// `_getrusage(who)`: the 16 fields of `struct_rusage`, times as float seconds.
fn getrusage(vm: &mut Vm, a: Args) -> PyResult {
    // SAFETY: an all-zero `rusage` is a valid value for the out-parameter.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid out-parameter.
    if unsafe { libc::getrusage(int(&a, 0) as _, &mut ru) } != 0 {
        return Err(match last_errno() {
            libc::EINVAL => vm.new_value_error("invalid who parameter"),
            e => os_error(vm, e, None, None),
        });
    }
    let secs = |t: libc::timeval| Value::float(t.tv_sec as f64 + t.tv_usec as f64 * 0.000001);
    let fields = vec![
        secs(ru.ru_utime),
        secs(ru.ru_stime),
        Value::Int(ru.ru_maxrss),
        Value::Int(ru.ru_ixrss),
        Value::Int(ru.ru_idrss),
        Value::Int(ru.ru_isrss),
        Value::Int(ru.ru_minflt),
        Value::Int(ru.ru_majflt),
        Value::Int(ru.ru_nswap),
        Value::Int(ru.ru_inblock),
        Value::Int(ru.ru_oublock),
        Value::Int(ru.ru_msgsnd),
        Value::Int(ru.ru_msgrcv),
        Value::Int(ru.ru_nsignals),
        Value::Int(ru.ru_nvcsw),
        Value::Int(ru.ru_nivcsw),
    ];
    Ok(vm.new_tuple(fields))
}

/// `getpagesize()`.
fn getpagesize(_vm: &mut Vm, _a: Args) -> PyResult {
    // SAFETY: `sysconf` has no preconditions.
    Ok(Value::Int(
        unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as i64
    ))
}
