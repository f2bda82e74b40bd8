//! aio's standard library: native modules built with the same module builder a host
//! application uses ([`aio_vm::module`]).
//!
//! [`install`] registers every module with a VM; each is initialised on first import.

pub mod math;
pub mod random;
pub mod time;

use aio_vm::Vm;

/// Registers every standard-library module (`math`, `random`, `time`) with `vm`.
pub fn install(vm: &mut Vm) {
    vm.register_module("math", math::init);
    vm.register_module("random", random::init);
    vm.register_module("time", time::init);
}
