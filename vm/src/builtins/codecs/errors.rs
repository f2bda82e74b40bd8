//! Error handlers: what a codec does with bytes it cannot decode or characters it cannot
//! encode. `strict`, `ignore`, `replace`, `backslashreplace` (and `xmlcharrefreplace` when
//! encoding) are applied inline, as CPython's codecs do; any other name is looked up with
//! `_codecs.lookup_error` on the first error and called with the `UnicodeDecodeError` or
//! `UnicodeEncodeError`, CPython's protocol (`(replacement, new position)` back).

use crate::object::Payload;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};

/// The error handler of one coding call, by name; a registered handler is looked up when
/// the first error needs it (so `'é'.encode('cp1252', 'bogus')` succeeds, as in CPython).
pub struct Errors<'a> {
    name: &'a str,
    handler: Option<Value>,
}

/// What an encoding error handler puts in place of the characters: text the codec must
/// still encode, or bytes it copies as they are.
pub enum Replacement {
    /// Text for the codec to encode.
    Text(String),
    /// Bytes for the output as they are.
    Bytes(Vec<u8>),
}

impl<'a> Errors<'a> {
    /// The handler called `name` (`'strict'`, `'replace'`, a registered name, ...).
    pub fn new(name: &'a str) -> Errors<'a> {
        Errors {
            name,
            handler: None,
        }
    }

    /// The registered handler, looked up once.
    fn handler(&mut self, vm: &mut Vm) -> PyResult<Value> {
        if let Some(h) = &self.handler {
            return Ok(h.clone());
        }
        let h = match super::registry_fn(vm, "lookup_error") {
            Some(lookup) => vm.call(&lookup, &[Value::str(self.name)], &[])?,
            None => {
                let msg = format!("unknown error handler name '{}'", self.name);
                return Err(vm.new_exception_msg(&vm.exc.lookup_error.clone(), msg));
            }
        };
        self.handler = Some(h.clone());
        Ok(h)
    }

    /// Handles the undecodable bytes `input[start..end]` of codec `encoding`: raises, or
    /// pushes the replacement on `out` and returns where decoding resumes.
    #[allow(clippy::too_many_arguments)]
    pub fn on_decode(
        &mut self,
        vm: &mut Vm,
        encoding: &str,
        input: &[u8],
        start: usize,
        end: usize,
        reason: &str,
        out: &mut String,
    ) -> PyResult<usize> {
        match self.name {
            "strict" => Err(decode_error(vm, encoding, input, start, end, reason)),
            "ignore" => Ok(end),
            "replace" => {
                out.push('\u{FFFD}');
                Ok(end)
            }
            "backslashreplace" => {
                for c in &input[start..end] {
                    out.push_str(&format!("\\x{c:02x}"));
                }
                Ok(end)
            }
            _ => {
                let h = self.handler(vm)?;
                let exc = decode_error(vm, encoding, input, start, end, reason);
                let r = vm.call(&h, &[Value::Obj(exc)], &[])?;
                let pair = handler_result(&r);
                let Some((Some(text), pos)) = pair.map(|(rep, pos)| (rep.as_str().cloned(), pos))
                else {
                    return Err(
                        vm.new_type_error("decoding error handler must return (str, int) tuple")
                    );
                };
                out.push_str(text.as_str());
                new_position(vm, pos, input.len())
            }
        }
    }

    /// Handles the unencodable characters `start..end` (counted in characters) of `text`:
    /// raises, or returns the replacement and where encoding resumes.
    pub fn on_encode(
        &mut self,
        vm: &mut Vm,
        encoding: &str,
        text: &[char],
        start: usize,
        end: usize,
        reason: &str,
    ) -> PyResult<(Replacement, usize)> {
        let bad = &text[start..end];
        let rep = match self.name {
            "strict" => return Err(encode_error(vm, encoding, text, start, end, reason)),
            "ignore" => String::new(),
            "replace" => "?".repeat(bad.len()),
            "backslashreplace" => bad.iter().map(|&c| char_escape(c)).collect(),
            "xmlcharrefreplace" => bad.iter().map(|&c| format!("&#{};", c as u32)).collect(),
            _ => {
                let h = self.handler(vm)?;
                let exc = encode_error(vm, encoding, text, start, end, reason);
                let r = vm.call(&h, &[Value::Obj(exc)], &[])?;
                let rep = match handler_result(&r) {
                    Some((rep, pos)) => match (rep.as_str(), rep.payload()) {
                        (Some(s), _) => Some((Replacement::Text(s.as_str().to_string()), pos)),
                        (_, Some(Payload::Bytes(b))) => Some((Replacement::Bytes(b.to_vec()), pos)),
                        _ => None,
                    },
                    None => None,
                };
                let Some((rep, pos)) = rep else {
                    return Err(vm.new_type_error(
                        "encoding error handler must return (str/bytes, int) tuple",
                    ));
                };
                return Ok((rep, new_position(vm, pos, text.len())?));
            }
        };
        Ok((Replacement::Text(rep), end))
    }
}

/// The `(replacement, position)` of a handler's result, when it is a 2-tuple ending in an int.
fn handler_result(r: &Value) -> Option<(Value, Value)> {
    match r.payload() {
        Some(Payload::Tuple(t)) if t.len() == 2 && matches!(t[1], Value::Int(_)) => {
            Some((t[0].clone(), t[1].clone()))
        }
        _ => None,
    }
}

/// A handler's new position, negative counting from the end, checked against `len`.
fn new_position(vm: &mut Vm, pos: Value, len: usize) -> PyResult<usize> {
    let Value::Int(mut p) = pos else {
        return Err(vm.new_type_error("position must be an int"));
    };
    if p < 0 {
        p += len as i64;
    }
    match usize::try_from(p) {
        Ok(p) if p <= len => Ok(p),
        _ => Err(vm.new_index_error(format!("position {p} from error handler out of bounds"))),
    }
}

/// `UnicodeDecodeError(encoding, input, start, end, reason)`, whose `str()` is CPython's
/// message (`Vm::exception_str`).
pub fn decode_error(
    vm: &mut Vm,
    encoding: &str,
    input: &[u8],
    start: usize,
    end: usize,
    reason: &str,
) -> Obj {
    let args = vec![
        Value::str(encoding),
        crate::module::new_bytes(vm, input.to_vec()),
        Value::Int(start as i64),
        Value::Int(end as i64),
        Value::str(reason),
    ];
    vm.new_exception(&vm.exc.unicode_decode_error.clone(), args)
}

/// `UnicodeEncodeError(encoding, text, start, end, reason)`, positions in characters.
pub fn encode_error(
    vm: &mut Vm,
    encoding: &str,
    text: &[char],
    start: usize,
    end: usize,
    reason: &str,
) -> Obj {
    let args = vec![
        Value::str(encoding),
        Value::str(text.iter().collect::<String>()),
        Value::Int(start as i64),
        Value::Int(end as i64),
        Value::str(reason),
    ];
    vm.new_exception(&vm.exc.unicode_encode_error.clone(), args)
}

/// CPython's escape of a character in codec messages and `backslashreplace`: `\xe9`,
/// `\u20ac`, `\U0001f600`.
pub fn char_escape(c: char) -> String {
    match c as u32 {
        n @ 0..=0xff => format!("\\x{n:02x}"),
        n @ 0x100..=0xffff => format!("\\u{n:04x}"),
        n => format!("\\U{n:08x}"),
    }
}
