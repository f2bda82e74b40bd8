//! Calls: binding arguments to parameters with CPython's error messages, building frames
//! for script functions (reusing frame storage), creating instances from class calls, and
//! the general `Vm::call` that native code uses to call anything.

use crate::code::{flags, AttrCache, CacheKind, Code};
use crate::dict::Dict;
use crate::frame::{Delivery, Frame};
use crate::interp::Prepared;
use crate::native::{Args, NativeFunction, NativeImpl};
use crate::object::{Function, GenKind, Generator, Object, Payload};
use crate::str::Str;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::cell::RefCell;
use std::rc::Rc;

impl Vm {
    /// Prepares a call made by the running frame (on top of `frames` meanwhile): script
    /// functions become frames to push; everything else runs now.
    pub(crate) fn prepare_call(
        &mut self,
        callee: Value,
        args: &[Value],
        kw: &[(Rc<Str>, Value)],
    ) -> PyResult<Prepared> {
        if let Value::Obj(o) = &callee {
            match &o.payload {
                Payload::Function(func) if !func.code.is_generator_like() => {
                    let frame = self.function_frame(o, func, None, args, kw, Delivery::Call)?;
                    return Ok(Prepared::Frame(frame));
                }
                Payload::Method(m) => {
                    if let Value::Obj(fo) = &m.0 {
                        if let Payload::Function(func) = &fo.payload {
                            if !func.code.is_generator_like() {
                                let frame = self.function_frame(
                                    fo,
                                    func,
                                    Some(&m.1),
                                    args,
                                    kw,
                                    Delivery::Call,
                                )?;
                                return Ok(Prepared::Frame(frame));
                            }
                        }
                    }
                }
                Payload::Native(nf) => {
                    if let Some(make) = crate::builtins::frame_builtin(self, o) {
                        let a = crate::native::Args { pos: args, kw };
                        return Ok(Prepared::Frame(make(self, a, Delivery::Call)?));
                    }
                    // Called from the loop, as `call_native_lent` does: not a native
                    // nested in another (a blocking one may park its thread).
                    return self.call_bound_native(nf, args, kw).map(Prepared::Value);
                }
                Payload::Type(t) if t.heap => {
                    // Instance creation: object.__new__ then a script __init__ as a frame.
                    if let Some(prep) = self.prepare_class_call(o, args, kw)? {
                        return Ok(prep);
                    }
                }
                // A generator or coroutine function: `call` makes the generator; the
                // class's `__call__` is not looked up.
                Payload::Type(_) | Payload::Function(_) => {}
                _ => {
                    if let Some(prep) = self.prepare_instance_call(o, &callee, args, kw)? {
                        return Ok(prep);
                    }
                }
            }
        }
        self.call(&callee, args, kw).map(Prepared::Value)
    }

    /// The `__call__` of `v`'s class when `v` is an instance (not a function, method,
    /// built-in or class) and that `__call__` is a native method taking the instance
    /// first: the run loop calls it with the callee and arguments as they lie on the stack.
    #[inline]
    pub(crate) fn native_call_method(&self, v: &Value) -> Option<Obj> {
        let Value::Obj(o) = v else { return None };
        if matches!(
            o.payload,
            Payload::Function(_) | Payload::Method(_) | Payload::Native(_) | Payload::Type(_)
        ) {
            return None;
        }
        self.class_call_method(o)
            .filter(|m| matches!(&m.payload, Payload::Native(nf) if binds_instance(nf)))
    }

    /// The `__call__` `o`'s class defines, when it is an object (not a plain value).
    #[inline]
    fn class_call_method(&self, o: &Obj) -> Option<Obj> {
        match self.lookup(o.class_raw()?, &self.names.__call__)? {
            Value::Obj(m) => Some(m),
            _ => None,
        }
    }

    /// A call of an instance whose class's `__call__` is a script function (run as a frame
    /// with the instance bound, not in a nested run loop) or a native method (called with
    /// the instance first). `None` for anything else, which [`Vm::call`] handles.
    fn prepare_instance_call(
        &mut self,
        o: &Obj,
        callee: &Value,
        args: &[Value],
        kw: &[(Rc<Str>, Value)],
    ) -> PyResult<Option<Prepared>> {
        let Some(m) = self.class_call_method(o) else {
            return Ok(None);
        };
        match &m.payload {
            Payload::Function(func) if !func.code.is_generator_like() => {
                let frame =
                    self.function_frame(&m, func, Some(callee), args, kw, Delivery::Call)?;
                Ok(Some(Prepared::Frame(frame)))
            }
            Payload::Native(nf) if binds_instance(nf) => {
                let r = with_joined(std::slice::from_ref(callee), args, |all| {
                    call_native(self, nf, Args { pos: all, kw }, false)
                })?;
                Ok(Some(Prepared::Value(r)))
            }
            _ => Ok(None),
        }
    }

    /// Calls native `nf` with `args` (after its bound receiver, if it has one).
    fn call_bound_native(
        &mut self,
        nf: &NativeFunction,
        args: &[Value],
        kw: &[(Rc<Str>, Value)],
    ) -> PyResult {
        match &nf.bound {
            Some(b) => with_joined(std::slice::from_ref(b), args, |all| {
                call_native(self, nf, Args { pos: all, kw }, false)
            }),
            None => call_native(self, nf, Args { pos: args, kw }, false),
        }
    }

    fn prepare_class_call(
        &mut self,
        cls: &Obj,
        args: &[Value],
        kw: &[(Rc<Str>, Value)],
    ) -> PyResult<Option<Prepared>> {
        // The two common shapes under metaclass `type`: inherited object.__new__ with a
        // script __init__, and a script __new__ with the inherited object.__init__ (a
        // namedtuple's). Anything else goes through `construct`.
        if cls
            .class_raw()
            .is_some_and(|m| !Rc::ptr_eq(m, &self.types.type_))
        {
            return Ok(None);
        }
        let new = self.lookup(cls, &self.names.__new__.clone());
        if let Some(Value::Obj(n)) = &new {
            if !is_object_native(n) {
                return self.prepare_script_new(cls, n, args, kw);
            }
        }
        let init = self.lookup(cls, &self.names.__init__.clone());
        let Some(Value::Obj(init)) = init else {
            return Ok(None);
        };
        let Payload::Function(func) = &init.payload else {
            return Ok(None);
        };
        if func.code.is_generator_like() {
            return Ok(None);
        }
        let inst = self.new_instance(cls)?;
        let frame = self.function_frame(&init, func, Some(&inst), args, kw, Delivery::Init)?;
        self.frames.last_mut().expect("caller").stack.push(inst);
        Ok(Some(Prepared::Frame(frame)))
    }

    /// Fills a [`CacheKind::ClassInit`] entry for calls of `cls` when they take the shape
    /// [`Vm::prepare_class_call`] runs as `object.__new__` then a script `__init__` frame.
    pub(crate) fn fill_class_init_cache(&self, slot: &std::cell::Cell<AttrCache>, cls: &Obj) {
        if !cls.as_type().is_some_and(|t| t.heap)
            || cls
                .class_raw()
                .is_some_and(|m| !Rc::ptr_eq(m, &self.types.type_))
        {
            return;
        }
        let epoch = crate::types::type_epoch();
        if !matches!(self.lookup(cls, &self.names.__new__), Some(Value::Obj(n)) if is_object_native(&n))
        {
            return;
        }
        let Some(Value::Obj(init)) = self.lookup(cls, &self.names.__init__) else {
            return;
        };
        if matches!(&init.payload, Payload::Function(f) if !f.code.is_generator_like()) {
            slot.set(AttrCache {
                epoch,
                cls: Rc::as_ptr(cls) as usize,
                pos: 0,
                kind: CacheKind::ClassInit,
                method: Rc::as_ptr(&init) as usize,
                version: 0,
            });
        }
    }

    /// A new instance of `cls` and the frame of `init`, its cached `__init__` (see
    /// [`CacheKind::ClassInit`]), for a call with `args` and `kw`: the caller puts the
    /// instance where the call's result goes, which it is once `__init__` returns `None`.
    pub(crate) fn enter_cached_init(
        &mut self,
        cls: &Obj,
        init: &Obj,
        args: &[Value],
        kw: &[(Rc<Str>, Value)],
    ) -> PyResult<(Value, Box<Frame>)> {
        let Payload::Function(func) = &init.payload else {
            unreachable!("a cached __init__ is a function")
        };
        let inst = self.new_instance(cls)?;
        let frame = self.function_frame(init, func, Some(&inst), args, kw, Delivery::Init)?;
        Ok((inst, frame))
    }

    /// A class call whose `__new__` is a script function, whose `__init__` is
    /// `object.__init__` and which has no subclasses: the call is `__new__(cls, *args,
    /// **kw)` run as a frame, its result the call's (`object.__init__` does nothing and
    /// checks nothing once `__new__` is overridden).
    fn prepare_script_new(
        &mut self,
        cls: &Obj,
        new: &Obj,
        args: &[Value],
        kw: &[(Rc<Str>, Value)],
    ) -> PyResult<Option<Prepared>> {
        let Payload::StaticMethod(Value::Obj(fo)) = &new.payload else {
            return Ok(None);
        };
        let Payload::Function(func) = &fo.payload else {
            return Ok(None);
        };
        if func.code.is_generator_like() {
            return Ok(None);
        }
        let init = self.lookup(cls, &self.names.__init__.clone());
        let object_init = matches!(&init, Some(Value::Obj(o)) if is_object_native(o));
        // `type.__call__` runs the `__init__` of the class of what `__new__` returns when
        // that is an instance of `cls`: with no subclasses alive, it can only be `cls`'s
        // own, `object.__init__`, which does nothing here.
        let subclassed = cls
            .as_type()
            .is_some_and(|t| t.subclasses.borrow().iter().any(|w| w.strong_count() > 0));
        if !object_init || subclassed {
            return Ok(None);
        }
        let fo = fo.clone();
        let Payload::Function(func) = &fo.payload else {
            unreachable!()
        };
        let clsv = Value::Obj(cls.clone());
        let frame = self.function_frame(&fo, func, Some(&clsv), args, kw, Delivery::Call)?;
        Ok(Some(Prepared::Frame(frame)))
    }

    /// Calls any callable from native code (re-entering the interpreter for script code),
    /// with positional arguments and keyword arguments (interned names, [`Vm::intern`]).
    /// A host calls it inside [`Vm::guarded`] (or uses [`Vm::call_value`]).
    ///
    /// ```
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// vm.exec(
    ///     "def connect(host, port=80, *, timeout=None):\n\
    ///      \x20   return f'{host}:{port} t={timeout}'\n",
    /// )?;
    /// let connect: Value = vm.get_global("connect")?;
    /// let (a, b) = vm.guarded(|vm| {
    ///     let timeout = vm.intern("timeout");
    ///     let a = vm.call(
    ///         &connect,
    ///         &[Value::str("db"), Value::Int(5432)],
    ///         &[(timeout, Value::float(2.5))],
    ///     )?;
    ///     let b = vm.call0(&connect, &[Value::str("web")])?;
    ///     Ok((vm.from_value::<String>(&a)?, vm.from_value::<String>(&b)?))
    /// })?;
    /// assert_eq!((a.as_str(), b.as_str()), ("db:5432 t=2.5", "web:80 t=None"));
    /// let err = vm
    ///     .guarded(|vm| vm.call0(&connect, &[]).map(drop))
    ///     .unwrap_err();
    /// assert!(err
    ///     .to_string()
    ///     .ends_with("TypeError: connect() missing 1 required positional argument: 'host'"));
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn call(&mut self, callee: &Value, args: &[Value], kw: &[(Rc<Str>, Value)]) -> PyResult {
        let Value::Obj(o) = callee else {
            return Err(self.not_callable(callee));
        };
        match &o.payload {
            Payload::Function(func) => {
                if func.code.is_generator_like() {
                    let frame = self.function_frame(o, func, None, args, kw, Delivery::Native)?;
                    return Ok(self.new_generator(func, frame));
                }
                let frame = self.function_frame(o, func, None, args, kw, Delivery::Native)?;
                self.run_frame(frame)
            }
            Payload::Method(m) => {
                let (func, selfv) = (&m.0, &m.1);
                if let Value::Obj(fo) = func {
                    if let Payload::Function(fd) = &fo.payload {
                        let frame =
                            self.function_frame(fo, fd, Some(selfv), args, kw, Delivery::Native)?;
                        if fd.code.is_generator_like() {
                            return Ok(self.new_generator(fd, frame));
                        }
                        return self.run_frame(frame);
                    }
                }
                with_joined(std::slice::from_ref(selfv), args, |all| {
                    self.call(func, all, kw)
                })
            }
            Payload::Native(nf) => {
                // Natives calling natives nest on the Rust stack without a frame: they
                // count towards the recursion limit too.
                if self.frames.len() + self.native_depth > self.recursion_limit + 50 {
                    return Err(self.new_recursion_error(""));
                }
                self.native_depth += 1;
                let r = self.call_bound_native(nf, args, kw);
                self.native_depth -= 1;
                r
            }
            Payload::Type(_) => self.call_type(o, args, kw),
            Payload::StaticMethod(f) => {
                let f = f.clone();
                self.call(&f, args, kw)
            }
            _ => {
                let cls = self.class_of(callee).clone();
                match self.lookup(&cls, &self.names.__call__.clone()) {
                    // A function or method descriptor takes the instance first.
                    Some(m) if takes_instance(&m) => {
                        with_joined(std::slice::from_ref(callee), args, |all| {
                            self.call(&m, all, kw)
                        })
                    }
                    // Anything else (`__call__ = print`) is bound as a descriptor, if it
                    // is one, and called with the arguments alone.
                    // An instance that is its class's `__call__` calls itself without
                    // a frame: the recursion limit stops it, as CPython's.
                    Some(m) => {
                        let bound = self.bind_descriptor(m, callee.clone(), &cls)?;
                        self.enter_native(" while calling a Python object")?;
                        let r = self.call(&bound, args, kw);
                        self.leave_native();
                        r
                    }
                    None => Err(self.not_callable(callee)),
                }
            }
        }
    }

    /// Calls `f(*args)` without keywords; see the example of [`Vm::call`].
    pub fn call0(&mut self, f: &Value, args: &[Value]) -> PyResult {
        self.call(f, args, &[])
    }

    fn not_callable(&self, v: &Value) -> Obj {
        self.new_type_error(format!("'{}' object is not callable", self.type_name(v)))
    }

    /// Calls a class: its metaclass's `__call__` when a metaclass overrides it, otherwise
    /// `__new__` then `__init__` ([`Vm::construct`], what `type.__call__` does). Internal:
    /// [`Vm::call`] calls classes through it.
    pub(crate) fn call_type(
        &mut self,
        cls: &Obj,
        args: &[Value],
        kw: &[(Rc<Str>, Value)],
    ) -> PyResult {
        if let Some(meta) = cls
            .class_raw()
            .filter(|m| !Rc::ptr_eq(m, &self.types.type_))
            .cloned()
        {
            if let Some(f) = self.lookup(&meta, &self.names.__call__.clone()) {
                let is_type_call = matches!(&f, Value::Obj(o) if matches!(&o.payload, Payload::Native(nf) if nf.owner.as_ref().is_some_and(|o| o.as_str() == "type")));
                if !is_type_call {
                    return with_joined(&[Value::Obj(cls.clone())], args, |all| {
                        self.call(&f, all, kw)
                    });
                }
            }
        }
        self.construct(cls, args, kw)
    }

    /// `type.__call__(cls, *args, **kw)`: `__new__` then `__init__`. Internal; hosts call a
    /// class with [`Vm::call`].
    pub(crate) fn construct(
        &mut self,
        cls: &Obj,
        args: &[Value],
        kw: &[(Rc<Str>, Value)],
    ) -> PyResult {
        // `super(...)`: no `__new__` or `__init__` to look up (`super.__init__` is
        // `object`'s).
        if Rc::ptr_eq(cls, &self.types.super_) && kw.is_empty() {
            return crate::builtins::object::make_super(self, args);
        }
        // type(x) with one argument.
        if args.len() == 1 && kw.is_empty() {
            // type(x), and the conversions `int(x)`, `float(x)`, `str(x)`: what their
            // `__new__` computes for exactly one positional argument, without building the
            // argument list or looking up `__new__` and `__init__` (CPython's vectorcall
            // entries for these types).
            let x = &args[0];
            if Rc::ptr_eq(cls, &self.types.type_) {
                return Ok(Value::Obj(self.class_of(x).clone()));
            }
            if Rc::ptr_eq(cls, &self.types.int) {
                return crate::builtins::int::to_int(self, x);
            }
            if Rc::ptr_eq(cls, &self.types.float) {
                return Ok(Value::float(crate::builtins::int::to_float(self, x)?));
            }
            if Rc::ptr_eq(cls, &self.types.str) {
                return Ok(Value::Str(self.to_str(x)?));
            }
            if Rc::ptr_eq(cls, &self.types.bytes) {
                // `bytes(b)` is `b` itself (`bytes.__bytes__`); `bytes(ba)` of an exact
                // bytearray (which has no `__bytes__`) copies its contents.
                if let Value::Obj(o) = x {
                    let exact = |t: &Obj| o.class_raw().is_some_and(|c| Rc::ptr_eq(c, t));
                    match &o.payload {
                        Payload::Bytes(_) if exact(&self.types.bytes) => return Ok(x.clone()),
                        Payload::ByteArray(b) if exact(&self.types.bytearray) => {
                            if let Ok(b) = b.try_borrow() {
                                let copy = b.to_vec();
                                return Ok(crate::builtins::bytes_const(&self.types, copy));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        if kw.is_empty() && Rc::ptr_eq(cls, &self.types.range) {
            if let Some(r) = crate::builtins::big_range::make_small(self, args) {
                return Ok(r);
            }
        }
        let new = self.lookup(cls, &self.names.__new__.clone());
        if let (Some(n), true) = (&new, kw.is_empty()) {
            if let Some(inst) = crate::builtins::exceptions::construct_plain(self, cls, n, args)? {
                return Ok(inst);
            }
        }
        let inst = match &new {
            Some(n @ Value::Obj(no)) => match &no.payload {
                Payload::Native(_) if is_object_native(no) => {
                    // A built-in type without a `__new__` of its own cannot be called at
                    // all, whatever the arguments (CPython's `tp_new == NULL`).
                    if cls
                        .as_type()
                        .is_some_and(|t| t.layout == crate::object::Layout::Builtin)
                    {
                        return self.new_instance(cls);
                    }
                    self.check_object_new_args(cls, args, kw)?;
                    crate::builtins::object::check_not_abstract(self, cls)?;
                    self.new_instance(cls)?
                }
                _ => {
                    let n = match &no.payload {
                        Payload::StaticMethod(inner) => inner.clone(),
                        _ => n.clone(),
                    };
                    with_joined(&[Value::Obj(cls.clone())], args, |all| {
                        self.call(&n, all, kw)
                    })?
                }
            },
            _ => self.new_instance(cls)?,
        };
        // __init__ runs only when __new__ returned an instance of cls.
        let inst_cls = self.class_of(&inst).clone();
        if !crate::types::is_subtype(&inst_cls, cls) {
            return Ok(inst);
        }
        if let Some(init) = self.lookup(&inst_cls, &self.names.__init__.clone()) {
            let is_object_init = matches!(&init, Value::Obj(o) if is_object_native(o));
            if !is_object_init {
                let r = with_joined(std::slice::from_ref(&inst), args, |all| {
                    self.call(&init, all, kw)
                })?;
                if !r.is_none() {
                    return Err(self.new_type_error(format!(
                        "__init__() should return None, not '{}'",
                        self.type_name(&r)
                    )));
                }
            }
        }
        Ok(inst)
    }

    fn check_object_new_args(
        &self,
        cls: &Obj,
        args: &[Value],
        kw: &[(Rc<Str>, Value)],
    ) -> PyResult<()> {
        if args.is_empty() && kw.is_empty() {
            return Ok(());
        }
        let init = self.lookup(cls, &self.names.__init__);
        let has_init = matches!(&init, Some(Value::Obj(o)) if !is_object_native(o));
        if has_init {
            return Ok(());
        }
        Err(self.new_type_error(format!(
            "{}() takes no arguments",
            crate::types::type_name(cls)
        )))
    }

    /// A fresh instance of `cls` laid out as its built-in base requires (`object.__new__`),
    /// without running `__init__`. Internal; hosts call a class with [`Vm::call`].
    #[doc(hidden)]
    pub fn new_instance(&mut self, cls: &Obj) -> PyResult {
        let Some(t) = cls.as_type() else {
            return Err(self.new_type_error("not a class"));
        };
        let payload = match t.layout {
            crate::object::Layout::Object if t.nslots > 0 => {
                Payload::Slots(RefCell::new(vec![None; t.nslots]))
            }
            crate::object::Layout::Object => Payload::Plain,
            crate::object::Layout::List => Payload::List(RefCell::new(Vec::new())),
            crate::object::Layout::Dict => Payload::Dict(Box::new(RefCell::new(Dict::new()))),
            crate::object::Layout::Exception => {
                Payload::Exception(Box::new(RefCell::new(crate::object::ExcData {
                    args: self.new_tuple(Vec::new()),
                    ..Default::default()
                })))
            }
            crate::object::Layout::Set | crate::object::Layout::FrozenSet => {
                Payload::Set(Box::new(RefCell::new(crate::set::SetData::new())))
            }
            crate::object::Layout::Int => Payload::Int(num_bigint::BigInt::from(0)),
            crate::object::Layout::Float => Payload::Float(0.0),
            crate::object::Layout::Complex => Payload::Complex(0.0, 0.0),
            crate::object::Layout::Str => Payload::Str(Rc::new(Str::new(String::new()))),
            crate::object::Layout::Tuple => Payload::Tuple(Box::new([])),
            crate::object::Layout::Bytes => Payload::Bytes(Box::new([])),
            crate::object::Layout::ByteArray => Payload::ByteArray(RefCell::new(Vec::new())),
            crate::object::Layout::Property => crate::builtins::empty_property(),
            crate::object::Layout::Type | crate::object::Layout::Builtin => {
                return Err(self.new_type_error(format!(
                    "cannot create '{}' instances",
                    crate::types::type_name(cls)
                )))
            }
        };
        Ok(self.new_object_of(cls, payload))
    }

    /// An instance of the class `cls`, whose instances keep their attributes in `__slots__`,
    /// with `slots` as its slot storage (one entry per slot, `None` for unset): what
    /// [`Vm::new_instance`] makes, already filled. `slots` back, making nothing, when `cls`
    /// is not such a class or has another number of slots.
    pub fn new_instance_with_slots(
        &mut self,
        cls: &Obj,
        slots: Vec<Option<Value>>,
    ) -> Result<Value, Vec<Option<Value>>> {
        let fits = cls.as_type().is_some_and(|t| {
            matches!(t.layout, crate::object::Layout::Object)
                && t.nslots == slots.len()
                && !slots.is_empty()
        });
        if !fits {
            return Err(slots);
        }
        Ok(self.new_object_of(cls, Payload::Slots(RefCell::new(slots))))
    }

    /// An object of class `cls` carrying `payload`: what a built-in `__new__` makes for
    /// `cls`, the built-in class itself or a script's subclass of it, whose instances get
    /// their `__dict__` (made on first use with slots and for exceptions, most of which
    /// never store an attribute, `Vm::instance_dict`; a module's attributes are its
    /// globals).
    pub(crate) fn new_object_of(&mut self, cls: &Obj, payload: Payload) -> Value {
        let (instance_dict, hint) = cls
            .as_type()
            .map_or((false, 0), |t| (t.instance_dict, t.dict_hint.get()));
        let eager_dict = instance_dict
            && !matches!(
                payload,
                Payload::Slots(_) | Payload::Module(_) | Payload::Exception(_)
            );
        let obj = if eager_dict {
            let d = self.new_dict(Dict::with_capacity(hint as usize));
            Object::with_dict(cls.clone(), payload, d)
        } else {
            Object::new(cls.clone(), payload)
        };
        Value::Obj(self.track(obj))
    }

    /// Builds the frame for calling script function `fo` (with `selfv` prepended).
    pub(crate) fn function_frame(
        &mut self,
        fo: &Obj,
        func: &Function,
        selfv: Option<&Value>,
        args: &[Value],
        kw: &[(Rc<Str>, Value)],
        delivery: Delivery,
    ) -> PyResult<Box<Frame>> {
        let _ = fo;
        let code = &func.code;
        let nargs = args.len() + selfv.is_some() as usize;
        let mut frame = self.frame_pool_get(code, &func.globals, delivery);
        // Fast path: exact positional arguments, no cells.
        let simple = kw.is_empty()
            && nargs == code.argcount as usize
            && code.flags & (flags::VARARGS | flags::VARKEYWORDS) == 0
            && code.kwonlyargcount == 0;
        if simple {
            let mut i = 0;
            if let Some(s) = selfv {
                frame.locals[0] = Some(s.clone());
                i = 1;
            }
            for a in args {
                frame.locals[i] = Some(a.clone());
                i += 1;
            }
        } else if let Err(e) = self.bind_args(&mut frame, func, selfv, args, kw) {
            self.frame_pool_put(frame);
            return Err(e);
        }
        if code.ncells() > 0 {
            self.fill_cells(&mut frame, func);
        }
        Ok(frame)
    }

    /// The cells of `frame`, a call of `func` whose arguments are bound: a new cell for
    /// each cell variable (holding the argument of that name, if it is one), then the
    /// function's closure.
    pub(crate) fn fill_cells(&mut self, frame: &mut Frame, func: &Function) {
        let code = &func.code;
        for i in 0..code.cellvars.len() {
            let init = code.cell2arg[i].and_then(|a| frame.locals[a as usize].clone());
            let c = self.new_cell(init);
            frame.cells_mut().push(c);
        }
        frame.cells_mut().extend(func.closure.iter().cloned());
    }

    fn bind_args(
        &mut self,
        frame: &mut Frame,
        func: &Function,
        selfv: Option<&Value>,
        args: &[Value],
        kw: &[(Rc<Str>, Value)],
    ) -> PyResult<()> {
        let code = &func.code;
        // The qualified name is only needed for error messages.
        let qualname = || {
            func.qualname
                .borrow()
                .as_str()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default()
        };
        let argcount = code.argcount as usize;
        let kwonly = code.kwonlyargcount as usize;
        // The positional arguments are `selfv` (when bound) followed by `args`.
        let positional = selfv.into_iter().chain(args.iter());
        let given = args.len() + selfv.is_some() as usize;
        let has_varargs = code.flags & flags::VARARGS != 0;
        let has_varkw = code.flags & flags::VARKEYWORDS != 0;
        let vararg_index = argcount + kwonly;
        let varkw_index = vararg_index + has_varargs as usize;
        // Positional parameters.
        for (i, v) in positional.clone().take(argcount).enumerate() {
            frame.locals[i] = Some(v.clone());
        }
        if has_varargs {
            // The positional arguments past `argcount` (`selfv` too when there is no
            // parameter to take it).
            let mut extra = Vec::with_capacity(given.saturating_sub(argcount));
            if argcount == 0 {
                extra.extend(selfv.cloned());
            }
            let skip = argcount.saturating_sub(selfv.is_some() as usize);
            extra.extend_from_slice(args.get(skip..).unwrap_or(&[]));
            frame.locals[vararg_index] = Some(self.new_tuple(extra));
        } else if given > argcount {
            let qual = qualname();
            let defaults = func.defaults.borrow().len();
            let kw_given = kw
                .iter()
                .filter(|(k, _)| {
                    code.varnames[argcount..argcount + kwonly]
                        .iter()
                        .any(|v| v.as_str() == k.as_str())
                })
                .count();
            let takes = if defaults > 0 {
                format!(
                    "from {} to {} positional arguments",
                    argcount - defaults,
                    argcount
                )
            } else {
                format!(
                    "{} positional argument{}",
                    argcount,
                    if argcount == 1 { "" } else { "s" }
                )
            };
            let was = if given == 1 { "was" } else { "were" };
            let kw_part = if kw_given > 0 {
                format!(
                    " positional argument{} (and {} keyword-only argument{})",
                    if given == 1 { "" } else { "s" },
                    kw_given,
                    if kw_given == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            };
            let msg = if kw_given > 0 {
                format!("{qual}() takes {takes} but {given}{kw_part} were given")
            } else {
                format!("{qual}() takes {takes} but {given} {was} given")
            };
            return Err(self.new_type_error(msg));
        }
        // Keyword arguments.
        let kwdict = if has_varkw {
            Some(self.new_dict(Dict::new()))
        } else {
            None
        };
        let mut posonly_as_kw: Vec<String> = Vec::new();
        for (k, v) in kw {
            let params = &code.varnames[..argcount + kwonly];
            let pos = params
                .iter()
                .position(|p| Rc::ptr_eq(p, k))
                .or_else(|| params.iter().position(|p| p.as_str() == k.as_str()));
            match pos {
                Some(i) if i >= code.posonlyargcount as usize => {
                    if frame.locals[i].is_some() {
                        return Err(self.new_type_error(format!(
                            "{}() got multiple values for argument '{}'",
                            qualname(),
                            k.as_str()
                        )));
                    }
                    frame.locals[i] = Some(v.clone());
                }
                _ => match &kwdict {
                    Some(d) => {
                        if let Payload::Dict(dd) = &d.payload {
                            dd.borrow_mut().set_str(k.clone(), v.clone());
                        }
                    }
                    None => {
                        if pos.is_some() {
                            posonly_as_kw.push(k.as_str().to_string());
                            continue;
                        }
                        return Err(self.new_type_error(format!(
                            "{}() got an unexpected keyword argument '{}'",
                            qualname(),
                            k.as_str()
                        )));
                    }
                },
            }
        }
        if !posonly_as_kw.is_empty() {
            return Err(self.new_type_error(format!(
                "{}() got some positional-only arguments passed as keyword arguments: '{}'",
                qualname(),
                posonly_as_kw.join(", ")
            )));
        }
        if let Some(d) = kwdict {
            frame.locals[varkw_index] = Some(Value::Obj(d));
        }
        // Defaults and missing arguments.
        let defaults = func.defaults.borrow();
        let first_default = argcount - defaults.len().min(argcount);
        let mut missing = Vec::new();
        for i in 0..argcount {
            if frame.locals[i].is_none() {
                if i >= first_default {
                    // The last `argcount` defaults when `__defaults__` was given more.
                    frame.locals[i] = Some(defaults[i + defaults.len() - argcount].clone());
                } else {
                    missing.push(code.varnames[i].as_str().to_string());
                }
            }
        }
        if !missing.is_empty() {
            return Err(self.new_type_error(missing_message(&qualname(), &missing, "positional")));
        }
        let kwdefaults = func.kwdefaults.borrow().clone();
        for i in argcount..argcount + kwonly {
            if frame.locals[i].is_none() {
                let name = &code.varnames[i];
                let d = match &kwdefaults {
                    Value::Obj(d) => self.dict_get_str(d, name),
                    _ => None,
                };
                match d {
                    Some(v) => frame.locals[i] = Some(v),
                    None => missing.push(name.as_str().to_string()),
                }
            }
        }
        if !missing.is_empty() {
            return Err(self.new_type_error(missing_message(
                &qualname(),
                &missing,
                "keyword-only",
            )));
        }
        Ok(())
    }

    /// A frame for `code`, reusing pooled storage.
    pub(crate) fn frame_pool_get(
        &mut self,
        code: &Rc<Code>,
        globals: &Obj,
        delivery: Delivery,
    ) -> Box<Frame> {
        let mut f = self.frame_pool_take(code, globals, delivery);
        f.locals.resize(code.nlocals(), None);
        f
    }

    /// Like [`Vm::frame_pool_get`], but the locals are left empty (the caller fills them
    /// to `code.nlocals()`).
    #[inline(always)]
    pub(crate) fn frame_pool_take(
        &mut self,
        code: &Rc<Code>,
        globals: &Obj,
        delivery: Delivery,
    ) -> Box<Frame> {
        match self.frame_pool.pop() {
            Some(mut f) => {
                // Recursion and loops call the same function again: keep the references.
                if !Rc::ptr_eq(&f.code, code) {
                    f.code = code.clone();
                }
                if !Rc::ptr_eq(&f.globals, globals) {
                    f.globals = globals.clone();
                }
                f.ip = 0;
                f.delivery = delivery;
                f
            }
            None => new_frame(code, globals, delivery),
        }
    }

    /// Returns a frame's storage to the pool.
    #[inline(always)]
    pub(crate) fn frame_pool_put(&mut self, mut f: Box<Frame>) {
        if self.frame_pool.len() >= 64 {
            drop_frame(f);
            return;
        }
        // A returning frame usually has an empty stack, no blocks, no cells and none of the
        // optional parts: test before calling the out-of-line slice drops.
        if !f.stack.is_empty() {
            f.stack.clear();
        }
        f.locals.clear();
        if !f.blocks.is_empty() {
            f.blocks.clear();
        }
        if f.generator.is_some() {
            f.generator = None;
        }
        f.clear_extra();
        self.frame_pool.push(f);
    }

    /// `MakeFunction`: a function object for a code constant.
    pub(crate) fn make_function(
        &mut self,
        code_obj: &Value,
        globals: &Obj,
        defaults: Option<Value>,
        kwdefaults: Option<Value>,
        closure: Option<Value>,
    ) -> Value {
        let Some(Payload::Code(code)) = code_obj.payload() else {
            return Value::None;
        };
        let defaults = match defaults.as_ref().and_then(|d| d.payload()) {
            Some(Payload::Tuple(t)) => t.to_vec(),
            _ => Vec::new(),
        };
        let closure: Box<[Obj]> = match closure.as_ref().and_then(|c| c.payload()) {
            Some(Payload::Tuple(t)) => t.iter().filter_map(|v| v.as_obj().cloned()).collect(),
            _ => Box::new([]),
        };
        let module = self
            .dict_get_str(globals, &self.names.__name__.clone())
            .unwrap_or(Value::None);
        let func = Function {
            code: code.clone(),
            globals: globals.clone(),
            name: RefCell::new(Value::Str(code.name.clone())),
            qualname: RefCell::new(Value::Str(code.qualname.clone())),
            defaults: RefCell::new(defaults),
            kwdefaults: RefCell::new(kwdefaults.unwrap_or(Value::None)),
            closure,
            doc: RefCell::new(code.doc.clone()),
            module: RefCell::new(module),
        };
        let d = self.new_dict(Dict::new());
        Value::Obj(self.track(Object::with_dict(
            self.types.function.clone(),
            Payload::Function(Box::new(func)),
            d,
        )))
    }

    /// A generator, coroutine or async generator owning `frame`.
    pub(crate) fn new_generator(&mut self, func: &Function, mut frame: Box<Frame>) -> Value {
        let code = &func.code;
        trim_for_suspension(&mut frame);
        let (kind, cls) = if code.flags & flags::COROUTINE != 0 {
            (GenKind::Coroutine, self.types.coroutine.clone())
        } else if code.flags & flags::ASYNC_GENERATOR != 0 {
            (GenKind::AsyncGenerator, self.types.async_generator.clone())
        } else {
            (GenKind::Generator, self.types.generator.clone())
        };
        let gen = Generator::new(frame.code.clone(), frame, kind);
        // The names are the function's: kept only when they are not its code's.
        if !func.keeps_code_names() {
            let names = (func.name.borrow().clone(), func.qualname.borrow().clone());
            gen.change_extra(|e| e.names = Some(names));
        }
        Value::Obj(self.track(Object::new(cls, Payload::Generator(gen))))
    }

    /// The coroutine object around frame `f` of a [`Delivery::EagerAwait`] call, which
    /// suspends for the first time: a suspended coroutine named as its code.
    pub(crate) fn suspended_coroutine(&mut self, mut f: Box<Frame>) -> Obj {
        trim_for_suspension(&mut f);
        f.generator = None;
        let gen = Generator::new(f.code.clone(), f, GenKind::Coroutine);
        gen.set_state(crate::object::GenState::Suspended);
        let cls = self.types.coroutine.clone();
        self.track(Object::new(cls, Payload::Generator(gen)))
    }
}

/// A frame from the pool keeps the room of whatever ran in it before; a generator may
/// keep its frame suspended for long, so it keeps only what its code needs.
fn trim_for_suspension(frame: &mut Frame) {
    let code = &frame.code;
    let (stack, locals) = (code.max_stack as usize, code.nlocals());
    frame.stack.shrink_to(stack);
    frame.locals.shrink_to(locals);
    frame.trim_extra();
    frame.blocks.shrink_to(0);
}

/// Runs a native function, after the checks its calling convention asks for
/// ([`NativeFunction::check_call`]; `self_found`: no receiver check, see
/// [`NativeFunction::check_call_with`]).
#[inline(always)]
pub(crate) fn call_native(
    vm: &mut Vm,
    nf: &NativeFunction,
    args: Args<'_>,
    self_found: bool,
) -> PyResult {
    nf.check_call_with(vm, &args, self_found)?;
    // Counted for the threads: a native that blocks parks its thread only when it is the
    // one native running in the thread's run (`threads.rs`).
    vm.threads.nesting += 1;
    let r = match &nf.func {
        NativeImpl::Fn(f) => f(vm, args),
        NativeImpl::Closure(c) => c(vm, args),
    };
    vm.threads.nesting -= 1;
    r
}

/// Runs `f` on `pre` followed by `rest` as one slice: on the Rust stack when there are at
/// most four values (a receiver and up to three arguments, the common calls), without
/// the vector a longer list needs.
#[inline]
pub fn with_joined<R>(pre: &[Value], rest: &[Value], f: impl FnOnce(&[Value]) -> R) -> R {
    let n = pre.len() + rest.len();
    if n <= 4 {
        let mut buf = [Value::None, Value::None, Value::None, Value::None];
        for (slot, v) in buf.iter_mut().zip(pre.iter().chain(rest)) {
            *slot = v.clone();
        }
        f(&buf[..n])
    } else {
        let all: Vec<Value> = pre.iter().chain(rest).cloned().collect();
        f(&all)
    }
}

/// Whether `nf`, found on a class, is a method descriptor that takes the instance first
/// (not a built-in function, nor a native bound to its own object).
#[inline]
fn binds_instance(nf: &NativeFunction) -> bool {
    nf.bound.is_none() && nf.binds()
}

/// Whether a class attribute found for a special method takes the instance as its first
/// argument: a script function or a native method descriptor (not a built-in function, nor
/// a native bound to its own object).
pub(crate) fn takes_instance(v: &Value) -> bool {
    match v {
        Value::Obj(o) => match &o.payload {
            Payload::Function(_) => true,
            Payload::Native(nf) => nf.binds(),
            _ => false,
        },
        _ => false,
    }
}

/// Whether `o` is one of `object`'s own natives (`object.__new__`, `object.__init__`), which
/// class calls skip or run without a frame.
fn is_object_native(o: &Obj) -> bool {
    matches!(&o.payload, Payload::Native(nf) if nf.owner.as_ref().is_some_and(|o| o.as_str() == "object"))
}

fn missing_message(qual: &str, missing: &[String], kind: &str) -> String {
    let quoted: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
    let list = match quoted.len() {
        1 => quoted[0].clone(),
        2 => format!("{} and {}", quoted[0], quoted[1]),
        _ => format!(
            "{}, and {}",
            quoted[..quoted.len() - 1].join(", "),
            quoted[quoted.len() - 1]
        ),
    };
    format!(
        "{qual}() missing {} required {kind} argument{}: {list}",
        missing.len(),
        if missing.len() == 1 { "" } else { "s" }
    )
}

/// A frame when the pool is empty (out of line: the pool almost always has one).
#[cold]
#[inline(never)]
fn new_frame(code: &Rc<Code>, globals: &Obj, delivery: Delivery) -> Box<Frame> {
    Frame::new(
        code.clone(),
        globals.clone(),
        delivery,
        Vec::with_capacity(code.nlocals()),
    )
}

/// Drops a frame the full pool has no room for (out of line).
#[cold]
#[inline(never)]
fn drop_frame(f: Box<Frame>) {
    // First to last, as `frame_pool_put` releases them (see `finalize`'s queue order).
    drop(f);
}

#[cfg(test)]
mod tests {
    use super::with_joined;
    use crate::{Value, Vm};

    /// Joined slices are the concatenation, on the stack (up to four) or in a vector.
    #[test]
    fn with_joined_concatenates() {
        let ints = |r: std::ops::Range<i64>| r.map(Value::Int).collect::<Vec<_>>();
        for npre in 0..3 {
            for nrest in 0..5 {
                let (pre, rest) = (ints(0..npre), ints(npre..npre + nrest));
                let got = with_joined(&pre, &rest, |all| {
                    all.iter()
                        .map(|v| match v {
                            Value::Int(i) => *i,
                            _ => -1,
                        })
                        .collect::<Vec<_>>()
                });
                assert_eq!(got, (0..npre + nrest).collect::<Vec<_>>());
            }
        }
    }

    /// An instance that is its own class's `__call__` calls itself without script frames,
    /// nesting on the Rust stack: it must end in CPython's `RecursionError`, never a stack
    /// overflow.
    #[test]
    fn native_self_recursion_is_a_recursion_error() {
        let mut vm = Vm::new();
        vm.exec(
            "class C:\n    pass\nc = C()\nC.__call__ = c\n\
             try:\n    c()\nexcept RecursionError as e:\n    msg = str(e)\n",
        )
        .expect("the RecursionError is caught");
        let msg: String = vm.get_global("msg").expect("caught");
        assert_eq!(
            msg,
            "maximum recursion depth exceeded while calling a Python object"
        );
    }
}
