//! `str`: the constructor and the methods (splitting, searching, padding, predicates,
//! `join`, `replace`, `format`, `encode`); case conversion and the Unicode predicates are
//! in [`case`], `maketrans`/`translate` in [`translate`].

mod case;

pub(crate) use case::is_wide;
mod search;
mod tables;
mod translate;

use super::text::{self, Align};
use super::{def_methods, def_static};
use crate::native::{Args, Sig};
use crate::object::Payload;
use crate::str::Str;
use crate::value::Bool;
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

pub(super) fn install(vm: &mut Vm) {
    let s = vm.types.str.clone();
    def_static(vm, &s, "__new__", str_new);
    let methods: &[(&str, Sig, crate::native::NativeFn)] = &[
        ("join", Sig::O, join),
        ("split", Sig::KEYWORDS, split),
        ("rsplit", Sig::KEYWORDS, rsplit),
        ("splitlines", Sig::KEYWORDS, splitlines),
        ("strip", Sig::VARARGS, strip),
        ("lstrip", Sig::VARARGS, lstrip),
        ("rstrip", Sig::VARARGS, rstrip),
        ("startswith", Sig::VARARGS, startswith),
        ("endswith", Sig::VARARGS, endswith),
        ("find", Sig::VARARGS, find),
        ("rfind", Sig::VARARGS, rfind),
        ("index", Sig::VARARGS, index),
        ("rindex", Sig::VARARGS, rindex),
        ("count", Sig::VARARGS, count),
        ("replace", Sig::VARARGS, replace),
        ("isspace", Sig::NOARGS, isspace),
        ("isidentifier", Sig::NOARGS, isidentifier),
        ("isprintable", Sig::NOARGS, isprintable),
        ("isascii", Sig::NOARGS, isascii),
        ("center", Sig::VARARGS, center),
        ("ljust", Sig::VARARGS, ljust),
        ("rjust", Sig::VARARGS, rjust),
        ("zfill", Sig::O, zfill),
        ("partition", Sig::O, partition),
        ("rpartition", Sig::O, rpartition),
        ("format", Sig::KEYWORDS, format),
        ("format_map", Sig::O, format_map),
        ("encode", Sig::KEYWORDS, encode),
        ("expandtabs", Sig::KEYWORDS, expandtabs),
        ("removeprefix", Sig::O, removeprefix),
        ("removesuffix", Sig::O, removesuffix),
        ("__len__", Sig::SLOT, dunder_len),
        ("__str__", Sig::SLOT, dunder_str),
        ("__repr__", Sig::SLOT, dunder_repr),
        ("__hash__", Sig::SLOT, dunder_hash),
        ("__eq__", Sig::SLOT, dunder_eq),
        ("__contains__", Sig::SLOT, dunder_contains),
        ("__getitem__", Sig::SLOT, dunder_getitem),
        ("__add__", Sig::SLOT, dunder_add),
        ("__mul__", Sig::REPEAT, dunder_mul),
        ("__mod__", Sig::SLOT, dunder_mod),
        ("__lt__", Sig::SLOT, dunder_lt),
        ("__rmod__", Sig::SLOT, dunder_rmod),
        ("__getnewargs__", Sig::NOARGS, dunder_getnewargs),
        ("__format__", Sig::O, dunder_format),
        ("__iter__", Sig::SLOT, dunder_iter),
    ];
    for table in [methods, case::METHODS, translate::METHODS] {
        def_methods(vm, &s, table);
    }
    def_static(vm, &s, "maketrans", translate::maketrans);
}

/// The `str` receiver of a method call.
fn this(vm: &mut Vm, a: &Args, name: &str) -> PyResult<Rc<Str>> {
    match a.pos.first().and_then(|v| v.as_str()) {
        Some(s) => Ok(s.clone()),
        None => Err(vm.new_type_error(format!("descriptor '{name}' requires a 'str' object"))),
    }
}

/// The one argument of method `fname` as a str (`removeprefix() argument must be str, not
/// int`).
fn str_only_arg(vm: &mut Vm, v: &Value, fname: &str) -> PyResult<Rc<Str>> {
    match v.as_str() {
        Some(s) => Ok(s.clone()),
        None => Err(vm.new_type_error(format!(
            "{fname}() argument must be str, not {}",
            vm.type_name(v)
        ))),
    }
}

fn str_arg(vm: &mut Vm, v: &Value, fname: &str, pos: usize) -> PyResult<Rc<Str>> {
    match v.as_str() {
        Some(s) => Ok(s.clone()),
        None => Err(vm.new_type_error(format!(
            "{fname}() argument {pos} must be str, not {}",
            vm.type_name(v)
        ))),
    }
}

fn str_new(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "str", 0, 3, 3)?;
    a.check_kwargs(vm, "str", &["object", "encoding", "errors"])?;
    let cls = a.pos[0].as_obj().cloned().expect("class");
    let args = Args {
        pos: &a.pos[1..],
        kw: a.kw,
    };
    let obj = args.arg(0, "object").cloned();
    let encoding = args.arg(1, "encoding").cloned();
    let errors = args.arg(2, "errors").cloned();
    // The argument clinic converts `encoding` and `errors` before anything is decoded.
    let text_of = |v: &Option<Value>, name: &str, default: &str| match v {
        Some(v) => match v.as_str() {
            Some(s) => Ok(s.as_str().to_string()),
            None => Err(vm.new_type_error(format!(
                "str() argument '{name}' must be str, not {}",
                crate::module::arg_type_name(vm, v)
            ))),
        },
        None => Ok(default.to_string()),
    };
    let enc = text_of(&encoding, "encoding", "utf-8")?;
    let err = text_of(&errors, "errors", "strict")?;
    let s = match (obj, encoding.is_some() || errors.is_some()) {
        (None, _) => Rc::new(Str::new(String::new())),
        (Some(o), true) => {
            if o.as_str().is_some() {
                return Err(vm.new_type_error("decoding str is not supported"));
            }
            let Some(b) = super::bytes::as_bytes(&o) else {
                return Err(vm.new_type_error(format!(
                    "decoding to str: need a bytes-like object, {} found",
                    vm.type_name(&o)
                )));
            };
            Rc::new(Str::new(super::bytes::decode_bytes(vm, &b, &enc, &err)?))
        }
        (Some(o), false) => vm.to_str(&o)?,
    };
    if Rc::ptr_eq(&cls, &vm.types.str) {
        return Ok(Value::Str(s));
    }
    let inst = vm.new_instance(&cls)?;
    Ok(super::int::rebuild(vm, &inst, Payload::Str(s)))
}

fn join(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "str.join", 1, 1)?;
    let sep = this(vm, &a, "join")?;
    let items = vm.collect_fast(&a.pos[1], "can only join an iterable")?;
    let total = items
        .iter()
        .filter_map(|v| v.as_str())
        .map(|s| s.as_str().len() + sep.as_str().len())
        .sum::<usize>();
    if total >= crate::embed::limits::BIG_BUFFER {
        vm.check_allocation(total)?;
    }
    let mut out = String::with_capacity(total);
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep.as_str());
        }
        match it.as_str() {
            Some(s) => out.push_str(s.as_str()),
            None => {
                return Err(vm.new_type_error(format!(
                    "sequence item {i}: expected str instance, {} found",
                    vm.type_name(it)
                )))
            }
        }
    }
    Ok(Value::str(out))
}

fn maxsplit_arg(vm: &mut Vm, a: &Args) -> PyResult<i64> {
    match a.arg(2, "maxsplit") {
        Some(v) => super::int::ssize_of(vm, v),
        None => Ok(-1),
    }
}

fn sep_arg(vm: &mut Vm, a: &Args) -> PyResult<Option<Rc<Str>>> {
    match a.arg(1, "sep") {
        None | Some(Value::None) => Ok(None),
        Some(v) => {
            let s = str_arg(vm, v, "split", 1).map_err(|_| {
                vm.new_type_error(format!("must be str or None, not {}", vm.type_name(v)))
            })?;
            if s.is_empty() {
                return Err(vm.new_value_error("empty separator"));
            }
            Ok(Some(s))
        }
    }
}

fn split(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "split", 0, 2, 2)?;
    a.check_kwargs(vm, "split", &["sep", "maxsplit"])?;
    let s = this(vm, &a, "split")?;
    let sep = sep_arg(vm, &a)?;
    let max = maxsplit_arg(vm, &a)?;
    let ascii = s.is_ascii();
    let parts: Vec<Value> = match sep {
        // A one-character separator is found by `memchr`, not a substring searcher.
        Some(sep) => {
            let mut cs = sep.as_str().chars();
            let one = match (cs.next(), cs.next()) {
                (Some(c), None) => Some(c),
                _ => None,
            };
            match one {
                Some(c) if c.is_ascii() => split_at_byte(s.as_str(), c as u8, max, ascii),
                Some(c) if max < 0 => s
                    .as_str()
                    .split(c)
                    .map(|p| Value::str_piece(p, ascii))
                    .collect(),
                Some(c) => s
                    .as_str()
                    .splitn(max as usize + 1, c)
                    .map(|p| Value::str_piece(p, ascii))
                    .collect(),
                None if max < 0 => s
                    .as_str()
                    .split(sep.as_str())
                    .map(|p| Value::str_piece(p, ascii))
                    .collect(),
                None => s
                    .as_str()
                    .splitn(max as usize + 1, sep.as_str())
                    .map(|p| Value::str_piece(p, ascii))
                    .collect(),
            }
        }
        None => split_whitespace_str(s.as_str(), max)
            .into_iter()
            .map(|p| Value::str_piece(p, ascii))
            .collect(),
    };
    Ok(vm.new_list(parts))
}

/// The pieces of `hay` between occurrences of the ASCII byte `b` (at most `max` splits
/// when `max >= 0`): an ASCII byte never occurs inside a multi-byte character, so the
/// bytes are searched directly. `ascii`: `hay` is ASCII, and so are its pieces.
fn split_at_byte(hay: &str, b: u8, max: i64, ascii: bool) -> Vec<Value> {
    let mut parts = Vec::new();
    let mut start = 0;
    for at in memchr::memchr_iter(b, hay.as_bytes()) {
        if max >= 0 && parts.len() as i64 == max {
            break;
        }
        parts.push(Value::str_piece(&hay[start..at], ascii));
        start = at + 1;
    }
    parts.push(Value::str_piece(&hay[start..], ascii));
    parts
}

/// `text::split_whitespace` over UTF-8 text (Python's whitespace, `text::is_space_char`).
fn split_whitespace_str(hay: &str, max: i64) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = hay;
    loop {
        rest = rest.trim_start_matches(|c| text::is_space_char(&c));
        if rest.is_empty() {
            break;
        }
        if max >= 0 && out.len() as i64 == max {
            out.push(rest);
            break;
        }
        let end = rest.find(|c| text::is_space_char(&c)).unwrap_or(rest.len());
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

fn rsplit(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "rsplit", 0, 2, 2)?;
    a.check_kwargs(vm, "rsplit", &["sep", "maxsplit"])?;
    let s = this(vm, &a, "rsplit")?;
    let ascii = s.is_ascii();
    let sep = sep_arg(vm, &a)?;
    let max = maxsplit_arg(vm, &a)?;
    let parts: Vec<Value> = match sep {
        Some(sep) => {
            let mut parts: Vec<Value> = if max < 0 {
                s.as_str()
                    .rsplit(sep.as_str())
                    .map(|p| Value::str_piece(p, ascii))
                    .collect()
            } else {
                s.as_str()
                    .rsplitn(max as usize + 1, sep.as_str())
                    .map(|p| Value::str_piece(p, ascii))
                    .collect()
            };
            parts.reverse();
            parts
        }
        None => {
            let chars: Vec<char> = s.as_str().chars().collect();
            text::rsplit_whitespace(&chars, text::is_space_char, max)
                .into_iter()
                .map(|p| Value::str(p.iter().collect::<String>()))
                .collect()
        }
    };
    Ok(vm.new_list(parts))
}

fn splitlines(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "splitlines", 0, 1, 1)?;
    a.check_kwargs(vm, "splitlines", &["keepends"])?;
    let s = this(vm, &a, "splitlines")?;
    let keep = match a.arg(1, "keepends") {
        Some(v) => super::int::c_int_of(vm, v)? != 0,
        None => false,
    };
    let t = s.as_str();
    let out = line_spans(t)
        .into_iter()
        .map(|(start, text_end, end)| {
            Value::str_piece(&t[start..if keep { end } else { text_end }], s.is_ascii())
        })
        .collect();
    Ok(vm.new_list(out))
}

/// The lines of `t` as `str.splitlines` finds them (`\r\n` and every line boundary of
/// `str`, found in the UTF-8 text directly): for each, its start, the end of its text and
/// its end with the line break.
pub(crate) fn line_spans(t: &str) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut it = t.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if !matches!(
            c,
            '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}'
        ) {
            continue;
        }
        let mut end = i + c.len_utf8();
        if c == '\r' && it.peek().is_some_and(|&(_, n)| n == '\n') {
            it.next();
            end += 1;
        }
        out.push((start, i, end));
        start = end;
    }
    if start < t.len() {
        out.push((start, t.len(), t.len()));
    }
    out
}

/// The result of a strip: `a`'s receiver itself when nothing was stripped from an exact
/// `str` (as CPython returns it), else a new string.
fn stripped(a: &Args, s: &Str, t: &str) -> Value {
    if t.len() == s.as_str().len() && matches!(a.pos[0], Value::Str(_)) {
        a.pos[0].clone()
    } else {
        Value::str_piece(t, s.is_ascii())
    }
}

/// The characters to strip (`None`: whitespace) for method `name`.
fn strip_chars(vm: &mut Vm, a: &Args, name: &str) -> PyResult<Option<Rc<Str>>> {
    a.method_count(vm, name, 0, 1)?;
    match a.get(1) {
        None | Some(Value::None) => Ok(None),
        Some(v) => match v.as_str() {
            Some(s) => Ok(Some(s.clone())),
            None => Err(vm.new_type_error(format!("{name} arg must be None or str"))),
        },
    }
}

fn strip(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "strip")?;
    let t = match strip_chars(vm, &a, "strip")? {
        Some(cs) => s.as_str().trim_matches(|c| cs.as_str().contains(c)),
        None => s.as_str().trim_matches(|c| text::is_space_char(&c)),
    };
    Ok(stripped(&a, &s, t))
}

fn lstrip(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "lstrip")?;
    let t = match strip_chars(vm, &a, "lstrip")? {
        Some(cs) => s.as_str().trim_start_matches(|c| cs.as_str().contains(c)),
        None => s.as_str().trim_start_matches(|c| text::is_space_char(&c)),
    };
    Ok(stripped(&a, &s, t))
}

fn rstrip(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "rstrip")?;
    let t = match strip_chars(vm, &a, "rstrip")? {
        Some(cs) => s.as_str().trim_end_matches(|c| cs.as_str().contains(c)),
        None => s.as_str().trim_end_matches(|c| text::is_space_char(&c)),
    };
    Ok(stripped(&a, &s, t))
}

/// The needle and the `[start:end]` window (character indices) of a search method;
/// the window's start may lie past its end (then nothing matches).
fn search_args<'a>(
    vm: &mut Vm,
    a: &Args<'a>,
    s: &Str,
    name: &str,
) -> PyResult<(&'a Value, usize, usize)> {
    let (sub, start, end) = text::find_args(vm, a, name)?;
    let (st, en) = text::window(s.len(), start, end);
    Ok((sub, st, en))
}

fn prefix_match(vm: &mut Vm, a: &Args, name: &str, test: fn(&str, &str) -> bool) -> PyResult {
    let s = this(vm, a, name)?;
    let (arg, st, en) = search_args(vm, a, &s, name)?;
    let hay = if st <= en { s.substring(st, en) } else { "" };
    let check = |p: &Str| st <= en && en - st >= p.len() && test(hay, p.as_str());
    match arg.payload() {
        Some(Payload::Tuple(t)) => {
            for p in t.iter() {
                match p.as_str() {
                    Some(p) if check(p) => return Ok(Value::Bool(Bool::TRUE)),
                    Some(_) => {}
                    None => {
                        return Err(vm.new_type_error(format!(
                            "tuple for {name} must only contain str, not {}",
                            vm.type_name(p)
                        )))
                    }
                }
            }
            Ok(Value::Bool(Bool::FALSE))
        }
        _ => match arg.as_str() {
            Some(p) => Ok(Value::bool(check(p))),
            None => Err(vm.new_type_error(format!(
                "{name} first arg must be str or a tuple of str, not {}",
                vm.type_name(arg)
            ))),
        },
    }
}

fn startswith(vm: &mut Vm, a: Args) -> PyResult {
    prefix_match(vm, &a, "startswith", |h, p| h.starts_with(p))
}

fn endswith(vm: &mut Vm, a: Args) -> PyResult {
    prefix_match(vm, &a, "endswith", |h, p| h.ends_with(p))
}

fn char_index(s: &str, byte: usize) -> usize {
    s[..byte].chars().count()
}

fn search(vm: &mut Vm, a: &Args, name: &str, reverse: bool) -> PyResult<i64> {
    let s = this(vm, a, name)?;
    let (sub, st, en) = search_args(vm, a, &s, name)?;
    let sub = str_arg(vm, sub, name, 1)
        .map_err(|_| vm.new_type_error(format!("must be str, not {}", vm.type_name(sub))))?;
    if st > en || (en - st) < sub.len() {
        return Ok(-1);
    }
    let hay = s.substring(st, en);
    let found = if reverse {
        search::rfind(hay, sub.as_str())
    } else {
        search::find(hay, sub.as_str())
    };
    Ok(match found {
        Some(b) if s.is_ascii() => (st + b) as i64,
        Some(b) => (st + char_index(hay, b)) as i64,
        None => -1,
    })
}

fn find(vm: &mut Vm, a: Args) -> PyResult {
    search(vm, &a, "find", false).map(Value::Int)
}

fn rfind(vm: &mut Vm, a: Args) -> PyResult {
    search(vm, &a, "rfind", true).map(Value::Int)
}

fn index(vm: &mut Vm, a: Args) -> PyResult {
    match search(vm, &a, "index", false)? {
        -1 => Err(vm.new_value_error("substring not found")),
        i => Ok(Value::Int(i)),
    }
}

fn rindex(vm: &mut Vm, a: Args) -> PyResult {
    match search(vm, &a, "rindex", true)? {
        -1 => Err(vm.new_value_error("substring not found")),
        i => Ok(Value::Int(i)),
    }
}

fn count(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "count")?;
    let (sub, st, en) = search_args(vm, &a, &s, "count")?;
    let sub = str_arg(vm, sub, "count", 1)
        .map_err(|_| vm.new_type_error(format!("must be str, not {}", vm.type_name(sub))))?;
    if st > en || en - st < sub.len() {
        return Ok(Value::Int(0));
    }
    if sub.is_empty() {
        return Ok(Value::Int((en - st) as i64 + 1));
    }
    let hay = s.substring(st, en);
    Ok(Value::Int(search::count(hay, sub.as_str()) as i64))
}

fn replace(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "replace", 2, 3)?;
    let s = this(vm, &a, "replace")?;
    let old = str_arg(vm, &a.pos[1], "replace", 1)?;
    let new = str_arg(vm, &a.pos[2], "replace", 2)?;
    let n = match a.get(3) {
        Some(v) => super::int::ssize_of(vm, v)?,
        None => -1,
    };
    if n < 0 {
        if old.is_empty() {
            let mut out = String::from(new.as_str());
            for c in s.as_str().chars() {
                out.push(c);
                out.push_str(new.as_str());
            }
            return Ok(Value::str(out));
        }
        return Ok(Value::str(s.as_str().replace(old.as_str(), new.as_str())));
    }
    if old.is_empty() {
        let mut out = String::new();
        let mut k = 0;
        for c in s.as_str().chars() {
            if k < n {
                out.push_str(new.as_str());
                k += 1;
            }
            out.push(c);
        }
        if k < n {
            out.push_str(new.as_str());
        }
        return Ok(Value::str(out));
    }
    Ok(Value::str(s.as_str().replacen(
        old.as_str(),
        new.as_str(),
        n as usize,
    )))
}

fn pred(vm: &mut Vm, a: &Args, name: &str, f: impl Fn(char) -> bool) -> PyResult {
    let s = this(vm, a, name)?;
    Ok(Value::bool(!s.is_empty() && s.as_str().chars().all(f)))
}

fn isspace(vm: &mut Vm, a: Args) -> PyResult {
    pred(vm, &a, "isspace", |c| text::is_space_char(&c))
}

fn isascii(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "isascii")?;
    Ok(Value::bool(s.is_ascii()))
}

fn isprintable(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "isprintable")?;
    Ok(Value::bool(s.as_str().chars().all(super::str_is_printable)))
}

fn isidentifier(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "isidentifier")?;
    let mut chars = s.as_str().chars();
    let ok = match chars.next() {
        Some(c) => {
            (c == '_' || unicode_ident::is_xid_start(c))
                && chars.all(unicode_ident::is_xid_continue)
        }
        None => false,
    };
    Ok(Value::bool(ok))
}

fn pad(vm: &mut Vm, a: &Args, name: &str) -> PyResult<(Rc<Str>, usize, char)> {
    a.method_count(vm, name, 1, 2)?;
    let s = this(vm, a, name)?;
    let width = super::int::ssize_of(vm, &a.pos[1])?.max(0) as usize;
    let fill = match a.get(2) {
        Some(v) => match v.as_str() {
            Some(f) if f.len() == 1 => f.as_str().chars().next().unwrap_or(' '),
            Some(_) => {
                return Err(
                    vm.new_type_error("The fill character must be exactly one character long")
                )
            }
            None => {
                return Err(vm.new_type_error(format!(
                    "The fill character must be a unicode character, not {}",
                    vm.type_name(v)
                )))
            }
        },
        None => ' ',
    };
    Ok((s, width, fill))
}

fn pad_impl(vm: &mut Vm, a: &Args, name: &str, align: Align) -> PyResult {
    let (s, width, fill) = pad(vm, a, name)?;
    if width <= s.len() {
        return Ok(Value::Str(s));
    }
    // Built in UTF-8 directly, without a char vector.
    let (left, right) = text::pad_sides(s.len(), width, align);
    let total = (left + right)
        .checked_mul(fill.len_utf8())
        .and_then(|n| n.checked_add(s.as_str().len()))
        .unwrap_or(usize::MAX);
    if total >= crate::embed::limits::BIG_BUFFER {
        vm.check_allocation(total)?;
    }
    let mut out = String::new();
    if out.try_reserve_exact(total).is_err() {
        return Err(vm.new_exception(&vm.exc.memory_error.clone(), vec![]));
    }
    out.extend(std::iter::repeat_n(fill, left));
    out.push_str(s.as_str());
    out.extend(std::iter::repeat_n(fill, right));
    Ok(Value::str(out))
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
    a.method_count(vm, "str.zfill", 1, 1)?;
    let s = this(vm, &a, "zfill")?;
    let width = super::int::ssize_of(vm, &a.pos[1])?.max(0) as usize;
    if width <= s.len() {
        return Ok(Value::Str(s));
    }
    // Built in UTF-8 directly (a 2 GiB result must not need an 8 GiB char vector).
    let text = s.as_str();
    let zeros = width - s.len();
    let total = zeros.saturating_add(text.len());
    vm.check_allocation(total)?;
    let mut out = String::new();
    if out.try_reserve_exact(total).is_err() {
        return Err(vm.new_exception(&vm.exc.memory_error.clone(), vec![]));
    }
    let sign = if text.starts_with(['+', '-']) { 1 } else { 0 };
    out.push_str(&text[..sign]);
    out.extend(std::iter::repeat_n('0', zeros));
    out.push_str(&text[sign..]);
    Ok(Value::str(out))
}

fn partition_impl(vm: &mut Vm, a: Args, name: &str, rev: bool) -> PyResult {
    a.method_count(vm, name, 1, 1)?;
    let s = this(vm, &a, name)?;
    let sep = str_arg(vm, &a.pos[1], name, 1)
        .map_err(|_| vm.new_type_error(format!("must be str, not {}", vm.type_name(&a.pos[1]))))?;
    if sep.is_empty() {
        return Err(vm.new_value_error("empty separator"));
    }
    let t = s.as_str();
    let found = if rev {
        search::rfind(t, sep.as_str())
    } else {
        search::find(t, sep.as_str())
    };
    // As CPython: the separator found is the argument itself, and a string without it
    // is the receiver itself.
    let parts = match found {
        Some(i) => vec![
            Value::str_piece(&t[..i], s.is_ascii()),
            a.pos[1].clone(),
            Value::str_piece(&t[i + sep.as_str().len()..], s.is_ascii()),
        ],
        None if rev => vec![Value::str_from(""), Value::str_from(""), a.pos[0].clone()],
        None => vec![a.pos[0].clone(), Value::str_from(""), Value::str_from("")],
    };
    Ok(vm.new_tuple(parts))
}

fn partition(vm: &mut Vm, a: Args) -> PyResult {
    partition_impl(vm, a, "partition", false)
}

fn rpartition(vm: &mut Vm, a: Args) -> PyResult {
    partition_impl(vm, a, "rpartition", true)
}

fn format(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "format")?;
    super::format::str_format(vm, s.as_str(), &a.pos[1..], a.kw, None).map(Value::str)
}

fn format_map(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "str.format_map", 1, 1)?;
    let s = this(vm, &a, "format_map")?;
    let m = a.pos[1].clone();
    super::format::str_format(vm, s.as_str(), &[], &[], Some(&m)).map(Value::str)
}

fn encode(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "encode", 0, 2, 2)?;
    a.check_kwargs(vm, "encode", &["encoding", "errors"])?;
    let s = this(vm, &a, "encode")?;
    let enc = super::codecs::codec_param(vm, a.arg(1, "encoding"), "encode", "encoding", "utf-8")?;
    let errors = super::codecs::codec_param(vm, a.arg(2, "errors"), "encode", "errors", "strict")?;
    let b = super::bytes::encode_str(vm, s.as_str(), enc, errors)?;
    Ok(super::bytes_const(&vm.types, b))
}

fn expandtabs(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "expandtabs", 0, 1, 1)?;
    a.check_kwargs(vm, "expandtabs", &["tabsize"])?;
    let s = this(vm, &a, "expandtabs")?;
    // `tabsize` is a C int in CPython.
    let size = match a.arg(1, "tabsize") {
        Some(v) => i64::from(super::int::c_int_of(vm, v)?),
        None => 8,
    };
    let chars: Vec<char> = s.as_str().chars().collect();
    let tabs = chars.iter().filter(|c| **c == '\t').count();
    vm.check_allocation(
        tabs.saturating_mul(size.max(0) as usize)
            .saturating_mul(std::mem::size_of::<char>()),
    )?;
    let out = text::expand_tabs(
        &chars,
        size,
        ' ',
        |c| *c == '\t',
        |c| matches!(c, '\n' | '\r'),
    );
    Ok(Value::str(out.into_iter().collect::<String>()))
}

fn removeprefix(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "str.removeprefix", 1, 1)?;
    let s = this(vm, &a, "removeprefix")?;
    let p = str_only_arg(vm, &a.pos[1], "removeprefix")?;
    Ok(Value::str(
        s.as_str().strip_prefix(p.as_str()).unwrap_or(s.as_str()),
    ))
}

fn removesuffix(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "str.removesuffix", 1, 1)?;
    let s = this(vm, &a, "removesuffix")?;
    let p = str_only_arg(vm, &a.pos[1], "removesuffix")?;
    Ok(Value::str(
        s.as_str().strip_suffix(p.as_str()).unwrap_or(s.as_str()),
    ))
}

fn dunder_len(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "__len__")?;
    Ok(Value::Int(s.len() as i64))
}

fn dunder_str(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "__str__")?;
    Ok(Value::Str(s))
}

fn dunder_repr(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "__repr__")?;
    Ok(Value::str(super::str_repr(s.as_str())))
}

fn dunder_hash(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "__hash__")?;
    Ok(Value::Int(s.hash()))
}

fn dunder_eq(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "__eq__")?;
    match a.get(1).and_then(|v| v.as_str()) {
        Some(o) => Ok(Value::bool(s.as_str() == o.as_str())),
        None => Ok(vm.not_implemented.clone()),
    }
}

fn dunder_lt(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "__lt__")?;
    match a.get(1).and_then(|v| v.as_str()) {
        Some(o) => Ok(Value::bool(s.as_str() < o.as_str())),
        None => Ok(vm.not_implemented.clone()),
    }
}

/// `str.__rmod__(other)`: `NotImplemented` unless `other` is a str (then `other % self`).
fn dunder_rmod(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__rmod__", 1, 1)?;
    let me = Value::Str(this(vm, &a, "__rmod__")?);
    match a.pos[1].as_str() {
        Some(fmt) => {
            let fmt = fmt.clone();
            super::format::percent(vm, fmt.as_str(), &me).map(Value::str)
        }
        None => Ok(vm.not_implemented.clone()),
    }
}

/// `str.__getnewargs__()`: `(str(self),)`.
fn dunder_getnewargs(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "str.__getnewargs__", 0, 0)?;
    let me = Value::Str(this(vm, &a, "__getnewargs__")?);
    Ok(vm.new_tuple(vec![me]))
}

fn dunder_contains(vm: &mut Vm, a: Args) -> PyResult {
    let s = Value::Str(this(vm, &a, "__contains__")?);
    vm.contains(&s, &a.pos[1]).map(Value::bool)
}

fn dunder_getitem(vm: &mut Vm, a: Args) -> PyResult {
    let s = Value::Str(this(vm, &a, "__getitem__")?);
    super::native_getitem(vm, &s, &a.pos[1])
}

fn dunder_add(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "__add__")?;
    match a.get(1).and_then(|v| v.as_str()) {
        Some(o) => Ok(Value::str(format!("{}{}", s.as_str(), o.as_str()))),
        None => {
            let o = a.get(1).cloned().unwrap_or(Value::None);
            Err(vm.binop_type_error(&Value::Str(s), &o, crate::code::BinOp::Add))
        }
    }
}

fn dunder_mul(vm: &mut Vm, a: Args) -> PyResult {
    let s = Value::Str(this(vm, &a, "__mul__")?);
    let n = a.get(1).cloned().unwrap_or(Value::None);
    super::repeat_method(vm, &s, &n)
}

fn dunder_mod(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "__mod__")?;
    let args = a.get(1).cloned().unwrap_or(Value::None);
    crate::builtins::format::percent(vm, s.as_str(), &args).map(Value::str)
}

fn dunder_format(vm: &mut Vm, a: Args) -> PyResult {
    let s = Value::Str(this(vm, &a, "__format__")?);
    let spec = super::format::spec_arg(vm, &a)?;
    // CPython: an empty spec on a str subclass is `str(self)`.
    if spec.as_str().is_some_and(|s| s.is_empty()) && vm.is_heap(&a.pos[0]) {
        return vm.to_str(&a.pos[0]).map(Value::Str);
    }
    // A subclass's text is formatted as a str, with the subclass's name in errors.
    if let (true, Some(text)) = (vm.is_heap(&a.pos[0]), spec.as_str()) {
        if !text.is_empty() {
            let tn = vm.type_name(&a.pos[0]);
            return super::format::format_builtin(vm, &s, text.as_str(), &tn).map(Value::str);
        }
    }
    vm.format_value(s, 0, Some(spec))
}

fn dunder_iter(vm: &mut Vm, a: Args) -> PyResult {
    let s = Value::Str(this(vm, &a, "__iter__")?);
    vm.get_iter(&s)
}
