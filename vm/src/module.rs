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
//!     Ok(Value::Float(2.0 * x))
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

/// Fills a module's namespace.
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
    /// A builder for `module` (a module object, as passed to a module initialiser).
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

    /// The VM, for building values.
    pub fn vm(&mut self) -> &mut Vm {
        self.vm
    }

    /// The module object.
    pub fn module(&self) -> &Obj {
        &self.module
    }

    /// The module's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds a native function `name` (its `__module__` is the module's name).
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
    pub fn functions_module(&mut self, module: &str) -> &mut Self {
        self.fn_module = module.to_string();
        self
    }

    /// Adds a value `name` (a constant, a class, another object).
    pub fn constant(&mut self, name: &str, value: impl Into<Value>) -> &mut Self {
        self.set(name, value.into())
    }

    /// Sets `name` in the module namespace.
    pub fn set(&mut self, name: &str, value: Value) -> &mut Self {
        let g = self.globals.clone();
        self.vm.dict_set_str(&g, name, value);
        self
    }

    /// Reads `name` back from the module namespace.
    pub fn get(&mut self, name: &str) -> Option<Value> {
        let n = self.vm.intern(name);
        self.vm.dict_get_str(&self.globals, &n)
    }

    /// Starts a class `name` deriving from `object`; [`ClassBuilder::finish`] adds it to the
    /// module.
    pub fn class(&mut self, name: &str) -> ClassBuilder<'_> {
        let object = self.vm.types.object.clone();
        self.class_with_bases(name, &[object])
    }

    /// Starts a class `name` with the given bases (e.g. `tuple` for a struct-like result).
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
/// a `__dict__`, and scripts can subclass it.
pub fn new_class(vm: &mut Vm, module: &str, name: &str, bases: &[Obj]) -> Obj {
    let n = vm.intern(name);
    let mut ns = Dict::new();
    let m = vm.intern("__module__");
    ns.set_str(m, Value::str(module));
    let qn = vm.intern("__qualname__");
    ns.set_str(qn, Value::Str(n.clone()));
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

/// Adds native methods and attributes to a class.
pub struct ClassBuilder<'a> {
    vm: &'a mut Vm,
    cls: Obj,
    module: Option<Obj>,
}

impl<'a> ClassBuilder<'a> {
    /// A builder adding to an existing class.
    pub fn new(vm: &'a mut Vm, cls: &Obj) -> ClassBuilder<'a> {
        ClassBuilder {
            vm,
            cls: cls.clone(),
            module: None,
        }
    }

    /// The class object.
    pub fn class(&self) -> &Obj {
        &self.cls
    }

    /// The VM.
    pub fn vm(&mut self) -> &mut Vm {
        self.vm
    }

    /// Adds an instance method; the function receives the instance as `pos[0]`.
    pub fn method(&mut self, name: &str, f: NativeFn) -> &mut Self {
        builtins::def_method(self.vm, &self.cls, name, f);
        self
    }

    /// Adds a class method; the function receives the class as `pos[0]`.
    pub fn classmethod(&mut self, name: &str, f: NativeFn) -> &mut Self {
        builtins::def_classmethod(self.vm, &self.cls, name, f);
        self
    }

    /// Adds a static method (no implicit first argument).
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
    /// subclass) as `pos[0]`, then the call's arguments.
    pub fn constructor(&mut self, f: NativeFn) -> &mut Self {
        builtins::def_static(self.vm, &self.cls, "__new__", f);
        self
    }

    /// Sets a class attribute.
    pub fn attr(&mut self, name: &str, value: impl Into<Value>) -> &mut Self {
        self.vm.set_class_attr(&self.cls, name, value.into());
        self
    }

    /// Ends the class: adds it to the module it was started from (if any) and returns it.
    pub fn finish(&mut self) -> Obj {
        if let Some(g) = self.module.take() {
            let name = crate::types::type_name(&self.cls);
            self.vm
                .dict_set_str(&g, &name, Value::Obj(self.cls.clone()));
        }
        self.cls.clone()
    }
}

/// A new instance of `cls` carrying `state` (readable with [`native_state`]). It has a
/// `__dict__` when the class gives instances one (classes made by [`new_class`] do).
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

/// The Rust state of an instance made by [`new_native_instance`] with a `T`.
pub fn native_state<T: Any>(v: &Value) -> Option<&RefCell<T>> {
    match v.payload()? {
        Payload::Host(b) => b.downcast_ref::<RefCell<T>>(),
        _ => None,
    }
}

/// A new instance of `cls` (a subclass of `tuple`) holding `items`, with a `__dict__` for
/// extra attributes (struct-like results such as `time.struct_time`).
pub fn new_tuple_instance(vm: &mut Vm, cls: &Obj, items: Vec<Value>) -> Value {
    let d = vm.new_dict(Dict::new());
    let obj = Object::with_dict(cls.clone(), Payload::Tuple(items.into_boxed_slice()), d);
    Value::Obj(vm.track(obj))
}

/// The items of a tuple or list (or of an instance of a subclass).
pub fn sequence_items(v: &Value) -> Option<Vec<Value>> {
    match v.payload()? {
        Payload::Tuple(t) => Some(t.to_vec()),
        Payload::List(l) => Some(l.borrow().clone()),
        _ => None,
    }
}

/// Sets an attribute in an instance's `__dict__` directly.
pub fn set_instance_attr(vm: &mut Vm, obj: &Value, name: &str, value: Value) {
    if let Some(d) = obj.as_obj().and_then(|o| o.dict.clone()) {
        vm.dict_set_str(&d, name, value);
    }
}

/// A float from a real number, as CPython's `PyFloat_AsDouble`: floats, ints (an
/// `OverflowError` when too large), objects with `__float__` or `__index__`; otherwise
/// `TypeError: must be real number, not str`.
pub fn to_f64(vm: &mut Vm, v: &Value) -> PyResult<f64> {
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

/// A big int converted to float, with CPython's `OverflowError` when it is too large.
pub fn int_to_f64(vm: &mut Vm, b: &BigInt) -> PyResult<f64> {
    crate::num::int_to_f64(vm, &crate::num::Num::Big(b))
}

/// The integer value of an int-like (`operator.index`), with CPython's `TypeError`
/// (`'float' object cannot be interpreted as an integer`).
pub fn to_index(vm: &mut Vm, v: &Value) -> PyResult<BigInt> {
    builtins::int::bigint_index(vm, v)
}

/// The value of an int-like that must fit an index (`IndexError` otherwise).
pub fn to_index_i64(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    builtins::int::index_of(vm, v)
}

/// The int value of exact ints and bools (and int subclasses); `None` for anything else.
pub fn as_int(v: &Value) -> Option<BigInt> {
    crate::num::to_bigint(v)
}

/// An int value (unboxed when it fits).
pub fn int_value(vm: &Vm, b: BigInt) -> Value {
    crate::num::int_value(vm, b)
}

/// The bytes of a `bytes` or `bytearray` value.
pub fn bytes_of(v: &Value) -> Option<Vec<u8>> {
    builtins::bytes_of(v)
}

/// A new `bytes` value.
pub fn new_bytes(vm: &Vm, b: Vec<u8>) -> Value {
    builtins::bytes_const(&vm.types, b)
}

/// True when `v` is a `bytearray`.
pub fn is_bytearray(v: &Value) -> bool {
    matches!(v.payload(), Some(Payload::ByteArray(_)))
}

/// The interned `str` for `s` (for attribute names).
pub fn name(vm: &mut Vm, s: &str) -> Rc<Str> {
    vm.intern(s)
}

/// `getattr(obj, name)`.
pub fn getattr(vm: &mut Vm, obj: &Value, name: &str) -> PyResult {
    let n = vm.intern(name);
    vm.get_attr(obj, &n)
}

/// Calls `obj.name(*args)`.
pub fn call_method(vm: &mut Vm, obj: &Value, name: &str, args: &[Value]) -> PyResult {
    let f = getattr(vm, obj, name)?;
    vm.call(&f, args, &[])
}

/// Looks a special method up on the class of `v` (as CPython's `_PyObject_LookupSpecial`)
/// and calls it with `v` and `args`; `None` when the class has no such method.
pub fn call_special(vm: &mut Vm, v: &Value, name: &str, args: &[Value]) -> PyResult<Option<Value>> {
    let cls = vm.class_of(v).clone();
    let n = vm.intern(name);
    match crate::types::lookup(&cls, &n) {
        Some(f) => {
            let mut all = Vec::with_capacity(args.len() + 1);
            all.push(v.clone());
            all.extend_from_slice(args);
            vm.call(&f, &all, &[]).map(Some)
        }
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::native::Args;

    struct Counter(i64);

    fn twice(vm: &mut Vm, a: Args) -> PyResult {
        a.check_count(vm, "twice", 1, 1)?;
        Ok(Value::Float(2.0 * to_f64(vm, &a.pos[0])?))
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
