//! Non-blocking TCP sockets for the streams API, registered with the loop's `mio::Poll`, and
//! the raw descriptors of `loop.add_reader`/`add_writer`. A socket's id is its descriptor,
//! so both share one key space (the loop's `_readers`/`_writers`, keyed by descriptor as
//! CPython's selector is); the prelude's transports and servers call these natives and get
//! readiness back as `(fd, readable, writable)` tuples. mio is edge-triggered; the loop
//! reports readiness level-triggered, as CPython's selectors do (`level_events`), so a
//! transport reads once per report, as CPython's do, and sees data and end of stream on
//! the same loop iterations. Interest changes re-register the socket (which re-arms it and
//! reports readiness that is already there).

use crate::fast_hash::{FastMap, FastSet};
use aio_vm::builtins::bytes_const;
use aio_vm::native::Args;
use aio_vm::value::Bool;
use aio_vm::{PyResult, Value, Vm};
use mio::net::{TcpListener, TcpStream, UdpSocket, UnixDatagram, UnixListener, UnixStream};
use mio::{Interest, Token};
use std::io::{ErrorKind, Read, Write};
use std::mem::ManuallyDrop;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};

/// A registered socket.
pub(super) enum Sock {
    /// A listening socket.
    Listener(TcpListener),
    /// A connection (or a connection in progress).
    Stream(TcpStream),
    /// A listening Unix domain socket (`loop.create_unix_server`).
    UnixListener(UnixListener),
    /// A Unix domain connection.
    UnixStream(UnixStream),
    /// A datagram socket (`loop.create_datagram_endpoint`).
    Udp(UdpSocket),
    /// A Unix domain datagram socket (`create_datagram_endpoint(family=AF_UNIX)`).
    UnixDatagram(UnixDatagram),
    /// A descriptor the script owns, watched through `loop.add_reader`/`add_writer` (pipes,
    /// `socket.socket`s, a child's pidfd). Nothing here reads it, so its readiness is never
    /// seen used up: while hot it is asked again with `poll(2)` before each wait
    /// (`refresh_raw`). It is never closed here.
    Fd(RawFd),
}

impl Sock {
    fn raw_fd(&self) -> RawFd {
        match self {
            Sock::Listener(l) => l.as_raw_fd(),
            Sock::Stream(t) => t.as_raw_fd(),
            Sock::UnixListener(l) => l.as_raw_fd(),
            Sock::UnixStream(t) => t.as_raw_fd(),
            Sock::Udp(u) => u.as_raw_fd(),
            Sock::UnixDatagram(u) => u.as_raw_fd(),
            Sock::Fd(fd) => *fd,
        }
    }

    /// The descriptor of a datagram socket of either family.
    fn datagram_fd(&self) -> Option<RawFd> {
        matches!(self, Sock::Udp(_) | Sock::UnixDatagram(_)).then(|| self.raw_fd())
    }

    /// The connection's reading and writing end, for either family.
    fn stream(&mut self) -> Option<&mut dyn StreamIo> {
        match self {
            Sock::Stream(t) => Some(t),
            Sock::UnixStream(t) => Some(t),
            _ => None,
        }
    }
}

/// A connected stream socket of either family.
trait StreamIo: Read + Write {
    fn shutdown_write(&self) -> std::io::Result<()>;
}

impl StreamIo for TcpStream {
    fn shutdown_write(&self) -> std::io::Result<()> {
        self.shutdown(std::net::Shutdown::Write)
    }
}

impl StreamIo for UnixStream {
    fn shutdown_write(&self) -> std::io::Result<()> {
        self.shutdown(std::net::Shutdown::Write)
    }
}

/// A socket taken out of the table. Dropping it closes its descriptor, unless a script's
/// `socket.socket` owns that (a socket handed over with `sock=`, see [`adopt`]): the script
/// closes it then.
pub(super) struct Taken {
    sock: ManuallyDrop<Sock>,
    borrowed: bool,
}

impl Drop for Taken {
    fn drop(&mut self) {
        if !self.borrowed {
            // SAFETY: dropped once, here; the field is not used again.
            unsafe { ManuallyDrop::drop(&mut self.sock) };
        }
    }
}

/// The sockets of this thread's loop, by id: the descriptor, which is also the mio `Token`.
#[derive(Default)]
pub(super) struct Sockets {
    pub(super) socks: FastMap<usize, Sock>,
    /// How many entries are `Sock::Fd` (none: `refresh_raw` has nothing to do).
    raw: usize,
    /// Registered interest per socket: (read, write).
    interest: FastMap<usize, (bool, bool)>,
    /// Readiness reported and not used up yet, per socket: (read, write). mio reports an
    /// edge once; CPython's selectors report a socket as long as it stays ready, and its
    /// transports read once per report. A socket stays hot here until an operation would
    /// block, and `level_events` reports it again on every loop iteration until then.
    hot: FastMap<usize, (bool, bool)>,
    /// Sockets whose peer closed its end while data may still be queued: they stay hot for
    /// reading until a read returns the end of the stream.
    read_closed: FastSet<usize>,
    /// The sockets `level_events` reported last, in its order. epoll keeps a level-triggered
    /// socket that stays ready where it was in its ready list, ahead of the sockets that
    /// became ready since, so the next report lists these first.
    delivered: Vec<usize>,
    /// What `_recv` reads into.
    scratch: Vec<u8>,
    /// Sockets whose descriptor a script's `socket.socket` owns ([`adopt`]).
    borrowed: FastSet<usize>,
}

impl Sockets {
    /// Enters a new socket under its descriptor. Whatever the table still knew under that
    /// number belonged to a descriptor closed since (a raw one the script closed while
    /// watched; the kernel dropped it from the poller then).
    fn add(&mut self, s: Sock) -> usize {
        let id = s.raw_fd() as usize;
        self.forget(id);
        self.socks.insert(id, s);
        id
    }

    /// Drops every trace of `id`, returning its socket and whether it was registered.
    fn forget(&mut self, id: usize) -> Option<(Taken, bool)> {
        self.hot.remove(&id);
        self.read_closed.remove(&id);
        self.delivered.retain(|&d| d != id);
        let registered = self.interest.remove(&id).is_some();
        let borrowed = self.borrowed.remove(&id);
        let sock = self.socks.remove(&id)?;
        if matches!(sock, Sock::Fd(_)) {
            self.raw -= 1;
        }
        let sock = ManuallyDrop::new(sock);
        Some((Taken { sock, borrowed }, registered))
    }

    /// Level-triggered readiness of the hot raw descriptors: `poll(2)` without waiting says
    /// whether each is still ready for what it is watched for (CPython's epoll mapping: any
    /// event but `POLLOUT` makes it readable, any but `POLLIN` writable); one that is not
    /// cools until its next edge, and one closed meanwhile (`POLLNVAL`) is never reported,
    /// as epoll forgets a closed descriptor.
    fn refresh_raw(&mut self) {
        if self.raw == 0 {
            return;
        }
        let mut fds: Vec<libc::pollfd> = Vec::new();
        for &id in self.hot.keys() {
            if let (Some(Sock::Fd(fd)), Some(&(ir, iw))) =
                (self.socks.get(&id), self.interest.get(&id))
            {
                let events = if ir { libc::POLLIN } else { 0 } | if iw { libc::POLLOUT } else { 0 };
                fds.push(libc::pollfd {
                    fd: *fd,
                    events,
                    revents: 0,
                });
            }
        }
        if fds.is_empty() {
            return;
        }
        // SAFETY: `fds` is a valid array of `fds.len()` pollfd structures.
        if unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 0) } < 0 {
            return;
        }
        for p in fds {
            let ev = p.revents;
            if ev == 0 || ev & libc::POLLNVAL != 0 {
                self.hot.remove(&(p.fd as usize));
            } else {
                let ready = (ev & !libc::POLLOUT != 0, ev & !libc::POLLIN != 0);
                self.hot.insert(p.fd as usize, ready);
            }
        }
    }

    /// An operation on `id` would block: that readiness is used up until the next edge.
    fn cool(&mut self, id: usize, read: bool) {
        if let Some(h) = self.hot.get_mut(&id) {
            if read {
                h.0 = false;
            } else {
                h.1 = false;
            }
        }
    }

    /// Whether a watched socket is still ready (the next poll must not block).
    fn any_hot_watched(&self) -> bool {
        self.hot.iter().any(|(id, &(r, w))| {
            self.interest
                .get(id)
                .is_some_and(|&(ir, iw)| (r && ir) || (w && iw))
        })
    }
}

/// Whether the next poll must return at once because a watched socket is still ready.
pub(super) fn any_hot() -> bool {
    super::with_sockets(|s| {
        s.refresh_raw();
        s.any_hot_watched()
    })
}

/// A readiness event from mio: `(id, readable, writable, read_closed)`.
pub(super) type Edge = (usize, bool, bool, bool);

/// Level-triggered readiness from mio's edges: `edges` (this poll's events) make their
/// sockets hot, and every hot socket is reported for the interest it is watched for in
/// epoll's order — the sockets reported last time that are still ready, in that order, then
/// the new edges, in mio's order, then any other ready socket, by id.
pub(super) fn level_events(edges: Vec<Edge>) -> Vec<(usize, bool, bool)> {
    super::with_sockets(|s| {
        for &(id, r, w, closed) in &edges {
            if s.socks.contains_key(&id) {
                let h = s.hot.entry(id).or_insert((false, false));
                h.0 |= r;
                h.1 |= w;
                if closed {
                    s.read_closed.insert(id);
                }
            }
        }
        let watched = |s: &Sockets, id: usize| -> Option<(usize, bool, bool)> {
            let (r, w) = *s.hot.get(&id)?;
            let (ir, iw) = *s.interest.get(&id)?;
            let (r, w) = (r && ir, w && iw);
            (r || w).then_some((id, r, w))
        };
        let mut rest: Vec<usize> = s
            .hot
            .keys()
            .copied()
            .filter(|id| !edges.iter().any(|e| e.0 == *id) && !s.delivered.contains(id))
            .collect();
        rest.sort_unstable();
        let order = std::mem::take(&mut s.delivered)
            .into_iter()
            .chain(edges.iter().map(|e| e.0))
            .chain(rest);
        let mut out: Vec<(usize, bool, bool)> = Vec::new();
        for id in order {
            if !out.iter().any(|e| e.0 == id) {
                out.extend(watched(s, id));
            }
        }
        s.delivered = out.iter().map(|e| e.0).collect();
        out
    })
}

/// `OSError(errno, strerror)` for an I/O error: the class call picks the subclass
/// (`ConnectionRefusedError`, ...), as CPython's does.
pub(super) fn os_error(vm: &mut Vm, e: &std::io::Error, what: Option<String>) -> aio_vm::Obj {
    let errno = e.raw_os_error().unwrap_or(0);
    let msg = what.unwrap_or_else(|| {
        let s = e.to_string();
        s.split(" (os error").next().unwrap_or(&s).to_string()
    });
    let cls = Value::Obj(vm.exc.os_error.clone());
    match vm.call(&cls, &[Value::Int(errno as i64), Value::str(msg)], &[]) {
        Ok(Value::Obj(o)) => o,
        Ok(_) => vm.new_runtime_error("OSError() returned a non-exception"),
        Err(e) => e,
    }
}

fn int_arg(vm: &mut Vm, a: &Args, i: usize) -> PyResult<i64> {
    match a.pos.get(i) {
        Some(Value::Int(n)) => Ok(*n),
        _ => Err(vm.new_type_error("an integer is required")),
    }
}

/// The socket address of `a.pos[0..2]` (`host, port`) as CPython's socket methods read it:
/// a port outside 0-65535 is `OverflowError("{caller}(): port must be 0-65535.")`, and a
/// host that does not resolve is the resolver's `socket.gaierror`.
fn resolve(vm: &mut Vm, a: &Args, caller: &str) -> PyResult<SocketAddr> {
    let host = match a.pos.first() {
        Some(Value::Str(s)) => s.as_str().to_string(),
        Some(Value::None) | None => "0.0.0.0".to_string(),
        Some(other) => {
            return Err(
                vm.new_type_error(format!("host must be a str, not {}", vm.type_name(other)))
            )
        }
    };
    let port = int_arg(vm, a, 1)?;
    let Ok(port) = u16::try_from(port) else {
        return Err(vm.new_overflow_error(format!("{caller}(): port must be 0-65535.")));
    };
    let host = if host == "localhost" {
        "127.0.0.1".to_string()
    } else {
        host
    };
    let ip = match crate::socket::addr::resolve_host(vm, &host, libc::AF_UNSPEC)? {
        crate::socket::addr::Ip::V4(ip) => std::net::IpAddr::V4(ip),
        crate::socket::addr::Ip::V6(ip, _) => std::net::IpAddr::V6(ip),
    };
    Ok(SocketAddr::new(ip, port))
}

/// The address in `a.pos[i..]` (`host, port`), or `None` for a `None` host.
fn optional_addr(vm: &mut Vm, a: &Args, i: usize, caller: &str) -> PyResult<Option<SocketAddr>> {
    match a.pos.get(i) {
        Some(Value::None) | None => Ok(None),
        Some(_) => resolve(
            vm,
            &Args {
                pos: &a.pos[i..],
                kw: &[],
            },
            caller,
        )
        .map(Some),
    }
}

/// The bytes to send: argument 1.
fn data_arg(vm: &mut Vm, a: &Args) -> PyResult<Vec<u8>> {
    match a.pos.get(1).and_then(aio_vm::builtins::bytes_of) {
        Some(data) => Ok(data),
        None => Err(vm.new_type_error("data must be bytes-like")),
    }
}

/// A non-blocking operation's outcome for the prelude: `done(value)`, `None` when it
/// would block, or the `OSError`.
fn io_outcome<T>(
    vm: &mut Vm,
    r: std::io::Result<T>,
    done: impl FnOnce(&mut Vm, T) -> Value,
) -> PyResult {
    match r {
        Ok(v) => Ok(done(vm, v)),
        Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(Value::None),
        Err(e) => Err(os_error(vm, &e, None)),
    }
}

/// An IP address as CPython's sockets give it: `(host, port)`, or for IPv6
/// `(host, port, flowinfo, scope_id)`.
fn addr_tuple(vm: &mut Vm, addr: SocketAddr) -> Value {
    let mut t = vec![
        Value::str(addr.ip().to_string()),
        Value::Int(addr.port() as i64),
    ];
    if let SocketAddr::V6(a) = addr {
        t.push(Value::Int(a.flowinfo() as i64));
        t.push(Value::Int(a.scope_id() as i64));
    }
    vm.new_tuple(t)
}

/// `_listen(host, port, backlog)` → `(id, (host, port))`.
pub(super) fn listen(vm: &mut Vm, a: Args) -> PyResult {
    let addr = resolve(vm, &a, "bind")?;
    let listener = match TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) => {
            // base_events.create_server: `OSError(err.errno, 'error while attempting to bind
            // on address %r: %s' % (sa, err.strerror.lower()))`.
            let msg = format!(
                "error while attempting to bind on address ('{}', {}): {}",
                addr.ip(),
                addr.port(),
                e.to_string()
                    .split(" (os error")
                    .next()
                    .unwrap_or("")
                    .to_lowercase()
            );
            return Err(os_error(vm, &e, Some(msg)));
        }
    };
    let local = listener.local_addr().unwrap_or(addr);
    let id = super::with_sockets(|s| s.add(Sock::Listener(listener)));
    let t = addr_tuple(vm, local);
    Ok(vm.new_tuple(vec![Value::Int(id as i64), t]))
}

/// `_connect(host, port)` → id of a connection in progress (wait until writable, then
/// `_connect_result`).
pub(super) fn connect(vm: &mut Vm, a: Args) -> PyResult {
    let addr = resolve(vm, &a, "connect")?;
    match TcpStream::connect(addr) {
        Ok(s) => {
            let id = super::with_sockets(|socks| socks.add(Sock::Stream(s)));
            Ok(Value::Int(id as i64))
        }
        Err(e) => Err(os_error(vm, &e, None)),
    }
}

/// `_connect_result(id)`: `None` once connected; raises the connection error (CPython's
/// `Connect call failed ('host', port)` wording).
pub(super) fn connect_result(vm: &mut Vm, a: Args) -> PyResult {
    let id = int_arg(vm, &a, 0)? as usize;
    let outcome = super::with_sockets(|s| match s.socks.get(&id) {
        Some(Sock::Stream(t)) => match t.take_error() {
            Ok(Some(e)) => Err(Some(e)),
            Err(e) => Err(Some(e)),
            Ok(None) => match t.peer_addr() {
                Ok(_) => Ok(true),
                Err(e) if e.kind() == ErrorKind::NotConnected => Ok(false),
                Err(e) => Err(Some(e)),
            },
        },
        _ => Err(None),
    });
    match outcome {
        Ok(true) => Ok(Value::None),
        Ok(false) => Ok(Value::Bool(Bool::FALSE)),
        Err(Some(e)) => {
            let addr = resolve(
                vm,
                &Args {
                    pos: &a.pos[1..],
                    kw: &[],
                },
                "connect",
            )
            .ok();
            // OSError(errno, strerror) puts the `[Errno N]` in front.
            let what = addr.map(|ad| format!("Connect call failed ('{}', {})", ad.ip(), ad.port()));
            Err(os_error(vm, &e, what))
        }
        Err(None) => Err(vm.new_value_error("bad socket")),
    }
}

/// `_accept(id)` → `(new_id, (host, port))`, or `None` when no connection is waiting.
pub(super) fn accept(vm: &mut Vm, a: Args) -> PyResult {
    let id = int_arg(vm, &a, 0)? as usize;
    let r = super::with_sockets(|s| {
        let r = match s.socks.get(&id) {
            Some(Sock::Listener(l)) => l.accept().map(|(t, _)| Some(Sock::Stream(t))),
            Some(Sock::UnixListener(l)) => l.accept().map(|(t, _)| Some(Sock::UnixStream(t))),
            _ => Ok(None),
        };
        match r {
            Ok(Some(conn)) => Ok(Some(s.add(conn))),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                s.cool(id, true);
                Ok(None)
            }
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        }
    });
    match r {
        Ok(Some(nid)) => {
            let p = address_of(vm, nid, true);
            Ok(vm.new_tuple(vec![Value::Int(nid as i64), p]))
        }
        Ok(None) => Ok(Value::None),
        Err(e) => Err(os_error(vm, &e, None)),
    }
}

/// The `(id, n)` arguments of `_recv` and `_recvfrom` (`n` at least 1).
fn read_args(vm: &mut Vm, a: &Args) -> PyResult<(usize, usize)> {
    let id = int_arg(vm, a, 0)? as usize;
    let n = int_arg(vm, a, 1)?.max(1) as usize;
    Ok((id, n))
}

/// The first `n` bytes of the socket table's scratch buffer, which reads go into
/// (allocated and zeroed once, not per call: a 256 KiB zeroed vector per read was most of
/// a stream's cost); a result copies only the bytes read.
fn scratch(buf: &mut Vec<u8>, n: usize) -> &mut [u8] {
    if buf.len() < n {
        buf.resize(n, 0);
    }
    &mut buf[..n]
}

/// `_recv(id, n)` → bytes (`b''` at end of stream), or `None` when it would block.
pub(super) fn recv(vm: &mut Vm, a: Args) -> PyResult {
    let (id, n) = read_args(vm, &a)?;
    let r = super::with_sockets(|s| {
        let buf = scratch(&mut s.scratch, n);
        let r = match s.socks.get_mut(&id).and_then(Sock::stream) {
            Some(t) => loop {
                match t.read(buf) {
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    other => break other.map(Some),
                }
            },
            _ => Ok(Some(0)),
        };
        // A read that did not fill the buffer emptied the socket (more data makes a new
        // edge), unless the peer's close is still queued behind it; the end of the stream
        // is reported once.
        match &r {
            Err(e) if e.kind() == ErrorKind::WouldBlock => s.cool(id, true),
            Ok(Some(0)) => {
                s.read_closed.remove(&id);
                s.cool(id, true);
            }
            Ok(Some(k)) if *k < n && !s.read_closed.contains(&id) => s.cool(id, true),
            _ => {}
        }
        r.map(|k| k.map(|k| s.scratch[..k].to_vec()))
    });
    io_outcome(vm, r, |vm, data| match data {
        Some(data) => bytes_const(&vm.types, data),
        None => Value::None,
    })
}

/// `_send(id, data)` → bytes written, or `None` when it would block.
pub(super) fn send(vm: &mut Vm, a: Args) -> PyResult {
    let id = int_arg(vm, &a, 0)? as usize;
    let data = data_arg(vm, &a)?;
    let r = super::with_sockets(|s| {
        let r = match s.socks.get_mut(&id).and_then(Sock::stream) {
            Some(t) => loop {
                match t.write(&data) {
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    other => break other,
                }
            },
            _ => Err(std::io::Error::from(ErrorKind::NotConnected)),
        };
        // A partial write filled the socket's buffer: writable again at the next edge.
        match &r {
            Err(e) if e.kind() == ErrorKind::WouldBlock => s.cool(id, false),
            Ok(k) if *k < data.len() => s.cool(id, false),
            _ => {}
        }
        r
    });
    io_outcome(vm, r, |_, k| Value::Int(k as i64))
}

/// `_shutdown_write(id)`: half-close (`write_eof`).
pub(super) fn shutdown_write(vm: &mut Vm, a: Args) -> PyResult {
    let id = int_arg(vm, &a, 0)? as usize;
    super::with_sockets(|s| {
        if let Some(t) = s.socks.get_mut(&id).and_then(Sock::stream) {
            let _ = t.shutdown_write();
        }
    });
    Ok(Value::None)
}

/// `_set_nodelay(id)`: TCP_NODELAY on a TCP stream socket, as CPython's socket transports
/// set it (`base_events._set_nodelay`); other sockets are left alone.
pub(super) fn set_nodelay(vm: &mut Vm, a: Args) -> PyResult {
    let id = int_arg(vm, &a, 0)? as usize;
    super::with_sockets(|s| {
        if let Some(Sock::Stream(t)) = s.socks.get(&id) {
            let _ = t.set_nodelay(true);
        }
    });
    Ok(Value::None)
}

/// `_close(id)`: deregisters and closes.
pub(super) fn close(vm: &mut Vm, a: Args) -> PyResult {
    let id = int_arg(vm, &a, 0)? as usize;
    super::with_poll_and_sockets(|poll, s| {
        if let Some((mut taken, true)) = s.forget(id) {
            let _ = poll.registry().deregister(&mut source(&mut taken.sock));
        }
    });
    Ok(Value::None)
}

/// The mio source of a socket, to (de)register.
fn source(sock: &mut Sock) -> Source<'_> {
    match sock {
        Sock::Listener(l) => Source::Mio(l),
        Sock::Stream(t) => Source::Mio(t),
        Sock::UnixListener(l) => Source::Mio(l),
        Sock::UnixStream(t) => Source::Mio(t),
        Sock::Udp(u) => Source::Mio(u),
        Sock::UnixDatagram(u) => Source::Mio(u),
        Sock::Fd(fd) => Source::Fd(mio::unix::SourceFd(fd)),
    }
}

/// A registrable socket: one of mio's own or a raw descriptor.
enum Source<'a> {
    Mio(&'a mut dyn mio::event::Source),
    Fd(mio::unix::SourceFd<'a>),
}

impl mio::event::Source for Source<'_> {
    fn register(&mut self, r: &mio::Registry, t: Token, i: Interest) -> std::io::Result<()> {
        match self {
            Source::Mio(s) => s.register(r, t, i),
            Source::Fd(s) => s.register(r, t, i),
        }
    }

    fn reregister(&mut self, r: &mio::Registry, t: Token, i: Interest) -> std::io::Result<()> {
        match self {
            Source::Mio(s) => s.reregister(r, t, i),
            Source::Fd(s) => s.reregister(r, t, i),
        }
    }

    fn deregister(&mut self, r: &mio::Registry) -> std::io::Result<()> {
        match self {
            Source::Mio(s) => s.deregister(r),
            Source::Fd(s) => s.deregister(r),
        }
    }
}

/// `_watch(fd, readable, writable)`: sets the readiness the loop waits for on a socket, or
/// on a raw descriptor of the script's (`loop.add_reader`), which it starts and stops
/// knowing about here. A descriptor the poller refuses (closed, a regular file) raises
/// its `OSError`, as epoll's `register` does.
pub(super) fn watch(vm: &mut Vm, a: Args) -> PyResult {
    let fd = int_arg(vm, &a, 0)?;
    if fd < 0 {
        return Err(vm.new_value_error(format!("Invalid file descriptor: {fd}")));
    }
    let id = fd as usize;
    let r = matches!(a.pos.get(1), Some(Value::Bool(Bool::TRUE)));
    let w = matches!(a.pos.get(2), Some(Value::Bool(Bool::TRUE)));
    let result = super::with_poll_and_sockets(|poll, s| -> std::io::Result<()> {
        let old = s.interest.get(&id).copied();
        let interest = match (r, w) {
            (true, true) => Some(Interest::READABLE | Interest::WRITABLE),
            (true, false) => Some(Interest::READABLE),
            (false, true) => Some(Interest::WRITABLE),
            (false, false) => None,
        };
        if let std::collections::hash_map::Entry::Vacant(e) = s.socks.entry(id) {
            if interest.is_none() {
                return Ok(());
            }
            e.insert(Sock::Fd(fd as RawFd));
            s.raw += 1;
        }
        let raw = matches!(s.socks.get(&id), Some(Sock::Fd(_)));
        let Some(sock) = s.socks.get_mut(&id) else {
            return Ok(());
        };
        let reg = poll.registry();
        let mut source = source(sock);
        match (old, interest) {
            (None, Some(i)) => {
                if let Err(e) = reg.register(&mut source, Token(id), i) {
                    s.forget(id);
                    return Err(e);
                }
            }
            (Some(_), Some(i)) => reg.reregister(&mut source, Token(id), i)?,
            (Some(_), None) => {
                // As epoll's selector, a descriptor closed meanwhile is no error.
                let _ = reg.deregister(&mut source);
                s.delivered.retain(|&d| d != id);
            }
            (None, None) => {}
        }
        match interest {
            Some(_) => {
                s.interest.insert(id, (r, w));
            }
            None if raw => {
                s.forget(id);
            }
            None => {
                s.interest.remove(&id);
            }
        }
        Ok(())
    });
    result.map_err(|e| os_error(vm, &e, None))?;
    Ok(Value::None)
}

/// `_sockname(id)` / `_peername(id)`: `(host, port)` or `None`.
pub(super) fn sockname(vm: &mut Vm, a: Args) -> PyResult {
    address(vm, a, false)
}

/// See [`sockname`].
pub(super) fn peername(vm: &mut Vm, a: Args) -> PyResult {
    address(vm, a, true)
}

fn address(vm: &mut Vm, a: Args, peer: bool) -> PyResult {
    let id = int_arg(vm, &a, 0)? as usize;
    Ok(address_of(vm, id, peer))
}

/// The address of socket `id` or of its peer as CPython's `getsockname`/`getpeername` give
/// it (`(host, port)`, an IPv6 4-tuple, a Unix path, `''` for an unnamed Unix socket), or
/// `None` when it has none (a socket that is not connected, one not in the table).
fn address_of(vm: &mut Vm, id: usize, peer: bool) -> Value {
    let fd = super::with_sockets(|s| match s.socks.get(&id) {
        Some(Sock::Fd(_)) | None => None,
        Some(sock) => Some(sock.raw_fd()),
    });
    let Some(fd) = fd else {
        return Value::None;
    };
    let mut sa = crate::socket::addr::SockAddr::empty();
    // SAFETY: `sa` has room for any address; its length is updated.
    let r = unsafe {
        if peer {
            libc::getpeername(fd, sa.mut_ptr(), &mut sa.len)
        } else {
            libc::getsockname(fd, sa.mut_ptr(), &mut sa.len)
        }
    };
    if r < 0 {
        return Value::None;
    }
    if sa.len == 0 && sock_option(fd, libc::SO_DOMAIN) == Some(libc::AF_UNIX) {
        return Value::str("");
    }
    crate::socket::addr::sockaddr_value(vm, &sa)
}

/// An integer socket option of `fd` at `SOL_SOCKET` level.
fn sock_option(fd: RawFd, opt: libc::c_int) -> Option<libc::c_int> {
    let mut v: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `v` has room for the int option, and `len` says so.
    let r = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            opt,
            (&mut v as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    (r == 0).then_some(v)
}

/// `_sockinfo(id)` → `(family, type, proto)` of a socket (`asyncio.TransportSocket`'s repr).
pub(super) fn sockinfo(vm: &mut Vm, a: Args) -> PyResult {
    let fd = int_arg(vm, &a, 0)? as RawFd;
    let t = [libc::SO_DOMAIN, libc::SO_TYPE, libc::SO_PROTOCOL]
        .iter()
        .map(|&o| Value::Int(sock_option(fd, o).unwrap_or(-1) as i64))
        .collect();
    Ok(vm.new_tuple(t))
}

/// `_adopt(fd, listening)` → id: a connected or listening (`listening` true) stream socket,
/// or a datagram socket, that a script's `socket.socket` holds (`sock=`) enters the table
/// under its descriptor. The script's object keeps owning the descriptor: `_close` leaves it
/// open, and the transport or server closes the object after it.
pub(super) fn adopt(vm: &mut Vm, a: Args) -> PyResult {
    use std::os::fd::FromRawFd;
    let fd = int_arg(vm, &a, 0)? as RawFd;
    let listening = matches!(a.pos.get(1), Some(Value::Bool(Bool::TRUE)));
    let family = sock_option(fd, libc::SO_DOMAIN);
    let kind = sock_option(fd, libc::SO_TYPE);
    // SAFETY: `fd` is an open socket of the family and type matched; the table never closes
    // it (it is borrowed), so the descriptor has one owner.
    let sock = unsafe {
        match (family, kind, listening) {
            (Some(libc::AF_INET | libc::AF_INET6), Some(libc::SOCK_STREAM), false) => {
                Sock::Stream(TcpStream::from_raw_fd(fd))
            }
            (Some(libc::AF_INET | libc::AF_INET6), Some(libc::SOCK_STREAM), true) => {
                Sock::Listener(TcpListener::from_raw_fd(fd))
            }
            (Some(libc::AF_INET | libc::AF_INET6), Some(libc::SOCK_DGRAM), _) => {
                Sock::Udp(UdpSocket::from_raw_fd(fd))
            }
            (Some(libc::AF_UNIX), Some(libc::SOCK_STREAM), false) => {
                Sock::UnixStream(UnixStream::from_raw_fd(fd))
            }
            (Some(libc::AF_UNIX), Some(libc::SOCK_STREAM), true) => {
                Sock::UnixListener(UnixListener::from_raw_fd(fd))
            }
            (Some(libc::AF_UNIX), Some(libc::SOCK_DGRAM), _) => {
                Sock::UnixDatagram(UnixDatagram::from_raw_fd(fd))
            }
            _ => {
                return Err(vm.new_value_error(format!(
                    "asyncio cannot drive socket fd={fd} (family {}, type {})",
                    family.unwrap_or(-1),
                    kind.unwrap_or(-1)
                )))
            }
        }
    };
    let id = super::with_sockets(|s| {
        let id = s.add(sock);
        s.borrowed.insert(id);
        id
    });
    Ok(Value::Int(id as i64))
}

/// Whether any socket is waiting for readiness (then `_select(None)` may block).
pub(super) fn any_watched() -> bool {
    super::with_sockets(|s| !s.interest.is_empty())
}

/// `_udp_open(local_host, local_port, remote_host, remote_port)` → id of a datagram socket
/// bound to the local address (`None` host: the wildcard of the remote's family, port 0)
/// and, with a remote host, connected to it.
pub(super) fn udp_open(vm: &mut Vm, a: Args) -> PyResult {
    let remote = optional_addr(vm, &a, 2, "connect")?;
    let local = match a.pos.first() {
        Some(Value::None) | None => {
            let any: std::net::IpAddr = match remote {
                Some(SocketAddr::V6(_)) => std::net::Ipv6Addr::UNSPECIFIED.into(),
                _ => std::net::Ipv4Addr::UNSPECIFIED.into(),
            };
            SocketAddr::new(any, 0)
        }
        Some(_) => resolve(vm, &a, "bind")?,
    };
    let sock = UdpSocket::bind(local).map_err(|e| os_error(vm, &e, None))?;
    if let Some(r) = remote {
        sock.connect(r).map_err(|e| os_error(vm, &e, None))?;
    }
    let id = super::with_sockets(|s| s.add(Sock::Udp(sock)));
    Ok(Value::Int(id as i64))
}

/// The byte count of a system call `call` that returns one (or -1 with `errno`), made again
/// while a signal interrupts it.
fn retry_interrupted(mut call: impl FnMut() -> isize) -> std::io::Result<usize> {
    loop {
        let k = call();
        if k >= 0 {
            return Ok(k as usize);
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// `_recvfrom(id, n)` → `(bytes, address)` (the sender's address as CPython's `recvfrom`
/// gives it), or `None` when it would block.
pub(super) fn recvfrom(vm: &mut Vm, a: Args) -> PyResult {
    let (id, n) = read_args(vm, &a)?;
    let r = super::with_sockets(|s| {
        let Some(fd) = s.socks.get(&id).and_then(Sock::datagram_fd) else {
            return Err(std::io::Error::from(ErrorKind::NotConnected));
        };
        let buf = scratch(&mut s.scratch, n);
        let mut from = crate::socket::addr::SockAddr::empty();
        // SAFETY: `buf` has room for `n` bytes and `from` for any address.
        let r = retry_interrupted(|| unsafe {
            libc::recvfrom(
                fd,
                buf.as_mut_ptr().cast(),
                n,
                0,
                from.mut_ptr(),
                &mut from.len,
            )
        });
        // Each datagram is one read: the socket is used up only when a read would block.
        if matches!(&r, Err(e) if e.kind() == ErrorKind::WouldBlock) {
            s.cool(id, true);
        }
        r.map(|k| (s.scratch[..k].to_vec(), from))
    });
    io_outcome(vm, r, |vm, (data, from)| {
        let data = bytes_const(&vm.types, data);
        let from = crate::socket::addr::sockaddr_value(vm, &from);
        vm.new_tuple(vec![data, from])
    })
}

/// `_sendto(id, data, address)` → bytes sent, or `None` when it would block; a `None`
/// address sends to the connected remote. The address is read as the socket's
/// `sendto` reads it (`(host, port)`, a Unix path).
pub(super) fn sendto(vm: &mut Vm, a: Args) -> PyResult {
    let id = int_arg(vm, &a, 0)? as usize;
    let data = data_arg(vm, &a)?;
    let fd = super::with_sockets(|s| s.socks.get(&id).and_then(Sock::datagram_fd));
    let Some(fd) = fd else {
        return Err(os_error(vm, &ErrorKind::NotConnected.into(), None));
    };
    let to = match a.pos.get(2) {
        Some(Value::None) | None => None,
        Some(v) => {
            let family = sock_option(fd, libc::SO_DOMAIN).unwrap_or(libc::AF_INET);
            Some(crate::socket::addr::sockaddr_arg(vm, family, v, "sendto")?)
        }
    };
    // SAFETY: `data` is valid for its length; `to` is a filled address of its length.
    let r = retry_interrupted(|| unsafe {
        match &to {
            Some(to) => libc::sendto(fd, data.as_ptr().cast(), data.len(), 0, to.ptr(), to.len),
            None => libc::send(fd, data.as_ptr().cast(), data.len(), 0),
        }
    });
    if matches!(&r, Err(e) if e.kind() == ErrorKind::WouldBlock) {
        super::with_sockets(|s| s.cool(id, false));
    }
    io_outcome(vm, r, |_, k| Value::Int(k as i64))
}
