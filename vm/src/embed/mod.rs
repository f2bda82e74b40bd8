//! The embedding API: what a Rust host uses to run scripts, exchange values with them and
//! keep them within limits.
//!
//! - [`ToValue`] / [`FromValue`] convert Rust values (`i64`, `f64`, `bool`, `String`,
//!   `Option`, `Vec`, `HashMap<String, _>`, tuples, [`Value`]) both ways (`convert.rs`);
//! - [`Vm::register_fn`] turns a typed Rust closure into a built-in function
//!   (`func.rs`); [`crate::module::ModuleBuilder`] builds native modules;
//!   [`Vm::register_type`] exposes a Rust type as a class with native methods (`host_type.rs`);
//! - [`Vm::exec`], [`Vm::get_global`], [`Vm::set_global`] and [`Vm::call_function`] work on
//!   the persistent `__main__` namespace; errors are [`crate::Error`]s whose `Display` is the
//!   script's traceback in CPython's format;
//! - [`Limits`] bound each run (steps, wall time, memory, recursion) and an
//!   [`InterruptHandle`] stops a run from another thread (`limits.rs`).
//!
//! ```
//! use aio_vm::Vm;
//!
//! let mut vm = Vm::new();
//! vm.register_fn("scale", |x: f64| x * 10.0);
//! vm.exec("def area(w, h):\n    return scale(w) * h\n").unwrap();
//! let a: f64 = vm.call_function("area", (2.0, 3.0)).unwrap();
//! assert_eq!(a, 60.0);
//!
//! let err = vm.call_function::<f64>("area", ("x", 1)).unwrap_err();
//! assert!(err.to_string().starts_with("Traceback (most recent call last):"));
//! assert!(err.to_string().ends_with("TypeError: scale() argument 1 must be float, not str"));
//! ```
//!
//! The standard library and a builder choosing its modules and the sandbox live in
//! `aio-stdlib` (`aio_stdlib::VmBuilder`).

pub mod convert;
pub mod func;
pub mod host_type;
pub mod limits;

pub use convert::{FromValue, ToValue};
pub use func::{IntoNative, IntoPyResult};
pub use host_type::TypeBuilder;
pub use limits::{InterruptHandle, LimitExceeded, Limits};

use crate::compiler::Mode;
use crate::value::{Obj, Value};
use crate::vm::{Error, Vm};

/// Arguments for [`Vm::call_function`]: a tuple of up to six [`ToValue`]s, `()`, or a
/// `Vec<Value>`.
pub trait ToArgs {
    /// The positional arguments.
    fn to_args(self, vm: &mut Vm) -> Vec<Value>;
}

impl ToArgs for Vec<Value> {
    fn to_args(self, _: &mut Vm) -> Vec<Value> {
        self
    }
}

macro_rules! to_args {
    ($(($($T:ident $i:tt),*)),*) => {$(
        impl<$($T: ToValue),*> ToArgs for ($($T,)*) {
            #[allow(unused_variables)]
            fn to_args(self, vm: &mut Vm) -> Vec<Value> {
                vec![$(self.$i.to_value(vm)),*]
            }
        }
    )*};
}

to_args!(
    (),
    (A 0),
    (A 0, B 1),
    (A 0, B 1, C 2),
    (A 0, B 1, C 2, D 3),
    (A 0, B 1, C 2, D 3, E 4),
    (A 0, B 1, C 2, D 3, E 4, G 5)
);

impl Vm {
    /// The globals dict of the `__main__` module, created on first use (and replaced when
    /// [`Vm::run_source`] runs a new `__main__`).
    pub fn main_globals(&mut self) -> Obj {
        let key = self.intern("__main__");
        let existing = self.dict_get_str(&self.modules.clone(), &key);
        if let Some(Value::Obj(m)) = existing {
            if let Some(g) = self.module_globals(&m) {
                return g;
            }
        }
        let m = self.new_module("__main__");
        let modules = self.modules.clone();
        self.dict_set_str(&modules, "__main__", Value::Obj(m.clone()));
        self.module_globals(&m).expect("module globals")
    }

    /// Runs `source` in the persistent `__main__` namespace (so later calls see its
    /// definitions), under the [`Limits`] in force.
    pub fn exec(&mut self, source: &str) -> Result<(), Error> {
        let code = self.compile(source, "<string>", Mode::Exec)?;
        let globals = self.main_globals();
        let r = self.guarded(|vm| vm.run_code(code, globals).map(|_| ()));
        self.flush_stdout();
        r
    }

    /// Reads global `name` of `__main__`, converted to `T`.
    pub fn get_global<T: FromValue>(&mut self, name: &str) -> Result<T, Error> {
        let g = self.main_globals();
        let key = self.intern(name);
        let r = match self.dict_get_str(&g, &key) {
            Some(v) => T::from_value(self, &v),
            None => Err(self.name_error(&key)),
        };
        r.map_err(|e| self.uncaught(e))
    }

    /// Sets global `name` of `__main__`.
    pub fn set_global(&mut self, name: &str, value: impl ToValue) {
        let v = value.to_value(self);
        let g = self.main_globals();
        self.dict_set_str(&g, name, v);
    }

    /// Calls the `__main__` global `name` (any callable) with `args`, converting the result
    /// to `R`, under the [`Limits`] in force.
    pub fn call_function<R: FromValue>(
        &mut self,
        name: &str,
        args: impl ToArgs,
    ) -> Result<R, Error> {
        let f: Value = self.get_global(name)?;
        self.call_value(&f, args)
    }

    /// Calls a callable value with `args`, converting the result to `R`, under the
    /// [`Limits`] in force.
    pub fn call_value<R: FromValue>(&mut self, f: &Value, args: impl ToArgs) -> Result<R, Error> {
        let args = args.to_args(self);
        let r = self.guarded(|vm| {
            let v = vm.call(f, &args, &[])?;
            R::from_value(vm, &v)
        });
        self.flush_stdout();
        r
    }
}
