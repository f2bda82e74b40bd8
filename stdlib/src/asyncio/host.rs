//! [`HostLoop`]: an asyncio event loop that a host drives from its own loop (a game loop, a
//! GUI, a server's tick), instead of handing control to `asyncio.run` until the script ends.

use aio_vm::module::{call_method, getattr};
use aio_vm::{Error, FromValue, Value, Vm};
use std::time::Duration;

/// An event loop (`asyncio.new_event_loop()`) stepped by the host. Scripts see it as the
/// running loop while [`HostLoop::run_for`] runs, so `asyncio.create_task`, `sleep`,
/// streams and host futures all work as under `asyncio.run`.
///
/// ```
/// use aio_stdlib::asyncio::HostLoop;
/// use std::time::Duration;
///
/// let mut vm = aio_stdlib::VmBuilder::new().with_stdlib().build();
/// vm.exec(
///     "import asyncio\n\
///      log = []\n\
///      async def ticker(n):\n\
///      \x20   for i in range(n):\n\
///      \x20       log.append(i)\n\
///      \x20       await asyncio.sleep(0)\n\
///      \x20   return 'done'\n",
/// )
/// .unwrap();
/// let lp = HostLoop::new(&mut vm).unwrap();
/// let coro = vm.call_function("ticker", (3,)).unwrap();
/// let task = lp.spawn(&mut vm, coro).unwrap();
/// // One frame of the host: run what is ready. `run_for` returns as soon as the loop is
/// // idle; the budget (a 60 fps game would give ~16 ms; generous here so that a loaded
/// // test machine gives the same result) caps a frame with too much to do.
/// let next = lp.run_for(&mut vm, Duration::from_millis(250)).unwrap();
/// assert_eq!(next, None); // idle: nothing ready, no timer pending
/// assert_eq!(vm.get_global::<Vec<i64>>("log").unwrap(), [0, 1, 2]);
/// assert_eq!(
///     lp.result::<String>(&mut vm, &task).unwrap(),
///     Some("done".to_string())
/// );
/// lp.close(&mut vm).unwrap();
/// ```
#[derive(Clone)]
pub struct HostLoop {
    lp: Value,
}

impl HostLoop {
    /// Creates a new event loop (imports `asyncio`, which the VM must allow) and makes it
    /// the current loop. See the example of [`HostLoop`].
    pub fn new(vm: &mut Vm) -> Result<HostLoop, Error> {
        let lp = vm.guarded(|vm| {
            let asyncio = vm.import_module("asyncio")?;
            let lp = call_method(vm, &asyncio, "new_event_loop", &[])?;
            call_method(vm, &asyncio, "set_event_loop", std::slice::from_ref(&lp))?;
            Ok(lp)
        })?;
        Ok(HostLoop { lp })
    }

    /// The loop object, as scripts see it (`asyncio.get_event_loop()`). See the example of
    /// [`HostLoop::close`].
    pub fn loop_value(&self) -> &Value {
        &self.lp
    }

    /// Wraps a coroutine (or any awaitable) in a task of this loop; it starts running at
    /// the next [`HostLoop::run_for`]. Returns the task (see [`HostLoop::result`]). See the
    /// example of [`HostLoop`].
    pub fn spawn(&self, vm: &mut Vm, coro: Value) -> Result<Value, Error> {
        let lp = self.lp.clone();
        vm.guarded(|vm| {
            let asyncio = vm.import_module("asyncio")?;
            let ensure = getattr(vm, &asyncio, "ensure_future")?;
            let kw = [(vm.intern("loop"), lp)];
            vm.call(&ensure, &[coro], &kw)
        })
    }

    /// Runs loop iterations without blocking until nothing is ready to run or `budget` has
    /// passed (an iteration that started is finished first). Returns when the loop next
    /// has work: `Some(Duration::ZERO)` if work is left now, `Some(d)` for the next timer,
    /// `None` when only sockets or other threads can wake it (or nothing is left).
    ///
    /// ```
    /// use aio_stdlib::asyncio::HostLoop;
    /// use std::time::Duration;
    ///
    /// let mut vm = aio_stdlib::VmBuilder::new().module("asyncio").build();
    /// vm.exec("import asyncio\nasync def nap(d):\n    await asyncio.sleep(d)\n    return d\n")?;
    /// let lp = HostLoop::new(&mut vm)?;
    /// let coro = vm.call_function("nap", (0.05,))?;
    /// let task = lp.spawn(&mut vm, coro)?;
    /// let mut frames = 0;
    /// loop {
    ///     frames += 1;
    ///     match lp.run_for(&mut vm, Duration::from_millis(2))? {
    ///         // The host sleeps (or renders) until the loop's next timer.
    ///         Some(wait) => {
    ///             assert!(wait <= Duration::from_millis(50));
    ///             std::thread::sleep(wait);
    ///         }
    ///         None => break,
    ///     }
    /// }
    /// assert!(frames >= 2);
    /// assert_eq!(lp.result::<f64>(&mut vm, &task)?, Some(0.05));
    /// lp.close(&mut vm)?;
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn run_for(&self, vm: &mut Vm, budget: Duration) -> Result<Option<Duration>, Error> {
        let lp = self.lp.clone();
        let next = vm.guarded(|vm| {
            call_method(vm, &lp, "_run_for", &[Value::float(budget.as_secs_f64())])
        })?;
        Ok(match next {
            Value::Float(d) => Some(Duration::from_secs_f64(d.get().max(0.0))),
            Value::Int(d) => Some(Duration::from_secs(d.max(0) as u64)),
            _ => None,
        })
    }

    /// Runs one loop iteration, blocking as `run_forever` does until a timer is due, a
    /// socket is ready or another thread wakes the loop ([`wake_from_signal`], a host
    /// future completed from a thread). Returns `false`, having run nothing, when nothing
    /// could ever wake it. For a host whose thread has nothing else to do meanwhile — the
    /// aio REPL runs its loop this way while another thread reads the next line.
    ///
    /// [`wake_from_signal`]: super::wake_from_signal
    ///
    /// ```
    /// use aio_stdlib::asyncio::HostLoop;
    ///
    /// let mut vm = aio_stdlib::VmBuilder::new().module("asyncio").build();
    /// vm.exec("import asyncio\nasync def nap():\n    await asyncio.sleep(0.02)\n    return 'rested'\n")?;
    /// let lp = HostLoop::new(&mut vm)?;
    /// let coro = vm.call_function("nap", ())?;
    /// let task = lp.spawn(&mut vm, coro)?;
    /// let start = std::time::Instant::now();
    /// while lp.result::<String>(&mut vm, &task)?.is_none() {
    ///     assert!(lp.wait_step(&mut vm)?); // sleeps until the timer is due
    /// }
    /// assert!(start.elapsed() >= std::time::Duration::from_millis(20));
    /// assert!(!lp.wait_step(&mut vm)?); // nothing left that could wake the loop
    /// lp.close(&mut vm)?;
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn wait_step(&self, vm: &mut Vm) -> Result<bool, Error> {
        let lp = self.lp.clone();
        let more = vm.guarded(|vm| call_method(vm, &lp, "_run_step", &[]))?;
        Ok(!matches!(more, Value::Bool(b) if !b.get()))
    }

    /// Whether the loop was closed ([`HostLoop::close`], or `loop.close()` from a script).
    ///
    /// ```
    /// use aio_stdlib::asyncio::HostLoop;
    ///
    /// let mut vm = aio_stdlib::VmBuilder::new().module("asyncio").build();
    /// let lp = HostLoop::new(&mut vm)?;
    /// vm.set_global("lp", lp.loop_value().clone());
    /// assert!(!lp.is_closed(&mut vm)?);
    /// vm.exec("lp.close()")?;
    /// assert!(lp.is_closed(&mut vm)?);
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn is_closed(&self, vm: &mut Vm) -> Result<bool, Error> {
        let lp = self.lp.clone();
        vm.guarded(|vm| {
            let closed = call_method(vm, &lp, "is_closed", &[])?;
            vm.is_true(&closed)
        })
    }

    /// Runs the loop until `aw` (a coroutine, task or future) completes, and returns its
    /// result — `loop.run_until_complete(aw)`. It blocks until then (other tasks of the loop
    /// run meanwhile).
    ///
    /// ```
    /// use aio_stdlib::asyncio::HostLoop;
    ///
    /// let mut vm = aio_stdlib::VmBuilder::new().module("asyncio").build();
    /// vm.exec(
    ///     "import asyncio\n\
    ///      async def square(x):\n\
    ///      \x20   await asyncio.sleep(0.01)\n\
    ///      \x20   return x * x\n\
    ///      async def squares(n):\n\
    ///      \x20   return await asyncio.gather(*(square(i) for i in range(n)))\n",
    /// )?;
    /// let lp = HostLoop::new(&mut vm)?;
    /// let coro = vm.call_function("squares", (4,))?;
    /// assert_eq!(
    ///     lp.run_until_complete::<Vec<i64>>(&mut vm, coro)?,
    ///     [0, 1, 4, 9]
    /// );
    /// lp.close(&mut vm)?;
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn run_until_complete<R: FromValue>(&self, vm: &mut Vm, aw: Value) -> Result<R, Error> {
        let lp = self.lp.clone();
        let v = vm.guarded(|vm| call_method(vm, &lp, "run_until_complete", &[aw]))?;
        vm.guarded(|vm| R::from_value(vm, &v))
    }

    /// The result of a finished task or future: `Ok(None)` while it is pending, its
    /// exception (with traceback) as the error if it failed.
    ///
    /// ```
    /// use aio_stdlib::asyncio::HostLoop;
    /// use std::time::Duration;
    ///
    /// let mut vm = aio_stdlib::VmBuilder::new().module("asyncio").build();
    /// vm.exec(
    ///     "async def check(x):\n\
    ///      \x20   if x < 0:\n\
    ///      \x20       raise ValueError(f'negative: {x}')\n\
    ///      \x20   return x\n",
    /// )?;
    /// let lp = HostLoop::new(&mut vm)?;
    /// let ok = vm.call_function("check", (3,))?;
    /// let bad = vm.call_function("check", (-1,))?;
    /// let (ok, bad) = (lp.spawn(&mut vm, ok)?, lp.spawn(&mut vm, bad)?);
    /// assert_eq!(lp.result::<i64>(&mut vm, &ok)?, None); // not started yet
    /// lp.run_for(&mut vm, Duration::from_millis(250))?; // returns once idle
    /// assert_eq!(lp.result::<i64>(&mut vm, &ok)?, Some(3));
    /// let err = lp.result::<i64>(&mut vm, &bad).unwrap_err().to_string();
    /// assert!(err.starts_with("Traceback (most recent call last):"));
    /// assert!(err.ends_with("ValueError: negative: -1"));
    /// lp.close(&mut vm)?;
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn result<R: FromValue>(&self, vm: &mut Vm, task: &Value) -> Result<Option<R>, Error> {
        vm.guarded(|vm| {
            let done = call_method(vm, task, "done", &[])?;
            if !vm.is_true(&done)? {
                return Ok(None);
            }
            let v = call_method(vm, task, "result", &[])?;
            R::from_value(vm, &v).map(Some)
        })
    }

    /// Cancels the tasks left, lets them finish, closes async generators and the loop —
    /// what `asyncio.run` does after its main coroutine returns.
    ///
    /// ```
    /// use aio_stdlib::asyncio::HostLoop;
    /// use std::time::Duration;
    ///
    /// let mut vm = aio_stdlib::VmBuilder::new().module("asyncio").build();
    /// vm.exec(
    ///     "import asyncio\n\
    ///      log = []\n\
    ///      async def service():\n\
    ///      \x20   try:\n\
    ///      \x20       await asyncio.sleep(3600)\n\
    ///      \x20   except asyncio.CancelledError:\n\
    ///      \x20       log.append('cancelled')\n\
    ///      \x20       raise\n",
    /// )?;
    /// let lp = HostLoop::new(&mut vm)?;
    /// vm.set_global("lp", lp.loop_value().clone());
    /// let coro = vm.call_function("service", ())?;
    /// let task = lp.spawn(&mut vm, coro)?;
    /// lp.run_for(&mut vm, Duration::from_millis(250))?; // returns once idle
    /// vm.set_global("task", task);
    /// lp.close(&mut vm)?;
    /// vm.exec("r = (lp.is_closed(), task.cancelled(), log)")?;
    /// assert_eq!(
    ///     vm.get_global::<(bool, bool, Vec<String>)>("r")?,
    ///     (true, true, vec!["cancelled".into()])
    /// );
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn close(self, vm: &mut Vm) -> Result<(), Error> {
        let lp = self.lp.clone();
        vm.guarded(|vm| {
            let asyncio = vm.import_module("asyncio")?;
            let cancel_all = getattr(vm, &asyncio, "_cancel_all_tasks")?;
            vm.call(&cancel_all, std::slice::from_ref(&lp), &[])?;
            let shutdown = call_method(vm, &lp, "shutdown_asyncgens", &[])?;
            call_method(vm, &lp, "run_until_complete", &[shutdown])?;
            call_method(vm, &lp, "close", &[])?;
            call_method(vm, &asyncio, "set_event_loop", &[Value::None])?;
            Ok(())
        })
    }
}
