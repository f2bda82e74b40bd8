//! The sequence and number-protocol functions of `_operator`: `concat`/`iconcat` (with
//! C's `PySequence_Check` rule), `contains`, `countOf`, `indexOf` (C's
//! `_PySequence_IterSearch`), `getitem`/`setitem`/`delitem`, `index` (`PyNumber_Index`)
//! and `length_hint` (`PyObject_LengthHint`).

use super::{exactly, no_kwargs, one};
use aio_vm::code::BinOp;
use aio_vm::module::{call_special, int_value, to_index};
use aio_vm::native::Args;
use aio_vm::types::{is_subtype, lookup};
use aio_vm::{Obj, PyResult, Value, Vm};
use num_traits::ToPrimitive;

/// True for an instance of a class defined in aio (its dunders run as script code).
fn is_heap(v: &Value) -> bool {
    v.as_obj()
        .and_then(|o| o.class_raw())
        .and_then(|c| c.as_type())
        .is_some_and(|t| t.heap)
}

/// C's `PySequence_Check`: the class has `__getitem__` and is not a `dict` subclass.
fn is_sequence(vm: &mut Vm, v: &Value) -> bool {
    let cls = vm.class_of(v).clone();
    if is_subtype(&cls, &vm.types.dict) {
        return false;
    }
    let name = vm.intern("__getitem__");
    lookup(&cls, &name).is_some()
}

/// A built-in sequence whose type concatenates by itself (C's `sq_concat`).
fn native_concat(v: &Value) -> bool {
    matches!(v, Value::Str(_)) || (!is_heap(v) && aio_vm::ops::builtin_sequence(v))
}

fn cannot_concat(vm: &mut Vm, v: &Value) -> Obj {
    vm.new_type_error(format!(
        "'{}' object can't be concatenated",
        vm.type_name(v)
    ))
}

/// `PySequence_Concat` / `PySequence_InPlaceConcat` after `a` passed `PySequence_Check`:
/// built-in sequences concatenate themselves; other sequences fall back to `+` (`+=`)
/// only when `b` is a sequence too, and a `+` both sides decline is C's
/// `can't be concatenated`.
fn concat_with(vm: &mut Vm, a: &Value, b: &Value, inplace: bool) -> PyResult {
    if !is_sequence(vm, a) {
        return Err(cannot_concat(vm, a));
    }
    let run = |vm: &mut Vm| {
        if inplace {
            vm.inplace_op(a.clone(), b, BinOp::Add)
        } else {
            vm.binary_op(a, b, BinOp::Add)
        }
    };
    if native_concat(a) {
        return run(vm);
    }
    if !is_sequence(vm, b) {
        return Err(cannot_concat(vm, a));
    }
    match run(vm) {
        Err(e) if declined(vm, &e) => Err(cannot_concat(vm, a)),
        r => r,
    }
}

/// True for the `TypeError` of a `+` (or `+=`) no operand implements.
fn declined(vm: &mut Vm, e: &Obj) -> bool {
    let te = vm.exc.type_error.clone();
    vm.is_instance_of(e, &te)
        && vm
            .exception_message(e)
            .starts_with("unsupported operand type(s) for +")
}

/// `concat(a, b)`: `a + b` for sequences.
pub(super) fn concat(vm: &mut Vm, a: Args) -> PyResult {
    let [x, y] = exactly::<2>(vm, &a, "concat")?;
    concat_with(vm, x, y, false)
}

/// `iconcat(a, b)`: `a += b` for sequences.
pub(super) fn iconcat(vm: &mut Vm, a: Args) -> PyResult {
    let [x, y] = exactly::<2>(vm, &a, "iconcat")?;
    concat_with(vm, x, y, true)
}

/// `contains(a, b)`: `b in a`.
pub(super) fn contains(vm: &mut Vm, a: Args) -> PyResult {
    let [x, y] = exactly::<2>(vm, &a, "contains")?;
    Ok(Value::bool(vm.contains(x, y)?))
}

/// `getitem(a, b)`: `a[b]`.
pub(super) fn getitem(vm: &mut Vm, a: Args) -> PyResult {
    let [x, y] = exactly::<2>(vm, &a, "getitem")?;
    vm.getitem(x, y)
}

/// `setitem(a, b, c)`: `a[b] = c`.
pub(super) fn setitem(vm: &mut Vm, a: Args) -> PyResult {
    let [x, y, z] = exactly::<3>(vm, &a, "setitem")?;
    vm.setitem(x, y.clone(), z.clone())?;
    Ok(Value::None)
}

/// `delitem(a, b)`: `del a[b]`.
pub(super) fn delitem(vm: &mut Vm, a: Args) -> PyResult {
    let [x, y] = exactly::<2>(vm, &a, "delitem")?;
    vm.delitem(x, y)?;
    Ok(Value::None)
}

/// `index(a)`: `a.__index__()` as an exact `int`.
pub(super) fn index(vm: &mut Vm, a: Args) -> PyResult {
    match one(vm, &a, "index")? {
        Value::Int(i) => Ok(Value::Int(*i)),
        x => {
            let b = to_index(vm, x)?;
            Ok(int_value(vm, b))
        }
    }
}

/// C's `_PySequence_IterSearch`: the index of the first item equal to `b` (`count`:
/// how many there are).
fn iter_search(vm: &mut Vm, seq: &Value, b: &Value, count: bool) -> PyResult<Option<i64>> {
    let it = match vm.get_iter(seq) {
        Ok(it) => it,
        Err(e) => {
            let te = vm.exc.type_error.clone();
            if vm.is_instance_of(&e, &te) {
                return Err(vm.new_type_error(format!(
                    "argument of type '{}' is not iterable",
                    vm.type_name(seq)
                )));
            }
            return Err(e);
        }
    };
    let mut n = 0;
    while let Some(item) = vm.next(&it)? {
        if item.is(b) || vm.eq(&item, b)? {
            if !count {
                return Ok(Some(n));
            }
            n += 1;
        } else if !count {
            n += 1;
        }
    }
    Ok(count.then_some(n))
}

/// `countOf(a, b)`: how many items of `a` are (or equal) `b`.
pub(super) fn count_of(vm: &mut Vm, a: Args) -> PyResult {
    let [x, y] = exactly::<2>(vm, &a, "countOf")?;
    Ok(Value::Int(iter_search(vm, x, y, true)?.unwrap_or(0)))
}

/// `indexOf(a, b)`: the index of the first item of `a` that is (or equals) `b`.
pub(super) fn index_of(vm: &mut Vm, a: Args) -> PyResult {
    let [x, y] = exactly::<2>(vm, &a, "indexOf")?;
    match iter_search(vm, x, y, false)? {
        Some(i) => Ok(Value::Int(i)),
        None => Err(vm.new_value_error("sequence.index(x): x not in sequence")),
    }
}

/// An index-sized int (`Py_ssize_t` conversion).
fn ssize(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    if let Value::Int(i) = v {
        return Ok(*i);
    }
    let b = to_index(vm, v)?;
    b.to_i64().ok_or_else(|| {
        let oe = vm.exc.overflow_error.clone();
        vm.new_exception_msg(&oe, "Python int too large to convert to C ssize_t")
    })
}

/// `length_hint(obj, default=0, /)`: `len(obj)`, else `obj.__length_hint__()`, else
/// `default` (C's `PyObject_LengthHint`).
pub(super) fn length_hint(vm: &mut Vm, a: Args) -> PyResult {
    no_kwargs(vm, &a, "length_hint")?;
    a.check_count(vm, "length_hint", 1, 2)?;
    let obj = &a.pos[0];
    let default = match a.pos.get(1) {
        Some(d) => ssize(vm, d)?,
        None => 0,
    };
    let te = vm.exc.type_error.clone();
    match vm.len(obj) {
        Ok(n) => return Ok(Value::Int(n as i64)),
        Err(e) if vm.is_instance_of(&e, &te) => {}
        Err(e) => return Err(e),
    }
    let r = match call_special(vm, obj, "__length_hint__", &[]) {
        Ok(Some(r)) => r,
        Ok(None) => return Ok(Value::Int(default)),
        Err(e) if vm.is_instance_of(&e, &te) => return Ok(Value::Int(default)),
        Err(e) => return Err(e),
    };
    if r.is(&vm.not_implemented) {
        return Ok(Value::Int(default));
    }
    let is_int =
        matches!(r, Value::Int(_) | Value::Bool(_)) || is_subtype(vm.class_of(&r), &vm.types.int);
    if !is_int {
        return Err(vm.new_type_error(format!(
            "__length_hint__ must be an integer, not {}",
            vm.type_name(&r)
        )));
    }
    let n = ssize(vm, &r)?;
    if n < 0 {
        return Err(vm.new_value_error("__length_hint__() should return >= 0"));
    }
    Ok(Value::Int(n))
}
