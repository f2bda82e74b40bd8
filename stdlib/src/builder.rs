//! [`VmBuilder`]: a VM with a chosen set of standard-library modules, sandboxed by default.
//!
//! ```
//! use aio_stdlib::VmBuilder;
//! use aio_vm::Limits;
//!
//! let mut vm = VmBuilder::new()
//!     .module("math")
//!     .limits(Limits { steps: Some(1_000_000), ..Limits::default() })
//!     .build();
//! vm.exec("import math\nr = math.sqrt(16)").unwrap();
//! assert_eq!(vm.get_global::<f64>("r").unwrap(), 4.0);
//! let err = vm.exec("import random").unwrap_err().to_string();
//! assert!(err.ends_with("ModuleNotFoundError: No module named 'random'"));
//! ```
//!
//! **Sandbox.** A script reaches outside the process through the file system (the builtin
//! `open`, `io.open`, and the file-system modules `os`, `os.path`, `pathlib`, `glob`,
//! `shutil`, `tempfile`), asyncio's TCP streams (`asyncio.open_connection`,
//! `asyncio.start_server`), and importing `.aio` files from the search path; aio has no
//! `socket` or `subprocess` module. A built VM has:
//!
//! - no file system unless the host calls [`VmBuilder::allow_filesystem`]: `open` is not a
//!   builtin (`NameError: name 'open' is not defined`), `io` has `StringIO` and `BytesIO` but
//!   no `open`, and the file-system modules cannot be imported, whatever modules were chosen
//!   (they are refused as a whole, `os.environ` and `os.getcwd` included);
//! - no network unless the host calls [`VmBuilder::allow_network`]: asyncio's network
//!   functions raise `PermissionError`;
//! - an empty search path (the host adds directories to [`aio_vm::Vm::search_path`]). (`AIOPATH`
//!   is read by the `aio` binary, never by the VM).
//!
//! Modules written in aio import the modules they stand on (`statistics` imports
//! `fractions`, `collections`, `random`, ...): choose those too, or use
//! [`VmBuilder::with_stdlib`].

use aio_vm::embed::func::native_closure;
use aio_vm::native::Args;
use aio_vm::vm::ModuleInitFn;
use aio_vm::{Limits, Obj, PyResult, Vm};
use std::collections::BTreeSet;
use std::rc::Rc;

/// The standard-library modules [`VmBuilder::with_stdlib`] selects.
pub const MODULES: &[&str] = &[
    "abc",
    "array",
    "asyncio",
    "bisect",
    "collections",
    "collections.abc",
    "contextlib",
    "copy",
    "dataclasses",
    "enum",
    "fnmatch",
    "fractions",
    "functools",
    "gc",
    "glob",
    "heapq",
    "io",
    "itertools",
    "json",
    "math",
    "operator",
    "os",
    "os.path",
    "pathlib",
    "random",
    "re",
    "shutil",
    "statistics",
    "string",
    "struct",
    "tempfile",
    "textwrap",
    "time",
    "types",
    "typing",
];

/// The modules that exist only where file-system access is allowed.
const FILESYSTEM_MODULES: &[&str] = &["glob", "os", "os.path", "pathlib", "shutil", "tempfile"];

/// Builds a [`Vm`]: which standard modules scripts may import, whether they may use the
/// file system and the network, and the [`Limits`] of each run.
#[derive(Clone, Debug, Default)]
pub struct VmBuilder {
    modules: BTreeSet<String>,
    network: bool,
    filesystem: bool,
    limits: Limits,
}

impl VmBuilder {
    /// No standard modules, no file system, no network, no limits.
    pub fn new() -> VmBuilder {
        VmBuilder::default()
    }

    /// Every standard module ([`MODULES`]).
    pub fn with_stdlib(mut self) -> VmBuilder {
        self.modules.extend(MODULES.iter().map(|m| m.to_string()));
        self
    }

    /// Adds standard module `name` (ignored if there is no such module).
    pub fn module(mut self, name: &str) -> VmBuilder {
        self.modules.insert(name.to_string());
        self
    }

    /// Removes standard module `name`.
    pub fn without(mut self, name: &str) -> VmBuilder {
        self.modules.remove(name);
        self
    }

    /// Lets asyncio's streams open TCP connections and servers.
    pub fn allow_network(mut self, on: bool) -> VmBuilder {
        self.network = on;
        self
    }

    /// Lets scripts use the file system: the builtin `open`, `io.open`, and the file-system
    /// modules (`os`, `os.path`, `pathlib`, `glob`, `shutil`, `tempfile`) when chosen. `io` is
    /// then always importable (`open` is `io.open`).
    pub fn allow_filesystem(mut self, on: bool) -> VmBuilder {
        self.filesystem = on;
        self
    }

    /// The limits of each run (see [`aio_vm::Limits`]).
    pub fn limits(mut self, limits: Limits) -> VmBuilder {
        self.limits = limits;
        self
    }

    /// The VM.
    pub fn build(&self) -> Vm {
        let mut vm = Vm::new();
        crate::install(&mut vm);
        for m in MODULES {
            let keep = if self.filesystem {
                self.modules.contains(*m) || *m == "io"
            } else {
                self.modules.contains(*m) && !FILESYSTEM_MODULES.contains(m)
            };
            if !keep {
                vm.unregister_module(m);
            }
        }
        if !self.filesystem {
            crate::io::remove_open(&mut vm);
            if self.modules.contains("io") {
                vm.register_module("io", crate::io::init_sandboxed);
            }
        }
        if !self.network {
            if let Some(init) = vm.native_module("asyncio") {
                vm.register_module_fn("asyncio", move |vm, m| {
                    asyncio_without_network(vm, m, &init)
                });
            }
        }
        vm.set_limits(self.limits);
        vm
    }
}

fn asyncio_without_network(vm: &mut Vm, m: &Obj, init: &ModuleInitFn) -> PyResult<()> {
    init(vm, m)?;
    let g = vm.module_globals(m).expect("a module has globals");
    for name in ["_listen", "_connect"] {
        let deny = Rc::new(|vm: &mut Vm, _: Args<'_>| -> PyResult {
            let cls = vm.exc.permission_error.clone();
            Err(vm.new_exception_msg(&cls, "network access is not allowed in this VM"))
        });
        let f = native_closure(vm, name, None, deny);
        vm.dict_set_str(&g, name, f);
    }
    Ok(())
}
