//! `logging`, `logging.handlers` and `logging.config`: CPython 3.11's `Lib/logging/` in aio
//! (`logging.aio`, `handlers.aio`, `config.aio`; each file's header says what differs). The
//! one native is `_frame`: where a running frame is, what CPython's `findCaller` reads by
//! walking `sys._getframe(1).f_back`, without making a snapshot of every frame.

use aio_vm::builtins::module_native;
use aio_vm::native::{Args, NativeImpl};
use aio_vm::{Obj, PyResult, Value, Vm};

/// Initialises `logging`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("a module has globals");
    let f = module_native(vm, "logging", "_frame", NativeImpl::Fn(frame));
    vm.dict_set_str(&g, "_frame", f);
    crate::source::run(
        vm,
        m,
        &[("logging/logging.aio", include_str!("logging.aio"))],
    )
}

/// Initialises `logging.handlers`.
pub fn init_handlers(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::source::run(
        vm,
        m,
        &[("logging/handlers.aio", include_str!("handlers.aio"))],
    )
}

/// Initialises `logging.config`.
pub fn init_config(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::source::run(vm, m, &[("logging/config.aio", include_str!("config.aio"))])
}

/// `_frame(depth)`: `(filename, lineno, funcname)` of the frame `depth` levels out from the
/// one calling `_frame` (0: that frame itself), or `None` past the outermost frame.
fn frame(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_frame", 1, 1)?;
    let depth = aio_vm::module::to_index_i64(vm, &a.pos[0])?;
    let Some((code, line)) = usize::try_from(depth).ok().and_then(|d| vm.caller_code(d)) else {
        return Ok(Value::None);
    };
    Ok(vm.new_tuple(vec![
        code.source.name_value(),
        Value::Int(i64::from(line)),
        Value::Str(code.name.clone()),
    ]))
}
