//! The charmap codecs of `_codecs` (what `cp1252` and the other 8-bit codecs of
//! `encodings` are made of): decoding through a 256-character table or a mapping of byte
//! values, encoding through a mapping of code points (`charmap_build` makes one from a
//! table; here it is a dict), with the `'charmap'` errors of CPython.

use super::{errors_arg, pair, positional, text_arg};
use aio_vm::builtins::codecs::{decode, encode_with, Codec, Errors};
use aio_vm::module::new_bytes;
use aio_vm::native::Args;
use aio_vm::object::Payload;
use aio_vm::{PyResult, Value, Vm};

/// The reason of every charmap error.
const UNDEFINED: &str = "character maps to <undefined>";

/// `mapping[key]`, `None` when the lookup raises `LookupError` (an undefined entry).
fn lookup(vm: &mut Vm, mapping: &Value, key: u32) -> PyResult<Option<Value>> {
    match vm.getitem(mapping, &Value::Int(i64::from(key))) {
        Ok(v) => Ok(Some(v)),
        Err(e) if vm.isinstance(&Value::Obj(e.clone()), &vm.exc.lookup_error.clone()) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `charmap_decode(data, errors=None, mapping=None)`: Latin-1 without a mapping; with a
/// str, byte `n` is its character `n` (`'\ufffe'` or beyond its end: undefined); else
/// `mapping[n]` is a code point, a str or `None`.
pub(super) fn charmap_decode(vm: &mut Vm, a: Args) -> PyResult {
    positional(vm, &a, "charmap_decode", 1, 3)?;
    let data = aio_vm::builtins::bytes_like(vm, &a.pos[0])?;
    let errors = errors_arg(vm, &a, "charmap_decode", 1)?;
    let mut errors = Errors::new(&errors);
    let mapping = a.get(2).cloned().unwrap_or(Value::None);
    if mapping.is_none() {
        let (text, used) = decode(vm, &data, Codec::Latin1, &mut errors, true)?;
        return Ok(pair(vm, Value::str(text), used));
    }
    let table: Option<Vec<char>> = mapping.as_str().map(|s| s.as_str().chars().collect());
    let mut out = String::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        let byte = data[i];
        let mapped = match &table {
            Some(t) => t
                .get(usize::from(byte))
                .filter(|&&c| c != '\u{FFFE}')
                .map(|&c| c.to_string()),
            None => match lookup(vm, &mapping, u32::from(byte))? {
                None | Some(Value::None) => None,
                Some(Value::Int(n)) => match u32::try_from(n).ok().and_then(char::from_u32) {
                    Some('\u{FFFE}') => None,
                    Some(c) => Some(c.to_string()),
                    None => {
                        return Err(
                            vm.new_type_error("character mapping must be in range(0x110000)")
                        )
                    }
                },
                Some(v) => match v.as_str() {
                    Some(s) => Some(s.as_str().to_string()),
                    None => {
                        return Err(
                            vm.new_type_error("character mapping must return integer, None or str")
                        )
                    }
                },
            },
        };
        match mapped {
            Some(s) => {
                out.push_str(&s);
                i += 1;
            }
            None => i = errors.on_decode(vm, "charmap", &data, i, i + 1, UNDEFINED, &mut out)?,
        }
    }
    Ok(pair(vm, Value::str(out), data.len()))
}

/// `charmap_encode(str, errors=None, mapping=None)`: Latin-1 without a mapping; else
/// `mapping[ord(c)]` is a byte value, bytes or `None`.
pub(super) fn charmap_encode(vm: &mut Vm, a: Args) -> PyResult {
    positional(vm, &a, "charmap_encode", 1, 3)?;
    let s = text_arg(vm, &a, "charmap_encode")?;
    let errors = errors_arg(vm, &a, "charmap_encode", 1)?;
    let mut errors = Errors::new(&errors);
    let mapping = a.get(2).cloned().unwrap_or(Value::None);
    let out = encode_with(
        vm,
        s.as_str(),
        "charmap",
        &mut errors,
        UNDEFINED,
        |vm, c, out| {
            if mapping.is_none() {
                let ok = (c as u32) < 0x100;
                if ok {
                    out.push(c as u8);
                }
                return Ok(ok);
            }
            match lookup(vm, &mapping, c as u32)? {
                None | Some(Value::None) => Ok(false),
                Some(Value::Int(n)) => match u8::try_from(n) {
                    Ok(b) => {
                        out.push(b);
                        Ok(true)
                    }
                    Err(_) => Err(vm.new_type_error("character mapping must be in range(256)")),
                },
                Some(v) => match v.payload() {
                    Some(Payload::Bytes(b)) => {
                        out.extend_from_slice(b);
                        Ok(true)
                    }
                    _ => {
                        let t = vm.type_name(&v);
                        Err(vm.new_type_error(format!(
                            "character mapping must return integer, bytes or None, not {t}"
                        )))
                    }
                },
            }
        },
    )?;
    let out = new_bytes(vm, out);
    Ok(pair(vm, out, s.len()))
}

/// `charmap_build(map)`: the encoding mapping of a decoding table, `{ord(c): i}`.
pub(super) fn charmap_build(vm: &mut Vm, a: Args) -> PyResult {
    positional(vm, &a, "charmap_build", 1, 1)?;
    let Some(table) = a.pos[0].as_str() else {
        let t = vm.type_name(&a.pos[0]);
        return Err(vm.new_type_error(format!("charmap_build() argument must be str, not {t}")));
    };
    let d = Value::Obj(vm.new_dict(aio_vm::dict::Dict::new()));
    for (i, c) in table.as_str().chars().enumerate() {
        vm.setitem(&d, Value::Int(i64::from(c as u32)), Value::Int(i as i64))?;
    }
    Ok(d)
}
