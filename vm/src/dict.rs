//! `Dict`: the insertion-ordered hash table behind `dict`, instance attributes, class
//! namespaces and module globals — CPython's compact layout: a dense entry vector in
//! insertion order plus an index table of positions (`hashbrown::HashTable`).
//!
//! Key equality can run Python code (`__eq__`), so this type never compares keys itself
//! beyond the cases that cannot run code: the VM's `dict_ops` drives lookups through
//! [`Dict::probe`], which hands back candidate positions with an equal hash.

use crate::str::Str;
use crate::value::Value;
use hashbrown::HashTable;
use std::cell::OnceCell;

/// One key/value pair and the key's hash.
#[derive(Clone)]
pub struct Entry {
    /// The key's Python hash.
    pub hash: i64,
    /// The key.
    pub key: Value,
    /// The value.
    pub value: Value,
}

/// An insertion-ordered hash table of Python values.
#[derive(Clone, Default)]
pub struct Dict {
    entries: Vec<Option<Entry>>,
    /// The index table, for dicts past [`SMALL`] positions (boxed: most dicts are small,
    /// and every object's payload is as large as its largest variant). Built by the first
    /// lookup that needs it and kept up to date from then on: a dict that is only appended
    /// to and read by position (an instance dict filled by cached attribute stores, read
    /// through attribute caches) never builds one.
    index: OnceCell<Box<HashTable<u32>>>,
    len: u32,
    /// No live entry sits before this position (a hint for [`Dict::pop_first`], which would
    /// otherwise rescan the deleted front of a dict used as a FIFO).
    head: u32,
    /// Two bits per key ever inserted since the last clear ([`bloom_bit`] of its hash): a
    /// key with a bit clear is absent, so most misses (a method name looked for in an
    /// instance dict, a builtin in the globals) cost one test instead of a probe.
    bloom: u64,
    /// Changed on every insertion of a new key and every removal (iteration checks it).
    /// Each change takes a fresh number from a global counter, so two dicts with the same
    /// version have the same keys at the same positions (one is a copy of the other, both
    /// are empty, or both appended the same key to dicts of one version through
    /// [`Dict::push_str_with_version`]): caches may remember a key's position by version
    /// alone.
    pub version: u64,
}

/// Dicts with at most this many positions have no index table: a lookup scans the
/// entries (comparing the stored hashes first), which is about as fast as probing a table
/// for so few keys and saves the table's allocation and growth for the many small dicts
/// (instance attributes, keyword arguments). The table is built when the dict grows past
/// it. 16 rather than 8: building the table cost a 10-attribute `__init__` 12% of its
/// instructions, while scanning 12 keys costs a lookup-only loop 2% (callgrind).
const SMALL: usize = 16;

/// The next dict version (see [`Dict::version`]).
static NEXT_VERSION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// The hash the index table uses for a key's Python hash. Python hashes of small ints are
/// the ints themselves, whose high bits are all equal; the index table keys its control
/// bytes on the high bits, so the hash is spread first (an odd multiplier keeps it a
/// bijection).
#[inline]
fn index_hash(hash: i64) -> u64 {
    (hash as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The two bits of `hash` in [`Dict::bloom`] (two 6-bit fields at the top of the spread
/// hash). Two bits per key rather than one: with the few keys of an instance dict, a name
/// that is absent passes the filter about ten times less often (0.4% against 3% for two
/// keys), and a method call's "not shadowed by the instance" test is one `and`.
#[inline]
fn bloom_bit(hash: i64) -> u64 {
    let h = index_hash(hash);
    (1u64 << (h >> 58)) | (1u64 << ((h >> 52) & 63))
}

/// Whether `bloom` may hold a key with bits `bits` (see [`bloom_bit`]).
#[inline]
fn bloom_may_hold(bloom: u64, bits: u64) -> bool {
    bloom & bits == bits
}

/// A dict version never used before on this thread.
#[inline]
fn fresh_version() -> u64 {
    NEXT_VERSION.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Whether the stored key `k` (of the same hash as `key`, and not an exact `str`) is an
/// instance of a `str` subclass with `key`'s characters: the name lookups of namespaces
/// (globals, instance and class dicts) find such keys by value, without running Python
/// code, as CPython finds them (a subclass `__eq__` is not consulted here).
#[cold]
fn str_subclass_key_eq(k: &Value, key: &Str) -> bool {
    match k {
        Value::Obj(o) => match &o.payload {
            crate::object::Payload::Str(s) => s.as_str() == key.as_str(),
            _ => false,
        },
        _ => false,
    }
}

/// The outcome of [`Dict::find_str_key`].
pub enum StrFind {
    /// The key is at this position.
    Found(usize),
    /// The key is absent.
    Absent,
    /// A stored key of equal hash is not an exact `str`: its `__eq__` must decide.
    Unknown,
}

/// The outcome of comparing a stored key with a probe key without running Python code.
pub enum KeyMatch {
    /// Equal.
    Yes,
    /// Not equal.
    No,
    /// Equality needs `__eq__`.
    Unknown,
}

impl Dict {
    /// An empty dict.
    pub fn new() -> Dict {
        Dict::default()
    }

    /// An empty dict with room for `n` entries.
    pub fn with_capacity(n: usize) -> Dict {
        Dict {
            entries: Vec::with_capacity(n),
            index: OnceCell::new(),
            len: 0,
            head: 0,
            bloom: 0,
            version: 0,
        }
    }

    /// Makes room for `n` more entries (the index table too, once there are enough).
    pub fn reserve(&mut self, n: usize) {
        self.entries.reserve(n);
        if let Some(index) = self
            .index
            .get_mut()
            .filter(|_| self.entries.len() + n > SMALL)
        {
            let entries = &self.entries;
            index.reserve(n, |&p| {
                entries[p as usize]
                    .as_ref()
                    .map(|e| index_hash(e.hash))
                    .unwrap_or(0)
            });
        }
    }

    /// Number of entries.
    #[inline]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Positions of the entries whose hash equals `hash`, in table order.
    pub fn probe(&self, hash: i64) -> impl Iterator<Item = usize> + '_ {
        let small = self.is_small();
        let maybe = bloom_may_hold(self.bloom, bloom_bit(hash));
        let scan = if small && maybe {
            0..self.entries.len()
        } else {
            0..0
        };
        let table = (!small && maybe).then(|| self.table().iter_hash(index_hash(hash)));
        scan.chain(table.into_iter().flatten().map(|&pos| pos as usize))
            .filter(move |&pos| self.entries[pos].as_ref().is_some_and(|e| e.hash == hash))
    }

    /// Whether lookups scan the entries instead of the index table (see [`SMALL`]).
    #[inline]
    fn is_small(&self) -> bool {
        self.entries.len() <= SMALL
    }

    /// Finds the position of `key`, deciding equality with `eq` for each candidate.
    #[inline]
    pub fn find_with(&self, hash: i64, mut eq: impl FnMut(&Value) -> bool) -> Option<usize> {
        if !bloom_may_hold(self.bloom, bloom_bit(hash)) {
            return None;
        }
        let Some(index) = (!self.is_small()).then(|| self.table()) else {
            return self.entries.iter().position(|e| match e {
                Some(e) => e.hash == hash && eq(&e.key),
                None => false,
            });
        };
        index
            .find(index_hash(hash), |&pos| match &self.entries[pos as usize] {
                Some(e) => e.hash == hash && eq(&e.key),
                None => false,
            })
            .map(|&pos| pos as usize)
    }

    /// Whether a `str` key equal to `key` may be present: `false` (the filter, without a
    /// probe) means it is certainly absent.
    #[inline]
    pub fn may_hold_str(&self, key: &Str) -> bool {
        bloom_may_hold(self.bloom, bloom_bit(key.hash()))
    }

    /// Looks up a `str` key (attribute and global lookups).
    #[inline]
    pub fn get_str(&self, key: &Str) -> Option<&Value> {
        let hash = key.hash();
        let pos = self.find_with(hash, |k| match k {
            Value::Str(s) => std::ptr::eq(&**s, key) || s.as_str() == key.as_str(),
            _ => str_subclass_key_eq(k, key),
        })?;
        self.entries[pos].as_ref().map(|e| &e.value)
    }

    /// The position of a `str` key in a dict whose keys may be any values: like
    /// [`Dict::find_str`], but a stored key of equal hash that is not an exact `str` (an
    /// instance of a `str` subclass, which may define `__eq__`) makes the answer
    /// [`StrFind::Unknown`], for the VM's general lookup to decide. Keys of other hashes are
    /// never looked at, so this costs nothing for dicts of plain strings.
    #[inline]
    pub fn find_str_key(&self, key: &Str) -> StrFind {
        let found = self.find_with(key.hash(), |k| match k {
            Value::Str(s) => std::ptr::eq(&**s, key) || s.as_str() == key.as_str(),
            // The search stops here; the caller's `__eq__` decides.
            Value::Obj(_) => true,
            _ => false,
        });
        match found {
            None => StrFind::Absent,
            Some(pos) => match &self.entries[pos] {
                Some(Entry {
                    key: Value::Str(_), ..
                }) => StrFind::Found(pos),
                _ => StrFind::Unknown,
            },
        }
    }

    /// The value of a `str` key in a dict whose keys may be any values (see
    /// [`Dict::find_str_key`]): `Some(None)` when absent, `None` when a stored key that is
    /// not an exact `str` has the same hash (its `__eq__` must decide).
    #[inline]
    pub fn get_str_key(&self, key: &Str) -> Option<Option<&Value>> {
        let found = self.find_with(key.hash(), |k| match k {
            Value::Str(s) => std::ptr::eq(&**s, key) || s.as_str() == key.as_str(),
            Value::Obj(_) => true,
            _ => false,
        });
        match found {
            None => Some(None),
            Some(pos) => match &self.entries[pos] {
                Some(Entry {
                    key: Value::Str(_),
                    value,
                    ..
                }) => Some(Some(value)),
                _ => None,
            },
        }
    }

    /// The position of a `str` key.
    #[inline]
    pub fn find_str(&self, key: &Str) -> Option<usize> {
        self.find_with(key.hash(), |k| match k {
            Value::Str(s) => std::ptr::eq(&**s, key) || s.as_str() == key.as_str(),
            _ => str_subclass_key_eq(k, key),
        })
    }

    /// The value of the live entry at `pos`.
    #[inline]
    pub fn value_at(&self, pos: usize) -> Option<&Value> {
        match self.entries.get(pos) {
            Some(Some(e)) => Some(&e.value),
            _ => None,
        }
    }

    /// Replaces the value at `pos`, returning the old one (so the caller can drop it after
    /// releasing any borrow).
    #[inline]
    pub fn replace_value_at(&mut self, pos: usize, value: Value) -> Option<Value> {
        match self.entries.get_mut(pos) {
            Some(Some(e)) => Some(std::mem::replace(&mut e.value, value)),
            _ => None,
        }
    }

    /// Sets a `str` key (attribute and global stores).
    pub fn set_str(&mut self, key: std::rc::Rc<Str>, value: Value) {
        self.set_str_pos(key, value);
    }

    /// Sets a `str` key; returns the entry's position.
    pub fn set_str_pos(&mut self, key: std::rc::Rc<Str>, value: Value) -> usize {
        let hash = key.hash();
        let found = self.find_with(hash, |k| match k {
            Value::Str(s) => s.as_str() == key.as_str(),
            _ => str_subclass_key_eq(k, &key),
        });
        match found {
            Some(pos) => {
                self.set_value_at(pos, value);
                pos
            }
            None => {
                let pos = self.entries.len();
                self.push(hash, Value::Str(key), value);
                pos
            }
        }
    }

    /// The value at `pos` if that live entry's key is the very string object `key` (for
    /// callers that remember where a key was: keys are unique, so this is `key`'s entry).
    #[inline]
    pub fn value_at_if_key(&self, pos: usize, key: &std::rc::Rc<Str>) -> Option<&Value> {
        match self.entries.get(pos) {
            Some(Some(Entry {
                key: Value::Str(k),
                value,
                ..
            })) if std::rc::Rc::ptr_eq(k, key) => Some(value),
            _ => None,
        }
    }

    /// The mutable value at `pos` if that live entry's key is the very string object `key`
    /// (see [`Dict::value_at_if_key`]).
    #[inline]
    pub fn value_at_if_key_mut(
        &mut self,
        pos: usize,
        key: &std::rc::Rc<Str>,
    ) -> Option<&mut Value> {
        match self.entries.get_mut(pos) {
            Some(Some(Entry {
                key: Value::Str(k),
                value,
                ..
            })) if std::rc::Rc::ptr_eq(k, key) => Some(value),
            _ => None,
        }
    }

    /// Removes a `str` key, returning its value.
    pub fn remove_str(&mut self, key: &Str) -> Option<Value> {
        let hash = key.hash();
        let pos = self.find_with(hash, |k| match k {
            Value::Str(s) => s.as_str() == key.as_str(),
            _ => str_subclass_key_eq(k, key),
        })?;
        Some(self.remove_at(pos).value)
    }

    /// The entry at `pos` (a position from `probe`/`find_with`, or an iteration position).
    #[inline]
    pub fn entry_at(&self, pos: usize) -> Option<&Entry> {
        self.entries.get(pos).and_then(|e| e.as_ref())
    }

    /// Replaces the value at `pos`.
    pub fn set_value_at(&mut self, pos: usize, value: Value) {
        if let Some(e) = &mut self.entries[pos] {
            e.value = value;
        }
    }

    /// Appends a new key (the caller checked it is absent).
    pub fn push(&mut self, hash: i64, key: Value, value: Value) {
        self.push_entry(hash, key, value);
        self.version = fresh_version();
    }

    /// [`Dict::push`], returning the new entry's position (for [`Dict::entry_at`]).
    pub fn push_pos(&mut self, hash: i64, key: Value, value: Value) -> usize {
        self.push(hash, key, value);
        self.entries.len() - 1
    }

    /// Appends `key`, absent from this dict, and takes `version` as the new version: the
    /// version another dict took when the same key was appended to the same key layout
    /// (the dict's version now). The attribute caches replay the stores of `__init__`
    /// this way, as CPython's shared-key dicts do, and the dicts of a class's instances
    /// keep equal versions for equal layouts.
    #[inline(always)]
    pub fn push_str_with_version(&mut self, key: std::rc::Rc<Str>, value: Value, version: u64) {
        self.push_entry(key.hash(), Value::Str(key), value);
        self.version = version;
    }

    /// [`Dict::push`] without the new version.
    #[inline]
    fn push_entry(&mut self, hash: i64, key: Value, value: Value) {
        let pos = self.entries.len() as u32;
        self.entries.push(Some(Entry { hash, key, value }));
        self.bloom |= bloom_bit(hash);
        if self.entries.len() == SMALL + 1 {
            // Growing past the scanned size: the next lookup indexes every entry.
            self.rebuild_index();
        } else if let Some(index) = self.index.get_mut().filter(|_| self.entries.len() > SMALL) {
            let entries = &self.entries;
            index.insert_unique(index_hash(hash), pos, |&p| {
                entries[p as usize]
                    .as_ref()
                    .map(|e| index_hash(e.hash))
                    .unwrap_or(0)
            });
        }
        self.len += 1;
    }

    /// Removes the entry at `pos`.
    pub fn remove_at(&mut self, pos: usize) -> Entry {
        let entry = self.entries[pos].take().expect("live dict entry");
        if let Some(index) = self.index.get_mut().filter(|_| self.entries.len() > SMALL) {
            if let Ok(slot) = index.find_entry(index_hash(entry.hash), |&p| p as usize == pos) {
                slot.remove();
            }
        }
        self.len -= 1;
        self.version = fresh_version();
        if self.entries.len() > 16 && (self.len as usize) * 2 < self.entries.len() {
            self.compact();
        }
        entry
    }

    /// Removes and returns the last entry (`popitem`).
    pub fn pop_last(&mut self) -> Option<Entry> {
        let pos = self.entries.iter().rposition(|e| e.is_some())?;
        let e = self.remove_at(pos);
        while matches!(self.entries.last(), Some(None)) {
            self.entries.pop();
        }
        self.head = self.head.min(self.entries.len() as u32);
        Some(e)
    }

    /// Removes and returns the first entry in order (`OrderedDict.popitem(last=False)`).
    pub fn pop_first(&mut self) -> Option<Entry> {
        let head = self.head as usize;
        let pos = head + self.entries.get(head..)?.iter().position(|e| e.is_some())?;
        let positions = self.entries.len();
        let entry = self.remove_at(pos);
        // Unless the removal compacted the table (which resets the hint).
        if self.entries.len() == positions {
            self.head = pos as u32 + 1;
        }
        Some(entry)
    }

    /// Moves the live entry at `pos` to the end of the order, or (`last` false) to the front
    /// (`OrderedDict.move_to_end`). An entry already there stays, and the version with it.
    pub fn move_to_end(&mut self, pos: usize, last: bool) {
        let live = |e: &Option<Entry>| e.is_some();
        let edge = if last {
            self.entries.iter().rposition(live)
        } else {
            self.entries.iter().position(live)
        };
        if edge == Some(pos) || self.entries.get(pos).is_none_or(Option::is_none) {
            return;
        }
        let entry = self.entries[pos].take();
        if last {
            let hash = entry.as_ref().map_or(0, |e| e.hash);
            self.entries.push(entry);
            let new_pos = self.entries.len() - 1;
            // Past the scanned size the table was kept up to date: repoint the one slot.
            match self.index.get_mut().filter(|_| new_pos > SMALL) {
                Some(index) => {
                    if let Ok(slot) = index.find_entry(index_hash(hash), |&p| p as usize == pos) {
                        *slot.into_mut() = new_pos as u32;
                    }
                }
                None => self.rebuild_index(),
            }
        } else {
            self.entries.insert(0, entry);
            self.entries.retain(live);
            self.head = 0;
            self.rebuild_index();
        }
        self.version = fresh_version();
        if self.entries.len() > 16 && (self.len as usize) * 2 < self.entries.len() {
            self.compact();
        }
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.index = OnceCell::new();
        self.bloom = 0;
        self.len = 0;
        self.head = 0;
        self.version = fresh_version();
    }

    /// Number of iteration positions (live and deleted); iterate `0..positions()` with
    /// [`Dict::entry_at`] to survive mutation between steps.
    pub fn positions(&self) -> usize {
        self.entries.len()
    }

    /// The live entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter_map(|e| e.as_ref())
    }

    /// Moves every value out (used by the cycle collector to break cycles).
    pub fn take_all(&mut self) -> Vec<Entry> {
        let out = self.entries.drain(..).flatten().collect();
        self.index = OnceCell::new();
        self.bloom = 0;
        self.len = 0;
        self.head = 0;
        self.version = fresh_version();
        out
    }

    fn compact(&mut self) {
        self.entries.retain(|e| e.is_some());
        self.head = 0;
        self.bloom = self
            .entries
            .iter()
            .flatten()
            .fold(0, |b, e| b | bloom_bit(e.hash));
        self.rebuild_index();
    }

    /// Drops the index table: the next lookup that needs one indexes every position
    /// afresh (see [`Dict::table`]). While a dict is small its table is not kept up to
    /// date, so growing past [`SMALL`] drops it.
    fn rebuild_index(&mut self) {
        self.index = OnceCell::new();
    }

    /// The index table of a dict past [`SMALL`] positions, built now if it is not.
    fn table(&self) -> &HashTable<u32> {
        self.index.get_or_init(|| {
            let entries = &self.entries;
            // Room for what `reserve` made room for, so a dict being filled grows the
            // table no more than its entries.
            let mut index = Box::new(HashTable::with_capacity(entries.capacity()));
            for (pos, e) in entries.iter().enumerate() {
                if let Some(e) = e {
                    index.insert_unique(index_hash(e.hash), pos as u32, |&p| {
                        entries[p as usize]
                            .as_ref()
                            .map(|e| index_hash(e.hash))
                            .unwrap_or(0)
                    });
                }
            }
            index
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    fn key(i: usize) -> Rc<Str> {
        Rc::new(Str::new(format!("k{i}")))
    }

    fn get(d: &Dict, i: usize) -> Option<i64> {
        match d.get_str(&key(i)) {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        }
    }

    /// Replaying another dict's appends with its versions gives the same keys at the same
    /// positions and the same versions, past the switch to the index table; lookups find
    /// every key; a removal leaves the shared versions.
    #[test]
    fn appends_replayed_with_versions() {
        let keys: Vec<Rc<Str>> = (0..2 * SMALL).map(key).collect();
        let mut first = Dict::new();
        let mut versions = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            first.set_str(k.clone(), Value::Int(i as i64));
            versions.push(first.version);
        }
        let mut second = Dict::new();
        assert_eq!(second.version, 0, "empty dicts share version 0");
        for (i, k) in keys.iter().enumerate() {
            second.push_str_with_version(k.clone(), Value::Int(10 * i as i64), versions[i]);
        }
        assert_eq!(second.version, first.version);
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(get(&second, i), Some(10 * i as i64));
            assert_eq!(second.find_str(k), first.find_str(k));
        }
        assert_eq!(get(&second, keys.len()), None);
        assert!(second.remove_str(&keys[0]).is_some());
        assert!(!versions.contains(&second.version));
    }

    /// A dict grown past the switch point by appends alone has no index table until a
    /// lookup needs one; removals and moves before and after that lookup keep every key
    /// findable.
    #[test]
    fn the_index_table_is_built_by_the_first_lookup() {
        let mut d = Dict::new();
        for i in 0..2 * SMALL {
            d.push_str_with_version(key(i), Value::Int(i as i64), 0);
        }
        assert!(d.index.get().is_none(), "no lookup yet");
        let pos = d.find_str(&key(SMALL + 3)).expect("present");
        d.move_to_end(pos, true);
        assert!(d.remove_str(&key(1)).is_some());
        assert!(d.index.get().is_some(), "a lookup built it");
        d.push_str_with_version(key(1000), Value::Int(1000), 0);
        for i in (0..2 * SMALL).chain([1000]) {
            let want = (i != 1).then_some(i as i64);
            assert_eq!(get(&d, i), want, "key {i}");
        }
    }

    /// Lookups agree across the switch from scanning to the index table and back, with
    /// deleted positions in between (SMALL is the switch point).
    #[test]
    fn small_and_indexed_lookups_agree() {
        let mut d = Dict::new();
        for i in 0..3 * SMALL {
            d.set_str(key(i), Value::Int(i as i64));
            for j in 0..=i {
                assert_eq!(get(&d, j), Some(j as i64), "after inserting {i}");
            }
            assert_eq!(get(&d, i + 1), None);
        }
        for i in (0..3 * SMALL).step_by(2) {
            assert!(d.remove_str(&key(i)).is_some());
        }
        for i in 0..3 * SMALL {
            let want = (i % 2 == 1).then_some(i as i64);
            assert_eq!(get(&d, i), want);
        }
        // Popping from the end drops the dict back under the switch point.
        while d.len() > 2 {
            d.pop_last();
        }
        assert_eq!(d.len(), 2);
        assert_eq!(
            (get(&d, 1), get(&d, 3), get(&d, 5)),
            (Some(1), Some(3), None)
        );
        // Growing again rebuilds the table from the live entries only.
        for i in 100..100 + 2 * SMALL {
            d.set_str(key(i), Value::Int(i as i64));
        }
        assert_eq!(d.len(), 2 + 2 * SMALL);
        assert_eq!(get(&d, 1), Some(1));
        assert_eq!(
            get(&d, 100 + 2 * SMALL - 1),
            Some((100 + 2 * SMALL - 1) as i64)
        );
        assert_eq!(d.probe(key(3).hash()).count(), 1);
        let order: Vec<i64> = d
            .iter()
            .map(|e| match e.value {
                Value::Int(n) => n,
                _ => -1,
            })
            .collect();
        assert_eq!(&order[..3], &[1, 3, 100]);
    }

    /// `move_to_end` both ways and `pop_first` keep lookups right at every size, through
    /// the switch to the index table and the compaction of deleted positions.
    #[test]
    fn reordering_keeps_lookups() {
        for n in [3, SMALL, SMALL + 1, 4 * SMALL] {
            let mut d = Dict::new();
            for i in 0..n {
                d.set_str(key(i), Value::Int(i as i64));
            }
            let order = |d: &Dict| -> Vec<i64> {
                d.iter()
                    .map(|e| match e.value {
                        Value::Int(v) => v,
                        _ => -1,
                    })
                    .collect()
            };
            let mut want: Vec<i64> = (0..n as i64).collect();
            for round in 0..3 * n {
                let i = (round * 7) % n;
                let pos = d.find_str(&key(i)).expect("present");
                let last = round % 3 != 0;
                d.move_to_end(pos, last);
                want.retain(|&v| v != i as i64);
                if last {
                    want.push(i as i64);
                } else {
                    want.insert(0, i as i64);
                }
                assert_eq!(order(&d), want, "n={n} round={round}");
                assert!((0..n).all(|j| get(&d, j) == Some(j as i64)));
            }
            let first = d.pop_first().expect("an entry");
            assert!(matches!(first.value, Value::Int(v) if v == want[0]));
            assert_eq!(order(&d), want[1..]);
            assert_eq!(get(&d, want[0] as usize), None);
        }
        assert!(Dict::new().pop_first().is_none());
        // A FIFO: pushes at the back, pops at the front (and now and then the back),
        // through compactions and a dict emptied and refilled.
        let mut d = Dict::new();
        let mut want = std::collections::VecDeque::new();
        for i in 0..500 {
            d.set_str(key(i), Value::Int(i as i64));
            want.push_back(i as i64);
            let pops = if i % 50 < 25 { 0 } else { 2 };
            for _ in 0..pops {
                let got = d.pop_first().map(|e| match e.value {
                    Value::Int(v) => v,
                    _ => -1,
                });
                assert_eq!(got, want.pop_front(), "at {i}");
            }
            if i % 7 == 0 {
                let got = d.pop_last().map(|e| match e.value {
                    Value::Int(v) => v,
                    _ => -1,
                });
                assert_eq!(got, want.pop_back(), "at {i}");
            }
            assert_eq!(d.len(), want.len());
            assert!(want.iter().all(|&v| get(&d, v as usize) == Some(v)));
        }
    }

    /// The key filter never hides a present key: keys removed and added again, a cleared
    /// dict refilled, and a compacted dict all find what they hold.
    #[test]
    fn key_filter_keeps_present_keys() {
        let mut d = Dict::new();
        for round in 0..3 {
            for i in 0..40 {
                d.set_str(key(i), Value::Int(i as i64 + round));
            }
            for i in 0..35 {
                d.remove_str(&key(i));
            }
            assert!((35..40).all(|i| get(&d, i) == Some(i as i64 + round)));
            assert!((0..35).all(|i| get(&d, i).is_none()));
            assert_eq!(d.probe(key(36).hash()).count(), 1);
            d.clear();
            assert!((0..40).all(|i| get(&d, i).is_none()));
        }
    }

    /// A reserved dict takes its entries without changing what lookups find.
    #[test]
    fn reserve_then_fill() {
        let mut d = Dict::new();
        d.reserve(3 * SMALL);
        for i in 0..3 * SMALL {
            d.set_str(key(i), Value::Int(i as i64));
        }
        assert!((0..3 * SMALL).all(|i| get(&d, i) == Some(i as i64)));
        d.clear();
        assert_eq!(get(&d, 0), None);
        d.set_str(key(0), Value::Int(9));
        assert_eq!(get(&d, 0), Some(9));
    }
}
