//! Operators: binary and in-place arithmetic with the reflected-operand protocol and
//! `NotImplemented`, rich comparisons, truth, membership, hashing and equality, and
//! subscription — fast native paths for built-in types, dunder calls for user classes.

use crate::code::{BinOp, CmpOp, UnaryOp};
use crate::num::{self, Num};
use crate::object::Payload;
use crate::str::Str;
use crate::types::{is_subtype, lookup};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::cmp::Ordering;
use std::rc::Rc;

/// Whether an ordering satisfies a comparison operator.
#[inline]
pub fn cmp_ord(o: Ordering, op: CmpOp) -> bool {
    match op {
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Eq => o == Ordering::Equal,
        CmpOp::Ne => o != Ordering::Equal,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
    }
}

/// Whether `v` holds a built-in sequence that concatenates and repeats by itself (C's
/// `sq_concat`/`sq_repeat`): a str, list, tuple, bytes or bytearray payload.
pub fn builtin_sequence(v: &Value) -> bool {
    matches!(v, Value::Str(_))
        || matches!(
            v.payload(),
            Some(
                Payload::List(_)
                    | Payload::Tuple(_)
                    | Payload::Str(_)
                    | Payload::Bytes(_)
                    | Payload::ByteArray(_)
            )
        )
}

impl Vm {
    /// True when `v`'s class was defined in aio (its dunders are looked up dynamically).
    #[inline]
    pub(crate) fn is_heap(&self, v: &Value) -> bool {
        match v {
            Value::Obj(o) => o
                .class_raw()
                .and_then(|c| c.as_type())
                .is_some_and(|t| t.heap),
            _ => false,
        }
    }

    /// `a op b`, with the reflected-operand protocol (`__add__`, then `__radd__`) and
    /// Python's arbitrary-precision ints.
    ///
    /// ```
    /// use aio_vm::code::{BinOp, CmpOp, UnaryOp};
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.exec(
    ///     "class Money:\n\
    ///      \x20   def __init__(self, cents):\n\
    ///      \x20       self.cents = cents\n\
    ///      \x20   def __add__(self, other):\n\
    ///      \x20       return Money(self.cents + other.cents)\n\
    ///      \x20   def __lt__(self, other):\n\
    ///      \x20       return self.cents < other.cents\n",
    /// )?;
    /// let a: Value = vm.call_function("Money", (150,))?;
    /// let b: Value = vm.call_function("Money", (250,))?;
    /// let cents = vm.intern("cents");
    /// vm.guarded(|vm| {
    ///     let sum = vm.binary_op(&a, &b, BinOp::Add)?;
    ///     assert!(matches!(vm.get_attr(&sum, &cents)?, Value::Int(400)));
    ///     assert!(matches!(vm.compare(&a, &b, CmpOp::Lt)?, Value::Bool(b) if b.get()));
    ///     // `a > b` is answered by `b.__lt__(a)`.
    ///     assert!(matches!(vm.compare(&a, &b, CmpOp::Gt)?, Value::Bool(b) if !b.get()));
    ///     let big = vm.binary_op(&Value::Int(1 << 62), &Value::Int(4), BinOp::Mul)?;
    ///     assert_eq!(vm.repr(&big)?.as_str(), "18446744073709551616");
    ///     assert!(matches!(
    ///         vm.unary_op(&Value::Int(5), UnaryOp::Invert)?,
    ///         Value::Int(-6)
    ///     ));
    ///     // `+=` on a list extends it in place.
    ///     let xs = vm.new_list(vec![Value::Int(1)]);
    ///     let more = vm.new_list(vec![Value::Int(2)]);
    ///     let same = vm.inplace_op(xs.clone(), &more, BinOp::Add)?;
    ///     assert!(same.is(&xs) && vm.len(&xs)? == 2);
    ///     let err = vm
    ///         .binary_op(&Value::Int(1), &Value::str("a"), BinOp::Add)
    ///         .err()
    ///         .unwrap();
    ///     assert_eq!(
    ///         vm.exception_message(&err),
    ///         "unsupported operand type(s) for +: 'int' and 'str'"
    ///     );
    ///     Ok(())
    /// })?;
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn binary_op(&mut self, a: &Value, b: &Value, op: BinOp) -> PyResult {
        let r = if !self.is_heap(a) && !self.is_heap(b) {
            self.native_binary(a, b, op)?
        } else {
            self.binary_protocol(a, b, op)?
        };
        match r {
            Some(v) => Ok(v),
            None => self.sequence_fallback(a, b, op),
        }
    }

    /// What `a op b` does once the numeric protocol gave up: CPython's `sq_repeat` for `*`
    /// (either side) and `sq_concat` for `+` (left side), else the operator's TypeError.
    fn sequence_fallback(&mut self, a: &Value, b: &Value, op: BinOp) -> PyResult {
        match op {
            BinOp::Mul => self.sequence_repeat(a, b),
            BinOp::Add if builtin_sequence(a) => {
                match crate::builtins::sequence_binary(self, a, b, op)? {
                    Some(v) => Ok(v),
                    None => Err(self.binop_type_error(a, b, op)),
                }
            }
            _ => Err(self.binop_type_error(a, b, op)),
        }
    }

    /// The numeric step of `seq += b` / `seq *= b` for a built-in sequence `a` and an
    /// instance `b` of a script class: `b.__radd__(a)` (`__rmul__`) comes before the
    /// sequence's own in-place concatenation, as in CPython's `binary_iop1`. `None` when
    /// that step does not answer (or `a`'s class defines the operator itself, which the
    /// general path calls first).
    fn sequence_inplace_reflected(
        &mut self,
        a: &Value,
        b: &Value,
        op: BinOp,
    ) -> PyResult<Option<Value>> {
        let ca = self.class_of(a).clone();
        let cb = self.class_of(b).clone();
        if Rc::ptr_eq(&ca, &cb) {
            return Ok(None);
        }
        if self.is_heap(a) {
            for name in [op.idunder(), op.dunder()] {
                if let Some(f) = self.lookup_dunder(&ca, name) {
                    // A subclass's inherited `__iadd__` (`list.__iadd__`) is called as a
                    // number slot (CPython's `slot_nb_inplace_add`); `__imul__` is not.
                    let inherited_iadd = op == BinOp::Add && name == op.idunder();
                    if inherited_iadd || !Self::is_sequence_slot(a, &f, op) {
                        return Ok(None);
                    }
                }
            }
        }
        let Some(f) = self
            .lookup_dunder(&cb, op.rdunder())
            .filter(|f| !Self::is_sequence_slot(b, f, op))
        else {
            return Ok(None);
        };
        let r = self.call_slot(&f, &[b.clone(), a.clone()])?;
        if !r.is(&self.not_implemented) {
            return Ok(Some(r));
        }
        let mutable = matches!(a.payload(), Some(Payload::List(_) | Payload::ByteArray(_)));
        if mutable {
            Ok(None)
        } else {
            self.sequence_fallback(a, b, op).map(Some)
        }
    }

    /// Whether `f`, found as `v`'s `+`/`*` dunder, is a built-in sequence's own concatenation
    /// or repetition method: CPython's `sq_concat`/`sq_repeat`, which the numeric protocol
    /// does not call (it tries the other operand's reflected method first).
    fn is_sequence_slot(v: &Value, f: &Value, op: BinOp) -> bool {
        matches!(op, BinOp::Add | BinOp::Mul)
            && builtin_sequence(v)
            && matches!(f.payload(), Some(Payload::Native(_)))
    }

    /// The sequence fallback of `*` once the numeric protocol gave up (CPython's
    /// `sq_repeat`): the count may be any object with `__index__`.
    pub(crate) fn sequence_repeat(&mut self, a: &Value, b: &Value) -> PyResult {
        let (seq, count) = if builtin_sequence(a) {
            (a, b)
        } else if builtin_sequence(b) {
            (b, a)
        } else {
            return Err(self.binop_type_error(a, b, BinOp::Mul));
        };
        if !crate::builtins::int::is_index(self, count) {
            return Err(self.new_type_error(format!(
                "can't multiply sequence by non-int of type '{}'",
                self.type_name(count)
            )));
        }
        let n = crate::builtins::int::repeat_count(self, count)? as i64;
        match crate::builtins::repeat(self, seq, n)? {
            Some(v) => Ok(v),
            None => Err(self.binop_type_error(a, b, BinOp::Mul)),
        }
    }

    /// The TypeError of `a op b` when no method answers, in CPython's words per type.
    pub(crate) fn binop_type_error(&self, a: &Value, b: &Value, op: BinOp) -> Obj {
        if op == BinOp::Add && matches!(a, Value::Str(_)) && !matches!(b, Value::Str(_)) {
            return self.new_type_error(format!(
                "can only concatenate str (not \"{}\") to str",
                self.type_name(b)
            ));
        }
        if op == BinOp::Add
            && matches!(a.payload(), Some(Payload::List(_)))
            && !matches!(b.payload(), Some(Payload::List(_)))
        {
            return self.new_type_error(format!(
                "can only concatenate list (not \"{}\") to list",
                self.type_name(b)
            ));
        }
        if op == BinOp::Add
            && matches!(a.payload(), Some(Payload::Tuple(_)))
            && !matches!(b.payload(), Some(Payload::Tuple(_)))
        {
            return self.new_type_error(format!(
                "can only concatenate tuple (not \"{}\") to tuple",
                self.type_name(b)
            ));
        }
        let is_bytes =
            |v: &Value| matches!(v.payload(), Some(Payload::Bytes(_) | Payload::ByteArray(_)));
        if op == BinOp::Add && is_bytes(a) && !is_bytes(b) {
            return self.new_type_error(format!(
                "can't concat {} to {}",
                self.type_name(b),
                self.type_name(a)
            ));
        }
        let sym = if op == BinOp::Pow {
            "** or pow()"
        } else {
            op.symbol()
        };
        self.new_type_error(format!(
            "unsupported operand type(s) for {}: '{}' and '{}'",
            sym,
            self.type_name(a),
            self.type_name(b)
        ))
    }

    /// The dunder protocol: `a.__op__(b)`, then `b.__rop__(a)` (first when `b`'s class is a
    /// proper subclass of `a`'s that overrides it).
    fn binary_protocol(&mut self, a: &Value, b: &Value, op: BinOp) -> PyResult<Option<Value>> {
        let ca = self.class_of(a).clone();
        let cb = self.class_of(b).clone();
        let fa = self
            .lookup_dunder(&ca, op.dunder())
            .filter(|f| !Self::is_sequence_slot(a, f, op));
        let same = Rc::ptr_eq(&ca, &cb);
        let fb = if same {
            None
        } else {
            self.lookup_dunder(&cb, op.rdunder())
                .filter(|f| !Self::is_sequence_slot(b, f, op))
        };
        let mut fb = fb;
        if let Some(rb) = &fb {
            if is_subtype(&cb, &ca) && !Rc::ptr_eq(&ca, &cb) {
                let ra = self.lookup_dunder(&ca, op.rdunder());
                let overrides = match &ra {
                    Some(ra) => !ra.is(rb),
                    None => true,
                };
                if overrides {
                    let r = self.call_slot(rb, &[b.clone(), a.clone()])?;
                    if !r.is(&self.not_implemented) {
                        return Ok(Some(r));
                    }
                    fb = None;
                }
            }
        }
        if let Some(fa) = fa {
            let r = self.call_slot(&fa, &[a.clone(), b.clone()])?;
            if !r.is(&self.not_implemented) {
                return Ok(Some(r));
            }
        }
        if let Some(fb) = fb {
            let r = self.call_slot(&fb, &[b.clone(), a.clone()])?;
            if !r.is(&self.not_implemented) {
                return Ok(Some(r));
            }
        }
        Ok(None)
    }

    pub(crate) fn lookup_dunder(&mut self, cls: &Obj, name: &str) -> Option<Value> {
        let n = self.intern(name);
        self.lookup(cls, &n)
    }

    /// Operators on built-in types; `None` when not supported.
    pub(crate) fn native_binary(
        &mut self,
        a: &Value,
        b: &Value,
        op: BinOp,
    ) -> PyResult<Option<Value>> {
        if let (Some(x), Some(y)) = (num::num(a), num::num(b)) {
            if let (Value::Bool(p), Value::Bool(q)) = (a, b) {
                match op {
                    BinOp::And => return Ok(Some(Value::bool(p.get() & q.get()))),
                    BinOp::Or => return Ok(Some(Value::bool(p.get() | q.get()))),
                    BinOp::Xor => return Ok(Some(Value::bool(p.get() ^ q.get()))),
                    _ => {}
                }
            }
            return num::binary(self, &x, &y, op);
        }
        if op == BinOp::Or && (is_class(a) || is_class(b)) {
            // `int | None`: `type.__or__` / `type.__ror__` (PEP 604).
            let r = crate::builtins::union_or(self, a, b)?;
            return Ok((!r.is(&self.not_implemented)).then_some(r));
        }
        crate::builtins::sequence_binary(self, a, b, op)
    }

    /// `a op= b`: `__iop__` first, then the binary operator. See the example of
    /// [`Vm::binary_op`].
    pub fn inplace_op(&mut self, a: Value, b: &Value, op: BinOp) -> PyResult {
        if matches!(op, BinOp::Add | BinOp::Mul) && self.is_heap(b) && builtin_sequence(&a) {
            if let Some(r) = self.sequence_inplace_reflected(&a, b, op)? {
                return Ok(r);
            }
        }
        if let Value::Obj(o) = &a {
            match (&o.payload, op) {
                (Payload::List(l), BinOp::Add) if !self.is_heap(&a) => {
                    let items = self.collect(b)?;
                    l.borrow_mut().extend(items);
                    return Ok(a);
                }
                (Payload::List(l), BinOp::Mul)
                    if !self.is_heap(&a) && crate::builtins::int::is_index(self, b) =>
                {
                    // `l *= n` repeats in place, keeping the list's identity.
                    let n = crate::builtins::int::repeat_count(self, b)?;
                    let orig = l.borrow().clone();
                    let mut items = l.borrow_mut();
                    items.clear();
                    if crate::builtins::reserve(&mut items, orig.len(), n).is_err() {
                        drop(items);
                        return Err(self.new_exception(&self.exc.memory_error.clone(), vec![]));
                    }
                    for _ in 0..n {
                        items.extend(orig.iter().cloned());
                    }
                    drop(items);
                    return Ok(a);
                }
                (Payload::Set(_), BinOp::Or | BinOp::And | BinOp::Sub | BinOp::Xor)
                    if !self.is_heap(&a) && Rc::ptr_eq(o.class_raw().unwrap(), &self.types.set) =>
                {
                    return crate::builtins::set_inplace(self, &a, b, op);
                }
                (Payload::ByteArray(_), BinOp::Add | BinOp::Mul) if !self.is_heap(&a) => {
                    if let Some(v) = crate::builtins::bytearray_inplace(self, &a, b, op)? {
                        return Ok(v);
                    }
                }
                (Payload::Dict(_), BinOp::Or) if !self.is_heap(&a) => {
                    crate::builtins::dict_update_arg(self, o, b)?;
                    return Ok(a);
                }
                _ => {}
            }
        }
        if self.is_heap(&a) {
            let cls = self.class_of(&a).clone();
            // An inherited `list.__imul__` is `sq_inplace_repeat`: it runs only for a count.
            let f = self.lookup_dunder(&cls, op.idunder()).filter(|f| {
                op != BinOp::Mul
                    || !Self::is_sequence_slot(&a, f, op)
                    || crate::builtins::int::is_index(self, b)
            });
            if let Some(f) = f {
                let r = self.call_slot(&f, &[a.clone(), b.clone()])?;
                if !r.is(&self.not_implemented) {
                    return Ok(r);
                }
            }
        }
        match self.binary_op(&a, b, op) {
            Err(e) => {
                // CPython words in-place failures with `+=`.
                if self.is_instance_of(&e, &self.exc.type_error.clone()) {
                    let msg = self.exception_message(&e);
                    if msg.starts_with("unsupported operand type(s) for ") {
                        let fixed = msg.replacen(
                            &format!(
                                "for {}:",
                                if op == BinOp::Pow {
                                    "** or pow()"
                                } else {
                                    op.symbol()
                                }
                            ),
                            &format!("for {}=:", op.symbol()),
                            1,
                        );
                        return Err(self.new_type_error(fixed));
                    }
                }
                Err(e)
            }
            ok => ok,
        }
    }

    /// `-a`, `+a`, `~a`, `not a`. See the example of [`Vm::binary_op`].
    pub fn unary_op(&mut self, a: &Value, op: UnaryOp) -> PyResult {
        if !self.is_heap(a) {
            match (num::num(a), op) {
                (Some(Num::Int(i)), UnaryOp::Neg) => {
                    return Ok(match i.checked_neg() {
                        Some(v) => Value::Int(v),
                        None => num::int_value(self, -num_bigint::BigInt::from(i)),
                    })
                }
                (Some(Num::Big(b)), UnaryOp::Neg) => return Ok(num::int_value(self, -b.clone())),
                (Some(Num::Float(f)), UnaryOp::Neg) => return Ok(Value::float(-f)),
                (Some(Num::Int(i)), UnaryOp::Pos) => return Ok(Value::Int(i)),
                (Some(Num::Big(b)), UnaryOp::Pos) => return Ok(num::int_value(self, b.clone())),
                (Some(Num::Float(f)), UnaryOp::Pos) => return Ok(Value::float(f)),
                (Some(Num::Int(i)), UnaryOp::Invert) => return Ok(Value::Int(!i)),
                (Some(Num::Big(b)), UnaryOp::Invert) => {
                    return Ok(num::int_value(self, -b.clone() - 1))
                }
                _ => {}
            }
            if let Some(v) = crate::builtins::complex::unary(self, a, op) {
                return Ok(v);
            }
        }
        let name = match op {
            UnaryOp::Neg => "__neg__",
            UnaryOp::Pos => "__pos__",
            UnaryOp::Invert => "__invert__",
            UnaryOp::Not => unreachable!(),
        };
        let cls = self.class_of(a).clone();
        if let Some(f) = self.lookup_dunder(&cls, name) {
            return self.call_slot(&f, std::slice::from_ref(a));
        }
        let sym = match op {
            UnaryOp::Neg => "-",
            UnaryOp::Pos => "+",
            _ => "~",
        };
        Err(self.new_type_error(format!(
            "bad operand type for unary {}: '{}'",
            sym,
            self.type_name(a)
        )))
    }

    /// Truth value (`bool(v)`: `__bool__`, then `__len__`).
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.exec("stock = {'apple': 3, 'pear': 0}\nempty = []")?;
    /// let stock: Value = vm.get_global("stock")?;
    /// let empty: Value = vm.get_global("empty")?;
    /// vm.guarded(|vm| {
    ///     assert!(vm.is_true(&stock)? && !vm.is_true(&empty)?);
    ///     assert_eq!(vm.len(&stock)?, 2);
    ///     assert!(vm.contains(&stock, &Value::str("pear"))?);
    ///     assert!(!vm.contains(&stock, &Value::str("plum"))?);
    ///     // Python's equality and hashing: 1 == 1.0, and equal numbers hash alike.
    ///     assert!(vm.eq(&Value::Int(1), &Value::float(1.0))?);
    ///     assert_eq!(vm.hash(&Value::Int(1))?, vm.hash(&Value::float(1.0))?);
    ///     assert_eq!(vm.hash(&Value::Int(-1))?, -2);
    ///     let err = vm.hash(&empty).err().unwrap();
    ///     assert_eq!(vm.exception_message(&err), "unhashable type: 'list'");
    ///     Ok(())
    /// })?;
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    #[inline]
    pub fn is_true(&mut self, v: &Value) -> PyResult<bool> {
        match v {
            Value::Bool(b) => Ok(b.get()),
            Value::None => Ok(false),
            Value::Int(i) => Ok(*i != 0),
            _ => self.is_true_other(v),
        }
    }

    /// [`Vm::is_true`] past booleans, `None` and small ints.
    #[inline(never)]
    fn is_true_other(&mut self, v: &Value) -> PyResult<bool> {
        Ok(match v {
            Value::None => false,
            Value::Bool(b) => b.get(),
            Value::Int(i) => *i != 0,
            Value::Float(f) => f.get() != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Obj(o) => {
                if self.is_heap(v) {
                    let cls = self.class_of(v).clone();
                    if let Some(f) = self.lookup(&cls, &self.names.__bool__.clone()) {
                        let r = self.call_slot(&f, std::slice::from_ref(v))?;
                        return match r {
                            Value::Bool(b) => Ok(b.get()),
                            _ => Err(self.new_type_error(format!(
                                "__bool__ should return bool, returned {}",
                                self.type_name(&r)
                            ))),
                        };
                    }
                    if let Some(f) = self.lookup(&cls, &self.names.__len__.clone()) {
                        let r = self.call_slot(&f, std::slice::from_ref(v))?;
                        return Ok(self.len_result(r)? != 0);
                    }
                }
                match &o.payload {
                    Payload::List(l) => !l.borrow().is_empty(),
                    Payload::Tuple(t) => !t.is_empty(),
                    Payload::Dict(d) => !d.borrow().is_empty(),
                    Payload::Set(s) => !s.borrow().is_empty(),
                    Payload::Str(s) => !s.is_empty(),
                    Payload::Bytes(b) => !b.is_empty(),
                    Payload::ByteArray(b) => !b.borrow().is_empty(),
                    Payload::Int(b) => !num_traits::Zero::is_zero(b),
                    Payload::Float(f) => *f != 0.0,
                    Payload::Range(r) => crate::builtins::range_len(r) != 0,
                    Payload::BigRange(r) => {
                        !num_traits::Zero::is_zero(&crate::builtins::big_range::len(r))
                    }
                    Payload::Complex(re, im) => *re != 0.0 || *im != 0.0,
                    _ => true,
                }
            }
        })
    }

    /// Converts a `__len__` result to a length.
    pub(crate) fn len_result(&mut self, r: Value) -> PyResult<usize> {
        match num::num(&r) {
            Some(Num::Int(i)) if i >= 0 => Ok(i as usize),
            Some(Num::Int(_)) | Some(Num::Big(_)) if matches!(num::num(&r), Some(Num::Int(i)) if i < 0) => {
                Err(self.new_value_error("__len__() should return >= 0"))
            }
            Some(Num::Big(_)) => {
                Err(self.new_overflow_error("cannot fit 'int' into an index-sized integer"))
            }
            _ => Err(self.new_type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                self.type_name(&r)
            ))),
        }
    }

    /// `len(v)`; see the example of [`Vm::is_true`].
    pub fn len(&mut self, v: &Value) -> PyResult<usize> {
        if self.is_heap(v) {
            let cls = self.class_of(v).clone();
            if let Some(f) = self.lookup(&cls, &self.names.__len__.clone()) {
                let r = self.call_slot(&f, std::slice::from_ref(v))?;
                return self.len_result(r);
            }
        }
        match v {
            Value::Str(s) => Ok(s.len()),
            Value::Obj(o) => match &o.payload {
                Payload::List(l) => Ok(l.borrow().len()),
                Payload::Tuple(t) => Ok(t.len()),
                Payload::Dict(d) => Ok(d.borrow().len()),
                Payload::Set(s) => Ok(s.borrow().len()),
                Payload::Str(s) => Ok(s.len()),
                Payload::Bytes(b) => Ok(b.len()),
                Payload::ByteArray(b) => Ok(b.borrow().len()),
                Payload::Range(r) => Ok(crate::builtins::range_len(r) as usize),
                Payload::BigRange(r) => crate::builtins::big_range::len_checked(self, r),
                _ => crate::builtins::payload_len(self, v),
            },
            _ => Err(self.new_type_error(format!(
                "object of type '{}' has no len()",
                self.type_name(v)
            ))),
        }
    }

    /// `a op b` for comparisons, returning the result object (not necessarily a bool); see
    /// the example of [`Vm::binary_op`].
    pub fn compare(&mut self, a: &Value, b: &Value, op: CmpOp) -> PyResult {
        if !self.is_heap(a) && !self.is_heap(b) {
            if let Some(r) = self.native_compare(a, b, op)? {
                return Ok(Value::bool(r));
            }
        } else if let Some(r) = self.compare_protocol(a, b, op)? {
            return Ok(r);
        }
        // Defaults: identity for == and !=.
        match op {
            CmpOp::Eq => Ok(Value::bool(a.is(b))),
            CmpOp::Ne => Ok(Value::bool(!a.is(b))),
            _ => Err(self.new_type_error(format!(
                "'{}' not supported between instances of '{}' and '{}'",
                op.symbol(),
                self.type_name(a),
                self.type_name(b)
            ))),
        }
    }

    fn compare_protocol(&mut self, a: &Value, b: &Value, op: CmpOp) -> PyResult<Option<Value>> {
        let ca = self.class_of(a).clone();
        let cb = self.class_of(b).clone();
        let reflected = op.swapped();
        let swap_first = !Rc::ptr_eq(&ca, &cb) && is_subtype(&cb, &ca);
        let order: [(bool, &Value, &Value, CmpOp); 2] = if swap_first {
            [(true, b, a, reflected), (false, a, b, op)]
        } else {
            [(false, a, b, op), (true, b, a, reflected)]
        };
        for (_, x, y, o) in order {
            let cx = self.class_of(x).clone();
            if self.is_heap(x) {
                let name = self.cmp_name(o);
                let found = self
                    .lookup(&cx, &name)
                    .filter(|f| !self.is_object_default_cmp(f));
                if let Some(f) = found {
                    let r = self.call_slot(&f, &[x.clone(), y.clone()])?;
                    if !r.is(&self.not_implemented) {
                        return Ok(Some(r));
                    }
                    continue;
                }
                if o == CmpOp::Ne {
                    let eq = self
                        .lookup(&cx, &self.names.__eq__.clone())
                        .filter(|f| !self.is_object_default_cmp(f));
                    if let Some(f) = eq {
                        let r = self.call_slot(&f, &[x.clone(), y.clone()])?;
                        if !r.is(&self.not_implemented) {
                            let t = self.is_true(&r)?;
                            return Ok(Some(Value::bool(!t)));
                        }
                        continue;
                    }
                }
            }
            // A built-in operand (or built-in base layout).
            if let Some(r) = self.native_compare_one(x, y, o)? {
                return Ok(Some(Value::bool(r)));
            }
        }
        Ok(None)
    }

    /// The interned name of `op`'s special method.
    fn cmp_name(&self, op: CmpOp) -> Rc<Str> {
        let n = &self.names;
        match op {
            CmpOp::Lt => n.__lt__.clone(),
            CmpOp::Le => n.__le__.clone(),
            CmpOp::Eq => n.__eq__.clone(),
            CmpOp::Ne => n.__ne__.clone(),
            CmpOp::Gt => n.__gt__.clone(),
            CmpOp::Ge => n.__ge__.clone(),
        }
    }

    fn native_compare_one(&mut self, x: &Value, y: &Value, op: CmpOp) -> PyResult<Option<bool>> {
        if matches!(x.payload(), Some(Payload::Plain | Payload::Slots(_))) {
            // An instance without a built-in base has no native comparison.
            return Ok(None);
        }
        if self.is_heap(y) && !self.is_heap(x) {
            // Compare with the built-in base of y only when x's type handles it natively.
            return self.native_compare(x, y, op);
        }
        self.native_compare(x, y, op)
    }

    /// Comparisons between built-in values; `None` when not comparable.
    pub(crate) fn native_compare(
        &mut self,
        a: &Value,
        b: &Value,
        op: CmpOp,
    ) -> PyResult<Option<bool>> {
        if let (Some(x), Some(y)) = (num::num(a), num::num(b)) {
            return Ok(Some(match num::compare(&x, &y) {
                Some(o) => cmp_ord(o, op),
                None => op == CmpOp::Ne,
            }));
        }
        if let (Some(x), Some(y)) = (a.as_str(), b.as_str()) {
            return Ok(Some(cmp_ord(x.as_str().cmp(y.as_str()), op)));
        }
        crate::builtins::container_compare(self, a, b, op)
    }

    /// `a == b` as a bool; see the example of [`Vm::is_true`].
    pub fn eq(&mut self, a: &Value, b: &Value) -> PyResult<bool> {
        match (a, b) {
            (Value::Int(x), Value::Int(y)) => return Ok(x == y),
            (Value::Str(x), Value::Str(y)) => {
                return Ok(Rc::ptr_eq(x, y) || x.as_str() == y.as_str())
            }
            _ => {}
        }
        if a.is(b) && !matches!(a, Value::Float(_)) {
            return Ok(true);
        }
        let r = self.compare(a, b, CmpOp::Eq)?;
        match r {
            Value::Bool(b) => Ok(b.get()),
            other => self.is_true(&other),
        }
    }

    /// Whether `v`'s class is the one whose `__hash__` was last found to be `object`'s in
    /// this class epoch (`Vm::identity_hash_class`): the dict an event loop keys by loop,
    /// or a set of plain instances, then hashes without an MRO lookup.
    #[inline]
    fn hashes_by_identity(&self, v: &Value) -> bool {
        let cls = self.class_of(v);
        self.identity_hash_class.get() == (Rc::as_ptr(cls) as usize, crate::types::type_epoch())
    }

    /// `hash(v)`, equal to CPython's for numbers; see the example of [`Vm::is_true`].
    pub fn hash(&mut self, v: &Value) -> PyResult<i64> {
        match v {
            Value::None => Ok(0xFCA86420),
            Value::Bool(b) => Ok(b.get() as i64),
            Value::Int(i) => Ok(crate::hashing::hash_i64(*i)),
            Value::Float(f) => Ok(crate::hashing::hash_f64(f.get(), v.id())),
            Value::Str(s) => Ok(s.hash()),
            Value::Obj(o) => {
                if self.is_heap(v) && !self.hashes_by_identity(v) {
                    let cls = self.class_of(v).clone();
                    match self.lookup(&cls, &self.names.__hash__.clone()) {
                        Some(Value::None) => return Err(self.unhashable(v)),
                        Some(f) if !crate::attr::is_native_of(&f, "object") => {
                            let r = self.call_slot(&f, std::slice::from_ref(v))?;
                            return match num::num(&r) {
                                Some(Num::Int(i)) => Ok(if i == -1 { -2 } else { i }),
                                Some(n @ Num::Big(_)) => Ok(num::hash(&n)),
                                _ => {
                                    Err(self
                                        .new_type_error("__hash__ method should return an integer"))
                                }
                            };
                        }
                        _ => {
                            let key = (Rc::as_ptr(&cls) as usize, crate::types::type_epoch());
                            self.identity_hash_class.set(key);
                        }
                    }
                }
                match &o.payload {
                    Payload::Method(m) => {
                        // CPython's meth_hash: the identity of __self__ and the function's hash.
                        let (f, s) = (m.0.clone(), m.1.clone());
                        let hf = self.hash(&f)?;
                        let h = crate::hashing::hash_pointer(s.id()) ^ hf;
                        Ok(if h == -1 { -2 } else { h })
                    }
                    Payload::Str(s) => Ok(s.hash()),
                    Payload::Int(b) => Ok(num::hash(&Num::Big(b))),
                    Payload::Float(f) => Ok(crate::hashing::hash_f64(*f, v.id())),
                    Payload::Complex(re, im) => Ok(crate::hashing::hash_complex(*re, *im, v.id())),
                    Payload::Tuple(items) => {
                        let mut hs = Vec::with_capacity(items.len());
                        for i in items.iter() {
                            hs.push(self.hash(i)?);
                        }
                        Ok(crate::hashing::hash_tuple(hs))
                    }
                    Payload::Bytes(b) => Ok(crate::hashing::hash_bytes(b)),
                    Payload::BigRange(r) => crate::builtins::big_range::hash(self, r),
                    Payload::Range(r) => {
                        // CPython's `range_hash`: equal ranges hash alike, as the tuple
                        // `(len, start, step)` with what `len` makes irrelevant `None`.
                        let len = crate::builtins::range_len(r);
                        let none = self.hash(&Value::None)?;
                        let start = if len == 0 {
                            none
                        } else {
                            self.hash(&Value::Int(r[0]))?
                        };
                        let step = if len <= 1 {
                            none
                        } else {
                            self.hash(&Value::Int(r[2]))?
                        };
                        let len = self.hash(&Value::Int(len))?;
                        Ok(crate::hashing::hash_tuple(vec![len, start, step]))
                    }
                    Payload::List(_)
                    | Payload::Dict(_)
                    | Payload::ByteArray(_)
                    | Payload::Slice(_) => Err(self.unhashable(v)),
                    Payload::Set(_) if Rc::ptr_eq(self.class_of(v), &self.types.set) => {
                        Err(self.unhashable(v))
                    }
                    Payload::Iter(_)
                        if Rc::ptr_eq(self.class_of(v), &self.types.dict_keys)
                            || Rc::ptr_eq(self.class_of(v), &self.types.dict_items) =>
                    {
                        Err(self.unhashable(v))
                    }
                    Payload::Set(s) => {
                        let hs: Vec<i64> = s.borrow().entries().map(|e| e.0).collect();
                        Ok(crate::hashing::hash_frozenset(hs))
                    }
                    _ => Ok((v.id() >> 4) as i64),
                }
            }
        }
    }

    fn unhashable(&self, v: &Value) -> Obj {
        self.new_type_error(format!("unhashable type: '{}'", self.type_name(v)))
    }

    /// `item in container`; see the example of [`Vm::is_true`].
    pub fn contains(&mut self, container: &Value, item: &Value) -> PyResult<bool> {
        if self.is_heap(container) {
            let cls = self.class_of(container).clone();
            if let Some(f) = self.lookup(&cls, &self.names.__contains__.clone()) {
                let r = self.call_slot(&f, &[container.clone(), item.clone()])?;
                return self.is_true(&r);
            }
        }
        match container {
            Value::Str(s) => match item.as_str() {
                Some(x) => Ok(s.as_str().contains(x.as_str())),
                None => Err(self.new_type_error(format!(
                    "'in <string>' requires string as left operand, not {}",
                    self.type_name(item)
                ))),
            },
            Value::Obj(o) => match &o.payload {
                Payload::List(_) | Payload::Tuple(_) => {
                    let mut i = 0;
                    loop {
                        let x = match &o.payload {
                            Payload::List(l) => l.borrow().get(i).cloned(),
                            Payload::Tuple(t) => t.get(i).cloned(),
                            _ => None,
                        };
                        let Some(x) = x else { return Ok(false) };
                        if x.is(item) || self.eq(&x, item)? {
                            return Ok(true);
                        }
                        i += 1;
                    }
                }
                Payload::Dict(_) => Ok(self.dict_lookup(o, item)?.is_some()),
                Payload::Set(_) => self.set_contains(o, item),
                _ => {
                    if let Some(r) = crate::builtins::payload_contains(self, container, item)? {
                        return Ok(r);
                    }
                    self.contains_by_iteration(container, item)
                }
            },
            _ => Err(self.new_type_error(format!(
                "argument of type '{}' is not iterable",
                self.type_name(container)
            ))),
        }
    }

    fn contains_by_iteration(&mut self, container: &Value, item: &Value) -> PyResult<bool> {
        let it = match self.get_iter(container) {
            Ok(it) => it,
            Err(_) => {
                return Err(self.new_type_error(format!(
                    "argument of type '{}' is not iterable",
                    self.type_name(container)
                )))
            }
        };
        while let Some(x) = self.next(&it)? {
            if x.is(item) || self.eq(&x, item)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// `obj[idx]`, for any subscriptable object (`__getitem__`, dict `__missing__`).
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.exec("grid = {'a': [1, 2, 3, 4]}")?;
    /// let grid: Value = vm.get_global("grid")?;
    /// vm.guarded(|vm| {
    ///     let row = vm.getitem(&grid, &Value::str("a"))?;
    ///     vm.setitem(&row, Value::Int(-1), Value::Int(40))?;
    ///     let odd = vm.new_slice(Value::Int(1), Value::None, Value::Int(2));
    ///     let picked = vm.getitem(&row, &odd)?;
    ///     assert_eq!(vm.repr(&picked)?.as_str(), "[2, 40]");
    ///     vm.delitem(&row, &Value::Int(0))?;
    ///     vm.setitem(&grid, Value::str("b"), Value::None)?;
    ///     let err = vm.getitem(&grid, &Value::str("zz")).err().unwrap();
    ///     assert_eq!(vm.type_name(&Value::Obj(err)), "KeyError");
    ///     Ok(())
    /// })?;
    /// vm.exec("r = repr(grid)")?;
    /// assert_eq!(
    ///     vm.get_global::<String>("r")?,
    ///     "{'a': [2, 3, 40], 'b': None}"
    /// );
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn getitem(&mut self, obj: &Value, idx: &Value) -> PyResult {
        if self.is_heap(obj) {
            let cls = self.class_of(obj).clone();
            if let Some(f) = self.lookup(&cls, &self.names.__getitem__.clone()) {
                if let Some(d) = self.inherited_dict_item(obj, &f, 0) {
                    return crate::builtins::dict::subscript(self, obj, &d, idx);
                }
                return self.call_slot(&f, &[obj.clone(), idx.clone()]);
            }
        }
        if let Value::Obj(o) = obj {
            if let Payload::Type(_) = &o.payload {
                if let Some(f) = lookup(o, &self.names.__class_getitem__.clone()) {
                    let f = match &f {
                        Value::Obj(fo) => match &fo.payload {
                            Payload::ClassMethod(inner) => inner.clone(),
                            _ => f.clone(),
                        },
                        _ => f,
                    };
                    return self.call(&f, &[obj.clone(), idx.clone()], &[]);
                }
                // A type without `__class_getitem__` is not subscriptable, as in CPython;
                // classes of the standard library still evaluate to the class itself
                // (where CPython's would make a generic alias).
                let module = self.names.__module__.clone();
                let module = o
                    .as_type()
                    .and_then(|t| match t.ns.borrow().get_str(&module) {
                        Some(Value::Str(m)) => Some(m.clone()),
                        _ => None,
                    });
                let builtin = o.as_type().is_some_and(|t| !t.heap)
                    || module.as_ref().is_some_and(|m| m.as_str() == "builtins");
                if builtin || module.is_some_and(|m| self.is_script_module(&m)) {
                    return Err(self.new_type_error(format!(
                        "type '{}' is not subscriptable",
                        crate::types::type_name(o)
                    )));
                }
                return Ok(obj.clone());
            }
        }
        crate::builtins::native_getitem(self, obj, idx)
    }

    /// Whether the module named `name` was loaded from a script's file (it has a
    /// `__file__`), not from the standard library.
    fn is_script_module(&mut self, name: &Rc<Str>) -> bool {
        let Some(Value::Obj(m)) = self.dict_get_str(&self.modules.clone(), name) else {
            return false;
        };
        let key = self.intern("__file__");
        self.module_globals(&m)
            .is_some_and(|g| matches!(self.dict_get_str(&g, &key), Some(Value::Str(_))))
    }

    /// The dict of a dict-subclass instance `obj` whose `__getitem__` (`which` 0) or
    /// `__setitem__` (1), found as `f`, is `dict`'s own: the operation needs no call.
    #[inline]
    fn inherited_dict_item(&self, obj: &Value, f: &Value, which: u8) -> Option<Obj> {
        let (get, set) = self.dict_item_fns.as_ref()?;
        let builtin = if which == 0 { get } else { set };
        match (obj, f) {
            (Value::Obj(o), Value::Obj(fo))
                if Rc::ptr_eq(fo, builtin) && matches!(o.payload, Payload::Dict(_)) =>
            {
                Some(o.clone())
            }
            _ => None,
        }
    }

    /// `obj[idx] = value`; see the example of [`Vm::getitem`].
    pub fn setitem(&mut self, obj: &Value, idx: Value, value: Value) -> PyResult<()> {
        if self.is_heap(obj) {
            let cls = self.class_of(obj).clone();
            if let Some(f) = self.lookup(&cls, &self.names.__setitem__.clone()) {
                if let Some(d) = self.inherited_dict_item(obj, &f, 1) {
                    return self.dict_set(&d, idx, value);
                }
                self.call_slot(&f, &[obj.clone(), idx, value])?;
                return Ok(());
            }
        }
        crate::builtins::native_setitem(self, obj, idx, value)
    }

    /// `del obj[idx]`; see the example of [`Vm::getitem`].
    pub fn delitem(&mut self, obj: &Value, idx: &Value) -> PyResult<()> {
        if self.is_heap(obj) {
            let cls = self.class_of(obj).clone();
            if let Some(f) = self.lookup(&cls, &self.names.__delitem__.clone()) {
                self.call_slot(&f, &[obj.clone(), idx.clone()])?;
                return Ok(());
            }
        }
        crate::builtins::native_delitem(self, obj, idx)
    }

    /// `repr(v)`, running a script `__repr__` if there is one.
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.exec("class V:\n    def __repr__(self):\n        return 'V(1)'\n")?;
    /// let v: Value = vm.call_function("V", ())?;
    /// vm.guarded(|vm| {
    ///     assert_eq!(vm.repr(&v)?.as_str(), "V(1)");
    ///     assert_eq!(vm.to_str(&v)?.as_str(), "V(1)"); // no __str__: str() uses __repr__
    ///     assert_eq!(vm.repr(&Value::str("it's"))?.as_str(), "\"it's\"");
    ///     assert_eq!(vm.to_str(&Value::str("it's"))?.as_str(), "it's");
    ///     assert_eq!(
    ///         vm.repr(&Value::float(0.1 + 0.2))?.as_str(),
    ///         "0.30000000000000004"
    ///     );
    ///     Ok(())
    /// })?;
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn repr(&mut self, v: &Value) -> PyResult<Rc<Str>> {
        match v {
            Value::Str(s) => Ok(Rc::new(Str::new(crate::builtins::str_repr(s.as_str())))),
            Value::Int(i) => Ok(Rc::new(crate::str::int_text(*i))),
            Value::Float(f) => Ok(Rc::new(Str::new(crate::builtins::float_repr(f.get())))),
            Value::None => Ok(Rc::new(Str::new("None".into()))),
            Value::Bool(b) => Ok(Rc::new(Str::new(
                if b.get() { "True" } else { "False" }.into(),
            ))),
            Value::Obj(_) => {
                if self.is_heap(v) {
                    let cls = self.class_of(v).clone();
                    if let Some(f) = self.lookup(&cls, &self.names.__repr__.clone()) {
                        if !crate::attr::is_native_of(&f, "object") {
                            self.enter_native(" while getting the repr of an object")?;
                            let r = self.call_slot(&f, std::slice::from_ref(v));
                            self.leave_native();
                            let r = r?;
                            return match r.as_str() {
                                Some(s) => Ok(s.clone()),
                                None => Err(self.new_type_error(format!(
                                    "__repr__ returned non-string (type {})",
                                    self.type_name(&r)
                                ))),
                            };
                        }
                    }
                }
                self.enter_native(" while getting the repr of an object")?;
                let r = crate::builtins::native_repr(self, v);
                self.leave_native();
                r.map(|s| Rc::new(Str::new(s)))
            }
        }
    }

    /// `str(v)`; see the example of [`Vm::repr`].
    pub fn to_str(&mut self, v: &Value) -> PyResult<Rc<Str>> {
        match v {
            Value::Str(s) => Ok(s.clone()),
            Value::Obj(o) => {
                if self.is_heap(v) {
                    let cls = self.class_of(v).clone();
                    if let Some(f) = self.lookup(&cls, &self.names.__str__.clone()) {
                        if !crate::attr::is_native_of(&f, "object") {
                            let r = self.call_slot(&f, std::slice::from_ref(v))?;
                            return match r.as_str() {
                                Some(s) => Ok(s.clone()),
                                None => Err(self.new_type_error(format!(
                                    "__str__ returned non-string (type {})",
                                    self.type_name(&r)
                                ))),
                            };
                        }
                    }
                }
                match &o.payload {
                    Payload::Str(s) => Ok(s.clone()),
                    // `bytes.__str__`/`bytearray.__str__` are their own reprs, whatever
                    // `__repr__` a subclass defines.
                    Payload::Bytes(_) | Payload::ByteArray(_) => {
                        crate::builtins::native_repr(self, v).map(|s| Rc::new(Str::new(s)))
                    }
                    Payload::Exception(_) => {
                        // Built-in exception classes may override __str__ (groups, KeyError).
                        let cls = self.class_of(v).clone();
                        match self.lookup(&cls, &self.names.__str__.clone()) {
                            Some(f) if !crate::attr::is_native_of(&f, "BaseException") => {
                                let r = self.call_slot(&f, std::slice::from_ref(v))?;
                                match r.as_str() {
                                    Some(s) => Ok(s.clone()),
                                    None => Err(self.new_type_error("__str__ returned non-string")),
                                }
                            }
                            _ => Ok(Rc::new(Str::new(self.exception_str(o)?))),
                        }
                    }
                    _ => self.repr(v),
                }
            }
            _ => self.repr(v),
        }
    }
}

/// Whether `v` is a class.
fn is_class(v: &Value) -> bool {
    matches!(v.payload(), Some(Payload::Type(_)))
}

/// `s += t` for two strings on top of `stack` when the instruction after the `+=` stores
/// to a local (`next`): the local's reference to `s` is dropped first, and when the
/// stack's is then the only one, `t` is appended to `s` in place (CPython's
/// `unicode_concatenate`), so building a string by `+=` in a loop is linear. `Ok(false)`,
/// with nothing changed but that local (which `next` overwrites), when it cannot be done;
/// `Err(len)` when the result is a buffer of `len` bytes that the memory limit must allow
/// first ([`Vm::check_allocation`]): the caller checks, then calls again with `checked`.
pub(crate) fn concat_in_place(
    stack: &mut Vec<Value>,
    locals: &mut [Option<Value>],
    next: crate::code::Instr,
    checked: bool,
) -> Result<bool, usize> {
    use crate::code::Instr;
    let target = match next {
        Instr::StoreFast(i) => i as usize,
        Instr::StoreFastLoadFast(p) => crate::code::unpack_pair(p).0,
        _ => return Ok(false),
    };
    let [.., Value::Str(a), Value::Str(b)] = &stack[..] else {
        return Ok(false);
    };
    if a.is_interned() {
        return Ok(false);
    }
    let len = a.as_str().len() + b.as_str().len();
    if len >= crate::embed::limits::BIG_BUFFER && !checked {
        return Err(len);
    }
    if matches!(&locals[target], Some(Value::Str(l)) if Rc::ptr_eq(l, a)) {
        locals[target] = None;
    }
    let Some(Value::Str(b)) = stack.pop() else {
        unreachable!("a string was on top")
    };
    let Some(Value::Str(a)) = stack.last_mut() else {
        unreachable!("a string was under it")
    };
    match Rc::get_mut(a) {
        Some(s) => {
            s.push_str(&b);
            Ok(true)
        }
        None => {
            stack.push(Value::Str(b));
            Ok(false)
        }
    }
}
