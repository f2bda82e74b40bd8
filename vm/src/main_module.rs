//! Running a module as `__main__`, as `python -m NAME` does: the parent packages are
//! imported first, a package runs its `__main__` submodule, and the module's `__package__`
//! is set so that its relative imports work.

use crate::compiler::Mode;
use crate::value::Value;
use crate::vm::{Error, Vm};
use std::path::PathBuf;

/// Where `-m NAME` found its module ([`Vm::find_main_module`]).
#[derive(Debug, PartialEq, Eq)]
pub enum MainModule {
    /// The source file to run, and the package it belongs to (`''` for a top-level module).
    Found {
        /// The `.aio` file.
        file: PathBuf,
        /// Its `__package__`.
        package: String,
    },
    /// Nothing to run; CPython's message (`No module named 'x'` without the quotes, or
    /// that a package has no `__main__`).
    NotFound(String),
}

impl Vm {
    /// Finds module `name` (dotted) as `import` would, importing its parent packages (which
    /// runs their `__init__`); a package stands for its `__main__` submodule. An exception
    /// raised while importing a parent is returned as the error.
    ///
    /// ```
    /// use aio_vm::main_module::MainModule;
    /// use aio_vm::Vm;
    ///
    /// let dir = std::env::temp_dir().join(format!("aio-doc-main-{}", std::process::id()));
    /// std::fs::create_dir_all(dir.join("tool"))?;
    /// std::fs::write(dir.join("tool/__init__.aio"), "")?;
    /// std::fs::write(dir.join("tool/__main__.aio"), "from . import util\nprint(util.X)\n")?;
    /// std::fs::write(dir.join("tool/util.aio"), "X = 7\n")?;
    /// let mut vm = Vm::new();
    /// vm.search_path.push(dir.clone());
    /// let found = vm.find_main_module("tool").unwrap();
    /// assert_eq!(
    ///     found,
    ///     MainModule::Found { file: dir.join("tool").join("__main__.aio"), package: "tool".into() }
    /// );
    /// assert_eq!(
    ///     vm.find_main_module("tool.nope").unwrap(),
    ///     MainModule::NotFound("No module named tool.nope".into())
    /// );
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn find_main_module(&mut self, name: &str) -> Result<MainModule, Error> {
        let (parent, last) = match name.rsplit_once('.') {
            Some((p, l)) => (Some(p), l),
            None => (None, name),
        };
        let dirs = match parent {
            Some(p) => {
                let module = self.guarded(|vm| vm.import_module(p))?;
                let Value::Obj(m) = module else {
                    return Ok(MainModule::NotFound(format!("No module named {name}")));
                };
                match self.module_path(&m) {
                    Some(dirs) => dirs,
                    None => {
                        return Ok(MainModule::NotFound(format!(
                            "Error while finding module specification for '{name}' \
                             (ModuleNotFoundError: __path__ attribute not found on '{p}' \
                             while trying to find '{name}')"
                        )))
                    }
                }
            }
            None => self.search_dirs(),
        };
        for dir in dirs {
            let file = dir.join(format!("{last}.aio"));
            if file.is_file() {
                let package = parent.unwrap_or("").to_string();
                return Ok(MainModule::Found { file, package });
            }
            if dir.join(last).join("__init__.aio").is_file() {
                let main = format!("{name}.__main__");
                return match self.find_main_module(&main)? {
                    MainModule::NotFound(_) => Ok(MainModule::NotFound(format!(
                        "No module named {main}; '{name}' is a package and cannot be directly \
                         executed"
                    ))),
                    found => Ok(found),
                };
            }
        }
        Ok(MainModule::NotFound(format!("No module named {name}")))
    }

    /// Runs `file` as the `__main__` module of `package` (what [`Vm::find_main_module`]
    /// found): `sys.argv[0]` becomes the file's absolute path, as in CPython.
    ///
    /// ```
    /// use aio_vm::main_module::MainModule;
    /// use aio_vm::Vm;
    ///
    /// let dir = std::env::temp_dir().join(format!("aio-doc-run-main-{}", std::process::id()));
    /// std::fs::create_dir_all(dir.join("app")).unwrap();
    /// std::fs::write(dir.join("app/__init__.aio"), "").unwrap();
    /// std::fs::write(dir.join("app/__main__.aio"), "import sys\nran = (__name__, __package__, sys.argv[0].endswith('__main__.aio'))\n").unwrap();
    /// let mut vm = Vm::new();
    /// vm.search_path.push(dir.clone());
    /// let MainModule::Found { file, package } = vm.find_main_module("app")? else {
    ///     panic!("app/__main__.aio")
    /// };
    /// vm.run_main_module(&file, &package)?;
    /// assert_eq!(
    ///     vm.get_global::<(String, String, bool)>("ran")?,
    ///     ("__main__".to_string(), "app".to_string(), true)
    /// );
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn run_main_module(
        &mut self,
        file: &std::path::Path,
        package: &str,
    ) -> Result<Value, Error> {
        let shown = std::path::absolute(file)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| file.display().to_string());
        let bytes = std::fs::read(file)
            .map_err(|e| Error::Syntax(format!("can't open file '{shown}': {e}\n")))?;
        let text = aio_parser::source::decode(&bytes, &shown)
            .map_err(|e| Error::Syntax(format!("{e}\n")))?
            .to_string();
        match self.argv.first_mut() {
            Some(a) => *a = shown.clone(),
            None => self.argv.push(shown.clone()),
        }
        let sys = self.intern("sys");
        if let Some(m) = self.dict_get_str(&self.modules.clone(), &sys) {
            // `sys` was imported by a parent package: its `argv` list is updated in place.
            let argv = self.intern("argv");
            if let Ok(list) = self.get_attr(&m, &argv) {
                let _ = self.setitem(&list, Value::Int(0), Value::str(shown.as_str()));
            }
        }
        let code = self.compile(&text, &shown, Mode::Exec)?;
        let module = self.new_module("__main__");
        let globals = self.module_globals(&module).expect("module globals");
        self.dict_set_str(&globals, "__file__", Value::str(shown.as_str()));
        self.dict_set_str(&globals, "__package__", Value::str(package));
        self.dict_set_str(&self.modules.clone(), "__main__", Value::Obj(module));
        let result = self.guarded(|vm| vm.run_code(code, globals));
        self.flush_stdout();
        result
    }
}
