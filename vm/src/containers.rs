//! Dict and set operations that need the VM: hashing keys and comparing them with `__eq__`
//! (which can run Python code, so no table borrow is held across a comparison).

use crate::dict::Dict;
use crate::object::{Object, Payload};
use crate::set::SetData;
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
        (Value::Int(x), Value::Bool(y)) | (Value::Bool(y), Value::Int(x)) => Some(*x == *y as i64),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::Float(x), Value::Float(y)) => Some(x == y || x.to_bits() == y.to_bits()),
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => {
            Some((*x as f64) == *y && (*y as i64) == *x)
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

impl Vm {
    fn key_matches(&mut self, stored: &Value, key: &Value) -> PyResult<bool> {
        match simple_key_eq(stored, key) {
            Some(b) => Ok(b),
            None => self.eq(stored, key),
        }
    }

    fn dict_find(&mut self, d: &RefCell<Dict>, hash: i64, key: &Value) -> PyResult<Option<usize>> {
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

    /// `d[key]` without `__missing__`; `None` when absent.
    pub fn dict_lookup(&mut self, o: &Obj, key: &Value) -> PyResult<Option<Value>> {
        let Payload::Dict(d) = &o.payload else {
            return Ok(None);
        };
        if let Value::Str(s) = key {
            return Ok(d.borrow().get_str(s).cloned());
        }
        let hash = self.hash(key)?;
        Ok(self
            .dict_find(d, hash, key)?
            .and_then(|p| d.borrow().entry_at(p).map(|e| e.value.clone())))
    }

    /// `d[key] = value`.
    pub fn dict_set(&mut self, o: &Obj, key: Value, value: Value) -> PyResult<()> {
        let Payload::Dict(d) = &o.payload else {
            return Ok(());
        };
        if let Value::Str(s) = &key {
            d.borrow_mut().set_str(s.clone(), value);
            return Ok(());
        }
        let hash = self.hash(&key)?;
        match self.dict_find(d, hash, &key)? {
            Some(p) => d.borrow_mut().set_value_at(p, value),
            None => d.borrow_mut().push(hash, key, value),
        }
        Ok(())
    }

    /// Removes `key`; returns its value, `None` when absent.
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

    fn set_find(
        &mut self,
        s: &RefCell<SetData>,
        hash: i64,
        key: &Value,
    ) -> PyResult<Option<usize>> {
        let candidates: smallvec::SmallVec<[usize; 4]> = s.borrow().probe(hash).collect();
        for pos in candidates {
            let stored = match s.borrow().key_at(pos) {
                Some(k) => k.clone(),
                None => continue,
            };
            if self.key_matches(&stored, key)? {
                return Ok(Some(pos));
            }
        }
        Ok(None)
    }

    /// `key in s`.
    pub fn set_contains(&mut self, o: &Obj, key: &Value) -> PyResult<bool> {
        let Payload::Set(s) = &o.payload else {
            return Ok(false);
        };
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
        Ok(self.set_find(s, hash, key)?.is_some())
    }

    /// `s.add(key)`.
    pub fn set_add(&mut self, sv: &Value, key: Value) -> PyResult<()> {
        let Some(Payload::Set(s)) = sv.payload() else {
            return Ok(());
        };
        let hash = self.hash(&key)?;
        if self.set_find(s, hash, &key)?.is_none() {
            s.borrow_mut().push(hash, key);
        }
        Ok(())
    }

    /// `s.discard(key)`; true when it was present.
    pub fn set_discard(&mut self, sv: &Value, key: &Value) -> PyResult<bool> {
        let Some(Payload::Set(s)) = sv.payload() else {
            return Ok(false);
        };
        let hash = self.hash(key)?;
        match self.set_find(s, hash, key)? {
            Some(p) => {
                s.borrow_mut().remove_at(p);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// A frozenset with the same elements as the set `v`.
    pub fn frozenset_of(&mut self, v: &Value) -> PyResult {
        let items = self.collect(v)?;
        let out = self.new_set_value(&self.types.frozenset.clone());
        for i in items {
            self.set_add(&out, i)?;
        }
        Ok(out)
    }

    /// An empty set (or frozenset) of class `cls`.
    pub fn new_set_value(&self, cls: &Obj) -> Value {
        Value::Obj(self.track(Object::new(
            cls.clone(),
            Payload::Set(RefCell::new(SetData::new())),
        )))
    }

    /// A set of `items`.
    pub fn new_set_from(&mut self, items: Vec<Value>) -> PyResult {
        let s = self.new_set_value(&self.types.set.clone());
        for i in items {
            self.set_add(&s, i)?;
        }
        Ok(s)
    }

    /// A dict from alternating keys and values.
    pub fn new_dict_from_pairs(&mut self, items: Vec<Value>) -> PyResult {
        let d = self.new_dict(Dict::with_capacity(items.len() / 2));
        let mut it = items.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            self.dict_set(&d, k, v)?;
        }
        Ok(Value::Obj(d))
    }

    /// `slice(start, stop, step)`.
    pub fn new_slice(&self, start: Value, stop: Value, step: Value) -> Value {
        Value::Obj(Rc::new(Object::new(
            self.types.slice.clone(),
            Payload::Slice(Box::new([start, stop, step])),
        )))
    }

    /// `d.update(m)` (`merge`: reject duplicate keys, as `f(**a, **b)` does).
    pub fn dict_update_from(&mut self, d: &Value, m: &Value, merge: bool) -> PyResult<()> {
        let Value::Obj(dobj) = d else { return Ok(()) };
        let pairs: Vec<(Value, Value)> = match m.payload() {
            Some(Payload::Dict(src))
                if !self.is_heap(m)
                    || self
                        .lookup_dunder(&self.class_of(m).clone(), "keys")
                        .is_none() =>
            {
                src.borrow()
                    .iter()
                    .map(|e| (e.key.clone(), e.value.clone()))
                    .collect()
            }
            _ => {
                let keys_name = self.names.keys.clone();
                let Some(keys) = self.get_attr_opt(m, &keys_name)? else {
                    return Err(self.new_type_error(format!(
                        "'{}' object is not a mapping",
                        self.type_name(m)
                    )));
                };
                let keys = self.call(&keys, &[], &[])?;
                let keys = self.collect(&keys)?;
                let mut out = Vec::new();
                for k in keys {
                    let v = self.getitem(m, &k)?;
                    out.push((k, v));
                }
                out
            }
        };
        for (k, v) in pairs {
            if merge {
                if self.dict_lookup(dobj, &k)?.is_some() {
                    let ks = self.to_str(&k)?;
                    return Err(self.new_type_error(format!(
                        "__main__ got multiple values for keyword argument '{}'",
                        ks.as_str()
                    )));
                }
                if k.as_str().is_none() {
                    return Err(self.new_type_error("keywords must be strings"));
                }
            }
            self.dict_set(dobj, k, v)?;
        }
        Ok(())
    }
}
