//! The members of built-in exceptions (CPython's `T_OBJECT` members and getsets of
//! `PyOSErrorObject`, `PySyntaxErrorObject`, ...): `OSError.errno`, `SyntaxError.lineno`,
//! `UnicodeDecodeError.start`, `StopIteration.value`, ... They are never instance-dict
//! entries: assigning one changes what `str()` shows and `vars()` stays as it was.
//!
//! Storage is the exception's `extra`. A family with one member keeps it there as it is;
//! the others keep a tuple of all their members once one is assigned (or construction
//! needs it), and until then read them from `args` as their `__init__` would have set
//! them, so that creating an exception allocates nothing more. A member CPython leaves
//! `NULL` is the VM's null marker in that tuple (read as `None`, except
//! `characters_written`).

use crate::native::Args;
use crate::object::{ExcData, Payload};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;
use std::rc::Rc;

/// A built-in exception class whose instances (and its subclasses') carry members.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Family {
    /// `StopIteration.value`.
    Stop,
    /// `SystemExit.code`.
    Exit,
    /// `NameError.name`.
    Name,
    /// `AttributeError.name`, `.obj`.
    Attribute,
    /// `ImportError.name`, `.path`, `.msg`.
    Import,
    /// `OSError.errno`, `.strerror`, `.filename`, `.filename2`, `.characters_written`.
    Os,
    /// `SyntaxError.msg`, `.filename`, `.lineno`, ... `.print_file_and_line`.
    Syntax,
    /// `UnicodeEncodeError`'s `encoding`, `object`, `start`, `end`, `reason`.
    Encode,
    /// `UnicodeDecodeError`'s, as [`Family::Encode`].
    Decode,
    /// `UnicodeTranslateError`'s, as [`Family::Encode`] (made without an encoding).
    Translate,
    /// `BaseExceptionGroup.message`, `.exceptions` (read-only).
    Group,
}

/// Indexes of [`Family::Os`]'s members.
pub(crate) const OS_ERRNO: usize = 0;
/// `OSError.strerror`.
pub(crate) const OS_STRERROR: usize = 1;
/// `OSError.filename`.
pub(crate) const OS_FILENAME: usize = 2;
/// `OSError.filename2`.
pub(crate) const OS_FILENAME2: usize = 3;
/// `OSError.characters_written`.
const OS_WRITTEN: usize = 4;

const UNICODE_NAMES: &[&str] = &["encoding", "object", "start", "end", "reason"];

impl Family {
    /// The member names, in the order of the tuple `extra` holds them in.
    pub(crate) fn names(self) -> &'static [&'static str] {
        match self {
            Family::Stop => &["value"],
            Family::Exit => &["code"],
            Family::Name => &["name"],
            Family::Attribute => &["name", "obj"],
            Family::Import => &["name", "path", "msg"],
            Family::Os => &[
                "errno",
                "strerror",
                "filename",
                "filename2",
                "characters_written",
            ],
            Family::Syntax => &[
                "msg",
                "filename",
                "lineno",
                "offset",
                "text",
                "end_lineno",
                "end_offset",
                "print_file_and_line",
            ],
            Family::Encode | Family::Decode | Family::Translate => UNICODE_NAMES,
            Family::Group => &["message", "exceptions"],
        }
    }

    /// Whether `extra` holds the single member itself rather than a tuple.
    fn single(self) -> bool {
        matches!(self, Family::Stop | Family::Exit | Family::Name)
    }

    /// The class defining the members.
    fn class(self, vm: &Vm) -> &Obj {
        let e = &vm.exc;
        match self {
            Family::Stop => &e.stop_iteration,
            Family::Exit => &e.system_exit,
            Family::Name => &e.name_error,
            Family::Attribute => &e.attribute_error,
            Family::Import => &e.import_error,
            Family::Os => &e.os_error,
            Family::Syntax => &e.syntax_error,
            Family::Encode => &e.unicode_encode_error,
            Family::Decode => &e.unicode_decode_error,
            Family::Translate => &e.unicode_translate_error,
            Family::Group => &e.base_exception_group,
        }
    }
}

const FAMILIES: [Family; 11] = [
    Family::Stop,
    Family::Exit,
    Family::Name,
    Family::Attribute,
    Family::Import,
    Family::Os,
    Family::Syntax,
    Family::Encode,
    Family::Decode,
    Family::Translate,
    Family::Group,
];

/// The family of exception class `cls`, in one walk of its MRO: the classes with members
/// all derive from `BaseException`, so they come before it.
pub(crate) fn family_of(vm: &Vm, cls: &Obj) -> Option<Family> {
    let t = cls.as_type()?;
    let mro = t.mro.borrow();
    for c in mro.iter() {
        if Rc::ptr_eq(c, &vm.exc.base_exception) {
            return None;
        }
        if Rc::ptr_eq(c, &vm.exc.exception) {
            continue;
        }
        if let Some(f) = FAMILIES.iter().find(|f| Rc::ptr_eq(c, f.class(vm))) {
            return Some(*f);
        }
    }
    None
}

/// The member names `dir()` lists for class `c` (the ones it defines itself).
pub(crate) fn names_defined_by(vm: &Vm, c: &Obj) -> &'static [&'static str] {
    FAMILIES
        .iter()
        .find(|f| Rc::ptr_eq(c, f.class(vm)))
        .map_or(&[], |f| f.names())
}

fn args_of(d: &ExcData) -> &[Value] {
    match d.args.payload() {
        Some(Payload::Tuple(t)) => t,
        _ => &[],
    }
}

/// The stored tuple of a tuple family, once it has one.
fn stored(fam: Family, d: &ExcData) -> Option<&[Value]> {
    match d.extra.payload() {
        Some(Payload::Tuple(t)) if t.len() == fam.names().len() => Some(t),
        _ => None,
    }
}

/// Member `i` of `fam` (the null marker for `NULL`), from the stored tuple or, before
/// there is one, as `__init__` sets it from `args`.
pub(crate) fn member(vm: &Vm, fam: Family, d: &ExcData, i: usize) -> Value {
    if fam.single() {
        return d.extra.clone();
    }
    if fam == Family::Group {
        // Read-only; `extra` is the tuple copy of the exceptions.
        return match i {
            0 => args_of(d).first().cloned().unwrap_or(Value::None),
            _ => d.extra.clone(),
        };
    }
    if let Some(t) = stored(fam, d) {
        return t[i].clone();
    }
    let args = args_of(d);
    let null = || vm.null_marker.clone();
    match fam {
        Family::Attribute => Value::None,
        // Before a keyword or an assignment, `extra` is `name` alone and `msg` the sole
        // argument (the errors the VM raises).
        Family::Import => match (i, args) {
            (0, _) => d.extra.clone(),
            (2, [m]) => m.clone(),
            _ => Value::None,
        },
        Family::Os => match i {
            OS_ERRNO | OS_STRERROR if (2..=5).contains(&args.len()) => args[i].clone(),
            _ => null(),
        },
        Family::Syntax => match (i, args) {
            (0, [m, ..]) => m.clone(),
            (1..=6, [_, Value::Obj(o)]) => match &o.payload {
                Payload::Tuple(t) => t.get(i - 1).cloned().unwrap_or_else(null),
                _ => null(),
            },
            _ => null(),
        },
        Family::Encode | Family::Decode if args.len() == 5 => args[i].clone(),
        Family::Translate if args.len() == 4 && i > 0 => args[i - 1].clone(),
        _ => null(),
    }
}

/// Member `i` as a script reads it: `NULL` is `None`.
pub(crate) fn member_value(vm: &Vm, fam: Family, d: &ExcData, i: usize) -> Value {
    let v = member(vm, fam, d, i);
    if v.is(&vm.null_marker) {
        Value::None
    } else {
        v
    }
}

/// All members of a tuple family, as [`member`] reads them.
fn members(vm: &Vm, fam: Family, d: &ExcData) -> Vec<Value> {
    (0..fam.names().len())
        .map(|i| member(vm, fam, d, i))
        .collect()
}

/// Stores the members of a tuple family (`extra` becomes their tuple).
fn store(vm: &Vm, d: &RefCell<ExcData>, items: Vec<Value>) {
    let t = vm.new_tuple(items);
    d.borrow_mut().extra = t;
}

/// Keeps the members as they are before `args` changes (they are read from `args` until
/// they are stored).
pub(crate) fn freeze(vm: &Vm, cls: &Obj, d: &RefCell<ExcData>) {
    let Some(fam) = family_of(vm, cls) else {
        return;
    };
    let from_args = !fam.single() && !matches!(fam, Family::Attribute | Family::Group);
    if from_args && stored(fam, &d.borrow()).is_none() {
        let items = members(vm, fam, &d.borrow());
        store(vm, d, items);
    }
}

/// Reads member `name` of exception `d` of class `cls`; `None` when `cls` has no such
/// member. `characters_written` that was never set is CPython's `AttributeError`.
pub(crate) fn get_attr(vm: &Vm, cls: &Obj, d: &ExcData, name: &str) -> PyResult<Option<Value>> {
    let Some(fam) = family_of(vm, cls) else {
        return Ok(None);
    };
    let Some(i) = fam.names().iter().position(|n| *n == name) else {
        return Ok(None);
    };
    if fam == Family::Group && i == 1 {
        // The tuple copy made at creation is in `extra`; the caller collects `args[1]`
        // when there is none.
        return Ok(match d.extra.payload() {
            Some(Payload::Tuple(_)) => Some(d.extra.clone()),
            _ => None,
        });
    }
    let v = member(vm, fam, d, i);
    if v.is(&vm.null_marker) {
        if fam == Family::Os && i == OS_WRITTEN {
            return Err(vm.new_attribute_error("characters_written"));
        }
        return Ok(Some(Value::None));
    }
    Ok(Some(v))
}

/// Assigns (`Some`) or deletes (`None`) member `name` of exception `d` of class `cls`, as
/// CPython's member descriptors do (a deleted object member reads `None`); false when
/// `cls` has no such member.
pub(crate) fn set_attr(
    vm: &mut Vm,
    cls: &Obj,
    d: &RefCell<ExcData>,
    name: &str,
    value: Option<Value>,
) -> PyResult<bool> {
    let Some(fam) = family_of(vm, cls) else {
        return Ok(false);
    };
    let Some(i) = fam.names().iter().position(|n| *n == name) else {
        return Ok(false);
    };
    let value = match (fam, i, value) {
        (Family::Group, ..) => return Err(vm.new_attribute_error("readonly attribute")),
        (Family::Os, OS_WRITTEN, None) => {
            if member(vm, fam, &d.borrow(), i).is(&vm.null_marker) {
                return Err(vm.new_attribute_error("characters_written"));
            }
            vm.null_marker.clone()
        }
        (Family::Os, OS_WRITTEN, Some(v)) => {
            let tn = vm.type_name(&v);
            Value::Int(super::int::index_in_i64(vm, &v, |vm| {
                vm.new_value_error(format!("cannot fit '{tn}' into an index-sized integer"))
            })?)
        }
        (Family::Encode | Family::Decode | Family::Translate, 2 | 3, None) => {
            return Err(vm.new_type_error("can't delete numeric/char attribute"))
        }
        (Family::Encode | Family::Decode | Family::Translate, 2 | 3, Some(v)) => {
            Value::Int(ssize_member(vm, &v)?)
        }
        (_, _, Some(v)) => v,
        (Family::Os | Family::Syntax | Family::Encode | Family::Decode | Family::Translate, ..) => {
            vm.null_marker.clone()
        }
        (_, _, None) => Value::None,
    };
    set_member(vm, fam, d, i, value);
    Ok(true)
}

/// A `T_PYSSIZET` member's value: an int (a bool is one), with CPython's errors.
fn ssize_member(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    match v {
        Value::Int(n) => Ok(*n),
        Value::Bool(b) => Ok(i64::from(b.get())),
        _ if crate::num::to_bigint(v).is_some() => {
            Err(vm.new_overflow_error("Python int too large to convert to C ssize_t"))
        }
        _ => Err(vm.new_type_error("an integer is required")),
    }
}

/// Sets member `i` of `fam` (the null marker for `NULL`), storing the family's tuple.
pub(crate) fn set_member(vm: &Vm, fam: Family, d: &RefCell<ExcData>, i: usize, v: Value) {
    if fam.single() {
        d.borrow_mut().extra = v;
        return;
    }
    let mut items = members(vm, fam, &d.borrow());
    items[i] = v;
    store(vm, d, items);
}

/// `OSError`'s construction is done by `__init__` (not `__new__`) for a class that
/// overrides `__init__` but keeps `__new__`, as CPython's `oserror_use_init`.
pub(crate) fn os_use_init(vm: &mut Vm, cls: &Obj) -> bool {
    let init = vm.lookup(cls, &vm.names.__init__.clone());
    let new = vm.lookup(cls, &vm.names.__new__.clone());
    !init.is_some_and(|i| super::exceptions::is_base_native(&i, "__init__"))
        && new.is_some_and(|n| super::exceptions::is_base_native(&n, "__new__"))
}

/// CPython's `oserror_init`: `args` as given, `errno`/`strerror` from the first two of two
/// to five; a `filename` (not `None`) and `filename2` are stored and leave `args` with
/// the first two, except that exactly `BlockingIOError` takes a number there as
/// `characters_written`.
pub(crate) fn os_init(vm: &mut Vm, e: &Value, args: &[Value]) -> PyResult<()> {
    let Some(Payload::Exception(d)) = e.payload() else {
        return Ok(());
    };
    let filename = match args {
        [_, _, f, ..] if args.len() <= 5 && !f.is_none() => f.clone(),
        _ => {
            d.borrow_mut().extra = Value::None;
            d.borrow_mut().args = vm.new_tuple(args.to_vec());
            return Ok(());
        }
    };
    let null = vm.null_marker.clone();
    let exact_blocking = e
        .as_obj()
        .and_then(|o| o.class_raw())
        .is_some_and(|c| Rc::ptr_eq(c, &vm.exc.blocking_io_error));
    let is_number = matches!(filename, Value::Int(_) | Value::Bool(_) | Value::Float(_))
        || crate::num::to_bigint(&filename).is_some();
    let (f, f2, written, kept) = if exact_blocking && is_number {
        let n = super::int::ssize_of(vm, &filename)?;
        (null.clone(), null, Value::Int(n), args.to_vec())
    } else {
        let f2 = match args.get(4) {
            Some(v) if !v.is_none() => v.clone(),
            _ => null.clone(),
        };
        (filename, f2, null, args[..2].to_vec())
    };
    let items = vec![args[0].clone(), args[1].clone(), f, f2, written];
    let t = vm.new_tuple(items);
    let kept = vm.new_tuple(kept);
    let mut d = d.borrow_mut();
    d.extra = t;
    d.args = kept;
    Ok(())
}

/// The checks (and conversions) of `__init__` for the families that parse `args`:
/// `SyntaxError`'s details and the codec errors' five (four) arguments. Called after
/// `args` is set.
pub(crate) fn init_checked(vm: &mut Vm, fam: Family, e: &Value, a: &Args) -> PyResult<()> {
    let Some(Payload::Exception(d)) = e.payload() else {
        return Ok(());
    };
    let args = &a.pos[1..];
    match fam {
        Family::Syntax => {
            d.borrow_mut().extra = Value::None;
            let [_, info] = args else { return Ok(()) };
            let items = vm.collect(info)?;
            if !(4..=6).contains(&items.len()) {
                let bound = if items.len() < 4 {
                    "at least 4"
                } else {
                    "at most 6"
                };
                return Err(vm.new_type_error(format!(
                    "function takes {bound} arguments ({} given)",
                    items.len()
                )));
            }
            if !matches!(info.payload(), Some(Payload::Tuple(_))) {
                let mut all = vec![args[0].clone()];
                all.extend(items);
                all.resize(8, vm.null_marker.clone());
                store(vm, d, all);
            }
        }
        Family::Encode | Family::Decode | Family::Translate => {
            d.borrow_mut().extra = Value::None;
            let n = if fam == Family::Translate { 4 } else { 5 };
            if args.len() != n {
                return Err(vm.new_type_error(format!(
                    "function takes exactly {n} arguments ({} given)",
                    args.len()
                )));
            }
            let first = 5 - n;
            let must_be_str = |vm: &Vm, k: usize, v: &Value| match v.as_str() {
                Some(_) => Ok(()),
                None => Err(vm.new_type_error(format!(
                    "argument {} must be str, not {}",
                    k + 1,
                    crate::module::arg_type_name(vm, v)
                ))),
            };
            if n == 5 {
                must_be_str(vm, 0, &args[0])?;
            }
            let mut object = args[1 - first].clone();
            if fam == Family::Decode {
                if !matches!(object.payload(), Some(Payload::Bytes(_))) {
                    let Some(b) = crate::module::bytes_of(&object) else {
                        return Err(vm.new_type_error(format!(
                            "a bytes-like object is required, not '{}'",
                            vm.type_name(&object)
                        )));
                    };
                    object = crate::module::new_bytes(vm, b);
                }
            } else {
                must_be_str(vm, 1 - first, &object)?;
            }
            let start = super::int::ssize_of(vm, &args[2 - first])?;
            let end = super::int::ssize_of(vm, &args[3 - first])?;
            must_be_str(vm, 4 - first, &args[4 - first])?;
            let plain = |v: &Value, n: i64| matches!(v, Value::Int(m) if *m == n);
            let converted = !object.is(&args[1 - first])
                || !plain(&args[2 - first], start)
                || !plain(&args[3 - first], end);
            if converted {
                let encoding = if n == 5 {
                    args[0].clone()
                } else {
                    vm.null_marker.clone()
                };
                let items = vec![
                    encoding,
                    object,
                    Value::Int(start),
                    Value::Int(end),
                    args[4 - first].clone(),
                ];
                store(vm, d, items);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Sets the single member of `StopIteration` and `SystemExit` as their `__init__` does
/// from `args` (`SystemExit.code`: `None`, the sole argument, or the tuple).
pub(crate) fn init_single(fam: Family, d: &RefCell<ExcData>) {
    let mut d = d.borrow_mut();
    let v = {
        let args = args_of(&d);
        match (fam, args) {
            (Family::Stop | Family::Exit, []) => Value::None,
            (Family::Stop, [v, ..]) | (Family::Exit, [v]) => v.clone(),
            (Family::Exit, _) => d.args.clone(),
            _ => return,
        }
    };
    d.extra = v;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_is_found_along_the_mro() {
        let vm = Vm::new();
        let e = &vm.exc;
        assert_eq!(family_of(&vm, &e.file_not_found_error), Some(Family::Os));
        assert_eq!(
            family_of(&vm, &e.module_not_found_error),
            Some(Family::Import)
        );
        assert_eq!(family_of(&vm, &e.tab_error), Some(Family::Syntax));
        assert_eq!(
            family_of(&vm, &e.unicode_decode_error),
            Some(Family::Decode)
        );
        assert_eq!(family_of(&vm, &e.exception_group), Some(Family::Group));
        assert_eq!(family_of(&vm, &e.unicode_error), None);
        assert_eq!(family_of(&vm, &e.key_error), None);
    }

    #[test]
    fn members_read_from_args_until_stored() {
        let vm = Vm::new();
        let e = vm.new_exception(&vm.exc.os_error, vec![Value::Int(2), Value::str("nf")]);
        let Payload::Exception(d) = &e.payload else {
            panic!("an exception")
        };
        assert!(d.borrow().extra.is_none());
        assert!(matches!(
            member(&vm, Family::Os, &d.borrow(), OS_ERRNO),
            Value::Int(2)
        ));
        assert!(member(&vm, Family::Os, &d.borrow(), OS_FILENAME).is(&vm.null_marker));
        set_member(&vm, Family::Os, d, OS_FILENAME, Value::str("f"));
        assert!(stored(Family::Os, &d.borrow()).is_some());
        assert!(matches!(
            member(&vm, Family::Os, &d.borrow(), OS_ERRNO),
            Value::Int(2)
        ));
    }
}
