//! `codecs` and the codec registry: `_codecs` (the functions of CPython's C module: the
//! UTF, ASCII and Latin-1 codecs of `aio_vm::builtins::codecs` as `(result, length)`
//! functions here, the escape codecs in `escape.rs`, the charmap codecs in `charmap.rs`,
//! the built-in error handlers in `handlers.rs`, and the registry itself in `_codecs.aio`),
//! `codecs` (CPython's `Lib/codecs.py`, `codecs.aio`) and the `encodings` package with the
//! codecs of [`encodings`].

mod charmap;
pub mod encodings;
mod escape;
mod handlers;

use aio_vm::builtins::codecs::{decode, encode, Codec, Errors, Order};
use aio_vm::builtins::{bytes_like, module_native};
use aio_vm::module::{new_bytes, to_index_i64, ModuleBuilder};
use aio_vm::native::{Args, NativeImpl};
use aio_vm::{Obj, PyResult, Value, Vm};
use std::rc::Rc;

/// Initialises `_codecs`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    use Order::{Big, Bom, Little};
    // Decoders: the function, its codec, and whether it takes `final`.
    let decoders: [(&'static str, Codec, bool); 11] = [
        ("utf_8_decode", Codec::Utf8, true),
        ("utf_16_decode", Codec::Utf16(Bom), true),
        ("utf_16_le_decode", Codec::Utf16(Little), true),
        ("utf_16_be_decode", Codec::Utf16(Big), true),
        ("utf_32_decode", Codec::Utf32(Bom), true),
        ("utf_32_le_decode", Codec::Utf32(Little), true),
        ("utf_32_be_decode", Codec::Utf32(Big), true),
        ("latin_1_decode", Codec::Latin1, false),
        ("ascii_decode", Codec::Ascii, false),
        ("utf_16_ex_decode", Codec::Utf16(Bom), true),
        ("utf_32_ex_decode", Codec::Utf32(Bom), true),
    ];
    // Encoders: the function, its codec, and whether it takes `byteorder`.
    let encoders: [(&'static str, Codec, bool); 9] = [
        ("utf_8_encode", Codec::Utf8, false),
        ("utf_16_encode", Codec::Utf16(Bom), true),
        ("utf_16_le_encode", Codec::Utf16(Little), false),
        ("utf_16_be_encode", Codec::Utf16(Big), false),
        ("utf_32_encode", Codec::Utf32(Bom), true),
        ("utf_32_le_encode", Codec::Utf32(Little), false),
        ("utf_32_be_encode", Codec::Utf32(Big), false),
        ("latin_1_encode", Codec::Latin1, false),
        ("ascii_encode", Codec::Ascii, false),
    ];
    let mut b = ModuleBuilder::new(vm, m);
    for (name, codec, takes_final) in decoders {
        let imp: NativeImpl = if name.ends_with("_ex_decode") {
            NativeImpl::Closure(Rc::new(move |vm: &mut Vm, a: Args<'_>| {
                ex_decode(vm, a, name, codec)
            }))
        } else {
            NativeImpl::Closure(Rc::new(move |vm: &mut Vm, a: Args<'_>| {
                decode_fn(vm, a, name, codec, takes_final)
            }))
        };
        let f = module_native(b.vm(), "_codecs", name, imp);
        b.set(name, f);
    }
    for (name, codec, takes_order) in encoders {
        let imp = NativeImpl::Closure(Rc::new(move |vm: &mut Vm, a: Args<'_>| {
            encode_fn(vm, a, name, codec, takes_order)
        }));
        let f = module_native(b.vm(), "_codecs", name, imp);
        b.set(name, f);
    }
    b.function("unicode_escape_encode", escape::unicode_escape_encode)
        .function("unicode_escape_decode", escape::unicode_escape_decode)
        .function(
            "raw_unicode_escape_encode",
            escape::raw_unicode_escape_encode,
        )
        .function(
            "raw_unicode_escape_decode",
            escape::raw_unicode_escape_decode,
        )
        .function("charmap_encode", charmap::charmap_encode)
        .function("charmap_decode", charmap::charmap_decode)
        .function("charmap_build", charmap::charmap_build);
    let builtin = handlers::table(b.vm());
    b.set("_builtin_error_handlers", builtin);
    crate::source::run(
        vm,
        m,
        &[("codecs/_codecs.aio", include_str!("_codecs.aio"))],
    )
}

/// Initialises `codecs` (CPython's `Lib/codecs.py`).
pub fn codecs(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    crate::source::run(vm, m, &[("codecs/codecs.aio", include_str!("codecs.aio"))])
}

/// Checks the arguments of a positional-only function of `_codecs` taking `min..=max`.
pub(crate) fn positional(
    vm: &mut Vm,
    a: &Args,
    fname: &str,
    min: usize,
    max: usize,
) -> PyResult<()> {
    a.no_kwargs(vm, fname)?;
    a.check_count(vm, fname, min, max)
}

/// Argument 1 of an encoder: a str, with Argument Clinic's message.
pub(crate) fn text_arg(vm: &mut Vm, a: &Args, fname: &str) -> PyResult<Rc<aio_vm::str::Str>> {
    match a.pos[0].as_str() {
        Some(s) => Ok(s.clone()),
        None => {
            let t = vm.type_name(&a.pos[0]);
            Err(vm.new_type_error(format!("{fname}() argument 1 must be str, not {t}")))
        }
    }
}

/// The `errors` argument at position `i` (`None` or absent: `'strict'`).
pub(crate) fn errors_arg(vm: &mut Vm, a: &Args, fname: &str, i: usize) -> PyResult<String> {
    match a.get(i) {
        None | Some(Value::None) => Ok("strict".to_string()),
        Some(v) => match v.as_str() {
            Some(s) => Ok(s.as_str().to_string()),
            None => {
                let t = vm.type_name(v);
                Err(vm.new_type_error(format!(
                    "{fname}() argument {} must be str or None, not {t}",
                    i + 1
                )))
            }
        },
    }
}

/// An int argument at position `i` (`final`, `byteorder`), `default` when absent.
pub(crate) fn int_arg(vm: &mut Vm, a: &Args, i: usize, default: i64) -> PyResult<i64> {
    match a.get(i) {
        None => Ok(default),
        Some(v) => to_index_i64(vm, v),
    }
}

/// `(result, length)`, what every codec function returns.
pub(crate) fn pair(vm: &mut Vm, result: Value, len: usize) -> Value {
    vm.new_tuple(vec![result, Value::Int(len as i64)])
}

/// `utf_8_decode(data, errors=None, final=False)` and the other decoders.
fn decode_fn(vm: &mut Vm, a: Args, fname: &str, codec: Codec, takes_final: bool) -> PyResult {
    positional(vm, &a, fname, 1, if takes_final { 3 } else { 2 })?;
    let data = bytes_like(vm, &a.pos[0])?;
    let errors = errors_arg(vm, &a, fname, 1)?;
    let last = !takes_final || int_arg(vm, &a, 2, 0)? != 0;
    let (text, used) = decode(vm, &data, codec, &mut Errors::new(&errors), last)?;
    Ok(pair(vm, Value::str(text), used))
}

/// `utf_16_ex_decode(data, errors=None, byteorder=0, final=False)`: `(text, length,
/// byteorder)`, the byte order -1 (little) or 1 (big) as read from a BOM when `byteorder`
/// is 0, else 0 until a BOM is seen.
fn ex_decode(vm: &mut Vm, a: Args, fname: &str, codec: Codec) -> PyResult {
    positional(vm, &a, fname, 1, 4)?;
    let data = bytes_like(vm, &a.pos[0])?;
    let errors = errors_arg(vm, &a, fname, 1)?;
    let order = int_arg(vm, &a, 2, 0)?;
    let last = int_arg(vm, &a, 3, 0)? != 0;
    let wide = matches!(codec, Codec::Utf32(_));
    let (codec, order) = match order.signum() {
        -1 if wide => (Codec::Utf32(Order::Little), -1),
        -1 => (Codec::Utf16(Order::Little), -1),
        1 if wide => (Codec::Utf32(Order::Big), 1),
        1 => (Codec::Utf16(Order::Big), 1),
        _ => match codec.detect_order(&data) {
            (_, 0) => (codec, 0),
            (Codec::Utf16(Order::Big) | Codec::Utf32(Order::Big), _) => (codec, 1),
            _ => (codec, -1),
        },
    };
    let (text, used) = decode(vm, &data, codec, &mut Errors::new(&errors), last)?;
    Ok(vm.new_tuple(vec![
        Value::str(text),
        Value::Int(used as i64),
        Value::Int(order),
    ]))
}

/// `utf_8_encode(str, errors=None)`, `utf_16_encode(str, errors=None, byteorder=0)` and
/// the other encoders.
fn encode_fn(vm: &mut Vm, a: Args, fname: &str, codec: Codec, takes_order: bool) -> PyResult {
    positional(vm, &a, fname, 1, if takes_order { 3 } else { 2 })?;
    let s = text_arg(vm, &a, fname)?;
    let errors = errors_arg(vm, &a, fname, 1)?;
    let codec = match (codec, int_arg(vm, &a, 2, 0)?.signum()) {
        (Codec::Utf16(_), -1) => Codec::Utf16(Order::Little),
        (Codec::Utf16(_), 1) => Codec::Utf16(Order::Big),
        (Codec::Utf32(_), -1) => Codec::Utf32(Order::Little),
        (Codec::Utf32(_), 1) => Codec::Utf32(Order::Big),
        (c, _) => c,
    };
    let out = encode(vm, s.as_str(), codec, &mut Errors::new(&errors))?;
    let out = new_bytes(vm, out);
    Ok(pair(vm, out, s.len()))
}
