//! Work that finishes on other threads: `loop.run_in_executor`, `asyncio.to_thread`, and
//! the host's native async functions.
//!
//! aio code runs on the loop's thread only, so what crosses threads is plain data
//! ([`SendValue`]) and results: a job runs on a worker thread (or in the host's own
//! machinery) and posts its result to the loop thread's [`Inbox`], waking the loop's poll
//! through a `mio::Waker`. The loop (`_run_once` in `prelude/events.aio`) drains the inbox
//! after polling and completes each job's future from a ready callback, as CPython's
//! `call_soon_threadsafe` delivers an executor's result.
//!
//! Functions that may run on a worker thread are the thread-safe natives registered here
//! ([`register_thread_safe`]: `time.sleep`, and every function made by [`blocking_fn`]).
//! Any other callable passed to `run_in_executor`/`to_thread` runs on a green thread of a
//! `concurrent.futures.ThreadPoolExecutor` (see the README's differences).

use aio_vm::builtins::native_closure;
use aio_vm::native::Args;
use aio_vm::object::Payload;
use aio_vm::{HostError, Obj, PyResult, Value, Vm};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A value that can cross threads: plain data only (the arguments and results of
/// [`blocking_fn`], [`future_fn`] and [`Completer::complete`]).
///
/// ```
/// use aio_stdlib::asyncio::threads::SendValue;
/// use aio_vm::{Value, Vm};
///
/// let mut vm = Vm::new();
/// vm.exec("job = ('resize', [640, 480], b'png', None)\nhandle = [object()]")?;
/// let job = SendValue::from_value(&vm.get_global("job")?).unwrap();
/// let SendValue::Tuple(parts) = &job else {
///     unreachable!()
/// };
/// assert_eq!(parts[0], SendValue::Str("resize".into()));
/// assert_eq!(
///     parts[1],
///     SendValue::List(vec![SendValue::Int(640), SendValue::Int(480)])
/// );
/// // Objects cannot cross.
/// assert_eq!(SendValue::from_value(&vm.get_global("handle")?), None);
/// let back = job.into_value(&mut vm);
/// assert_eq!(
///     vm.repr(&back).ok().unwrap().as_str(),
///     "('resize', [640, 480], b'png', None)"
/// );
/// # Ok::<(), aio_vm::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum SendValue {
    /// `None`.
    None,
    /// A bool.
    Bool(bool),
    /// An int that fits in 64 bits.
    Int(i64),
    /// A float.
    Float(f64),
    /// A str.
    Str(String),
    /// bytes.
    Bytes(Vec<u8>),
    /// A tuple.
    Tuple(Vec<SendValue>),
    /// A list.
    List(Vec<SendValue>),
}

/// An exception to raise on the loop thread: a built-in exception class name and message.
/// It is [`aio_vm::HostError`] (the error typed closures of `Vm::register_fn` return), under
/// the name these thread APIs have always used: the loop thread makes the exception with
/// [`HostError::into_exception`] (a name that is not a built-in exception class raises
/// `RuntimeError: Name: message`). See the example of [`blocking_fn`].
///
/// ```
/// use aio_stdlib::asyncio::threads::SendError;
/// use aio_vm::HostError;
///
/// let e: HostError = SendError::new("KeyError", "port");
/// assert_eq!(e, HostError::key_error("port"));
/// ```
pub type SendError = HostError;

/// What a thread-safe function does with its arguments (see [`register_thread_safe`]).
pub type ThreadSafeFn = Arc<dyn Fn(Vec<SendValue>) -> Result<SendValue, SendError> + Send + Sync>;

impl SendValue {
    /// Converts a script value; `None` for values that cannot cross threads (objects). See
    /// the example of [`SendValue`].
    pub fn from_value(v: &Value) -> Option<SendValue> {
        Some(match v {
            Value::None => SendValue::None,
            Value::Bool(b) => SendValue::Bool(b.get()),
            Value::Int(i) => SendValue::Int(*i),
            Value::Float(f) => SendValue::Float(f.get()),
            Value::Str(s) => SendValue::Str(s.as_str().to_string()),
            Value::Obj(_) => {
                if let Some(Payload::Bytes(b)) = v.payload() {
                    SendValue::Bytes(b.to_vec())
                } else if let Some(items) = aio_vm::module::sequence_items(v) {
                    let items = items
                        .iter()
                        .map(SendValue::from_value)
                        .collect::<Option<_>>()?;
                    match v.payload() {
                        Some(Payload::List(_)) => SendValue::List(items),
                        _ => SendValue::Tuple(items),
                    }
                } else {
                    return None;
                }
            }
        })
    }

    /// The script value. See the example of [`SendValue`].
    pub fn into_value(self, vm: &mut Vm) -> Value {
        match self {
            SendValue::None => Value::None,
            SendValue::Bool(b) => Value::bool(b),
            SendValue::Int(i) => Value::Int(i),
            SendValue::Float(f) => Value::float(f),
            SendValue::Str(s) => Value::str(s),
            SendValue::Bytes(b) => aio_vm::builtins::bytes_const(&vm.types, b),
            SendValue::Tuple(items) => {
                let items = items.into_iter().map(|i| i.into_value(vm)).collect();
                vm.new_tuple(items)
            }
            SendValue::List(items) => {
                let items = items.into_iter().map(|i| i.into_value(vm)).collect();
                vm.new_list(items)
            }
        }
    }
}

/// Results posted to one loop thread, and the waker that interrupts its poll. Internal:
/// hosts post results through a [`Completer`].
pub struct Inbox {
    done: Mutex<Vec<(u64, Result<SendValue, SendError>)>>,
    waker: Arc<mio::Waker>,
}

impl Inbox {
    fn post(&self, token: u64, result: Result<SendValue, SendError>) {
        self.done
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((token, result));
        let _ = self.waker.wake();
    }
}

thread_local! {
    /// This thread's inbox, created with the loop's poller on first use.
    static INBOX: RefCell<Option<Arc<Inbox>>> = const { RefCell::new(None) };
    /// Jobs started and not yet drained: while there are some, an idle loop waits for
    /// them instead of reporting a deadlock.
    static IN_FLIGHT: Cell<usize> = const { Cell::new(0) };
    static NEXT_TOKEN: Cell<u64> = const { Cell::new(1) };
    /// Thread-safe implementations of native functions, by function object.
    static THREAD_SAFE: RefCell<HashMap<usize, (Value, ThreadSafeFn)>> = RefCell::new(HashMap::new());
}

fn inbox() -> Arc<Inbox> {
    INBOX.with(|slot| {
        slot.borrow_mut()
            .get_or_insert_with(|| {
                let waker =
                    super::loop_waker().expect("the OS provides an eventfd for the loop's waker");
                Arc::new(Inbox {
                    done: Mutex::new(Vec::new()),
                    waker,
                })
            })
            .clone()
    })
}

/// Whether jobs are running elsewhere whose results the loop still waits for.
pub(super) fn jobs_in_flight() -> bool {
    IN_FLIGHT.with(|n| n.get() > 0)
}

fn new_token() -> u64 {
    IN_FLIGHT.with(|n| n.set(n.get() + 1));
    NEXT_TOKEN.with(|t| {
        let v = t.get();
        t.set(v + 1);
        v
    })
}

/// Completes one future of the loop from any thread. Dropping it uncompleted fails the
/// future with `RuntimeError`, so a script never waits forever for a lost result. See the
/// example of [`new_future`].
pub struct Completer {
    token: u64,
    inbox: Option<Arc<Inbox>>,
}

impl Completer {
    /// Delivers the result (or the exception) to the future. See the example of
    /// [`new_future`].
    pub fn complete(mut self, result: Result<SendValue, SendError>) {
        if let Some(inbox) = self.inbox.take() {
            inbox.post(self.token, result);
        }
    }
}

impl Drop for Completer {
    fn drop(&mut self) {
        if let Some(inbox) = self.inbox.take() {
            inbox.post(
                self.token,
                Err(SendError::new(
                    "RuntimeError",
                    "the host dropped the result of this future",
                )),
            );
        }
    }
}

/// A new future of the running loop that another thread completes through the returned
/// [`Completer`]: what a host's native async function returns for scripts to `await`.
/// Fails with `RuntimeError: no running event loop` outside a running loop.
///
/// ```
/// use aio_stdlib::asyncio::threads::{self, SendValue};
/// use std::time::Duration;
///
/// let mut vm = aio_stdlib::VmBuilder::new().module("asyncio").build();
/// // `after(ms)`: a future the host's own thread completes.
/// vm.register_native("after", |vm, a| {
///     a.check_count(vm, "after", 1, 1)?;
///     let ms: u64 = vm.from_value(&a.pos[0])?;
///     let (future, completer) = threads::new_future(vm)?;
///     std::thread::spawn(move || {
///         std::thread::sleep(Duration::from_millis(ms));
///         completer.complete(Ok(SendValue::Str(format!("waited {ms} ms"))));
///     });
///     Ok(future)
/// });
/// // A completer dropped without a result fails the future.
/// vm.register_native("lost", |vm, _a| {
///     let (future, completer) = threads::new_future(vm)?;
///     std::thread::spawn(move || drop(completer));
///     Ok(future)
/// });
/// vm.exec(
///     "import asyncio\n\
///      async def main():\n\
///      \x20   a, b = await asyncio.gather(after(30), after(10))\n\
///      \x20   try:\n\
///      \x20       await lost()\n\
///      \x20   except RuntimeError as e:\n\
///      \x20       return [a, b, str(e)]\n\
///      r = asyncio.run(main())\n",
/// )?;
/// assert_eq!(
///     vm.get_global::<Vec<String>>("r")?,
///     [
///         "waited 30 ms",
///         "waited 10 ms",
///         "the host dropped the result of this future"
///     ]
/// );
/// let err = vm.exec("after(1)").unwrap_err().to_string();
/// assert!(err.ends_with("RuntimeError: no running event loop"));
/// # Ok::<(), aio_vm::Error>(())
/// ```
pub fn new_future(vm: &mut Vm) -> PyResult<(Value, Completer)> {
    let token = new_token();
    let future = match host_job(vm, token) {
        Ok(f) => f,
        Err(e) => {
            IN_FLIGHT.with(|n| n.set(n.get() - 1));
            return Err(e);
        }
    };
    Ok((
        future,
        Completer {
            token,
            inbox: Some(inbox()),
        },
    ))
}

/// `asyncio._host_job(token)`: a future of the running loop registered for `token`.
fn host_job(vm: &mut Vm, token: u64) -> PyResult {
    let asyncio = vm.import_module("asyncio")?;
    let name = vm.intern("_host_job");
    let f = vm.get_attr(&asyncio, &name)?;
    vm.call(&f, &[Value::Int(token as i64)], &[])
}

/// Marks the native function `func` as safe to run on a worker thread, with `f` as what it
/// does there (arguments and result as plain data): `asyncio.to_thread(func, ...)` and
/// `loop.run_in_executor` then run `f` on a worker thread; called directly, `func` runs as
/// usual on the loop's thread.
///
/// ```
/// use aio_stdlib::asyncio::threads::{self, SendError, SendValue};
/// use std::sync::Arc;
///
/// fn checksum(s: &str) -> i64 {
///     s.bytes().map(i64::from).sum()
/// }
///
/// let mut vm = aio_stdlib::VmBuilder::new().module("asyncio").build();
/// let f = vm.native_fn_value("checksum", |s: String| checksum(&s));
/// threads::register_thread_safe(
///     &f,
///     Arc::new(|args| match args.as_slice() {
///         [SendValue::Str(s)] => Ok(SendValue::Int(checksum(s))),
///         _ => Err(SendError::new("TypeError", "checksum() takes one str")),
///     }),
/// );
/// vm.set_global("checksum", f);
/// vm.exec(
///     "import asyncio\n\
///      async def main():\n\
///      \x20   return await asyncio.to_thread(checksum, 'abc'), checksum('abc')\n\
///      r = asyncio.run(main())\n",
/// )?;
/// assert_eq!(vm.get_global::<(i64, i64)>("r")?, (294, 294));
/// # Ok::<(), aio_vm::Error>(())
/// ```
pub fn register_thread_safe(func: &Value, f: ThreadSafeFn) {
    if let Value::Obj(o) = func {
        let key = Obj::as_ptr(o) as usize;
        THREAD_SAFE.with(|t| t.borrow_mut().insert(key, (func.clone(), f)));
    }
}

fn thread_safe(func: &Value) -> Option<ThreadSafeFn> {
    let Value::Obj(o) = func else { return None };
    let key = Obj::as_ptr(o) as usize;
    THREAD_SAFE.with(|t| t.borrow().get(&key).map(|(_, f)| f.clone()))
}

/// A native async function for scripts: calling it starts `f` on a worker thread and
/// returns a future of the running loop with its result (`await fetch(1)`). It is also
/// thread-safe for `run_in_executor` and `to_thread`. Arguments that are not plain data
/// raise `TypeError` before anything starts.
///
/// ```
/// use aio_stdlib::asyncio::threads::{self, SendError, SendValue};
///
/// let mut vm = aio_stdlib::VmBuilder::new().module("asyncio").build();
/// let lookup = threads::blocking_fn(&mut vm, "lookup", |args| match args.as_slice() {
///     // A blocking call (a database, a file, a slow computation) runs here.
///     [SendValue::Str(key)] if key == "port" => Ok(SendValue::Int(5432)),
///     [SendValue::Str(key)] => Err(SendError::new("KeyError", key.clone())),
///     _ => Err(SendError::new("TypeError", "lookup(key)")),
/// });
/// vm.set_global("lookup", lookup);
/// vm.exec(
///     "import asyncio\n\
///      async def main():\n\
///      \x20   port = await lookup('port')\n\
///      \x20   try:\n\
///      \x20       await lookup('host')\n\
///      \x20   except KeyError as e:\n\
///      \x20       return port, repr(e)\n\
///      r = asyncio.run(main())\n",
/// )?;
/// assert_eq!(
///     vm.get_global::<(i64, String)>("r")?,
///     (5432, "KeyError('host')".into())
/// );
/// let err = vm.exec("lookup(object())").unwrap_err();
/// assert!(err.to_string().ends_with(
///     "TypeError: lookup() runs on another thread: its arguments must be None, bool, int, \
///      float, str, bytes, or tuples and lists of them, not 'object'"
/// ));
/// # Ok::<(), aio_vm::Error>(())
/// ```
pub fn blocking_fn(
    vm: &mut Vm,
    name: &str,
    f: impl Fn(Vec<SendValue>) -> Result<SendValue, SendError> + Send + Sync + 'static,
) -> Value {
    let f: ThreadSafeFn = Arc::new(f);
    let job = f.clone();
    let fname = name.to_string();
    let call = move |vm: &mut Vm, a: Args<'_>| -> PyResult {
        let args = send_args(vm, &fname, a.pos)?;
        let (future, completer) = new_future(vm)?;
        let job = job.clone();
        super::workers::run_blocking(move || completer.complete(job(args)));
        Ok(future)
    };
    let func = native_closure(vm, name, None, std::rc::Rc::new(call));
    register_thread_safe(&func, f);
    func
}

/// A native async function backed by a Rust [`Future`](std::future::Future): calling it
/// makes the future from the arguments and polls it on a shared executor (a few threads,
/// one per core, for every host future; so the future must not block its thread — use
/// [`blocking_fn`] for blocking work), then completes the script's future through the
/// loop's waker. Suits futures that need no particular runtime (channels, timers driven by
/// other threads, `async` host code); a host with its own runtime (e.g. tokio) spawns
/// there and completes a [`new_future`] instead.
///
/// ```
/// use aio_stdlib::asyncio::threads::{self, SendValue};
///
/// let mut vm = aio_stdlib::VmBuilder::new().with_stdlib().build();
/// let double = threads::future_fn(&mut vm, "double", |args| async move {
///     match args.as_slice() {
///         [SendValue::Int(n)] => Ok(SendValue::Int(n * 2)),
///         _ => Err(threads::SendError::new(
///             "TypeError",
///             "double(n) takes one int",
///         )),
///     }
/// });
/// vm.set_global("double", double);
/// vm.exec(
///     "import asyncio\n\
///      async def main():\n\
///      \x20   return await asyncio.gather(double(1), double(20))\n\
///      r = asyncio.run(main())\n",
/// )
/// .unwrap();
/// assert_eq!(vm.get_global::<Vec<i64>>("r").unwrap(), [2, 40]);
/// ```
pub fn future_fn<F, Fut>(vm: &mut Vm, name: &str, f: F) -> Value
where
    F: Fn(Vec<SendValue>) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<SendValue, SendError>> + Send + 'static,
{
    let fname = name.to_string();
    let call = move |vm: &mut Vm, a: Args<'_>| -> PyResult {
        let args = send_args(vm, &fname, a.pos)?;
        let (future, completer) = new_future(vm)?;
        let fut = f(args);
        super::workers::spawn_future(async move { completer.complete(fut.await) });
        Ok(future)
    };
    native_closure(vm, name, None, std::rc::Rc::new(call))
}

fn send_args(vm: &mut Vm, name: &str, args: &[Value]) -> PyResult<Vec<SendValue>> {
    args.iter()
        .map(|v| {
            SendValue::from_value(v).ok_or_else(|| {
                vm.new_type_error(format!(
                    "{name}() runs on another thread: its arguments must be None, bool, int, float, str, bytes, or tuples and lists of them, not '{}'",
                    vm.type_name(v)
                ))
            })
        })
        .collect()
}

/// `_submit(func, args)`: starts `func(*args)` on a worker thread when `func` is
/// thread-safe and returns the job's token; `None` when it must run on the loop thread.
pub(super) fn submit(vm: &mut Vm, a: Args) -> PyResult {
    let (Some(func), Some(args)) = (a.pos.first(), a.pos.get(1)) else {
        return Err(vm.new_type_error("_submit(func, args)"));
    };
    let Some(f) = thread_safe(func) else {
        return Ok(Value::None);
    };
    let items = aio_vm::module::sequence_items(args).unwrap_or_default();
    let name = vm.repr(func).map(|r| r.as_str().to_string())?;
    let args = send_args(vm, &name, &items)?;
    let token = new_token();
    let inbox = inbox();
    super::workers::run_blocking(move || inbox.post(token, f(args)));
    Ok(Value::Int(token as i64))
}

/// `_completions()`: the results posted since the last call, as `(token, ok, value)`
/// (for a failure, value is the exception).
pub(super) fn completions(vm: &mut Vm, _a: Args) -> PyResult {
    let done = match INBOX.with(|slot| slot.borrow().clone()) {
        Some(inbox) => std::mem::take(&mut *inbox.done.lock().unwrap_or_else(|e| e.into_inner())),
        None => Vec::new(),
    };
    IN_FLIGHT.with(|n| n.set(n.get().saturating_sub(done.len())));
    let items = done
        .into_iter()
        .map(|(token, r)| {
            let (ok, v) = match r {
                Ok(v) => (true, v.into_value(vm)),
                Err(e) => (false, Value::Obj(e.into_exception(vm))),
            };
            vm.new_tuple(vec![Value::Int(token as i64), Value::bool(ok), v])
        })
        .collect();
    Ok(vm.new_list(items))
}
