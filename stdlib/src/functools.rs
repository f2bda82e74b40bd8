//! `functools`: `lib/functools.aio` over a native `_lru_cache_wrapper`, the object
//! `lru_cache` returns, as CPython's `_functools` C module provides it: a call with a
//! cached result runs no script code, where the aio wrapper cost a `*args, **kwds` frame
//! per call. The keys are C's (`lru_cache_make_key`: tuples, or the one exact int or str
//! argument itself, kept in a Rust map) and the bounded cache keeps C's doubly linked
//! list, so hits, misses and evictions happen in the same order. `partial`, `reduce` and
//! `cmp_to_key` are native too (`native.rs`), as in `_functools`.

use aio_vm::dict::Dict;
use aio_vm::module::{native_state, new_native_instance, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::object::{Object, Payload};
use aio_vm::str::Str;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;
use std::rc::Rc;

mod native;

/// One cached call: an entry of the recency list (index 0 is the list's root; the
/// unbounded cache keeps no order).
struct Link {
    prev: usize,
    next: usize,
    key: Value,
    result: Value,
}

/// A key that is one exact `int` or `str` argument (C's `lru_cache_make_key` returns it
/// bare). Such keys equal only each other (every other key is a tuple), so they live in
/// a Rust map: no Python hashing or comparison.
enum FastKey {
    Int(i64),
    Str(Rc<Str>),
}

impl PartialEq for FastKey {
    fn eq(&self, other: &FastKey) -> bool {
        match (self, other) {
            (FastKey::Int(a), FastKey::Int(b)) => a == b,
            (FastKey::Str(a), FastKey::Str(b)) => Rc::ptr_eq(a, b) || a.as_str() == b.as_str(),
            _ => false,
        }
    }
}

impl Eq for FastKey {}

impl std::hash::Hash for FastKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            FastKey::Int(i) => state.write_i64(*i),
            FastKey::Str(s) => state.write_i64(s.hash()),
        }
    }
}

impl FastKey {
    fn of(v: &Value) -> Option<FastKey> {
        match v {
            Value::Int(i) => Some(FastKey::Int(*i)),
            Value::Str(s) => Some(FastKey::Str(s.clone())),
            _ => None,
        }
    }
}

/// The map from fast keys to links (already hashed or small ints: a cheap hasher).
type FastMap = crate::fast_hash::FastMap<FastKey, usize>;

/// The state of one `_lru_cache_wrapper`.
struct Lru {
    func: Value,
    /// C's `kwd_mark`: separates positional from keyword arguments in a key.
    kwd_mark: Value,
    info_type: Value,
    /// `None`: unbounded; `Some(0)`: no caching.
    maxsize: Option<usize>,
    typed: bool,
    /// Tuple key -> index of its `Link` (as a Python int).
    cache: Obj,
    /// Bare `int`/`str` key -> index of its `Link`.
    fast: FastMap,
    links: Vec<Link>,
    hits: i64,
    misses: i64,
}

impl Lru {
    fn root() -> Link {
        Link {
            prev: 0,
            next: 0,
            key: Value::None,
            result: Value::None,
        }
    }

    fn unlink(&mut self, i: usize) {
        let (p, n) = (self.links[i].prev, self.links[i].next);
        self.links[p].next = n;
        self.links[n].prev = p;
    }

    /// Makes link `i` the most recent (last before the root).
    fn push_last(&mut self, i: usize) {
        let last = self.links[0].prev;
        self.links[last].next = i;
        self.links[0].prev = i;
        self.links[i].prev = last;
        self.links[i].next = 0;
    }
}

/// Adds `_lru_cache_wrapper`, `partial`, `KeyWrapper`, `reduce` and `cmp_to_key`, then
/// runs `lib/functools.aio`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let mut b = ModuleBuilder::new(vm, m);
    native::init(&mut b);
    b.class("_lru_cache_wrapper")
        .constructor(new)
        .method("__init__", init_noop)
        .method("__call__", call)
        .method("__get__", get)
        .method("cache_info", cache_info)
        .method("cache_clear", cache_clear)
        .method("__copy__", copy)
        .method("__deepcopy__", deepcopy)
        .finish();
    crate::source::run(
        vm,
        m,
        &[("lib/functools.aio", include_str!("lib/functools.aio"))],
    )
}

fn state<'a>(vm: &mut Vm, a: &Args<'a>) -> PyResult<&'a RefCell<Lru>> {
    match a.pos.first().and_then(native_state::<Lru>) {
        Some(s) => Ok(s),
        None => {
            Err(vm.new_type_error("descriptor requires a 'functools._lru_cache_wrapper' object"))
        }
    }
}

/// `_lru_cache_wrapper(user_function, maxsize, typed, cache_info_type)`.
fn new(vm: &mut Vm, a: Args) -> PyResult {
    let Some(Value::Obj(cls)) = a.pos.first() else {
        return Err(vm.new_type_error("__new__(X): X is not a type object"));
    };
    if a.pos.len() != 5 {
        return Err(vm.new_type_error(format!(
            "_lru_cache_wrapper() takes exactly 4 arguments ({} given)",
            a.pos.len() - 1
        )));
    }
    let cls = cls.clone();
    let func = a.pos[1].clone();
    let maxsize = match &a.pos[2] {
        Value::None => None,
        v => Some(aio_vm::module::to_index_i64(vm, v)?.max(0) as usize),
    };
    let typed = vm.is_true(&a.pos[3])?;
    let object = Value::Obj(vm.types.object.clone());
    let kwd_mark = vm.call(&object, &[], &[])?;
    let cache = vm.new_dict(Dict::new());
    let lru = Lru {
        func,
        kwd_mark,
        info_type: a.pos[4].clone(),
        maxsize,
        typed,
        cache,
        fast: FastMap::default(),
        links: vec![Lru::root()],
        hits: 0,
        misses: 0,
    };
    Ok(new_native_instance(vm, &cls, lru))
}

fn init_noop(_vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::None)
}

/// The key of a call, as C's `lru_cache_make_key`: one exact `int` or `str` argument
/// (untyped, no keywords) is its own key; otherwise a tuple of the arguments, then
/// `kwd_mark` and the keyword items, then (typed) the arguments' types.
fn make_key(
    vm: &mut Vm,
    args: &[Value],
    kw: &[(Rc<Str>, Value)],
    typed: bool,
    mark: &Value,
) -> Value {
    if !typed && kw.is_empty() {
        if let [k @ (Value::Int(_) | Value::Str(_))] = args {
            return k.clone();
        }
        return vm.new_tuple(args.to_vec());
    }
    let mut items = args.to_vec();
    if !kw.is_empty() {
        items.push(mark.clone());
        for (k, v) in kw {
            items.push(Value::Str(k.clone()));
            items.push(v.clone());
        }
    }
    if typed {
        for v in args.iter().chain(kw.iter().map(|(_, v)| v)) {
            items.push(Value::Obj(vm.class_of(v).clone()));
        }
    }
    vm.new_tuple(items)
}

/// The link index cached for `key`.
fn find(vm: &mut Vm, st: &RefCell<Lru>, key: &Value) -> PyResult<Option<usize>> {
    if let Some(fk) = FastKey::of(key) {
        return Ok(st.borrow().fast.get(&fk).copied());
    }
    let cache = st.borrow().cache.clone();
    Ok(match vm.dict_lookup(&cache, key)? {
        Some(Value::Int(i)) => Some(i as usize),
        _ => None,
    })
}

/// `wrapper(*args, **kwargs)`.
fn call(vm: &mut Vm, a: Args) -> PyResult {
    let st = state(vm, &a)?;
    let args = &a.pos[1..];
    let (func, maxsize, typed, mark) = {
        let s = st.borrow();
        (s.func.clone(), s.maxsize, s.typed, s.kwd_mark.clone())
    };
    if maxsize == Some(0) {
        st.borrow_mut().misses += 1;
        return vm.call(&func, args, a.kw);
    }
    let key = make_key(vm, args, a.kw, typed, &mark);
    if let Some(i) = find(vm, st, &key)? {
        let mut s = st.borrow_mut();
        if i < s.links.len() {
            s.hits += 1;
            if maxsize.is_some() {
                s.unlink(i);
                s.push_last(i);
            }
            return Ok(s.links[i].result.clone());
        }
    }
    st.borrow_mut().misses += 1;
    let result = vm.call(&func, args, a.kw)?;
    if find(vm, st, &key)?.is_some() {
        // Added while the function ran (a recursive call): the cache is up to date.
        return Ok(result);
    }
    let full = maxsize.is_some_and(|m| st.borrow().links.len() > m);
    let (i, old) = {
        let mut s = st.borrow_mut();
        if !full {
            s.links.push(Link {
                prev: 0,
                next: 0,
                key: key.clone(),
                result: result.clone(),
            });
            let i = s.links.len() - 1;
            if maxsize.is_some() {
                s.push_last(i);
            }
            (i, None)
        } else {
            // Evict the oldest entry and reuse its link for the new one.
            let oldest = s.links[0].next;
            s.unlink(oldest);
            s.push_last(oldest);
            let l = &mut s.links[oldest];
            let old_key = std::mem::replace(&mut l.key, key.clone());
            let old_result = std::mem::replace(&mut l.result, result.clone());
            (oldest, Some((old_key, old_result)))
        }
    };
    if let Some((old_key, old_result)) = old {
        match FastKey::of(&old_key) {
            Some(fk) => {
                st.borrow_mut().fast.remove(&fk);
            }
            None => {
                let cache = st.borrow().cache.clone();
                vm.dict_remove(&cache, &old_key)?;
            }
        }
        drop(old_result);
    }
    match FastKey::of(&key) {
        Some(fk) => {
            st.borrow_mut().fast.insert(fk, i);
        }
        None => {
            let cache = st.borrow().cache.clone();
            vm.dict_set(&cache, key, Value::Int(i as i64))?;
        }
    }
    Ok(result)
}

/// `__get__(obj, type=None)`: a method bound to `obj`, as C's `method_get`.
fn get(vm: &mut Vm, a: Args) -> PyResult {
    let obj = a.pos.get(1).cloned().unwrap_or(Value::None);
    if obj.is_none() {
        return Ok(a.pos[0].clone());
    }
    let m = Object::new(
        vm.types.method.clone(),
        Payload::Method(Box::new((a.pos[0].clone(), obj))),
    );
    Ok(Value::Obj(vm.track(m)))
}

/// `cache_info()`: `CacheInfo(hits, misses, maxsize, currsize)`.
fn cache_info(vm: &mut Vm, a: Args) -> PyResult {
    let st = state(vm, &a)?;
    let (info, hits, misses, maxsize, size) = {
        let s = st.borrow();
        let size = s.links.len() - 1;
        (s.info_type.clone(), s.hits, s.misses, s.maxsize, size)
    };
    let maxsize = maxsize.map_or(Value::None, |m| Value::Int(m as i64));
    vm.call(
        &info,
        &[
            Value::Int(hits),
            Value::Int(misses),
            maxsize,
            Value::Int(size as i64),
        ],
        &[],
    )
}

/// `cache_clear()`.
fn cache_clear(vm: &mut Vm, a: Args) -> PyResult {
    let st = state(vm, &a)?;
    let fresh = vm.new_dict(Dict::new());
    let (old_cache, old_links, old_fast) = {
        let mut s = st.borrow_mut();
        s.hits = 0;
        s.misses = 0;
        (
            std::mem::replace(&mut s.cache, fresh),
            std::mem::replace(&mut s.links, vec![Lru::root()]),
            std::mem::take(&mut s.fast),
        )
    };
    // Dropped after the borrow ends: a key's `__del__` may call the wrapper.
    drop(old_links);
    drop(old_cache);
    drop(old_fast);
    Ok(Value::None)
}

fn copy(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(a.pos[0].clone())
}

fn deepcopy(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(a.pos[0].clone())
}
