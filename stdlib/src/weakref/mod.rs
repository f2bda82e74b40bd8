//! `weakref`: weak references (CPython's `_weakref` in Rust over the VM's mechanism,
//! `aio_vm::weakref`), and `weakref.aio` and `weakrefset.aio`, CPython 3.11's
//! `Lib/weakref.py` and `Lib/_weakrefset.py` (the dictionaries, `WeakSet`, `WeakMethod`,
//! `finalize`) on top of them.
//!
//! `reference.rs` is `weakref.ref` (`ReferenceType`), `proxy.rs` the proxy types; the
//! proxies' operators are forwarded in `weakref.aio`.

mod proxy;
mod reference;

use aio_vm::module::ModuleBuilder;
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};

/// Initialises `weakref`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let mut b = ModuleBuilder::new(vm, m);
    b.functions_module("_weakref")
        .function("getweakrefcount", getweakrefcount)
        .function("getweakrefs", getweakrefs);
    let ref_cls = reference::define(&mut b);
    b.set("ref", Value::Obj(ref_cls));
    proxy::define(&mut b);
    let reference_error = Value::Obj(b.vm().exc.reference_error.clone());
    b.set("ReferenceError", reference_error);
    // The proxies' forwarded operators stand for C slots: tracebacks leave them out.
    vm.hidden_sources
        .insert("weakref/weakref.aio::method".to_string());
    crate::source::run(
        vm,
        m,
        &[
            ("weakref/weakrefset.aio", include_str!("weakrefset.aio")),
            ("weakref/weakref.aio", include_str!("weakref.aio")),
        ],
    )
}

/// The one object argument of `getweakrefcount` and `getweakrefs`.
fn object_arg<'a>(vm: &mut Vm, a: &Args<'a>, name: &str) -> PyResult<&'a Value> {
    a.no_kwargs(vm, name)?;
    a.check_count(vm, name, 1, 1)?;
    Ok(&a.pos[0])
}

/// `getweakrefcount(object)`: how many weak references and proxies refer to `object`.
fn getweakrefcount(vm: &mut Vm, a: Args) -> PyResult {
    let n = match object_arg(vm, &a, "_weakref.getweakrefcount")? {
        Value::Obj(o) => aio_vm::weakref::refs_of(o).len(),
        _ => 0,
    };
    Ok(Value::Int(n as i64))
}

/// `getweakrefs(object)`: the weak references and proxies to `object`, in CPython's order.
fn getweakrefs(vm: &mut Vm, a: Args) -> PyResult {
    let refs = match object_arg(vm, &a, "_weakref.getweakrefs")? {
        Value::Obj(o) => aio_vm::weakref::refs_of(o),
        _ => Vec::new(),
    };
    Ok(vm.new_list(refs.into_iter().map(Value::Obj).collect()))
}

/// CPython's `cannot create weak reference to 'int' object` for objects that cannot be
/// weakly referenced; the object itself otherwise.
fn referent_arg<'a>(vm: &mut Vm, v: &'a Value) -> PyResult<&'a Obj> {
    match v {
        Value::Obj(o) if aio_vm::weakref::can_weakref(v) => Ok(o),
        _ => Err(vm.new_type_error(format!(
            "cannot create weak reference to '{}' object",
            vm.type_name(v)
        ))),
    }
}
