//! Address and byte-order conversions: `inet_aton`, `inet_ntoa`, `inet_pton`, `inet_ntop`,
//! `htons`, `ntohs`, `htonl`, `ntohl`, with CPython's messages.

use aio_vm::module::{bytes_of, new_bytes, to_index};
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};
use num_traits::{Signed, ToPrimitive};
use std::ffi::{CStr, CString};

// The C library's address conversions (the `libc` crate does not declare them).
extern "C" {
    fn inet_aton(cp: *const libc::c_char, inp: *mut libc::in_addr) -> libc::c_int;
    fn inet_pton(af: libc::c_int, src: *const libc::c_char, dst: *mut libc::c_void) -> libc::c_int;
    pub(crate) fn inet_ntop(
        af: libc::c_int,
        src: *const libc::c_void,
        dst: *mut libc::c_char,
        size: libc::socklen_t,
    ) -> *const libc::c_char;
}

fn plain_os_error(vm: &mut Vm, msg: &str) -> Obj {
    let cls = vm.exc.os_error.clone();
    vm.new_exception_msg(&cls, msg)
}

/// A `str` argument (`inet_aton() argument 1 must be str, not bytes`).
fn str_arg(vm: &mut Vm, a: &Args, i: usize, fname: &str) -> PyResult<CString> {
    match &a.pos[i] {
        Value::Str(s) => {
            CString::new(s.as_str()).map_err(|_| vm.new_value_error("embedded null character"))
        }
        v => {
            let t = aio_vm::module::arg_type_name(vm, v);
            Err(vm.new_type_error(format!("{fname}() argument {} must be str, not {t}", i + 1)))
        }
    }
}

/// A bytes-like argument (`a bytes-like object is required, not 'str'`).
fn bytes_arg(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    bytes_of(v).ok_or_else(|| {
        vm.new_type_error(format!(
            "a bytes-like object is required, not '{}'",
            vm.type_name(v)
        ))
    })
}

/// `inet_aton(string)`: the 4 packed bytes of an IPv4 address in any form the C library
/// accepts (`'1.2.3'` too).
pub(crate) fn py_inet_aton(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "inet_aton", 1, 1)?;
    let c = str_arg(vm, &a, 0, "inet_aton")?;
    let mut addr = libc::in_addr { s_addr: 0 };
    // SAFETY: `c` is NUL-terminated; `addr` is a valid in_addr.
    if unsafe { inet_aton(c.as_ptr(), &mut addr) } == 0 {
        return Err(plain_os_error(
            vm,
            "illegal IP address string passed to inet_aton",
        ));
    }
    Ok(new_bytes(vm, addr.s_addr.to_ne_bytes().to_vec()))
}

/// `inet_ntoa(packed)`: the dotted text of 4 packed bytes.
pub(crate) fn py_inet_ntoa(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "inet_ntoa", 1, 1)?;
    let b = bytes_arg(vm, &a.pos[0])?;
    if b.len() != 4 {
        return Err(plain_os_error(vm, "packed IP wrong length for inet_ntoa"));
    }
    Ok(Value::str(format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])))
}

/// `inet_pton(family, string)`: the packed bytes of an IPv4 or IPv6 address.
pub(crate) fn py_inet_pton(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "inet_pton", 2, 2)?;
    let af = crate::process::int_arg(vm, &a, 0)? as i32;
    let c = str_arg(vm, &a, 1, "inet_pton")?;
    let mut buf = [0u8; 16];
    // SAFETY: `c` is NUL-terminated; `buf` has room for an in6_addr.
    let r = unsafe { inet_pton(af, c.as_ptr(), buf.as_mut_ptr().cast()) };
    if r < 0 {
        return Err(super::handle::errno_error(vm));
    }
    if r == 0 {
        return Err(plain_os_error(
            vm,
            "illegal IP address string passed to inet_pton",
        ));
    }
    let n = if af == libc::AF_INET { 4 } else { 16 };
    Ok(new_bytes(vm, buf[..n].to_vec()))
}

/// `inet_ntop(family, packed)`: the text of a packed IPv4 or IPv6 address.
pub(crate) fn py_inet_ntop(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "inet_ntop", 2, 2)?;
    let af = crate::process::int_arg(vm, &a, 0)? as i32;
    let b = bytes_arg(vm, &a.pos[1])?;
    let want = match af {
        libc::AF_INET => 4,
        libc::AF_INET6 => 16,
        _ => return Err(vm.new_value_error(format!("unknown address family {af}"))),
    };
    if b.len() != want {
        return Err(vm.new_value_error("invalid length of packed IP address string"));
    }
    let mut out = [0 as libc::c_char; 64];
    // SAFETY: `b` holds an address of the family's size; `out` has room for its text.
    let text = unsafe {
        if inet_ntop(af, b.as_ptr().cast(), out.as_mut_ptr(), out.len() as u32).is_null() {
            return Err(super::handle::errno_error(vm));
        }
        CStr::from_ptr(out.as_ptr()).to_string_lossy().into_owned()
    };
    Ok(Value::str(text))
}

/// An int argument of the byte-order functions.
fn order_arg(vm: &mut Vm, a: &Args, fname: &str) -> PyResult<num_bigint::BigInt> {
    a.check_count(vm, fname, 1, 1)?;
    to_index(vm, &a.pos[0])
}

/// `htons`/`ntohs` (the same swap): 16-bit values, CPython 3.11's messages.
fn swap16(vm: &mut Vm, a: Args, fname: &str) -> PyResult {
    let n = order_arg(vm, &a, fname)?;
    if n.is_negative() {
        return Err(vm.new_overflow_error(format!(
            "{fname}: can't convert negative Python int to C 16-bit unsigned integer"
        )));
    }
    match n.to_u16() {
        Some(v) => Ok(Value::Int(v.swap_bytes() as i64)),
        None if n.to_i64().is_some() => Err(vm.new_overflow_error(format!(
            "{fname}: Python int too large to convert to C 16-bit unsigned integer"
        ))),
        None => Err(vm.new_overflow_error("Python int too large to convert to C long")),
    }
}

/// `htonl`/`ntohl` (the same swap): 32-bit values.
fn swap32(vm: &mut Vm, a: Args, fname: &str) -> PyResult {
    a.check_count(vm, fname, 1, 1)?;
    let v = &a.pos[0];
    if !matches!(v, Value::Int(_) | Value::Bool(_)) && aio_vm::module::as_int(v).is_none() {
        let t = vm.type_name(v);
        return Err(vm.new_type_error(format!("expected int, {t} found")));
    }
    let n = to_index(vm, v)?;
    if n.is_negative() {
        return Err(vm.new_overflow_error("can't convert negative value to unsigned int"));
    }
    match (n.to_u32(), n.to_u64()) {
        (Some(v), _) => Ok(Value::Int(v.swap_bytes() as i64)),
        (None, Some(_)) => Err(vm.new_overflow_error("int larger than 32 bits")),
        (None, None) => {
            Err(vm.new_overflow_error("Python int too large to convert to C unsigned long"))
        }
    }
}

/// `htons(x)`.
pub(crate) fn htons(vm: &mut Vm, a: Args) -> PyResult {
    swap16(vm, a, "htons")
}

/// `ntohs(x)`.
pub(crate) fn ntohs(vm: &mut Vm, a: Args) -> PyResult {
    swap16(vm, a, "ntohs")
}

/// `htonl(x)`.
pub(crate) fn htonl(vm: &mut Vm, a: Args) -> PyResult {
    swap32(vm, a, "htonl")
}

/// `ntohl(x)`.
pub(crate) fn ntohl(vm: &mut Vm, a: Args) -> PyResult {
    swap32(vm, a, "ntohl")
}
