//! `pwd` and `grp`: the password and group databases through the C library, as CPython's C
//! modules read them (`getpwnam_r`, `getpwuid_r`, `getgrnam_r`, `getgrgid_r`, and the
//! `getpwent`/`getgrent` walks). The natives return plain tuples (or `None` when there is no
//! entry); `pwd.aio` and `grp.aio` check the arguments and make the struct sequences and
//! `KeyError`s with CPython's messages.

use aio_vm::module::ModuleBuilder;
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::ffi::{c_char, c_int, CStr, CString};

/// Initialises `pwd`.
pub fn init_pwd(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    ModuleBuilder::new(vm, m)
        .function("_getpwnam", getpwnam)
        .function("_getpwuid", getpwuid)
        .function("_getpwall", getpwall);
    crate::source::run(vm, m, &[("pwd/pwd.aio", include_str!("pwd.aio"))])
}

/// Initialises `grp`.
pub fn init_grp(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    ModuleBuilder::new(vm, m)
        .function("_getgrnam", getgrnam)
        .function("_getgrgid", getgrgid)
        .function("_getgrall", getgrall);
    crate::source::run(vm, m, &[("pwd/grp.aio", include_str!("grp.aio"))])
}

/// The text of a C string field (empty for a null pointer).
///
/// # Safety
/// `p` is null or points to a NUL-terminated string.
unsafe fn text(p: *const c_char) -> Value {
    if p.is_null() {
        return Value::str("");
    }
    Value::str(CStr::from_ptr(p).to_string_lossy().as_ref())
}

fn passwd_tuple(vm: &Vm, p: &libc::passwd) -> Value {
    // SAFETY: the C library filled every string field of `p` (or left it null).
    let fields = unsafe {
        vec![
            text(p.pw_name),
            text(p.pw_passwd),
            Value::Int(p.pw_uid as i64),
            Value::Int(p.pw_gid as i64),
            text(p.pw_gecos),
            text(p.pw_dir),
            text(p.pw_shell),
        ]
    };
    vm.new_tuple(fields)
}

fn group_tuple(vm: &Vm, g: &libc::group) -> Value {
    let mut members = Vec::new();
    // SAFETY: `gr_mem` is a null-terminated array of C strings.
    unsafe {
        let mut p = g.gr_mem;
        while !p.is_null() && !(*p).is_null() {
            members.push(text(*p));
            p = p.add(1);
        }
    }
    let members = vm.new_list(members);
    // SAFETY: as for `passwd_tuple`.
    let fields = unsafe {
        vec![
            text(g.gr_name),
            text(g.gr_passwd),
            Value::Int(g.gr_gid as i64),
            members,
        ]
    };
    vm.new_tuple(fields)
}

/// Runs a reentrant lookup (`getpwnam_r` and its kin) with a buffer that grows while the C
/// library answers `ERANGE`; `Some` with the entry when there is one.
fn lookup<T, R>(
    vm: &Vm,
    call: impl Fn(*mut T, *mut c_char, usize, *mut *mut T) -> c_int,
    make: R,
) -> Value
where
    R: Fn(&Vm, &T) -> Value,
{
    let mut size = 1024;
    loop {
        let mut buf = vec![0 as c_char; size];
        let mut entry = std::mem::MaybeUninit::<T>::uninit();
        let mut result: *mut T = std::ptr::null_mut();
        let rc = call(entry.as_mut_ptr(), buf.as_mut_ptr(), size, &mut result);
        if rc == libc::ERANGE && size < 1 << 20 {
            size *= 4;
            continue;
        }
        if rc != 0 || result.is_null() {
            return Value::None;
        }
        // SAFETY: the call succeeded and filled `entry`, whose strings point into `buf`,
        // which lives until the tuple is made.
        return make(vm, unsafe { &*result });
    }
}

fn name_arg(a: &Args) -> Option<CString> {
    a.pos
        .first()?
        .as_str()
        .and_then(|s| CString::new(s.as_str()).ok())
}

fn id_arg(a: &Args) -> Option<u32> {
    match a.pos.first()? {
        Value::Int(i) => u32::try_from(*i).ok(),
        _ => None,
    }
}

/// `_getpwnam(name)`: the entry's fields, or `None`.
fn getpwnam(vm: &mut Vm, a: Args) -> PyResult {
    let Some(name) = name_arg(&a) else {
        return Ok(Value::None);
    };
    Ok(lookup(
        vm,
        // SAFETY: every pointer is valid for the call, `size` is `buf`'s length.
        |e, b, n, r| unsafe { libc::getpwnam_r(name.as_ptr(), e, b, n, r) },
        passwd_tuple,
    ))
}

/// `_getpwuid(uid)`: the entry's fields, or `None`.
fn getpwuid(vm: &mut Vm, a: Args) -> PyResult {
    let Some(uid) = id_arg(&a) else {
        return Ok(Value::None);
    };
    Ok(lookup(
        vm,
        // SAFETY: as in `getpwnam`.
        |e, b, n, r| unsafe { libc::getpwuid_r(uid, e, b, n, r) },
        passwd_tuple,
    ))
}

/// `_getgrnam(name)`: the entry's fields, or `None`.
fn getgrnam(vm: &mut Vm, a: Args) -> PyResult {
    let Some(name) = name_arg(&a) else {
        return Ok(Value::None);
    };
    Ok(lookup(
        vm,
        // SAFETY: as in `getpwnam`.
        |e, b, n, r| unsafe { libc::getgrnam_r(name.as_ptr(), e, b, n, r) },
        group_tuple,
    ))
}

/// `_getgrgid(gid)`: the entry's fields, or `None`.
fn getgrgid(vm: &mut Vm, a: Args) -> PyResult {
    let Some(gid) = id_arg(&a) else {
        return Ok(Value::None);
    };
    Ok(lookup(
        vm,
        // SAFETY: as in `getpwnam`.
        |e, b, n, r| unsafe { libc::getgrgid_r(gid, e, b, n, r) },
        group_tuple,
    ))
}

/// `_getpwall()`: every entry's fields, in the database's order.
fn getpwall(vm: &mut Vm, _a: Args) -> PyResult {
    let mut out = Vec::new();
    // SAFETY: the walk's entries are read before the next call replaces them; the VM runs
    // on one thread, as CPython's module holds its lock for the walk.
    unsafe {
        libc::setpwent();
        loop {
            let p = libc::getpwent();
            if p.is_null() {
                break;
            }
            out.push(passwd_tuple(vm, &*p));
        }
        libc::endpwent();
    }
    Ok(vm.new_list(out))
}

/// `_getgrall()`: every group's fields, in the database's order.
fn getgrall(vm: &mut Vm, _a: Args) -> PyResult {
    let mut out = Vec::new();
    // SAFETY: as in `getpwall`.
    unsafe {
        libc::setgrent();
        loop {
            let g = libc::getgrent();
            if g.is_null() {
                break;
            }
            out.push(group_tuple(vm, &*g));
        }
        libc::endgrent();
    }
    Ok(vm.new_list(out))
}
