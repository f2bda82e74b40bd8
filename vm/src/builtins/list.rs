//! `list` and `tuple`: constructors and methods, including the stable `sort` with `key` and
//! `reverse` that compares only with `<`, as CPython's timsort does.

use super::{def_method, def_methods, def_static};
use crate::code::CmpOp;
use crate::native::{Args, Sig};
use crate::object::Payload;
use crate::str::Str;
use crate::value::Bool;
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;
use std::rc::Rc;

pub(super) fn install(vm: &mut Vm) {
    let l = vm.types.list.clone();
    def_static(vm, &l, "__new__", list_new);
    def_method(vm, &l, "__init__", list_init);
    let methods: &[(&str, Sig, crate::native::NativeFn)] = &[
        ("append", Sig::O, append),
        ("extend", Sig::O, extend),
        ("insert", Sig::VARARGS, insert),
        ("pop", Sig::VARARGS, pop),
        ("remove", Sig::O, remove),
        ("clear", Sig::NOARGS, clear),
        ("copy", Sig::NOARGS, copy),
        ("count", Sig::O, count),
        ("index", Sig::VARARGS, index),
        ("reverse", Sig::NOARGS, reverse),
        ("sort", Sig::KEYWORDS, sort),
        ("__len__", Sig::SLOT, dunder_len),
        ("__getitem__", Sig::O, dunder_getitem),
        ("__setitem__", Sig::SLOT, dunder_setitem),
        ("__delitem__", Sig::SLOT, dunder_delitem),
        ("__contains__", Sig::SLOT, dunder_contains),
        ("__iter__", Sig::SLOT, dunder_iter),
        ("__repr__", Sig::SLOT, dunder_repr),
        ("__eq__", Sig::SLOT, dunder_eq),
        ("__add__", Sig::SLOT, dunder_add),
        ("__iadd__", Sig::SLOT, dunder_iadd),
        ("__imul__", Sig::REPEAT, dunder_imul),
        ("__reversed__", Sig::NOARGS, dunder_reversed),
    ];
    def_methods(vm, &l, methods);
    let t = vm.types.tuple.clone();
    def_static(vm, &t, "__new__", tuple_new);
    let methods: &[(&str, Sig, crate::native::NativeFn)] = &[
        ("count", Sig::O, count),
        ("index", Sig::VARARGS, index),
        ("__len__", Sig::SLOT, dunder_len),
        ("__getitem__", Sig::SLOT, dunder_getitem),
        ("__contains__", Sig::SLOT, dunder_contains),
        ("__iter__", Sig::SLOT, dunder_iter),
        ("__repr__", Sig::SLOT, dunder_repr),
        ("__eq__", Sig::SLOT, dunder_eq),
        ("__add__", Sig::SLOT, dunder_add),
        ("__hash__", Sig::SLOT, dunder_hash),
        ("__getnewargs__", Sig::NOARGS, tuple_getnewargs),
    ];
    def_methods(vm, &t, methods);
}

fn list_of<'a>(vm: &mut Vm, a: &'a Args, name: &str) -> PyResult<&'a RefCell<Vec<Value>>> {
    match a.pos.first().and_then(|v| v.payload()) {
        Some(Payload::List(l)) => Ok(l),
        _ => {
            let got = a.pos.first().map(|v| vm.type_name(v)).unwrap_or_default();
            Err(vm.new_type_error(format!(
                "descriptor '{name}' for 'list' objects doesn't apply to a '{got}' object"
            )))
        }
    }
}

/// The items of a list or tuple receiver.
fn items_of(a: &Args) -> Vec<Value> {
    match a.pos.first().and_then(|v| v.payload()) {
        Some(Payload::List(l)) => l.borrow().clone(),
        Some(Payload::Tuple(t)) => t.to_vec(),
        _ => Vec::new(),
    }
}

fn list_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = a.pos[0].as_obj().cloned().expect("class");
    if Rc::ptr_eq(&cls, &vm.types.list) {
        return Ok(vm.new_list(Vec::new()));
    }
    vm.new_instance(&cls)
}

fn list_init(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "list")?;
    if a.len() > 2 {
        return Err(vm.new_type_error(format!(
            "list expected at most 1 argument, got {}",
            a.len() - 1
        )));
    }
    let items = match a.get(1) {
        Some(v) => vm.collect(v)?,
        None => Vec::new(),
    };
    let l = list_of(vm, &a, "__init__")?;
    *l.borrow_mut() = items;
    Ok(Value::None)
}

fn tuple_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = a.pos[0].as_obj().cloned().expect("class");
    let args = Args {
        pos: &a.pos[1..],
        kw: a.kw,
    };
    args.no_kwargs(vm, "tuple")?;
    args.check_count(vm, "tuple", 0, 1)?;
    let items = match args.get(0) {
        Some(v) => {
            if Rc::ptr_eq(&cls, &vm.types.tuple)
                && matches!(v.payload(), Some(Payload::Tuple(_)))
                && !vm.is_heap(v)
            {
                return Ok(v.clone());
            }
            vm.collect(v)?
        }
        None => Vec::new(),
    };
    if Rc::ptr_eq(&cls, &vm.types.tuple) {
        return Ok(vm.new_tuple(items));
    }
    let inst = vm.new_instance(&cls)?;
    Ok(super::int::rebuild(
        vm,
        &inst,
        Payload::Tuple(items.into_boxed_slice()),
    ))
}

/// `list.append`.
pub(crate) fn append(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "list.append", 1, 1)?;
    let l = list_of(vm, &a, "append")?;
    l.borrow_mut().push(a.pos[1].clone());
    Ok(Value::None)
}

fn extend(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "list.extend", 1, 1)?;
    let items = vm.collect(&a.pos[1])?;
    let l = list_of(vm, &a, "extend")?;
    l.borrow_mut().extend(items);
    Ok(Value::None)
}

fn insert(vm: &mut Vm, a: Args) -> PyResult {
    if a.len() != 3 {
        return Err(vm.new_type_error(format!(
            "insert expected 2 arguments, got {}",
            a.len().saturating_sub(1)
        )));
    }
    let i = super::int::ssize_of(vm, &a.pos[1])?;
    let l = list_of(vm, &a, "insert")?;
    let mut l = l.borrow_mut();
    let n = l.len() as i64;
    let j = if i < 0 { (i + n).max(0) } else { i.min(n) };
    l.insert(j as usize, a.pos[2].clone());
    Ok(Value::None)
}

fn pop(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "pop", 0, 1)?;
    let i = match a.get(1) {
        Some(v) => super::int::ssize_of(vm, v)?,
        None => -1,
    };
    let l = list_of(vm, &a, "pop")?;
    let mut lb = l.borrow_mut();
    if lb.is_empty() {
        drop(lb);
        return Err(vm.new_index_error("pop from empty list"));
    }
    let n = lb.len() as i64;
    let j = if i < 0 { i + n } else { i };
    if j < 0 || j >= n {
        drop(lb);
        return Err(vm.new_index_error("pop index out of range"));
    }
    Ok(lb.remove(j as usize))
}

fn remove(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "list.remove", 1, 1)?;
    let l = list_of(vm, &a, "remove")?;
    let mut i = 0;
    loop {
        let x = l.borrow().get(i).cloned();
        let Some(x) = x else { break };
        if x.is(&a.pos[1]) || vm.eq(&x, &a.pos[1])? {
            let mut lb = l.borrow_mut();
            if i < lb.len() {
                lb.remove(i);
            }
            return Ok(Value::None);
        }
        i += 1;
    }
    Err(vm.new_value_error("list.remove(x): x not in list"))
}

fn clear(vm: &mut Vm, a: Args) -> PyResult {
    let l = list_of(vm, &a, "clear")?;
    let old = std::mem::take(&mut *l.borrow_mut());
    drop(old);
    Ok(Value::None)
}

fn copy(vm: &mut Vm, a: Args) -> PyResult {
    let items = list_of(vm, &a, "copy")?.borrow().clone();
    Ok(vm.new_list(items))
}

fn count(vm: &mut Vm, a: Args) -> PyResult {
    // Shared by list and tuple: the receiver names the method in the messages.
    let owner = match a.pos.first().and_then(|v| v.payload()) {
        Some(Payload::Tuple(_)) => "tuple.count",
        Some(Payload::List(_)) => "list.count",
        _ => return list_of(vm, &a, "count").map(|_| Value::None),
    };
    a.method_count(vm, owner, 1, 1)?;
    let mut n = 0;
    for x in items_of(&a) {
        if x.is(&a.pos[1]) || vm.eq(&x, &a.pos[1])? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

fn index(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "index", 1, 3)?;
    let items = items_of(&a);
    let n = items.len() as i64;
    let norm = |i: i64| if i < 0 { (i + n).max(0) } else { i.min(n) };
    let start = match a.get(2) {
        Some(v) => norm(super::subscript::search_index(vm, v)?),
        None => 0,
    };
    let stop = match a.get(3) {
        Some(v) => norm(super::subscript::search_index(vm, v)?),
        None => n,
    };
    for i in start..stop {
        let x = &items[i as usize];
        if x.is(&a.pos[1]) || vm.eq(x, &a.pos[1])? {
            return Ok(Value::Int(i));
        }
    }
    if matches!(a.pos[0].payload(), Some(Payload::Tuple(_))) {
        return Err(vm.new_value_error("tuple.index(x): x not in tuple"));
    }
    let r = vm.repr(&a.pos[1])?;
    Err(vm.new_value_error(format!("{} is not in list", r.as_str())))
}

fn reverse(vm: &mut Vm, a: Args) -> PyResult {
    let l = list_of(vm, &a, "reverse")?;
    l.borrow_mut().reverse();
    Ok(Value::None)
}

fn sort(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "sort", 0, 0, 2)?;
    sort_list(vm, &a.pos[0], a.kw)?;
    Ok(Value::None)
}

/// Sorts a list value in place (`key=`, `reverse=`), stably, comparing with `<` only.
pub fn sort_list(vm: &mut Vm, list: &Value, kw: &[(Rc<Str>, Value)]) -> PyResult<()> {
    let mut key = None;
    let mut reverse = false;
    for (k, v) in kw {
        match k.as_str() {
            "key" => key = Some(v.clone()).filter(|v| !v.is_none()),
            "reverse" => reverse = vm.is_true(v)?,
            other => {
                return Err(vm.new_type_error(format!(
                    "'{other}' is an invalid keyword argument for sort()"
                )))
            }
        }
    }
    let Some(Payload::List(l)) = list.payload() else {
        return Ok(());
    };
    let items = std::mem::take(&mut *l.borrow_mut());
    let keys = match &key {
        Some(f) => {
            let mut ks = Vec::with_capacity(items.len());
            for it in &items {
                match vm.call(f, std::slice::from_ref(it), &[]) {
                    Ok(k) => ks.push(k),
                    Err(e) => {
                        *l.borrow_mut() = items;
                        return Err(e);
                    }
                }
            }
            ks
        }
        None => items.clone(),
    };
    // Fast paths for homogeneous ints, floats (without NaN, so `<` is a total order, as
    // CPython's unsafe_float_compare assumes of what it sorts) and strings; tuples skip
    // the generic dispatch. Each sorts the keys themselves beside their items' indices.
    let all_int = keys.iter().all(|k| matches!(k, Value::Int(_)));
    let all_float = !all_int
        && keys
            .iter()
            .all(|k| matches!(k, Value::Float(f) if !f.get().is_nan()));
    let all_str = !all_int && !all_float && keys.iter().all(|k| matches!(k, Value::Str(_)));
    let (idx, result) = if all_int {
        let ints = keys.iter().map(|k| match k {
            Value::Int(i) => *i,
            _ => unreachable!("all ints"),
        });
        sorted_order(ints, reverse, |p| by_key(p, i64::cmp))
    } else if all_float {
        let floats = keys.iter().map(|k| match k {
            Value::Float(f) => f.get(),
            _ => unreachable!("all floats"),
        });
        sorted_order(floats, reverse, |p| {
            by_key(p, |x: &f64, y: &f64| x.partial_cmp(y).expect("no NaN"))
        })
    } else if all_str {
        let strs = keys.iter().map(|k| match k {
            Value::Str(s) => s.as_str(),
            _ => unreachable!("all strings"),
        });
        sorted_order(strs, reverse, |p| by_key(p, |x: &&str, y: &&str| x.cmp(y)))
    } else if let Some(heads) = tuple_heads(vm, &keys) {
        // Built-in tuples that all start with numbers (records sorted by a number or
        // two): the heads decide most comparisons without reading the tuples.
        match heads {
            TupleHeads::Int(h) => by_heads(vm, h, &keys, reverse, i64::cmp),
            TupleHeads::IntInt(h) => by_heads(vm, h, &keys, reverse, <(i64, i64)>::cmp),
            TupleHeads::IntFloat(h) => by_heads(vm, h, &keys, reverse, |x, y| {
                x.0.cmp(&y.0)
                    .then_with(|| x.1.partial_cmp(&y.1).expect("no NaN"))
            }),
        }
    } else {
        sorted_order(keys.iter().map(KeyBits::of), reverse, |p| {
            super::sort::stable_sort(p, &mut |(x, _), (y, _)| less_than(vm, x.get(), y.get()))
        })
    };
    let mut slots: Vec<Option<Value>> = items.into_iter().map(Some).collect();
    let sorted: Vec<Value> = idx
        .into_iter()
        .map(|i| slots[i].take().expect("item"))
        .collect();
    // The list stayed empty during the sort: anything a key or comparison put there (or
    // the storage it grew) is discarded, and reported as CPython does.
    let modified = {
        let during = l.borrow();
        !during.is_empty() || during.capacity() != 0
    };
    let discarded = std::mem::replace(&mut *l.borrow_mut(), sorted);
    drop(discarded);
    if modified && result.is_ok() {
        return Err(vm.new_value_error("list modified during sort"));
    }
    result
}

/// `a < b` as a bool, with tuples compared item by item without the generic dispatch.
fn less_than(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<bool> {
    // Built-in tuples only: a subclass may define its own `__lt__`.
    let tuples = matches!(
        (a.payload(), b.payload()),
        (Some(Payload::Tuple(_)), Some(Payload::Tuple(_)))
    );
    if tuples && !vm.is_heap(a) && !vm.is_heap(b) {
        if let Some(r) = super::container_compare(vm, a, b, CmpOp::Lt)? {
            return Ok(r);
        }
    }
    let r = vm.compare(a, b, CmpOp::Lt)?;
    vm.is_true(&r)
}

/// The permutation that sorts `keys` stably with `sort`, which sorts each key beside its
/// item's index, so that a comparison reads the key where the sort moved it rather than
/// through the index (a cache miss less per side on a large list). With `reverse`, the
/// keys are reversed before and after, as CPython does, so equal items keep their order.
fn sorted_order<K: Copy, E>(
    keys: impl Iterator<Item = K>,
    reverse: bool,
    sort: impl FnOnce(&mut [(K, usize)]) -> Result<(), E>,
) -> (Vec<usize>, Result<(), E>) {
    let mut pairs: Vec<(K, usize)> = keys.enumerate().map(|(i, k)| (k, i)).collect();
    if reverse {
        pairs.reverse();
    }
    let r = sort(&mut pairs);
    if reverse {
        pairs.reverse();
    }
    (pairs.into_iter().map(|(_, i)| i).collect(), r)
}

/// The leading numbers of tuple keys, one entry per key (see [`tuple_heads`]).
enum TupleHeads {
    /// The first items, all ints.
    Int(Vec<i64>),
    /// The first two items, all ints.
    IntInt(Vec<(i64, i64)>),
    /// The first items, all ints, and the second, all floats (none NaN).
    IntFloat(Vec<(i64, f64)>),
}

/// The heads of `keys` when every key is a built-in tuple whose first item is an int:
/// with its second item too when every key has one and they are all ints or all floats
/// but NaN (so that `<` on them is a total order, which agrees with `==`).
fn tuple_heads(vm: &Vm, keys: &[Value]) -> Option<TupleHeads> {
    fn tuple<'k>(vm: &Vm, k: &'k Value) -> Option<&'k [Value]> {
        match k.payload() {
            Some(Payload::Tuple(t)) if !vm.is_heap(k) => Some(t),
            _ => None,
        }
    }
    let firsts: Vec<i64> = keys
        .iter()
        .map(|k| match tuple(vm, k)?.first() {
            Some(Value::Int(i)) => Some(*i),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let second = |k| tuple(vm, k).and_then(|t| t.get(1));
    let ints: Option<Vec<i64>> = keys
        .iter()
        .map(|k| match second(k) {
            Some(Value::Int(i)) => Some(*i),
            _ => None,
        })
        .collect();
    if let Some(ints) = ints {
        return Some(TupleHeads::IntInt(firsts.into_iter().zip(ints).collect()));
    }
    let floats: Option<Vec<f64>> = keys
        .iter()
        .map(|k| match second(k) {
            Some(Value::Float(f)) if !f.get().is_nan() => Some(f.get()),
            _ => None,
        })
        .collect();
    Some(match floats {
        Some(floats) => TupleHeads::IntFloat(firsts.into_iter().zip(floats).collect()),
        None => TupleHeads::Int(firsts),
    })
}

/// The sorted order of tuple `keys` by their `heads` (in `cmp`'s order), the tuples
/// themselves compared only where the heads are equal.
fn by_heads<H: Copy>(
    vm: &mut Vm,
    heads: Vec<H>,
    keys: &[Value],
    reverse: bool,
    cmp: impl Fn(&H, &H) -> std::cmp::Ordering,
) -> (Vec<usize>, PyResult<()>) {
    let pairs = heads.into_iter().zip(keys.iter().map(KeyBits::of));
    sorted_order(pairs, reverse, |p| {
        super::sort::stable_sort(p, &mut |((hx, x), _), ((hy, y), _)| match cmp(&hx, &hy) {
            std::cmp::Ordering::Less => Ok(true),
            std::cmp::Ordering::Greater => Ok(false),
            std::cmp::Ordering::Equal => less_than(vm, x.get(), y.get()),
        })
    })
}

/// Sorts key-index pairs stably by their keys' total order `cmp`.
fn by_key<K>(pairs: &mut [(K, usize)], cmp: impl Fn(&K, &K) -> std::cmp::Ordering) -> PyResult<()> {
    pairs.sort_by(|x, y| cmp(&x.0, &y.0));
    Ok(())
}

/// A key of the general sort as the sort moves it: a bitwise copy of a `Value` that the
/// sort's key vector owns and keeps unchanged until the sort ends, read back by reference
/// only (never dropped, so reference counts stay right).
#[derive(Clone, Copy)]
struct KeyBits([usize; 2]);

const _: () = assert!(
    std::mem::size_of::<Value>() == std::mem::size_of::<KeyBits>()
        && std::mem::align_of::<Value>() <= std::mem::align_of::<KeyBits>()
);

impl KeyBits {
    fn of(v: &Value) -> KeyBits {
        // SAFETY: same size, and the copy is only ever read as a `&Value` (see `get`).
        unsafe { std::mem::transmute_copy(v) }
    }

    /// The key; valid while the value copied is alive and unchanged.
    fn get(&self) -> &Value {
        // SAFETY: the bits are those of a live `Value` (the sort's keys outlive the sort,
        // which changes none), suitably aligned (checked above); the reference borrows it
        // without taking ownership.
        unsafe { &*(self.0.as_ptr() as *const Value) }
    }
}

/// `tuple.__getnewargs__()`: `(tuple(self),)`, what `copyreg.__newobj__` rebuilds a tuple
/// subclass from.
fn tuple_getnewargs(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__getnewargs__", 0, 0)?;
    let t = vm.new_tuple(items_of(&a));
    Ok(vm.new_tuple(vec![t]))
}

fn dunder_len(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int(items_of(&a).len() as i64))
}

fn dunder_getitem(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "list.__getitem__", 1, 1)?;
    super::native_getitem(vm, &a.pos[0], &a.pos[1])
}

fn dunder_setitem(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__setitem__", 2, 2)?;
    super::native_setitem(vm, &a.pos[0], a.pos[1].clone(), a.pos[2].clone())?;
    Ok(Value::None)
}

fn dunder_delitem(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__delitem__", 1, 1)?;
    super::native_delitem(vm, &a.pos[0], &a.pos[1])?;
    Ok(Value::None)
}

fn dunder_contains(vm: &mut Vm, a: Args) -> PyResult {
    for x in items_of(&a) {
        if x.is(&a.pos[1]) || vm.eq(&x, &a.pos[1])? {
            return Ok(Value::Bool(Bool::TRUE));
        }
    }
    Ok(Value::Bool(Bool::FALSE))
}

fn dunder_iter(vm: &mut Vm, a: Args) -> PyResult {
    let cls = match a.pos[0].payload() {
        Some(Payload::Tuple(_)) => vm.types.tuple_iterator.clone(),
        _ => vm.types.list_iterator.clone(),
    };
    Ok(vm.new_iterator(
        &cls,
        crate::iter::IterState::Seq {
            seq: a.pos[0].clone(),
            index: 0,
        },
    ))
}

fn dunder_repr(vm: &mut Vm, a: Args) -> PyResult {
    super::native_repr(vm, &a.pos[0]).map(Value::str)
}

fn dunder_eq(vm: &mut Vm, a: Args) -> PyResult {
    match super::container_compare(vm, &a.pos[0], &a.pos[1], CmpOp::Eq)? {
        Some(b) => Ok(Value::bool(b)),
        None => Ok(vm.not_implemented.clone()),
    }
}

/// `list.__add__` and `tuple.__add__` (CPython's `sq_concat`): a TypeError, not
/// `NotImplemented`, for another type.
fn dunder_add(vm: &mut Vm, a: Args) -> PyResult {
    let (x, y) = (&a.pos[0], &a.pos[1]);
    match super::sequence_binary(vm, x, y, crate::code::BinOp::Add)? {
        Some(v) => Ok(v),
        None => Err(vm.binop_type_error(x, y, crate::code::BinOp::Add)),
    }
}

/// `list.__imul__(n)`: repeats the list in place.
fn dunder_imul(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__imul__", 1, 1)?;
    let n = super::int::repeat_count(vm, &a.pos[1])?;
    let l = list_of(vm, &a, "__imul__")?;
    let items = l.borrow().clone();
    if items.len().saturating_mul(n) > isize::MAX as usize / std::mem::size_of::<Value>() {
        return Err(vm.new_exception(&vm.exc.memory_error.clone(), vec![]));
    }
    let mut out = Vec::with_capacity(items.len() * n);
    for _ in 0..n {
        out.extend(items.iter().cloned());
    }
    *l.borrow_mut() = out;
    Ok(a.pos[0].clone())
}

/// `list.__reversed__()`: a `list_reverseiterator`.
fn dunder_reversed(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "list.__reversed__", 0, 0)?;
    let l = list_of(vm, &a, "__reversed__")?;
    let n = l.borrow().len();
    let cls = vm.types.list_reverseiterator.clone();
    Ok(vm.new_iterator(
        &cls,
        crate::iter::IterState::Reversed {
            seq: a.pos[0].clone(),
            index: n,
        },
    ))
}

fn dunder_iadd(vm: &mut Vm, a: Args) -> PyResult {
    let items = vm.collect(&a.pos[1])?;
    let l = list_of(vm, &a, "__iadd__")?;
    l.borrow_mut().extend(items);
    Ok(a.pos[0].clone())
}

fn dunder_hash(vm: &mut Vm, a: Args) -> PyResult {
    let mut hs = Vec::new();
    for x in items_of(&a) {
        hs.push(vm.hash(&x)?);
    }
    Ok(Value::Int(crate::hashing::hash_tuple(hs)))
}
