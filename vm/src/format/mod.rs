//! Python's formatting of numbers and strings as text — `repr(float)`, `format()` with the
//! format-spec mini-language, `str.format` templates and `%`-formatting — in pure Rust, with
//! CPython 3.11's results and error messages, and no knowledge of the VM's value types.
//!
//! # API
//!
//! Floats (`float_repr.rs`):
//! - [`float_repr`]`(x: f64) -> String` — `repr(x)` / `str(x)`.
//! - [`double_to_string`]`(x, FloatStyle, upper, precision, FloatFlags) -> String` — CPython's
//!   `PyOS_double_to_string`, the core of every float layout below.
//! - [`complex_repr`]`(re: f64, im: f64) -> String` — `repr(complex(re, im))`.
//!
//! Format specs (`spec.rs`, `number.rs`, `text.rs`), for `format(value, spec)`:
//! - [`FormatSpec::parse`]`(spec: &str, type_name: &str) -> Result<FormatSpec, FormatError>`
//!   (the type name goes into CPython's `Invalid format specifier ... for object of type 'T'`).
//! - [`format_int`]`(&BigInt, &FormatSpec, type_name)`, [`format_i64`]`(i64, ..)`,
//!   [`format_float`]`(f64, ..)`, [`format_complex`]`(re, im, ..)`, [`format_str`]`(&str, ..)`
//!   `-> Result<String, FormatError>`.
//!
//! An **empty** spec string means `str(value)` in CPython, before any parsing. For exact
//! `int`, `float` and `str` values that is what these functions return for
//! `FormatSpec::parse("")`, but for subclasses it is not (`format(True, '')` is `'True'`,
//! `format(True, 'd')` is `'1'`): the caller checks for the empty spec first.
//!
//! `str.format` templates (`template.rs`):
//! - [`Markup`]`::new(template)` iterates over [`MarkupPart`]s (literal text, then maybe a
//!   [`Field`]) one at a time, stopping at the first syntax error, so a caller can interleave
//!   lookups and rendering exactly as CPython does (its errors come in CPython's order).
//! - [`Field::split_name`]`(&mut AutoNumber)` resolves the field name: the first part
//!   ([`FieldKey`]: positional index, automatic number or keyword name) and a lazy
//!   [`Accessors`] iterator over `.attr` / `[key]` steps. [`Field::conversion`] checks
//!   `!r`/`!s`/`!a`. A field whose [`Field::spec_has_fields`] is set has a spec that is itself
//!   a template: render it with the same [`AutoNumber`] at `depth - 1`, calling
//!   [`check_depth`] first (top level is [`MAX_DEPTH`]).
//! - [`parse_template`]`(s) -> Result<Vec<TemplatePart>, FormatError>` does all of that
//!   eagerly (auto-numbering resolved, nested specs parsed) for callers that only need the
//!   structure; its errors are those CPython raises when every lookup succeeds.
//! - [`split_field_name`]`(name, None)` is `_string.formatter_field_name_split`. Lookups
//!   and their errors (`IndexError: Replacement index 3 out of range for positional args
//!   tuple`, `KeyError`, and for `format_map` `ValueError: Format string contains
//!   positional fields`) belong to the caller.
//!
//! `%`-formatting (`percent.rs`):
//! - [`percent_format`]`(fmt: &str, args: &mut A) -> Result<String, A::Error>` where
//!   `A:`[`PercentArgs`] is implemented by the caller to supply the right operand's shape,
//!   its items, mapping lookups and the conversions `str()`, `repr()`, `ascii()`, to integer
//!   and to float (integers come back as [`IntArg`], `i64` or `BigInt`). The trait's error
//!   type must be `From<FormatError>`, so the caller's own errors (a raised exception, a
//!   `KeyError`) pass through unchanged.
//!
//! Errors are [`FormatError`]s carrying the Python exception class and CPython's message.
//! [`decimal_value`] (Unicode decimal digits, which CPython accepts in widths and field
//! numbers) is public for the VM's own number parsing.
//!
//! # Where this differs from CPython
//!
//! - Only the `C` locale: `'n'` formats like `'d'`/`'g'` with no grouping.
//! - `%c` and `'c'` of a surrogate code point (U+D800..U+DFFF) give U+FFFD, as aio strings
//!   are valid Unicode.
//! - Integers with more than [`INT_MAX_STR_DIGITS`] decimal digits are refused as CPython's
//!   default `sys.set_int_max_str_digits` limit does; the limit cannot be changed.
//! - A width too large to allocate is `MemoryError` as in CPython, but it is checked before
//!   any work: with `0` padding and a grouping (`format(1, '09223372036854775807_')`) CPython
//!   counts separators for ever instead.

pub mod float_hex;
mod float_repr;
mod number;
mod percent;
mod spec;
mod template;
mod text;

#[cfg(test)]
mod test_cases;

pub use float_repr::{complex_repr, double_to_string, float_repr, FloatFlags, FloatStyle};
pub use number::{
    checked_decimal_digits, format_complex, format_float, format_i64, format_int,
    int_max_str_digits, set_int_max_str_digits, surely_too_many_digits, too_many_digits,
    INT_MAX_STR_DIGITS, INT_STR_DIGITS_THRESHOLD,
};
pub use percent::{percent_format, IntArg, PercentArgs, PercentShape};
pub use spec::{decimal_value, Align, FormatSpec, Grouping, Sign};
pub use template::{
    check_depth, parse_template, split_field_name, Accessor, Accessors, AutoNumber, Conversion,
    Field, FieldKey, Markup, MarkupPart, ParsedField, TemplatePart, MAX_DEPTH,
};
pub use text::format_str;

use std::fmt;

/// A formatting error: the Python exception class and CPython's exact message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// `ValueError(message)`.
    Value(String),
    /// `TypeError(message)`.
    Type(String),
    /// `OverflowError(message)`.
    Overflow(String),
    /// `MemoryError()`: the result would not fit in memory (a huge width).
    Memory,
}

impl FormatError {
    /// The Python exception class name: `ValueError`, `TypeError` or `OverflowError`.
    pub fn class_name(&self) -> &'static str {
        match self {
            FormatError::Value(_) => "ValueError",
            FormatError::Type(_) => "TypeError",
            FormatError::Overflow(_) => "OverflowError",
            FormatError::Memory => "MemoryError",
        }
    }

    /// The exception's message (empty for `MemoryError`).
    pub fn message(&self) -> &str {
        match self {
            FormatError::Value(m) | FormatError::Type(m) | FormatError::Overflow(m) => m,
            FormatError::Memory => "",
        }
    }

    fn value(message: impl Into<String>) -> Self {
        FormatError::Value(message.into())
    }
}

/// An empty string with room for `n` characters' worth of bytes, or `MemoryError` where
/// CPython's allocation of the result would fail too (`format(1, '9223372036854775807')`).
fn with_room(n: usize) -> Result<String, FormatError> {
    if crate::embed::limits::exceeds_memory(n) {
        return Err(FormatError::Memory);
    }
    let mut s = String::new();
    s.try_reserve(n).map_err(|_| FormatError::Memory)?;
    Ok(s)
}

/// Makes room for `n` more bytes in `out`, or `MemoryError` (see [`with_room`]).
fn reserve(out: &mut String, n: usize) -> Result<(), FormatError> {
    if crate::embed::limits::exceeds_memory(n) {
        return Err(FormatError::Memory);
    }
    out.try_reserve(n).map_err(|_| FormatError::Memory)
}

/// `ClassName: message`, as Python prints an exception.
impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.class_name(), self.message())
    }
}

impl std::error::Error for FormatError {}
