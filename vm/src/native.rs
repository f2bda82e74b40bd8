//! Functions implemented in Rust: how they are stored ([`NativeFunction`]), how they receive
//! arguments ([`Args`]), and the argument checks that raise CPython's `TypeError` messages.

use crate::object::Object;
use crate::str::Str;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use std::rc::{Rc, Weak};

/// The signature of a native function: positional arguments (for methods, `self` first) and
/// keyword arguments.
pub type NativeFn = fn(&mut Vm, Args<'_>) -> PyResult;

/// A native callable that captures state (host closures).
pub type NativeClosure = Rc<dyn Fn(&mut Vm, Args<'_>) -> PyResult>;

/// How a native function is implemented.
#[derive(Clone)]
pub enum NativeImpl {
    /// A plain function pointer.
    Fn(NativeFn),
    /// A closure.
    Closure(NativeClosure),
}

/// A built-in function or method: its definition, shared by every bound copy, and the
/// receiver a bound copy holds. Binding (`[].append`) costs one shared reference, not a
/// copy of the definition: asyncio binds a task's wakeup for every future it awaits.
#[derive(Clone)]
pub struct NativeFunction {
    def: Rc<NativeDef>,
    /// The bound receiver (`[].append` binds the list).
    pub bound: Option<Value>,
}

/// What a built-in function is: its names, implementation and calling convention (the
/// fields of a [`NativeFunction`], which dereferences to it).
#[derive(Clone)]
pub struct NativeDef {
    /// `__name__`.
    pub name: Rc<Str>,
    /// The class that defines it, for methods (`list` in `list.append`).
    pub owner: Option<Rc<Str>>,
    /// The module that defines it, for module functions (`__module__`: `math` for
    /// `math.sqrt`); `None` for the built-ins and methods.
    pub module: Option<Rc<Str>>,
    /// The implementation.
    pub func: NativeImpl,
    /// True for `__new__`-like static methods that receive the class explicitly.
    pub is_static: bool,
    /// The calling convention the call path checks before running `func` ([`Sig::FREE`]:
    /// none).
    pub sig: Sig,
    /// For methods with a [`Sig`]: the class their `self` must be an instance of
    /// ([`Receiver::ANY`]: no check, for the methods of `object` and class methods).
    pub receiver: Receiver,
}

impl std::ops::Deref for NativeFunction {
    type Target = NativeDef;

    #[inline(always)]
    fn deref(&self) -> &NativeDef {
        &self.def
    }
}

impl NativeFunction {
    /// An unbound function with definition `def`.
    pub fn new(def: NativeDef) -> NativeFunction {
        NativeFunction {
            def: Rc::new(def),
            bound: None,
        }
    }

    /// This function bound to `receiver`, sharing the definition.
    pub fn bind(&self, receiver: Value) -> NativeFunction {
        NativeFunction {
            def: self.def.clone(),
            bound: Some(receiver),
        }
    }
}

/// The class whose instances a built-in method accepts as `self`, for the receiver check of
/// [`NativeFunction::check_call`].
#[derive(Clone)]
pub struct Receiver {
    /// The class's address (null: any receiver), compared with the receiver's class.
    ptr: *const Object,
    /// Keeps the class's allocation, so its address is never reused while the method lives
    /// (weak: the class holds the method).
    _keep: Option<Weak<Object>>,
}

impl Receiver {
    /// No receiver check.
    pub const ANY: Receiver = Receiver {
        ptr: std::ptr::null(),
        _keep: None,
    };

    /// Instances of `cls` and its subclasses.
    pub fn of(cls: &Obj) -> Receiver {
        Receiver {
            ptr: Rc::as_ptr(cls),
            _keep: Some(Rc::downgrade(cls)),
        }
    }
}

/// A built-in method's calling convention, as CPython's method descriptors and slot
/// wrappers enforce it. The call path ([`NativeFunction::check_call`]) checks the receiver,
/// keywords and positional count it declares before the implementation runs, raising
/// CPython's exact `TypeError`s:
///
/// | kind | no receiver | wrong receiver | count |
/// |---|---|---|---|
/// | method | `unbound method list.clear() needs an argument` | `descriptor 'clear' for 'list' objects doesn't apply to a 'int' object` | `list.clear() takes no arguments (1 given)` |
/// | slot wrapper | `descriptor '__len__' of 'list' object needs an argument` | `descriptor '__len__' requires a 'list' object but received a 'int'` | `expected 0 arguments, got 1` |
///
/// ```
/// use aio_vm::Vm;
///
/// let mut vm = Vm::new();
/// for (src, msg) in [
///     ("[].clear(1)", "list.clear() takes no arguments (1 given)"),
///     ("[].append()", "list.append() takes exactly one argument (0 given)"),
///     ("[].append(x=1)", "list.append() takes no keyword arguments"),
///     ("list.clear()", "unbound method list.clear() needs an argument"),
///     ("list.extend((), 1)", "descriptor 'extend' for 'list' objects doesn't apply to a 'tuple' object"),
///     ("[].__len__(1)", "expected 0 arguments, got 1"),
///     ("[].__setitem__(0)", " expected 2 arguments, got 1"),
///     ("str.__add__(1, 'a')", "descriptor '__add__' requires a 'str' object but received a 'int'"),
/// ] {
///     let err = vm.exec(src).unwrap_err().to_string();
///     assert!(err.ends_with(&format!("TypeError: {msg}")), "{err}");
/// }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Sig {
    kind: SigKind,
    /// Keywords reach the implementation (else the call path refuses them).
    keywords: bool,
    /// A class method: `pos[0]` is the class, which names the method in errors.
    class_method: bool,
    /// Fewest positional arguments after `self`.
    min: u8,
    /// Most positional arguments after `self` (`u8::MAX`: no limit).
    max: u8,
    /// `min + 1`, `self` included: with `span`, the count test is one compare,
    /// `len - lo <= span` (wrapping, so that no `self` fails too).
    lo: u32,
    /// `max - min` (`u32::MAX`: no limit).
    span: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SigKind {
    /// No checks.
    Free,
    /// A method descriptor without keywords (`METH_NOARGS`, `METH_O`, `METH_FASTCALL`).
    Method,
    /// A method descriptor taking keywords: receiver checks only.
    MethodKw,
    /// A slot wrapper counting its arguments as `check_num_args` does.
    Slot,
    /// A slot wrapper counting with `PyArg_UnpackTuple(args, "", min, max)`.
    SlotUnpack,
    /// A slot wrapper taking keywords (`__init__`, `__call__`): receiver checks only.
    SlotKw,
    /// [`Sig::SLOT`] before registration gives it its slot's convention.
    SlotByName,
}

impl Sig {
    /// No checks: plain functions, and methods that check everything themselves.
    pub const FREE: Sig = Sig::new(SigKind::Free, 0, 0);
    /// A built-in function taking positional arguments only (`len`, `isinstance`): the
    /// call path refuses keywords (`len() takes no keyword arguments`), the implementation
    /// checks the count.
    pub const POSITIONAL: Sig = Sig {
        keywords: false,
        ..Sig::FREE
    };
    /// `METH_NOARGS`: `list.clear() takes no arguments (1 given)`.
    pub const NOARGS: Sig = Sig::new(SigKind::Method, 0, 0);
    /// `METH_O`: `list.append() takes exactly one argument (0 given)`.
    pub const O: Sig = Sig::new(SigKind::Method, 1, 1);
    /// A method taking positional arguments only (`METH_VARARGS`/`METH_FASTCALL`): the
    /// implementation checks their count, the call path the receiver and keywords.
    pub const VARARGS: Sig = Sig::new(SigKind::Method, 0, u8::MAX);
    /// A method taking keywords: the call path checks the receiver only.
    pub const KEYWORDS: Sig = Sig::new(SigKind::MethodKw, 0, u8::MAX);
    /// The slot wrapper of a special method, with the convention of its name's slot
    /// ([`Sig::for_slot`]); registration resolves it.
    pub const SLOT: Sig = Sig::new(SigKind::SlotByName, 0, 0);
    /// A slot wrapper taking keywords (`__init__`, `__call__`): receiver checks only.
    pub const SLOT_KW: Sig = Sig::new(SigKind::SlotKw, 0, u8::MAX);
    /// The sequence slots `sq_repeat`/`sq_inplace_repeat` (`list.__mul__`): one argument,
    /// counted by `PyArg_UnpackTuple` (` expected 1 argument, got 0`).
    pub const REPEAT: Sig = Sig::new(SigKind::SlotUnpack, 1, 1);

    const fn new(kind: SigKind, min: u8, max: u8) -> Sig {
        // `Free` passes every test: any count from 0, keywords, no receiver.
        let free = matches!(kind, SigKind::Free);
        Sig {
            kind,
            keywords: free || matches!(kind, SigKind::MethodKw | SigKind::SlotKw),
            class_method: false,
            min,
            max,
            lo: if free { 0 } else { min as u32 + 1 },
            span: if free || max == u8::MAX {
                u32::MAX
            } else {
                (max - min) as u32
            },
        }
    }

    /// The convention as a class method's (errors name the class it is called on:
    /// `F.fromhex()` for a subclass `F` of `float`).
    pub(crate) fn for_class_method(self) -> Sig {
        Sig {
            class_method: true,
            ..self
        }
    }

    /// The convention of CPython's slot wrapper for special method `name` (its `slotdefs`
    /// entry): `__len__` takes nothing, `__add__` one argument, `__setitem__` two,
    /// `__pow__` one or two; `None` when `name` is no slot. Number slots win over the
    /// sequence slots of the same name ([`Sig::REPEAT`]).
    pub fn for_slot(name: &str) -> Option<Sig> {
        let exact = |n| Some(Sig::new(SigKind::Slot, n, n));
        let unpack = |min, max| Some(Sig::new(SigKind::SlotUnpack, min, max));
        match name {
            "__repr__" | "__str__" | "__hash__" | "__iter__" | "__next__" | "__len__"
            | "__bool__" | "__neg__" | "__pos__" | "__abs__" | "__invert__" | "__int__"
            | "__float__" | "__index__" | "__await__" | "__aiter__" | "__anext__" | "__del__" => {
                exact(0)
            }
            "__getattribute__" | "__getattr__" | "__delattr__" | "__lt__" | "__le__" | "__eq__"
            | "__ne__" | "__gt__" | "__ge__" | "__getitem__" | "__delitem__" | "__contains__"
            | "__delete__" | "__add__" | "__radd__" | "__sub__" | "__rsub__" | "__mul__"
            | "__rmul__" | "__mod__" | "__rmod__" | "__divmod__" | "__rdivmod__" | "__lshift__"
            | "__rlshift__" | "__rshift__" | "__rrshift__" | "__and__" | "__rand__" | "__xor__"
            | "__rxor__" | "__or__" | "__ror__" | "__floordiv__" | "__rfloordiv__"
            | "__truediv__" | "__rtruediv__" | "__matmul__" | "__rmatmul__" | "__iadd__"
            | "__isub__" | "__imul__" | "__imod__" | "__ilshift__" | "__irshift__" | "__iand__"
            | "__ixor__" | "__ior__" | "__ifloordiv__" | "__itruediv__" | "__imatmul__" => exact(1),
            "__setattr__" | "__setitem__" | "__set__" => unpack(2, 2),
            "__get__" | "__pow__" | "__rpow__" | "__ipow__" => unpack(1, 2),
            "__init__" | "__call__" => Some(Sig::SLOT_KW),
            _ => None,
        }
    }

    /// The convention a method registered as `name` gets: [`Sig::SLOT`] becomes its
    /// slot's ([`Sig::for_slot`]; panics when `name` is no slot).
    pub fn resolve(self, name: &str) -> Sig {
        if self.kind == SigKind::SlotByName {
            Sig::for_slot(name).unwrap_or_else(|| panic!("{name} is not a slot"))
        } else {
            self
        }
    }

    /// The default for a method registered without a convention: its slot's for special
    /// methods that are slots, [`Sig::KEYWORDS`] (receiver checks only) otherwise.
    pub fn infer(name: &str) -> Sig {
        Sig::for_slot(name).unwrap_or(Sig::KEYWORDS)
    }

    /// Whether this is a slot wrapper's convention (CPython's `wrapper_descriptor`, as
    /// `int.__add__`), not a method descriptor's.
    pub(crate) fn is_slot(self) -> bool {
        matches!(
            self.kind,
            SigKind::Slot | SigKind::SlotUnpack | SigKind::SlotKw
        )
    }

    /// Whether `n` positional arguments, `self` included, are within the bounds (`self`
    /// there).
    #[inline(always)]
    fn count_ok(self, n: usize) -> bool {
        n.wrapping_sub(self.lo as usize) <= self.span as usize
    }
}

impl NativeFunction {
    /// Whether a class attribute holding it binds the instance, as a built-in method
    /// (`method_descriptor`) does: a method of a class, not yet bound and not static. A
    /// built-in function stored on a class (`f = len`) stays unbound, as in CPython.
    #[inline]
    pub fn binds(&self) -> bool {
        self.bound.is_none() && !self.is_static && self.owner.is_some()
    }

    /// Checks a call's arguments against [`NativeDef::sig`] and its receiver against
    /// [`NativeDef::receiver`] before the implementation runs: for a checked method,
    /// a few integer and pointer compares, and an allocation only for the error. See the
    /// example of [`Sig`].
    #[inline(always)]
    pub fn check_call(&self, vm: &mut Vm, a: &Args) -> PyResult<()> {
        self.check_call_with(vm, a, false)
    }

    /// [`NativeFunction::check_call`], skipping the receiver check when `self_found` (the
    /// run loop's method calls: `self` is the object the method was looked up on, so an
    /// instance of its class).
    #[inline(always)]
    pub(crate) fn check_call_with(&self, vm: &mut Vm, a: &Args, self_found: bool) -> PyResult<()> {
        // No test on the kind: `Sig::FREE` passes the count and keyword tests, and has no
        // receiver.
        if self.sig.count_ok(a.pos.len())
            && (a.kw.is_empty() || self.sig.keywords)
            && (self_found || self.receiver_ok(vm, a.pos.first()))
        {
            return Ok(());
        }
        Err(self.call_error(vm, a.pos, a.kw.len()))
    }

    /// Whether `this` is an instance of the class the method belongs to (there is a `this`
    /// whenever the method has a receiver: the count test asks for it).
    #[inline(always)]
    fn receiver_ok(&self, vm: &Vm, this: Option<&Value>) -> bool {
        self.receiver.ptr.is_null() || this.is_some_and(|v| self.accepts_class(vm.class_of(v)))
    }

    /// Whether instances of `cls` are receivers of this method (always for functions and
    /// the methods of `object`).
    #[inline]
    pub(crate) fn accepts_class(&self, cls: &Obj) -> bool {
        let want = self.receiver.ptr;
        want.is_null() || std::ptr::eq(Rc::as_ptr(cls), want) || derives(cls, want)
    }

    /// CPython's error for a call [`NativeFunction::check_call`] refused, checking in
    /// its order: no receiver, wrong receiver, keywords, count.
    #[cold]
    #[inline(never)]
    fn call_error(&self, vm: &mut Vm, pos: &[Value], nkw: usize) -> Obj {
        let sig = self.sig;
        let name = self.name.as_str();
        if sig.kind == SigKind::Free {
            // Only keywords fail a free function's test ([`Sig::POSITIONAL`]).
            return vm.new_type_error(format!("{name}() takes no keyword arguments"));
        }
        let owner = self.owner.as_ref().map_or("object", |o| o.as_str());
        let Some((this, rest)) = pos.split_first() else {
            return vm.new_type_error(if sig.is_slot() {
                format!("descriptor '{name}' of '{owner}' object needs an argument")
            } else {
                format!("unbound method {owner}.{name}() needs an argument")
            });
        };
        if !self.receiver_ok(vm, Some(this)) {
            let got = vm.type_name(this);
            return vm.new_type_error(if sig.is_slot() {
                format!("descriptor '{name}' requires a '{owner}' object but received a '{got}'")
            } else {
                format!(
                    "descriptor '{name}' for '{owner}' objects doesn't apply to a '{got}' object"
                )
            });
        }
        // A bound method object (`f = [].clear`) is named after its receiver's class, as
        // CPython's `__qualname__` of built-in methods is (`L.clear` for a list subclass),
        // and a class method after the class it is called on.
        let owner = match (&self.bound, sig.class_method, this) {
            (Some(b), _, _) => vm.type_name(b),
            (None, true, Value::Obj(cls)) if cls.as_type().is_some() => {
                crate::types::type_name(cls)
            }
            _ => owner.to_string(),
        };
        if nkw > 0 && !sig.keywords {
            return vm.new_type_error(if sig.is_slot() {
                format!("wrapper {name}() takes no keyword arguments")
            } else {
                format!("{owner}.{name}() takes no keyword arguments")
            });
        }
        let n = rest.len();
        let plural = |k: u8| if k == 1 { "" } else { "s" };
        let msg = match sig.kind {
            SigKind::Method if sig.max == 0 => {
                format!("{owner}.{name}() takes no arguments ({n} given)")
            }
            SigKind::Method => format!("{owner}.{name}() takes exactly one argument ({n} given)"),
            SigKind::Slot => format!("expected {} argument{}, got {n}", sig.min, plural(sig.min)),
            _ => {
                // PyArg_UnpackTuple with the empty name: a leading space.
                let (how, k) = match (sig.min == sig.max, n < sig.min as usize) {
                    (true, _) => ("", sig.min),
                    (false, true) => ("at least ", sig.min),
                    (false, false) => ("at most ", sig.max),
                };
                format!(" expected {how}{k} argument{}, got {n}", plural(k))
            }
        };
        vm.new_type_error(msg)
    }
}

/// Whether class `cls` derives from the class at `base` (out of line: the exact class is the
/// usual case).
#[inline(never)]
fn derives(cls: &Obj, base: *const Object) -> bool {
    cls.as_type().is_some_and(|t| {
        t.mro
            .borrow()
            .iter()
            .any(|c| std::ptr::eq(Rc::as_ptr(c), base))
    })
}

/// Arguments of a native call, with the checks that raise CPython's messages.
///
/// ```
/// use aio_vm::native::Args;
/// use aio_vm::{PyResult, Value, Vm};
///
/// /// `scale(x, factor=2, *, clip=None)`
/// fn scale(vm: &mut Vm, a: Args) -> PyResult {
///     a.check_count(vm, "scale", 1, 2)?;
///     a.check_kwargs(vm, "scale", &["factor", "clip"])?;
///     let x: f64 = vm.from_value(a.get(0).unwrap())?;
///     let factor: f64 = match a.arg(1, "factor") {
///         Some(v) => vm.from_value(v)?,
///         None => 2.0,
///     };
///     let y = x * factor;
///     Ok(Value::float(match a.kwarg("clip") {
///         Some(c) => y.min(vm.from_value(c)?),
///         None => y,
///     }))
/// }
///
/// let mut vm = Vm::new();
/// vm.register_native("scale", scale);
/// vm.exec("r = [scale(1), scale(1, 3), scale(1, factor=5), scale(4, clip=5.0)]")?;
/// assert_eq!(vm.get_global::<Vec<f64>>("r")?, [2.0, 3.0, 5.0, 5.0]);
/// let err = vm.exec("scale()").unwrap_err().to_string();
/// assert!(err.ends_with("TypeError: scale expected at least 1 argument, got 0"));
/// let err = vm.exec("scale(1, size=2)").unwrap_err().to_string();
/// assert!(err.ends_with("TypeError: 'size' is an invalid keyword argument for scale()"));
///
/// let pos = [Value::Int(1)];
/// let args = Args::new(&pos);
/// assert_eq!((args.len(), args.is_empty()), (1, false));
/// assert!(args.no_kwargs(&mut vm, "f").is_ok());
/// # Ok::<(), aio_vm::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Args<'a> {
    /// Positional arguments (`self` first for methods).
    pub pos: &'a [Value],
    /// Keyword arguments, in call order.
    pub kw: &'a [(Rc<Str>, Value)],
}

impl<'a> Args<'a> {
    /// Positional-only arguments (to call a native function directly). See the example of
    /// [`Args`].
    pub fn new(pos: &'a [Value]) -> Args<'a> {
        Args { pos, kw: &[] }
    }

    /// Number of positional arguments. See the example of [`Args`].
    #[inline]
    pub fn len(&self) -> usize {
        self.pos.len()
    }

    /// True when there are no positional arguments. See the example of [`Args`].
    pub fn is_empty(&self) -> bool {
        self.pos.is_empty()
    }

    /// Positional argument `i`. See the example of [`Args`].
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a Value> {
        self.pos.get(i)
    }

    /// Keyword argument `name`. See the example of [`Args`].
    pub fn kwarg(&self, name: &str) -> Option<&'a Value> {
        self.kw
            .iter()
            .find(|(k, _)| k.as_str() == name)
            .map(|(_, v)| v)
    }

    /// Positional argument `i`, or keyword `name`. See the example of [`Args`].
    pub fn arg(&self, i: usize, name: &str) -> Option<&'a Value> {
        self.pos.get(i).or_else(|| self.kwarg(name))
    }

    /// Fails with CPython's message unless there are no keyword arguments. See the example
    /// of [`Args`].
    pub fn no_kwargs(&self, vm: &mut Vm, fname: &str) -> PyResult<()> {
        if self.kw.is_empty() {
            Ok(())
        } else {
            Err(vm.new_type_error(format!("{fname}() takes no keyword arguments")))
        }
    }

    /// Fails unless every keyword is one of `allowed`, as CPython's argument parser does
    /// (`'x' is an invalid keyword argument for print()`). See the example of [`Args`].
    pub fn check_kwargs(&self, vm: &mut Vm, fname: &str, allowed: &[&str]) -> PyResult<()> {
        for (k, _) in self.kw {
            if !allowed.contains(&k.as_str()) {
                return Err(vm.new_type_error(format!(
                    "'{}' is an invalid keyword argument for {fname}()",
                    k.as_str()
                )));
            }
        }
        Ok(())
    }

    /// Binds the arguments as a Python `def qual(params...)` with positional-or-keyword
    /// parameters and no defaults binds them (for natives standing in for Python-level
    /// functions and methods, `self` included): the values in parameter order, or the
    /// `TypeError` CPython gives, in CPython's order of checks (keywords first).
    pub fn bind_def<const N: usize>(
        &self,
        vm: &mut Vm,
        qual: &str,
        params: [&str; N],
    ) -> PyResult<[Value; N]> {
        if self.kw.is_empty() && self.pos.len() == N {
            return Ok(std::array::from_fn(|i| self.pos[i].clone()));
        }
        let mut out: [Option<Value>; N] = std::array::from_fn(|i| self.pos.get(i).cloned());
        for (k, v) in self.kw {
            let msg = match params.iter().position(|p| *p == k.as_str()) {
                None => format!(
                    "{qual}() got an unexpected keyword argument '{}'",
                    k.as_str()
                ),
                Some(i) if out[i].is_some() => {
                    format!("{qual}() got multiple values for argument '{}'", k.as_str())
                }
                Some(i) => {
                    out[i] = Some(v.clone());
                    continue;
                }
            };
            return Err(vm.new_type_error(msg));
        }
        let given = self.pos.len();
        if given > N {
            let s = if N == 1 { "" } else { "s" };
            let was = if given == 1 { "was" } else { "were" };
            return Err(vm.new_type_error(format!(
                "{qual}() takes {N} positional argument{s} but {given} {was} given"
            )));
        }
        let missing: Vec<String> = (0..N)
            .filter(|&i| out[i].is_none())
            .map(|i| format!("'{}'", params[i]))
            .collect();
        if !missing.is_empty() {
            let list = match missing.len() {
                1 => missing[0].clone(),
                2 => format!("{} and {}", missing[0], missing[1]),
                n => format!("{}, and {}", missing[..n - 1].join(", "), missing[n - 1]),
            };
            let s = if missing.len() == 1 { "" } else { "s" };
            return Err(vm.new_type_error(format!(
                "{qual}() missing {} required positional argument{s}: {list}",
                missing.len()
            )));
        }
        Ok(out.map(|v| v.unwrap_or(Value::None)))
    }

    /// Binds the arguments of a built-in function declared with Argument Clinic as
    /// `_PyArg_UnpackKeywords` does: parameters `params` in order, the first `posonly` of
    /// them positional-only, the first `required` required; the values (`None` where an
    /// optional one is absent) or CPython's `TypeError`, in its order of checks
    /// (`pow() missing required argument 'exp' (pos 2)`, `'x' is an invalid keyword
    /// argument for round()`, `sum() takes at least 1 positional argument (0 given)`).
    ///
    /// ```
    /// use aio_vm::native::Args;
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// let pos = [Value::Int(2)];
    /// let err = Args::new(&pos).clinic(&mut vm, "pow", 0, 2, ["base", "exp", "mod"]).unwrap_err();
    /// assert!(vm.exception_message(&err).ends_with("pow() missing required argument 'exp' (pos 2)"));
    /// ```
    pub fn clinic<const N: usize>(
        &self,
        vm: &mut Vm,
        fname: &str,
        posonly: usize,
        required: usize,
        params: [&str; N],
    ) -> PyResult<[Option<Value>; N]> {
        let n = self.pos.len();
        let nkw = self.kw.len();
        let s = |k: usize| if k == 1 { "" } else { "s" };
        if n + nkw > N {
            let kw = if n == 0 { "keyword " } else { "" };
            return Err(vm.new_type_error(format!(
                "{fname}() takes at most {N} {kw}argument{} ({} given)",
                s(N),
                n + nkw
            )));
        }
        let min_posonly = posonly.min(required);
        if n < min_posonly {
            let how = if min_posonly < N {
                "at least"
            } else {
                "exactly"
            };
            return Err(vm.new_type_error(format!(
                "{fname}() takes {how} {min_posonly} positional argument{} ({n} given)",
                s(min_posonly)
            )));
        }
        let mut out: [Option<Value>; N] = std::array::from_fn(|i| self.pos.get(i).cloned());
        let mut used = 0;
        for i in n.max(posonly)..N {
            out[i] = self.kwarg(params[i]).cloned();
            if out[i].is_some() {
                used += 1;
            } else if i < required {
                return Err(vm.new_type_error(format!(
                    "{fname}() missing required argument '{}' (pos {})",
                    params[i],
                    i + 1
                )));
            }
        }
        if used < nkw {
            for (i, p) in params.iter().enumerate().take(n).skip(posonly) {
                if self.kwarg(p).is_some() {
                    return Err(vm.new_type_error(format!(
                        "argument for {fname}() given by name ('{p}') and position ({})",
                        i + 1
                    )));
                }
            }
            let unknown = self
                .kw
                .iter()
                .find(|(k, _)| !params[posonly..].contains(&k.as_str()))
                .map_or("", |(k, _)| k.as_str());
            return Err(vm.new_type_error(format!(
                "'{unknown}' is an invalid keyword argument for {fname}()"
            )));
        }
        Ok(out)
    }

    /// Checks the positional count is in `min..=max` with CPython's wording
    /// (`len() takes exactly one argument (2 given)`, `expected at most 2 arguments, got 3`).
    /// See the example of [`Args`].
    #[inline]
    pub fn check_count(&self, vm: &mut Vm, fname: &str, min: usize, max: usize) -> PyResult<()> {
        let n = self.pos.len();
        if n >= min && n <= max {
            return Ok(());
        }
        Err(count_error(vm, fname, min, max, n))
    }

    /// For methods taking keywords: checks the arguments after `self` as Argument Clinic's
    /// keyword parser (`_PyArg_UnpackKeywords`) does: at most `max` in all (keywords
    /// included: `split() takes at most 2 arguments (3 given)`), at most `max_pos`
    /// positional (`to_bytes() takes at most 2 positional arguments (3 given)`), at least
    /// `min` positional-only (`translate() takes at least 1 positional argument (0 given)`).
    ///
    /// ```
    /// use aio_vm::native::Args;
    /// use aio_vm::{Value, Vm};
    ///
    /// let mut vm = Vm::new();
    /// let pos = [Value::None, Value::Int(1), Value::Int(2), Value::Int(3)];
    /// let err = Args::new(&pos).method_clinic_count(&mut vm, "split", 0, 2, 2).unwrap_err();
    /// assert!(vm.exception_message(&err).ends_with("split() takes at most 2 arguments (3 given)"));
    /// let err = Args::new(&pos[..1]).method_clinic_count(&mut vm, "translate", 1, 2, 2).unwrap_err();
    /// assert!(vm
    ///     .exception_message(&err)
    ///     .ends_with("translate() takes at least 1 positional argument (0 given)"));
    /// assert!(Args::new(&pos[..3]).method_clinic_count(&mut vm, "split", 0, 2, 2).is_ok());
    /// ```
    pub fn method_clinic_count(
        &self,
        vm: &mut Vm,
        fname: &str,
        min: usize,
        max_pos: usize,
        max: usize,
    ) -> PyResult<()> {
        let n = self.pos.len().saturating_sub(1);
        let s = |k: usize| if k == 1 { "" } else { "s" };
        let msg = if n + self.kw.len() > max {
            let kw = if n == 0 { "keyword " } else { "" };
            format!(
                "{fname}() takes at most {max} {kw}argument{} ({} given)",
                s(max),
                n + self.kw.len()
            )
        } else if n > max_pos {
            if max_pos == 0 {
                format!("{fname}() takes no positional arguments")
            } else {
                let how = if min < max_pos { "at most" } else { "exactly" };
                format!(
                    "{fname}() takes {how} {max_pos} positional argument{} ({n} given)",
                    s(max_pos)
                )
            }
        } else if n < min {
            let how = if min < max_pos { "at least" } else { "exactly" };
            format!(
                "{fname}() takes {how} {min} positional argument{} ({n} given)",
                s(min)
            )
        } else {
            return Ok(());
        };
        Err(vm.new_type_error(msg))
    }

    /// For methods: checks the count of arguments after `self`, with the messages CPython
    /// gives for methods (`append() takes exactly one argument (0 given)`). See the example
    /// of [`ClassBuilder`](crate::module::ClassBuilder).
    #[inline]
    pub fn method_count(&self, vm: &mut Vm, fname: &str, min: usize, max: usize) -> PyResult<()> {
        let n = self.pos.len().saturating_sub(1);
        if n >= min && n <= max {
            return Ok(());
        }
        Err(count_error(vm, fname, min, max, n))
    }
}

/// The `TypeError` of [`Args::check_count`] and [`Args::method_count`] (out of line: the
/// count is almost always right).
#[cold]
#[inline(never)]
fn count_error(vm: &mut Vm, fname: &str, min: usize, max: usize, n: usize) -> Obj {
    // `list.append` names the method whole in the METH_O / METH_NOARGS messages and
    // bare in argument clinic's ("pop expected at most 1 argument").
    let qualified = fname;
    let fname = fname.rsplit('.').next().unwrap_or(fname);
    let msg = if min == max {
        match min {
            0 => format!("{qualified}() takes no arguments ({n} given)"),
            1 => format!("{qualified}() takes exactly one argument ({n} given)"),
            _ => format!("{fname} expected {min} arguments, got {n}"),
        }
    } else if n < min {
        format!(
            "{fname} expected at least {min} argument{}, got {n}",
            if min == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "{fname} expected at most {max} argument{}, got {n}",
            if max == 1 { "" } else { "s" }
        )
    };
    vm.new_type_error(msg)
}
