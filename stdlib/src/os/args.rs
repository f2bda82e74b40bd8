//! Argument conversion for the `os` natives, as CPython's `posixmodule.c` converters do:
//! `path_converter` (str, bytes or an `os.PathLike`, and an fd where the function takes
//! one), the `int` fd converter and `fildes_converter` (an int or an object with
//! `fileno()`).

use aio_vm::module::{call_method, lookup_special, to_index_i64};
use aio_vm::object::Payload;
use aio_vm::{PyResult, Value, Vm};
use std::ffi::CString;

/// A path argument after conversion.
pub(crate) struct PathArg {
    /// The bytes handed to the C library.
    pub c: CString,
    /// The str or bytes (an `os.PathLike`'s `__fspath__()`): what an `OSError` names.
    pub obj: Value,
    /// Whether the path was bytes (results come back as bytes then).
    pub bytes: bool,
}

/// What a path-or-fd argument turned out to be.
pub(crate) enum PathOrFd {
    Path(PathArg),
    Fd(i32),
}

/// The `str` or `bytes` a path argument stands for, or `None` for another type.
fn path_bytes(vm: &mut Vm, v: &Value, fname: &str) -> PyResult<Option<(Vec<u8>, bool, Value)>> {
    let direct = |v: &Value| -> Option<(Vec<u8>, bool)> {
        match v {
            Value::Str(s) => Some((s.as_str().as_bytes().to_vec(), false)),
            Value::Obj(o) => match &o.payload {
                Payload::Str(s) => Some((s.as_str().as_bytes().to_vec(), false)),
                Payload::Bytes(b) => Some((b.to_vec(), true)),
                _ => None,
            },
            _ => None,
        }
    };
    if let Some((b, bytes)) = direct(v) {
        return Ok(Some((b, bytes, v.clone())));
    }
    if matches!(v, Value::Int(_) | Value::Bool(_) | Value::None) {
        return Ok(None);
    }
    let Ok(Some(func)) = lookup_special(vm, v, "__fspath__") else {
        return Ok(None);
    };
    let r = vm.call(&func, &[], &[])?;
    match direct(&r) {
        Some((b, bytes)) => Ok(Some((b, bytes, r))),
        None => {
            let (t, got) = (vm.type_name(v), vm.type_name(&r));
            Err(vm.new_type_error(format!(
                "{fname}: expected {t}.__fspath__() to return str or bytes, not {got}"
            )))
        }
    }
}

/// Converts argument `arg` of `fname`: a path, or with `allow_fd` also an int fd.
pub(crate) fn path_or_fd(
    vm: &mut Vm,
    v: &Value,
    fname: &str,
    arg: &str,
    allow_fd: bool,
) -> PyResult<PathOrFd> {
    if let Some((b, bytes, obj)) = path_bytes(vm, v, fname)? {
        if b.contains(&0) {
            return Err(if bytes {
                vm.new_value_error(format!("{fname}: embedded null character in {arg}"))
            } else {
                vm.new_value_error("embedded null byte")
            });
        }
        let c = CString::new(b).expect("no NUL");
        return Ok(PathOrFd::Path(PathArg { c, obj, bytes }));
    }
    if allow_fd && matches!(v, Value::Int(_) | Value::Bool(_)) {
        return Ok(PathOrFd::Fd(c_int(vm, v)?));
    }
    let kinds = if allow_fd {
        "string, bytes, os.PathLike or integer"
    } else {
        "string, bytes or os.PathLike"
    };
    Err(vm.new_type_error(format!(
        "{fname}: {arg} should be {kinds}, not {}",
        vm.type_name(v)
    )))
}

/// A path argument (no fd).
pub(crate) fn path(vm: &mut Vm, v: &Value, fname: &str, arg: &str) -> PyResult<PathArg> {
    match path_or_fd(vm, v, fname, arg, false)? {
        PathOrFd::Path(p) => Ok(p),
        PathOrFd::Fd(_) => unreachable!("fds are not allowed"),
    }
}

/// An int argument that must fit a C `int` (the clinic `int` converter).
pub(crate) fn c_int(vm: &mut Vm, v: &Value) -> PyResult<i32> {
    if let Value::Float(_) = v {
        return Err(vm.new_type_error("'float' object cannot be interpreted as an integer"));
    }
    let n = to_index_i64(vm, v).map_err(|_| {
        let t = vm.type_name(v);
        vm.new_type_error(format!("'{t}' object cannot be interpreted as an integer"))
    })?;
    i32::try_from(n).map_err(|_| {
        if n > 0 {
            vm.new_overflow_error("signed integer is greater than maximum")
        } else {
            vm.new_overflow_error("signed integer is less than minimum")
        }
    })
}

/// An int argument that must fit an `i64` (`off_t`, `Py_ssize_t`).
pub(crate) fn c_long(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    if let Value::Float(_) = v {
        return Err(vm.new_type_error("'float' object cannot be interpreted as an integer"));
    }
    to_index_i64(vm, v).map_err(|_| {
        if aio_vm::module::as_int(v).is_some() {
            vm.new_overflow_error("Python int too large to convert to C long")
        } else {
            let t = vm.type_name(v);
            vm.new_type_error(format!("'{t}' object cannot be interpreted as an integer"))
        }
    })
}

/// CPython's `fildes_converter`: an int, or an object whose `fileno()` gives one.
pub(crate) fn fildes(vm: &mut Vm, v: &Value) -> PyResult<i32> {
    let fd = if aio_vm::module::as_int(v).is_some() {
        c_int(vm, v)?
    } else {
        fileno(vm, v)?
    };
    if fd < 0 {
        return Err(vm.new_value_error(format!(
            "file descriptor cannot be a negative integer ({fd})"
        )));
    }
    Ok(fd)
}

/// The fd `v.fileno()` gives.
fn fileno(vm: &mut Vm, v: &Value) -> PyResult<i32> {
    let has = aio_vm::module::getattr(vm, v, "fileno").is_ok();
    if !has {
        return Err(vm.new_type_error("argument must be an int, or have a fileno() method."));
    }
    let r = call_method(vm, v, "fileno", &[])?;
    if aio_vm::module::as_int(&r).is_none() {
        return Err(vm.new_type_error("fileno() returned a non-integer"));
    }
    c_int(vm, &r)
}

/// A `dir_fd` keyword: `None` is `AT_FDCWD`.
pub(crate) fn dir_fd(vm: &mut Vm, v: Option<&Value>) -> PyResult<i32> {
    match v {
        None | Some(Value::None) => Ok(libc::AT_FDCWD),
        Some(v) => {
            if aio_vm::module::as_int(v).is_none() {
                let t = vm.type_name(v);
                return Err(
                    vm.new_type_error(format!("argument should be integer or None, not {t}"))
                );
            }
            c_int(vm, v)
        }
    }
}

/// A truth-valued argument (`None` when absent gives `default`).
pub(crate) fn flag(vm: &mut Vm, v: Option<&Value>, default: bool) -> PyResult<bool> {
    match v {
        None => Ok(default),
        Some(v) => vm.is_true(v),
    }
}

/// The C library's `errno` after a failed call; the `OSError` for an errno, naming the
/// file (and second file) when given: the helpers `fs` already has.
pub(crate) use crate::fs::{last_errno as errno, os_error as err};

/// The `OSError` for the current `errno`, naming no file.
pub(crate) fn last_err(vm: &mut Vm) -> aio_vm::Obj {
    err(vm, errno(), None, None)
}

/// The int at position `i` of a native whose aio wrapper has already checked and range-limited
/// its arguments (`resource`, `fcntl`); 0 if it is missing.
pub(crate) fn checked_int(a: &aio_vm::native::Args, i: usize) -> i64 {
    match a.pos.get(i) {
        Some(Value::Int(n)) => *n,
        _ => 0,
    }
}
