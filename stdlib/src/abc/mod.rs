//! The `abc` module, written in aio (`abc.aio`, after CPython's `_py_abc.py`): `ABCMeta`
//! with `register` and the subclass-hook protocol, `ABC`, `abstractmethod`. Instantiating a
//! class with abstract methods raises CPython's `TypeError` from `object.__new__`, which
//! reads the `__abstractmethods__` that `ABCMeta` sets on each class (as CPython's flag).
//! `ABCMeta.__instancecheck__`, the hot path, is native (`instancecheck.rs`).

mod instancecheck;

use aio_vm::{Obj, PyResult, Vm};

/// Initialises `abc`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("a module has globals");
    let check = instancecheck::native(vm, g.clone());
    vm.dict_set_str(&g, "_c_instancecheck", check);
    crate::source::run(vm, m, &[("abc/abc.aio", include_str!("abc.aio"))])
}
