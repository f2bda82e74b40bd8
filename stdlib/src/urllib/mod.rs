//! `urllib` and `urllib.parse`: CPython 3.11's `Lib/urllib/parse.py` in aio (`parse.aio`; its
//! header says what differs). The one native is `_nfkc`, the NFKC normalisation that
//! CPython's `urlsplit` takes from `unicodedata` to refuse a netloc whose characters
//! expand to URL delimiters (aio has no `unicodedata`).

use aio_vm::builtins::module_native;
use aio_vm::native::{Args, NativeImpl};
use aio_vm::{Obj, PyResult, Value, Vm};

/// Initialises `urllib`, the package that holds `urllib.parse` (empty, as CPython's).
pub fn init(_vm: &mut Vm, _m: &Obj) -> PyResult<()> {
    Ok(())
}

/// Initialises `urllib.parse`.
pub fn init_parse(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("a module has globals");
    let f = module_native(vm, "urllib.parse", "_nfkc", NativeImpl::Fn(nfkc));
    vm.dict_set_str(&g, "_nfkc", f);
    crate::source::run(vm, m, &[("urllib/parse.aio", include_str!("parse.aio"))])
}

/// `_nfkc(s)`: `unicodedata.normalize('NFKC', s)`.
fn nfkc(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_nfkc", 1, 1)?;
    match a.pos[0].as_str() {
        Some(s) => Ok(Value::str(aio_lexer::literal::decode_name(s.as_str()))),
        None => {
            let msg = format!(
                "normalize() argument 2 must be str, not {}",
                vm.type_name(&a.pos[0])
            );
            Err(vm.new_type_error(msg))
        }
    }
}
