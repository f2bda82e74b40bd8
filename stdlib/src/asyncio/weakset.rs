//! `_WeakSet`: a set of objects that does not keep them alive (CPython's `weakref.WeakSet`).
//! asyncio's loop remembers live async generators in one (for `shutdown_asyncgens`), and
//! `_all_tasks` is one, as in CPython (T-14): a pending task nobody references is garbage,
//! and the collector finalizes it ("Task was destroyed but it is pending!").
//!
//! Members are keyed by address, so `add` and `discard` take constant time (the task
//! natives call them once per task); entries whose object died are dropped when met.

use crate::fast_hash::FastMap;
use aio_vm::module::{native_state, new_native_instance, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::object::Object;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;
use std::rc::{Rc, Weak};

/// The members, by address.
type Members = FastMap<usize, Weak<Object>>;

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

fn members<'a>(vm: &mut Vm, v: &'a Value) -> PyResult<&'a RefCell<Members>> {
    native_state::<Members>(v).ok_or_else(|| vm.new_type_error("a _WeakSet is required"))
}

fn new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = a.pos[0].as_obj().cloned().expect("the class");
    Ok(new_native_instance(vm, &cls, Members::default()))
}

/// The live members (dead entries are dropped on the way).
fn live(set: &RefCell<Members>) -> Vec<Obj> {
    let mut m = set.borrow_mut();
    m.retain(|_, w| w.strong_count() > 0);
    m.values().filter_map(Weak::upgrade).collect()
}

/// `set.add(o)` for a `_WeakSet` value `set` (a no-op for other values).
pub(super) fn add_member(set: &Value, o: &Obj) {
    if let Some(m) = native_state::<Members>(set) {
        // A dead object's entry at the same address is replaced.
        m.borrow_mut()
            .insert(Rc::as_ptr(o) as usize, Rc::downgrade(o));
    }
}

/// `set.discard(o)` for a `_WeakSet` value `set` (a no-op for other values).
pub(super) fn discard_member(set: &Value, o: &Obj) {
    if let Some(m) = native_state::<Members>(set) {
        m.borrow_mut().remove(&(Rc::as_ptr(o) as usize));
    }
}

fn add(vm: &mut Vm, a: Args) -> PyResult {
    members(vm, &a.pos[0])?;
    if let Some(Value::Obj(o)) = a.pos.get(1) {
        add_member(&a.pos[0], o);
    }
    Ok(Value::None)
}

fn discard(vm: &mut Vm, a: Args) -> PyResult {
    members(vm, &a.pos[0])?;
    if let Some(Value::Obj(o)) = a.pos.get(1) {
        discard_member(&a.pos[0], o);
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
