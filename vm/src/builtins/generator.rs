//! Methods of generators and coroutines: `send`, `throw`, `close`, `__next__`, `__iter__`,
//! `__await__`, and their data attributes (`gi_running`, `cr_frame`, ...).

use super::def_method;
use super::iter_self;
use crate::gen::GenResult;
use crate::native::Args;
use crate::object::{GenKind, GenState, Payload};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};

pub(super) fn install(vm: &mut Vm) {
    let g = vm.types.generator.clone();
    def_method(vm, &g, "send", send);
    def_method(vm, &g, "throw", throw);
    def_method(vm, &g, "close", close);
    def_method(vm, &g, "__next__", next);
    def_method(vm, &g, "__iter__", iter_self);
    let c = vm.types.coroutine.clone();
    def_method(vm, &c, "send", send);
    def_method(vm, &c, "throw", throw);
    def_method(vm, &c, "close", close);
    def_method(vm, &c, "__await__", await_self);
    let w = vm.types.coroutine_wrapper.clone();
    def_method(vm, &w, "send", wrapper_send);
    def_method(vm, &w, "throw", wrapper_throw);
    def_method(vm, &w, "close", wrapper_close);
    def_method(vm, &w, "__next__", wrapper_next);
    def_method(vm, &w, "__iter__", iter_self);
}

fn this(vm: &mut Vm, a: &Args) -> PyResult<Obj> {
    match a.pos.first() {
        Some(Value::Obj(o)) if matches!(o.payload, Payload::Generator(_)) => Ok(o.clone()),
        _ => Err(vm.new_type_error("generator method called on a non-generator")),
    }
}

fn finish(vm: &mut Vm, r: GenResult) -> PyResult {
    match r {
        GenResult::Yield(v) => Ok(v),
        GenResult::Return(v) => Err(vm.new_stop_iteration(v)),
    }
}

/// `generator.send` / `coroutine.send`; a script's call of it is run without this native
/// (see `Vm::send_fast`), which only serves calls from native code.
pub(crate) fn send(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "send", 1, 1)?;
    let g = this(vm, &a)?;
    let r = vm.gen_send(&g, a.pos[1].clone())?;
    finish(vm, r)
}

fn next(vm: &mut Vm, a: Args) -> PyResult {
    let g = this(vm, &a)?;
    let r = vm.gen_send(&g, Value::None)?;
    finish(vm, r)
}

fn throw(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "throw", 1, 3)?;
    let g = this(vm, &a)?;
    let mut exc = a.pos[1].clone();
    if let (Value::Obj(c), Some(v)) = (&exc, a.get(2)) {
        if matches!(c.payload, Payload::Type(_)) && !v.is_none() {
            exc = throw_value(vm, c, v)?;
        }
    }
    let r = vm.gen_throw(&g, exc)?;
    finish(vm, r)
}

/// The exception `throw(typ, val)` raises, as CPython's `_PyErr_NormalizeException`: `val`
/// itself when it is an instance of `typ`, else `typ(*val)` for a tuple, else `typ(val)`.
pub(super) fn throw_value(vm: &mut Vm, typ: &crate::value::Obj, v: &Value) -> PyResult {
    let vcls = vm.class_of(v).clone();
    if crate::types::is_subtype(&vcls, typ) {
        return Ok(v.clone());
    }
    let t = Value::Obj(typ.clone());
    match v.payload() {
        Some(Payload::Tuple(items)) => {
            let items = items.to_vec();
            vm.call(&t, &items, &[])
        }
        _ => vm.call(&t, std::slice::from_ref(v), &[]),
    }
}

fn close(vm: &mut Vm, a: Args) -> PyResult {
    let g = this(vm, &a)?;
    vm.gen_close(&g)?;
    Ok(Value::None)
}

/// What a `coroutine_wrapper` wraps.
struct CoroWrapper(Obj);

/// `coroutine.__await__()`: a `coroutine_wrapper`, the iterator over the coroutine that a
/// plain generator may `yield from` (CPython's custom-awaitable idiom
/// `return (yield from coro.__await__())`).
fn await_self(vm: &mut Vm, a: Args) -> PyResult {
    let g = this(vm, &a)?;
    let cls = vm.types.coroutine_wrapper.clone();
    Ok(Value::Obj(std::rc::Rc::new(crate::object::Object::new(
        cls,
        Payload::Host(Box::new(CoroWrapper(g))),
    ))))
}

/// The coroutine behind a `coroutine_wrapper` method's `self`.
fn wrapped(vm: &mut Vm, a: &Args) -> PyResult<Obj> {
    match a.pos.first().and_then(|v| v.payload()) {
        Some(Payload::Host(b)) => match b.downcast_ref::<CoroWrapper>() {
            Some(w) => Ok(w.0.clone()),
            None => Err(vm.new_type_error("descriptor requires a 'coroutine_wrapper' object")),
        },
        _ => Err(vm.new_type_error("descriptor requires a 'coroutine_wrapper' object")),
    }
}

/// Runs the coroutine's own method `f` with the wrapped coroutine as `self`.
fn via_coroutine(vm: &mut Vm, a: Args, f: fn(&mut Vm, Args) -> PyResult) -> PyResult {
    let g = wrapped(vm, &a)?;
    let mut pos = a.pos.to_vec();
    pos[0] = Value::Obj(g);
    f(
        vm,
        Args {
            pos: &pos,
            kw: a.kw,
        },
    )
}

fn wrapper_send(vm: &mut Vm, a: Args) -> PyResult {
    via_coroutine(vm, a, send)
}

fn wrapper_next(vm: &mut Vm, a: Args) -> PyResult {
    via_coroutine(vm, a, next)
}

fn wrapper_throw(vm: &mut Vm, a: Args) -> PyResult {
    via_coroutine(vm, a, throw)
}

fn wrapper_close(vm: &mut Vm, a: Args) -> PyResult {
    via_coroutine(vm, a, close)
}

/// Data attributes of generators and coroutines.
pub(super) fn generator_attr(vm: &mut Vm, g: &Obj, name: &str) -> PyResult<Option<Value>> {
    let Payload::Generator(gen) = &g.payload else {
        return Ok(None);
    };
    // Each kind has its own prefix: a generator has no `cr_await`, a coroutine no `gi_frame`.
    let own_prefix = match gen.kind {
        GenKind::Generator => "gi_",
        GenKind::Coroutine => "cr_",
        GenKind::AsyncGenerator => "ag_",
    };
    if ["gi_", "cr_", "ag_"]
        .iter()
        .any(|p| *p != own_prefix && name.starts_with(p))
    {
        return Ok(None);
    }
    Ok(match name {
        "__name__" => Some(gen.name()),
        "__qualname__" => Some(gen.qualname()),
        "gi_running" | "cr_running" => Some(Value::bool(gen.state() == GenState::Running)),
        // An `asend`/`athrow` awaitable is in progress (CPython 3.11's `ag_running_async`).
        "ag_running" => Some(Value::bool(gen.running_async())),
        "gi_frame" | "cr_frame" | "ag_frame" => {
            if gen.state() == GenState::Closed {
                return Ok(Some(Value::None));
            }
            let Some(parts) = with_any_frame(vm, g, gen, |vm, f| {
                super::frame_object::FrameParts::of(vm, f)
            }) else {
                return Ok(Some(Value::None));
            };
            Some(parts.into_frame(vm, Value::None))
        }
        // The iterator a suspended `yield from`/`await` delegates to (CPython's `_PyGen_yf`).
        // An object that is its own `await` iterator shows the iterator its `__await__`
        // makes, as the one CPython's frame holds.
        "gi_yieldfrom" | "cr_await" | "ag_await" => {
            let sub = gen
                .with_frame(|f| f.stack.last().filter(|_| f.at_yield_from()).cloned())
                .flatten()
                .unwrap_or(Value::None);
            if vm.self_await_of(&sub).is_some() {
                let cls = vm.class_of(&sub).clone();
                if let Some(f) = vm.lookup(&cls, &vm.names.__await__.clone()) {
                    return vm.call_slot(&f, std::slice::from_ref(&sub)).map(Some);
                }
            }
            Some(sub)
        }
        "gi_suspended" | "cr_suspended" => Some(Value::bool(gen.state() == GenState::Suspended)),
        // aio-only: the line a suspended generator/coroutine stopped at, or a running one
        // is executing (its frame is on the VM's stack): CPython's `cr_frame.f_lineno`,
        // without making a frame object. asyncio's Task repr uses it.
        "_aio_lineno" => with_any_frame(vm, g, gen, |_, f| Value::Int(i64::from(f.line()))),
        "gi_code" | "cr_code" | "ag_code" => {
            let code = gen.code.clone();
            Some(Value::Obj(super::code_object(&vm.types, code)))
        }
        _ => None,
    })
}

/// `look` at generator `g`'s frame: the one it holds while suspended, or, while it runs,
/// the one on the VM's stack. `None` when it has none (finished).
fn with_any_frame<R>(
    vm: &Vm,
    g: &Obj,
    gen: &crate::object::Generator,
    look: impl FnOnce(&Vm, &crate::frame::Frame) -> R,
) -> Option<R> {
    if let Some(frame) = gen.take_frame() {
        let r = look(vm, &frame);
        gen.put_frame(Some(frame));
        return Some(r);
    }
    let frame = vm.frames.iter().rev().find(|f| {
        f.generator
            .as_ref()
            .is_some_and(|o| std::rc::Rc::ptr_eq(o, g))
    })?;
    Some(look(vm, frame))
}
