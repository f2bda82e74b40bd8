//! `str.format` templates: literal text and `{field_name!conversion:spec}` fields (CPython's
//! `MarkupIterator`, `parse_field`, `field_name_split` and `FieldNameIterator`).
//!
//! Everything is lazy, as in CPython: [`Markup`] parses one field at a time, and a field's
//! accessors are parsed one step at a time by [`Accessors`]. A renderer that looks values up
//! between the steps raises the same error first as CPython does.

use super::spec::decimal_value;
use super::FormatError;

/// The deepest template nesting: a field's spec may contain fields, whose specs may not
/// (`'{0:{1}}'` works, `'{0:{1:{2}}}'` raises `Max string recursion exceeded`).
pub const MAX_DEPTH: usize = 2;

/// Checks the nesting depth before rendering a template at `depth` (the top-level
/// template is at [`MAX_DEPTH`], a nested spec at one less).
pub fn check_depth(depth: usize) -> Result<(), FormatError> {
    if depth == 0 {
        Err(FormatError::value("Max string recursion exceeded"))
    } else {
        Ok(())
    }
}

/// One step of a template: literal text (possibly empty), then maybe a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkupPart<'a> {
    /// Literal text; an escaped brace (`{{` or `}}`) ends a part and contributes one brace.
    pub literal: &'a str,
    /// The replacement field after the literal, if any.
    pub field: Option<Field<'a>>,
}

/// A replacement field `{name!conversion:spec}`, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field<'a> {
    /// The field name, unparsed (`0`, `name.attr[key]`, empty for automatic numbering).
    pub name: &'a str,
    /// The character after `!`, unchecked (see [`Field::conversion`]).
    pub conversion_char: Option<char>,
    /// The format spec, unparsed.
    pub spec: &'a str,
    /// The spec contains `{`: it is a template to render (at depth - 1) before use.
    pub spec_has_fields: bool,
}

/// A field's `!` conversion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversion {
    /// `!s`: `str()`.
    Str,
    /// `!r`: `repr()`.
    Repr,
    /// `!a`: `ascii()`.
    Ascii,
}

/// The first part of a field name: which argument the field starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKey<'a> {
    /// A positional argument: written as digits, or numbered automatically.
    Index(usize),
    /// A keyword argument.
    Name(&'a str),
}

/// One `.attr` or `[key]` step after the first part of a field name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accessor<'a> {
    /// `.name`: `getattr(obj, name)`.
    Attr(&'a str),
    /// `[digits]`: `obj[int]`.
    Index(usize),
    /// `[text]` where the text is not all digits: `obj[str]`.
    Key(&'a str),
}

/// Automatic field numbering state, shared by a template and its nested specs.
#[derive(Clone, Debug, Default)]
pub struct AutoNumber {
    state: AutoState,
    next: usize,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum AutoState {
    #[default]
    Init,
    Auto,
    Manual,
}

/// Iterates over a template's [`MarkupPart`]s; after an error it ends.
#[derive(Clone, Debug)]
pub struct Markup<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Markup<'a> {
    /// Starts parsing `template`.
    pub fn new(template: &'a str) -> Self {
        Markup {
            s: template,
            pos: 0,
        }
    }

    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }

    fn bump(&mut self) -> char {
        let c = self.peek().unwrap_or('\0');
        self.pos += c.len_utf8();
        c
    }

    fn next_part(&mut self) -> Result<MarkupPart<'a>, FormatError> {
        let start = self.pos;
        let mut c = '\0';
        let mut markup_follows = false;
        while self.pos < self.s.len() {
            c = self.bump();
            if c == '{' || c == '}' {
                markup_follows = true;
                break;
            }
        }
        let at_end = self.pos >= self.s.len();
        let mut literal_end = self.pos;
        if c == '}' && (at_end || self.peek() != Some('}')) {
            return Err(FormatError::value(
                "Single '}' encountered in format string",
            ));
        }
        if at_end && c == '{' {
            return Err(FormatError::value(
                "Single '{' encountered in format string",
            ));
        }
        if !at_end {
            if self.peek() == Some(c) {
                // An escaped brace: the literal keeps the first one.
                self.pos += 1;
                markup_follows = false;
            } else {
                literal_end -= 1;
            }
        }
        let literal = &self.s[start..literal_end];
        let field = if markup_follows {
            Some(self.parse_field()?)
        } else {
            None
        };
        Ok(MarkupPart { literal, field })
    }

    /// Parses a field after its `{`, through its `}`.
    fn parse_field(&mut self) -> Result<Field<'a>, FormatError> {
        let s = self.s;
        let name_start = self.pos;
        let mut c = '\0';
        let mut ended = false;
        while self.pos < s.len() {
            c = self.bump();
            match c {
                '{' => return Err(FormatError::value("unexpected '{' in field name")),
                '[' => {
                    while self.pos < s.len() && self.peek() != Some(']') {
                        self.bump();
                    }
                }
                '}' | ':' | '!' => {
                    ended = true;
                    break;
                }
                _ => {}
            }
        }
        if !ended {
            return Err(FormatError::value("expected '}' before end of string"));
        }
        let name = &s[name_start..self.pos - 1];
        let mut field = Field {
            name,
            conversion_char: None,
            spec: "",
            spec_has_fields: false,
        };
        if c == '}' {
            return Ok(field);
        }
        if c == '!' {
            if self.pos >= s.len() {
                return Err(FormatError::value(
                    "end of string while looking for conversion specifier",
                ));
            }
            field.conversion_char = Some(self.bump());
            if self.pos < s.len() {
                match self.bump() {
                    '}' => return Ok(field),
                    ':' => {}
                    _ => {
                        return Err(FormatError::value(
                            "expected ':' after conversion specifier",
                        ))
                    }
                }
            }
        }
        let spec_start = self.pos;
        let mut count = 1;
        while self.pos < s.len() {
            match self.bump() {
                '{' => {
                    field.spec_has_fields = true;
                    count += 1;
                }
                '}' => {
                    count -= 1;
                    if count == 0 {
                        field.spec = &s[spec_start..self.pos - 1];
                        return Ok(field);
                    }
                }
                _ => {}
            }
        }
        Err(FormatError::value("unmatched '{' in format spec"))
    }
}

impl<'a> Iterator for Markup<'a> {
    type Item = Result<MarkupPart<'a>, FormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.s.len() {
            return None;
        }
        let part = self.next_part();
        if part.is_err() {
            self.pos = self.s.len();
        }
        Some(part)
    }
}

impl<'a> Field<'a> {
    /// Splits the field name into its first part and its accessors, numbering an empty
    /// first part automatically (CPython's `field_name_split`).
    pub fn split_name(
        &self,
        auto: &mut AutoNumber,
    ) -> Result<(FieldKey<'a>, Accessors<'a>), FormatError> {
        split_field_name(self.name, Some(auto))
    }

    /// The checked conversion: `Ok(None)` without `!`, CPython's `Unknown conversion
    /// specifier X` for anything but `s`, `r`, `a`. CPython checks it after looking the
    /// field's value up.
    pub fn conversion(&self) -> Result<Option<Conversion>, FormatError> {
        match self.conversion_char {
            None => Ok(None),
            Some('s') => Ok(Some(Conversion::Str)),
            Some('r') => Ok(Some(Conversion::Repr)),
            Some('a') => Ok(Some(Conversion::Ascii)),
            Some(c) => {
                let code = c as u32;
                Err(FormatError::Value(if code > 32 && code < 127 {
                    format!("Unknown conversion specifier {c}")
                } else {
                    format!("Unknown conversion specifier \\x{code:x}")
                }))
            }
        }
    }
}

/// Splits a field name (CPython's `field_name_split`; `_string.formatter_field_name_split`
/// when `auto` is `None`, where an empty first part stays the name `""`).
pub fn split_field_name<'a>(
    name: &'a str,
    auto: Option<&mut AutoNumber>,
) -> Result<(FieldKey<'a>, Accessors<'a>), FormatError> {
    let first_end = name.find(['.', '[']).unwrap_or(name.len());
    let first = &name[..first_end];
    let index = field_integer(first)?;
    let empty = first.is_empty();
    let mut key = match index {
        Some(i) => FieldKey::Index(i),
        None => FieldKey::Name(first),
    };
    if let Some(auto) = auto {
        let numeric = empty || index.is_some();
        if numeric {
            if auto.state == AutoState::Init {
                auto.state = if empty {
                    AutoState::Auto
                } else {
                    AutoState::Manual
                };
            }
            if auto.state == AutoState::Manual && empty {
                return Err(FormatError::value(
                    "cannot switch from manual field specification to automatic field numbering",
                ));
            }
            if auto.state != AutoState::Manual && !empty {
                return Err(FormatError::value(
                    "cannot switch from automatic field numbering to manual field specification",
                ));
            }
        }
        if empty {
            key = FieldKey::Index(auto.next);
            auto.next += 1;
        }
    }
    Ok((
        key,
        Accessors {
            rest: &name[first_end..],
            pos: 0,
        },
    ))
}

/// The integer a field name part spells in decimal digits, `None` if it is empty or has
/// another character (CPython's `get_integer` in `unicode_format.h`).
fn field_integer(s: &str) -> Result<Option<usize>, FormatError> {
    if s.is_empty() {
        return Ok(None);
    }
    let mut value: usize = 0;
    for c in s.chars() {
        let Some(d) = decimal_value(c) else {
            return Ok(None);
        };
        let d = d as usize;
        if value > (isize::MAX as usize - d) / 10 {
            return Err(FormatError::value(
                "Too many decimal digits in format string",
            ));
        }
        value = value * 10 + d;
    }
    Ok(Some(value))
}

/// The `.attr` / `[key]` steps of a field name, parsed one at a time; after an error it
/// ends.
#[derive(Clone, Debug)]
pub struct Accessors<'a> {
    rest: &'a str,
    pos: usize,
}

impl<'a> Accessors<'a> {
    fn next_accessor(&mut self) -> Result<Accessor<'a>, FormatError> {
        let s = self.rest;
        let c = s[self.pos..].chars().next().unwrap_or('\0');
        self.pos += c.len_utf8();
        let start = self.pos;
        let accessor = match c {
            '.' => {
                let end = s[start..].find(['.', '[']).map_or(s.len(), |i| start + i);
                self.pos = end;
                Accessor::Attr(&s[start..end])
            }
            '[' => {
                let Some(i) = s[start..].find(']') else {
                    return Err(FormatError::value("Missing ']' in format string"));
                };
                let text = &s[start..start + i];
                self.pos = start + i + 1;
                match field_integer(text)? {
                    Some(n) => Accessor::Index(n),
                    None => Accessor::Key(text),
                }
            }
            _ => {
                return Err(FormatError::value(
                    "Only '.' or '[' may follow ']' in format field specifier",
                ))
            }
        };
        if matches!(accessor, Accessor::Attr("") | Accessor::Key("")) {
            return Err(FormatError::value("Empty attribute in format string"));
        }
        Ok(accessor)
    }
}

impl<'a> Iterator for Accessors<'a> {
    type Item = Result<Accessor<'a>, FormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.rest.len() {
            return None;
        }
        let step = self.next_accessor();
        if step.is_err() {
            self.pos = self.rest.len();
        }
        Some(step)
    }
}

/// A template part with everything resolved, from [`parse_template`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplatePart<'a> {
    /// Literal text (never empty).
    Literal(&'a str),
    /// A replacement field.
    Field(ParsedField<'a>),
}

/// A replacement field with its name split, its auto-number assigned, its conversion
/// checked and its spec parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedField<'a> {
    /// Which argument.
    pub key: FieldKey<'a>,
    /// The `.attr` / `[key]` steps applied to it, in order.
    pub accessors: Vec<Accessor<'a>>,
    /// The conversion, if any.
    pub conversion: Option<Conversion>,
    /// The spec as a template: empty, one literal, or literals and nested fields to render
    /// and concatenate.
    pub spec: Vec<TemplatePart<'a>>,
}

/// Parses a whole `str.format` template eagerly: the errors are those CPython raises when
/// every lookup succeeds, in the same order.
pub fn parse_template(template: &str) -> Result<Vec<TemplatePart<'_>>, FormatError> {
    parse_level(template, MAX_DEPTH, &mut AutoNumber::default())
}

fn parse_level<'a>(
    template: &'a str,
    depth: usize,
    auto: &mut AutoNumber,
) -> Result<Vec<TemplatePart<'a>>, FormatError> {
    check_depth(depth)?;
    let mut parts = Vec::new();
    for part in Markup::new(template) {
        let part = part?;
        if !part.literal.is_empty() {
            parts.push(TemplatePart::Literal(part.literal));
        }
        let Some(field) = part.field else { continue };
        let (key, accessors) = field.split_name(auto)?;
        let accessors = accessors.collect::<Result<Vec<_>, _>>()?;
        let conversion = field.conversion()?;
        let spec = if field.spec_has_fields {
            parse_level(field.spec, depth - 1, auto)?
        } else if field.spec.is_empty() {
            Vec::new()
        } else {
            vec![TemplatePart::Literal(field.spec)]
        };
        parts.push(TemplatePart::Field(ParsedField {
            key,
            accessors,
            conversion,
            spec,
        }));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::test_cases::{cases, check_all, Value};

    fn enc(s: Option<&str>) -> String {
        match s {
            None => "~".to_string(),
            Some(s) => format!("'{}", s.replace('\\', "\\\\").replace('|', "\\|")),
        }
    }

    #[test]
    fn parser_matches_formatter_parser() {
        check_all("template_parse", |c| {
            let mut items = Vec::new();
            for part in Markup::new(c.input(0)) {
                let part = part.map_err(|e| e.to_string())?;
                items.push(enc(Some(part.literal)));
                match part.field {
                    None => items.extend(["~".to_string(), "~".to_string(), "~".to_string()]),
                    Some(f) => {
                        items.push(enc(Some(f.name)));
                        items.push(enc(Some(f.spec)));
                        items.push(enc(f.conversion_char.map(String::from).as_deref()));
                    }
                }
            }
            Ok(items.join("|"))
        });
    }

    #[test]
    fn names_match_formatter_field_name_split() {
        check_all("template_name", |c| {
            let (key, accessors) = split_field_name(c.input(0), None).map_err(|e| e.to_string())?;
            let mut items = vec![match key {
                FieldKey::Index(i) => format!("#{i}"),
                FieldKey::Name(n) => format!("'{n}"),
            }];
            for a in accessors {
                items.push(match a.map_err(|e| e.to_string())? {
                    Accessor::Attr(n) => format!(".{n}"),
                    Accessor::Index(i) => format!("[#{i}"),
                    Accessor::Key(k) => format!("['{k}"),
                });
            }
            Ok(items.join("|"))
        });
    }

    /// The positional and keyword arguments of the `template_format` cases.
    fn format_args() -> (Vec<Value>, Vec<(Value, Value)>) {
        let case = cases("format_args").next().expect("a format_args line");
        let (Value::Tuple(args), Value::Dict(kwargs)) =
            (Value::parse(case.raw(0)), Value::parse(case.raw(1)))
        else {
            panic!("format_args holds a tuple and a dict");
        };
        (args, kwargs)
    }

    fn lookup(
        key: FieldKey<'_>,
        args: &[Value],
        kwargs: &[(Value, Value)],
    ) -> Result<Value, String> {
        match key {
            FieldKey::Index(i) => args.get(i).cloned().ok_or_else(|| {
                format!("IndexError: Replacement index {i} out of range for positional args tuple")
            }),
            FieldKey::Name(n) => Value::Dict(kwargs.to_vec()).get_key(n),
        }
    }

    fn access(obj: Value, accessor: Accessor<'_>) -> Result<Value, String> {
        match accessor {
            Accessor::Attr(n) => obj.get_attr(n),
            Accessor::Index(i) => obj.get_index(i),
            Accessor::Key(k) => obj.get_key(k),
        }
    }

    fn convert(obj: Value, conversion: Option<Conversion>) -> Result<Value, String> {
        Ok(match conversion {
            None => obj,
            Some(Conversion::Str) => Value::Str(obj.str()?),
            Some(Conversion::Repr) => Value::Str(obj.repr(false)?),
            Some(Conversion::Ascii) => Value::Str(obj.repr(true)?),
        })
    }

    /// `template.format(*args, **kwargs)` with the lazy API, as CPython's `build_string`.
    fn render(
        template: &str,
        depth: usize,
        auto: &mut AutoNumber,
        args: &[Value],
        kwargs: &[(Value, Value)],
    ) -> Result<String, String> {
        let e = |e: FormatError| e.to_string();
        check_depth(depth).map_err(e)?;
        let mut out = String::new();
        for part in Markup::new(template) {
            let part = part.map_err(e)?;
            out.push_str(part.literal);
            let Some(field) = part.field else { continue };
            let (key, accessors) = field.split_name(auto).map_err(e)?;
            let mut obj = lookup(key, args, kwargs)?;
            for a in accessors {
                obj = access(obj, a.map_err(e)?)?;
            }
            obj = convert(obj, field.conversion().map_err(e)?)?;
            let spec = if field.spec_has_fields {
                render(field.spec, depth - 1, auto, args, kwargs)?
            } else {
                field.spec.to_string()
            };
            out.push_str(&obj.format(&spec)?);
        }
        Ok(out)
    }

    /// The same with the eager [`parse_template`] result.
    fn render_parsed(
        parts: &[TemplatePart<'_>],
        args: &[Value],
        kwargs: &[(Value, Value)],
    ) -> Result<String, String> {
        let mut out = String::new();
        for part in parts {
            match part {
                TemplatePart::Literal(s) => out.push_str(s),
                TemplatePart::Field(f) => {
                    let mut obj = lookup(f.key, args, kwargs)?;
                    for a in &f.accessors {
                        obj = access(obj, *a)?;
                    }
                    obj = convert(obj, f.conversion)?;
                    let spec = render_parsed(&f.spec, args, kwargs)?;
                    out.push_str(&obj.format(&spec)?);
                }
            }
        }
        Ok(out)
    }

    #[test]
    fn format_matches_str_format() {
        let (args, kwargs) = format_args();
        check_all("template_format", |c| {
            render(
                c.input(0),
                MAX_DEPTH,
                &mut AutoNumber::default(),
                &args,
                &kwargs,
            )
        });
    }

    #[test]
    fn eager_parse_agrees_with_str_format() {
        let (args, kwargs) = format_args();
        check_all("template_format", |c| {
            let lazy = render(
                c.input(0),
                MAX_DEPTH,
                &mut AutoNumber::default(),
                &args,
                &kwargs,
            );
            match parse_template(c.input(0)) {
                // Lookups happen after parsing: the outcome is the same when CPython
                // succeeds or fails on the template itself.
                Ok(parts) => match render_parsed(&parts, &args, &kwargs) {
                    Ok(s) => Ok(s),
                    Err(_) if lazy.is_err() => lazy,
                    Err(e) => Err(e),
                },
                Err(e) if lazy.is_ok() => Err(format!("parse_template failed: {e}")),
                Err(_) => lazy,
            }
        });
    }
}
