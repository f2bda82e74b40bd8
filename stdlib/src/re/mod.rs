//! `re`: Python regular expressions on the `fancy-regex` engine (backtracking, so
//! backreferences and lookaround work). `translate.rs` rewrites Python's syntax; this file
//! holds the natives the module stands on (`_compile`, `_search`, `_findall`), and `re.aio` is the
//! module itself (`Pattern`, `Match`, `sub` templates, `split`, `findall`, the flags).
//!
//! Positions cross the boundary in characters, as Python counts them; the engine works in
//! bytes of the UTF-8 text.

pub(crate) mod translate;

use aio_vm::module::{to_index_i64, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::value::Bool;
use aio_vm::{Obj, PyResult, Value, Vm};
use fancy_regex::{Regex, RegexInput};
use std::cell::RefCell;

/// A compiled pattern: the search form and, once needed, the fullmatch form.
struct Entry {
    source: String,
    search: Regex,
    full: Option<Regex>,
    /// The form that refuses empty matches (`None` inside: it can never match non-empty).
    nonempty: Option<Option<Regex>>,
}

/// The byte spans of a match's groups (`None`: the group did not take part).
type Spans = Vec<Option<(usize, usize)>>;

thread_local! {
    static REGEXES: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

/// Initialises `re`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let mut b = ModuleBuilder::new(vm, m);
    b.function("_compile", compile)
        .function("_search", search)
        .function("_findall", findall);
    crate::source::run(vm, m, &[("re.aio", include_str!("re.aio"))])
}

fn build(src: &str) -> Result<Regex, fancy_regex::Error> {
    fancy_regex::RegexBuilder::new(src)
        .backtrack_limit(10_000_000)
        .build()
}

/// `_compile(pattern, flags)`: `(id, groups, [(name, index)...], flags)`, or
/// `(None, message, position, value_error)` for a bad pattern (`value_error`: CPython
/// raises `ValueError`, not `re.error`).
fn compile(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_compile", 2, 2)?;
    let Some(pat) = a.pos[0].as_str().cloned() else {
        return Err(vm.new_type_error("first argument must be string or compiled pattern"));
    };
    let flags = to_index_i64(vm, &a.pos[1])? as u32;
    let (src, flags) = match translate::translate(pat.as_str(), flags) {
        Ok(x) => x,
        Err(e) => {
            let pos = e.pos.map_or(Value::None, |p| Value::Int(p as i64));
            let kind = Value::from(e.value_error);
            return Ok(vm.new_tuple(vec![Value::None, Value::str(e.msg), pos, kind]));
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
    let groups = re.captures_len() as i64 - 1;
    let mut names = Vec::new();
    for (i, n) in re.capture_names().enumerate() {
        if let Some(n) = n {
            names.push(vm.new_tuple(vec![Value::str(n), Value::Int(i as i64)]));
        }
    }
    let names = vm.new_list(names);
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
    Ok(vm.new_tuple(vec![
        Value::Int(id as i64),
        Value::Int(groups),
        names,
        Value::Int(flags as i64),
    ]))
}

fn engine_message(e: &fancy_regex::Error) -> String {
    let text = e.to_string();
    if text.contains("ook-behind") || text.contains("ookbehind") {
        return "look-behind requires fixed-width pattern".into();
    }
    text
}

/// The byte spans of the first match of pattern `id` in `hay` from `pos_byte` (`mode` and
/// `must_advance` as for `_search`), or the engine's error.
fn search_bytes(
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

/// `_findall(id, string, pos, endpos, groups)`: `Pattern.findall` over a `str` (the
/// matches' texts, or their groups' texts, with CPython's rule after an empty match), in
/// one native loop; `None` for anything but an exact `str`, which `re.aio` handles.
fn findall(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_findall", 5, 5)?;
    let id = to_index_i64(vm, &a.pos[0])? as usize;
    let Some(s) = a.pos[1].as_str().cloned() else {
        return Ok(Value::None);
    };
    let n = s.len() as i64;
    let pos = to_index_i64(vm, &a.pos[2])?.clamp(0, n) as usize;
    let endpos = to_index_i64(vm, &a.pos[3])?.clamp(0, n) as usize;
    let groups = to_index_i64(vm, &a.pos[4])?.max(0) as usize;
    let mut out = Vec::new();
    if pos <= endpos {
        let hay = &s.as_str()[..s.byte_offset(endpos)];
        let mut at = s.byte_offset(pos);
        let mut must_advance = false;
        loop {
            let sp = match search_bytes(id, hay, at, 0, must_advance) {
                Ok(Some(sp)) => sp,
                Ok(None) => break,
                Err(msg) => return Err(vm.new_runtime_error(msg)),
            };
            let piece = |k: usize| match sp.get(k).copied().flatten() {
                Some((b, e)) => Value::str(&hay[b..e]),
                None => Value::str(""),
            };
            out.push(match groups {
                0 => piece(0),
                1 => piece(1),
                g => vm.new_tuple((1..=g).map(piece).collect()),
            });
            let (b, e) = sp[0].expect("group 0 takes part");
            at = e;
            must_advance = b == e;
        }
    }
    Ok(vm.new_list(out))
}

/// `_search(id, string, pos, endpos, mode, must_advance)`: the group spans of the first
/// match (flat `start, end` pairs, `-1` for groups that did not take part), or `None`.
/// `mode` is 0 for search, 1 for match (anchored at `pos`), 2 for fullmatch. With
/// `must_advance`, an empty match at `pos` is refused (CPython's rule after an empty match
/// in `finditer`, `sub`, `split`).
fn search(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_search", 6, 6)?;
    let id = to_index_i64(vm, &a.pos[0])? as usize;
    let Some(s) = a.pos[1].as_str().cloned() else {
        // sre.c's state_init (aio's patterns are all str patterns).
        if aio_vm::builtins::bytes_of(&a.pos[1]).is_some() {
            return Err(vm.new_type_error("cannot use a string pattern on a bytes-like object"));
        }
        let t = vm.type_name(&a.pos[1]);
        return Err(vm.new_type_error(format!("expected string or bytes-like object, got '{t}'")));
    };
    let n = s.len() as i64;
    let pos = to_index_i64(vm, &a.pos[2])?.clamp(0, n) as usize;
    let endpos = to_index_i64(vm, &a.pos[3])?.clamp(0, n) as usize;
    let mode = to_index_i64(vm, &a.pos[4])?;
    let must_advance = matches!(a.pos[5], Value::Bool(Bool::TRUE));
    if pos > endpos {
        return Ok(Value::None);
    }
    let text = s.as_str();
    let end_byte = s.byte_offset(endpos);
    let hay = &text[..end_byte];
    let pos_byte = s.byte_offset(pos);
    let result = search_bytes(id, hay, pos_byte, mode, must_advance);
    let spans = match result {
        Ok(Some(s)) => s,
        Ok(None) => return Ok(Value::None),
        Err(msg) => {
            return Err(vm.new_runtime_error(msg));
        }
    };
    let base_byte = pos_byte;
    let ascii = s.is_ascii();
    let to_char = |b: usize| -> i64 {
        if ascii {
            b as i64
        } else if b >= base_byte {
            (pos + text[base_byte..b].chars().count()) as i64
        } else {
            text[..b].chars().count() as i64
        }
    };
    let mut out = Vec::with_capacity(spans.len() * 2);
    for sp in spans {
        match sp {
            Some((a, b)) => {
                out.push(Value::Int(to_char(a)));
                out.push(Value::Int(to_char(b)));
            }
            None => {
                out.push(Value::Int(-1));
                out.push(Value::Int(-1));
            }
        }
    }
    Ok(vm.new_tuple(out))
}
