//! [`HostError`]: an exception described as plain data, for host code that has no `&mut Vm`
//! to build an exception object with (typed closures of [`Vm::register_fn`], worker threads
//! of `aio_stdlib::asyncio::threads`).
//!
//! ```
//! use aio_vm::{HostError, Vm};
//!
//! let mut vm = Vm::new();
//! vm.register_fn("ratio", |a: f64, b: f64| {
//!     if b == 0.0 {
//!         return Err(HostError::new("ZeroDivisionError", "ratio() of zero"));
//!     }
//!     Ok(a / b)
//! });
//! vm.exec(
//!     "try:\n\
//!      \x20   ratio(1, 0)\n\
//!      except ArithmeticError as e:\n\
//!      \x20   caught = type(e).__name__ + ': ' + str(e)\n",
//! )?;
//! assert_eq!(
//!     vm.get_global::<String>("caught")?,
//!     "ZeroDivisionError: ratio() of zero"
//! );
//! # Ok::<(), aio_vm::Error>(())
//! ```

use crate::types::is_subtype;
use crate::value::{Obj, Value};
use crate::vm::Vm;

/// An exception to raise, as plain data: the name of a built-in exception class
/// (`"ValueError"`, `"KeyError"`, `"OSError"`, ...) and its message. It is `Send`, so a
/// worker thread can produce one (`aio_stdlib::asyncio::threads::SendError` is this type).
///
/// A typed closure given to [`Vm::register_fn`] (or
/// [`ModuleBuilder::typed_fn`](crate::module::ModuleBuilder::typed_fn)) returns
/// `Result<T, HostError>` to raise; the exception is made when the call returns, with
/// [`HostError::into_exception`]: `exc_type(message)`, a single-argument instance of the
/// built-in class. A name that is not a built-in exception class raises `RuntimeError`
/// with the name kept in the message (`RuntimeError: NoSuchError: message`), so a typo
/// is visible rather than silently changing the class.
///
/// ```
/// use aio_vm::{HostError, Vm};
/// use std::collections::HashMap;
///
/// let prices = HashMap::from([("tea".to_string(), 2.5)]);
/// let mut vm = Vm::new();
/// vm.register_fn("price", move |item: String, qty: i64| {
///     if qty < 0 {
///         return Err(HostError::value_error(format!("negative quantity {qty}")));
///     }
///     match prices.get(&item) {
///         Some(p) => Ok(p * qty as f64),
///         None => Err(HostError::key_error(item)),
///     }
/// });
/// vm.exec(
///     "t = price('tea', 2)\n\
///      try:\n\
///      \x20   price('jam', 1)\n\
///      except KeyError as e:\n\
///      \x20   missing = repr(e)\n",
/// )?;
/// assert_eq!(vm.get_global::<f64>("t")?, 5.0);
/// assert_eq!(vm.get_global::<String>("missing")?, "KeyError('jam')");
/// let err = vm.exec("price('tea', -1)").unwrap_err().to_string();
/// assert!(err.ends_with("ValueError: negative quantity -1"));
///
/// // Not a built-in exception class: RuntimeError, naming it.
/// vm.register_fn("typo", || -> Result<(), HostError> {
///     Err(HostError::new("ValeuError", "bad"))
/// });
/// let err = vm.exec("typo()").unwrap_err().to_string();
/// assert!(err.ends_with("RuntimeError: ValeuError: bad"));
/// assert_eq!(HostError::type_error("x").to_string(), "TypeError: x");
/// # Ok::<(), aio_vm::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HostError {
    /// The name of a built-in exception class (`"ValueError"`, `"OSError"`, ...).
    pub exc_type: String,
    /// Its message (the single argument the exception is called with).
    pub message: String,
}

impl HostError {
    /// `exc_type(message)`, for any built-in exception class. See the example of
    /// [`HostError`].
    pub fn new(exc_type: &str, message: impl Into<String>) -> HostError {
        HostError {
            exc_type: exc_type.to_string(),
            message: message.into(),
        }
    }

    /// `TypeError(message)`. See the example of [`HostError`].
    pub fn type_error(message: impl Into<String>) -> HostError {
        HostError::new("TypeError", message)
    }

    /// `ValueError(message)`. See the example of [`HostError`].
    pub fn value_error(message: impl Into<String>) -> HostError {
        HostError::new("ValueError", message)
    }

    /// `KeyError(key)`: the key as a str (its `repr` is shown). See the example of
    /// [`HostError`].
    pub fn key_error(key: impl Into<String>) -> HostError {
        HostError::new("KeyError", key)
    }

    /// `IndexError(message)`. See the example of [`HostError`].
    pub fn index_error(message: impl Into<String>) -> HostError {
        HostError::new("IndexError", message)
    }

    /// `RuntimeError(message)`. See the example of [`HostError`].
    pub fn runtime_error(message: impl Into<String>) -> HostError {
        HostError::new("RuntimeError", message)
    }

    /// `OSError(message)`. See the example of [`HostError`].
    pub fn os_error(message: impl Into<String>) -> HostError {
        HostError::new("OSError", message)
    }

    /// The exception object: the built-in class named `exc_type` (looked up in the VM's
    /// `builtins`) called with the message, or `RuntimeError("exc_type: message")` when
    /// there is no such exception class. For natives that do have the `&mut Vm` and want
    /// to raise a `HostError` (`Err(e.into_exception(vm))`).
    ///
    /// ```
    /// use aio_vm::{HostError, Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// let e = HostError::new("PermissionError", "read-only").into_exception(&mut vm);
    /// let e = Value::Obj(e);
    /// assert_eq!(vm.repr(&e).ok().unwrap().as_str(), "PermissionError('read-only')");
    /// let os_error = vm.exc.os_error.clone();
    /// assert!(vm.isinstance(&e, &os_error));
    /// ```
    pub fn into_exception(self, vm: &mut Vm) -> Obj {
        let builtins = vm.builtins.clone();
        let name = vm.intern(&self.exc_type);
        match vm.dict_get_str(&builtins, &name) {
            Some(Value::Obj(c)) if is_subtype(&c, &vm.exc.base_exception) => {
                vm.new_exception_msg(&c, self.message)
            }
            _ => {
                let cls = vm.exc.runtime_error.clone();
                vm.new_exception_msg(&cls, self.to_string())
            }
        }
    }
}

impl std::fmt::Display for HostError {
    /// `ExcType: message`, as the last line of a traceback shows it (`ExcType` alone for
    /// an empty message).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.message.is_empty() {
            f.write_str(&self.exc_type)
        } else {
            write!(f, "{}: {}", self.exc_type, self.message)
        }
    }
}

impl std::error::Error for HostError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn crosses_threads() {
        assert_send_sync::<HostError>();
        let e = std::thread::spawn(|| HostError::os_error("disk full"))
            .join()
            .unwrap();
        assert_eq!(e, HostError::new("OSError", "disk full"));
    }

    #[test]
    fn exceptions_are_the_named_builtin_classes() {
        let mut vm = Vm::new();
        for (e, class, shown) in [
            (HostError::type_error("t"), "TypeError", "TypeError('t')"),
            (HostError::value_error("v"), "ValueError", "ValueError('v')"),
            (HostError::key_error("k"), "KeyError", "KeyError('k')"),
            (HostError::index_error("i"), "IndexError", "IndexError('i')"),
            (
                HostError::runtime_error("r"),
                "RuntimeError",
                "RuntimeError('r')",
            ),
            (HostError::os_error("o"), "OSError", "OSError('o')"),
            (
                HostError::new("FileNotFoundError", "f"),
                "FileNotFoundError",
                "FileNotFoundError('f')",
            ),
            (
                HostError::new("StopIteration", "s"),
                "StopIteration",
                "StopIteration('s')",
            ),
            // Not exception classes: RuntimeError naming what was asked for.
            (
                HostError::new("int", "x"),
                "RuntimeError",
                "RuntimeError('int: x')",
            ),
            (
                HostError::new("NoSuchError", ""),
                "RuntimeError",
                "RuntimeError('NoSuchError')",
            ),
        ] {
            let obj = Value::Obj(e.into_exception(&mut vm));
            let cls = vm.class_of(&obj).clone();
            assert_eq!(vm.type_name(&obj), class);
            assert!(is_subtype(&cls, &vm.exc.base_exception));
            assert_eq!(vm.repr(&obj).ok().unwrap().as_str(), shown);
        }
    }

    #[test]
    fn display_is_the_last_traceback_line() {
        assert_eq!(
            HostError::value_error("bad value").to_string(),
            "ValueError: bad value"
        );
        assert_eq!(HostError::new("KeyError", "").to_string(), "KeyError");
    }
}
