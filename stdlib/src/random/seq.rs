//! The integer and sequence methods of `Random`: `randrange`, `randint`, `choice`,
//! `shuffle`, `sample` and `choices`, following CPython's `random.py` step for step (the
//! same draws in the same order).

use super::{rand_f64, randbelow, randbelow_usize};
use aio_vm::code::{BinOp, CmpOp};
use aio_vm::module::{as_int, int_value, to_index, ClassBuilder};
use aio_vm::native::Args;
use aio_vm::{PyResult, Value, Vm};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// Adds the methods to the `Random` class.
pub fn install(c: &mut ClassBuilder) {
    c.method("randrange", randrange)
        .method("randint", randint)
        .method("choice", choice)
        .method("shuffle", shuffle)
        .method("sample", sample)
        .method("choices", choices)
        .method("_randbelow", randbelow_method);
}

/// An argument of `randrange` as CPython 3.11's `random.py` reads it: `operator.index(v)`,
/// or else `int(v)` with a `DeprecationWarning` at the caller's line (`warn`: the caller
/// is the script, not `randint`, whose warnings CPython's default filters ignore), and a
/// `ValueError` naming the argument (`what`) when `int(v) != v`.
fn range_arg(vm: &mut Vm, v: &Value, what: &str, warn: bool) -> PyResult<BigInt> {
    let err = match to_index(vm, v) {
        Ok(n) => return Ok(n),
        Err(e) => e,
    };
    if !vm.is_instance_of(&err, &vm.exc.type_error.clone()) {
        return Err(err);
    }
    let int = Value::Obj(vm.types.int.clone());
    let n = vm.call(&int, std::slice::from_ref(v), &[])?;
    let integral = vm.eq(&n, v)?;
    if warn {
        let message = if integral {
            "non-integer arguments to randrange() have been deprecated since Python 3.10 \
             and will be removed in a subsequent version"
        } else {
            "randrange() will raise TypeError in the future"
        };
        let warnings = vm.import_module("warnings")?;
        let warn = aio_vm::module::getattr(vm, &warnings, "warn")?;
        let category = Value::Obj(vm.exc.deprecation_warning.clone());
        vm.call(&warn, &[Value::str(message), category], &[])?;
    }
    if !integral {
        return Err(vm.new_value_error(format!("non-integer {what} for randrange()")));
    }
    Ok(as_int(&n).unwrap_or_default())
}

/// The shared body of `randrange(start, stop=None, step=1)`; `warn`: as for [`range_arg`].
fn randrange_impl(
    vm: &mut Vm,
    s: &Value,
    start: &Value,
    stop: Option<&Value>,
    step: Option<&Value>,
    warn: bool,
) -> PyResult {
    // `randrange(a, b)` and `randint` of small ints on a plain generator: machine
    // integers throughout (the same draws as the general path below).
    if let (Value::Int(a), Some(Value::Int(b)), None) = (start, stop, step) {
        if b > a && super::native_bits(vm, s) {
            let width = (i128::from(*b) - i128::from(*a)) as u64;
            let r = super::with_state(vm, s, |st| super::below_u64(&mut st.mt, width))?;
            return Ok(Value::Int((i128::from(*a) + i128::from(r)) as i64));
        }
    }
    let istart = range_arg(vm, start, "arg 1", warn)?;
    let Some(stop) = stop.filter(|v| !v.is_none()) else {
        if step.is_some() {
            return Err(vm.new_type_error("Missing a non-None stop argument"));
        }
        if istart.is_positive() {
            let r = randbelow(vm, s, &istart)?;
            return Ok(int_value(vm, r));
        }
        return Err(vm.new_value_error("empty range for randrange()"));
    };
    let istop = range_arg(vm, stop, "stop", warn)?;
    let width = &istop - &istart;
    let istep = match step {
        Some(v) => range_arg(vm, v, "step", warn)?,
        None => BigInt::one(),
    };
    if istep.is_one() {
        if width.is_positive() {
            let r = randbelow(vm, s, &width)?;
            return Ok(int_value(vm, istart + r));
        }
        return Err(vm.new_value_error(format!(
            "empty range for randrange() ({istart}, {istop}, {width})"
        )));
    }
    let n = if istep.is_positive() {
        (&width + &istep - BigInt::one()).div_floor(&istep)
    } else if istep.is_negative() {
        (&width + &istep + BigInt::one()).div_floor(&istep)
    } else {
        return Err(vm.new_value_error("zero step for randrange()"));
    };
    if !n.is_positive() {
        return Err(vm.new_value_error("empty range for randrange()"));
    }
    let r = randbelow(vm, s, &n)?;
    Ok(int_value(vm, istart + istep * r))
}

fn randrange(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "randrange", &["start", "stop", "step"])?;
    a.method_count(vm, "randrange", 0, 3)?;
    let s = a.pos[0].clone();
    let Some(start) = a.arg(1, "start").cloned() else {
        return Err(
            vm.new_type_error("Random.randrange() missing 1 required positional argument: 'start'")
        );
    };
    let stop = a.arg(2, "stop").cloned();
    let step = a.arg(3, "step").cloned();
    randrange_impl(vm, &s, &start, stop.as_ref(), step.as_ref(), true)
}

fn randint(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "randint", &["a", "b"])?;
    let s = a.pos[0].clone();
    let (Some(lo), Some(hi)) = (a.arg(1, "a").cloned(), a.arg(2, "b").cloned()) else {
        let missing = if a.arg(1, "a").is_none() {
            "2 required positional arguments: 'a' and 'b'"
        } else {
            "1 required positional argument: 'b'"
        };
        return Err(vm.new_type_error(format!("Random.randint() missing {missing}")));
    };
    let stop = vm.binary_op(&hi, &Value::Int(1), BinOp::Add)?;
    if !super::native_randrange(vm, &s) {
        return aio_vm::module::call_method(vm, &s, "randrange", &[lo, stop]);
    }
    randrange_impl(vm, &s, &lo, Some(&stop), None, false)
}

fn randbelow_method(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "_randbelow", 1, 1)?;
    let s = a.pos[0].clone();
    let n = match as_int(&a.pos[1]) {
        Some(n) => n,
        None => {
            // CPython's `_randbelow_with_getrandbits` starts with `n.bit_length()`.
            aio_vm::module::getattr(vm, &a.pos[1], "bit_length")?;
            to_index(vm, &a.pos[1])?
        }
    };
    let r = randbelow(vm, &s, &n)?;
    Ok(int_value(vm, r))
}

fn choice(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "choice")?;
    a.method_count(vm, "choice", 1, 1)?;
    let s = a.pos[0].clone();
    let seq = a.pos[1].clone();
    let n = vm.len(&seq)?;
    if n == 0 {
        return Err(vm.new_index_error("Cannot choose from an empty sequence"));
    }
    let i = randbelow_usize(vm, &s, n)?;
    vm.getitem(&seq, &Value::Int(i as i64))
}

fn shuffle(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "shuffle")?;
    a.method_count(vm, "shuffle", 1, 1)?;
    let s = a.pos[0].clone();
    let x = a.pos[1].clone();
    let n = vm.len(&x)?;
    for i in (1..n).rev() {
        let j = randbelow_usize(vm, &s, i + 1)?;
        let (vi, vj) = (Value::Int(i as i64), Value::Int(j as i64));
        let xi = vm.getitem(&x, &vi)?;
        let xj = vm.getitem(&x, &vj)?;
        vm.setitem(&x, vi, xj)?;
        vm.setitem(&x, vj, xi)?;
    }
    Ok(Value::None)
}

/// Indices chosen by `sample(range(n), k)`, with CPython's choice between a pool (small
/// populations) and rejection with a set of selected indices.
fn sample_indices(vm: &mut Vm, s: &Value, n: usize, k: usize) -> PyResult<Vec<usize>> {
    let mut setsize = 21usize;
    if k > 5 {
        let l = super::dists::log((k * 3) as f64) / super::dists::log(4.0);
        setsize += 4usize.pow(l.ceil() as u32);
    }
    let mut result = Vec::with_capacity(k);
    if n <= setsize {
        let mut pool: Vec<usize> = (0..n).collect();
        for i in 0..k {
            let j = randbelow_usize(vm, s, n - i)?;
            result.push(pool[j]);
            pool[j] = pool[n - i - 1];
        }
    } else {
        let mut selected = std::collections::HashSet::with_capacity(k);
        for _ in 0..k {
            let mut j = randbelow_usize(vm, s, n)?;
            while selected.contains(&j) {
                j = randbelow_usize(vm, s, n)?;
            }
            selected.insert(j);
            result.push(j);
        }
    }
    Ok(result)
}

/// `bisect_right(a, x, lo, hi)` with the script's comparison.
fn bisect(vm: &mut Vm, a: &[Value], x: &Value, mut lo: usize, mut hi: usize) -> PyResult<usize> {
    while lo < hi {
        let mid = (lo + hi) / 2;
        let lt = vm.compare(x, &a[mid], CmpOp::Lt)?;
        if vm.is_true(&lt)? {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(lo)
}

/// `list(itertools.accumulate(values))`.
fn accumulate(vm: &mut Vm, values: &Value) -> PyResult<Vec<Value>> {
    let items = vm.collect(values)?;
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for v in items {
        let next = match out.last() {
            Some(prev) => vm.binary_op(prev, &v, BinOp::Add)?,
            None => v,
        };
        out.push(next);
    }
    Ok(out)
}

fn is_sequence(vm: &mut Vm, v: &Value) -> bool {
    let name = vm.type_name(v);
    if matches!(name.as_str(), "set" | "frozenset" | "dict") {
        return false;
    }
    let t = &vm.types;
    let seqs = [
        t.list.clone(),
        t.tuple.clone(),
        t.str.clone(),
        t.range.clone(),
        t.bytes.clone(),
        t.bytearray.clone(),
    ];
    if seqs.iter().any(|c| vm.isinstance(v, c)) {
        return true;
    }
    let cls = vm.class_of(v).clone();
    let gi = vm.intern("__getitem__");
    let ln = vm.intern("__len__");
    aio_vm::types::lookup(&cls, &gi).is_some() && aio_vm::types::lookup(&cls, &ln).is_some()
}

fn sample(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "sample", &["population", "k", "counts"])?;
    let s = a.pos[0].clone();
    let Some(population) = a.arg(1, "population").cloned() else {
        return Err(vm.new_type_error(
            "Random.sample() missing 2 required positional arguments: 'population' and 'k'",
        ));
    };
    let Some(kv) = a.arg(2, "k").cloned() else {
        return Err(
            vm.new_type_error("Random.sample() missing 1 required positional argument: 'k'")
        );
    };
    if !is_sequence(vm, &population) {
        return Err(
            vm.new_type_error("Population must be a sequence.  For dicts or sets, use sorted(d).")
        );
    }
    let n = vm.len(&population)?;
    if let Some(counts) = a.kwarg("counts").filter(|c| !c.is_none()) {
        let mut cum = accumulate(vm, counts)?;
        if cum.len() != n {
            return Err(vm.new_value_error("The number of counts does not match the population"));
        }
        let total = cum.pop().unwrap_or(Value::Int(0));
        let Some(total) = aio_vm::module::as_int(&total) else {
            return Err(vm.new_type_error("Counts must be integers"));
        };
        if !total.is_positive() {
            return Err(vm.new_value_error("Total of counts must be greater than zero"));
        }
        let k = sample_k(vm, &kv, total.to_usize().unwrap_or(usize::MAX))?;
        let picks = sample_indices(vm, &s, total.to_usize().unwrap_or(usize::MAX), k)?;
        let mut out = Vec::with_capacity(k);
        for p in picks {
            let i = bisect(vm, &cum, &Value::Int(p as i64), 0, cum.len())?;
            out.push(vm.getitem(&population, &Value::Int(i as i64))?);
        }
        return Ok(vm.new_list(out));
    }
    let k = sample_k(vm, &kv, n)?;
    let picks = sample_indices(vm, &s, n, k)?;
    let mut out = Vec::with_capacity(k);
    for p in picks {
        out.push(vm.getitem(&population, &Value::Int(p as i64))?);
    }
    Ok(vm.new_list(out))
}

fn sample_k(vm: &mut Vm, kv: &Value, n: usize) -> PyResult<usize> {
    let k = to_index(vm, kv)?;
    match k.to_usize().filter(|k| *k <= n) {
        Some(k) => Ok(k),
        None => Err(vm.new_value_error("Sample larger than population or is negative")),
    }
}

fn choices(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(
        vm,
        "choices",
        &["population", "weights", "cum_weights", "k"],
    )?;
    if a.len() > 3 {
        return Err(vm.new_type_error(format!(
            "Random.choices() takes from 2 to 3 positional arguments but {} were given",
            a.len()
        )));
    }
    let s = a.pos[0].clone();
    let Some(population) = a.arg(1, "population").cloned() else {
        return Err(vm.new_type_error(
            "Random.choices() missing 1 required positional argument: 'population'",
        ));
    };
    let weights = a.arg(2, "weights").cloned().filter(|v| !v.is_none());
    let cum_weights = a.kwarg("cum_weights").cloned().filter(|v| !v.is_none());
    let k = match a.kwarg("k") {
        Some(v) => to_index(vm, v)?.to_i64().unwrap_or(0).max(0) as usize,
        None => 1,
    };
    let n = vm.len(&population)?;
    let cum = match (cum_weights, weights) {
        (None, None) => {
            let nf = n as f64;
            let mut out = Vec::with_capacity(k);
            for _ in 0..k {
                let r = rand_f64(vm, &s)?;
                let i = (r * nf).floor() as i64;
                out.push(vm.getitem(&population, &Value::Int(i))?);
            }
            return Ok(vm.new_list(out));
        }
        (None, Some(w)) => {
            if let Value::Int(kk) = w {
                if vm.get_iter(&w).is_err() {
                    return Err(vm.new_type_error(format!(
                        "The number of choices must be a keyword argument: k={kk}"
                    )));
                }
            }
            accumulate(vm, &w)?
        }
        (Some(c), None) => vm.collect(&c)?,
        (Some(_), Some(_)) => {
            return Err(vm.new_type_error("Cannot specify both weights and cumulative weights"))
        }
    };
    if cum.len() != n {
        return Err(vm.new_value_error("The number of weights does not match the population"));
    }
    let last = cum
        .last()
        .cloned()
        .ok_or_else(|| vm.new_index_error("list index out of range"))?;
    let total_v = vm.binary_op(&last, &Value::float(0.0), BinOp::Add)?;
    let total = aio_vm::module::to_f64(vm, &total_v)?;
    if total <= 0.0 {
        return Err(vm.new_value_error("Total of weights must be greater than zero"));
    }
    if !total.is_finite() {
        return Err(vm.new_value_error("Total of weights must be finite"));
    }
    let hi = n - 1;
    let mut out = Vec::with_capacity(k);
    for _ in 0..k {
        let r = rand_f64(vm, &s)?;
        let i = bisect(vm, &cum, &Value::float(r * total), 0, hi)?;
        out.push(vm.getitem(&population, &Value::Int(i as i64))?);
    }
    let _ = BigInt::zero();
    Ok(vm.new_list(out))
}
