//! The `sys` module: `argv`, `exit`, `stdout`/`stderr` writers, `getrecursionlimit` /
//! `setrecursionlimit`, `version_info`, `platform`, `maxsize`, `modules`, `path`.

use super::native_fn;
use crate::native::Args;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};

pub(super) fn install(vm: &mut Vm) {
    vm.register_module("sys", init);
}

fn init(vm: &mut Vm, m: &Obj) -> PyResult<()> {
    let g = vm.module_globals(m).expect("globals");
    let argv: Vec<Value> = vm.argv.iter().map(|a| Value::str(a.as_str())).collect();
    let argv = vm.new_list(argv);
    vm.dict_set_str(&g, "argv", argv);
    for (name, f) in [
        ("exit", exit as crate::native::NativeFn),
        ("getrecursionlimit", getrecursionlimit),
        ("setrecursionlimit", setrecursionlimit),
        ("exc_info", exc_info),
        ("exception", exception),
        ("intern", intern),
        ("getsizeof", getsizeof),
        ("set_asyncgen_hooks", set_asyncgen_hooks),
        ("get_asyncgen_hooks", get_asyncgen_hooks),
    ] {
        let f = native_fn(vm, name, None, f);
        vm.dict_set_str(&g, name, f);
    }
    let vi = vm.new_tuple(vec![
        Value::Int(3),
        Value::Int(11),
        Value::Int(7),
        Value::str("final"),
        Value::Int(0),
    ]);
    vm.dict_set_str(&g, "version_info", vi);
    vm.dict_set_str(&g, "version", Value::str("3.11.7 (aio)"));
    vm.dict_set_str(&g, "platform", Value::str(std::env::consts::OS));
    vm.dict_set_str(&g, "maxsize", Value::Int(i64::MAX));
    vm.dict_set_str(&g, "byteorder", Value::str("little"));
    let modules = Value::Obj(vm.modules.clone());
    vm.dict_set_str(&g, "modules", modules);
    let path: Vec<Value> = vm
        .search_path
        .iter()
        .map(|p| Value::str(p.display().to_string()))
        .collect();
    let path = vm.new_list(path);
    vm.dict_set_str(&g, "path", path);
    let stdout = make_stream(vm, "stdout", stdout_write, stdout_flush);
    vm.dict_set_str(&g, "stdout", stdout);
    let stderr = make_stream(vm, "stderr", stderr_write, stderr_flush);
    vm.dict_set_str(&g, "stderr", stderr);
    Ok(())
}

fn make_stream(
    vm: &mut Vm,
    name: &str,
    write: crate::native::NativeFn,
    flush: crate::native::NativeFn,
) -> Value {
    let ns = vm.new_module(name);
    let g = vm.module_globals(&ns).expect("globals");
    let w = native_fn(vm, "write", None, write);
    vm.dict_set_str(&g, "write", w);
    let f = native_fn(vm, "flush", None, flush);
    vm.dict_set_str(&g, "flush", f);
    Value::Obj(ns)
}

fn stdout_write(vm: &mut Vm, a: Args) -> PyResult {
    let s = match a.get(0).and_then(|v| v.as_str()) {
        Some(s) => s.clone(),
        None => {
            return Err(vm.new_type_error(format!(
                "write() argument must be str, not {}",
                a.get(0).map(|v| vm.type_name(v)).unwrap_or_default()
            )))
        }
    };
    vm.write_stdout(s.as_str());
    Ok(Value::Int(s.len() as i64))
}

fn stdout_flush(vm: &mut Vm, _a: Args) -> PyResult {
    vm.flush_stdout();
    Ok(Value::None)
}

fn stderr_write(vm: &mut Vm, a: Args) -> PyResult {
    let s = match a.get(0).and_then(|v| v.as_str()) {
        Some(s) => s.clone(),
        None => return Err(vm.new_type_error("write() argument must be str")),
    };
    vm.flush_stdout();
    eprint!("{}", s.as_str());
    Ok(Value::Int(s.len() as i64))
}

fn stderr_flush(_vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::None)
}

fn exit(vm: &mut Vm, a: Args) -> PyResult {
    let args: Vec<Value> = a.pos.to_vec();
    Err(vm.new_exception(&vm.exc.system_exit.clone(), args))
}

fn getrecursionlimit(vm: &mut Vm, _a: Args) -> PyResult {
    Ok(Value::Int(vm.recursion_limit as i64))
}

fn setrecursionlimit(vm: &mut Vm, a: Args) -> PyResult {
    a.check_count(vm, "setrecursionlimit", 1, 1)?;
    let n = super::int::index_of(vm, &a.pos[0])?;
    if n < 1 {
        return Err(vm.new_value_error("recursion limit must be greater or equal than 1"));
    }
    vm.recursion_limit = n as usize;
    Ok(Value::None)
}

fn exc_info(vm: &mut Vm, _a: Args) -> PyResult {
    match vm.handled_exception() {
        Some(e) => {
            let cls = Value::Obj(vm.class_of(&e).clone());
            Ok(vm.new_tuple(vec![cls, e, Value::None]))
        }
        None => Ok(vm.new_tuple(vec![Value::None, Value::None, Value::None])),
    }
}

fn exception(vm: &mut Vm, _a: Args) -> PyResult {
    Ok(vm.handled_exception().unwrap_or(Value::None))
}

fn intern(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(a.pos[0].clone())
}

fn getsizeof(_vm: &mut Vm, a: Args) -> PyResult {
    Ok(Value::Int(match &a.pos[0] {
        Value::Obj(_) => 64,
        _ => 28,
    }))
}

/// `sys.set_asyncgen_hooks(firstiter=..., finalizer=...)`: an omitted hook keeps its value;
/// each must be callable or `None`.
fn set_asyncgen_hooks(vm: &mut Vm, a: Args) -> PyResult {
    let mut hooks = vm.asyncgen_hooks.clone();
    let names = ["firstiter", "finalizer"];
    if a.pos.len() > 2 {
        return Err(vm.new_type_error(format!(
            "set_asyncgen_hooks() takes at most 2 arguments ({} given)",
            a.pos.len()
        )));
    }
    let mut given: Vec<(&str, Value)> = a
        .pos
        .iter()
        .cloned()
        .zip(names)
        .map(|(v, n)| (n, v))
        .collect();
    for (k, v) in a.kw {
        match names.iter().find(|n| **n == k.as_str()) {
            Some(n) => given.push((n, v.clone())),
            None => {
                return Err(vm.new_type_error(format!(
                    "set_asyncgen_hooks() got an unexpected keyword argument '{}'",
                    k.as_str()
                )))
            }
        }
    }
    for (name, v) in given {
        if !v.is_none() && !super::functions::is_callable(vm, &v) {
            return Err(vm.new_type_error(format!(
                "callable {name} expected, got {}",
                vm.type_name(&v)
            )));
        }
        if name == "firstiter" {
            hooks.0 = v;
        } else {
            hooks.1 = v;
        }
    }
    vm.asyncgen_hooks = hooks;
    Ok(Value::None)
}

/// `sys.get_asyncgen_hooks()`: `(firstiter, finalizer)` (CPython returns a struct sequence
/// with those two fields).
fn get_asyncgen_hooks(vm: &mut Vm, _a: Args) -> PyResult {
    let (f, g) = vm.asyncgen_hooks.clone();
    Ok(vm.new_tuple(vec![f, g]))
}
