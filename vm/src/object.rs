//! `Object`: the header every heap object shares (its class, its optional `__dict__`) and
//! the `Payload` that holds the data of the built-in type it is laid out as. An instance of
//! a user subclass of `list` is an `Object` whose class is the subclass and whose payload is
//! a `List`, as in CPython where the base type decides the memory layout.

use crate::code::Code;
use crate::dict::Dict;
use crate::frame::Frame;
use crate::native::NativeFunction;
use crate::set::SetData;
use crate::str::Str;
use crate::value::{Obj, Value};
use num_bigint::BigInt;
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;

/// A heap object.
pub struct Object {
    pub(crate) class: Option<Obj>,
    /// The instance `__dict__` (a dict object), for objects that have one. Instances of
    /// classes with both `__slots__` and a `__dict__` (asyncio's `Future` and `Task`) get it
    /// on first use ([`Vm::instance_dict`](crate::Vm::instance_dict)): most never store an
    /// attribute outside their slots.
    pub dict: OnceCell<Obj>,
    /// Its place in its VM's collector registry plus one; 0 while untracked (`gc.rs`).
    pub(crate) gc: Cell<u32>,
    /// Which VM's registry (`gc.rs`), for a tracked object.
    pub(crate) gc_owner: Cell<u16>,
    /// Its `__del__` has been queued (see `finalize`): it is not queued again.
    pub(crate) finalized: Cell<bool>,
    /// Weak references to it may exist (see `weakref`): its death clears them. Set by the
    /// first weak reference, so objects never weakly referenced pay one test as they die.
    pub(crate) weakly_referenced: Cell<bool>,
    /// The built-in data.
    pub payload: Payload,
}

impl Drop for Object {
    #[inline]
    fn drop(&mut self) {
        if let Payload::Bytes(b) = &self.payload {
            crate::embed::limits::buffer_free(b.len());
        }
        if !self.finalized.get() {
            if let Payload::Generator(g) = &self.payload {
                // CPython clears a generator's weak references before closing it.
                if self.weakly_referenced.get() {
                    crate::weakref::died(self);
                }
                // a coroutine that never started warns that it was never awaited.
                if matches!(g.kind, GenKind::Coroutine) && g.state() == GenState::Created {
                    crate::finalize::never_awaited(&g.qualname());
                }
                if self.needs_finalizer() {
                    // The twin takes its place in the collector's registry.
                    crate::finalize::resurrect(self);
                }
                crate::gc::forget(self);
                return;
            }
            if self.class_has_del() {
                // The weak references follow the twin: they are cleared after `__del__`.
                return crate::finalize::resurrect(self);
            }
        }
        crate::gc::forget(self);
        if self.weakly_referenced.get() {
            crate::weakref::died(self);
        }
        release_items(&mut self.payload);
    }
}

/// Releases a list's or tuple's items last to first, as CPython's deallocators do, so the
/// `__del__` and weak reference callbacks they trigger run in CPython's order (the
/// finalization queue runs work in the order it was queued).
#[inline]
fn release_items(payload: &mut Payload) {
    match payload {
        Payload::List(l) => drop_reversed(std::mem::take(l.get_mut())),
        Payload::Tuple(t) if t.len() > 1 => drop_reversed(std::mem::take(t).into_vec()),
        _ => {}
    }
}

/// Drops `items` last to first.
fn drop_reversed(mut items: Vec<Value>) {
    let len = items.len();
    // SAFETY: the length is set to 0 first, so each item is dropped exactly once (here);
    // a panicking drop would leak the rest, never drop them twice.
    unsafe {
        items.set_len(0);
        let base = items.as_mut_ptr();
        for i in (0..len).rev() {
            std::ptr::drop_in_place(base.add(i));
        }
    }
}

impl Object {
    /// Whether this object runs code when it dies and has not done so yet: its class has a
    /// `__del__` (left armed), or it is a generator, coroutine or async generator suspended
    /// mid-body (PEP 342: it is closed, so its `finally` blocks run; an async generator with
    /// an asyncgen finalizer hook is handed to it instead). Reference counting and the cycle
    /// collector (PEP 442) both ask.
    pub(crate) fn needs_finalizer(&self) -> bool {
        if self.finalized.get() {
            return false;
        }
        match &self.payload {
            Payload::Generator(g) => g.state() == GenState::Suspended && g.has_frame(),
            _ => self.class_has_del(),
        }
    }

    /// Whether the class defines `__del__`.
    fn class_has_del(&self) -> bool {
        matches!(self.class.as_ref().map(|c| &c.payload), Some(Payload::Type(t)) if t.has_del.get())
    }

    /// Whether this object's class `__del__` runs when it dies (it does unless turned off
    /// here). A native that knows the finalizer has nothing to do for this instance turns
    /// it off, which saves queueing the object and calling `__del__`: asyncio's futures arm
    /// it only once they hold an exception that may go unretrieved. Objects without a
    /// `__del__` are unaffected; do not use it on generators (it also skips their close).
    pub fn set_finalizer_armed(&self, armed: bool) {
        self.finalized.set(!armed);
    }

    /// A new object of `class` without a `__dict__`.
    pub fn new(class: Obj, payload: Payload) -> Object {
        Object {
            class: Some(class),
            dict: OnceCell::new(),
            gc: Cell::new(0),
            gc_owner: Cell::new(0),
            finalized: Cell::new(false),
            weakly_referenced: Cell::new(false),
            payload,
        }
    }

    /// A new object of `class` with `dict` (a dict object) as its `__dict__`.
    pub fn with_dict(class: Obj, payload: Payload, dict: Obj) -> Object {
        Object {
            class: Some(class),
            dict: OnceCell::from(dict),
            gc: Cell::new(0),
            gc_owner: Cell::new(0),
            finalized: Cell::new(false),
            weakly_referenced: Cell::new(false),
            payload,
        }
    }

    /// The metatype `type`, whose class is itself (represented by `None`).
    pub(crate) fn new_metatype(payload: Payload) -> Object {
        Object {
            class: None,
            dict: OnceCell::new(),
            gc: Cell::new(0),
            gc_owner: Cell::new(0),
            finalized: Cell::new(false),
            weakly_referenced: Cell::new(false),
            payload,
        }
    }

    /// The instance `__dict__` table.
    #[inline]
    pub fn dict_table(&self) -> Option<&RefCell<Dict>> {
        match self.dict.get() {
            Some(d) => match &d.payload {
                Payload::Dict(t) => Some(t),
                _ => None,
            },
            None => None,
        }
    }

    /// Whether a weak reference to it may exist (one was made at some time).
    #[inline]
    pub fn may_be_weakly_referenced(&self) -> bool {
        self.weakly_referenced.get()
    }

    /// The class, or `None` for `type` itself.
    #[inline]
    pub fn class_raw(&self) -> Option<&Obj> {
        self.class.as_ref()
    }

    /// The type data, for class objects.
    #[inline]
    pub fn as_type(&self) -> Option<&TypeData> {
        match &self.payload {
            Payload::Type(t) => Some(t),
            _ => None,
        }
    }
}

/// The built-in data an object carries.
pub enum Payload {
    /// Nothing beyond the header (`object()`, plain user instances, singletons).
    Plain,
    /// A big int (or an `int` subclass instance's value).
    Int(BigInt),
    /// A `float` subclass instance's value.
    Float(f64),
    /// A complex number (or a `complex` subclass instance's value): real and imaginary parts.
    Complex(f64, f64),
    /// A `str` subclass instance's value.
    Str(Rc<Str>),
    /// `bytes`.
    Bytes(Box<[u8]>),
    /// `bytearray`.
    ByteArray(RefCell<Vec<u8>>),
    /// `tuple`.
    Tuple(Box<[Value]>),
    /// `list`.
    List(RefCell<Vec<Value>>),
    /// `dict`.
    Dict(Box<RefCell<Dict>>),
    /// `set` and `frozenset`.
    Set(Box<RefCell<SetData>>),
    /// A function defined in aio.
    Function(Box<Function>),
    /// A bound method: (function, self).
    Method(Box<(Value, Value)>),
    /// A function or method implemented in Rust.
    Native(Box<NativeFunction>),
    /// A class.
    Type(Box<TypeData>),
    /// A module (its globals are the object's `__dict__`).
    Module(Box<ModuleData>),
    /// A closure cell (`None` while unbound).
    Cell(RefCell<Option<Value>>),
    /// An exception instance.
    Exception(Box<RefCell<ExcData>>),
    /// A generator, coroutine or async generator.
    Generator(Generator),
    /// A built-in iterator.
    Iter(Box<RefCell<crate::iter::IterState>>),
    /// `range(start, stop, step)`.
    Range(Box<[BigOrSmall; 3]>),
    /// A `range` whose bounds or length do not fit an `i64` (`builtins::big_range`).
    BigRange(Box<[num_bigint::BigInt; 3]>),
    /// `slice(start, stop, step)`.
    Slice(Box<[Value; 3]>),
    /// `property(fget, fset, fdel, doc)` and the attribute name it was bound to (a
    /// `RefCell`: `property.__init__` and `__set_name__` fill it in place, as CPython's).
    Property(Box<RefCell<[Value; 5]>>),
    /// `staticmethod(f)`.
    StaticMethod(Value),
    /// `classmethod(f)`.
    ClassMethod(Value),
    /// `super(type, obj)`.
    Super(Box<(Obj, Value)>),
    /// A code object.
    Code(Rc<Code>),
    /// A value owned by the host application.
    Host(Box<dyn std::any::Any>),
    /// The `__slots__` values of an instance (`None` while unset).
    Slots(RefCell<Vec<Option<Value>>>),
    /// A slot's descriptor in its class (`member_descriptor`).
    Member(Box<MemberDescr>),
}

/// The descriptor `__slots__` creates for one slot.
pub struct MemberDescr {
    /// The slot name.
    pub name: Rc<Str>,
    /// Index into the instance's `Payload::Slots`.
    pub index: usize,
    /// The class that declared it.
    pub owner: Rc<Str>,
    /// Reads item `index` of a tuple instead (a namedtuple field: CPython's
    /// `_collections._tuplegetter`); read-only.
    pub tuple: bool,
}

/// A range bound: ranges over big ints are rare, so `Payload::Range` bounds are `i64`.
pub type BigOrSmall = i64;

/// A function defined by `def` or `lambda`.
pub struct Function {
    /// The compiled body.
    pub code: Rc<Code>,
    /// The module globals (a dict object).
    pub globals: Obj,
    /// `__name__`.
    pub name: RefCell<Value>,
    /// `__qualname__`.
    pub qualname: RefCell<Value>,
    /// Defaults of the last positional parameters.
    pub defaults: RefCell<Vec<Value>>,
    /// Defaults of keyword-only parameters (a dict object or `None`).
    pub kwdefaults: RefCell<Value>,
    /// The closure cells, in the order of `code.freevars`.
    pub closure: Box<[Obj]>,
    /// `__doc__`.
    pub doc: RefCell<Value>,
    /// `__module__`.
    pub module: RefCell<Value>,
}

impl Function {
    /// Whether `__name__` and `__qualname__` are still its code's (not reassigned): a
    /// generator made by a call then needs no names of its own.
    pub fn keeps_code_names(&self) -> bool {
        let same = |v: &Value, s: &Rc<Str>| matches!(v, Value::Str(x) if Rc::ptr_eq(x, s));
        same(&self.name.borrow(), &self.code.name)
            && same(&self.qualname.borrow(), &self.code.qualname)
    }
}

/// The data of a class.
pub struct TypeData {
    /// The class namespace (`__dict__`).
    pub ns: RefCell<Dict>,
    /// `__name__`.
    pub name: RefCell<Rc<Str>>,
    /// `__qualname__`.
    pub qualname: RefCell<Rc<Str>>,
    /// The name messages use when it is not `__name__`: the dotted `tp_name` of a class
    /// standing for a C type (`datetime.date`; see [`crate::types::set_c_type_name`]).
    pub c_name: RefCell<Option<Rc<Str>>>,
    /// `__bases__`.
    pub bases: RefCell<Vec<Obj>>,
    /// `__mro__`, starting with the class itself.
    pub mro: RefCell<Vec<Obj>>,
    /// The payload kind its instances carry.
    pub layout: Layout,
    /// Defined by a `class` statement (user dunders are looked up in its dict).
    pub heap: bool,
    /// Bumped when the class or a base changes (attribute caches check it).
    pub version: Cell<u32>,
    /// Instances carry a `__dict__` (false for built-in types and `__slots__` classes).
    pub instance_dict: bool,
    /// Number of `__slots__` values instances carry (declared here and in bases).
    pub nslots: usize,
    /// Direct subclasses (`__subclasses__()`).
    pub subclasses: RefCell<Vec<std::rc::Weak<Object>>>,
    /// The class or a base defines `__del__`: dying instances are finalized.
    pub has_del: Cell<bool>,
    /// The class or a base (a user class) defines `__getattribute__`: every attribute load
    /// on its instances calls it, and the attribute caches are not filled for it.
    pub has_getattribute: Cell<bool>,
    /// How many attributes its instances' `__dict__`s have grown to through a cached
    /// attribute store (CPython's shared-keys size): new instances get a dict with room
    /// for that many, so `__init__`'s stores neither reallocate nor rehash it.
    pub dict_hint: Cell<u8>,
    /// The class refuses subclasses (CPython's types without `Py_TPFLAGS_BASETYPE`) though
    /// its layout would allow them: `memoryview`.
    pub final_: Cell<bool>,
    /// For a class made by a `class` statement: the last key of its namespace as the
    /// statement left it, after which its `__dict__` view shows the `__dict__` and
    /// `__weakref__` descriptors (`builtins/getset.rs`), before the `__doc__` it added.
    pub getsets_after: RefCell<Option<Rc<Str>>>,
    /// Those `__dict__` and `__weakref__` descriptors, held weakly: made once per class
    /// while any is alive (CPython makes them once), without a class–descriptor cycle.
    pub getsets: RefCell<[std::rc::Weak<Object>; 2]>,
}

/// Which payload the instances of a class carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `Payload::Plain`.
    Object,
    /// An int.
    Int,
    /// A float.
    Float,
    /// A complex number.
    Complex,
    /// A str.
    Str,
    /// A bytes object.
    Bytes,
    /// A bytearray.
    ByteArray,
    /// A tuple.
    Tuple,
    /// A list.
    List,
    /// A dict.
    Dict,
    /// A set.
    Set,
    /// A frozenset.
    FrozenSet,
    /// An exception.
    Exception,
    /// A class (metaclasses).
    Type,
    /// A property (subclasses of `property`).
    Property,
    /// Instances cannot be created from Python (functions, iterators, ...).
    Builtin,
}

/// A module's identity (its namespace is the object's dict).
pub struct ModuleData {
    /// The module name.
    pub name: Rc<Str>,
    /// The module's globals (a dict object).
    pub globals: Obj,
}

/// The state of an exception instance.
#[derive(Default)]
pub struct ExcData {
    /// `args` (a tuple value).
    pub args: Value,
    /// Frames the exception passed through, innermost last (`__traceback__`).
    pub traceback: Vec<TracebackEntry>,
    /// `__cause__`.
    pub cause: Value,
    /// `__context__`.
    pub context: Value,
    /// `__suppress_context__`.
    pub suppress_context: bool,
    /// Extra data of special exceptions: `StopIteration.value`, `SystemExit.code`,
    /// `OSError.errno`, ...
    pub extra: Value,
    /// The globals of the frame a `NameError` was raised in, for the "Did you mean" hint
    /// of its report (CPython reads them from the innermost traceback frame). Weak: the
    /// report needs them only while the module lives, and no cycle is made.
    pub raised_in: Option<std::rc::Weak<Object>>,
}

/// One traceback line: a code object and the instruction that was running.
#[derive(Clone)]
pub struct TracebackEntry {
    /// The code that was running.
    pub code: Rc<Code>,
    /// The instruction index.
    pub ip: u32,
}

/// What kind of suspended frame a [`Generator`] drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenKind {
    /// `def` with `yield`.
    Generator,
    /// `async def`.
    Coroutine,
    /// `async def` with `yield`.
    AsyncGenerator,
}

/// Where a generator is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenState {
    /// Not started.
    Created,
    /// Stopped at a `yield`.
    Suspended,
    /// On the frame stack now.
    Running,
    /// Returned or raised.
    Closed,
}

/// A generator, coroutine or async generator: a suspended frame. It lives in its object's
/// payload, not behind a box (a suspended coroutine is one object, plus its frame), so its
/// mutable parts are `Cell`s: a frame is taken out to run and put back when it suspends,
/// and read in place by [`Generator::with_frame`].
pub struct Generator {
    /// The frame, while not running.
    frame: Cell<Option<Box<Frame>>>,
    /// The code it runs (`gi_code`/`cr_code`, also once finished, as in CPython).
    pub code: Rc<crate::code::Code>,
    /// What most generators do without: names other than their code's, a finalizer.
    /// Boxed, so a suspended coroutine's object stays small.
    extra: Cell<Option<Box<GenExtra>>>,
    /// Life state.
    state: Cell<GenState>,
    /// Which protocol.
    pub kind: GenKind,
    /// For async generators: an `asend`/`athrow` awaitable is running.
    running_async: Cell<bool>,
    /// For async generators: the asyncgen hooks were applied (first iteration).
    hooks_inited: Cell<bool>,
    /// For async generators: the body last suspended at a `yield` of a value (which ends
    /// the `asend`/`athrow` step), not at an `await` passing a value up to the event loop.
    /// Set by `YieldValue` (except under `async for`, whose step a yield always ends),
    /// taken by the step that reads the outcome (CPython wraps such values in an
    /// `_PyAsyncGenWrappedValue` instead).
    value_yielded: Cell<bool>,
}

/// The rarely needed parts of a [`Generator`].
#[derive(Default, Clone)]
pub struct GenExtra {
    /// `__name__` and `__qualname__`, when the function's differ from its code's.
    pub names: Option<(Value, Value)>,
    /// For async generators: the `finalizer` asyncgen hook current at its first iteration,
    /// called instead of closing it when it dies suspended (`sys.set_asyncgen_hooks`).
    pub finalizer: Option<Value>,
}

impl Generator {
    /// A generator of `code` in `state` without extras.
    pub fn new(code: Rc<crate::code::Code>, frame: Box<Frame>, kind: GenKind) -> Generator {
        Generator {
            frame: Cell::new(Some(frame)),
            code,
            extra: Cell::new(None),
            state: Cell::new(GenState::Created),
            kind,
            running_async: Cell::new(false),
            hooks_inited: Cell::new(false),
            value_yielded: Cell::new(false),
        }
    }

    /// Where it is in its life.
    #[inline]
    pub fn state(&self) -> GenState {
        self.state.get()
    }

    /// Moves it to another stage of its life.
    #[inline]
    pub fn set_state(&self, state: GenState) {
        self.state.set(state);
    }

    /// Takes its frame out (to run it, or when it finishes).
    #[inline]
    pub fn take_frame(&self) -> Option<Box<Frame>> {
        self.frame.take()
    }

    /// Puts its frame back (it suspended); drops the one it held, if any.
    #[inline]
    pub fn put_frame(&self, frame: Option<Box<Frame>>) {
        drop(self.frame.replace(frame));
    }

    /// Whether it holds its frame (not running, not finished).
    pub fn has_frame(&self) -> bool {
        self.with_frame(|_| ()).is_some()
    }

    /// `look` at its frame in place, while it holds one. `look` must not reach this
    /// generator's frame again (it sees none).
    pub fn with_frame<R>(&self, look: impl FnOnce(&Frame) -> R) -> Option<R> {
        let frame = self.frame.take()?;
        let r = look(&frame);
        self.frame.set(Some(frame));
        Some(r)
    }

    /// The address of its frame, while it holds one (for the collector's prefetching:
    /// nothing may be read through it).
    #[inline]
    pub(crate) fn frame_addr(&self) -> Option<*const Frame> {
        // SAFETY: reads the `Option<Box>` in place without moving it; `Cell` contents are
        // only ever replaced whole, never borrowed across this call.
        unsafe { (*self.frame.as_ptr()).as_deref().map(|f| f as *const Frame) }
    }

    /// [`Generator::with_frame`] with a mutable frame.
    pub fn with_frame_mut<R>(&self, change: impl FnOnce(&mut Frame) -> R) -> Option<R> {
        let mut frame = self.frame.take()?;
        let r = change(&mut frame);
        self.frame.set(Some(frame));
        Some(r)
    }

    /// For async generators: whether an operation is in progress (`ag_running`).
    #[inline]
    pub fn running_async(&self) -> bool {
        self.running_async.get()
    }

    /// Sets [`Generator::running_async`].
    #[inline]
    pub fn set_running_async(&self, running: bool) {
        self.running_async.set(running);
    }

    /// For async generators: marks the asyncgen hooks applied; whether they already were.
    pub fn mark_hooks_inited(&self) -> bool {
        self.hooks_inited.replace(true)
    }

    /// For async generators: whether the asyncgen hooks were applied.
    pub fn hooks_inited(&self) -> bool {
        self.hooks_inited.get()
    }

    /// For async generators: notes that the body suspends at a `yield` of a value.
    #[inline]
    pub fn mark_value_yielded(&self) {
        self.value_yielded.set(true);
    }

    /// For async generators: whether the last suspension was a `yield` of a value; clears
    /// it.
    #[inline]
    pub fn take_value_yielded(&self) -> bool {
        self.value_yielded.replace(false)
    }

    /// A copy of the extras, if any.
    fn extra(&self) -> Option<GenExtra> {
        let extra = self.extra.take();
        let copy = extra.as_deref().cloned();
        self.extra.set(extra);
        copy
    }

    /// Changes the extras (made now if there were none).
    pub fn change_extra(&self, change: impl FnOnce(&mut GenExtra)) {
        let mut extra = self.extra.take().unwrap_or_default();
        change(&mut extra);
        self.extra.set(Some(extra));
    }

    /// `__name__`: the function's at creation.
    pub fn name(&self) -> Value {
        match self.extra().and_then(|e| e.names) {
            Some((name, _)) => name,
            None => Value::Str(self.code.name.clone()),
        }
    }

    /// `__qualname__`: the function's at creation.
    pub fn qualname(&self) -> Value {
        match self.extra().and_then(|e| e.names) {
            Some((_, qualname)) => qualname,
            None => Value::Str(self.code.qualname.clone()),
        }
    }

    /// The finalizer hook recorded at the first iteration (async generators).
    pub fn finalizer(&self) -> Option<Value> {
        self.extra().and_then(|e| e.finalizer)
    }
}

#[cfg(test)]
mod tests {
    /// The header stays 64 bytes: the weak-reference flag lives in padding.
    #[test]
    fn an_object_is_64_bytes() {
        assert_eq!(std::mem::size_of::<super::Object>(), 64);
    }
}
