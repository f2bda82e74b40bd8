//! The loop's timer heap: `_timer_heappush`, `_timer_heappop` and `_timer_heapify` over a
//! list of `TimerHandle`s, ordered by their `_when` as `TimerHandle.__lt__` orders them.
//! The sift steps are those of CPython's `heapq` (`_siftdown`/`_siftup`), so timers with
//! equal deadlines pop in CPython's order (rule E-3); comparing the deadlines here instead of
//! calling `__lt__` for every comparison is what CPython's C `heapq` cannot do.

use super::attr::{iget, Attr};
use aio_vm::builtins::native_closure;
use aio_vm::code::CmpOp;
use aio_vm::native::Args;
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::rc::Rc;

/// Registers the three natives in the module globals `g`.
pub(super) fn define(vm: &mut Vm, g: &Obj) {
    let when = Rc::new(Attr::new(vm, "_when"));
    type Op = fn(&mut Vm, &Attr, &Obj, &Args) -> PyResult;
    let ops: [(&str, Op); 3] = [
        ("_timer_heappush", push),
        ("_timer_heappop", pop),
        ("_timer_heapify", heapify),
    ];
    for (name, op) in ops {
        let when = when.clone();
        let f = native_closure(
            vm,
            name,
            Some("asyncio"),
            Rc::new(move |vm: &mut Vm, a: Args| {
                let heap = match a.pos.first() {
                    Some(Value::Obj(o)) if matches!(o.payload, Payload::List(_)) => o.clone(),
                    _ => return Err(vm.new_type_error("heap argument must be a list")),
                };
                op(vm, &when, &heap, &a)
            }),
        );
        vm.dict_set_str(g, name, f);
    }
}

fn items(heap: &Obj) -> &std::cell::RefCell<Vec<Value>> {
    match &heap.payload {
        Payload::List(l) => l,
        _ => unreachable!("checked by the caller"),
    }
}

/// `a._when < b._when`.
fn less(vm: &mut Vm, when: &Attr, a: &Value, b: &Value) -> PyResult<bool> {
    let (wa, wb) = (iget(vm, a, when)?, iget(vm, b, when)?);
    match (&wa, &wb) {
        (Value::Float(x), Value::Float(y)) => Ok(x.get() < y.get()),
        _ => {
            let r = vm.compare(&wa, &wb, CmpOp::Lt)?;
            vm.is_true(&r)
        }
    }
}

/// `heap[i]`; a deadline compared by script code may have changed the list, as in CPython's
/// C `heapq`, which then raises the same error.
fn get(vm: &mut Vm, heap: &Obj, i: usize) -> PyResult {
    match items(heap).borrow().get(i) {
        Some(v) => Ok(v.clone()),
        None => Err(changed(vm)),
    }
}

fn changed(vm: &mut Vm) -> Obj {
    vm.new_runtime_error("list changed size during iteration")
}

/// `heap[i] = v`.
fn set(vm: &mut Vm, heap: &Obj, i: usize, v: Value) -> PyResult<()> {
    let old = match items(heap).borrow_mut().get_mut(i) {
        Some(slot) => std::mem::replace(slot, v),
        None => return Err(changed(vm)),
    };
    drop(old);
    Ok(())
}

/// `heapq._siftdown`.
fn sift_down(vm: &mut Vm, when: &Attr, heap: &Obj, start: usize, mut pos: usize) -> PyResult<()> {
    let newitem = get(vm, heap, pos)?;
    while pos > start {
        let parentpos = (pos - 1) >> 1;
        let parent = get(vm, heap, parentpos)?;
        if less(vm, when, &newitem, &parent)? {
            set(vm, heap, pos, parent)?;
            pos = parentpos;
            continue;
        }
        break;
    }
    set(vm, heap, pos, newitem)?;
    Ok(())
}

/// `heapq._siftup`.
fn sift_up(vm: &mut Vm, when: &Attr, heap: &Obj, mut pos: usize) -> PyResult<()> {
    let end = items(heap).borrow().len();
    let start = pos;
    let newitem = get(vm, heap, pos)?;
    let mut child = 2 * pos + 1;
    while child < end {
        let right = child + 1;
        if right < end {
            let (c, r) = (get(vm, heap, child)?, get(vm, heap, right)?);
            if !less(vm, when, &c, &r)? {
                child = right;
            }
        }
        let c = get(vm, heap, child)?;
        set(vm, heap, pos, c)?;
        pos = child;
        child = 2 * pos + 1;
    }
    set(vm, heap, pos, newitem)?;
    sift_down(vm, when, heap, start, pos)
}

fn push(vm: &mut Vm, when: &Attr, heap: &Obj, a: &Args) -> PyResult {
    a.check_count(vm, "_timer_heappush", 2, 2)?;
    heappush(vm, when, heap, a.pos[1].clone())?;
    Ok(Value::None)
}

/// `heapq.heappush(heap, item)` ordered by the handles' `when` attribute.
pub(super) fn heappush(vm: &mut Vm, when: &Attr, heap: &Obj, item: Value) -> PyResult<()> {
    if !matches!(heap.payload, Payload::List(_)) {
        return Err(vm.new_type_error("heap argument must be a list"));
    }
    let n = {
        let mut l = items(heap).borrow_mut();
        l.push(item);
        l.len()
    };
    sift_down(vm, when, heap, 0, n - 1)
}

fn pop(vm: &mut Vm, when: &Attr, heap: &Obj, a: &Args) -> PyResult {
    a.check_count(vm, "_timer_heappop", 1, 1)?;
    heappop(vm, when, heap)
}

/// `heapq.heappop(heap)` ordered by the handles' `when` attribute.
pub(super) fn heappop(vm: &mut Vm, when: &Attr, heap: &Obj) -> PyResult {
    if !matches!(heap.payload, Payload::List(_)) {
        return Err(vm.new_type_error("heap argument must be a list"));
    }
    let last = items(heap).borrow_mut().pop();
    let Some(last) = last else {
        return Err(vm.new_exception_msg(&vm.exc.index_error.clone(), "pop from empty list"));
    };
    if items(heap).borrow().is_empty() {
        return Ok(last);
    }
    let first = std::mem::replace(&mut items(heap).borrow_mut()[0], last);
    sift_up(vm, when, heap, 0)?;
    Ok(first)
}

fn heapify(vm: &mut Vm, when: &Attr, heap: &Obj, a: &Args) -> PyResult {
    a.check_count(vm, "_timer_heapify", 1, 1)?;
    let n = items(heap).borrow().len();
    for i in (0..n / 2).rev() {
        sift_up(vm, when, heap, i)?;
    }
    Ok(Value::None)
}
