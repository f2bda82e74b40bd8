//! The native parts of `OrderedDict`, as CPython's are C: `popitem`, `move_to_end` and
//! the `odict_iterator`. The order of an aio `OrderedDict` is its dict's insertion order,
//! so the methods reorder the dict's own table, and an iterator walks its positions,
//! failing as CPython's does once the keys or their order changed (the dict's version).

use aio_vm::builtins::{iter_next, iter_self, native_closure};
use aio_vm::iter::NativeIter;
use aio_vm::module::ClassBuilder;
use aio_vm::native::{Args, NativeClosure};
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

/// Adds the native methods to `OrderedDict` (defined by `dicts.aio` in module `m`), and
/// `_odict_iter(od, kind, reverse)`, the iterator of its views.
pub(super) fn install(vm: &mut Vm, m: &Obj) {
    // Reached through the iterators only, as in CPython (not a module attribute).
    let iter_cls = aio_vm::module::new_class(vm, "collections", "odict_iterator", &[]);
    ClassBuilder::new(vm, &iter_cls)
        .method("__iter__", iter_self)
        .method("__next__", iter_next);
    let g = vm.module_globals(m).expect("a module has globals");
    let name = vm.intern("OrderedDict");
    let Some(Value::Obj(cls)) = vm.dict_get_str(&g, &name) else {
        return;
    };
    ClassBuilder::new(vm, &cls)
        .method("popitem", popitem)
        .method("move_to_end", move_to_end);
    for (method, reverse) in [("__iter__", false), ("__reversed__", true)] {
        let ic = iter_cls.clone();
        let f: NativeClosure = Rc::new(move |vm, a| {
            let od = match a.pos.first() {
                // `__iter__` is a slot wrapper, with its own wording.
                Some(Value::Obj(o)) if matches!(o.payload, Payload::Dict(_)) => o.clone(),
                other if !reverse => {
                    let got = other.map(|v| vm.type_name(v)).unwrap_or_default();
                    return Err(vm.new_type_error(format!(
                        "descriptor '__iter__' requires a 'collections.OrderedDict' object but received a '{got}'"
                    )));
                }
                _ => this(vm, &a, method)?,
            };
            if reverse {
                a.method_count(vm, "OrderedDict.__reversed__", 0, 0)?;
            } else if a.pos.len() > 1 {
                let n = a.pos.len() - 1;
                return Err(vm.new_type_error(format!("expected 0 arguments, got {n}")));
            }
            Ok(new_iter(vm, &ic, od, Kind::Keys, reverse))
        });
        let v = native_closure(vm, method, Some("OrderedDict"), f);
        ClassBuilder::new(vm, &cls).attr(method, v);
    }
    let f: NativeClosure = Rc::new(move |vm, a| {
        a.check_count(vm, "_odict_iter", 3, 3)?;
        let od = this(vm, &a, "_odict_iter")?;
        let kind = match a.pos[1] {
            Value::Int(1) => Kind::Values,
            Value::Int(2) => Kind::Items,
            _ => Kind::Keys,
        };
        let reverse = vm.is_true(&a.pos[2])?;
        Ok(new_iter(vm, &iter_cls, od, kind, reverse))
    });
    let v = native_closure(vm, "_odict_iter", None, f);
    vm.dict_set_str(&g, "_odict_iter", v);
}

/// What an `odict_iterator` yields.
#[derive(Clone, Copy)]
enum Kind {
    Keys,
    Values,
    Items,
}

/// An iterator over an `OrderedDict` (or its views), forwards or backwards.
struct OdictIter(RefCell<OdictIterState>);

/// Where an [`OdictIter`] is.
struct OdictIterState {
    /// The dict (`None` once exhausted or failed).
    od: Option<Obj>,
    /// Forwards: the next position; backwards: one past it.
    pos: usize,
    /// The dict's version when iteration began.
    version: u64,
    kind: Kind,
    reverse: bool,
}

fn new_iter(vm: &mut Vm, cls: &Obj, od: Obj, kind: Kind, reverse: bool) -> Value {
    let (version, positions) = match &od.payload {
        Payload::Dict(d) => {
            let d = d.borrow();
            (d.version, d.positions())
        }
        _ => (0, 0),
    };
    let state = OdictIterState {
        od: Some(od),
        pos: if reverse { positions } else { 0 },
        version,
        kind,
        reverse,
    };
    vm.new_native_iterator(cls, Rc::new(OdictIter(RefCell::new(state))))
}

impl NativeIter for OdictIter {
    fn next(&self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let mut it = self.0.borrow_mut();
        let Some(od) = it.od.clone() else {
            return Ok(None);
        };
        let Payload::Dict(d) = &od.payload else {
            return Ok(None);
        };
        let d = d.borrow();
        if d.version != it.version {
            it.od = None;
            return Err(vm.new_runtime_error("OrderedDict mutated during iteration"));
        }
        let entry = if it.reverse {
            let mut found = None;
            while found.is_none() && it.pos > 0 {
                it.pos -= 1;
                found = d.entry_at(it.pos);
            }
            found
        } else {
            let mut found = None;
            while found.is_none() && it.pos < d.positions() {
                found = d.entry_at(it.pos);
                it.pos += 1;
            }
            found
        };
        let Some(e) = entry else {
            drop(d);
            it.od = None;
            return Ok(None);
        };
        let (key, value) = (e.key.clone(), e.value.clone());
        drop(d);
        drop(it);
        Ok(Some(match self.kind() {
            Kind::Keys => key,
            Kind::Values => value,
            Kind::Items => vm.new_tuple(vec![key, value]),
        }))
    }

    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Ok(it) = self.0.try_borrow() {
            if let Some(od) = &it.od {
                f(&Value::Obj(od.clone()));
            }
        }
    }

    fn clear(&self, out: &mut Vec<Value>) {
        if let Ok(mut it) = self.0.try_borrow_mut() {
            out.extend(it.od.take().map(Value::Obj));
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl OdictIter {
    fn kind(&self) -> Kind {
        self.0.borrow().kind
    }
}

/// The instance, or CPython's descriptor error for anything that is not a dict.
fn this(vm: &mut Vm, a: &Args, name: &str) -> PyResult<Obj> {
    match a.pos.first() {
        Some(Value::Obj(o)) if matches!(o.payload, Payload::Dict(_)) => Ok(o.clone()),
        other => {
            let got = other.map(|v| vm.type_name(v)).unwrap_or_default();
            Err(vm.new_type_error(format!(
                "descriptor '{name}' for 'collections.OrderedDict' objects doesn't apply to a '{got}' object"
            )))
        }
    }
}

/// The arguments after `self`.
fn rest<'a>(a: &Args<'a>) -> Args<'a> {
    Args {
        pos: a.pos.get(1..).unwrap_or(&[]),
        kw: a.kw,
    }
}

/// `last` as a truth value (`True` when absent).
fn flag(vm: &mut Vm, last: Option<Value>) -> PyResult<bool> {
    match last {
        Some(v) => vm.is_true(&v),
        None => Ok(true),
    }
}

/// `popitem(self, /, last=True)`: removes and returns the last (or first) `(key, value)`.
fn popitem(vm: &mut Vm, a: Args) -> PyResult {
    let od = this(vm, &a, "popitem")?;
    let [last] = rest(&a).clinic(vm, "popitem", 0, 0, ["last"])?;
    let last = flag(vm, last)?;
    let entry = match &od.payload {
        Payload::Dict(d) if last => d.borrow_mut().pop_last(),
        Payload::Dict(d) => d.borrow_mut().pop_first(),
        _ => None,
    };
    match entry {
        Some(e) => Ok(vm.new_tuple(vec![e.key, e.value])),
        None => {
            let key_error = vm.exc.key_error.clone();
            Err(vm.new_exception_msg(&key_error, "dictionary is empty"))
        }
    }
}

/// `move_to_end(self, /, key, last=True)`: moves an existing key to the end (or front).
fn move_to_end(vm: &mut Vm, a: Args) -> PyResult {
    let od = this(vm, &a, "move_to_end")?;
    let [key, last] = rest(&a).clinic(vm, "move_to_end", 0, 1, ["key", "last"])?;
    let key = key.expect("a required argument");
    let last = flag(vm, last)?;
    if vm.dict_move_to_end(&od, &key, last)? {
        Ok(Value::None)
    } else {
        Err(vm.new_key_error(key))
    }
}
