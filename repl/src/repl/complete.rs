//! Tab completion: keywords, built-ins and globals; attributes after `name.` (resolved by
//! dictionary lookups only — module globals, instance `__dict__`s, class namespaces — so
//! completing never runs user code: no properties, no `__getattr__`, no calls); module
//! names after `import` / `from`.

use aio_vm::object::Payload;
use aio_vm::{Obj, Value, Vm};
use rustyline::completion::Completer;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::mpsc;
use std::time::Duration;

/// Python 3.11's keywords (`keyword.kwlist`) and soft keywords.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "match", "case",
];

/// The REPL's rustyline helper. It lives on the input thread; completions are computed on
/// the interpreter's thread (which owns the VM) from a request it answers between steps of
/// the event loop. It also highlights the line being typed (see [`super::highlight`]).
pub struct ReplHelper {
    /// Where completion requests go (the interpreter's thread).
    pub requests: mpsc::Sender<super::input::Event>,
    /// The names coloured as built-ins (`None`: no highlighting).
    pub builtins: Option<HashSet<String>>,
    /// The earlier lines of the input being typed, each ending with a newline.
    pub context: RefCell<String>,
}

/// The completions of the word that ends `before`: where the word starts and the
/// candidates (keywords, built-ins, globals; attributes after a dot; module names after
/// `import`).
pub fn candidates(vm: &Vm, globals: &Obj, before: &str) -> (usize, Vec<String>) {
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '.')
        .last()
        .map_or(before.len(), |(i, _)| i);
    let word = &before[start..];
    let head = before[..start].trim_start();
    let importing =
        head.starts_with("import ") || head.starts_with("from ") && !head.contains(" import ");
    if importing {
        let mut names = vm.module_names();
        names.retain(|n| n.starts_with(word));
        return (start, names);
    }
    let (names, prefix, offset) = match word.rfind('.') {
        Some(dot) => {
            let Some(value) = resolve(vm, globals, &word[..dot]) else {
                return (start, Vec::new());
            };
            (
                attribute_names(vm, &value),
                &word[dot + 1..],
                start + dot + 1,
            )
        }
        None => {
            let mut names: Vec<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
            names.extend(dict_keys(&vm.builtins));
            names.extend(dict_keys(globals));
            (names, word, start)
        }
    };
    let mut out: Vec<String> = names
        .into_iter()
        .filter(|n| n.starts_with(prefix) && (prefix.starts_with('_') || !n.starts_with('_')))
        .collect();
    out.sort();
    out.dedup();
    (offset, out)
}

/// The string keys of a dict object.
pub fn dict_keys(dict: &Obj) -> Vec<String> {
    match &dict.payload {
        Payload::Dict(d) => d
            .borrow()
            .iter()
            .filter_map(|e| match &e.key {
                Value::Str(s) => Some(s.as_str().to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn dict_get(dict: &Obj, key: &str) -> Option<Value> {
    match &dict.payload {
        Payload::Dict(d) => d.borrow().iter().find_map(|e| match &e.key {
            Value::Str(s) if s.as_str() == key => Some(e.value.clone()),
            _ => None,
        }),
        _ => None,
    }
}

/// The value of a dotted name, by dictionary lookups only.
fn resolve(vm: &Vm, globals: &Obj, dotted: &str) -> Option<Value> {
    let mut parts = dotted.split('.');
    let first = parts.next()?;
    let mut value = dict_get(globals, first).or_else(|| dict_get(&vm.builtins, first))?;
    for part in parts {
        value = attribute_dicts(vm, &value)
            .iter()
            .find_map(|d| dict_get(d, part))?;
    }
    Some(value)
}

/// The dictionaries an attribute of `value` is found in, in lookup order (no descriptors run).
fn attribute_dicts(vm: &Vm, value: &Value) -> Vec<Obj> {
    let mut dicts = Vec::new();
    if let Value::Obj(o) = value {
        if let Some(g) = vm.module_globals(o) {
            dicts.push(g);
            return dicts;
        }
        if let Some(d) = &o.dict {
            dicts.push(d.clone());
        }
        if let Payload::Type(t) = &o.payload {
            dicts.extend(t.mro.borrow().iter().filter_map(namespace_dict(vm)));
        }
    }
    let class = vm.class_of(value).clone();
    if let Payload::Type(t) = &class.payload {
        dicts.extend(t.mro.borrow().iter().filter_map(namespace_dict(vm)));
    }
    dicts
}

/// A class's namespace as a dict object (a copy of its keys and values).
fn namespace_dict(vm: &Vm) -> impl Fn(&Obj) -> Option<Obj> + '_ {
    move |cls| match &cls.payload {
        Payload::Type(t) => Some(vm.new_dict(t.ns.borrow().clone())),
        _ => None,
    }
}

fn attribute_names(vm: &Vm, value: &Value) -> Vec<String> {
    attribute_dicts(vm, value)
        .iter()
        .flat_map(dict_keys)
        .collect()
}

impl Completer for ReplHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let before = &line[..pos];
        if before.trim().is_empty() {
            // At the start of a line, Tab indents, as in CPython's REPL.
            return Ok((pos, vec!["    ".to_string()]));
        }
        let (reply, answer) = mpsc::channel();
        let request = super::input::Event::Complete(before.to_string(), reply);
        if self.requests.send(request).is_err() {
            return Ok((pos, Vec::new()));
        }
        aio_stdlib::asyncio::wake_from_signal();
        // The interpreter answers between loop steps; a statement never runs meanwhile.
        Ok(answer
            .recv_timeout(Duration::from_secs(2))
            .unwrap_or((pos, Vec::new())))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        match &self.builtins {
            Some(builtins) => Cow::Owned(super::highlight::highlight(
                &self.context.borrow(),
                line,
                builtins,
            )),
            None => Cow::Borrowed(line),
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        // Any typed character may change the colours of the line (`de` + `f` makes a
        // keyword), so every edit redraws the line rather than echoing the character.
        self.builtins.is_some()
    }
}

impl Validator for ReplHelper {}

impl Helper for ReplHelper {}
