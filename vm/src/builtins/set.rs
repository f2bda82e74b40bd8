//! `set` and `frozenset`: constructors, methods, operators and comparisons.

use super::{def_method, def_static};
use crate::code::{BinOp, CmpOp};
use crate::native::Args;
use crate::object::Payload;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

pub(super) fn install(vm: &mut Vm) {
    let s = vm.types.set.clone();
    let f = vm.types.frozenset.clone();
    def_static(vm, &s, "__new__", set_new);
    def_method(vm, &s, "__init__", set_init);
    def_static(vm, &f, "__new__", frozenset_new);
    let common: &[(&str, crate::native::NativeFn)] = &[
        ("union", union),
        ("intersection", intersection),
        ("difference", difference),
        ("symmetric_difference", symmetric_difference),
        ("issubset", issubset),
        ("issuperset", issuperset),
        ("isdisjoint", isdisjoint),
        ("copy", copy),
        ("__len__", dunder_len),
        ("__contains__", dunder_contains),
        ("__iter__", dunder_iter),
        ("__repr__", dunder_repr),
    ];
    for (name, func) in common {
        def_method(vm, &s, name, *func);
        def_method(vm, &f, name, *func);
    }
    let mutating: &[(&str, crate::native::NativeFn)] = &[
        ("add", add),
        ("discard", discard),
        ("remove", remove),
        ("pop", pop),
        ("clear", clear),
        ("update", update),
        ("intersection_update", intersection_update),
        ("difference_update", difference_update),
        ("symmetric_difference_update", symmetric_difference_update),
    ];
    for (name, func) in mutating {
        def_method(vm, &s, name, *func);
    }
}

fn elements(v: &Value) -> Vec<Value> {
    match v.payload() {
        Some(Payload::Set(s)) => s.borrow().iter().cloned().collect(),
        _ => Vec::new(),
    }
}

fn same_class_new(vm: &mut Vm, like: &Value) -> Value {
    let frozen = crate::types::is_subtype(vm.class_of(like), &vm.types.frozenset.clone());
    let cls = if frozen {
        vm.types.frozenset.clone()
    } else {
        vm.types.set.clone()
    };
    vm.new_set_value(&cls)
}

fn set_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = a.pos[0].as_obj().cloned().expect("class");
    if Rc::ptr_eq(&cls, &vm.types.set) {
        return Ok(vm.new_set_value(&cls));
    }
    vm.new_instance(&cls)
}

fn set_init(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "set")?;
    if a.len() > 2 {
        return Err(vm.new_type_error(format!(
            "set expected at most 1 argument, got {}",
            a.len() - 1
        )));
    }
    if let Some(Payload::Set(s)) = a.pos[0].payload() {
        s.borrow_mut().clear();
    }
    if let Some(it) = a.get(1) {
        let items = vm.collect(it)?;
        for i in items {
            vm.set_add(&a.pos[0], i)?;
        }
    }
    Ok(Value::None)
}

fn frozenset_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = a.pos[0].as_obj().cloned().expect("class");
    let args = Args {
        pos: &a.pos[1..],
        kw: a.kw,
    };
    args.no_kwargs(vm, "frozenset")?;
    args.check_count(vm, "frozenset", 0, 1)?;
    let out = if Rc::ptr_eq(&cls, &vm.types.frozenset) {
        vm.new_set_value(&cls)
    } else {
        vm.new_instance(&cls)?
    };
    if let Some(it) = args.get(0) {
        let items = vm.collect(it)?;
        for i in items {
            vm.set_add(&out, i)?;
        }
    }
    Ok(out)
}

fn add(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "add", 1, 1)?;
    vm.set_add(&a.pos[0], a.pos[1].clone())?;
    Ok(Value::None)
}

fn discard(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "discard", 1, 1)?;
    vm.set_discard(&a.pos[0], &a.pos[1])?;
    Ok(Value::None)
}

fn remove(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "remove", 1, 1)?;
    if !vm.set_discard(&a.pos[0], &a.pos[1])? {
        return Err(vm.new_key_error(a.pos[1].clone()));
    }
    Ok(Value::None)
}

fn pop(vm: &mut Vm, a: Args) -> PyResult {
    let v = match a.pos[0].payload() {
        Some(Payload::Set(s)) => s.borrow_mut().pop(),
        _ => None,
    };
    v.ok_or_else(|| vm.new_exception_msg(&vm.exc.key_error.clone(), "pop from an empty set"))
}

fn clear(_vm: &mut Vm, a: Args) -> PyResult {
    if let Some(Payload::Set(s)) = a.pos[0].payload() {
        let old = s.borrow_mut().take_all();
        drop(old);
    }
    Ok(Value::None)
}

fn copy(vm: &mut Vm, a: Args) -> PyResult {
    let out = same_class_new(vm, &a.pos[0]);
    for e in elements(&a.pos[0]) {
        vm.set_add(&out, e)?;
    }
    Ok(out)
}

fn contains_all(vm: &mut Vm, set: &Obj, items: &[Value]) -> PyResult<bool> {
    for i in items {
        if !vm.set_contains(set, i)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn as_set(vm: &mut Vm, v: &Value) -> PyResult<Obj> {
    match v {
        Value::Obj(o) if matches!(o.payload, Payload::Set(_)) => Ok(o.clone()),
        _ => {
            let items = vm.collect(v)?;
            match vm.new_set_from(items)? {
                Value::Obj(o) => Ok(o),
                _ => unreachable!(),
            }
        }
    }
}

fn union(vm: &mut Vm, a: Args) -> PyResult {
    let out = copy(vm, Args::new(&a.pos[..1]))?;
    for other in &a.pos[1..] {
        for i in vm.collect(other)? {
            vm.set_add(&out, i)?;
        }
    }
    Ok(out)
}

fn intersection(vm: &mut Vm, a: Args) -> PyResult {
    let mut cur = elements(&a.pos[0]);
    for other in &a.pos[1..] {
        let o = as_set(vm, other)?;
        let mut keep = Vec::new();
        for i in cur {
            if vm.set_contains(&o, &i)? {
                keep.push(i);
            }
        }
        cur = keep;
    }
    let out = same_class_new(vm, &a.pos[0]);
    for i in cur {
        vm.set_add(&out, i)?;
    }
    Ok(out)
}

fn difference(vm: &mut Vm, a: Args) -> PyResult {
    let mut cur = elements(&a.pos[0]);
    for other in &a.pos[1..] {
        let o = as_set(vm, other)?;
        let mut keep = Vec::new();
        for i in cur {
            if !vm.set_contains(&o, &i)? {
                keep.push(i);
            }
        }
        cur = keep;
    }
    let out = same_class_new(vm, &a.pos[0]);
    for i in cur {
        vm.set_add(&out, i)?;
    }
    Ok(out)
}

fn symmetric_difference(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "symmetric_difference", 1, 1)?;
    let out = copy(vm, Args::new(&a.pos[..1]))?;
    for i in vm.collect(&a.pos[1])? {
        if !vm.set_discard(&out, &i)? {
            vm.set_add(&out, i)?;
        }
    }
    Ok(out)
}

fn update(vm: &mut Vm, a: Args) -> PyResult {
    for other in &a.pos[1..] {
        for i in vm.collect(other)? {
            vm.set_add(&a.pos[0], i)?;
        }
    }
    Ok(Value::None)
}

fn replace_contents(vm: &mut Vm, target: &Value, src: &Value) -> PyResult<()> {
    if let Some(Payload::Set(s)) = target.payload() {
        s.borrow_mut().clear();
    }
    for i in elements(src) {
        vm.set_add(target, i)?;
    }
    Ok(())
}

fn intersection_update(vm: &mut Vm, a: Args) -> PyResult {
    let r = intersection(vm, a)?;
    replace_contents(vm, &a.pos[0], &r)?;
    Ok(Value::None)
}

fn difference_update(vm: &mut Vm, a: Args) -> PyResult {
    let r = difference(vm, a)?;
    replace_contents(vm, &a.pos[0], &r)?;
    Ok(Value::None)
}

fn symmetric_difference_update(vm: &mut Vm, a: Args) -> PyResult {
    for i in vm.collect(&a.pos[1])? {
        if !vm.set_discard(&a.pos[0], &i)? {
            vm.set_add(&a.pos[0], i)?;
        }
    }
    Ok(Value::None)
}

fn issubset(vm: &mut Vm, a: Args) -> PyResult {
    let o = as_set(vm, &a.pos[1])?;
    let mine = elements(&a.pos[0]);
    contains_all(vm, &o, &mine).map(Value::Bool)
}

fn issuperset(vm: &mut Vm, a: Args) -> PyResult {
    let Value::Obj(me) = &a.pos[0] else {
        return Ok(Value::Bool(false));
    };
    let items = vm.collect(&a.pos[1])?;
    contains_all(vm, &me.clone(), &items).map(Value::Bool)
}

fn isdisjoint(vm: &mut Vm, a: Args) -> PyResult {
    let Value::Obj(me) = &a.pos[0] else {
        return Ok(Value::Bool(true));
    };
    for i in vm.collect(&a.pos[1])? {
        if vm.set_contains(&me.clone(), &i)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn dunder_len(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int(elements(&a.pos[0]).len() as i64))
}

fn dunder_contains(vm: &mut Vm, a: Args) -> PyResult {
    let Value::Obj(me) = &a.pos[0] else {
        return Ok(Value::Bool(false));
    };
    vm.set_contains(&me.clone(), &a.pos[1]).map(Value::Bool)
}

fn dunder_iter(vm: &mut Vm, a: Args) -> PyResult {
    let Value::Obj(me) = &a.pos[0] else {
        return Ok(Value::None);
    };
    let len = elements(&a.pos[0]).len();
    let cls = vm.types.set_iterator.clone();
    Ok(vm.new_iterator(
        &cls,
        crate::iter::IterState::Set {
            set: me.clone(),
            pos: 0,
            len,
        },
    ))
}

fn dunder_repr(vm: &mut Vm, a: Args) -> PyResult {
    super::native_repr(vm, &a.pos[0]).map(Value::str)
}

/// `a | b`, `a & b`, `a - b`, `a ^ b` for sets.
pub fn set_binary(vm: &mut Vm, a: &Value, b: &Value, op: BinOp) -> PyResult<Option<Value>> {
    let args = [a.clone(), b.clone()];
    let r = match op {
        BinOp::Or => union(vm, Args::new(&args))?,
        BinOp::And => intersection(vm, Args::new(&args))?,
        BinOp::Sub => difference(vm, Args::new(&args))?,
        BinOp::Xor => symmetric_difference(vm, Args::new(&args))?,
        _ => return Ok(None),
    };
    Ok(Some(r))
}

/// `a |= b` and friends.
pub fn set_inplace(vm: &mut Vm, a: &Value, b: &Value, op: BinOp) -> PyResult {
    if !matches!(b.payload(), Some(Payload::Set(_))) {
        let sym = op.symbol();
        return Err(vm.new_type_error(format!(
            "unsupported operand type(s) for {sym}=: '{}' and '{}'",
            vm.type_name(a),
            vm.type_name(b)
        )));
    }
    let args = [a.clone(), b.clone()];
    match op {
        BinOp::Or => update(vm, Args::new(&args))?,
        BinOp::And => intersection_update(vm, Args::new(&args))?,
        BinOp::Sub => difference_update(vm, Args::new(&args))?,
        _ => symmetric_difference_update(vm, Args::new(&args))?,
    };
    Ok(a.clone())
}

/// Set comparisons (subset/superset ordering).
pub fn set_compare(vm: &mut Vm, a: &Value, b: &Value, op: CmpOp) -> PyResult<bool> {
    let (Value::Obj(ao), Value::Obj(bo)) = (a, b) else {
        return Ok(false);
    };
    let ea = elements(a);
    let eb = elements(b);
    let a_in_b = contains_all(vm, bo, &ea)?;
    let b_in_a = contains_all(vm, ao, &eb)?;
    Ok(match op {
        CmpOp::Eq => a_in_b && b_in_a,
        CmpOp::Ne => !(a_in_b && b_in_a),
        CmpOp::Le => a_in_b,
        CmpOp::Lt => a_in_b && ea.len() < eb.len(),
        CmpOp::Ge => b_in_a,
        CmpOp::Gt => b_in_a && eb.len() < ea.len(),
    })
}

/// `hash(frozenset)` from the element hashes (CPython's `frozenset_hash`).
pub fn frozenset_hash(hashes: &[i64]) -> i64 {
    fn shuffle(h: u64) -> u64 {
        ((h ^ 89869747) ^ (h << 16)).wrapping_mul(3644798167)
    }
    let mut hash: u64 = 0;
    for &h in hashes {
        hash ^= shuffle(h as u64);
    }
    hash ^= (hashes.len() as u64)
        .wrapping_add(1)
        .wrapping_mul(1927868237);
    hash ^= (hash >> 11) ^ (hash >> 25);
    hash = hash.wrapping_mul(69069).wrapping_add(907133923);
    let h = hash as i64;
    if h == -1 {
        590923713
    } else {
        h
    }
}
