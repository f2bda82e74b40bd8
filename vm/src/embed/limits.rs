//! Host limits: steps, wall time, memory, and hard interrupts from other threads.
//!
//! **Steps.** The interpreter counts a *step* at every loop iteration (a backward jump) and
//! at every call of a script function (including generator and coroutine resumption): the
//! points where a script can spend unbounded time. Straight-line code between two steps is
//! bounded by the size of the code, so counting steps bounds the run without a counter on
//! every instruction. The counter is one decrement and compare (`Vm::tick`) beside the
//! interrupt check the interpreter already had; with no limits it is never reached.
//!
//! **Time and memory** are checked on the same slow path, every [`CHECK_INTERVAL`] steps.
//! Memory is *estimated*: the VM cannot count a library's allocations with a global
//! allocator, so it adds two counts. Strings and `bytes` of at least [`BIG_BUFFER`] bytes
//! are counted exactly as they are created and freed, wherever they are held (a local, a
//! tuple). The rest is found by walking the live containers registered with the cycle
//! collector and adding their approximate sizes (object header plus element buffers, plus
//! the small strings held directly in lists and dicts). The walk runs more rarely as the
//! heap grows (about one object visited per step), so a limit can be overshot by about a
//! quarter. A native operation that makes a big object at once is stopped before it
//! allocates where it asks [`Vm::check_allocation`]: sequence repetition (`[0] * 10**9`,
//! `'x' * 10**9`), `bytes(n)`, `bytearray(n)`, string concatenation, f-strings and
//! `str.join` (so a string that doubles at every step stops in time); others (growing a
//! list element by element inside one native call, a huge integer) are seen at the next
//! check. Hosts that need a hard cap should add an OS limit.
//!
//! **Exceeding a limit** raises an internal `LimitExceeded` exception (a `BaseException`
//! subclass that is not reachable by name) and marks the VM as *tripped*: while tripped, no
//! `except` or `finally` block runs and every further step raises again, so `except
//! BaseException:` cannot swallow it. The host entry point ([`Vm::run_source`],
//! [`Vm::exec`], [`Vm::call_function`]...) returns [`crate::Error::Limit`] and clears the
//! state, so the VM can run the next script.

use super::wait::Wakeup;
use crate::value::{Obj, Value};
use crate::vm::{Error, PyResult, Vm};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How many steps pass between two checks of the clock and the memory estimate.
pub const CHECK_INTERVAL: i64 = 256;

/// Strings and `bytes` of at least this many bytes are counted as they are created and
/// freed ([`buffer_bytes`]), wherever they are held; smaller ones are found by the walk.
pub const BIG_BUFFER: usize = 4096;

thread_local! {
    /// Bytes held by live strings and `bytes` of at least [`BIG_BUFFER`] bytes.
    static BUFFER_BYTES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts a new text or byte buffer of `n` bytes (big ones only).
#[inline]
pub(crate) fn buffer_alloc(n: usize) {
    if n >= BIG_BUFFER {
        BUFFER_BYTES.with(|b| b.set(b.get() + n));
    }
}

/// Uncounts a freed buffer of `n` bytes (see [`buffer_alloc`]).
#[inline]
pub(crate) fn buffer_free(n: usize) {
    if n >= BIG_BUFFER {
        BUFFER_BYTES.with(|b| b.set(b.get().saturating_sub(n)));
    }
}

/// Bytes held by the live strings and `bytes` of at least [`BIG_BUFFER`] bytes on this
/// thread, wherever they are held (a local, a tuple, a closure).
///
/// ```
/// use aio_vm::embed::limits::buffer_bytes;
///
/// let mut vm = aio_vm::Vm::new();
/// let before = buffer_bytes();
/// vm.exec("big = 'x' * 100_000")?;
/// assert!(buffer_bytes() >= before + 100_000);
/// vm.exec("del big")?;
/// assert!(buffer_bytes() < before + 100_000);
/// # Ok::<(), aio_vm::Error>(())
/// ```
pub fn buffer_bytes() -> usize {
    BUFFER_BYTES.with(|b| b.get())
}

/// The largest single allocation the machine could back: its RAM plus swap, read once
/// from `/proc/meminfo` (unlimited where that cannot be read). Linux's default overcommit
/// heuristic refuses a larger request, which is how CPython's `malloc` fails with
/// `MemoryError` (`'x'.zfill(2**40)`); aio's allocator reserves lazily and would instead
/// fill pages until the process is killed, so such requests are refused up front (see
/// [`exceeds_memory`]).
///
/// ```
/// let most = aio_vm::embed::limits::machine_memory();
/// assert!(most > 1 << 20);
/// ```
pub fn machine_memory() -> usize {
    static TOTAL: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *TOTAL.get_or_init(|| {
        let Ok(info) = std::fs::read_to_string("/proc/meminfo") else {
            return usize::MAX;
        };
        let kib = |key: &str| -> Option<usize> {
            let line = info.lines().find(|l| l.starts_with(key))?;
            line[key.len()..]
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()
        };
        match (kib("MemTotal:"), kib("SwapTotal:")) {
            (Some(mem), swap) => mem.saturating_add(swap.unwrap_or(0)).saturating_mul(1024),
            _ => usize::MAX,
        }
    })
}

/// Whether a single allocation of `bytes` must be refused with `MemoryError`: it is more
/// than [`machine_memory`], or more than the process's current address-space limit
/// (`ulimit -v`, `resource.setrlimit`), under which the allocator would fail and abort.
/// The limit is read only for requests of 16 MiB or more, where a system call costs
/// nothing next to the allocation.
///
/// ```
/// assert!(aio_vm::embed::limits::exceeds_memory(usize::MAX));
/// assert!(!aio_vm::embed::limits::exceeds_memory(64));
/// ```
pub fn exceeds_memory(bytes: usize) -> bool {
    bytes > machine_memory() || (bytes >= 1 << 24 && bytes > address_space_limit())
}

/// The soft `RLIMIT_AS` of the process in bytes (`usize::MAX` when unlimited).
fn address_space_limit() -> usize {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `getrlimit` writes only the `rlimit` it is given.
        if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut lim) } == 0
            && lim.rlim_cur != libc::RLIM_INFINITY
        {
            return usize::try_from(lim.rlim_cur).unwrap_or(usize::MAX);
        }
    }
    usize::MAX
}

/// Limits a host puts on each run (each call of an entry point such as [`Vm::run_source`],
/// [`Vm::exec`] or [`Vm::call_function`]); `None` means unlimited.
///
/// ```
/// use aio_vm::{Error, LimitExceeded, Limits, Vm};
///
/// let mut vm = Vm::new();
/// vm.set_limits(Limits {
///     steps: Some(10_000),
///     ..Limits::default()
/// });
/// let err = vm.exec("while True:\n    pass\n").unwrap_err();
/// assert!(matches!(err, Error::Limit(LimitExceeded::Steps)));
/// // The VM is still usable.
/// vm.exec("x = sum(range(10))").unwrap();
/// assert_eq!(vm.get_global::<i64>("x").unwrap(), 45);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// Steps (loop iterations plus script calls) per run.
    pub steps: Option<u64>,
    /// Wall time per run.
    pub time: Option<Duration>,
    /// Approximate bytes held by the VM's containers (see the module documentation).
    pub memory: Option<usize>,
    /// Nesting of script calls (`sys.getrecursionlimit()`); exceeding it raises a catchable
    /// `RecursionError`, as in CPython. `None` leaves the VM's current limit.
    pub recursion: Option<usize>,
}

/// Which limit stopped a run (in [`Error::Limit`]); `Display` says it in words.
///
/// ```
/// use aio_vm::{Error, LimitExceeded, Limits, Vm};
/// use std::time::Duration;
///
/// let mut vm = Vm::new();
/// vm.set_limits(Limits {
///     time: Some(Duration::from_millis(50)),
///     ..Limits::default()
/// });
/// let err =
///     vm.exec("while True:\n    try:\n        pass\n    except BaseException:\n        pass\n");
/// let Err(Error::Limit(kind)) = err else {
///     panic!("not stopped: {err:?}")
/// };
/// assert_eq!(kind, LimitExceeded::Time);
/// assert_eq!(kind.to_string(), "time limit exceeded");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitExceeded {
    /// [`Limits::steps`].
    Steps,
    /// [`Limits::time`].
    Time,
    /// [`Limits::memory`].
    Memory,
    /// [`InterruptHandle::interrupt`].
    Interrupted,
}

impl std::fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LimitExceeded::Steps => "step limit exceeded",
            LimitExceeded::Time => "time limit exceeded",
            LimitExceeded::Memory => "memory limit exceeded",
            LimitExceeded::Interrupted => "interrupted by the host",
        })
    }
}

/// Stops a running VM from another thread: the script ends at its next step with
/// [`Error::Limit`]`(`[`LimitExceeded::Interrupted`]`)`, which it cannot catch.
///
/// ```
/// use aio_vm::{Error, LimitExceeded, Vm};
///
/// let mut vm = Vm::new();
/// let handle = vm.interrupt_handle();
/// let t = std::thread::spawn(move || {
///     std::thread::sleep(std::time::Duration::from_millis(20));
///     handle.interrupt();
/// });
/// let err = vm.exec("while True:\n    pass\n").unwrap_err();
/// t.join().unwrap();
/// assert!(matches!(err, Error::Limit(LimitExceeded::Interrupted)));
/// ```
#[derive(Clone, Debug)]
pub struct InterruptHandle {
    flag: Arc<AtomicBool>,
    hard: Arc<AtomicBool>,
    pub(super) wakeup: Arc<Wakeup>,
}

impl InterruptHandle {
    /// Stops the running script at its next step (a no-op race-free request: if nothing
    /// runs, the next run stops at its first step). See the example of [`InterruptHandle`].
    /// A VM that is waiting (`time.sleep`, an event loop's poll) wakes at once.
    pub fn interrupt(&self) {
        self.hard.store(true, Ordering::SeqCst);
        self.flag.store(true, Ordering::SeqCst);
        self.wake();
    }
}

/// The VM's accounting for [`Limits`].
pub(crate) struct LimitState {
    /// Steps left before the slow path runs; decremented by [`Vm::tick`].
    pub(crate) ticks: i64,
    /// The value `ticks` was last armed with.
    armed: i64,
    limits: Limits,
    steps_used: u64,
    deadline: Option<Instant>,
    /// Slow checks left before the next memory measurement.
    mem_countdown: usize,
    /// The containers' bytes at the last measurement (big buffers are counted apart).
    last_walk: usize,
    /// Set when a limit was exceeded; cleared when the host entry point returns.
    pub(crate) tripped: Option<LimitExceeded>,
    /// Entry points running (nested entries share the outer run's budget).
    depth: usize,
    hard: Arc<AtomicBool>,
    /// Wakes waits when the host interrupts (see `embed/wait.rs`).
    pub(crate) wakeup: Arc<Wakeup>,
    exc_class: Option<Obj>,
    /// Run after a stopped run, to repair state the skipped `finally` blocks left behind.
    reset_hooks: Vec<fn(&mut Vm)>,
}

impl LimitState {
    /// When the time limit of the current run passes.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }
}

impl Default for LimitState {
    fn default() -> LimitState {
        LimitState {
            ticks: i64::MAX,
            armed: i64::MAX,
            limits: Limits::default(),
            steps_used: 0,
            deadline: None,
            mem_countdown: 0,
            last_walk: 0,
            tripped: None,
            depth: 0,
            hard: Arc::default(),
            wakeup: Arc::default(),
            exc_class: None,
            reset_hooks: Vec::new(),
        }
    }
}

impl Vm {
    /// Sets the limits for the following runs (see [`Limits`]); `Limits::default()` lifts
    /// them.
    ///
    /// ```
    /// use aio_vm::{Error, LimitExceeded, Limits, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.set_limits(Limits {
    ///     memory: Some(64 << 20),
    ///     recursion: Some(200),
    ///     ..Limits::default()
    /// });
    /// assert_eq!(vm.limits().recursion, Some(200));
    /// let err = vm.exec("blob = 'x' * 10**9").unwrap_err();
    /// assert!(matches!(err, Error::Limit(LimitExceeded::Memory)));
    /// // The recursion limit raises a RecursionError that scripts can catch.
    /// vm.exec(
    ///     "def depth(n):\n\
    ///      \x20   try:\n\
    ///      \x20       return depth(n + 1)\n\
    ///      \x20   except RecursionError:\n\
    ///      \x20       return n\n\
    ///      d = depth(0)\n",
    /// )?;
    /// assert!(vm.get_global::<i64>("d")? < 200);
    /// vm.set_limits(Limits::default());
    /// vm.exec("blob = 'x' * 10**6")?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn set_limits(&mut self, limits: Limits) {
        if let Some(r) = limits.recursion {
            self.recursion_limit = r;
        }
        self.limits.limits = limits;
        self.arm_limits();
    }

    /// The limits in force; see [`Vm::set_limits`].
    ///
    /// ```
    /// use aio_vm::{Limits, Vm};
    ///
    /// let mut vm = Vm::new();
    /// assert_eq!(vm.limits().steps, None);
    /// vm.set_limits(Limits { steps: Some(1_000_000), ..Limits::default() });
    /// assert_eq!(vm.limits().steps, Some(1_000_000));
    /// ```
    pub fn limits(&self) -> Limits {
        self.limits.limits
    }

    /// Steps counted in the current (or last) run; counted only while a step or time or
    /// memory limit is set, and exact up to [`CHECK_INTERVAL`]. A host can size a step
    /// budget from a trial run.
    ///
    /// ```
    /// use aio_vm::{Limits, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.set_limits(Limits {
    ///     steps: Some(1_000_000),
    ///     ..Limits::default()
    /// });
    /// vm.exec("def f():\n    pass\nfor i in range(100):\n    f()\n")?;
    /// // 100 loop iterations and 100 calls.
    /// assert_eq!(vm.steps_used(), 200);
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn steps_used(&self) -> u64 {
        let st = &self.limits;
        st.steps_used + (st.armed - st.ticks.max(-1)).max(0) as u64
    }

    /// A handle another thread can use to stop the running script; see the example of
    /// [`InterruptHandle`].
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle {
            flag: self.interrupt.clone(),
            hard: self.limits.hard.clone(),
            wakeup: self.limits.wakeup.clone(),
        }
    }

    /// Registers `hook` to run after a run stopped by a limit, once the VM is usable again.
    /// A stopped run skips every `finally` block, so state they would have restored — a
    /// running event loop, an installed signal handler — is repaired here (the standard
    /// library's `asyncio` registers one).
    ///
    /// ```
    /// use aio_vm::{Error, LimitExceeded, Limits, Vm};
    ///
    /// fn release(vm: &mut Vm) {
    ///     // What the skipped `finally:` would have done.
    ///     vm.set_global("busy", false);
    /// }
    ///
    /// let mut vm = Vm::new();
    /// vm.on_limit_reset(release);
    /// vm.set_limits(Limits {
    ///     steps: Some(10_000),
    ///     ..Limits::default()
    /// });
    /// vm.exec(
    ///     "busy = False\n\
    ///      def work():\n\
    ///      \x20   global busy\n\
    ///      \x20   busy = True\n\
    ///      \x20   try:\n\
    ///      \x20       while True:\n\
    ///      \x20           pass\n\
    ///      \x20   finally:\n\
    ///      \x20       busy = False\n",
    /// )?;
    /// let err = vm.call_function::<()>("work", ()).unwrap_err();
    /// assert!(matches!(err, Error::Limit(LimitExceeded::Steps)));
    /// assert!(!vm.get_global::<bool>("busy")?);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn on_limit_reset(&mut self, hook: fn(&mut Vm)) {
        if !self.limits.reset_hooks.contains(&hook) {
            self.limits.reset_hooks.push(hook);
        }
    }

    /// Runs `f` as a host entry point: starts a fresh budget (unless nested in another
    /// entry), and turns an uncaught exception — or an exceeded limit, even one a script
    /// swallowed — into an [`Error`]. Hosts use it to run the lower-level methods that
    /// return a [`PyResult`] ([`Vm::call`], [`Vm::getitem`], [`Vm::run_code`], ...) as one
    /// run.
    ///
    /// ```
    /// use aio_vm::code::BinOp;
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.exec("orders = [{'qty': 2, 'price': 3.5}, {'qty': 1, 'price': 10.0}]")?;
    /// let orders: Value = vm.get_global("orders")?;
    /// let total = vm.guarded(|vm| {
    ///     let (qty, price) = (Value::str("qty"), Value::str("price"));
    ///     let mut total = 0.0;
    ///     for order in vm.collect(&orders)? {
    ///         let q = vm.getitem(&order, &qty)?;
    ///         let p = vm.getitem(&order, &price)?;
    ///         let cost = vm.binary_op(&q, &p, BinOp::Mul)?;
    ///         total += vm.from_value::<f64>(&cost)?;
    ///     }
    ///     Ok(total)
    /// })?;
    /// assert_eq!(total, 17.0);
    /// let err = vm
    ///     .guarded(|vm| vm.getitem(&orders, &Value::Int(5)).map(drop))
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "IndexError: list index out of range");
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn guarded<R>(&mut self, f: impl FnOnce(&mut Vm) -> PyResult<R>) -> Result<R, Error> {
        if self.limits.depth == 0 {
            self.arm_limits();
        }
        self.limits.depth += 1;
        let r = f(self);
        self.limits.depth -= 1;
        if self.limits.depth == 0 {
            if let Some(kind) = self.limits.tripped.take() {
                // Release what the stopped run held: pooled frames keep their globals, and
                // the run may have left cycles behind.
                self.frame_pool.clear();
                self.arm_limits();
                for hook in self.limits.reset_hooks.clone() {
                    hook(self);
                }
                self.gc.collect();
                return Err(Error::Limit(kind));
            }
        }
        r.map_err(|e| self.uncaught(e))
    }

    /// The limit an exception object stands for, when it is the internal `LimitExceeded`.
    pub(crate) fn limit_kind_of(&mut self, exc: &Obj) -> Option<LimitExceeded> {
        let cls = self.limits.exc_class.clone()?;
        if !self.is_instance_of(exc, &cls) {
            return None;
        }
        let kind = self.limits.tripped.unwrap_or(LimitExceeded::Interrupted);
        if self.limits.depth == 0 {
            self.limits.tripped = None;
            self.arm_limits();
        }
        Some(kind)
    }

    fn arm_limits(&mut self) {
        let st = &mut self.limits;
        st.steps_used = 0;
        st.tripped = None;
        st.deadline = st.limits.time.map(|d| Instant::now() + d);
        st.mem_countdown = 0;
        st.last_walk = 0;
        self.rearm();
    }

    fn rearm(&mut self) {
        let st = &mut self.limits;
        let mut n = i64::MAX;
        if let Some(max) = st.limits.steps {
            n = n.min(max.saturating_sub(st.steps_used).min(i64::MAX as u64) as i64);
        }
        if st.limits.time.is_some() || st.limits.memory.is_some() {
            n = n.min(CHECK_INTERVAL);
        }
        if self.threads.others() {
            n = n.min(crate::threads::SWITCH_TICKS);
        }
        let st = &mut self.limits;
        st.armed = n;
        st.ticks = n;
    }

    /// Re-arms the step budget now (the steps counted so far are kept), after what it
    /// depends on changed (a thread started or ended).
    pub(crate) fn rearm_now(&mut self) {
        let st = &mut self.limits;
        st.steps_used += (st.armed - st.ticks).max(0) as u64;
        self.rearm();
    }

    /// Counts a step; the slow path runs when the budget is spent or an interrupt is
    /// pending.
    #[inline(always)]
    pub(crate) fn tick(&mut self) -> PyResult<()> {
        self.limits.ticks -= 1;
        if self.limits.ticks < 0 || self.interrupt.load(Ordering::Relaxed) {
            return self.on_tick();
        }
        Ok(())
    }

    /// [`Vm::tick`] at a loop's backward jump to `target`, where the running thread may
    /// also give way to the others ([`Vm::switch_threads`]).
    #[inline(always)]
    pub(crate) fn tick_at_loop(&mut self, target: u32) -> PyResult<()> {
        self.limits.ticks -= 1;
        if self.limits.ticks < 0 || self.interrupt.load(Ordering::Relaxed) {
            return self.on_loop_tick(target);
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn on_loop_tick(&mut self, target: u32) -> PyResult<()> {
        self.on_tick()?;
        self.switch_threads(target)
    }

    /// Runs the checks of a step now (interrupts, then limits).
    pub(crate) fn limit_check_now(&mut self) -> PyResult<()> {
        self.on_tick()
    }

    #[cold]
    #[inline(never)]
    fn on_tick(&mut self) -> PyResult<()> {
        if let Some(kind) = self.limits.tripped {
            return Err(self.limit_exception(kind));
        }
        if self.interrupt.load(Ordering::Relaxed) {
            if self.limits.hard.swap(false, Ordering::SeqCst) {
                self.interrupt.store(false, Ordering::SeqCst);
                return Err(self.trip(LimitExceeded::Interrupted));
            }
            self.take_interrupt()?;
        }
        let st = &mut self.limits;
        st.steps_used += (st.armed - st.ticks).max(0) as u64;
        st.armed = 0;
        st.ticks = 0;
        if st.limits.steps.is_some_and(|max| st.steps_used > max) {
            return Err(self.trip(LimitExceeded::Steps));
        }
        if st.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(self.trip(LimitExceeded::Time));
        }
        if let Some(max) = st.limits.memory {
            if st.mem_countdown == 0 {
                let (bytes, objects) = self.containers_estimate();
                self.limits.last_walk = bytes;
                // About one object visited per step, amortised.
                self.limits.mem_countdown = objects / (4 * CHECK_INTERVAL as usize);
            } else {
                self.limits.mem_countdown -= 1;
            }
            if self.limits.last_walk + buffer_bytes() > max {
                return Err(self.trip(LimitExceeded::Memory));
            }
        }
        self.rearm();
        Ok(())
    }

    /// Checks, before a native operation allocates `bytes` at once (`[0] * n`, `'x' * n`,
    /// `bytes(n)`), that the allocation alone does not exceed the memory limit: such a
    /// request stops the run before it allocates. Natives that allocate in proportion to an
    /// argument call it first.
    ///
    /// ```
    /// use aio_vm::embed::func::arg;
    /// use aio_vm::{Error, LimitExceeded, Limits, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.register_native("zeros", |vm, a| {
    ///     a.check_count(vm, "zeros", 1, 1)?;
    ///     let n: usize = arg(vm, "zeros", a.pos, 0)?;
    ///     vm.check_allocation(n)?;
    ///     Ok(aio_vm::module::new_bytes(vm, vec![0; n]))
    /// });
    /// vm.set_limits(Limits {
    ///     memory: Some(1 << 20),
    ///     ..Limits::default()
    /// });
    /// vm.exec("n = len(zeros(1000))")?;
    /// assert_eq!(vm.get_global::<i64>("n")?, 1000);
    /// let err = vm.exec("zeros(10**9)").unwrap_err();
    /// assert!(matches!(err, Error::Limit(LimitExceeded::Memory)));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn check_allocation(&mut self, bytes: usize) -> PyResult<()> {
        if exceeds_memory(bytes) {
            return Err(self.new_exception(&self.exc.memory_error.clone(), vec![]));
        }
        match self.limits.limits.memory {
            Some(max)
                if bytes
                    .saturating_add(buffer_bytes())
                    .saturating_add(self.limits.last_walk)
                    > max =>
            {
                Err(self.trip(LimitExceeded::Memory))
            }
            _ => Ok(()),
        }
    }

    /// Marks the VM as tripped and returns the exception that unwinds the script.
    fn trip(&mut self, kind: LimitExceeded) -> Obj {
        self.limits.tripped = Some(kind);
        self.limits.ticks = 0;
        self.limits.armed = 0;
        self.limit_exception(kind)
    }

    fn limit_exception(&mut self, kind: LimitExceeded) -> Obj {
        let cls = match &self.limits.exc_class {
            Some(c) => c.clone(),
            None => {
                let base = self.exc.base_exception.clone();
                let c = crate::module::new_class(self, "aio", "LimitExceeded", &[base]);
                self.limits.exc_class = Some(c.clone());
                c
            }
        };
        self.new_exception_msg(&cls, kind.to_string())
    }

    /// The approximate bytes held by live containers, and how many there are: the estimate
    /// [`Limits::memory`] is checked against (see the module documentation).
    ///
    /// ```
    /// use aio_vm::Vm;
    ///
    /// let mut vm = Vm::new();
    /// let (before, _) = vm.heap_estimate();
    /// vm.exec("rows = [[i] * 10 for i in range(1000)]")?;
    /// let (during, containers) = vm.heap_estimate();
    /// assert!(during > before + 1000 * 10 * 16);
    /// assert!(containers > 1000);
    /// vm.exec("del rows")?;
    /// assert!(vm.heap_estimate().0 < during);
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn heap_estimate(&self) -> (usize, usize) {
        let (bytes, objects) = self.containers_estimate();
        (bytes + buffer_bytes(), objects)
    }

    /// [`Vm::heap_estimate`] without the big buffers ([`buffer_bytes`]).
    fn containers_estimate(&self) -> (usize, usize) {
        use crate::object::Payload;
        use std::mem::size_of;
        fn small(n: usize) -> usize {
            if n < BIG_BUFFER {
                n
            } else {
                0
            }
        }
        fn value_extra(v: &Value) -> usize {
            match v {
                Value::Str(s) => small(s.as_str().len()) + 32,
                _ => 0,
            }
        }
        let mut bytes = 0usize;
        let n = self.gc.for_each_live(&mut |o| {
            bytes += size_of::<crate::object::Object>();
            bytes += match &o.payload {
                Payload::List(l) => match l.try_borrow() {
                    Ok(l) => {
                        l.capacity() * size_of::<Value>() + l.iter().map(value_extra).sum::<usize>()
                    }
                    Err(_) => 0,
                },
                Payload::Tuple(t) => t.len() * size_of::<Value>(),
                Payload::Dict(d) => match d.try_borrow() {
                    Ok(d) => d
                        .iter()
                        .map(|e| 48 + value_extra(&e.key) + value_extra(&e.value))
                        .sum(),
                    Err(_) => 0,
                },
                Payload::Set(s) => s.try_borrow().map(|s| s.len() * 32).unwrap_or(0),
                Payload::ByteArray(b) => b.try_borrow().map(|b| b.capacity()).unwrap_or(0),
                Payload::Bytes(b) => small(b.len()),
                Payload::Str(s) => small(s.as_str().len()),
                _ => 0,
            };
        });
        (bytes, n)
    }
}
