//! `bytearray` mutation: append, extend, insert, pop, remove, reverse, clear, copy; item
//! and slice assignment and deletion; `+=` and `*=` in place.

use super::{as_bytes, byte_of, new_bytearray, Table};
use crate::builtins::subscript::{delete_slice, index, slice_indices, slice_positions};
use crate::code::BinOp;
use crate::native::{Args, Sig};
use crate::object::Payload;
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;

pub(super) const METHODS: Table = &[
    ("append", Sig::O, append),
    ("extend", Sig::O, extend),
    ("insert", Sig::VARARGS, insert),
    ("pop", Sig::VARARGS, pop),
    ("remove", Sig::O, remove),
    ("reverse", Sig::NOARGS, reverse),
    ("clear", Sig::NOARGS, clear),
    ("copy", Sig::NOARGS, copy),
];

/// The storage of a bytearray receiver.
fn cell<'a>(vm: &mut Vm, v: Option<&'a Value>, name: &str) -> PyResult<&'a RefCell<Vec<u8>>> {
    match v.and_then(|v| v.payload()) {
        Some(Payload::ByteArray(b)) => Ok(b),
        _ => Err(vm.new_type_error(format!("descriptor '{name}' requires a 'bytearray' object"))),
    }
}

fn append(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "append", 1, 1)?;
    let b = cell(vm, a.get(0), "append")?;
    let c = byte_of(vm, &a.pos[1])?;
    b.borrow_mut().push(c);
    Ok(Value::None)
}

/// The bytes `extend` adds: a bytes-like object, or an iterable of ints.
fn extend_items(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    if let Some(b) = as_bytes(v) {
        return Ok(b);
    }
    let items = vm.collect(v).map_err(|_| {
        vm.new_type_error(format!("can't extend bytearray with {}", vm.type_name(v)))
    })?;
    items.iter().map(|i| byte_of(vm, i)).collect()
}

fn extend(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "extend", 1, 1)?;
    let b = cell(vm, a.get(0), "extend")?;
    let more = extend_items(vm, &a.pos[1])?;
    b.borrow_mut().extend(more);
    Ok(Value::None)
}

fn insert(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "insert", 2, 2)?;
    let b = cell(vm, a.get(0), "insert")?;
    let i = crate::builtins::int::ssize_of(vm, &a.pos[1])?;
    let c = byte_of(vm, &a.pos[2])?;
    let mut b = b.borrow_mut();
    let len = b.len() as i64;
    let at = if i < 0 { (i + len).max(0) } else { i.min(len) };
    b.insert(at as usize, c);
    Ok(Value::None)
}

fn pop(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "pop", 0, 1)?;
    let b = cell(vm, a.get(0), "pop")?;
    let i = match a.get(1) {
        Some(v) => crate::builtins::int::ssize_of(vm, v)?,
        None => -1,
    };
    let len = b.borrow().len() as i64;
    if len == 0 {
        return Err(vm.new_index_error("pop from empty bytearray"));
    }
    let j = if i < 0 { i + len } else { i };
    if !(0..len).contains(&j) {
        return Err(vm.new_index_error("pop index out of range"));
    }
    Ok(Value::Int(b.borrow_mut().remove(j as usize) as i64))
}

fn remove(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "remove", 1, 1)?;
    let b = cell(vm, a.get(0), "remove")?;
    let c = byte_of(vm, &a.pos[1])?;
    let pos = b.borrow().iter().position(|&x| x == c);
    match pos {
        Some(p) => {
            b.borrow_mut().remove(p);
            Ok(Value::None)
        }
        None => Err(vm.new_value_error("value not found in bytearray")),
    }
}

fn reverse(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "reverse", 0, 0)?;
    cell(vm, a.get(0), "reverse")?.borrow_mut().reverse();
    Ok(Value::None)
}

fn clear(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "clear", 0, 0)?;
    cell(vm, a.get(0), "clear")?.borrow_mut().clear();
    Ok(Value::None)
}

fn copy(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "copy", 0, 0)?;
    let b = cell(vm, a.get(0), "copy")?.borrow().clone();
    Ok(new_bytearray(vm, b))
}

/// The bytes a slice assignment stores: a bytes-like object or an iterable of ints (not
/// an int or a str).
fn assigned_bytes(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    if let Some(b) = as_bytes(v) {
        return Ok(b);
    }
    let wrong = |vm: &mut Vm| {
        vm.new_type_error("can assign only bytes, buffers, or iterables of ints in range(0, 256)")
    };
    if v.as_str().is_some() || matches!(v, Value::Int(_) | Value::Bool(_)) {
        return Err(wrong(vm));
    }
    let items = vm.collect(v).map_err(|_| wrong(vm))?;
    items.iter().map(|i| byte_of(vm, i)).collect()
}

/// `ba[idx] = value`.
pub fn bytearray_setitem(vm: &mut Vm, obj: &Value, idx: &Value, value: Value) -> PyResult<()> {
    let b = cell(vm, Some(obj), "__setitem__")?;
    if let Some(Payload::Slice(sl)) = idx.payload() {
        let sl = (**sl).clone();
        let new = assigned_bytes(vm, &value)?;
        let len = b.borrow().len() as i64;
        let (start, stop, step) = slice_indices(vm, &sl, len)?;
        let mut b = b.borrow_mut();
        if step == 1 {
            let start = start.max(0) as usize;
            let stop = (stop.max(start as i64) as usize).min(b.len());
            b.splice(start.min(stop)..stop, new);
            return Ok(());
        }
        let pos = slice_positions(start, stop, step);
        if pos.len() != new.len() {
            drop(b);
            return Err(vm.new_value_error(format!(
                "attempt to assign bytes of size {} to extended slice of size {}",
                new.len(),
                pos.len()
            )));
        }
        for (p, v) in pos.zip(new) {
            if let Some(slot) = b.get_mut(p) {
                *slot = v;
            }
        }
        return Ok(());
    }
    let len = b.borrow().len();
    let i = index(vm, idx, len, "bytearray", "bytearray index out of range")?;
    let v = byte_of(vm, &value)?;
    b.borrow_mut()[i] = v;
    Ok(())
}

/// `del ba[idx]`.
pub fn bytearray_delitem(vm: &mut Vm, obj: &Value, idx: &Value) -> PyResult<()> {
    let b = cell(vm, Some(obj), "__delitem__")?;
    let len = b.borrow().len();
    if let Some(Payload::Slice(sl)) = idx.payload() {
        let sl = (**sl).clone();
        let (start, stop, step) = slice_indices(vm, &sl, len as i64)?;
        delete_slice(&mut b.borrow_mut(), start, stop, step);
        return Ok(());
    }
    let i = index(vm, idx, len, "bytearray", "bytearray index out of range")?;
    b.borrow_mut().remove(i);
    Ok(())
}

/// `ba += x` and `ba *= n` on a bytearray, in place; `None` for other operators.
pub fn bytearray_inplace(vm: &mut Vm, a: &Value, b: &Value, op: BinOp) -> PyResult<Option<Value>> {
    let cell = cell(vm, Some(a), "__iadd__")?;
    match op {
        BinOp::Add => match as_bytes(b) {
            Some(more) => {
                cell.borrow_mut().extend(more);
                Ok(Some(a.clone()))
            }
            None => Err(vm.new_type_error(format!(
                "can't concat {} to {}",
                vm.type_name(b),
                vm.type_name(a)
            ))),
        },
        BinOp::Mul => {
            if !crate::builtins::int::is_index(vm, b) {
                return Ok(None);
            }
            let n = crate::builtins::int::repeat_count(vm, b)?;
            let total = cell.borrow().len().checked_mul(n);
            if total.is_none_or(crate::embed::limits::exceeds_memory) {
                return Err(vm.new_exception(&vm.exc.memory_error.clone(), vec![]));
            }
            let mut v = cell.borrow_mut();
            let rep = v.repeat(n);
            *v = rep;
            Ok(Some(a.clone()))
        }
        _ => Ok(None),
    }
}
