//! The contexts (`contextvars`) asyncio's natives schedule callbacks in. CPython gives
//! every handle, task and done-callback scheduled without a context a copy of the current
//! one; aio does so from the first `ContextVar` made on (the module's `_used` flag, see
//! `lib/contextvars.aio`): before that no variable exists, so a copy could not differ
//! from the current context, and the loop spares an object per callback.

use aio_vm::object::Payload;
use aio_vm::str::Str;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::Cell;
use std::rc::Rc;

/// What the natives need of the `contextvars` module.
pub(super) struct Contexts {
    /// The module's globals (`_used`).
    globals: Obj,
    /// The interned `_used`.
    used: Rc<Str>,
    /// `contextvars.copy_context`.
    copy_context: Value,
    /// Where `_used` last was in the globals (a hint, checked at each use).
    pos: Cell<usize>,
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
            pos: Cell::new(0),
        })
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

    /// Whether the module's `_used` is `True`: read at the position it last had.
    fn used(&self) -> bool {
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
