//! The `collections` package: `deque` (native core in `deque.rs`, completed by
//! `deque.aio`), and in aio `dicts.aio` (`defaultdict`, `OrderedDict`, `Counter`,
//! `ChainMap`), `user.aio` (`UserDict`, `UserList`, `UserString`), `namedtuple.aio`, and
//! `collections.abc` (`abc.aio`, CPython's container ABCs, with the built-in types
//! registered).

mod deque;

use aio_vm::builtins::module_native;
use aio_vm::native::Args;
use aio_vm::native::NativeImpl;
use aio_vm::{Obj, PyResult, Value, Vm};

/// Initialises `collections`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("a module has globals");
    let f = module_native(
        vm,
        "collections",
        "_caller_module",
        NativeImpl::Fn(caller_module),
    );
    vm.dict_set_str(&g, "_caller_module", f);
    deque::install(vm, m);
    crate::source::run(
        vm,
        m,
        &[
            ("collections/deque.aio", include_str!("deque.aio")),
            ("collections/dicts.aio", include_str!("dicts.aio")),
            ("collections/user.aio", include_str!("user.aio")),
            ("collections/namedtuple.aio", include_str!("namedtuple.aio")),
            ("collections/init.aio", include_str!("init.aio")),
        ],
    )
}

/// Initialises `collections.abc`.
pub fn init_abc(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::source::run(vm, m, &[("collections/abc.aio", include_str!("abc.aio"))])
}

/// `_caller_module(depth)`: the `__name__` of the module whose code runs `depth` frames
/// below the caller (what CPython's namedtuple reads with `sys._getframe`).
fn caller_module(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_caller_module", 1, 1)?;
    let depth = aio_vm::module::to_index_i64(vm, &a.pos[0])?;
    let name = vm.intern("__name__");
    let found = usize::try_from(depth)
        .ok()
        .and_then(|d| vm.caller_globals(d))
        .and_then(|g| vm.dict_get_str(&g, &name));
    Ok(found.unwrap_or_else(|| Value::str("__main__")))
}
