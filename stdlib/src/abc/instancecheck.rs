//! `ABCMeta.__instancecheck__` as a native: the cache checks of `abc.aio`'s (CPython's
//! `_py_abc`), statement by statement, before `_instancecheck_slow` in aio. `isinstance(x, SomeABC)` runs it for every object that is not an instance by
//! inheritance, so it is the hot path of every ABC (`collections.abc.Mapping` checks in
//! `logging`, `json`, user code); CPython runs its C `_abc` module there. The caches stay
//! class attributes (`_abc_cache`, `_abc_negative_cache`), shared with `register` and
//! `__subclasscheck__`, which remain aio code.

use aio_vm::builtins::native_closure;
use aio_vm::native::Args;
use aio_vm::str::Str;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::rc::Rc;

/// The interned names the check reads.
struct Names {
    class: Rc<Str>,
    cache: Rc<Str>,
    negative_cache: Rc<Str>,
    negative_version: Rc<Str>,
    counter: Rc<Str>,
    slow: Rc<Str>,
}

/// The native `__instancecheck__`, for `ABCMeta`'s class body; `globals` are the `abc`
/// module's (where `_abc_invalidation_counter` is).
pub(super) fn native(vm: &mut Vm, globals: Obj) -> Value {
    let n = Names {
        class: vm.intern("__class__"),
        cache: vm.intern("_abc_cache"),
        negative_cache: vm.intern("_abc_negative_cache"),
        negative_version: vm.intern("_abc_negative_cache_version"),
        counter: vm.intern("_abc_invalidation_counter"),
        slow: vm.intern("_instancecheck_slow"),
    };
    native_closure(
        vm,
        "__instancecheck__",
        Some("ABCMeta"),
        Rc::new(move |vm: &mut Vm, a: Args| instancecheck(vm, &n, &globals, a)),
    )
}

/// The answers `abc.aio`'s `_instancecheck_slow` (`_py_abc`'s `__instancecheck__`) gives
/// from the caches alone: `True` when `instance.__class__` is in `cls._abc_cache`, `False`
/// when it is `type(instance)` and in the negative cache of the current invalidation
/// counter; otherwise `_instancecheck_slow` itself runs.
fn instancecheck(vm: &mut Vm, n: &Names, globals: &Obj, a: Args) -> PyResult {
    let [cls, instance] = a.bind_def(vm, "ABCMeta.__instancecheck__", ["cls", "instance"])?;
    let own = vm.class_of(&instance).clone();
    // `instance.__class__` is the class itself unless the class overrides `__class__`.
    let subclass = match vm.lookup(&own, &n.class) {
        None => Value::Obj(own.clone()),
        Some(_) => vm.get_attr(&instance, &n.class)?,
    };
    let cache = class_attr(vm, &cls, &n.cache)?;
    if vm.contains(&cache, &subclass)? {
        return Ok(Value::bool(true));
    }
    let subtype = Value::Obj(own);
    if subtype.is(&subclass) {
        let version = class_attr(vm, &cls, &n.negative_version)?;
        // The module's counter (a global the script could rebind, as `_py_abc`'s).
        let counter = match vm.dict_get_str(globals, &n.counter) {
            Some(c) => vm.getitem(&c, &Value::Int(0))?,
            None => return Err(vm.new_runtime_error("abc._abc_invalidation_counter is gone")),
        };
        if vm.eq(&version, &counter)? {
            let negative = class_attr(vm, &cls, &n.negative_cache)?;
            if vm.contains(&negative, &subclass)? {
                return Ok(Value::bool(false));
            }
        }
    }
    // The rest calls `__subclasscheck__`, in aio code, from an `abc` frame as CPython's
    // does (`typing`'s protocol hooks look at their callers' modules).
    match vm.dict_get_str(globals, &n.slow) {
        Some(slow) => vm.call(&slow, &[cls, instance], &[]),
        None => Err(vm.new_runtime_error("abc._instancecheck_slow is gone")),
    }
}

/// `cls.name` for the caches `ABCMeta.__new__` puts in every ABC's own namespace: read
/// there, else (a class made otherwise) by the full lookup.
fn class_attr(vm: &mut Vm, cls: &Value, name: &Rc<Str>) -> PyResult {
    if let Some(t) = cls.as_obj().and_then(|o| o.as_type()) {
        if let Some(v) = t.ns.borrow().get_str(name) {
            return Ok(v.clone());
        }
    }
    vm.get_attr(cls, name)
}
