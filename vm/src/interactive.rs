//! What a REPL needs from the VM beyond running modules: top-level `await` (an input that
//! awaits compiles to a coroutine code object, which the host runs on its event loop, as
//! CPython's `PyCF_ALLOW_TOP_LEVEL_AWAIT` does for `python -m asyncio`) and interrupting a
//! running statement from another thread or a signal handler (Ctrl-C); names for
//! completion, found by dictionary lookups alone so that completing never runs user code.

use crate::code::{flags, Code};
use crate::dict::Dict;
use crate::object::{GenKind, Generator, Object, Payload};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::rc::Rc;
use std::sync::atomic::Ordering;

impl Vm {
    /// Whether `code` (compiled with [`crate::Mode::Interactive`]) awaits at top level and
    /// so must run as a coroutine ([`Vm::module_coroutine`]) rather than with
    /// [`Vm::run_code`]. For a REPL's top-level `await`; see the example of
    /// [`Vm::module_coroutine`].
    pub fn is_coroutine_code(code: &Code) -> bool {
        code.flags & flags::COROUTINE != 0
    }

    /// A coroutine object that runs the module-level `code` with `globals` as its namespace
    /// when awaited or driven by an event loop (`loop.run_until_complete(coro)`). For a
    /// REPL's top-level `await` (the aio REPL runs it on its `HostLoop`).
    ///
    /// ```
    /// use aio_vm::{Mode, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.exec("async def seven():\n    return 7\n")?;
    /// let code = vm.compile("x = await seven()\n", "<stdin>", Mode::Interactive)?;
    /// assert!(Vm::is_coroutine_code(&code));
    /// let globals = vm.main_globals();
    /// let coro = vm.module_coroutine(code, globals);
    /// // Driven by hand here; an event loop would run it as a task.
    /// vm.set_global("coro", coro);
    /// vm.exec("try:\n    coro.send(None)\nexcept StopIteration:\n    pass\n")?;
    /// assert_eq!(vm.get_global::<i64>("x")?, 7);
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn module_coroutine(&mut self, code: Rc<Code>, globals: Obj) -> Value {
        let frame = self.new_module_frame(code.clone(), globals);
        let gen = Generator::new(code.clone(), frame, GenKind::Coroutine);
        // A module's qualname is its name.
        if code.qualname != code.name {
            let name = Value::Str(code.name.clone());
            gen.change_extra(|e| e.names = Some((name.clone(), name)));
        }
        Value::Obj(self.track(Object::new(
            self.types.coroutine.clone(),
            Payload::Generator(gen),
        )))
    }

    /// Asks the running code to stop with `KeyboardInterrupt` at its next backward jump (a
    /// loop iteration). Async-signal-safe through the handle: store `true` into
    /// [`Vm::interrupt`] from a signal handler or another thread. Unlike
    /// [`InterruptHandle::interrupt`](crate::InterruptHandle::interrupt), scripts can catch it.
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    /// use std::sync::atomic::Ordering;
    ///
    /// let mut vm = Vm::new();
    /// // From the VM's thread, e.g. a native the script polls:
    /// vm.register_native("poll_ui", |vm, _args| {
    ///     vm.request_interrupt(); // the user pressed "stop"
    ///     Ok(Value::None)
    /// });
    /// let src = "n = 0\n\
    ///            try:\n\
    ///            \x20   while True:\n\
    ///            \x20       n += 1\n\
    ///            \x20       poll_ui()\n\
    ///            except KeyboardInterrupt:\n\
    ///            \x20   stopped = n\n";
    /// vm.exec(src)?;
    /// assert_eq!(vm.get_global::<i64>("stopped")?, 1);
    ///
    /// // From another thread, through the flag, once the loop has polled twice:
    /// let polls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    /// let counter = polls.clone();
    /// vm.register_native("poll_ui", move |_vm, _args| {
    ///     counter.fetch_add(1, Ordering::Relaxed);
    ///     Ok(Value::None)
    /// });
    /// let flag = vm.interrupt.clone();
    /// let t = std::thread::spawn(move || {
    ///     while polls.load(Ordering::Relaxed) < 2 {
    ///         std::thread::yield_now();
    ///     }
    ///     flag.store(true, Ordering::Relaxed);
    /// });
    /// vm.exec(src)?;
    /// t.join().unwrap();
    /// assert!(vm.get_global::<i64>("stopped")? > 1);
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn request_interrupt(&self) {
        self.interrupt.store(true, Ordering::Relaxed);
    }

    /// Installs `hook`, called when an interrupt request is taken (at the running code's
    /// next step or wait): it runs whatever signal handlers are due and returns `Ok(true)`
    /// when the request was theirs, `Ok(false)` to raise `KeyboardInterrupt` as without a
    /// hook; an error it returns is raised where the code was interrupted. The `signal`
    /// module installs one that runs the handlers of `signal.signal`.
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    /// let mut vm = aio_vm::Vm::new();
    /// let handled = Rc::new(Cell::new(false));
    /// let seen = handled.clone();
    /// vm.set_signal_hook(Rc::new(move |_vm: &mut aio_vm::Vm| {
    ///     seen.set(true);
    ///     Ok(true)
    /// }));
    /// vm.request_interrupt();
    /// vm.exec("for i in range(3): pass")?; // no KeyboardInterrupt: the hook handled it
    /// assert!(handled.get());
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn set_signal_hook(&mut self, hook: std::rc::Rc<crate::vm::SignalHook>) {
        self.signal_hook = Some(hook);
    }

    /// Raises `KeyboardInterrupt` if an interrupt was requested (and clears the request),
    /// unless the signal hook handled it.
    #[cold]
    pub(crate) fn take_interrupt(&mut self) -> PyResult<()> {
        if self.interrupt.swap(false, Ordering::Relaxed) {
            if let Some(hook) = self.signal_hook.clone() {
                if hook(self)? {
                    return Ok(());
                }
            }
            let cls = self.exc.keyboard_interrupt.clone();
            return Err(self.new_exception(&cls, Vec::new()));
        }
        Ok(())
    }

    /// The string keys of a dict object (a module's globals, [`Vm::builtins`]); empty for
    /// anything else. Runs no code.
    ///
    /// ```
    /// let mut vm = aio_vm::Vm::new();
    /// vm.exec("alpha = 1\nbeta = 2\n")?;
    /// let g = vm.main_globals();
    /// let names = vm.dict_names(&g);
    /// assert!(names.contains(&"alpha".to_string()) && names.contains(&"beta".to_string()));
    /// assert!(vm.dict_names(&vm.builtins).contains(&"print".to_string()));
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn dict_names(&self, dict: &Obj) -> Vec<String> {
        match &dict.payload {
            Payload::Dict(d) => str_keys(&d.borrow()),
            _ => Vec::new(),
        }
    }

    /// The value of a dotted name (`a`, `a.b.c`) in `globals` (then the built-ins), found
    /// by dictionary lookups alone: module globals, instance `__dict__`s and class
    /// namespaces along the MRO. No property, `__getattr__` or other code runs, so a REPL
    /// can complete without side effects.
    ///
    /// ```
    /// use aio_vm::Value;
    ///
    /// let mut vm = aio_vm::Vm::new();
    /// vm.exec(
    ///     "class P:\n\
    ///      \x20   limit = 3\n\
    ///      \x20   @property\n\
    ///      \x20   def noisy(self):\n\
    ///      \x20       raise RuntimeError('ran')\n\
    ///      p = P()\n\
    ///      p.size = 10\n",
    /// )?;
    /// let g = vm.main_globals();
    /// assert!(matches!(vm.lookup_quietly(&g, "p.size"), Some(Value::Int(10))));
    /// assert!(matches!(vm.lookup_quietly(&g, "p.limit"), Some(Value::Int(3))));
    /// // The property object itself, not its value: nothing ran.
    /// assert!(matches!(vm.lookup_quietly(&g, "p.noisy"), Some(Value::Obj(_))));
    /// assert!(vm.lookup_quietly(&g, "p.missing").is_none());
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn lookup_quietly(&self, globals: &Obj, dotted: &str) -> Option<Value> {
        let mut parts = dotted.split('.');
        let first = crate::str::Str::new(parts.next()?.to_string());
        let mut value =
            dict_value(globals, &first).or_else(|| dict_value(&self.builtins, &first))?;
        for part in parts {
            let key = crate::str::Str::new(part.to_string());
            value = self.attribute_dicts(&value, |d| d.get_str(&key).cloned())?;
        }
        Some(value)
    }

    /// The attribute names of `value` that [`Vm::lookup_quietly`] finds (its `__dict__`, its
    /// class's namespaces along the MRO; a module's globals), sorted, without duplicates.
    ///
    /// ```
    /// let mut vm = aio_vm::Vm::new();
    /// vm.exec("class A:\n    def run(self): pass\nclass B(A):\n    speed = 1\nb = B()\nb.name = 'x'\n")?;
    /// let g = vm.main_globals();
    /// let b = vm.lookup_quietly(&g, "b").unwrap();
    /// let names = vm.attribute_names_quietly(&b);
    /// for n in ["name", "speed", "run", "__init__"] {
    ///     assert!(names.contains(&n.to_string()), "{n}");
    /// }
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn attribute_names_quietly(&self, value: &Value) -> Vec<String> {
        let mut names = Vec::new();
        self.attribute_dicts::<()>(value, |d| {
            names.extend(str_keys(d));
            None
        });
        names.sort();
        names.dedup();
        names
    }

    /// Visits the dicts an attribute of `value` is looked up in, in order, until `f`
    /// returns `Some`.
    fn attribute_dicts<R>(
        &self,
        value: &Value,
        mut f: impl FnMut(&Dict) -> Option<R>,
    ) -> Option<R> {
        let in_mro = |cls: &Obj, f: &mut dyn FnMut(&Dict) -> Option<R>| {
            if let Payload::Type(t) = &cls.payload {
                for c in t.mro.borrow().iter() {
                    if let Payload::Type(ct) = &c.payload {
                        if let Some(r) = f(&ct.ns.borrow()) {
                            return Some(r);
                        }
                    }
                }
            }
            None
        };
        if let Value::Obj(o) = value {
            if let Some(g) = self.module_globals(o) {
                return match &g.payload {
                    Payload::Dict(d) => f(&d.borrow()),
                    _ => None,
                };
            }
            if let Some(Payload::Dict(d)) = o.dict.get().map(|d| &d.payload) {
                if let Some(r) = f(&d.borrow()) {
                    return Some(r);
                }
            }
            if let Some(r) = in_mro(o, &mut f) {
                return Some(r);
            }
        }
        in_mro(self.class_of(value), &mut f)
    }

    /// The names `import` could find: native modules, loaded modules, and the `.aio` files
    /// and packages in the search path (for the REPL's completion). See the example of
    /// [`Vm::unregister_module`].
    pub fn module_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.native_modules.keys().cloned().collect();
        if let crate::object::Payload::Dict(d) = &self.modules.payload {
            names.extend(d.borrow().iter().filter_map(|e| match &e.key {
                Value::Str(s) => Some(s.as_str().to_string()),
                _ => None,
            }));
        }
        for dir in self.search_dirs() {
            // `''` is the working folder.
            let dir = if dir.as_os_str().is_empty() {
                std::path::PathBuf::from(".")
            } else {
                dir
            };
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                    continue;
                };
                if path.extension().is_some_and(|e| e == "aio")
                    || path.join("__init__.aio").is_file()
                {
                    names.push(stem.to_string());
                }
            }
        }
        names.sort();
        names.dedup();
        names
    }
}

/// The string keys of `d`.
fn str_keys(d: &Dict) -> Vec<String> {
    d.iter()
        .filter_map(|e| match &e.key {
            Value::Str(s) => Some(s.as_str().to_string()),
            _ => None,
        })
        .collect()
}

/// `dict[key]` for a dict object.
fn dict_value(dict: &Obj, key: &crate::str::Str) -> Option<Value> {
    match &dict.payload {
        Payload::Dict(d) => d.borrow().get_str(key).cloned(),
        _ => None,
    }
}
