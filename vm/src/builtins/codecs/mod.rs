//! The codecs behind `str.encode`, `bytes.decode` and `str(b, encoding)`, and the engine
//! of `_codecs`: UTF-8, ASCII, Latin-1, UTF-16 and UTF-32 both ways, incrementally (a
//! decoder may stop before an incomplete sequence at the end of its input), with error
//! handlers by name ([`Errors`]).
//!
//! As in CPython, `str.encode` and `bytes.decode` code the fast-path spellings (`utf-8`,
//! `utf_16`, `ascii`, `latin-1`, ...) directly and send every other name through the codec
//! registry of `_codecs` (`_encode_text` / `_decode_text`), so `cp1252`, `utf-16-le` and
//! codecs a script registers work everywhere. A VM without `_codecs` still codes the
//! encodings of [`Codec`] under all their aliases.

mod decode;
mod encode;
mod errors;

pub use decode::decode;
pub use encode::{encode, encode_with};
pub use errors::{char_escape, Errors, Replacement};

use crate::object::Payload;
use crate::value::Value;
use crate::vm::{PyResult, Vm};

/// The codecs the VM runs natively.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Codec {
    /// UTF-8.
    Utf8,
    /// ASCII.
    Ascii,
    /// Latin-1 (ISO 8859-1).
    Latin1,
    /// UTF-16 in a byte order; 2 code units per character beyond the BMP.
    Utf16(Order),
    /// UTF-32 in a byte order.
    Utf32(Order),
}

/// The byte order of a UTF-16 or UTF-32 codec.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Order {
    /// `utf-16` / `utf-32`: encoding writes a little-endian BOM; decoding honours and strips
    /// a BOM at the start and is little-endian without one.
    Bom,
    /// Little-endian, no BOM.
    Little,
    /// Big-endian, no BOM.
    Big,
}

impl Codec {
    /// CPython's lookup of an encoding name: lowercased, runs of characters other than
    /// letters, digits and `.` made one `_` (`encodings.normalize_encoding`), then the
    /// aliases of `encodings.aliases`.
    pub fn lookup(name: &str) -> Option<Codec> {
        use Order::{Big, Bom, Little};
        Some(match normalize(name).as_str() {
            "utf_8" | "utf8" | "u8" | "utf" | "cp65001" => Codec::Utf8,
            "ascii" | "us_ascii" | "646" | "us" => Codec::Ascii,
            "latin_1" | "latin1" | "latin" | "l1" | "iso_8859_1" | "iso8859_1" | "8859"
            | "cp819" | "iso_ir_100" => Codec::Latin1,
            "utf_16" | "utf16" | "u16" => Codec::Utf16(Bom),
            "utf_16_le" | "utf_16le" | "unicodelittleunmarked" => Codec::Utf16(Little),
            "utf_16_be" | "utf_16be" | "unicodebigunmarked" => Codec::Utf16(Big),
            "utf_32" | "utf32" | "u32" => Codec::Utf32(Bom),
            "utf_32_le" | "utf_32le" => Codec::Utf32(Little),
            "utf_32_be" | "utf_32be" => Codec::Utf32(Big),
            _ => return None,
        })
    }

    /// The name in error messages.
    pub fn name(self) -> &'static str {
        use Order::{Big, Bom, Little};
        match self {
            Codec::Utf8 => "utf-8",
            Codec::Ascii => "ascii",
            Codec::Latin1 => "latin-1",
            Codec::Utf16(Bom) => "utf-16",
            Codec::Utf16(Little) => "utf-16-le",
            Codec::Utf16(Big) => "utf-16-be",
            Codec::Utf32(Bom) => "utf-32",
            Codec::Utf32(Little) => "utf-32-le",
            Codec::Utf32(Big) => "utf-32-be",
        }
    }

    /// The codec with a `Bom` order resolved from the start of `b` (a BOM there is
    /// skipped: the decoding starts at the returned offset, 0 when there is none and
    /// the codec stays little-endian).
    pub fn detect_order(self, b: &[u8]) -> (Codec, usize) {
        match self {
            Codec::Utf16(Order::Bom) => match b {
                [0xFF, 0xFE, ..] => (Codec::Utf16(Order::Little), 2),
                [0xFE, 0xFF, ..] => (Codec::Utf16(Order::Big), 2),
                _ => (Codec::Utf16(Order::Little), 0),
            },
            Codec::Utf32(Order::Bom) => match b {
                [0xFF, 0xFE, 0, 0, ..] => (Codec::Utf32(Order::Little), 4),
                [0, 0, 0xFE, 0xFF, ..] => (Codec::Utf32(Order::Big), 4),
                _ => (Codec::Utf32(Order::Little), 0),
            },
            c => (c, 0),
        }
    }
}

/// `encodings.normalize_encoding`, lowercased (CPython's `_Py_normalize_encoding`): ASCII
/// letters, digits and `.` are kept, runs of anything else between them become one `_`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut punct = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            if punct && !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            punct = false;
        } else {
            punct = true;
        }
    }
    out
}

/// The `encoding` or `errors` argument of `method` (`str.encode`, `bytes.decode`), or
/// `default` when left out, with Argument Clinic's message for anything but a str.
pub fn codec_param<'a>(
    vm: &mut Vm,
    v: Option<&'a Value>,
    method: &str,
    name: &str,
    default: &'static str,
) -> PyResult<&'a str> {
    match v {
        None => Ok(default),
        Some(v) => match v.as_str() {
            Some(s) => Ok(s.as_str()),
            None => {
                // `_PyArg_BadArgument` names None itself, other values by their type.
                let t = if v.is_none() {
                    "None".into()
                } else {
                    vm.type_name(v)
                };
                Err(vm.new_type_error(format!("{method}() argument '{name}' must be str, not {t}")))
            }
        },
    }
}

/// The codec CPython's `str.encode` / `bytes.decode` run directly for this spelling
/// (`utf-8`, `utf_16`, `ascii`, `latin-1`, ...), without the codec registry.
fn fast_path(name: &str) -> Option<Codec> {
    // The spellings programs use, without normalizing.
    match name {
        "utf-8" | "utf8" | "UTF-8" | "utf_8" => return Some(Codec::Utf8),
        "ascii" | "us-ascii" | "ASCII" => return Some(Codec::Ascii),
        "latin-1" | "latin1" | "iso-8859-1" => return Some(Codec::Latin1),
        _ => {}
    }
    let n = normalize(name);
    let utf = n
        .strip_prefix("utf")
        .map(|r| r.strip_prefix('_').unwrap_or(r));
    let fast = matches!(utf, Some("8" | "16" | "32"))
        || matches!(
            n.as_str(),
            "ascii" | "us_ascii" | "latin1" | "latin_1" | "iso_8859_1" | "iso8859_1"
        );
    if fast {
        Codec::lookup(&n)
    } else {
        None
    }
}

/// The codec registry's function `name` of `_codecs`, when that module exists.
fn registry_fn(vm: &mut Vm, name: &str) -> Option<Value> {
    let m = vm.import_module("_codecs").ok()?;
    let n = vm.intern(name);
    vm.get_attr(&m, &n).ok()
}

/// CPython's `LookupError` for an encoding nobody knows.
fn unknown_encoding(vm: &mut Vm, encoding: &str) -> crate::value::Obj {
    vm.new_exception_msg(
        &vm.exc.lookup_error.clone(),
        format!("unknown encoding: {encoding}"),
    )
}

/// `b.decode(encoding, errors)` as text, with CPython's `UnicodeDecodeError` and
/// `LookupError` messages. Empty bytes decode to `''` whatever the encoding, as in CPython.
pub fn decode_bytes(vm: &mut Vm, b: &[u8], encoding: &str, errors: &str) -> PyResult<String> {
    if b.is_empty() {
        return Ok(String::new());
    }
    let codec = match fast_path(encoding) {
        Some(codec) => codec,
        None => match registry_fn(vm, "_decode_text") {
            Some(f) => {
                let data = crate::module::new_bytes(vm, b.to_vec());
                let args = [data, Value::str(encoding), Value::str(errors)];
                let text = vm.call(&f, &args, &[])?;
                return Ok(text
                    .as_str()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default());
            }
            None => Codec::lookup(encoding).ok_or_else(|| unknown_encoding(vm, encoding))?,
        },
    };
    // Valid UTF-8 decodes the same under every error handler, without the decoder; the
    // decoder reports what is not valid.
    if codec == Codec::Utf8 {
        if let Ok(text) = std::str::from_utf8(b) {
            return Ok(text.to_string());
        }
    }
    decode(vm, b, codec, &mut Errors::new(errors), true).map(|(text, _)| text)
}

/// `s.encode(encoding, errors)`, with CPython's `UnicodeEncodeError` and `LookupError`
/// messages.
pub fn encode_str(vm: &mut Vm, s: &str, encoding: &str, errors: &str) -> PyResult<Vec<u8>> {
    let codec = match fast_path(encoding) {
        Some(codec) => codec,
        None => match registry_fn(vm, "_encode_text") {
            Some(f) => {
                let args = [Value::str(s), Value::str(encoding), Value::str(errors)];
                let data = vm.call(&f, &args, &[])?;
                return Ok(match data.payload() {
                    Some(Payload::Bytes(b)) => b.to_vec(),
                    _ => Vec::new(),
                });
            }
            None => Codec::lookup(encoding).ok_or_else(|| unknown_encoding(vm, encoding))?,
        },
    };
    encode(vm, s, codec, &mut Errors::new(errors))
}

#[cfg(test)]
mod tests {
    use super::{fast_path, normalize, Codec, Order};

    #[test]
    fn names() {
        assert_eq!(normalize("Foo-Bar  Baz!.X é"), "foo_bar_baz_.x");
        assert_eq!(fast_path("UTF-8"), Some(Codec::Utf8));
        assert_eq!(fast_path("utf_16"), Some(Codec::Utf16(Order::Bom)));
        assert_eq!(fast_path("utf-16-le"), None);
        assert_eq!(fast_path("u8"), None);
        assert_eq!(Codec::lookup("u8"), Some(Codec::Utf8));
    }
}
