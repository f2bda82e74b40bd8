//! Weak references: the mechanism under the `weakref` module (CPython's
//! `Objects/weakrefobject.c`).
//!
//! A weak reference is an object whose payload is a [`WeakRef`]: an `std::rc::Weak` to its
//! referent, an optional callback and a cached hash. The references to one object are listed
//! in a thread-local table keyed by the object's address, in CPython's order (the reusable
//! reference without callback first, then the reusable proxy, then the others, newest
//! first). An object pays nothing for this until its first weak reference sets its
//! `weakly_referenced` flag; its `Drop` then calls `died`, which clears the references
//! and queues their callbacks for the next finalization point (`finalize`), where the VM
//! is available, as CPython calls them from the deallocator. An object with `__del__` hands
//! its references to the twin that runs it (`moved`), so they die after `__del__` as in
//! CPython; the cycle collector clears the references to its garbage first and calls the
//! callbacks of the references that are not garbage themselves (`clear_for_collection`,
//! CPython's `handle_weakrefs`).

use crate::object::{Layout, Object, Payload};
use crate::value::{Obj, Value};
use crate::vm::Vm;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

/// What a weak reference object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeakKind {
    /// `weakref.ref` (or a subclass): calling it returns the referent.
    Ref,
    /// `weakref.proxy` of an object that is not callable (`weakref.ProxyType`).
    Proxy,
    /// `weakref.proxy` of a callable object (`weakref.CallableProxyType`).
    CallableProxy,
}

/// The payload of a weak reference object.
pub struct WeakRef {
    target: RefCell<Weak<Object>>,
    callback: RefCell<Value>,
    /// The referent's hash, once asked for (CPython keeps it after the referent dies).
    pub hash: Cell<Option<i64>>,
    kind: WeakKind,
    /// The shared reference `ref(obj)` or `proxy(obj)` returns again (no callback, not a
    /// subclass instance).
    basic: bool,
}

impl WeakRef {
    /// The referent, while it lives.
    pub fn referent(&self) -> Option<Obj> {
        self.target.borrow().upgrade()
    }

    /// The callback (`None` when there is none, or once it was called).
    pub fn callback(&self) -> Value {
        self.callback.borrow().clone()
    }

    /// Whether this is a reference or a proxy.
    pub fn kind(&self) -> WeakKind {
        self.kind
    }
}

impl Drop for WeakRef {
    fn drop(&mut self) {
        // A reference that dies before its referent leaves the referent's list.
        let key = self.target.get_mut().as_ptr() as usize;
        let _ = TABLE.try_with(|t| {
            if let Ok(mut t) = t.try_borrow_mut() {
                if let Some(list) = t.get_mut(&key) {
                    list.retain(|w| w.strong_count() > 0);
                    if list.is_empty() {
                        t.remove(&key);
                    }
                }
            }
        });
    }
}

thread_local! {
    /// The weak reference objects of each weakly referenced object, by its address.
    static TABLE: RefCell<HashMap<usize, Vec<Weak<Object>>>> = RefCell::new(HashMap::new());
}

fn key(o: &Object) -> usize {
    o as *const Object as usize
}

/// The weak reference payload of `v`, if it is a weak reference object.
pub fn weakref_of(v: &Value) -> Option<&WeakRef> {
    match v {
        Value::Obj(o) => data(o),
        _ => None,
    }
}

fn data(o: &Object) -> Option<&WeakRef> {
    match &o.payload {
        Payload::Host(b) => b.downcast_ref::<WeakRef>(),
        _ => None,
    }
}

/// Whether `v` can be weakly referenced, as in CPython: instances of classes defined in
/// aio (unless their `__slots__` leave out `__weakref__`, and not for subclasses of `int`,
/// `tuple` or `bytes`), functions, built-in functions, bound methods, classes, modules,
/// code objects, generators and coroutines, sets and frozensets; not `None`, numbers,
/// strings, tuples, lists, dicts, `object()` or the other built-in instances.
pub fn can_weakref(v: &Value) -> bool {
    let Value::Obj(o) = v else { return false };
    match &o.payload {
        Payload::Function(_)
        | Payload::Native(_)
        | Payload::Method(_)
        | Payload::Type(_)
        | Payload::Module(_)
        | Payload::Code(_)
        | Payload::Generator(_)
        | Payload::Set(_) => true,
        // A class of the MRO adds `__weakref__` (native classes do unless they declare
        // `__slots__`, as `weakref.ref` does).
        _ => o.class_raw().is_some_and(|cls| {
            cls.as_type().is_some_and(|t| {
                t.layout != Layout::Builtin
                    && t.mro
                        .borrow()
                        .iter()
                        .any(|c| crate::builtins::adds_slot(c, "__weakref__"))
            })
        }),
    }
}

/// The live weak reference objects to `target`, in CPython's order
/// (`weakref.getweakrefs`).
pub fn refs_of(target: &Obj) -> Vec<Obj> {
    if !target.weakly_referenced.get() {
        return Vec::new();
    }
    TABLE.with(|t| {
        t.borrow()
            .get(&key(target))
            .map(|l| l.iter().filter_map(Weak::upgrade).collect())
            .unwrap_or_default()
    })
}

/// The shared reference to `target` of this kind (no callback, exact type), if one lives:
/// `ref(obj)` and `proxy(obj)` return it again.
pub fn find_basic(target: &Obj, kind: WeakKind) -> Option<Obj> {
    let want_proxy = kind != WeakKind::Ref;
    refs_of(target)
        .into_iter()
        .find(|w| data(w).is_some_and(|d| d.basic && (d.kind != WeakKind::Ref) == want_proxy))
}

impl Vm {
    /// A new weak reference object of class `cls` (with a `__dict__` when `dict`) to
    /// `target`, calling `callback` (unless `None`) with the reference when `target` dies.
    /// `basic` marks the shared reference of [`find_basic`]. The caller checks
    /// [`can_weakref`] first.
    pub fn new_weakref(
        &mut self,
        cls: &Obj,
        target: &Obj,
        callback: Value,
        kind: WeakKind,
        basic: bool,
    ) -> Value {
        let state = WeakRef {
            target: RefCell::new(Rc::downgrade(target)),
            callback: RefCell::new(callback),
            hash: Cell::new(None),
            kind,
            basic,
        };
        let payload = Payload::Host(Box::new(state));
        let obj = if cls.as_type().is_some_and(|t| t.instance_dict) && !basic {
            let d = self.new_dict(crate::dict::Dict::new());
            Object::with_dict(cls.clone(), payload, d)
        } else {
            Object::new(cls.clone(), payload)
        };
        let wr = self.track(obj);
        target.weakly_referenced.set(true);
        TABLE.with(|t| {
            let mut t = t.borrow_mut();
            let list = t.entry(key(target)).or_default();
            list.retain(|w| w.strong_count() > 0);
            // CPython's list: the basic reference first, then the basic proxy, then the
            // others, each inserted right after the basic ones.
            let lead = list
                .iter()
                .take_while(|w| {
                    w.upgrade()
                        .is_some_and(|o| data(&o).is_some_and(|d| d.basic))
                })
                .count();
            let at = if basic && kind == WeakKind::Ref {
                0
            } else {
                lead
            };
            list.insert(at, Rc::downgrade(&wr));
        });
        Value::Obj(wr)
    }
}

/// Called from `Object`'s `Drop` for an object with weak references: clears them and queues
/// their callbacks, called in list order.
pub(crate) fn died(o: &Object) {
    o.weakly_referenced.set(false);
    let Ok(Some(list)) = TABLE.try_with(|t| t.try_borrow_mut().ok()?.remove(&key(o))) else {
        return;
    };
    let pending: Vec<(Value, Obj)> = list
        .iter()
        .filter_map(Weak::upgrade)
        .filter_map(|wr| {
            let cb = clear(&wr)?;
            Some((cb, wr))
        })
        .collect();
    queue_callbacks(pending);
}

/// Kills the weak reference `wr`; returns its callback, if it had one.
fn clear(wr: &Obj) -> Option<Value> {
    let d = data(wr)?;
    *d.target.borrow_mut() = Weak::new();
    let cb = std::mem::take(&mut *d.callback.borrow_mut());
    (!cb.is_none()).then_some(cb)
}

/// Called when the object at `old` dies into `twin` to run its `__del__`: the weak
/// references now refer to the twin.
pub(crate) fn moved(old: &Object, twin: &Obj) {
    let Ok(Some(list)) = TABLE.try_with(|t| t.try_borrow_mut().ok()?.remove(&key(old))) else {
        return;
    };
    for wr in list.iter().filter_map(Weak::upgrade) {
        if let Some(d) = data(&wr) {
            *d.target.borrow_mut() = Rc::downgrade(twin);
        }
    }
    twin.weakly_referenced.set(true);
    let _ = TABLE.try_with(|t| {
        if let Ok(mut t) = t.try_borrow_mut() {
            t.insert(key(twin), list);
        }
    });
}

/// For the cycle collector, before it clears its garbage (CPython's `handle_weakrefs`):
/// clears every weak reference to an object of `garbage`, and returns the callbacks to
/// call, with their references, in call order — those of references that are not garbage
/// themselves (`is_garbage`).
pub(crate) fn clear_for_collection<'a>(
    garbage: impl Iterator<Item = &'a Obj>,
    is_garbage: &dyn Fn(&Obj) -> bool,
) -> Vec<(Value, Obj)> {
    let mut calls = Vec::new();
    for o in garbage {
        if !o.weakly_referenced.replace(false) {
            continue;
        }
        let list = TABLE.with(|t| t.borrow_mut().remove(&key(o)));
        for wr in list.iter().flatten().filter_map(Weak::upgrade) {
            if let Some(cb) = clear(&wr) {
                if !is_garbage(&wr) {
                    calls.push((cb, wr));
                }
            }
        }
    }
    calls
}

/// Queues callbacks to be called, in this order, with their references at the next
/// finalization point.
pub(crate) fn queue_callbacks(calls: Vec<(Value, Obj)>) {
    for (cb, wr) in calls {
        crate::finalize::queue_callback(cb, wr);
    }
}

/// For the collector: the callback a weak reference object holds strongly.
pub(crate) fn trace(o: &Object, f: &mut dyn FnMut(&Obj)) {
    if let Some(Ok(cb)) = data(o).map(|d| d.callback.try_borrow()) {
        if let Value::Obj(cb) = &*cb {
            f(cb);
        }
    }
}

/// For the collector: empties a garbage weak reference object (its callback).
pub(crate) fn clear_garbage(o: &Object, out: &mut Vec<Value>) {
    if let Some(Ok(mut cb)) = data(o).map(|d| d.callback.try_borrow_mut()) {
        out.push(std::mem::take(&mut *cb));
    }
}
