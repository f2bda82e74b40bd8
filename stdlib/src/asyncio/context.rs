//! The contexts (`contextvars`) asyncio's natives schedule callbacks in. CPython gives
//! every handle, task and done-callback scheduled without a context a copy of the current
//! one; aio does so from the first `ContextVar` made on (the module's `_used` flag, see
//! `lib/contextvars.aio`): before that no variable exists, so a copy could not differ
//! from the current context, and the loop spares an object per callback.

use super::attr::{iget, iset, keeps_method, Attr};
use aio_vm::object::Payload;
use aio_vm::str::Str;
use aio_vm::value::Bool;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::Cell;
use std::rc::Rc;

/// What the natives need of the `contextvars` module.
pub(super) struct Contexts {
    /// The module's globals (`_used`, `_current`).
    globals: Obj,
    /// The interned `_used`.
    used: Rc<Str>,
    /// `contextvars.copy_context`.
    copy_context: Value,
    /// Where `_used` last was in the globals (a hint, checked at each use).
    pos: Cell<usize>,
    /// `Context.run`: a context whose class keeps it is entered here (see
    /// [`Contexts::run`]).
    context_run: Value,
    /// The interned `_current`, and a context's `run`, `_prev` and `_entered`.
    current: Rc<Str>,
    run: Attr,
    prev: Attr,
    entered: Attr,
}

impl Contexts {
    /// Imports `contextvars` and keeps what [`Contexts::or_copy`] reads.
    pub(super) fn new(vm: &mut Vm) -> PyResult<Contexts> {
        let module = vm.import_module("contextvars")?;
        let globals = match aio_vm::module::getattr(vm, &module, "__dict__")? {
            Value::Obj(o) => o,
            _ => return Err(vm.new_type_error("contextvars has no __dict__")),
        };
        let context_cls = aio_vm::module::getattr(vm, &module, "Context")?;
        Ok(Contexts {
            globals,
            used: vm.intern("_used"),
            copy_context: aio_vm::module::getattr(vm, &module, "copy_context")?,
            pos: Cell::new(0),
            context_run: aio_vm::module::getattr(vm, &context_cls, "run")?,
            current: vm.intern("_current"),
            run: Attr::new(vm, "run"),
            prev: Attr::new(vm, "_prev"),
            entered: Attr::new(vm, "_entered"),
        })
    }

    /// `context.run(f)` as `Context.run` in `lib/contextvars.aio` does it, without its
    /// frame: `None` when `context`'s class does not keep that method (the caller then
    /// calls `context.run`).
    pub(super) fn run<R>(
        &self,
        vm: &mut Vm,
        context: &Value,
        f: impl FnOnce(&mut Vm) -> PyResult<R>,
    ) -> Option<PyResult<R>> {
        if !keeps_method(vm, context, &self.run, &self.context_run) {
            return None;
        }
        Some(self.run_kept(vm, context, f))
    }

    /// [`Contexts::run`] for a context whose class keeps `Context.run`.
    fn run_kept<R>(
        &self,
        vm: &mut Vm,
        context: &Value,
        f: impl FnOnce(&mut Vm) -> PyResult<R>,
    ) -> PyResult<R> {
        let entered = iget(vm, context, &self.entered)?;
        if vm.is_true(&entered)? {
            let msg = format!(
                "cannot enter context: {} is already entered",
                vm.repr(context)?.as_str()
            );
            return Err(vm.new_runtime_error(msg));
        }
        let current = vm
            .dict_get_str(&self.globals, &self.current)
            .unwrap_or(Value::None);
        iset(vm, context, &self.prev, current)?;
        iset(vm, context, &self.entered, Value::Bool(Bool::TRUE))?;
        self.set_current(context.clone());
        let r = f(vm);
        // `finally:`
        let restored = iget(vm, context, &self.prev).and_then(|prev| {
            self.set_current(prev);
            iset(vm, context, &self.prev, Value::None)?;
            iset(vm, context, &self.entered, Value::Bool(Bool::FALSE))
        });
        // An error of the `finally` replaces the outcome, as in Python.
        restored.and(r)
    }

    /// `context`, or when it is `None` and a `ContextVar` exists, a copy of the current
    /// context (`contextvars.copy_context()`).
    pub(super) fn or_copy(&self, vm: &mut Vm, context: Value) -> PyResult {
        if !context.is_none() {
            return Ok(context);
        }
        if self.used() {
            vm.call(&self.copy_context, &[], &[])
        } else {
            Ok(Value::None)
        }
    }

    /// `contextvars._current = context`.
    fn set_current(&self, context: Value) {
        if let Payload::Dict(d) = &self.globals.payload {
            d.borrow_mut().set_str(self.current.clone(), context);
        }
    }

    /// Whether the module's `_used` is `True`: read at the position it last had.
    pub(super) fn used(&self) -> bool {
        let Payload::Dict(d) = &self.globals.payload else {
            return false;
        };
        let d = d.borrow();
        let v = match d.value_at_if_key(self.pos.get(), &self.used) {
            Some(v) => Some(v),
            None => d.find_str(&self.used).and_then(|p| {
                self.pos.set(p);
                d.value_at(p)
            }),
        };
        matches!(v, Some(Value::Bool(b)) if b.get())
    }
}
