//! Native functions from typed Rust closures ([`IntoNative`]), with CPython's argument
//! errors.
//!
//! ```
//! use aio_vm::Vm;
//! use std::{cell::RefCell, rc::Rc};
//!
//! let mut vm = Vm::new();
//! vm.register_fn("add", |a: i64, b: i64| a + b);
//! let log = Rc::new(RefCell::new(Vec::new()));
//! let sink = log.clone();
//! vm.register_fn("log", move |s: String| sink.borrow_mut().push(s));
//! vm.exec("log(str(add(2, 3)))").unwrap();
//! assert_eq!(*log.borrow(), ["5"]);
//! let err = vm.exec("add(1, 2, 3)").unwrap_err().to_string();
//! assert!(err.ends_with("TypeError: add() takes 2 positional arguments but 3 were given"));
//! ```

use super::convert::{FromValue, ToValue};
use crate::native::{Args, NativeClosure, NativeImpl};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

/// What a typed native function may return: a [`ToValue`], or a `PyResult` of one (to raise).
pub trait IntoPyResult {
    /// Converts the result.
    fn into_py_result(self, vm: &mut Vm) -> PyResult;
}

impl<T: ToValue> IntoPyResult for T {
    fn into_py_result(self, vm: &mut Vm) -> PyResult {
        Ok(self.to_value(vm))
    }
}

impl<T: ToValue> IntoPyResult for Result<T, Obj> {
    fn into_py_result(self, vm: &mut Vm) -> PyResult {
        self.map(|x| x.to_value(vm))
    }
}

/// A Rust closure usable as a native function: `Fn(A, B, ...) -> R` for up to six
/// [`FromValue`] arguments and an [`IntoPyResult`] result. `Marker` only tells the
/// implementations apart (it is inferred).
pub trait IntoNative<Marker>: 'static {
    /// The native implementation, named `name` in error messages.
    fn into_native(self, name: &str) -> NativeClosure;
}

fn check_arity(vm: &mut Vm, name: &str, args: &Args, n: usize) -> PyResult<()> {
    if !args.kw.is_empty() {
        return Err(vm.new_type_error(format!("{name}() takes no keyword arguments")));
    }
    let got = args.pos.len();
    if got == n {
        return Ok(());
    }
    let s = if n == 1 { "" } else { "s" };
    let were = if got == 1 { "was" } else { "were" };
    Err(vm.new_type_error(format!(
        "{name}() takes {n} positional argument{s} but {got} {were} given"
    )))
}

/// Argument `i` (0-based) converted to `T`, with CPython's `_PyArg_BadArgument` wording
/// (`f() argument 2 must be int, not str`) for type mismatches.
pub fn arg<T: FromValue>(vm: &mut Vm, name: &str, pos: &[Value], i: usize) -> PyResult<T> {
    let v = &pos[i];
    T::from_value(vm, v).map_err(|e| {
        if vm.is_instance_of(&e, &vm.exc.type_error.clone()) {
            let msg = format!(
                "{name}() argument {} must be {}, not {}",
                i + 1,
                T::type_name(),
                vm.type_name(v)
            );
            vm.new_type_error(msg)
        } else {
            e
        }
    })
}

macro_rules! into_native {
    ($($n:literal => ($($A:ident $i:tt),*)),*) => {$(
        impl<F, R, $($A,)*> IntoNative<($($A,)*)> for F
        where
            F: Fn($($A),*) -> R + 'static,
            R: IntoPyResult,
            $($A: FromValue,)*
        {
            #[allow(non_snake_case, unused_variables)]
            fn into_native(self, name: &str) -> NativeClosure {
                let name: Rc<str> = name.into();
                Rc::new(move |vm: &mut Vm, args: Args<'_>| {
                    check_arity(vm, &name, &args, $n)?;
                    $(let $A = arg::<$A>(vm, &name, args.pos, $i)?;)*
                    (self)($($A),*).into_py_result(vm)
                })
            }
        }
    )*};
}

into_native!(
    0 => (),
    1 => (A 0),
    2 => (A 0, B 1),
    3 => (A 0, B 1, C 2),
    4 => (A 0, B 1, C 2, D 3),
    5 => (A 0, B 1, C 2, D 3, E 4),
    6 => (A 0, B 1, C 2, D 3, E 4, G 5)
);

pub use crate::builtins::native_closure;

impl Vm {
    /// Makes a typed Rust closure a built-in function `name`, visible to every module.
    /// Arguments are converted with [`FromValue`] (a mismatch raises `TypeError: name()
    /// argument 1 must be int, not str`), the result with [`ToValue`]; a wrong number of
    /// arguments raises `TypeError: name() takes 2 positional arguments but 3 were given`.
    pub fn register_fn<M>(&mut self, name: &str, f: impl IntoNative<M>) {
        let v = self.native_fn_value(name, f);
        let b = self.builtins.clone();
        self.dict_set_str(&b, name, v);
    }

    /// Makes a raw native closure (all arguments, keyword arguments included, as [`Args`])
    /// a built-in function `name`.
    pub fn register_native(
        &mut self,
        name: &str,
        f: impl Fn(&mut Vm, Args<'_>) -> PyResult + 'static,
    ) {
        let v = native_closure(self, name, None, Rc::new(f));
        let b = self.builtins.clone();
        self.dict_set_str(&b, name, v);
    }

    /// A function object for a typed Rust closure (to store in a module, a dict, or pass
    /// to a script function).
    pub fn native_fn_value<M>(&mut self, name: &str, f: impl IntoNative<M>) -> Value {
        let c = f.into_native(name);
        native_closure(self, name, None, c)
    }
}

impl crate::module::ModuleBuilder<'_> {
    /// Adds a typed Rust closure as function `name` (see [`Vm::register_fn`]).
    pub fn typed_fn<M>(&mut self, name: &str, f: impl IntoNative<M>) -> &mut Self {
        let module = self.fn_module().to_string();
        let c = f.into_native(name);
        let v = crate::builtins::module_native(self.vm(), &module, name, NativeImpl::Closure(c));
        self.set(name, v)
    }
}
