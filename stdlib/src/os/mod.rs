//! The `os` module (`os.aio` over the natives of [`crate::fs`]) and `os.path`
//! (`path.aio`, CPython's `posixpath`). Registered only where file-system access is allowed.

use aio_vm::module::{lookup_special, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};

pub(crate) mod args;
mod consts;
mod fdops;
mod paths;
mod procs;

pub use procs::is_forked_child;

/// Initialises `os`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::fs::install_os(vm, m);
    crate::process::install_os(vm, m);
    fdops::install(vm, m);
    paths::install(vm, m);
    procs::install(vm, m);
    consts::install(vm, m);
    ModuleBuilder::new(vm, m).function("fspath", fspath);
    crate::source::run(
        vm,
        m,
        &[
            ("os/os.aio", include_str!("os.aio")),
            ("os/posix.aio", include_str!("posix.aio")),
        ],
    )
}

/// `os.fspath(path)`: CPython's `PyOS_FSPath`. Native, as in CPython: every `os.path`
/// function calls it first.
fn fspath(vm: &mut Vm, a: Args) -> PyResult {
    let path = match (a.pos, a.kw) {
        ([p], []) => p.clone(),
        _ => {
            let [p] = a.clinic(vm, "fspath", 0, 1, ["path"])?;
            p.expect("a required argument")
        }
    };
    if is_str_or_bytes(&path) {
        return Ok(path);
    }
    let type_name = vm.type_name(&path).to_string();
    // A lookup that fails (a descriptor's `__get__` raising) reads as no `__fspath__`.
    let Ok(Some(func)) = lookup_special(vm, &path, "__fspath__") else {
        return Err(vm.new_type_error(format!(
            "expected str, bytes or os.PathLike object, not {type_name}"
        )));
    };
    let r = vm.call(&func, &[], &[])?;
    if is_str_or_bytes(&r) {
        return Ok(r);
    }
    let got = vm.type_name(&r).to_string();
    Err(vm.new_type_error(format!(
        "expected {type_name}.__fspath__() to return str or bytes, not {got}"
    )))
}

/// Whether `v` is a `str` or `bytes` (subclass instances included).
fn is_str_or_bytes(v: &Value) -> bool {
    match v {
        Value::Str(_) => true,
        Value::Obj(o) => matches!(o.payload, Payload::Str(_) | Payload::Bytes(_)),
        _ => false,
    }
}

/// Initialises `os.path`: named `posixpath`, as CPython's (whose `os.path` is that module),
/// and entered in `sys.modules` under that name too.
pub fn init_path(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("a module has globals");
    vm.dict_set_str(&g, "__name__", aio_vm::Value::str("posixpath"));
    crate::source::run(vm, m, &[("os/path.aio", include_str!("path.aio"))])?;
    vm.exec_source_in(
        "import sys\nsys.modules['posixpath'] = sys.modules['os.path']\ndel sys",
        "os/path.aio",
        &g,
    )
    .map(drop)
}

/// Initialises `posixpath`: `os.path` itself ([`init_path`] enters it under both names).
pub fn init_posixpath(vm: &mut Vm, _m: &Obj) -> PyResult<()> {
    vm.import_module("os.path").map(drop)
}
