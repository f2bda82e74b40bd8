//! The C module's lazy iterator types: `accumulate`, `chain`, `cycle`, `dropwhile`,
//! `groupby`/`_grouper`, `islice`, `pairwise`, `starmap`, `takewhile`, `zip_longest`.
//! Each steps as its `*_next` function in `itertoolsmodule.c` (3.11) does, with the same
//! argument errors. States sit in `RefCell`s borrowed only between calls into the VM.

use super::{init_noop, iter_self, next_method};
use aio_vm::iter::NativeIter;
use aio_vm::module::{to_index, ModuleBuilder};
use aio_vm::native::{Args, NativeFn};
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};
use num_traits::ToPrimitive;
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Adds the classes to the module being built.
pub(super) fn init(b: &mut ModuleBuilder) {
    let classes: [(&str, NativeFn); 11] = [
        ("accumulate", accumulate_new),
        ("chain", chain_new),
        ("cycle", cycle_new),
        ("dropwhile", dropwhile_new),
        ("groupby", groupby_new),
        ("_grouper", grouper_new),
        ("islice", islice_new),
        ("pairwise", pairwise_new),
        ("starmap", starmap_new),
        ("takewhile", takewhile_new),
        ("zip_longest", zip_longest_new),
    ];
    for (name, new) in classes {
        let mut c = b.class(name);
        c.constructor(new)
            .method("__init__", init_noop)
            .method("__iter__", iter_self)
            .method("__next__", next_method);
        if name == "chain" {
            c.classmethod("from_iterable", chain_from_iterable);
        }
        c.finish();
    }
}

/// The class a constructor was called on (`pos[0]`).
fn cls_of(vm: &mut Vm, a: &Args) -> PyResult<Obj> {
    match a.pos.first() {
        Some(Value::Obj(c)) => Ok(c.clone()),
        _ => Err(vm.new_type_error("__new__(X): X is not a type object")),
    }
}

/// `PyArg_UnpackTuple`'s count check on the arguments after the class.
fn unpack_count(vm: &mut Vm, name: &str, a: &Args, min: usize, max: usize) -> PyResult<()> {
    let n = a.pos.len() - 1;
    let plural = |k: usize| if k == 1 { "" } else { "s" };
    let msg = if min == max && (n < min || n > max) {
        format!("{name} expected {min} argument{}, got {n}", plural(min))
    } else if n < min {
        format!(
            "{name} expected at least {min} argument{}, got {n}",
            plural(min)
        )
    } else if n > max {
        format!(
            "{name} expected at most {max} argument{}, got {n}",
            plural(max)
        )
    } else {
        return Ok(());
    };
    Err(vm.new_type_error(msg))
}

/// A constructor taking `n` positional arguments and no keywords (`PyArg_UnpackTuple`).
fn simple_args<'a>(vm: &mut Vm, name: &str, a: &Args<'a>, n: usize) -> PyResult<&'a [Value]> {
    if !a.kw.is_empty() {
        return Err(vm.new_type_error(format!("{name}() takes no keyword arguments")));
    }
    unpack_count(vm, name, a, n, n)?;
    Ok(&a.pos[1..])
}

/// `"O|O:name"` keyword parsing for `(iterable, second=None)`: the two values (the second
/// `None` when absent).
fn two_args(vm: &mut Vm, name: &str, a: &Args, second: &str) -> PyResult<(Value, Value)> {
    a.check_kwargs(vm, name, &["iterable", second])?;
    let pos = &a.pos[1..];
    if pos.len() > 2 {
        return Err(vm.new_type_error(format!(
            "{name}() takes at most 2 arguments ({} given)",
            pos.len() + a.kw.len()
        )));
    }
    let first = match (pos.first(), a.kwarg("iterable")) {
        (Some(v), None) => v.clone(),
        (None, Some(v)) => v.clone(),
        (Some(_), Some(_)) => {
            return Err(vm.new_type_error(format!(
                "argument for {name}() given by name ('iterable') and position (1)"
            )))
        }
        (None, None) => {
            return Err(vm.new_type_error(format!(
                "{name}() missing required argument 'iterable' (pos 1)"
            )))
        }
    };
    let snd = match (pos.get(1), a.kwarg(second)) {
        (Some(_), Some(_)) => {
            return Err(vm.new_type_error(format!(
                "argument for {name}() given by name ('{second}') and position (2)"
            )))
        }
        (Some(v), None) | (None, Some(v)) => v.clone(),
        (None, None) => Value::None,
    };
    Ok((first, snd))
}

fn visit(v: &Option<Value>, f: &mut dyn FnMut(&Value)) {
    if let Some(v) = v {
        f(v);
    }
}

/// [`NativeIter::trace`] of a state that is a pair of optional values.
fn trace_pair(p: &RefCell<(Option<Value>, Option<Value>)>, f: &mut dyn FnMut(&Value)) {
    if let Ok(s) = p.try_borrow() {
        visit(&s.0, f);
        visit(&s.1, f);
    }
}

/// [`NativeIter::clear`] of a state that is a pair of optional values.
fn clear_pair(p: &RefCell<(Option<Value>, Option<Value>)>, out: &mut Vec<Value>) {
    if let Ok(mut s) = p.try_borrow_mut() {
        out.extend(s.0.take());
        out.extend(s.1.take());
    }
}

macro_rules! any_impl {
    () => {
        fn as_any(&self) -> &dyn Any {
            self
        }
    };
}

// ---- chain ----

/// `chain`: the iterator over the iterables, and the one being drained.
struct Chain(RefCell<(Option<Value>, Option<Value>)>);

impl NativeIter for Chain {
    fn next(&self, vm: &mut Vm) -> PyResult<Option<Value>> {
        loop {
            let (source, active) = {
                let s = self.0.borrow();
                (s.0.clone(), s.1.clone())
            };
            let Some(source) = source else {
                return Ok(None);
            };
            let active = match active {
                Some(a) => a,
                None => {
                    let step = match vm.next(&source) {
                        Ok(Some(iterable)) => vm.get_iter(&iterable).map(Some),
                        other => other,
                    };
                    match step {
                        Ok(Some(a)) => {
                            self.0.borrow_mut().1 = Some(a.clone());
                            a
                        }
                        Ok(None) => {
                            self.0.borrow_mut().0 = None;
                            return Ok(None);
                        }
                        Err(e) => {
                            self.0.borrow_mut().0 = None;
                            return Err(e);
                        }
                    }
                }
            };
            if let Some(v) = vm.next(&active)? {
                return Ok(Some(v));
            }
            let mut s = self.0.borrow_mut();
            if s.1.as_ref().is_some_and(|a| a.is(&active)) {
                s.1 = None;
            }
        }
    }

    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        trace_pair(&self.0, f);
    }

    fn clear(&self, out: &mut Vec<Value>) {
        clear_pair(&self.0, out);
    }

    any_impl!();
}

/// `chain(*iterables)`.
fn chain_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = cls_of(vm, &a)?;
    a.no_kwargs(vm, "chain")?;
    let args = vm.new_tuple(a.pos[1..].to_vec());
    let source = vm.get_iter(&args)?;
    Ok(vm.new_native_iterator(&cls, Rc::new(Chain(RefCell::new((Some(source), None))))))
}

/// `chain.from_iterable(iterable)`.
fn chain_from_iterable(vm: &mut Vm, a: Args) -> PyResult {
    let cls = cls_of(vm, &a)?;
    a.no_kwargs(vm, "from_iterable")?;
    if a.pos.len() != 2 {
        return Err(vm.new_type_error(format!(
            "chain.from_iterable() takes exactly one argument ({} given)",
            a.pos.len() - 1
        )));
    }
    let source = vm.get_iter(&a.pos[1])?;
    Ok(vm.new_native_iterator(&cls, Rc::new(Chain(RefCell::new((Some(source), None))))))
}

// ---- islice ----

/// `islice`: the iterator (`None` once exhausted), the count consumed, the next index to
/// yield, the stop (`None` for no stop) and the step.
struct ISlice {
    it: RefCell<Option<Value>>,
    cnt: Cell<i64>,
    next: Cell<i64>,
    stop: Option<i64>,
    step: i64,
}

impl NativeIter for ISlice {
    fn next(&self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let Some(it) = self.it.borrow().clone() else {
            return Ok(None);
        };
        let r = self.step_from(vm, &it);
        if !matches!(r, Ok(Some(_))) {
            *self.it.borrow_mut() = None;
        }
        r
    }

    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Ok(it) = self.it.try_borrow() {
            visit(&it, f);
        }
    }

    fn clear(&self, out: &mut Vec<Value>) {
        if let Ok(mut it) = self.it.try_borrow_mut() {
            out.extend(it.take());
        }
    }

    any_impl!();
}

impl ISlice {
    fn step_from(&self, vm: &mut Vm, it: &Value) -> PyResult<Option<Value>> {
        while self.cnt.get() < self.next.get() {
            if vm.next(it)?.is_none() {
                return Ok(None);
            }
            self.cnt.set(self.cnt.get() + 1);
        }
        if self.stop.is_some_and(|s| self.cnt.get() >= s) {
            return Ok(None);
        }
        let Some(item) = vm.next(it)? else {
            return Ok(None);
        };
        self.cnt.set(self.cnt.get() + 1);
        let next = match self.next.get().checked_add(self.step) {
            Some(n) if self.stop.is_none_or(|s| n <= s) => n,
            _ => self.stop.unwrap_or(i64::MAX),
        };
        self.next.set(next);
        Ok(Some(item))
    }
}

/// `PyNumber_AsSsize_t` with every failure (a non-integer, an overflow) as `None`.
fn as_ssize(vm: &mut Vm, v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(b.get() as i64),
        _ => to_index(vm, v).ok()?.to_i64(),
    }
}

/// `islice(iterable, stop)` / `islice(iterable, start, stop[, step])`.
fn islice_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = cls_of(vm, &a)?;
    a.no_kwargs(vm, "islice")?;
    unpack_count(vm, "islice", &a, 2, 4)?;
    let args = &a.pos[1..];
    let stop_err = "Stop argument for islice() must be None or an integer: 0 <= x <= sys.maxsize.";
    let parse_stop = |vm: &mut Vm, v: &Value| -> PyResult<i64> {
        if v.is_none() {
            return Ok(-1);
        }
        match as_ssize(vm, v) {
            Some(s) if s != -1 => Ok(s),
            _ => Err(vm.new_value_error(stop_err)),
        }
    };
    let (mut start, stop) = if args.len() == 2 {
        (0, parse_stop(vm, &args[1])?)
    } else {
        let start = if args[1].is_none() {
            0
        } else {
            as_ssize(vm, &args[1]).unwrap_or(-1)
        };
        (start, parse_stop(vm, &args[2])?)
    };
    if start < 0 || stop < -1 {
        return Err(vm.new_value_error(
            "Indices for islice() must be None or an integer: 0 <= x <= sys.maxsize.",
        ));
    }
    let step = match args.get(3) {
        None | Some(Value::None) => 1,
        Some(v) => as_ssize(vm, v).unwrap_or(-1),
    };
    if step < 1 {
        return Err(vm.new_value_error("Step for islice() must be a positive integer or None."));
    }
    let it = vm.get_iter(&args[0])?;
    if start < 0 {
        start = 0;
    }
    let state = ISlice {
        it: RefCell::new(Some(it)),
        cnt: Cell::new(0),
        next: Cell::new(start),
        stop: (stop != -1).then_some(stop),
        step,
    };
    Ok(vm.new_native_iterator(&cls, Rc::new(state)))
}

// ---- cycle ----

/// `cycle`: the iterator (`None` after its first pass), the items saved from it, the
/// index of the next saved item to repeat.
struct Cycle(RefCell<(Option<Value>, Vec<Value>, usize)>);

impl NativeIter for Cycle {
    fn next(&self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let it = self.0.borrow().0.clone();
        if let Some(it) = it {
            if let Some(v) = vm.next(&it)? {
                self.0.borrow_mut().1.push(v.clone());
                return Ok(Some(v));
            }
            self.0.borrow_mut().0 = None;
        }
        let mut s = self.0.borrow_mut();
        if s.1.is_empty() {
            return Ok(None);
        }
        let i = s.2;
        s.2 = if i + 1 >= s.1.len() { 0 } else { i + 1 };
        Ok(Some(s.1[i].clone()))
    }

    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Ok(s) = self.0.try_borrow() {
            visit(&s.0, f);
            s.1.iter().for_each(f);
        }
    }

    fn clear(&self, out: &mut Vec<Value>) {
        if let Ok(mut s) = self.0.try_borrow_mut() {
            out.extend(s.0.take());
            out.append(&mut s.1);
        }
    }

    any_impl!();
}

/// `cycle(iterable)`.
fn cycle_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = cls_of(vm, &a)?;
    let args = simple_args(vm, "cycle", &a, 1)?;
    let it = vm.get_iter(&args[0])?;
    Ok(vm.new_native_iterator(
        &cls,
        Rc::new(Cycle(RefCell::new((Some(it), Vec::new(), 0)))),
    ))
}

// ---- accumulate ----

/// `accumulate`: the iterator, the function (`None`: `+`), the running total (`None`
/// before the first item) and the initial value still to yield.
struct Accumulate {
    it: RefCell<Option<Value>>,
    func: RefCell<Option<Value>>,
    total: RefCell<Option<Value>>,
    initial: RefCell<Option<Value>>,
}

impl NativeIter for Accumulate {
    fn next(&self, vm: &mut Vm) -> PyResult<Option<Value>> {
        if let Some(init) = self.initial.borrow_mut().take() {
            *self.total.borrow_mut() = Some(init.clone());
            return Ok(Some(init));
        }
        let Some(it) = self.it.borrow().clone() else {
            return Ok(None);
        };
        let Some(val) = vm.next(&it)? else {
            return Ok(None);
        };
        let total = self.total.borrow().clone();
        let Some(total) = total else {
            *self.total.borrow_mut() = Some(val.clone());
            return Ok(Some(val));
        };
        let func = self.func.borrow().clone();
        let new = match func {
            None => vm.binary_op(&total, &val, aio_vm::code::BinOp::Add)?,
            Some(f) => vm.call(&f, &[total, val], &[])?,
        };
        *self.total.borrow_mut() = Some(new.clone());
        Ok(Some(new))
    }

    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        for c in [&self.it, &self.func, &self.total, &self.initial] {
            if let Ok(v) = c.try_borrow() {
                visit(&v, f);
            }
        }
    }

    fn clear(&self, out: &mut Vec<Value>) {
        for c in [&self.it, &self.func, &self.total, &self.initial] {
            if let Ok(mut v) = c.try_borrow_mut() {
                out.extend(v.take());
            }
        }
    }

    any_impl!();
}

/// `accumulate(iterable, func=None, *, initial=None)`.
fn accumulate_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = cls_of(vm, &a)?;
    a.check_kwargs(vm, "accumulate", &["iterable", "func", "initial"])?;
    let pos = &a.pos[1..];
    if pos.len() > 2 {
        return Err(vm.new_type_error(format!(
            "accumulate() takes at most 2 positional arguments ({} given)",
            pos.len()
        )));
    }
    let iterable = match (pos.first(), a.kwarg("iterable")) {
        (Some(v), None) | (None, Some(v)) => v.clone(),
        (Some(_), Some(_)) => {
            return Err(vm.new_type_error(
                "argument for accumulate() given by name ('iterable') and position (1)",
            ))
        }
        (None, None) => {
            return Err(
                vm.new_type_error("accumulate() missing required argument 'iterable' (pos 1)")
            )
        }
    };
    let func = match (pos.get(1), a.kwarg("func")) {
        (Some(_), Some(_)) => {
            return Err(vm.new_type_error(
                "argument for accumulate() given by name ('func') and position (2)",
            ))
        }
        (Some(v), None) | (None, Some(v)) => v.clone(),
        (None, None) => Value::None,
    };
    let initial = a.kwarg("initial").cloned().filter(|v| !v.is_none());
    let it = vm.get_iter(&iterable)?;
    let state = Accumulate {
        it: RefCell::new(Some(it)),
        func: RefCell::new((!func.is_none()).then_some(func)),
        total: RefCell::new(None),
        initial: RefCell::new(initial),
    };
    Ok(vm.new_native_iterator(&cls, Rc::new(state)))
}

// ---- starmap, takewhile, dropwhile ----

/// `starmap` (kind 0), `takewhile` (1) or `dropwhile` (2): the function, the iterator,
/// and whether `takewhile` stopped / `dropwhile` started.
struct FuncIter {
    kind: u8,
    func: RefCell<Option<Value>>,
    it: RefCell<Option<Value>>,
    flag: Cell<bool>,
}

impl NativeIter for FuncIter {
    fn next(&self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let (Some(func), Some(it)) = (self.func.borrow().clone(), self.it.borrow().clone()) else {
            return Ok(None);
        };
        match self.kind {
            0 => {
                let Some(args) = vm.next(&it)? else {
                    return Ok(None);
                };
                let r = match args.payload() {
                    Some(Payload::Tuple(t)) if Rc::ptr_eq(vm.class_of(&args), &vm.types.tuple) => {
                        vm.call(&func, t, &[])
                    }
                    _ => {
                        let items = vm.collect(&args)?;
                        vm.call(&func, &items, &[])
                    }
                };
                r.map(Some)
            }
            1 => {
                if self.flag.get() {
                    return Ok(None);
                }
                let Some(item) = vm.next(&it)? else {
                    return Ok(None);
                };
                let good = vm.call(&func, std::slice::from_ref(&item), &[])?;
                if vm.is_true(&good)? {
                    return Ok(Some(item));
                }
                self.flag.set(true);
                Ok(None)
            }
            _ => loop {
                let Some(item) = vm.next(&it)? else {
                    return Ok(None);
                };
                if self.flag.get() {
                    return Ok(Some(item));
                }
                let good = vm.call(&func, std::slice::from_ref(&item), &[])?;
                if !vm.is_true(&good)? {
                    self.flag.set(true);
                    return Ok(Some(item));
                }
            },
        }
    }

    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        for c in [&self.func, &self.it] {
            if let Ok(v) = c.try_borrow() {
                visit(&v, f);
            }
        }
    }

    fn clear(&self, out: &mut Vec<Value>) {
        for c in [&self.func, &self.it] {
            if let Ok(mut v) = c.try_borrow_mut() {
                out.extend(v.take());
            }
        }
    }

    any_impl!();
}

fn func_iter(vm: &mut Vm, a: Args, kind: u8, name: &str) -> PyResult {
    let cls = cls_of(vm, &a)?;
    let args = simple_args(vm, name, &a, 2)?;
    let it = vm.get_iter(&args[1])?;
    let state = FuncIter {
        kind,
        func: RefCell::new(Some(args[0].clone())),
        it: RefCell::new(Some(it)),
        flag: Cell::new(false),
    };
    Ok(vm.new_native_iterator(&cls, Rc::new(state)))
}

/// `starmap(function, iterable)`.
fn starmap_new(vm: &mut Vm, a: Args) -> PyResult {
    func_iter(vm, a, 0, "starmap")
}

/// `takewhile(predicate, iterable)`.
fn takewhile_new(vm: &mut Vm, a: Args) -> PyResult {
    func_iter(vm, a, 1, "takewhile")
}

/// `dropwhile(predicate, iterable)`.
fn dropwhile_new(vm: &mut Vm, a: Args) -> PyResult {
    func_iter(vm, a, 2, "dropwhile")
}

// ---- pairwise ----

/// `pairwise`: the iterator (`None` once exhausted) and the previous item.
struct Pairwise(RefCell<(Option<Value>, Option<Value>)>);

impl NativeIter for Pairwise {
    fn next(&self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let (it, old) = self.0.borrow().clone();
        let Some(it) = it else {
            return Ok(None);
        };
        let old = match old {
            Some(o) => o,
            None => match vm.next(&it) {
                Ok(Some(o)) => {
                    self.0.borrow_mut().1 = Some(o.clone());
                    o
                }
                other => {
                    self.0.borrow_mut().0 = None;
                    return other;
                }
            },
        };
        match vm.next(&it) {
            Ok(Some(new)) => {
                self.0.borrow_mut().1 = Some(new.clone());
                Ok(Some(vm.new_tuple(vec![old, new])))
            }
            other => {
                let taken = std::mem::take(&mut *self.0.borrow_mut());
                drop(taken);
                other
            }
        }
    }

    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        trace_pair(&self.0, f);
    }

    fn clear(&self, out: &mut Vec<Value>) {
        clear_pair(&self.0, out);
    }

    any_impl!();
}

/// `pairwise(iterable, /)`.
fn pairwise_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = cls_of(vm, &a)?;
    let args = simple_args(vm, "pairwise", &a, 1)?;
    let it = vm.get_iter(&args[0])?;
    Ok(vm.new_native_iterator(&cls, Rc::new(Pairwise(RefCell::new((Some(it), None))))))
}

// ---- zip_longest ----

/// `zip_longest`: the iterators (`None` for an exhausted one), the fill value, and how
/// many are still active.
struct ZipLongest {
    its: RefCell<Vec<Option<Value>>>,
    fill: RefCell<Option<Value>>,
    active: Cell<usize>,
}

impl NativeIter for ZipLongest {
    fn next(&self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let n = self.its.borrow().len();
        if n == 0 || self.active.get() == 0 {
            return Ok(None);
        }
        let fill = self.fill.borrow().clone().unwrap_or(Value::None);
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let it = self.its.borrow().get(i).cloned().flatten();
            let item = match it {
                None => fill.clone(),
                Some(it) => match vm.next(&it) {
                    Ok(Some(v)) => v,
                    other => {
                        let left = self.active.get() - 1;
                        if left == 0 || other.is_err() {
                            self.active.set(0);
                            return other.map(|_| None);
                        }
                        self.active.set(left);
                        if let Some(slot) = self.its.borrow_mut().get_mut(i) {
                            *slot = None;
                        }
                        fill.clone()
                    }
                },
            };
            out.push(item);
        }
        Ok(Some(vm.new_tuple(out)))
    }

    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Ok(its) = self.its.try_borrow() {
            its.iter().for_each(|v| visit(v, f));
        }
        if let Ok(v) = self.fill.try_borrow() {
            visit(&v, f);
        }
    }

    fn clear(&self, out: &mut Vec<Value>) {
        if let Ok(mut its) = self.its.try_borrow_mut() {
            out.extend(its.drain(..).flatten());
        }
        if let Ok(mut v) = self.fill.try_borrow_mut() {
            out.extend(v.take());
        }
        self.active.set(0);
    }

    any_impl!();
}

/// `zip_longest(*iterables, fillvalue=None)`.
fn zip_longest_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = cls_of(vm, &a)?;
    let mut fill = Value::None;
    for (k, v) in a.kw {
        if k.as_str() != "fillvalue" {
            return Err(vm.new_type_error("zip_longest() got an unexpected keyword argument"));
        }
        fill = v.clone();
    }
    let mut its = Vec::with_capacity(a.pos.len() - 1);
    for v in &a.pos[1..] {
        its.push(Some(vm.get_iter(v)?));
    }
    let state = ZipLongest {
        active: Cell::new(its.len()),
        its: RefCell::new(its),
        fill: RefCell::new(Some(fill)),
    };
    Ok(vm.new_native_iterator(&cls, Rc::new(state)))
}

// ---- groupby ----

/// `groupby`'s state: the iterator, the key function (`None`: the items), the key of the
/// current group, the current item and its key (`None` once a grouper consumed it), and
/// the id of the grouper allowed to go on (0: none; advancing the groupby invalidates the
/// previous group's grouper, as C's `currgrouper`).
struct GroupState {
    it: Option<Value>,
    keyfunc: Option<Value>,
    tgtkey: Option<Value>,
    currkey: Option<Value>,
    currvalue: Option<Value>,
    current: u64,
    made: u64,
}

/// `groupby`: its state, itself (for its groupers) and the `_grouper` class.
struct GroupBy {
    state: RefCell<GroupState>,
    me: std::rc::Weak<GroupBy>,
    grouper_cls: Obj,
}

impl GroupBy {
    /// `groupby_step`: reads the next item and its key; `false` when exhausted.
    fn step(&self, vm: &mut Vm) -> PyResult<bool> {
        let (it, keyfunc) = {
            let s = self.state.borrow();
            (s.it.clone(), s.keyfunc.clone())
        };
        let Some(it) = it else {
            return Ok(false);
        };
        let Some(value) = vm.next(&it)? else {
            return Ok(false);
        };
        let key = match keyfunc {
            None => value.clone(),
            Some(f) => vm.call(&f, std::slice::from_ref(&value), &[])?,
        };
        let (old_value, old_key) = {
            let mut s = self.state.borrow_mut();
            (s.currvalue.replace(value), s.currkey.replace(key))
        };
        drop(old_key);
        drop(old_value);
        Ok(true)
    }
}

impl NativeIter for GroupBy {
    fn next(&self, vm: &mut Vm) -> PyResult<Option<Value>> {
        self.state.borrow_mut().current = 0;
        loop {
            let (tgt, curr) = {
                let s = self.state.borrow();
                (s.tgtkey.clone(), s.currkey.clone())
            };
            if let Some(curr) = curr {
                let Some(tgt) = tgt else { break };
                if !vm.eq(&tgt, &curr)? {
                    break;
                }
            }
            if !self.step(vm)? {
                return Ok(None);
            }
        }
        let (key, id) = {
            let mut s = self.state.borrow_mut();
            s.tgtkey = s.currkey.clone();
            s.made += 1;
            s.current = s.made;
            (s.currkey.clone().unwrap_or(Value::None), s.made)
        };
        let Some(parent) = self.me.upgrade() else {
            return Ok(None);
        };
        let g = Grouper {
            parent,
            id,
            tgtkey: RefCell::new(Some(key.clone())),
        };
        let g = vm.new_native_iterator(&self.grouper_cls, Rc::new(g));
        Ok(Some(vm.new_tuple(vec![key, g])))
    }

    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Ok(s) = self.state.try_borrow() {
            for v in [&s.it, &s.keyfunc, &s.tgtkey, &s.currkey, &s.currvalue] {
                visit(v, f);
            }
        }
    }

    fn clear(&self, out: &mut Vec<Value>) {
        if let Ok(mut s) = self.state.try_borrow_mut() {
            let s = &mut *s;
            for v in [
                &mut s.it,
                &mut s.keyfunc,
                &mut s.tgtkey,
                &mut s.currkey,
                &mut s.currvalue,
            ] {
                out.extend(v.take());
            }
        }
    }

    any_impl!();
}

/// `_grouper`: the groupby state it reads from (traced by the groupby alone), its id
/// there, and the key of its group.
struct Grouper {
    parent: Rc<GroupBy>,
    id: u64,
    tgtkey: RefCell<Option<Value>>,
}

impl NativeIter for Grouper {
    fn next(&self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let gb = &self.parent;
        if gb.state.borrow().current != self.id {
            return Ok(None);
        }
        let Some(tgtkey) = self.tgtkey.borrow().clone() else {
            return Ok(None);
        };
        if gb.state.borrow().currvalue.is_none() && !gb.step(vm)? {
            return Ok(None);
        }
        let Some(curr) = gb.state.borrow().currkey.clone() else {
            return Ok(None);
        };
        if !vm.eq(&tgtkey, &curr)? {
            return Ok(None);
        }
        let (value, key) = {
            let mut s = gb.state.borrow_mut();
            (s.currvalue.take(), s.currkey.take())
        };
        drop(key);
        Ok(value)
    }

    fn trace(&self, f: &mut dyn FnMut(&Value)) {
        if let Ok(v) = self.tgtkey.try_borrow() {
            visit(&v, f);
        }
    }

    fn clear(&self, out: &mut Vec<Value>) {
        if let Ok(mut v) = self.tgtkey.try_borrow_mut() {
            out.extend(v.take());
        }
    }

    any_impl!();
}

/// `groupby(iterable, key=None)`.
fn groupby_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = cls_of(vm, &a)?;
    let (iterable, key) = two_args(vm, "groupby", &a, "key")?;
    let it = vm.get_iter(&iterable)?;
    let module = vm.import_module("itertools")?;
    let Value::Obj(grouper_cls) = aio_vm::module::getattr(vm, &module, "_grouper")? else {
        return Err(vm.new_type_error("itertools._grouper is not a class"));
    };
    let gb = Rc::new_cyclic(|me| GroupBy {
        state: RefCell::new(GroupState {
            it: Some(it),
            keyfunc: (!key.is_none()).then_some(key),
            tgtkey: None,
            currkey: None,
            currvalue: None,
            current: 0,
            made: 0,
        }),
        me: me.clone(),
        grouper_cls,
    });
    Ok(vm.new_native_iterator(&cls, gb))
}

/// `_grouper(...)`: made by `groupby` only.
fn grouper_new(vm: &mut Vm, _a: Args) -> PyResult {
    Err(vm.new_type_error("cannot create 'itertools._grouper' instances"))
}
