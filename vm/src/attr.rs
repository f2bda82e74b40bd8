//! Attribute access: `obj.name` lookup through data descriptors, the instance dict, the
//! class MRO (functions become bound methods, `property`, `classmethod`, `staticmethod`,
//! user descriptors) and `__getattr__`; stores and deletes; and the `LoadMethod` fast path
//! that avoids creating bound methods.

use crate::code::{AttrCache, CacheKind};
use crate::object::{Object, Payload};
use crate::str::Str;
use crate::types::{is_subtype, lookup, type_epoch};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::cell::Cell;
use std::rc::Rc;

/// `LoadAttr` through the instruction's cache: the attribute from the instance dict when
/// the cache says the object's class cannot supply it. `None`: take the general path.
#[inline(always)]
pub(crate) fn cached_load_attr(
    slot: &Cell<AttrCache>,
    obj: &Value,
    name: &Rc<Str>,
) -> Option<Value> {
    let Value::Obj(o) = obj else { return None };
    // SAFETY: read in place (the fields this path needs, not a copy of the whole entry);
    // nothing writes the slot while the reference lives: `slot.set` below comes after its
    // last use.
    let c: &AttrCache = unsafe { &*slot.as_ptr() };
    if !c.holds_for(o) {
        return if c.kind == CacheKind::TypeAttr {
            cached_type_attr(*c, o, name)
        } else {
            None
        };
    }
    if c.kind == CacheKind::Slot {
        // An unset slot takes the general path, which raises the AttributeError.
        return match &o.payload {
            Payload::Slots(vals) => vals.borrow().get(c.pos as usize).cloned().flatten(),
            Payload::Tuple(items) => items.get(c.pos as usize).cloned(),
            _ => None,
        };
    }
    let cell = attr_dict(o)?;
    match c.kind {
        CacheKind::ClassValue => return cached_class_value(*c, cell, name),
        CacheKind::InstanceDict => return o.dict.get().map(|d| Value::Obj(d.clone())),
        CacheKind::ClassOf => return o.class_raw().map(|c| Value::Obj(c.clone())),
        // A `TypeAttr` entry for this object's class: the object is an instance.
        CacheKind::Method | CacheKind::Property | CacheKind::TypeAttr => return None,
        _ => {}
    }
    // SAFETY: the reference lives only until the value is cloned (an `Rc` count
    // increment, which runs no script code), so no mutable borrow can overlap it; a dict
    // mutably borrowed right now (a store in progress further up) is an `Err`, and the
    // general path below gives up on it too.
    if let Some(v) = unsafe { cell.try_borrow_unguarded() }
        .ok()
        .and_then(|t| t.value_at_if_key(c.pos as usize, name))
    {
        return Some(v.clone());
    }
    let t = cell.try_borrow().ok()?;
    let pos = t.find_str(name)?;
    let c = *c;
    slot.set(AttrCache {
        pos: pos as u32,
        ..c
    });
    t.value_at(pos).cloned()
}

/// `LoadAttr` of an attribute the instruction's cache places in the instance dict
/// ([`CacheKind::Dict`]), for an object read where it stands (a local, not cloned): the
/// value at the position the name last had. `None`: take [`cached_load_attr`].
#[inline(always)]
pub(crate) fn cached_dict_value(
    slot: &Cell<AttrCache>,
    o: &Object,
    name: &Rc<Str>,
) -> Option<Value> {
    // SAFETY: read in place; nothing writes the slot while the reference lives.
    let c: &AttrCache = unsafe { &*slot.as_ptr() };
    if c.kind != CacheKind::Dict || !c.holds_for(o) {
        return None;
    }
    // SAFETY: as in `cached_load_attr`: the reference lives until the value is cloned,
    // which runs no script code; a dict mutably borrowed right now is an `Err`.
    let t = unsafe { o.dict_table()?.try_borrow_unguarded() }.ok()?;
    t.value_at_if_key(c.pos as usize, name).cloned()
}

/// `LoadAttr` of a method through the instruction's cache ([`CacheKind::Method`]): the
/// bound method, when the cache holds for `obj`'s class.
#[inline]
pub(crate) fn cached_load_bound_method(
    vm: &Vm,
    slot: &Cell<AttrCache>,
    obj: &Value,
    name: &Rc<Str>,
) -> Option<Value> {
    if slot.get().kind != CacheKind::Method {
        return None;
    }
    let f = cached_load_method(slot, obj, name)?;
    Some(vm.new_method(f, obj.clone()))
}

/// `LoadAttr` of a property through the instruction's cache ([`CacheKind::Property`]):
/// the getter, a script function to run with `obj` as its argument, when the cache holds
/// for `obj`'s class.
#[inline]
pub(crate) fn cached_property_getter(slot: &Cell<AttrCache>, obj: &Value) -> Option<Obj> {
    let c = slot.get();
    if c.kind != CacheKind::Property {
        return None;
    }
    let Value::Obj(o) = obj else { return None };
    if !c.holds_for(o) {
        return None;
    }
    // SAFETY: the entry holds for this epoch, so the property is still in the class
    // namespace that keeps it alive (replacing or deleting it starts a new epoch), and a
    // property's getter never changes.
    let prop = unsafe { &*(c.method as *const crate::object::Object) };
    match &prop.payload {
        Payload::Property(p) => p.borrow()[0].as_obj().cloned(),
        _ => None,
    }
}

/// Whether the instance dict of `obj` holds `name` right now.
fn shadowed_in_instance(obj: &Value, name: &Rc<Str>) -> bool {
    let Some(cell) = obj.as_obj().and_then(|o| attr_dict(o)) else {
        return false;
    };
    cell.try_borrow()
        .is_ok_and(|t| t.may_hold_str(name) && t.find_str(name).is_some())
}

/// Whether `o` is a `property` itself: the attribute paths run its getter, setter and
/// deleter directly. A subclass's instances go through the descriptor protocol, since
/// the subclass may override `__get__`, `__set__` or `__delete__`.
#[inline]
pub(crate) fn is_plain_property(o: &Object) -> bool {
    matches!(o.payload, Payload::Property(_))
        && o.class_raw()
            .and_then(|c| c.as_type())
            .is_some_and(|t| !t.heap)
}

/// Whether `p` is a property whose getter is a plain script function (not a generator or
/// coroutine function).
fn plain_getter(p: &Obj) -> bool {
    let Payload::Property(pp) = &p.payload else {
        return false;
    };
    let getter = pp.borrow()[0].clone();
    is_plain_property(p)
        && matches!(getter.payload(), Some(Payload::Function(func)) if !func.code.is_generator_like())
}

/// The class attribute a [`CacheKind::ClassValue`] cache entry points at, when the instance dict
/// `cell` does not shadow it.
#[inline]
fn cached_class_value(
    c: AttrCache,
    cell: &std::cell::RefCell<crate::dict::Dict>,
    name: &Rc<Str>,
) -> Option<Value> {
    {
        let t = cell.try_borrow().ok()?;
        if t.may_hold_str(name) && t.find_str(name).is_some() {
            return None;
        }
    }
    class_ns_value(c, name)
}

/// The value at position `pos` of the namespace of the class at `method`, as a
/// [`CacheKind::ClassValue`] or [`CacheKind::TypeAttr`] entry that holds records it.
#[inline(always)]
fn class_ns_value(c: AttrCache, name: &Rc<Str>) -> Option<Value> {
    // SAFETY: `method` came from `Rc::as_ptr` of a class in the MRO of the object's class
    // (or of the class itself), which the object keeps alive, and its MRO with it. A
    // change to any class namespace or MRO, and a class creation, start a new epoch, so
    // with the epoch unchanged the class is alive and its namespace still holds the value
    // at `pos` (`value_at_if_key` checks it anyway).
    let owner = unsafe { &*(c.method as *const Object) };
    let ns = owner.as_type()?.ns.try_borrow().ok()?;
    ns.value_at_if_key(c.pos as usize, name).cloned()
}

/// The object at `addr`, which a cache entry holding in this epoch recorded, with one more
/// strong reference.
///
/// # Safety
/// `addr` must come from `Rc::as_ptr` of an object in the namespace of a class in an MRO
/// the caller keeps alive, recorded in the current class epoch: any change to a class
/// namespace or MRO, a class creation (which could reuse a freed class's address) and the
/// collector clearing a class start a new epoch, so the namespace still holds it.
#[inline(always)]
unsafe fn cached_obj(addr: usize) -> Obj {
    let p = addr as *const Object;
    Rc::increment_strong_count(p);
    Rc::from_raw(p)
}

/// The attribute of class `o` a [`CacheKind::TypeAttr`] entry points at, when `o` is the
/// class it was filled for in this epoch.
#[inline(always)]
fn cached_type_attr(c: AttrCache, o: &Object, name: &Rc<Str>) -> Option<Value> {
    if !c.holds_for_itself(o) {
        return None;
    }
    let v = class_ns_value(c, name)?;
    if c.version == 1 {
        return match v.payload() {
            Some(Payload::StaticMethod(f)) => Some(f.clone()),
            _ => None,
        };
    }
    Some(v)
}

/// The address of the class in `cls`'s MRO whose namespace holds `name`, and its position
/// there.
fn mro_position(cls: &Obj, name: &Rc<Str>) -> Option<(usize, u32)> {
    let t = cls.as_type()?;
    let mro = t.mro.borrow();
    for c in mro.iter() {
        if let Some(pos) = c.as_type().and_then(|ct| ct.ns.borrow().find_str(name)) {
            return Some((Rc::as_ptr(c) as usize, u32::try_from(pos).ok()?));
        }
    }
    None
}

/// The dict an object's attributes are read from first: its instance `__dict__`, or a
/// module's namespace.
#[inline]
fn attr_dict(o: &Object) -> Option<&std::cell::RefCell<crate::dict::Dict>> {
    match &o.payload {
        Payload::Module(m) => match &m.globals.payload {
            Payload::Dict(d) => Some(d),
            _ => None,
        },
        _ => o.dict_table(),
    }
}

/// The class address a `LoadMethod` cache entry records for an exact `str` receiver
/// (unboxed, so it has no object header to read the class from; no object lives at 1).
const STR_RECEIVER: usize = 1;

/// `LoadMethod` through the instruction's cache: the class's function, when the object's
/// class is the one cached in this epoch and its instance dict does not shadow the name.
/// `None`: take the general path.
#[inline]
pub(crate) fn cached_load_method(
    slot: &Cell<AttrCache>,
    obj: &Value,
    name: &Rc<Str>,
) -> Option<Value> {
    // SAFETY: read in place; nothing writes the slot while the reference lives.
    let c: &AttrCache = unsafe { &*slot.as_ptr() };
    let o = match obj {
        Value::Obj(o) => o,
        // An exact `str` (`row.split(",")`): no instance dict can shadow the method.
        Value::Str(_) if c.cls == STR_RECEIVER && c.epoch == type_epoch() => {
            // SAFETY: `method` is a function of `str`'s namespace, which the VM keeps
            // alive, recorded in this epoch.
            return Some(Value::Obj(unsafe { cached_obj(c.method) }));
        }
        _ => return None,
    };
    if c.method == 0 || !c.holds_for(o) || method_binds_through_class(o) {
        return None;
    }
    if let Some(t) = o.dict_table() {
        // SAFETY: the reference lives only for the tests below, which run no script code,
        // so no mutable borrow can overlap it; one mutably borrowed right now (a store in
        // progress further up) is an `Err`, and the general path takes over.
        let t = unsafe { t.try_borrow_unguarded() }.ok()?;
        // `version` remembers a key layout known not to hold the name: a dict with that
        // version has the same keys (CPython's `LOAD_METHOD_WITH_VALUES` checks the
        // shared keys' version the same way).
        if t.version != c.version {
            if t.may_hold_str(name) && t.find_str(name).is_some() {
                return None;
            }
            let version = t.version;
            slot.set(AttrCache { version, ..*c });
        }
    }
    // SAFETY: `method` is a function of the namespace of this class or one of its bases
    // (the object keeps its class alive, the class its MRO), recorded in this epoch.
    Some(Value::Obj(unsafe { cached_obj(c.method) }))
}

/// The `__init__` a [`CacheKind::ClassInit`] entry holds for a call of `callee`, when
/// `callee` is the class it was filled for in this epoch.
#[inline]
pub(crate) fn cached_class_init(slot: &Cell<AttrCache>, callee: &Value) -> Option<Obj> {
    // SAFETY: read in place; nothing writes the slot while the reference lives.
    let c: &AttrCache = unsafe { &*slot.as_ptr() };
    if c.kind != CacheKind::ClassInit {
        return None;
    }
    let Value::Obj(o) = callee else { return None };
    if !c.holds_for_itself(o) {
        return None;
    }
    // SAFETY: `method` is the `__init__` found in the MRO of the class (which the caller
    // holds), recorded in this epoch.
    Some(unsafe { cached_obj(c.method) })
}

/// `StoreAttr` through the instruction's cache: stores into the instance dict when the cache
/// says the class neither overrides `__setattr__` nor has a descriptor of that name. Gives
/// `value` back when the general path must run.
#[inline(always)]
pub(crate) fn cached_store_attr(
    slot: &Cell<AttrCache>,
    obj: &Value,
    name: &Rc<Str>,
    value: Value,
) -> Result<(), Value> {
    match obj {
        Value::Obj(o) => cached_store_obj(slot, o, name, value),
        _ => Err(value),
    }
}

/// [`cached_store_attr`] for an object (read where it stands: a local, not cloned).
#[inline(always)]
pub(crate) fn cached_store_obj(
    slot: &Cell<AttrCache>,
    o: &Obj,
    name: &Rc<Str>,
    value: Value,
) -> Result<(), Value> {
    // SAFETY: read in place; nothing writes the slot while the reference lives (the
    // stores below copy it first).
    let c: &AttrCache = unsafe { &*slot.as_ptr() };
    if !c.holds_for(o) {
        return Err(value);
    }
    if c.kind == CacheKind::Slot {
        if let Payload::Slots(vals) = &o.payload {
            let mut vals = vals.borrow_mut();
            if let Some(v) = vals.get_mut(c.pos as usize) {
                let old = v.replace(value);
                drop(vals);
                drop(old);
                return Ok(());
            }
        }
        return Err(value);
    }
    let Some(t) = o.dict_table() else {
        return Err(value);
    };
    let mut t = t.borrow_mut();
    if let Some(v) = t.value_at_if_key_mut(c.pos as usize, name) {
        let old = std::mem::replace(v, value);
        drop(t);
        old.release();
        return Ok(());
    }
    if c.kind == CacheKind::Append && t.version == c.version {
        t.push_str_with_version(name.clone(), value, c.method as u64);
        return Ok(());
    }
    let (before, positions) = (t.version, t.positions());
    let pos = t.set_str_pos(name.clone(), value);
    note_dict_size(o, t.len());
    // An append: the next dict with this one's former version (the next instance that
    // `__init__` runs for) takes the same path without a lookup.
    let after = usize::try_from(t.version).ok().filter(|_| pos == positions);
    slot.set(match after {
        Some(after) => AttrCache {
            pos: pos as u32,
            kind: CacheKind::Append,
            method: after,
            version: before,
            ..*c
        },
        None => AttrCache {
            pos: pos as u32,
            ..*c
        },
    });
    Ok(())
}

/// Raises the class's [`TypeData::dict_hint`](crate::object::TypeData::dict_hint) to
/// `len` (at most 64) after a store added an attribute to an instance of it.
#[inline]
fn note_dict_size(o: &Obj, len: usize) {
    if let Some(t) = o.class.as_ref().and_then(|c| c.as_type()) {
        if len > t.dict_hint.get() as usize && len <= 64 {
            t.dict_hint.set(len as u8);
        }
    }
}

/// Whether `LoadMethod` on `o` must take the general path: classes, modules and `super`
/// objects find their attributes elsewhere than in their class.
#[inline]
fn method_binds_through_class(o: &Object) -> bool {
    matches!(
        o.payload,
        Payload::Type(_) | Payload::Module(_) | Payload::Super(_)
    )
}

/// The class of `obj` when it is an instance of a user class laid out as a plain object
/// (with or without `__slots__` storage).
fn heap_instance_class(obj: &Value) -> Option<&Obj> {
    let Value::Obj(o) = obj else { return None };
    if !matches!(o.payload, Payload::Plain | Payload::Slots(_)) {
        return None;
    }
    o.class_raw()
        .filter(|c| c.as_type().is_some_and(|t| t.heap))
}

impl Vm {
    /// Fills a `LoadAttr` cache for `obj`'s class when a cache can answer: `obj` is a
    /// plain instance with a `__dict__` (or a module) and its class has no attribute
    /// `name`, or holds a plain value or a script function under it, or `name` is
    /// `__dict__`/`__class__`; or `name` is a `__slots__` member. Returns whether it did.
    pub(crate) fn fill_load_attr_cache(
        &self,
        slot: &Cell<AttrCache>,
        obj: &Value,
        name: &Rc<Str>,
    ) -> bool {
        let epoch = type_epoch();
        if let Some((cls, index)) = self.slot_member(obj, name) {
            slot.set(AttrCache::for_slot(epoch, cls, index));
            return true;
        }
        let instance = self.plain_dict_instance_class(obj);
        let Some(cls) = instance.or_else(|| self.plain_module_class(obj)) else {
            return self.fill_type_attr_cache(slot, obj, name, epoch);
        };
        // A class with its own `__getattribute__` is never cached: every load calls it.
        if crate::types::has_getattribute(cls) {
            return false;
        }
        let entry = |kind, pos, method| AttrCache {
            epoch,
            cls: Rc::as_ptr(cls) as usize,
            pos,
            kind,
            method,
            version: 0,
        };
        let e = match self.lookup(cls, name) {
            None if instance.is_some() && name.as_str() == "__dict__" => {
                entry(CacheKind::InstanceDict, 0, 0)
            }
            None if instance.is_some() && name.as_str() == "__class__" => {
                entry(CacheKind::ClassOf, 0, 0)
            }
            None => entry(CacheKind::Dict, 0, 0),
            Some(Value::Obj(f))
                if instance.is_some() && matches!(f.payload, Payload::Function(_)) =>
            {
                entry(CacheKind::Method, 0, Rc::as_ptr(&f) as usize)
            }
            // A getter that raises `AttributeError` falls back to `__getattr__`, which the
            // frame the cache runs it in would not do.
            Some(Value::Obj(p))
                if instance.is_some()
                    && plain_getter(&p)
                    && self.lookup(cls, &self.names.__getattr__).is_none() =>
            {
                entry(CacheKind::Property, 0, Rc::as_ptr(&p) as usize)
            }
            Some(v) if instance.is_some() => match self.plain_class_value(cls, name, &v) {
                // A class-level default the instance has set (`_initialized = False` on
                // the class, `True` on the instance): the instance dict shadows a value
                // that is not a descriptor, so it is read as any instance attribute.
                Some(_) if shadowed_in_instance(obj, name) => entry(CacheKind::Dict, 0, 0),
                Some((owner, pos)) => entry(CacheKind::ClassValue, pos, owner),
                None => return false,
            },
            Some(_) => return false,
        };
        slot.set(e);
        true
    }

    /// Fills a [`CacheKind::TypeAttr`] entry for `obj.name` when `obj` is a script class
    /// whose attribute needs no binding (see the kind). Returns whether it did.
    fn fill_type_attr_cache(
        &self,
        slot: &Cell<AttrCache>,
        obj: &Value,
        name: &Rc<Str>,
        epoch: u64,
    ) -> bool {
        let Some(cls) = obj.as_obj() else {
            return false;
        };
        if !cls.as_type().is_some_and(|t| t.heap) {
            return false;
        }
        let meta = cls.class_raw().unwrap_or(&self.types.type_);
        if crate::types::has_getattribute(meta) || self.lookup(meta, name).is_some() {
            return false;
        }
        let Some(v) = self.lookup(cls, name) else {
            return false;
        };
        let unwrap = match v.payload() {
            Some(Payload::StaticMethod(_)) => 1,
            Some(Payload::Function(_) | Payload::Native(_)) => 0,
            Some(Payload::Property(_)) if v.as_obj().is_some_and(|o| is_plain_property(o)) => 0,
            _ if self.is_descriptor(&v) => return false,
            _ => 0,
        };
        let Some((owner, pos)) = mro_position(cls, name) else {
            return false;
        };
        slot.set(AttrCache {
            epoch,
            cls: Rc::as_ptr(cls) as usize,
            pos,
            kind: CacheKind::TypeAttr,
            method: owner,
            version: unwrap,
        });
        true
    }

    /// Whether class attribute `v` is bound or computed when read: a built-in descriptor
    /// payload, or an instance of a script class with `__get__`, `__set__` or `__delete__`
    /// (what `bind_descriptor` and `data_descriptor_get` treat as descriptors).
    fn is_descriptor(&self, v: &Value) -> bool {
        let Value::Obj(o) = v else { return false };
        if matches!(
            o.payload,
            Payload::Function(_)
                | Payload::Native(_)
                | Payload::ClassMethod(_)
                | Payload::StaticMethod(_)
                | Payload::Property(_)
                | Payload::Member(_)
        ) {
            return true;
        }
        let vcls = self.class_of(v);
        vcls.as_type().is_some_and(|t| t.heap)
            && [
                &self.names.__get__,
                &self.names.__set__,
                &self.names.__delete__,
            ]
            .into_iter()
            .any(|n| self.lookup(vcls, n).is_some())
    }

    /// For class attribute `v` of `cls` (found as `name`) that is not a descriptor: the
    /// address of the class in the MRO whose namespace holds it and its position there.
    fn plain_class_value(&self, cls: &Obj, name: &Rc<Str>, v: &Value) -> Option<(usize, u32)> {
        if self.is_descriptor(v) {
            return None;
        }
        mro_position(cls, name)
    }

    /// The class of a module object of the built-in `module` type (not a subclass): its
    /// attributes are its namespace dict's, which the `LoadAttr` cache reads as an instance
    /// dict (CPython's `LOAD_ATTR_MODULE`).
    fn plain_module_class<'a>(&'a self, obj: &'a Value) -> Option<&'a Obj> {
        let o = obj.as_obj()?;
        let cls = o.class_raw()?;
        (matches!(o.payload, Payload::Module(_)) && Rc::ptr_eq(cls, &self.types.module))
            .then_some(cls)
    }

    /// For an instance of a user class with `__slots__` storage whose class attribute
    /// `name` is one of its slot members, or a tuple (a namedtuple) whose class attribute
    /// is one of its field descriptors: the class address and the slot or item number.
    fn slot_member(&self, obj: &Value, name: &Rc<Str>) -> Option<(usize, u32)> {
        let Value::Obj(o) = obj else { return None };
        let (len, tuple) = match &o.payload {
            Payload::Slots(vals) => (vals.borrow().len(), false),
            Payload::Tuple(items) => (items.len(), true),
            _ => return None,
        };
        let cls = o.class_raw().filter(|c| {
            c.as_type()
                .is_some_and(|t| t.heap && !t.has_getattribute.get())
        })?;
        let d = self.lookup(cls, name)?;
        match d.payload() {
            Some(Payload::Member(m)) if m.tuple == tuple && m.index < len => {
                Some((Rc::as_ptr(cls) as usize, u32::try_from(m.index).ok()?))
            }
            _ => None,
        }
    }

    /// A namedtuple field descriptor reading item `index` (CPython's
    /// `_collections._tuplegetter`), as an instance of `cls` (a subclass of the native
    /// descriptor class, with a `__dict__` when `cls` gives its instances one).
    #[doc(hidden)]
    pub fn new_tuple_member(&mut self, cls: &Obj, index: usize) -> Value {
        let member = crate::object::MemberDescr {
            name: self.intern(""),
            index,
            owner: self.intern("tuple"),
            tuple: true,
        };
        let payload = Payload::Member(Box::new(member));
        let obj = if cls.as_type().is_some_and(|t| t.instance_dict) {
            let d = self.new_dict(crate::dict::Dict::new());
            Object::with_dict(cls.clone(), payload, d)
        } else {
            Object::new(cls.clone(), payload)
        };
        Value::Obj(self.track(obj))
    }

    /// `descriptor.__get__(obj)` of a namedtuple field descriptor: `obj[index]`, with
    /// CPython's errors for a short tuple and for an object that is not a tuple.
    #[doc(hidden)]
    pub fn tuple_member_get(&mut self, m: &crate::object::MemberDescr, obj: &Value) -> PyResult {
        match obj.payload() {
            Some(Payload::Tuple(items)) => match items.get(m.index) {
                Some(v) => Ok(v.clone()),
                None => Err(self.new_index_error("tuple index out of range")),
            },
            _ => Err(self.new_type_error(format!(
                "descriptor for index '{}' for tuple subclasses doesn't apply to '{}' object",
                m.index,
                self.type_name(obj)
            ))),
        }
    }

    /// The slot number of `obj.name` when `obj` has `__slots__` storage and `name` is one of
    /// its class's slot members, for natives that keep their state in slots as CPython's C
    /// classes keep it in struct fields. `cache` remembers the answer for the class (valid
    /// in the class epoch it was found in).
    #[doc(hidden)]
    pub fn slot_index(&self, cache: &Cell<AttrCache>, obj: &Obj, name: &Rc<Str>) -> Option<usize> {
        let c = cache.get();
        if c.holds_for(obj) {
            return (c.kind == CacheKind::Slot).then_some(c.pos as usize);
        }
        let cls = obj.class_raw()?;
        let found = self.slot_member(&Value::Obj(obj.clone()), name);
        cache.set(AttrCache {
            epoch: type_epoch(),
            cls: Rc::as_ptr(cls) as usize,
            pos: found.map_or(0, |(_, i)| i),
            kind: if found.is_some() {
                CacheKind::Slot
            } else {
                CacheKind::Dict
            },
            method: 0,
            version: 0,
        });
        found.map(|(_, i)| i as usize)
    }

    /// Whether the class of `obj` resolves `name` to `base` (the instance dict is not
    /// consulted), remembered in `cache` for the class and class epoch, as `LoadMethod`
    /// remembers a method. For natives that run a method inline unless it is overridden.
    #[doc(hidden)]
    pub fn class_resolves_to(
        &self,
        cache: &Cell<AttrCache>,
        obj: &Value,
        name: &Rc<Str>,
        base: &Value,
    ) -> bool {
        let base_ptr = match base {
            Value::Obj(b) => Rc::as_ptr(b) as usize,
            _ => return false,
        };
        if let Value::Obj(o) = obj {
            let c = cache.get();
            if c.holds_for(o) {
                return c.method == base_ptr;
            }
        }
        let cls = self.class_of(obj).clone();
        let found = match self.lookup(&cls, name) {
            Some(Value::Obj(f)) => Rc::as_ptr(&f) as usize,
            _ => 0,
        };
        if obj.as_obj().is_some() {
            cache.set(AttrCache {
                epoch: type_epoch(),
                cls: Rc::as_ptr(&cls) as usize,
                pos: 0,
                kind: CacheKind::Dict,
                method: found,
                version: 0,
            });
        }
        found == base_ptr
    }

    /// Fills a `LoadMethod` cache after `load_method` found `method` on the class of `obj`
    /// (a plain instance with a `__dict__`) with `obj` as its `self`.
    pub(crate) fn fill_load_method_cache(
        &self,
        slot: &Cell<AttrCache>,
        obj: &Value,
        method: &Value,
    ) {
        let epoch = type_epoch();
        if let (Value::Str(_), Value::Obj(f)) = (obj, method) {
            if matches!(&f.payload, Payload::Native(nf) if nf.binds()) {
                slot.set(AttrCache {
                    epoch,
                    cls: STR_RECEIVER,
                    pos: 0,
                    kind: CacheKind::Dict,
                    method: Rc::as_ptr(f) as usize,
                    version: 0,
                });
            }
            return;
        }
        // Any object `load_method` binds a class function to: instances of user classes
        // and of built-in ones (`lst.append`, `d.get`); not classes, modules or `super`.
        let Value::Obj(o) = obj else { return };
        if method_binds_through_class(o) {
            return;
        }
        let Some(cls) = o.class_raw() else { return };
        let Value::Obj(f) = method else { return };
        let plain = match &f.payload {
            Payload::Function(_) => true,
            Payload::Native(nf) => nf.binds(),
            _ => false,
        };
        if plain {
            slot.set(AttrCache {
                epoch,
                cls: Rc::as_ptr(cls) as usize,
                pos: 0,
                kind: CacheKind::Dict,
                method: Rc::as_ptr(f) as usize,
                version: 0,
            });
        }
    }

    /// Fills a `StoreAttr` cache when `obj` is a plain instance with a `__dict__` whose
    /// class uses `object.__setattr__` and has no descriptor `name` (a plain class-level
    /// value is shadowed by the store, as a missing name is added).
    pub(crate) fn fill_store_attr_cache(
        &self,
        slot: &Cell<AttrCache>,
        obj: &Value,
        name: &Rc<Str>,
    ) {
        let epoch = type_epoch();
        let Some(cls) = heap_instance_class(obj) else {
            return;
        };
        let default_setattr = self
            .lookup(cls, &self.names.__setattr__)
            .is_some_and(|f| is_native_of(&f, "object"));
        if !default_setattr {
            return;
        }
        if let Some((cls, index)) = self.slot_member(obj, name) {
            slot.set(AttrCache::for_slot(epoch, cls, index));
        } else if self.plain_dict_instance_class(obj).is_some()
            // A plain class-level value (`_loop = None`, a default the instance overrides)
            // is no descriptor: the store goes to the instance dict as for a new name.
            && self
                .lookup(cls, name)
                .is_none_or(|v| !self.is_descriptor(&v))
            && !matches!(name.as_str(), "__dict__" | "__class__")
        {
            slot.set(AttrCache {
                epoch,
                cls: Rc::as_ptr(cls) as usize,
                ..AttrCache::default()
            });
        }
    }

    /// The `__dict__` of object `o`, made now when its class gives instances one that
    /// has not been needed yet (see [`Object::dict`]). Every exception has one: those the
    /// VM raises itself (`1/0`, `{}[k]`) are made without it, as most never store an
    /// attribute (`add_note` does).
    pub fn instance_dict<'a>(&mut self, o: &'a Obj) -> Option<&'a Obj> {
        if o.dict.get().is_none() && matches!(&o.payload, Payload::Slots(_) | Payload::Exception(_))
        {
            let lazy = matches!(&o.payload, Payload::Exception(_))
                || o.class_raw()
                    .and_then(|c| c.as_type())
                    .is_some_and(|t| t.instance_dict);
            if lazy {
                let d = self.new_dict(crate::dict::Dict::new());
                let _ = o.dict.set(d);
            }
        }
        o.dict.get()
    }

    /// The class of `obj` when it is an instance of a user class laid out as a plain object
    /// with a `__dict__`.
    fn plain_dict_instance_class<'a>(&self, obj: &'a Value) -> Option<&'a Obj> {
        heap_instance_class(obj).filter(|_| obj.as_obj().is_some_and(|o| o.dict_table().is_some()))
    }

    /// The class of a value (`type(v)`).
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    /// use std::rc::Rc;
    ///
    /// let mut vm = Vm::new();
    /// vm.exec("class Animal:\n    pass\nclass Dog(Animal):\n    pass\nrex = Dog()")?;
    /// let rex: Value = vm.get_global("rex")?;
    /// let animal: Value = vm.get_global("Animal")?;
    /// let animal = animal.as_obj().unwrap();
    /// assert_eq!(vm.type_name(&rex), "Dog");
    /// assert_eq!(vm.type_name(&Value::float(1.0)), "float");
    /// assert!(vm.isinstance(&rex, animal));
    /// assert!(vm.is_instance_of(rex.as_obj().unwrap(), animal));
    /// assert!(!vm.isinstance(&Value::Int(1), animal));
    /// assert!(Rc::ptr_eq(vm.class_of(&Value::bool(true)), &vm.types.bool));
    /// assert!(vm.isinstance(&Value::bool(true), &vm.types.int));
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    #[inline]
    pub fn class_of<'a>(&'a self, v: &'a Value) -> &'a Obj {
        match v {
            Value::None => &self.types.none_type,
            Value::Bool(_) => &self.types.bool,
            Value::Int(_) => &self.types.int,
            Value::Float(_) => &self.types.float,
            Value::Str(_) => &self.types.str,
            Value::Obj(o) => o.class_raw().unwrap_or(&self.types.type_),
        }
    }

    /// `type(v).__name__`; see the example of [`Vm::class_of`].
    pub fn type_name(&self, v: &Value) -> String {
        crate::types::type_name(self.class_of(v))
    }

    /// `isinstance(obj, cls)` for an exact class (no `__instancecheck__`); see the example
    /// of [`Vm::class_of`].
    pub fn is_instance_of(&self, obj: &Obj, cls: &Obj) -> bool {
        is_subtype(obj.class_raw().unwrap_or(&self.types.type_), cls)
    }

    /// `isinstance(v, cls)` for an exact class (no `__instancecheck__`, so no ABCs); see
    /// the example of [`Vm::class_of`].
    pub fn isinstance(&self, v: &Value, cls: &Obj) -> bool {
        is_subtype(self.class_of(v), cls)
    }

    /// `getattr(obj, name)`, with properties, `__getattr__` and CPython's `AttributeError`.
    /// Names are interned strings ([`Vm::intern`]).
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.exec(
    ///     "class Player:\n\
    ///      \x20   def __init__(self):\n\
    ///      \x20       self.hp = 10\n\
    ///      \x20   @property\n\
    ///      \x20   def alive(self):\n\
    ///      \x20       return self.hp > 0\n\
    ///      p = Player()\n",
    /// )?;
    /// let p: Value = vm.get_global("p")?;
    /// let (hp, alive) = (vm.intern("hp"), vm.intern("alive"));
    /// vm.guarded(|vm| {
    ///     vm.set_attr(&p, &hp, Value::Int(0))?;
    ///     assert!(matches!(vm.get_attr(&p, &alive)?, Value::Bool(b) if !b.get()));
    ///     vm.del_attr(&p, &hp)?;
    ///     let err = vm.get_attr(&p, &hp).err().unwrap();
    ///     assert_eq!(
    ///         vm.exception_message(&err),
    ///         "'Player' object has no attribute 'hp'"
    ///     );
    ///     Ok(())
    /// })?;
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn get_attr(&mut self, obj: &Value, name: &Rc<Str>) -> PyResult {
        match self.get_attr_or_absent(obj, name)? {
            Some(v) => Ok(v),
            // A bound method looks up what it lacks on its function, so the error is the
            // function's (CPython's `method_getattro`).
            None => match obj.payload() {
                Some(Payload::Method(m)) => Err(self.attribute_error(&m.0.clone(), name)),
                _ => Err(self.attribute_error(obj, name)),
            },
        }
    }

    /// [`Vm::get_attr`] that answers `None` instead of raising when the attribute is simply
    /// absent (what `getattr(o, name, default)` and `hasattr` need without building an
    /// `AttributeError`). An `AttributeError` raised by a property or `__getattr__` is
    /// returned as the error (with its `name` and `obj` set): callers that treat it as
    /// absent too, as `hasattr` does, check for it.
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.exec(
    ///     "class Config:\n\
    ///      \x20   debug = False\n\
    ///      \x20   def __getattr__(self, name):\n\
    ///      \x20       if name.startswith('env_'):\n\
    ///      \x20           return name[4:].upper()\n\
    ///      \x20       raise AttributeError(name)\n\
    ///      c = Config()\n",
    /// )?;
    /// let c: Value = vm.get_global("c")?;
    /// let names = ["debug", "env_home", "colour"].map(|n| vm.intern(n));
    /// vm.guarded(|vm| {
    ///     assert!(matches!(
    ///         vm.get_attr_or_absent(&c, &names[0])?,
    ///         Some(Value::Bool(b)) if !b.get()
    ///     ));
    ///     let home = vm.get_attr_or_absent(&c, &names[1])?.unwrap();
    ///     assert_eq!(home.as_str().unwrap().as_str(), "HOME");
    ///     // Raised by `__getattr__`: an error, not `None`.
    ///     assert!(vm.get_attr_or_absent(&c, &names[2]).is_err());
    ///     // Without `__getattr__`: plain lookup only.
    ///     assert!(vm.get_attr_opt(&c, &names[1])?.is_none());
    ///     assert!(vm.get_attr_opt(&c, &names[0])?.is_some());
    ///     Ok(())
    /// })?;
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn get_attr_or_absent(&mut self, obj: &Value, name: &Rc<Str>) -> PyResult<Option<Value>> {
        let err = match self.get_attr_opt(obj, name) {
            Ok(Some(v)) => return Ok(Some(v)),
            Ok(None) => None,
            Err(e) if self.is_instance_of(&e, &self.exc.attribute_error.clone()) => Some(e),
            Err(e) => return Err(e),
        };
        // __getattr__ runs when normal lookup fails with AttributeError.
        if self.is_heap(obj) {
            let cls = self.class_of(obj).clone();
            if let Some(ga) = self.lookup(&cls, &self.names.__getattr__.clone()) {
                return self
                    .call(&ga, &[obj.clone(), Value::Str(name.clone())], &[])
                    .map(Some)
                    .map_err(|e| self.attribute_error_context(e, obj, name));
            }
        }
        match err {
            Some(e) => Err(self.attribute_error_context(e, obj, name)),
            None => Ok(None),
        }
    }

    /// CPython's `set_attribute_error_context`: an `AttributeError` that escapes an attribute
    /// lookup (from a property or `__getattr__`) gets the `name` and `obj` of that lookup
    /// unless it already has either.
    fn attribute_error_context(&self, e: Obj, obj: &Value, name: &Rc<Str>) -> Obj {
        if !self.is_instance_of(&e, &self.exc.attribute_error) {
            return e;
        }
        if let Payload::Exception(d) = &e.payload {
            let unset = match d.borrow().extra.payload() {
                Some(Payload::Tuple(t)) => t.iter().all(Value::is_none),
                _ => true,
            };
            if unset {
                let pair = self.new_tuple(vec![Value::Str(name.clone()), obj.clone()]);
                d.borrow_mut().extra = pair;
            }
        }
        e
    }

    /// The `AttributeError` CPython raises for `obj.name` (`'int' object has no attribute
    /// 'x'`), for natives implementing attribute access.
    pub(crate) fn attribute_error(&self, obj: &Value, name: &Str) -> Obj {
        let msg = match obj {
            Value::Obj(o) if matches!(o.payload, Payload::Type(_)) => {
                format!(
                    "type object '{}' has no attribute '{}'",
                    crate::types::type_name(o),
                    name.as_str()
                )
            }
            Value::Obj(o) if matches!(o.payload, Payload::Module(_)) => {
                let Payload::Module(m) = &o.payload else {
                    unreachable!()
                };
                format!(
                    "module '{}' has no attribute '{}'",
                    m.name.as_str(),
                    name.as_str()
                )
            }
            _ => format!(
                "'{}' object has no attribute '{}'",
                self.type_name(obj),
                name.as_str()
            ),
        };
        let e = self.new_attribute_error(msg);
        let extra = self.new_tuple(vec![
            Value::Str(Rc::new(Str::new(name.as_str().to_string()))),
            obj.clone(),
        ]);
        if let Payload::Exception(d) = &e.payload {
            d.borrow_mut().extra = extra;
        }
        e
    }

    /// Attribute lookup without `__getattr__`; `None` when absent. A class's own
    /// `__getattribute__` runs instead of the generic lookup (an `AttributeError` it raises
    /// is the error). See the example of [`Vm::get_attr_or_absent`].
    pub fn get_attr_opt(&mut self, obj: &Value, name: &Rc<Str>) -> PyResult<Option<Value>> {
        self.lookup_attr(obj, name, true)
    }

    /// `object.__getattribute__`: the generic lookup (data descriptors, the instance dict,
    /// the class), without `__getattr__`; `None` when absent.
    pub(crate) fn generic_get_attr_opt(
        &mut self,
        obj: &Value,
        name: &Rc<Str>,
    ) -> PyResult<Option<Value>> {
        self.lookup_attr(obj, name, false)
    }

    /// `obj.name` through the `__getattribute__` of `cls`, `obj`'s class (a user class's).
    #[cold]
    #[inline(never)]
    fn user_getattribute(
        &mut self,
        obj: &Value,
        name: &Rc<Str>,
        cls: &Obj,
    ) -> PyResult<Option<Value>> {
        match self.lookup(cls, &self.names.__getattribute__.clone()) {
            Some(f) => self
                .call(&f, &[obj.clone(), Value::Str(name.clone())], &[])
                .map(Some),
            None => self.generic_get_attr_opt(obj, name),
        }
    }

    /// [`Vm::get_attr_opt`] (`user`: a class's own `__getattribute__` runs instead) and
    /// [`Vm::generic_get_attr_opt`].
    fn lookup_attr(&mut self, obj: &Value, name: &Rc<Str>, user: bool) -> PyResult<Option<Value>> {
        let cls = self.class_of(obj).clone();
        if user && crate::types::has_getattribute(&cls) {
            return self.user_getattribute(obj, name, &cls);
        }
        // Classes: look through the metaclass for data descriptors, then the class MRO.
        if let Value::Obj(o) = obj {
            match &o.payload {
                Payload::Type(_) => return self.type_getattr(o, name),
                Payload::Super(_) => {
                    if let Some(v) = crate::builtins::payload_attr(self, obj, name.as_str())? {
                        return Ok(Some(v));
                    }
                }
                Payload::Module(m) => {
                    let g = m.globals.clone();
                    if let Some(v) = self.dict_get_str(&g, name) {
                        return Ok(Some(v));
                    }
                    if name.as_str() == "__dict__" {
                        return Ok(Some(Value::Obj(g)));
                    }
                    if let Some(v) = self.special_attr(obj, name)? {
                        return Ok(Some(v));
                    }
                    // The methods of the module's class (`object.__reduce_ex__`, ...).
                    if let Some(d) = self.lookup(&cls, name) {
                        return self.bind_descriptor(d, obj.clone(), &cls).map(Some);
                    }
                    // Module-level __getattr__.
                    if let Some(ga) = self.dict_get_str(&g, &self.names.__getattr__.clone()) {
                        return self.call(&ga, &[Value::Str(name.clone())], &[]).map(Some);
                    }
                    return Ok(None);
                }
                _ => {}
            }
        }
        let descr = self.lookup(&cls, name);
        if let Some(d) = &descr {
            if let Some(v) = self.data_descriptor_get(d, obj, &cls)? {
                return Ok(Some(v));
            }
        }
        if let Value::Obj(o) = obj {
            if let Some(t) = o.dict_table() {
                if let Some(v) = t.borrow().get_str(name) {
                    return Ok(Some(v.clone()));
                }
            }
        }
        if let Some(d) = descr {
            return self.bind_descriptor(d, obj.clone(), &cls).map(Some);
        }
        self.special_attr(obj, name)
    }

    /// Attributes every object has that are not in a class dict (`__class__`, `__dict__`)
    /// and the data attributes of built-in payloads (`__name__` of functions, ...).
    fn special_attr(&mut self, obj: &Value, name: &Rc<Str>) -> PyResult<Option<Value>> {
        let n = name.as_str();
        match n {
            "__class__" => return Ok(Some(Value::Obj(self.class_of(obj).clone()))),
            "__dict__" => {
                if let Value::Obj(o) = obj {
                    if let Some(d) = self.instance_dict(o) {
                        return Ok(Some(Value::Obj(d.clone())));
                    }
                }
            }
            "__weakref__" => {
                if let Some(head) = crate::builtins::weakref_slot(self, obj) {
                    return Ok(Some(head));
                }
            }
            _ => {}
        }
        // Plain instances carry no built-in data, so no payload attributes.
        let plain = matches!(obj, Value::Obj(o) if matches!(o.payload, Payload::Plain));
        let v = if plain {
            None
        } else {
            crate::builtins::payload_attr(self, obj, n)?
        };
        if v.is_none() && n == "__doc__" {
            // Every object has a `__doc__` (CPython finds its type's docstring); aio's
            // built-in types have none.
            return Ok(Some(Value::None));
        }
        Ok(v)
    }

    /// Lookup on a class object: metaclass data descriptors, then the class's own MRO.
    fn type_getattr(&mut self, cls: &Obj, name: &Rc<Str>) -> PyResult<Option<Value>> {
        let meta = cls.class_raw().unwrap_or(&self.types.type_).clone();
        let meta_descr = self.lookup(&meta, name);
        if let Some(d) = &meta_descr {
            if let Some(v) = self.data_descriptor_get(d, &Value::Obj(cls.clone()), &meta)? {
                return Ok(Some(v));
            }
        }
        if let Some(v) = lookup(cls, name) {
            // Descriptors found on the class are bound with instance None.
            return match &v {
                Value::Obj(o) => match &o.payload {
                    Payload::ClassMethod(f) => self.bind_classmethod(f, cls).map(Some),
                    Payload::StaticMethod(f) => Ok(Some(f.clone())),
                    Payload::Function(_) | Payload::Native(_) => Ok(Some(v)),
                    Payload::Property(_) if is_plain_property(o) => Ok(Some(v)),
                    _ => {
                        let vcls = self.class_of(&v).clone();
                        if vcls.as_type().is_some_and(|t| t.heap) {
                            if let Some(get) = self.lookup(&vcls, &self.names.__get__.clone()) {
                                return self
                                    .call(
                                        &get,
                                        &[v.clone(), Value::None, Value::Obj(cls.clone())],
                                        &[],
                                    )
                                    .map(Some);
                            }
                        }
                        Ok(Some(v))
                    }
                },
                _ => Ok(Some(v)),
            };
        }
        if let Some(d) = meta_descr {
            return self
                .bind_descriptor(d, Value::Obj(cls.clone()), &meta)
                .map(Some);
        }
        crate::builtins::type_special_attr(self, cls, name.as_str())
    }

    /// If `d` is a data descriptor, its `__get__` result.
    pub(crate) fn data_descriptor_get(
        &mut self,
        d: &Value,
        obj: &Value,
        cls: &Obj,
    ) -> PyResult<Option<Value>> {
        let Value::Obj(o) = d else { return Ok(None) };
        match &o.payload {
            Payload::Property(p) if is_plain_property(o) => self.property_fetch(p, obj).map(Some),
            Payload::Function(_)
            | Payload::Native(_)
            | Payload::ClassMethod(_)
            | Payload::StaticMethod(_) => Ok(None),
            Payload::Member(m) if m.tuple => self.tuple_member_get(m, obj).map(Some),
            Payload::Member(m) => match obj.payload() {
                Some(Payload::Slots(vals)) => match vals.borrow().get(m.index).cloned().flatten() {
                    Some(v) => Ok(Some(v)),
                    None => Err(self.new_attribute_error(format!(
                        "'{}' object has no attribute '{}'",
                        self.type_name(obj),
                        m.name.as_str()
                    ))),
                },
                _ => Ok(None),
            },
            _ => {
                let dcls = o.class_raw().unwrap_or(&self.types.type_).clone();
                if !dcls.as_type().is_some_and(|t| t.heap) {
                    return Ok(None);
                }
                let is_data = self.lookup(&dcls, &self.names.__set__.clone()).is_some()
                    || self.lookup(&dcls, &self.names.__delete__.clone()).is_some();
                if !is_data {
                    return Ok(None);
                }
                match self.lookup(&dcls, &self.names.__get__.clone()) {
                    Some(get) => self
                        .call(
                            &get,
                            &[d.clone(), obj.clone(), Value::Obj(cls.clone())],
                            &[],
                        )
                        .map(Some),
                    // A data descriptor without `__get__` yields to the instance dict
                    // (the caller returns the descriptor itself when the dict lacks it).
                    None => Ok(None),
                }
            }
        }
    }

    /// `d.__get__(obj, owner)` for the descriptors whose binding the VM does natively
    /// (class and static methods, slot members): what an attribute lookup gives.
    pub(crate) fn native_descriptor_get(
        &mut self,
        d: &Value,
        obj: &Value,
        owner: Option<Obj>,
    ) -> PyResult {
        let cls = owner.unwrap_or_else(|| self.class_of(obj).clone());
        if obj.is_none() {
            return match d.payload() {
                Some(Payload::ClassMethod(f)) => self.bind_classmethod(f, &cls),
                Some(Payload::StaticMethod(f)) => Ok(f.clone()),
                _ => Ok(d.clone()),
            };
        }
        if let Some(v) = self.data_descriptor_get(d, obj, &cls)? {
            return Ok(v);
        }
        self.bind_descriptor(d.clone(), obj.clone(), &cls)
    }

    /// `classmethod(f).__get__(_, cls)`: as CPython 3.11, a wrapped object that is itself a
    /// descriptor (a property, say) is bound with `f.__get__(cls, cls)`; anything else
    /// becomes a method bound to `cls`.
    pub(crate) fn bind_classmethod(&mut self, f: &Value, cls: &Obj) -> PyResult {
        let owner = Value::Obj(cls.clone());
        let Value::Obj(o) = f else {
            return Ok(self.new_method(f.clone(), owner));
        };
        match &o.payload {
            Payload::Function(_) | Payload::Native(_) => Ok(self.new_method(f.clone(), owner)),
            Payload::Property(p) if is_plain_property(o) => self.property_fetch(p, &owner),
            _ => {
                let fcls = self.class_of(f).clone();
                if fcls.as_type().is_some_and(|t| t.heap) {
                    if let Some(get) = self.lookup(&fcls, &self.names.__get__.clone()) {
                        return self.call(&get, &[f.clone(), owner.clone(), owner], &[]);
                    }
                }
                Ok(self.new_method(f.clone(), owner))
            }
        }
    }

    /// Binds a class attribute found for an instance: functions become bound methods.
    pub(crate) fn bind_descriptor(&mut self, d: Value, obj: Value, cls: &Obj) -> PyResult {
        let Value::Obj(o) = &d else { return Ok(d) };
        match &o.payload {
            Payload::Function(_) => Ok(self.new_method(d.clone(), obj)),
            Payload::Native(nf) if nf.binds() => Ok(self.bind_native(nf, obj)),
            Payload::ClassMethod(f) => self.bind_classmethod(f, cls),
            Payload::StaticMethod(f) => Ok(f.clone()),
            _ => {
                let dcls = o.class_raw().unwrap_or(&self.types.type_).clone();
                if dcls.as_type().is_some_and(|t| t.heap) {
                    if let Some(get) = self.lookup(&dcls, &self.names.__get__.clone()) {
                        return self.call(&get, &[d.clone(), obj, Value::Obj(cls.clone())], &[]);
                    }
                }
                Ok(d)
            }
        }
    }

    /// A bound method object (`func` bound to `selfv`). Internal: used by attribute lookup.
    /// A native method bound to `obj` (`builtin_function_or_method` with `__self__`).
    /// Tracked by the cycle collector when `obj` is a heap object, as CPython tracks its
    /// bound built-in methods: an object may hold its own bound method (asyncio's tasks
    /// do, through the done-callbacks of the futures they wait on).
    pub(crate) fn bind_native(&self, nf: &crate::native::NativeFunction, obj: Value) -> Value {
        let heap = matches!(obj, Value::Obj(_));
        let o = Object::new(
            self.types.builtin_function.clone(),
            Payload::Native(Box::new(nf.bind(obj))),
        );
        Value::Obj(if heap { self.track(o) } else { Rc::new(o) })
    }

    pub(crate) fn new_method(&self, func: Value, selfv: Value) -> Value {
        Value::Obj(self.track(Object::new(
            self.types.method.clone(),
            Payload::Method(Box::new((func, selfv))),
        )))
    }

    /// `LoadMethod`: (method, Some(self)) when the attribute is a plain method of the
    /// class, else (attribute, None).
    pub(crate) fn load_method(
        &mut self,
        obj: Value,
        name: &Rc<Str>,
    ) -> PyResult<(Value, Option<Value>)> {
        if let Value::Obj(o) = &obj {
            if let Payload::Super(s) = &o.payload {
                if let Some((f, this)) = crate::builtins::object::super_method(self, s, name) {
                    return Ok((f, Some(this)));
                }
            }
            if matches!(
                o.payload,
                Payload::Type(_) | Payload::Module(_) | Payload::Super(_)
            ) {
                return Ok((self.get_attr(&obj, name)?, None));
            }
        }
        let cls = self.class_of(&obj).clone();
        if crate::types::has_getattribute(&cls) {
            return Ok((self.get_attr(&obj, name)?, None));
        }
        if let Some(d) = self.lookup(&cls, name) {
            // A built-in method takes `obj` as `self` only when `obj` is an instance of its
            // class (`class A: f = list.append` binds, and the call refuses the receiver):
            // `CallMethod` then skips the receiver check.
            let plain = match &d {
                Value::Obj(f) => match &f.payload {
                    Payload::Function(_) => true,
                    Payload::Native(nf) => nf.binds() && nf.accepts_class(&cls),
                    _ => false,
                },
                _ => false,
            };
            if plain {
                let shadowed = match &obj {
                    Value::Obj(o) => o
                        .dict_table()
                        .is_some_and(|t| t.borrow().get_str(name).is_some()),
                    _ => false,
                };
                if !shadowed {
                    return Ok((d, Some(obj)));
                }
            }
        }
        Ok((self.get_attr(&obj, name)?, None))
    }

    /// Calls a `__setattr__` that a class defined in aio (`cls` is `obj`'s class) overrides —
    /// one that is not the native one of `object` (nor of `native_owner`). Gives the value
    /// back when there is none, for the built-in assignment.
    #[inline]
    fn user_setattr(
        &mut self,
        cls: &Obj,
        obj: &Value,
        name: &Rc<Str>,
        value: Value,
        native_owner: &str,
    ) -> PyResult<Option<Value>> {
        if !cls.as_type().is_some_and(|t| t.heap) {
            return Ok(Some(value));
        }
        let Some(setattr) = self.lookup(cls, &self.names.__setattr__.clone()) else {
            return Ok(Some(value));
        };
        if is_native_of(&setattr, "object") || is_native_of(&setattr, native_owner) {
            return Ok(Some(value));
        }
        self.call(
            &setattr,
            &[obj.clone(), Value::Str(name.clone()), value],
            &[],
        )?;
        Ok(None)
    }

    /// `setattr(obj, name, value)`; see the example of [`Vm::get_attr`].
    pub fn set_attr(&mut self, obj: &Value, name: &Rc<Str>, value: Value) -> PyResult<()> {
        let cls = self.class_of(obj).clone();
        if let Value::Obj(o) = obj {
            if let Payload::Type(_) = &o.payload {
                // A metaclass written in aio may define __setattr__ (enum's EnumType does).
                let value = match self.user_setattr(&cls, obj, name, value, "type")? {
                    Some(value) => value,
                    None => return Ok(()),
                };
                return self.set_type_attr(o, name, value);
            }
            if let Payload::Module(m) = &o.payload {
                let g = m.globals.clone();
                if let Payload::Dict(d) = &g.payload {
                    d.borrow_mut().set_str(name.clone(), value);
                }
                return Ok(());
            }
            if let Payload::Generator(g) = &o.payload {
                if matches!(name.as_str(), "__name__" | "__qualname__") {
                    if !matches!(value, Value::Str(_)) {
                        return Err(self.new_type_error(format!(
                            "{} must be set to a string object",
                            name.as_str()
                        )));
                    }
                    let names = if name.as_str() == "__name__" {
                        (value, g.qualname())
                    } else {
                        (g.name(), value)
                    };
                    g.change_extra(|e| e.names = Some(names));
                    return Ok(());
                }
            }
        }
        let value = match self.user_setattr(&cls, obj, name, value, "object")? {
            Some(value) => value,
            None => return Ok(()),
        };
        self.generic_setattr(obj, name, value)
    }

    /// Deletes an attribute from a class's namespace (`type.__delattr__`).
    pub(crate) fn del_type_attr(&mut self, o: &Obj, obj: &Value, name: &Rc<Str>) -> PyResult<()> {
        let Payload::Type(t) = &o.payload else {
            unreachable!("del_type_attr on a type")
        };
        let old = t.ns.borrow_mut().remove_str(name);
        t.version.set(t.version.get().wrapping_add(1));
        crate::types::types_changed();
        if name.as_str() == "__getattribute__" {
            crate::types::refresh_has_getattribute(o);
        }
        if old.is_none() {
            return Err(self.attribute_error(obj, name));
        }
        Ok(())
    }

    /// Sets an attribute in a class's namespace (`type.__setattr__`).
    fn set_type_attr(&mut self, o: &Obj, name: &Rc<Str>, value: Value) -> PyResult<()> {
        let Payload::Type(t) = &o.payload else {
            unreachable!("set_type_attr on a type")
        };
        if !t.heap {
            return Err(self.new_type_error(format!(
                "cannot set '{}' attribute of immutable type '{}'",
                name.as_str(),
                t.name.borrow().as_str()
            )));
        }
        if matches!(name.as_str(), "__name__" | "__qualname__") {
            // The type's own name (`type_name`, reprs and messages read it).
            let Value::Str(s) = &value else {
                return Err(self.new_type_error(format!(
                    "can only assign string to {}.{}, not '{}'",
                    t.name.borrow().as_str(),
                    name.as_str(),
                    self.type_name(&value)
                )));
            };
            if name.as_str() == "__name__" {
                *t.name.borrow_mut() = s.clone();
            } else {
                *t.qualname.borrow_mut() = s.clone();
                t.ns.borrow_mut().remove_str(name);
            }
            t.version.set(t.version.get().wrapping_add(1));
            crate::types::types_changed();
            return Ok(());
        }
        t.ns.borrow_mut().set_str(name.clone(), value);
        t.version.set(t.version.get().wrapping_add(1));
        crate::types::types_changed();
        if name.as_str() == "__del__" {
            crate::types::mark_has_del(o);
        }
        if name.as_str() == "__getattribute__" {
            crate::types::refresh_has_getattribute(o);
        }
        Ok(())
    }

    /// `object.__setattr__`: data descriptors, then the instance dict. On a class (as
    /// `type.__setattr__(cls, name, value)` from a metaclass), the class namespace.
    /// Internal: hosts use [`Vm::set_attr`], which honours a class's `__setattr__`.
    pub(crate) fn generic_setattr(
        &mut self,
        obj: &Value,
        name: &Rc<Str>,
        value: Value,
    ) -> PyResult<()> {
        if let Value::Obj(o) = obj {
            if let Payload::Type(_) = &o.payload {
                return self.set_type_attr(o, name, value);
            }
        }
        if matches!(name.as_str(), "__class__" | "__dict__") {
            // An object's class and instance dict are fixed in aio (README, "Where aio
            // differs"): refuse rather than store an entry that changes nothing.
            return Err(self.new_type_error(format!(
                "{} assignment is not supported by aio",
                name.as_str()
            )));
        }
        let cls = self.class_of(obj).clone();
        if let Some(Payload::Exception(d)) = obj.payload() {
            if crate::builtins::set_exception_attr(self, &cls, d, name.as_str(), Some(&value))? {
                return Ok(());
            }
        }
        if let Some(Value::Obj(d)) = self.lookup(&cls, name) {
            match &d.payload {
                Payload::Member(m) if m.tuple => {
                    return Err(self.new_attribute_error("can't set attribute"));
                }
                Payload::Member(m) => {
                    if let Some(Payload::Slots(vals)) = obj.payload() {
                        if let Some(slot) = vals.borrow_mut().get_mut(m.index) {
                            *slot = Some(value);
                            return Ok(());
                        }
                    }
                }
                Payload::Property(p) if is_plain_property(&d) => {
                    return self.property_store(p, obj, Some(value))
                }
                _ => {
                    let dcls = d.class_raw().unwrap_or(&self.types.type_).clone();
                    if dcls.as_type().is_some_and(|t| t.heap) {
                        if let Some(set) = self.lookup(&dcls, &self.names.__set__.clone()) {
                            self.call(&set, &[Value::Obj(d.clone()), obj.clone(), value], &[])?;
                            return Ok(());
                        }
                    }
                }
            }
        }
        if let Value::Obj(o) = obj {
            if let Payload::Function(f) = &o.payload {
                if crate::builtins::set_function_attr(self, f, name.as_str(), Some(&value))? {
                    return Ok(());
                }
            }
            if let Some(Payload::Dict(t)) = self.instance_dict(o).map(|d| &d.payload) {
                t.borrow_mut().set_str(name.clone(), value);
                return Ok(());
            }
            if let Payload::Function(_) = &o.payload {
                return Err(self.attribute_error(obj, name));
            }
        }
        if self.lookup(&cls, name).is_some() {
            return Err(self.new_attribute_error(format!(
                "'{}' object attribute '{}' is read-only",
                self.type_name(obj),
                name.as_str()
            )));
        }
        Err(self.new_attribute_error(format!(
            "'{}' object has no attribute '{}'",
            self.type_name(obj),
            name.as_str()
        )))
    }

    /// `delattr(obj, name)`; see the example of [`Vm::get_attr`].
    pub fn del_attr(&mut self, obj: &Value, name: &Rc<Str>) -> PyResult<()> {
        let cls = self.class_of(obj).clone();
        if let Value::Obj(o) = obj {
            // A generator's names are getset descriptors that refuse deletion.
            if matches!(o.payload, Payload::Generator(_))
                && matches!(name.as_str(), "__name__" | "__qualname__")
            {
                return Err(self
                    .new_type_error(format!("{} must be set to a string object", name.as_str())));
            }
            if let Payload::Type(_) = &o.payload {
                // A metaclass written in aio may define __delattr__ (enum's EnumType does).
                if cls.as_type().is_some_and(|t| t.heap) {
                    if let Some(delattr) = self.lookup(&cls, &self.names.__delattr__.clone()) {
                        if !is_native_of(&delattr, "object") && !is_native_of(&delattr, "type") {
                            self.call(&delattr, &[obj.clone(), Value::Str(name.clone())], &[])?;
                            return Ok(());
                        }
                    }
                }
                return self.del_type_attr(o, obj, name);
            }
        }
        if cls.as_type().is_some_and(|t| t.heap) {
            if let Some(delattr) = self.lookup(&cls, &self.names.__delattr__.clone()) {
                if !is_native_of(&delattr, "object") {
                    self.call(&delattr, &[obj.clone(), Value::Str(name.clone())], &[])?;
                    return Ok(());
                }
            }
        }
        if let Some(Payload::Exception(d)) = obj.payload() {
            if crate::builtins::set_exception_attr(self, &cls, d, name.as_str(), None)? {
                return Ok(());
            }
        }
        if let Some(Value::Obj(d)) = self.lookup(&cls, name) {
            match &d.payload {
                Payload::Member(m) if m.tuple => {
                    return Err(self.new_attribute_error("can't delete attribute"));
                }
                Payload::Member(m) => {
                    if let Some(Payload::Slots(vals)) = obj.payload() {
                        let old = vals.borrow_mut().get_mut(m.index).and_then(|s| s.take());
                        if old.is_none() {
                            return Err(self.new_attribute_error(m.name.as_str().to_string()));
                        }
                        return Ok(());
                    }
                }
                Payload::Property(p) if is_plain_property(&d) => {
                    return self.property_store(p, obj, None)
                }
                _ => {
                    let dcls = d.class_raw().unwrap_or(&self.types.type_).clone();
                    if dcls.as_type().is_some_and(|t| t.heap) {
                        if let Some(del) = self.lookup(&dcls, &self.names.__delete__.clone()) {
                            self.call(&del, &[Value::Obj(d.clone()), obj.clone()], &[])?;
                            return Ok(());
                        }
                    }
                }
            }
        }
        if let Value::Obj(o) = obj {
            if let Payload::Function(f) = &o.payload {
                if crate::builtins::set_function_attr(self, f, name.as_str(), None)? {
                    return Ok(());
                }
            }
            // A module's attributes are its globals.
            let table = match &o.payload {
                Payload::Module(m) => match &m.globals.payload {
                    Payload::Dict(d) => Some(&**d),
                    _ => None,
                },
                _ => o.dict_table(),
            };
            if let Some(t) = table {
                let old = t.borrow_mut().remove_str(name);
                if old.is_some() {
                    return Ok(());
                }
            }
        }
        if name.as_str() == "__class__" {
            return Err(self.new_type_error("can't delete __class__ attribute"));
        }
        let has_dict = obj
            .as_obj()
            .is_some_and(|o| o.dict_table().is_some() || matches!(o.payload, Payload::Module(_)));
        if !has_dict && self.lookup(&cls, name).is_some() {
            return Err(self.new_attribute_error(format!(
                "'{}' object attribute '{}' is read-only",
                self.type_name(obj),
                name.as_str()
            )));
        }
        // CPython's generic delete: the type's name, and no `name`/`obj` on the error.
        Err(self.new_attribute_error(format!(
            "'{}' object has no attribute '{}'",
            self.type_name(obj),
            name.as_str()
        )))
    }
}

/// `'name' ` for a property bound to a class attribute, or nothing.
impl Vm {
    /// Sets (`Some(value)`) or deletes (`None`) the attribute of `obj` that property `p`
    /// manages: calls its setter or deleter, or raises CPython's `AttributeError` when it
    /// has none (`property.__set__`/`__delete__` and attribute stores share it).
    /// What reading a property on `obj` gives: its getter's result, or CPython's
    /// `AttributeError` when it has none.
    pub(crate) fn property_fetch(
        &mut self,
        p: &std::cell::RefCell<[Value; 5]>,
        obj: &Value,
    ) -> PyResult {
        let fget = p.borrow()[0].clone();
        if fget.is_none() {
            return Err(self.new_attribute_error(format!(
                "property {}of '{}' object has no getter",
                property_label(&p.borrow()[4]),
                self.type_name(obj)
            )));
        }
        self.call(&fget, std::slice::from_ref(obj), &[])
    }

    pub(crate) fn property_store(
        &mut self,
        p: &std::cell::RefCell<[Value; 5]>,
        obj: &Value,
        value: Option<Value>,
    ) -> PyResult<()> {
        let (f, what) = match value {
            Some(_) => (p.borrow()[1].clone(), "setter"),
            None => (p.borrow()[2].clone(), "deleter"),
        };
        if f.is_none() {
            // A built-in type's attribute (a getset descriptor in CPython).
            if let (Some(Payload::Native(getter)), Some(name)) =
                (p.borrow()[0].payload(), p.borrow()[4].as_str())
            {
                let owner = match &getter.owner {
                    Some(o) => o.as_str().to_string(),
                    None => self.type_name(obj),
                };
                return Err(self.new_attribute_error(format!(
                    "attribute '{}' of '{owner}' objects is not writable",
                    name.as_str()
                )));
            }
            let pname = property_label(&p.borrow()[4]);
            return Err(self.new_attribute_error(format!(
                "property {}of '{}' object has no {what}",
                pname,
                self.type_name(obj)
            )));
        }
        let mut args = vec![obj.clone()];
        args.extend(value);
        self.call(&f, &args, &[])?;
        Ok(())
    }
}

fn property_label(name: &Value) -> String {
    match name.as_str() {
        Some(n) => format!("'{}' ", n.as_str()),
        None => String::new(),
    }
}

/// True when `v` is a native function defined by class `owner`.
pub fn is_native_of(v: &Value, owner: &str) -> bool {
    matches!(v, Value::Obj(o) if matches!(&o.payload, Payload::Native(nf) if nf.owner.as_ref().is_some_and(|o| o.as_str() == owner)))
}

#[cfg(test)]
mod tests {
    use crate::Vm;

    /// `obj.__dict__ = d` and `obj.__class__ = C` raise (README, "Where aio differs"),
    /// also from a `StoreAttr` whose cache was filled by ordinary stores, and leave no
    /// `__dict__`/`__class__` entry in the instance dict.
    #[test]
    fn dict_and_class_assignment_raise() {
        let mut vm = Vm::new();
        vm.exec(
            "class P:\n    pass\n\
             def put(o, v):\n    o.__dict__ = v\n\
             def cls(o, v):\n    o.__class__ = v\n\
             errors = []\n\
             for _ in range(3):\n\
             \x20   p = P()\n\
             \x20   for f, v in ((put, {}), (cls, int)):\n\
             \x20       try:\n            f(p, v)\n\
             \x20       except TypeError as e:\n            errors.append(str(e))\n\
             \x20   assert vars(p) == {}, vars(p)\n\
             assert errors == ['__dict__ assignment is not supported by aio',\n\
             \x20   '__class__ assignment is not supported by aio'] * 3, errors\n",
        )
        .expect("both assignments raise TypeError");
    }
}
