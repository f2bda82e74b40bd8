//! `__del__`: finalizers run when an instance's last reference goes away, as under
//! CPython's reference counting.
//!
//! `Drop` cannot call into the VM, so an object whose class defines `__del__` is
//! *resurrected* as it dies: its class, `__dict__` and payload move into a fresh twin that
//! is queued here (marked finalized, so it is not queued twice). The run loop drains the
//! queue at its next finalization point — right after the store, `del`, pop or return that
//! dropped the object — and calls `__del__` on the twin. Errors raised by a finalizer are
//! reported on stderr as CPython's "Exception ignored in: ..." and otherwise ignored.
//!
//! Generators and coroutines dropped while suspended are resurrected the same way and
//! closed (PEP 342), so their `finally` blocks run; a coroutine dropped before it started
//! warns that it was never awaited (X-20).
//!
//! Garbage cycles are finalized before they are freed, as CPython 3.4+ does (PEP 442): the
//! cycle collector queues the objects of a cycle that need finalizing, intact, and frees the
//! cycle at a later collection, unless a finalizer made it reachable again.
//!
//! The callbacks of weak references (`weakref`) wait in the same queue: an object's death
//! queues them, and they run at the same points, in the order CPython runs them at
//! deallocation.

use crate::object::{Object, Payload, TracebackEntry};
use crate::value::{Obj, Value};
use crate::vm::Vm;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Work queued by a death, run at the next finalization point.
enum Pending {
    /// The twin of a dead object, waiting for its `__del__` (or a generator's close).
    Finalize(Obj),
    /// A weak reference's callback and the reference it is called with.
    Callback(Value, Obj),
}

thread_local! {
    /// What dead objects left to run, in the order they died (objects release what they
    /// hold after their own work is queued, lists and tuples last item first, as CPython).
    static QUEUE: RefCell<Vec<Pending>> = const { RefCell::new(Vec::new()) };
    /// Whether `QUEUE` or `NEVER_AWAITED` may be non-empty (checked by the run loop).
    static PENDING: Cell<bool> = const { Cell::new(false) };
    /// `run_finalizers` is running (finalizers that free objects do not nest).
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    /// Qualified names of coroutines freed before they started (X-20).
    static NEVER_AWAITED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// Where a native running script callbacks stands for a script frame CPython would
    /// have (asyncio's `Handle._run`): the frame depth it runs at and that frame's line,
    /// the place of the warnings [`Vm::run_finalizers_at`] shows at that depth.
    static SITE: RefCell<Option<(usize, TracebackEntry)>> = const { RefCell::new(None) };
    /// Warnings already shown (the default warning filter shows each location once).
    static WARNED: RefCell<std::collections::HashSet<String>> = RefCell::new(Default::default());
}

/// Called from `Object`'s `Drop` for a coroutine that never started: queues CPython's
/// "coroutine ... was never awaited" warning, shown at the next finalization point.
pub(crate) fn never_awaited(qualname: &Value) {
    let name = qualname
        .as_str()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    let _ = NEVER_AWAITED.try_with(|w| {
        if let Ok(mut w) = w.try_borrow_mut() {
            w.push(name);
            PENDING.with(|p| p.set(true));
        }
    });
}

/// Whether finalizers are waiting to run.
#[inline]
pub(crate) fn pending() -> bool {
    PENDING.with(|p| p.get())
}

/// Whether objects died since the last finalization point (for natives that run script
/// callbacks one after another, to finalize after each with [`Vm::run_finalizers_at`]).
#[inline]
pub fn finalizers_pending() -> bool {
    pending()
}

/// Called from `Object`'s `Drop` for an instance of a class with `__del__`: queues a twin.
/// Weak references to the object now refer to the twin, so `__del__` still reaches it
/// through them (CPython clears them after `__del__`).
pub(crate) fn resurrect(o: &mut Object) {
    let weak = o.weakly_referenced.replace(false);
    let twin = Rc::new(Object {
        class: o.class.take(),
        dict: std::mem::take(&mut o.dict),
        gc: Cell::new(0),
        gc_owner: Cell::new(0),
        finalized: Cell::new(true),
        weakly_referenced: Cell::new(false),
        payload: std::mem::replace(&mut o.payload, Payload::Plain),
    });
    crate::gc::transfer(o, &twin);
    if weak {
        crate::weakref::moved(o, &twin);
    }
    push(Pending::Finalize(twin));
}

/// Queues an object the cycle collector found unreachable, for its `__del__` (or a
/// generator's close) before the collector frees it (PEP 442).
pub(crate) fn queue_collected(o: Obj) {
    push(Pending::Finalize(o));
}

/// Queues a weak reference's `callback`, to be called with the reference `wr` at the next
/// finalization point.
pub(crate) fn queue_callback(callback: Value, wr: Obj) {
    push(Pending::Callback(callback, wr));
}

/// Makes the next finalization point run (an automatic collection waits there for
/// `gc.callbacks`).
pub(crate) fn wake() {
    let _ = PENDING.try_with(|p| p.set(true));
}

fn push(p: Pending) {
    // During thread teardown the queue is gone: the work is dropped undone.
    let _ = QUEUE.try_with(|q| {
        if let Ok(mut q) = q.try_borrow_mut() {
            q.push(p);
            PENDING.with(|p| p.set(true));
        }
    });
}

impl Vm {
    /// Runs the `__del__` of every object that died since the last call. Never fails: a
    /// finalizer's exception is reported as CPython reports unraisable errors. Internal: the
    /// interpreter calls it at safe points, and [`Vm::shutdown`] at the end.
    #[doc(hidden)]
    pub fn run_finalizers(&mut self) {
        if RUNNING.with(|r| r.get()) {
            // The outer call drains what this finalizer frees.
            return;
        }
        if self.gc.automatic_due() {
            self.collect_automatically();
        }
        RUNNING.with(|r| r.set(true));
        self.drain_finalizers();
        RUNNING.with(|r| r.set(false));
        if self.gc.automatic_due() {
            // Requested while finalizers ran: the next point runs it.
            wake();
        }
    }

    /// [`Vm::run_finalizers`] for a native that stands for a script frame CPython would
    /// have at `site` (asyncio's `Handle._run` running a callback): a coroutine that died
    /// there never awaited warns at that line, as in CPython.
    #[doc(hidden)]
    pub fn run_finalizers_at(&mut self, site: &TracebackEntry) {
        let depth = self.frames.len();
        SITE.with(|s| *s.borrow_mut() = Some((depth, site.clone())));
        self.run_finalizers();
        SITE.with(|s| *s.borrow_mut() = None);
    }

    fn drain_finalizers(&mut self) {
        self.warn_never_awaited();
        // Work queued while an item runs is done before the rest of that item's batch:
        // depth first, in the order it was queued, as CPython's nested deallocations run.
        let mut batches: Vec<std::collections::VecDeque<Pending>> = Vec::new();
        loop {
            let fresh = QUEUE.with(|q| {
                PENDING.with(|p| p.set(false));
                std::mem::take(&mut *q.borrow_mut())
            });
            if !fresh.is_empty() {
                batches.push(fresh.into());
            }
            // A batch goes as soon as it is empty, so that a finalizer which frees one new
            // object per run (a `__del__` making an instance of its class) runs in constant
            // memory, as CPython's trashcan does, instead of stacking empty batches.
            let next = loop {
                let Some(batch) = batches.last_mut() else {
                    break None;
                };
                let item = batch.pop_front();
                if batch.is_empty() {
                    batches.pop();
                }
                if item.is_some() {
                    break item;
                }
            };
            let obj = match next {
                None => {
                    // Finalizers may have dropped never-started coroutines.
                    return self.warn_never_awaited();
                }
                Some(Pending::Callback(callback, wr)) => {
                    // CPython's `handle_callback`: errors are reported against the callback.
                    if let Err(e) = self.call(&callback, &[Value::Obj(wr)], &[]) {
                        let what = self
                            .repr(&callback)
                            .map(|r| r.as_str().to_string())
                            .unwrap_or_else(|_| "callback".to_string());
                        self.report_unraisable(&what, &e);
                    }
                    continue;
                }
                Some(Pending::Finalize(obj)) => obj,
            };
            if let Payload::Generator(g) = &obj.payload {
                let finalizer = g.finalizer();
                let r = match finalizer {
                    // The asyncgen finalizer hook (asyncio schedules `aclose()`).
                    Some(hook) => self
                        .call(&hook, &[Value::Obj(obj.clone())], &[])
                        .map(|_| ()),
                    None => self.gen_close(&obj),
                };
                if let Err(e) = r {
                    let what = self
                        .repr(&Value::Obj(obj.clone()))
                        .map(|r| r.as_str().to_string())
                        .unwrap_or_else(|_| "generator".to_string());
                    self.report_unraisable(&what, &e);
                }
                continue;
            }
            let cls = self.class_of(&Value::Obj(obj.clone())).clone();
            let Some(del) = self.lookup(&cls, &self.names.__del__.clone()) else {
                continue;
            };
            if let Err(e) = self.call(&del, &[Value::Obj(obj)], &[]) {
                let what = self
                    .repr(&del)
                    .map(|r| r.as_str().to_string())
                    .unwrap_or_else(|_| "__del__".to_string());
                self.report_unraisable(&what, &e);
            }
        }
    }
}

impl Vm {
    /// A full collection with finalizers, as CPython's `gc.collect()`: the garbage's
    /// `__del__`s run (on intact objects), then what they left unreachable is freed.
    /// Returns the number of unreachable objects found by the first pass.
    pub fn collect_garbage(&mut self) -> usize {
        let found = self.gc.collect();
        if pending() {
            self.run_finalizers();
            // Frees the cycles just finalized (unless a finalizer resurrected them); what
            // it finds was already counted.
            self.gc.collect();
            self.run_finalizers();
        }
        found
    }
}

impl Vm {
    /// CPython's report of an exception nobody can catch (raised by a finalizer).
    fn report_unraisable(&mut self, what: &str, e: &crate::value::Obj) {
        self.report_unraisable_in("in", what, e);
    }

    /// CPython's `_PyErr_WriteUnraisableMsg`: `Exception ignored {context}: {what}` and
    /// the exception's traceback, on stderr (after what the script printed).
    pub(crate) fn report_unraisable_in(
        &mut self,
        context: &str,
        what: &str,
        e: &crate::value::Obj,
    ) {
        let report = self.format_exception(e);
        self.flush_stdout();
        eprint!("Exception ignored {context}: {what}\n{report}");
    }

    /// X-20: `FILE:LINE: RuntimeWarning: coroutine 'NAME' was never awaited`, at the line
    /// running when the coroutine died, once per location (CPython's default filter).
    fn warn_never_awaited(&mut self) {
        let names = NEVER_AWAITED.with(|w| std::mem::take(&mut *w.borrow_mut()));
        let depth = self.frames.len();
        let site = SITE.with(|s| {
            s.borrow()
                .as_ref()
                .filter(|(d, _)| *d == depth)
                .map(|(_, e)| (e.code.clone(), e.code.line(e.ip as usize)))
        });
        let at = site.or_else(|| self.frames.last().map(|f| (f.code.clone(), f.line())));
        for name in names {
            let (place, text) = match &at {
                Some((code, line)) => {
                    let src = &code.source;
                    (
                        format!("{}:{line}", src.name),
                        src.lines().line_text(&src.text, *line).trim().to_string(),
                    )
                }
                None => ("sys:1".to_string(), String::new()),
            };
            let message = format!("{place}: RuntimeWarning: coroutine '{name}' was never awaited");
            if !WARNED.with(|w| w.borrow_mut().insert(message.clone())) {
                continue;
            }
            self.flush_stdout();
            let source = if text.is_empty() {
                String::new()
            } else {
                format!("  {text}\n")
            };
            eprint!(
                "{message}\n{source}RuntimeWarning: Enable tracemalloc to get the object allocation traceback\n"
            );
        }
    }

    /// Interpreter shutdown, as CPython's finalization does for `__main__`: runs the
    /// `atexit` callbacks ([`Vm::run_atexit`]), collects garbage cycles, then clears the
    /// module's globals (names with one leading underscore first, then the others, in
    /// definition order), so that the `__del__` of objects they hold runs before the
    /// process exits. A host calls it when it is done with the VM.
    ///
    /// ```
    /// use aio_vm::Vm;
    /// use std::{cell::RefCell, rc::Rc};
    ///
    /// let mut vm = Vm::new();
    /// let closed = Rc::new(RefCell::new(Vec::new()));
    /// let sink = closed.clone();
    /// vm.register_fn("release", move |name: String| sink.borrow_mut().push(name));
    /// vm.exec(
    ///     "class Handle:\n\
    ///      \x20   def __init__(self, name):\n\
    ///      \x20       self.name = name\n\
    ///      \x20   def __del__(self):\n\
    ///      \x20       release(self.name)\n\
    ///      db = Handle('db')\n\
    ///      cache = Handle('cache')\n\
    ///      Handle('temp')\n",
    /// )?;
    /// assert_eq!(*closed.borrow(), ["temp"]);
    /// vm.shutdown();
    /// assert_eq!(*closed.borrow(), ["temp", "db", "cache"]);
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn shutdown(&mut self) {
        self.join_threads();
        self.run_atexit();
        self.collect_garbage();
        let main = self.dict_get_str(
            &self.modules.clone(),
            &crate::str::Str::new("__main__".into()),
        );
        let Some(globals) = main.and_then(|m| m.as_obj().and_then(|m| self.module_globals(m)))
        else {
            return;
        };
        let Payload::Dict(table) = &globals.payload else {
            return;
        };
        let keys: Vec<Rc<crate::str::Str>> = table
            .borrow()
            .iter()
            .filter_map(|e| e.key.as_str().cloned())
            .collect();
        let private = |k: &str| k.starts_with('_') && !k.starts_with("__");
        for first in [true, false] {
            for k in &keys {
                if private(k.as_str()) != first || k.as_str() == "__builtins__" {
                    continue;
                }
                {
                    let mut t = table.borrow_mut();
                    if t.get_str(k).is_none() {
                        continue;
                    }
                    t.set_str(k.clone(), Value::None);
                }
                self.run_finalizers();
            }
        }
    }
}
