//! The `__future__` module: CPython's `Lib/__future__.py` (`future.aio`), with its `_Feature`
//! records and compiler flags (`codeop` reads them). Every feature it names is already on in
//! aio (it follows CPython 3.11), except `annotations`, which the compiler honours by keeping
//! annotations as source strings.

use crate::value::Obj;
use crate::vm::{PyResult, Vm};

/// The module's source: CPython's `Lib/__future__.py`.
pub const FUTURE_AIO: &str = include_str!("future.aio");

/// The feature names, in CPython's order (`__future__.all_feature_names`).
pub const FEATURES: [&str; 10] = [
    "nested_scopes",
    "generators",
    "division",
    "absolute_import",
    "with_statement",
    "print_function",
    "unicode_literals",
    "barry_as_FLUFL",
    "generator_stop",
    "annotations",
];

pub(super) fn install(vm: &mut Vm) {
    vm.register_module("__future__", init);
}

fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("globals");
    vm.exec_source_in(FUTURE_AIO, "__future__.aio", &g)
        .map(drop)
}
