//! The loop's timer heap: `_timer_heappush`, `_timer_heappop` and `_timer_heapify` over a
//! list of `TimerHandle`s, ordered by their `_when` as `TimerHandle.__lt__` orders them.
//! The sift steps are those of CPython's `heapq` (`_siftdown`/`_siftup`), so timers with
//! equal deadlines pop in CPython's order (rule E-3); comparing the deadlines here instead of
//! calling `__lt__` for every comparison is what CPython's C `heapq` cannot do.

use super::attr::{iget, slot_index, Attr};
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

/// The `_when` attribute of the handles of one heap operation. The slot number is looked
/// up for the first handle's class and reused while the handles are of that class (a
/// heap holds `TimerHandle`s): the layout of a class cannot change while no script code
/// runs, and a comparison that runs some forgets it.
struct When<'a> {
    name: &'a Attr,
    /// The class address and its `_when` slot (0 for none yet).
    cls: usize,
    slot: usize,
}

impl<'a> When<'a> {
    fn new(name: &'a Attr) -> When<'a> {
        When {
            name,
            cls: 0,
            slot: 0,
        }
    }

    /// `v._when`.
    fn of(&mut self, vm: &mut Vm, v: &Value) -> PyResult {
        if let Value::Obj(o) = v {
            if let (Payload::Slots(vals), Some(cls)) = (&o.payload, o.class_raw()) {
                let cls = Rc::as_ptr(cls) as usize;
                if cls != self.cls {
                    if let Some(slot) = slot_index(vm, o, self.name) {
                        (self.cls, self.slot) = (cls, slot);
                    }
                }
                if cls == self.cls {
                    if let Some(Some(w)) = vals.borrow().get(self.slot) {
                        return Ok(w.clone());
                    }
                }
            }
        }
        iget(vm, v, self.name)
    }

    /// `v._when` when it is a float in the slot of a class already seen: read without
    /// running any code (the fast sifts below), `None` for anything else.
    #[inline]
    fn float_of(&mut self, vm: &Vm, v: &Value) -> Option<f64> {
        let Value::Obj(o) = v else { return None };
        let (Payload::Slots(vals), Some(cls)) = (&o.payload, o.class_raw()) else {
            return None;
        };
        let cls = Rc::as_ptr(cls) as usize;
        if cls != self.cls {
            let slot = slot_index(vm, o, self.name)?;
            (self.cls, self.slot) = (cls, slot);
        }
        match vals.borrow().get(self.slot) {
            Some(Some(Value::Float(w))) => Some(w.get()),
            _ => None,
        }
    }

    /// `a._when < b._when`.
    fn less(&mut self, vm: &mut Vm, a: &Value, b: &Value) -> PyResult<bool> {
        let (wa, wb) = (self.of(vm, a)?, self.of(vm, b)?);
        match (&wa, &wb) {
            (Value::Float(x), Value::Float(y)) => Ok(x.get() < y.get()),
            _ => {
                self.cls = 0;
                let r = vm.compare(&wa, &wb, CmpOp::Lt)?;
                vm.is_true(&r)
            }
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

/// The deepest heap has 64 levels.
const MAX_DEPTH: usize = 64;

/// [`sift_down`] when every deadline it compares is a float slot ([`When::float_of`]):
/// the final place is found by reading the deadlines, then the item is swapped up to it,
/// which leaves the list as `heapq._siftdown`'s moves do. `false`, with the list
/// untouched, when some deadline needs the general path.
fn sift_down_floats(
    vm: &Vm,
    when: &mut When,
    items: &mut [Value],
    start: usize,
    pos: usize,
) -> bool {
    let Some(new) = items.get(pos).and_then(|v| when.float_of(vm, v)) else {
        return false;
    };
    let mut target = pos;
    while target > start {
        let parent = (target - 1) >> 1;
        match when.float_of(vm, &items[parent]) {
            Some(w) if new < w => target = parent,
            Some(_) => break,
            None => return false,
        }
    }
    let mut cur = pos;
    while cur != target {
        let parent = (cur - 1) >> 1;
        items.swap(cur, parent);
        cur = parent;
    }
    true
}

/// [`sift_up`] when every deadline it compares is a float slot: the path of smaller
/// children to a leaf and the deadlines along it are read first, then the item is moved
/// down that path and back up to its place, as `heapq._siftup` and `_siftdown` move it.
/// `false`, with the list untouched, when some deadline needs the general path.
fn sift_up_floats(vm: &Vm, when: &mut When, items: &mut [Value], start: usize) -> bool {
    let end = items.len();
    let Some(new) = items.get(start).and_then(|v| when.float_of(vm, v)) else {
        return false;
    };
    // The positions below `start` the item passes, and their deadlines.
    let mut path = [(0usize, 0f64); MAX_DEPTH];
    let mut depth = 0;
    let mut pos = start;
    let mut child = 2 * pos + 1;
    while child < end {
        let Some(mut w) = when.float_of(vm, &items[child]) else {
            return false;
        };
        let right = child + 1;
        if right < end {
            let Some(wr) = when.float_of(vm, &items[right]) else {
                return false;
            };
            // `not heap[child] < heap[right]`: a NaN deadline is not less either.
            if w.partial_cmp(&wr) != Some(std::cmp::Ordering::Less) {
                (child, w) = (right, wr);
            }
        }
        path[depth] = (child, w);
        depth += 1;
        pos = child;
        child = 2 * pos + 1;
    }
    // `_siftdown(heap, start, pos)` from the leaf: the item stops below the deepest
    // ancestor on the path whose deadline is not greater than its own.
    let mut stop = depth;
    while stop > 0 && new < path[stop - 1].1 {
        stop -= 1;
    }
    // Each child on the path above the stop moves up one level; the item takes the
    // place of the last one moved.
    let mut cur = start;
    for &(child, _) in &path[..stop] {
        items.swap(cur, child);
        cur = child;
    }
    true
}

/// `heapq._siftdown`.
fn sift_down(
    vm: &mut Vm,
    when: &mut When,
    heap: &Obj,
    start: usize,
    mut pos: usize,
) -> PyResult<()> {
    let newitem = get(vm, heap, pos)?;
    while pos > start {
        let parentpos = (pos - 1) >> 1;
        let parent = get(vm, heap, parentpos)?;
        if when.less(vm, &newitem, &parent)? {
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
fn sift_up(vm: &mut Vm, when: &mut When, heap: &Obj, mut pos: usize) -> PyResult<()> {
    let end = items(heap).borrow().len();
    let start = pos;
    let newitem = get(vm, heap, pos)?;
    let mut child = 2 * pos + 1;
    while child < end {
        let right = child + 1;
        if right < end {
            let (c, r) = (get(vm, heap, child)?, get(vm, heap, right)?);
            if !when.less(vm, &c, &r)? {
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
    let mut when = When::new(when);
    let n = {
        let mut l = items(heap).borrow_mut();
        l.push(item);
        let last = l.len() - 1;
        if sift_down_floats(vm, &mut when, &mut l, 0, last) {
            return Ok(());
        }
        l.len()
    };
    sift_down(vm, &mut when, heap, 0, n - 1)
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
    let mut when = When::new(when);
    let first = {
        let mut l = items(heap).borrow_mut();
        let first = std::mem::replace(&mut l[0], last);
        if sift_up_floats(vm, &mut when, &mut l, 0) {
            return Ok(first);
        }
        first
    };
    sift_up(vm, &mut when, heap, 0)?;
    Ok(first)
}

fn heapify(vm: &mut Vm, when: &Attr, heap: &Obj, a: &Args) -> PyResult {
    a.check_count(vm, "_timer_heapify", 1, 1)?;
    let n = items(heap).borrow().len();
    let mut when = When::new(when);
    for i in (0..n / 2).rev() {
        sift_up(vm, &mut when, heap, i)?;
    }
    Ok(Value::None)
}
