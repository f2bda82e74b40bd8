//! `datetime`: CPython 3.11's pure-Python module (`lib/datetime.aio`) with the messages of
//! its C accelerator `_datetime`, over two natives: `_strptime` (`_strptime._strptime`, from
//! `time`'s parser) and `_c_type_names`, which names the classes `datetime.date`, ... in
//! messages as the C types' `tp_name` does.

use aio_vm::{Obj, PyResult, Vm};

/// Initialises the `datetime` module.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    aio_vm::module::ModuleBuilder::new(vm, m)
        .function("_strptime", crate::time::strptime_parts)
        .function("_c_type_names", crate::c_type_names::c_type_names);
    crate::source::run(
        vm,
        m,
        &[("lib/datetime.aio", include_str!("lib/datetime.aio"))],
    )
}

#[cfg(test)]
mod tests {
    use crate::source::tests::run;

    #[test]
    fn messages_name_the_c_types_but_not_subclasses() {
        run("import datetime\n\
             try:\n    datetime.date(2020, 1, 1) + 1\nexcept TypeError as e:\n    m = str(e)\n\
             assert m == \"unsupported operand type(s) for +: 'datetime.date' and 'int'\", m\n\
             class D(datetime.date): pass\n\
             try:\n    D(2020, 1, 1) < 1\nexcept TypeError as e:\n    m = str(e)\n\
             assert m == \"'<' not supported between instances of 'D' and 'int'\", m\n\
             assert datetime.date.__name__ == 'date' and repr(D(2020, 1, 2)) == 'D(2020, 1, 2)'\n");
    }

    #[test]
    fn strptime_keeps_fractions_and_offsets() {
        run("import datetime\n\
             d = datetime.datetime.strptime('10:11:12.5 -01:30:15.25', '%H:%M:%S.%f %z')\n\
             assert d.microsecond == 500000\n\
             assert d.utcoffset() == -datetime.timedelta(seconds=5415, microseconds=250000)\n");
    }
}
