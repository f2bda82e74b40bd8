//! `traceback`: CPython 3.11's `Lib/traceback.py` API in aio (`traceback.aio`:
//! `print_exc`, `format_exc`, `print_exception`, `format_exception`,
//! `format_exception_only`, `print_tb`/`format_tb`/`extract_tb`, `print_stack`/
//! `format_stack`/`extract_stack`, `FrameSummary`, `StackSummary`) over three natives that
//! reuse the VM's report of uncaught exceptions (`vm/src/report.rs`), so both print the
//! same frames, source lines and carets.

use aio_vm::builtins::module_native;
use aio_vm::native::{Args, NativeImpl};
use aio_vm::object::Payload;
use aio_vm::{Obj, PyResult, Value, Vm};

const SOURCE: crate::source::Source = ("traceback/traceback.aio", include_str!("traceback.aio"));

type Native = fn(&mut Vm, Args) -> PyResult;

/// Initialises `traceback`.
pub fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    // The module's own frames (`print_exc` calling `format_exception`...) are no part of
    // the stacks it reports.
    vm.hidden_sources.insert(SOURCE.0.to_string());
    let g = vm.module_globals(m).expect("a module has globals");
    let natives: [(&str, Native); 3] = [
        ("_format_exception", format_exception),
        ("_format_exception_only", format_exception_only),
        ("_extract", extract),
    ];
    for (name, f) in natives {
        let f = module_native(vm, "traceback", name, NativeImpl::Fn(f));
        vm.dict_set_str(&g, name, f);
    }
    crate::source::run(vm, m, &[SOURCE])
}

/// The exception object `v`, or a `TypeError`.
fn exception(vm: &mut Vm, v: &Value) -> PyResult<Obj> {
    match v {
        Value::Obj(o) if matches!(o.payload, Payload::Exception(_)) => Ok(o.clone()),
        _ => Err(vm.new_type_error(format!(
            "Exception expected for value, {} found",
            vm.type_name(v)
        ))),
    }
}

fn strings(vm: &mut Vm, items: Vec<String>) -> Value {
    let items = items.into_iter().map(Value::str).collect();
    vm.new_list(items)
}

/// `_format_exception(exc, limit, chain, tb)`: the strings of `format_exception`, with
/// the frames of traceback object `tb` (none for `None`) as `exc`'s.
fn format_exception(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_format_exception", 4, 4)?;
    let e = exception(vm, &a.pos[0])?;
    let limit = match &a.pos[1] {
        Value::None => None,
        v => Some(aio_vm::module::to_index_i64(vm, v)?),
    };
    let chain = vm.is_true(&a.pos[2])?;
    let tb = vm.traceback_object_entries(&a.pos[3]);
    let lines = vm.traceback_format_exception(&e, limit, chain, Some(tb));
    Ok(strings(vm, lines))
}

/// `_format_exception_only(exc)`: the strings of `format_exception_only`.
fn format_exception_only(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_format_exception_only", 1, 1)?;
    let e = exception(vm, &a.pos[0])?;
    let lines = vm.traceback_format_exception_only(&e);
    Ok(strings(vm, lines))
}

/// `_extract(tb)`: `(filename, lineno, name, line, formatted)` for each frame of the
/// traceback object `tb` (outermost first), or of the running stack when `tb` is `None`.
fn extract(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_extract", 1, 1)?;
    let (entries, carets) = match &a.pos[0] {
        Value::None => (vm.stack_entries(), false),
        tb => (vm.traceback_object_entries(tb), true),
    };
    let mut out = Vec::new();
    for (s, text) in vm.traceback_summaries(entries, carets) {
        let item = vm.new_tuple(vec![
            Value::str(s.file),
            Value::Int(i64::from(s.line)),
            Value::str(s.name),
            Value::str(s.text),
            Value::str(text),
        ]);
        out.push(item);
    }
    Ok(vm.new_list(out))
}
