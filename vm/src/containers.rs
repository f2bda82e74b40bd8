//! Dict and set operations that need the VM: hashing keys and comparing them with `__eq__`
//! (which can run Python code, so no table borrow is held across a comparison).

use crate::dict::{Dict, StrFind};
use crate::object::{Object, Payload};
use crate::set::SetData;
use crate::table::{Lookup, LookupStep};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;
use std::rc::Rc;

/// Key equality that cannot run Python code; `None` when `__eq__` must decide.
#[inline]
pub fn simple_key_eq(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Some(Rc::ptr_eq(x, y) || x.as_str() == y.as_str()),
        (Value::Int(x), Value::Int(y)) => Some(x == y),
        (Value::Int(x), Value::Bool(y)) | (Value::Bool(y), Value::Int(x)) => {
            Some(*x == y.get() as i64)
        }
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Float(x), Value::Float(y)) => {
            Some(x.get() == y.get() || x.get().to_bits() == y.get().to_bits())
        }
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => {
            Some((*x as f64) == y.get() && (y.get() as i64) == *x)
        }
        (Value::None, Value::None) => Some(true),
        (Value::Str(_), Value::Int(_) | Value::Float(_) | Value::None | Value::Bool(_))
        | (Value::Int(_) | Value::Float(_) | Value::None | Value::Bool(_), Value::Str(_)) => {
            Some(false)
        }
        (Value::Obj(x), Value::Obj(y)) if Rc::ptr_eq(x, y) => Some(true),
        _ => None,
    }
}

/// The outcome of a set lookup.
enum SetFind {
    /// The key is in this slot.
    Found(usize),
    /// Absent; the finished lookup can insert it.
    Absent(Lookup),
}

impl Vm {
    /// Key equality for hash tables: identity and simple values natively, else `__eq__`.
    /// Internal: for the hash tables of dicts and sets.
    pub(crate) fn key_matches(&mut self, stored: &Value, key: &Value) -> PyResult<bool> {
        match simple_key_eq(stored, key) {
            Some(b) => Ok(b),
            None => self.eq(stored, key),
        }
    }

    fn dict_find(&mut self, d: &RefCell<Dict>, hash: i64, key: &Value) -> PyResult<Option<usize>> {
        // Fast path: every candidate compares without `__eq__`.
        let mut needs_eq = false;
        let found = d.borrow().find_with(hash, |k| {
            simple_key_eq(k, key).unwrap_or_else(|| {
                needs_eq = true;
                false
            })
        });
        if !needs_eq {
            return Ok(found);
        }
        let candidates: smallvec::SmallVec<[usize; 4]> = d.borrow().probe(hash).collect();
        for pos in candidates {
            let stored = match d.borrow().entry_at(pos) {
                Some(e) => e.key.clone(),
                None => continue,
            };
            if self.key_matches(&stored, key)? {
                return Ok(Some(pos));
            }
        }
        Ok(None)
    }

    /// `d[key]` for an exact `dict` and an `int` or `str` key, deciding without running
    /// Python code: `Some(Some(v))` found, `Some(None)` absent, `None` when the general
    /// path must decide (another container or key type, or a candidate key with `__eq__`).
    #[inline]
    pub(crate) fn exact_dict_get(&self, obj: &Value, key: &Value) -> Option<Option<Value>> {
        let Value::Obj(o) = obj else { return None };
        let Payload::Dict(d) = &o.payload else {
            return None;
        };
        if !o
            .class_raw()
            .is_some_and(|c| Rc::ptr_eq(c, &self.types.dict))
        {
            return None;
        }
        let d = d.borrow();
        let hash = match key {
            Value::Str(s) => return d.get_str_key(s).map(|v| v.cloned()),
            Value::Int(i) => crate::hashing::hash_i64(*i),
            _ => return None,
        };
        let mut needs_eq = false;
        let pos = d.find_with(hash, |k| {
            simple_key_eq(k, key).unwrap_or_else(|| {
                needs_eq = true;
                false
            })
        });
        if needs_eq {
            return None;
        }
        Some(pos.and_then(|p| d.value_at(p).cloned()))
    }

    /// `d[key]` without `__missing__`; `None` when absent. Keys may be any hashable
    /// value; for `str` keys [`Vm::dict_get_str`] is simpler.
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// let repr = vm.guarded(|vm| {
    ///     let d = vm.new_dict_from_pairs(vec![Value::Int(1), Value::str("one")])?;
    ///     let dict = d.as_obj().unwrap();
    ///     let origin = vm.new_tuple(vec![Value::Int(0), Value::Int(0)]);
    ///     vm.dict_set(dict, origin, Value::str("origin"))?;
    ///     // Equal keys find the entry: 1.0 == 1.
    ///     let one = vm.dict_lookup(dict, &Value::float(1.0))?.unwrap();
    ///     assert_eq!(one.as_str().unwrap().as_str(), "one");
    ///     assert!(vm.dict_remove(dict, &Value::Int(1))?.is_some());
    ///     assert!(vm.dict_lookup(dict, &Value::Int(1))?.is_none());
    ///     let list = vm.new_list(vec![]);
    ///     let err = vm.dict_set(dict, list, Value::None).err().unwrap();
    ///     assert_eq!(vm.exception_message(&err), "unhashable type: 'list'");
    ///     Ok(vm.repr(&d)?.as_str().to_string())
    /// })?;
    /// assert_eq!(repr, "{(0, 0): 'origin'}");
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn dict_lookup(&mut self, o: &Obj, key: &Value) -> PyResult<Option<Value>> {
        let Payload::Dict(d) = &o.payload else {
            return Ok(None);
        };
        if let Value::Str(s) = key {
            if let Some(v) = d.borrow().get_str_key(s) {
                return Ok(v.cloned());
            }
        }
        let hash = self.hash(key)?;
        self.dict_lookup_hashed(o, hash, key)
    }

    /// [`Vm::dict_lookup`] of a key whose hash is known (a stored one, or one computed
    /// for a following [`Vm::dict_set_hashed`]), so `__hash__` is not called again.
    pub fn dict_lookup_hashed(
        &mut self,
        o: &Obj,
        hash: i64,
        key: &Value,
    ) -> PyResult<Option<Value>> {
        let Payload::Dict(d) = &o.payload else {
            return Ok(None);
        };
        Ok(self
            .dict_find(d, hash, key)?
            .and_then(|p| d.borrow().entry_at(p).map(|e| e.value.clone())))
    }

    /// `d[key] = value`; see the example of [`Vm::dict_lookup`].
    pub fn dict_set(&mut self, o: &Obj, key: Value, value: Value) -> PyResult<()> {
        let Payload::Dict(d) = &o.payload else {
            return Ok(());
        };
        if let Value::Str(s) = &key {
            let found = d.borrow().find_str_key(s);
            match found {
                StrFind::Found(p) => {
                    let old = d.borrow_mut().replace_value_at(p, value);
                    drop(old);
                    return Ok(());
                }
                StrFind::Absent => {
                    d.borrow_mut().push(s.hash(), key, value);
                    return Ok(());
                }
                StrFind::Unknown => {}
            }
        }
        let hash = self.hash(&key)?;
        self.dict_set_hashed(o, hash, key, value)
    }

    /// [`Vm::dict_set`] of a key whose hash is known, as CPython's `insertdict` with a
    /// stored hash (`dict.update(other_dict)`, `setdefault`).
    pub fn dict_set_hashed(
        &mut self,
        o: &Obj,
        hash: i64,
        key: Value,
        value: Value,
    ) -> PyResult<()> {
        let Payload::Dict(d) = &o.payload else {
            return Ok(());
        };
        match self.dict_find(d, hash, &key)? {
            Some(p) => d.borrow_mut().set_value_at(p, value),
            None => d.borrow_mut().push(hash, key, value),
        }
        Ok(())
    }

    /// `d.setdefault(key, default)`: the value stored under `key`, else `default` newly
    /// stored there, with one `__hash__` call and one probe, as CPython.
    pub(crate) fn dict_setdefault(&mut self, o: &Obj, key: Value, default: Value) -> PyResult {
        let Payload::Dict(d) = &o.payload else {
            return Ok(default);
        };
        let hash = self.hash(&key)?;
        if let Some(p) = self.dict_find(d, hash, &key)? {
            if let Some(e) = d.borrow().entry_at(p) {
                return Ok(e.value.clone());
            }
        }
        d.borrow_mut().push(hash, key, default.clone());
        Ok(default)
    }

    /// Removes `key`; returns its value, `None` when absent. See the example of
    /// [`Vm::dict_lookup`].
    pub fn dict_remove(&mut self, o: &Obj, key: &Value) -> PyResult<Option<Value>> {
        let Payload::Dict(d) = &o.payload else {
            return Ok(None);
        };
        let hash = self.hash(key)?;
        match self.dict_find(d, hash, key)? {
            Some(p) => Ok(Some(d.borrow_mut().remove_at(p).value)),
            None => Ok(None),
        }
    }

    /// Moves `key` to the end of the dict's order, or (`last` false) to its front
    /// (`OrderedDict.move_to_end`); `false` when the key is absent.
    pub fn dict_move_to_end(&mut self, o: &Obj, key: &Value, last: bool) -> PyResult<bool> {
        let Payload::Dict(d) = &o.payload else {
            return Ok(false);
        };
        let hash = self.hash(key)?;
        match self.dict_find(d, hash, key)? {
            Some(p) => {
                d.borrow_mut().move_to_end(p, last);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Looks `key` up in a set, comparing without holding the table borrow (an `__eq__`
    /// may touch the set; a changed table restarts the search, as CPython does).
    fn set_lookup(&mut self, s: &RefCell<SetData>, hash: i64, key: &Value) -> PyResult<SetFind> {
        'restart: loop {
            let mut lk = s.borrow().table.lookup(hash);
            loop {
                let step = s.borrow().table.lookup_next(&mut lk);
                match step {
                    LookupStep::Vacant => return Ok(SetFind::Absent(lk)),
                    LookupStep::Candidate(pos) => {
                        let stored = s.borrow().table.key_at(pos).cloned();
                        let Some(stored) = stored else { continue };
                        let equal = self.key_matches(&stored, key)?;
                        if s.borrow().table.lookup_is_stale(&lk) {
                            continue 'restart;
                        }
                        if equal {
                            return Ok(SetFind::Found(pos));
                        }
                    }
                }
            }
        }
    }

    /// `key in s`; see the example of [`Vm::new_set_from`].
    pub fn set_contains(&mut self, o: &Obj, key: &Value) -> PyResult<bool> {
        if !matches!(o.payload, Payload::Set(_)) {
            return Ok(false);
        }
        let hash = match self.hash(key) {
            Ok(h) => h,
            Err(e) => {
                // A set key: `{1} in s` compares a frozenset.
                if let Some(Payload::Set(_)) = key.payload() {
                    let fz = self.frozenset_of(key)?;
                    return self.set_contains(o, &fz);
                }
                return Err(e);
            }
        };
        self.set_contains_hashed(o, hash, key)
    }

    /// `key in s` for a key whose hash is known (an element of another set), as CPython's
    /// `set_contains_entry`.
    pub(crate) fn set_contains_hashed(
        &mut self,
        o: &Obj,
        hash: i64,
        key: &Value,
    ) -> PyResult<bool> {
        let Payload::Set(s) = &o.payload else {
            return Ok(false);
        };
        Ok(matches!(self.set_lookup(s, hash, key)?, SetFind::Found(_)))
    }

    /// `s.add(key)`; see the example of [`Vm::new_set_from`].
    pub fn set_add(&mut self, sv: &Value, key: Value) -> PyResult<()> {
        let Some(Payload::Set(s)) = sv.payload() else {
            return Ok(());
        };
        let hash = self.hash(&key)?;
        if let SetFind::Absent(lk) = self.set_lookup(s, hash, &key)? {
            s.borrow_mut().table.insert_vacant(&lk, key);
        }
        Ok(())
    }

    /// `s.discard(key)`; true when it was present. See the example of
    /// [`Vm::new_set_from`].
    pub fn set_discard(&mut self, sv: &Value, key: &Value) -> PyResult<bool> {
        let Some(Payload::Set(s)) = sv.payload() else {
            return Ok(false);
        };
        let hash = self.hash(key)?;
        match self.set_lookup(s, hash, key)? {
            SetFind::Found(p) => {
                s.borrow_mut().table.remove_at(p);
                Ok(true)
            }
            SetFind::Absent(_) => Ok(false),
        }
    }

    /// A frozenset with the same elements as the set `v`; see the example of
    /// [`Vm::new_set_from`].
    pub fn frozenset_of(&mut self, v: &Value) -> PyResult {
        let items = self.collect(v)?;
        let out = self.new_set_value(&self.types.frozenset.clone());
        for i in items {
            self.set_add(&out, i)?;
        }
        Ok(out)
    }

    /// An empty set (or frozenset) of class `cls`; see the example of [`Vm::new_set_from`].
    pub fn new_set_value(&self, cls: &Obj) -> Value {
        Value::Obj(self.track(Object::new(
            cls.clone(),
            Payload::Set(Box::new(RefCell::new(SetData::new()))),
        )))
    }

    /// A set of `items` (raising `TypeError` for an unhashable one).
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.guarded(|vm| {
    ///     let tags = vm.new_set_from(vec![
    ///         Value::str("red"),
    ///         Value::str("blue"),
    ///         Value::str("red"),
    ///     ])?;
    ///     assert_eq!(vm.len(&tags)?, 2);
    ///     vm.set_add(&tags, Value::str("green"))?;
    ///     assert!(vm.set_discard(&tags, &Value::str("red"))?);
    ///     assert!(!vm.set_discard(&tags, &Value::str("pink"))?);
    ///     assert!(vm.set_contains(tags.as_obj().unwrap(), &Value::str("green"))?);
    ///     let frozen = vm.frozenset_of(&tags)?;
    ///     assert_eq!(vm.type_name(&frozen), "frozenset");
    ///     assert!(vm.eq(&frozen, &tags)?);
    ///     let empty = vm.new_set_value(&vm.types.set.clone());
    ///     assert_eq!(vm.len(&empty)?, 0);
    ///     Ok(())
    /// })?;
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn new_set_from(&mut self, items: Vec<Value>) -> PyResult {
        let s = self.new_set_value(&self.types.set.clone());
        for i in items {
            self.set_add(&s, i)?;
        }
        Ok(s)
    }

    /// A set display of three or more constants, built as CPython 3.11 builds it: a
    /// frozenset constant (items added in source order), rebuilt by the compiler's constant
    /// merging in that table's order, then merged into an empty set. Internal: for the
    /// interpreter.
    pub(crate) fn new_set_from_constants(&mut self, items: Vec<Value>) -> PyResult {
        let mut first = crate::table::SetTable::new();
        for i in items {
            let h = self.hash(&i)?;
            first.insert(h, i, |a, b| self.key_matches(a, b))?;
        }
        let mut second = crate::table::SetTable::new();
        for (h, k) in first.entries() {
            second.insert(h, k.clone(), |a, b| self.key_matches(a, b))?;
        }
        let mut result = crate::table::SetTable::new();
        result.merge(&second, |a, b| self.key_matches(a, b))?;
        let cls = self.types.set.clone();
        Ok(Value::Obj(self.track(Object::new(
            cls,
            Payload::Set(Box::new(RefCell::new(SetData::from_table(result)))),
        ))))
    }

    /// A dict from alternating keys and values; see the example of [`Vm::dict_lookup`].
    pub fn new_dict_from_pairs(&mut self, items: Vec<Value>) -> PyResult {
        let d = self.new_dict(Dict::with_capacity(items.len() / 2));
        let mut it = items.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            self.dict_set(&d, k, v)?;
        }
        Ok(Value::Obj(d))
    }

    /// `slice(start, stop, step)`; see the example of [`Vm::getitem`].
    pub fn new_slice(&self, start: Value, stop: Value, step: Value) -> Value {
        Value::Obj(Rc::new(Object::new(
            self.types.slice.clone(),
            Payload::Slice(Box::new([start, stop, step])),
        )))
    }

    /// Whether the class of `m` (a dict subclass instance) inherits `dict.__iter__`.
    fn keeps_dict_iter(&self, m: &Value) -> bool {
        let name = self.names.__iter__.clone();
        let mine = crate::types::lookup(self.class_of(m), &name);
        let dicts = crate::types::lookup(&self.types.dict, &name);
        match (mine, dicts) {
            (Some(Value::Obj(a)), Some(Value::Obj(b))) => std::rc::Rc::ptr_eq(&a, &b),
            _ => false,
        }
    }

    /// `d.update(m)` (`merge`: reject duplicate keys, as `f(**a, **b)` does). Internal: for
    /// the interpreter and `dict.update`.
    pub(crate) fn dict_update_from(
        &mut self,
        d: &Value,
        m: &Value,
        call: Option<&Value>,
    ) -> PyResult<()> {
        let Value::Obj(dobj) = d else { return Ok(()) };
        // The source's stored hash goes along when it has one.
        let pairs: Vec<(Option<i64>, Value, Value)> = match m.payload() {
            // CPython's dict_merge: a dict whose class keeps dict's `__iter__` is copied
            // entry by entry (with its stored hashes), whatever its `keys` or `__getitem__`.
            Some(Payload::Dict(src)) if !self.is_heap(m) || self.keeps_dict_iter(m) => src
                .borrow()
                .iter()
                .map(|e| (Some(e.hash), e.key.clone(), e.value.clone()))
                .collect(),
            _ => {
                let keys_name = self.names.keys.clone();
                let Some(keys) = self.get_attr_opt(m, &keys_name)? else {
                    let msg = match call {
                        Some(callee) => format!(
                            "{} argument after ** must be a mapping, not {}",
                            self.function_str(callee)?,
                            self.type_name(m)
                        ),
                        None => format!("'{}' object is not a mapping", self.type_name(m)),
                    };
                    return Err(self.new_type_error(msg));
                };
                let keys = self.call(&keys, &[], &[])?;
                let keys = self.collect(&keys)?;
                let mut out = Vec::new();
                for k in keys {
                    let v = self.getitem(m, &k)?;
                    out.push((None, k, v));
                }
                out
            }
        };
        for (hash, k, v) in pairs {
            if let Some(callee) = call {
                if k.as_str().is_none() {
                    return Err(self.new_type_error("keywords must be strings"));
                }
                if self.dict_lookup(dobj, &k)?.is_some() {
                    let ks = self.to_str(&k)?;
                    let name = self.function_str(callee)?;
                    return Err(self.new_type_error(format!(
                        "{name} got multiple values for keyword argument '{}'",
                        ks.as_str()
                    )));
                }
            }
            match hash {
                Some(h) => self.dict_set_hashed(dobj, h, k, v)?,
                None => self.dict_set(dobj, k, v)?,
            }
        }
        Ok(())
    }
}
