//! `unicodedata`, native: CPython 3.11's module (Unicode 14.0.0) over the database of the
//! `aio-ucd` crate, with CPython's argument checks and messages. Not provided: the Unicode
//! 3.2 database `ucd_3_2_0` (its `UCD` class) and the `_ucnhash_CAPI` capsule.

use aio_ucd::{Form, Found};
use aio_vm::builtins::bytes_like;
use aio_vm::module::{arg_type_name, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};

/// CPython's `NAME_MAXLEN`: longer names are refused before any search.
const NAME_MAXLEN: usize = 256;

/// Initialises `unicodedata`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let mut b = ModuleBuilder::new(vm, m);
    b.function("decimal", decimal)
        .function("digit", digit)
        .function("numeric", numeric)
        .function("category", category)
        .function("bidirectional", bidirectional)
        .function("combining", combining)
        .function("mirrored", mirrored)
        .function("east_asian_width", east_asian_width)
        .function("decomposition", decomposition)
        .function("name", name)
        .function("lookup", lookup)
        .function("normalize", normalize)
        .function("is_normalized", is_normalized)
        .constant("unidata_version", aio_ucd::UNIDATA_VERSION);
    Ok(())
}

/// The one character of a `str` argument, or the `TypeError` CPython gives: `argument`
/// names it as the function's declaration does (`argument` for a one-argument function,
/// `argument 1` for those with a default).
fn one_char(vm: &mut Vm, v: &Value, fname: &str, argument: &str) -> PyResult<char> {
    if let Some(s) = v.as_str() {
        let mut chars = s.as_str().chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(c);
        }
    }
    let t = arg_type_name(vm, v);
    Err(vm.new_type_error(format!(
        "{fname}() {argument} must be a unicode character, not {t}"
    )))
}

/// The character of a function taking exactly one (`category(chr, /)`, `METH_O`).
fn only_char(vm: &mut Vm, a: &Args, fname: &str) -> PyResult<char> {
    let qualified = format!("unicodedata.{fname}");
    a.no_kwargs(vm, &qualified)?;
    a.check_count(vm, &qualified, 1, 1)?;
    one_char(vm, &a.pos[0], fname, "argument")
}

/// The character and default of `decimal(chr, default=<unrepresentable>, /)` and its kin.
fn char_and_default<'a>(
    vm: &mut Vm,
    a: &Args<'a>,
    fname: &str,
) -> PyResult<(char, Option<&'a Value>)> {
    a.no_kwargs(vm, &format!("unicodedata.{fname}"))?;
    a.check_count(vm, fname, 1, 2)?;
    let c = one_char(vm, &a.pos[0], fname, "argument 1")?;
    Ok((c, a.pos.get(1)))
}

/// `value`, else the default, else `ValueError(message)`.
fn or_default(
    vm: &mut Vm,
    value: Option<Value>,
    default: Option<&Value>,
    message: &str,
) -> PyResult {
    match (value, default) {
        (Some(v), _) => Ok(v),
        (None, Some(d)) => Ok(d.clone()),
        (None, None) => Err(vm.new_value_error(message)),
    }
}

fn decimal(vm: &mut Vm, a: Args) -> PyResult {
    let (c, default) = char_and_default(vm, &a, "decimal")?;
    let v = aio_ucd::decimal(c).map(|d| Value::Int(d as i64));
    or_default(vm, v, default, "not a decimal")
}

fn digit(vm: &mut Vm, a: Args) -> PyResult {
    let (c, default) = char_and_default(vm, &a, "digit")?;
    let v = aio_ucd::digit(c).map(|d| Value::Int(d as i64));
    or_default(vm, v, default, "not a digit")
}

fn numeric(vm: &mut Vm, a: Args) -> PyResult {
    let (c, default) = char_and_default(vm, &a, "numeric")?;
    let v = aio_ucd::numeric(c).map(Value::float);
    or_default(vm, v, default, "not a numeric character")
}

fn name(vm: &mut Vm, a: Args) -> PyResult {
    let (c, default) = char_and_default(vm, &a, "name")?;
    let v = aio_ucd::name(c).map(Value::str);
    or_default(vm, v, default, "no such name")
}

fn category(vm: &mut Vm, a: Args) -> PyResult {
    let c = only_char(vm, &a, "category")?;
    Ok(Value::str(aio_ucd::category(c)))
}

fn bidirectional(vm: &mut Vm, a: Args) -> PyResult {
    let c = only_char(vm, &a, "bidirectional")?;
    Ok(Value::str(aio_ucd::bidirectional(c)))
}

fn combining(vm: &mut Vm, a: Args) -> PyResult {
    let c = only_char(vm, &a, "combining")?;
    Ok(Value::Int(aio_ucd::combining(c) as i64))
}

fn mirrored(vm: &mut Vm, a: Args) -> PyResult {
    let c = only_char(vm, &a, "mirrored")?;
    Ok(Value::Int(aio_ucd::mirrored(c) as i64))
}

fn east_asian_width(vm: &mut Vm, a: Args) -> PyResult {
    let c = only_char(vm, &a, "east_asian_width")?;
    Ok(Value::str(aio_ucd::east_asian_width(c)))
}

fn decomposition(vm: &mut Vm, a: Args) -> PyResult {
    let c = only_char(vm, &a, "decomposition")?;
    Ok(Value::str(aio_ucd::decomposition(c)))
}

/// `lookup(name, /)`: `name` is a `str` or read-only bytes (CPython's `s#` converter).
fn lookup(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "unicodedata.lookup")?;
    a.check_count(vm, "unicodedata.lookup", 1, 1)?;
    let arg = &a.pos[0];
    let name: Vec<u8> = if let Some(s) = arg.as_str() {
        s.as_str().as_bytes().to_vec()
    } else if let Some(Payload::Bytes(b)) = arg.payload() {
        b.to_vec()
    } else {
        bytes_like(vm, arg)?;
        let t = vm.type_name(arg);
        return Err(vm.new_type_error(format!(
            "lookup() argument must be read-only bytes-like object, not {t}"
        )));
    };
    if name.len() > NAME_MAXLEN {
        return Err(vm.new_key_error(Value::str("name too long")));
    }
    match aio_ucd::lookup(&name, true) {
        Some(Found::Char(c)) => Ok(Value::str(c.to_string())),
        Some(Found::Sequence(s)) => Ok(Value::str(s)),
        None => {
            // CPython formats the name with `%s`: it ends at a NUL byte.
            let shown = name.split(|&b| b == 0).next().unwrap_or_default();
            let msg = format!(
                "undefined character name '{}'",
                String::from_utf8_lossy(shown)
            );
            Err(vm.new_key_error(Value::str(msg)))
        }
    }
}

/// The `(form, unistr, /)` arguments of `normalize` and `is_normalized`: the form (`None`
/// when it is no form's name) and the string.
fn form_and_text<'a>(
    vm: &mut Vm,
    a: &Args<'a>,
    fname: &str,
) -> PyResult<(Option<Form>, &'a Value)> {
    a.no_kwargs(vm, &format!("unicodedata.{fname}"))?;
    a.check_count(vm, fname, 2, 2)?;
    let mut strs = [""; 2];
    for (i, v) in a.pos.iter().enumerate() {
        match v.as_str() {
            Some(s) => strs[i] = s.as_str(),
            None => {
                let t = arg_type_name(vm, v);
                return Err(
                    vm.new_type_error(format!("{fname}() argument {} must be str, not {t}", i + 1))
                );
            }
        }
    }
    Ok((Form::from_name(strs[0]), &a.pos[1]))
}

/// The text of a value known to be a `str`.
fn text_of(v: &Value) -> &str {
    v.as_str().map_or("", |s| s.as_str())
}

fn normalize(vm: &mut Vm, a: Args) -> PyResult {
    let (form, input) = form_and_text(vm, &a, "normalize")?;
    let text = text_of(input);
    if text.is_empty() {
        return Ok(input.clone());
    }
    let Some(form) = form else {
        return Err(vm.new_value_error("invalid normalization form"));
    };
    Ok(match aio_ucd::normalize(form, text) {
        std::borrow::Cow::Borrowed(_) => input.clone(),
        std::borrow::Cow::Owned(s) => Value::str(s),
    })
}

fn is_normalized(vm: &mut Vm, a: Args) -> PyResult {
    let (form, input) = form_and_text(vm, &a, "is_normalized")?;
    let text = text_of(input);
    if text.is_empty() {
        return Ok(Value::bool(true));
    }
    let Some(form) = form else {
        return Err(vm.new_value_error("invalid normalization form"));
    };
    Ok(Value::bool(aio_ucd::is_normalized(form, text)))
}
