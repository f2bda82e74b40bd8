//! [`VmBuilder`]: a VM with a chosen set of standard-library modules, sandboxed by default.
//!
//! ```
//! use aio_stdlib::VmBuilder;
//! use aio_vm::Limits;
//!
//! let mut vm = VmBuilder::new()
//!     .module("math")
//!     .limits(Limits {
//!         steps: Some(1_000_000),
//!         ..Limits::default()
//!     })
//!     .build();
//! vm.exec("import math\nr = math.sqrt(16)").unwrap();
//! assert_eq!(vm.get_global::<f64>("r").unwrap(), 4.0);
//! let err = vm.exec("import random").unwrap_err().to_string();
//! assert!(err.ends_with("ModuleNotFoundError: No module named 'random'"));
//! ```
//!
//! **Sandbox.** A script reaches outside the process through the file system (the builtin
//! `open`, `io.open`, and the file-system modules `os`, `os.path`, `pathlib`, `glob`,
//! `shutil`, `tempfile`, `linecache`, `gzip`, `zipfile`, `tarfile`, `fileinput`, `filecmp`,
//! `platform`, `gettext`, `mimetypes`, `getpass`, `posixpath`, `genericpath`, `netrc`,
//! `imghdr`, `mailbox`, `dbm`, `dbm.dumb`, `shelve`, `pwd`, `grp`, `uu`, `fcntl`),
//! child processes (`subprocess`), the process's signal handlers
//! (`signal`), locale (`locale`) and resource limits (`resource`), the network (the network
//! modules `socket`, `select`,
//! `selectors`, `http.client`, `http.server`, `http.cookiejar`, `urllib.request`,
//! `urllib.robotparser`, `socketserver`, `smtplib`, `mailbox`; the `http`, `urllib`,
//! `mailbox` and `socketserver` ones need the file system too, as do `urllib.error` and
//! `urllib.response`),
//! and asyncio's TCP streams: `asyncio.open_connection`,
//! `asyncio.start_server`), and importing `.aio` files from the search path. A built VM
//! has:
//!
//! - no file system unless the host calls [`VmBuilder::allow_filesystem`]: `open` is not a
//!   builtin (`NameError: name 'open' is not defined`), `io` has `StringIO` and `BytesIO` but
//!   no `open`, and the file-system modules cannot be imported, whatever modules were chosen
//!   (they are refused as a whole, `os.environ` and `os.getcwd` included), nor can
//!   `subprocess`, `signal`, `locale` and `resource`;
//! - no network unless the host calls [`VmBuilder::allow_network`]: the network modules
//!   cannot be imported, whatever modules were chosen, and asyncio's network functions
//!   raise `PermissionError`;
//! - an empty search path (the host adds directories to [`aio_vm::Vm::search_path`]). (`AIOPATH`
//!   is read by the `aio` binary, never by the VM).
//!
//! A package and its submodules are chosen together ([`VmBuilder::module`]: `"os"` brings
//! `"os.path"`, `"collections"` brings `"collections.abc"`), and `"asyncio"` brings the
//! `"contextvars"` it runs its tasks in. Other modules written in aio
//! import the modules they stand on (`statistics` imports `fractions`, `collections`,
//! `random`, ...; `argparse` imports `re` and `warnings`; `re` imports `enum` for its flags,
//! `functools.singledispatch` imports `types`, `logging` imports `re`, `io`, `traceback`,
//! `warnings`, `weakref`, `string`, `types`, and `os` where the file system is allowed;
//! `decimal` imports `collections`, `re`, `math` and `contextvars`; `pprint` imports
//! `collections`, `dataclasses`, `re`, `types` and `io`; `fractions` and `decimal` import
//! `numbers` (which imports `abc`); `optparse` imports `textwrap`; `calendar` imports `datetime` and `itertools`;
//! `shlex` imports `re`, `collections` and `io`; `tokenize` imports `token`, `codecs`,
//! `collections`, `functools`, `io`, `itertools` and `re`; `html` imports `re`; `html.parser` imports
//! `re`, `_markupbase` and `html`; `mimetypes` imports `os`, `urllib.parse` (and `getopt`
//! in its `_main`); `getpass` imports `contextlib`, `io`, `os` and `warnings`; `graphlib` imports
//! `types`; `urllib.parse` imports `collections`, `functools`, `re`, `types`, `unicodedata` and `warnings`;
//! `timeit` imports `gc`, `itertools` and `time`; `email` imports `re`, `base64`,
//! `binascii`, `quopri`, `datetime`, `calendar`, `random`, `urllib.parse`, `io`, `string`,
//! `functools`, `abc`, `types` and `warnings`; `http` imports `enum`, `http.cookies` `re`,
//! `string` and `types`; `code` imports `codeop` and `traceback`, `codeop` `__future__` and
//! `warnings`; `cmd` imports `string`; `pwd`, `grp` and `resource` import `os` (for their
//! struct sequences), `resource` and `fcntl` import `operator`; `ast` imports `_ast`,
//! `contextlib` and `enum`; `unittest` imports `difflib`,
//! `pprint`, `argparse`, `fnmatch`, `traceback`, `warnings`, `weakref`, `logging` (for
//! `assertLogs`) and `asyncio` (for `IsolatedAsyncioTestCase`), among others; `inspect` imports `abc`,
//! `collections`, `enum`, `functools`, `itertools`, `operator`, `re` and `types`; `threading`
//! imports `_thread`, `_threading_local`, `functools`, `itertools`, `collections`, `time`,
//! `traceback` and `weakref`, `queue` imports `threading`, `heapq` and `types`;
//! `ipaddress` imports `functools` and `re`; `tomllib` imports `datetime`, `functools`, `re`,
//! `string`, `types`, `typing` and `collections`; `configparser` imports `collections`,
//! `functools`, `io`, `itertools`, `re` and `warnings`; `sched` imports `heapq`, `collections`,
//! `itertools`, `threading` and `time`; `secrets` imports `base64`, `binascii`, `hmac` and
//! `random`; `uuid` imports `enum`, `random`, `hashlib` and `time`; `fileinput` and `filecmp`
//! import `os`, `io`, `stat`, `itertools` and `types`; `zipfile` and `tarfile` import
//! `os`, `io`, `shutil`, `struct`, `zlib`, `binascii`, `time`, `stat` and `threading`
//! (`zipfile`: also `pathlib`, `itertools` and `contextlib`, and `encodings.cp437` for
//! its names; `tarfile`: also `gzip`, `copy`, `re` and `warnings`); `platform` imports
//! `os`, `re`, `collections`, `functools` and `itertools` (and `subprocess` where it
//! runs `file` or `uname`); `locale` imports `_locale`, `encodings`, `re`, `collections`
//! and `functools`; `gettext` imports `os`, `re`, `operator`, `struct` and `locale`; and
//! `codecs`
//! and `_codecs` (with `pickle`) import `encodings`, whose `base64_codec`, `hex_codec` `zlib_codec` and
//! `quopri_codec` import `base64`, `binascii`, `zlib`, `quopri` and `io`): choose
//! those too, or
//! use [`VmBuilder::with_stdlib`].

use aio_vm::embed::func::native_closure;
use aio_vm::native::Args;
use aio_vm::vm::ModuleInitFn;
use aio_vm::{Limits, Obj, PyResult, Vm};
use std::collections::BTreeSet;
use std::rc::Rc;

/// The standard-library modules [`VmBuilder::with_stdlib`] selects.
pub const MODULES: &[&str] = &[
    "_ast",
    "_codecs",
    "_compat_pickle",
    "_compression",
    "_csv",
    "_hashlib",
    "_io",
    "_locale",
    "_markupbase",
    "_signal",
    "_socket",
    "_subprocess",
    "_thread",
    "_threading_local",
    "abc",
    "argparse",
    "array",
    "ast",
    "asyncio",
    "asyncio.base_events",
    "asyncio.base_futures",
    "asyncio.base_tasks",
    "asyncio.constants",
    "asyncio.coroutines",
    "asyncio.events",
    "asyncio.exceptions",
    "asyncio.format_helpers",
    "asyncio.futures",
    "asyncio.locks",
    "asyncio.log",
    "asyncio.mixins",
    "asyncio.protocols",
    "asyncio.queues",
    "asyncio.runners",
    "asyncio.selector_events",
    "asyncio.streams",
    "asyncio.subprocess",
    "asyncio.taskgroups",
    "asyncio.tasks",
    "asyncio.threads",
    "asyncio.timeouts",
    "asyncio.transports",
    "asyncio.unix_events",
    "base64",
    "binascii",
    "bisect",
    "calendar",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "collections.abc",
    "colorsys",
    "concurrent",
    "concurrent.futures",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "csv",
    "dataclasses",
    "datetime",
    "dbm",
    "dbm.dumb",
    "decimal",
    "difflib",
    "email",
    "email._encoded_words",
    "email._header_value_parser",
    "email._parseaddr",
    "email._policybase",
    "email.base64mime",
    "email.charset",
    "email.contentmanager",
    "email.encoders",
    "email.errors",
    "email.feedparser",
    "email.generator",
    "email.header",
    "email.headerregistry",
    "email.iterators",
    "email.message",
    "email.mime",
    "email.mime.application",
    "email.mime.audio",
    "email.mime.base",
    "email.mime.image",
    "email.mime.message",
    "email.mime.multipart",
    "email.mime.nonmultipart",
    "email.mime.text",
    "email.parser",
    "email.policy",
    "email.quoprimime",
    "email.utils",
    "encodings",
    "encodings.aliases",
    "encodings.ascii",
    "encodings.base64_codec",
    "encodings.charmap",
    "encodings.cp1252",
    "encodings.cp437",
    "encodings.hex_codec",
    "encodings.latin_1",
    "encodings.quopri_codec",
    "encodings.raw_unicode_escape",
    "encodings.rot_13",
    "encodings.unicode_escape",
    "encodings.utf_16",
    "encodings.utf_16_be",
    "encodings.utf_16_le",
    "encodings.utf_32",
    "encodings.utf_32_be",
    "encodings.utf_32_le",
    "encodings.utf_8",
    "encodings.utf_8_sig",
    "encodings.zlib_codec",
    "enum",
    "errno",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "grp",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "html.entities",
    "html.parser",
    "http",
    "http.client",
    "http.cookiejar",
    "http.cookies",
    "http.server",
    "imaplib",
    "imghdr",
    "importlib",
    "importlib.machinery",
    "importlib.util",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "json.decoder",
    "json.encoder",
    "keyword",
    "linecache",
    "locale",
    "logging",
    "logging.config",
    "logging.handlers",
    "mailbox",
    "math",
    "mimetypes",
    "netrc",
    "numbers",
    "operator",
    "optparse",
    "os",
    "os.path",
    "pathlib",
    "pickle",
    "platform",
    "plistlib",
    "poplib",
    "posixpath",
    "pprint",
    "pwd",
    "pydoc",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "reprlib",
    "resource",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "smtplib",
    "socket",
    "socketserver",
    "stat",
    "statistics",
    "string",
    "struct",
    "subprocess",
    "tarfile",
    "tempfile",
    "textwrap",
    "this",
    "threading",
    "time",
    "timeit",
    "token",
    "tokenize",
    "tomllib",
    "tomllib._parser",
    "tomllib._re",
    "tomllib._types",
    "traceback",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "unittest._log",
    "unittest.async_case",
    "unittest.case",
    "unittest.loader",
    "unittest.main",
    "unittest.mock",
    "unittest.result",
    "unittest.runner",
    "unittest.signals",
    "unittest.suite",
    "unittest.util",
    "urllib",
    "urllib.error",
    "urllib.parse",
    "urllib.request",
    "urllib.response",
    "urllib.robotparser",
    "uu",
    "uuid",
    "warnings",
    "wave",
    "weakref",
    "xdrlib",
    "xml",
    "xml.dom",
    "xml.dom.NodeFilter",
    "xml.dom.domreg",
    "xml.dom.expatbuilder",
    "xml.dom.minicompat",
    "xml.dom.minidom",
    "xml.dom.pulldom",
    "xml.dom.xmlbuilder",
    "xml.etree",
    "xml.etree.ElementInclude",
    "xml.etree.ElementPath",
    "xml.etree.ElementTree",
    "xml.etree.cElementTree",
    "xml.parsers",
    "xml.parsers.expat",
    "xml.sax",
    "xml.sax._exceptions",
    "xml.sax.expatreader",
    "xml.sax.handler",
    "xml.sax.saxutils",
    "xml.sax.xmlreader",
    "xmlrpc",
    "xmlrpc.client",
    "xmlrpc.server",
    "zipfile",
    "zlib",
];

/// Modules that another imports as it loads, beyond its own package, and which choosing it
/// therefore brings: asyncio runs every task and callback in a `contextvars` context.
const REQUIRES: &[(&str, &[&str])] = &[("asyncio", &["contextvars"])];

/// The standard modules inside package `name` (`os.path` for `os`).
fn submodules(name: &str) -> Vec<&'static str> {
    MODULES
        .iter()
        .copied()
        .filter(|m| {
            m.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('.'))
        })
        .collect()
}

/// The modules that exist only where file-system access is allowed.
const FILESYSTEM_MODULES: &[&str] = &[
    "dbm",
    "fcntl",
    "dbm.dumb",
    "filecmp",
    "imghdr",
    "mailbox",
    "fileinput",
    "genericpath",
    "getpass",
    "gettext",
    "glob",
    "grp",
    "gzip",
    "http.cookiejar",
    "http.server",
    "linecache",
    "_locale",
    "locale",
    "mimetypes",
    "netrc",
    "os",
    "os.path",
    "pathlib",
    "platform",
    "posixpath",
    "pwd",
    "resource",
    "shelve",
    "shutil",
    "signal",
    "_signal",
    "socketserver",
    "subprocess",
    "_subprocess",
    "tarfile",
    "tempfile",
    "urllib.error",
    "urllib.request",
    "urllib.response",
    "urllib.robotparser",
    "uu",
    "xml.dom.pulldom",
    "xml.sax",
    "xml.sax.expatreader",
    "xml.sax.saxutils",
    "zipfile",
    "imaplib",
    "xmlrpc.server",
    "plistlib",
];

/// The modules that exist only where network access is allowed.
const NETWORK_MODULES: &[&str] = &[
    "select",
    "selectors",
    "socket",
    "_socket",
    "http.client",
    "http.cookiejar",
    "http.server",
    "mailbox",
    "smtplib",
    "socketserver",
    "urllib.request",
    "urllib.robotparser",
    "xml.dom.pulldom",
    "xml.sax.expatreader",
    "xml.sax.saxutils",
    "ftplib",
    "poplib",
    "imaplib",
    "xmlrpc.client",
    "xmlrpc.server",
];

/// Builds a [`Vm`]: which standard modules scripts may import, whether they may use the
/// file system and the network, and the [`Limits`] of each run. See the example and the
/// sandbox rules in the [module documentation](self).
#[derive(Clone, Debug, Default)]
pub struct VmBuilder {
    modules: BTreeSet<String>,
    network: bool,
    filesystem: bool,
    limits: Limits,
}

impl VmBuilder {
    /// No standard modules, no file system, no network, no limits. See the example of the
    /// [module documentation](self).
    pub fn new() -> VmBuilder {
        VmBuilder::default()
    }

    /// Every standard module ([`MODULES`]); the file-system ones still need
    /// [`VmBuilder::allow_filesystem`].
    ///
    /// ```
    /// use aio_stdlib::VmBuilder;
    ///
    /// let mut vm = VmBuilder::new().with_stdlib().without("asyncio").build();
    /// vm.exec(
    ///     "import statistics, collections, itertools\n\
    ///      m = statistics.median([3, 1, 2])\n\
    ///      c = collections.Counter('abca').most_common(1)[0][0]\n\
    ///      p = len(list(itertools.permutations('abc')))\n\
    ///      t = (m, c, p)\n",
    /// )?;
    /// assert_eq!(
    ///     vm.get_global::<(i64, String, i64)>("t")?,
    ///     (2, "a".into(), 6)
    /// );
    /// let err = vm.exec("import asyncio").unwrap_err().to_string();
    /// assert!(err.ends_with("ModuleNotFoundError: No module named 'asyncio'"));
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn with_stdlib(mut self) -> VmBuilder {
        self.modules.extend(MODULES.iter().map(|m| m.to_string()));
        self
    }

    /// Adds standard module `name` (ignored if there is no such module), with what importing
    /// it needs of its own package: a package brings its submodules (`"os"` adds `"os.path"`,
    /// which `import os` imports; `"collections"` adds `"collections.abc"`), and a submodule
    /// brings its parent packages (`"os.path"` adds `"os"`: `import os.path` runs `os`
    /// first, as in CPython). Other modules a module imports are not added (see the
    /// [module documentation](self)), except `contextvars` for `asyncio`, which cannot run
    /// without it.
    ///
    /// ```
    /// use aio_stdlib::VmBuilder;
    ///
    /// let mut vm = VmBuilder::new().module("os").allow_filesystem(true).build();
    /// vm.exec("import os\nsep = os.path.join('a', 'b')")?;
    /// assert_eq!(vm.get_global::<String>("sep")?, "a/b");
    ///
    /// let mut vm = VmBuilder::new().module("os.path").allow_filesystem(true).build();
    /// vm.exec("import os.path\nbase = os.path.basename('/tmp/x.txt')")?;
    /// assert_eq!(vm.get_global::<String>("base")?, "x.txt");
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn module(mut self, name: &str) -> VmBuilder {
        self.modules.insert(name.to_string());
        for (m, deps) in REQUIRES {
            if *m == name {
                self.modules.extend(deps.iter().map(|d| d.to_string()));
            }
        }
        let mut parent = name;
        while let Some((p, _)) = parent.rsplit_once('.') {
            self.modules.insert(p.to_string());
            parent = p;
        }
        self.modules
            .extend(submodules(name).into_iter().map(|m| m.to_string()));
        self
    }

    /// Removes standard module `name` and its submodules (`"os"` removes `"os.path"`).
    /// Removing only a submodule a package imports (`.without("os.path")` with `"os"`
    /// kept) makes importing the package fail, as it would in CPython. See the example of
    /// [`VmBuilder::with_stdlib`].
    pub fn without(mut self, name: &str) -> VmBuilder {
        self.modules.remove(name);
        for m in submodules(name) {
            self.modules.remove(m);
        }
        self
    }

    /// Lets scripts use the network: the network modules (`socket`, `select`,
    /// `selectors`) when chosen, and asyncio's streams, which open TCP connections and
    /// servers (denied by default with `PermissionError`).
    ///
    /// ```
    /// use aio_stdlib::VmBuilder;
    ///
    /// let mut vm = VmBuilder::new().module("asyncio").build(); // no allow_network(true)
    /// vm.exec(
    ///     "import asyncio\n\
    ///      async def probe():\n\
    ///      \x20   try:\n\
    ///      \x20       await asyncio.open_connection('127.0.0.1', 8080)\n\
    ///      \x20   except PermissionError as e:\n\
    ///      \x20       return str(e)\n\
    ///      msg = asyncio.run(probe())\n",
    /// )?;
    /// assert_eq!(
    ///     vm.get_global::<String>("msg")?,
    ///     "network access is not allowed in this VM"
    /// );
    ///
    /// // The network modules exist only with the network allowed.
    /// let mut vm = VmBuilder::new().module("socket").build();
    /// let err = vm.exec("import socket").unwrap_err().to_string();
    /// assert!(err.ends_with("ModuleNotFoundError: No module named 'socket'"));
    /// let mut vm = VmBuilder::new().with_stdlib().allow_network(true).build();
    /// vm.exec("import socket\nn = socket.htons(1)")?;
    /// assert_eq!(vm.get_global::<i64>("n")?, 256);
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn allow_network(mut self, on: bool) -> VmBuilder {
        self.network = on;
        self
    }

    /// Lets scripts use the file system: the builtin `open`, `io.open`, and the file-system
    /// modules (`os`, `os.path`, `pathlib`, `glob`, `shutil`, `tempfile`, `linecache`, `gzip`,
    /// `zipfile`, `tarfile`, `platform`, `gettext`, `mimetypes`, ...), `subprocess`,
    /// `signal`, `locale` and `resource` when chosen. `io` is then always importable (`open`
    /// is `io.open`).
    ///
    /// ```
    /// use aio_stdlib::VmBuilder;
    ///
    /// let dir = std::env::temp_dir().join(format!("aio-fs-{}", std::process::id()));
    /// let mut vm = VmBuilder::new().module("os").allow_filesystem(true).build();
    /// vm.set_global("dir", dir.to_str().unwrap());
    /// vm.exec(
    ///     "import os\n\
    ///      os.makedirs(dir, exist_ok=True)\n\
    ///      with open(os.path.join(dir, 'notes.txt'), 'w') as f:\n\
    ///      \x20   f.write('hello\\n')\n\
    ///      names = os.listdir(dir)\n",
    /// )?;
    /// assert_eq!(vm.get_global::<Vec<String>>("names")?, ["notes.txt"]);
    /// assert_eq!(
    ///     std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
    ///     "hello\n"
    /// );
    ///
    /// // The default: no file system at all.
    /// let mut sandboxed = VmBuilder::new().module("os").build();
    /// let err = sandboxed.exec("open('notes.txt')").unwrap_err().to_string();
    /// assert!(err.ends_with("NameError: name 'open' is not defined"));
    /// let err = sandboxed.exec("import os").unwrap_err().to_string();
    /// assert!(err.ends_with("ModuleNotFoundError: No module named 'os'"));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn allow_filesystem(mut self, on: bool) -> VmBuilder {
        self.filesystem = on;
        self
    }

    /// The limits of each run (see [`aio_vm::Limits`]); see the example of the
    /// [module documentation](self).
    pub fn limits(mut self, limits: Limits) -> VmBuilder {
        self.limits = limits;
        self
    }

    /// The VM (a builder can build any number of them, each independent). See the example
    /// of the [module documentation](self).
    pub fn build(&self) -> Vm {
        let mut vm = Vm::new();
        crate::install(&mut vm);
        for m in MODULES {
            let keep = if self.filesystem {
                self.modules.contains(*m) || *m == "io"
            } else {
                self.modules.contains(*m) && !FILESYSTEM_MODULES.contains(m)
            } && (self.network || !NETWORK_MODULES.contains(m));
            if !keep {
                vm.unregister_module(m);
            }
        }
        if !self.filesystem {
            crate::io::remove_open(&mut vm);
            if self.modules.contains("io") {
                vm.register_module("io", crate::io::init_sandboxed);
            }
        }
        if !self.network {
            if let Some(init) = vm.native_module("asyncio") {
                vm.register_module_fn("asyncio", move |vm, m| {
                    asyncio_without_network(vm, m, &init)
                });
            }
        }
        vm.set_limits(self.limits);
        vm
    }
}

fn asyncio_without_network(vm: &mut Vm, m: &Obj, init: &ModuleInitFn) -> PyResult<()> {
    init(vm, m)?;
    let g = vm.module_globals(m).expect("a module has globals");
    for name in ["_listen", "_connect"] {
        let deny = Rc::new(|vm: &mut Vm, _: Args<'_>| -> PyResult {
            let cls = vm.exc.permission_error.clone();
            Err(vm.new_exception_msg(&cls, "network access is not allowed in this VM"))
        });
        let f = native_closure(vm, name, None, deny);
        vm.dict_set_str(&g, name, f);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chosen(b: &VmBuilder) -> Vec<&str> {
        b.modules.iter().map(|m| m.as_str()).collect()
    }

    #[test]
    fn packages_and_submodules_come_together() {
        assert_eq!(chosen(&VmBuilder::new().module("os")), ["os", "os.path"]);
        assert_eq!(
            chosen(&VmBuilder::new().module("os.path")),
            ["os", "os.path"]
        );
        assert_eq!(
            chosen(&VmBuilder::new().module("collections")),
            ["collections", "collections.abc"]
        );
        // A name that only starts like a package is not inside it.
        assert_eq!(submodules("o"), Vec::<&str>::new());
        assert_eq!(submodules("os.path"), Vec::<&str>::new());
        assert_eq!(
            chosen(&VmBuilder::new().module("os").without("os.path")),
            ["os"]
        );
        assert_eq!(
            chosen(&VmBuilder::new().module("os").module("math").without("os")),
            ["math"]
        );
        // Every dotted module's package is itself a module of the list.
        for m in MODULES {
            if let Some((p, _)) = m.rsplit_once('.') {
                assert!(MODULES.contains(&p), "{m}");
            }
        }
    }

    #[test]
    fn every_installed_module_is_listed() {
        // A module `install` registers that `MODULES` lacks would escape the sandbox: the
        // builder removes only the listed modules a host did not choose.
        let core = Vm::new().module_names();
        let mut vm = Vm::new();
        crate::install(&mut vm);
        let missing: Vec<String> = vm
            .module_names()
            .into_iter()
            .filter(|m| !core.contains(m) && !MODULES.contains(&m.as_str()))
            .collect();
        assert!(missing.is_empty(), "not in MODULES: {missing:?}");
    }

    #[test]
    fn email_needs_no_file_system_or_network_but_http_client_does() {
        let mut vm = VmBuilder::new().with_stdlib().build();
        vm.exec(
            "from email.mime.text import MIMEText\n\
             from email import message_from_string\n\
             m = MIMEText('hi', 'plain', 'utf-8')\n\
             m['Subject'] = 'S'\n\
             t = message_from_string(m.as_string())['Subject']\n\
             import http.cookies, codeop, cmd",
        )
        .unwrap();
        assert_eq!(vm.get_global::<String>("t").unwrap(), "S");
        for module in ["http.client", "urllib.request", "socketserver", "smtplib"] {
            let err = vm
                .exec(&format!("import {module}"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("ModuleNotFoundError"), "{module}: {err}");
        }
        let mut vm = VmBuilder::new()
            .with_stdlib()
            .allow_filesystem(true)
            .allow_network(true)
            .build();
        vm.exec("import http.client, urllib.request, socketserver, smtplib, posixpath")
            .unwrap();
    }

    #[test]
    fn re_stands_on_enum() {
        let mut vm = VmBuilder::new().module("re").module("enum").build();
        vm.exec("import re\nv = (re.I | re.M).value").unwrap();
        assert_eq!(vm.get_global::<i64>("v").unwrap(), 10);
        let mut vm = VmBuilder::new().module("re").build();
        let err = vm.exec("import re").unwrap_err().to_string();
        assert!(
            err.ends_with("ModuleNotFoundError: No module named 'enum'"),
            "{err}"
        );
    }

    #[test]
    fn unittest_needs_no_file_system() {
        let mut vm = VmBuilder::new().with_stdlib().build();
        vm.exec(
            "import io, unittest\n\
             class T(unittest.TestCase):\n\
             \x20   def test_lists(self):\n\
             \x20       self.assertEqual([1, 2], [1, 3])\n\
             s = io.StringIO()\n\
             suite = unittest.defaultTestLoader.loadTestsFromTestCase(T)\n\
             r = unittest.TextTestRunner(stream=s).run(suite)\n\
             out = [l for l in r.failures[0][1].splitlines() if 'Error' in l][0]",
        )
        .unwrap();
        assert_eq!(
            vm.get_global::<String>("out").unwrap(),
            "AssertionError: Lists differ: [1, 2] != [1, 3]"
        );
    }

    #[test]
    fn unittest_mock_needs_no_file_system() {
        let mut vm = VmBuilder::new().with_stdlib().build();
        vm.exec(
            "from unittest import mock\n\
             m = mock.MagicMock()\n\
             m.f(1)\n\
             cfg = {}\n\
             with mock.patch.dict(cfg, a=1):\n\
             \x20   inside = dict(cfg)\n\
             ok = m.f.call_args == mock.call(1) and len(m) == 0 and inside == {'a': 1} and cfg == {}",
        )
        .unwrap();
        assert!(vm.get_global::<bool>("ok").unwrap());
    }

    #[test]
    fn logging_needs_no_file_system() {
        // Without `os`, records fall back to CPython's own "Unknown module".
        let mut vm = VmBuilder::new().with_stdlib().build();
        vm.exec(
            "import io, logging\n\
             s = io.StringIO()\n\
             logging.basicConfig(stream=s, format='%(module)s %(levelname)s %(message)s')\n\
             logging.warning('%d', 7)\n\
             out = s.getvalue()",
        )
        .unwrap();
        assert_eq!(
            vm.get_global::<String>("out").unwrap(),
            "Unknown module WARNING 7\n"
        );
    }

    #[test]
    fn command_line_tools_need_no_file_system() {
        // shlex, getopt and optparse import `os` only where they read the environment or
        // open a file; without `os`, POSIXLY_CORRECT and COLUMNS count as unset.
        let mut vm = VmBuilder::new().with_stdlib().build();
        vm.exec(
            "import shlex, getopt, optparse\n\
             words = shlex.split('a \"b c\"')\n\
             opts = getopt.gnu_getopt(['x', '-a'], 'a')[0]\n\
             width = optparse.IndentedHelpFormatter().width\n\
             out = (len(words), len(opts), width)",
        )
        .unwrap();
        assert_eq!(vm.get_global::<(i64, i64, i64)>("out").unwrap(), (2, 1, 78));
        let err = vm.exec("import linecache").unwrap_err().to_string();
        assert!(
            err.ends_with("ModuleNotFoundError: No module named 'linecache'"),
            "{err}"
        );
    }

    #[test]
    fn html_parser_needs_no_file_system() {
        // html.parser stands on re, html and _markupbase; mimetypes (which reads
        // /etc/mime.types) and getpass (which reads the environment) need `os`.
        let mut vm = VmBuilder::new().with_stdlib().build();
        vm.exec(
            "from html.parser import HTMLParser\n\
             class P(HTMLParser):\n\
             \x20   def handle_starttag(self, tag, attrs):\n\
             \x20       out.append(tag + str(len(attrs)))\n\
             \x20   def handle_data(self, data):\n\
             \x20       out.append(data)\n\
             out = []\n\
             P().feed('<p a=1 b>x &amp; y</p>')",
        )
        .unwrap();
        assert_eq!(
            vm.get_global::<Vec<String>>("out").unwrap(),
            ["p2", "x & y"]
        );
        for module in ["mimetypes", "getpass"] {
            let err = vm
                .exec(&format!("import {module}"))
                .unwrap_err()
                .to_string();
            assert!(
                err.ends_with(&format!("ModuleNotFoundError: No module named '{module}'")),
                "{err}"
            );
        }
    }

    #[test]
    fn config_and_identifier_modules_need_no_file_system() {
        // configparser imports `os` only in read(); secrets and uuid draw from
        // random._urandom, not os.urandom. fileinput and filecmp are file-system modules.
        let mut vm = VmBuilder::new().with_stdlib().build();
        vm.exec(
            "import configparser, ipaddress, sched, secrets, tomllib, uuid\n\
             c = configparser.ConfigParser()\n\
             c.read_string('[s]\\nk = 1\\n')\n\
             out = [c.getint('s', 'k'), tomllib.loads('a = 2')['a'], len(secrets.token_hex(4)),\n\
             \x20      uuid.uuid4().version, int(ipaddress.ip_address('0.0.0.5'))]",
        )
        .unwrap();
        assert_eq!(vm.get_global::<Vec<i64>>("out").unwrap(), [1, 2, 8, 4, 5]);
        let err = vm.exec("import fileinput").unwrap_err().to_string();
        assert!(
            err.ends_with("ModuleNotFoundError: No module named 'fileinput'"),
            "{err}"
        );
    }

    #[test]
    fn tokenize_needs_no_file_system() {
        // tokenize imports the builtin open only when tokenize.open() opens a file.
        let mut vm = VmBuilder::new().with_stdlib().build();
        vm.exec(
            "import io, tokenize\n\
             src = 'if x:\\n    y = 1  # c\\n'\n\
             toks = list(tokenize.generate_tokens(io.StringIO(src).readline))\n\
             enc = next(tokenize.tokenize(io.BytesIO(b'# coding: latin-1\\n').readline)).string\n\
             out = (len(toks), tokenize.tok_name[toks[4].type], tokenize.untokenize(toks) == src, enc)",
        )
        .unwrap();
        assert_eq!(
            vm.get_global::<(i64, String, bool, String)>("out").unwrap(),
            (12, "INDENT".into(), true, "iso-8859-1".into())
        );
        let err = vm.exec("tokenize.open('x.py')").unwrap_err().to_string();
        assert!(
            err.ends_with(
                "ImportError: cannot import name 'open' from 'builtins' (unknown location)"
            ),
            "{err}"
        );
    }
}
