//! `bisect`, native (a port of CPython's `_bisect.c`): `bisect_left`/`bisect_right` and the
//! `insort` functions, with `lo`, `hi` and `key`, on lists (fast path) and any sequence.

use crate::heapq::less;
use aio_vm::module::{call_method, to_index_i64, ModuleBuilder};
use aio_vm::native::Args;
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};

/// Initialises `bisect`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let mut b = ModuleBuilder::new(vm, m);
    b.functions_module("_bisect")
        .function("bisect_right", bisect_right)
        .function("bisect_left", bisect_left)
        .function("insort_right", insort_right)
        .function("insort_left", insort_left);
    let right = b.get("bisect_right").unwrap_or(Value::None);
    let insort = b.get("insort_right").unwrap_or(Value::None);
    b.set("bisect", right).set("insort", insort);
    Ok(())
}

/// The parsed arguments `(a, x, lo=0, hi=None, *, key=None)`.
struct BisectArgs {
    a: Value,
    x: Value,
    lo: i64,
    hi: Option<i64>,
    key: Option<Value>,
}

fn parse(vm: &mut Vm, a: &Args, fname: &str) -> PyResult<BisectArgs> {
    a.check_kwargs(vm, fname, &["a", "x", "lo", "hi", "key"])?;
    if a.pos.len() > 4 {
        return Err(vm.new_type_error(format!(
            "{fname}() takes at most 4 positional arguments ({} given)",
            a.pos.len()
        )));
    }
    let Some(seq) = a.arg(0, "a").cloned() else {
        return Err(vm.new_type_error(format!("{fname}() missing required argument 'a' (pos 1)")));
    };
    let Some(x) = a.arg(1, "x").cloned() else {
        return Err(vm.new_type_error(format!("{fname}() missing required argument 'x' (pos 2)")));
    };
    let lo = match a.arg(2, "lo") {
        Some(v) => to_index_i64(vm, v)?,
        None => 0,
    };
    let hi = match a.arg(3, "hi") {
        None | Some(Value::None) => None,
        Some(v @ (Value::Int(_) | Value::Bool(_))) => Some(to_index_i64(vm, v)?),
        Some(v) => {
            if aio_vm::module::as_int(v).is_none()
                && aio_vm::module::call_special(vm, v, "__index__", &[])?.is_none()
            {
                return Err(vm.new_type_error(format!(
                    "argument should be integer or None, not '{}'",
                    vm.type_name(v)
                )));
            }
            Some(to_index_i64(vm, v)?)
        }
    };
    if lo < 0 {
        return Err(vm.new_value_error("lo must be non-negative"));
    }
    let key = a.kwarg("key").filter(|k| !k.is_none()).cloned();
    Ok(BisectArgs {
        a: seq,
        x,
        lo,
        hi,
        key,
    })
}

/// Item `i` of the sequence, through `key` when there is one.
fn item(vm: &mut Vm, seq: &Value, i: i64, key: &Option<Value>) -> PyResult {
    let v = match seq.payload() {
        Some(Payload::List(l)) => match l.borrow().get(i as usize) {
            Some(v) => v.clone(),
            None => return Err(vm.new_index_error("list index out of range")),
        },
        _ => vm.getitem(seq, &Value::Int(i))?,
    };
    match key {
        Some(k) => vm.call(k, &[v], &[]),
        None => Ok(v),
    }
}

/// CPython's `internal_bisect_right` (`left == false`) and `internal_bisect_left`.
fn search(vm: &mut Vm, b: &BisectArgs, x: &Value, left: bool) -> PyResult<i64> {
    let mut lo = b.lo;
    let mut hi = match b.hi {
        Some(h) => h,
        None => vm.len(&b.a)? as i64,
    };
    while lo < hi {
        let mid = ((lo as u64 + hi as u64) / 2) as i64;
        let litem = item(vm, &b.a, mid, &b.key)?;
        let go_right = if left {
            less(vm, &litem, x)?
        } else {
            !less(vm, x, &litem)?
        };
        if go_right {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    Ok(lo)
}

fn bisect_right(vm: &mut Vm, a: Args) -> PyResult {
    let b = parse(vm, &a, "bisect_right")?;
    search(vm, &b, &b.x.clone(), false).map(Value::Int)
}

fn bisect_left(vm: &mut Vm, a: Args) -> PyResult {
    let b = parse(vm, &a, "bisect_left")?;
    search(vm, &b, &b.x.clone(), true).map(Value::Int)
}

fn insort(vm: &mut Vm, a: Args, fname: &str, left: bool) -> PyResult {
    let b = parse(vm, &a, fname)?;
    let kx = match &b.key {
        Some(k) => vm.call(k, std::slice::from_ref(&b.x), &[])?,
        None => b.x.clone(),
    };
    let index = search(vm, &b, &kx, left)?;
    match b.a.payload() {
        Some(Payload::List(l)) if vm.class_of(&b.a).as_type().is_some_and(|t| !t.heap) => {
            let mut l = l.borrow_mut();
            let at = (index.max(0) as usize).min(l.len());
            l.insert(at, b.x.clone());
        }
        _ => {
            call_method(vm, &b.a, "insert", &[Value::Int(index), b.x.clone()])?;
        }
    }
    Ok(Value::None)
}

fn insort_right(vm: &mut Vm, a: Args) -> PyResult {
    insort(vm, a, "insort_right", false)
}

fn insort_left(vm: &mut Vm, a: Args) -> PyResult {
    insort(vm, a, "insort_left", true)
}
