//! The native core of `collections.deque`: a `VecDeque` with an optional `maxlen` and
//! CPython's mutation counter (`state`), so iterators detect changes as CPython's do. The
//! hot operations (both ends, indexing, `len`, iteration, `rotate`) are here; the rest
//! (`repr`, comparisons, `count`, `index`, `remove`, arithmetic) is aio in `deque.aio`.

use aio_vm::builtins::iter_self;
use aio_vm::gc::{register_host_state, HostState};
use aio_vm::iter::{native_iter, NativeIter};
use aio_vm::module::{native_state, new_native_instance, to_index_i64, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::any::Any;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// A deque's contents.
#[derive(Default)]
pub struct Deque {
    items: VecDeque<Value>,
    maxlen: Option<usize>,
    /// Bumped by every mutation (CPython's `deque->state`).
    state: u64,
}

impl Deque {
    /// The number of items (`len(d)`).
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// `d.append(v)`.
    pub(crate) fn append(&mut self, v: Value) {
        self.push(v, false);
    }

    /// The item at `i` (from the left), if any.
    pub(crate) fn get(&self, i: usize) -> Option<Value> {
        self.items.get(i).cloned()
    }

    /// The first item (`d[0]`), if any.
    pub(crate) fn front(&self) -> Option<Value> {
        self.items.front().cloned()
    }

    /// The mutation counter: an iterator that finds it moved raises `deque mutated during
    /// iteration`.
    pub(crate) fn state(&self) -> u64 {
        self.state
    }

    /// `d.popleft()`, or `None` when empty.
    pub(crate) fn popleft(&mut self) -> Option<Value> {
        let v = self.items.pop_front()?;
        self.changed();
        Some(v)
    }

    fn changed(&mut self) {
        self.state = self.state.wrapping_add(1);
    }

    /// Appends on the right (on the left with `left`), dropping from the other end past
    /// `maxlen`.
    fn push(&mut self, v: Value, left: bool) {
        if self.maxlen == Some(0) {
            return;
        }
        if left {
            self.items.push_front(v);
        } else {
            self.items.push_back(v);
        }
        if self.maxlen.is_some_and(|m| self.items.len() > m) {
            let dropped = if left {
                self.items.pop_back()
            } else {
                self.items.pop_front()
            };
            drop(dropped);
        }
        self.changed();
    }
}

/// The collector sees the items, so a deque in a cycle (holding itself, or an object that
/// holds it) is reclaimed.
impl HostState for Deque {
    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        self.items.iter().for_each(f);
    }

    fn clear(&mut self, out: &mut Vec<Value>) {
        out.extend(self.items.drain(..));
        self.changed();
    }
}

/// An iterator over a deque (forward or reversed), failing once the deque changed. A
/// [`NativeIter`]: `for`, `sum`, `list` step it directly, without a `__next__` call.
struct DequeIter(RefCell<DequeIterState>);

/// Where a [`DequeIter`] is.
struct DequeIterState {
    deque: Option<Value>,
    next: usize,
    remaining: usize,
    state: u64,
    reverse: bool,
}

impl NativeIter for DequeIter {
    fn next(&self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let mut it = self.0.borrow_mut();
        let Some(d) = it.deque.as_ref().and_then(native_state::<Deque>) else {
            return Ok(None);
        };
        let d = d.borrow();
        if d.state != it.state {
            drop(d);
            it.remaining = 0;
            return Err(vm.new_runtime_error("deque mutated during iteration"));
        }
        if it.remaining == 0 {
            return Ok(None);
        }
        let len = d.items.len();
        let index = if it.reverse {
            len - 1 - it.next
        } else {
            it.next
        };
        let v = d.items.get(index).cloned().unwrap_or(Value::None);
        drop(d);
        it.next += 1;
        it.remaining -= 1;
        Ok(Some(v))
    }

    fn next_numbers(&self, out: &mut Vec<Value>, max: usize) -> usize {
        let Ok(mut it) = self.0.try_borrow_mut() else {
            return 0;
        };
        let Some(d) = it.deque.as_ref().and_then(native_state::<Deque>) else {
            return 0;
        };
        let Ok(d) = d.try_borrow() else {
            return 0;
        };
        // A changed deque is reported by `next`.
        if d.state != it.state {
            return 0;
        }
        let take = max.min(it.remaining);
        let (len, before) = (d.items.len(), out.len());
        let numbers = |v: &&Value| matches!(v, Value::Int(_) | Value::Float(_));
        if it.reverse {
            let end = len - it.next;
            let run = d.items.range(end - take..end).rev().take_while(numbers);
            out.extend(run.cloned());
        } else {
            let run = d.items.range(it.next..it.next + take).take_while(numbers);
            out.extend(run.cloned());
        }
        drop(d);
        let n = out.len() - before;
        it.next += n;
        it.remaining -= n;
        n
    }

    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Ok(it) = self.0.try_borrow() {
            if let Some(d) = &it.deque {
                f(d);
            }
        }
    }

    fn clear(&self, out: &mut Vec<Value>) {
        if let Ok(mut it) = self.0.try_borrow_mut() {
            out.extend(it.deque.take());
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Adds the native `deque` and `_deque_iterator` classes and the `_deque_items` /
/// `_deque_state` helpers to the `collections` namespace.
pub fn install(vm: &mut Vm, m: &Obj) {
    register_host_state::<Deque>();
    let mut b = ModuleBuilder::new(vm, m);
    b.function("_deque_items", items)
        .function("_deque_state", state_of);
    let iter_cls = b
        .class("_deque_iterator")
        .method("__next__", iter_next)
        .method("__iter__", iter_self)
        .method("__length_hint__", iter_length_hint)
        .finish();
    b.class("deque")
        .constructor(new)
        .method("__init__", init)
        .method("append", append)
        .method("appendleft", appendleft)
        .method("pop", pop)
        .method("popleft", popleft)
        .method("extend", extend)
        .method("extendleft", extendleft)
        .method("clear", clear)
        .method("rotate", rotate)
        .method("reverse", reverse)
        .method("insert", insert)
        .method("remove", remove)
        .method("__len__", len)
        .method("__bool__", truth)
        .method("__getitem__", getitem)
        .method("__setitem__", setitem)
        .method("__delitem__", delitem)
        .method("__iter__", iter)
        .method("__reversed__", reversed)
        .method("_maxlen", maxlen)
        .attr("_iterator", Value::Obj(iter_cls))
        .finish();
}

/// The deque state of `self` (argument 0), or `TypeError`.
fn this<'a>(vm: &mut Vm, a: &Args<'a>) -> PyResult<&'a RefCell<Deque>> {
    match a.pos.first().and_then(native_state::<Deque>) {
        Some(d) => Ok(d),
        None => Err(vm.new_type_error("descriptor requires a 'collections.deque' object")),
    }
}

fn new(vm: &mut Vm, a: Args) -> PyResult {
    let Some(Value::Obj(cls)) = a.pos.first() else {
        return Err(vm.new_type_error("deque.__new__(X): X is not a type object"));
    };
    Ok(new_native_instance(vm, cls, Deque::default()))
}

fn init(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "deque", &["iterable", "maxlen"])?;
    if a.pos.len() > 3 {
        return Err(vm.new_type_error(format!(
            "deque expected at most 2 arguments, got {}",
            a.pos.len() - 1
        )));
    }
    let d = this(vm, &a)?;
    let maxlen = match a.arg(2, "maxlen") {
        None | Some(Value::None) => None,
        Some(v) => {
            let Some(n) = aio_vm::module::as_int(v) else {
                return Err(vm.new_type_error("an integer is required"));
            };
            let n = i64::try_from(n).unwrap_or(i64::MAX);
            if n < 0 {
                return Err(vm.new_value_error("maxlen must be non-negative"));
            }
            Some(n as usize)
        }
    };
    {
        let mut d = d.borrow_mut();
        d.maxlen = maxlen;
        d.items.clear();
        d.changed();
    }
    if let Some(it) = a.arg(1, "iterable") {
        extend_with(vm, &a.pos[0], d, it, false)?;
    }
    Ok(Value::None)
}

fn append(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "append", 1, 1)?;
    this(vm, &a)?.borrow_mut().push(a.pos[1].clone(), false);
    Ok(Value::None)
}

fn appendleft(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "appendleft", 1, 1)?;
    this(vm, &a)?.borrow_mut().push(a.pos[1].clone(), true);
    Ok(Value::None)
}

fn pop(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "pop", 0, 0)?;
    take(vm, &a, false)
}

fn popleft(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "popleft", 0, 0)?;
    take(vm, &a, true)
}

/// Removes and returns the item at the right end (the left with `left`).
fn take(vm: &mut Vm, a: &Args, left: bool) -> PyResult {
    let mut d = this(vm, a)?.borrow_mut();
    let v = if left {
        d.items.pop_front()
    } else {
        d.items.pop_back()
    };
    match v {
        Some(v) => {
            d.changed();
            Ok(v)
        }
        None => Err(vm.new_index_error("pop from an empty deque")),
    }
}

/// Extends on the right (or, with `left`, on the left one by one) with the items of `it`.
fn extend_with(
    vm: &mut Vm,
    me: &Value,
    d: &RefCell<Deque>,
    it: &Value,
    left: bool,
) -> PyResult<()> {
    let values = if it.is(me) {
        d.borrow().items.iter().cloned().collect()
    } else {
        vm.collect(it)?
    };
    let mut d = d.borrow_mut();
    for v in values {
        d.push(v, left);
    }
    Ok(())
}

fn extend(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "extend", 1, 1)?;
    let d = this(vm, &a)?;
    extend_with(vm, &a.pos[0], d, &a.pos[1], false)?;
    Ok(Value::None)
}

fn extendleft(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "extendleft", 1, 1)?;
    let d = this(vm, &a)?;
    extend_with(vm, &a.pos[0], d, &a.pos[1], true)?;
    Ok(Value::None)
}

fn clear(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "clear", 0, 0)?;
    let old = {
        let mut d = this(vm, &a)?.borrow_mut();
        // CPython's deque_clear leaves an empty deque (and its iterators) alone.
        if !d.items.is_empty() {
            d.changed();
        }
        std::mem::take(&mut d.items)
    };
    drop(old);
    Ok(Value::None)
}

fn rotate(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "rotate", 0, 1)?;
    let n = match a.get(1) {
        Some(v) => to_index_i64(vm, v)?,
        None => 1,
    };
    let mut d = this(vm, &a)?.borrow_mut();
    let len = d.items.len() as i64;
    if len > 1 {
        let k = n.rem_euclid(len) as usize;
        d.items.rotate_right(k);
        d.changed();
    }
    Ok(Value::None)
}

fn reverse(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "reverse", 0, 0)?;
    let mut d = this(vm, &a)?.borrow_mut();
    // In place, as CPython's deque_reverse: live iterators see the new order, no error.
    d.items.make_contiguous().reverse();
    Ok(Value::None)
}

fn insert(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "insert", 2, 2)?;
    let i = to_index_i64(vm, &a.pos[1])?;
    let d = this(vm, &a)?;
    let mut d = d.borrow_mut();
    let len = d.items.len() as i64;
    if d.maxlen.is_some_and(|m| d.items.len() >= m) {
        return Err(vm.new_index_error("deque already at its maximum size"));
    }
    let at = if i < 0 { (len + i).max(0) } else { i.min(len) };
    d.items.insert(at as usize, a.pos[2].clone());
    d.changed();
    Ok(Value::None)
}

/// `deque.remove(value)`, as CPython's `deque_remove`: the first item equal to `value`
/// (identity first), failing if a comparison mutated the deque. Removing near either end
/// costs little (asyncio's waiter queues remove their first entry).
fn remove(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "remove", 1, 1)?;
    let value = &a.pos[1];
    let d = this(vm, &a)?;
    let (n, start) = {
        let d = d.borrow();
        (d.items.len(), d.state)
    };
    for i in 0..n {
        let item = d.borrow().items.get(i).cloned();
        let Some(item) = item else { break };
        let equal = item.id() == value.id() || vm.eq(&item, value)?;
        if d.borrow().state != start {
            return Err(vm.new_index_error("deque mutated during iteration"));
        }
        if equal {
            let mut d = d.borrow_mut();
            let removed = d.items.remove(i);
            d.changed();
            drop(d);
            drop(removed);
            return Ok(Value::None);
        }
    }
    let r = vm.repr(value)?;
    Err(vm.new_value_error(format!("{} is not in deque", r.as_str())))
}

fn len(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int(this(vm, &a)?.borrow().items.len() as i64))
}

fn truth(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::bool(!this(vm, &a)?.borrow().items.is_empty()))
}

/// The position `v` names in a deque of `len` items, with CPython's errors.
fn position(vm: &mut Vm, v: &Value, len: usize) -> PyResult<usize> {
    let i = match v {
        Value::Int(i) => *i,
        Value::Bool(b) => i64::from(b.get()),
        other => {
            if aio_vm::module::as_int(other).is_none()
                && aio_vm::module::call_special(vm, other, "__index__", &[])?.is_none()
            {
                return Err(vm.new_type_error(format!(
                    "sequence index must be integer, not '{}'",
                    vm.type_name(other)
                )));
            }
            to_index_i64(vm, other)?
        }
    };
    let i = if i < 0 { i + len as i64 } else { i };
    if i < 0 || i >= len as i64 {
        return Err(vm.new_index_error("deque index out of range"));
    }
    Ok(i as usize)
}

fn getitem(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__getitem__", 1, 1)?;
    let d = this(vm, &a)?;
    let len = d.borrow().items.len();
    let i = position(vm, &a.pos[1], len)?;
    let v = d.borrow().items.get(i).cloned();
    v.ok_or_else(|| vm.new_index_error("deque index out of range"))
}

fn setitem(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__setitem__", 2, 2)?;
    let d = this(vm, &a)?;
    let len = d.borrow().items.len();
    let i = position(vm, &a.pos[1], len)?;
    let old = d
        .borrow_mut()
        .items
        .get_mut(i)
        .map(|slot| std::mem::replace(slot, a.pos[2].clone()));
    drop(old);
    Ok(Value::None)
}

fn delitem(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__delitem__", 1, 1)?;
    let d = this(vm, &a)?;
    let len = d.borrow().items.len();
    let i = position(vm, &a.pos[1], len)?;
    let old = {
        let mut d = d.borrow_mut();
        d.changed();
        d.items.remove(i)
    };
    drop(old);
    Ok(Value::None)
}

fn maxlen(vm: &mut Vm, a: Args) -> PyResult {
    Ok(match this(vm, &a)?.borrow().maxlen {
        Some(m) => Value::Int(m as i64),
        None => Value::None,
    })
}

/// `_deque_items(d)`: a list of the items (a snapshot for the aio methods).
fn items(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_deque_items", 1, 1)?;
    let v: Vec<Value> = this(vm, &a)?.borrow().items.iter().cloned().collect();
    Ok(vm.new_list(v))
}

/// `_deque_state(d)`: the mutation counter.
fn state_of(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_deque_state", 1, 1)?;
    Ok(Value::Int(this(vm, &a)?.borrow().state as i64))
}

fn make_iter(vm: &mut Vm, a: &Args, reverse: bool) -> PyResult {
    let me = a.pos[0].clone();
    let (len, state) = {
        let d = this(vm, a)?.borrow();
        (d.items.len(), d.state)
    };
    let cls = vm.class_of(&me).clone();
    // Found through the type's method cache, not the attribute protocol: `sum(d)` and
    // `for x in d` make one iterator per call.
    let name = vm.intern("_iterator");
    let Some(Value::Obj(iter_cls)) = vm.lookup(&cls, &name) else {
        return Err(vm.new_type_error("deque iterator class is missing"));
    };
    let it = DequeIter(RefCell::new(DequeIterState {
        deque: Some(me),
        next: 0,
        remaining: len,
        state,
        reverse,
    }));
    Ok(vm.new_native_iterator(&iter_cls, Rc::new(it)))
}

fn iter(vm: &mut Vm, a: Args) -> PyResult {
    make_iter(vm, &a, false)
}

fn reversed(vm: &mut Vm, a: Args) -> PyResult {
    make_iter(vm, &a, true)
}

/// `_deque_iterator.__next__`: [`Vm::next`] steps the [`DequeIter`].
fn iter_next(vm: &mut Vm, a: Args) -> PyResult {
    let Some(it) = a.pos.first().filter(|v| deque_iter(v).is_some()) else {
        return Err(vm.new_type_error("descriptor requires a '_deque_iterator' object"));
    };
    match vm.next(it)? {
        Some(v) => Ok(v),
        None => Err(vm.new_stop_iteration(Value::None)),
    }
}

/// The [`DequeIter`] behind a `_deque_iterator` value.
fn deque_iter(v: &Value) -> Option<Rc<dyn NativeIter>> {
    native_iter(v).filter(|n| n.as_any().is::<DequeIter>())
}

fn iter_length_hint(vm: &mut Vm, a: Args) -> PyResult {
    let it = a.pos.first().and_then(deque_iter);
    match it
        .as_ref()
        .and_then(|n| n.as_any().downcast_ref::<DequeIter>())
    {
        Some(it) => Ok(Value::Int(it.0.borrow().remaining as i64)),
        None => Err(vm.new_type_error("descriptor requires a '_deque_iterator' object")),
    }
}

#[cfg(test)]
mod tests {
    use crate::source::tests::run;

    #[test]
    fn deque_iterators_see_mutation() {
        run("from collections import deque\n\
             d = deque(range(3), maxlen=3)\n\
             d.appendleft(-1)\n\
             assert list(d) == [-1, 0, 1] and list(reversed(d)) == [1, 0, -1]\n\
             it = iter(d); next(it); d.append(5)\n\
             try:\n    next(it)\nexcept RuntimeError as e:\n    assert str(e) == 'deque mutated during iteration'\n\
             else:\n    raise AssertionError('no error')\n");
    }
}
