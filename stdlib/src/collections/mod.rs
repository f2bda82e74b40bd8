//! The `collections` package: `deque` (native core in `deque.rs`, completed by
//! `deque.aio`), and in aio `dicts.aio` (`defaultdict`, `OrderedDict` with its reordering
//! methods in `odict.rs`, `Counter`,
//! `ChainMap`), `user.aio` (`UserDict`, `UserList`, `UserString`), `namedtuple.aio`, and
//! `collections.abc` (`abc.aio`, CPython's container ABCs, with the built-in types
//! registered).

pub(crate) mod deque;
mod odict;

use aio_vm::builtins::module_native;
use aio_vm::code::BinOp;
use aio_vm::module::{to_index_i64, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::native::NativeImpl;
use aio_vm::object::{MemberDescr, Payload};
use aio_vm::{Obj, PyResult, Value, Vm};

/// Initialises `collections`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("a module has globals");
    let natives: [(&str, NativeImpl); 2] = [
        ("_caller_module", NativeImpl::Fn(caller_module)),
        ("_count_elements", NativeImpl::Fn(count_elements)),
    ];
    for (name, imp) in natives {
        let f = module_native(vm, "collections", name, imp);
        vm.dict_set_str(&g, name, f);
    }
    deque::install(vm, m);
    ModuleBuilder::new(vm, m)
        .class("_tuplegetter_base")
        .constructor(tuplegetter_new)
        .method("__get__", tuplegetter_get)
        .method("__set__", tuplegetter_set)
        .method("__repr__", tuplegetter_repr)
        .finish();
    crate::source::run(
        vm,
        m,
        &[
            ("collections/deque.aio", include_str!("deque.aio")),
            ("collections/dicts.aio", include_str!("dicts.aio")),
            ("collections/user.aio", include_str!("user.aio")),
            ("collections/namedtuple.aio", include_str!("namedtuple.aio")),
            ("collections/init.aio", include_str!("init.aio")),
        ],
    )?;
    odict::install(vm, m);
    // Messages name the classes CPython implements in C by their `tp_name`.
    for name in ["deque", "OrderedDict", "defaultdict"] {
        let key = vm.intern(name);
        if let Some(Value::Obj(c)) = vm.dict_get_str(&g, &key) {
            aio_vm::types::set_c_type_name(&c, &format!("collections.{name}"));
        }
    }
    Ok(())
}

/// Initialises `collections.abc`.
pub fn init_abc(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::source::run(vm, m, &[("collections/abc.aio", include_str!("abc.aio"))])
}

/// `_caller_module(depth)`: the `__name__` of the module whose code runs `depth` frames
/// below the caller (what CPython's namedtuple reads with `sys._getframe`).
fn caller_module(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_caller_module", 1, 1)?;
    let depth = aio_vm::module::to_index_i64(vm, &a.pos[0])?;
    let name = vm.intern("__name__");
    let found = usize::try_from(depth)
        .ok()
        .and_then(|d| vm.caller_globals(d))
        .and_then(|g| vm.dict_get_str(&g, &name));
    Ok(found.unwrap_or_else(|| Value::str("__main__")))
}

/// `_tuplegetter_base(index, doc)`: the native core of namedtuple's field descriptors
/// (`_tuplegetter` in `namedtuple.aio` adds `_index`, `__doc__` and the repr). The
/// descriptor is the VM's tuple member ([`Vm::new_tuple_member`]), which attribute loads
/// read inline and cache per instruction, as CPython's C `_tuplegetter` is read.
fn tuplegetter_new(vm: &mut Vm, a: Args) -> PyResult {
    let Some(Value::Obj(cls)) = a.pos.first() else {
        return Err(vm.new_type_error("_tuplegetter.__new__(X): X is not a type object"));
    };
    let cls = cls.clone();
    a.check_count(vm, "_tuplegetter", 3, 3)?;
    let index = to_index_i64(vm, &a.pos[1])?;
    let Ok(index) = usize::try_from(index) else {
        return Err(vm.new_index_error("tuple index out of range"));
    };
    Ok(vm.new_tuple_member(&cls, index))
}

/// The field descriptor `a.pos[0]` of a `_tuplegetter` method.
fn tuple_member<'a>(vm: &mut Vm, a: &'a Args, method: &str) -> PyResult<&'a MemberDescr> {
    match a.pos.first().and_then(|v| v.payload()) {
        Some(Payload::Member(m)) if m.tuple => Ok(m),
        _ => Err(vm.new_type_error(format!(
            "descriptor '{method}' requires a '_collections._tuplegetter' object"
        ))),
    }
}

/// `__get__(obj, type=None)`: `obj[index]` (the descriptor itself for `obj` None).
fn tuplegetter_get(vm: &mut Vm, a: Args) -> PyResult {
    let m = tuple_member(vm, &a, "__get__")?;
    let obj = a.pos.get(1).cloned().unwrap_or(Value::None);
    if obj.is_none() {
        return Ok(a.pos[0].clone());
    }
    vm.tuple_member_get(m, &obj)
}

/// `_tuplegetter(index, doc)`, as CPython shows the descriptor.
fn tuplegetter_repr(vm: &mut Vm, a: Args) -> PyResult {
    let index = tuple_member(vm, &a, "__repr__")?.index;
    let name = vm.intern("__doc__");
    let doc = vm.get_attr(&a.pos[0], &name)?;
    let doc = vm.repr(&doc)?;
    Ok(Value::str(format!(
        "_tuplegetter({index}, {})",
        doc.as_str()
    )))
}

/// `__set__(obj, value)`: fields are read-only.
fn tuplegetter_set(vm: &mut Vm, a: Args) -> PyResult {
    tuple_member(vm, &a, "__set__")?;
    Err(vm.new_attribute_error("can't set attribute"))
}

/// `_count_elements(mapping, iterable)`: `mapping[elem] = mapping.get(elem, 0) + 1` for each
/// element, as CPython's C helper for `Counter`: when `mapping` is a dict whose `get` and
/// `__setitem__` are dict's own, the dict is updated directly, without a method call per
/// element.
fn count_elements(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_count_elements", 2, 2)?;
    let mapping = a.pos[0].clone();
    let it = vm.get_iter(&a.pos[1])?;
    let one = Value::Int(1);
    let cls = vm.class_of(&mapping).clone();
    let dict_t = vm.types.dict.clone();
    let (get_name, set_name) = (vm.intern("get"), vm.intern("__setitem__"));
    let same = |vm: &Vm, n: &std::rc::Rc<aio_vm::str::Str>| match (
        vm.lookup(&cls, n),
        vm.lookup(&dict_t, n),
    ) {
        (Some(Value::Obj(x)), Some(Value::Obj(y))) => std::rc::Rc::ptr_eq(&x, &y),
        _ => false,
    };
    let fast = match &mapping {
        Value::Obj(o) if matches!(o.payload, Payload::Dict(_)) => {
            same(vm, &get_name) && same(vm, &set_name)
        }
        _ => false,
    };
    if fast {
        let Value::Obj(d) = &mapping else {
            unreachable!("checked above")
        };
        while let Some(elem) = vm.next(&it)? {
            // One `__hash__` call per element, as CPython's known-hash get and set.
            let hash = vm.hash(&elem)?;
            let new = match vm.dict_lookup_hashed(d, hash, &elem)? {
                None => one.clone(),
                Some(Value::Int(n)) if n < i64::MAX => Value::Int(n + 1),
                Some(old) => vm.binary_op(&old, &one, BinOp::Add)?,
            };
            vm.dict_set_hashed(d, hash, elem, new)?;
        }
        return Ok(Value::None);
    }
    let get = aio_vm::module::getattr(vm, &mapping, "get")?;
    while let Some(elem) = vm.next(&it)? {
        let old = vm.call(&get, &[elem.clone(), Value::Int(0)], &[])?;
        let new = vm.binary_op(&old, &one, BinOp::Add)?;
        vm.setitem(&mapping, elem, new)?;
    }
    Ok(Value::None)
}
