//! Green threads: what `_thread` (and so `threading` and `queue`) runs on, all on the VM's
//! one OS thread.
//!
//! A thread is a function called in a run of its own. It gives way when it blocks (a lock
//! it cannot take, `time.sleep`) and, as CPython's switch interval does, at a loop's
//! backward jump once it has run for [`SWITCH_INTERVAL`] while others wait.
//!
//! - **Parking.** A thread that blocks in a call made straight from its own script frames
//!   (the usual case: `lock.acquire()`, `with lock:`, `time.sleep(s)`, and so every wait
//!   of `threading` and `queue`) *parks*: the blocking native records its wait and returns
//!   an error the run loop recognizes, and the loop hands the thread's frames (everything
//!   above the run that started it) to `Threads`. Frames live on the heap, so a parked
//!   thread is a vector of frames, resumed later with the call's result pushed on its stack.
//! - **Nested waits.** A thread that blocks with native code between its frames and the
//!   wait (a `__enter__` reached from a native, a key function of `sorted`, the main
//!   thread, which has no run of its own to leave) cannot leave the Rust stack. It waits in
//!   place instead, running the other threads' turns (each parks back to it) until its own
//!   wait is over. Threads parked there can be resumed by any wait, later, at any depth.
//!
//! Every wait is a [`Poll`] closure asked whether the thread may go on, so a release needs
//! no wake-up call, and a thread that was told it may go on gets the poll's answer as the
//! result of its blocking call. A wait on I/O (a socket, `select`) names its descriptors, and
//! the VM sleeps in `poll(2)` on them while nobody can run. When every thread waits and no
//! wait has a deadline or descriptors, CPython would hang; aio reports each waiting thread
//! and where it waits, and exits with status 1.

use crate::code::Instr;
use crate::frame::Frame;
use crate::interp::{Outcome, Prepared};
use crate::str::Str;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How long a thread runs before it lets the others have a turn (CPython's default
/// `sys.getswitchinterval()`).
pub const SWITCH_INTERVAL: Duration = Duration::from_millis(5);

/// Steps (loop iterations and calls) between two looks at the clock for a switch while
/// other threads exist.
pub(crate) const SWITCH_TICKS: i64 = 1000;

/// The identifier of the main thread (`threading.main_thread().ident`).
pub const MAIN_THREAD: u64 = 1;

/// Whether a waiting thread may go on: called with `timed_out` set once the wait's deadline
/// has passed (it must answer then). `Some` holds the result of the call that blocked.
pub type Poll = Box<dyn FnMut(&mut Vm, bool) -> Option<PyResult>>;

/// A file descriptor and the `poll(2)` events (`POLLIN`, `POLLOUT`, ...) whose readiness
/// may end a wait (see [`Vm::block_thread_io`]).
pub type IoInterest = (i32, i16);

/// What a blocked thread waits for.
struct Wait {
    poll: Poll,
    deadline: Option<Instant>,
    /// Descriptors whose readiness may end the wait: while no thread can run, the VM
    /// sleeps in `poll(2)` on them.
    io: Vec<IoInterest>,
}

/// How a parked thread goes on.
#[derive(Clone, Copy)]
enum Resume {
    /// It blocked in a call: the wait's result is the call's result.
    Push,
    /// It gave way at a loop's backward jump to this instruction.
    Jump(u32),
}

/// A parked thread's frames, the innermost last: boxed, as on `Vm::frames`, so that they
/// move between the two as pointers.
#[allow(clippy::vec_box)]
type Segment = Vec<Box<Frame>>;

/// A thread that is not running.
enum State {
    /// Started, not yet run: the call's arguments.
    New {
        args: Vec<Value>,
        kwargs: Vec<(Rc<Str>, Value)>,
    },
    /// Blocked or preempted: its frames (the innermost last) and what it waits for.
    Parked {
        frames: Segment,
        wait: Wait,
        resume: Resume,
    },
}

/// A thread that is not running, with its identifier and the callable it runs.
struct Green {
    id: u64,
    func: Value,
    state: State,
    /// Its values of the per-thread globals ([`Vm::per_thread_global`]); empty until it
    /// first runs.
    own: Vec<Value>,
}

/// The green threads of a VM ([`Vm::threads`]).
pub(crate) struct Threads {
    /// The running thread.
    current: u64,
    next_id: u64,
    /// Threads not on the Rust stack (new, parked), in the order they gave way.
    waiting: VecDeque<Green>,
    /// Threads started and not finished (the main thread not counted).
    live: usize,
    /// `Vm::native_depth` inside the run that started (or resumed) the running thread;
    /// `usize::MAX` for the main thread, which cannot park.
    root: usize,
    /// Natives running in the running thread's run (a blocking native parks only when it
    /// is the one native between the thread's frames and the wait).
    pub(crate) nesting: usize,
    /// Set by a native that parks its thread, for the run loop: the wait, and how to resume.
    parking: Option<(Wait, Resume)>,
    /// The frames of the thread the run loop just parked.
    segment: Option<Segment>,
    /// Callbacks for when a thread ends (`_thread._set_sentinel` locks), by thread.
    exits: Vec<(u64, Value)>,
    /// When the running thread got its turn.
    slice_start: Instant,
    /// Set when a deadlock was reported: every wait ends with `SystemExit(1)`.
    deadlocked: bool,
    /// Threads waiting in place (on the Rust stack, below the running one): a running
    /// thread gives way to let them look at their waits.
    in_place: usize,
    /// Module globals each thread has its own value of: the dict, the name, and what
    /// makes a new thread's value ([`Vm::per_thread_global`]).
    per_thread: Vec<(Obj, Rc<Str>, Value)>,
}

impl Default for Threads {
    fn default() -> Self {
        Threads {
            current: MAIN_THREAD,
            next_id: MAIN_THREAD + 1,
            waiting: VecDeque::new(),
            live: 0,
            root: usize::MAX,
            nesting: 0,
            parking: None,
            segment: None,
            exits: Vec::new(),
            per_thread: Vec::new(),
            slice_start: Instant::now(),
            deadlocked: false,
            in_place: 0,
        }
    }
}

impl Threads {
    /// Whether threads other than the running one exist (then the loop's steps look at the
    /// clock to switch).
    pub(crate) fn others(&self) -> bool {
        self.live > 0
    }

    /// Whether the run loop must park the running thread (a native asked for it).
    #[inline]
    pub(crate) fn parking(&self) -> bool {
        self.parking.is_some()
    }

    /// Takes the running thread's frames off the VM (the run loop, when
    /// [`Threads::parking`]).
    pub(crate) fn park_frames(&mut self, frames: Segment) {
        self.segment = Some(frames);
    }
}

/// Whether the instruction before `ip` in `f` is a call (a native that blocks there can
/// park: its result is pushed when the thread goes on).
fn at_call(f: &Frame) -> bool {
    f.ip > 0
        && matches!(
            f.code.instrs[f.ip as usize - 1].unfused(),
            Instr::Call(_)
                | Instr::CallMethod(_)
                | Instr::CallKw(_)
                | Instr::CallMethodKw(_)
                | Instr::CallEx(_)
        )
}

impl Vm {
    /// Starts a green thread that calls `func(*args, **kwargs)`; returns its identifier.
    /// It first runs when the running thread blocks or gives way.
    pub fn start_thread(
        &mut self,
        func: Value,
        args: Vec<Value>,
        kwargs: Vec<(Rc<Str>, Value)>,
    ) -> u64 {
        let t = &mut self.threads;
        let id = t.next_id;
        t.next_id += 1;
        t.live += 1;
        t.waiting.push_back(Green {
            id,
            func,
            state: State::New { args, kwargs },
            own: Vec::new(),
        });
        self.rearm_now();
        id
    }

    /// The running thread's identifier ([`MAIN_THREAD`] for the main thread).
    pub fn thread_ident(&self) -> u64 {
        self.threads.current
    }

    /// How many threads were started and have not ended (`_thread._count()`).
    pub fn thread_count(&self) -> usize {
        self.threads.live
    }

    /// Registers `callback` to be called without arguments when the running thread ends.
    pub fn at_thread_exit(&mut self, callback: Value) {
        let id = self.threads.current;
        self.threads.exits.push((id, callback));
    }

    /// Blocks the running thread until `poll` says it may go on (see [`Poll`]); `deadline`
    /// bounds the wait. Returns what the poll returned; or, when the thread parks, an
    /// error that the run loop takes back (a native returns it as its own result, with
    /// `?`). A native calls it after finding it must wait.
    pub fn block_thread(
        &mut self,
        deadline: Option<Instant>,
        poll: impl FnMut(&mut Vm, bool) -> Option<PyResult> + 'static,
    ) -> PyResult {
        self.block_thread_io(deadline, Vec::new(), poll)
    }

    /// [`Vm::block_thread`] for a wait that I/O readiness ends (a socket's `recv`,
    /// `select.select`): `io` lists the descriptors and events the poll waits for. The poll
    /// is asked again whenever one of them may be ready; while no thread can run, the VM
    /// sleeps in `poll(2)` on the descriptors of every such wait (so a wait on I/O is never
    /// a deadlock), looking at interrupts as [`Vm::sleep`] does.
    pub fn block_thread_io(
        &mut self,
        deadline: Option<Instant>,
        io: Vec<IoInterest>,
        poll: impl FnMut(&mut Vm, bool) -> Option<PyResult> + 'static,
    ) -> PyResult {
        let wait = Wait {
            poll: Box::new(poll),
            deadline,
            io,
        };
        let t = &self.threads;
        if t.root == self.native_depth
            && t.nesting == 1
            && self.frames.last().is_some_and(|f| at_call(f))
        {
            self.threads.parking = Some((wait, Resume::Push));
            return Err(self.new_runtime_error("thread switch"));
        }
        self.wait_in_place(wait)
    }

    /// Gives each waiting thread that may go on one turn (it runs until it blocks, ends or
    /// has had its switch interval): what native code that waits on something else does
    /// first, such as an event loop before it polls. See [`Vm::next_thread_deadline`].
    pub fn run_thread_turns(&mut self) -> PyResult<()> {
        if self.threads.waiting.is_empty() {
            return Ok(());
        }
        self.threads.in_place += 1;
        let mut r = Ok(());
        for _ in 0..self.threads.waiting.len() {
            match self.run_ready_thread() {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    r = Err(e);
                    break;
                }
            }
        }
        self.threads.in_place -= 1;
        self.threads.slice_start = Instant::now();
        r
    }

    /// When the soonest timed wait of a waiting thread ends (`None` when no thread waits
    /// with a timeout). A thread that has not started yet is due now, and one waiting for
    /// I/O ([`Vm::block_thread_io`]) within a [`SWITCH_INTERVAL`], when its poll looks
    /// again. Native code that waits bounds its wait by it, then calls
    /// [`Vm::run_thread_turns`].
    pub fn next_thread_deadline(&self) -> Option<Instant> {
        let now = Instant::now();
        self.threads
            .waiting
            .iter()
            .filter_map(|g| match &g.state {
                State::Parked { wait, .. } if !wait.io.is_empty() => {
                    let recheck = now + SWITCH_INTERVAL;
                    Some(wait.deadline.map_or(recheck, |d| d.min(recheck)))
                }
                State::Parked { wait, .. } => wait.deadline,
                State::New { .. } => Some(now),
            })
            .min()
    }

    /// Whether waiting threads should get their turns ([`Vm::run_thread_turns`]) from code
    /// that keeps running: the running thread has had its switch interval.
    pub fn thread_turns_due(&self) -> bool {
        !self.threads.waiting.is_empty() && self.threads.slice_start.elapsed() >= SWITCH_INTERVAL
    }

    /// At a loop's backward jump to `target`: once the running thread has had its
    /// [`SWITCH_INTERVAL`], the others get a turn. A thread in its own run parks (and goes
    /// on at `target`); otherwise each ready thread runs once, in place.
    pub(crate) fn switch_threads(&mut self, target: u32) -> PyResult<()> {
        let t = &self.threads;
        if (t.waiting.is_empty() && t.in_place == 0) || t.slice_start.elapsed() < SWITCH_INTERVAL {
            return Ok(());
        }
        if t.root == self.native_depth && t.nesting == 0 {
            let wait = Wait {
                poll: Box::new(|_, _| Some(Ok(Value::None))),
                deadline: None,
                io: Vec::new(),
            };
            self.threads.parking = Some((wait, Resume::Jump(target)));
            return Err(self.new_runtime_error("thread switch"));
        }
        for _ in 0..self.threads.waiting.len() {
            if !self.run_ready_thread()? {
                break;
            }
        }
        self.threads.slice_start = Instant::now();
        Ok(())
    }

    /// Waits without leaving the Rust stack: runs the other threads' turns until `wait`
    /// is over, sleeping while nobody can run.
    fn wait_in_place(&mut self, wait: Wait) -> PyResult {
        self.threads.in_place += 1;
        let r = self.wait_in_place_loop(wait);
        self.threads.in_place -= 1;
        r
    }

    fn wait_in_place_loop(&mut self, mut wait: Wait) -> PyResult {
        loop {
            if self.threads.deadlocked {
                let e = crate::builtins::exceptions::new_system_exit(self, vec![Value::Int(1)]);
                return Err(e);
            }
            let timed_out = wait.deadline.is_some_and(|d| Instant::now() >= d);
            if let Some(r) = (wait.poll)(self, timed_out) {
                return r;
            }
            if self.run_ready_thread()? {
                continue;
            }
            let next = self
                .threads
                .waiting
                .iter()
                .filter_map(|g| match &g.state {
                    State::Parked { wait, .. } => wait.deadline,
                    State::New { .. } => None,
                })
                .chain(wait.deadline)
                .min();
            let io: Vec<IoInterest> = self
                .threads
                .waiting
                .iter()
                .filter_map(|g| match &g.state {
                    State::Parked { wait, .. } => Some(wait.io.iter().copied()),
                    State::New { .. } => None,
                })
                .flatten()
                .chain(wait.io.iter().copied())
                .collect();
            match next {
                _ if !io.is_empty() => self.wait_io(&io, next)?,
                Some(d) => self.sleep(d.saturating_duration_since(Instant::now()))?,
                None => return Err(self.thread_deadlock()),
            }
        }
    }

    /// Resumes the first waiting thread that may go on; `false` when none may.
    fn run_ready_thread(&mut self) -> PyResult<bool> {
        let now = Instant::now();
        for i in 0..self.threads.waiting.len() {
            let Some(mut g) = self.threads.waiting.remove(i) else {
                break;
            };
            let ready = match &mut g.state {
                State::New { .. } => Some(Ok(Value::None)),
                State::Parked { wait, .. } => {
                    let timed_out = wait.deadline.is_some_and(|d| now >= d);
                    (wait.poll)(self, timed_out)
                }
            };
            match ready {
                Some(r) => {
                    self.resume_thread(g, r);
                    return Ok(true);
                }
                None => self.threads.waiting.insert(i, g),
            }
        }
        Ok(false)
    }

    /// Makes global `name` of the module whose globals are `globals` per thread, as a
    /// `threading.local` attribute is: each thread sees its own value, a new thread first
    /// the result of calling `fresh` (`contextvars`' current context: a new thread starts
    /// in an empty one, as in CPython).
    #[doc(hidden)]
    pub fn per_thread_global(&mut self, globals: &Obj, name: &str, fresh: Value) {
        let name = self.intern(name);
        self.threads.per_thread.push((globals.clone(), name, fresh));
    }

    /// Swaps the per-thread globals with `own` (a thread's values; a new thread's are made
    /// first), returning the values they had.
    fn swap_per_thread(&mut self, own: &mut Vec<Value>) -> Vec<Value> {
        let slots = self.threads.per_thread.clone();
        if own.len() < slots.len() {
            for (_, _, fresh) in &slots[own.len()..] {
                let v = self.call(fresh, &[], &[]).unwrap_or(Value::None);
                own.push(v);
            }
        }
        let mut before = Vec::with_capacity(slots.len());
        for ((globals, name, _), v) in slots.iter().zip(own.iter()) {
            before.push(self.dict_get_str(globals, name).unwrap_or(Value::None));
            self.dict_set_str(globals, name.as_str(), v.clone());
        }
        before
    }

    /// Puts back the values `before` of the per-thread globals; returns the thread's own.
    fn restore_per_thread(&mut self, before: Vec<Value>) -> Vec<Value> {
        let slots = self.threads.per_thread.clone();
        let mut own = Vec::with_capacity(before.len());
        for ((globals, name, _), v) in slots.iter().zip(before) {
            own.push(self.dict_get_str(globals, name).unwrap_or(Value::None));
            self.dict_set_str(globals, name.as_str(), v);
        }
        own
    }

    /// Runs thread `g` until it parks again or ends; `result` is what its blocking call
    /// returns.
    fn resume_thread(&mut self, mut g: Green, result: PyResult) {
        let before = if self.threads.per_thread.is_empty() {
            None
        } else {
            Some(self.swap_per_thread(&mut g.own))
        };
        let saved = (
            self.threads.current,
            self.threads.root,
            self.threads.nesting,
        );
        let t = &mut self.threads;
        t.current = g.id;
        t.root = self.native_depth + 1;
        t.nesting = 0;
        t.slice_start = Instant::now();
        let outcome = match g.state {
            State::New { args, kwargs } => {
                match self.prepare_call(g.func.clone(), &args, &kwargs) {
                    Ok(Prepared::Frame(f)) => self.run_frame(f),
                    Ok(Prepared::Value(v)) => Ok(v),
                    Err(e) => Err(e),
                }
            }
            State::Parked {
                mut frames, resume, ..
            } => {
                let mut top = frames.pop().expect("a parked thread has frames");
                let base = self.frames.len();
                self.frames.extend(frames);
                match (result, resume) {
                    (Ok(v), Resume::Push) => top.stack.push(v),
                    (Ok(_), Resume::Jump(target)) => top.ip = target,
                    (Err(e), _) => top.set_pending_throw(Value::Obj(e)),
                }
                self.run_at(top, base).map(|o| match o {
                    Outcome::Return(v) | Outcome::Yield(v) => v,
                })
            }
        };
        let parked = self.threads.parking.take();
        if let Some(before) = before {
            g.own = self.restore_per_thread(before);
        }
        let t = &mut self.threads;
        (t.current, t.root, t.nesting) = saved;
        t.slice_start = Instant::now();
        match (outcome, parked) {
            (Err(_), Some((wait, resume))) => {
                let frames = t.segment.take().expect("the parked thread's frames");
                t.waiting.push_back(Green {
                    id: g.id,
                    func: g.func,
                    state: State::Parked {
                        frames,
                        wait,
                        resume,
                    },
                    own: g.own,
                });
            }
            (outcome, _) => {
                if let Err(e) = outcome {
                    if !self.is_instance_of(&e, &self.exc.system_exit.clone()) {
                        let what = self
                            .repr(&g.func)
                            .map(|r| r.as_str().to_string())
                            .unwrap_or_else(|_| "<object repr() failed>".to_string());
                        self.report_unraisable_in("in thread started by", &what, &e);
                    }
                }
                self.thread_ended(g.id);
            }
        }
    }

    /// Thread `id` ended: its exit callbacks run (errors reported, not raised).
    fn thread_ended(&mut self, id: u64) {
        self.threads.live -= 1;
        let (mine, rest) = std::mem::take(&mut self.threads.exits)
            .into_iter()
            .partition(|(t, _)| *t == id);
        self.threads.exits = rest;
        for (_, cb) in mine {
            if let Err(e) = self.call(&cb, &[], &[]) {
                self.report_unraisable_in("in", "thread exit callback", &e);
            }
        }
        self.rearm_now();
    }

    /// At shutdown, as CPython's `wait_for_thread_shutdown`: `threading._shutdown()` waits
    /// for the threads that are not daemons (when `threading` was imported). An error is
    /// reported, not raised.
    pub(crate) fn join_threads(&mut self) {
        if self.threads.deadlocked {
            return;
        }
        let name = crate::str::Str::new("threading".into());
        let Some(threading) = self.dict_get_str(&self.modules.clone(), &name) else {
            return;
        };
        let r = crate::module::call_method(self, &threading, "_shutdown", &[]);
        if let Err(e) = r {
            self.report_unraisable_in("in", "threading._shutdown", &e);
        }
    }

    /// Reports a deadlock (every thread waits, no wait can end) and returns the
    /// `SystemExit(1)` that ends the program.
    #[cold]
    fn thread_deadlock(&mut self) -> Obj {
        let mut lines =
            vec!["aio: deadlock: every thread is waiting, and no timeout can wake one".to_string()];
        let current = self.threads.current;
        let name = self.thread_name(current);
        let here: Vec<&Frame> = self.frames.iter().map(|f| &**f).collect();
        lines.push(format!("  thread {name} is waiting:"));
        lines.extend(waiting_at(&here));
        let ids: Vec<u64> = self.threads.waiting.iter().map(|g| g.id).collect();
        for id in ids {
            let name = self.thread_name(id);
            let Some(g) = self.threads.waiting.iter().find(|g| g.id == id) else {
                continue;
            };
            if let State::Parked { frames, .. } = &g.state {
                let frames: Vec<&Frame> = frames.iter().map(|f| &**f).collect();
                lines.push(format!("  thread {name} is waiting:"));
                lines.extend(waiting_at(&frames));
            }
        }
        self.flush_stdout();
        eprintln!("{}", lines.join("\n"));
        self.threads.deadlocked = true;
        crate::builtins::exceptions::new_system_exit(self, vec![Value::Int(1)])
    }
}

impl Vm {
    /// Thread `id`'s name for reports: its `threading.Thread`'s name, quoted, or its
    /// identifier when `threading` does not know it.
    fn thread_name(&mut self, id: u64) -> String {
        let threading = crate::str::Str::new("threading".into());
        let (active, name_attr) = (self.intern("_active"), self.intern("name"));
        let name = self
            .dict_get_str(&self.modules.clone(), &threading)
            .and_then(|m| self.get_attr(&m, &active).ok())
            .and_then(|active| self.getitem(&active, &Value::Int(id as i64)).ok())
            .and_then(|t| self.get_attr(&t, &name_attr).ok())
            .and_then(|n| n.as_str().map(|s| s.as_str().to_string()));
        match name {
            Some(n) => format!("'{n}'"),
            None => id.to_string(),
        }
    }
}

/// `File "...", line N, in f` for the innermost frames of `frames` outside the standard
/// library (where the script called the library that waits).
fn waiting_at(frames: &[&Frame]) -> Vec<String> {
    let script: Vec<&&Frame> = frames
        .iter()
        .filter(|f| !f.code.source.name.starts_with("lib/"))
        .collect();
    script
        .iter()
        .rev()
        .take(3)
        .rev()
        .map(|f| {
            format!(
                "    File \"{}\", line {}, in {}",
                f.code.source.name,
                f.line(),
                f.code.name.as_str()
            )
        })
        .collect()
}
