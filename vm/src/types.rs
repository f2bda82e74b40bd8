//! The built-in classes: `object`, `type`, the value types, the internal types (functions,
//! iterators, cells) and the exception hierarchy, created once per VM. Also class creation
//! and the C3 method resolution order.

use crate::dict::Dict;
use crate::object::{Layout, Object, Payload, TypeData};
use crate::str::Str;
use crate::value::{Obj, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

macro_rules! builtin_types {
    ($( $field:ident : $name:literal , $layout:ident ; )*) => {
        /// The built-in classes that are not exceptions.
        pub struct Types {
            /// `type`.
            pub type_: Obj,
            $(
                #[doc = concat!("`", $name, "`.")]
                pub $field: Obj,
            )*
        }

        impl Types {
            fn create(object: &Obj, type_: &Obj) -> Types {
                Types {
                    type_: type_.clone(),
                    $( $field: if $name == "object" { object.clone() } else {
                        new_builtin_type(type_, $name, Layout::$layout, std::slice::from_ref(object))
                    }, )*
                }
            }
        }
    };
}

builtin_types! {
    object: "object", Object;
    int: "int", Int;
    bool: "bool", Int;
    float: "float", Float;
    complex: "complex", Complex;
    str: "str", Str;
    bytes: "bytes", Bytes;
    bytearray: "bytearray", ByteArray;
    list: "list", List;
    tuple: "tuple", Tuple;
    dict: "dict", Dict;
    set: "set", Set;
    frozenset: "frozenset", FrozenSet;
    none_type: "NoneType", Builtin;
    not_implemented_type: "NotImplementedType", Builtin;
    ellipsis_type: "ellipsis", Builtin;
    function: "function", Builtin;
    method: "method", Builtin;
    builtin_function: "builtin_function_or_method", Builtin;
    method_descriptor: "method_descriptor", Builtin;
    module: "module", Builtin;
    cell: "cell", Builtin;
    code: "code", Builtin;
    generator: "generator", Builtin;
    coroutine: "coroutine", Builtin;
    async_generator: "async_generator", Builtin;
    range: "range", Builtin;
    slice: "slice", Builtin;
    property: "property", Property;
    staticmethod: "staticmethod", Builtin;
    classmethod: "classmethod", Builtin;
    super_: "super", Builtin;
    traceback: "traceback", Builtin;
    frame: "frame", Builtin;
    host: "host_object", Builtin;
    list_iterator: "list_iterator", Builtin;
    list_reverseiterator: "list_reverseiterator", Builtin;
    tuple_iterator: "tuple_iterator", Builtin;
    str_iterator: "str_ascii_iterator", Builtin;
    bytes_iterator: "bytes_iterator", Builtin;
    bytearray_iterator: "bytearray_iterator", Builtin;
    range_iterator: "range_iterator", Builtin;
    longrange_iterator: "longrange_iterator", Builtin;
    dict_keyiterator: "dict_keyiterator", Builtin;
    dict_valueiterator: "dict_valueiterator", Builtin;
    dict_itemiterator: "dict_itemiterator", Builtin;
    dict_reversekeyiterator: "dict_reversekeyiterator", Builtin;
    dict_reversevalueiterator: "dict_reversevalueiterator", Builtin;
    dict_reverseitemiterator: "dict_reverseitemiterator", Builtin;
    dict_keys: "dict_keys", Builtin;
    dict_values: "dict_values", Builtin;
    dict_items: "dict_items", Builtin;
    set_iterator: "set_iterator", Builtin;
    enumerate: "enumerate", Builtin;
    zip: "zip", Builtin;
    map: "map", Builtin;
    filter: "filter", Builtin;
    reversed: "reversed", Builtin;
    iterator: "iterator", Builtin;
    callable_iterator: "callable_iterator", Builtin;
    generic_iterator: "generic_iterator", Builtin;
    async_gen_asend: "async_generator_asend", Builtin;
    async_gen_athrow: "async_generator_athrow", Builtin;
    anext_awaitable: "anext_awaitable", Builtin;
    coroutine_wrapper: "coroutine_wrapper", Builtin;
    member_descriptor: "member_descriptor", Builtin;
}

macro_rules! exception_types {
    ($( $field:ident : $name:literal < $($base:ident),+ ; )*) => {
        /// The built-in exception classes.
        pub struct ExcTypes {
            $(
                #[doc = concat!("`", $name, "`.")]
                pub $field: Obj,
            )*
        }

        impl ExcTypes {
            #[allow(unused_assignments)]
            fn create(t: &Types) -> ExcTypes {
                let object = t.object.clone();
                $( let $field = {
                    let bases: Vec<Obj> = vec![$( exception_types!(@base object, $base) ),+];
                    new_builtin_type(&t.type_, $name, Layout::Exception, &bases)
                }; )*
                ExcTypes { $( $field, )* }
            }

            /// Every exception class with its name.
            pub fn all(&self) -> Vec<(&'static str, &Obj)> {
                vec![$( ($name, &self.$field), )*]
            }
        }
    };
    (@base $object:ident, object) => { $object.clone() };
    (@base $object:ident, $base:ident) => { $base.clone() };
}

exception_types! {
    base_exception: "BaseException" < object;
    system_exit: "SystemExit" < base_exception;
    keyboard_interrupt: "KeyboardInterrupt" < base_exception;
    generator_exit: "GeneratorExit" < base_exception;
    exception: "Exception" < base_exception;
    stop_iteration: "StopIteration" < exception;
    stop_async_iteration: "StopAsyncIteration" < exception;
    arithmetic_error: "ArithmeticError" < exception;
    floating_point_error: "FloatingPointError" < arithmetic_error;
    overflow_error: "OverflowError" < arithmetic_error;
    zero_division_error: "ZeroDivisionError" < arithmetic_error;
    assertion_error: "AssertionError" < exception;
    attribute_error: "AttributeError" < exception;
    buffer_error: "BufferError" < exception;
    eof_error: "EOFError" < exception;
    import_error: "ImportError" < exception;
    module_not_found_error: "ModuleNotFoundError" < import_error;
    lookup_error: "LookupError" < exception;
    index_error: "IndexError" < lookup_error;
    key_error: "KeyError" < lookup_error;
    memory_error: "MemoryError" < exception;
    name_error: "NameError" < exception;
    unbound_local_error: "UnboundLocalError" < name_error;
    os_error: "OSError" < exception;
    blocking_io_error: "BlockingIOError" < os_error;
    child_process_error: "ChildProcessError" < os_error;
    connection_error: "ConnectionError" < os_error;
    broken_pipe_error: "BrokenPipeError" < connection_error;
    connection_aborted_error: "ConnectionAbortedError" < connection_error;
    connection_refused_error: "ConnectionRefusedError" < connection_error;
    connection_reset_error: "ConnectionResetError" < connection_error;
    file_exists_error: "FileExistsError" < os_error;
    file_not_found_error: "FileNotFoundError" < os_error;
    interrupted_error: "InterruptedError" < os_error;
    is_a_directory_error: "IsADirectoryError" < os_error;
    not_a_directory_error: "NotADirectoryError" < os_error;
    permission_error: "PermissionError" < os_error;
    process_lookup_error: "ProcessLookupError" < os_error;
    timeout_error: "TimeoutError" < os_error;
    reference_error: "ReferenceError" < exception;
    runtime_error: "RuntimeError" < exception;
    not_implemented_error: "NotImplementedError" < runtime_error;
    recursion_error: "RecursionError" < runtime_error;
    syntax_error: "SyntaxError" < exception;
    indentation_error: "IndentationError" < syntax_error;
    tab_error: "TabError" < indentation_error;
    system_error: "SystemError" < exception;
    type_error: "TypeError" < exception;
    value_error: "ValueError" < exception;
    unicode_error: "UnicodeError" < value_error;
    unicode_decode_error: "UnicodeDecodeError" < unicode_error;
    unicode_encode_error: "UnicodeEncodeError" < unicode_error;
    unicode_translate_error: "UnicodeTranslateError" < unicode_error;
    warning: "Warning" < exception;
    deprecation_warning: "DeprecationWarning" < warning;
    pending_deprecation_warning: "PendingDeprecationWarning" < warning;
    runtime_warning: "RuntimeWarning" < warning;
    syntax_warning: "SyntaxWarning" < warning;
    user_warning: "UserWarning" < warning;
    future_warning: "FutureWarning" < warning;
    import_warning: "ImportWarning" < warning;
    unicode_warning: "UnicodeWarning" < warning;
    bytes_warning: "BytesWarning" < warning;
    resource_warning: "ResourceWarning" < warning;
    encoding_warning: "EncodingWarning" < warning;
    base_exception_group: "BaseExceptionGroup" < base_exception;
    exception_group: "ExceptionGroup" < base_exception_group, exception;
}

/// Creates `object` and `type`, then every other built-in class.
pub fn bootstrap() -> (Types, ExcTypes) {
    let object_data = type_data("object", Layout::Object, Vec::new(), false);
    let type_ = Rc::new(Object::new_metatype(Payload::Type(Box::new(type_data(
        "type",
        Layout::Type,
        Vec::new(),
        false,
    )))));
    let object = Rc::new(Object::new(
        type_.clone(),
        Payload::Type(Box::new(object_data)),
    ));
    set_mro(&object, vec![object.clone()]);
    if let Some(t) = type_.as_type() {
        *t.bases.borrow_mut() = vec![object.clone()];
    }
    set_mro(&type_, vec![type_.clone(), object.clone()]);
    let types = Types::create(&object, &type_);
    // bool is a subclass of int.
    if let Some(t) = types.bool.as_type() {
        *t.bases.borrow_mut() = vec![types.int.clone()];
        *t.mro.borrow_mut() = vec![types.bool.clone(), types.int.clone(), object.clone()];
    }
    types_changed();
    let exc = ExcTypes::create(&types);
    (types, exc)
}

fn type_data(name: &str, layout: Layout, bases: Vec<Obj>, heap: bool) -> TypeData {
    let name = Rc::new(Str::new(name.to_string()));
    types_changed();
    TypeData {
        ns: RefCell::new(Dict::new()),
        name: RefCell::new(name.clone()),
        qualname: RefCell::new(name),
        c_name: RefCell::new(None),
        bases: RefCell::new(bases),
        mro: RefCell::new(Vec::new()),
        layout,
        heap,
        version: Cell::new(0),
        instance_dict: heap,
        nslots: 0,
        subclasses: RefCell::new(Vec::new()),
        has_del: Cell::new(false),
        has_getattribute: Cell::new(false),
        dict_hint: Cell::new(0),
        final_: Cell::new(false),
        getsets_after: RefCell::new(None),
        getsets: RefCell::new(Default::default()),
    }
}

fn set_mro(cls: &Obj, mro: Vec<Obj>) {
    if let Some(t) = cls.as_type() {
        *t.mro.borrow_mut() = mro;
    }
    types_changed();
}

/// Creates a built-in class (no instance `__dict__`).
pub fn new_builtin_type(metatype: &Obj, name: &str, layout: Layout, bases: &[Obj]) -> Obj {
    let cls = Rc::new(Object::new(
        metatype.clone(),
        Payload::Type(Box::new(type_data(name, layout, bases.to_vec(), false))),
    ));
    let mro = c3_mro(&cls, bases).unwrap_or_else(|| vec![cls.clone()]);
    set_mro(&cls, mro);
    cls
}

/// Creates a class from a `class` statement or `type(name, bases, ns)`: computes the MRO and
/// the instance layout. Returns `None` when no consistent MRO exists or layouts conflict.
pub fn new_heap_type(
    metatype: &Obj,
    name: Rc<Str>,
    qualname: Rc<Str>,
    bases: &[Obj],
    ns: Dict,
    slots: Option<Vec<Rc<Str>>>,
    member_type: &Obj,
) -> Result<Obj, String> {
    let layout = solid_layout(bases)?;
    let mut data = type_data("", layout, bases.to_vec(), true);
    *data.name.get_mut() = name;
    *data.qualname.get_mut() = qualname;
    // `__slots__`: instances get fixed slots (after those of the bases) and no `__dict__`
    // unless a base has one or `__dict__` is itself a slot.
    let base_slots = bases
        .iter()
        .filter_map(|b| b.as_type())
        .map(|t| t.nslots)
        .max()
        .unwrap_or(0);
    let base_dict = bases
        .iter()
        .any(|b| b.as_type().is_some_and(|t| t.instance_dict));
    let mut ns = ns;
    // CPython refuses any slots in subtypes of variable-size types (`int`, `tuple`, `type`),
    // naming the base that carries the layout; `float` and `complex` take them.
    if let Some(own) = &slots {
        if !own.is_empty()
            && matches!(
                layout,
                Layout::Int | Layout::Tuple | Layout::Type | Layout::Bytes
            )
        {
            let base = bases
                .iter()
                .find(|b| b.as_type().is_some_and(|t| t.layout == layout))
                .map(type_name)
                .unwrap_or_default();
            return Err(format!(
                "nonempty __slots__ not supported for subtype of '{base}'"
            ));
        }
    }
    // Instances of a subclass of a built-in other than `object` keep the built-in payload and
    // have no slot storage: their named slots live in an instance `__dict__` instead.
    let slots = match slots {
        Some(own)
            if layout != Layout::Object
                && own
                    .iter()
                    .any(|n| !matches!(n.as_str(), "__dict__" | "__weakref__")) =>
        {
            None
        }
        other => other,
    };
    match slots {
        Some(own) => {
            let mut index = base_slots;
            // `__weakref__` needs no storage: no object here keeps a weak-reference list.
            for n in own
                .iter()
                .filter(|n| !matches!(n.as_str(), "__dict__" | "__weakref__"))
            {
                let member = crate::object::MemberDescr {
                    name: n.clone(),
                    index,
                    owner: data.name.borrow().clone(),
                    tuple: false,
                };
                let m = Rc::new(Object::new(
                    member_type.clone(),
                    Payload::Member(Box::new(member)),
                ));
                ns.set_str(n.clone(), Value::Obj(m));
                index += 1;
            }
            data.nslots = index;
            data.instance_dict = base_dict || own.iter().any(|n| n.as_str() == "__dict__");
        }
        None => {
            data.nslots = base_slots;
            data.instance_dict = true;
        }
    }
    *data.ns.get_mut() = ns;
    let cls = Rc::new(Object::new(metatype.clone(), Payload::Type(Box::new(data))));
    // CPython's `check_duplicates` runs before the merge, with a message of its own.
    for (i, b) in bases.iter().enumerate() {
        if bases[..i].iter().any(|o| Rc::ptr_eq(o, b)) {
            return Err(format!("duplicate base class {}", type_name(b)));
        }
    }
    match c3_merge(&cls, bases) {
        Ok(mro) => set_mro(&cls, mro),
        Err(heads) => {
            let names: Vec<String> = heads.iter().map(type_name).collect();
            return Err(format!(
                "Cannot create a consistent method resolution\norder (MRO) for bases {}",
                names.join(", ")
            ));
        }
    }
    for b in bases {
        if let Some(t) = b.as_type() {
            t.subclasses.borrow_mut().push(Rc::downgrade(&cls));
        }
    }
    if let Some(t) = cls.as_type() {
        let del = Str::new("__del__".to_string());
        let has = t.mro.borrow().iter().any(|c| {
            c.as_type()
                .is_some_and(|ct| ct.has_del.get() || ct.ns.borrow().get_str(&del).is_some())
        });
        t.has_del.set(has);
    }
    refresh_has_getattribute(&cls);
    Ok(cls)
}

/// Recomputes [`TypeData::has_getattribute`] of `cls` and its subclasses (after a class
/// is made, or `__getattribute__` is set on or deleted from `cls`): whether a user class
/// of the MRO defines it.
pub(crate) fn refresh_has_getattribute(cls: &Obj) {
    thread_local! {
        static NAME: Str = Str::new("__getattribute__".to_string());
    }
    let Some(t) = cls.as_type() else { return };
    let has = NAME.with(|name| {
        t.mro.borrow().iter().any(|c| {
            c.as_type()
                .is_some_and(|ct| ct.heap && ct.ns.borrow().get_str(name).is_some())
        })
    });
    t.has_getattribute.set(has);
    for s in &live_subclasses(t) {
        refresh_has_getattribute(s);
    }
}

/// Whether instances of `cls` have a user `__getattribute__` (see
/// [`TypeData::has_getattribute`]).
#[inline]
pub(crate) fn has_getattribute(cls: &Obj) -> bool {
    cls.as_type().is_some_and(|t| t.has_getattribute.get())
}

/// The layout instances of a class with these bases carry (the most derived built-in base).
fn solid_layout(bases: &[Obj]) -> Result<Layout, String> {
    let mut layout = Layout::Object;
    for b in bases {
        let Some(t) = b.as_type() else { continue };
        let l = t.layout;
        if l == Layout::Object {
            continue;
        }
        if layout == Layout::Object || layout == l {
            layout = l;
        } else {
            return Err("multiple bases have instance lay-out conflict".into());
        }
    }
    Ok(layout)
}

/// The class name as messages show it: `__name__`, or the dotted name given by
/// [`set_c_type_name`] (CPython's `tp_name`).
pub fn type_name(cls: &Obj) -> String {
    cls.as_type()
        .map(|t| match &*t.c_name.borrow() {
            Some(c) => c.as_str().to_string(),
            None => t.name.borrow().as_str().to_string(),
        })
        .unwrap_or_default()
}

/// Makes messages name class `cls` `name` (`'datetime.date'`), as CPython names a C type
/// by its `tp_name`, for a class written in aio that stands for one. `__name__` is
/// unchanged, and subclasses are named by their own `__name__`, as CPython's are.
pub fn set_c_type_name(cls: &Obj, name: &str) {
    if let Some(t) = cls.as_type() {
        *t.c_name.borrow_mut() = Some(Rc::new(Str::new(name.to_string())));
    }
}

/// C3 linearisation of `cls` with `bases`.
pub fn c3_mro(cls: &Obj, bases: &[Obj]) -> Option<Vec<Obj>> {
    c3_merge(cls, bases).ok()
}

/// C3 linearisation; on failure, the heads that could not be ordered (for the message).
fn c3_merge(cls: &Obj, bases: &[Obj]) -> Result<Vec<Obj>, Vec<Obj>> {
    let mut seqs: Vec<Vec<Obj>> = bases
        .iter()
        .map(|b| {
            b.as_type()
                .map(|t| t.mro.borrow().clone())
                .unwrap_or_default()
        })
        .collect();
    seqs.push(bases.to_vec());
    let mut out = vec![cls.clone()];
    loop {
        seqs.retain(|s| !s.is_empty());
        if seqs.is_empty() {
            return Ok(out);
        }
        let mut found = None;
        for s in &seqs {
            let head = &s[0];
            if !seqs
                .iter()
                .any(|t| t[1..].iter().any(|x| Rc::ptr_eq(x, head)))
            {
                found = Some(head.clone());
                break;
            }
        }
        let Some(head) = found else {
            let mut heads: Vec<Obj> = Vec::new();
            for s in &seqs {
                if !heads.iter().any(|h| Rc::ptr_eq(h, &s[0])) {
                    heads.push(s[0].clone());
                }
            }
            return Err(heads);
        };
        out.push(head.clone());
        for s in &mut seqs {
            if Rc::ptr_eq(&s[0], &head) {
                s.remove(0);
            }
        }
    }
}

/// True when `cls` is `base` or derives from it.
#[inline]
pub fn is_subtype(cls: &Obj, base: &Obj) -> bool {
    if Rc::ptr_eq(cls, base) {
        return true;
    }
    match cls.as_type() {
        Some(t) => t.mro.borrow().iter().any(|c| Rc::ptr_eq(c, base)),
        None => false,
    }
}

/// Looks `name` up along the MRO of `cls` (class attributes and methods). Hot paths use
/// the cached [`crate::vm::Vm::lookup`].
pub fn lookup(cls: &Obj, name: &Str) -> Option<Value> {
    let t = cls.as_type()?;
    let mro = t.mro.borrow();
    for c in mro.iter() {
        if let Some(ct) = c.as_type() {
            if let Some(v) = ct.ns.borrow().get_str(name) {
                return Some(v.clone());
            }
        }
    }
    None
}

/// The class epoch: bumped on every change to any class namespace or MRO and on every
/// class creation. Lookups cached in one epoch are stale in the next.
static TYPE_EPOCH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Records that a class namespace or MRO changed, or that a class was created: every
/// lookup cached before is stale from now on.
#[inline]
pub fn types_changed() {
    TYPE_EPOCH.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// The current class epoch (see [`types_changed`]).
#[inline]
pub fn type_epoch() -> u64 {
    TYPE_EPOCH.load(std::sync::atomic::Ordering::Relaxed)
}

/// The MRO lookup cache, CPython's type attribute cache in spirit: a direct-mapped table
/// keyed by (class address, name address) whose entries are valid only in the epoch they
/// were filled in. Since every class creation bumps the epoch, a class address reused by a
/// new class cannot hit an old entry. Entries hold their name (so its address is not
/// reused while cached) and the value found (`None` for a miss); the cycle collector
/// empties the table so that cached values never keep garbage alive.
pub struct LookupCache {
    entries: RefCell<Box<[CacheEntry]>>,
}

#[derive(Default)]
struct CacheEntry {
    epoch: u64,
    cls: usize,
    name: Option<Rc<Str>>,
    value: Option<Value>,
}

const LOOKUP_CACHE_SIZE: usize = 2048;

impl Default for LookupCache {
    fn default() -> LookupCache {
        LookupCache {
            entries: RefCell::new(
                (0..LOOKUP_CACHE_SIZE)
                    .map(|_| CacheEntry::default())
                    .collect(),
            ),
        }
    }
}

impl LookupCache {
    /// [`lookup`] through the cache.
    #[inline]
    pub fn lookup(&self, cls: &Obj, name: &Rc<Str>) -> Option<Value> {
        let epoch = type_epoch();
        let key_cls = Rc::as_ptr(cls) as usize;
        let key_name = Rc::as_ptr(name) as usize;
        let i = ((key_cls >> 4) ^ (key_name >> 3)) & (LOOKUP_CACHE_SIZE - 1);
        {
            let entries = self.entries.borrow();
            let e = &entries[i];
            if e.epoch == epoch
                && e.cls == key_cls
                && e.name
                    .as_ref()
                    .is_some_and(|n| Rc::as_ptr(n) as usize == key_name)
            {
                return e.value.clone();
            }
        }
        self.fill(i, epoch, cls, name)
    }

    #[inline(never)]
    fn fill(&self, i: usize, epoch: u64, cls: &Obj, name: &Rc<Str>) -> Option<Value> {
        let value = lookup(cls, name);
        let entry = CacheEntry {
            epoch,
            cls: Rc::as_ptr(cls) as usize,
            name: Some(name.clone()),
            value: value.clone(),
        };
        // The old entry is dropped after the borrow ends.
        let old = std::mem::replace(&mut self.entries.borrow_mut()[i], entry);
        drop(old);
        value
    }

    /// Drops every cached value.
    pub fn clear(&self) {
        let old: Vec<CacheEntry> = self
            .entries
            .borrow_mut()
            .iter_mut()
            .map(std::mem::take)
            .collect();
        drop(old);
    }
}

/// Used in `Value` for identity: a `Value` holding a class object.
pub fn class_value(cls: &Obj) -> Value {
    Value::Obj(cls.clone())
}

/// Marks `cls` and its subclasses as defining `__del__` (after `cls.__del__ = f`).
pub(crate) fn mark_has_del(cls: &Obj) {
    if let Some(t) = cls.as_type() {
        t.has_del.set(true);
        for s in &live_subclasses(t) {
            mark_has_del(s);
        }
    }
}

/// The direct subclasses of a class that are still alive (`__subclasses__()`).
pub(crate) fn live_subclasses(t: &TypeData) -> Vec<Obj> {
    t.subclasses
        .borrow()
        .iter()
        .filter_map(|w| w.upgrade())
        .collect()
}
