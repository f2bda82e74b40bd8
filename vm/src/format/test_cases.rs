//! The CPython-generated cases of `testdata/cases.txt` (written by
//! `tests/tools/gen_format_cases.py`; its docstring specifies the format), and a model of
//! the few Python values the cases use as arguments.

use std::fmt::Write as _;

use num_bigint::BigInt;
use num_traits::ToPrimitive;

use super::{float_repr, INT_MAX_STR_DIGITS};

const CASES: &str = include_str!("testdata/cases.txt");

/// One line of the file.
pub(crate) struct Case {
    /// 1-based line number.
    pub line: usize,
    /// The raw (still escaped) input fields.
    raw: Vec<&'static str>,
    /// The unescaped input fields.
    inputs: Vec<String>,
    /// `=result` or `!Class: message`.
    expected: String,
}

impl Case {
    /// Input field `i`, unescaped.
    pub fn input(&self, i: usize) -> &str {
        &self.inputs[i]
    }

    /// Input field `i` as written (for argument lists).
    pub fn raw(&self, i: usize) -> &'static str {
        self.raw[i]
    }
}

/// The cases of one kind.
pub(crate) fn cases(kind: &'static str) -> impl Iterator<Item = Case> {
    CASES.lines().enumerate().filter_map(move |(i, line)| {
        if line.starts_with('#') || line.is_empty() {
            return None;
        }
        let mut fields: Vec<&'static str> = line.split('\t').collect();
        if fields[0] != kind {
            return None;
        }
        let expected = unescape(fields.pop().expect("expected field"));
        let raw: Vec<&'static str> = fields[1..].to_vec();
        Some(Case {
            line: i + 1,
            inputs: raw.iter().map(|f| unescape(f)).collect(),
            raw,
            expected,
        })
    })
}

/// Runs `f` on every case of `kind` (`Ok(text)` or `Err("Class: message")`) and fails
/// with a list of every mismatch.
pub(crate) fn check_all(kind: &'static str, f: impl Fn(&Case) -> Result<String, String>) {
    let mut total = 0;
    let mut failures = Vec::new();
    for case in cases(kind) {
        total += 1;
        let got = match f(&case) {
            Ok(s) => format!("={s}"),
            Err(e) => format!("!{e}"),
        };
        if got != case.expected {
            failures.push(format!(
                "line {}: {:?}\n    expected {:?}\n    got      {:?}",
                case.line, case.inputs, case.expected, got
            ));
        }
    }
    assert!(total > 0, "no cases of kind {kind}");
    if !failures.is_empty() {
        let shown: Vec<_> = failures.iter().take(60).cloned().collect();
        panic!(
            "{} of {} {kind} cases differ from CPython:\n{}",
            failures.len(),
            total,
            shown.join("\n")
        );
    }
}

/// Undoes the file's escapes (`\\`, `\t`, `\n`, `\r`, `\s`, `\u{HEX}`).
pub(crate) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('s') => out.push(' '),
            Some('u') => {
                let rest: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let hex = rest.trim_start_matches('{');
                let code = u32::from_str_radix(hex, 16).expect("\\u{HEX}");
                out.push(char::from_u32(code).expect("a character"));
            }
            other => panic!("bad escape \\{other:?} in {s:?}"),
        }
    }
    out
}

/// A float given by its IEEE bits.
pub(crate) fn float_bits(hex: &str) -> f64 {
    f64::from_bits(u64::from_str_radix(hex, 16).expect("16 hex digits"))
}

/// The Python values the cases pass as arguments.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Int(BigInt),
    Float(f64),
    Str(String),
    Bool(bool),
    None,
    Tuple(Vec<Value>),
    List(Vec<Value>),
    Dict(Vec<(Value, Value)>),
}

impl Value {
    /// Parses an argument list (see the generator's docstring).
    pub fn parse(raw: &str) -> Value {
        let mut tokens = raw.split(' ');
        let v = Value::parse_one(&mut tokens);
        assert!(tokens.next().is_none(), "trailing tokens in {raw:?}");
        v
    }

    fn parse_one<'a>(tokens: &mut impl Iterator<Item = &'a str>) -> Value {
        let token = tokens.next().expect("a value");
        let items = |tokens: &mut dyn Iterator<Item = &'a str>, close: &str| {
            let mut items = Vec::new();
            let mut peek = tokens.peekable();
            while peek.peek() != Some(&close) {
                items.push(Value::parse_one(&mut peek));
            }
            peek.next();
            items
        };
        match token {
            "(" => Value::Tuple(items(tokens, ")")),
            "[" => Value::List(items(tokens, "]")),
            "{" => {
                let flat = items(tokens, "}");
                let mut pairs = Vec::new();
                let mut it = flat.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    pairs.push((k, v));
                }
                Value::Dict(pairs)
            }
            _ => {
                let (tag, text) = token.split_once(':').expect("tag:value");
                match tag {
                    "i" => Value::Int(text.parse().expect("int")),
                    "f" => Value::Float(float_bits(text)),
                    "s" => Value::Str(unescape(text)),
                    "b" => Value::Bool(text == "1"),
                    "n" => Value::None,
                    _ => panic!("bad token {token:?}"),
                }
            }
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bool(_) => "bool",
            Value::None => "NoneType",
            Value::Tuple(_) => "tuple",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
        }
    }

    /// `str(self)`.
    pub fn str(&self) -> Result<String, String> {
        match self {
            Value::Str(s) => Ok(s.clone()),
            _ => self.repr(false),
        }
    }

    /// `repr(self)`, or `ascii(self)` when `ascii`.
    pub fn repr(&self, ascii: bool) -> Result<String, String> {
        Ok(match self {
            Value::Int(i) => {
                let digits = i.to_string();
                if digits.trim_start_matches('-').len() > INT_MAX_STR_DIGITS {
                    return Err(super::number::too_many_digits().to_string());
                }
                digits
            }
            Value::Float(x) => float_repr(*x),
            Value::Str(s) => str_repr(s, ascii),
            Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
            Value::None => "None".to_string(),
            Value::Tuple(items) if items.len() == 1 => format!("({},)", items[0].repr(ascii)?),
            Value::Tuple(items) => format!("({})", join(items, ascii)?),
            Value::List(items) => format!("[{}]", join(items, ascii)?),
            Value::Dict(pairs) => {
                let mut parts = Vec::new();
                for (k, v) in pairs {
                    parts.push(format!("{}: {}", k.repr(ascii)?, v.repr(ascii)?));
                }
                format!("{{{}}}", parts.join(", "))
            }
        })
    }

    /// `int(self)` for an int or bool.
    pub fn as_int(&self) -> Option<BigInt> {
        match self {
            Value::Int(i) => Some(i.clone()),
            Value::Bool(b) => Some(BigInt::from(*b as u8)),
            _ => None,
        }
    }

    /// `self[index]` as `str.format` does it.
    pub fn get_index(&self, index: usize) -> Result<Value, String> {
        let seq = |items: &[Value], what: &str| {
            items
                .get(index)
                .cloned()
                .ok_or_else(|| format!("IndexError: {what} index out of range"))
        };
        match self {
            Value::List(items) => seq(items, "list"),
            Value::Tuple(items) => seq(items, "tuple"),
            Value::Str(s) => s
                .chars()
                .nth(index)
                .map(|c| Value::Str(c.to_string()))
                .ok_or_else(|| "IndexError: string index out of range".to_string()),
            Value::Dict(_) => self.dict_get(&Value::Int(BigInt::from(index))),
            other => Err(format!(
                "TypeError: '{}' object is not subscriptable",
                other.type_name()
            )),
        }
    }

    /// `self[key]` for a str key.
    pub fn get_key(&self, key: &str) -> Result<Value, String> {
        match self {
            Value::Dict(_) => self.dict_get(&Value::Str(key.to_string())),
            Value::List(_) | Value::Tuple(_) => Err(format!(
                "TypeError: {} indices must be integers or slices, not str",
                self.type_name()
            )),
            Value::Str(_) => Err("TypeError: string indices must be integers, not 'str'".into()),
            other => Err(format!(
                "TypeError: '{}' object is not subscriptable",
                other.type_name()
            )),
        }
    }

    fn dict_get(&self, key: &Value) -> Result<Value, String> {
        let Value::Dict(pairs) = self else {
            unreachable!()
        };
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("KeyError: {}", key.repr(false).unwrap_or_default()))
    }

    /// `getattr(self, name)` for the attributes the cases use.
    pub fn get_attr(&self, name: &str) -> Result<Value, String> {
        match (self, name) {
            (Value::Int(_) | Value::Float(_), "real") => Ok(self.clone()),
            (Value::Bool(_), "real") => Ok(Value::Int(self.as_int().unwrap_or_default())),
            (Value::Int(_) | Value::Bool(_), "imag") => Ok(Value::Int(BigInt::from(0))),
            (Value::Float(_), "imag") => Ok(Value::Float(0.0)),
            _ => Err(format!(
                "AttributeError: '{}' object has no attribute '{name}'",
                self.type_name()
            )),
        }
    }

    /// `format(self, spec)`.
    pub fn format(&self, spec: &str) -> Result<String, String> {
        let name = self.type_name();
        let e = |e: super::FormatError| e.to_string();
        if spec.is_empty() {
            return self.str();
        }
        match self {
            Value::Int(i) => {
                super::format_int(i, &super::FormatSpec::parse(spec, name).map_err(e)?, name)
                    .map_err(e)
            }
            Value::Bool(b) => super::format_i64(
                i64::from(*b),
                &super::FormatSpec::parse(spec, name).map_err(e)?,
                name,
            )
            .map_err(e),
            Value::Float(x) => {
                super::format_float(*x, &super::FormatSpec::parse(spec, name).map_err(e)?, name)
                    .map_err(e)
            }
            Value::Str(s) => {
                super::format_str(s, &super::FormatSpec::parse(spec, name).map_err(e)?, name)
                    .map_err(e)
            }
            _ => Err(format!(
                "TypeError: unsupported format string passed to {name}.__format__"
            )),
        }
    }

    /// `float(self)` for a number.
    pub fn to_f64(&self) -> Option<Result<f64, String>> {
        match self {
            Value::Float(x) => Some(Ok(*x)),
            Value::Int(_) | Value::Bool(_) => {
                let x = self.as_int()?.to_f64().unwrap_or(f64::INFINITY);
                Some(if x.is_finite() {
                    Ok(x)
                } else {
                    Err("OverflowError: int too large to convert to float".into())
                })
            }
            _ => None,
        }
    }
}

fn join(items: &[Value], ascii: bool) -> Result<String, String> {
    let parts: Result<Vec<_>, _> = items.iter().map(|v| v.repr(ascii)).collect();
    Ok(parts?.join(", "))
}

/// Python's `repr` of a str, for the strings the cases use (every non-ASCII character in
/// them is printable); with `ascii`, non-ASCII characters are escaped.
fn str_repr(s: &str, ascii: bool) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if ascii && (c as u32) > 0x7f => {
                let code = c as u32;
                let _ = match code {
                    0..=0xff => write!(out, "\\x{code:02x}"),
                    0x100..=0xffff => write!(out, "\\u{code:04x}"),
                    _ => write!(out, "\\U{code:08x}"),
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}
