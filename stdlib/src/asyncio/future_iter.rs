//! `Future.__await__`: CPython's C `FutureIter`, the iterator an `await fut` delegates to.
//! While the future is pending a step yields the future itself, flagged
//! `_asyncio_future_blocking` (rule T-3); once it is done, a step returns the result
//! through `StopIteration`.
//! Native, it saves a generator object and its frame for every `await` of a future; and
//! `await fut` itself delegates to the future with no iterator at all
//! (`Vm::register_self_await`), which `__await__` called by hand still returns.

use super::natives::{ready, Shared};
use super::step::{is_blocking, is_pending, result_of, set_blocking, StepEnv, INIT};
use aio_vm::builtins::native_closure;
use aio_vm::gc::{register_host_state, HostState};
use aio_vm::gen::GenResult;
use aio_vm::module::{native_state, new_class, ClassBuilder};
use aio_vm::native::Args;
use aio_vm::object::{Object, Payload};
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;
use std::rc::Rc;

/// The state of one `await`: the future until the iterator finished.
struct FutureIter {
    fut: Option<Value>,
    env: Rc<StepEnv>,
}

/// The collector sees the future: a pending task's coroutine awaits it and the future's
/// callbacks hold the task, a cycle once the task is unreachable (T-14).
impl HostState for FutureIter {
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        self.fut.iter().for_each(f);
    }

    fn clear(&mut self, out: &mut Vec<Value>) {
        out.extend(self.fut.take());
    }
}

/// Registers `_c_future_await` (`Future.__await__`) in the module globals `g`.
pub(super) fn define(vm: &mut Vm, g: &Obj, env: Shared<StepEnv>) {
    register_host_state::<FutureIter>();
    let env_for_step = env.clone();
    let cls = new_class(vm, "_asyncio", "FutureIter", &[]);
    ClassBuilder::new(vm, &cls)
        .method("__next__", next)
        .method("send", send)
        .method("__iter__", iter_self)
        .finish();
    let f = native_closure(
        vm,
        "__await__",
        Some("Future"),
        Rc::new(move |vm: &mut Vm, a: Args| {
            await_args(vm, &a)?;
            let env = ready(vm, &env, INIT)?;
            let state = FutureIter {
                fut: Some(a.pos[0].clone()),
                env,
            };
            let payload = Payload::Host(Box::new(RefCell::new(state)));
            Ok(Value::Obj(vm.track(Object::new(cls.clone(), payload))))
        }),
    );
    // `await fut` delegates to the future itself: a suspended task keeps no iterator, and
    // a done future gives its result without a `StopIteration`.
    if let Value::Obj(fo) = &f {
        let step_env = env_for_step;
        vm.register_self_await(
            fo,
            Rc::new(move |vm: &mut Vm, fut: &Value| {
                let env = ready(vm, &step_env, INIT)?;
                future_step(vm, &env, fut)
            }),
        );
    }
    vm.dict_set_str(g, "_c_future_await", f);
}

fn this<'a>(vm: &mut Vm, a: &Args<'a>) -> PyResult<&'a RefCell<FutureIter>> {
    match a.pos.first().and_then(native_state::<FutureIter>) {
        Some(s) => Ok(s),
        None => Err(vm.new_type_error("descriptor requires a '_asyncio.FutureIter' object")),
    }
}

fn iter_self(vm: &mut Vm, a: Args) -> PyResult {
    this(vm, &a)?;
    Ok(a.pos[0].clone())
}

fn next(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "__next__", 1, 1)?;
    let it = this(vm, &a)?;
    step(vm, it)
}

/// `send(value)`: the value is ignored, as the C iterator ignores it.
fn send(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "send", 2, 2)?;
    let it = this(vm, &a)?;
    step(vm, it)
}

/// The checks of the slot wrapper `Future.__await__` (`expected 0 arguments, got 1`).
fn await_args(vm: &mut Vm, a: &Args) -> PyResult<()> {
    if a.pos.len() == 1 && a.kw.is_empty() {
        return Ok(());
    }
    let msg = if a.pos.is_empty() {
        "descriptor '__await__' of '_asyncio.Future' object needs an argument".to_string()
    } else if !a.kw.is_empty() {
        "wrapper __await__() takes no keyword arguments".to_string()
    } else {
        format!("expected 0 arguments, got {}", a.pos.len() - 1)
    };
    Err(vm.new_type_error(msg))
}

/// C `FutureIter_iternext`, for the iterator `__await__` returns.
fn step(vm: &mut Vm, it: &RefCell<FutureIter>) -> PyResult {
    let (fut, env) = {
        let s = it.borrow();
        let Some(fut) = s.fut.clone() else {
            return Err(vm.new_stop_iteration(Value::None));
        };
        (fut, s.env.clone())
    };
    match future_step(vm, &env, &fut)? {
        GenResult::Yield(v) => Ok(v),
        GenResult::Return(result) => {
            it.borrow_mut().fut = None;
            Err(vm.new_stop_iteration(result))
        }
    }
}

/// One step of awaiting `fut`: a pending future is yielded once its blocking flag is set
/// (the task clears the flag when it takes the future); yielded again without the task,
/// it is an error, and a done future ends the `await` with its result.
fn future_step(vm: &mut Vm, env: &StepEnv, fut: &Value) -> PyResult<GenResult> {
    if is_pending(vm, env, fut)? {
        if is_blocking(vm, env, fut)? {
            return Err(vm.new_runtime_error("await wasn't used with future"));
        }
        set_blocking(vm, env, fut)?;
        return Ok(GenResult::Yield(fut.clone()));
    }
    Ok(GenResult::Return(result_of(vm, env, fut)?))
}
