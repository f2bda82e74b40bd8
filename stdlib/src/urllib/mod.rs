//! `urllib` and `urllib.parse`: CPython 3.11's `Lib/urllib/parse.py` in aio (`parse.aio`; its
//! header says what differs).

use aio_vm::{Obj, PyResult, Vm};

/// Initialises `urllib`, the package that holds `urllib.parse` (empty, as CPython's).
pub fn init(_vm: &mut Vm, _m: &Obj) -> PyResult<()> {
    Ok(())
}

/// Initialises `urllib.parse`.
pub fn init_parse(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::source::run(vm, m, &[("urllib/parse.aio", include_str!("parse.aio"))])
}
