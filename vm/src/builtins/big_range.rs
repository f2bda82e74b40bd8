//! `range` objects whose bounds or length do not fit an `i64` (`range(10**30)`).
//!
//! CPython's `range` holds Python ints; aio keeps the common case in `Payload::Range`
//! (`i64` bounds whose length fits an `i64` too) and the rest in `Payload::BigRange`, whose
//! operations here work in unbounded ints. Code that serves both reads [`bounds`].

use crate::iter::NativeIter;
use crate::num;
use crate::object::{Object, Payload};
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::cell::RefCell;
use std::rc::Rc;

/// The `(start, stop, step)` of a range of either representation; `None` for other values.
pub fn bounds(v: &Value) -> Option<[BigInt; 3]> {
    match v.payload()? {
        Payload::Range(r) => Some(r.map(BigInt::from)),
        Payload::BigRange(r) => Some((**r).clone()),
        _ => None,
    }
}

/// The number of items of `range(start, stop, step)` (`step` is not zero).
pub fn len(r: &[BigInt; 3]) -> BigInt {
    let [start, stop, step] = r;
    if step.is_positive() && start < stop {
        (stop - start - 1) / step + 1
    } else if step.is_negative() && start > stop {
        (start - stop - 1) / (-step) + 1
    } else {
        BigInt::zero()
    }
}

/// A range value: the `i64` representation when the bounds and the length fit.
pub fn make(vm: &Vm, r: [BigInt; 3]) -> Value {
    let small = match (r[0].to_i64(), r[1].to_i64(), r[2].to_i64()) {
        (Some(a), Some(b), Some(c)) if len(&r).to_i64().is_some() => Some([a, b, c]),
        _ => None,
    };
    let payload = match small {
        Some(s) => Payload::Range(Box::new(s)),
        None => Payload::BigRange(Box::new(r)),
    };
    Value::Obj(Rc::new(Object::new(vm.types.range.clone(), payload)))
}

/// `range(*args)` when every argument is a small int (nearly every call): the range
/// computed in machine integers, without the big-int path. `None` for any other
/// arguments (and a zero step), which [`make`]'s callers check and report.
pub fn make_small(vm: &Vm, args: &[Value]) -> Option<Value> {
    let (start, stop, step) = match *args {
        [Value::Int(stop)] => (0, stop, 1),
        [Value::Int(start), Value::Int(stop)] => (start, stop, 1),
        [Value::Int(start), Value::Int(stop), Value::Int(step)] if step != 0 => (start, stop, step),
        _ => return None,
    };
    let (a, b, c) = (i128::from(start), i128::from(stop), i128::from(step));
    let n = if c > 0 && a < b {
        (b - a - 1) / c + 1
    } else if c < 0 && a > b {
        (a - b - 1) / -c + 1
    } else {
        0
    };
    i64::try_from(n).ok()?;
    let payload = Payload::Range(Box::new([start, stop, step]));
    Some(Value::Obj(Rc::new(Object::new(
        vm.types.range.clone(),
        payload,
    ))))
}

/// `len(r)`: CPython's OverflowError when the length does not fit a `Py_ssize_t`.
pub fn len_checked(vm: &Vm, r: &[BigInt; 3]) -> PyResult<usize> {
    match len(r).to_i64() {
        Some(n) => Ok(n as usize),
        None => Err(vm.new_overflow_error("Python int too large to convert to C ssize_t")),
    }
}

/// Whether the int `x` is an item of `r`.
pub fn contains(r: &[BigInt; 3], x: &BigInt) -> bool {
    let [start, stop, step] = r;
    let inside = if step.is_positive() {
        x >= start && x < stop
    } else {
        x <= start && x > stop
    };
    inside && ((x - start) % step).is_zero()
}

/// The position of the int `x` in `r`, if it is an item.
pub fn position(r: &[BigInt; 3], x: &BigInt) -> Option<BigInt> {
    contains(r, x).then(|| (x - &r[0]) / &r[2])
}

/// `r[idx]`: an item for an index, a range for a slice.
pub fn getitem(vm: &mut Vm, r: &[BigInt; 3], idx: &Value) -> PyResult {
    let n = len(r);
    if let Some(Payload::Slice(sl)) = idx.payload() {
        let sl = (**sl).clone();
        let (a, b, c) = super::subscript::slice_indices_big(vm, &sl, &n)?;
        let start = &r[0] + a * &r[2];
        let stop = &r[0] + b * &r[2];
        let step = &r[2] * c;
        return Ok(make(vm, [start, stop, step]));
    }
    if !super::int::is_index(vm, idx) {
        return Err(vm.new_type_error(format!(
            "range indices must be integers or slices, not {}",
            vm.type_name(idx)
        )));
    }
    let mut i = super::int::bigint_index(vm, idx)?;
    if i.is_negative() {
        i += &n;
    }
    if i.is_negative() || i >= n {
        return Err(vm.new_index_error("range object index out of range"));
    }
    Ok(num::int_value(vm, &r[0] + i * &r[2]))
}

/// `repr(r)`.
pub fn repr(r: &[BigInt; 3]) -> String {
    if r[2].is_one() {
        format!("range({}, {})", r[0], r[1])
    } else {
        format!("range({}, {}, {})", r[0], r[1], r[2])
    }
}

/// `r1 == r2`: equal as sequences (same length, and same start and step where they matter).
pub fn eq(x: &[BigInt; 3], y: &[BigInt; 3]) -> bool {
    let (lx, ly) = (len(x), len(y));
    lx == ly && (lx.is_zero() || (x[0] == y[0] && (lx.is_one() || x[2] == y[2])))
}

/// `hash(r)`: CPython's `range_hash`, the hash of `(len, start, step)` with what the
/// length makes irrelevant replaced by `None`.
pub fn hash(vm: &mut Vm, r: &[BigInt; 3]) -> PyResult<i64> {
    let n = len(r);
    let none = vm.hash(&Value::None)?;
    let int_hash = |b: &BigInt| num::hash(&num::Num::Big(b));
    let start = if n.is_zero() { none } else { int_hash(&r[0]) };
    let step = if n <= BigInt::one() {
        none
    } else {
        int_hash(&r[2])
    };
    Ok(crate::hashing::hash_tuple(vec![int_hash(&n), start, step]))
}

/// An iterator over `r`, forwards or (`reversed(r)`) backwards.
pub fn iter(vm: &Vm, r: &[BigInt; 3], reverse: bool) -> Value {
    let n = len(r);
    let (first, step) = if reverse && !n.is_zero() {
        (&r[0] + (&n - 1) * &r[2], -&r[2])
    } else {
        (r[0].clone(), r[2].clone())
    };
    let it = BigRangeIter {
        state: RefCell::new((first, n)),
        step,
    };
    vm.new_native_iterator(&vm.types.longrange_iterator.clone(), Rc::new(it))
}

/// Refuses to collect a big range's iterator whose length does not fit a `Py_ssize_t`, as
/// CPython's `list()` does through `__length_hint__` (rather than filling memory).
pub fn check_length_hint(vm: &Vm, it: &Value) -> PyResult<()> {
    let Some(Payload::Iter(st)) = it.payload() else {
        return Ok(());
    };
    if let crate::iter::IterState::Native(n) = &*st.borrow() {
        if let Some(b) = n.as_any().downcast_ref::<BigRangeIter>() {
            if b.state.borrow().1.to_i64().is_none() {
                return Err(vm.new_overflow_error("Python int too large to convert to C ssize_t"));
            }
        }
    }
    Ok(())
}

/// The iterator of a big range (CPython's `longrange_iterator`): the next item and how
/// many are left.
struct BigRangeIter {
    state: RefCell<(BigInt, BigInt)>,
    step: BigInt,
}

impl NativeIter for BigRangeIter {
    fn next(&self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let mut st = self.state.borrow_mut();
        if !st.1.is_positive() {
            return Ok(None);
        }
        st.1 -= 1;
        let item = st.0.clone();
        st.0 += &self.step;
        Ok(Some(num::int_value(vm, item)))
    }

    fn trace(&self, _f: &mut dyn FnMut(&Value)) {}

    fn clear(&self, _out: &mut Vec<Value>) {}

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(a: i64, b: i64, c: i64) -> [BigInt; 3] {
        [a.into(), b.into(), c.into()]
    }

    #[test]
    fn lengths_and_membership() {
        assert_eq!(len(&r(0, 10, 3)), 4.into());
        assert_eq!(len(&r(10, 0, -3)), 4.into());
        assert_eq!(len(&r(0, 0, 1)), 0.into());
        assert!(contains(&r(10, 0, -3), &7.into()));
        assert!(!contains(&r(10, 0, -3), &0.into()));
        assert_eq!(position(&r(0, 10, 3), &9.into()), Some(3.into()));
    }

    #[test]
    fn equality_ignores_what_the_length_hides() {
        assert!(eq(&r(0, 0, 1), &r(5, 1, 2)));
        assert!(eq(&r(3, 4, 1), &r(3, 100, 200)));
        assert!(!eq(&r(0, 10, 1), &r(0, 10, 2)));
    }
}
