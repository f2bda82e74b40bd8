//! `re.Match`, as `_sre.c`'s match object: the group spans in characters (what `start`,
//! `span`, `regs` and the repr report) and in bytes (to slice the text), the pattern, the
//! subject and the `pos`/`endpos` it was searched with. The groups of a bytes pattern's
//! match are `bytes` (its text is the subject read as Latin-1).

use super::pattern::{bind, pattern_state};
use super::{is_exact_bytes, re_error, template, text_value, Chars, Spans};
use crate::native_class::property;
use aio_vm::dict::Dict;
use aio_vm::native::Args;
use aio_vm::object::{Object, Payload};
use aio_vm::str::Str;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;
use std::rc::Rc;

/// One group's span: characters (`-1` when the group did not take part) and bytes.
#[derive(Clone, Copy)]
struct Span {
    start: i64,
    end: i64,
    bstart: usize,
    bend: usize,
}

/// The state of a `re.Match`.
pub(crate) struct MatchState {
    pattern: Value,
    string: Value,
    text: Rc<Str>,
    /// Whether the pattern is a bytes pattern.
    bytes: bool,
    pos: usize,
    endpos: usize,
    spans: Box<[Span]>,
}

impl MatchState {
    /// The text of group `i` (`None` when it did not take part). A group covering the
    /// whole of an exact `str` or `bytes` subject is the subject itself, as in CPython.
    fn group(&self, vm: &Vm, i: usize) -> Option<Value> {
        let s = self.spans[i];
        if s.start < 0 {
            return None;
        }
        let text = self.text.as_str();
        if s.bstart == 0
            && s.bend == text.len()
            && (matches!(self.string, Value::Str(_)) || is_exact_bytes(vm, &self.string))
        {
            return Some(self.string.clone());
        }
        Some(text_value(vm, self.bytes, &text[s.bstart..s.bend]))
    }

    /// The text of group `i` as a `&str` (`None` when it did not take part).
    fn group_str(&self, i: usize) -> Option<&str> {
        let s = self.spans.get(i)?;
        (s.start >= 0).then(|| &self.text.as_str()[s.bstart..s.bend])
    }

    /// `lastindex`: the group that closed last (the one ending furthest, the first of
    /// those that end together).
    fn lastindex(&self) -> Option<usize> {
        let mut last = None;
        let mut best = -1;
        for (k, s) in self.spans.iter().enumerate().skip(1) {
            if s.start >= 0 && s.end > best {
                best = s.end;
                last = Some(k);
            }
        }
        last
    }
}

/// A new `Match` of class `cls` for the byte spans `sp` of `text` (the text of `string`);
/// `chars` converts the byte offsets.
#[allow(clippy::too_many_arguments)]
pub(crate) fn new_match(
    cls: &Obj,
    pattern: &Value,
    string: &Value,
    text: &Rc<Str>,
    pos: usize,
    endpos: usize,
    sp: &Spans,
    chars: &mut Chars,
) -> Value {
    let spans = sp
        .iter()
        .map(|s| match *s {
            Some((b, e)) => Span {
                start: chars.at(b) as i64,
                end: chars.at(e) as i64,
                bstart: b,
                bend: e,
            },
            None => Span {
                start: -1,
                end: -1,
                bstart: 0,
                bend: 0,
            },
        })
        .collect();
    let bytes = pattern_state(pattern).is_some_and(|p| p.borrow().bytes);
    let state = MatchState {
        pattern: pattern.clone(),
        string: string.clone(),
        text: text.clone(),
        bytes,
        pos,
        endpos,
        spans,
    };
    let payload = Payload::Host(Box::new(RefCell::new(state)));
    Value::Obj(Rc::new(Object::new(cls.clone(), payload)))
}

/// Adds the methods and attributes of `re.Match` to `cls`.
pub(crate) fn install(vm: &mut Vm, cls: &Obj) {
    let methods: [(&str, aio_vm::native::NativeFn); 11] = [
        ("group", group),
        ("__getitem__", getitem),
        ("groups", groups),
        ("groupdict", groupdict),
        ("start", start),
        ("end", end),
        ("span", span),
        ("expand", expand),
        ("__repr__", repr),
        ("__copy__", copy),
        ("__deepcopy__", deepcopy),
    ];
    super::def_methods(vm, cls, &methods);
    // `__getitem__` alone would make matches iterable by the sequence protocol; CPython's
    // `re.Match` has only a mapping subscript, so it is not iterable.
    aio_vm::builtins::def_method_sig(vm, cls, "__iter__", aio_vm::native::Sig::FREE, not_iterable);
    let props: [(&str, aio_vm::native::NativeFn); 7] = [
        ("re", get_re),
        ("string", get_string),
        ("pos", get_pos),
        ("endpos", get_endpos),
        ("lastindex", get_lastindex),
        ("lastgroup", get_lastgroup),
        ("regs", get_regs),
    ];
    for (name, f) in props {
        property(
            vm,
            cls,
            name,
            f,
            matches!(name, "lastindex" | "lastgroup" | "regs"),
        );
    }
}

/// The state of `self` (`pos[0]`), or CPython's descriptor error for method `name`.
fn this<'a>(vm: &mut Vm, a: &Args<'a>, name: &str) -> PyResult<&'a RefCell<MatchState>> {
    super::receiver::<MatchState>(vm, a, "re.Match", name)
}

/// `match_getindex`: a group number or name to an index (`IndexError: no such group`).
fn index(vm: &mut Vm, m: &MatchState, g: &Value) -> PyResult<usize> {
    let i = match g {
        Value::Int(i) => *i,
        Value::Bool(b) => b.get() as i64,
        _ if g.as_str().is_some() => {
            let name = g.as_str().expect("checked");
            let ps = pattern_state(&m.pattern).map(|p| p.borrow());
            ps.and_then(|p| p.name_index(name.as_str()))
                .map_or(-1, |i| i as i64)
        }
        _ => {
            let cls = vm.class_of(g).clone();
            let index_name = vm.names.__index__.clone();
            if aio_vm::types::lookup(&cls, &index_name).is_some() {
                let big = aio_vm::module::to_index(vm, g)?;
                i64::try_from(big).unwrap_or(-1)
            } else {
                // A key of `groupindex`: an unhashable one fails on its hash, but only
                // when there is a `groupindex` to look in (CPython keeps none without
                // named groups).
                let named = pattern_state(&m.pattern).is_some_and(|p| !p.borrow().names.is_empty());
                if named {
                    vm.hash(g)?;
                }
                -1
            }
        }
    };
    if i < 0 || i as usize >= m.spans.len() {
        return Err(vm.new_index_error("no such group"));
    }
    Ok(i as usize)
}

fn group(vm: &mut Vm, a: Args) -> PyResult {
    let cell = this(vm, &a, "group")?;
    if !a.kw.is_empty() {
        return Err(vm.new_type_error("Match.group() takes no keyword arguments"));
    }
    let m = cell.borrow();
    match &a.pos[1..] {
        [] => Ok(m.group(vm, 0).unwrap_or(Value::None)),
        [Value::Int(i)] if *i >= 0 && (*i as usize) < m.spans.len() => {
            Ok(m.group(vm, *i as usize).unwrap_or(Value::None))
        }
        [g] => {
            let i = index(vm, &m, g)?;
            Ok(m.group(vm, i).unwrap_or(Value::None))
        }
        gs => {
            let mut out = Vec::with_capacity(gs.len());
            for g in gs {
                let i = index(vm, &m, g)?;
                out.push(m.group(vm, i).unwrap_or(Value::None));
            }
            Ok(vm.new_tuple(out))
        }
    }
}

/// `iter(match)`: CPython's error (its message names the class `re.Match`).
fn not_iterable(vm: &mut Vm, _a: Args) -> PyResult {
    Err(vm.new_type_error("'re.Match' object is not iterable"))
}

fn getitem(vm: &mut Vm, a: Args) -> PyResult {
    let cell = this(vm, &a, "__getitem__")?;
    a.method_count(vm, "__getitem__", 1, 1)?;
    let m = cell.borrow();
    let i = index(vm, &m, &a.pos[1])?;
    Ok(m.group(vm, i).unwrap_or(Value::None))
}

fn groups(vm: &mut Vm, a: Args) -> PyResult {
    let cell = this(vm, &a, "groups")?;
    let [default] = bind(vm, &a, "groups", ["default"], 0)?;
    let default = default.cloned().unwrap_or(Value::None);
    let m = cell.borrow();
    let out = (1..m.spans.len())
        .map(|i| m.group(vm, i).unwrap_or_else(|| default.clone()))
        .collect();
    Ok(vm.new_tuple(out))
}

fn groupdict(vm: &mut Vm, a: Args) -> PyResult {
    let cell = this(vm, &a, "groupdict")?;
    let [default] = bind(vm, &a, "groupdict", ["default"], 0)?;
    let default = default.cloned().unwrap_or(Value::None);
    let m = cell.borrow();
    let mut d = Dict::new();
    if let Some(p) = pattern_state(&m.pattern) {
        for (name, i) in p.borrow().names.iter() {
            let v = m.group(vm, *i).unwrap_or_else(|| default.clone());
            d.set_str(name.clone(), v);
        }
    }
    Ok(Value::Obj(vm.new_dict(d)))
}

/// The span of the group named by the optional argument of `start`/`end`/`span`.
fn span_of(vm: &mut Vm, a: &Args, name: &str) -> PyResult<(i64, i64)> {
    let cell = this(vm, a, name)?;
    if !a.kw.is_empty() {
        return Err(vm.new_type_error(format!("Match.{name}() takes no keyword arguments")));
    }
    a.method_count(vm, name, 0, 1)?;
    let m = cell.borrow();
    let i = match a.pos.get(1) {
        None => 0,
        Some(g) => index(vm, &m, g)?,
    };
    Ok((m.spans[i].start, m.spans[i].end))
}

fn start(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int(span_of(vm, &a, "start")?.0))
}

fn end(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int(span_of(vm, &a, "end")?.1))
}

fn span(vm: &mut Vm, a: Args) -> PyResult {
    let (s, e) = span_of(vm, &a, "span")?;
    Ok(vm.new_tuple(vec![Value::Int(s), Value::Int(e)]))
}

/// `expand(template)`: `str` templates of `str` matches here; others (bytes-like, no string
/// at all, or of a bytes pattern's match) through `re.aio`'s `_expand_slow`, which raises
/// sre_parse's errors.
fn expand(vm: &mut Vm, a: Args) -> PyResult {
    let cell = this(vm, &a, "expand")?;
    let [t] = bind(vm, &a, "expand", ["template"], 1)?;
    let t = t.expect("required").clone();
    let Some(src) = t.as_str().cloned().filter(|_| !cell.borrow().bytes) else {
        let re = vm.import_module("re")?;
        let slow = aio_vm::module::getattr(vm, &re, "_expand_slow")?;
        return vm.call(&slow, &[a.pos[0].clone(), t], &[]);
    };
    let m = cell.borrow();
    let parts = match pattern_state(&m.pattern) {
        Some(p) => {
            let p = p.borrow();
            template::parse(src.as_str(), p.groups, |n| p.name_index(n))
        }
        None => Ok(Vec::new()),
    };
    let parts = match parts {
        Ok(p) => p,
        Err(template::TemplateError::Re(msg, pos)) => return Err(re_error(vm, msg, t, pos)),
        Err(template::TemplateError::Index(msg)) => return Err(vm.new_index_error(msg)),
    };
    let mut out = String::new();
    template::expand(&parts, |i| m.group_str(i), &mut out);
    Ok(Value::str(out))
}

fn repr(vm: &mut Vm, a: Args) -> PyResult {
    let cell = this(vm, &a, "__repr__")?;
    let (s, e, g) = {
        let m = cell.borrow();
        (
            m.spans[0].start,
            m.spans[0].end,
            m.group(vm, 0).unwrap_or(Value::None),
        )
    };
    let r = vm.repr(&g)?;
    let r: String = r.as_str().chars().take(50).collect();
    Ok(Value::str(format!(
        "<re.Match object; span=({s}, {e}), match={r}>"
    )))
}

fn copy(vm: &mut Vm, a: Args) -> PyResult {
    super::copy_self::<MatchState>(vm, &a, "re.Match", false)
}

fn deepcopy(vm: &mut Vm, a: Args) -> PyResult {
    super::copy_self::<MatchState>(vm, &a, "re.Match", true)
}

fn get_re(vm: &mut Vm, a: Args) -> PyResult {
    Ok(this(vm, &a, "re")?.borrow().pattern.clone())
}

fn get_string(vm: &mut Vm, a: Args) -> PyResult {
    Ok(this(vm, &a, "string")?.borrow().string.clone())
}

fn get_pos(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int(this(vm, &a, "pos")?.borrow().pos as i64))
}

fn get_endpos(vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int(this(vm, &a, "endpos")?.borrow().endpos as i64))
}

fn get_lastindex(vm: &mut Vm, a: Args) -> PyResult {
    let last = this(vm, &a, "lastindex")?.borrow().lastindex();
    Ok(last.map_or(Value::None, |i| Value::Int(i as i64)))
}

fn get_lastgroup(vm: &mut Vm, a: Args) -> PyResult {
    let m = this(vm, &a, "lastgroup")?.borrow();
    let Some(last) = m.lastindex() else {
        return Ok(Value::None);
    };
    let name = pattern_state(&m.pattern).and_then(|p| {
        let p = p.borrow();
        p.names
            .iter()
            .find(|(_, i)| *i == last)
            .map(|(n, _)| n.clone())
    });
    Ok(name.map_or(Value::None, Value::Str))
}

fn get_regs(vm: &mut Vm, a: Args) -> PyResult {
    let m = this(vm, &a, "regs")?.borrow();
    let regs = m
        .spans
        .iter()
        .map(|s| vm.new_tuple(vec![Value::Int(s.start), Value::Int(s.end)]))
        .collect();
    Ok(vm.new_tuple(regs))
}
