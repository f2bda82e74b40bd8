//! The `atexit` module: functions registered to run when the interpreter finishes
//! ([`Vm::shutdown`]), last registered first, as CPython's `atexitmodule.c` does.
//!
//! The callbacks live on the VM, in registration order. As in CPython, `unregister` empties
//! a slot rather than removing it (so `_ncallbacks()` still counts it), a callback
//! registered while the callbacks run is not run, and the list is cleared once they ran.

use crate::native::{Args, NativeImpl};
use crate::str::Str;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

/// A registered callback: the function and the arguments it is called with.
#[derive(Clone)]
pub(crate) struct ExitCallback {
    func: Value,
    args: Vec<Value>,
    kwargs: Vec<(Rc<Str>, Value)>,
}

pub(super) fn install(vm: &mut Vm) {
    vm.register_module("atexit", init);
}

fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("globals");
    for (name, f) in [
        ("register", register as crate::native::NativeFn),
        ("unregister", unregister),
        ("_run_exitfuncs", run_exitfuncs),
        ("_clear", clear),
        ("_ncallbacks", ncallbacks),
    ] {
        let f = super::module_native(vm, "atexit", name, NativeImpl::Fn(f));
        vm.dict_set_str(&g, name, f);
    }
    Ok(())
}

/// `register(func, *args, **kwargs)`: returns `func`, so it works as a decorator.
fn register(vm: &mut Vm, a: Args) -> PyResult {
    let Some(func) = a.pos.first() else {
        return Err(vm.new_type_error("register() takes at least 1 argument (0 given)"));
    };
    if !super::functions::is_callable(vm, func) {
        return Err(vm.new_type_error("the first argument must be callable"));
    }
    vm.atexit.push(Some(ExitCallback {
        func: func.clone(),
        args: a.pos[1..].to_vec(),
        kwargs: a.kw.to_vec(),
    }));
    Ok(func.clone())
}

/// `unregister(func)`: empties every slot whose function equals `func` (`==`, whose
/// errors propagate).
fn unregister(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "atexit.unregister")?;
    a.check_count(vm, "atexit.unregister", 1, 1)?;
    let mut i = 0;
    while i < vm.atexit.len() {
        if let Some(cb) = vm.atexit[i].clone() {
            if vm.eq(&cb.func, &a.pos[0])? {
                if let Some(slot) = vm.atexit.get_mut(i) {
                    *slot = None;
                }
            }
        }
        i += 1;
    }
    Ok(Value::None)
}

/// Fails unless `a` is empty (CPython's `METH_NOARGS` message).
fn no_args(vm: &mut Vm, a: &Args, name: &str) -> PyResult<()> {
    a.no_kwargs(vm, name)?;
    a.check_count(vm, name, 0, 0)
}

/// `_run_exitfuncs()`: runs the callbacks now (and forgets them).
fn run_exitfuncs(vm: &mut Vm, a: Args) -> PyResult {
    no_args(vm, &a, "atexit._run_exitfuncs")?;
    vm.run_atexit();
    Ok(Value::None)
}

/// `_clear()`: forgets every callback.
fn clear(vm: &mut Vm, a: Args) -> PyResult {
    no_args(vm, &a, "atexit._clear")?;
    vm.atexit.clear();
    Ok(Value::None)
}

/// `_ncallbacks()`: the number of slots, unregistered ones included.
fn ncallbacks(vm: &mut Vm, a: Args) -> PyResult {
    no_args(vm, &a, "atexit._ncallbacks")?;
    Ok(Value::Int(vm.atexit.len() as i64))
}

impl Vm {
    /// Runs the functions registered with `atexit.register`, last registered first, then
    /// forgets them all. Never fails: an exception raised by a callback (even
    /// `SystemExit`) is reported on stderr as CPython does (`Exception ignored in atexit
    /// callback: <function f at 0x...>` and its traceback), and the next callback runs.
    /// [`Vm::shutdown`] calls it first.
    pub fn run_atexit(&mut self) {
        for i in (0..self.atexit.len()).rev() {
            // A callback may have cleared the list or unregistered this one.
            let Some(cb) = self.atexit.get(i).cloned().flatten() else {
                continue;
            };
            if let Err(e) = self.call(&cb.func, &cb.args, &cb.kwargs) {
                let what = self
                    .repr(&cb.func)
                    .map(|r| r.as_str().to_string())
                    .unwrap_or_else(|_| "<object repr() failed>".to_string());
                self.report_unraisable_in("in atexit callback", &what, &e);
            }
        }
        self.atexit.clear();
    }
}
