//! `tomllib`: CPython 3.11's `Lib/tomllib/` package in aio, unchanged, one source file per
//! submodule (`_parser`, `_re`, `_types`), so `TOMLDecodeError` messages, with their line
//! and column, are CPython's.

use aio_vm::{Obj, PyResult, Value, Vm};

/// The submodules, under their full names, with their initialisers.
pub const SUBMODULES: &[(&str, aio_vm::vm::ModuleInit)] = &[
    ("tomllib._parser", parser),
    ("tomllib._re", re),
    ("tomllib._types", types),
];

/// Initialises `tomllib`, the package: its relative imports (`from ._parser import ...`)
/// resolve against `__package__`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("a module has globals");
    vm.dict_set_str(&g, "__package__", Value::str("tomllib"));
    crate::source::run(
        vm,
        m,
        &[("tomllib/__init__.aio", include_str!("tomllib.aio"))],
    )
}

/// Initialises `tomllib._parser`.
pub fn parser(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::source::run(
        vm,
        m,
        &[("tomllib/_parser.aio", include_str!("_parser.aio"))],
    )
}

/// Initialises `tomllib._re`.
pub fn re(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::source::run(vm, m, &[("tomllib/_re.aio", include_str!("_re.aio"))])
}

/// Initialises `tomllib._types`.
pub fn types(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::source::run(vm, m, &[("tomllib/_types.aio", include_str!("_types.aio"))])
}
