//! `import`: modules are found in `sys.modules`, then among the registered native modules,
//! then as `NAME.aio` (or a package `NAME/__init__.aio`) in the script's folder and the
//! folders of [`Vm::search_path`]; each runs once and is cached in `sys.modules`.

use crate::compiler::Mode;
use crate::object::Payload;
use crate::str::Str;
use crate::value::Bool;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::path::PathBuf;
use std::rc::Rc;

impl Vm {
    /// Imports the module `name` (dotted names import the parents first) and returns it, as
    /// `importlib.import_module(name)` does: native modules, then `.aio` files along
    /// [`Vm::search_path`]; cached in `sys.modules`.
    ///
    /// ```
    /// use aio_vm::{module::getattr, Vm};
    ///
    /// let dir = std::env::temp_dir().join(format!("aio-import-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// std::fs::write(
    ///     dir.join("shapes.aio"),
    ///     "def area(w, h):\n    return w * h\n",
    /// )
    /// .unwrap();
    ///
    /// let mut vm = Vm::new();
    /// vm.search_path.push(dir.clone());
    /// let area = vm.guarded(|vm| {
    ///     let shapes = vm.import_module("shapes")?;
    ///     getattr(vm, &shapes, "area")
    /// })?;
    /// assert_eq!(vm.call_value::<i64>(&area, (3, 4))?, 12);
    /// // Scripts importing it get the same module object.
    /// vm.set_global("area", area);
    /// vm.exec("import shapes\nsame = shapes.area is area")?;
    /// assert!(vm.get_global::<bool>("same")?);
    /// let err = vm
    ///     .guarded(|vm| vm.import_module("nope").map(drop))
    ///     .unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "ModuleNotFoundError: No module named 'nope'"
    /// );
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn import_module(&mut self, name: &str) -> PyResult {
        self.import_name(
            &Str::new(name.to_string()),
            &Value::Bool(Bool::TRUE),
            &Value::Int(0),
        )
    }

    /// `ImportName`: imports `name` (and its parents); returns the top-level package, or the
    /// module itself when there is a `from` list.
    pub(crate) fn import_name(&mut self, name: &Str, fromlist: &Value, level: &Value) -> PyResult {
        let level = match level {
            Value::Int(i) => *i,
            _ => 0,
        };
        let mut full = name.as_str().to_string();
        if level > 0 {
            let package = self.current_package();
            let mut parts: Vec<&str> = package.split('.').filter(|s| !s.is_empty()).collect();
            for _ in 1..level {
                parts.pop();
            }
            if parts.is_empty() && package.is_empty() {
                return Err(self.new_exception_msg(
                    &self.exc.import_error.clone(),
                    "attempted relative import with no known parent package",
                ));
            }
            let base = parts.join(".");
            full = if full.is_empty() {
                base
            } else if base.is_empty() {
                full
            } else {
                format!("{base}.{full}")
            };
        }
        // `module` is the top-level module (what plain `import a.b` binds); `parent` the
        // package the next part is looked up in.
        let mut module: Option<Obj> = None;
        let mut parent: Option<Obj> = None;
        let mut prefix = String::new();
        for part in full.split('.') {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(part);
            let m = self.import_one(&prefix, parent.as_ref())?;
            if let Some(p) = &parent {
                let attr = self.intern(part);
                let _ = self.set_attr(&Value::Obj(p.clone()), &attr, Value::Obj(m.clone()));
            }
            module.get_or_insert_with(|| m.clone());
            parent = Some(m);
        }
        let has_from = match fromlist.payload() {
            Some(Payload::Tuple(t)) => !t.is_empty(),
            _ => !fromlist.is_none(),
        };
        if has_from {
            let key = self.intern(&full);
            return Ok(self
                .dict_get_str(&self.modules.clone(), &key)
                .unwrap_or(Value::None));
        }
        Ok(module.map(Value::Obj).unwrap_or(Value::None))
    }

    fn current_package(&mut self) -> String {
        let Some(f) = self.frames.last() else {
            return String::new();
        };
        let g = f.globals.clone();
        let pkg = self.intern("__package__");
        if let Some(Value::Str(p)) = self.dict_get_str(&g, &pkg) {
            return p.as_str().to_string();
        }
        let name = self.names.__name__.clone();
        match self.dict_get_str(&g, &name) {
            Some(Value::Str(n)) => n
                .as_str()
                .rsplit_once('.')
                .map(|(a, _)| a.to_string())
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    fn import_one(&mut self, full: &str, parent: Option<&Obj>) -> PyResult<Obj> {
        let key = self.intern(full);
        if let Some(Value::Obj(m)) = self.dict_get_str(&self.modules.clone(), &key) {
            return Ok(m);
        }
        if let Some(init) = self.native_modules.get(full).cloned() {
            let m = self.new_module(full);
            // A registered module with registered submodules is a package.
            let prefix = format!("{full}.");
            let package = if self.native_modules.keys().any(|k| k.starts_with(&prefix)) {
                full
            } else {
                full.rsplit_once('.').map_or("", |(parent, _)| parent)
            };
            let g = self.module_globals(&m).expect("globals");
            self.dict_set_str(&g, "__package__", Value::str(package));
            self.dict_set_str(&self.modules.clone(), full, Value::Obj(m.clone()));
            if let Err(e) = init(self, &m) {
                let modules = self.modules.clone();
                if let Payload::Dict(d) = &modules.payload {
                    d.borrow_mut().remove_str(&key);
                }
                return Err(e);
            }
            // As CPython's loader: the module is what `sys.modules` holds once it ran (an
            // initialiser may put another module there: `posixpath` is `os.path`).
            if let Some(Value::Obj(o)) = self.dict_get_str(&self.modules.clone(), &key) {
                return Ok(o);
            }
            return Ok(m);
        }
        let dirs: Vec<PathBuf> = match parent {
            Some(p) => match self.module_path(p) {
                Some(dirs) => dirs,
                None => {
                    let (pname, _) = full.rsplit_once('.').unwrap_or((full, ""));
                    // A registered package (one with registered submodules) just lacks
                    // this one (`unittest.mock`).
                    let prefix = format!("{pname}.");
                    if self.native_modules.keys().any(|k| k.starts_with(&prefix)) {
                        let msg = format!("No module named '{full}'");
                        return Err(self.import_error(true, msg, full));
                    }
                    let msg = format!("No module named '{full}'; '{pname}' is not a package");
                    return Err(self.import_error(true, msg, full));
                }
            },
            None => self.search_dirs(),
        };
        let last = full.rsplit('.').next().unwrap_or(full);
        match locate_source(&dirs, last) {
            Some((file, package_dir)) => self.load_source_module(full, &file, package_dir),
            None => Err(self.import_error(true, format!("No module named '{full}'"), full)),
        }
    }

    /// An `ImportError` (or `ModuleNotFoundError`) whose `name` is the module's.
    pub(crate) fn import_error(&self, not_found: bool, msg: String, name: &str) -> Obj {
        let cls = if not_found {
            &self.exc.module_not_found_error
        } else {
            &self.exc.import_error
        };
        let e = self.new_exception_msg(cls, msg);
        if let Payload::Exception(d) = &e.payload {
            d.borrow_mut().extra = Value::str(name);
        }
        e
    }

    /// The folders a top-level import searches, in order: the `str` entries of `sys.path`
    /// once `sys` is loaded (so a script's `sys.path.insert(0, dir)` or `remove` takes
    /// effect, as in CPython; `''` is the working folder), then the folders of
    /// [`Vm::search_path`] that `sys.path` does not list (a host's later additions).
    pub(crate) fn search_dirs(&self) -> Vec<PathBuf> {
        let sys_path = match self.dict_get_str(&self.modules, &Str::new("sys".into())) {
            Some(Value::Obj(m)) => self
                .module_globals(&m)
                .and_then(|g| self.dict_get_str(&g, &Str::new("path".into()))),
            _ => None,
        };
        let Some(Value::Obj(list)) = sys_path else {
            return self.search_path.clone();
        };
        let Payload::List(items) = &list.payload else {
            return self.search_path.clone();
        };
        let mut dirs: Vec<PathBuf> = items
            .borrow()
            .iter()
            .filter_map(|v| v.as_str().map(|s| PathBuf::from(s.as_str())))
            .collect();
        for dir in &self.search_path {
            if !dirs.contains(dir) {
                dirs.push(dir.clone());
            }
        }
        dirs
    }

    /// A package's `__path__` folders (the `str` entries of the list, or one `str`);
    /// `None` for a module that is not a package.
    pub(crate) fn module_path(&mut self, m: &Obj) -> Option<Vec<PathBuf>> {
        let g = self.module_globals(m)?;
        let key = self.names.__path__.clone();
        match self.dict_get_str(&g, &key)? {
            Value::Str(s) => Some(vec![PathBuf::from(s.as_str())]),
            Value::Obj(o) => match &o.payload {
                Payload::List(items) => Some(
                    items
                        .borrow()
                        .iter()
                        .filter_map(|v| v.as_str().map(|s| PathBuf::from(s.as_str())))
                        .collect(),
                ),
                _ => None,
            },
            _ => None,
        }
    }

    /// Where `import name` would find its module, without running it: `Builtin` for a
    /// registered native module, otherwise the `.aio` file (and package folder) along the
    /// parent package's `__path__` (for a dotted name, whose parent must be imported
    /// already) or the top-level search folders. `None` when there is none. Backs
    /// `importlib.util.find_spec`.
    pub fn find_module_location(&mut self, name: &str) -> Option<ModuleLocation> {
        if self.native_modules.contains_key(name) {
            return Some(ModuleLocation::Builtin);
        }
        let dirs = match name.rsplit_once('.') {
            Some((parent, _)) => {
                let key = self.intern(parent);
                match self.dict_get_str(&self.modules.clone(), &key) {
                    Some(Value::Obj(p)) => self.module_path(&p)?,
                    _ => return None,
                }
            }
            None => self.search_dirs(),
        };
        let last = name.rsplit('.').next().unwrap_or(name);
        let (file, package_dir) = locate_source(&dirs, last)?;
        Some(ModuleLocation::Source {
            file: absolute(&file),
            package_dir: package_dir.map(|d| absolute(&d)),
        })
    }

    fn load_source_module(
        &mut self,
        full: &str,
        file: &std::path::Path,
        package_dir: Option<PathBuf>,
    ) -> PyResult<Obj> {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                return Err(self.new_exception_msg(&self.exc.import_error.clone(), e.to_string()))
            }
        };
        let shown = absolute(file).display().to_string();
        let code = self.compile_exception(&text, &shown)?;
        let m = self.new_module(full);
        let g = self.module_globals(&m).expect("globals");
        self.dict_set_str(&g, "__file__", Value::str(shown));
        match &package_dir {
            Some(dir) => {
                // A list of absolute folders, as CPython's `__path__`.
                let dir = Value::str(absolute(dir).display().to_string());
                let path = self.new_list(vec![dir]);
                self.dict_set_str(&g, "__path__", path);
                self.dict_set_str(&g, "__package__", Value::str(full));
            }
            None => {
                let pkg = full
                    .rsplit_once('.')
                    .map(|(a, _)| a.to_string())
                    .unwrap_or_default();
                self.dict_set_str(&g, "__package__", Value::str(pkg));
            }
        }
        self.dict_set_str(&self.modules.clone(), full, Value::Obj(m.clone()));
        if let Err(e) = self.run_code(code, g) {
            let key = self.intern(full);
            if let Payload::Dict(d) = &self.modules.payload {
                d.borrow_mut().remove_str(&key);
            }
            return Err(e);
        }
        // What the module left in `sys.modules` (a module may replace itself there).
        let key = self.intern(full);
        match self.dict_get_str(&self.modules.clone(), &key) {
            Some(Value::Obj(o)) => Ok(o),
            _ => Ok(m),
        }
    }

    /// Compiles `source` (named `filename` in tracebacks) and runs it in `globals`: how
    /// modules written in aio (a native module's prelude) are loaded. A syntax error is
    /// raised as a `SyntaxError` exception. See the example of [`Vm::new_module`].
    pub fn exec_source_in(&mut self, source: &str, filename: &str, globals: &Obj) -> PyResult {
        let code = match self.frozen_code(source, filename) {
            Some(code) => code,
            None => self.compile_exception(source, filename)?,
        };
        self.run_code(code, globals.clone())
    }

    /// Compiles module source, a compile error becoming a `SyntaxError` exception (what
    /// `import` raises) rather than a rendered report.
    fn compile_exception(
        &mut self,
        source: &str,
        filename: &str,
    ) -> PyResult<Rc<crate::code::Code>> {
        self.compile_source(source, filename, Mode::Exec)
            .map_err(|e| self.syntax_error_exception(&e, filename, source))
    }

    /// A `SyntaxError` exception object for a compile error in `text` (an imported module,
    /// or the source of `compile`, `exec` or `eval`).
    pub(crate) fn syntax_error_exception(
        &self,
        e: &aio_lexer::SyntaxError,
        file: &str,
        text: &str,
    ) -> crate::value::Obj {
        let cls = match e.kind {
            aio_lexer::SyntaxErrorKind::Indentation => self.exc.indentation_error.clone(),
            aio_lexer::SyntaxErrorKind::Tab => self.exc.tab_error.clone(),
            aio_lexer::SyntaxErrorKind::Recursion => self.exc.recursion_error.clone(),
            aio_lexer::SyntaxErrorKind::Syntax => self.exc.syntax_error.clone(),
        };
        let idx = aio_lexer::LineIndex::new(text);
        let pos = idx.position(text, e.span.start);
        let end = idx.position(text, e.span.end.max(e.span.start));
        // The line as the source has it, with its newline (CPython's `text`).
        let line = idx.line_text(text, pos.line);
        let after = (line.as_ptr() as usize)
            .checked_sub(text.as_ptr() as usize)
            .map(|o| o + line.len());
        let newline = if after
            .and_then(|a| text.get(a..))
            .is_some_and(|rest| rest.starts_with(['\n', '\r']))
        {
            "\n"
        } else {
            ""
        };
        let detail = self.new_tuple(vec![
            Value::str(file),
            Value::Int(pos.line as i64),
            Value::Int(pos.column as i64 + 1),
            Value::str(format!("{line}{newline}")),
            Value::Int(end.line as i64),
            Value::Int(end.column as i64 + 1),
        ]);
        self.new_exception(&cls, vec![Value::str(e.message.clone()), detail])
    }

    /// `ImportFrom`: `from m import name`.
    pub(crate) fn import_from(&mut self, m: &Value, name: &Rc<Str>) -> PyResult {
        // An `AttributeError` (from a module's `__getattr__`) means absent, as in CPython.
        match self.get_attr_opt(m, name) {
            Ok(Some(v)) => return Ok(v),
            Ok(None) => {}
            Err(e) if self.is_instance_of(&e, &self.exc.attribute_error.clone()) => {}
            Err(e) => return Err(e),
        }
        // A submodule not yet imported.
        if let Some(Payload::Module(md)) = m.payload() {
            let full = format!("{}.{}", md.name.as_str(), name.as_str());
            // A package on disk, or a registered package's submodule (`from . import
            // case` in `unittest`). As CPython's `_handle_fromlist`, only the submodule's
            // own absence means "cannot import name"; any other error is the import's.
            let is_package = self.module_path(m.as_obj().expect("module")).is_some()
                || self.native_modules.contains_key(&full);
            if is_package {
                match self.import_one(&full, m.as_obj()) {
                    Ok(sub) => return Ok(Value::Obj(sub)),
                    Err(e) if self.is_missing_module(&e, &full) => {}
                    Err(e) => return Err(e),
                }
            }
            let file = self
                .module_globals(m.as_obj().expect("module"))
                .and_then(|g| self.dict_get_str(&g, &self.names.__file__.clone()));
            let loc = match file {
                Some(Value::Str(f)) => format!(" ({})", f.as_str()),
                _ => " (unknown location)".to_string(),
            };
            let msg = format!(
                "cannot import name '{}' from '{}'{}",
                name.as_str(),
                md.name.as_str(),
                loc
            );
            return Err(self.import_error(false, msg, md.name.as_str()));
        }
        Err(self.new_exception_msg(
            &self.exc.import_error.clone(),
            format!("cannot import name '{}'", name.as_str()),
        ))
    }

    /// Whether `e` is the `ModuleNotFoundError` of module `name` itself (not of a module
    /// that `name` imports).
    fn is_missing_module(&self, e: &Obj, name: &str) -> bool {
        if !self.is_instance_of(e, &self.exc.module_not_found_error) {
            return false;
        }
        match &e.payload {
            Payload::Exception(d) => {
                crate::builtins::exceptions::import_error_name(self, &d.borrow())
                    .as_str()
                    .is_some_and(|n| n.as_str() == name)
            }
            _ => false,
        }
    }

    /// `from m import *`.
    pub(crate) fn import_star(&mut self, m: &Value, ns: &Obj) -> PyResult<()> {
        let Some(g) = m.as_obj().and_then(|o| self.module_globals(o)) else {
            return Ok(());
        };
        let all = self.dict_get_str(&g, &self.names.__all__.clone());
        let names: Vec<Value> = match all {
            Some(a) => self.collect(&a)?,
            None => match &g.payload {
                Payload::Dict(d) => d
                    .borrow()
                    .iter()
                    .filter(|e| e.key.as_str().is_some_and(|s| !s.as_str().starts_with('_')))
                    .map(|e| e.key.clone())
                    .collect(),
                _ => Vec::new(),
            },
        };
        for n in names {
            let Some(s) = n.as_str().cloned() else {
                continue;
            };
            let v = self.get_attr(m, &s)?;
            if let Payload::Dict(d) = &ns.payload {
                d.borrow_mut().set_str(s, v);
            }
        }
        Ok(())
    }
}

/// Where [`Vm::find_module_location`] found a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleLocation {
    /// A native module registered with [`Vm::register_module`].
    Builtin,
    /// An `.aio` source file (absolute); for a package, its `__init__.aio` and folder.
    Source {
        /// The file that runs as the module.
        file: PathBuf,
        /// The package folder, for a package.
        package_dir: Option<PathBuf>,
    },
}

/// The first of `dirs` holding module `last` (the name's last part): `last.aio`, or a
/// package `last/__init__.aio` (then its folder too), as `import` looks for them.
fn locate_source(dirs: &[PathBuf], last: &str) -> Option<(PathBuf, Option<PathBuf>)> {
    dirs.iter().find_map(|dir| {
        let file = dir.join(format!("{last}.aio"));
        if file.is_file() {
            return Some((file, None));
        }
        let pkg = dir.join(last).join("__init__.aio");
        pkg.is_file().then(|| (pkg, Some(dir.join(last))))
    })
}

/// `path` made absolute against the working folder (unchanged when that fails).
fn absolute(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use crate::{Obj, PyResult, Value, Vm};

    fn run(vm: &mut Vm, m: &Obj, src: &str) -> PyResult<()> {
        let g = vm.module_globals(m).expect("a module has globals");
        vm.exec_source_in(src, "<pkg>", &g).map(drop)
    }

    fn pkg(vm: &mut Vm, m: &Obj) -> PyResult<()> {
        let g = vm.module_globals(m).expect("a module has globals");
        vm.dict_set_str(&g, "__package__", Value::str("pkg"));
        Ok(())
    }

    fn good(vm: &mut Vm, m: &Obj) -> PyResult<()> {
        run(vm, m, "from . import util\nx = util.y * 2\n")
    }

    fn util(vm: &mut Vm, m: &Obj) -> PyResult<()> {
        run(vm, m, "y = 21\n")
    }

    fn broken(vm: &mut Vm, m: &Obj) -> PyResult<()> {
        run(vm, m, "import nowhere\n")
    }

    #[test]
    fn from_import_finds_registered_submodules_and_keeps_their_errors() {
        let mut vm = Vm::new();
        vm.register_module("pkg", pkg);
        vm.register_module("pkg.good", good);
        vm.register_module("pkg.util", util);
        vm.register_module("pkg.broken", broken);
        vm.exec("from pkg import good\nv = good.x").unwrap();
        assert_eq!(vm.get_global::<i64>("v").unwrap(), 42);
        let err = vm.exec("from pkg import broken").unwrap_err().to_string();
        assert!(
            err.ends_with("ModuleNotFoundError: No module named 'nowhere'"),
            "{err}"
        );
        let err = vm.exec("import pkg.missing").unwrap_err().to_string();
        assert!(
            err.ends_with("ModuleNotFoundError: No module named 'pkg.missing'"),
            "{err}"
        );
        let err = vm.exec("import pkg.util.deeper").unwrap_err().to_string();
        assert!(
            err.ends_with("No module named 'pkg.util.deeper'; 'pkg.util' is not a package"),
            "{err}"
        );
        let err = vm.exec("from pkg import missing").unwrap_err().to_string();
        assert!(
            err.ends_with(
                "ImportError: cannot import name 'missing' from 'pkg' (unknown location)"
            ),
            "{err}"
        );
    }
}
