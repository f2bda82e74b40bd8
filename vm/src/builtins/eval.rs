//! `eval(source, globals=None, locals=None)` and `exec(source, globals=None, locals=None,
//! *, closure=None)`. Both run code as a module frame whose namespace is the locals mapping:
//! `eval` an expression compiled in [`Mode::Eval`](crate::Mode::Eval) (its value is the
//! result), `exec` statements compiled in [`Mode::ExecCode`](crate::Mode::ExecCode) (the
//! result is `None`); either accepts a code object made by `compile` (`compile.rs`).
//! Called from a script, the frame is pushed on the running loop like a script call
//! (`Vm::prepare_call`), so nested calls count as frames against the recursion limit and
//! never recurse on the Rust stack; called from native code, it runs the frame in a nested
//! loop as every native callback does.

use crate::code::Code;
use crate::frame::{Delivery, Frame};
use crate::native::Args;
use crate::object::Payload;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use crate::Mode;
use std::rc::Rc;

pub(super) fn install(vm: &mut Vm) {
    let f = super::native_fn(vm, "eval", None, eval);
    vm.eval_fn = f.as_obj().cloned();
    super::set_builtin(vm, "eval", f);
    let f = super::native_fn(vm, "exec", None, exec);
    vm.exec_fn = f.as_obj().cloned();
    super::set_builtin(vm, "exec", f);
}

/// The builtin `eval` called from native code: runs the expression's frame to completion.
fn eval(vm: &mut Vm, a: Args) -> PyResult {
    let frame = eval_frame(vm, a, Delivery::Native)?;
    vm.run_frame(frame)
}

/// The builtin `exec` called from native code: runs the statements' frame to completion.
fn exec(vm: &mut Vm, a: Args) -> PyResult {
    let frame = exec_frame(vm, a, Delivery::Native)?;
    vm.run_frame(frame).map(|_| Value::None)
}

/// Which of the two built-ins is called: their argument rules and messages differ.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Eval,
    Exec,
}

/// Builds the frame of `eval` or `exec` (see [`frame_builtin`]).
pub(crate) type FrameBuiltin = fn(&mut Vm, Args, Delivery) -> PyResult<Box<Frame>>;

/// `eval` and `exec` called from a script run their code as a frame of the calling loop (so
/// it may await): the frame builder when `o` is one of them.
pub(crate) fn frame_builtin(vm: &Vm, o: &Obj) -> Option<FrameBuiltin> {
    let is = |f: &Option<Obj>| f.as_ref().is_some_and(|e| Rc::ptr_eq(e, o));
    if is(&vm.eval_fn) {
        Some(eval_frame)
    } else if is(&vm.exec_fn) {
        Some(exec_frame)
    } else {
        None
    }
}

/// The frame that evaluates `eval(*a.pos)`, delivering its value as `delivery` says.
pub(crate) fn eval_frame(vm: &mut Vm, a: Args, delivery: Delivery) -> PyResult<Box<Frame>> {
    a.no_kwargs(vm, "eval")?;
    a.check_count(vm, "eval", 1, 3)?;
    namespace_frame(vm, Kind::Eval, a, delivery)
}

/// The frame that runs `exec(*a.pos)`, delivering `None` as `delivery` says (a call from a
/// script becomes [`Delivery::Exec`]).
pub(crate) fn exec_frame(vm: &mut Vm, a: Args, delivery: Delivery) -> PyResult<Box<Frame>> {
    let delivery = match delivery {
        Delivery::Call => Delivery::Exec,
        d => d,
    };
    a.check_kwargs(vm, "exec", &["closure"])?;
    let n = a.pos.len();
    if n == 0 {
        return Err(vm.new_type_error("exec() takes at least 1 positional argument (0 given)"));
    }
    if n > 3 {
        return Err(vm.new_type_error(format!(
            "exec() takes at most 3 positional arguments ({n} given)"
        )));
    }
    if a.kwarg("closure").is_some_and(|c| !c.is_none()) {
        // Running a code object in given cells is not supported; strings never take one.
        let msg = match a.pos[0].payload() {
            Some(Payload::Code(_)) => "exec() closure is not supported by aio",
            _ => "closure can only be used when source is a code object",
        };
        return Err(vm.new_type_error(msg));
    }
    namespace_frame(vm, Kind::Exec, a, delivery)
}

/// The module frame that runs `a.pos[0]` with the `globals` and `locals` of `a.pos[1..]`,
/// checked with `kind`'s messages.
fn namespace_frame(vm: &mut Vm, kind: Kind, a: Args, delivery: Delivery) -> PyResult<Box<Frame>> {
    let given = |i: usize| a.pos.get(i).filter(|v| !v.is_none()).cloned();
    let (globals, locals) = (given(1), given(2));
    if let Some(l) = &locals {
        if !is_mapping(vm, l) {
            let msg = match kind {
                Kind::Eval => "locals must be a mapping".to_string(),
                Kind::Exec => format!("locals must be a mapping or None, not {}", vm.type_name(l)),
            };
            return Err(vm.new_type_error(msg));
        }
    }
    let globals = match globals {
        Some(g) => match g.payload() {
            Some(Payload::Dict(_)) => g.as_obj().expect("dict").clone(),
            _ => {
                let msg = match kind {
                    Kind::Exec => {
                        format!("exec() globals must be a dict, not {}", vm.type_name(&g))
                    }
                    Kind::Eval if is_mapping(vm, &g) => {
                        "globals must be a real dict; try eval(expr, {}, mapping)".to_string()
                    }
                    Kind::Eval => "globals must be a dict".to_string(),
                };
                return Err(vm.new_type_error(msg));
            }
        },
        None => match vm.caller_globals(0) {
            Some(g) => g,
            None => vm.main_globals(),
        },
    };
    let locals = match locals {
        Some(l) if matches!(l.payload(), Some(Payload::Dict(_))) => {
            l.as_obj().expect("dict").clone()
        }
        // Another mapping: its items, read once (names are looked up in a dict).
        Some(l) => {
            let d = vm.call(&Value::Obj(vm.types.dict.clone()), &[l], &[])?;
            d.as_obj().expect("dict").clone()
        }
        None if a.pos.get(1).is_some_and(|g| !g.is_none()) => globals.clone(),
        None => caller_locals(vm).unwrap_or_else(|| globals.clone()),
    };
    let key = vm.names.__builtins__.clone();
    if vm.dict_get_str(&globals, &key).is_none() {
        let b = Value::Obj(vm.builtins.clone());
        vm.dict_set_str(&globals, "__builtins__", b);
    }
    let code = source_code(vm, kind, &a.pos[0])?;
    let mut frame = vm.new_module_frame(code, globals);
    frame.set_namespace(Some(locals));
    frame.delivery = delivery;
    Ok(frame)
}

/// The code `eval` or `exec` runs for `source`: a code object as it is (without free
/// variables), or a string (or UTF-8 bytes) compiled as `<string>`, with CPython's
/// `SyntaxError`.
fn source_code(vm: &mut Vm, kind: Kind, source: &Value) -> PyResult<Rc<Code>> {
    if let Some(Payload::Code(c)) = source.payload() {
        if !c.freevars.is_empty() {
            let msg = match kind {
                Kind::Eval => {
                    "code object passed to eval() may not contain free variables".to_string()
                }
                Kind::Exec => format!(
                    "code object requires a closure of exactly length {}",
                    c.freevars.len()
                ),
            };
            return Err(vm.new_type_error(msg));
        }
        return Ok(c.clone());
    }
    let name = if kind == Kind::Eval { "eval" } else { "exec" };
    let Some(text) = super::compile::source_text(vm, source)? else {
        return Err(vm.new_type_error(format!(
            "{name}() arg 1 must be a string, bytes or code object"
        )));
    };
    match kind {
        Kind::Eval => {
            // CPython strips leading spaces and tabs from an expression to evaluate.
            let text = text.trim_start_matches([' ', '\t']);
            vm.compile_eval(text, "<string>")
                .map_err(|e| vm.syntax_error_exception(&e, "<string>", text))
        }
        Kind::Exec => vm
            .compile_source(&text, "<string>", Mode::ExecCode)
            .map_err(|e| vm.syntax_error_exception(&e, "<string>", &with_newline(&text))),
    }
}

/// `text` ending with a newline, as CPython's tokenizer reads a string of statements (the
/// `text` of a `SyntaxError` in its last line shows it).
pub(super) fn with_newline(text: &str) -> std::borrow::Cow<'_, str> {
    if text.ends_with('\n') {
        text.into()
    } else {
        format!("{text}\n").into()
    }
}

/// Whether `v` is a mapping as CPython's `PyMapping_Check` sees it (any class with
/// `__getitem__`, sequences included).
fn is_mapping(vm: &mut Vm, v: &Value) -> bool {
    if matches!(v.payload(), Some(Payload::Dict(_))) {
        return true;
    }
    let cls = vm.class_of(v).clone();
    vm.lookup(&cls, &vm.names.__getitem__.clone()).is_some()
}

/// The calling frame's local namespace: its namespace dict (module and class bodies), or a
/// snapshot of a function's locals, as `locals()` gives.
fn caller_locals(vm: &mut Vm) -> Option<Obj> {
    vm.frames.last()?;
    super::functions::locals(vm, Args::new(&[]))
        .ok()
        .and_then(|v| v.as_obj().cloned())
}
