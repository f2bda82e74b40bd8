//! `gc`: the interface to aio's cycle collector (`aio_vm::gc`), with the signatures and
//! messages of CPython's `gcmodule.c`.
//!
//! aio's collector has one generation: `collect(generation)` always runs a full collection,
//! `get_count()` is `(containers allocated since the last collection, 0, 0)`, and
//! `set_threshold(t0, t1, t2)` makes `t0` the least number of new containers between two
//! automatic collections (0 turns them off; the schedule is otherwise
//! `max(t0, 2 × survivors)`), while `t1` and `t2` are only reported back by
//! `get_threshold()`. `callbacks` (the list made here, even if the script rebinds the
//! name, as in CPython) are called around every collection; around an automatic one they
//! run at the next finalization point, the collection between them, with generation 0.

use aio_vm::module::{to_index, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};
use num_traits::ToPrimitive;

/// Initialises `gc`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let garbage = vm.new_list(Vec::new());
    let callbacks = vm.new_list(Vec::new());
    vm.gc().set_callbacks(callbacks.clone());
    ModuleBuilder::new(vm, m)
        .function("collect", collect)
        .function("get_objects", get_objects)
        .function("get_referents", get_referents)
        .function("get_referrers", get_referrers)
        .constant("callbacks", callbacks)
        .function("enable", enable)
        .function("disable", disable)
        .function("isenabled", isenabled)
        .function("get_count", get_count)
        .function("get_threshold", get_threshold)
        .function("set_threshold", set_threshold)
        .function("is_tracked", is_tracked)
        .constant("garbage", garbage);
    Ok(())
}

/// `collect(generation=2)`: a full collection whatever the generation; the number of
/// unreachable objects found. Their finalizers (`__del__`) run before it returns.
fn collect(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "collect", &["generation"])?;
    if a.pos.len() > 1 {
        return Err(vm.new_type_error(format!(
            "collect() takes at most 1 argument ({} given)",
            a.pos.len()
        )));
    }
    let mut generation = 2;
    if let Some(g) = a.arg(0, "generation") {
        let g = to_index(vm, g)?;
        generation = g.to_i64().unwrap_or(-1);
        if !(0..=2).contains(&generation) {
            return Err(vm.new_value_error("invalid generation"));
        }
    }
    let n = vm.collect_with_callbacks(generation);
    Ok(Value::Int(n as i64))
}

/// `get_objects(generation=None)`: every object the collector tracks (aio's one
/// generation answers for each of CPython's three; a negative one means all, as `None`).
fn get_objects(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "get_objects", &["generation"])?;
    if a.pos.len() > 1 {
        return Err(vm.new_type_error(format!(
            "get_objects() takes at most 1 argument ({} given)",
            a.pos.len()
        )));
    }
    if let Some(g) = a.arg(0, "generation").filter(|g| !g.is_none()) {
        let g = c_int(vm, g)?;
        if g >= 3 {
            return Err(vm.new_value_error(
                "generation parameter must be less than the number of available generations (3)",
            ));
        }
    }
    let objs = vm.gc().live_objects();
    Ok(vm.new_list(objs.into_iter().map(Value::Obj).collect()))
}

/// `get_referents(*objs)`: the objects each of `objs` references directly.
fn get_referents(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "get_referents")?;
    let r = vm.gc_referents(a.pos);
    Ok(vm.new_list(r))
}

/// `get_referrers(*objs)`: the tracked objects that reference any of `objs`.
fn get_referrers(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "get_referrers")?;
    let r = vm.gc_referrers(a.pos);
    Ok(vm.new_list(r))
}

/// Fails unless `a` is empty, as CPython's `METH_NOARGS` functions do.
fn no_args(vm: &mut Vm, a: &Args, name: &str) -> PyResult<()> {
    a.no_kwargs(vm, name)?;
    a.check_count(vm, name, 0, 0)
}

/// `enable()`: turns automatic collection on.
fn enable(vm: &mut Vm, a: Args) -> PyResult {
    no_args(vm, &a, "gc.enable")?;
    vm.gc().set_enabled(true);
    Ok(Value::None)
}

/// `disable()`: turns automatic collection off (`collect()` still collects).
fn disable(vm: &mut Vm, a: Args) -> PyResult {
    no_args(vm, &a, "gc.disable")?;
    vm.gc().set_enabled(false);
    Ok(Value::None)
}

/// `isenabled()`.
fn isenabled(vm: &mut Vm, a: Args) -> PyResult {
    no_args(vm, &a, "gc.isenabled")?;
    Ok(Value::bool(vm.gc().is_enabled()))
}

/// `get_count()`: `(allocated since the last collection, 0, 0)`.
fn get_count(vm: &mut Vm, a: Args) -> PyResult {
    no_args(vm, &a, "gc.get_count")?;
    let n = vm.gc().allocated() as i64;
    Ok(vm.new_tuple(vec![Value::Int(n), Value::Int(0), Value::Int(0)]))
}

/// `get_threshold()`: the values of the last `set_threshold` (initially aio's floor of
/// 20000 new containers, and CPython's 10 and 10).
fn get_threshold(vm: &mut Vm, a: Args) -> PyResult {
    no_args(vm, &a, "gc.get_threshold")?;
    let (t0, t1, t2) = vm.gc().thresholds();
    Ok(vm.new_tuple(vec![Value::Int(t0), Value::Int(t1), Value::Int(t2)]))
}

/// `set_threshold(threshold0, threshold1=<unchanged>, threshold2=<unchanged>)`.
fn set_threshold(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "set_threshold")?;
    let n = a.pos.len();
    if n == 0 {
        return Err(vm.new_type_error("set_threshold() takes at least 1 argument (0 given)"));
    }
    if n > 3 {
        return Err(vm.new_type_error(format!(
            "set_threshold() takes at most 3 arguments ({n} given)"
        )));
    }
    let (t0, t1, t2) = vm.gc().thresholds();
    let mut t = [t0, t1, t2];
    for (i, v) in a.pos.iter().enumerate() {
        t[i] = c_int(vm, v)?;
    }
    vm.gc().set_thresholds(t[0], t[1], t[2]);
    Ok(Value::None)
}

/// An argument parsed as a C `int` (`PyArg_ParseTuple`'s `i`).
fn c_int(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    if matches!(v, Value::Float(_)) {
        return Err(vm.new_type_error("'float' object cannot be interpreted as an integer"));
    }
    let b = to_index(vm, v)?;
    match b.to_i32() {
        Some(i) => Ok(i as i64),
        None if b.sign() == num_bigint::Sign::Minus => {
            Err(vm.new_overflow_error("signed integer is less than minimum"))
        }
        None => Err(vm.new_overflow_error("signed integer is greater than maximum")),
    }
}

/// `is_tracked(obj)`: whether the collector watches `obj` (aio registers every container
/// it allocates, except tuples; CPython also leaves out dicts and tuples of atoms).
fn is_tracked(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "gc.is_tracked")?;
    a.check_count(vm, "gc.is_tracked", 1, 1)?;
    Ok(Value::bool(match &a.pos[0] {
        Value::Obj(o) => vm.gc().is_tracked(o),
        _ => false,
    }))
}
