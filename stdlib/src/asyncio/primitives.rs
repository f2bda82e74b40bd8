//! The synchronous methods of `asyncio.Queue`, `Event` and `Lock`: CPython's
//! `Lib/asyncio/queues.py` and `locks.py` statement by statement, as natives, so that a
//! `put`/`get` pair runs two script frames (the coroutines) instead of sixteen.
//!
//! Every method another method calls is looked up on the instance, so a subclass that
//! overrides it (`PriorityQueue._put`, a user's `full`) is called as written; when the
//! method is the class's own native it runs inline instead. Instance attributes are read
//! and written as the other asyncio natives do (`attr.rs`: the instance dict first).
//!
//! The containers are `collections.deque`s, whose methods no program can replace (an
//! immutable type in CPython): on an exact deque the natives append, pop, count and walk
//! in place (a walk checks the deque's mutation counter at each step, as its iterator
//! does); a subclass or another container goes through its methods.

use super::attr::{iget, iset, keeps_method, Attr, KeptMethods};
use super::natives::{define_group, ready, Op, Shared};
use super::step::{self, StepEnv};
use crate::collections::deque::Deque;
use aio_vm::code::{BinOp, CmpOp};
use aio_vm::module::{call_method, native_state};
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::rc::Rc;

/// The prelude call that hands these natives their state (after `Queue` is defined).
const INIT: &str = "_c_queue_init";

/// What the natives need: the exception classes, attribute names, and the natives
/// themselves (to recognize a method that is not overridden).
pub(super) struct QueueEnv {
    queue_full: Obj,
    queue_empty: Obj,
    /// `collections.deque` (the prelude's `_deque`), whose instances the natives operate
    /// on directly: its methods cannot be replaced (an immutable type in CPython).
    deque: Option<Obj>,
    /// Which of the methods [`plain_queue`] covers a queue keeps.
    plain: KeptMethods,
    /// Whether a queue's `_finished` event keeps `Event.clear`.
    event_kept: KeptMethods,
    own: Own,
    n: Names,
    /// The task-step natives' state, for `Future`'s own methods run on waiters.
    steps: Shared<StepEnv>,
}

/// The natives as the prelude bound them, compared with what an instance's class has.
struct Own {
    qsize: Value,
    empty: Value,
    full: Value,
    put: Value,
    get: Value,
    wakeup_next: Value,
    event_clear: Value,
    lock_wake_up_first: Value,
    future_done: Value,
    future_cancelled: Value,
    future_set_result: Value,
}

/// Attribute and method names.
struct Names {
    queue: Attr,
    maxsize: Attr,
    getters: Attr,
    putters: Attr,
    unfinished_tasks: Attr,
    finished: Attr,
    value: Attr,
    waiters: Attr,
    locked: Attr,
    qsize: Attr,
    empty: Attr,
    full: Attr,
    put: Attr,
    get: Attr,
    wakeup_next: Attr,
    clear: Attr,
    wake_up_first: Attr,
    done: Attr,
    cancelled: Attr,
    set_result: Attr,
}

/// Registers the natives in the module globals `g`.
pub(super) fn define(vm: &mut Vm, g: &Obj, steps: Shared<StepEnv>) {
    let ops: [Op<QueueEnv>; 14] = [
        ("_c_queue_qsize", "Queue.qsize", qsize),
        ("_c_queue_empty", "Queue.empty", empty),
        ("_c_queue_full", "Queue.full", full),
        ("_c_queue_put", "Queue._put", put),
        ("_c_queue_get", "Queue._get", get),
        ("_c_queue_wakeup_next", "Queue._wakeup_next", wakeup_next),
        ("_c_queue_put_nowait", "Queue.put_nowait", put_nowait),
        ("_c_queue_get_nowait", "Queue.get_nowait", get_nowait),
        ("_c_event_set", "Event.set", event_set),
        ("_c_event_clear", "Event.clear", event_clear),
        ("_c_lock_release", "Lock.release", lock_release),
        (
            "_c_lock_wake_up_first",
            "Lock._wake_up_first",
            lock_wake_up_first,
        ),
        ("_c_all_cancelled", "asyncio._all_cancelled", all_cancelled),
        (
            "_c_release_waiter",
            "asyncio._release_waiter",
            release_waiter,
        ),
    ];
    let globals = g.clone();
    define_group(
        vm,
        g,
        INIT,
        move |vm, a| init_env(vm, a, &globals, steps.clone()),
        &ops,
    );
}

/// `_c_queue_init(QueueFull, QueueEmpty)`.
fn init_env(vm: &mut Vm, a: &Args, globals: &Obj, steps: Shared<StepEnv>) -> PyResult<QueueEnv> {
    a.check_count(vm, INIT, 2, 2)?;
    let class = |vm: &mut Vm, v: &Value| match v {
        Value::Obj(o) => Ok(o.clone()),
        _ => Err(vm.new_type_error(format!("{INIT}: a class was expected"))),
    };
    let native = |vm: &mut Vm, name: &str| {
        let key = vm.intern(name);
        vm.dict_get_str(globals, &key)
            .ok_or_else(|| vm.new_runtime_error(format!("asyncio.{name} is missing")))
    };
    let own = Own {
        qsize: native(vm, "_c_queue_qsize")?,
        empty: native(vm, "_c_queue_empty")?,
        full: native(vm, "_c_queue_full")?,
        put: native(vm, "_c_queue_put")?,
        get: native(vm, "_c_queue_get")?,
        wakeup_next: native(vm, "_c_queue_wakeup_next")?,
        event_clear: native(vm, "_c_event_clear")?,
        lock_wake_up_first: native(vm, "_c_lock_wake_up_first")?,
        future_done: native(vm, "_c_future_done")?,
        future_cancelled: native(vm, "_c_future_cancelled")?,
        future_set_result: native(vm, "_c_future_set_result")?,
    };
    let n = Names {
        queue: Attr::new(vm, "_queue"),
        maxsize: Attr::new(vm, "_maxsize"),
        getters: Attr::new(vm, "_getters"),
        putters: Attr::new(vm, "_putters"),
        unfinished_tasks: Attr::new(vm, "_unfinished_tasks"),
        finished: Attr::new(vm, "_finished"),
        value: Attr::new(vm, "_value"),
        waiters: Attr::new(vm, "_waiters"),
        locked: Attr::new(vm, "_locked"),
        qsize: Attr::new(vm, "qsize"),
        empty: Attr::new(vm, "empty"),
        full: Attr::new(vm, "full"),
        put: Attr::new(vm, "_put"),
        get: Attr::new(vm, "_get"),
        wakeup_next: Attr::new(vm, "_wakeup_next"),
        clear: Attr::new(vm, "clear"),
        wake_up_first: Attr::new(vm, "_wake_up_first"),
        done: Attr::new(vm, "done"),
        cancelled: Attr::new(vm, "cancelled"),
        set_result: Attr::new(vm, "set_result"),
    };
    let deque = native(vm, "_deque")?;
    Ok(QueueEnv {
        queue_full: class(vm, &a.pos[0])?,
        queue_empty: class(vm, &a.pos[1])?,
        deque: deque.as_obj().cloned(),
        plain: KeptMethods::new(),
        event_kept: KeptMethods::new(),
        own,
        n,
        steps,
    })
}

/// The contents of `v` when it is exactly a `collections.deque` (not a subclass, which
/// may override its methods) and not in use by another native; `None` sends the caller
/// down the general path, which calls the methods.
fn exact_deque<'a>(env: &QueueEnv, v: &'a Value) -> Option<std::cell::RefMut<'a, Deque>> {
    let o = v.as_obj()?;
    let deque = env.deque.as_ref()?;
    if !o.class_raw().is_some_and(|c| Rc::ptr_eq(c, deque)) {
        return None;
    }
    native_state::<Deque>(v)?.try_borrow_mut().ok()
}

/// Whether the queue `this` runs the natives' own `qsize`, `empty`, `full`, `_put`, `_get`
/// and `_wakeup_next`: its class overrides none of them and its instance dict shadows none.
/// That depends only on the class, the type epoch and the dict's keys, so the answer is
/// remembered for the last such triple: a queue's operations then check one cache entry
/// instead of looking up each method they call.
#[inline]
fn plain_queue(vm: &mut Vm, env: &QueueEnv, this: &Value) -> bool {
    let kept = env.plain.kept(vm, this, || {
        [
            (&env.n.qsize, &env.own.qsize),
            (&env.n.empty, &env.own.empty),
            (&env.n.full, &env.own.full),
            (&env.n.put, &env.own.put),
            (&env.n.get, &env.own.get),
            (&env.n.wakeup_next, &env.own.wakeup_next),
        ]
    });
    kept == (1 << 6) - 1
}

/// [`call_own`] for one of the queue methods [`plain_queue`] covers, called on the queue.
fn call_queue_own(
    vm: &mut Vm,
    env: &QueueEnv,
    this: &Value,
    name: &Attr,
    own: &Value,
    args: &[Value],
    inline: impl FnOnce(&mut Vm) -> PyResult,
) -> PyResult {
    if plain_queue(vm, env, this) {
        inline(vm)
    } else {
        call_own(vm, this, name, own, args, inline)
    }
}

/// `fut.done()`: `Future`'s own natively, an override called.
fn waiter_done(vm: &mut Vm, env: &QueueEnv, fut: &Value) -> PyResult<bool> {
    if keeps_method(vm, fut, &env.n.done, &env.own.future_done) {
        let steps = ready(vm, &env.steps, step::INIT)?;
        return Ok(!step::is_pending(vm, &steps, fut)?);
    }
    let r = call_method(vm, fut, env.n.done.as_str(), &[])?;
    vm.is_true(&r)
}

/// `fut.cancelled()`: `Future`'s own natively, an override called.
fn waiter_cancelled(vm: &mut Vm, env: &QueueEnv, fut: &Value) -> PyResult<bool> {
    if keeps_method(vm, fut, &env.n.cancelled, &env.own.future_cancelled) {
        let steps = ready(vm, &env.steps, step::INIT)?;
        return step::is_cancelled(vm, &steps, fut);
    }
    let r = call_method(vm, fut, env.n.cancelled.as_str(), &[])?;
    vm.is_true(&r)
}

/// `if not fut.done():` / `fut.set_result(value)`; whether it set it. `Future`'s own
/// methods run natively, overrides are called.
fn set_waiter(vm: &mut Vm, env: &QueueEnv, fut: &Value, value: Value) -> PyResult<bool> {
    if waiter_done(vm, env, fut)? {
        return Ok(false);
    }
    if keeps_method(vm, fut, &env.n.set_result, &env.own.future_set_result) {
        let steps = ready(vm, &env.steps, step::INIT)?;
        step::set_result(vm, &steps, fut, value)?;
    } else {
        call_method(vm, fut, env.n.set_result.as_str(), &[value])?;
    }
    Ok(true)
}

/// Iteration over an exact deque without an iterator object, as the deque's iterator
/// steps: each step first checks that the deque has not changed since the walk began.
struct DequeWalk<'a> {
    deque: &'a Value,
    state: u64,
    next: usize,
}

impl<'a> DequeWalk<'a> {
    fn new(env: &QueueEnv, deque: &'a Value) -> Option<DequeWalk<'a>> {
        let state = exact_deque(env, deque)?.state();
        Some(DequeWalk {
            deque,
            state,
            next: 0,
        })
    }

    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let Some(d) = native_state::<Deque>(self.deque) else {
            return Ok(None);
        };
        let item = {
            let d = d.borrow();
            if d.state() != self.state {
                None
            } else {
                Some(d.get(self.next))
            }
        };
        match item {
            None => Err(vm.new_runtime_error("deque mutated during iteration")),
            Some(v) => {
                self.next += 1;
                Ok(v)
            }
        }
    }
}

/// `obj.name(*args)`: `inline` when `obj.name` is the native `own`, a call otherwise.
fn call_own(
    vm: &mut Vm,
    obj: &Value,
    name: &Attr,
    own: &Value,
    args: &[Value],
    inline: impl FnOnce(&mut Vm) -> PyResult,
) -> PyResult {
    if keeps_method(vm, obj, name, own) {
        inline(vm)
    } else {
        call_method(vm, obj, name.as_str(), args)
    }
}

/// `return len(self._queue)`
fn qsize(vm: &mut Vm, env: &QueueEnv, a: Args) -> PyResult {
    let [this] = a.bind_def(vm, "Queue.qsize", ["self"])?;
    qsize_of(vm, env, &this)
}

fn qsize_of(vm: &mut Vm, env: &QueueEnv, this: &Value) -> PyResult {
    let q = iget(vm, this, &env.n.queue)?;
    if let Some(d) = exact_deque(env, &q) {
        return Ok(Value::Int(d.len() as i64));
    }
    Ok(Value::Int(vm.len(&q)? as i64))
}

/// `return not self._queue`
fn empty(vm: &mut Vm, env: &QueueEnv, a: Args) -> PyResult {
    let [this] = a.bind_def(vm, "Queue.empty", ["self"])?;
    empty_of(vm, env, &this)
}

fn empty_of(vm: &mut Vm, env: &QueueEnv, this: &Value) -> PyResult {
    let q = iget(vm, this, &env.n.queue)?;
    if let Some(d) = exact_deque(env, &q) {
        return Ok(Value::bool(d.len() == 0));
    }
    Ok(Value::bool(!vm.is_true(&q)?))
}

/// `if self._maxsize <= 0: return False` / `else: return self.qsize() >= self._maxsize`
fn full(vm: &mut Vm, env: &QueueEnv, a: Args) -> PyResult {
    let [this] = a.bind_def(vm, "Queue.full", ["self"])?;
    full_of(vm, env, &this)
}

fn full_of(vm: &mut Vm, env: &QueueEnv, this: &Value) -> PyResult {
    let maxsize = iget(vm, this, &env.n.maxsize)?;
    if let Value::Int(m) = maxsize {
        if m > 0 && plain_queue(vm, env, this) {
            let q = iget(vm, this, &env.n.queue)?;
            let len = exact_deque(env, &q).map(|d| d.len());
            if let Some(len) = len {
                return Ok(Value::bool(len as i64 >= m));
            }
        }
    }
    let unbounded = match maxsize {
        Value::Int(m) => m <= 0,
        _ => {
            let r = vm.compare(&maxsize, &Value::Int(0), CmpOp::Le)?;
            vm.is_true(&r)?
        }
    };
    if unbounded {
        return Ok(Value::bool(false));
    }
    let size = call_queue_own(vm, env, this, &env.n.qsize, &env.own.qsize, &[], |vm| {
        qsize_of(vm, env, this)
    })?;
    let maxsize = iget(vm, this, &env.n.maxsize)?;
    match (&size, &maxsize) {
        (Value::Int(s), Value::Int(m)) => Ok(Value::bool(s >= m)),
        _ => vm.compare(&size, &maxsize, CmpOp::Ge),
    }
}

/// `self._queue.append(item)`
fn put(vm: &mut Vm, env: &QueueEnv, a: Args) -> PyResult {
    let [this, item] = a.bind_def(vm, "Queue._put", ["self", "item"])?;
    put_of(vm, env, &this, item)
}

fn put_of(vm: &mut Vm, env: &QueueEnv, this: &Value, item: Value) -> PyResult {
    let q = iget(vm, this, &env.n.queue)?;
    if let Some(mut d) = exact_deque(env, &q) {
        d.append(item);
        return Ok(Value::None);
    }
    call_method(vm, &q, "append", &[item])?;
    Ok(Value::None)
}

/// `return self._queue.popleft()`
fn get(vm: &mut Vm, env: &QueueEnv, a: Args) -> PyResult {
    let [this] = a.bind_def(vm, "Queue._get", ["self"])?;
    get_of(vm, env, &this)
}

fn get_of(vm: &mut Vm, env: &QueueEnv, this: &Value) -> PyResult {
    let q = iget(vm, this, &env.n.queue)?;
    if let Some(mut d) = exact_deque(env, &q) {
        if let Some(v) = d.popleft() {
            return Ok(v);
        }
    }
    call_method(vm, &q, "popleft", &[])
}

/// `while waiters:` / `waiter = waiters.popleft()` / `if not waiter.done():` /
/// `waiter.set_result(None)` / `break`
fn wakeup_next(vm: &mut Vm, env: &QueueEnv, a: Args) -> PyResult {
    let [_, waiters] = a.bind_def(vm, "Queue._wakeup_next", ["self", "waiters"])?;
    wakeup_next_of(vm, env, &waiters)
}

fn wakeup_next_of(vm: &mut Vm, env: &QueueEnv, waiters: &Value) -> PyResult {
    loop {
        let waiter = match exact_deque(env, waiters) {
            Some(mut d) => match d.popleft() {
                Some(w) => w,
                None => break,
            },
            None => {
                if !vm.is_true(waiters)? {
                    break;
                }
                call_method(vm, waiters, "popleft", &[])?
            }
        };
        if set_waiter(vm, env, &waiter, Value::None)? {
            break;
        }
    }
    Ok(Value::None)
}

/// `self._wakeup_next(waiters)` through the instance.
fn wake_next(vm: &mut Vm, env: &QueueEnv, this: &Value, waiters: &Attr) -> PyResult {
    let w = iget(vm, this, waiters)?;
    let args = [w.clone()];
    call_queue_own(
        vm,
        env,
        this,
        &env.n.wakeup_next,
        &env.own.wakeup_next,
        &args,
        |vm| wakeup_next_of(vm, env, &w),
    )
}

/// `if self.full(): raise QueueFull` / `self._put(item)` / `self._unfinished_tasks += 1` /
/// `self._finished.clear()` / `self._wakeup_next(self._getters)`
fn put_nowait(vm: &mut Vm, env: &QueueEnv, a: Args) -> PyResult {
    let [this, item] = a.bind_def(vm, "Queue.put_nowait", ["self", "item"])?;
    let plain = plain_queue(vm, env, &this);
    if !(plain && put_plain(vm, env, &this, &item)?) {
        let is_full = call_queue_own(vm, env, &this, &env.n.full, &env.own.full, &[], |vm| {
            full_of(vm, env, &this)
        })?;
        if vm.is_true(&is_full)? {
            return Err(vm.new_exception(&env.queue_full, Vec::new()));
        }
        let args = [item.clone()];
        call_queue_own(vm, env, &this, &env.n.put, &env.own.put, &args, |vm| {
            put_of(vm, env, &this, item)
        })?;
    }
    let count = iget(vm, &this, &env.n.unfinished_tasks)?;
    let count = match count {
        Value::Int(c) if c < i64::MAX => Value::Int(c + 1),
        c => vm.binary_op(&c, &Value::Int(1), BinOp::Add)?,
    };
    iset(vm, &this, &env.n.unfinished_tasks, count)?;
    let finished = iget(vm, &this, &env.n.finished)?;
    let clear = || [(&env.n.clear, &env.own.event_clear)];
    if env.event_kept.kept(vm, &finished, clear) != 0 {
        iset(vm, &finished, &env.n.value, Value::bool(false))?;
    } else {
        call_method(vm, &finished, env.n.clear.as_str(), &[])?;
    }
    wake_next(vm, env, &this, &env.n.getters)?;
    Ok(Value::None)
}

/// `if self.full(): raise QueueFull` / `self._put(item)` for a queue that keeps its own
/// methods ([`plain_queue`]), holding an exact deque and an int `_maxsize`: the deque's
/// length compared and the item appended directly. `false`, having done nothing, for
/// anything else.
fn put_plain(vm: &mut Vm, env: &QueueEnv, this: &Value, item: &Value) -> PyResult<bool> {
    let Value::Int(m) = iget(vm, this, &env.n.maxsize)? else {
        return Ok(false);
    };
    let q = iget(vm, this, &env.n.queue)?;
    let Some(mut d) = exact_deque(env, &q) else {
        return Ok(false);
    };
    if m > 0 && d.len() as i64 >= m {
        drop(d);
        return Err(vm.new_exception(&env.queue_full, Vec::new()));
    }
    d.append(item.clone());
    Ok(true)
}

/// `if self.empty(): raise QueueEmpty` / `item = self._get()` for a queue that keeps its
/// own methods and holds an exact deque: the item popped directly. `None`, having done
/// nothing, for anything else.
fn get_plain(vm: &mut Vm, env: &QueueEnv, this: &Value) -> PyResult<Option<Value>> {
    let q = iget(vm, this, &env.n.queue)?;
    let Some(mut d) = exact_deque(env, &q) else {
        return Ok(None);
    };
    match d.popleft() {
        Some(item) => Ok(Some(item)),
        None => {
            drop(d);
            Err(vm.new_exception(&env.queue_empty, Vec::new()))
        }
    }
}

/// `if self.empty(): raise QueueEmpty` / `item = self._get()` /
/// `self._wakeup_next(self._putters)` / `return item`
fn get_nowait(vm: &mut Vm, env: &QueueEnv, a: Args) -> PyResult {
    let [this] = a.bind_def(vm, "Queue.get_nowait", ["self"])?;
    let popped = match plain_queue(vm, env, &this) {
        true => get_plain(vm, env, &this)?,
        false => None,
    };
    let item = match popped {
        Some(item) => item,
        None => {
            let is_empty =
                call_queue_own(vm, env, &this, &env.n.empty, &env.own.empty, &[], |vm| {
                    empty_of(vm, env, &this)
                })?;
            if vm.is_true(&is_empty)? {
                return Err(vm.new_exception(&env.queue_empty, Vec::new()));
            }
            call_queue_own(vm, env, &this, &env.n.get, &env.own.get, &[], |vm| {
                get_of(vm, env, &this)
            })?
        }
    };
    wake_next(vm, env, &this, &env.n.putters)?;
    Ok(item)
}

/// `Event.set`: `if not self._value:` / `self._value = True` / `for fut in self._waiters:`
/// / `if not fut.done():` / `fut.set_result(True)`
fn event_set(vm: &mut Vm, env: &QueueEnv, a: Args) -> PyResult {
    let [this] = a.bind_def(vm, "Event.set", ["self"])?;
    let value = iget(vm, &this, &env.n.value)?;
    if vm.is_true(&value)? {
        return Ok(Value::None);
    }
    iset(vm, &this, &env.n.value, Value::bool(true))?;
    let waiters = iget(vm, &this, &env.n.waiters)?;
    if let Some(mut it) = DequeWalk::new(env, &waiters) {
        while let Some(fut) = it.next(vm)? {
            set_waiter(vm, env, &fut, Value::bool(true))?;
        }
        return Ok(Value::None);
    }
    let it = vm.get_iter(&waiters)?;
    while let Some(fut) = vm.next(&it)? {
        set_waiter(vm, env, &fut, Value::bool(true))?;
    }
    Ok(Value::None)
}

/// `Event.clear`: `self._value = False`
fn event_clear(vm: &mut Vm, env: &QueueEnv, a: Args) -> PyResult {
    let [this] = a.bind_def(vm, "Event.clear", ["self"])?;
    iset(vm, &this, &env.n.value, Value::bool(false))?;
    Ok(Value::None)
}

/// `Lock.release`: `if self._locked:` / `self._locked = False` / `self._wake_up_first()` /
/// `else: raise RuntimeError('Lock is not acquired.')`
fn lock_release(vm: &mut Vm, env: &QueueEnv, a: Args) -> PyResult {
    let [this] = a.bind_def(vm, "Lock.release", ["self"])?;
    let locked = iget(vm, &this, &env.n.locked)?;
    if !vm.is_true(&locked)? {
        return Err(vm.new_runtime_error("Lock is not acquired."));
    }
    iset(vm, &this, &env.n.locked, Value::bool(false))?;
    call_own(
        vm,
        &this,
        &env.n.wake_up_first,
        &env.own.lock_wake_up_first,
        &[],
        |vm| wake_up_first_of(vm, env, &this),
    )?;
    Ok(Value::None)
}

/// `Lock._wake_up_first`: `if not self._waiters: return` / `fut = self._waiters[0]` /
/// `if not fut.done(): fut.set_result(True)`
fn lock_wake_up_first(vm: &mut Vm, env: &QueueEnv, a: Args) -> PyResult {
    let [this] = a.bind_def(vm, "Lock._wake_up_first", ["self"])?;
    wake_up_first_of(vm, env, &this)
}

fn wake_up_first_of(vm: &mut Vm, env: &QueueEnv, this: &Value) -> PyResult {
    let waiters = iget(vm, this, &env.n.waiters)?;
    let first = exact_deque(env, &waiters).map(|d| d.front());
    let fut = match first {
        Some(None) => return Ok(Value::None),
        Some(Some(fut)) => fut,
        None => {
            if !vm.is_true(&waiters)? {
                return Ok(Value::None);
            }
            vm.getitem(&waiters, &Value::Int(0))?
        }
    };
    set_waiter(vm, env, &fut, Value::bool(true))?;
    Ok(Value::None)
}

/// `_release_waiter(waiter, *args)`: `if not waiter.done(): waiter.set_result(None)`, the
/// callback of `wait_for`'s and `wait`'s timeouts and of `wait_for`'s inner future.
fn release_waiter(vm: &mut Vm, env: &QueueEnv, a: Args) -> PyResult {
    let Some(waiter) = a.pos.first() else {
        let msg = "_release_waiter() missing 1 required positional argument: 'waiter'";
        return Err(vm.new_type_error(msg));
    };
    if let Some((k, _)) = a.kw.first() {
        let msg = format!(
            "_release_waiter() got an unexpected keyword argument '{}'",
            k.as_str()
        );
        return Err(vm.new_type_error(msg));
    }
    set_waiter(vm, env, waiter, Value::None)?;
    Ok(Value::None)
}

/// `_all_cancelled(waiters)`: `all(w.cancelled() for w in waiters)`, the test `Lock.acquire`
/// makes before taking a free lock.
fn all_cancelled(vm: &mut Vm, env: &QueueEnv, a: Args) -> PyResult {
    let [waiters] = a.bind_def(vm, "_all_cancelled", ["waiters"])?;
    let is_cancelled = |vm: &mut Vm, w: &Value| waiter_cancelled(vm, env, w);
    if let Some(mut it) = DequeWalk::new(env, &waiters) {
        while let Some(w) = it.next(vm)? {
            if !is_cancelled(vm, &w)? {
                return Ok(Value::bool(false));
            }
        }
        return Ok(Value::bool(true));
    }
    let it = vm.get_iter(&waiters)?;
    while let Some(w) = vm.next(&it)? {
        if !is_cancelled(vm, &w)? {
            return Ok(Value::bool(false));
        }
    }
    Ok(Value::bool(true))
}
