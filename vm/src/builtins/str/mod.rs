//! `str`: the constructor and the methods (splitting, searching, case, padding,
//! predicates, `join`, `replace`, `format`, `encode`).

use super::{def_method, def_static};
use crate::native::Args;
use crate::object::Payload;
use crate::str::Str;
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

pub(super) fn install(vm: &mut Vm) {
    let s = vm.types.str.clone();
    def_static(vm, &s, "__new__", str_new);
    let methods: &[(&str, crate::native::NativeFn)] = &[
        ("join", join),
        ("split", split),
        ("rsplit", rsplit),
        ("splitlines", splitlines),
        ("strip", strip),
        ("lstrip", lstrip),
        ("rstrip", rstrip),
        ("startswith", startswith),
        ("endswith", endswith),
        ("find", find),
        ("rfind", rfind),
        ("index", index),
        ("rindex", rindex),
        ("count", count),
        ("replace", replace),
        ("upper", upper),
        ("lower", lower),
        ("casefold", lower),
        ("title", title),
        ("capitalize", capitalize),
        ("swapcase", swapcase),
        ("isdigit", isdigit),
        ("isdecimal", isdecimal),
        ("isnumeric", isnumeric),
        ("isalpha", isalpha),
        ("isalnum", isalnum),
        ("isspace", isspace),
        ("isupper", isupper),
        ("islower", islower),
        ("istitle", istitle),
        ("isidentifier", isidentifier),
        ("isprintable", isprintable),
        ("isascii", isascii),
        ("center", center),
        ("ljust", ljust),
        ("rjust", rjust),
        ("zfill", zfill),
        ("partition", partition),
        ("rpartition", rpartition),
        ("format", format),
        ("format_map", format_map),
        ("encode", encode),
        ("expandtabs", expandtabs),
        ("removeprefix", removeprefix),
        ("removesuffix", removesuffix),
        ("__len__", dunder_len),
        ("__str__", dunder_str),
        ("__repr__", dunder_repr),
        ("__hash__", dunder_hash),
        ("__eq__", dunder_eq),
        ("__contains__", dunder_contains),
        ("__getitem__", dunder_getitem),
        ("__add__", dunder_add),
        ("__mul__", dunder_mul),
        ("__lt__", dunder_lt),
        ("__format__", dunder_format),
        ("__iter__", dunder_iter),
    ];
    for (name, f) in methods {
        def_method(vm, &s, name, *f);
    }
}

/// The `str` receiver of a method call.
fn this(vm: &mut Vm, a: &Args, name: &str) -> PyResult<Rc<Str>> {
    match a.pos.first().and_then(|v| v.as_str()) {
        Some(s) => Ok(s.clone()),
        None => Err(vm.new_type_error(format!("descriptor '{name}' requires a 'str' object"))),
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
    let cls = a.pos[0].as_obj().cloned().expect("class");
    let args = Args {
        pos: &a.pos[1..],
        kw: a.kw,
    };
    let obj = args.arg(0, "object").cloned();
    let encoding = args.arg(1, "encoding").cloned();
    let s = match (obj, encoding) {
        (None, _) => Rc::new(Str::new(String::new())),
        (Some(o), Some(_)) => match super::bytes::as_bytes(&o) {
            Some(b) => match String::from_utf8(b) {
                Ok(s) => Rc::new(Str::new(s)),
                Err(_) => {
                    return Err(vm.new_exception_msg(
                        &vm.exc.unicode_decode_error.clone(),
                        "'utf-8' codec can't decode bytes",
                    ))
                }
            },
            None => return Err(vm.new_type_error("decoding to str: need a bytes-like object")),
        },
        (Some(o), None) => vm.to_str(&o)?,
    };
    if Rc::ptr_eq(&cls, &vm.types.str) {
        return Ok(Value::Str(s));
    }
    let inst = vm.new_instance(&cls)?;
    Ok(super::int::rebuild(vm, &inst, Payload::Str(s)))
}

fn join(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "join", 1, 1)?;
    let sep = this(vm, &a, "join")?;
    let items = vm.collect(&a.pos[1])?;
    let mut out = String::new();
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
        Some(v) => super::int::index_of(vm, v),
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
    let s = this(vm, &a, "split")?;
    let sep = sep_arg(vm, &a)?;
    let max = maxsplit_arg(vm, &a)?;
    let parts: Vec<String> = match sep {
        Some(sep) => {
            if max < 0 {
                s.as_str().split(sep.as_str()).map(String::from).collect()
            } else {
                s.as_str()
                    .splitn(max as usize + 1, sep.as_str())
                    .map(String::from)
                    .collect()
            }
        }
        None => split_whitespace(s.as_str(), max),
    };
    Ok(vm.new_list(parts.into_iter().map(Value::str).collect()))
}

fn split_whitespace(s: &str, max: i64) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        if max >= 0 && out.len() as i64 == max {
            out.push(rest.to_string());
            break;
        }
        match rest.find(char::is_whitespace) {
            Some(i) => {
                out.push(rest[..i].to_string());
                rest = rest[i..].trim_start();
            }
            None => {
                out.push(rest.to_string());
                break;
            }
        }
    }
    out
}

fn rsplit(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "rsplit")?;
    let sep = sep_arg(vm, &a)?;
    let max = maxsplit_arg(vm, &a)?;
    let mut parts: Vec<String> = match sep {
        Some(sep) => {
            if max < 0 {
                s.as_str().rsplit(sep.as_str()).map(String::from).collect()
            } else {
                s.as_str()
                    .rsplitn(max as usize + 1, sep.as_str())
                    .map(String::from)
                    .collect()
            }
        }
        None => {
            let mut out = Vec::new();
            let mut rest = s.as_str().trim_end();
            while !rest.is_empty() {
                if max >= 0 && out.len() as i64 == max {
                    out.push(rest.to_string());
                    break;
                }
                match rest.rfind(char::is_whitespace) {
                    Some(i) => {
                        let w = rest[i..].chars().next().map(|c| c.len_utf8()).unwrap_or(1);
                        out.push(rest[i + w..].to_string());
                        rest = rest[..i].trim_end();
                    }
                    None => {
                        out.push(rest.to_string());
                        break;
                    }
                }
            }
            out
        }
    };
    parts.reverse();
    Ok(vm.new_list(parts.into_iter().map(Value::str).collect()))
}

fn splitlines(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "splitlines")?;
    let keep = match a.arg(1, "keepends") {
        Some(v) => vm.is_true(&v.clone())?,
        None => false,
    };
    let mut out = Vec::new();
    let text = s.as_str();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if is_break {
            let mut end = i + c.len_utf8();
            if c == '\r' {
                if let Some((_, '\n')) = chars.peek() {
                    chars.next();
                    end += 1;
                }
            }
            out.push(Value::str(if keep {
                &text[start..end]
            } else {
                &text[start..i]
            }));
            start = end;
        }
    }
    if start < text.len() {
        out.push(Value::str(&text[start..]));
    }
    Ok(vm.new_list(out))
}

fn strip_chars(vm: &mut Vm, a: &Args) -> PyResult<Option<Vec<char>>> {
    match a.get(1) {
        None | Some(Value::None) => Ok(None),
        Some(v) => match v.as_str() {
            Some(s) => Ok(Some(s.as_str().chars().collect())),
            None => Err(vm.new_type_error(format!("strip arg must be None or str"))),
        },
    }
}

fn strip(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "strip")?;
    Ok(Value::str(match strip_chars(vm, &a)? {
        Some(cs) => s.as_str().trim_matches(|c| cs.contains(&c)).to_string(),
        None => s.as_str().trim().to_string(),
    }))
}

fn lstrip(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "lstrip")?;
    Ok(Value::str(match strip_chars(vm, &a)? {
        Some(cs) => s
            .as_str()
            .trim_start_matches(|c| cs.contains(&c))
            .to_string(),
        None => s.as_str().trim_start().to_string(),
    }))
}

fn rstrip(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "rstrip")?;
    Ok(Value::str(match strip_chars(vm, &a)? {
        Some(cs) => s.as_str().trim_end_matches(|c| cs.contains(&c)).to_string(),
        None => s.as_str().trim_end().to_string(),
    }))
}

/// The `[start:end]` window of a search method, as character indices.
fn window(vm: &mut Vm, a: &Args, s: &Str, first: usize) -> PyResult<(usize, usize)> {
    let len = s.len() as i64;
    let conv = |vm: &mut Vm, v: Option<&Value>, d: i64| -> PyResult<i64> {
        match v {
            None | Some(Value::None) => Ok(d),
            Some(v) => {
                let i = super::int::index_of(vm, v)?;
                Ok(if i < 0 { (i + len).max(0) } else { i.min(len) })
            }
        }
    };
    let start = conv(vm, a.get(first), 0)?;
    let end = conv(vm, a.get(first + 1), len)?;
    Ok((start as usize, end.max(start) as usize))
}

fn prefix_match(vm: &mut Vm, a: &Args, name: &str, test: fn(&str, &str) -> bool) -> PyResult {
    let s = this(vm, a, name)?;
    let (st, en) = window(vm, a, &s, 2)?;
    if st > s.len() {
        return Ok(Value::Bool(false));
    }
    let hay = s.substring(st, en.min(s.len()));
    let arg = a.get(1).cloned().unwrap_or(Value::None);
    match arg.payload() {
        Some(Payload::Tuple(t)) => {
            for p in t.iter() {
                match p.as_str() {
                    Some(p) if test(hay, p.as_str()) => return Ok(Value::Bool(true)),
                    Some(_) => {}
                    None => {
                        return Err(vm.new_type_error(format!(
                            "tuple for {name} must only contain str, not {}",
                            vm.type_name(p)
                        )))
                    }
                }
            }
            Ok(Value::Bool(false))
        }
        _ => match arg.as_str() {
            Some(p) => Ok(Value::Bool(test(hay, p.as_str()))),
            None => Err(vm.new_type_error(format!(
                "{name} first arg must be str or a tuple of str, not {}",
                vm.type_name(&arg)
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
    let sub = match a.get(1) {
        Some(v) => str_arg(vm, v, name, 1)
            .map_err(|_| vm.new_type_error(format!("must be str, not {}", vm.type_name(v))))?,
        None => {
            return Err(vm.new_type_error(format!("{name}() takes at least 1 argument (0 given)")))
        }
    };
    let (st, en) = window(vm, a, &s, 2)?;
    if st > s.len() || (en - st) < sub.len() {
        return Ok(-1);
    }
    let hay = s.substring(st, en.min(s.len()));
    let found = if reverse {
        hay.rfind(sub.as_str())
    } else {
        hay.find(sub.as_str())
    };
    Ok(match found {
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
    let sub = match a.get(1) {
        Some(v) => str_arg(vm, v, "count", 1)
            .map_err(|_| vm.new_type_error(format!("must be str, not {}", vm.type_name(v))))?,
        None => return Err(vm.new_type_error("count() takes at least 1 argument (0 given)")),
    };
    let (st, en) = window(vm, &a, &s, 2)?;
    if st > s.len() {
        return Ok(Value::Int(0));
    }
    let hay = s.substring(st, en.min(s.len()));
    if sub.is_empty() {
        return Ok(Value::Int(hay.chars().count() as i64 + 1));
    }
    Ok(Value::Int(hay.matches(sub.as_str()).count() as i64))
}

fn replace(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "replace", 2, 3)?;
    let s = this(vm, &a, "replace")?;
    let old = str_arg(vm, &a.pos[1], "replace", 1)?;
    let new = str_arg(vm, &a.pos[2], "replace", 2)?;
    let n = match a.get(3) {
        Some(v) => super::int::index_of(vm, v)?,
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

fn upper(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "upper")?;
    Ok(Value::str(s.as_str().to_uppercase()))
}

fn lower(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "lower")?;
    Ok(Value::str(s.as_str().to_lowercase()))
}

fn title(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "title")?;
    let mut out = String::new();
    let mut prev_cased = false;
    for c in s.as_str().chars() {
        if prev_cased {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        prev_cased = c.is_alphabetic()
            && (c.is_lowercase()
                || c.is_uppercase()
                || c.to_uppercase().next() != Some(c)
                || c.to_lowercase().next() != Some(c));
    }
    Ok(Value::str(out))
}

fn capitalize(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "capitalize")?;
    let mut chars = s.as_str().chars();
    let out: String = match chars.next() {
        Some(c) => c
            .to_uppercase()
            .chain(chars.flat_map(|c| c.to_lowercase()))
            .collect(),
        None => String::new(),
    };
    Ok(Value::str(out))
}

fn swapcase(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "swapcase")?;
    let mut out = String::new();
    for c in s.as_str().chars() {
        if c.is_uppercase() {
            out.extend(c.to_lowercase());
        } else if c.is_lowercase() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    Ok(Value::str(out))
}

fn pred(vm: &mut Vm, a: &Args, name: &str, f: impl Fn(char) -> bool) -> PyResult {
    let s = this(vm, a, name)?;
    Ok(Value::Bool(!s.is_empty() && s.as_str().chars().all(f)))
}

fn isdigit(vm: &mut Vm, a: Args) -> PyResult {
    pred(vm, &a, "isdigit", |c| {
        c.is_ascii_digit()
            || (c.is_numeric() && c.to_digit(10).is_some())
            || matches!(c, '²' | '³' | '¹')
    })
}

fn isdecimal(vm: &mut Vm, a: Args) -> PyResult {
    pred(vm, &a, "isdecimal", |c| {
        c.is_ascii_digit() || (c.is_numeric() && c.to_digit(10).is_some())
    })
}

fn isnumeric(vm: &mut Vm, a: Args) -> PyResult {
    pred(vm, &a, "isnumeric", |c| c.is_numeric())
}

fn isalpha(vm: &mut Vm, a: Args) -> PyResult {
    pred(vm, &a, "isalpha", |c| c.is_alphabetic())
}

fn isalnum(vm: &mut Vm, a: Args) -> PyResult {
    pred(vm, &a, "isalnum", |c| c.is_alphanumeric())
}

fn isspace(vm: &mut Vm, a: Args) -> PyResult {
    pred(vm, &a, "isspace", |c| {
        c.is_whitespace() || matches!(c, '\x1c'..='\x1f')
    })
}

fn isascii(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "isascii")?;
    Ok(Value::Bool(s.is_ascii()))
}

fn isprintable(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "isprintable")?;
    Ok(Value::Bool(s.as_str().chars().all(super::str_is_printable)))
}

fn isupper(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "isupper")?;
    let t = s.as_str();
    Ok(Value::Bool(
        t.chars().any(|c| c.is_uppercase()) && !t.chars().any(|c| c.is_lowercase()),
    ))
}

fn islower(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "islower")?;
    let t = s.as_str();
    Ok(Value::Bool(
        t.chars().any(|c| c.is_lowercase()) && !t.chars().any(|c| c.is_uppercase()),
    ))
}

fn istitle(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "istitle")?;
    let mut prev_cased = false;
    let mut any = false;
    for c in s.as_str().chars() {
        if c.is_uppercase() {
            if prev_cased {
                return Ok(Value::Bool(false));
            }
            prev_cased = true;
            any = true;
        } else if c.is_lowercase() {
            if !prev_cased {
                return Ok(Value::Bool(false));
            }
            prev_cased = true;
            any = true;
        } else {
            prev_cased = false;
        }
    }
    Ok(Value::Bool(any))
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
    Ok(Value::Bool(ok))
}

fn pad(vm: &mut Vm, a: &Args, name: &str) -> PyResult<(Rc<Str>, usize, char)> {
    a.method_count(vm, name, 1, 2)?;
    let s = this(vm, a, name)?;
    let width = super::int::index_of(vm, &a.pos[1])?.max(0) as usize;
    let fill = match a.get(2) {
        Some(v) => match v.as_str() {
            Some(f) if f.len() == 1 => f.as_str().chars().next().unwrap_or(' '),
            _ => {
                return Err(
                    vm.new_type_error("The fill character must be exactly one character long")
                )
            }
        },
        None => ' ',
    };
    Ok((s, width, fill))
}

fn center(vm: &mut Vm, a: Args) -> PyResult {
    let (s, width, fill) = pad(vm, &a, "center")?;
    let len = s.len();
    if width <= len {
        return Ok(Value::Str(s));
    }
    let total = width - len;
    let left = total / 2 + (total & width & 1);
    let right = total - left;
    let f = |n: usize| std::iter::repeat(fill).take(n).collect::<String>();
    Ok(Value::str(format!("{}{}{}", f(left), s.as_str(), f(right))))
}

fn ljust(vm: &mut Vm, a: Args) -> PyResult {
    let (s, width, fill) = pad(vm, &a, "ljust")?;
    let n = width.saturating_sub(s.len());
    Ok(Value::str(format!(
        "{}{}",
        s.as_str(),
        std::iter::repeat(fill).take(n).collect::<String>()
    )))
}

fn rjust(vm: &mut Vm, a: Args) -> PyResult {
    let (s, width, fill) = pad(vm, &a, "rjust")?;
    let n = width.saturating_sub(s.len());
    Ok(Value::str(format!(
        "{}{}",
        std::iter::repeat(fill).take(n).collect::<String>(),
        s.as_str()
    )))
}

fn zfill(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "zfill", 1, 1)?;
    let s = this(vm, &a, "zfill")?;
    let width = super::int::index_of(vm, &a.pos[1])?.max(0) as usize;
    let t = s.as_str();
    if width <= s.len() {
        return Ok(Value::Str(s));
    }
    let n = width - s.len();
    let (sign, rest) = match t.chars().next() {
        Some(c @ ('+' | '-')) => (c.to_string(), &t[1..]),
        _ => (String::new(), t),
    };
    Ok(Value::str(format!("{sign}{}{rest}", "0".repeat(n))))
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
        t.rfind(sep.as_str())
    } else {
        t.find(sep.as_str())
    };
    let parts = match found {
        Some(i) => [&t[..i], sep.as_str(), &t[i + sep.as_str().len()..]],
        None if rev => ["", "", t],
        None => [t, "", ""],
    };
    Ok(vm.new_tuple(parts.iter().map(|p| Value::str(*p)).collect()))
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
    a.method_count(vm, "format_map", 1, 1)?;
    let s = this(vm, &a, "format_map")?;
    let m = a.pos[1].clone();
    super::format::str_format(vm, s.as_str(), &[], &[], Some(&m)).map(Value::str)
}

fn encode(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "encode")?;
    let enc = a
        .arg(1, "encoding")
        .and_then(|e| e.as_str().map(|s| s.as_str().to_lowercase()))
        .unwrap_or_else(|| "utf-8".into());
    match enc.as_str() {
        "utf-8" | "utf8" => Ok(super::bytes_const(
            &vm.types,
            s.as_str().as_bytes().to_vec(),
        )),
        "ascii" | "latin-1" | "latin1" | "iso-8859-1" => {
            let limit = if enc == "ascii" { 128 } else { 256 };
            let mut out = Vec::new();
            for (i, c) in s.as_str().chars().enumerate() {
                if (c as u32) < limit {
                    out.push(c as u8);
                } else {
                    let errors = a
                        .arg(2, "errors")
                        .and_then(|e| e.as_str().map(|s| s.as_str().to_string()))
                        .unwrap_or_else(|| "strict".into());
                    match errors.as_str() {
                        "ignore" => {}
                        "replace" => out.push(b'?'),
                        _ => {
                            let name = if enc == "ascii" { "ascii" } else { "latin-1" };
                            return Err(vm.new_exception_msg(
                                &vm.exc.unicode_encode_error.clone(),
                                format!(
                                    "'{name}' codec can't encode character '\\u{:04x}' in position {i}: ordinal not in range({limit})",
                                    c as u32
                                ),
                            ));
                        }
                    }
                }
            }
            Ok(super::bytes_const(&vm.types, out))
        }
        _ => Err(vm.new_exception_msg(
            &vm.exc.lookup_error.clone(),
            format!("unknown encoding: {enc}"),
        )),
    }
}

fn expandtabs(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "expandtabs")?;
    let size = match a.arg(1, "tabsize") {
        Some(v) => super::int::index_of(vm, v)?,
        None => 8,
    };
    let mut out = String::new();
    let mut col = 0i64;
    for c in s.as_str().chars() {
        match c {
            '\t' => {
                if size > 0 {
                    let n = size - col % size;
                    out.push_str(&" ".repeat(n as usize));
                    col += n;
                }
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    Ok(Value::str(out))
}

fn removeprefix(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "removeprefix", 1, 1)?;
    let s = this(vm, &a, "removeprefix")?;
    let p = str_arg(vm, &a.pos[1], "removeprefix", 1)?;
    Ok(Value::str(
        s.as_str().strip_prefix(p.as_str()).unwrap_or(s.as_str()),
    ))
}

fn removesuffix(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "removesuffix", 1, 1)?;
    let s = this(vm, &a, "removesuffix")?;
    let p = str_arg(vm, &a.pos[1], "removesuffix", 1)?;
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
        Some(o) => Ok(Value::Bool(s.as_str() == o.as_str())),
        None => Ok(vm.not_implemented.clone()),
    }
}

fn dunder_lt(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "__lt__")?;
    match a.get(1).and_then(|v| v.as_str()) {
        Some(o) => Ok(Value::Bool(s.as_str() < o.as_str())),
        None => Ok(vm.not_implemented.clone()),
    }
}

fn dunder_contains(vm: &mut Vm, a: Args) -> PyResult {
    let s = Value::Str(this(vm, &a, "__contains__")?);
    vm.contains(&s, &a.pos[1]).map(Value::Bool)
}

fn dunder_getitem(vm: &mut Vm, a: Args) -> PyResult {
    let s = Value::Str(this(vm, &a, "__getitem__")?);
    super::native_getitem(vm, &s, &a.pos[1])
}

fn dunder_add(vm: &mut Vm, a: Args) -> PyResult {
    let s = this(vm, &a, "__add__")?;
    match a.get(1).and_then(|v| v.as_str()) {
        Some(o) => Ok(Value::str(format!("{}{}", s.as_str(), o.as_str()))),
        None => Ok(vm.not_implemented.clone()),
    }
}

fn dunder_mul(vm: &mut Vm, a: Args) -> PyResult {
    let s = Value::Str(this(vm, &a, "__mul__")?);
    vm.binary_op(&s, &a.pos[1], crate::code::BinOp::Mul)
}

fn dunder_format(vm: &mut Vm, a: Args) -> PyResult {
    let s = Value::Str(this(vm, &a, "__format__")?);
    let spec = a.pos.get(1).cloned().unwrap_or_else(|| Value::str(""));
    vm.format_value(s, 0, Some(spec))
}

fn dunder_iter(vm: &mut Vm, a: Args) -> PyResult {
    let s = Value::Str(this(vm, &a, "__iter__")?);
    vm.get_iter(&s)
}
