//! `heapq`: the list operations are native (a port of CPython's `_heapq.c`: the same sift
//! order, the same checks that comparisons did not resize the list); `merge`, `nlargest`,
//! `nsmallest` and the max-heap helpers are CPython's pure-Python code (`heapq.aio`).

use aio_vm::code::CmpOp;
use aio_vm::module::ModuleBuilder;
use aio_vm::native::Args;
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;

/// Initialises `heapq`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    ModuleBuilder::new(vm, m)
        .functions_module("_heapq")
        .function("heappush", heappush)
        .function("heappop", heappop)
        .function("heapify", heapify)
        .function("heapreplace", heapreplace)
        .function("heappushpop", heappushpop);
    crate::source::run(vm, m, &[("heapq/heapq.aio", include_str!("heapq.aio"))])
}

/// The list behind argument `v`, or CPython's `TypeError` (`what` names the argument).
fn list_arg<'a>(vm: &mut Vm, v: &'a Value, what: &str) -> PyResult<&'a RefCell<Vec<Value>>> {
    match v.payload() {
        Some(Payload::List(l)) => Ok(l),
        _ => Err(vm.new_type_error(format!("{what} must be list, not {}", vm.type_name(v)))),
    }
}

/// `a < b` as a bool.
pub(crate) fn less(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<bool> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(x < y);
    }
    let r = vm.compare(a, b, CmpOp::Lt)?;
    match r {
        Value::Bool(b) => Ok(b.get()),
        other => vm.is_true(&other),
    }
}

fn changed_size(vm: &mut Vm) -> Obj {
    vm.new_runtime_error("list changed size during iteration")
}

/// CPython's `siftdown`: moves the item at `pos` up towards `start` while it is smaller
/// than its parent.
fn siftdown(vm: &mut Vm, heap: &RefCell<Vec<Value>>, start: usize, mut pos: usize) -> PyResult<()> {
    let size = heap.borrow().len();
    if pos >= size {
        return Err(vm.new_index_error("index out of range"));
    }
    while pos > start {
        let parentpos = (pos - 1) >> 1;
        let (newitem, parent) = {
            let h = heap.borrow();
            (h[pos].clone(), h[parentpos].clone())
        };
        let lt = less(vm, &newitem, &parent)?;
        if heap.borrow().len() != size {
            return Err(changed_size(vm));
        }
        if !lt {
            break;
        }
        heap.borrow_mut().swap(parentpos, pos);
        pos = parentpos;
    }
    Ok(())
}

/// CPython's `siftup`: moves the smaller child up until a leaf, then sifts the item from
/// `pos` back down into place.
fn siftup(vm: &mut Vm, heap: &RefCell<Vec<Value>>, mut pos: usize) -> PyResult<()> {
    let endpos = heap.borrow().len();
    let startpos = pos;
    if pos >= endpos {
        return Err(vm.new_index_error("index out of range"));
    }
    let limit = endpos >> 1;
    while pos < limit {
        let mut childpos = 2 * pos + 1;
        if childpos + 1 < endpos {
            let (a, b) = {
                let h = heap.borrow();
                (h[childpos].clone(), h[childpos + 1].clone())
            };
            if !less(vm, &a, &b)? {
                childpos += 1;
            }
            if heap.borrow().len() != endpos {
                return Err(changed_size(vm));
            }
        }
        heap.borrow_mut().swap(childpos, pos);
        pos = childpos;
    }
    siftdown(vm, heap, startpos, pos)
}

fn heappush(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "heappush")?;
    a.check_count(vm, "heappush", 2, 2)?;
    let heap = list_arg(vm, &a.pos[0], "heappush() argument 1")?;
    heap.borrow_mut().push(a.pos[1].clone());
    let last = heap.borrow().len() - 1;
    siftdown(vm, heap, 0, last)?;
    Ok(Value::None)
}

fn heappop(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "heappop")?;
    a.check_count(vm, "heappop", 1, 1)?;
    let heap = list_arg(vm, &a.pos[0], "heappop() argument")?;
    let Some(last) = heap.borrow_mut().pop() else {
        return Err(vm.new_index_error("index out of range"));
    };
    if heap.borrow().is_empty() {
        return Ok(last);
    }
    replace_top(vm, heap, last)
}

/// Puts `item` at the root, sifts it into place and returns the old root (the heap is not
/// empty).
fn replace_top(vm: &mut Vm, heap: &RefCell<Vec<Value>>, item: Value) -> PyResult {
    let top = std::mem::replace(&mut heap.borrow_mut()[0], item);
    siftup(vm, heap, 0)?;
    Ok(top)
}

fn heapreplace(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "heapreplace")?;
    a.check_count(vm, "heapreplace", 2, 2)?;
    let heap = list_arg(vm, &a.pos[0], "heapreplace() argument 1")?;
    if heap.borrow().is_empty() {
        return Err(vm.new_index_error("index out of range"));
    }
    replace_top(vm, heap, a.pos[1].clone())
}

fn heappushpop(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "heappushpop")?;
    a.check_count(vm, "heappushpop", 2, 2)?;
    let heap = list_arg(vm, &a.pos[0], "heappushpop() argument 1")?;
    let item = a.pos[1].clone();
    let Some(top) = heap.borrow().first().cloned() else {
        return Ok(item);
    };
    if !less(vm, &top, &item)? {
        return Ok(item);
    }
    if heap.borrow().is_empty() {
        return Err(vm.new_index_error("index out of range"));
    }
    replace_top(vm, heap, item)
}

fn heapify(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "heapify")?;
    a.check_count(vm, "_heapq.heapify", 1, 1)?;
    let heap = list_arg(vm, &a.pos[0], "heapify() argument")?;
    let n = heap.borrow().len();
    for i in (0..n / 2).rev() {
        siftup(vm, heap, i)?;
    }
    Ok(Value::None)
}

#[cfg(test)]
mod tests {
    use crate::source::tests::run;

    #[test]
    fn heap_order_matches_a_sort() {
        run("import heapq\n\
             data = [(i * 7919) % 1009 for i in range(500)]\n\
             h = []\n\
             for v in data:\n    heapq.heappush(h, v)\n\
             assert [heapq.heappop(h) for _ in range(500)] == sorted(data)\n\
             h = list(data); heapq.heapify(h)\n\
             assert all(h[(i - 1) // 2] <= h[i] for i in range(1, len(h)))\n");
    }

    #[test]
    fn comparisons_that_resize_the_heap_are_detected() {
        run("import heapq\n\
             heap = []\n\
             class Evil:\n    def __lt__(self, other):\n        heap.clear()\n        return True\n\
             heap.extend([Evil(), Evil()])\n\
             try:\n    heapq.heappush(heap, Evil())\nexcept RuntimeError as e:\n    assert str(e) == 'list changed size during iteration'\n\
             else:\n    raise AssertionError('no error')\n");
    }
}
