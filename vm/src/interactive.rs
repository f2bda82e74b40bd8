//! What a REPL needs from the VM beyond running modules: top-level `await` (an input that
//! awaits compiles to a coroutine code object, which the host runs on its event loop, as
//! CPython's `PyCF_ALLOW_TOP_LEVEL_AWAIT` does for `python -m asyncio`) and interrupting a
//! running statement from another thread or a signal handler (Ctrl-C).

use crate::code::{flags, Code};
use crate::object::{GenKind, GenState, Generator, Object, Payload};
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::Ordering;

impl Vm {
    /// Whether `code` (compiled with [`crate::Mode::Interactive`]) awaits at top level and
    /// so must run as a coroutine ([`Vm::module_coroutine`]) rather than with
    /// [`Vm::run_code`]. Internal: for the REPL's top-level `await`.
    pub fn is_coroutine_code(code: &Code) -> bool {
        code.flags & flags::COROUTINE != 0
    }

    /// A coroutine object that runs the module-level `code` with `globals` as its namespace
    /// when awaited or driven by an event loop (`loop.run_until_complete(coro)`). Internal:
    /// for the REPL's top-level `await`.
    pub fn module_coroutine(&mut self, code: Rc<Code>, globals: Obj) -> Value {
        let name = Value::Str(code.name.clone());
        let frame = self.new_module_frame(code, globals);
        let gen = Generator {
            frame: Some(frame),
            state: GenState::Created,
            kind: GenKind::Coroutine,
            name: name.clone(),
            qualname: name,
            running_async: false,
            finalizer: None,
            hooks_inited: false,
        };
        Value::Obj(self.track(Object::new(
            self.types.coroutine.clone(),
            Payload::Generator(Box::new(RefCell::new(gen))),
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
    /// // From another thread, through the flag:
    /// vm.exec("def poll_ui():\n    pass\n")?;
    /// let flag = vm.interrupt.clone();
    /// let t = std::thread::spawn(move || {
    ///     std::thread::sleep(std::time::Duration::from_millis(20));
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

    /// Raises `KeyboardInterrupt` if an interrupt was requested (and clears the request).
    #[cold]
    pub(crate) fn take_interrupt(&mut self) -> PyResult<()> {
        if self.interrupt.swap(false, Ordering::Relaxed) {
            let cls = self.exc.keyboard_interrupt.clone();
            return Err(self.new_exception(&cls, Vec::new()));
        }
        Ok(())
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
        for dir in self.search_path.clone() {
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
