//! `partial`, `reduce` and `cmp_to_key` as `_functools` implements them: a `partial`
//! call or a key comparison runs no script code of its own (the aio versions cost a
//! `*args, **kwargs` frame per call). `partial`'s repr and `__reduce__` stay in aio.

use aio_vm::call::with_joined;
use aio_vm::code::CmpOp;
use aio_vm::dict::Dict;
use aio_vm::module::{native_state, new_native_instance, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::object::Payload;
use aio_vm::str::Str;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;
use std::rc::Rc;

/// Adds the classes and functions to the module being built.
pub(super) fn init(b: &mut ModuleBuilder) {
    b.class("partial")
        .constructor(partial_new)
        .method("__init__", noop)
        .method("__call__", partial_call)
        .method("__setstate__", partial_setstate)
        .finish();
    b.class("KeyWrapper")
        .method("__call__", key_call)
        .method("__lt__", key_lt)
        .method("__le__", key_le)
        .method("__eq__", key_eq)
        .method("__ne__", key_ne)
        .method("__gt__", key_gt)
        .method("__ge__", key_ge)
        .method("__hash__", key_hash)
        .finish();
    b.function("_partial_state", partial_state)
        .function("_key_obj", key_obj)
        .function("reduce", reduce)
        .function("cmp_to_key", cmp_to_key);
}

fn noop(_vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::None)
}

/// `callable(v)`.
fn is_callable(vm: &mut Vm, v: &Value) -> bool {
    match v {
        Value::Obj(o) => match &o.payload {
            Payload::Function(_) | Payload::Method(_) | Payload::Native(_) | Payload::Type(_) => {
                true
            }
            _ => {
                let name = vm.intern("__call__");
                aio_vm::types::lookup(vm.class_of(v), &name).is_some()
            }
        },
        _ => false,
    }
}

/// A `partial`: the function, the positional arguments (a tuple) and the keywords (a
/// dict, read at each call: changing `p.keywords` changes the calls, as in CPython).
struct Partial {
    func: Value,
    args: Value,
    kw: Obj,
}

/// The items of a tuple.
fn tuple_items(v: &Value) -> &[Value] {
    match v.payload() {
        Some(Payload::Tuple(t)) => t,
        _ => &[],
    }
}

/// A dict's `str`-keyed items, as keyword arguments.
fn dict_kwargs(d: &Obj) -> Vec<(Rc<Str>, Value)> {
    match &d.payload {
        Payload::Dict(d) => d
            .borrow()
            .iter()
            .filter_map(|e| match &e.key {
                Value::Str(k) => Some((k.clone(), e.value.clone())),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn dict_is_empty(d: &Obj) -> bool {
    match &d.payload {
        Payload::Dict(d) => d.borrow().is_empty(),
        _ => true,
    }
}

/// `partial(func, /, *args, **keywords)`; a `partial` (whose class keeps the native
/// `__call__`) without instance attributes is flattened into the new one, as C does.
fn partial_new(vm: &mut Vm, a: Args) -> PyResult {
    let Some(Value::Obj(cls)) = a.pos.first() else {
        return Err(vm.new_type_error("__new__(X): X is not a type object"));
    };
    let Some(mut func) = a.pos.get(1).cloned() else {
        return Err(vm.new_type_error("type 'partial' takes at least one argument"));
    };
    if !is_callable(vm, &func) {
        return Err(vm.new_type_error("the first argument must be callable"));
    }
    let mut args: Vec<Value> = Vec::new();
    let mut kw = Dict::new();
    if let Some(inner) = native_state::<Partial>(&func) {
        let call = vm.intern("__call__");
        let native_call = matches!(
            aio_vm::types::lookup(vm.class_of(&func), &call),
            Some(Value::Obj(f)) if matches!(&f.payload, Payload::Native(n) if n.owner.as_ref().is_some_and(|o| o.as_str() == "partial"))
        );
        let no_dict = func
            .as_obj()
            .and_then(|o| o.dict.get())
            .is_none_or(dict_is_empty);
        if native_call && no_dict {
            let p = inner.borrow();
            args.extend_from_slice(tuple_items(&p.args));
            for (k, v) in dict_kwargs(&p.kw) {
                kw.set_str(k, v);
            }
            let f = p.func.clone();
            drop(p);
            func = f;
        }
    }
    args.extend_from_slice(&a.pos[2..]);
    for (k, v) in a.kw {
        kw.set_str(k.clone(), v.clone());
    }
    let state = Partial {
        func,
        args: vm.new_tuple(args),
        kw: vm.new_dict(kw),
    };
    Ok(new_native_instance(vm, cls, state))
}

fn partial_of<'a>(vm: &mut Vm, v: Option<&'a Value>) -> PyResult<&'a RefCell<Partial>> {
    match v.and_then(native_state::<Partial>) {
        Some(p) => Ok(p),
        None => Err(vm.new_type_error("descriptor requires a 'functools.partial' object")),
    }
}

/// `p(*args, **keywords)`: `func(*p.args, *args, **{**p.keywords, **keywords})`.
fn partial_call(vm: &mut Vm, a: Args) -> PyResult {
    let p = partial_of(vm, a.pos.first())?;
    let (func, args, kw) = {
        let p = p.borrow();
        (p.func.clone(), p.args.clone(), p.kw.clone())
    };
    let pre = tuple_items(&args);
    let rest = &a.pos[1..];
    if dict_is_empty(&kw) {
        return with_joined(pre, rest, |pos| vm.call(&func, pos, a.kw));
    }
    let all: Vec<Value>;
    let pos = if pre.is_empty() {
        rest
    } else {
        all = pre.iter().chain(rest).cloned().collect();
        &all
    };
    let mut merged = dict_kwargs(&kw);
    for (k, v) in a.kw {
        match merged.iter_mut().find(|(m, _)| m.as_str() == k.as_str()) {
            Some(slot) => slot.1 = v.clone(),
            None => merged.push((k.clone(), v.clone())),
        }
    }
    vm.call(&func, pos, &merged)
}

/// `_partial_state(p)`: `(func, args, keywords)`, read by the aio properties.
fn partial_state(vm: &mut Vm, a: Args) -> PyResult {
    let p = partial_of(vm, a.pos.first())?;
    let p = p.borrow();
    let items = vec![p.func.clone(), p.args.clone(), Value::Obj(p.kw.clone())];
    drop(p);
    Ok(vm.new_tuple(items))
}

/// `p.__setstate__((func, args, keywords, dict))`, as C's `partial_setstate`.
fn partial_setstate(vm: &mut Vm, a: Args) -> PyResult {
    let p = partial_of(vm, a.pos.first())?;
    let state = a.pos.get(1).cloned().unwrap_or(Value::None);
    let invalid = || "invalid partial state";
    let items = match state.payload() {
        Some(Payload::Tuple(t)) if t.len() == 4 => t.to_vec(),
        _ => return Err(vm.new_type_error(invalid())),
    };
    let (func, fnargs, kw, dict) = (&items[0], &items[1], &items[2], &items[3]);
    let kw_ok = kw.is_none() || matches!(kw.payload(), Some(Payload::Dict(_)));
    if !is_callable(vm, func) || !matches!(fnargs.payload(), Some(Payload::Tuple(_))) || !kw_ok {
        return Err(vm.new_type_error(invalid()));
    }
    let args = vm.new_tuple(tuple_items(fnargs).to_vec());
    let kw = match kw.payload() {
        Some(Payload::Dict(d)) => {
            let copy = d.borrow().iter().fold(Dict::new(), |mut n, e| {
                n.push(e.hash, e.key.clone(), e.value.clone());
                n
            });
            vm.new_dict(copy)
        }
        _ => vm.new_dict(Dict::new()),
    };
    let old = std::mem::replace(
        &mut *p.borrow_mut(),
        Partial {
            func: func.clone(),
            args,
            kw,
        },
    );
    drop(old);
    if let Some(d) = a.pos[0].as_obj().and_then(|o| o.dict.get().cloned()) {
        if let Payload::Dict(target) = &d.payload {
            let fresh: Vec<(i64, Value, Value)> = match dict.payload() {
                Some(Payload::Dict(src)) => src
                    .borrow()
                    .iter()
                    .map(|e| (e.hash, e.key.clone(), e.value.clone()))
                    .collect(),
                _ => Vec::new(),
            };
            let old = std::mem::take(&mut *target.borrow_mut());
            drop(old);
            let mut t = target.borrow_mut();
            for (h, k, v) in fresh {
                t.push(h, k, v);
            }
        }
    }
    Ok(Value::None)
}

/// `reduce(function, iterable[, initial])`.
fn reduce(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "reduce")?;
    a.check_count(vm, "reduce", 2, 3)?;
    let func = &a.pos[0];
    let it = match vm.get_iter(&a.pos[1]) {
        Ok(it) => it,
        Err(e) if vm.is_instance_of(&e, &vm.exc.type_error.clone()) => {
            return Err(vm.new_type_error("reduce() arg 2 must support iteration"))
        }
        Err(e) => return Err(e),
    };
    let mut value = match a.pos.get(2) {
        Some(v) => v.clone(),
        None => match vm.next(&it)? {
            Some(v) => v,
            None => {
                return Err(vm.new_type_error("reduce() of empty iterable with no initial value"))
            }
        },
    };
    while let Some(item) = vm.next(&it)? {
        value = vm.call(func, &[value, item], &[])?;
    }
    Ok(value)
}

/// A `cmp_to_key` key: the comparison function and the wrapped object (`None` for the
/// key function itself).
struct KeyWrapper {
    cmp: Value,
    obj: Option<Value>,
}

/// `cmp_to_key(mycmp)`: a `functools.KeyWrapper` without an object; calling it wraps one.
fn cmp_to_key(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "cmp_to_key", &["mycmp"])?;
    if a.pos.len() + a.kw.len() > 1 {
        return Err(vm.new_type_error(format!(
            "cmp_to_key() takes at most 1 argument ({} given)",
            a.pos.len() + a.kw.len()
        )));
    }
    let Some(cmp) = a.arg(0, "mycmp").cloned() else {
        return Err(vm.new_type_error("cmp_to_key() missing required argument 'mycmp' (pos 1)"));
    };
    let module = vm.import_module("functools")?;
    let Value::Obj(cls) = aio_vm::module::getattr(vm, &module, "_KeyWrapper")? else {
        return Err(vm.new_type_error("functools._KeyWrapper is not a class"));
    };
    Ok(new_native_instance(vm, &cls, KeyWrapper { cmp, obj: None }))
}

/// `K(obj)`: a key wrapping `obj`.
fn key_call(vm: &mut Vm, a: Args) -> PyResult {
    let Some(k) = a.pos.first().and_then(native_state::<KeyWrapper>) else {
        return Err(vm.new_type_error("descriptor requires a 'functools.KeyWrapper' object"));
    };
    a.check_kwargs(vm, "K", &["obj"])?;
    let n = a.pos.len() - 1 + a.kw.len();
    let obj = match (a.pos.get(1), a.kwarg("obj")) {
        (Some(v), None) | (None, Some(v)) if n == 1 => v.clone(),
        (None, None) => {
            return Err(vm.new_type_error("K() missing required argument 'obj' (pos 1)"));
        }
        _ => {
            return Err(vm.new_type_error(format!("K() takes at most 1 argument ({n} given)")));
        }
    };
    let cmp = k.borrow().cmp.clone();
    let cls = vm.class_of(&a.pos[0]).clone();
    Ok(new_native_instance(
        vm,
        &cls,
        KeyWrapper {
            cmp,
            obj: Some(obj),
        },
    ))
}

/// Keys are unhashable (CPython's message names the type as its `tp_name`).
fn key_hash(vm: &mut Vm, _a: Args) -> PyResult {
    Err(vm.new_type_error("unhashable type: 'functools.KeyWrapper'"))
}

/// `_key_obj(k)`: the object a key wraps (`None` for the key function), read by the aio
/// property `obj`.
fn key_obj(vm: &mut Vm, a: Args) -> PyResult {
    match a.pos.first().and_then(native_state::<KeyWrapper>) {
        Some(k) => Ok(k.borrow().obj.clone().unwrap_or(Value::None)),
        None => Err(vm.new_type_error("descriptor requires a 'functools.KeyWrapper' object")),
    }
}

/// `mycmp(self.obj, other.obj) OP 0`.
fn key_compare(vm: &mut Vm, a: Args, op: CmpOp) -> PyResult {
    let (Some(me), Some(other)) = (
        a.pos.first().and_then(native_state::<KeyWrapper>),
        a.pos.get(1).and_then(native_state::<KeyWrapper>),
    ) else {
        return Err(vm.new_type_error("other argument must be K instance"));
    };
    let (cmp, x) = {
        let me = me.borrow();
        (me.cmp.clone(), me.obj.clone())
    };
    let y = other.borrow().obj.clone();
    let (Some(x), Some(y)) = (x, y) else {
        return Err(vm.new_attribute_error("object"));
    };
    let r = vm.call(&cmp, &[x, y], &[])?;
    vm.compare(&r, &Value::Int(0), op)
}

fn key_lt(vm: &mut Vm, a: Args) -> PyResult {
    key_compare(vm, a, CmpOp::Lt)
}

fn key_le(vm: &mut Vm, a: Args) -> PyResult {
    key_compare(vm, a, CmpOp::Le)
}

fn key_eq(vm: &mut Vm, a: Args) -> PyResult {
    key_compare(vm, a, CmpOp::Eq)
}

fn key_ne(vm: &mut Vm, a: Args) -> PyResult {
    key_compare(vm, a, CmpOp::Ne)
}

fn key_gt(vm: &mut Vm, a: Args) -> PyResult {
    key_compare(vm, a, CmpOp::Gt)
}

fn key_ge(vm: &mut Vm, a: Args) -> PyResult {
    key_compare(vm, a, CmpOp::Ge)
}
