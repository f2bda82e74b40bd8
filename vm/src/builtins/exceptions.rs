//! Exception objects: `BaseException` construction, `args`, `str`/`repr`, the special
//! attributes (`__cause__`, `__context__`, `__traceback__`; the members of `OSError`,
//! `SyntaxError`, ... are in `exc_members.rs`), exception groups, and the helpers
//! `except*` compiles to.

use super::exc_members::{self, family_of, Family};
use super::{def_method, def_method_sig, def_static};
use crate::native::{Args, Sig};
use crate::object::{ExcData, Payload};
use crate::types::is_subtype;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;
use std::rc::Rc;

pub(super) fn install(vm: &mut Vm) {
    let b = vm.exc.base_exception.clone();
    def_static(vm, &b, "__new__", exc_new);
    def_method(vm, &b, "__init__", exc_init);
    def_method(vm, &b, "__str__", exc_str);
    def_method(vm, &b, "__repr__", exc_repr_m);
    def_method_sig(vm, &b, "with_traceback", Sig::O, with_traceback);
    def_method_sig(vm, &b, "add_note", Sig::O, add_note);
    let g = vm.exc.base_exception_group.clone();
    def_static(vm, &g, "__new__", eg_new);
    def_method(vm, &g, "__init__", eg_init);
    def_method(vm, &g, "split", eg_split_m);
    def_method(vm, &g, "subgroup", eg_subgroup);
    def_method(vm, &g, "derive", eg_derive);
    def_method(vm, &g, "__str__", eg_str);
}

fn exc_new(vm: &mut Vm, a: Args) -> PyResult {
    let mut cls = a.pos[0].as_obj().cloned().expect("class");
    if family_of(vm, &cls) == Some(Family::Os) {
        // CPython's `OSError_new`: the arguments are parsed here unless `__init__` does it.
        if exc_members::os_use_init(vm, &cls) {
            let inst = vm.new_instance(&cls)?;
            set_args(vm, &inst, Vec::new());
            return Ok(inst);
        }
        no_keywords(vm, &cls, &a)?;
        if Rc::ptr_eq(&cls, &vm.exc.os_error) && (2..=5).contains(&(a.len() - 1)) {
            if let Value::Int(errno) = a.pos[1] {
                if let Some(sub) = os_error_subclass(vm, errno) {
                    cls = sub;
                }
            }
        }
        let inst = vm.new_instance(&cls)?;
        exc_members::os_init(vm, &inst, &a.pos[1..])?;
        return Ok(inst);
    }
    let inst = vm.new_instance(&cls)?;
    set_args(vm, &inst, a.pos[1..].to_vec());
    Ok(inst)
}

/// CPython's `_PyArg_NoKeywords`: `FileNotFoundError() takes no keyword arguments`.
fn no_keywords(vm: &mut Vm, cls: &Obj, a: &Args) -> PyResult<()> {
    if a.kw.is_empty() {
        return Ok(());
    }
    let tname = crate::types::type_name(cls);
    Err(vm.new_type_error(format!("{tname}() takes no keyword arguments")))
}

/// `cls(*args)` for an exception class that keeps `BaseException`'s own `__new__` (`new`,
/// as looked up on `cls`) and `__init__`, as most user exceptions do: the instance and
/// its `args`, made once, without the two generic calls. `None` for other classes, and
/// for `OSError`s, syntax and codec errors, whose construction maps or checks its
/// arguments.
pub(crate) fn construct_plain(
    vm: &mut Vm,
    cls: &Obj,
    new: &Value,
    args: &[Value],
) -> PyResult<Option<Value>> {
    if !is_base_native(new, "__new__") {
        return Ok(None);
    }
    let init = vm.lookup(cls, &vm.names.__init__.clone());
    if !init.is_some_and(|i| is_base_native(&i, "__init__")) {
        return Ok(None);
    }
    let fam = family_of(vm, cls);
    if matches!(
        fam,
        Some(Family::Os | Family::Syntax | Family::Encode | Family::Decode | Family::Translate)
    ) {
        return Ok(None);
    }
    let inst = vm.new_instance(cls)?;
    set_args(vm, &inst, args.to_vec());
    if let (Some(f @ (Family::Stop | Family::Exit)), Some(Payload::Exception(d))) =
        (fam, inst.payload())
    {
        exc_members::init_single(f, d);
    }
    Ok(Some(inst))
}

/// Whether `v` (or the function of the `staticmethod` `v`) is `BaseException`'s own
/// native `name`.
pub(crate) fn is_base_native(v: &Value, name: &str) -> bool {
    let Value::Obj(o) = v else { return false };
    let f = match &o.payload {
        Payload::StaticMethod(inner) => inner,
        _ => v,
    };
    crate::attr::is_native_of(f, "BaseException")
        && matches!(f, Value::Obj(o) if matches!(&o.payload, Payload::Native(nf) if nf.name.as_str() == name))
}

/// The `OSError` subclass CPython picks for an errno (`OSError(2, ...)` is a
/// `FileNotFoundError`).
fn os_error_subclass(vm: &Vm, errno: i64) -> Option<crate::value::Obj> {
    let e = &vm.exc;
    Some(match errno {
        1 | 13 => e.permission_error.clone(),
        2 => e.file_not_found_error.clone(),
        3 => e.process_lookup_error.clone(),
        4 => e.interrupted_error.clone(),
        10 => e.child_process_error.clone(),
        11 | 114 | 115 => e.blocking_io_error.clone(),
        17 => e.file_exists_error.clone(),
        20 => e.not_a_directory_error.clone(),
        21 => e.is_a_directory_error.clone(),
        32 | 108 => e.broken_pipe_error.clone(),
        103 => e.connection_aborted_error.clone(),
        104 => e.connection_reset_error.clone(),
        110 => e.timeout_error.clone(),
        111 => e.connection_refused_error.clone(),
        _ => return None,
    })
}

fn set_args(vm: &mut Vm, e: &Value, args: Vec<Value>) {
    if let Some(Payload::Exception(d)) = e.payload() {
        d.borrow_mut().args = vm.new_tuple(args);
    }
}

fn exc_init(vm: &mut Vm, a: Args) -> PyResult {
    let e = a.pos[0].clone();
    let cls = vm.class_of(&e).clone();
    let fam = family_of(vm, &cls);
    if fam == Some(Family::Os) {
        // `OSError.__init__` does nothing when `__new__` parsed the arguments.
        no_keywords(vm, &cls, &a)?;
        if exc_members::os_use_init(vm, &cls) {
            exc_members::os_init(vm, &e, &a.pos[1..])?;
        }
        return Ok(Value::None);
    }
    if matches!(
        fam,
        Some(Family::Syntax | Family::Encode | Family::Decode | Family::Translate)
    ) {
        no_keywords(vm, &cls, &a)?;
    }
    set_args(vm, &e, a.pos[1..].to_vec());
    let Some(Payload::Exception(d)) = e.payload() else {
        return Ok(Value::None);
    };
    match fam {
        Some(f @ (Family::Stop | Family::Exit)) => exc_members::init_single(f, d),
        Some(f @ (Family::Syntax | Family::Encode | Family::Decode | Family::Translate)) => {
            exc_members::init_checked(vm, f, &e, &a)?
        }
        _ => {}
    }
    if !a.kw.is_empty() || matches!(fam, Some(Family::Name | Family::Attribute)) {
        exc_init_keywords(vm, fam, &e, &a)?;
    }
    Ok(Value::None)
}

/// The keyword arguments some exceptions take: `ImportError(name=, path=)`,
/// `NameError(name=)`, `AttributeError(name=, obj=)`; the others take none.
fn exc_init_keywords(vm: &mut Vm, fam: Option<Family>, e: &Value, a: &Args) -> PyResult<()> {
    let cls = vm.class_of(e).clone();
    let allowed: &[&str] = match fam {
        Some(Family::Import) => &["name", "path"],
        Some(Family::Name) => &["name"],
        Some(Family::Attribute) => &["name", "obj"],
        _ => return no_keywords(vm, &cls, a),
    };
    let tname = vm.type_name(e).to_string();
    a.check_kwargs(vm, &tname, allowed)?;
    let Some(Payload::Exception(d)) = e.payload() else {
        return Ok(());
    };
    let get = |k: &str| a.kwarg(k).cloned().unwrap_or(Value::None);
    match fam {
        Some(Family::Attribute) => {
            // The tuple (name, obj), as for the VM's own attribute errors; none without
            // keywords.
            let pair = if a.kw.is_empty() {
                Value::None
            } else {
                vm.new_tuple(vec![get("name"), get("obj")])
            };
            d.borrow_mut().extra = pair;
        }
        Some(Family::Name) => d.borrow_mut().extra = get("name"),
        _ => {
            for (i, k) in ["name", "path"].iter().enumerate() {
                if let Some(v) = a.kwarg(k) {
                    exc_members::set_member(vm, Family::Import, d, i, v.clone());
                }
            }
        }
    }
    Ok(())
}

/// `ImportError.name` (the module an import failed to find).
pub(crate) fn import_error_name(vm: &Vm, d: &ExcData) -> Value {
    exc_members::member_value(vm, Family::Import, d, 0)
}

/// `ImportError.msg`.
pub(crate) fn import_error_msg(vm: &Vm, d: &ExcData) -> Value {
    exc_members::member_value(vm, Family::Import, d, 2)
}

/// A `SystemExit` made by the VM (`sys.exit`, `exit()`): `args` and `code` from them.
pub(crate) fn new_system_exit(vm: &Vm, args: Vec<Value>) -> Obj {
    let e = vm.new_exception(&vm.exc.system_exit, args);
    if let Payload::Exception(d) = &e.payload {
        exc_members::init_single(Family::Exit, d);
    }
    e
}

fn exc_str(vm: &mut Vm, a: Args) -> PyResult {
    let Value::Obj(o) = &a.pos[0] else {
        return Ok(Value::str(""));
    };
    let s = vm.exception_str(o)?;
    Ok(Value::str(s))
}

/// `repr(exc)`: `ValueError('msg')`.
pub fn exception_repr(vm: &mut Vm, o: &Obj) -> PyResult<String> {
    let args = vm
        .exc_data(o)
        .map(|d| d.args.clone())
        .unwrap_or(Value::None);
    let name = crate::types::type_name(o.class_raw().expect("class"));
    let items: Vec<Value> = match args.payload() {
        Some(Payload::Tuple(t)) => t.to_vec(),
        _ => Vec::new(),
    };
    if items.len() == 1 {
        let r = vm.repr(&items[0])?;
        return Ok(format!("{name}({})", r.as_str()));
    }
    let r = vm.repr(&args)?;
    Ok(format!("{name}{}", r.as_str()))
}

fn exc_repr_m(vm: &mut Vm, a: Args) -> PyResult {
    let Value::Obj(o) = &a.pos[0] else {
        return Ok(Value::str(""));
    };
    exception_repr(vm, o).map(Value::str)
}

/// `BaseException.with_traceback(tb)`: sets `__traceback__`, returns the exception.
fn with_traceback(vm: &mut Vm, a: Args) -> PyResult {
    let entries = traceback_entries(vm, &a.pos[1])?;
    if let Some(Payload::Exception(d)) = a.pos[0].payload() {
        d.borrow_mut().traceback = entries;
    }
    Ok(a.pos[0].clone())
}

/// The stored traceback (innermost first) of a value assigned to `__traceback__`: a
/// traceback object's frames, none for `None`, else CPython's `TypeError`.
fn traceback_entries(vm: &mut Vm, tb: &Value) -> PyResult<Vec<crate::object::TracebackEntry>> {
    let is_tb = match tb {
        Value::None => true,
        Value::Obj(o) => o
            .class_raw()
            .is_some_and(|c| std::rc::Rc::ptr_eq(c, &vm.types.traceback)),
        _ => false,
    };
    if !is_tb {
        return Err(vm.new_type_error("__traceback__ must be a traceback or None"));
    }
    let mut entries = vm.traceback_object_entries(tb);
    entries.reverse();
    Ok(entries)
}

fn add_note(vm: &mut Vm, a: Args) -> PyResult {
    let Some(note) = a.get(1).cloned() else {
        return Err(vm.new_type_error("add_note() takes exactly one argument (0 given)"));
    };
    if note.as_str().is_none() {
        return Err(vm.new_type_error(format!("note must be a str, not '{}'", vm.type_name(&note))));
    }
    let key = vm.names.__notes__.clone();
    let notes = match vm.get_attr_opt(&a.pos[0], &key)? {
        Some(n) => n,
        None => {
            let l = vm.new_list(Vec::new());
            vm.set_attr(&a.pos[0], &key, l.clone())?;
            l
        }
    };
    if let Some(Payload::List(l)) = notes.payload() {
        l.borrow_mut().push(note);
    }
    Ok(Value::None)
}

/// Assigns (`Some`) or deletes (`None`) an attribute kept in the exception's data:
/// `args`, `__cause__`, `__context__`, `__suppress_context__`, `__traceback__` and the
/// members of `exc_members.rs`; false for other names (which go to the instance dict).
pub fn set_exception_attr(
    vm: &mut Vm,
    cls: &Obj,
    d: &RefCell<ExcData>,
    name: &str,
    value: Option<&Value>,
) -> PyResult<bool> {
    let Some(value) = value else {
        if name == "args" {
            return Err(vm.new_type_error("args may not be deleted"));
        }
        return exc_members::set_attr(vm, cls, d, name, None);
    };
    match name {
        "args" => {
            let items = vm.collect(value)?;
            exc_members::freeze(vm, cls, d);
            d.borrow_mut().args = vm.new_tuple(items);
        }
        "__cause__" => {
            let mut d = d.borrow_mut();
            d.cause = value.clone();
            d.suppress_context = true;
        }
        "__context__" => d.borrow_mut().context = value.clone(),
        "__suppress_context__" => {
            let b = vm.is_true(value)?;
            d.borrow_mut().suppress_context = b;
        }
        "__traceback__" => {
            let entries = traceback_entries(vm, value)?;
            d.borrow_mut().traceback = entries;
        }
        _ => return exc_members::set_attr(vm, cls, d, name, Some(value.clone())),
    }
    Ok(true)
}

/// Attributes of exception objects.
pub(super) fn exception_attr(vm: &mut Vm, o: &Obj, name: &str) -> PyResult<Option<Value>> {
    let Some(d) = vm.exc_data(o) else {
        return Ok(None);
    };
    let r = match name {
        "args" => Some(d.args.clone()),
        "__cause__" => Some(d.cause.clone()),
        "__context__" => Some(d.context.clone()),
        "__suppress_context__" => Some(Value::bool(d.suppress_context)),
        "__traceback__" => {
            drop(d);
            return Ok(Some(vm.traceback_value(&Value::Obj(o.clone()))));
        }
        "exceptions" => {
            let cls = o.class_raw().cloned().expect("class");
            if let Some(v) = exc_members::get_attr(vm, &cls, &d, name)? {
                return Ok(Some(v));
            }
            if !is_subtype(&cls, &vm.exc.base_exception_group) {
                return Ok(None);
            }
            let excs = match d.args.payload() {
                Some(Payload::Tuple(t)) => t.get(1).cloned().unwrap_or(Value::None),
                _ => Value::None,
            };
            drop(d);
            let items = vm.collect(&excs)?;
            return Ok(Some(vm.new_tuple(items)));
        }
        _ => {
            let cls = o.class_raw().cloned().expect("class");
            exc_members::get_attr(vm, &cls, &d, name)?
        }
    };
    Ok(r)
}

fn eg_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = a.pos[0].as_obj().cloned().expect("class");
    if a.len() != 3 {
        return Err(vm.new_type_error(format!(
            "BaseExceptionGroup.__new__() takes exactly 2 arguments ({} given)",
            a.len() - 1
        )));
    }
    if a.pos[1].as_str().is_none() {
        return Err(vm.new_type_error(format!(
            "BaseExceptionGroup.__new__() argument 1 must be str, not {}",
            vm.type_name(&a.pos[1])
        )));
    }
    let excs = vm
        .collect(&a.pos[2])
        .map_err(|_| vm.new_type_error("second argument (exceptions) must be a sequence"))?;
    if excs.is_empty() {
        return Err(vm.new_value_error("second argument (exceptions) must be a non-empty sequence"));
    }
    let mut all_exc = true;
    for (i, e) in excs.iter().enumerate() {
        let ok = matches!(e.payload(), Some(Payload::Exception(_)));
        if !ok {
            return Err(vm.new_value_error(format!(
                "Item {i} of second argument (exceptions) is not an exception"
            )));
        }
        if !vm.isinstance(e, &vm.exc.exception.clone()) {
            all_exc = false;
        }
    }
    let mut cls = cls;
    if std::rc::Rc::ptr_eq(&cls, &vm.exc.base_exception_group) && all_exc {
        cls = vm.exc.exception_group.clone();
    } else if is_subtype(&cls, &vm.exc.exception.clone()) && !all_exc {
        return Err(vm.new_type_error("Cannot nest BaseExceptions in an ExceptionGroup"));
    }
    let inst = vm.new_instance(&cls)?;
    // `args` keeps the sequence as given; `.exceptions` is a tuple copy made now (so
    // changing the sequence later, as socket.create_connection clears its list, does not
    // change the group).
    set_args(vm, &inst, vec![a.pos[1].clone(), a.pos[2].clone()]);
    let copy = vm.new_tuple(excs);
    if let Some(Payload::Exception(d)) = inst.payload() {
        d.borrow_mut().extra = copy;
    }
    Ok(inst)
}

fn eg_init(_vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::None)
}

fn eg_str(vm: &mut Vm, a: Args) -> PyResult {
    let Value::Obj(o) = &a.pos[0] else {
        return Ok(Value::str(""));
    };
    let (msg, n) = {
        let d = vm.exc_data(o).expect("exception");
        let args: Vec<Value> = match d.args.payload() {
            Some(Payload::Tuple(t)) => t.to_vec(),
            _ => Vec::new(),
        };
        let n = match d
            .extra
            .payload()
            .or_else(|| args.get(1).and_then(|v| v.payload()))
        {
            Some(Payload::Tuple(t)) => t.len(),
            Some(Payload::List(l)) => l.borrow().len(),
            _ => 0,
        };
        (args.first().cloned().unwrap_or(Value::None), n)
    };
    let m = vm.to_str(&msg)?;
    Ok(Value::str(format!(
        "{} ({} sub-exception{})",
        m.as_str(),
        n,
        if n == 1 { "" } else { "s" }
    )))
}

fn group_parts(vm: &mut Vm, g: &Value) -> PyResult<(Value, Vec<Value>)> {
    let Value::Obj(o) = g else {
        return Ok((Value::None, Vec::new()));
    };
    let args = vm
        .exc_data(o)
        .map(|d| d.args.clone())
        .unwrap_or(Value::None);
    let items = vm.collect(&args)?;
    let msg = items.first().cloned().unwrap_or(Value::None);
    let copy = match vm.exc_data(o).map(|d| d.extra.clone()) {
        Some(t @ Value::Obj(_)) if matches!(t.payload(), Some(Payload::Tuple(_))) => Some(t),
        _ => None,
    };
    let excs = match (copy, items.get(1)) {
        (Some(t), _) => vm.collect(&t)?,
        (None, Some(e)) => vm.collect(e)?,
        (None, None) => Vec::new(),
    };
    Ok((msg, excs))
}

/// `BaseExceptionGroup.derive`: a plain group with `g`'s message and `excs` (nothing else
/// is copied; `split` and `subgroup` do that in `subset`).
fn derive(vm: &mut Vm, g: &Value, excs: Vec<Value>) -> PyResult {
    let (msg, _) = group_parts(vm, g)?;
    let t = vm.new_list(excs);
    let cls = vm.exc.base_exception_group.clone();
    vm.call(&Value::Obj(cls), &[msg, t], &[])
}

/// A part of group `g` made by `split`/`subgroup`, as CPython's `exceptiongroup_subset`:
/// `g.derive(excs)` (so a subclass's override is honoured), which must be a group, then
/// `g`'s traceback, context, cause and a copy of its `__notes__`.
fn subset(vm: &mut Vm, g: &Value, excs: Vec<Value>) -> PyResult {
    let list = vm.new_list(excs);
    let ng = crate::module::call_method(vm, g, "derive", &[list])?;
    if !vm.isinstance(&ng, &vm.exc.base_exception_group.clone()) {
        return Err(vm.new_type_error("derive must return an instance of BaseExceptionGroup"));
    }
    if let (Some(Payload::Exception(src)), Some(Payload::Exception(dst))) =
        (g.payload(), ng.payload())
    {
        let s = src.borrow();
        let mut d = dst.borrow_mut();
        d.cause = s.cause.clone();
        d.suppress_context = true;
        d.context = s.context.clone();
        d.traceback = s.traceback.clone();
    }
    let key = vm.names.__notes__.clone();
    if let Some(notes) = vm.get_attr_opt(g, &key)? {
        if is_sequence(vm, &notes) {
            let items = vm.collect(&notes)?;
            let copy = vm.new_list(items);
            vm.set_attr(&ng, &key, copy)?;
        }
    }
    Ok(ng)
}

/// Whether `v` is a sequence as `PySequence_Check` sees it: a list, a tuple, or an object
/// whose class has `__getitem__` and that is not a dict.
fn is_sequence(vm: &mut Vm, v: &Value) -> bool {
    match v.payload() {
        Some(Payload::List(_) | Payload::Tuple(_)) => true,
        Some(Payload::Dict(_)) => false,
        _ => {
            let cls = vm.class_of(v).clone();
            vm.lookup(&cls, &vm.names.__getitem__.clone()).is_some()
        }
    }
}

/// The one argument of `split`, `subgroup` or `derive` after the group, with CPython's
/// error (`message` given the count) when the count differs.
fn one_arg(vm: &mut Vm, a: &Args, message: impl Fn(usize) -> String) -> PyResult<()> {
    let n = a.pos.len().saturating_sub(1);
    if n == 1 && a.kw.is_empty() {
        return Ok(());
    }
    Err(vm.new_type_error(message(n + a.kw.len())))
}

fn eg_derive(vm: &mut Vm, a: Args) -> PyResult {
    one_arg(vm, &a, |n| {
        format!("function takes exactly 1 argument ({n} given)")
    })?;
    if !is_sequence(vm, &a.pos[1]) {
        return Err(vm.new_type_error("second argument (exceptions) must be a sequence"));
    }
    let excs = vm.collect(&a.pos[1])?;
    derive(vm, &a.pos[0], excs)
}

/// Splits group `g` by `matcher` (a class, a tuple of classes, or a predicate); the rest
/// is only built (its `derive` called) when `want_rest`, as `subgroup` does not.
fn split_group(
    vm: &mut Vm,
    g: &Value,
    matcher: &Value,
    want_rest: bool,
) -> PyResult<(Option<Value>, Option<Value>)> {
    if matches_exc(vm, g, matcher)? {
        return Ok((Some(g.clone()), None));
    }
    let is_group = vm.isinstance(g, &vm.exc.base_exception_group.clone());
    if !is_group {
        return Ok((None, Some(g.clone())));
    }
    let (_, excs) = group_parts(vm, g)?;
    let (mut yes, mut no) = (Vec::new(), Vec::new());
    for e in excs {
        let (m, r) = split_group(vm, &e, matcher, want_rest)?;
        if let Some(m) = m {
            yes.push(m);
        }
        if let Some(r) = r {
            no.push(r);
        }
    }
    let m = if yes.is_empty() {
        None
    } else {
        Some(subset(vm, g, yes)?)
    };
    let r = if no.is_empty() || !want_rest {
        None
    } else {
        Some(subset(vm, g, no)?)
    };
    Ok((m, r))
}

fn matches_exc(vm: &mut Vm, e: &Value, matcher: &Value) -> PyResult<bool> {
    match matcher {
        Value::Obj(o) if matches!(o.payload, Payload::Type(_) | Payload::Tuple(_)) => {
            vm.exception_matches(e, matcher)
        }
        _ => {
            let r = vm.call(matcher, std::slice::from_ref(e), &[])?;
            vm.is_true(&r)
        }
    }
}

fn eg_split_m(vm: &mut Vm, a: Args) -> PyResult {
    one_arg(vm, &a, |n| format!("split expected 1 argument, got {n}"))?;
    let (m, r) = split_group(vm, &a.pos[0], &a.pos[1], true)?;
    Ok(vm.new_tuple(vec![m.unwrap_or(Value::None), r.unwrap_or(Value::None)]))
}

fn eg_subgroup(vm: &mut Vm, a: Args) -> PyResult {
    one_arg(vm, &a, |n| format!("subgroup expected 1 argument, got {n}"))?;
    let (m, _) = split_group(vm, &a.pos[0], &a.pos[1], false)?;
    Ok(m.unwrap_or(Value::None))
}

/// `except*` prologue: the exception being handled, as the first "rest" to split.
pub(super) fn eg_prepare(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(a.pos[0].clone())
}

/// `except* T`: returns (match, rest) with `None` for empty parts.
pub(super) fn eg_split(vm: &mut Vm, a: Args) -> PyResult {
    let rest = a.pos[0].clone();
    if rest.is_none() {
        return Ok(vm.new_tuple(vec![Value::None, Value::None]));
    }
    let matcher = a.pos[1].clone();
    if let Value::Obj(m) = &matcher {
        if matches!(m.payload, Payload::Type(_))
            && is_subtype(m, &vm.exc.base_exception_group.clone())
        {
            return Err(vm.new_type_error(
                "catching ExceptionGroup with except* is not allowed. Use except instead.",
            ));
        }
    }
    if !vm.isinstance(&rest, &vm.exc.base_exception_group.clone()) {
        // A naked exception that matches is wrapped in ExceptionGroup('', (exc,)).
        if matches_exc(vm, &rest, &matcher)? {
            let t = vm.new_tuple(vec![rest.clone()]);
            let cls = vm.exc.base_exception_group.clone();
            let g = vm.call(&Value::Obj(cls), &[Value::str(""), t], &[])?;
            return Ok(vm.new_tuple(vec![g, Value::None]));
        }
        return Ok(vm.new_tuple(vec![Value::None, rest]));
    }
    let (m, r) = split_group(vm, &rest, &matcher, true)?;
    Ok(vm.new_tuple(vec![m.unwrap_or(Value::None), r.unwrap_or(Value::None)]))
}

/// `except*` epilogue: the exception to re-raise (unhandled rest plus what handlers raised),
/// or `None`.
pub(super) fn eg_finish(vm: &mut Vm, a: Args) -> PyResult {
    let rest = a.pos[0].clone();
    let raised = vm.collect(&a.pos[1])?;
    if raised.is_empty() {
        return Ok(rest);
    }
    let mut all = Vec::new();
    if !rest.is_none() {
        all.push(rest);
    }
    all.extend(raised);
    if all.len() == 1 {
        return Ok(all.pop().expect("one"));
    }
    let t = vm.new_list(all);
    let cls = vm.exc.base_exception_group.clone();
    vm.call(&Value::Obj(cls), &[Value::str(""), t], &[])
}
