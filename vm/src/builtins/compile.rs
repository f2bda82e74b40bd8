//! `compile(source, filename, mode, flags=0, dont_inherit=False, optimize=-1)` and the
//! compilers of its modes: `'exec'` ([`Mode::ExecCode`]), `'eval'` ([`Vm::compile_eval`],
//! also `eval`'s) and `'single'` ([`Vm::compile_single`]). The code object it returns is
//! what `exec` and `eval` (`eval.rs`) run.

use crate::code::Code;
use crate::native::Args;
use crate::object::Payload;
use crate::value::Value;
use crate::vm::{PyResult, Vm};
use crate::Mode;
use aio_lexer::{Span, SyntaxError};
use aio_parser::ast::{ExprKind, StmtKind, StmtKind as S};
use num_traits::ToPrimitive;
use std::rc::Rc;

/// `PyCF_ONLY_AST`: parse to an `ast` tree (`ast_tree.rs`) instead of compiling.
const ONLY_AST: i64 = 0x400;

/// `PyCF_ALLOW_INCOMPLETE_INPUT` (`codeop`'s flag): input more lines could complete raises
/// `SyntaxError('incomplete input')`.
const ALLOW_INCOMPLETE_INPUT: i64 = 0x4000;

pub(super) fn install(vm: &mut Vm) {
    let f = super::native_fn(vm, "compile", None, compile);
    super::set_builtin(vm, "compile", f);
}

/// The keywords `compile` accepts: its parameters and the keyword-only `_feature_version`
/// (`ast.parse` passes it; aio parses one version of the language).
const KEYWORDS: [&str; 7] = [
    "source",
    "filename",
    "mode",
    "flags",
    "dont_inherit",
    "optimize",
    "_feature_version",
];

/// The parameters of `compile`, in order.
const PARAMS: &[&str] = KEYWORDS.split_at(6).0;

fn compile(vm: &mut Vm, a: Args) -> PyResult {
    a.check_kwargs(vm, "compile", &KEYWORDS[..])?;
    if a.pos.len() > PARAMS.len() {
        return Err(vm.new_type_error(format!(
            "compile() takes at most 6 positional arguments ({} given)",
            a.pos.len()
        )));
    }
    for (i, p) in PARAMS.iter().enumerate().take(a.pos.len()) {
        if a.kwarg(p).is_some() {
            return Err(vm.new_type_error(format!(
                "argument for compile() given by name ('{p}') and position ({})",
                i + 1
            )));
        }
    }
    for (i, p) in PARAMS.iter().enumerate().take(3) {
        if a.arg(i, p).is_none() {
            return Err(vm.new_type_error(format!(
                "compile() missing required argument '{p}' (pos {})",
                i + 1
            )));
        }
    }
    let source = a.arg(0, "source").expect("checked").clone();
    let filename = match a.arg(1, "filename").expect("checked") {
        Value::Str(s) => s.as_str().to_string(),
        v => match super::bytes_of(v).filter(|_| matches!(v.payload(), Some(Payload::Bytes(_)))) {
            Some(b) => String::from_utf8_lossy(&b).into_owned(),
            None => {
                return Err(vm.new_type_error(format!(
                    "expected str, bytes or os.PathLike object, not {}",
                    vm.type_name(v)
                )))
            }
        },
    };
    let mode = match a.arg(2, "mode").expect("checked") {
        Value::Str(s) => s.clone(),
        v => {
            return Err(vm.new_type_error(format!(
                "compile() argument 'mode' must be str, not {}",
                vm.type_name(v)
            )))
        }
    };
    let flags = match a.arg(3, "flags") {
        Some(v) => int_arg(vm, v)?,
        None => 0,
    };
    if let Some(v) = a.arg(4, "dont_inherit") {
        int_arg(vm, v)?;
    }
    let optimize = match a.arg(5, "optimize") {
        Some(v) => int_arg(vm, v)?,
        None => -1,
    };
    if !(-1..=2).contains(&optimize) {
        return Err(vm.new_value_error("compile(): invalid optimize value"));
    }
    let mode = match mode.as_str() {
        "exec" => Mode::ExecCode,
        "eval" => Mode::Eval,
        "single" => Mode::Single,
        _ => return Err(vm.new_value_error("compile() mode must be 'exec', 'eval' or 'single'")),
    };
    // A syntax tree compiles from the source `ast.unparse` writes for it (its positions are
    // not kept: tracebacks show the unparsed lines).
    let source = if !matches!(source, Value::Str(_)) && super::ast_tree::is_ast_node(vm, &source) {
        let ast = vm.import_module("ast")?;
        let key = vm.intern("unparse");
        let unparse = vm.get_attr(&ast, &key)?;
        vm.call(&unparse, &[source], &[])?
    } else {
        source
    };
    let Some(text) = source_text(vm, &source)? else {
        return Err(vm.new_type_error("compile() arg 1 must be a string, bytes or AST object"));
    };
    if flags & ONLY_AST != 0 {
        return syntax_tree(vm, &text, &filename, mode);
    }
    // codeop's question (`PyCF_ALLOW_INCOMPLETE_INPUT`, with `PyCF_DONT_IMPLY_DEDENT`, which
    // codeop always passes with it): a statement that more lines could complete, such as a
    // block without the empty line that ends it, is `SyntaxError('incomplete input')`.
    if flags & ALLOW_INCOMPLETE_INPUT != 0
        && mode != Mode::Eval
        && matches!(
            aio_parser::parse_interactive(&text),
            aio_parser::Input::Incomplete
        )
    {
        let end = text.len() as u32;
        let e = SyntaxError::new("incomplete input", Span::new(end, end));
        let shown = super::eval::with_newline(&text);
        return Err(vm.syntax_error_exception(&e, &filename, &shown));
    }
    let code = match mode {
        Mode::Eval => vm.compile_eval(&text, &filename),
        Mode::Single => vm.compile_single(&text, &filename),
        _ => vm.compile_source(&text, &filename, mode),
    }
    .map_err(|e| {
        let shown = match mode {
            Mode::Eval => text.as_str().into(),
            _ => super::eval::with_newline(&text),
        };
        vm.syntax_error_exception(&e, &filename, &shown)
    })?;
    Ok(Value::Obj(super::code_object(&vm.types, code)))
}

/// `compile(text, filename, mode, PyCF_ONLY_AST)`: the `_ast` tree of `text` (a `Module`,
/// an `Expression` or an `Interactive`), with the syntax errors compiling it would raise.
fn syntax_tree(vm: &mut Vm, text: &str, filename: &str, mode: Mode) -> PyResult {
    let parsed = match mode {
        // Eval mode's checks (one expression, its messages) are `compile_eval`'s.
        Mode::Eval => vm
            .compile_eval(text, filename)
            .and_then(|_| aio_parser::parse_module(text)),
        _ => aio_parser::parse_module(text),
    };
    let module = parsed.map_err(|e| {
        let shown = match mode {
            Mode::Eval => text.into(),
            _ => super::eval::with_newline(text),
        };
        vm.syntax_error_exception(&e, filename, &shown)
    })?;
    let mut b = super::ast_tree::TreeBuilder::new(vm, text)?;
    match mode {
        Mode::Eval => match module.body.first().map(|s| &s.kind) {
            Some(StmtKind::Expr(e)) => b.expression(e),
            _ => unreachable!("compile_eval accepted one expression"),
        },
        Mode::Single => b.interactive(&module),
        _ => b.module(&module),
    }
}

/// An int argument (`flags`, `optimize`), as the argument parser's `int` converter reads it.
fn int_arg(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    if matches!(v, Value::Float(_)) {
        return Err(vm.new_type_error("'float' object cannot be interpreted as an integer"));
    }
    let b = crate::module::to_index(vm, v)?;
    b.to_i64()
        .ok_or_else(|| vm.new_overflow_error("Python int too large to convert to C int"))
}

/// The source text of a `compile`, `exec` or `eval` argument: a string, or bytes decoded
/// as UTF-8; `None` for any other type. Undecodable bytes and null characters are
/// CPython's `SyntaxError`s.
pub(super) fn source_text(vm: &mut Vm, source: &Value) -> PyResult<Option<String>> {
    let text = match source {
        Value::Str(s) => s.as_str().to_string(),
        v => match v.payload() {
            Some(Payload::Bytes(_)) | Some(Payload::ByteArray(_)) => {
                let b = super::bytes_of(v).unwrap_or_default();
                let b = b.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&b).to_vec();
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
            _ => return Ok(None),
        },
    };
    if text.contains('\0') {
        return Err(vm.new_exception_msg(
            &vm.exc.syntax_error.clone(),
            "source code string cannot contain null bytes",
        ));
    }
    Ok(Some(text))
}

/// Whether a statement is compound (it may hold a block).
fn is_compound(kind: &StmtKind) -> bool {
    matches!(
        kind,
        S::FunctionDef(..)
            | S::ClassDef(..)
            | S::If { .. }
            | S::For { .. }
            | S::While { .. }
            | S::With { .. }
            | S::Try { .. }
            | S::Match { .. }
    )
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
                        if matches!(e.kind, ExprKind::Yield(_) | ExprKind::YieldFrom(_)) {
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
        self.compile_module(&module, file, Mode::Eval)
    }

    /// Compiles `source` as `compile(..., 'single')` does: one statement, or simple
    /// statements on one line (`a = 1; b`); expression statements print their value as the
    /// REPL does. More is CPython's "multiple statements found while compiling a single
    /// statement" (after simple statements) or "invalid syntax" (after a compound one).
    pub(crate) fn compile_single(
        &mut self,
        source: &str,
        filename: &str,
    ) -> Result<Rc<Code>, SyntaxError> {
        let module = aio_parser::parse_module(source)?;
        let Some(first) = module.body.first() else {
            return Err(SyntaxError::new("invalid syntax", Span::new(0, 0)));
        };
        let line_of = |pos: u32| source[..pos as usize].matches('\n').count();
        let first_end = line_of(first.span.end);
        let compound = is_compound(&first.kind);
        if let Some(s) = module.body[1..]
            .iter()
            .find(|s| compound || line_of(s.span.start) != first_end)
        {
            if compound {
                return Err(SyntaxError::new(
                    "invalid syntax",
                    Span::new(s.span.start, s.span.start + 1),
                ));
            }
            // The end of the first logical line.
            let last = module.body[1..]
                .iter()
                .take_while(|t| line_of(t.span.start) == first_end)
                .last()
                .unwrap_or(first);
            return Err(SyntaxError::new(
                "multiple statements found while compiling a single statement",
                Span::new(last.span.end, last.span.end),
            ));
        }
        let file = Rc::new(crate::code::SourceFile::new(filename, source));
        self.compile_module(&module, file, Mode::Single)
    }
}
