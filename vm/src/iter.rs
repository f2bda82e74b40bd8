//! Iteration: `iter()` and `next()` over built-in containers (native iterator states),
//! generators, and user classes (`__iter__`/`__next__`, or the `__getitem__` fallback).

use crate::object::{Object, Payload};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;

/// The state of a built-in iterator.
pub enum IterState {
    /// Over a list or tuple (by index, so mutation is seen as CPython sees it).
    Seq {
        /// The sequence.
        seq: Value,
        /// Next index.
        index: usize,
    },
    /// Reverse over a list.
    Reversed {
        /// The sequence.
        seq: Value,
        /// Index + 1 of the next item (0 = done).
        index: usize,
    },
    /// Over the characters of a string.
    Str {
        /// The text.
        s: std::rc::Rc<crate::str::Str>,
        /// Next byte offset.
        pos: usize,
    },
    /// Over a range.
    Range {
        /// Next value.
        next: i64,
        /// Stop.
        stop: i64,
        /// Step.
        step: i64,
    },
    /// Over a dict's keys, values or items (0, 1, 2).
    Dict {
        /// The dict.
        dict: Obj,
        /// Next position.
        pos: usize,
        /// Size when iteration began.
        len: usize,
        /// What to yield.
        kind: u8,
        /// The last `(key, value)` tuple yielded, refilled in place for the next item
        /// once nothing else holds it (CPython's `di_result`).
        spare: Option<Obj>,
    },
    /// Backwards over a dict's keys, values or items (`reversed(d)`).
    DictRev {
        /// The dict.
        dict: Obj,
        /// Positions not yet visited: the next one is `pos - 1`.
        pos: usize,
        /// Size when iteration began.
        len: usize,
        /// What to yield (0 keys, 1 values, 2 items).
        kind: u8,
    },
    /// Over a set.
    Set {
        /// The set.
        set: Obj,
        /// Next position.
        pos: usize,
        /// Size when iteration began.
        len: usize,
    },
    /// Over bytes.
    Bytes {
        /// The bytes object.
        b: Value,
        /// Next index.
        index: usize,
    },
    /// `__getitem__` with 0, 1, 2... until `IndexError`.
    GetItem {
        /// The object.
        obj: Value,
        /// Next index.
        index: i64,
    },
    /// `iter(callable, sentinel)`.
    Callable {
        /// The callable.
        func: Value,
        /// The end marker.
        sentinel: Value,
    },
    /// `enumerate`.
    Enumerate {
        /// The underlying iterator.
        it: Value,
        /// Next count.
        count: Value,
        /// The last `(count, item)` tuple yielded, refilled in place for the next item
        /// once nothing else holds it (CPython's `en_result`; as a dict items iterator refills its own).
        spare: Option<Obj>,
    },
    /// `zip` (with `strict`).
    Zip {
        /// The iterators (shared, so that a step holds them without copying).
        its: std::rc::Rc<[Value]>,
        /// `strict=True`.
        strict: bool,
    },
    /// `map`.
    Map {
        /// The function.
        func: Value,
        /// The iterators (shared, so that a step holds them without copying).
        its: std::rc::Rc<[Value]>,
    },
    /// `filter` (`None` function = truthiness).
    Filter {
        /// The predicate.
        func: Value,
        /// The iterator.
        it: Value,
    },
    /// An iterator implemented outside the VM (the standard library's `itertools`).
    Native(std::rc::Rc<dyn NativeIter>),
    /// A finished iterator.
    Done,
}

/// An iterator written in Rust outside the VM, stepped by [`Vm::next`] as directly as the
/// built-in ones (no `__next__` lookup, no `StopIteration` at the end). It keeps its state
/// behind its own `RefCell`s, borrowed only between calls into the VM: `next` may run
/// script code that re-enters the same iterator. Make one with [`Vm::new_native_iterator`];
/// read it back with [`native_iter`].
pub trait NativeIter: std::any::Any {
    /// The next item; `None` when exhausted.
    fn next(&self, vm: &mut Vm) -> PyResult<Option<Value>>;
    /// Appends to `out` a run of up to `max` next items that are ints or floats, stopping
    /// before the first item of any other kind (left for [`NativeIter::next`]), and
    /// returns how many it appended. A consumer whose work on numbers runs no script
    /// code (`sum`) folds a run in one go; since nothing runs between the steps, the run
    /// sees exactly what stepping one by one would. The default appends none.
    fn next_numbers(&self, out: &mut Vec<Value>, max: usize) -> usize {
        let _ = (out, max);
        0
    }
    /// Calls `f` on every value it holds, for the cycle collector (skip a part borrowed
    /// right now).
    fn trace(&self, f: &mut dyn FnMut(&Value));
    /// Moves every value it holds into `out` (the cycle collector breaking a cycle).
    fn clear(&self, out: &mut Vec<Value>);
    /// Itself, to downcast to the implementing type.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// `(k, v)`: in the tuple `spare`, refilled in place, when nothing else holds it (the
/// loop that unpacked it let it go), else in a new tuple kept as the next spare. An
/// items iterator so allocates one tuple per loop, as CPython's reuses `di_result`.
fn refill_pair(vm: &Vm, spare: &mut Option<Obj>, k: Value, v: Value) -> Value {
    if let Some(t) = spare {
        if let Some(Object {
            payload: Payload::Tuple(items),
            ..
        }) = std::rc::Rc::get_mut(t)
        {
            if let [a, b] = &mut items[..] {
                let old = (std::mem::replace(a, k), std::mem::replace(b, v));
                drop(old);
                return Value::Obj(t.clone());
            }
        }
    }
    let t = vm.new_tuple(vec![k, v]);
    *spare = t.as_obj().cloned();
    t
}

/// The [`NativeIter`] behind an iterator made by [`Vm::new_native_iterator`] (`None` for
/// any other value, or once the cycle collector cleared it).
pub fn native_iter(v: &Value) -> Option<std::rc::Rc<dyn NativeIter>> {
    match v.payload()? {
        Payload::Iter(st) => match &*st.try_borrow().ok()? {
            IterState::Native(n) => Some(n.clone()),
            _ => None,
        },
        _ => None,
    }
}

impl Vm {
    /// A new iterator object of class `cls` (its `__iter__`/`__next__` may simply call
    /// [`Vm::next`]) stepped by `it`; see [`NativeIter`].
    pub fn new_native_iterator(&self, cls: &Obj, it: std::rc::Rc<dyn NativeIter>) -> Value {
        self.new_iterator(cls, IterState::Native(it))
    }

    /// A new iterator object of class `cls` over native state. Internal: for the built-in
    /// iterators.
    pub(crate) fn new_iterator(&self, cls: &Obj, state: IterState) -> Value {
        Value::Obj(self.track(Object::new(
            cls.clone(),
            Payload::Iter(Box::new(RefCell::new(state))),
        )))
    }

    /// `iter(v)`. With [`Vm::next`] a host walks any iterable step by step (generators
    /// included); [`Vm::collect`] takes everything at once.
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.exec("def countdown(n):\n    while n:\n        yield n\n        n -= 1\n")?;
    /// let gen: Value = vm.call_function("countdown", (3,))?;
    /// vm.guarded(|vm| {
    ///     let it = vm.get_iter(&gen)?;
    ///     assert!(matches!(vm.next(&it)?, Some(Value::Int(3))));
    ///     let rest = vm.collect(&it)?;
    ///     assert!(matches!(rest[..], [Value::Int(2), Value::Int(1)]));
    ///     assert!(vm.next(&it)?.is_none());
    ///     assert_eq!(vm.collect(&Value::str("héllo"))?.len(), 5);
    ///     let err = vm.get_iter(&Value::Int(5)).err().unwrap();
    ///     assert_eq!(vm.exception_message(&err), "'int' object is not iterable");
    ///     Ok(())
    /// })?;
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn get_iter(&mut self, v: &Value) -> PyResult {
        if self.is_heap(v) {
            let cls = self.class_of(v).clone();
            if let Some(f) = self.lookup(&cls, &self.names.__iter__.clone()) {
                if !f.is_none() {
                    let it = self.call_slot(&f, std::slice::from_ref(v))?;
                    let icls = self.class_of(&it).clone();
                    if self.lookup(&icls, &self.names.__next__.clone()).is_none()
                        && !matches!(
                            it.payload(),
                            Some(Payload::Iter(_)) | Some(Payload::Generator(_))
                        )
                    {
                        return Err(self.new_type_error(format!(
                            "iter() returned non-iterator of type '{}'",
                            self.type_name(&it)
                        )));
                    }
                    return Ok(it);
                }
            } else if self.lookup(&cls, &self.names.__getitem__.clone()).is_some() {
                return Ok(self.new_iterator(
                    &self.types.iterator.clone(),
                    IterState::GetItem {
                        obj: v.clone(),
                        index: 0,
                    },
                ));
            }
        }
        let t = &self.types;
        let (cls, state) = match v {
            Value::Str(s) => (
                t.str_iterator.clone(),
                IterState::Str {
                    s: s.clone(),
                    pos: 0,
                },
            ),
            Value::Obj(o) => match &o.payload {
                Payload::List(_) => (
                    t.list_iterator.clone(),
                    IterState::Seq {
                        seq: v.clone(),
                        index: 0,
                    },
                ),
                Payload::Tuple(_) => (
                    t.tuple_iterator.clone(),
                    IterState::Seq {
                        seq: v.clone(),
                        index: 0,
                    },
                ),
                Payload::Str(s) => (
                    t.str_iterator.clone(),
                    IterState::Str {
                        s: s.clone(),
                        pos: 0,
                    },
                ),
                Payload::Dict(d) => {
                    let len = d.borrow().len();
                    (
                        t.dict_keyiterator.clone(),
                        IterState::Dict {
                            dict: o.clone(),
                            pos: 0,
                            len,
                            kind: 0,
                            spare: None,
                        },
                    )
                }
                Payload::Set(s) => {
                    let len = s.borrow().len();
                    (
                        t.set_iterator.clone(),
                        IterState::Set {
                            set: o.clone(),
                            pos: 0,
                            len,
                        },
                    )
                }
                Payload::BigRange(r) => {
                    return Ok(crate::builtins::big_range::iter(self, r, false));
                }
                Payload::Range(r) => {
                    let [start, stop, step] = **r;
                    (
                        t.range_iterator.clone(),
                        IterState::Range {
                            next: start,
                            stop,
                            step,
                        },
                    )
                }
                Payload::Bytes(_) | Payload::ByteArray(_) => (
                    if matches!(o.payload, Payload::ByteArray(_)) {
                        t.bytearray_iterator.clone()
                    } else {
                        t.bytes_iterator.clone()
                    },
                    IterState::Bytes {
                        b: v.clone(),
                        index: 0,
                    },
                ),
                Payload::Iter(st) => {
                    // A dict view (position marker `usize::MAX`) makes a fresh iterator.
                    let view = match &*st.borrow() {
                        IterState::Dict {
                            dict,
                            pos: usize::MAX,
                            kind,
                            ..
                        } => Some((dict.clone(), *kind)),
                        _ => None,
                    };
                    match view {
                        Some((dict, kind)) => {
                            let len = match &dict.payload {
                                Payload::Dict(d) => d.borrow().len(),
                                _ => 0,
                            };
                            let cls = match kind {
                                0 => t.dict_keyiterator.clone(),
                                1 => t.dict_valueiterator.clone(),
                                _ => t.dict_itemiterator.clone(),
                            };
                            (
                                cls,
                                IterState::Dict {
                                    dict,
                                    pos: 0,
                                    len,
                                    kind,
                                    spare: None,
                                },
                            )
                        }
                        None => return Ok(v.clone()),
                    }
                }
                Payload::Generator(g) => {
                    if g.kind != crate::object::GenKind::Generator {
                        return Err(self.new_type_error(format!(
                            "'{}' object is not iterable",
                            self.type_name(v)
                        )));
                    }
                    return Ok(v.clone());
                }
                _ => return crate::builtins::payload_iter(self, v),
            },
            _ => {
                return Err(
                    self.new_type_error(format!("'{}' object is not iterable", self.type_name(v)))
                )
            }
        };
        Ok(self.new_iterator(&cls, state))
    }

    /// `next(it)`: `None` when exhausted. See the example of [`Vm::get_iter`].
    pub fn next(&mut self, it: &Value) -> PyResult<Option<Value>> {
        if let Value::Obj(o) = it {
            match &o.payload {
                // An instance of a script's subclass of `enumerate`, `zip`, ... (with or
                // without `__slots__`) may override `__next__`.
                Payload::Iter(state) if !self.is_heap(it) || !self.overrides_next(it) => {
                    return self.next_native(o, state)
                }
                Payload::Generator(_) => {
                    return match self.gen_send(o, Value::None)? {
                        crate::gen::GenResult::Yield(v) => Ok(Some(v)),
                        crate::gen::GenResult::Return(_) => Ok(None),
                    }
                }
                _ => {}
            }
        }
        let cls = self.class_of(it).clone();
        let Some(f) = self.lookup(&cls, &self.names.__next__.clone()) else {
            return Err(self.new_type_error(format!(
                "'{}' object is not an iterator",
                self.type_name(it)
            )));
        };
        match self.call_slot(&f, std::slice::from_ref(it)) {
            Ok(v) => Ok(Some(v)),
            Err(e) if self.is_instance_of(&e, &self.exc.stop_iteration.clone()) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether `it`'s class has a `__next__` of a script's own.
    fn overrides_next(&mut self, it: &Value) -> bool {
        let cls = self.class_of(it).clone();
        let f = self.lookup(&cls, &self.names.__next__.clone());
        !matches!(f, Some(Value::Obj(f)) if matches!(f.payload, Payload::Native(_)))
    }

    /// The built-in `__next__` of the iterator payloads: steps `it`'s own state, whatever
    /// its class overrides (`super().__next__()` in a subclass of `enumerate`).
    pub(crate) fn next_builtin(&mut self, it: &Value) -> PyResult<Option<Value>> {
        match it {
            Value::Obj(o) => match &o.payload {
                Payload::Iter(state) => self.next_native(o, state),
                _ => self.next(it),
            },
            _ => self.next(it),
        }
    }

    fn next_native(&mut self, _o: &Obj, state: &RefCell<IterState>) -> PyResult<Option<Value>> {
        let mut st = state.borrow_mut();
        match &mut *st {
            IterState::Seq { .. } | IterState::Range { .. } => {
                Ok(step_simple(&mut st).expect("a simple iterator"))
            }
            IterState::Reversed { seq, index } => {
                if *index == 0 {
                    return Ok(None);
                }
                let item = match seq.payload() {
                    Some(Payload::List(l)) => l.borrow().get(*index - 1).cloned(),
                    Some(Payload::Tuple(t)) => t.get(*index - 1).cloned(),
                    _ => None,
                };
                *index -= 1;
                Ok(item)
            }
            IterState::Str { s, pos } => match s.as_str()[*pos..].chars().next() {
                Some(c) => {
                    *pos += c.len_utf8();
                    Ok(Some(Value::char(c)))
                }
                None => Ok(None),
            },
            IterState::Dict {
                dict,
                pos,
                len,
                kind,
                spare,
            } => self.dict_iter_next(dict, pos, len, *kind, false, spare),
            IterState::DictRev {
                dict,
                pos,
                len,
                kind,
            } => self.dict_iter_next(dict, pos, len, *kind, true, &mut None),
            IterState::Set { set, pos, len } => {
                let Payload::Set(s) = &set.payload else {
                    return Ok(None);
                };
                let s = s.borrow();
                if s.len() != *len {
                    *len = usize::MAX;
                    drop(s);
                    return Err(self.new_runtime_error("Set changed size during iteration"));
                }
                while *pos < s.positions() {
                    let p = *pos;
                    *pos += 1;
                    if let Some(k) = s.key_at(p) {
                        return Ok(Some(k.clone()));
                    }
                }
                Ok(None)
            }
            IterState::Bytes { b, index } => {
                let v = match b.payload() {
                    Some(Payload::Bytes(x)) => x.get(*index).copied(),
                    Some(Payload::ByteArray(x)) => x.borrow().get(*index).copied(),
                    _ => None,
                };
                *index += 1;
                Ok(v.map(|x| Value::Int(x as i64)))
            }
            IterState::GetItem { obj, index } => {
                let (obj, i) = (obj.clone(), *index);
                *index += 1;
                drop(st);
                match self.getitem(&obj, &Value::Int(i)) {
                    Ok(v) => Ok(Some(v)),
                    Err(e)
                        if self.is_instance_of(&e, &self.exc.index_error.clone())
                            || self.is_instance_of(&e, &self.exc.stop_iteration.clone()) =>
                    {
                        *state.borrow_mut() = IterState::Done;
                        Ok(None)
                    }
                    Err(e) => Err(e),
                }
            }
            IterState::Callable { func, sentinel } => {
                let (func, sentinel) = (func.clone(), sentinel.clone());
                drop(st);
                let v = self.call(&func, &[], &[])?;
                if self.eq(&v, &sentinel)? {
                    *state.borrow_mut() = IterState::Done;
                    return Ok(None);
                }
                Ok(Some(v))
            }
            IterState::Enumerate { it, count, .. } => {
                let (it, count) = (it.clone(), count.clone());
                drop(st);
                match self.next(&it)? {
                    Some(v) => {
                        let nextc = match &count {
                            Value::Int(c) if *c < i64::MAX => Value::Int(c + 1),
                            _ => self.binary_op(&count, &Value::Int(1), crate::code::BinOp::Add)?,
                        };
                        let mut spare = None;
                        if let IterState::Enumerate {
                            count: c, spare: s, ..
                        } = &mut *state.borrow_mut()
                        {
                            *c = nextc;
                            spare = s.take();
                        }
                        let pair = refill_pair(self, &mut spare, count, v);
                        if let IterState::Enumerate { spare: s, .. } = &mut *state.borrow_mut() {
                            *s = spare;
                        }
                        Ok(Some(pair))
                    }
                    None => Ok(None),
                }
            }
            IterState::Zip { its, strict } => {
                let (its, strict) = (its.clone(), *strict);
                drop(st);
                let mut out = Vec::with_capacity(its.len());
                for (i, it) in its.iter().enumerate() {
                    match self.next(it)? {
                        Some(v) => out.push(v),
                        None => {
                            if strict {
                                if i > 0 {
                                    let msg = format!(
                                        "zip() argument {} is shorter than argument{} {}",
                                        i + 1,
                                        if i == 1 { "" } else { "s" },
                                        if i == 1 {
                                            "1".to_string()
                                        } else {
                                            format!("1-{i}")
                                        }
                                    );
                                    return Err(self.new_value_error(msg));
                                }
                                for (j, other) in its.iter().enumerate().skip(1) {
                                    if self.next(other)?.is_some() {
                                        let msg = format!(
                                            "zip() argument {} is longer than argument{} {}",
                                            j + 1,
                                            if j == 1 { "" } else { "s" },
                                            if j == 1 {
                                                "1".to_string()
                                            } else {
                                                format!("1-{j}")
                                            }
                                        );
                                        return Err(self.new_value_error(msg));
                                    }
                                }
                            }
                            *state.borrow_mut() = IterState::Done;
                            return Ok(None);
                        }
                    }
                }
                if out.is_empty() {
                    return Ok(None);
                }
                Ok(Some(self.new_tuple(out)))
            }
            IterState::Map { func, its } => {
                let (func, its) = (func.clone(), its.clone());
                drop(st);
                if let [it] = &*its {
                    let Some(v) = self.next(it)? else {
                        return Ok(None);
                    };
                    return self.call(&func, std::slice::from_ref(&v), &[]).map(Some);
                }
                let mut args = Vec::with_capacity(its.len());
                for it in its.iter() {
                    match self.next(it)? {
                        Some(v) => args.push(v),
                        None => return Ok(None),
                    }
                }
                self.call(&func, &args, &[]).map(Some)
            }
            IterState::Filter { func, it } => {
                let (func, it) = (func.clone(), it.clone());
                drop(st);
                while let Some(v) = self.next(&it)? {
                    let keep = if func.is_none() {
                        self.is_true(&v)?
                    } else {
                        let r = self.call(&func, std::slice::from_ref(&v), &[])?;
                        self.is_true(&r)?
                    };
                    if keep {
                        return Ok(Some(v));
                    }
                }
                Ok(None)
            }
            IterState::Native(n) => {
                let n = n.clone();
                drop(st);
                n.next(self)
            }
            IterState::Done => Ok(None),
        }
    }

    /// The next key (kind 0), value (1) or item (2) of a dict iterator, forwards from `pos`
    /// or (`reverse`) backwards from `pos - 1`; a size change since the start is an error.
    /// Items are built in `spare` (see [`refill_pair`]).
    fn dict_iter_next(
        &mut self,
        dict: &Obj,
        pos: &mut usize,
        len: &mut usize,
        kind: u8,
        reverse: bool,
        spare: &mut Option<Obj>,
    ) -> PyResult<Option<Value>> {
        let Payload::Dict(d) = &dict.payload else {
            return Ok(None);
        };
        let d = d.borrow();
        if d.len() != *len {
            *len = usize::MAX;
            drop(d);
            return Err(self.new_runtime_error("dictionary changed size during iteration"));
        }
        loop {
            let p = if reverse {
                if *pos == 0 {
                    return Ok(None);
                }
                *pos -= 1;
                *pos
            } else {
                if *pos >= d.positions() {
                    return Ok(None);
                }
                *pos += 1;
                *pos - 1
            };
            if let Some(e) = d.entry_at(p) {
                let (k, v) = (e.key.clone(), e.value.clone());
                drop(d);
                return Ok(Some(match kind {
                    0 => k,
                    1 => v,
                    _ => refill_pair(self, spare, k, v),
                }));
            }
        }
    }

    /// Collects any iterable into a vector. See the example of [`Vm::get_iter`].
    pub fn collect(&mut self, v: &Value) -> PyResult<Vec<Value>> {
        if !self.is_heap(v) {
            match v {
                Value::Obj(o) => match &o.payload {
                    Payload::List(l) => return Ok(l.borrow().clone()),
                    Payload::Tuple(t) => return Ok(t.to_vec()),
                    Payload::Range(r) => {
                        // Exactly sized: `list(range(10**7))` must not over-allocate.
                        let [start, _, step] = **r;
                        let n = crate::builtins::range_len(r).max(0) as usize;
                        self.check_allocation(n.saturating_mul(std::mem::size_of::<Value>()))?;
                        let mut out = Vec::new();
                        if out.try_reserve_exact(n).is_err() {
                            return Err(self.new_exception(&self.exc.memory_error.clone(), vec![]));
                        }
                        let mut x = start;
                        for _ in 0..n {
                            out.push(Value::Int(x));
                            x = x.wrapping_add(step);
                        }
                        return Ok(out);
                    }
                    _ => {}
                },
                Value::Str(s) => return Ok(s.as_str().chars().map(Value::char).collect()),
                _ => {}
            }
        }
        let it = self.get_iter(v)?;
        crate::builtins::big_range::check_length_hint(self, &it)?;
        let mut out = Vec::new();
        while let Some(x) = self.next(&it)? {
            // A growth the allocator refuses (`ulimit -v`) is a `MemoryError`, not an abort.
            if out.len() == out.capacity() && out.try_reserve(1).is_err() {
                return Err(self.new_exception(&self.exc.memory_error.clone(), vec![]));
            }
            out.push(x);
        }
        Ok(out)
    }

    /// Collects an iterable whose absence CPython reports with its own message
    /// (`PySequence_Fast`): `can only join an iterable`, `can only assign an iterable`.
    pub(crate) fn collect_fast(&mut self, v: &Value, msg: &str) -> PyResult<Vec<Value>> {
        // A list or tuple is read in place, with no iterator object.
        if !self.is_heap(v) {
            match v.payload() {
                Some(Payload::List(l)) => return Ok(l.borrow().clone()),
                Some(Payload::Tuple(t)) => return Ok(t.to_vec()),
                _ => {}
            }
        }
        let it = match self.get_iter(v) {
            Ok(it) => it,
            Err(e) if self.is_instance_of(&e, &self.exc.type_error.clone()) => {
                return Err(self.new_type_error(msg))
            }
            Err(e) => return Err(e),
        };
        crate::builtins::big_range::check_length_hint(self, &it)?;
        let mut out = Vec::new();
        while let Some(x) = self.next(&it)? {
            out.push(x);
        }
        Ok(out)
    }

    /// Collects the operand of `*x` in a call or display, with CPython's error.
    pub(crate) fn collect_star(&mut self, v: &Value) -> PyResult<Vec<Value>> {
        match self.collect(v) {
            Ok(items) => Ok(items),
            Err(e) => {
                if self.is_instance_of(&e, &self.exc.type_error.clone())
                    && self.get_iter(v).is_err()
                {
                    return Err(self.new_type_error(format!(
                        "Value after * must be an iterable, not {}",
                        self.type_name(v)
                    )));
                }
                Err(e)
            }
        }
    }

    /// Collects `x` of a call `callee(*x)`, with CPython's error naming the callee.
    pub(crate) fn collect_star_arg(&mut self, v: &Value, callee: &Value) -> PyResult<Vec<Value>> {
        match self.collect(v) {
            Ok(items) => Ok(items),
            Err(e) => {
                if self.is_instance_of(&e, &self.exc.type_error.clone())
                    && self.get_iter(v).is_err()
                {
                    let name = self.function_str(callee)?;
                    return Err(self.new_type_error(format!(
                        "{name} argument after * must be an iterable, not {}",
                        self.type_name(v)
                    )));
                }
                Err(e)
            }
        }
    }

    /// CPython's `_PyObject_FunctionStr`: `module.qualname()` (no module for builtins),
    /// how call errors name the callee.
    pub(crate) fn function_str(&mut self, f: &Value) -> PyResult<String> {
        let qualname = self.intern("__qualname__");
        let Some(q) = self.get_attr_or_absent(f, &qualname)? else {
            return Ok(self.to_str(f)?.as_str().to_string());
        };
        let q = self.to_str(&q)?;
        let module = self.intern("__module__");
        let m = self.get_attr_or_absent(f, &module).ok().flatten();
        Ok(match m.as_ref().and_then(Value::as_str) {
            Some(m) if m.as_str() != "builtins" => format!("{}.{}()", m.as_str(), q.as_str()),
            _ => format!("{}()", q.as_str()),
        })
    }

    /// Unpacks exactly `n` items.
    pub(crate) fn unpack(&mut self, v: &Value, n: usize) -> PyResult<Vec<Value>> {
        if let Some(Payload::Tuple(t)) = v.payload() {
            // An exact tuple; a subclass may override `__iter__`.
            if t.len() == n && !self.is_heap(v) {
                return Ok(t.to_vec());
            }
        }
        let it = match self.get_iter(v) {
            Ok(it) => it,
            Err(_) => {
                return Err(self.new_type_error(format!(
                    "cannot unpack non-iterable {} object",
                    self.type_name(v)
                )));
            }
        };
        let mut out = Vec::with_capacity(n);
        while let Some(x) = self.next(&it)? {
            if out.len() == n {
                return Err(
                    self.new_value_error(format!("too many values to unpack (expected {n})"))
                );
            }
            out.push(x);
        }
        if out.len() < n {
            return Err(self.new_value_error(format!(
                "not enough values to unpack (expected {n}, got {})",
                out.len()
            )));
        }
        Ok(out)
    }
}

/// One step of a list, tuple or range iterator, the kinds `ForIter` runs inline (no call, no
/// frame bookkeeping): `Some(Some(item))`, `Some(None)` when exhausted, `None` for any other
/// iterator.
#[inline(always)]
pub(crate) fn next_in_sequence(it: Option<&Value>) -> Option<Option<Value>> {
    let Some(Value::Obj(o)) = it else {
        return None;
    };
    let Payload::Iter(state) = &o.payload else {
        return None;
    };
    step_simple(&mut state.borrow_mut())
}

/// See [`next_in_sequence`]. Ranges first: `for i in range(n)` is the commonest loop.
#[inline(always)]
fn step_simple(st: &mut IterState) -> Option<Option<Value>> {
    match st {
        IterState::Range { next, stop, step } => {
            if (*step > 0 && *next < *stop) || (*step < 0 && *next > *stop) {
                let v = *next;
                *next = next.saturating_add(*step);
                Some(Some(Value::Int(v)))
            } else {
                Some(None)
            }
        }
        IterState::Seq { seq, index } => {
            let item = match seq.payload() {
                Some(Payload::List(l)) => l.borrow().get(*index).cloned(),
                Some(Payload::Tuple(t)) => t.get(*index).cloned(),
                _ => None,
            };
            if item.is_some() {
                *index += 1;
            } else {
                *st = IterState::Done;
            }
            Some(item)
        }
        _ => None,
    }
}
