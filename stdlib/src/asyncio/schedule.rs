//! `loop.call_at` and `loop.call_later`, native: the `TimerHandle` is built and pushed on
//! the timer heap (`timers.rs`) as `base_events.py` does, without the script frames of the
//! two methods and of `TimerHandle.__init__`/`Handle.__init__` (every `asyncio.sleep` with a
//! delay goes through them). A loop class that overrides `time` or `call_at` is called as
//! written.

use super::attr::{iget, iset, truthy, Attr, KeptMethods};
use super::layout::Layout;
use super::natives::{define_group, Op};
use super::timers;
use aio_vm::code::BinOp;
use aio_vm::module::call_method;
use aio_vm::native::Args;
use aio_vm::value::Bool;
use aio_vm::{Obj, PyResult, Value, Vm};

/// What the natives need from the prelude, handed over by `_c_schedule_init`.
struct ScheduleEnv {
    timer_handle: Obj,
    /// `BaseEventLoop.time` and `.call_at`: overrides are called instead.
    base_time: Value,
    base_call_at: Value,
    callback: Attr,
    args: Attr,
    loop_: Attr,
    cancelled: Attr,
    context: Attr,
    when: Attr,
    scheduled: Attr,
    closed: Attr,
    /// `_debug`: debug mode checks the callback (`_check_callback`), records where the
    /// handle was made and keeps the repr of a cancelled one.
    debug: Attr,
    source_traceback: Attr,
    repr: Attr,
    scheduled_heap: Attr,
    time: Attr,
    call_at: Attr,
    /// `Handle.cancel` and `BaseEventLoop._timer_handle_cancelled`, which
    /// `TimerHandle.cancel` runs natively while the classes keep them.
    handle_cls: Obj,
    base_handle_cancel: Value,
    base_timer_cancelled: Value,
    timer_handle_cancelled: Attr,
    timer_cancelled_count: Attr,
    cancel: Attr,
    /// The default contexts of timer handles.
    contexts: super::context::Contexts,
    /// Where a timer handle's [`cancel_fields`] are.
    cancel_layout: Layout<CANCEL_FIELDS>,
    /// Where the fields `TimerHandle.__init__` sets are.
    timer_layout: Layout<7>,
    /// Which of the loop's methods a loop keeps ([`loop_methods`]).
    loop_kept: KeptMethods,
}

/// Registers `_c_schedule_init(BaseEventLoop, TimerHandle, Handle)`, `_c_call_at`,
/// `_c_call_later` and `_c_timer_cancel` in the module globals `g`.
pub(super) fn define(vm: &mut Vm, g: &Obj) {
    let build = |vm: &mut Vm, a: &Args| {
        a.check_count(vm, "_c_schedule_init", 3, 3)?;
        let (Value::Obj(timer_handle), Value::Obj(handle_cls)) =
            (a.pos[1].clone(), a.pos[2].clone())
        else {
            return Err(vm.new_type_error("_c_schedule_init: TimerHandle and Handle expected"));
        };
        Ok(ScheduleEnv {
            timer_handle,
            base_time: aio_vm::module::getattr(vm, &a.pos[0], "time")?,
            base_call_at: aio_vm::module::getattr(vm, &a.pos[0], "call_at")?,
            callback: Attr::new(vm, "_callback"),
            args: Attr::new(vm, "_args"),
            loop_: Attr::new(vm, "_loop"),
            cancelled: Attr::new(vm, "_cancelled"),
            context: Attr::new(vm, "_context"),
            when: Attr::new(vm, "_when"),
            scheduled: Attr::new(vm, "_scheduled"),
            closed: Attr::new(vm, "_closed"),
            debug: Attr::new(vm, "_debug"),
            source_traceback: Attr::new(vm, "_source_traceback"),
            repr: Attr::new(vm, "_repr"),
            scheduled_heap: Attr::new(vm, "_scheduled"),
            time: Attr::new(vm, "time"),
            call_at: Attr::new(vm, "call_at"),
            base_handle_cancel: aio_vm::module::getattr(vm, &a.pos[2], "cancel")?,
            handle_cls,
            base_timer_cancelled: aio_vm::module::getattr(
                vm,
                &a.pos[0],
                "_timer_handle_cancelled",
            )?,
            timer_handle_cancelled: Attr::new(vm, "_timer_handle_cancelled"),
            timer_cancelled_count: Attr::new(vm, "_timer_cancelled_count"),
            cancel: Attr::new(vm, "cancel"),
            contexts: super::context::Contexts::new(vm)?,
            cancel_layout: Layout::new(),
            timer_layout: Layout::new(),
            loop_kept: KeptMethods::new(),
        })
    };
    let ops: [Op<ScheduleEnv>; 3] = [
        ("_c_call_at", "BaseEventLoop.call_at", call_at),
        ("_c_call_later", "BaseEventLoop.call_later", call_later),
        ("_c_timer_cancel", "TimerHandle.cancel", timer_cancel),
    ];
    define_group(vm, g, "_c_schedule_init", build, &ops);
}

/// [`loop_methods`] bits: the loop keeps `BaseEventLoop.time`, `call_at`,
/// `_timer_handle_cancelled`.
const KEEPS_TIME: u32 = 1;
const KEEPS_CALL_AT: u32 = 2;
const KEEPS_TIMER_HANDLE_CANCELLED: u32 = 4;

/// Which of the loop methods the natives here stand for `lp` keeps.
fn loop_methods(vm: &mut Vm, env: &ScheduleEnv, lp: &Value) -> u32 {
    env.loop_kept.kept(vm, lp, || {
        [
            (&env.time, &env.base_time),
            (&env.call_at, &env.base_call_at),
            (&env.timer_handle_cancelled, &env.base_timer_cancelled),
        ]
    })
}

/// The arguments both methods take: `(self, first, callback, *args, context=None)`, with
/// CPython's messages for missing ones and for any other keyword.
fn check_args(vm: &mut Vm, a: &Args, method: &str, first: &str) -> PyResult<()> {
    if let Some((k, _)) = a.kw.iter().find(|(k, _)| k.as_str() != "context") {
        return Err(vm.new_type_error(format!(
            "BaseEventLoop.{method}() got an unexpected keyword argument '{}'",
            k.as_str()
        )));
    }
    if a.pos.len() < 3 {
        let missing = if a.pos.len() == 2 {
            "1 required positional argument: 'callback'".to_string()
        } else {
            format!("2 required positional arguments: '{first}' and 'callback'")
        };
        return Err(vm.new_type_error(format!("BaseEventLoop.{method}() missing {missing}")));
    }
    Ok(())
}

/// `loop.call_later(delay, callback, *args, context=None)`.
fn call_later(vm: &mut Vm, env: &ScheduleEnv, a: Args) -> PyResult {
    check_args(vm, &a, "call_later", "delay")?;
    let (lp, delay) = (&a.pos[0], &a.pos[1]);
    if delay.is_none() {
        return Err(vm.new_type_error("delay must not be None"));
    }
    let kept = loop_methods(vm, env, lp);
    let now = if kept & KEEPS_TIME != 0 {
        Value::float(super::now())
    } else {
        call_method(vm, lp, "time", &[])?
    };
    let when = vm.binary_op(&now, delay, BinOp::Add)?;
    let context = a.kwarg("context").cloned().unwrap_or(Value::None);
    if kept & KEEPS_CALL_AT != 0 {
        return schedule(vm, env, lp, when, &a.pos[2..], context);
    }
    let mut args = vec![when];
    args.extend(a.pos[2..].iter().cloned());
    let m = aio_vm::module::getattr(vm, lp, "call_at")?;
    let kw = vm.intern("context");
    vm.call(&m, &args, &[(kw, context)])
}

/// `loop.call_at(when, callback, *args, context=None)`.
fn call_at(vm: &mut Vm, env: &ScheduleEnv, a: Args) -> PyResult {
    check_args(vm, &a, "call_at", "when")?;
    if a.pos[1].is_none() {
        return Err(vm.new_type_error("when cannot be None"));
    }
    let context = a.kwarg("context").cloned().unwrap_or(Value::None);
    schedule(vm, env, &a.pos[0], a.pos[1].clone(), &a.pos[2..], context)
}

/// `_check_closed()`, `TimerHandle(when, callback, args, loop, context)`, pushed on the
/// heap and flagged `_scheduled` (the body of `call_at`). `rest`: callback and arguments.
fn schedule(
    vm: &mut Vm,
    env: &ScheduleEnv,
    lp: &Value,
    when: Value,
    rest: &[Value],
    context: Value,
) -> PyResult {
    let closed = iget(vm, lp, &env.closed)?;
    if vm.is_true(&closed)? {
        return Err(vm.new_runtime_error("Event loop is closed"));
    }
    let debug = truthy(vm, lp, &env.debug)?;
    if debug {
        let callback = rest.first().cloned().unwrap_or(Value::None);
        call_method(
            vm,
            lp,
            "_check_callback",
            &[callback, Value::str("call_at")],
        )?;
    }
    let context = env.contexts.or_copy(vm, context)?;
    let args = vm.new_tuple(rest[1..].to_vec());
    let names = [
        &env.callback,
        &env.args,
        &env.loop_,
        &env.cancelled,
        &env.context,
        &env.when,
        &env.scheduled,
    ];
    let values = [
        rest[0].clone(),
        args,
        lp.clone(),
        Value::Bool(Bool::FALSE),
        context,
        when,
        Value::Bool(Bool::FALSE),
    ];
    let timer = env
        .timer_layout
        .instance(vm, &env.timer_handle, names, values)?;
    if debug {
        let site = super::creation_site_value(vm);
        iset(vm, &timer, &env.source_traceback, site)?;
    }
    let heap = iget(vm, lp, &env.scheduled_heap)?;
    let Value::Obj(heap) = heap else {
        return Err(vm.new_type_error("heap argument must be a list"));
    };
    timers::heappush(vm, &env.when, &heap, timer.clone())?;
    iset(vm, &timer, &env.scheduled, Value::Bool(Bool::TRUE))?;
    Ok(timer)
}

/// `TimerHandle.cancel(self)`: `if not self._cancelled:
/// self._loop._timer_handle_cancelled(self)`, then `super().cancel()` (`Handle.cancel`,
/// the next class of every `TimerHandle`'s MRO). Both calls run natively while the loop's
/// class and `Handle` keep the prelude's methods (every `asyncio.sleep` with a delay
/// cancels its timer this way).
fn timer_cancel(vm: &mut Vm, env: &ScheduleEnv, a: Args) -> PyResult {
    a.check_count(vm, "cancel", 1, 1)?;
    let handle = &a.pos[0];
    if let Value::Obj(o) = handle {
        if timer_cancel_fields(vm, env, o)? {
            return Ok(Value::None);
        }
    }
    if !truthy(vm, handle, &env.cancelled)? {
        let lp = iget(vm, handle, &env.loop_)?;
        if loop_methods(vm, env, &lp) & KEEPS_TIMER_HANDLE_CANCELLED != 0 {
            // `if handle._scheduled: self._timer_cancelled_count += 1`
            let scheduled = iget(vm, handle, &env.scheduled)?;
            if vm.is_true(&scheduled)? {
                count_cancelled(vm, env, &lp)?;
            }
        } else {
            call_method(
                vm,
                &lp,
                "_timer_handle_cancelled",
                std::slice::from_ref(handle),
            )?;
        }
    }
    let cancel = vm.lookup(&env.handle_cls, &env.cancel);
    match cancel {
        Some(c) if c.id() == env.base_handle_cancel.id() => {
            // `Handle.cancel`.
            if !truthy(vm, handle, &env.cancelled)? {
                iset(vm, handle, &env.cancelled, Value::Bool(Bool::TRUE))?;
                let lp = iget(vm, handle, &env.loop_)?;
                if truthy(vm, &lp, &env.debug)? {
                    // Debug mode keeps the repr, callback and all, for later reports.
                    let kept = vm.repr(handle)?;
                    iset(vm, handle, &env.repr, Value::Str(kept))?;
                }
                iset(vm, handle, &env.callback, Value::None)?;
                iset(vm, handle, &env.args, Value::None)?;
            }
            Ok(Value::None)
        }
        Some(c) => vm.call(&c, std::slice::from_ref(handle), &[]),
        None => Err(vm.new_attribute_error("'super' object has no attribute 'cancel'")),
    }
}

/// The handle fields [`timer_cancel_fields`] reads and writes.
const CANCEL_FIELDS: usize = 5;

fn cancel_fields(env: &ScheduleEnv) -> [&Attr; CANCEL_FIELDS] {
    [
        &env.cancelled,
        &env.loop_,
        &env.scheduled,
        &env.callback,
        &env.args,
    ]
}

/// [`timer_cancel`] for a handle whose class keeps [`cancel_fields`] in slots and whose
/// `_cancelled` is a bool, when the loop keeps `_timer_handle_cancelled`, `Handle` keeps
/// `cancel` and the loop is not in debug mode: the handle's fields are read and written
/// under one borrow. `false`, having done nothing, otherwise.
fn timer_cancel_fields(vm: &mut Vm, env: &ScheduleEnv, o: &Obj) -> PyResult<bool> {
    let lp = {
        let Some((vals, [c, l, s, ..])) = env.cancel_layout.fields(vm, o, cancel_fields(env))
        else {
            return Ok(false);
        };
        match (&vals[c as usize], &vals[l as usize], &vals[s as usize]) {
            (Some(Value::Bool(_)), Some(lp), Some(Value::Bool(_))) => lp.clone(),
            _ => return Ok(false),
        }
    };
    let plain = loop_methods(vm, env, &lp) & KEEPS_TIMER_HANDLE_CANCELLED != 0
        && vm
            .lookup(&env.handle_cls, &env.cancel)
            .is_some_and(|c| c.id() == env.base_handle_cancel.id())
        && matches!(iget(vm, &lp, &env.debug)?, Value::Bool(d) if !d.get());
    if !plain {
        return Ok(false);
    }
    let Some((mut vals, [c, _, s, cb, args])) = env.cancel_layout.fields(vm, o, cancel_fields(env))
    else {
        return Ok(false);
    };
    if matches!(vals[c as usize], Some(Value::Bool(b)) if b.get()) {
        return Ok(true);
    }
    // `self._loop._timer_handle_cancelled(self)`, then `Handle.cancel`.
    let scheduled = matches!(vals[s as usize], Some(Value::Bool(b)) if b.get());
    vals[c as usize] = Some(Value::Bool(Bool::TRUE));
    let old = [
        vals[cb as usize].replace(Value::None),
        vals[args as usize].replace(Value::None),
    ];
    drop(vals);
    drop(old);
    if scheduled {
        count_cancelled(vm, env, &lp)?;
    }
    Ok(true)
}

/// `self._timer_cancelled_count += 1` on the loop `lp`.
fn count_cancelled(vm: &mut Vm, env: &ScheduleEnv, lp: &Value) -> PyResult<()> {
    let count = iget(vm, lp, &env.timer_cancelled_count)?;
    let count = match count {
        Value::Int(c) if c < i64::MAX => Value::Int(c + 1),
        c => vm.binary_op(&c, &Value::Int(1), BinOp::Add)?,
    };
    iset(vm, lp, &env.timer_cancelled_count, count)
}
