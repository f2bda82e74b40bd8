//! The `complex` class: the constructor (numbers, `__complex__`, strings) and the methods,
//! with CPython 3.11's argument checks and messages.

use super::{abs, binary, compare, parse, parts, value, C};
use crate::builtins::{def_methods, def_static};
use crate::code::{BinOp, CmpOp};
use crate::format as fmt;
use crate::native::{Args, NativeFn, Sig};
use crate::object::Payload;
use crate::value::Value;
use crate::vm::{PyResult, Vm};

pub(in crate::builtins) fn install(vm: &mut Vm) {
    let c = vm.types.complex.clone();
    def_static(vm, &c, "__new__", complex_new);
    let methods: &[(&str, Sig, NativeFn)] = &[
        ("conjugate", Sig::NOARGS, conjugate),
        ("__complex__", Sig::NOARGS, complex_self),
        ("__getnewargs__", Sig::NOARGS, getnewargs),
        ("__repr__", Sig::SLOT, repr),
        ("__format__", Sig::O, format),
        ("__hash__", Sig::SLOT, hash),
        ("__bool__", Sig::SLOT, bool_),
        ("__abs__", Sig::SLOT, abs_),
        ("__neg__", Sig::SLOT, neg),
        ("__pos__", Sig::SLOT, pos),
        ("__add__", Sig::SLOT, d_add),
        ("__radd__", Sig::SLOT, r_add),
        ("__sub__", Sig::SLOT, d_sub),
        ("__rsub__", Sig::SLOT, r_sub),
        ("__mul__", Sig::SLOT, d_mul),
        ("__rmul__", Sig::SLOT, r_mul),
        ("__truediv__", Sig::SLOT, d_truediv),
        ("__rtruediv__", Sig::SLOT, r_truediv),
        ("__pow__", Sig::SLOT, d_pow),
        ("__rpow__", Sig::SLOT, r_pow),
        ("__eq__", Sig::SLOT, c_eq),
        ("__ne__", Sig::SLOT, c_ne),
        ("__lt__", Sig::SLOT, c_lt),
        ("__le__", Sig::SLOT, c_le),
        ("__gt__", Sig::SLOT, c_gt),
        ("__ge__", Sig::SLOT, c_ge),
    ];
    def_methods(vm, &c, methods);
}

/// `complex(real=0, imag=0)` (CPython's `complex_new_impl`).
fn complex_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = a.pos[0].as_obj().cloned().expect("class");
    let args = Args {
        pos: &a.pos[1..],
        kw: a.kw,
    };
    args.check_kwargs(vm, "complex", &["real", "imag"])?;
    let n = args.pos.len();
    if n > 2 {
        return Err(vm.new_type_error(format!("complex() takes at most 2 arguments ({n} given)")));
    }
    for (i, name) in ["real", "imag"].into_iter().enumerate() {
        if i < n && args.kwarg(name).is_some() {
            return Err(vm.new_type_error(format!(
                "argument for complex() given by name ('{name}') and position ({})",
                i + 1
            )));
        }
    }
    let (r, i) = (args.arg(0, "real"), args.arg(1, "imag"));
    let exact = std::rc::Rc::ptr_eq(&cls, &vm.types.complex);
    if let (Some(r), None, true) = (r, i, exact) {
        // An exact complex alone is returned as is.
        if !vm.is_heap(r) && parts(r).is_some() {
            return Ok(r.clone());
        }
    }
    let (re, im) = from_args(vm, r.unwrap_or(&Value::Int(0)), i)?;
    if exact {
        return Ok(value(vm, re, im));
    }
    let inst = vm.new_instance(&cls)?;
    Ok(crate::builtins::int::rebuild(
        vm,
        &inst,
        Payload::Complex(re, im),
    ))
}

/// The parts `complex(r, i)` builds: `r + i*1j` where either may be complex.
fn from_args(vm: &mut Vm, r: &Value, i: Option<&Value>) -> PyResult<C> {
    if let Some(s) = r.as_str() {
        if i.is_some() {
            return Err(vm.new_type_error("complex() can't take second arg if first is a string"));
        }
        return parse::from_string(vm, s.as_str(), r);
    }
    if i.is_some_and(|i| i.as_str().is_some()) {
        return Err(vm.new_type_error("complex() second arg can't be a string"));
    }
    let special = complex_special(vm, r)?;
    let r = special.as_ref().unwrap_or(r);
    if !is_number(vm, r) {
        return Err(vm.new_type_error(format!(
            "complex() first argument must be a string or a number, not '{}'",
            vm.type_name(r)
        )));
    }
    if let Some(i) = i.filter(|i| !is_number(vm, i)) {
        return Err(vm.new_type_error(format!(
            "complex() second argument must be a number, not '{}'",
            vm.type_name(i)
        )));
    }
    let (mut cr, cr_is_complex) = match parts(r) {
        Some(p) => (p, true),
        None => ((crate::builtins::int::to_float(vm, r)?, 0.0), false),
    };
    let Some(i) = i else {
        return Ok(cr);
    };
    let mut ci = match parts(i) {
        Some(p) => {
            cr.0 -= p.1;
            p
        }
        None => (crate::builtins::int::to_float(vm, i)?, 0.0),
    };
    if cr_is_complex {
        ci.0 += cr.1;
    }
    Ok((cr.0, ci.0))
}

/// The result of `v.__complex__()` when `v`'s class defines it (a complex, else
/// `TypeError`).
pub(super) fn complex_special(vm: &mut Vm, v: &Value) -> PyResult<Option<Value>> {
    if !vm.is_heap(v) {
        return Ok(None);
    }
    let cls = vm.class_of(v).clone();
    let Some(f) = vm.lookup(&cls, &vm.names.__complex__.clone()) else {
        return Ok(None);
    };
    let r = vm.call_slot(&f, std::slice::from_ref(v))?;
    if parts(&r).is_none() {
        return Err(vm.new_type_error(format!(
            "__complex__ returned non-complex (type {})",
            vm.type_name(&r)
        )));
    }
    Ok(Some(r))
}

/// Whether `complex()` takes `v` as a number: an int, float or complex, or an object whose
/// class has `__float__` or `__index__`.
fn is_number(vm: &mut Vm, v: &Value) -> bool {
    if crate::num::num(v).is_some() || parts(v).is_some() {
        return true;
    }
    let cls = vm.class_of(v).clone();
    vm.lookup(&cls, &vm.names.__float__.clone()).is_some()
        || vm.lookup(&cls, &vm.names.__index__.clone()).is_some()
}

/// `self` of a complex method as its parts, or CPython's descriptor `TypeError` (`slot`:
/// the method is a slot wrapper such as `__add__`, whose messages differ).
fn this(vm: &Vm, a: &Args, name: &str, slot: bool) -> PyResult<C> {
    let first = a.pos.first();
    if let Some(p) = first.and_then(parts) {
        return Ok(p);
    }
    let msg = match (first, slot) {
        (None, true) => format!("descriptor '{name}' of 'complex' object needs an argument"),
        (None, false) => format!("unbound method complex.{name}() needs an argument"),
        (Some(v), true) => format!(
            "descriptor '{name}' requires a 'complex' object but received a '{}'",
            vm.type_name(v)
        ),
        (Some(v), false) => format!(
            "descriptor '{name}' for 'complex' objects doesn't apply to a '{}' object",
            vm.type_name(v)
        ),
    };
    Err(vm.new_type_error(msg))
}

fn conjugate(vm: &mut Vm, a: Args) -> PyResult {
    let (re, im) = this(vm, &a, "conjugate", false)?;
    a.method_count(vm, "conjugate", 0, 0)?;
    Ok(value(vm, re, -im))
}

fn complex_self(vm: &mut Vm, a: Args) -> PyResult {
    let (re, im) = this(vm, &a, "__complex__", false)?;
    a.method_count(vm, "__complex__", 0, 0)?;
    if vm.is_heap(&a.pos[0]) {
        return Ok(value(vm, re, im));
    }
    Ok(a.pos[0].clone())
}

fn getnewargs(vm: &mut Vm, a: Args) -> PyResult {
    let (re, im) = this(vm, &a, "__getnewargs__", false)?;
    a.method_count(vm, "__getnewargs__", 0, 0)?;
    Ok(vm.new_tuple(vec![Value::float(re), Value::float(im)]))
}

fn repr(vm: &mut Vm, a: Args) -> PyResult {
    let (re, im) = this(vm, &a, "__repr__", true)?;
    Ok(Value::str(fmt::complex_repr(re, im)))
}

fn format(vm: &mut Vm, a: Args) -> PyResult {
    this(vm, &a, "__format__", false)?;
    a.method_count(vm, "__format__", 1, 1)?;
    let Some(spec) = a.pos[1].as_str() else {
        return Err(vm.new_type_error(format!(
            "__format__() argument must be str, not {}",
            vm.type_name(&a.pos[1])
        )));
    };
    crate::builtins::format_spec(vm, &a.pos[0], spec.as_str()).map(Value::str)
}

fn hash(vm: &mut Vm, a: Args) -> PyResult {
    let (re, im) = this(vm, &a, "__hash__", true)?;
    let h = crate::hashing::hash_complex(re, im, a.pos[0].id());
    Ok(Value::Int(h))
}

fn bool_(vm: &mut Vm, a: Args) -> PyResult {
    let (re, im) = this(vm, &a, "__bool__", true)?;
    Ok(Value::bool(re != 0.0 || im != 0.0))
}

fn abs_(vm: &mut Vm, a: Args) -> PyResult {
    let z = this(vm, &a, "__abs__", true)?;
    abs(vm, z).map(Value::float)
}

fn neg(vm: &mut Vm, a: Args) -> PyResult {
    let (re, im) = this(vm, &a, "__neg__", true)?;
    Ok(value(vm, -re, -im))
}

fn pos(vm: &mut Vm, a: Args) -> PyResult {
    let (re, im) = this(vm, &a, "__pos__", true)?;
    Ok(value(vm, re, im))
}

/// `complex.__op__(self, other)` (`reflected`: `complex.__rop__`, computing `other op
/// self`); `__pow__` and `__rpow__` take a modulus, refused unless it is `None`.
fn dunder(vm: &mut Vm, a: Args, op: BinOp, reflected: bool) -> PyResult {
    let name = if reflected { op.rdunder() } else { op.dunder() };
    this(vm, &a, name, true)?;
    let max = if op == BinOp::Pow { 2 } else { 1 };
    a.method_count(vm, name, 1, max)?;
    let (x, y) = if reflected {
        (&a.pos[1], &a.pos[0])
    } else {
        (&a.pos[0], &a.pos[1])
    };
    if a.pos.get(2).is_some_and(|m| !m.is_none()) {
        if super::operand(vm, x)?.is_none() || super::operand(vm, y)?.is_none() {
            return Ok(vm.not_implemented.clone());
        }
        return Err(vm.new_value_error("complex modulo"));
    }
    Ok(binary(vm, x, y, op)?.unwrap_or_else(|| vm.not_implemented.clone()))
}

macro_rules! dunders {
    ($($name:ident, $rname:ident => $op:expr),*) => {
        $(
            fn $name(vm: &mut Vm, a: Args) -> PyResult { dunder(vm, a, $op, false) }
            fn $rname(vm: &mut Vm, a: Args) -> PyResult { dunder(vm, a, $op, true) }
        )*
    };
}

dunders! {
    d_add, r_add => BinOp::Add, d_sub, r_sub => BinOp::Sub, d_mul, r_mul => BinOp::Mul,
    d_truediv, r_truediv => BinOp::TrueDiv, d_pow, r_pow => BinOp::Pow
}

fn richcompare(vm: &mut Vm, a: Args, op: CmpOp) -> PyResult {
    let name = op.dunder();
    this(vm, &a, name, true)?;
    a.method_count(vm, name, 1, 1)?;
    Ok(match compare(&a.pos[0], &a.pos[1], op) {
        Some(r) => Value::bool(r),
        None => vm.not_implemented.clone(),
    })
}

macro_rules! comparisons {
    ($($name:ident => $op:expr),*) => {
        $( fn $name(vm: &mut Vm, a: Args) -> PyResult { richcompare(vm, a, $op) } )*
    };
}

comparisons! {
    c_eq => CmpOp::Eq, c_ne => CmpOp::Ne, c_lt => CmpOp::Lt,
    c_le => CmpOp::Le, c_gt => CmpOp::Gt, c_ge => CmpOp::Ge
}
