//! The run-time side of `match`: mapping and sequence tests, key extraction, class
//! patterns with `__match_args__`.

use crate::object::Payload;
use crate::types::lookup;
use crate::value::Value;
use crate::vm::{PyResult, Vm};

impl Vm {
    /// `MatchMapping`: dicts and classes registered as mappings.
    pub(crate) fn is_mapping(&self, v: &Value) -> bool {
        matches!(v.payload(), Some(Payload::Dict(_)))
    }

    /// `MatchSequence`: lists, tuples, ranges and other sequences except str/bytes.
    pub(crate) fn is_sequence(&self, v: &Value) -> bool {
        matches!(
            v.payload(),
            Some(Payload::List(_))
                | Some(Payload::Tuple(_))
                | Some(Payload::Range(_) | Payload::BigRange(_))
        )
    }

    /// `MatchKeys`: a tuple of the values for `keys`, or `None` when one is missing.
    pub(crate) fn match_keys(&mut self, subject: &Value, keys: &Value) -> PyResult {
        let keys = self.collect(keys)?;
        let Value::Obj(d) = subject else {
            return Ok(Value::None);
        };
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            match self.dict_lookup(d, &k)? {
                Some(v) => out.push(v),
                None => return Ok(Value::None),
            }
        }
        Ok(self.new_tuple(out))
    }

    /// `MatchClass`: the attributes named by the positional (`__match_args__`) and keyword
    /// sub-patterns, or `None` when the subject is not an instance.
    pub(crate) fn match_class(
        &mut self,
        subject: &Value,
        cls: &Value,
        npos: usize,
        names: &Value,
    ) -> PyResult {
        let Value::Obj(c) = cls else {
            return Err(self.new_type_error("called match pattern must be a type"));
        };
        if !matches!(c.payload, Payload::Type(_)) {
            return Err(self.new_type_error("called match pattern must be a type"));
        }
        if !self.isinstance(subject, c) {
            return Ok(Value::None);
        }
        let mut attrs = Vec::new();
        let cname = crate::types::type_name(c);
        // As CPython's `match_class_attr`: each attribute is named once, and a missing one
        // ends the match (later ones are not looked at).
        let mut seen: Vec<std::rc::Rc<crate::str::Str>> = Vec::new();
        let mut fetch =
            |vm: &mut Vm, name: std::rc::Rc<crate::str::Str>| -> PyResult<Option<Value>> {
                if seen.iter().any(|n| n.as_str() == name.as_str()) {
                    return Err(vm.new_type_error(format!(
                        "{cname}() got multiple sub-patterns for attribute {}",
                        crate::builtins::str_repr(name.as_str())
                    )));
                }
                seen.push(name.clone());
                vm.get_attr_opt(subject, &name)
            };
        if npos > 0 {
            let ma = self.intern("__match_args__");
            // CPython's `_Py_TPFLAGS_MATCH_SELF`: these types and their subclasses match
            // one positional sub-pattern against the subject itself.
            let t = &self.types;
            let match_self = [
                &t.bool,
                &t.bytearray,
                &t.bytes,
                &t.dict,
                &t.float,
                &t.frozenset,
                &t.int,
                &t.list,
                &t.set,
                &t.str,
                &t.tuple,
            ]
            .into_iter()
            .any(|b| crate::types::is_subtype(c, b));
            match lookup(c, &ma) {
                Some(m) => {
                    let Some(Payload::Tuple(items)) = m.payload() else {
                        return Err(self.new_type_error(format!(
                            "{cname}.__match_args__ must be a tuple (got {})",
                            self.type_name(&m)
                        )));
                    };
                    let names = items.to_vec();
                    if npos > names.len() {
                        return Err(self.new_type_error(format!(
                            "{cname}() accepts {} positional sub-pattern{} ({npos} given)",
                            names.len(),
                            if names.len() == 1 { "" } else { "s" }
                        )));
                    }
                    for n in names.into_iter().take(npos) {
                        let Some(s) = n.as_str().cloned() else {
                            return Err(self.new_type_error(format!(
                                "__match_args__ elements must be strings (got {})",
                                self.type_name(&n)
                            )));
                        };
                        match fetch(self, s)? {
                            Some(v) => attrs.push(v),
                            None => return Ok(Value::None),
                        }
                    }
                }
                None if match_self && npos == 1 => attrs.push(subject.clone()),
                None => {
                    let allowed = usize::from(match_self);
                    return Err(self.new_type_error(format!(
                        "{cname}() accepts {allowed} positional sub-pattern{} ({npos} given)",
                        if allowed == 1 { "" } else { "s" }
                    )));
                }
            }
        }
        for n in self.collect(names)? {
            let Some(s) = n.as_str().cloned() else {
                continue;
            };
            match fetch(self, s)? {
                Some(v) => attrs.push(v),
                None => return Ok(Value::None),
            }
        }
        Ok(self.new_tuple(attrs))
    }

    /// `CopyDictWithoutKeys`: `**rest` of a mapping pattern.
    pub(crate) fn copy_dict_without_keys(&mut self, subject: &Value, keys: &Value) -> PyResult {
        let d = crate::builtins::copy_dict_value(self, subject)?;
        let Value::Obj(dobj) = &d else { return Ok(d) };
        for k in self.collect(keys)? {
            self.dict_remove(dobj, &k)?;
        }
        Ok(d)
    }
}
