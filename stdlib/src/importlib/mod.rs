//! `importlib`, `importlib.machinery` and `importlib.util`: CPython 3.11's Python-level
//! importlib over aio's import system (`importlib.aio`, `machinery.aio`, `util.aio`; each
//! file's header says what differs). The one native is `importlib.machinery._find_location`,
//! which asks the VM where `import name` would find a module without importing it.

use aio_vm::builtins::module_native;
use aio_vm::import::ModuleLocation;
use aio_vm::native::{Args, NativeImpl};
use aio_vm::{Obj, PyResult, Value, Vm};

/// Initialises `importlib`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::source::run(
        vm,
        m,
        &[("importlib/__init__.aio", include_str!("importlib.aio"))],
    )
}

/// Initialises `importlib.machinery`.
pub fn init_machinery(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("a module has globals");
    let f = module_native(
        vm,
        "importlib.machinery",
        "_find_location",
        NativeImpl::Fn(find_location),
    );
    vm.dict_set_str(&g, "_find_location", f);
    crate::source::run(
        vm,
        m,
        &[("importlib/machinery.aio", include_str!("machinery.aio"))],
    )
}

/// Initialises `importlib.util`.
pub fn init_util(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::source::run(vm, m, &[("importlib/util.aio", include_str!("util.aio"))])
}

/// `_find_location(name)`: `None` when `import name` would find nothing, `'built-in'`
/// for a registered module, else `(file, package_folder_or_None)` with absolute paths.
fn find_location(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_find_location", 1, 1)?;
    let Some(name) = a.pos[0].as_str().cloned() else {
        return Err(vm.new_type_error("module name must be str"));
    };
    Ok(match vm.find_module_location(name.as_str()) {
        None => Value::None,
        Some(ModuleLocation::Builtin) => Value::str("built-in"),
        Some(ModuleLocation::Source { file, package_dir }) => {
            let file = Value::str(file.display().to_string());
            let package = package_dir.map_or(Value::None, |d| Value::str(d.display().to_string()));
            vm.new_tuple(vec![file, package])
        }
    })
}
