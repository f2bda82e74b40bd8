//! Numbers: the `int`, `bool` and `float` constructors (string parsing with CPython's rules
//! and messages), their methods, `round`, and the number attributes (`complex` is in
//! `complex/`).

use super::{def_classmethod, def_method, def_method_sig, def_static};
use crate::code::{BinOp, CmpOp};
use crate::native::{Args, NativeFn, Sig};
use crate::num::{self, Num};
use crate::object::{Object, Payload};
use crate::types::lookup;
use crate::value::Bool;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::rc::Rc;

pub(super) fn install(vm: &mut Vm) {
    let int = vm.types.int.clone();
    def_static(vm, &int, "__new__", int_new);
    def_method_sig(vm, &int, "bit_length", Sig::NOARGS, int_bit_length);
    def_method_sig(vm, &int, "bit_count", Sig::NOARGS, int_bit_count);
    def_method(vm, &int, "to_bytes", int_to_bytes);
    def_classmethod(vm, &int, "from_bytes", Sig::FREE, int_from_bytes);
    def_method_sig(vm, &int, "conjugate", Sig::NOARGS, int_pos);
    def_method(vm, &int, "__index__", int_pos);
    def_method(vm, &int, "__int__", int_pos);
    def_method(vm, &int, "__float__", int_float);
    def_method(vm, &int, "__abs__", int_abs);
    def_method_sig(vm, &int, "as_integer_ratio", Sig::NOARGS, int_ratio);
    def_method(vm, &int, "__repr__", num_repr);
    def_method_sig(vm, &int, "__format__", Sig::O, num_format);
    def_method(vm, &int, "__hash__", num_hash);
    for op in ALL_BINOPS {
        let [f, rf] = dunder_binop_fns(op);
        def_method(vm, &int, op.dunder(), f);
        def_method(vm, &int, op.rdunder(), rf);
    }
    def_method(vm, &int, "__eq__", num_eq);
    def_method(vm, &int, "__lt__", num_lt);
    def_method(vm, &int, "__le__", num_le);
    def_method(vm, &int, "__gt__", num_gt);
    def_method(vm, &int, "__ge__", num_ge);
    def_method(vm, &int, "__ne__", num_ne);
    def_method(vm, &int, "__neg__", num_neg);
    def_method(vm, &int, "__bool__", num_bool);
    let b = vm.types.bool.clone();
    def_static(vm, &b, "__new__", bool_new);
    def_method(vm, &b, "__repr__", num_repr);
    for (op, f, rf) in [
        (
            BinOp::And,
            b_and as crate::native::NativeFn,
            rb_and as crate::native::NativeFn,
        ),
        (BinOp::Or, b_or, rb_or),
        (BinOp::Xor, b_xor, rb_xor),
    ] {
        def_method(vm, &b, op.dunder(), f);
        def_method(vm, &b, op.rdunder(), rf);
    }
    let fl = vm.types.float.clone();
    def_static(vm, &fl, "__new__", float_new);
    def_method_sig(vm, &fl, "is_integer", Sig::NOARGS, float_is_integer);
    def_method_sig(vm, &fl, "__getnewargs__", Sig::NOARGS, float_getnewargs);
    def_method_sig(vm, &fl, "as_integer_ratio", Sig::NOARGS, float_ratio);
    def_method_sig(vm, &fl, "conjugate", Sig::NOARGS, float_pos);
    // `real` and `imag`, getset descriptors in CPython (read through `number_attr`).
    for (name, f) in [("real", float_pos as NativeFn), ("imag", float_zero)] {
        let p = super::readonly_property(vm, name, "float", f, Value::str(name));
        vm.set_class_attr(&fl, name, p);
    }
    def_method_sig(vm, &fl, "hex", Sig::NOARGS, float_hex);
    def_classmethod(vm, &fl, "fromhex", Sig::O, float_fromhex);
    def_method(vm, &fl, "__repr__", num_repr);
    def_method_sig(vm, &fl, "__format__", Sig::O, num_format);
    def_method(vm, &fl, "__hash__", num_hash);
    def_method(vm, &fl, "__int__", float_int);
    def_method(vm, &fl, "__float__", float_pos);
    def_method(vm, &fl, "__abs__", int_abs);
    def_method_sig(vm, &fl, "__trunc__", Sig::NOARGS, float_int);
    def_method_sig(vm, &fl, "__floor__", Sig::NOARGS, float_floor);
    def_method_sig(vm, &fl, "__ceil__", Sig::NOARGS, float_ceil);
    def_method_sig(vm, &fl, "__round__", Sig::VARARGS, float_round);
    def_method_sig(vm, &fl, "__divmod__", Sig::SLOT, float_divmod);
    def_method_sig(vm, &fl, "__rdivmod__", Sig::SLOT, float_rdivmod);
    def_method_sig(vm, &fl, "__pos__", Sig::SLOT, float_pos);
    for op in ALL_BINOPS[..7].iter().copied() {
        // Floats have no bitwise operators.
        let [f, rf] = dunder_binop_fns(op);
        def_method(vm, &fl, op.dunder(), f);
        def_method(vm, &fl, op.rdunder(), rf);
    }
    def_method(vm, &fl, "__eq__", num_eq);
    def_method(vm, &fl, "__lt__", num_lt);
    def_method(vm, &fl, "__le__", num_le);
    def_method(vm, &fl, "__gt__", num_gt);
    def_method(vm, &fl, "__ge__", num_ge);
    def_method(vm, &fl, "__ne__", num_ne);
    def_method(vm, &fl, "__neg__", num_neg);
    def_method(vm, &fl, "__bool__", num_bool);
}

const ALL_BINOPS: [BinOp; 12] = [
    BinOp::Add,
    BinOp::Sub,
    BinOp::Mul,
    BinOp::TrueDiv,
    BinOp::FloorDiv,
    BinOp::Rem,
    BinOp::Pow,
    BinOp::And,
    BinOp::Or,
    BinOp::Xor,
    BinOp::LShift,
    BinOp::RShift,
];

macro_rules! binop_fns {
    ($($name:ident, $rname:ident => $op:expr),*) => {
        $(
            fn $name(vm: &mut Vm, a: Args) -> PyResult { dunder_binop(vm, a, $op) }
            fn $rname(vm: &mut Vm, a: Args) -> PyResult { dunder_rbinop(vm, a, $op) }
        )*
        /// The native `__op__` and `__rop__` of int and float for `op`.
        fn dunder_binop_fns(op: BinOp) -> [crate::native::NativeFn; 2] {
            match op {
                $( o if o == $op => [$name, $rname], )*
                _ => [d_add, r_add],
            }
        }
    };
}

binop_fns! {
    d_add, r_add => BinOp::Add, d_sub, r_sub => BinOp::Sub, d_mul, r_mul => BinOp::Mul,
    d_truediv, r_truediv => BinOp::TrueDiv, d_floordiv, r_floordiv => BinOp::FloorDiv,
    d_mod, r_mod => BinOp::Rem, d_pow, r_pow => BinOp::Pow, d_and, r_and => BinOp::And,
    d_or, r_or => BinOp::Or, d_xor, r_xor => BinOp::Xor, d_lshift, r_lshift => BinOp::LShift,
    d_rshift, r_rshift => BinOp::RShift
}

/// `int.__add__(self, other)` and friends for subclasses calling `super()`.
fn dunder_binop(vm: &mut Vm, a: Args, op: BinOp) -> PyResult {
    let (this, other) = (&a.pos[0], &a.pos[1]);
    if let Some(m) = pow_modulus(&a, op) {
        return ternary_pow(vm, this, other, this, m);
    }
    if !accepts(this, other) {
        return Ok(vm.not_implemented.clone());
    }
    number_dunder(vm, this, other, op)
}

/// `int.__radd__(self, other)` and friends: `other op self`.
fn dunder_rbinop(vm: &mut Vm, a: Args, op: BinOp) -> PyResult {
    let (this, other) = (&a.pos[0], &a.pos[1]);
    if let Some(m) = pow_modulus(&a, op) {
        return ternary_pow(vm, other, this, this, m);
    }
    if !accepts(this, other) {
        return Ok(vm.not_implemented.clone());
    }
    number_dunder(vm, other, this, op)
}

/// `bool.__and__` (`__or__`, `__xor__` and their reflections): a bool for two bools,
/// else what int's method answers.
fn bool_bitop(vm: &mut Vm, a: Args, op: BinOp, reflected: bool) -> PyResult {
    if let (Value::Bool(_), Some(Value::Bool(_))) = (&a.pos[0], a.pos.get(1)) {
        return vm.binary_op(&a.pos[0], &a.pos[1], op);
    }
    if reflected {
        dunder_rbinop(vm, a, op)
    } else {
        dunder_binop(vm, a, op)
    }
}

macro_rules! bool_bitop_fns {
    ($($name:ident, $rname:ident => $op:expr),*) => {
        $(
            fn $name(vm: &mut Vm, a: Args) -> PyResult { bool_bitop(vm, a, $op, false) }
            fn $rname(vm: &mut Vm, a: Args) -> PyResult { bool_bitop(vm, a, $op, true) }
        )*
    };
}

bool_bitop_fns! {
    b_and, rb_and => BinOp::And, b_or, rb_or => BinOp::Or, b_xor, rb_xor => BinOp::Xor
}

/// The modulus of `__pow__(other, mod)`/`__rpow__(other, mod)` when one other than `None`
/// is given (the call path allows it for `Pow` only).
fn pow_modulus<'a>(a: &Args<'a>, op: BinOp) -> Option<&'a Value> {
    a.get(2).filter(|m| op == BinOp::Pow && !m.is_none())
}

/// `pow(base, exp, m)` for the `__pow__`/`__rpow__` of `this` (an int or float): floats
/// refuse a modulus, ints take only ints (`NotImplemented` otherwise).
fn ternary_pow(vm: &mut Vm, base: &Value, exp: &Value, this: &Value, m: &Value) -> PyResult {
    let is_int = |v: &Value| matches!(num::num(v), Some(Num::Int(_) | Num::Big(_)));
    if !is_int(this) {
        return Err(
            vm.new_type_error("pow() 3rd argument not allowed unless all arguments are integers")
        );
    }
    if !(is_int(base) && is_int(exp) && is_int(m)) {
        return Ok(vm.not_implemented.clone());
    }
    let args = [
        plain_number(vm, base),
        plain_number(vm, exp),
        plain_number(vm, m),
    ];
    super::functions::pow(vm, Args::new(&args))
}

/// Whether the numeric slots of `this`'s type handle `other`: an int's take only ints, a
/// float's ints and floats (anything else gets `NotImplemented`, as in CPython).
fn accepts(this: &Value, other: &Value) -> bool {
    let is_float =
        |v: &Value| matches!(v, Value::Float(_)) || matches!(v.payload(), Some(Payload::Float(_)));
    match (num::num(this), num::num(other)) {
        (Some(_), Some(_)) => is_float(this) || !is_float(other),
        _ => false,
    }
}

fn number_dunder(vm: &mut Vm, x: &Value, y: &Value, op: BinOp) -> PyResult {
    match (num::num(x), num::num(y)) {
        (Some(nx), Some(ny)) => {
            Ok(num::binary(vm, &nx, &ny, op)?.unwrap_or_else(|| vm.not_implemented.clone()))
        }
        _ => Ok(vm.not_implemented.clone()),
    }
}

/// `int.__eq__` and friends (shared with float): `NotImplemented` unless `accepts` the
/// operands (so `(1).__eq__(1.0)` defers to float, as CPython).
fn num_cmp(vm: &mut Vm, a: Args, op: CmpOp) -> PyResult {
    let other = a.pos.get(1).filter(|o| accepts(&a.pos[0], o));
    match (num::num(&a.pos[0]), other.and_then(num::num)) {
        (Some(x), Some(y)) => Ok(Value::bool(match num::compare(&x, &y) {
            Some(o) => crate::ops::cmp_ord(o, op),
            None => op == CmpOp::Ne,
        })),
        _ => Ok(vm.not_implemented.clone()),
    }
}

fn num_eq(vm: &mut Vm, a: Args) -> PyResult {
    num_cmp(vm, a, CmpOp::Eq)
}
fn num_ne(vm: &mut Vm, a: Args) -> PyResult {
    num_cmp(vm, a, CmpOp::Ne)
}
fn num_lt(vm: &mut Vm, a: Args) -> PyResult {
    num_cmp(vm, a, CmpOp::Lt)
}
fn num_le(vm: &mut Vm, a: Args) -> PyResult {
    num_cmp(vm, a, CmpOp::Le)
}
fn num_gt(vm: &mut Vm, a: Args) -> PyResult {
    num_cmp(vm, a, CmpOp::Gt)
}
fn num_ge(vm: &mut Vm, a: Args) -> PyResult {
    num_cmp(vm, a, CmpOp::Ge)
}

fn num_neg(vm: &mut Vm, a: Args) -> PyResult {
    let v = plain_number(vm, &a.pos[0]);
    vm.unary_op(&v, crate::code::UnaryOp::Neg)
}

fn num_bool(vm: &mut Vm, a: Args) -> PyResult {
    let v = plain_number(vm, &a.pos[0]);
    vm.is_true(&v).map(Value::bool)
}

/// The built-in number inside a value (unwrapping subclass instances).
pub(super) fn plain_number(vm: &Vm, v: &Value) -> Value {
    match num::num(v) {
        Some(Num::Int(i)) => Value::Int(i),
        Some(Num::Big(b)) => num::int_value(vm, b.clone()),
        Some(Num::Float(f)) => Value::float(f),
        None => v.clone(),
    }
}

fn num_repr(vm: &mut Vm, a: Args) -> PyResult {
    let v = &a.pos[0];
    if let Value::Bool(b) = v {
        return Ok(Value::str(if b.get() { "True" } else { "False" }));
    }
    let p = plain_number(vm, v);
    vm.repr(&p).map(Value::Str)
}

fn num_format(vm: &mut Vm, a: Args) -> PyResult {
    let spec = super::format::spec_arg(vm, &a)?;
    // CPython: an empty spec on anything but an exact int or float is `str(self)`, so a
    // subclass's `__str__` (and bool's) shows.
    if spec.as_str().is_some_and(|s| s.is_empty())
        && (vm.is_heap(&a.pos[0]) || matches!(a.pos[0], Value::Bool(_)))
    {
        return vm.to_str(&a.pos[0]).map(Value::Str);
    }
    let p = plain_number(vm, &a.pos[0]);
    // A subclass's value is formatted as the built-in one, with the subclass's name in errors.
    if let (true, Some(text)) = (vm.is_heap(&a.pos[0]), spec.as_str()) {
        if !text.is_empty() {
            let tn = vm.type_name(&a.pos[0]);
            return super::format::format_builtin(vm, &p, text.as_str(), &tn).map(Value::str);
        }
    }
    vm.format_value(p, 0, Some(spec))
}

fn num_hash(vm: &mut Vm, a: Args) -> PyResult {
    let p = plain_number(vm, &a.pos[0]);
    vm.hash(&p).map(Value::Int)
}

/// The integer value of an int-like (`__index__`).
pub fn index_of(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    index_in_i64(vm, v, |vm| {
        let tn = vm.type_name(v);
        vm.new_exception_msg(
            &vm.exc.index_error.clone(),
            format!("cannot fit '{tn}' into an index-sized integer"),
        )
    })
}

/// An int-like argument read as a C `Py_ssize_t` (a width, a count): as [`index_of`],
/// but a value out of range is CPython's `OverflowError`, not an `IndexError`.
pub fn ssize_of(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    index_in_i64(vm, v, |vm| {
        vm.new_overflow_error("Python int too large to convert to C ssize_t")
    })
}

/// An int-like argument read as a C `int` (`chr`, `sys.setrecursionlimit`, a flag):
/// as [`ssize_of`], but the range is `i32`'s.
pub fn c_int_of(vm: &mut Vm, v: &Value) -> PyResult<i32> {
    let n = index_in_i64(vm, v, c_int_overflow)?;
    i32::try_from(n).map_err(|_| c_int_overflow(vm))
}

/// CPython's `OverflowError` for an int that does not fit a C `int`.
pub fn c_int_overflow(vm: &mut Vm) -> Obj {
    vm.new_overflow_error("Python int too large to convert to C int")
}

/// Whether `v` is an int or has `__index__` (CPython's `PyIndex_Check`).
pub fn is_index(vm: &Vm, v: &Value) -> bool {
    num::to_bigint(v).is_some() || lookup(vm.class_of(v), &vm.names.__index__).is_some()
}

/// A size (`bytes(n)`; CPython's `PyNumber_AsSsize_t(n, OverflowError)`): an int beyond
/// `i64` either way is an `OverflowError` naming `v`'s type.
pub fn size_of(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    index_in_i64(vm, v, |vm| {
        let tn = vm.type_name(v);
        vm.new_overflow_error(format!("cannot fit '{tn}' into an index-sized integer"))
    })
}

/// A repeat count (`seq * n`, `seq *= n`): a [`size_of`], negative counts as 0.
pub fn repeat_count(vm: &mut Vm, v: &Value) -> PyResult<usize> {
    Ok(size_of(vm, v)?.max(0) as usize)
}

/// The `__index__` value of `v` as an `i64`, or the error `out_of_range` makes.
pub(crate) fn index_in_i64(
    vm: &mut Vm,
    v: &Value,
    out_of_range: impl FnOnce(&mut Vm) -> Obj,
) -> PyResult<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(b.get() as i64),
        _ => {
            let b = bigint_index(vm, v)?;
            b.to_i64().ok_or_else(|| out_of_range(vm))
        }
    }
}

/// The big-int value of an int-like (`__index__`), with CPython's `TypeError`.
pub fn bigint_index(vm: &mut Vm, v: &Value) -> PyResult<BigInt> {
    if let Some(b) = num::to_bigint(v) {
        return Ok(b);
    }
    let cls = vm.class_of(v).clone();
    if let Some(f) = lookup(&cls, &vm.names.__index__.clone()) {
        let r = vm.call_slot(&f, std::slice::from_ref(v))?;
        if let Some(b) = num::to_bigint(&r) {
            return Ok(b);
        }
        return Err(vm.new_type_error(format!(
            "__index__ returned non-int (type {})",
            vm.type_name(&r)
        )));
    }
    Err(vm.new_type_error(format!(
        "'{}' object cannot be interpreted as an integer",
        vm.type_name(v)
    )))
}

/// `int(s)` in base 10 for the common text: optional ASCII whitespace around an optional
/// sign and 1 to 18 ASCII digits (always an `i64`). `None` for anything else, which the
/// general parser decides (underscores, Unicode digits and spaces, longer numbers, errors).
#[inline]
pub fn parse_small_decimal(s: &str) -> Option<i64> {
    let b = s.as_bytes().trim_ascii();
    let (neg, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(if neg { -v } else { v })
}

/// Why [`parse_int`] refused a string.
pub enum ParseIntError {
    /// Not an int literal in the base (`invalid literal for int() ...`).
    Invalid,
    /// More digits than `sys.get_int_max_str_digits()` in a base that is not a power of
    /// two: how many.
    TooManyDigits(usize),
}

impl ParseIntError {
    /// The exception for `int(text, base)`: CPython's `ValueError` message (the invalid
    /// literal's message shows `repr(x)` of the argument, truncated to 200 characters).
    pub fn to_exception(&self, vm: &mut Vm, x: &Value, base: i64) -> PyResult<Obj> {
        Ok(match self {
            ParseIntError::TooManyDigits(n) => vm.new_value_error(format!(
                "Exceeds the limit ({} digits) for integer string conversion: value has {n} \
                 digits; use sys.set_int_max_str_digits() to increase the limit",
                crate::format::int_max_str_digits()
            )),
            ParseIntError::Invalid => {
                let r = vm.repr(x)?;
                let r: String = r.as_str().chars().take(200).collect();
                vm.new_value_error(format!("invalid literal for int() with base {base}: {r}"))
            }
        })
    }
}

/// Parses an int literal as `int(s, base)` does, refusing more digits than
/// `sys.get_int_max_str_digits()` in bases that are not powers of two (the limit is
/// checked on the run of digits before anything invalid, as CPython does).
pub fn parse_int(s: &str, base: u32) -> Result<BigInt, ParseIntError> {
    if base == 10 {
        if let Some(v) = parse_small_decimal(s) {
            return Ok(BigInt::from(v));
        }
    }
    let s = crate::unicode::decimal_and_space_to_ascii(s);
    let t = s.trim_matches(crate::unicode::is_space);
    let (neg, mut body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut base = base;
    let lower = body.to_ascii_lowercase();
    let prefixed = |p: &str| lower.starts_with(p);
    if base == 0 {
        if prefixed("0x") {
            base = 16;
            body = &body[2..];
        } else if prefixed("0o") {
            base = 8;
            body = &body[2..];
        } else if prefixed("0b") {
            base = 2;
            body = &body[2..];
        } else {
            base = 10;
            if body.len() > 1
                && body.starts_with('0')
                && body.bytes().any(|b| b != b'0' && b != b'_')
            {
                return Err(ParseIntError::Invalid);
            }
        }
        if body.starts_with('_') {
            body = &body[1..];
        }
    } else if (base == 16 && prefixed("0x"))
        || (base == 8 && prefixed("0o"))
        || (base == 2 && prefixed("0b"))
    {
        body = &body[2..];
        if body.starts_with('_') {
            body = &body[1..];
        }
    }
    let limit = crate::format::int_max_str_digits();
    if limit > 0 && !base.is_power_of_two() && body.len() > limit {
        // The digits CPython's scan reads before it stops (single underscores between
        // digits are skipped).
        let mut count = 0;
        let mut underscore = false;
        for c in body.bytes() {
            if c == b'_' && !underscore && count > 0 {
                underscore = true;
                continue;
            }
            if !(c as char).is_digit(base) {
                break;
            }
            underscore = false;
            count += 1;
        }
        if count > limit {
            return Err(ParseIntError::TooManyDigits(count));
        }
    }
    if body.is_empty() || body.starts_with('_') || body.ends_with('_') || body.contains("__") {
        return Err(ParseIntError::Invalid);
    }
    let digits: String = body.chars().filter(|&c| c != '_').collect();
    if !digits.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ParseIntError::Invalid); // BigInt's parser would accept a second sign
    }
    let v = BigInt::parse_bytes(digits.as_bytes(), base).ok_or(ParseIntError::Invalid)?;
    Ok(if neg { -v } else { v })
}

fn int_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = a.pos[0].as_obj().cloned().expect("class");
    let args = Args {
        pos: &a.pos[1..],
        kw: a.kw,
    };
    args.check_kwargs(vm, "int", &["base"])?;
    if args.len() > 2 {
        return Err(vm.new_type_error(format!(
            "int() takes at most 2 arguments ({} given)",
            args.len()
        )));
    }
    let x = args.arg(0, "x").cloned();
    let base = args.arg(1, "base").cloned();
    let value = match (x, base) {
        (None, None) => Value::Int(0),
        (None, Some(_)) => return Err(vm.new_type_error("int() missing string argument")),
        (Some(x), base) => {
            if let Some(base) = base {
                // A base past i64 is as out of range as any other.
                let b = bigint_index(vm, &base)?.to_i64().unwrap_or(-1);
                if b != 0 && !(2..=36).contains(&b) {
                    return Err(vm.new_value_error("int() base must be >= 2 and <= 36, or 0"));
                }
                let text = match (x.as_str(), super::bytes::as_bytes(&x)) {
                    (Some(s), _) => s.as_str().to_string(),
                    (None, Some(b)) => String::from_utf8_lossy(&b).into_owned(),
                    _ => {
                        return Err(
                            vm.new_type_error("int() can't convert non-string with explicit base")
                        )
                    }
                };
                match parse_int(&text, b as u32) {
                    Ok(v) => num::int_value(vm, v),
                    Err(e) => return Err(e.to_exception(vm, &x, b)?),
                }
            } else {
                to_int(vm, &x)?
            }
        }
    };
    if std::rc::Rc::ptr_eq(&cls, &vm.types.int) {
        return Ok(value);
    }
    let inst = vm.new_instance(&cls)?;
    let b = num::to_bigint(&value).unwrap_or_default();
    Ok(rebuild(vm, &inst, Payload::Int(b)))
}

/// Re-creates a subclass instance with a new payload (immutable built-in bases).
pub(super) fn rebuild(vm: &mut Vm, inst: &Value, payload: Payload) -> Value {
    let Value::Obj(o) = inst else {
        return inst.clone();
    };
    let cls = o.class_raw().cloned().expect("class");
    let obj = match o.dict.get() {
        Some(d) => Object::with_dict(cls, payload, d.clone()),
        None => Object::new(cls, payload),
    };
    Value::Obj(vm.track(obj))
}

/// `int(x)`.
pub fn to_int(vm: &mut Vm, x: &Value) -> PyResult {
    match num::num(x) {
        Some(Num::Int(i)) => return Ok(Value::Int(i)),
        Some(Num::Big(b)) => return Ok(num::int_value(vm, b.clone())),
        Some(Num::Float(f)) => {
            if f.is_nan() {
                return Err(vm.new_value_error("cannot convert float NaN to integer"));
            }
            if f.is_infinite() {
                return Err(vm.new_overflow_error("cannot convert float infinity to integer"));
            }
            let t = f.trunc();
            if t.abs() < 9.2e18 {
                return Ok(Value::Int(t as i64));
            }
            return Ok(num::int_value(
                vm,
                num_traits::FromPrimitive::from_f64(t).unwrap_or_default(),
            ));
        }
        None => {}
    }
    if let Some(s) = x.as_str() {
        if let Some(v) = parse_small_decimal(s.as_str()) {
            return Ok(Value::Int(v));
        }
        return match parse_int(s.as_str(), 10) {
            Ok(v) => Ok(num::int_value(vm, v)),
            Err(e) => Err(e.to_exception(vm, x, 10)?),
        };
    }
    if let Some(b) = super::bytes::as_bytes(x) {
        let s = String::from_utf8_lossy(&b).into_owned();
        return match parse_int(&s, 10) {
            Ok(v) => Ok(num::int_value(vm, v)),
            Err(e) => Err(e.to_exception(vm, x, 10)?),
        };
    }
    let cls = vm.class_of(x).clone();
    for name in ["__int__", "__index__", "__trunc__"] {
        if let Some(f) = vm.lookup_dunder(&cls, name) {
            let r = vm.call_slot(&f, std::slice::from_ref(x))?;
            if num::to_bigint(&r).is_some() {
                return Ok(plain_number(vm, &r));
            }
            return Err(vm.new_type_error(format!(
                "{name} returned non-int (type {})",
                vm.type_name(&r)
            )));
        }
    }
    Err(vm.new_type_error(format!(
        "int() argument must be a string, a bytes-like object or a real number, not '{}'",
        vm.type_name(x)
    )))
}

fn bool_new(vm: &mut Vm, a: Args) -> PyResult {
    let args = Args {
        pos: &a.pos[1..],
        kw: a.kw,
    };
    args.no_kwargs(vm, "bool")?;
    args.check_count(vm, "bool", 0, 1)?;
    match args.get(0) {
        Some(v) => vm.is_true(v).map(Value::bool),
        None => Ok(Value::Bool(Bool::FALSE)),
    }
}

/// Parses a float literal as `float(s)` does.
pub fn parse_float(s: &str) -> Option<f64> {
    // The common text: ASCII digits, point, exponent and signs only, which Rust's parser
    // reads exactly as Python does (no underscores, names or Unicode to look at first).
    let t = s.as_bytes().trim_ascii();
    if !t.is_empty()
        && t.iter()
            .all(|&c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return std::str::from_utf8(t).ok()?.parse::<f64>().ok();
    }
    let s = crate::unicode::decimal_and_space_to_ascii(s);
    let t = s.trim_matches(crate::unicode::is_space);
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    let neg = lower.starts_with('-');
    let special = match body {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(crate::num::fresh_nan(false)),
        _ => None,
    };
    if let Some(v) = special {
        if lower.len() - body.len() > 1 {
            return None;
        }
        return Some(if neg { -v } else { v });
    }
    if t.is_empty() || t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return None;
    }
    // Underscores only between digits.
    let bytes = t.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_'
            && !(i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(|c| c.is_ascii_digit()))
        {
            return None;
        }
    }
    let clean: String = t.chars().filter(|&c| c != '_').collect();
    if clean
        .chars()
        .any(|c| !(c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')))
    {
        return None;
    }
    clean.parse::<f64>().ok()
}

fn float_new(vm: &mut Vm, a: Args) -> PyResult {
    let cls = a.pos[0].as_obj().cloned().expect("class");
    let args = Args {
        pos: &a.pos[1..],
        kw: a.kw,
    };
    args.no_kwargs(vm, "float")?;
    args.check_count(vm, "float", 0, 1)?;
    let v = match args.get(0) {
        None => 0.0,
        Some(x) => to_float(vm, x)?,
    };
    if std::rc::Rc::ptr_eq(&cls, &vm.types.float) {
        return Ok(Value::float(v));
    }
    let inst = vm.new_instance(&cls)?;
    Ok(rebuild(vm, &inst, Payload::Float(v)))
}

/// `x.__float__()` when `x` is an instance of a class defined by a `class` statement that
/// defines or inherits `__float__` (an `int` subclass's own `__float__` wins over its value,
/// as CPython's `nb_float` slot does); `None` otherwise.
pub fn heap_float(vm: &mut Vm, x: &Value) -> PyResult<Option<f64>> {
    if !vm.is_heap(x) {
        return Ok(None);
    }
    let cls = vm.class_of(x).clone();
    let Some(f) = lookup(&cls, &vm.names.__float__.clone()) else {
        return Ok(None);
    };
    let r = vm.call_slot(&f, std::slice::from_ref(x))?;
    match num::num(&r) {
        Some(Num::Float(f)) => Ok(Some(f)),
        _ => Err(vm.new_type_error(format!(
            "{}.__float__ returned non-float (type {})",
            vm.type_name(x),
            vm.type_name(&r)
        ))),
    }
}

/// `float(x)`.
pub fn to_float(vm: &mut Vm, x: &Value) -> PyResult<f64> {
    if let Some(f) = heap_float(vm, x)? {
        return Ok(f);
    }
    if let Some(n) = num::num(x) {
        return num::int_to_f64(vm, &n);
    }
    if let Some(s) = x.as_str() {
        return match parse_float(s.as_str()) {
            Some(f) => Ok(f),
            None => {
                let r = vm.repr(x)?;
                Err(vm
                    .new_value_error(format!("could not convert string to float: {}", r.as_str())))
            }
        };
    }
    if let Some(b) = super::bytes::as_bytes(x) {
        let parsed = std::str::from_utf8(&b).ok().and_then(parse_float);
        return match parsed {
            Some(f) => Ok(f),
            None => {
                let r = vm.repr(x)?;
                Err(vm
                    .new_value_error(format!("could not convert string to float: {}", r.as_str())))
            }
        };
    }
    let cls = vm.class_of(x).clone();
    if let Some(f) = lookup(&cls, &vm.names.__float__.clone()) {
        let r = vm.call_slot(&f, std::slice::from_ref(x))?;
        return match r {
            Value::Float(f) => Ok(f.get()),
            _ => Err(vm.new_type_error(format!(
                "{}.__float__ returned non-float (type {})",
                vm.type_name(x),
                vm.type_name(&r)
            ))),
        };
    }
    if let Some(f) = lookup(&cls, &vm.names.__index__.clone()) {
        let r = vm.call_slot(&f, std::slice::from_ref(x))?;
        if let Some(n) = num::num(&r) {
            return num::int_to_f64(vm, &n);
        }
    }
    Err(vm.new_type_error(format!(
        "float() argument must be a string or a real number, not '{}'",
        vm.type_name(x)
    )))
}

fn int_bit_length(vm: &mut Vm, a: Args) -> PyResult {
    let b = bigint_index(vm, &a.pos[0])?;
    Ok(Value::Int(b.bits() as i64))
}

fn int_bit_count(vm: &mut Vm, a: Args) -> PyResult {
    let b = bigint_index(vm, &a.pos[0])?;
    let (_, bytes) = b.abs().to_bytes_le();
    Ok(Value::Int(
        bytes.iter().map(|x| x.count_ones() as i64).sum(),
    ))
}

/// The `byteorder` argument of `to_bytes`/`from_bytes` (`"big"` by default).
fn byteorder_arg(vm: &mut Vm, a: &Args, fname: &str) -> PyResult<String> {
    match a.arg(2, "byteorder") {
        Some(o) => match o.as_str() {
            Some(s) => Ok(s.as_str().to_string()),
            None => Err(vm.new_type_error(format!(
                "{fname}() argument 'byteorder' must be str, not {}",
                vm.type_name(o)
            ))),
        },
        None => Ok("big".into()),
    }
}

fn int_to_bytes(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "to_bytes", 0, 2, 3)?;
    a.check_kwargs(vm, "to_bytes", &["length", "byteorder", "signed"])?;
    let b = bigint_index(vm, &a.pos[0])?;
    let length = match a.arg(1, "length") {
        Some(l) => ssize_of(vm, l)?,
        None => 1,
    };
    if length < 0 {
        return Err(vm.new_value_error("length argument must be non-negative"));
    }
    let order = byteorder_arg(vm, &a, "to_bytes")?;
    let signed = match a.kwarg("signed") {
        Some(s) => vm.is_true(&s.clone())?,
        None => false,
    };
    if !signed && b.is_negative() {
        return Err(vm.new_overflow_error("can't convert negative int to unsigned"));
    }
    let mut bytes = if signed {
        b.to_signed_bytes_le()
    } else {
        b.to_bytes_le().1
    };
    if b.is_zero() {
        bytes = vec![];
    }
    if bytes.len() > length as usize {
        return Err(vm.new_overflow_error("int too big to convert"));
    }
    let fill = if signed && b.is_negative() { 0xff } else { 0 };
    vm.check_allocation(length as usize)?;
    bytes.resize(length as usize, fill);
    match order.as_str() {
        "big" => bytes.reverse(),
        "little" => {}
        _ => return Err(vm.new_value_error("byteorder must be either 'little' or 'big'")),
    }
    Ok(super::bytes_const(&vm.types, bytes))
}

fn int_from_bytes(vm: &mut Vm, a: Args) -> PyResult {
    a.method_clinic_count(vm, "from_bytes", 0, 2, 3)?;
    a.check_kwargs(vm, "from_bytes", &["bytes", "byteorder", "signed"])?;
    let Some(data) = a.arg(1, "bytes").cloned() else {
        return Err(vm.new_type_error("from_bytes() missing required argument 'bytes' (pos 1)"));
    };
    let order = byteorder_arg(vm, &a, "from_bytes")?;
    let bytes = match super::bytes::as_bytes(&data) {
        Some(b) => b,
        None => {
            // As `bytes(x)`: any iterable of ints, but not a str.
            let cls = vm.class_of(&data).clone();
            if data.as_str().is_some() || vm.lookup(&cls, &vm.names.__iter__.clone()).is_none() {
                return Err(vm.new_type_error(format!(
                    "cannot convert '{}' object to bytes",
                    vm.type_name(&data)
                )));
            }
            vm.collect(&data)?
                .iter()
                .map(|v| match v {
                    Value::Int(i) => *i as u8,
                    _ => 0,
                })
                .collect()
        }
    };
    let signed = match a.kwarg("signed") {
        Some(s) => vm.is_true(&s.clone())?,
        None => false,
    };
    let mut le = bytes;
    if order == "big" {
        le.reverse();
    }
    let v = if signed {
        BigInt::from_signed_bytes_le(&le)
    } else {
        BigInt::from_bytes_le(num_bigint::Sign::Plus, &le)
    };
    Ok(num::int_value(vm, v))
}

fn int_pos(vm: &mut Vm, a: Args) -> PyResult {
    Ok(plain_number(vm, &a.pos[0]))
}

fn int_float(vm: &mut Vm, a: Args) -> PyResult {
    let v = plain_number(vm, &a.pos[0]);
    to_float(vm, &v).map(Value::float)
}

fn int_abs(vm: &mut Vm, a: Args) -> PyResult {
    let p = plain_number(vm, &a.pos[0]);
    let abs = vm.intern("abs");
    let f = vm.builtin(&abs).unwrap_or(Value::None);
    vm.call(&f, &[p], &[])
}

fn int_ratio(vm: &mut Vm, a: Args) -> PyResult {
    let p = plain_number(vm, &a.pos[0]);
    Ok(vm.new_tuple(vec![p, Value::Int(1)]))
}

fn float_of(v: &Value) -> f64 {
    match num::num(v) {
        Some(Num::Float(f)) => f,
        Some(Num::Int(i)) => i as f64,
        _ => 0.0,
    }
}

/// `float.__getnewargs__()`: `(float(self),)`, what `copyreg.__newobj__` rebuilds a float
/// subclass from.
fn float_getnewargs(vm: &mut Vm, a: Args) -> PyResult {
    let f = Value::float(float_of(&a.pos[0]));
    Ok(vm.new_tuple(vec![f]))
}

fn float_is_integer(_vm: &mut Vm, a: Args) -> PyResult {
    let f = float_of(&a.pos[0]);
    Ok(Value::bool(f.is_finite() && f.fract() == 0.0))
}

fn float_ratio(vm: &mut Vm, a: Args) -> PyResult {
    let f = float_of(&a.pos[0]);
    if f.is_infinite() {
        return Err(vm.new_overflow_error("cannot convert Infinity to integer ratio"));
    }
    if f.is_nan() {
        return Err(vm.new_value_error("cannot convert NaN to integer ratio"));
    }
    let bits = f.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let mant = if exp == 0 {
        (bits & ((1 << 52) - 1)) << 1
    } else {
        (bits & ((1 << 52) - 1)) | (1 << 52)
    };
    let mut e = exp - 1075;
    // The denominator is a power of two: reduce by the mantissa's trailing zeros instead
    // of a big-int gcd, and stay in machine words where the result fits.
    let mut mant = mant;
    if mant == 0 {
        e = 0;
    } else if e < 0 {
        let shift = (mant.trailing_zeros() as i64).min(-e);
        mant >>= shift;
        e += shift;
    }
    let sign = if f < 0.0 { -1 } else { 1 };
    if e < 0 && -e <= 62 {
        let n = Value::Int(sign * mant as i64);
        return Ok(vm.new_tuple(vec![n, Value::Int(1i64 << -e)]));
    }
    let mut n = BigInt::from(mant) * sign;
    let mut d = BigInt::one();
    if e > 0 {
        n <<= e as usize;
    } else {
        d <<= (-e) as usize;
    }
    let n = num::int_value(vm, n);
    let d = num::int_value(vm, d);
    Ok(vm.new_tuple(vec![n, d]))
}

fn float_pos(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::float(float_of(&a.pos[0])))
}

fn float_int(vm: &mut Vm, a: Args) -> PyResult {
    to_int(vm, &Value::float(float_of(&a.pos[0])))
}

fn float_floor(vm: &mut Vm, a: Args) -> PyResult {
    to_int(vm, &Value::float(float_of(&a.pos[0]).floor()))
}

fn float_ceil(vm: &mut Vm, a: Args) -> PyResult {
    to_int(vm, &Value::float(float_of(&a.pos[0]).ceil()))
}

/// `float.__round__(ndigits=None)`.
fn float_round(vm: &mut Vm, a: Args) -> PyResult {
    a.method_count(vm, "__round__", 0, 1)?;
    let v = Value::float(float_of(&a.pos[0]));
    let nd = a.pos.get(1).cloned().unwrap_or(Value::None);
    round(vm, &v, &nd)
}

/// `divmod(x, y)` for `float.__divmod__`/`__rdivmod__`: `NotImplemented` unless both are
/// ints or floats, as CPython's `float_divmod`.
fn float_divmod_of(vm: &mut Vm, x: &Value, y: &Value) -> PyResult {
    let (Some(_), Some(_)) = (num::num(x), num::num(y)) else {
        return Ok(vm.not_implemented.clone());
    };
    let (x, y) = (plain_number(vm, x), plain_number(vm, y));
    super::functions::divmod(vm, Args::new(&[x, y]))
}

fn float_divmod(vm: &mut Vm, a: Args) -> PyResult {
    float_divmod_of(vm, &a.pos[0], &a.pos[1])
}

fn float_rdivmod(vm: &mut Vm, a: Args) -> PyResult {
    float_divmod_of(vm, &a.pos[1], &a.pos[0])
}

fn float_hex(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::str(crate::format::float_hex::to_hex(float_of(
        &a.pos[0],
    ))))
}

/// `float.fromhex(s)` (a class method: subclasses get `cls(value)`).
fn float_fromhex(vm: &mut Vm, a: Args) -> PyResult {
    use crate::format::float_hex::{from_hex, FromHexError};
    a.method_count(vm, "fromhex", 1, 1)?;
    let Some(s) = a.pos[1].as_str() else {
        return Err(vm.new_type_error(format!(
            "fromhex() argument must be str, not {}",
            vm.type_name(&a.pos[1])
        )));
    };
    let f = match from_hex(s.as_str()) {
        Ok(f) if f.is_nan() => crate::num::fresh_nan(f.is_sign_negative()),
        Ok(f) => f,
        Err(FromHexError::Invalid) => {
            return Err(vm.new_value_error("invalid hexadecimal floating-point string"))
        }
        Err(FromHexError::Overflow) => {
            return Err(vm.new_overflow_error("hexadecimal value too large to represent as a float"))
        }
    };
    let cls = a.pos[0].clone();
    if cls.is(&Value::Obj(vm.types.float.clone())) {
        return Ok(Value::float(f));
    }
    vm.call(&cls, &[Value::float(f)], &[])
}

/// The modular inverse of `a` mod `m`.
pub fn mod_inverse(a: &BigInt, m: &BigInt) -> Option<BigInt> {
    let e = a.extended_gcd(m);
    if !e.gcd.is_one() && e.gcd != -BigInt::one() {
        return None;
    }
    Some(e.x.mod_floor(m))
}

/// `round(v, ndigits)`.
pub fn round(vm: &mut Vm, v: &Value, nd: &Value) -> PyResult {
    if vm.is_heap(v) {
        let cls = vm.class_of(v).clone();
        if let Some(f) = lookup(&cls, &vm.names.__round__.clone()) {
            let args = if nd.is_none() {
                vec![v.clone()]
            } else {
                vec![v.clone(), nd.clone()]
            };
            return vm.call_slot(&f, &args);
        }
    }
    match num::num(v) {
        Some(Num::Float(f)) => {
            if nd.is_none() {
                if f.is_nan() {
                    return Err(vm.new_value_error("cannot convert float NaN to integer"));
                }
                if f.is_infinite() {
                    return Err(vm.new_overflow_error("cannot convert float infinity to integer"));
                }
                let r = f.round_ties_even();
                return to_int(vm, &Value::float(r));
            }
            // CPython clamps ndigits to a C ssize_t.
            let n = bigint_index(vm, nd)?;
            let n = n
                .to_i64()
                .unwrap_or(if n.is_negative() { i64::MIN } else { i64::MAX });
            match round_float(f, n) {
                Some(r) => Ok(Value::float(r)),
                None => Err(vm.new_overflow_error("rounded value too large to represent")),
            }
        }
        Some(Num::Int(_)) | Some(Num::Big(_)) => {
            let b = num::to_bigint(v).unwrap_or_default();
            if nd.is_none() {
                return Ok(num::int_value(vm, b));
            }
            let n = bigint_index(vm, nd)?;
            if !n.is_negative() {
                return Ok(num::int_value(vm, b));
            }
            // 10**-n beyond 2*|b| rounds to 0 (a tie goes to the even 0), however large -n is.
            let shift = (-n).to_u64().filter(|&s| s <= b.bits() / 3 + 2);
            let Some(shift) = shift else {
                return Ok(Value::Int(0));
            };
            let p = num_traits::pow(BigInt::from(10), shift as usize);
            let (q, r) = b.div_mod_floor(&p);
            let twice = &r * 2;
            let q = if twice > p || (twice == p && q.is_odd()) {
                q + 1
            } else {
                q
            };
            Ok(num::int_value(vm, q * p))
        }
        None => Err(vm.new_type_error(format!(
            "type {} doesn't define __round__ method",
            vm.type_name(v)
        ))),
    }
}

/// Correctly rounded `round(f, n)`, as CPython's `double_round`: the exact decimal value of
/// `f` rounded half-even at the `10**-n` position (dtoa mode 3), then converted back to the
/// nearest float (strtod). `None` when the rounded value is too large for a float.
pub fn round_float(f: f64, n: i64) -> Option<f64> {
    // CPython's NDIGITS_MAX and NDIGITS_MIN: beyond them `f` rounds to itself or to zero.
    if !f.is_finite() || f == 0.0 || n > 323 {
        return Some(f);
    }
    if n < -308 {
        return Some(0.0f64.copysign(f));
    }
    // f = mant * 2**exp exactly.
    let bits = f.to_bits();
    let raw_exp = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & 0x000f_ffff_ffff_ffff;
    let (mant, exp) = if raw_exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), raw_exp - 1075)
    };
    // q = round_half_even(|f| * 10**n), as the ratio num / den of integers.
    let mut num = BigInt::from(mant) << exp.max(0) as usize;
    let mut den = BigInt::one() << (-exp).max(0) as usize;
    let ten = num_traits::pow(BigInt::from(10), n.unsigned_abs() as usize);
    if n >= 0 {
        num *= ten;
    } else {
        den *= ten;
    }
    let (q, r) = num.div_rem(&den);
    let twice: BigInt = r << 1usize;
    let q = if twice > den || (twice == den && q.is_odd()) {
        q + 1
    } else {
        q
    };
    let sign = if f.is_sign_negative() { "-" } else { "" };
    // Rust's float parsing is correctly rounded, as strtod.
    let rounded: f64 = format!("{sign}{q}e{}", -n).parse().ok()?;
    rounded.is_finite().then_some(rounded)
}

/// `float.imag`: always `0.0`.
fn float_zero(_vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::float(0.0))
}

/// Number attributes: `real`, `imag`, `numerator`, `denominator`.
pub fn number_attr(vm: &mut Vm, v: &Value, name: &str) -> PyResult<Option<Value>> {
    if let Some((re, im)) = super::complex_parts(v) {
        return Ok(match name {
            "real" => Some(Value::float(re)),
            "imag" => Some(Value::float(im)),
            _ => None,
        });
    }
    let Some(n) = num::num(v) else {
        return Ok(None);
    };
    let plain = plain_number(vm, v);
    Ok(match (n, name) {
        (Num::Float(_), "real") => Some(plain),
        (Num::Float(_), "imag") => Some(Value::float(0.0)),
        (_, "real" | "numerator") => Some(plain),
        (_, "imag") => Some(Value::Int(0)),
        (_, "denominator") => Some(Value::Int(1)),
        _ => None,
    })
}

#[allow(dead_code)]
fn unused(_: Rc<()>) {}
