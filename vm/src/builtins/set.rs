//! `set` and `frozenset`: constructors, methods, operators and comparisons.

use super::{def_method, def_methods, def_static};
use crate::code::{BinOp, CmpOp};
use crate::native::{Args, Sig};
use crate::object::Payload;
use crate::set::SetData;
use crate::table::SetTable;
use crate::value::Bool;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;
use std::rc::Rc;

pub(super) fn install(vm: &mut Vm) {
    let s = vm.types.set.clone();
    let f = vm.types.frozenset.clone();
    def_static(vm, &s, "__new__", set_new);
    def_method(vm, &s, "__init__", set_init);
    def_static(vm, &f, "__new__", frozenset_new);
    let common: &[(&str, Sig, crate::native::NativeFn)] = &[
        ("union", Sig::VARARGS, union),
        ("intersection", Sig::VARARGS, intersection),
        ("difference", Sig::VARARGS, difference),
        ("symmetric_difference", Sig::O, symmetric_difference),
        ("issubset", Sig::O, issubset),
        ("issuperset", Sig::O, issuperset),
        ("isdisjoint", Sig::O, isdisjoint),
        ("copy", Sig::NOARGS, copy),
        ("__len__", Sig::SLOT, dunder_len),
        ("__contains__", Sig::O, dunder_contains),
        ("__iter__", Sig::SLOT, dunder_iter),
        ("__repr__", Sig::SLOT, dunder_repr),
    ];
    def_methods(vm, &s, common);
    def_methods(vm, &f, common);
    let mutating: &[(&str, Sig, crate::native::NativeFn)] = &[
        ("add", Sig::O, add),
        ("discard", Sig::O, discard),
        ("remove", Sig::O, remove),
        ("pop", Sig::NOARGS, pop),
        ("clear", Sig::NOARGS, clear),
        ("update", Sig::VARARGS, update),
        ("intersection_update", Sig::VARARGS, intersection_update),
        ("difference_update", Sig::VARARGS, difference_update),
        (
            "symmetric_difference_update",
            Sig::O,
            symmetric_difference_update,
        ),
    ];
    def_methods(vm, &s, mutating);
    // The operators as attributes, for subclasses (whose instances go through the dunder
    // protocol) and explicit calls; exact sets are answered natively by the VM.
    let operators: &[(&str, Sig, crate::native::NativeFn)] = &[
        ("__or__", Sig::SLOT, dunder_or),
        ("__and__", Sig::SLOT, dunder_and),
        ("__sub__", Sig::SLOT, dunder_sub),
        ("__xor__", Sig::SLOT, dunder_xor),
        ("__ror__", Sig::SLOT, dunder_ror),
        ("__rand__", Sig::SLOT, dunder_rand),
        ("__rsub__", Sig::SLOT, dunder_rsub),
        ("__rxor__", Sig::SLOT, dunder_rxor),
    ];
    def_methods(vm, &s, operators);
    def_methods(vm, &f, operators);
    let inplace: &[(&str, Sig, crate::native::NativeFn)] = &[
        ("__ior__", Sig::SLOT, dunder_ior),
        ("__iand__", Sig::SLOT, dunder_iand),
        ("__isub__", Sig::SLOT, dunder_isub),
        ("__ixor__", Sig::SLOT, dunder_ixor),
    ];
    def_methods(vm, &s, inplace);
}

/// `x op y` for two sets (or frozensets) as CPython's number slots: `NotImplemented` unless
/// both are sets; the result is a plain `set` or `frozenset`, as the left operand's base.
fn slot_binary(vm: &mut Vm, x: &Value, y: &Value, op: BinOp) -> PyResult {
    let is_set = |v: &Value| matches!(v.payload(), Some(Payload::Set(_)));
    if !is_set(x) || !is_set(y) {
        return Ok(vm.not_implemented.clone());
    }
    Ok(set_binary(vm, x, y, op)?.unwrap_or_else(|| vm.not_implemented.clone()))
}

/// The number-slot wrappers of sets: `name(self, other)` runs `self op other` (reflected:
/// `other op self`; in place: `slot_inplace`).
macro_rules! set_slots {
    ($($name:ident: $how:ident $op:ident;)*) => {$(
        fn $name(vm: &mut Vm, a: Args) -> PyResult {
            set_slots!(@call $how, vm, a, BinOp::$op)
        }
    )*};
    (@call forward, $vm:ident, $a:ident, $op:expr) => { slot_binary($vm, &$a.pos[0], &$a.pos[1], $op) };
    (@call reflected, $vm:ident, $a:ident, $op:expr) => { slot_binary($vm, &$a.pos[1], &$a.pos[0], $op) };
    (@call inplace, $vm:ident, $a:ident, $op:expr) => { slot_inplace($vm, &$a, $op) };
}

set_slots! {
    dunder_or: forward Or;
    dunder_and: forward And;
    dunder_sub: forward Sub;
    dunder_xor: forward Xor;
    dunder_ror: reflected Or;
    dunder_rand: reflected And;
    dunder_rsub: reflected Sub;
    dunder_rxor: reflected Xor;
    dunder_ior: inplace Or;
    dunder_iand: inplace And;
    dunder_isub: inplace Sub;
    dunder_ixor: inplace Xor;
}

/// `x op= y` for a set: updates `x` in place and returns it; `NotImplemented` unless `y`
/// is a set.
fn slot_inplace(vm: &mut Vm, a: &Args, op: BinOp) -> PyResult {
    if !matches!(a.pos[1].payload(), Some(Payload::Set(_))) {
        return Ok(vm.not_implemented.clone());
    }
    set_inplace(vm, &a.pos[0], &a.pos[1], op)
}

/// A copy of the table of a set or frozenset value.
fn table_of(v: &Value) -> Option<SetTable<Value>> {
    match v.payload() {
        Some(Payload::Set(s)) => Some(s.borrow().table.copy()),
        _ => None,
    }
}

/// The items of an iterable with their hashes (dict keys keep their stored hashes).
fn hashed_items(vm: &mut Vm, it: &Value) -> PyResult<Vec<(i64, Value)>> {
    if let (Some(Payload::Dict(d)), false) = (it.payload(), vm.is_heap(it)) {
        return Ok(d.borrow().iter().map(|e| (e.hash, e.key.clone())).collect());
    }
    let items = vm.collect(it)?;
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        out.push((vm.hash(&i)?, i));
    }
    Ok(out)
}

fn is_exact_dict(vm: &Vm, v: &Value) -> bool {
    matches!(v.payload(), Some(Payload::Dict(_))) && !vm.is_heap(v)
}

/// Adds the items of `it` to `t` the way `set_update_internal` does.
fn update_table(vm: &mut Vm, t: &mut SetTable<Value>, it: &Value) -> PyResult<()> {
    if let Some(other) = table_of(it) {
        return t.merge(&other, |a, b| vm.key_matches(a, b));
    }
    let items = hashed_items(vm, it)?;
    if is_exact_dict(vm, it) {
        return t.extend_reserved(items.into_iter(), |a, b| vm.key_matches(a, b));
    }
    t.extend(items.into_iter().map(Ok), |a, b| vm.key_matches(a, b))
}

/// A new set (or frozenset, like `like`) holding `t`.
fn wrap(vm: &mut Vm, like: &Value, t: SetTable<Value>) -> Value {
    let frozen = crate::types::is_subtype(vm.class_of(like), &vm.types.frozenset.clone());
    let cls = if frozen {
        vm.types.frozenset.clone()
    } else {
        vm.types.set.clone()
    };
    Value::Obj(vm.track(crate::object::Object::new(
        cls,
        Payload::Set(Box::new(RefCell::new(SetData::from_table(t)))),
    )))
}

/// Replaces the table of the set value `target`.
fn store(vm: &mut Vm, target: &Value, t: SetTable<Value>) -> PyResult<()> {
    if let Some(Payload::Set(s)) = target.payload() {
        match s.try_borrow_mut() {
            Ok(mut s) => s.table = t,
            Err(_) => return Err(vm.new_runtime_error("Set changed size during iteration")),
        }
    }
    Ok(())
}

/// [`simple_key_eq`](crate::containers::simple_key_eq) as a table comparison: `Err`
/// where `__eq__` would have to run.
fn simple_eq(x: &Value, y: &Value) -> Result<bool, ()> {
    crate::containers::simple_key_eq(x, y).ok_or(())
}

/// `op` on the tables of the set values `a` and `b` borrowed in place, as CPython reads
/// them, when every comparison it makes is a [`simple_eq`] one (no `__eq__` runs, so
/// neither set can change under it); `None` otherwise, for the caller to work on copies.
fn borrowed_op(
    a: &Value,
    b: &Value,
    op: impl FnOnce(&SetTable<Value>, &SetTable<Value>) -> Result<SetTable<Value>, ()>,
) -> Option<SetTable<Value>> {
    let (Some(Payload::Set(x)), Some(Payload::Set(y))) = (a.payload(), b.payload()) else {
        return None;
    };
    let (x, y) = (x.try_borrow().ok()?, y.try_borrow().ok()?);
    op(&x.table, &y.table).ok()
}

fn mine(a: &Args) -> SetTable<Value> {
    table_of(&a.pos[0]).unwrap_or_default()
}

fn same(a: &Value, b: &Value) -> bool {
    a.is(b)
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
    let mut t = mine(&a);
    if t.fill() != 0 {
        t.clear();
    }
    if let Some(it) = a.get(1) {
        update_table(vm, &mut t, it)?;
    }
    store(vm, &a.pos[0], t)?;
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
    let exact = Rc::ptr_eq(&cls, &vm.types.frozenset);
    if let Some(it) = args.get(0) {
        if exact && Rc::ptr_eq(vm.class_of(it), &vm.types.frozenset) {
            return Ok(it.clone());
        }
    }
    let out = if exact {
        vm.new_set_value(&cls)
    } else {
        vm.new_instance(&cls)?
    };
    let mut t = SetTable::new();
    if let Some(it) = args.get(0) {
        update_table(vm, &mut t, it)?;
    }
    store(vm, &out, t)?;
    Ok(out)
}

fn add(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "set.add", 1, 1)?;
    vm.set_add(&a.pos[0], a.pos[1].clone())?;
    Ok(Value::None)
}

fn discard(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "set.discard", 1, 1)?;
    vm.set_discard(&a.pos[0], &a.pos[1])?;
    Ok(Value::None)
}

fn remove(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "set.remove", 1, 1)?;
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
    if Rc::ptr_eq(vm.class_of(&a.pos[0]), &vm.types.frozenset) {
        return Ok(a.pos[0].clone());
    }
    let t = mine(&a);
    Ok(wrap(vm, &a.pos[0], t))
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
    if let [me, other] = a.pos {
        let t = borrowed_op(me, other, |x, y| {
            let mut t = x.copy();
            t.merge(y, simple_eq).map(|()| t)
        });
        if let Some(t) = t {
            return Ok(wrap(vm, me, t));
        }
    }
    let mut t = mine(&a);
    for other in &a.pos[1..] {
        if same(other, &a.pos[0]) {
            continue;
        }
        update_table(vm, &mut t, other)?;
    }
    Ok(wrap(vm, &a.pos[0], t))
}

/// `t & other` as `set_intersection` computes it.
fn intersect(vm: &mut Vm, t: &SetTable<Value>, other: &Value) -> PyResult<SetTable<Value>> {
    match table_of(other) {
        Some(o) => t.intersection(&o, |x, y| vm.key_matches(x, y)),
        None => {
            let items = hashed_items(vm, other)?;
            t.intersection_iter(items.into_iter().map(Ok), |x, y| vm.key_matches(x, y))
        }
    }
}

fn intersection(vm: &mut Vm, a: Args) -> PyResult {
    if let [me, other] = a.pos {
        if let Some(t) = borrowed_op(me, other, |x, y| x.intersection(y, simple_eq)) {
            return Ok(wrap(vm, me, t));
        }
    }
    let mut t = mine(&a);
    for other in &a.pos[1..] {
        if same(other, &a.pos[0]) {
            continue;
        }
        t = intersect(vm, &t, other)?;
    }
    Ok(wrap(vm, &a.pos[0], t))
}

/// Removes the items of `other` from `t` (`set_difference_update_internal`).
fn subtract(vm: &mut Vm, t: &mut SetTable<Value>, other: &Value) -> PyResult<()> {
    match table_of(other) {
        Some(o) => t.difference_update(&o, |x, y| vm.key_matches(x, y)),
        None => {
            let items = hashed_items(vm, other)?;
            t.difference_update_iter(items.into_iter().map(Ok), |x, y| vm.key_matches(x, y))
        }
    }
}

fn difference(vm: &mut Vm, a: Args) -> PyResult {
    if let [me, other] = a.pos {
        if let Some(t) = borrowed_op(me, other, |x, y| x.difference(y, simple_eq)) {
            return Ok(wrap(vm, me, t));
        }
    }
    let me = mine(&a);
    let mut t = match a.pos.get(1) {
        None => me.copy(),
        Some(first) => match table_of(first) {
            Some(o) => me.difference(&o, |x, y| vm.key_matches(x, y))?,
            None if is_exact_dict(vm, first) => {
                let items = hashed_items(vm, first)?;
                if (me.len() >> 2) > items.len() {
                    let mut c = me.copy();
                    c.difference_update_iter(items.into_iter().map(Ok), |x, y| {
                        vm.key_matches(x, y)
                    })?;
                    c
                } else {
                    let d = first.as_obj().cloned().expect("dict");
                    let mut c = SetTable::new();
                    for (h, k) in me.entries() {
                        if vm.dict_lookup(&d, k)?.is_none() {
                            let k = k.clone();
                            c.insert(h, k, |x, y| vm.key_matches(x, y))?;
                        }
                    }
                    c
                }
            }
            None => {
                let mut c = me.copy();
                subtract(vm, &mut c, first)?;
                c
            }
        },
    };
    for other in a.pos.iter().skip(2) {
        subtract(vm, &mut t, other)?;
    }
    Ok(wrap(vm, &a.pos[0], t))
}

fn symmetric_difference(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "set.symmetric_difference", 1, 1)?;
    let mut t = SetTable::new();
    update_table(vm, &mut t, &a.pos[1])?;
    let me = mine(&a);
    t.symmetric_difference_update(&me, |x, y| vm.key_matches(x, y))?;
    Ok(wrap(vm, &a.pos[0], t))
}

/// Adds (or with `remove`, discards) the items of `it` to the set `target` in place, as
/// CPython does, so each call costs the size of `it`, not of the set. While every key
/// comparison is a [`simple_eq`] one the table is changed where it is; once one needs
/// `__eq__` (which may change either set), the rest is done on a copy that is stored
/// back (redoing the part already done changes nothing).
fn change_in_place(vm: &mut Vm, target: &Value, it: &Value, remove: bool) -> PyResult<()> {
    let Some(Payload::Set(cell)) = target.payload() else {
        return Ok(());
    };
    let items = if let Some(Payload::Set(o)) = it.payload() {
        let done = match (cell.try_borrow_mut(), o.try_borrow()) {
            (Ok(mut me), Ok(other)) if remove => {
                me.table.difference_update(&other.table, simple_eq).is_ok()
            }
            (Ok(mut me), Ok(other)) => me.table.merge(&other.table, simple_eq).is_ok(),
            _ => false,
        };
        if done {
            return Ok(());
        }
        None
    } else {
        let items = hashed_items(vm, it)?;
        let done = match cell.try_borrow_mut() {
            Ok(mut me) if remove => me
                .table
                .difference_update_iter(items.iter().cloned().map(Ok), simple_eq)
                .is_ok(),
            Ok(mut me) => me
                .table
                .extend(items.iter().cloned().map(Ok), simple_eq)
                .is_ok(),
            Err(_) => false,
        };
        if done {
            return Ok(());
        }
        Some(items)
    };
    let mut t = table_of(target).unwrap_or_default();
    match (items, remove) {
        (None, true) => subtract(vm, &mut t, it)?,
        (None, false) => update_table(vm, &mut t, it)?,
        (Some(items), true) => {
            t.difference_update_iter(items.into_iter().map(Ok), |x, y| vm.key_matches(x, y))?
        }
        (Some(items), false) => t.extend(items.into_iter().map(Ok), |x, y| vm.key_matches(x, y))?,
    }
    store(vm, target, t)
}

fn update(vm: &mut Vm, a: Args) -> PyResult {
    for other in &a.pos[1..] {
        if same(other, &a.pos[0]) {
            continue;
        }
        change_in_place(vm, &a.pos[0], other, false)?;
    }
    Ok(Value::None)
}

fn intersection_update(vm: &mut Vm, a: Args) -> PyResult {
    let mut t = mine(&a);
    for other in &a.pos[1..] {
        if same(other, &a.pos[0]) {
            continue;
        }
        t = intersect(vm, &t, other)?;
    }
    let mut cur = mine(&a);
    cur.swap_contents(&mut t);
    store(vm, &a.pos[0], cur)?;
    Ok(Value::None)
}

fn difference_update(vm: &mut Vm, a: Args) -> PyResult {
    for other in &a.pos[1..] {
        if same(other, &a.pos[0]) {
            store(vm, &a.pos[0], SetTable::new())?;
            continue;
        }
        change_in_place(vm, &a.pos[0], other, true)?;
    }
    Ok(Value::None)
}

fn symmetric_difference_update(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "set.symmetric_difference_update", 1, 1)?;
    let mut t = mine(&a);
    let other = &a.pos[1];
    if same(other, &a.pos[0]) {
        t.clear();
    } else if is_exact_dict(vm, other) {
        let items = hashed_items(vm, other)?;
        t.toggle_each(items.iter().map(|(h, k)| (*h, k)), |x, y| {
            vm.key_matches(x, y)
        })?;
    } else {
        let mut o = SetTable::new();
        update_table(vm, &mut o, other)?;
        t.symmetric_difference_update(&o, |x, y| vm.key_matches(x, y))?;
    }
    store(vm, &a.pos[0], t)?;
    Ok(Value::None)
}

/// CPython's `set_issubset` of two sets: a longer `a` is not a subset, else each element
/// of `a` is looked up in `b` by its stored hash (no `__hash__` call).
fn is_subset(vm: &mut Vm, a: &Value, b: &Obj) -> PyResult<bool> {
    let entries: Vec<(i64, Value)> = match a.payload() {
        Some(Payload::Set(s)) => s
            .borrow()
            .table
            .entries()
            .map(|(h, k)| (h, k.clone()))
            .collect(),
        _ => Vec::new(),
    };
    if entries.len() > elements_len(&Value::Obj(b.clone())) {
        return Ok(false);
    }
    for (hash, key) in entries {
        if !vm.set_contains_hashed(b, hash, &key)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The number of elements of a set value.
fn elements_len(v: &Value) -> usize {
    match v.payload() {
        Some(Payload::Set(s)) => s.borrow().len(),
        _ => 0,
    }
}

fn issubset(vm: &mut Vm, a: Args) -> PyResult {
    let o = as_set(vm, &a.pos[1])?;
    is_subset(vm, &a.pos[0], &o).map(Value::bool)
}

fn issuperset(vm: &mut Vm, a: Args) -> PyResult {
    let Value::Obj(me) = &a.pos[0] else {
        return Ok(Value::Bool(Bool::FALSE));
    };
    if matches!(a.pos[1].payload(), Some(Payload::Set(_))) {
        return is_subset(vm, &a.pos[1], &me.clone()).map(Value::bool);
    }
    let items = vm.collect(&a.pos[1])?;
    contains_all(vm, &me.clone(), &items).map(Value::bool)
}

fn isdisjoint(vm: &mut Vm, a: Args) -> PyResult {
    let Value::Obj(me) = &a.pos[0] else {
        return Ok(Value::Bool(Bool::TRUE));
    };
    for i in vm.collect(&a.pos[1])? {
        if vm.set_contains(&me.clone(), &i)? {
            return Ok(Value::Bool(Bool::FALSE));
        }
    }
    Ok(Value::Bool(Bool::TRUE))
}

fn dunder_len(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int(elements_len(&a.pos[0]) as i64))
}

fn dunder_contains(vm: &mut Vm, a: Args) -> PyResult {
    let Value::Obj(me) = &a.pos[0] else {
        return Ok(Value::Bool(Bool::FALSE));
    };
    vm.set_contains(&me.clone(), &a.pos[1]).map(Value::bool)
}

fn dunder_iter(vm: &mut Vm, a: Args) -> PyResult {
    let Value::Obj(me) = &a.pos[0] else {
        return Ok(Value::None);
    };
    let len = elements_len(&a.pos[0]);
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

/// Set comparisons (subset/superset ordering), as CPython's `set_richcompare`: sizes
/// first, then one subset test by stored hashes.
pub fn set_compare(vm: &mut Vm, a: &Value, b: &Value, op: CmpOp) -> PyResult<bool> {
    let (Value::Obj(ao), Value::Obj(bo)) = (a, b) else {
        return Ok(false);
    };
    let (la, lb) = (elements_len(a), elements_len(b));
    Ok(match op {
        CmpOp::Eq => la == lb && is_subset(vm, a, bo)?,
        CmpOp::Ne => !(la == lb && is_subset(vm, a, bo)?),
        CmpOp::Le => is_subset(vm, a, bo)?,
        CmpOp::Lt => la < lb && is_subset(vm, a, bo)?,
        CmpOp::Ge => is_subset(vm, b, ao)?,
        CmpOp::Gt => la > lb && is_subset(vm, b, ao)?,
    })
}
