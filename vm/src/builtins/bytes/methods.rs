//! The str-like methods of `bytes` and `bytearray`: strip, split, join, replace, the find
//! family, prefix tests, padding, partition, splitlines, expandtabs, translate.

use super::{arg_bytes, as_bytes, byte_of, same_kind, this, Table};
use crate::builtins::text::{self, Align};
use crate::native::{Args, Sig};
use crate::object::Payload;
use crate::value::Bool;
use crate::value::Value;
use crate::vm::{PyResult, Vm};

pub(super) const METHODS: Table = &[
    ("strip", Sig::VARARGS, strip),
    ("lstrip", Sig::VARARGS, lstrip),
    ("rstrip", Sig::VARARGS, rstrip),
    ("split", Sig::KEYWORDS, split),
    ("rsplit", Sig::KEYWORDS, rsplit),
    ("join", Sig::O, join),
    ("replace", Sig::VARARGS, replace),
    ("find", Sig::VARARGS, find),
    ("rfind", Sig::VARARGS, rfind),
    ("index", Sig::VARARGS, index),
    ("rindex", Sig::VARARGS, rindex),
    ("count", Sig::VARARGS, count),
    ("startswith", Sig::VARARGS, startswith),
    ("endswith", Sig::VARARGS, endswith),
    ("center", Sig::VARARGS, center),
    ("ljust", Sig::VARARGS, ljust),
    ("rjust", Sig::VARARGS, rjust),
    ("zfill", Sig::O, zfill),
    ("partition", Sig::O, partition),
    ("rpartition", Sig::O, rpartition),
    ("splitlines", Sig::KEYWORDS, splitlines),
    ("expandtabs", Sig::KEYWORDS, expandtabs),
    ("removeprefix", Sig::O, removeprefix),
    ("removesuffix", Sig::O, removesuffix),
    ("translate", Sig::KEYWORDS, translate),
];

/// A list of parts of the receiver's kind.
fn parts_list(vm: &mut Vm, like: &Value, parts: Vec<&[u8]>) -> Value {
    let vals = parts
        .into_iter()
        .map(|p| same_kind(vm, like, p.to_vec()))
        .collect();
    vm.new_list(vals)
}

/// The needle of `find`, `count`, `in`...: a bytes-like object or an int in `range(256)`.
pub(super) fn sub_arg(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    if let Some(b) = as_bytes(v) {
        return Ok(b);
    }
    if crate::builtins::int::is_index(vm, v) {
        return Ok(vec![byte_of(vm, v)?]);
    }
    Err(vm.new_type_error(format!(
        "argument should be integer or bytes-like object, not '{}'",
        vm.type_name(v)
    )))
}

fn strip_impl(vm: &mut Vm, a: &Args, name: &str, left: bool, right: bool) -> PyResult {
    a.no_kwargs(vm, name)?;
    a.method_count(vm, name, 0, 1)?;
    let b = this(vm, a, name)?;
    let out = match a.get(1) {
        None | Some(Value::None) => text::strip(&b, left, right, text::is_space_byte),
        Some(v) => {
            let set = arg_bytes(vm, v)?;
            text::strip(&b, left, right, |c| set.contains(c))
        }
    }
    .to_vec();
    Ok(same_kind(vm, &a.pos[0], out))
}

fn strip(vm: &mut Vm, a: Args) -> PyResult {
    strip_impl(vm, &a, "strip", true, true)
}

fn lstrip(vm: &mut Vm, a: Args) -> PyResult {
    strip_impl(vm, &a, "lstrip", true, false)
}

fn rstrip(vm: &mut Vm, a: Args) -> PyResult {
    strip_impl(vm, &a, "rstrip", false, true)
}

/// `(sep, maxsplit)` of `split`/`rsplit`: `None` separator means whitespace.
fn split_args(vm: &mut Vm, a: &Args, name: &str) -> PyResult<(Option<Vec<u8>>, i64)> {
    a.method_clinic_count(vm, name, 0, 2, 2)?;
    a.check_kwargs(vm, name, &["sep", "maxsplit"])?;
    let sep = match a.arg(1, "sep") {
        None | Some(Value::None) => None,
        Some(v) => {
            let s = arg_bytes(vm, v)?;
            if s.is_empty() {
                return Err(vm.new_value_error("empty separator"));
            }
            Some(s)
        }
    };
    let max = match a.arg(2, "maxsplit") {
        Some(v) => crate::builtins::int::ssize_of(vm, v)?,
        None => -1,
    };
    Ok((sep, max))
}

fn split(vm: &mut Vm, a: Args) -> PyResult {
    let b = this(vm, &a, "split")?;
    let parts = match split_args(vm, &a, "split")? {
        (Some(sep), max) => text::split(&b, &sep, max),
        (None, max) => text::split_whitespace(&b, text::is_space_byte, max),
    };
    Ok(parts_list(vm, &a.pos[0], parts))
}

fn rsplit(vm: &mut Vm, a: Args) -> PyResult {
    let b = this(vm, &a, "rsplit")?;
    let parts = match split_args(vm, &a, "rsplit")? {
        (Some(sep), max) => text::rsplit(&b, &sep, max),
        (None, max) => text::rsplit_whitespace(&b, text::is_space_byte, max),
    };
    Ok(parts_list(vm, &a.pos[0], parts))
}

fn join(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "join", 1, 1)?;
    let sep = this(vm, &a, "join")?;
    let items = vm.collect_fast(&a.pos[1], "can only join an iterable")?;
    let mut out = Vec::new();
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(&sep);
        }
        match as_bytes(it) {
            Some(b) => out.extend(b),
            None => {
                return Err(vm.new_type_error(format!(
                    "sequence item {i}: expected a bytes-like object, {} found",
                    vm.type_name(it)
                )))
            }
        }
    }
    Ok(same_kind(vm, &a.pos[0], out))
}

fn replace(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "replace")?;
    a.method_count(vm, "replace", 2, 3)?;
    let b = this(vm, &a, "replace")?;
    let old = arg_bytes(vm, &a.pos[1])?;
    let new = arg_bytes(vm, &a.pos[2])?;
    let n = match a.get(3) {
        Some(v) => crate::builtins::int::ssize_of(vm, v)?,
        None => -1,
    };
    let out = text::replace(&b, &old, &new, n);
    Ok(same_kind(vm, &a.pos[0], out))
}

/// The index `find`/`rfind` report, or `None`.
fn search(vm: &mut Vm, a: &Args, name: &str, rev: bool) -> PyResult<Option<usize>> {
    let (sub, start, end) = text::find_args(vm, a, name)?;
    let sub = sub_arg(vm, sub)?;
    let run = |b: &[u8]| {
        let (s, e) = text::window(b.len(), start, end);
        if rev {
            text::rfind(b, &sub, s, e)
        } else {
            text::find(b, &sub, s, e)
        }
    };
    // The receiver's buffer is borrowed, not copied: a search costs the window searched.
    match a.pos.first().and_then(Value::as_obj) {
        Some(o) if super::with_buffer(o, |_| ()).is_some() => {
            Ok(super::with_buffer(o, run).flatten())
        }
        _ => Ok(run(&this(vm, a, name)?)),
    }
}

fn found(i: Option<usize>) -> Value {
    Value::Int(i.map(|i| i as i64).unwrap_or(-1))
}

fn find(vm: &mut Vm, a: Args) -> PyResult {
    search(vm, &a, "find", false).map(found)
}

fn rfind(vm: &mut Vm, a: Args) -> PyResult {
    search(vm, &a, "rfind", true).map(found)
}

fn index(vm: &mut Vm, a: Args) -> PyResult {
    match search(vm, &a, "index", false)? {
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(vm.new_value_error("subsection not found")),
    }
}

fn rindex(vm: &mut Vm, a: Args) -> PyResult {
    match search(vm, &a, "rindex", true)? {
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(vm.new_value_error("subsection not found")),
    }
}

fn count(vm: &mut Vm, a: Args) -> PyResult {
    let (sub, start, end) = text::find_args(vm, &a, "count")?;
    let b = this(vm, &a, "count")?;
    let sub = sub_arg(vm, sub)?;
    let (s, e) = text::window(b.len(), start, end);
    Ok(Value::Int(text::count(&b, &sub, s, e) as i64))
}

fn prefix_match(vm: &mut Vm, a: &Args, name: &str, suffix: bool) -> PyResult {
    let (arg, start, end) = text::find_args(vm, a, name)?;
    let b = this(vm, a, name)?;
    let (s, e) = text::window(b.len(), start, end);
    let test = |p: &[u8]| {
        if s > e || e - s < p.len() {
            return false;
        }
        let hay = &b[s..e];
        if suffix {
            hay.ends_with(p)
        } else {
            hay.starts_with(p)
        }
    };
    if let Some(Payload::Tuple(t)) = arg.payload() {
        for p in t.iter() {
            if test(&arg_bytes(vm, p)?) {
                return Ok(Value::Bool(Bool::TRUE));
            }
        }
        return Ok(Value::Bool(Bool::FALSE));
    }
    match as_bytes(arg) {
        Some(p) => Ok(Value::bool(test(&p))),
        None => Err(vm.new_type_error(format!(
            "{name} first arg must be bytes or a tuple of bytes, not {}",
            vm.type_name(arg)
        ))),
    }
}

fn startswith(vm: &mut Vm, a: Args) -> PyResult {
    prefix_match(vm, &a, "startswith", false)
}

fn endswith(vm: &mut Vm, a: Args) -> PyResult {
    prefix_match(vm, &a, "endswith", true)
}

fn pad_impl(vm: &mut Vm, a: &Args, name: &str, align: Align) -> PyResult {
    a.no_kwargs(vm, name)?;
    a.method_count(vm, name, 1, 2)?;
    let b = this(vm, a, name)?;
    let width = crate::builtins::int::ssize_of(vm, &a.pos[1])?.max(0) as usize;
    vm.check_allocation(width)?;
    let fill = match a.get(2) {
        None => b' ',
        Some(v) => match as_bytes(v) {
            Some(f) if f.len() == 1 => f[0],
            _ => {
                return Err(vm.new_type_error(format!(
                    "{name}() argument 2 must be a byte string of length 1, not {}",
                    vm.type_name(v)
                )))
            }
        },
    };
    let out = text::pad(&b, width, fill, align);
    Ok(same_kind(vm, &a.pos[0], out))
}

fn center(vm: &mut Vm, a: Args) -> PyResult {
    pad_impl(vm, &a, "center", Align::Center)
}

fn ljust(vm: &mut Vm, a: Args) -> PyResult {
    pad_impl(vm, &a, "ljust", Align::Left)
}

fn rjust(vm: &mut Vm, a: Args) -> PyResult {
    pad_impl(vm, &a, "rjust", Align::Right)
}

fn zfill(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "zfill", 1, 1)?;
    let b = this(vm, &a, "zfill")?;
    let width = crate::builtins::int::ssize_of(vm, &a.pos[1])?.max(0) as usize;
    vm.check_allocation(width)?;
    let out = text::zfill(&b, width, b'0', |c| matches!(c, b'+' | b'-'));
    Ok(same_kind(vm, &a.pos[0], out))
}

fn partition_impl(vm: &mut Vm, a: &Args, name: &str, rev: bool) -> PyResult {
    a.method_count(vm, name, 1, 1)?;
    let b = this(vm, a, name)?;
    let sep = arg_bytes(vm, &a.pos[1])?;
    if sep.is_empty() {
        return Err(vm.new_value_error("empty separator"));
    }
    let like = &a.pos[0];
    let parts = match text::partition(&b, &sep, rev) {
        Some(i) => [
            same_kind(vm, like, b[..i].to_vec()),
            // bytes returns the separator argument itself, bytearray a new bytearray.
            match like.payload() {
                Some(Payload::ByteArray(_)) => same_kind(vm, like, sep.clone()),
                _ => a.pos[1].clone(),
            },
            same_kind(vm, like, b[i + sep.len()..].to_vec()),
        ],
        None => {
            let whole = same_kind(vm, like, b.clone());
            let e1 = same_kind(vm, like, Vec::new());
            let e2 = same_kind(vm, like, Vec::new());
            if rev {
                [e1, e2, whole]
            } else {
                [whole, e1, e2]
            }
        }
    };
    Ok(vm.new_tuple(parts.to_vec()))
}

fn partition(vm: &mut Vm, a: Args) -> PyResult {
    partition_impl(vm, &a, "partition", false)
}

fn rpartition(vm: &mut Vm, a: Args) -> PyResult {
    partition_impl(vm, &a, "rpartition", true)
}

fn splitlines(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "splitlines", 0, 1, 1)?;
    a.check_kwargs(vm, "splitlines", &["keepends"])?;
    let b = this(vm, &a, "splitlines")?;
    let keep = match a.arg(1, "keepends") {
        Some(v) => crate::builtins::int::c_int_of(vm, v)? != 0,
        None => false,
    };
    let parts = text::split_lines(&b, keep, text::bytes_line_break);
    Ok(parts_list(vm, &a.pos[0], parts))
}

fn expandtabs(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "expandtabs", 0, 1, 1)?;
    a.check_kwargs(vm, "expandtabs", &["tabsize"])?;
    let b = this(vm, &a, "expandtabs")?;
    // `tabsize` is a C int in CPython.
    let size = match a.arg(1, "tabsize") {
        Some(v) => i64::from(crate::builtins::int::c_int_of(vm, v)?),
        None => 8,
    };
    let tabs = b.iter().filter(|c| **c == b'\t').count();
    vm.check_allocation(tabs.saturating_mul(size.max(0) as usize))?;
    let out = text::expand_tabs(
        &b,
        size,
        b' ',
        |c| *c == b'\t',
        |c| matches!(c, b'\n' | b'\r'),
    );
    Ok(same_kind(vm, &a.pos[0], out))
}

fn remove_affix(vm: &mut Vm, a: &Args, name: &str, suffix: bool) -> PyResult {
    a.method_count(vm, name, 1, 1)?;
    let b = this(vm, a, name)?;
    let p = arg_bytes(vm, &a.pos[1])?;
    let out = if suffix {
        b.strip_suffix(p.as_slice())
    } else {
        b.strip_prefix(p.as_slice())
    };
    let out = out.unwrap_or(&b).to_vec();
    Ok(same_kind(vm, &a.pos[0], out))
}

fn removeprefix(vm: &mut Vm, a: Args) -> PyResult {
    remove_affix(vm, &a, "removeprefix", false)
}

fn removesuffix(vm: &mut Vm, a: Args) -> PyResult {
    remove_affix(vm, &a, "removesuffix", true)
}

fn translate(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "translate", 1, 2, 2)?;
    a.check_kwargs(vm, "translate", &["delete"])?;
    let b = this(vm, &a, "translate")?;
    let table = match &a.pos[1] {
        Value::None => None,
        v => {
            let t = arg_bytes(vm, v)?;
            if t.len() != 256 {
                return Err(vm.new_value_error("translation table must be 256 characters long"));
            }
            Some(t)
        }
    };
    let delete = match a.arg(2, "delete") {
        Some(v) => arg_bytes(vm, v)?,
        None => Vec::new(),
    };
    let out: Vec<u8> = b
        .iter()
        .filter(|c| !delete.contains(c))
        .map(|&c| table.as_ref().map_or(c, |t| t[c as usize]))
        .collect();
    Ok(same_kind(vm, &a.pos[0], out))
}

/// `bytes.maketrans(frm, to)` (a static method: no receiver).
pub(super) fn maketrans(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "maketrans", 2, 2)?;
    let frm = arg_bytes(vm, &a.pos[0])?;
    let to = arg_bytes(vm, &a.pos[1])?;
    if frm.len() != to.len() {
        return Err(vm.new_value_error("maketrans arguments must have same length"));
    }
    let mut table: Vec<u8> = (0..=255).collect();
    for (f, t) in frm.iter().zip(&to) {
        table[*f as usize] = *t;
    }
    Ok(crate::builtins::bytes_const(&vm.types, table))
}
