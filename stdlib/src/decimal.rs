//! `decimal`: CPython 3.11's pure-Python `_pydecimal` (`lib/decimal.aio`) with the behaviour
//! of the C `_decimal` (libmpdec) that CPython runs: its messages, reprs and signal lists,
//! with its classes named `decimal.Decimal`, ... in messages by `_c_type_names`.

use aio_vm::native::Args;
use aio_vm::{Obj, PyResult, Value, Vm};
use num_bigint::BigInt;

/// `_int_str(n)`: `str(n)` for an int, with no `sys.get_int_max_str_digits()` limit (the C
/// module converts coefficients of any length).
fn int_str(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "_int_str")?;
    match a.pos.first().and_then(aio_vm::num::to_bigint) {
        Some(n) if a.pos.len() == 1 => Ok(Value::str(n.to_string())),
        _ => Err(vm.new_type_error("_int_str() takes an int")),
    }
}

/// `_str_int(s)`: `int(s)` for a string of ASCII digits (a coefficient), with no
/// `sys.get_int_max_str_digits()` limit.
fn str_int(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "_str_int")?;
    let parsed = match a.pos.first() {
        Some(Value::Str(s)) if a.pos.len() == 1 => BigInt::parse_bytes(s.as_str().as_bytes(), 10),
        _ => None,
    };
    match parsed {
        Some(n) => Ok(aio_vm::num::int_value(vm, n)),
        None => Err(vm.new_value_error("_str_int() takes a string of digits")),
    }
}

/// Initialises the `decimal` module.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    aio_vm::module::ModuleBuilder::new(vm, m)
        .function("_c_type_names", crate::c_type_names::c_type_names)
        .function("_int_str", int_str)
        .function("_str_int", str_int);
    crate::source::run(
        vm,
        m,
        &[("lib/decimal.aio", include_str!("lib/decimal.aio"))],
    )
}

#[cfg(test)]
mod tests {
    use crate::source::tests::run;

    #[test]
    fn messages_name_the_c_types_and_signals_list_conditions() {
        run("import decimal\n\
             try:\n    decimal.Decimal(1) + 1.5\nexcept TypeError as e:\n    m = str(e)\n\
             assert m == \"unsupported operand type(s) for +: 'decimal.Decimal' and 'float'\", m\n\
             class D(decimal.Decimal): pass\n\
             try:\n    D(1) + 1.5\nexcept TypeError as e:\n    m = str(e)\n\
             assert m == \"unsupported operand type(s) for +: 'D' and 'float'\", m\n\
             try:\n    decimal.Decimal(0) / 0\nexcept decimal.InvalidOperation as e:\n    a = e.args\n\
             assert a == ([decimal.DivisionUndefined],), a\n");
    }

    #[test]
    fn coefficients_have_no_digit_limit() {
        run("import decimal\n\
             d = decimal.Decimal(10**5000 + 1)\n\
             assert len(str(d)) == 5001 and int(d) == 10**5000 + 1\n\
             assert hash(d) == hash(10**5000 + 1) and d - 10**5000 == 1 and (d * 2).adjusted() == 5000\n\
             assert decimal._str_int('0012') == 12 and decimal._int_str(-5) == '-5'\n");
    }
}
