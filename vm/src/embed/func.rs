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
use super::error::HostError;
use crate::native::{Args, NativeClosure, NativeImpl};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

/// What a typed native function may return: a [`ToValue`] (`()` returns `None`), a
/// `Result<T, HostError>` of one (to raise a built-in exception named by a [`HostError`],
/// made when the call returns), or a `PyResult` of one (an exception object already made,
/// e.g. one caught from [`Vm::call_value`] and passed on).
///
/// A typed closure receives no `&mut Vm` to build an exception object with, which is why
/// [`HostError`] exists; a function that needs the VM itself (to call back into scripts, to
/// read keyword arguments) is written for [`Vm::register_native`] instead. See
/// [`Vm::register_fn`] for typed functions.
///
/// ```
/// use aio_vm::{HostError, Vm};
///
/// let mut vm = Vm::new();
/// // Result<T, HostError>: the error becomes the named built-in exception.
/// vm.register_fn("parse_port", |s: String| match s.parse::<u16>() {
///     Ok(p) if p > 0 => Ok(p as i64),
///     _ => Err(HostError::value_error(format!("invalid port {s:?}"))),
/// });
/// vm.exec("p = parse_port('8080')")?;
/// assert_eq!(vm.get_global::<i64>("p")?, 8080);
/// let err = vm.exec("parse_port('http')").unwrap_err().to_string();
/// assert!(err.ends_with("ValueError: invalid port \"http\""));
/// # Ok::<(), aio_vm::Error>(())
/// ```
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

impl<T: ToValue> IntoPyResult for Result<T, HostError> {
    fn into_py_result(self, vm: &mut Vm) -> PyResult {
        match self {
            Ok(x) => Ok(x.to_value(vm)),
            Err(e) => Err(e.into_exception(vm)),
        }
    }
}

/// A Rust closure usable as a native function: `Fn(A, B, ...) -> R` for up to six
/// [`FromValue`] arguments and an [`IntoPyResult`] result. `Marker` only tells the
/// implementations apart (it is inferred). Used by [`Vm::register_fn`],
/// [`Vm::native_fn_value`] and [`ModuleBuilder::typed_fn`](crate::module::ModuleBuilder::typed_fn).
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
/// (`f() argument 2 must be int, not str`) for type mismatches: typed arguments for a raw
/// native function.
///
/// An argument read with `arg` is required: when `pos` has no item `i`, the call raises
/// the message CPython's argument clinic gives a function called with too few positional
/// arguments, `TypeError: f expected at least 3 arguments, got 1` (`_PyArg_CheckPositional`;
/// [`Args::check_count`] words its "too few" case the same way). `arg` knows only that
/// arguments `0..=i` are needed, so it says "at least `i + 1`": check the count first with
/// [`Args::check_count`] for the exact range (`clamp expected 3 arguments, got 1`), and
/// read optional arguments with [`Args::get`].
///
/// ```
/// use aio_vm::embed::func::arg;
/// use aio_vm::{Value, Vm};
///
/// let mut vm = Vm::new();
/// vm.register_native("clamp", |vm, a| {
///     a.check_count(vm, "clamp", 3, 3)?;
///     let x: f64 = arg(vm, "clamp", a.pos, 0)?;
///     let lo: f64 = arg(vm, "clamp", a.pos, 1)?;
///     let hi: f64 = arg(vm, "clamp", a.pos, 2)?;
///     if lo > hi {
///         return Err(vm.new_value_error(format!("empty range {lo}..{hi}")));
///     }
///     Ok(Value::float(x.clamp(lo, hi)))
/// });
/// vm.exec("r = clamp(12, 0, 10)")?;
/// assert_eq!(vm.get_global::<f64>("r")?, 10.0);
/// let err = vm.exec("clamp(1, 'a', 2)").unwrap_err().to_string();
/// assert!(err.ends_with("TypeError: clamp() argument 2 must be float, not str"));
/// let err = vm.exec("clamp(1, 5, 2)").unwrap_err().to_string();
/// assert!(err.ends_with("ValueError: empty range 5..2"));
/// let err = vm.exec("clamp(1)").unwrap_err().to_string();
/// assert!(err.ends_with("TypeError: clamp expected 3 arguments, got 1"));
///
/// // Without a count check, a missing argument is still a TypeError, never a panic.
/// vm.register_native("first_word", |vm, a| {
///     let s: String = arg(vm, "first_word", a.pos, 0)?;
///     Ok(Value::str(s.split_whitespace().next().unwrap_or("")))
/// });
/// let err = vm.exec("first_word()").unwrap_err().to_string();
/// assert!(err.ends_with("TypeError: first_word expected at least 1 argument, got 0"));
/// # Ok::<(), aio_vm::Error>(())
/// ```
pub fn arg<T: FromValue>(vm: &mut Vm, name: &str, pos: &[Value], i: usize) -> PyResult<T> {
    let Some(v) = pos.get(i) else {
        let need = i + 1;
        let s = if need == 1 { "" } else { "s" };
        return Err(vm.new_type_error(format!(
            "{name} expected at least {need} argument{s}, got {}",
            pos.len()
        )));
    };
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
    /// Arguments are positional only, and all required (`Option<T>` accepts `None`). To
    /// raise, the closure returns `Result<T, HostError>` (see [`HostError`] and
    /// [`IntoPyResult`]).
    ///
    /// ```
    /// use aio_vm::Vm;
    /// use std::collections::HashMap;
    ///
    /// let mut vm = Vm::new();
    /// vm.register_fn(
    ///     "total",
    ///     |prices: HashMap<String, f64>, qty: Vec<(String, i64)>| {
    ///         qty.iter()
    ///             .map(|(item, n)| prices.get(item).copied().unwrap_or(0.0) * *n as f64)
    ///             .sum::<f64>()
    ///     },
    /// );
    /// vm.register_fn("pad", |s: String, width: Option<usize>| {
    ///     format!("{s:>w$}", w = width.unwrap_or(6))
    /// });
    /// vm.exec(
    ///     "t = total({'tea': 2.5, 'cake': 4.0}, [('tea', 2), ('cake', 1), ('jam', 9)])\n\
    ///      p = [pad('ab', 4), pad('ab', None)]\n",
    /// )?;
    /// assert_eq!(vm.get_global::<f64>("t")?, 9.0);
    /// assert_eq!(vm.get_global::<Vec<String>>("p")?, ["  ab", "    ab"]);
    /// let err = vm
    ///     .exec("total({}, [('tea', 'two')])")
    ///     .unwrap_err()
    ///     .to_string();
    /// assert!(
    ///     err.ends_with("TypeError: total() argument 2 must be list[tuple[str, int]], not list")
    /// );
    /// let err = vm.exec("pad('ab')").unwrap_err().to_string();
    /// assert!(err.ends_with("TypeError: pad() takes 2 positional arguments but 1 was given"));
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn register_fn<M>(&mut self, name: &str, f: impl IntoNative<M>) {
        let v = self.native_fn_value(name, f);
        let b = self.builtins.clone();
        self.dict_set_str(&b, name, v);
    }

    /// Makes a raw native closure (all arguments, keyword arguments included, as [`Args`])
    /// a built-in function `name`: for optional and keyword arguments, and for raising
    /// exceptions (the closure gets the `&mut Vm`).
    ///
    /// ```
    /// use aio_vm::embed::func::arg;
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.register_native("greet", |vm, a| {
    ///     a.check_count(vm, "greet", 1, 1)?;
    ///     a.check_kwargs(vm, "greet", &["punct"])?;
    ///     let name: String = arg(vm, "greet", a.pos, 0)?;
    ///     let punct = match a.kwarg("punct") {
    ///         Some(v) => vm.from_value::<String>(v)?,
    ///         None => "!".to_string(),
    ///     };
    ///     Ok(Value::str(format!("hello {name}{punct}")))
    /// });
    /// vm.exec("r = [greet('ann'), greet('bob', punct='?')]")?;
    /// assert_eq!(
    ///     vm.get_global::<Vec<String>>("r")?,
    ///     ["hello ann!", "hello bob?"]
    /// );
    /// let err = vm.exec("greet('x', loud=True)").unwrap_err().to_string();
    /// assert!(err.ends_with("TypeError: 'loud' is an invalid keyword argument for greet()"));
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
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
    /// to a script function), without making it a builtin.
    ///
    /// ```
    /// use aio_vm::Vm;
    ///
    /// let mut vm = Vm::new();
    /// vm.exec("def apply(f, xs):\n    return [f(x) for x in xs]\n")?;
    /// let double = vm.native_fn_value("double", |x: i64| x * 2);
    /// assert_eq!(
    ///     vm.repr(&double).ok().unwrap().as_str(),
    ///     "<built-in function double>"
    /// );
    /// let r: Vec<i64> = vm.call_function("apply", (double, vec![1, 2, 3]))?;
    /// assert_eq!(r, [2, 4, 6]);
    /// assert!(vm.exec("double(1)").is_err()); // not a builtin
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn native_fn_value<M>(&mut self, name: &str, f: impl IntoNative<M>) -> Value {
        let c = f.into_native(name);
        native_closure(self, name, None, c)
    }
}

impl crate::module::ModuleBuilder<'_> {
    /// Adds a typed Rust closure as function `name` (see [`Vm::register_fn`]); see the
    /// example of [`Vm::register_module`].
    pub fn typed_fn<M>(&mut self, name: &str, f: impl IntoNative<M>) -> &mut Self {
        let module = self.fn_module().to_string();
        let c = f.into_native(name);
        let v = crate::builtins::module_native(self.vm(), &module, name, NativeImpl::Closure(c));
        self.set(name, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HostError;

    fn message(vm: &mut Vm, e: Obj) -> String {
        let v = Value::Obj(e);
        let text = vm.to_str(&v).ok().unwrap();
        format!("{}: {}", vm.type_name(&v), text.as_str())
    }

    #[test]
    fn arg_out_of_range_is_a_type_error_not_a_panic() {
        let mut vm = Vm::new();
        let pos = [Value::Int(1)];
        assert_eq!(arg::<i64>(&mut vm, "f", &pos, 0).ok(), Some(1));
        for (i, args, want) in [
            (
                1,
                &pos[..],
                "TypeError: f expected at least 2 arguments, got 1",
            ),
            (
                0,
                &[][..],
                "TypeError: f expected at least 1 argument, got 0",
            ),
            (
                5,
                &pos[..],
                "TypeError: f expected at least 6 arguments, got 1",
            ),
        ] {
            let e = arg::<i64>(&mut vm, "f", args, i).err().unwrap();
            assert_eq!(message(&mut vm, e), want);
        }
    }

    #[test]
    fn typed_closures_raise_host_errors() {
        let mut vm = Vm::new();
        let f = vm.native_fn_value("half", |n: i64| {
            if n % 2 == 0 {
                Ok(n / 2)
            } else {
                Err(HostError::value_error(format!("{n} is odd")))
            }
        });
        assert_eq!(vm.call_value::<i64>(&f, (8,)).ok(), Some(4));
        let err = vm.call_value::<i64>(&f, (3,)).unwrap_err().to_string();
        // No script frame: the report is the exception line alone, as in CPython.
        assert_eq!(err, "ValueError: 3 is odd");
        // Unit results and every arity take a HostError too.
        let g = vm.native_fn_value("check", |a: i64, b: i64, c: i64| {
            if a + b == c {
                Ok(())
            } else {
                Err(HostError::new(
                    "AssertionError",
                    format!("{a} + {b} != {c}"),
                ))
            }
        });
        assert!(vm.call_value::<Value>(&g, (1, 2, 3)).is_ok());
        let err = vm
            .call_value::<Value>(&g, (1, 2, 4))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "AssertionError: 1 + 2 != 4");
        // Caught by scripts like any exception of that class.
        vm.set_global("half", f);
        vm.exec("try:\n    half(5)\nexcept ValueError as e:\n    r = (type(e).__name__, e.args)\n")
            .unwrap();
        assert_eq!(
            vm.get_global::<(String, Vec<String>)>("r").unwrap(),
            ("ValueError".to_string(), vec!["5 is odd".to_string()])
        );
    }
}
