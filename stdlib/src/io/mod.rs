//! The `io` module (`io.aio`): `open` with buffered binary files (`BufferedReader`,
//! `BufferedWriter`, `BufferedRandom`) and text files (`TextIOWrapper`: UTF-8, Latin-1 and
//! ASCII, universal newlines) over the raw-file natives of [`crate::fs`], and the in-memory
//! `StringIO` and `BytesIO`. The builtin `open` is `io.open`.

use aio_vm::embed::func::native_closure;
use aio_vm::module::to_index_i64;
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::rc::Rc;

mod bytesio;
mod stringio;

const SOURCE: crate::source::Source = ("io/io.aio", include_str!("io.aio"));

/// Initialises `io` with file access.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::fs::install_io(vm, m);
    hide_frames(vm);
    crate::source::run(vm, m, &[SOURCE])?;
    stringio::install(vm, m)?;
    bytesio::install(vm, m)
}

/// CPython's `io` is C code (`_io`): its frames never show in tracebacks, so neither do
/// those of `io.aio` (`open('missing')` reports the caller's line only).
fn hide_frames(vm: &mut Vm) {
    vm.hidden_sources.insert(SOURCE.0.to_string());
}

/// Initialises `io` without file access: `StringIO`, `BytesIO` and the classes, but no
/// `open`.
pub fn init_sandboxed(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    hide_frames(vm);
    crate::source::run(vm, m, &[SOURCE])?;
    stringio::install(vm, m)?;
    bytesio::install(vm, m)?;
    let g = vm.module_globals(m).expect("a module has globals");
    let key = vm.intern("open");
    if let aio_vm::object::Payload::Dict(d) = &g.payload {
        d.borrow_mut().remove_str(&key);
    }
    Ok(())
}

/// Initialises `_io`, CPython's C module under `io`: the same objects as `io`'s public
/// names, so that `pickle` finds the classes whose `__module__` is `_io` (`StringIO`,
/// `BytesIO`, `TextIOWrapper`, ...) and gets the very same class back.
pub fn init_c_module(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let io = vm.import_module("io")?;
    let from = io.as_obj().and_then(|o| vm.module_globals(o));
    let (Some(from), Some(to)) = (from, vm.module_globals(m)) else {
        return Ok(());
    };
    let (aio_vm::object::Payload::Dict(from), aio_vm::object::Payload::Dict(to)) =
        (&from.payload, &to.payload)
    else {
        return Ok(());
    };
    let names: Vec<_> = from
        .borrow()
        .iter()
        .filter_map(|e| Some((e.key.as_str()?.clone(), e.value.clone())))
        .filter(|(k, _)| !k.as_str().starts_with("__"))
        .collect();
    let mut to = to.borrow_mut();
    for (k, v) in names {
        to.set_str(k, v);
    }
    Ok(())
}

/// Adds the builtin `open` (which imports `io` and calls `io.open`).
pub fn install_open(vm: &mut Vm) {
    let f = Rc::new(|vm: &mut Vm, a: Args<'_>| -> PyResult {
        let io = vm.import_module("io")?;
        let open = aio_vm::module::getattr(vm, &io, "open")?;
        vm.call(&open, a.pos, a.kw)
    });
    let open = native_closure(vm, "open", None, f);
    let b = vm.builtins.clone();
    vm.dict_set_str(&b, "open", open);
}

/// Removes the builtin `open`.
pub fn remove_open(vm: &mut Vm) {
    let key = vm.intern("open");
    if let aio_vm::object::Payload::Dict(d) = &vm.builtins.payload {
        d.borrow_mut().remove_str(&key);
    }
}

/// The class `name` that `io.aio` defined in `m`, whose methods a native buffer replaces.
fn memory_class(vm: &mut Vm, m: &Obj, name: &str) -> PyResult<Obj> {
    match aio_vm::module::getattr(vm, &aio_vm::Value::Obj(m.clone()), name)? {
        aio_vm::Value::Obj(c) => Ok(c),
        _ => Err(vm.new_type_error(format!("io.{name} is not a class"))),
    }
}

/// `__new__` of a native in-memory stream class: an instance of the class (argument 0)
/// with a fresh `T`.
fn new_memory<T: Default + 'static>(vm: &mut Vm, a: &Args, name: &str) -> PyResult {
    let Some(aio_vm::Value::Obj(cls)) = a.pos.first() else {
        return Err(vm.new_type_error(format!("{name}.__new__(X): X is not a type object")));
    };
    Ok(aio_vm::module::new_native_instance(vm, cls, T::default()))
}

/// The `T` state of `self` (argument 0) of a method of `_io.{name}`.
fn memory_state<'a, T: 'static>(
    vm: &mut Vm,
    a: &Args<'a>,
    name: &str,
) -> PyResult<&'a std::cell::RefCell<T>> {
    a.pos
        .first()
        .and_then(aio_vm::module::native_state::<T>)
        .ok_or_else(|| vm.new_type_error(format!("descriptor requires a '_io.{name}' object")))
}

/// A `size` argument of `StringIO`/`BytesIO` reads: a negative size or `None` means no
/// limit; anything but an int or `None` is CPython's `TypeError`.
pub(super) fn optional_size(vm: &mut Vm, v: Option<&Value>) -> PyResult<Option<usize>> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(v @ (Value::Int(_) | Value::Bool(_))) => {
            let n = to_index_i64(vm, v)?;
            Ok(usize::try_from(n).ok())
        }
        Some(v)
            if v.as_obj()
                .is_some_and(|_| vm.isinstance(v, &vm.types.int.clone())) =>
        {
            let n = to_index_i64(vm, v)?;
            Ok(usize::try_from(n).ok())
        }
        Some(v) => Err(vm.new_type_error(format!(
            "argument should be integer or None, not '{}'",
            vm.type_name(v)
        ))),
    }
}
