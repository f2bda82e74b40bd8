//! `decimal`: CPython 3.11's pure-Python `_pydecimal` (`lib/decimal.aio`) with the behaviour
//! of the C `_decimal` (libmpdec) that CPython runs: its messages, reprs and signal lists,
//! with its classes named `decimal.Decimal`, ... in messages by `_c_type_names`.

use aio_vm::{Obj, PyResult, Vm};

/// Initialises the `decimal` module.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    aio_vm::module::ModuleBuilder::new(vm, m)
        .function("_c_type_names", crate::c_type_names::c_type_names);
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
}
