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

/// Arguments of a native call.
#[derive(Clone, Copy)]
pub struct Args<'a> {
    /// Positional arguments (`self` first for methods).
    pub pos: &'a [Value],
    /// Keyword arguments, in call order.
    pub kw: &'a [(Rc<Str>, Value)],
}

impl<'a> Args<'a> {
    /// Positional-only arguments.
    pub fn new(pos: &'a [Value]) -> Args<'a> {
        Args { pos, kw: &[] }
    }

    /// Number of positional arguments.
    #[inline]
    pub fn len(&self) -> usize {
        self.pos.len()
    }

    /// True when there are no positional arguments.
    pub fn is_empty(&self) -> bool {
        self.pos.is_empty()
    }

    /// Positional argument `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a Value> {
        self.pos.get(i)
    }

    /// Keyword argument `name`.
    pub fn kwarg(&self, name: &str) -> Option<&'a Value> {
        self.kw
            .iter()
            .find(|(k, _)| k.as_str() == name)
            .map(|(_, v)| v)
    }

    /// Positional argument `i`, or keyword `name`.
    pub fn arg(&self, i: usize, name: &str) -> Option<&'a Value> {
        self.pos.get(i).or_else(|| self.kwarg(name))
    }

    /// Fails with CPython's message unless there are no keyword arguments.
    pub fn no_kwargs(&self, vm: &mut Vm, fname: &str) -> PyResult<()> {
        if self.kw.is_empty() {
            Ok(())
        } else {
            Err(vm.new_type_error(format!("{fname}() takes no keyword arguments")))
        }
    }

    /// Fails unless every keyword is one of `allowed`, as CPython's argument parser does
    /// (`'x' is an invalid keyword argument for print()`).
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

    /// Checks the positional count is in `min..=max` with CPython's wording
    /// (`len() takes exactly one argument (2 given)`, `expected at most 2 arguments, got 3`).
    pub fn check_count(&self, vm: &mut Vm, fname: &str, min: usize, max: usize) -> PyResult<()> {
        let n = self.pos.len();
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

    /// For methods: checks the count of arguments after `self`, with the messages CPython
    /// gives for methods (`append() takes exactly one argument (0 given)`).
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
