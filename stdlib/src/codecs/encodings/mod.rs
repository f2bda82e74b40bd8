//! The `encodings` package: CPython 3.11's `Lib/encodings/__init__.py` (the search
//! function that `_codecs` registers first) and the codec modules a script commonly
//! needs, each CPython's file unchanged: the UTF codecs (`utf_8`, `utf_8_sig`, `utf_16`
//! and `utf_32` with their `_le`/`_be` forms), `ascii`, `latin_1`, `cp1252`, `cp437`
//! (the code page of ZIP file names), `charmap`,
//! `unicode_escape`, `raw_unicode_escape`, and the bytes-to-bytes and str-to-str codecs
//! `hex_codec`, `base64_codec`, `zlib_codec`, `quopri_codec` and `rot_13`.

use aio_vm::{Obj, PyResult, Value, Vm};

/// Declares `pub fn $name(vm, m)`, the initialiser of submodule `encodings.$file`.
macro_rules! submodule {
    ($($name:ident),* $(,)?) => {
        $(
            #[doc = concat!("Initialises `encodings.", stringify!($name), "`.")]
            pub fn $name(vm: &mut Vm, m: &Obj) -> PyResult<()> {
                crate::source::run(
                    vm,
                    m,
                    &[(
                        concat!("codecs/encodings/", stringify!($name), ".aio"),
                        include_str!(concat!(stringify!($name), ".aio")),
                    )],
                )
            }
        )*

        /// The submodules, under their full names, with their initialisers.
        pub const SUBMODULES: &[(&str, aio_vm::vm::ModuleInit)] = &[
            $((concat!("encodings.", stringify!($name)), $name),)*
        ];
    };
}

submodule!(
    aliases,
    ascii,
    base64_codec,
    charmap,
    cp1252,
    cp437,
    hex_codec,
    latin_1,
    quopri_codec,
    raw_unicode_escape,
    rot_13,
    unicode_escape,
    utf_16,
    utf_16_be,
    utf_16_le,
    utf_32,
    utf_32_be,
    utf_32_le,
    utf_8,
    utf_8_sig,
    zlib_codec,
);

/// Initialises `encodings`, the package: `from . import aliases` resolves against
/// `__package__`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("a module has globals");
    vm.dict_set_str(&g, "__package__", Value::str("encodings"));
    crate::source::run(
        vm,
        m,
        &[(
            "codecs/encodings/__init__.aio",
            include_str!("__init__.aio"),
        )],
    )
}
