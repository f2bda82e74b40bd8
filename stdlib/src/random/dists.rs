//! The real-valued distributions of `Random`, with CPython's algorithms, constants and
//! order of draws (`uniform`, `triangular`, `gauss`, `normalvariate`, `lognormvariate`,
//! `expovariate`, `vonmisesvariate`, `gammavariate`, `betavariate`, `paretovariate`,
//! `weibullvariate`). Arithmetic that mixes the caller's numbers goes through the VM's
//! operators so ints and floats combine as in Python.

use super::rand_f64;
use crate::math::libm::safe as m;
use aio_vm::code::BinOp;
use aio_vm::module::{to_f64, ClassBuilder};
use aio_vm::native::Args;
use aio_vm::{PyResult, Value, Vm};
use std::f64::consts::{E, PI, TAU};

/// 4 * exp(-0.5) / sqrt(2.0), as `random.py` computes it.
pub const NV_MAGICCONST: f64 = 1.7155277699214135;

/// libm `log` (what `math.log` calls for positive floats).
pub fn log(x: f64) -> f64 {
    m::log(x)
}

/// Adds the methods to the `Random` class.
pub fn install(c: &mut ClassBuilder) {
    c.method("uniform", uniform)
        .method("triangular", triangular)
        .method("normalvariate", normalvariate)
        .method("gauss", gauss)
        .method("lognormvariate", lognormvariate)
        .method("expovariate", expovariate)
        .method("vonmisesvariate", vonmisesvariate)
        .method("gammavariate", gammavariate)
        .method("betavariate", betavariate)
        .method("paretovariate", paretovariate)
        .method("weibullvariate", weibullvariate);
}

/// The receiver and the parameters `names` (positional or keyword), with defaults for the
/// trailing ones and Python's messages for missing or extra arguments.
fn params(
    vm: &mut Vm,
    a: &Args,
    fname: &str,
    names: &[&str],
    defaults: &[Value],
) -> PyResult<(Value, Vec<Value>)> {
    a.check_kwargs(vm, fname, names)?;
    let given = a.len().saturating_sub(1);
    if given > names.len() {
        return Err(vm.new_type_error(format!(
            "Random.{fname}() takes from {} to {} positional arguments but {} were given",
            names.len() - defaults.len() + 1,
            names.len() + 1,
            given + 1
        )));
    }
    let required = names.len() - defaults.len();
    let mut out = Vec::with_capacity(names.len());
    let mut missing = Vec::new();
    for (i, name) in names.iter().enumerate() {
        match a.arg(i + 1, name) {
            Some(v) => out.push(v.clone()),
            None if i >= required => out.push(defaults[i - required].clone()),
            None => {
                missing.push(format!("'{name}'"));
                out.push(Value::None);
            }
        }
    }
    if !missing.is_empty() {
        let list = match missing.len() {
            1 => missing[0].clone(),
            _ => format!(
                "{} and {}",
                missing[..missing.len() - 1].join(", "),
                missing[missing.len() - 1]
            ),
        };
        return Err(vm.new_type_error(format!(
            "Random.{fname}() missing {} required positional argument{}: {list}",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" }
        )));
    }
    Ok((a.pos[0].clone(), out))
}

fn op(vm: &mut Vm, x: &Value, o: BinOp, y: &Value) -> PyResult {
    vm.binary_op(x, y, o)
}

/// `mu + z * sigma` with the caller's numbers.
fn affine(vm: &mut Vm, mu: &Value, z: f64, sigma: &Value) -> PyResult {
    let t = op(vm, &Value::float(z), BinOp::Mul, sigma)?;
    op(vm, mu, BinOp::Add, &t)
}

fn float_div(vm: &mut Vm, x: f64, y: f64) -> PyResult<f64> {
    if y == 0.0 {
        return Err(vm.new_zero_division("float division by zero"));
    }
    Ok(x / y)
}

/// Python's `x ** y` for floats (libm `pow` for the ordinary cases; a negative base with a
/// non-integer exponent gives a complex number in Python and is refused here).
fn fpow(vm: &mut Vm, x: f64, y: f64) -> PyResult<f64> {
    let r = op(vm, &Value::float(x), BinOp::Pow, &Value::float(y))?;
    to_f64(vm, &r)
}

/// A checked `math.log`.
fn mlog(vm: &mut Vm, x: f64) -> PyResult<f64> {
    if x > 0.0 || x.is_nan() {
        Ok(m::log(x))
    } else {
        Err(vm.new_value_error("math domain error"))
    }
}

fn uniform(vm: &mut Vm, a: Args) -> PyResult {
    let (s, p) = params(vm, &a, "uniform", &["a", "b"], &[])?;
    let d = op(vm, &p[1], BinOp::Sub, &p[0])?;
    let r = rand_f64(vm, &s)?;
    let t = op(vm, &d, BinOp::Mul, &Value::float(r))?;
    op(vm, &p[0], BinOp::Add, &t)
}

fn triangular(vm: &mut Vm, a: Args) -> PyResult {
    let defaults = [Value::float(0.0), Value::float(1.0), Value::None];
    let (s, p) = params(vm, &a, "triangular", &["low", "high", "mode"], &defaults)?;
    let (mut low, mut high, mode) = (p[0].clone(), p[1].clone(), p[2].clone());
    let mut u = rand_f64(vm, &s)?;
    let mut c = if mode.is_none() {
        0.5
    } else {
        let num = op(vm, &mode, BinOp::Sub, &low)?;
        let den = op(vm, &high, BinOp::Sub, &low)?;
        match op(vm, &num, BinOp::TrueDiv, &den) {
            Ok(v) => to_f64(vm, &v)?,
            Err(e) => {
                let zde = vm.exc.zero_division_error.clone();
                if vm.is_instance_of(&e, &zde) {
                    return Ok(low);
                }
                return Err(e);
            }
        }
    };
    if u > c {
        u = 1.0 - u;
        c = 1.0 - c;
        std::mem::swap(&mut low, &mut high);
    }
    let d = op(vm, &high, BinOp::Sub, &low)?;
    let t = op(vm, &d, BinOp::Mul, &Value::float(m::sqrt(u * c)))?;
    op(vm, &low, BinOp::Add, &t)
}

fn normal_z(vm: &mut Vm, s: &Value) -> PyResult<f64> {
    loop {
        let u1 = rand_f64(vm, s)?;
        let u2 = 1.0 - rand_f64(vm, s)?;
        let z = NV_MAGICCONST * (u1 - 0.5) / u2;
        let zz = z * z / 4.0;
        if zz <= -mlog(vm, u2)? {
            return Ok(z);
        }
    }
}

fn normalvariate(vm: &mut Vm, a: Args) -> PyResult {
    let defaults = [Value::float(0.0), Value::float(1.0)];
    let (s, p) = params(vm, &a, "normalvariate", &["mu", "sigma"], &defaults)?;
    let z = normal_z(vm, &s)?;
    affine(vm, &p[0], z, &p[1])
}

fn gauss(vm: &mut Vm, a: Args) -> PyResult {
    let defaults = [Value::float(0.0), Value::float(1.0)];
    let (s, p) = params(vm, &a, "gauss", &["mu", "sigma"], &defaults)?;
    let next = match aio_vm::module::native_state::<super::RandomState>(&s) {
        Some(st) => st.borrow_mut().gauss_next.take(),
        None => None,
    };
    let z = match next {
        Some(z) => z,
        None => {
            let x2pi = rand_f64(vm, &s)? * TAU;
            let r2 = rand_f64(vm, &s)?;
            let g2rad = m::sqrt(-2.0 * mlog(vm, 1.0 - r2)?);
            if let Some(st) = aio_vm::module::native_state::<super::RandomState>(&s) {
                st.borrow_mut().gauss_next = Some(m::sin(x2pi) * g2rad);
            }
            m::cos(x2pi) * g2rad
        }
    };
    affine(vm, &p[0], z, &p[1])
}

fn lognormvariate(vm: &mut Vm, a: Args) -> PyResult {
    let (s, p) = params(vm, &a, "lognormvariate", &["mu", "sigma"], &[])?;
    let z = normal_z(vm, &s)?;
    let v = affine(vm, &p[0], z, &p[1])?;
    let x = to_f64(vm, &v)?;
    let r = m::exp(x);
    if r.is_infinite() && x.is_finite() {
        return Err(vm.new_overflow_error("math range error"));
    }
    Ok(Value::float(r))
}

fn expovariate(vm: &mut Vm, a: Args) -> PyResult {
    let (s, p) = params(vm, &a, "expovariate", &["lambd"], &[])?;
    let r = rand_f64(vm, &s)?;
    let l = -mlog(vm, 1.0 - r)?;
    let num = Value::float(l);
    op(vm, &num, BinOp::TrueDiv, &p[0])
}

fn vonmisesvariate(vm: &mut Vm, a: Args) -> PyResult {
    let (s, p) = params(vm, &a, "vonmisesvariate", &["mu", "kappa"], &[])?;
    let kappa = to_f64(vm, &p[1])?;
    if kappa <= 1e-6 {
        let r = rand_f64(vm, &s)?;
        return Ok(Value::float(TAU * r));
    }
    let sv = 0.5 / kappa;
    let r = sv + m::sqrt(1.0 + sv * sv);
    let z = loop {
        let u1 = rand_f64(vm, &s)?;
        let z = m::cos(PI * u1);
        let d = z / (r + z);
        let u2 = rand_f64(vm, &s)?;
        if u2 < 1.0 - d * d || u2 <= (1.0 - d) * m::exp(d) {
            break z;
        }
    };
    let q = 1.0 / r;
    let f = (q + z) / (1.0 + q * z);
    let u3 = rand_f64(vm, &s)?;
    let acos_f = m::acos(f);
    let theta = if u3 > 0.5 {
        op(vm, &p[0], BinOp::Add, &Value::float(acos_f))?
    } else {
        op(vm, &p[0], BinOp::Sub, &Value::float(acos_f))?
    };
    op(vm, &theta, BinOp::Rem, &Value::float(TAU))
}

fn gamma_sample(vm: &mut Vm, s: &Value, alpha: f64, beta: &Value) -> PyResult {
    let b = to_f64(vm, beta)?;
    if alpha <= 0.0 || b <= 0.0 {
        return Err(vm.new_value_error("gammavariate: alpha and beta must be > 0.0"));
    }
    let x = if alpha > 1.0 {
        let ainv = m::sqrt(2.0 * alpha - 1.0);
        let bbb = alpha - m::log(4.0);
        let ccc = alpha + ainv;
        let sg = 1.0 + m::log(4.5);
        loop {
            let u1 = rand_f64(vm, s)?;
            if !(1e-7 < u1 && u1 < 0.9999999) {
                continue;
            }
            let u2 = 1.0 - rand_f64(vm, s)?;
            let v = m::log(u1 / (1.0 - u1)) / ainv;
            let x = alpha * m::exp(v);
            let z = u1 * u1 * u2;
            let r = bbb + ccc * v - x;
            if r + sg - 4.5 * z >= 0.0 || r >= mlog(vm, z)? {
                break x;
            }
        }
    } else if alpha == 1.0 {
        let r = rand_f64(vm, s)?;
        -mlog(vm, 1.0 - r)?
    } else {
        loop {
            let u = rand_f64(vm, s)?;
            let bb = (E + alpha) / E;
            let p = bb * u;
            let x = if p <= 1.0 {
                fpow(vm, p, 1.0 / alpha)?
            } else {
                -mlog(vm, (bb - p) / alpha)?
            };
            let u1 = rand_f64(vm, s)?;
            if p > 1.0 {
                if u1 <= fpow(vm, x, alpha - 1.0)? {
                    break x;
                }
            } else if u1 <= m::exp(-x) {
                break x;
            }
        }
    };
    op(vm, &Value::float(x), BinOp::Mul, beta)
}

fn gammavariate(vm: &mut Vm, a: Args) -> PyResult {
    let (s, p) = params(vm, &a, "gammavariate", &["alpha", "beta"], &[])?;
    let alpha = to_f64(vm, &p[0])?;
    gamma_sample(vm, &s, alpha, &p[1])
}

fn betavariate(vm: &mut Vm, a: Args) -> PyResult {
    let (s, p) = params(vm, &a, "betavariate", &["alpha", "beta"], &[])?;
    let alpha = to_f64(vm, &p[0])?;
    let beta = to_f64(vm, &p[1])?;
    let y = gamma_sample(vm, &s, alpha, &Value::float(1.0))?;
    let y = to_f64(vm, &y)?;
    if y != 0.0 {
        let g = gamma_sample(vm, &s, beta, &Value::float(1.0))?;
        let g = to_f64(vm, &g)?;
        return Ok(Value::float(y / (y + g)));
    }
    Ok(Value::float(0.0))
}

fn paretovariate(vm: &mut Vm, a: Args) -> PyResult {
    let (s, p) = params(vm, &a, "paretovariate", &["alpha"], &[])?;
    let u = 1.0 - rand_f64(vm, &s)?;
    let alpha = to_f64(vm, &p[0])?;
    let e = float_div(vm, -1.0, alpha)?;
    fpow(vm, u, e).map(Value::float)
}

fn weibullvariate(vm: &mut Vm, a: Args) -> PyResult {
    let (s, p) = params(vm, &a, "weibullvariate", &["alpha", "beta"], &[])?;
    let u = 1.0 - rand_f64(vm, &s)?;
    let beta = to_f64(vm, &p[1])?;
    let e = float_div(vm, 1.0, beta)?;
    let base = -mlog(vm, u)?;
    let t = fpow(vm, base, e)?;
    op(vm, &p[0], BinOp::Mul, &Value::float(t))
}
