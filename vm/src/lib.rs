//! aio's virtual machine: symbol tables, the bytecode compiler, heap-allocated frames, the
//! interpreter loop and the embedding API.
//!
//! A [`Vm`] runs source text or files; values are [`Value`]s; errors that reach the host
//! are [`Error`]s rendered in CPython's format. A `Vm` and its values are `!Send`.
//!
//! Where to start: [`Vm`] (creating a VM, running code), [`embed`] (the host API: value
//! conversions, native functions, host types, limits), [`module`] (native modules and
//! classes). The standard library and the sandboxing `VmBuilder` are in `aio-stdlib`.

#![warn(missing_docs)]

pub mod attr;
pub mod builtins;
pub mod call;
pub mod carets;
pub mod code;
pub mod compiler;
pub mod containers;
pub mod dict;
pub mod embed;
pub mod exc;
pub mod finalize;
pub mod format;
pub mod frame;
pub mod frozen;
pub mod gc;
mod gc_inspect;
pub mod gen;
pub mod import;
pub mod interactive;
pub mod intern;
pub mod interp;
pub mod iter;
pub mod main_module;
pub mod marshal;
pub mod matching;
pub mod module;
pub mod native;
pub mod num;
pub mod object;
pub mod ops;
pub mod report;
pub mod set;
pub mod special;
pub mod str;
pub mod suggest;
pub mod table;
pub mod threads;
pub mod types;
pub mod unicode;
pub mod value;
pub mod vm;
pub mod weakref;

pub(crate) use table::hash as hashing;

pub use code::Code;
pub use compiler::Mode;
pub use embed::{FromValue, HostError, InterruptHandle, LimitExceeded, Limits, ToValue};
pub use value::{Obj, Value};
pub use vm::{Error, PyResult, Vm};
