//! `weakref.ref` (`weakref.ReferenceType`): calling a reference returns its referent or
//! `None`; references compare and hash as their referents (CPython's `weakref_richcompare`
//! and `weakref_hash`), and the class can be subclassed.

use super::referent_arg;
use aio_vm::code::CmpOp;
use aio_vm::module::ModuleBuilder;
use aio_vm::native::Args;
use aio_vm::weakref::{find_basic, weakref_of, WeakKind, WeakRef};
use aio_vm::{Obj, PyResult, Value, Vm};
use std::rc::Rc;

/// Adds `ReferenceType` to the module being built; returns it.
pub(super) fn define(b: &mut ModuleBuilder) -> Obj {
    let mut c = b.class("ReferenceType");
    c.constructor(new)
        .method("__init__", init)
        .method("__call__", call)
        .method("__hash__", hash)
        .method("__eq__", eq)
        .method("__ne__", ne)
        .method("__repr__", repr)
        .method("_callback", callback);
    no_slots(&mut c);
    c.finish()
}

/// Declares `__slots__ = ()`: references have no `__dict__` and cannot be weakly referenced
/// themselves; subclasses without `__slots__` get both, as in CPython.
pub(super) fn no_slots(c: &mut aio_vm::module::ClassBuilder) {
    let empty = c.vm().new_tuple(Vec::new());
    c.attr("__slots__", empty);
}

/// The reference `self`, or CPython's descriptor error.
fn this<'a>(vm: &mut Vm, v: &'a Value) -> PyResult<&'a WeakRef> {
    weakref_of(v).ok_or_else(|| {
        vm.new_type_error(format!(
            "descriptor requires a 'weakref.ReferenceType' object but received a '{}'",
            vm.type_name(v)
        ))
    })
}

/// Whether `cls` is `ReferenceType` itself rather than a subclass (its one base is
/// `object`).
fn is_exact(vm: &Vm, cls: &Obj) -> bool {
    cls.as_type().is_some_and(|t| {
        let bases = t.bases.borrow();
        bases.len() == 1 && Rc::ptr_eq(&bases[0], &vm.types.object)
    })
}

/// `ref.__new__(cls, object, callback=None)`: the shared reference when there is no
/// callback and `cls` is `ref` itself, a new one otherwise.
fn new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = a.pos[0]
        .as_obj()
        .cloned()
        .ok_or_else(|| vm.new_type_error("ref.__new__(X): X is not a type object"))?;
    let exact = is_exact(vm, &cls);
    if exact {
        a.no_kwargs(vm, "ref")?;
    }
    Args::new(&a.pos[1..]).check_count(vm, "__new__", 1, 2)?;
    let target = referent_arg(vm, &a.pos[1])?.clone();
    let callback = a.pos.get(2).cloned().unwrap_or(Value::None);
    let basic = exact && callback.is_none();
    if basic {
        if let Some(shared) = find_basic(&target, WeakKind::Ref) {
            return Ok(Value::Obj(shared));
        }
    }
    Ok(vm.new_weakref(&cls, &target, callback, WeakKind::Ref, basic))
}

/// `ref.__init__(self, object, callback=None)`: checks the arguments only (`__new__` did
/// the work), so subclasses may call it.
fn init(vm: &mut Vm, a: Args) -> PyResult {
    Args::new(&a.pos[1..]).check_count(vm, "__init__", 1, 2)?;
    Ok(Value::None)
}

/// `ref()`: the referent, or `None` once it died.
fn call(vm: &mut Vm, a: Args) -> PyResult {
    let r = this(vm, &a.pos[0])?;
    a.no_kwargs(vm, "weakref")?;
    if a.pos.len() > 1 {
        let n = a.pos.len() - 1;
        return Err(vm.new_type_error(format!("weakref expected 0 arguments, got {n}")));
    }
    Ok(r.referent().map(Value::Obj).unwrap_or(Value::None))
}

/// `hash(ref)`: the referent's hash, kept once computed; `TypeError` if the referent died
/// before it was ever asked for.
fn hash(vm: &mut Vm, a: Args) -> PyResult {
    let r = this(vm, &a.pos[0])?;
    if let Some(h) = r.hash.get() {
        return Ok(Value::Int(h));
    }
    let Some(target) = r.referent() else {
        return Err(vm.new_type_error("weak object has gone away"));
    };
    let h = vm.hash(&Value::Obj(target))?;
    r.hash.set(Some(h));
    Ok(Value::Int(h))
}

/// `==` and `!=`: live references compare their referents; a dead one is equal only to
/// itself. Anything but two references is `NotImplemented`.
fn compare(vm: &mut Vm, a: &Args, op: CmpOp) -> PyResult {
    let (x, y) = (&a.pos[0], a.pos.get(1).unwrap_or(&Value::None));
    let (Some(rx), Some(ry)) = (weakref_of(x), weakref_of(y)) else {
        return Ok(vm.not_implemented.clone());
    };
    match (rx.referent(), ry.referent()) {
        (Some(tx), Some(ty)) => vm.compare(&Value::Obj(tx), &Value::Obj(ty), op),
        _ => Ok(Value::bool(x.is(y) == (op == CmpOp::Eq))),
    }
}

fn eq(vm: &mut Vm, a: Args) -> PyResult {
    compare(vm, &a, CmpOp::Eq)
}

fn ne(vm: &mut Vm, a: Args) -> PyResult {
    compare(vm, &a, CmpOp::Ne)
}

/// `<weakref at 0x...; to 'Foo' at 0x...>` (with ` (name)` when the referent has a string
/// `__name__`), or `<weakref at 0x...; dead>`.
fn repr(vm: &mut Vm, a: Args) -> PyResult {
    let wr = &a.pos[0];
    let r = this(vm, wr)?;
    let Some(target) = r.referent() else {
        return Ok(Value::str(format!("<weakref at {:#x}; dead>", wr.id())));
    };
    let target = Value::Obj(target);
    let head = format!(
        "<weakref at {:#x}; to '{}' at {:#x}",
        wr.id(),
        vm.type_name(&target),
        target.id()
    );
    let name = vm.intern("__name__");
    let text = match vm.get_attr_opt(&target, &name)? {
        Some(Value::Str(n)) => format!("{head} ({})>", n.as_str()),
        _ => format!("{head}>"),
    };
    Ok(Value::str(text))
}

/// The callback (`None` when there is none or it was called): what the `__callback__`
/// property of `weakref.aio` reads.
fn callback(vm: &mut Vm, a: Args) -> PyResult {
    Ok(this(vm, &a.pos[0])?.callback())
}
