//! ASCII case conversion and the character-class predicates of `bytes` and `bytearray`.

use super::{same_kind, this, Table};
use crate::builtins::text;
use crate::native::{Args, Sig};
use crate::value::Value;
use crate::vm::{PyResult, Vm};

pub(super) const METHODS: Table = &[
    ("upper", Sig::NOARGS, upper),
    ("lower", Sig::NOARGS, lower),
    ("swapcase", Sig::NOARGS, swapcase),
    ("title", Sig::NOARGS, title),
    ("capitalize", Sig::NOARGS, capitalize),
    ("isalpha", Sig::NOARGS, isalpha),
    ("isdigit", Sig::NOARGS, isdigit),
    ("isalnum", Sig::NOARGS, isalnum),
    ("isspace", Sig::NOARGS, isspace),
    ("isupper", Sig::NOARGS, isupper),
    ("islower", Sig::NOARGS, islower),
    ("istitle", Sig::NOARGS, istitle),
    ("isascii", Sig::NOARGS, isascii),
];

/// Maps every byte of the receiver.
fn map(vm: &mut Vm, a: &Args, name: &str, f: impl Fn(u8) -> u8) -> PyResult {
    a.method_count(vm, name, 0, 0)?;
    let b = this(vm, a, name)?;
    let out = b.into_iter().map(f).collect();
    Ok(same_kind(vm, &a.pos[0], out))
}

fn upper(vm: &mut Vm, a: Args) -> PyResult {
    map(vm, &a, "upper", |c| c.to_ascii_uppercase())
}

fn lower(vm: &mut Vm, a: Args) -> PyResult {
    map(vm, &a, "lower", |c| c.to_ascii_lowercase())
}

fn swapcase(vm: &mut Vm, a: Args) -> PyResult {
    map(vm, &a, "swapcase", |c| {
        c ^ if c.is_ascii_alphabetic() { 0x20 } else { 0 }
    })
}

fn title(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "title", 0, 0)?;
    let b = this(vm, &a, "title")?;
    let out = std::cell::RefCell::new(Vec::with_capacity(b.len()));
    text::title_case(
        b.iter().copied(),
        |c| c.is_ascii_alphabetic(),
        |c| out.borrow_mut().push(c.to_ascii_uppercase()),
        |c| out.borrow_mut().push(c.to_ascii_lowercase()),
    );
    Ok(same_kind(vm, &a.pos[0], out.into_inner()))
}

fn capitalize(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "capitalize", 0, 0)?;
    let b = this(vm, &a, "capitalize")?;
    let out = b
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i == 0 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    Ok(same_kind(vm, &a.pos[0], out))
}

/// True when the receiver is not empty and every byte satisfies `f`.
fn all(vm: &mut Vm, a: &Args, name: &str, f: impl Fn(&u8) -> bool) -> PyResult {
    a.method_count(vm, name, 0, 0)?;
    let b = this(vm, a, name)?;
    Ok(Value::bool(!b.is_empty() && b.iter().all(f)))
}

fn isalpha(vm: &mut Vm, a: Args) -> PyResult {
    all(vm, &a, "isalpha", u8::is_ascii_alphabetic)
}

fn isdigit(vm: &mut Vm, a: Args) -> PyResult {
    all(vm, &a, "isdigit", u8::is_ascii_digit)
}

fn isalnum(vm: &mut Vm, a: Args) -> PyResult {
    all(vm, &a, "isalnum", u8::is_ascii_alphanumeric)
}

fn isspace(vm: &mut Vm, a: Args) -> PyResult {
    all(vm, &a, "isspace", text::is_space_byte)
}

fn isupper(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "isupper", 0, 0)?;
    let b = this(vm, &a, "isupper")?;
    Ok(Value::bool(text::is_one_case(
        b.iter(),
        u8::is_ascii_uppercase,
        u8::is_ascii_lowercase,
    )))
}

fn islower(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "islower", 0, 0)?;
    let b = this(vm, &a, "islower")?;
    Ok(Value::bool(text::is_one_case(
        b.iter(),
        u8::is_ascii_lowercase,
        u8::is_ascii_uppercase,
    )))
}

fn istitle(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "istitle", 0, 0)?;
    let b = this(vm, &a, "istitle")?;
    Ok(Value::bool(text::is_title(
        b.iter(),
        u8::is_ascii_uppercase,
        u8::is_ascii_lowercase,
    )))
}

fn isascii(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "isascii", 0, 0)?;
    let b = this(vm, &a, "isascii")?;
    Ok(Value::bool(b.is_ascii()))
}
