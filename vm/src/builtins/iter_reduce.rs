//! `__reduce__` and `__setstate__` of the built-in iterators, as CPython's: what `copy`
//! rebuilds an iterator from (`copy.copy(iter(lst))` shares `lst` and resumes at the same
//! index; a dict or set iterator becomes a list iterator over what it has left).

use super::def_method;
use crate::iter::IterState;
use crate::native::Args;
use crate::object::Payload;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};

pub(super) fn install(vm: &mut Vm) {
    let t = &vm.types;
    // The iterators that tell how much is left, as CPython's do.
    let hinting = [
        t.list_iterator.clone(),
        t.list_reverseiterator.clone(),
        t.tuple_iterator.clone(),
        t.str_iterator.clone(),
        t.bytes_iterator.clone(),
        t.bytearray_iterator.clone(),
        t.range_iterator.clone(),
        t.dict_keyiterator.clone(),
        t.dict_valueiterator.clone(),
        t.dict_itemiterator.clone(),
        t.dict_reversekeyiterator.clone(),
        t.dict_reversevalueiterator.clone(),
        t.dict_reverseitemiterator.clone(),
        t.set_iterator.clone(),
        t.reversed.clone(),
        t.iterator.clone(),
    ];
    // The others, which cannot know.
    let unhinted = [
        t.enumerate.clone(),
        t.zip.clone(),
        t.map.clone(),
        t.filter.clone(),
        t.callable_iterator.clone(),
    ];
    for c in hinting.iter().chain(&unhinted) {
        def_method(vm, c, "__reduce__", reduce);
        def_method(vm, c, "__setstate__", setstate);
    }
    for c in &hinting {
        def_method(vm, c, "__length_hint__", length_hint);
    }
}

/// `it.__length_hint__()`: how many items are left (0 once exhausted, or once the dict or
/// set it walks changed size; `NotImplemented` for a `__getitem__` iterator over an object
/// without `__len__`), as CPython's iterators answer `operator.length_hint`.
fn length_hint(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__length_hint__", 0, 0)?;
    let me = &a.pos[0];
    let st = state_of(vm, me)?;
    let left = |n: usize, i: usize| n.saturating_sub(i) as i64;
    let rest = rest_of(&st.borrow());
    if let Some(rest) = rest {
        if !same_size(&rest) {
            return Ok(Value::Int(0));
        }
        // Counted on a copy of its state, which the walk leaves unchanged.
        let cls = vm.types.list_iterator.clone();
        let it = vm.new_iterator(&cls, rest);
        let mut n = 0;
        while vm.next(&it)?.is_some() {
            n += 1;
        }
        return Ok(Value::Int(n));
    }
    let (obj, index) = match &*st.borrow() {
        IterState::Seq { seq, index } | IterState::Bytes { b: seq, index } => {
            return Ok(Value::Int(left(len_of(seq), *index)));
        }
        IterState::Reversed { seq, index } => {
            let n = if *index <= len_of(seq) { *index } else { 0 };
            return Ok(Value::Int(n as i64));
        }
        IterState::Str { s, pos } => {
            return Ok(Value::Int(s.as_str()[*pos..].chars().count() as i64));
        }
        IterState::Range { next, stop, step } => {
            let [next, stop, step] = [*next, *stop, *step].map(i128::from);
            let n = if step > 0 {
                (stop - next + step - 1) / step
            } else {
                (next - stop - step - 1) / -step
            };
            return Ok(Value::Int(n.clamp(0, i64::MAX as i128) as i64));
        }
        IterState::GetItem { obj, index } => (obj.clone(), *index),
        _ => return Ok(Value::Int(0)),
    };
    let has_len = {
        let cls = vm.class_of(&obj).clone();
        crate::types::lookup(&cls, &vm.names.__len__.clone()).is_some()
    };
    if !has_len {
        return Ok(vm.not_implemented.clone());
    }
    let n = vm.len(&obj)? as i64;
    Ok(Value::Int((n - index).max(0)))
}

/// A copy of a dict or set iterator's state, to walk what it has left without moving
/// it; `None` for the other iterators.
fn rest_of(st: &IterState) -> Option<IterState> {
    Some(match st {
        IterState::Dict {
            dict,
            pos,
            len,
            kind,
            ..
        } => IterState::Dict {
            dict: dict.clone(),
            pos: *pos,
            len: *len,
            kind: *kind,
            spare: None,
        },
        IterState::DictRev {
            dict,
            pos,
            len,
            kind,
        } => IterState::DictRev {
            dict: dict.clone(),
            pos: *pos,
            len: *len,
            kind: *kind,
        },
        IterState::Set { set, pos, len } => IterState::Set {
            set: set.clone(),
            pos: *pos,
            len: *len,
        },
        _ => return None,
    })
}

/// Whether the dict or set a dict or set iterator walks has the size it had when the
/// iteration began (CPython's iterators know nothing more once it changed).
fn same_size(st: &IterState) -> bool {
    match st {
        IterState::Dict { dict, len, .. } | IterState::DictRev { dict, len, .. } => {
            matches!(&dict.payload, Payload::Dict(t) if t.borrow().len() == *len)
        }
        IterState::Set { set, len, .. } => {
            matches!(&set.payload, Payload::Set(t) if t.borrow().len() == *len)
        }
        _ => true,
    }
}

fn builtin(vm: &Vm, name: &str) -> Value {
    vm.dict_get_str(&vm.builtins, &crate::str::Str::new(name.to_string()))
        .unwrap_or(Value::None)
}

fn state_of<'a>(vm: &mut Vm, v: &'a Value) -> PyResult<&'a std::cell::RefCell<IterState>> {
    match v.payload() {
        Some(Payload::Iter(st)) => Ok(st),
        _ => Err(vm.new_type_error("descriptor requires a built-in iterator")),
    }
}

/// `(func, args)` or `(func, args, state)`.
fn rv(vm: &Vm, func: &str, args: Vec<Value>, state: Option<Value>) -> Value {
    let mut items = vec![builtin(vm, func), vm.new_tuple(args)];
    items.extend(state);
    vm.new_tuple(items)
}

fn reduce(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__reduce__", 0, 0)?;
    let me = &a.pos[0];
    let st = state_of(vm, me)?;
    let idx = |i: usize| Some(Value::Int(i as i64));
    // What is left of a dict or set iterator, walked on a copy of its state.
    let rest = rest_of(&st.borrow());
    if let Some(rest) = rest {
        let cls = vm.types.list_iterator.clone();
        let it = vm.new_iterator(&cls, rest);
        let items = vm.collect(&it)?;
        let l = vm.new_list(items);
        return Ok(rv(vm, "iter", vec![l], None));
    }
    let r = match &*st.borrow() {
        IterState::Seq { seq, index } => rv(vm, "iter", vec![seq.clone()], idx(*index)),
        // Past the end, CPython's iterator has dropped its bytes: `iter(())`.
        IterState::Bytes { b, index } if *index > len_of(b) => {
            let empty = vm.new_tuple(Vec::new());
            rv(vm, "iter", vec![empty], None)
        }
        IterState::Bytes { b, index } => rv(vm, "iter", vec![b.clone()], idx(*index)),
        IterState::Reversed { seq, index } => {
            let i = Value::Int(*index as i64 - 1);
            rv(vm, "reversed", vec![seq.clone()], Some(i))
        }
        IterState::Str { s, pos } => {
            let i = s.as_str()[..*pos].chars().count();
            rv(vm, "iter", vec![Value::Str(s.clone())], idx(i))
        }
        IterState::Range { next, stop, step } => {
            let r = super::iterators::new_range(vm, *next, *stop, *step);
            rv(vm, "iter", vec![r], idx(0))
        }
        IterState::GetItem { obj, index } => {
            rv(vm, "iter", vec![obj.clone()], Some(Value::Int(*index)))
        }
        IterState::Callable { func, sentinel } => {
            rv(vm, "iter", vec![func.clone(), sentinel.clone()], None)
        }
        IterState::Enumerate { it, count, .. } => {
            rv(vm, "enumerate", vec![it.clone(), count.clone()], None)
        }
        IterState::Zip { its, strict } => {
            let strict = strict.then_some(Value::Bool(crate::value::Bool::TRUE));
            rv(vm, "zip", its.to_vec(), strict)
        }
        IterState::Map { func, its } => {
            let mut args = vec![func.clone()];
            args.extend(its.iter().cloned());
            rv(vm, "map", args, None)
        }
        IterState::Filter { func, it } => rv(vm, "filter", vec![func.clone(), it.clone()], None),
        _ => {
            // Exhausted: an empty sequence of the kind it walked.
            let empty = exhausted_seq(vm, vm.class_of(me).clone());
            rv(vm, "iter", vec![empty], None)
        }
    };
    Ok(r)
}

/// The length of the sequence a sequence or bytes iterator walks.
fn len_of(v: &Value) -> usize {
    match v.payload() {
        Some(Payload::List(l)) => l.borrow().len(),
        Some(Payload::Tuple(t)) => t.len(),
        Some(Payload::Bytes(b)) => b.len(),
        Some(Payload::ByteArray(b)) => b.borrow().len(),
        _ => 0,
    }
}

fn exhausted_seq(vm: &Vm, cls: Obj) -> Value {
    let t = &vm.types;
    if std::rc::Rc::ptr_eq(&cls, &t.str_iterator) {
        Value::str("")
    } else if std::rc::Rc::ptr_eq(&cls, &t.bytes_iterator) {
        crate::module::new_bytes(vm, Vec::new())
    } else if [&t.list_iterator, &t.list_reverseiterator, &t.set_iterator]
        .iter()
        .any(|c| std::rc::Rc::ptr_eq(&cls, c))
    {
        vm.new_list(Vec::new())
    } else {
        vm.new_tuple(Vec::new())
    }
}

fn setstate(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__setstate__", 1, 1)?;
    let me = &a.pos[0];
    let arg = &a.pos[1];
    let st = state_of(vm, me)?;
    if let IterState::Zip { strict, .. } = &mut *st.borrow_mut() {
        *strict = vm.is_true(arg)?;
        return Ok(Value::None);
    }
    let n = super::int::ssize_of(vm, arg)?;
    let clamp = |n: i64, hi: usize| n.clamp(0, hi as i64) as usize;
    match &mut *st.borrow_mut() {
        IterState::Seq { seq, index } | IterState::Bytes { b: seq, index } => {
            *index = clamp(n, len_of(seq));
        }
        IterState::Reversed { seq, index } => *index = clamp(n + 1, len_of(seq)),
        IterState::Str { s, pos } => {
            let k = n.max(0) as usize;
            *pos = s
                .as_str()
                .char_indices()
                .nth(k)
                .map_or(s.as_str().len(), |(p, _)| p);
        }
        IterState::Range { next, stop, step } => {
            let left = if *step > 0 {
                (*stop - *next + *step - 1) / *step
            } else {
                (*next - *stop - *step - 1) / -*step
            };
            *next += n.clamp(0, left.max(0)) * *step;
        }
        IterState::GetItem { index, .. } => *index = n.max(0),
        _ => {}
    }
    Ok(Value::None)
}
