//! `SetData`: the hash table behind `set` and `frozenset`. Keys only; lookups go through
//! the VM (see `ops::set_*`) because key equality can run Python code.

use crate::dict::{Dict, Entry};
use crate::value::Value;

/// The elements of a set.
#[derive(Clone, Default)]
pub struct SetData {
    table: Dict,
}

impl SetData {
    /// An empty set.
    pub fn new() -> SetData {
        SetData::default()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Positions of elements with this hash.
    pub fn probe(&self, hash: i64) -> impl Iterator<Item = usize> + '_ {
        self.table.probe(hash)
    }

    /// The element at `pos`.
    pub fn key_at(&self, pos: usize) -> Option<&Value> {
        self.table.entry_at(pos).map(|e| &e.key)
    }

    /// The element and its hash at `pos`.
    pub fn entry_at(&self, pos: usize) -> Option<&Entry> {
        self.table.entry_at(pos)
    }

    /// Adds an element known to be absent.
    pub fn push(&mut self, hash: i64, key: Value) {
        self.table.push(hash, key, Value::None);
    }

    /// Removes the element at `pos`.
    pub fn remove_at(&mut self, pos: usize) -> Value {
        self.table.remove_at(pos).key
    }

    /// Removes an arbitrary element.
    pub fn pop(&mut self) -> Option<Value> {
        let first = (0..self.table.positions()).find(|&p| self.table.entry_at(p).is_some())?;
        Some(self.table.remove_at(first).key)
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.table.clear();
    }

    /// Iteration positions (see [`Dict::positions`]).
    pub fn positions(&self) -> usize {
        self.table.positions()
    }

    /// The elements in iteration order.
    pub fn iter(&self) -> impl Iterator<Item = &Value> {
        self.table.iter().map(|e| &e.key)
    }

    /// The elements with their hashes.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.table.iter()
    }

    /// Mutation counter.
    pub fn version(&self) -> u64 {
        self.table.version
    }

    /// Moves every element out (cycle collection).
    pub fn take_all(&mut self) -> Vec<Value> {
        self.table.take_all().into_iter().map(|e| e.key).collect()
    }
}
