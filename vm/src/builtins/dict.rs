//! `dict`: the constructor, the methods and the key/value/item views.

use super::{def_classmethod, def_method, def_method_sig, def_methods, def_static};
use crate::dict::Dict;
use crate::iter::IterState;
use crate::native::{Args, Sig};
use crate::object::Payload;
use crate::value::Bool;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

pub(super) fn install(vm: &mut Vm) {
    let d = vm.types.dict.clone();
    def_static(vm, &d, "__new__", dict_new);
    def_method(vm, &d, "__init__", dict_init);
    def_classmethod(vm, &d, "fromkeys", Sig::VARARGS, fromkeys);
    let methods: &[(&str, Sig, crate::native::NativeFn)] = &[
        ("get", Sig::VARARGS, get),
        ("keys", Sig::NOARGS, keys),
        ("values", Sig::NOARGS, values),
        ("items", Sig::NOARGS, items),
        ("pop", Sig::VARARGS, pop),
        ("popitem", Sig::NOARGS, popitem),
        ("setdefault", Sig::VARARGS, setdefault),
        ("update", Sig::KEYWORDS, update),
        ("clear", Sig::NOARGS, clear),
        ("copy", Sig::NOARGS, copy),
        ("__len__", Sig::SLOT, dunder_len),
        ("__getitem__", Sig::O, dunder_getitem),
        ("__setitem__", Sig::SLOT, dunder_setitem),
        ("__delitem__", Sig::SLOT, dunder_delitem),
        ("__contains__", Sig::O, dunder_contains),
        ("__iter__", Sig::SLOT, dunder_iter),
        ("__reversed__", Sig::NOARGS, dunder_reversed),
        ("__repr__", Sig::SLOT, dunder_repr),
        ("__eq__", Sig::SLOT, dunder_eq),
        ("__or__", Sig::SLOT, dunder_or),
        ("__ror__", Sig::SLOT, dunder_ror),
        ("__ior__", Sig::SLOT, dunder_ior),
    ];
    def_methods(vm, &d, methods);
    let get = crate::types::lookup(&d, &vm.intern("__getitem__"));
    let set = crate::types::lookup(&d, &vm.intern("__setitem__"));
    if let (Some(Value::Obj(get)), Some(Value::Obj(set))) = (get, set) {
        vm.dict_item_fns = Some((get, set));
    }
    for view in [
        vm.types.dict_keys.clone(),
        vm.types.dict_items.clone(),
        vm.types.dict_values.clone(),
    ] {
        def_method(vm, &view, "__iter__", view_iter);
        def_method_sig(vm, &view, "__reversed__", Sig::NOARGS, view_reversed);
        def_method(vm, &view, "__len__", view_len);
    }
    for view in [vm.types.dict_keys.clone(), vm.types.dict_items.clone()] {
        def_method_sig(vm, &view, "isdisjoint", Sig::O, view_isdisjoint);
    }
}

fn this(vm: &mut Vm, a: &Args, name: &str) -> PyResult<Obj> {
    match a.pos.first() {
        Some(Value::Obj(o)) if matches!(o.payload, Payload::Dict(_)) => Ok(o.clone()),
        _ => {
            let got = a.pos.first().map(|v| vm.type_name(v)).unwrap_or_default();
            Err(vm.new_type_error(format!(
                "descriptor '{name}' for 'dict' objects doesn't apply to a '{got}' object"
            )))
        }
    }
}

fn dict_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = a.pos[0].as_obj().cloned().expect("class");
    if Rc::ptr_eq(&cls, &vm.types.dict) {
        return Ok(Value::Obj(vm.new_dict(Dict::new())));
    }
    vm.new_instance(&cls)
}

fn dict_init(vm: &mut Vm, a: Args) -> PyResult {
    if a.len() > 2 {
        return Err(vm.new_type_error(format!(
            "dict expected at most 1 argument, got {}",
            a.len() - 1
        )));
    }
    update(vm, a)
}

/// `d.update(other, **kw)`.
fn update(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "update", 0, 1)?;
    let d = this(vm, &a, "update")?;
    if let Some(src) = a.get(1) {
        update_from_arg(vm, &d, src)?;
    }
    for (k, v) in a.kw {
        vm.dict_set(&d, Value::Str(k.clone()), v.clone())?;
    }
    Ok(Value::None)
}

/// CPython's `dict_update_arg`: merges a mapping (a dict or anything with `keys`) or an
/// iterable of pairs into `d` (what `d.update(src)` and `d |= src` do).
pub(crate) fn update_from_arg(vm: &mut Vm, d: &Obj, src: &Value) -> PyResult<()> {
    let is_mapping = matches!(src.payload(), Some(Payload::Dict(_)))
        || vm.get_attr_opt(src, &vm.names.keys.clone())?.is_some();
    if is_mapping {
        return vm.dict_update_from(&Value::Obj(d.clone()), src, None);
    }
    let items = vm.collect(src).map_err(|_| {
        vm.new_type_error(format!("'{}' object is not iterable", vm.type_name(src)))
    })?;
    for (i, item) in items.iter().enumerate() {
        let pair = vm.collect(item).map_err(|_| {
            vm.new_type_error(format!(
                "cannot convert dictionary update sequence element #{i} to a sequence"
            ))
        })?;
        if pair.len() != 2 {
            return Err(vm.new_value_error(format!(
                "dictionary update sequence element #{i} has length {}; 2 is required",
                pair.len()
            )));
        }
        let mut it = pair.into_iter();
        let (k, v) = (it.next().expect("key"), it.next().expect("value"));
        vm.dict_set(d, k, v)?;
    }
    Ok(())
}

fn fromkeys(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "fromkeys", 1, 2)?;
    let cls = a.pos[0].clone();
    let keys = vm.collect(a.get(1).unwrap_or(&Value::None))?;
    let value = a.get(2).cloned().unwrap_or(Value::None);
    let d = vm.call(&cls, &[], &[])?;
    for k in keys {
        vm.setitem(&d, k, value.clone())?;
    }
    Ok(d)
}

fn get(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "get", 1, 2)?;
    let d = this(vm, &a, "get")?;
    Ok(vm
        .dict_lookup(&d, &a.pos[1])?
        .unwrap_or_else(|| a.get(2).cloned().unwrap_or(Value::None)))
}

fn view(vm: &mut Vm, a: &Args, kind: u8) -> PyResult {
    let d = this(vm, a, "keys")?;
    let cls = match kind {
        0 => vm.types.dict_keys.clone(),
        1 => vm.types.dict_values.clone(),
        _ => vm.types.dict_items.clone(),
    };
    let len = match &d.payload {
        Payload::Dict(x) => x.borrow().len(),
        _ => 0,
    };
    Ok(vm.new_iterator(
        &cls,
        IterState::Dict {
            dict: d,
            pos: usize::MAX,
            len,
            kind,
            spare: None,
        },
    ))
}

fn keys(vm: &mut Vm, a: Args) -> PyResult {
    view(vm, &a, 0)
}

fn values(vm: &mut Vm, a: Args) -> PyResult {
    view(vm, &a, 1)
}

fn items(vm: &mut Vm, a: Args) -> PyResult {
    view(vm, &a, 2)
}

fn view_iter(vm: &mut Vm, a: Args) -> PyResult {
    let Some(Payload::Iter(st)) = a.pos[0].payload() else {
        return Err(vm.new_type_error("bad view"));
    };
    let (dict, kind) = match &*st.borrow() {
        IterState::Dict { dict, kind, .. } => (dict.clone(), *kind),
        _ => return Err(vm.new_type_error("bad view")),
    };
    let cls = match kind {
        0 => vm.types.dict_keyiterator.clone(),
        1 => vm.types.dict_valueiterator.clone(),
        _ => vm.types.dict_itemiterator.clone(),
    };
    let len = match &dict.payload {
        Payload::Dict(x) => x.borrow().len(),
        _ => 0,
    };
    Ok(vm.new_iterator(
        &cls,
        IterState::Dict {
            dict,
            pos: 0,
            len,
            kind,
            spare: None,
        },
    ))
}

/// A reverse iterator over `dict`'s keys (0), values (1) or items (2).
pub(crate) fn reversed_iter(vm: &mut Vm, dict: Obj, kind: u8) -> Value {
    let cls = match kind {
        0 => vm.types.dict_reversekeyiterator.clone(),
        1 => vm.types.dict_reversevalueiterator.clone(),
        _ => vm.types.dict_reverseitemiterator.clone(),
    };
    let (len, pos) = match &dict.payload {
        Payload::Dict(x) => (x.borrow().len(), x.borrow().positions()),
        _ => (0, 0),
    };
    vm.new_iterator(
        &cls,
        IterState::DictRev {
            dict,
            pos,
            len,
            kind,
        },
    )
}

/// The dict and kind behind a view (`d.keys()`, `d.values()`, `d.items()`).
pub(crate) fn view_parts(v: &Value) -> Option<(Obj, u8)> {
    let Some(Payload::Iter(st)) = v.payload() else {
        return None;
    };
    match &*st.borrow() {
        IterState::Dict {
            dict,
            kind,
            pos: usize::MAX,
            ..
        } => Some((dict.clone(), *kind)),
        _ => None,
    }
}

fn dunder_reversed(vm: &mut Vm, a: Args) -> PyResult {
    let d = this(vm, &a, "__reversed__")?;
    Ok(reversed_iter(vm, d, 0))
}

fn view_reversed(vm: &mut Vm, a: Args) -> PyResult {
    match view_parts(&a.pos[0]) {
        Some((d, kind)) => Ok(reversed_iter(vm, d, kind)),
        None => Err(vm.new_type_error("descriptor '__reversed__' needs a dict view")),
    }
}

fn view_len(vm: &mut Vm, a: Args) -> PyResult {
    super::payload_len(vm, &a.pos[0]).map(|n| Value::Int(n as i64))
}

fn view_isdisjoint(vm: &mut Vm, a: Args) -> PyResult {
    let other = vm.collect(&a.pos[1])?;
    for x in other {
        if vm.contains(&a.pos[0], &x)? {
            return Ok(Value::Bool(Bool::FALSE));
        }
    }
    Ok(Value::Bool(Bool::TRUE))
}

fn pop(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "pop", 1, 2)?;
    let d = this(vm, &a, "pop")?;
    match vm.dict_remove(&d, &a.pos[1])? {
        Some(v) => Ok(v),
        None => match a.get(2) {
            Some(dflt) => Ok(dflt.clone()),
            None => Err(vm.new_key_error(a.pos[1].clone())),
        },
    }
}

fn popitem(vm: &mut Vm, a: Args) -> PyResult {
    let d = this(vm, &a, "popitem")?;
    let e = match &d.payload {
        Payload::Dict(x) => x.borrow_mut().pop_last(),
        _ => None,
    };
    match e {
        Some(e) => Ok(vm.new_tuple(vec![e.key, e.value])),
        None => {
            Err(vm.new_exception_msg(&vm.exc.key_error.clone(), "popitem(): dictionary is empty"))
        }
    }
}

fn setdefault(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "setdefault", 1, 2)?;
    let d = this(vm, &a, "setdefault")?;
    let default = a.get(2).cloned().unwrap_or(Value::None);
    vm.dict_setdefault(&d, a.pos[1].clone(), default)
}

fn clear(vm: &mut Vm, a: Args) -> PyResult {
    let d = this(vm, &a, "clear")?;
    if let Payload::Dict(x) = &d.payload {
        let old = x.borrow_mut().take_all();
        drop(old);
    }
    Ok(Value::None)
}

/// A shallow copy of a dict value (as a plain dict).
pub fn copy_dict(vm: &mut Vm, v: &Value) -> PyResult {
    match v.payload() {
        Some(Payload::Dict(x)) => {
            let c = x.borrow().clone();
            Ok(Value::Obj(vm.new_dict(c)))
        }
        _ => Err(vm.new_type_error("expected a dict")),
    }
}

fn copy(vm: &mut Vm, a: Args) -> PyResult {
    copy_dict(vm, &a.pos[0])
}

fn dunder_len(vm: &mut Vm, a: Args) -> PyResult {
    let d = this(vm, &a, "__len__")?;
    Ok(Value::Int(match &d.payload {
        Payload::Dict(x) => x.borrow().len() as i64,
        _ => 0,
    }))
}

fn dunder_getitem(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "dict.__getitem__", 1, 1)?;
    let d = this(vm, &a, "__getitem__")?;
    subscript(vm, &a.pos[0], &d, &a.pos[1])
}

/// `dict.__getitem__(obj, key)` on `obj`'s dict `d`: the value, or `__missing__` of a
/// subclass, or `KeyError`.
pub(crate) fn subscript(vm: &mut Vm, obj: &Value, d: &Obj, key: &Value) -> PyResult {
    match vm.dict_lookup(d, key)? {
        Some(v) => Ok(v),
        None => {
            if vm.is_heap(obj) {
                let cls = vm.class_of(obj).clone();
                if let Some(m) = crate::types::lookup(&cls, &vm.names.__missing__.clone()) {
                    return vm.call_slot(&m, &[obj.clone(), key.clone()]);
                }
            }
            Err(vm.new_key_error(key.clone()))
        }
    }
}

fn dunder_setitem(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__setitem__", 2, 2)?;
    let d = this(vm, &a, "__setitem__")?;
    vm.dict_set(&d, a.pos[1].clone(), a.pos[2].clone())?;
    Ok(Value::None)
}

fn dunder_delitem(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__delitem__", 1, 1)?;
    let d = this(vm, &a, "__delitem__")?;
    match vm.dict_remove(&d, &a.pos[1])? {
        Some(_) => Ok(Value::None),
        None => Err(vm.new_key_error(a.pos[1].clone())),
    }
}

fn dunder_contains(vm: &mut Vm, a: Args) -> PyResult {
    let d = this(vm, &a, "__contains__")?;
    Ok(Value::bool(vm.dict_lookup(&d, &a.pos[1])?.is_some()))
}

fn dunder_iter(vm: &mut Vm, a: Args) -> PyResult {
    let d = this(vm, &a, "__iter__")?;
    let len = match &d.payload {
        Payload::Dict(x) => x.borrow().len(),
        _ => 0,
    };
    let cls = vm.types.dict_keyiterator.clone();
    Ok(vm.new_iterator(
        &cls,
        IterState::Dict {
            dict: d,
            pos: 0,
            len,
            kind: 0,
            spare: None,
        },
    ))
}

fn dunder_repr(vm: &mut Vm, a: Args) -> PyResult {
    super::native_repr(vm, &a.pos[0]).map(Value::str)
}

/// `a == b` for dicts: same keys with equal values.
pub fn dict_eq(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<bool> {
    let (Some(Payload::Dict(x)), Some(Value::Obj(bo))) = (a.payload(), Some(b)) else {
        return Ok(false);
    };
    let Payload::Dict(y) = &bo.payload else {
        return Ok(false);
    };
    if x.borrow().len() != y.borrow().len() {
        return Ok(false);
    }
    let entries: Vec<(i64, Value, Value)> = x
        .borrow()
        .iter()
        .map(|e| (e.hash, e.key.clone(), e.value.clone()))
        .collect();
    for (hash, k, v) in entries {
        match vm.dict_lookup_hashed(bo, hash, &k)? {
            Some(w) => {
                if !(v.is(&w) || vm.eq(&v, &w)?) {
                    return Ok(false);
                }
            }
            None => return Ok(false),
        }
    }
    Ok(true)
}

fn dunder_eq(vm: &mut Vm, a: Args) -> PyResult {
    if !matches!(a.pos[1].payload(), Some(Payload::Dict(_))) {
        return Ok(vm.not_implemented.clone());
    }
    dict_eq(vm, &a.pos[0], &a.pos[1]).map(Value::bool)
}

/// `dict.__ror__(other)`: `other | self` for a dict `other`.
fn dunder_ror(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__ror__", 1, 1)?;
    if !matches!(a.pos[1].payload(), Some(Payload::Dict(_))) {
        return Ok(vm.not_implemented.clone());
    }
    let d = copy_dict(vm, &a.pos[1])?;
    vm.dict_update_from(&d, &a.pos[0], None)?;
    Ok(d)
}

/// `dict.__ior__(other)`: `self.update(other)` (any mapping or iterable of pairs).
fn dunder_ior(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__ior__", 1, 1)?;
    let d = this(vm, &a, "__ior__")?;
    update_from_arg(vm, &d, &a.pos[1])?;
    Ok(a.pos[0].clone())
}

fn dunder_or(vm: &mut Vm, a: Args) -> PyResult {
    if !matches!(a.pos[1].payload(), Some(Payload::Dict(_))) {
        return Ok(vm.not_implemented.clone());
    }
    let d = copy_dict(vm, &a.pos[0])?;
    vm.dict_update_from(&d, &a.pos[1], None)?;
    Ok(d)
}
