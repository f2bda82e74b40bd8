//! `warnings`: CPython's `Lib/warnings.py` in aio (`warnings.aio`: filters, the registries,
//! `catch_warnings`, the default filters of a release build), with the behaviour of the C
//! `_warnings` accelerator CPython 3.11 runs (filters whose module is a plain string match
//! it exactly, `stacklevel` below 1 means the caller). The one native is `_caller`: where
//! the code that called `warn` runs, what CPython reads with `sys._getframe`.

use aio_vm::builtins::module_native;
use aio_vm::native::{Args, NativeImpl};
use aio_vm::{Obj, PyResult, Value, Vm};

const SOURCE: crate::source::Source = ("warnings/warnings.aio", include_str!("warnings.aio"));

/// Initialises `warnings`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    // `warn` and `warn_explicit` are C in CPython: a warning turned into an error is
    // raised at the caller's line, without frames of this module.
    vm.hidden_sources.insert(SOURCE.0.to_string());
    let g = vm.module_globals(m).expect("a module has globals");
    let f = module_native(vm, "warnings", "_caller", NativeImpl::Fn(caller));
    vm.dict_set_str(&g, "_caller", f);
    crate::source::run(vm, m, &[SOURCE])
}

/// `_caller(depth)`: `(filename, lineno, globals, line)` of the frame `depth` levels out
/// from the one calling `_caller` (1: its caller), or `None` past the outermost frame.
fn caller(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_caller", 1, 1)?;
    let depth = aio_vm::module::to_index_i64(vm, &a.pos[0])?;
    let Some((summary, globals)) = usize::try_from(depth).ok().and_then(|d| vm.caller_frame(d))
    else {
        return Ok(Value::None);
    };
    Ok(vm.new_tuple(vec![
        Value::str(summary.file),
        Value::Int(i64::from(summary.line)),
        Value::Obj(globals),
        Value::str(summary.text),
    ]))
}
