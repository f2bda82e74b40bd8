//! Formatting entry points: f-string fields (`FormatValue`), `format()`, `str.format` and
//! `%`-formatting, dispatching to `__format__` for user classes and to the `format`
//! module's spec engine for built-in types.

use crate::format::{self as fmt, FormatError, FormatSpec, IntArg, PercentArgs, PercentShape};
use crate::native::Args;
use crate::object::Payload;
use crate::str::Str;
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

/// The spec argument of a `__format__` method (`pos[1]`, `""` when absent), which must be a
/// str (`__format__() argument must be str, not int`).
pub(crate) fn spec_arg(vm: &mut Vm, a: &Args) -> PyResult<Value> {
    match a.get(1) {
        None => Ok(Value::str("")),
        Some(v) if v.as_str().is_some() => Ok(v.clone()),
        Some(v) => Err(vm.new_type_error(format!(
            "__format__() argument must be str, not {}",
            vm.type_name(v)
        ))),
    }
}

impl Vm {
    /// `FormatValue`: conversion (0 none, 1 str, 2 repr, 3 ascii) then `format(v, spec)`.
    pub(crate) fn format_value(&mut self, v: Value, conv: u32, spec: Option<Value>) -> PyResult {
        let v = match conv {
            1 => Value::Str(self.to_str(&v)?),
            2 => Value::Str(self.repr(&v)?),
            3 => {
                let r = self.repr(&v)?;
                Value::str(super::repr::ascii_escape(r.as_str()))
            }
            _ => v,
        };
        let spec_s = match &spec {
            Some(s) => match s.as_str() {
                Some(x) => Some(x.clone()),
                None => return Err(self.new_type_error("format spec must be a string")),
            },
            None => None,
        };
        let spec_text = spec_s.as_ref().map_or("", |s| s.as_str());
        if spec_text.is_empty() {
            if let Value::Str(_) = v {
                return Ok(v);
            }
            if !self.is_heap(&v) {
                return self.to_str(&v).map(Value::Str);
            }
        }
        if self.is_heap(&v) {
            let cls = self.class_of(&v).clone();
            if let Some(f) = crate::types::lookup(&cls, &self.names.__format__.clone()) {
                let spec_v = Value::Str(spec_s.unwrap_or_else(|| Rc::new(Str::new(String::new()))));
                let r = self.call_slot(&f, &[v.clone(), spec_v])?;
                return match r.as_str() {
                    Some(_) => Ok(r),
                    None => Err(self.new_type_error(format!(
                        "__format__ must return a str, not {}",
                        self.type_name(&r)
                    ))),
                };
            }
        }
        format_spec(self, &v, spec_text).map(Value::str)
    }

    /// REPL echo: `repr` of non-`None` results, bound to `builtins._`.
    pub(crate) fn print_expr(&mut self, v: &Value) -> PyResult<()> {
        if v.is_none() {
            return Ok(());
        }
        let r = self.repr(v)?;
        self.write_stdout(r.as_str());
        self.write_stdout("\n");
        super::set_builtin(self, "_", v.clone());
        Ok(())
    }
}

/// Converts a formatting error into the Python exception it stands for.
pub fn format_error(vm: &Vm, e: FormatError) -> crate::value::Obj {
    let cls = match &e {
        FormatError::Value(_) => vm.exc.value_error.clone(),
        FormatError::Type(_) => vm.exc.type_error.clone(),
        FormatError::Overflow(_) => vm.exc.overflow_error.clone(),
        FormatError::Memory => return vm.new_exception(&vm.exc.memory_error.clone(), vec![]),
    };
    vm.new_exception_msg(&cls, e.message().to_string())
}

/// `format(v, spec)` for built-in values.
pub fn format_spec(vm: &mut Vm, v: &Value, spec: &str) -> PyResult<String> {
    if spec.is_empty() {
        return Ok(vm.to_str(v)?.as_str().to_string());
    }
    // The type's name, for error messages (built-in values' without a lookup).
    let tn: std::borrow::Cow<str> = match v {
        Value::Int(_) => "int".into(),
        Value::Bool(_) => "bool".into(),
        Value::Float(_) => "float".into(),
        Value::Str(_) => "str".into(),
        _ => vm.type_name(v).into(),
    };
    format_builtin(vm, v, spec, &tn)
}

/// `format(v, spec)` for a built-in value with a non-empty `spec`; `tn` is the type name
/// for error messages (a subclass's, when `v` is its built-in value).
pub fn format_builtin(vm: &mut Vm, v: &Value, spec: &str, tn: &str) -> PyResult<String> {
    let parsed = |vm: &Vm| FormatSpec::parse(spec, tn).map_err(|e| format_error(vm, e));
    let r = match v {
        Value::Int(i) => fmt::format_i64(*i, &parsed(vm)?, tn),
        Value::Bool(b) => fmt::format_i64(b.get() as i64, &parsed(vm)?, tn),
        Value::Float(f) => fmt::format_float(f.get(), &parsed(vm)?, tn),
        Value::Str(s) => fmt::format_str(s.as_str(), &parsed(vm)?, tn),
        Value::Obj(o) => match &o.payload {
            Payload::Int(b) => fmt::format_int(b, &parsed(vm)?, tn),
            Payload::Float(f) => fmt::format_float(*f, &parsed(vm)?, tn),
            Payload::Str(s) => fmt::format_str(s.as_str(), &parsed(vm)?, tn),
            Payload::Complex(re, im) => fmt::format_complex(*re, *im, &parsed(vm)?, tn),
            _ => {
                return Err(vm.new_type_error(format!(
                    "unsupported format string passed to {tn}.__format__"
                )));
            }
        },
        Value::None => {
            return Err(vm.new_type_error("unsupported format string passed to NoneType.__format__"))
        }
    };
    r.map_err(|e| format_error(vm, e))
}

/// `str.format(*args, **kwargs)` / `format_map(mapping)`.
pub fn str_format(
    vm: &mut Vm,
    template: &str,
    args: &[Value],
    kw: &[(Rc<Str>, Value)],
    mapping: Option<&Value>,
) -> PyResult<String> {
    let mut auto = fmt::AutoNumber::default();
    render_template(vm, template, args, kw, mapping, &mut auto, fmt::MAX_DEPTH)
}

fn render_template(
    vm: &mut Vm,
    template: &str,
    args: &[Value],
    kw: &[(Rc<Str>, Value)],
    mapping: Option<&Value>,
    auto: &mut fmt::AutoNumber,
    depth: usize,
) -> PyResult<String> {
    fmt::check_depth(depth).map_err(|e| format_error(vm, e))?;
    let mut out = String::new();
    for part in fmt::Markup::new(template) {
        let part = part.map_err(|e| format_error(vm, e))?;
        out.push_str(part.literal);
        let Some(field) = part.field else { continue };
        let (key, accessors) = field.split_name(auto).map_err(|e| format_error(vm, e))?;
        let mut value = match key {
            fmt::FieldKey::Index(i) => {
                if mapping.is_some() {
                    return Err(vm.new_value_error("Format string contains positional fields"));
                }
                match args.get(i) {
                    Some(v) => v.clone(),
                    None => {
                        return Err(vm.new_index_error(format!(
                            "Replacement index {i} out of range for positional args tuple"
                        )))
                    }
                }
            }
            fmt::FieldKey::Name(n) => match mapping {
                Some(m) => vm.getitem(m, &Value::str(n))?,
                None => match kw.iter().find(|(k, _)| k.as_str() == n) {
                    Some((_, v)) => v.clone(),
                    None => return Err(vm.new_key_error(Value::str(n))),
                },
            },
        };
        for acc in accessors {
            let acc = acc.map_err(|e| format_error(vm, e))?;
            value = match acc {
                fmt::Accessor::Attr(a) => {
                    let n = vm.intern(a);
                    vm.get_attr(&value, &n)?
                }
                fmt::Accessor::Index(i) => vm.getitem(&value, &Value::Int(i as i64))?,
                fmt::Accessor::Key(k) => vm.getitem(&value, &Value::str(k))?,
            };
        }
        let conv = match field.conversion().map_err(|e| format_error(vm, e))? {
            None => 0,
            Some(fmt::Conversion::Str) => 1,
            Some(fmt::Conversion::Repr) => 2,
            Some(fmt::Conversion::Ascii) => 3,
        };
        if field.spec_has_fields {
            let spec = render_template(vm, field.spec, args, kw, mapping, auto, depth - 1)?;
            format_into(vm, &mut out, value, conv, &spec)?;
        } else {
            format_into(vm, &mut out, value, conv, field.spec)?;
        }
    }
    Ok(out)
}

/// Appends `format(value, spec)` (after conversion `conv`, as [`Vm::format_value`]) to
/// `out`: built-in values are formatted straight from the spec text, without a `str`
/// object for the spec or the result.
fn format_into(vm: &mut Vm, out: &mut String, value: Value, conv: u32, spec: &str) -> PyResult<()> {
    if conv == 0 && !vm.is_heap(&value) {
        if spec.is_empty() {
            out.push_str(vm.to_str(&value)?.as_str());
        } else {
            out.push_str(&format_spec(vm, &value, spec)?);
        }
        return Ok(());
    }
    let r = vm.format_value(value, conv, Some(Value::str(spec)))?;
    if let Some(s) = r.as_str() {
        out.push_str(s.as_str());
    }
    Ok(())
}

/// The VM's side of `%`-formatting.
struct PercentVm<'a> {
    vm: &'a mut Vm,
    args: &'a Value,
    items: Option<Vec<Value>>,
    /// Formatting bytes: text is bytes mapped one to one onto U+0000..U+00FF.
    bytes: bool,
}

/// Bytes as text, one char per byte (U+0000..U+00FF).
fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| c as char).collect()
}

/// Errors of `%`-formatting: a raised exception, or a formatting error to convert.
enum PercentError {
    Exc(crate::value::Obj),
    Format(FormatError),
}

impl From<FormatError> for PercentError {
    fn from(e: FormatError) -> PercentError {
        PercentError::Format(e)
    }
}

impl PercentVm<'_> {
    /// The operand's table when it is an exact `dict` (whose `[]` is a plain lookup).
    fn exact_dict(&self) -> Option<&std::cell::RefCell<crate::dict::Dict>> {
        match self.args {
            Value::Obj(o)
                if o.class_raw()
                    .is_some_and(|c| Rc::ptr_eq(c, &self.vm.types.dict)) =>
            {
                match &o.payload {
                    Payload::Dict(d) => Some(d),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

impl<'a> PercentArgs for PercentVm<'a> {
    type Arg = Value;
    type Error = PercentError;

    fn shape(&self) -> PercentShape {
        match &self.items {
            Some(items) => PercentShape::Tuple(items.len()),
            None => PercentShape::Single,
        }
    }

    fn is_mapping(&self) -> bool {
        if self.items.is_some() || self.args.as_str().is_some() {
            return false;
        }
        if self.exact_dict().is_some() {
            return true;
        }
        let cls = self.vm.class_of(self.args).clone();
        crate::types::lookup(&cls, &self.vm.names.__getitem__.clone()).is_some()
    }

    fn item(&mut self, index: usize) -> Value {
        self.items
            .as_ref()
            .and_then(|i| i.get(index).cloned())
            .unwrap_or(Value::None)
    }

    fn whole(&mut self) -> Value {
        self.args.clone()
    }

    fn lookup(&mut self, key: &str) -> Result<Value, PercentError> {
        // `'%(name)s' % record.__dict__`: the interned key finds an attribute name's entry
        // by identity, without hashing a fresh string.
        if !self.bytes && self.exact_dict().is_some() {
            let k = self.vm.intern(key);
            let d = self.exact_dict().expect("an exact dict");
            if let Some(Some(v)) = d.borrow().get_str_key(&k) {
                return Ok(v.clone());
            }
        }
        let key = if self.bytes {
            let b = key.chars().map(|c| c as u32 as u8).collect();
            super::bytes_const(&self.vm.types, b)
        } else {
            Value::str(key)
        };
        self.vm.getitem(self.args, &key).map_err(PercentError::Exc)
    }

    fn type_name(&mut self, arg: &Value) -> String {
        self.vm.type_name(arg)
    }

    fn str(&mut self, arg: &Value) -> Result<String, PercentError> {
        if self.bytes {
            return match super::bytes::as_bytes(arg) {
                Some(b) => Ok(latin1(&b)),
                None => Err(PercentError::Exc(self.vm.new_type_error(format!(
                    "%b requires a bytes-like object, or an object that implements __bytes__, not '{}'",
                    self.vm.type_name(arg)
                )))),
            };
        }
        self.vm
            .to_str(arg)
            .map(|s| s.as_str().to_string())
            .map_err(PercentError::Exc)
    }

    fn repr(&mut self, arg: &Value) -> Result<String, PercentError> {
        if self.bytes {
            return self.ascii(arg);
        }
        self.vm
            .repr(arg)
            .map(|s| s.as_str().to_string())
            .map_err(PercentError::Exc)
    }

    fn ascii(&mut self, arg: &Value) -> Result<String, PercentError> {
        let r = self.vm.repr(arg).map_err(PercentError::Exc)?;
        Ok(super::repr::ascii_escape(r.as_str()))
    }

    fn exact_int(&mut self, arg: &Value) -> Option<IntArg> {
        match arg {
            Value::Int(i) => Some(IntArg::Small(*i)),
            Value::Bool(b) => Some(IntArg::Small(b.get() as i64)),
            Value::Obj(o) => match &o.payload {
                Payload::Int(b) => Some(IntArg::Big(b.clone())),
                _ => None,
            },
            _ => None,
        }
    }

    fn to_int(&mut self, arg: &Value, index_only: bool) -> Result<Option<IntArg>, PercentError> {
        if let Some(i) = self.exact_int(arg) {
            return Ok(Some(i));
        }
        if let Value::Float(f) = arg {
            if index_only {
                return Ok(None);
            }
            let v = super::int::to_int(self.vm, &Value::Float(*f)).map_err(PercentError::Exc)?;
            return Ok(self.exact_int(&v));
        }
        let cls = self.vm.class_of(arg).clone();
        let name = if index_only { "__index__" } else { "__int__" };
        match self.vm.lookup_dunder(&cls, name).or_else(|| {
            if index_only {
                None
            } else {
                self.vm.lookup_dunder(&cls, "__index__")
            }
        }) {
            Some(f) => {
                let v = self
                    .vm
                    .call(&f, std::slice::from_ref(arg), &[])
                    .map_err(PercentError::Exc)?;
                Ok(self.exact_int(&v))
            }
            None => Ok(None),
        }
    }

    fn to_float(&mut self, arg: &Value) -> Result<Option<f64>, PercentError> {
        match crate::num::num(arg) {
            Some(n) => crate::num::int_to_f64(self.vm, &n)
                .map(Some)
                .map_err(PercentError::Exc),
            None => {
                let cls = self.vm.class_of(arg).clone();
                if self.vm.lookup_dunder(&cls, "__float__").is_some() {
                    return super::int::to_float(self.vm, arg)
                        .map(Some)
                        .map_err(PercentError::Exc);
                }
                Ok(None)
            }
        }
    }

    fn as_str(&mut self, arg: &Value) -> Option<String> {
        if self.bytes {
            return super::bytes::as_bytes(arg).map(|b| latin1(&b));
        }
        arg.as_str().map(|s| s.as_str().to_string())
    }

    fn bytes_mode(&self) -> bool {
        self.bytes
    }
}

/// `fmt % args`.
pub fn percent(vm: &mut Vm, fmt_str: &str, args: &Value) -> PyResult<String> {
    let items = match args.payload() {
        Some(Payload::Tuple(t)) => Some(t.to_vec()),
        _ => None,
    };
    let mut pv = PercentVm {
        vm,
        args,
        items,
        bytes: false,
    };
    let r = fmt::percent_format(fmt_str, &mut pv);
    match r {
        Ok(s) => Ok(s),
        Err(PercentError::Exc(e)) => Err(e),
        Err(PercentError::Format(fe)) => Err(format_error(vm, fe)),
    }
}

/// `bytes % args`: the str formatter over bytes seen as U+0000..U+00FF, with `%b`, `%s`
/// taking bytes-like objects and `%r` giving `ascii()`.
pub fn percent_bytes(vm: &mut Vm, fmt_bytes: &[u8], args: &Value) -> PyResult<Vec<u8>> {
    if let Some(out) = percent_bytes_simple(fmt_bytes, args) {
        return Ok(out);
    }
    let items = match args.payload() {
        Some(Payload::Tuple(t)) => Some(t.to_vec()),
        _ => None,
    };
    let mut pv = PercentVm {
        vm,
        args,
        items,
        bytes: true,
    };
    let r = fmt::percent_format(&latin1(fmt_bytes), &mut pv);
    let text = match r {
        Ok(s) => s,
        Err(PercentError::Exc(e)) => return Err(e),
        Err(PercentError::Format(FormatError::Type(m))) if m.ends_with("string formatting") => {
            // The formatter is shared with `str % args`; CPython names the bytes one.
            let m = m.replace("string formatting", "bytes formatting");
            return Err(format_error(vm, FormatError::Type(m)));
        }
        Err(PercentError::Format(fe)) => return Err(format_error(vm, fe)),
    };
    // Only `%c` of an int can produce a char past U+00FF.
    text.chars()
        .map(|c| u8::try_from(c as u32))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| vm.new_overflow_error("%c arg not in range(256)"))
}

/// `fmt % args` for bytes in its most common shape, straight on the bytes: every spec is
/// `%d`, `%i` or `%u` of an `int`, `%s` or `%b` of a `bytes`, or `%%`, with no mapping key,
/// flag, width or precision, and the arguments (a tuple, or one value that is no tuple)
/// match the specs one for one. `None` for anything else, which [`percent_bytes`]
/// formats (and reports) in full.
fn percent_bytes_simple(fmt: &[u8], args: &Value) -> Option<Vec<u8>> {
    let single = std::slice::from_ref(args);
    let items: &[Value] = match args.payload() {
        Some(Payload::Tuple(t)) => t,
        Some(Payload::Dict(_)) => return None,
        _ => single,
    };
    let mut out = Vec::with_capacity(fmt.len() + 8 * items.len());
    let mut next = items.iter();
    let mut rest = fmt;
    while let Some(i) = rest.iter().position(|&b| b == b'%') {
        out.extend_from_slice(&rest[..i]);
        let spec = *rest.get(i + 1)?;
        rest = &rest[i + 2..];
        match spec {
            b'%' => out.push(b'%'),
            b'd' | b'i' | b'u' => match next.next()? {
                Value::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
                _ => return None,
            },
            b's' | b'b' => match next.next()?.payload()? {
                Payload::Bytes(b) => out.extend_from_slice(b),
                _ => return None,
            },
            _ => return None,
        }
    }
    if next.next().is_some() {
        return None;
    }
    out.extend_from_slice(rest);
    Some(out)
}
