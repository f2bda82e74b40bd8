//! aio's standard library: native modules (`math`, `time`, `asyncio`'s Python-visible API,
//! ...) built with the same module builder a host application uses.
//!
//! Empty until the VM exists (issues "asyncio" and "Standard library").
