//! Name resolution: `getaddrinfo`, `getnameinfo`, `gethostname`, `gethostbyname`,
//! `gethostbyname_ex`, `gethostbyaddr`, `getservbyname`, `getservbyport`,
//! `getprotobyname`, over the C library, with CPython's errors (`socket.gaierror` for the
//! resolver's codes, with `gai_strerror`'s text).

use super::addr::{resolve_host, sockaddr_value, Ip, SockAddr};
use crate::fs::os_error;
use crate::process::int_arg;
use aio_vm::module::{bytes_of, getattr, sequence_items};
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::ffi::{CStr, CString};

/// An exception of `_socket`'s class `name` (`gaierror`, `herror`) with `(code, text)`.
fn socket_error(vm: &mut Vm, name: &str, code: i64, text: String) -> Obj {
    let made = vm.import_module("_socket").and_then(|m| {
        let cls = getattr(vm, &m, name)?;
        vm.call(&cls, &[Value::Int(code), Value::str(text)], &[])
    });
    match made {
        Ok(Value::Obj(e)) => e,
        Ok(_) => vm.new_runtime_error("socket error classes are not exceptions"),
        Err(e) => e,
    }
}

/// `socket.gaierror(code, gai_strerror(code))`; `EAI_SYSTEM` is the `OSError` of `errno`.
pub(crate) fn gai_error(vm: &mut Vm, code: i32) -> Obj {
    if code == libc::EAI_SYSTEM {
        let e = crate::fs::last_errno();
        return os_error(vm, e, None, None);
    }
    // SAFETY: gai_strerror returns a static NUL-terminated string.
    let text = unsafe { CStr::from_ptr(libc::gai_strerror(code)) }
        .to_string_lossy()
        .into_owned();
    socket_error(vm, "gaierror", code as i64, text)
}

fn plain_os_error(vm: &mut Vm, msg: &str) -> Obj {
    let cls = vm.exc.os_error.clone();
    vm.new_exception_msg(&cls, msg)
}

/// A C string argument of text `v` (a `str`, or `bytes` as they are).
fn c_text(vm: &mut Vm, v: &Value, what: &str) -> PyResult<CString> {
    let b = match v {
        Value::Str(s) => s.as_str().as_bytes().to_vec(),
        _ => bytes_of(v).ok_or_else(|| vm.new_type_error(what.to_string()))?,
    };
    CString::new(b).map_err(|_| vm.new_value_error("embedded null character"))
}

/// `_getaddrinfo(host, port, family, type, proto, flags)` (`_socket.aio` gives the
/// defaults): a list of
/// `(family, type, proto, canonname, sockaddr)`, numbers as they are (`socket.aio` makes
/// them enums).
pub(crate) fn getaddrinfo(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "getaddrinfo", 6, 6)?;
    let (host, port) = (a.pos[0].clone(), a.pos[1].clone());
    let (family, kind, proto, flags) = (
        Some(a.pos[2].clone()),
        Some(a.pos[3].clone()),
        Some(a.pos[4].clone()),
        Some(a.pos[5].clone()),
    );
    let host_c = match &host {
        Value::None => None,
        Value::Str(_) => Some(c_text(vm, &host, "")?),
        v if bytes_of(v).is_some() => Some(c_text(vm, &host, "")?),
        _ => return Err(vm.new_type_error("getaddrinfo() argument 1 must be string or None")),
    };
    let port_c = match &port {
        Value::None => None,
        Value::Int(n) => Some(CString::new(n.to_string()).expect("digits")),
        Value::Bool(_) => Some(
            CString::new(aio_vm::module::to_index_i64(vm, &port)?.to_string()).expect("digits"),
        ),
        Value::Str(_) => Some(c_text(vm, &port, "")?),
        v if bytes_of(v).is_some() => Some(c_text(vm, &port, "")?),
        _ => return Err(plain_os_error(vm, "Int or String expected")),
    };
    let num = |vm: &mut Vm, v: Option<Value>| -> PyResult<i32> {
        let v = v.unwrap_or(Value::Int(0));
        Ok(aio_vm::module::to_index_i64(vm, &v)? as i32)
    };
    let (family, kind, proto, flags) = (
        num(vm, family)?,
        num(vm, kind)?,
        num(vm, proto)?,
        num(vm, flags)?,
    );
    // SAFETY: zeroed hints are valid; the list is freed below, after it is read.
    let out = unsafe {
        let mut hints: libc::addrinfo = std::mem::zeroed();
        hints.ai_family = family;
        hints.ai_socktype = kind;
        hints.ai_protocol = proto;
        hints.ai_flags = flags;
        let mut res: *mut libc::addrinfo = std::ptr::null_mut();
        let err = libc::getaddrinfo(
            host_c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
            port_c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
            &hints,
            &mut res,
        );
        if err != 0 {
            return Err(gai_error(vm, err));
        }
        let mut out = Vec::new();
        let mut p = res;
        while !p.is_null() {
            let ai = &*p;
            let canon = if ai.ai_canonname.is_null() {
                String::new()
            } else {
                CStr::from_ptr(ai.ai_canonname)
                    .to_string_lossy()
                    .into_owned()
            };
            let mut sa = SockAddr::empty();
            let n = (ai.ai_addrlen as usize).min(std::mem::size_of::<libc::sockaddr_storage>());
            std::ptr::copy_nonoverlapping(ai.ai_addr.cast::<u8>(), sa.mut_ptr().cast::<u8>(), n);
            sa.len = n as libc::socklen_t;
            let addr = sockaddr_value(vm, &sa);
            out.push(vm.new_tuple(vec![
                Value::Int(ai.ai_family as i64),
                Value::Int(ai.ai_socktype as i64),
                Value::Int(ai.ai_protocol as i64),
                Value::str(canon),
                addr,
            ]));
            p = ai.ai_next;
        }
        libc::freeaddrinfo(res);
        out
    };
    Ok(vm.new_list(out))
}

/// `getnameinfo(sockaddr, flags)`: `(host, port)` as text.
pub(crate) fn getnameinfo(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "getnameinfo", 2, 2)?;
    let items = sequence_items(&a.pos[0])
        .filter(|_| matches!(a.pos[0].payload(), Some(aio_vm::object::Payload::Tuple(_))))
        .ok_or_else(|| vm.new_type_error("getnameinfo() argument 1 must be a tuple"))?;
    let flags = int_arg(vm, &a, 1)? as i32;
    if items.len() < 2 || items.len() > 4 {
        return Err(vm.new_type_error("getnameinfo(): illegal sockaddr argument"));
    }
    let Value::Str(host) = &items[0] else {
        return Err(vm.new_type_error("getnameinfo(): illegal sockaddr argument"));
    };
    let port = aio_vm::module::to_index_i64(vm, &items[1])?;
    let ip = resolve_host(vm, host.as_str(), libc::AF_UNSPEC)?;
    let family = match ip {
        Ip::V4(_) => libc::AF_INET,
        Ip::V6(..) => libc::AF_INET6,
    };
    let t = vm.new_tuple(vec![Value::str(host.as_str()), Value::Int(port)]);
    let sa = super::addr::sockaddr_arg(vm, family, &t, "getnameinfo")?;
    let (h, s) = name_info(&sa, flags).map_err(|err| gai_error(vm, err))?;
    Ok(vm.new_tuple(vec![Value::str(h), Value::str(s)]))
}

/// `getnameinfo(3)` of `sa`: its host and service names, or the `EAI_*` error code.
fn name_info(sa: &super::addr::SockAddr, flags: i32) -> Result<(String, String), i32> {
    let mut hbuf = [0 as libc::c_char; 1025];
    let mut sbuf = [0 as libc::c_char; 32];
    // SAFETY: `sa` is a valid address of its length; the buffers have the given sizes.
    let err = unsafe {
        libc::getnameinfo(
            sa.ptr(),
            sa.len,
            hbuf.as_mut_ptr(),
            hbuf.len() as libc::socklen_t,
            sbuf.as_mut_ptr(),
            sbuf.len() as libc::socklen_t,
            flags,
        )
    };
    if err != 0 {
        return Err(err);
    }
    // SAFETY: getnameinfo wrote NUL-terminated strings.
    Ok(unsafe {
        (
            CStr::from_ptr(hbuf.as_ptr()).to_string_lossy().into_owned(),
            CStr::from_ptr(sbuf.as_ptr()).to_string_lossy().into_owned(),
        )
    })
}

/// `gethostname()`.
pub(crate) fn gethostname(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "gethostname", 0, 0)?;
    let mut buf = [0 as libc::c_char; 1024];
    // SAFETY: `buf` has room for its length.
    if unsafe { libc::gethostname(buf.as_mut_ptr(), buf.len() - 1) } < 0 {
        return Err(super::handle::errno_error(vm));
    }
    // SAFETY: gethostname wrote a NUL-terminated name (the last byte stays 0).
    let s = unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned();
    Ok(Value::str(s))
}

/// A host name argument (`str`; CPython's `idna_converter`).
fn host_arg(vm: &mut Vm, a: &Args, fname: &str) -> PyResult<String> {
    a.check_count(vm, fname, 1, 1)?;
    match &a.pos[0] {
        Value::Str(s) => Ok(s.as_str().to_string()),
        v => match bytes_of(v) {
            Some(b) => Ok(String::from_utf8_lossy(&b).into_owned()),
            None => Err(vm.new_type_error(format!(
                "str, bytes or bytearray expected, not {}",
                vm.type_name(v)
            ))),
        },
    }
}

fn ip_text(ip: &Ip) -> String {
    match ip {
        Ip::V4(v4) => v4.to_string(),
        Ip::V6(v6, scope) => super::addr::ipv6_text(v6, *scope),
    }
}

/// `gethostbyname(name)`: the IPv4 address of a host, as text.
pub(crate) fn gethostbyname(vm: &mut Vm, a: Args) -> PyResult {
    let name = host_arg(vm, &a, "gethostbyname")?;
    let ip = resolve_host(vm, &name, libc::AF_INET)?;
    Ok(Value::str(ip_text(&ip)))
}

/// `(canonical name, aliases, addresses)` of host `name` (IPv4), as `gethostbyname_ex`.
fn host_entry(vm: &mut Vm, name: &str, family: i32) -> PyResult {
    let c = CString::new(name).map_err(|_| vm.new_value_error("embedded null character"))?;
    // SAFETY: zeroed hints are valid; the list is freed after it is read.
    unsafe {
        let mut hints: libc::addrinfo = std::mem::zeroed();
        hints.ai_family = family;
        hints.ai_flags = libc::AI_CANONNAME;
        hints.ai_socktype = libc::SOCK_STREAM;
        let mut res: *mut libc::addrinfo = std::ptr::null_mut();
        let err = libc::getaddrinfo(c.as_ptr(), std::ptr::null(), &hints, &mut res);
        if err != 0 {
            return Err(gai_error(vm, err));
        }
        let mut canon = name.to_string();
        let mut addrs: Vec<String> = Vec::new();
        let mut p = res;
        while !p.is_null() {
            let ai = &*p;
            if !ai.ai_canonname.is_null() {
                canon = CStr::from_ptr(ai.ai_canonname)
                    .to_string_lossy()
                    .into_owned();
            }
            let mut sa = SockAddr::empty();
            let n = (ai.ai_addrlen as usize).min(std::mem::size_of::<libc::sockaddr_storage>());
            std::ptr::copy_nonoverlapping(ai.ai_addr.cast::<u8>(), sa.mut_ptr().cast::<u8>(), n);
            sa.len = n as libc::socklen_t;
            let addr = sockaddr_value(vm, &sa);
            if let Some(Value::Str(s)) = sequence_items(&addr).and_then(|i| i.first().cloned()) {
                if !addrs.iter().any(|x| x == s.as_str()) {
                    addrs.push(s.as_str().to_string());
                }
            }
            p = ai.ai_next;
        }
        libc::freeaddrinfo(res);
        let aliases = vm.new_list(Vec::new());
        let addrs = addrs.into_iter().map(Value::str).collect();
        let addrs = vm.new_list(addrs);
        Ok(vm.new_tuple(vec![Value::str(canon), aliases, addrs]))
    }
}

/// `gethostbyname_ex(name)`: `(name, aliases, addresses)`.
pub(crate) fn gethostbyname_ex(vm: &mut Vm, a: Args) -> PyResult {
    let name = host_arg(vm, &a, "gethostbyname_ex")?;
    if name.is_empty() {
        return host_entry(vm, "0.0.0.0", libc::AF_INET);
    }
    host_entry(vm, &name, libc::AF_INET)
}

/// `gethostbyaddr(ip)`: `(name, aliases, addresses)` from the reverse lookup of an address
/// or host; `socket.herror: [Errno 1] Unknown host` when it has no name.
pub(crate) fn gethostbyaddr(vm: &mut Vm, a: Args) -> PyResult {
    let name = host_arg(vm, &a, "gethostbyaddr")?;
    let ip = resolve_host(vm, &name, libc::AF_UNSPEC)?;
    let text = ip_text(&ip);
    let family = match ip {
        Ip::V4(_) => libc::AF_INET,
        Ip::V6(..) => libc::AF_INET6,
    };
    let tuple = vm.new_tuple(vec![Value::str(text.clone()), Value::Int(0)]);
    let sa = super::addr::sockaddr_arg(vm, family, &tuple, "gethostbyaddr")?;
    let (host, _) = name_info(&sa, libc::NI_NAMEREQD)
        .map_err(|_| socket_error(vm, "herror", 1, "Unknown host".into()))?;
    let aliases = vm.new_list(Vec::new());
    let addrs = vm.new_list(vec![Value::str(text)]);
    Ok(vm.new_tuple(vec![Value::str(host), aliases, addrs]))
}

/// An optional protocol name argument (`'tcp'`, `'udp'`, or `None`).
fn proto_arg(vm: &mut Vm, a: &Args, i: usize, fname: &str) -> PyResult<Option<CString>> {
    match a.get(i) {
        None | Some(Value::None) => Ok(None),
        Some(Value::Str(s)) => CString::new(s.as_str())
            .map(Some)
            .map_err(|_| vm.new_value_error("embedded null character")),
        Some(v) => Err(vm.new_type_error(format!(
            "{fname}() argument {} must be str, not {}",
            i + 1,
            vm.type_name(v)
        ))),
    }
}

/// `getservbyname(name, proto=None)`: a service's port.
pub(crate) fn getservbyname(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "getservbyname", 1, 2)?;
    let Value::Str(name) = &a.pos[0] else {
        let t = vm.type_name(&a.pos[0]);
        return Err(vm.new_type_error(format!("getservbyname() argument 1 must be str, not {t}")));
    };
    let name =
        CString::new(name.as_str()).map_err(|_| vm.new_value_error("embedded null character"))?;
    let proto = proto_arg(vm, &a, 1, "getservbyname")?;
    // SAFETY: both strings are NUL-terminated; the entry is read at once.
    let port = unsafe {
        let e = libc::getservbyname(
            name.as_ptr(),
            proto.as_ref().map_or(std::ptr::null(), |p| p.as_ptr()),
        );
        if e.is_null() {
            return Err(plain_os_error(vm, "service/proto not found"));
        }
        u16::from_be((*e).s_port as u16)
    };
    Ok(Value::Int(port as i64))
}

/// `getservbyport(port, proto=None)`: a port's service name.
pub(crate) fn getservbyport(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "getservbyport", 1, 2)?;
    let port = int_arg(vm, &a, 0)?;
    if !(0..=0xffff).contains(&port) {
        return Err(vm.new_overflow_error("getservbyport: port must be 0-65535."));
    }
    let proto = proto_arg(vm, &a, 1, "getservbyport")?;
    // SAFETY: the protocol string is NUL-terminated; the entry is read at once.
    let name = unsafe {
        let e = libc::getservbyport(
            (port as u16).to_be() as libc::c_int,
            proto.as_ref().map_or(std::ptr::null(), |p| p.as_ptr()),
        );
        if e.is_null() {
            return Err(plain_os_error(vm, "port/proto not found"));
        }
        CStr::from_ptr((*e).s_name).to_string_lossy().into_owned()
    };
    Ok(Value::str(name))
}

/// `getprotobyname(name)`: a protocol's number.
pub(crate) fn getprotobyname(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "getprotobyname", 1, 1)?;
    let Value::Str(name) = &a.pos[0] else {
        let t = vm.type_name(&a.pos[0]);
        return Err(vm.new_type_error(format!("getprotobyname() argument 1 must be str, not {t}")));
    };
    let name =
        CString::new(name.as_str()).map_err(|_| vm.new_value_error("embedded null character"))?;
    // SAFETY: the name is NUL-terminated; the entry is read at once.
    let n = unsafe {
        let e = libc::getprotobyname(name.as_ptr());
        if e.is_null() {
            return Err(plain_os_error(vm, "protocol not found"));
        }
        (*e).p_proto
    };
    Ok(Value::Int(n as i64))
}
