//! Exceptions at run time: `raise` (instantiating classes, `from` causes, implicit
//! `__context__` without cycles), `except` matching, context managers, and the uncaught
//! exception report in CPython's traceback format.

use crate::object::{ExcData, Payload};
use crate::types::{is_subtype, lookup};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::fmt::Write;

impl Vm {
    /// Turns a raised value (class or instance) into an exception instance.
    pub(crate) fn exc_from_value(&mut self, v: Value) -> Obj {
        match self.make_exception(v) {
            Ok(e) => e,
            Err(e) => e,
        }
    }

    fn make_exception(&mut self, v: Value) -> PyResult<Obj> {
        if let Value::Obj(o) = &v {
            if let Payload::Exception(_) = &o.payload {
                return Ok(o.clone());
            }
            if let Payload::Type(_) = &o.payload {
                if is_subtype(o, &self.exc.base_exception.clone()) {
                    let inst = self.call(&v, &[], &[])?;
                    if let Value::Obj(i) = &inst {
                        if matches!(i.payload, Payload::Exception(_)) {
                            return Ok(i.clone());
                        }
                    }
                    return Err(self.new_type_error(format!(
                        "calling {} should have returned an instance of BaseException, not {}",
                        self.type_name(&v),
                        self.type_name(&inst)
                    )));
                }
            }
        }
        Err(self.new_type_error("exceptions must derive from BaseException"))
    }

    /// `Raise(n)`: builds the exception to raise (the running frame is on `frames`).
    pub(crate) fn do_raise(&mut self, n: u32) -> PyResult<Obj> {
        let f = self.frames.last_mut().expect("frame");
        let (exc, cause) = match n {
            0 => {
                let handled = self.handled_exception();
                return match handled {
                    Some(Value::Obj(e)) => Ok(e),
                    _ => Err(self.new_runtime_error("No active exception to reraise")),
                };
            }
            1 => (f.stack.pop().expect("stack"), None),
            _ => {
                let c = f.stack.pop().expect("stack");
                (f.stack.pop().expect("stack"), Some(c))
            }
        };
        let e = self.make_exception(exc)?;
        if let Some(c) = cause {
            let cause = match &c {
                Value::None => Value::None,
                Value::Obj(o) if matches!(o.payload, Payload::Exception(_)) => c.clone(),
                Value::Obj(o)
                    if matches!(o.payload, Payload::Type(_))
                        && is_subtype(o, &self.exc.base_exception.clone()) =>
                {
                    Value::Obj(self.make_exception(c.clone())?)
                }
                _ => {
                    return Err(
                        self.new_type_error("exception causes must derive from BaseException")
                    )
                }
            };
            self.set_cause(&e, cause);
        }
        Ok(e)
    }

    /// Sets `__cause__` (and `__suppress_context__`): `raise e from cause`, for natives.
    pub(crate) fn set_cause(&self, e: &Obj, cause: Value) {
        if let Payload::Exception(d) = &e.payload {
            let mut d = d.borrow_mut();
            d.cause = cause;
            d.suppress_context = true;
        }
    }

    /// Sets the implicit `__context__` of a newly raised exception, breaking cycles as
    /// CPython's `_PyErr_SetObject` does.
    pub(crate) fn set_context(&self, exc: &Obj, handled: Option<Value>) {
        let Some(Value::Obj(h)) = handled else { return };
        if std::rc::Rc::ptr_eq(&h, exc) {
            return;
        }
        // Avoid a cycle: cut exc out of the handled exception's context chain.
        let mut o = h.clone();
        loop {
            let next = match &o.payload {
                Payload::Exception(d) => d.borrow().context.clone(),
                _ => Value::None,
            };
            match next {
                Value::Obj(n) => {
                    if std::rc::Rc::ptr_eq(&n, exc) {
                        if let Payload::Exception(d) = &o.payload {
                            d.borrow_mut().context = Value::None;
                        }
                        break;
                    }
                    o = n;
                }
                _ => break,
            }
        }
        if let Payload::Exception(d) = &exc.payload {
            let mut d = d.borrow_mut();
            if d.context.is_none() {
                d.context = Value::Obj(h);
            }
        }
    }

    /// `except cls:` matching (tuples of classes allowed).
    pub(crate) fn exception_matches(&mut self, exc: &Value, cls: &Value) -> PyResult<bool> {
        let ec = self.class_of(exc).clone();
        match cls {
            Value::Obj(o) => match &o.payload {
                Payload::Type(_) => {
                    if !is_subtype(o, &self.exc.base_exception.clone()) {
                        return Err(self.new_type_error(
                            "catching classes that do not inherit from BaseException is not allowed",
                        ));
                    }
                    Ok(is_subtype(&ec, o))
                }
                Payload::Tuple(items) => {
                    for i in items.iter() {
                        if self.exception_matches(exc, i)? {
                            return Ok(true);
                        }
                    }
                    Ok(false)
                }
                _ => Err(self.new_type_error(
                    "catching classes that do not inherit from BaseException is not allowed",
                )),
            },
            _ => Err(self.new_type_error(
                "catching classes that do not inherit from BaseException is not allowed",
            )),
        }
    }

    /// `__traceback__` (a placeholder object while tracebacks are internal).
    pub(crate) fn traceback_value(&mut self, exc: &Value) -> Value {
        let entries = match exc.payload() {
            Some(Payload::Exception(d)) => d.borrow().traceback.clone(),
            _ => return Value::None,
        };
        // A chain of `traceback` objects, outermost first (tb_next leads inward).
        let mut next = Value::None;
        for e in entries.iter() {
            let loc = e.code.location(e.ip as usize);
            let d = self.new_dict(crate::dict::Dict::new());
            self.dict_set_str(&d, "tb_lineno", Value::Int(loc.line as i64));
            self.dict_set_str(&d, "tb_lasti", Value::Int(e.ip as i64 * 2));
            self.dict_set_str(&d, "tb_next", next);
            self.dict_set_str(&d, "tb_frame", Value::None);
            let tb =
                crate::object::Object::with_dict(self.types.traceback.clone(), Payload::Plain, d);
            next = Value::Obj(self.track(tb));
        }
        next
    }

    /// `SetupWith`: calls `__enter__`, returns (`__exit__` bound, result).
    pub(crate) fn enter_context(&mut self, mgr: &Value) -> PyResult<(Value, Value)> {
        let cls = self.class_of(mgr).clone();
        let enter = lookup(&cls, &self.names.__enter__.clone());
        let exit = lookup(&cls, &self.names.__exit__.clone());
        let (Some(enter), Some(exit)) = (enter.clone(), exit) else {
            let missed = if enter.is_some() {
                " (missed __exit__ method)"
            } else {
                ""
            };
            return Err(self.new_type_error(format!(
                "'{}' object does not support the context manager protocol{missed}",
                self.type_name(mgr)
            )));
        };
        let exit_bound = self.bind(exit, mgr.clone());
        let r = self.call(&enter, std::slice::from_ref(mgr), &[])?;
        Ok((exit_bound, r))
    }

    /// `BeforeAsyncWith`: (`__aexit__` bound, awaitable of `__aenter__()`).
    pub(crate) fn enter_async_context(&mut self, mgr: &Value) -> PyResult<(Value, Value)> {
        let cls = self.class_of(mgr).clone();
        let enter = lookup(&cls, &self.names.__aenter__.clone());
        let exit = lookup(&cls, &self.names.__aexit__.clone());
        let (Some(enter), Some(exit)) = (enter.clone(), exit) else {
            let missed = if enter.is_some() {
                " (missed __aexit__ method)"
            } else {
                ""
            };
            return Err(self.new_type_error(format!(
                "'{}' object does not support the asynchronous context manager protocol{missed}",
                self.type_name(mgr)
            )));
        };
        let exit_bound = self.bind(exit, mgr.clone());
        let r = self.call(&enter, std::slice::from_ref(mgr), &[])?;
        Ok((exit_bound, r))
    }

    fn bind(&self, f: Value, selfv: Value) -> Value {
        match &f {
            Value::Obj(o) if matches!(o.payload, Payload::Function(_) | Payload::Native(_)) => {
                self.new_method(f, selfv)
            }
            _ => f,
        }
    }

    /// The exception's data (arguments, traceback, cause, context); `None` when `e` is not
    /// an exception. Internal: hosts read exceptions through [`Vm::exception_message`] and
    /// [`Vm::format_exception`].
    pub(crate) fn exc_data<'a>(&self, e: &'a Obj) -> Option<std::cell::Ref<'a, ExcData>> {
        match &e.payload {
            Payload::Exception(d) => Some(d.borrow()),
            _ => None,
        }
    }

    /// `str(exc)`, which may run a script `__str__` (and fail); see the example of
    /// [`Vm::format_exception`].
    pub fn exception_str(&mut self, e: &Obj) -> PyResult<String> {
        let args = self
            .exc_data(e)
            .map(|d| d.args.clone())
            .unwrap_or(Value::None);
        let items: Vec<Value> = match args.payload() {
            Some(Payload::Tuple(t)) => t.to_vec(),
            _ => Vec::new(),
        };
        let cls = e
            .class_raw()
            .cloned()
            .unwrap_or_else(|| self.types.type_.clone());
        if is_subtype(&cls, &self.exc.key_error.clone()) && items.len() == 1 {
            return Ok(self.repr(&items[0])?.as_str().to_string());
        }
        if is_subtype(&cls, &self.exc.os_error.clone()) && items.len() == 2 {
            let errno = self.to_str(&items[0])?;
            let msg = self.to_str(&items[1])?;
            let names = self.exc_data(e).and_then(|d| match d.extra.payload() {
                Some(Payload::Tuple(t)) if t.len() == 2 => Some((t[0].clone(), t[1].clone())),
                _ => None,
            });
            if let Some((f, f2)) = names.filter(|(f, _)| !f.is_none()) {
                let f = self.repr(&f)?;
                let mut out = format!(
                    "[Errno {}] {}: {}",
                    errno.as_str(),
                    msg.as_str(),
                    f.as_str()
                );
                if !f2.is_none() {
                    let f2 = self.repr(&f2)?;
                    out.push_str(" -> ");
                    out.push_str(f2.as_str());
                }
                return Ok(out);
            }
            return Ok(format!("[Errno {}] {}", errno.as_str(), msg.as_str()));
        }
        if is_subtype(&cls, &self.exc.syntax_error.clone()) && items.len() == 2 {
            if let Some(Payload::Tuple(t)) = items[1].payload() {
                // `msg (file, line N)`, the file by its base name.
                let msg = self.to_str(&items[0])?.as_str().to_string();
                let file = t.first().and_then(|f| f.as_str()).map(|f| {
                    let f = f.as_str();
                    f.rsplit('/').next().unwrap_or(f).to_string()
                });
                let line = match t.get(1) {
                    Some(Value::Int(n)) => Some(*n),
                    _ => None,
                };
                return Ok(match (file, line) {
                    (Some(f), Some(n)) => format!("{msg} ({f}, line {n})"),
                    (Some(f), None) => format!("{msg} ({f})"),
                    (None, Some(n)) => format!("{msg} (line {n})"),
                    (None, None) => msg,
                });
            }
        }
        match items.len() {
            0 => Ok(String::new()),
            1 => Ok(self.to_str(&items[0])?.as_str().to_string()),
            _ => Ok(self.repr(&args)?.as_str().to_string()),
        }
    }

    /// `str(exc)`, never failing (a failing `__str__` gives an empty message); see the
    /// example of [`Vm::format_exception`].
    pub fn exception_message(&mut self, e: &Obj) -> String {
        self.exception_str(e).unwrap_or_default()
    }

    /// The exit status for an uncaught `SystemExit` (printing its message when not an int).
    /// Internal: [`Vm::uncaught`] returns it as [`Error::Exit`](crate::Error::Exit).
    pub(crate) fn system_exit_code(&mut self, e: &Obj) -> i32 {
        let args = self
            .exc_data(e)
            .map(|d| d.args.clone())
            .unwrap_or(Value::None);
        let code = match args.payload() {
            Some(Payload::Tuple(t)) if t.len() == 1 => t[0].clone(),
            Some(Payload::Tuple(t)) if t.is_empty() => Value::None,
            _ => args.clone(),
        };
        match code {
            Value::None => 0,
            Value::Int(i) => i as i32,
            Value::Bool(b) => b.get() as i32,
            other => {
                self.flush_stdout();
                let s = self
                    .to_str(&other)
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default();
                eprintln!("{s}");
                1
            }
        }
    }

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
        let mut out = String::new();
        let mut seen = Vec::new();
        self.format_chain(e, &mut out, &mut seen);
        out
    }

    fn format_chain(&mut self, e: &Obj, out: &mut String, seen: &mut Vec<usize>) {
        seen.push(std::rc::Rc::as_ptr(e) as usize);
        let (cause, context, suppress) = match self.exc_data(e) {
            Some(d) => (d.cause.clone(), d.context.clone(), d.suppress_context),
            None => (Value::None, Value::None, false),
        };
        if let Value::Obj(c) = &cause {
            if !seen.contains(&(std::rc::Rc::as_ptr(c) as usize)) {
                self.format_chain(c, out, seen);
                out.push_str(
                    "\nThe above exception was the direct cause of the following exception:\n\n",
                );
            }
        } else if let (Value::Obj(c), false) = (&context, suppress) {
            if !seen.contains(&(std::rc::Rc::as_ptr(c) as usize)) {
                self.format_chain(c, out, seen);
                out.push_str(
                    "\nDuring handling of the above exception, another exception occurred:\n\n",
                );
            }
        }
        self.format_one(e, out);
    }

    fn format_one(&mut self, e: &Obj, out: &mut String) {
        let mut tb: Vec<crate::object::TracebackEntry> = self
            .exc_data(e)
            .map(|d| d.traceback.clone())
            .unwrap_or_default();
        if !self.hidden_sources.is_empty() {
            tb.retain(|entry| {
                let file = &entry.code.source.name;
                !self.hidden_sources.contains(file)
                    && !self
                        .hidden_sources
                        .contains(&format!("{file}::{}", entry.code.name.as_str()))
            });
        }
        if !tb.is_empty() {
            out.push_str("Traceback (most recent call last):\n");
            let mut last: Option<(String, u32, String)> = None;
            let mut repeat = 0;
            for entry in tb.iter().rev() {
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
                    if repeat >= 3 {
                        let n = repeat - 2;
                        let _ = writeln!(
                            out,
                            "  [Previous line repeated {} more time{}]",
                            n,
                            if n == 1 { "" } else { "s" }
                        );
                    }
                    repeat = 0;
                }
                let _ = writeln!(out, "  File \"{}\", line {}, in {}", key.0, key.1, key.2);
                // Code from `-c`, stdin, `exec`/`eval` strings (`<string>`, `<stdin>`...) has no
                // file for CPython's linecache: no source line is shown.
                if key.0.starts_with('<') && key.0.ends_with('>') {
                    last = Some(key);
                    continue;
                }
                let line = entry
                    .code
                    .source
                    .lines
                    .line_text(&entry.code.source.text, loc.line);
                // CPython's C printer strips the indentation only.
                let text = line.trim_start_matches([' ', '\t', '\x0c']);
                if !text.trim().is_empty() {
                    let _ = writeln!(out, "    {text}");
                    if let Some(carets) = crate::carets::error_location_line(line, loc) {
                        let _ = writeln!(out, "{carets}");
                    }
                }
                last = Some(key);
            }
            if repeat >= 3 {
                let n = repeat - 2;
                let _ = writeln!(
                    out,
                    "  [Previous line repeated {} more time{}]",
                    n,
                    if n == 1 { "" } else { "s" }
                );
            }
        }
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
        if let Some(msg) = self.format_syntax_error_location(e, &cls, out) {
            let _ = writeln!(out, "{name}: {msg}");
            return;
        }
        let msg = match self.to_str(&Value::Obj(e.clone())) {
            Ok(s) => s.as_str().to_string(),
            Err(_) => "<exception str() failed>".to_string(),
        };
        let msg = msg + &self.suggestion(e);
        if msg.is_empty() {
            let _ = writeln!(out, "{name}");
        } else {
            let _ = writeln!(out, "{name}: {msg}");
        }
    }

    /// For a `SyntaxError` with details (what `eval` and `import` raise): writes CPython's
    /// location lines (file and line, the source line, carets) and returns the message.
    fn format_syntax_error_location(
        &mut self,
        e: &Obj,
        cls: &Obj,
        out: &mut String,
    ) -> Option<String> {
        if !is_subtype(cls, &self.exc.syntax_error.clone()) {
            return None;
        }
        let args = self.exc_data(e).map(|d| d.args.clone())?;
        let Some(Payload::Tuple(items)) = args.payload() else {
            return None;
        };
        let (2, Some(Payload::Tuple(t))) = (items.len(), items[1].payload()) else {
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
        let _ = writeln!(
            out,
            "  File \"{}\", line {line}",
            file.as_deref().unwrap_or("<string>")
        );
        if let Some(text) = t.get(3).and_then(|v| v.as_str()) {
            let full = text.as_str().trim_end_matches(['\n', '\r']);
            let text = full.trim_start();
            if !text.is_empty() {
                let _ = writeln!(out, "    {text}");
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
                        out,
                        "    {}{}",
                        " ".repeat(start as usize),
                        "^".repeat((end - start) as usize)
                    );
                }
            }
        }
        Some(msg)
    }
}
