//! aio's standard library: native modules (`math`, `time`, `asyncio`'s Python-visible API,
//! ...) built with the same module builder a host application uses.

pub mod asyncio;

/// Registers every standard-library module with `vm`.
pub fn install(vm: &mut aio_vm::Vm) {
    asyncio::install(vm);
}
