//! aio's standard library: native modules built with the same module builder a host
//! application uses ([`aio_vm::module`]), and modules written in aio (embedded source files
//! run by [`source::run`]): `asyncio`, `collections`, `abc`, `io`, `os`, `logging`, `unittest`, `urllib`, `tomllib` and those in
//! [`pure`]; `codecs` is natives completed by aio source ([`codecs`]); `heapq`, `bisect` and `operator` are native (hot in benchmarks), `zlib` too (over
//! the zlib C library), `unicodedata` too (over the `aio-ucd` crate); `re` (on `fancy-regex`),
//! `struct` and `json` (fast paths) are natives completed by aio source. The file-system
//! natives under `open`, `io`, `os` and `pathlib` are in [`fs`].
//!
//! [`install`] registers every module with a VM; each is initialised on first import. A
//! host embedding aio usually builds its VM with [`VmBuilder`] instead, which chooses the
//! modules and sandboxes file-system and network access. Each module's initialiser
//! (`math::init`, `json::init`, ...) is an [`aio_vm::vm::ModuleInit`] that can also be
//! registered alone (see the example of [`install`]).

#![warn(missing_docs)]

pub mod abc;
pub mod asyncio;
pub mod binascii;
pub mod bisect;
pub mod builder;
mod c_type_names;
pub mod cmath;
pub mod codecs;
pub mod collections;
pub mod datetime;
pub mod decimal;
mod fast_hash;
pub mod fcntl;
pub mod fs;
pub mod functools;
pub mod gc;
pub mod hashlib;
pub mod heapq;
pub mod importlib;
pub mod inspect;
pub mod io;
pub mod itertools;
pub mod json;
pub mod locale;
pub mod logging;
pub mod math;
mod native_class;
pub mod operator;
pub mod os;
pub mod process;
pub mod pure;
pub mod pwd;
pub mod pydoc;
pub mod pyexpat;
pub mod pystruct;
pub mod random;
pub mod re;
pub mod resource;
pub mod select;
pub mod signal;
pub mod socket;
pub mod source;
pub mod thread;
pub mod time;
pub mod tomllib;
pub mod traceback;
pub mod types;
pub mod unicodedata;
pub mod unittest;
pub mod urllib;
pub mod warnings;
pub mod weakref;
pub mod zlib;

pub use builder::VmBuilder;

use aio_vm::Vm;

/// The standard library's modules written in aio, compiled when this crate was built
/// (`build.rs`; see `aio_vm::frozen`).
pub static FROZEN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/frozen.bin"));

/// Registers every standard-library module with `vm`: `abc`, `argparse`, `array`, `asyncio`, `base64`,
/// `binascii`, `bisect`, `calendar`, `cmath`,
/// `codecs` (with `_codecs` and the `encodings` package: the UTF codecs, `ascii`, `latin_1`,
/// `cp1252`, `cp437`, the escape codecs, `hex`, `base64`, `zlib`, `quopri`, `rot13`),
/// `collections` (and `collections.abc`), `colorsys`, `configparser`, `contextlib`, `copy`, `copyreg`, `csv` (with `_csv`), `dataclasses`, `datetime`, `decimal`,
/// `difflib`, `enum`, `errno`,
/// `filecmp`, `fileinput`, `fnmatch`, `fractions`, `functools`, `gc`, `getopt`, `getpass`, `gettext`, `glob`, `graphlib`, `gzip` (with `_compression`), `hashlib` (with its native
/// `_hashlib`), `heapq`, `hmac`, `html` (and `html.entities`, `html.parser` with `_markupbase`), `importlib` (and `importlib.machinery`, `importlib.util`), `inspect`, `io`, `ipaddress`, `itertools`, `json` (and `json.decoder`, `json.encoder`), `keyword`,
/// `linecache`, `locale` (with its native `_locale`), `logging` (and `logging.config`, `logging.handlers`), `math`, `mimetypes`, `numbers`,
/// `operator`, `optparse`, `os` (and `os.path`), `pathlib`, `pickle` (with `_compat_pickle`), `platform`, `pprint`, `random`, `re`, `reprlib`, `sched`, `secrets`, `select`, `selectors`, `shlex`, `shutil`, `signal` (with its native `_signal`), `socket` (with its native `_socket`), `stat`, `statistics`,
/// `string`, `struct`, `subprocess` (with its native `_subprocess`), `tarfile`, `tempfile`, `textwrap`, `threading` (with `_thread` and `_threading_local`), `queue`, `quopri`, `time`, `timeit`, `token`, `tokenize`, `tomllib` (with `tomllib._parser`, `_re`, `_types`), `traceback`, `types`, `typing`, `unicodedata`, `unittest` (and its submodules `unittest.case`,
/// `unittest.loader`, `unittest.mock`, ...), `urllib` (and `urllib.parse`), `uuid`, `warnings`, `weakref`, `zipfile`, `zlib`; and adds the
/// builtins `open` and `help` (with its `pydoc`).
/// This is the unsandboxed standard library of the `aio` binary (see [`VmBuilder`] for a
/// sandbox).
///
/// ```
/// use aio_vm::Vm;
///
/// let mut vm = Vm::new();
/// aio_stdlib::install(&mut vm);
/// vm.exec("import json, math\ns = json.dumps({'r': math.floor(2.7)})")?;
/// assert_eq!(vm.get_global::<String>("s")?, "{\"r\": 2}");
///
/// // One module alone, under the name scripts import:
/// let mut vm = Vm::new();
/// vm.register_module("heapq", aio_stdlib::heapq::init);
/// vm.exec("import heapq\nh = [5, 1, 4]\nheapq.heapify(h)\nlow = heapq.heappop(h)")?;
/// assert_eq!(vm.get_global::<i64>("low")?, 1);
/// # Ok::<(), aio_vm::Error>(())
/// ```
pub fn install(vm: &mut Vm) {
    vm.set_frozen(FROZEN);
    asyncio::install(vm);
    vm.register_module("abc", abc::init);
    vm.register_module("argparse", pure::argparse);
    vm.register_module("array", pure::array);
    vm.register_module("base64", pure::base64);
    vm.register_module("binascii", binascii::init);
    vm.register_module("bisect", bisect::init);
    vm.register_module("cmath", cmath::init);
    vm.register_module("collections", collections::init);
    vm.register_module("collections.abc", collections::init_abc);
    vm.register_module("configparser", pure::configparser);
    vm.register_module("contextlib", pure::contextlib);
    vm.register_module("contextvars", pure::contextvars);
    vm.register_module("concurrent", pure::concurrent);
    vm.register_module("concurrent.futures", pure::concurrent_futures);
    vm.register_module("copy", pure::copy);
    vm.register_module("copyreg", pure::copyreg);
    vm.register_module("csv", pure::csv);
    vm.register_module("_csv", pure::csv_core);
    vm.register_module("dataclasses", pure::dataclasses);
    vm.register_module("difflib", pure::difflib);
    vm.register_module("datetime", datetime::init);
    vm.register_module("decimal", decimal::init);
    vm.register_module("enum", pure::enum_);
    vm.register_module("errno", pure::errno);
    vm.register_module("filecmp", pure::filecmp);
    vm.register_module("fileinput", pure::fileinput);
    vm.register_module("fnmatch", pure::fnmatch);
    vm.register_module("fractions", pure::fractions);
    vm.register_module("functools", functools::init);
    vm.register_module("gc", gc::init);
    vm.register_module("glob", pure::glob);
    vm.register_module("gzip", pure::gzip);
    vm.register_module("tarfile", pure::tarfile);
    vm.register_module("platform", pure::platform);
    vm.register_module("locale", pure::locale);
    vm.register_module("_locale", locale::init);
    vm.register_module("gettext", pure::gettext);
    vm.register_module("zipfile", pure::zipfile);
    vm.register_module("_compression", pure::compression);
    vm.register_module("hashlib", pure::hashlib);
    vm.register_module("_hashlib", hashlib::init);
    vm.register_module("pyexpat", pyexpat::init);
    vm.register_module("heapq", heapq::init);
    vm.register_module("hmac", pure::hmac);
    vm.register_module("inspect", inspect::init);
    vm.register_module("ipaddress", pure::ipaddress);
    vm.register_module("io", io::init);
    vm.register_module("_io", io::init_c_module);
    vm.register_module("itertools", itertools::init);
    vm.register_module("json", json::init);
    vm.register_module("json.decoder", json::init_decoder);
    vm.register_module("json.encoder", json::init_encoder);
    vm.register_module("logging", logging::init);
    vm.register_module("logging.config", logging::init_config);
    vm.register_module("logging.handlers", logging::init_handlers);
    vm.register_module("math", math::init);
    vm.register_module("operator", operator::init);
    vm.register_module("os", os::init);
    vm.register_module("os.path", os::init_path);
    vm.register_module("posixpath", os::init_posixpath);
    vm.register_module("pickle", pure::pickle);
    vm.register_module("_compat_pickle", pure::compat_pickle);
    vm.register_module("_codecs", codecs::init);
    vm.register_module("codecs", codecs::codecs);
    vm.register_module("encodings", codecs::encodings::init);
    for (name, init) in codecs::encodings::SUBMODULES {
        vm.register_module(name, *init);
    }
    vm.register_module("pathlib", pure::pathlib);
    vm.register_module("pprint", pure::pprint);
    vm.register_module("queue", pure::queue);
    vm.register_module("quopri", pure::quopri);
    vm.register_module("random", random::init);
    vm.register_module("re", re::init);
    vm.register_module("reprlib", pure::reprlib);
    vm.register_module("sched", pure::sched);
    vm.register_module("secrets", pure::secrets);
    vm.register_module("shutil", pure::shutil);
    vm.register_module("select", select::init);
    vm.register_module("selectors", pure::selectors);
    vm.register_module("signal", pure::signal);
    vm.register_module("socket", socket::init_socket);
    vm.register_module("_socket", socket::init);
    vm.register_module("_signal", signal::init);
    vm.register_module("subprocess", pure::subprocess);
    vm.register_module("_subprocess", process::init);
    vm.register_module("stat", pure::stat);
    vm.register_module("statistics", pure::statistics);
    vm.register_module("string", pure::string);
    vm.register_module("struct", pystruct::init);
    vm.register_module("tempfile", pure::tempfile);
    vm.register_module("textwrap", pure::textwrap);
    vm.register_module("importlib", importlib::init);
    vm.register_module("importlib.machinery", importlib::init_machinery);
    vm.register_module("importlib.util", importlib::init_util);
    vm.register_module("threading", pure::threading);
    vm.register_module("_threading_local", pure::threading_local);
    vm.register_module("_thread", thread::init);
    vm.register_module("time", time::init);
    vm.register_module("tomllib", tomllib::init);
    for (name, init) in tomllib::SUBMODULES {
        vm.register_module(name, *init);
    }
    vm.register_module("traceback", traceback::init);
    vm.register_module("types", types::init);
    vm.register_module("typing", pure::typing);
    vm.register_module("unicodedata", unicodedata::init);
    vm.register_module("unittest", unittest::init);
    vm.register_module("uuid", pure::uuid);
    for (name, init) in unittest::SUBMODULES {
        vm.register_module(name, *init);
    }
    vm.register_module("keyword", pure::keyword);
    vm.register_module("numbers", pure::numbers);
    vm.register_module("shlex", pure::shlex);
    vm.register_module("token", pure::token);
    vm.register_module("tokenize", pure::tokenize);
    vm.register_module("getopt", pure::getopt);
    vm.register_module("optparse", pure::optparse);
    vm.register_module("calendar", pure::calendar);
    vm.register_module("graphlib", pure::graphlib);
    vm.register_module("colorsys", pure::colorsys);
    vm.register_module("html", pure::html);
    vm.register_module("html.entities", pure::html_entities);
    vm.register_module("html.parser", pure::html_parser);
    vm.register_module("_markupbase", pure::markupbase);
    vm.register_module("mimetypes", pure::mimetypes);
    vm.register_module("getpass", pure::getpass);
    vm.register_module("urllib", urllib::init);
    vm.register_module("urllib.parse", urllib::init_parse);
    vm.register_module("linecache", pure::linecache);
    vm.register_module("timeit", pure::timeit);
    vm.register_module("warnings", warnings::init);
    vm.register_module("weakref", weakref::init);
    vm.register_module("zlib", zlib::init);
    pure::register_cpython_sources(vm);
    vm.register_module("_ast", pure::ast_nodes);
    vm.register_module("pwd", pwd::init_pwd);
    vm.register_module("grp", pwd::init_grp);
    vm.register_module("resource", resource::init);
    vm.register_module("fcntl", fcntl::init);
    io::install_open(vm);
    pydoc::install_help(vm);
}
