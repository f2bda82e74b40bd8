//! aio's virtual machine: symbol tables, the bytecode compiler, heap-allocated frames, the
//! interpreter loop, the event-loop core and the embedding API.
//!
//! This crate is the next layer to be built (issue "Compiler and stackless VM"); until then
//! it holds nothing but its place in the workspace, and `aio FILE` stops after parsing.

pub mod table;
