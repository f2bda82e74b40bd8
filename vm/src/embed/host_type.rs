//! Rust types as script classes: instances carry a `T` (through
//! [`crate::module::new_native_instance`] / [`crate::module::native_state`]) and methods are
//! closures receiving `&mut T`.
//!
//! ```
//! use aio_vm::Vm;
//!
//! struct Counter {
//!     n: i64,
//! }
//!
//! let mut vm = Vm::new();
//! vm.register_type::<Counter>("Counter")
//!     .constructor(|_vm, args| {
//!         Ok(Counter {
//!             n: args.len() as i64,
//!         })
//!     })
//!     .method("inc", |_vm, this, _args| {
//!         this.n += 1;
//!         Ok(this.n.into())
//!     })
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

/// Builds a class whose instances carry a `T`; see the example of [`Vm::register_type`].
pub struct TypeBuilder<'a, T> {
    vm: &'a mut Vm,
    cls: Obj,
    name: String,
    _t: PhantomData<T>,
}

impl<T: Any> TypeBuilder<'_, T> {
    /// Adds method `name`; the closure receives the instance's state and the arguments
    /// after `self` (a `TypeError` is raised when called on an instance without one, a
    /// `RuntimeError` when the state is already borrowed by a method running further up the
    /// stack). See the example of [`Vm::register_type`].
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

    /// Lets scripts create instances: `f` builds the state from the call's arguments (it
    /// becomes the class's `__new__`, so subclasses get instances with state too). See the
    /// example of [`Vm::register_type`].
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
        set_new(self.vm, &self.cls, &self.name, imp);
        self
    }

    /// Ends the class: makes it a built-in name and returns it (for
    /// [`Vm::new_host_instance`] and `isinstance` checks). See the example of
    /// [`Vm::register_type`].
    pub fn finish(&mut self) -> Obj {
        let b = self.vm.builtins.clone();
        let name = self.name.clone();
        self.vm
            .dict_set_str(&b, &name, Value::Obj(self.cls.clone()));
        self.cls.clone()
    }
}

impl Vm {
    /// Starts a class `name` (in module `builtins`) whose instances carry a Rust `T`, with
    /// methods written in Rust. Scripts can subclass it.
    ///
    /// ```
    /// use aio_vm::embed::func::arg;
    /// use aio_vm::{Value, Vm};
    ///
    /// struct Account {
    ///     owner: String,
    ///     balance: i64,
    /// }
    ///
    /// let mut vm = Vm::new();
    /// let cls = vm
    ///     .register_type::<Account>("Account")
    ///     .constructor(|vm, a| {
    ///         a.check_count(vm, "Account", 1, 1)?;
    ///         Ok(Account {
    ///             owner: arg(vm, "Account", a.pos, 0)?,
    ///             balance: 0,
    ///         })
    ///     })
    ///     .method("deposit", |vm, acct, a| {
    ///         a.check_count(vm, "deposit", 1, 1)?;
    ///         let n: i64 = arg(vm, "deposit", a.pos, 0)?;
    ///         if n <= 0 {
    ///             return Err(vm.new_value_error("deposit must be positive"));
    ///         }
    ///         acct.balance += n;
    ///         Ok(Value::Int(acct.balance))
    ///     })
    ///     .method("owner", |_vm, acct, _a| Ok(Value::str(acct.owner.as_str())))
    ///     .finish();
    /// vm.exec(
    ///     "class Savings(Account):\n\
    ///      \x20   def add_interest(self):\n\
    ///      \x20       return self.deposit(1)\n\
    ///      a = Savings('ann')\n\
    ///      a.deposit(10)\n\
    ///      r = (a.owner(), a.add_interest())\n",
    /// )?;
    /// assert_eq!(vm.get_global::<(String, i64)>("r")?, ("ann".into(), 11));
    /// let a: Value = vm.get_global("a")?;
    /// assert!(vm.isinstance(&a, &cls));
    /// assert_eq!(
    ///     vm.with_host(&a, |acct: &mut Account| acct.balance),
    ///     Some(11)
    /// );
    /// let err = vm.exec("a.deposit(-5)").unwrap_err().to_string();
    /// assert!(err.ends_with("ValueError: deposit must be positive"));
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn register_type<T: Any>(&mut self, name: &str) -> TypeBuilder<'_, T> {
        let object = self.types.object.clone();
        let cls = crate::module::new_class(self, "builtins", name, &[object]);
        // Until `constructor` replaces it, scripts cannot make instances without Rust state
        // (CPython's message for a type without `tp_new`).
        let msg = format!("cannot create '{name}' instances");
        let no_new = Rc::new(move |vm: &mut Vm, _a: Args<'_>| -> PyResult {
            Err(vm.new_type_error(msg.clone()))
        });
        set_new(self, &cls, name, no_new);
        TypeBuilder {
            vm: self,
            cls,
            name: name.to_string(),
            _t: PhantomData,
        }
    }

    /// A new instance of `cls` (a class from [`Vm::register_type`]) carrying `state`: how a
    /// host hands out objects that scripts cannot construct themselves.
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    ///
    /// struct Sensor {
    ///     reads: u32,
    /// }
    ///
    /// let mut vm = Vm::new();
    /// let cls = vm
    ///     .register_type::<Sensor>("Sensor")
    ///     .method("read", |_vm, s, _a| {
    ///         s.reads += 1;
    ///         Ok(Value::float(20.5))
    ///     })
    ///     .finish();
    /// let sensor = vm.new_host_instance(&cls, Sensor { reads: 0 });
    /// vm.set_global("sensor", sensor.clone());
    /// vm.exec("t = sensor.read() + sensor.read()")?;
    /// assert_eq!(vm.get_global::<f64>("t")?, 41.0);
    /// assert_eq!(vm.with_host(&sensor, |s: &mut Sensor| s.reads), Some(2));
    /// assert_eq!(vm.with_host(&Value::Int(1), |s: &mut Sensor| s.reads), None);
    /// // Without a `constructor`, scripts cannot make a `Sensor` with no Rust state.
    /// let err = vm.exec("Sensor()").err().unwrap().to_string();
    /// assert!(err.trim_end().ends_with("TypeError: cannot create 'Sensor' instances"), "{err}");
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn new_host_instance<T: Any>(&mut self, cls: &Obj, state: T) -> Value {
        crate::module::new_native_instance(self, cls, state)
    }

    /// Runs `f` on the state of a host instance; `None` when `v` does not carry a `T` (or
    /// is in use). See the examples of [`Vm::register_type`] and [`Vm::new_host_instance`].
    pub fn with_host<T: Any, R>(&self, v: &Value, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        let cell = crate::module::native_state::<T>(v)?;
        let mut state = cell.try_borrow_mut().ok()?;
        Some(f(&mut state))
    }
}

/// Sets `cls.__new__` to the native `imp` (a static method, as `__new__` is).
fn set_new(vm: &mut Vm, cls: &Obj, name: &str, imp: crate::native::NativeClosure) {
    let v = native_closure(vm, "__new__", Some(name), imp);
    let sm = Value::Obj(Rc::new(crate::object::Object::new(
        vm.types.staticmethod.clone(),
        crate::object::Payload::StaticMethod(v),
    )));
    vm.set_class_attr(cls, "__new__", sm);
}
