//! `functools`: `lib/functools.aio` over a native `_lru_cache_wrapper`, the object
//! `lru_cache` returns, as CPython's `_functools` C module provides it: a call with a
//! cached result runs no script code, where the aio wrapper cost a `*args, **kwds` frame
//! per call. The keys are CPython's (`_make_key`, kept in aio, builds all but the
//! one-int-or-str-argument key) and the bounded cache keeps C's doubly linked list, so
//! hits, misses and evictions happen in the same order. `partial`, `reduce` and
//! `cmp_to_key` are native too (`native.rs`), as in `_functools`.

use aio_vm::dict::Dict;
use aio_vm::module::{getattr, native_state, new_native_instance, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::object::{Object, Payload};
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;

mod native;

/// One entry of the bounded cache's recency list (index 0 is the list's root).
struct Link {
    prev: usize,
    next: usize,
    key: Value,
    result: Value,
}

/// The state of one `_lru_cache_wrapper`.
struct Lru {
    func: Value,
    make_key: Value,
    info_type: Value,
    /// `None`: unbounded; `Some(0)`: no caching.
    maxsize: Option<usize>,
    typed: bool,
    /// key -> result (unbounded) or key -> index of its `Link` (bounded).
    cache: Obj,
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
    let make_key = getattr(vm, &Value::Obj(cls.clone()), "_make_key")?;
    let cache = vm.new_dict(Dict::new());
    let lru = Lru {
        func,
        make_key,
        info_type: a.pos[4].clone(),
        maxsize,
        typed,
        cache,
        links: vec![Lru::root()],
        hits: 0,
        misses: 0,
    };
    Ok(new_native_instance(vm, &cls, lru))
}

fn init_noop(_vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::None)
}

/// `wrapper(*args, **kwargs)`.
fn call(vm: &mut Vm, a: Args) -> PyResult {
    let st = state(vm, &a)?;
    let args = &a.pos[1..];
    let (func, maxsize, typed, make_key, cache) = {
        let s = st.borrow();
        (
            s.func.clone(),
            s.maxsize,
            s.typed,
            s.make_key.clone(),
            s.cache.clone(),
        )
    };
    if maxsize == Some(0) {
        st.borrow_mut().misses += 1;
        return vm.call(&func, args, a.kw);
    }
    // `_make_key`: one int or str argument is its own key.
    let key = match args {
        [k @ (Value::Int(_) | Value::Str(_))] if a.kw.is_empty() && !typed => k.clone(),
        _ => {
            let t = vm.new_tuple(args.to_vec());
            let kwds = vm.new_dict(Dict::new());
            if let Payload::Dict(d) = &kwds.payload {
                let mut d = d.borrow_mut();
                for (k, v) in a.kw {
                    d.set_str(k.clone(), v.clone());
                }
            }
            vm.call(&make_key, &[t, Value::Obj(kwds), Value::bool(typed)], &[])?
        }
    };
    let found = vm.dict_lookup(&cache, &key)?;
    if let Some(v) = found {
        let mut s = st.borrow_mut();
        s.hits += 1;
        if maxsize.is_none() {
            return Ok(v);
        }
        let Value::Int(i) = v else {
            return Ok(Value::None);
        };
        let i = i as usize;
        if i < s.links.len() && std::rc::Rc::ptr_eq(&s.cache, &cache) {
            s.unlink(i);
            s.push_last(i);
            return Ok(s.links[i].result.clone());
        }
    }
    st.borrow_mut().misses += 1;
    let result = vm.call(&func, args, a.kw)?;
    let cache = st.borrow().cache.clone();
    let Some(maxsize) = maxsize else {
        vm.dict_set(&cache, key, result.clone())?;
        return Ok(result);
    };
    if vm.dict_lookup(&cache, &key)?.is_some() {
        // Added while the function ran (a recursive call): the list is up to date.
        return Ok(result);
    }
    let full = st.borrow().links.len() > maxsize;
    if !full {
        let i = {
            let mut s = st.borrow_mut();
            s.links.push(Link {
                prev: 0,
                next: 0,
                key: key.clone(),
                result: result.clone(),
            });
            let i = s.links.len() - 1;
            s.push_last(i);
            i
        };
        vm.dict_set(&cache, key, Value::Int(i as i64))?;
        return Ok(result);
    }
    // Evict the oldest entry and reuse its link for the new one.
    let (oldest, old_key, old_result) = {
        let mut s = st.borrow_mut();
        let oldest = s.links[0].next;
        s.unlink(oldest);
        s.push_last(oldest);
        let l = &mut s.links[oldest];
        let old_key = std::mem::replace(&mut l.key, key.clone());
        let old_result = std::mem::replace(&mut l.result, result.clone());
        (oldest, old_key, old_result)
    };
    drop(old_result);
    vm.dict_remove(&cache, &old_key)?;
    vm.dict_set(&cache, key, Value::Int(oldest as i64))?;
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
        let size = match s.maxsize {
            None => match &s.cache.payload {
                Payload::Dict(d) => d.borrow().len(),
                _ => 0,
            },
            Some(_) => s.links.len() - 1,
        };
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
    let (old_cache, old_links) = {
        let mut s = st.borrow_mut();
        s.hits = 0;
        s.misses = 0;
        (
            std::mem::replace(&mut s.cache, fresh),
            std::mem::replace(&mut s.links, vec![Lru::root()]),
        )
    };
    // Dropped after the borrow ends: a key's `__del__` may call the wrapper.
    drop(old_links);
    drop(old_cache);
    Ok(Value::None)
}

fn copy(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(a.pos[0].clone())
}

fn deepcopy(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(a.pos[0].clone())
}
