//! aio's standard library: native modules built with the same module builder a host
//! application uses ([`aio_vm::module`]), and `asyncio`, written in aio on native natives.
//!
//! [`install`] registers every module with a VM; each is initialised on first import.

pub mod asyncio;
pub mod math;
pub mod random;
pub mod time;

use aio_vm::Vm;

/// Registers every standard-library module (`asyncio`, `math`, `random`, `time`) with `vm`.
pub fn install(vm: &mut Vm) {
    asyncio::install(vm);
    vm.register_module("math", math::init);
    vm.register_module("random", random::init);
    vm.register_module("time", time::init);
}
