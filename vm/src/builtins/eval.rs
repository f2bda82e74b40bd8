//! `eval(source, globals=None, locals=None)`. The expression is compiled in
//! [`Mode::Eval`](crate::Mode::Eval) and runs as a module frame whose namespace is the
//! locals mapping. Called from a script, the frame is pushed on the running loop like a
//! script call (`Vm::prepare_call`), so nested `eval`s count as frames against the
//! recursion limit and never recurse on the Rust stack; called from native code, it runs
//! the frame in a nested loop as every native callback does.

use crate::code::Code;
use crate::frame::{Delivery, Frame};
use crate::native::Args;
use crate::object::Payload;
use crate::value::{Obj, Value};
use crate::vm::{PyResult, Vm};
use crate::Mode;
use aio_lexer::{Span, SyntaxError};
use aio_parser::ast::StmtKind;
use std::rc::Rc;

pub(super) fn install(vm: &mut Vm) {
    let f = super::native_fn(vm, "eval", None, eval);
    vm.eval_fn = f.as_obj().cloned();
    super::set_builtin(vm, "eval", f);
}

/// The builtin `eval` called from native code: runs the expression's frame to completion.
fn eval(vm: &mut Vm, a: Args) -> PyResult {
    let frame = eval_frame(vm, a, Delivery::Native)?;
    vm.run_frame(frame)
}

/// The frame that evaluates `eval(*a.pos)`, delivering its value as `delivery` says.
pub(crate) fn eval_frame(vm: &mut Vm, a: Args, delivery: Delivery) -> PyResult<Box<Frame>> {
    a.no_kwargs(vm, "eval")?;
    a.check_count(vm, "eval", 1, 3)?;
    let given = |i: usize| a.pos.get(i).filter(|v| !v.is_none()).cloned();
    let (globals, locals) = (given(1), given(2));
    if let Some(l) = &locals {
        if !is_mapping(vm, l) {
            return Err(vm.new_type_error("locals must be a mapping"));
        }
    }
    let globals = match globals {
        Some(g) => match g.payload() {
            Some(Payload::Dict(_)) => g.as_obj().expect("dict").clone(),
            _ => {
                let msg = if is_mapping(vm, &g) {
                    "globals must be a real dict; try eval(expr, {}, mapping)"
                } else {
                    "globals must be a dict"
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
    let code = eval_code(vm, &a.pos[0])?;
    let mut frame = vm.new_module_frame(code, globals);
    frame.namespace = Some(locals);
    frame.delivery = delivery;
    Ok(frame)
}

/// The code `eval` runs for `source`: a code object as it is, or a string (or UTF-8 bytes)
/// compiled in eval mode, with CPython's `SyntaxError`.
fn eval_code(vm: &mut Vm, source: &Value) -> PyResult<Rc<Code>> {
    let text = match source {
        Value::Str(s) => s.as_str().to_string(),
        v => match v.payload() {
            Some(Payload::Code(c)) => {
                if !c.freevars.is_empty() {
                    return Err(vm.new_type_error(
                        "code object passed to eval() may not contain free variables",
                    ));
                }
                return Ok(c.clone());
            }
            Some(Payload::Bytes(_)) | Some(Payload::ByteArray(_)) => {
                let b = super::bytes_of(v).unwrap_or_default();
                match String::from_utf8(b) {
                    Ok(s) => s,
                    Err(_) => {
                        return Err(vm.new_exception_msg(
                            &vm.exc.syntax_error.clone(),
                            "(unicode error) 'utf-8' codec can't decode bytes",
                        ))
                    }
                }
            }
            _ => {
                return Err(vm.new_type_error("eval() arg 1 must be a string, bytes or code object"))
            }
        },
    };
    if text.contains('\0') {
        return Err(vm.new_exception_msg(
            &vm.exc.syntax_error.clone(),
            "source code string cannot contain null bytes",
        ));
    }
    // CPython strips leading spaces and tabs from an expression to evaluate.
    let text = text.trim_start_matches([' ', '\t']);
    vm.compile_eval(text, "<string>")
        .map_err(|e| vm.syntax_error_exception(&e, "<string>", text))
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

impl Vm {
    /// Compiles `source` as `eval` does: one expression, nothing after it but blank lines and
    /// comments (a statement, a `;` or a bare `yield` is CPython's "invalid syntax").
    /// Running the code with [`Vm::run_code`] returns the expression's value: a host's
    /// formula or filter, compiled once.
    ///
    /// ```
    /// use aio_vm::Vm;
    ///
    /// let mut vm = Vm::new();
    /// let formula = vm.compile_eval("price * (1 + tax)", "<formula>").unwrap();
    /// vm.set_global("tax", 0.25);
    /// for (price, total) in [(10.0, 12.5), (4.0, 5.0)] {
    ///     vm.set_global("price", price);
    ///     let globals = vm.main_globals();
    ///     let v = vm.guarded(|vm| vm.run_code(formula.clone(), globals))?;
    ///     assert_eq!(vm.guarded(|vm| vm.from_value::<f64>(&v))?, total);
    /// }
    /// let err = vm.compile_eval("x = 1", "<formula>").err().unwrap();
    /// assert_eq!(err.message, "invalid syntax");
    /// # Ok::<(), aio_vm::Error>(())
    /// ```
    pub fn compile_eval(&mut self, source: &str, filename: &str) -> Result<Rc<Code>, SyntaxError> {
        let module = aio_parser::parse_module(source).map_err(|e| {
            // The statement parser's hint for `1 = 2` is eval mode's plain "invalid syntax"
            // at the `=`.
            if e.message.starts_with("cannot assign to") && e.message.ends_with("'='?") {
                let eq = source[e.span.end as usize..]
                    .find('=')
                    .map_or(e.span.start, |i| e.span.end + i as u32);
                return SyntaxError::new("invalid syntax", Span::new(eq, eq + 1));
            }
            e
        })?;
        let at = |pos: u32| SyntaxError::new("invalid syntax", Span::new(pos, pos + 1));
        // The first character after byte `pos` that is not blank, a comment or a closing
        // parenthesis (spans exclude the parentheses around an expression).
        let next_token = |pos: u32| {
            let mut i = pos as usize;
            let bytes = source.as_bytes();
            while i < bytes.len() {
                match bytes[i] {
                    b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b')' => i += 1,
                    b'#' => {
                        while i < bytes.len() && bytes[i] != b'\n' {
                            i += 1;
                        }
                    }
                    _ => return Some(i as u32),
                }
            }
            None
        };
        match module.body.as_slice() {
            [] => return Err(at(0)),
            [first, rest @ ..] => {
                match &first.kind {
                    StmtKind::Expr(e) => {
                        if matches!(
                            e.kind,
                            aio_parser::ast::ExprKind::Yield(_)
                                | aio_parser::ast::ExprKind::YieldFrom(_)
                        ) {
                            return Err(at(e.span.start));
                        }
                        if let Some(p) = next_token(e.span.end) {
                            return Err(at(p));
                        }
                    }
                    StmtKind::Assign { targets, .. } => {
                        let end = targets[0].span.end;
                        return Err(at(next_token(end).unwrap_or(end)));
                    }
                    StmtKind::AugAssign { target, .. } | StmtKind::AnnAssign { target, .. } => {
                        let end = target.span.end;
                        return Err(at(next_token(end).unwrap_or(end)));
                    }
                    _ => return Err(at(first.span.start)),
                }
                if let Some(s) = rest.first() {
                    return Err(at(s.span.start));
                }
            }
        }
        let file = Rc::new(crate::code::SourceFile::new(filename, source));
        crate::compiler::compile(
            &module,
            file,
            Mode::Eval,
            &mut self.interner,
            &self.types,
            &self.ellipsis,
        )
    }
}
