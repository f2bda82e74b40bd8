//! `itemgetter`, `attrgetter` and `methodcaller` as `_operator` defines them: the items,
//! the split dotted names or the method call are kept in Rust, so a call runs no script
//! code of its own. Reprs, `__reduce__` and the argument errors are the C module's; like
//! the C types, they cannot be subclassed.

use aio_vm::module::{native_state, new_native_instance, ModuleBuilder};
use aio_vm::native::{Args, NativeFn};
use aio_vm::str::Str;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;
use std::rc::Rc;

/// Adds the three classes to the module being built.
pub(super) fn init(b: &mut ModuleBuilder) {
    let classes: [(&str, NativeFn, NativeFn, NativeFn, NativeFn); 3] = [
        (
            "itemgetter",
            itemgetter_new,
            itemgetter_call,
            itemgetter_repr,
            itemgetter_reduce,
        ),
        (
            "attrgetter",
            attrgetter_new,
            attrgetter_call,
            attrgetter_repr,
            attrgetter_reduce,
        ),
        (
            "methodcaller",
            methodcaller_new,
            methodcaller_call,
            methodcaller_repr,
            methodcaller_reduce,
        ),
    ];
    for (name, new, call, repr, reduce) in classes {
        b.class(name)
            .constructor(new)
            .method("__init__", init_noop)
            .method("__call__", call)
            .method("__repr__", repr)
            .method("__reduce__", reduce)
            .classmethod("__init_subclass__", no_subclass)
            .finish();
    }
}

fn init_noop(_vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::None)
}

/// Refuses subclasses, as the C types (without `Py_TPFLAGS_BASETYPE`) do: names the base
/// in the new class's MRO that defines this hook.
fn no_subclass(vm: &mut Vm, a: Args) -> PyResult {
    let hook = vm.intern("__init_subclass__");
    let base = a
        .pos
        .first()
        .and_then(|c| c.as_obj())
        .and_then(|c| c.as_type())
        .and_then(|t| {
            t.mro.borrow().iter().skip(1).find_map(|c| {
                let own = c.as_type()?.ns.borrow().get_str(&hook).is_some();
                own.then(|| aio_vm::types::type_name(c))
            })
        })
        .unwrap_or_default();
    Err(vm.new_type_error(format!(
        "type 'operator.{base}' is not an acceptable base type"
    )))
}

/// The class a constructor was called on, and its arguments.
fn new_args<'a>(vm: &mut Vm, a: &Args<'a>) -> PyResult<(Obj, &'a [Value])> {
    match a.pos.split_first() {
        Some((Value::Obj(cls), rest)) => Ok((cls.clone(), rest)),
        _ => Err(vm.new_type_error("__new__(X): X is not a type object")),
    }
}

/// The state of `self`, or the `TypeError` of calling `method` of class `what` on
/// something else (a slot wrapper's message, or a method descriptor's for `__reduce__`).
fn state_of<'a, T: 'static>(
    vm: &mut Vm,
    a: &Args<'a>,
    what: &str,
    method: &str,
) -> PyResult<&'a RefCell<T>> {
    let slot = method != "__reduce__";
    let Some(me) = a.pos.first() else {
        return Err(vm.new_type_error(if slot {
            format!("descriptor '{method}' of 'operator.{what}' object needs an argument")
        } else {
            format!("unbound method {what}.{method}() needs an argument")
        }));
    };
    if let Some(s) = native_state::<T>(me) {
        return Ok(s);
    }
    let got = tp_name(vm, me);
    Err(vm.new_type_error(if slot {
        format!("descriptor '{method}' requires a 'operator.{what}' object but received a '{got}'")
    } else {
        format!(
            "descriptor '{method}' for 'operator.{what}' objects doesn't apply to a '{got}' object"
        )
    }))
}

/// The C name of `v`'s type: `operator.itemgetter` for the getters.
fn tp_name(vm: &mut Vm, v: &Value) -> String {
    let name = vm.type_name(v);
    let ours = native_state::<ItemGetter>(v).is_some()
        || native_state::<AttrGetter>(v).is_some()
        || native_state::<MethodCaller>(v).is_some();
    if ours {
        format!("operator.{name}")
    } else {
        name
    }
}

/// The one object a getter is called with (`itemgetter expected 1 argument, got 2`).
fn call_arg<'a>(vm: &mut Vm, a: &Args<'a>, name: &str) -> PyResult<&'a Value> {
    if !a.kw.is_empty() {
        return Err(vm.new_type_error(format!("{name}() takes no keyword arguments")));
    }
    match &a.pos[1..] {
        [obj] => Ok(obj),
        rest => Err(vm.new_type_error(format!("{name} expected 1 argument, got {}", rest.len()))),
    }
}

thread_local! {
    /// The getters whose repr is being built (C's `Py_ReprEnter`).
    static REPR_ACTIVE: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// `operator.NAME(PARTS)`, or `operator.NAME(...)` for a getter met again inside its own
/// repr.
fn guarded_repr(
    vm: &mut Vm,
    me: &Value,
    name: &str,
    parts: impl FnOnce(&mut Vm) -> PyResult<Vec<String>>,
) -> PyResult {
    let id = me.id();
    if REPR_ACTIVE.with(|r| r.borrow().contains(&id)) {
        return Ok(Value::str(format!("operator.{name}(...)")));
    }
    REPR_ACTIVE.with(|r| r.borrow_mut().push(id));
    let parts = parts(vm);
    REPR_ACTIVE.with(|r| r.borrow_mut().retain(|&x| x != id));
    Ok(Value::str(format!(
        "operator.{name}({})",
        parts?.join(", ")
    )))
}

/// The reprs of `items`.
fn reprs(vm: &mut Vm, items: &[Value]) -> PyResult<Vec<String>> {
    items
        .iter()
        .map(|v| vm.repr(v).map(|s| s.as_str().to_string()))
        .collect()
}

// ---- itemgetter ----

/// An `itemgetter`: its items (one or more).
struct ItemGetter(Vec<Value>);

/// `itemgetter(item, *items)`.
fn itemgetter_new(vm: &mut Vm, a: Args) -> PyResult {
    let (cls, items) = new_args(vm, &a)?;
    if !a.kw.is_empty() {
        return Err(vm.new_type_error("itemgetter() takes no keyword arguments"));
    }
    if items.is_empty() {
        return Err(vm.new_type_error("itemgetter expected 1 argument, got 0"));
    }
    Ok(new_native_instance(vm, &cls, ItemGetter(items.to_vec())))
}

/// `g(obj)`: `obj[item]`, or the tuple of `obj[i]` for each item.
fn itemgetter_call(vm: &mut Vm, a: Args) -> PyResult {
    let st = state_of::<ItemGetter>(vm, &a, "itemgetter", "__call__")?;
    let obj = call_arg(vm, &a, "itemgetter")?;
    let items = {
        let g = st.borrow();
        if let [item] = g.0.as_slice() {
            let item = item.clone();
            drop(g);
            return vm.getitem(obj, &item);
        }
        g.0.clone()
    };
    let mut out = Vec::with_capacity(items.len());
    for item in &items {
        out.push(vm.getitem(obj, item)?);
    }
    Ok(vm.new_tuple(out))
}

/// `operator.itemgetter(1, 'a')`.
fn itemgetter_repr(vm: &mut Vm, a: Args) -> PyResult {
    let items = state_of::<ItemGetter>(vm, &a, "itemgetter", "__repr__")?
        .borrow()
        .0
        .clone();
    guarded_repr(vm, &a.pos[0], "itemgetter", |vm| reprs(vm, &items))
}

/// `(itemgetter, items)`.
fn itemgetter_reduce(vm: &mut Vm, a: Args) -> PyResult {
    let items = state_of::<ItemGetter>(vm, &a, "itemgetter", "__reduce__")?
        .borrow()
        .0
        .clone();
    let cls = Value::Obj(vm.class_of(&a.pos[0]).clone());
    let items = vm.new_tuple(items);
    Ok(vm.new_tuple(vec![cls, items]))
}

// ---- attrgetter ----

/// An `attrgetter`: each name split at its dots.
struct AttrGetter(Vec<Vec<Rc<Str>>>);

impl AttrGetter {
    /// The names, dots restored.
    fn names(&self) -> Vec<Value> {
        self.0
            .iter()
            .map(|parts| {
                let joined: Vec<&str> = parts.iter().map(|p| p.as_str()).collect();
                Value::str(joined.join("."))
            })
            .collect()
    }
}

/// `attrgetter(attr, *attrs)`.
fn attrgetter_new(vm: &mut Vm, a: Args) -> PyResult {
    let (cls, attrs) = new_args(vm, &a)?;
    if !a.kw.is_empty() {
        return Err(vm.new_type_error("attrgetter() takes no keyword arguments"));
    }
    if attrs.is_empty() {
        return Err(vm.new_type_error("attrgetter expected 1 argument, got 0"));
    }
    let mut names = Vec::with_capacity(attrs.len());
    for attr in attrs {
        let Some(s) = attr.as_str() else {
            return Err(vm.new_type_error("attribute name must be a string"));
        };
        let s = s.as_str().to_string();
        names.push(s.split('.').map(|p| vm.intern(p)).collect());
    }
    Ok(new_native_instance(vm, &cls, AttrGetter(names)))
}

/// Follows one dotted name from `obj`.
fn dotted(vm: &mut Vm, mut obj: Value, parts: &[Rc<Str>]) -> PyResult {
    for p in parts {
        obj = vm.get_attr(&obj, p)?;
    }
    Ok(obj)
}

/// `g(obj)`: `obj.attr` (dots followed), or the tuple of each name's value.
fn attrgetter_call(vm: &mut Vm, a: Args) -> PyResult {
    let st = state_of::<AttrGetter>(vm, &a, "attrgetter", "__call__")?;
    let obj = call_arg(vm, &a, "attrgetter")?;
    let names = st.borrow().0.clone();
    if let [parts] = names.as_slice() {
        return dotted(vm, obj.clone(), parts);
    }
    let mut out = Vec::with_capacity(names.len());
    for parts in &names {
        out.push(dotted(vm, obj.clone(), parts)?);
    }
    Ok(vm.new_tuple(out))
}

/// `operator.attrgetter('a.b', 'c')`.
fn attrgetter_repr(vm: &mut Vm, a: Args) -> PyResult {
    let names = state_of::<AttrGetter>(vm, &a, "attrgetter", "__repr__")?
        .borrow()
        .names();
    guarded_repr(vm, &a.pos[0], "attrgetter", |vm| reprs(vm, &names))
}

/// `(attrgetter, names)`.
fn attrgetter_reduce(vm: &mut Vm, a: Args) -> PyResult {
    let names = state_of::<AttrGetter>(vm, &a, "attrgetter", "__reduce__")?
        .borrow()
        .names();
    let cls = Value::Obj(vm.class_of(&a.pos[0]).clone());
    let names = vm.new_tuple(names);
    Ok(vm.new_tuple(vec![cls, names]))
}

// ---- methodcaller ----

/// A `methodcaller`: the method name and the call's arguments.
struct MethodCaller {
    name: Rc<Str>,
    args: Vec<Value>,
    kw: Vec<(Rc<Str>, Value)>,
}

/// `methodcaller(name, /, *args, **kwargs)`.
fn methodcaller_new(vm: &mut Vm, a: Args) -> PyResult {
    let (cls, args) = new_args(vm, &a)?;
    let Some((name, args)) = args.split_first() else {
        return Err(vm.new_type_error("methodcaller needs at least one argument, the method name"));
    };
    let Some(name) = name.as_str() else {
        return Err(vm.new_type_error("method name must be a string"));
    };
    let name = vm.intern(name.as_str());
    let mc = MethodCaller {
        name,
        args: args.to_vec(),
        kw: a.kw.to_vec(),
    };
    Ok(new_native_instance(vm, &cls, mc))
}

/// `m(obj)`: `obj.name(*args, **kwargs)`.
fn methodcaller_call(vm: &mut Vm, a: Args) -> PyResult {
    let st = state_of::<MethodCaller>(vm, &a, "methodcaller", "__call__")?;
    let obj = call_arg(vm, &a, "methodcaller")?;
    let (name, args, kw) = {
        let m = st.borrow();
        (m.name.clone(), m.args.clone(), m.kw.clone())
    };
    let method = vm.get_attr(obj, &name)?;
    vm.call(&method, &args, &kw)
}

/// `operator.methodcaller('name', 1, key=2)`.
fn methodcaller_repr(vm: &mut Vm, a: Args) -> PyResult {
    let (name, args, kw) = {
        let m = state_of::<MethodCaller>(vm, &a, "methodcaller", "__repr__")?.borrow();
        (m.name.clone(), m.args.clone(), m.kw.clone())
    };
    guarded_repr(vm, &a.pos[0], "methodcaller", |vm| {
        let mut parts = reprs(vm, &[Value::Str(name)])?;
        parts.extend(reprs(vm, &args)?);
        for (k, v) in &kw {
            let r = vm.repr(v)?;
            parts.push(format!("{}={}", k.as_str(), r.as_str()));
        }
        Ok(parts)
    })
}

/// `(methodcaller, (name, *args))`; with keywords `(partial(methodcaller, name,
/// **kwargs), args)`, as C does.
fn methodcaller_reduce(vm: &mut Vm, a: Args) -> PyResult {
    let (name, args, kw) = {
        let m = state_of::<MethodCaller>(vm, &a, "methodcaller", "__reduce__")?.borrow();
        (m.name.clone(), m.args.clone(), m.kw.clone())
    };
    let cls = Value::Obj(vm.class_of(&a.pos[0]).clone());
    if kw.is_empty() {
        let mut all = vec![Value::Str(name)];
        all.extend(args);
        let all = vm.new_tuple(all);
        return Ok(vm.new_tuple(vec![cls, all]));
    }
    let functools = vm.import_module("functools")?;
    let partial = aio_vm::module::getattr(vm, &functools, "partial")?;
    let bound = vm.call(&partial, &[cls, Value::Str(name)], &kw)?;
    let args = vm.new_tuple(args);
    Ok(vm.new_tuple(vec![bound, args]))
}
