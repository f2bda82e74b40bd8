//! The `__future__` module. Every feature it names is already on in aio (it follows
//! CPython 3.11), except `annotations`, which the compiler honours by keeping annotations as
//! source strings. The features are plain names here: their CPython `_Feature` objects carry
//! release tuples that no program needs.

use crate::value::Bool;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};

/// The feature names, in CPython's order (`__future__.all_feature_names`).
pub const FEATURES: [&str; 10] = [
    "nested_scopes",
    "generators",
    "division",
    "absolute_import",
    "with_statement",
    "print_function",
    "unicode_literals",
    "barry_as_FLUFL",
    "generator_stop",
    "annotations",
];

pub(super) fn install(vm: &mut Vm) {
    vm.register_module("__future__", init);
}

fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("globals");
    let names: Vec<Value> = FEATURES.iter().map(|f| Value::str(*f)).collect();
    let all = vm.new_list(names);
    vm.dict_set_str(&g, "all_feature_names", all);
    for f in FEATURES {
        vm.dict_set_str(&g, f, Value::Bool(Bool::TRUE));
    }
    Ok(())
}
