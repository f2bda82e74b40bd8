//! Exceptions at run time: `raise` (instantiating classes, `from` causes, implicit
//! `__context__` without cycles), `except` matching, context managers, and the uncaught
//! exception report in CPython's traceback format.

use crate::builtins::exc_members::{self, Family};
use crate::object::{ExcData, Payload};
use crate::types::{is_subtype, lookup};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};

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
                    // As CPython, every item is checked before any is matched, so
                    // `except (ValueError, 5):` fails even when a ValueError is raised.
                    let base = self.exc.base_exception.clone();
                    let valid = |i: &Value| match i {
                        Value::Obj(c) => {
                            matches!(c.payload, Payload::Type(_)) && is_subtype(c, &base)
                        }
                        _ => false,
                    };
                    if !items.iter().all(valid) {
                        return Err(self.new_type_error(
                            "catching classes that do not inherit from BaseException is not allowed",
                        ));
                    }
                    Ok(items.iter().any(|i| match i {
                        Value::Obj(c) => is_subtype(&ec, c),
                        _ => false,
                    }))
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
            let line = e.code.line(e.ip as usize);
            let d = self.new_dict(crate::dict::Dict::new());
            self.dict_set_str(&d, "tb_lineno", Value::Int(line as i64));
            // An entry at the `def` line (index past the end) ran nothing: offset 0.
            let lasti = if e.ip == u32::MAX { 0 } else { e.ip as i64 * 2 };
            self.dict_set_str(&d, "tb_lasti", Value::Int(lasti));
            self.dict_set_str(&d, "tb_next", next);
            // A stand-in for the frame: its code and line (what `traceback` reads back).
            let fd = self.new_dict(crate::dict::Dict::new());
            let code = crate::builtins::code_object(&self.types, e.code.clone());
            self.dict_set_str(&fd, "f_code", Value::Obj(code));
            self.dict_set_str(&fd, "f_lineno", Value::Int(line as i64));
            let frame =
                crate::object::Object::with_dict(self.types.frame.clone(), Payload::Plain, fd);
            let frame = Value::Obj(self.track(frame));
            self.dict_set_str(&d, "tb_frame", frame);
            let tb =
                crate::object::Object::with_dict(self.types.traceback.clone(), Payload::Plain, d);
            next = Value::Obj(self.track(tb));
        }
        next
    }

    /// `BeforeWith`: `__exit__` bound, then the callee and `self` (or the null marker) of
    /// the `CallMethod(0)` that calls `__enter__`.
    pub(crate) fn before_with(&mut self, mgr: &Value) -> PyResult<(Value, Value, Value)> {
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
        let exit_bound = self.bind(exit, mgr.clone(), &cls)?;
        // As `call_slot`: a function or native method gets `mgr` as its first argument;
        // anything else is bound first and called without it.
        if !crate::call::takes_instance(&enter) {
            let bound = self.bind_descriptor(enter.clone(), mgr.clone(), &cls)?;
            return Ok((exit_bound, bound, self.null()));
        }
        Ok((exit_bound, enter, mgr.clone()))
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
        let exit_bound = self.bind(exit, mgr.clone(), &cls)?;
        let r = self.call_slot(&enter, std::slice::from_ref(mgr))?;
        Ok((exit_bound, r))
    }

    /// `__exit__`/`__aexit__` bound to the manager `selfv` of class `cls`: functions and
    /// native methods as methods, anything else as an attribute read binds it (a
    /// descriptor's `__get__`; a plain callable, such as a mock or a built-in function, as
    /// it is).
    fn bind(&mut self, f: Value, selfv: Value, cls: &Obj) -> PyResult {
        if crate::call::takes_instance(&f) {
            return Ok(self.new_method(f, selfv));
        }
        self.bind_descriptor(f, selfv, cls)
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

    /// Member `i` of exception `e` of family `fam` (the null marker for `NULL`).
    fn exc_member(&self, e: &Obj, fam: Family, i: usize) -> Value {
        match self.exc_data(e) {
            Some(d) => exc_members::member(self, fam, &d, i),
            None => self.null_marker.clone(),
        }
    }

    /// `str()` of a `NULL`-able member as CPython's `%S` shows it (`<NULL>`).
    fn member_str(&mut self, v: &Value) -> PyResult<String> {
        if v.is(&self.null_marker) {
            return Ok("<NULL>".to_string());
        }
        Ok(self.to_str(v)?.as_str().to_string())
    }

    /// `str()` of a codec error (`fam` one of the three), as CPython's
    /// `UnicodeEncodeError_str` and its siblings: "'utf-8' codec can't decode byte 0xff in
    /// position 0: invalid start byte", from the members as they are now.
    fn unicode_error_str(&mut self, e: &Obj, fam: Family) -> PyResult<String> {
        let m: Vec<Value> = (0..5).map(|i| self.exc_member(e, fam, i)).collect();
        let object = &m[1];
        if object.is(&self.null_marker) {
            return Ok(String::new());
        }
        let reason = self.member_str(&m[4])?;
        let (Value::Int(start), Value::Int(end)) = (&m[2], &m[3]) else {
            return Ok(String::new());
        };
        let (start, end) = (*start, *end);
        let single = end == start.wrapping_add(1);
        let at = usize::try_from(start).ok();
        if fam == Family::Decode {
            let encoding = self.member_str(&m[0])?;
            let byte = match object.payload() {
                Some(Payload::Bytes(b)) => at.and_then(|i| b.get(i).copied()),
                _ => None,
            };
            return Ok(match byte {
                Some(b) if single => format!(
                    "'{encoding}' codec can't decode byte 0x{b:02x} in position {start}: {reason}"
                ),
                _ => format!(
                    "'{encoding}' codec can't decode bytes in position {start}-{}: {reason}",
                    end.wrapping_sub(1)
                ),
            });
        }
        let c = object
            .as_str()
            .and_then(|s| at.and_then(|i| s.as_str().chars().nth(i)));
        let what = match c {
            Some(c) if single => format!(
                "character '{}' in position {start}: {reason}",
                crate::builtins::codecs::char_escape(c)
            ),
            _ => format!(
                "characters in position {start}-{}: {reason}",
                end.wrapping_sub(1)
            ),
        };
        if fam == Family::Translate {
            return Ok(format!("can't translate {what}"));
        }
        let encoding = self.member_str(&m[0])?;
        Ok(format!("'{encoding}' codec can't encode {what}"))
    }

    /// `str()` of an `OSError`, as CPython's `OSError_str`: `[Errno 2] No such file or
    /// directory: 'f'` (with ` -> 'g'` for `filename2`) while `filename` is set, `[Errno
    /// 2] ...` while `errno` and `strerror` are; `None` otherwise (as `BaseException`).
    fn os_error_str(&mut self, e: &Obj) -> PyResult<Option<String>> {
        use exc_members::{OS_ERRNO, OS_FILENAME, OS_FILENAME2, OS_STRERROR};
        let m = |vm: &Vm, i| vm.exc_member(e, Family::Os, i);
        let (errno, strerror) = (m(self, OS_ERRNO), m(self, OS_STRERROR));
        let (f, f2) = (m(self, OS_FILENAME), m(self, OS_FILENAME2));
        let null = self.null_marker.clone();
        let or_none = |v: Value| if v.is(&null) { Value::None } else { v };
        if !f.is(&null) {
            let errno = self.to_str(&or_none(errno))?;
            let strerror = self.to_str(&or_none(strerror))?;
            let f = self.repr(&f)?;
            let mut out = format!(
                "[Errno {}] {}: {}",
                errno.as_str(),
                strerror.as_str(),
                f.as_str()
            );
            if !f2.is(&null) {
                let f2 = self.repr(&f2)?;
                out.push_str(" -> ");
                out.push_str(f2.as_str());
            }
            return Ok(Some(out));
        }
        if errno.is(&null) || strerror.is(&null) {
            return Ok(None);
        }
        let errno = self.to_str(&errno)?;
        let strerror = self.to_str(&strerror)?;
        Ok(Some(format!(
            "[Errno {}] {}",
            errno.as_str(),
            strerror.as_str()
        )))
    }

    /// `str()` of a `SyntaxError`, as CPython's `SyntaxError_str`: `msg (file, line N)`
    /// from the members, the file by its base name; `str(SyntaxError())` is `'None'`.
    fn syntax_error_str(&mut self, e: &Obj) -> PyResult<String> {
        let msg = self.exc_member(e, Family::Syntax, 0);
        let msg = if msg.is(&self.null_marker) {
            Value::None
        } else {
            msg
        };
        let msg = self.to_str(&msg)?.as_str().to_string();
        let file = self.exc_member(e, Family::Syntax, 1);
        let file = file.as_str().map(|f| {
            let f = f.as_str();
            f.rsplit('/').next().unwrap_or(f).to_string()
        });
        let line = match self.exc_member(e, Family::Syntax, 2) {
            Value::Int(n) => Some(n),
            _ => None,
        };
        Ok(match (file, line) {
            (Some(f), Some(n)) => format!("{msg} ({f}, line {n})"),
            (Some(f), None) => format!("{msg} ({f})"),
            (None, Some(n)) => format!("{msg} (line {n})"),
            (None, None) => msg,
        })
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
        match exc_members::family_of(self, &cls) {
            Some(Family::Import) => {
                // `msg` when it is a str is what CPython's ImportError_str shows.
                let msg = self
                    .exc_data(e)
                    .map(|d| crate::builtins::exceptions::import_error_msg(self, &d));
                if let Some(Value::Str(m)) = msg {
                    return Ok(m.as_str().to_string());
                }
            }
            Some(f @ (Family::Encode | Family::Decode | Family::Translate)) => {
                return self.unicode_error_str(e, f);
            }
            Some(Family::Os) => {
                if let Some(s) = self.os_error_str(e)? {
                    return Ok(s);
                }
            }
            Some(Family::Syntax) => return self.syntax_error_str(e),
            _ => {}
        }
        if is_subtype(&cls, &self.exc.key_error.clone()) && items.len() == 1 {
            return Ok(self.repr(&items[0])?.as_str().to_string());
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
        let code = self.exc_member(e, Family::Exit, 0);
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
}
