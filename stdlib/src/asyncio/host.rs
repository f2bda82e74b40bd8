//! [`HostLoop`]: an asyncio event loop that a host drives from its own loop (a game loop, a
//! GUI, a server's tick), instead of handing control to `asyncio.run` until the script ends.
//!
//! ```
//! use aio_stdlib::asyncio::HostLoop;
//! use std::time::Duration;
//!
//! let mut vm = aio_stdlib::VmBuilder::new().with_stdlib().build();
//! vm.exec(
//!     "import asyncio\n\
//!      log = []\n\
//!      async def ticker(n):\n\
//!      \x20   for i in range(n):\n\
//!      \x20       log.append(i)\n\
//!      \x20       await asyncio.sleep(0)\n\
//!      \x20   return 'done'\n",
//! )
//! .unwrap();
//! let lp = HostLoop::new(&mut vm).unwrap();
//! let coro = vm.call_function("ticker", (3,)).unwrap();
//! let task = lp.spawn(&mut vm, coro).unwrap();
//! // One frame of the host: run what is ready, for at most 5 ms.
//! let next = lp.run_for(&mut vm, Duration::from_millis(5)).unwrap();
//! assert_eq!(next, None); // idle: nothing ready, no timer pending
//! assert_eq!(vm.get_global::<Vec<i64>>("log").unwrap(), [0, 1, 2]);
//! assert_eq!(lp.result::<String>(&mut vm, &task).unwrap(), Some("done".to_string()));
//! lp.close(&mut vm).unwrap();
//! ```

use aio_vm::module::{call_method, getattr};
use aio_vm::{Error, FromValue, Value, Vm};
use std::time::Duration;

/// An event loop (`asyncio.new_event_loop()`) stepped by the host. Scripts see it as the
/// running loop while [`HostLoop::run_for`] runs, so `asyncio.create_task`, `sleep`,
/// streams and host futures all work as under `asyncio.run`.
#[derive(Clone)]
pub struct HostLoop {
    lp: Value,
}

impl HostLoop {
    /// Creates a new event loop (imports `asyncio`, which the VM must allow).
    pub fn new(vm: &mut Vm) -> Result<HostLoop, Error> {
        let lp = vm.guarded(|vm| {
            let asyncio = vm.import_module("asyncio")?;
            let lp = call_method(vm, &asyncio, "new_event_loop", &[])?;
            call_method(vm, &asyncio, "set_event_loop", std::slice::from_ref(&lp))?;
            Ok(lp)
        })?;
        Ok(HostLoop { lp })
    }

    /// The loop object, as scripts see it.
    pub fn loop_value(&self) -> &Value {
        &self.lp
    }

    /// Wraps a coroutine (or any awaitable) in a task of this loop; it starts running at
    /// the next [`HostLoop::run_for`]. Returns the task.
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
    /// `None` when only sockets or other threads can wake it.
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

    /// Runs the loop until `aw` (a coroutine, task or future) completes, and returns its
    /// result — `loop.run_until_complete(aw)`.
    pub fn run_until_complete<R: FromValue>(&self, vm: &mut Vm, aw: Value) -> Result<R, Error> {
        let lp = self.lp.clone();
        let v = vm.guarded(|vm| call_method(vm, &lp, "run_until_complete", &[aw]))?;
        vm.guarded(|vm| R::from_value(vm, &v))
    }

    /// The result of a finished task or future: `Ok(None)` while it is pending, its
    /// exception (with traceback) as the error if it failed.
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
