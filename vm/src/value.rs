//! `Value`: what a variable holds. Small ints, floats, bools and `None` are unboxed; strings
//! and every other object live behind one reference-counted pointer.

use crate::object::{Object, Payload};
use crate::str::Str;
use std::rc::Rc;

/// A reference to a heap object.
pub type Obj = Rc<Object>;

/// A Python value: 16 bytes (tested), cheap to clone.
///
/// Every payload is one 8-byte word at offset 8 (`Bool` and `Float` are stored as words
/// too), so the compiler treats a `Value` as a pair of scalars: it lives in two registers,
/// is passed and returned in registers, and is moved as two 8-byte words. With a `bool` and
/// an `f64` payload it was an opaque 16-byte aggregate copied through stack temporaries with
/// mixed-width loads and stores, which defeat store-to-load forwarding (a stall of ~15
/// cycles per moved value; core_float ran 2x slower).
///
/// Hosts usually convert values with [`ToValue`](crate::ToValue) /
/// [`FromValue`](crate::FromValue); matching on `Value` is for natives that look at what
/// they got.
///
/// ```
/// use aio_vm::{Value, Vm};
///
/// let mut vm = Vm::new();
/// vm.exec("row = (7, 2.5, 'x', None, True, [1], 10**20)")?;
/// let row: Vec<Value> = vm.get_global("row")?;
/// assert!(matches!(row[0], Value::Int(7)));
/// assert!(matches!(row[1], Value::Float(f) if f.get() == 2.5));
/// assert_eq!(row[2].as_str().unwrap().as_str(), "x");
/// assert!(row[3].is_none());
/// assert!(matches!(row[4], Value::Bool(b) if b.get()));
/// assert!(matches!(Value::bool(false), Value::Bool(aio_vm::value::Bool::FALSE)));
/// assert!(matches!(row[5], Value::Obj(_)));
/// // An int beyond 64 bits is an object.
/// assert!(matches!(row[6], Value::Obj(_)) && vm.type_name(&row[6]) == "int");
///
/// let made: Vec<Value> = vec![
///     3i64.into(),
///     0.5.into(),
///     "s".into(),
///     Value::str(format!("{}!", 1)),
///     Value::float(-1.5),
/// ];
/// vm.set_global("made", made);
/// vm.exec("assert made == [3, 0.5, 's', '1!', -1.5]")?;
/// # Ok::<(), aio_vm::Error>(())
/// ```
#[derive(Clone, Default)]
pub enum Value {
    /// `None`.
    #[default]
    None,
    /// `True` / `False`.
    Bool(Bool),
    /// An int that fits in 64 bits; larger ones are `Obj` with an `Int` payload.
    Int(i64),
    /// A float.
    Float(Float),
    /// A `str` (exactly; instances of `str` subclasses are `Obj`).
    Str(Rc<Str>),
    /// Any other object.
    Obj(Obj),
}

impl Value {
    /// Drops the value, with the test for an unboxed one inline: a plain `drop` of a
    /// `Value` whose kind the compiler cannot see is an out-of-line `drop_in_place` call.
    #[inline(always)]
    pub(crate) fn release(self) {
        if matches!(self, Value::Str(_) | Value::Obj(_)) {
            drop(self);
        } else {
            std::mem::forget(self);
        }
    }
}

/// The payload of [`Value::Bool`]: a `bool` kept in a full word (see [`Value`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(transparent)]
pub struct Bool(u64);

impl Bool {
    /// `True`.
    pub const TRUE: Bool = Bool(1);
    /// `False`.
    pub const FALSE: Bool = Bool(0);

    /// The word for `b`.
    #[inline(always)]
    pub const fn new(b: bool) -> Bool {
        Bool(b as u64)
    }

    /// The `bool` it holds.
    #[inline(always)]
    pub const fn get(self) -> bool {
        self.0 != 0
    }
}

/// The payload of [`Value::Float`]: an `f64` kept as its bits (see [`Value`]).
#[derive(Clone, Copy, Debug)]
#[repr(transparent)]
pub struct Float(u64);

impl Float {
    /// The word for `f`.
    #[inline(always)]
    pub const fn new(f: f64) -> Float {
        Float(f.to_bits())
    }

    /// The `f64` it holds.
    #[inline(always)]
    pub const fn get(self) -> f64 {
        f64::from_bits(self.0)
    }
}

impl Value {
    /// `True` or `False`.
    #[inline(always)]
    pub const fn bool(b: bool) -> Value {
        Value::Bool(Bool::new(b))
    }

    /// A float value.
    #[inline(always)]
    pub const fn float(f: f64) -> Value {
        Value::Float(Float::new(f))
    }

    /// A new `str` value; see the example of [`Value`].
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(Rc::new(Str::new(s.into())))
    }

    /// The `str` of one character (shared for Latin-1, as CPython shares them).
    #[inline]
    pub fn char(c: char) -> Value {
        Value::Str(crate::str::char_str(c))
    }

    /// A `str` copied from `text` (shared when it is one Latin-1 character): for the
    /// parts a method cuts from a string.
    #[inline]
    pub fn str_from(text: &str) -> Value {
        Value::Str(crate::str::str_of(text))
    }

    /// [`Value::str_from`] for a piece of a string that is ASCII when `ascii` is (the
    /// characters are then not counted).
    #[inline]
    pub(crate) fn str_piece(text: &str, ascii: bool) -> Value {
        if ascii {
            Value::Str(crate::str::ascii_str_of(text))
        } else {
            Value::str_from(text)
        }
    }

    /// The heap object, if this is one; see the example of [`Value::payload`].
    #[inline]
    pub fn as_obj(&self) -> Option<&Obj> {
        match self {
            Value::Obj(o) => Some(o),
            _ => None,
        }
    }

    /// The payload of a heap object: what a native reads a built-in object's contents
    /// through.
    ///
    /// ```
    /// use aio_vm::object::Payload;
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.exec("xs = [1, 2, 3]\nt = (4,)")?;
    /// let xs: Value = vm.get_global("xs")?;
    /// match xs.payload() {
    ///     Some(Payload::List(items)) => items.borrow_mut().push(Value::Int(4)),
    ///     _ => unreachable!("a list"),
    /// }
    /// vm.exec("assert xs == [1, 2, 3, 4]")?;
    /// let t: Value = vm.get_global("t")?;
    /// assert!(matches!(t.payload(), Some(Payload::Tuple(items)) if items.len() == 1));
    /// assert!(t.as_obj().is_some());
    /// assert!(Value::Int(1).payload().is_none() && Value::Int(1).as_obj().is_none());
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    #[inline]
    pub fn payload(&self) -> Option<&Payload> {
        match self {
            Value::Obj(o) => Some(&o.payload),
            _ => None,
        }
    }

    /// The string, for `str` values and instances of `str` subclasses; see the example of
    /// [`Value`].
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

    /// True for `None`; see the example of [`Value`].
    #[inline]
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// Identity (`is`): same unboxed value or same object.
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.exec("a = [1]\nb = a\nc = [1]")?;
    /// let [a, b, c] = ["a", "b", "c"].map(|n| vm.get_global::<Value>(n).unwrap());
    /// assert!(a.is(&b) && !a.is(&c));
    /// assert_eq!(a.id(), b.id());
    /// assert_ne!(a.id(), c.id());
    /// assert!(Value::None.is(&Value::None) && Value::Int(5).is(&Value::Int(5)));
    /// vm.set_global("a2", a.clone());
    /// vm.exec("assert a2 is a and id(a2) == id(b)")?;
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn is(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            // Unboxed floats have no identity: equal bits count as the same object.
            (Value::Float(a), Value::Float(b)) => a.get().to_bits() == b.get().to_bits(),
            (Value::Str(a), Value::Str(b)) => Rc::ptr_eq(a, b) || (a.len() <= 1 && a == b),
            (Value::Obj(a), Value::Obj(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// An identity number for `id()` and default reprs; see the example of [`Value::is`].
    pub fn id(&self) -> usize {
        match self {
            Value::Str(s) => Rc::as_ptr(s) as usize,
            Value::Obj(o) => Rc::as_ptr(o) as usize,
            Value::None => 0x1000,
            Value::Bool(b) => 0x1010 + b.get() as usize * 16,
            Value::Int(i) => 0x2000_0000_0000usize.wrapping_add((*i as usize).wrapping_mul(32)),
            Value::Float(f) => 0x4000_0000_0000usize.wrapping_add(f.get().to_bits() as usize),
        }
    }
}

/// For hosts' `unwrap`s and test failures: unboxed values as their variant, objects as
/// CPython's default repr (`<list object at 0x...>`). Scripts see `repr()`, not this.
impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::None => f.write_str("None"),
            Value::Bool(b) => write!(f, "Bool({})", b.get()),
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Float(x) => write!(f, "Float({:?})", x.get()),
            Value::Str(s) => write!(f, "Str({:?})", s.as_str()),
            Value::Obj(o) => write!(f, "Obj({o:?})"),
        }
    }
}

/// `<TYPE object at 0x...>`, as CPython's default repr (see `Debug` for [`Value`]).
impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = self
            .class_raw()
            .map(crate::types::type_name)
            .unwrap_or_else(|| "?".to_string());
        write!(f, "<{name} object at {:p}>", self as *const Object)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::bool(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::float(v)
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
    fn debug_shows_the_variant_or_the_type() {
        assert_eq!(format!("{:?}", Value::bool(true)), "Bool(true)");
        assert_eq!(format!("{:?}", Value::float(0.5)), "Float(0.5)");
        assert_eq!(format!("{:?}", Value::str("a\"b")), "Str(\"a\\\"b\")");
        let vm = crate::Vm::new();
        let l = format!("{:?}", vm.new_list(vec![]));
        assert!(
            l.starts_with("Obj(<list object at 0x") && l.ends_with(">)"),
            "{l}"
        );
    }

    #[test]
    fn value_is_at_most_16_bytes() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
        // The tag's spare values are niches: results and options of values stay 16 bytes.
        assert_eq!(std::mem::size_of::<Option<Value>>(), 16);
        assert_eq!(std::mem::size_of::<Result<Value, Obj>>(), 16);
    }
}
