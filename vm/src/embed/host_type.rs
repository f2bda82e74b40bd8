//! Rust types as script classes: instances carry a `T` (through
//! [`crate::module::new_native_instance`] / [`crate::module::native_state`]) and methods are
//! closures receiving `&mut T`.
//!
//! ```
//! use aio_vm::Vm;
//!
//! struct Counter { n: i64 }
//!
//! let mut vm = Vm::new();
//! vm.register_type::<Counter>("Counter")
//!     .constructor(|_vm, args| Ok(Counter { n: args.len() as i64 }))
//!     .method("inc", |_vm, this, _args| { this.n += 1; Ok(this.n.into()) })
//!     .finish();
//! vm.exec("c = Counter()\nc.inc()\nn = c.inc()").unwrap();
//! assert_eq!(vm.get_global::<i64>("n").unwrap(), 2);
//! let c = vm.get_global::<aio_vm::Value>("c").unwrap();
//! assert_eq!(vm.with_host(&c, |c: &mut Counter| c.n), Some(2));
//! ```

use super::func::native_closure;
use crate::native::Args;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::any::Any;
use std::marker::PhantomData;
use std::rc::Rc;

/// Builds a class whose instances carry a `T`; see [`Vm::register_type`].
pub struct TypeBuilder<'a, T> {
    vm: &'a mut Vm,
    cls: Obj,
    name: String,
    _t: PhantomData<T>,
}

impl<T: Any> TypeBuilder<'_, T> {
    /// Adds method `name`; the closure receives the instance's state (a `TypeError` is
    /// raised when called on an instance without one).
    pub fn method(
        &mut self,
        name: &str,
        f: impl Fn(&mut Vm, &mut T, Args<'_>) -> PyResult + 'static,
    ) -> &mut Self {
        let owner = self.name.clone();
        let mname = format!("{owner}.{name}");
        let imp = Rc::new(move |vm: &mut Vm, a: Args<'_>| {
            let this = a.pos.first().cloned().unwrap_or(Value::None);
            let Some(cell) = crate::module::native_state::<T>(&this) else {
                return Err(vm.new_type_error(format!(
                    "descriptor '{mname}' requires a '{owner}' object but received a '{}'",
                    vm.type_name(&this)
                )));
            };
            let Ok(mut state) = cell.try_borrow_mut() else {
                return Err(vm.new_runtime_error(format!("{owner} object is already in use")));
            };
            let rest = Args {
                pos: &a.pos[1..],
                kw: a.kw,
            };
            f(vm, &mut state, rest)
        });
        let v = native_closure(self.vm, name, Some(&self.name), imp);
        self.vm.set_class_attr(&self.cls, name, v);
        self
    }

    /// Lets scripts create instances: `f` builds the state from the call's arguments.
    pub fn constructor(
        &mut self,
        f: impl Fn(&mut Vm, Args<'_>) -> PyResult<T> + 'static,
    ) -> &mut Self {
        let imp = Rc::new(move |vm: &mut Vm, a: Args<'_>| {
            let Some(Value::Obj(cls)) = a.pos.first().cloned() else {
                return Err(vm.new_type_error("__new__ needs a class"));
            };
            let rest = Args {
                pos: &a.pos[1..],
                kw: a.kw,
            };
            let state = f(vm, rest)?;
            Ok(crate::module::new_native_instance(vm, &cls, state))
        });
        let v = native_closure(self.vm, "__new__", Some(&self.name), imp);
        let sm = Value::Obj(Rc::new(crate::object::Object::new(
            self.vm.types.staticmethod.clone(),
            crate::object::Payload::StaticMethod(v),
        )));
        self.vm.set_class_attr(&self.cls, "__new__", sm);
        self
    }

    /// Ends the class: makes it a built-in name and returns it.
    pub fn finish(&mut self) -> Obj {
        let b = self.vm.builtins.clone();
        let name = self.name.clone();
        self.vm
            .dict_set_str(&b, &name, Value::Obj(self.cls.clone()));
        self.cls.clone()
    }
}

impl Vm {
    /// Starts a class `name` (in module `builtins`) whose instances carry a Rust `T`.
    pub fn register_type<T: Any>(&mut self, name: &str) -> TypeBuilder<'_, T> {
        let object = self.types.object.clone();
        let cls = crate::module::new_class(self, "builtins", name, &[object]);
        TypeBuilder {
            vm: self,
            cls,
            name: name.to_string(),
            _t: PhantomData,
        }
    }

    /// A new instance of `cls` (a class from [`Vm::register_type`]) carrying `state`.
    pub fn new_host_instance<T: Any>(&mut self, cls: &Obj, state: T) -> Value {
        crate::module::new_native_instance(self, cls, state)
    }

    /// Runs `f` on the state of a host instance; `None` when `v` does not carry a `T` (or
    /// is in use).
    pub fn with_host<T: Any, R>(&self, v: &Value, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        let cell = crate::module::native_state::<T>(v)?;
        let mut state = cell.try_borrow_mut().ok()?;
        Some(f(&mut state))
    }
}
