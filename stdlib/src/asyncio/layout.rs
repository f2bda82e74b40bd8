//! Struct-like access to the prelude's `__slots__` classes (`Future`, `Task`, `Handle`,
//! `TimerHandle`): the slot numbers of a fixed list of attribute names are resolved once
//! per class and class epoch, so a new object's slot storage is filled in one go and an
//! existing one's fields are read and written under one borrow, as CPython's C code fills
//! and reads its structs, instead of one checked lookup per name.
//!
//! Anything else (another class, a name that is not a slot there, a class changed since)
//! takes the general path, [`iset`] per name, which is what the fast path stands for.

use super::attr::{iset, slot_index, Attr};
use aio_vm::object::Payload;
use aio_vm::types::type_epoch;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::{Cell, RefMut};
use std::rc::Rc;

/// An object's slot storage, borrowed for writing.
pub(super) type Fields<'a> = RefMut<'a, Vec<Option<Value>>>;

/// The slot numbers of `N` attribute names in one class.
pub(super) struct Layout<const N: usize> {
    /// The class address and the class epoch the numbers hold for (class 0: none yet).
    key: Cell<(usize, u64)>,
    /// The class's number of slots.
    nslots: Cell<usize>,
    /// The slot number of each name.
    pos: Cell<[u32; N]>,
}

impl<const N: usize> Layout<N> {
    /// A layout that knows no class yet.
    pub(super) fn new() -> Layout<N> {
        Layout {
            key: Cell::new((0, 0)),
            nslots: Cell::new(0),
            pos: Cell::new([0; N]),
        }
    }

    fn holds_for(&self, cls: &Obj) -> bool {
        self.key.get() == (Rc::as_ptr(cls) as usize, type_epoch())
    }

    /// A new instance of `cls` with `names[i]` set to `values[i]`, in that order.
    pub(super) fn instance(
        &self,
        vm: &mut Vm,
        cls: &Obj,
        names: [&Attr; N],
        values: [Value; N],
    ) -> PyResult {
        if self.holds_for(cls) {
            let mut slots = vec![None; self.nslots.get()];
            for (&p, v) in self.pos.get().iter().zip(values) {
                slots[p as usize] = Some(v);
            }
            // The class's slots are fixed in its epoch, in which `nslots` was learnt.
            return vm
                .new_instance_with_slots(cls, slots)
                .map_err(|_| vm.new_runtime_error("asyncio: a slot layout changed"));
        }
        let o = vm.new_instance(cls)?;
        for (name, v) in names.iter().zip(values) {
            iset(vm, &o, name, v)?;
        }
        if let Value::Obj(obj) = &o {
            self.learn(vm, obj, names);
        }
        Ok(o)
    }

    /// The slot storage of `o` and the slot number of each name, when `o` is of the class
    /// this layout knows (learnt from `o` when it is not yet); `None` when its class does
    /// not keep all the names in slots, or the storage is borrowed.
    pub(super) fn fields<'a>(
        &self,
        vm: &Vm,
        o: &'a Obj,
        names: [&Attr; N],
    ) -> Option<(Fields<'a>, [u32; N])> {
        let Payload::Slots(vals) = &o.payload else {
            return None;
        };
        let cls = o.class_raw()?;
        if !self.holds_for(cls) {
            self.learn(vm, o, names);
            if !self.holds_for(cls) {
                return None;
            }
        }
        let vals = vals.try_borrow_mut().ok()?;
        Some((vals, self.pos.get()))
    }

    /// Resolves the names' slot numbers in `o`'s class; forgets the last class when one
    /// of them is not a slot there.
    fn learn(&self, vm: &Vm, o: &Obj, names: [&Attr; N]) {
        self.key.set((0, 0));
        let (Payload::Slots(vals), Some(cls)) = (&o.payload, o.class_raw()) else {
            return;
        };
        let Ok(nslots) = vals.try_borrow().map(|v| v.len()) else {
            return;
        };
        let mut pos = [0u32; N];
        for (p, name) in pos.iter_mut().zip(names) {
            match slot_index(vm, o, name) {
                Some(i) if i < nslots => *p = i as u32,
                _ => return,
            }
        }
        self.pos.set(pos);
        self.nslots.set(nslots);
        self.key.set((Rc::as_ptr(cls) as usize, type_epoch()));
    }
}
