//! `re.Pattern`, as `_sre.c`'s pattern object: `search`/`match`/`fullmatch` make `Match`
//! objects directly, and `sub`/`subn` (with `str` templates or a callable), `split`,
//! `findall` and `finditer` loop over the matches in Rust, with sre.c's empty-match rule
//! (`must_advance`) and argument errors. A bytes pattern runs on its subject read as
//! Latin-1 and gives bytes. Templates of the other string type go through `re.aio`.

use super::matchobj::new_match;
use super::template::{self, Piece, TemplateError};
use super::{
    is_exact_bytes, latin1, re_error, search_bytes, subject, text_value, Chars, Classes, Spans,
};
use crate::native_class::property;
use aio_vm::builtins::iter_self;
use aio_vm::dict::Dict;
use aio_vm::module::{native_state, new_native_instance, to_index_i64};
use aio_vm::native::Args;
use aio_vm::str::Str;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Parsed `str` templates kept per pattern (as CPython's `_compile_repl` cache).
const TEMPLATE_CACHE: usize = 64;

/// The state of a `re.Pattern`.
pub(crate) struct PatternState {
    /// The compiled pattern's number in the engine table.
    pub(crate) id: usize,
    /// The source pattern object.
    pub(crate) pattern: Value,
    /// Whether it is a bytes pattern (its text is the bytes read as Latin-1).
    pub(crate) bytes: bool,
    /// The flags, with those the pattern sets inline.
    pub(crate) flags: i64,
    /// The number of capturing groups.
    pub(crate) groups: usize,
    /// The named groups with their numbers, in number order.
    pub(crate) names: Vec<(Rc<Str>, usize)>,
    /// The classes of the results.
    pub(crate) classes: Rc<Classes>,
    /// Parsed `sub` templates by source.
    pub(crate) templates: HashMap<String, Rc<Vec<Piece>>>,
}

impl PatternState {
    /// The number of group `name`.
    pub(crate) fn name_index(&self, name: &str) -> Option<usize> {
        self.names
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, i)| *i)
    }
}

/// The state of a `Pattern` value (`None` for anything else).
pub(crate) fn pattern_state(v: &Value) -> Option<&RefCell<PatternState>> {
    native_state::<PatternState>(v)
}

/// Adds the methods and attributes of `re.Pattern` to `cls`, and those of the `finditer`
/// iterator to `iter_cls`.
pub(crate) fn install(vm: &mut Vm, cls: &Obj, iter_cls: &Obj) {
    let methods: [(&str, aio_vm::native::NativeFn); 13] = [
        ("search", search),
        ("match", match_),
        ("fullmatch", fullmatch),
        ("findall", findall),
        ("finditer", finditer),
        ("sub", sub),
        ("subn", subn),
        ("split", split),
        ("__repr__", repr),
        ("__eq__", eq),
        ("__hash__", hash),
        ("__copy__", copy),
        ("__deepcopy__", deepcopy),
    ];
    super::def_methods(vm, cls, &methods);
    let props: [(&str, aio_vm::native::NativeFn); 4] = [
        ("pattern", get_pattern),
        ("flags", get_flags),
        ("groups", get_groups),
        ("groupindex", get_groupindex),
    ];
    for (name, f) in props {
        property(vm, cls, name, f, false);
    }
    let free = aio_vm::native::Sig::FREE;
    aio_vm::builtins::def_method_sig(vm, iter_cls, "__iter__", free, iter_self);
    aio_vm::builtins::def_method_sig(vm, iter_cls, "__next__", free, iter_next);
}

/// Binds the arguments after `self` to `names` (the first `required` of them required) as
/// CPython's argument clinic does, with its messages.
pub(crate) fn bind<'a, const N: usize>(
    vm: &mut Vm,
    a: &Args<'a>,
    fname: &str,
    names: [&str; N],
    required: usize,
) -> PyResult<[Option<&'a Value>; N]> {
    let pos = a.pos.get(1..).unwrap_or(&[]);
    let mut out = [None; N];
    let total = pos.len() + a.kw.len();
    if total > N {
        let kw = if pos.is_empty() { "keyword " } else { "" };
        let s = if N == 1 { "" } else { "s" };
        return Err(vm.new_type_error(format!(
            "{fname}() takes at most {N} {kw}argument{s} ({total} given)"
        )));
    }
    for (i, v) in pos.iter().enumerate() {
        out[i] = Some(v);
    }
    if a.kw.is_empty() && pos.len() >= required {
        return Ok(out);
    }
    for i in pos.len()..N {
        out[i] = a.kwarg(names[i]);
        if out[i].is_none() && i < required {
            return Err(vm.new_type_error(format!(
                "{fname}() missing required argument '{}' (pos {})",
                names[i],
                i + 1
            )));
        }
    }
    for (i, name) in names.iter().enumerate().take(pos.len()) {
        if a.kwarg(name).is_some() {
            return Err(vm.new_type_error(format!(
                "argument for {fname}() given by name ('{name}') and position ({})",
                i + 1
            )));
        }
    }
    for (k, _) in a.kw {
        if !names.contains(&k.as_str()) {
            return Err(vm.new_type_error(format!(
                "'{}' is an invalid keyword argument for {fname}()",
                k.as_str()
            )));
        }
    }
    Ok(out)
}

/// The state of `self` (`pos[0]`), or CPython's descriptor error for method `name`.
fn this<'a>(vm: &mut Vm, a: &Args<'a>, name: &str) -> PyResult<&'a RefCell<PatternState>> {
    super::receiver::<PatternState>(vm, a, "re.Pattern", name)
}

/// A `pos`/`endpos` argument clamped to `0..=n` (`default` when absent).
fn clamp(vm: &mut Vm, v: Option<&Value>, n: usize, default: usize) -> PyResult<usize> {
    match v {
        None => Ok(default),
        Some(Value::Int(i)) => Ok((*i).clamp(0, n as i64) as usize),
        Some(v) => {
            let big = aio_vm::module::to_index(vm, v)?;
            let i = i64::try_from(&big).unwrap_or(if big.sign() == num_bigint::Sign::Minus {
                0
            } else {
                i64::MAX
            });
            Ok(i.clamp(0, n as i64) as usize)
        }
    }
}

/// The engine's failure (a backtracking limit) as a `RuntimeError`.
fn engine_error(vm: &mut Vm, msg: String) -> aio_vm::Obj {
    vm.new_runtime_error(msg)
}

/// The subject (of a bytes pattern with `bytes`) and the clamped `pos`/`endpos` of
/// `search`-like methods. As in CPython, bad positions are reported before a bad subject.
fn subject_range(
    vm: &mut Vm,
    bytes: bool,
    string: Option<&Value>,
    pos: Option<&Value>,
    endpos: Option<&Value>,
) -> PyResult<(Rc<Str>, usize, usize)> {
    let string = string.expect("required");
    let text = subject(vm, string, bytes);
    let n = text.as_ref().map_or(0, |s| s.len());
    let pos = clamp(vm, pos, n, 0)?;
    let endpos = clamp(vm, endpos, n, n)?;
    Ok((text?, pos, endpos))
}

/// `search`, `match` (`mode` 1) and `fullmatch` (`mode` 2).
fn run(vm: &mut Vm, a: Args, name: &str, mode: i64) -> PyResult {
    let cell = this(vm, &a, name)?;
    let [string, pos, endpos] = bind(vm, &a, name, ["string", "pos", "endpos"], 1)?;
    let bytes = cell.borrow().bytes;
    let (text, pos, endpos) = subject_range(vm, bytes, string, pos, endpos)?;
    if pos > endpos {
        return Ok(Value::None);
    }
    let p = cell.borrow();
    let t = text.as_str();
    let hay = &t[..text.byte_offset(endpos)];
    let pos_byte = text.byte_offset(pos);
    let sp = match search_bytes(p.id, hay, pos_byte, mode, false) {
        Ok(Some(sp)) => sp,
        Ok(None) => return Ok(Value::None),
        Err(msg) => return Err(engine_error(vm, msg)),
    };
    let mut chars = Chars::anchored(&text, pos_byte, pos);
    let string = string.expect("required");
    Ok(new_match(
        &p.classes.matches,
        &a.pos[0],
        string,
        &text,
        pos,
        endpos,
        &sp,
        &mut chars,
    ))
}

fn search(vm: &mut Vm, a: Args) -> PyResult {
    run(vm, a, "search", 0)
}

fn match_(vm: &mut Vm, a: Args) -> PyResult {
    run(vm, a, "match", 1)
}

fn fullmatch(vm: &mut Vm, a: Args) -> PyResult {
    run(vm, a, "fullmatch", 2)
}

/// The successive matches of pattern `id` in `hay` from byte `at`, with CPython's rule
/// after an empty match; `f` gets each match's spans and says whether to go on.
fn each_match(
    vm: &mut Vm,
    id: usize,
    hay: &str,
    mut at: usize,
    mut f: impl FnMut(&mut Vm, &Spans) -> PyResult<bool>,
) -> PyResult<()> {
    let mut must_advance = false;
    loop {
        let sp = match search_bytes(id, hay, at, 0, must_advance) {
            Ok(Some(sp)) => sp,
            Ok(None) => return Ok(()),
            Err(msg) => return Err(engine_error(vm, msg)),
        };
        if !f(vm, &sp)? {
            return Ok(());
        }
        let (b, e) = sp[0].expect("group 0 takes part");
        at = e;
        must_advance = b == e;
    }
}

fn findall(vm: &mut Vm, a: Args) -> PyResult {
    let cell = this(vm, &a, "findall")?;
    let [string, pos, endpos] = bind(vm, &a, "findall", ["string", "pos", "endpos"], 1)?;
    let (id, groups, bytes) = {
        let p = cell.borrow();
        (p.id, p.groups, p.bytes)
    };
    let (text, pos, endpos) = subject_range(vm, bytes, string, pos, endpos)?;
    let mut out = Vec::new();
    if pos <= endpos {
        let hay = &text.as_str()[..text.byte_offset(endpos)];
        each_match(vm, id, hay, text.byte_offset(pos), |vm, sp| {
            let piece = |k: usize| match sp.get(k).copied().flatten() {
                Some((b, e)) => text_value(vm, bytes, &hay[b..e]),
                None => text_value(vm, bytes, ""),
            };
            out.push(match groups {
                0 => piece(0),
                1 => piece(1),
                g => vm.new_tuple((1..=g).map(piece).collect()),
            });
            Ok(true)
        })?;
    }
    Ok(vm.new_list(out))
}

/// The state of a `finditer` iterator.
struct FindIter {
    pattern: Value,
    string: Value,
    text: Rc<Str>,
    pos: usize,
    endpos: usize,
    /// Where the next search starts, in bytes and characters.
    at: usize,
    at_chars: usize,
    end_byte: usize,
    must_advance: bool,
    done: bool,
}

fn finditer(vm: &mut Vm, a: Args) -> PyResult {
    let cell = this(vm, &a, "finditer")?;
    let [string, pos, endpos] = bind(vm, &a, "finditer", ["string", "pos", "endpos"], 1)?;
    let bytes = cell.borrow().bytes;
    let (text, pos, endpos) = subject_range(vm, bytes, string, pos, endpos)?;
    let state = FindIter {
        pattern: a.pos[0].clone(),
        string: string.expect("required").clone(),
        at: text.byte_offset(pos),
        at_chars: pos,
        end_byte: text.byte_offset(endpos),
        text,
        pos,
        endpos,
        must_advance: false,
        done: pos > endpos,
    };
    let cls = cell.borrow().classes.iter.clone();
    Ok(new_native_instance(vm, &cls, state))
}

fn iter_next(vm: &mut Vm, a: Args) -> PyResult {
    let Some(cell) = a.pos.first().and_then(native_state::<FindIter>) else {
        return Err(vm.new_type_error("descriptor '__next__' requires a 'callable_iterator'"));
    };
    let mut it = cell.borrow_mut();
    let pattern = it.pattern.clone();
    let Some(p) = pattern_state(&pattern).filter(|_| !it.done) else {
        return Err(vm.new_stop_iteration(Value::None));
    };
    let p = p.borrow();
    let text = it.text.clone();
    let hay = &text.as_str()[..it.end_byte];
    let sp = match search_bytes(p.id, hay, it.at, 0, it.must_advance) {
        Ok(Some(sp)) => sp,
        Ok(None) => {
            it.done = true;
            return Err(vm.new_stop_iteration(Value::None));
        }
        Err(msg) => return Err(engine_error(vm, msg)),
    };
    let mut chars = Chars::anchored(&text, it.at, it.at_chars);
    let m = new_match(
        &p.classes.matches,
        &it.pattern,
        &it.string,
        &text,
        it.pos,
        it.endpos,
        &sp,
        &mut chars,
    );
    let (b, e) = sp[0].expect("group 0 takes part");
    it.at_chars = chars.at(e);
    it.at = e;
    it.must_advance = b == e;
    Ok(m)
}

/// What replaces each match in `sub`.
enum Repl {
    /// A value used as is (a `str`, or from `re.aio` any object, refused by the final join).
    Literal(Value),
    /// A parsed `str` template.
    Template(Rc<Vec<Piece>>),
    /// A function of the `Match`.
    Call(Value),
}

fn sub(vm: &mut Vm, a: Args) -> PyResult {
    subx(vm, a, "sub", false)
}

fn subn(vm: &mut Vm, a: Args) -> PyResult {
    subx(vm, a, "subn", true)
}

/// `sub`/`subn`: sre.c's `pattern_subx`. The template is read before the string is
/// checked, as in CPython; templates that are not of the pattern's string type go to
/// `re.aio`'s `_subn_slow`.
fn subx(vm: &mut Vm, a: Args, name: &str, want_n: bool) -> PyResult {
    let cell = this(vm, &a, name)?;
    let [repl, string, count] = bind(vm, &a, name, ["repl", "string", "count"], 2)?;
    let (repl, string) = (repl.expect("required"), string.expect("required"));
    let count = match count {
        Some(c) => to_index_i64(vm, c)?,
        None => 0,
    };
    let bytes = cell.borrow().bytes;
    let bytes_repl = if bytes {
        aio_vm::builtins::bytes_of(repl)
    } else {
        None
    };
    let repl = if aio_vm::builtins::is_callable(vm, repl) {
        Repl::Call(repl.clone())
    } else if let Some(b) = bytes_repl {
        // A bytes template, parsed as Latin-1 text like the subject.
        let src = Str::new(latin1(&b));
        if src.as_str().contains('\\') {
            Repl::Template(template_of(vm, cell, &src, repl)?)
        } else {
            Repl::Template(Rc::new(vec![Piece::Lit(src.as_str().to_string())]))
        }
    } else if let Some(src) = repl.as_str().filter(|_| !bytes) {
        if !src.as_str().contains('\\') {
            Repl::Literal(repl.clone())
        } else {
            let parts = template_of(vm, cell, src, repl)?;
            match parts.as_slice() {
                [Piece::Lit(s)] => Repl::Literal(Value::str(s.as_str())),
                _ => Repl::Template(parts),
            }
        }
    } else {
        let re = vm.import_module("re")?;
        let slow = aio_vm::module::getattr(vm, &re, "_subn_slow")?;
        let args = [
            a.pos[0].clone(),
            repl.clone(),
            string.clone(),
            Value::Int(count),
            Value::bool(want_n),
        ];
        return vm.call(&slow, &args, &[]);
    };
    run_sub(vm, &a.pos[0], repl, string, count, want_n)
}

/// The parsed template `src` (the `str` value `repl`) of the pattern in `cell`, cached.
fn template_of(
    vm: &mut Vm,
    cell: &RefCell<PatternState>,
    src: &Str,
    repl: &Value,
) -> PyResult<Rc<Vec<Piece>>> {
    if let Some(t) = cell.borrow().templates.get(src.as_str()) {
        return Ok(t.clone());
    }
    let parsed = {
        let p = cell.borrow();
        template::parse(src.as_str(), p.groups, |n| p.name_index(n))
    };
    let parts = match parsed {
        Ok(p) => Rc::new(p),
        Err(TemplateError::Re(msg, pos)) => return Err(re_error(vm, msg, repl.clone(), pos)),
        Err(TemplateError::Index(msg)) => return Err(vm.new_index_error(msg)),
    };
    let mut p = cell.borrow_mut();
    if p.templates.len() >= TEMPLATE_CACHE {
        p.templates.clear();
    }
    p.templates.insert(src.as_str().to_string(), parts.clone());
    Ok(parts)
}

/// `_subn(pattern, repl, string, count, literal, want_n)`: the substitution loop for
/// `re.aio`'s templates: `repl` is the replacement itself when `literal`, else a function
/// of the match.
pub(crate) fn subn_with(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_subn", 6, 6)?;
    let count = to_index_i64(vm, &a.pos[3])?;
    let repl = if vm.is_true(&a.pos[4])? {
        Repl::Literal(a.pos[1].clone())
    } else {
        Repl::Call(a.pos[1].clone())
    };
    let want_n = vm.is_true(&a.pos[5])?;
    run_sub(vm, &a.pos[0], repl, &a.pos[2], count, want_n)
}

/// The substitution loop. The pieces are joined as `str.join` (`bytes.join` for a bytes
/// pattern) would: an item of another type fails once all are made, naming its place in the
/// list of pieces.
fn run_sub(
    vm: &mut Vm,
    pat: &Value,
    repl: Repl,
    string: &Value,
    count: i64,
    want_n: bool,
) -> PyResult {
    let Some((id, cls, bytes)) = pattern_state(pat).map(|p| {
        let p = p.borrow();
        (p.id, p.classes.matches.clone(), p.bytes)
    }) else {
        return Err(vm.new_type_error("_subn() needs a Pattern"));
    };
    let text = subject(vm, string, bytes)?;
    let s = text.as_str();
    let mut out = String::new();
    let mut items = 0usize;
    let mut bad: Option<(usize, String)> = None;
    let mut push = |vm: &mut Vm, v: &Value, out: &mut String, items: &mut usize| {
        if bytes {
            match aio_vm::builtins::bytes_of(v) {
                Some(b) => out.extend(b.iter().map(|&c| c as char)),
                None if bad.is_none() => bad = Some((*items, vm.type_name(v))),
                None => {}
            }
        } else {
            match v.as_str() {
                Some(t) => out.push_str(t.as_str()),
                None if bad.is_none() => bad = Some((*items, vm.type_name(v))),
                None => {}
            }
        }
        *items += 1;
    };
    let mut last = 0;
    let mut n = 0i64;
    let mut chars = Chars::new(&text);
    if count >= 0 {
        each_match(vm, id, s, 0, |vm, sp| {
            let (b, e) = sp[0].expect("group 0 takes part");
            if last < b {
                out.push_str(&s[last..b]);
                items += 1;
            }
            match &repl {
                Repl::Literal(v) => push(vm, v, &mut out, &mut items),
                Repl::Template(t) => {
                    let group = |i: usize| sp.get(i).copied().flatten().map(|(x, y)| &s[x..y]);
                    template::expand(t, group, &mut out);
                    items += 1;
                }
                Repl::Call(f) => {
                    let len = text.len();
                    let m = new_match(&cls, pat, string, &text, 0, len, sp, &mut chars);
                    let r = vm.call(f, &[m], &[])?;
                    if !r.is_none() {
                        push(vm, &r, &mut out, &mut items);
                    }
                }
            }
            last = e;
            n += 1;
            Ok(count == 0 || n < count)
        })?;
    }
    if let Some((i, t)) = bad {
        let want = if bytes {
            "a bytes-like object"
        } else {
            "str instance"
        };
        return Err(vm.new_type_error(format!("sequence item {i}: expected {want}, {t} found")));
    }
    let result = if n == 0 && (matches!(string, Value::Str(_)) || is_exact_bytes(vm, string)) {
        string.clone()
    } else {
        out.push_str(&s[last..]);
        text_value(vm, bytes, &out)
    };
    Ok(if want_n {
        vm.new_tuple(vec![result, Value::Int(n)])
    } else {
        result
    })
}

fn split(vm: &mut Vm, a: Args) -> PyResult {
    let cell = this(vm, &a, "split")?;
    let [string, maxsplit] = bind(vm, &a, "split", ["string", "maxsplit"], 1)?;
    let string = string.expect("required");
    let maxsplit = match maxsplit {
        Some(m) => to_index_i64(vm, m)?,
        None => 0,
    };
    let (id, groups, bytes) = {
        let p = cell.borrow();
        (p.id, p.groups, p.bytes)
    };
    let text = subject(vm, string, bytes)?;
    let whole = |vm: &Vm| match string {
        Value::Str(_) => string.clone(),
        _ if is_exact_bytes(vm, string) => string.clone(),
        _ => text_value(vm, bytes, text.as_str()),
    };
    if maxsplit < 0 {
        let w = whole(vm);
        return Ok(vm.new_list(vec![w]));
    }
    let s = text.as_str();
    let mut out = Vec::new();
    let mut last = 0;
    let mut n = 0i64;
    each_match(vm, id, s, 0, |vm, sp| {
        if maxsplit != 0 && n >= maxsplit {
            return Ok(false);
        }
        let (b, e) = sp[0].expect("group 0 takes part");
        out.push(text_value(vm, bytes, &s[last..b]));
        for k in 1..=groups {
            out.push(match sp.get(k).copied().flatten() {
                Some((x, y)) => text_value(vm, bytes, &s[x..y]),
                None => Value::None,
            });
        }
        last = e;
        n += 1;
        Ok(true)
    })?;
    out.push(if last == 0 {
        whole(vm)
    } else {
        text_value(vm, bytes, &s[last..])
    });
    Ok(vm.new_list(out))
}

/// CPython's flag names in `pattern_repr`'s order.
const REPR_FLAGS: [(&str, i64); 9] = [
    ("TEMPLATE", 1),
    ("IGNORECASE", 2),
    ("LOCALE", 4),
    ("MULTILINE", 8),
    ("DOTALL", 16),
    ("UNICODE", 32),
    ("VERBOSE", 64),
    ("DEBUG", 128),
    ("ASCII", 256),
];

fn repr(vm: &mut Vm, a: Args) -> PyResult {
    let cell = this(vm, &a, "__repr__")?;
    let (pattern, mut flags) = {
        let p = cell.borrow();
        (p.pattern.clone(), p.flags)
    };
    let r = vm.repr(&pattern)?;
    let r: String = r.as_str().chars().take(200).collect();
    // UNICODE is left out when implied (a str pattern without LOCALE or ASCII).
    if flags & 292 == 32 {
        flags &= !32;
    }
    if flags == 0 {
        return Ok(Value::str(format!("re.compile({r})")));
    }
    let mut names = Vec::new();
    for (name, bit) in REPR_FLAGS {
        if flags & bit != 0 {
            names.push(format!("re.{name}"));
            flags &= !bit;
        }
    }
    if flags != 0 {
        names.push(format!("0x{flags:x}"));
    }
    Ok(Value::str(format!("re.compile({r}, {})", names.join("|"))))
}

fn eq(vm: &mut Vm, a: Args) -> PyResult {
    let cell = this(vm, &a, "__eq__")?;
    a.method_count(vm, "__eq__", 1, 1)?;
    let Some(other) = pattern_state(&a.pos[1]) else {
        return Ok(vm.not_implemented.clone());
    };
    if a.pos[0].is(&a.pos[1]) {
        return Ok(Value::bool(true));
    }
    let (x, y) = (cell.borrow(), other.borrow());
    let same = x.flags == y.flags
        && match (x.pattern.as_str(), y.pattern.as_str()) {
            (Some(p), Some(q)) => p.as_str() == q.as_str(),
            (None, None) => {
                let bytes = aio_vm::builtins::bytes_of;
                bytes(&x.pattern).is_some() && bytes(&x.pattern) == bytes(&y.pattern)
            }
            _ => false,
        };
    Ok(Value::bool(same))
}

fn hash(vm: &mut Vm, a: Args) -> PyResult {
    let cell = this(vm, &a, "__hash__")?;
    let (pattern, flags) = {
        let p = cell.borrow();
        (p.pattern.clone(), p.flags)
    };
    let h = vm.hash(&pattern)? ^ flags;
    Ok(Value::Int(if h == -1 { -2 } else { h }))
}

fn copy(vm: &mut Vm, a: Args) -> PyResult {
    super::copy_self::<PatternState>(vm, &a, "re.Pattern", false)
}

fn deepcopy(vm: &mut Vm, a: Args) -> PyResult {
    super::copy_self::<PatternState>(vm, &a, "re.Pattern", true)
}

fn get_pattern(vm: &mut Vm, a: Args) -> PyResult {
    Ok(this(vm, &a, "pattern")?.borrow().pattern.clone())
}

fn get_flags(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int(this(vm, &a, "flags")?.borrow().flags))
}

fn get_groups(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int(this(vm, &a, "groups")?.borrow().groups as i64))
}

fn get_groupindex(vm: &mut Vm, a: Args) -> PyResult {
    let cell = this(vm, &a, "groupindex")?;
    let mut d = Dict::new();
    for (name, i) in cell.borrow().names.iter() {
        d.set_str(name.clone(), Value::Int(*i as i64));
    }
    Ok(Value::Obj(vm.new_dict(d)))
}
