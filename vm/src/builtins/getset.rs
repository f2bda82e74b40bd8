//! `getset_descriptor`: the `__dict__` and `__weakref__` entries CPython's `type.__new__`
//! puts in the namespace of a class that gives its instances a `__dict__` or weak
//! references (`C.__dict__['__dict__'].__get__(c)` is `c`'s dict). aio answers `c.__dict__`
//! and `c.__weakref__` without them; they appear in the class's `__dict__` view
//! ([`class_entries`]), made when it is read, once per class while any is alive.

use super::{def_method, readonly_property};
use crate::native::Args;
use crate::object::{Object, Payload};
use crate::str::Str;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;
use std::rc::Rc;

/// A descriptor's state: the attribute and the class that declared it.
struct GetSet {
    name: Rc<Str>,
    owner: Obj,
}

impl crate::gc::HostState for GetSet {
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        f(&Value::Obj(self.owner.clone()));
    }
    fn clear(&mut self, _out: &mut Vec<Value>) {}
}

pub(super) fn install(vm: &mut Vm) {
    crate::gc::register_host_state::<GetSet>();
    let object = vm.types.object.clone();
    let cls = crate::module::new_class(vm, "builtins", "getset_descriptor", &[object]);
    if let Some(t) = cls.as_type() {
        t.final_.set(true);
    }
    for (name, f) in [
        ("__get__", gs_get as crate::native::NativeFn),
        ("__set__", gs_set),
        ("__delete__", gs_delete),
        ("__repr__", gs_repr),
        // `__name__` and `__qualname__` (class-level properties of these names would hide
        // the class's own).
        ("__getattr__", gs_getattr),
    ] {
        def_method(vm, &cls, name, f);
    }
    let p = readonly_property(
        vm,
        "__objclass__",
        "getset_descriptor",
        attr_objclass,
        Value::None,
    );
    vm.set_class_attr(&cls, "__objclass__", p);
    vm.getset_type = Some(cls);
}

/// The entries CPython's `type.__new__` adds to heap class `cls`'s namespace for
/// `__dict__` and `__weakref__` (see `adds_slot`), in that order.
pub(crate) fn class_entries(vm: &mut Vm, cls: &Obj) -> Vec<(Rc<Str>, Value)> {
    let Some(gs_cls) = vm.getset_type.clone() else {
        return Vec::new();
    };
    let Some(t) = cls.as_type() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, name) in ["__dict__", "__weakref__"].into_iter().enumerate() {
        if super::adds_slot(cls, name) {
            let name = vm.intern(name);
            let cached = t.getsets.borrow()[i].upgrade();
            let d = cached.unwrap_or_else(|| {
                let state = GetSet {
                    name: name.clone(),
                    owner: cls.clone(),
                };
                let d = Object::new(gs_cls.clone(), Payload::Host(Box::new(RefCell::new(state))));
                let d = vm.track(d);
                t.getsets.borrow_mut()[i] = Rc::downgrade(&d);
                d
            });
            out.push((name, Value::Obj(d)));
        }
    }
    out
}

/// The name and declaring class of descriptor `v`.
fn parts(vm: &mut Vm, v: &Value) -> PyResult<(Rc<Str>, Obj)> {
    match v.payload() {
        Some(Payload::Host(b)) => match b.downcast_ref::<RefCell<GetSet>>() {
            Some(s) => {
                let s = s.borrow();
                Ok((s.name.clone(), s.owner.clone()))
            }
            None => Err(vm.new_type_error("not a getset_descriptor")),
        },
        _ => Err(vm.new_type_error("not a getset_descriptor")),
    }
}

/// `descr` applied to `obj`: fails unless `obj` is an instance of the declaring class.
fn check_instance(vm: &mut Vm, descr: &Value, obj: &Value) -> PyResult<(Rc<Str>, Obj)> {
    let (name, owner) = parts(vm, descr)?;
    if !crate::types::is_subtype(&vm.class_of(obj).clone(), &owner) {
        return Err(vm.new_type_error(format!(
            "descriptor '{}' for '{}' objects doesn't apply to a '{}' object",
            name.as_str(),
            crate::types::type_name(&owner),
            vm.type_name(obj)
        )));
    }
    Ok((name, owner))
}

/// `__get__(obj, type=None)`: the instance's `__dict__` or first weak reference; the
/// descriptor itself for `obj` None.
fn gs_get(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__get__", 1, 2)?;
    let obj = &a.pos[1];
    if obj.is_none() {
        return Ok(a.pos[0].clone());
    }
    let (name, _) = check_instance(vm, &a.pos[0], obj)?;
    if name.as_str() == "__weakref__" {
        return Ok(super::weakref_slot(vm, obj).unwrap_or(Value::None));
    }
    match obj.as_obj().and_then(|o| vm.instance_dict(o).cloned()) {
        Some(d) => Ok(Value::Obj(d)),
        None => vm.get_attr(obj, &name),
    }
}

/// `__set__(obj, value)`: `obj.__dict__ = value` (a dict, as CPython requires);
/// `__weakref__` is read-only.
fn gs_set(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__set__", 2, 2)?;
    let (name, owner) = check_instance(vm, &a.pos[0], &a.pos[1])?;
    if name.as_str() == "__weakref__" {
        return Err(not_writable(vm, &name, &owner));
    }
    let value = &a.pos[2];
    if !matches!(value.payload(), Some(Payload::Dict(_))) {
        return Err(vm.new_type_error(format!(
            "__dict__ must be set to a dictionary, not a '{}'",
            vm.type_name(value)
        )));
    }
    vm.set_attr(&a.pos[1], &name, value.clone())?;
    Ok(Value::None)
}

/// `__delete__(obj)`: `del obj.__dict__`; `__weakref__` is read-only.
fn gs_delete(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__delete__", 1, 1)?;
    let (name, owner) = check_instance(vm, &a.pos[0], &a.pos[1])?;
    if name.as_str() == "__weakref__" {
        return Err(not_writable(vm, &name, &owner));
    }
    vm.del_attr(&a.pos[1], &name)?;
    Ok(Value::None)
}

fn not_writable(vm: &mut Vm, name: &Str, owner: &Obj) -> Obj {
    vm.new_attribute_error(format!(
        "attribute '{}' of '{}' objects is not writable",
        name.as_str(),
        crate::types::type_name(owner)
    ))
}

fn gs_repr(vm: &mut Vm, a: Args) -> PyResult {
    let (name, owner) = parts(vm, &a.pos[0])?;
    Ok(Value::str(format!(
        "<attribute '{}' of '{}' objects>",
        name.as_str(),
        crate::types::type_name(&owner)
    )))
}

/// `__name__` (the attribute's) and `__qualname__` (`C.__dict__`).
fn gs_getattr(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__getattr__", 1, 1)?;
    let (name, owner) = parts(vm, &a.pos[0])?;
    match a.pos[1].as_str().map(|s| s.as_str()) {
        Some("__name__") => Ok(Value::Str(name)),
        Some("__qualname__") => {
            let q = super::object::qualname_of(&owner)
                .unwrap_or_else(|| crate::types::type_name(&owner));
            Ok(Value::str(format!("{q}.{}", name.as_str())))
        }
        _ => {
            let attr = vm.repr(&a.pos[1])?;
            Err(vm.new_attribute_error(format!(
                "'getset_descriptor' object has no attribute {}",
                attr.as_str()
            )))
        }
    }
}

fn attr_objclass(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Obj(parts(vm, &a.pos[0])?.1))
}
