//! The `os` module (`os.aio` over the natives of [`crate::fs`]) and `os.path`
//! (`path.aio`, CPython's `posixpath`). Registered only where file-system access is allowed.

use aio_vm::{Obj, PyResult, Vm};

/// Initialises `os`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::fs::install_os(vm, m);
    crate::process::install_os(vm, m);
    crate::source::run(vm, m, &[("os/os.aio", include_str!("os.aio"))])
}

/// Initialises `os.path`.
pub fn init_path(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::source::run(vm, m, &[("os/path.aio", include_str!("path.aio"))])
}
