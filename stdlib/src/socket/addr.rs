//! Socket addresses: a script's address (`('127.0.0.1', 80)`, `('::1', 80, 0, 0)`, a
//! path) to a `sockaddr` and back, as CPython's `getsockaddrarg` and `makesockaddr` do,
//! with their messages. Host names are resolved with `getaddrinfo(3)` (`setipaddr`).

use super::resolve::gai_error;
use aio_vm::module::{bytes_of, sequence_items, to_index_i64};
use aio_vm::{PyResult, Value, Vm};
use std::ffi::{CStr, CString};
use std::net::{Ipv4Addr, Ipv6Addr};

/// A `sockaddr` of any family, with its length.
pub(crate) struct SockAddr {
    pub storage: libc::sockaddr_storage,
    pub len: libc::socklen_t,
}

impl SockAddr {
    /// An empty address with room for any family (for `accept`, `recvfrom`, ...).
    pub fn empty() -> SockAddr {
        SockAddr {
            // SAFETY: an all-zero sockaddr_storage is valid.
            storage: unsafe { std::mem::zeroed() },
            len: std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t,
        }
    }

    /// A pointer to pass to the C library.
    pub fn ptr(&self) -> *const libc::sockaddr {
        (&self.storage as *const libc::sockaddr_storage).cast()
    }

    /// A mutable pointer to pass to the C library.
    pub fn mut_ptr(&mut self) -> *mut libc::sockaddr {
        (&mut self.storage as *mut libc::sockaddr_storage).cast()
    }

    fn from_v4(ip: Ipv4Addr, port: u16) -> SockAddr {
        let mut a = SockAddr::empty();
        // SAFETY: sockaddr_storage is large and aligned enough for a sockaddr_in.
        let sin = unsafe { &mut *(a.mut_ptr() as *mut libc::sockaddr_in) };
        sin.sin_family = libc::AF_INET as libc::sa_family_t;
        sin.sin_port = port.to_be();
        sin.sin_addr.s_addr = u32::from(ip).to_be();
        a.len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        a
    }

    fn from_v6(ip: Ipv6Addr, port: u16, flowinfo: u32, scope_id: u32) -> SockAddr {
        let mut a = SockAddr::empty();
        // SAFETY: sockaddr_storage is large and aligned enough for a sockaddr_in6.
        let sin6 = unsafe { &mut *(a.mut_ptr() as *mut libc::sockaddr_in6) };
        sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
        sin6.sin6_port = port.to_be();
        sin6.sin6_flowinfo = flowinfo.to_be();
        sin6.sin6_addr.s6_addr = ip.octets();
        sin6.sin6_scope_id = scope_id;
        a.len = std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t;
        a
    }
}

/// The IPv4 or IPv6 address of `a` (an `AF_INET` or `AF_INET6` address).
pub(crate) enum Ip {
    V4(Ipv4Addr),
    V6(Ipv6Addr, u32),
}

fn type_name(vm: &Vm, v: &Value) -> String {
    vm.type_name(v)
}

/// A host argument's text: `str`, or `bytes`/`bytearray` as ASCII (CPython's
/// `idna_converter`).
fn host_text(vm: &mut Vm, v: &Value) -> PyResult<String> {
    match v {
        Value::Str(s) => {
            if s.as_str().is_ascii() {
                Ok(s.as_str().to_string())
            } else {
                // CPython encodes with the idna codec; aio resolves the text as it is.
                Ok(s.as_str().to_string())
            }
        }
        _ => match bytes_of(v) {
            Some(b) if !matches!(v.payload(), Some(aio_vm::object::Payload::Host(_))) => {
                Ok(String::from_utf8_lossy(&b).into_owned())
            }
            _ => Err(vm.new_type_error(format!(
                "str, bytes or bytearray expected, not {}",
                type_name(vm, v)
            ))),
        },
    }
}

/// A C `int` argument (`'str' object cannot be interpreted as an integer`), `None` when it
/// does not fit.
fn c_int(vm: &mut Vm, v: &Value) -> PyResult<Option<i64>> {
    if matches!(v, Value::Float(_)) {
        return Err(vm.new_type_error("'float' object cannot be interpreted as an integer"));
    }
    match to_index_i64(vm, v) {
        Ok(n) if i32::try_from(n).is_ok() => Ok(Some(n)),
        Ok(_) => Ok(None),
        Err(e) if vm.type_name(&Value::Obj(e.clone())) == "IndexError" => Ok(None),
        Err(e) => Err(e),
    }
}

/// CPython's `setipaddr`: the address of host `name` for `family` (`AF_INET`, `AF_INET6`
/// or `AF_UNSPEC`): `''` is the wildcard address, `'<broadcast>'` the broadcast address,
/// numeric addresses are read as they are, and other names are resolved.
pub(crate) fn resolve_host(vm: &mut Vm, name: &str, family: i32) -> PyResult<Ip> {
    if name.is_empty() {
        return Ok(match family {
            libc::AF_INET6 => Ip::V6(Ipv6Addr::UNSPECIFIED, 0),
            _ => Ip::V4(Ipv4Addr::UNSPECIFIED),
        });
    }
    if name == "<broadcast>" || name == "255.255.255.255" {
        if family != libc::AF_INET && family != libc::AF_UNSPEC {
            return Err(mismatch(vm));
        }
        return Ok(Ip::V4(Ipv4Addr::BROADCAST));
    }
    if family == libc::AF_INET || family == libc::AF_UNSPEC {
        if let Some(ip) = inet_aton_strict(name) {
            return Ok(Ip::V4(ip));
        }
    }
    if family == libc::AF_INET6 || family == libc::AF_UNSPEC {
        if let Ok(ip) = name.parse::<Ipv6Addr>() {
            return Ok(Ip::V6(ip, 0));
        }
    }
    let c = CString::new(name)
        .map_err(|_| vm.new_type_error("host name must not contain null character"))?;
    // SAFETY: zeroed addrinfo hints are valid; the result list is freed below.
    unsafe {
        let mut hints: libc::addrinfo = std::mem::zeroed();
        hints.ai_family = family;
        let mut res: *mut libc::addrinfo = std::ptr::null_mut();
        let err = libc::getaddrinfo(c.as_ptr(), std::ptr::null(), &hints, &mut res);
        if err != 0 {
            return Err(gai_error(vm, err));
        }
        let ai = &*res;
        let found = ip_of(ai.ai_addr);
        libc::freeaddrinfo(res);
        match found {
            Some(ip) => Ok(ip),
            None => Err(mismatch(vm)),
        }
    }
}

fn mismatch(vm: &mut Vm) -> aio_vm::Obj {
    let cls = vm.exc.os_error.clone();
    vm.new_exception_msg(&cls, "address family mismatched")
}

/// A dotted IPv4 address of four decimal parts (what `inet_pton` accepts).
fn inet_aton_strict(s: &str) -> Option<Ipv4Addr> {
    s.parse::<Ipv4Addr>().ok()
}

/// The IP address in a C `sockaddr` of family `AF_INET` or `AF_INET6`.
///
/// # Safety
/// `sa` must point to a valid socket address of its family's size.
unsafe fn ip_of(sa: *const libc::sockaddr) -> Option<Ip> {
    match (*sa).sa_family as i32 {
        libc::AF_INET => {
            let sin = &*(sa as *const libc::sockaddr_in);
            Some(Ip::V4(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr))))
        }
        libc::AF_INET6 => {
            let sin6 = &*(sa as *const libc::sockaddr_in6);
            Some(Ip::V6(
                Ipv6Addr::from(sin6.sin6_addr.s6_addr),
                sin6.sin6_scope_id,
            ))
        }
        _ => None,
    }
}

/// CPython's `getsockaddrarg`: the `sockaddr` for address `v` of a socket of `family`;
/// `caller` names the method in messages (`connect(): port must be 0-65535.`).
pub(crate) fn sockaddr_arg(
    vm: &mut Vm,
    family: i32,
    v: &Value,
    caller: &str,
) -> PyResult<SockAddr> {
    match family {
        libc::AF_UNIX => unix_addr(vm, v),
        libc::AF_INET | libc::AF_INET6 => {
            let fam = if family == libc::AF_INET {
                "AF_INET"
            } else {
                "AF_INET6"
            };
            let is_tuple = matches!(v.payload(), Some(aio_vm::object::Payload::Tuple(_)));
            let items = match sequence_items(v) {
                Some(items) if is_tuple => items,
                _ => {
                    return Err(vm.new_type_error(format!(
                        "{caller}(): {fam} address must be tuple, not {}",
                        type_name(vm, v)
                    )))
                }
            };
            let shape = if family == libc::AF_INET {
                "AF_INET address must be a pair (host, port)"
            } else {
                "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])"
            };
            let max = if family == libc::AF_INET { 2 } else { 4 };
            if items.len() < 2 || items.len() > max {
                return Err(vm.new_type_error(shape));
            }
            let host = host_text(vm, &items[0])?;
            let port = c_int(vm, &items[1])?;
            let port_error =
                |vm: &mut Vm| vm.new_overflow_error(format!("{caller}(): port must be 0-65535."));
            let Some(port) = port else {
                return Err(port_error(vm));
            };
            let mut extra = [0u32; 2];
            for (i, item) in items.iter().skip(2).enumerate() {
                let n = aio_vm::module::to_index(vm, item)?;
                extra[i] = u32::try_from(&n).map_err(|_| {
                    vm.new_overflow_error("Python int too large to convert to C unsigned long")
                })?;
            }
            let ip = resolve_host(vm, &host, family)?;
            if !(0..=0xffff).contains(&port) {
                return Err(port_error(vm));
            }
            if extra[0] > 0xfffff {
                return Err(
                    vm.new_overflow_error(format!("{caller}(): flowinfo must be 0-1048575."))
                );
            }
            Ok(match ip {
                Ip::V4(ip) => SockAddr::from_v4(ip, port as u16),
                Ip::V6(ip, scope) => {
                    let scope = if extra[1] != 0 { extra[1] } else { scope };
                    SockAddr::from_v6(ip, port as u16, extra[0], scope)
                }
            })
        }
        _ => {
            let cls = vm.exc.os_error.clone();
            Err(vm.new_exception_msg(&cls, format!("{caller}(): bad family")))
        }
    }
}

/// An `AF_UNIX` address: a path as `str` (UTF-8) or bytes (a leading NUL byte is Linux's
/// abstract namespace).
fn unix_addr(vm: &mut Vm, v: &Value) -> PyResult<SockAddr> {
    let path: Vec<u8> = match v {
        Value::Str(s) => s.as_str().as_bytes().to_vec(),
        _ => bytes_of(v).ok_or_else(|| {
            vm.new_type_error(format!(
                "a bytes-like object is required, not '{}'",
                type_name(vm, v)
            ))
        })?,
    };
    let mut a = SockAddr::empty();
    // SAFETY: sockaddr_storage is large and aligned enough for a sockaddr_un.
    let sun = unsafe { &mut *(a.mut_ptr() as *mut libc::sockaddr_un) };
    if path.len() >= sun.sun_path.len() {
        let cls = vm.exc.os_error.clone();
        return Err(vm.new_exception_msg(&cls, "AF_UNIX path too long"));
    }
    sun.sun_family = libc::AF_UNIX as libc::sa_family_t;
    for (d, s) in sun.sun_path.iter_mut().zip(&path) {
        *d = *s as libc::c_char;
    }
    let base = std::mem::size_of::<libc::sa_family_t>();
    // As CPython: abstract addresses count their bytes exactly; paths their NUL too.
    let extra = usize::from(path.first() != Some(&0));
    a.len = (base + path.len() + extra) as libc::socklen_t;
    Ok(a)
}

/// CPython's `makesockaddr`: the script's value for address `a` (`None` when empty).
pub(crate) fn sockaddr_value(vm: &mut Vm, a: &SockAddr) -> Value {
    if a.len == 0 {
        return Value::None;
    }
    match a.storage.ss_family as i32 {
        libc::AF_INET => {
            // SAFETY: the family says the storage holds a sockaddr_in.
            let sin = unsafe { &*(a.ptr() as *const libc::sockaddr_in) };
            let ip = Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr));
            let port = u16::from_be(sin.sin_port);
            vm.new_tuple(vec![Value::str(ip.to_string()), Value::Int(port as i64)])
        }
        libc::AF_INET6 => {
            // SAFETY: the family says the storage holds a sockaddr_in6.
            let sin6 = unsafe { &*(a.ptr() as *const libc::sockaddr_in6) };
            let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
            vm.new_tuple(vec![
                Value::str(ipv6_text(&ip, sin6.sin6_scope_id)),
                Value::Int(u16::from_be(sin6.sin6_port) as i64),
                Value::Int(u32::from_be(sin6.sin6_flowinfo) as i64),
                Value::Int(sin6.sin6_scope_id as i64),
            ])
        }
        libc::AF_UNIX => {
            // SAFETY: the family says the storage holds a sockaddr_un.
            let sun = unsafe { &*(a.ptr() as *const libc::sockaddr_un) };
            let base = std::mem::size_of::<libc::sa_family_t>();
            let n = (a.len as usize)
                .saturating_sub(base)
                .min(sun.sun_path.len());
            let raw: Vec<u8> = sun.sun_path[..n].iter().map(|&c| c as u8).collect();
            if raw.first() == Some(&0) {
                // Linux's abstract namespace: the bytes as they are.
                return aio_vm::module::new_bytes(vm, raw);
            }
            let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
            Value::str(String::from_utf8_lossy(&raw[..end]).into_owned())
        }
        fam => {
            let data: Vec<u8> = a.storage_bytes().iter().skip(2).take(14).copied().collect();
            let b = aio_vm::module::new_bytes(vm, data);
            vm.new_tuple(vec![Value::Int(fam as i64), b])
        }
    }
}

impl SockAddr {
    fn storage_bytes(&self) -> &[u8] {
        // SAFETY: the storage is plain bytes of its size.
        unsafe {
            std::slice::from_raw_parts(
                (&self.storage as *const libc::sockaddr_storage).cast::<u8>(),
                std::mem::size_of::<libc::sockaddr_storage>(),
            )
        }
    }
}

/// An IPv6 address as `inet_ntop` writes it (with `%scope` for link-local addresses, as
/// `getnameinfo` does in CPython's `makeipaddr`).
pub(crate) fn ipv6_text(ip: &Ipv6Addr, scope: u32) -> String {
    let mut buf = [0 as libc::c_char; 64];
    let octets = ip.octets();
    // SAFETY: `octets` is an in6_addr's 16 bytes; `buf` has room for INET6_ADDRSTRLEN.
    let text = unsafe {
        super::convert::inet_ntop(
            libc::AF_INET6,
            octets.as_ptr().cast(),
            buf.as_mut_ptr(),
            buf.len() as libc::socklen_t,
        );
        CStr::from_ptr(buf.as_ptr()).to_string_lossy().into_owned()
    };
    if scope != 0 && (octets[0] == 0xfe && (octets[1] & 0xc0) == 0x80) {
        // SAFETY: if_indextoname writes at most IF_NAMESIZE bytes.
        let mut name = [0 as libc::c_char; 64];
        let p = unsafe { libc::if_indextoname(scope, name.as_mut_ptr()) };
        if !p.is_null() {
            // SAFETY: if_indextoname wrote a NUL-terminated name.
            let n = unsafe { CStr::from_ptr(name.as_ptr()) }.to_string_lossy();
            return format!("{text}%{n}");
        }
        return format!("{text}%{scope}");
    }
    text
}
