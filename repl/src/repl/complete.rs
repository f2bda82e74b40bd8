//! Tab completion: keywords, built-ins and globals; attributes after `name.` (resolved by
//! dictionary lookups only — module globals, instance `__dict__`s, class namespaces — so
//! completing never runs user code: no properties, no `__getattr__`, no calls); module
//! names after `import` / `from`.

use aio_vm::{Obj, Vm};
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
            let Some(value) = vm.lookup_quietly(globals, &word[..dot]) else {
                return (start, Vec::new());
            };
            (
                vm.attribute_names_quietly(&value),
                &word[dot + 1..],
                start + dot + 1,
            )
        }
        None => {
            let mut names: Vec<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
            names.extend(vm.dict_names(&vm.builtins));
            names.extend(vm.dict_names(globals));
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
