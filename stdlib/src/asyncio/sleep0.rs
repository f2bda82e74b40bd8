//! `_SLEEP0`, what `asyncio.sleep(0)` awaits: CPython's `@types.coroutine def __sleep0():
//! yield`, one bare `yield` that lets every other ready callback run once. Here the VM's
//! bare-yield awaitable (`Vm::register_bare_yield`) stands for it, so a `sleep(0)` makes
//! no generator object and pushes no frame of its own.

use aio_vm::builtins::native_closure;
use aio_vm::gen::GenResult;
use aio_vm::module::{new_class, new_native_instance, ClassBuilder};
use aio_vm::native::Args;
use aio_vm::{Obj, Value, Vm};
use std::rc::Rc;

/// Defines `_SLEEP0` in the module globals `g`.
pub(super) fn define(vm: &mut Vm, g: &Obj) {
    let cls = new_class(vm, "asyncio.tasks", "_Sleep0", &[]);
    // `__await__` called by hand (`cr_await` of a coroutine parked in `sleep(0)`): the
    // generator of the prelude's `__sleep0()`, as CPython's frame holds.
    let globals = g.clone();
    let await_fn = native_closure(
        vm,
        "__await__",
        Some("_Sleep0"),
        Rc::new(move |vm: &mut Vm, a: Args| {
            a.check_count(vm, "__await__", 1, 1)?;
            let name = vm.intern("__sleep0");
            match vm.dict_get_str(&globals, &name) {
                Some(f) => vm.call(&f, &[], &[]),
                None => Err(vm.new_runtime_error("asyncio.tasks.__sleep0 is missing")),
            }
        }),
    );
    let Value::Obj(await_obj) = await_fn.clone() else {
        unreachable!("a native function is an object")
    };
    // `await` takes the objects as they are; the VM steps them before this registry's
    // step, which serves only other instances a script makes of the class (they finish
    // at once).
    vm.register_self_await(
        &await_obj,
        Rc::new(|_vm: &mut Vm, _v: &Value| Ok(GenResult::Return(Value::None))),
    );
    ClassBuilder::new(vm, &cls)
        .attr("__await__", await_fn)
        .finish();
    let armed = new_native_instance(vm, &cls, ());
    let fired = new_native_instance(vm, &cls, ());
    if let (Value::Obj(a), Value::Obj(f)) = (&armed, &fired) {
        vm.register_bare_yield(a, f);
    }
    vm.dict_set_str(g, "_SLEEP0", armed);
}
