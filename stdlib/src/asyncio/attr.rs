//! Instance attributes as the natives of the loop, futures and tasks read and write them:
//! straight in the instance dict, where the prelude's aio code keeps them (as CPython's C
//! code reads its struct fields, a `__getattr__` or `__setattr__` override does not see
//! them).
//!
//! `Future`, `Task`, `Handle` and `TimerHandle` declare `__slots__` (CPython's C structs and
//! the `__slots__` of `asyncio.events`): their attributes are read and written in the slot
//! storage, the slot number cached per class. Other objects keep them in their dict: each
//! name remembers the position it last had there (objects built by the same code put their
//! attributes at the same positions), so a lookup usually checks one entry instead of
//! hashing.

use aio_vm::code::{AttrCache, CacheKind};
use aio_vm::object::Payload;
use aio_vm::str::Str;
use aio_vm::types::type_epoch;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::Cell;
use std::ops::Deref;
use std::rc::Rc;

/// An interned attribute name and the dict position it was last found at (a hint, checked
/// on every use). Derefs to the name.
pub(super) struct Attr {
    name: Rc<Str>,
    pos: Cell<u32>,
    /// The slot number for the last four classes (a future's, a task's, a handle's and a
    /// timer handle's, which share names such as `_loop`: fewer entries would be refilled
    /// at every switch between them).
    slot: [Cell<AttrCache>; 4],
    /// What the class resolves the name to, for [`keeps_method`].
    method: Cell<AttrCache>,
}

impl Attr {
    /// The interned `name`.
    pub(super) fn new(vm: &mut Vm, name: &str) -> Attr {
        Attr {
            name: vm.intern(name),
            pos: Cell::new(0),
            slot: Default::default(),
            method: Cell::new(AttrCache::default()),
        }
    }
}

impl Deref for Attr {
    type Target = Rc<Str>;

    fn deref(&self) -> &Rc<Str> {
        &self.name
    }
}

/// `obj.name` for a private attribute: the instance dict first, then the full lookup.
/// Inline for the common cases: a slot one of the name's first two cache entries locates, or the
/// entry of an instance dict at the position the name last had (an object without slots,
/// such as the event loop or a queue).
#[inline(always)]
pub(super) fn iget(vm: &mut Vm, obj: &Value, name: &Attr) -> PyResult {
    if let Value::Obj(o) = obj {
        if let Payload::Slots(vals) = &o.payload {
            // The first two entries: a future's and a task's, most often.
            for c in &name.slot[..2] {
                let e = c.get();
                if e.kind == CacheKind::Slot && e.holds_for(o) {
                    if let Some(Some(v)) = vals.borrow().get(e.pos as usize) {
                        return Ok(v.clone());
                    }
                    break;
                }
            }
        } else if let Some(t) = o.dict_table() {
            if let Ok(t) = t.try_borrow() {
                if let Some(v) = t.value_at_if_key(name.pos.get() as usize, &name.name) {
                    return Ok(v.clone());
                }
            }
        }
    }
    iget_slow(vm, obj, name)
}

/// [`iget`] past its inline case.
#[inline(never)]
fn iget_slow(vm: &mut Vm, obj: &Value, name: &Attr) -> PyResult {
    if let Value::Obj(o) = obj {
        if let Some(v) = slot_get(vm, o, name) {
            return Ok(v);
        }
        if let Some(v) = o.dict_table().and_then(|t| table_get_hinted(t, name)) {
            return Ok(v);
        }
    }
    vm.get_attr(obj, &name.name)
}

/// `d[name]` for a dict object `d` keyed by strings (a module's globals), looked up at the
/// position the name last had there (a hint, checked) before hashing.
pub(super) fn dict_get_hinted(d: &Obj, name: &Attr) -> Option<Value> {
    match &d.payload {
        Payload::Dict(t) => table_get_hinted(t, name),
        _ => None,
    }
}

/// `name`'s value in dict table `t`, at the position the name last had (checked), else
/// found by hashing, the position remembered.
fn table_get_hinted(t: &std::cell::RefCell<aio_vm::dict::Dict>, name: &Attr) -> Option<Value> {
    let t = t.borrow();
    if let Some(v) = t.value_at_if_key(name.pos.get() as usize, &name.name) {
        return Some(v.clone());
    }
    let pos = t.find_str(&name.name)?;
    name.pos.set(pos as u32);
    t.value_at(pos).cloned()
}

/// Whether the private attribute `obj.name` is true.
pub(super) fn truthy(vm: &mut Vm, obj: &Value, name: &Attr) -> PyResult<bool> {
    let v = iget(vm, obj, name)?;
    vm.is_true(&v)
}

/// `obj.name = value` for a private attribute: straight into the instance dict.
/// Inline for the common case, a slot one of the name's first two cache entries locates.
#[inline(always)]
pub(super) fn iset(vm: &mut Vm, obj: &Value, name: &Attr, value: Value) -> PyResult<()> {
    if let Value::Obj(o) = obj {
        if let Payload::Slots(vals) = &o.payload {
            for c in &name.slot[..2] {
                let e = c.get();
                if e.kind == CacheKind::Slot && e.holds_for(o) {
                    match write_slot(vals, e.pos as usize, value) {
                        Ok(()) => return Ok(()),
                        Err(v) => return iset_slow(vm, obj, name, v),
                    }
                }
            }
        } else if let Some(t) = o.dict_table() {
            // The entry at the position the name last had (a queue's or an event's).
            if let Ok(mut t) = t.try_borrow_mut() {
                if let Some(slot) = t.value_at_if_key_mut(name.pos.get() as usize, &name.name) {
                    let old = std::mem::replace(slot, value);
                    drop(t);
                    drop(old);
                    return Ok(());
                }
            }
        }
    }
    iset_slow(vm, obj, name, value)
}

/// Stores `value` in slot `i` (the old value dropped after the borrow ends); the value
/// back when there is no such slot.
#[inline(always)]
fn write_slot(
    vals: &std::cell::RefCell<Vec<Option<Value>>>,
    i: usize,
    value: Value,
) -> Result<(), Value> {
    let mut vals = vals.borrow_mut();
    let Some(v) = vals.get_mut(i) else {
        return Err(value);
    };
    let old = v.replace(value);
    drop(vals);
    drop(old);
    Ok(())
}

/// [`iset`] past its inline case.
#[inline(never)]
fn iset_slow(vm: &mut Vm, obj: &Value, name: &Attr, value: Value) -> PyResult<()> {
    let mut value = value;
    if let Value::Obj(o) = obj {
        if let Payload::Slots(vals) = &o.payload {
            if let Some(i) = slot_index(vm, o, name) {
                match write_slot(vals, i, value) {
                    Ok(()) => return Ok(()),
                    Err(v) => value = v,
                }
            }
        }
        if let Some(t) = o.dict_table() {
            let mut t = t.borrow_mut();
            if let Some(slot) = t.value_at_if_key_mut(name.pos.get() as usize, &name.name) {
                let old = std::mem::replace(slot, value);
                drop(t);
                drop(old);
                return Ok(());
            }
            let pos = t.set_str_pos(name.name.clone(), value);
            name.pos.set(pos as u32);
            return Ok(());
        }
    }
    vm.set_attr(obj, &name.name, value)
}

/// The value of slot attribute `name` of `o`: `None` when `o` has no such slot or it is
/// unset.
#[inline(always)]
pub(super) fn slot_get(vm: &Vm, o: &Obj, name: &Attr) -> Option<Value> {
    let Payload::Slots(vals) = &o.payload else {
        return None;
    };
    slot_value(vm, o, vals, name)
}

/// The value of attribute `name` that `o` holds itself, in a slot or in its instance
/// dict (not a default its class gives): `None` when it holds none.
pub(super) fn own_get(vm: &Vm, o: &Obj, name: &Attr) -> Option<Value> {
    slot_get(vm, o, name).or_else(|| {
        o.dict_table()
            .and_then(|t| t.borrow().get_str(&name.name).cloned())
    })
}

/// [`slot_get`] for an object with slots.
fn slot_value(
    vm: &Vm,
    o: &Obj,
    vals: &std::cell::RefCell<Vec<Option<Value>>>,
    name: &Attr,
) -> Option<Value> {
    let i = slot_index(vm, o, name)?;
    let v = vals.borrow().get(i).cloned().flatten();
    v
}

/// The slot `name` has in `o`'s layout, if any ([`Vm::slot_index`] with a cache of four
/// classes: a miss moves the entries one place down).
#[inline]
pub(super) fn slot_index(vm: &Vm, o: &Obj, name: &Attr) -> Option<usize> {
    for c in &name.slot {
        let e = c.get();
        if e.holds_for(o) {
            return (e.kind == CacheKind::Slot).then_some(e.pos as usize);
        }
    }
    for k in (1..name.slot.len()).rev() {
        name.slot[k].set(name.slot[k - 1].get());
    }
    vm.slot_index(&name.slot[0], o, &name.name)
}

/// Whether `obj.name` is the method `base`: `obj`'s class has it and no instance attribute
/// shadows it. The natives then run their own implementation instead of calling it; an
/// override (in a subclass or on the instance) is called as written.
/// The class's answer is cached per class and class epoch in `name`.
pub(super) fn keeps_method(vm: &mut Vm, obj: &Value, name: &Attr, base: &Value) -> bool {
    let shadowed = obj
        .as_obj()
        .and_then(|o| o.dict_table())
        .is_some_and(|t| t.borrow().get_str(&name.name).is_some());
    if shadowed {
        return false;
    }
    vm.class_resolves_to(&name.method, obj, &name.name, base)
}

/// An answer about an object's methods that depends only on its class, the class epoch
/// and its instance dict's key layout (a dict's version names its key layout; no dict and
/// an empty one both have version 0, and shadow nothing), remembered for the last such
/// triple: a hot native checks one entry instead of looking each name up in the object's
/// dict and class. The answer is a set of bits, typically [`kept_bits`].
/// Two triples are kept: the ready queue's entries alternate between tasks and timer
/// handles, for instance.
pub(super) struct KeptMethods {
    last: [Cell<(LayoutKey, u32)>; 2],
}

/// An object's class address, the class epoch and its instance dict's version.
type LayoutKey = (usize, u64, u64);

impl KeptMethods {
    /// A cache that remembers nothing yet.
    pub(super) fn new() -> KeptMethods {
        KeptMethods {
            last: Default::default(),
        }
    }

    /// The answer for `obj`: remembered, or `compute`d (and remembered).
    #[inline(always)]
    pub(super) fn of(&self, vm: &mut Vm, obj: &Value, compute: impl FnOnce(&mut Vm) -> u32) -> u32 {
        let key = obj.as_obj().and_then(|o| {
            let cls = o.class_raw()?;
            let version = match o.dict_table() {
                Some(t) => t.try_borrow().ok()?.version,
                None => 0,
            };
            Some((Rc::as_ptr(cls) as usize, type_epoch(), version))
        });
        if let Some(key) = key {
            for entry in &self.last {
                let (cached, bits) = entry.get();
                if cached == key {
                    return bits;
                }
            }
        }
        let bits = compute(vm);
        if let Some(key) = key {
            self.last[1].set(self.last[0].get());
            self.last[0].set((key, bits));
        }
        bits
    }
}

impl KeptMethods {
    /// Which of `methods()` (name, the native it must resolve to) `obj` keeps, as
    /// [`kept_bits`] (the list is made only past the cache).
    #[inline(always)]
    pub(super) fn kept<'a, const N: usize>(
        &self,
        vm: &mut Vm,
        obj: &Value,
        methods: impl FnOnce() -> [(&'a Attr, &'a Value); N],
    ) -> u32 {
        self.of(vm, obj, |vm| kept_bits(vm, obj, &methods()))
    }
}

/// Which of `methods` (name, the native it must resolve to) `obj` keeps
/// ([`keeps_method`]), as bits: bit `i` for the `i`th.
#[inline(never)]
pub(super) fn kept_bits(vm: &mut Vm, obj: &Value, methods: &[(&Attr, &Value)]) -> u32 {
    let mut bits = 0;
    for (i, (name, f)) in methods.iter().enumerate() {
        if keeps_method(vm, obj, name, f) {
            bits |= 1 << i;
        }
    }
    bits
}
