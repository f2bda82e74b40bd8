//! `format()` of a str: fill, alignment, width and truncation to the precision
//! (CPython's `format_string_internal`).

use super::number::{push_fill, unknown_code};
use super::spec::{Align, FormatSpec, Sign};
use super::{with_room, FormatError};

/// `format(value, spec)` for a str; `type_name` goes into error messages. Widths and
/// precisions count characters (code points).
pub fn format_str(value: &str, spec: &FormatSpec, type_name: &str) -> Result<String, FormatError> {
    let kind = spec.kind.unwrap_or('s');
    spec.group_by(kind)?;
    if kind != 's' {
        return Err(unknown_code(kind, type_name));
    }
    match spec.sign {
        Some(Sign::Space) => {
            return Err(FormatError::value(
                "Space not allowed in string format specifier",
            ))
        }
        Some(_) => {
            return Err(FormatError::value(
                "Sign not allowed in string format specifier",
            ))
        }
        None => {}
    }
    if spec.no_neg_0 {
        return Err(FormatError::value(
            "Negative zero coercion (z) not allowed in string format specifier",
        ));
    }
    if spec.alternate {
        return Err(FormatError::value(
            "Alternate form (#) not allowed in string format specifier",
        ));
    }
    let (fill, align) = spec.fill_align(Align::Left);
    if align == Align::AfterSign {
        return Err(FormatError::value(
            "'=' alignment not allowed in string format specifier",
        ));
    }
    let (text, len) = match spec.precision {
        Some(p) => match value.char_indices().nth(p) {
            Some((end, _)) => (&value[..end], p),
            None => (value, value.chars().count()),
        },
        None => (value, value.chars().count()),
    };
    let padding = spec.width.unwrap_or(0).saturating_sub(len);
    let left = match align {
        Align::Right => padding,
        Align::Center => padding / 2,
        Align::Left | Align::AfterSign => 0,
    };
    let mut out = with_room(text.len() + padding)?;
    push_fill(&mut out, fill, left);
    out.push_str(text);
    push_fill(&mut out, fill, padding - left);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::test_cases::check_all;

    #[test]
    fn str_specs_match_cpython() {
        check_all("format_str", |c| {
            let spec = FormatSpec::parse(c.input(1), "str").map_err(|e| e.to_string())?;
            format_str(c.input(0), &spec, "str").map_err(|e| e.to_string())
        });
    }
}
