//! `_thread.RLock`, native as CPython's (`rlockobject` in `Modules/_threadmodule.c`), so
//! `threading.RLock()` is this class: a lock the owning thread may take again, counting
//! how often. `logging` takes one around every record it handles.

use super::acquire_args;
use aio_vm::module::{native_state, new_native_instance, ClassBuilder};
use aio_vm::native::Args;
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;

/// An `RLock`'s state: whether it is taken, by which thread, and how often.
#[derive(Default)]
struct RLockState {
    /// The owning thread's ident (0: none, as CPython reports it).
    owner: u64,
    /// How often the owner took it (0: unlocked).
    count: u64,
}

/// Adds `RLock` to `_thread`.
pub(super) fn install(vm: &mut Vm) -> Obj {
    let cls = crate::native_class::native_class(vm, "_thread", "RLock");
    ClassBuilder::new(vm, &cls)
        .constructor(new)
        .method("acquire", acquire)
        .method("__enter__", acquire)
        .method("release", release)
        .method("__exit__", exit)
        .method("_acquire_restore", acquire_restore)
        .method("_release_save", release_save)
        .method("_is_owned", is_owned)
        .method("_recursion_count", recursion_count)
        .method("_at_fork_reinit", at_fork_reinit)
        .method("__repr__", repr);
    cls
}

/// `RLock(*args, **kwargs)`: CPython's ignores its arguments.
fn new(vm: &mut Vm, a: Args) -> PyResult {
    let Some(Value::Obj(cls)) = a.pos.first() else {
        return Err(vm.new_type_error("RLock.__new__(X): X is not a type object"));
    };
    Ok(new_native_instance(vm, cls, RLockState::default()))
}

fn state<'a>(vm: &mut Vm, v: &'a Value) -> PyResult<&'a RefCell<RLockState>> {
    native_state::<RLockState>(v)
        .ok_or_else(|| vm.new_type_error("descriptor requires a '_thread.RLock' object"))
}

/// `acquire(blocking=True, timeout=-1)` (also `__enter__`): the owner counts one more;
/// any other thread waits until the count is back to zero.
fn acquire(vm: &mut Vm, a: Args) -> PyResult {
    let lock = a.pos[0].clone();
    let (blocking, deadline) = acquire_args(vm, &a)?;
    let me = vm.thread_ident();
    let st = state(vm, &lock)?;
    {
        let mut s = st.borrow_mut();
        if s.count > 0 && s.owner == me {
            if s.count == u64::MAX {
                drop(s);
                return Err(vm.new_overflow_error("Internal lock count overflowed"));
            }
            s.count += 1;
            return Ok(Value::bool(true));
        }
        if s.count == 0 {
            *s = RLockState {
                owner: me,
                count: 1,
            };
            return Ok(Value::bool(true));
        }
    }
    if !blocking || deadline == Some(None) {
        return Ok(Value::bool(false));
    }
    wait_for(vm, lock, me, 1, deadline.flatten())
}

/// Parks the running thread until `lock` is free (or `deadline` passes), then takes it
/// as `me` with `count`.
fn wait_for(
    vm: &mut Vm,
    lock: Value,
    me: u64,
    count: u64,
    deadline: Option<std::time::Instant>,
) -> PyResult {
    vm.flush_stdout();
    vm.block_thread(deadline, move |_vm, timed_out| {
        let mut s = native_state::<RLockState>(&lock)?.borrow_mut();
        if s.count == 0 {
            *s = RLockState { owner: me, count };
            Some(Ok(Value::bool(true)))
        } else if timed_out {
            Some(Ok(Value::bool(false)))
        } else {
            None
        }
    })
}

fn release(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "release", 0, 0)?;
    unlock(vm, &a.pos[0])
}

/// `__exit__(*exc_info)`: releases once.
fn exit(vm: &mut Vm, a: Args) -> PyResult {
    unlock(vm, &a.pos[0])
}

fn unlock(vm: &mut Vm, lock: &Value) -> PyResult {
    let me = vm.thread_ident();
    let st = state(vm, lock)?;
    let mut s = st.borrow_mut();
    if s.count == 0 || s.owner != me {
        drop(s);
        return Err(vm.new_runtime_error("cannot release un-acquired lock"));
    }
    s.count -= 1;
    if s.count == 0 {
        s.owner = 0;
    }
    Ok(Value::None)
}

/// `_release_save()` (for `Condition.wait`): releases entirely and returns
/// `(count, owner)`.
fn release_save(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "_release_save", 0, 0)?;
    let st = state(vm, &a.pos[0])?;
    let saved = std::mem::take(&mut *st.borrow_mut());
    if saved.count == 0 {
        return Err(vm.new_runtime_error("cannot release un-acquired lock"));
    }
    Ok(vm.new_tuple(vec![
        Value::Int(saved.count as i64),
        Value::Int(saved.owner as i64),
    ]))
}

/// `_acquire_restore((count, owner))`: takes the lock (waiting for it) and restores the
/// saved count and owner.
fn acquire_restore(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "_acquire_restore", 1, 1)?;
    let lock = a.pos[0].clone();
    let pair = match a.pos[1].payload() {
        Some(Payload::Tuple(t)) if t.len() == 2 => Some([t[0].clone(), t[1].clone()]),
        _ => None,
    };
    let Some([count, owner]) = pair else {
        return Err(vm.new_type_error(format!(
            "_acquire_restore() argument 1 must be 2-item sequence, not {}",
            vm.type_name(&a.pos[1])
        )));
    };
    let count = aio_vm::module::to_index_i64(vm, &count)? as u64;
    let owner = aio_vm::module::to_index_i64(vm, &owner)? as u64;
    let st = state(vm, &lock)?;
    if st.borrow().count == 0 {
        *st.borrow_mut() = RLockState { owner, count };
        return Ok(Value::None);
    }
    wait_for(vm, lock, owner, count, None)?;
    Ok(Value::None)
}

fn is_owned(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "_is_owned", 0, 0)?;
    let me = vm.thread_ident();
    let s = state(vm, &a.pos[0])?.borrow();
    Ok(Value::bool(s.count > 0 && s.owner == me))
}

fn recursion_count(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "_recursion_count", 0, 0)?;
    let me = vm.thread_ident();
    let s = state(vm, &a.pos[0])?.borrow();
    let n = if s.owner == me { s.count } else { 0 };
    Ok(Value::Int(n as i64))
}

fn at_fork_reinit(vm: &mut Vm, a: Args) -> PyResult {
    *state(vm, &a.pos[0])?.borrow_mut() = RLockState::default();
    Ok(Value::None)
}

/// `<unlocked _thread.RLock object owner=0 count=0 at 0x...>`.
fn repr(vm: &mut Vm, a: Args) -> PyResult {
    let me = &a.pos[0];
    let (owner, count) = {
        let s = state(vm, me)?.borrow();
        (s.owner, s.count)
    };
    let word = if count > 0 { "locked" } else { "unlocked" };
    let name = aio_vm::types::type_name(vm.class_of(me));
    Ok(Value::str(format!(
        "<{word} {name} object owner={owner} count={count} at {:#x}>",
        me.id()
    )))
}
