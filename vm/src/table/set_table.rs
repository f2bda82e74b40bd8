//! [`SetTable`]: CPython 3.11's set hash table (`Objects/setobject.c`), slot for slot.
//!
//! A set's iteration order is its slot order, so matching CPython's `list(s)` needs the same
//! table: the same probe sequence (runs of [`LINEAR_PROBES`]` + 1` adjacent slots, then
//! `i = (i * 5 + 1 + perturb) & mask` with `perturb >>= `[`PERTURB_SHIFT`]), the same reuse
//! of deleted ("dummy") slots, the same resize points and sizes, and the same copy paths.
//! The set algebra built on it lives in `set_ops.rs`.
//!
//! # Equality, identity and re-entrancy
//!
//! Keys are opaque; the caller supplies hashes (never -1, see [`super::hash`]) and an
//! equality function `eq(stored, probe) -> Result<bool, E>`, called only on a slot whose
//! stored hash equals the probe's, with the stored key first (CPython calls
//! `PyObject_RichCompareBool(startkey, key, Py_EQ)`). CPython tests identity before calling
//! `__eq__` (so a NaN is found in a set holding that same NaN): `eq` must do the same,
//! returning `Ok(true)` for the identical object without calling `__eq__`. An `Err` aborts
//! the operation and leaves the table as it was before the failed comparison.
//!
//! The closure-based methods ([`SetTable::insert`], [`SetTable::contains`],
//! [`SetTable::remove`], ...) borrow the table for the whole operation, so `eq` cannot
//! mutate it. A VM whose `__eq__` may run code that touches the set drives a [`Lookup`]
//! instead, releasing the table during each comparison: [`SetTable::lookup`],
//! [`SetTable::lookup_next`], compare, then [`SetTable::lookup_is_stale`] and, if stale,
//! start over, like CPython's `goto restart` / recursive `set_lookkey`. CPython restarts
//! when the table was reallocated or the compared slot no longer holds the same key; a
//! [`Lookup`] is stale after *any* mutation (the [`SetTable::version`] changed), which is
//! the same unless `__eq__` mutated the set without touching that slot or reallocating (then
//! CPython continues the probe and may reuse a recorded dummy slot that has meanwhile been
//! refilled; we restart).

use super::hash::hash_frozenset;

/// `PySet_MINSIZE`: a new or cleared table has 8 slots.
pub const MIN_SIZE: usize = 8;
/// `LINEAR_PROBES`: each probe inspects up to this many slots after the first, when they fit
/// before the end of the table.
pub const LINEAR_PROBES: usize = 9;
/// `PERTURB_SHIFT`: the shift applied to `perturb` between runs of linear probes.
pub const PERTURB_SHIFT: u32 = 5;

/// The hash stored in a dummy (deleted) slot; unused slots store 0 and no key.
const DUMMY_HASH: i64 = -1;

/// One slot: unused is `(0, None)`, dummy is `(-1, None)`, active is `(hash, Some(key))`.
#[derive(Clone, Debug)]
struct Slot<K> {
    hash: i64,
    key: Option<K>,
}

impl<K> Slot<K> {
    const UNUSED: Self = Slot { hash: 0, key: None };

    #[inline]
    fn is_unused(&self) -> bool {
        self.key.is_none() && self.hash == 0
    }
}

/// The slots `set_lookkey`, `set_add_entry` and `set_insert_clean` visit, in order.
#[derive(Clone, Copy, Debug)]
struct Probe {
    /// First slot of the current run (CPython's `i`).
    start: usize,
    /// The slot to inspect next.
    pos: usize,
    /// Slots left in the current run after `pos`.
    left: usize,
    perturb: u64,
    mask: usize,
}

impl Probe {
    #[inline]
    fn new(hash: i64, mask: usize) -> Self {
        let start = (hash as u64 as usize) & mask;
        Probe {
            start,
            pos: start,
            left: run_extra(start, mask),
            perturb: hash as u64,
            mask,
        }
    }

    #[inline]
    fn advance(&mut self) {
        if self.left > 0 {
            self.left -= 1;
            self.pos += 1;
        } else {
            self.perturb >>= PERTURB_SHIFT;
            self.start = self
                .start
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(self.perturb as usize)
                & self.mask;
            self.pos = self.start;
            self.left = run_extra(self.start, self.mask);
        }
    }
}

/// `probes = (i + LINEAR_PROBES <= mask) ? LINEAR_PROBES : 0`.
#[inline]
fn run_extra(i: usize, mask: usize) -> usize {
    if i + LINEAR_PROBES <= mask {
        LINEAR_PROBES
    } else {
        0
    }
}

/// A lookup in progress, for callers whose equality test must not borrow the table (see
/// the module documentation). Obtained from [`SetTable::lookup`].
#[derive(Clone, Debug)]
pub struct Lookup {
    hash: i64,
    probe: Probe,
    /// The last dummy slot passed (`set_add_entry`'s `freeslot`).
    freeslot: Option<usize>,
    /// The unused slot that ended the search.
    vacant: Option<usize>,
    version: u64,
}

impl Lookup {
    /// The hash being looked up.
    pub fn hash(&self) -> i64 {
        self.hash
    }
}

/// The result of [`SetTable::lookup_next`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookupStep {
    /// Slot `index` holds a key with the probe's hash: compare it with the probe; if equal,
    /// the search is over (found at `index`), otherwise call `lookup_next` again.
    Candidate(usize),
    /// The key is absent; [`SetTable::insert_vacant`] may now add it.
    Vacant,
}

/// An open-addressing hash set table with CPython 3.11's exact layout and iteration order.
///
/// It stores `(hash, key)` pairs; see the module documentation for how keys are compared.
#[derive(Debug)]
pub struct SetTable<K> {
    slots: Vec<Slot<K>>,
    /// Active plus dummy slots (`so->fill`).
    fill: usize,
    /// Active slots (`so->used`).
    used: usize,
    /// Where [`SetTable::pop`] starts searching (`so->finger`).
    finger: usize,
    version: u64,
}

impl<K> Default for SetTable<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K> SetTable<K> {
    /// An empty table of [`MIN_SIZE`] slots (`make_new_set` without an iterable).
    pub fn new() -> Self {
        SetTable {
            slots: unused_slots(MIN_SIZE),
            fill: 0,
            used: 0,
            finger: 0,
            version: 0,
        }
    }

    /// The number of keys (`len(s)`, `so->used`).
    pub fn len(&self) -> usize {
        self.used
    }

    /// Whether the table holds no key.
    pub fn is_empty(&self) -> bool {
        self.used == 0
    }

    /// The number of slots, a power of two ≥ [`MIN_SIZE`] (`so->mask + 1`). CPython's
    /// `s.__sizeof__()` is `200 + 16 * capacity` when this exceeds 8, else 200.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Active plus dummy slots (`so->fill`).
    pub fn fill(&self) -> usize {
        self.fill
    }

    /// A counter that changes on every mutation (insertion of a new key, removal, pop, clear,
    /// resize, swap). CPython's set iterator only compares `len` (raising `RuntimeError: Set
    /// changed size during iteration` when it differs), so a VM matching CPython exactly
    /// should compare [`SetTable::len`]; the version is for [`Lookup`] staleness and caches.
    pub fn version(&self) -> u64 {
        self.version
    }

    #[inline]
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    #[inline]
    fn bump(&mut self) {
        self.version = self.version.wrapping_add(1);
    }

    /// The key in slot `index`, if that slot is active.
    pub fn key_at(&self, index: usize) -> Option<&K> {
        self.slots.get(index).and_then(|s| s.key.as_ref())
    }

    /// The stored hash and key in slot `index`, if that slot is active.
    pub fn entry_at(&self, index: usize) -> Option<(i64, &K)> {
        self.slots
            .get(index)
            .and_then(|s| s.key.as_ref().map(|k| (s.hash, k)))
    }

    /// The keys in slot order: CPython's iteration order.
    pub fn iter(&self) -> impl Iterator<Item = &K> + '_ {
        self.slots.iter().filter_map(|s| s.key.as_ref())
    }

    /// The `(hash, key)` pairs in slot order (`set_next`).
    pub fn entries(&self) -> impl Iterator<Item = (i64, &K)> + '_ {
        self.slots
            .iter()
            .filter_map(|s| s.key.as_ref().map(|k| (s.hash, k)))
    }

    /// One step of a resumable iteration (`set_next` / `setiter_iternext`): the first active
    /// slot at or after `pos`, as `(next_pos, hash, key)`; start with `pos = 0`.
    pub fn next_entry(&self, pos: usize) -> Option<(usize, i64, &K)> {
        let slots = self.slots.get(pos..)?;
        slots
            .iter()
            .enumerate()
            .find_map(|(k, s)| s.key.as_ref().map(|key| (pos + k + 1, s.hash, key)))
    }

    /// `hash(frozenset(...))` of this table's keys (`frozenset_hash`).
    pub fn frozenset_hash(&self) -> i64 {
        hash_frozenset(self.entries().map(|(h, _)| h))
    }

    /// Starts a lookup of `hash` (the probe loop of `set_lookkey` and `set_add_entry`).
    pub fn lookup(&self, hash: i64) -> Lookup {
        debug_assert_ne!(hash, DUMMY_HASH, "-1 is not a valid hash");
        Lookup {
            hash,
            probe: Probe::new(hash, self.mask()),
            freeslot: None,
            vacant: None,
            version: self.version,
        }
    }

    /// Advances `lookup` to the next slot whose stored hash equals the probe's (a
    /// [`LookupStep::Candidate`]) or to the unused slot that ends the search.
    ///
    /// Panics if `lookup` is stale (see [`SetTable::lookup_is_stale`]).
    pub fn lookup_next(&self, lookup: &mut Lookup) -> LookupStep {
        assert!(!self.lookup_is_stale(lookup), "stale set lookup");
        if lookup.vacant.is_some() {
            return LookupStep::Vacant;
        }
        loop {
            let pos = lookup.probe.pos;
            let slot = &self.slots[pos];
            if slot.is_unused() {
                lookup.vacant = Some(pos);
                return LookupStep::Vacant;
            }
            lookup.probe.advance();
            if slot.hash == lookup.hash {
                return LookupStep::Candidate(pos);
            }
            if slot.hash == DUMMY_HASH {
                lookup.freeslot = Some(pos);
            }
        }
    }

    /// Whether the table changed since `lookup` started; the caller must then restart with
    /// a fresh [`SetTable::lookup`] (CPython's restart after a mutating `__eq__`).
    pub fn lookup_is_stale(&self, lookup: &Lookup) -> bool {
        lookup.version != self.version
    }

    /// Adds `key` where the finished `lookup` (which returned [`LookupStep::Vacant`]) says
    /// `set_add_entry` would: the last dummy slot passed, else the unused slot, resizing
    /// afterwards if the table became too full.
    ///
    /// Panics if `lookup` is stale or unfinished.
    pub fn insert_vacant(&mut self, lookup: &Lookup, key: K) {
        assert!(!self.lookup_is_stale(lookup), "stale set lookup");
        let vacant = lookup.vacant.expect("set lookup not finished");
        let hash = lookup.hash;
        self.bump();
        self.used += 1;
        if let Some(free) = lookup.freeslot {
            self.slots[free] = Slot {
                hash,
                key: Some(key),
            };
            return;
        }
        self.slots[vacant] = Slot {
            hash,
            key: Some(key),
        };
        self.fill += 1;
        if self.fill * 5 >= self.mask() * 3 {
            self.resize(self.growth_target());
        }
    }

    /// `so->used > 50000 ? so->used * 2 : so->used * 4`, the size requested on growth.
    fn growth_target(&self) -> usize {
        if self.used > 50_000 {
            self.used * 2
        } else {
            self.used * 4
        }
    }

    /// The slot holding a key that `matches` (called as for `eq`, on stored keys with the
    /// probe's hash, in probe order), or `None` (`set_lookkey`).
    pub fn find_by<E>(
        &self,
        hash: i64,
        mut matches: impl FnMut(&K) -> Result<bool, E>,
    ) -> Result<Option<usize>, E> {
        let mut lookup = self.lookup(hash);
        loop {
            match self.lookup_next(&mut lookup) {
                LookupStep::Candidate(i) => {
                    if matches(self.slots[i].key.as_ref().expect("active slot"))? {
                        return Ok(Some(i));
                    }
                }
                LookupStep::Vacant => return Ok(None),
            }
        }
    }

    /// The slot holding a key equal to `key`, or `None` (`set_lookkey`).
    pub fn find<E>(
        &self,
        hash: i64,
        key: &K,
        mut eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<Option<usize>, E> {
        self.find_by(hash, |stored| eq(stored, key))
    }

    /// Whether a key equal to `key` is present (`set_contains_entry`).
    pub fn contains<E>(
        &self,
        hash: i64,
        key: &K,
        eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<bool, E> {
        Ok(self.find(hash, key, eq)?.is_some())
    }

    /// Adds `key` unless an equal key is present (`set_add_entry`); returns whether it was
    /// added. An equal key already present is kept and `key` is dropped, as in CPython.
    pub fn insert<E>(
        &mut self,
        hash: i64,
        key: K,
        mut eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<bool, E> {
        let mut lookup = self.lookup(hash);
        loop {
            match self.lookup_next(&mut lookup) {
                LookupStep::Candidate(i) => {
                    if eq(self.slots[i].key.as_ref().expect("active slot"), &key)? {
                        return Ok(false);
                    }
                }
                LookupStep::Vacant => {
                    self.insert_vacant(&lookup, key);
                    return Ok(true);
                }
            }
        }
    }

    /// Removes the key equal to `key` and returns the stored key, or `None` if absent
    /// (`set_discard_entry`); the slot becomes a dummy and the table never shrinks here.
    pub fn remove<E>(
        &mut self,
        hash: i64,
        key: &K,
        eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<Option<K>, E> {
        Ok(match self.find(hash, key, eq)? {
            Some(i) => self.remove_at(i),
            None => None,
        })
    }

    /// Turns active slot `index` into a dummy and returns its key (`None` if the slot is not
    /// active); the second half of `set_discard_entry`.
    pub fn remove_at(&mut self, index: usize) -> Option<K> {
        let slot = self.slots.get_mut(index)?;
        let key = slot.key.take()?;
        slot.hash = DUMMY_HASH;
        self.used -= 1;
        self.bump();
        Some(key)
    }

    /// Removes and returns the key `set.pop()` removes (`set_pop`): the first active slot at
    /// or after the search finger (wrapping around), leaving the finger just after it.
    pub fn pop(&mut self) -> Option<K> {
        if self.used == 0 {
            return None;
        }
        let mask = self.mask();
        let mut i = self.finger & mask;
        while self.slots[i].key.is_none() {
            i = if i == mask { 0 } else { i + 1 };
        }
        self.finger = i + 1;
        self.remove_at(i)
    }

    /// Empties the table back to [`MIN_SIZE`] slots (`set_clear_internal`). Like CPython,
    /// this keeps the [`SetTable::pop`] finger.
    pub fn clear(&mut self) {
        self.slots = unused_slots(MIN_SIZE);
        self.fill = 0;
        self.used = 0;
        self.bump();
    }

    /// Rebuilds the table with the smallest power-of-two size > `minused` (at least
    /// [`MIN_SIZE`]), dropping dummies and reinserting keys in slot order
    /// (`set_table_resize`). Like CPython, an 8-slot table without dummies asked to stay at 8
    /// slots is left untouched.
    pub fn resize(&mut self, minused: usize) {
        let mut newsize = MIN_SIZE;
        while newsize <= minused {
            newsize <<= 1;
        }
        if newsize == MIN_SIZE && self.slots.len() == MIN_SIZE && self.fill == self.used {
            return;
        }
        let old = std::mem::replace(&mut self.slots, unused_slots(newsize));
        self.fill = self.used;
        for slot in old {
            if let Some(key) = slot.key {
                self.insert_clean(slot.hash, key);
            }
        }
        self.bump();
    }

    /// Puts a key known to be absent into the first unused slot of its probe sequence
    /// (`set_insert_clean`); the table must have no dummies on that path. Does not update
    /// the counts.
    fn insert_clean(&mut self, hash: i64, key: K) {
        let mut probe = Probe::new(hash, self.mask());
        while !self.slots[probe.pos].is_unused() {
            probe.advance();
        }
        self.slots[probe.pos] = Slot {
            hash,
            key: Some(key),
        };
    }

    /// The single up-front resize of `set_merge` and of `set_update_internal`'s dict branch,
    /// before adding `incoming` keys: `if ((fill + n) * 5 >= mask * 3) resize((used + n) * 2)`.
    pub fn reserve_for_update(&mut self, incoming: usize) {
        if (self.fill + incoming) * 5 >= self.mask() * 3 {
            self.resize((self.used + incoming) * 2);
        }
    }

    /// Dummy cleanup at the end of `set_difference_update_internal`: when more than a
    /// quarter of the slots are dummies, resize as on growth.
    pub fn compact_after_difference(&mut self) {
        if self.fill - self.used > self.mask() / 4 {
            self.resize(self.growth_target());
        }
    }

    /// Exchanges the contents of two tables (`set_swap_bodies`, used by
    /// `set_intersection_update`); each keeps its own [`SetTable::pop`] finger.
    pub fn swap_contents(&mut self, other: &mut Self) {
        std::mem::swap(&mut self.slots, &mut other.slots);
        std::mem::swap(&mut self.fill, &mut other.fill);
        std::mem::swap(&mut self.used, &mut other.used);
        self.bump();
        other.bump();
    }
}

impl<K: Clone> SetTable<K> {
    /// The part of `set_merge(self, other)` that needs no equality test. Returns `true` when
    /// the merge is complete: `other` is empty, or `self` had no slot in use (after the
    /// up-front [`SetTable::reserve_for_update`]), in which case `other`'s slots are copied
    /// as they are (same size, no dummies) or reinserted in slot order. Returns `false` when
    /// the caller must still add each of `other`'s [`SetTable::entries`], in order, as
    /// [`SetTable::insert`] does. CPython's `a.update(a)` is a no-op; do not call this then.
    pub fn merge_without_eq(&mut self, other: &SetTable<K>) -> bool {
        if other.used == 0 {
            return true;
        }
        self.reserve_for_update(other.used);
        if self.fill != 0 {
            return false;
        }
        if self.slots.len() == other.slots.len() && other.fill == other.used {
            self.slots.clone_from_slice(&other.slots);
        } else {
            for (hash, key) in other.entries() {
                self.insert_clean(hash, key.clone());
            }
        }
        self.fill = other.used;
        self.used = other.used;
        self.bump();
        true
    }

    /// Adds every key of `other` (`set_merge`, reached from `s.update(t)`, `s |= t` and
    /// `set(t)` for a set or frozenset `t`).
    pub fn merge<E>(
        &mut self,
        other: &SetTable<K>,
        mut eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<(), E> {
        if self.merge_without_eq(other) {
            return Ok(());
        }
        for (hash, key) in other.entries() {
            self.insert(hash, key.clone(), &mut eq)?;
        }
        Ok(())
    }

    /// A new table with the same keys (`set_copy`: `make_new_set` then `set_merge`, so the
    /// copy may be smaller than the original and has no dummies).
    pub fn copy(&self) -> Self {
        let mut copy = SetTable::new();
        let done = copy.merge_without_eq(self);
        debug_assert!(done);
        copy
    }
}

fn unused_slots<K>(n: usize) -> Vec<Slot<K>> {
    let mut v = Vec::with_capacity(n);
    v.resize_with(n, || Slot::UNUSED);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    fn eq(a: &i64, b: &i64) -> Result<bool, Infallible> {
        Ok(a == b)
    }

    fn add(t: &mut SetTable<i64>, k: i64) -> bool {
        t.insert(super::super::hash::hash_i64(k), k, eq).unwrap()
    }

    fn keys(t: &SetTable<i64>) -> Vec<i64> {
        t.iter().copied().collect()
    }

    #[test]
    fn table_set_reuses_last_dummy_passed() {
        // CPython 3.11: s = {8, 1, 6}; s.discard(8); s.discard(6); s.add(16) -> [1, 16]
        let mut t = SetTable::new();
        for k in [8, 1, 6] {
            assert!(add(&mut t, k));
        }
        assert_eq!(keys(&t), [8, 1, 6]);
        assert_eq!(t.remove(8, &8, eq).unwrap(), Some(8));
        assert_eq!(t.remove(6, &6, eq).unwrap(), Some(6));
        assert!(add(&mut t, 16));
        assert_eq!(keys(&t), [1, 16]);
        assert_eq!((t.len(), t.fill()), (2, 3));
    }

    #[test]
    fn table_set_grows_at_three_fifths() {
        // CPython 3.11: adding 0..4 one by one, __sizeof__() goes from 200 to 712 (32 slots).
        let mut t = SetTable::new();
        for k in 0..4 {
            add(&mut t, k);
        }
        assert_eq!(t.capacity(), 8);
        add(&mut t, 4);
        assert_eq!(t.capacity(), 32);
        assert!(!add(&mut t, 4));
        assert_eq!(t.len(), 5);
    }

    #[test]
    fn table_set_pop_finger_and_clear() {
        let mut t = SetTable::new();
        // CPython 3.11: s = {3, 5, 7} (added in order); pops 3, then after s.add(1): 5, 7, 1.
        for k in [3, 5, 7] {
            add(&mut t, k);
        }
        assert_eq!(t.pop(), Some(3));
        add(&mut t, 1);
        // The finger is past slot 3, so 1 (slot 1) is found only after wrapping.
        assert_eq!(t.pop(), Some(5));
        assert_eq!(t.pop(), Some(7));
        assert_eq!(t.pop(), Some(1));
        assert_eq!(t.pop(), None);
        t.clear();
        assert_eq!(t.capacity(), 8);
    }

    #[test]
    fn table_set_lookup_cursor_restarts_when_stale() {
        let mut t = SetTable::new();
        add(&mut t, 0);
        let mut l = t.lookup(8);
        assert_eq!(t.lookup_next(&mut l), LookupStep::Vacant);
        add(&mut t, 16);
        assert!(t.lookup_is_stale(&l));
        let mut l = t.lookup(8);
        while t.lookup_next(&mut l) != LookupStep::Vacant {}
        t.insert_vacant(&l, 8);
        // CPython 3.11: adding 0, 16, 8 in that order lists [0, 16, 8].
        assert_eq!(keys(&t), [0, 16, 8]);
    }

    #[test]
    fn table_set_next_entry_walks_slots() {
        let mut t = SetTable::new();
        for k in [2, 9, 4] {
            add(&mut t, k);
        }
        let mut pos = 0;
        let mut seen = vec![];
        while let Some((next, hash, key)) = t.next_entry(pos) {
            assert_eq!(hash, *key);
            seen.push(*key);
            pos = next;
        }
        assert_eq!(seen, keys(&t));
        assert!(t.next_entry(100).is_none());
    }
}
