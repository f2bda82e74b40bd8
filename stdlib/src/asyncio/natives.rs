//! How the asyncio natives are registered. Each group (`step.rs`, `run_once.rs`,
//! `schedule.rs`) needs objects the prelude defines later than the natives (classes, the base
//! methods an override is compared with), so the prelude hands them over once through an
//! `_c_..._init(...)` call, and every native of the group reads that state.

use aio_vm::builtins::{module_native, native_closure};
use aio_vm::native::{Args, NativeClosure, NativeImpl};
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;
use std::rc::Rc;

/// A group's state, set by its `_c_..._init` call.
pub(super) type Shared<E> = Rc<RefCell<Option<Rc<E>>>>;

/// A native of a group: its global name in the prelude, its `__qualname__` as CPython shows
/// it (`"Class.method"`, or `"asyncio.function"` for a function of CPython's `_asyncio`),
/// and its implementation.
pub(super) type Op<E> = (
    &'static str,
    &'static str,
    fn(&mut Vm, &E, Args) -> PyResult,
);

/// Registers `init_name`, which builds the group's state with `build` from its arguments,
/// and each of `ops`, in the module globals `g`. Returns the state for natives registered
/// elsewhere.
pub(super) fn define_group<E: 'static>(
    vm: &mut Vm,
    g: &Obj,
    init_name: &'static str,
    build: impl Fn(&mut Vm, &Args) -> PyResult<E> + 'static,
    ops: &[Op<E>],
) -> Shared<E> {
    let env: Shared<E> = Rc::default();
    let e = env.clone();
    let init = native_closure(
        vm,
        init_name,
        Some("asyncio"),
        Rc::new(move |vm: &mut Vm, a: Args| {
            *e.borrow_mut() = Some(Rc::new(build(vm, &a)?));
            Ok(Value::None)
        }),
    );
    vm.dict_set_str(g, init_name, init);
    for &(name, qualname, op) in ops {
        let e = env.clone();
        let (owner, short) = qualname.split_once('.').expect("Class.method");
        let imp: NativeClosure = Rc::new(move |vm: &mut Vm, a: Args| {
            let env = ready(vm, &e, init_name)?;
            op(vm, &env, a)
        });
        let f = if owner == "asyncio" {
            module_native(vm, "_asyncio", short, NativeImpl::Closure(imp))
        } else {
            native_closure(vm, short, Some(owner), imp)
        };
        vm.dict_set_str(g, name, f);
    }
    env
}

/// The group's state, or `RuntimeError` before its `init_name` ran.
pub(super) fn ready<E>(vm: &mut Vm, env: &Shared<E>, init_name: &str) -> PyResult<Rc<E>> {
    env.borrow()
        .clone()
        .ok_or_else(|| vm.new_runtime_error(format!("asyncio natives used before {init_name}")))
}
