//! `types`: the names of the built-in types, `SimpleNamespace`, `MappingProxyType`,
//! `GenericAlias` (what `list[int]` makes), `coroutine` and `new_class`, in `lib/types.aio`.
//! The one native, `_iterable_coroutine`, marks a generator function's generators as
//! awaitable ([`aio_vm::Vm::iterable_coroutine`]).

use aio_vm::module::ModuleBuilder;
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};

/// Initialises `types`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    ModuleBuilder::new(vm, m).function("_iterable_coroutine", iterable_coroutine);
    crate::source::run(vm, m, &[("lib/types.aio", include_str!("lib/types.aio"))])
}

/// `_iterable_coroutine(func)`: for a generator function, the same function whose
/// generators `await` accepts; `None` for anything else.
fn iterable_coroutine(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_iterable_coroutine", 1, 1)?;
    Ok(vm.iterable_coroutine(&a.pos[0]).unwrap_or(Value::None))
}
