//! `bytes` and `bytearray`: constructors, common methods, concatenation and membership.

use super::{def_method, def_static};
use crate::code::BinOp;
use crate::native::Args;
use crate::object::{Object, Payload};
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;

pub(super) fn install(vm: &mut Vm) {
    let b = vm.types.bytes.clone();
    def_static(vm, &b, "__new__", bytes_new);
    let ba = vm.types.bytearray.clone();
    def_static(vm, &ba, "__new__", bytearray_new);
    for cls in [b, ba.clone()] {
        def_method(vm, &cls, "decode", decode);
        def_method(vm, &cls, "hex", hex);
        def_method(vm, &cls, "startswith", startswith);
        def_method(vm, &cls, "endswith", endswith);
        def_method(vm, &cls, "find", find);
        def_method(vm, &cls, "count", count);
        def_method(vm, &cls, "join", join);
        def_method(vm, &cls, "split", split);
        def_method(vm, &cls, "strip", strip);
        def_method(vm, &cls, "upper", upper);
        def_method(vm, &cls, "lower", lower);
        def_method(vm, &cls, "replace", replace);
    }
    def_method(vm, &ba, "append", append);
    def_method(vm, &ba, "extend", extend);
}

/// The bytes of a `bytes` or `bytearray` value.
pub fn as_bytes(v: &Value) -> Option<Vec<u8>> {
    match v.payload()? {
        Payload::Bytes(b) => Some(b.to_vec()),
        Payload::ByteArray(b) => Some(b.borrow().clone()),
        _ => None,
    }
}

/// A new bytearray.
pub fn new_bytearray(vm: &Vm, b: Vec<u8>) -> Value {
    Value::Obj(vm.track(Object::new(
        vm.types.bytearray.clone(),
        Payload::ByteArray(RefCell::new(b)),
    )))
}

fn make_bytes(vm: &mut Vm, src: Option<&Value>, encoding: Option<&Value>) -> PyResult<Vec<u8>> {
    let Some(src) = src else {
        return Ok(Vec::new());
    };
    if let Some(s) = src.as_str() {
        let Some(enc) = encoding else {
            return Err(vm.new_type_error("string argument without an encoding"));
        };
        let m = vm.intern("encode");
        let f = vm.get_attr(&Value::Str(s.clone()), &m)?;
        let r = vm.call(&f, &[enc.clone()], &[])?;
        return Ok(as_bytes(&r).unwrap_or_default());
    }
    if let Value::Int(n) = src {
        if *n < 0 {
            return Err(vm.new_value_error("negative count"));
        }
        return Ok(vec![0; *n as usize]);
    }
    if let Some(b) = as_bytes(src) {
        return Ok(b);
    }
    let items = vm.collect(src).map_err(|_| {
        vm.new_type_error(format!(
            "cannot convert '{}' object to bytes",
            vm.type_name(src)
        ))
    })?;
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        let n = super::int::index_of(vm, &i)?;
        if !(0..256).contains(&n) {
            return Err(vm.new_value_error("bytes must be in range(0, 256)"));
        }
        out.push(n as u8);
    }
    Ok(out)
}

fn bytes_new(vm: &mut Vm, a: Args) -> PyResult {
    let b = make_bytes(vm, a.arg(1, "source"), a.arg(2, "encoding"))?;
    Ok(super::bytes_const(&vm.types, b))
}

fn bytearray_new(vm: &mut Vm, a: Args) -> PyResult {
    let b = make_bytes(vm, a.arg(1, "source"), a.arg(2, "encoding"))?;
    Ok(new_bytearray(vm, b))
}

fn same_kind(vm: &Vm, like: &Value, b: Vec<u8>) -> Value {
    match like.payload() {
        Some(Payload::ByteArray(_)) => new_bytearray(vm, b),
        _ => super::bytes_const(&vm.types, b),
    }
}

fn decode(vm: &mut Vm, a: Args) -> PyResult {
    let b = as_bytes(&a.pos[0]).unwrap_or_default();
    let enc = a
        .arg(1, "encoding")
        .and_then(|e| e.as_str().map(|s| s.as_str().to_lowercase()))
        .unwrap_or_else(|| "utf-8".into());
    match enc.as_str() {
        "utf-8" | "utf8" => match String::from_utf8(b.clone()) {
            Ok(s) => Ok(Value::str(s)),
            Err(e) => {
                let pos = e.utf8_error().valid_up_to();
                Err(vm.new_exception_msg(
                    &vm.exc.unicode_decode_error.clone(),
                    format!("'utf-8' codec can't decode byte 0x{:02x} in position {pos}: invalid start byte", b[pos]),
                ))
            }
        },
        "ascii" | "latin-1" | "latin1" => {
            Ok(Value::str(b.iter().map(|&c| c as char).collect::<String>()))
        }
        _ => Err(vm.new_exception_msg(
            &vm.exc.lookup_error.clone(),
            format!("unknown encoding: {enc}"),
        )),
    }
}

fn hex(_vm: &mut Vm, a: Args) -> PyResult {
    let b = as_bytes(&a.pos[0]).unwrap_or_default();
    Ok(Value::str(
        b.iter().map(|c| format!("{c:02x}")).collect::<String>(),
    ))
}

fn arg_bytes(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    as_bytes(v).ok_or_else(|| {
        vm.new_type_error(format!(
            "a bytes-like object is required, not '{}'",
            vm.type_name(v)
        ))
    })
}

fn startswith(vm: &mut Vm, a: Args) -> PyResult {
    let b = as_bytes(&a.pos[0]).unwrap_or_default();
    let p = arg_bytes(vm, &a.pos[1])?;
    Ok(Value::Bool(b.starts_with(&p)))
}

fn endswith(vm: &mut Vm, a: Args) -> PyResult {
    let b = as_bytes(&a.pos[0]).unwrap_or_default();
    let p = arg_bytes(vm, &a.pos[1])?;
    Ok(Value::Bool(b.ends_with(&p)))
}

fn find(vm: &mut Vm, a: Args) -> PyResult {
    let b = as_bytes(&a.pos[0]).unwrap_or_default();
    let p = arg_bytes(vm, &a.pos[1])?;
    Ok(Value::Int(
        b.windows(p.len().max(1))
            .position(|w| w == p.as_slice())
            .map(|i| i as i64)
            .unwrap_or(-1),
    ))
}

fn count(vm: &mut Vm, a: Args) -> PyResult {
    let b = as_bytes(&a.pos[0]).unwrap_or_default();
    let p = arg_bytes(vm, &a.pos[1])?;
    if p.is_empty() {
        return Ok(Value::Int(b.len() as i64 + 1));
    }
    let (mut n, mut i) = (0, 0);
    while i + p.len() <= b.len() {
        if b[i..i + p.len()] == p[..] {
            n += 1;
            i += p.len();
        } else {
            i += 1;
        }
    }
    Ok(Value::Int(n))
}

fn join(vm: &mut Vm, a: Args) -> PyResult {
    let sep = as_bytes(&a.pos[0]).unwrap_or_default();
    let items = vm.collect(&a.pos[1])?;
    let mut out = Vec::new();
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(&sep);
        }
        out.extend(arg_bytes(vm, it)?);
    }
    Ok(same_kind(vm, &a.pos[0], out))
}

fn split(vm: &mut Vm, a: Args) -> PyResult {
    let b = as_bytes(&a.pos[0]).unwrap_or_default();
    let parts: Vec<Vec<u8>> = match a.get(1) {
        Some(sep) if !sep.is_none() => {
            let sep = arg_bytes(vm, sep)?;
            let mut out = Vec::new();
            let mut start = 0;
            let mut i = 0;
            while i + sep.len() <= b.len() && !sep.is_empty() {
                if b[i..i + sep.len()] == sep[..] {
                    out.push(b[start..i].to_vec());
                    i += sep.len();
                    start = i;
                } else {
                    i += 1;
                }
            }
            out.push(b[start..].to_vec());
            out
        }
        _ => b
            .split(|c| c.is_ascii_whitespace())
            .filter(|p| !p.is_empty())
            .map(|p| p.to_vec())
            .collect(),
    };
    let vals = parts
        .into_iter()
        .map(|p| same_kind(vm, &a.pos[0], p))
        .collect();
    Ok(vm.new_list(vals))
}

fn strip(vm: &mut Vm, a: Args) -> PyResult {
    let b = as_bytes(&a.pos[0]).unwrap_or_default();
    let s = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let e = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map(|i| i + 1)
        .unwrap_or(s);
    Ok(same_kind(vm, &a.pos[0], b[s..e.max(s)].to_vec()))
}

fn upper(vm: &mut Vm, a: Args) -> PyResult {
    let b = as_bytes(&a.pos[0]).unwrap_or_default();
    Ok(same_kind(vm, &a.pos[0], b.to_ascii_uppercase()))
}

fn lower(vm: &mut Vm, a: Args) -> PyResult {
    let b = as_bytes(&a.pos[0]).unwrap_or_default();
    Ok(same_kind(vm, &a.pos[0], b.to_ascii_lowercase()))
}

fn replace(vm: &mut Vm, a: Args) -> PyResult {
    let b = as_bytes(&a.pos[0]).unwrap_or_default();
    let old = arg_bytes(vm, &a.pos[1])?;
    let new = arg_bytes(vm, &a.pos[2])?;
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !old.is_empty() && b[i..].starts_with(&old) {
            out.extend_from_slice(&new);
            i += old.len();
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(same_kind(vm, &a.pos[0], out))
}

fn append(vm: &mut Vm, a: Args) -> PyResult {
    let n = super::int::index_of(vm, &a.pos[1])?;
    if !(0..256).contains(&n) {
        return Err(vm.new_value_error("byte must be in range(0, 256)"));
    }
    if let Some(Payload::ByteArray(b)) = a.pos[0].payload() {
        b.borrow_mut().push(n as u8);
    }
    Ok(Value::None)
}

fn extend(vm: &mut Vm, a: Args) -> PyResult {
    let more = make_bytes(vm, Some(&a.pos[1]), None)?;
    if let Some(Payload::ByteArray(b)) = a.pos[0].payload() {
        b.borrow_mut().extend(more);
    }
    Ok(Value::None)
}

/// `+` on bytes.
pub fn bytes_binary(vm: &mut Vm, a: &Value, b: &Value, op: BinOp) -> PyResult<Option<Value>> {
    if op != BinOp::Add {
        return Ok(None);
    }
    match (as_bytes(a), as_bytes(b)) {
        (Some(mut x), Some(y)) => {
            x.extend(y);
            Ok(Some(same_kind(vm, a, x)))
        }
        _ => Ok(None),
    }
}

/// `x in bytes`.
pub fn bytes_contains(vm: &mut Vm, container: &Value, item: &Value) -> PyResult<bool> {
    let b = as_bytes(container).unwrap_or_default();
    if let Value::Int(i) = item {
        return Ok(b.contains(&(*i as u8)) && (0..256).contains(i));
    }
    let p = arg_bytes(vm, item)?;
    Ok(p.is_empty() || b.windows(p.len()).any(|w| w == p.as_slice()))
}
