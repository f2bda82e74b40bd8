//! Async generators: `async def` bodies with `yield`. A value yielded by the body is
//! wrapped so that the awaitables returned by `asend`/`athrow`/`__anext__` can tell it
//! from a value an inner `await` passes up to the event loop.

use super::def_method;
use crate::frame::Frame;
use crate::gen::GenResult;
use crate::native::Args;
use crate::object::{GenState, Object, Payload};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

pub(super) fn install(vm: &mut Vm) {
    let ag = vm.types.async_generator.clone();
    def_method(vm, &ag, "__aiter__", aiter);
    def_method(vm, &ag, "__anext__", anext);
    def_method(vm, &ag, "asend", asend);
    def_method(vm, &ag, "athrow", athrow);
    def_method(vm, &ag, "aclose", aclose);
    for s in [
        vm.types.async_gen_asend.clone(),
        vm.types.async_gen_athrow.clone(),
    ] {
        def_method(vm, &s, "send", op_send);
        def_method(vm, &s, "throw", op_throw);
        def_method(vm, &s, "close", op_close);
        def_method(vm, &s, "__next__", op_next);
        def_method(vm, &s, "__iter__", op_self);
        def_method(vm, &s, "__await__", op_self);
    }
    let w = vm.types.anext_awaitable.clone();
    def_method(vm, &w, "send", anext_send);
    def_method(vm, &w, "throw", anext_throw);
    def_method(vm, &w, "close", anext_close);
    def_method(vm, &w, "__next__", anext_next);
    def_method(vm, &w, "__iter__", op_self);
    def_method(vm, &w, "__await__", op_self);
}

/// Notes that the async generator running frame `f` suspends at a `yield` of a value
/// (see [`Generator::mark_value_yielded`](crate::object::Generator::mark_value_yielded)).
pub(crate) fn mark_value_yield(f: &Frame) {
    if let Some(Payload::Generator(g)) = f.generator.as_ref().map(|g| &g.payload) {
        g.mark_value_yielded();
    }
}

/// Whether async generator `agen`'s last suspension was a `yield` of a value; clears it.
fn take_value_yield(agen: &Obj) -> bool {
    match &agen.payload {
        Payload::Generator(g) => g.take_value_yielded(),
        _ => false,
    }
}

/// The state of an `asend`/`athrow`/`aclose` awaitable (hashable by identity, as
/// `gather` needs).
struct Op {
    agen: Obj,
    send: Value,
    throw: Value,
    started: bool,
    close: bool,
    /// The operation finished (returned, raised or was closed): CPython's
    /// `AWAITABLE_STATE_CLOSED`, after which the awaitable cannot be used again.
    done: bool,
}

fn new_op(vm: &mut Vm, agen: &Value, send: Value, throw: Value, close: bool) -> PyResult {
    let Some(agen) = agen.as_obj().cloned() else {
        return Err(vm.new_type_error("an async generator is required"));
    };
    // `asend`/`__anext__` make `async_generator_asend`, `athrow`/`aclose`
    // `async_generator_athrow`, as in CPython (`install` gives both the same methods).
    let cls = if throw.is_none() {
        vm.types.async_gen_asend.clone()
    } else {
        vm.types.async_gen_athrow.clone()
    };
    let op = Op {
        agen,
        send,
        throw,
        started: false,
        close,
        done: false,
    };
    Ok(op_object(cls, op))
}

/// An awaitable of class `cls` (`async_generator_asend`/`_athrow`) with state `op`.
fn op_object(cls: Obj, op: Op) -> Value {
    Value::Obj(Rc::new(Object::new(
        cls,
        Payload::Host(Box::new(std::cell::RefCell::new(op))),
    )))
}

fn aiter(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(a.pos[0].clone())
}

/// The asyncgen hooks, applied on an async generator's first `__anext__`/`asend`/
/// `athrow`/`aclose` as CPython does: it keeps the current `finalizer` and is passed to
/// `firstiter` (asyncio's loop records it for `shutdown_asyncgens`).
pub(crate) fn init_hooks(vm: &mut Vm, agen: &Value) -> PyResult<()> {
    let Some(Payload::Generator(g)) = agen.payload() else {
        return Ok(());
    };
    if g.mark_hooks_inited() {
        return Ok(());
    }
    let (firstiter, finalizer) = vm.asyncgen_hooks.clone();
    if !finalizer.is_none() {
        g.change_extra(|e| e.finalizer = Some(finalizer));
    }
    if !firstiter.is_none() {
        vm.call(&firstiter, std::slice::from_ref(agen), &[])?;
    }
    Ok(())
}

/// `agen.__anext__()` when `v` is an async generator; `None` for other objects.
pub(crate) fn anext_of(vm: &mut Vm, v: &Value) -> Option<PyResult> {
    let is_agen = matches!(v.payload(), Some(Payload::Generator(g)) if g.kind == crate::object::GenKind::AsyncGenerator);
    if !is_agen {
        return None;
    }
    Some(new_anext(vm, v))
}

/// `__anext__` of async generator `agen`: the hooks on its first use, then its `asend(None)`
/// awaitable.
fn new_anext(vm: &mut Vm, agen: &Value) -> PyResult {
    init_hooks(vm, agen)?;
    new_op(vm, agen, Value::None, Value::None, false)
}

fn anext(vm: &mut Vm, a: Args) -> PyResult {
    new_anext(vm, &a.pos[0])
}

fn asend(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "asend", 1, 1)?;
    init_hooks(vm, &a.pos[0])?;
    new_op(vm, &a.pos[0], a.pos[1].clone(), Value::None, false)
}

fn athrow(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "athrow", 1, 3)?;
    let mut exc = a.pos[1].clone();
    if let (Value::Obj(c), Some(v)) = (&exc, a.get(2)) {
        if matches!(c.payload, Payload::Type(_)) && !v.is_none() {
            exc = super::generator::throw_value(vm, c, v)?;
        }
    }
    init_hooks(vm, &a.pos[0])?;
    new_op(vm, &a.pos[0], Value::None, exc, false)
}

fn aclose(vm: &mut Vm, a: Args) -> PyResult {
    init_hooks(vm, &a.pos[0])?;
    let exit = vm.new_exception(&vm.exc.generator_exit.clone(), vec![]);
    new_op(vm, &a.pos[0], Value::None, Value::Obj(exit), true)
}

/// Whether `async for` over `it` may step an async generator without its `__anext__`
/// awaitable ([`Delivery::AsyncFor`](crate::frame::Delivery::AsyncFor)).
pub(crate) enum AsyncForStart {
    /// Yes: the body's frame of the generator `it`, entered with `None` sent and the
    /// generator marked running (`ag_running`), as an `asend` marks it when the loop's
    /// `await` first sends into it.
    Run(Box<Frame>),
    /// Not before its asyncgen hooks are applied ([`init_hooks`]); ask again after.
    Hooks,
    /// No: not an async generator, finished, or another operation of it is in progress
    /// (the awaitable's path raises what CPython raises).
    No,
}

/// One step of `async for` over `it` (see [`AsyncForStart`]).
#[inline(always)]
pub(crate) fn start_async_for(it: Option<&Value>) -> AsyncForStart {
    let Some(Value::Obj(o)) = it else {
        return AsyncForStart::No;
    };
    let Payload::Generator(g) = &o.payload else {
        return AsyncForStart::No;
    };
    if g.kind != crate::object::GenKind::AsyncGenerator || g.running_async() {
        return AsyncForStart::No;
    }
    if !g.hooks_inited() {
        if !matches!(g.state(), GenState::Created | GenState::Suspended) {
            return AsyncForStart::No;
        }
        return AsyncForStart::Hooks;
    }
    match crate::gen::enter_free_generator(o, g, crate::frame::Delivery::AsyncFor) {
        Some(frame) => {
            g.set_running_async(true);
            AsyncForStart::Run(frame)
        }
        None => AsyncForStart::No,
    }
}

/// The `__anext__` awaitable of `agen` for an `async for` step begun without one and now
/// suspended in an `await` of the body: already started, so the loop's `YieldFrom` resumes
/// the body through it as if it had awaited it from the start.
pub(crate) fn started_anext(vm: &Vm, agen: &Obj) -> Value {
    let op = Op {
        agen: agen.clone(),
        send: Value::None,
        throw: Value::None,
        started: true,
        close: false,
        done: false,
    };
    op_object(vm.types.async_gen_asend.clone(), op)
}

/// Whether `v` is an `asend`/`athrow`/`aclose` awaitable (its own `__await__` iterator).
pub(crate) fn is_op(v: &Value) -> bool {
    op(v).is_some()
}

fn op(v: &Value) -> Option<&std::cell::RefCell<Op>> {
    match v.payload()? {
        Payload::Host(b) => b.downcast_ref::<std::cell::RefCell<Op>>(),
        _ => None,
    }
}

fn op_state(opv: &Value) -> Option<(Obj, Value, Value, bool, bool)> {
    let o = op(opv)?.borrow();
    Some((
        o.agen.clone(),
        o.send.clone(),
        o.throw.clone(),
        o.started,
        o.close,
    ))
}

fn mark_started(opv: &Value) {
    if let Some(o) = op(opv) {
        o.borrow_mut().started = true;
    }
}

/// Marks the operation finished (see [`Op::done`]).
fn mark_done(opv: &Value) {
    if let Some(o) = op(opv) {
        o.borrow_mut().done = true;
    }
}

/// One step of an async-generator operation: sends `value` (or throws `exc`) into the
/// generator and interprets the outcome, as the methods `send`/`__next__`/`throw` do; the
/// awaitable's result comes back as `StopIteration`.
fn step(vm: &mut Vm, a: &Args, value: Value, exc: Option<Value>) -> PyResult {
    let Some(opv) = a.pos.first() else {
        return Err(vm.new_type_error("bad async generator operation"));
    };
    match op_step(vm, opv, value, exc)? {
        GenResult::Yield(v) => Ok(v),
        GenResult::Return(v) => Err(vm.new_stop_iteration(v)),
    }
}

/// What [`step`] does, with the awaitable's result as `Return` instead of a
/// `StopIteration` to allocate and catch: the interpreter's `await` on an `asend`/`athrow`/
/// `aclose` awaitable (the values of every `async for`) calls this directly. `None` when
/// `opv` is not such an awaitable.
pub(crate) fn try_op_step(
    vm: &mut Vm,
    opv: &Value,
    value: Value,
    exc: Option<Value>,
) -> Option<PyResult<GenResult>> {
    op(opv)?;
    Some(op_step(vm, opv, value, exc))
}

/// Sets the async generator's "an operation is in progress" flag (`ag_running`).
pub(crate) fn set_running(agen: &Obj, running: bool) {
    if let Payload::Generator(g) = &agen.payload {
        g.set_running_async(running);
    }
}

fn op_step(vm: &mut Vm, opv: &Value, value: Value, exc: Option<Value>) -> PyResult<GenResult> {
    let Some(state) = op_state(opv) else {
        return Err(vm.new_type_error("bad async generator operation"));
    };
    let (agen, _, first_throw, started, is_close) = &state;
    if op(opv).is_some_and(|o| o.borrow().done) {
        let what = if first_throw.is_none() {
            "__anext__()/asend()"
        } else {
            "aclose()/athrow()"
        };
        return Err(vm.new_runtime_error(format!("cannot reuse already awaited {what}")));
    }
    let running = matches!(&agen.payload, Payload::Generator(g) if g.running_async());
    if !started && exc.is_some() {
        // CPython 3.11's `throw()` of an awaitable not yet sent to throws straight into the
        // generator and leaves the awaitable unstarted: its own first action (the value of
        // `asend`, the exception of `athrow`, `GeneratorExit` of `aclose`) still comes on
        // the next `send` (an `aclose()` task cancelled before its first step thus closes
        // the generator at its next `await`).
        return throw_before_start(vm, agen, exc, *is_close);
    }
    if !started && running {
        // Another `__anext__`/`asend`/`athrow`/`aclose` of this generator is suspended in
        // an `await` (CPython's message names the operation that failed); that one keeps
        // the generator.
        mark_started(opv);
        let what = if *is_close {
            "aclose()"
        } else if first_throw.is_none() {
            "anext()"
        } else {
            "athrow()"
        };
        return Err(
            vm.new_runtime_error(format!("{what}: asynchronous generator is already running"))
        );
    }
    let agen = agen.clone();
    let r = op_step_inner(vm, opv, state, value, exc);
    end_step(opv, &agen, r)
}

/// As CPython's `async_gen_unwrap_value`: the operation ends (the flag drops) when the
/// body yields a value, returns or raises; an `await` inside the body suspends it with the
/// operation still in progress.
fn end_step(opv: &Value, agen: &Obj, r: PyResult<GenResult>) -> PyResult<GenResult> {
    if !matches!(r, Ok(GenResult::Yield(_))) {
        set_running(agen, false);
        mark_done(opv);
    }
    r
}

/// The interpreter's `await` on an `asend`/`__anext__` awaitable, with nothing thrown in:
/// when the step would simply send `value` into the generator's body, marks the operation
/// started and the generator running and returns the generator and the value to send, so
/// that the interpreter runs the body's frame itself (`Delivery::AsyncGenOp`, no Rust
/// recursion) and hands its outcome to [`finish_send`]. `None` for every other case
/// (`athrow`/`aclose`, a finished operation or generator, another operation in
/// progress), which [`try_op_step`] handles.
pub(crate) fn begin_send(opv: &Value, value: Value) -> Option<(Obj, Value)> {
    let mut o = op(opv)?.borrow_mut();
    if o.done || !o.throw.is_none() {
        return None;
    }
    let agen = o.agen.clone();
    let Payload::Generator(g) = &agen.payload else {
        return None;
    };
    if g.state() == GenState::Closed || (!o.started && g.running_async()) {
        return None;
    }
    let value = if o.started {
        value
    } else {
        o.started = true;
        if value.is_none() {
            o.send.clone()
        } else {
            value
        }
    };
    g.set_running_async(true);
    drop(o);
    Some((agen, value))
}

/// The outcome `r` of the body's frame run for [`begin_send`] (or of resuming it), read
/// as the operation's step: a wrapped value ends the operation with it, a bare one passes
/// up an `await`, a return raises `StopAsyncIteration`.
pub(crate) fn finish_send(vm: &mut Vm, opv: &Value, r: PyResult<GenResult>) -> PyResult<GenResult> {
    let Some(agen) = op(opv).map(|o| o.borrow().agen.clone()) else {
        return r;
    };
    let r = finish_step(vm, &agen, r, false);
    end_step(opv, &agen, r)
}

/// `throw()` into an unstarted `asend`/`athrow`/`aclose` awaitable: the exception goes into
/// the generator, which is not marked running, and the outcome reads as a step's.
fn throw_before_start(
    vm: &mut Vm,
    agen: &Obj,
    exc: Option<Value>,
    is_close: bool,
) -> PyResult<GenResult> {
    let Some(e) = exc else {
        return Err(vm.new_type_error("bad async generator operation"));
    };
    let r = vm.gen_throw(agen, e);
    finish_step(vm, agen, r, is_close)
}

/// [`op_step`] once the operation may run: `state` is the awaitable's [`op_state`].
fn op_step_inner(
    vm: &mut Vm,
    opv: &Value,
    state: (Obj, Value, Value, bool, bool),
    value: Value,
    exc: Option<Value>,
) -> PyResult<GenResult> {
    let (agen, first_send, first_throw, started, is_close) = state;
    let is_athrow = !first_throw.is_none();
    let (value, exc) = if !started {
        mark_started(opv);
        let t = if first_throw.is_none() {
            exc
        } else {
            Some(first_throw)
        };
        let v = if value.is_none() { first_send } else { value };
        (v, t)
    } else {
        (value, exc)
    };
    let closed = matches!(&agen.payload, Payload::Generator(g) if g.state() == GenState::Closed);
    if closed {
        // CPython 3.11: `athrow()`/`aclose()` of a finished generator end at once with
        // `None`; only `asend()`/`__anext__()` raise `StopAsyncIteration`.
        if is_close || is_athrow {
            return Ok(GenResult::Return(Value::None));
        }
        return Err(vm.new_exception(&vm.exc.stop_async_iteration.clone(), vec![]));
    }
    set_running(&agen, true);
    let r = match exc {
        Some(e) => vm.gen_throw(&agen, e),
        None => vm.gen_send(&agen, value),
    };
    finish_step(vm, &agen, r, is_close)
}

/// The outcome of one step of the generator under an `asend`/`athrow`/`aclose` awaitable:
/// a wrapped (yielded) value ends the operation with it, a bare one passes up an `await`.
fn finish_step(
    vm: &mut Vm,
    agen: &Obj,
    r: PyResult<GenResult>,
    is_close: bool,
) -> PyResult<GenResult> {
    let value_yield = take_value_yield(agen);
    match r {
        Ok(GenResult::Yield(v)) if value_yield => {
            if is_close {
                return Err(vm.new_runtime_error("async generator ignored GeneratorExit"));
            }
            Ok(GenResult::Return(v))
        }
        Ok(GenResult::Yield(v)) => Ok(GenResult::Yield(v)),
        Ok(GenResult::Return(_)) => {
            if is_close {
                return Ok(GenResult::Return(Value::None));
            }
            Err(vm.new_exception(&vm.exc.stop_async_iteration.clone(), vec![]))
        }
        Err(e) => {
            if is_close
                && (vm.is_instance_of(&e, &vm.exc.generator_exit.clone())
                    || vm.is_instance_of(&e, &vm.exc.stop_async_iteration.clone()))
            {
                return Ok(GenResult::Return(Value::None));
            }
            Err(e)
        }
    }
}

fn op_send(vm: &mut Vm, a: Args) -> PyResult {
    let v = a.get(1).cloned().unwrap_or(Value::None);
    step(vm, &a, v, None)
}

fn op_next(vm: &mut Vm, a: Args) -> PyResult {
    step(vm, &a, Value::None, None)
}

fn op_throw(vm: &mut Vm, a: Args) -> PyResult {
    let e = a.get(1).cloned().unwrap_or(Value::None);
    step(vm, &a, Value::None, Some(e))
}

fn op_close(_vm: &mut Vm, a: Args) -> PyResult {
    if let Some(opv) = a.pos.first() {
        mark_done(opv);
    }
    Ok(Value::None)
}

fn op_self(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(a.pos[0].clone())
}

/// What `anext(aiterator, default)` returns (CPython's `anext_awaitable`): it forwards
/// each step to the awaitable of `__anext__()` and turns its `StopAsyncIteration` into a
/// return of `default`.
struct AnextAwaitable {
    wrapped: Value,
    default: Value,
}

/// `anext_awaitable(awaitable, default)`.
pub(crate) fn new_anext_awaitable(vm: &mut Vm, wrapped: Value, default: Value) -> Value {
    let cls = vm.types.anext_awaitable.clone();
    let state = AnextAwaitable { wrapped, default };
    Value::Obj(Rc::new(Object::new(
        cls,
        Payload::Host(Box::new(std::cell::RefCell::new(state))),
    )))
}

fn anext_state(vm: &mut Vm, a: &Args) -> PyResult<(Value, Value)> {
    let state = match a.pos.first().and_then(|v| v.payload()) {
        Some(Payload::Host(b)) => b.downcast_ref::<std::cell::RefCell<AnextAwaitable>>(),
        _ => None,
    };
    match state {
        Some(s) => {
            let s = s.borrow();
            Ok((s.wrapped.clone(), s.default.clone()))
        }
        None => Err(vm.new_type_error("anext_awaitable expected")),
    }
}

/// One step (`__next__`, `send` or `throw`) forwarded to the wrapped awaitable's iterator
/// (`anextawaitable_proxy`), its `StopAsyncIteration` becoming `StopIteration(default)`.
fn anext_step(vm: &mut Vm, a: &Args, value: Value, exc: Option<Value>) -> PyResult {
    let (wrapped, default) = anext_state(vm, a)?;
    let it = vm.get_awaitable(&wrapped, 0)?;
    let r = if let Some(r) = try_op_step(vm, &it, value.clone(), exc.clone()) {
        match r {
            Ok(GenResult::Yield(v)) => Ok(v),
            Ok(GenResult::Return(v)) => Err(vm.new_stop_iteration(v)),
            Err(e) => Err(e),
        }
    } else if let Some(Payload::Generator(_)) = it.payload() {
        let g = it.as_obj().cloned().expect("generator");
        let r = match exc {
            Some(e) => vm.gen_throw(&g, e),
            None => vm.gen_send(&g, value),
        };
        match r {
            Ok(GenResult::Yield(v)) => Ok(v),
            Ok(GenResult::Return(v)) => Err(vm.new_stop_iteration(v)),
            Err(e) => Err(e),
        }
    } else {
        let (name, args) = match exc {
            Some(e) => (vm.names.throw.clone(), vec![e]),
            None if value.is_none() => (vm.names.__next__.clone(), vec![]),
            None => (vm.names.send.clone(), vec![value]),
        };
        let m = vm.get_attr(&it, &name)?;
        vm.call(&m, &args, &[])
    };
    match r {
        Err(e) if vm.is_instance_of(&e, &vm.exc.stop_async_iteration.clone()) => {
            Err(vm.new_stop_iteration(default))
        }
        r => r,
    }
}

fn anext_next(vm: &mut Vm, a: Args) -> PyResult {
    anext_step(vm, &a, Value::None, None)
}

fn anext_send(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "send", 1, 1)?;
    let v = a.pos[1].clone();
    anext_step(vm, &a, v, None)
}

fn anext_throw(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "throw", 1, 3)?;
    let mut exc = a.pos[1].clone();
    if let (Value::Obj(c), Some(v)) = (&exc, a.get(2)) {
        if matches!(c.payload, Payload::Type(_)) && !v.is_none() {
            exc = super::generator::throw_value(vm, c, v)?;
        }
    }
    anext_step(vm, &a, Value::None, Some(exc))
}

fn anext_close(vm: &mut Vm, a: Args) -> PyResult {
    let (wrapped, _) = anext_state(vm, &a)?;
    let it = vm.get_awaitable(&wrapped, 0)?;
    if let Some(Payload::Generator(_)) = it.payload() {
        let g = it.as_obj().cloned().expect("generator");
        vm.gen_close(&g)?;
        return Ok(Value::None);
    }
    let name = vm.intern("close");
    match vm.get_attr_opt(&it, &name)? {
        Some(m) => vm.call(&m, &[], &[]),
        None => Ok(Value::None),
    }
}
