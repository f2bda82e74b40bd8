//! Functions implemented in Rust: how they are stored ([`NativeFunction`]), how they receive
//! arguments ([`Args`]), and the argument checks that raise CPython's `TypeError` messages.

use crate::str::Str;
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

/// The signature of a native function: positional arguments (for methods, `self` first) and
/// keyword arguments.
pub type NativeFn = fn(&mut Vm, Args<'_>) -> PyResult;

/// A native callable that captures state (host closures).
pub type NativeClosure = Rc<dyn Fn(&mut Vm, Args<'_>) -> PyResult>;

/// How a native function is implemented.
#[derive(Clone)]
pub enum NativeImpl {
    /// A plain function pointer.
    Fn(NativeFn),
    /// A closure.
    Closure(NativeClosure),
}

/// A built-in function or method.
#[derive(Clone)]
pub struct NativeFunction {
    /// `__name__`.
    pub name: Rc<Str>,
    /// The class that defines it, for methods (`list` in `list.append`).
    pub owner: Option<Rc<Str>>,
    /// The module that defines it, for module functions (`__module__`: `math` for
    /// `math.sqrt`); `None` for the built-ins and methods.
    pub module: Option<Rc<Str>>,
    /// The implementation.
    pub func: NativeImpl,
    /// The bound receiver (`[].append` binds the list).
    pub bound: Option<Value>,
    /// True for `__new__`-like static methods that receive the class explicitly.
    pub is_static: bool,
}

/// Arguments of a native call, with the checks that raise CPython's messages.
///
/// ```
/// use aio_vm::native::Args;
/// use aio_vm::{PyResult, Value, Vm};
///
/// /// `scale(x, factor=2, *, clip=None)`
/// fn scale(vm: &mut Vm, a: Args) -> PyResult {
///     a.check_count(vm, "scale", 1, 2)?;
///     a.check_kwargs(vm, "scale", &["factor", "clip"])?;
///     let x: f64 = vm.from_value(a.get(0).unwrap())?;
///     let factor: f64 = match a.arg(1, "factor") {
///         Some(v) => vm.from_value(v)?,
///         None => 2.0,
///     };
///     let y = x * factor;
///     Ok(Value::float(match a.kwarg("clip") {
///         Some(c) => y.min(vm.from_value(c)?),
///         None => y,
///     }))
/// }
///
/// let mut vm = Vm::new();
/// vm.register_native("scale", scale);
/// vm.exec("r = [scale(1), scale(1, 3), scale(1, factor=5), scale(4, clip=5.0)]")?;
/// assert_eq!(vm.get_global::<Vec<f64>>("r")?, [2.0, 3.0, 5.0, 5.0]);
/// let err = vm.exec("scale()").unwrap_err().to_string();
/// assert!(err.ends_with("TypeError: scale expected at least 1 argument, got 0"));
/// let err = vm.exec("scale(1, size=2)").unwrap_err().to_string();
/// assert!(err.ends_with("TypeError: 'size' is an invalid keyword argument for scale()"));
///
/// let pos = [Value::Int(1)];
/// let args = Args::new(&pos);
/// assert_eq!((args.len(), args.is_empty()), (1, false));
/// assert!(args.no_kwargs(&mut vm, "f").is_ok());
/// # Ok::<(), aio_vm::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Args<'a> {
    /// Positional arguments (`self` first for methods).
    pub pos: &'a [Value],
    /// Keyword arguments, in call order.
    pub kw: &'a [(Rc<Str>, Value)],
}

impl<'a> Args<'a> {
    /// Positional-only arguments (to call a native function directly). See the example of
    /// [`Args`].
    pub fn new(pos: &'a [Value]) -> Args<'a> {
        Args { pos, kw: &[] }
    }

    /// Number of positional arguments. See the example of [`Args`].
    #[inline]
    pub fn len(&self) -> usize {
        self.pos.len()
    }

    /// True when there are no positional arguments. See the example of [`Args`].
    pub fn is_empty(&self) -> bool {
        self.pos.is_empty()
    }

    /// Positional argument `i`. See the example of [`Args`].
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a Value> {
        self.pos.get(i)
    }

    /// Keyword argument `name`. See the example of [`Args`].
    pub fn kwarg(&self, name: &str) -> Option<&'a Value> {
        self.kw
            .iter()
            .find(|(k, _)| k.as_str() == name)
            .map(|(_, v)| v)
    }

    /// Positional argument `i`, or keyword `name`. See the example of [`Args`].
    pub fn arg(&self, i: usize, name: &str) -> Option<&'a Value> {
        self.pos.get(i).or_else(|| self.kwarg(name))
    }

    /// Fails with CPython's message unless there are no keyword arguments. See the example
    /// of [`Args`].
    pub fn no_kwargs(&self, vm: &mut Vm, fname: &str) -> PyResult<()> {
        if self.kw.is_empty() {
            Ok(())
        } else {
            Err(vm.new_type_error(format!("{fname}() takes no keyword arguments")))
        }
    }

    /// Fails unless every keyword is one of `allowed`, as CPython's argument parser does
    /// (`'x' is an invalid keyword argument for print()`). See the example of [`Args`].
    pub fn check_kwargs(&self, vm: &mut Vm, fname: &str, allowed: &[&str]) -> PyResult<()> {
        for (k, _) in self.kw {
            if !allowed.contains(&k.as_str()) {
                return Err(vm.new_type_error(format!(
                    "'{}' is an invalid keyword argument for {fname}()",
                    k.as_str()
                )));
            }
        }
        Ok(())
    }

    /// Binds the arguments as a Python `def qual(params...)` with positional-or-keyword
    /// parameters and no defaults binds them (for natives standing in for Python-level
    /// functions and methods, `self` included): the values in parameter order, or the
    /// `TypeError` CPython gives, in CPython's order of checks (keywords first).
    pub fn bind_def<const N: usize>(
        &self,
        vm: &mut Vm,
        qual: &str,
        params: [&str; N],
    ) -> PyResult<[Value; N]> {
        if self.kw.is_empty() && self.pos.len() == N {
            return Ok(std::array::from_fn(|i| self.pos[i].clone()));
        }
        let mut out: [Option<Value>; N] = std::array::from_fn(|i| self.pos.get(i).cloned());
        for (k, v) in self.kw {
            let msg = match params.iter().position(|p| *p == k.as_str()) {
                None => format!(
                    "{qual}() got an unexpected keyword argument '{}'",
                    k.as_str()
                ),
                Some(i) if out[i].is_some() => {
                    format!("{qual}() got multiple values for argument '{}'", k.as_str())
                }
                Some(i) => {
                    out[i] = Some(v.clone());
                    continue;
                }
            };
            return Err(vm.new_type_error(msg));
        }
        let given = self.pos.len();
        if given > N {
            let s = if N == 1 { "" } else { "s" };
            let was = if given == 1 { "was" } else { "were" };
            return Err(vm.new_type_error(format!(
                "{qual}() takes {N} positional argument{s} but {given} {was} given"
            )));
        }
        let missing: Vec<String> = (0..N)
            .filter(|&i| out[i].is_none())
            .map(|i| format!("'{}'", params[i]))
            .collect();
        if !missing.is_empty() {
            let list = match missing.len() {
                1 => missing[0].clone(),
                2 => format!("{} and {}", missing[0], missing[1]),
                n => format!("{}, and {}", missing[..n - 1].join(", "), missing[n - 1]),
            };
            let s = if missing.len() == 1 { "" } else { "s" };
            return Err(vm.new_type_error(format!(
                "{qual}() missing {} required positional argument{s}: {list}",
                missing.len()
            )));
        }
        Ok(out.map(|v| v.unwrap_or(Value::None)))
    }

    /// Checks the positional count is in `min..=max` with CPython's wording
    /// (`len() takes exactly one argument (2 given)`, `expected at most 2 arguments, got 3`).
    /// See the example of [`Args`].
    pub fn check_count(&self, vm: &mut Vm, fname: &str, min: usize, max: usize) -> PyResult<()> {
        let n = self.pos.len();
        if n >= min && n <= max {
            return Ok(());
        }
        // `list.append` names the method whole in the METH_O / METH_NOARGS messages and
        // bare in argument clinic's ("pop expected at most 1 argument").
        let qualified = fname;
        let fname = fname.rsplit('.').next().unwrap_or(fname);
        let msg = if min == max {
            match min {
                0 => format!("{qualified}() takes no arguments ({n} given)"),
                1 => format!("{qualified}() takes exactly one argument ({n} given)"),
                _ => format!("{fname} expected {min} arguments, got {n}"),
            }
        } else if n < min {
            format!(
                "{fname} expected at least {min} argument{}, got {n}",
                if min == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "{fname} expected at most {max} argument{}, got {n}",
                if max == 1 { "" } else { "s" }
            )
        };
        Err(vm.new_type_error(msg))
    }

    /// For methods: checks the count of arguments after `self`, with the messages CPython
    /// gives for methods (`append() takes exactly one argument (0 given)`). See the example
    /// of [`ClassBuilder`](crate::module::ClassBuilder).
    pub fn method_count(&self, vm: &mut Vm, fname: &str, min: usize, max: usize) -> PyResult<()> {
        let n = self.pos.len().saturating_sub(1);
        if n >= min && n <= max {
            return Ok(());
        }
        let msg = if min == max {
            match min {
                0 => format!("{fname}() takes no arguments ({n} given)"),
                1 => format!("{fname}() takes exactly one argument ({n} given)"),
                _ => format!("{fname} expected {min} arguments, got {n}"),
            }
        } else if n < min {
            format!(
                "{fname} expected at least {min} argument{}, got {n}",
                if min == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "{fname} expected at most {max} argument{}, got {n}",
                if max == 1 { "" } else { "s" }
            )
        };
        Err(vm.new_type_error(msg))
    }
}
