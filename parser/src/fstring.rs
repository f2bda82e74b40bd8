//! Parses the fields of an f-string: the lexer splits the literal into text and fields, and
//! each field's expression is parsed here as CPython 3.11 does, as if in parentheses.

use crate::ast::{Expr, FStringElement};
use aio_lexer::fstring::{self as split, FStringPart};
use aio_lexer::{FStringToken, SyntaxError};

/// Parses an f-string token into its elements. Literal text is already decoded; a
/// self-documenting field `{x=}` becomes the literal `x=` followed by the field, with a
/// `!r` conversion unless a conversion or format spec is given.
pub fn parse(tok: &FStringToken<'_>) -> Result<Vec<FStringElement>, SyntaxError> {
    let parts = split::split(tok)?;
    convert(tok, parts)
}

fn convert(
    tok: &FStringToken<'_>,
    parts: Vec<FStringPart>,
) -> Result<Vec<FStringElement>, SyntaxError> {
    let mut out = Vec::with_capacity(parts.len());
    for part in parts {
        match part {
            FStringPart::Literal { value, .. } => {
                if !value.is_empty() {
                    out.push(FStringElement::Literal(value));
                }
            }
            FStringPart::Field(field) => {
                let start = (field.expr.start - tok.body_start) as usize;
                let end = (field.expr.end - tok.body_start) as usize;
                let text = &tok.body[start..end];
                let value = parse_field(text, field.expr.start)?;
                let format_spec = match field.format_spec {
                    Some(spec) => Some(convert(tok, spec)?),
                    None => None,
                };
                let mut conversion = field.conversion;
                if let Some(debug) = field.debug_text {
                    out.push(FStringElement::Literal(debug));
                    if conversion.is_none() && format_spec.is_none() {
                        conversion = Some('r');
                    }
                }
                out.push(FStringElement::Formatted {
                    value: Box::new(value),
                    conversion,
                    format_spec,
                });
            }
        }
    }
    Ok(out)
}

fn parse_field(text: &str, offset: u32) -> Result<Expr, SyntaxError> {
    crate::parse_expression_at(text, offset).map_err(|mut e| {
        if !e.message.starts_with("f-string") {
            e.message = format!("f-string: {}", e.message);
        }
        e
    })
}
