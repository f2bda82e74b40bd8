//! Subscription of built-in types: indexing and slicing of str, list, tuple, bytes and
//! range; dict lookup with `__missing__`; item and slice assignment and deletion.

use crate::object::Payload;
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};

/// A slice bound (CPython's `_PyEval_SliceIndex`): `None`, or an int clamped to the i64
/// range, or an object with `__index__`.
pub fn slice_index(vm: &mut Vm, v: &Value) -> PyResult<Option<i64>> {
    match v {
        Value::None => Ok(None),
        _ => clamped_index(
            vm,
            v,
            "slice indices must be integers or None or have an __index__ method",
        )
        .map(Some),
    }
}

/// A search-window bound (`list.index(x, start, stop)`; CPython's
/// `_PyEval_SliceIndexNotNone`): an int clamped to the i64 range, `None` refused.
pub fn search_index(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    clamped_index(
        vm,
        v,
        "slice indices must be integers or have an __index__ method",
    )
}

/// An int-like clamped to the i64 range; `not_int` is the `TypeError` for anything else.
fn clamped_index(vm: &mut Vm, v: &Value, not_int: &str) -> PyResult<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(b.get() as i64),
        _ => {
            if !super::int::is_index(vm, v) {
                return Err(vm.new_type_error(not_int));
            }
            let b = super::int::bigint_index(vm, v)?;
            use num_traits::ToPrimitive;
            Ok(b.to_i64()
                .unwrap_or(if b.is_negative() { i64::MIN } else { i64::MAX }))
        }
    }
}

/// Resolved slice bounds for a sequence of length `len` (CPython's `PySlice_AdjustIndices`).
pub fn slice_indices(vm: &mut Vm, s: &[Value; 3], len: i64) -> PyResult<(i64, i64, i64)> {
    let step = slice_index(vm, &s[2])?.unwrap_or(1);
    if step == 0 {
        return Err(vm.new_value_error("slice step cannot be zero"));
    }
    // CPython keeps `-step` representable.
    let step = step.max(-i64::MAX);
    let bound = |vm: &mut Vm, v: &Value, default: i64| -> PyResult<i64> {
        Ok(match slice_index(vm, v)? {
            None => default,
            Some(i) if i < 0 => {
                let j = i + len;
                if j < 0 {
                    if step < 0 {
                        -1
                    } else {
                        0
                    }
                } else {
                    j
                }
            }
            Some(i) if i >= len => {
                if step < 0 {
                    len - 1
                } else {
                    len
                }
            }
            Some(i) => i,
        })
    };
    let (dstart, dstop) = if step < 0 { (len - 1, -1) } else { (0, len) };
    let start = bound(vm, &s[0], dstart)?;
    let stop = bound(vm, &s[1], dstop)?;
    Ok((start, stop, step))
}

/// [`slice_indices`] in unbounded ints (`slice.indices(len)` with any length; CPython's
/// `_PySlice_GetLongIndices`).
pub fn slice_indices_big(
    vm: &mut Vm,
    s: &[Value; 3],
    len: &BigInt,
) -> PyResult<(BigInt, BigInt, BigInt)> {
    let index = |vm: &mut Vm, v: &Value| -> PyResult<Option<BigInt>> {
        if v.is_none() {
            return Ok(None);
        }
        if !super::int::is_index(vm, v) {
            return Err(vm.new_type_error(
                "slice indices must be integers or None or have an __index__ method",
            ));
        }
        super::int::bigint_index(vm, v).map(Some)
    };
    let step = index(vm, &s[2])?.unwrap_or_else(BigInt::one);
    if step.is_zero() {
        return Err(vm.new_value_error("slice step cannot be zero"));
    }
    let (lower, upper) = if step.is_negative() {
        (BigInt::from(-1), len - 1)
    } else {
        (BigInt::zero(), len.clone())
    };
    let bound = |vm: &mut Vm, v: &Value, default: &BigInt| -> PyResult<BigInt> {
        Ok(match index(vm, v)? {
            None => default.clone(),
            Some(i) if i.is_negative() => (i + len).max(lower.clone()),
            Some(i) => i.min(upper.clone()),
        })
    };
    let (dstart, dstop) = if step.is_negative() {
        (upper.clone(), lower.clone())
    } else {
        (lower.clone(), upper.clone())
    };
    let start = bound(vm, &s[0], &dstart)?;
    let stop = bound(vm, &s[1], &dstop)?;
    Ok((start, stop, step))
}

/// How many indices a resolved slice selects (the length CPython's
/// `PySlice_AdjustIndices` returns).
pub fn slice_len(start: i64, stop: i64, step: i64) -> usize {
    let (start, stop, step) = (start as i128, stop as i128, step as i128);
    let n = if step > 0 && start < stop {
        (stop - start - 1) / step + 1
    } else if step < 0 && stop < start {
        (start - stop - 1) / -step + 1
    } else {
        0
    };
    n as usize
}

/// The indices a resolved slice selects, in order, without allocating.
pub fn slice_positions(
    start: i64,
    stop: i64,
    step: i64,
) -> impl ExactSizeIterator<Item = usize> + DoubleEndedIterator {
    (0..slice_len(start, stop, step))
        .map(move |k| (start as i128 + k as i128 * step as i128) as usize)
}

/// The items of `items` a resolved slice selects; positions past the end (the sequence
/// shrank while `__index__` ran) are skipped.
pub fn slice_items<T: Clone>(items: &[T], start: i64, stop: i64, step: i64) -> Vec<T> {
    if step == 1 {
        let end = (stop.max(0) as usize).min(items.len());
        let begin = (start.max(0) as usize).min(end);
        return items[begin..end].to_vec();
    }
    slice_positions(start, stop, step)
        .filter_map(|i| items.get(i).cloned())
        .collect()
}

/// Removes the items a resolved slice selects from `items` (`del seq[a:b:c]`) in one
/// pass, returning them so that the caller drops them after its borrow ends.
pub fn delete_slice<T>(items: &mut Vec<T>, start: i64, stop: i64, step: i64) -> Vec<T> {
    let n = slice_len(start, stop, step);
    if n == 0 {
        return Vec::new();
    }
    // The same positions in increasing order.
    let (lo, step) = if step > 0 {
        (start, step)
    } else {
        (start + (n as i64 - 1) * step, -step)
    };
    let (lo, step) = (lo as usize, step as usize);
    let hi = lo
        .saturating_add((n - 1).saturating_mul(step))
        .min(items.len().saturating_sub(1));
    if lo >= items.len() {
        return Vec::new();
    }
    if step == 1 {
        return items.drain(lo..=hi).collect();
    }
    let mut gone = Vec::with_capacity(n);
    let mut kept = Vec::with_capacity(items.len() - n.min(items.len()));
    for (i, v) in std::mem::take(items).into_iter().enumerate() {
        if i >= lo && i <= hi && (i - lo) % step == 0 {
            gone.push(v);
        } else {
            kept.push(v);
        }
    }
    *items = kept;
    gone
}

/// An item index of a sequence of `len` items: `what` names the type in the `TypeError`
/// (`list indices must be ...`), `oob` is the `IndexError` message.
pub(super) fn index(
    vm: &mut Vm,
    idx: &Value,
    len: usize,
    what: &str,
    oob: &str,
) -> PyResult<usize> {
    let i = match idx {
        Value::Int(i) => *i,
        Value::Bool(b) => b.get() as i64,
        _ => {
            if !super::int::is_index(vm, idx) {
                let tn = vm.type_name(idx);
                return Err(vm.new_type_error(match what {
                    "str" => format!("string indices must be integers, not '{tn}'"),
                    _ => format!("{what} indices must be integers or slices, not {tn}"),
                }));
            }
            super::int::index_of(vm, idx)?
        }
    };
    let j = if i < 0 { i + len as i64 } else { i };
    if j < 0 || j >= len as i64 {
        return Err(vm.new_index_error(oob));
    }
    Ok(j as usize)
}

/// `obj[idx]` for built-in types.
pub fn native_getitem(vm: &mut Vm, obj: &Value, idx: &Value) -> PyResult {
    if let Some(s) = obj.as_str() {
        let s = s.clone();
        if let Some(Payload::Slice(sl)) = idx.payload() {
            let sl = (**sl).clone();
            let (a, b, c) = slice_indices(vm, &sl, s.len() as i64)?;
            if c == 1 {
                let (a, b) = (a.max(0) as usize, b.max(a).max(0) as usize);
                if a == 0 && b >= s.len() && matches!(obj, Value::Str(_)) {
                    return Ok(obj.clone());
                }
                return Ok(Value::str_piece(
                    s.substring(a, b.min(s.len())),
                    s.is_ascii(),
                ));
            }
            let chars: Vec<char> = s.as_str().chars().collect();
            let out: String = slice_items(&chars, a, b, c).into_iter().collect();
            return Ok(Value::str(out));
        }
        let i = index(vm, idx, s.len(), "str", "string index out of range")?;
        return Ok(Value::char(s.char_at(i)));
    }
    let Value::Obj(o) = obj else {
        return Err(vm.new_type_error(format!(
            "'{}' object is not subscriptable",
            vm.type_name(obj)
        )));
    };
    match &o.payload {
        Payload::List(l) => {
            if let Some(Payload::Slice(sl)) = idx.payload() {
                let len = l.borrow().len() as i64;
                // The bounds first: computing them may run `__index__`.
                let (a, b, c) = slice_indices(vm, sl, len)?;
                let out = slice_items(&l.borrow(), a, b, c);
                return Ok(vm.new_list(out));
            }
            let len = l.borrow().len();
            let i = index(vm, idx, len, "list", "list index out of range")?;
            let item = l.borrow().get(i).cloned();
            item.ok_or_else(|| vm.new_index_error("list index out of range"))
        }
        Payload::Tuple(t) => {
            if let Some(Payload::Slice(sl)) = idx.payload() {
                let (a, b, c) = slice_indices(vm, sl, t.len() as i64)?;
                if c == 1
                    && a <= 0
                    && b >= t.len() as i64
                    && std::rc::Rc::ptr_eq(vm.class_of(obj), &vm.types.tuple)
                {
                    return Ok(obj.clone());
                }
                return Ok(vm.new_tuple(slice_items(t, a, b, c)));
            }
            let i = index(vm, idx, t.len(), "tuple", "tuple index out of range")?;
            Ok(t[i].clone())
        }
        Payload::Dict(_) => {
            if let Some(v) = vm.dict_lookup(o, idx)? {
                return Ok(v);
            }
            if vm.is_heap(obj) {
                let cls = vm.class_of(obj).clone();
                if let Some(m) = crate::types::lookup(&cls, &vm.names.__missing__.clone()) {
                    return vm.call_slot(&m, &[obj.clone(), idx.clone()]);
                }
            }
            Err(vm.new_key_error(idx.clone()))
        }
        Payload::Bytes(_) | Payload::ByteArray(_) => {
            // The buffer is borrowed once the indices are known (computing them may run
            // `__index__`), so indexing and slicing cost the size of the result.
            let len = super::bytes::with_buffer(o, |b| b.len()).unwrap_or(0);
            if let Some(Payload::Slice(sl)) = idx.payload() {
                let sl = (**sl).clone();
                let (a, e, c) = slice_indices(vm, &sl, len as i64)?;
                let out: Vec<u8> =
                    super::bytes::with_buffer(o, |b| slice_items(b, a, e, c)).unwrap_or_default();
                return Ok(if matches!(o.payload, Payload::Bytes(_)) {
                    super::bytes_const(&vm.types, out)
                } else {
                    super::bytes::new_bytearray(vm, out)
                });
            }
            let (what, oob) = if matches!(o.payload, Payload::Bytes(_)) {
                ("byte", "index out of range")
            } else {
                ("bytearray", "bytearray index out of range")
            };
            let i = index(vm, idx, len, what, oob)?;
            match super::bytes::with_buffer(o, |b| b.get(i).copied()).flatten() {
                Some(byte) => Ok(Value::Int(byte as i64)),
                None => Err(vm.new_index_error(oob)),
            }
        }
        Payload::BigRange(r) => super::big_range::getitem(vm, r, idx),
        Payload::Range(r) => {
            let [start, _, step] = **r;
            let len = super::range_len(r);
            if matches!(idx.payload(), Some(Payload::Slice(_))) {
                // The new bounds may leave `i64` (`range(0, 2**63 - 1, 2**62)[::1]`).
                let r = [start, r[1], step].map(num_bigint::BigInt::from);
                return super::big_range::getitem(vm, &r, idx);
            }
            let i = index(
                vm,
                idx,
                len as usize,
                "range",
                "range object index out of range",
            )?;
            // An item lies between the bounds, but the product on the way may not fit.
            Ok(Value::Int(
                (i128::from(start) + i as i128 * i128::from(step)) as i64,
            ))
        }
        _ => Err(vm.new_type_error(format!(
            "'{}' object is not subscriptable",
            vm.type_name(obj)
        ))),
    }
}

/// `obj[idx] = value` for built-in types.
pub fn native_setitem(vm: &mut Vm, obj: &Value, idx: Value, value: Value) -> PyResult<()> {
    let Value::Obj(o) = obj else {
        return Err(vm.new_type_error(format!(
            "'{}' object does not support item assignment",
            vm.type_name(obj)
        )));
    };
    match &o.payload {
        Payload::List(l) => {
            if let Some(Payload::Slice(sl)) = idx.payload() {
                let sl = (**sl).clone();
                let new = vm.collect_fast(&value, "can only assign an iterable")?;
                let len = l.borrow().len() as i64;
                let (a, b, c) = slice_indices(vm, &sl, len)?;
                let mut l = l.borrow_mut();
                if c == 1 {
                    let a = a.max(0) as usize;
                    let b = (b.max(a as i64)) as usize;
                    let end = b.min(l.len());
                    l.splice(a.min(end)..end, new);
                    return Ok(());
                }
                let pos = slice_positions(a, b, c);
                if pos.len() != new.len() {
                    drop(l);
                    return Err(vm.new_value_error(format!(
                        "attempt to assign sequence of size {} to extended slice of size {}",
                        new.len(),
                        pos.len()
                    )));
                }
                for (p, v) in pos.zip(new) {
                    if let Some(slot) = l.get_mut(p) {
                        *slot = v;
                    }
                }
                return Ok(());
            }
            let len = l.borrow().len();
            let i = index(vm, &idx, len, "list", "list assignment index out of range")?;
            l.borrow_mut()[i] = value;
            Ok(())
        }
        Payload::Dict(_) => vm.dict_set(o, idx, value),
        Payload::ByteArray(_) => super::bytes::bytearray_setitem(vm, obj, &idx, value),
        _ => Err(vm.new_type_error(format!(
            "'{}' object does not support item assignment",
            vm.type_name(obj)
        ))),
    }
}

/// `del obj[idx]` for built-in types.
pub fn native_delitem(vm: &mut Vm, obj: &Value, idx: &Value) -> PyResult<()> {
    let Value::Obj(o) = obj else {
        return Err(vm.new_type_error(format!(
            "'{}' object doesn't support item deletion",
            vm.type_name(obj)
        )));
    };
    match &o.payload {
        Payload::List(l) => {
            if let Some(Payload::Slice(sl)) = idx.payload() {
                let sl = (**sl).clone();
                let len = l.borrow().len() as i64;
                let (a, b, c) = slice_indices(vm, &sl, len)?;
                let gone = delete_slice(&mut l.borrow_mut(), a, b, c);
                drop(gone);
                return Ok(());
            }
            let len = l.borrow().len();
            let i = index(vm, idx, len, "list", "list assignment index out of range")?;
            l.borrow_mut().remove(i);
            Ok(())
        }
        Payload::ByteArray(_) => super::bytes::bytearray_delitem(vm, obj, idx),
        Payload::Dict(_) => match vm.dict_remove(o, idx)? {
            Some(_) => Ok(()),
            None => Err(vm.new_key_error(idx.clone())),
        },
        _ => Err(vm.new_type_error(format!(
            "'{}' object doesn't support item deletion",
            vm.type_name(obj)
        ))),
    }
}
