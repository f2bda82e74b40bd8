//! `Value`: what a variable holds. Small ints, floats, bools and `None` are unboxed; strings
//! and every other object live behind one reference-counted pointer.

use crate::object::{Object, Payload};
use crate::str::Str;
use std::rc::Rc;

/// A reference to a heap object.
pub type Obj = Rc<Object>;

/// A Python value. At most 16 bytes (tested), cheap to clone.
#[derive(Clone, Default)]
pub enum Value {
    /// `None`.
    #[default]
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An int that fits in 64 bits; larger ones are `Obj` with an `Int` payload.
    Int(i64),
    /// A float.
    Float(f64),
    /// A `str` (exactly; instances of `str` subclasses are `Obj`).
    Str(Rc<Str>),
    /// Any other object.
    Obj(Obj),
}

impl Value {
    /// A new `str` value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(Rc::new(Str::new(s.into())))
    }

    /// The heap object, if this is one.
    #[inline]
    pub fn as_obj(&self) -> Option<&Obj> {
        match self {
            Value::Obj(o) => Some(o),
            _ => None,
        }
    }

    /// The payload of a heap object.
    #[inline]
    pub fn payload(&self) -> Option<&Payload> {
        match self {
            Value::Obj(o) => Some(&o.payload),
            _ => None,
        }
    }

    /// The string, for `str` values and instances of `str` subclasses.
    #[inline]
    pub fn as_str(&self) -> Option<&Rc<Str>> {
        match self {
            Value::Str(s) => Some(s),
            Value::Obj(o) => match &o.payload {
                Payload::Str(s) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    /// True for `None`.
    #[inline]
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// Identity (`is`): same unboxed value or same object.
    pub fn is(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            // Unboxed floats have no identity: equal bits count as the same object.
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Str(a), Value::Str(b)) => Rc::ptr_eq(a, b) || (a.len() <= 1 && a == b),
            (Value::Obj(a), Value::Obj(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// An identity number for `id()` and default reprs.
    pub fn id(&self) -> usize {
        match self {
            Value::Str(s) => Rc::as_ptr(s) as usize,
            Value::Obj(o) => Rc::as_ptr(o) as usize,
            Value::None => 0x1000,
            Value::Bool(b) => 0x1010 + *b as usize * 16,
            Value::Int(i) => 0x2000_0000_0000usize.wrapping_add((*i as usize).wrapping_mul(32)),
            Value::Float(f) => 0x4000_0000_0000usize.wrapping_add(f.to_bits() as usize),
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::str(v)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::str(v)
    }
}

impl From<Obj> for Value {
    fn from(v: Obj) -> Value {
        Value::Obj(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_at_most_16_bytes() {
        assert!(std::mem::size_of::<Value>() <= 16);
    }
}
