//! Built-in functions: `print`, `len`, `repr`, `isinstance`, `sorted`, `min`/`max`, `sum`,
//! `getattr` and friends, `iter`/`next`, `chr`/`ord`, `hex`/`oct`/`bin`, `round`, `divmod`,
//! `pow`, `abs`, `any`/`all`, `id`, `hash`, `callable`, `vars`, `dir`, `globals`, `input`.

use super::{def_fn, def_fn_positional};
use crate::code::{BinOp, CmpOp};
use crate::iter::IterState;
use crate::native::Args;
use crate::num::{self, Num};
use crate::object::Payload;
use crate::types::{is_subtype, lookup};
use crate::value::Bool;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

pub(super) fn install(vm: &mut Vm) {
    def_fn(vm, "print", print);
    def_fn_positional(vm, "len", len);
    def_fn_positional(vm, "repr", repr);
    def_fn_positional(vm, "ascii", ascii);
    def_fn_positional(vm, "isinstance", isinstance);
    def_fn_positional(vm, "issubclass", issubclass);
    def_fn_positional(vm, "hasattr", hasattr);
    def_fn(vm, "__import__", import);
    def_fn_positional(vm, "getattr", getattr);
    def_fn_positional(vm, "setattr", setattr);
    def_fn_positional(vm, "delattr", delattr);
    def_fn_positional(vm, "iter", iter);
    def_fn_positional(vm, "next", next);
    def_fn_positional(vm, "abs", abs);
    def_fn_positional(vm, "all", all);
    def_fn_positional(vm, "any", any);
    def_fn_positional(vm, "callable", callable);
    def_fn_positional(vm, "chr", chr);
    def_fn_positional(vm, "ord", ord);
    def_fn_positional(vm, "hex", hex);
    def_fn_positional(vm, "oct", oct);
    def_fn_positional(vm, "bin", bin);
    def_fn_positional(vm, "id", id);
    def_fn_positional(vm, "hash", hash);
    def_fn_positional(vm, "divmod", divmod);
    def_fn(vm, "pow", pow);
    def_fn(vm, "round", round);
    def_fn(vm, "sum", sum);
    def_fn(vm, "min", min);
    def_fn(vm, "max", max);
    def_fn(vm, "sorted", sorted);
    def_fn_positional(vm, "vars", vars);
    def_fn_positional(vm, "dir", dir);
    def_fn_positional(vm, "globals", globals);
    def_fn_positional(vm, "locals", locals);
    def_fn_positional(vm, "format", format);
    def_fn_positional(vm, "input", input);
    def_fn_positional(vm, "aiter", aiter);
    def_fn_positional(vm, "anext", anext);
    def_fn(vm, "exit", exit);
    def_fn(vm, "quit", quit);
    // The `except*` helpers, loaded by `LoadExceptStarHelper`: not in `builtins`.
    vm.except_star_helpers = vec![
        super::native_fn(vm, "_eg_prepare", None, super::exceptions::eg_prepare),
        super::native_fn(vm, "_eg_split", None, super::exceptions::eg_split),
        super::native_fn(vm, "_eg_finish", None, super::exceptions::eg_finish),
    ];
}

/// `exit(code=None)`: raises `SystemExit(code)`, as the `site` module's `Quitter` does.
fn exit(vm: &mut Vm, a: Args) -> PyResult {
    quitter(vm, a, "exit")
}

/// `quit(code=None)`: the same as `exit`.
fn quit(vm: &mut Vm, a: Args) -> PyResult {
    quitter(vm, a, "quit")
}

fn quitter(vm: &mut Vm, a: Args, _name: &str) -> PyResult {
    // CPython's `exit`/`quit` are `Quitter` instances: `__call__(self, code=None)`.
    if let Some((k, _)) = a.kw.iter().find(|(k, _)| k.as_str() != "code") {
        return Err(vm.new_type_error(format!(
            "Quitter.__call__() got an unexpected keyword argument '{}'",
            k.as_str()
        )));
    }
    let given = a.pos.len() + a.kw.len();
    if given > 1 {
        let msg = if a.kw.is_empty() {
            format!(
                "Quitter.__call__() takes from 1 to 2 positional arguments but {} were given",
                a.pos.len() + 1
            )
        } else {
            "Quitter.__call__() got multiple values for argument 'code'".to_string()
        };
        return Err(vm.new_type_error(msg));
    }
    let code = a.arg(0, "code").cloned().unwrap_or(Value::None);
    Err(super::exceptions::new_system_exit(vm, vec![code]))
}

/// `__import__(name, globals=None, locals=None, fromlist=(), level=0)`.
fn import(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(
        vm,
        "__import__",
        &["name", "globals", "locals", "fromlist", "level"],
    )?;
    let Some(name) = a.arg(0, "name").cloned() else {
        return Err(vm.new_type_error("__import__() missing required argument 'name' (pos 1)"));
    };
    let Some(name) = name.as_str().cloned() else {
        return Err(vm.new_type_error(format!(
            "__import__() argument 1 must be str, not {}",
            vm.type_name(&name)
        )));
    };
    let fromlist = a.arg(3, "fromlist").cloned().unwrap_or(Value::None);
    let level = a.arg(4, "level").cloned().unwrap_or(Value::Int(0));
    if name.as_str().is_empty() && matches!(level, Value::Int(0)) {
        return Err(vm.new_value_error("Empty module name"));
    }
    vm.import_name(&name, &fromlist, &level)
}

/// `sys.stdout` when a script replaced it (`contextlib.redirect_stdout`, an assignment);
/// `None` while it is the VM's own stream, which `print` writes to directly.
fn replaced_stdout(vm: &mut Vm) -> Option<Value> {
    let (sys, original) = vm.sys_stdout.as_ref()?;
    let key = vm.names.stdout.clone();
    let current = vm.dict_get_str(sys, &key)?;
    (!current.is(original)).then_some(current)
}

fn print(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "print", &["sep", "end", "file", "flush"])?;
    let sep = match a.kwarg("sep") {
        None | Some(Value::None) => " ".to_string(),
        Some(Value::Str(s)) => s.as_str().to_string(),
        Some(other) => {
            return Err(vm.new_type_error(format!(
                "sep must be None or a string, not {}",
                vm.type_name(other)
            )))
        }
    };
    let end = match a.kwarg("end") {
        None | Some(Value::None) => "\n".to_string(),
        Some(Value::Str(s)) => s.as_str().to_string(),
        Some(other) => {
            return Err(vm.new_type_error(format!(
                "end must be None or a string, not {}",
                vm.type_name(other)
            )))
        }
    };
    let file = match a.kwarg("file") {
        None | Some(Value::None) => replaced_stdout(vm),
        Some(f) => Some(f.clone()),
    };
    let flush = match a.kwarg("flush") {
        Some(f) => vm.is_true(&f.clone())?,
        None => false,
    };
    match file {
        // The VM's own stream: what was made before a failing `str()` is still written.
        None => {
            let mut out = String::new();
            for (i, v) in a.pos.iter().enumerate() {
                if i > 0 {
                    out.push_str(&sep);
                }
                match vm.to_str(v) {
                    Ok(s) => out.push_str(s.as_str()),
                    Err(e) => {
                        vm.write_stdout(&out);
                        return Err(e);
                    }
                }
            }
            out.push_str(&end);
            vm.write_stdout_checked(out.as_bytes())?;
            if flush {
                vm.flush_stdout_checked()?;
            }
        }
        // `sys.stdout = None`: print writes nothing, as in CPython.
        Some(Value::None) => {}
        // A file object: one `write` per argument and separator, then `end`, as CPython.
        Some(f) => {
            let w = vm.intern("write");
            let write = vm.get_attr(&f, &w)?;
            for (i, v) in a.pos.iter().enumerate() {
                if i > 0 {
                    vm.call(&write, &[Value::str(sep.as_str())], &[])?;
                }
                let s = vm.to_str(v)?;
                vm.call(&write, &[Value::Str(s)], &[])?;
            }
            vm.call(&write, &[Value::str(end.as_str())], &[])?;
            if flush {
                let fl = vm.intern("flush");
                let m = vm.get_attr(&f, &fl)?;
                vm.call(&m, &[], &[])?;
            }
        }
    }
    Ok(Value::None)
}

fn len(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "len", 1, 1)?;
    vm.len(&a.pos[0]).map(|n| Value::Int(n as i64))
}

fn repr(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "repr", 1, 1)?;
    vm.repr(&a.pos[0]).map(Value::Str)
}

fn ascii(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "ascii", 1, 1)?;
    let r = vm.repr(&a.pos[0])?;
    Ok(Value::str(super::repr::ascii_escape(r.as_str())))
}

/// `isinstance(v, cls)` with tuples and `__instancecheck__`.
pub fn isinstance_value(vm: &mut Vm, v: &Value, cls: &Value) -> PyResult<bool> {
    match cls {
        Value::Obj(c) => match &c.payload {
            Payload::Type(_) => {
                if is_subtype(vm.class_of(v), c) || claimed_class_is_subtype(vm, v, c)? {
                    return Ok(true);
                }
                let meta = c
                    .class_raw()
                    .cloned()
                    .unwrap_or_else(|| vm.types.type_.clone());
                if meta.as_type().is_some_and(|t| t.heap) {
                    if let Some(f) = vm.lookup(&meta, &vm.names.__instancecheck__) {
                        let r = vm.call(&f, &[cls.clone(), v.clone()], &[])?;
                        return vm.is_true(&r);
                    }
                }
                Ok(false)
            }
            Payload::Tuple(items) => {
                for i in items.iter() {
                    if isinstance_value(vm, v, i)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            // Any object whose class defines __instancecheck__ (typing.List).
            _ => match special_check(vm, c, "__instancecheck__", v)? {
                Some(r) => Ok(r),
                None => Err(vm.new_type_error(
                    "isinstance() arg 2 must be a type, a tuple of types, or a union",
                )),
            },
        },
        _ => {
            Err(vm
                .new_type_error("isinstance() arg 2 must be a type, a tuple of types, or a union"))
        }
    }
}

/// Whether `v.__class__` is a subclass of `cls` when `v`'s class overrides `__class__` (a
/// property, as `unittest.mock` does): CPython's `object_isinstance` reads it.
fn claimed_class_is_subtype(vm: &mut Vm, v: &Value, cls: &Obj) -> PyResult<bool> {
    let own = vm.class_of(v).clone();
    let name = vm.names.__class__.clone();
    if vm.lookup(&own, &name).is_none() {
        return Ok(false);
    }
    Ok(match vm.get_attr(v, &name)? {
        Value::Obj(c) if !Rc::ptr_eq(&c, &own) && c.as_type().is_some() => is_subtype(&c, cls),
        _ => false,
    })
}

/// `type(checker).name(checker, arg)` for a checker that is not a class, when its (script)
/// class defines `name`; `None` otherwise.
fn special_check(vm: &mut Vm, checker: &Obj, name: &str, arg: &Value) -> PyResult<Option<bool>> {
    let cls = vm.class_of(&Value::Obj(checker.clone())).clone();
    if !cls.as_type().is_some_and(|t| t.heap) {
        return Ok(None);
    }
    let key = vm.intern(name);
    match lookup(&cls, &key) {
        Some(f) => {
            let r = vm.call(&f, &[Value::Obj(checker.clone()), arg.clone()], &[])?;
            vm.is_true(&r).map(Some)
        }
        None => Ok(None),
    }
}

fn isinstance(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "isinstance", 2, 2)?;
    isinstance_value(vm, &a.pos[0], &a.pos[1]).map(Value::bool)
}

fn issubclass_value(vm: &mut Vm, sub: &Value, cls: &Value) -> PyResult<bool> {
    let Value::Obj(s) = sub else {
        return Err(vm.new_type_error("issubclass() arg 1 must be a class"));
    };
    if !matches!(s.payload, Payload::Type(_)) {
        return Err(vm.new_type_error("issubclass() arg 1 must be a class"));
    }
    match cls {
        Value::Obj(c) => match &c.payload {
            Payload::Type(_) => {
                if is_subtype(s, c) {
                    return Ok(true);
                }
                let meta = c
                    .class_raw()
                    .cloned()
                    .unwrap_or_else(|| vm.types.type_.clone());
                if meta.as_type().is_some_and(|t| t.heap) {
                    if let Some(f) = vm.lookup(&meta, &vm.names.__subclasscheck__) {
                        let r = vm.call(&f, &[cls.clone(), sub.clone()], &[])?;
                        return vm.is_true(&r);
                    }
                }
                Ok(false)
            }
            Payload::Tuple(items) => {
                for i in items.iter() {
                    if issubclass_value(vm, sub, i)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => match special_check(vm, c, "__subclasscheck__", sub)? {
                Some(r) => Ok(r),
                None => Err(vm.new_type_error(
                    "issubclass() arg 2 must be a class, a tuple of classes, or a union",
                )),
            },
        },
        _ => Err(
            vm.new_type_error("issubclass() arg 2 must be a class, a tuple of classes, or a union")
        ),
    }
}

fn issubclass(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "issubclass", 2, 2)?;
    issubclass_value(vm, &a.pos[0], &a.pos[1]).map(Value::bool)
}

/// The attribute-name argument of `getattr` and friends, interned.
pub(crate) fn attr_name(vm: &mut Vm, v: &Value) -> PyResult<Rc<crate::str::Str>> {
    match v.as_str() {
        Some(s) => Ok(vm.intern_str(s)),
        None => Err(vm.new_type_error(format!(
            "attribute name must be string, not '{}'",
            vm.type_name(v)
        ))),
    }
}

fn hasattr(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "hasattr", 2, 2)?;
    let name = attr_name(vm, &a.pos[1])?;
    match vm.get_attr_or_absent(&a.pos[0], &name) {
        Ok(found) => Ok(Value::bool(found.is_some())),
        Err(e) if vm.is_instance_of(&e, &vm.exc.attribute_error.clone()) => {
            Ok(Value::Bool(Bool::FALSE))
        }
        Err(e) => Err(e),
    }
}

fn getattr(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "getattr", 2, 3)?;
    let name = attr_name(vm, &a.pos[1])?;
    if a.len() == 2 {
        return vm.get_attr(&a.pos[0], &name);
    }
    match vm.get_attr_or_absent(&a.pos[0], &name) {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Ok(a.pos[2].clone()),
        Err(e) if a.len() == 3 && vm.is_instance_of(&e, &vm.exc.attribute_error.clone()) => {
            Ok(a.pos[2].clone())
        }
        Err(e) => Err(e),
    }
}

fn setattr(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "setattr", 3, 3)?;
    let name = attr_name(vm, &a.pos[1])?;
    vm.set_attr(&a.pos[0], &name, a.pos[2].clone())?;
    Ok(Value::None)
}

fn delattr(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "delattr", 2, 2)?;
    let name = attr_name(vm, &a.pos[1])?;
    vm.del_attr(&a.pos[0], &name)?;
    Ok(Value::None)
}

fn iter(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "iter", 1, 2)?;
    if a.len() == 2 {
        if !is_callable(vm, &a.pos[0]) {
            return Err(vm.new_type_error("iter(v, w): v must be callable"));
        }
        let cls = vm.types.callable_iterator.clone();
        return Ok(vm.new_iterator(
            &cls,
            IterState::Callable {
                func: a.pos[0].clone(),
                sentinel: a.pos[1].clone(),
            },
        ));
    }
    vm.get_iter(&a.pos[0])
}

fn next(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "next", 1, 2)?;
    let it = &a.pos[0];
    let is_iter = matches!(
        it.payload(),
        Some(Payload::Iter(_)) | Some(Payload::Generator(_))
    ) || vm
        .lookup(&vm.class_of(it).clone(), &vm.names.__next__)
        .is_some();
    if !is_iter {
        return Err(vm.new_type_error(format!("'{}' object is not an iterator", vm.type_name(it))));
    }
    // Generators and iterators raise StopIteration with their value.
    if let Some(Payload::Generator(_)) = it.payload() {
        let g = it.as_obj().expect("generator").clone();
        return match vm.gen_send(&g, Value::None) {
            Ok(crate::gen::GenResult::Yield(v)) => Ok(v),
            Ok(crate::gen::GenResult::Return(r)) => {
                if a.len() == 2 {
                    Ok(a.pos[1].clone())
                } else {
                    Err(vm.new_stop_iteration(r))
                }
            }
            Err(e) => Err(e),
        };
    }
    // An object's own `__next__`: its StopIteration goes on as raised (with its value).
    if !matches!(it.payload(), Some(Payload::Iter(_))) {
        if let Some(f) = vm.lookup(&vm.class_of(it).clone(), &vm.names.__next__) {
            return match vm.call_slot(&f, std::slice::from_ref(it)) {
                Err(e) if a.len() == 2 && vm.is_instance_of(&e, &vm.exc.stop_iteration.clone()) => {
                    Ok(a.pos[1].clone())
                }
                r => r,
            };
        }
    }
    match vm.next(it)? {
        Some(v) => Ok(v),
        None => {
            if a.len() == 2 {
                Ok(a.pos[1].clone())
            } else {
                Err(vm.new_stop_iteration(Value::None))
            }
        }
    }
}

fn abs(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "abs", 1, 1)?;
    let v = &a.pos[0];
    if !vm.is_heap(v) {
        match num::num(v) {
            Some(Num::Int(i)) => {
                return Ok(match i.checked_abs() {
                    Some(x) => Value::Int(x),
                    None => {
                        num::int_value(vm, num_bigint::BigInt::from(i).magnitude().clone().into())
                    }
                })
            }
            Some(Num::Big(b)) => return Ok(num::int_value(vm, num_traits::Signed::abs(b))),
            Some(Num::Float(f)) => return Ok(Value::float(f.abs())),
            None => {}
        }
        if let Some(z) = super::complex_parts(v) {
            return super::complex::abs(vm, z).map(Value::float);
        }
    }
    let cls = vm.class_of(v).clone();
    match vm.lookup(&cls, &vm.names.__abs__) {
        Some(f) => vm.call_slot(&f, std::slice::from_ref(v)),
        None => {
            Err(vm.new_type_error(format!("bad operand type for abs(): '{}'", vm.type_name(v))))
        }
    }
}

fn all(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "all", 1, 1)?;
    let it = vm.get_iter(&a.pos[0])?;
    while let Some(x) = vm.next(&it)? {
        if !vm.is_true(&x)? {
            return Ok(Value::Bool(Bool::FALSE));
        }
    }
    Ok(Value::Bool(Bool::TRUE))
}

fn any(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "any", 1, 1)?;
    let it = vm.get_iter(&a.pos[0])?;
    while let Some(x) = vm.next(&it)? {
        if vm.is_true(&x)? {
            return Ok(Value::Bool(Bool::TRUE));
        }
    }
    Ok(Value::Bool(Bool::FALSE))
}

/// `callable(v)`.
pub fn is_callable(vm: &Vm, v: &Value) -> bool {
    match v {
        Value::Obj(o) => match &o.payload {
            Payload::Function(_) | Payload::Method(_) | Payload::Native(_) | Payload::Type(_) => {
                true
            }
            _ => lookup(vm.class_of(v), &vm.names.__call__).is_some(),
        },
        _ => false,
    }
}

fn callable(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "callable", 1, 1)?;
    Ok(Value::bool(is_callable(vm, &a.pos[0])))
}

fn chr(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "chr", 1, 1)?;
    let i = super::int::c_int_of(vm, &a.pos[0])?;
    match u32::try_from(i).ok().filter(|&c| c <= 0x10ffff) {
        Some(c) => Ok(Value::char(char::from_u32(c).unwrap_or('\u{fffd}'))),
        None => Err(vm.new_value_error("chr() arg not in range(0x110000)")),
    }
}

fn ord(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "ord", 1, 1)?;
    if let Some(s) = a.pos[0].as_str() {
        if s.len() == 1 {
            return Ok(Value::Int(
                s.as_str().chars().next().map(|c| c as i64).unwrap_or(0),
            ));
        }
        return Err(vm.new_type_error(format!(
            "ord() expected a character, but string of length {} found",
            s.len()
        )));
    }
    if let Some(b) = super::bytes::as_bytes(&a.pos[0]) {
        if b.len() == 1 {
            return Ok(Value::Int(b[0] as i64));
        }
        return Err(vm.new_type_error(format!(
            "ord() expected a character, but string of length {} found",
            b.len()
        )));
    }
    Err(vm.new_type_error(format!(
        "ord() expected string of length 1, but {} found",
        vm.type_name(&a.pos[0])
    )))
}

fn radix(vm: &mut Vm, a: Args, name: &str, base: u32, prefix: &str) -> PyResult {
    a.check_count(vm, name, 1, 1)?;
    let b = super::int::bigint_index(vm, &a.pos[0])?;
    let neg = num_traits::Signed::is_negative(&b);
    let digits = num_traits::Signed::abs(&b).to_str_radix(base);
    Ok(Value::str(format!(
        "{}{prefix}{digits}",
        if neg { "-" } else { "" }
    )))
}

fn hex(vm: &mut Vm, a: Args) -> PyResult {
    radix(vm, a, "hex", 16, "0x")
}

fn oct(vm: &mut Vm, a: Args) -> PyResult {
    radix(vm, a, "oct", 8, "0o")
}

fn bin(vm: &mut Vm, a: Args) -> PyResult {
    radix(vm, a, "bin", 2, "0b")
}

fn id(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "id", 1, 1)?;
    Ok(Value::Int(a.pos[0].id() as i64))
}

fn hash(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "hash", 1, 1)?;
    vm.hash(&a.pos[0]).map(Value::Int)
}

/// `divmod(x, y)` (also `float.__divmod__`/`__rdivmod__`, which must not see a rebound
/// `builtins.divmod`).
pub(super) fn divmod(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "divmod", 2, 2)?;
    let (x, y) = (&a.pos[0], &a.pos[1]);
    if vm.is_heap(x) || vm.is_heap(y) {
        let cls = vm.class_of(x).clone();
        if let Some(f) = lookup(&cls, &vm.intern("__divmod__")) {
            let r = vm.call_slot(&f, &[x.clone(), y.clone()])?;
            if !r.is(&vm.not_implemented) {
                return Ok(r);
            }
        }
        let cls = vm.class_of(y).clone();
        if let Some(f) = lookup(&cls, &vm.intern("__rdivmod__")) {
            let r = vm.call_slot(&f, &[y.clone(), x.clone()])?;
            if !r.is(&vm.not_implemented) {
                return Ok(r);
            }
        }
    }
    if num::num(x).is_none() || num::num(y).is_none() {
        return Err(vm.new_type_error(format!(
            "unsupported operand type(s) for divmod(): '{}' and '{}'",
            vm.type_name(x),
            vm.type_name(y)
        )));
    }
    let is_float = |v: &Value| matches!(num::num(v), Some(Num::Float(_)));
    let y_zero = match num::num(y) {
        Some(Num::Float(f)) => f == 0.0,
        Some(Num::Int(i)) => i == 0,
        _ => false,
    };
    if (is_float(x) || is_float(y)) && y_zero {
        return Err(vm.new_zero_division("float divmod()"));
    }
    let q = vm.binary_op(x, y, BinOp::FloorDiv)?;
    let r = vm.binary_op(x, y, BinOp::Rem)?;
    Ok(vm.new_tuple(vec![q, r]))
}

/// `pow(base, exp[, mod])`.
pub(super) fn pow(vm: &mut Vm, a: Args) -> PyResult {
    let [base, exp, m] = a.clinic(vm, "pow", 0, 2, ["base", "exp", "mod"])?;
    let (base, exp) = (base.unwrap_or(Value::None), exp.unwrap_or(Value::None));
    let m = m.unwrap_or(Value::None);
    if m.is_none() {
        return vm.binary_op(&base, &exp, BinOp::Pow);
    }
    if vm.is_heap(&base) {
        // Three-argument pow calls only the base's `__pow__` (never `__rpow__`).
        let cls = vm.class_of(&base).clone();
        if let Some(f) = lookup(&cls, &vm.intern("__pow__")) {
            let r = vm.call_slot(&f, &[base.clone(), exp.clone(), m.clone()])?;
            if !r.is(&vm.not_implemented) {
                return Ok(r);
            }
        }
        return Err(vm.new_type_error(format!(
            "unsupported operand type(s) for ** or pow(): '{}', '{}', '{}'",
            vm.type_name(&base),
            vm.type_name(&exp),
            vm.type_name(&m)
        )));
    }
    if super::complex::is_complex(&base) || super::complex::is_complex(&exp) {
        return super::complex::ternary_pow(vm, &base, &exp, &m);
    }
    let (Some(b), Some(e), Some(md)) = (
        num::to_bigint(&base),
        num::to_bigint(&exp),
        num::to_bigint(&m),
    ) else {
        return Err(
            vm.new_type_error("pow() 3rd argument not allowed unless all arguments are integers")
        );
    };
    if num_traits::Zero::is_zero(&md) {
        return Err(vm.new_value_error("pow() 3rd argument cannot be 0"));
    }
    let r = if num_traits::Signed::is_negative(&e) {
        // Modular inverse.
        let inv = super::int::mod_inverse(&b, &md)
            .ok_or_else(|| vm.new_value_error("base is not invertible for the given modulus"))?;
        super::modpow::pow_mod(&inv, &(-e), &md)
    } else {
        super::modpow::pow_mod(&b, &e, &md)
    };
    Ok(num::int_value(vm, r))
}

fn round(vm: &mut Vm, a: Args) -> PyResult {
    let [v, nd] = a.clinic(vm, "round", 0, 1, ["number", "ndigits"])?;
    let (v, nd) = (v.unwrap_or(Value::None), nd.unwrap_or(Value::None));
    super::int::round(vm, &v, &nd)
}

fn sum(vm: &mut Vm, a: Args) -> PyResult {
    let [iterable, start] = a.clinic(vm, "sum", 1, 1, ["iterable", "start"])?;
    let mut acc = start.unwrap_or(Value::Int(0));
    if acc.as_str().is_some() {
        return Err(vm.new_type_error("sum() can't sum strings [use ''.join(seq) instead]"));
    }
    match acc.payload() {
        Some(Payload::Bytes(_)) => {
            return Err(vm.new_type_error("sum() can't sum bytes [use b''.join(seq) instead]"));
        }
        Some(Payload::ByteArray(_)) => {
            return Err(vm.new_type_error("sum() can't sum bytearray [use b''.join(seq) instead]"));
        }
        _ => {}
    }
    let it = vm.get_iter(&iterable.unwrap_or(Value::None))?;
    // A native iterator (a deque's) hands over runs of numbers, added without a step
    // per item.
    if let Some(native) = crate::iter::native_iter(&it) {
        let mut run = Vec::with_capacity(SUM_RUN);
        loop {
            if native.next_numbers(&mut run, SUM_RUN) > 0 {
                for x in run.drain(..) {
                    acc = sum_step(vm, acc, x)?;
                }
                continue;
            }
            match vm.next(&it)? {
                Some(x) => acc = sum_step(vm, acc, x)?,
                None => return Ok(acc),
            }
        }
    }
    while let Some(x) = vm.next(&it)? {
        acc = sum_step(vm, acc, x)?;
    }
    Ok(acc)
}

/// How many numbers `sum` takes from a native iterator at a time.
const SUM_RUN: usize = 64;

/// `acc + x` for `sum`: small ints and floats directly (a plain double sum, as CPython's),
/// anything else through the `+` protocol.
#[inline(always)]
fn sum_step(vm: &mut Vm, acc: Value, x: Value) -> PyResult {
    Ok(match (&acc, &x) {
        (Value::Int(p), Value::Int(q)) => match p.checked_add(*q) {
            Some(r) => Value::Int(r),
            None => vm.binary_op(&acc, &x, BinOp::Add)?,
        },
        (Value::Float(p), Value::Float(q)) => Value::float(p.get() + q.get()),
        _ => vm.binary_op(&acc, &x, BinOp::Add)?,
    })
}

fn min_max(vm: &mut Vm, a: Args, name: &str, op: CmpOp) -> PyResult {
    a.check_kwargs(vm, name, &["key", "default"])?;
    let key = a.kwarg("key").cloned().filter(|k| !k.is_none());
    let default = a.kwarg("default").cloned();
    let items: Vec<Value> = match a.len() {
        0 => return Err(vm.new_type_error(format!("{name} expected at least 1 argument, got 0"))),
        1 => vm.collect(&a.pos[0])?,
        _ => {
            if default.is_some() {
                return Err(vm.new_type_error(format!(
                    "Cannot specify a default for {name}() with multiple positional arguments"
                )));
            }
            a.pos.to_vec()
        }
    };
    let mut best: Option<(Value, Value)> = None;
    for item in items {
        let k = match &key {
            Some(f) => vm.call(f, std::slice::from_ref(&item), &[])?,
            None => item.clone(),
        };
        match &best {
            None => best = Some((k, item)),
            Some((bk, _)) => {
                let r = vm.compare(&k, bk, op)?;
                if vm.is_true(&r)? {
                    best = Some((k, item));
                }
            }
        }
    }
    match best {
        Some((_, v)) => Ok(v),
        None => match default {
            Some(d) => Ok(d),
            None => Err(vm.new_value_error(format!("{name}() arg is an empty sequence"))),
        },
    }
}

fn min(vm: &mut Vm, a: Args) -> PyResult {
    min_max(vm, a, "min", CmpOp::Lt)
}

fn max(vm: &mut Vm, a: Args) -> PyResult {
    min_max(vm, a, "max", CmpOp::Gt)
}

fn sorted(vm: &mut Vm, a: Args) -> PyResult {
    if a.len() != 1 {
        return Err(vm.new_type_error(format!("sorted expected 1 argument, got {}", a.len())));
    }
    let items = vm.collect(&a.pos[0])?;
    let list = vm.new_list(items);
    super::list::sort_list(vm, &list, a.kw)?;
    Ok(list)
}

fn vars(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "vars", 0, 1)?;
    if a.is_empty() {
        return locals(vm, a);
    }
    let name = vm.names.__dict__.clone();
    match vm.get_attr_opt(&a.pos[0], &name)? {
        Some(d) => Ok(d),
        None => Err(vm.new_type_error("vars() argument must have __dict__ attribute")),
    }
}

/// Sorted attribute names of `v` (for `dir`).
pub fn dir_names(vm: &mut Vm, v: &Value) -> PyResult<Vec<Value>> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |n: &Value| {
        if let Some(s) = n.as_str() {
            names.push(s.as_str().to_string());
        }
    };
    if let Value::Obj(o) = v {
        if let Some(t) = o.dict_table() {
            for e in t.borrow().iter() {
                add(&e.key);
            }
        }
        if let Payload::Module(m) = &o.payload {
            if let Payload::Dict(d) = &m.globals.payload {
                for e in d.borrow().iter() {
                    add(&e.key);
                }
            }
        }
    }
    let classes: Vec<crate::value::Obj> = match v {
        Value::Obj(o) if matches!(o.payload, Payload::Type(_)) => o
            .as_type()
            .map(|t| t.mro.borrow().clone())
            .unwrap_or_default(),
        Value::Obj(o) if matches!(o.payload, Payload::Module(_)) => Vec::new(),
        _ => vm
            .class_of(v)
            .as_type()
            .map(|t| t.mro.borrow().clone())
            .unwrap_or_default(),
    };
    for c in classes {
        if let Some(t) = c.as_type() {
            for e in t.ns.borrow().iter() {
                if let Some(s) = e.key.as_str() {
                    names.push(s.as_str().to_string());
                }
            }
        }
        // What CPython keeps in class dicts as descriptors and aio answers without one.
        names.push("__doc__".to_string());
        if std::rc::Rc::ptr_eq(&c, &vm.types.object) {
            names.push("__class__".to_string());
        }
        names.extend(
            super::object::payload_attr_names(vm, &c)
                .iter()
                .map(|n| n.to_string()),
        );
        names.extend(
            super::exc_members::names_defined_by(vm, &c)
                .iter()
                .map(|n| n.to_string()),
        );
        if std::rc::Rc::ptr_eq(&c, &vm.exc.base_exception) {
            let data = [
                "__dict__",
                "__cause__",
                "__context__",
                "__suppress_context__",
                "__traceback__",
                "args",
            ];
            names.extend(data.iter().map(|n| n.to_string()));
        }
        for slot in ["__dict__", "__weakref__"] {
            if super::slot_methods::adds_slot(&c, slot) {
                names.push(slot.to_string());
            }
        }
    }
    names.sort();
    names.dedup();
    Ok(names.into_iter().map(Value::str).collect())
}

fn dir(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "dir", 0, 1)?;
    if a.is_empty() {
        let l = locals(vm, a)?;
        let mut keys: Vec<String> = match l.payload() {
            Some(Payload::Dict(d)) => d
                .borrow()
                .iter()
                .filter_map(|e| e.key.as_str().map(|s| s.as_str().to_string()))
                .collect(),
            _ => Vec::new(),
        };
        keys.sort();
        return Ok(vm.new_list(keys.into_iter().map(Value::str).collect()));
    }
    let v = &a.pos[0];
    // A module's `__dir__` function (PEP 562) decides its names.
    if let Some(Payload::Module(m)) = v.payload() {
        let g = m.globals.clone();
        let name = vm.intern("__dir__");
        if let Some(f) = vm.dict_get_str(&g, &name) {
            let r = vm.call(&f, &[], &[])?;
            let items = vm.collect(&r)?;
            let list = vm.new_list(items);
            super::list::sort_list(vm, &list, &[])?;
            return Ok(list);
        }
    }
    // A class's own `__dir__` (looked up on the type, as CPython does) decides the names;
    // its result is listed and sorted.
    let cls = vm.class_of(v).clone();
    let name = vm.intern("__dir__");
    let custom =
        lookup(&cls, &name).filter(|f| !lookup(&vm.types.object, &name).is_some_and(|o| o.is(f)));
    if let Some(f) = custom {
        let r = vm.call_slot(&f, std::slice::from_ref(v))?;
        let items = vm.collect(&r)?;
        let list = vm.new_list(items);
        super::list::sort_list(vm, &list, &[])?;
        return Ok(list);
    }
    let names = dir_names(vm, v)?;
    Ok(vm.new_list(names))
}

fn globals(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "globals", 0, 0)?;
    match vm.frames.last() {
        Some(f) => Ok(Value::Obj(f.globals.clone())),
        None => Ok(Value::None),
    }
}

pub(super) fn locals(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "locals", 0, 0)?;
    match vm.frames.len().checked_sub(1) {
        Some(i) => Ok(frame_locals(vm, i)),
        None => Ok(Value::None),
    }
}

/// What `locals()` gives in `vm.frames[index]`: the namespace of a module or class body,
/// else a new dict of the function's locals and cells.
pub(super) fn frame_locals(vm: &mut Vm, index: usize) -> Value {
    super::frame_object::locals(vm, &vm.frames[index])
}

fn format(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "format", 1, 2)?;
    let spec = a.pos.get(1).cloned().unwrap_or_else(|| Value::str(""));
    if spec.as_str().is_none() {
        return Err(vm.new_type_error(format!(
            "format() argument 2 must be str, not {}",
            vm.type_name(&spec)
        )));
    }
    vm.format_value(a.pos[0].clone(), 0, Some(spec))
}

fn input(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "input", 0, 1)?;
    if let Some(p) = a.pos.first() {
        let s = vm.to_str(p)?;
        vm.write_stdout(s.as_str());
    }
    vm.flush_stdout();
    let mut line = String::new();
    match std::io::stdin().read_line(&mut line) {
        Ok(0) => Err(vm.new_exception_msg(&vm.exc.eof_error.clone(), "EOF when reading a line")),
        Ok(_) => {
            // Only the '\n' goes: CPython's stdin does not translate "\r\n" on Linux.
            if line.ends_with('\n') {
                line.pop();
            }
            Ok(Value::str(line))
        }
        Err(e) => Err(vm.new_exception_msg(&vm.exc.os_error.clone(), e.to_string())),
    }
}

fn aiter(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "aiter", 1, 1)?;
    vm.aiter_checked(&a.pos[0], true)
}

fn anext(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "anext", 1, 2)?;
    let cls = vm.class_of(&a.pos[0]).clone();
    match vm.lookup(&cls, &vm.names.__anext__) {
        Some(f) => {
            let awaitable = vm.call_slot(&f, std::slice::from_ref(&a.pos[0]))?;
            match a.get(1) {
                Some(default) => Ok(super::asyncgen::new_anext_awaitable(
                    vm,
                    awaitable,
                    default.clone(),
                )),
                None => Ok(awaitable),
            }
        }
        None => Err(vm.new_type_error(format!(
            "'{}' object is not an async iterator",
            vm.type_name(&a.pos[0])
        ))),
    }
}
