//! One iteration of the event loop, native: `BaseEventLoop._run_once` (rule E-1). It follows
//! CPython's `base_events.py` step by step — purge cancelled timers, poll for I/O until the
//! next deadline, move expired timers to the ready queue in heap order, then run exactly
//! the handles that were ready when the step began — so the interleaving is unchanged; what
//! it saves is the script frames of the loop body and of `Handle._run` for every callback.
//!
//! The rare branches stay script methods of the loop (`_purge_timers`, `_deadlock`,
//! `_collect_jobs`, `_run_handle_debug`) and of the handle (`_report`); a handle class
//! or loop class that overrides `_run` or `time` is called as written.

use super::attr::{iget, iset, keeps_method, truthy, Attr};
use super::natives::{define_group, Op, Shared};
use super::step::StepEnv;
use super::{poll_ready, sigint, timers};
use aio_vm::code::BinOp;
use aio_vm::module::call_method;
use aio_vm::native::Args;
use aio_vm::object::{Payload, TracebackEntry};
use aio_vm::value::Bool;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;
use std::rc::Rc;

/// `_MIN_SCHEDULED_TIMER_HANDLES` of `base_events.py`.
const MIN_SCHEDULED_TIMER_HANDLES: usize = 100;
/// `_MIN_CANCELLED_TIMER_HANDLES_FRACTION`.
const MIN_CANCELLED_TIMER_HANDLES_FRACTION: f64 = 0.5;
/// `MAXIMUM_SELECT_TIMEOUT`: one day.
const MAXIMUM_SELECT_TIMEOUT: f64 = 24.0 * 3600.0;
/// `time.get_clock_info('monotonic').resolution` on Linux.
const CLOCK_RESOLUTION: f64 = 1e-09;

/// What the iteration needs from the prelude, handed over by `_c_run_once_init`.
struct LoopEnv {
    /// `BaseEventLoop.time`: a loop whose class keeps it reads the clock directly.
    base_time: Value,
    /// `Handle._run`: a handle whose class keeps it is run here.
    base_run: Value,
    /// Where `Handle._run` calls the callback, added to the traceback of the callback's
    /// exception (CPython's `Handle._run` frame).
    run_site: Option<TracebackEntry>,
    /// The `handle._run()` line of the prelude's `_run_once` stand-in, added to the
    /// traceback of an exception that leaves the iteration from a handle (CPython's
    /// `_run_once` frame).
    once_site: Option<TracebackEntry>,
    /// The task natives' state: bare tasks in handles are stepped and woken directly.
    steps: Shared<StepEnv>,
    /// The `_ready` list an iteration emptied, when nothing else holds it: the next
    /// iteration's fresh `_ready` (one list object less made per iteration).
    spare: std::cell::Cell<Option<Value>>,
    n: Names,
}

/// Interned attribute names.
struct Names {
    scheduled: Attr,
    timer_cancelled_count: Attr,
    cancelled: Attr,
    scheduled_flag: Attr,
    ready: Attr,
    stopping: Attr,
    host_step: Attr,
    host_wait: Attr,
    when: Attr,
    time: Attr,
    sigint_handler: Attr,
    readers: Attr,
    writers: Attr,
    jobs: Attr,
    debug: Attr,
    run: Attr,
    callback: Attr,
    args: Attr,
    context: Attr,
}

impl Names {
    fn new(vm: &mut Vm) -> Names {
        Names {
            scheduled: Attr::new(vm, "_scheduled"),
            timer_cancelled_count: Attr::new(vm, "_timer_cancelled_count"),
            cancelled: Attr::new(vm, "_cancelled"),
            scheduled_flag: Attr::new(vm, "_scheduled"),
            ready: Attr::new(vm, "_ready"),
            stopping: Attr::new(vm, "_stopping"),
            host_step: Attr::new(vm, "_host_step"),
            host_wait: Attr::new(vm, "_host_wait"),
            when: Attr::new(vm, "_when"),
            time: Attr::new(vm, "time"),
            sigint_handler: Attr::new(vm, "_sigint_handler"),
            readers: Attr::new(vm, "_readers"),
            writers: Attr::new(vm, "_writers"),
            jobs: Attr::new(vm, "_jobs"),
            debug: Attr::new(vm, "_debug"),
            run: Attr::new(vm, "_run"),
            callback: Attr::new(vm, "_callback"),
            args: Attr::new(vm, "_args"),
            context: Attr::new(vm, "_context"),
        }
    }
}

/// Registers `_c_run_once_init(BaseEventLoop, Handle, run_once_stand_in)` and `_c_run_once(loop)` in the module
/// globals `g`.
pub(super) fn define(vm: &mut Vm, g: &Obj, steps: Shared<StepEnv>) {
    let build = move |vm: &mut Vm, a: &Args| {
        a.check_count(vm, "_c_run_once_init", 3, 3)?;
        let base_run = aio_vm::module::getattr(vm, &a.pos[1], "_run")?;
        Ok(LoopEnv {
            base_time: aio_vm::module::getattr(vm, &a.pos[0], "time")?,
            run_site: call_site(&base_run, "self._context.run("),
            once_site: call_site(&a.pos[2], "handle._run()"),
            base_run,
            steps: steps.clone(),
            spare: std::cell::Cell::new(None),
            n: Names::new(vm),
        })
    };
    let ops: [Op<LoopEnv>; 2] = [
        ("_c_run_once", "BaseEventLoop._run_once", run_once_native),
        ("_c_drop_last_tb", "asyncio._drop_last_tb", drop_last_tb),
    ];
    define_group(vm, g, "_c_run_once_init", build, &ops);
}

/// The instruction of function `f` with the widest span on the first line holding
/// `text`: where a traceback shows that line as CPython shows it (no carets under a call
/// that is the whole line).
fn call_site(f: &Value, text: &str) -> Option<TracebackEntry> {
    let Some(Payload::Function(func)) = f.payload() else {
        return None;
    };
    let code = func.code.clone();
    let (src, lines) = (&code.source, code.source.lines());
    let line = code
        .spans
        .iter()
        .map(|s| lines.line(s.start))
        .find(|&l| lines.line_text(&src.text, l).contains(text))?;
    let ip = (0..code.spans.len())
        .filter(|&ip| lines.line(code.spans[ip].start) == line)
        .max_by_key(|&ip| code.spans[ip].end - code.spans[ip].start)?;
    Some(TracebackEntry {
        code,
        ip: ip as u32,
    })
}

/// `e` as it leaves `Handle._run`: with that method's line in its traceback.
#[cold]
fn left_run(env: &LoopEnv, e: &Obj) {
    push_site(&env.run_site, e);
}

/// Adds `site` (a stand-in frame's line) to the traceback of `e`.
fn push_site(site: &Option<TracebackEntry>, e: &Obj) {
    if let (Some(site), Payload::Exception(d)) = (site, &e.payload) {
        d.borrow_mut().traceback.push(site.clone());
    }
}

/// `_drop_last_tb(exc)`: takes the outermost entry off the traceback of `exc` (the one
/// `Handle._report_handled` added by raising it again).
fn drop_last_tb(vm: &mut Vm, _env: &LoopEnv, a: Args) -> PyResult {
    a.check_count(vm, "_drop_last_tb", 1, 1)?;
    if let Some(Payload::Exception(d)) = a.pos[0].payload() {
        d.borrow_mut().traceback.pop();
    }
    Ok(Value::None)
}

/// `BaseEventLoop._run_once(self)`.
fn run_once_native(vm: &mut Vm, env: &LoopEnv, a: Args) -> PyResult {
    a.check_count(vm, "_run_once", 1, 1)?;
    run_once(vm, env, &a.pos[0])
}

/// The list object behind a value (the loop's `_ready` and `_scheduled` are lists).
fn list_items(v: &Value) -> Option<&RefCell<Vec<Value>>> {
    match v.payload() {
        Some(Payload::List(l)) => Some(l),
        _ => None,
    }
}

fn list_len(vm: &mut Vm, v: &Value) -> PyResult<usize> {
    match list_items(v) {
        Some(l) => Ok(l.borrow().len()),
        None => vm.len(v),
    }
}

/// `list[0]`.
fn first(v: &Value) -> Option<Value> {
    list_items(v).and_then(|l| l.borrow().first().cloned())
}

/// `list.append(item)`.
fn append(vm: &mut Vm, list: &Value, item: Value) -> PyResult<()> {
    match list_items(list) {
        Some(l) => l.borrow_mut().push(item),
        None => {
            call_method(vm, list, "append", &[item])?;
        }
    }
    Ok(())
}

/// `loop.time()`.
fn loop_time(vm: &mut Vm, env: &LoopEnv, event_loop: &Value) -> PyResult<f64> {
    let t = if keeps_method(vm, event_loop, &env.n.time, &env.base_time) {
        Value::float(super::now())
    } else {
        call_method(vm, event_loop, "time", &[])?
    };
    number(vm, &t)
}

fn number(vm: &mut Vm, v: &Value) -> PyResult<f64> {
    match v {
        Value::Float(f) => Ok(f.get()),
        Value::Int(i) => Ok(*i as f64),
        other => {
            Err(vm.new_type_error(format!("must be real number, not {}", vm.type_name(other))))
        }
    }
}

/// `_timer_heappop(loop._scheduled)`, then `handle._scheduled = False`.
fn pop_timer(vm: &mut Vm, env: &LoopEnv, scheduled: &Value) -> PyResult<Value> {
    let Value::Obj(heap) = scheduled else {
        return Err(vm.new_type_error("heap argument must be a list"));
    };
    let handle = timers::heappop(vm, &env.n.when, heap)?;
    iset(vm, &handle, &env.n.scheduled_flag, Value::Bool(Bool::FALSE))?;
    Ok(handle)
}

/// `BaseEventLoop._run_once()`: returns `False` when a host-stepped loop found nothing that
/// could ever wake it, `None` otherwise.
fn run_once(vm: &mut Vm, env: &LoopEnv, lp: &Value) -> PyResult {
    let n = &env.n;
    // E-1 step 1: purge cancelled timers.
    let scheduled = iget(vm, lp, &n.scheduled)?;
    let sched_count = list_len(vm, &scheduled)?;
    let cancelled = iget(vm, lp, &n.timer_cancelled_count)?;
    let cancelled = number(vm, &cancelled)?;
    if sched_count > MIN_SCHEDULED_TIMER_HANDLES
        && cancelled / sched_count as f64 > MIN_CANCELLED_TIMER_HANDLES_FRACTION
    {
        call_method(vm, lp, "_purge_timers", &[])?;
    } else {
        while let Some(head) = first(&scheduled) {
            if !truthy(vm, &head, &n.cancelled)? {
                break;
            }
            let count = iget(vm, lp, &n.timer_cancelled_count)?;
            let count = vm.binary_op(&count, &Value::Int(1), BinOp::Sub)?;
            iset(vm, lp, &n.timer_cancelled_count, count)?;
            pop_timer(vm, env, &scheduled)?;
        }
    }
    // Step 2: the timeout.
    let scheduled = iget(vm, lp, &n.scheduled)?;
    let ready = iget(vm, lp, &n.ready)?;
    let timeout = if list_len(vm, &ready)? > 0
        || truthy(vm, lp, &n.stopping)?
        || truthy(vm, lp, &n.host_step)?
    {
        Some(0.0)
    } else if let Some(head) = first(&scheduled) {
        let when = iget(vm, &head, &n.when)?;
        let when = number(vm, &when)?;
        let now = loop_time(vm, env, lp)?;
        // `min(max(0, when - now), MAXIMUM_SELECT_TIMEOUT)`; a NaN deadline polls at once.
        let wait = when - now;
        Some(if wait > 0.0 {
            wait.min(MAXIMUM_SELECT_TIMEOUT)
        } else {
            0.0
        })
    } else {
        None
    };
    // Green threads (`threading`) take their turns when the loop would wait (or has run for
    // a switch interval), and a sleeping thread's wake-up bounds the wait.
    let mut timeout = timeout;
    if vm.thread_count() > 0 && (timeout != Some(0.0) || vm.thread_turns_due()) {
        vm.run_thread_turns()?;
        if list_len(vm, &ready)? > 0 {
            timeout = Some(0.0);
        } else if let Some(due) = vm.next_thread_deadline() {
            let left = due
                .saturating_duration_since(std::time::Instant::now())
                .as_secs_f64();
            timeout = Some(timeout.map_or(left, |t| t.min(left)));
        }
    }
    // Step 5 reuses the ready list it empties when nothing else holds it.
    drop(ready);
    // Step 3: poll I/O (the only place the loop blocks); ready sockets' callbacks join the
    // ready queue.
    let events = poll_ready(vm, timeout)?;
    if sigint::take_pending() {
        let handler = iget(vm, lp, &n.sigint_handler)?;
        if !handler.is_none() {
            vm.call(&handler, &[], &[])?;
        }
    }
    let Some(events) = events else {
        if truthy(vm, lp, &n.host_wait)? {
            return Ok(Value::Bool(Bool::FALSE));
        }
        call_method(vm, lp, "_deadlock", &[])?;
        return Ok(Value::None);
    };
    if !events.is_empty() {
        let readers = iget(vm, lp, &n.readers)?;
        let writers = iget(vm, lp, &n.writers)?;
        for (fd, readable, writable) in events {
            for (on, table) in [(readable, &readers), (writable, &writers)] {
                let Value::Obj(table) = table else { continue };
                if on {
                    if let Some(cb) = vm.dict_lookup(table, &Value::Int(fd as i64))? {
                        let ready = iget(vm, lp, &n.ready)?;
                        append(vm, &ready, cb)?;
                    }
                }
            }
        }
    }
    // Results posted by other threads, delivered by ready callbacks.
    if truthy(vm, lp, &n.jobs)? {
        call_method(vm, lp, "_collect_jobs", &[])?;
    }
    // Step 4: expired timers, in heap order.
    let scheduled = iget(vm, lp, &n.scheduled)?;
    if first(&scheduled).is_some() {
        let end_time = loop_time(vm, env, lp)? + CLOCK_RESOLUTION;
        while let Some(head) = first(&scheduled) {
            let when = iget(vm, &head, &n.when)?;
            if number(vm, &when)? >= end_time {
                break;
            }
            let handle = pop_timer(vm, env, &scheduled)?;
            let ready = iget(vm, lp, &n.ready)?;
            append(vm, &ready, handle)?;
        }
    }
    // Step 5: run exactly the handles ready now; new ones wait for the next iteration.
    let ready = iget(vm, lp, &n.ready)?;
    let fresh = match env.spare.take() {
        Some(list) => list,
        None => vm.new_list(Vec::new()),
    };
    iset(vm, lp, &n.ready, fresh)?;
    let handles: Vec<Value> = match list_items(&ready) {
        Some(l) => std::mem::take(&mut *l.borrow_mut()),
        None => vm.collect(&ready)?,
    };
    if let Value::Obj(o) = &ready {
        if Rc::strong_count(o) == 1 && o.class_raw().is_some_and(|c| Rc::ptr_eq(c, &vm.types.list))
        {
            env.spare.set(Some(ready));
        }
    }
    let debug = truthy(vm, lp, &n.debug)?;
    let steps = super::natives::ready(vm, &env.steps, super::step::INIT)?;
    let mut handles = handles.into_iter();
    // Each handle is released once it ran, as CPython's popleft() does: a task dropped by
    // a later callback of this iteration dies there (F-8).
    while let Some(entry) = handles.next() {
        let bare = super::step::is_bare_entry(vm, &steps, &entry);
        let r = if bare && !debug {
            run_bare_entry(vm, env, &steps, entry)
        } else if bare {
            super::step::entry_handle(vm, &steps, &entry)
                .and_then(|h| call_method(vm, lp, "_run_handle_debug", &[h]).map(drop))
        } else if truthy(vm, &entry, &n.cancelled)? {
            continue;
        } else if debug {
            call_method(vm, lp, "_run_handle_debug", &[entry]).map(drop)
        } else {
            run_handle(vm, env, entry)
        };
        if let Err(e) = r {
            // `self._ready[0:0] = rest`: the handles not run yet go first next time.
            let rest: Vec<Value> = handles.collect();
            let ready = iget(vm, lp, &n.ready)?;
            match list_items(&ready) {
                Some(l) => {
                    l.borrow_mut().splice(0..0, rest);
                }
                None => {
                    for h in rest.into_iter().rev() {
                        call_method(vm, &ready, "insert", &[Value::Int(0), h])?;
                    }
                }
            }
            push_site(&env.once_site, &e);
            return Err(e);
        }
        // What died in the handle is finalized now, as CPython's reference counting does
        // inside `Handle._run` (a coroutine never awaited warns at that line, X-20).
        if aio_vm::finalize::finalizers_pending() {
            finalize_after_handle(vm, env);
        }
    }
    Ok(Value::None)
}

/// The finalizers of what a handle dropped, run as from `Handle._run`'s line.
#[cold]
#[inline(never)]
fn finalize_after_handle(vm: &mut Vm, env: &LoopEnv) {
    match &env.run_site {
        Some(site) => vm.run_finalizers_at(site),
        None => vm.run_finalizers(),
    }
}

/// A task queued bare in `loop._ready` (see `step::queue_bare`): stepped or woken
/// directly, or run through the handle CPython would have queued when its context's class
/// overrides `run`, and an error reported as that handle's.
fn run_bare_entry(vm: &mut Vm, env: &LoopEnv, steps: &StepEnv, task: Value) -> PyResult<()> {
    let r = match super::step::run_entry(vm, steps, &task) {
        Some(r) => r,
        None => {
            let handle = super::step::entry_handle(vm, steps, &task)?;
            return run_handle(vm, env, handle);
        }
    };
    match r {
        Ok(()) => Ok(()),
        Err(e) if is_fatal(vm, &e) => {
            left_run(env, &e);
            Err(e)
        }
        Err(e) => {
            left_run(env, &e);
            let handle = super::step::entry_handle(vm, steps, &task)?;
            call_method(vm, &handle, "_report_handled", &[Value::Obj(e)])?;
            Ok(())
        }
    }
}

/// `SystemExit` and `KeyboardInterrupt`, which a callback's failure passes on rather than
/// reports.
fn is_fatal(vm: &Vm, e: &Obj) -> bool {
    vm.is_instance_of(e, &vm.exc.system_exit.clone())
        || vm.is_instance_of(e, &vm.exc.keyboard_interrupt.clone())
}

/// `handle._run()`: the callback with its arguments; an exception other than `SystemExit`
/// and `KeyboardInterrupt` goes to `handle._report(exc)` (the loop's exception handler), through `_report_handled`.
fn run_handle(vm: &mut Vm, env: &LoopEnv, handle: Value) -> PyResult<()> {
    let n = &env.n;
    if !keeps_method(vm, &handle, &n.run, &env.base_run) {
        call_method(vm, &handle, "_run", &[])?;
        return Ok(());
    }
    let callback = iget(vm, &handle, &n.callback)?;
    let args = iget(vm, &handle, &n.args)?;
    let context = iget(vm, &handle, &n.context)?;
    let steps = super::natives::ready(vm, &env.steps, super::step::INIT)?;
    // `callback(*args)` called (through `context.run` unless `context` is `None`), a bare
    // task as its bound step or wake-up.
    let called = |vm: &mut Vm, context: Value| {
        super::step::bound_callback(vm, &steps, callback.clone(), &args)
            .and_then(|callback| call_handle(vm, callback, &args, context))
    };
    // `callback(*args)`: a bare task stepped or woken directly, anything else called.
    let call = |vm: &mut Vm| match super::step::run_bare(vm, &steps, &callback, &args) {
        Some(r) => r.map(|()| Value::None),
        None => called(vm, Value::None),
    };
    let r = if context.is_none() {
        call(vm)
    } else {
        // `self._context.run(self._callback, *self._args)`, natively when it can be.
        match steps.contexts().run(vm, &context, call) {
            Some(r) => r,
            None => called(vm, context),
        }
    };
    match r {
        Ok(_) => {
            super::step::recycle_handle(&steps, handle);
            Ok(())
        }
        Err(e) => {
            left_run(env, &e);
            if is_fatal(vm, &e) {
                return Err(e);
            }
            call_method(vm, &handle, "_report_handled", &[Value::Obj(e)])?;
            Ok(())
        }
    }
}

/// `callback(*args)`, in `context` unless it is `None`.
fn call_handle(vm: &mut Vm, callback: Value, args: &Value, context: Value) -> PyResult {
    let mut items = match args.payload() {
        Some(Payload::Tuple(items)) => items.to_vec(),
        _ => vm.collect(args)?,
    };
    if context.is_none() {
        vm.call(&callback, &items, &[])
    } else {
        // `self._context.run(self._callback, *self._args)`.
        items.insert(0, callback);
        call_method(vm, &context, "run", &items)
    }
}
