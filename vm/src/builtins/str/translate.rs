//! `str.maketrans` (one, two or three arguments) and `str.translate`.

use super::this;
use crate::native::{Args, NativeFn, Sig};
use crate::object::Payload;
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use std::collections::HashMap;

pub(super) const METHODS: &[(&str, Sig, NativeFn)] = &[("translate", Sig::O, translate)];

/// `str.maketrans(x[, y[, z]])` (a static method: no receiver).
pub(super) fn maketrans(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "maketrans")?;
    a.check_count(vm, "maketrans", 1, 3)?;
    let mut pairs = Vec::new();
    if a.len() == 1 {
        let Some(Payload::Dict(d)) = a.pos[0].payload() else {
            return Err(
                vm.new_type_error("if you give only one argument to maketrans it must be a dict")
            );
        };
        let items: Vec<(Value, Value)> = d
            .borrow()
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect();
        for (k, v) in items {
            let key = match &k {
                Value::Int(_) | Value::Bool(_) => k.clone(),
                _ => match k.as_str() {
                    Some(s) if s.len() == 1 => Value::Int(s.char_at(0) as i64),
                    Some(_) => {
                        return Err(vm
                            .new_value_error("string keys in translate table must be of length 1"))
                    }
                    None if crate::num::to_bigint(&k).is_some() => k.clone(),
                    None => {
                        return Err(vm
                            .new_type_error("keys in translate table must be strings or integers"))
                    }
                },
            };
            pairs.push(key);
            pairs.push(v);
        }
        return vm.new_dict_from_pairs(pairs);
    }
    let text = |vm: &mut Vm, i: usize, msg: &str| match a.pos[i].as_str() {
        Some(s) => Ok(s.as_str().chars().collect::<Vec<char>>()),
        None => Err(vm.new_type_error(msg.to_string())),
    };
    let x = text(
        vm,
        0,
        "first maketrans argument must be a string if there is a second argument",
    )?;
    let y = text(
        vm,
        1,
        &format!(
            "maketrans() argument 2 must be str, not {}",
            vm.type_name(&a.pos[1])
        ),
    )?;
    if x.len() != y.len() {
        return Err(vm.new_value_error("the first two maketrans arguments must have equal length"));
    }
    for (f, t) in x.iter().zip(&y) {
        pairs.push(Value::Int(*f as i64));
        pairs.push(Value::Int(*t as i64));
    }
    if a.len() == 3 {
        let msg = format!(
            "maketrans() argument 3 must be str, not {}",
            vm.type_name(&a.pos[2])
        );
        for c in text(vm, 2, &msg)? {
            pairs.push(Value::Int(c as i64));
            pairs.push(Value::None);
        }
    }
    vm.new_dict_from_pairs(pairs)
}

/// What `table[ord(c)]` says to do with a character.
#[derive(Clone)]
enum Mapped {
    Keep,
    Delete,
    Char(char),
    Text(std::rc::Rc<crate::str::Str>),
}

fn lookup(vm: &mut Vm, table: &Value, c: char) -> PyResult<Mapped> {
    let key = Value::Int(c as i64);
    // A plain dict is read directly: a missing key raises no `KeyError` to catch.
    let found = match table {
        Value::Obj(o) if matches!(o.payload, Payload::Dict(_)) && !vm.is_heap(table) => {
            vm.dict_lookup(o, &key)?
        }
        _ => match vm.getitem(table, &key) {
            Ok(v) => Some(v),
            Err(e) if vm.is_instance_of(&e, &vm.exc.lookup_error.clone()) => None,
            Err(e) => return Err(e),
        },
    };
    let Some(v) = found else {
        return Ok(Mapped::Keep);
    };
    if v.is_none() {
        return Ok(Mapped::Delete);
    }
    if let Some(s) = v.as_str() {
        return Ok(Mapped::Text(s.clone()));
    }
    if let Some(n) = crate::num::to_bigint(&v) {
        use num_traits::ToPrimitive;
        return match n.to_u32().and_then(char::from_u32) {
            Some(ch) => Ok(Mapped::Char(ch)),
            None if n.to_u32().is_some_and(|n| n < 0x110000) => {
                Err(vm.new_value_error("aio strings cannot hold lone surrogates (U+D800..U+DFFF)"))
            }
            None => Err(vm.new_value_error("character mapping must be in range(0x110000)")),
        };
    }
    Err(vm.new_type_error("character mapping must return integer, None or str"))
}

fn translate(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "translate", 1, 1)?;
    let s = this(vm, &a, "translate")?;
    let table = a.pos[1].clone();
    // Each character is looked up once: ASCII ones in an array, the others in a map.
    let mut ascii: [Option<Mapped>; 128] = std::array::from_fn(|_| None);
    let mut other: HashMap<char, Mapped> = HashMap::new();
    let mut out = String::with_capacity(s.as_str().len());
    for c in s.as_str().chars() {
        let known = if c.is_ascii() {
            ascii[c as usize].clone()
        } else {
            other.get(&c).cloned()
        };
        let m = match known {
            Some(m) => m,
            None => {
                let m = lookup(vm, &table, c)?;
                if c.is_ascii() {
                    ascii[c as usize] = Some(m.clone());
                } else {
                    other.insert(c, m.clone());
                }
                m
            }
        };
        match m {
            Mapped::Keep => out.push(c),
            Mapped::Delete => {}
            Mapped::Char(ch) => out.push(ch),
            Mapped::Text(t) => out.push_str(t.as_str()),
        }
    }
    Ok(Value::str(out))
}
