//! `_c_type_names`, the native that modules written in aio standing for a C module
//! (`datetime`, `decimal`) call on their classes, so that messages name them as the C
//! types' `tp_name` does (`'datetime.date'`, `'decimal.Decimal'`).

use aio_vm::native::Args;
use aio_vm::{PyResult, Value, Vm};

/// `_c_type_names(*classes)`: messages name each class `MODULE.NAME`, from its `__module__`
/// and `__name__` (see [`aio_vm::types::set_c_type_name`]).
pub(crate) fn c_type_names(vm: &mut Vm, a: Args) -> PyResult {
    a.no_kwargs(vm, "_c_type_names")?;
    let key = vm.intern("__module__");
    for cls in a.pos.iter() {
        match cls {
            Value::Obj(c) if c.as_type().is_some() => {
                let module = match vm.get_attr(cls, &key)? {
                    Value::Str(m) => m.as_str().to_string(),
                    _ => return Err(vm.new_type_error("_c_type_names() needs a __module__")),
                };
                let name = format!("{module}.{}", aio_vm::types::type_name(c));
                aio_vm::types::set_c_type_name(c, &name);
            }
            _ => return Err(vm.new_type_error("_c_type_names() takes classes")),
        }
    }
    Ok(Value::None)
}
