//! The public module-building API: what a host application (and `aio-stdlib`) uses to give
//! scripts native modules, functions, constants and classes.
//!
//! A module is registered with [`Vm::register_module`]; its initialiser receives the fresh
//! module object and fills it through a [`ModuleBuilder`]:
//!
//! ```
//! use aio_vm::module::ModuleBuilder;
//! use aio_vm::native::Args;
//! use aio_vm::{Obj, PyResult, Value, Vm};
//!
//! fn double(vm: &mut Vm, a: Args) -> PyResult {
//!     a.check_count(vm, "double", 1, 1)?;
//!     let x = aio_vm::module::to_f64(vm, &a.pos[0])?;
//!     Ok(Value::float(2.0 * x))
//! }
//!
//! fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
//!     let mut b = ModuleBuilder::new(vm, m);
//!     b.function("double", double).constant("answer", 42i64);
//!     Ok(())
//! }
//!
//! let mut vm = Vm::new();
//! vm.register_module("demo", init);
//! vm.exec("import demo\nr = demo.double(demo.answer)")
//!     .unwrap();
//! assert_eq!(vm.get_global::<f64>("r").unwrap(), 84.0);
//! ```
//!
//! Classes made with [`ModuleBuilder::class`] are ordinary (subclassable) classes whose
//! methods are native functions. Instances that carry Rust state are created with
//! [`new_native_instance`] (typically from a `__new__` registered with
//! [`ClassBuilder::constructor`]) and read back with [`native_state`].
//!
//! The conversion helpers ([`to_f64`], [`to_index`], [`bytes_of`], ...) apply CPython's
//! argument rules and raise its `TypeError` messages.

use crate::builtins;
use crate::dict::Dict;
use crate::native::{NativeFn, NativeImpl};
use crate::object::{Object, Payload};
use crate::str::Str;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

/// Fills a module's namespace: functions (native [`NativeFn`]s or typed closures with
/// [`ModuleBuilder::typed_fn`]), constants, classes.
///
/// ```
/// use aio_vm::module::{getattr, new_tuple_instance, ModuleBuilder};
/// use aio_vm::native::Args;
/// use aio_vm::{Obj, PyResult, Value, Vm};
///
/// fn split_host(vm: &mut Vm, a: Args) -> PyResult {
///     a.check_count(vm, "split_host", 1, 1)?;
///     let s: String = vm.from_value(&a.pos[0])?;
///     let (host, port) = s.split_once(':').unwrap_or((&s, "80"));
///     let port: i64 = port
///         .parse()
///         .map_err(|_| vm.new_value_error(format!("bad port in {s:?}")))?;
///     // A struct-like result: a tuple subclass, as `time.struct_time`.
///     let net = vm.import_module("net")?;
///     let Value::Obj(cls) = getattr(vm, &net, "Address")? else {
///         unreachable!()
///     };
///     Ok(new_tuple_instance(
///         vm,
///         &cls,
///         vec![Value::str(host), Value::Int(port)],
///     ))
/// }
///
/// fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
///     let mut b = ModuleBuilder::new(vm, m);
///     assert_eq!(b.name(), "net");
///     b.function("split_host", split_host)
///         .constant("DEFAULT_PORT", 80i64)
///         .typed_fn("is_local", |host: String| host == "localhost");
///     let hosts = b.vm().new_list(vec![Value::str("localhost")]);
///     b.set("KNOWN", hosts);
///     assert!(b.get("DEFAULT_PORT").is_some());
///     let tuple = b.vm().types.tuple.clone();
///     b.class_with_bases("Address", &[tuple]).finish();
///     Ok(())
/// }
///
/// let mut vm = Vm::new();
/// vm.register_module("net", init);
/// vm.exec(
///     "import net\n\
///      a = net.split_host('example.org:8080')\n\
///      r = (a[0], a[1], type(a).__name__, isinstance(a, tuple) and net.is_local(net.KNOWN[0]))\n",
/// )?;
/// assert_eq!(
///     vm.get_global::<(String, i64, String, bool)>("r")?,
///     ("example.org".into(), 8080, "Address".into(), true)
/// );
/// let err = vm.exec("net.split_host('h:x')").unwrap_err().to_string();
/// assert!(err.ends_with("ValueError: bad port in \"h:x\""));
/// # Ok::<(), aio_vm::Error>(())
/// ```
pub struct ModuleBuilder<'a> {
    vm: &'a mut Vm,
    module: Obj,
    globals: Obj,
    name: String,
    /// The `__module__` of the functions added next (the module's name unless
    /// [`ModuleBuilder::functions_module`] says otherwise).
    fn_module: String,
}

impl<'a> ModuleBuilder<'a> {
    /// A builder for `module` (a module object, as passed to a module initialiser; panics
    /// on anything else). See the example of [`ModuleBuilder`].
    pub fn new(vm: &'a mut Vm, module: &Obj) -> ModuleBuilder<'a> {
        let (globals, name) = match &module.payload {
            Payload::Module(m) => (m.globals.clone(), m.name.as_str().to_string()),
            _ => panic!("ModuleBuilder::new needs a module object"),
        };
        ModuleBuilder {
            vm,
            module: module.clone(),
            globals,
            fn_module: name.clone(),
            name,
        }
    }

    /// The VM, for building values. See the example of [`ModuleBuilder`].
    pub fn vm(&mut self) -> &mut Vm {
        self.vm
    }

    /// The module object.
    ///
    /// ```
    /// use aio_vm::module::ModuleBuilder;
    /// use aio_vm::Vm;
    ///
    /// let mut vm = Vm::new();
    /// vm.register_module("plugin", |vm, m| {
    ///     let b = ModuleBuilder::new(vm, m);
    ///     assert!(std::rc::Rc::ptr_eq(b.module(), m));
    ///     Ok(())
    /// });
    /// vm.exec("import plugin")?;
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn module(&self) -> &Obj {
        &self.module
    }

    /// The module's name. See the example of [`ModuleBuilder`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds a native function `name` (its `__module__` is the module's name). See the
    /// example of [`ModuleBuilder`].
    pub fn function(&mut self, name: &str, f: NativeFn) -> &mut Self {
        let module = self.fn_module.clone();
        let v = builtins::module_native(self.vm, &module, name, NativeImpl::Fn(f));
        self.set(name, v)
    }

    /// The `__module__` of the functions added next.
    pub(crate) fn fn_module(&self) -> &str {
        &self.fn_module
    }

    /// Sets the `__module__` that functions added from now on report, for a module whose
    /// functions CPython implements in another (`heapq.heappush.__module__` is `_heapq`).
    ///
    /// ```
    /// use aio_vm::module::ModuleBuilder;
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.register_module("fastq", |vm, m| {
    ///     ModuleBuilder::new(vm, m)
    ///         .functions_module("_fastq")
    ///         .function("size", |_vm, _a| Ok(Value::Int(0)));
    ///     Ok(())
    /// });
    /// vm.exec("import fastq\nwhere = fastq.size.__module__")?;
    /// assert_eq!(vm.get_global::<String>("where")?, "_fastq");
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn functions_module(&mut self, module: &str) -> &mut Self {
        self.fn_module = module.to_string();
        self
    }

    /// Adds a value `name` (a constant, a class, another object). See the example of
    /// [`ModuleBuilder`].
    pub fn constant(&mut self, name: &str, value: impl Into<Value>) -> &mut Self {
        self.set(name, value.into())
    }

    /// Sets `name` in the module namespace. See the example of [`ModuleBuilder`].
    pub fn set(&mut self, name: &str, value: Value) -> &mut Self {
        let g = self.globals.clone();
        self.vm.dict_set_str(&g, name, value);
        self
    }

    /// Reads `name` back from the module namespace. See the example of [`ModuleBuilder`].
    pub fn get(&mut self, name: &str) -> Option<Value> {
        let n = self.vm.intern(name);
        self.vm.dict_get_str(&self.globals, &n)
    }

    /// Starts a class `name` deriving from `object`; [`ClassBuilder::finish`] adds it to the
    /// module. See the example of [`ClassBuilder`].
    pub fn class(&mut self, name: &str) -> ClassBuilder<'_> {
        let object = self.vm.types.object.clone();
        self.class_with_bases(name, &[object])
    }

    /// Starts a class `name` with the given bases (e.g. `tuple` for a struct-like result).
    /// See the example of [`ModuleBuilder`].
    pub fn class_with_bases(&mut self, name: &str, bases: &[Obj]) -> ClassBuilder<'_> {
        let module = self.name.clone();
        let cls = new_class(self.vm, &module, name, bases);
        ClassBuilder {
            vm: self.vm,
            cls,
            module: Some(self.globals.clone()),
        }
    }
}

/// Creates a class `name` in module `module` (its `__module__`) with `bases`. Instances have
/// a `__dict__`, and scripts can subclass it. Fill it with [`ClassBuilder::new`]; see the
/// example of [`ClassBuilder`].
pub fn new_class(vm: &mut Vm, module: &str, name: &str, bases: &[Obj]) -> Obj {
    let n = vm.intern(name);
    let mut ns = Dict::new();
    let m = vm.intern("__module__");
    ns.set_str(m, Value::str(module));
    crate::types::new_heap_type(
        &vm.types.type_.clone(),
        n.clone(),
        n,
        bases,
        ns,
        None,
        &vm.types.member_descriptor.clone(),
    )
    .expect("native class bases are compatible")
}

/// Adds native methods and attributes to a class: a module's class
/// ([`ModuleBuilder::class`]) or any class ([`ClassBuilder::new`]). Instances carrying
/// Rust state come from [`new_native_instance`] in the constructor and are read with
/// [`native_state`]. (For a class of one Rust type, [`Vm::register_type`] is shorter.)
///
/// ```
/// use aio_vm::module::{
///     native_state, new_class, new_native_instance, set_instance_attr, ClassBuilder,
///     ModuleBuilder,
/// };
/// use aio_vm::native::Args;
/// use aio_vm::{Obj, PyResult, Value, Vm};
/// use std::collections::VecDeque;
///
/// struct Ring(VecDeque<Value>, usize);
///
/// fn ring_new(vm: &mut Vm, a: Args) -> PyResult {
///     a.check_count(vm, "Ring", 2, 2)?; // the class, then the capacity
///     let Value::Obj(cls) = &a.pos[0] else {
///         unreachable!()
///     };
///     let cap: usize = vm.from_value(&a.pos[1])?;
///     let ring = new_native_instance(vm, cls, Ring(VecDeque::new(), cap));
///     set_instance_attr(vm, &ring, "capacity", Value::Int(cap as i64));
///     Ok(ring)
/// }
///
/// fn ring_push(vm: &mut Vm, a: Args) -> PyResult {
///     a.method_count(vm, "push", 1, 1)?;
///     let Some(ring) = native_state::<Ring>(&a.pos[0]) else {
///         return Err(vm.new_type_error("push() needs a Ring"));
///     };
///     let mut ring = ring.borrow_mut();
///     if ring.0.len() == ring.1 {
///         ring.0.pop_front();
///     }
///     ring.0.push_back(a.pos[1].clone());
///     Ok(Value::Int(ring.0.len() as i64))
/// }
///
/// fn ring_items(vm: &mut Vm, a: Args) -> PyResult {
///     let items = native_state::<Ring>(&a.pos[0]).map(|r| r.borrow().0.iter().cloned().collect());
///     Ok(vm.new_list(items.unwrap_or_default()))
/// }
///
/// fn ring_of(vm: &mut Vm, a: Args) -> PyResult {
///     let (cls, items) = (a.pos[0].clone(), a.pos[1..].to_vec());
///     let ring = vm.call(&cls, &[Value::Int(items.len() as i64)], &[])?;
///     for x in items {
///         ring_push(vm, Args::new(&[ring.clone(), x]))?;
///     }
///     Ok(ring)
/// }
///
/// fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
///     let mut b = ModuleBuilder::new(vm, m);
///     b.class("Ring")
///         .constructor(ring_new)
///         .method("push", ring_push)
///         .method("items", ring_items)
///         .classmethod("of", ring_of)
///         .staticmethod("version", |_vm, _a| Ok(Value::str("1.0")))
///         .attr("kind", "fifo")
///         .finish();
///     Ok(())
/// }
///
/// let mut vm = Vm::new();
/// vm.register_module("rings", init);
/// vm.exec(
///     "from rings import Ring\n\
///      r = Ring(2)\n\
///      for x in 'abc':\n\
///      \x20   r.push(x)\n\
///      out = (r.items(), r.capacity, Ring.of(1, 2).items(), f'{Ring.version()} {r.kind}')\n",
/// )?;
/// assert_eq!(
///     vm.get_global::<(Vec<String>, i64, Vec<i64>, String)>("out")?,
///     (
///         vec!["b".into(), "c".into()],
///         2,
///         vec![1, 2],
///         "1.0 fifo".into()
///     )
/// );
///
/// // Adding to a class created elsewhere.
/// let object = vm.types.object.clone();
/// let cls = new_class(&mut vm, "host", "Tool", &[object]);
/// ClassBuilder::new(&mut vm, &cls).attr("name", "hammer");
/// vm.set_global("Tool", Value::Obj(cls));
/// vm.exec("assert Tool().name == 'hammer' and Tool.__module__ == 'host'")?;
/// # Ok::<(), aio_vm::Error>(())
/// ```
pub struct ClassBuilder<'a> {
    vm: &'a mut Vm,
    cls: Obj,
    module: Option<Obj>,
}

impl<'a> ClassBuilder<'a> {
    /// A builder adding to an existing class. See the example of [`ClassBuilder`].
    pub fn new(vm: &'a mut Vm, cls: &Obj) -> ClassBuilder<'a> {
        ClassBuilder {
            vm,
            cls: cls.clone(),
            module: None,
        }
    }

    /// The class object. See the example of [`ClassBuilder`] (and [`ClassBuilder::vm`]).
    pub fn class(&self) -> &Obj {
        &self.cls
    }

    /// The VM, for building values while the class is built.
    ///
    /// ```
    /// use aio_vm::module::ClassBuilder;
    /// use aio_vm::Value;
    ///
    /// let mut vm = aio_vm::Vm::new();
    /// vm.exec("class Palette:\n    pass\n")?;
    /// let Value::Obj(cls) = vm.get_global::<Value>("Palette")? else { unreachable!() };
    /// let mut b = ClassBuilder::new(&mut vm, &cls);
    /// let colours = b.vm().new_list(vec![Value::str("red"), Value::str("blue")]);
    /// b.attr("COLOURS", colours);
    /// assert!(std::rc::Rc::ptr_eq(b.class(), &cls));
    /// vm.exec("n = len(Palette.COLOURS)")?;
    /// assert_eq!(vm.get_global::<i64>("n")?, 2);
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn vm(&mut self) -> &mut Vm {
        self.vm
    }

    /// Adds an instance method; the function receives the instance as `pos[0]` (check the
    /// others with [`Args::method_count`](crate::native::Args::method_count)). See the
    /// example of [`ClassBuilder`].
    pub fn method(&mut self, name: &str, f: NativeFn) -> &mut Self {
        builtins::def_method_sig(self.vm, &self.cls, name, crate::native::Sig::FREE, f);
        self
    }

    /// Adds a class method; the function receives the class as `pos[0]`. See the example of
    /// [`ClassBuilder`].
    pub fn classmethod(&mut self, name: &str, f: NativeFn) -> &mut Self {
        builtins::def_classmethod(self.vm, &self.cls, name, crate::native::Sig::FREE, f);
        self
    }

    /// Adds a static method (no implicit first argument). See the example of
    /// [`ClassBuilder`].
    pub fn staticmethod(&mut self, name: &str, f: NativeFn) -> &mut Self {
        let owner = crate::types::type_name(&self.cls);
        let v = builtins::native_fn(self.vm, name, Some(&owner), f);
        let sm = Value::Obj(Rc::new(Object::new(
            self.vm.types.staticmethod.clone(),
            Payload::StaticMethod(v),
        )));
        self.vm.set_class_attr(&self.cls, name, sm);
        self
    }

    /// Sets `__new__`: the function receives the class being instantiated (the class or a
    /// subclass) as `pos[0]`, then the call's arguments. See the example of
    /// [`ClassBuilder`].
    pub fn constructor(&mut self, f: NativeFn) -> &mut Self {
        builtins::def_static(self.vm, &self.cls, "__new__", f);
        self
    }

    /// Sets a class attribute. See the example of [`ClassBuilder`].
    pub fn attr(&mut self, name: &str, value: impl Into<Value>) -> &mut Self {
        self.vm.set_class_attr(&self.cls, name, value.into());
        self
    }

    /// Ends the class: adds it to the module it was started from (if any) and returns it.
    /// See the example of [`ClassBuilder`].
    pub fn finish(&mut self) -> Obj {
        if let Some(g) = self.module.take() {
            // `__name__` (not the name messages use, which may be dotted).
            let name = self
                .cls
                .as_type()
                .map(|t| t.name.borrow().as_str().to_string())
                .unwrap_or_default();
            self.vm
                .dict_set_str(&g, &name, Value::Obj(self.cls.clone()));
        }
        self.cls.clone()
    }
}

/// A new instance of `cls` carrying `state` (readable with [`native_state`]). It has a
/// `__dict__` when the class gives instances one (classes made by [`new_class`] do). See
/// the example of [`ClassBuilder`].
pub fn new_native_instance<T: Any>(vm: &mut Vm, cls: &Obj, state: T) -> Value {
    let payload = Payload::Host(Box::new(RefCell::new(state)));
    let with_dict = cls.as_type().is_some_and(|t| t.instance_dict);
    let obj = if with_dict {
        let d = vm.new_dict(Dict::new());
        Object::with_dict(cls.clone(), payload, d)
    } else {
        Object::new(cls.clone(), payload)
    };
    Value::Obj(vm.track(obj))
}

/// The Rust state of an instance made by [`new_native_instance`] with a `T` (`None` for
/// any other value). See the example of [`ClassBuilder`].
pub fn native_state<T: Any>(v: &Value) -> Option<&RefCell<T>> {
    match v.payload()? {
        Payload::Host(b) => b.downcast_ref::<RefCell<T>>(),
        _ => None,
    }
}

/// A new instance of `cls` (a subclass of `tuple`) holding `items`, with a `__dict__` for
/// extra attributes (struct-like results such as `time.struct_time`). See the example of
/// [`ModuleBuilder`].
pub fn new_tuple_instance(vm: &mut Vm, cls: &Obj, items: Vec<Value>) -> Value {
    let d = vm.new_dict(Dict::new());
    let obj = Object::with_dict(cls.clone(), Payload::Tuple(items.into_boxed_slice()), d);
    Value::Obj(vm.track(obj))
}

/// The items of a tuple or list (or of an instance of a subclass); `None` for anything
/// else (use [`Vm::collect`] for any iterable). See the example of [`to_f64`].
pub fn sequence_items(v: &Value) -> Option<Vec<Value>> {
    match v.payload()? {
        Payload::Tuple(t) => Some(t.to_vec()),
        Payload::List(l) => Some(l.borrow().clone()),
        _ => None,
    }
}

/// Sets an attribute in an instance's `__dict__` directly (nothing happens if it has
/// none). See the example of [`ClassBuilder`].
pub fn set_instance_attr(vm: &mut Vm, obj: &Value, name: &str, value: Value) {
    if let Some(d) = obj.as_obj().and_then(|o| o.dict.get().cloned()) {
        vm.dict_set_str(&d, name, value);
    }
}

/// A float from a real number, as CPython's `PyFloat_AsDouble`: floats, ints (an
/// `OverflowError` when too large), objects with `__float__` or `__index__`; otherwise
/// `TypeError: must be real number, not str`.
///
/// The other conversion helpers follow CPython's rules the same way:
///
/// ```
/// use aio_vm::module::{
///     as_int, bytes_of, int_value, is_bytearray, new_bytes, sequence_items, to_f64, to_index,
///     to_index_i64,
/// };
/// use aio_vm::{Value, Vm};
///
/// let mut vm = Vm::new();
/// vm.exec(
///     "class Meters:\n\
///      \x20   def __float__(self):\n\
///      \x20       return 2.5\n\
///      vals = (Meters(), True, 10**30, bytearray(b'ab'))\n",
/// )?;
/// let vals: Vec<Value> = vm.get_global("vals")?;
/// vm.guarded(|vm| {
///     assert_eq!(to_f64(vm, &vals[0])?, 2.5);
///     assert_eq!(to_f64(vm, &vals[1])?, 1.0);
///     let err = to_f64(vm, &Value::str("1")).err().unwrap();
///     assert_eq!(vm.exception_message(&err), "must be real number, not str");
///
///     let big = to_index(vm, &vals[2])?;
///     assert_eq!(big.to_string(), "1000000000000000000000000000000");
///     assert_eq!(
///         as_int(&vals[1]).map(|b| b.to_string()).as_deref(),
///         Some("1")
///     );
///     assert!(as_int(&Value::float(1.0)).is_none());
///     assert!(matches!(int_value(vm, 7.into()), Value::Int(7)));
///     let err = to_index_i64(vm, &vals[2]).err().unwrap();
///     assert_eq!(vm.type_name(&Value::Obj(err)), "IndexError");
///     let err = to_index(vm, &Value::float(1.5)).err().unwrap();
///     assert_eq!(
///         vm.exception_message(&err),
///         "'float' object cannot be interpreted as an integer"
///     );
///
///     assert_eq!(bytes_of(&vals[3]).unwrap(), b"ab");
///     assert!(is_bytearray(&vals[3]));
///     let b = new_bytes(vm, b"xyz".to_vec());
///     assert_eq!(vm.repr(&b)?.as_str(), "b'xyz'");
///     assert!(sequence_items(&Value::str("ab")).is_none());
///     Ok(())
/// })?;
/// assert_eq!(
///     sequence_items(&vm.get_global("vals")?).map(|v| v.len()),
///     Some(4)
/// );
/// # Ok::<(), aio_vm::Error>(())
/// ```
pub fn to_f64(vm: &mut Vm, v: &Value) -> PyResult<f64> {
    if let Some(f) = builtins::int::heap_float(vm, v)? {
        return Ok(f);
    }
    if let Some(n) = crate::num::num(v) {
        return crate::num::int_to_f64(vm, &n);
    }
    let cls = vm.class_of(v).clone();
    let float_name = vm.names.__float__.clone();
    if let Some(f) = crate::types::lookup(&cls, &float_name) {
        let r = vm.call(&f, std::slice::from_ref(v), &[])?;
        return match crate::num::num(&r) {
            Some(crate::num::Num::Float(x)) => Ok(x),
            _ => Err(vm.new_type_error(format!(
                "{}.__float__ returned non-float (type {})",
                vm.type_name(v),
                vm.type_name(&r)
            ))),
        };
    }
    let index_name = vm.names.__index__.clone();
    if crate::types::lookup(&cls, &index_name).is_some() {
        let b = to_index(vm, v)?;
        return int_to_f64(vm, &b);
    }
    Err(vm.new_type_error(format!("must be real number, not {}", vm.type_name(v))))
}

/// The `(real, imag)` parts of a complex argument, as CPython's `PyComplex_AsCComplex`
/// (the `D` argument format): a complex, an object whose class has `__complex__`, or a
/// real number as [`to_f64`] takes it (`TypeError: must be real number, not str`).
pub fn to_complex(vm: &mut Vm, v: &Value) -> PyResult<(f64, f64)> {
    builtins::complex::to_parts(vm, v)
}

/// A new `complex` value `re + im*1j`.
pub fn new_complex(vm: &Vm, re: f64, im: f64) -> Value {
    builtins::complex::value(vm, re, im)
}

/// `a / b` on complex parts as CPython's `_Py_c_quot` (Smith's algorithm); `None` when `b`
/// is zero.
pub fn complex_quot(a: (f64, f64), b: (f64, f64)) -> Option<(f64, f64)> {
    builtins::complex::quot(a, b)
}

/// The magnitude of complex parts as CPython's `_Py_c_abs`: infinite when a part is (even
/// beside a NaN), NaN when a part is, else `hypot` (infinite when finite parts overflow it).
pub fn complex_abs(z: (f64, f64)) -> f64 {
    builtins::complex::magnitude(z)
}

/// A big int converted to float, with CPython's `OverflowError` when it is too large. See
/// the example of [`to_f64`].
pub fn int_to_f64(vm: &mut Vm, b: &BigInt) -> PyResult<f64> {
    crate::num::int_to_f64(vm, &crate::num::Num::Big(b))
}

/// The integer value of an int-like (`operator.index`), with CPython's `TypeError`
/// (`'float' object cannot be interpreted as an integer`). See the example of [`to_f64`].
pub fn to_index(vm: &mut Vm, v: &Value) -> PyResult<BigInt> {
    builtins::int::bigint_index(vm, v)
}

/// The value of an int-like that must fit an index (`IndexError` otherwise). See the
/// example of [`to_f64`].
pub fn to_index_i64(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    builtins::int::index_of(vm, v)
}

/// The int value of exact ints and bools (and int subclasses); `None` for anything else.
/// See the example of [`to_f64`].
pub fn as_int(v: &Value) -> Option<BigInt> {
    crate::num::to_bigint(v)
}

/// An int value (unboxed when it fits). See the example of [`to_f64`].
pub fn int_value(vm: &Vm, b: BigInt) -> Value {
    crate::num::int_value(vm, b)
}

/// The bytes of a `bytes` or `bytearray` value. See the example of [`to_f64`].
pub fn bytes_of(v: &Value) -> Option<Vec<u8>> {
    builtins::bytes_of(v)
}

/// A new `bytes` value. See the example of [`to_f64`].
pub fn new_bytes(vm: &Vm, b: Vec<u8>) -> Value {
    builtins::bytes_const(&vm.types, b)
}

/// True when `v` is a `bytearray`. See the example of [`to_f64`].
pub fn is_bytearray(v: &Value) -> bool {
    matches!(v.payload(), Some(Payload::ByteArray(_)))
}

/// How Argument Clinic's `_PyArg_BadArgument` names an argument's type in its `TypeError`
/// (`argument 1 must be str, not None`): `None` for `None`, the type's name otherwise.
///
/// ```
/// use aio_vm::module::arg_type_name;
/// use aio_vm::{Value, Vm};
///
/// let vm = Vm::new();
/// assert_eq!(arg_type_name(&vm, &Value::None), "None");
/// assert_eq!(arg_type_name(&vm, &Value::Int(1)), "int");
/// ```
pub fn arg_type_name(vm: &Vm, v: &Value) -> String {
    match v {
        Value::None => "None".to_string(),
        _ => vm.type_name(v),
    }
}

/// The interned `str` for `s` (for attribute names); [`Vm::intern`]. See the example of
/// [`call_method`].
pub fn name(vm: &mut Vm, s: &str) -> Rc<Str> {
    vm.intern(s)
}

/// `getattr(obj, name)`. See the example of [`call_method`].
pub fn getattr(vm: &mut Vm, obj: &Value, name: &str) -> PyResult {
    let n = vm.intern(name);
    vm.get_attr(obj, &n)
}

/// Calls `obj.name(*args)`.
///
/// ```
/// use aio_vm::module::{call_method, call_special, getattr, name};
/// use aio_vm::{Value, Vm};
///
/// let mut vm = Vm::new();
/// vm.exec(
///     "class Cart:\n\
///      \x20   def __init__(self):\n\
///      \x20       self.items = []\n\
///      \x20   def add(self, item, n=1):\n\
///      \x20       self.items += [item] * n\n\
///      \x20   def __len__(self):\n\
///      \x20       return len(self.items)\n\
///      cart = Cart()\n",
/// )?;
/// let cart: Value = vm.get_global("cart")?;
/// vm.guarded(|vm| {
///     call_method(vm, &cart, "add", &[Value::str("tea"), Value::Int(2)])?;
///     let items = getattr(vm, &cart, "items")?;
///     assert_eq!(vm.len(&items)?, 2);
///     let n = call_special(vm, &cart, "__len__", &[])?;
///     assert!(matches!(n, Some(Value::Int(2))));
///     // Special methods are looked up on the class only.
///     assert!(call_special(vm, &cart, "__iter__", &[])?.is_none());
///     let attr = name(vm, "items");
///     assert!(vm.get_attr(&cart, &attr)?.is(&items));
///     Ok(())
/// })?;
/// # Ok::<(), aio_vm::Error>(())
/// ```
pub fn call_method(vm: &mut Vm, obj: &Value, name: &str, args: &[Value]) -> PyResult {
    // As `obj.name(*args)` runs in a script (`LoadMethod`): a function found on the class
    // is called with `obj` prepended, without creating a bound method.
    let name = vm.intern(name);
    let (f, this) = vm.load_method(obj.clone(), &name)?;
    match this {
        None => vm.call(&f, args, &[]),
        Some(this) => {
            let mut all: smallvec::SmallVec<[Value; 6]> =
                smallvec::SmallVec::with_capacity(args.len() + 1);
            all.push(this);
            all.extend(args.iter().cloned());
            vm.call(&f, &all, &[])
        }
    }
}

/// The special method `name` of `v` bound to it, as CPython's `_PyObject_LookupSpecial`:
/// looked up on the class (not the instance), then bound through the descriptor protocol
/// (a function becomes a bound method, a `property` runs its getter). `None` when the
/// class has no such attribute.
pub fn lookup_special(vm: &mut Vm, v: &Value, name: &str) -> PyResult<Option<Value>> {
    let cls = vm.class_of(v).clone();
    let n = vm.intern(name);
    match crate::types::lookup(&cls, &n) {
        Some(d) => bind_special(vm, d, v, &cls).map(Some),
        None => Ok(None),
    }
}

/// `d`, found on `cls`, the class of `v`, bound to `v` through the descriptor protocol.
fn bind_special(vm: &mut Vm, d: Value, v: &Value, cls: &Obj) -> PyResult {
    match vm.data_descriptor_get(&d, v, cls)? {
        Some(got) => Ok(got),
        None => vm.bind_descriptor(d, v.clone(), cls),
    }
}

/// Looks a special method up on the class of `v` (as CPython's `_PyObject_LookupSpecial`)
/// and calls it with `v` and `args`; `None` when the class has no such method. See the
/// example of [`call_method`].
pub fn call_special(vm: &mut Vm, v: &Value, name: &str, args: &[Value]) -> PyResult<Option<Value>> {
    let cls = vm.class_of(v).clone();
    let n = vm.intern(name);
    let Some(f) = crate::types::lookup(&cls, &n) else {
        return Ok(None);
    };
    // Functions (and static and class methods) are called with `v` first, without a bound
    // method; any other descriptor (a `property`, a user `__get__`) is bound first, as
    // `_PyObject_LookupSpecial` binds it.
    let plain = match &f {
        Value::Obj(o) => matches!(
            o.payload,
            Payload::Function(_)
                | Payload::Native(_)
                | Payload::StaticMethod(_)
                | Payload::ClassMethod(_)
        ),
        _ => false,
    };
    if !plain {
        let bound = bind_special(vm, f, v, &cls)?;
        return vm.call(&bound, args, &[]).map(Some);
    }
    let mut all = Vec::with_capacity(args.len() + 1);
    all.push(v.clone());
    all.extend_from_slice(args);
    vm.call_slot(&f, &all).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::native::Args;

    struct Counter(i64);

    fn twice(vm: &mut Vm, a: Args) -> PyResult {
        a.check_count(vm, "twice", 1, 1)?;
        Ok(Value::float(2.0 * to_f64(vm, &a.pos[0])?))
    }

    fn counter_new(vm: &mut Vm, a: Args) -> PyResult {
        let Some(Value::Obj(cls)) = a.pos.first() else {
            return Err(vm.new_type_error("no class"));
        };
        Ok(new_native_instance(vm, cls, Counter(0)))
    }

    fn counter_bump(vm: &mut Vm, a: Args) -> PyResult {
        let s = a.pos[0].clone();
        match native_state::<Counter>(&s) {
            Some(c) => {
                c.borrow_mut().0 += 1;
                Ok(Value::Int(c.borrow().0))
            }
            None => Err(vm.new_type_error("not a Counter")),
        }
    }

    fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
        let mut b = ModuleBuilder::new(vm, m);
        b.function("twice", twice).constant("answer", 42i64);
        b.class("Counter")
            .constructor(counter_new)
            .method("bump", counter_bump)
            .finish();
        Ok(())
    }

    #[test]
    fn scripts_use_a_built_module() {
        let mut vm = Vm::new();
        vm.register_module("demo", init);
        let src = "import demo\n\
                   assert demo.twice(4) == 8.0 and demo.answer == 42\n\
                   class Sub(demo.Counter):\n    pass\n\
                   c = Sub()\n\
                   assert (c.bump(), c.bump()) == (1, 2)\n\
                   assert isinstance(c, demo.Counter) and demo.Counter.__module__ == 'demo'\n\
                   try:\n    demo.twice('x')\nexcept TypeError as e:\n    assert str(e) == 'must be real number, not str'\n";
        vm.run_source(src, "<test>", "__main__")
            .expect("script runs");
    }
}
