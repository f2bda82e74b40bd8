//! Native classes whose instances carry Rust state (`re.Pattern`, `_hashlib.HASH`): the
//! class itself, which scripts cannot instantiate, and its read-only properties.

use aio_vm::dict::Dict;
use aio_vm::native::Args;
use aio_vm::object::Object;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::rc::Rc;

/// A class of `module` whose instances carry Rust state and no `__dict__`, which scripts
/// cannot instantiate (`TypeError: cannot create 're.Match' instances`, as CPython).
/// Messages name it `module.name`, as CPython's `tp_name` (plain `name` in `builtins`).
pub(crate) fn native_class(vm: &mut Vm, module: &str, name: &str) -> Obj {
    let n = vm.intern(name);
    let mut ns = Dict::new();
    ns.set_str(vm.intern("__module__"), Value::str(module));
    let object = vm.types.object.clone();
    let member = vm.types.member_descriptor.clone();
    let meta = vm.types.type_.clone();
    let cls =
        aio_vm::types::new_heap_type(&meta, n.clone(), n, &[object], ns, Some(vec![]), &member)
            .expect("object is a valid base");
    if module != "builtins" {
        aio_vm::types::set_c_type_name(&cls, &format!("{module}.{name}"));
    }
    fn no_new(vm: &mut Vm, a: Args) -> PyResult {
        let Some(Value::Obj(cls)) = a.pos.first() else {
            return Err(vm.new_type_error("__new__ needs a class"));
        };
        let name = aio_vm::types::type_name(cls);
        Err(vm.new_type_error(format!("cannot create '{name}' instances")))
    }
    aio_vm::builtins::def_static(vm, &cls, "__new__", no_new);
    cls
}

/// Adds a read-only property `name` computed by `get` to `cls`; setting or deleting it
/// fails with CPython's message for a member (`readonly attribute`) or, when `getset`, for
/// a getter without setter.
pub(crate) fn property(
    vm: &mut Vm,
    cls: &Obj,
    name: &str,
    get: aio_vm::native::NativeFn,
    getset: bool,
) {
    let owner = cls
        .as_type()
        .map(|t| t.name.borrow().as_str().to_string())
        .unwrap_or_default();
    let fget = aio_vm::builtins::native_fn(vm, name, Some(&owner), get);
    let msg: Rc<str> = if getset {
        let tp_name = aio_vm::types::type_name(cls);
        format!("attribute '{name}' of '{tp_name}' objects is not writable").into()
    } else {
        "readonly attribute".into()
    };
    let refuse = aio_vm::builtins::native_closure(
        vm,
        name,
        Some(&owner),
        Rc::new(move |vm: &mut Vm, _a: Args<'_>| Err(vm.new_attribute_error(msg.to_string()))),
    );
    let p = [fget, refuse.clone(), refuse, Value::None, Value::str(name)];
    let prop = Object::new(
        vm.types.property.clone(),
        aio_vm::builtins::property_payload(p),
    );
    aio_vm::module::ClassBuilder::new(vm, cls).attr(name, Value::Obj(Rc::new(prop)));
}
