//! `@_c_method(name, spec)`: a method of `Future` or `Task` written in aio, called
//! with the argument checks of CPython's C method (`_asyncio.Task.get_name` is
//! `METH_NOARGS`, `set_name` is `METH_O`, `cancel` takes Argument Clinic keywords), so a
//! wrong call gives C's message (`Task.get_name() takes no arguments (1 given)`) instead
//! of a Python function's. Only the error path looks further than the counts.

use aio_vm::builtins::native_closure;
use aio_vm::native::Args;
use aio_vm::{PyResult, Value, Vm};
use std::rc::Rc;

/// How a C method takes its arguments.
enum Spec {
    /// `METH_NOARGS`.
    NoArgs,
    /// `METH_O`: exactly one positional argument.
    One,
    /// Argument Clinic: at most `max_pos` positional, each of `names` by keyword.
    Clinic { max_pos: usize, names: Vec<String> },
}

/// `@_c_method("Class.name", spec)`: a decorator putting a method behind the checks of
/// `spec`: `0` (`METH_NOARGS`), `1` (`METH_O`) or `(max_pos, (names...))` (keywords, as
/// Argument Clinic).
pub(super) fn c_method(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "_c_method", 2, 2)?;
    let Some(name) = a.pos[0].as_str().map(|s| s.as_str().to_string()) else {
        return Err(vm.new_type_error("_c_method: name must be a str"));
    };
    let spec = Rc::new(match &a.pos[1] {
        Value::Int(0) => Spec::NoArgs,
        Value::Int(1) => Spec::One,
        other => {
            let items = vm.collect(other)?;
            let [Value::Int(max_pos), names] = items.as_slice() else {
                return Err(vm.new_type_error("_c_method: bad spec"));
            };
            let names = vm
                .collect(names)?
                .iter()
                .filter_map(|n| n.as_str().map(|s| s.as_str().to_string()))
                .collect();
            Spec::Clinic {
                max_pos: *max_pos as usize,
                names,
            }
        }
    });
    let (class, short) = name.split_once('.').unwrap_or(("Future", &name));
    let (class, short) = (Rc::<str>::from(class), Rc::<str>::from(short));
    let decorate = move |vm: &mut Vm, a: Args| {
        a.check_count(vm, "_c_method", 1, 1)?;
        let func = a.pos[0].clone();
        let (spec, name, owner) = (spec.clone(), short.clone(), class.clone());
        Ok(native_closure(
            vm,
            &short,
            Some(&class),
            Rc::new(move |vm: &mut Vm, a: Args| {
                check(vm, &a, &owner, &name, &spec)?;
                vm.call(&func, a.pos, a.kw)
            }),
        ))
    };
    Ok(native_closure(vm, "_c_method", None, Rc::new(decorate)))
}

/// The checks of `spec` on a call of method `name` of `class` (`a.pos[0]` is the
/// receiver).
fn check(vm: &mut Vm, a: &Args, class: &str, name: &str, spec: &Spec) -> PyResult<()> {
    let n = a.pos.len().saturating_sub(1);
    match spec {
        Spec::NoArgs if a.kw.is_empty() && n == 0 && !a.pos.is_empty() => Ok(()),
        Spec::One if a.kw.is_empty() && n == 1 => Ok(()),
        Spec::NoArgs | Spec::One => {
            let Some(receiver) = a.pos.first() else {
                let msg = format!("unbound method {class}.{name}() needs an argument");
                return Err(vm.new_type_error(msg));
            };
            let qual = format!("{}.{name}", owner(vm, receiver));
            if !a.kw.is_empty() {
                return Err(vm.new_type_error(format!("{qual}() takes no keyword arguments")));
            }
            let max = usize::from(matches!(spec, Spec::One));
            a.method_count(vm, &qual, max, max)
        }
        Spec::Clinic { max_pos, names } => {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            a.method_clinic_count(vm, name, 0, *max_pos, names.len())?;
            a.check_kwargs(vm, name, &names)
        }
    }
}

/// The class a C method's messages name: the receiver's, as CPython's bound built-in
/// methods name it (`MyFuture.result() takes no arguments (1 given)`; a call through the
/// class's method descriptor would name `Future`, which aio does not tell apart).
#[cold]
pub(super) fn owner(vm: &Vm, receiver: &Value) -> String {
    let name = vm.type_name(receiver);
    name.rsplit('.').next().unwrap_or(&name).to_string()
}
