//! Hashing and hash tables that reproduce CPython 3.11 exactly: its hash values for
//! numbers, tuples and frozensets, and its set table, so that iterating or printing a set
//! gives CPython's order.
//!
//! - [`hash`]: `hash()` of ints, floats, complex numbers, tuples, frozensets, str, bytes.
//! - [`SetTable`]: `Objects/setobject.c`'s table, with the set algebra in `set_ops.rs`.

pub mod hash;
mod set_ops;
mod set_table;

#[cfg(test)]
mod cpython_cases;

pub use set_table::{Lookup, LookupStep, SetTable, LINEAR_PROBES, MIN_SIZE, PERTURB_SHIFT};
