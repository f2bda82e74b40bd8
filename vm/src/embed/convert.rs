//! Conversions between Rust values and script values: [`ToValue`] and [`FromValue`].
//!
//! ```
//! use aio_vm::{FromValue, ToValue, Vm};
//! use std::collections::HashMap;
//!
//! let mut vm = Vm::new();
//! let v = vec![(1i64, "one".to_string()), (2, "two".to_string())].to_value(&mut vm);
//! let back: Vec<(i64, String)> = FromValue::from_value(&mut vm, &v).ok().unwrap();
//! assert_eq!(back[1], (2, "two".to_string()));
//!
//! let x = "x".to_value(&mut vm);
//! let err = i64::from_value(&mut vm, &x).err().unwrap();
//! assert_eq!(vm.exception_message(&err), "expected int, got str");
//!
//! let m: HashMap<String, f64> = [("pi".to_string(), 3.5)].into();
//! vm.set_global("m", m);
//! vm.exec("assert m == {'pi': 3.5}").unwrap();
//! ```

use crate::dict::Dict;
use crate::object::Payload;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use num_traits::ToPrimitive;
use std::collections::HashMap;

/// A Rust value that can become a script value: `i64` (and `i32`, `u32`, `u64`, `usize`;
/// ints beyond 64 bits become big ints), `f64`, `bool`, `String` and `&str`, `()` (`None`),
/// `Option<T>` (`None` or the value), `Vec<T>` (a list), `HashMap<String, T>` (a dict),
/// tuples of up to four (a tuple), and [`Value`] itself. Host types implement it to cross
/// into scripts as plain data:
///
/// ```
/// use aio_vm::{ToValue, Value, Vm};
///
/// struct Point {
///     x: f64,
///     y: f64,
/// }
///
/// impl ToValue for Point {
///     fn to_value(self, vm: &mut Vm) -> Value {
///         (self.x, self.y).to_value(vm)
///     }
/// }
///
/// let mut vm = Vm::new();
/// vm.set_global("origin", Point { x: 0.0, y: 0.0 });
/// vm.set_global(
///     "path",
///     vec![Point { x: 3.0, y: 4.0 }, Point { x: 6.0, y: 8.0 }],
/// );
/// vm.exec("far = max(path, key=lambda p: (p[0] - origin[0]) ** 2 + (p[1] - origin[1]) ** 2)")?;
/// assert_eq!(vm.get_global::<(f64, f64)>("far")?, (6.0, 8.0));
/// assert_eq!(
///     vm.get_global::<String>("far").unwrap_err().to_string(),
///     "TypeError: expected str, got tuple"
/// );
/// # Ok::<(), aio_vm::Error>(())
/// ```
pub trait ToValue {
    /// Converts `self` (lists, dicts and tuples are new objects of the VM).
    fn to_value(self, vm: &mut Vm) -> Value;
}

/// A Rust value that can be read from a script value. Failures are `TypeError`s with
/// CPython-like messages (`expected int, got str`), or `OverflowError` for ints that do
/// not fit. Implemented for the types listed at [`ToValue`] (`Vec` and tuples accept a list
/// or a tuple; `f64` accepts ints and objects with `__float__`; `bool` only `True`/`False`).
/// Host types implement it to be arguments of typed native functions:
///
/// ```
/// use aio_vm::embed::convert::expected;
/// use aio_vm::{FromValue, PyResult, Value, Vm};
///
/// #[derive(Debug, PartialEq)]
/// enum Level {
///     Low,
///     High,
/// }
///
/// impl FromValue for Level {
///     fn from_value(vm: &mut Vm, v: &Value) -> PyResult<Self> {
///         match v.as_str().map(|s| s.as_str()) {
///             Some("low") => Ok(Level::Low),
///             Some("high") => Ok(Level::High),
///             Some(other) => Err(vm.new_value_error(format!("unknown level {other:?}"))),
///             None => Err(expected::<Level>(vm, v)),
///         }
///     }
///     fn type_name() -> String {
///         "'low' or 'high'".into()
///     }
/// }
///
/// let mut vm = Vm::new();
/// vm.register_fn("alarm", |level: Level| level == Level::High);
/// vm.exec("r = (alarm('low'), alarm('high'))")?;
/// assert_eq!(vm.get_global::<(bool, bool)>("r")?, (false, true));
/// let err = vm.exec("alarm('mid')").unwrap_err().to_string();
/// assert!(err.ends_with("ValueError: unknown level \"mid\""));
/// let err = vm.exec("alarm(3)").unwrap_err().to_string();
/// assert!(err.ends_with("TypeError: alarm() argument 1 must be 'low' or 'high', not int"));
/// # Ok::<(), aio_vm::Error>(())
/// ```
pub trait FromValue: Sized {
    /// Converts `v`.
    fn from_value(vm: &mut Vm, v: &Value) -> PyResult<Self>;
    /// The script type expected, for messages (`int`, `list[str]`, `int | None`).
    fn type_name() -> String;
}

/// `TypeError: expected {T}, got {type(v)}`, the error of a failed [`FromValue`]
/// conversion (see the example there).
pub fn expected<T: FromValue>(vm: &mut Vm, v: &Value) -> Obj {
    let msg = format!("expected {}, got {}", T::type_name(), vm.type_name(v));
    vm.new_type_error(msg)
}

impl ToValue for Value {
    fn to_value(self, _: &mut Vm) -> Value {
        self
    }
}

impl FromValue for Value {
    fn from_value(_: &mut Vm, v: &Value) -> PyResult<Self> {
        Ok(v.clone())
    }
    fn type_name() -> String {
        "object".into()
    }
}

impl ToValue for &Value {
    fn to_value(self, _: &mut Vm) -> Value {
        self.clone()
    }
}

fn int_of(vm: &mut Vm, v: &Value, c_type: &str) -> PyResult<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(b.get() as i64),
        _ => match crate::num::to_bigint(v) {
            Some(b) => b.to_i64().ok_or_else(|| {
                vm.new_overflow_error(format!("Python int too large to convert to C {c_type}"))
            }),
            None => Err(expected::<i64>(vm, v)),
        },
    }
}

impl ToValue for i64 {
    fn to_value(self, _: &mut Vm) -> Value {
        Value::Int(self)
    }
}

impl FromValue for i64 {
    fn from_value(vm: &mut Vm, v: &Value) -> PyResult<Self> {
        int_of(vm, v, "long")
    }
    fn type_name() -> String {
        "int".into()
    }
}

macro_rules! small_int {
    ($($t:ty => $c:literal),*) => {$(
        impl ToValue for $t {
            fn to_value(self, vm: &mut Vm) -> Value {
                match i64::try_from(self) {
                    Ok(i) => Value::Int(i),
                    Err(_) => crate::num::int_value(vm, num_bigint::BigInt::from(self)),
                }
            }
        }

        impl FromValue for $t {
            fn from_value(vm: &mut Vm, v: &Value) -> PyResult<Self> {
                let i = int_of(vm, v, $c)?;
                <$t>::try_from(i).map_err(|_| {
                    if i < 0 && <$t>::MIN == 0 {
                        vm.new_overflow_error("can't convert negative int to unsigned")
                    } else {
                        vm.new_overflow_error(concat!("Python int too large to convert to C ", $c))
                    }
                })
            }
            fn type_name() -> String {
                "int".into()
            }
        }
    )*};
}

small_int!(i32 => "int", u32 => "unsigned int", usize => "size_t", u64 => "unsigned long");

impl ToValue for f64 {
    fn to_value(self, _: &mut Vm) -> Value {
        Value::float(self)
    }
}

impl FromValue for f64 {
    fn from_value(vm: &mut Vm, v: &Value) -> PyResult<Self> {
        match v {
            Value::Float(x) => Ok(x.get()),
            Value::Int(i) => Ok(*i as f64),
            _ => crate::module::to_f64(vm, v),
        }
    }
    fn type_name() -> String {
        "float".into()
    }
}

impl ToValue for bool {
    fn to_value(self, _: &mut Vm) -> Value {
        Value::bool(self)
    }
}

impl FromValue for bool {
    fn from_value(vm: &mut Vm, v: &Value) -> PyResult<Self> {
        match v {
            Value::Bool(b) => Ok(b.get()),
            _ => Err(expected::<bool>(vm, v)),
        }
    }
    fn type_name() -> String {
        "bool".into()
    }
}

impl ToValue for String {
    fn to_value(self, _: &mut Vm) -> Value {
        Value::str(self)
    }
}

impl ToValue for &str {
    fn to_value(self, _: &mut Vm) -> Value {
        Value::str(self)
    }
}

impl FromValue for String {
    fn from_value(vm: &mut Vm, v: &Value) -> PyResult<Self> {
        match v {
            Value::Str(s) => Ok(s.as_str().to_string()),
            _ => match v.payload() {
                Some(Payload::Str(s)) => Ok(s.as_str().to_string()),
                _ => Err(expected::<String>(vm, v)),
            },
        }
    }
    fn type_name() -> String {
        "str".into()
    }
}

impl ToValue for () {
    fn to_value(self, _: &mut Vm) -> Value {
        Value::None
    }
}

impl FromValue for () {
    fn from_value(vm: &mut Vm, v: &Value) -> PyResult<Self> {
        match v {
            Value::None => Ok(()),
            _ => Err(expected::<()>(vm, v)),
        }
    }
    fn type_name() -> String {
        "None".into()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(self, vm: &mut Vm) -> Value {
        match self {
            Some(x) => x.to_value(vm),
            None => Value::None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(vm: &mut Vm, v: &Value) -> PyResult<Self> {
        match v {
            Value::None => Ok(None),
            _ => match T::from_value(vm, v) {
                Ok(x) => Ok(Some(x)),
                Err(e) if vm.is_instance_of(&e, &vm.exc.type_error.clone()) => {
                    Err(expected::<Self>(vm, v))
                }
                Err(e) => Err(e),
            },
        }
    }
    fn type_name() -> String {
        format!("{} | None", T::type_name())
    }
}

impl<T: ToValue> ToValue for Vec<T> {
    fn to_value(self, vm: &mut Vm) -> Value {
        let items = self.into_iter().map(|x| x.to_value(vm)).collect();
        vm.new_list(items)
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    /// Accepts a list or a tuple.
    fn from_value(vm: &mut Vm, v: &Value) -> PyResult<Self> {
        let Some(items) = crate::module::sequence_items(v) else {
            return Err(expected::<Self>(vm, v));
        };
        items.iter().map(|x| T::from_value(vm, x)).collect()
    }
    fn type_name() -> String {
        format!("list[{}]", T::type_name())
    }
}

impl<T: ToValue> ToValue for HashMap<String, T> {
    fn to_value(self, vm: &mut Vm) -> Value {
        let d = vm.new_dict(Dict::new());
        for (k, x) in self {
            let x = x.to_value(vm);
            vm.dict_set_str(&d, &k, x);
        }
        Value::Obj(d)
    }
}

impl<T: FromValue> FromValue for HashMap<String, T> {
    fn from_value(vm: &mut Vm, v: &Value) -> PyResult<Self> {
        let entries: Vec<(Value, Value)> = match v.payload() {
            Some(Payload::Dict(d)) => d
                .borrow()
                .iter()
                .map(|e| (e.key.clone(), e.value.clone()))
                .collect(),
            _ => return Err(expected::<Self>(vm, v)),
        };
        let mut out = HashMap::with_capacity(entries.len());
        for (k, x) in entries {
            let k = String::from_value(vm, &k)?;
            out.insert(k, T::from_value(vm, &x)?);
        }
        Ok(out)
    }
    fn type_name() -> String {
        format!("dict[str, {}]", T::type_name())
    }
}

macro_rules! tuples {
    ($($n:literal => ($($T:ident $i:tt),*)),*) => {$(
        impl<$($T: ToValue),*> ToValue for ($($T,)*) {
            fn to_value(self, vm: &mut Vm) -> Value {
                let items = vec![$(self.$i.to_value(vm)),*];
                vm.new_tuple(items)
            }
        }

        impl<$($T: FromValue),*> FromValue for ($($T,)*) {
            /// Accepts a tuple (or a list) of exactly this length.
            fn from_value(vm: &mut Vm, v: &Value) -> PyResult<Self> {
                let Some(items) = crate::module::sequence_items(v) else {
                    return Err(expected::<Self>(vm, v));
                };
                if items.len() != $n {
                    return Err(vm.new_value_error(format!(
                        "expected a tuple of length {}, got length {}", $n, items.len()
                    )));
                }
                Ok(($($T::from_value(vm, &items[$i])?,)*))
            }
            fn type_name() -> String {
                let names: Vec<String> = vec![$($T::type_name()),*];
                format!("tuple[{}]", names.join(", "))
            }
        }
    )*};
}

tuples!(1 => (A 0), 2 => (A 0, B 1), 3 => (A 0, B 1, C 2), 4 => (A 0, B 1, C 2, D 3));

impl Vm {
    /// Converts a Rust value to a script value ([`ToValue`]).
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    /// use std::collections::HashMap;
    ///
    /// let mut vm = Vm::new();
    /// let config = vm.to_value(HashMap::from([("retries".to_string(), vec![1, 2, 4])]));
    /// assert_eq!(
    ///     vm.repr(&config).ok().unwrap().as_str(),
    ///     "{'retries': [1, 2, 4]}"
    /// );
    /// vm.set_global("config", config);
    /// vm.exec("config['retries'].append(8)\nlast = config['retries']")?;
    /// let last: Value = vm.get_global("last")?;
    /// let delays: Vec<u64> = vm.guarded(|vm| vm.from_value(&last))?;
    /// assert_eq!(delays, [1, 2, 4, 8]);
    /// let err = vm
    ///     .guarded(|vm| vm.from_value::<Vec<String>>(&last))
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "TypeError: expected str, got int");
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn to_value(&mut self, x: impl ToValue) -> Value {
        x.to_value(self)
    }

    /// Converts a script value to a Rust value ([`FromValue`]); see the example of
    /// [`Vm::to_value`].
    pub fn from_value<T: FromValue>(&mut self, v: &Value) -> PyResult<T> {
        T::from_value(self, v)
    }
}
