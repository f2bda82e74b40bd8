//! `unittest`: CPython 3.11's `Lib/unittest/` in aio, one source file per submodule
//! (`case`, `suite`, `loader`, `result`, `runner`, `main`, `util`, `signals`, `async_case`
//! `_log` and `mock`; each file's header says what differs).

use aio_vm::{Obj, PyResult, Value, Vm};

/// Declares `pub fn $name(vm, m)`, the initialiser of submodule `unittest.$file`.
macro_rules! submodule {
    ($name:ident, $file:literal) => {
        #[doc = concat!("Initialises `unittest.", $file, "`.")]
        pub fn $name(vm: &mut Vm, m: &Obj) -> PyResult<()> {
            crate::source::run(
                vm,
                m,
                &[(
                    concat!("unittest/", $file, ".aio"),
                    include_str!(concat!($file, ".aio")),
                )],
            )
        }
    };
}

/// The submodules, under their full names, with their initialisers.
pub const SUBMODULES: &[(&str, aio_vm::vm::ModuleInit)] = &[
    ("unittest.async_case", async_case),
    ("unittest.case", case),
    ("unittest.loader", loader),
    ("unittest.main", main),
    ("unittest.mock", mock),
    ("unittest.result", result),
    ("unittest.runner", runner),
    ("unittest.signals", signals),
    ("unittest.suite", suite),
    ("unittest.util", util),
    ("unittest._log", log),
];

/// Initialises `unittest`, the package: its relative imports (`from .case import ...`)
/// resolve against `__package__`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("a module has globals");
    vm.dict_set_str(&g, "__package__", Value::str("unittest"));
    crate::source::run(
        vm,
        m,
        &[("unittest/__init__.aio", include_str!("unittest.aio"))],
    )
}

submodule!(async_case, "async_case");
submodule!(case, "case");
submodule!(loader, "loader");
submodule!(main, "main");
submodule!(mock, "mock");
submodule!(result, "result");
submodule!(runner, "runner");
submodule!(signals, "signals");
submodule!(suite, "suite");
submodule!(util, "util");
submodule!(log, "_log");
