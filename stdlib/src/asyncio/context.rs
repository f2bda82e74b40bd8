//! The contexts (`contextvars`) asyncio's natives schedule callbacks in. CPython gives
//! every handle, task and done-callback scheduled without a context a copy of the current
//! one; aio does so from the first `ContextVar` made on (the module's `_used` flag, see
//! `lib/contextvars.aio`): before that no variable exists, so a copy could not differ
//! from the current context, and the loop spares an object per callback.

use aio_vm::str::Str;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::rc::Rc;

/// What the natives need of the `contextvars` module.
pub(super) struct Contexts {
    /// The module's globals (`_used`).
    globals: Obj,
    /// The interned `_used`.
    used: Rc<Str>,
    /// `contextvars.copy_context`.
    copy_context: Value,
}

impl Contexts {
    /// Imports `contextvars` and keeps what [`Contexts::or_copy`] reads.
    pub(super) fn new(vm: &mut Vm) -> PyResult<Contexts> {
        let module = vm.import_module("contextvars")?;
        let globals = match aio_vm::module::getattr(vm, &module, "__dict__")? {
            Value::Obj(o) => o,
            _ => return Err(vm.new_type_error("contextvars has no __dict__")),
        };
        Ok(Contexts {
            globals,
            used: vm.intern("_used"),
            copy_context: aio_vm::module::getattr(vm, &module, "copy_context")?,
        })
    }

    /// `context`, or when it is `None` and a `ContextVar` exists, a copy of the current
    /// context (`contextvars.copy_context()`).
    pub(super) fn or_copy(&self, vm: &mut Vm, context: Value) -> PyResult {
        if !context.is_none() {
            return Ok(context);
        }
        match vm.dict_get_str(&self.globals, &self.used) {
            Some(Value::Bool(b)) if b.get() => vm.call(&self.copy_context, &[], &[]),
            _ => Ok(Value::None),
        }
    }
}
