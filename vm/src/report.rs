//! The report of an uncaught exception, as CPython 3.11's `PyErr_Display`
//! (`Python/pythonrun.c`) prints it: chained exceptions (`__cause__`, `__context__`) first,
//! the traceback, the `Type: message` line with its "Did you mean" hint, the `__notes__`,
//! and exception groups as a tree of numbered, indented sub-reports (at most
//! `MAX_GROUP_WIDTH` sub-exceptions per group and `MAX_GROUP_DEPTH` levels).

use crate::object::{Payload, TracebackEntry};
use crate::types::{is_subtype, lookup};
use crate::value::{Obj, Value};
use crate::vm::Vm;
use std::collections::HashSet;
use std::fmt::Write;
use std::rc::Rc;

/// Sub-exceptions shown per group; the rest are counted ("and N more exceptions").
const MAX_GROUP_WIDTH: usize = 15;
/// Nested groups shown; deeper ones print "... (max_group_depth is 10)".
const MAX_GROUP_DEPTH: usize = 10;

const CAUSE_MESSAGE: &str =
    "The above exception was the direct cause of the following exception:\n";
const CONTEXT_MESSAGE: &str =
    "During handling of the above exception, another exception occurred:\n";

/// CPython's `exception_print_context`: the text so far, the group nesting, whether a
/// group's closing line is still owed, and the exceptions already printed (by address).
struct Report {
    out: String,
    depth: usize,
    need_close: bool,
    seen: HashSet<usize>,
    /// Where `out` splits into the strings the `traceback` module yields (its `emit` calls).
    breaks: Vec<usize>,
    /// `limit` of the `traceback` module: frames kept per traceback (negative: the last).
    limit: Option<i64>,
    /// Whether `__cause__` and `__context__` are reported.
    chain: bool,
    /// The `traceback` module's variant (3.11's `traceback.py`): no "Did you mean" hint,
    /// source lines stripped on both sides, the margin on every line of a message.
    module: bool,
    /// The exception (by address) whose traceback is given instead of its own (outermost
    /// first; empty for `tb=None`), as `traceback.format_exception(type, value, tb)`.
    given_tb: Option<(usize, Vec<TracebackEntry>)>,
}

impl Report {
    fn new(limit: Option<i64>, chain: bool, module: bool) -> Report {
        Report {
            out: String::new(),
            depth: 0,
            need_close: false,
            seen: HashSet::new(),
            breaks: Vec::new(),
            limit,
            chain,
            module,
            given_tb: None,
        }
    }

    /// Ends one string of the `traceback` module's list.
    fn cut(&mut self) {
        self.breaks.push(self.out.len());
    }

    /// `out` split at the cuts, empty pieces left out.
    fn into_chunks(self) -> Vec<String> {
        let mut chunks = Vec::new();
        let mut start = 0;
        for end in self.breaks.into_iter().chain([self.out.len()]) {
            if end > start {
                chunks.push(self.out[start..end].to_string());
                start = end;
            }
        }
        chunks
    }

    /// `EXC_MARGIN`: the `| ` bar of a sub-exception's lines.
    fn margin(&self) -> &'static str {
        if self.depth > 0 {
            "| "
        } else {
            ""
        }
    }

    fn write_indent(&mut self) {
        for _ in 0..2 * self.depth {
            self.out.push(' ');
        }
    }

    /// `write_indented_margin`: the indentation then the margin.
    fn write_indented_margin(&mut self) {
        self.write_indent();
        self.out.push_str(self.margin());
    }
}

fn address(e: &Obj) -> usize {
    std::rc::Rc::as_ptr(e) as usize
}

impl Vm {
    /// The full report of an uncaught exception, as CPython prints it: the chained
    /// exceptions (`__cause__`, `__context__`) first, each with its traceback.
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.exec(
    ///     "def load(key):\n\
    ///      \x20   try:\n\
    ///      \x20       return {}[key]\n\
    ///      \x20   except KeyError as e:\n\
    ///      \x20       raise LookupError(f'no setting {key!r}') from e\n",
    /// )?;
    /// let load: Value = vm.get_global("load")?;
    /// let exc = vm.call(&load, &[Value::str("port")], &[]).err().unwrap();
    /// assert_eq!(vm.exception_message(&exc), "no setting 'port'");
    /// assert_eq!(vm.exception_str(&exc).ok().unwrap(), "no setting 'port'");
    /// let report = vm.format_exception(&exc);
    /// assert!(report.starts_with("Traceback (most recent call last):\n"));
    /// assert!(report.contains("KeyError: 'port'\n\nThe above exception was the direct cause"));
    /// assert!(report.ends_with("LookupError: no setting 'port'\n"));
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn format_exception(&mut self, e: &Obj) -> String {
        let limit = self.sys_traceback_limit();
        let mut r = Report::new(limit, true, false);
        self.report_recursive(&mut r, e);
        r.out
    }

    /// What CPython 3.11's `traceback.format_exception(e, limit=limit, chain=chain)`
    /// returns: the report of [`Vm::format_exception`] as `traceback.py` writes it (no
    /// "Did you mean" hint, which 3.11 adds in C only), split into the same strings (one
    /// per header, frame, chaining sentence, exception line and note line). `limit` keeps
    /// the first `limit` frames of each traceback, or the last `-limit`. The frames of
    /// hidden sources (stdlib modules written in aio) are left out, as in the report.
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.exec("def f():\n    return 1 / 0\n")?;
    /// let f: Value = vm.get_global("f")?;
    /// let e = vm.call(&f, &[], &[]).err().unwrap();
    /// let lines = vm.traceback_format_exception(&e, None, true, None);
    /// assert_eq!(lines[0], "Traceback (most recent call last):\n");
    /// assert!(lines[1].ends_with(", line 2, in f\n"));
    /// assert_eq!(lines[2], "ZeroDivisionError: division by zero\n");
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    /// `tb` replaces `e`'s own traceback: its entries, outermost first (those of a traceback
    /// object, [`Vm::traceback_object_entries`]; empty for `print_exception(t, e, None)`).
    pub fn traceback_format_exception(
        &mut self,
        e: &Obj,
        limit: Option<i64>,
        chain: bool,
        tb: Option<Vec<TracebackEntry>>,
    ) -> Vec<String> {
        let mut r = Report::new(limit, chain, true);
        r.given_tb = tb.map(|entries| (address(e), entries));
        self.report_recursive(&mut r, e);
        r.into_chunks()
    }

    /// `traceback.format_exception_only(e)` of CPython 3.11: the `Type: message` line (or
    /// a `SyntaxError`'s location lines) and the lines of the notes.
    pub fn traceback_format_exception_only(&mut self, e: &Obj) -> Vec<String> {
        let mut r = Report::new(None, false, true);
        self.report_exception_only(&mut r, e);
        r.into_chunks()
    }

    /// The `FrameSummary` of each of `entries` (outermost first; the frames of hidden
    /// sources left out) with its string of CPython 3.11's `StackSummary.format()` (file
    /// line, stripped source line, and with `carets` the carets, which CPython shows for
    /// tracebacks but not for the running stack). For `traceback.extract_tb` and
    /// `extract_stack`.
    pub fn traceback_summaries(
        &mut self,
        mut entries: Vec<TracebackEntry>,
        carets: bool,
    ) -> Vec<(crate::gen::FrameSummary, String)> {
        self.drop_hidden(&mut entries);
        let mut out = Vec::new();
        for entry in entries {
            let loc = entry.code.location(entry.ip as usize);
            let src = &entry.code.source;
            let summary = crate::gen::FrameSummary {
                file: src.name.clone(),
                line: loc.line,
                name: entry.code.name.as_str().to_string(),
                text: src
                    .lines()
                    .line_text(&src.text, loc.line)
                    .trim()
                    .to_string(),
            };
            let text = if carets {
                self.format_traceback_entries(vec![entry], true).concat()
            } else {
                let mut t = format!(
                    "  File \"{}\", line {}, in {}\n",
                    summary.file, summary.line, summary.name
                );
                let hidden = summary.file.starts_with('<') && summary.file.ends_with('>');
                if !hidden && !summary.text.is_empty() {
                    let _ = writeln!(t, "    {}", summary.text);
                }
                t
            };
            out.push((summary, text));
        }
        out
    }

    /// The entries of a traceback object (`e.__traceback__`, `sys.exc_info()[2]`),
    /// outermost first, following `tb_next`; empty for anything else.
    pub fn traceback_object_entries(&mut self, tb: &Value) -> Vec<TracebackEntry> {
        let mut out = Vec::new();
        let mut cur = tb.clone();
        let (code_key, lasti_key, next_key, frame_key) = (
            self.intern("f_code"),
            self.intern("tb_lasti"),
            self.intern("tb_next"),
            self.intern("tb_frame"),
        );
        while let Value::Obj(o) = &cur {
            if !o
                .class_raw()
                .is_some_and(|c| Rc::ptr_eq(c, &self.types.traceback))
            {
                break;
            }
            let frame = self.get_attr_opt(&cur, &frame_key).ok().flatten();
            let code = match frame {
                Some(f) => self.get_attr_opt(&f, &code_key).ok().flatten(),
                None => None,
            };
            let lasti = self.get_attr_opt(&cur, &lasti_key).ok().flatten();
            if let (Some(Value::Obj(c)), Some(Value::Int(i))) = (code, lasti) {
                if let Payload::Code(code) = &c.payload {
                    out.push(TracebackEntry {
                        code: code.clone(),
                        ip: (i / 2) as u32,
                    });
                }
            }
            cur = match self.get_attr_opt(&cur, &next_key) {
                Ok(Some(n)) => n,
                _ => Value::None,
            };
        }
        out
    }

    /// The running script frames as traceback entries, outermost first (for
    /// `traceback.extract_stack`).
    pub fn stack_entries(&self) -> Vec<TracebackEntry> {
        self.frames
            .iter()
            .map(|f| TracebackEntry {
                code: f.code.clone(),
                ip: f.ip.max(1) - 1,
            })
            .collect()
    }

    fn is_exception_group(&self, e: &Obj) -> bool {
        e.class_raw()
            .is_some_and(|c| is_subtype(c, &self.exc.base_exception_group))
    }

    /// `print_exception_recursive`.
    fn report_recursive(&mut self, r: &mut Report, e: &Obj) {
        if r.chain {
            self.report_cause_and_context(r, e);
        }
        if self.is_exception_group(e) {
            self.report_group(r, e);
        } else {
            self.report_one(r, e);
        }
    }

    /// `print_exception_cause_and_context`: the cause, else (unless suppressed) the
    /// context, each printed once.
    fn report_cause_and_context(&mut self, r: &mut Report, e: &Obj) {
        r.seen.insert(address(e));
        let (cause, context, suppress) = match self.exc_data(e) {
            Some(d) => (d.cause.clone(), d.context.clone(), d.suppress_context),
            None => return,
        };
        let exception = |v: &Value| match v {
            Value::Obj(o) if matches!(o.payload, Payload::Exception(_)) => Some(o.clone()),
            _ => None,
        };
        if let Some(c) = exception(&cause) {
            if !r.seen.contains(&address(&c)) {
                self.report_chained(r, &c, CAUSE_MESSAGE);
            }
            return;
        }
        if suppress {
            return;
        }
        if let Some(c) = exception(&context) {
            if !r.seen.contains(&address(&c)) {
                self.report_chained(r, &c, CONTEXT_MESSAGE);
            }
        }
    }

    /// `print_chained`: the earlier exception, then the sentence joining it to the next.
    fn report_chained(&mut self, r: &mut Report, e: &Obj, message: &str) {
        let need_close = r.need_close;
        self.report_recursive(r, e);
        r.need_close = need_close;
        r.cut();
        r.write_indented_margin();
        r.out.push('\n');
        r.write_indented_margin();
        r.out.push_str(message);
        r.write_indented_margin();
        r.out.push('\n');
        r.cut();
    }

    /// `print_exception_group`: the group's own report, then each sub-exception under a
    /// numbered separator, one level deeper.
    fn report_group(&mut self, r: &mut Report, e: &Obj) {
        if r.depth > MAX_GROUP_DEPTH {
            r.write_indented_margin();
            let _ = writeln!(r.out, "... (max_group_depth is {MAX_GROUP_DEPTH})");
            r.cut();
            return;
        }
        if r.depth == 0 {
            r.depth += 1;
        }
        self.report_one(r, e);
        // `.exceptions`: the tuple copy made at creation (else the sequence given as the
        // second argument).
        let given = self
            .exc_data(e)
            .and_then(|d| match (d.extra.payload(), d.args.payload()) {
                (Some(Payload::Tuple(_)), _) => Some(d.extra.clone()),
                (_, Some(Payload::Tuple(t))) => t.get(1).cloned(),
                _ => None,
            });
        let excs = match given {
            Some(v) => self.collect(&v).unwrap_or_default(),
            None => Vec::new(),
        };
        let n = excs.len().min(MAX_GROUP_WIDTH + 1);
        r.need_close = false;
        for (i, exc) in excs.iter().take(n).enumerate() {
            let last = i == n - 1;
            if last {
                // The closing line may be written by a nested group instead.
                r.need_close = true;
            }
            r.write_indent();
            let first = if i == 0 { "+-" } else { "  " };
            let truncated = i >= MAX_GROUP_WIDTH;
            if truncated {
                let _ = writeln!(r.out, "{first}+---------------- ... ----------------");
            } else {
                let _ = writeln!(r.out, "{first}+---------------- {} ----------------", i + 1);
            }
            r.cut();
            r.depth += 1;
            if !truncated {
                if let Value::Obj(o) = exc {
                    self.report_recursive(r, o);
                }
            } else {
                let remaining = excs.len() - MAX_GROUP_WIDTH;
                r.write_indented_margin();
                let _ = writeln!(
                    r.out,
                    "and {remaining} more exception{}",
                    if remaining > 1 { "s" } else { "" }
                );
                r.cut();
            }
            if last && r.need_close {
                r.write_indent();
                r.out.push_str("+------------------------------------\n");
                r.cut();
                r.need_close = false;
            }
            r.depth -= 1;
        }
        if r.depth == 1 {
            r.depth -= 1;
        }
    }

    /// `sys.tracebacklimit` as CPython's `PyTraceBack_Print` reads it, in the `limit` form
    /// of [`Report`]: the last `n` frames of each traceback, none (nor the header) when
    /// `n <= 0`, all when it is not an int or too large for a C long.
    fn sys_traceback_limit(&mut self) -> Option<i64> {
        let key = self.intern("sys");
        let Some(Value::Obj(sys)) = self.dict_get_str(&self.modules.clone(), &key) else {
            return None;
        };
        let globals = self.module_globals(&sys)?;
        let key = self.intern("tracebacklimit");
        let n = match self.dict_get_str(&globals, &key)? {
            Value::Int(n) => n,
            Value::Bool(b) => i64::from(b.get()),
            Value::Obj(o) => match &o.payload {
                Payload::Int(b) if b.sign() == num_bigint::Sign::Minus => 0,
                _ => return None,
            },
            _ => return None,
        };
        Some(if n <= 0 { 0 } else { -n })
    }

    /// `print_exception`: the traceback, the `Type: message` line, the notes.
    fn report_one(&mut self, r: &mut Report, e: &Obj) {
        self.flush_stdout();
        let mut tb: Vec<TracebackEntry> = match &r.given_tb {
            Some((a, entries)) if *a == address(e) => entries.clone(),
            _ => {
                let mut own = self
                    .exc_data(e)
                    .map(|d| d.traceback.clone())
                    .unwrap_or_default();
                // Stored innermost first.
                own.reverse();
                own
            }
        };
        self.drop_hidden(&mut tb);
        match r.limit {
            Some(n) if n >= 0 => tb.truncate(n as usize),
            Some(n) => {
                let keep = n.unsigned_abs() as usize;
                if tb.len() > keep {
                    tb.drain(..tb.len() - keep);
                }
            }
            None => {}
        }
        let tb = self.format_traceback_entries(tb, r.module);
        if !tb.is_empty() {
            r.cut();
            r.write_indent();
            if self.is_exception_group(e) {
                r.out.push_str(if r.depth == 1 { "+ " } else { r.margin() });
                r.out
                    .push_str("Exception Group Traceback (most recent call last):\n");
            } else {
                r.out.push_str(r.margin());
                r.out.push_str("Traceback (most recent call last):\n");
            }
            r.cut();
            for chunk in tb {
                for line in chunk.lines() {
                    r.write_indented_margin();
                    r.out.push_str(line);
                    r.out.push('\n');
                }
                r.cut();
            }
        }
        self.report_exception_only(r, e);
    }

    /// `format_exception_only`: the `Type: message` line (or a `SyntaxError`'s location
    /// lines and message) and the notes.
    fn report_exception_only(&mut self, r: &mut Report, e: &Obj) {
        let cls = e
            .class_raw()
            .cloned()
            .unwrap_or_else(|| self.types.type_.clone());
        let mut name = cls
            .as_type()
            .map(|t| t.qualname.borrow().as_str().to_string())
            .unwrap_or_default();
        if let Some(Value::Str(m)) = lookup(&cls, &self.names.__module__.clone()) {
            if m.as_str() != "builtins" && m.as_str() != "__main__" {
                name = format!("{}.{}", m.as_str(), name);
            }
        }
        r.cut();
        let msg = match self.format_syntax_error_location(r, e, &cls) {
            Some(msg) => msg,
            None => {
                let msg = match self.to_str(&Value::Obj(e.clone())) {
                    Ok(s) => s.as_str().to_string(),
                    Err(_) => "<exception str() failed>".to_string(),
                };
                if r.module {
                    msg
                } else {
                    msg + &self.suggestion(e)
                }
            }
        };
        let line = if msg.is_empty() {
            format!("{name}\n")
        } else {
            format!("{name}: {msg}\n")
        };
        if r.module {
            // `traceback.py` indents every line of the message.
            for l in split_lines_keep_ends(&line) {
                r.write_indented_margin();
                r.out.push_str(l);
            }
        } else {
            // Only the first line of a multi-line message carries the margin, as in CPython.
            r.write_indented_margin();
            r.out.push_str(&line);
        }
        r.cut();
        self.report_notes(r, e);
    }

    /// `print_exception_notes`: each line of each note of `__notes__` with the margin; a
    /// `__notes__` that is not a sequence prints its `repr` (without a newline, as CPython).
    fn report_notes(&mut self, r: &mut Report, e: &Obj) {
        let key = self.names.__notes__.clone();
        let Ok(Some(notes)) = self.get_attr_opt(&Value::Obj(e.clone()), &key) else {
            return;
        };
        let items: Option<Vec<Value>> = match &notes {
            Value::Str(s) => Some(
                s.as_str()
                    .chars()
                    .map(|c| Value::str(c.to_string()))
                    .collect(),
            ),
            Value::Obj(o) => match &o.payload {
                Payload::List(l) => Some(l.borrow().clone()),
                Payload::Tuple(t) => Some(t.to_vec()),
                _ if self.is_note_sequence(&notes) => {
                    let mut items = Vec::new();
                    let n = self.len(&notes).unwrap_or(0);
                    for i in 0..n {
                        match self.getitem(&notes, &Value::Int(i as i64)) {
                            Ok(v) => items.push(v),
                            Err(_) => break,
                        }
                    }
                    Some(items)
                }
                _ => None,
            },
            _ => None,
        };
        let Some(items) = items else {
            r.write_indented_margin();
            match self.repr(&notes) {
                Ok(s) => r.out.push_str(s.as_str()),
                Err(_) => r.out.push_str("<__notes__ repr() failed>"),
            }
            return;
        };
        for note in items {
            match self.to_str(&note) {
                Ok(s) => {
                    for line in split_lines_keep_ends(s.as_str()) {
                        r.write_indented_margin();
                        r.out.push_str(line);
                        if r.module && line.ends_with('\n') {
                            r.cut();
                        }
                    }
                }
                Err(_) => r.out.push_str("<note str() failed>"),
            }
            r.out.push('\n');
            r.cut();
        }
    }

    /// `PySequence_Check`: a class with `__getitem__` that is not a `dict`.
    fn is_note_sequence(&mut self, v: &Value) -> bool {
        let cls = self.class_of(v).clone();
        if is_subtype(&cls, &self.types.dict.clone()) {
            return false;
        }
        let key = self.intern("__getitem__");
        lookup(&cls, &key).is_some()
    }

    /// Leaves out the frames of hidden sources.
    fn drop_hidden(&self, tb: &mut Vec<TracebackEntry>) {
        if !self.hidden_sources.is_empty() {
            tb.retain(|entry| {
                let file = &entry.code.source.name;
                !self.hidden_sources.contains(file)
                    && !self
                        .hidden_sources
                        .contains(&format!("{file}::{}", entry.code.name.as_str()))
            });
        }
    }

    /// The frames of a traceback, one string each (file line, source line, carets), and
    /// the "[Previous line repeated ...]" lines, without the header; the frames of hidden
    /// sources left out. `module`: source lines stripped on both sides, as `traceback.py`.
    fn format_traceback_entries(
        &mut self,
        mut tb: Vec<TracebackEntry>,
        module: bool,
    ) -> Vec<String> {
        let mut chunks = Vec::new();
        self.drop_hidden(&mut tb);
        let mut last: Option<(String, u32, String)> = None;
        let mut repeat = 0;
        for entry in tb.iter() {
            let loc = entry.code.location(entry.ip as usize);
            let key = (
                entry.code.source.name.clone(),
                loc.line,
                entry.code.name.as_str().to_string(),
            );
            if last.as_ref() == Some(&key) {
                repeat += 1;
                if repeat >= 3 {
                    continue;
                }
            } else {
                chunks.extend(repeated_line(repeat));
                repeat = 0;
            }
            let mut out = String::new();
            let _ = writeln!(out, "  File \"{}\", line {}, in {}", key.0, key.1, key.2);
            // Code from `-c`, stdin, `exec`/`eval` strings (`<string>`, `<stdin>`...) has no
            // file for CPython's linecache: no source line is shown.
            if key.0.starts_with('<') && key.0.ends_with('>') {
                last = Some(key);
                chunks.push(out);
                continue;
            }
            let line = entry
                .code
                .source
                .lines()
                .line_text(&entry.code.source.text, loc.line);
            // CPython's C printer strips the indentation only, `traceback.py` both ends.
            let text = line.trim_start_matches([' ', '\t', '\x0c']);
            let text = if module { text.trim_end() } else { text };
            if !text.trim().is_empty() {
                let _ = writeln!(out, "    {text}");
                // An entry past the code's end (a frame that ran nothing) is at its `def`
                // line, which has no carets.
                let ran = (entry.ip as usize) < entry.code.spans.len();
                if let Some(carets) = ran
                    .then(|| crate::carets::error_location_line(line, loc))
                    .flatten()
                {
                    let _ = writeln!(out, "{carets}");
                }
            }
            last = Some(key);
            chunks.push(out);
        }
        chunks.extend(repeated_line(repeat));
        chunks
    }

    /// For a `SyntaxError` with details (what `eval` and `import` raise): writes CPython's
    /// location lines (file and line with the margin; the source line and carets without,
    /// as `print_error_text` writes them) and returns the message.
    fn format_syntax_error_location(
        &mut self,
        r: &mut Report,
        e: &Obj,
        cls: &Obj,
    ) -> Option<String> {
        if !is_subtype(cls, &self.exc.syntax_error.clone()) {
            return None;
        }
        let args = self.exc_data(e).map(|d| d.args.clone())?;
        let Some(Payload::Tuple(items)) = args.payload() else {
            return None;
        };
        let (2, Some(Payload::Tuple(t))) = (items.len(), items.get(1).and_then(Value::payload))
        else {
            return None;
        };
        let msg = self.to_str(&items[0]).ok()?.as_str().to_string();
        let file = t
            .first()
            .and_then(|f| f.as_str())
            .map(|f| f.as_str().to_string());
        let line = match t.get(1) {
            Some(Value::Int(n)) => *n,
            _ => return Some(msg),
        };
        r.write_indented_margin();
        let _ = writeln!(
            r.out,
            "  File \"{}\", line {line}",
            file.as_deref().unwrap_or("<string>")
        );
        r.cut();
        if let Some(text) = t.get(3).and_then(|v| v.as_str()) {
            let full = text.as_str().trim_end_matches(['\n', '\r']);
            let text = full.trim_start();
            if !text.is_empty() {
                let _ = writeln!(r.out, "    {text}");
                r.cut();
                let indent = (full.chars().count() - text.chars().count()) as i64;
                if let Some(Value::Int(offset)) = t.get(2) {
                    let start = (offset - 1 - indent).max(0);
                    let end = match (t.get(4), t.get(5)) {
                        (Some(Value::Int(el)), Some(Value::Int(eo))) if *el == line => {
                            (eo - 1 - indent).max(start + 1)
                        }
                        _ => start + 1,
                    };
                    let _ = writeln!(
                        r.out,
                        "    {}{}",
                        " ".repeat(start as usize),
                        "^".repeat((end - start) as usize)
                    );
                    r.cut();
                }
            }
        }
        Some(msg)
    }
}

/// CPython's line for a traceback entry seen `repeat` times in a row (the first three are
/// printed), when there is one.
fn repeated_line(repeat: usize) -> Option<String> {
    (repeat >= 3).then(|| {
        let n = repeat - 2;
        let s = if n == 1 { "" } else { "s" };
        format!("  [Previous line repeated {n} more time{s}]\n")
    })
}

/// `str.splitlines(keepends=True)`: the line boundaries of `str`, `\r\n` as one.
fn split_lines_keep_ends(t: &str) -> Vec<&str> {
    crate::builtins::str_line_spans(t)
        .into_iter()
        .map(|(start, _, end)| &t[start..end])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::split_lines_keep_ends;

    #[test]
    fn lines_keep_their_ends() {
        assert_eq!(split_lines_keep_ends("a\r\nb\nc"), ["a\r\n", "b\n", "c"]);
        assert_eq!(split_lines_keep_ends("end\n"), ["end\n"]);
        assert!(split_lines_keep_ends("").is_empty());
    }
}
