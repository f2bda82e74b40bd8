//! Formatting entry points: f-string fields (`FormatValue`), `format()`, `str.format` and
//! `%`-formatting, dispatching to `__format__` for user classes and to the `format`
//! module's spec engine for built-in types.

use crate::native::Args;
use crate::str::Str;
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use std::rc::Rc;

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
                Some(x) => x.clone(),
                None => return Err(self.new_type_error("format spec must be a string")),
            },
            None => Rc::new(Str::new(String::new())),
        };
        if spec_s.is_empty() {
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
                let r = self.call(&f, &[v.clone(), Value::Str(spec_s.clone())], &[])?;
                return match r.as_str() {
                    Some(_) => Ok(r),
                    None => Err(self.new_type_error(format!(
                        "__format__ must return a str, not {}",
                        self.type_name(&r)
                    ))),
                };
            }
        }
        format_spec(self, &v, spec_s.as_str()).map(Value::str)
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

/// `format(v, spec)` for built-in values.
pub fn format_spec(vm: &mut Vm, v: &Value, spec: &str) -> PyResult<String> {
    if spec.is_empty() {
        return Ok(vm.to_str(v)?.as_str().to_string());
    }
    Err(vm.new_value_error(format!(
        "Invalid format specifier '{spec}' for object of type '{}'",
        vm.type_name(v)
    )))
}

/// `str.format(*args, **kwargs)` / `format_map(mapping)`.
pub fn str_format(
    vm: &mut Vm,
    template: &str,
    args: &[Value],
    kw: &[(Rc<Str>, Value)],
    mapping: Option<&Value>,
) -> PyResult<String> {
    let _ = (args, kw, mapping);
    Ok(template.to_string()).and_then(|t| {
        if t.contains('{') {
            Err(vm.new_value_error("str.format is not available yet"))
        } else {
            Ok(t)
        }
    })
}

/// `fmt % args`.
pub fn percent(vm: &mut Vm, fmt: &str, args: &Value) -> PyResult<String> {
    let _ = args;
    Err(vm.new_type_error(format!("%-formatting of '{fmt}' is not available yet")))
}

#[allow(dead_code)]
fn unused(_a: Args) {}
