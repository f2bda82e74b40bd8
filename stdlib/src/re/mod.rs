//! `re`: Python regular expressions on the `fancy-regex` engine (backtracking, so
//! backreferences and lookaround work). `translate.rs` rewrites Python's syntax; this file
//! holds the natives the module stands on (`_compile`, `_search`, `_findall`), and `re.aio` is the
//! module itself (`Pattern`, `Match`, `sub` templates, `split`, `findall`, the flags).
//!
//! Positions cross the boundary in characters, as Python counts them; the engine works in
//! bytes of the UTF-8 text.
//!
//! A bytes pattern and its bytes-like subjects are read as Latin-1 text (byte `b` is
//! character U+00bb), so character offsets are the offsets of the bytes; the results
//! CPython gives as bytes are encoded back.

mod matchobj;
mod pattern;
mod template;
pub(crate) mod translate;

use crate::native_class::native_class;

use aio_vm::module::{to_index_i64, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::object::{Object, Payload};
use aio_vm::str::Str;
use aio_vm::{Obj, PyResult, Value, Vm};
use fancy_regex::{Regex, RegexInput};
use std::cell::RefCell;
use std::rc::Rc;

/// A compiled pattern: the search form and, once needed, the fullmatch form.
struct Entry {
    source: String,
    search: Regex,
    full: Option<Regex>,
    /// The form that refuses empty matches (`None` inside: it can never match non-empty).
    nonempty: Option<Option<Regex>>,
}

/// The byte spans of a match's groups (`None`: the group did not take part).
pub(crate) type Spans = Vec<Option<(usize, usize)>>;

/// The native state `T` of a method's receiver, or CPython's descriptor error naming the
/// class `cls` (`re.Pattern`, `re.Match`).
pub(crate) fn receiver<'a, T: 'static>(
    vm: &mut Vm,
    a: &Args<'a>,
    cls: &str,
    name: &str,
) -> PyResult<&'a RefCell<T>> {
    let v = a.pos.first().unwrap_or(&Value::None);
    aio_vm::module::native_state::<T>(v).ok_or_else(|| {
        let t = vm.type_name(v);
        vm.new_type_error(format!(
            "descriptor '{name}' for '{cls}' objects doesn't apply to a '{t}' object"
        ))
    })
}

/// Defines `methods` on `cls` (`re.Pattern` or `re.Match`), and the class method
/// `__class_getitem__` both have: `Pattern[str]` is the class itself (CPython makes a
/// `types.GenericAlias`).
pub(crate) fn def_methods(vm: &mut Vm, cls: &Obj, methods: &[(&str, aio_vm::native::NativeFn)]) {
    for (name, f) in methods {
        aio_vm::builtins::def_method_sig(vm, cls, name, aio_vm::native::Sig::FREE, *f);
    }
    aio_vm::builtins::def_classmethod(
        vm,
        cls,
        "__class_getitem__",
        aio_vm::native::Sig::O,
        |_vm, a| Ok(a.pos[0].clone()),
    );
}

/// `__copy__()` (`deep` false) and `__deepcopy__(memo)` of an immutable `T`: itself.
pub(crate) fn copy_self<T: 'static>(vm: &mut Vm, a: &Args, cls: &str, deep: bool) -> PyResult {
    let (name, n) = if deep {
        ("__deepcopy__", 1)
    } else {
        ("__copy__", 0)
    };
    receiver::<T>(vm, a, cls, name)?;
    a.method_count(vm, name, n, n)?;
    Ok(a.pos[0].clone())
}

thread_local! {
    static REGEXES: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

/// Initialises `re`: the native `Pattern` and `Match` classes (and the `finditer`
/// iterator), `_compile`, then `re.aio`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let pattern_cls = native_class(vm, "re", "Pattern");
    let match_cls = native_class(vm, "re", "Match");
    let iter_cls = native_class(vm, "builtins", "callable_iterator");
    pattern::install(vm, &pattern_cls, &iter_cls);
    matchobj::install(vm, &match_cls);
    let classes = Rc::new(Classes {
        pattern: pattern_cls.clone(),
        matches: match_cls.clone(),
        iter: iter_cls,
    });
    let compile_fn = aio_vm::builtins::native_closure(
        vm,
        "_compile",
        None,
        Rc::new(move |vm: &mut Vm, a: Args<'_>| compile(vm, a, &classes)),
    );
    let mut b = ModuleBuilder::new(vm, m);
    b.set("_compile", compile_fn)
        .set("Pattern", Value::Obj(pattern_cls))
        .set("Match", Value::Obj(match_cls))
        .function("_subn", pattern::subn_with);
    crate::source::run(vm, m, &[("re.aio", include_str!("re.aio"))])
}

/// The classes a compiled pattern hands its results to.
pub(crate) struct Classes {
    pattern: Obj,
    pub(crate) matches: Obj,
    pub(crate) iter: Obj,
}

/// A string argument as sre.c's `state_init` accepts it for a str pattern or (`bytes`) a
/// bytes pattern, with its `TypeError`s: the text, a bytes-like subject read as Latin-1.
pub(crate) fn subject(vm: &mut Vm, v: &Value, bytes: bool) -> PyResult<Rc<Str>> {
    if let Some(s) = v.as_str() {
        if bytes {
            return Err(vm.new_type_error("cannot use a bytes pattern on a string-like object"));
        }
        return Ok(s.clone());
    }
    if let Some(b) = aio_vm::builtins::bytes_of(v) {
        if !bytes {
            return Err(vm.new_type_error("cannot use a string pattern on a bytes-like object"));
        }
        return Ok(Rc::new(Str::new(latin1(&b))));
    }
    let t = vm.type_name(v);
    Err(vm.new_type_error(format!("expected string or bytes-like object, got '{t}'")))
}

/// `b` read as Latin-1.
pub(crate) fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| c as char).collect()
}

/// A result taken from the text: `s` itself, or for a bytes pattern (`bytes`) the `bytes`
/// its Latin-1 text stands for.
pub(crate) fn text_value(vm: &Vm, bytes: bool, s: &str) -> Value {
    if bytes {
        let b = s.chars().map(|c| c as u8).collect();
        aio_vm::builtins::bytes_const(&vm.types, b)
    } else {
        Value::str(s)
    }
}

/// Whether `v` is exactly a `bytes` (a result covering all of it may be `v` itself).
pub(crate) fn is_exact_bytes(vm: &Vm, v: &Value) -> bool {
    matches!(v.payload(), Some(Payload::Bytes(_))) && Rc::ptr_eq(vm.class_of(v), &vm.types.bytes)
}

/// `re.error(msg, pattern, pos)`, made by `re.aio`'s class.
pub(crate) fn re_error(vm: &mut Vm, msg: String, pattern: Value, pos: usize) -> Obj {
    let made = vm.import_module("re").and_then(|re| {
        let cls = aio_vm::module::getattr(vm, &re, "error")?;
        vm.call(
            &cls,
            &[Value::str(msg), pattern, Value::Int(pos as i64)],
            &[],
        )
    });
    match made {
        Ok(Value::Obj(e)) => e,
        Ok(_) => vm.new_runtime_error("re.error is not an exception"),
        Err(e) => e,
    }
}

/// Converts byte offsets of one text to character offsets, counting forward from the
/// last offset converted (matches come in order, so a scan costs one pass).
pub(crate) struct Chars<'a> {
    text: &'a str,
    ascii: bool,
    byte: usize,
    chr: usize,
}

impl<'a> Chars<'a> {
    /// A converter for `s`.
    pub(crate) fn new(s: &'a Str) -> Chars<'a> {
        Chars {
            text: s.as_str(),
            ascii: s.is_ascii(),
            byte: 0,
            chr: 0,
        }
    }

    /// A converter for `s` that knows byte offset `byte` is character `chr`.
    pub(crate) fn anchored(s: &'a Str, byte: usize, chr: usize) -> Chars<'a> {
        Chars {
            byte,
            chr,
            ..Chars::new(s)
        }
    }

    /// The character offset of byte offset `b`.
    pub(crate) fn at(&mut self, b: usize) -> usize {
        if self.ascii {
            return b;
        }
        if b < self.byte {
            self.byte = 0;
            self.chr = 0;
        }
        self.chr += self.text[self.byte..b].chars().count();
        self.byte = b;
        self.chr
    }
}

fn build(src: &str) -> Result<Regex, fancy_regex::Error> {
    fancy_regex::RegexBuilder::new(src)
        .backtrack_limit(10_000_000)
        .build()
}

/// `_compile(pattern, flags)`: a new `Pattern`, or `(None, message, position,
/// value_error)` for a bad pattern (`value_error`: CPython raises `ValueError`, not
/// `re.error`); `re.aio` raises.
fn compile(vm: &mut Vm, a: Args, classes: &Rc<Classes>) -> PyResult {
    a.check_count(vm, "_compile", 2, 2)?;
    let (pat, bytes) = match (a.pos[0].as_str(), a.pos[0].payload()) {
        (Some(s), _) => (s.as_str().to_string(), false),
        (None, Some(Payload::Bytes(b))) => (latin1(b), true),
        _ => return Err(vm.new_type_error("first argument must be string or compiled pattern")),
    };
    let flags = to_index_i64(vm, &a.pos[1])? as u32;
    let (src, flags) = match translate::translate_as(&pat, flags, bytes) {
        Ok(x) => x,
        Err(e) => {
            let pos = e.pos.map_or(Value::None, |p| Value::Int(p as i64));
            let kind = Value::from(e.value_error);
            let msg = if bytes { ascii_message(&e.msg) } else { e.msg };
            return Ok(vm.new_tuple(vec![Value::None, Value::str(msg), pos, kind]));
        }
    };
    let re = match build(&src) {
        Ok(r) => r,
        Err(e) => {
            let msg = engine_message(&e);
            let kind = Value::from(false);
            return Ok(vm.new_tuple(vec![Value::None, Value::str(msg), Value::None, kind]));
        }
    };
    let groups = re.captures_len() - 1;
    let names = re
        .capture_names()
        .enumerate()
        .filter_map(|(i, n)| n.map(|n| (vm.intern(n), i)))
        .collect();
    let id = REGEXES.with(|r| {
        let mut r = r.borrow_mut();
        r.push(Entry {
            source: src,
            search: re,
            full: None,
            nonempty: None,
        });
        r.len() - 1
    });
    let state = pattern::PatternState {
        id,
        pattern: a.pos[0].clone(),
        bytes,
        flags: flags as i64,
        groups,
        names,
        classes: classes.clone(),
        templates: Default::default(),
    };
    let payload = Payload::Host(Box::new(RefCell::new(state)));
    Ok(Value::Obj(Rc::new(Object::new(
        classes.pattern.clone(),
        payload,
    ))))
}

/// A bytes pattern's error message as sre_parse gives it: non-ASCII characters (Latin-1
/// bytes) backslash-escaped.
fn ascii_message(msg: &str) -> String {
    let mut out = String::new();
    for c in msg.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\x{:02x}", c as u32));
        }
    }
    out
}

fn engine_message(e: &fancy_regex::Error) -> String {
    let text = e.to_string();
    if text.contains("ook-behind") || text.contains("ookbehind") {
        return "look-behind requires fixed-width pattern".into();
    }
    text
}

/// The byte spans of the first match of pattern `id` in `hay` from `pos_byte`, or the
/// engine's error. `mode` is 0 for search, 1 for match (anchored at `pos_byte`), 2 for
/// fullmatch. With `must_advance`, an empty match at `pos_byte` is refused (CPython's rule
/// after an empty match in `finditer`, `sub`, `split`).
pub(crate) fn search_bytes(
    id: usize,
    hay: &str,
    pos_byte: usize,
    mode: i64,
    must_advance: bool,
) -> Result<Option<Spans>, String> {
    REGEXES.with(|r| -> Result<Option<Spans>, String> {
        let mut start_byte = pos_byte;
        let mut r = r.borrow_mut();
        let Some(e) = r.get_mut(id) else {
            return Err("unknown pattern".into());
        };
        if mode == 2 && e.full.is_none() {
            let src = format!("(?:{})\\z", e.source);
            e.full = Some(build(&src).map_err(|x| x.to_string())?);
        }
        if mode == 0 && must_advance && e.nonempty.is_none() {
            let ne = fancy_regex::RegexBuilder::new(&e.source)
                .backtrack_limit(10_000_000)
                .find_not_empty(true)
                .build()
                .ok();
            e.nonempty = Some(ne);
        }
        let re = if mode == 2 {
            e.full.as_ref().expect("built above")
        } else {
            &e.search
        };
        let spans = |caps: fancy_regex::Captures<'_, str>| -> Spans {
            (0..caps.len())
                .map(|i| caps.get(i).map(|m| (m.start(), m.end())))
                .collect()
        };
        let input = RegexInput::new(hay)
            .from_pos(start_byte)
            .anchored(mode != 0);
        let caps = re.captures_input(input).map_err(|x| x.to_string())?;
        let Some(caps) = caps else { return Ok(None) };
        let m0 = caps.get(0).expect("group 0");
        if !(must_advance && mode == 0 && m0.start() == m0.end() && m0.start() == pos_byte) {
            return Ok(Some(spans(caps)));
        }
        // An empty match at `pos` is refused: a non-empty one there, else any match after.
        if let Some(Some(ne)) = &e.nonempty {
            let input = RegexInput::new(hay).from_pos(pos_byte).anchored(true);
            if let Some(caps) = ne.captures_input(input).map_err(|x| x.to_string())? {
                return Ok(Some(spans(caps)));
            }
        }
        if start_byte >= hay.len() {
            return Ok(None);
        }
        start_byte += hay[start_byte..].chars().next().map_or(1, |c| c.len_utf8());
        let input = RegexInput::new(hay).from_pos(start_byte);
        let caps = re.captures_input(input).map_err(|x| x.to_string())?;
        Ok(caps.map(spans))
    })
}
