//! Subscription of built-in types: indexing and slicing of str, list, tuple, bytes and
//! range; dict lookup with `__missing__`; item and slice assignment and deletion.

use crate::object::Payload;
use crate::value::Value;
use crate::vm::{PyResult, Vm};

/// Resolved slice bounds for a sequence of length `len` (CPython's `PySlice_AdjustIndices`).
pub fn slice_indices(vm: &mut Vm, s: &[Value; 3], len: i64) -> PyResult<(i64, i64, i64)> {
    let step = match &s[2] {
        Value::None => 1,
        v => super::int::index_of(vm, v)?,
    };
    if step == 0 {
        return Err(vm.new_value_error("slice step cannot be zero"));
    }
    let bound = |vm: &mut Vm, v: &Value, default: i64| -> PyResult<i64> {
        match v {
            Value::None => Ok(default),
            v => {
                let i = super::int::index_of(vm, v).map_err(|_| {
                    vm.new_type_error(
                        "slice indices must be integers or None or have an __index__ method",
                    )
                })?;
                Ok(if i < 0 {
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
                } else if i >= len {
                    if step < 0 {
                        len - 1
                    } else {
                        len
                    }
                } else {
                    i
                })
            }
        }
    };
    let (dstart, dstop) = if step < 0 { (len - 1, -1) } else { (0, len) };
    let start = bound(vm, &s[0], dstart)?;
    let stop = bound(vm, &s[1], dstop)?;
    Ok((start, stop, step))
}

/// The indices a slice selects.
pub fn slice_positions(start: i64, stop: i64, step: i64) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = start;
    if step > 0 {
        while i < stop {
            out.push(i as usize);
            i += step;
        }
    } else {
        while i > stop {
            out.push(i as usize);
            i += step;
        }
    }
    out
}

fn index(vm: &mut Vm, idx: &Value, len: usize, what: &str) -> PyResult<usize> {
    let i = match idx {
        Value::Int(i) => *i,
        Value::Bool(b) => *b as i64,
        _ => match super::int::index_of(vm, idx) {
            Ok(i) => i,
            Err(_) => {
                return Err(vm.new_type_error(format!(
                    "{what} indices must be integers or slices, not {}",
                    vm.type_name(idx)
                )))
            }
        },
    };
    let j = if i < 0 { i + len as i64 } else { i };
    if j < 0 || j >= len as i64 {
        let name = if what == "str" { "string" } else { what };
        return Err(vm.new_index_error(format!("{name} index out of range")));
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
                return Ok(Value::str(s.substring(a, b.min(s.len()))));
            }
            let chars: Vec<char> = s.as_str().chars().collect();
            let out: String = slice_positions(a, b, c)
                .into_iter()
                .map(|i| chars[i])
                .collect();
            return Ok(Value::str(out));
        }
        let i = index(vm, idx, s.len(), "str")?;
        return Ok(Value::str(s.char_at(i).to_string()));
    }
    let Value::Obj(o) = obj else {
        return Err(vm.new_type_error(format!(
            "'{}' object is not subscriptable",
            vm.type_name(obj)
        )));
    };
    match &o.payload {
        Payload::List(_) | Payload::Tuple(_) => {
            let items: Vec<Value> = match &o.payload {
                Payload::List(l) => {
                    if let Some(Payload::Slice(_)) = idx.payload() {
                        l.borrow().clone()
                    } else {
                        let len = l.borrow().len();
                        let i = index(vm, idx, len, "list")?;
                        return Ok(l.borrow()[i].clone());
                    }
                }
                Payload::Tuple(t) => {
                    if let Some(Payload::Slice(_)) = idx.payload() {
                        t.to_vec()
                    } else {
                        let i = index(vm, idx, t.len(), "tuple")?;
                        return Ok(t[i].clone());
                    }
                }
                _ => unreachable!(),
            };
            let Some(Payload::Slice(sl)) = idx.payload() else {
                unreachable!()
            };
            let sl = (**sl).clone();
            let (a, b, c) = slice_indices(vm, &sl, items.len() as i64)?;
            let out: Vec<Value> = slice_positions(a, b, c)
                .into_iter()
                .map(|i| items[i].clone())
                .collect();
            Ok(if matches!(o.payload, Payload::List(_)) {
                vm.new_list(out)
            } else {
                vm.new_tuple(out)
            })
        }
        Payload::Dict(_) => {
            if let Some(v) = vm.dict_lookup(o, idx)? {
                return Ok(v);
            }
            if vm.is_heap(obj) {
                let cls = vm.class_of(obj).clone();
                if let Some(m) = crate::types::lookup(&cls, &vm.names.__missing__.clone()) {
                    return vm.call(&m, &[obj.clone(), idx.clone()], &[]);
                }
            }
            Err(vm.new_key_error(idx.clone()))
        }
        Payload::Bytes(_) | Payload::ByteArray(_) => {
            let b = super::bytes::as_bytes(obj).unwrap_or_default();
            if let Some(Payload::Slice(sl)) = idx.payload() {
                let sl = (**sl).clone();
                let (a, e, c) = slice_indices(vm, &sl, b.len() as i64)?;
                let out: Vec<u8> = slice_positions(a, e, c).into_iter().map(|i| b[i]).collect();
                return Ok(if matches!(o.payload, Payload::Bytes(_)) {
                    super::bytes_const(&vm.types, out)
                } else {
                    super::bytes::new_bytearray(vm, out)
                });
            }
            let what = if matches!(o.payload, Payload::Bytes(_)) {
                "index"
            } else {
                "bytearray"
            };
            let i = index(vm, idx, b.len(), what).map_err(|e| {
                if vm.is_instance_of(&e, &vm.exc.index_error.clone()) {
                    vm.new_index_error(if what == "index" {
                        "index out of range"
                    } else {
                        "bytearray index out of range"
                    })
                } else {
                    e
                }
            })?;
            Ok(Value::Int(b[i] as i64))
        }
        Payload::Range(r) => {
            let [start, _, step] = **r;
            let len = super::range_len(r);
            if let Some(Payload::Slice(sl)) = idx.payload() {
                let sl = (**sl).clone();
                let (a, b, c) = slice_indices(vm, &sl, len)?;
                let ns = start + a * step;
                let ne = start + b * step;
                let nst = step * c;
                return Ok(super::iterators::new_range(vm, ns, ne, nst));
            }
            let i = index(vm, idx, len as usize, "range").map_err(|e| {
                if vm.is_instance_of(&e, &vm.exc.index_error.clone()) {
                    vm.new_index_error("range object index out of range")
                } else {
                    e
                }
            })?;
            Ok(Value::Int(start + i as i64 * step))
        }
        _ => {
            if let Some((re, im)) = super::complex_parts(obj) {
                let _ = (re, im);
            }
            Err(vm.new_type_error(format!(
                "'{}' object is not subscriptable",
                vm.type_name(obj)
            )))
        }
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
                for (p, v) in pos.into_iter().zip(new) {
                    l[p] = v;
                }
                return Ok(());
            }
            let len = l.borrow().len();
            let i = index(vm, &idx, len, "list").map_err(|e| {
                if vm.is_instance_of(&e, &vm.exc.index_error.clone()) {
                    vm.new_index_error("list assignment index out of range")
                } else {
                    e
                }
            })?;
            l.borrow_mut()[i] = value;
            Ok(())
        }
        Payload::Dict(_) => vm.dict_set(o, idx, value),
        Payload::ByteArray(b) => {
            let len = b.borrow().len();
            let i = index(vm, &idx, len, "bytearray")?;
            let v = super::int::index_of(vm, &value)?;
            if !(0..256).contains(&v) {
                return Err(vm.new_value_error("byte must be in range(0, 256)"));
            }
            b.borrow_mut()[i] = v as u8;
            Ok(())
        }
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
                let mut pos = slice_positions(a, b, c);
                pos.sort_unstable();
                let mut l = l.borrow_mut();
                for p in pos.into_iter().rev() {
                    l.remove(p);
                }
                return Ok(());
            }
            let len = l.borrow().len();
            let i = index(vm, idx, len, "list").map_err(|e| {
                if vm.is_instance_of(&e, &vm.exc.index_error.clone()) {
                    vm.new_index_error("list assignment index out of range")
                } else {
                    e
                }
            })?;
            l.borrow_mut().remove(i);
            Ok(())
        }
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
