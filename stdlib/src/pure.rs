//! Standard-library modules written wholly in aio, one source file each in `lib/`:
//! `argparse`, `base64`, `copy`, `copyreg` (with the object protocol of pickling), `pickle` (with `_compat_pickle` and `_codecs`), `csv` (over `_csv`, a port of the C module), `hashlib` (over the native `_hashlib`), `hmac`, `string`, `contextlib`, `textwrap`, `typing`, `enum`,
//! `dataclasses`, `array`, `fractions`, `statistics`, `fnmatch`, `reprlib`, `pprint`, `difflib`, and `pathlib`, `glob`,
//! `shutil`, `tempfile` and `linecache` (which need `os`, so they exist only where the file
//! system is allowed), `concurrent.futures`, `contextvars`, `keyword`, `numbers`, `shlex`,
//! `getopt`, `optparse`, `calendar`, `graphlib`, `colorsys`, `html` (with `html.entities`,
//! generated from CPython's tables by `tests/tools/gen_html_entities.py`), `timeit`, `threading` (over the native `_thread`), `_threading_local` and `queue`. Each follows the pure-Python version of the CPython 3.11 module
//! (so results and orders are the same) with the messages of its C accelerator.

/// Declares `pub fn $name(vm, m)`, a module initialiser that runs `lib/$file`.
macro_rules! aio_module {
    ($name:ident, $file:literal) => {
        #[doc = concat!("Initialises the module from `lib/", $file, "`.")]
        pub fn $name(vm: &mut aio_vm::Vm, m: &aio_vm::Obj) -> aio_vm::PyResult<()> {
            crate::source::run(
                vm,
                m,
                &[(concat!("lib/", $file), include_str!(concat!("lib/", $file)))],
            )
        }
    };
}

aio_module!(argparse, "argparse.aio");
aio_module!(base64, "base64.aio");
aio_module!(copy, "copy.aio");
aio_module!(difflib, "difflib.aio");
aio_module!(copyreg, "copyreg.aio");
aio_module!(compat_pickle, "_compat_pickle.aio");
aio_module!(codecs_core, "_codecs.aio");
aio_module!(pickle, "pickle.aio");
aio_module!(csv, "csv.aio");
aio_module!(csv_core, "_csv.aio");
aio_module!(hashlib, "hashlib.aio");
aio_module!(hmac, "hmac.aio");
aio_module!(string, "string.aio");
aio_module!(contextlib, "contextlib.aio");
aio_module!(textwrap, "textwrap.aio");
aio_module!(typing, "typing.aio");
aio_module!(enum_, "enum.aio");
aio_module!(dataclasses, "dataclasses.aio");
aio_module!(array, "array.aio");
aio_module!(fractions, "fractions.aio");
aio_module!(statistics, "statistics.aio");
aio_module!(pathlib, "pathlib.aio");
aio_module!(fnmatch, "fnmatch.aio");
aio_module!(pprint, "pprint.aio");
aio_module!(reprlib, "reprlib.aio");
aio_module!(glob, "glob.aio");
aio_module!(shutil, "shutil.aio");
aio_module!(tempfile, "tempfile.aio");
aio_module!(concurrent_futures, "concurrent_futures.aio");
aio_module!(contextvars, "contextvars.aio");
aio_module!(threading, "threading.aio");
aio_module!(threading_local, "_threading_local.aio");
aio_module!(queue, "queue.aio");
aio_module!(keyword, "keyword.aio");
aio_module!(numbers, "numbers.aio");
aio_module!(shlex, "shlex.aio");
aio_module!(getopt, "getopt.aio");
aio_module!(optparse, "optparse.aio");
aio_module!(calendar, "calendar.aio");
aio_module!(graphlib, "graphlib.aio");
aio_module!(colorsys, "colorsys.aio");
aio_module!(html, "html.aio");
aio_module!(html_entities, "html_entities.aio");
aio_module!(linecache, "linecache.aio");
aio_module!(timeit, "timeit.aio");

/// Initialises `concurrent`, the package that holds `concurrent.futures`.
pub fn concurrent(_vm: &mut aio_vm::Vm, _m: &aio_vm::Obj) -> aio_vm::PyResult<()> {
    Ok(())
}
