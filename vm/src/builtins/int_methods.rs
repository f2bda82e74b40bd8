//! The `int` methods CPython has beside the operators: `__ceil__`, `__floor__`,
//! `__trunc__`, `__round__`, `__divmod__`/`__rdivmod__`, `__pos__`, `__invert__`,
//! `__getnewargs__`, and the data attributes `real`, `imag`, `numerator` and
//! `denominator` (properties of `int`, so `dir(int)` lists them as CPython does).

use super::def_methods;
use super::int::plain_number;
use crate::code::UnaryOp;
use crate::native::{Args, NativeFn, Sig};
use crate::value::Value;
use crate::vm::{PyResult, Vm};

pub(super) fn install(vm: &mut Vm) {
    let int = vm.types.int.clone();
    let methods: &[(&str, Sig, NativeFn)] = &[
        ("__ceil__", Sig::NOARGS, int_exact),
        ("__floor__", Sig::NOARGS, int_exact),
        ("__trunc__", Sig::NOARGS, int_exact),
        ("__round__", Sig::VARARGS, int_round),
        ("__divmod__", Sig::SLOT, int_divmod),
        ("__rdivmod__", Sig::SLOT, int_rdivmod),
        ("__pos__", Sig::SLOT, int_pos),
        ("__invert__", Sig::SLOT, int_invert),
        ("__getnewargs__", Sig::NOARGS, int_getnewargs),
    ];
    def_methods(vm, &int, methods);
    let props: [(&str, NativeFn); 4] = [
        ("real", int_exact),
        ("imag", int_zero),
        ("numerator", int_exact),
        ("denominator", int_one),
    ];
    for (name, f) in props {
        let p = super::readonly_property(vm, name, "int", f, Value::str(name));
        vm.set_class_attr(&int, name, p);
    }
}

/// `int(self)` as an exact int (`__ceil__`, `__floor__`, `__trunc__`, `real`, ...).
fn int_exact(vm: &mut Vm, a: Args) -> PyResult {
    Ok(plain_number(vm, &a.pos[0]))
}

fn int_zero(_vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::Int(0))
}

fn int_one(_vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::Int(1))
}

fn int_pos(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__pos__", 0, 0)?;
    Ok(plain_number(vm, &a.pos[0]))
}

fn int_invert(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__invert__", 0, 0)?;
    let v = plain_number(vm, &a.pos[0]);
    vm.unary_op(&v, UnaryOp::Invert)
}

fn int_getnewargs(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__getnewargs__", 0, 0)?;
    let v = plain_number(vm, &a.pos[0]);
    Ok(vm.new_tuple(vec![v]))
}

/// `int.__round__(ndigits=None)`.
fn int_round(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__round__", 0, 1)?;
    let v = plain_number(vm, &a.pos[0]);
    let nd = a.pos.get(1).cloned().unwrap_or(Value::None);
    super::int::round(vm, &v, &nd)
}

/// `divmod(x, y)` of two ints; `NotImplemented` when `other` is not an int.
fn divmod_ints(vm: &mut Vm, x: &Value, y: &Value) -> PyResult {
    let (Some(x), Some(y)) = (crate::num::to_bigint(x), crate::num::to_bigint(y)) else {
        return Ok(vm.not_implemented.clone());
    };
    let (x, y) = (crate::num::int_value(vm, x), crate::num::int_value(vm, y));
    let divmod = vm.intern("divmod");
    let f = vm.builtin(&divmod).unwrap_or(Value::None);
    vm.call(&f, &[x, y], &[])
}

fn int_divmod(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__divmod__", 1, 1)?;
    divmod_ints(vm, &a.pos[0], &a.pos[1])
}

fn int_rdivmod(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__rdivmod__", 1, 1)?;
    divmod_ints(vm, &a.pos[1], &a.pos[0])
}
