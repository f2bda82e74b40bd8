//! `object`, `type`, class creation (`__build_class__`), `super`, `property`,
//! `staticmethod`, `classmethod`, and the data attributes of built-in objects
//! (`__name__`, `__qualname__`, `__mro__`, `__self__`, ...).

use super::slot_methods::adds_slot;
use super::{def_fn, def_method, def_method_sig, def_static};
use crate::dict::Dict;
use crate::frame::Delivery;
use crate::native::{Args, NativeFn, NativeImpl, Sig};
use crate::object::{Object, Payload};
use crate::str::Str;
use crate::types::{is_subtype, lookup, new_heap_type, type_name};
use crate::value::Bool;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

pub(super) fn install(vm: &mut Vm) {
    let t = vm.types.object.clone();
    def_static(vm, &t, "__new__", object_new);
    def_method(vm, &t, "__init__", object_init);
    def_method(vm, &t, "__repr__", object_repr);
    def_method(vm, &t, "__str__", object_str);
    def_method(vm, &t, "__eq__", object_eq);
    def_method(vm, &t, "__ne__", object_ne);
    def_method(vm, &t, "__hash__", object_hash);
    def_method(vm, &t, "__setattr__", object_setattr);
    def_method(vm, &t, "__getattribute__", object_getattribute);
    def_method(vm, &t, "__delattr__", object_delattr);
    def_method_sig(vm, &t, "__format__", Sig::O, object_format);
    // A class method, as in CPython: `super().__init_subclass__(**kw)` binds it to the new
    // class, which names it in the error for keywords.
    super::def_classmethod(vm, &t, "__init_subclass__", Sig::FREE, object_init_subclass);
    def_method_sig(vm, &t, "__dir__", Sig::NOARGS, object_dir);
    let ty = vm.types.type_.clone();
    def_static(vm, &ty, "__new__", type_new);
    def_method(vm, &ty, "__init__", type_init);
    def_method(vm, &ty, "__repr__", type_repr);
    def_method(vm, &ty, "__call__", type_call);
    for t in [
        vm.types.function.clone(),
        vm.types.method.clone(),
        vm.types.builtin_function.clone(),
    ] {
        def_method(vm, &t, "__call__", callable_call);
    }
    let function = vm.types.function.clone();
    def_method(vm, &function, "__get__", function_get);
    def_method_sig(vm, &ty, "mro", Sig::NOARGS, type_mro);
    def_method_sig(vm, &ty, "__subclasses__", Sig::NOARGS, type_subclasses);
    def_method_sig(vm, &ty, "__instancecheck__", Sig::O, type_instancecheck);
    def_method_sig(vm, &ty, "__subclasscheck__", Sig::O, type_subclasscheck);
    def_method(vm, &ty, "__or__", type_or);
    def_method(vm, &ty, "__ror__", type_ror);
    def_fn(vm, "__build_class__", build_class);
    let none = vm.types.none_type.clone();
    def_static(vm, &none, "__new__", none_new);
    def_method(vm, &none, "__bool__", none_bool);
    let p = vm.types.property.clone();
    def_static(vm, &p, "__new__", property_new);
    def_method(vm, &p, "__init__", property_init);
    def_method(vm, &p, "__set_name__", property_set_name);
    def_method_sig(vm, &p, "getter", Sig::O, property_getter);
    def_method_sig(vm, &p, "setter", Sig::O, property_setter);
    def_method_sig(vm, &p, "deleter", Sig::O, property_deleter);
    def_method(vm, &p, "__get__", property_get);
    def_method(vm, &p, "__set__", property_set);
    def_method(vm, &p, "__delete__", property_delete);
    let sm = vm.types.staticmethod.clone();
    def_static(vm, &sm, "__new__", staticmethod_new);
    def_method(vm, &sm, "__get__", descriptor_get);
    let cm = vm.types.classmethod.clone();
    def_static(vm, &cm, "__new__", classmethod_new);
    def_method(vm, &cm, "__get__", descriptor_get);
    let member = vm.types.member_descriptor.clone();
    def_method(vm, &member, "__get__", descriptor_get);
    def_method(vm, &member, "__set__", member_set);
    def_method(vm, &member, "__delete__", member_delete);
    let su = vm.types.super_.clone();
    def_static(vm, &su, "__new__", super_new);
    let module = vm.types.module.clone();
    def_static(vm, &module, "__new__", module_new);
    let method = vm.types.method.clone();
    def_static(vm, &method, "__new__", method_new);
    // `list[int]` and friends: `types.GenericAlias` (a classmethod, as in CPython).
    for cls in [
        vm.types.list.clone(),
        vm.types.dict.clone(),
        vm.types.tuple.clone(),
        vm.types.set.clone(),
        vm.types.frozenset.clone(),
        vm.types.type_.clone(),
        vm.types.enumerate.clone(),
        vm.exc.base_exception_group.clone(),
        vm.exc.exception_group.clone(),
    ] {
        super::def_classmethod(vm, &cls, "__class_getitem__", Sig::O, class_getitem);
    }
}

/// `cls.__class_getitem__(item)` of the built-in containers: `types.GenericAlias(cls, item)`.
/// Without a `types` module (a host that leaves it out) the class itself, as before.
fn class_getitem(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "__class_getitem__")?;
    a.check_count(vm, "__class_getitem__", 2, 2)?;
    let Ok(types) = vm.import_module("types") else {
        return Ok(a.pos[0].clone());
    };
    let name = vm.intern("GenericAlias");
    let alias = vm.get_attr(&types, &name)?;
    vm.call(&alias, &a.pos[..2], &[])
}

/// `type.__or__`: `cls | other` is a `types.UnionType` (PEP 604).
fn type_or(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__or__", 1, 1)?;
    union_or(vm, &a.pos[0], &a.pos[1])
}

/// `type.__ror__`: `other | cls`.
fn type_ror(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__ror__", 1, 1)?;
    union_or(vm, &a.pos[1], &a.pos[0])
}

/// `left | right` by `types._union_or` (a union, or `NotImplemented` for operands that are
/// not types); `NotImplemented` without a `types` module (a host that leaves it out).
pub(crate) fn union_or(vm: &mut Vm, left: &Value, right: &Value) -> PyResult {
    let Ok(types) = vm.import_module("types") else {
        return Ok(vm.not_implemented.clone());
    };
    let name = vm.intern("_union_or");
    let f = vm.get_attr(&types, &name)?;
    vm.call(&f, &[left.clone(), right.clone()], &[])
}

/// `types.ModuleType(name, doc=None)`.
fn module_new(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "module", &["name", "doc"])?;
    let name = match a.arg(1, "name") {
        Some(Value::Str(s)) => s.clone(),
        Some(v) => {
            return Err(vm.new_type_error(format!(
                "module() argument 'name' must be str, not {}",
                vm.type_name(v)
            )))
        }
        None => return Err(vm.new_type_error("module() missing required argument 'name' (pos 1)")),
    };
    if a.pos.len() > 3 {
        return Err(vm.new_type_error(format!(
            "module() takes at most 2 arguments ({} given)",
            a.pos.len() - 1
        )));
    }
    let doc = a.arg(2, "doc").cloned().unwrap_or(Value::None);
    let m = vm.new_module(name.as_str());
    // A script's subclass of `module` (`class M(type(sys))`): the same module, of that class.
    let cls = new_class_arg(vm, &a, |t| &t.module);
    let m = match &m.payload {
        Payload::Module(data) if !Rc::ptr_eq(&cls, &vm.types.module) => {
            let data = crate::object::ModuleData {
                name: data.name.clone(),
                globals: data.globals.clone(),
            };
            match vm.new_object_of(&cls, Payload::Module(Box::new(data))) {
                Value::Obj(o) => o,
                _ => m,
            }
        }
        _ => m,
    };
    let g = vm.module_globals(&m).expect("module globals");
    let key = vm.names.__builtins__.clone();
    if let Payload::Dict(d) = &g.payload {
        d.borrow_mut().remove_str(&key);
    }
    vm.dict_set_str(&g, "__doc__", doc);
    for k in ["__package__", "__loader__", "__spec__"] {
        vm.dict_set_str(&g, k, Value::None);
    }
    Ok(Value::Obj(m))
}

/// `types.MethodType(function, instance)`.
fn method_new(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "method")?;
    if a.pos.len() != 3 {
        return Err(vm.new_type_error(format!(
            "method expected 2 arguments, got {}",
            a.pos.len().saturating_sub(1)
        )));
    }
    let (func, inst) = (a.pos[1].clone(), a.pos[2].clone());
    if !super::functions::is_callable(vm, &func) {
        return Err(vm.new_type_error("first argument must be callable"));
    }
    if inst.is_none() {
        return Err(vm.new_type_error("instance must not be None"));
    }
    Ok(Value::Obj(vm.track(Object::new(
        vm.types.method.clone(),
        Payload::Method(Box::new((func, inst))),
    ))))
}

/// `object.__new__`'s refusal of an abstract class: one whose own `__abstractmethods__`
/// (set by `ABCMeta` on every class it makes; CPython's `Py_TPFLAGS_IS_ABSTRACT`) is not
/// empty. Most classes have no such entry, which the namespace's key filter tells at once.
pub(crate) fn check_not_abstract(vm: &mut Vm, cls: &Obj) -> PyResult<()> {
    let key = vm.names.__abstractmethods__.clone();
    let Some(v) = cls
        .as_type()
        .and_then(|t| t.ns.borrow().get_str(&key).cloned())
    else {
        return Ok(());
    };
    let names = vm.collect(&v)?;
    if names.is_empty() {
        return Ok(());
    }
    let mut ns: Vec<&str> = names
        .iter()
        .filter_map(|n| n.as_str().map(|s| s.as_str()))
        .collect();
    ns.sort_unstable();
    Err(vm.new_type_error(format!(
        "Can't instantiate abstract class {} with abstract method{} {}",
        type_name(cls),
        if ns.len() == 1 { "" } else { "s" },
        ns.join(", ")
    )))
}

fn object_new(vm: &mut Vm, a: Args) -> PyResult {
    let Some(first) = a.get(0) else {
        return Err(vm.new_type_error("object.__new__(): not enough arguments"));
    };
    let cls = match first {
        Value::Obj(cls) if matches!(cls.payload, Payload::Type(_)) => cls,
        other => {
            let name = vm.type_name(other);
            return Err(vm.new_type_error(format!(
                "object.__new__(X): X is not a type object ({name})"
            )));
        }
    };
    let cls = cls.clone();
    object_new_checks(vm, &cls, &a)?;
    check_not_abstract(vm, &cls)?;
    vm.new_instance(&cls)
}

/// Whether `v` is the native function `f`.
fn is_native_fn(v: &Option<Value>, f: NativeFn) -> bool {
    matches!(v, Some(Value::Obj(o)) if matches!(&o.payload,
        Payload::Native(nf) if matches!(nf.func, NativeImpl::Fn(g) if std::ptr::fn_addr_eq(g, f))))
}

/// The refusals of CPython's `tp_new_wrapper` and `object_new` for `object.__new__(cls,
/// ...)`: a class whose nearest base without a script `__new__` has another `__new__`
/// (`object.__new__(int)`), and arguments beyond the class when the class overrides
/// `__new__` (a `super().__new__(cls, x)` reaching `object`) or keeps `object.__init__`.
fn object_new_checks(vm: &mut Vm, cls: &Obj, a: &Args) -> PyResult<()> {
    let new_name = vm.names.__new__.clone();
    let mut base = cls.clone();
    loop {
        // CPython's `slot_tp_new`: a `__new__` written in aio, defined or inherited.
        let own = !matches!(
            lookup(&base, &new_name).as_ref().and_then(|v| v.payload()),
            Some(Payload::Native(_)) | None
        );
        let next = base
            .as_type()
            .and_then(|t| t.bases.borrow().first().cloned());
        match next {
            Some(b) if own => base = b,
            _ => break,
        }
    }
    if !is_native_fn(&lookup(&base, &new_name), object_new) {
        return Err(vm.new_type_error(format!(
            "object.__new__({}) is not safe, use {}.__new__()",
            type_name(cls),
            type_name(&base)
        )));
    }
    if a.len() <= 1 && a.kw.is_empty() {
        return Ok(());
    }
    if !is_native_fn(&lookup(cls, &new_name), object_new) {
        return Err(vm.new_type_error(
            "object.__new__() takes exactly one argument (the type to instantiate)",
        ));
    }
    if is_native_fn(&lookup(cls, &vm.names.__init__.clone()), object_init) {
        return Err(vm.new_type_error(format!("{}() takes no arguments", type_name(cls))));
    }
    Ok(())
}

/// `object.__init__(self)`: arguments beyond `self` are refused (CPython's `object_init`)
/// when the class overrides `__init__` (a `super().__init__(x)` reaching `object`) or
/// keeps `object.__new__` (nothing else could have wanted them).
fn object_init(vm: &mut Vm, a: Args) -> PyResult {
    if a.len() <= 1 && a.kw.is_empty() {
        return Ok(Value::None);
    }
    let cls = vm.class_of(&a.pos[0]).clone();
    let is = |v: Option<Value>, f: NativeFn| {
        matches!(&v, Some(Value::Obj(o)) if matches!(&o.payload,
            Payload::Native(nf) if matches!(nf.func, NativeImpl::Fn(g) if std::ptr::fn_addr_eq(g, f))))
    };
    let init = lookup(&cls, &vm.names.__init__.clone());
    if !is(init, object_init) {
        return Err(vm.new_type_error(
            "object.__init__() takes exactly one argument (the instance to initialize)",
        ));
    }
    let new = lookup(&cls, &vm.names.__new__.clone());
    if is(new, object_new) {
        return Err(vm.new_type_error(format!(
            "{}.__init__() takes exactly one argument (the instance to initialize)",
            type_name(&cls)
        )));
    }
    Ok(Value::None)
}

/// `type.__init__`: nothing to do (`type.__new__` built the class).
fn type_init(_vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::None)
}

fn object_repr(vm: &mut Vm, a: Args) -> PyResult {
    let v = a.pos[0].clone();
    Ok(Value::str(default_repr(vm, &v)))
}

/// `<__main__.Foo object at 0x...>`.
pub fn default_repr(vm: &mut Vm, v: &Value) -> String {
    let cls = vm.class_of(v).clone();
    let module = match lookup(&cls, &vm.names.__module__.clone()) {
        Some(Value::Str(m)) if m.as_str() != "builtins" => format!("{}.", m.as_str()),
        _ => String::new(),
    };
    let qual = cls
        .as_type()
        .map(|t| t.qualname.borrow().as_str().to_string())
        .unwrap_or_default();
    format!("<{module}{qual} object at {:#x}>", v.id())
}

fn object_str(vm: &mut Vm, a: Args) -> PyResult {
    let v = a.pos[0].clone();
    vm.repr(&v).map(Value::Str)
}

pub(super) fn object_eq(vm: &mut Vm, a: Args) -> PyResult {
    if a.pos[0].is(&a.pos[1]) {
        Ok(Value::Bool(Bool::TRUE))
    } else {
        Ok(vm.not_implemented.clone())
    }
}

pub(super) fn object_ne(vm: &mut Vm, a: Args) -> PyResult {
    let cls = vm.class_of(&a.pos[0]).clone();
    if let Some(eq) = lookup(&cls, &vm.names.__eq__.clone()) {
        let r = vm.call(&eq, &[a.pos[0].clone(), a.pos[1].clone()], &[])?;
        if r.is(&vm.not_implemented) {
            return Ok(r);
        }
        let t = vm.is_true(&r)?;
        return Ok(Value::bool(!t));
    }
    Ok(vm.not_implemented.clone())
}

fn object_hash(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int((a.pos[0].id() >> 4) as i64))
}

fn object_setattr(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__setattr__", 2, 2)?;
    let name = super::functions::attr_name(vm, &a.pos[1])?;
    vm.generic_setattr(&a.pos[0], &name, a.pos[2].clone())?;
    Ok(Value::None)
}

fn object_getattribute(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__getattribute__", 1, 1)?;
    let name = super::functions::attr_name(vm, &a.pos[1])?;
    match vm.generic_get_attr_opt(&a.pos[0], &name)? {
        Some(v) => Ok(v),
        None => Err(vm.attribute_error(&a.pos[0], &name)),
    }
}

fn object_delattr(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__delattr__", 1, 1)?;
    let name = super::functions::attr_name(vm, &a.pos[1])?;
    let v = a.pos[0].clone();
    if let Value::Obj(o) = &v {
        if let Payload::Type(_) = &o.payload {
            // `type.__delattr__(cls, name)` from a metaclass.
            vm.del_type_attr(o, &v, &name)?;
            return Ok(Value::None);
        }
        if let Some(t) = o.dict_table() {
            if t.borrow_mut().remove_str(&name).is_some() {
                return Ok(Value::None);
            }
        }
    }
    Err(vm.attribute_error(&v, &name))
}

fn object_format(vm: &mut Vm, a: Args) -> PyResult {
    let spec = super::format::spec_arg(vm, &a)?;
    let spec = spec.as_str();
    if spec.as_ref().is_some_and(|s| !s.is_empty()) {
        return Err(vm.new_type_error(format!(
            "unsupported format string passed to {}.__format__",
            vm.type_name(&a.pos[0])
        )));
    }
    vm.to_str(&a.pos[0]).map(Value::Str)
}

/// `object.__init_subclass__()`: takes no keywords; CPython's message names the class
/// it is bound to by its `__qualname__` (`f.<locals>.K.__init_subclass__()`).
fn object_init_subclass(vm: &mut Vm, a: Args) -> PyResult {
    if !a.kw.is_empty() {
        let owner = match a.get(0) {
            Some(Value::Obj(c)) => qualname_of(c),
            _ => None,
        };
        let owner = owner.unwrap_or_else(|| "object".to_string());
        return Err(vm.new_type_error(format!(
            "{owner}.__init_subclass__() takes no keyword arguments"
        )));
    }
    Ok(Value::None)
}

/// A class's `__qualname__` (`None` for anything but a class).
pub(crate) fn qualname_of(cls: &Obj) -> Option<String> {
    cls.as_type()
        .map(|t| t.qualname.borrow().as_str().to_string())
}

fn object_dir(vm: &mut Vm, a: Args) -> PyResult {
    let names = super::functions::dir_names(vm, &a.pos[0])?;
    Ok(vm.new_list(names))
}

fn type_repr(vm: &mut Vm, a: Args) -> PyResult {
    let Value::Obj(cls) = &a.pos[0] else {
        return Ok(Value::str("?"));
    };
    let module = match lookup(cls, &vm.names.__module__.clone()) {
        Some(Value::Str(m)) if m.as_str() != "builtins" => format!("{}.", m.as_str()),
        _ => String::new(),
    };
    let qual = cls
        .as_type()
        .map(|t| t.qualname.borrow().as_str().to_string())
        .unwrap_or_default();
    Ok(Value::str(format!("<class '{module}{qual}'>")))
}

fn type_call(vm: &mut Vm, a: Args) -> PyResult {
    let Some(Value::Obj(cls)) = a.get(0) else {
        return Err(vm.new_type_error("descriptor '__call__' needs a type"));
    };
    let cls = cls.clone();
    vm.construct(&cls, &a.pos[1..], a.kw)
}

/// `f.__get__(obj, type=None)`: a function is a descriptor; bound to `obj` unless it is
/// `None`.
fn function_get(vm: &mut Vm, a: Args) -> PyResult {
    // CPython unpacks these with an empty function name, hence the leading space.
    let n = a.pos.len().saturating_sub(1);
    if n == 0 {
        return Err(vm.new_type_error(" expected at least 1 argument, got 0"));
    }
    if n > 2 {
        return Err(vm.new_type_error(format!(" expected at most 2 arguments, got {n}")));
    }
    let f = a.pos[0].clone();
    if a.pos[1].is_none() {
        return Ok(f);
    }
    Ok(vm.new_method(f, a.pos[1].clone()))
}

/// `f.__call__(*args, **kw)` of functions and methods: calls `f`.
fn callable_call(vm: &mut Vm, a: Args) -> PyResult {
    let Some(f) = a.get(0).cloned() else {
        return Err(vm.new_type_error("descriptor '__call__' needs an argument"));
    };
    vm.call(&f, &a.pos[1..], a.kw)
}

fn type_mro(vm: &mut Vm, a: Args) -> PyResult {
    let Some(Value::Obj(cls)) = a.get(0) else {
        return Ok(Value::None);
    };
    let mro: Vec<Value> = cls
        .as_type()
        .map(|t| {
            t.mro
                .borrow()
                .iter()
                .map(|c| Value::Obj(c.clone()))
                .collect()
        })
        .unwrap_or_default();
    Ok(vm.new_list(mro))
}

fn type_subclasses(vm: &mut Vm, a: Args) -> PyResult {
    let Some(Value::Obj(cls)) = a.get(0) else {
        return Ok(vm.new_list(Vec::new()));
    };
    let subs: Vec<Value> = cls
        .as_type()
        .map(|t| {
            crate::types::live_subclasses(t)
                .into_iter()
                .map(Value::Obj)
                .collect()
        })
        .unwrap_or_default();
    Ok(vm.new_list(subs))
}

fn type_instancecheck(vm: &mut Vm, a: Args) -> PyResult {
    let Some(Value::Obj(cls)) = a.get(0) else {
        return Ok(Value::Bool(Bool::FALSE));
    };
    let r = vm.isinstance(&a.pos[1], cls);
    Ok(Value::bool(r))
}

fn type_subclasscheck(_vm: &mut Vm, a: Args) -> PyResult {
    let (Some(Value::Obj(cls)), Some(Value::Obj(sub))) = (a.get(0), a.get(1)) else {
        return Ok(Value::Bool(Bool::FALSE));
    };
    Ok(Value::bool(is_subtype(sub, cls)))
}

/// `type(name, bases, ns)` (and metaclass `__new__` through `super().__new__`).
fn type_new(vm: &mut Vm, a: Args) -> PyResult {
    let Some(Value::Obj(meta)) = a.get(0) else {
        return Err(vm.new_type_error("type.__new__(X): X is not a type object"));
    };
    let meta = meta.clone();
    let args = &a.pos[1..];
    if args.len() == 1 && Rc::ptr_eq(&meta, &vm.types.type_) {
        return Ok(Value::Obj(vm.class_of(&args[0]).clone()));
    }
    if args.len() != 3 {
        return Err(vm.new_type_error("type() takes 1 or 3 arguments"));
    }
    let Some(name) = args[0].as_str().cloned() else {
        return Err(vm.new_type_error(format!(
            "type.__new__() argument 1 must be str, not {}",
            vm.type_name(&args[0])
        )));
    };
    let bases: Vec<Value> = match args[1].payload() {
        Some(Payload::Tuple(t)) => t.to_vec(),
        _ => {
            return Err(vm.new_type_error(format!(
                "type.__new__() argument 2 must be tuple, not {}",
                vm.type_name(&args[1])
            )))
        }
    };
    let mut ns = match args[2].payload() {
        Some(Payload::Dict(d)) => d.borrow().clone(),
        _ => {
            return Err(vm.new_type_error(format!(
                "type.__new__() argument 3 must be dict, not {}",
                vm.type_name(&args[2])
            )))
        }
    };
    // As CPython: a class made by type() belongs to the module of the code calling it.
    if ns.get_str(&vm.names.__module__).is_none() {
        if let Some(g) = vm.caller_globals(0) {
            if let Some(m) = vm.dict_get_str(&g, &vm.names.__name__.clone()) {
                let key = vm.names.__module__.clone();
                ns.set_str(key, m);
            }
        }
    }
    let winner = calculate_metaclass(vm, &meta, &bases)?;
    if !Rc::ptr_eq(&winner, &meta) {
        // As CPython's `type_new`: a more derived metaclass with a `__new__` of its own
        // makes the class (`type("B", (A,), {})` for an `A` of metaclass `Meta`).
        let new = vm.names.__new__.clone();
        let own = vm.lookup(&winner, &new);
        let base = vm.lookup(&vm.types.type_.clone(), &new);
        if let (Some(own), Some(base)) = (own, base) {
            if !own.is(&base) {
                let f = match own.payload() {
                    Some(Payload::StaticMethod(inner)) => inner.clone(),
                    _ => own,
                };
                let mut all = Vec::with_capacity(args.len() + 1);
                all.push(Value::Obj(winner));
                all.extend_from_slice(args);
                return vm.call(&f, &all, a.kw);
            }
        }
    }
    let bases = base_types(vm, bases)?;
    create_class(vm, &winner, name, bases, ns, a.kw)
}

/// The bases of a class `type.__new__` makes: classes only, or CPython's `TypeError`.
fn base_types(vm: &Vm, bases: Vec<Value>) -> PyResult<Vec<Obj>> {
    bases
        .into_iter()
        .map(|b| match b {
            Value::Obj(o) if o.as_type().is_some() => Ok(o),
            _ => Err(vm.new_type_error("bases must be types")),
        })
        .collect()
}

/// The metaclass of a class with metaclass `meta` and bases `bases`: the most derived of
/// `meta` and the bases' metaclasses, or CPython's "metaclass conflict" `TypeError` when one
/// is not a subclass of the others (`_PyType_CalculateMetaclass`).
fn calculate_metaclass(vm: &mut Vm, meta: &Obj, bases: &[Value]) -> PyResult<Obj> {
    let mut winner = meta.clone();
    for b in bases {
        let bm = vm.class_of(b).clone();
        if is_subtype(&winner, &bm) {
            continue;
        }
        if is_subtype(&bm, &winner) {
            winner = bm;
            continue;
        }
        return Err(vm.new_type_error(METACLASS_CONFLICT));
    }
    Ok(winner)
}

/// CPython's message when the bases' metaclasses have no most derived one.
const METACLASS_CONFLICT: &str = "metaclass conflict: the metaclass of a derived class must be a \
     (non-strict) subclass of the metaclasses of all its bases";

/// The member name of a private slot, as CPython's `_Py_Mangle`: `__x` declared in class
/// `_C` is stored as `_C__x` (`None` when the name is not private).
fn mangle_slot(class: &str, slot: &str) -> Option<String> {
    if !slot.starts_with("__") || slot.ends_with("__") || slot.contains('.') {
        return None;
    }
    let class = class.trim_start_matches('_');
    (!class.is_empty()).then(|| format!("_{class}{slot}"))
}

/// Whether `b` is one of the built-in classes without a payload layout of their own that
/// CPython lets scripts subclass (`Py_TPFLAGS_BASETYPE`): their `__new__` makes the
/// subclass's instances ([`Vm::new_object_of`]).
fn subclassable_builtin(vm: &Vm, b: &Obj) -> bool {
    let t = &vm.types;
    [
        &t.enumerate,
        &t.zip,
        &t.map,
        &t.filter,
        &t.reversed,
        &t.staticmethod,
        &t.classmethod,
        &t.super_,
        &t.module,
    ]
    .into_iter()
    .any(|c| Rc::ptr_eq(c, b))
}

fn create_class(
    vm: &mut Vm,
    meta: &Obj,
    name: Rc<crate::str::Str>,
    mut bases: Vec<Obj>,
    mut ns: Dict,
    kw: &[(Rc<crate::str::Str>, Value)],
) -> PyResult {
    if bases.is_empty() {
        bases.push(vm.types.object.clone());
    }
    for b in &bases {
        let ok = match b.as_type() {
            // `bool` shares `int`'s layout but is final, as in CPython.
            Some(t) => {
                (t.layout != crate::object::Layout::Builtin
                    || Rc::ptr_eq(b, &vm.types.object)
                    || subclassable_builtin(vm, b))
                    && !Rc::ptr_eq(b, &vm.types.bool)
                    && !t.final_.get()
            }
            None => false,
        };
        if !ok {
            let bname = if b.as_type().is_some() {
                type_name(b)
            } else {
                vm.type_name(&Value::Obj(b.clone()))
            };
            if b.as_type().is_some() {
                return Err(
                    vm.new_type_error(format!("type '{bname}' is not an acceptable base type"))
                );
            }
            return Err(vm.new_type_error("bases must be types"));
        }
    }
    let qualname = match ns.remove_str(&vm.names.__qualname__.clone()) {
        Some(Value::Str(q)) => q,
        _ => name.clone(),
    };
    let slots = match ns.get_str(&vm.names.__slots__.clone()).cloned() {
        Some(v) => {
            let names: Vec<Rc<crate::str::Str>> = match v.as_str() {
                Some(s) => vec![s.clone()],
                None => {
                    let mut names = Vec::new();
                    for n in vm.collect(&v)? {
                        let Some(s) = n.as_str().cloned() else {
                            return Err(vm.new_type_error(format!(
                                "__slots__ items must be strings, not '{}'",
                                vm.type_name(&n)
                            )));
                        };
                        names.push(s);
                    }
                    names
                }
            };
            let names: Vec<Rc<crate::str::Str>> = names
                .into_iter()
                .map(|n| match mangle_slot(name.as_str(), n.as_str()) {
                    Some(m) => vm.intern(&m),
                    None => n,
                })
                .collect();
            // As CPython's `type_new_copy_slots`: a slot would replace the class attribute.
            for n in &names {
                if !matches!(n.as_str(), "__dict__" | "__weakref__") && ns.get_str(n).is_some() {
                    return Err(vm.new_value_error(format!(
                        "{} in __slots__ conflicts with class variable",
                        crate::builtins::str_repr(n.as_str())
                    )));
                }
            }
            Some(names)
        }
        None => None,
    };
    // Wrap plain functions for __init_subclass__ and __class_getitem__ as class methods.
    for special in ["__init_subclass__", "__class_getitem__"] {
        let key = vm.intern(special);
        if let Some(f) = ns.get_str(&key).cloned() {
            if matches!(f.payload(), Some(Payload::Function(_))) {
                let cm = Value::Obj(Rc::new(Object::new(
                    vm.types.classmethod.clone(),
                    Payload::ClassMethod(f),
                )));
                ns.set_str(key, cm);
            }
        }
    }
    let key = vm.intern("__new__");
    if let Some(f) = ns.get_str(&key).cloned() {
        if matches!(f.payload(), Some(Payload::Function(_))) {
            let sm = Value::Obj(Rc::new(Object::new(
                vm.types.staticmethod.clone(),
                Payload::StaticMethod(f),
            )));
            ns.set_str(key, sm);
        }
    }
    // A class that defines __eq__ but not __hash__ is unhashable.
    if ns.get_str(&vm.names.__eq__.clone()).is_some()
        && ns.get_str(&vm.names.__hash__.clone()).is_none()
    {
        ns.set_str(vm.names.__hash__.clone(), Value::None);
    }
    let classcell = ns.remove_str(&vm.names.__classcell__.clone());
    let cls = new_heap_type(
        meta,
        name,
        qualname,
        &bases,
        ns,
        slots,
        &vm.types.member_descriptor.clone(),
    )
    .map_err(|m| vm.new_type_error(m))?;
    vm.gc_track_existing(&cls);
    if let Some(t) = cls.as_type() {
        let mut ns = t.ns.borrow_mut();
        *t.getsets_after.borrow_mut() = ns.iter().last().and_then(|e| e.key.as_str().cloned());
        // As `type.__new__`: a class without a docstring has `__doc__ = None` of its own
        // (after its slots' members), so it does not show its base's.
        if ns.get_str(&vm.names.__doc__).is_none() {
            ns.set_str(vm.names.__doc__.clone(), Value::None);
        }
    }
    if let Some(Value::Obj(cell)) = classcell {
        if let Payload::Cell(c) = &cell.payload {
            *c.borrow_mut() = Some(Value::Obj(cls.clone()));
        }
    }
    // __set_name__ on descriptors.
    let entries: Vec<(Value, Value)> = cls
        .as_type()
        .map(|t| {
            t.ns.borrow()
                .iter()
                .map(|e| (e.key.clone(), e.value.clone()))
                .collect()
        })
        .unwrap_or_default();
    for (k, v) in entries {
        // A property learns its name in place (the last name wins, as in CPython);
        // subclasses go through `__set_name__` below, which they may override.
        if let (Some(Payload::Property(p)), Value::Obj(o)) = (v.payload(), &v) {
            if crate::attr::is_plain_property(o) {
                p.borrow_mut()[4] = k.clone();
                continue;
            }
        }
        if vm.is_heap(&v) {
            let vcls = vm.class_of(&v).clone();
            if let Some(sn) = lookup(&vcls, &vm.names.__set_name__.clone()) {
                if let Err(cause) =
                    vm.call(&sn, &[v.clone(), Value::Obj(cls.clone()), k.clone()], &[])
                {
                    // CPython 3.11's `type_new_set_names` wraps the error, chained from it.
                    let key = vm.repr(&k)?;
                    let e = vm.new_runtime_error(format!(
                        "Error calling __set_name__ on '{}' instance {} in '{}'",
                        type_name(&vcls),
                        key.as_str(),
                        type_name(&cls)
                    ));
                    vm.set_cause(&e, Value::Obj(cause.clone()));
                    vm.set_context(&e, Some(Value::Obj(cause)));
                    return Err(e);
                }
            }
        }
    }
    // __init_subclass__ as `super(cls, cls)` finds it: the first class after `cls` in its
    // MRO that defines one (with `class B(int, A)`, A's).
    let name = vm.names.__init_subclass__.clone();
    let init_sub = cls.as_type().and_then(|t| {
        t.mro.borrow().iter().skip(1).find_map(|c| {
            c.as_type()
                .and_then(|ct| ct.ns.borrow().get_str(&name).cloned())
        })
    });
    if let Some(init_sub) = init_sub {
        let f = match &init_sub {
            Value::Obj(o) => match &o.payload {
                Payload::ClassMethod(f) => Some(f.clone()),
                _ => None,
            },
            _ => None,
        };
        if let Some(f) = f {
            vm.call(&f, &[Value::Obj(cls.clone())], kw)?;
        } else if !kw.is_empty() {
            return Err(vm.new_type_error(format!(
                "{}.__init_subclass__() takes no keyword arguments",
                qualname_of(&cls).unwrap_or_else(|| type_name(&cls))
            )));
        }
    }
    Ok(Value::Obj(cls))
}

impl Vm {
    /// Registers an object created outside `track` with the cycle collector.
    pub(crate) fn gc_track_existing(&self, o: &Obj) {
        self.gc.track(o);
    }
}

/// `__build_class__(func, name, *bases, metaclass=None, **kw)`.
fn build_class(vm: &mut Vm, a: Args) -> PyResult {
    if a.len() < 2 {
        return Err(vm.new_type_error("__build_class__: not enough arguments"));
    }
    let func = a.pos[0].clone();
    let Some(name) = a.pos[1].as_str().cloned() else {
        return Err(vm.new_type_error("__build_class__: name is not a string"));
    };
    // Bases, resolving __mro_entries__; any other object stays a base, for the metaclass
    // to judge (`class Q(5)` calls `int('Q', (5,), ns)`, as in CPython).
    let mut bases: Vec<Value> = Vec::new();
    for b in &a.pos[2..] {
        if matches!(b.payload(), Some(Payload::Type(_))) {
            bases.push(b.clone());
            continue;
        }
        // As CPython, an attribute of the base itself (typing.NamedTuple is a function).
        let name = vm.names.__mro_entries__.clone();
        match vm.get_attr_opt(b, &name)? {
            Some(f) => {
                let orig = vm.new_tuple(a.pos[2..].to_vec());
                let r = vm.call(&f, &[orig], &[])?;
                let Some(Payload::Tuple(t)) = r.payload() else {
                    return Err(vm.new_type_error("__mro_entries__ must return a tuple"));
                };
                bases.extend(t.iter().cloned());
            }
            None => bases.push(b.clone()),
        }
    }
    let mut kw: Vec<(Rc<crate::str::Str>, Value)> = Vec::new();
    let mut meta: Option<Value> = None;
    for (k, v) in a.kw {
        if k.as_str() == "metaclass" {
            meta = Some(v.clone());
        } else {
            kw.push((k.clone(), v.clone()));
        }
    }
    // As CPython: the explicit metaclass or the first base's, then (when it is a class)
    // the most derived of it and the bases' metaclasses. Any other callable is called as
    // it is (`metaclass=5` fails there, as "'int' object is not callable").
    let meta = match meta {
        Some(m) => m,
        None => match bases.first() {
            Some(b) => Value::Obj(vm.class_of(b).clone()),
            None => Value::Obj(vm.types.type_.clone()),
        },
    };
    let meta_class = match &meta {
        Value::Obj(m) if m.as_type().is_some() => Some(calculate_metaclass(vm, m, &bases)?),
        _ => None,
    };
    let meta = meta_class.clone().map(Value::Obj).unwrap_or(meta);
    // Run the body in a fresh namespace, or in the one the metaclass's `__prepare__` returns
    // (a dict or a dict subclass, whose `__setitem__` then sees every store of the body).
    let bases_tuple = vm.new_tuple(bases.clone());
    let prepare_name = vm.names.__prepare__.clone();
    let prepare = match &meta_class {
        Some(m) if lookup(m, &prepare_name).is_none() => None,
        _ => vm.get_attr_opt(&meta, &prepare_name)?,
    };
    let ns = if let Some(prepare) = prepare {
        let r = vm.call(
            &prepare,
            &[Value::Str(name.clone()), bases_tuple.clone()],
            &kw,
        )?;
        match r {
            Value::Obj(o) if matches!(o.payload, Payload::Dict(_)) => o,
            other => {
                let t = vm.type_name(&other);
                let m = match &meta_class {
                    Some(m) => crate::types::type_name(m),
                    None => "<metaclass>".to_string(),
                };
                return Err(
                    vm.new_type_error(format!("{m}.__prepare__() must return a mapping, not {t}"))
                );
            }
        }
    } else {
        vm.new_dict(Dict::new())
    };
    let Value::Obj(fo) = &func else {
        return Err(vm.new_type_error("__build_class__: func must be a function"));
    };
    let Payload::Function(fd) = &fo.payload else {
        return Err(vm.new_type_error("__build_class__: func must be a function"));
    };
    // Bases replaced through __mro_entries__: the class keeps the originals (PEP 560).
    let resolved =
        a.pos[2..].len() != bases.len() || a.pos[2..].iter().zip(&bases).any(|(o, b)| !o.is(b));
    if resolved {
        let orig = vm.new_tuple(a.pos[2..].to_vec());
        vm.dict_set_str(&ns, "__orig_bases__", orig);
    }
    let mut frame = vm.function_frame(fo, fd, None, &[], &[], Delivery::Native)?;
    frame.set_namespace(Some(ns.clone()));
    let cell = vm.run_frame(frame)?;
    let ns_dict = match &ns.payload {
        Payload::Dict(d) => d.borrow().clone(),
        _ => Dict::new(),
    };
    let exact = Rc::ptr_eq(ns.class_raw().expect("class"), &vm.types.dict);
    let cls = if let Some(m) = meta_class.filter(|m| Rc::ptr_eq(m, &vm.types.type_)) {
        let mut d = ns_dict;
        if let Value::Obj(c) = &cell {
            d.set_str(vm.names.__classcell__.clone(), Value::Obj(c.clone()));
        }
        let bases = base_types(vm, bases)?;
        create_class(vm, &m, name, bases, d, &kw)?
    } else if !exact {
        // A namespace from __prepare__ goes to the metaclass as it is (CPython passes it).
        if let (Value::Obj(c), Payload::Dict(d)) = (&cell, &ns.payload) {
            d.borrow_mut()
                .set_str(vm.names.__classcell__.clone(), Value::Obj(c.clone()));
        }
        vm.call(
            &meta,
            &[Value::Str(name), bases_tuple, Value::Obj(ns.clone())],
            &kw,
        )?
    } else {
        let mut d = ns_dict;
        if let Value::Obj(c) = &cell {
            d.set_str(vm.names.__classcell__.clone(), Value::Obj(c.clone()));
        }
        let nsd = Value::Obj(vm.new_dict(d));
        vm.call(&meta, &[Value::Str(name), bases_tuple, nsd], &kw)?
    };
    Ok(cls)
}

/// The `fget`, `fset`, `fdel` and `doc` arguments of `property(...)` (after the class or
/// instance in `a.pos[0]`).
fn property_args(a: &Args) -> [Value; 4] {
    let get = |i: usize, n: &str| a.arg(i, n).cloned().unwrap_or(Value::None);
    [
        get(1, "fget"),
        get(2, "fset"),
        get(3, "fdel"),
        get(4, "doc"),
    ]
}

/// `property(fget=None, fset=None, fdel=None, doc=None)`'s argument errors (after the
/// class or instance in `a`).
fn check_property_args(vm: &mut Vm, a: &Args) -> PyResult<()> {
    a.method_clinic_count(vm, "property", 0, 4, 4)?;
    a.check_kwargs(vm, "property", &["fget", "fset", "fdel", "doc"])
}

/// `property.__new__(cls, ...)`. A `property` takes its fields here; an instance of a
/// subclass starts empty and gets them from `property.__init__`, which the subclass's
/// own `__init__` may call with other arguments (CPython fills them in `__init__` only).
fn property_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = match a.pos.first() {
        Some(Value::Obj(c)) if c.as_type().is_some() => c.clone(),
        _ => return Err(vm.new_type_error("property.__new__(X): X is not a type object")),
    };
    if !Rc::ptr_eq(&cls, &vm.types.property) {
        return vm.new_instance(&cls);
    }
    check_property_args(vm, &a)?;
    let [fget, fset, fdel, doc] = property_args(&a);
    let p = crate::builtins::property_payload([fget, fset, fdel, doc, Value::None]);
    Ok(Value::Obj(vm.track(Object::new(cls, p))))
}

/// `property.__init__(self, fget=None, fset=None, fdel=None, doc=None)`.
fn property_init(vm: &mut Vm, a: Args) -> PyResult {
    let Some(Payload::Property(p)) = a.pos.first().and_then(|v| v.payload()) else {
        return Err(vm.new_type_error("descriptor '__init__' requires a 'property' object"));
    };
    check_property_args(vm, &a)?;
    let [fget, fset, fdel, doc] = property_args(&a);
    let mut fields = p.borrow_mut();
    (fields[0], fields[1], fields[2], fields[3]) = (fget, fset, fdel, doc);
    Ok(Value::None)
}

/// `property.__set_name__(owner, name)`: the name error messages show.
fn property_set_name(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__set_name__", 2, 2)?;
    if let Some(Payload::Property(p)) = a.pos[0].payload() {
        p.borrow_mut()[4] = a.pos[2].clone();
    }
    Ok(Value::None)
}

/// `getter`/`setter`/`deleter`: a copy with field `slot` replaced, made by calling the
/// property's class (a subclass gets an instance of itself, as in CPython).
fn property_with(vm: &mut Vm, a: Args, slot: usize) -> PyResult {
    let Some(Payload::Property(p)) = a.pos[0].payload() else {
        return Err(vm.new_type_error("not a property"));
    };
    let mut fields = p.borrow().clone();
    fields[slot] = a.pos.get(1).cloned().unwrap_or(Value::None);
    let cls = vm.class_of(&a.pos[0]).clone();
    if Rc::ptr_eq(&cls, &vm.types.property) {
        let p = crate::builtins::property_payload(fields);
        return Ok(Value::Obj(vm.track(Object::new(cls, p))));
    }
    let [fget, fset, fdel, doc, name] = fields;
    let copy = vm.call(&Value::Obj(cls), &[fget, fset, fdel, doc], &[])?;
    if let Some(Payload::Property(p)) = copy.payload() {
        p.borrow_mut()[4] = name;
    }
    Ok(copy)
}

fn property_getter(vm: &mut Vm, a: Args) -> PyResult {
    property_with(vm, a, 0)
}

fn property_setter(vm: &mut Vm, a: Args) -> PyResult {
    property_with(vm, a, 1)
}

fn property_deleter(vm: &mut Vm, a: Args) -> PyResult {
    property_with(vm, a, 2)
}

fn property_get(vm: &mut Vm, a: Args) -> PyResult {
    let Some(Payload::Property(p)) = a.pos[0].payload() else {
        return Err(vm.new_type_error("not a property"));
    };
    let obj = a.pos.get(1).cloned().unwrap_or(Value::None);
    if obj.is_none() {
        return Ok(a.pos[0].clone());
    }
    vm.property_fetch(p, &obj)
}

/// `property.__set__(obj, value)`: what `obj.name = value` does through the property.
fn property_set(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__set__", 2, 2)?;
    let prop = a.pos[0].clone();
    let Some(Payload::Property(p)) = prop.payload() else {
        return Err(vm.new_type_error("not a property"));
    };
    vm.property_store(p, &a.pos[1], Some(a.pos[2].clone()))?;
    Ok(Value::None)
}

/// `property.__delete__(obj)`: what `del obj.name` does through the property.
fn property_delete(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__delete__", 1, 1)?;
    let prop = a.pos[0].clone();
    let Some(Payload::Property(p)) = prop.payload() else {
        return Err(vm.new_type_error("not a property"));
    };
    vm.property_store(p, &a.pos[1], None)?;
    Ok(Value::None)
}

/// `__get__(obj, type=None)` of class methods, static methods and slot members: what an
/// attribute lookup through them gives.
fn descriptor_get(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__get__", 1, 2)?;
    let owner = match a.pos.get(2) {
        Some(Value::Obj(o)) if o.as_type().is_some() => Some(o.clone()),
        _ => None,
    };
    vm.native_descriptor_get(&a.pos[0], &a.pos[1], owner)
}

/// The slot name of member descriptor `d`.
fn member_name(vm: &mut Vm, d: &Value) -> PyResult<std::rc::Rc<crate::str::Str>> {
    match d.payload() {
        Some(Payload::Member(m)) => Ok(m.name.clone()),
        _ => Err(vm.new_type_error("not a member descriptor")),
    }
}

/// A slot member's `__set__(obj, value)`: stores the slot as `obj.name = value` does.
fn member_set(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__set__", 2, 2)?;
    let name = member_name(vm, &a.pos[0])?;
    vm.set_attr(&a.pos[1], &name, a.pos[2].clone())?;
    Ok(Value::None)
}

/// A slot member's `__delete__(obj)`: empties the slot as `del obj.name` does.
fn member_delete(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__delete__", 1, 1)?;
    let name = member_name(vm, &a.pos[0])?;
    vm.del_attr(&a.pos[1], &name)?;
    Ok(Value::None)
}

fn staticmethod_new(vm: &mut Vm, a: Args) -> PyResult {
    wraps_one(vm, &a, "staticmethod")?;
    let cls = new_class_arg(vm, &a, |t| &t.staticmethod);
    Ok(vm.new_object_of(&cls, Payload::StaticMethod(a.pos[1].clone())))
}

fn classmethod_new(vm: &mut Vm, a: Args) -> PyResult {
    wraps_one(vm, &a, "classmethod")?;
    let cls = new_class_arg(vm, &a, |t| &t.classmethod);
    Ok(vm.new_object_of(&cls, Payload::ClassMethod(a.pos[1].clone())))
}

/// The class a built-in `__new__(cls, ...)` makes an instance of (`def_static` checked
/// it is the built-in class, given by `default`, or a subclass of it).
fn new_class_arg(vm: &Vm, a: &Args, default: fn(&crate::types::Types) -> &Obj) -> Obj {
    match a.pos.first() {
        Some(Value::Obj(c)) if c.as_type().is_some() => c.clone(),
        _ => default(&vm.types).clone(),
    }
}

/// The one callable `staticmethod(f)` or `classmethod(f)` wraps (after the class in
/// `a`), with CPython's errors (`staticmethod expected 1 argument, got 2`).
fn wraps_one(vm: &mut Vm, a: &Args, name: &str) -> PyResult<()> {
    a.no_kwargs(vm, name)?;
    let n = a.pos.len().saturating_sub(1);
    if n != 1 {
        return Err(vm.new_type_error(format!("{name} expected 1 argument, got {n}")));
    }
    Ok(())
}

/// `super.__new__`: [`make_super`] with the arguments after the class.
fn super_new(vm: &mut Vm, a: Args) -> PyResult {
    let s = make_super(vm, a.pos.get(1..).unwrap_or_default())?;
    let cls = new_class_arg(vm, &a, |t| &t.super_);
    if Rc::ptr_eq(&cls, &vm.types.super_) {
        return Ok(s);
    }
    match s.payload() {
        Some(Payload::Super(p)) => Ok(vm.new_object_of(&cls, Payload::Super(p.clone()))),
        _ => Ok(s),
    }
}

/// `super()` / `super(cls, obj)` (`args`: what the call passed).
pub(crate) fn make_super(vm: &mut Vm, args: &[Value]) -> PyResult {
    if let Some(first) = args
        .first()
        .filter(|f| f.as_obj().and_then(|o| o.as_type()).is_none())
    {
        return Err(vm.new_type_error(format!(
            "super() argument 1 must be a type, not {}",
            vm.type_name(first)
        )));
    }
    let (cls, obj) = if args.len() >= 2 {
        let c = match &args[0] {
            Value::Obj(c) if c.as_type().is_some() => c,
            other => {
                return Err(vm.new_type_error(format!(
                    "super() argument 1 must be a type, not {}",
                    vm.type_name(other)
                )))
            }
        };
        (c.clone(), args[1].clone())
    } else {
        // Zero-argument form: the calling frame's __class__ cell and first argument.
        let Some(f) = vm.frames.last() else {
            return Err(vm.new_runtime_error("super(): no current frame"));
        };
        let code = f.code.clone();
        if code.argcount == 0 {
            return Err(vm.new_runtime_error("super(): no arguments"));
        }
        let class_idx = code
            .freevars
            .iter()
            .position(|n| n.as_str() == "__class__")
            .map(|i| i + code.cellvars.len());
        let Some(ci) = class_idx else {
            return Err(vm.new_runtime_error("super(): __class__ cell not found"));
        };
        let cls = match &f.cells()[ci].payload {
            Payload::Cell(c) => c.borrow().clone(),
            _ => None,
        };
        let Some(Value::Obj(cls)) = cls else {
            return Err(vm.new_runtime_error("super(): empty __class__ cell"));
        };
        // The first argument may have been moved into a cell.
        let first = match f.locals.first().cloned().flatten() {
            Some(v) => v,
            None => {
                let pos = code.cell2arg.iter().position(|c| *c == Some(0));
                match pos.and_then(|p| match &f.cells()[p].payload {
                    Payload::Cell(c) => c.borrow().clone(),
                    _ => None,
                }) {
                    Some(v) => v,
                    None => return Err(vm.new_runtime_error("super(): arg[0] deleted")),
                }
            }
        };
        (cls, first)
    };
    let obj_type = match &obj {
        Value::Obj(o) if matches!(o.payload, Payload::Type(_)) && is_subtype(o, &cls) => o.clone(),
        _ => vm.class_of(&obj).clone(),
    };
    if !is_subtype(&obj_type, &cls) {
        return Err(
            vm.new_type_error("super(type, obj): obj must be an instance or subtype of type")
        );
    }
    Ok(Value::Obj(vm.track(Object::new(
        vm.types.super_.clone(),
        Payload::Super(Box::new((cls, obj))),
    ))))
}

/// What a `super` object `s` finds for `name`: the first value in the MRO of the object's
/// type after `cls`, and whether the object is a class that `cls` is a base of (so that
/// functions found are not bound to it).
fn super_find(vm: &Vm, s: &(Obj, Value), name: &Rc<Str>) -> Option<(Value, bool)> {
    let (cls, obj) = s;
    let is_class =
        matches!(obj, Value::Obj(o) if matches!(o.payload, Payload::Type(_)) && is_subtype(o, cls));
    let start_type = match obj {
        Value::Obj(o) if is_class => o,
        _ => vm.class_of(obj),
    };
    let mro = start_type.as_type()?.mro.borrow();
    let pos = mro
        .iter()
        .position(|c| Rc::ptr_eq(c, cls))
        .map_or(mro.len(), |p| p + 1);
    mro[pos..].iter().find_map(|c| {
        let v = c.as_type()?.ns.borrow().get_str(name).cloned()?;
        Some((v, is_class))
    })
}

/// `LoadMethod` on a `super` object: a script function found for an instance, with the
/// instance as `self` (no bound method made); `None` for anything else.
pub(crate) fn super_method(vm: &Vm, s: &(Obj, Value), name: &Rc<Str>) -> Option<(Value, Value)> {
    match super_find(vm, s, name)? {
        (f, false) if matches!(f.payload(), Some(Payload::Function(_))) => Some((f, s.1.clone())),
        _ => None,
    }
}

/// Looks `name` up for a `super` object: along the MRO of the object's type, after `cls`.
fn super_getattr(vm: &mut Vm, s: &(Obj, Value), name: &str) -> PyResult<Option<Value>> {
    let obj = &s.1;
    let key = vm.intern(name);
    let Some((v, is_class)) = super_find(vm, s, &key) else {
        return Ok(None);
    };
    Ok(Some(match &v {
        Value::Obj(f) => match &f.payload {
            Payload::Function(_) if !is_class => vm.new_method(v.clone(), obj.clone()),
            Payload::Native(nf) if nf.binds() && !is_class => vm.bind_native(nf, obj.clone()),
            Payload::ClassMethod(inner) => {
                let target = if is_class {
                    obj.clone()
                } else {
                    Value::Obj(vm.class_of(obj).clone())
                };
                vm.new_method(inner.clone(), target)
            }
            Payload::StaticMethod(inner) => inner.clone(),
            Payload::Property(p) if !is_class => {
                let g = p.borrow()[0].clone();
                vm.call(&g, std::slice::from_ref(obj), &[])?
            }
            _ => v.clone(),
        },
        _ => v.clone(),
    }))
}

/// Stores (`Some`) or deletes (`None`) the attributes a function keeps outside its
/// `__dict__` (`__name__`, `__qualname__`, `__doc__`, `__module__`, `__defaults__`,
/// `__kwdefaults__`), with CPython's type checks; false for other names.
pub fn set_function_attr(
    vm: &mut Vm,
    f: &crate::object::Function,
    name: &str,
    value: Option<&Value>,
) -> PyResult<bool> {
    let value = value.cloned();
    match name {
        "__name__" | "__qualname__" => {
            let Some(v) = value.filter(|v| v.as_str().is_some()) else {
                return Err(vm.new_type_error(format!("{name} must be set to a string object")));
            };
            let slot = if name == "__name__" {
                &f.name
            } else {
                &f.qualname
            };
            *slot.borrow_mut() = v;
        }
        "__doc__" => *f.doc.borrow_mut() = value.unwrap_or(Value::None),
        "__module__" => *f.module.borrow_mut() = value.unwrap_or(Value::None),
        "__defaults__" => {
            let items = match value {
                None | Some(Value::None) => Vec::new(),
                Some(v) => match v.payload() {
                    Some(Payload::Tuple(t)) => t.to_vec(),
                    _ => {
                        return Err(vm.new_type_error("__defaults__ must be set to a tuple object"))
                    }
                },
            };
            *f.defaults.borrow_mut() = items;
        }
        "__kwdefaults__" => {
            let v = match value {
                None | Some(Value::None) => Value::None,
                Some(v) if matches!(v.payload(), Some(Payload::Dict(_))) => v,
                Some(_) => {
                    return Err(vm.new_type_error("__kwdefaults__ must be set to a dict object"))
                }
            };
            *f.kwdefaults.borrow_mut() = v;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// The names [`payload_attr`] answers for instances of built-in class `cls` that CPython
/// keeps in the class dict as descriptors (`function.__code__`, `code.co_flags`), for
/// `dir()`: `unittest.mock` specs objects by their `dir()`.
pub(super) fn payload_attr_names(vm: &Vm, cls: &Obj) -> &'static [&'static str] {
    let t = &vm.types;
    let table: [(&Obj, &'static [&'static str]); 9] = [
        (
            &t.function,
            &[
                "__annotations__",
                "__closure__",
                "__code__",
                "__defaults__",
                "__dict__",
                "__globals__",
                "__kwdefaults__",
                "__module__",
                "__name__",
                "__qualname__",
            ],
        ),
        (
            &t.code,
            &[
                "co_argcount",
                "co_cellvars",
                "co_consts",
                "co_filename",
                "co_firstlineno",
                "co_flags",
                "co_freevars",
                "co_kwonlyargcount",
                "co_name",
                "co_names",
                "co_nlocals",
                "co_posonlyargcount",
                "co_qualname",
                "co_stacksize",
                "co_varnames",
            ],
        ),
        (&t.method, &["__func__", "__self__"]),
        (
            &t.builtin_function,
            &["__module__", "__name__", "__qualname__", "__self__"],
        ),
        (&t.property, &["fdel", "fget", "fset"]),
        (&t.staticmethod, &["__func__", "__name__", "__qualname__"]),
        (&t.classmethod, &["__func__", "__name__", "__qualname__"]),
        (&t.slice, &["start", "step", "stop"]),
        (&t.range, &["start", "step", "stop"]),
    ];
    table
        .iter()
        .find(|(c, _)| Rc::ptr_eq(c, cls))
        .map_or(&[], |(_, names)| names)
}

/// Data attributes of built-in payloads.
pub(super) fn payload_attr(vm: &mut Vm, v: &Value, name: &str) -> PyResult<Option<Value>> {
    let Value::Obj(o) = v else {
        return super::int::number_attr(vm, v, name);
    };
    Ok(match (&o.payload, name) {
        (Payload::Function(f), "__name__") => Some(f.name.borrow().clone()),
        (Payload::Function(f), "__qualname__") => Some(f.qualname.borrow().clone()),
        (Payload::Function(f), "__doc__") => Some(f.doc.borrow().clone()),
        (Payload::Function(f), "__module__") => Some(f.module.borrow().clone()),
        (Payload::Function(f), "__defaults__") => {
            let d = f.defaults.borrow().clone();
            Some(if d.is_empty() {
                Value::None
            } else {
                vm.new_tuple(d)
            })
        }
        (Payload::Function(f), "__kwdefaults__") => Some(f.kwdefaults.borrow().clone()),
        (Payload::Function(f), "__globals__") => Some(Value::Obj(f.globals.clone())),
        (Payload::Function(f), "__code__") => {
            Some(Value::Obj(super::code_object(&vm.types, f.code.clone())))
        }
        (Payload::Function(f), "__closure__") => {
            if f.closure.is_empty() {
                Some(Value::None)
            } else {
                Some(vm.new_tuple(f.closure.iter().map(|c| Value::Obj(c.clone())).collect()))
            }
        }
        (Payload::Function(_), "__annotations__") => {
            // Created on first access and kept, as CPython does.
            let key = vm.names.__annotations__.clone();
            if let Some(v) = o
                .dict_table()
                .and_then(|d| d.borrow().get_str(&key).cloned())
            {
                return Ok(Some(v));
            }
            let d = vm.new_dict(Dict::new());
            if let Some(t) = o.dict_table() {
                t.borrow_mut().set_str(key, Value::Obj(d.clone()));
            }
            Some(Value::Obj(d))
        }
        (Payload::Method(m), "__func__") => Some(m.0.clone()),
        (Payload::Method(m), "__self__") => Some(m.1.clone()),
        // Any other attribute is the function's (CPython's `method_getattro`): `__name__`,
        // `__doc__`, `__wrapped__`, attributes set on the function.
        (Payload::Method(m), _) => {
            let f = m.0.clone();
            let n = vm.intern(name);
            return vm.get_attr_opt(&f, &n);
        }
        (Payload::Native(n), "__name__") => Some(Value::Str(n.name.clone())),
        (Payload::Native(n), "__qualname__") => Some(Value::str(match &n.owner {
            Some(o) => format!("{}.{}", o.as_str(), n.name.as_str()),
            None => n.name.as_str().to_string(),
        })),
        (Payload::Native(n), "__self__") => Some(n.bound.clone().unwrap_or(Value::None)),
        (Payload::Native(_), "__doc__") => Some(Value::None),
        // As CPython's C functions: a module function names its module, a method (bound,
        // a class's `__new__`) has `None`. (CPython's unbound method descriptors, such as
        // `list.append`, have no `__module__` at all.)
        (Payload::Native(n), "__module__") => match &n.module {
            Some(m) => Some(Value::Str(m.clone())),
            None if n.owner.is_some() || n.bound.is_some() || n.is_static => Some(Value::None),
            None => Some(Value::Str(vm.intern("builtins"))),
        },
        (Payload::Module(m), "__name__") => Some(Value::Str(m.name.clone())),
        (Payload::Code(c), "co_name") => Some(Value::Str(c.name.clone())),
        (Payload::Code(c), "co_qualname") => Some(Value::Str(c.qualname.clone())),
        (Payload::Code(c), "co_filename") => Some(c.source.name_value()),
        (Payload::Code(c), "co_firstlineno") => Some(Value::Int(c.firstlineno as i64)),
        (Payload::Code(c), "co_argcount") => Some(Value::Int(c.argcount as i64)),
        (Payload::Code(c), "co_posonlyargcount") => Some(Value::Int(c.posonlyargcount as i64)),
        (Payload::Code(c), "co_kwonlyargcount") => Some(Value::Int(c.kwonlyargcount as i64)),
        (Payload::Code(c), "co_flags") => Some(Value::Int(c.flags as i64)),
        (Payload::Code(c), "co_stacksize") => Some(Value::Int(c.max_stack as i64)),
        (Payload::Code(c), "co_nlocals") => Some(Value::Int(c.nlocals() as i64)),
        (Payload::Code(c), "co_varnames") => Some(str_tuple(vm, &c.varnames)),
        (Payload::Code(c), "co_names") => Some(str_tuple(vm, &c.names)),
        // The constants the instructions load (CPython's tuple also starts a function's
        // with its docstring, which aio keeps apart).
        (Payload::Code(c), "co_consts") => Some(vm.new_tuple(c.consts.to_vec())),
        (Payload::Code(c), "co_cellvars") => Some(str_tuple(vm, &c.cellvars)),
        (Payload::Code(c), "co_freevars") => Some(str_tuple(vm, &c.freevars)),
        (Payload::Cell(c), "cell_contents") => match c.borrow().clone() {
            Some(v) => Some(v),
            None => return Err(vm.new_value_error("Cell is empty")),
        },
        (Payload::Property(p), "fget") => Some(p.borrow()[0].clone()),
        (Payload::Property(p), "fset") => Some(p.borrow()[1].clone()),
        (Payload::Property(p), "fdel") => Some(p.borrow()[2].clone()),
        (Payload::Property(p), "__doc__") => {
            let (doc, f) = (p.borrow()[3].clone(), p.borrow()[0].clone());
            if !doc.is_none() || f.is_none() {
                Some(doc)
            } else {
                let n = vm.names.__doc__.clone();
                vm.get_attr_opt(&f, &n)?
            }
        }
        (Payload::StaticMethod(f) | Payload::ClassMethod(f), "__func__") => Some(f.clone()),
        (
            Payload::StaticMethod(f) | Payload::ClassMethod(f),
            "__name__" | "__doc__" | "__qualname__",
        ) => {
            let f = f.clone();
            let n = vm.intern(name);
            return vm.get_attr_opt(&f, &n);
        }
        (Payload::Super(s), _) => {
            let s = (**s).clone();
            return super_getattr(vm, &s, name);
        }
        (Payload::Exception(_), _) => return super::exceptions::exception_attr(vm, o, name),
        (Payload::Generator(_), _) => return super::generator::generator_attr(vm, o, name),
        (Payload::Slice(s), "start") => Some(s[0].clone()),
        (Payload::Slice(s), "stop") => Some(s[1].clone()),
        (Payload::Slice(s), "step") => Some(s[2].clone()),
        (Payload::Range(r), "start") => Some(Value::Int(r[0])),
        (Payload::Range(r), "stop") => Some(Value::Int(r[1])),
        (Payload::Range(r), "step") => Some(Value::Int(r[2])),
        (Payload::BigRange(r), "start" | "stop" | "step") => {
            let i = ["start", "stop", "step"].iter().position(|n| *n == name);
            Some(crate::num::int_value(vm, r[i.unwrap_or(0)].clone()))
        }
        _ => return super::int::number_attr(vm, v, name),
    })
}

/// Class attributes not kept in the namespace.
pub(super) fn type_special_attr(vm: &mut Vm, cls: &Obj, name: &str) -> PyResult<Option<Value>> {
    let Some(t) = cls.as_type() else {
        return Ok(None);
    };
    Ok(match name {
        "__name__" => Some(Value::Str(t.name.borrow().clone())),
        "__qualname__" => Some(Value::Str(t.qualname.borrow().clone())),
        "__mro__" => Some(
            vm.new_tuple(
                t.mro
                    .borrow()
                    .iter()
                    .map(|c| Value::Obj(c.clone()))
                    .collect(),
            ),
        ),
        "__bases__" => Some(
            vm.new_tuple(
                t.bases
                    .borrow()
                    .iter()
                    .map(|c| Value::Obj(c.clone()))
                    .collect(),
            ),
        ),
        "__base__" => Some(
            t.bases
                .borrow()
                .first()
                .map(|c| Value::Obj(c.clone()))
                .unwrap_or(Value::None),
        ),
        "__dict__" => {
            let mut d = t.ns.borrow().clone();
            let after = t.getsets_after.borrow().clone();
            if let Some(after) = after {
                let getsets = super::getset::class_entries(vm, cls);
                if !getsets.is_empty() {
                    d = with_getsets(d, &after, getsets);
                }
            }
            Some(Value::Obj(vm.new_dict(d)))
        }
        "__class__" => Some(Value::Obj(
            cls.class_raw()
                .cloned()
                .unwrap_or_else(|| vm.types.type_.clone()),
        )),
        "__module__" => Some(Value::Str(vm.intern("builtins"))),
        "__doc__" => Some(Value::None),
        "__weakref__" if t.mro.borrow().iter().any(|c| adds_slot(c, "__weakref__")) => {
            Some(weakref_descriptor(vm))
        }
        _ => None,
    })
}

/// Namespace `ns` with `getsets` inserted after key `after` (at the end once that key is
/// gone).
fn with_getsets(ns: Dict, after: &Str, getsets: Vec<(Rc<Str>, Value)>) -> Dict {
    let mut out = Dict::with_capacity(ns.len() + getsets.len());
    let mut getsets = Some(getsets);
    for e in ns.iter() {
        out.push(e.hash, e.key.clone(), e.value.clone());
        if e.key.as_str().is_some_and(|k| k.as_str() == after.as_str()) {
            for (k, v) in getsets.take().unwrap_or_default() {
                out.set_str(k, v);
            }
        }
    }
    for (k, v) in getsets.unwrap_or_default() {
        out.set_str(k, v);
    }
    out
}

/// `obj.__weakref__` for an instance of a class with the `__weakref__` slot: the first weak
/// reference to `obj` (CPython's list head), else `None`; `None` (no answer) for other
/// objects.
pub fn weakref_slot(vm: &Vm, obj: &Value) -> Option<Value> {
    let cls = vm.class_of(obj);
    let t = cls.as_type()?;
    if !t.mro.borrow().iter().any(|c| adds_slot(c, "__weakref__")) {
        return None;
    }
    let Value::Obj(o) = obj else { return None };
    Some(
        crate::weakref::refs_of(o)
            .into_iter()
            .next()
            .map_or(Value::None, Value::Obj),
    )
}

/// `C.__weakref__`: a descriptor reading [`weakref_slot`] (a `property`, where CPython has a
/// `getset_descriptor`).
fn weakref_descriptor(vm: &mut Vm) -> Value {
    let doc = Value::str("__weakref__");
    super::readonly_property(vm, "__weakref__", "object", weakref_get, doc)
}

fn weakref_get(vm: &mut Vm, a: Args) -> PyResult {
    match a.pos.first() {
        Some(obj) => Ok(weakref_slot(vm, obj).unwrap_or(Value::None)),
        None => Err(vm.new_type_error("__weakref__ needs an object")),
    }
}

/// A tuple of the names `names` (a code object's `co_varnames`, `co_names`, ...).
fn str_tuple(vm: &mut Vm, names: &[Rc<Str>]) -> Value {
    vm.new_tuple(names.iter().map(|s| Value::Str(s.clone())).collect())
}

/// `NoneType()`: the `None` singleton, as CPython's `none_new`.
fn none_new(vm: &mut Vm, a: Args) -> PyResult {
    if a.pos.len() > 1 || !a.kw.is_empty() {
        return Err(vm.new_type_error("NoneType takes no arguments"));
    }
    Ok(Value::None)
}

fn none_bool(_vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::bool(false))
}
