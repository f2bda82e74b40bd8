//! `help`, as CPython's `site` module adds it to the built-ins, and the `pydoc` module that
//! renders its pages (`pydoc.aio`, after CPython's `pydoc`; the signatures and docstrings
//! of the built-ins, which aio's native functions lack, are in `builtin_docs.aio`, generated
//! by `tests/tools/gen_builtin_docs.py`).
//!
//! `help` is an instance of `_sitebuiltins._Helper` with CPython's `repr`. Calling it
//! imports `pydoc` on first use, so scripts that never ask for help pay only for the class.

use aio_vm::module::{new_class, ClassBuilder};
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};

/// What `repr(help)` is, as in CPython.
const HELP_REPR: &str = "Type help() for interactive help, or help(object) for help about object.";

/// `_Helper.__doc__`, CPython's adapted.
const HELPER_DOC: &str = "Define the builtin 'help'.\n\n    \
This is a wrapper around pydoc.help that provides a helpful message\n    \
when 'help' is typed at the Python interactive prompt.\n\n    \
Calling help(thing) prints help for the python object 'thing'.\n    ";

/// What `help()` prints: aio has no interactive help utility.
const NO_INTERACTIVE_HELP: &str = "Interactive help is not available in aio.\n\
Use help(object) for help about object, or help('name') for a module or built-in by name.";

/// Initialises `pydoc` from its aio sources (with `_BUILTINS`, the built-ins' dict, as
/// aio has no `builtins` module).
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    if let Some(g) = vm.module_globals(m) {
        let builtins = Value::Obj(vm.builtins.clone());
        vm.dict_set_str(&g, "_BUILTINS", builtins);
    }
    crate::source::run(
        vm,
        m,
        &[
            ("pydoc/builtin_docs.aio", include_str!("builtin_docs.aio")),
            ("pydoc/pydoc.aio", include_str!("pydoc.aio")),
        ],
    )
}

/// Adds the built-in `help` (registers `pydoc` too, which it imports when called).
pub fn install_help(vm: &mut Vm) {
    vm.register_module("pydoc", init);
    let object = vm.types.object.clone();
    let cls = new_class(vm, "_sitebuiltins", "_Helper", &[object]);
    ClassBuilder::new(vm, &cls)
        .attr("__doc__", Value::str(HELPER_DOC))
        .method("__repr__", helper_repr)
        .method("__call__", helper_call)
        .finish();
    let helper = match vm.call(&Value::Obj(cls), &[], &[]) {
        Ok(h) => h,
        Err(_) => return,
    };
    let b = vm.builtins.clone();
    vm.dict_set_str(&b, "help", helper);
}

fn helper_repr(_vm: &mut Vm, _a: Args<'_>) -> PyResult {
    Ok(Value::str(HELP_REPR))
}

/// `help(*args, **kwds)`: no argument prints that there is no interactive help; otherwise
/// `pydoc.help(...)` prints the page.
fn helper_call(vm: &mut Vm, a: Args<'_>) -> PyResult {
    if a.pos.len() <= 1 && a.kw.is_empty() {
        let key = vm.intern("print");
        let print = vm
            .dict_get_str(&vm.builtins.clone(), &key)
            .unwrap_or(Value::None);
        vm.call(&print, &[Value::str(NO_INTERACTIVE_HELP)], &[])?;
        return Ok(Value::None);
    }
    let pydoc = vm.import_module("pydoc")?;
    let help = aio_vm::module::getattr(vm, &pydoc, "help")?;
    vm.call(&help, &a.pos[1..], a.kw)
}
