//! `weakref.proxy` and its types `ProxyType` and `CallableProxyType`: a proxy stands for
//! its referent (attribute access, assignment and deletion, calls here; the operators in
//! `weakref.aio`) and raises `ReferenceError` once the referent died.

use super::referent_arg;
use aio_vm::builtins::{is_callable, module_native};
use aio_vm::module::ModuleBuilder;
use aio_vm::native::{Args, NativeImpl};
use aio_vm::weakref::{find_basic, weakref_of, WeakKind};
use aio_vm::{Obj, PyResult, Value, Vm};
use std::rc::Rc;

/// Adds `ProxyType`, `CallableProxyType`, `proxy` and `_unwrap` to the module being built.
pub(super) fn define(b: &mut ModuleBuilder) {
    let plain = proxy_class(b, "ProxyType");
    let callable = proxy_class(b, "CallableProxyType");
    aio_vm::module::ClassBuilder::new(b.vm(), &callable).method("__call__", call);
    let f = module_native(
        b.vm(),
        "_weakref",
        "proxy",
        NativeImpl::Closure(Rc::new(move |vm, a| new(vm, a, &plain, &callable))),
    );
    b.set("proxy", f);
    b.functions_module("_weakref").function("_unwrap", unwrap);
}

fn proxy_class(b: &mut ModuleBuilder, name: &str) -> Obj {
    let mut c = b.class(name);
    aio_vm::types::set_c_type_name(c.class(), &format!("weakref.{name}"));
    c.method("__getattribute__", getattribute)
        .method("__setattr__", setattr)
        .method("__delattr__", delattr)
        .method("__repr__", repr)
        .attr("__hash__", Value::None);
    super::reference::no_slots(&mut c);
    c.finish()
}

/// `proxy(object, callback=None)`: the shared proxy when there is no callback, a new one
/// otherwise; callable objects get a `CallableProxyType`.
fn new(vm: &mut Vm, a: Args, plain: &Obj, callable: &Obj) -> PyResult {
    a.no_kwargs(vm, "_weakref.proxy")?;
    a.check_count(vm, "proxy", 1, 2)?;
    let target = referent_arg(vm, &a.pos[0])?.clone();
    let callback = a.pos.get(1).cloned().unwrap_or(Value::None);
    let (cls, kind) = if is_callable(vm, &a.pos[0]) {
        (callable, WeakKind::CallableProxy)
    } else {
        (plain, WeakKind::Proxy)
    };
    let basic = callback.is_none();
    if basic {
        if let Some(shared) = find_basic(&target, kind) {
            return Ok(Value::Obj(shared));
        }
    }
    Ok(vm.new_weakref(cls, &target, callback, kind, basic))
}

/// The referent of a proxy (`ReferenceError` once dead); any other value as it is
/// (CPython's `UNWRAP`).
fn referent(vm: &mut Vm, v: &Value) -> PyResult {
    match weakref_of(v) {
        Some(r) if r.kind() != WeakKind::Ref => match r.referent() {
            Some(o) => Ok(Value::Obj(o)),
            None => Err(vm.new_exception_msg(
                &vm.exc.reference_error.clone(),
                "weakly-referenced object no longer exists",
            )),
        },
        _ => Ok(v.clone()),
    }
}

/// `_unwrap(x)`: [`referent`] for the operators of `weakref.aio`.
fn unwrap(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_unwrap", 1, 1)?;
    referent(vm, &a.pos[0])
}

/// The attribute name argument, a string as `getattr` requires.
fn name_arg(vm: &mut Vm, v: &Value) -> PyResult<Rc<aio_vm::str::Str>> {
    v.as_str().cloned().ok_or_else(|| {
        vm.new_type_error(format!(
            "attribute name must be string, not '{}'",
            vm.type_name(v)
        ))
    })
}

fn getattribute(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "__getattribute__", 2, 2)?;
    let target = referent(vm, &a.pos[0])?;
    let name = name_arg(vm, &a.pos[1])?;
    vm.get_attr(&target, &name)
}

fn setattr(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "__setattr__", 3, 3)?;
    let target = referent(vm, &a.pos[0])?;
    let name = name_arg(vm, &a.pos[1])?;
    vm.set_attr(&target, &name, a.pos[2].clone())?;
    Ok(Value::None)
}

fn delattr(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "__delattr__", 2, 2)?;
    let target = referent(vm, &a.pos[0])?;
    let name = name_arg(vm, &a.pos[1])?;
    vm.del_attr(&target, &name)?;
    Ok(Value::None)
}

/// Calls the referent with the same arguments.
fn call(vm: &mut Vm, a: Args) -> PyResult {
    let target = referent(vm, &a.pos[0])?;
    vm.call(&target, &a.pos[1..], a.kw)
}

/// `<weakproxy at 0x... to Foo at 0x...>` (CPython names `NoneType` once the referent
/// died).
fn repr(vm: &mut Vm, a: Args) -> PyResult {
    let p = &a.pos[0];
    let target = weakref_of(p)
        .and_then(|r| r.referent())
        .map(Value::Obj)
        .unwrap_or(Value::None);
    Ok(Value::str(format!(
        "<weakproxy at {:#x} to {} at {:#x}>",
        p.id(),
        vm.type_name(&target),
        target.id()
    )))
}
