//! Set algebra on [`SetTable`], each method following one CPython 3.11 `setobject.c` path
//! so that results come out in CPython's order.
//!
//! Where CPython special-cases both operands being the same object, the VM must do so before
//! calling these (they take `&mut self` and `&Self`, which cannot alias):
//! `a | a`, `a & a`, `a.union()`/`a.intersection()` with no argument → [`SetTable::copy`];
//! `a |= a`, `a.update(a)` → nothing; `a &= a` → `a.swap_contents(&mut a.copy())`;
//! `a -= a`, `a ^= a` → [`SetTable::clear`]. (`a - a` and `a ^ a` need no special case:
//! call [`SetTable::difference`] / [`SetTable::symmetric_difference`] with `a` twice.)
//!
//! Paths with other iterables ("dict" means an exact dict, whose keys come with their stored
//! hashes, in dict order; dict subclasses and views are plain iterables):
//!
//! - `set(it)`, `s.update(it)`, `s |= it` → [`SetTable::extend`]; a set or frozenset operand
//!   → [`SetTable::merge`]; a dict → [`SetTable::extend_reserved`]. `s.__init__(it)` on an
//!   existing set first [`SetTable::clear`]s it when its [`SetTable::fill`] is not 0.
//! - `s.intersection(it)` → [`SetTable::intersection_iter`]; `s.intersection_update(it)` →
//!   that, then [`SetTable::swap_contents`].
//! - `s.difference_update(it)` (a dict too) → [`SetTable::difference_update_iter`].
//! - `s.difference(it)`: a dict `d` → when `len(s) / 4 > len(d)`, `copy()` then
//!   `difference_update_iter(d)`, else a new table with each of `s`'s entries (in order) that
//!   `d` lacks, added with [`SetTable::insert`]; any other iterable → `copy()` then
//!   `difference_update_iter`.
//! - `s.symmetric_difference_update(it)`: a dict → [`SetTable::toggle_each`] over its items;
//!   another iterable → a new table from it (`extend`), then
//!   [`SetTable::symmetric_difference_update`] with that. `s.symmetric_difference(it)` → a
//!   new table from `it` (as `set(it)` builds it), then `symmetric_difference_update(s)` on it.
//! - Multi-argument methods apply one operand at a time, as CPython does (`difference` uses
//!   `difference` for the first operand and `difference_update` for the rest).
//! - `frozenset.copy()` and `frozenset(f)` of an exact frozenset return `f` itself.
//!
//! A set display `{x, y, ...}` (compiler knowledge, recorded here because it decides the
//! order): with fewer than 3 items or any non-constant item, `BUILD_SET` adds the items in
//! source order. With 3 or more constants (after constant folding, e.g. `-1`, `(1, 2)`),
//! CPython 3.11 compiles `BUILD_SET 0; LOAD_CONST frozenset; SET_UPDATE`: the frozenset is
//! built by adding the items in source order, rebuilt by the compiler's constant merging by
//! adding its items in that table's order, and `SET_UPDATE` merges it into the empty set
//! ([`SetTable::merge`], i.e. a [`SetTable::copy`]). CPython rebuilds it once more, the same
//! way, when code-object creation interns one of its str items (only ASCII letters, digits
//! and `_`) into a different, already interned object, which depends on the process's
//! history; two equal displays in one compilation unit share the first one's constant.
//!
//! The iterator-taking methods accept `Result` items so that a failing `__hash__` or
//! iterator stops them with the error, as in CPython.

use super::set_table::SetTable;

impl<K: Clone> SetTable<K> {
    /// `s | t` and `s.union(t)` for a set or frozenset `t` (`set_or`: `set_copy` then
    /// `set_merge`).
    pub fn union<E>(
        &self,
        other: &Self,
        eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<Self, E> {
        let mut result = self.copy();
        result.merge(other, eq)?;
        Ok(result)
    }

    /// Adds each `(hash, key)` in order (`set_update_internal` for an iterable that is not a
    /// set or dict: `set_add_key` per item).
    pub fn extend<E>(
        &mut self,
        items: impl IntoIterator<Item = Result<(i64, K), E>>,
        mut eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<(), E> {
        for item in items {
            let (hash, key) = item?;
            self.insert(hash, key, &mut eq)?;
        }
        Ok(())
    }

    /// `set_update_internal`'s dict branch: one [`SetTable::reserve_for_update`] for all
    /// `items` (the dict's keys with their stored hashes, in dict order), then an insert each.
    pub fn extend_reserved<E>(
        &mut self,
        items: impl ExactSizeIterator<Item = (i64, K)>,
        mut eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<(), E> {
        self.reserve_for_update(items.len());
        for (hash, key) in items {
            self.insert(hash, key, &mut eq)?;
        }
        Ok(())
    }

    /// `s & t` and `s.intersection(t)` for a set or frozenset `t` (`set_intersection`):
    /// iterates the smaller operand (`t` when the sizes are equal), keeping its keys that the
    /// other one contains.
    pub fn intersection<E>(
        &self,
        other: &Self,
        mut eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<Self, E> {
        let (probed, iterated) = if other.len() > self.len() {
            (other, self)
        } else {
            (self, other)
        };
        let mut result = SetTable::new();
        for (hash, key) in iterated.entries() {
            if probed.contains(hash, key, &mut eq)? {
                result.insert(hash, key.clone(), &mut eq)?;
            }
        }
        Ok(result)
    }

    /// `s.intersection(it)` for another iterable (`set_intersection`'s generic branch): keeps
    /// the items `s` contains, in iteration order, and stops consuming `items` as soon as the
    /// result is as large as `s`.
    pub fn intersection_iter<E>(
        &self,
        items: impl IntoIterator<Item = Result<(i64, K), E>>,
        mut eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<Self, E> {
        let mut result = SetTable::new();
        for item in items {
            let (hash, key) = item?;
            if self.contains(hash, &key, &mut eq)? {
                result.insert(hash, key, &mut eq)?;
                if result.len() >= self.len() {
                    break;
                }
            }
        }
        Ok(result)
    }

    /// `s &= t` and `s.intersection_update(t)` for a set or frozenset `t`
    /// (`set_intersection_update`: [`SetTable::intersection`] then `set_swap_bodies`).
    pub fn intersection_update<E>(
        &mut self,
        other: &Self,
        eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<(), E> {
        let mut tmp = self.intersection(other, eq)?;
        self.swap_contents(&mut tmp);
        Ok(())
    }

    /// `s - t` and `s.difference(t)` for a set or frozenset `t` (`set_difference`): when
    /// `len(s) / 4 > len(t)`, copies `s` and runs [`SetTable::difference_update`]; otherwise
    /// builds a new table from `s`'s keys that `t` lacks.
    pub fn difference<E>(
        &self,
        other: &Self,
        mut eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<Self, E> {
        if (self.len() >> 2) > other.len() {
            let mut result = self.copy();
            result.difference_update(other, eq)?;
            return Ok(result);
        }
        let mut result = SetTable::new();
        for (hash, key) in self.entries() {
            if !other.contains(hash, key, &mut eq)? {
                result.insert(hash, key.clone(), &mut eq)?;
            }
        }
        Ok(result)
    }

    /// `s -= t` and `s.difference_update(t)` for a set or frozenset `t`
    /// (`set_difference_update_internal`): discards `t`'s keys (or, when `t` is more than 8
    /// times larger, the keys of `s & t`), then [`SetTable::compact_after_difference`].
    pub fn difference_update<E>(
        &mut self,
        other: &Self,
        mut eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<(), E> {
        if (other.len() >> 3) > self.len() {
            let common = self.intersection(other, &mut eq)?;
            for (hash, key) in common.entries() {
                self.remove(hash, key, &mut eq)?;
            }
        } else {
            for (hash, key) in other.entries() {
                self.remove(hash, key, &mut eq)?;
            }
        }
        self.compact_after_difference();
        Ok(())
    }

    /// `s.difference_update(it)` for an iterable that is not a set or frozenset
    /// (`set_difference_update_internal`'s generic branch): discards each item, then
    /// [`SetTable::compact_after_difference`].
    pub fn difference_update_iter<E>(
        &mut self,
        items: impl IntoIterator<Item = Result<(i64, K), E>>,
        mut eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<(), E> {
        for item in items {
            let (hash, key) = item?;
            self.remove(hash, &key, &mut eq)?;
        }
        self.compact_after_difference();
        Ok(())
    }

    /// For each item in order: discard it if present, else add it (the loop of
    /// `set_symmetric_difference_update`; used directly for a dict operand).
    pub fn toggle_each<'a, E>(
        &mut self,
        items: impl IntoIterator<Item = (i64, &'a K)>,
        mut eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<(), E>
    where
        K: 'a,
    {
        for (hash, key) in items {
            if self.remove(hash, key, &mut eq)?.is_none() {
                self.insert(hash, key.clone(), &mut eq)?;
            }
        }
        Ok(())
    }

    /// `s ^= t` and `s.symmetric_difference_update(t)` for a set or frozenset `t`
    /// (`set_symmetric_difference_update`): [`SetTable::toggle_each`] over `t`'s entries.
    pub fn symmetric_difference_update<E>(
        &mut self,
        other: &Self,
        eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<(), E> {
        self.toggle_each(other.entries(), eq)
    }

    /// `s ^ t` and `s.symmetric_difference(t)` for a set or frozenset `t`
    /// (`set_symmetric_difference`): a copy of `t`, then
    /// [`SetTable::symmetric_difference_update`] with `s`.
    pub fn symmetric_difference<E>(
        &self,
        other: &Self,
        eq: impl FnMut(&K, &K) -> Result<bool, E>,
    ) -> Result<Self, E> {
        let mut result = other.copy();
        result.symmetric_difference_update(self, eq)?;
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use crate::table::hash::hash_i64;
    use crate::table::SetTable;
    use std::convert::Infallible;

    fn eq(a: &i64, b: &i64) -> Result<bool, Infallible> {
        Ok(a == b)
    }

    #[test]
    fn table_intersection_iter_stops_when_complete() {
        // CPython 3.11: {1, 2}.intersection(g()) consumes only 2 items of g() = (1, 2, 3).
        let mut s = SetTable::new();
        s.extend([1, 2].map(|k| Ok((hash_i64(k), k))), eq).unwrap();
        let mut consumed = 0;
        let items = [1, 2, 3].into_iter().map(|k| {
            consumed += 1;
            Ok((hash_i64(k), k))
        });
        let r = s.intersection_iter(items, eq).unwrap();
        assert_eq!(r.iter().copied().collect::<Vec<_>>(), [1, 2]);
        assert_eq!(consumed, 2);
    }

    #[test]
    fn table_iterator_errors_propagate() {
        let mut s: SetTable<i64> = SetTable::new();
        let items = [Ok((1, 1)), Err("boom"), Ok((2, 2))];
        assert_eq!(s.extend(items, |a, b| Ok(a == b)), Err("boom"));
        assert_eq!(s.iter().copied().collect::<Vec<_>>(), [1]);
    }
}
