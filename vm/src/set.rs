//! `SetData`: the body of `set` and `frozenset` — CPython's set hash table
//! ([`crate::table::SetTable`]), so iteration order matches CPython's. Lookups go through
//! the VM (`containers.rs`) because key equality can run Python code.

use crate::table::SetTable;
use crate::value::Value;

/// The elements of a set.
#[derive(Default)]
pub struct SetData {
    /// The hash table.
    pub table: SetTable<Value>,
}

impl Clone for SetData {
    fn clone(&self) -> SetData {
        SetData {
            table: self.table.copy(),
        }
    }
}

impl SetData {
    /// An empty set.
    pub fn new() -> SetData {
        SetData::default()
    }

    /// A set with this table.
    pub fn from_table(table: SetTable<Value>) -> SetData {
        SetData { table }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// The element in slot `pos`.
    pub fn key_at(&self, pos: usize) -> Option<&Value> {
        self.table.key_at(pos)
    }

    /// Removes an arbitrary element (CPython's `set.pop` order).
    pub fn pop(&mut self) -> Option<Value> {
        self.table.pop()
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.table.clear();
    }

    /// Number of slots; iterate `0..positions()` with [`SetData::key_at`].
    pub fn positions(&self) -> usize {
        self.table.capacity()
    }

    /// The elements in iteration order.
    pub fn iter(&self) -> impl Iterator<Item = &Value> {
        self.table.iter()
    }

    /// The elements with their hashes.
    pub fn entries(&self) -> impl Iterator<Item = (i64, &Value)> {
        self.table.entries()
    }

    /// Mutation counter.
    pub fn version(&self) -> u64 {
        self.table.version()
    }

    /// Moves every element out (cycle collection).
    pub fn take_all(&mut self) -> Vec<Value> {
        let out: Vec<Value> = self.table.iter().cloned().collect();
        self.table.clear();
        out
    }
}
