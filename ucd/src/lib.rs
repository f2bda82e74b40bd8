//! The Unicode Character Database as CPython 3.11's `unicodedata` module sees it (Unicode
//! 14.0.0): character properties, names (with aliases and named sequences) and the four
//! normalization forms, answering exactly as CPython does.
//!
//! The tables in `tables/` are generated from CPython's own `unicodedata` by
//! `tests/tools/gen_unicodedata.py`. This crate depends on nothing, so the lexer (`\N{...}`
//! escapes, NFKC of identifiers), `re` (`\N{...}`) and the `unicodedata` module share it.
//!
//! ```
//! use aio_ucd::{lookup, name, normalize, Form, Found};
//!
//! assert_eq!(aio_ucd::category('A'), "Lu");
//! assert_eq!(name('\u{e9}').as_deref(), Some("LATIN SMALL LETTER E WITH ACUTE"));
//! assert_eq!(lookup(b"latin small letter e with acute", false), Some(Found::Char('\u{e9}')));
//! assert_eq!(normalize(Form::Nfd, "\u{e9}"), "e\u{301}");
//! ```

mod names;
mod normalize;
mod properties;

mod tables {
    pub(crate) mod names;
    pub(crate) mod properties;
}

pub use names::{lookup, name, Found};
pub use normalize::{is_normalized, normalize, Form};
pub use properties::{
    bidirectional, category, combining, decimal, decomposition, digit, east_asian_width, mirrored,
    numeric,
};

/// The version of the Unicode database (`unicodedata.unidata_version`).
pub const UNIDATA_VERSION: &str = "14.0.0";
