//! `range`, `slice`, `enumerate`, `zip`, `map`, `filter`, `reversed`, and the iterator
//! protocol methods of the built-in iterators.

use super::{def_method, def_method_sig, def_static};
use crate::iter::IterState;
use crate::native::{Args, Sig};
use crate::object::{Object, Payload};
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use num_traits::{One, Zero};
use std::rc::Rc;

pub(super) fn install(vm: &mut Vm) {
    let t = vm.types.range.clone();
    def_static(vm, &t, "__new__", range_new);
    def_method_sig(vm, &t, "index", Sig::O, range_index);
    def_method_sig(vm, &t, "count", Sig::O, range_count);
    def_method_sig(vm, &t, "__len__", Sig::SLOT, range_dunder_len);
    def_method_sig(vm, &t, "__getitem__", Sig::SLOT, range_dunder_getitem);
    def_method_sig(vm, &t, "__contains__", Sig::SLOT, range_dunder_contains);
    let s = vm.types.slice.clone();
    def_static(vm, &s, "__new__", slice_new);
    def_method_sig(vm, &s, "indices", Sig::O, slice_indices);
    let e = vm.types.enumerate.clone();
    def_static(vm, &e, "__new__", enumerate_new);
    let z = vm.types.zip.clone();
    def_static(vm, &z, "__new__", zip_new);
    let m = vm.types.map.clone();
    def_static(vm, &m, "__new__", map_new);
    let f = vm.types.filter.clone();
    def_static(vm, &f, "__new__", filter_new);
    let r = vm.types.reversed.clone();
    def_static(vm, &r, "__new__", reversed_new);
    let iter_classes = [
        vm.types.list_iterator.clone(),
        vm.types.list_reverseiterator.clone(),
        vm.types.tuple_iterator.clone(),
        vm.types.str_iterator.clone(),
        vm.types.bytes_iterator.clone(),
        vm.types.bytearray_iterator.clone(),
        vm.types.range_iterator.clone(),
        vm.types.longrange_iterator.clone(),
        vm.types.dict_keyiterator.clone(),
        vm.types.dict_valueiterator.clone(),
        vm.types.dict_itemiterator.clone(),
        vm.types.dict_reversekeyiterator.clone(),
        vm.types.dict_reversevalueiterator.clone(),
        vm.types.dict_reverseitemiterator.clone(),
        vm.types.set_iterator.clone(),
        vm.types.enumerate.clone(),
        vm.types.zip.clone(),
        vm.types.map.clone(),
        vm.types.filter.clone(),
        vm.types.reversed.clone(),
        vm.types.iterator.clone(),
        vm.types.callable_iterator.clone(),
    ];
    for c in iter_classes {
        def_method(vm, &c, "__iter__", iter_self);
        def_method(vm, &c, "__next__", iter_next);
    }
}

/// A `range` value.
pub fn new_range(vm: &Vm, start: i64, stop: i64, step: i64) -> Value {
    Value::Obj(Rc::new(Object::new(
        vm.types.range.clone(),
        Payload::Range(Box::new([start, stop, step])),
    )))
}

fn range_new(vm: &mut Vm, a: Args) -> PyResult {
    let args = Args {
        pos: &a.pos[1..],
        kw: a.kw,
    };
    args.no_kwargs(vm, "range")?;
    match args.pos.len() {
        0 => return Err(vm.new_type_error("range expected at least 1 argument, got 0")),
        n @ 4.. => {
            return Err(vm.new_type_error(format!("range expected at most 3 arguments, got {n}")))
        }
        _ => {}
    }
    let mut vals = Vec::new();
    for v in args.pos {
        if !super::int::is_index(vm, v) {
            return Err(vm.new_type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                vm.type_name(v)
            )));
        }
        vals.push(super::int::bigint_index(vm, v)?);
    }
    let mut vals = vals.into_iter();
    let first = vals.next().unwrap_or_default();
    let (start, stop, step) = match (vals.next(), vals.next()) {
        (None, _) => (BigInt::zero(), first, BigInt::one()),
        (Some(stop), None) => (first, stop, BigInt::one()),
        (Some(stop), Some(step)) => (first, stop, step),
    };
    if step.is_zero() {
        return Err(vm.new_value_error("range() arg 3 must not be zero"));
    }
    Ok(super::big_range::make(vm, [start, stop, step]))
}

fn range_index(vm: &mut Vm, a: Args) -> PyResult {
    let Some(r) = super::big_range::bounds(&a.pos[0]) else {
        return Ok(Value::None);
    };
    let Some(i) = crate::num::to_bigint(&a.pos[1]) else {
        // Any other object: CPython's `_PySequence_IterSearch`, comparing with `==`.
        let target = a.pos[1].clone();
        let it = vm.get_iter(&a.pos[0])?;
        let mut n = 0;
        while let Some(v) = vm.next(&it)? {
            if vm.eq(&v, &target)? {
                return Ok(Value::Int(n));
            }
            n += 1;
        }
        return Err(vm.new_value_error("sequence.index(x): x not in sequence"));
    };
    if let Some(n) = super::big_range::position(&r, &i) {
        return Ok(crate::num::int_value(vm, n));
    }
    let rep = vm.repr(&a.pos[1])?;
    Err(vm.new_value_error(format!("{} is not in range", rep.as_str())))
}

fn range_dunder_len(vm: &mut Vm, a: Args) -> PyResult {
    vm.len(&a.pos[0]).map(|n| Value::Int(n as i64))
}

fn range_dunder_getitem(vm: &mut Vm, a: Args) -> PyResult {
    super::native_getitem(vm, &a.pos[0], &a.pos[1])
}

fn range_dunder_contains(vm: &mut Vm, a: Args) -> PyResult {
    vm.contains(&a.pos[0], &a.pos[1]).map(Value::bool)
}

fn range_count(vm: &mut Vm, a: Args) -> PyResult {
    let c = vm.contains(&a.pos[0], &a.pos[1])?;
    Ok(Value::Int(c as i64))
}

fn slice_new(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "slice")?;
    let args = &a.pos[1..];
    let (s, e, st) = match args.len() {
        0 => return Err(vm.new_type_error("slice expected at least 1 argument, got 0")),
        1 => (Value::None, args[0].clone(), Value::None),
        2 => (args[0].clone(), args[1].clone(), Value::None),
        3 => (args[0].clone(), args[1].clone(), args[2].clone()),
        n => return Err(vm.new_type_error(format!("slice expected at most 3 arguments, got {n}"))),
    };
    Ok(vm.new_slice(s, e, st))
}

fn slice_indices(vm: &mut Vm, a: Args) -> PyResult {
    let Some(Payload::Slice(s)) = a.pos[0].payload() else {
        return Ok(Value::None);
    };
    let s = (**s).clone();
    let len = super::int::bigint_index(vm, &a.pos[1])?;
    if num_traits::Signed::is_negative(&len) {
        return Err(vm.new_value_error("length should not be negative"));
    }
    let (x, y, z) = super::subscript::slice_indices_big(vm, &s, &len)?;
    let t = [x, y, z].map(|b| crate::num::int_value(vm, b));
    Ok(vm.new_tuple(t.to_vec()))
}

/// The iterator a built-in `__new__(cls, ...)` makes: of class `cls`, `X` itself or a
/// script's subclass of it.
fn new_of_class(vm: &mut Vm, a: &Args, state: IterState) -> Value {
    let cls = a.pos[0].as_obj().cloned();
    let cls = cls.unwrap_or_else(|| vm.types.object.clone());
    vm.new_object_of(
        &cls,
        Payload::Iter(Box::new(std::cell::RefCell::new(state))),
    )
}

fn enumerate_new(vm: &mut Vm, a: Args) -> PyResult {
    let it = a.arg(1, "iterable").cloned().ok_or_else(|| {
        // CPython's vectorcall entry for `enumerate` itself words it without the position.
        let exact =
            matches!(a.pos.first(), Some(Value::Obj(c)) if Rc::ptr_eq(c, &vm.types.enumerate));
        let pos = if exact { "" } else { " (pos 1)" };
        vm.new_type_error(format!(
            "enumerate() missing required argument 'iterable'{pos}"
        ))
    })?;
    let start = a.arg(2, "start").cloned().unwrap_or(Value::Int(0));
    let it = vm.get_iter(&it)?;
    Ok(new_of_class(
        vm,
        &a,
        IterState::Enumerate {
            it,
            count: start,
            spare: None,
        },
    ))
}

fn zip_new(vm: &mut Vm, a: Args) -> PyResult {
    if a.kw.len() > 1 {
        let n = a.kw.len();
        return Err(vm.new_type_error(format!(
            "zip() takes at most 1 keyword argument ({n} given)"
        )));
    }
    a.check_kwargs(vm, "zip", &["strict"])?;
    let strict = match a.kwarg("strict") {
        Some(v) => vm.is_true(&v.clone())?,
        None => false,
    };
    let mut its = Vec::new();
    for v in &a.pos[1..] {
        its.push(vm.get_iter(v)?);
    }
    Ok(new_of_class(
        vm,
        &a,
        IterState::Zip {
            its: its.into(),
            strict,
        },
    ))
}

fn map_new(vm: &mut Vm, a: Args) -> PyResult {
    if a.len() < 3 {
        return Err(vm.new_type_error("map() must have at least two arguments."));
    }
    let func = a.pos[1].clone();
    let mut its = Vec::new();
    for v in &a.pos[2..] {
        its.push(vm.get_iter(v)?);
    }
    Ok(new_of_class(
        vm,
        &a,
        IterState::Map {
            func,
            its: its.into(),
        },
    ))
}

fn filter_new(vm: &mut Vm, a: Args) -> PyResult {
    if a.len() != 3 {
        return Err(vm.new_type_error(format!("filter expected 2 arguments, got {}", a.len() - 1)));
    }
    let it = vm.get_iter(&a.pos[2])?;
    Ok(new_of_class(
        vm,
        &a,
        IterState::Filter {
            func: a.pos[1].clone(),
            it,
        },
    ))
}

/// `reversed.__new__(cls, seq)`: for a script's subclass, the `reversed` object a
/// sequence without `__reversed__` gets is made of that class instead (CPython's
/// `reversed_new`; what a `__reversed__` returns is returned as it is).
fn reversed_new(vm: &mut Vm, a: Args) -> PyResult {
    let r = reversed_of(vm, &a)?;
    let cls = match a.pos.first() {
        Some(Value::Obj(c)) if !Rc::ptr_eq(c, &vm.types.reversed) => c.clone(),
        _ => return Ok(r),
    };
    match r.as_obj() {
        Some(o) if Rc::ptr_eq(vm.class_of(&r), &vm.types.reversed) => {
            let Payload::Iter(st) = &o.payload else {
                return Ok(r);
            };
            let state = st.replace(IterState::Done);
            Ok(new_of_class(vm, &Args::new(&[Value::Obj(cls)]), state))
        }
        _ => Ok(r),
    }
}

fn reversed_of(vm: &mut Vm, a: &Args) -> PyResult {
    if a.len() != 2 {
        return Err(vm.new_type_error(format!("reversed expected 1 argument, got {}", a.len() - 1)));
    }
    let seq = a.pos[1].clone();
    if vm.is_heap(&seq) {
        let cls = vm.class_of(&seq).clone();
        if let Some(f) = crate::types::lookup(&cls, &vm.names.__reversed__.clone()) {
            return vm.call_slot(&f, std::slice::from_ref(&seq));
        }
    }
    if let Some(Value::Obj(d)) =
        Some(&seq).filter(|v| matches!(v.payload(), Some(Payload::Dict(_))))
    {
        return Ok(super::dict::reversed_iter(vm, d.clone(), 0));
    }
    if let Some((d, kind)) = super::dict::view_parts(&seq) {
        return Ok(super::dict::reversed_iter(vm, d, kind));
    }
    match seq.payload() {
        Some(Payload::List(l)) => {
            let n = l.borrow().len();
            let cls = vm.types.list_reverseiterator.clone();
            Ok(vm.new_iterator(
                &cls,
                IterState::Reversed {
                    seq: seq.clone(),
                    index: n,
                },
            ))
        }
        Some(Payload::Tuple(t)) => {
            let n = t.len();
            let cls = vm.types.reversed.clone();
            Ok(vm.new_iterator(
                &cls,
                IterState::Reversed {
                    seq: seq.clone(),
                    index: n,
                },
            ))
        }
        Some(Payload::BigRange(r)) => Ok(super::big_range::iter(vm, r, true)),
        Some(Payload::Range(r)) => {
            // From the last item back past the first, in `i64` when all three fit (not
            // for a range whose first item is `i64::MIN`, say).
            let [start, step] = [r[0], r[2]].map(i128::from);
            let n = i128::from(super::range_len(r));
            let bounds = [start + (n - 1) * step, start - step, -step].map(i64::try_from);
            let [Ok(next), Ok(stop), Ok(step)] = bounds else {
                let big = r.map(num_bigint::BigInt::from);
                return Ok(super::big_range::iter(vm, &big, true));
            };
            let cls = vm.types.range_iterator.clone();
            Ok(vm.new_iterator(&cls, IterState::Range { next, stop, step }))
        }
        _ => {
            // Sequence protocol: __len__ and __getitem__.
            let items = match seq.as_str() {
                Some(s) => s.as_str().chars().map(Value::char).collect(),
                None => {
                    let cls = vm.class_of(&seq).clone();
                    if crate::types::lookup(&cls, &vm.names.__getitem__.clone()).is_none()
                        || matches!(
                            seq.payload(),
                            Some(Payload::Dict(_)) | Some(Payload::Set(_))
                        )
                    {
                        return Err(vm.new_type_error(format!(
                            "'{}' object is not reversible",
                            vm.type_name(&seq)
                        )));
                    }
                    let n = vm.len(&seq)?;
                    let mut v = Vec::with_capacity(n);
                    for i in 0..n {
                        v.push(vm.getitem(&seq, &Value::Int(i as i64))?);
                    }
                    v
                }
            };
            let n = items.len();
            let t = vm.new_list(items);
            let cls = vm.types.reversed.clone();
            Ok(vm.new_iterator(&cls, IterState::Reversed { seq: t, index: n }))
        }
    }
}

/// `__iter__` of an iterator class: the iterator itself.
pub fn iter_self(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(a.pos[0].clone())
}

/// `__next__` of an iterator class whose objects [`Vm::next`] steps (the built-in
/// iterators and those made by [`Vm::new_native_iterator`]): the next item, or
/// `StopIteration`.
pub fn iter_next(vm: &mut Vm, a: Args) -> PyResult {
    match vm.next_builtin(&a.pos[0])? {
        Some(v) => Ok(v),
        None => Err(vm.new_stop_iteration(Value::None)),
    }
}
