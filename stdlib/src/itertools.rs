//! `itertools`: `lib/itertools.aio` over native iterators. `product`, `permutations`,
//! `combinations` and `combinations_with_replacement` step their indices in Rust as
//! `itertoolsmodule.c` does (same orders), so each result costs one tuple, not a generator
//! resumption running the index loops as script code; the aio functions check their
//! arguments (with the C module's messages) and call these classes. `accumulate`, `chain`,
//! `cycle`, `dropwhile`, `groupby` (and its `_grouper`), `islice`, `pairwise`, `starmap`,
//! `takewhile` and `zip_longest` are the C module's types, argument checks included, in
//! `lazy.rs`. All are [`NativeIter`]s: `for` and `next()` step them without a method call.

mod lazy;

use aio_vm::builtins::iter_self;
use aio_vm::iter::{native_iter, NativeIter};
use aio_vm::module::{to_index_i64, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};
use std::cell::RefCell;
use std::rc::Rc;

/// Which sequence a [`Combo`] steps through.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Product,
    Permutations,
    Combinations,
    WithReplacement,
}

/// A combinatoric iterator (its state borrowed only while stepping, which calls nothing).
struct ComboIter(RefCell<Combo>);

impl NativeIter for ComboIter {
    fn next(&self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let mut c = self.0.borrow_mut();
        let more = !c.done && step(&mut c);
        if !more {
            c.done = true;
            let pools = std::mem::take(&mut c.pools);
            drop(c);
            drop(pools);
            return Ok(None);
        }
        let items = match c.kind {
            Kind::Product => c
                .indices
                .iter()
                .zip(&c.pools)
                .map(|(&i, p)| p[i].clone())
                .collect(),
            _ => c.indices[..c.r]
                .iter()
                .map(|&i| c.pools[0][i].clone())
                .collect(),
        };
        Ok(Some(vm.new_tuple(items)))
    }

    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Ok(c) = self.0.try_borrow() {
            c.pools.iter().flatten().for_each(f);
        }
    }

    fn clear(&self, out: &mut Vec<Value>) {
        if let Ok(mut c) = self.0.try_borrow_mut() {
            c.done = true;
            out.extend(std::mem::take(&mut c.pools).into_iter().flatten());
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The state of one combinatoric iterator.
struct Combo {
    kind: Kind,
    /// `product`'s pools; the other kinds have one pool.
    pools: Vec<Vec<Value>>,
    indices: Vec<usize>,
    /// `permutations`' cycle counters.
    cycles: Vec<usize>,
    r: usize,
    first: bool,
    done: bool,
}

/// Adds the native classes (named as CPython's types; the aio functions defined after them
/// keep them as `_product_type`, ...).
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let mut b = ModuleBuilder::new(vm, m);
    for name in [
        "product",
        "permutations",
        "combinations",
        "combinations_with_replacement",
    ] {
        b.class(name)
            .constructor(new)
            .method("__init__", init_noop)
            .method("__iter__", iter_self)
            .method("__next__", next_method)
            .finish();
    }
    lazy::init(&mut b);
    crate::source::run(
        vm,
        m,
        &[("lib/itertools.aio", include_str!("lib/itertools.aio"))],
    )
}

/// `cls(kind, pools, r)`: `kind` 0 to 3 (product, permutations, combinations,
/// combinations_with_replacement), `pools` a tuple of tuples (one for all but product),
/// `r` the length of each result (ignored by product).
fn new(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "itertools iterator", 4, 4)?;
    let Some(Value::Obj(cls)) = a.pos.first() else {
        return Err(vm.new_type_error("__new__(X): X is not a type object"));
    };
    let kind = match to_index_i64(vm, &a.pos[1])? {
        0 => Kind::Product,
        1 => Kind::Permutations,
        2 => Kind::Combinations,
        _ => Kind::WithReplacement,
    };
    let mut pools = Vec::new();
    if let Some(Payload::Tuple(ps)) = a.pos[2].payload() {
        for p in ps.iter() {
            match p.payload() {
                Some(Payload::Tuple(items)) => pools.push(items.to_vec()),
                _ => return Err(vm.new_type_error("itertools iterator: pools must be tuples")),
            }
        }
    }
    let r = to_index_i64(vm, &a.pos[3])?.max(0) as usize;
    if kind != Kind::Product && r > usize::MAX / 8 / 2 {
        // C allocates r indices up front; PyMem_New refuses more than PY_SSIZE_T_MAX bytes.
        return Err(vm.new_exception(&vm.exc.memory_error.clone(), Vec::new()));
    }
    let state = Combo {
        kind,
        pools,
        indices: Vec::new(),
        cycles: Vec::new(),
        r,
        first: true,
        done: false,
    };
    Ok(vm.new_native_iterator(cls, Rc::new(ComboIter(RefCell::new(state)))))
}

fn init_noop(_vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::None)
}

/// `__next__` of every native iterator here: [`Vm::next`] steps the [`NativeIter`].
fn next_method(vm: &mut Vm, a: Args) -> PyResult {
    let Some(it) = a.pos.first().filter(|v| native_iter(v).is_some()) else {
        return Err(vm.new_type_error("descriptor '__next__' requires an itertools iterator"));
    };
    match vm.next(it)? {
        Some(v) => Ok(v),
        None => Err(vm.new_stop_iteration(Value::None)),
    }
}

/// Advances the indices to the next result; false when there is none.
fn step(c: &mut Combo) -> bool {
    let first = std::mem::replace(&mut c.first, false);
    let r = c.r;
    match c.kind {
        Kind::Product => {
            if first {
                c.indices = vec![0; c.pools.len()];
                return c.pools.iter().all(|p| !p.is_empty());
            }
            for i in (0..c.pools.len()).rev() {
                c.indices[i] += 1;
                if c.indices[i] < c.pools[i].len() {
                    return true;
                }
                c.indices[i] = 0;
            }
            false
        }
        Kind::Permutations => {
            let n = c.pools[0].len();
            if first {
                if r > n {
                    return false;
                }
                c.indices = (0..n).collect();
                c.cycles = (n - r + 1..=n).rev().collect();
                return true;
            }
            if n == 0 {
                return false;
            }
            for i in (0..r).rev() {
                c.cycles[i] -= 1;
                if c.cycles[i] == 0 {
                    c.indices[i..].rotate_left(1);
                    c.cycles[i] = n - i;
                } else {
                    let j = c.cycles[i];
                    c.indices.swap(i, n - j);
                    return true;
                }
            }
            false
        }
        Kind::Combinations => {
            let n = c.pools[0].len();
            if first {
                if r > n {
                    return false;
                }
                c.indices = (0..r).collect();
                return true;
            }
            let Some(i) = (0..r).rev().find(|&i| c.indices[i] != i + n - r) else {
                return false;
            };
            c.indices[i] += 1;
            for j in i + 1..r {
                c.indices[j] = c.indices[j - 1] + 1;
            }
            true
        }
        Kind::WithReplacement => {
            let n = c.pools[0].len();
            if first {
                if n == 0 && r > 0 {
                    return false;
                }
                c.indices = vec![0; r];
                return true;
            }
            let Some(i) = (0..r).rev().find(|&i| c.indices[i] != n - 1) else {
                return false;
            };
            let v = c.indices[i] + 1;
            for x in &mut c.indices[i..] {
                *x = v;
            }
            true
        }
    }
}
