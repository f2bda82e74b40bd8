//! The embedding API: what a Rust host uses to run scripts, exchange values with them and
//! keep them within limits.
//!
//! - [`ToValue`] / [`FromValue`] convert Rust values (`i64`, `f64`, `bool`, `String`,
//!   `Option`, `Vec`, `HashMap<String, _>`, tuples, [`Value`]) both ways (`convert.rs`);
//! - [`Vm::register_fn`] turns a typed Rust closure into a built-in function
//!   (`func.rs`), which raises by returning a [`HostError`] (`error.rs`);
//!   [`crate::module::ModuleBuilder`] builds native modules;
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
//! vm.exec("def area(w, h):\n    return scale(w) * h\n")
//!     .unwrap();
//! let a: f64 = vm.call_function("area", (2.0, 3.0)).unwrap();
//! assert_eq!(a, 60.0);
//!
//! let err = vm.call_function::<f64>("area", ("x", 1)).unwrap_err();
//! assert!(err
//!     .to_string()
//!     .starts_with("Traceback (most recent call last):"));
//! assert!(err
//!     .to_string()
//!     .ends_with("TypeError: scale() argument 1 must be float, not str"));
//! ```
//!
//! The standard library and a builder choosing its modules and the sandbox live in
//! `aio-stdlib` (`aio_stdlib::VmBuilder`).

pub mod convert;
pub mod error;
pub mod func;
pub mod host_type;
pub mod limits;
pub mod wait;

pub use convert::{FromValue, ToValue};
pub use error::HostError;
pub use func::{IntoNative, IntoPyResult};
pub use host_type::TypeBuilder;
pub use limits::{InterruptHandle, LimitExceeded, Limits};

use crate::compiler::Mode;
use crate::value::{Obj, Value};
use crate::vm::{Error, Vm};

/// Arguments for [`Vm::call_function`] and [`Vm::call_value`]: a tuple of up to six
/// [`ToValue`]s (`(x,)` for one), `()`, or a `Vec<Value>` (any number, built at run time).
///
/// ```
/// use aio_vm::{ToValue, Value, Vm};
///
/// let mut vm = Vm::new();
/// vm.exec("def f(*args):\n    return repr(args)\n")?;
/// assert_eq!(vm.call_function::<String>("f", ())?, "()");
/// assert_eq!(
///     vm.call_function::<String>("f", (1, 2.5, "x", None::<i64>))?,
///     "(1, 2.5, 'x', None)"
/// );
/// let many: Vec<Value> = (0..8i64).map(|i| i.to_value(&mut vm)).collect();
/// assert_eq!(
///     vm.call_function::<String>("f", many)?,
///     "(0, 1, 2, 3, 4, 5, 6, 7)"
/// );
/// # Ok::<(), aio_vm::Error>(())
/// ```
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
    /// [`Vm::run_source`] runs a new `__main__`): the namespace of [`Vm::exec`],
    /// [`Vm::get_global`] and [`Vm::set_global`].
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    /// use std::collections::HashMap;
    ///
    /// let mut vm = Vm::new();
    /// vm.exec("alpha = 1\n_private = 2\ndef beta():\n    pass\n")?;
    /// let globals = vm.main_globals();
    /// let beta = vm.intern("beta");
    /// assert!(vm.dict_get_str(&globals, &beta).is_some());
    /// let all: HashMap<String, Value> = vm.guarded(|vm| vm.from_value(&Value::Obj(globals)))?;
    /// let mut user: Vec<&str> = all
    ///     .keys()
    ///     .map(|k| k.as_str())
    ///     .filter(|k| !k.starts_with("__"))
    ///     .collect();
    /// user.sort();
    /// assert_eq!(user, ["_private", "alpha", "beta"]);
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
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
    /// definitions), under the [`Limits`] in force. Tracebacks name the source `<string>`.
    ///
    /// ```
    /// use aio_vm::Vm;
    ///
    /// let mut vm = Vm::new();
    /// vm.exec("history = []\ndef record(x):\n    history.append(x)\n    return len(history)\n")?;
    /// vm.exec("record('a')")?;
    /// vm.exec("n = record('b')")?;
    /// assert_eq!(vm.get_global::<i64>("n")?, 2);
    /// let err = vm.exec("record()").unwrap_err().to_string();
    /// assert!(err.contains("File \"<string>\", line 1, in <module>"));
    /// assert!(err.ends_with("TypeError: record() missing 1 required positional argument: 'x'"));
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn exec(&mut self, source: &str) -> Result<(), Error> {
        let code = self.compile(source, "<string>", Mode::Exec)?;
        let globals = self.main_globals();
        let r = self.guarded(|vm| vm.run_code(code, globals).map(|_| ()));
        self.flush_stdout();
        r
    }

    /// Reads global `name` of `__main__`, converted to `T` (use [`Value`] to keep it as it
    /// is). A missing name is CPython's `NameError`; a value of the wrong type a `TypeError`.
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    /// use std::collections::HashMap;
    ///
    /// let mut vm = Vm::new();
    /// vm.exec("scores = {'ann': 3, 'bob': 5}\nbest = max(scores, key=scores.get)")?;
    /// let scores: HashMap<String, i64> = vm.get_global("scores")?;
    /// assert_eq!(scores["bob"], 5);
    /// assert_eq!(vm.get_global::<String>("best")?, "bob");
    /// let raw: Value = vm.get_global("scores")?;
    /// assert_eq!(vm.len(&raw).ok(), Some(2));
    ///
    /// let err = vm.get_global::<i64>("best").unwrap_err().to_string();
    /// assert_eq!(err, "TypeError: expected int, got str");
    /// let err = vm.get_global::<i64>("worst").unwrap_err().to_string();
    /// assert_eq!(err, "NameError: name 'worst' is not defined");
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn get_global<T: FromValue>(&mut self, name: &str) -> Result<T, Error> {
        let g = self.main_globals();
        let key = self.intern(name);
        let r = match self.dict_get_str(&g, &key) {
            Some(v) => T::from_value(self, &v),
            None => Err(self.name_error(&key)),
        };
        r.map_err(|e| self.uncaught(e))
    }

    /// Sets global `name` of `__main__` to a converted Rust value (or a [`Value`]).
    ///
    /// ```
    /// use aio_vm::Vm;
    ///
    /// let mut vm = Vm::new();
    /// vm.set_global("width", 1920);
    /// vm.set_global("title", "main window");
    /// vm.set_global("sizes", vec![(800, 600), (1024, 768)]);
    /// vm.exec("label = f'{title.upper()} {width}px, {len(sizes)} presets, first {sizes[0]}'")?;
    /// assert_eq!(
    ///     vm.get_global::<String>("label")?,
    ///     "MAIN WINDOW 1920px, 2 presets, first (800, 600)"
    /// );
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn set_global(&mut self, name: &str, value: impl ToValue) {
        let v = value.to_value(self);
        let g = self.main_globals();
        self.dict_set_str(&g, name, v);
    }

    /// Calls the `__main__` global `name` (any callable) with `args`, converting the result
    /// to `R`, under the [`Limits`] in force.
    ///
    /// ```
    /// use aio_vm::Vm;
    ///
    /// let mut vm = Vm::new();
    /// vm.exec(
    ///     "def stats(xs):\n\
    ///      \x20   return min(xs), max(xs), sum(xs) / len(xs)\n\
    ///      class Greeter:\n\
    ///      \x20   def __init__(self, name):\n\
    ///      \x20       self.name = name\n",
    /// )?;
    /// let (lo, hi, mean): (i64, i64, f64) = vm.call_function("stats", (vec![4, 8, 6],))?;
    /// assert_eq!((lo, hi, mean), (4, 8, 6.0));
    /// // Any callable: a class makes an instance.
    /// let g: aio_vm::Value = vm.call_function("Greeter", ("ann",))?;
    /// assert_eq!(vm.type_name(&g), "Greeter");
    /// let err = vm
    ///     .call_function::<f64>("stats", (Vec::<i64>::new(),))
    ///     .unwrap_err();
    /// assert!(err
    ///     .to_string()
    ///     .ends_with("ValueError: min() arg is an empty sequence"));
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn call_function<R: FromValue>(
        &mut self,
        name: &str,
        args: impl ToArgs,
    ) -> Result<R, Error> {
        let f: Value = self.get_global(name)?;
        self.call_value(&f, args)
    }

    /// Calls a callable value with `args`, converting the result to `R`, under the
    /// [`Limits`] in force: for callbacks a script handed to the host, methods, lambdas.
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    /// use std::{cell::RefCell, rc::Rc};
    ///
    /// let mut vm = Vm::new();
    /// let handlers: Rc<RefCell<Vec<Value>>> = Rc::default();
    /// let sink = handlers.clone();
    /// vm.register_fn("on_event", move |f: Value| sink.borrow_mut().push(f));
    /// vm.exec("on_event(lambda e: e * 2)\non_event(str.upper)\n")?;
    /// let handlers = handlers.borrow().clone();
    /// assert_eq!(vm.call_value::<i64>(&handlers[0], (21,))?, 42);
    /// assert_eq!(vm.call_value::<String>(&handlers[1], ("up",))?, "UP");
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
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
