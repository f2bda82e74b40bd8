//! `_WeakSet`: the set of objects that does not keep them alive, which asyncio's loop uses
//! to remember live async generators for `shutdown_asyncgens` (CPython's `weakref.WeakSet`).

use aio_vm::module::{native_state, new_native_instance, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::rc::{Rc, Weak};

type Members = Vec<Weak<aio_vm::object::Object>>;

/// Adds `_WeakSet` to the module being built.
pub(super) fn define(b: &mut ModuleBuilder) {
    let mut c = b.class("_WeakSet");
    c.constructor(new)
        .method("add", add)
        .method("discard", discard)
        .method("clear", clear)
        .method("__len__", len)
        .method("__iter__", iter);
    c.finish();
}

fn members<'a>(vm: &mut Vm, v: &'a Value) -> PyResult<&'a std::cell::RefCell<Members>> {
    native_state::<Members>(v).ok_or_else(|| vm.new_type_error("a _WeakSet is required"))
}

fn new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = a.pos[0].as_obj().cloned().expect("the class");
    Ok(new_native_instance(vm, &cls, Members::new()))
}

/// The live members (dead entries are dropped on the way).
fn live(set: &std::cell::RefCell<Members>) -> Vec<Obj> {
    let mut m = set.borrow_mut();
    m.retain(|w| w.strong_count() > 0);
    m.iter().filter_map(Weak::upgrade).collect()
}

fn add(vm: &mut Vm, a: Args) -> PyResult {
    let set = members(vm, &a.pos[0])?;
    if let Some(Value::Obj(o)) = a.pos.get(1) {
        if !live(set).iter().any(|m| Rc::ptr_eq(m, o)) {
            set.borrow_mut().push(Rc::downgrade(o));
        }
    }
    Ok(Value::None)
}

fn discard(vm: &mut Vm, a: Args) -> PyResult {
    let set = members(vm, &a.pos[0])?;
    if let Some(Value::Obj(o)) = a.pos.get(1) {
        set.borrow_mut()
            .retain(|w| !std::ptr::eq(w.as_ptr(), Rc::as_ptr(o)));
    }
    Ok(Value::None)
}

fn clear(vm: &mut Vm, a: Args) -> PyResult {
    members(vm, &a.pos[0])?.borrow_mut().clear();
    Ok(Value::None)
}

fn len(vm: &mut Vm, a: Args) -> PyResult {
    let n = live(members(vm, &a.pos[0])?).len();
    Ok(Value::Int(n as i64))
}

fn iter(vm: &mut Vm, a: Args) -> PyResult {
    let items = live(members(vm, &a.pos[0])?)
        .into_iter()
        .map(Value::Obj)
        .collect();
    let list = vm.new_list(items);
    vm.get_iter(&list)
}
